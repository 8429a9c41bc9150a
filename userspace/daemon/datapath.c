// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Packets between the TUN device and the UDP socket. Every datagram is
 * untrusted until its session has opened it; every drop is counted.
 */
#include "node.h"

#include <errno.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "rvmsg.h"
#include "wire.h"

/* Bound the work per wake-up so neither side starves the other. */
#define BURST 64
#define PACKET_MAX 65536
#define ICMP_RATE 10.0	/* unreachables per second */
/* A punched path must be silent this long before relayed packets win. */
#define PATH_DIRECT_GRACE 5.0

static uint8_t rx_datagram[PACKET_MAX];
static uint8_t plaintext[PACKET_MAX];

int path_send(struct node *node, const struct path *path,
	      const uint8_t *hdr, size_t hdr_len, const uint8_t *payload,
	      size_t payload_len)
{
	const struct endpoint *ep = &path->ep;
	uint8_t relay_hdr[WIRE_HEADER_LEN];
	struct iovec iov[3];
	struct sockaddr_in6 mapped;
	struct msghdr msg = {
		.msg_name = (void *)&ep->sa,
		.msg_namelen = ep->len,
		.msg_iov = iov,
	};
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
	msg.msg_iovlen = n;
	/* The sockets are dual-stack when they can be: IPv4 peers are
	 * reached through v4-mapped addresses. */
	if (node->udp_family == AF_INET6 && ep->sa.sa_family == AF_INET) {
		memset(&mapped, 0, sizeof(mapped));
		mapped.sin6_family = AF_INET6;
		mapped.sin6_port = ep->in.sin_port;
		mapped.sin6_addr.s6_addr[10] = 0xff;
		mapped.sin6_addr.s6_addr[11] = 0xff;
		memcpy(&mapped.sin6_addr.s6_addr[12], &ep->in.sin_addr, 4);
		msg.msg_name = &mapped;
		msg.msg_namelen = sizeof(mapped);
	}
	if (sendmsg(path->fd >= 0 ? path->fd : node->udp_fd, &msg,
		    MSG_DONTWAIT) < 0) {
		log_debug("sendmsg: %s", strerror(errno));
		return -1;
	}
	return 0;
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
	uint8_t out[sizeof(struct iphdr) + 8 + 60 + 8];
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
	if (write(node->tun_fd, out, total) < 0)
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
	if (session_send_data(peer->current, pkt, len)) {
		peer->stats.drop_no_session++;
		return;
	}
	peer->stats.tx_bytes += len;
	peer->stats.tx_packets++;
	peer->last_tx = ev_now(node->loop);
}

void datapath_tun_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;

	for (int i = 0; i < BURST; i++) {
		ssize_t n = read(node->tun_fd, plaintext, sizeof(plaintext));

		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_warn("tun read: %s", strerror(errno));
			return;
		}
		tun_packet(node, plaintext, (size_t)n);
	}
}

/* A decrypted record that is not an IP packet: a control message. */
static void control_record(struct node *node, struct peer *peer,
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

static void data_datagram(struct node *node, const struct path *from,
			  const struct wire_header *hdr)
{
	struct session *s = session_lookup_index(node, hdr->receiver_index);
	ev_tstamp now = ev_now(node->loop);
	const struct iphdr *ip;
	struct peer *peer;
	char ep[ADDR_STR_MAX];
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
	peer = s->peer;
	n = session_receive_data(s, hdr->payload, hdr->payload_len, plaintext,
				 sizeof(plaintext));
	if (n < 0) {
		log_info("peer %s closed session %08x", peer->name,
			 s->local_index);
		session_destroy(s);
		peer_want_session(peer, true);
		return;
	}
	if (n == 0) {
		peer->stats.drop_invalid++;
		return;
	}
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
	if ((plaintext[0] >> 4) != 4) {
		control_record(node, peer, plaintext, (size_t)n);
		return;
	}
	ip = ipv4_header(plaintext, (size_t)n);
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
	if (write(node->tun_fd, plaintext, ntohs(ip->tot_len)) < 0) {
		log_debug("tun write: %s", strerror(errno));
		return;
	}
	peer->stats.rx_bytes += ntohs(ip->tot_len);
	peer->stats.rx_packets++;
}

static void session_request_datagram(struct node *node,
				     const struct path *from)
{
	/* Only known paths may ask: anyone else could make us send
	 * handshakes at a victim. */
	struct peer *peer = peer_find_by_path(node, from);

	if (peer && peer_is_client(peer))
		peer_want_session(peer, true);
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

void datapath_udp_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;
	unsigned int generation = node->socket_generation;
	int fd = w->fd;

	/* A datagram may end a punch and free the watcher w lives in:
	 * only local copies are used, and the loop stops when sockets
	 * changed. */
	for (int i = 0; i < BURST && generation == node->socket_generation;
	     i++) {
		struct sockaddr_storage ss;
		socklen_t sslen = sizeof(ss);
		struct path from = { .fd = fd };
		ssize_t n;

		n = recvfrom(fd, rx_datagram, sizeof(rx_datagram),
			     MSG_DONTWAIT, (struct sockaddr *)&ss, &sslen);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_debug("recvfrom: %s", strerror(errno));
			return;
		}
		endpoint_from_recv(&from.ep, &ss, sslen);
		dispatch(node, &from, rx_datagram, (size_t)n);
	}
}
