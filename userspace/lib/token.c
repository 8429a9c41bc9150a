// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Join tokens: binary layout, base64url and the MAC (token.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "errbuf.h"
#include "token.h"

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hmac.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/sha256.h>

/* ------------------------------------------------------------------------ */
/* Addresses                                                                */

/* One address: "HOST[/P]", s of len bytes. */
static int parse_one(const char *s, size_t len, int *family, uint8_t *bytes,
		     uint8_t *prefixlen)
{
	char buf[INET6_ADDRSTRLEN + 5], *slash, *end;
	unsigned long p;

	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, bytes) == 1) {
		*family = AF_INET;
		*prefixlen = TOKEN_ADDR_DEFAULT_PREFIX4;
	} else if (inet_pton(AF_INET6, buf, bytes) == 1) {
		*family = AF_INET6;
		*prefixlen = TOKEN_ADDR_DEFAULT_PREFIX6;
	} else {
		return -1;
	}
	if (slash) {
		p = strtoul(slash + 1, &end, 10);
		if (slash[1] < '1' || slash[1] > '9' || *end || p == 0 ||
		    p > (*family == AF_INET ? 32u : 128u))
			return -2;
		*prefixlen = (uint8_t)p;
	}
	return 0;
}

int token_addr_parse(const char *s, struct token_addr *a, char *err,
		     size_t errlen)
{
	const char *comma = strchr(s, ',');
	size_t len = comma ? (size_t)(comma - s) : strlen(s);
	int family6, ret;

	memset(a, 0, sizeof(*a));
	ret = parse_one(s, len, &a->family, a->bytes, &a->prefixlen);
	if (!ret && comma) {
		const char *second = comma + 1 + strspn(comma + 1, " ");

		ret = parse_one(second, strlen(second), &family6, a->bytes6,
				&a->prefixlen6);
		if (!ret && (a->family != AF_INET || family6 != AF_INET6))
			return errbuf_fail(err, errlen,
					   "`%s': two addresses are one IPv4 and then one IPv6",
					   s);
		a->has6 = true;
	}
	if (ret == -2)
		return errbuf_fail(err, errlen, "`%s': bad prefix length", s);
	if (ret)
		return errbuf_fail(err, errlen, "`%s' is not an address", s);
	return 0;
}

const char *token_addr_format(const struct token_addr *a, bool prefix,
			      char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN], host6[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->bytes, host, sizeof(host)))
		snprintf(host, sizeof(host), "?");
	if (a->has6 && !inet_ntop(AF_INET6, a->bytes6, host6, sizeof(host6)))
		snprintf(host6, sizeof(host6), "?");
	if (a->has6 && prefix)
		snprintf(buf, len, "%s/%u,%s/%u", host, a->prefixlen, host6,
			 a->prefixlen6);
	else if (a->has6)
		snprintf(buf, len, "%s,%s", host, host6);
	else if (prefix)
		snprintf(buf, len, "%s/%u", host, a->prefixlen);
	else
		snprintf(buf, len, "%s", host);
	return buf;
}

const char *token_addr_host(const struct token_addr *a, char *buf,
			    size_t len)
{
	struct token_addr first = *a;

	first.has6 = false;
	return token_addr_format(&first, false, buf, len);
}

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

bool token_addr_equal(const struct token_addr *a, const struct token_addr *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen &&
	       !memcmp(a->bytes, b->bytes, addr_len(a->family)) &&
	       a->has6 == b->has6 &&
	       (!a->has6 || (a->prefixlen6 == b->prefixlen6 &&
			     !memcmp(a->bytes6, b->bytes6, 16)));
}

bool token_addr_ipv4(const struct token_addr *a, struct in_addr *out)
{
	if (a->family != AF_INET)
		return false;
	memcpy(&out->s_addr, a->bytes, 4);
	return true;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

void token_hex(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Exactly 2 * len lower-case hex digits. */
int token_unhex(const char *s, uint8_t *out, size_t len)
{
	size_t i;

	if (strlen(s) != 2 * len)
		return -1;
	for (i = 0; i < len; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int token_secret_hash(const uint8_t secret[TOKEN_SECRET_LEN], uint8_t out[32])
{
	return wc_Sha256Hash(secret, TOKEN_SECRET_LEN, out) ? -1 : 0;
}

bool token_equal_ct(const uint8_t *a, const uint8_t *b, size_t len)
{
	volatile uint8_t diff = 0;
	size_t i;

	for (i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

int token_fill_random(struct token *t, char *err, size_t errlen)
{
	WC_RNG rng;
	int ret;

	if (wc_InitRng(&rng))
		return errbuf_fail(err, errlen, "cannot initialise the RNG");
	ret = wc_RNG_GenerateBlock(&rng, t->id, sizeof(t->id)) ||
	      wc_RNG_GenerateBlock(&rng, t->secret, sizeof(t->secret));
	wc_FreeRng(&rng);
	return ret ? errbuf_fail(err, errlen, "RNG failed") : 0;
}

static int token_mac(const uint8_t secret[TOKEN_SECRET_LEN],
		     const uint8_t *msg, size_t len,
		     uint8_t out[TOKEN_MAC_LEN])
{
	uint8_t full[WC_SHA256_DIGEST_SIZE];
	Hmac hmac;
	int ret;

	if (wc_HmacInit(&hmac, NULL, INVALID_DEVID))
		return -1;
	ret = wc_HmacSetKey(&hmac, WC_SHA256, secret, TOKEN_SECRET_LEN) ||
	      wc_HmacUpdate(&hmac, msg, (word32)len) ||
	      wc_HmacFinal(&hmac, full);
	wc_HmacFree(&hmac);
	memcpy(out, full, TOKEN_MAC_LEN);
	explicit_bzero(full, sizeof(full));
	return ret ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* base64url without padding (RFC 4648 section 5): safe in shells and URLs  */

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static size_t b64_encode(const uint8_t *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = in[i] << 16 | in[i + 1] << 8 | in[i + 2];

		out[o++] = b64[v >> 18];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = b64[(v >> 6) & 63];
		out[o++] = b64[v & 63];
	}
	if (len - i == 1) {
		out[o++] = b64[in[i] >> 2];
		out[o++] = b64[(in[i] & 3) << 4];
	} else if (len - i == 2) {
		uint32_t v = in[i] << 8 | in[i + 1];

		out[o++] = b64[v >> 10];
		out[o++] = b64[(v >> 4) & 63];
		out[o++] = b64[(v & 15) << 2];
	}
	out[o] = '\0';
	return o;
}

static int b64_val(char c)
{
	const char *p = c ? strchr(b64, c) : NULL;

	return p ? (int)(p - b64) : -1;
}

/* Returns the decoded length or -1; non-canonical trailing bits fail. */
static int b64_decode(const char *in, size_t len, uint8_t *out, size_t max)
{
	uint32_t acc = 0;
	size_t i, o = 0;
	int bits = 0;

	if (len % 4 == 1)
		return -1;
	for (i = 0; i < len; i++) {
		int v = b64_val(in[i]);

		if (v < 0)
			return -1;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (o >= max)
				return -1;
			out[o++] = (uint8_t)(acc >> bits);
		}
	}
	if (acc & ((1u << bits) - 1))
		return -1;
	return (int)o;
}

/* ------------------------------------------------------------------------ */
/* Encoding                                                                 */

static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int token_encode(const struct token *t, char *out, size_t outlen, char *err,
		 size_t errlen)
{
	uint8_t bin[TOKEN_BIN_MAX];
	size_t n = 0, name_len = strlen(t->name), alen;
	const uint8_t *svc;
	uint16_t port;

	if (!cert_name_valid(t->name))
		return errbuf_fail(err, errlen, "invalid name");
	if (t->address.family != AF_INET && t->address.family != AF_INET6)
		return errbuf_fail(err, errlen, "no address");
	if (t->address.has6 && t->address.family != AF_INET)
		return errbuf_fail(err, errlen, "two addresses of one family");
	if (t->service.len == 0)
		return errbuf_fail(err, errlen, "no service endpoint");
	/* Version 1 as long as that says it all: older nodes join with it. */
	bin[n++] = t->address.has6 ? TOKEN_VERSION_DUAL : TOKEN_VERSION;
	memcpy(bin + n, t->id, TOKEN_ID_LEN);
	n += TOKEN_ID_LEN;
	memcpy(bin + n, t->secret, TOKEN_SECRET_LEN);
	n += TOKEN_SECRET_LEN;
	put_be64(bin + n, t->expires);
	n += 8;
	memcpy(bin + n, t->ca_fp, TOKEN_FP_LEN);
	n += TOKEN_FP_LEN;
	alen = addr_len(t->address.family);
	bin[n++] = t->address.family == AF_INET ? 4 : 6;
	memcpy(bin + n, t->address.bytes, alen);
	n += alen;
	bin[n++] = t->address.prefixlen;
	if (t->address.has6) {
		bin[n++] = 6;
		memcpy(bin + n, t->address.bytes6, 16);
		n += 16;
		bin[n++] = t->address.prefixlen6;
	}
	if (t->service.sa.sa_family == AF_INET) {
		bin[n++] = 4;
		svc = (const uint8_t *)&t->service.in.sin_addr;
		memcpy(bin + n, svc, 4);
		n += 4;
		port = ntohs(t->service.in.sin_port);
	} else {
		bin[n++] = 6;
		svc = (const uint8_t *)&t->service.in6.sin6_addr;
		memcpy(bin + n, svc, 16);
		n += 16;
		port = ntohs(t->service.in6.sin6_port);
	}
	bin[n++] = port >> 8;
	bin[n++] = port & 0xff;
	bin[n++] = (uint8_t)name_len;
	memcpy(bin + n, t->name, name_len);
	n += name_len;
	if (token_mac(t->secret, bin, n, bin + n) < 0)
		return errbuf_fail(err, errlen, "HMAC failed");
	n += TOKEN_MAC_LEN;
	if (outlen < strlen(TOKEN_PREFIX) + (n * 4 + 2) / 3 + 1)
		return errbuf_fail(err, errlen, "token buffer too small");
	strcpy(out, TOKEN_PREFIX);
	b64_encode(bin, n, out + strlen(TOKEN_PREFIX));
	explicit_bzero(bin, sizeof(bin));
	return 0;
}

/* Reads len bytes at *pos of bin[0..n), or fails. */
static const uint8_t *take(const uint8_t *bin, size_t n, size_t *pos,
			   size_t len)
{
	const uint8_t *p = bin + *pos;

	if (n - *pos < len)
		return NULL;
	*pos += len;
	return p;
}

static int take_family(const uint8_t *bin, size_t n, size_t *pos, int *family,
		       const uint8_t **bytes)
{
	const uint8_t *f = take(bin, n, pos, 1);

	if (!f || (*f != 4 && *f != 6))
		return -1;
	*family = *f == 4 ? AF_INET : AF_INET6;
	*bytes = take(bin, n, pos, addr_len(*family));
	return *bytes ? 0 : -1;
}

int token_decode(const char *text, struct token *t, char *err, size_t errlen)
{
	uint8_t bin[TOKEN_BIN_MAX], mac[TOKEN_MAC_LEN];
	const uint8_t *p, *bytes, *port;
	size_t plen = strlen(TOKEN_PREFIX), len, pos = 0, n;
	int decoded, family, ret = -1;

	memset(t, 0, sizeof(*t));
	len = strnlen(text, TOKEN_TEXT_MAX + 1);
	if (len > TOKEN_TEXT_MAX || strncmp(text, TOKEN_PREFIX, plen))
		return errbuf_fail(err, errlen,
				   "not a podnet join token (they start with %s)",
				   TOKEN_PREFIX);
	decoded = b64_decode(text + plen, len - plen, bin, sizeof(bin));
	if (decoded < 0)
		return errbuf_fail(err, errlen,
				   "token is damaged: not base64url");
	n = (size_t)decoded;
	if (n < 1 + TOKEN_MAC_LEN ||
	    (bin[0] != TOKEN_VERSION && bin[0] != TOKEN_VERSION_DUAL)) {
		errbuf_fail(err, errlen, "token is damaged or of another version");
		goto out;
	}
	n -= TOKEN_MAC_LEN;	/* the MAC is checked last, once the secret is read */
	pos = 1;
	if (!(p = take(bin, n, &pos, TOKEN_ID_LEN)))
		goto short_token;
	memcpy(t->id, p, TOKEN_ID_LEN);
	if (!(p = take(bin, n, &pos, TOKEN_SECRET_LEN)))
		goto short_token;
	memcpy(t->secret, p, TOKEN_SECRET_LEN);
	if (!(p = take(bin, n, &pos, 8)))
		goto short_token;
	t->expires = get_be64(p);
	if (!(p = take(bin, n, &pos, TOKEN_FP_LEN)))
		goto short_token;
	memcpy(t->ca_fp, p, TOKEN_FP_LEN);
	if (take_family(bin, n, &pos, &family, &bytes) < 0 ||
	    !(p = take(bin, n, &pos, 1)))
		goto short_token;
	t->address.family = family;
	memcpy(t->address.bytes, bytes, addr_len(family));
	t->address.prefixlen = *p;
	if (*p == 0 || *p > (family == AF_INET ? 32 : 128))
		goto short_token;
	/* Version 2: an IPv6 address after the IPv4 one, and only then. */
	if (bin[0] == TOKEN_VERSION_DUAL) {
		if (family != AF_INET ||
		    take_family(bin, n, &pos, &family, &bytes) < 0 ||
		    family != AF_INET6 || !(p = take(bin, n, &pos, 1)) ||
		    *p == 0 || *p > 128)
			goto short_token;
		t->address.has6 = true;
		memcpy(t->address.bytes6, bytes, 16);
		t->address.prefixlen6 = *p;
	}
	if (take_family(bin, n, &pos, &family, &bytes) < 0 ||
	    !(port = take(bin, n, &pos, 2)))
		goto short_token;
	if (family == AF_INET) {
		t->service.in.sin_family = AF_INET;
		memcpy(&t->service.in.sin_addr, bytes, 4);
		t->service.in.sin_port = htons(port[0] << 8 | port[1]);
		t->service.len = sizeof(t->service.in);
	} else {
		t->service.in6.sin6_family = AF_INET6;
		memcpy(&t->service.in6.sin6_addr, bytes, 16);
		t->service.in6.sin6_port = htons(port[0] << 8 | port[1]);
		t->service.len = sizeof(t->service.in6);
	}
	if (!(p = take(bin, n, &pos, 1)) || *p >= CERT_NAME_MAX)
		goto short_token;
	len = *p;
	if (!(p = take(bin, n, &pos, len)) || pos != n)
		goto short_token;
	memcpy(t->name, p, len);
	t->name[len] = '\0';
	if (!cert_name_valid(t->name))
		goto short_token;
	if (token_mac(t->secret, bin, n, mac) < 0 ||
	    !token_equal_ct(mac, bin + n, TOKEN_MAC_LEN)) {
		errbuf_fail(err, errlen,
			    "token is damaged or was altered (its check value does not match); ask for a new one");
		goto out;
	}
	ret = 0;
	goto out;

short_token:
	errbuf_fail(err, errlen, "token is damaged: its fields do not parse");
out:
	if (ret)
		memset(t, 0, sizeof(*t));
	explicit_bzero(bin, sizeof(bin));
	return ret;
}
