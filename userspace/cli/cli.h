/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * What the subcommands of `podnet` share: a table of named commands and
 * the one dispatcher that runs them (for `podnet <cmd>` as for
 * `podnet ca <cmd>`), and the small argument and output helpers more than
 * one subcommand needs.
 */
#ifndef _PODNET_CLI_H
#define _PODNET_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

/* fn gets argv starting at its own name and returns the exit status. */
struct subcommand {
	const char *name;
	int (*fn)(int argc, char *argv[]);
	const char *description;
};

struct subcommand_table {
	/* The command the table belongs to ("ca"); NULL at the top level. */
	const char *parent;
	const struct subcommand *cmds;
	size_t n_cmds;
	void (*usage)(FILE *f);
};

#define SUBCOMMAND_TABLE(parent_name, table, usage_fn)			\
	{ .parent = (parent_name), .cmds = (table),			\
	  .n_cmds = sizeof(table) / sizeof((table)[0]),			\
	  .usage = (usage_fn) }

/*
 * Runs the command argv[1] names from t with argv + 1. help, --help and -h
 * print the usage to stdout and return 0; no command or an unknown one
 * prints it to stderr and returns 1.
 */
int subcommand_dispatch(const struct subcommand_table *t, int argc,
			char *argv[]);

/* "  name   description" for each command of t, for usage texts. */
void subcommand_list(FILE *f, const struct subcommand_table *t);

/*
 * Names the running command "<prog> <words>" in argv[0], which getopt
 * uses in its complaints. The name lives in a static buffer.
 */
void cli_set_command_name(char *argv[], const char *words);

/* A usage mistake: usage(stderr), and the exit status 1 to return. */
int cli_usage_error(void (*usage)(FILE *f));

/*
 * The default arm of every subcommand's getopt switch: -h/--help prints
 * the usage to stdout for exit status 0; anything else getopt has
 * complained about already, so it is a usage error.
 */
int cli_option_unhandled(int opt, void (*usage)(FILE *f));

/* Parses a --days value of 1..CERT_DAYS_MAX; says why not and returns -1. */
int cli_parse_days(const char *arg, unsigned long *days);

/* 2026-12-02T10:00:00Z, or @seconds if the date cannot be printed. */
const char *cli_iso_time(time_t t, char *buf, size_t len);

/*
 * The control sockets a command talks to: socket_path (--socket) if
 * given, else ifname's default socket in this network namespace
 * (ctlpath.h), else (ifname NULL) that of every daemon of this namespace
 * in CONTROL_SOCKET_DIR, sorted. Returns how many, 0 meaning none runs,
 * with *paths to free with cli_sockets_free(); -1 having said why.
 */
int cli_sockets(const char *socket_path, const char *ifname, char ***paths);
void cli_sockets_free(char **paths, int n);

/* Whether s can name an interface (1-15 characters, no '/'); says why
 * not on stderr. */
bool cli_ifname_ok(const char *s);

#endif /* _PODNET_CLI_H */
