// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Runtime configuration over the control socket, as `wg set` / `wg
 * showconf` / `wg syncconf` do it (doc/control.md):
 *
 *   set=1 / peer=NAME / [endpoint=IP:PORT|none] / [rendezvous=yes|no]
 *         / [add=1 | remove=1]                      podnet set, podnet peer
 *   showconf=1                                      podnet showconf
 *   syncconf=/absolute/file                         podnet syncconf
 *
 * each request ended by an empty line. A change edits node->cfg's peer
 * list and goes through node_apply_peers, the very code SIGHUP runs, so a
 * peer it does not touch keeps its session. The answer is the output
 * (showconf's config text) followed by "error=why" if it failed and
 * "errno=N" and an empty line.
 */
#include "control_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config_write.h"
#include "ctl_set.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "reload.h"

#define REQUEST_MAX 4096
#define CAP_NET_ADMIN_BIT 12

bool control_config_handles(const char *req)
{
	return !strncmp(req, "set=", 4) || !strncmp(req, "showconf=", 9) ||
	       !strncmp(req, "syncconf=", 9);
}

/* CapEff of a process, from /proc; 0 if it cannot be read. */
static unsigned long long effective_caps(pid_t pid)
{
	char path[64], line[256];
	unsigned long long caps = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

/*
 * May the client change the node? Root, the daemon's own user, or a
 * process with CAP_NET_ADMIN (what `ip` needs to change a link). The
 * socket's mode 0600 lets only the daemon's user connect anyway; this
 * holds if someone loosens it.
 */
static bool client_may_change(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) ||
	    len != sizeof(cred))
		return false;
	return cred.uid == 0 || cred.uid == geteuid() ||
	       (effective_caps(cred.pid) >> CAP_NET_ADMIN_BIT & 1);
}

/* The request's value of key, or NULL (keys are at a line's start). */
static const char *value_of(char *req, const char *key, char *out,
			    size_t outlen)
{
	size_t klen = strlen(key);

	for (char *line = req; line && *line; ) {
		char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (len > klen && !strncmp(line, key, klen) &&
		    line[klen] == '=') {
			if (len - klen - 1 >= outlen)
				return NULL;
			memcpy(out, line + klen + 1, len - klen - 1);
			out[len - klen - 1] = '\0';
			return out;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

static ssize_t peer_index(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_peers; i++)
		if (!strcmp(cfg->peers[i].name, name))
			return (ssize_t)i;
	return -1;
}

/* set=1: add, change or remove one configured peer. */
static int do_set(struct node *node, const char *req, char *err,
		  size_t errlen)
{
	struct config *cfg = &node->cfg;
	struct ctl_set set;
	ssize_t i;

	if (ctl_set_parse(req, strlen(req), &set, err, errlen))
		return EINVAL;
	if (!strcmp(set.peer, node->identity.name)) {
		snprintf(err, errlen, "%s is this node's own name", set.peer);
		return EINVAL;
	}
	i = peer_index(cfg, set.peer);
	if (set.remove) {
		if (i < 0) {
			snprintf(err, errlen, "no configured peer %s", set.peer);
			return ENOENT;
		}
		memmove(&cfg->peers[i], &cfg->peers[i + 1],
			(cfg->n_peers - (size_t)i - 1) * sizeof(cfg->peers[0]));
		cfg->n_peers--;
		log_info("control: peer %s removed", set.peer);
	} else if (i >= 0) {
		if (set.add) {
			snprintf(err, errlen, "peer %s exists already (podnet set changes it)",
				 set.peer);
			return EEXIST;
		}
		if (set.has_endpoint)
			cfg->peers[i].endpoint = set.endpoint;
		if (set.has_rendezvous)
			cfg->peers[i].rendezvous = set.rendezvous;
		log_info("control: peer %s changed", set.peer);
	} else {
		struct config_peer *peers = realloc(cfg->peers,
			(cfg->n_peers + 1) * sizeof(*peers));

		if (!peers) {
			snprintf(err, errlen, "out of memory");
			return ENOMEM;
		}
		cfg->peers = peers;
		memset(&peers[cfg->n_peers], 0, sizeof(peers[0]));
		snprintf(peers[cfg->n_peers].name, sizeof(peers[0].name), "%s",
			 set.peer);
		peers[cfg->n_peers].endpoint = set.endpoint;
		peers[cfg->n_peers].rendezvous = set.rendezvous;
		cfg->n_peers++;
		log_info("control: peer %s added", set.peer);
	}
	node_apply_peers(node);
	return 0;
}

static int do_syncconf(struct node *node, char *req, char *err,
		       size_t errlen)
{
	char path[PATH_MAX];

	if (!value_of(req, "syncconf", path, sizeof(path)) || path[0] != '/') {
		snprintf(err, errlen, "expected an absolute file name");
		return EINVAL;
	}
	if (node_reload(node, path, true, err, errlen))
		return EINVAL;
	return 0;
}

/* Read the rest of the request, up to its empty line. */
static ssize_t read_request(int fd, char *req, size_t have)
{
	while (have < 2 || strcmp(req + have - 2, "\n\n")) {
		ssize_t n = read(fd, req + have, REQUEST_MAX - 1 - have);

		if (n <= 0)
			return -1;
		have += (size_t)n;
		req[have] = '\0';
		if (memchr(req, '\0', have) || have >= REQUEST_MAX - 1)
			return -1;
	}
	return (ssize_t)have;
}

void control_config_request(struct node *node, int fd, const char *first,
			    size_t len)
{
	char req[REQUEST_MAX], err[512] = "";
	int error = 0;
	FILE *f;

	if (len >= sizeof(req)) {
		close(fd);
		return;
	}
	memcpy(req, first, len);
	req[len] = '\0';
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		return;
	}
	if (read_request(fd, req, len) < 0) {
		error = EINVAL;
		snprintf(err, sizeof(err), "malformed request");
	} else if (!strncmp(req, "showconf=", 9)) {
		if (config_write(f, &node->cfg)) {
			error = EIO;
			snprintf(err, sizeof(err), "cannot write the config");
		}
	} else if (!client_may_change(fd)) {
		error = EPERM;
		snprintf(err, sizeof(err), "changing the node needs root or CAP_NET_ADMIN");
	} else if (!strncmp(req, "set=", 4)) {
		error = do_set(node, req, err, sizeof(err));
	} else {
		error = do_syncconf(node, req, err, sizeof(err));
	}
	if (error && err[0])
		fprintf(f, "error=%s\n", err);
	fprintf(f, "errno=%d\n\n", error);
	fclose(f);
}
