// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The Internet checksum helpers against worked examples: RFC 1071's sum,
 * a real IPv4 header, odd lengths, sums built in pieces, and the IPv4
 * pseudo-header.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <cmocka.h>

#include "checksum.h"

/* RFC 1071, section 3: the one's complement sum of these bytes is ddf2. */
static const uint8_t rfc1071[8] = {
	0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7,
};

static void test_rfc1071_sum(void **state)
{
	assert_int_equal(csum_add(0, rfc1071, sizeof(rfc1071)), 0xddf2);
	assert_int_equal(csum_fold(0xddf2), 0x220d);
	/* Carries from a sum passed in fold back in. */
	assert_int_equal(csum_add(0xffff, rfc1071, sizeof(rfc1071)), 0xddf2);
	assert_int_equal(csum_fold(0x1fffe), 0);
}

static void test_ipv4_header(void **state)
{
	/* 192.168.0.1 -> 192.168.0.199, UDP, checksum field zeroed. */
	uint8_t hdr[20] = {
		0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00,
		0x40, 0x11, 0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01,
		0xc0, 0xa8, 0x00, 0xc7,
	};
	uint16_t check = csum_inet(hdr, sizeof(hdr));

	/* Network order, ready to store. */
	assert_int_equal(ntohs(check), 0xb861);
	memcpy(hdr + 10, &check, 2);
	/* A header with its checksum in place sums to all ones. */
	assert_int_equal(csum_fold(csum_add(0, hdr, sizeof(hdr))), 0);
	assert_int_equal(csum_inet(hdr, sizeof(hdr)), 0);
}

static void test_odd_length(void **state)
{
	/* A last odd byte counts as the high byte of a zero-padded word. */
	const uint8_t odd[3] = { 0x12, 0x34, 0x56 };
	const uint8_t padded[4] = { 0x12, 0x34, 0x56, 0x00 };

	assert_int_equal(csum_add(0, odd, 3), 0x6834);
	assert_int_equal(csum_add(0, odd, 3), csum_add(0, padded, 4));
	assert_int_equal(csum_inet(odd, 3), csum_inet(padded, 4));
	assert_int_equal(csum_add(0, odd, 0), 0);
}

static void test_pieces(void **state)
{
	uint8_t buf[1001];

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	/* Summing in pieces of even length gives the sum of the whole. */
	for (size_t cut = 0; cut < sizeof(buf); cut += 2)
		assert_int_equal(csum_add(csum_add(0, buf, cut), buf + cut,
					  sizeof(buf) - cut),
				 csum_add(0, buf, sizeof(buf)));
}

/* RFC 1071's definition, a 16-bit word at a time, big-endian. */
static uint32_t reference_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t s = sum;

	for (; len >= 2; p += 2, len -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		s += (uint32_t)p[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

static void test_against_reference(void **state)
{
	static uint8_t buf[70000];
	uint32_t x = 12345;

	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245 + 12345;
		buf[i] = (uint8_t)(x >> 16);
	}
	/* Every start alignment, lengths around the unrolled steps and up
	 * to a TSO super-packet, any carried-in sum. */
	for (size_t off = 0; off < 9; off++) {
		for (size_t len = 0; len < 300; len++)
			assert_int_equal(csum_add(0, buf + off, len),
					 reference_sum(0, buf + off, len));
		for (size_t len = 1400; len < 70000 - 9; len = len * 3 + 1) {
			x = x * 1103515245 + 12345;
			assert_int_equal(csum_add(x >> 15 & 0x1ffff, buf + off, len),
					 reference_sum(x >> 15 & 0x1ffff, buf + off, len));
		}
	}
	/* Words that carry at every step. */
	memset(buf, 0xff, 65536);
	assert_int_equal(csum_add(0, buf, 65535), reference_sum(0, buf, 65535));
	assert_int_equal(csum_add(0xffff, buf, 65536),
			 reference_sum(0xffff, buf, 65536));
}

static void test_pseudo_ipv4(void **state)
{
	/* Source and destination as they sit at offset 12 of the header. */
	const uint8_t addrs[8] = { 10, 77, 0, 1, 10, 77, 0, 2 };
	const uint8_t pseudo[12] = {
		10, 77, 0, 1, 10, 77, 0, 2, 0, IPPROTO_TCP, 0x05, 0xdc,
	};

	assert_int_equal(csum_pseudo_ipv4(addrs, IPPROTO_TCP, 1500),
			 csum_add(0, pseudo, sizeof(pseudo)));
	/* 0x0a4d + 0x0001 + 0x0a4d + 0x0002 + 0x0006 + 0x05dc */
	assert_int_equal(csum_pseudo_ipv4(addrs, IPPROTO_TCP, 1500), 0x1a7f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_sum),
		cmocka_unit_test(test_ipv4_header),
		cmocka_unit_test(test_odd_length),
		cmocka_unit_test(test_pieces),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_pseudo_ipv4),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
