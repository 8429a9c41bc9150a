// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Every attribute's type, length and range is written once, in the lists
 * of netlink/uapi/podnet_genl.h, which userspace validates replies with
 * too; here they become nla_policy entries. What needs several attributes
 * at once is checked by the handlers' *_precheck() functions.
 */
#include "policy.h"

#define PODNET_NL_U8 NLA_U8
#define PODNET_NL_U16 NLA_U16
#define PODNET_NL_U32 NLA_U32
#define PODNET_NL_U64 NLA_U64
#define PODNET_NL_FLAG NLA_FLAG
#define PODNET_NL_BINARY NLA_BINARY
#define PODNET_NL_STRING NLA_NUL_STRING
#define PODNET_NL_NESTED NLA_NESTED

/* One macro per check of the lists, each taking (type, a, b). */
#define PODNET_NL_ANY(t, a, b) { .type = PODNET_NL_##t }
#define PODNET_NL_MIN(t, a, b) NLA_POLICY_MIN(PODNET_NL_##t, a)
#define PODNET_NL_MAX(t, a, b) NLA_POLICY_MAX(PODNET_NL_##t, b)
/* The full-range form: s16 bounds are too small for fds and sequences. */
#define PODNET_NL_RANGE(t, a, b)					\
	NLA_POLICY_FULL_RANGE(PODNET_NL_##t,				\
			      (&(struct netlink_range_validation){	\
				      .min = (a), .max = (b) }))
#define PODNET_NL_LEN(t, a, b) PODNET_NL_LEN_##t(a, b)
#define PODNET_NL_LEN_BINARY(a, b) NLA_POLICY_RANGE(NLA_BINARY, a, b)
#define PODNET_NL_LEN_STRING(a, b) { .type = NLA_NUL_STRING, .len = (b) }
#define PODNET_NL_NEST(t, set, b) NLA_POLICY_NESTED(podnet_nl_##set##_policy)
#define PODNET_NL_LIST(t, set, b) NLA_POLICY_NESTED(podnet_nl_##set##_list_policy)
#define PODNET_NL_ENTRY(t, a, b) { .type = NLA_REJECT, \
	.reject_message = "list entries do not nest" }
#define PODNET_NL_REPLY(t, a, b) { .type = NLA_REJECT, \
	.reject_message = "attribute is only used in replies" }

#define PODNET_NL_POLICY(attr, type, check, a, b) \
	[attr] = PODNET_NL_##check(type, a, b),

/* A list nest holds nothing but its entries. */
#define PODNET_NL_LIST_POLICY(attr, type, check, a, b)			\
	[attr] = PODNET_NL_LIST_##check(type, a, b),
#define PODNET_NL_LIST_ENTRY(t, set, b) NLA_POLICY_NESTED(podnet_nl_##set##_policy)
#define PODNET_NL_LIST_NOT_ENTRY(t, a, b) { .type = NLA_REJECT, \
	.reject_message = "a list holds only entry nests" }
#define PODNET_NL_LIST_ANY PODNET_NL_LIST_NOT_ENTRY
#define PODNET_NL_LIST_MIN PODNET_NL_LIST_NOT_ENTRY
#define PODNET_NL_LIST_MAX PODNET_NL_LIST_NOT_ENTRY
#define PODNET_NL_LIST_LEN PODNET_NL_LIST_NOT_ENTRY

const struct nla_policy podnet_nl_allowed_ip_policy[PODNET_A_ALLOWED_IP_MAX + 1] = {
	PODNET_ALLOWED_IP_ATTRS(PODNET_NL_POLICY)
};

static const struct nla_policy podnet_nl_allowed_ip_list_policy[PODNET_A_ALLOWED_IP_MAX + 1] = {
	PODNET_ALLOWED_IP_ATTRS(PODNET_NL_LIST_POLICY)
};

const struct nla_policy podnet_nl_keyconf_policy[PODNET_A_KEYCONF_MAX + 1] = {
	PODNET_KEYCONF_ATTRS(PODNET_NL_POLICY)
};

const struct nla_policy podnet_nl_policy[PODNET_A_MAX + 1] = {
	PODNET_ATTRS(PODNET_NL_POLICY)
};

/* A list that misses an attribute of its enum would leave it unchecked. */
static_assert(0 PODNET_ATTRS(PODNET_ATTR_ONE) == PODNET_A_MAX);
static_assert(0 PODNET_KEYCONF_ATTRS(PODNET_ATTR_ONE) == PODNET_A_KEYCONF_MAX);
static_assert(0 PODNET_ALLOWED_IP_ATTRS(PODNET_ATTR_ONE) == PODNET_A_ALLOWED_IP_MAX);
static_assert(0 PODNET_STATS_ATTRS(PODNET_ATTR_ONE) == PODNET_A_STATS_MAX);
