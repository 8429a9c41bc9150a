// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for tso_split(): the first 10 bytes are the virtio-net
 * header, the rest the packet. Every segment cut from a super-packet must
 * fit the size given and carry a correct IPv4 header checksum, or for
 * IPv6 a payload length that matches and a correct TCP checksum.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tso.h"
#include <arpa/inet.h>
#include <netinet/ip.h>
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static size_t scratch_len;

static void check_segment(void *ctx, const uint8_t *pkt, size_t len)
{
	/* Segments of a super-packet are cut in place, each no longer
	 * than the size given; a single packet is passed on as it came. */
	if (!*(int *)ctx)
		return;
	CHECK(len <= scratch_len && len >= 20);
	if ((pkt[0] >> 4) == 6) {
		CHECK(len >= 60 && (size_t)((pkt[4] << 8) | pkt[5]) == len - 40);
		CHECK(csum_fold(csum_add(csum_pseudo_ipv6(pkt + 8, pkt[6],
							  (uint32_t)(len - 40)),
					 pkt + 40, len - 40)) == 0);
	} else {
		CHECK(csum_fold(csum_add(0, pkt, (pkt[0] & 15) * 4u)) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[70000], scratch[2000];
	struct virtio_net_hdr vh;
	int gso;

	if (size < sizeof(vh) || size - sizeof(vh) > sizeof(pkt))
		return 0;
	memcpy(&vh, data, sizeof(vh));
	memcpy(pkt, data + sizeof(vh), size - sizeof(vh));
	scratch_len = sizeof(scratch);
	gso = (vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != 0;
	tso_split(&vh, pkt, size - sizeof(vh), sizeof(scratch),
		  check_segment, &gso);
	return 0;
}

/* A TCP super-packet of 64 KB as the TUN hands it over, one with ECN,
 * and a single packet. */
static void put_packet(const char *name, uint8_t gso_type, uint16_t mss,
		       size_t len)
{
	static uint8_t buf[10 + 65535];
	struct virtio_net_hdr vh = { 0 };
	struct iphdr ip = { 0 };
	uint8_t *p = buf + sizeof(vh);

	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = gso_type;
	vh.hdr_len = 52;
	vh.gso_size = mss;
	vh.csum_start = 20;
	vh.csum_offset = 16;
	memcpy(buf, &vh, sizeof(vh));
	ip.version = 4;
	ip.ihl = 5;
	ip.tot_len = htons((uint16_t)len);
	ip.ttl = 64;
	ip.protocol = IPPROTO_TCP;
	ip.saddr = htonl(0x0a630001);
	ip.daddr = htonl(0x0a630002);
	memcpy(p, &ip, sizeof(ip));
	memset(p + 20, 0, len - 20);
	p[20] = 0x9c;			/* ports 40000 -> 5201 */
	p[21] = 0x40;
	p[22] = 0x14;
	p[23] = 0x51;
	p[27] = 1;			/* seq 1 */
	p[32] = 0x80;			/* 32-byte header: timestamps */
	p[33] = 0x18;			/* PSH ACK */
	p[34] = 0xff;
	p[40] = 1;
	p[41] = 1;
	p[42] = 8;
	p[43] = 10;
	for (size_t i = 52; i < len; i++)
		p[i] = (uint8_t)i;
	seed_write(name, buf, sizeof(vh) + len);
}

/* The same over IPv6 (GSO_TCPV6): a 40-byte header, TCP right after. */
static void put_packet6(const char *name, uint16_t mss, size_t len)
{
	static uint8_t buf[10 + 65535];
	struct virtio_net_hdr vh = { 0 };
	uint8_t *p = buf + sizeof(vh);

	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	vh.hdr_len = 72;
	vh.gso_size = mss;
	vh.csum_start = 40;
	vh.csum_offset = 16;
	memcpy(buf, &vh, sizeof(vh));
	memset(p, 0, len);
	p[0] = 0x60;
	p[4] = (uint8_t)((len - 40) >> 8);
	p[5] = (uint8_t)(len - 40);
	p[6] = IPPROTO_TCP;
	p[7] = 64;
	inet_pton(AF_INET6, "fd77::1", p + 8);
	inet_pton(AF_INET6, "fd77::2", p + 24);
	p[40] = 0x9c;			/* ports 40000 -> 5201 */
	p[41] = 0x40;
	p[42] = 0x14;
	p[43] = 0x51;
	p[47] = 1;			/* seq 1 */
	p[52] = 0x80;			/* 32-byte header: timestamps */
	p[53] = 0x18;			/* PSH ACK */
	p[54] = 0xff;
	p[60] = 1;
	p[61] = 1;
	p[62] = 8;
	p[63] = 10;
	for (size_t i = 72; i < len; i++)
		p[i] = (uint8_t)i;
	seed_write(name, buf, sizeof(vh) + len);
}

static void write_seeds(void)
{
	put_packet("tso-64k", VIRTIO_NET_HDR_GSO_TCPV4, 1448, 65535);
	put_packet("tso-ecn", VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
		   1388, 9000);
	put_packet("single", VIRTIO_NET_HDR_GSO_NONE, 0, 1400);
	put_packet6("tso6-64k", 1428, 65535);
}
