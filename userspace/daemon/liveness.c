// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Path liveness. When a NAT forgets its mappings (a reboot, a conntrack
 * flush, a timeout) both sides keep sending into the void: a port-
 * restricted NAT drops the other side's packets from a new mapping, and
 * the keepalive timer would notice only after three missed intervals.
 * Instead, a peer that has been silent for LIVENESS_QUIET while data
 * went either way gets a ping through its session. The ping alone often
 * mends the path: it is the packet that makes our NAT map us again, and
 * the peer follows an authenticated record to its new source. No answer
 * within LIVENESS_PING_WAIT means the path is dead, and traversal.c
 * moves it (relay, new punch). Only the peer's answer, an authenticated
 * record, clears the alarm: an unauthenticated datagram can neither
 * raise nor settle it.
 */
#include "liveness.h"

#include "kernel.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "resolve.h"
#include "rvmsg.h"
#include "session.h"
#include "traversal.h"

#define LIVENESS_TICK 0.25	/* s */
/* Data out, nothing in, for this long: ask the peer. A TCP flow's
 * retransmissions back off to 3 s after ~1.4 s of loss; the path must
 * be back before then or the flow stalls twice as long. */
#define LIVENESS_QUIET 0.75
/* ... after data, in either direction, this recently: a receiver whose
 * flow stops asks once, the ping may be what its NAT was waiting for. */
#define LIVENESS_ACTIVE (2 * LIVENESS_QUIET)
#define LIVENESS_PING_WAIT 0.5
/* podnet.ko's last-heard times reach us with the housekeeping (1 s). */
#define LIVENESS_KERNEL_LAG 1.0
/* A path found dead again this soon is left to the relay and punching
 * already under way. */
#define LIVENESS_RETRY 2.0
/* A session that answered is not doubted again for this long: a spoofer
 * gains at most one ping every LIVENESS_DOUBT_HOLD. */
#define LIVENESS_DOUBT_HOLD 1.0

/*
 * When the peer was last heard on the path we send on. Records that come
 * through the relay while we send directly prove the peer alive, not our
 * path: a side that still sends directly while the other already relays
 * would never notice. podnet.ko reports its last direct record apart
 * (kernel.c), control records at once, data with the stats.
 */
ev_tstamp liveness_heard(const struct peer *peer)
{
	const struct session *s = peer->current;

	if (s->path.relay_channel)
		return peer->last_rx;
	return s->last_direct_rx > s->established ? s->last_direct_rx :
						     s->established;
}

static void watch_peer(struct peer *peer, ev_tstamp now)
{
	struct peer_liveness *l = &peer->nat.live;
	struct rv_msg ping = { .type = RV_PING };
	ev_tstamp heard, lag;
	int64_t tx_data;

	if (peer->nat.is_rendezvous || !peer->current) {
		l->ping_sent = 0;
		return;
	}
	heard = liveness_heard(peer);
	lag = peer->current->in_kernel ? LIVENESS_KERNEL_LAG : 0;
	/* podnet.ko counts the control records it seals for us (our own
	 * pings and keepalives) as sent packets: they are not data, or a
	 * ping would look like traffic and call for the next one. Its
	 * counters come a second late, so only a new high is data. */
	tx_data = (int64_t)(peer->stats.tx_packets - peer->kernel.ctrl_sent);
	if (tx_data > l->tx_data_seen ||
	    peer->stats.rx_packets != l->rx_packets_seen) {
		if (tx_data > l->tx_data_seen)
			l->tx_data_seen = tx_data;
		l->rx_packets_seen = peer->stats.rx_packets;
		l->last_data = now;
	}
	if (l->ping_sent) {
		if (heard >= l->ping_sent) {
			l->ping_sent = 0;
		} else if (now - l->ping_sent >= LIVENESS_PING_WAIT) {
			l->ping_sent = 0;
			l->last_lost = now;
			traversal_path_lost(peer);
			/* Known by name, it may have moved. */
			resolve_peer_silent(peer);
		}
		return;
	}
	if (now - heard < LIVENESS_QUIET + lag ||
	    now - l->last_data >= LIVENESS_ACTIVE + lag ||
	    now - l->last_lost < LIVENESS_RETRY)
		return;
	traversal_path_quiet(peer);
	if (!session_send_control(peer->current, &ping))
		l->ping_sent = now;
}

/* What the hint asked for, now that nothing speaks against it. */
static void lost_session(struct peer *peer, bool asked)
{
	if (asked)
		peer_session_requested(peer);
	else
		peer_want_session(peer, true);
}

/*
 * A restarted peer lost its session and says so with the first datagram
 * it sends us (a session request) or gets from us (under an index it no
 * longer has, which makes it ask). Anybody can send those from its
 * address, though, and a new handshake every time would let anybody
 * stall a working pair. The session itself tells: a ping through it,
 * and an authenticated answer within LIVENESS_PING_WAIT refutes the
 * hint. A restarted peer cannot answer, and gets its handshake half a
 * second later.
 */
void liveness_doubt(struct peer *peer, bool asked)
{
	struct node *node = peer->node;
	struct peer_liveness *l = &peer->nat.live;
	struct rv_msg ping = { .type = RV_PING };
	ev_tstamp now = node_now(node);
	static uint64_t ids;
	const struct session *s = peer->current;

	/* No session to lose, or one due for new keys anyway (a server
	 * whose client does not rekey asks it to): nothing to check. A
	 * rendezvous keeps no watch (it never dials a node). */
	if (!s || node->cfg.rendezvous ||
	    (asked && now - s->established >= node->cfg.rekey_after)) {
		lost_session(peer, asked);
		return;
	}
	if (l->doubt_sent) {
		l->doubt_asked |= asked;
		return;
	}
	if (now - l->last_doubt < LIVENESS_DOUBT_HOLD)
		return;
	l->doubt_id = ++ids | 1ULL << 63;
	ping.ping_id = l->doubt_id;
	if (session_send_control(peer->current, &ping)) {
		lost_session(peer, asked);
		return;
	}
	l->doubt_sent = now;
	l->last_doubt = now;
	l->doubt_asked = asked;
}

bool liveness_pong(struct peer *peer, uint64_t id)
{
	struct peer_liveness *l = &peer->nat.live;

	if (!l->doubt_sent || id != l->doubt_id)
		return false;
	l->doubt_sent = 0;
	peer->node->stats.rx_hints_refuted++;
	return true;
}

static void check_doubt(struct peer *peer, ev_tstamp now)
{
	struct peer_liveness *l = &peer->nat.live;
	ev_tstamp lag;

	if (!l->doubt_sent)
		return;
	if (!peer->current) {
		/* Gone meanwhile: a new one is wanted anyway. */
		l->doubt_sent = 0;
		return;
	}
	lag = peer->current->in_kernel ? LIVENESS_KERNEL_LAG : 0;
	if (now - l->doubt_sent < LIVENESS_PING_WAIT + lag)
		return;
	l->doubt_sent = 0;
	log_info("peer %s: its session does not answer; a new handshake",
		 peer->name);
	lost_session(peer, l->doubt_asked);
}

static void liveness_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct node *node = w->data;
	ev_tstamp now = node_now(node);

	for (struct peer *p = node->peers; p; p = p->next) {
		check_doubt(p, now);
		watch_peer(p, now);
	}
}

void liveness_peer_changed(struct peer *peer, enum peer_event what)
{
	struct node *node = peer->node;
	ev_timer *timer = &node->nat.live.timer;

	/* A rendezvous has a public address: its nodes come back to it. */
	if (node->cfg.rendezvous)
		return;
	switch (what) {
	case PEER_SESSION_UP:
		if (ev_is_active(timer))
			break;
		ev_timer_init(timer, liveness_tick, LIVENESS_TICK,
			      LIVENESS_TICK);
		timer->data = node;
		ev_timer_start(node->loop, timer);
		break;
	case PEER_REMOVED:
		/* peer_destroy() unlinked it already: the last one stops
		 * the watch, so the loop can end. */
		if (!node->peers)
			ev_timer_stop(node->loop, timer);
		break;
	case PEER_PATH_CHANGED:
		peer->nat.live.ping_sent = 0;
		break;
	default:
		break;
	}
}
