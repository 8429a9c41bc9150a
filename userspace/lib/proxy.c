// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "proxy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/coding.h>

int proxy_url_parse(const char *text, struct proxy_url *u, char *err,
		    size_t errlen)
{
	const char *p = text, *at, *end, *colon;
	char *num_end;
	unsigned long port;
	size_t n;

	memset(u, 0, sizeof(*u));
	if (strncasecmp(p, "http://", 7))
		goto bad;
	p += 7;
	end = p + strcspn(p, "/");
	if (*end && strcmp(end, "/"))
		goto bad;	/* a path means nothing to CONNECT */
	at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		/* The last '@' ends the credentials: a password may hold
		 * one. */
		for (const char *q = at; q < end; q++)
			if (*q == '@')
				at = q;
		n = (size_t)(at - p);
		if (!n || n >= sizeof(u->auth) || !memchr(p, ':', n))
			goto bad;
		memcpy(u->auth, p, n);
		p = at + 1;
	}
	if (*p == '[') {
		const char *close = memchr(p, ']', (size_t)(end - p));

		if (!close || close[1] != ':')
			goto bad;
		n = (size_t)(close - p - 1);
		if (!n || n >= sizeof(u->host))
			goto bad;
		memcpy(u->host, p + 1, n);
		colon = close + 1;
	} else {
		colon = memchr(p, ':', (size_t)(end - p));
		if (!colon)
			goto bad;
		n = (size_t)(colon - p);
		if (!n || n >= sizeof(u->host) || memchr(p, ':', n))
			goto bad;
		memcpy(u->host, p, n);
	}
	for (size_t i = 0; u->host[i]; i++)
		if (u->host[i] <= ' ' || u->host[i] == 0x7f)
			goto bad;
	if (colon + 1 >= end || colon[1] < '0' || colon[1] > '9')
		goto bad;
	port = strtoul(colon + 1, &num_end, 10);
	if (num_end != end || !port || port > 65535)
		goto bad;
	u->port = (uint16_t)port;
	return 0;
bad:
	memset(u, 0, sizeof(*u));
	snprintf(err, errlen,
		 "expected Proxy as http://[user:password@]host:port");
	return -1;
}

const char *proxy_url_format(const struct proxy_url *u, char *buf,
			     size_t len)
{
	bool v6 = strchr(u->host, ':') != NULL;

	snprintf(buf, len, "http://%s%s%s%s:%u", u->auth[0] ? "(hidden)@" : "",
		 v6 ? "[" : "", u->host, v6 ? "]" : "", u->port);
	return buf;
}

int proxy_connect_request(const struct proxy_url *u, const char *target,
			  char *buf, size_t len)
{
	char auth[PROXY_AUTH_MAX * 4 / 3 + 8] = "";
	int n;

	if (u->auth[0]) {
		word32 alen = sizeof(auth) - 1;

		if (Base64_Encode_NoNl((const byte *)u->auth,
				       (word32)strlen(u->auth), (byte *)auth,
				       &alen))
			return -1;
		auth[alen] = '\0';
	}
	n = snprintf(buf, len,
		     "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s%s%s\r\n", target,
		     target, auth[0] ? "Proxy-Authorization: Basic " : "",
		     auth, auth[0] ? "\r\n" : "");
	/* The credentials are in buf: leave no copy behind. */
	memset(auth, 0, sizeof(auth));
	if (n < 0 || (size_t)n >= len)
		return -1;
	return n;
}

long proxy_response_parse(const uint8_t *buf, size_t len, int *status)
{
	size_t limit = len < PROXY_RESPONSE_MAX ? len : PROXY_RESPONSE_MAX;
	size_t end = 0;

	*status = 0;
	/* "HTTP/1.x NNN" first, so that a stream that is not HTTP ends
	 * at its first bytes. */
	for (size_t i = 0; i < len && i < 12; i++) {
		static const char want[] = "HTTP/1.";

		if (i < 7 && buf[i] != (uint8_t)want[i])
			return -1;
		if (i == 7 && buf[i] != '0' && buf[i] != '1')
			return -1;
		if (i == 8 && buf[i] != ' ')
			return -1;
		if (i > 8 && (buf[i] < '0' || buf[i] > '9'))
			return -1;
	}
	for (size_t i = 3; i < limit; i++) {
		if (buf[i - 3] == '\r' && buf[i - 2] == '\n' &&
		    buf[i - 1] == '\r' && buf[i] == '\n') {
			end = i + 1;
			break;
		}
	}
	if (!end)
		return len >= PROXY_RESPONSE_MAX ? -1 : 0;
	if (end < 12 + 4)
		return -1;
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	return (long)end;
}
