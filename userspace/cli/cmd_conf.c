// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet showconf / syncconf, as their wg namesakes: the running state as
 * a config file, and a config file made the running state without a
 * restart (the way SIGHUP reloads, but from any file).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_request.h"
#include "subcommands.h"

static bool wants_help(int argc, char *argv[])
{
	return argc > 1 && (!strcmp(argv[1], "--help") ||
			    !strcmp(argv[1], "help") || !strcmp(argv[1], "-h"));
}

static void showconf_usage(FILE *f)
{
	fprintf(f, "Usage: %s showconf <IF | --socket PATH>\n\n"
		"Prints a podnetd config file that reproduces the running state of\n"
		"the node on IF, peers added at run time included.\n", prog_name);
}

int showconf_main(int argc, char *argv[])
{
	char path[256];
	int i = 1;

	if (wants_help(argc, argv)) {
		showconf_usage(stdout);
		return 0;
	}
	if (ctl_target(argc, argv, &i, path, sizeof(path)) || i != argc) {
		showconf_usage(stderr);
		return 1;
	}
	return ctl_request(path, "showconf=1\n\n", stdout);
}

static void syncconf_usage(FILE *f)
{
	fprintf(f, "Usage: %s syncconf <IF | --socket PATH> FILE\n\n"
		"Makes the running node on IF what FILE says, as a SIGHUP reload does:\n"
		"peers FILE lacks are removed, unchanged ones keep their sessions. If\n"
		"FILE changes Name, Address, ListenPort or ControlSocket, nothing is\n"
		"changed (they need a restart). Needs root or CAP_NET_ADMIN.\n",
		prog_name);
}

int syncconf_main(int argc, char *argv[])
{
	char path[256], file[PATH_MAX], req[PATH_MAX + 16];
	int i = 1;

	if (wants_help(argc, argv)) {
		syncconf_usage(stdout);
		return 0;
	}
	if (ctl_target(argc, argv, &i, path, sizeof(path)) || i + 1 != argc) {
		syncconf_usage(stderr);
		return 1;
	}
	/* The daemon reads the file: it must not depend on our cwd. */
	if (!realpath(argv[i], file)) {
		fprintf(stderr, "%s: %s: ", prog_name, argv[i]);
		perror(NULL);
		return 1;
	}
	snprintf(req, sizeof(req), "syncconf=%s\n\n", file);
	return ctl_request(path, req, NULL);
}
