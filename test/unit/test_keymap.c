// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The keymap maps fixed-size byte keys to pointers; the values here are
 * just distinct addresses in an array, never dereferenced.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "keymap.h"

#define MANY 20000

static char values[MANY];

struct key {
	uint32_t addr;
	uint16_t port;
	uint16_t pad;
	uint32_t index;
};

static struct key nth(uint32_t n)
{
	struct key k = { .addr = 0x0a420000u + n, .port = 51820,
			 .index = n * 2654435761u };

	return k;
}

static void test_put_get_del(void **state)
{
	struct keymap m;
	struct key a = nth(1), b = nth(2);

	(void)state;
	assert_int_equal(keymap_init(&m, sizeof(struct key)), 0);
	assert_null(keymap_get(&m, &a));
	assert_int_equal(keymap_put(&m, &a, &values[1]), 0);
	assert_ptr_equal(keymap_get(&m, &a), &values[1]);
	assert_null(keymap_get(&m, &b));
	/* Replace. */
	assert_int_equal(keymap_put(&m, &a, &values[3]), 0);
	assert_ptr_equal(keymap_get(&m, &a), &values[3]);
	assert_int_equal(m.count, 1);
	/* A stale owner cannot remove the newer one. */
	assert_int_equal(keymap_del(&m, &a, &values[1]), -ENOENT);
	assert_int_equal(keymap_del(&m, &a, &values[3]), 0);
	assert_null(keymap_get(&m, &a));
	assert_int_equal(keymap_del(&m, &a, NULL), -ENOENT);
	keymap_free(&m);
}

static void test_many(void **state)
{
	struct keymap m;

	(void)state;
	assert_int_equal(keymap_init(&m, sizeof(struct key)), 0);
	for (uint32_t i = 0; i < MANY; i++) {
		struct key k = nth(i);

		assert_int_equal(keymap_put(&m, &k, &values[i]), 0);
	}
	assert_int_equal(m.count, MANY);
	for (uint32_t i = 0; i < MANY; i++) {
		struct key k = nth(i);

		assert_ptr_equal(keymap_get(&m, &k), &values[i]);
	}
	/* Remove the even ones; the odd ones stay findable past the
	 * tombstones and the shrinking rehash. */
	for (uint32_t i = 0; i < MANY; i += 2) {
		struct key k = nth(i);

		assert_int_equal(keymap_del(&m, &k, NULL), 0);
	}
	for (uint32_t i = 0; i < MANY; i++) {
		struct key k = nth(i);

		if (i % 2)
			assert_ptr_equal(keymap_get(&m, &k), &values[i]);
		else
			assert_null(keymap_get(&m, &k));
	}
	assert_int_equal(m.count, MANY / 2);
	keymap_free(&m);
}

/* Insert and delete forever at a constant size, as handshakes come and
 * go: tombstones never fill the table, so lookups of absent keys end. */
static void test_churn(void **state)
{
	struct keymap m;

	(void)state;
	assert_int_equal(keymap_init(&m, sizeof(struct key)), 0);
	for (uint32_t i = 0; i < 200000; i++) {
		struct key k = nth(i), old = nth(i - 8);

		assert_int_equal(keymap_put(&m, &k, &values[i % MANY]), 0);
		if (i >= 8)
			assert_int_equal(keymap_del(&m, &old, NULL), 0);
	}
	assert_int_equal(m.count, 8);
	assert_true(m.capacity <= 64);
	{
		struct key absent = nth(MANY * 100);

		assert_null(keymap_get(&m, &absent));
	}
	keymap_free(&m);
}

static void test_short_keys(void **state)
{
	struct keymap m;
	uint8_t k1[3] = { 1, 2, 3 }, k2[3] = { 1, 2, 4 };

	(void)state;
	assert_int_equal(keymap_init(&m, 0), -EINVAL);
	assert_int_equal(keymap_init(&m, KEYMAP_KEY_MAX + 1), -EINVAL);
	assert_int_equal(keymap_init(&m, 3), 0);
	assert_int_equal(keymap_put(&m, k1, &values[0]), 0);
	assert_null(keymap_get(&m, k2));
	assert_ptr_equal(keymap_get(&m, k1), &values[0]);
	keymap_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_get_del),
		cmocka_unit_test(test_many),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_short_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
