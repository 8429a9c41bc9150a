/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The TUN device (tun.c): its creation, and the end when it is deleted
 * under us; its packets are the data path's.
 */
#ifndef _PODNET_TUN_H
#define _PODNET_TUN_H

#include <stdbool.h>
#include <stddef.h>

struct node;

int tun_open(const char *ifname, char *actual, size_t actual_len,
	     bool *offload);
/* One error line, then the daemon stops with exit status 1. */
void tun_interface_gone(struct node *node, const char *why);
/* A read from the TUN fd failed with errno err. */
void tun_read_failed(struct node *node, int err);

#endif /* _PODNET_TUN_H */
