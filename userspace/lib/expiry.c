// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "expiry.h"

#include <stdio.h>

#include "log.h"

#define DAY 86400

long long cert_days_left(time_t not_after, time_t now)
{
	long long d = (long long)not_after - (long long)now;

	/* Days begun: a certificate issued for 10 days has 10 left, not 9
	 * and 23 hours; once expired, whole days since (0 the first day). */
	return d > 0 ? (d + DAY - 1) / DAY : -(-d / DAY);
}

bool cert_expires_soon(time_t not_after, time_t now)
{
	return not_after && cert_days_left(not_after, now) <
			    CERT_EXPIRY_WARN_DAYS;
}

const char *cert_expiry_text(time_t not_after, time_t now, char *buf,
			     size_t len)
{
	long long days = cert_days_left(not_after, now);
	char date[32];
	struct tm tm;

	if (!gmtime_r(&not_after, &tm) ||
	    !strftime(date, sizeof(date), "%Y-%m-%d", &tm))
		snprintf(date, sizeof(date), "@%lld", (long long)not_after);
	if (not_after > now)
		snprintf(buf, len, "%s (%lld day%s)", date, days,
			 days == 1 ? "" : "s");
	else if (!days)
		snprintf(buf, len, "%s (expired today)", date);
	else
		snprintf(buf, len, "%s (expired %lld day%s ago)", date, -days,
			 days == -1 ? "" : "s");
	return buf;
}

bool cert_expiry_log(time_t not_after, const char *cert_path, time_t now)
{
	static time_t next;
	char when[64];

	if (!cert_expires_soon(not_after, now) || (next && now < next))
		return false;
	next = now + DAY;
	log_warn("%s: this node's certificate expires %s; issue a new one (podnet cert issue --force) and restart podnetd before then",
		 cert_path, cert_expiry_text(not_after, now, when,
					     sizeof(when)));
	return true;
}
