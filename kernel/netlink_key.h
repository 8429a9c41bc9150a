/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Doit handlers for the key commands and CTRL_SEND (kernel/netlink.c
 * lists them in the family's ops).
 */
#ifndef _PODNET_NETLINK_KEY_H
#define _PODNET_NETLINK_KEY_H

#include <net/genetlink.h>

int podnet_nl_key_set_doit(struct sk_buff *skb, struct genl_info *info);
int podnet_nl_key_swap_doit(struct sk_buff *skb, struct genl_info *info);
int podnet_nl_key_del_doit(struct sk_buff *skb, struct genl_info *info);
int podnet_nl_ctrl_send_doit(struct sk_buff *skb, struct genl_info *info);

#endif /* _PODNET_NETLINK_KEY_H */
