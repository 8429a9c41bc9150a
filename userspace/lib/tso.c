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

static uint16_t tcp_checksum(const struct iphdr *ip, const uint8_t *tcp,
			     size_t tcp_len)
{
	uint32_t sum = csum_pseudo_ipv4((const uint8_t *)&ip->saddr,
					IPPROTO_TCP, (uint16_t)tcp_len);

	return csum_fold(csum_add(sum, tcp, tcp_len));
}

int tso_split(const struct virtio_net_hdr *vh, uint8_t *pkt, size_t len,
	      uint8_t *scratch, size_t scratch_len, tso_emit_fn emit,
	      void *ctx)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;
	size_t ihl, thl, hdr, mss, payload, off;
	uint32_t seq;
	uint16_t id;
	uint8_t flags;
	int count = 0;

	if ((vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_NONE) {
		if (finish_checksum(vh, pkt, len))
			return -1;
		emit(ctx, pkt, len);
		return 1;
	}
	if ((vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_TCPV4)
		return -1;
	if (len < sizeof(*ip) || ip->version != 4 || ip->protocol != IPPROTO_TCP)
		return -1;
	ihl = ip->ihl * 4u;
	if (ihl < sizeof(*ip) || len < ihl + 20 || ntohs(ip->tot_len) != len)
		return -1;
	thl = (pkt[ihl + 12] >> 4) * 4u;
	hdr = ihl + thl;
	mss = le16toh(vh->gso_size);
	if (thl < 20 || hdr > len || !mss || hdr + mss > scratch_len ||
	    hdr + mss > 0xffff)
		return -1;
	payload = len - hdr;
	memcpy(&seq, pkt + ihl + 4, 4);
	seq = ntohl(seq);
	id = ntohs(ip->id);
	flags = pkt[ihl + 13];
	for (off = 0; off < payload || (off == 0 && !payload); off += mss) {
		size_t seg = payload - off < mss ? payload - off : mss;
		struct iphdr *sip = (struct iphdr *)scratch;
		uint8_t *tcp = scratch + ihl;
		bool last = off + mss >= payload;

		memcpy(scratch, pkt, hdr);
		memcpy(scratch + hdr, pkt + hdr + off, seg);
		sip->tot_len = htons((uint16_t)(hdr + seg));
		sip->id = htons((uint16_t)(id + count));
		sip->check = 0;
		sip->check = csum_inet(scratch, ihl);
		put16(tcp + 4, (uint16_t)((seq + off) >> 16));
		put16(tcp + 6, (uint16_t)(seq + off));
		/* FIN and PSH belong to the last segment, CWR to the first. */
		tcp[13] = flags;
		if (!last)
			tcp[13] &= (uint8_t)~(TH_FIN | TH_PUSH);
		if (count)
			tcp[13] &= (uint8_t)~0x80;
		tcp[16] = tcp[17] = 0;
		put16(tcp + 16, tcp_checksum(sip, tcp, thl + seg));
		emit(ctx, scratch, hdr + seg);
		count++;
		if (!payload)
			break;
	}
	return count;
}
