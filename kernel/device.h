/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The podnet network device ("ip link add pod0 type podnet") and its
 * private state.
 */
#ifndef _PODNET_DEVICE_H
#define _PODNET_DEVICE_H

#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>

#include <podnet_genl.h>
#include <podnet_wire.h>

#include "queue.h"

struct podnet_sock;
struct podnet_aip_table;
struct podnet_aip6_table;

/* Bytes podnet puts in front of an inner packet, at most: relay header,
 * podnet header, DTLS record header and the AES-GCM explicit nonce.
 */
#define PODNET_MAX_ENCAP (2 * PODNET_WIRE_HEADER_LEN + PODNET_RECORD_HEADER_LEN + \
			  PODNET_RECORD_EXPLICIT_NONCE_LEN)
/* Outer IPv6 + UDP, the larger of the two families. */
#define PODNET_OUTER_LEN (40 + 8)
#define PODNET_DEFAULT_MTU 1340
#define PODNET_MAX_PEERS 65536

/**
 * struct podnet_dev - private part of a podnet net_device
 * @dev: the net_device
 * @lock: serializes configuration (genetlink and teardown)
 * @socks_lock: taken by writers of @socks, also from encap_destroy
 * @socks: attached UDP sockets, RCU for the data path
 * @peers: all peers, under @lock
 * @peer_ids: peers by id, under @lock
 * @n_peers: length of @peers
 * @keys_by_index: installed keys by local index; written under @lock,
 *	read under RCU by the receive path
 * @aips: allowed-ips lookup table, replaced whole under @lock
 * @aips6: the peers' inner IPv6 addresses, replaced whole under @lock
 * @rx_malformed: datagrams with a bad podnet header
 * @tx_no_route: packets for which no peer matched, dropped at once or
 *	after waiting in @noroute
 * @tx_queued: packets that waited in @noroute
 * @drop_queue_full: packets that made room in a full @noroute
 * @noroute: packets for addresses no peer holds, while the daemon may be
 *	looking them up (queue.c)
 * @tx_dropped: packets dropped for other reasons (not IP, link-scope IPv6
 *	such as router solicitations, no socket, ...)
 * @gen: bumped on every change to the peer list, for dump consistency
 * @dead: set under @lock when the device is being torn down
 */
struct podnet_dev {
	struct net_device *dev;
	struct mutex lock;		/* configuration */
	spinlock_t socks_lock;		/* writers of socks[] */
	struct podnet_sock __rcu *socks[PODNET_MAX_SOCKETS];
	struct list_head peers;
	DECLARE_HASHTABLE(peer_ids, 8);
	unsigned int n_peers;
	DECLARE_HASHTABLE(keys_by_index, 10);
	struct podnet_aip_table __rcu *aips;
	struct podnet_aip6_table __rcu *aips6;
	atomic64_t rx_malformed;
	atomic64_t tx_no_route;
	atomic64_t tx_dropped;
	atomic64_t tx_queued;
	atomic64_t drop_queue_full;
	struct podnet_queue noroute;
	unsigned int gen;
	bool dead;
	unsigned long no_route_next;	/* jiffies: NOTIFY_NO_ROUTE limit */
	struct delayed_work idle_work;	/* NOTIFY_IDLE scan */
};

extern struct rtnl_link_ops podnet_link_ops;

int podnet_device_init(void);
void podnet_device_uninit(void);
struct podnet_dev *podnet_dev_get(struct net *net, int ifindex,
				  const char *ifname);

#endif /* _PODNET_DEVICE_H */
