// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet ping: a round trip through the tunnel to a peer, answered by the
 * peer's daemon, with the path it took (direct or relay). The peer is
 * named by its certificate name or its virtual address, looked up in the
 * daemons' answers to "get" (every interface of this network namespace
 * unless one is named), so that "no such peer" and "no session yet" are
 * told apart before anything is sent.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert.h"
#include "cli.h"
#include "status.h"
#include "subcommands.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s ping [--count N] [--json] [INTERFACE | --socket PATH] PEER\n\n"
		"Sends N pings (default 3) through the tunnel to PEER's daemon and\n"
		"prints the round-trip time and the path (direct or relay). PEER is\n"
		"a peer's name or virtual address; without INTERFACE it is looked\n"
		"up on every interface of this network namespace.\n",
		prog_name);
}

/* Where the target is: the socket of its daemon, its name there. */
struct ping_target {
	char socket[108];
	char ifname[32];
	char name[CERT_NAME_MAX];
	char address[64];
	char state[32];
};

/* Is the peer block p the target (its name or its address)? */
static bool peer_matches(const struct status_block *p, const char *target)
{
	const char *name = status_get(p, "name");
	const char *addr = status_get(p, "address");
	const char *addr6 = status_get(p, "address6");

	return (name && !strcmp(name, target)) ||
	       (addr && !strcmp(addr, target)) ||
	       (addr6 && !strcmp(addr6, target));
}

/*
 * Looks the target up in every daemon at paths. Returns 1 found (*t
 * filled), 0 not found (ifnames lists where it was looked for), -1 on an
 * error already printed.
 */
static int find_target(char **paths, int n, const char *target,
		       struct ping_target *t, char *ifnames, size_t iflen)
{
	int found = 0, asked = 0;
	char err[512];

	ifnames[0] = '\0';
	for (int i = 0; i < n; i++) {
		const char *ifname;
		struct status st;

		if (status_fetch(paths[i], &st, err, sizeof(err))) {
			/* One dead socket must not hide the others. */
			fprintf(stderr, "%s: %s\n", prog_name, err);
			if (n == 1)
				return -1;
			continue;
		}
		asked++;
		ifname = status_get(&st.interface, "interface");
		ifname = ifname ? ifname : paths[i];
		snprintf(ifnames + strlen(ifnames), iflen - strlen(ifnames),
			 "%s%s", ifnames[0] ? ", " : "", ifname);
		for (size_t k = 0; k < st.n_peers; k++) {
			const struct status_block *p = &st.peers[k];
			const char *v;

			if (!peer_matches(p, target))
				continue;
			if (found++) {
				fprintf(stderr, "%s: %s is a peer on %s and on %s; name the interface: %s ping %s %s\n",
					prog_name, target, t->ifname, ifname,
					prog_name, ifname, target);
				status_free(&st);
				return -1;
			}
			snprintf(t->socket, sizeof(t->socket), "%s", paths[i]);
			snprintf(t->ifname, sizeof(t->ifname), "%s", ifname);
			snprintf(t->name, sizeof(t->name), "%s",
				 status_get(p, "name"));
			v = status_get(p, "address");
			if (!v)	/* a v6-only peer */
				v = status_get(p, "address6");
			snprintf(t->address, sizeof(t->address), "%s",
				 v ? v : "no address");
			v = status_get(p, "state");
			snprintf(t->state, sizeof(t->state), "%s",
				 v ? v : "unknown");
			break;
		}
		status_free(&st);
	}
	if (!asked)
		return -1;
	return found;
}

int ping_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		/* Before the interface was positional; kept for scripts. */
		{ "interface", required_argument, NULL, 'i' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *socket_path = NULL, *ifname = NULL, *target;
	char req[128], err[512], ifnames[256];
	struct ping_target t = { 0 };
	char target6[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a;
	unsigned long count = 3;
	bool json = false;
	int opt, ret = 0, n;
	char **paths;
	char *end;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:ji:s:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			count = strtoul(optarg, &end, 10);
			if (*end || !count || count > 1000) {
				fprintf(stderr, "%s: --count: expected 1-1000\n",
					prog_name);
				return 1;
			}
			break;
		case 'j':
			json = true;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		default:
			return cli_option_unhandled(opt, usage);
		}
	}
	if (argc - optind == 2 && !ifname && !socket_path)
		ifname = argv[optind++];
	if (argc - optind != 1)
		return cli_usage_error(usage);
	target = argv[optind];
	if (inet_pton(AF_INET6, target, &a6) == 1) {
		/* As podnetd writes it (fd77:0::2 is fd77::2). */
		inet_ntop(AF_INET6, &a6, target6, sizeof(target6));
		target = target6;
	} else if (!cert_name_valid(target) &&
		   inet_pton(AF_INET, target, &a) != 1) {
		fprintf(stderr, "%s: '%s' is neither a peer name nor an IPv4 or IPv6 address\n",
			prog_name, target);
		return 1;
	}
	n = cli_sockets(socket_path, ifname, &paths);
	if (n < 0)
		return 1;
	if (!n) {
		fprintf(stderr, "%s: no podnetd runs in this network namespace\n",
			prog_name);
		return 1;
	}
	ret = find_target(paths, n, target, &t, ifnames, sizeof(ifnames));
	cli_sockets_free(paths, n);
	if (ret < 0)
		return 1;
	if (!ret) {
		fprintf(stderr, "%s: no peer %s on %s\n", prog_name, target,
			ifnames);
		return 1;
	}
	if (strcmp(t.state, "established")) {
		fprintf(stderr, "%s: %s (%s) on %s: peer known, no session yet (state %s)\n",
			prog_name, t.name, t.address, t.ifname, t.state);
		return 1;
	}
	ret = 0;
	snprintf(req, sizeof(req), "ping=%s\n", t.name);
	if (json)
		printf("[");
	for (unsigned long i = 0; i < count; i++) {
		struct status st;
		const char *rtt, *via, *ep;

		if (i)
			usleep(200000);
		if (status_request(t.socket, req, &st, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prog_name, err);
			return 1;
		}
		if (st.error) {
			int e = st.error;

			fprintf(stderr, "%s: %s: %s\n", prog_name, t.name,
				e == ETIMEDOUT ? "no answer within 2 s" :
				e == ENOTCONN ? "peer known, its session is gone (state down)" :
				strerror(e));
			status_free(&st);
			ret = 1;
			if (e == ENOTCONN)
				break;
			continue;
		}
		rtt = status_get(&st.interface, "rtt_us");
		via = status_get(&st.interface, "path");
		ep = status_get(&st.interface, "endpoint");
		if (json)
			printf("%s{\"peer\": \"%s\", \"address\": \"%s\", \"interface\": \"%s\", \"path\": \"%s\", \"endpoint\": \"%s\", \"rtt_us\": %s}",
			       i ? ", " : "", t.name, t.address, t.ifname,
			       via ? via : "", ep ? ep : "", rtt ? rtt : "0");
		else
			printf("%s: %.3f ms via %s path %s\n", t.name,
			       rtt ? atof(rtt) / 1000.0 : 0.0, via ? via : "?",
			       ep ? ep : "?");
		status_free(&st);
	}
	if (json)
		printf("]\n");
	return ret;
}
