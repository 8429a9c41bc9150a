// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * ACK thinning: which pure ACKs a later one makes redundant, and that
 * every ACK carrying more than a new acknowledgement number is kept.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <cmocka.h>

#include "tcp_ack.h"

/* A pure ACK: IPv4 (ihl 20) or IPv6 (ihl 40), TCP with the timestamp
 * option as Linux sends it (NOP, NOP, TS), ack number ack. */
static size_t build(uint8_t *p, size_t ihl, uint32_t ack)
{
	uint8_t *tcp = p + ihl;
	size_t len = ihl + 32;

	memset(p, 0, TCP_ACK_MAX);
	if (ihl == 20) {
		p[0] = 0x45;
		p[2] = 0;
		p[3] = (uint8_t)len;
		p[8] = 64;
		p[9] = IPPROTO_TCP;
		memcpy(p + 12, "\x0a\x4d\x00\x02\x0a\x4d\x00\x01", 8);
	} else {
		p[0] = 0x60;
		p[5] = 32;
		p[6] = IPPROTO_TCP;
		p[7] = 64;
		p[8] = 0xfd;
		p[23] = 2;
		p[24] = 0xfd;
		p[39] = 1;
	}
	tcp[0] = 0x9c;	/* ports 40000 -> 5201 */
	tcp[1] = 0x40;
	tcp[2] = 0x14;
	tcp[3] = 0x51;
	memcpy(tcp + 4, "\x11\x22\x33\x44", 4);
	tcp[8] = (uint8_t)(ack >> 24);
	tcp[9] = (uint8_t)(ack >> 16);
	tcp[10] = (uint8_t)(ack >> 8);
	tcp[11] = (uint8_t)ack;
	tcp[12] = 8 << 4;
	tcp[13] = TH_ACK;
	tcp[14] = 0x20;	/* window */
	memcpy(tcp + 20, "\x01\x01\x08\x0a" "\x00\x00\x10\x00" "\x00\x00\x20\x00",
	       12);
	return len;
}

static void later_ack_supersedes(void **state)
{
	uint8_t held[TCP_ACK_MAX], pkt[TCP_ACK_MAX];
	size_t ihls[] = { 20, 40 };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		size_t ihl = ihls[i];
		size_t hl = build(held, ihl, 1000), len = build(pkt, ihl, 2448);

		assert_true(tcp_ack_is_pure(held, hl, ihl));
		assert_true(tcp_ack_supersedes(held, hl, pkt, len, ihl));
		/* A new window and timestamp come with the later one. */
		pkt[ihl + 14] = 0x40;
		pkt[ihl + 31] = 7;
		assert_true(tcp_ack_supersedes(held, hl, pkt, len, ihl));
		/* Across the wrap of the sequence space. */
		hl = build(held, ihl, 0xfffffff0u);
		len = build(pkt, ihl, 0x10);
		assert_true(tcp_ack_supersedes(held, hl, pkt, len, ihl));
		/* Without options. */
		held[ihl + 12] = 5 << 4;
		pkt[ihl + 12] = 5 << 4;
		assert_true(tcp_ack_supersedes(held, ihl + 20, pkt, ihl + 20,
					       ihl));
	}
}

/* Duplicate ACKs signal loss: the same or an older number never
 * replaces the held one, nor does a window update alone. */
static void duplicate_and_older_kept(void **state)
{
	uint8_t held[TCP_ACK_MAX], pkt[TCP_ACK_MAX];
	size_t hl = build(held, 20, 5000), len = build(pkt, 20, 5000);

	(void)state;
	assert_false(tcp_ack_supersedes(held, hl, pkt, len, 20));
	pkt[20 + 14] = 0x7f;
	assert_false(tcp_ack_supersedes(held, hl, pkt, len, 20));
	len = build(pkt, 20, 4999);
	assert_false(tcp_ack_supersedes(held, hl, pkt, len, 20));
}

static void other_flow_kept(void **state)
{
	uint8_t held[TCP_ACK_MAX], pkt[TCP_ACK_MAX];
	size_t hl = build(held, 20, 1), len;
	/* Byte offsets of fields that name the flow or its IP treatment. */
	size_t v4[] = { 1, 8, 12, 15, 16, 19, 20, 21, 22, 23, 24, 27 };
	size_t v6[] = { 1, 3, 7, 8, 23, 24, 39, 40, 43, 44, 47 };

	(void)state;
	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		len = build(pkt, 20, 2);
		pkt[v4[i]] ^= 1;
		assert_false(tcp_ack_supersedes(held, hl, pkt, len, 20));
	}
	hl = build(held, 40, 1);
	for (size_t i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		len = build(pkt, 40, 2);
		pkt[v6[i]] ^= 1;
		assert_false(tcp_ack_supersedes(held, hl, pkt, len, 40));
	}
	/* IPv4 against IPv6 of the same length. */
	hl = build(held, 20, 1);
	len = build(pkt, 40, 2);
	assert_false(tcp_ack_supersedes(held, hl, pkt, hl, 20));
}

static void not_pure(void **state)
{
	uint8_t pkt[TCP_ACK_MAX];
	uint8_t flags[] = { TH_ACK | TH_PUSH, TH_ACK | TH_FIN, TH_ACK | TH_SYN,
			    TH_ACK | TH_RST, TH_ACK | TH_URG, TH_ACK | 0x40,
			    TH_ACK | 0x80, 0 };
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(flags); i++) {
		len = build(pkt, 20, 9);
		pkt[20 + 13] = flags[i];
		assert_false(tcp_ack_is_pure(pkt, len, 20));
	}
	/* The AccECN flag among the reserved bits. */
	len = build(pkt, 20, 9);
	pkt[20 + 12] |= 1;
	assert_false(tcp_ack_is_pure(pkt, len, 20));
	/* Payload. */
	len = build(pkt, 20, 9);
	assert_false(tcp_ack_is_pure(pkt, len + 1, 20));
	/* SACK blocks. */
	len = build(pkt, 20, 9);
	memcpy(pkt + 40, "\x01\x01\x05\x0a", 4);
	assert_false(tcp_ack_is_pure(pkt, len, 20));
	/* A timestamp option that runs past the header. */
	len = build(pkt, 20, 9);
	memcpy(pkt + 40, "\x01\x01\x01\x08\x0a\x00\x00\x00", 8);
	memcpy(pkt + 48, "\x00\x00\x00\x00", 4);
	assert_false(tcp_ack_is_pure(pkt, len, 20));
	/* Truncated headers and odd IP header lengths. */
	len = build(pkt, 20, 9);
	assert_false(tcp_ack_is_pure(pkt, 39, 20));
	assert_false(tcp_ack_is_pure(pkt, len, 24));
	pkt[20 + 12] = 4 << 4;
	assert_false(tcp_ack_is_pure(pkt, 36, 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(later_ack_supersedes),
		cmocka_unit_test(duplicate_and_older_kept),
		cmocka_unit_test(other_flow_kept),
		cmocka_unit_test(not_pure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
