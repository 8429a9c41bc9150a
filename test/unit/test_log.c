// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The log limiter: a burst per interval goes through, the rest is counted
 * and summed up in one line once the interval is over. Time is passed in,
 * so the tests step it by hand; stderr goes to a file they read back.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "log.h"

static FILE *captured;
static int saved_stderr = -1;

static int capture_setup(void **state)
{
	captured = tmpfile();
	assert_non_null(captured);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_int_equal(dup2(fileno(captured), STDERR_FILENO), STDERR_FILENO);
	log_init("test", LOG_LEVEL_INFO, false);
	return 0;
}

static int capture_teardown(void **state)
{
	/* Nothing may stay pending into the next test. */
	log_ratelimit_flush(HUGE_VAL);
	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	fclose(captured);
	return 0;
}

/* Lines written so far that contain `what`. */
static int count_lines(const char *what)
{
	char line[512];
	int n = 0;

	fflush(stderr);
	rewind(captured);
	while (fgets(line, sizeof(line), captured))
		n += strstr(line, what) != NULL;
	return n;
}

/* The summary with its count, or -1 when there is none. */
static long suppressed_count(void)
{
	char line[512];
	long n = -1;

	fflush(stderr);
	rewind(captured);
	while (fgets(line, sizeof(line), captured)) {
		const char *p = strstr(line, "\xe2\x80\xa6 ");

		if (p && strstr(p, " more suppressed"))
			n = strtol(p + 4, NULL, 10);
	}
	return n;
}

static void test_burst_then_summary_on_next_line(void **state)
{
	struct log_ratelimit rl = { 0 };

	for (int i = 0; i < 1000; i++)
		log_ratelimited(&rl, 100.0 + i * 0.001, LOG_LEVEL_WARN,
				"bad datagram %d", i);
	assert_int_equal(count_lines("bad datagram"), LOG_RATELIMIT_BURST);
	assert_int_equal(suppressed_count(), -1);
	/* The next window opens with the summary of the last one. */
	log_ratelimited(&rl, 100.0 + LOG_RATELIMIT_INTERVAL, LOG_LEVEL_WARN,
			"bad datagram %d", 1000);
	assert_int_equal(suppressed_count(), 1000 - LOG_RATELIMIT_BURST);
	assert_int_equal(count_lines("more suppressed"), 1);
	assert_int_equal(count_lines("bad datagram 1000"), 1);
}

static void test_flush_sums_up_a_flood_that_stopped(void **state)
{
	struct log_ratelimit rl = { 0 };

	for (int i = 0; i < 50; i++)
		log_ratelimited(&rl, 10.0, LOG_LEVEL_WARN, "send: %s", "EPERM");
	/* Within the interval nothing is summed up yet... */
	log_ratelimit_flush(10.0 + LOG_RATELIMIT_INTERVAL / 2);
	assert_int_equal(suppressed_count(), -1);
	/* ...after it, once, and only once. */
	log_ratelimit_flush(10.0 + LOG_RATELIMIT_INTERVAL);
	log_ratelimit_flush(10.0 + 3 * LOG_RATELIMIT_INTERVAL);
	assert_int_equal(suppressed_count(), 50 - LOG_RATELIMIT_BURST);
	assert_int_equal(count_lines("more suppressed"), 1);
	assert_int_equal(count_lines("send: EPERM"),
			 LOG_RATELIMIT_BURST + 1);
	/* A new window after the flush starts a fresh burst. */
	log_ratelimited(&rl, 10.0 + 3 * LOG_RATELIMIT_INTERVAL,
			LOG_LEVEL_WARN, "send: %s", "EPERM");
	assert_int_equal(count_lines("send: EPERM"),
			 LOG_RATELIMIT_BURST + 2);
}

static void test_no_summary_without_suppression(void **state)
{
	struct log_ratelimit rl = { 0 };

	for (int i = 0; i < LOG_RATELIMIT_BURST; i++)
		log_ratelimited(&rl, 1.0, LOG_LEVEL_INFO, "timed out");
	log_ratelimit_flush(HUGE_VAL);
	log_ratelimited(&rl, 1.0 + LOG_RATELIMIT_INTERVAL, LOG_LEVEL_INFO,
			"timed out");
	assert_int_equal(count_lines("timed out"), LOG_RATELIMIT_BURST + 1);
	assert_int_equal(count_lines("suppressed"), 0);
}

static void test_call_sites_are_independent(void **state)
{
	struct log_ratelimit a = { 0 }, b = { 0 };

	for (int i = 0; i < 20; i++) {
		log_ratelimited(&a, 5.0, LOG_LEVEL_WARN, "site a");
		log_ratelimited(&b, 5.0, LOG_LEVEL_WARN, "site b");
	}
	log_ratelimit_flush(5.0 + LOG_RATELIMIT_INTERVAL);
	assert_int_equal(count_lines("site a \xe2\x80\xa6 15 more"), 1);
	assert_int_equal(count_lines("site b \xe2\x80\xa6 15 more"), 1);
}

static void test_lines_below_the_level_are_not_counted(void **state)
{
	struct log_ratelimit rl = { 0 };

	for (int i = 0; i < 100; i++)
		log_ratelimited(&rl, 1.0, LOG_LEVEL_DEBUG, "noise");
	log_ratelimit_flush(HUGE_VAL);
	assert_int_equal(count_lines("noise"), 0);
	assert_int_equal(count_lines("suppressed"), 0);
}

/* The macro: one limiter per call site, on the real clock. */
static void test_macro_limits_its_call_site(void **state)
{
	for (int i = 0; i < 200; i++)
		log_warn_ratelimited("flood %d", i);
	assert_int_equal(count_lines("flood"), LOG_RATELIMIT_BURST);
	log_ratelimit_flush(HUGE_VAL);
	assert_int_equal(suppressed_count(), 200 - LOG_RATELIMIT_BURST);
}

/* Foreground lines start with local ISO-8601 time and milliseconds. */
static void test_time_format(void **state)
{
	struct timespec ts = { .tv_sec = 1796212800, .tv_nsec = 123456789 };
	char buf[32];

	setenv("TZ", "UTC", 1);
	tzset();
	assert_string_equal(log_time_format(&ts, buf, sizeof(buf)),
			    "2026-12-02T12:00:00.123");
	setenv("TZ", "CET-1", 1);
	tzset();
	assert_string_equal(log_time_format(&ts, buf, sizeof(buf)),
			    "2026-12-02T13:00:00.123");
	ts.tv_nsec = 5000000;
	assert_string_equal(log_time_format(&ts, buf, sizeof(buf)),
			    "2026-12-02T13:00:00.005");
	unsetenv("TZ");
	tzset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_burst_then_summary_on_next_line,
						capture_setup, capture_teardown),
		cmocka_unit_test_setup_teardown(test_flush_sums_up_a_flood_that_stopped,
						capture_setup, capture_teardown),
		cmocka_unit_test_setup_teardown(test_no_summary_without_suppression,
						capture_setup, capture_teardown),
		cmocka_unit_test_setup_teardown(test_call_sites_are_independent,
						capture_setup, capture_teardown),
		cmocka_unit_test_setup_teardown(test_lines_below_the_level_are_not_counted,
						capture_setup, capture_teardown),
		cmocka_unit_test_setup_teardown(test_macro_limits_its_call_site,
						capture_setup, capture_teardown),
		cmocka_unit_test(test_time_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
