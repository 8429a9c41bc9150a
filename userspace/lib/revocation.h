/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Revocation lists: which certificates of a network the CA has withdrawn.
 * A list is a small binary blob signed with the CA's Ed25519 key, so a
 * rendezvous can hand it on but neither forge nor alter it, and carries a
 * serial number that only grows, so nobody can roll a node back to an
 * older list. Layout (all integers big-endian), also in doc/wire.md:
 *
 *   0  "PNRV"          magic
 *   4  u8  version     1
 *   5  u16 count       revoked certificates, <= REVOCATION_MAX
 *   7  u64 serial      > 0, bumped by every `podnet cert revoke`
 *  15  u64 issued      seconds since the epoch
 *  23  count x 32      SHA-256 fingerprints of the DER certificates
 *   .  64              Ed25519 signature by the CA over all bytes before it
 */
#ifndef _PODNET_REVOCATION_H
#define _PODNET_REVOCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define REVOCATION_MAGIC "PNRV"
#define REVOCATION_VERSION 1
/* One list travels in one control record through any path: 23 + 32 x 32
 * + 64 bytes stays far below the smallest datagram podnet sends. */
#define REVOCATION_MAX 32
#define REVOCATION_FP_LEN 32
#define REVOCATION_SIG_LEN 64
#define REVOCATION_HEADER_LEN 23
#define REVOCATION_LEN(n) \
	(REVOCATION_HEADER_LEN + (size_t)(n) * REVOCATION_FP_LEN + \
	 REVOCATION_SIG_LEN)
#define REVOCATION_LEN_MAX REVOCATION_LEN(REVOCATION_MAX)

struct revocation {
	uint64_t serial;		/* 0: no list */
	uint64_t issued;
	size_t count;
	uint8_t fps[REVOCATION_MAX][REVOCATION_FP_LEN];
	/* The signed blob exactly as received, to pass on unchanged. */
	uint8_t blob[REVOCATION_LEN_MAX];
	size_t blob_len;
};

/*
 * Parses untrusted bytes and checks the CA's signature with ca_pub (the raw
 * Ed25519 key of the network CA). Returns 0, or -1 with a reason in err.
 * Without ca_pub the signature is not checked (the CLI's `show` only).
 */
int revocation_parse(const uint8_t *buf, size_t len, const uint8_t *ca_pub,
		     struct revocation *rl, char *err, size_t errlen);

/* Encodes header and fingerprints (the signed part) into rl->blob. */
int revocation_encode_unsigned(struct revocation *rl, char *err,
			       size_t errlen);

bool revocation_contains(const struct revocation *rl, const uint8_t *fp);

/* Reads and verifies a list file. A missing file is -1 with errno ENOENT. */
int revocation_load(const char *path, const uint8_t *ca_pub,
		    struct revocation *rl, char *err, size_t errlen);

/* Replaces path atomically (write to a temporary file, then rename). */
int revocation_save(const char *path, const struct revocation *rl, char *err,
		    size_t errlen);

/* The raw Ed25519 public key of the CA certificate at ca_path. */
int revocation_ca_key(const char *ca_path, uint8_t pub[32], char *err,
		      size_t errlen);

#endif /* _PODNET_REVOCATION_H */
