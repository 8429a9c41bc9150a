// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Control messages inside sessions (rvmsg.c): the relay limit a
 * rendezvous tells each node (RV_RELAY_LIMIT) round-trips, and a short or
 * padded one is refused, as every message with a body is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "rvmsg.h"

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
		assert_int_equal(buf[0], 0x0a);
		assert_int_equal(rv_parse(buf, 5, &back), 0);
		assert_int_equal(back.type, RV_RELAY_LIMIT);
		assert_int_equal(back.relay_limit, limits[i]);
	}
	/* Big-endian on the wire, as every integer. */
	m.relay_limit = 100;
	rv_build(&m, buf, sizeof(buf));
	assert_memory_equal(buf, "\x0a\x00\x00\x00\x64", 5);
}

static void test_relay_limit_framing(void **state)
{
	uint8_t buf[8] = { 0x0a, 0, 0, 0, 100, 0 };
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
		cmocka_unit_test(test_relay_limit_roundtrip),
		cmocka_unit_test(test_relay_limit_framing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
