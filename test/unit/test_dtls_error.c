// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * wolfSSL codes in words (dtls_error.c): each code a podnet handshake
 * meets gives the sentence the log promises, with the peer's name, the
 * dates or the alert in it, and never just a number.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "dtls_error.h"

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

static char buf[512];

static const char *words(int error, int alert, const struct cert_identity *c)
{
	struct dtls_failure f = { .error = error, .alert = alert };

	if (c) {
		f.have_cert = true;
		f.cert = *c;
	}
	return dtls_failure_words("beta", &f, 1796230000, buf, sizeof(buf));
}

static void assert_contains(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("'%s' does not contain '%s'", text, needle);
}

static void test_foreign_ca(void **state)
{
	struct cert_identity c = { .name = "beta", .issuer = "evil-net" };

	assert_contains(words(ASN_NO_SIGNER_E, -1, &c),
			"beta's certificate is not signed by this network's CA (its issuer is 'evil-net')");
	assert_contains(words(ASN_NO_SIGNER_E, -1, NULL),
			"beta's certificate is not signed by this network's CA:");
	assert_contains(words(ASN_SELF_SIGNED_E, -1, NULL),
			"not signed by this network's CA");
	assert_contains(words(ASN_SIG_CONFIRM_E, -1, &c),
			"signature this network's CA did not make");
}

static void test_dates(void **state)
{
	/* 2020-01-01 00:00 and 2020-01-02 00:00 UTC */
	struct cert_identity c = { .name = "beta", .not_before = 1577836800,
				   .not_after = 1577923200 };

	assert_contains(words(ASN_AFTER_DATE_E, -1, &c),
			"beta's certificate has expired (not after 2020-01-02 00:00 UTC)");
	assert_contains(words(ASN_BEFORE_DATE_E, -1, &c),
			"beta's certificate is not valid yet (not before 2020-01-01 00:00 UTC, now 2026-");
	assert_contains(words(ASN_AFTER_DATE_E, -1, NULL),
			"beta's certificate has expired");
}

static void test_alerts(void **state)
{
	assert_contains(words(FATAL_ERROR, unknown_ca, NULL),
			"beta refused our certificate (alert unknown_ca)");
	assert_contains(words(FATAL_ERROR, unknown_ca, NULL),
			"both nodes need certificates from the same CA");
	assert_contains(words(FATAL_ERROR, bad_certificate, NULL),
			"beta refused our certificate (alert bad_certificate): its log says why");
	assert_contains(words(FATAL_ERROR, certificate_expired, NULL),
			"refused our certificate as expired");
	assert_contains(words(FATAL_ERROR, certificate_revoked, NULL),
			"refused our certificate as revoked");
	assert_contains(words(FATAL_ERROR, handshake_failure, NULL),
			"compare both nodes' Ciphers");
	assert_contains(words(FATAL_ERROR, -1, NULL),
			"beta ended the handshake with a fatal alert");
	assert_contains(words(FATAL_ERROR, 99, NULL),
			"beta ended the handshake (alert 99)");
}

static void test_own_checks_and_negotiation(void **state)
{
	struct dtls_failure f = { .error = VERIFY_CERT_ERROR, .alert = -1 };

	snprintf(f.refusal, sizeof(f.refusal),
		 "certificate of 'beta' is revoked (list serial 3)");
	assert_contains(dtls_failure_words("beta", &f, 0, buf, sizeof(buf)),
			"certificate of 'beta' is revoked (list serial 3)");
	assert_contains(words(VERIFY_CERT_ERROR, -1, NULL),
			"failed this node's checks");
	assert_contains(words(MATCH_SUITE_ERROR, -1, NULL),
			"no cipher suite in common with beta");
	assert_contains(words(NO_PEER_CERT, -1, NULL), "beta sent no certificate");
	assert_contains(words(VERIFY_SIGN_ERROR, -1, NULL),
			"does not hold the private key");
}

static void test_unknown_code_keeps_wolfssl_text(void **state)
{
	assert_contains(words(-12345, -1, NULL), "the handshake with beta failed: ");
}

/* A tiny buffer truncates, never overflows. */
static void test_small_buffer(void **state)
{
	struct dtls_failure f = { .error = ASN_NO_SIGNER_E, .alert = -1 };
	char small[8];

	dtls_failure_words("beta", &f, 0, small, sizeof(small));
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_ca),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_own_checks_and_negotiation),
		cmocka_unit_test(test_unknown_code_keeps_wolfssl_text),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
