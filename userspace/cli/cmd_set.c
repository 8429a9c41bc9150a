// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet set: change one peer of a running podnetd, as `wg set` does; the
 * peer is added if the daemon has none of that name. The change lives
 * until the next restart or SIGHUP reload (podnet showconf saves it).
 */
#include <string.h>

#include "cert.h"
#include "ctl_request.h"
#include "subcommands.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s set <IF | --socket PATH> peer NAME [endpoint HOST:PORT] [rendezvous yes|no] [remove]\n\n"
		"Adds or changes peer NAME of the running podnetd on IF, or removes\n"
		"it. Peers not named keep their sessions. Needs root or CAP_NET_ADMIN.\n",
		prog_name);
}

int set_main(int argc, char *argv[])
{
	char path[256], req[512] = "set=1\n";
	int i = 1;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help") ||
			 !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (ctl_target(argc, argv, &i, path, sizeof(path)) || i + 1 >= argc ||
	    strcmp(argv[i], "peer") || !cert_name_valid(argv[i + 1])) {
		usage(stderr);
		return 1;
	}
	snprintf(req + strlen(req), sizeof(req) - strlen(req), "peer=%s\n",
		 argv[i + 1]);
	if (ctl_peer_words(argc, argv, i + 2, true, req, sizeof(req) - 1))
		return 1;
	strcat(req, "\n");
	return ctl_request(path, req, NULL);
}
