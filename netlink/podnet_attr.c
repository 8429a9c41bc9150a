// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "podnet_attr.h"

#include <string.h>

#include <linux/genetlink.h>

enum podnet_attr_check {
	CHECK_ANY, CHECK_MIN, CHECK_MAX, CHECK_RANGE, CHECK_LEN,
	CHECK_NEST, CHECK_LIST, CHECK_ENTRY, CHECK_REPLY,
};

#define MNL_U8 MNL_TYPE_U8
#define MNL_U16 MNL_TYPE_U16
#define MNL_U32 MNL_TYPE_U32
#define MNL_U64 MNL_TYPE_U64
#define MNL_FLAG MNL_TYPE_FLAG
#define MNL_BINARY MNL_TYPE_BINARY
#define MNL_STRING MNL_TYPE_NUL_STRING
#define MNL_NESTED MNL_TYPE_NESTED

/* Set names (NEST, LIST) are not numbers: only the check counts there. */
#define ARG_ANY(x) (x)
#define ARG_MIN(x) (x)
#define ARG_MAX(x) (x)
#define ARG_RANGE(x) (x)
#define ARG_LEN(x) (x)
#define ARG_REPLY(x) (x)
#define ARG_NEST(x) 0
#define ARG_LIST(x) 0
#define ARG_ENTRY(x) 0

#define SPEC(attr_, type_, check_, a_, b_)				\
	[attr_] = { .type = MNL_##type_, .check = CHECK_##check_,	\
		    .a = ARG_##check_(a_), .b = (b_) },

static const struct podnet_attr_spec top_spec[PODNET_A_MAX + 1] = {
	PODNET_ATTRS(SPEC)
};
static const struct podnet_attr_spec keyconf_spec[PODNET_A_KEYCONF_MAX + 1] = {
	PODNET_KEYCONF_ATTRS(SPEC)
};
/* A key entry of a reply reports state, not a request's values: its
 * tx_seq is the next number to use, PODNET_SEQ_LAST + 1 once the key is
 * used up. Only the types of the keyconf attributes are checked there.
 */
#define SPEC_STATE(attr_, type_, check_, a_, b_)			\
	[attr_] = { .type = MNL_##type_, .check = CHECK_ANY },

static const struct podnet_attr_spec key_spec[PODNET_A_KEY_MAX + 1] = {
	PODNET_KEYCONF_ATTRS(SPEC_STATE)
	PODNET_KEY_ATTRS(SPEC)
};
static const struct podnet_attr_spec allowed_ip_spec[PODNET_A_ALLOWED_IP_MAX + 1] = {
	PODNET_ALLOWED_IP_ATTRS(SPEC)
};
static const struct podnet_attr_spec stats_spec[PODNET_A_STATS_MAX + 1] = {
	PODNET_STATS_ATTRS(SPEC)
};

_Static_assert(0 PODNET_ATTRS(PODNET_ATTR_ONE) == PODNET_A_MAX, "PODNET_ATTRS");
_Static_assert(0 PODNET_KEYCONF_ATTRS(PODNET_ATTR_ONE) == PODNET_A_KEYCONF_MAX,
	       "PODNET_KEYCONF_ATTRS");
_Static_assert(0 PODNET_ALLOWED_IP_ATTRS(PODNET_ATTR_ONE) == PODNET_A_ALLOWED_IP_MAX,
	       "PODNET_ALLOWED_IP_ATTRS");
_Static_assert(0 PODNET_STATS_ATTRS(PODNET_ATTR_ONE) == PODNET_A_STATS_MAX,
	       "PODNET_STATS_ATTRS");

const struct podnet_attr_set podnet_attrs = { top_spec, PODNET_A_MAX };
const struct podnet_attr_set podnet_keyconf_attrs = { keyconf_spec, PODNET_A_KEYCONF_MAX };
const struct podnet_attr_set podnet_key_attrs = { key_spec, PODNET_A_KEY_MAX };
const struct podnet_attr_set podnet_allowed_ip_attrs = {
	allowed_ip_spec, PODNET_A_ALLOWED_IP_MAX
};
const struct podnet_attr_set podnet_stats_attrs = { stats_spec, PODNET_A_STATS_MAX };

static uint64_t attr_value(const struct nlattr *attr, uint8_t type)
{
	switch (type) {
	case MNL_TYPE_U8: return mnl_attr_get_u8(attr);
	case MNL_TYPE_U16: return mnl_attr_get_u16(attr);
	case MNL_TYPE_U32: return mnl_attr_get_u32(attr);
	default: return mnl_attr_get_u64(attr);
	}
}

static bool attr_valid(const struct nlattr *attr,
		       const struct podnet_attr_spec *s)
{
	uint16_t len = mnl_attr_get_payload_len(attr);
	bool number = s->type >= MNL_TYPE_U8 && s->type <= MNL_TYPE_U64;
	uint64_t v;

	if (mnl_attr_validate(attr, (enum mnl_attr_data_type)s->type) < 0)
		return false;
	if (s->check == CHECK_LEN || (s->check == CHECK_REPLY && s->b)) {
		/* A string's limit does not count its NUL. */
		if (s->type == MNL_TYPE_NUL_STRING)
			return len <= s->b + 1;
		return len >= s->a && len <= s->b;
	}
	if (!number)
		return true;
	v = attr_value(attr, s->type);
	switch (s->check) {
	case CHECK_MIN: return v >= s->a;
	case CHECK_MAX: return v <= s->b;
	case CHECK_RANGE: return v >= s->a && v <= s->b;
	default: return true;
	}
}

struct parse {
	const struct podnet_attr_set *set;
	const struct nlattr **tb;
	int bad;
};

static int parse_cb(const struct nlattr *attr, void *data)
{
	struct parse *p = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type > p->set->max || !p->set->spec[type].type)
		return MNL_CB_OK;
	if (attr_valid(attr, &p->set->spec[type]))
		p->tb[type] = attr;
	else
		p->bad++;
	return MNL_CB_OK;
}

int podnet_attr_parse(const struct nlmsghdr *nlh,
		      const struct podnet_attr_set *set,
		      const struct nlattr **tb)
{
	struct parse p = { set, tb, 0 };

	memset(tb, 0, sizeof(*tb) * (set->max + 1u));
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_cb, &p);
	return p.bad;
}

int podnet_attr_parse_nested(const struct nlattr *nest,
			     const struct podnet_attr_set *set,
			     const struct nlattr **tb)
{
	struct parse p = { set, tb, 0 };

	memset(tb, 0, sizeof(*tb) * (set->max + 1u));
	mnl_attr_parse_nested(nest, parse_cb, &p);
	return p.bad;
}
