// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The kernel data path (podnet.ko), driven over generic netlink. The daemon
 * keeps doing every handshake, rekey, NAT traversal and relay decision;
 * the module seals and opens data records. kernel_peer_sync() makes the
 * module's view of one peer (endpoint, relay channel, address, the two key
 * slots) match the daemon's after any change, so the rest of the daemon
 * only says "this peer changed" (peer_changed(), which calls
 * kernel_peer_changed()). The uapi is netlink/uapi/podnet_genl.h.
 *
 * Once a session's keys are in the kernel, userspace never seals with them
 * again (their sequence numbers live in the kernel): keepalives and
 * control messages go out through PODNET_CMD_CTRL_SEND.
 */
#include "kernel.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/un.h>

#include <linux/genetlink.h>

#include "datapath.h"
#include "genl.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "podnet_attr.h"
#include "queue.h"
#include "rtnl.h"
#include "session.h"
#include "transport.h"
#include "traversal.h"

/* Every stats dump names each peer by id: a map, not a list walk, so a
 * thousand peers cost a thousand lookups a second, not a million. */
static struct in_addr id_key(uint32_t id)
{
	return (struct in_addr){ .s_addr = id };
}

static struct peer *peer_by_kernel_id(struct node *node, uint32_t id)
{
	return id ? routing_lookup(&node->kernel.peers, id_key(id)) : NULL;
}

static struct nlmsghdr *request(struct node *node, void *buf, uint8_t cmd,
				uint16_t flags)
{
	struct nlmsghdr *nlh = genl_request(&node->kernel.requests, buf, cmd,
					    PODNET_GENL_VERSION, flags);

	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, (uint32_t)node->ifindex);
	return nlh;
}

static int talk(struct node *node, struct nlmsghdr *nlh, const char *what,
		const struct peer *peer)
{
	char err[256];
	int ret = genl_talk(&node->kernel.requests, nlh, NULL, NULL, err,
			    sizeof(err));

	if (ret)
		log_warn_ratelimited("kernel: %s%s%s: %s", what, peer ? " for peer " : "",
				     peer ? peer->name : "", err);
	return ret;
}

/* Does a daemon answer on the control socket path? */
static bool daemon_running(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool up;

	if (fd < 0)
		return false;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	up = !connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return up;
}

bool kernel_available(void)
{
	struct genl_conn c;
	char err[128];

	if (genl_open(&c, PODNET_GENL_NAME, NULL, err, sizeof(err)))
		return false;
	genl_close(&c);
	return true;
}

/* The ids of the peers a link holds, for stale_peers_flush(). */
struct peer_ids {
	uint32_t id[256];
	size_t n;
};

static int peer_id_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[PODNET_A_MAX + 1];
	struct peer_ids *ids = data;

	podnet_attr_parse(nlh, &podnet_attrs, tb);
	if (tb[PODNET_A_PEER_ID] && ids->n < sizeof(ids->id) / sizeof(ids->id[0]))
		ids->id[ids->n++] = mnl_attr_get_u32(tb[PODNET_A_PEER_ID]);
	return MNL_CB_OK;
}

/*
 * An adopted link may still hold the peers and keys of a podnetd that was
 * killed on it (a user's link carries no alias to tell): none of them is
 * ours, so they go before we add our own.
 */
static void stale_peers_flush(struct node *node)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[256];
	struct peer_ids ids;
	struct nlmsghdr *nlh;
	size_t removed = 0;

	for (int pass = 0; pass < 256; pass++) {
		ids.n = 0;
		nlh = request(node, buf, PODNET_CMD_PEER_GET, NLM_F_DUMP);
		if (genl_talk(&node->kernel.requests, nlh, peer_id_cb, &ids,
			      err, sizeof(err)) || !ids.n)
			break;
		for (size_t i = 0; i < ids.n; i++) {
			nlh = request(node, buf, PODNET_CMD_PEER_DEL, 0);
			mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, ids.id[i]);
			if (!talk(node, nlh, "removing a stale peer", NULL))
				removed++;
		}
	}
	if (removed)
		log_warn("%s: removed %zu peers a previous podnetd left in the link",
			 node->cfg.ifname, removed);
}

int kernel_open(struct node *node, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], why[256];
	struct nlmsghdr *nlh;
	int ret;

	ret = genl_open(&node->kernel.requests, PODNET_GENL_NAME,
			PODNET_GENL_MCGRP_PEERS, why, sizeof(why));
	if (!ret)
		ret = genl_open(&node->kernel.events, PODNET_GENL_NAME,
				PODNET_GENL_MCGRP_PEERS, why, sizeof(why));
	if (!ret)
		ret = genl_subscribe(&node->kernel.events);
	if (ret) {
		snprintf(err, errlen, "podnet kernel module: %s",
			 ret == -ENOENT ? "not loaded (modprobe podnet)" :
					  strerror(-ret));
		return -1;
	}
	if (routing_init(&node->kernel.peers)) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	node->kernel.running = true;
	ret = rtnl_link_create(node->cfg.ifname, PODNET_LINK_KIND,
			       LINK_ALIAS_OURS, why, sizeof(why));
	if (ret == -EEXIST) {
		int have = rtnl_link_index(node->cfg.ifname);
		struct rtnl_link_info info = { 0 };

		if (daemon_running(node->cfg.control_socket)) {
			snprintf(err, errlen, "%s: in use by a running podnetd (%s answers)",
				 node->cfg.ifname, node->cfg.control_socket);
			return -1;
		}
		if (have > 0)
			rtnl_link_get(have, &info, why, sizeof(why));
		if (have > 0 && strcmp(info.kind, PODNET_LINK_KIND)) {
			snprintf(err, errlen, "%s exists and is a%s %s link, not a podnet link: delete it, or set DataPath = tun to use a TUN device",
				 node->cfg.ifname, info.kind[0] ? "" : "n",
				 info.kind[0] ? info.kind : "unknown");
			return -1;
		}
		if (have > 0 && !strcmp(info.alias, LINK_ALIAS_OURS)) {
			/* Left behind by a daemon that was killed: start
			 * afresh rather than take over its peers and keys. */
			log_warn("%s was left by a previous podnetd; replacing it",
				 node->cfg.ifname);
			ret = rtnl_link_delete(have, why, sizeof(why));
			if (!ret)
				ret = rtnl_link_create(node->cfg.ifname,
						       PODNET_LINK_KIND,
						       LINK_ALIAS_OURS, why,
						       sizeof(why));
		} else if (have > 0) {
			/* `ip link add pod0 type podnet`: the user's link,
			 * with the user's addresses and routes (link.c). */
			node->link.adopted = true;
			ret = 0;
		}
	}
	if (ret) {
		snprintf(err, errlen, "%s: cannot create a podnet link: %s",
			 node->cfg.ifname, why);
		return -1;
	}
	node->ifindex = rtnl_link_index(node->cfg.ifname);
	if (node->ifindex < 0) {
		snprintf(err, errlen, "%s: %s", node->cfg.ifname,
			 strerror(-node->ifindex));
		return -1;
	}
	if (node->link.adopted)
		stale_peers_flush(node);
	nlh = request(node, buf, PODNET_CMD_SOCKET_ATTACH, 0);
	mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, (uint32_t)node->udp_fd);
	ret = genl_talk(&node->kernel.requests, nlh, NULL, NULL, why,
			sizeof(why));
	if (ret) {
		snprintf(err, errlen, "%s: cannot attach the UDP socket: %s",
			 node->cfg.ifname, why);
		return -1;
	}
	return 0;
}

void kernel_close(struct node *node)
{
	if (!node->kernel.running)
		return;
	genl_close(&node->kernel.requests);
	genl_close(&node->kernel.events);
	routing_free(&node->kernel.peers);
	node->kernel.running = false;
}

static struct session *slot_session(struct peer *peer, int slot)
{
	uint32_t index = peer->kernel.slot[slot];
	struct session *cands[3] = { peer->current, peer->previous,
				     peer->pending };

	for (int i = 0; i < 3; i++)
		if (index && cands[i] && cands[i]->local_index == index)
			return cands[i];
	return NULL;
}

static int key_set(struct peer *peer, int slot, struct session *s,
		   bool pending)
{
	struct node *node = peer->node;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const struct record_keys *k = &s->keys;
	size_t iv_len = k->aead == RECORD_AES_GCM ? 4 : 12;
	struct nlmsghdr *nlh = request(node, buf, PODNET_CMD_KEY_SET, 0);
	struct nlattr *conf;
	int ret;

	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, peer->kernel.id);
	mnl_attr_put_u8(nlh, PODNET_A_KEY_SLOT, (uint8_t)slot);
	conf = mnl_attr_nest_start(nlh, PODNET_A_KEYCONF);
	mnl_attr_put_u8(nlh, PODNET_A_KEYCONF_CIPHER,
			k->aead == RECORD_AES_GCM ? PODNET_CIPHER_AES_GCM :
			PODNET_CIPHER_CHACHA20_POLY1305);
	mnl_attr_put_u16(nlh, PODNET_A_KEYCONF_EPOCH, k->epoch);
	mnl_attr_put_u32(nlh, PODNET_A_KEYCONF_LOCAL_INDEX, s->local_index);
	mnl_attr_put_u32(nlh, PODNET_A_KEYCONF_REMOTE_INDEX, s->remote_index);
	mnl_attr_put(nlh, PODNET_A_KEYCONF_TX_KEY, k->key_len, k->tx.key);
	mnl_attr_put(nlh, PODNET_A_KEYCONF_TX_IV, iv_len, k->tx.iv);
	mnl_attr_put(nlh, PODNET_A_KEYCONF_RX_KEY, k->key_len, k->rx.key);
	mnl_attr_put(nlh, PODNET_A_KEYCONF_RX_IV, iv_len, k->rx.iv);
	mnl_attr_put_u64(nlh, PODNET_A_KEYCONF_TX_SEQ, k->tx_seq);
	if (pending)
		mnl_attr_put(nlh, PODNET_A_KEYCONF_PENDING, 0, NULL);
	mnl_attr_nest_end(nlh, conf);
	ret = talk(node, nlh, "installing keys", peer);
	/* The request held key material: it does not stay on the stack. */
	explicit_bzero(buf, sizeof(buf));
	if (!ret) {
		peer->kernel.slot[slot] = s->local_index;
		peer->kernel.slot_pending[slot] = pending;
		s->in_kernel = true;
	}
	return ret;
}

static void key_simple(struct peer *peer, uint8_t cmd, int slot)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = request(peer->node, buf, cmd, 0);

	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, peer->kernel.id);
	if (slot >= 0)
		mnl_attr_put_u8(nlh, PODNET_A_KEY_SLOT, (uint8_t)slot);
	talk(peer->node, nlh, cmd == PODNET_CMD_KEY_SWAP ? "swapping keys" :
	     "removing keys", peer);
}

static void slots_swapped(struct peer *peer)
{
	uint32_t i = peer->kernel.slot[0];
	bool p = peer->kernel.slot_pending[0];

	peer->kernel.slot[0] = peer->kernel.slot[1];
	peer->kernel.slot_pending[0] = false;
	peer->kernel.slot[1] = i;
	peer->kernel.slot_pending[1] = p;
}

/*
 * A path on one of traversal.c's punch sockets (we are behind a symmetric
 * NAT): the mapping the peer answers is that socket's, and the main
 * socket's is another one, which a restricting NAT on the far side
 * drops. So the module takes that socket too and sends the peer's records
 * from it. It lets go by itself when the daemon closes the socket (the
 * peer then falls back to the main one). Returns the fd to send from.
 */
static int path_socket(struct peer *peer, const struct path *path)
{
	struct node *node = peer->node;
	char buf[MNL_SOCKET_BUFFER_SIZE], err[256];
	struct nlmsghdr *nlh;
	int ret;

	if (path->fd < 0 || path->fd == node->udp_fd || path->relay_channel)
		return node->udp_fd;
	nlh = request(node, buf, PODNET_CMD_SOCKET_ATTACH, 0);
	mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, (uint32_t)path->fd);
	ret = genl_talk(&node->kernel.requests, nlh, NULL, NULL, err,
			sizeof(err));
	if (ret && ret != -EEXIST) {
		/* PODNET_MAX_SOCKETS reached: the main socket's mapping
		 * is the only one left; the relay takes over if it fails. */
		log_warn_ratelimited("kernel: peer %s: cannot hand its punch socket to the module (%s); sending from the main socket",
				     peer->name, err);
		return node->udp_fd;
	}
	return path->fd;
}

static void peer_set(struct peer *peer)
{
	struct node *node = peer->node;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	const struct path *path = peer->current ? &peer->current->path :
						  &peer->path;
	struct nlattr *ips, *ip;
	uint8_t prefix = 32;
	int fd = path_socket(peer, path);

	nlh = request(node, buf, PODNET_CMD_PEER_SET, 0);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, peer->kernel.id);
	if (path->ep.len)
		mnl_attr_put(nlh, PODNET_A_ENDPOINT, path->ep.len,
			     &path->ep.sa);
	mnl_attr_put_u32(nlh, PODNET_A_RELAY_CHANNEL, path->relay_channel);
	/* Always named: a path back on the main socket (or on the relay)
	 * must not keep sending from a punch socket. */
	mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, (uint32_t)fd);
	ips = mnl_attr_nest_start(nlh, PODNET_A_ALLOWED_IPS);
	if (peer->has_vaddr) {
		ip = mnl_attr_nest_start(nlh, PODNET_A_ALLOWED_IP);
		mnl_attr_put(nlh, PODNET_A_ALLOWED_IP_ADDR, 4, &peer->vaddr);
		mnl_attr_put_u8(nlh, PODNET_A_ALLOWED_IP_PREFIX, prefix);
		mnl_attr_nest_end(nlh, ip);
	}
	/* Routed subnets: the module's allowed IPs take prefixes (longest
	 * match both ways), as the userspace table does. */
	for (size_t i = 0; i < peer->nsubnets; i++) {
		/* IPv4 only: the module has no IPv6 prefixes yet. */
		if (peer->subnets[i].v6)
			continue;
		ip = mnl_attr_nest_start(nlh, PODNET_A_ALLOWED_IP);
		mnl_attr_put(nlh, PODNET_A_ALLOWED_IP_ADDR, 4,
			     &peer->subnets[i].net);
		mnl_attr_put_u8(nlh, PODNET_A_ALLOWED_IP_PREFIX,
				peer->subnets[i].len);
		mnl_attr_nest_end(nlh, ip);
	}
	mnl_attr_nest_end(nlh, ips);
	/* Named only when there is an IPv6 address to give or take back,
	 * so an IPv4-only node works with a module that predates it. */
	if (peer->has_vaddr6)
		mnl_attr_put(nlh, PODNET_A_PEER_ADDR6, sizeof(peer->vaddr6),
			     &peer->vaddr6);
	else if (peer->kernel.has_vaddr6)
		mnl_attr_put(nlh, PODNET_A_PEER_ADDR6, 0, NULL);
	if (!talk(node, nlh, "updating peer", peer)) {
		peer->kernel.path = *path;
		peer->kernel.socket_generation = node->socket_generation;
		peer->kernel.vaddr = peer->has_vaddr ? peer->vaddr.s_addr : 0;
		peer->kernel.has_vaddr6 = peer->has_vaddr6;
		peer->kernel.vaddr6 = peer->vaddr6;
		peer->kernel.known = true;
		peer->subnets_changed = false;
	}
}

static void kernel_peer_sync(struct peer *peer)
{
	struct node *node = peer->node;
	struct session *want[2], *have[2];
	bool want_pending;
	const struct path *path;

	if (!node->kernel.running || peer->kernel.removing ||
	    peer->kernel.sync_hold)
		return;
	if (!peer->kernel.id) {
		if (routing_insert(&node->kernel.peers,
				   id_key(node->kernel.next_id + 1), peer))
			return;
		peer->kernel.id = ++node->kernel.next_id;
	}
	path = peer->current ? &peer->current->path : &peer->path;
	/* A closed socket's fd number may come back as another socket. */
	if (!peer->kernel.known || !path_equal(path, &peer->kernel.path) ||
	    (path->fd != node->udp_fd &&
	     peer->kernel.socket_generation != node->socket_generation) ||
	    peer->kernel.vaddr != (peer->has_vaddr ? peer->vaddr.s_addr : 0) ||
	    peer->kernel.has_vaddr6 != peer->has_vaddr6 ||
	    (peer->has_vaddr6 &&
	     memcmp(&peer->kernel.vaddr6, &peer->vaddr6, sizeof(peer->vaddr6))) ||
	    peer->subnets_changed)
		peer_set(peer);
	if (!peer->kernel.known)
		return;

	/* Primary: the session we send on. Secondary: the server's pending
	 * one (the kernel switches to it on its first record), else the one
	 * just replaced, still opening late packets. */
	want[0] = peer->current;
	want[1] = peer->pending ? peer->pending : peer->previous;
	want_pending = peer->pending != NULL;
	have[0] = slot_session(peer, 0);
	have[1] = slot_session(peer, 1);
	/* A server's first session waits, pending, for the client's first
	 * record (its keepalive follows the handshake at once): until then
	 * the client may lack our last flight, and what the module holds
	 * for the peer would go out under keys it cannot open yet. The
	 * module then promotes it and sends what waited. */
	if (want[0] && !want[0]->is_client && !want[1] && !have[0]) {
		want[1] = want[0];
		want[0] = NULL;
		want_pending = true;
	}

	if (want[0] != have[0] && want[0]) {
		if (want[0] == have[1]) {
			key_simple(peer, PODNET_CMD_KEY_SWAP, -1);
			slots_swapped(peer);
		} else if (have[0] && want[1] == have[0]) {
			/* A client's rekey: new keys go in beside the old,
			 * then become primary in one step. */
			if (!key_set(peer, 1, want[0], false)) {
				key_simple(peer, PODNET_CMD_KEY_SWAP, -1);
				slots_swapped(peer);
			}
		} else {
			key_set(peer, 0, want[0], false);
		}
	} else if (!want[0] && peer->kernel.slot[0]) {
		key_simple(peer, PODNET_CMD_KEY_DEL, 0);
		peer->kernel.slot[0] = 0;
	}
	have[1] = slot_session(peer, 1);
	if (want[1] && (want[1] != have[1] ||
			peer->kernel.slot_pending[1] != want_pending)) {
		key_set(peer, 1, want[1], want_pending);
	} else if (!want[1] && peer->kernel.slot[1]) {
		key_simple(peer, PODNET_CMD_KEY_DEL, 1);
		peer->kernel.slot[1] = 0;
	}
}

static void kernel_peer_remove(struct peer *peer)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	/* Mark the peer first, even when the kernel never saw it: destroying
	 * its sessions next must not sync it into the kernel's peer map just
	 * before it is freed. */
	peer->kernel.removing = true;
	if (!peer->node->kernel.running || !peer->kernel.id)
		return;
	routing_remove(&peer->node->kernel.peers, id_key(peer->kernel.id),
		       peer);
	if (!peer->kernel.known)
		return;
	nlh = request(peer->node, buf, PODNET_CMD_PEER_DEL, 0);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, peer->kernel.id);
	talk(peer->node, nlh, "removing peer", peer);
	peer->kernel.known = false;
}

void kernel_peer_changed(struct peer *peer, enum peer_event what)
{
	switch (what) {
	case PEER_REMOVED:
		kernel_peer_remove(peer);
		break;
	case PEER_SESSION_PROMOTED:
		/* New keys answer the kernel's request for them. */
		peer->kernel.key_limit = false;
		kernel_peer_sync(peer);
		break;
	case PEER_SESSION_UP:
	case PEER_SESSION_GONE:
	case PEER_PATH_CHANGED:
	case PEER_SUBNETS_CHANGED:
		kernel_peer_sync(peer);
		break;
	default:
		/* Nothing the module holds changed. */
		break;
	}
}

int kernel_ctrl_send(struct peer *peer, const uint8_t *msg, size_t len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (!peer->kernel.known || !peer->kernel.slot[0] ||
	    len > PODNET_CTRL_MAX)
		return -1;
	nlh = request(peer->node, buf, PODNET_CMD_CTRL_SEND, 0);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, peer->kernel.id);
	mnl_attr_put(nlh, PODNET_A_PAYLOAD, len, msg);
	if (talk(peer->node, nlh, "sending a control message", peer))
		return -1;
	peer->kernel.ctrl_sent++;
	return 0;
}

/* ------------------------------------------------------------ stats */

/* A counter of a parsed PODNET_A_STATS nest (podnet_stats_attrs). */
static uint64_t nested_u64(const struct nlattr **stats, uint16_t type,
			   bool *found)
{
	if (found)
		*found = stats[type] != NULL;
	return stats[type] ? mnl_attr_get_u64(stats[type]) : 0;
}

static void key_tx_seq(struct peer *peer, const struct nlattr *keys)
{
	const struct nlattr *key, *k[PODNET_A_KEY_MAX + 1];

	mnl_attr_for_each_nested(key, keys) {
		uint32_t index = 0;
		uint64_t seq = 0;

		podnet_attr_parse_nested(key, &podnet_key_attrs, k);
		if (k[PODNET_A_KEYCONF_LOCAL_INDEX])
			index = mnl_attr_get_u32(k[PODNET_A_KEYCONF_LOCAL_INDEX]);
		if (k[PODNET_A_KEYCONF_TX_SEQ])
			seq = mnl_attr_get_u64(k[PODNET_A_KEYCONF_TX_SEQ]);
		/* The daemon's copy of tx_seq only feeds the rekey check. */
		if (peer->current && peer->current->local_index == index &&
		    seq > peer->current->keys.tx_seq)
			peer->current->keys.tx_seq = seq;
	}
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct node *node = data;
	const struct nlattr *tb[PODNET_A_MAX + 1];
	const struct nlattr *stats[PODNET_A_STATS_MAX + 1];
	struct peer *peer = NULL;
	ev_tstamp now = node_now(node);
	uint64_t ms;
	bool found;

	podnet_attr_parse(nlh, &podnet_attrs, tb);
	if (tb[PODNET_A_PEER_ID])
		peer = peer_by_kernel_id(node,
					 mnl_attr_get_u32(tb[PODNET_A_PEER_ID]));
	if (!peer || !tb[PODNET_A_STATS])
		return MNL_CB_OK;
	podnet_attr_parse_nested(tb[PODNET_A_STATS], &podnet_stats_attrs, stats);
	peer->stats.rx_bytes = nested_u64(stats, PODNET_A_STATS_RX_BYTES, NULL);
	peer->stats.tx_bytes = nested_u64(stats, PODNET_A_STATS_TX_BYTES, NULL);
	peer->stats.rx_packets = nested_u64(stats, PODNET_A_STATS_RX_PACKETS,
					    NULL);
	peer->stats.tx_packets = nested_u64(stats, PODNET_A_STATS_TX_PACKETS,
					    NULL);
	peer->stats.drop_bad_source =
		nested_u64(stats, PODNET_A_STATS_DROP_BAD_SOURCE, NULL);
	peer->stats.drop_invalid =
		nested_u64(stats, PODNET_A_STATS_DROP_INVALID, NULL) +
		nested_u64(stats, PODNET_A_STATS_DROP_REPLAY, NULL) +
		nested_u64(stats, PODNET_A_STATS_DROP_BAD_RELAY, NULL);
	/* Waiting, as on TUN, happens in the module: its queue's figures
	 * stand in for peer->queue's. */
	peer->stats.drop_no_session =
		nested_u64(stats, PODNET_A_STATS_DROP_NO_KEY, NULL);
	peer->stats.drop_queue_full =
		nested_u64(stats, PODNET_A_STATS_DROP_QUEUE_FULL, NULL);
	peer->kernel.queued = nested_u64(stats, PODNET_A_STATS_QUEUED, NULL);
	ms = nested_u64(stats, PODNET_A_STATS_LAST_RX_MS, &found);
	if (found && now - ms / 1000.0 > peer->last_rx)
		peer->last_rx = now - ms / 1000.0;
	ms = nested_u64(stats, PODNET_A_STATS_LAST_TX_MS, &found);
	if (found && now - ms / 1000.0 > peer->last_tx)
		peer->last_tx = now - ms / 1000.0;
	/* What liveness.c watches on a direct path: records that came
	 * through the relay meanwhile say nothing about it. */
	ms = nested_u64(stats, PODNET_A_STATS_LAST_DIRECT_RX_MS, &found);
	if (found && peer->current && !peer->current->path.relay_channel &&
	    now - ms / 1000.0 > peer->current->last_direct_rx)
		peer->current->last_direct_rx = now - ms / 1000.0;
	if (tb[PODNET_A_KEYS])
		key_tx_seq(peer, tb[PODNET_A_KEYS]);
	return MNL_CB_OK;
}

/* The device's own figures: packets for addresses nobody holds are
 * counted where they wait, in the module. */
static int dev_stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct node *node = data;
	const struct nlattr *tb[PODNET_A_MAX + 1];
	const struct nlattr *stats[PODNET_A_STATS_MAX + 1];

	podnet_attr_parse(nlh, &podnet_attrs, tb);
	if (!tb[PODNET_A_DEV_STATS])
		return MNL_CB_OK;
	podnet_attr_parse_nested(tb[PODNET_A_DEV_STATS], &podnet_stats_attrs,
				 stats);
	node->stats.tx_no_route =
		nested_u64(stats, PODNET_A_STATS_TX_NO_ROUTE, NULL);
	return MNL_CB_OK;
}

void kernel_stats_sync(struct node *node)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[256];
	struct nlmsghdr *nlh;

	if (!node->kernel.running)
		return;
	nlh = request(node, buf, PODNET_CMD_PEER_GET, NLM_F_DUMP);
	if (genl_talk(&node->kernel.requests, nlh, stats_cb, node, err,
		      sizeof(err)))
		log_debug_ratelimited("kernel: reading peer stats: %s", err);
	nlh = request(node, buf, PODNET_CMD_DEV_GET, 0);
	if (genl_talk(&node->kernel.requests, nlh, dev_stats_cb, node, err,
		      sizeof(err)))
		log_debug_ratelimited("kernel: reading device stats: %s", err);
}

void kernel_route_drop(struct node *node, struct in_addr dest)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (!node->kernel.running)
		return;
	nlh = request(node, buf, PODNET_CMD_ROUTE_DROP, 0);
	mnl_attr_put(nlh, PODNET_A_DEST_ADDR, 4, &dest.s_addr);
	talk(node, nlh, "dropping packets for an unknown address", NULL);
}

void kernel_route_drop6(struct node *node, const struct in6_addr *dest)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (!node->kernel.running)
		return;
	nlh = request(node, buf, PODNET_CMD_ROUTE_DROP, 0);
	mnl_attr_put(nlh, PODNET_A_DEST_ADDR, 16, dest);
	talk(node, nlh, "dropping packets for an unknown address", NULL);
}

/* ----------------------------------------------------- notifications */

/*
 * The kernel opened an authenticated, fresh record that came through a
 * relay on a channel it does not send on: the peer fell back to a relay.
 * As for a relayed record in userspace (relayed_datagram()), only a
 * rendezvous may deliver; then the relay becomes the path, and
 * kernel_peer_sync() gives the kernel the new channel and relay.
 */
static void relay_arrival(struct peer *peer, const struct nlattr *endpoint,
			  uint32_t channel)
{
	struct node *node = peer->node;
	struct path p = peer->current->path;
	char ep[ADDR_STR_MAX];

	endpoint_from_sockaddr(&p.ep, mnl_attr_get_payload(endpoint),
			       mnl_attr_get_payload_len(endpoint));
	p.relay_channel = channel;
	p.fd = node->udp_fd;
	if (!channel || !peer_is_relay(node, &p.ep)) {
		node->stats.rx_malformed++;
		return;
	}
	if (path_equal(&peer->current->path, &p))
		return;
	log_info("peer %s moved to %s", peer->name,
		 path_format(&p, ep, sizeof(ep)));
	peer->current->path = p;
	peer_path_changed(peer, &p);
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct node *node = data;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[PODNET_A_MAX + 1], *payload, *endpoint;
	struct peer *peer = NULL;
	uint32_t ifindex = 0;
	struct in_addr dest = { 0 };
	struct in6_addr dest6;
	bool has_dest6 = false;

	podnet_attr_parse(nlh, &podnet_attrs, tb);
	if (tb[PODNET_A_IFINDEX])
		ifindex = mnl_attr_get_u32(tb[PODNET_A_IFINDEX]);
	if (tb[PODNET_A_PEER_ID])
		peer = peer_by_kernel_id(node,
					 mnl_attr_get_u32(tb[PODNET_A_PEER_ID]));
	/* 4 bytes, or 16 for IPv6 (the table allows 4..16). */
	if (tb[PODNET_A_DEST_ADDR] &&
	    mnl_attr_get_payload_len(tb[PODNET_A_DEST_ADDR]) == 16) {
		memcpy(&dest6, mnl_attr_get_payload(tb[PODNET_A_DEST_ADDR]), 16);
		has_dest6 = true;
	} else if (tb[PODNET_A_DEST_ADDR] &&
		   mnl_attr_get_payload_len(tb[PODNET_A_DEST_ADDR]) == 4) {
		memcpy(&dest, mnl_attr_get_payload(tb[PODNET_A_DEST_ADDR]), 4);
	}
	payload = tb[PODNET_A_PAYLOAD];
	endpoint = tb[PODNET_A_ENDPOINT];
	/* The group is shared by every podnet device on the machine. */
	if (ifindex != (uint32_t)node->ifindex)
		return MNL_CB_OK;
	if (g->cmd == PODNET_CMD_NOTIFY_NO_ROUTE && dest.s_addr) {
		/* As on TUN: a rendezvous may know who holds it, or a peer
		 * whose handshake runs may turn out to; meanwhile the packet
		 * waits in the module. If nobody can tell, it goes now.
		 * (tx_no_route is the module's count, kernel_stats_sync.) */
		if (!traversal_lookup_vaddr(node, dest) &&
		    !queue_session_coming(node))
			kernel_route_drop(node, dest);
		return MNL_CB_OK;
	}
	if (g->cmd == PODNET_CMD_NOTIFY_NO_ROUTE && has_dest6) {
		if (!traversal_lookup_vaddr6(node, &dest6) &&
		    !queue_session_coming(node))
			kernel_route_drop6(node, &dest6);
		return MNL_CB_OK;
	}
	if (!peer)
		return MNL_CB_OK;
	switch (g->cmd) {
	case PODNET_CMD_NOTIFY_CTRL:
		/* A liveness answer on the direct path counts at once, not
		 * a stats sync later. */
		if (!tb[PODNET_A_RELAY_CHANNEL] && peer->current &&
		    !peer->current->path.relay_channel) {
			peer->current->last_direct_rx = node_now(node);
			/* The rendezvous answers on UDP: no TCP fallback.
			 * (On TUN, udp.c tells transport.c of every
			 * datagram; here the module reads them.) */
			transport_udp_heard(node, &peer->current->path);
		}
		if (payload && mnl_attr_get_payload_len(payload))
			dispatch_control_record(node, peer,
						mnl_attr_get_payload(payload),
						mnl_attr_get_payload_len(payload));
		peer->last_rx = node_now(node);
		break;
	case PODNET_CMD_NOTIFY_NEED_KEY:
		peer_want_session(peer, false);
		break;
	case PODNET_CMD_NOTIFY_IDLE:
		log_info("peer %s: idle, no packets for a while", peer->name);
		break;
	case PODNET_CMD_NOTIFY_KEY_LIMIT:
		peer->kernel.key_limit = true;
		break;
	case PODNET_CMD_NOTIFY_KEY_SWAPPED:
		slots_swapped(peer);
		/* Promotion frees the oldest session on the way: sync once
		 * it is over, not halfway. */
		peer->kernel.sync_hold = true;
		if (peer->pending)
			peer_session_promote(peer, peer->pending);
		peer->kernel.sync_hold = false;
		kernel_peer_sync(peer);
		break;
	case PODNET_CMD_NOTIFY_ENDPOINT:
		if (endpoint && peer->current && tb[PODNET_A_RELAY_CHANNEL]) {
			relay_arrival(peer, endpoint,
				      mnl_attr_get_u32(tb[PODNET_A_RELAY_CHANNEL]));
		} else if (endpoint && peer->current) {
			struct path p = peer->current->path;
			char ep[ADDR_STR_MAX];

			endpoint_from_sockaddr(&p.ep,
					       mnl_attr_get_payload(endpoint),
					       mnl_attr_get_payload_len(endpoint));
			/* The socket stays: the far side's NAT moved, not
			 * ours (and a relayed path was on the main one). */
			if (p.relay_channel)
				p.fd = node->udp_fd;
			p.relay_channel = 0;
			log_info("peer %s moved to %s", peer->name,
				 path_format(&p, ep, sizeof(ep)));
			peer->current->path = p;
			peer_path_changed(peer, &p);
			/* The kernel already moved it: only our view. */
			peer->kernel.path = p;
		}
		break;
	}
	return MNL_CB_OK;
}

void kernel_events_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	static char buf[65536];
	struct node *node = w->data;

	for (int i = 0; i < 64; i++) {
		ssize_t n = recv(genl_fd(&node->kernel.events), buf,
				 sizeof(buf), MSG_DONTWAIT);

		if (n <= 0) {
			if (n < 0 && errno == ENOBUFS)
				log_warn_ratelimited("kernel: notifications were lost");
			break;
		}
		mnl_cb_run(buf, (size_t)n, 0, 0, event_cb, node);
	}
}
