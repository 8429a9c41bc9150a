// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * kctl raw CASE IFNAME: one deliberately malformed request. The module
 * must refuse each one and say why in the extack (test/vm/kernel-badinput.sh
 * runs every case of `kctl raw list`).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <podnet_genl.h>

#include "kctl.h"

static void raw_build(struct kctl *k, const char *c, struct nlmsghdr **out,
		      char *buf, const char *ifname)
{
	struct keyopts ko = {
		.cipher = PODNET_CIPHER_CHACHA20_POLY1305, .epoch = 1,
		.local_index = 0x7001, .remote_index = 0x7002,
		.tx_key_len = 32, .rx_key_len = 32, .tx_iv_len = 12, .rx_iv_len = 12,
	};
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(1) };
	struct nlmsghdr *nlh;
	uint8_t cmd = PODNET_CMD_PEER_SET;

	if (!strcmp(c, "key-short") || !strcmp(c, "key-no-cipher") ||
	    !strcmp(c, "gcm-long-iv") || !strcmp(c, "pending-primary") ||
	    !strcmp(c, "index-zero") || !strcmp(c, "seq-too-big") ||
	    !strcmp(c, "slot-bad") || !strcmp(c, "key-no-peer"))
		cmd = PODNET_CMD_KEY_SET;
	else if (!strcmp(c, "attach-bad-fd") || !strcmp(c, "attach-not-udp"))
		cmd = PODNET_CMD_SOCKET_ATTACH;
	else if (!strcmp(c, "ctrl-ip-payload") || !strcmp(c, "ctrl-too-long"))
		cmd = PODNET_CMD_CTRL_SEND;
	else if (!strcmp(c, "reply-only"))
		cmd = PODNET_CMD_DEV_GET;
	else if (!strcmp(c, "no-device"))
		cmd = PODNET_CMD_DEV_GET;
	nlh = kctl_request(k, buf, cmd, 0);
	if (strcmp(c, "no-device"))
		put_dev(nlh, ifname);
	if (!strcmp(c, "peer-id-zero")) {
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 0);
	} else if (!strcmp(c, "endpoint-short")) {
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 9);
		mnl_attr_put(nlh, PODNET_A_ENDPOINT, 8, &sin);
	} else if (!strcmp(c, "endpoint-family")) {
		sin.sin_family = AF_INET6;
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 9);
		mnl_attr_put(nlh, PODNET_A_ENDPOINT, sizeof(sin), &sin);
	} else if (!strcmp(c, "endpoint-no-port")) {
		sin.sin_port = 0;
		sin.sin_addr.s_addr = htonl(0x0a000001);
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 9);
		mnl_attr_put(nlh, PODNET_A_ENDPOINT, sizeof(sin), &sin);
	} else if (!strcmp(c, "allowed-hostbits")) {
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 9);
		put_allowed(nlh, "10.9.0.1/24");
	} else if (!strcmp(c, "allowed-prefix-33")) {
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 9);
		put_allowed(nlh, "10.9.0.1/33");
	} else if (!strcmp(c, "allowed-twice")) {
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 9);
		put_allowed(nlh, "10.9.0.0/24,10.9.0.0/24");
	} else if (!strcmp(c, "unknown-attr")) {
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 9);
		mnl_attr_put_u32(nlh, PODNET_A_MAX + 5, 1);
	} else if (!strcmp(c, "reply-only")) {
		mnl_attr_put_u32(nlh, PODNET_A_PEERS, 1);
	} else if (!strcmp(c, "peer-missing-id")) {
		mnl_attr_put_u32(nlh, PODNET_A_RELAY_CHANNEL, 1);
	} else if (!strcmp(c, "socket-not-attached")) {
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 9);
		mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, 0);
	} else if (!strcmp(c, "attach-bad-fd")) {
		mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, 999);
	} else if (!strcmp(c, "attach-not-udp")) {
		mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD,
				 (uint32_t)socket(AF_INET, SOCK_STREAM, 0));
	} else if (!strcmp(c, "ctrl-ip-payload")) {
		uint8_t ip = 0x45;

		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 1);
		mnl_attr_put(nlh, PODNET_A_PAYLOAD, 1, &ip);
	} else if (!strcmp(c, "ctrl-too-long")) {
		static uint8_t big[PODNET_CTRL_MAX + 1];

		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, 1);
		mnl_attr_put(nlh, PODNET_A_PAYLOAD, sizeof(big), big);
	} else if (cmd == PODNET_CMD_KEY_SET) {
		mnl_attr_put_u32(nlh, PODNET_A_PEER_ID,
				 strcmp(c, "key-no-peer") ? 1 : 4242);
		mnl_attr_put_u8(nlh, PODNET_A_KEY_SLOT, !strcmp(c, "slot-bad") ? 7 : 0);
		if (!strcmp(c, "key-short")) {
			ko.tx_key_len = ko.rx_key_len = 16;
		} else if (!strcmp(c, "gcm-long-iv")) {
			ko.cipher = PODNET_CIPHER_AES_GCM;
			ko.tx_key_len = ko.rx_key_len = 16;
		} else if (!strcmp(c, "pending-primary")) {
			ko.pending = true;
		} else if (!strcmp(c, "index-zero")) {
			ko.local_index = 0;
		} else if (!strcmp(c, "seq-too-big")) {
			ko.tx_seq = 1ULL << 48;
			ko.has_tx_seq = true;
		}
		if (!strcmp(c, "key-no-cipher")) {
			struct nlattr *n = mnl_attr_nest_start(nlh, PODNET_A_KEYCONF);

			mnl_attr_put_u16(nlh, PODNET_A_KEYCONF_EPOCH, 1);
			mnl_attr_nest_end(nlh, n);
		} else {
			put_keyconf(nlh, &ko);
		}
	} else if (strcmp(c, "no-device")) {
		die("unknown raw case %s", c);
	}
	*out = nlh;
}

static const char *const raw_cases[] = {
	"no-device", "peer-id-zero", "peer-missing-id", "endpoint-short",
	"endpoint-family", "endpoint-no-port", "allowed-hostbits",
	"allowed-prefix-33", "allowed-twice", "unknown-attr", "reply-only",
	"socket-not-attached", "attach-bad-fd", "attach-not-udp",
	"key-short", "key-no-cipher", "gcm-long-iv", "pending-primary",
	"index-zero", "seq-too-big", "slot-bad", "key-no-peer",
	"ctrl-ip-payload", "ctrl-too-long",
};

/* Exit 0 if the kernel refused the request and said why. */
int raw_main(struct kctl *k, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 2];
	struct nlmsghdr *nlh;

	if (argc >= 1 && !strcmp(argv[0], "list")) {
		for (size_t i = 0; i < sizeof(raw_cases) / sizeof(raw_cases[0]); i++)
			puts(raw_cases[i]);
		return 0;
	}
	if (argc < 2)
		die("usage: kctl raw CASE IFNAME (kctl raw list)");
	raw_build(k, argv[0], &nlh, buf, argv[1]);
	if (kctl_talk(k, nlh, NULL, NULL) == 0) {
		printf("%s: accepted\n", argv[0]);
		return 1;
	}
	printf("%s: %s: %s\n", argv[0], strerror(errno),
	       k->err[0] ? k->err : "(no extack message)");
	return k->err[0] ? 0 : 1;
}
