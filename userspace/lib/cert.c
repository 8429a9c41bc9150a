// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Network identity with wolfCrypt, the side every node needs: reading a
 * certificate and the identity it binds, its name (subject CN) and its
 * virtual IPv4 address (SAN iPAddress). The parser also reads certificates
 * that arrive from the network, so it must hold up against any bytes.
 * Issuing lives in cert_issue.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cert.h"
#include "errbuf.h"
#include "fileio.h"

#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/sha256.h>

_Static_assert(CERT_ED25519_PUB_LEN == ED25519_PUB_KEY_SIZE,
	       "cert.h's Ed25519 public key size is wolfCrypt's");

bool cert_name_valid(const char *name)
{
	size_t len, i;

	if (!name)
		return false;
	len = strnlen(name, CERT_NAME_MAX);
	if (len == 0 || len >= CERT_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = name[i];

		/* Spelled out so the locale cannot widen the set. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '.' || c == '_' ||
		      c == '-'))
			return false;
	}
	return true;
}

int cert_key_file_check(const char *path, char *err, size_t errlen)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return errbuf_fail(err, errlen, "cannot stat %s: %m", path);
	if (st.st_mode & 077)
		return errbuf_fail(err, errlen,
				   "private key %s is accessible by others (mode %04o); refusing to use it: run chmod 600 %s",
				   path, (unsigned int)(st.st_mode & 07777), path);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                  */

/*
 * Length of the outer DER SEQUENCE, header included, or 0 if the buffer
 * does not start with one that fits. Trailing bytes would make two
 * fingerprints for one certificate, so callers insist on an exact fit.
 */
static size_t der_outer_len(const uint8_t *der, size_t len)
{
	size_t body = 0, hdr, nbytes, i;

	if (len < 2 || der[0] != (ASN_SEQUENCE | ASN_CONSTRUCTED))
		return 0;
	if (!(der[1] & 0x80)) {
		body = der[1];
		hdr = 2;
	} else {
		nbytes = der[1] & 0x7f;
		if (nbytes == 0 || nbytes > 3 || len < 2 + nbytes)
			return 0;
		for (i = 0; i < nbytes; i++)
			body = (body << 8) | der[2 + i];
		hdr = 2 + nbytes;
	}
	if (body > len - hdr)
		return 0;
	return hdr + body;
}

static int two_digits(const uint8_t *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/*
 * A certificate date, tag and length included, as RFC 5280 4.1.2.5 allows
 * it: UTCTime YYMMDDHHMMSSZ or GeneralizedTime YYYYMMDDHHMMSSZ. wolfSSL does
 * not check the digits when it is not verifying, so do it here.
 */
static int asn_time_decode(const uint8_t *p, int len, time_t *out)
{
	int year, fields[5], i;
	const uint8_t *v;
	struct tm tm;
	time_t t;

	if (!p || len < 2 || p[1] != len - 2)
		return -1;
	v = p + 2;
	if (p[0] == ASN_UTC_TIME && len - 2 == 13) {
		year = two_digits(v);
		if (year < 0)
			return -1;
		year += year < 50 ? 2000 : 1900;
		v += 2;
	} else if (p[0] == ASN_GENERALIZED_TIME && len - 2 == 15) {
		int hi = two_digits(v), lo = two_digits(v + 2);

		if (hi < 0 || lo < 0)
			return -1;
		year = hi * 100 + lo;
		v += 4;
	} else {
		return -1;
	}
	for (i = 0; i < 5; i++) {
		fields[i] = two_digits(v + 2 * i);
		if (fields[i] < 0)
			return -1;
	}
	if (v[10] != 'Z')
		return -1;
	if (fields[0] < 1 || fields[0] > 12 || fields[1] < 1 ||
	    fields[1] > 31 || fields[2] > 23 || fields[3] > 59 ||
	    fields[4] > 60)
		return -1;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = fields[0] - 1;
	tm.tm_mday = fields[1];
	tm.tm_hour = fields[2];
	tm.tm_min = fields[3];
	tm.tm_sec = fields[4];
	t = timegm(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = t;
	return 0;
}

/* Names end up in logs and terminals: printable ASCII only, no truncation. */
static int copy_cn(char *dst, const char *src, int len)
{
	int i;

	if (!src || len <= 0 || len >= CERT_NAME_MAX)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = src[i];

		if (c < 0x20 || c > 0x7e)
			return -1;
	}
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

static const char *key_type_name(const DecodedCert *dc)
{
	switch (dc->keyOID) {
	case ED25519k:
		return "Ed25519";
	case ED448k:
		return "Ed448";
	case RSAk:
		return "RSA";
	case ECDSAk:
		switch (dc->pkCurveOID) {
		case ECC_SECP256R1_OID:
			return "P-256";
		case ECC_SECP384R1_OID:
			return "P-384";
		case ECC_SECP521R1_OID:
			return "P-521";
		}
		return "ECDSA";
	}
	return "unknown";
}

/* Are the bits of a past the first len all zero? */
static bool host_bits_zero(const uint8_t *a, size_t bytes, unsigned long len)
{
	for (size_t i = 0; i < bytes; i++) {
		unsigned long first = i * 8;
		uint8_t keep;

		if (first + 8 <= len)
			continue;
		keep = first >= len ? 0 : (uint8_t)(0xff << (8 - (len - first)));
		if (a[i] & ~keep)
			return false;
	}
	return true;
}

int cert_route_parse(const char *text, size_t len, struct cert_route *r,
		     char *err, size_t errlen)
{
	char buf[CERT_ROUTE_STR_MAX], *slash, *end;
	struct cert_route out = { 0 };
	unsigned long plen, max;
	bool v6 = false;
	size_t i;

	if (!text || len == 0 || len >= sizeof(buf))
		return errbuf_fail(err, errlen, "route is empty or too long");
	for (i = 0; i < len; i++) {
		char c = text[i];

		v6 |= c == ':';
		if (!((c >= '0' && c <= '9') || c == '.' || c == '/' ||
		      c == ':' || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			return errbuf_fail(err, errlen,
					   "route `%.*s' is not NET/LEN",
					   (int)len, text);
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	slash = strchr(buf, '/');
	if (!slash || !slash[1] || strchr(slash + 1, '/'))
		return errbuf_fail(err, errlen, "route `%s' needs NET/LEN", buf);
	*slash = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf,
		      v6 ? (void *)&out.net6 : (void *)&out.net) != 1)
		return errbuf_fail(err, errlen, "route `%s/%s': bad network",
				   buf, slash + 1);
	/* IPv6 has many spellings of one address: only RFC 5952's. */
	if (v6) {
		char canon[INET6_ADDRSTRLEN];

		inet_ntop(AF_INET6, &out.net6, canon, sizeof(canon));
		if (strcmp(canon, buf))
			return errbuf_fail(err, errlen,
					   "route `%s/%s': write the network as %s",
					   buf, slash + 1, canon);
	}
	/* No leading zeros: one spelling per prefix. */
	if (slash[1] == '0' && slash[2])
		return errbuf_fail(err, errlen, "route `%s/%s': bad length",
				   buf, slash + 1);
	max = v6 ? 128 : 32;
	plen = strtoul(slash + 1, &end, 10);
	if (*end || plen < 1 || plen > max)
		return errbuf_fail(err, errlen,
				   "route `%s/%s': length must be 1..%lu", buf,
				   slash + 1, max);
	if (!host_bits_zero(v6 ? out.net6.s6_addr : (const uint8_t *)&out.net,
			    v6 ? 16 : 4, plen))
		return errbuf_fail(err, errlen,
				   "route `%s/%lu' has host bits set", buf,
				   plen);
	out.v6 = v6;
	out.len = (uint8_t)plen;
	*r = out;
	return 0;
}

void cert_route_format(const struct cert_route *r, char *buf, size_t len)
{
	char net[INET6_ADDRSTRLEN];

	if (r->v6)
		inet_ntop(AF_INET6, &r->net6, net, sizeof(net));
	else
		inet_ntop(AF_INET, &r->net, net, sizeof(net));
	snprintf(buf, len, "%s/%u", net, (unsigned int)r->len);
}

bool cert_route_equal(const struct cert_route *a, const struct cert_route *b)
{
	return a->v6 == b->v6 && a->len == b->len &&
	       a->net.s_addr == b->net.s_addr &&
	       !memcmp(&a->net6, &b->net6, sizeof(a->net6));
}

/* A SAN URI: ours must be a good route; anyone else's is not our business. */
static int parse_uri(const DNS_entry *alt, struct cert_identity *id,
		     char *err, size_t errlen)
{
	static const char prefix[] = CERT_ROUTE_URI_PREFIX;
	size_t plen = sizeof(prefix) - 1;
	struct cert_route r;
	char why[160];

	if (alt->len < 7 || memcmp(alt->name, "podnet:", 7))
		return 0;
	if ((size_t)alt->len <= plen || memcmp(alt->name, prefix, plen))
		return errbuf_fail(err, errlen,
				   "unknown podnet URI in subjectAltName");
	if (cert_route_parse(alt->name + plen, alt->len - plen, &r, why,
			     sizeof(why)) < 0)
		return errbuf_fail(err, errlen, "bad routed subnet: %s", why);
	for (size_t i = 0; i < id->nroutes; i++)
		if (cert_route_equal(&id->routes[i], &r))
			return errbuf_fail(err, errlen,
					   "routed subnet listed twice");
	if (id->nroutes >= CERT_ROUTES_MAX)
		return errbuf_fail(err, errlen,
				   "more than %d routed subnets",
				   CERT_ROUTES_MAX);
	id->routes[id->nroutes++] = r;
	return 0;
}

int cert_parse(const uint8_t *der, size_t len, struct cert_identity *id,
	       uint8_t ed25519_pub[CERT_ED25519_PUB_LEN], char *err,
	       size_t errlen)
{
	struct cert_identity tmp;
	DecodedCert *dc;
	DNS_entry *alt;
	int ret = -1;

	if (!der || !id)
		return errbuf_fail(err, errlen, "no certificate");
	if (len == 0 || len > CERT_FILE_SIZE_MAX ||
	    der_outer_len(der, len) != len)
		return errbuf_fail(err, errlen, "not a DER certificate");

	/* Several KB, mostly signature context; keep it off the stack. */
	dc = calloc(1, sizeof(*dc));
	if (!dc)
		return errbuf_fail(err, errlen, "out of memory");
	memset(&tmp, 0, sizeof(tmp));

	wc_InitDecodedCert(dc, der, (word32)len, NULL);
	ret = wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL);
	if (ret) {
		errbuf_fail(err, errlen, "malformed certificate: %s (%d)",
			    wc_GetErrorString(ret), ret);
		ret = -1;
		goto out_free;
	}
	ret = -1;

	if (copy_cn(tmp.name, dc->subjectCN, dc->subjectCNLen) < 0) {
		errbuf_fail(err, errlen,
			    "subject CN missing, too long or not printable");
		goto out_free;
	}
	/* An issuer without a CN is odd but says nothing about the subject. */
	if (dc->issuerCN && dc->issuerCNLen > 0 &&
	    copy_cn(tmp.issuer, dc->issuerCN, dc->issuerCNLen) < 0) {
		errbuf_fail(err, errlen, "issuer CN too long or not printable");
		goto out_free;
	}
	if (asn_time_decode(dc->beforeDate, dc->beforeDateLen,
			    &tmp.not_before) < 0 ||
	    asn_time_decode(dc->afterDate, dc->afterDateLen,
			    &tmp.not_after) < 0) {
		errbuf_fail(err, errlen, "invalid validity dates");
		goto out_free;
	}
	for (alt = dc->altNames; alt; alt = alt->next) {
		if (!alt->name || alt->len <= 0)
			continue;
		if (alt->type == ASN_URI_TYPE) {
			if (parse_uri(alt, &tmp, err, errlen) < 0)
				goto out_free;
			continue;
		}
		if (alt->type != ASN_IP_TYPE)
			continue;
		/* The first of each family counts; more are ignored. */
		if (alt->len == 4 && !tmp.has_vaddr) {
			memcpy(&tmp.vaddr.s_addr, alt->name, 4);
			tmp.has_vaddr = true;
		} else if (alt->len == 16 && !tmp.has_vaddr6) {
			memcpy(&tmp.vaddr6, alt->name, 16);
			tmp.has_vaddr6 = true;
		}
	}
	tmp.is_ca = dc->isCA;
	snprintf(tmp.key_type, sizeof(tmp.key_type), "%s", key_type_name(dc));
	if (wc_Sha256Hash(der, (word32)len, tmp.fingerprint)) {
		errbuf_fail(err, errlen, "SHA-256 failed");
		goto out_free;
	}
	if (ed25519_pub) {
		if (dc->keyOID != ED25519k || !dc->publicKey ||
		    dc->pubKeySize != ED25519_PUB_KEY_SIZE) {
			errbuf_fail(err, errlen, "not an Ed25519 certificate");
			goto out_free;
		}
		memcpy(ed25519_pub, dc->publicKey, ED25519_PUB_KEY_SIZE);
	}
	*id = tmp;
	ret = 0;
out_free:
	wc_FreeDecodedCert(dc);
	free(dc);
	return ret;
}

int cert_identity_from_der(const uint8_t *der, size_t len,
			   struct cert_identity *id, char *err, size_t errlen)
{
	return cert_parse(der, len, id, NULL, err, errlen);
}

static bool has_text(const uint8_t *buf, const char *needle)
{
	return strstr((const char *)buf, needle) != NULL;
}

int cert_load_der(const char *path, uint8_t **der, size_t *der_len,
		  char *err, size_t errlen)
{
	uint8_t *file, *out;
	size_t file_len;
	int n;

	if (fileio_read_small(path, CERT_FILE_SIZE_MAX, &file, &file_len,
			      err, errlen) < 0)
		return -1;

	if (!has_text(file, "-----BEGIN")) {
		size_t len = der_outer_len(file, file_len);

		if (len == 0 || len != file_len) {
			errbuf_fail(err, errlen,
				    "%s: neither a PEM nor a DER certificate",
				    path);
			goto out_free_file;
		}
		*der = file;
		*der_len = file_len;
		return 0;
	}
	if (!has_text(file, "-----BEGIN CERTIFICATE-----")) {
		if (has_text(file, "PRIVATE KEY-----"))
			errbuf_fail(err, errlen,
				    "%s is a private key, not a certificate",
				    path);
		else
			errbuf_fail(err, errlen, "%s holds no certificate",
				    path);
		goto out_free_file;
	}
	/* Base64 shrinks by a quarter, so the file size is enough. */
	out = malloc(file_len);
	if (!out) {
		errbuf_fail(err, errlen, "out of memory");
		goto out_free_file;
	}
	n = wc_CertPemToDer(file, (int)file_len, out, (int)file_len,
			    CERT_TYPE);
	if (n <= 0) {
		errbuf_fail(err, errlen, "%s: bad PEM certificate", path);
		free(out);
		goto out_free_file;
	}
	/* A key could be in the same file; never leave it lying in memory. */
	fileio_free_wiped(file, file_len);
	*der = out;
	*der_len = n;
	return 0;

out_free_file:
	fileio_free_wiped(file, file_len);
	return -1;
}

int cert_identity_from_file(const char *path, struct cert_identity *id,
			    char *err, size_t errlen)
{
	uint8_t *der;
	size_t len;
	int ret;

	if (cert_load_der(path, &der, &len, err, errlen) < 0)
		return -1;
	ret = cert_parse(der, len, id, NULL, err, errlen);
	if (ret < 0)
		errbuf_prefix(err, errlen, path);
	free(der);
	return ret;
}

int cert_identity_from_ssl(WOLFSSL *ssl, struct cert_identity *id, char *err,
			   size_t errlen)
{
	WOLFSSL_X509_CHAIN *chain;
	unsigned char *der;
	int len;

	if (!ssl)
		return errbuf_fail(err, errlen, "no session");
	if (!wolfSSL_is_init_finished(ssl))
		return errbuf_fail(err, errlen, "handshake has not finished");
	/* Without peer verification the chain is whatever the peer sent. */
	if (!(wolfSSL_get_verify_mode(ssl) & WOLFSSL_VERIFY_PEER))
		return errbuf_fail(err, errlen,
				   "session does not verify its peer");
	/*
	 * wolfSSL_get_peer_certificate() returns NULL for Ed25519 peers in
	 * this wolfSSL build, but the raw chain is kept (SESSION_CERTS); the
	 * leaf comes first.
	 */
	chain = wolfSSL_get_peer_chain(ssl);
	if (!chain || wolfSSL_get_chain_count(chain) < 1)
		return errbuf_fail(err, errlen, "peer sent no certificate");
	der = wolfSSL_get_chain_cert(chain, 0);
	len = wolfSSL_get_chain_length(chain, 0);
	if (!der || len <= 0)
		return errbuf_fail(err, errlen, "peer certificate unavailable");
	return cert_parse(der, len, id, NULL, err, errlen);
}

