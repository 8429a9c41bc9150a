/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Endpoints given by host name (Endpoint = rv.example.net:51820),
 * resolved by c-ares inside the event loop (resolve.c): at start, when
 * the answer's TTL runs out (within RESOLVE_TTL_MIN..MAX), when the peer
 * stops answering, and on SIGHUP. The address in use is the peer's
 * config_endpoint, as if the user had written it.
 */
#ifndef _PODNET_RESOLVE_H
#define _PODNET_RESOLVE_H

#include <ares.h>
#include <ev.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "peer_event.h"

struct node;
struct peer;
struct resolve_query;
struct resolve_socket;

enum resolve_state {
	RESOLVE_NONE,		/* a numeric endpoint, or none */
	RESOLVE_RESOLVING,	/* no answer yet */
	RESOLVE_RESOLVED,
	RESOLVE_FAILED,		/* the last attempt failed (an older
				 * address may still be in use) */
};

/* Addresses of one answer we keep, to try the next when one is silent. */
#define RESOLVE_ADDRS_MAX 8

struct peer_resolve {
	char host[ENDPOINT_HOST_MAX];
	uint16_t port;
	enum resolve_state state;
	struct resolve_query *query;	/* in flight, or NULL */
	struct endpoint addrs[RESOLVE_ADDRS_MAX];
	unsigned int n_addrs;
	ev_tstamp next;			/* the next resolution is due */
	ev_tstamp last_start;
	ev_tstamp last_log;		/* failures: once a minute */
	unsigned int backoff;		/* s, after failures */
	bool silent;			/* asked because the peer went silent */
	char error[96];			/* the resolver's, for show */
};

struct node_resolve {
	ares_channel channel;
	bool ready;
	ev_timer timer;			/* c-ares' own timeouts */
	struct resolve_socket *sockets;	/* each watched by an ev_io */
};

int resolve_init(struct node *node, char *err, size_t errlen);
void resolve_close(struct node *node);
/* SIGHUP: read resolv.conf again, resolve every name now. */
void resolve_reload(struct node *node);
/* The peer's endpoint as configured: a name starts a resolution, an
 * address (or none) forgets any name. */
void resolve_peer_set(struct peer *peer, const struct endpoint_spec *spec);
/* The peer stopped answering (dead session, unanswered dials): ask DNS
 * again, at most every RESOLVE_SILENT_MIN. */
void resolve_peer_silent(struct peer *peer);
/* A name without any address yet: nothing to dial. */
bool resolve_waiting(const struct peer *peer);
void resolve_housekeeping(struct node *node, ev_tstamp now);
void resolve_peer_changed(struct peer *peer, enum peer_event what);
const char *resolve_state_name(enum resolve_state state);
/* Seconds until a name is resolved again, given its answer's smallest
 * TTL (-1: none): the TTL within 30 s .. 10 min, 5 min without one. */
unsigned int resolve_refresh_after(int ttl);

/*
 * For podnetd --check: resolve host once, waiting at most timeout
 * seconds. 0, or -1 with the resolver's reason in err.
 */
int resolve_check(const char *host, double timeout, char *err,
		  size_t errlen);

#endif /* _PODNET_RESOLVE_H */
