// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Userspace reads what podnet.ko sends through the attribute lists the
 * module's policies are made from: every check kind is tried on both
 * sides of its bound, and a broken attribute must be left out, not
 * half-read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <linux/genetlink.h>

#include "podnet_attr.h"

static char buf[8192];

static struct nlmsghdr *msg_new(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	return nlh;
}

static void test_ranges(void **state)
{
	const struct nlattr *tb[PODNET_A_MAX + 1];
	struct nlmsghdr *nlh = msg_new();

	(void)state;
	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, 3);		/* MIN 1 */
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 0);		/* MIN 1: out */
	mnl_attr_put_u8(nlh, PODNET_A_KEY_SLOT, 2);		/* MAX 1: out */
	mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, 0x80000000u);	/* RANGE: out */
	mnl_attr_put_u32(nlh, PODNET_A_RELAY_CHANNEL, 0xffffffffu);	/* ANY */
	assert_int_equal(podnet_attr_parse(nlh, &podnet_attrs, tb), 3);
	assert_non_null(tb[PODNET_A_IFINDEX]);
	assert_int_equal(mnl_attr_get_u32(tb[PODNET_A_IFINDEX]), 3);
	assert_null(tb[PODNET_A_PEER_ID]);
	assert_null(tb[PODNET_A_KEY_SLOT]);
	assert_null(tb[PODNET_A_SOCKET_FD]);
	assert_non_null(tb[PODNET_A_RELAY_CHANNEL]);

	nlh = msg_new();
	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, 0);		/* MIN 1: out */
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 1);
	mnl_attr_put_u8(nlh, PODNET_A_KEY_SLOT, PODNET_KEY_SLOT_SECONDARY);
	mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, 0x7fffffff);
	assert_int_equal(podnet_attr_parse(nlh, &podnet_attrs, tb), 1);
	assert_null(tb[PODNET_A_IFINDEX]);
	assert_non_null(tb[PODNET_A_PEER_ID]);
	assert_non_null(tb[PODNET_A_KEY_SLOT]);
	assert_non_null(tb[PODNET_A_SOCKET_FD]);
}

static void test_lengths(void **state)
{
	const struct nlattr *tb[PODNET_A_MAX + 1];
	static uint8_t bytes[PODNET_CTRL_MAX];
	struct nlmsghdr *nlh = msg_new();

	(void)state;
	mnl_attr_put(nlh, PODNET_A_ENDPOINT, 15, bytes);	/* LEN 16..28: out */
	mnl_attr_put_strz(nlh, PODNET_A_IFNAME, "0123456789abcdef"); /* 16: out */
	mnl_attr_put(nlh, PODNET_A_DEST_ADDR, 17, bytes);	/* LEN 4..16: out */
	mnl_attr_put_u16(nlh, PODNET_A_PEERS, 1);		/* not a u32: out */
	mnl_attr_put(nlh, PODNET_A_PAYLOAD, 0, bytes);		/* LEN 1..: out */
	assert_int_equal(podnet_attr_parse(nlh, &podnet_attrs, tb), 5);
	assert_null(tb[PODNET_A_ENDPOINT]);
	assert_null(tb[PODNET_A_IFNAME]);
	assert_null(tb[PODNET_A_DEST_ADDR]);
	assert_null(tb[PODNET_A_PEERS]);
	assert_null(tb[PODNET_A_PAYLOAD]);

	nlh = msg_new();
	mnl_attr_put(nlh, PODNET_A_ENDPOINT, 28, bytes);
	mnl_attr_put_strz(nlh, PODNET_A_IFNAME, "0123456789abcde");
	mnl_attr_put(nlh, PODNET_A_DEST_ADDR, 4, bytes);
	mnl_attr_put(nlh, PODNET_A_PAYLOAD, PODNET_CTRL_MAX, bytes);
	assert_int_equal(podnet_attr_parse(nlh, &podnet_attrs, tb), 0);
	assert_non_null(tb[PODNET_A_ENDPOINT]);
	assert_non_null(tb[PODNET_A_IFNAME]);
	assert_non_null(tb[PODNET_A_DEST_ADDR]);
	assert_non_null(tb[PODNET_A_PAYLOAD]);
}

/* A newer module may send attributes this build does not know. */
static void test_unknown_skipped(void **state)
{
	const struct nlattr *tb[PODNET_A_MAX + 1];
	struct nlmsghdr *nlh = msg_new();

	(void)state;
	mnl_attr_put_u32(nlh, PODNET_A_MAX + 1, 7);
	mnl_attr_put_u32(nlh, PODNET_A_UNSPEC, 7);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 9);
	assert_int_equal(podnet_attr_parse(nlh, &podnet_attrs, tb), 0);
	assert_null(tb[PODNET_A_UNSPEC]);
	assert_int_equal(mnl_attr_get_u32(tb[PODNET_A_PEER_ID]), 9);
}

/* A key entry of a reply: keyconf attributes plus the slot id, checked
 * for their types only (tx_seq may be past the last). */
static void test_key_entry(void **state)
{
	const struct nlattr *k[PODNET_A_KEY_MAX + 1], *tb[PODNET_A_MAX + 1];
	struct nlmsghdr *nlh = msg_new();
	struct nlattr *keys, *key;

	(void)state;
	keys = mnl_attr_nest_start(nlh, PODNET_A_KEYS);
	key = mnl_attr_nest_start(nlh, PODNET_A_KEY);
	mnl_attr_put_u8(nlh, PODNET_A_KEY_SLOT_ID, 1);
	mnl_attr_put_u8(nlh, PODNET_A_KEYCONF_CIPHER, PODNET_CIPHER_AES_GCM);
	mnl_attr_put_u32(nlh, PODNET_A_KEYCONF_LOCAL_INDEX, 0x1001);
	mnl_attr_put_u16(nlh, PODNET_A_KEYCONF_REMOTE_INDEX, 0x2001);	/* not a u32 */
	/* The next sequence number of a used-up key: state, not a request. */
	mnl_attr_put_u64(nlh, PODNET_A_KEYCONF_TX_SEQ, PODNET_SEQ_LAST + 1);
	mnl_attr_put(nlh, PODNET_A_KEYCONF_PENDING, 0, NULL);
	mnl_attr_nest_end(nlh, key);
	mnl_attr_nest_end(nlh, keys);
	assert_int_equal(podnet_attr_parse(nlh, &podnet_attrs, tb), 0);
	assert_non_null(tb[PODNET_A_KEYS]);
	key = mnl_attr_get_payload(tb[PODNET_A_KEYS]);
	assert_int_equal(podnet_attr_parse_nested(key, &podnet_key_attrs, k), 1);
	assert_int_equal(mnl_attr_get_u8(k[PODNET_A_KEY_SLOT_ID]), 1);
	assert_int_equal(mnl_attr_get_u8(k[PODNET_A_KEYCONF_CIPHER]),
			 PODNET_CIPHER_AES_GCM);
	assert_int_equal(mnl_attr_get_u32(k[PODNET_A_KEYCONF_LOCAL_INDEX]), 0x1001);
	assert_null(k[PODNET_A_KEYCONF_REMOTE_INDEX]);
	assert_true(mnl_attr_get_u64(k[PODNET_A_KEYCONF_TX_SEQ]) == PODNET_SEQ_LAST + 1);
	assert_non_null(k[PODNET_A_KEYCONF_PENDING]);
}

static void test_allowed_ip_entry(void **state)
{
	const struct nlattr *ip[PODNET_A_ALLOWED_IP_MAX + 1];
	struct nlmsghdr *nlh = msg_new();
	uint8_t addr[4] = { 10, 0, 0, 0 };
	struct nlattr *e;

	(void)state;
	e = mnl_attr_nest_start(nlh, PODNET_A_ALLOWED_IP);
	mnl_attr_put(nlh, PODNET_A_ALLOWED_IP_ADDR, 4, addr);
	mnl_attr_put_u8(nlh, PODNET_A_ALLOWED_IP_PREFIX, 33);	/* MAX 32: out */
	mnl_attr_nest_end(nlh, e);
	assert_int_equal(podnet_attr_parse_nested(e, &podnet_allowed_ip_attrs, ip), 1);
	assert_non_null(ip[PODNET_A_ALLOWED_IP_ADDR]);
	assert_null(ip[PODNET_A_ALLOWED_IP_PREFIX]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_unknown_skipped),
		cmocka_unit_test(test_key_entry),
		cmocka_unit_test(test_allowed_ip_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
