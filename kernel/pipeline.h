/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Crypto spread over every CPU, packets kept in order per peer
 * (kernel/pipeline.c).
 */
#ifndef _PODNET_PIPELINE_H
#define _PODNET_PIPELINE_H

#include <linux/bottom_half.h>
#include <linux/sched.h>
#include <linux/skbuff.h>
#include <linux/workqueue.h>

struct podnet_key;
struct podnet_peer;
struct sock;

/* Where a packet in a peer's ordered queue stands. */
enum podnet_pkt_state {
	PODNET_PKT_PENDING,	/* a crypt worker has it */
	PODNET_PKT_READY,	/* sealed (tx) or opened and checked (rx) */
	PODNET_PKT_CONSUMED,	/* rx: a keepalive or a control message */
	PODNET_PKT_DROPPED,	/* counted where it failed; to be freed */
};

/**
 * struct podnet_pkt_cb - a queued packet's state, in skb->cb
 * @key: the key to seal or open with; only the crypt stage uses it
 * @sk: rx: the socket it came in on (compared only, never dereferenced)
 * @more: tx: the next packet of the same job (a GSO burst's segments
 *	are one job, sealed by one worker and sent together), or NULL
 * @seq: the record's sequence number
 * @state: enum podnet_pkt_state, set last by the crypt stage (release)
 * @channel: rx: relay channel, if @relayed
 * @len: tx: the plaintext's length, for the counters
 * @proto: rx: what a READY packet is (ETH_P_IP or ETH_P_IPV6)
 * @rx: which crypt stage it needs
 * @relayed: rx: it came wrapped by a relay
 */
struct podnet_pkt_cb {
	struct podnet_key *key;
	union {
		const struct sock *sk;
		struct sk_buff *more;
	};
	u64 seq;
	atomic_t state;
	u32 channel;
	u32 len;
	__be16 proto;
	bool rx;
	bool relayed;
};

#define PODNET_PKT(skb) ((struct podnet_pkt_cb *)(skb)->cb)

/* Packets (not jobs) a peer may have in flight in each direction: well inside the
 * replay window (PODNET_REPLAY_WINDOW), so reordering by the workers
 * never makes a record look too old. */
#define PODNET_ORDERED_MAX 1024

extern struct workqueue_struct *podnet_crypt_wq;

int podnet_pipeline_init(void);
void podnet_pipeline_exit(void);
bool podnet_crypt_enqueue(struct sk_buff *skb);
extern bool podnet_burst_jobs;
void podnet_pkt_finish(struct sk_buff *skb, enum podnet_pkt_state state);
struct sk_buff *podnet_ordered_take(struct sk_buff_head *q);
void podnet_pkt_free(struct sk_buff *skb);
void podnet_ordered_purge(struct sk_buff_head *q);
int podnet_serial_cpu(unsigned int n);

/**
 * podnet_batch_yield() - between two batches, let softirqs and the
 *	scheduler in
 * @n: packets done since the last yield; reset when it yields
 * @batch: packets in a batch
 *
 * The workers keep bottom halves off across a batch, so the NAPI polls
 * and sends they wake run once for it; a long queue must not keep them
 * off for good.
 * Context: process, bottom halves disabled once by the caller.
 */
static inline void podnet_batch_yield(unsigned int *n, unsigned int batch)
{
	if (*n < batch)
		return;
	*n = 0;
	local_bh_enable();
	cond_resched();
	local_bh_disable();
}

#endif /* _PODNET_PIPELINE_H */
