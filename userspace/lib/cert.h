/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Network identity: a CA per network and one certificate per node that binds
 * the node's name (subject CN) and virtual addresses (SAN IPs: one IPv4
 * and/or one IPv6). Keys are Ed25519.
 * Files are PEM. This is the reading side, which the daemon needs; issuing
 * certificates and keys is in cert_issue.h.
 */
#ifndef _PODNET_CERT_H
#define _PODNET_CERT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <time.h>
#include <netinet/in.h>

/* options.h must come first: it selects the layout of wolfSSL's structs. */
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#define CERT_NAME_MAX 64
#define CERT_DAYS_MAX 36500	/* 100 years; ASN.1 dates end at 9999 anyway */
/* Nothing podnet writes comes near this; anything bigger is not ours. */
#define CERT_FILE_SIZE_MAX (64 * 1024)
#define CERT_ED25519_PUB_LEN 32

/*
 * Subnets routed behind a node (site-to-site): SAN URIs
 * "podnet:route:NET/LEN", signed with the rest of the certificate
 * (doc/identity.md), IPv4 or IPv6.
 */
#define CERT_ROUTES_MAX 8
#define CERT_ROUTE_URI_PREFIX "podnet:route:"

struct cert_route {
	bool v6;
	struct in_addr net;	/* IPv4: host bits zero; IPv6: 0 */
	struct in6_addr net6;	/* IPv6: host bits zero; IPv4: :: */
	uint8_t len;		/* 1..32, or 1..128 for IPv6 */
};

/* "NET/LEN" of either family, with its NUL. */
#define CERT_ROUTE_STR_MAX 52

/* Parses "NET/LEN" (len bytes of text, no NUL needed) strictly: an IPv4
 * network in dotted quad (prefix 1..32) or an IPv6 one (1..128), no host
 * bits. 0 or -1 with err. */
int cert_route_parse(const char *text, size_t len, struct cert_route *r,
		     char *err, size_t errlen);
/* "NET/LEN" into buf (CERT_ROUTE_STR_MAX bytes). */
void cert_route_format(const struct cert_route *r, char *buf, size_t len);
bool cert_route_equal(const struct cert_route *a, const struct cert_route *b);

struct cert_identity {
	char name[CERT_NAME_MAX];	/* subject CN */
	char issuer[CERT_NAME_MAX];	/* issuer CN */
	bool has_vaddr;
	struct in_addr vaddr;		/* first SAN IP (IPv4) */
	bool has_vaddr6;
	struct in6_addr vaddr6;		/* first SAN IP of 16 bytes (IPv6) */
	size_t nroutes;
	struct cert_route routes[CERT_ROUTES_MAX];
	bool is_ca;
	time_t not_before;
	time_t not_after;
	char key_type[16];		/* "Ed25519", "P-256", ... */
	uint8_t fingerprint[32];	/* SHA-256 of the DER certificate */
};

/*
 * All functions return 0 on success, -1 on failure with a human-readable
 * reason in err (never containing key material).
 */
int cert_identity_from_der(const uint8_t *der, size_t len,
			   struct cert_identity *id, char *err, size_t errlen);
int cert_identity_from_file(const char *path, struct cert_identity *id,
			    char *err, size_t errlen);

/*
 * The verified peer's identity after a DTLS handshake: parses the leaf of the
 * peer's chain. Fails unless the handshake has finished and the session was
 * set up with SSL_VERIFY_PEER, because only then has wolfSSL checked that
 * chain against the network CA.
 */
int cert_identity_from_ssl(WOLFSSL *ssl, struct cert_identity *id, char *err,
			   size_t errlen);

/*
 * Parses without verifying the signature; callers that need trust get it
 * from wolfSSL's chain check. If ed25519_pub is given, the subject's raw
 * Ed25519 public key is copied there (it must be one).
 */
int cert_parse(const uint8_t *der, size_t len, struct cert_identity *id,
	       uint8_t ed25519_pub[CERT_ED25519_PUB_LEN], char *err,
	       size_t errlen);

/*
 * Reads a certificate file: PEM (the first certificate in it) or raw DER.
 * On success *der is a malloc'd buffer holding exactly one certificate.
 */
int cert_load_der(const char *path, uint8_t **der, size_t *der_len,
		  char *err, size_t errlen);

/*
 * A private key file must be readable by its owner only: a key others can
 * read is refused, with the mode and the chmod that fixes it in err.
 */
int cert_key_file_check(const char *path, char *err, size_t errlen);

/* A node or CA name: 1..63 characters of [A-Za-z0-9._-]. */
bool cert_name_valid(const char *name);

#endif /* _PODNET_CERT_H */
