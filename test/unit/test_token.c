// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Join tokens (token.h), the join request and answer (join_proto.h) and
 * the invitation files (invite_store.h): round trips, and every way a
 * damaged or altered input is refused.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "invite_store.h"
#include "join_proto.h"
#include "token.h"

static char err[512];

static void sample(struct token *t)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(token_fill_random(t, err, sizeof(err)), 0);
	t->expires = 1796212800;
	memset(t->ca_fp, 0xab, sizeof(t->ca_fp));
	assert_int_equal(token_addr_parse("10.77.0.5/24", &t->address, err,
					  sizeof(err)), 0);
	assert_int_equal(endpoint_parse("198.51.100.1:51821", &t->service), 0);
	strcpy(t->name, "office");
}

static void test_round_trip(void **state)
{
	char text[TOKEN_TEXT_MAX + 1], addr[TOKEN_ADDR_STR_MAX];
	char ep[ADDR_STR_MAX];
	struct token t, back;

	sample(&t);
	assert_int_equal(token_encode(&t, text, sizeof(text), err,
				      sizeof(err)), 0);
	assert_true(!strncmp(text, TOKEN_PREFIX, strlen(TOKEN_PREFIX)));
	/* Shell- and URL-safe: nothing to quote. */
	assert_int_equal(strspn(text + strlen(TOKEN_PREFIX),
				"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			 strlen(text) - strlen(TOKEN_PREFIX));
	assert_int_equal(token_decode(text, &back, err, sizeof(err)), 0);
	assert_memory_equal(back.id, t.id, TOKEN_ID_LEN);
	assert_memory_equal(back.secret, t.secret, TOKEN_SECRET_LEN);
	assert_memory_equal(back.ca_fp, t.ca_fp, TOKEN_FP_LEN);
	assert_true(back.expires == t.expires);
	assert_string_equal(back.name, "office");
	assert_string_equal(token_addr_format(&back.address, true, addr,
					      sizeof(addr)), "10.77.0.5/24");
	assert_string_equal(endpoint_format(&back.service, ep, sizeof(ep)),
			    "198.51.100.1:51821");

	/* IPv6 service, IPv6 address: the layout has room for both. */
	assert_int_equal(endpoint_parse("[2001:db8::1]:443", &t.service), 0);
	assert_int_equal(token_addr_parse("fd00::5", &t.address, err,
					  sizeof(err)), 0);
	assert_int_equal(token_encode(&t, text, sizeof(text), err,
				      sizeof(err)), 0);
	assert_int_equal(token_decode(text, &back, err, sizeof(err)), 0);
	assert_string_equal(token_addr_format(&back.address, true, addr,
					      sizeof(addr)), "fd00::5/64");
	assert_string_equal(endpoint_format(&back.service, ep, sizeof(ep)),
			    "[2001:db8::1]:443");

	/* Both families, with the longest name and an IPv6 service: a
	 * version 2 token that still fits. */
	memset(t.name, 'n', CERT_NAME_MAX - 1);
	t.name[CERT_NAME_MAX - 1] = '\0';
	assert_int_equal(token_addr_parse("10.77.0.5/16, fd77::5/112",
					  &t.address, err, sizeof(err)), 0);
	assert_int_equal(token_encode(&t, text, sizeof(text), err,
				      sizeof(err)), 0);
	assert_int_equal(token_decode(text, &back, err, sizeof(err)), 0);
	assert_true(token_addr_equal(&back.address, &t.address));
	assert_string_equal(token_addr_format(&back.address, true, addr,
					      sizeof(addr)),
			    "10.77.0.5/16,fd77::5/112");
	assert_string_equal(token_addr_host(&back.address, addr, sizeof(addr)),
			    "10.77.0.5");
}

static void test_damaged(void **state)
{
	char text[TOKEN_TEXT_MAX + 1], bad[TOKEN_TEXT_MAX + 1];
	struct token t, back;
	size_t i, n;

	sample(&t);
	assert_int_equal(token_encode(&t, text, sizeof(text), err,
				      sizeof(err)), 0);
	n = strlen(text);
	/* Every single changed character is refused, and says so. */
	for (i = strlen(TOKEN_PREFIX); i < n; i++) {
		strcpy(bad, text);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		assert_int_equal(token_decode(bad, &back, err, sizeof(err)), -1);
		assert_true(strstr(err, "damaged") != NULL);
	}
	/* Cut short, lengthened, another prefix, empty. */
	for (i = 0; i < n; i++) {
		memcpy(bad, text, i);
		bad[i] = '\0';
		assert_int_equal(token_decode(bad, &back, err, sizeof(err)), -1);
	}
	snprintf(bad, sizeof(bad), "%sA", text);
	assert_int_equal(token_decode(bad, &back, err, sizeof(err)), -1);
	assert_int_equal(token_decode("podnet2-AAAA", &back, err, sizeof(err)), -1);
	assert_true(strstr(err, "not a podnet join token") != NULL);
	/* A failed decode leaves no secret behind. */
	memset(&back, 0x55, sizeof(back));
	assert_int_equal(token_decode("podnet1-!!", &back, err, sizeof(err)), -1);
	for (i = 0; i < sizeof(back.secret); i++)
		assert_int_equal(back.secret[i], 0);
}

static void test_addr(void **state)
{
	struct token_addr a, b;
	struct in_addr v4;

	assert_int_equal(token_addr_parse("10.77.0.5", &a, err, sizeof(err)), 0);
	assert_int_equal(a.prefixlen, 24);
	assert_true(token_addr_ipv4(&a, &v4));
	assert_int_equal(token_addr_parse("10.77.0.5/24", &b, err, sizeof(err)), 0);
	assert_true(token_addr_equal(&a, &b));
	assert_int_equal(token_addr_parse("10.77.0.5/16", &b, err, sizeof(err)), 0);
	assert_false(token_addr_equal(&a, &b));
	assert_int_equal(token_addr_parse("10.77.0.5/0", &b, err, sizeof(err)), -1);
	assert_int_equal(token_addr_parse("10.77.0.5/33", &b, err, sizeof(err)), -1);
	assert_int_equal(token_addr_parse("10.77.0.5/", &b, err, sizeof(err)), -1);
	assert_int_equal(token_addr_parse("office", &b, err, sizeof(err)), -1);
	assert_int_equal(token_addr_parse("", &b, err, sizeof(err)), -1);
	assert_int_equal(token_addr_parse("fd00::1/129", &b, err, sizeof(err)), -1);
	assert_int_equal(token_addr_parse("fd00::1", &b, err, sizeof(err)), 0);
	/* Two: IPv4 then IPv6, nothing else. */
	assert_int_equal(token_addr_parse("10.77.0.5,fd00::1", &b, err,
					  sizeof(err)), 0);
	assert_true(b.has6 && b.prefixlen == 24 && b.prefixlen6 == 64);
	assert_false(token_addr_equal(&a, &b));
	assert_int_equal(token_addr_parse("fd00::1,10.77.0.5", &b, err,
					  sizeof(err)), -1);
	assert_int_equal(token_addr_parse("10.77.0.5,10.77.0.6", &b, err,
					  sizeof(err)), -1);
	assert_int_equal(token_addr_parse("10.77.0.5,", &b, err,
					  sizeof(err)), -1);
	assert_int_equal(token_addr_parse("10.77.0.5,fd00::1/0", &b, err,
					  sizeof(err)), -1);
	assert_int_equal(token_addr_parse("10.77.0.5,fd00::1,fd00::2", &b,
					  err, sizeof(err)), -1);
	assert_int_equal(token_addr_parse("fd00::1", &b, err, sizeof(err)), 0);
	assert_false(token_addr_ipv4(&b, &v4));
}

static void test_request(void **state)
{
	char text[JOIN_REQUEST_MAX], bad[JOIN_REQUEST_MAX];
	struct join_request req, back;
	struct token t;
	int n, i;

	sample(&t);
	memset(&req, 0, sizeof(req));
	memcpy(req.id, t.id, sizeof(req.id));
	memcpy(req.secret, t.secret, sizeof(req.secret));
	strcpy(req.name, t.name);
	req.address = t.address;
	memset(req.pub, 0x42, sizeof(req.pub));
	n = join_request_encode(&req, text, sizeof(text));
	assert_true(n > 0);
	assert_int_equal(join_request_complete(text, (size_t)n), 1);
	assert_int_equal(join_request_complete(text, (size_t)n - 1), 0);
	assert_int_equal(join_request_complete("GET / HTTP/1.1\r\n", 16), -1);
	assert_int_equal(join_request_parse(text, (size_t)n, &back, err,
					    sizeof(err)), 0);
	assert_memory_equal(&back.id, &req.id, sizeof(req.id));
	assert_memory_equal(&back.secret, &req.secret, sizeof(req.secret));
	assert_memory_equal(&back.pub, &req.pub, sizeof(req.pub));
	assert_string_equal(back.name, "office");
	assert_true(token_addr_equal(&back.address, &req.address));
	/* Any one byte changed to a space, newline or NUL: refused or, if
	 * it still parses, never read past n. */
	for (i = 0; i < n; i++) {
		memcpy(bad, text, (size_t)n);
		bad[i] = i % 3 == 0 ? ' ' : i % 3 == 1 ? '\n' : '\0';
		join_request_parse(bad, (size_t)n, &back, err, sizeof(err));
	}
	/* Trailing bytes, and a cut. */
	memcpy(bad, text, (size_t)n);
	bad[n] = 'x';
	assert_int_equal(join_request_parse(bad, (size_t)n + 1, &back, err,
					    sizeof(err)), -1);
	assert_int_equal(join_request_parse(text, (size_t)n - 2, &back, err,
					    sizeof(err)), -1);
}

static void test_response(void **state)
{
	static uint8_t out[JOIN_RESPONSE_MAX];
	static const uint8_t cert[] = "-----BEGIN CERTIFICATE-----\nAA\n";
	static const uint8_t ca[] = "CA\n\n";
	struct join_response resp = { .ok = true }, back;
	char text[300];
	int n, i;

	resp.cert = cert;
	resp.cert_len = sizeof(cert) - 1;
	resp.ca = ca;
	resp.ca_len = sizeof(ca) - 1;
	strcpy(resp.rv[0].name, "rv");
	assert_int_equal(endpoint_parse("198.18.0.1:51820",
					&resp.rv[0].endpoint), 0);
	resp.n_rv = 1;
	n = join_response_encode_ok(&resp, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(join_response_parse(out, (size_t)n, &back, err,
					     sizeof(err)), 0);
	assert_true(back.ok);
	assert_int_equal(back.cert_len, resp.cert_len);
	assert_memory_equal(back.cert, cert, resp.cert_len);
	assert_memory_equal(back.ca, ca, resp.ca_len);
	assert_int_equal(back.revocation_len, 0);
	assert_int_equal(back.n_rv, 1);
	assert_string_equal(back.rv[0].name, "rv");
	/* A truncated answer is never taken as complete. */
	for (i = 0; i < n; i++)
		assert_int_equal(join_response_parse(out, (size_t)i, &back,
						     err, sizeof(err)), -1);
	n = join_response_encode_error(text, sizeof(text), "token expired");
	assert_int_equal(join_response_parse((uint8_t *)text, (size_t)n,
					     &back, err, sizeof(err)), 0);
	assert_false(back.ok);
	assert_string_equal(back.error, "token expired");
}

static void test_invite_file(void **state)
{
	char dir[] = "/tmp/podnet-token-XXXXXX", path[300];
	uint8_t hash[32], want[32];
	struct token t, other;
	struct invite inv;
	struct token_addr wrong;

	sample(&t);
	assert_non_null(mkdtemp(dir));
	assert_int_equal(invite_store_add(dir, &t, err, sizeof(err)), 0);
	/* Wrong secret, wrong name, wrong address, expired: not used up. */
	other = t;
	other.secret[0] ^= 1;
	assert_int_equal(invite_store_check(dir, t.id, other.secret, t.name,
					    &t.address, 1000, true, &inv, err,
					    sizeof(err)), INVITE_UNKNOWN);
	assert_int_equal(invite_store_check(dir, t.id, t.secret, "mallory",
					    &t.address, 1000, true, &inv, err,
					    sizeof(err)), INVITE_MISMATCH);
	token_addr_parse("10.77.0.6/24", &wrong, NULL, 0);
	assert_int_equal(invite_store_check(dir, t.id, t.secret, t.name,
					    &wrong, 1000, true, &inv, err,
					    sizeof(err)), INVITE_MISMATCH);
	assert_int_equal(invite_store_check(dir, t.id, t.secret, t.name,
					    &t.address, (time_t)t.expires,
					    true, &inv, err, sizeof(err)),
			 INVITE_EXPIRED);
	/* Once, then never again. */
	assert_int_equal(invite_store_check(dir, t.id, t.secret, t.name,
					    &t.address, 1000, true, &inv, err,
					    sizeof(err)), INVITE_OK);
	assert_int_equal(invite_store_check(dir, t.id, t.secret, t.name,
					    &t.address, 1000, true, &inv, err,
					    sizeof(err)), INVITE_USED);
	/* ... and "used" only for the right secret. */
	assert_int_equal(invite_store_check(dir, t.id, other.secret, t.name,
					    &t.address, 1000, true, &inv, err,
					    sizeof(err)), INVITE_UNKNOWN);
	/* The file holds the hash, never the secret. */
	token_secret_hash(t.secret, want);
	{
		char hex[2 * TOKEN_SECRET_LEN + 1], line[512];
		FILE *f;

		token_hex(t.id, TOKEN_ID_LEN, hex);
		snprintf(path, sizeof(path), "%s/invites/%s.used", dir, hex);
		f = fopen(path, "r");
		assert_non_null(f);
		assert_non_null(fgets(line, sizeof(line), f));
		fclose(f);
		assert_int_equal(invite_parse(line, strlen(line), hash, &inv), 0);
		assert_memory_equal(hash, want, 32);
		token_hex(t.secret, TOKEN_SECRET_LEN, hex);
		assert_null(strstr(line, hex));
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/invites", dir);
	rmdir(path);
	rmdir(dir);
	assert_int_equal(invite_parse("podnet-invite 1 zz office 10.77.0.5/24 1\n",
				      41, hash, &inv), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_damaged),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response),
		cmocka_unit_test(test_invite_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
