/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The [Interface] keys of the TCP/TLS transport (doc/transport.md), kept
 * apart from config.c: ListenTcp on a rendezvous, Transport, TcpPort and
 * Proxy on a node.
 */
#ifndef _PODNET_CONFIG_TRANSPORT_H
#define _PODNET_CONFIG_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proxy.h"

#define CONFIG_DEFAULT_TCP_PORT 443
#define CONFIG_WS_PATH_MAX 128

enum config_transport_mode {
	CONFIG_TRANSPORT_AUTO,		/* UDP; TCP while UDP is unanswered */
	CONFIG_TRANSPORT_UDP,		/* never TCP */
	CONFIG_TRANSPORT_TCP,		/* the rendezvous over TCP only */
};

struct config_transport {
	uint16_t listen_tcp;		/* rendezvous: TLS port, 0 = none */
	enum config_transport_mode mode;
	uint16_t tcp_port;		/* the rendezvous' TLS port */
	bool has_proxy;
	struct proxy_url proxy;
	/* WebSocket: the HTTP endpoint that upgrades to the rendezvous'
	 * TLS port (a reverse proxy, or the rendezvous' port itself). */
	bool has_websocket;
	struct proxy_url websocket;	/* host and port; no credentials */
	char websocket_path[CONFIG_WS_PATH_MAX];
};

void config_transport_defaults(struct config_transport *t);
/*
 * One [Interface] key: 1 when key is not one of these, 0 when it was
 * taken, -1 with what was expected in why.
 */
int config_transport_key(struct config_transport *t, const char *key,
			 const char *value, char *why, size_t whylen);
const char *config_transport_mode_name(enum config_transport_mode mode);

#endif /* _PODNET_CONFIG_TRANSPORT_H */
