/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The control socket (control.c) that `podnet show` and `podnet ping` ask.
 */
#ifndef _PODNET_CONTROL_H
#define _PODNET_CONTROL_H

#include <ev.h>
#include <stddef.h>
#include <stdint.h>

struct control_client;
struct node;
struct peer;

/* The node's part (node->control). */
struct node_control {
	int fd;				/* -1: not open */
	ev_io watcher;
	struct control_client *pending_pings;
};

int control_open(struct node *node, char *err, size_t errlen);
void control_close(struct node *node);
/* A peer answered ping `id`: the client waiting for it gets its answer. */
void control_ping_answered(struct node *node, struct peer *peer, uint64_t id);

#endif /* _PODNET_CONTROL_H */
