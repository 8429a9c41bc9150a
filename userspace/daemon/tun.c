// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The TUN device. Only its creation needs the tun ioctl; address, MTU and
 * link state are set over rtnetlink (netlink/rtnl.c). And what happens
 * when the interface goes away under the daemon.
 */
#include "tun.h"

#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/icmp6.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "checksum.h"
#include "datapath.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "queue.h"
#include "traversal.h"
#include "tso.h"
#include "udp.h"

#define ICMP_RATE 10.0	/* unreachables per second */

_Static_assert(TUN_VNET_HDR_LEN == 10, "TUN_READ_OFFSET assumes 10 bytes");

/*
 * Returns the fd, or -errno. With a virtio-net header on every packet and
 * TSO enabled, the kernel hands over TCP super-packets of up to 64 KB in
 * one read and leaves checksums to us (tso.c): far fewer reads per byte.
 * *offload says whether the kernel took the offloads.
 */
int tun_open(const char *ifname, char *actual, size_t actual_len,
	     bool *offload)
{
	struct ifreq ifr = { 0 };
	unsigned int features = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 |
				TUN_F_TSO_ECN;
	int fd, ret;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* No packet-info header, but a virtio-net header: every read is that
	 * header and one IP packet, which with the offloads on may be a TCP
	 * super-packet of many segments (tso_split() cuts it up). */
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	snprintf(actual, actual_len, "%s", ifr.ifr_name);
	*offload = ioctl(fd, TUNSETOFFLOAD, features) == 0;
	return fd;
}

/* Every packet for the TUN device carries a virtio-net header; ours say
 * "nothing to offload", the checksums are already right. */
static int tun_write(struct node *node, const uint8_t *pkt, size_t len)
{
	struct virtio_net_hdr vh = { 0 };
	struct iovec iov[2] = {
		{ &vh, sizeof(vh) },
		{ (void *)pkt, len },
	};

	return writev(node->dp.tun_fd, iov, 2) < 0 ? -1 : 0;
}

/*
 * Receive coalescing (GRO towards the TUN device): consecutive in-order
 * segments of one TCP flow from a recvmmsg batch are merged into one
 * super-packet, written once with a virtio-net GSO header. The kernel's
 * TCP then handles one large packet instead of dozens of small ones.
 */
static uint32_t be32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

void tun_flush(struct node *node)
{
	struct tun_io *tun = node->dp.tun;
	struct virtio_net_hdr vh = { 0 };
	uint8_t *buf = tun->gro.buf;
	size_t ihl = tun->gro.v6 ? 40 : (buf[0] & 15) * 4u;
	struct iovec iov[2] = {
		{ &vh, sizeof(vh) },
		{ buf, tun->gro.len },
	};

	if (tun->ack.len) {
		if (tun_write(node, tun->ack.buf, tun->ack.len) < 0)
			log_debug_ratelimited("tun write: %s", strerror(errno));
		tun->ack.len = 0;
	}
	if (!tun->gro.count)
		return;
	if (tun->gro.count > 1) {
		size_t tcp_len = tun->gro.len - ihl;
		uint16_t partial;
		uint32_t sum;

		if (tun->gro.v6) {
			buf[4] = (uint8_t)(tcp_len >> 8);
			buf[5] = (uint8_t)tcp_len;
			sum = csum_pseudo_ipv6(buf + 8, IPPROTO_TCP,
					       (uint32_t)tcp_len);
		} else {
			struct iphdr *ip = (struct iphdr *)buf;

			ip->tot_len = htons((uint16_t)tun->gro.len);
			ip->check = 0;
			ip->check = csum_inet(buf, ihl);
			sum = csum_pseudo_ipv4((const uint8_t *)&ip->saddr,
					       IPPROTO_TCP, (uint16_t)tcp_len);
		}
		/* The TCP checksum is left to the stack, as from a NIC with
		 * checksum offload: the field holds the pseudo-header sum. */
		partial = (uint16_t)~csum_fold(sum);
		buf[ihl + 16] = (uint8_t)(partial >> 8);
		buf[ihl + 17] = (uint8_t)partial;
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.gso_type = tun->gro.v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
					    VIRTIO_NET_HDR_GSO_TCPV4;
		vh.hdr_len = htole16((uint16_t)tun->gro.hdr_len);
		vh.gso_size = htole16((uint16_t)tun->gro.mss);
		vh.csum_start = htole16((uint16_t)ihl);
		vh.csum_offset = htole16(16);
	}
	if (writev(node->dp.tun_fd, iov, 2) < 0)
		log_debug_ratelimited("tun write: %s", strerror(errno));
	tun->gro.count = 0;
	tun->gro.len = 0;
}

/* May pkt extend the flow held in tun->gro? Same family, addresses,
 * ports, header (options, ack) and TTL/TOS (IPv6: hop limit, traffic
 * class and flow label), the next sequence number, plain ACK. */
static bool gro_extends(const struct tun_io *tun, const uint8_t *pkt,
			size_t ihl, size_t hdr_len, size_t payload)
{
	const uint8_t *held = tun->gro.buf;
	bool same_ip;

	if (!tun->gro.count || hdr_len != tun->gro.hdr_len ||
	    tun->gro.v6 != (ihl == 40 && (pkt[0] >> 4) == 6) ||
	    payload > tun->gro.mss ||
	    tun->gro.len + payload > sizeof(tun->gro.buf) ||
	    tun->gro.len - tun->gro.hdr_len != tun->gro.mss * tun->gro.count)
		return false;
	if (tun->gro.v6)
		same_ip = !memcmp(held, pkt, 4) && held[7] == pkt[7] &&
			  !memcmp(held + 8, pkt + 8, 32);
	else
		same_ip = held[1] == pkt[1] && held[8] == pkt[8] &&
			  !memcmp(held + 12, pkt + 12, 8);
	return same_ip &&
	       !memcmp(held + ihl, pkt + ihl, 4) &&
	       be32_at(pkt + ihl + 4) == tun->gro.next_seq &&
	       !memcmp(held + ihl + 8, pkt + ihl + 8, 4) &&
	       (pkt[ihl + 13] & ~TH_PUSH) == TH_ACK &&
	       !memcmp(held + ihl + 20, pkt + ihl + 20, hdr_len - ihl - 20);
}

/* The IP header length of a TCP segment coalescing may take: IPv4 without
 * options or fragments, IPv6 with TCP right after its header; else 0. */
static size_t gro_ip_header(const uint8_t *pkt, size_t len)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;

	if ((pkt[0] >> 4) == 6)
		return len >= 40 + 20 && pkt[6] == IPPROTO_TCP ? 40 : 0;
	if (ip->protocol != IPPROTO_TCP || ip->ihl * 4u != sizeof(*ip) ||
	    (ntohs(ip->frag_off) & 0x3fff) || len < sizeof(*ip) + 20)
		return 0;
	return sizeof(*ip);
}

void tun_deliver(struct node *node, const uint8_t *pkt, size_t len)
{
	struct tun_io *tun = node->dp.tun;
	size_t ihl, thl, payload;

	ihl = node->dp.rx_coalescing ? gro_ip_header(pkt, len) : 0;
	if (!ihl) {
		tun_flush(node);
		if (tun_write(node, pkt, len) < 0)
			log_debug_ratelimited("tun write: %s", strerror(errno));
		return;
	}
	thl = (pkt[ihl + 12] >> 4) * 4u;
	if (thl < 20 || ihl + thl > len) {
		tun_flush(node);
		tun_write(node, pkt, len);
		return;
	}
	payload = len - ihl - thl;
	if (!payload && tun->ack.len &&
	    tcp_ack_supersedes(tun->ack.buf, tun->ack.len, pkt, len, ihl)) {
		memcpy(tun->ack.buf, pkt, len);
		node->stats.rx_acks_superseded++;
		return;
	}
	if (payload && gro_extends(tun, pkt, ihl, ihl + thl, payload)) {
		memcpy(tun->gro.buf + tun->gro.len, pkt + ihl + thl, payload);
		tun->gro.len += payload;
		tun->gro.count++;
		tun->gro.next_seq += (uint32_t)payload;
		/* The newest window, and PSH if this segment set it. */
		memcpy(tun->gro.buf + ihl + 14, pkt + ihl + 14, 2);
		tun->gro.buf[ihl + 13] |= pkt[ihl + 13] & TH_PUSH;
		if (payload < tun->gro.mss || (pkt[ihl + 13] & TH_PUSH))
			tun_flush(node);
		return;
	}
	tun_flush(node);
	/* Held, in case a later one in the batch supersedes it. */
	if (!payload && tcp_ack_is_pure(pkt, len, ihl)) {
		memcpy(tun->ack.buf, pkt, len);
		tun->ack.len = len;
		return;
	}
	if (!payload || (pkt[ihl + 13] & ~TH_PUSH) != TH_ACK) {
		tun_write(node, pkt, len);
		return;
	}
	memcpy(tun->gro.buf, pkt, len);
	tun->gro.len = len;
	tun->gro.v6 = ihl == 40 && (pkt[0] >> 4) == 6;
	tun->gro.hdr_len = ihl + thl;
	tun->gro.mss = payload;
	tun->gro.count = 1;
	tun->gro.next_seq = be32_at(pkt + ihl + 4) + (uint32_t)payload;
}

/*
 * Tell the local sender at once that nobody holds the destination, as a
 * router would, instead of letting its connect() time out.
 */
static void icmp_unreachable(struct node *node, const uint8_t *pkt, size_t len)
{
	const struct iphdr *orig = (const struct iphdr *)pkt;
	uint8_t out[sizeof(struct iphdr) + 8 + 60 + 8] __attribute__((aligned(4)));
	struct iphdr *ip = (struct iphdr *)out;
	struct icmphdr *icmp = (struct icmphdr *)(out + sizeof(*ip));
	size_t quote = orig->ihl * 4u + 8, total;
	struct datapath *dp = &node->dp;
	ev_tstamp now = node_now(node);

	/* Never answer an ICMP error with another. */
	if (orig->protocol == IPPROTO_ICMP && len > orig->ihl * 4u) {
		uint8_t type = pkt[orig->ihl * 4u];

		if (type != ICMP_ECHO)
			return;
	}
	if (!token_bucket_take(&dp->icmp_limit, now, ICMP_RATE))
		return;
	if (quote > len)
		quote = len;
	total = sizeof(*ip) + 8 + quote;
	memset(out, 0, sizeof(*ip) + 8);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)total);
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	/* From the address that cannot be reached, not from this node's:
	 * a packet arriving on the device from one of the host's own
	 * addresses is a martian to the kernel, which drops it (unless
	 * accept_local), so the local sender, the usual one, would never
	 * hear of it. The unreachable address routes back through the
	 * device, which keeps reverse-path filtering content. */
	ip->saddr = orig->daddr;
	ip->daddr = orig->saddr;
	ip->check = csum_inet(ip, sizeof(*ip));
	icmp->type = ICMP_DEST_UNREACH;
	icmp->code = ICMP_HOST_UNREACH;
	memcpy(out + sizeof(*ip) + 8, pkt, quote);
	icmp->checksum = csum_inet(icmp, 8 + quote);
	if (tun_write(node, out, total) < 0)
		log_debug_ratelimited("tun write: %s", strerror(errno));
}

/*
 * The same for IPv6 (RFC 4443): type and code as the caller says, mtu for
 * packet too big. Sent from Address's IPv6 address, quoting as much of the
 * packet as keeps the error within the 1280 bytes every link carries.
 */
static void icmp6_error(struct node *node, const uint8_t *pkt, size_t len,
			uint8_t type, uint8_t code, uint32_t mtu)
{
	const struct ip6_hdr *orig = (const struct ip6_hdr *)pkt;
	uint8_t out[CONFIG_MIN_MTU6] __attribute__((aligned(4)));
	struct ip6_hdr *ip6 = (struct ip6_hdr *)out;
	uint8_t *icmp = out + sizeof(*ip6);
	size_t quote = len, total;
	struct datapath *dp = &node->dp;
	uint32_t sum;

	if (!node->cfg.has_address6 || len < sizeof(*orig))
		return;
	/* Never answer an ICMPv6 error (types below 128) with another, nor
	 * a packet to multicast or from the unspecified address. */
	if ((orig->ip6_nxt == IPPROTO_ICMPV6 && len > sizeof(*orig) &&
	     pkt[sizeof(*orig)] < 128) ||
	    IN6_IS_ADDR_MULTICAST(&orig->ip6_dst) ||
	    IN6_IS_ADDR_UNSPECIFIED(&orig->ip6_src))
		return;
	if (!token_bucket_take(&dp->icmp_limit, node_now(node), ICMP_RATE))
		return;
	if (quote > sizeof(out) - sizeof(*ip6) - 8)
		quote = sizeof(out) - sizeof(*ip6) - 8;
	total = sizeof(*ip6) + 8 + quote;
	memset(out, 0, sizeof(*ip6) + 8);
	ip6->ip6_flow = htonl(6u << 28);
	ip6->ip6_plen = htons((uint16_t)(8 + quote));
	ip6->ip6_nxt = IPPROTO_ICMPV6;
	ip6->ip6_hlim = 64;
	ip6->ip6_src = node->cfg.address6;
	ip6->ip6_dst = orig->ip6_src;
	icmp[0] = type;
	icmp[1] = code;
	icmp[4] = (uint8_t)(mtu >> 24);
	icmp[5] = (uint8_t)(mtu >> 16);
	icmp[6] = (uint8_t)(mtu >> 8);
	icmp[7] = (uint8_t)mtu;
	memcpy(icmp + 8, pkt, quote);
	sum = csum_pseudo_ipv6((const uint8_t *)&ip6->ip6_src, IPPROTO_ICMPV6,
			       (uint32_t)(8 + quote));
	sum = csum_fold(csum_add(sum, icmp, 8 + quote));
	icmp[2] = (uint8_t)(sum >> 8);
	icmp[3] = (uint8_t)sum;
	if (tun_write(node, out, total) < 0)
		log_debug_ratelimited("tun write: %s", strerror(errno));
}

void tun_unreachable(struct node *node, const uint8_t *pkt, size_t len)
{
	if (node->dp.tun_fd < 0 || !len)
		return;
	if ((pkt[0] >> 4) == 6) {
		if (tun_ipv6_header(pkt, len))
			icmp6_error(node, pkt, len, ICMP6_DST_UNREACH,
				    ICMP6_DST_UNREACH_ADDR, 0);
	} else if (tun_ipv4_header(pkt, len)) {
		icmp_unreachable(node, pkt, len);
	}
}

const struct ip6_hdr *tun_ipv6_header(const uint8_t *pkt, size_t len)
{
	const struct ip6_hdr *ip6 = (const struct ip6_hdr *)pkt;

	if (len < sizeof(*ip6) || (pkt[0] >> 4) != 6 ||
	    sizeof(*ip6) + ntohs(ip6->ip6_plen) > len)
		return NULL;
	return ip6;
}

/* Checks that bytes claiming to be an IPv4 packet are one; returns the
 * header so the caller can route on it. */
const struct iphdr *tun_ipv4_header(const uint8_t *pkt, size_t len)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;

	if (len < sizeof(*ip) || ip->version != 4 || ip->ihl < 5 ||
	    ip->ihl * 4u > len || ntohs(ip->tot_len) > len ||
	    ntohs(ip->tot_len) < ip->ihl * 4u)
		return NULL;
	return ip;
}

/* A wire-sized packet from the TUN device: to the session of the peer
 * that holds its destination. */
static void tun_send(struct node *node, struct peer *peer,
		     const uint8_t *pkt, size_t len, uint32_t queue_dst)
{
	if (!peer->current) {
		queue_for_peer(peer, pkt, len, queue_dst);
		peer_want_session(peer, false);
		return;
	}
	if (udp_queue_record(node, peer->current, pkt, len)) {
		peer->stats.drop_no_session++;
		return;
	}
	peer->stats.tx_bytes += len;
	peer->stats.tx_packets++;
	peer->last_tx = node_now(node);
}

/* An IPv6 packet: to the peer whose certificate holds its destination;
 * an unknown one waits for the rendezvous' answer, as IPv4 does. Returns
 * the peer it went to, if any. */
static struct peer *tun_packet6(struct node *node, const uint8_t *pkt,
				size_t len)
{
	const struct ip6_hdr *ip6 = tun_ipv6_header(pkt, len);
	struct peer *peer;

	if (!ip6) {
		node->stats.tx_bad_packet++;
		return NULL;
	}
	len = sizeof(*ip6) + ntohs(ip6->ip6_plen);
	/* The kernel's own link-scope traffic on the device (router
	 * solicitations, MLD reports to ff02::, anything to fe80::): no
	 * certificate holds such addresses, and it is no user's packet. */
	if (IN6_IS_ADDR_MULTICAST(&ip6->ip6_dst) ||
	    IN6_IS_ADDR_LINKLOCAL(&ip6->ip6_dst)) {
		node->stats.tx_link_local++;
		return NULL;
	}
	/* More than a record on a 1500-byte link carries (a device MTU
	 * raised past podnet's): tell the sender the MTU, as a router
	 * would, rather than send records that leave fragmented. IPv6
	 * senders do not fragment on the way, and they act on this. */
	if (len > CONFIG_MAX_MTU) {
		node->stats.tx_bad_packet++;
		icmp6_error(node, pkt, len, ICMP6_PACKET_TOO_BIG, 0,
			    node->cfg.mtu);
		return NULL;
	}
	peer = routing6_lookup(&node->routes6, &ip6->ip6_dst);
	if (!peer) {
		bool asked = traversal_lookup_vaddr6(node, &ip6->ip6_dst);

		if ((asked || queue_session_coming(node)) &&
		    queue_for_address6(node, &ip6->ip6_dst, pkt, len))
			return NULL;
		node->stats.tx_no_route++;
		if (!asked)
			icmp6_error(node, pkt, len, ICMP6_DST_UNREACH,
				    ICMP6_DST_UNREACH_ADDR, 0);
		return NULL;
	}
	/* Queued with destination 0: queue.c reads it from the packet. */
	tun_send(node, peer, pkt, len, 0);
	return peer;
}

/* An IPv4 or IPv6 packet from the TUN device; returns the peer it went
 * to, if any, and in *queue_dst what tun_send() was given. */
static struct peer *tun_packet(struct node *node, const uint8_t *pkt,
			       size_t len, uint32_t *queue_dst)
{
	const struct iphdr *ip;
	struct in_addr dst;
	struct peer *peer;

	*queue_dst = 0;
	if (len && (pkt[0] >> 4) == 6)
		return tun_packet6(node, pkt, len);
	ip = tun_ipv4_header(pkt, len);
	if (!ip) {
		node->stats.tx_bad_packet++;
		return NULL;
	}
	dst.s_addr = ip->daddr;
	peer = routing_lookup(&node->routes, dst);
	if (!peer) {
		/* A rendezvous may know who holds the address, or a peer
		 * whose handshake is under way may turn out to: the packet
		 * waits for the answer (queue.c). */
		bool asked = traversal_lookup_vaddr(node, dst);

		if ((asked || queue_session_coming(node)) &&
		    queue_for_address(node, dst, pkt, len))
			return NULL;
		node->stats.tx_no_route++;
		if (!asked)
			icmp_unreachable(node, pkt, len);
		return NULL;
	}
	*queue_dst = dst.s_addr;
	tun_send(node, peer, pkt, len, dst.s_addr);
	return peer;
}

/* The packets of one read from the TUN device, as tso_split() cuts them. */
struct tun_cut {
	struct node *node;
	struct peer *peer;	/* where the first went */
	uint32_t queue_dst;
	bool first;
};

/*
 * The segments after the first carry its headers but for lengths,
 * sequence numbers and checksums: they go where it went, without being
 * parsed and routed again. They lie unaligned in the read buffer
 * (tso_split() cuts in place), so should the first have gone nowhere,
 * the rest are parsed from an aligned copy.
 */
static void tun_segment(void *ctx, const uint8_t *pkt, size_t len)
{
	struct tun_cut *cut = ctx;
	struct node *node = cut->node;

	if (cut->first) {
		cut->first = false;
		cut->peer = tun_packet(node, pkt, len, &cut->queue_dst);
	} else if (cut->peer) {
		tun_send(node, cut->peer, pkt, len, cut->queue_dst);
	} else {
		memcpy(node->dp.tun->segment, pkt, len);
		tun_packet(node, node->dp.tun->segment, len, &cut->queue_dst);
	}
}

void tun_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;
	struct tun_io *tun = node->dp.tun;
	uint8_t *buf = tun->read_space + TUN_READ_OFFSET;

	node->dp.tx_batching = true;
	for (int i = 0; i < DATAPATH_BURST; i++) {
		struct virtio_net_hdr vh;
		struct tun_cut cut;
		ssize_t n = read(node->dp.tun_fd, buf,
				 sizeof(tun->read_space) - TUN_READ_OFFSET);

		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				tun_read_failed(node, errno);
			break;
		}
		if ((size_t)n < TUN_VNET_HDR_LEN) {
			node->stats.tx_bad_packet++;
			continue;
		}
		memcpy(&vh, buf, sizeof(vh));
		if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE && vh.gso_size)
			udp_tx_reserve(node, ((size_t)n - TUN_VNET_HDR_LEN) /
						     le16toh(vh.gso_size) + 1);
		cut = (struct tun_cut){ .node = node, .first = true };
		if (tso_split(&vh, buf + TUN_VNET_HDR_LEN,
			      (size_t)n - TUN_VNET_HDR_LEN,
			      DATAPATH_PACKET_MAX, tun_segment, &cut) < 0)
			node->stats.tx_bad_packet++;
		else if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
			node->stats.tx_tso_super++;
	}
	node->dp.tx_batching = false;
	udp_flush(node);
}

/*
 * The interface was deleted under us (`ip link del`). Nothing brings it
 * back to this daemon: its TUN fd only ever answers EBADFD now, and
 * routes and addresses went with it. So say it once and stop the way
 * SIGTERM does, but with a failure status: a supervisor (systemd's
 * Restart=on-failure) starts a fresh daemon, which creates it anew.
 */
void tun_interface_gone(struct node *node, const char *why)
{
	if (node->exit_status)
		return;
	log_err("%s: the interface is gone (%s); shutting down",
		node->cfg.ifname, why);
	node->exit_status = 1;
	/* Nothing left to delete on the way out. */
	node->ifindex = 0;
	ev_io_stop(node->loop, &node->dp.tun_watcher);
	ev_break(node->loop, EVBREAK_ALL);
}

void tun_read_failed(struct node *node, int err)
{
	if (err == EBADFD || err == ENODEV) {
		tun_interface_gone(node, strerror(err));
		return;
	}
	log_warn_ratelimited("tun read: %s", strerror(err));
}
