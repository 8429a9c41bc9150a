// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The subcommand dispatcher and helpers shared by podnet's subcommands
 * (cli.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "cli.h"
#include "subcommands.h"

static bool is_help(const char *arg)
{
	return !strcmp(arg, "help") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "-h");
}

int subcommand_dispatch(const struct subcommand_table *t, int argc,
			char *argv[])
{
	if (argc < 2) {
		t->usage(stderr);
		return 1;
	}
	if (is_help(argv[1])) {
		t->usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < t->n_cmds; i++) {
		if (!strcmp(argv[1], t->cmds[i].name))
			return t->cmds[i].fn(argc - 1, argv + 1);
	}
	if (t->parent)
		fprintf(stderr, "%s %s: unknown command `%s'\n", prog_name,
			t->parent, argv[1]);
	else
		fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	t->usage(stderr);
	return 1;
}

void subcommand_list(FILE *f, const struct subcommand_table *t)
{
	for (size_t i = 0; i < t->n_cmds; i++)
		fprintf(f, "  %-6s %s\n", t->cmds[i].name,
			t->cmds[i].description);
}

void cli_set_command_name(char *argv[], const char *words)
{
	static char name[PATH_MAX];

	snprintf(name, sizeof(name), "%s %s", prog_name, words);
	argv[0] = name;
}

int cli_parse_days(const char *arg, unsigned long *days)
{
	char *end;

	errno = 0;
	*days = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || *days < 1 ||
	    *days > CERT_DAYS_MAX) {
		fprintf(stderr, "%s: --days must be 1..%d\n", prog_name,
			CERT_DAYS_MAX);
		return -1;
	}
	return 0;
}

const char *cli_iso_time(time_t t, char *buf, size_t len)
{
	struct tm tm;

	if (!gmtime_r(&t, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "@%lld", (long long)t);
	return buf;
}
