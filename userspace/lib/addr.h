/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Socket address helpers: parse "IP:port" / "[IPv6]:port", print, compare;
 * and endpoints as written, which may name a host instead.
 */
#ifndef _PODNET_ADDR_H
#define _PODNET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define ADDR_STR_MAX 64	/* "[" INET6_ADDRSTRLEN "]:65535" fits */

struct endpoint {
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	};
	socklen_t len;	/* 0: no endpoint */
};

int endpoint_parse(const char *s, struct endpoint *ep);
const char *endpoint_format(const struct endpoint *ep, char *buf, size_t len);
bool endpoint_equal(const struct endpoint *a, const struct endpoint *b);
void endpoint_from_sockaddr(struct endpoint *ep, const struct sockaddr *sa,
			    socklen_t len);

/* A DNS name: 253 characters at most, and its NUL. */
#define ENDPOINT_HOST_MAX 254
/* "[" host "]:65535" and its NUL */
#define ENDPOINT_SPEC_STR_MAX (ENDPOINT_HOST_MAX + 8)

/*
 * An endpoint as the user wrote it: an address ("IP:PORT", "[IPv6]:PORT")
 * or a host name and port ("rv.example.net:51820", "[rv.example.net]:
 * 51820") that the daemon resolves (daemon/resolve.c). Either ep is set
 * (len != 0) or host is, or neither (no endpoint).
 */
struct endpoint_spec {
	struct endpoint ep;
	char host[ENDPOINT_HOST_MAX];	/* "" unless a name */
	uint16_t port;			/* the name's, host byte order */
};

/*
 * 0, or -1 with what is wrong with s in err ("port '0' is not 1-65535",
 * "'a b' is not a host name (...)"). Digits and dots alone must be an
 * IPv4 address and anything with a colon an IPv6 one in brackets, so a
 * mistyped address is never looked up as a name.
 */
int endpoint_spec_parse(const char *s, struct endpoint_spec *spec, char *err,
			size_t errlen);
/* As the user wrote it (the name, not an address it resolved to). */
const char *endpoint_spec_format(const struct endpoint_spec *spec, char *buf,
				 size_t len);
bool endpoint_spec_equal(const struct endpoint_spec *a,
			 const struct endpoint_spec *b);
static inline bool endpoint_spec_set(const struct endpoint_spec *spec)
{
	return spec->ep.len || spec->host[0];
}

#endif /* _PODNET_ADDR_H */
