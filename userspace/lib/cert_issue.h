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

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/*
 * Both return 0 on success, -1 on failure with a human-readable reason in
 * err (never containing key material).
 */
int cert_ca_create(const char *name, unsigned int days, const char *cert_path,
		   const char *key_path, char *err, size_t errlen);
int cert_issue(const char *ca_cert_path, const char *ca_key_path,
	       const char *name, struct in_addr vaddr, unsigned int days,
	       const char *cert_path, const char *key_path, char *err,
	       size_t errlen);

/*
 * Signs msg with the CA key (Ed25519, 64-byte signature) after checking that
 * the key belongs to the CA certificate: revocation lists (revocation.h).
 */
int cert_ca_sign(const char *ca_cert_path, const char *ca_key_path,
		 const uint8_t *msg, size_t len, uint8_t sig[64], char *err,
		 size_t errlen);

#endif /* _PODNET_CERT_ISSUE_H */
