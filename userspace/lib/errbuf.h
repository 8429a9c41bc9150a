/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Failure reasons for the caller's buffer: the library functions that read
 * files and certificates return -1 and leave a human-readable reason in
 * (err, errlen), which may be NULL/0 when the caller does not want one.
 */
#ifndef _PODNET_ERRBUF_H
#define _PODNET_ERRBUF_H

#include <stddef.h>

/* Formats the reason into err and returns -1, for `return errbuf_fail()`. */
int errbuf_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Puts "prefix: " in front of the reason already in err; returns -1. */
int errbuf_prefix(char *err, size_t errlen, const char *prefix);

#endif /* _PODNET_ERRBUF_H */
