/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The TUN device: packets read from it are routed to a peer's session
 * (after TSO splitting), packets for it are written back, coalesced into
 * TCP super-packets where they can be, and destinations nobody holds are
 * answered with ICMP unreachables.
 */
#ifndef _PODNET_TUN_H
#define _PODNET_TUN_H

#include <netinet/ip6.h>
#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "datapath.h"
#include "tcp_ack.h"

struct iphdr;
struct node;

/* Every packet on the TUN device follows a virtio-net header. Packets
 * are parsed in place as struct iphdr, so they must be 4-aligned: reads
 * land TUN_READ_OFFSET into a 16-aligned buffer, which puts the packet
 * after the header on a 16-byte boundary. */
#define TUN_VNET_HDR_LEN sizeof(struct virtio_net_hdr)
#define TUN_READ_OFFSET (16 - TUN_VNET_HDR_LEN)

struct tun_io {
	uint8_t read_space[TUN_READ_OFFSET + TUN_VNET_HDR_LEN +
			   DATAPATH_PACKET_MAX] __attribute__((aligned(16)));
	/* An aligned copy of a TSO segment for the rare paths that parse
	 * it again (tun_segment()). */
	uint8_t segment[DATAPATH_PACKET_MAX] __attribute__((aligned(16)));
	/* Receive coalescing: the TCP super-packet being built. */
	struct {
		uint8_t buf[65535] __attribute__((aligned(16)));
		size_t len;		/* bytes in buf */
		size_t hdr_len;		/* IP + TCP header */
		size_t mss;		/* payload of every segment but the last */
		size_t count;
		uint32_t next_seq;
		bool v6;		/* an IPv6 flow (else IPv4) */
	} gro;
	/* A pure ACK held back while a batch is handled, in case a later
	 * one of the same flow makes it redundant (tcp_ack.h). */
	struct {
		uint8_t buf[TCP_ACK_MAX];
		size_t len;		/* 0: none held */
	} ack;
};

/*
 * Creates the device; returns the fd, or -errno. *offload says whether
 * the kernel took the offloads (TSO super-packets, checksums left to us).
 */
int tun_open(const char *ifname, char *actual, size_t actual_len,
	     bool *offload);
/* The watcher on node->dp.tun_fd. */
void tun_read_cb(struct ev_loop *loop, ev_io *w, int revents);
/* Writes an authenticated IPv4 or IPv6 packet to the device; while a receive
 * batch is handled (rx_coalescing) TCP segments wait in tun_io.gro, and a
 * pure ACK in tun_io.ack. */
void tun_deliver(struct node *node, const uint8_t *pkt, size_t len);
/* Writes the coalesced super-packet or the held ACK, if any. */
void tun_flush(struct node *node);
/* The header when the len bytes at pkt hold a well-formed IPv4 packet,
 * else NULL. */
const struct iphdr *tun_ipv4_header(const uint8_t *pkt, size_t len);
/* The same for IPv6: the fixed header, its payload within len. The
 * packet's length is 40 + ip6_plen. */
const struct ip6_hdr *tun_ipv6_header(const uint8_t *pkt, size_t len);
/* Tells the sender of a packet read from the device that nobody took
 * it: an ICMP host unreachable (ICMPv6 address unreachable), as a router
 * answers when neighbour resolution fails; rate-limited with the rest. */
void tun_unreachable(struct node *node, const uint8_t *pkt, size_t len);
/* One error line, then the daemon stops with exit status 1. */
void tun_interface_gone(struct node *node, const char *why);
/* A read from the TUN fd failed with errno err. */
void tun_read_failed(struct node *node, int err);

#endif /* _PODNET_TUN_H */
