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

/* Whether the namespace of pid is the one of st; -1 if hidden from us. */
static int same_netns(const char *pid, const struct stat *st)
{
	char path[64];
	struct stat other;

	snprintf(path, sizeof(path), "/proc/%s/ns/net", pid);
	if (stat(path, &other))
		return -1;
	return other.st_ino == st->st_ino && other.st_dev == st->st_dev;
}

/* PID 2 is kthreadd unless we are in a PID namespace of our own; kernel
 * threads all live in the initial network namespace. */
static bool pid2_is_kthreadd(void)
{
	char comm[32] = "";
	FILE *f = fopen("/proc/2/comm", "re");

	if (!f)
		return false;
	if (!fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	fclose(f);
	return !strcmp(comm, "kthreadd\n");
}

void netns_self(struct netns_id *ns)
{
	struct stat self;
	int same;

	ns->ino = 0;
	ns->initial = true;
	if (stat("/proc/self/ns/net", &self))
		return;
	ns->ino = (unsigned long long)self.st_ino;
	/* Dynamic inodes start at 0xF0000000: this one is never reused. */
	if (ns->ino == NETNS_INIT_INO)
		return;
	/* PID 1's namespace: the host's, or a container's own default;
	 * PID 1 may hide its /proc entries (not dumpable), kthreadd not. */
	same = same_netns("1", &self);
	if (same < 0 && pid2_is_kthreadd())
		same = same_netns("2", &self);
	if (same >= 0)
		ns->initial = same;
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
