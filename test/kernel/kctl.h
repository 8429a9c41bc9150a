/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * kctl's parts: the subcommands and request building (kctl.c), the
 * printing of replies and notifications (kctl_show.c) and the malformed
 * requests of the negative tests (kctl_raw.c). Every request goes through
 * the daemon's generic netlink client (netlink/genl.c), and what the module
 * sends is read through the shared attribute lists (netlink/podnet_attr.c).
 */
#ifndef _PODNET_KCTL_H
#define _PODNET_KCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

#include "genl.h"

struct kctl {
	struct genl_conn c;
	char err[256];		/* the kernel's extack text, or empty */
};

struct keyopts {
	int cipher;
	unsigned int epoch;
	uint32_t local_index, remote_index;
	uint8_t tx_key[32], rx_key[32], tx_iv[12], rx_iv[12];
	int tx_key_len, rx_key_len, tx_iv_len, rx_iv_len;
	uint64_t tx_seq;
	bool has_tx_seq, pending;
	int slot;
};

void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
uint64_t num_parse(const char *s);

/* A request for the podnet family in buf (MNL_SOCKET_BUFFER_SIZE). */
struct nlmsghdr *kctl_request(struct kctl *k, void *buf, uint8_t cmd,
			      uint16_t flags);
/* Send, feed replies to cb: 0, or -1 with errno and k->err set. */
int kctl_talk(struct kctl *k, struct nlmsghdr *nlh, mnl_cb_t cb, void *data);
void put_dev(struct nlmsghdr *nlh, const char *ifname);
void put_keyconf(struct nlmsghdr *nlh, const struct keyopts *k);
void put_allowed(struct nlmsghdr *nlh, const char *list);

/* kctl_show.c */
int notify_cb(const struct nlmsghdr *nlh, void *data);
int show_main(struct kctl *k, int argc, char **argv);

/* kctl_raw.c */
int raw_main(struct kctl *k, int argc, char **argv);

#endif /* _PODNET_KCTL_H */
