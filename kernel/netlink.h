/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The "podnet" generic netlink family (netlink/uapi/podnet_genl.h).
 */
#ifndef _PODNET_NETLINK_H
#define _PODNET_NETLINK_H

#include <linux/skbuff.h>
#include <linux/socket.h>
#include <net/genetlink.h>

/* A required attribute is missing: say which, and in words. */
#define podnet_nl_missing(info, attr, msg) ({				\
	bool __missing = GENL_REQ_ATTR_CHECK(info, attr);		\
									\
	if (__missing)							\
		NL_SET_ERR_MSG_MOD((info)->extack, msg);		\
	__missing;							\
})

struct podnet_dev;
struct podnet_peer;

enum podnet_nl_mcgrp {
	PODNET_NL_MCGRP_PEERS,
};

extern struct genl_family podnet_nl_family;

int podnet_nl_init(void);
void podnet_nl_exit(void);
int podnet_nl_put_endpoint(struct sk_buff *skb, const struct sockaddr *sa);
struct podnet_peer *podnet_nl_peer(struct podnet_dev *pdev,
				   struct genl_info *info);

#endif /* _PODNET_NETLINK_H */
