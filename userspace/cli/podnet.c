// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet: the command-line tool. A table of subcommands, one file each.
 */
#include <stdio.h>
#include <string.h>

#include "subcommands.h"

const char *prog_name;

static const struct {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
} subcommands[] = {
	{ "show", show_main, "Shows the current state of a running podnetd" },
	{ "ping", ping_main, "Measures the round trip to a peer through the tunnel" },
	{ "ca", ca_main, "Creates a network certificate authority" },
	{ "cert", cert_main, "Issues and shows node certificates" },
};

static void show_usage(FILE *f)
{
	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", prog_name);
	fprintf(f, "Available subcommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-6s %s\n", subcommands[i].name,
			subcommands[i].description);
	fprintf(f, "You may pass `--help' to any of these subcommands to view usage.\n");
}

int main(int argc, char *argv[])
{
	prog_name = argv[0];

	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "help"))) {
		show_usage(stdout);
		return 0;
	}
	if (argc < 2) {
		show_usage(stderr);
		return 1;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	show_usage(stderr);
	return 1;
}
