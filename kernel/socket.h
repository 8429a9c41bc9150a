/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The daemon's UDP sockets, lent to the kernel: data records for our
 * sessions are taken out of them (encap_rcv), everything else still
 * reaches the daemon, and the data path sends through them.
 */
#ifndef _PODNET_SOCKET_H
#define _PODNET_SOCKET_H

#include <linux/netlink.h>
#include <net/sock.h>

struct podnet_dev;

/**
 * struct podnet_sock - one attached socket
 * @pdev: the device it feeds
 * @sk: the socket; we hold a reference on the struct sock (not on the
 *	file, so the daemon closing or dying still releases it)
 * @slot: index in podnet_dev.socks
 * @rcu: frees this after readers
 */
struct podnet_sock {
	struct podnet_dev *pdev;
	struct sock *sk;
	unsigned int slot;
	struct rcu_head rcu;
};

int podnet_sock_attach(struct podnet_dev *pdev, int fd,
		       struct netlink_ext_ack *extack);
int podnet_sock_detach_fd(struct podnet_dev *pdev, int fd,
			  struct netlink_ext_ack *extack);
void podnet_sock_detach_all(struct podnet_dev *pdev);
const struct sock *podnet_sock_by_fd(struct podnet_dev *pdev, int fd,
				     struct netlink_ext_ack *extack);
struct podnet_sock *podnet_sock_pick(struct podnet_dev *pdev,
				     const struct sock *pref);
unsigned int podnet_sock_count(struct podnet_dev *pdev);

#endif /* _PODNET_SOCKET_H */
