/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The one way a running node takes a new configuration (podnetd.c): SIGHUP
 * and `podnet syncconf` reload a file through node_reload, `podnet set`
 * and `podnet peer` edit node->cfg's peers and call node_apply_peers.
 */
#ifndef _PODNET_RELOAD_H
#define _PODNET_RELOAD_H

#include <stdbool.h>
#include <stddef.h>

struct node;

/*
 * Reload from path; the daemon keeps reading its own file on SIGHUP. Keys
 * only a restart changes (Name, Address, ListenPort, ControlSocket) are
 * kept with a warning, or with strict refuse the whole file. 0, or -1 with
 * the reason in err and nothing changed.
 */
int node_reload(struct node *node, const char *path, bool strict, char *err,
		size_t errlen);
/* Make the peers match node->cfg.peers; unchanged ones keep sessions. */
void node_apply_peers(struct node *node);

#endif /* _PODNET_RELOAD_H */
