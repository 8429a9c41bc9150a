// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet ca create: makes the network's certificate authority.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>

#include "cert.h"
#include "cert_issue.h"
#include "cli.h"
#include "subcommands.h"

#define CA_DEFAULT_NAME "podnet"
#define CA_DEFAULT_DAYS 3650

static void ca_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s ca create [--name NAME] [--days N] [--dir DIR]\n"
		"       %s ca serve [--ca-dir DIR] [--listen IP:PORT] ... (ca serve --help)\n"
		"\n"
		"Creates DIR/ca.crt and DIR/ca.key (mode 0600) for a new network.\n"
		"Existing files are never overwritten.\n"
		"\n"
		"  -n, --name NAME  CA name, 1-63 of A-Z a-z 0-9 . _ - (default %s)\n"
		"  -d, --days N     validity in days (default %d)\n"
		"  -o, --dir DIR    output directory (default .)\n",
		prog_name, prog_name, CA_DEFAULT_NAME, CA_DEFAULT_DAYS);
}

static int ca_create(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "days", required_argument, NULL, 'd' },
		{ "dir", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char cert_path[PATH_MAX], key_path[PATH_MAX], err[512], until[32];
	const char *name = CA_DEFAULT_NAME, *dir = ".";
	unsigned long days = CA_DEFAULT_DAYS;
	struct cert_identity id;
	int c;

	cli_set_command_name(argv, "ca create");
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:d:o:h", options, NULL)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'd':
			if (cli_parse_days(optarg, &days) < 0)
				return 1;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'h':
			ca_usage(stdout);
			return 0;
		default:
			ca_usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		ca_usage(stderr);
		return 1;
	}
	if ((size_t)snprintf(cert_path, sizeof(cert_path), "%s/ca.crt", dir) >=
		    sizeof(cert_path) ||
	    (size_t)snprintf(key_path, sizeof(key_path), "%s/ca.key", dir) >=
		    sizeof(key_path)) {
		fprintf(stderr, "%s: directory name too long\n", prog_name);
		return 1;
	}

	if (cert_ca_create(name, days, cert_path, key_path, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return 1;
	}
	if (cert_identity_from_file(cert_path, &id, err, sizeof(err)) == 0)
		printf("%s: CA certificate \"%s\", valid until %s\n", cert_path,
		       id.name, cli_iso_time(id.not_after, until, sizeof(until)));
	else
		printf("%s: CA certificate \"%s\"\n", cert_path, name);
	printf("%s: CA private key (mode 0600); it signs every node, keep it safe\n",
	       key_path);
	return 0;
}

static const struct subcommand ca_commands[] = {
	{ "create", ca_create, "Creates a network certificate authority" },
	{ "serve", ca_serve_main, "Runs the enrollment service for podnet join" },
};

int ca_main(int argc, char *argv[])
{
	static const struct subcommand_table table =
		SUBCOMMAND_TABLE("ca", ca_commands, ca_usage);

	return subcommand_dispatch(&table, argc, argv);
}
