// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A certificate's expiry as `podnet show` and the daemon's log put it
 * (expiry.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "expiry.h"

#define DAY 86400
/* 2026-12-02T12:00:00Z */
#define NOW ((time_t)1796212800)

static void test_days_left(void **state)
{
	assert_int_equal(cert_days_left(NOW + 365 * DAY, NOW), 365);
	/* Issued for 10 days a few seconds ago: still 10. */
	assert_int_equal(cert_days_left(NOW + 10 * DAY - 5, NOW), 10);
	assert_int_equal(cert_days_left(NOW + 1, NOW), 1);
	assert_int_equal(cert_days_left(NOW, NOW), 0);
	assert_int_equal(cert_days_left(NOW - 1, NOW), 0);
	assert_int_equal(cert_days_left(NOW - DAY, NOW), -1);
	assert_int_equal(cert_days_left(NOW - 3 * DAY - 1, NOW), -3);
}

static void test_soon(void **state)
{
	assert_false(cert_expires_soon(NOW + 365 * DAY, NOW));
	assert_false(cert_expires_soon(NOW + 30 * DAY, NOW));
	assert_true(cert_expires_soon(NOW + 29 * DAY, NOW));
	assert_true(cert_expires_soon(NOW + 10 * DAY, NOW));
	assert_true(cert_expires_soon(NOW - DAY, NOW));
	/* No expiry at all: nothing to warn about. */
	assert_false(cert_expires_soon(0, NOW));
}

static void test_text(void **state)
{
	char buf[64];

	assert_string_equal(cert_expiry_text(NOW + 365 * DAY, NOW, buf,
					     sizeof(buf)),
			    "2027-12-02 (365 days)");
	assert_string_equal(cert_expiry_text(NOW + 3600, NOW, buf, sizeof(buf)),
			    "2026-12-02 (1 day)");
	assert_string_equal(cert_expiry_text(NOW - 3600, NOW, buf, sizeof(buf)),
			    "2026-12-02 (expired today)");
	assert_string_equal(cert_expiry_text(NOW - DAY, NOW, buf, sizeof(buf)),
			    "2026-12-01 (expired 1 day ago)");
	assert_string_equal(cert_expiry_text(NOW - 2 * DAY, NOW, buf,
					     sizeof(buf)),
			    "2026-11-30 (expired 2 days ago)");
}

/* The daemon's warning: at the first call, then once a day. */
static void test_log_daily(void **state)
{
	assert_false(cert_expiry_log(NOW + 100 * DAY, "a.crt", NOW));
	assert_true(cert_expiry_log(NOW + 10 * DAY, "a.crt", NOW));
	assert_false(cert_expiry_log(NOW + 10 * DAY, "a.crt", NOW + 3600));
	assert_false(cert_expiry_log(NOW + 10 * DAY, "a.crt", NOW + DAY - 1));
	assert_true(cert_expiry_log(NOW + 10 * DAY, "a.crt", NOW + DAY));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_left),
		cmocka_unit_test(test_soon),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_log_daily),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
