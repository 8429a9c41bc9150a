// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The TUN device. Only its creation needs the tun ioctl; address, MTU and
 * link state are set over rtnetlink (netlink/rtnl.c). And what happens
 * when the interface goes away under the daemon.
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

#include "log.h"
#include "node.h"

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

/*
 * The interface was deleted under us (`ip link del`). Nothing brings it
 * back to this daemon: its TUN fd only ever answers EBADFD now, and
 * routes and addresses went with it. So say it once and stop the way
 * SIGTERM does, but with a failure status: a supervisor (systemd's
 * Restart=on-failure) starts a fresh daemon, which creates it anew.
 */
void tun_interface_gone(struct node *node, const char *why)
{
	if (node->exit_status)
		return;
	log_err("%s: the interface is gone (%s); shutting down",
		node->cfg.ifname, why);
	node->exit_status = 1;
	/* Nothing left to delete on the way out. */
	node->ifindex = 0;
	ev_io_stop(node->loop, &node->tun_watcher);
	ev_break(node->loop, EVBREAK_ALL);
}

void tun_read_failed(struct node *node, int err)
{
	if (err == EBADFD || err == ENODEV) {
		tun_interface_gone(node, strerror(err));
		return;
	}
	log_warn_ratelimited("tun read: %s", strerror(err));
}
