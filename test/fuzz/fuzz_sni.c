// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for sni_parse(): the first bytes anyone on the
 * internet sends to a shared published port (publish_conn.c). Besides
 * memory errors, it aborts when:
 *  - a name is returned that is not a lower-case DNS name of 1-253
 *    characters, NUL-terminated inside the buffer;
 *  - a prefix of the input gets a final answer (anything but
 *    SNI_NEED_MORE) that the whole input does not (the proxy decides on
 *    whatever prefix the socket has delivered so far);
 *  - the input fed one byte more at a time near the end disagrees.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seeds.h"
#include "sni.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_name(const char *name)
{
	size_t n = strnlen(name, SNI_NAME_MAX);

	CHECK(n > 0 && n < SNI_NAME_MAX);
	CHECK(name[0] != '.' && name[n - 1] != '.');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		CHECK(islower(c) || isdigit(c) || c == '-' || c == '.' ||
		      c == '_');
	}
	CHECK(sni_match(name, name));
}

static void check_prefix(const uint8_t *data, size_t len, enum sni_result full,
			 const char *full_name)
{
	char name[SNI_NAME_MAX];
	enum sni_result r = sni_parse(data, len, name, sizeof(name));

	if (r == SNI_NEED_MORE)
		return;
	CHECK(r == full);
	if (r == SNI_FOUND)
		CHECK(!strcmp(name, full_name));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[SNI_NAME_MAX];
	enum sni_result r;

	if (size > SNI_HELLO_MAX)
		size = SNI_HELLO_MAX;
	memset(name, 0x5a, sizeof(name));
	r = sni_parse(data, size, name, sizeof(name));
	CHECK(r == SNI_NEED_MORE || r == SNI_FOUND || r == SNI_NONE ||
	      r == SNI_MALFORMED);
	CHECK(sni_result_name(r)[0] != '?');
	if (r == SNI_FOUND)
		check_name(name);
	if (r == SNI_NEED_MORE || size == 0)
		return 0;
	/* A few prefixes: the last bytes one by one, and halves. */
	for (size_t cut = 1; cut <= 8 && cut < size; cut++)
		check_prefix(data, size - cut, r, name);
	for (size_t len = size / 2; len > 0; len /= 2)
		check_prefix(data, len, r, name);
	return 0;
}

/* --- seeds --------------------------------------------------------------- */

struct buf {
	uint8_t b[SNI_HELLO_MAX + 64];
	size_t n;
};

static void put8(struct buf *b, unsigned v) { b->b[b->n++] = (uint8_t)v; }
static void put16(struct buf *b, unsigned v) { put8(b, v >> 8); put8(b, v); }
static void put24(struct buf *b, unsigned v) { put8(b, v >> 16); put16(b, v); }
static void putn(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

/* A ClientHello body: extensions given whole (type, length, data each). */
static void hello_body(struct buf *body, const char *sni, size_t padding)
{
	static const uint8_t random[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	struct buf ext = { .n = 0 };

	body->n = 0;
	put16(body, 0x0303);
	putn(body, random, sizeof(random));
	put8(body, 32);
	putn(body, random, 32);			/* a session id */
	put16(body, 6);
	put16(body, 0x1301);
	put16(body, 0x1302);
	put16(body, 0xc02b);
	put8(body, 1);
	put8(body, 0);
	if (sni) {
		size_t n = strlen(sni);

		put16(&ext, 0);			/* server_name */
		put16(&ext, (unsigned)(n + 5));
		put16(&ext, (unsigned)(n + 3));
		put8(&ext, 0);
		put16(&ext, (unsigned)n);
		putn(&ext, sni, n);
	}
	put16(&ext, 43);			/* supported_versions */
	put16(&ext, 3);
	put8(&ext, 2);
	put16(&ext, 0x0304);
	if (padding) {
		put16(&ext, 21);		/* padding */
		put16(&ext, (unsigned)padding);
		memset(ext.b + ext.n, 0, padding);
		ext.n += padding;
	}
	put16(body, (unsigned)ext.n);
	putn(body, ext.b, ext.n);
}

/* The handshake message in records of at most rec bytes. */
static void records(struct buf *out, const struct buf *body, size_t rec)
{
	struct buf hs = { .n = 0 };

	put8(&hs, 1);
	put24(&hs, (unsigned)body->n);
	putn(&hs, body->b, body->n);
	out->n = 0;
	for (size_t off = 0; off < hs.n; off += rec) {
		size_t n = hs.n - off < rec ? hs.n - off : rec;

		put8(out, 22);
		put16(out, 0x0301);
		put16(out, (unsigned)n);
		putn(out, hs.b + off, n);
	}
}

/* One seed: a ClientHello naming sni (none: NULL), in records of rec. */
static void seed_hello(const char *seed, const char *sni, size_t padding,
		       size_t rec)
{
	static struct buf body, out;

	hello_body(&body, sni, padding);
	records(&out, &body, rec);
	seed_write(seed, out.b, out.n);
}

static void write_seeds(void)
{
	char longname[254];

	seed_hello("sni", "web.example.net", 0, 16384);
	seed_hello("sni-split-records", "web.example.net", 0, 40);
	seed_hello("no-sni", NULL, 0, 16384);
	seed_hello("sni-padded-15000", "Upper.Example.NET", 15000, 16384);
	memset(longname, 'a', sizeof(longname) - 1);
	for (size_t i = 63; i < sizeof(longname) - 1; i += 64)
		longname[i] = '.';
	longname[253] = '\0';
	seed_hello("sni-253", longname, 0, 16384);
	seed_hello("sni-trailing-dot", "web.example.net.", 0, 16384);
	/* Not TLS at all: an HTTP request on the TLS port. */
	seed_write("http", "GET / HTTP/1.1\r\nHost: web\r\n\r\n", 28);
}
