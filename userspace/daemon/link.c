// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Address, route, MTU and state of the interface. On a link podnetd made
 * it sets them all (and deletes the link on exit). On a link the user made
 * it is a guest, as wg-quick is on a WireGuard link: the user's addresses,
 * routes and MTU stay, it adds only its Address and the route to the
 * network's prefix if they are missing, and on exit it takes back exactly
 * what it added. doc/config.md, "Using your own link", says it for users.
 */
#include "link.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "node.h"
#include "rtnl.h"
#include "udp.h"

static struct in_addr prefix_of(struct in_addr a, uint8_t len)
{
	struct in_addr p;

	p.s_addr = len ? a.s_addr & htonl(~0u << (32 - len)) : 0;
	return p;
}

/* Whether an MTU the link has is one the user chose and podnet can use:
 * a fresh TUN has 1500, more than a podnet datagram can carry, so it
 * counts as "not set". */
static bool mtu_usable(unsigned int mtu)
{
	return mtu >= CONFIG_MIN_MTU && mtu <= CONFIG_MAX_MTU;
}

static struct in6_addr prefix6_of(const struct in6_addr *a, uint8_t len)
{
	struct in6_addr p = *a;

	for (unsigned int i = 0; i < 16; i++) {
		unsigned int keep = len >= 8 * (i + 1) ? 8 :
				    len > 8 * i ? len - 8 * i : 0;

		p.s6_addr[i] &= (uint8_t)(0xff00u >> keep);
	}
	return p;
}

/* Address's IPv6 address, and the route to its prefix, when missing. On
 * a link of ours both are missing, and the kernel adds the prefix route
 * with the address. The link must be up with an MTU of 1280 or more. */
static int add_ipv6(struct node *node, char *why, size_t whylen)
{
	struct node_link *l = &node->link;
	const struct config *cfg = &node->cfg;
	struct in6_addr net;
	int ret;

	if (!cfg->has_address6)
		return 0;
	if (cfg->mtu < CONFIG_MIN_MTU6) {
		snprintf(why, whylen,
			 "its MTU %u is below %d, the least IPv6 allows, and Address has an IPv6 address: set MTU = %d or more",
			 cfg->mtu, CONFIG_MIN_MTU6, CONFIG_MIN_MTU6);
		return -1;
	}
	ret = rtnl_addr_has_ipv6(node->ifindex, &cfg->address6, why, whylen);
	if (ret < 0)
		return ret;
	if (!ret) {
		ret = rtnl_addr_add_ipv6(node->ifindex, &cfg->address6,
					 cfg->prefixlen6, why, whylen);
		if (ret)
			return ret;
		l->added_address6 = true;
	}
	if (cfg->prefixlen6 == 128)
		return 0;
	net = prefix6_of(&cfg->address6, cfg->prefixlen6);
	ret = rtnl_route_exists_ipv6(&net, cfg->prefixlen6, why, whylen);
	if (ret < 0)
		return ret;
	if (!ret) {
		ret = rtnl_route_add_ipv6(node->ifindex, &net, cfg->prefixlen6,
					  &cfg->address6, why, whylen);
		if (ret)
			return ret;
		l->added_route6 = true;
	}
	return 0;
}

bool link_keeps_mtu(const struct node *node, const struct config *cfg)
{
	return node->link.adopted && !cfg->mtu_set;
}

static int adopt(struct node *node, char *why, size_t whylen)
{
	struct node_link *l = &node->link;
	const struct config *cfg = &node->cfg;
	struct rtnl_link_info info;
	unsigned int mtu = 0;
	int ret;

	ret = rtnl_link_get(node->ifindex, &info, why, whylen);
	if (ret)
		return ret;
	l->orig_mtu = info.mtu;
	l->orig_gso_max_segs = info.gso_max_segs;
	ret = cfg->has_address ?
	      rtnl_addr_has_ipv4(node->ifindex, cfg->address, why, whylen) : 1;
	if (ret < 0)
		return ret;
	if (!ret) {
		ret = rtnl_addr_add_ipv4(node->ifindex, cfg->address,
					 cfg->prefixlen, why, whylen);
		if (ret)
			return ret;
		l->added_address = true;
	}
	if (cfg->mtu_set || !mtu_usable(info.mtu)) {
		if (info.mtu != cfg->mtu) {
			mtu = cfg->mtu;
			l->set_mtu = true;
		}
	} else {
		/* The user's MTU is the one the node runs with. */
		node->cfg.mtu = info.mtu;
	}
	l->set_up = !info.up;
	if (mtu || l->set_up) {
		ret = rtnl_link_set(node->ifindex, mtu, true, why, whylen);
		if (ret)
			return ret;
	}
	/* The user's address may have a narrower prefix (a /32): the
	 * other nodes still need a route. The link must be up for it. */
	if (cfg->has_address && cfg->prefixlen < 32) {
		struct in_addr net = prefix_of(cfg->address, cfg->prefixlen);

		ret = rtnl_route_exists_ipv4(net, cfg->prefixlen, why, whylen);
		if (ret < 0)
			return ret;
		if (!ret) {
			ret = rtnl_route_add_ipv4(node->ifindex, net,
						  cfg->prefixlen, cfg->address,
						  why, whylen);
			if (ret)
				return ret;
			l->added_route = true;
		}
	}
	ret = add_ipv6(node, why, whylen);
	if (ret)
		return ret;
	log_info("%s: adopted the existing link (added:%s%s%s%s%s%s)",
		 cfg->ifname, l->added_address ? " address" : "",
		 l->added_route ? " route" : "",
		 l->added_address6 ? " address6" : "",
		 l->added_route6 ? " route6" : "", l->set_mtu ? " mtu" : "",
		 l->added_address || l->added_route || l->added_address6 ||
		 l->added_route6 || l->set_mtu ? "" : " nothing");
	return 0;
}

/*
 * Each TCP super-packet read from the TUN device leaves as one UDP GSO
 * send of its segments' records, and a send holds at most 64 KB. The
 * stack's own super-packets are 64 KB of TCP payload, which is a few
 * records more: every one then took a second send for its last 2-3
 * records, a second pass through both ends' UDP stacks and often a second
 * wake-up of the receiving daemon. Capping the segments per super-packet
 * at what one send holds halves the sends (doc/bench.md).
 *
 * Not on a node that forwards (a subnet router, containers behind it):
 * GSO packets built for other links would come over the cap, and the
 * kernel would cut each one up in software and hand it over one packet
 * per read, which costs far more than a second send.
 */
void link_fit_gso(struct node *node)
{
	struct node_link *l = &node->link;
	unsigned int segs = udp_gso_datagrams(node->cfg.mtu);
	bool forwards;
	char why[256];

	if (node->dp.tun_fd < 0 || node->ifindex <= 0 || !segs)
		return;
	forwards = fileio_flag_on("/proc/sys/net/ipv4/ip_forward") ||
		   fileio_flag_on("/proc/sys/net/ipv6/conf/all/forwarding");
	if (!l->orig_gso_max_segs) {
		struct rtnl_link_info info;

		if (rtnl_link_get(node->ifindex, &info, why, sizeof(why)) ||
		    !info.gso_max_segs)
			return;		/* the kernel does not say: leave it */
		l->orig_gso_max_segs = info.gso_max_segs;
	}
	if (forwards)
		segs = l->orig_gso_max_segs;
	if (segs == (l->set_gso_max_segs ? l->gso_max_segs :
					   l->orig_gso_max_segs))
		return;
	if (rtnl_link_set_gso_max_segs(node->ifindex, segs, why,
				       sizeof(why))) {
		log_debug_ratelimited("%s: cannot set gso_max_segs %u: %s",
				      node->cfg.ifname, segs, why);
		return;
	}
	log_debug("%s: gso_max_segs %u%s", node->cfg.ifname, segs,
		  forwards ? " (the node forwards: the link's own)" : "");
	l->gso_max_segs = segs;
	l->set_gso_max_segs = segs != l->orig_gso_max_segs;
}

int link_configure(struct node *node, char *err, size_t errlen)
{
	char why[256];
	int ret;

	if (node->link.adopted) {
		ret = adopt(node, why, sizeof(why));
	} else {
		ret = node->cfg.has_address ?
		      rtnl_addr_add_ipv4(node->ifindex, node->cfg.address,
					 node->cfg.prefixlen, why,
					 sizeof(why)) : 0;
		if (!ret)
			ret = rtnl_link_set(node->ifindex, node->cfg.mtu, true,
					    why, sizeof(why));
		if (!ret)
			ret = add_ipv6(node, why, sizeof(why));
	}
	if (ret) {
		snprintf(err, errlen, "%s: %s", node->cfg.ifname, why);
		return -1;
	}
	link_fit_gso(node);
	return 0;
}

void link_release(struct node *node)
{
	struct node_link *l = &node->link;
	const struct config *cfg = &node->cfg;
	char why[256];

	if (!l->adopted || node->ifindex <= 0)
		return;
	if (l->added_route &&
	    rtnl_route_del_ipv4(node->ifindex,
				prefix_of(cfg->address, cfg->prefixlen),
				cfg->prefixlen, cfg->address, why, sizeof(why)))
		log_warn("%s: cannot remove the route podnetd added: %s",
			 cfg->ifname, why);
	if (l->added_route6) {
		struct in6_addr net = prefix6_of(&cfg->address6,
						 cfg->prefixlen6);

		if (rtnl_route_del_ipv6(node->ifindex, &net, cfg->prefixlen6,
					&cfg->address6, why, sizeof(why)))
			log_warn("%s: cannot remove the IPv6 route podnetd added: %s",
				 cfg->ifname, why);
	}
	if (l->added_address6 &&
	    rtnl_addr_del_ipv6(node->ifindex, &cfg->address6, cfg->prefixlen6,
			       why, sizeof(why)))
		log_warn("%s: cannot remove the IPv6 address podnetd added: %s",
			 cfg->ifname, why);
	if (l->added_address &&
	    rtnl_addr_del_ipv4(node->ifindex, cfg->address, cfg->prefixlen,
			       why, sizeof(why)))
		log_warn("%s: cannot remove the address podnetd added: %s",
			 cfg->ifname, why);
	if (l->set_gso_max_segs &&
	    rtnl_link_set_gso_max_segs(node->ifindex, l->orig_gso_max_segs,
				       why, sizeof(why)))
		log_warn("%s: cannot restore the link's gso_max_segs: %s",
			 cfg->ifname, why);
	if ((l->set_mtu || l->set_up) &&
	    rtnl_link_set(node->ifindex, l->set_mtu ? l->orig_mtu : 0,
			  !l->set_up, why, sizeof(why)))
		log_warn("%s: cannot restore the link's MTU and state: %s",
			 cfg->ifname, why);
	memset(l, 0, sizeof(*l));
	l->adopted = true;
}

bool link_subnet_add(struct node *node, const struct cert_route *r)
{
	const struct config *cfg = &node->cfg;
	struct in_addr src = { 0 };
	char why[256], net[CERT_ROUTE_STR_MAX];
	int ret;

	if (cfg->routes_off || node->ifindex <= 0)
		return false;
	cert_route_format(r, net, sizeof(net));
	ret = r->v6 ? rtnl_route_exists_ipv6(&r->net6, r->len, why,
					     sizeof(why)) :
		      rtnl_route_exists_ipv4(r->net, r->len, why, sizeof(why));
	if (ret) {
		if (ret < 0)
			log_warn("%s: cannot look up a route to %s: %s",
				 cfg->ifname, net, why);
		else
			log_info("%s: a route to %s exists; leaving it alone",
				 cfg->ifname, net);
		return false;
	}
	/* The LAN behind the peer answers to our virtual address. */
	if (cfg->has_address)
		src = cfg->address;
	/* An IPv6 subnet is routed only with an IPv6 address (peer.c). */
	ret = r->v6 ? rtnl_route_add_ipv6(node->ifindex, &r->net6, r->len,
					  &cfg->address6, why, sizeof(why)) :
		      rtnl_route_add_ipv4(node->ifindex, r->net, r->len, src,
					  why, sizeof(why));
	if (ret) {
		log_warn("%s: cannot add a route to %s: %s", cfg->ifname, net,
			 why);
		return false;
	}
	log_info("%s: route to %s added", cfg->ifname, net);
	return true;
}

void link_subnet_del(struct node *node, const struct cert_route *r)
{
	const struct config *cfg = &node->cfg;
	struct in_addr src = { 0 };
	char why[256], net[CERT_ROUTE_STR_MAX];
	int ret;

	if (node->ifindex <= 0)
		return;
	if (cfg->has_address)
		src = cfg->address;
	cert_route_format(r, net, sizeof(net));
	ret = r->v6 ? rtnl_route_del_ipv6(node->ifindex, &r->net6, r->len,
					  &cfg->address6, why, sizeof(why)) :
		      rtnl_route_del_ipv4(node->ifindex, r->net, r->len, src,
					  why, sizeof(why));
	if (ret)
		log_warn("%s: cannot remove the route to %s: %s", cfg->ifname,
			 net, why);
}
