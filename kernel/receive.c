// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Every byte here comes from the network. The order of checks matters:
 * a datagram that is not ours (unknown index, other types) must reach
 * the daemon unchanged, so nothing is modified before we know the
 * datagram belongs to an installed key; from then on it is ours and is
 * either delivered or counted and dropped.
 */
#include "receive.h"

#include <asm/unaligned.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/udp.h>

#include "allowedips.h"
#include "device.h"
#include "notify.h"
#include "peer.h"
#include "pipeline.h"
#include "socket.h"

/* The outer source of a datagram, as an endpoint would hold it. */
static void podnet_skb_source(struct sk_buff *skb, struct podnet_endpoint *ep)
{
	memset(ep, 0, sizeof(*ep));
	if (ip_hdr(skb)->version == 4) {
		ep->addr.sin.sin_family = AF_INET;
		ep->addr.sin.sin_addr.s_addr = ip_hdr(skb)->saddr;
		ep->addr.sin.sin_port = udp_hdr(skb)->source;
	} else {
		ep->addr.sin6.sin6_family = AF_INET6;
		ep->addr.sin6.sin6_addr = ipv6_hdr(skb)->saddr;
		ep->addr.sin6.sin6_port = udp_hdr(skb)->source;
		if (ipv6_addr_type(&ep->addr.sin6.sin6_addr) &
		    IPV6_ADDR_LINKLOCAL)
			ep->addr.sin6.sin6_scope_id = skb->skb_iif;
	}
}

static bool podnet_endpoint_equal(const struct podnet_endpoint *a,
				  const struct podnet_endpoint *b)
{
	if (a->addr.sa.sa_family != b->addr.sa.sa_family)
		return false;
	if (a->addr.sa.sa_family == AF_INET)
		return a->addr.sin.sin_addr.s_addr == b->addr.sin.sin_addr.s_addr &&
		       a->addr.sin.sin_port == b->addr.sin.sin_port;
	return ipv6_addr_equal(&a->addr.sin6.sin6_addr,
			       &b->addr.sin6.sin6_addr) &&
	       a->addr.sin6.sin6_port == b->addr.sin6.sin6_port &&
	       a->addr.sin6.sin6_scope_id == b->addr.sin6.sin6_scope_id;
}

/* At most one report a second of a peer heard elsewhere than where the
 * kernel sends. 0 is "never": jiffies start 5 minutes before the wrap,
 * so a plain time_before() would hold back the first reports after boot.
 */
static bool podnet_roam_notify_due(struct podnet_peer *peer)
{
	unsigned long next = READ_ONCE(peer->roam_notify_next);

	if (next && time_before(jiffies, next))
		return false;
	return cmpxchg(&peer->roam_notify_next, next, jiffies + HZ) == next;
}

/* An authenticated direct record came from @src: roaming or NAT
 * rebinding. A direct peer follows it at once; a relayed peer is only
 * reported (the daemon decides when a direct path replaces the relay),
 * at most once a second.
 */
static void podnet_roam(struct podnet_peer *peer, const struct sock *sk,
			const struct podnet_endpoint *src)
{
	struct podnet_endpoint cur;

	read_lock_bh(&peer->endpoint_lock);
	cur = peer->endpoint;
	read_unlock_bh(&peer->endpoint_lock);
	if (podnet_endpoint_equal(&cur, src))
		return;
	if (!READ_ONCE(peer->relay_channel))
		podnet_peer_set_endpoint(peer, &src->addr.sa, sk, true);
	else if (!podnet_roam_notify_due(peer))
		return;
	podnet_notify_endpoint(peer, &src->addr.sa, 0);
}

/* A relayed record is reported only after the direct path has been
 * silent this long, so that stray relayed records (sent before a punch
 * succeeded) do not undo a direct path: the daemon's PATH_DIRECT_GRACE.
 */
#define PODNET_DIRECT_GRACE (5 * HZ)

/* An authenticated record came through a relay on a channel other than
 * the peer's: the peer fell back to a relay (or changed relays) while we
 * still send another way. The kernel does not know which addresses are
 * relays, so it moves nothing and tells the daemon, which does, at most
 * once a second. A replay never gets here: the record passed the replay
 * window first.
 */
static void podnet_relay_arrival(struct podnet_peer *peer,
				 const struct podnet_endpoint *src, u32 channel)
{
	u64 direct = READ_ONCE(peer->last_direct_rx);

	if (direct && time_before64(get_jiffies_64(),
				    direct + PODNET_DIRECT_GRACE))
		return;
	if (podnet_roam_notify_due(peer))
		podnet_notify_endpoint(peer, &src->addr.sa, channel);
}

/* A relay datagram on the peer's own channel must come from the relay
 * the daemon gave us for it, the peer's endpoint: the channel number
 * travels in clear, so anyone could wrap records in it otherwise.
 */
static bool podnet_relay_source_ok(struct podnet_peer *peer, u32 channel,
				   const struct podnet_endpoint *src)
{
	struct podnet_endpoint relay;

	if (!channel || READ_ONCE(peer->relay_channel) != channel)
		return true;
	return podnet_peer_endpoint_get(peer, &relay) &&
	       podnet_endpoint_equal(&relay, src);
}

/* Hand a checked inner packet of @proto up the device, into the peer's
 * GRO; consumed. Context: the peer's NAPI poll. */
static void podnet_deliver(struct podnet_peer *peer, struct sk_buff *skb,
			   __be16 proto)
{
	struct net_device *dev = peer->pdev->dev;
	unsigned int len;

	len = skb->len;
	skb_scrub_packet(skb, true);
	/* Our state in cb ends here: GRO and the stack start afresh. */
	memset(skb->cb, 0, sizeof(skb->cb));
	skb->dev = dev;
	skb->protocol = proto;
	skb->pkt_type = PACKET_HOST;
	skb_reset_mac_header(skb);
	skb_reset_transport_header(skb);
	/* The AEAD authenticated every byte; checksums add nothing. */
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->csum_level = ~0;
	napi_gro_receive(&peer->napi, skb);
	atomic64_add(len, &peer->stats.rx_bytes);
	atomic64_inc(&peer->stats.rx_packets);
	dev_sw_netstats_rx_add(dev, len);
}

/* Is @skb a well-formed inner IPv4 packet from an address @peer may
 * use? Trims it to its length. Counted where it is not. */
static bool podnet_check_ipv4(struct podnet_peer *peer, struct sk_buff *skb)
{
	struct podnet_dev *pdev = peer->pdev;
	const struct iphdr *iph;
	unsigned int tot_len;

	if (!pskb_may_pull(skb, sizeof(struct iphdr)))
		goto invalid;
	skb_reset_network_header(skb);
	iph = ip_hdr(skb);
	tot_len = ntohs(iph->tot_len);
	if (iph->ihl < 5 || tot_len < iph->ihl * 4 || tot_len > skb->len)
		goto invalid;
	if (pskb_trim(skb, tot_len))
		goto invalid;
	/* Cryptokey routing: the inner source must be one of the addresses
	 * this peer may use.
	 */
	iph = ip_hdr(skb);
	if (podnet_aips_lookup(pdev, iph->saddr) != peer) {
		atomic64_inc(&peer->stats.drop_bad_source);
		net_dbg_ratelimited("%s: peer %u sent from a source it does not own\n",
				    pdev->dev->name, peer->id);
		return false;
	}
	return true;

invalid:
	atomic64_inc(&peer->stats.drop_invalid);
	return false;
}

/* The same for an inner IPv6 packet: its source must be the peer's
 * IPv6 address. */
static bool podnet_check_ipv6(struct podnet_peer *peer, struct sk_buff *skb)
{
	struct podnet_dev *pdev = peer->pdev;
	const struct ipv6hdr *ip6h;
	unsigned int len;

	if (!pskb_may_pull(skb, sizeof(struct ipv6hdr)))
		goto invalid;
	skb_reset_network_header(skb);
	ip6h = ipv6_hdr(skb);
	/* No jumbograms: payload_len 0 is refused with them. */
	len = sizeof(struct ipv6hdr) + ntohs(ip6h->payload_len);
	if (!ip6h->payload_len || len > skb->len)
		goto invalid;
	if (pskb_trim(skb, len))
		goto invalid;
	ip6h = ipv6_hdr(skb);
	if (podnet_aips6_lookup(pdev, &ip6h->saddr) != peer) {
		atomic64_inc(&peer->stats.drop_bad_source);
		net_dbg_ratelimited("%s: peer %u sent from an IPv6 source it does not own\n",
				    pdev->dev->name, peer->id);
		return false;
	}
	return true;

invalid:
	atomic64_inc(&peer->stats.drop_invalid);
	return false;
}

/* One record for @key, wrapped by a relay on @channel if @relayed: its
 * header checked, it joins the peer's rx queue and goes to a crypt
 * worker. The skb is ours and is consumed. Context: softirq, RCU. */
static void podnet_receive_record(struct podnet_key *key, struct sock *sk,
				  struct sk_buff *skb, bool relayed,
				  u32 channel)
{
	unsigned int explicit = podnet_crypto_explicit_len(&key->crypto);
	struct podnet_peer *peer = key->peer;
	struct podnet_pkt_cb *cb;
	const u8 *h;
	u64 seq;

	if (!pskb_may_pull(skb, PODNET_RECORD_HEADER_LEN + explicit))
		goto invalid;
	h = skb->data;
	if (h[0] != PODNET_RECORD_CONTENT_TYPE ||
	    h[1] != PODNET_RECORD_VERSION_MAJOR ||
	    h[2] != PODNET_RECORD_VERSION_MINOR ||
	    get_unaligned_be16(h + 3) != key->epoch ||
	    get_unaligned_be16(h + 11) != skb->len - PODNET_RECORD_HEADER_LEN ||
	    skb->len < PODNET_RECORD_HEADER_LEN + explicit + PODNET_RECORD_TAG_LEN)
		goto invalid;
	seq = (u64)get_unaligned_be16(h + 5) << 32 | get_unaligned_be32(h + 7);
	if (!podnet_replay_check(&key->replay, seq)) {
		atomic64_inc(&peer->stats.drop_replay);
		kfree_skb(skb);
		return;
	}

	/* It leaves this RCU section: no route that lives only inside. */
	skb_dst_drop(skb);
	cb = PODNET_PKT(skb);
	BUILD_BUG_ON(sizeof(*cb) > sizeof_field(struct sk_buff, cb));
	memset(cb, 0, sizeof(*cb));
	cb->key = key;
	cb->sk = sk;
	cb->seq = seq;
	cb->channel = channel;
	cb->relayed = relayed;
	cb->rx = true;
	atomic_set(&cb->state, PODNET_PKT_PENDING);

	spin_lock_bh(&peer->rx_ordered.lock);
	if (skb_queue_len(&peer->rx_ordered) >= PODNET_ORDERED_MAX) {
		spin_unlock_bh(&peer->rx_ordered.lock);
		atomic64_inc(&peer->stats.drop_queue_full);
		kfree_skb(skb);
		return;
	}
	__skb_queue_tail(&peer->rx_ordered, skb);
	spin_unlock_bh(&peer->rx_ordered.lock);
	if (!podnet_crypt_enqueue(skb)) {
		atomic64_inc(&peer->stats.drop_queue_full);
		podnet_pkt_finish(skb, PODNET_PKT_DROPPED);
		napi_schedule(&peer->napi);
	}
	return;

invalid:
	atomic64_inc(&peer->stats.drop_invalid);
	net_dbg_ratelimited("%s: invalid record from peer %u\n",
			    peer->pdev->dev->name, peer->id);
	kfree_skb(skb);
}

/* Open a queued record and decide what becomes of it. The skb stays in
 * the rx queue: only the NAPI poll frees it. */
static enum podnet_pkt_state podnet_receive_open(struct sk_buff *skb)
{
	struct podnet_pkt_cb *cb = PODNET_PKT(skb);
	struct podnet_key *key = cb->key;
	struct podnet_peer *peer = key->peer;
	u32 channel = cb->channel;
	bool relayed = cb->relayed;
	struct podnet_endpoint src;
	u8 first;

	/* The outer headers are still where they were. */
	podnet_skb_source(skb, &src);
	if (podnet_crypto_open(&key->crypto, key->epoch, cb->seq, skb))
		goto invalid;
	if (!podnet_replay_commit(&key->replay, cb->seq)) {
		atomic64_inc(&peer->stats.drop_replay);
		return PODNET_PKT_DROPPED;
	}

	/* Authenticated: the peer is alive, and this key works. */
	WRITE_ONCE(peer->last_rx, get_jiffies_64());
	WRITE_ONCE(peer->idle_notified, false);
	if (test_bit(PODNET_KEY_PENDING, &key->flags) &&
	    podnet_key_promote(key))
		podnet_notify_key_swapped(peer);
	if (!relayed) {
		WRITE_ONCE(peer->last_direct_rx, get_jiffies_64());
		podnet_roam(peer, cb->sk, &src);
	} else if (channel != READ_ONCE(peer->relay_channel)) {
		podnet_relay_arrival(peer, &src, channel);
	}

	if (!skb->len || !pskb_may_pull(skb, 1))
		goto invalid;
	first = skb->data[0];
	if (skb->len == 1 && first == PODNET_CTRL_KEEPALIVE)
		return PODNET_PKT_CONSUMED;
	if (first < PODNET_CTRL_LIMIT) {
		/* in-session control message, for the daemon */
		if (skb->len > PODNET_CTRL_MAX)
			goto invalid;
		podnet_notify_ctrl(peer, skb, relayed ? channel : 0);
		return PODNET_PKT_CONSUMED;
	}
	if (first >> 4 == 4) {
		cb->proto = htons(ETH_P_IP);
		return podnet_check_ipv4(peer, skb) ? PODNET_PKT_READY :
						      PODNET_PKT_DROPPED;
	}
	if (first >> 4 == 6) {
		cb->proto = htons(ETH_P_IPV6);
		return podnet_check_ipv6(peer, skb) ? PODNET_PKT_READY :
						      PODNET_PKT_DROPPED;
	}
invalid:
	atomic64_inc(&peer->stats.drop_invalid);
	net_dbg_ratelimited("%s: invalid record from peer %u\n",
			    peer->pdev->dev->name, peer->id);
	return PODNET_PKT_DROPPED;
}

/**
 * podnet_receive_crypt() - the crypt stage of a received record
 * @skb: a PENDING record in its peer's rx queue
 *
 * Context: a crypt worker (process context).
 */
void podnet_receive_crypt(struct sk_buff *skb)
{
	struct podnet_peer *peer = PODNET_PKT(skb)->key->peer;
	enum podnet_pkt_state state;

	/* BH off: the per-CPU crypto scratch is ours while it lasts; the
	 * NAPI poll runs when they are on again. */
	rcu_read_lock_bh();
	state = podnet_receive_open(skb);
	/* The skb may be gone from here on. */
	podnet_pkt_finish(skb, state);
	napi_schedule(&peer->napi);
	rcu_read_unlock_bh();
}

/**
 * podnet_rx_poll() - hand the peer's opened records up, in order
 * @napi: the peer's NAPI
 * @budget: at most this many
 *
 * Context: softirq.
 * Return: how many it took off the queue.
 */
int podnet_rx_poll(struct napi_struct *napi, int budget)
{
	struct podnet_peer *peer = container_of(napi, struct podnet_peer, napi);
	struct sk_buff *skb;
	int done = 0;

	while (done < budget &&
	       (skb = podnet_ordered_take(&peer->rx_ordered))) {
		switch (atomic_read(&PODNET_PKT(skb)->state)) {
		case PODNET_PKT_READY:
			podnet_deliver(peer, skb, PODNET_PKT(skb)->proto);
			break;
		case PODNET_PKT_CONSUMED:
			consume_skb(skb);
			break;
		default:
			kfree_skb(skb);
			break;
		}
		done++;
	}
	if (done < budget)
		napi_complete_done(napi, done);
	return done;
}

/**
 * podnet_udp_encap_recv() - encap_rcv of an attached socket
 * @sk: the socket
 * @skb: a UDP datagram, skb->data at the UDP header
 *
 * Context: softirq, RCU read lock held (UDP receive path).
 * Return: 0 if the datagram was consumed here, 1 to let it go on to the
 * socket (and the daemon) unchanged.
 */
int podnet_udp_encap_recv(struct sock *sk, struct sk_buff *skb)
{
	struct podnet_endpoint src;
	struct podnet_sock *psock;
	struct podnet_key *key;
	unsigned int off, len;
	u8 buf[16];
	const u8 *h;
	u32 channel = 0;
	bool relayed;

	psock = rcu_dereference_sk_user_data(sk);
	if (!psock || skb_is_gso(skb))
		return 1;
	off = skb_transport_offset(skb) + sizeof(struct udphdr);
	if (skb->len < off)
		return 1;
	len = skb->len - off;
	if (len < PODNET_WIRE_HEADER_LEN)
		goto malformed;
	h = skb_header_pointer(skb, off, min(len, 16U), buf);
	if (!h)
		goto malformed;
	if (h[1] != PODNET_WIRE_VERSION || !h[0] || h[0] > PODNET_WIRE_TYPE_MAX)
		goto malformed;
	relayed = h[0] == PODNET_WIRE_RELAY;
	if (relayed) {
		/* Only a data record inside a relay datagram is ours. */
		if (len < 2 * PODNET_WIRE_HEADER_LEN ||
		    h[8] != PODNET_WIRE_DATA || h[9] != PODNET_WIRE_VERSION)
			return 1;
		channel = get_unaligned_be32(h + 4);
		h += PODNET_WIRE_HEADER_LEN;
		off += PODNET_WIRE_HEADER_LEN;
	} else if (h[0] != PODNET_WIRE_DATA) {
		return 1;
	}
	key = podnet_key_lookup(psock->pdev, get_unaligned_be32(h + 4));
	if (!key)
		return 1;

	/*
	 * From here on the datagram is ours, relayed or not, whatever the
	 * channel: the daemon keeps no receive state for keys it gave us,
	 * so a record it got instead would pass a replay window that has
	 * seen nothing since the hand-over. This key's replay window is
	 * the only one.
	 */
	podnet_skb_source(skb, &src);
	if (relayed && !podnet_relay_source_ok(key->peer, channel, &src)) {
		atomic64_inc(&key->peer->stats.drop_bad_relay);
		net_dbg_ratelimited("%s: peer %u: relay datagram from a source that is not its relay\n",
				    psock->pdev->dev->name, key->peer->id);
		kfree_skb(skb);
		return 0;
	}
	if (!pskb_pull(skb, off + PODNET_WIRE_HEADER_LEN)) {
		atomic64_inc(&key->peer->stats.drop_invalid);
		kfree_skb(skb);
		return 0;
	}
	podnet_receive_record(key, sk, skb, relayed, channel);
	return 0;

malformed:
	atomic64_inc(&psock->pdev->rx_malformed);
	net_dbg_ratelimited("%s: malformed datagram\n", psock->pdev->dev->name);
	kfree_skb(skb);
	return 0;
}
