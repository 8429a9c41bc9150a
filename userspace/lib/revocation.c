// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Revocation lists (revocation.h). The parser reads lists that arrive from
 * a rendezvous, so it must hold up against any bytes: exact length, known
 * version, bounded count, then the signature over everything before it.
 */
#include "revocation.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cert.h"
#include "errbuf.h"
#include "fileio.h"

#include <wolfssl/wolfcrypt/ed25519.h>

_Static_assert(REVOCATION_SIG_LEN == ED25519_SIG_SIZE,
	       "a revocation list is signed with the CA's Ed25519 key");

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static int signature_ok(const uint8_t *msg, size_t len, const uint8_t *sig,
			const uint8_t *ca_pub)
{
	ed25519_key key;
	int verified = 0;

	if (wc_ed25519_init(&key))
		return 0;
	if (wc_ed25519_import_public(ca_pub, ED25519_PUB_KEY_SIZE, &key) ||
	    wc_ed25519_verify_msg(sig, REVOCATION_SIG_LEN, msg, (word32)len,
				  &verified, &key))
		verified = 0;
	wc_ed25519_free(&key);
	return verified == 1;
}

int revocation_parse(const uint8_t *buf, size_t len, const uint8_t *ca_pub,
		     struct revocation *rl, char *err, size_t errlen)
{
	size_t count, body;

	if (!buf || len < REVOCATION_LEN(0) || len > REVOCATION_LEN_MAX)
		return errbuf_fail(err, errlen,
				   "not a revocation list (%zu bytes)", len);
	if (memcmp(buf, REVOCATION_MAGIC, 4))
		return errbuf_fail(err, errlen, "not a revocation list");
	if (buf[4] != REVOCATION_VERSION)
		return errbuf_fail(err, errlen,
				   "revocation list version %u unsupported",
				   buf[4]);
	count = (size_t)buf[5] << 8 | buf[6];
	if (count > REVOCATION_MAX || len != REVOCATION_LEN(count))
		return errbuf_fail(err, errlen,
				   "revocation list length does not match its count");
	body = len - REVOCATION_SIG_LEN;
	if (get_be64(buf + 7) == 0)
		return errbuf_fail(err, errlen, "revocation list serial is 0");
	if (ca_pub && !signature_ok(buf, body, buf + body, ca_pub))
		return errbuf_fail(err, errlen,
				   "revocation list is not signed by the network CA");
	memset(rl, 0, sizeof(*rl));
	rl->serial = get_be64(buf + 7);
	rl->issued = get_be64(buf + 15);
	rl->count = count;
	memcpy(rl->fps, buf + REVOCATION_HEADER_LEN, count * REVOCATION_FP_LEN);
	memcpy(rl->blob, buf, len);
	rl->blob_len = len;
	return 0;
}

int revocation_encode_unsigned(struct revocation *rl, char *err,
			       size_t errlen)
{
	uint8_t *p = rl->blob;

	if (rl->count > REVOCATION_MAX)
		return errbuf_fail(err, errlen,
				   "a revocation list holds at most %d certificates",
				   REVOCATION_MAX);
	memcpy(p, REVOCATION_MAGIC, 4);
	p[4] = REVOCATION_VERSION;
	p[5] = (uint8_t)(rl->count >> 8);
	p[6] = (uint8_t)rl->count;
	put_be64(p + 7, rl->serial);
	put_be64(p + 15, rl->issued);
	memcpy(p + REVOCATION_HEADER_LEN, rl->fps,
	       rl->count * REVOCATION_FP_LEN);
	rl->blob_len = REVOCATION_LEN(rl->count) - REVOCATION_SIG_LEN;
	return 0;
}

bool revocation_contains(const struct revocation *rl, const uint8_t *fp)
{
	if (!rl)
		return false;
	for (size_t i = 0; i < rl->count; i++)
		if (!memcmp(rl->fps[i], fp, REVOCATION_FP_LEN))
			return true;
	return false;
}

int revocation_load(const char *path, const uint8_t *ca_pub,
		    struct revocation *rl, char *err, size_t errlen)
{
	uint8_t *buf;
	size_t len;
	int ret;

	if (access(path, F_OK) < 0 && errno == ENOENT)
		return errbuf_fail(err, errlen, "%s does not exist", path);
	if (fileio_read_small(path, REVOCATION_LEN_MAX, &buf, &len, err,
			      errlen) < 0)
		return -1;
	ret = revocation_parse(buf, len, ca_pub, rl, err, errlen);
	if (ret < 0)
		errbuf_prefix(err, errlen, path);
	free(buf);
	return ret;
}

int revocation_save(const char *path, const struct revocation *rl, char *err,
		    size_t errlen)
{
	char tmp[4096];
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.new", path) >= sizeof(tmp))
		return errbuf_fail(err, errlen, "%s: path too long", path);
	unlink(tmp);
	fd = fileio_create_new(tmp, 0644, true, err, errlen);
	if (fd < 0)
		return -1;
	if (fileio_write_close(fd, tmp, rl->blob, rl->blob_len, err,
			       errlen) < 0)
		goto out_unlink;
	if (rename(tmp, path) < 0) {
		errbuf_fail(err, errlen, "cannot replace %s: %s", path,
			    strerror(errno));
		goto out_unlink;
	}
	return 0;
out_unlink:
	unlink(tmp);
	return -1;
}

int revocation_ca_key(const char *ca_path, uint8_t pub[32], char *err,
		      size_t errlen)
{
	struct cert_identity id;
	uint8_t *der;
	size_t len;
	int ret;

	if (cert_load_der(ca_path, &der, &len, err, errlen) < 0)
		return -1;
	ret = cert_parse(der, len, &id, pub, err, errlen);
	if (ret < 0)
		errbuf_prefix(err, errlen, ca_path);
	free(der);
	return ret;
}
