// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet ping: a round trip through the tunnel to a peer, answered by the
 * peer's daemon, with the path it took (direct or relay).
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cert.h"
#include "status.h"
#include "subcommands.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s ping [--count N] [--json] [--interface IF | --socket PATH] PEER\n\n"
		"Sends N pings (default 3) through the tunnel to PEER's daemon and\n"
		"prints the round-trip time and the path (direct or relay).\n",
		prog_name);
}

int ping_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "interface", required_argument, NULL, 'i' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *socket_path = NULL, *ifname = "pod0";
	char path[256], req[128], err[512];
	unsigned long count = 3;
	bool json = false;
	int opt, ret = 0;
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
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (argc - optind != 1 || !cert_name_valid(argv[optind])) {
		usage(stderr);
		return 1;
	}
	if (!socket_path) {
		snprintf(path, sizeof(path), "/run/podnet/%s.sock", ifname);
		socket_path = path;
	}
	snprintf(req, sizeof(req), "ping=%s\n", argv[optind]);
	if (json)
		printf("[");
	for (unsigned long i = 0; i < count; i++) {
		struct status st;
		const char *rtt, *via, *ep;

		if (i)
			usleep(200000);
		if (status_request(socket_path, req, &st, err, sizeof(err))) {
			fprintf(stderr, "%s: %s\n", prog_name, err);
			return 1;
		}
		if (st.error) {
			fprintf(stderr, "%s: %s: %s\n", prog_name, argv[optind],
				st.error == ETIMEDOUT ? "no answer within 2 s" :
				st.error == ENOTCONN ? "no session with this peer" :
				strerror(st.error));
			status_free(&st);
			ret = 1;
			if (st.error == ENOTCONN)
				break;
			continue;
		}
		rtt = status_get(&st.interface, "rtt_us");
		via = status_get(&st.interface, "path");
		ep = status_get(&st.interface, "endpoint");
		if (json)
			printf("%s{\"peer\": \"%s\", \"path\": \"%s\", \"endpoint\": \"%s\", \"rtt_us\": %s}",
			       i ? ", " : "", argv[optind], via ? via : "",
			       ep ? ep : "", rtt ? rtt : "0");
		else
			printf("%s: %.3f ms via %s path %s\n", argv[optind],
			       rtt ? atof(rtt) / 1000.0 : 0.0, via ? via : "?",
			       ep ? ep : "?");
		status_free(&st);
	}
	if (json)
		printf("]\n");
	return ret;
}
