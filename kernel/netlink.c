// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The policies (kernel/policy.c) check everything a single attribute can
 * be wrong about (types, lengths, ranges); the *_precheck() functions
 * check what needs several attributes, and every refusal says why in the
 * extack. Doit handlers run with the device's configuration mutex held
 * (taken in pre_doit), so the family runs with parallel_ops: two devices
 * configure independently. The key commands are in netlink_key.c.
 */
#include "netlink.h"

#include <linux/if.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <net/sock.h>

#include "allowedips.h"
#include "device.h"
#include "peer.h"
#include "netlink_key.h"
#include "policy.h"
#include "queue.h"
#include "socket.h"

#define PODNET_MAX_AIPS 1024	/* per peer and request */

/* Mainline 6.7, and the stable kernels it went back to (Debian's 6.1 has
 * it): without it any local user could join the "peers" group. */
#ifndef GENL_MCAST_CAP_NET_ADMIN
#error "this kernel's genetlink cannot restrict multicast groups to CAP_NET_ADMIN"
#endif

static const struct genl_multicast_group podnet_nl_mcgrps[] = {
	/* Decrypted control messages (punch tokens, candidates) and peer
	 * endpoints: for the daemon only, never for any local user. */
	[PODNET_NL_MCGRP_PEERS] = { .name = PODNET_GENL_MCGRP_PEERS,
				    .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct podnet_dev *podnet_nl_dev(struct net *net, struct nlattr **attrs,
					struct netlink_ext_ack *extack)
{
	struct podnet_dev *pdev;

	if (!attrs[PODNET_A_IFINDEX] && !attrs[PODNET_A_IFNAME]) {
		NL_SET_ERR_ATTR_MISS(extack, NULL, PODNET_A_IFINDEX);
		NL_SET_ERR_MSG_MOD(extack, "missing ifindex or ifname");
		return ERR_PTR(-EINVAL);
	}
	pdev = podnet_dev_get(net, attrs[PODNET_A_IFINDEX] ?
			      nla_get_u32(attrs[PODNET_A_IFINDEX]) : 0,
			      attrs[PODNET_A_IFNAME] ?
			      nla_data(attrs[PODNET_A_IFNAME]) : NULL);
	if (IS_ERR(pdev)) {
		if (PTR_ERR(pdev) == -ENODEV)
			NL_SET_ERR_MSG_MOD(extack, "no such device");
		else
			NL_SET_ERR_MSG_MOD(extack, "device is not a podnet device");
	}
	return pdev;
}

static int podnet_nl_pre_doit(const struct genl_ops *ops, struct sk_buff *skb,
			      struct genl_info *info)
{
	struct podnet_dev *pdev;

	pdev = podnet_nl_dev(genl_info_net(info), info->attrs, info->extack);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	mutex_lock(&pdev->lock);
	if (pdev->dead) {
		mutex_unlock(&pdev->lock);
		dev_put(pdev->dev);
		NL_SET_ERR_MSG_MOD(info->extack, "device is being deleted");
		return -ENODEV;
	}
	info->user_ptr[0] = pdev;
	return 0;
}

static void podnet_nl_post_doit(const struct genl_ops *ops,
				struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_dev *pdev = info->user_ptr[0];

	mutex_unlock(&pdev->lock);
	dev_put(pdev->dev);
}

/**
 * podnet_nl_peer() - the peer a request names by PODNET_A_PEER_ID
 * @pdev: the device (its lock held, by pre_doit)
 * @info: the request
 *
 * Return: the peer, or an ERR_PTR with the reason in the extack.
 */
struct podnet_peer *podnet_nl_peer(struct podnet_dev *pdev,
				   struct genl_info *info)
{
	struct podnet_peer *peer;

	if (podnet_nl_missing(info, PODNET_A_PEER_ID, "missing peer id"))
		return ERR_PTR(-EINVAL);
	peer = podnet_peer_find(pdev, nla_get_u32(info->attrs[PODNET_A_PEER_ID]));
	if (!peer) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PODNET_A_PEER_ID],
				    "no peer with this id");
		return ERR_PTR(-ENOENT);
	}
	return peer;
}

/* ---- replies ---- */

static int podnet_nl_put_u64(struct sk_buff *skb, int type, u64 v, int pad)
{
	return nla_put_u64_64bit(skb, type, v, pad);
}

/* Device totals: inner bytes and packets summed over the peers, as the
 * uapi defines them (the netdev's own counters see outer datagrams on
 * transmit, counted by the UDP tunnel helpers).
 */
static int podnet_nl_fill_dev(struct sk_buff *skb, struct podnet_dev *pdev)
{
	u64 rxb = 0, txb = 0, rxp = 0, txp = 0;
	struct podnet_peer *peer;
	struct nlattr *nest;

	list_for_each_entry(peer, &pdev->peers, list) {
		rxb += atomic64_read(&peer->stats.rx_bytes);
		txb += atomic64_read(&peer->stats.tx_bytes);
		rxp += atomic64_read(&peer->stats.rx_packets);
		txp += atomic64_read(&peer->stats.tx_packets);
	}
	if (nla_put_u32(skb, PODNET_A_IFINDEX, pdev->dev->ifindex) ||
	    nla_put_string(skb, PODNET_A_IFNAME, pdev->dev->name) ||
	    nla_put_u32(skb, PODNET_A_SOCKETS, podnet_sock_count(pdev)) ||
	    nla_put_u32(skb, PODNET_A_PEERS, pdev->n_peers))
		return -EMSGSIZE;
	nest = nla_nest_start(skb, PODNET_A_DEV_STATS);
	if (!nest ||
	    podnet_nl_put_u64(skb, PODNET_A_STATS_RX_BYTES, rxb,
			      PODNET_A_STATS_PAD) ||
	    podnet_nl_put_u64(skb, PODNET_A_STATS_TX_BYTES, txb,
			      PODNET_A_STATS_PAD) ||
	    podnet_nl_put_u64(skb, PODNET_A_STATS_RX_PACKETS, rxp,
			      PODNET_A_STATS_PAD) ||
	    podnet_nl_put_u64(skb, PODNET_A_STATS_TX_PACKETS, txp,
			      PODNET_A_STATS_PAD) ||
	    podnet_nl_put_u64(skb, PODNET_A_STATS_RX_MALFORMED,
			      atomic64_read(&pdev->rx_malformed),
			      PODNET_A_STATS_PAD) ||
	    podnet_nl_put_u64(skb, PODNET_A_STATS_TX_NO_ROUTE,
			      atomic64_read(&pdev->tx_no_route),
			      PODNET_A_STATS_PAD) ||
	    podnet_nl_put_u64(skb, PODNET_A_STATS_QUEUED,
			      podnet_queue_len(&pdev->noroute),
			      PODNET_A_STATS_PAD) ||
	    podnet_nl_put_u64(skb, PODNET_A_STATS_TX_QUEUED,
			      atomic64_read(&pdev->tx_queued),
			      PODNET_A_STATS_PAD) ||
	    podnet_nl_put_u64(skb, PODNET_A_STATS_DROP_QUEUE_FULL,
			      atomic64_read(&pdev->drop_queue_full),
			      PODNET_A_STATS_PAD))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/**
 * podnet_nl_put_endpoint() - PODNET_A_ENDPOINT as the family carries it
 * @skb: the message
 * @sa: AF_INET or AF_INET6 address (nothing is put for other families)
 *
 * Return: 0 or -EMSGSIZE.
 */
int podnet_nl_put_endpoint(struct sk_buff *skb, const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return nla_put(skb, PODNET_A_ENDPOINT,
			       sizeof(struct sockaddr_in), sa);
	if (sa->sa_family == AF_INET6)
		return nla_put(skb, PODNET_A_ENDPOINT,
			       sizeof(struct sockaddr_in6), sa);
	return 0;
}

static int podnet_nl_fill_stats(struct sk_buff *skb, struct podnet_peer *peer)
{
	const struct podnet_peer_stats *s = &peer->stats;
	u64 now = get_jiffies_64(), last_rx, last_tx;
	struct nlattr *nest;

	nest = nla_nest_start(skb, PODNET_A_STATS);
	if (!nest)
		return -EMSGSIZE;
#define PUT(a, v) podnet_nl_put_u64(skb, PODNET_A_STATS_##a, v, PODNET_A_STATS_PAD)
	if (PUT(RX_BYTES, atomic64_read(&s->rx_bytes)) ||
	    PUT(TX_BYTES, atomic64_read(&s->tx_bytes)) ||
	    PUT(RX_PACKETS, atomic64_read(&s->rx_packets)) ||
	    PUT(TX_PACKETS, atomic64_read(&s->tx_packets)) ||
	    PUT(DROP_BAD_SOURCE, atomic64_read(&s->drop_bad_source)) ||
	    PUT(DROP_INVALID, atomic64_read(&s->drop_invalid)) ||
	    PUT(DROP_REPLAY, atomic64_read(&s->drop_replay)) ||
	    PUT(DROP_NO_KEY, atomic64_read(&s->drop_no_key)) ||
	    PUT(QUEUED, podnet_queue_len(&peer->queue)) ||
	    PUT(TX_QUEUED, atomic64_read(&s->tx_queued)) ||
	    PUT(DROP_QUEUE_FULL, atomic64_read(&s->drop_queue_full)) ||
	    PUT(DROP_BAD_RELAY, atomic64_read(&s->drop_bad_relay)))
		return -EMSGSIZE;
	last_rx = READ_ONCE(peer->last_rx);
	last_tx = READ_ONCE(peer->last_tx);
	if (last_rx && PUT(LAST_RX_MS, jiffies64_to_msecs(now - last_rx)))
		return -EMSGSIZE;
	if (last_tx && PUT(LAST_TX_MS, jiffies64_to_msecs(now - last_tx)))
		return -EMSGSIZE;
	last_rx = READ_ONCE(peer->last_direct_rx);
	if (last_rx &&
	    PUT(LAST_DIRECT_RX_MS, jiffies64_to_msecs(now - last_rx)))
		return -EMSGSIZE;
#undef PUT
	nla_nest_end(skb, nest);
	return 0;
}

static int podnet_nl_fill_keys(struct sk_buff *skb, struct podnet_peer *peer)
{
	struct nlattr *keys, *k;
	struct podnet_key *key;
	unsigned int slot;
	int err = -EMSGSIZE;

	keys = nla_nest_start(skb, PODNET_A_KEYS);
	if (!keys)
		return -EMSGSIZE;
	rcu_read_lock();
	for (slot = 0; slot < ARRAY_SIZE(peer->keys); slot++) {
		key = rcu_dereference(peer->keys[slot]);
		if (!key)
			continue;
		k = nla_nest_start(skb, PODNET_A_KEY);
		if (!k ||
		    nla_put_u8(skb, PODNET_A_KEY_SLOT_ID, slot) ||
		    nla_put_u8(skb, PODNET_A_KEYCONF_CIPHER, key->crypto.cipher) ||
		    nla_put_u16(skb, PODNET_A_KEYCONF_EPOCH, key->epoch) ||
		    nla_put_u32(skb, PODNET_A_KEYCONF_LOCAL_INDEX, key->local_index) ||
		    nla_put_u32(skb, PODNET_A_KEYCONF_REMOTE_INDEX, key->remote_index) ||
		    podnet_nl_put_u64(skb, PODNET_A_KEYCONF_TX_SEQ,
				      min_t(u64, atomic64_read(&key->tx_seq),
					    PODNET_SEQ_LAST + 1),
				      PODNET_A_KEYCONF_PAD) ||
		    (test_bit(PODNET_KEY_PENDING, &key->flags) &&
		     nla_put_flag(skb, PODNET_A_KEYCONF_PENDING)))
			goto out;
		nla_nest_end(skb, k);
	}
	err = 0;
	nla_nest_end(skb, keys);
out:
	rcu_read_unlock();
	return err;
}

static int podnet_nl_fill_peer(struct sk_buff *skb, struct podnet_peer *peer)
{
	struct podnet_aip_list *l = peer->aips;
	struct podnet_endpoint ep;
	struct nlattr *aips, *a;
	u32 i;

	if (nla_put_u32(skb, PODNET_A_IFINDEX, peer->pdev->dev->ifindex) ||
	    nla_put_u32(skb, PODNET_A_PEER_ID, peer->id) ||
	    nla_put_u32(skb, PODNET_A_RELAY_CHANNEL, READ_ONCE(peer->relay_channel)))
		return -EMSGSIZE;
	if (podnet_peer_endpoint_get(peer, &ep) &&
	    podnet_nl_put_endpoint(skb, &ep.addr.sa))
		return -EMSGSIZE;
	aips = nla_nest_start(skb, PODNET_A_ALLOWED_IPS);
	if (!aips)
		return -EMSGSIZE;
	for (i = 0; l && i < l->n; i++) {
		a = nla_nest_start(skb, PODNET_A_ALLOWED_IP);
		if (!a ||
		    nla_put(skb, PODNET_A_ALLOWED_IP_ADDR, 4, &l->e[i].addr) ||
		    nla_put_u8(skb, PODNET_A_ALLOWED_IP_PREFIX, l->e[i].cidr))
			return -EMSGSIZE;
		nla_nest_end(skb, a);
	}
	nla_nest_end(skb, aips);
	if (peer->has_addr6 &&
	    nla_put(skb, PODNET_A_PEER_ADDR6, sizeof(peer->addr6), &peer->addr6))
		return -EMSGSIZE;
	if (podnet_nl_fill_stats(skb, peer) || podnet_nl_fill_keys(skb, peer))
		return -EMSGSIZE;
	return 0;
}

/* ---- commands ---- */

static int podnet_nl_dev_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_dev *pdev = info->user_ptr[0];
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &podnet_nl_family, 0,
				PODNET_CMD_DEV_GET);
	if (!hdr || podnet_nl_fill_dev(msg, pdev)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int podnet_nl_socket_attach_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	if (podnet_nl_missing(info, PODNET_A_SOCKET_FD, "missing socket fd"))
		return -EINVAL;
	return podnet_sock_attach(info->user_ptr[0],
				  nla_get_u32(info->attrs[PODNET_A_SOCKET_FD]),
				  info->extack);
}

static int podnet_nl_socket_detach_doit(struct sk_buff *skb,
					struct genl_info *info)
{
	if (podnet_nl_missing(info, PODNET_A_SOCKET_FD, "missing socket fd"))
		return -EINVAL;
	return podnet_sock_detach_fd(info->user_ptr[0],
				     nla_get_u32(info->attrs[PODNET_A_SOCKET_FD]),
				     info->extack);
}

static int podnet_nl_endpoint_precheck(const struct nlattr *attr,
				       struct sockaddr_storage *ss,
				       struct netlink_ext_ack *extack)
{
	const struct sockaddr *sa = nla_data(attr);
	int len = nla_len(attr);

	memset(ss, 0, sizeof(*ss));
	if (len == sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		memcpy(sin, sa, sizeof(*sin));
		if (!sin->sin_port || ipv4_is_zeronet(sin->sin_addr.s_addr) ||
		    ipv4_is_multicast(sin->sin_addr.s_addr) ||
		    ipv4_is_lbcast(sin->sin_addr.s_addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "endpoint needs a unicast address and a port");
			return -EINVAL;
		}
		return 0;
	}
	if (len == sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		memcpy(sin6, sa, sizeof(*sin6));
		if (!IS_ENABLED(CONFIG_IPV6)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "kernel has no IPv6");
			return -EAFNOSUPPORT;
		}
		if (!sin6->sin6_port || ipv6_addr_any(&sin6->sin6_addr) ||
		    ipv6_addr_is_multicast(&sin6->sin6_addr)) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "endpoint needs a unicast address and a port");
			return -EINVAL;
		}
		return 0;
	}
	NL_SET_ERR_MSG_ATTR(extack, attr, "endpoint must be a struct sockaddr_in or sockaddr_in6 of matching length");
	return -EINVAL;
}

static struct podnet_aip_list *podnet_nl_parse_aips(struct nlattr *nest,
						    struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PODNET_A_ALLOWED_IP_MAX + 1];
	struct podnet_aip_list *l;
	struct nlattr *attr;
	int rem, n = 0, err;
	u32 i;

	nla_for_each_nested(attr, nest, rem)
		n++;
	if (n > PODNET_MAX_AIPS) {
		NL_SET_ERR_MSG_ATTR(extack, nest, "too many allowed ips for one peer (1024 at most)");
		return ERR_PTR(-E2BIG);
	}
	l = kmalloc(struct_size(l, e, n), GFP_KERNEL);
	if (!l)
		return ERR_PTR(-ENOMEM);
	l->n = 0;
	nla_for_each_nested(attr, nest, rem) {
		struct podnet_aip a;
		u32 mask;

		/* The policy already validated the entries. */
		err = nla_parse_nested(tb, PODNET_A_ALLOWED_IP_MAX, attr,
				       podnet_nl_allowed_ip_policy, extack);
		if (err)
			goto err_free;
		err = -EINVAL;
		if (!tb[PODNET_A_ALLOWED_IP_ADDR] || !tb[PODNET_A_ALLOWED_IP_PREFIX]) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "allowed ip needs an address and a prefix length");
			goto err_free;
		}
		memcpy(&a.addr, nla_data(tb[PODNET_A_ALLOWED_IP_ADDR]), 4);
		a.cidr = nla_get_u8(tb[PODNET_A_ALLOWED_IP_PREFIX]);
		mask = a.cidr ? ~0U << (32 - a.cidr) : 0;
		if (ntohl(a.addr) & ~mask) {
			NL_SET_ERR_MSG_ATTR(extack, attr, "allowed ip has host bits set beyond its prefix length");
			goto err_free;
		}
		for (i = 0; i < l->n; i++) {
			if (l->e[i].addr == a.addr && l->e[i].cidr == a.cidr) {
				NL_SET_ERR_MSG_ATTR(extack, attr, "allowed ip listed twice");
				goto err_free;
			}
		}
		l->e[l->n++] = a;
	}
	return l;

err_free:
	kfree(l);
	return ERR_PTR(err);
}

static int podnet_nl_peer_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_dev *pdev = info->user_ptr[0];
	struct podnet_aip_list *aips = NULL;
	struct in6_addr addr6, *set6 = NULL;
	const struct sock *sk = NULL;
	struct sockaddr_storage ss;
	struct podnet_peer *peer;
	bool created = false;
	int err;
	u32 id;

	if (podnet_nl_missing(info, PODNET_A_PEER_ID, "missing peer id"))
		return -EINVAL;
	id = nla_get_u32(info->attrs[PODNET_A_PEER_ID]);
	if (info->attrs[PODNET_A_ENDPOINT]) {
		err = podnet_nl_endpoint_precheck(info->attrs[PODNET_A_ENDPOINT],
						  &ss, info->extack);
		if (err)
			return err;
	}
	if (info->attrs[PODNET_A_SOCKET_FD]) {
		sk = podnet_sock_by_fd(pdev,
				       nla_get_u32(info->attrs[PODNET_A_SOCKET_FD]),
				       info->extack);
		if (IS_ERR(sk))
			return PTR_ERR(sk);
	}
	if (info->attrs[PODNET_A_PEER_ADDR6]) {
		struct nlattr *a6 = info->attrs[PODNET_A_PEER_ADDR6];

		if (nla_len(a6) == sizeof(addr6)) {
			memcpy(&addr6, nla_data(a6), sizeof(addr6));
			/* A unicast address: a /128 route to one peer. */
			if (ipv6_addr_any(&addr6) ||
			    ipv6_addr_is_multicast(&addr6) ||
			    ipv6_addr_loopback(&addr6)) {
				NL_SET_ERR_MSG_ATTR(info->extack, a6, "peer IPv6 address must be unicast");
				return -EINVAL;
			}
			set6 = &addr6;
		} else if (nla_len(a6)) {
			NL_SET_ERR_MSG_ATTR(info->extack, a6, "peer IPv6 address must be 16 bytes, or empty to clear");
			return -EINVAL;
		}
	}
	if (info->attrs[PODNET_A_ALLOWED_IPS]) {
		aips = podnet_nl_parse_aips(info->attrs[PODNET_A_ALLOWED_IPS],
					    info->extack);
		if (IS_ERR(aips))
			return PTR_ERR(aips);
	}

	peer = podnet_peer_find(pdev, id);
	if (!peer) {
		peer = podnet_peer_create(pdev, id);
		if (IS_ERR(peer)) {
			err = PTR_ERR(peer);
			if (err == -ENOSPC)
				NL_SET_ERR_MSG_MOD(info->extack, "device has too many peers");
			else
				NL_SET_ERR_MSG_MOD(info->extack, "cannot create peer");
			goto err_free;
		}
		created = true;
	}
	if (aips) {
		err = podnet_aips_set(peer, aips);
		if (err) {
			NL_SET_ERR_MSG_MOD(info->extack, "cannot allocate the allowed-ips table");
			goto err_remove;
		}
	}
	/* After the IPv4 list, which is committed by now: if this fails the
	 * peer keeps its old IPv6 address and the daemon is told. */
	if (info->attrs[PODNET_A_PEER_ADDR6] &&
	    podnet_aips6_set(peer, set6)) {
		NL_SET_ERR_MSG_MOD(info->extack, "cannot allocate the IPv6 table");
		if (created) {
			podnet_peer_remove(peer);
			return -ENOMEM;
		}
		pdev->gen++;
		podnet_peer_changed(pdev);
		return -ENOMEM;
	}
	/* Nothing below fails. */
	if (info->attrs[PODNET_A_RELAY_CHANNEL])
		WRITE_ONCE(peer->relay_channel,
			   nla_get_u32(info->attrs[PODNET_A_RELAY_CHANNEL]));
	if (info->attrs[PODNET_A_ENDPOINT]) {
		podnet_peer_set_endpoint(peer, (struct sockaddr *)&ss, sk, !!sk);
	} else if (sk) {
		write_lock_bh(&peer->endpoint_lock);
		peer->endpoint.sk = sk;
		dst_cache_reset(&peer->dst_cache);
		write_unlock_bh(&peer->endpoint_lock);
	}
	pdev->gen++;
	podnet_peer_changed(pdev);
	return 0;

err_remove:
	if (created)
		podnet_peer_remove(peer);
err_free:
	kfree(aips);
	return err;
}

static int podnet_nl_peer_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_peer *peer = podnet_nl_peer(info->user_ptr[0], info);

	if (IS_ERR(peer))
		return PTR_ERR(peer);
	podnet_peer_remove(peer);
	return 0;
}

static int podnet_nl_peer_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_peer *peer = podnet_nl_peer(info->user_ptr[0], info);
	struct sk_buff *msg;
	void *hdr;

	if (IS_ERR(peer)) {
		if (PTR_ERR(peer) == -EINVAL)
			NL_SET_ERR_MSG_MOD(info->extack, "missing peer id (dump for all peers)");
		return PTR_ERR(peer);
	}
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &podnet_nl_family, 0,
				PODNET_CMD_PEER_GET);
	if (!hdr || podnet_nl_fill_peer(msg, peer)) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG_MOD(info->extack, "peer does not fit in one message");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int podnet_nl_peer_get_start(struct netlink_callback *cb)
{
	const struct genl_dumpit_info *info = genl_dumpit_info(cb);
	struct podnet_dev *pdev;

	pdev = podnet_nl_dev(sock_net(cb->skb->sk), info->attrs, cb->extack);
	if (IS_ERR(pdev))
		return PTR_ERR(pdev);
	cb->args[0] = (long)pdev;
	cb->args[1] = 0;
	return 0;
}

static int podnet_nl_peer_get_done(struct netlink_callback *cb)
{
	struct podnet_dev *pdev = (struct podnet_dev *)cb->args[0];

	if (pdev)
		dev_put(pdev->dev);
	return 0;
}

/* Resumable: cb->args[1] counts the peers already sent; a change to the
 * peer list in between is flagged with NLM_F_DUMP_INTR.
 */
static int podnet_nl_peer_get_dumpit(struct sk_buff *skb,
				     struct netlink_callback *cb)
{
	struct podnet_dev *pdev = (struct podnet_dev *)cb->args[0];
	struct podnet_peer *peer;
	long i = 0;
	void *hdr;

	mutex_lock(&pdev->lock);
	if (pdev->dead) {
		mutex_unlock(&pdev->lock);
		return -ENODEV;
	}
	cb->seq = pdev->gen ? pdev->gen : 1;
	list_for_each_entry(peer, &pdev->peers, list) {
		if (i++ < cb->args[1])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &podnet_nl_family,
				  NLM_F_MULTI, PODNET_CMD_PEER_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (podnet_nl_fill_peer(skb, peer)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[1]++;
	}
	mutex_unlock(&pdev->lock);
	return skb->len;
}

static const struct genl_ops podnet_nl_ops[] = {
	{
		.cmd = PODNET_CMD_DEV_GET,
		.doit = podnet_nl_dev_get_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_SOCKET_ATTACH,
		.doit = podnet_nl_socket_attach_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_SOCKET_DETACH,
		.doit = podnet_nl_socket_detach_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_PEER_SET,
		.doit = podnet_nl_peer_set_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_PEER_DEL,
		.doit = podnet_nl_peer_del_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_PEER_GET,
		.doit = podnet_nl_peer_get_doit,
		.start = podnet_nl_peer_get_start,
		.dumpit = podnet_nl_peer_get_dumpit,
		.done = podnet_nl_peer_get_done,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_KEY_SET,
		.doit = podnet_nl_key_set_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_KEY_SWAP,
		.doit = podnet_nl_key_swap_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_KEY_DEL,
		.doit = podnet_nl_key_del_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_CTRL_SEND,
		.doit = podnet_nl_ctrl_send_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = PODNET_CMD_ROUTE_DROP,
		.doit = podnet_nl_route_drop_doit,
		.flags = GENL_ADMIN_PERM,
	},
};

struct genl_family podnet_nl_family __ro_after_init = {
	.name = PODNET_GENL_NAME,
	.version = PODNET_GENL_VERSION,
	.maxattr = PODNET_A_MAX,
	.policy = podnet_nl_policy,
	.netnsok = true,
	.parallel_ops = true,
	.pre_doit = podnet_nl_pre_doit,
	.post_doit = podnet_nl_post_doit,
	.module = THIS_MODULE,
	.ops = podnet_nl_ops,
	.n_ops = ARRAY_SIZE(podnet_nl_ops),
	.mcgrps = podnet_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(podnet_nl_mcgrps),
};

/**
 * podnet_nl_init() - register the family
 *
 * Return: 0 or a negative errno.
 */
int podnet_nl_init(void)
{
	return genl_register_family(&podnet_nl_family);
}

/**
 * podnet_nl_exit() - unregister the family
 */
void podnet_nl_exit(void)
{
	genl_unregister_family(&podnet_nl_family);
}
