// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Which pure TCP ACKs a later one makes redundant (tcp_ack.h).
 */
#include "tcp_ack.h"

#include <netinet/tcp.h>
#include <string.h>

static uint32_t be32_at(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

bool tcp_ack_is_pure(const uint8_t *pkt, size_t len, size_t ihl)
{
	const uint8_t *tcp = pkt + ihl, *opt;
	size_t thl, i = 0;

	if ((ihl != 20 && ihl != 40) || len < ihl + 20 || len > TCP_ACK_MAX)
		return false;
	thl = (tcp[12] >> 4) * 4u;
	/* No payload; ACK alone (not even PSH, ECE or CWR), and none of
	 * the reserved bits, where AccECN keeps its flag. */
	if (thl < 20 || len != ihl + thl || tcp[13] != TH_ACK ||
	    (tcp[12] & 0x0f))
		return false;
	opt = tcp + 20;
	while (i < thl - 20) {
		if (opt[i] == TCPOPT_NOP)
			i++;
		else if (opt[i] == TCPOPT_TIMESTAMP &&
			 i + TCPOLEN_TIMESTAMP <= thl - 20 &&
			 opt[i + 1] == TCPOLEN_TIMESTAMP)
			i += TCPOLEN_TIMESTAMP;
		else
			return false;
	}
	return true;
}

bool tcp_ack_supersedes(const uint8_t *held, size_t held_len,
			const uint8_t *pkt, size_t len, size_t ihl)
{
	bool same_ip;

	if (len != held_len || held[0] != pkt[0] ||
	    !tcp_ack_is_pure(pkt, len, ihl))
		return false;
	if (ihl == 40)	/* version, traffic class, flow label; hop limit */
		same_ip = (pkt[0] >> 4) == 6 && !memcmp(held, pkt, 4) &&
			  held[6] == pkt[6] && held[7] == pkt[7] &&
			  !memcmp(held + 8, pkt + 8, 32);
	else		/* TOS, TTL, protocol, addresses */
		same_ip = (pkt[0] >> 4) == 4 && held[1] == pkt[1] &&
			  held[8] == pkt[8] && held[9] == pkt[9] &&
			  !memcmp(held + 12, pkt + 12, 8);
	/* Ports and sequence number equal, the ACK number later. */
	return same_ip && !memcmp(held + ihl, pkt + ihl, 8) &&
	       (int32_t)(be32_at(pkt + ihl + 8) -
			 be32_at(held + ihl + 8)) > 0;
}
