/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * What `podnet join` and the enrollment service (`podnet ca serve`) say
 * to each other inside their TLS connection. One request, one answer:
 *
 *   request:  PODNET-JOIN 1\n
 *             id <16 hex>\n  secret <32 hex>\n  name <name>\n
 *             address <A/P>\n  key <64 hex: Ed25519 public key>\n  \n
 *
 *   answer:   PODNET-JOIN 1 error <text>\n
 *        or   PODNET-JOIN 1 ok\n
 *             certificate <len>\n<len bytes: PEM>
 *             ca <len>\n<len bytes: PEM>
 *             [revocation <len>\n<len bytes: the signed list>]
 *             [rendezvous <name> <IP:port>\n]...   (at most JOIN_RV_MAX)
 *             end\n
 *
 * The parsers take bytes from the other end, the request's from anyone
 * who reaches the service: they check every field and never read past
 * the buffer.
 */
#ifndef _PODNET_JOIN_PROTO_H
#define _PODNET_JOIN_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "cert.h"
#include "token.h"

#define JOIN_MAGIC "PODNET-JOIN 1"
#define JOIN_REQUEST_MAX 1024
#define JOIN_RESPONSE_MAX (32 * 1024)
#define JOIN_ERROR_MAX 256
#define JOIN_RV_MAX 4

struct join_request {
	uint8_t id[TOKEN_ID_LEN];
	uint8_t secret[TOKEN_SECRET_LEN];
	char name[CERT_NAME_MAX];
	struct token_addr address;
	uint8_t pub[CERT_ED25519_PUB_LEN];
};

struct join_rendezvous {
	char name[CERT_NAME_MAX];
	struct endpoint endpoint;
};

/* The answer; the blobs point into the buffer it was parsed from. */
struct join_response {
	bool ok;
	char error[JOIN_ERROR_MAX];
	const uint8_t *cert, *ca, *revocation;
	size_t cert_len, ca_len, revocation_len;
	struct join_rendezvous rv[JOIN_RV_MAX];
	size_t n_rv;
};

/* Returns the length written, or -1 if out is too small. */
int join_request_encode(const struct join_request *req, char *out,
			size_t outlen);
/*
 * Whether buf holds a whole request yet (the blank line that ends it): 1
 * yes, 0 not yet, -1 never (too long or not ours).
 */
int join_request_complete(const char *buf, size_t len);
int join_request_parse(const char *buf, size_t len, struct join_request *req,
		       char *err, size_t errlen);

int join_response_encode_error(char *out, size_t outlen, const char *msg);
int join_response_encode_ok(const struct join_response *resp, uint8_t *out,
			    size_t outlen);
int join_response_parse(const uint8_t *buf, size_t len,
			struct join_response *resp, char *err, size_t errlen);

#endif /* _PODNET_JOIN_PROTO_H */
