// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Cryptokey routing for IPv6 (routing6.c): exact lookups, replacement,
 * removal only by the owner, ::, growth past many entries, and removal
 * churn that leaves probe chains intact.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "routing6.h"

#define MANY 10000

static char peers[4];

static struct in6_addr ip6(const char *text)
{
	struct in6_addr a;

	assert_int_equal(inet_pton(AF_INET6, text, &a), 1);
	return a;
}

/* fd77::N for N = 1..; the /64 they share is what a network would use. */
static struct in6_addr nth(uint32_t n)
{
	struct in6_addr a = ip6("fd77::");

	n++;
	a.s6_addr[12] = (uint8_t)(n >> 24);
	a.s6_addr[13] = (uint8_t)(n >> 16);
	a.s6_addr[14] = (uint8_t)(n >> 8);
	a.s6_addr[15] = (uint8_t)n;
	return a;
}

static int setup(void **state)
{
	struct routing6_table *rt = malloc(sizeof(*rt));

	if (!rt || routing6_init(rt)) {
		free(rt);
		return -1;
	}
	*state = rt;
	return 0;
}

static int teardown(void **state)
{
	struct routing6_table *rt = *state;

	routing6_free(rt);
	assert_null(rt->slots);
	free(rt);
	return 0;
}

static void test_insert_lookup(void **state)
{
	struct routing6_table *rt = *state;
	struct in6_addr a = ip6("fd77::1"), b = ip6("fd77::2");
	struct in6_addr other = ip6("fd78::1");

	assert_null(routing6_lookup(rt, &a));
	assert_int_equal(routing6_insert(rt, &a, &peers[0]), 0);
	assert_int_equal(routing6_insert(rt, &b, &peers[1]), 0);
	assert_ptr_equal(routing6_lookup(rt, &a), &peers[0]);
	assert_ptr_equal(routing6_lookup(rt, &b), &peers[1]);
	/* Same interface id, another prefix: exact match only. */
	other.s6_addr[15] = 1;
	assert_null(routing6_lookup(rt, &other));
	/* Replace. */
	assert_int_equal(routing6_insert(rt, &a, &peers[2]), 0);
	assert_ptr_equal(routing6_lookup(rt, &a), &peers[2]);
	assert_int_equal(rt->count, 2);
}

static void test_remove_owner(void **state)
{
	struct routing6_table *rt = *state;
	struct in6_addr a = ip6("fd77::1");

	assert_int_equal(routing6_insert(rt, &a, &peers[0]), 0);
	/* A stale peer cannot remove a newer owner's route. */
	assert_int_equal(routing6_remove(rt, &a, &peers[1]), -ENOENT);
	assert_ptr_equal(routing6_lookup(rt, &a), &peers[0]);
	assert_int_equal(routing6_remove(rt, &a, &peers[0]), 0);
	assert_null(routing6_lookup(rt, &a));
	assert_int_equal(routing6_remove(rt, &a, NULL), -ENOENT);
}

static void test_invalid(void **state)
{
	struct routing6_table *rt = *state;
	struct in6_addr zero = ip6("::"), a = ip6("fd77::1");

	assert_int_equal(routing6_insert(rt, &zero, &peers[0]), -EINVAL);
	assert_int_equal(routing6_insert(rt, &a, NULL), -EINVAL);
	assert_null(routing6_lookup(rt, &zero));
	assert_int_equal(rt->count, 0);
}

static void test_growth_and_churn(void **state)
{
	struct routing6_table *rt = *state;

	for (uint32_t i = 0; i < MANY; i++) {
		struct in6_addr a = nth(i);

		assert_int_equal(routing6_insert(rt, &a, &peers[i % 4]), 0);
	}
	assert_int_equal(rt->count, MANY);
	assert_true(rt->capacity >= 2 * MANY);
	/* Remove every other one; the rest must stay reachable through
	 * the tombstones. */
	for (uint32_t i = 0; i < MANY; i += 2) {
		struct in6_addr a = nth(i);

		assert_int_equal(routing6_remove(rt, &a, &peers[i % 4]), 0);
	}
	for (uint32_t i = 0; i < MANY; i++) {
		struct in6_addr a = nth(i);

		if (i % 2)
			assert_ptr_equal(routing6_lookup(rt, &a), &peers[i % 4]);
		else
			assert_null(routing6_lookup(rt, &a));
	}
	/* Re-insert and churn: the table neither loses entries nor fills
	 * with tombstones. */
	for (int round = 0; round < 5; round++) {
		for (uint32_t i = 0; i < MANY; i += 2) {
			struct in6_addr a = nth(i);

			assert_int_equal(routing6_insert(rt, &a, &peers[0]), 0);
		}
		for (uint32_t i = 0; i < MANY; i += 2) {
			struct in6_addr a = nth(i);

			assert_int_equal(routing6_remove(rt, &a, NULL), 0);
		}
	}
	assert_int_equal(rt->count, MANY / 2);
	assert_true(rt->count + rt->tombstones < rt->capacity);
	for (uint32_t i = 1; i < MANY; i += 2) {
		struct in6_addr a = nth(i);

		assert_ptr_equal(routing6_lookup(rt, &a), &peers[i % 4]);
	}
}

/* Subnets behind nodes: longest prefix, exact addresses first, owners. */
static void test_prefixes(void **state)
{
	struct routing6_table *rt = *state;
	struct in6_addr n64 = ip6("fd99::"), n48 = ip6("fd99::"),
			n120 = ip6("fd99::100"), a;

	assert_int_equal(routing6_prefix_insert(rt, &n48, 48, &peers[0]), 0);
	assert_int_equal(routing6_prefix_insert(rt, &n64, 64, &peers[1]), 0);
	assert_int_equal(routing6_prefix_insert(rt, &n120, 120, &peers[2]), 0);
	a = ip6("fd99::5");
	assert_ptr_equal(routing6_lookup(rt, &a), &peers[1]);
	a = ip6("fd99::1ff");
	assert_ptr_equal(routing6_lookup(rt, &a), &peers[2]);
	a = ip6("fd99:0:0:1::5");
	assert_ptr_equal(routing6_lookup(rt, &a), &peers[0]);
	a = ip6("fd98::5");
	assert_null(routing6_lookup(rt, &a));
	/* An exact address wins over any prefix. */
	a = ip6("fd99::7");
	assert_int_equal(routing6_insert(rt, &a, &peers[3]), 0);
	assert_ptr_equal(routing6_lookup(rt, &a), &peers[3]);
	/* One prefix, one owner; again for the same one is fine. */
	assert_int_equal(routing6_prefix_insert(rt, &n64, 64, &peers[0]),
			 -EEXIST);
	assert_int_equal(routing6_prefix_insert(rt, &n64, 64, &peers[1]), 0);
	assert_ptr_equal(routing6_prefix_owner(rt, &n64, 64), &peers[1]);
	assert_null(routing6_prefix_owner(rt, &n64, 63));
	/* Host bits, bad lengths. */
	a = ip6("fd99::1");
	assert_int_equal(routing6_prefix_insert(rt, &a, 64, &peers[0]),
			 -EINVAL);
	assert_int_equal(routing6_prefix_insert(rt, &a, 128, &peers[0]), 0);
	assert_int_equal(routing6_prefix_insert(rt, &n64, 0, &peers[0]),
			 -EINVAL);
	assert_int_equal(routing6_prefix_insert(rt, &n64, 129, &peers[0]),
			 -EINVAL);
	/* Removal only by its owner; then the wider prefix takes over. */
	assert_int_equal(routing6_prefix_remove(rt, &n64, 64, &peers[0]),
			 -ENOENT);
	assert_int_equal(routing6_prefix_remove(rt, &n64, 64, &peers[1]), 0);
	a = ip6("fd99::5");
	assert_ptr_equal(routing6_lookup(rt, &a), &peers[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_insert_lookup, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_remove_owner, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefixes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_growth_and_churn, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
