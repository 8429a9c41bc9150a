/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The TUN device (tun.c): only its creation; its packets are the data
 * path's.
 */
#ifndef _PODNET_TUN_H
#define _PODNET_TUN_H

#include <stdbool.h>
#include <stddef.h>

int tun_open(const char *ifname, char *actual, size_t actual_len,
	     bool *offload);

#endif /* _PODNET_TUN_H */
