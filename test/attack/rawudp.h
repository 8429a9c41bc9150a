/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The attacker's hands for the security tests (test/netns/attack-*.sh):
 * send a UDP datagram from any IPv4 source, and watch the UDP datagrams
 * that cross an interface. Test tools only, never linked into podnet.
 */
#ifndef _PODNET_RAWUDP_H
#define _PODNET_RAWUDP_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#define RAWUDP_PAYLOAD_MAX 65507

/* A raw IPv4 socket that writes its own headers; -1 and errno on error. */
int rawudp_open(void);

/* Sends payload from src to dst with a correct IPv4 and UDP checksum;
 * 0, or -1 and errno. */
int rawudp_send(int fd, const struct sockaddr_in *src,
		const struct sockaddr_in *dst, const void *payload, size_t len);

/* "A.B.C.D:PORT" into out; 0, or -1 for anything else. */
int rawudp_parse_endpoint(const char *text, struct sockaddr_in *out);

/* "A.B.C.D:PORT" of addr into buf (at least 22 bytes). */
const char *rawudp_format_endpoint(const struct sockaddr_in *addr,
				   char *buf, size_t len);

/* Hex text (whitespace allowed) into out; the byte count, or -1. */
long rawudp_parse_hex(const char *text, uint8_t *out, size_t cap);

struct rawudp_datagram {
	struct sockaddr_in src;
	struct sockaddr_in dst;
	const uint8_t *payload;		/* points into the sniffer's buffer */
	size_t len;
};

struct rawudp_sniffer {
	int fd;
	uint8_t buf[65536];
};

/* Sees the IPv4 packets ifname receives; 0 or -1. With as_tap, every
 * frame on it as a tap on the wire would: also what it sends and what a
 * bridge port carries (a socket bound to IPv4 alone sees neither: the
 * bridge takes the frame before protocol handlers run, and sent frames
 * reach only sockets bound to every protocol). The reader skips what is
 * not IPv4/UDP either way. */
int rawudp_sniff_open(struct rawudp_sniffer *s, const char *ifname,
		      bool as_tap);

/* The next UDP datagram within timeout_ms: 1 with out filled, 0 on
 * timeout, -1 on error. Fragments and non-UDP packets are skipped. */
int rawudp_sniff_next(struct rawudp_sniffer *s, int timeout_ms,
		      struct rawudp_datagram *out);

void rawudp_sniff_close(struct rawudp_sniffer *s);

#endif /* _PODNET_RAWUDP_H */
