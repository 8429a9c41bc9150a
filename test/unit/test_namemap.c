// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The name map (peers by name): right answers, and a lookup that costs
 * the same with 100 names as with 10,000. A list walk, which is what it
 * replaced, costs 100 times more at the larger size; the check allows 10,
 * for a loaded machine and ASan.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "namemap.h"

#define BIG 10000
#define SMALL 100
#define LOOKUPS 200000

static char values[BIG];

static void name_of(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "node-%05u.example-site", i);
}

static void fill(struct keymap *m, unsigned int n)
{
	char name[64];

	for (unsigned int i = 0; i < n; i++) {
		name_of(i, name, sizeof(name));
		assert_int_equal(namemap_put(m, name, &values[i]), 0);
	}
}

static void test_put_get_del(void **state)
{
	struct keymap m = { 0 };
	/* Longer than a keymap key, alike in their first 28 bytes. */
	const char *a = "a-rather-long-node-name-that-goes-on-1";
	const char *b = "a-rather-long-node-name-that-goes-on-2";

	(void)state;
	assert_null(namemap_get(&m, a));
	assert_int_equal(namemap_put(&m, a, &values[1]), 0);
	assert_ptr_equal(namemap_get(&m, a), &values[1]);
	assert_null(namemap_get(&m, b));
	assert_int_equal(namemap_put(&m, b, &values[2]), 0);
	assert_ptr_equal(namemap_get(&m, b), &values[2]);
	assert_int_equal(namemap_del(&m, a, &values[2]), -ENOENT);
	assert_int_equal(namemap_del(&m, a, &values[1]), 0);
	assert_null(namemap_get(&m, a));
	assert_int_equal(namemap_del(&m, b, NULL), 0);
	/* Empty again: the map is gone. */
	assert_null(m.slots);
	assert_null(namemap_get(&m, b));
}

static void test_many(void **state)
{
	struct keymap m = { 0 };
	char name[64];

	(void)state;
	fill(&m, BIG);
	for (unsigned int i = 0; i < BIG; i++) {
		name_of(i, name, sizeof(name));
		assert_ptr_equal(namemap_get(&m, name), &values[i]);
	}
	for (unsigned int i = 0; i < BIG; i += 2) {
		name_of(i, name, sizeof(name));
		assert_int_equal(namemap_del(&m, name, &values[i]), 0);
	}
	for (unsigned int i = 0; i < BIG; i++) {
		name_of(i, name, sizeof(name));
		if (i % 2)
			assert_ptr_equal(namemap_get(&m, name), &values[i]);
		else
			assert_null(namemap_get(&m, name));
	}
	for (unsigned int i = 1; i < BIG; i += 2) {
		name_of(i, name, sizeof(name));
		assert_int_equal(namemap_del(&m, name, NULL), 0);
	}
	assert_null(m.slots);
}

/* Nanoseconds per lookup in a map of n names: the best of three runs of
 * this thread's CPU time, so other work on the machine counts little. */
static double ns_per_lookup(unsigned int n)
{
	struct keymap m = { 0 };
	char names[16][64];
	double best = 1e18;

	fill(&m, n);
	for (unsigned int k = 0; k < 16; k++)
		name_of(k * (n / 16), names[k], sizeof(names[k]));
	for (int run = 0; run < 3; run++) {
		struct timespec t0, t1;
		unsigned int hits = 0;
		double ns;

		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
		for (unsigned int i = 0; i < LOOKUPS; i++)
			hits += namemap_get(&m, names[i % 16]) != NULL;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
		assert_int_equal(hits, LOOKUPS);
		ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
		      (double)(t1.tv_nsec - t0.tv_nsec)) / LOOKUPS;
		if (ns < best)
			best = ns;
	}
	for (unsigned int i = 0; i < n; i++) {
		char name[64];

		name_of(i, name, sizeof(name));
		namemap_del(&m, name, NULL);
	}
	return best;
}

static void test_lookup_time_flat(void **state)
{
	double small = ns_per_lookup(SMALL), big = ns_per_lookup(BIG);

	(void)state;
	print_message("namemap: %.0f ns per lookup with %d names, %.0f ns with %d (%.2fx)\n",
		      small, SMALL, big, BIG, big / small);
	assert_true(big < 10 * small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_lookup_time_flat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
