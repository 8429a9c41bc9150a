// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Packets between the TUN device and the UDP socket. Every datagram is
 * untrusted until its session has opened it; every drop is counted.
 */
#include "datapath.h"

#include <endian.h>
#include <errno.h>
#include <netinet/tcp.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "node.h"
#include "peer.h"
#include "rendezvous.h"
#include "rvmsg.h"
#include "session.h"
#include "traversal.h"
#include "tso.h"
#include "wire.h"

/* Bound the work per wake-up so neither side starves the other. */
#define BURST 64
#define PACKET_MAX 65536
#define ICMP_RATE 10.0	/* unreachables per second */
/* A punched path must be silent this long before relayed packets win. */
#define PATH_DIRECT_GRACE 5.0

/* Room for a TUN super-packet after its virtio-net header. */
#define VNET_HDR_LEN sizeof(struct virtio_net_hdr)
/* Datagrams queued while a TUN burst is sealed, sent in one go. */
#define TX_BATCH 64
#define TX_SLOT 1600
#define GSO_MAX_BYTES 65000

/* Packets are parsed in place as struct iphdr: keep them 4-aligned. The
 * TUN buffer is read at an offset that puts the packet after the 10-byte
 * virtio-net header on a 16-byte boundary. */
#define TUN_READ_OFFSET (16 - VNET_HDR_LEN)
static uint8_t plaintext[PACKET_MAX] __attribute__((aligned(16)));
static uint8_t tun_space[TUN_READ_OFFSET + VNET_HDR_LEN + PACKET_MAX]
	__attribute__((aligned(16)));
static uint8_t *const tun_buf = tun_space + TUN_READ_OFFSET;
static uint8_t segment[PACKET_MAX] __attribute__((aligned(16)));

/* Datagrams waiting to be sent. Data records in it are sealed in place,
 * all at once and on several threads, just before the batch goes out. */
static struct {
	size_t count;
	uint8_t data[TX_BATCH][TX_SLOT] __attribute__((aligned(16)));
	size_t len[TX_BATCH];
	struct path path[TX_BATCH];
	size_t n_jobs;
	struct crypto_job jobs[TX_BATCH];
	size_t job_slot[TX_BATCH];
} tx;

static bool gso_works = true;

static void mapped_address(const struct node *node, const struct endpoint *ep,
			   struct sockaddr_in6 *mapped, const void **name,
			   socklen_t *namelen)
{
	*name = &ep->sa;
	*namelen = ep->len;
	/* The sockets are dual-stack when they can be: IPv4 peers are
	 * reached through v4-mapped addresses. */
	if (node->udp_family == AF_INET6 && ep->sa.sa_family == AF_INET) {
		memset(mapped, 0, sizeof(*mapped));
		mapped->sin6_family = AF_INET6;
		mapped->sin6_port = ep->in.sin_port;
		mapped->sin6_addr.s6_addr[10] = 0xff;
		mapped->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&mapped->sin6_addr.s6_addr[12], &ep->in.sin_addr, 4);
		*name = mapped;
		*namelen = sizeof(*mapped);
	}
}

/*
 * Send queued datagrams: runs of equal-sized datagrams to one destination
 * go out as one UDP GSO send (the kernel segments them), the rest one by
 * one. A burst of 64 sealed packets then costs a couple of syscalls.
 */
void datapath_seal_pending(struct node *node)
{
	crypto_pool_run(&node->crypto, tx.jobs, tx.n_jobs);
	for (size_t k = 0; k < tx.n_jobs; k++)
		if (tx.jobs[k].result < 0)
			tx.len[tx.job_slot[k]] = 0;	/* not sent */
	tx.n_jobs = 0;
}

void datapath_flush(struct node *node)
{
	size_t i = 0;

	datapath_seal_pending(node);
	while (i < tx.count) {
		struct sockaddr_in6 mapped;
		struct iovec iov[TX_BATCH];
		union {
			char buf[CMSG_SPACE(sizeof(uint16_t))];
			struct cmsghdr align;
		} control;
		struct msghdr msg = { .msg_iov = iov };
		size_t j = i, bytes = 0;
		const struct path *p = &tx.path[i];
		const void *name;

		if (!tx.len[i]) {
			i++;
			continue;
		}
		/* Extend the run while the size matches; a shorter datagram
		 * may end it. */
		while (j < tx.count && gso_works &&
		       path_equal(&tx.path[j], p) &&
		       bytes + tx.len[j] <= GSO_MAX_BYTES &&
		       (j == i || tx.len[j] <= tx.len[i]) &&
		       (j == i || tx.len[j - 1] == tx.len[i])) {
			iov[j - i] = (struct iovec){ tx.data[j], tx.len[j] };
			bytes += tx.len[j];
			j++;
		}
		if (j == i) {
			iov[0] = (struct iovec){ tx.data[i], tx.len[i] };
			j = i + 1;
		}
		mapped_address(node, &p->ep, &mapped, &name, &msg.msg_namelen);
		msg.msg_name = (void *)name;
		msg.msg_iovlen = j - i;
		if (j - i > 1) {
			struct cmsghdr *cm;
			uint16_t seg = (uint16_t)tx.len[i];

			memset(&control, 0, sizeof(control));
			msg.msg_control = control.buf;
			msg.msg_controllen = sizeof(control.buf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = IPPROTO_UDP;
			cm->cmsg_type = UDP_SEGMENT;
			cm->cmsg_len = CMSG_LEN(sizeof(seg));
			memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
		}
		if (sendmsg(p->fd >= 0 ? p->fd : node->udp_fd, &msg,
			    MSG_DONTWAIT) < 0) {
			if (j - i > 1 && (errno == EIO || errno == EINVAL ||
					  errno == ENOPROTOOPT)) {
				/* No UDP GSO here: send one by one. */
				log_info("UDP GSO unavailable (%s), sending datagrams singly",
					 strerror(errno));
				gso_works = false;
				continue;
			}
			log_debug("sendmsg: %s", strerror(errno));
		}
		i = j;
	}
	tx.count = 0;
}

static int tx_queue(struct node *node, const struct path *path,
		    const struct iovec *iov, size_t n)
{
	size_t len = 0;

	for (size_t k = 0; k < n; k++)
		len += iov[k].iov_len;
	if (len > TX_SLOT)
		return 1;	/* too big to queue: send it directly */
	if (tx.count == TX_BATCH)
		datapath_flush(node);
	len = 0;
	for (size_t k = 0; k < n; k++) {
		memcpy(tx.data[tx.count] + len, iov[k].iov_base,
		       iov[k].iov_len);
		len += iov[k].iov_len;
	}
	tx.len[tx.count] = len;
	tx.path[tx.count] = *path;
	if (tx.path[tx.count].fd < 0)
		tx.path[tx.count].fd = node->udp_fd;
	tx.count++;
	return 0;
}

/*
 * Queue pkt as a data record for s: headers and plaintext go straight
 * into a batch slot, where the record is sealed in place by
 * datapath_seal_pending(). Outside a batch it is sealed at once.
 */
static int queue_data(struct node *node, struct session *s,
		      const uint8_t *pkt, size_t len)
{
	size_t off = s->path.relay_channel ? 2 * WIRE_HEADER_LEN :
					     WIRE_HEADER_LEN;
	struct crypto_job *job;
	uint8_t *slot;
	uint64_t seq;
	int hdr;

	if (!node->tx_batching || s->state != SESSION_ESTABLISHED ||
	    !s->path.ep.len ||
	    off + RECORD_OVERHEAD + len > TX_SLOT)
		return session_send_data(s, pkt, len);
	if (tx.count == TX_BATCH)
		datapath_flush(node);
	slot = tx.data[tx.count];
	if (s->path.relay_channel)
		wire_put_header(slot, WIRE_TYPE_RELAY, s->path.relay_channel,
				0);
	wire_put_header(slot + off - WIRE_HEADER_LEN, WIRE_TYPE_DATA,
			s->remote_index, 0);
	hdr = record_seal_begin(&s->keys, len, slot + off, TX_SLOT - off,
				&seq);
	if (hdr < 0)
		return -1;
	memcpy(slot + off + (size_t)hdr, pkt, len);
	job = &tx.jobs[tx.n_jobs];
	*job = (struct crypto_job){ .keys = &s->keys, .seq = seq,
				    .rec = slot + off, .len = len };
	tx.job_slot[tx.n_jobs++] = tx.count;
	tx.len[tx.count] = off + (size_t)hdr + len + RECORD_TAG_LEN;
	tx.path[tx.count] = s->path;
	if (tx.path[tx.count].fd < 0)
		tx.path[tx.count].fd = node->udp_fd;
	tx.count++;
	return 0;
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

	return writev(node->tun_fd, iov, 2) < 0 ? -1 : 0;
}

int path_send(struct node *node, const struct path *path,
	      const uint8_t *hdr, size_t hdr_len, const uint8_t *payload,
	      size_t payload_len)
{
	const struct endpoint *ep = &path->ep;
	uint8_t relay_hdr[WIRE_HEADER_LEN];
	struct iovec iov[3];
	struct sockaddr_in6 mapped;
	struct msghdr msg = { .msg_iov = iov };
	const void *name;
	size_t n = 0;

	if (!ep->len) {
		errno = EDESTADDRREQ;
		return -1;
	}
	/* A relayed path wraps the whole datagram for the relay, which
	 * forwards it by channel without being able to read it. */
	if (path->relay_channel) {
		wire_put_header(relay_hdr, WIRE_TYPE_RELAY,
				path->relay_channel, 0);
		iov[n++] = (struct iovec){ relay_hdr, sizeof(relay_hdr) };
	}
	iov[n++] = (struct iovec){ (void *)hdr, hdr_len };
	if (payload_len)
		iov[n++] = (struct iovec){ (void *)payload, payload_len };
	if (node->tx_batching && !tx_queue(node, path, iov, n))
		return 0;
	mapped_address(node, ep, &mapped, &name, &msg.msg_namelen);
	msg.msg_name = (void *)name;
	msg.msg_iovlen = n;
	if (sendmsg(path->fd >= 0 ? path->fd : node->udp_fd, &msg,
		    MSG_DONTWAIT) < 0) {
		log_debug("sendmsg: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Receive coalescing (GRO towards the TUN device): consecutive in-order
 * segments of one TCP flow from a recvmmsg batch are merged into one
 * super-packet, written once with a virtio-net GSO header. The kernel's
 * TCP then handles one large packet instead of dozens of small ones.
 */
static struct {
	uint8_t buf[65535] __attribute__((aligned(16)));
	size_t len;		/* bytes in buf */
	size_t hdr_len;		/* IP + TCP header */
	size_t mss;		/* payload of every segment but the last */
	size_t count;
	uint32_t next_seq;
} gro;

static uint32_t be32_at(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static void tun_flush(struct node *node)
{
	struct virtio_net_hdr vh = { 0 };
	struct iphdr *ip = (struct iphdr *)gro.buf;
	size_t ihl = ip->ihl * 4u;
	struct iovec iov[2] = {
		{ &vh, sizeof(vh) },
		{ gro.buf, gro.len },
	};

	if (!gro.count)
		return;
	if (gro.count > 1) {
		uint8_t pseudo[12];
		uint16_t partial;

		ip->tot_len = htons((uint16_t)gro.len);
		ip->check = 0;
		ip->check = htons(csum_fold(csum_add(0, gro.buf, ihl)));
		/* The TCP checksum is left to the stack, as from a NIC with
		 * checksum offload: the field holds the pseudo-header sum. */
		memcpy(pseudo, &ip->saddr, 8);
		pseudo[8] = 0;
		pseudo[9] = IPPROTO_TCP;
		pseudo[10] = (uint8_t)((gro.len - ihl) >> 8);
		pseudo[11] = (uint8_t)(gro.len - ihl);
		partial = (uint16_t)~csum_fold(csum_add(0, pseudo, 12));
		gro.buf[ihl + 16] = (uint8_t)(partial >> 8);
		gro.buf[ihl + 17] = (uint8_t)partial;
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh.hdr_len = htole16((uint16_t)gro.hdr_len);
		vh.gso_size = htole16((uint16_t)gro.mss);
		vh.csum_start = htole16((uint16_t)ihl);
		vh.csum_offset = htole16(16);
	}
	if (writev(node->tun_fd, iov, 2) < 0)
		log_debug("tun write: %s", strerror(errno));
	gro.count = 0;
	gro.len = 0;
}

/* May pkt extend the flow held in gro? Same addresses, ports, header
 * (options, ack) and TTL/TOS, the next sequence number, plain ACK. */
static bool gro_extends(const uint8_t *pkt, size_t hdr_len, size_t payload)
{
	const uint8_t *held = gro.buf;
	size_t ihl = (pkt[0] & 15) * 4u;

	if (!gro.count || hdr_len != gro.hdr_len || payload > gro.mss ||
	    gro.len + payload > sizeof(gro.buf) ||
	    gro.len - gro.hdr_len != gro.mss * gro.count)
		return false;
	return held[1] == pkt[1] && held[8] == pkt[8] &&
	       !memcmp(held + 12, pkt + 12, 8) &&
	       !memcmp(held + ihl, pkt + ihl, 4) &&
	       be32_at(pkt + ihl + 4) == gro.next_seq &&
	       !memcmp(held + ihl + 8, pkt + ihl + 8, 4) &&
	       (pkt[ihl + 13] & ~TH_PUSH) == TH_ACK &&
	       !memcmp(held + ihl + 20, pkt + ihl + 20, hdr_len - ihl - 20);
}

static void tun_deliver(struct node *node, const uint8_t *pkt, size_t len)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;
	size_t ihl = ip->ihl * 4u, thl, payload;

	if (!node->rx_coalescing || ip->protocol != IPPROTO_TCP ||
	    ihl != sizeof(*ip) || (ntohs(ip->frag_off) & 0x3fff) ||
	    len < ihl + 20) {
		tun_flush(node);
		if (tun_write(node, pkt, len) < 0)
			log_debug("tun write: %s", strerror(errno));
		return;
	}
	thl = (pkt[ihl + 12] >> 4) * 4u;
	if (thl < 20 || ihl + thl > len) {
		tun_flush(node);
		tun_write(node, pkt, len);
		return;
	}
	payload = len - ihl - thl;
	if (payload && gro_extends(pkt, ihl + thl, payload)) {
		memcpy(gro.buf + gro.len, pkt + ihl + thl, payload);
		gro.len += payload;
		gro.count++;
		gro.next_seq += (uint32_t)payload;
		/* The newest window, and PSH if this segment set it. */
		memcpy(gro.buf + ihl + 14, pkt + ihl + 14, 2);
		gro.buf[ihl + 13] |= pkt[ihl + 13] & TH_PUSH;
		if (payload < gro.mss || (pkt[ihl + 13] & TH_PUSH))
			tun_flush(node);
		return;
	}
	tun_flush(node);
	if (!payload || (pkt[ihl + 13] & ~TH_PUSH) != TH_ACK) {
		tun_write(node, pkt, len);
		return;
	}
	memcpy(gro.buf, pkt, len);
	gro.len = len;
	gro.hdr_len = ihl + thl;
	gro.mss = payload;
	gro.count = 1;
	gro.next_seq = be32_at(pkt + ihl + 4) + (uint32_t)payload;
}

bool path_equal(const struct path *a, const struct path *b)
{
	return a->fd == b->fd && a->relay_channel == b->relay_channel &&
	       endpoint_equal(&a->ep, &b->ep);
}

const char *path_format(const struct path *p, char *buf, size_t len)
{
	char ep[ADDR_STR_MAX];

	endpoint_format(&p->ep, ep, sizeof(ep));
	if (p->relay_channel)
		snprintf(buf, len, "%s (relay %08x)", ep, p->relay_channel);
	else
		snprintf(buf, len, "%s", ep);
	return buf;
}

static void endpoint_from_recv(struct endpoint *ep,
			       const struct sockaddr_storage *ss,
			       socklen_t len)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		memset(ep, 0, sizeof(*ep));
		ep->in.sin_family = AF_INET;
		ep->in.sin_port = in6->sin6_port;
		memcpy(&ep->in.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
		ep->len = sizeof(ep->in);
		return;
	}
	endpoint_from_sockaddr(ep, (const struct sockaddr *)ss, len);
}

static uint16_t ip_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
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
	ev_tstamp now = ev_now(node->loop);

	node->icmp_tokens += (now - node->icmp_last) * ICMP_RATE;
	node->icmp_last = now;
	if (node->icmp_tokens > ICMP_RATE)
		node->icmp_tokens = ICMP_RATE;
	if (node->icmp_tokens < 1.0)
		return;
	/* Never answer an ICMP error with another. */
	if (orig->protocol == IPPROTO_ICMP && len > orig->ihl * 4u) {
		uint8_t type = pkt[orig->ihl * 4u];

		if (type != ICMP_ECHO)
			return;
	}
	node->icmp_tokens -= 1.0;
	if (quote > len)
		quote = len;
	total = sizeof(*ip) + 8 + quote;
	memset(out, 0, sizeof(*ip) + 8);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)total);
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	ip->saddr = node->cfg.address.s_addr;
	ip->daddr = orig->saddr;
	ip->check = ip_checksum(ip, sizeof(*ip));
	icmp->type = ICMP_DEST_UNREACH;
	icmp->code = ICMP_HOST_UNREACH;
	memcpy(out + sizeof(*ip) + 8, pkt, quote);
	icmp->checksum = ip_checksum(icmp, 8 + quote);
	if (tun_write(node, out, total) < 0)
		log_debug("tun write: %s", strerror(errno));
}

/* Checks that bytes claiming to be an IPv4 packet are one; returns the
 * header so the caller can route on it. */
static const struct iphdr *ipv4_header(const uint8_t *pkt, size_t len)
{
	const struct iphdr *ip = (const struct iphdr *)pkt;

	if (len < sizeof(*ip) || ip->version != 4 || ip->ihl < 5 ||
	    ip->ihl * 4u > len || ntohs(ip->tot_len) > len ||
	    ntohs(ip->tot_len) < ip->ihl * 4u)
		return NULL;
	return ip;
}

static void tun_packet(struct node *node, const uint8_t *pkt, size_t len)
{
	const struct iphdr *ip = ipv4_header(pkt, len);
	struct in_addr dst;
	struct peer *peer;

	if (!ip) {
		node->stats.tx_bad_packet++;
		return;
	}
	dst.s_addr = ip->daddr;
	peer = routing_lookup(&node->routes, dst);
	if (!peer) {
		node->stats.tx_no_route++;
		/* A rendezvous may know who holds the address; until it
		 * answers, the packet is dropped (TCP will resend). */
		if (!traversal_lookup_vaddr(node, dst))
			icmp_unreachable(node, pkt, len);
		return;
	}
	if (!peer->current) {
		peer->stats.drop_no_session++;
		peer_want_session(peer, false);
		return;
	}
	if (queue_data(node, peer->current, pkt, len)) {
		peer->stats.drop_no_session++;
		return;
	}
	peer->stats.tx_bytes += len;
	peer->stats.tx_packets++;
	peer->last_tx = ev_now(node->loop);
}

static void tun_segment(void *ctx, const uint8_t *pkt, size_t len)
{
	tun_packet(ctx, pkt, len);
}

void datapath_tun_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;

	node->tx_batching = true;
	for (int i = 0; i < BURST; i++) {
		struct virtio_net_hdr vh;
		ssize_t n = read(node->tun_fd, tun_buf,
				 sizeof(tun_space) - TUN_READ_OFFSET);

		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_warn("tun read: %s", strerror(errno));
			break;
		}
		if ((size_t)n < VNET_HDR_LEN) {
			node->stats.tx_bad_packet++;
			continue;
		}
		memcpy(&vh, tun_buf, sizeof(vh));
		if (tso_split(&vh, tun_buf + VNET_HDR_LEN,
			      (size_t)n - VNET_HDR_LEN, segment,
			      sizeof(segment), tun_segment, node) < 0)
			node->stats.tx_bad_packet++;
	}
	node->tx_batching = false;
	datapath_flush(node);
}

/* A decrypted record that is not an IP packet: a control message. */
void datapath_control_record(struct node *node, struct peer *peer,
			   const uint8_t *buf, size_t len)
{
	struct rv_msg m;

	if (len == 1 && buf[0] == RV_KEEPALIVE)
		return;
	if (rv_parse(buf, len, &m)) {
		peer->stats.drop_invalid++;
		return;
	}
	if (node->cfg.rendezvous &&
	    (m.type == RV_REGISTER || m.type == RV_LOOKUP))
		rendezvous_message(peer, &m);
	else
		traversal_message(peer, &m);
}

/* An authenticated record's plaintext, from session s, arrived from. */
static void data_plaintext(struct node *node, const struct path *from,
			   struct session *s, const uint8_t *pt, size_t n)
{
	struct peer *peer = s->peer;
	ev_tstamp now = ev_now(node->loop);
	const struct iphdr *ip;
	char ep[ADDR_STR_MAX];

	peer->last_rx = now;
	if (peer->pending == s)
		peer_session_promote(peer, s);
	if (!from->relay_channel)
		s->last_direct_rx = now;
	/*
	 * The record authenticated: wherever it came from, that is where the
	 * peer is now (NAT rebinding, a new network, a punched path). Only a
	 * fall back to the relay waits until the direct path has been silent
	 * for a while, so stray relayed packets do not undo a punched path.
	 */
	if (!path_equal(&s->path, from) &&
	    (!from->relay_channel || s->path.relay_channel ||
	     now - s->last_direct_rx > PATH_DIRECT_GRACE)) {
		log_info("peer %s moved to %s", peer->name,
			 path_format(from, ep, sizeof(ep)));
		s->path = *from;
		if (peer->current == s)
			peer_path_changed(peer, from);
	}
	if ((pt[0] >> 4) != 4) {
		datapath_control_record(node, peer, pt, n);
		return;
	}
	ip = ipv4_header(pt, n);
	if (!ip) {
		peer->stats.drop_invalid++;
		return;
	}
	/* Cryptokey routing, inbound: a peer may only speak for its own
	 * certificate's address. */
	if (ip->saddr != peer->vaddr.s_addr) {
		peer->stats.drop_bad_source++;
		return;
	}
	tun_deliver(node, pt, ntohs(ip->tot_len));
	peer->stats.rx_bytes += ntohs(ip->tot_len);
	peer->stats.rx_packets++;
}

static void data_datagram(struct node *node, const struct path *from,
			  const struct wire_header *hdr)
{
	struct session *s = session_lookup_index(node, hdr->receiver_index);
	struct peer *peer;
	int n;

	if (!s || s->state != SESSION_ESTABLISHED || !s->peer) {
		node->stats.rx_unknown_session++;
		/* A peer that restarted while we did not still sends under
		 * our old index: ask it for a fresh handshake. */
		peer = peer_find_by_path(node, from);
		if (peer)
			peer_want_session(peer, true);
		return;
	}
	n = session_receive_data(s, hdr->payload, hdr->payload_len, plaintext,
				 sizeof(plaintext));
	if (n <= 0) {
		s->peer->stats.drop_invalid++;
		return;
	}
	data_plaintext(node, from, s, plaintext, (size_t)n);
}

static void session_request_datagram(struct node *node,
				     const struct path *from)
{
	/* Only known paths may ask: anyone else could make us send
	 * handshakes at a victim. */
	struct peer *peer = peer_find_by_path(node, from);

	if (peer)
		peer_session_requested(peer);
}

static void nat_probe_datagram(struct node *node, const struct path *from,
			       const struct wire_header *hdr)
{
	uint8_t addr[16];
	uint16_t port;
	int family, ret;

	ret = wire_parse_probe(hdr, &family, addr, &port);
	if (ret == 1 && node->cfg.rendezvous && !from->relay_channel)
		rendezvous_probe_answer(node, from);
	else if (ret == 0)
		traversal_probe_answer(node, from, family, addr, port);
	else
		node->stats.rx_malformed++;
}

static void dispatch(struct node *node, const struct path *from,
		     const uint8_t *buf, size_t len);

/* A relay's delivery: the datagram inside came from the node at the far
 * end of the channel. Only rendezvous peers may deliver. */
static void relayed_datagram(struct node *node, const struct path *from,
			     const struct wire_header *hdr)
{
	struct path inner = *from;

	if (node->cfg.rendezvous) {
		rendezvous_relay(node, from, hdr);
		return;
	}
	if (from->relay_channel || !peer_is_relay(node, &from->ep)) {
		node->stats.rx_malformed++;
		return;
	}
	inner.relay_channel = hdr->receiver_index;
	dispatch(node, &inner, hdr->payload, hdr->payload_len);
}

static void dispatch(struct node *node, const struct path *from,
		     const uint8_t *buf, size_t len)
{
	struct wire_header hdr;
	const uint8_t *token;
	uint8_t kind;

	if (wire_parse(buf, len, &hdr) != WIRE_OK) {
		node->stats.rx_malformed++;
		return;
	}
	switch (hdr.type) {
	case WIRE_TYPE_DATA:
		data_datagram(node, from, &hdr);
		break;
	case WIRE_TYPE_HANDSHAKE:
		session_receive_handshake(node, from, hdr.receiver_index,
					  hdr.sender_index, hdr.payload,
					  hdr.payload_len);
		break;
	case WIRE_TYPE_SESSION_REQUEST:
		session_request_datagram(node, from);
		break;
	case WIRE_TYPE_PUNCH:
		if (wire_parse_punch(&hdr, &token, &kind) || from->relay_channel)
			node->stats.rx_malformed++;
		else
			traversal_punch(node, from, token, kind);
		break;
	case WIRE_TYPE_RELAY:
		relayed_datagram(node, from, &hdr);
		break;
	case WIRE_TYPE_NAT_PROBE:
		nat_probe_datagram(node, from, &hdr);
		break;
	}
}

/*
 * Receive: recvmmsg() of up to RX_BATCH entries, each of which may be a
 * UDP GRO super-datagram (segments of one size from one sender, the
 * size in a UDP_GRO control message). Segments are handled in rounds of
 * up to RX_SEGS: the direct data records of a round are opened on the
 * crypto threads into aligned plaintext slots, then every segment is
 * handled in order.
 */
#define RX_BATCH 16
#define RX_SLOT 65536
#define RX_SEGS 64
#define RX_PLAIN 2048

static struct {
	uint8_t bufs[RX_BATCH][RX_SLOT] __attribute__((aligned(16)));
	struct sockaddr_storage addrs[RX_BATCH];
	struct path from[RX_BATCH];	/* addrs[i] as a path, once */
	struct iovec iovs[RX_BATCH];
	struct mmsghdr msgs[RX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctrl[RX_BATCH];
	/* The current round. session[k]: the session segment k was opened
	 * for, NULL when it goes to dispatch(). */
	size_t n_segs;
	const uint8_t *seg[RX_SEGS];
	size_t seg_len[RX_SEGS];
	int seg_msg[RX_SEGS];
	struct session *session[RX_SEGS];
	uint32_t index[RX_SEGS];
	struct crypto_job jobs[RX_SEGS];
	size_t job_of[RX_SEGS];
	uint8_t plain[RX_SEGS][RX_PLAIN] __attribute__((aligned(16)));
} rx;

/*
 * First pass over a round: the direct data records of established
 * sessions pass the header and replay checks in order
 * and become jobs that open them into rx.plain; everything else is left
 * for dispatch(). Nothing changes state here but the job list.
 */
static size_t rx_prepare(struct node *node)
{
	size_t n_jobs = 0;

	for (size_t k = 0; k < rx.n_segs; k++) {
		const uint8_t *buf = rx.seg[k];
		struct wire_header hdr;
		struct session *s;
		uint64_t seq;
		size_t ptlen;
		int off;

		rx.session[k] = NULL;
		if (rx.seg_len[k] < WIRE_HEADER_LEN ||
		    buf[0] != WIRE_TYPE_DATA ||
		    wire_parse(buf, rx.seg_len[k], &hdr) != WIRE_OK)
			continue;
		s = session_lookup_index(node, hdr.receiver_index);
		if (!s || s->state != SESSION_ESTABLISHED || !s->peer)
			continue;
		off = record_open_begin(&s->keys, hdr.payload, hdr.payload_len,
					&seq, &ptlen);
		if (off < 0 || ptlen > RX_PLAIN)
			continue;
		rx.session[k] = s;
		rx.index[k] = hdr.receiver_index;
		rx.job_of[k] = n_jobs;
		rx.jobs[n_jobs++] = (struct crypto_job){
			.keys = &s->keys, .seq = seq,
			.rec = (uint8_t *)hdr.payload, .len = ptlen,
			.out = rx.plain[k], .open = true,
		};
	}
	return n_jobs;
}

/* Second pass, in order: a record opened by rx_prepare's job. Segments
 * before it may have ended its session; then it is dropped. */
static void rx_opened(struct node *node, const struct path *from, size_t k)
{
	struct session *s = rx.session[k];
	const struct crypto_job *job = &rx.jobs[rx.job_of[k]];

	if (session_lookup_index(node, rx.index[k]) != s ||
	    s->state != SESSION_ESTABLISHED || !s->peer) {
		node->stats.rx_unknown_session++;
		return;
	}
	if (job->result <= 0 || !replay_commit(&s->keys.replay, job->seq)) {
		s->peer->stats.drop_invalid++;
		return;
	}
	session_data_opened(s);
	data_plaintext(node, from, s, job->out, (size_t)job->result);
}

/* Handle the segments collected so far; false once the sockets changed
 * under us (a punch ended), when the rest must not be touched. */
static bool rx_round(struct node *node, unsigned int generation)
{
	crypto_pool_run(&node->crypto, rx.jobs, rx_prepare(node));
	for (size_t k = 0; k < rx.n_segs; k++) {
		const struct path *from = &rx.from[rx.seg_msg[k]];

		if (generation != node->socket_generation) {
			rx.n_segs = 0;
			return false;
		}
		if (rx.session[k])
			rx_opened(node, from, k);
		else
			dispatch(node, from, rx.seg[k], rx.seg_len[k]);
	}
	rx.n_segs = 0;
	return true;
}

/* The segment size of a UDP GRO super-datagram, or 0 for a plain one. */
static size_t gro_segment_size(struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		int size;

		if (cm->cmsg_level != SOL_UDP || cm->cmsg_type != UDP_GRO ||
		    cm->cmsg_len < CMSG_LEN(sizeof(size)))
			continue;
		memcpy(&size, CMSG_DATA(cm), sizeof(size));
		return size > 0 ? (size_t)size : 0;
	}
	return 0;
}

void datapath_udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;
	unsigned int generation = node->socket_generation;
	int fd = w->fd;

	/* A datagram may end a punch and free the watcher w lives in:
	 * only local copies are used, and the loop stops when sockets
	 * changed. */
	for (int round = 0; round < BURST / 8 &&
	     generation == node->socket_generation; round++) {
		bool go_on = true;
		int n;

		for (int i = 0; i < RX_BATCH; i++) {
			rx.iovs[i] = (struct iovec){ rx.bufs[i], RX_SLOT };
			rx.msgs[i].msg_hdr = (struct msghdr){
				.msg_name = &rx.addrs[i],
				.msg_namelen = sizeof(rx.addrs[i]),
				.msg_iov = &rx.iovs[i],
				.msg_iovlen = 1,
				.msg_control = rx.ctrl[i].buf,
				.msg_controllen = sizeof(rx.ctrl[i].buf),
			};
		}
		n = recvmmsg(fd, rx.msgs, RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_debug("recvmmsg: %s", strerror(errno));
			break;
		}
		/* Answers to what arrives (keepalives, handshakes) go out
		 * together after the batch; TCP segments are coalesced. */
		node->tx_batching = true;
		node->rx_coalescing = true;
		rx.n_segs = 0;
		for (int i = 0; i < n && go_on; i++) {
			struct msghdr *mh = &rx.msgs[i].msg_hdr;
			size_t len = rx.msgs[i].msg_len;
			size_t size = gro_segment_size(mh);

			if ((mh->msg_flags & MSG_TRUNC) || !len) {
				node->stats.rx_malformed++;
				continue;
			}
			if (!size || size > len)
				size = len;
			rx.from[i] = (struct path){ .fd = fd };
			endpoint_from_recv(&rx.from[i].ep, &rx.addrs[i],
					   mh->msg_namelen);
			for (size_t off = 0; off < len && go_on; off += size) {
				size_t k = rx.n_segs++;

				rx.seg[k] = rx.bufs[i] + off;
				rx.seg_len[k] = len - off < size ? len - off :
								   size;
				rx.seg_msg[k] = i;
				if (rx.n_segs == RX_SEGS)
					go_on = rx_round(node, generation);
			}
		}
		if (go_on && rx.n_segs)
			rx_round(node, generation);
		node->tx_batching = false;
		node->rx_coalescing = false;
		tun_flush(node);
		datapath_flush(node);
		if (n < RX_BATCH)
			break;
	}
}
