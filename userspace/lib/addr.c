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
#include <strings.h>

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

/*
 * A host name as DNS carries it: labels of 1-63 letters, digits, '-' or
 * '_' (SRV-style names exist), not starting or ending with '-', joined
 * by dots, an optional final dot.
 */
static bool host_name_valid(const char *h, size_t len)
{
	size_t label = 0;

	if (!len || len > ENDPOINT_HOST_MAX - 1)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = h[i];

		if (c == '.') {
			if (!label || h[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
		if (c == '-' && !label)
			return false;
		if (++label > 63)
			return false;
	}
	return h[len - 1] != '-';
}

static bool digits_and_dots(const char *h, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (h[i] != '.' && (h[i] < '0' || h[i] > '9'))
			return false;
	return true;
}

int endpoint_spec_parse(const char *s, struct endpoint_spec *spec, char *err,
			size_t errlen)
{
	const char *host = s, *colon;
	size_t hlen;
	uint16_t port;
	bool bracketed = s[0] == '[';

	memset(spec, 0, sizeof(*spec));
	if (bracketed) {
		const char *close = strchr(s, ']');

		if (!close) {
			snprintf(err, errlen, "'%s' has '[' without ']'", s);
			return -1;
		}
		if (close[1] != ':') {
			snprintf(err, errlen, "expected ':PORT' after ']' in '%s'", s);
			return -1;
		}
		host = s + 1;
		hlen = (size_t)(close - host);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			snprintf(err, errlen, "no port in '%s'", s);
			return -1;
		}
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen)) {
			snprintf(err, errlen, "an IPv6 address goes in brackets: '[%.*s]:%s'",
				 (int)hlen, s, colon + 1);
			return -1;
		}
	}
	if (parse_port(colon + 1, &port)) {
		snprintf(err, errlen, "port '%s' is not a number 1-65535",
			 colon + 1);
		return -1;
	}
	if (!hlen) {
		snprintf(err, errlen, "no host before the port in '%s'", s);
		return -1;
	}
	/* Numeric forms first: the parser the daemon always had. */
	if (!endpoint_parse(s, &spec->ep))
		return 0;
	if (bracketed && memchr(host, ':', hlen)) {
		snprintf(err, errlen, "'%.*s' is not an IPv6 address",
			 (int)hlen, host);
		return -1;
	}
	if (digits_and_dots(host, hlen)) {
		snprintf(err, errlen, "'%.*s' is not an IPv4 address",
			 (int)hlen, host);
		return -1;
	}
	if (!host_name_valid(host, hlen)) {
		snprintf(err, errlen, "'%.*s' is not a host name (labels of 1-63 letters, digits, '-' joined by dots, 253 characters at most)",
			 (int)(hlen > 80 ? 80 : hlen), host);
		return -1;
	}
	memcpy(spec->host, host, hlen);
	spec->host[hlen] = '\0';
	spec->port = port;
	return 0;
}

const char *endpoint_spec_format(const struct endpoint_spec *spec, char *buf,
				 size_t len)
{
	if (spec->host[0])
		snprintf(buf, len, "%s:%u", spec->host, spec->port);
	else
		endpoint_format(&spec->ep, buf, len);
	return buf;
}

bool endpoint_spec_equal(const struct endpoint_spec *a,
			 const struct endpoint_spec *b)
{
	if (a->host[0] || b->host[0])
		return !strcasecmp(a->host, b->host) && a->port == b->port;
	/* Neither has one: the same, unlike endpoint_equal(). */
	return (!a->ep.len && !b->ep.len) || endpoint_equal(&a->ep, &b->ep);
}
