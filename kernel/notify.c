// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Notifications to the daemon, multicast on the "peers" group of the
 * podnet family. They are sent from the data path (softirq, RCU read
 * lock held) as well as from process context, so they allocate
 * atomically, and nothing is built when nobody listens. A notification
 * that cannot be built is lost: the daemon's state does not depend on
 * any single one (it rekeys on a timer too, and dumps to resync).
 */
#include "notify.h"

#include <net/genetlink.h>

#include "device.h"
#include "netlink.h"
#include "peer.h"

static struct sk_buff *podnet_notify_new(struct podnet_peer *peer, u8 cmd,
					 size_t extra, void **hdr)
{
	struct net_device *dev = peer->pdev->dev;
	struct sk_buff *msg;

	if (!genl_has_listeners(&podnet_nl_family, dev_net(dev),
				PODNET_NL_MCGRP_PEERS))
		return NULL;
	msg = genlmsg_new(nla_total_size(4) * 2 + extra, GFP_ATOMIC);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &podnet_nl_family, 0, cmd);
	if (!*hdr || nla_put_u32(msg, PODNET_A_IFINDEX, dev->ifindex) ||
	    nla_put_u32(msg, PODNET_A_PEER_ID, peer->id)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void podnet_notify_send(struct podnet_peer *peer, struct sk_buff *msg,
			       void *hdr)
{
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&podnet_nl_family, dev_net(peer->pdev->dev),
				msg, 0, PODNET_NL_MCGRP_PEERS, GFP_ATOMIC);
}

/* A notification that carries nothing but ifindex and peer id. */
static void podnet_notify_peer_only(struct podnet_peer *peer, u8 cmd)
{
	struct sk_buff *msg;
	void *hdr;

	msg = podnet_notify_new(peer, cmd, 0, &hdr);
	if (msg)
		podnet_notify_send(peer, msg, hdr);
}

/**
 * podnet_notify_endpoint() - NOTIFY_ENDPOINT
 * @peer: the peer
 * @sa: the new address (a relay's when @channel is nonzero)
 * @channel: the relay channel the record came on, 0 if it came direct
 */
void podnet_notify_endpoint(struct podnet_peer *peer,
			    const struct sockaddr *sa, u32 channel)
{
	struct sk_buff *msg;
	void *hdr;

	msg = podnet_notify_new(peer, PODNET_CMD_NOTIFY_ENDPOINT,
				nla_total_size(sizeof(struct sockaddr_in6)) +
				nla_total_size(4), &hdr);
	if (!msg)
		return;
	if (podnet_nl_put_endpoint(msg, sa) ||
	    (channel && nla_put_u32(msg, PODNET_A_RELAY_CHANNEL, channel))) {
		nlmsg_free(msg);
		return;
	}
	podnet_notify_send(peer, msg, hdr);
}

/**
 * podnet_notify_key_limit() - NOTIFY_KEY_LIMIT
 * @peer: the peer
 * @slot: the key's slot
 * @seq: the sequence number that crossed the limit
 */
void podnet_notify_key_limit(struct podnet_peer *peer, u8 slot, u64 seq)
{
	struct sk_buff *msg;
	void *hdr;

	msg = podnet_notify_new(peer, PODNET_CMD_NOTIFY_KEY_LIMIT,
				nla_total_size(1) + nla_total_size_64bit(8), &hdr);
	if (!msg)
		return;
	if (nla_put_u8(msg, PODNET_A_KEY_SLOT, slot) ||
	    nla_put_u64_64bit(msg, PODNET_A_TX_SEQ, seq, PODNET_A_PAD)) {
		nlmsg_free(msg);
		return;
	}
	podnet_notify_send(peer, msg, hdr);
}

/**
 * podnet_notify_need_key() - NOTIFY_NEED_KEY (caller rate-limits)
 * @peer: the peer
 */
void podnet_notify_need_key(struct podnet_peer *peer)
{
	podnet_notify_peer_only(peer, PODNET_CMD_NOTIFY_NEED_KEY);
}

/**
 * podnet_notify_idle() - NOTIFY_IDLE
 * @peer: the peer that went silent
 */
void podnet_notify_idle(struct podnet_peer *peer)
{
	podnet_notify_peer_only(peer, PODNET_CMD_NOTIFY_IDLE);
}

/**
 * podnet_notify_no_route() - NOTIFY_NO_ROUTE (caller rate-limits)
 * @pdev: the device that had no peer
 * @daddr: the destination it had none for: IPv4 or IPv6
 * @len: its length, 4 or 16
 */
void podnet_notify_no_route(struct podnet_dev *pdev, const void *daddr,
			    int len)
{
	struct net_device *dev = pdev->dev;
	struct sk_buff *msg;
	void *hdr;

	if (!genl_has_listeners(&podnet_nl_family, dev_net(dev),
				PODNET_NL_MCGRP_PEERS))
		return;
	msg = genlmsg_new(nla_total_size(4) + nla_total_size(16), GFP_ATOMIC);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &podnet_nl_family, 0,
			  PODNET_CMD_NOTIFY_NO_ROUTE);
	if (!hdr || nla_put_u32(msg, PODNET_A_IFINDEX, dev->ifindex) ||
	    nla_put(msg, PODNET_A_DEST_ADDR, len, daddr)) {
		nlmsg_free(msg);
		return;
	}
	genlmsg_end(msg, hdr);
	genlmsg_multicast_netns(&podnet_nl_family, dev_net(dev), msg, 0,
				PODNET_NL_MCGRP_PEERS, GFP_ATOMIC);
}

/**
 * podnet_notify_key_swapped() - NOTIFY_KEY_SWAPPED
 * @peer: the peer
 */
void podnet_notify_key_swapped(struct podnet_peer *peer)
{
	podnet_notify_peer_only(peer, PODNET_CMD_NOTIFY_KEY_SWAPPED);
}

/**
 * podnet_notify_ctrl() - NOTIFY_CTRL with a control message
 * @peer: the peer it came from
 * @skb: the plaintext, at most PODNET_CTRL_MAX bytes
 * @channel: the relay channel it came through, 0 if it came directly
 *
 * The daemon's liveness check asks the peer through the path it sends
 * on: whether the answer came that way is what it wants to know.
 */
void podnet_notify_ctrl(struct podnet_peer *peer, struct sk_buff *skb,
			u32 channel)
{
	struct sk_buff *msg;
	struct nlattr *attr;
	void *hdr;

	msg = podnet_notify_new(peer, PODNET_CMD_NOTIFY_CTRL,
				nla_total_size(skb->len) + nla_total_size(4),
				&hdr);
	if (!msg)
		return;
	if (channel && nla_put_u32(msg, PODNET_A_RELAY_CHANNEL, channel)) {
		nlmsg_free(msg);
		return;
	}
	attr = nla_reserve(msg, PODNET_A_PAYLOAD, skb->len);
	if (!attr || skb_copy_bits(skb, 0, nla_data(attr), skb->len)) {
		nlmsg_free(msg);
		return;
	}
	podnet_notify_send(peer, msg, hdr);
}

/**
 * podnet_notify_listened() - does anyone get this device's notifications?
 * @pdev: the device
 *
 * Return: true if a daemon listens on the group in the device's netns.
 */
bool podnet_notify_listened(struct podnet_dev *pdev)
{
	return genl_has_listeners(&podnet_nl_family, dev_net(pdev->dev),
				  PODNET_NL_MCGRP_PEERS);
}
