// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet: the command-line tool. A table of subcommands, one file each.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cpu_check.h"
#include "subcommands.h"
#include "version.h"

const char *prog_name;

static const struct subcommand subcommands[] = {
	{ "show", show_main, "Shows the current state of a running podnetd" },
	{ "ping", ping_main, "Measures the round trip to a peer through the tunnel" },
	{ "set", set_main, "Adds, changes or removes a peer of a running podnetd" },
	{ "peer", peer_main, "Adds or removes a peer of a running podnetd" },
	{ "showconf", showconf_main, "Prints the running configuration as a config file" },
	{ "syncconf", syncconf_main, "Applies a config file's peers without a restart" },
	{ "ca", ca_main, "Creates a network CA; serves joins (ca serve)" },
	{ "cert", cert_main, "Issues and shows node certificates" },
	{ "invite", invite_main, "Makes a one-time token for a new node (CA machine)" },
	{ "join", join_main, "Joins this machine to a network with a token" },
};

static void show_usage(FILE *f);

static const struct subcommand_table table =
	SUBCOMMAND_TABLE(NULL, subcommands, show_usage);

static void show_usage(FILE *f)
{
	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", prog_name);
	fprintf(f, "Available subcommands:\n");
	subcommand_list(f, &table);
	fprintf(f, "You may pass `--help' to any of these subcommands to view usage.\n"
		"`%s --version' prints the version.\n", prog_name);
}

int main(int argc, char *argv[])
{
	prog_name = argv[0];
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("podnet %s\n", podnet_version());
		return 0;
	}
	/* Certificates and keys use the wolfSSL that podnetd does. */
	if (cpu_check_crypto()) {
		fprintf(stderr, "%s: %s\n", prog_name, cpu_check_crypto());
		return 1;
	}
	return subcommand_dispatch(&table, argc, argv);
}
