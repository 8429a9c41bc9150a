// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * wolfSSL error codes and TLS alerts in words (dtls_error.h). The codes
 * are the ones a podnet handshake meets: the certificate checks of both
 * ends, the alert the other end sends when its checks fail, cipher and
 * curve negotiation. Anything else keeps wolfSSL's own text.
 */
#include <stdio.h>
#include <string.h>

#include "dtls_error.h"

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

static const struct {
	int code;
	const char *name;
} alert_names[] = {
	{ close_notify, "close_notify" },
	{ unexpected_message, "unexpected_message" },
	{ bad_record_mac, "bad_record_mac" },
	{ record_overflow, "record_overflow" },
	{ decompression_failure, "decompression_failure" },
	{ handshake_failure, "handshake_failure" },
	{ no_certificate, "no_certificate" },
	{ bad_certificate, "bad_certificate" },
	{ unsupported_certificate, "unsupported_certificate" },
	{ certificate_revoked, "certificate_revoked" },
	{ certificate_expired, "certificate_expired" },
	{ certificate_unknown, "certificate_unknown" },
	{ illegal_parameter, "illegal_parameter" },
	{ unknown_ca, "unknown_ca" },
	{ access_denied, "access_denied" },
	{ decode_error, "decode_error" },
	{ decrypt_error, "decrypt_error" },
	{ wolfssl_alert_protocol_version, "protocol_version" },
	{ insufficient_security, "insufficient_security" },
	{ internal_error, "internal_error" },
	{ user_canceled, "user_canceled" },
	{ no_renegotiation, "no_renegotiation" },
	{ missing_extension, "missing_extension" },
	{ unsupported_extension, "unsupported_extension" },
	{ certificate_required, "certificate_required" },
};

const char *dtls_alert_name(int alert, char *buf, size_t len)
{
	for (size_t i = 0; i < sizeof(alert_names) / sizeof(alert_names[0]); i++)
		if (alert_names[i].code == alert)
			return alert_names[i].name;
	snprintf(buf, len, "%d", alert);
	return buf;
}

const char *dtls_format_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M UTC", &tm))
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

/* What the peer's alert says about us, when its checks refused us. */
static void alert_words(const char *who, int alert, char *buf, size_t len)
{
	char tmp[32];
	const char *name = dtls_alert_name(alert, tmp, sizeof(tmp));

	switch (alert) {
	case unknown_ca:
		snprintf(buf, len, "%s refused our certificate (alert %s): both nodes need certificates from the same CA",
			 who, name);
		break;
	case bad_certificate:
	case certificate_unknown:
	case unsupported_certificate:
		/* Also what its own checks (revocation, addresses) send. */
		snprintf(buf, len, "%s refused our certificate (alert %s): its log says why",
			 who, name);
		break;
	case certificate_expired:
		snprintf(buf, len, "%s refused our certificate as expired or not yet valid (alert %s): check our certificate's dates (podnet cert show) and both clocks",
			 who, name);
		break;
	case certificate_revoked:
		snprintf(buf, len, "%s refused our certificate as revoked (alert %s): this node needs a new certificate",
			 who, name);
		break;
	case handshake_failure:
	case insufficient_security:
		snprintf(buf, len, "%s found no cipher suite in common with us (alert %s): compare both nodes' Ciphers",
			 who, name);
		break;
	case wolfssl_alert_protocol_version:
		snprintf(buf, len, "%s speaks another DTLS version (alert %s)",
			 who, name);
		break;
	case -1:
		snprintf(buf, len, "%s ended the handshake with a fatal alert",
			 who);
		break;
	default:
		snprintf(buf, len, "%s ended the handshake (alert %s)", who,
			 name);
	}
}

const char *dtls_failure_words(const char *who, const struct dtls_failure *f,
			       time_t now, char *buf, size_t len)
{
	const struct cert_identity *c = f->have_cert ? &f->cert : NULL;
	char when[40], now_s[40], issuer[CERT_NAME_MAX + 32] = "";

	if (c && c->issuer[0])
		snprintf(issuer, sizeof(issuer), " (its issuer is '%s')",
			 c->issuer);
	switch (f->error) {
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
		snprintf(buf, len, "%s's certificate is not signed by this network's CA%s: both nodes need certificates from the same CA",
			 who, issuer);
		break;
	case ASN_SIG_CONFIRM_E:
	case ASN_SIG_OID_E:
	case ASN_SIG_HASH_E:
	case ASN_SIG_KEY_E:
		snprintf(buf, len, "%s's certificate has a signature this network's CA did not make%s: a CA re-created under the same name?",
			 who, issuer);
		break;
	case ASN_AFTER_DATE_E:
		if (c)
			snprintf(buf, len, "%s's certificate has expired (not after %s): issue it a new one (podnet cert issue)",
				 who, dtls_format_time(c->not_after, when,
						       sizeof(when)));
		else
			snprintf(buf, len, "%s's certificate has expired: issue it a new one (podnet cert issue)",
				 who);
		break;
	case ASN_BEFORE_DATE_E:
		if (c)
			snprintf(buf, len, "%s's certificate is not valid yet (not before %s, now %s): check both machines' clocks",
				 who, dtls_format_time(c->not_before, when,
						       sizeof(when)),
				 dtls_format_time(now, now_s, sizeof(now_s)));
		else
			snprintf(buf, len, "%s's certificate is not valid yet: check both machines' clocks",
				 who);
		break;
	case FATAL_ERROR:
		alert_words(who, f->alert, buf, len);
		break;
	case VERIFY_CERT_ERROR:
		/* Our own reason names the certificate already. */
		if (f->refusal[0])
			snprintf(buf, len, "%s", f->refusal);
		else
			snprintf(buf, len, "%s's certificate failed this node's checks",
				 who);
		break;
	case NO_PEER_CERT:
		snprintf(buf, len, "%s sent no certificate", who);
		break;
	case VERIFY_SIGN_ERROR:
		snprintf(buf, len, "%s does not hold the private key of the certificate it presented",
			 who);
		break;
	case MATCH_SUITE_ERROR:
	case UNSUPPORTED_SUITE:
		snprintf(buf, len, "no cipher suite in common with %s: compare both nodes' Ciphers",
			 who);
		break;
	case ECC_CURVE_ERROR:
	case ECC_PEERKEY_ERROR:
		snprintf(buf, len, "no key exchange in common with %s (a peer built without X25519?)",
			 who);
		break;
	case VERIFY_FINISHED_ERROR:
	case VERIFY_MAC_ERROR:
	case DECRYPT_ERROR:
		snprintf(buf, len, "the handshake with %s did not verify (%s): datagrams corrupted or altered on the way",
			 who, wolfSSL_ERR_reason_error_string(
				(unsigned long)f->error));
		break;
	default:
		snprintf(buf, len, "the handshake with %s failed: %s", who,
			 wolfSSL_ERR_reason_error_string(
				(unsigned long)f->error));
	}
	return buf;
}
