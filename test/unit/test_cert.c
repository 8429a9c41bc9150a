// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Network identity: the files cert.c writes must be usable as they are for
 * mutual-auth DTLS 1.2 in wolfSSL, and the parser must survive any bytes.
 *
 * Layout of the temporary directory shared by the tests:
 *
 *   ca.crt ca.key          "testnet" CA
 *   node1.crt node1.key    10.77.0.1, signed by testnet
 *   node2.crt node2.key    10.77.0.2, signed by testnet
 *   other-ca.crt/.key      "othernet" CA
 *   rogue.crt rogue.key    10.77.0.3, signed by othernet
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "cert.h"
#include "cert_issue.h"
#include "fileio.h"

#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/sha256.h>
#include <wolfssl/error-ssl.h>

#define CLOCK_SKEW (5 * 60)
#define DAY (24 * 60 * 60)
/* A clean handshake over a lossless socketpair takes a handful of rounds. */
#define HANDSHAKE_ROUNDS 50

static char tmpdir[] = "/tmp/podnet-test-cert.XXXXXX";
static char err[256];

static const char *at(const char *name)
{
	static char paths[8][256];
	static unsigned int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
	return p;
}

static struct in_addr ip(const char *text)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static int setup_files(void **state)
{
	if (!mkdtemp(tmpdir))
		return -1;
	if (wolfSSL_Init() != WOLFSSL_SUCCESS)
		return -1;
	if (cert_ca_create("testnet", 30, at("ca.crt"), at("ca.key"), err,
			   sizeof(err)) ||
	    cert_issue(at("ca.crt"), at("ca.key"), "node1", ip("10.77.0.1"),
		       365, at("node1.crt"), at("node1.key"), err,
		       sizeof(err)) ||
	    cert_issue(at("ca.crt"), at("ca.key"), "node2", ip("10.77.0.2"),
		       365, at("node2.crt"), at("node2.key"), err,
		       sizeof(err)) ||
	    cert_ca_create("othernet", 30, at("other-ca.crt"),
			   at("other-ca.key"), err, sizeof(err)) ||
	    cert_issue(at("other-ca.crt"), at("other-ca.key"), "rogue",
		       ip("10.77.0.3"), 365, at("rogue.crt"), at("rogue.key"),
		       err, sizeof(err))) {
		fprintf(stderr, "setup: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown_files(void **state)
{
	DIR *d = opendir(tmpdir);
	struct dirent *e;

	while (d && (e = readdir(d))) {
		if (e->d_name[0] != '.')
			unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
	rmdir(tmpdir);
	wolfSSL_Cleanup();
	return 0;
}

/* DER of the first certificate in a PEM file; *len is set. */
static uint8_t *pem_file_der(const char *path, size_t *len)
{
	uint8_t pem[4096], *der;
	int fd, n, der_len;

	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, pem, sizeof(pem));
	close(fd);
	assert_true(n > 0);
	der = malloc(n);
	assert_non_null(der);
	der_len = wc_CertPemToDer(pem, n, der, n, CERT_TYPE);
	assert_true(der_len > 0);
	*len = der_len;
	return der;
}

/* ------------------------------------------------------------------------ */

static void test_name_rules(void **state)
{
	char longest[CERT_NAME_MAX], too_long[CERT_NAME_MAX + 1];

	memset(longest, 'a', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memset(too_long, 'a', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';

	assert_true(cert_name_valid("node1"));
	assert_true(cert_name_valid("edge-01.berlin_a"));
	assert_true(cert_name_valid(longest));
	assert_false(cert_name_valid(too_long));
	assert_false(cert_name_valid(""));
	assert_false(cert_name_valid(NULL));
	assert_false(cert_name_valid("a b"));
	assert_false(cert_name_valid("a/b"));
	assert_false(cert_name_valid("n\xc3\xbc"));
	assert_false(cert_name_valid("a\nb"));

	assert_int_equal(cert_issue(at("ca.crt"), at("ca.key"), "bad/name",
				    ip("10.77.0.9"), 365, at("bad.crt"),
				    at("bad.key"), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid node name"));
	assert_false(exists(at("bad.crt")));
	assert_false(exists(at("bad.key")));

	assert_int_equal(cert_ca_create(too_long, 30, at("bad.crt"),
					at("bad.key"), err, sizeof(err)), -1);
	assert_false(exists(at("bad.key")));
}

static void test_bad_address_and_days(void **state)
{
	static const char *const unusable[] = {
		"0.0.0.0", "127.0.0.1", "224.0.0.1", "239.1.2.3",
		"255.255.255.255",
	};
	size_t i;

	for (i = 0; i < sizeof(unusable) / sizeof(unusable[0]); i++) {
		assert_int_equal(cert_issue(at("ca.crt"), at("ca.key"), "n",
					    ip(unusable[i]), 365, at("n.crt"),
					    at("n.key"), err, sizeof(err)),
				 -1);
		assert_false(exists(at("n.key")));
	}
	assert_int_equal(cert_issue(at("ca.crt"), at("ca.key"), "n",
				    ip("10.0.0.1"), 0, at("n.crt"), at("n.key"),
				    err, sizeof(err)), -1);
	assert_int_equal(cert_ca_create("n", CERT_DAYS_MAX + 1, at("n.crt"),
					at("n.key"), err, sizeof(err)), -1);
	assert_false(exists(at("n.key")));
}

/* Routed subnets: one spelling per prefix, nothing else. */
static void test_route_parse(void **state)
{
	static const char *bad[] = {
		"192.168.50.1/24", "192.168.50.0", "192.168.50.0/0",
		"192.168.50.0/33", "192.168.50.0/024", "192.168.50.0/24/1",
		"192.168.050.0/24", "192.168.50.0/", "/24",
		"192.168.50.0/2x", " 192.168.50.0/24",
		"fd99::1/64", "fd99::/129", "fd99::/0", "fd99:0::/64",
		"FD99::/64", "fd99::/064", "::ffff:1.2.3.0/120x",
	};
	static const char long6[] = "2001:db8:ffff:ffff:ffff:ffff:ffff:ff00/120";
	struct cert_route r, r2;
	char why[256], buf[CERT_ROUTE_STR_MAX];

	(void)state;
	assert_int_equal(cert_route_parse("192.168.50.0/24", 15, &r, why,
					  sizeof(why)), 0);
	assert_int_equal(r.len, 24);
	cert_route_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "192.168.50.0/24");
	assert_int_equal(cert_route_parse("10.1.2.3/32", 11, &r, why,
					  sizeof(why)), 0);
	assert_false(r.v6);
	/* IPv6, in its one spelling (RFC 5952). */
	assert_int_equal(cert_route_parse("fd99::/64", 9, &r, why,
					  sizeof(why)), 0);
	assert_true(r.v6);
	assert_int_equal(r.len, 64);
	cert_route_format(&r, buf, sizeof(buf));
	assert_string_equal(buf, "fd99::/64");
	assert_int_equal(cert_route_parse("fd99:1:2:3:4:5:6:0/112", 22, &r2,
					  why, sizeof(why)), 0);
	assert_false(cert_route_equal(&r, &r2));
	assert_int_equal(cert_route_parse("fd99:0::/64", 11, &r2, why,
					  sizeof(why)), -1);
	assert_non_null(strstr(why, "write the network as fd99::"));
	assert_int_equal(cert_route_parse(long6, strlen(long6), &r2, why,
					  sizeof(why)), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		assert_int_equal(cert_route_parse(bad[i], strlen(bad[i]), &r,
						  why, sizeof(why)), -1);
		assert_true(why[0] != '\0');
	}
}

static void test_key_mode_ignores_umask(void **state)
{
	mode_t old = umask(0);
	struct stat st;

	assert_int_equal(cert_ca_create("umask", 30, at("u-ca.crt"),
					at("u-ca.key"), err, sizeof(err)), 0);
	assert_int_equal(cert_issue(at("u-ca.crt"), at("u-ca.key"), "u",
				    ip("10.1.0.1"), 30, at("u.crt"), at("u.key"),
				    err, sizeof(err)), 0);
	umask(old);

	assert_int_equal(stat(at("u-ca.key"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(at("u.key"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	/* Certificates are public. */
	assert_int_equal(stat(at("u.crt"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void test_refuses_to_overwrite(void **state)
{
	size_t before_len, after_len;
	uint8_t *before, *after;
	int fd;

	before = pem_file_der(at("ca.crt"), &before_len);
	assert_int_equal(cert_ca_create("testnet", 30, at("ca.crt"),
					at("ca.key"), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already exists"));
	after = pem_file_der(at("ca.crt"), &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	free(before);
	free(after);

	/*
	 * Only the certificate is in the way: the key file created first
	 * must be removed again, not left behind without its certificate.
	 */
	fd = open(at("half.crt"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(cert_issue(at("ca.crt"), at("ca.key"), "half",
				    ip("10.77.0.8"), 30, at("half.crt"),
				    at("half.key"), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "already exists"));
	assert_false(exists(at("half.key")));

	/* A dangling symlink is not a way to write the key elsewhere. */
	assert_int_equal(symlink(at("elsewhere.key"), at("link.key")), 0);
	assert_int_equal(cert_issue(at("ca.crt"), at("ca.key"), "link",
				    ip("10.77.0.7"), 30, at("link.crt"),
				    at("link.key"), err, sizeof(err)), -1);
	assert_false(exists(at("elsewhere.key")));
	assert_false(exists(at("link.crt")));
}

static void test_ca_key_must_match(void **state)
{
	assert_int_equal(cert_issue(at("ca.crt"), at("other-ca.key"), "mix",
				    ip("10.77.0.6"), 30, at("mix.crt"),
				    at("mix.key"), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "does not belong"));
	assert_false(exists(at("mix.key")));

	/* A node certificate cannot act as a CA. */
	assert_int_equal(cert_issue(at("node1.crt"), at("node1.key"), "sub",
				    ip("10.77.0.6"), 30, at("sub.crt"),
				    at("sub.key"), err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a CA"));
}

static void test_identity(void **state)
{
	struct cert_identity id, ca;
	uint8_t digest[WC_SHA256_DIGEST_SIZE];
	time_t now = time(NULL);
	uint8_t *der;
	size_t len;

	assert_int_equal(cert_identity_from_file(at("ca.crt"), &ca, err,
						 sizeof(err)), 0);
	assert_string_equal(ca.name, "testnet");
	assert_string_equal(ca.issuer, "testnet");
	assert_true(ca.is_ca);
	assert_false(ca.has_vaddr);
	assert_string_equal(ca.key_type, "Ed25519");

	assert_int_equal(cert_identity_from_file(at("node1.crt"), &id, err,
						 sizeof(err)), 0);
	assert_string_equal(id.name, "node1");
	assert_string_equal(id.issuer, "testnet");
	assert_true(id.has_vaddr);
	assert_int_equal(id.vaddr.s_addr, ip("10.77.0.1").s_addr);
	assert_false(id.is_ca);
	assert_string_equal(id.key_type, "Ed25519");
	assert_true(id.not_before <= now - CLOCK_SKEW + 5);
	assert_true(id.not_before >= now - CLOCK_SKEW - 120);
	assert_true(id.not_before >= ca.not_before);
	/* Asked for 365 days, but the CA only lives 30: clamped to the CA. */
	assert_int_equal(id.not_after, ca.not_after);
	assert_true(ca.not_after >= now + 30 * DAY - 120);
	assert_true(ca.not_after <= now + 30 * DAY);

	der = pem_file_der(at("node1.crt"), &len);
	assert_int_equal(wc_Sha256Hash(der, len, digest), 0);
	assert_memory_equal(id.fingerprint, digest, sizeof(digest));
	memset(&id, 0, sizeof(id));
	assert_int_equal(cert_identity_from_der(der, len, &id, err,
						sizeof(err)), 0);
	assert_string_equal(id.name, "node1");
	free(der);

	/* A validity shorter than the CA's is kept as asked. */
	assert_int_equal(cert_issue(at("ca.crt"), at("ca.key"), "short",
				    ip("10.77.0.5"), 2, at("short.crt"),
				    at("short.key"), err, sizeof(err)), 0);
	assert_int_equal(cert_identity_from_file(at("short.crt"), &id, err,
						 sizeof(err)), 0);
	assert_true(id.not_after >= now + 2 * DAY);
	assert_true(id.not_after <= time(NULL) + 2 * DAY);
}

static void test_key_file_is_not_a_certificate(void **state)
{
	struct cert_identity id;

	assert_int_equal(cert_identity_from_file(at("node1.key"), &id, err,
						 sizeof(err)), -1);
	assert_non_null(strstr(err, "private key, not a certificate"));
	assert_int_equal(cert_identity_from_file(at("missing.crt"), &id, err,
						 sizeof(err)), -1);
	assert_int_equal(cert_identity_from_file(tmpdir, &id, err,
						 sizeof(err)), -1);
}

/* The file layer under both: bounds, no clobbering, complete writes. */
static void test_fileio(void **state)
{
	static const char text[] = "0123456789";
	uint8_t *buf;
	size_t len;
	int fd;

	fd = fileio_create_new(at("f.txt"), 0644, false, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(fileio_write_close(fd, at("f.txt"), text, 10, err,
					    sizeof(err)), 0);
	assert_int_equal(fileio_read_small(at("f.txt"), 10, &buf, &len, err,
					   sizeof(err)), 0);
	assert_int_equal(len, 10);
	assert_memory_equal(buf, text, 10);
	/* The spare byte that lets callers search the text. */
	assert_int_equal(buf[10], '\0');
	fileio_free_wiped(buf, len);
	fileio_free_wiped(NULL, 0);

	assert_int_equal(fileio_read_small(at("f.txt"), 9, &buf, &len, err,
					   sizeof(err)), -1);
	assert_non_null(strstr(err, "unexpected size 10 bytes"));
	assert_int_equal(fileio_read_small(tmpdir, 10, &buf, &len, err,
					   sizeof(err)), -1);
	assert_non_null(strstr(err, "not a regular file"));

	assert_int_equal(fileio_create_new(at("f.txt"), 0600, true, err,
					   sizeof(err)), -1);
	assert_non_null(strstr(err, "already exists"));
	assert_int_equal(symlink(at("f-target.txt"), at("f-link.txt")), 0);
	assert_int_equal(fileio_create_new(at("f-link.txt"), 0600, true, err,
					   sizeof(err)), -1);
	assert_false(exists(at("f-target.txt")));

	/* An empty file is never one of ours. */
	fd = fileio_create_new(at("empty.txt"), 0644, false, err, sizeof(err));
	assert_true(fd >= 0);
	assert_int_equal(fileio_write_close(fd, at("empty.txt"), "", 0, err,
					    sizeof(err)), 0);
	assert_int_equal(fileio_read_small(at("empty.txt"), 10, &buf, &len, err,
					   sizeof(err)), -1);
	assert_non_null(strstr(err, "unexpected size 0 bytes"));
}

static void test_garbage_is_rejected(void **state)
{
	struct cert_identity id;
	uint8_t *der, *buf, junk[512];
	unsigned int seed = 1;
	size_t len, i;

	assert_int_equal(cert_identity_from_der(NULL, 10, &id, err,
						sizeof(err)), -1);
	assert_int_equal(cert_identity_from_der(junk, 0, &id, NULL, 0), -1);

	der = pem_file_der(at("node1.crt"), &len);
	buf = malloc(len + 1);
	assert_non_null(buf);

	/* Every truncation fails; copied so ASan sees reads past the end. */
	for (i = 0; i < len; i++) {
		uint8_t *cut = malloc(i ? i : 1);

		assert_non_null(cut);
		memcpy(cut, der, i);
		assert_int_equal(cert_identity_from_der(cut, i, &id, err,
							sizeof(err)), -1);
		free(cut);
	}
	/* Trailing bytes would give one certificate two fingerprints. */
	memcpy(buf, der, len);
	buf[len] = 0;
	assert_int_equal(cert_identity_from_der(buf, len + 1, &id, err,
						sizeof(err)), -1);

	/* Corrupt each byte in turn: any result is fine, crashing is not. */
	for (i = 0; i < len; i++) {
		memcpy(buf, der, len);
		buf[i] ^= 0xff;
		cert_identity_from_der(buf, len, &id, err, sizeof(err));
		buf[i] ^= 0x5a;
		cert_identity_from_der(buf, len, &id, err, sizeof(err));
	}
	for (i = 0; i < 2000; i++) {
		size_t n = rand_r(&seed) % sizeof(junk), j;

		for (j = 0; j < n; j++)
			junk[j] = rand_r(&seed);
		/* Sometimes make it look like a SEQUENCE that fits. */
		if (n > 4 && (i & 1)) {
			junk[0] = 0x30;
			junk[1] = 0x82;
			junk[2] = (n - 4) >> 8;
			junk[3] = (n - 4) & 0xff;
		}
		assert_int_equal(cert_identity_from_der(junk, n, &id, err,
							sizeof(err)), -1);
	}
	free(buf);
	free(der);
}

/* ------------------------------------------------------------------------ */
/* DTLS 1.2 between two nodes in this process, over a datagram socketpair.  */

struct dtls_end {
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
	int fd;
	bool done;
	int error;
};

/* One datagram per call, as the daemon's callbacks will do it. */
static int dgram_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	ssize_t n = recv(*(int *)ctx, buf, sz, MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN ? WOLFSSL_CBIO_ERR_WANT_READ :
					 WOLFSSL_CBIO_ERR_GENERAL;
	return n;
}

static int dgram_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	ssize_t n = send(*(int *)ctx, buf, sz, 0);

	return n < 0 ? WOLFSSL_CBIO_ERR_GENERAL : (int)n;
}

static void dtls_end_init(struct dtls_end *end, bool server, int fd,
			  const char *ca, const char *crt, const char *key)
{
	WOLFSSL_CTX *ctx;

	memset(end, 0, sizeof(*end));
	end->fd = fd;
	ctx = wolfSSL_CTX_new(server ? wolfDTLSv1_2_server_method() :
				       wolfDTLSv1_2_client_method());
	assert_non_null(ctx);
	assert_int_equal(wolfSSL_CTX_load_verify_locations(ctx, ca, NULL),
			 WOLFSSL_SUCCESS);
	if (crt) {
		assert_int_equal(wolfSSL_CTX_use_certificate_file(ctx, crt,
						WOLFSSL_FILETYPE_PEM),
				 WOLFSSL_SUCCESS);
		assert_int_equal(wolfSSL_CTX_use_PrivateKey_file(ctx, key,
						WOLFSSL_FILETYPE_PEM),
				 WOLFSSL_SUCCESS);
	}
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER |
			       WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	assert_int_equal(wolfSSL_CTX_set_cipher_list(ctx,
				"ECDHE-ECDSA-CHACHA20-POLY1305"),
			 WOLFSSL_SUCCESS);
	assert_int_equal(wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_X25519),
			 WOLFSSL_SUCCESS);
	wolfSSL_CTX_SetIORecv(ctx, dgram_recv);
	wolfSSL_CTX_SetIOSend(ctx, dgram_send);

	end->ctx = ctx;
	end->ssl = wolfSSL_new(ctx);
	assert_non_null(end->ssl);
	wolfSSL_SetIOReadCtx(end->ssl, &end->fd);
	wolfSSL_SetIOWriteCtx(end->ssl, &end->fd);
	wolfSSL_dtls_set_using_nonblock(end->ssl, 1);
}

static void dtls_end_free(struct dtls_end *end)
{
	wolfSSL_free(end->ssl);
	wolfSSL_CTX_free(end->ctx);
	close(end->fd);
}

static void dtls_step(struct dtls_end *end, bool server)
{
	int ret, e;

	if (end->done || end->error)
		return;
	ret = server ? wolfSSL_accept(end->ssl) : wolfSSL_connect(end->ssl);
	if (ret == WOLFSSL_SUCCESS) {
		end->done = true;
		return;
	}
	e = wolfSSL_get_error(end->ssl, ret);
	if (e != WOLFSSL_ERROR_WANT_READ && e != WOLFSSL_ERROR_WANT_WRITE)
		end->error = e;
}

/* Both ends take turns until both finish or either gives up. */
static bool dtls_handshake(struct dtls_end *client, struct dtls_end *server)
{
	int round;

	for (round = 0; round < HANDSHAKE_ROUNDS; round++) {
		dtls_step(client, false);
		dtls_step(server, true);
		if (client->error || server->error)
			return false;
		if (client->done && server->done)
			return true;
	}
	return false;
}

static void dtls_pair(struct dtls_end *client, struct dtls_end *server,
		      const char *client_ca, const char *client_crt,
		      const char *client_key, const char *server_ca,
		      const char *server_crt, const char *server_key)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv), 0);
	dtls_end_init(client, false, sv[0], client_ca, client_crt,
		      client_key);
	dtls_end_init(server, true, sv[1], server_ca, server_crt, server_key);
}

static void test_dtls_mutual_auth(void **state)
{
	struct dtls_end client, server;
	struct cert_identity id;
	char reply[16];

	dtls_pair(&client, &server, at("ca.crt"), at("node1.crt"),
		  at("node1.key"), at("ca.crt"), at("node2.crt"),
		  at("node2.key"));

	/* Nobody is authenticated before the handshake. */
	assert_int_equal(cert_identity_from_ssl(client.ssl, &id, err,
						sizeof(err)), -1);

	assert_true(dtls_handshake(&client, &server));
	assert_string_equal(wolfSSL_get_cipher_name(client.ssl),
			    "ECDHE-ECDSA-CHACHA20-POLY1305");
	assert_string_equal(wolfSSL_get_cipher_name(server.ssl),
			    "ECDHE-ECDSA-CHACHA20-POLY1305");
	assert_string_equal(wolfSSL_get_curve_name(client.ssl), "X25519");

	/* Each side sees the other's name and address. */
	assert_int_equal(cert_identity_from_ssl(client.ssl, &id, err,
						sizeof(err)), 0);
	assert_string_equal(id.name, "node2");
	assert_true(id.has_vaddr);
	assert_int_equal(id.vaddr.s_addr, ip("10.77.0.2").s_addr);
	assert_string_equal(id.issuer, "testnet");
	assert_int_equal(cert_identity_from_ssl(server.ssl, &id, err,
						sizeof(err)), 0);
	assert_string_equal(id.name, "node1");
	assert_int_equal(id.vaddr.s_addr, ip("10.77.0.1").s_addr);

	/* And the session carries data. */
	assert_int_equal(wolfSSL_write(client.ssl, "ping", 4), 4);
	assert_int_equal(wolfSSL_read(server.ssl, reply, sizeof(reply)), 4);
	assert_memory_equal(reply, "ping", 4);

	dtls_end_free(&client);
	dtls_end_free(&server);
}

static void test_dtls_rejects_foreign_server(void **state)
{
	struct dtls_end client, server;

	dtls_pair(&client, &server, at("ca.crt"), at("node1.crt"),
		  at("node1.key"), at("ca.crt"), at("rogue.crt"),
		  at("rogue.key"));
	assert_false(dtls_handshake(&client, &server));
	assert_int_equal(client.error, ASN_NO_SIGNER_E);
	assert_false(client.done);
	dtls_end_free(&client);
	dtls_end_free(&server);
}

static void test_dtls_rejects_foreign_client(void **state)
{
	struct dtls_end client, server;

	dtls_pair(&client, &server, at("ca.crt"), at("rogue.crt"),
		  at("rogue.key"), at("ca.crt"), at("node2.crt"),
		  at("node2.key"));
	assert_false(dtls_handshake(&client, &server));
	assert_int_equal(server.error, ASN_NO_SIGNER_E);
	assert_false(server.done);
	dtls_end_free(&client);
	dtls_end_free(&server);
}

static void test_dtls_requires_client_cert(void **state)
{
	struct dtls_end client, server;

	dtls_pair(&client, &server, at("ca.crt"), NULL, NULL, at("ca.crt"),
		  at("node2.crt"), at("node2.key"));
	assert_false(dtls_handshake(&client, &server));
	assert_false(server.done);
	assert_true(server.error != 0);
	dtls_end_free(&client);
	dtls_end_free(&server);
}

/* An unverified chain is not an identity, even after a good handshake. */
static void test_dtls_identity_needs_verification(void **state)
{
	struct dtls_end client, server;
	struct cert_identity id;

	dtls_pair(&client, &server, at("ca.crt"), at("node1.crt"),
		  at("node1.key"), at("ca.crt"), at("node2.crt"),
		  at("node2.key"));
	wolfSSL_set_verify(client.ssl, WOLFSSL_VERIFY_NONE, NULL);
	assert_true(dtls_handshake(&client, &server));
	assert_int_equal(cert_identity_from_ssl(client.ssl, &id, err,
						sizeof(err)), -1);
	assert_non_null(strstr(err, "does not verify"));
	assert_int_equal(cert_identity_from_ssl(server.ssl, &id, err,
						sizeof(err)), 0);
	assert_string_equal(id.name, "node1");
	dtls_end_free(&client);
	dtls_end_free(&server);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_rules),
		cmocka_unit_test(test_bad_address_and_days),
		cmocka_unit_test(test_route_parse),
		cmocka_unit_test(test_key_mode_ignores_umask),
		cmocka_unit_test(test_refuses_to_overwrite),
		cmocka_unit_test(test_ca_key_must_match),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_key_file_is_not_a_certificate),
		cmocka_unit_test(test_fileio),
		cmocka_unit_test(test_garbage_is_rejected),
		cmocka_unit_test(test_dtls_mutual_auth),
		cmocka_unit_test(test_dtls_rejects_foreign_server),
		cmocka_unit_test(test_dtls_rejects_foreign_client),
		cmocka_unit_test(test_dtls_requires_client_cert),
		cmocka_unit_test(test_dtls_identity_needs_verification),
	};

	return cmocka_run_group_tests(tests, setup_files, teardown_files);
}
