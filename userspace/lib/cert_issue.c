// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Issuing network identities with wolfCrypt (cert_issue.h): new Ed25519
 * keys, certificates signed by them or by the network CA, and the files
 * they go to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "cert.h"
#include "cert_issue.h"
#include "errbuf.h"
#include "fileio.h"

#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/random.h>

/* An Ed25519 certificate is under 600 bytes; leave room for long names. */
#define CERT_DER_MAX 2048
#define CERT_PEM_MAX (CERT_DER_MAX * 2)
#define KEY_DER_MAX 128
#define KEY_PEM_MAX 512
/* Backdate notBefore so a peer whose clock is a little slow accepts it. */
#define CERT_CLOCK_SKEW (5 * 60)
#define CERT_SERIAL_LEN 16
#define DAY_SECS 86400

/* ------------------------------------------------------------------------ */
/* Output files                                                             */

struct out_files {
	const char *cert_path;
	const char *key_path;
	int cert_fd;
	int key_fd;
};

/* Claims the key file (0600) and the certificate file, both new. */
static int out_files_open(struct out_files *out, const char *cert_path,
			  const char *key_path, char *err, size_t errlen)
{
	out->cert_path = cert_path;
	out->key_path = key_path;
	out->key_fd = fileio_create_new(key_path, 0600, true, err, errlen);
	if (out->key_fd < 0)
		return -1;
	/* A certificate is public; the umask decides how public. */
	out->cert_fd = fileio_create_new(cert_path, 0644, false, err, errlen);
	if (out->cert_fd < 0) {
		close(out->key_fd);
		unlink(key_path);
		return -1;
	}
	return 0;
}

/* Writes and closes both; on failure the caller discards the pair. */
static int out_files_write(struct out_files *out, const void *cert_pem,
			   size_t cert_len, const void *key_pem, size_t key_len,
			   char *err, size_t errlen)
{
	int key_fd = out->key_fd;

	out->key_fd = -1;
	if (fileio_write_close(out->cert_fd, out->cert_path, cert_pem,
			       cert_len, err, errlen) < 0) {
		out->cert_fd = -1;
		close(key_fd);
		return -1;
	}
	out->cert_fd = -1;
	return fileio_write_close(key_fd, out->key_path, key_pem, key_len,
				  err, errlen);
}

/* Removes whatever out_files_open() created; a half-written pair is useless. */
static void out_files_discard(struct out_files *out)
{
	if (out->key_fd >= 0)
		close(out->key_fd);
	if (out->cert_fd >= 0)
		close(out->cert_fd);
	unlink(out->key_path);
	unlink(out->cert_path);
}

/* ------------------------------------------------------------------------ */
/* Generation                                                               */

/* The inverse, for the validity we write into new certificates. */
static int asn_time_encode(time_t t, uint8_t *out, size_t outlen)
{
	char text[32];
	struct tm tm;
	int year, n;

	if (!gmtime_r(&t, &tm))
		return -1;
	year = tm.tm_year + 1900;
	if (year < 1950 || year > 9999)
		return -1;
	if (year < 2050) {
		out[0] = ASN_UTC_TIME;
		n = snprintf(text, sizeof(text), "%02d%02d%02d%02d%02d%02dZ",
			     year % 100, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			     tm.tm_min, tm.tm_sec);
	} else {
		out[0] = ASN_GENERALIZED_TIME;
		n = snprintf(text, sizeof(text), "%04d%02d%02d%02d%02d%02dZ",
			     year, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
			     tm.tm_min, tm.tm_sec);
	}
	if (n < 0 || (size_t)n + 2 > outlen)
		return -1;
	out[1] = n;
	memcpy(out + 2, text, n);
	return n + 2;
}

struct node_key {
	ed25519_key key;
	bool ready;
};

static void node_key_free(struct node_key *k)
{
	if (k->ready)
		wc_ed25519_free(&k->key);
	explicit_bzero(&k->key, sizeof(k->key));
	k->ready = false;
}

static int node_key_generate(struct node_key *k, WC_RNG *rng, char *err,
			     size_t errlen)
{
	int ret;

	ret = wc_ed25519_init(&k->key);
	if (ret)
		return errbuf_fail(err, errlen, "Ed25519 init failed (%d)",
				   ret);
	k->ready = true;
	ret = wc_ed25519_make_key(rng, ED25519_KEY_SIZE, &k->key);
	if (ret) {
		node_key_free(k);
		return errbuf_fail(err, errlen,
				   "Ed25519 key generation failed: %s",
				   wc_GetErrorString(ret));
	}
	return 0;
}

/*
 * Loads an Ed25519 private key from PEM (PKCS#8, as written below or by
 * `openssl genpkey -algorithm ed25519`) and derives its public half, which
 * RFC 8410 keys do not carry but wolfCrypt needs for signing.
 */
static int node_key_load(struct node_key *k, const char *path, char *err,
			 size_t errlen)
{
	uint8_t der[KEY_DER_MAX], seed[ED25519_KEY_SIZE];
	uint8_t pub[ED25519_PUB_KEY_SIZE];
	word32 idx = 0, seed_len = sizeof(seed);
	uint8_t *pem;
	size_t pem_len;
	int der_len, ret = -1;

	if (cert_key_file_check(path, err, errlen) < 0 ||
	    fileio_read_small(path, CERT_FILE_SIZE_MAX, &pem, &pem_len,
			      err, errlen) < 0)
		return -1;
	der_len = wc_KeyPemToDer(pem, (int)pem_len, der, sizeof(der), NULL);
	fileio_free_wiped(pem, pem_len);
	if (der_len <= 0) {
		errbuf_fail(err, errlen, "%s: not a PEM private key", path);
		goto out_wipe;
	}
	if (wc_ed25519_init(&k->key)) {
		errbuf_fail(err, errlen, "Ed25519 init failed");
		goto out_wipe;
	}
	k->ready = true;
	if (wc_Ed25519PrivateKeyDecode(der, &idx, &k->key, der_len) ||
	    wc_ed25519_export_private_only(&k->key, seed, &seed_len) ||
	    wc_ed25519_make_public(&k->key, pub, sizeof(pub))) {
		errbuf_fail(err, errlen, "%s: not an Ed25519 private key",
			    path);
		goto out_free_key;
	}
	wc_ed25519_free(&k->key);
	wc_ed25519_init(&k->key);
	if (wc_ed25519_import_private_key(seed, sizeof(seed), pub, sizeof(pub),
					  &k->key)) {
		errbuf_fail(err, errlen, "%s: cannot import Ed25519 key", path);
		goto out_free_key;
	}
	ret = 0;
	goto out_wipe;

out_free_key:
	node_key_free(k);
out_wipe:
	explicit_bzero(der, sizeof(der));
	explicit_bzero(seed, sizeof(seed));
	return ret;
}

/* PKCS#8 "PRIVATE KEY" PEM, the form OpenSSL also reads and writes. */
static int node_key_to_pem(struct node_key *k, uint8_t *pem, size_t pem_max,
			   char *err, size_t errlen)
{
	uint8_t der[KEY_DER_MAX];
	int der_len, pem_len;

	der_len = wc_Ed25519PrivateKeyToDer(&k->key, der, sizeof(der));
	if (der_len <= 0) {
		explicit_bzero(der, sizeof(der));
		return errbuf_fail(err, errlen,
				   "cannot encode private key (%d)", der_len);
	}
	pem_len = wc_DerToPem(der, der_len, pem, pem_max,
			      PKCS8_PRIVATEKEY_TYPE);
	explicit_bzero(der, sizeof(der));
	if (pem_len <= 0)
		return errbuf_fail(err, errlen,
				   "cannot PEM-encode private key (%d)",
				   pem_len);
	return pem_len;
}

static int cert_set_validity(Cert *cert, time_t not_before, time_t not_after,
			     char *err, size_t errlen)
{
	int n;

	n = asn_time_encode(not_before, cert->beforeDate,
			    sizeof(cert->beforeDate));
	if (n < 0)
		return errbuf_fail(err, errlen, "notBefore out of range");
	cert->beforeDateSz = n;
	n = asn_time_encode(not_after, cert->afterDate,
			    sizeof(cert->afterDate));
	if (n < 0)
		return errbuf_fail(err, errlen, "notAfter out of range");
	cert->afterDateSz = n;
	return 0;
}

/* Common fields of every podnet certificate. */
static int cert_setup(Cert *cert, const char *cn, WC_RNG *rng, char *err,
		      size_t errlen)
{
	int ret;

	ret = wc_InitCert(cert);
	if (ret)
		return errbuf_fail(err, errlen, "wc_InitCert failed (%d)", ret);
	cert->sigType = CTC_ED25519;
	snprintf(cert->subject.commonName, sizeof(cert->subject.commonName),
		 "%s", cn);
	cert->subject.commonNameEnc = CTC_UTF8;

	/* Positive and 16 bytes long, with no leading zero to strip. */
	ret = wc_RNG_GenerateBlock(rng, cert->serial, CERT_SERIAL_LEN);
	if (ret)
		return errbuf_fail(err, errlen, "RNG failed (%d)", ret);
	cert->serial[0] = (cert->serial[0] & 0x7f) | 0x40;
	cert->serialSz = CERT_SERIAL_LEN;
	return 0;
}

/* Encodes the TBS for subject_key and signs it with signer_key. */
static int cert_sign(Cert *cert, struct node_key *subject_key,
		     struct node_key *signer_key, WC_RNG *rng, uint8_t *der,
		     size_t der_max, char *err, size_t errlen)
{
	int ret;

	ret = wc_MakeCert_ex(cert, der, der_max, ED25519_TYPE,
			     &subject_key->key, rng);
	if (ret < 0)
		return errbuf_fail(err, errlen, "cannot encode certificate: %s",
				   wc_GetErrorString(ret));
	ret = wc_SignCert_ex(cert->bodySz, cert->sigType, der, der_max,
			     ED25519_TYPE, &signer_key->key, rng);
	if (ret < 0)
		return errbuf_fail(err, errlen, "cannot sign certificate: %s",
				   wc_GetErrorString(ret));
	return ret;
}

static int cert_to_pem(const uint8_t *der, int der_len, uint8_t *pem,
		       size_t pem_max, char *err, size_t errlen)
{
	int n = wc_DerToPem(der, der_len, pem, pem_max, CERT_TYPE);

	if (n <= 0)
		return errbuf_fail(err, errlen,
				   "cannot PEM-encode certificate");
	return n;
}

/* cert_sign, then the certificate as PEM into pem: its length or -1. */
static int cert_sign_pem(Cert *cert, struct node_key *subject_key,
			 struct node_key *signer_key, WC_RNG *rng, uint8_t *pem,
			 size_t pem_max, char *err, size_t errlen)
{
	uint8_t der[CERT_DER_MAX];
	int der_len;

	der_len = cert_sign(cert, subject_key, signer_key, rng, der,
			    sizeof(der), err, errlen);
	if (der_len < 0)
		return -1;
	return cert_to_pem(der, der_len, pem, pem_max, err, errlen);
}

/*
 * A certificate being built and the RNG for its serial and signature:
 * what every issuing function allocates first and frees last.
 */
struct cert_draft {
	Cert *cert;
	WC_RNG rng;
};

static int cert_draft_start(struct cert_draft *d, char *err, size_t errlen)
{
	d->cert = calloc(1, sizeof(*d->cert));
	if (!d->cert)
		return errbuf_fail(err, errlen, "out of memory");
	if (wc_InitRng(&d->rng)) {
		free(d->cert);
		return errbuf_fail(err, errlen, "cannot initialise the RNG");
	}
	return 0;
}

static void cert_draft_end(struct cert_draft *d)
{
	wc_FreeRng(&d->rng);
	free(d->cert);
}

static int check_days(unsigned int days, char *err, size_t errlen)
{
	if (days < 1 || days > CERT_DAYS_MAX)
		return errbuf_fail(err, errlen, "validity must be 1..%d days",
				   CERT_DAYS_MAX);
	return 0;
}

/* 0.0.0.0, loopback, multicast, broadcast: never a node's own address. */
static bool vaddr_usable(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h != 0 && (h >> 24) != 127 && (h >> 28) != 0xe &&
	       h != 0xffffffffu;
}

/* ::, loopback, multicast, link-local, v4-mapped: never a node's own. */
static bool vaddr6_usable(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_MULTICAST(a) && !IN6_IS_ADDR_LINKLOCAL(a) &&
	       !IN6_IS_ADDR_V4MAPPED(a);
}

int cert_addrs_add(struct cert_addrs *addrs, const char *text, char *err,
		   size_t errlen)
{
	struct in6_addr v6;
	struct in_addr v4;

	if (inet_pton(AF_INET, text, &v4) == 1) {
		if (addrs->has_v4)
			return errbuf_fail(err, errlen,
					   "one IPv4 address per certificate; `%s' is a second",
					   text);
		if (!vaddr_usable(v4))
			return errbuf_fail(err, errlen,
					   "%s is not a usable unicast address",
					   text);
		addrs->has_v4 = true;
		addrs->v4 = v4;
		return 0;
	}
	if (inet_pton(AF_INET6, text, &v6) == 1) {
		if (addrs->has_v6)
			return errbuf_fail(err, errlen,
					   "one IPv6 address per certificate; `%s' is a second",
					   text);
		if (!vaddr6_usable(&v6))
			return errbuf_fail(err, errlen,
					   "%s is not a usable unicast address",
					   text);
		addrs->has_v6 = true;
		addrs->v6 = v6;
		return 0;
	}
	return errbuf_fail(err, errlen,
			   "`%s' is not an IPv4 or IPv6 address (no prefix)",
			   text);
}

int cert_addrs_add_route(struct cert_addrs *addrs, const char *text,
			 char *err, size_t errlen)
{
	struct cert_route r;

	if (cert_route_parse(text, strlen(text), &r, err, errlen) < 0)
		return -1;
	for (size_t i = 0; i < addrs->nroutes; i++)
		if (cert_route_equal(&addrs->routes[i], &r))
			return errbuf_fail(err, errlen, "route %s given twice",
					   text);
	if (addrs->nroutes >= CERT_ROUTES_MAX)
		return errbuf_fail(err, errlen, "at most %d routes",
				   CERT_ROUTES_MAX);
	addrs->routes[addrs->nroutes++] = r;
	return 0;
}

/*
 * SAN = SEQUENCE { [7] IMPLICIT OCTET STRING, ... }: one iPAddress of 4
 * bytes for the IPv4 address, one of 16 for the IPv6 one, in that order,
 * then one uniformResourceIdentifier [6] "podnet:route:NET/LEN" per routed
 * subnet. The one place node certificates get their addresses (join
 * tokens too).
 */
int cert_san_build(const struct cert_addrs *addrs, uint8_t *out,
		   size_t max)
{
	uint8_t body[2 + 6 + 18 + CERT_ROUTES_MAX * 68];
	size_t n = 0, hdr;

	if (!addrs->has_v4 && !addrs->has_v6)
		return -1;
	if (addrs->has_v4) {
		body[n++] = ASN_CONTEXT_SPECIFIC | ASN_IP_TYPE;
		body[n++] = 4;
		memcpy(body + n, &addrs->v4.s_addr, 4);
		n += 4;
	}
	if (addrs->has_v6) {
		body[n++] = ASN_CONTEXT_SPECIFIC | ASN_IP_TYPE;
		body[n++] = 16;
		memcpy(body + n, &addrs->v6, 16);
		n += 16;
	}
	for (size_t i = 0; i < addrs->nroutes && i < CERT_ROUTES_MAX; i++) {
		char uri[sizeof(CERT_ROUTE_URI_PREFIX) + CERT_ROUTE_STR_MAX];
		char net[CERT_ROUTE_STR_MAX];
		int len;

		cert_route_format(&addrs->routes[i], net, sizeof(net));
		len = snprintf(uri, sizeof(uri), CERT_ROUTE_URI_PREFIX "%s",
			       net);
		if (len <= 0 || (size_t)len >= sizeof(uri))
			return -1;
		body[n++] = ASN_CONTEXT_SPECIFIC | ASN_URI_TYPE;
		body[n++] = (uint8_t)len;
		memcpy(body + n, uri, (size_t)len);
		n += (size_t)len;
	}
	/* DER length: short form below 128, else 0x81/0x82 + bytes. */
	hdr = n < 128 ? 2 : n < 256 ? 3 : 4;
	if (hdr + n > max)
		return -1;
	out[0] = ASN_SEQUENCE | ASN_CONSTRUCTED;
	if (hdr == 2) {
		out[1] = (uint8_t)n;
	} else if (hdr == 3) {
		out[1] = 0x81;
		out[2] = (uint8_t)n;
	} else {
		out[1] = 0x82;
		out[2] = (uint8_t)(n >> 8);
		out[3] = (uint8_t)n;
	}
	memcpy(out + hdr, body, n);
	return (int)(hdr + n);
}

struct ca_material {
	uint8_t *der;
	size_t der_len;
	struct cert_identity id;
	struct node_key key;
};

static void ca_material_free(struct ca_material *ca)
{
	node_key_free(&ca->key);
	free(ca->der);
	ca->der = NULL;
}

static int ca_material_load(struct ca_material *ca, const char *cert_path,
			    const char *key_path, time_t now, char *err,
			    size_t errlen)
{
	uint8_t cert_pub[ED25519_PUB_KEY_SIZE], key_pub[ED25519_PUB_KEY_SIZE];
	word32 key_pub_len = sizeof(key_pub);

	ca->der = NULL;
	ca->key.ready = false;
	if (cert_load_der(cert_path, &ca->der, &ca->der_len, err, errlen) < 0)
		return -1;
	if (cert_parse(ca->der, ca->der_len, &ca->id, cert_pub, err,
		       errlen) < 0) {
		errbuf_prefix(err, errlen, cert_path);
		goto out_free;
	}
	if (!ca->id.is_ca) {
		errbuf_fail(err, errlen, "%s is not a CA certificate",
			    cert_path);
		goto out_free;
	}
	if (ca->id.not_after <= now) {
		errbuf_fail(err, errlen, "CA certificate %s has expired",
			    cert_path);
		goto out_free;
	}
	if (node_key_load(&ca->key, key_path, err, errlen) < 0)
		goto out_free;
	/* Signing with the wrong key would yield certs nobody accepts. */
	if (wc_ed25519_export_public(&ca->key.key, key_pub, &key_pub_len) ||
	    memcmp(cert_pub, key_pub, sizeof(cert_pub))) {
		errbuf_fail(err, errlen, "%s does not belong to %s", key_path,
			    cert_path);
		goto out_free;
	}
	return 0;

out_free:
	ca_material_free(ca);
	return -1;
}

/* ------------------------------------------------------------------------ */
/* Issuing                                                                  */

/* What sets one new certificate apart; the rest is common to all. */
struct cert_request {
	const char *name;
	time_t not_before;
	time_t not_after;
	/* The signer; NULL for a self-signed network CA. */
	struct ca_material *ca;
	struct cert_addrs addrs;	/* node certificates only */
};

/* The validity of a certificate signed now: never outside the CA's. */
static void cert_request_validity(struct cert_request *req,
				  const struct ca_material *ca, time_t now,
				  unsigned int days)
{
	req->not_before = now - CERT_CLOCK_SKEW;
	if (req->not_before < ca->id.not_before)
		req->not_before = ca->id.not_before;
	req->not_after = now + (time_t)days * DAY_SECS;
	if (req->not_after > ca->id.not_after)
		req->not_after = ca->id.not_after;
}

/* The fields of cert that req decides: subject, serial and validity. */
static int cert_setup_request(Cert *cert, const struct cert_request *req,
			      WC_RNG *rng, char *err, size_t errlen)
{
	if (cert_setup(cert, req->name, rng, err, errlen) < 0)
		return -1;
	return cert_set_validity(cert, req->not_before, req->not_after, err,
				 errlen);
}

static int cert_set_ca_extensions(Cert *cert, struct node_key *key,
				  char *err, size_t errlen)
{
	cert->isCA = 1;
	if (wc_SetKeyUsage(cert, "keyCertSign,cRLSign") ||
	    wc_SetSubjectKeyIdFromPublicKey_ex(cert, ED25519_TYPE, &key->key))
		return errbuf_fail(err, errlen, "cannot set CA extensions");
	return 0;
}

/*
 * The extensions of every certificate the CA signs for someone else: not
 * a CA, issued by ca, a signing key of the given extended usage.
 */
static int cert_set_signed_extensions(Cert *cert, struct ca_material *ca,
				      struct node_key *key,
				      const char *ext_usage, char *err,
				      size_t errlen)
{
	/* Explicit CA:FALSE rather than no basicConstraints at all. */
	cert->isCA = 0;
	cert->basicConstSet = 1;
	if (wc_SetIssuerBuffer(cert, ca->der, (int)ca->der_len) ||
	    wc_SetAuthKeyIdFromCert(cert, ca->der, (int)ca->der_len) ||
	    wc_SetSubjectKeyIdFromPublicKey_ex(cert, ED25519_TYPE, &key->key) ||
	    wc_SetKeyUsage(cert, "digitalSignature") ||
	    wc_SetExtKeyUsage(cert, ext_usage))
		return errbuf_fail(err, errlen,
				   "cannot set certificate extensions");
	return 0;
}

static int cert_set_node_extensions(Cert *cert, struct ca_material *ca,
				    const struct cert_addrs *addrs,
				    struct node_key *key, char *err,
				    size_t errlen)
{
	int san;

	san = cert_san_build(addrs, cert->altNames, sizeof(cert->altNames));
	if (san < 0)
		return errbuf_fail(err, errlen, "no address for the certificate");
	cert->altNamesSz = san;
	/* Every node is DTLS client and server, depending on who dials. */
	return cert_set_signed_extensions(cert, ca, key, "serverAuth,clientAuth",
					  err, errlen);
}

/*
 * Claims both output paths, makes a new key, signs its certificate as req
 * says and writes the pair. Any failure removes both files again.
 */
static int cert_make_pair(const struct cert_request *req,
			  const char *cert_path, const char *key_path,
			  char *err, size_t errlen)
{
	uint8_t cert_pem[CERT_PEM_MAX], key_pem[KEY_PEM_MAX];
	struct node_key key = { .ready = false };
	int cert_len, key_len, ret = -1;
	struct node_key *signer;
	struct cert_draft draft;
	struct out_files out;

	if (cert_draft_start(&draft, err, errlen) < 0)
		return -1;
	/* Claim both paths before doing any work, so a clash fails early. */
	if (out_files_open(&out, cert_path, key_path, err, errlen) < 0)
		goto out_end_draft;

	if (node_key_generate(&key, &draft.rng, err, errlen) < 0)
		goto out_discard;
	if (cert_setup_request(draft.cert, req, &draft.rng, err, errlen) < 0)
		goto out_free_key;
	if (req->ca) {
		if (cert_set_node_extensions(draft.cert, req->ca, &req->addrs,
					     &key, err, errlen) < 0)
			goto out_free_key;
		signer = &req->ca->key;
	} else {
		if (cert_set_ca_extensions(draft.cert, &key, err, errlen) < 0)
			goto out_free_key;
		signer = &key;
	}
	cert_len = cert_sign_pem(draft.cert, &key, signer, &draft.rng,
				 cert_pem, sizeof(cert_pem), err, errlen);
	if (cert_len < 0)
		goto out_free_key;
	key_len = node_key_to_pem(&key, key_pem, sizeof(key_pem), err, errlen);
	if (key_len < 0)
		goto out_free_key;
	if (out_files_write(&out, cert_pem, cert_len, key_pem, key_len, err,
			    errlen) < 0)
		goto out_free_key;
	ret = 0;

out_free_key:
	node_key_free(&key);
	explicit_bzero(key_pem, sizeof(key_pem));
out_discard:
	if (ret)
		out_files_discard(&out);
out_end_draft:
	cert_draft_end(&draft);
	return ret;
}

int cert_ca_create(const char *name, unsigned int days, const char *cert_path,
		   const char *key_path, char *err, size_t errlen)
{
	time_t now = time(NULL);
	struct cert_request req = {
		.name = name,
		.not_before = now - CERT_CLOCK_SKEW,
		.not_after = now + (time_t)days * DAY_SECS,
	};

	if (!cert_name_valid(name))
		return errbuf_fail(err, errlen,
				   "invalid CA name: use 1-63 characters of A-Z a-z 0-9 . _ -");
	if (check_days(days, err, errlen) < 0)
		return -1;
	if (!cert_path || !key_path)
		return errbuf_fail(err, errlen, "no output path");
	return cert_make_pair(&req, cert_path, key_path, err, errlen);
}

int cert_issue(const char *ca_cert_path, const char *ca_key_path,
	       const char *name, struct in_addr vaddr, unsigned int days,
	       const char *cert_path, const char *key_path, char *err,
	       size_t errlen)
{
	struct cert_addrs addrs = { .has_v4 = true, .v4 = vaddr };

	if (!vaddr_usable(vaddr)) {
		char text[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &vaddr, text, sizeof(text));
		return errbuf_fail(err, errlen,
				   "%s is not a usable unicast address", text);
	}
	return cert_issue_addrs(ca_cert_path, ca_key_path, name, &addrs, days,
				cert_path, key_path, err, errlen);
}

int cert_issue_addrs(const char *ca_cert_path, const char *ca_key_path,
		     const char *name, const struct cert_addrs *addrs,
		     unsigned int days, const char *cert_path,
		     const char *key_path, char *err, size_t errlen)
{
	time_t now = time(NULL);
	struct cert_request req = { .name = name, .addrs = *addrs };
	struct ca_material ca;
	int ret;

	if (!cert_name_valid(name))
		return errbuf_fail(err, errlen,
				   "invalid node name: use 1-63 characters of A-Z a-z 0-9 . _ -");
	if ((addrs->has_v4 && !vaddr_usable(addrs->v4)) ||
	    (addrs->has_v6 && !vaddr6_usable(&addrs->v6)))
		return errbuf_fail(err, errlen,
				   "not a usable unicast address");
	if (!addrs->has_v4 && !addrs->has_v6)
		return errbuf_fail(err, errlen,
				   "a node certificate needs an address");
	if (check_days(days, err, errlen) < 0)
		return -1;
	if (!ca_cert_path || !ca_key_path || !cert_path || !key_path)
		return errbuf_fail(err, errlen, "missing path");

	if (ca_material_load(&ca, ca_cert_path, ca_key_path, now, err,
			     errlen) < 0)
		return -1;

	req.ca = &ca;
	cert_request_validity(&req, &ca, now, days);

	ret = cert_make_pair(&req, cert_path, key_path, err, errlen);
	ca_material_free(&ca);
	return ret;
}

int cert_ca_sign(const char *ca_cert_path, const char *ca_key_path,
		 const uint8_t *msg, size_t len, uint8_t sig[64], char *err,
		 size_t errlen)
{
	struct ca_material ca;
	word32 sig_len = ED25519_SIG_SIZE;
	int ret = -1;

	if (ca_material_load(&ca, ca_cert_path, ca_key_path, time(NULL), err,
			     errlen) < 0)
		return -1;
	if (wc_ed25519_sign_msg(msg, (word32)len, sig, &sig_len, &ca.key.key) ||
	    sig_len != ED25519_SIG_SIZE)
		errbuf_fail(err, errlen, "Ed25519 signing failed");
	else
		ret = 0;
	ca_material_free(&ca);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Enrollment (podnet join): keys made on the node, signed elsewhere       */

int cert_key_create(const char *key_path, uint8_t pub[CERT_ED25519_PUB_LEN],
		    char *err, size_t errlen)
{
	struct node_key key = { .ready = false };
	uint8_t key_pem[KEY_PEM_MAX];
	word32 pub_len = CERT_ED25519_PUB_LEN;
	int fd, key_len, ret = -1;
	WC_RNG rng;

	if (wc_InitRng(&rng))
		return errbuf_fail(err, errlen, "cannot initialise the RNG");
	fd = fileio_create_new(key_path, 0600, true, err, errlen);
	if (fd < 0)
		goto out_free_rng;
	if (node_key_generate(&key, &rng, err, errlen) < 0)
		goto out_close;
	key_len = node_key_to_pem(&key, key_pem, sizeof(key_pem), err, errlen);
	if (key_len < 0)
		goto out_free_key;
	if (wc_ed25519_export_public(&key.key, pub, &pub_len) ||
	    pub_len != CERT_ED25519_PUB_LEN) {
		errbuf_fail(err, errlen, "cannot export the public key");
		goto out_free_key;
	}
	ret = fileio_write_close(fd, key_path, key_pem, key_len, err, errlen);
	fd = -1;

out_free_key:
	node_key_free(&key);
	explicit_bzero(key_pem, sizeof(key_pem));
out_close:
	if (fd >= 0)
		close(fd);
	if (ret)
		unlink(key_path);
out_free_rng:
	wc_FreeRng(&rng);
	return ret;
}

int cert_issue_for_key(const char *ca_cert_path, const char *ca_key_path,
		       const char *name, struct in_addr vaddr,
		       unsigned int days,
		       const uint8_t pub[CERT_ED25519_PUB_LEN], uint8_t *pem,
		       size_t pem_max, char *err, size_t errlen)
{
	struct cert_addrs addrs = { .has_v4 = true, .v4 = vaddr };

	return cert_issue_for_key_addrs(ca_cert_path, ca_key_path, name,
					&addrs, days, pub, pem, pem_max, err,
					errlen);
}

int cert_issue_for_key_addrs(const char *ca_cert_path,
			     const char *ca_key_path, const char *name,
			     const struct cert_addrs *addrs, unsigned int days,
			     const uint8_t pub[CERT_ED25519_PUB_LEN],
			     uint8_t *pem, size_t pem_max, char *err,
			     size_t errlen)
{
	struct node_key subject = { .ready = false };
	struct cert_request req = { .name = name, .addrs = *addrs };
	struct cert_draft draft;
	struct ca_material ca;
	int ret = -1;

	if (!cert_name_valid(name))
		return errbuf_fail(err, errlen, "invalid node name");
	if ((!addrs->has_v4 && !addrs->has_v6) ||
	    (addrs->has_v4 && !vaddr_usable(addrs->v4)) ||
	    (addrs->has_v6 && !vaddr6_usable(&addrs->v6)))
		return errbuf_fail(err, errlen, "not a usable unicast address");
	if (check_days(days, err, errlen) < 0)
		return -1;
	if (cert_draft_start(&draft, err, errlen) < 0)
		return -1;
	if (ca_material_load(&ca, ca_cert_path, ca_key_path, time(NULL), err,
			     errlen) < 0)
		goto out_end_draft;
	/* Only the public half is known here: the key never left the node. */
	if (wc_ed25519_init(&subject.key)) {
		errbuf_fail(err, errlen, "Ed25519 init failed");
		goto out_free_ca;
	}
	subject.ready = true;
	if (wc_ed25519_import_public(pub, CERT_ED25519_PUB_LEN,
				     &subject.key)) {
		errbuf_fail(err, errlen, "not an Ed25519 public key");
		goto out_free_subject;
	}
	req.ca = &ca;
	cert_request_validity(&req, &ca, time(NULL), days);
	if (cert_setup_request(draft.cert, &req, &draft.rng, err, errlen) < 0 ||
	    cert_set_node_extensions(draft.cert, &ca, addrs, &subject, err,
				     errlen) < 0)
		goto out_free_subject;
	ret = cert_sign_pem(draft.cert, &subject, &ca.key, &draft.rng, pem,
			    pem_max, err, errlen);

out_free_subject:
	node_key_free(&subject);
out_free_ca:
	ca_material_free(&ca);
out_end_draft:
	cert_draft_end(&draft);
	return ret;
}

int cert_service_identity(const char *ca_cert_path, const char *ca_key_path,
			  const char *name, uint8_t *cert_pem,
			  size_t cert_pem_max, int *cert_pem_len,
			  uint8_t *key_der, size_t key_der_max,
			  int *key_der_len, char *err, size_t errlen)
{
	struct node_key key = { .ready = false };
	struct cert_request req = { .name = name };
	struct cert_draft draft;
	struct ca_material ca;
	int ret = -1;

	if (cert_draft_start(&draft, err, errlen) < 0)
		return -1;
	if (ca_material_load(&ca, ca_cert_path, ca_key_path, time(NULL), err,
			     errlen) < 0)
		goto out_end_draft;
	if (node_key_generate(&key, &draft.rng, err, errlen) < 0)
		goto out_free_ca;
	cert_request_validity(&req, &ca, time(NULL), 30);
	/*
	 * serverAuth only and no address: this certificate can authenticate
	 * the enrollment service to a joining node but never pass as a node
	 * in the mesh (podnetd wants clientAuth and an address).
	 */
	if (cert_setup_request(draft.cert, &req, &draft.rng, err, errlen) < 0 ||
	    cert_set_signed_extensions(draft.cert, &ca, &key, "serverAuth", err,
				       errlen) < 0)
		goto out_free_key;
	*cert_pem_len = cert_sign_pem(draft.cert, &key, &ca.key, &draft.rng,
				      cert_pem, cert_pem_max, err, errlen);
	if (*cert_pem_len < 0)
		goto out_free_key;
	*key_der_len = wc_Ed25519PrivateKeyToDer(&key.key, key_der,
						 (word32)key_der_max);
	if (*key_der_len <= 0) {
		errbuf_fail(err, errlen, "cannot encode the service key");
		goto out_free_key;
	}
	ret = 0;

out_free_key:
	node_key_free(&key);
out_free_ca:
	ca_material_free(&ca);
out_end_draft:
	cert_draft_end(&draft);
	return ret;
}
