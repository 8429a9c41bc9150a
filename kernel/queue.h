/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Packets that wait instead of being dropped (kernel/queue.c): per peer
 * while it has no key or no endpoint yet, per device while nobody holds
 * the destination and the daemon may be asking a rendezvous who does.
 */
#ifndef _PODNET_QUEUE_H
#define _PODNET_QUEUE_H

#include <linux/skbuff.h>
#include <net/genetlink.h>

struct podnet_dev;
struct podnet_peer;

/* The userspace path's limits (userspace/daemon/queue.h). */
#define PODNET_QUEUE_PEER_PACKETS 128
#define PODNET_QUEUE_PEER_BYTES (256 * 1024)
/* One queue for every unknown destination of a device: a lookup answers
 * within a round trip to the rendezvous, so it rarely holds much. */
#define PODNET_QUEUE_DEV_PACKETS 64
#define PODNET_QUEUE_DEV_BYTES (128 * 1024)
#define PODNET_QUEUE_MAX_AGE (8 * HZ)

/**
 * struct podnet_queue - a bounded FIFO of inner packets
 * @q: the packets (its lock protects @bytes too)
 * @bytes: sum of their lengths
 */
struct podnet_queue {
	struct sk_buff_head q;
	unsigned int bytes;
};

void podnet_queue_init(struct podnet_queue *q);
unsigned int podnet_queue_len(const struct podnet_queue *q);
void podnet_queue_stamp(struct sk_buff *skb);

void podnet_send_data(struct podnet_peer *peer, struct sk_buff *skb);
void podnet_send_data_list(struct podnet_peer *peer, struct sk_buff *segs);
void podnet_peer_queue_flush(struct podnet_peer *peer);
void podnet_peer_queue_purge(struct podnet_peer *peer);
void podnet_peer_queue_expire(struct podnet_peer *peer);

void podnet_dev_queue_noroute(struct podnet_dev *pdev, struct sk_buff *skb);
void podnet_dev_queue_reroute(struct podnet_dev *pdev);
void podnet_dev_queue_purge(struct podnet_dev *pdev);
void podnet_dev_queue_expire(struct podnet_dev *pdev);
int podnet_nl_route_drop_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _PODNET_QUEUE_H */
