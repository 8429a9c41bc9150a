/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Issuing network identities (the CLI's side of cert.h): a self-signed
 * Ed25519 CA per network and one Ed25519 certificate per node. Both write
 * a new certificate file and a new private key file (always mode 0600) and
 * never overwrite an existing file; on failure neither is left behind.
 */
#ifndef _PODNET_CERT_ISSUE_H
#define _PODNET_CERT_ISSUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

#include "cert.h"

/* A node's virtual addresses: one IPv4, one IPv6, or both; and the
 * subnets routed behind it, if any. */
struct cert_addrs {
	bool has_v4;
	struct in_addr v4;
	bool has_v6;
	struct in6_addr v6;
	size_t nroutes;
	struct cert_route routes[CERT_ROUTES_MAX];
};

/* Adds a routed subnet "NET/LEN" (cert_route_parse) to addrs: no
 * duplicates, at most CERT_ROUTES_MAX. 0, or -1 with the reason in err. */
int cert_addrs_add_route(struct cert_addrs *addrs, const char *text,
			 char *err, size_t errlen);

/* Adds text (an IPv4 or IPv6 address, no prefix) to addrs: at most one of
 * each family, unicast only. 0, or -1 with the reason in err. */
int cert_addrs_add(struct cert_addrs *addrs, const char *text, char *err,
		   size_t errlen);
/* The DER subjectAltName value for addrs into out (max bytes): its length,
 * or -1 if it does not fit or addrs is empty. */
int cert_san_build(const struct cert_addrs *addrs, uint8_t *out,
		   size_t max);

/*
 * All return 0 on success, -1 on failure with a human-readable reason in
 * err (never containing key material).
 */
int cert_ca_create(const char *name, unsigned int days, const char *cert_path,
		   const char *key_path, char *err, size_t errlen);
int cert_issue(const char *ca_cert_path, const char *ca_key_path,
	       const char *name, struct in_addr vaddr, unsigned int days,
	       const char *cert_path, const char *key_path, char *err,
	       size_t errlen);
/* The same with any address set (cert_addrs_add). */
int cert_issue_addrs(const char *ca_cert_path, const char *ca_key_path,
		     const char *name, const struct cert_addrs *addrs,
		     unsigned int days, const char *cert_path,
		     const char *key_path, char *err, size_t errlen);

/*
 * Signs msg with the CA key (Ed25519, 64-byte signature) after checking that
 * the key belongs to the CA certificate: revocation lists (revocation.h).
 */
int cert_ca_sign(const char *ca_cert_path, const char *ca_key_path,
		 const uint8_t *msg, size_t len, uint8_t sig[64], char *err,
		 size_t errlen);

/*
 * Enrollment (podnet join, doc/identity.md "Joining with a token").
 * cert_key_create() makes a new Ed25519 key in key_path (a new file, mode
 * 0600) and hands back its public half. cert_issue_for_key() signs a node
 * certificate for a public key it is given (the node kept the private
 * one) and writes it as PEM into pem: returns the length or -1.
 * cert_service_identity() makes an in-memory key (PKCS#8 DER) and a
 * CA-signed serverAuth certificate (PEM) without an address, for the
 * enrollment service's TLS.
 */
#include "cert.h"

int cert_key_create(const char *key_path, uint8_t pub[CERT_ED25519_PUB_LEN],
		    char *err, size_t errlen);
int cert_issue_for_key(const char *ca_cert_path, const char *ca_key_path,
		       const char *name, struct in_addr vaddr,
		       unsigned int days,
		       const uint8_t pub[CERT_ED25519_PUB_LEN], uint8_t *pem,
		       size_t pem_max, char *err, size_t errlen);
/* The same with any address set (one IPv4 and/or one IPv6). */
int cert_issue_for_key_addrs(const char *ca_cert_path,
			     const char *ca_key_path, const char *name,
			     const struct cert_addrs *addrs, unsigned int days,
			     const uint8_t pub[CERT_ED25519_PUB_LEN],
			     uint8_t *pem, size_t pem_max, char *err,
			     size_t errlen);
int cert_service_identity(const char *ca_cert_path, const char *ca_key_path,
			  const char *name, uint8_t *cert_pem,
			  size_t cert_pem_max, int *cert_pem_len,
			  uint8_t *key_der, size_t key_der_max,
			  int *key_der_len, char *err, size_t errlen);

#endif /* _PODNET_CERT_ISSUE_H */
