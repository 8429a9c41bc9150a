// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The default control socket path, per network namespace (ctlpath.h).
 */
#include "ctlpath.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* nsfs gives the initial namespace this fixed inode since Linux 6.18
 * (PROC_NET_INIT_INO); before, a number chosen at boot. */
#define NETNS_INIT_INO 0xEFFFFFF9ULL

void netns_self(struct netns_id *ns)
{
	struct stat self, init;

	ns->ino = 0;
	ns->initial = true;
	if (stat("/proc/self/ns/net", &self))
		return;
	ns->ino = (unsigned long long)self.st_ino;
	if (ns->ino == NETNS_INIT_INO)
		return;
	/* PID 1's namespace: the host's, or a container's own default. */
	if (!stat("/proc/1/ns/net", &init))
		ns->initial = init.st_ino == self.st_ino &&
			      init.st_dev == self.st_dev;
	/* else: unknown; keep the plain name (see ctlpath.h) */
}

int control_socket_format(char *buf, size_t len, const char *dir,
			  const char *ifname, const struct netns_id *ns)
{
	int n;

	if (ns->initial || !ns->ino)
		n = snprintf(buf, len, "%s/%s.sock", dir, ifname);
	else
		n = snprintf(buf, len, "%s/%s@net%llu.sock", dir, ifname,
			     ns->ino);
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

int control_socket_default(char *buf, size_t len, const char *ifname)
{
	struct netns_id ns;

	netns_self(&ns);
	return control_socket_format(buf, len, CONTROL_SOCKET_DIR, ifname,
				     &ns);
}

bool control_socket_name_matches(const char *base, const struct netns_id *ns)
{
	size_t n = strlen(base);
	char tail[48];
	size_t t;

	if (n <= 5 || strcmp(base + n - 5, ".sock"))
		return false;
	if (ns->initial || !ns->ino)
		return !strchr(base, '@');
	snprintf(tail, sizeof(tail), "@net%llu.sock", ns->ino);
	t = strlen(tail);
	return n > t && !strcmp(base + n - t, tail) &&
	       !memchr(base, '@', n - t);
}
