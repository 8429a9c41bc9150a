// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "checksum.h"

#include <arpa/inet.h>
#include <string.h>

uint32_t csum_add(uint32_t sum, const uint8_t *data, size_t len)
{
	uint64_t s = sum;

	/* 64-bit accumulation of 32-bit words: no carry until the end. */
	for (; len >= 4; data += 4, len -= 4) {
		uint32_t w;

		memcpy(&w, data, 4);
		s += ntohl(w);
	}
	for (; len >= 2; data += 2, len -= 2)
		s += (uint32_t)(data[0] << 8 | data[1]);
	if (len)
		s += (uint32_t)data[0] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint32_t)s;
}

uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint32_t csum_pseudo_ipv4(const uint8_t *addrs, uint8_t protocol,
			  uint16_t len)
{
	uint8_t pseudo[12];

	memcpy(pseudo, addrs, 8);
	pseudo[8] = 0;
	pseudo[9] = protocol;
	pseudo[10] = (uint8_t)(len >> 8);
	pseudo[11] = (uint8_t)len;
	return csum_add(0, pseudo, sizeof(pseudo));
}

uint32_t csum_pseudo_ipv6(const uint8_t *addrs, uint8_t next_header,
			  uint32_t len)
{
	uint8_t tail[8] = { (uint8_t)(len >> 24), (uint8_t)(len >> 16),
			    (uint8_t)(len >> 8), (uint8_t)len, 0, 0, 0,
			    next_header };

	return csum_add(csum_add(0, addrs, 32), tail, sizeof(tail));
}

uint16_t csum_inet(const void *data, size_t len)
{
	return htons(csum_fold(csum_add(0, data, len)));
}
