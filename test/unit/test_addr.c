// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Endpoints come from config files and from the CLI; what endpoint_format
 * prints is part of the dump output contract, so it is compared exactly.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "addr.h"

static void test_ipv4(void **state)
{
	struct endpoint ep;
	char buf[ADDR_STR_MAX];

	assert_int_equal(endpoint_parse("192.0.2.1:51820", &ep), 0);
	assert_int_equal(ep.len, sizeof(struct sockaddr_in));
	assert_int_equal(ep.in.sin_family, AF_INET);
	assert_int_equal(ntohs(ep.in.sin_port), 51820);
	assert_int_equal(ntohl(ep.in.sin_addr.s_addr), 0xc0000201);
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)),
			    "192.0.2.1:51820");

	assert_int_equal(endpoint_parse("0.0.0.0:1", &ep), 0);
	assert_int_equal(ntohs(ep.in.sin_port), 1);
	assert_int_equal(endpoint_parse("255.255.255.255:65535", &ep), 0);
	assert_int_equal(ntohs(ep.in.sin_port), 65535);
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)),
			    "255.255.255.255:65535");
}

static void test_ipv6(void **state)
{
	static const uint8_t want[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	struct endpoint ep;
	char buf[ADDR_STR_MAX];

	assert_int_equal(endpoint_parse("[2001:db8::1]:443", &ep), 0);
	assert_int_equal(ep.len, sizeof(struct sockaddr_in6));
	assert_int_equal(ep.in6.sin6_family, AF_INET6);
	assert_int_equal(ntohs(ep.in6.sin6_port), 443);
	assert_memory_equal(&ep.in6.sin6_addr, want, sizeof(want));
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)),
			    "[2001:db8::1]:443");

	assert_int_equal(endpoint_parse("[::1]:9998", &ep), 0);
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)),
			    "[::1]:9998");
	assert_int_equal(endpoint_parse("[::]:1", &ep), 0);
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)), "[::]:1");
	/* Non-canonical input comes out canonical. */
	assert_int_equal(endpoint_parse("[2001:0DB8:0000::0001]:80", &ep), 0);
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)),
			    "[2001:db8::1]:80");
	assert_int_equal(endpoint_parse("[::ffff:192.0.2.1]:80", &ep), 0);
	assert_int_equal(ep.in6.sin6_family, AF_INET6);
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)),
			    "[::ffff:192.0.2.1]:80");
}

static void test_longest(void **state)
{
	static const char longest[] =
		"[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255]:65535";
	struct endpoint ep;
	char buf[ADDR_STR_MAX];

	/* The longest text form must fit ADDR_STR_MAX. */
	assert_true(sizeof(longest) <= ADDR_STR_MAX);
	assert_int_equal(endpoint_parse(longest, &ep), 0);
	endpoint_format(&ep, buf, sizeof(buf));
	assert_true(strlen(buf) < ADDR_STR_MAX);
	/* A small buffer truncates instead of overflowing. */
	memset(buf, 'x', sizeof(buf));
	endpoint_format(&ep, buf, 8);
	assert_int_equal(strlen(buf), 7);
	assert_int_equal(buf[8], 'x');
}

static void test_bad(void **state)
{
	static const char *const bad[] = {
		"",
		":",
		"192.0.2.1",		/* no port */
		"192.0.2.1:",		/* empty port */
		":51820",		/* no host */
		"192.0.2.1:0",
		"192.0.2.1:65536",
		"192.0.2.1:99999999999999999999999",
		"192.0.2.1:-1",
		"192.0.2.1:+80",
		"192.0.2.1:80a",
		"192.0.2.1:0x50",
		"192.0.2.1:abc",
		"192.0.2.1:80:80",
		"192.0.2.256:80",
		"192.0.2:80",
		"192.0.2.1.5:80",
		"host.example:80",	/* no DNS in the parser */
		"2001:db8::1:80",	/* IPv6 needs brackets */
		"[2001:db8::1]",	/* no port */
		"[2001:db8::1]:",
		"[2001:db8::1]80",
		"[2001:db8::1]:0",
		"[2001:db8::1]:65536",
		"[2001:db8::1:80",	/* no ']' */
		"[]:80",
		"[192.0.2.1]:80",	/* brackets are for IPv6 only */
		"[2001:db8::g]:80",
		"[fe80::1%eth0]:80",	/* no scope ids */
		"[[::1]]:80",
		"garbage",
		"\xff\xfe:80",
		"[ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255:1]:80",
		"[0000000000000000000000000000000000000000000000000000::1]:80",
	};
	struct endpoint ep;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&ep, 0xaa, sizeof(ep));
		if (endpoint_parse(bad[i], &ep) != -1)
			fail_msg("accepted '%s'", bad[i]);
		/* A failed parse leaves "no endpoint", never a half one. */
		assert_int_equal(ep.len, 0);
	}
}

static void test_format_none(void **state)
{
	struct endpoint ep;
	char buf[ADDR_STR_MAX];

	memset(&ep, 0, sizeof(ep));
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)), "(none)");
	ep.len = sizeof(ep.in);
	ep.sa.sa_family = AF_UNIX;
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)),
			    "(unknown)");
}

static void test_round_trip(void **state)
{
	static const char *const texts[] = {
		"10.0.0.1:1", "203.0.113.77:51820", "[::1]:65535",
		"[fe80::1:2:3:4]:12345", "[2001:db8:0:1::]:7",
	};
	struct endpoint a, b;
	char buf[ADDR_STR_MAX];

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		assert_int_equal(endpoint_parse(texts[i], &a), 0);
		endpoint_format(&a, buf, sizeof(buf));
		assert_string_equal(buf, texts[i]);
		assert_int_equal(endpoint_parse(buf, &b), 0);
		assert_true(endpoint_equal(&a, &b));
	}
}

static void test_equal(void **state)
{
	struct endpoint a, b, c, d, none1, none2;

	assert_int_equal(endpoint_parse("10.0.0.1:80", &a), 0);
	assert_int_equal(endpoint_parse("10.0.0.1:80", &b), 0);
	assert_true(endpoint_equal(&a, &b));
	assert_true(endpoint_equal(&a, &a));

	assert_int_equal(endpoint_parse("10.0.0.1:81", &c), 0);
	assert_false(endpoint_equal(&a, &c));
	assert_int_equal(endpoint_parse("10.0.0.2:80", &c), 0);
	assert_false(endpoint_equal(&a, &c));
	/* The v4-mapped form is a different socket address. */
	assert_int_equal(endpoint_parse("[::ffff:10.0.0.1]:80", &d), 0);
	assert_false(endpoint_equal(&a, &d));
	assert_false(endpoint_equal(&d, &a));

	assert_int_equal(endpoint_parse("[::1]:80", &c), 0);
	assert_int_equal(endpoint_parse("[::1]:80", &d), 0);
	assert_true(endpoint_equal(&c, &d));
	assert_int_equal(endpoint_parse("[::2]:80", &d), 0);
	assert_false(endpoint_equal(&c, &d));
	assert_int_equal(endpoint_parse("[::1]:81", &d), 0);
	assert_false(endpoint_equal(&c, &d));

	/* Fields that are not part of the address do not matter: a kernel
	 * sockaddr may carry a flow label. */
	assert_int_equal(endpoint_parse("[::1]:80", &d), 0);
	d.in6.sin6_flowinfo = htonl(0x12345);
	assert_true(endpoint_equal(&c, &d));

	/* Two "no endpoint"s are not a match: nothing to compare. */
	memset(&none1, 0, sizeof(none1));
	memset(&none2, 0, sizeof(none2));
	assert_false(endpoint_equal(&none1, &none2));
	assert_false(endpoint_equal(&a, &none1));
}

static void test_from_sockaddr(void **state)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_port = htons(4242),
	};
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6, .sin6_port = htons(4243),
	};
	struct sockaddr_storage big;
	struct endpoint ep, want;
	char buf[ADDR_STR_MAX];

	inet_pton(AF_INET, "198.51.100.9", &sin.sin_addr);
	endpoint_from_sockaddr(&ep, (struct sockaddr *)&sin, sizeof(sin));
	assert_int_equal(endpoint_parse("198.51.100.9:4242", &want), 0);
	assert_true(endpoint_equal(&ep, &want));
	assert_string_equal(endpoint_format(&ep, buf, sizeof(buf)),
			    "198.51.100.9:4242");

	inet_pton(AF_INET6, "2001:db8::9", &sin6.sin6_addr);
	endpoint_from_sockaddr(&ep, (struct sockaddr *)&sin6, sizeof(sin6));
	assert_int_equal(endpoint_parse("[2001:db8::9]:4243", &want), 0);
	assert_true(endpoint_equal(&ep, &want));

	/* recvfrom can report a sockaddr_storage length: clamped. */
	memset(&big, 0, sizeof(big));
	memcpy(&big, &sin6, sizeof(sin6));
	endpoint_from_sockaddr(&ep, (struct sockaddr *)&big, sizeof(big));
	assert_int_equal(ep.len, sizeof(struct sockaddr_in6));
	assert_true(endpoint_equal(&ep, &want));
}

/* Endpoints as written: addresses, and names the daemon resolves. */
static void test_spec(void **state)
{
	struct endpoint_spec spec, other;
	char buf[ENDPOINT_SPEC_STR_MAX], err[256];

	assert_int_equal(endpoint_spec_parse("192.0.2.1:51820", &spec, err,
					     sizeof(err)), 0);
	assert_int_equal(spec.ep.len, sizeof(struct sockaddr_in));
	assert_string_equal(spec.host, "");
	assert_string_equal(endpoint_spec_format(&spec, buf, sizeof(buf)),
			    "192.0.2.1:51820");
	assert_int_equal(endpoint_spec_parse("[2001:db8::1]:5", &spec, err,
					     sizeof(err)), 0);
	assert_int_equal(spec.ep.sa.sa_family, AF_INET6);

	assert_int_equal(endpoint_spec_parse("rv.example.net:51820", &spec,
					     err, sizeof(err)), 0);
	assert_int_equal(spec.ep.len, 0);
	assert_string_equal(spec.host, "rv.example.net");
	assert_int_equal(spec.port, 51820);
	assert_string_equal(endpoint_spec_format(&spec, buf, sizeof(buf)),
			    "rv.example.net:51820");
	/* Brackets around a name, a final dot, a one-label name. */
	assert_int_equal(endpoint_spec_parse("[rv.example.net.]:1", &spec,
					     err, sizeof(err)), 0);
	assert_string_equal(spec.host, "rv.example.net.");
	assert_int_equal(endpoint_spec_parse("localhost:9", &spec, err,
					     sizeof(err)), 0);
	assert_int_equal(endpoint_spec_parse("x-1_a.b2:9", &spec, err,
					     sizeof(err)), 0);

	/* Names compare without case; a name never equals an address. */
	assert_int_equal(endpoint_spec_parse("RV.example.NET:51820", &other,
					     err, sizeof(err)), 0);
	assert_int_equal(endpoint_spec_parse("rv.example.net:51820", &spec,
					     err, sizeof(err)), 0);
	assert_true(endpoint_spec_equal(&spec, &other));
	assert_int_equal(endpoint_spec_parse("rv.example.net:51821", &other,
					     err, sizeof(err)), 0);
	assert_false(endpoint_spec_equal(&spec, &other));
	assert_int_equal(endpoint_spec_parse("192.0.2.1:51820", &other, err,
					     sizeof(err)), 0);
	assert_false(endpoint_spec_equal(&spec, &other));
	assert_true(endpoint_spec_set(&spec) && endpoint_spec_set(&other));
}

static void spec_bad(const char *s, const char *why)
{
	struct endpoint_spec spec;
	char err[256];

	if (!endpoint_spec_parse(s, &spec, err, sizeof(err)))
		fail_msg("accepted '%s'", s);
	if (!strstr(err, why))
		fail_msg("'%s': error \"%s\" lacks \"%s\"", s, err, why);
}

static void test_spec_bad(void **state)
{
	char longest[300];

	spec_bad("rv.example.net", "no port in 'rv.example.net'");
	spec_bad("rv.example.net:", "port '' is not a number 1-65535");
	spec_bad("rv.example.net:0", "port '0' is not");
	spec_bad("rv.example.net:65536", "port '65536' is not");
	spec_bad("rv.example.net:+1", "port '+1' is not");
	spec_bad(":51820", "no host before the port");
	spec_bad("[]:51820", "no host before the port");
	spec_bad("[rv.example.net:1", "'[' without ']'");
	spec_bad("[rv.example.net]1", "expected ':PORT' after ']'");
	spec_bad("2001:db8::1:51820", "an IPv6 address goes in brackets");
	spec_bad("[2001:db8::zz]:1", "'2001:db8::zz' is not an IPv6 address");
	spec_bad("192.0.2.256:1", "'192.0.2.256' is not an IPv4 address");
	spec_bad("1.2.3:1", "'1.2.3' is not an IPv4 address");
	spec_bad("rv example:1", "is not a host name");
	spec_bad("-rv.example:1", "is not a host name");
	spec_bad("rv-.example:1", "is not a host name");
	spec_bad("rv..example:1", "is not a host name");
	spec_bad(".rv:1", "is not a host name");
	spec_bad("rv/x:1", "is not a host name");
	/* A label of 64 characters, a name of 254. */
	memset(longest, 'a', 64);
	strcpy(longest + 64, ".net:1");
	spec_bad(longest, "is not a host name");
	for (int i = 0; i < 254; i++)
		longest[i] = i % 2 ? '.' : 'a';
	longest[253] = 'a';
	strcpy(longest + 254, ":1");
	spec_bad(longest, "is not a host name");
	/* 253 characters are fine. */
	longest[252] = '\0';
	strcat(longest, ":1");
	{
		struct endpoint_spec spec;
		char err[256];

		assert_int_equal(endpoint_spec_parse(longest, &spec, err,
						     sizeof(err)), 0);
		assert_int_equal(strlen(spec.host), 252);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_longest),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_format_none),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_from_sockaddr),
		cmocka_unit_test(test_spec),
		cmocka_unit_test(test_spec_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
