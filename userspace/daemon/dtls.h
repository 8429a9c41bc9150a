/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The wolfSSL contexts of the two DTLS roles (dtls.c).
 */
#ifndef _PODNET_DTLS_H
#define _PODNET_DTLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

struct config;
struct dtls_failure;
struct node;

/* The node's part (node->dtls). */
struct node_dtls {
	WOLFSSL_CTX *client_ctx;
	WOLFSSL_CTX *server_ctx;
	uint8_t cookie_secret[32];	/* kept across reloads */
};

int dtls_contexts_create(struct node *node, char *err, size_t errlen);
/* The wolfSSL cipher list in effect: Ciphers, or the build's default. */
const char *dtls_cipher_list(const struct config *cfg);
/* "assembly" (make WOLFSSL=asm) or "portable" (Debian's wolfSSL) */
const char *dtls_crypto_code(void);
void dtls_contexts_free(struct node *node);
/*
 * The certificate (parsed, not trusted) and reason of the last refusal by
 * the verify callback, if it was ssl's: fills those fields of f, once.
 */
bool dtls_refusal_take(const WOLFSSL *ssl, struct dtls_failure *f);
/* Before each handshake step: no refusal of an earlier one is left for a
 * new session that wolfSSL allocates at the same address. */
void dtls_refusal_forget(void);

#endif /* _PODNET_DTLS_H */
