// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The set request of the control socket: what `podnet set` and `podnet
 * peer` send is understood, anything ambiguous is refused whole.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_set.h"

static char err[256];

static int parse(const char *text, struct ctl_set *s)
{
	err[0] = '\0';
	return ctl_set_parse(text, strlen(text), s, err, sizeof(err));
}

static void test_accepted(void **state)
{
	struct ctl_set s;

	(void)state;
	assert_int_equal(parse("set=1\npeer=beta\nendpoint=192.0.2.7:51820\n\n", &s), 0);
	assert_string_equal(s.peer, "beta");
	assert_true(s.has_endpoint && s.endpoint.ep.len);
	assert_false(s.has_rendezvous || s.add || s.remove);
	assert_int_equal(parse("set=1\npeer=rv\nrendezvous=yes\nadd=1\n\n", &s), 0);
	assert_true(s.has_rendezvous && s.rendezvous && s.add);
	assert_int_equal(parse("set=1\npeer=b\nendpoint=[2001:db8::1]:5\n\n", &s), 0);
	assert_int_equal(s.endpoint.ep.sa.sa_family, AF_INET6);
	assert_int_equal(parse("set=1\npeer=b\nendpoint=none\n\n", &s), 0);
	assert_true(s.has_endpoint && !endpoint_spec_set(&s.endpoint));
	/* A host name, resolved by the daemon. */
	assert_int_equal(parse("set=1\npeer=rv\nendpoint=rv.example.net:51820\n\n", &s), 0);
	assert_string_equal(s.endpoint.host, "rv.example.net");
	assert_int_equal(s.endpoint.port, 51820);
	assert_int_equal(s.endpoint.ep.len, 0);
	assert_int_equal(parse("set=1\npeer=b\nremove=1\n\n", &s), 0);
	assert_true(s.remove);
}

static void test_refused(void **state)
{
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "set=1\npeer=b\n", "not ended" },
		{ "set=1\npeer=b\n\nx", "after the request" },
		{ "peer=b\nset=1\n\n", "set=1 first" },
		{ "set=1\n\n", "no peer" },
		{ "set=1\npeer=b\npeer=c\n\n", "twice" },
		{ "set=1\npeer=b c\n\n", "peer name" },
		{ "set=1\npeer=b\nendpoint=300.1.1.1:5\n\n", "300.1.1.1:5" },
		{ "set=1\npeer=b\nrendezvous=maybe\n\n", "maybe" },
		{ "set=1\npeer=b\nadd=1\nremove=1\n\n", "at once" },
		{ "set=1\npeer=b\nremove=1\nendpoint=1.2.3.4:5\n\n", "remove takes" },
		{ "set=1\npeer=b\nlisten_port=1\n\n", "unknown key" },
		{ "set=1\npeer=b\nnokey\n\n", "key=value" },
		{ "set=2\npeer=b\n\n", "set=1" },
	};
	struct ctl_set s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(bad[i].text, &s), -1);
		if (!strstr(err, bad[i].why))
			fail_msg("'%s': error '%s' lacks '%s'", bad[i].text, err,
				 bad[i].why);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
