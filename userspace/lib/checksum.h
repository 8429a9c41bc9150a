/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The Internet checksum (RFC 1071) for the IPv4 and IPv6 packets the daemon builds
 * or finishes itself: TSO segments, coalesced TCP super-packets and ICMP
 * unreachables. Sums are kept in host order until they are stored.
 */
#ifndef _PODNET_CHECKSUM_H
#define _PODNET_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Adds len bytes at data to the partial sum; an odd last byte counts as
 * the high byte of a word. Returns a partial sum of at most 16 bits. */
uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len);

/* The checksum of a partial sum: folded and complemented, host order. */
uint16_t csum_fold(uint32_t sum);

/*
 * The partial sum of an IPv4 pseudo-header: addrs points at the source
 * address followed by the destination (as at offset 12 of the IP header),
 * len is the length of the transport header and payload.
 */
uint32_t csum_pseudo_ipv4(const uint8_t *addrs, uint8_t protocol,
			  uint16_t len);

/* The same for IPv6 (RFC 8200 section 8.1): addrs points at the source
 * address followed by the destination (offset 8 of the IPv6 header). */
uint32_t csum_pseudo_ipv6(const uint8_t *addrs, uint8_t next_header,
			  uint32_t len);

/* The checksum of len bytes at data in network order, ready to store in
 * an IPv4 or ICMP header whose checksum field is zero. */
uint16_t csum_inet(const void *data, size_t len);

#endif /* _PODNET_CHECKSUM_H */
