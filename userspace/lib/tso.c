// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "tso.h"

#include <arpa/inet.h>
#include <endian.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* The device's job for a packet that left its checksum to us: the field
 * already holds the pseudo-header sum, so sum from csum_start on. */
static int finish_checksum(const struct virtio_net_hdr *vh, uint8_t *pkt,
			   size_t len)
{
	size_t start = le16toh(vh->csum_start), off = le16toh(vh->csum_offset);

	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return 0;
	if (start > len || off + 2 > len - start)
		return -1;
	put16(pkt + start + off, csum_fold(csum_add(0, pkt + start,
						    len - start)));
	return 0;
}

/* One segment's headers, given the segment's payload length seg, its
 * sequence offset off and whether it is the first or last. */
struct tso_cut {
	bool v6;
	size_t ihl, thl;
	uint32_t seq;
	uint16_t id;
	uint8_t flags;
};

static void cut_headers(const struct tso_cut *c, uint8_t *seg_pkt, size_t seg,
			size_t off, int index, bool last)
{
	uint8_t *tcp = seg_pkt + c->ihl;
	size_t hdr = c->ihl + c->thl;
	uint32_t sum;

	if (c->v6) {
		put16(seg_pkt + 4, (uint16_t)(c->thl + seg));
		sum = csum_pseudo_ipv6(seg_pkt + 8, IPPROTO_TCP,
				       (uint32_t)(c->thl + seg));
	} else {
		/* Byte by byte: segments after the first lie unaligned
		 * (tso_split() cuts in place). Total length, id, checksum. */
		put16(seg_pkt + 2, (uint16_t)(hdr + seg));
		put16(seg_pkt + 4, (uint16_t)(c->id + index));
		put16(seg_pkt + 10, 0);
		put16(seg_pkt + 10, csum_fold(csum_add(0, seg_pkt, c->ihl)));
		sum = csum_pseudo_ipv4(seg_pkt + 12, IPPROTO_TCP,
				       (uint16_t)(c->thl + seg));
	}
	put16(tcp + 4, (uint16_t)((c->seq + off) >> 16));
	put16(tcp + 6, (uint16_t)(c->seq + off));
	/* FIN and PSH belong to the last segment, CWR to the first. */
	tcp[13] = c->flags;
	if (!last)
		tcp[13] &= (uint8_t)~(TH_FIN | TH_PUSH);
	if (index)
		tcp[13] &= (uint8_t)~0x80;
	tcp[16] = tcp[17] = 0;
	put16(tcp + 16, csum_fold(csum_add(sum, tcp, c->thl + seg)));
}

/* The IP header of a super-packet: its length, or 0 if pkt is not one
 * this handles (TCP right after the IPv4 or IPv6 header). */
static size_t ip_header(uint8_t *pkt, size_t len, bool v6, struct tso_cut *c)
{
	if (v6) {
		if (len < 40 || (pkt[0] >> 4) != 6 || pkt[6] != IPPROTO_TCP ||
		    (size_t)((pkt[4] << 8) | pkt[5]) + 40 != len)
			return 0;
		return 40;
	} else {
		const struct iphdr *ip = (const struct iphdr *)pkt;
		size_t ihl;

		if (len < sizeof(*ip) || ip->version != 4 ||
		    ip->protocol != IPPROTO_TCP)
			return 0;
		ihl = ip->ihl * 4u;
		if (ihl < sizeof(*ip) || ntohs(ip->tot_len) != len)
			return 0;
		c->id = ntohs(ip->id);
		return ihl;
	}
}

int tso_split(const struct virtio_net_hdr *vh, uint8_t *pkt, size_t len,
	      size_t segment_max, tso_emit_fn emit, void *ctx)
{
	uint8_t gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	struct tso_cut c = { .v6 = gso == VIRTIO_NET_HDR_GSO_TCPV6 };
	/* IP and TCP headers with options: 60 + 60 bytes at most. */
	uint8_t headers[120];
	size_t hdr, mss, payload, off;
	int count = 0;

	if (gso == VIRTIO_NET_HDR_GSO_NONE) {
		if (finish_checksum(vh, pkt, len))
			return -1;
		emit(ctx, pkt, len);
		return 1;
	}
	if (gso != VIRTIO_NET_HDR_GSO_TCPV4 && gso != VIRTIO_NET_HDR_GSO_TCPV6)
		return -1;
	c.ihl = ip_header(pkt, len, c.v6, &c);
	if (!c.ihl || len < c.ihl + 20)
		return -1;
	c.thl = (pkt[c.ihl + 12] >> 4) * 4u;
	hdr = c.ihl + c.thl;
	mss = le16toh(vh->gso_size);
	if (c.thl < 20 || hdr > len || hdr > sizeof(headers) || !mss ||
	    hdr + mss > segment_max || hdr + mss > 0xffff)
		return -1;
	payload = len - hdr;
	memcpy(&c.seq, pkt + c.ihl + 4, 4);
	c.seq = ntohl(c.seq);
	c.flags = pkt[c.ihl + 13];
	memcpy(headers, pkt, hdr);
	/* Each segment is cut where it lies: its headers go just before its
	 * payload, over the end of the segment before, which emit() is done
	 * with. No copy of the payload. */
	for (off = 0; off < payload || (off == 0 && !payload); off += mss) {
		size_t seg = payload - off < mss ? payload - off : mss;
		uint8_t *seg_pkt = pkt + off;

		if (off)
			memcpy(seg_pkt, headers, hdr);
		cut_headers(&c, seg_pkt, seg, off, count, off + mss >= payload);
		emit(ctx, seg_pkt, hdr + seg);
		count++;
		if (!payload)
			break;
	}
	return count;
}
