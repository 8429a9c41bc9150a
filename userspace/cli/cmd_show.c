// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet show: the state of running daemons, as text in the style of
 * `wg show` or as JSON for scripts. Both come from the same parsed answer,
 * so they never disagree.
 */
#include <ctype.h>
#include <getopt.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "status.h"
#include "subcommands.h"

#define SOCKET_DIR "/run/podnet"

static bool color;

static const char *c_bold(void) { return color ? "\x1b[1m" : ""; }
static const char *c_green(void) { return color ? "\x1b[32m" : ""; }
static const char *c_reset(void) { return color ? "\x1b[0m" : ""; }

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s show [--json] [INTERFACE | --socket PATH]\n\n"
		"Shows the state of podnetd. Without INTERFACE, every daemon\n"
		"with a control socket in " SOCKET_DIR " is shown.\n", prog_name);
}

static const char *get(const struct status_block *b, const char *key)
{
	const char *v = status_get(b, key);

	return v ? v : "(none)";
}

static unsigned long long get_u64(const struct status_block *b,
				  const char *key)
{
	const char *v = status_get(b, key);

	return v ? strtoull(v, NULL, 10) : 0;
}

static void print_bytes(unsigned long long b)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		printf("%llu B", b);
	else
		printf("%.2f %s", v, units[u]);
}

static void print_ago(long long then)
{
	long long d = (long long)time(NULL) - then;

	if (then <= 0) {
		printf("never");
		return;
	}
	if (d < 0)
		d = 0;
	if (d >= 3600)
		printf("%lld hour%s, ", d / 3600, d / 3600 == 1 ? "" : "s");
	if (d >= 60)
		printf("%lld minute%s, ", d / 60 % 60,
		       d / 60 % 60 == 1 ? "" : "s");
	printf("%lld second%s ago", d % 60, d % 60 == 1 ? "" : "s");
}

/* A rendezvous peer: can we reach it, since when, and when we try next. */
static void print_rendezvous(const struct status_block *p)
{
	printf("  %srendezvous%s: %s since ", c_bold(), c_reset(),
	       get(p, "rendezvous_state"));
	print_ago((long long)get_u64(p, "rendezvous_since"));
	if (status_get(p, "rendezvous_next_retry"))
		printf(", next retry in %llu s",
		       get_u64(p, "rendezvous_next_retry"));
	printf("\n");
}

static void print_pretty(const struct status *st)
{
	const struct status_block *i = &st->interface;

	printf("%sinterface%s: %s%s%s\n", c_bold(), c_reset(), c_green(),
	       get(i, "interface"), c_reset());
	printf("  %snode%s: %s\n", c_bold(), c_reset(), get(i, "node"));
	printf("  %saddress%s: %s\n", c_bold(), c_reset(), get(i, "address"));
	printf("  %slistening port%s: %s\n", c_bold(), c_reset(),
	       get(i, "listen_port"));
	if (status_get(i, "datapath"))
		printf("  %sdata path%s: %s\n", c_bold(), c_reset(),
		       !strcmp(get(i, "datapath"), "kernel") ?
		       "kernel (podnet.ko)" : "userspace (TUN)");
	if (status_get(i, "wolfssl")) {
		printf("  %scrypto%s: wolfSSL %s, %s code", c_bold(), c_reset(),
		       get(i, "wolfssl"), get(i, "crypto_code"));
		if (status_get(i, "crypto_threads"))
			printf(", %s thread%s", get(i, "crypto_threads"),
			       strcmp(get(i, "crypto_threads"), "1") ? "s" : "");
		if (get_u64(i, "crypto_parallel_batches"))
			printf(" (%llu of %llu batches shared)",
			       get_u64(i, "crypto_parallel_batches"),
			       get_u64(i, "crypto_batches"));
		printf("\n");
	}
	if (status_get(i, "nat_type") && strcmp(get(i, "nat_type"), "unknown")) {
		printf("  %snat%s: %s", c_bold(), c_reset(), get(i, "nat_type"));
		if (status_get(i, "reflexive"))
			printf(" (seen as %s)", get(i, "reflexive"));
		printf("\n");
	}
	if (get_u64(i, "revocation_serial") || get_u64(i, "rx_revocation_refused"))
		printf("  %srevocation list%s: serial %llu, %llu revoked (%llu lists refused)\n",
		       c_bold(), c_reset(), get_u64(i, "revocation_serial"),
		       get_u64(i, "revocation_count"),
		       get_u64(i, "rx_revocation_refused"));
	if (!strcmp(get(i, "rendezvous"), "true"))
		printf("  %srole%s: rendezvous and relay\n", c_bold(), c_reset());
	printf("  %sdropped%s: %llu malformed, %llu unknown session, %llu rejected handshakes, %llu no route\n",
	       c_bold(), c_reset(), get_u64(i, "rx_malformed"),
	       get_u64(i, "rx_unknown_session"),
	       get_u64(i, "rx_handshake_rejected"), get_u64(i, "tx_no_route"));
	if (get_u64(i, "rx_handshake_refused") ||
	    get_u64(i, "rx_handshake_wrong_source"))
		printf("  %shandshakes refused%s: %llu over budget, %llu from the wrong source\n",
		       c_bold(), c_reset(), get_u64(i, "rx_handshake_refused"),
		       get_u64(i, "rx_handshake_wrong_source"));
	for (size_t n = 0; n < st->n_peers; n++) {
		const struct status_block *p = &st->peers[n];

		printf("\n%speer%s: %s%s%s\n", c_bold(), c_reset(), c_green(),
		       get(p, "name"), c_reset());
		printf("  %saddress%s: %s\n", c_bold(), c_reset(),
		       get(p, "address"));
		printf("  %sendpoint%s: %s\n", c_bold(), c_reset(),
		       get(p, "endpoint"));
		if (strcmp(get(p, "path"), "none")) {
			printf("  %spath%s: %s", c_bold(), c_reset(),
			       get(p, "path"));
			if (status_get(p, "reason"))
				printf(" (%s)", get(p, "reason"));
			printf("\n");
		}
		if (status_get(p, "no_path"))
			printf("  %sno path%s: %s\n", c_bold(), c_reset(),
			       get(p, "no_path"));
		if (status_get(p, "rendezvous_state"))
			print_rendezvous(p);
		printf("  %sstate%s: %s", c_bold(), c_reset(), get(p, "state"));
		if (status_get(p, "cipher"))
			printf(" (%s, %s)", get(p, "role"), get(p, "cipher"));
		printf("\n  %slatest handshake%s: ", c_bold(), c_reset());
		print_ago((long long)get_u64(p, "latest_handshake"));
		printf("\n  %stransfer%s: ", c_bold(), c_reset());
		print_bytes(get_u64(p, "rx_bytes"));
		printf(" received, ");
		print_bytes(get_u64(p, "tx_bytes"));
		printf(" sent\n");
		if (get_u64(p, "queued"))
			printf("  %squeued%s: %llu packets, waiting for the session\n",
			       c_bold(), c_reset(), get_u64(p, "queued"));
		printf("  %sdropped%s: %llu bad source, %llu no session, %llu queue full, %llu invalid\n",
		       c_bold(), c_reset(), get_u64(p, "drop_bad_source"),
		       get_u64(p, "drop_no_session"),
		       get_u64(p, "drop_queue_full"), get_u64(p, "drop_invalid"));
	}
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Counters and times are numbers, flags are booleans, the rest strings.
 * Values with a leading zero (session indices) stay strings. */
static void json_value(const char *key, const char *v)
{
	bool digits = *v && (v[0] != '0' || !v[1]);

	for (const char *c = v; *c && digits; c++)
		digits = isdigit((unsigned char)*c);
	/* Names and hex indices that happen to be all digits stay strings. */
	if (digits && strcmp(key, "name") && strcmp(key, "node") &&
	    strcmp(key, "interface") && strcmp(key, "session") &&
	    strcmp(key, "relay_channel"))
		fputs(v, stdout);
	else if (!strcmp(v, "true") || !strcmp(v, "false"))
		fputs(v, stdout);
	else
		json_string(v);
}

static void json_block(const struct status_block *b, const char *indent)
{
	for (size_t i = 0; i < b->n_fields; i++) {
		printf("%s%s", i ? ",\n" : "", indent);
		json_string(b->fields[i].key);
		printf(": ");
		json_value(b->fields[i].key, b->fields[i].value);
	}
}

static void print_json(const struct status *st)
{
	printf("{\n");
	json_block(&st->interface, "  ");
	printf(",\n  \"peers\": [");
	for (size_t n = 0; n < st->n_peers; n++) {
		printf("%s\n    {\n", n ? "," : "");
		json_block(&st->peers[n], "      ");
		printf("\n    }");
	}
	printf("%s]\n}\n", st->n_peers ? "\n  " : "");
}

static int show_one(const char *path, bool json)
{
	struct status st;
	char err[512];

	if (status_fetch(path, &st, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return 1;
	}
	if (st.error) {
		fprintf(stderr, "%s: %s: daemon answered errno=%d\n", prog_name,
			path, st.error);
		status_free(&st);
		return 1;
	}
	if (json)
		print_json(&st);
	else
		print_pretty(&st);
	status_free(&st);
	return 0;
}

int show_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *socket_path = NULL;
	bool json = false;
	char path[256];
	glob_t g;
	int opt, ret = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "js:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
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
	if (argc - optind > 1 || (socket_path && argc - optind == 1)) {
		usage(stderr);
		return 1;
	}
	color = !json && isatty(STDOUT_FILENO);
	if (socket_path)
		return show_one(socket_path, json);
	if (argc - optind == 1) {
		if (strchr(argv[optind], '/') || strlen(argv[optind]) > 15) {
			fprintf(stderr, "%s: '%s' is not an interface name\n",
				prog_name, argv[optind]);
			return 1;
		}
		snprintf(path, sizeof(path), SOCKET_DIR "/%s.sock", argv[optind]);
		return show_one(path, json);
	}
	if (glob(SOCKET_DIR "/*.sock", 0, NULL, &g) || !g.gl_pathc) {
		fprintf(stderr, "%s: no podnetd control socket in " SOCKET_DIR "\n",
			prog_name);
		return 1;
	}
	if (json && g.gl_pathc > 1) {
		fprintf(stderr, "%s: several interfaces are up; name one for --json\n",
			prog_name);
		globfree(&g);
		return 1;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		if (i)
			putchar('\n');
		ret |= show_one(g.gl_pathv[i], json);
	}
	globfree(&g);
	return ret;
}
