// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The key commands of the podnet family (KEY_SET, KEY_SWAP, KEY_DEL) and
 * CTRL_SEND, which seals with the primary key. Like every doit handler
 * they run with the device's configuration mutex held. Key material
 * arrives in the request and is wiped from it on every path.
 */
#include "netlink_key.h"

#include <net/genetlink.h>

#include "device.h"
#include "netlink.h"
#include "peer.h"
#include "policy.h"
#include "send.h"

static int podnet_nl_keyconf_precheck(struct podnet_dev *pdev,
				      struct podnet_peer *peer,
				      unsigned int slot, struct nlattr *keyconf,
				      struct nlattr **tb,
				      struct podnet_keyconf *kc,
				      struct netlink_ext_ack *extack)
{
	unsigned int iv_len;
	struct podnet_key *old;

#define REQUIRE(a, msg) do {						\
		if (!tb[PODNET_A_KEYCONF_##a]) {			\
			NL_SET_ERR_ATTR_MISS(extack, keyconf,		\
					     PODNET_A_KEYCONF_##a);	\
			NL_SET_ERR_MSG_MOD(extack, msg);		\
			return -EINVAL;					\
		}							\
	} while (0)
	REQUIRE(CIPHER, "keyconf: missing cipher");
	REQUIRE(EPOCH, "keyconf: missing epoch");
	REQUIRE(LOCAL_INDEX, "keyconf: missing local index");
	REQUIRE(REMOTE_INDEX, "keyconf: missing remote index");
	REQUIRE(TX_KEY, "keyconf: missing tx key");
	REQUIRE(TX_IV, "keyconf: missing tx iv");
	REQUIRE(RX_KEY, "keyconf: missing rx key");
	REQUIRE(RX_IV, "keyconf: missing rx iv");
#undef REQUIRE
	kc->cipher = nla_get_u8(tb[PODNET_A_KEYCONF_CIPHER]);
	kc->epoch = nla_get_u16(tb[PODNET_A_KEYCONF_EPOCH]);
	kc->local_index = nla_get_u32(tb[PODNET_A_KEYCONF_LOCAL_INDEX]);
	kc->remote_index = nla_get_u32(tb[PODNET_A_KEYCONF_REMOTE_INDEX]);
	kc->tx_key = nla_data(tb[PODNET_A_KEYCONF_TX_KEY]);
	kc->rx_key = nla_data(tb[PODNET_A_KEYCONF_RX_KEY]);
	kc->tx_iv = nla_data(tb[PODNET_A_KEYCONF_TX_IV]);
	kc->rx_iv = nla_data(tb[PODNET_A_KEYCONF_RX_IV]);
	kc->key_len = nla_len(tb[PODNET_A_KEYCONF_TX_KEY]);
	kc->tx_seq = tb[PODNET_A_KEYCONF_TX_SEQ] ?
		     nla_get_u64(tb[PODNET_A_KEYCONF_TX_SEQ]) : PODNET_SEQ_FIRST;
	kc->pending = nla_get_flag(tb[PODNET_A_KEYCONF_PENDING]);

	if (nla_len(tb[PODNET_A_KEYCONF_RX_KEY]) != kc->key_len) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_A_KEYCONF_RX_KEY],
				    "keyconf: tx and rx keys differ in length");
		return -EINVAL;
	}
	if (kc->cipher == PODNET_CIPHER_CHACHA20_POLY1305 && kc->key_len != 32) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_A_KEYCONF_TX_KEY],
				    "keyconf: ChaCha20-Poly1305 needs 32-byte keys");
		return -EINVAL;
	}
	if (kc->cipher == PODNET_CIPHER_AES_GCM && kc->key_len != 16 &&
	    kc->key_len != 32) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_A_KEYCONF_TX_KEY],
				    "keyconf: AES-GCM needs 16- or 32-byte keys");
		return -EINVAL;
	}
	iv_len = kc->cipher == PODNET_CIPHER_AES_GCM ? 4 : 12;
	if (nla_len(tb[PODNET_A_KEYCONF_TX_IV]) != iv_len ||
	    nla_len(tb[PODNET_A_KEYCONF_RX_IV]) != iv_len) {
		if (kc->cipher == PODNET_CIPHER_AES_GCM)
			NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_A_KEYCONF_TX_IV],
					    "keyconf: AES-GCM needs 4-byte salts as ivs");
		else
			NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_A_KEYCONF_TX_IV],
					    "keyconf: ChaCha20-Poly1305 needs 12-byte ivs");
		return -EINVAL;
	}
	if (kc->pending && slot != PODNET_KEY_SLOT_SECONDARY) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_A_KEYCONF_PENDING],
				    "keyconf: pending applies to the secondary slot only");
		return -EINVAL;
	}
	old = rcu_dereference_protected(peer->keys[slot],
					lockdep_is_held(&pdev->lock));
	if (podnet_key_index_used(pdev, kc->local_index, old)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PODNET_A_KEYCONF_LOCAL_INDEX],
				    "keyconf: local index already in use on this device");
		return -EEXIST;
	}
	return 0;
}

static void podnet_nl_wipe(struct nlattr *attr)
{
	if (attr)
		memzero_explicit(nla_data(attr), nla_len(attr));
}

/**
 * podnet_nl_key_set_doit() - PODNET_CMD_KEY_SET: install keys in a slot
 * @skb: the request
 * @info: its attributes; user_ptr[0] is the device
 *
 * The keys are wiped from the request on every path.
 * Context: the device's configuration mutex held (pre_doit).
 * Return: 0 or a negative errno, with the reason in the extack.
 */
int podnet_nl_key_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_dev *pdev = info->user_ptr[0];
	struct nlattr *tb[PODNET_A_KEYCONF_MAX + 1] = {};
	struct podnet_keyconf kc = {};
	struct podnet_peer *peer;
	unsigned int slot;
	int err;

	peer = podnet_nl_peer(pdev, info);
	if (IS_ERR(peer)) {
		err = PTR_ERR(peer);
		goto out_wipe;
	}
	err = -EINVAL;
	if (podnet_nl_missing(info, PODNET_A_KEY_SLOT, "missing key slot") ||
	    podnet_nl_missing(info, PODNET_A_KEYCONF, "missing keyconf"))
		goto out_wipe;
	slot = nla_get_u8(info->attrs[PODNET_A_KEY_SLOT]);
	err = nla_parse_nested(tb, PODNET_A_KEYCONF_MAX,
			       info->attrs[PODNET_A_KEYCONF],
			       podnet_nl_keyconf_policy, info->extack);
	if (err)
		goto out_wipe;
	err = podnet_nl_keyconf_precheck(pdev, peer, slot,
					 info->attrs[PODNET_A_KEYCONF], tb, &kc,
					 info->extack);
	if (err)
		goto out_wipe;
	err = podnet_key_install(peer, slot, &kc);
	if (err)
		NL_SET_ERR_MSG_MOD(info->extack, "cannot set up the cipher");
out_wipe:
	/* The request skb holds the keys; do not leave them in memory (nor
	 * in an error reply that echoes the request).
	 */
	podnet_nl_wipe(info->attrs[PODNET_A_KEYCONF]);
	memzero_explicit(&kc, sizeof(kc));
	return err;
}

/**
 * podnet_nl_key_swap_doit() - PODNET_CMD_KEY_SWAP: primary and secondary change places
 * @skb: the request
 * @info: its attributes; user_ptr[0] is the device
 *
 * Context: the device's configuration mutex held (pre_doit).
 * Return: 0 or a negative errno, with the reason in the extack.
 */
int podnet_nl_key_swap_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_peer *peer = podnet_nl_peer(info->user_ptr[0], info);

	if (IS_ERR(peer))
		return PTR_ERR(peer);
	if (!rcu_access_pointer(peer->keys[PODNET_KEY_SLOT_PRIMARY]) &&
	    !rcu_access_pointer(peer->keys[PODNET_KEY_SLOT_SECONDARY])) {
		NL_SET_ERR_MSG_MOD(info->extack, "peer has no keys to swap");
		return -ENOENT;
	}
	podnet_key_swap(peer);
	return 0;
}

/**
 * podnet_nl_key_del_doit() - PODNET_CMD_KEY_DEL: wipe and free one slot
 * @skb: the request
 * @info: its attributes; user_ptr[0] is the device
 *
 * Context: the device's configuration mutex held (pre_doit).
 * Return: 0 or a negative errno, with the reason in the extack.
 */
int podnet_nl_key_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_peer *peer = podnet_nl_peer(info->user_ptr[0], info);
	int err;

	if (IS_ERR(peer))
		return PTR_ERR(peer);
	if (podnet_nl_missing(info, PODNET_A_KEY_SLOT, "missing key slot"))
		return -EINVAL;
	err = podnet_key_delete(peer, nla_get_u8(info->attrs[PODNET_A_KEY_SLOT]));
	if (err)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[PODNET_A_KEY_SLOT],
				    "key slot is empty");
	return err;
}

/**
 * podnet_nl_ctrl_send_doit() - PODNET_CMD_CTRL_SEND: seal a control message and send it
 * @skb: the request
 * @info: its attributes; user_ptr[0] is the device
 *
 * Context: the device's configuration mutex held (pre_doit).
 * Return: 0 or a negative errno, with the reason in the extack.
 */
int podnet_nl_ctrl_send_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct podnet_dev *pdev = info->user_ptr[0];
	struct podnet_peer *peer = podnet_nl_peer(pdev, info);
	struct podnet_endpoint ep;
	struct nlattr *payload;
	struct sk_buff *msg;
	int err;

	if (IS_ERR(peer))
		return PTR_ERR(peer);
	if (podnet_nl_missing(info, PODNET_A_PAYLOAD, "missing payload"))
		return -EINVAL;
	payload = info->attrs[PODNET_A_PAYLOAD];
	if (*(u8 *)nla_data(payload) >= PODNET_CTRL_LIMIT) {
		NL_SET_ERR_MSG_ATTR(info->extack, payload,
				    "payload is not a control message (first byte must be below 0x40)");
		return -EINVAL;
	}
	if (!rcu_access_pointer(peer->keys[PODNET_KEY_SLOT_PRIMARY])) {
		NL_SET_ERR_MSG_MOD(info->extack, "peer has no primary key");
		return -ENOKEY;
	}
	if (!podnet_peer_endpoint_get(peer, &ep)) {
		NL_SET_ERR_MSG_MOD(info->extack, "peer has no endpoint");
		return -EDESTADDRREQ;
	}
	msg = alloc_skb(PODNET_NEEDED_HEADROOM + nla_len(payload) +
			PODNET_RECORD_TAG_LEN, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	skb_reserve(msg, PODNET_NEEDED_HEADROOM);
	skb_put_data(msg, nla_data(payload), nla_len(payload));
	msg->dev = pdev->dev;
	local_bh_disable();
	rcu_read_lock_bh();
	err = podnet_send_skb(peer, msg);
	rcu_read_unlock_bh();
	local_bh_enable();
	if (err)
		NL_SET_ERR_MSG_MOD(info->extack, "sending the control message failed");
	return err;
}
