// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * TSO splitting of TUN super-packets: segment boundaries, sequence numbers,
 * flags, IP ids and both checksums, and refusal of malformed input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <cmocka.h>

#include "tso.h"

#define MAX_SEGS 64
/* The longest segment the tests accept. */
#define SEGMENT_MAX 1600

struct capture {
	size_t n;
	uint8_t pkt[MAX_SEGS][1600];
	size_t len[MAX_SEGS];
};

static void collect(void *ctx, const uint8_t *pkt, size_t len)
{
	struct capture *c = ctx;

	assert_true(c->n < MAX_SEGS && len <= sizeof(c->pkt[0]));
	memcpy(c->pkt[c->n], pkt, len);
	c->len[c->n++] = len;
}

/* A 20-byte IP + 20-byte TCP super-packet with `payload` bytes. */
static size_t build(uint8_t *buf, size_t payload, uint8_t flags)
{
	struct iphdr *ip = (struct iphdr *)buf;
	uint8_t *tcp = buf + 20;

	memset(buf, 0, 40);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_TCP;
	ip->id = htons(0xfff0);
	ip->tot_len = htons((uint16_t)(40 + payload));
	ip->saddr = htonl(0x0a4d0001);
	ip->daddr = htonl(0x0a4d0002);
	tcp[0] = 0x30;	/* ports */
	tcp[2] = 0x40;
	tcp[4] = 0xff;	/* seq near the wrap */
	tcp[5] = 0xff;
	tcp[6] = 0xfc;
	tcp[7] = 0x00;
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	for (size_t i = 0; i < payload; i++)
		buf[40 + i] = (uint8_t)(i * 13);
	return 40 + payload;
}

static uint32_t seq_of(const uint8_t *pkt)
{
	uint32_t s;

	memcpy(&s, pkt + 24, 4);
	return ntohl(s);
}

static void check_checksums(const uint8_t *pkt, size_t len)
{
	uint8_t pseudo[12];

	/* A correct header sums to 0xffff, so its fold is 0. */
	assert_int_equal(csum_fold(csum_add(0, pkt, 20)), 0);
	memcpy(pseudo, pkt + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = (uint8_t)((len - 20) >> 8);
	pseudo[11] = (uint8_t)(len - 20);
	assert_int_equal(csum_fold(csum_add(csum_add(0, pseudo, 12), pkt + 20,
					    len - 20)), 0);
}

static void test_split_segments(void **state)
{
	static uint8_t buf[70000], orig[70000];
	static struct capture c;
	struct virtio_net_hdr vh = {
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_size = 1000, .hdr_len = 40,
		.csum_start = 20, .csum_offset = 16,
	};
	size_t len = build(buf, 3500, TH_ACK | TH_PUSH | TH_FIN | 0x80);

	/* tso_split() cuts buf in place. */
	memcpy(orig, buf, len);
	c.n = 0;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), 4);
	for (size_t i = 0; i < 4; i++) {
		size_t want = i < 3 ? 1000 : 500;
		uint8_t fl = c.pkt[i][33];

		assert_int_equal(c.len[i], 40 + want);
		assert_int_equal(ntohs(((struct iphdr *)c.pkt[i])->tot_len), 40 + want);
		assert_int_equal(ntohs(((struct iphdr *)c.pkt[i])->id),
				 (uint16_t)(0xfff0 + i));
		/* Sequence numbers wrap like TCP's. */
		assert_int_equal(seq_of(c.pkt[i]), (uint32_t)(0xfffffc00u + i * 1000));
		assert_memory_equal(c.pkt[i] + 40, orig + 40 + i * 1000, want);
		assert_int_equal(!!(fl & TH_FIN), i == 3);
		assert_int_equal(!!(fl & TH_PUSH), i == 3);
		assert_int_equal(!!(fl & 0x80), i == 0);
		assert_true(fl & TH_ACK);
		check_checksums(c.pkt[i], c.len[i]);
	}
}

/* An odd MSS, as MTU 1419 gives (1379): every segment after the first
 * is cut at an odd address, which UBSan (make check-san) watches. */
static void test_split_odd_mss(void **state)
{
	static uint8_t buf[70000], orig[70000];
	static struct capture c;
	struct virtio_net_hdr vh = {
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_size = 1379, .hdr_len = 40,
		.csum_start = 20, .csum_offset = 16,
	};
	size_t len = build(buf, 20000, TH_ACK);

	(void)state;
	memcpy(orig, buf, len);
	c.n = 0;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX, collect, &c),
			 15);
	for (size_t i = 0; i < c.n; i++) {
		size_t want = i < 14 ? 1379 : 20000 - 14 * 1379;

		assert_int_equal(c.len[i], 40 + want);
		assert_memory_equal(c.pkt[i] + 40, orig + 40 + i * 1379, want);
		check_checksums(c.pkt[i], c.len[i]);
	}
}

static void test_single_packet_checksum(void **state)
{
	static uint8_t buf[2000];
	static struct capture c;
	struct virtio_net_hdr vh = {
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.csum_start = 20, .csum_offset = 16,
	};
	size_t len = build(buf, 333, TH_ACK);
	struct iphdr *ip = (struct iphdr *)buf;
	uint8_t pseudo[12];

	ip->check = htons(csum_fold(csum_add(0, buf, 20)));
	/* What the kernel leaves in the field: the pseudo-header sum. */
	memcpy(pseudo, buf + 12, 8);
	pseudo[8] = 0;
	pseudo[9] = IPPROTO_TCP;
	pseudo[10] = (uint8_t)((len - 20) >> 8);
	pseudo[11] = (uint8_t)(len - 20);
	{
		uint16_t partial = (uint16_t)~csum_fold(csum_add(0, pseudo, 12));

		buf[36] = (uint8_t)(partial >> 8);
		buf[37] = (uint8_t)partial;
	}
	c.n = 0;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), 1);
	check_checksums(c.pkt[0], c.len[0]);
}

static void test_malformed(void **state)
{
	static uint8_t buf[2000];
	static struct capture c;
	struct virtio_net_hdr vh = {
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 500,
	};
	size_t len = build(buf, 1200, TH_ACK);

	c.n = 0;
	/* Length disagreeing with the IP header, UDP, zero MSS, a limit
	 * below the segments, a checksum offset beyond the packet: refused. */
	assert_int_equal(tso_split(&vh, buf, len - 1, SEGMENT_MAX,
				   collect, &c), -1);
	buf[9] = IPPROTO_UDP;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), -1);
	buf[9] = IPPROTO_TCP;
	vh.gso_size = 0;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), -1);
	vh.gso_size = 500;
	assert_int_equal(tso_split(&vh, buf, len, 100, collect, &c), -1);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), -1);
	vh.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.csum_start = (uint16_t)len;
	vh.csum_offset = 2;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), -1);
	assert_int_equal(c.n, 0);
}

/* A 40-byte IPv6 + 20-byte TCP super-packet with `payload` bytes. */
static size_t build6(uint8_t *buf, size_t payload, uint8_t flags)
{
	uint8_t *tcp = buf + 40;

	memset(buf, 0, 60);
	buf[0] = 0x60;
	buf[4] = (uint8_t)((20 + payload) >> 8);
	buf[5] = (uint8_t)(20 + payload);
	buf[6] = IPPROTO_TCP;
	buf[7] = 64;
	inet_pton(AF_INET6, "fd77::1", buf + 8);
	inet_pton(AF_INET6, "fd77::2", buf + 24);
	tcp[0] = 0x30;
	tcp[2] = 0x40;
	tcp[4] = 0xff;	/* seq near the wrap */
	tcp[5] = 0xff;
	tcp[6] = 0xfc;
	tcp[12] = 5 << 4;
	tcp[13] = flags;
	for (size_t i = 0; i < payload; i++)
		buf[60 + i] = (uint8_t)(i * 7);
	return 60 + payload;
}

static void check_checksums6(const uint8_t *pkt, size_t len)
{
	uint8_t tail[8] = { 0 };

	/* The TCP checksum over the IPv6 pseudo header (RFC 8200 8.1),
	 * summed independently of csum_pseudo_ipv6. */
	tail[2] = (uint8_t)((len - 40) >> 8);
	tail[3] = (uint8_t)(len - 40);
	tail[7] = IPPROTO_TCP;
	assert_int_equal(csum_fold(csum_add(csum_add(csum_add(0, pkt + 8, 32),
						     tail, 8),
					    pkt + 40, len - 40)), 0);
}

static void test_split_segments_v6(void **state)
{
	static uint8_t buf[70000], orig[70000];
	static struct capture c;
	struct virtio_net_hdr vh = {
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_size = 1220, .hdr_len = 60,
		.csum_start = 40, .csum_offset = 16,
	};
	size_t len = build6(buf, 3000, TH_ACK | TH_PUSH | TH_FIN | 0x80);

	(void)state;
	memcpy(orig, buf, len);
	c.n = 0;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), 3);
	for (size_t i = 0; i < 3; i++) {
		size_t want = i < 2 ? 1220 : 560;
		uint8_t fl = c.pkt[i][53];
		uint32_t seq;

		assert_int_equal(c.len[i], 60 + want);
		/* Payload length: TCP header and data, no IPv6 header. */
		assert_int_equal((c.pkt[i][4] << 8) | c.pkt[i][5], 20 + want);
		assert_memory_equal(c.pkt[i] + 8, orig + 8, 32);
		memcpy(&seq, c.pkt[i] + 44, 4);
		assert_int_equal(ntohl(seq), (uint32_t)(0xfffffc00u + i * 1220));
		assert_memory_equal(c.pkt[i] + 60, orig + 60 + i * 1220, want);
		assert_int_equal(!!(fl & TH_FIN), i == 2);
		assert_int_equal(!!(fl & TH_PUSH), i == 2);
		assert_int_equal(!!(fl & 0x80), i == 0);
		check_checksums6(c.pkt[i], c.len[i]);
	}
}

static void test_malformed_v6(void **state)
{
	static uint8_t buf[4000];
	static struct capture c;
	struct virtio_net_hdr vh = {
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV6, .gso_size = 500,
	};
	size_t len = build6(buf, 1200, TH_ACK);

	(void)state;
	c.n = 0;
	/* Payload length disagreeing, an extension header before TCP, an
	 * IPv4 packet under GSO_TCPV6, or IPv6 under GSO_TCPV4: refused. */
	assert_int_equal(tso_split(&vh, buf, len - 1, SEGMENT_MAX,
				   collect, &c), -1);
	buf[6] = 0;	/* hop-by-hop options */
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), -1);
	buf[6] = IPPROTO_TCP;
	buf[0] = 0x45;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), -1);
	buf[0] = 0x60;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	assert_int_equal(tso_split(&vh, buf, len, SEGMENT_MAX,
				   collect, &c), -1);
	assert_int_equal(tso_split(&vh, buf, 30, SEGMENT_MAX,
				   collect, &c), -1);
	assert_int_equal(c.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_segments),
		cmocka_unit_test(test_split_odd_mss),
		cmocka_unit_test(test_single_packet_checksum),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_split_segments_v6),
		cmocka_unit_test(test_malformed_v6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
