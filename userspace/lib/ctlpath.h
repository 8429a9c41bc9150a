/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Where a daemon's control socket lives when the config names none, worked
 * out the same way by podnetd (config.c) and by podnet (the CLI), so that
 * `podnet show pod0` finds the pod0 of its own network namespace.
 *
 * /run/podnet is one directory for the whole host, but interface names
 * are per network namespace: two nodes named pod0 in two namespaces must
 * not share a socket. So in the host's initial namespace the socket is
 * /run/podnet/<Name>.sock, as it always was, and in any other one
 * /run/podnet/<Name>@net<inode>.sock, with the namespace's nsfs inode
 * (what `readlink /proc/self/ns/net` shows). Interface names cannot hold
 * '@' (config.c), so the two forms never meet.
 */
#ifndef _PODNET_CTLPATH_H
#define _PODNET_CTLPATH_H

#include <stdbool.h>
#include <stddef.h>

#define CONTROL_SOCKET_DIR "/run/podnet"

struct netns_id {
	unsigned long long ino;	/* 0: unknown */
	bool initial;		/* the host's first namespace */
};

/*
 * The namespace this process runs in. Initial when its inode is the
 * fixed one recent kernels give the first namespace, or the one PID 1 is
 * in (or kthreadd, when PID 1 hides its /proc entries); when none can be
 * told, it counts as initial and a second pod0 elsewhere finds the socket
 * taken: control_open() then says to set ControlSocket.
 */
void netns_self(struct netns_id *ns);

/* "<dir>/<ifname>.sock" or "<dir>/<ifname>@net<ino>.sock"; -1 if it does
 * not fit in len (a sun_path is 108 bytes). */
int control_socket_format(char *buf, size_t len, const char *dir,
			  const char *ifname, const struct netns_id *ns);

/* The default for ifname in this process's namespace. */
int control_socket_default(char *buf, size_t len, const char *ifname);

/* Whether a file name in CONTROL_SOCKET_DIR is the default socket of a
 * daemon in namespace ns (what `podnet show` without IF lists). */
bool control_socket_name_matches(const char *base, const struct netns_id *ns);

#endif /* _PODNET_CTLPATH_H */
