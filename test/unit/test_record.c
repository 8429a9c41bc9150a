// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The data path's own record layer against wolfSSL itself: for every cipher
 * suite podnet negotiates, records sealed by record_seal() open in
 * wolfSSL_read() and records from wolfSSL_write() open in record_open().
 * Then the replay window: duplicates, old, far ahead, ring wrap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "cert.h"
#include "cert_issue.h"
#include "record.h"
#include "replay.h"

static char tmpdir[] = "/tmp/podnet-test-record.XXXXXX";

/* One datagram queue per direction, so wolfSSL needs no sockets. */
#define QUEUE_MAX 32
struct queue {
	uint8_t data[QUEUE_MAX][2048];
	size_t len[QUEUE_MAX];
	size_t head, tail;
};

struct end {
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	struct queue *in, *out;
};

static struct queue to_client, to_server;

static int mem_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct end *e = ctx;
	struct queue *q = e->in;
	size_t n;

	if (q->head == q->tail)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	n = q->len[q->head % QUEUE_MAX];
	if (n > (size_t)sz)
		n = (size_t)sz;
	memcpy(buf, q->data[q->head % QUEUE_MAX], n);
	q->head++;
	return (int)n;
}

static int mem_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct end *e = ctx;
	struct queue *q = e->out;

	assert_true(q->tail - q->head < QUEUE_MAX);
	assert_true((size_t)sz <= sizeof(q->data[0]));
	memcpy(q->data[q->tail % QUEUE_MAX], buf, (size_t)sz);
	q->len[q->tail % QUEUE_MAX] = (size_t)sz;
	q->tail++;
	return sz;
}

static const char *path(const char *name)
{
	static char buf[4][256];
	static int i;
	char *p = buf[i++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

static void end_init(struct end *e, bool server, const char *node,
		     const char *cipher)
{
	char crt[64], key[64];

	snprintf(crt, sizeof(crt), "%s.crt", node);
	snprintf(key, sizeof(key), "%s.key", node);
	e->ctx = wolfSSL_CTX_new(server ? wolfDTLSv1_2_server_method() :
					  wolfDTLSv1_2_client_method());
	assert_non_null(e->ctx);
	assert_int_equal(wolfSSL_CTX_load_verify_locations(e->ctx, path("ca.crt"), NULL),
			 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_certificate_file(e->ctx, path(crt),
							  WOLFSSL_FILETYPE_PEM),
			 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_use_PrivateKey_file(e->ctx, path(key),
							 WOLFSSL_FILETYPE_PEM),
			 WOLFSSL_SUCCESS);
	wolfSSL_CTX_set_verify(e->ctx, WOLFSSL_VERIFY_PEER |
			       WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	assert_int_equal(wolfSSL_CTX_set_cipher_list(e->ctx, cipher),
			 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_UseSupportedCurve(e->ctx, WOLFSSL_ECC_X25519),
			 WOLFSSL_SUCCESS);
	wolfSSL_CTX_SetIORecv(e->ctx, mem_recv);
	wolfSSL_CTX_SetIOSend(e->ctx, mem_send);
	e->ssl = wolfSSL_new(e->ctx);
	assert_non_null(e->ssl);
	wolfSSL_SetIOReadCtx(e->ssl, e);
	wolfSSL_SetIOWriteCtx(e->ssl, e);
	wolfSSL_dtls_set_using_nonblock(e->ssl, 1);
	e->in = server ? &to_server : &to_client;
	e->out = server ? &to_client : &to_server;
}

static void end_free(struct end *e)
{
	wolfSSL_free(e->ssl);
	wolfSSL_CTX_free(e->ctx);
}

static void handshake(struct end *c, struct end *s)
{
	bool cdone = false, sdone = false;

	memset(&to_client, 0, sizeof(to_client));
	memset(&to_server, 0, sizeof(to_server));
	for (int i = 0; i < 50 && !(cdone && sdone); i++) {
		if (!cdone)
			cdone = wolfSSL_connect(c->ssl) == WOLFSSL_SUCCESS;
		if (!sdone)
			sdone = wolfSSL_accept(s->ssl) == WOLFSSL_SUCCESS;
	}
	assert_true(cdone && sdone);
	/* Nothing left in flight that a later read would trip over. */
	to_client.head = to_client.tail;
	to_server.head = to_server.tail;
}

static int setup(void **state)
{
	char err[256];
	struct in_addr a1, a2;

	assert_non_null(mkdtemp(tmpdir));
	inet_pton(AF_INET, "10.77.0.1", &a1);
	inet_pton(AF_INET, "10.77.0.2", &a2);
	assert_int_equal(cert_ca_create("rec", 30, path("ca.crt"), path("ca.key"),
					err, sizeof(err)), 0);
	assert_int_equal(cert_issue(path("ca.crt"), path("ca.key"), "client", a1, 30,
				    path("client.crt"), path("client.key"), err,
				    sizeof(err)), 0);
	assert_int_equal(cert_issue(path("ca.crt"), path("ca.key"), "server", a2, 30,
				    path("server.crt"), path("server.key"), err,
				    sizeof(err)), 0);
	wolfSSL_Init();
	return 0;
}

static int teardown(void **state)
{
	const char *names[] = { "ca.crt", "ca.key", "client.crt", "client.key",
				"server.crt", "server.key" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(path(names[i]));
	rmdir(tmpdir);
	wolfSSL_Cleanup();
	return 0;
}

static void interop(const char *cipher, enum record_aead want)
{
	struct end c = { 0 }, s = { 0 };
	struct record_keys ck, sk;
	uint8_t rec[2048], pt[2048], msg[1300];
	int n;

	end_init(&c, false, "client", cipher);
	end_init(&s, true, "server", cipher);
	handshake(&c, &s);
	assert_string_equal(wolfSSL_get_cipher_name(c.ssl), cipher);
	assert_int_equal(record_keys_from_ssl(c.ssl, &ck), 0);
	assert_int_equal(record_keys_from_ssl(s.ssl, &sk), 0);
	assert_int_equal(ck.aead, want);
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 7 + 1);

	/* podnet -> wolfSSL. wolfSSL takes forward jumps only up to about
	 * 2^33, so here the sequence starts low, as it would right after
	 * the handshake. */
	ck.tx_seq = 3;
	for (size_t len = 1; len <= sizeof(msg); len += 433) {
		n = record_seal(&ck, msg, len, rec, sizeof(rec));
		assert_int_equal(n, (int)(len + RECORD_HEADER_LEN + RECORD_TAG_LEN +
					  (want == RECORD_AES_GCM ? 8 : 0)));
		mem_send(NULL, (char *)rec, n, &c);
		n = wolfSSL_read(s.ssl, pt, sizeof(pt));
		assert_int_equal(n, (int)len);
		assert_memory_equal(pt, msg, len);
	}
	/* The same, sealed from the plaintext where it lies rather than
	 * copied into the record first (udp.c without crypto threads). */
	for (size_t len = 1; len <= sizeof(msg); len += 433) {
		uint64_t seq;
		int off = record_seal_begin(&ck, len, rec, sizeof(rec), &seq);

		assert_true(off > 0);
		n = record_seal_finish_from(&ck, seq, rec, msg, len);
		assert_int_equal(n, off + (int)(len + RECORD_TAG_LEN));
		mem_send(NULL, (char *)rec, n, &c);
		n = wolfSSL_read(s.ssl, pt, sizeof(pt));
		assert_int_equal(n, (int)len);
		assert_memory_equal(pt, msg, len);
	}

	/* wolfSSL -> podnet */
	for (size_t len = 1; len <= sizeof(msg); len += 433) {
		assert_int_equal(wolfSSL_write(s.ssl, msg, (int)len), (int)len);
		assert_true(to_client.tail > to_client.head);
		n = record_open(&ck, to_client.data[to_client.head % QUEUE_MAX],
				to_client.len[to_client.head % QUEUE_MAX], pt,
				sizeof(pt));
		to_client.head++;
		assert_int_equal(n, (int)len);
		assert_memory_equal(pt, msg, len);
	}

	/* podnet <-> podnet from the real starting point, and a tampered
	 * record fails without moving the window. */
	ck.tx_seq = RECORD_SEQ_FIRST;
	n = record_seal(&ck, msg, 100, rec, sizeof(rec));
	assert_true(n > 0);
	rec[n - 1] ^= 1;
	assert_int_equal(record_open(&sk, rec, (size_t)n, pt, sizeof(pt)),
			 RECORD_ERR_AUTH);
	rec[n - 1] ^= 1;
	assert_int_equal(record_open(&sk, rec, (size_t)n, pt, sizeof(pt)), 100);
	assert_int_equal(record_open(&sk, rec, (size_t)n, pt, sizeof(pt)),
			 RECORD_ERR_REPLAY);
	/* Truncated or padded records are malformed, never read past. */
	assert_int_equal(record_open(&sk, rec, (size_t)n - 1, pt, sizeof(pt)),
			 RECORD_ERR_MALFORMED);
	assert_int_equal(record_open(&sk, rec, 5, pt, sizeof(pt)),
			 RECORD_ERR_MALFORMED);

	record_keys_wipe(&ck);
	record_keys_wipe(&sk);
	end_free(&c);
	end_free(&s);
}

static void test_interop_chacha(void **state)
{
	interop("ECDHE-ECDSA-CHACHA20-POLY1305", RECORD_CHACHA20_POLY1305);
}

static void test_interop_aes128gcm(void **state)
{
	interop("ECDHE-ECDSA-AES128-GCM-SHA256", RECORD_AES_GCM);
}

static void test_interop_aes256gcm(void **state)
{
	interop("ECDHE-ECDSA-AES256-GCM-SHA384", RECORD_AES_GCM);
}

static void test_sequence_exhausted(void **state)
{
	uint8_t key[32] = { 1 }, iv[12] = { 2 }, rec[256];
	struct record_keys k;

	assert_int_equal(record_keys_init(&k, RECORD_CHACHA20_POLY1305, 1, key,
					  iv, key, iv, 32), 0);
	k.tx_seq = RECORD_SEQ_LAST;
	assert_true(record_seal(&k, rec, 10, rec, sizeof(rec)) > 0);
	/* Never wrap into a used nonce. */
	assert_int_equal(record_seal(&k, rec, 10, rec, sizeof(rec)),
			 RECORD_ERR_EXHAUSTED);
	record_keys_wipe(&k);
}

static void test_replay_duplicates_and_order(void **state)
{
	struct replay_window w;

	replay_init(&w);
	assert_true(replay_commit(&w, 1000));
	assert_false(replay_check(&w, 1000));
	assert_false(replay_commit(&w, 1000));
	/* Out of order within the window is fine, once. */
	for (uint64_t s = 999; s > 1000 - 500; s--)
		assert_true(replay_commit(&w, s));
	for (uint64_t s = 999; s > 1000 - 500; s--)
		assert_false(replay_check(&w, s));
	assert_true(replay_commit(&w, 1001));
}

static void test_replay_too_old(void **state)
{
	struct replay_window w;
	uint64_t top = 1ull << 40;

	replay_init(&w);
	assert_true(replay_commit(&w, top));
	assert_true(replay_check(&w, top - REPLAY_WINDOW + 1));
	assert_false(replay_check(&w, top - REPLAY_WINDOW));
	assert_false(replay_commit(&w, top - REPLAY_WINDOW));
	assert_false(replay_check(&w, 0));
	/* At least 1024 packets of reordering are tolerated. */
	assert_true(REPLAY_WINDOW >= 1024);
	assert_true(replay_commit(&w, top - 1024));
}

static void test_replay_far_ahead(void **state)
{
	struct replay_window w;

	replay_init(&w);
	for (uint64_t s = 100; s < 200; s++)
		assert_true(replay_commit(&w, s));
	/* A jump beyond the ring clears it: old bits must not alias. */
	assert_true(replay_commit(&w, 100 + 64 * REPLAY_WORDS * 10));
	for (uint64_t s = 100; s < 200; s++)
		assert_false(replay_check(&w, s));
	assert_true(replay_commit(&w, 100 + 64 * REPLAY_WORDS * 10 - 5));
	assert_false(replay_commit(&w, 100 + 64 * REPLAY_WORDS * 10 - 5));
}

static void test_replay_ring_wrap(void **state)
{
	struct replay_window w;
	uint64_t s;

	/* March many times around the ring, one packet in three dropped and
	 * delivered late: every packet is accepted exactly once. */
	replay_init(&w);
	for (s = 1; s < 64 * REPLAY_WORDS * 8; s++) {
		if (s % 3 == 0)
			continue;
		assert_true(replay_commit(&w, s));
		if (s % 3 == 1 && s > 2) {
			assert_true(replay_commit(&w, s - 1));
			assert_false(replay_commit(&w, s - 1));
		}
	}
	/* The last one (a multiple of 3) was never delivered. */
	assert_int_equal((64 * REPLAY_WORDS * 8 - 1) % 3, 0);
	assert_true(replay_check(&w, 64 * REPLAY_WORDS * 8 - 1));
	for (s = 64 * REPLAY_WORDS * 8 - 100; s < 64 * REPLAY_WORDS * 8 - 1; s++)
		assert_false(replay_check(&w, s));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interop_chacha),
		cmocka_unit_test(test_interop_aes128gcm),
		cmocka_unit_test(test_interop_aes256gcm),
		cmocka_unit_test(test_sequence_exhausted),
		cmocka_unit_test(test_replay_duplicates_and_order),
		cmocka_unit_test(test_replay_too_old),
		cmocka_unit_test(test_replay_far_ahead),
		cmocka_unit_test(test_replay_ring_wrap),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
