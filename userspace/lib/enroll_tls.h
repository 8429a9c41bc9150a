/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The enrollment channel: TLS 1.3 over TCP between `podnet join` and the
 * enrollment service (`podnet ca serve`). The joining node has no CA
 * certificate yet, only the CA's SHA-256 fingerprint from its token, so
 * it authenticates the service itself once the handshake is done: the
 * service sends its certificate and the CA certificate; the CA's must
 * hash to the pinned fingerprint, and the service's must verify against
 * it. wolfSSL's handshake has already proved that the service holds the
 * key of the certificate it sent. No byte of the token's secret is sent
 * before that.
 */
#ifndef _PODNET_ENROLL_TLS_H
#define _PODNET_ENROLL_TLS_H

#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "addr.h"
#include "cert.h"
#include "token.h"

#define ENROLL_DEFAULT_PORT 51821
#define ENROLL_TIMEOUT_SECS 10

struct enroll_conn {
	int fd;
	WOLFSSL_CTX *ctx;
	WOLFSSL *ssl;
};

/*
 * Connects to ep and authenticates the service against ca_fp. Returns 0,
 * or -1 with the reason in err (and nothing left open).
 */
int enroll_connect(const struct endpoint *ep,
		   const uint8_t ca_fp[TOKEN_FP_LEN], unsigned int timeout_s,
		   struct enroll_conn *c, char *err, size_t errlen);
int enroll_write(struct enroll_conn *c, const void *buf, size_t len);
/* Reads until the other end closes or max bytes: returns the length, or
 * -1 (also when the answer is larger than max). */
int enroll_read_all(struct enroll_conn *c, uint8_t *buf, size_t max);
void enroll_close(struct enroll_conn *c);

/*
 * Parses a PEM certificate (one from the service, or one it signed) into
 * id and, if pub is given, its Ed25519 public key.
 */
int enroll_cert_from_pem(const uint8_t *pem, size_t len,
			 struct cert_identity *id,
			 uint8_t pub[CERT_ED25519_PUB_LEN], char *err,
			 size_t errlen);

/* Blocking socket timeouts for both directions. */
int enroll_set_timeouts(int fd, unsigned int secs);

#endif /* _PODNET_ENROLL_TLS_H */
