// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "proxy_v2.h"

#include <netinet/in.h>
#include <string.h>

static const uint8_t signature[12] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
};

#define PP2_VERSION_LOCAL 0x20
#define PP2_VERSION_PROXY 0x21
#define PP2_UNSPEC 0x00
#define PP2_TCP4 0x11
#define PP2_TCP6 0x21

size_t proxy_v2_header(uint8_t out[PROXY_V2_MAX], const struct sockaddr *client,
		       const struct sockaddr *server)
{
	size_t alen = 0;

	memcpy(out, signature, sizeof(signature));
	if (client->sa_family == AF_INET && server->sa_family == AF_INET) {
		const struct sockaddr_in *c = (const void *)client;
		const struct sockaddr_in *s = (const void *)server;

		out[12] = PP2_VERSION_PROXY;
		out[13] = PP2_TCP4;
		memcpy(out + 16, &c->sin_addr, 4);
		memcpy(out + 20, &s->sin_addr, 4);
		memcpy(out + 24, &c->sin_port, 2);	/* network order */
		memcpy(out + 26, &s->sin_port, 2);
		alen = 12;
	} else if (client->sa_family == AF_INET6 &&
		   server->sa_family == AF_INET6) {
		const struct sockaddr_in6 *c = (const void *)client;
		const struct sockaddr_in6 *s = (const void *)server;

		out[12] = PP2_VERSION_PROXY;
		out[13] = PP2_TCP6;
		memcpy(out + 16, &c->sin6_addr, 16);
		memcpy(out + 32, &s->sin6_addr, 16);
		memcpy(out + 48, &c->sin6_port, 2);
		memcpy(out + 50, &s->sin6_port, 2);
		alen = 36;
	} else {
		out[12] = PP2_VERSION_LOCAL;
		out[13] = PP2_UNSPEC;
	}
	out[14] = (uint8_t)(alen >> 8);
	out[15] = (uint8_t)alen;
	return 16 + alen;
}
