/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The kernel data path, podnet.ko, driven over generic netlink (kernel.c).
 */
#ifndef _PODNET_KERNEL_H
#define _PODNET_KERNEL_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>

#include "datapath.h"
#include "genl.h"
#include "peer_event.h"
#include "routing.h"

struct node;
struct peer;

/* A peer's part (peer->kernel): what the module knows of it. */
struct peer_kernel {
	uint32_t id;			/* 0: not yet known to the kernel */
	bool known;
	bool removing;
	bool sync_hold;
	bool key_limit;			/* the kernel asked for a rekey */
	uint32_t slot[2];		/* local index in primary, secondary */
	bool slot_pending[2];
	struct path path;
	/* node->socket_generation when path went to the kernel */
	unsigned int socket_generation;
	uint32_t vaddr;
	bool has_vaddr6;		/* what the module holds */
	struct in6_addr vaddr6;
	/* Control records sealed by the kernel for us: its tx_packets
	 * counts them with the data. */
	uint64_t ctrl_sent;
	/* Packets the module holds for the peer until its session is up. */
	uint64_t queued;
};

/* The node's part (node->kernel). */
struct node_kernel {
	bool running;			/* podnet.ko carries the data */
	struct genl_conn requests;
	struct genl_conn events;	/* notifications */
	ev_io watcher;
	uint32_t next_id;
	struct routing_table peers;	/* kernel id -> peer */
};

bool kernel_available(void);
int kernel_open(struct node *node, char *err, size_t errlen);
void kernel_close(struct node *node);
void kernel_peer_changed(struct peer *peer, enum peer_event what);
int kernel_ctrl_send(struct peer *peer, const uint8_t *msg, size_t len);
void kernel_stats_sync(struct node *node);
/* Nobody holds dest: the module drops what waits for it. */
void kernel_route_drop(struct node *node, struct in_addr dest);
void kernel_route_drop6(struct node *node, const struct in6_addr *dest);
void kernel_events_cb(struct ev_loop *loop, ev_io *w, int revents);

#endif /* _PODNET_KERNEL_H */
