// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A ClientHello reader for SNI routing (sni.h). Layout (RFC 8446 4.1.2,
 * RFC 5246 7.4.1.2; TLS 1.3 keeps the 1.2 shape on the wire):
 *   record:     type 22 | version 3.x | length(2) | fragment
 *   handshake:  type 1 | length(3) | body, split over records at will
 *   body:       version(2) random(32) session_id<0..32>
 *               cipher_suites<2..2^16-2> compression<1..2^8-1>
 *               [extensions<0..2^16-1>]
 *   server_name (type 0): list<1..2^16-1> of { type(1) name<1..2^16-1> }
 */
#include "sni.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#define TLS_RECORD_HANDSHAKE 22
#define TLS_HANDSHAKE_CLIENT_HELLO 1
#define TLS_RECORD_MAX 16384
#define EXT_SERVER_NAME 0
#define SNI_HOST_NAME 0

/* A bounds-checked reader over one buffer. */
struct reader {
	const uint8_t *p;
	size_t left;
};

static int take(struct reader *r, size_t n, const uint8_t **out)
{
	if (n > r->left)
		return -1;
	if (out)
		*out = r->p;
	r->p += n;
	r->left -= n;
	return 0;
}

static int u8(struct reader *r, size_t *v)
{
	const uint8_t *b;

	if (take(r, 1, &b))
		return -1;
	*v = b[0];
	return 0;
}

static int u16(struct reader *r, size_t *v)
{
	const uint8_t *b;

	if (take(r, 2, &b))
		return -1;
	*v = (size_t)b[0] << 8 | b[1];
	return 0;
}

/* A vector with a length prefix of width bytes: a sub-reader over it. */
static int vec(struct reader *r, int width, struct reader *sub)
{
	size_t n;

	if (width == 1 ? u8(r, &n) : u16(r, &n))
		return -1;
	sub->p = r->p;
	sub->left = n;
	return take(r, n, NULL);
}

/* RFC 6066: an ASCII host name, no trailing dot. Stored lower case. */
static enum sni_result host_name(struct reader *name, char *out,
				 size_t outlen)
{
	size_t n = name->left;

	if (n == 0 || n > SNI_NAME_MAX - 1 || n >= outlen)
		return SNI_MALFORMED;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = name->p[i];

		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return SNI_MALFORMED;
		if (c == '.' && (i == 0 || i == n - 1 || name->p[i - 1] == '.'))
			return SNI_MALFORMED;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = (char)tolower(name->p[i]);
	out[n] = '\0';
	return SNI_FOUND;
}

static enum sni_result client_hello(const uint8_t *body, size_t len,
				    char *out, size_t outlen)
{
	struct reader r = { body, len }, sid, suites, comp, exts;

	if (take(&r, 2 + 32, NULL) || vec(&r, 1, &sid) || sid.left > 32 ||
	    vec(&r, 2, &suites) || suites.left < 2 || suites.left % 2 ||
	    vec(&r, 1, &comp) || comp.left < 1)
		return SNI_MALFORMED;
	if (r.left == 0)
		return SNI_NONE;	/* no extensions at all */
	if (vec(&r, 2, &exts) || r.left != 0)
		return SNI_MALFORMED;
	while (exts.left) {
		struct reader ext, list, name;
		size_t type, name_type;

		if (u16(&exts, &type) || vec(&exts, 2, &ext))
			return SNI_MALFORMED;
		if (type != EXT_SERVER_NAME)
			continue;
		if (vec(&ext, 2, &list) || ext.left != 0 || list.left == 0)
			return SNI_MALFORMED;
		/* RFC 6066: at most one name of each type; the host name is
		 * the only type defined. Others are skipped. */
		while (list.left) {
			if (u8(&list, &name_type) || vec(&list, 2, &name))
				return SNI_MALFORMED;
			if (name_type == SNI_HOST_NAME)
				return host_name(&name, out, outlen);
		}
		return SNI_NONE;
	}
	return SNI_NONE;
}

enum sni_result sni_parse(const uint8_t *buf, size_t len, char *name,
			  size_t namelen)
{
	/* The handshake bytes of the records seen so far, joined. */
	static __thread uint8_t hs[SNI_HELLO_MAX];
	size_t off = 0, hs_len = 0;

	while (len - off >= 5) {
		size_t rec_len = (size_t)buf[off + 3] << 8 | buf[off + 4];

		if (buf[off] != TLS_RECORD_HANDSHAKE || buf[off + 1] != 3 ||
		    rec_len == 0 || rec_len > TLS_RECORD_MAX)
			return SNI_MALFORMED;
		if (len - off - 5 < rec_len)
			break;		/* the record is not all here yet */
		if (rec_len > sizeof(hs) - hs_len)
			return SNI_MALFORMED;
		memcpy(hs + hs_len, buf + off + 5, rec_len);
		hs_len += rec_len;
		off += 5 + rec_len;
		if (hs_len >= 4) {
			size_t body = (size_t)hs[1] << 16 | (size_t)hs[2] << 8 |
				      hs[3];

			if (hs[0] != TLS_HANDSHAKE_CLIENT_HELLO ||
			    body > sizeof(hs) - 4)
				return SNI_MALFORMED;
			if (hs_len >= 4 + body)
				return client_hello(hs + 4, body, name, namelen);
		}
	}
	/* What is here so far must be able to start a ClientHello. */
	if (len - off >= 1 && buf[off] != TLS_RECORD_HANDSHAKE)
		return SNI_MALFORMED;
	if (len - off >= 2 && buf[off + 1] != 3)
		return SNI_MALFORMED;
	if (hs_len >= 1 && hs[0] != TLS_HANDSHAKE_CLIENT_HELLO)
		return SNI_MALFORMED;
	return SNI_NEED_MORE;
}

const char *sni_result_name(enum sni_result r)
{
	switch (r) {
	case SNI_NEED_MORE:
		return "incomplete";
	case SNI_FOUND:
		return "found";
	case SNI_NONE:
		return "no server name";
	case SNI_MALFORMED:
		return "malformed";
	}
	return "?";
}

int sni_match(const char *pattern, const char *host)
{
	size_t pn, hn;

	if (strncmp(pattern, "*.", 2))
		return !strcasecmp(pattern, host);
	pattern += 1;		/* ".example.net" */
	pn = strlen(pattern);
	hn = strlen(host);
	return hn > pn && !strcasecmp(host + hn - pn, pattern);
}
