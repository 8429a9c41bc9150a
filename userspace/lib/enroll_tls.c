// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The joining side of the enrollment channel (enroll_tls.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "cert.h"
#include "enroll_tls.h"
#include "errbuf.h"

#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/sha256.h>

int enroll_set_timeouts(int fd, unsigned int secs)
{
	struct timeval tv = { .tv_sec = secs };

	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) < 0)
		return -1;
	return 0;
}

/* connect() with a deadline, then back to blocking with timeouts. */
static int tcp_connect(const struct endpoint *ep, unsigned int timeout_s,
		       char *err, size_t errlen)
{
	char text[ADDR_STR_MAX];
	struct pollfd pfd;
	socklen_t sl = sizeof(int);
	int fd, soerr = 0;

	endpoint_format(ep, text, sizeof(text));
	fd = socket(ep->sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    0);
	if (fd < 0)
		return errbuf_fail(err, errlen, "socket: %s", strerror(errno));
	if (connect(fd, &ep->sa, ep->len) < 0 && errno != EINPROGRESS) {
		soerr = errno;
		goto fail;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&pfd, 1, (int)timeout_s * 1000) != 1) {
		soerr = ETIMEDOUT;
		goto fail;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr)
		goto fail;
	if (fcntl(fd, F_SETFL, 0) < 0 || enroll_set_timeouts(fd, timeout_s)) {
		soerr = errno;
		goto fail;
	}
	return fd;

fail:
	close(fd);
	return errbuf_fail(err, errlen,
			   "cannot reach the enrollment service at %s: %s",
			   text, strerror(soerr));
}

/*
 * The pin: some certificate after the leaf in the service's chain must be
 * a CA whose SHA-256 is ca_fp, and the leaf must verify against it alone.
 */
static int check_pin(WOLFSSL *ssl, const uint8_t ca_fp[TOKEN_FP_LEN],
		     char *err, size_t errlen)
{
	WOLFSSL_X509_CHAIN *chain = wolfSSL_get_peer_chain(ssl);
	WOLFSSL_CERT_MANAGER *cm;
	const unsigned char *leaf = NULL, *der;
	uint8_t fp[WC_SHA256_DIGEST_SIZE];
	struct cert_identity id;
	int i, n, leaf_len = 0, len, ret = -1;
	char why[128];

	n = chain ? wolfSSL_get_chain_count(chain) : 0;
	if (n < 2)
		return errbuf_fail(err, errlen,
				   "the enrollment service sent no CA certificate");
	leaf = wolfSSL_get_chain_cert(chain, 0);
	leaf_len = wolfSSL_get_chain_length(chain, 0);
	for (i = 1; i < n; i++) {
		der = wolfSSL_get_chain_cert(chain, i);
		len = wolfSSL_get_chain_length(chain, i);
		if (!der || len <= 0 || wc_Sha256Hash(der, (word32)len, fp))
			continue;
		if (!token_equal_ct(fp, ca_fp, TOKEN_FP_LEN))
			continue;
		if (cert_parse(der, (size_t)len, &id, NULL, why,
			       sizeof(why)) < 0 || !id.is_ca)
			break;
		cm = wolfSSL_CertManagerNew();
		if (!cm)
			break;
		if (wolfSSL_CertManagerLoadCABuffer(cm, der, len,
						    WOLFSSL_FILETYPE_ASN1) ==
			    WOLFSSL_SUCCESS &&
		    leaf &&
		    wolfSSL_CertManagerVerifyBuffer(cm, leaf, leaf_len,
						    WOLFSSL_FILETYPE_ASN1) ==
			    WOLFSSL_SUCCESS)
			ret = 0;
		wolfSSL_CertManagerFree(cm);
		break;
	}
	if (ret)
		errbuf_fail(err, errlen,
			    "the enrollment service is not of this network: its certificate does not chain to the CA the token names (wrong address, or someone in between)");
	return ret;
}

int enroll_connect(const struct endpoint *ep,
		   const uint8_t ca_fp[TOKEN_FP_LEN], unsigned int timeout_s,
		   struct enroll_conn *c, char *err, size_t errlen)
{
	char text[ADDR_STR_MAX];
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = tcp_connect(ep, timeout_s, err, errlen);	/* or -1 */
	if (c->fd < 0)
		return -1;
	c->ctx = wolfSSL_CTX_new(wolfTLSv1_3_client_method());
	if (!c->ctx) {
		errbuf_fail(err, errlen, "cannot create a TLS context");
		goto fail;
	}
	/* Verified by check_pin() below, against the token's CA only. */
	wolfSSL_CTX_set_verify(c->ctx, WOLFSSL_VERIFY_NONE, NULL);
	c->ssl = wolfSSL_new(c->ctx);
	if (!c->ssl || wolfSSL_set_fd(c->ssl, c->fd) != WOLFSSL_SUCCESS) {
		errbuf_fail(err, errlen, "cannot create a TLS session");
		goto fail;
	}
	ret = wolfSSL_connect(c->ssl);
	if (ret != WOLFSSL_SUCCESS) {
		char reason[WOLFSSL_MAX_ERROR_SZ];

		wolfSSL_ERR_error_string_n(wolfSSL_get_error(c->ssl, ret),
					   reason, sizeof(reason));
		errbuf_fail(err, errlen,
			    "TLS handshake with the enrollment service at %s failed: %s",
			    endpoint_format(ep, text, sizeof(text)), reason);
		goto fail;
	}
	if (check_pin(c->ssl, ca_fp, err, errlen) < 0)
		goto fail;
	return 0;

fail:
	enroll_close(c);
	return -1;
}

int enroll_write(struct enroll_conn *c, const void *buf, size_t len)
{
	return wolfSSL_write(c->ssl, buf, (int)len) == (int)len ? 0 : -1;
}

int enroll_read_all(struct enroll_conn *c, uint8_t *buf, size_t max)
{
	size_t len = 0;
	int n;

	for (;;) {
		if (len == max)
			return -1;
		n = wolfSSL_read(c->ssl, buf + len, (int)(max - len));
		if (n > 0) {
			len += (size_t)n;
			continue;
		}
		n = wolfSSL_get_error(c->ssl, n);
		if (n == WOLFSSL_ERROR_ZERO_RETURN || n == SOCKET_PEER_CLOSED_E)
			return (int)len;
		/* A peer that closes without close_notify: take what came;
		 * the parser wants the whole answer. */
		return len ? (int)len : -1;
	}
}

void enroll_close(struct enroll_conn *c)
{
	if (c->ssl) {
		wolfSSL_shutdown(c->ssl);
		wolfSSL_free(c->ssl);
	}
	if (c->ctx)
		wolfSSL_CTX_free(c->ctx);
	if (c->fd >= 0)
		close(c->fd);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

int enroll_cert_from_pem(const uint8_t *pem, size_t len,
			 struct cert_identity *id,
			 uint8_t pub[CERT_ED25519_PUB_LEN], char *err,
			 size_t errlen)
{
	uint8_t der[4096];
	int n;

	if (len > sizeof(der) * 2)
		return errbuf_fail(err, errlen, "certificate too large");
	n = wc_CertPemToDer(pem, (int)len, der, sizeof(der), CERT_TYPE);
	if (n <= 0)
		return errbuf_fail(err, errlen, "not a PEM certificate");
	return cert_parse(der, (size_t)n, id, pub, err, errlen);
}
