// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Network identity with wolfCrypt: a self-signed Ed25519 CA per network and
 * one Ed25519 certificate per node, binding its name (subject CN) and its
 * virtual IPv4 address (SAN iPAddress). The parser also reads certificates
 * that arrive from the network, so it must hold up against any bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "cert.h"

#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ed25519.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include <wolfssl/wolfcrypt/random.h>
#include <wolfssl/wolfcrypt/sha256.h>

/* Nothing podnet writes comes near this; anything bigger is not ours. */
#define CERT_FILE_MAX (64 * 1024)
/* An Ed25519 certificate is under 600 bytes; leave room for long names. */
#define CERT_DER_MAX 2048
#define CERT_PEM_MAX (CERT_DER_MAX * 2)
#define KEY_DER_MAX 128
#define KEY_PEM_MAX 512
/* Backdate notBefore so a peer whose clock is a little slow accepts it. */
#define CERT_CLOCK_SKEW (5 * 60)
#define CERT_SERIAL_LEN 16
#define DAY_SECS 86400

static int __attribute__((format(printf, 3, 4)))
cert_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * wolfCrypt's ForceZero is an inline in a header that is not installed;
 * explicit_bzero is glibc's equivalent that the compiler may not elide.
 */
static void wipe(void *p, size_t len)
{
	if (p)
		explicit_bzero(p, len);
}

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

/* ------------------------------------------------------------------------ */
/* Files                                                                    */

/* Reads a whole small regular file; the caller wipes and frees *buf. */
static int read_small_file(const char *path, uint8_t **buf, size_t *len,
			   char *err, size_t errlen)
{
	struct stat st;
	uint8_t *data;
	size_t done = 0;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cert_fail(err, errlen, "cannot open %s: %s", path,
				 strerror(errno));
	if (fstat(fd, &st) < 0) {
		cert_fail(err, errlen, "cannot stat %s: %s", path,
			  strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		cert_fail(err, errlen, "%s is not a regular file", path);
		goto out_close;
	}
	if (st.st_size <= 0 || st.st_size > CERT_FILE_MAX) {
		cert_fail(err, errlen, "%s: unexpected size %lld bytes", path,
			  (long long)st.st_size);
		goto out_close;
	}
	/* One spare byte so the text can be NUL-terminated for strstr(). */
	data = calloc(1, st.st_size + 1);
	if (!data) {
		cert_fail(err, errlen, "out of memory");
		goto out_close;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, data + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			cert_fail(err, errlen, "cannot read %s: %s", path,
				  n < 0 ? strerror(errno) : "file shrank");
			wipe(data, st.st_size);
			free(data);
			goto out_close;
		}
		done += n;
	}
	*buf = data;
	*len = done;
	ret = 0;
out_close:
	close(fd);
	return ret;
}

/*
 * Creates a new file and refuses to touch an existing one, including a
 * symlink planted in its place (O_EXCL does not follow links). The mode is
 * forced with fchmod() so a permissive umask cannot widen a key file.
 */
static int create_new_file(const char *path, mode_t mode, bool force_mode,
			   char *err, size_t errlen)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			return cert_fail(err, errlen,
					 "%s already exists; refusing to overwrite it",
					 path);
		return cert_fail(err, errlen, "cannot create %s: %s", path,
				 strerror(errno));
	}
	if (force_mode && fchmod(fd, mode) < 0) {
		cert_fail(err, errlen, "cannot chmod %s: %s", path,
			  strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

/* Writes, flushes and closes; the file is complete on disk or an error. */
static int finish_file(int fd, const char *path, const void *buf, size_t len,
		       char *err, size_t errlen)
{
	int ret;

	ret = write_all(fd, buf, len);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret)
		return cert_fail(err, errlen, "cannot write %s: %s", path,
				 strerror(-ret));
	return 0;
}

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
	out->key_fd = create_new_file(key_path, 0600, true, err, errlen);
	if (out->key_fd < 0)
		return -1;
	/* A certificate is public; the umask decides how public. */
	out->cert_fd = create_new_file(cert_path, 0644, false, err, errlen);
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
	if (finish_file(out->cert_fd, out->cert_path, cert_pem, cert_len, err,
			errlen) < 0) {
		out->cert_fd = -1;
		close(key_fd);
		return -1;
	}
	out->cert_fd = -1;
	return finish_file(key_fd, out->key_path, key_pem, key_len, err,
			   errlen);
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

/*
 * Parses without verifying the signature; callers that need trust get it
 * from wolfSSL's chain check. If ed25519_pub is given, the subject's raw
 * Ed25519 public key is copied there (it must be one).
 */
static int parse_cert(const uint8_t *der, size_t len, struct cert_identity *id,
		      uint8_t ed25519_pub[ED25519_PUB_KEY_SIZE], char *err,
		      size_t errlen)
{
	struct cert_identity tmp;
	DecodedCert *dc;
	DNS_entry *alt;
	int ret = -1;

	if (!der || !id)
		return cert_fail(err, errlen, "no certificate");
	if (len == 0 || len > CERT_FILE_MAX || der_outer_len(der, len) != len)
		return cert_fail(err, errlen, "not a DER certificate");

	/* Several KB, mostly signature context; keep it off the stack. */
	dc = calloc(1, sizeof(*dc));
	if (!dc)
		return cert_fail(err, errlen, "out of memory");
	memset(&tmp, 0, sizeof(tmp));

	wc_InitDecodedCert(dc, der, (word32)len, NULL);
	ret = wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL);
	if (ret) {
		cert_fail(err, errlen, "malformed certificate: %s (%d)",
			  wc_GetErrorString(ret), ret);
		ret = -1;
		goto out_free;
	}
	ret = -1;

	if (copy_cn(tmp.name, dc->subjectCN, dc->subjectCNLen) < 0) {
		cert_fail(err, errlen,
			  "subject CN missing, too long or not printable");
		goto out_free;
	}
	/* An issuer without a CN is odd but says nothing about the subject. */
	if (dc->issuerCN && dc->issuerCNLen > 0 &&
	    copy_cn(tmp.issuer, dc->issuerCN, dc->issuerCNLen) < 0) {
		cert_fail(err, errlen, "issuer CN too long or not printable");
		goto out_free;
	}
	if (asn_time_decode(dc->beforeDate, dc->beforeDateLen,
			    &tmp.not_before) < 0 ||
	    asn_time_decode(dc->afterDate, dc->afterDateLen,
			    &tmp.not_after) < 0) {
		cert_fail(err, errlen, "invalid validity dates");
		goto out_free;
	}
	for (alt = dc->altNames; alt; alt = alt->next) {
		if (alt->type == ASN_IP_TYPE && alt->len == 4 && alt->name) {
			memcpy(&tmp.vaddr.s_addr, alt->name, 4);
			tmp.has_vaddr = true;
			break;
		}
	}
	tmp.is_ca = dc->isCA;
	snprintf(tmp.key_type, sizeof(tmp.key_type), "%s", key_type_name(dc));
	if (wc_Sha256Hash(der, (word32)len, tmp.fingerprint)) {
		cert_fail(err, errlen, "SHA-256 failed");
		goto out_free;
	}
	if (ed25519_pub) {
		if (dc->keyOID != ED25519k || !dc->publicKey ||
		    dc->pubKeySize != ED25519_PUB_KEY_SIZE) {
			cert_fail(err, errlen, "not an Ed25519 certificate");
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
	return parse_cert(der, len, id, NULL, err, errlen);
}

static bool has_text(const uint8_t *buf, const char *needle)
{
	return strstr((const char *)buf, needle) != NULL;
}

/*
 * Reads a certificate file: PEM (the first certificate in it) or raw DER.
 * On success *der is a malloc'd buffer holding exactly one certificate.
 */
static int load_cert_der(const char *path, uint8_t **der, size_t *der_len,
			 char *err, size_t errlen)
{
	uint8_t *file, *out;
	size_t file_len;
	int n;

	if (read_small_file(path, &file, &file_len, err, errlen) < 0)
		return -1;

	if (!has_text(file, "-----BEGIN")) {
		size_t len = der_outer_len(file, file_len);

		if (len == 0 || len != file_len) {
			cert_fail(err, errlen,
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
			cert_fail(err, errlen,
				  "%s is a private key, not a certificate",
				  path);
		else
			cert_fail(err, errlen, "%s holds no certificate", path);
		goto out_free_file;
	}
	/* Base64 shrinks by a quarter, so the file size is enough. */
	out = malloc(file_len);
	if (!out) {
		cert_fail(err, errlen, "out of memory");
		goto out_free_file;
	}
	n = wc_CertPemToDer(file, (int)file_len, out, (int)file_len,
			    CERT_TYPE);
	if (n <= 0) {
		cert_fail(err, errlen, "%s: bad PEM certificate", path);
		free(out);
		goto out_free_file;
	}
	/* A key could be in the same file; never leave it lying in memory. */
	wipe(file, file_len);
	free(file);
	*der = out;
	*der_len = n;
	return 0;

out_free_file:
	wipe(file, file_len);
	free(file);
	return -1;
}

int cert_identity_from_file(const char *path, struct cert_identity *id,
			    char *err, size_t errlen)
{
	uint8_t *der;
	size_t len;
	int ret;

	if (load_cert_der(path, &der, &len, err, errlen) < 0)
		return -1;
	ret = parse_cert(der, len, id, NULL, err, errlen);
	if (ret < 0 && err && errlen) {
		char reason[256];

		snprintf(reason, sizeof(reason), "%s", err);
		cert_fail(err, errlen, "%s: %s", path, reason);
	}
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
		return cert_fail(err, errlen, "no session");
	if (!wolfSSL_is_init_finished(ssl))
		return cert_fail(err, errlen, "handshake has not finished");
	/* Without peer verification the chain is whatever the peer sent. */
	if (!(wolfSSL_get_verify_mode(ssl) & WOLFSSL_VERIFY_PEER))
		return cert_fail(err, errlen,
				 "session does not verify its peer");
	/*
	 * wolfSSL_get_peer_certificate() returns NULL for Ed25519 peers in
	 * this wolfSSL build, but the raw chain is kept (SESSION_CERTS); the
	 * leaf comes first.
	 */
	chain = wolfSSL_get_peer_chain(ssl);
	if (!chain || wolfSSL_get_chain_count(chain) < 1)
		return cert_fail(err, errlen, "peer sent no certificate");
	der = wolfSSL_get_chain_cert(chain, 0);
	len = wolfSSL_get_chain_length(chain, 0);
	if (!der || len <= 0)
		return cert_fail(err, errlen, "peer certificate unavailable");
	return parse_cert(der, len, id, NULL, err, errlen);
}

/* ------------------------------------------------------------------------ */
/* Generation                                                               */

struct node_key {
	ed25519_key key;
	bool ready;
};

static void node_key_free(struct node_key *k)
{
	if (k->ready)
		wc_ed25519_free(&k->key);
	wipe(&k->key, sizeof(k->key));
	k->ready = false;
}

static int node_key_generate(struct node_key *k, WC_RNG *rng, char *err,
			     size_t errlen)
{
	int ret;

	ret = wc_ed25519_init(&k->key);
	if (ret)
		return cert_fail(err, errlen, "Ed25519 init failed (%d)", ret);
	k->ready = true;
	ret = wc_ed25519_make_key(rng, ED25519_KEY_SIZE, &k->key);
	if (ret) {
		node_key_free(k);
		return cert_fail(err, errlen,
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

	if (read_small_file(path, &pem, &pem_len, err, errlen) < 0)
		return -1;
	der_len = wc_KeyPemToDer(pem, (int)pem_len, der, sizeof(der), NULL);
	wipe(pem, pem_len);
	free(pem);
	if (der_len <= 0) {
		cert_fail(err, errlen, "%s: not a PEM private key", path);
		goto out_wipe;
	}
	if (wc_ed25519_init(&k->key)) {
		cert_fail(err, errlen, "Ed25519 init failed");
		goto out_wipe;
	}
	k->ready = true;
	if (wc_Ed25519PrivateKeyDecode(der, &idx, &k->key, der_len) ||
	    wc_ed25519_export_private_only(&k->key, seed, &seed_len) ||
	    wc_ed25519_make_public(&k->key, pub, sizeof(pub))) {
		cert_fail(err, errlen, "%s: not an Ed25519 private key", path);
		goto out_free_key;
	}
	wc_ed25519_free(&k->key);
	wc_ed25519_init(&k->key);
	if (wc_ed25519_import_private_key(seed, sizeof(seed), pub, sizeof(pub),
					  &k->key)) {
		cert_fail(err, errlen, "%s: cannot import Ed25519 key", path);
		goto out_free_key;
	}
	ret = 0;
	goto out_wipe;

out_free_key:
	node_key_free(k);
out_wipe:
	wipe(der, sizeof(der));
	wipe(seed, sizeof(seed));
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
		wipe(der, sizeof(der));
		return cert_fail(err, errlen, "cannot encode private key (%d)",
				 der_len);
	}
	pem_len = wc_DerToPem(der, der_len, pem, pem_max,
			      PKCS8_PRIVATEKEY_TYPE);
	wipe(der, sizeof(der));
	if (pem_len <= 0)
		return cert_fail(err, errlen,
				 "cannot PEM-encode private key (%d)", pem_len);
	return pem_len;
}

static int cert_set_validity(Cert *cert, time_t not_before, time_t not_after,
			     char *err, size_t errlen)
{
	int n;

	n = asn_time_encode(not_before, cert->beforeDate,
			    sizeof(cert->beforeDate));
	if (n < 0)
		return cert_fail(err, errlen, "notBefore out of range");
	cert->beforeDateSz = n;
	n = asn_time_encode(not_after, cert->afterDate,
			    sizeof(cert->afterDate));
	if (n < 0)
		return cert_fail(err, errlen, "notAfter out of range");
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
		return cert_fail(err, errlen, "wc_InitCert failed (%d)", ret);
	cert->sigType = CTC_ED25519;
	snprintf(cert->subject.commonName, sizeof(cert->subject.commonName),
		 "%s", cn);
	cert->subject.commonNameEnc = CTC_UTF8;

	/* Positive and 16 bytes long, with no leading zero to strip. */
	ret = wc_RNG_GenerateBlock(rng, cert->serial, CERT_SERIAL_LEN);
	if (ret)
		return cert_fail(err, errlen, "RNG failed (%d)", ret);
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
		return cert_fail(err, errlen, "cannot encode certificate: %s",
				 wc_GetErrorString(ret));
	ret = wc_SignCert_ex(cert->bodySz, cert->sigType, der, der_max,
			     ED25519_TYPE, &signer_key->key, rng);
	if (ret < 0)
		return cert_fail(err, errlen, "cannot sign certificate: %s",
				 wc_GetErrorString(ret));
	return ret;
}

static int cert_to_pem(const uint8_t *der, int der_len, uint8_t *pem,
		       size_t pem_max, char *err, size_t errlen)
{
	int n = wc_DerToPem(der, der_len, pem, pem_max, CERT_TYPE);

	if (n <= 0)
		return cert_fail(err, errlen, "cannot PEM-encode certificate");
	return n;
}

static int check_days(unsigned int days, char *err, size_t errlen)
{
	if (days < 1 || days > CERT_DAYS_MAX)
		return cert_fail(err, errlen, "validity must be 1..%d days",
				 CERT_DAYS_MAX);
	return 0;
}

int cert_ca_create(const char *name, unsigned int days, const char *cert_path,
		   const char *key_path, char *err, size_t errlen)
{
	uint8_t der[CERT_DER_MAX], cert_pem[CERT_PEM_MAX], key_pem[KEY_PEM_MAX];
	struct node_key key = { .ready = false };
	struct out_files out;
	int der_len, cert_len, key_len, ret = -1;
	time_t now = time(NULL);
	Cert *cert;
	WC_RNG rng;

	if (!cert_name_valid(name))
		return cert_fail(err, errlen,
				 "invalid CA name: use 1-63 characters of A-Z a-z 0-9 . _ -");
	if (check_days(days, err, errlen) < 0)
		return -1;
	if (!cert_path || !key_path)
		return cert_fail(err, errlen, "no output path");

	cert = calloc(1, sizeof(*cert));
	if (!cert)
		return cert_fail(err, errlen, "out of memory");
	if (wc_InitRng(&rng)) {
		cert_fail(err, errlen, "cannot initialise the RNG");
		goto out_free_cert;
	}
	/* Claim both paths before doing any work, so a clash fails early. */
	if (out_files_open(&out, cert_path, key_path, err, errlen) < 0)
		goto out_free_rng;

	if (node_key_generate(&key, &rng, err, errlen) < 0)
		goto out_discard;
	if (cert_setup(cert, name, &rng, err, errlen) < 0 ||
	    cert_set_validity(cert, now - CERT_CLOCK_SKEW,
			      now + (time_t)days * DAY_SECS, err, errlen) < 0)
		goto out_free_key;
	cert->isCA = 1;
	if (wc_SetKeyUsage(cert, "keyCertSign,cRLSign") ||
	    wc_SetSubjectKeyIdFromPublicKey_ex(cert, ED25519_TYPE, &key.key)) {
		cert_fail(err, errlen, "cannot set CA extensions");
		goto out_free_key;
	}
	der_len = cert_sign(cert, &key, &key, &rng, der, sizeof(der), err,
			    errlen);
	if (der_len < 0)
		goto out_free_key;
	cert_len = cert_to_pem(der, der_len, cert_pem, sizeof(cert_pem), err,
			       errlen);
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
	wipe(key_pem, sizeof(key_pem));
out_discard:
	if (ret)
		out_files_discard(&out);
out_free_rng:
	wc_FreeRng(&rng);
out_free_cert:
	free(cert);
	return ret;
}

/* 0.0.0.0, loopback, multicast, broadcast: never a node's own address. */
static bool vaddr_usable(struct in_addr a)
{
	uint32_t h = ntohl(a.s_addr);

	return h != 0 && (h >> 24) != 127 && (h >> 28) != 0xe &&
	       h != 0xffffffffu;
}

/* SAN = SEQUENCE { [7] IMPLICIT OCTET STRING (4 bytes) }, i.e. iPAddress. */
static void cert_set_san_ipv4(Cert *cert, struct in_addr vaddr)
{
	uint8_t *p = cert->altNames;

	p[0] = ASN_SEQUENCE | ASN_CONSTRUCTED;
	p[1] = 6;
	p[2] = ASN_CONTEXT_SPECIFIC | ASN_IP_TYPE;
	p[3] = 4;
	memcpy(p + 4, &vaddr.s_addr, 4);
	cert->altNamesSz = 8;
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
	if (load_cert_der(cert_path, &ca->der, &ca->der_len, err, errlen) < 0)
		return -1;
	if (parse_cert(ca->der, ca->der_len, &ca->id, cert_pub, err,
		       errlen) < 0) {
		char reason[256];

		snprintf(reason, sizeof(reason), "%s", err ? err : "");
		cert_fail(err, errlen, "%s: %s", cert_path, reason);
		goto out_free;
	}
	if (!ca->id.is_ca) {
		cert_fail(err, errlen, "%s is not a CA certificate", cert_path);
		goto out_free;
	}
	if (ca->id.not_after <= now) {
		cert_fail(err, errlen, "CA certificate %s has expired",
			  cert_path);
		goto out_free;
	}
	if (node_key_load(&ca->key, key_path, err, errlen) < 0)
		goto out_free;
	/* Signing with the wrong key would yield certs nobody accepts. */
	if (wc_ed25519_export_public(&ca->key.key, key_pub, &key_pub_len) ||
	    memcmp(cert_pub, key_pub, sizeof(cert_pub))) {
		cert_fail(err, errlen, "%s does not belong to %s", key_path,
			  cert_path);
		goto out_free;
	}
	return 0;

out_free:
	ca_material_free(ca);
	return -1;
}

int cert_issue(const char *ca_cert_path, const char *ca_key_path,
	       const char *name, struct in_addr vaddr, unsigned int days,
	       const char *cert_path, const char *key_path, char *err,
	       size_t errlen)
{
	uint8_t der[CERT_DER_MAX], cert_pem[CERT_PEM_MAX], key_pem[KEY_PEM_MAX];
	struct node_key key = { .ready = false };
	int der_len, cert_len, key_len, ret = -1;
	time_t now = time(NULL), not_before, not_after;
	struct ca_material ca;
	struct out_files out;
	Cert *cert;
	WC_RNG rng;

	if (!cert_name_valid(name))
		return cert_fail(err, errlen,
				 "invalid node name: use 1-63 characters of A-Z a-z 0-9 . _ -");
	if (!vaddr_usable(vaddr)) {
		char text[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &vaddr, text, sizeof(text));
		return cert_fail(err, errlen,
				 "%s is not a usable unicast address", text);
	}
	if (check_days(days, err, errlen) < 0)
		return -1;
	if (!ca_cert_path || !ca_key_path || !cert_path || !key_path)
		return cert_fail(err, errlen, "missing path");

	if (ca_material_load(&ca, ca_cert_path, ca_key_path, now, err,
			     errlen) < 0)
		return -1;

	/* A node certificate never outlives, nor predates, its CA. */
	not_before = now - CERT_CLOCK_SKEW;
	if (not_before < ca.id.not_before)
		not_before = ca.id.not_before;
	not_after = now + (time_t)days * DAY_SECS;
	if (not_after > ca.id.not_after)
		not_after = ca.id.not_after;

	cert = calloc(1, sizeof(*cert));
	if (!cert) {
		cert_fail(err, errlen, "out of memory");
		goto out_free_ca;
	}
	if (wc_InitRng(&rng)) {
		cert_fail(err, errlen, "cannot initialise the RNG");
		goto out_free_cert;
	}
	if (out_files_open(&out, cert_path, key_path, err, errlen) < 0)
		goto out_free_rng;

	if (node_key_generate(&key, &rng, err, errlen) < 0)
		goto out_discard;
	if (cert_setup(cert, name, &rng, err, errlen) < 0 ||
	    cert_set_validity(cert, not_before, not_after, err, errlen) < 0)
		goto out_free_key;
	/* Explicit CA:FALSE rather than no basicConstraints at all. */
	cert->isCA = 0;
	cert->basicConstSet = 1;
	cert_set_san_ipv4(cert, vaddr);
	/* Every node is DTLS client and server, depending on who dials. */
	if (wc_SetIssuerBuffer(cert, ca.der, (int)ca.der_len) ||
	    wc_SetAuthKeyIdFromCert(cert, ca.der, (int)ca.der_len) ||
	    wc_SetSubjectKeyIdFromPublicKey_ex(cert, ED25519_TYPE, &key.key) ||
	    wc_SetKeyUsage(cert, "digitalSignature") ||
	    wc_SetExtKeyUsage(cert, "serverAuth,clientAuth")) {
		cert_fail(err, errlen, "cannot set certificate extensions");
		goto out_free_key;
	}
	der_len = cert_sign(cert, &key, &ca.key, &rng, der, sizeof(der), err,
			    errlen);
	if (der_len < 0)
		goto out_free_key;
	cert_len = cert_to_pem(der, der_len, cert_pem, sizeof(cert_pem), err,
			       errlen);
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
	wipe(key_pem, sizeof(key_pem));
out_discard:
	if (ret)
		out_files_discard(&out);
out_free_rng:
	wc_FreeRng(&rng);
out_free_cert:
	free(cert);
out_free_ca:
	ca_material_free(&ca);
	return ret;
}
