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
 * sends each a notice under that old index (doc/wire.md), paced, through
 * the NAT mapping the node still holds; the node checks the index against
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

/*
 * The notices go out paced, NOTICE_BURST every NOTICE_TICK: 5,000 a
 * second, 10,000 nodes told within 2 s. All at once, a few hundred fill
 * the socket's send buffer while the link drains it (a small datagram
 * takes ~1 KB of it; the kernel allows 212 KB by default) and the rest
 * fail with EAGAIN; and every node told handshakes with us in the same
 * instant, where we take 50 new ones a second (session.c). 50 a tick
 * (~50 KB) fit the buffer with room; a send that finds it full is tried
 * again at the next tick, given up only after NOTICE_STALL ticks.
 */
#define NOTICE_TICK 0.01
#define NOTICE_BURST 50
#define NOTICE_STALL 100
/* The nodes the file may name: a rendezvous carries 10,000; the rest of
 * a longer file are not told (counted as failed). */
#define NOTICE_MAX 65536

struct rv_notice {
	struct endpoint ep;
	uint32_t index;
};

/* The nodes still to tell, parsed from the file once (node->rv.announce). */
struct rv_announce {
	ev_timer timer;
	struct node *node;
	struct rv_notice *to;
	size_t n, next;
	size_t sent, failed, bad;
	unsigned int stalled;		/* ticks the next send found no room */
};

/* The file as a list: lines that do not parse are counted as bad. */
static struct rv_announce *parse(uint8_t *buf, size_t len)
{
	struct rv_announce *a = calloc(1, sizeof(*a));
	char *line, *save = NULL;
	size_t lines = 1;

	if (!a)
		return NULL;
	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	a->to = calloc(lines < NOTICE_MAX ? lines : NOTICE_MAX,
		       sizeof(*a->to));
	if (!a->to) {
		free(a);
		return NULL;
	}
	for (line = strtok_r((char *)buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char addr[ADDR_STR_MAX + 1], extra;
		struct endpoint ep;
		unsigned int index;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%64s %8x %c", addr, &index, &extra) != 2 ||
		    endpoint_parse(addr, &ep) || !index) {
			a->bad++;
			continue;
		}
		if (a->n == NOTICE_MAX) {
			a->failed++;
			continue;
		}
		a->to[a->n++] = (struct rv_notice){ .ep = ep, .index = index };
	}
	return a;
}

/* Addresses and indices, but wiped like the file they came from. */
static void announce_free(struct node *node)
{
	struct rv_announce *a = node->rv.announce;

	if (!a)
		return;
	ev_timer_stop(node->loop, &a->timer);
	fileio_free_wiped((uint8_t *)a->to, a->n * sizeof(*a->to));
	explicit_bzero(a, sizeof(*a));
	free(a);
	node->rv.announce = NULL;
}

static void announce_done(struct node *node)
{
	struct rv_announce *a = node->rv.announce;

	log_info("rendezvous: told %zu nodes registered before the restart to register again (%zu could not be sent, %zu lines of the file not understood)",
		 a->sent, a->failed, a->bad);
	announce_free(node);
}

static void announce_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct rv_announce *a = w->data;
	struct node *node = a->node;
	uint8_t out[WIRE_NOTICE_LEN];
	int burst = NOTICE_BURST;

	(void)loop;
	(void)revents;
	while (a->next < a->n && burst-- > 0) {
		const struct rv_notice *to = &a->to[a->next];
		struct path path = { .fd = node->udp_fd, .ep = to->ep };

		wire_build_notice(out, to->index, node->rv.boot_id,
				  WIRE_NOTICE_UNKNOWN_SESSION);
		if (!path_send(node, &path, out, sizeof(out), NULL, 0)) {
			a->sent++;
			node->stats.rv_restart_notices++;
		} else if ((errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == ENOBUFS) && ++a->stalled < NOTICE_STALL) {
			/* No room now: this one again at the next tick. */
			return;
		} else {
			a->failed++;
			node->stats.rv_restart_notices_failed++;
		}
		a->stalled = 0;
		a->next++;
	}
	if (a->next == a->n)
		announce_done(node);
}

void rv_state_announce(struct node *node)
{
	char path[PATH_MAX], err[128];
	struct rv_announce *a;
	uint8_t *buf = NULL;
	size_t len = 0;

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
	a = parse(buf, len);
	fileio_free_wiped(buf, len);
	if (!a) {
		log_warn("rendezvous: out of memory for the nodes of %s", path);
		return;
	}
	node->stats.rv_restart_notices_failed += a->failed;
	a->node = node;
	node->rv.announce = a;
	ev_timer_init(&a->timer, announce_tick, 0., NOTICE_TICK);
	a->timer.data = a;
	ev_timer_start(node->loop, &a->timer);
}

void rv_state_close(struct node *node)
{
	announce_free(node);
}
