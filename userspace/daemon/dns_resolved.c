// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Per-link DNS in systemd-resolved, as wg-quick and tailscale do it: the
 * link's server is our address, and ~DOMAIN routes only that domain to
 * it, so every other name still goes where it went. Through resolvectl,
 * which needs no new library; `resolvectl revert` undoes both on exit.
 */
#include <arpa/inet.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "dns.h"
#include "log.h"

extern char **environ;

static bool resolved_runs(void)
{
	struct stat st;

	return !stat("/run/systemd/resolve/io.systemd.Resolve", &st) ||
	       !stat("/run/systemd/resolve/resolv.conf", &st);
}

/* resolvectl ARGS..., its exit status 0? Quiet when it is not there. */
static bool resolvectl(char *const argv[])
{
	pid_t pid;
	int status;

	if (posix_spawnp(&pid, "resolvectl", NULL, NULL, argv, environ))
		return false;
	if (waitpid(pid, &status, 0) != pid)
		return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool dns_resolved_register(const char *ifname, const char *addr,
			   const char *addr6, const char *domain)
{
	char route[CONFIG_DOMAIN_MAX + 2];
	/* Every address it listens on; addr may be NULL (v6 only). */
	char *dns[] = { "resolvectl", "dns", (char *)ifname,
			(char *)(addr ? addr : addr6),
			(char *)(addr ? addr6 : NULL), NULL };
	char *dom[] = { "resolvectl", "domain", (char *)ifname, route, NULL };

	if (!resolved_runs() || (!addr && !addr6))
		return false;
	snprintf(route, sizeof(route), "~%s", domain);
	if (!resolvectl(dns) || !resolvectl(dom)) {
		log_warn("DNS: systemd-resolved runs, but 'resolvectl dns %s %s%s%s' or 'resolvectl domain %s %s' failed",
			 ifname, dns[3], dns[4] ? " " : "",
			 dns[4] ? dns[4] : "", ifname, route);
		dns_resolved_revert(ifname);
		return false;
	}
	return true;
}

void dns_resolved_revert(const char *ifname)
{
	char *argv[] = { "resolvectl", "revert", (char *)ifname, NULL };

	resolvectl(argv);
}
