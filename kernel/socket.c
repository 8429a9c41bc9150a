// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * We do not keep the socket's file: if the daemon exits or is killed,
 * its sockets close as usual and udp_destroy_sock() calls our
 * encap_destroy, which unlinks the socket from the device. Every way out
 * (detach request, socket closed, device deleted) goes through
 * podnet_sock_unlink(), which only one of them wins.
 */
#include "socket.h"

#include <linux/file.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <net/udp.h>
#include <net/udp_tunnel.h>

#include "device.h"
#include "receive.h"

static void podnet_sock_free_rcu(struct rcu_head *rcu)
{
	struct podnet_sock *psock = container_of(rcu, struct podnet_sock, rcu);

	sock_put(psock->sk);
	kfree(psock);
}

/* Returns false if someone else already unlinked it. */
static bool podnet_sock_unlink(struct podnet_sock *psock)
{
	struct podnet_dev *pdev = psock->pdev;
	struct sock *sk = psock->sk;

	spin_lock_bh(&pdev->socks_lock);
	if (rcu_access_pointer(pdev->socks[psock->slot]) != psock) {
		spin_unlock_bh(&pdev->socks_lock);
		return false;
	}
	RCU_INIT_POINTER(pdev->socks[psock->slot], NULL);
	spin_unlock_bh(&pdev->socks_lock);

	/* Give the socket back to plain UDP. Not setup_udp_tunnel_sock():
	 * that needs sk->sk_socket, which a closing socket loses.
	 */
	WRITE_ONCE(udp_sk(sk)->encap_rcv, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_destroy, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_err_lookup, NULL);
	WRITE_ONCE(udp_sk(sk)->encap_type, 0);
	rcu_assign_sk_user_data(sk, NULL);
	pr_debug("%s: socket %u detached\n", pdev->dev->name, psock->slot);
	call_rcu(&psock->rcu, podnet_sock_free_rcu);
	return true;
}

/* The daemon closed the socket (or died): forget it. */
static void podnet_sock_encap_destroy(struct sock *sk)
{
	struct podnet_sock *psock;

	rcu_read_lock();
	psock = rcu_dereference_sk_user_data(sk);
	if (psock)
		podnet_sock_unlink(psock);
	rcu_read_unlock();
}

static int podnet_sock_slot_of(struct podnet_dev *pdev, const struct sock *sk)
{
	struct podnet_sock *psock;
	int i;

	for (i = 0; i < PODNET_MAX_SOCKETS; i++) {
		psock = rcu_dereference_protected(pdev->socks[i],
						  lockdep_is_held(&pdev->lock));
		if (psock && psock->sk == sk)
			return i;
	}
	return -1;
}

/**
 * podnet_sock_attach() - take data records out of a caller's UDP socket
 * @pdev: the device
 * @fd: socket fd in the calling process
 * @extack: for the reason of a refusal
 *
 * Context: podnet_dev.lock held, process context of the caller.
 * Return: 0 or a negative errno.
 */
int podnet_sock_attach(struct podnet_dev *pdev, int fd,
		       struct netlink_ext_ack *extack)
{
	struct udp_tunnel_sock_cfg cfg = {
		.encap_type = 1,
		.encap_rcv = podnet_udp_encap_recv,
		.encap_destroy = podnet_sock_encap_destroy,
	};
	struct podnet_sock *psock;
	struct socket *sock;
	struct sock *sk;
	int err, slot = -1, i;

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG_MOD(extack, "socket fd is not an open socket of the caller");
		return err;
	}
	sk = sock->sk;
	err = -EPROTONOSUPPORT;
	if (sk->sk_type != SOCK_DGRAM || sk->sk_protocol != IPPROTO_UDP ||
	    (sk->sk_family != AF_INET && sk->sk_family != AF_INET6)) {
		NL_SET_ERR_MSG_MOD(extack, "socket is not a UDP socket");
		goto err_put;
	}
	err = -EINVAL;
	if (!inet_sk(sk)->inet_num) {
		NL_SET_ERR_MSG_MOD(extack, "socket is not bound to a port");
		goto err_put;
	}
	/* With UDP_GRO on, encap_rcv would see coalesced super-packets. */
	if (udp_test_bit(GRO_ENABLED, sk)) {
		NL_SET_ERR_MSG_MOD(extack, "socket has UDP_GRO enabled; turn it off before attaching");
		goto err_put;
	}
	err = -EEXIST;
	if (podnet_sock_slot_of(pdev, sk) >= 0) {
		NL_SET_ERR_MSG_MOD(extack, "socket is already attached to this device");
		goto err_put;
	}
	for (i = 0; i < PODNET_MAX_SOCKETS && slot < 0; i++)
		if (!rcu_access_pointer(pdev->socks[i]))
			slot = i;
	err = -ENOSPC;
	if (slot < 0) {
		NL_SET_ERR_MSG_MOD(extack, "device already has PODNET_MAX_SOCKETS sockets");
		goto err_put;
	}
	err = -ENOMEM;
	psock = kzalloc(sizeof(*psock), GFP_KERNEL);
	if (!psock)
		goto err_put;
	psock->pdev = pdev;
	psock->sk = sk;
	psock->slot = slot;
	cfg.sk_user_data = psock;

	lock_sock(sk);
	if (rcu_access_pointer(sk->sk_user_data) || udp_sk(sk)->encap_type) {
		release_sock(sk);
		kfree(psock);
		err = -EBUSY;
		NL_SET_ERR_MSG_MOD(extack, "socket is already used by another tunnel");
		goto err_put;
	}
	sock_hold(sk);
	setup_udp_tunnel_sock(sock_net(sk), sock, &cfg);
	release_sock(sk);

	spin_lock_bh(&pdev->socks_lock);
	rcu_assign_pointer(pdev->socks[slot], psock);
	spin_unlock_bh(&pdev->socks_lock);
	sockfd_put(sock);
	pr_debug("%s: socket %d attached\n", pdev->dev->name, slot);
	return 0;

err_put:
	sockfd_put(sock);
	return err;
}

/**
 * podnet_sock_detach_fd() - give a socket back to plain userspace
 * @pdev: the device
 * @fd: socket fd in the calling process
 * @extack: for the reason of a refusal
 *
 * Context: podnet_dev.lock held.
 * Return: 0 or a negative errno.
 */
int podnet_sock_detach_fd(struct podnet_dev *pdev, int fd,
			  struct netlink_ext_ack *extack)
{
	struct podnet_sock *psock;
	struct socket *sock;
	int err, slot;

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG_MOD(extack, "socket fd is not an open socket of the caller");
		return err;
	}
	slot = podnet_sock_slot_of(pdev, sock->sk);
	if (slot < 0) {
		sockfd_put(sock);
		NL_SET_ERR_MSG_MOD(extack, "socket is not attached to this device");
		return -ENOENT;
	}
	psock = rcu_dereference_protected(pdev->socks[slot],
					  lockdep_is_held(&pdev->lock));
	podnet_sock_unlink(psock);
	sockfd_put(sock);
	return 0;
}

/**
 * podnet_sock_detach_all() - release every socket (device teardown)
 * @pdev: the device
 *
 * Context: podnet_dev.lock held. The caller waits for a grace period
 * before the device goes away.
 */
void podnet_sock_detach_all(struct podnet_dev *pdev)
{
	struct podnet_sock *psock;
	int i;

	for (i = 0; i < PODNET_MAX_SOCKETS; i++) {
		rcu_read_lock();
		psock = rcu_dereference(pdev->socks[i]);
		if (psock)
			podnet_sock_unlink(psock);
		rcu_read_unlock();
	}
}

/**
 * podnet_sock_by_fd() - the attached socket behind a caller's fd
 * @pdev: the device
 * @fd: socket fd in the calling process
 * @extack: for the reason of a refusal
 *
 * Context: podnet_dev.lock held.
 * Return: the socket, used only to compare, or an ERR_PTR.
 */
const struct sock *podnet_sock_by_fd(struct podnet_dev *pdev, int fd,
				     struct netlink_ext_ack *extack)
{
	struct socket *sock;
	struct sock *sk;
	int err;

	sock = sockfd_lookup(fd, &err);
	if (!sock) {
		NL_SET_ERR_MSG_MOD(extack, "socket fd is not an open socket of the caller");
		return ERR_PTR(err);
	}
	sk = sock->sk;
	err = podnet_sock_slot_of(pdev, sk);
	sockfd_put(sock);
	if (err < 0) {
		NL_SET_ERR_MSG_MOD(extack, "socket is not attached to this device");
		return ERR_PTR(-ENOENT);
	}
	return sk;
}

/**
 * podnet_sock_pick() - the socket to send from
 * @pdev: the device
 * @pref: the peer's preferred socket, or NULL
 *
 * Context: RCU read lock held.
 * Return: @pref if still attached, else the first attached socket, or
 * NULL if there is none.
 */
struct podnet_sock *podnet_sock_pick(struct podnet_dev *pdev,
				     const struct sock *pref)
{
	struct podnet_sock *psock, *first = NULL;
	int i;

	for (i = 0; i < PODNET_MAX_SOCKETS; i++) {
		psock = rcu_dereference_bh(pdev->socks[i]);
		if (!psock)
			continue;
		if (!pref || psock->sk == pref)
			return psock;
		if (!first)
			first = psock;
	}
	return first;
}

/**
 * podnet_sock_count() - number of attached sockets
 * @pdev: the device
 *
 * Return: the count.
 */
unsigned int podnet_sock_count(struct podnet_dev *pdev)
{
	unsigned int i, n = 0;

	for (i = 0; i < PODNET_MAX_SOCKETS; i++)
		n += !!rcu_access_pointer(pdev->socks[i]);
	return n;
}
