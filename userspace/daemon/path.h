/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Where datagrams for a peer go: an address, the socket to send from (the
 * main one, or one opened to get through a symmetric NAT), and when the
 * path is relayed, the relay channel. A session keeps its keys when its
 * path changes (roaming, relay -> direct).
 */
#ifndef _PODNET_PATH_H
#define _PODNET_PATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"

struct path {
	struct endpoint ep;
	int fd;
	uint32_t relay_channel;	/* 0: direct */
};

bool path_equal(const struct path *a, const struct path *b);
/* "address" or "address (relay channel)", for logs and `podnet show` */
const char *path_format(const struct path *p, char *buf, size_t len);

#endif /* _PODNET_PATH_H */
