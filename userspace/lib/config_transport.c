// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "config_transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void config_transport_defaults(struct config_transport *t)
{
	memset(t, 0, sizeof(*t));
	t->mode = CONFIG_TRANSPORT_AUTO;
	t->tcp_port = CONFIG_DEFAULT_TCP_PORT;
}

static int parse_port(const char *value, uint16_t *port)
{
	char *end;
	unsigned long v;

	if (value[0] < '0' || value[0] > '9')
		return -1;
	v = strtoul(value, &end, 10);
	if (*end || !v || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* http://host:port/path: the URL up to the path is a proxy URL without
 * credentials; the path is printable ASCII without spaces. */
static int websocket_key(struct config_transport *t, const char *value,
			 char *why, size_t whylen)
{
	char base[PROXY_HOST_MAX + 32];
	const char *path;
	size_t n;

	if (!strcasecmp(value, "off")) {
		t->has_websocket = false;
		return 0;
	}
	path = strncasecmp(value, "http://", 7) ? NULL : strchr(value + 7, '/');
	if (!path || (size_t)(path - value) >= sizeof(base) ||
	    strlen(path) >= sizeof(t->websocket_path))
		goto bad;
	for (const char *c = path; *c; c++)
		if (*c <= ' ' || *c >= 0x7f)
			goto bad;
	n = (size_t)(path - value);
	memcpy(base, value, n);
	base[n] = '\0';
	if (proxy_url_parse(base, &t->websocket, why, whylen) ||
	    t->websocket.auth[0])
		goto bad;
	strcpy(t->websocket_path, path);
	t->has_websocket = true;
	return 0;
bad:
	snprintf(why, whylen,
		 "expected WebSocket as http://host:port/path or off, got '%s'",
		 value);
	return -1;
}

int config_transport_key(struct config_transport *t, const char *key,
			 const char *value, char *why, size_t whylen)
{
	if (!strcasecmp(key, "ListenTcp")) {
		if (!strcasecmp(value, "off")) {
			t->listen_tcp = 0;
		} else if (parse_port(value, &t->listen_tcp)) {
			snprintf(why, whylen,
				 "expected ListenTcp as a port 1-65535 or off, got '%s'",
				 value);
			return -1;
		}
	} else if (!strcasecmp(key, "Transport")) {
		if (!strcasecmp(value, "auto")) {
			t->mode = CONFIG_TRANSPORT_AUTO;
		} else if (!strcasecmp(value, "udp")) {
			t->mode = CONFIG_TRANSPORT_UDP;
		} else if (!strcasecmp(value, "tcp")) {
			t->mode = CONFIG_TRANSPORT_TCP;
		} else {
			snprintf(why, whylen,
				 "expected Transport auto, udp or tcp, got '%s'",
				 value);
			return -1;
		}
	} else if (!strcasecmp(key, "TcpPort")) {
		if (parse_port(value, &t->tcp_port)) {
			snprintf(why, whylen,
				 "expected TcpPort as a port 1-65535, got '%s'",
				 value);
			return -1;
		}
	} else if (!strcasecmp(key, "Proxy")) {
		if (!strcasecmp(value, "off")) {
			t->has_proxy = false;
			memset(&t->proxy, 0, sizeof(t->proxy));
			return 0;
		}
		if (proxy_url_parse(value, &t->proxy, why, whylen))
			return -1;
		t->has_proxy = true;
	} else if (!strcasecmp(key, "WebSocket")) {
		return websocket_key(t, value, why, whylen);
	} else {
		return 1;
	}
	return 0;
}

const char *config_transport_mode_name(enum config_transport_mode mode)
{
	switch (mode) {
	case CONFIG_TRANSPORT_UDP:
		return "udp";
	case CONFIG_TRANSPORT_TCP:
		return "tcp";
	default:
		return "auto";
	}
}
