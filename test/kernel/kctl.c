// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * kctl: drives the podnet generic netlink family for the kernel tests.
 * A test tool, not the product CLI: static keys from the command line,
 * one peer per `up`, and deliberately malformed requests on demand.
 *
 *   kctl up IFNAME PORT PEER_ID IP:PORT PREFIX[,PREFIX...] KEYOPTS...
 *	attach a UDP socket bound to PORT, create the peer, install its key
 *	in the primary slot, print "ready", then stay alive holding the
 *	socket and print every notification of the device as a JSON line
 *	until killed. Datagrams the kernel passes up are counted.
 *   kctl key IFNAME PEER_ID KEYOPTS... [--slot primary|secondary] [--pending]
 *   kctl swap IFNAME PEER_ID
 *   kctl keydel IFNAME PEER_ID primary|secondary
 *   kctl peer IFNAME PEER_ID [--endpoint IP:PORT] [--allowed LIST] [--relay N]
 *   kctl peerdel IFNAME PEER_ID
 *   kctl ctrl IFNAME PEER_ID HEX
 *   kctl show IFNAME [--json]
 *   kctl monitor          notifications as JSON lines, until killed
 *   kctl raw CASE IFNAME  send one malformed request (kctl raw list)
 *
 * KEYOPTS: --cipher chacha|gcm --epoch N --local-index N --remote-index N
 *	    --tx-key HEX --tx-iv HEX --rx-key HEX --rx-iv HEX [--tx-seq N]
 *	    [--relay N] (up only) [--bind IP] (up only)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include <podnet_genl.h>

#include "kctl.h"

void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("kctl: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static int hex_parse(const char *s, uint8_t *out, int cap)
{
	size_t n = strlen(s);

	if (n % 2 || (int)(n / 2) > cap)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

uint64_t num_parse(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s)
		die("not a number: %s", s);
	return v;
}

static void endpoint_parse(const char *s, struct sockaddr_storage *ss,
			   size_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(s, ':');
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	size_t hl;

	memset(ss, 0, sizeof(*ss));
	if (!colon || (hl = (size_t)(colon - s)) >= sizeof(host))
		die("bad endpoint %s (want IP:PORT or [IP6]:PORT)", s);
	memcpy(host, s, hl);
	host[hl] = 0;
	if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
		host[hl - 1] = 0;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)num_parse(colon + 1));
		if (inet_pton(AF_INET6, host + 1, &sin6->sin6_addr) != 1)
			die("bad address %s", host + 1);
		*len = sizeof(*sin6);
		return;
	}
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)num_parse(colon + 1));
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		die("bad address %s", host);
	*len = sizeof(*sin);
}

/* ---- netlink plumbing ---- */

struct nlmsghdr *kctl_request(struct kctl *k, void *buf, uint8_t cmd,
			      uint16_t flags)
{
	return genl_request(&k->c, buf, cmd, PODNET_GENL_VERSION, flags);
}

int kctl_talk(struct kctl *k, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	int ret = genl_talk(&k->c, nlh, cb, data, k->err, sizeof(k->err));

	if (!ret)
		return 0;
	/* genl_talk falls back to strerror() without an extack; the
	 * negative tests need to know whether the kernel said why. */
	if (!strcmp(k->err, strerror(-ret)))
		k->err[0] = 0;
	errno = -ret;
	return -1;
}

static int kctl_do(struct kctl *k, struct nlmsghdr *nlh, const char *what)
{
	if (kctl_talk(k, nlh, NULL, NULL) < 0) {
		fprintf(stderr, "kctl: %s: %s%s%s\n", what, strerror(errno),
			k->err[0] ? ": " : "", k->err);
		return -1;
	}
	return 0;
}

void put_dev(struct nlmsghdr *nlh, const char *ifname)
{
	unsigned int idx = if_nametoindex(ifname);

	if (!idx)
		die("no device %s", ifname);
	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, idx);
}

void put_keyconf(struct nlmsghdr *nlh, const struct keyopts *k)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, PODNET_A_KEYCONF);

	mnl_attr_put_u8(nlh, PODNET_A_KEYCONF_CIPHER, (uint8_t)k->cipher);
	mnl_attr_put_u16(nlh, PODNET_A_KEYCONF_EPOCH, (uint16_t)k->epoch);
	mnl_attr_put_u32(nlh, PODNET_A_KEYCONF_LOCAL_INDEX, k->local_index);
	mnl_attr_put_u32(nlh, PODNET_A_KEYCONF_REMOTE_INDEX, k->remote_index);
	mnl_attr_put(nlh, PODNET_A_KEYCONF_TX_KEY, (size_t)k->tx_key_len, k->tx_key);
	mnl_attr_put(nlh, PODNET_A_KEYCONF_TX_IV, (size_t)k->tx_iv_len, k->tx_iv);
	mnl_attr_put(nlh, PODNET_A_KEYCONF_RX_KEY, (size_t)k->rx_key_len, k->rx_key);
	mnl_attr_put(nlh, PODNET_A_KEYCONF_RX_IV, (size_t)k->rx_iv_len, k->rx_iv);
	if (k->has_tx_seq)
		mnl_attr_put_u64(nlh, PODNET_A_KEYCONF_TX_SEQ, k->tx_seq);
	if (k->pending)
		mnl_attr_put(nlh, PODNET_A_KEYCONF_PENDING, 0, NULL);
	mnl_attr_nest_end(nlh, nest);
}

void put_allowed(struct nlmsghdr *nlh, const char *list)
{
	struct nlattr *outer = mnl_attr_nest_start(nlh, PODNET_A_ALLOWED_IPS);
	char *copy = strdup(list), *save = NULL, *tok;

	if (!copy)
		die("out of memory");
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(tok, '/');
		struct in_addr a;
		struct nlattr *e;

		if (!slash)
			die("allowed ip %s needs /PREFIX", tok);
		*slash = 0;
		if (inet_pton(AF_INET, tok, &a) != 1)
			die("bad allowed ip %s", tok);
		e = mnl_attr_nest_start(nlh, PODNET_A_ALLOWED_IP);
		mnl_attr_put(nlh, PODNET_A_ALLOWED_IP_ADDR, 4, &a);
		mnl_attr_put_u8(nlh, PODNET_A_ALLOWED_IP_PREFIX,
				(uint8_t)num_parse(slash + 1));
		mnl_attr_nest_end(nlh, e);
	}
	free(copy);
	mnl_attr_nest_end(nlh, outer);
}

/* ---- option parsing ---- */

struct opts {
	struct keyopts k;
	bool has_key;
	const char *endpoint, *allowed, *bind;
	bool has_relay, json;
	uint32_t relay;
};

static void opts_parse(int argc, char **argv, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	o->k.slot = PODNET_KEY_SLOT_PRIMARY;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;

		if (!strcmp(a, "--json")) {
			o->json = true;
			takes = false;
		} else if (!strcmp(a, "--pending")) {
			o->k.pending = true;
			takes = false;
		} else if (!v) {
			die("%s needs a value", a);
		} else if (!strcmp(a, "--cipher")) {
			if (!strcmp(v, "chacha"))
				o->k.cipher = PODNET_CIPHER_CHACHA20_POLY1305;
			else if (!strcmp(v, "gcm"))
				o->k.cipher = PODNET_CIPHER_AES_GCM;
			else
				die("cipher is chacha or gcm");
		} else if (!strcmp(a, "--epoch")) {
			o->k.epoch = (unsigned int)num_parse(v);
		} else if (!strcmp(a, "--local-index")) {
			o->k.local_index = (uint32_t)num_parse(v);
			o->has_key = true;
		} else if (!strcmp(a, "--remote-index")) {
			o->k.remote_index = (uint32_t)num_parse(v);
		} else if (!strcmp(a, "--tx-key")) {
			o->k.tx_key_len = hex_parse(v, o->k.tx_key, 32);
		} else if (!strcmp(a, "--rx-key")) {
			o->k.rx_key_len = hex_parse(v, o->k.rx_key, 32);
		} else if (!strcmp(a, "--tx-iv")) {
			o->k.tx_iv_len = hex_parse(v, o->k.tx_iv, 12);
		} else if (!strcmp(a, "--rx-iv")) {
			o->k.rx_iv_len = hex_parse(v, o->k.rx_iv, 12);
		} else if (!strcmp(a, "--tx-seq")) {
			o->k.tx_seq = num_parse(v);
			o->k.has_tx_seq = true;
		} else if (!strcmp(a, "--slot")) {
			o->k.slot = !strcmp(v, "secondary");
		} else if (!strcmp(a, "--relay")) {
			o->relay = (uint32_t)num_parse(v);
			o->has_relay = true;
		} else if (!strcmp(a, "--endpoint")) {
			o->endpoint = v;
		} else if (!strcmp(a, "--allowed")) {
			o->allowed = v;
		} else if (!strcmp(a, "--bind")) {
			o->bind = v;
		} else {
			die("unknown option %s", a);
		}
		if (takes)
			i++;
	}
	if (o->k.tx_key_len < 0 || o->k.rx_key_len < 0 ||
	    o->k.tx_iv_len < 0 || o->k.rx_iv_len < 0)
		die("bad hex in a key or iv");
}

/* ---- notifications ---- */

static void subscribe(struct kctl *k)
{
	if (genl_subscribe(&k->c))
		die("cannot join the %s group", PODNET_GENL_MCGRP_PEERS);
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Print notifications; drain (and count) what reaches the UDP socket. */
static void event_loop(struct kctl *k, int udp)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	unsigned long passed = 0;
	struct pollfd p[2] = {
		{ .fd = genl_fd(&k->c), .events = POLLIN },
		{ .fd = udp, .events = POLLIN },
	};

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		if (poll(p, udp >= 0 ? 2 : 1, 1000) < 0)
			continue;
		if (p[0].revents & POLLIN) {
			ssize_t n = mnl_socket_recvfrom(k->c.nl, buf, sizeof(buf));

			if (n > 0)
				mnl_cb_run(buf, (size_t)n, 0, 0, notify_cb, NULL);
		}
		if (udp >= 0 && (p[1].revents & POLLIN)) {
			if (recv(udp, buf, sizeof(buf), 0) >= 0 &&
			    ++passed % 100 == 1) {
				printf("{\"event\":\"passed_up\",\"count\":%lu}\n",
				       passed);
				fflush(stdout);
			}
		}
	}
	printf("{\"event\":\"exit\",\"passed_up\":%lu}\n", passed);
}

/* ---- subcommands ---- */

static int key_set(struct kctl *k, const char *ifname, uint32_t peer,
		   const struct keyopts *ko)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = kctl_request(k, buf, PODNET_CMD_KEY_SET, 0);

	put_dev(nlh, ifname);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, peer);
	mnl_attr_put_u8(nlh, PODNET_A_KEY_SLOT, (uint8_t)ko->slot);
	put_keyconf(nlh, ko);
	return kctl_do(k, nlh, "key set");
}

static int up_main(struct kctl *k, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct sockaddr_storage ep;
	struct sockaddr_in bind_addr = { .sin_family = AF_INET };
	struct nlmsghdr *nlh;
	struct opts o;
	size_t eplen;
	uint32_t peer;
	int udp;

	if (argc < 5)
		die("usage: kctl up IFNAME PORT PEER_ID IP:PORT ALLOWED KEYOPTS...");
	opts_parse(argc - 5, argv + 5, &o);
	peer = (uint32_t)num_parse(argv[2]);
	endpoint_parse(argv[3], &ep, &eplen);
	bind_addr.sin_port = htons((uint16_t)num_parse(argv[1]));
	if (o.bind && inet_pton(AF_INET, o.bind, &bind_addr.sin_addr) != 1)
		die("bad --bind address");
	udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (udp < 0 || bind(udp, (struct sockaddr *)&bind_addr,
			    sizeof(bind_addr)) < 0)
		die("udp socket: %s", strerror(errno));

	subscribe(k);
	nlh = kctl_request(k, buf, PODNET_CMD_SOCKET_ATTACH, 0);
	put_dev(nlh, argv[0]);
	mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, (uint32_t)udp);
	if (kctl_do(k, nlh, "socket attach"))
		return 1;

	nlh = kctl_request(k, buf, PODNET_CMD_PEER_SET, 0);
	put_dev(nlh, argv[0]);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, peer);
	mnl_attr_put(nlh, PODNET_A_ENDPOINT, eplen, &ep);
	mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, (uint32_t)udp);
	if (o.has_relay)
		mnl_attr_put_u32(nlh, PODNET_A_RELAY_CHANNEL, o.relay);
	put_allowed(nlh, argv[4]);
	if (kctl_do(k, nlh, "peer set"))
		return 1;
	if (o.has_key && key_set(k, argv[0], peer, &o.k))
		return 1;
	printf("{\"event\":\"ready\"}\n");
	fflush(stdout);
	event_loop(k, udp);
	return 0;
}

static int key_main(struct kctl *k, int argc, char **argv)
{
	struct opts o;

	if (argc < 2)
		die("usage: kctl key IFNAME PEER_ID KEYOPTS...");
	opts_parse(argc - 2, argv + 2, &o);
	return key_set(k, argv[0], (uint32_t)num_parse(argv[1]), &o.k) ? 1 : 0;
}

static int simple_main(struct kctl *k, uint8_t cmd, int argc, char **argv,
		       const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (argc < 2)
		die("usage: kctl %s IFNAME PEER_ID", what);
	nlh = kctl_request(k, buf, cmd, 0);
	put_dev(nlh, argv[0]);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, (uint32_t)num_parse(argv[1]));
	if (cmd == PODNET_CMD_KEY_DEL) {
		if (argc < 3)
			die("usage: kctl keydel IFNAME PEER_ID primary|secondary");
		mnl_attr_put_u8(nlh, PODNET_A_KEY_SLOT, !strcmp(argv[2], "secondary"));
	} else if (cmd == PODNET_CMD_CTRL_SEND) {
		uint8_t payload[PODNET_CTRL_MAX];
		int n;

		if (argc < 3 || (n = hex_parse(argv[2], payload, sizeof(payload))) <= 0)
			die("usage: kctl ctrl IFNAME PEER_ID HEX");
		mnl_attr_put(nlh, PODNET_A_PAYLOAD, (size_t)n, payload);
	}
	return kctl_do(k, nlh, what) ? 1 : 0;
}

static int peer_main(struct kctl *k, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct opts o;

	if (argc < 2)
		die("usage: kctl peer IFNAME PEER_ID [--endpoint IP:PORT] [--allowed LIST] [--relay N]");
	opts_parse(argc - 2, argv + 2, &o);
	nlh = kctl_request(k, buf, PODNET_CMD_PEER_SET, 0);
	put_dev(nlh, argv[0]);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, (uint32_t)num_parse(argv[1]));
	if (o.endpoint) {
		struct sockaddr_storage ep;
		size_t len;

		endpoint_parse(o.endpoint, &ep, &len);
		mnl_attr_put(nlh, PODNET_A_ENDPOINT, len, &ep);
	}
	if (o.allowed)
		put_allowed(nlh, o.allowed);
	if (o.has_relay)
		mnl_attr_put_u32(nlh, PODNET_A_RELAY_CHANNEL, o.relay);
	return kctl_do(k, nlh, "peer set") ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct kctl k;
	int ret;

	if (argc < 2) {
		fprintf(stderr, "usage: kctl up|key|swap|keydel|peer|peerdel|ctrl|show|monitor|raw ...\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = genl_open(&k.c, PODNET_GENL_NAME, PODNET_GENL_MCGRP_PEERS, k.err,
			sizeof(k.err));
	if (ret)
		die("genetlink family %s: %s (is podnet.ko loaded?)",
		    PODNET_GENL_NAME, strerror(-ret));
	if (!strcmp(argv[1], "up"))
		return up_main(&k, argc - 2, argv + 2);
	if (!strcmp(argv[1], "key"))
		return key_main(&k, argc - 2, argv + 2);
	if (!strcmp(argv[1], "swap"))
		return simple_main(&k, PODNET_CMD_KEY_SWAP, argc - 2, argv + 2, "swap");
	if (!strcmp(argv[1], "keydel"))
		return simple_main(&k, PODNET_CMD_KEY_DEL, argc - 2, argv + 2, "keydel");
	if (!strcmp(argv[1], "peerdel"))
		return simple_main(&k, PODNET_CMD_PEER_DEL, argc - 2, argv + 2, "peerdel");
	if (!strcmp(argv[1], "ctrl"))
		return simple_main(&k, PODNET_CMD_CTRL_SEND, argc - 2, argv + 2, "ctrl");
	if (!strcmp(argv[1], "peer"))
		return peer_main(&k, argc - 2, argv + 2);
	if (!strcmp(argv[1], "show"))
		return show_main(&k, argc - 2, argv + 2);
	if (!strcmp(argv[1], "monitor")) {
		subscribe(&k);
		printf("{\"event\":\"ready\"}\n");
		event_loop(&k, -1);
		return 0;
	}
	if (!strcmp(argv[1], "raw"))
		return raw_main(&k, argc - 2, argv + 2);
	die("unknown command %s", argv[1]);
}
