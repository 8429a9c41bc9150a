/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Receive: the encap_rcv hook of attached sockets.
 */
#ifndef _PODNET_RECEIVE_H
#define _PODNET_RECEIVE_H

#include <linux/skbuff.h>

struct napi_struct;
struct sock;

int podnet_udp_encap_recv(struct sock *sk, struct sk_buff *skb);
void podnet_receive_crypt(struct sk_buff *skb);
int podnet_rx_poll(struct napi_struct *napi, int budget);

#endif /* _PODNET_RECEIVE_H */
