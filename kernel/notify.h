/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * PODNET_CMD_NOTIFY_* (netlink/uapi/podnet_genl.h), from any context.
 */
#ifndef _PODNET_NOTIFY_H
#define _PODNET_NOTIFY_H

#include <linux/skbuff.h>
#include <linux/socket.h>

struct podnet_dev;
struct podnet_peer;

void podnet_notify_endpoint(struct podnet_peer *peer,
			    const struct sockaddr *sa, u32 channel);
void podnet_notify_key_limit(struct podnet_peer *peer, u8 slot, u64 seq);
void podnet_notify_need_key(struct podnet_peer *peer);
void podnet_notify_idle(struct podnet_peer *peer);
void podnet_notify_no_route(struct podnet_dev *pdev, const void *daddr,
			    int len);
void podnet_notify_key_swapped(struct podnet_peer *peer);
void podnet_notify_ctrl(struct podnet_peer *peer, struct sk_buff *skb,
			u32 channel);
bool podnet_notify_listened(struct podnet_dev *pdev);

#endif /* _PODNET_NOTIFY_H */
