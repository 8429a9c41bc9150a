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

int rtnl_link_index(const char *ifname);
int rtnl_link_set(int ifindex, unsigned int mtu, bool up, char *err,
		  size_t errlen);
int rtnl_addr_add_ipv4(int ifindex, struct in_addr addr, uint8_t prefixlen,
		       char *err, size_t errlen);
int rtnl_link_delete(int ifindex, char *err, size_t errlen);

#endif /* _PODNET_RTNL_H */
