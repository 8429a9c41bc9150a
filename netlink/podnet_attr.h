/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Userspace's side of the attribute lists in podnet_genl.h: what the
 * module sends is validated against the same types, lengths and ranges
 * the module's policies enforce on what it receives.
 */
#ifndef _PODNET_PODNET_ATTR_H
#define _PODNET_PODNET_ATTR_H

#include <stdint.h>

#include <libmnl/libmnl.h>
#include <podnet_genl.h>

struct podnet_attr_spec {
	uint8_t type;		/* enum mnl_attr_data_type, 0: unknown */
	uint8_t check;		/* enum podnet_attr_check */
	uint64_t a, b;
};

struct podnet_attr_set {
	const struct podnet_attr_spec *spec;
	uint16_t max;
};

/* The lists of podnet_genl.h; a key entry is keyconf plus its slot id. */
extern const struct podnet_attr_set podnet_attrs, podnet_keyconf_attrs,
	podnet_key_attrs, podnet_allowed_ip_attrs, podnet_stats_attrs;

/*
 * Fill tb[0..set->max] with the attributes after a genetlink header
 * (podnet_attr_parse) or inside a nest (podnet_attr_parse_nested). An
 * attribute that breaks its spec is left out; unknown types are skipped
 * (a newer module may send more). Returns the number left out.
 */
int podnet_attr_parse(const struct nlmsghdr *nlh,
		      const struct podnet_attr_set *set,
		      const struct nlattr **tb);
int podnet_attr_parse_nested(const struct nlattr *nest,
			     const struct podnet_attr_set *set,
			     const struct nlattr **tb);

#endif /* _PODNET_PODNET_ATTR_H */
