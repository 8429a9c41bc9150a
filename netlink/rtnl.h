/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Interface set-up over rtnetlink with libmnl: link state, MTU, addresses,
 * routes, deletion, and the queries that let podnetd adopt a link the
 * user made (what it holds already). Every call is one request and its ACK; a kernel rejection comes
 * back as a negative errno with the kernel's extack text in err when it
 * sent one.
 */
#ifndef _PODNET_RTNL_H
#define _PODNET_RTNL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct nlmsghdr;

int rtnl_link_index(const char *ifname);
int rtnl_link_set(int ifindex, unsigned int mtu, bool up, char *err,
		  size_t errlen);
int rtnl_addr_add_ipv4(int ifindex, struct in_addr addr, uint8_t prefixlen,
		       char *err, size_t errlen);
/* ip link set IFINDEX gso_max_segs SEGS: the most segments the stack puts
 * in one GSO packet for the link. */
int rtnl_link_set_gso_max_segs(int ifindex, unsigned int segs, char *err,
			       size_t errlen);
int rtnl_link_delete(int ifindex, char *err, size_t errlen);
/* ip link add IFNAME type KIND, then ip link set IFNAME alias ALIAS (may
 * be NULL; a failure to set it is ignored) */
int rtnl_link_create(const char *ifname, const char *kind,
		     const char *alias, char *err, size_t errlen);

/* What `ip link show` says about a link, as far as podnetd cares. */
struct rtnl_link_info {
	unsigned int mtu;
	unsigned int gso_max_segs;	/* 0 if the kernel does not say */
	bool up;
	char alias[64];		/* IFLA_IFALIAS, "" if none */
	char kind[32];		/* IFLA_INFO_KIND: "tun", "podnet"; "" if none */
};
int rtnl_link_get(int ifindex, struct rtnl_link_info *info, char *err,
		  size_t errlen);
/* 1 if the link holds addr (any prefix), 0 if not, or -errno. */
int rtnl_addr_has_ipv4(int ifindex, struct in_addr addr, char *err,
		       size_t errlen);
int rtnl_addr_del_ipv4(int ifindex, struct in_addr addr, uint8_t prefixlen,
		       char *err, size_t errlen);
/* 1 if the main table has a route to exactly dst/dst_len, 0, or -errno. */
int rtnl_route_exists_ipv4(struct in_addr dst, uint8_t dst_len, char *err,
			   size_t errlen);
/* ip route add|del DST/LEN dev IFINDEX scope link src SRC */
int rtnl_route_add_ipv4(int ifindex, struct in_addr dst, uint8_t dst_len,
			struct in_addr src, char *err, size_t errlen);
int rtnl_route_del_ipv4(int ifindex, struct in_addr dst, uint8_t dst_len,
			struct in_addr src, char *err, size_t errlen);
/* The same for IPv6. An address added with a prefix shorter than /128
 * brings its prefix route (kernel's own); it is added without DAD. */
int rtnl_addr_add_ipv6(int ifindex, const struct in6_addr *addr,
		       uint8_t prefixlen, char *err, size_t errlen);
int rtnl_addr_has_ipv6(int ifindex, const struct in6_addr *addr, char *err,
		       size_t errlen);
int rtnl_addr_del_ipv6(int ifindex, const struct in6_addr *addr,
		       uint8_t prefixlen, char *err, size_t errlen);
int rtnl_route_exists_ipv6(const struct in6_addr *dst, uint8_t dst_len,
			   char *err, size_t errlen);
int rtnl_route_add_ipv6(int ifindex, const struct in6_addr *dst,
			uint8_t dst_len, const struct in6_addr *src, char *err,
			size_t errlen);
int rtnl_route_del_ipv6(int ifindex, const struct in6_addr *dst,
			uint8_t dst_len, const struct in6_addr *src, char *err,
			size_t errlen);

/*
 * libmnl NLMSG_ERROR callback that keeps the kernel's extack text: data is
 * char *[2] = { buffer, (char *)size }. Shared with the genetlink client.
 */
int nl_extack_error_cb(const struct nlmsghdr *nlh, void *data);

#endif /* _PODNET_RTNL_H */
