/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A failed DTLS handshake in words a user can act on: wolfSSL reports
 * "-188" or "received alert fatal error (-313)"; the log should say
 * "beta's certificate is not signed by this network's CA". Pure
 * functions of the error, the alert and the certificate the peer
 * presented, so the mapping has unit tests (test/unit/test_dtls_error.c).
 */
#ifndef _PODNET_DTLS_ERROR_H
#define _PODNET_DTLS_ERROR_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "cert.h"

struct dtls_failure {
	int error;		/* wolfSSL_get_error(), negative */
	int alert;		/* the fatal alert the peer sent, or -1 */
	/* The certificate the peer presented, as parsed before (or
	 * although) verification failed: names and dates are only
	 * informative, nothing here is trusted. */
	bool have_cert;
	struct cert_identity cert;
	/* This node's own reason for refusing the certificate (revoked,
	 * a CA certificate, ...), or "" */
	char refusal[192];
};

/*
 * Writes the cause of the failed handshake with `who` (a configured peer
 * name, or how the peer is known otherwise) into buf, with a hint at the
 * fix where there is one. Returns buf. No key material ever reaches it:
 * only names, dates and numbers.
 */
const char *dtls_failure_words(const char *who, const struct dtls_failure *f,
			       time_t now, char *buf, size_t len);

/* The TLS alert's name as RFC 5246 spells it ("unknown_ca"), or its number. */
const char *dtls_alert_name(int alert, char *buf, size_t len);

/* "2026-12-02 16:49 UTC" */
const char *dtls_format_time(time_t t, char *buf, size_t len);

#endif /* _PODNET_DTLS_ERROR_H */
