/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * An HTTP proxy that lets TCP through with CONNECT (the TCP transport's
 * Proxy key, doc/transport.md): its URL, the request, and the answer's
 * header. Pure functions; the daemon does the I/O.
 */
#ifndef _PODNET_PROXY_H
#define _PODNET_PROXY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROXY_HOST_MAX 256
/* user:password, as given (percent-escapes are not decoded) */
#define PROXY_AUTH_MAX 256
/* The proxy's answer header is read up to this size; a longer one is
 * refused (proxies answer CONNECT in a few lines). */
#define PROXY_RESPONSE_MAX 4096

struct proxy_url {
	char host[PROXY_HOST_MAX];	/* a name or an address, no brackets */
	uint16_t port;
	char auth[PROXY_AUTH_MAX];	/* "": no Proxy-Authorization */
};

/* http://[user:pass@]host:port[/]; 0, or -1 with the reason in err. */
int proxy_url_parse(const char *text, struct proxy_url *u, char *err,
		    size_t errlen);
/* The URL without the credentials, for logs and `podnet show`. */
const char *proxy_url_format(const struct proxy_url *u, char *buf,
			     size_t len);
/*
 * The CONNECT request for target ("host:port", IPv6 in brackets), with
 * basic authentication when the URL has credentials. Returns its length,
 * or -1 when it does not fit in len.
 */
int proxy_connect_request(const struct proxy_url *u, const char *target,
			  char *buf, size_t len);
/*
 * The proxy's answer so far (buf, len bytes): the header's length with
 * *status set (the bytes after it belong to the tunnel) once the blank
 * line has come, 0 when more is needed, -1 when it is not an HTTP/1.x
 * answer or longer than PROXY_RESPONSE_MAX.
 */
long proxy_response_parse(const uint8_t *buf, size_t len, int *status);

#endif /* _PODNET_PROXY_H */
