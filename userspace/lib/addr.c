// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *s, uint16_t *port)
{
	char *end;
	unsigned long v;

	/* strtoul would skip blanks and take a sign: digits only. */
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v == 0 || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

int endpoint_parse(const char *s, struct endpoint *ep)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_str;
	uint16_t port;
	size_t hlen;

	memset(ep, 0, sizeof(*ep));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return -1;
		hlen = (size_t)(close - s - 1);
		if (hlen >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hlen);
		host[hlen] = '\0';
		port_str = close + 2;
		if (parse_port(port_str, &port) ||
		    inet_pton(AF_INET6, host, &ep->in6.sin6_addr) != 1)
			return -1;
		ep->in6.sin6_family = AF_INET6;
		ep->in6.sin6_port = htons(port);
		ep->len = sizeof(ep->in6);
		return 0;
	}
	port_str = strrchr(s, ':');
	if (!port_str)
		return -1;
	hlen = (size_t)(port_str - s);
	if (hlen >= sizeof(host))
		return -1;
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (parse_port(port_str + 1, &port) ||
	    inet_pton(AF_INET, host, &ep->in.sin_addr) != 1)
		return -1;
	ep->in.sin_family = AF_INET;
	ep->in.sin_port = htons(port);
	ep->len = sizeof(ep->in);
	return 0;
}

const char *endpoint_format(const struct endpoint *ep, char *buf, size_t len)
{
	char host[INET6_ADDRSTRLEN];

	if (!ep->len) {
		snprintf(buf, len, "(none)");
	} else if (ep->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &ep->in.sin_addr, host, sizeof(host));
		snprintf(buf, len, "%s:%u", host, ntohs(ep->in.sin_port));
	} else if (ep->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &ep->in6.sin6_addr, host, sizeof(host));
		snprintf(buf, len, "[%s]:%u", host, ntohs(ep->in6.sin6_port));
	} else {
		snprintf(buf, len, "(unknown)");
	}
	return buf;
}

bool endpoint_equal(const struct endpoint *a, const struct endpoint *b)
{
	if (a->len != b->len || a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_port == b->in.sin_port &&
		       a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return a->in6.sin6_port == b->in6.sin6_port &&
		       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr,
			       sizeof(a->in6.sin6_addr));
	return false;
}

void endpoint_from_sockaddr(struct endpoint *ep, const struct sockaddr *sa,
			    socklen_t len)
{
	memset(ep, 0, sizeof(*ep));
	if (len > sizeof(ep->in6))
		len = sizeof(ep->in6);
	memcpy(&ep->sa, sa, len);
	ep->len = len;
}
