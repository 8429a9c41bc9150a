// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * wolfSSL contexts for the two DTLS roles. Both load the same identity and
 * trust only the network CA; both demand the peer's certificate.
 */
#include "dtls.h"

#include <stdio.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/random.h>

#include "cert.h"
#include "dtls_error.h"
#include "config.h"
#include "log.h"
#include "node.h"

/*
 * The cipher list in effect: Ciphers from the file, or else the fastest
 * AEAD for this build first. Debian's wolfSSL has portable C only, where ChaCha20-Poly1305 is
 * 2.5x faster than AES-GCM (doc/identity.md); linked against wolfSSL's
 * assembly (make WOLFSSL=asm) on a CPU with AES-NI and carry-less
 * multiply, AES-128-GCM is the faster one (doc/bench.md); the same with
 * the ARMv8 assembly on arm64, which needs the AES and PMULL instructions.
 */
const char *dtls_cipher_list(const struct config *cfg)
{
	if (cfg->cipher_list[0])
		return cfg->cipher_list;
#if defined(WOLFSSL_AESNI) && defined(__x86_64__)
	if (__builtin_cpu_supports("aes") && __builtin_cpu_supports("pclmul"))
		return CONFIG_SUITE_AES128 ":" CONFIG_SUITE_CHACHA20 ":"
		       CONFIG_SUITE_AES256;
#endif
#if defined(WOLFSSL_ARMASM) && defined(__aarch64__)
	/* AES and PMULL instructions, which cpu_check_crypto() made sure of. */
	return CONFIG_SUITE_AES128 ":" CONFIG_SUITE_CHACHA20 ":"
	       CONFIG_SUITE_AES256;
#endif
	return CONFIG_SUITE_CHACHA20 ":" CONFIG_SUITE_AES128 ":"
	       CONFIG_SUITE_AES256;
}

/* Which code the linked wolfSSL runs its AEADs with, for logs and show. */
const char *dtls_crypto_code(void)
{
#if defined(USE_INTEL_SPEEDUP) || defined(WOLFSSL_ARMASM)
	return "assembly";
#else
	return "portable";
#endif
}

/*
 * The node whose rules the verify callback applies. One daemon runs one
 * node, and wolfSSL's callback has no pointer of ours to carry it.
 */
static struct node *verify_node;

/*
 * What the verify callback saw of the last certificate it refused, for
 * the words of the failure (dtls_refusal_take()). Handshakes run on the
 * main thread one call at a time, so one slot, tagged with its session,
 * is enough.
 */
static struct {
	const WOLFSSL *ssl;
	struct dtls_failure f;
} refused;

static void remember_refusal(WOLFSSL_X509_STORE_CTX *store,
			     const struct cert_identity *id, const char *why)
{
	memset(&refused, 0, sizeof(refused));
	refused.ssl = wolfSSL_X509_STORE_CTX_get_ex_data(store,
			wolfSSL_get_ex_data_X509_STORE_CTX_idx());
	if (id) {
		refused.f.have_cert = true;
		refused.f.cert = *id;
	}
	snprintf(refused.f.refusal, sizeof(refused.f.refusal), "%s", why);
}

void dtls_refusal_forget(void)
{
	memset(&refused, 0, sizeof(refused));
}

bool dtls_refusal_take(const WOLFSSL *ssl, struct dtls_failure *f)
{
	if (!ssl || refused.ssl != ssl)
		return false;
	f->have_cert = refused.f.have_cert;
	f->cert = refused.f.cert;
	memcpy(f->refusal, refused.f.refusal, sizeof(f->refusal));
	memset(&refused, 0, sizeof(refused));
	return true;
}

/*
 * After wolfSSL has checked the chain against the CA: refuse revoked
 * certificates, CA certificates and taken addresses during the handshake,
 * so the peer learns of it by an alert instead of a silent session.
 * session_complete() asks revoke_check() once more with the final state.
 * A certificate refused here or by wolfSSL is remembered (parsed, not
 * trusted) so that the log can name it and its dates.
 */
static int verify_cb(int preverify, WOLFSSL_X509_STORE_CTX *store)
{
	struct cert_identity id;
	const unsigned char *der;
	WOLFSSL_X509 *x509;
	char why[192];
	bool parsed;
	int len;

	if (!verify_node || wolfSSL_X509_STORE_CTX_get_error_depth(store) != 0)
		return preverify;
	x509 = wolfSSL_X509_STORE_CTX_get_current_cert(store);
	der = x509 ? wolfSSL_X509_get_der(x509, &len) : NULL;
	parsed = der && len > 0 &&
		 cert_parse(der, (size_t)len, &id, NULL, why, sizeof(why)) == 0;
	if (!preverify) {
		remember_refusal(store, parsed ? &id : NULL, "");
		return 0;
	}
	if (!parsed)
		return 0;
	if (revoke_check(verify_node, &id, why, sizeof(why)) < 0) {
		log_debug("handshake refused by the verify callback: %s", why);
		remember_refusal(store, &id, why);
		return 0;
	}
	return 1;
}

static WOLFSSL_CTX *context_create(const struct config *cfg, bool client,
				   char *err, size_t errlen)
{
	const char *ciphers;
	WOLFSSL_CTX *ctx;

	ctx = wolfSSL_CTX_new(client ? wolfDTLSv1_2_client_method() :
				       wolfDTLSv1_2_server_method());
	if (!ctx) {
		snprintf(err, errlen, "wolfSSL_CTX_new failed");
		return NULL;
	}
	if (wolfSSL_CTX_load_verify_locations(ctx, cfg->ca_path, NULL) !=
	    WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "%s: cannot load the CA certificate",
			 cfg->ca_path);
		goto fail;
	}
	if (wolfSSL_CTX_use_certificate_file(ctx, cfg->cert_path,
					     WOLFSSL_FILETYPE_PEM) !=
	    WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "%s: cannot load the node certificate",
			 cfg->cert_path);
		goto fail;
	}
	if (wolfSSL_CTX_use_PrivateKey_file(ctx, cfg->key_path,
					    WOLFSSL_FILETYPE_PEM) !=
	    WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "%s: cannot load the private key",
			 cfg->key_path);
		goto fail;
	}
	if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "%s does not belong to %s", cfg->key_path,
			 cfg->cert_path);
		goto fail;
	}
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER |
			       WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, verify_cb);
	ciphers = dtls_cipher_list(cfg);
	if (wolfSSL_CTX_set_cipher_list(ctx, ciphers) != WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot set the cipher list %s", ciphers);
		goto fail;
	}
	if (wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_X25519) !=
	    WOLFSSL_SUCCESS) {
		snprintf(err, errlen, "cannot enable X25519");
		goto fail;
	}
	return ctx;
fail:
	wolfSSL_CTX_free(ctx);
	return NULL;
}

int dtls_contexts_create(struct node *node, char *err, size_t errlen)
{
	WOLFSSL_CTX *client, *server;
	WC_RNG rng;

	verify_node = node;
	client = context_create(&node->cfg, true, err, errlen);
	if (!client)
		return -1;
	server = context_create(&node->cfg, false, err, errlen);
	if (!server) {
		wolfSSL_CTX_free(client);
		return -1;
	}
	/* A reload keeps the cookie secret: cookies in flight stay valid. */
	if (!node->dtls.server_ctx) {
		if (wc_InitRng(&rng) ||
		    wc_RNG_GenerateBlock(&rng, node->dtls.cookie_secret,
					 sizeof(node->dtls.cookie_secret))) {
			snprintf(err, errlen, "cannot get random bytes");
			wolfSSL_CTX_free(client);
			wolfSSL_CTX_free(server);
			return -1;
		}
		wc_FreeRng(&rng);
	}
	/* Sessions already running hold their own reference to the old
	 * contexts; freeing ours here only drops the daemon's reference. */
	dtls_contexts_free(node);
	node->dtls.client_ctx = client;
	node->dtls.server_ctx = server;
	return 0;
}

void dtls_contexts_free(struct node *node)
{
	wolfSSL_CTX_free(node->dtls.client_ctx);
	wolfSSL_CTX_free(node->dtls.server_ctx);
	node->dtls.client_ctx = NULL;
	node->dtls.server_ctx = NULL;
}
