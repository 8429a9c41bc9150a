// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Rendezvous messages (rvmsg.c): lookups by IPv6 address and the
 * address6 message round-trip; their malformed forms are refused; the
 * IPv4 lookup keeps its bytes (compatibility with older nodes). The
 * relay limit a rendezvous tells each node (RV_RELAY_LIMIT) round-trips,
 * and a short or padded one is refused, as every message with a body is.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rvmsg.h"

static struct in6_addr ip6(const char *text)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, text, &a), 1);
	return a;
}

static void test_lookup6(void **state)
{
	struct rv_msg m = { .type = RV_LOOKUP, .by_vaddr = true, .v6 = true,
			    .vaddr6 = ip6("fd77::11") }, out;
	uint8_t buf[64];
	size_t len;

	(void)state;
	len = rv_build(&m, buf, sizeof(buf));
	assert_int_equal(len, 1 + 1 + 16);
	assert_int_equal(buf[1], 2);
	assert_int_equal(rv_parse(buf, len, &out), 0);
	assert_true(out.by_vaddr && out.v6);
	assert_memory_equal(&out.vaddr6, &m.vaddr6, 16);
	/* Not found echoes it. */
	buf[0] = RV_NOT_FOUND;
	assert_int_equal(rv_parse(buf, len, &out), 0);
	assert_true(out.by_vaddr && out.v6);
	/* Short, long. */
	assert_int_equal(rv_parse(buf, len - 1, &out), -1);
	buf[len] = 0;
	assert_int_equal(rv_parse(buf, len + 1, &out), -1);
	/* Candidates never name a node by address. */
	buf[0] = RV_CANDIDATES;
	assert_int_equal(rv_parse(buf, len, &out), -1);
	/* An unknown subject kind. */
	buf[0] = RV_LOOKUP;
	buf[1] = 3;
	assert_int_equal(rv_parse(buf, len, &out), -1);
}

/* An IPv4 lookup is as it was: kind 1 and four bytes. */
static void test_lookup4_unchanged(void **state)
{
	struct rv_msg m = { .type = RV_LOOKUP, .by_vaddr = true }, out;
	uint8_t buf[64];
	size_t len;

	(void)state;
	inet_pton(AF_INET, "10.77.0.11", &m.vaddr);
	len = rv_build(&m, buf, sizeof(buf));
	assert_int_equal(len, 6);
	assert_int_equal(buf[1], 1);
	assert_memory_equal(buf + 2, &m.vaddr, 4);
	assert_int_equal(rv_parse(buf, len, &out), 0);
	assert_true(out.by_vaddr && !out.v6);
}

static void test_address6(void **state)
{
	struct rv_msg m = { .type = RV_ADDRESS6, .vaddr6 = ip6("fd77::13") },
		      out;
	uint8_t buf[128];
	size_t len;

	(void)state;
	strcpy(m.name, "db");
	len = rv_build(&m, buf, sizeof(buf));
	assert_int_equal(len, 1 + 2 + 2 + 16);
	assert_int_equal(rv_parse(buf, len, &out), 0);
	assert_string_equal(out.name, "db");
	assert_memory_equal(&out.vaddr6, &m.vaddr6, 16);
	assert_int_equal(rv_parse(buf, len - 1, &out), -1);
	buf[len] = 0;
	assert_int_equal(rv_parse(buf, len + 1, &out), -1);
	/* By address: refused, it must name the node. */
	memset(buf, 0, sizeof(buf));
	buf[0] = RV_ADDRESS6;
	buf[1] = 1;
	assert_int_equal(rv_parse(buf, 2 + 4 + 16, &out), -1);
	/* An invalid name. */
	strcpy(m.name, "a b");
	len = rv_build(&m, buf, sizeof(buf));
	assert_int_equal(rv_parse(buf, len, &out), -1);
}

static void test_relay_limit_roundtrip(void **state)
{
	const uint32_t limits[] = { 0, 1, 100, 1000, 100000, 0xffffffffu };
	struct rv_msg m, back;
	uint8_t buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		memset(&m, 0, sizeof(m));
		m.type = RV_RELAY_LIMIT;
		m.relay_limit = limits[i];
		assert_int_equal(rv_build(&m, buf, sizeof(buf)), 5);
		assert_int_equal(buf[0], 0x0b);
		assert_int_equal(rv_parse(buf, 5, &back), 0);
		assert_int_equal(back.type, RV_RELAY_LIMIT);
		assert_int_equal(back.relay_limit, limits[i]);
	}
	/* Big-endian on the wire, as every integer. */
	m.relay_limit = 100;
	rv_build(&m, buf, sizeof(buf));
	assert_memory_equal(buf, "\x0b\x00\x00\x00\x64", 5);
}

static void test_relay_limit_framing(void **state)
{
	uint8_t buf[8] = { 0x0b, 0, 0, 0, 100, 0 };
	struct rv_msg m;

	(void)state;
	for (size_t n = 1; n < 5; n++)
		assert_int_equal(rv_parse(buf, n, &m), -1);
	assert_int_equal(rv_parse(buf, 6, &m), -1);
	/* No room: nothing built. */
	memset(&m, 0, sizeof(m));
	m.type = RV_RELAY_LIMIT;
	assert_int_equal(rv_build(&m, buf, 4), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup6),
		cmocka_unit_test(test_lookup4_unchanged),
		cmocka_unit_test(test_address6),
		cmocka_unit_test(test_relay_limit_roundtrip),
		cmocka_unit_test(test_relay_limit_framing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
