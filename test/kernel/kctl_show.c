// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * kctl show (a device and its peers, as text or JSON) and the JSON lines
 * of notifications. Attributes are read only after they passed the
 * shared attribute lists (podnet_attr_parse), like the daemon reads them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "kctl.h"
#include "podnet_attr.h"

static const char *cmd_name(uint8_t cmd)
{
	switch (cmd) {
	case PODNET_CMD_NOTIFY_ENDPOINT: return "endpoint";
	case PODNET_CMD_NOTIFY_KEY_LIMIT: return "key_limit";
	case PODNET_CMD_NOTIFY_NEED_KEY: return "need_key";
	case PODNET_CMD_NOTIFY_KEY_SWAPPED: return "key_swapped";
	case PODNET_CMD_NOTIFY_CTRL: return "ctrl";
	default: return "unknown";
	}
}

static void sockaddr_str(const struct nlattr *attr, char *out, size_t cap)
{
	const void *data = mnl_attr_get_payload(attr);
	size_t len = mnl_attr_get_payload_len(attr);
	const struct sockaddr *sa = data;
	char a[INET6_ADDRSTRLEN];

	if (len == sizeof(struct sockaddr_in) && sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = data;

		inet_ntop(AF_INET, &sin->sin_addr, a, sizeof(a));
		snprintf(out, cap, "%s:%u", a, ntohs(sin->sin_port));
	} else if (len == sizeof(struct sockaddr_in6) && sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = data;

		inet_ntop(AF_INET6, &sin6->sin6_addr, a, sizeof(a));
		snprintf(out, cap, "[%s]:%u", a, ntohs(sin6->sin6_port));
	} else {
		snprintf(out, cap, "(bad)");
	}
}

/* One notification as a JSON line. */
int notify_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[PODNET_A_MAX + 1];
	char ep[80];

	(void)data;
	podnet_attr_parse(nlh, &podnet_attrs, tb);
	printf("{\"event\":\"%s\"", cmd_name(g->cmd));
	if (tb[PODNET_A_IFINDEX])
		printf(",\"ifindex\":%u", mnl_attr_get_u32(tb[PODNET_A_IFINDEX]));
	if (tb[PODNET_A_PEER_ID])
		printf(",\"peer\":%u", mnl_attr_get_u32(tb[PODNET_A_PEER_ID]));
	if (tb[PODNET_A_ENDPOINT]) {
		sockaddr_str(tb[PODNET_A_ENDPOINT], ep, sizeof(ep));
		printf(",\"endpoint\":\"%s\"", ep);
	}
	if (tb[PODNET_A_RELAY_CHANNEL])
		printf(",\"relay_channel\":%u",
		       mnl_attr_get_u32(tb[PODNET_A_RELAY_CHANNEL]));
	if (tb[PODNET_A_KEY_SLOT])
		printf(",\"slot\":%u", mnl_attr_get_u8(tb[PODNET_A_KEY_SLOT]));
	if (tb[PODNET_A_TX_SEQ])
		printf(",\"tx_seq\":%" PRIu64, mnl_attr_get_u64(tb[PODNET_A_TX_SEQ]));
	if (tb[PODNET_A_PAYLOAD]) {
		const uint8_t *p = mnl_attr_get_payload(tb[PODNET_A_PAYLOAD]);
		uint16_t n = mnl_attr_get_payload_len(tb[PODNET_A_PAYLOAD]);

		printf(",\"payload\":\"");
		for (uint16_t i = 0; i < n; i++)
			printf("%02x", p[i]);
		printf("\"");
	}
	printf("}\n");
	fflush(stdout);
	return MNL_CB_OK;
}

static const char *const stat_names[] = {
	[PODNET_A_STATS_RX_BYTES] = "rx_bytes",
	[PODNET_A_STATS_TX_BYTES] = "tx_bytes",
	[PODNET_A_STATS_RX_PACKETS] = "rx_packets",
	[PODNET_A_STATS_TX_PACKETS] = "tx_packets",
	[PODNET_A_STATS_DROP_BAD_SOURCE] = "drop_bad_source",
	[PODNET_A_STATS_DROP_INVALID] = "drop_invalid",
	[PODNET_A_STATS_DROP_REPLAY] = "drop_replay",
	[PODNET_A_STATS_DROP_NO_KEY] = "drop_no_key",
	[PODNET_A_STATS_LAST_RX_MS] = "last_rx_ms",
	[PODNET_A_STATS_LAST_TX_MS] = "last_tx_ms",
	[PODNET_A_STATS_RX_MALFORMED] = "rx_malformed",
	[PODNET_A_STATS_TX_NO_ROUTE] = "tx_no_route",
	[PODNET_A_STATS_QUEUED] = "queued",
	[PODNET_A_STATS_TX_QUEUED] = "tx_queued",
	[PODNET_A_STATS_DROP_QUEUE_FULL] = "drop_queue_full",
	[PODNET_A_STATS_DROP_BAD_RELAY] = "drop_bad_relay",
	[PODNET_A_STATS_LAST_DIRECT_RX_MS] = "last_direct_rx_ms",
};

struct show {
	bool json;
	int peers;
};

/* The counters in attribute order, as the module put them. */
static void print_stats(const struct nlattr *nest, bool json, const char *indent)
{
	const struct nlattr *st[PODNET_A_STATS_MAX + 1];
	bool first = true;

	if (json)
		printf("{");
	if (nest)
		podnet_attr_parse_nested(nest, &podnet_stats_attrs, st);
	for (uint16_t t = 0; nest && t <= PODNET_A_STATS_MAX; t++) {
		if (!st[t] || t >= sizeof(stat_names) / sizeof(stat_names[0]) ||
		    !stat_names[t])
			continue;
		if (json)
			printf("%s\"%s\":%" PRIu64, first ? "" : ",",
			       stat_names[t], mnl_attr_get_u64(st[t]));
		else
			printf("%s%s: %" PRIu64 "\n", indent, stat_names[t],
			       mnl_attr_get_u64(st[t]));
		first = false;
	}
	if (json)
		printf("}");
}

static uint64_t key_u(const struct nlattr **k, uint16_t type, int bits)
{
	if (!k[type])
		return 0;
	switch (bits) {
	case 8: return mnl_attr_get_u8(k[type]);
	case 16: return mnl_attr_get_u16(k[type]);
	case 32: return mnl_attr_get_u32(k[type]);
	default: return mnl_attr_get_u64(k[type]);
	}
}

static void print_keys(const struct nlattr *nest, bool json)
{
	const struct nlattr *key, *k[PODNET_A_KEY_MAX + 1];
	bool first = true;

	if (json)
		printf("[");
	mnl_attr_for_each_nested(key, nest) {
		unsigned int slot, cipher, epoch;
		uint32_t li, ri;
		uint64_t seq;
		bool pending;

		podnet_attr_parse_nested(key, &podnet_key_attrs, k);
		slot = (unsigned int)key_u(k, PODNET_A_KEY_SLOT_ID, 8);
		cipher = (unsigned int)key_u(k, PODNET_A_KEYCONF_CIPHER, 8);
		epoch = (unsigned int)key_u(k, PODNET_A_KEYCONF_EPOCH, 16);
		li = (uint32_t)key_u(k, PODNET_A_KEYCONF_LOCAL_INDEX, 32);
		ri = (uint32_t)key_u(k, PODNET_A_KEYCONF_REMOTE_INDEX, 32);
		seq = key_u(k, PODNET_A_KEYCONF_TX_SEQ, 64);
		pending = k[PODNET_A_KEYCONF_PENDING] != NULL;
		if (json)
			printf("%s{\"slot\":\"%s\",\"cipher\":\"%s\",\"epoch\":%u,"
			       "\"local_index\":%u,\"remote_index\":%u,"
			       "\"tx_seq\":%" PRIu64 ",\"pending\":%s}",
			       first ? "" : ",", slot ? "secondary" : "primary",
			       cipher ? "gcm" : "chacha", epoch, li, ri, seq,
			       pending ? "true" : "false");
		else
			printf("  key %s: %s epoch %u local %u remote %u tx_seq %" PRIu64 "%s\n",
			       slot ? "secondary" : "primary",
			       cipher ? "gcm" : "chacha", epoch, li, ri, seq,
			       pending ? " pending" : "");
		first = false;
	}
	if (json)
		printf("]");
}

/* "a/n,b/m" (JSON: quoted) from a PODNET_A_ALLOWED_IPS list. */
static void allowed_str(const struct nlattr *list, bool json, char *out,
			size_t cap)
{
	const struct nlattr *e, *ip[PODNET_A_ALLOWED_IP_MAX + 1];
	size_t used = 0;

	out[0] = 0;
	if (!list)
		return;
	mnl_attr_for_each_nested(e, list) {
		char addr[INET_ADDRSTRLEN] = "?";
		unsigned int cidr = 0;

		podnet_attr_parse_nested(e, &podnet_allowed_ip_attrs, ip);
		if (ip[PODNET_A_ALLOWED_IP_ADDR])
			inet_ntop(AF_INET, mnl_attr_get_payload(ip[PODNET_A_ALLOWED_IP_ADDR]),
				  addr, sizeof(addr));
		if (ip[PODNET_A_ALLOWED_IP_PREFIX])
			cidr = mnl_attr_get_u8(ip[PODNET_A_ALLOWED_IP_PREFIX]);
		used += (size_t)snprintf(out + used, cap - used,
					 json ? "%s\"%s/%u\"" : "%s%s/%u",
					 used ? "," : "", addr, cidr);
		if (used >= cap)
			used = cap - 1;
	}
}

static int peer_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show *s = data;
	const struct nlattr *tb[PODNET_A_MAX + 1];
	char ep[80] = "(none)", ips[4096];
	uint32_t id = 0, relay = 0;

	podnet_attr_parse(nlh, &podnet_attrs, tb);
	if (tb[PODNET_A_PEER_ID])
		id = mnl_attr_get_u32(tb[PODNET_A_PEER_ID]);
	if (tb[PODNET_A_RELAY_CHANNEL])
		relay = mnl_attr_get_u32(tb[PODNET_A_RELAY_CHANNEL]);
	if (tb[PODNET_A_ENDPOINT])
		sockaddr_str(tb[PODNET_A_ENDPOINT], ep, sizeof(ep));
	allowed_str(tb[PODNET_A_ALLOWED_IPS], s->json, ips, sizeof(ips));
	if (s->json) {
		printf("%s{\"id\":%u,\"endpoint\":\"%s\",\"relay_channel\":%u,"
		       "\"allowed_ips\":[%s],\"stats\":",
		       s->peers ? "," : "", id, ep, relay, ips);
		print_stats(tb[PODNET_A_STATS], true, "");
		printf(",\"keys\":");
		if (tb[PODNET_A_KEYS])
			print_keys(tb[PODNET_A_KEYS], true);
		else
			printf("[]");
		printf("}");
	} else {
		printf("peer %u\n  endpoint: %s\n  relay_channel: %u\n  allowed_ips: %s\n",
		       id, ep, relay, ips);
		if (tb[PODNET_A_STATS])
			print_stats(tb[PODNET_A_STATS], false, "  ");
		if (tb[PODNET_A_KEYS])
			print_keys(tb[PODNET_A_KEYS], false);
	}
	s->peers++;
	return MNL_CB_OK;
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show *s = data;
	const struct nlattr *tb[PODNET_A_MAX + 1];
	uint32_t socks = 0, peers = 0, idx = 0;
	const char *name = "?";

	podnet_attr_parse(nlh, &podnet_attrs, tb);
	if (tb[PODNET_A_IFINDEX])
		idx = mnl_attr_get_u32(tb[PODNET_A_IFINDEX]);
	if (tb[PODNET_A_IFNAME])
		name = mnl_attr_get_str(tb[PODNET_A_IFNAME]);
	if (tb[PODNET_A_SOCKETS])
		socks = mnl_attr_get_u32(tb[PODNET_A_SOCKETS]);
	if (tb[PODNET_A_PEERS])
		peers = mnl_attr_get_u32(tb[PODNET_A_PEERS]);
	if (s->json) {
		printf("{\"ifindex\":%u,\"ifname\":\"%s\",\"sockets\":%u,\"peers\":%u,\"stats\":",
		       idx, name, socks, peers);
		print_stats(tb[PODNET_A_DEV_STATS], true, "");
	} else {
		printf("device %s (ifindex %u)\n  sockets: %u\n  peers: %u\n",
		       name, idx, socks, peers);
		if (tb[PODNET_A_DEV_STATS])
			print_stats(tb[PODNET_A_DEV_STATS], false, "  ");
	}
	return MNL_CB_OK;
}

int show_main(struct kctl *k, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct show s = { 0 };

	if (argc < 1)
		die("usage: kctl show IFNAME [--json]");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json"))
			die("unknown option %s", argv[i]);
		s.json = true;
	}
	nlh = kctl_request(k, buf, PODNET_CMD_DEV_GET, 0);
	put_dev(nlh, argv[0]);
	if (kctl_talk(k, nlh, dev_cb, &s) < 0)
		goto err;
	if (s.json)
		printf(",\"peer_list\":[");
	nlh = kctl_request(k, buf, PODNET_CMD_PEER_GET, NLM_F_DUMP);
	put_dev(nlh, argv[0]);
	if (kctl_talk(k, nlh, peer_cb, &s) < 0)
		goto err;
	if (s.json)
		printf("]}\n");
	return 0;
err:
	fprintf(stderr, "kctl: show: %s%s%s\n", strerror(errno),
		k->err[0] ? ": " : "", k->err);
	return 1;
}
