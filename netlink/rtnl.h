/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Interface set-up over rtnetlink with libmnl: link state, MTU, addresses,
 * deletion. Every call is one request and its ACK; a kernel rejection comes
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
int rtnl_link_delete(int ifindex, char *err, size_t errlen);
/* ip link add IFNAME type KIND */
int rtnl_link_create(const char *ifname, const char *kind, char *err,
		     size_t errlen);

/*
 * libmnl NLMSG_ERROR callback that keeps the kernel's extack text: data is
 * char *[2] = { buffer, (char *)size }. Shared with the genetlink client.
 */
int nl_extack_error_cb(const struct nlmsghdr *nlh, void *data);

#endif /* _PODNET_RTNL_H */
