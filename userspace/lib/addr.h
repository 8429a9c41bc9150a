/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Socket address helpers: parse "IP:port" / "[IPv6]:port", print, compare.
 */
#ifndef _PODNET_ADDR_H
#define _PODNET_ADDR_H

#include <stdbool.h>
#include <stddef.h>
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

#endif /* _PODNET_ADDR_H */
