/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Publishing (doc/publish.md): this node, with a public address, exposes
 * TCP services of nodes to the internet by its [Publish] sections.
 *  - A port of its own: nftables DNAT into the overlay when the kernel can
 *    forward (publish_nft.c), else relayed by podnetd.
 *  - A shared port routed by TLS server name: podnetd reads the
 *    ClientHello (sni.c), connects to the target over the overlay, and
 *    splices the two sockets; TLS is never terminated here.
 * publish_conn.c carries one relayed connection.
 */
#ifndef _PODNET_PUBLISH_H
#define _PODNET_PUBLISH_H

#include <ev.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config_publish.h"

struct node;
struct publish_conn;
struct publish_listener;

/* A ClientHello must be complete this long after the connection came. */
#define PUBLISH_HELLO_TIMEOUT 5.0
/* A target must accept within this. */
#define PUBLISH_CONNECT_TIMEOUT 10.0
/* Connections still reading a ClientHello, per shared port, and of those
 * from one address: one client cannot hold every slot. */
#define PUBLISH_HELLO_PENDING_MAX 128
#define PUBLISH_HELLO_PER_SOURCE 16

struct publish_stats {
	uint64_t accepted;		/* connections taken to the target */
	uint64_t refused;		/* over MaxConnections */
	uint64_t target_failed;		/* target unknown or did not accept */
	uint64_t idle_closed;		/* idle for IdleTimeout */
	uint64_t bytes_in;		/* client -> target */
	uint64_t bytes_out;		/* target -> client */
};

struct publish_entry {
	struct config_publish cfg;	/* a copy: SIGHUP replaces node->cfg */
	struct publish_listener *listener;	/* NULL in kernel mode */
	bool kernel;			/* DNAT by nftables */
	char why_proxy[120];		/* Mode = auto, and not kernel: why */
	/* kernel mode: the address the rules send to now (0: none yet) */
	struct in_addr kernel_target;
	unsigned int active;
	struct publish_stats stats;
};

struct publish_listener {
	struct node *node;
	int fd;
	ev_io io;
	bool sni;			/* routes by server name */
	bool paused;			/* out of descriptors: housekeeping
					 * starts it again */
	unsigned int pending;		/* reading a ClientHello */
	struct publish_conn *hello_conns;	/* ... those, listed */
	struct publish_entry **entries;	/* those on this Listen */
	size_t n_entries;
};

struct publish_hello_stats {
	uint64_t timeout;		/* no complete ClientHello in time */
	uint64_t malformed;		/* not a TLS ClientHello, or cut short */
	uint64_t no_name;		/* a ClientHello without a server name */
	uint64_t unknown_name;		/* a name no entry publishes */
	uint64_t pending_refused;	/* too many ClientHellos at once, or
					 * from one address */
};

struct node_publish {
	struct publish_entry *entries;
	size_t n_entries;
	struct publish_listener *listeners;
	size_t n_listeners;
	struct publish_conn *conns;	/* every relayed connection */
	struct publish_hello_stats hello;
	uint64_t accept_failed;		/* accept(): out of descriptors ... */
	bool nft_table;			/* our nftables table exists */
	char nft_name[64];		/* its name */
};

/* Listen sockets and kernel rules of node->cfg's [Publish] sections. */
int publish_open(struct node *node, char *err, size_t errlen);
/* Every connection closed, every rule and socket gone. */
void publish_close(struct node *node);
/* Each second: kernel rules follow their targets, paused listeners go on. */
void publish_housekeeping(struct node *node);
/* The entries and counters for the control socket (doc/control.md). */
void publish_dump(struct node *node, FILE *f);
void publish_dump_counters(struct node *node, FILE *f);

/* The target's address now: a node's virtual address, or the address
 * configured; false when the node is not known (yet). */
bool publish_target(struct node *node, const struct publish_entry *e,
		    struct sockaddr_storage *ss, socklen_t *len);

/* publish_conn.c */
void publish_conn_accept(struct publish_listener *l, int fd,
			 const struct sockaddr_storage *client);
void publish_conn_close_all(struct node *node);

/* publish_nft.c: the whole table, rebuilt from the kernel-mode entries;
 * removed when none has a target yet. */
int publish_nft_sync(struct node *node, char *err, size_t errlen);
void publish_nft_remove(struct node *node);
/* Can this entry go through the kernel? If not, why in why. */
bool publish_nft_usable(const struct node *node, const struct config_publish *c,
			char *why, size_t whylen);

#endif /* _PODNET_PUBLISH_H */
