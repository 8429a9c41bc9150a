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
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include <podnet_genl.h>

#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

struct nl {
	struct mnl_socket *sock;
	uint16_t family;
	uint32_t mcgrp;
	uint32_t portid;
	unsigned int seq;
	char err[256];
};

struct keyopts {
	int cipher;
	unsigned int epoch;
	uint32_t local_index, remote_index;
	uint8_t tx_key[32], rx_key[32], tx_iv[12], rx_iv[12];
	int tx_key_len, rx_key_len, tx_iv_len, rx_iv_len;
	uint64_t tx_seq;
	bool has_tx_seq, pending;
	int slot;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...)
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

static uint64_t num_parse(const char *s)
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

static int extack_cb(const struct nlattr *attr, void *data)
{
	char *err = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(err, 256, "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* libmnl hands the data callbacks and the control callbacks one and the
 * same pointer; the error callback finds the socket state here instead. */
static struct nl *talking;

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	struct nl *nl = talking;

	(void)data;
	unsigned int off = sizeof(*e);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!e->error)
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    mnl_nlmsg_size(off) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, off, extack_cb, nl->err);
	errno = -e->error;
	return MNL_CB_ERROR;
}

static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_STOP;
}

/* Send one request; feed replies to cb; 0 or -1 with errno and nl->err. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	mnl_cb_t ctl[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_cb,
		[NLMSG_DONE] = done_cb,
	};
	int ret;

	talking = nl;
	nl->err[0] = 0;
	nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		ret = (int)mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (ret <= 0)
			return -1;
		ret = mnl_cb_run2(buf, (size_t)ret, nlh->nlmsg_seq, nl->portid,
				  cb, data, ctl, NLMSG_MIN_TYPE);
	} while (ret > 0);
	return ret < 0 ? -1 : 0;
}

static struct nlmsghdr *genl_req(struct nl *nl, char *buf, uint8_t cmd,
				 uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = PODNET_GENL_VERSION;
	return nlh;
}

struct family_info {
	uint16_t id;
	uint32_t grp;
};

static int grp_cb(const struct nlattr *attr, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, attr) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
			id = mnl_attr_get_u32(a);
	}
	if (name && !strcmp(name, PODNET_GENL_MCGRP_PEERS))
		fi->grp = id;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_info *fi = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			fi->id = mnl_attr_get_u16(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
			mnl_attr_parse_nested(a, grp_cb, fi);
	}
	return MNL_CB_OK;
}

static void nl_open(struct nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct family_info fi = { 0 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		die("netlink socket: %s", strerror(errno));
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned int)time(NULL);

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PODNET_GENL_NAME);
	if (nl_talk(nl, nlh, family_cb, &fi) < 0 || !fi.id)
		die("genetlink family %s: %s (is podnet.ko loaded?)",
		    PODNET_GENL_NAME, strerror(errno));
	nl->family = fi.id;
	nl->mcgrp = fi.grp;
}

static int nl_do(struct nl *nl, struct nlmsghdr *nlh, const char *what)
{
	if (nl_talk(nl, nlh, NULL, NULL) < 0) {
		fprintf(stderr, "kctl: %s: %s%s%s\n", what, strerror(errno),
			nl->err[0] ? ": " : "", nl->err);
		return -1;
	}
	return 0;
}

static void put_dev(struct nlmsghdr *nlh, const char *ifname)
{
	unsigned int idx = if_nametoindex(ifname);

	if (!idx)
		die("no device %s", ifname);
	mnl_attr_put_u32(nlh, PODNET_A_IFINDEX, idx);
}

static void put_keyconf(struct nlmsghdr *nlh, const struct keyopts *k)
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

static void put_allowed(struct nlmsghdr *nlh, const char *list)
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

static void sockaddr_str(const void *data, size_t len, char *out, size_t cap)
{
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

static int notify_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	char ep[80];

	(void)data;
	printf("{\"event\":\"%s\"", cmd_name(g->cmd));
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		switch (mnl_attr_get_type(a)) {
		case PODNET_A_IFINDEX:
			printf(",\"ifindex\":%u", mnl_attr_get_u32(a));
			break;
		case PODNET_A_PEER_ID:
			printf(",\"peer\":%u", mnl_attr_get_u32(a));
			break;
		case PODNET_A_ENDPOINT:
			sockaddr_str(mnl_attr_get_payload(a),
				     mnl_attr_get_payload_len(a), ep, sizeof(ep));
			printf(",\"endpoint\":\"%s\"", ep);
			break;
		case PODNET_A_KEY_SLOT:
			printf(",\"slot\":%u", mnl_attr_get_u8(a));
			break;
		case PODNET_A_TX_SEQ:
			printf(",\"tx_seq\":%" PRIu64, mnl_attr_get_u64(a));
			break;
		case PODNET_A_PAYLOAD: {
			const uint8_t *p = mnl_attr_get_payload(a);

			printf(",\"payload\":\"");
			for (uint16_t i = 0; i < mnl_attr_get_payload_len(a); i++)
				printf("%02x", p[i]);
			printf("\"");
			break;
		}
		}
	}
	printf("}\n");
	fflush(stdout);
	return MNL_CB_OK;
}

static void nl_subscribe(struct nl *nl)
{
	int grp = (int)nl->mcgrp;

	if (!grp || mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
					  &grp, sizeof(grp)) < 0)
		die("cannot join the %s group", PODNET_GENL_MCGRP_PEERS);
}

static volatile sig_atomic_t stop;
static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Print notifications; drain (and count) what reaches the UDP socket. */
static void event_loop(struct nl *nl, int udp)
{
	char buf[MNL_SOCKET_BUFFER_SIZE * 4];
	unsigned long passed = 0;
	struct pollfd p[2] = {
		{ .fd = mnl_socket_get_fd(nl->sock), .events = POLLIN },
		{ .fd = udp, .events = POLLIN },
	};

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		if (poll(p, udp >= 0 ? 2 : 1, 1000) < 0)
			continue;
		if (p[0].revents & POLLIN) {
			ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));

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

static int key_set(struct nl *nl, const char *ifname, uint32_t peer,
		   const struct keyopts *k)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = genl_req(nl, buf, PODNET_CMD_KEY_SET, 0);

	put_dev(nlh, ifname);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, peer);
	mnl_attr_put_u8(nlh, PODNET_A_KEY_SLOT, (uint8_t)k->slot);
	put_keyconf(nlh, k);
	return nl_do(nl, nlh, "key set");
}

static int up_main(struct nl *nl, int argc, char **argv)
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

	nl_subscribe(nl);
	nlh = genl_req(nl, buf, PODNET_CMD_SOCKET_ATTACH, 0);
	put_dev(nlh, argv[0]);
	mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, (uint32_t)udp);
	if (nl_do(nl, nlh, "socket attach"))
		return 1;

	nlh = genl_req(nl, buf, PODNET_CMD_PEER_SET, 0);
	put_dev(nlh, argv[0]);
	mnl_attr_put_u32(nlh, PODNET_A_PEER_ID, peer);
	mnl_attr_put(nlh, PODNET_A_ENDPOINT, eplen, &ep);
	mnl_attr_put_u32(nlh, PODNET_A_SOCKET_FD, (uint32_t)udp);
	if (o.has_relay)
		mnl_attr_put_u32(nlh, PODNET_A_RELAY_CHANNEL, o.relay);
	put_allowed(nlh, argv[4]);
	if (nl_do(nl, nlh, "peer set"))
		return 1;
	if (o.has_key && key_set(nl, argv[0], peer, &o.k))
		return 1;
	printf("{\"event\":\"ready\"}\n");
	fflush(stdout);
	event_loop(nl, udp);
	return 0;
}

static int key_main(struct nl *nl, int argc, char **argv)
{
	struct opts o;

	if (argc < 2)
		die("usage: kctl key IFNAME PEER_ID KEYOPTS...");
	opts_parse(argc - 2, argv + 2, &o);
	return key_set(nl, argv[0], (uint32_t)num_parse(argv[1]), &o.k) ? 1 : 0;
}

static int simple_main(struct nl *nl, uint8_t cmd, int argc, char **argv,
		       const char *what)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	if (argc < 2)
		die("usage: kctl %s IFNAME PEER_ID", what);
	nlh = genl_req(nl, buf, cmd, 0);
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
	return nl_do(nl, nlh, what) ? 1 : 0;
}

static int peer_main(struct nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct opts o;

	if (argc < 2)
		die("usage: kctl peer IFNAME PEER_ID [--endpoint IP:PORT] [--allowed LIST] [--relay N]");
	opts_parse(argc - 2, argv + 2, &o);
	nlh = genl_req(nl, buf, PODNET_CMD_PEER_SET, 0);
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
	return nl_do(nl, nlh, "peer set") ? 1 : 0;
}

/* ---- show ---- */

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
};

struct show {
	bool json;
	int peers;
};

static void print_stats(const struct nlattr *nest, bool json, const char *indent)
{
	const struct nlattr *a;
	bool first = true;

	if (json)
		printf("{");
	mnl_attr_for_each_nested(a, nest) {
		uint16_t t = mnl_attr_get_type(a);

		if (t >= sizeof(stat_names) / sizeof(stat_names[0]) ||
		    !stat_names[t] || mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			continue;
		if (json)
			printf("%s\"%s\":%" PRIu64, first ? "" : ",",
			       stat_names[t], mnl_attr_get_u64(a));
		else
			printf("%s%s: %" PRIu64 "\n", indent, stat_names[t],
			       mnl_attr_get_u64(a));
		first = false;
	}
	if (json)
		printf("}");
}

static void print_keys(const struct nlattr *nest, bool json)
{
	const struct nlattr *k, *a;
	bool first = true;

	if (json)
		printf("[");
	mnl_attr_for_each_nested(k, nest) {
		unsigned int slot = 0, cipher = 0, epoch = 0;
		uint32_t li = 0, ri = 0;
		uint64_t seq = 0;
		bool pending = false;

		mnl_attr_for_each_nested(a, k) {
			switch (mnl_attr_get_type(a)) {
			case PODNET_A_KEY_SLOT_ID: slot = mnl_attr_get_u8(a); break;
			case PODNET_A_KEYCONF_CIPHER: cipher = mnl_attr_get_u8(a); break;
			case PODNET_A_KEYCONF_EPOCH: epoch = mnl_attr_get_u16(a); break;
			case PODNET_A_KEYCONF_LOCAL_INDEX: li = mnl_attr_get_u32(a); break;
			case PODNET_A_KEYCONF_REMOTE_INDEX: ri = mnl_attr_get_u32(a); break;
			case PODNET_A_KEYCONF_TX_SEQ: seq = mnl_attr_get_u64(a); break;
			case PODNET_A_KEYCONF_PENDING: pending = true; break;
			}
		}
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

static int peer_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show *s = data;
	const struct nlattr *a, *e, *f;
	const struct nlattr *stats = NULL, *keys = NULL;
	char ep[80] = "(none)", ips[4096] = "";
	size_t used = 0;
	uint32_t id = 0, relay = 0;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case PODNET_A_PEER_ID: id = mnl_attr_get_u32(a); break;
		case PODNET_A_RELAY_CHANNEL: relay = mnl_attr_get_u32(a); break;
		case PODNET_A_ENDPOINT:
			sockaddr_str(mnl_attr_get_payload(a),
				     mnl_attr_get_payload_len(a), ep, sizeof(ep));
			break;
		case PODNET_A_STATS: stats = a; break;
		case PODNET_A_KEYS: keys = a; break;
		case PODNET_A_ALLOWED_IPS:
			mnl_attr_for_each_nested(e, a) {
				char addr[INET_ADDRSTRLEN] = "?";
				unsigned int cidr = 0;

				mnl_attr_for_each_nested(f, e) {
					if (mnl_attr_get_type(f) == PODNET_A_ALLOWED_IP_ADDR &&
					    mnl_attr_get_payload_len(f) == 4)
						inet_ntop(AF_INET, mnl_attr_get_payload(f),
							  addr, sizeof(addr));
					else if (mnl_attr_get_type(f) == PODNET_A_ALLOWED_IP_PREFIX)
						cidr = mnl_attr_get_u8(f);
				}
				used += (size_t)snprintf(ips + used, sizeof(ips) - used,
							 s->json ? "%s\"%s/%u\"" : "%s%s/%u",
							 used ? "," : "", addr, cidr);
				if (used >= sizeof(ips))
					used = sizeof(ips) - 1;
			}
			break;
		}
	}
	if (s->json) {
		printf("%s{\"id\":%u,\"endpoint\":\"%s\",\"relay_channel\":%u,"
		       "\"allowed_ips\":[%s],\"stats\":",
		       s->peers ? "," : "", id, ep, relay, ips);
		print_stats(stats, true, "");
		printf(",\"keys\":");
		if (keys)
			print_keys(keys, true);
		else
			printf("[]");
		printf("}");
	} else {
		printf("peer %u\n  endpoint: %s\n  relay_channel: %u\n  allowed_ips: %s\n",
		       id, ep, relay, ips);
		if (stats)
			print_stats(stats, false, "  ");
		if (keys)
			print_keys(keys, false);
	}
	s->peers++;
	return MNL_CB_OK;
}

static int dev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show *s = data;
	const struct nlattr *a, *stats = NULL;
	uint32_t socks = 0, peers = 0, idx = 0;
	const char *name = "?";

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case PODNET_A_IFINDEX: idx = mnl_attr_get_u32(a); break;
		case PODNET_A_IFNAME: name = mnl_attr_get_str(a); break;
		case PODNET_A_SOCKETS: socks = mnl_attr_get_u32(a); break;
		case PODNET_A_PEERS: peers = mnl_attr_get_u32(a); break;
		case PODNET_A_DEV_STATS: stats = a; break;
		}
	}
	if (s->json) {
		printf("{\"ifindex\":%u,\"ifname\":\"%s\",\"sockets\":%u,\"peers\":%u,\"stats\":",
		       idx, name, socks, peers);
		print_stats(stats, true, "");
	} else {
		printf("device %s (ifindex %u)\n  sockets: %u\n  peers: %u\n",
		       name, idx, socks, peers);
		if (stats)
			print_stats(stats, false, "  ");
	}
	return MNL_CB_OK;
}

static int show_main(struct nl *nl, int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct show s = { 0 };
	struct opts o;

	if (argc < 1)
		die("usage: kctl show IFNAME [--json]");
	opts_parse(argc - 1, argv + 1, &o);
	s.json = o.json;
	nlh = genl_req(nl, buf, PODNET_CMD_DEV_GET, 0);
	put_dev(nlh, argv[0]);
	if (nl_talk(nl, nlh, dev_cb, &s) < 0)
		goto err;
	if (s.json)
		printf(",\"peer_list\":[");
	nlh = genl_req(nl, buf, PODNET_CMD_PEER_GET, NLM_F_DUMP);
	put_dev(nlh, argv[0]);
	if (nl_talk(nl, nlh, peer_cb, &s) < 0)
		goto err;
	if (s.json)
		printf("]}\n");
	return 0;
err:
	fprintf(stderr, "kctl: show: %s%s%s\n", strerror(errno),
		nl->err[0] ? ": " : "", nl->err);
	return 1;
}

/* ---- raw: malformed requests for negative tests ---- */

static void raw_build(struct nl *nl, const char *c, struct nlmsghdr **out,
		      char *buf, const char *ifname)
{
	struct keyopts k = {
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
	nlh = genl_req(nl, buf, cmd, 0);
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
			k.tx_key_len = k.rx_key_len = 16;
		} else if (!strcmp(c, "gcm-long-iv")) {
			k.cipher = PODNET_CIPHER_AES_GCM;
			k.tx_key_len = k.rx_key_len = 16;
		} else if (!strcmp(c, "pending-primary")) {
			k.pending = true;
		} else if (!strcmp(c, "index-zero")) {
			k.local_index = 0;
		} else if (!strcmp(c, "seq-too-big")) {
			k.tx_seq = 1ULL << 48;
			k.has_tx_seq = true;
		}
		if (!strcmp(c, "key-no-cipher")) {
			struct nlattr *n = mnl_attr_nest_start(nlh, PODNET_A_KEYCONF);

			mnl_attr_put_u16(nlh, PODNET_A_KEYCONF_EPOCH, 1);
			mnl_attr_nest_end(nlh, n);
		} else {
			put_keyconf(nlh, &k);
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
static int raw_main(struct nl *nl, int argc, char **argv)
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
	raw_build(nl, argv[0], &nlh, buf, argv[1]);
	if (nl_talk(nl, nlh, NULL, NULL) == 0) {
		printf("%s: accepted\n", argv[0]);
		return 1;
	}
	printf("%s: %s: %s\n", argv[0], strerror(errno),
	       nl->err[0] ? nl->err : "(no extack message)");
	return nl->err[0] ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct nl nl;

	if (argc < 2) {
		fprintf(stderr, "usage: kctl up|key|swap|keydel|peer|peerdel|ctrl|show|monitor|raw ...\n");
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	nl_open(&nl);
	if (!strcmp(argv[1], "up"))
		return up_main(&nl, argc - 2, argv + 2);
	if (!strcmp(argv[1], "key"))
		return key_main(&nl, argc - 2, argv + 2);
	if (!strcmp(argv[1], "swap"))
		return simple_main(&nl, PODNET_CMD_KEY_SWAP, argc - 2, argv + 2, "swap");
	if (!strcmp(argv[1], "keydel"))
		return simple_main(&nl, PODNET_CMD_KEY_DEL, argc - 2, argv + 2, "keydel");
	if (!strcmp(argv[1], "peerdel"))
		return simple_main(&nl, PODNET_CMD_PEER_DEL, argc - 2, argv + 2, "peerdel");
	if (!strcmp(argv[1], "ctrl"))
		return simple_main(&nl, PODNET_CMD_CTRL_SEND, argc - 2, argv + 2, "ctrl");
	if (!strcmp(argv[1], "peer"))
		return peer_main(&nl, argc - 2, argv + 2);
	if (!strcmp(argv[1], "show"))
		return show_main(&nl, argc - 2, argv + 2);
	if (!strcmp(argv[1], "monitor")) {
		nl_subscribe(&nl);
		printf("{\"event\":\"ready\"}\n");
		event_loop(&nl, -1);
		return 0;
	}
	if (!strcmp(argv[1], "raw"))
		return raw_main(&nl, argc - 2, argv + 2);
	die("unknown command %s", argv[1]);
}
