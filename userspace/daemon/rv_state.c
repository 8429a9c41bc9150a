// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A restarted rendezvous has lost every session, and a node learns of
 * it only when it next sends us something (its keepalive, 15 s by
 * default) and gets a notice back; behind a NAT we cannot reach it first.
 * Until then it is neither reachable through us nor relayed. So the
 * rendezvous keeps, beside its control socket, where each node
 * registered from and the index of its session with us
 * (<ControlSocket>.nodes: under /run, gone at reboot). Started again, it
 * sends each a notice under that old index (doc/wire.md), through the
 * NAT mapping the node still holds; the node checks the index against
 * its session with us and registers again at once.
 *
 * The file holds addresses and indices, no secret, mode 0600. A node
 * acts on a notice only if it names the index it uses with us, so a
 * forged file buys one small datagram per line at start, nothing more.
 * It is rewritten, whole and by rename, when a registration moved.
 */
#include "rv_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "session.h"
#include "transport.h"
#include "udp.h"
#include "wire.h"

#define RV_STATE_SUFFIX ".nodes"
/* The file is rewritten at most this often (10,000 nodes: ~400 KB). */
#define RV_STATE_EVERY 1.0
/* 10,000 nodes of ~40 bytes a line, with room. */
#define RV_STATE_MAX (4u << 20)

static bool state_path(const struct node *node, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s", node->cfg.control_socket,
			 RV_STATE_SUFFIX);

	return node->cfg.control_socket[0] && n > 0 && (size_t)n < len;
}

/* A registration the file can name: a node on UDP, straight to us. */
static bool savable(struct node *node, const struct peer *p)
{
	return p->rv.registered && p->current && !p->path.relay_channel &&
	       p->path.ep.len && !transport_path_on_tcp(node, &p->path);
}

/* Did any registration move since the file was written? */
static bool moved(struct node *node)
{
	size_t n = 0;

	for (struct peer *p = node->peers; p; p = p->next) {
		if (!savable(node, p))
			continue;
		n++;
		if (p->rv.saved_index != p->current->local_index ||
		    !endpoint_equal(&p->rv.saved_ep, &p->path.ep))
			return true;
	}
	return n != node->rv.n_saved;
}

static void save(struct node *node, ev_tstamp now)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], ep[ADDR_STR_MAX];
	size_t n = 0;
	FILE *f;
	int fd;

	if (!state_path(node, path, sizeof(path)))
		return;
	node->rv.saved_at = now;
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		  0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		log_warn_ratelimited("rendezvous: cannot write %s: %s", tmp,
				     strerror(errno));
		return;
	}
	fprintf(f, "# podnet rendezvous: nodes registered, for a restart\n");
	for (struct peer *p = node->peers; p; p = p->next) {
		if (!savable(node, p))
			continue;
		p->rv.saved_index = p->current->local_index;
		p->rv.saved_ep = p->path.ep;
		fprintf(f, "%s %08" PRIx32 "\n",
			endpoint_format(&p->path.ep, ep, sizeof(ep)),
			p->current->local_index);
		n++;
	}
	if (fclose(f) || rename(tmp, path)) {
		log_warn_ratelimited("rendezvous: cannot write %s: %s", path,
				     strerror(errno));
		unlink(tmp);
		return;
	}
	node->rv.n_saved = n;
	node->rv.state_dirty = false;
}

void rv_state_save(struct node *node, ev_tstamp now)
{
	if (!node->cfg.rendezvous || !node->rv.announced ||
	    now - node->rv.saved_at < RV_STATE_EVERY)
		return;
	/* Sessions also change without a registration (a rekey). */
	if (node->rv.state_dirty || moved(node))
		save(node, now);
}

void rv_state_registered(struct peer *p, ev_tstamp now)
{
	struct node *node = p->node;

	if (!savable(node, p) ||
	    (p->rv.saved_index == p->current->local_index &&
	     endpoint_equal(&p->rv.saved_ep, &p->path.ep)))
		return;
	/* At once if we may: a restart right after a node moved would
	 * otherwise tell its old address. */
	node->rv.state_dirty = true;
	rv_state_save(node, now);
}

void rv_state_announce(struct node *node)
{
	char path[PATH_MAX], err[128];
	uint8_t *buf = NULL, out[WIRE_NOTICE_LEN];
	size_t len = 0, sent = 0, bad = 0;
	char *line, *save = NULL;

	if (!node->cfg.rendezvous || node->rv.announced)
		return;
	node->rv.announced = true;
	if (!state_path(node, path, sizeof(path)))
		return;
	if (fileio_read_small(path, RV_STATE_MAX, &buf, &len, err,
			      sizeof(err))) {
		/* No file: a first start, or after a reboot. */
		if (access(path, F_OK) == 0)
			log_warn("rendezvous: %s", err);
		return;
	}
	for (line = strtok_r((char *)buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct path to = { .fd = node->udp_fd };
		char addr[ADDR_STR_MAX + 1], extra;
		unsigned int index;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%64s %8x %c", addr, &index, &extra) != 2 ||
		    endpoint_parse(addr, &to.ep) || !index) {
			bad++;
			continue;
		}
		wire_build_notice(out, index, node->rv.boot_id,
				  WIRE_NOTICE_UNKNOWN_SESSION);
		if (!path_send(node, &to, out, sizeof(out), NULL, 0))
			sent++;
	}
	fileio_free_wiped(buf, len);
	node->stats.rv_restart_notices += sent;
	log_info("rendezvous: told %zu nodes registered before the restart to register again%s",
		 sent, bad ? " (some lines of the file were not understood)" : "");
}
