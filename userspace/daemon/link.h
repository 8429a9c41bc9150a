/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The interface's addresses, route, MTU and state (link.c): set on a link
 * podnetd created, or only what is missing on a link the user made
 * (`ip tuntap add`, `ip link add type podnet`), which podnetd adopts and
 * gives back as it found it.
 */
#ifndef _PODNET_LINK_H
#define _PODNET_LINK_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct node;

/* The alias podnetd gives a podnet-type link it creates, so that a later
 * podnetd can tell one a killed daemon left behind from a user's. */
#define LINK_ALIAS_OURS "podnetd"

/* The node's part (node->link). */
struct node_link {
	bool adopted;		/* the link existed before us: never delete it */
	bool added_address;	/* Address was not on it */
	bool added_route;	/* nor a route to its prefix */
	bool added_address6;	/* the same for Address's IPv6 address */
	bool added_route6;
	bool set_mtu;		/* we changed its MTU from orig_mtu */
	bool set_up;		/* it was down */
	bool set_gso_max_segs;	/* it holds gso_max_segs, not the original */
	unsigned int orig_mtu;
	unsigned int orig_gso_max_segs;	/* 0: not read yet */
	unsigned int gso_max_segs;
};

/*
 * Configure node->ifindex: everything on a link we created; only what is
 * missing on an adopted one (node->link.adopted set by the caller). May
 * update node->cfg.mtu to the MTU the user chose. 0 or -1 with err.
 */
int link_configure(struct node *node, char *err, size_t errlen);
/*
 * A peer's routed subnet: a kernel route to it via the interface, unless
 * Routes = off or a route to exactly that prefix is already there (the
 * user's; left alone). True if podnetd added it, so that
 * link_subnet_del removes only what it added.
 */
struct cert_route;
bool link_subnet_add(struct node *node, const struct cert_route *r);
void link_subnet_del(struct node *node, const struct cert_route *r);
/*
 * On a TUN device of a node that does not forward: let the stack put no
 * more TCP segments in one super-packet than leave in one UDP GSO send at
 * the node's MTU. Again on reload, for a new MTU, and every second, for a
 * change of net.ipv4.ip_forward or net.ipv6.conf.all.forwarding. Only a
 * matter of speed: a failure is logged at debug level.
 */
void link_fit_gso(struct node *node);
/* On exit: undo what link_configure added to an adopted link. */
void link_release(struct node *node);
/* The MTU a reload may set: on an adopted link without MTU in the file,
 * the link keeps the one it has. */
bool link_keeps_mtu(const struct node *node, const struct config *cfg);

#endif /* _PODNET_LINK_H */
