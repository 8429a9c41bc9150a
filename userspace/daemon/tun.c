// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The TUN device. Only its creation needs the tun ioctl; address, MTU and
 * link state are set over rtnetlink (netlink/rtnl.c).
 */
#include "tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/*
 * Returns the fd, or -errno. With a virtio-net header on every packet and
 * TSO enabled, the kernel hands over TCP super-packets of up to 64 KB in
 * one read and leaves checksums to us (tso.c): far fewer reads per byte.
 * *offload says whether the kernel took the offloads.
 */
int tun_open(const char *ifname, char *actual, size_t actual_len,
	     bool *offload)
{
	struct ifreq ifr = { 0 };
	unsigned int features = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO_ECN;
	int fd, ret;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	/* No packet-info header: every read is exactly one IP packet. */
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	snprintf(actual, actual_len, "%s", ifr.ifr_name);
	*offload = ioctl(fd, TUNSETOFFLOAD, features) == 0;
	return fd;
}
