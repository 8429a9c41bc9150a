// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "path.h"

#include <stdio.h>

bool path_equal(const struct path *a, const struct path *b)
{
	return a->fd == b->fd && a->relay_channel == b->relay_channel &&
	       endpoint_equal(&a->ep, &b->ep);
}

const char *path_format(const struct path *p, char *buf, size_t len)
{
	char ep[ADDR_STR_MAX];

	endpoint_format(&p->ep, ep, sizeof(ep));
	if (p->relay_channel)
		snprintf(buf, len, "%s (relay %08x)", ep, p->relay_channel);
	else
		snprintf(buf, len, "%s", ep);
	return buf;
}
