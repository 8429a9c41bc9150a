// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The default control socket per network namespace (ctlpath.h): the path
 * podnetd and podnet both work out, and which files `podnet show` without
 * an interface takes for this namespace's daemons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ctlpath.h"

static const struct netns_id initial = { .ino = 0xEFFFFFF9ULL, .initial = true };
static const struct netns_id other = { .ino = 4026532606ULL, .initial = false };
static const struct netns_id unknown = { .ino = 0, .initial = false };

static void test_format(void **state)
{
	char buf[108];

	assert_int_equal(control_socket_format(buf, sizeof(buf), "/run/podnet",
					       "pod0", &initial), 0);
	assert_string_equal(buf, "/run/podnet/pod0.sock");
	assert_int_equal(control_socket_format(buf, sizeof(buf), "/run/podnet",
					       "pod0", &other), 0);
	assert_string_equal(buf, "/run/podnet/pod0@net4026532606.sock");
	/* No inode: the plain name, as in the initial namespace. */
	assert_int_equal(control_socket_format(buf, sizeof(buf), "/run/podnet",
					       "pod0", &unknown), 0);
	assert_string_equal(buf, "/run/podnet/pod0.sock");
	/* The longest interface name still fits a sun_path. */
	assert_int_equal(control_socket_format(buf, sizeof(buf), "/run/podnet",
					       "abcdefghijklmno", &other), 0);
	/* Too small a buffer is an error, not a cut path. */
	assert_int_equal(control_socket_format(buf, 20, "/run/podnet", "pod0",
					       &other), -1);
}

static void test_matches(void **state)
{
	assert_true(control_socket_name_matches("pod0.sock", &initial));
	assert_true(control_socket_name_matches("a.b.sock", &initial));
	assert_false(control_socket_name_matches("pod0@net4026532606.sock",
						 &initial));
	assert_false(control_socket_name_matches("pod0.sock.tmp", &initial));
	assert_false(control_socket_name_matches(".sock", &initial));
	assert_false(control_socket_name_matches("pod0", &initial));

	assert_true(control_socket_name_matches("pod0@net4026532606.sock",
						&other));
	assert_false(control_socket_name_matches("pod0.sock", &other));
	/* Another namespace's, or one whose inode merely ends the same. */
	assert_false(control_socket_name_matches("pod0@net4026532607.sock",
						 &other));
	assert_false(control_socket_name_matches("pod0@net14026532606.sock",
						 &other));
	assert_false(control_socket_name_matches("@net4026532606.sock",
						 &other));
	assert_false(control_socket_name_matches("a@b@net4026532606.sock",
						 &other));
}

/* What netns_self() says here agrees with the format it feeds. */
static void test_self(void **state)
{
	struct netns_id ns;
	char buf[108], *base;

	netns_self(&ns);
	assert_int_equal(control_socket_default(buf, sizeof(buf), "pod0"), 0);
	assert_true(!strncmp(buf, CONTROL_SOCKET_DIR "/", strlen(CONTROL_SOCKET_DIR) + 1));
	base = buf + strlen(CONTROL_SOCKET_DIR) + 1;
	assert_true(control_socket_name_matches(base, &ns));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_matches),
		cmocka_unit_test(test_self),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
