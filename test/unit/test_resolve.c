// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * How often podnetd asks DNS again for an Endpoint given by name: the
 * answer's TTL, but neither a flood of lookups for a TTL of 0 nor a
 * peer lost for a day behind a TTL of 86400.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "reload.h"
#include "resolve.h"

/* resolve.o brings the daemon's modules along, and they call back into
 * podnetd.c, whose main() is not linked here. */
void node_apply_peers(struct node *node)
{
}

int node_reload(struct node *node, const char *path, bool strict, char *err,
		size_t errlen)
{
	return -1;
}

static void test_refresh_after(void **state)
{
	(void)state;
	assert_int_equal(resolve_refresh_after(-1), 300);
	assert_int_equal(resolve_refresh_after(0), 30);
	assert_int_equal(resolve_refresh_after(1), 30);
	assert_int_equal(resolve_refresh_after(30), 30);
	assert_int_equal(resolve_refresh_after(31), 31);
	assert_int_equal(resolve_refresh_after(300), 300);
	assert_int_equal(resolve_refresh_after(600), 600);
	assert_int_equal(resolve_refresh_after(601), 600);
	assert_int_equal(resolve_refresh_after(86400), 600);
	assert_int_equal(resolve_refresh_after(0x7fffffff), 600);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refresh_after),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
