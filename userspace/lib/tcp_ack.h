/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * ACK thinning, as sch_cake's ack-filter does it: of consecutive pure
 * ACKs of one TCP flow, only the last needs to reach the sender when each
 * later one just moves the acknowledgement on. A bulk sender behind a
 * tunnel gets one ACK for every super-packet the far end wrote, many of
 * them in one receive batch, and each costs it a TUN write and a pass
 * through its TCP stack for what the last one says anyway. Duplicate
 * ACKs (which signal loss), window updates alone, SACK, ECN flags and
 * every option but timestamps are never thinned.
 */
#ifndef _PODNET_TCP_ACK_H
#define _PODNET_TCP_ACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest pure ACK: an IPv6 header and a TCP header with options. */
#define TCP_ACK_MAX (40 + 60)

/*
 * Is pkt (len bytes, an IP header of ihl bytes: 20, IPv4 without
 * options, or 40, IPv6 with TCP next) a pure ACK that may be thinned:
 * flags ACK alone, no payload, no option but NOP and timestamps?
 */
bool tcp_ack_is_pure(const uint8_t *pkt, size_t len, size_t ihl);

/*
 * Does the pure ACK pkt make held (an earlier pure ACK, held_len bytes)
 * redundant? The same flow, IP header fields (ECN included), length and
 * sequence number, and an acknowledgement number after held's.
 */
bool tcp_ack_supersedes(const uint8_t *held, size_t held_len,
			const uint8_t *pkt, size_t len, size_t ihl);

#endif /* _PODNET_TCP_ACK_H */
