// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The CA's index of issued certificates (cert_index.h): what it refuses,
 * what it lets through, and that a damaged index stops issuing instead of
 * letting everything pass.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "cert_index.h"

/* 2026-12-02T12:00:00Z */
#define NOW ((time_t)1796212800)
#define FP "3fa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f"

static const char index_text[] =
	"# name address not_after sha256\n"
	"alpha 10.77.0.1 2027-12-02T12:00:00Z " FP "\n"
	"\n"
	"old 10.77.0.5 2026-01-01T00:00:00Z " FP "\n"
	"beta 10.77.0.2 2027-06-01T00:00:00Z " FP "\n"
	"dual 10.77.0.4,fd77::4 2027-06-01T00:00:00Z " FP "\n"
	"sixer fd77::6 2027-06-01T00:00:00Z " FP "\n";

static char why[256];

static int find(const char *text, const char *name, const char *addr)
{
	return cert_index_find(text, strlen(text), name, addr, NOW, why,
			       sizeof(why));
}

static void test_taken(void **state)
{
	assert_int_equal(find(index_text, "alpha", "10.77.0.9"), 1);
	assert_string_equal(why, "name alpha: this CA issued a certificate for alpha (10.77.0.1), valid until 2027-12-02T12:00:00Z (line 2)");
	assert_int_equal(find(index_text, "dual", "10.77.0.2"), 1);
	assert_string_equal(why, "address 10.77.0.2: this CA issued a certificate for beta (10.77.0.2), valid until 2027-06-01T00:00:00Z (line 5)");
}

/* A dual-stack node holds both of its addresses: either one, asked for
 * alone or in a pair, in any spelling, refuses the second node. */
static void test_dual_stack(void **state)
{
	assert_int_equal(find(index_text, "delta", "fd77::4"), 1);
	assert_string_equal(why, "address fd77::4: this CA issued a certificate for dual (10.77.0.4,fd77::4), valid until 2027-06-01T00:00:00Z (line 6)");
	assert_int_equal(find(index_text, "delta", "fd77:0:0::4"), 1);
	assert_int_equal(find(index_text, "delta", "10.77.0.4"), 1);
	assert_int_equal(find(index_text, "delta", "10.77.0.9,fd77::4"), 1);
	assert_string_equal(why, "address fd77::4: this CA issued a certificate for dual (10.77.0.4,fd77::4), valid until 2027-06-01T00:00:00Z (line 6)");
	/* A pair whose IPv4 half a v4-only node holds. */
	assert_int_equal(find(index_text, "delta", "10.77.0.2,fd77::9"), 1);
	assert_string_equal(why, "address 10.77.0.2: this CA issued a certificate for beta (10.77.0.2), valid until 2027-06-01T00:00:00Z (line 5)");
	/* A v6-only node's address, from a dual-stack request. */
	assert_int_equal(find(index_text, "delta", "10.77.0.9,fd77::6"), 1);
	assert_int_equal(find(index_text, "delta", "10.77.0.9,fd77::9"), 0);
	assert_int_equal(find(index_text, "delta", "fd77::9"), 0);
	/* Not a query at all. */
	assert_int_equal(find(index_text, "delta", "10.77.0.9,10.77.0.10"), -1);
	assert_int_equal(find(index_text, "delta", "fd77::9,"), -1);
}

static void test_not_taken(void **state)
{
	assert_int_equal(find(index_text, "gamma", "10.77.0.3"), 0);
	/* An expired certificate holds nothing any more. */
	assert_int_equal(find(index_text, "old", "10.77.0.5"), 0);
	assert_int_equal(find("", "alpha", "10.77.0.1"), 0);
	/* Without the final newline too. */
	assert_int_equal(find("alpha 10.77.0.1 2027-12-02T12:00:00Z " FP,
			      "alpha", "10.77.0.7"), 1);
	/* A name is not matched by its prefix. */
	assert_int_equal(find(index_text, "alph", "10.77.0.10"), 0);
}

static void test_malformed(void **state)
{
	static const char *const bad[] = {
		"alpha 10.77.0.1 2027-12-02T12:00:00Z\n",
		"alpha 10.77.0.1 2027-12-02 " FP "\n",
		"alpha 10.77.0.300 2027-12-02T12:00:00Z " FP "\n",
		"al/pha 10.77.0.1 2027-12-02T12:00:00Z " FP "\n",
		"alpha 10.77.0.1 2027-12-02T12:00:00Z " FP " extra\n",
		"alpha 10.77.0.1 2027-12-02T12:00:00Z 3fa1\n",
		"alpha 10.77.0.1, 2027-12-02T12:00:00Z " FP "\n",
		"alpha 10.77.0.1,10.77.0.2 2027-12-02T12:00:00Z " FP "\n",
		"alpha fd77::1,fd77::2 2027-12-02T12:00:00Z " FP "\n",
		"alpha 10.77.0.1,fd77::1,fd77::2 2027-12-02T12:00:00Z " FP "\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(find(bad[i], "zed", "10.77.0.99"), -1);
		assert_string_equal(why, "line 1: expected NAME ADDRESS[,IPv6] NOT_AFTER SHA256");
	}
}

static void test_line_and_file(void **state)
{
	char dir[] = "/tmp/podnet-index-XXXXXX", path[64], line[256];
	struct cert_identity id = { .name = "alpha", .has_vaddr = true,
				    .not_after = NOW + 86400 };
	struct stat st;

	memset(id.fingerprint, 0xab, sizeof(id.fingerprint));
	inet_pton(AF_INET, "10.77.0.1", &id.vaddr);
	assert_int_equal(cert_index_line(&id, line, sizeof(line)), 0);
	assert_true(!strncmp(line, "alpha 10.77.0.1 2026-12-03T12:00:00Z abab", 41));
	assert_int_equal(strlen(line), 37 + 64 + 1);

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/issued.txt", dir);
	/* No index yet: nothing is taken. */
	assert_int_equal(cert_index_check(path, "alpha", "10.77.0.1", NOW, why,
					  sizeof(why)), 0);
	assert_int_equal(cert_index_append(path, &id, why, sizeof(why)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(cert_index_check(path, "alpha", "10.77.0.8", NOW, why,
					  sizeof(why)), 1);
	assert_int_equal(cert_index_check(path, "beta", "10.77.0.2", NOW, why,
					  sizeof(why)), 0);
	/* A dual-stack node's line holds both addresses. */
	id.has_vaddr6 = true;
	snprintf(id.name, sizeof(id.name), "gamma");
	inet_pton(AF_INET, "10.77.0.3", &id.vaddr);
	inet_pton(AF_INET6, "fd77::3", &id.vaddr6);
	assert_int_equal(cert_index_line(&id, line, sizeof(line)), 0);
	assert_true(!strncmp(line, "gamma 10.77.0.3,fd77::3 2026-12-03T12:00:00Z abab", 49));
	assert_int_equal(cert_index_append(path, &id, why, sizeof(why)), 0);
	assert_int_equal(cert_index_check(path, "delta", "fd77::3", NOW, why,
					  sizeof(why)), 1);
	/* And a v6-only node's, its IPv6 one. */
	id.has_vaddr = false;
	snprintf(id.name, sizeof(id.name), "sixer");
	inet_pton(AF_INET6, "fd77::6", &id.vaddr6);
	assert_int_equal(cert_index_line(&id, line, sizeof(line)), 0);
	assert_true(!strncmp(line, "sixer fd77::6 2026-12-03T12:00:00Z abab", 39));
	/* The day after it expired, the name is free again. */
	assert_int_equal(cert_index_check(path, "alpha", "10.77.0.1",
					  NOW + 2 * 86400, why, sizeof(why)), 0);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken),
		cmocka_unit_test(test_dual_stack),
		cmocka_unit_test(test_not_taken),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_line_and_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
