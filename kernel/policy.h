/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The podnet family's netlink policies, made from the attribute lists in
 * netlink/uapi/podnet_genl.h.
 */
#ifndef _PODNET_POLICY_H
#define _PODNET_POLICY_H

#include <net/netlink.h>

#include <podnet_genl.h>

extern const struct nla_policy podnet_nl_policy[PODNET_A_MAX + 1];
extern const struct nla_policy podnet_nl_keyconf_policy[PODNET_A_KEYCONF_MAX + 1];
extern const struct nla_policy podnet_nl_allowed_ip_policy[PODNET_A_ALLOWED_IP_MAX + 1];

#endif /* _PODNET_POLICY_H */
