// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The link type. Like WireGuard's, the device and its UDP sockets may
 * live in different network namespaces: the sockets are the daemon's and
 * stay where the daemon created them, the device can be moved.
 */
#include "device.h"

#include <linux/if_arp.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/ipv6.h>
#include <net/rtnetlink.h>

#include "allowedips.h"
#include "main.h"
#include "peer.h"
#include "send.h"
#include "notify.h"
#include "queue.h"
#include "socket.h"

/* The peer for an inner IPv6 packet, with the RCU-bh read lock taken; or
 * NULL, the packet consumed. A packet to an address no peer holds waits
 * while the daemon asks the rendezvous (NOTIFY_NO_ROUTE), as IPv4 does. */
static struct podnet_peer *podnet_route_ipv6(struct podnet_dev *pdev,
					     struct sk_buff *skb)
{
	struct podnet_peer *peer;

	if (!pskb_network_may_pull(skb, sizeof(struct ipv6hdr)) ||
	    ipv6_hdr(skb)->version != 6) {
		atomic64_inc(&pdev->tx_dropped);
		kfree_skb(skb);
		return NULL;
	}
	/* The kernel's own link-scope traffic on the device (router
	 * solicitations, MLD reports, anything to fe80::): no peer holds
	 * such an address and it is nobody's packet, so it is neither
	 * "no route" nor worth an ICMPv6 error (as the userspace path). */
	if (ipv6_addr_is_multicast(&ipv6_hdr(skb)->daddr) ||
	    ipv6_addr_type(&ipv6_hdr(skb)->daddr) & IPV6_ADDR_LINKLOCAL) {
		atomic64_inc(&pdev->tx_dropped);
		kfree_skb(skb);
		return NULL;
	}
	podnet_queue_stamp(skb);
	rcu_read_lock_bh();
	peer = podnet_aips6_lookup(pdev, &ipv6_hdr(skb)->daddr);
	if (peer)
		return peer;
	net_dbg_ratelimited("%s: no peer for %pI6c\n", pdev->dev->name,
			    &ipv6_hdr(skb)->daddr);
	podnet_dev_queue_noroute(pdev, skb);
	rcu_read_unlock_bh();
	return NULL;
}

static netdev_tx_t podnet_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct podnet_dev *pdev = netdev_priv(dev);
	struct podnet_peer *peer;
	struct sk_buff *segs;

	if (skb->protocol == htons(ETH_P_IPV6)) {
		peer = podnet_route_ipv6(pdev, skb);
		if (!peer)
			return NETDEV_TX_OK;
		goto send;
	}
	if (skb->protocol != htons(ETH_P_IP) ||
	    !pskb_network_may_pull(skb, sizeof(struct iphdr)) ||
	    ip_hdr(skb)->version != 4) {
		atomic64_inc(&pdev->tx_dropped);
		goto drop;
	}
	podnet_queue_stamp(skb);
	rcu_read_lock_bh();
	peer = podnet_aips_lookup(pdev, ip_hdr(skb)->daddr);
	if (!peer) {
		net_dbg_ratelimited("%s: no peer for %pI4\n", dev->name,
				    &ip_hdr(skb)->daddr);
		/* Waits while the daemon asks who holds the address. */
		podnet_dev_queue_noroute(pdev, skb);
		rcu_read_unlock_bh();
		return NETDEV_TX_OK;
	}
send:
	if (!skb_is_gso(skb)) {
		podnet_send_data(peer, skb);
		rcu_read_unlock_bh();
		return NETDEV_TX_OK;
	}
	/* One record per segment, as the userspace path does (TCP over
	 * IPv4 and IPv6 alike), and the burst as one crypt job. The
	 * segments keep the payload's pages and a partial checksum:
	 * copying and checksumming them is left to the crypt workers,
	 * which run on every CPU, not to this one. */
	segs = skb_gso_segment(skb, NETIF_F_SG | NETIF_F_HW_CSUM);
	if (IS_ERR_OR_NULL(segs)) {
		rcu_read_unlock_bh();
		atomic64_inc(&pdev->tx_dropped);
		goto drop;
	}
	consume_skb(skb);
	podnet_send_data_list(peer, segs);
	rcu_read_unlock_bh();
	return NETDEV_TX_OK;

drop:
	kfree_skb(skb);
	return NETDEV_TX_OK;
}

static unsigned int podnet_idle_timeout = 30;
module_param_named(idle_timeout, podnet_idle_timeout, uint, 0644);
MODULE_PARM_DESC(idle_timeout,
		 "seconds without a record from a keyed peer before NOTIFY_IDLE");

/* Once a second: peers with a key that went silent get one NOTIFY_IDLE,
 * and packets that waited too long for a key or a route are dropped. */
static void podnet_idle_scan(struct work_struct *work)
{
	struct podnet_dev *pdev = container_of(to_delayed_work(work),
					       struct podnet_dev, idle_work);
	u64 limit = (u64)READ_ONCE(podnet_idle_timeout) * HZ;
	u64 now = get_jiffies_64();
	struct podnet_peer *peer;

	mutex_lock(&pdev->lock);
	if (pdev->dead) {
		mutex_unlock(&pdev->lock);
		return;
	}
	podnet_dev_queue_expire(pdev);
	list_for_each_entry(peer, &pdev->peers, list) {
		u64 last = READ_ONCE(peer->last_rx);

		podnet_peer_queue_expire(peer);

		if (!limit || READ_ONCE(peer->idle_notified) ||
		    !rcu_access_pointer(peer->keys[PODNET_KEY_SLOT_PRIMARY]))
			continue;
		/* Silence is measured from the last record; a peer never
		 * heard from is the daemon's (handshake) business. */
		if (!last || now - last < limit)
			continue;
		WRITE_ONCE(peer->idle_notified, true);
		podnet_notify_idle(peer);
	}
	mutex_unlock(&pdev->lock);
	schedule_delayed_work(&pdev->idle_work, HZ);
}

static int podnet_dev_init(struct net_device *dev)
{
	struct podnet_dev *pdev = netdev_priv(dev);

	dev->tstats = netdev_alloc_pcpu_stats(struct pcpu_sw_netstats);
	if (!dev->tstats)
		return -ENOMEM;
	INIT_DELAYED_WORK(&pdev->idle_work, podnet_idle_scan);
	schedule_delayed_work(&pdev->idle_work, HZ);
	pr_debug("%s: device created\n", dev->name);
	return 0;
}

/* Unregistration (ip link del, netns exit, rmmod): from here on no new
 * configuration is accepted, sockets are given back, peers and keys are
 * unlinked and wiped. Runs under RTNL.
 */
static void podnet_dev_uninit(struct net_device *dev)
{
	struct podnet_dev *pdev = netdev_priv(dev);

	mutex_lock(&pdev->lock);
	pdev->dead = true;
	mutex_unlock(&pdev->lock);
	/* The scan takes pdev->lock and stops once it sees dead. */
	cancel_delayed_work_sync(&pdev->idle_work);
	mutex_lock(&pdev->lock);
	podnet_sock_detach_all(pdev);
	podnet_peers_remove_all(pdev);
	podnet_aips_free(pdev);
	mutex_unlock(&pdev->lock);
	/* No encap_rcv or xmit is still using the device after this. */
	synchronize_net();
	/* Nor a crypt worker, tx work or NAPI poll: the peers' and keys'
	 * frees are queued after grace periods and wait for those. */
	rcu_barrier();
	flush_workqueue(podnet_wq);
	podnet_dev_queue_purge(pdev);
	pr_debug("%s: device destroyed\n", dev->name);
}

static void podnet_dev_destruct(struct net_device *dev)
{
	struct podnet_dev *pdev = netdev_priv(dev);

	free_percpu(dev->tstats);
	mutex_destroy(&pdev->lock);
}

static void podnet_get_stats64(struct net_device *dev,
			       struct rtnl_link_stats64 *stats)
{
	struct podnet_dev *pdev = netdev_priv(dev);

	dev_get_tstats64(dev, stats);
	stats->tx_dropped += atomic64_read(&pdev->tx_dropped) +
			     atomic64_read(&pdev->tx_no_route);
	stats->rx_errors += atomic64_read(&pdev->rx_malformed);
}

static const struct net_device_ops podnet_netdev_ops = {
	.ndo_init = podnet_dev_init,
	.ndo_uninit = podnet_dev_uninit,
	.ndo_start_xmit = podnet_xmit,
	.ndo_get_stats64 = podnet_get_stats64,
};

static void podnet_setup(struct net_device *dev)
{
	struct podnet_dev *pdev = netdev_priv(dev);

	dev->netdev_ops = &podnet_netdev_ops;
	dev->type = ARPHRD_NONE;
	dev->flags = IFF_POINTOPOINT | IFF_NOARP;
	dev->priv_flags |= IFF_NO_QUEUE;
	dev->features |= NETIF_F_LLTX;
	/* Take TCP super-packets and partial checksums: the stack then
	 * crosses into podnet once per 64 KB, and podnet_xmit() cuts them
	 * up and finishes the checksums right before sealing. */
	dev->features |= NETIF_F_SG | NETIF_F_HW_CSUM | NETIF_F_GSO_SOFTWARE;
	dev->hw_features |= NETIF_F_SG | NETIF_F_HW_CSUM |
			    NETIF_F_GSO_SOFTWARE;
	dev->hw_enc_features |= dev->features;
	dev->hard_header_len = 0;
	dev->addr_len = 0;
	dev->needed_headroom = PODNET_NEEDED_HEADROOM;
	dev->needed_tailroom = PODNET_RECORD_TAG_LEN;
	dev->mtu = PODNET_DEFAULT_MTU;
	dev->min_mtu = IPV4_MIN_MTU;
	dev->max_mtu = IP_MAX_MTU - PODNET_MAX_ENCAP - PODNET_RECORD_TAG_LEN -
		       PODNET_OUTER_LEN;
	dev->needs_free_netdev = true;
	dev->priv_destructor = podnet_dev_destruct;

	memset(pdev, 0, sizeof(*pdev));
	pdev->dev = dev;
	mutex_init(&pdev->lock);
	spin_lock_init(&pdev->socks_lock);
	INIT_LIST_HEAD(&pdev->peers);
	hash_init(pdev->peer_ids);
	hash_init(pdev->keys_by_index);
	podnet_queue_init(&pdev->noroute);
}

static int podnet_newlink(struct net *src_net, struct net_device *dev,
			  struct nlattr *tb[], struct nlattr *data[],
			  struct netlink_ext_ack *extack)
{
	return register_netdevice(dev);
}

struct rtnl_link_ops podnet_link_ops __read_mostly = {
	.kind = PODNET_LINK_KIND,
	.priv_size = sizeof(struct podnet_dev),
	.setup = podnet_setup,
	.newlink = podnet_newlink,
};

/**
 * podnet_dev_get() - a podnet device by index or name, with a reference
 * @net: namespace of the request
 * @ifindex: index, or 0 to use @ifname
 * @ifname: name
 *
 * Return: the device (release with dev_put(pdev->dev)) or an ERR_PTR:
 * -ENODEV if there is no such device, -EOPNOTSUPP if it is not podnet.
 */
struct podnet_dev *podnet_dev_get(struct net *net, int ifindex,
				  const char *ifname)
{
	struct net_device *dev = NULL;

	if (ifindex)
		dev = dev_get_by_index(net, ifindex);
	else if (ifname)
		dev = dev_get_by_name(net, ifname);
	if (!dev)
		return ERR_PTR(-ENODEV);
	if (dev->rtnl_link_ops != &podnet_link_ops) {
		dev_put(dev);
		return ERR_PTR(-EOPNOTSUPP);
	}
	return netdev_priv(dev);
}

/**
 * podnet_device_init() - register the link type
 *
 * Return: 0 or a negative errno.
 */
int podnet_device_init(void)
{
	return rtnl_link_register(&podnet_link_ops);
}

/**
 * podnet_device_uninit() - unregister the link type, deleting all devices
 */
void podnet_device_uninit(void)
{
	rtnl_link_unregister(&podnet_link_ops);
}
