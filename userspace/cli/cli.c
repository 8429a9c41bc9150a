// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The subcommand dispatcher and helpers shared by podnet's subcommands
 * (cli.h).
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include "cli.h"
#include "ctlpath.h"
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
	int width = 0;

	/* One column for the descriptions, however long the names. */
	for (size_t i = 0; i < t->n_cmds; i++) {
		int len = (int)strlen(t->cmds[i].name);

		if (len > width)
			width = len;
	}
	for (size_t i = 0; i < t->n_cmds; i++)
		fprintf(f, "  %-*s %s\n", width, t->cmds[i].name,
			t->cmds[i].description);
}

void cli_set_command_name(char *argv[], const char *words)
{
	static char name[PATH_MAX];

	snprintf(name, sizeof(name), "%s %s", prog_name, words);
	argv[0] = name;
}

int cli_usage_error(void (*usage)(FILE *f))
{
	usage(stderr);
	return 1;
}

int cli_option_unhandled(int opt, void (*usage)(FILE *f))
{
	if (opt != 'h')
		return cli_usage_error(usage);
	usage(stdout);
	return 0;
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

bool cli_ifname_ok(const char *s)
{
	if (!*s || strlen(s) >= IF_NAMESIZE || strchr(s, '/') ||
	    strchr(s, '@')) {
		fprintf(stderr, "%s: '%s' is not an interface name\n",
			prog_name, s);
		return false;
	}
	return true;
}

void cli_sockets_free(char **paths, int n)
{
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every default socket of this namespace's daemons. */
static int list_sockets(char ***paths)
{
	struct netns_id ns;
	struct dirent *de;
	char **v = NULL;
	int n = 0;
	DIR *d;

	*paths = NULL;
	d = opendir(CONTROL_SOCKET_DIR);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		fprintf(stderr, "%s: %s: %s\n", prog_name, CONTROL_SOCKET_DIR,
			strerror(errno));
		return -1;
	}
	netns_self(&ns);
	while ((de = readdir(d))) {
		char **nv;

		if (!control_socket_name_matches(de->d_name, &ns) || n >= 256)
			continue;
		nv = realloc(v, (size_t)(n + 1) * sizeof(*v));
		if (!nv || asprintf(&nv[n], CONTROL_SOCKET_DIR "/%s",
				    de->d_name) < 0) {
			v = nv ? nv : v;
			closedir(d);
			cli_sockets_free(v, n);
			fprintf(stderr, "%s: out of memory\n", prog_name);
			return -1;
		}
		v = nv;
		n++;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof(*v), by_name);
	*paths = v;
	return n;
}

int cli_sockets(const char *socket_path, const char *ifname, char ***paths)
{
	char path[108];

	if (!socket_path && !ifname)
		return list_sockets(paths);
	if (!socket_path) {
		if (!cli_ifname_ok(ifname))
			return -1;
		if (control_socket_default(path, sizeof(path), ifname)) {
			fprintf(stderr, "%s: %s: socket path too long\n",
				prog_name, ifname);
			return -1;
		}
		socket_path = path;
	}
	*paths = calloc(1, sizeof(**paths));
	if (!*paths || !((*paths)[0] = strdup(socket_path))) {
		free(*paths);
		fprintf(stderr, "%s: out of memory\n", prog_name);
		return -1;
	}
	return 1;
}
