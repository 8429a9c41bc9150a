/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Network identity: a CA per network and one certificate per node that binds
 * the node's name (subject CN) and virtual address (SAN IP). Keys are Ed25519.
 * Files are PEM; private keys are always written with mode 0600.
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

struct cert_identity {
	char name[CERT_NAME_MAX];	/* subject CN */
	char issuer[CERT_NAME_MAX];	/* issuer CN */
	bool has_vaddr;
	struct in_addr vaddr;		/* first SAN IP (IPv4) */
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
int cert_ca_create(const char *name, unsigned int days, const char *cert_path,
		   const char *key_path, char *err, size_t errlen);
int cert_issue(const char *ca_cert_path, const char *ca_key_path,
	       const char *name, struct in_addr vaddr, unsigned int days,
	       const char *cert_path, const char *key_path, char *err,
	       size_t errlen);
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

/* A node or CA name: 1..63 characters of [A-Za-z0-9._-]. */
bool cert_name_valid(const char *name);

#endif /* _PODNET_CERT_H */
