// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Failure reasons written into a caller's buffer (errbuf.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "errbuf.h"

int errbuf_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int errbuf_prefix(char *err, size_t errlen, const char *prefix)
{
	char reason[256];

	if (!err || !errlen)
		return -1;
	/* Copied first: err is both the source and the destination. */
	snprintf(reason, sizeof(reason), "%s", err);
	return errbuf_fail(err, errlen, "%s: %s", prefix, reason);
}
