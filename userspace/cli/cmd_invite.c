// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet invite: on the CA machine, makes a one-time token that lets one
 * node join as NAME with ADDRESS (token.h). Only the hash of its secret
 * stays in the CA directory (invite_store.h).
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cert.h"
#include "cert_index.h"
#include "cert_issue.h"
#include "cli.h"
#include "enroll_tls.h"
#include "fileio.h"
#include "invite_store.h"
#include "subcommands.h"
#include "token.h"

#define INVITE_DEFAULT_TTL 3600
#define INVITE_MAX_TTL (30 * 86400)

static void invite_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s invite --name NODE --address ADDR[/PREFIX] [--ttl 1h]\n"
		"                 [--ca-dir DIR] [--service IP:PORT]\n"
		"\n"
		"Prints a one-time token for `podnet join' on the new node. It\n"
		"works once, until it expires, for exactly this name and address,\n"
		"and only with the enrollment service (`podnet ca serve') of this\n"
		"CA. Whoever holds it can join: hand it over like a password.\n"
		"  -n, --name NODE        node name, 1-63 of A-Z a-z 0-9 . _ -\n"
		"  -a, --address A[/P]    the node's virtual address, IPv4 (prefix: 24)\n"
		"                         or IPv6 (prefix: 64), or both: A[/P],A6[/P]\n"
		"  -t, --ttl N[s|m|h|d]   how long it stays valid (default 1h, at most 30d)\n"
		"  -c, --ca-dir DIR       where ca.crt is (default .)\n"
		"  -s, --service IP:PORT  where the node reaches `podnet ca serve'\n"
		"                         (default: DIR/enroll.endpoint, which it writes)\n",
		prog_name);
}

static int parse_ttl(const char *s, unsigned long *ttl)
{
	unsigned long v, mult = 1;
	char *end;

	v = strtoul(s, &end, 10);
	if (end == s)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		return -1;
	}
	if (*end && end[1])
		return -1;
	if (v == 0 || v > INVITE_MAX_TTL / mult)
		return -1;
	*ttl = v * mult;
	return 0;
}

/* DIR/enroll.endpoint, written by `podnet ca serve'. */
static int service_from_dir(const char *ca_dir, struct endpoint *ep)
{
	char path[PATH_MAX], err[256];
	uint8_t *text;
	size_t len;
	int ret;

	if ((size_t)snprintf(path, sizeof(path), "%s/enroll.endpoint",
			     ca_dir) >= sizeof(path) ||
	    fileio_read_small(path, 128, &text, &len, err, sizeof(err)) < 0)
		return -1;
	text[strcspn((char *)text, "\n")] = '\0';
	ret = endpoint_parse((char *)text, ep);
	free(text);
	return ret;
}

int invite_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "address", required_argument, NULL, 'a' },
		{ "ttl", required_argument, NULL, 't' },
		{ "ca-dir", required_argument, NULL, 'c' },
		{ "service", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *name = NULL, *address = NULL, *ca_dir = ".",
		   *service = NULL;
	char path[PATH_MAX], err[512], text[TOKEN_TEXT_MAX + 1], until[32];
	char host[TOKEN_ADDR_STR_MAX];
	struct cert_addrs check = { 0 };
	unsigned long ttl = INVITE_DEFAULT_TTL;
	struct cert_identity ca;
	struct token t;
	int c;

	memset(&t, 0, sizeof(t));
	cli_set_command_name(argv, "invite");
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:a:t:c:s:h", options, NULL)) !=
	       -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 'a':
			address = optarg;
			break;
		case 't':
			if (parse_ttl(optarg, &ttl) < 0) {
				fprintf(stderr, "%s: --ttl `%s': give 1s to 30d, e.g. 90s, 15m, 1h, 2d\n",
					prog_name, optarg);
				return 1;
			}
			break;
		case 'c':
			ca_dir = optarg;
			break;
		case 's':
			service = optarg;
			break;
		case 'h':
			invite_usage(stdout);
			return 0;
		default:
			invite_usage(stderr);
			return 1;
		}
	}
	if (optind != argc || !name || !address) {
		invite_usage(stderr);
		return 1;
	}
	if (!cert_name_valid(name)) {
		fprintf(stderr, "%s: invalid node name `%s': use 1-63 characters of A-Z a-z 0-9 . _ -\n",
			prog_name, name);
		return 1;
	}
	snprintf(t.name, sizeof(t.name), "%s", name);
	if (token_addr_parse(address, &t.address, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return 1;
	}
	/* A node's own addresses, as `cert issue' would take them: not
	 * loopback, multicast, link-local, ... (either family). */
	token_addr_host(&t.address, host, sizeof(host));
	if (cert_addrs_add(&check, host, err, sizeof(err)) < 0 ||
	    (t.address.has6 &&
	     (!inet_ntop(AF_INET6, t.address.bytes6, host, sizeof(host)) ||
	      cert_addrs_add(&check, host, err, sizeof(err)) < 0))) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return 1;
	}
	if (service) {
		if (endpoint_parse(service, &t.service) < 0) {
			fprintf(stderr, "%s: --service `%s' is not IP:PORT\n",
				prog_name, service);
			return 1;
		}
	} else if (service_from_dir(ca_dir, &t.service) < 0) {
		fprintf(stderr, "%s: where will the node reach the enrollment service? Give --service IP:PORT, or start `podnet ca serve --advertise IP:PORT' first\n",
			prog_name);
		return 1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/ca.crt", ca_dir) >=
		    sizeof(path) ||
	    cert_identity_from_file(path, &ca, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return 1;
	}
	if (!ca.is_ca) {
		fprintf(stderr, "%s: %s is not a CA certificate\n", prog_name,
			path);
		return 1;
	}
	memcpy(t.ca_fp, ca.fingerprint, sizeof(t.ca_fp));
	/* Refused now rather than when the node tries (checked then too). */
	snprintf(path, sizeof(path), "%s/" CERT_INDEX_FILE, ca_dir);
	token_addr_format(&t.address, false, host, sizeof(host));
	switch (cert_index_check(path, name, host, time(NULL), err,
				 sizeof(err))) {
	case 0:
		break;
	case 1:
		fprintf(stderr, "%s: %s: refused, one node per name and address\n",
			prog_name, err);
		return 1;
	default:
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return 1;
	}
	t.expires = (uint64_t)time(NULL) + ttl;
	if (token_fill_random(&t, err, sizeof(err)) < 0 ||
	    token_encode(&t, text, sizeof(text), err, sizeof(err)) < 0 ||
	    invite_store_add(ca_dir, &t, err, sizeof(err)) < 0) {
		explicit_bzero(&t, sizeof(t));
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return 1;
	}
	explicit_bzero(&t, sizeof(t));
	fprintf(stderr, "token for %s (%s), valid until %s, one use:\n", name,
		address,
		cli_iso_time((time_t)(time(NULL) + ttl), until, sizeof(until)));
	printf("%s\n", text);
	explicit_bzero(text, sizeof(text));
	return 0;
}
