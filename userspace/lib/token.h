/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * One-time join tokens (podnet invite / podnet join; doc/identity.md,
 * "Joining with a token"). A token is "podnet1-" and the base64url of:
 *
 *   version 1|2 (1) | id (8) | secret (16) | expires (8, Unix s, BE)
 *   | CA fingerprint (32, SHA-256 of the DER CA certificate)
 *   | address: family 4|6 (1), 4 or 16 bytes, prefix length (1)
 *   | version 2 only: a second address, IPv6 after IPv4: 6 (1), 16
 *     bytes, prefix length (1)
 *   | service: family 4|6 (1), 4 or 16 bytes, port (2, BE)
 *   | name length (1) | name | MAC (16)
 *
 * MAC = the first 16 bytes of HMAC-SHA256(secret, everything before it),
 * so that a token mangled in transit is refused before anything is sent.
 * It is no protection against the token's holder, who knows the secret:
 * the enrollment service looks the token's fields up by its id.
 */
#ifndef _PODNET_TOKEN_H
#define _PODNET_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "addr.h"
#include "cert.h"

#define TOKEN_PREFIX "podnet1-"
#define TOKEN_VERSION 1
#define TOKEN_VERSION_DUAL 2		/* with an IPv6 address after the IPv4 */
#define TOKEN_ID_LEN 8
#define TOKEN_SECRET_LEN 16		/* 128 bits */
#define TOKEN_FP_LEN 32
#define TOKEN_MAC_LEN 16
#define TOKEN_BIN_MAX 200
#define TOKEN_TEXT_MAX 300
#define TOKEN_ID_HEX (2 * TOKEN_ID_LEN + 1)

/*
 * A node's virtual addresses as tokens, invitations and join requests
 * carry them: the one place that knows an address family. One IPv4 or
 * one IPv6 address (family), or both: IPv4 in family and bytes, and the
 * IPv6 one in has6, bytes6.
 */
struct token_addr {
	int family;			/* AF_INET or AF_INET6 */
	uint8_t bytes[16];
	uint8_t prefixlen;
	bool has6;			/* family AF_INET, and this too */
	uint8_t bytes6[16];
	uint8_t prefixlen6;
};

#define TOKEN_ADDR_DEFAULT_PREFIX4 24
#define TOKEN_ADDR_DEFAULT_PREFIX6 64
#define TOKEN_ADDR_STR_MAX (INET_ADDRSTRLEN + 4 + INET6_ADDRSTRLEN + 5)

/* "A.B.C.D[/P]" (default /24), "IPv6[/P]" (default /64), or both:
 * "A.B.C.D[/P],IPv6[/P]" (a space after the comma is fine). */
int token_addr_parse(const char *s, struct token_addr *a, char *err,
		     size_t errlen);
/* "A.B.C.D/P", "IPv6/P" or "A.B.C.D/P,IPv6/P"; without "/P" if not
 * prefix. */
const char *token_addr_format(const struct token_addr *a, bool prefix,
			      char *buf, size_t len);
/* The first address alone (IPv4 when there are two), without prefix:
 * what the CA's index records. */
const char *token_addr_host(const struct token_addr *a, char *buf,
			    size_t len);
bool token_addr_equal(const struct token_addr *a, const struct token_addr *b);
/* The IPv4 address, if that is what a holds. */
bool token_addr_ipv4(const struct token_addr *a, struct in_addr *out);

struct token {
	uint8_t id[TOKEN_ID_LEN];
	uint8_t secret[TOKEN_SECRET_LEN];
	uint64_t expires;
	uint8_t ca_fp[TOKEN_FP_LEN];
	struct token_addr address;
	struct endpoint service;
	char name[CERT_NAME_MAX];
};

/* Both return 0, or -1 with the reason in err (never the secret). */
int token_encode(const struct token *t, char *out, size_t outlen, char *err,
		 size_t errlen);
int token_decode(const char *text, struct token *t, char *err,
		 size_t errlen);

/* Random id and secret. */
int token_fill_random(struct token *t, char *err, size_t errlen);

void token_hex(const uint8_t *p, size_t len, char *out);
int token_unhex(const char *s, uint8_t *out, size_t len);
/* SHA-256 of the secret: what the CA directory keeps instead of it. */
int token_secret_hash(const uint8_t secret[TOKEN_SECRET_LEN],
		      uint8_t out[32]);
/* Compares without a timing side channel. */
bool token_equal_ct(const uint8_t *a, const uint8_t *b, size_t len);

#endif /* _PODNET_TOKEN_H */
