// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Invitations in the CA directory (invite_store.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "errbuf.h"
#include "fileio.h"
#include "invite_store.h"

#define INVITE_FILE_MAX 512

static int invite_path(char *buf, size_t len, const char *ca_dir,
		       const uint8_t id[TOKEN_ID_LEN], const char *suffix)
{
	char hex[TOKEN_ID_HEX];

	token_hex(id, TOKEN_ID_LEN, hex);
	return (size_t)snprintf(buf, len, "%s/" INVITE_DIR "/%s%s", ca_dir,
				hex, suffix) >= len ? -1 : 0;
}

int invite_store_add(const char *ca_dir, const struct token *t, char *err,
		     size_t errlen)
{
	char dir[PATH_MAX], path[PATH_MAX], line[INVITE_FILE_MAX];
	char hash_hex[65], addr[TOKEN_ADDR_STR_MAX];
	uint8_t hash[32];
	struct stat st;
	int fd, n;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/" INVITE_DIR, ca_dir) >=
		    sizeof(dir) ||
	    invite_path(path, sizeof(path), ca_dir, t->id, "") < 0)
		return errbuf_fail(err, errlen, "%s: path too long", ca_dir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return errbuf_fail(err, errlen, "%s: %s", dir, strerror(errno));
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return errbuf_fail(err, errlen, "%s is not a directory", dir);
	if (token_secret_hash(t->secret, hash) < 0)
		return errbuf_fail(err, errlen, "SHA-256 failed");
	token_hex(hash, sizeof(hash), hash_hex);
	n = snprintf(line, sizeof(line), "podnet-invite 1 %s %s %s %llu\n",
		     hash_hex, t->name,
		     token_addr_format(&t->address, true, addr, sizeof(addr)),
		     (unsigned long long)t->expires);
	if (n < 0 || (size_t)n >= sizeof(line))
		return errbuf_fail(err, errlen, "invitation too long");
	fd = fileio_create_new(path, 0600, true, err, errlen);
	if (fd < 0)
		return -1;
	return fileio_write_close(fd, path, line, (size_t)n, err, errlen);
}

int invite_parse(const char *text, size_t len, uint8_t hash[32],
		 struct invite *inv)
{
	char buf[INVITE_FILE_MAX], hash_hex[65], addr[80];
	unsigned long long expires;
	int used = 0;

	memset(inv, 0, sizeof(*inv));
	if (len == 0 || len >= sizeof(buf) || text[len - 1] != '\n')
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (sscanf(buf, "podnet-invite 1 %64s %63s %79s %llu\n%n", hash_hex,
		   inv->name, addr, &expires, &used) != 4 ||
	    (size_t)used != len || token_unhex(hash_hex, hash, 32) < 0 ||
	    !cert_name_valid(inv->name) ||
	    token_addr_parse(addr, &inv->address, NULL, 0) < 0)
		return -1;
	inv->expires = expires;
	return 0;
}

enum invite_result invite_store_check(const char *ca_dir,
				      const uint8_t id[TOKEN_ID_LEN],
				      const uint8_t secret[TOKEN_SECRET_LEN],
				      const char *name,
				      const struct token_addr *address,
				      time_t now, bool claim,
				      struct invite *inv, char *err,
				      size_t errlen)
{
	char path[PATH_MAX], used[PATH_MAX];
	uint8_t hash[32], want[32], *text;
	enum invite_result res;
	size_t len;
	struct stat st;

	if (invite_path(path, sizeof(path), ca_dir, id, "") < 0 ||
	    invite_path(used, sizeof(used), ca_dir, id, ".used") < 0) {
		errbuf_fail(err, errlen, "%s: path too long", ca_dir);
		return INVITE_ERROR;
	}
	if (fileio_read_small(path, INVITE_FILE_MAX, &text, &len, err,
			      errlen) < 0) {
		/* Says "used" only to the token's holder: the secret must
		 * match the spent invitation first. */
		if (lstat(path, &st) < 0 && errno == ENOENT &&
		    fileio_read_small(used, INVITE_FILE_MAX, &text, &len, err,
				      errlen) == 0) {
			res = INVITE_UNKNOWN;
			if (invite_parse((char *)text, len, want, inv) == 0 &&
			    token_secret_hash(secret, hash) == 0 &&
			    token_equal_ct(hash, want, sizeof(hash)))
				res = INVITE_USED;
			free(text);
			return res;
		}
		return lstat(path, &st) < 0 && errno == ENOENT ?
			       INVITE_UNKNOWN : INVITE_ERROR;
	}
	if (invite_parse((char *)text, len, want, inv) < 0) {
		free(text);
		errbuf_fail(err, errlen, "%s does not parse", path);
		return INVITE_ERROR;
	}
	free(text);
	if (token_secret_hash(secret, hash) < 0 ||
	    !token_equal_ct(hash, want, sizeof(hash)))
		return INVITE_UNKNOWN;
	if ((uint64_t)now >= inv->expires)
		return INVITE_EXPIRED;
	if (strcmp(name, inv->name) ||
	    !token_addr_equal(address, &inv->address))
		return INVITE_MISMATCH;
	if (!claim)
		return INVITE_OK;
	/* Exactly one rename wins: single use without a lock. */
	if (rename(path, used) < 0) {
		if (errno == ENOENT)
			return INVITE_USED;
		errbuf_fail(err, errlen, "%s: %s", path, strerror(errno));
		return INVITE_ERROR;
	}
	return INVITE_OK;
}
