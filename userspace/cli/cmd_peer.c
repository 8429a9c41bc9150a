// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet peer add|remove: the two halves of `podnet set` that refuse
 * what does not fit (adding a peer that exists, removing one that does
 * not), for scripts that want to know.
 */
#include <string.h>

#include "cert.h"
#include "cli.h"
#include "ctl_request.h"
#include "subcommands.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s peer add <IF | --socket PATH> NAME [endpoint HOST:PORT] [rendezvous yes|no]\n"
		"       %s peer remove <IF | --socket PATH> NAME\n\n"
		"Adds a peer to, or removes one from, the running podnetd on IF.\n"
		"Needs root or CAP_NET_ADMIN.\n", prog_name, prog_name);
}

static int peer_change(int argc, char *argv[], bool add)
{
	char path[256], req[512];
	int i = 1;

	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))) {
		usage(stdout);
		return 0;
	}
	if (ctl_target(argc, argv, &i, path, sizeof(path)) || i >= argc ||
	    !cert_name_valid(argv[i]) || (!add && i + 1 != argc)) {
		usage(stderr);
		return 1;
	}
	snprintf(req, sizeof(req), "set=1\npeer=%s\n%s\n", argv[i],
		 add ? "add=1" : "remove=1");
	if (add && ctl_peer_words(argc, argv, i + 1, false, req,
				  sizeof(req) - 1))
		return 1;
	strcat(req, "\n");
	return ctl_request(path, req, NULL);
}

static int add_main(int argc, char *argv[])
{
	return peer_change(argc, argv, true);
}

static int remove_main(int argc, char *argv[])
{
	return peer_change(argc, argv, false);
}

static const struct subcommand cmds[] = {
	{ "add", add_main, "Adds a peer to a running podnetd" },
	{ "remove", remove_main, "Removes a peer from a running podnetd" },
};

static const struct subcommand_table table =
	SUBCOMMAND_TABLE("peer", cmds, usage);

int peer_main(int argc, char *argv[])
{
	return subcommand_dispatch(&table, argc, argv);
}
