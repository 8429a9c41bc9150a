// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Revocation lists (revocation.c): a list signed with the CA key round-trips;
 * one signed by another CA, tampered with, truncated, padded or of another
 * version is refused; the private-key mode check (F11) and CA:TRUE (F14)
 * as the CLI's cert code sees them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "cert.h"
#include "cert_issue.h"
#include "revocation.h"
#include "rvmsg.h"

static char tmpdir[] = "/tmp/podnet-test-revocation.XXXXXX";
static char err[256];
static uint8_t ca_pub[CERT_ED25519_PUB_LEN], other_pub[CERT_ED25519_PUB_LEN];

static const char *at(const char *name)
{
	static char paths[8][256];
	static unsigned int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
	return p;
}

static int setup(void **state)
{
	struct in_addr a;

	(void)state;
	if (!mkdtemp(tmpdir))
		return -1;
	inet_pton(AF_INET, "10.77.0.1", &a);
	if (cert_ca_create("testnet", 30, at("ca.crt"), at("ca.key"), err,
			   sizeof(err)) ||
	    cert_ca_create("othernet", 30, at("o.crt"), at("o.key"), err,
			   sizeof(err)) ||
	    cert_issue(at("ca.crt"), at("ca.key"), "node1", a, 30,
		       at("node1.crt"), at("node1.key"), err, sizeof(err)) ||
	    revocation_ca_key(at("ca.crt"), ca_pub, err, sizeof(err)) ||
	    revocation_ca_key(at("o.crt"), other_pub, err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	const char *names[] = { "ca.crt", "ca.key", "o.crt", "o.key",
				"node1.crt", "node1.key", "list" };

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(at(names[i]));
	rmdir(tmpdir);
	return 0;
}

/* A list of n fingerprints (byte i repeated), signed by the CA at dir. */
static void make_list(struct revocation *rl, size_t n, uint64_t serial,
		      const char *crt, const char *key)
{
	memset(rl, 0, sizeof(*rl));
	rl->serial = serial;
	rl->issued = 1700000000;
	rl->count = n;
	for (size_t i = 0; i < n; i++)
		memset(rl->fps[i], (int)i + 1, REVOCATION_FP_LEN);
	assert_int_equal(revocation_encode_unsigned(rl, err, sizeof(err)), 0);
	assert_int_equal(cert_ca_sign(crt, key, rl->blob, rl->blob_len,
				      rl->blob + rl->blob_len, err,
				      sizeof(err)), 0);
	rl->blob_len += REVOCATION_SIG_LEN;
}

static void test_round_trip(void **state)
{
	static struct revocation rl, out;
	uint8_t fp[REVOCATION_FP_LEN];

	(void)state;
	for (size_t n = 0; n <= REVOCATION_MAX; n += REVOCATION_MAX / 4) {
		make_list(&rl, n, 7, at("ca.crt"), at("ca.key"));
		assert_int_equal(rl.blob_len, REVOCATION_LEN(n));
		assert_int_equal(revocation_parse(rl.blob, rl.blob_len, ca_pub,
						  &out, err, sizeof(err)), 0);
		assert_int_equal(out.serial, 7);
		assert_int_equal(out.issued, 1700000000);
		assert_int_equal(out.count, n);
		memset(fp, 1, sizeof(fp));
		assert_int_equal(revocation_contains(&out, fp), n > 0);
		memset(fp, 0, sizeof(fp));
		assert_false(revocation_contains(&out, fp));
	}
	assert_int_equal(revocation_save(at("list"), &rl, err, sizeof(err)), 0);
	assert_int_equal(revocation_load(at("list"), ca_pub, &out, err,
					 sizeof(err)), 0);
	assert_memory_equal(out.blob, rl.blob, rl.blob_len);
}

static void test_other_ca_refused(void **state)
{
	static struct revocation rl, out;

	(void)state;
	make_list(&rl, 3, 9, at("o.crt"), at("o.key"));
	assert_int_equal(revocation_parse(rl.blob, rl.blob_len, ca_pub, &out,
					  err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not signed by the network CA"));
	assert_int_equal(revocation_parse(rl.blob, rl.blob_len, other_pub,
					  &out, err, sizeof(err)), 0);
}

/* Every single flipped bit, in header, body or signature, is caught. */
static void test_tampered_refused(void **state)
{
	static struct revocation rl, out;
	uint8_t buf[REVOCATION_LEN_MAX];

	(void)state;
	make_list(&rl, 2, 5, at("ca.crt"), at("ca.key"));
	for (size_t i = 0; i < rl.blob_len * 8; i++) {
		memcpy(buf, rl.blob, rl.blob_len);
		buf[i / 8] ^= (uint8_t)(1u << (i % 8));
		assert_int_equal(revocation_parse(buf, rl.blob_len, ca_pub,
						  &out, err, sizeof(err)), -1);
	}
}

static void test_framing_refused(void **state)
{
	static struct revocation rl, out;
	uint8_t buf[REVOCATION_LEN_MAX + 8];

	(void)state;
	make_list(&rl, 2, 5, at("ca.crt"), at("ca.key"));
	for (size_t len = 0; len < rl.blob_len; len++)
		assert_int_equal(revocation_parse(rl.blob, len, ca_pub, &out,
						  err, sizeof(err)), -1);
	memcpy(buf, rl.blob, rl.blob_len);
	buf[rl.blob_len] = 0;
	assert_int_equal(revocation_parse(buf, rl.blob_len + 1, ca_pub, &out,
					  err, sizeof(err)), -1);
	/* A count beyond the maximum, even if the length matched it. */
	rl.count = REVOCATION_MAX + 1;
	assert_int_equal(revocation_encode_unsigned(&rl, err, sizeof(err)),
			 -1);
	/* Serial 0 means "no list" and is never valid. */
	make_list(&rl, 1, 0, at("ca.crt"), at("ca.key"));
	assert_int_equal(revocation_parse(rl.blob, rl.blob_len, ca_pub, &out,
					  err, sizeof(err)), -1);
	assert_int_equal(revocation_parse(NULL, 0, ca_pub, &out, err,
					  sizeof(err)), -1);
}

/* RV_REVOCATION carries the blob as is, and only a plausible length. */
static void test_rvmsg(void **state)
{
	static struct revocation rl;
	struct rv_msg m = { .type = RV_REVOCATION }, out;
	uint8_t buf[1 + REVOCATION_LEN_MAX + 1];
	size_t len;

	(void)state;
	make_list(&rl, REVOCATION_MAX, 3, at("ca.crt"), at("ca.key"));
	m.blob = rl.blob;
	m.blob_len = rl.blob_len;
	len = rv_build(&m, buf, sizeof(buf));
	assert_int_equal(len, 1 + rl.blob_len);
	assert_int_equal(rv_parse(buf, len, &out), 0);
	assert_int_equal(out.blob_len, rl.blob_len);
	assert_memory_equal(out.blob, rl.blob, rl.blob_len);
	buf[len] = 0;
	assert_int_equal(rv_parse(buf, len + 1, &out), -1);
	assert_int_equal(rv_parse(buf, 1 + REVOCATION_LEN(0) - 1, &out), -1);
	assert_int_equal(rv_build(&m, buf, len - 1), 0);
}

/* F11: the CA key is refused for signing once others can read it. */
static void test_key_mode(void **state)
{
	static struct revocation rl;

	(void)state;
	assert_int_equal(cert_key_file_check(at("node1.key"), err,
					     sizeof(err)), 0);
	assert_int_equal(chmod(at("ca.key"), 0644), 0);
	assert_int_equal(cert_key_file_check(at("ca.key"), err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "mode 0644"));
	assert_non_null(strstr(err, "chmod 600"));
	memset(&rl, 0, sizeof(rl));
	rl.serial = 1;
	assert_int_equal(revocation_encode_unsigned(&rl, err, sizeof(err)), 0);
	assert_int_equal(cert_ca_sign(at("ca.crt"), at("ca.key"), rl.blob,
				      rl.blob_len, rl.blob + rl.blob_len, err,
				      sizeof(err)), -1);
	assert_int_equal(chmod(at("ca.key"), 0600), 0);
}

/* F14: what the daemon checks, is_ca, is set for a CA and not a node. */
static void test_is_ca(void **state)
{
	struct cert_identity id;

	(void)state;
	assert_int_equal(cert_identity_from_file(at("ca.crt"), &id, err,
						 sizeof(err)), 0);
	assert_true(id.is_ca);
	assert_int_equal(cert_identity_from_file(at("node1.crt"), &id, err,
						 sizeof(err)), 0);
	assert_false(id.is_ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_other_ca_refused),
		cmocka_unit_test(test_tampered_refused),
		cmocka_unit_test(test_framing_refused),
		cmocka_unit_test(test_rvmsg),
		cmocka_unit_test(test_key_mode),
		cmocka_unit_test(test_is_ca),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
