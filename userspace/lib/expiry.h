/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A node certificate's expiry as people read it, and the warning before
 * it comes: `podnet show` prints both, podnetd logs the warning at start
 * and once a day while it holds (expiry.c).
 */
#ifndef _PODNET_EXPIRY_H
#define _PODNET_EXPIRY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Warn this many days ahead. */
#define CERT_EXPIRY_WARN_DAYS 30

/* Days begun until not_after (a certificate for 10 days has 10 left all
 * its first day); once expired, minus the whole days since (0 the first
 * day). */
long long cert_days_left(time_t not_after, time_t now);

/* Whether to warn: fewer than CERT_EXPIRY_WARN_DAYS days left, or expired
 * (not_after 0 = the certificate has no expiry: never). */
bool cert_expires_soon(time_t not_after, time_t now);

/* "2027-12-02 (365 days)", "2026-11-30 (expired 2 days ago)" or
 * "... (expired today)", the date in UTC. */
const char *cert_expiry_text(time_t not_after, time_t now, char *buf,
			     size_t len);

/*
 * For the daemon: logs a warning naming cert_path when the certificate
 * expires soon, at the first call and then at most once a day (now is
 * wall-clock time). Returns whether it logged.
 */
bool cert_expiry_log(time_t not_after, const char *cert_path, time_t now);

#endif /* _PODNET_EXPIRY_H */
