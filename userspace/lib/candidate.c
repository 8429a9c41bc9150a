// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Candidate addresses that reach us through a rendezvous. The rendezvous
 * only passes on what a member registered, and any member may register
 * anything: the rendezvous drops what cannot be a host (candidate_sane),
 * and the node that is told to punch probes a LAN candidate only when it
 * could be on a LAN shared with us, and in only so many punches per
 * address, however many introductions name it. The reflexive
 * candidate is the address the rendezvous itself saw: that one is not the
 * member's word and is always probed.
 */
#include "candidate.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>

/* Punches an address may be probed in: a burst (a few peers on one LAN
 * introduced at once), then one every few seconds. A punch probes each
 * candidate five times a second for PunchTimeout. */
#define PROBE_ADMISSION_BURST 3.0
#define PROBE_ADMISSION_INTERVAL 4.0	/* s */

static bool v4_sane(uint32_t a)
{
	uint8_t top = (uint8_t)(a >> 24);

	/* 0/8 "this network", 127/8 loopback, 224/4 multicast, 240/4
	 * reserved and 255.255.255.255. */
	return top != 0 && top != 127 && top < 224;
}

static bool v4_private(uint32_t a)
{
	return (a >> 24) == 10 ||			/* 10/8 */
	       (a >> 20) == (172u << 4 | 1) ||		/* 172.16/12 */
	       (a >> 16) == (192u << 8 | 168) ||	/* 192.168/16 */
	       (a >> 16) == (169u << 8 | 254) ||	/* 169.254/16 */
	       (a >> 22) == (100u << 2 | 1);		/* 100.64/10 */
}

static bool v6_mapped(const struct in6_addr *a)
{
	return IN6_IS_ADDR_V4MAPPED(a) || IN6_IS_ADDR_V4COMPAT(a);
}

bool candidate_sane(const struct endpoint *ep)
{
	if (ep->sa.sa_family == AF_INET && ep->len == sizeof(ep->in))
		return ep->in.sin_port &&
		       v4_sane(ntohl(ep->in.sin_addr.s_addr));
	if (ep->sa.sa_family == AF_INET6 && ep->len == sizeof(ep->in6)) {
		const struct in6_addr *a = &ep->in6.sin6_addr;

		if (v6_mapped(a))
			return false;	/* IPv4 travels as IPv4 */
		return ep->in6.sin6_port && !IN6_IS_ADDR_UNSPECIFIED(a) &&
		       !IN6_IS_ADDR_LOOPBACK(a) && !IN6_IS_ADDR_MULTICAST(a);
	}
	return false;
}

static bool in_subnet(const struct sockaddr *addr, const struct sockaddr *mask,
		      const struct endpoint *ep)
{
	const uint8_t *a, *m, *e;
	size_t n;

	if (!addr || !mask || addr->sa_family != ep->sa.sa_family)
		return false;
	if (addr->sa_family == AF_INET) {
		a = (const uint8_t *)&((const struct sockaddr_in *)addr)->sin_addr;
		m = (const uint8_t *)&((const struct sockaddr_in *)mask)->sin_addr;
		e = (const uint8_t *)&ep->in.sin_addr;
		n = 4;
	} else {
		a = ((const struct sockaddr_in6 *)addr)->sin6_addr.s6_addr;
		m = ((const struct sockaddr_in6 *)mask)->sin6_addr.s6_addr;
		e = ep->in6.sin6_addr.s6_addr;
		n = 16;
	}
	for (size_t i = 0; i < n; i++) {
		if ((a[i] & m[i]) != (e[i] & m[i]))
			return false;
	}
	return true;
}

/* One of our interfaces (not loopback) has ep in its subnet. */
static bool on_our_subnet(const struct endpoint *ep)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa))
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if ((i->ifa_flags & IFF_LOOPBACK) || !(i->ifa_flags & IFF_UP))
			continue;
		found = in_subnet(i->ifa_addr, i->ifa_netmask, ep);
	}
	freeifaddrs(ifa);
	return found;
}

bool candidate_plausible_lan(const struct endpoint *ep)
{
	if (!candidate_sane(ep))
		return false;
	if (ep->sa.sa_family == AF_INET &&
	    v4_private(ntohl(ep->in.sin_addr.s_addr)))
		return true;
	if (ep->sa.sa_family == AF_INET6 &&
	    ((ep->in6.sin6_addr.s6_addr[0] & 0xfe) == 0xfc ||	/* fc00::/7 */
	     IN6_IS_ADDR_LINKLOCAL(&ep->in6.sin6_addr)))
		return true;
	return on_our_subnet(ep);
}

static uint32_t ep_hash(const struct endpoint *ep)
{
	const uint8_t *p = ep->sa.sa_family == AF_INET ?
		(const uint8_t *)&ep->in.sin_addr : ep->in6.sin6_addr.s6_addr;
	size_t n = ep->sa.sa_family == AF_INET ? 4 : 16;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

bool candidate_probe_allowed(struct node_candidates *nc,
			     const struct endpoint *ep, double now)
{
	/* By address, not port: other ports of one host are no other
	 * target. Two addresses in one slot share its bucket, rather than
	 * reset each other's (an attacker picks the addresses). */
	struct token_bucket *tb = &nc->buckets[ep_hash(ep) % CANDIDATE_BUCKETS];

	/* token_bucket_take() bursts one second's worth: too little here. */
	tb->tokens += (now - tb->last) / PROBE_ADMISSION_INTERVAL;
	tb->last = now;
	if (tb->tokens > PROBE_ADMISSION_BURST)
		tb->tokens = PROBE_ADMISSION_BURST;
	if (tb->tokens < 1.0)
		return false;
	tb->tokens -= 1.0;
	return true;
}
