/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The control socket's configuration requests (control_config.c): set,
 * showconf, syncconf. control.c hands them over.
 */
#ifndef _PODNET_CONTROL_CONFIG_H
#define _PODNET_CONTROL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct node;

/* Whether the request's first line is one of ours. */
bool control_config_handles(const char *req);
/* Answers the client on fd and closes it; first: what control.c read. */
void control_config_request(struct node *node, int fd, const char *first,
			    size_t len);

#endif /* _PODNET_CONTROL_CONFIG_H */
