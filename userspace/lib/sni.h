/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The server name (SNI, RFC 6066) of a TLS ClientHello, read from the
 * first bytes a client sends, so a published port can route a TLS
 * connection by name without terminating it (publish.c). The bytes come
 * from anyone on the internet: the parser checks every length against
 * the bytes it has and never reads past them.
 */
#ifndef _PODNET_SNI_H
#define _PODNET_SNI_H

#include <stddef.h>
#include <stdint.h>

/* The longest DNS name (253 characters) and its NUL. */
#define SNI_NAME_MAX 254
/*
 * The most a ClientHello may take, records and all: a full-size TLS record
 * (2^14 bytes) with its header and room for a second record's header.
 * Real ones are 200-2000 bytes (post-quantum key shares included).
 */
#define SNI_HELLO_MAX (16384 + 2 * 5)

enum sni_result {
	SNI_NEED_MORE,		/* a prefix of a ClientHello so far */
	SNI_FOUND,		/* name holds the host name, lower case */
	SNI_NONE,		/* a ClientHello without a server name */
	SNI_MALFORMED,		/* not TLS, not a ClientHello, or bad lengths */
};

/*
 * buf holds the first len bytes of the stream. The ClientHello may span
 * several handshake records (they are reassembled). A result other than
 * SNI_NEED_MORE never changes when more bytes follow. name (namelen >=
 * SNI_NAME_MAX) is set only for SNI_FOUND.
 */
enum sni_result sni_parse(const uint8_t *buf, size_t len, char *name,
			  size_t namelen);
const char *sni_result_name(enum sni_result r);
/*
 * Does host (lower case) match pattern: equal ignoring case, or pattern
 * "*.example.net" and host one or more labels under example.net.
 */
int sni_match(const char *pattern, const char *host);

#endif /* _PODNET_SNI_H */
