// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Which candidate addresses a rendezvous passes on and a node probes
 * (userspace/daemon/candidate.c, issue 12 F7): a member's registration
 * must not aim our probes at loopback, multicast, broadcast or a host on
 * the internet, and no address is probed in more than a few punches.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "candidate.h"

static struct endpoint ep(const char *s)
{
	struct endpoint e;

	assert_int_equal(endpoint_parse(s, &e), 0);
	return e;
}

static void test_sane(void **state)
{
	static const char *const good[] = {
		"10.1.2.3:51820", "198.18.0.6:9", "192.0.2.1:1",
		"223.255.255.254:65535", "[2001:db8::1]:51820",
		"[fe80::1]:51820", "[fd00::1]:1",
	};
	static const char *const bad[] = {
		"0.0.0.0:51820", "0.1.2.3:51820", "127.0.0.1:51820",
		"127.255.0.1:1", "224.0.0.1:51820", "239.1.1.1:1",
		"240.0.0.1:1", "255.255.255.255:51820", "[::]:51820",
		"[::1]:51820", "[ff02::1]:51820", "[::ffff:10.0.0.1]:51820",
	};
	struct endpoint e;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		e = ep(good[i]);
		assert_true(candidate_sane(&e));
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = ep(bad[i]);
		assert_false(candidate_sane(&e));
	}
	e = ep("10.1.2.3:51820");
	e.in.sin_port = 0;
	assert_false(candidate_sane(&e));
	memset(&e, 0, sizeof(e));
	e.sa.sa_family = AF_UNIX;
	e.len = sizeof(e.in);
	assert_false(candidate_sane(&e));
}

/* Is e in the subnet of one of this machine's interfaces? Those are
 * plausible whatever their range: the test cannot expect otherwise. */
static bool on_this_machine(const struct endpoint *e)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	assert_int_equal(getifaddrs(&ifa), 0);
	for (i = ifa; i; i = i->ifa_next) {
		const struct sockaddr_in *a = (const void *)i->ifa_addr;
		const struct sockaddr_in *m = (const void *)i->ifa_netmask;

		if (a && m && a->sin_family == AF_INET &&
		    e->sa.sa_family == AF_INET &&
		    !((a->sin_addr.s_addr ^ e->in.sin_addr.s_addr) &
		      m->sin_addr.s_addr))
			found = true;
	}
	freeifaddrs(ifa);
	return found;
}

static void test_plausible_lan(void **state)
{
	static const char *const lan[] = {
		"10.101.1.2:51820", "172.16.0.1:1", "172.31.255.1:1",
		"192.168.1.1:1", "169.254.3.4:1", "100.64.0.1:1",
		"100.127.255.1:1", "[fd12::1]:1", "[fe80::2]:1",
	};
	/* Not private: plausible only in a subnet of this machine's. */
	static const char *const not_lan[] = {
		"192.0.2.1:51820", "203.0.113.9:9", "172.32.0.1:1",
		"100.128.0.1:1", "[2001:db8::1]:1", "127.0.0.1:1",
		"224.0.0.1:1",
	};
	struct endpoint e;

	for (size_t i = 0; i < sizeof(lan) / sizeof(lan[0]); i++) {
		e = ep(lan[i]);
		assert_true(candidate_plausible_lan(&e));
	}
	for (size_t i = 0; i < sizeof(not_lan) / sizeof(not_lan[0]); i++) {
		e = ep(not_lan[i]);
		if (!on_this_machine(&e) || !candidate_sane(&e))
			assert_false(candidate_plausible_lan(&e));
	}
}

static void test_probe_rate(void **state)
{
	static struct node_candidates nc;
	struct endpoint a = ep("10.0.0.1:51820"), a2 = ep("10.0.0.1:9");
	struct endpoint b = ep("10.0.0.2:51820");
	double now = 1000.0;
	int n = 0;

	/* A burst of three, then one every 4 s, whatever the port. */
	for (int i = 0; i < 10; i++)
		n += candidate_probe_allowed(&nc, i % 2 ? &a2 : &a, now);
	assert_int_equal(n, 3);
	assert_false(candidate_probe_allowed(&nc, &a, now + 3.9));
	assert_true(candidate_probe_allowed(&nc, &a, now + 4.1));
	assert_false(candidate_probe_allowed(&nc, &a, now + 4.2));
	/* Another address has its own bucket (these two do not share a
	 * slot). */
	n = 0;
	for (int i = 0; i < 10; i++)
		n += candidate_probe_allowed(&nc, &b, now + 4.2);
	assert_int_equal(n, 3);
	/* Over a minute, one address: the burst and 60 / 4 more. */
	n = 0;
	for (int i = 0; i < 6000; i++)
		n += candidate_probe_allowed(&nc, &a, now + 100 + i * 0.01);
	assert_in_range(n, 15, 18);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sane),
		cmocka_unit_test(test_plausible_lan),
		cmocka_unit_test(test_probe_rate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
