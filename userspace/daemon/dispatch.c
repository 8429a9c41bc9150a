// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "dispatch.h"

#include <arpa/inet.h>
#include <netinet/ip.h>

#include "datapath.h"
#include "log.h"
#include "node.h"
#include "path.h"
#include "peer.h"
#include "registration.h"
#include "queue.h"
#include "recover.h"
#include "rendezvous.h"
#include "rvmsg.h"
#include "session.h"
#include "transport.h"
#include "traversal.h"
#include "tun.h"
#include "wire.h"

/* A punched path must be silent this long before relayed packets win. */
#define PATH_DIRECT_GRACE 5.0
#define ASK_RATE 10.0		/* handshake requests per second, all peers */

void dispatch_control_record(struct node *node, struct peer *peer,
			     const uint8_t *buf, size_t len)
{
	struct rv_msg m;

	if (len == 1 && buf[0] == RV_KEEPALIVE)
		return;
	if (rv_parse(buf, len, &m)) {
		peer->stats.drop_invalid++;
		return;
	}
	if (m.type == RV_REVOCATION) {
		revoke_received(peer, &m);
		return;
	}
	if (node->cfg.rendezvous &&
	    (m.type == RV_REGISTER || m.type == RV_LOOKUP))
		rendezvous_message(peer, &m);
	else
		traversal_message(peer, &m);
}

/* An inner IPv6 packet: only from a peer whose certificate holds an IPv6
 * address, and only from that address. */
static void dispatch_ipv6(struct node *node, struct peer *peer,
			  const uint8_t *pt, size_t n)
{
	const struct ip6_hdr *ip6 = tun_ipv6_header(pt, n);
	size_t len;

	if (!ip6) {
		peer->stats.drop_invalid++;
		return;
	}
	if (!peer->has_vaddr6 && !peer->nsubnets6) {
		peer->stats.drop_no_family++;
		return;
	}
	/* Its certificate's address, or a host of an IPv6 subnet routed to
	 * it (the longest prefix holding the source is this peer's). */
	if (!(peer->has_vaddr6 &&
	      !memcmp(&ip6->ip6_src, &peer->vaddr6, sizeof(peer->vaddr6))) &&
	    !(peer->nsubnets6 &&
	      routing6_lookup(&node->routes6, &ip6->ip6_src) == peer)) {
		peer->stats.drop_bad_source++;
		return;
	}
	len = sizeof(*ip6) + ntohs(ip6->ip6_plen);
	tun_deliver(node, pt, len);
	peer->stats.rx_bytes += len;
	peer->stats.rx_packets++;
}

void dispatch_plaintext(struct node *node, const struct path *from,
			struct session *s, const uint8_t *pt, size_t n)
{
	struct peer *peer = s->peer;
	ev_tstamp now = node_now(node);
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
	/* What waited goes where the peer was just heard. */
	if (peer->queue.count)
		queue_peer_heard(peer, s);
	if ((pt[0] >> 4) == 6) {
		dispatch_ipv6(node, peer, pt, n);
		return;
	}
	if ((pt[0] >> 4) != 4) {
		/* The rendezvous' keepalive answers and registrations: the
		 * TCP fallback's sign that UDP works. */
		if (peer->nat.is_rendezvous)
			transport_udp_heard(node, from);
		dispatch_control_record(node, peer, pt, n);
		return;
	}
	ip = tun_ipv4_header(pt, n);
	if (!ip) {
		peer->stats.drop_invalid++;
		return;
	}
	if (!peer->has_vaddr && peer->nsubnets == peer->nsubnets6) {
		peer->stats.drop_no_family++;
		return;
	}
	/* Cryptokey routing, inbound: a peer may only speak for its own
	 * certificate's address, or for a host of a subnet routed to it
	 * (the longest prefix holding the source must be this peer's). */
	if (!(peer->has_vaddr && ip->saddr == peer->vaddr.s_addr) &&
	    !(peer->nsubnets > peer->nsubnets6 &&
	      routing_lookup(&node->routes,
			     (struct in_addr){ .s_addr = ip->saddr }) == peer)) {
		peer->stats.drop_bad_source++;
		return;
	}
	tun_deliver(node, pt, ntohs(ip->tot_len));
	peer->stats.rx_bytes += ntohs(ip->tot_len);
	peer->stats.rx_packets++;
}

/*
 * Records under a session we do not have, from a path we know no peer
 * by: we restarted and lost the session, and the sender, who still has
 * it, is one we never had an endpoint for (it dialled us). Only it can
 * dial again; a session request tells it to, at once instead of after
 * its dead-peer timer. The request is no larger than what provoked it
 * and rate-limited, so a spoofed flood gains nothing; the sender acts on
 * it only when it comes from the path of a peer it knows.
 *
 * Through a relay the size rule is waived: the request goes back on the
 * channel, which the relay delivers only to the node at its far end, a
 * member of the network and not a victim of the sender's choosing. A
 * relayed peer that only pings or keeps alive (records smaller than the
 * request) would otherwise never be asked.
 */
static void ask_for_handshake(struct node *node, const struct path *from,
			      const struct wire_header *hdr)
{
	uint8_t req[WIRE_SESSION_REQUEST_LEN] = { 0 };

	if ((!from->relay_channel &&
	     WIRE_HEADER_LEN + hdr->payload_len < sizeof(req)) ||
	    !token_bucket_take(&node->dp.ask_limit, node_now(node),
			       ASK_RATE))
		return;
	wire_put_header(req, WIRE_TYPE_SESSION_REQUEST, 0, 0);
	path_send(node, from, req, sizeof(req), NULL, 0);
	node->stats.tx_handshake_asks++;
}

/* A data record the receive batch did not open (a relayed one, or one
 * it turned away): opened here, into the data path's plaintext buffer. */
static void data_datagram(struct node *node, const struct path *from,
			  const struct wire_header *hdr)
{
	struct session *s = session_lookup_index(node, hdr->receiver_index);
	struct peer *peer;
	int n;

	if (!s || s->state != SESSION_ESTABLISHED || !s->peer) {
		node->stats.rx_unknown_session++;
		/* A peer that restarted while we did not still sends under
		 * our old index: ask it for a fresh handshake, unless its
		 * session answers (anybody can send this from its address). */
		peer = peer_find_by_path(node, from);
		if (peer)
			liveness_doubt(peer, false);
		else if (node->cfg.rendezvous)
			/* A node of our last life: it should register anew. */
			rendezvous_notice(node, from, hdr->receiver_index,
					  WIRE_NOTICE_UNKNOWN_SESSION,
					  WIRE_HEADER_LEN + hdr->payload_len);
		else
			ask_for_handshake(node, from, hdr);
		return;
	}
	if (s->in_kernel) {
		/* Its keys went to podnet.ko, which opens every record under
		 * them with the only replay window that saw them since; ours
		 * has not. One that reaches us anyway (its slot gone) is
		 * not ours to open. */
		node->stats.rx_unknown_session++;
		return;
	}
	n = session_receive_data(s, hdr->payload, hdr->payload_len,
				 node->dp.plaintext, DATAPATH_PACKET_MAX);
	if (n <= 0) {
		s->peer->stats.drop_invalid++;
		return;
	}
	dispatch_plaintext(node, from, s, node->dp.plaintext, (size_t)n);
}

static void session_request_datagram(struct node *node,
				     const struct path *from)
{
	/* Only known paths may ask: anyone else could make us send
	 * handshakes at a victim. */
	struct peer *peer = peer_find_by_path(node, from);

	/* From the peer's address is not from the peer: a session that
	 * still answers is kept (liveness.c). */
	if (peer)
		liveness_doubt(peer, true);
}

static void nat_probe_datagram(struct node *node, const struct path *from,
			       const struct wire_header *hdr)
{
	uint8_t addr[16];
	uint16_t port;
	int family, ret;

	ret = wire_parse_probe(hdr, &family, addr, &port);
	if (ret == 1 && node->cfg.rendezvous && !from->relay_channel)
		rendezvous_probe_answer(node, from, hdr->receiver_index);
	else if (ret == 0)
		registration_probe_answer(node, from, hdr->receiver_index,
					  family, addr, port);
	else
		node->stats.rx_malformed++;
}

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
	dispatch_datagram(node, &inner, hdr->payload, hdr->payload_len);
}

void dispatch_datagram(struct node *node, const struct path *from,
		       const uint8_t *buf, size_t len)
{
	struct wire_header hdr;
	const uint8_t *token;
	uint64_t boot_id;
	uint8_t kind;

	if (wire_parse(buf, len, &hdr) != WIRE_OK) {
		char ep[ADDR_STR_MAX];

		node->stats.rx_malformed++;
		log_debug_ratelimited("malformed datagram (%zu bytes) from %s",
				      len, path_format(from, ep, sizeof(ep)));
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
	case WIRE_TYPE_NOTICE:
		if (wire_parse_notice(&hdr, &boot_id, &kind) ||
		    from->relay_channel || node->cfg.rendezvous)
			node->stats.rx_malformed++;
		else
			recover_notice(node, from, hdr.receiver_index, boot_id,
				       kind);
		break;
	}
}
