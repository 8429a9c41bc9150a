/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Transmit: seal an inner packet (or control message) for a peer and
 * send it over UDP to the peer's endpoint, through its relay if it has
 * one.
 */
#ifndef _PODNET_SEND_H
#define _PODNET_SEND_H

#include <linux/skbuff.h>

struct podnet_peer;

/* Headroom the data path wants in front of an inner packet. */
#define PODNET_NEEDED_HEADROOM (PODNET_MAX_ENCAP + PODNET_OUTER_LEN + \
				LL_MAX_HEADER)

struct work_struct;

int podnet_send_skb(struct podnet_peer *peer, struct sk_buff *skb);
void podnet_send_queued(struct podnet_peer *peer, struct sk_buff *skb);
void podnet_send_burst(struct podnet_peer *peer, struct sk_buff *segs);
unsigned int podnet_send_crypt(struct sk_buff *first);
void podnet_tx_work(struct work_struct *work);
void podnet_request_key(struct podnet_peer *peer);

#endif /* _PODNET_SEND_H */
