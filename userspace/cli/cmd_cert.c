// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet cert issue: signs a node certificate with the network CA.
 * podnet cert show: prints what a certificate binds, as text or JSON.
 * podnet cert revoke: adds a certificate to the CA-signed revocation list.
 * Neither ever prints key material.
 */
#include <ctype.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>
#include <arpa/inet.h>

#include "cert.h"
#include "cert_index.h"
#include "cert_issue.h"
#include "cli.h"
#include "revocation.h"
#include "subcommands.h"

#define CERT_DEFAULT_DAYS 365

#define TERM_BOLD "\x1b[1m"
#define TERM_GREEN "\x1b[32m"
#define TERM_RED "\x1b[31m"
#define TERM_RESET "\x1b[0m"

static void cert_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s cert issue --name NODE --address ADDR [--address ADDR6] [--days N]\n"
		"                     [--route NET/LEN]... [--ca-dir DIR] [--dir OUTDIR]\n"
		"                     [--force]\n"
		"       %s cert show [--json] FILE\n"
		"       %s cert revoke [--ca-dir DIR] [--dir CERTDIR] [--list FILE]\n"
		"                      NAME|FINGERPRINT\n"
		"\n"
		"issue: writes OUTDIR/NODE.crt and OUTDIR/NODE.key (mode 0600),\n"
		"signed by DIR/ca.crt and DIR/ca.key. Existing files are never\n"
		"overwritten; the certificate never outlives the CA. Each one is\n"
		"recorded in DIR/issued.txt; a name or an address that holds an\n"
		"unexpired certificate of this CA (revoked or not) is refused.\n"
		"  -n, --name NODE       node name, 1-63 of A-Z a-z 0-9 . _ -\n"
		"  -a, --address ADDR    the node's virtual address, IPv4 or IPv6;\n"
		"                        twice for one of each (10.77.0.2 and fd77::2)\n"
		"  -6, --address6 ADDR6  the same, IPv6 only\n"
		"  -r, --route NET/LEN   a subnet behind the node (192.168.50.0/24,\n"
		"                        fd99::/64), routed to it by the others;\n"
		"                        repeatable, at most 8\n"
		"  -d, --days N          validity in days (default %d)\n"
		"  -c, --ca-dir DIR      where ca.crt and ca.key are (default .)\n"
		"  -o, --dir OUTDIR      output directory (default .)\n"
		"  -f, --force           issue even so (renewal, or a revoked\n"
		"                        node's name or address again)\n"
		"\n"
		"show: prints the name, address, issuer and validity a certificate\n"
		"binds; --json prints one JSON object instead.\n"
		"\n"
		"revoke: adds CERTDIR/NAME.crt (default CERTDIR: DIR), or the\n"
		"certificate with that SHA-256 fingerprint (64 hex digits, as `cert\n"
		"show' prints it), to FILE (default DIR/revoked.list), bumps its\n"
		"serial and signs it with DIR/ca.key. Give FILE to the rendezvous\n"
		"(RevocationList): it hands the newest list to every node.\n",
		prog_name, prog_name, prog_name, CERT_DEFAULT_DAYS);
}

/* Says why a step failed, in the library's words; the exit status. */
static int cert_fail(const char *why)
{
	fprintf(stderr, "%s: %s\n", prog_name, why);
	return 1;
}

static int path_join(char *buf, size_t len, const char *dir, const char *name,
		     const char *suffix)
{
	if ((size_t)snprintf(buf, len, "%s/%s%s", dir, name, suffix) >= len) {
		fprintf(stderr, "%s: path too long: %s/%s%s\n", prog_name, dir,
			name, suffix);
		return -1;
	}
	return 0;
}

/* The CA directory's files, named once for every subcommand that signs. */
struct ca_files {
	char cert[PATH_MAX];
	char key[PATH_MAX];
	char index[PATH_MAX];	/* issued.txt (cert_index.h) */
	char revoked[PATH_MAX];	/* the default revocation list */
};

/* Every subcommand that signs takes the CA directory the same way. */
#define CA_DIR_OPTION { "ca-dir", required_argument, NULL, 'c' }

static int ca_files_init(struct ca_files *ca, const char *ca_dir)
{
	if (path_join(ca->cert, sizeof(ca->cert), ca_dir, "ca", ".crt") < 0 ||
	    path_join(ca->key, sizeof(ca->key), ca_dir, "ca", ".key") < 0 ||
	    path_join(ca->index, sizeof(ca->index), ca_dir, CERT_INDEX_FILE,
		      "") < 0 ||
	    path_join(ca->revoked, sizeof(ca->revoked), ca_dir, "revoked",
		      ".list") < 0)
		return -1;
	return 0;
}

static int cert_issue_cmd(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "address", required_argument, NULL, 'a' },
		{ "address6", required_argument, NULL, '6' },
		{ "route", required_argument, NULL, 'r' },
		{ "days", required_argument, NULL, 'd' },
		CA_DIR_OPTION,
		{ "dir", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char cert_path[PATH_MAX], key_path[PATH_MAX], err[512], until[32];
	char both[2 * INET6_ADDRSTRLEN + 2];
	const char *name = NULL, *ca_dir = ".", *dir = ".";
	unsigned long days = CERT_DEFAULT_DAYS;
	struct cert_addrs addrs = { 0 };
	struct cert_identity id;
	struct ca_files ca;
	bool force = false;
	int c;

	cli_set_command_name(argv, "cert issue");
	optind = 1;
	while ((c = getopt_long(argc, argv, "n:a:6:r:d:c:o:fh", options, NULL)) !=
	       -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'n':
			name = optarg;
			break;
		case 'a':
		case '6':
			/* --address takes either family, twice for both;
			 * --address6 is the same, for scripts that say it. */
			if (cert_addrs_add(&addrs, optarg, err,
					   sizeof(err)) < 0)
				return cert_fail(err);
			if (c == '6' && !strchr(optarg, ':')) {
				fprintf(stderr, "%s: --address6 `%s' is not an IPv6 address\n",
					prog_name, optarg);
				return 1;
			}
			break;
		case 'r':
			/* A subnet behind this node (site-to-site). */
			if (cert_addrs_add_route(&addrs, optarg, err,
						 sizeof(err)) < 0)
				return cert_fail(err);
			break;
		case 'd':
			if (cli_parse_days(optarg, &days) < 0)
				return 1;
			break;
		case 'c':
			ca_dir = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		default:
			return cli_option_unhandled(c, cert_usage);
		}
	}
	if (optind != argc || !name || (!addrs.has_v4 && !addrs.has_v6))
		return cli_usage_error(cert_usage);
	/* Checked here as well because the name becomes a file name. */
	if (!cert_name_valid(name)) {
		fprintf(stderr,
			"%s: invalid node name `%s': use 1-63 characters of A-Z a-z 0-9 . _ -\n",
			prog_name, name);
		return 1;
	}
	if (ca_files_init(&ca, ca_dir) < 0 ||
	    path_join(cert_path, sizeof(cert_path), dir, name, ".crt") < 0 ||
	    path_join(key_path, sizeof(key_path), dir, name, ".key") < 0)
		return 1;
	/* The canonical form, as the index holds it (010.1.2.3 is not):
	 * "IPv4", "IPv6" or, for a dual-stack node, "IPv4,IPv6"; either of
	 * the two held by another node refuses the certificate. */
	both[0] = '\0';
	if (addrs.has_v4)
		inet_ntop(AF_INET, &addrs.v4, both, sizeof(both));
	if (addrs.has_v6) {
		size_t n = strlen(both);

		if (n)
			both[n++] = ',';
		inet_ntop(AF_INET6, &addrs.v6, both + n, sizeof(both) - n);
	}
	switch (cert_index_check(ca.index, name, both, time(NULL), err,
				 sizeof(err))) {
	case 0:
		break;
	case 1:
		if (force) {
			printf("%s: %s; issuing another (--force)\n", ca.index,
			       err);
			break;
		}
		fprintf(stderr, "%s: %s: refused, one node per name and address; --force issues it anyway (renewal, or reusing a revoked node's)\n",
			prog_name, err);
		return 1;
	default:
		return cert_fail(err);
	}

	if (cert_issue_addrs(ca.cert, ca.key, name, &addrs, days, cert_path,
			     key_path, err, sizeof(err)) < 0)
		return cert_fail(err);
	if (cert_identity_from_file(cert_path, &id, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s: written, but cannot read it back: %s\n",
			prog_name, cert_path, err);
		return 1;
	}
	printf("%s: certificate for %s (%s), signed by \"%s\", valid until %s\n",
	       cert_path, id.name, both, id.issuer,
	       cli_iso_time(id.not_after, until, sizeof(until)));
	printf("%s: private key (mode 0600)\n", key_path);
	if (cert_index_append(ca.index, &id, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: issued, but not recorded: %s\n", prog_name,
			err);
		return 1;
	}
	return 0;
}

static void hex(const uint8_t *p, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/* cert.c only hands out printable ASCII, but escape as JSON demands. */
static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = *s;

		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

static void show_json(const struct cert_identity *id, const char *fingerprint,
		      bool expired)
{
	char addr[INET6_ADDRSTRLEN];

	printf("{\"name\":");
	json_string(id->name);
	printf(",\"address\":");
	if (id->has_vaddr) {
		inet_ntop(AF_INET, &id->vaddr, addr, sizeof(addr));
		json_string(addr);
	} else {
		printf("null");
	}
	printf(",\"address6\":");
	if (id->has_vaddr6) {
		inet_ntop(AF_INET6, &id->vaddr6, addr, sizeof(addr));
		json_string(addr);
	} else {
		printf("null");
	}
	printf(",\"routes\":[");
	for (size_t i = 0; i < id->nroutes; i++) {
		char route[CERT_ROUTE_STR_MAX];

		cert_route_format(&id->routes[i], route, sizeof(route));
		printf("%s", i ? "," : "");
		json_string(route);
	}
	printf("]");
	printf(",\"issuer\":");
	json_string(id->issuer);
	printf(",\"key_type\":");
	json_string(id->key_type);
	printf(",\"not_before\":%lld,\"not_after\":%lld",
	       (long long)id->not_before, (long long)id->not_after);
	printf(",\"expired\":%s,\"is_ca\":%s,\"fingerprint\":\"%s\"}\n",
	       expired ? "true" : "false", id->is_ca ? "true" : "false",
	       fingerprint);
}

/* wg-show style; colour only when a person is looking at it. */
static void show_text(const char *path, const struct cert_identity *id,
		      const char *fingerprint, bool expired, bool premature)
{
	bool colour = isatty(STDOUT_FILENO);
	const char *bold = colour ? TERM_BOLD : "";
	const char *green = colour ? TERM_GREEN : "";
	const char *red = colour ? TERM_RED : "";
	const char *reset = colour ? TERM_RESET : "";
	char addr[INET_ADDRSTRLEN], addr6[INET6_ADDRSTRLEN];
	char from[32], until[32];

	if (id->has_vaddr)
		inet_ntop(AF_INET, &id->vaddr, addr, sizeof(addr));
	else
		snprintf(addr, sizeof(addr), "(none)");
	if (id->has_vaddr6)
		inet_ntop(AF_INET6, &id->vaddr6, addr6, sizeof(addr6));

	printf("%s%scertificate%s: %s%s%s\n", bold, green, reset, green, path,
	       reset);
	printf("  %sname%s: %s\n", bold, reset, id->name);
	if (id->has_vaddr || !id->has_vaddr6)
		printf("  %saddress%s: %s\n", bold, reset, addr);
	if (id->has_vaddr6)
		printf("  %saddress6%s: %s\n", bold, reset, addr6);
	for (size_t i = 0; i < id->nroutes; i++) {
		char route[CERT_ROUTE_STR_MAX];

		cert_route_format(&id->routes[i], route, sizeof(route));
		printf("  %sroute%s: %s\n", bold, reset, route);
	}
	printf("  %sissuer%s: %s\n", bold, reset,
	       id->issuer[0] ? id->issuer : "(none)");
	printf("  %skey%s: %s\n", bold, reset, id->key_type);
	printf("  %svalid%s: %s .. %s%s%s%s\n", bold, reset,
	       cli_iso_time(id->not_before, from, sizeof(from)),
	       cli_iso_time(id->not_after, until, sizeof(until)), red,
	       expired ? " (expired)" : premature ? " (not yet valid)" : "",
	       reset);
	printf("  %sfingerprint%s: %s\n", bold, reset, fingerprint);
	printf("  %sca%s: %s\n", bold, reset, id->is_ca ? "yes" : "no");
}

static int cert_show_cmd(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char fingerprint[2 * sizeof(((struct cert_identity *)0)->fingerprint) + 1];
	struct cert_identity id;
	bool json = false;
	char err[512];
	time_t now;
	int c;

	cli_set_command_name(argv, "cert show");
	optind = 1;
	while ((c = getopt_long(argc, argv, "jh", options, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		default:
			return cli_option_unhandled(c, cert_usage);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(cert_usage);
	if (cert_identity_from_file(argv[optind], &id, err, sizeof(err)) < 0)
		return cert_fail(err);
	hex(id.fingerprint, sizeof(id.fingerprint), fingerprint);
	now = time(NULL);
	if (json)
		show_json(&id, fingerprint, now > id.not_after);
	else
		show_text(argv[optind], &id, fingerprint, now > id.not_after,
			  now < id.not_before);
	return 0;
}

static int parse_fingerprint(const char *s, uint8_t fp[REVOCATION_FP_LEN])
{
	size_t i;

	if (strlen(s) != 2 * REVOCATION_FP_LEN)
		return -1;
	for (i = 0; i < REVOCATION_FP_LEN; i++) {
		unsigned int value;

		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &value) != 1)
			return -1;
		fp[i] = (uint8_t)value;
	}
	return 0;
}

static int cert_revoke_cmd(int argc, char *argv[])
{
	static const struct option options[] = {
		CA_DIR_OPTION,
		{ "dir", required_argument, NULL, 'o' },
		{ "list", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	char cert_path[PATH_MAX], err[512], fphex[2 * REVOCATION_FP_LEN + 1];
	struct ca_files ca;
	const char *ca_dir = ".", *dir = NULL, *list = NULL, *what;
	uint8_t ca_pub[CERT_ED25519_PUB_LEN], fp[REVOCATION_FP_LEN];
	static struct revocation rl;
	struct cert_identity id;
	int c;

	cli_set_command_name(argv, "cert revoke");
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:o:l:h", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			ca_dir = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'l':
			list = optarg;
			break;
		default:
			return cli_option_unhandled(c, cert_usage);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error(cert_usage);
	what = argv[optind];
	if (ca_files_init(&ca, ca_dir) < 0)
		return 1;
	if (!list)
		list = ca.revoked;
	if (parse_fingerprint(what, fp) < 0) {
		if (!cert_name_valid(what)) {
			fprintf(stderr,
				"%s: `%s' is neither a node name nor a 64-digit fingerprint\n",
				prog_name, what);
			return 1;
		}
		if (path_join(cert_path, sizeof(cert_path), dir ? dir : ca_dir,
			      what, ".crt") < 0)
			return 1;
		if (cert_identity_from_file(cert_path, &id, err,
					    sizeof(err)) < 0)
			return cert_fail(err);
		memcpy(fp, id.fingerprint, sizeof(fp));
	}
	if (revocation_ca_key(ca.cert, ca_pub, err, sizeof(err)) < 0)
		return cert_fail(err);
	/* Only a missing list starts a new one; a bad one stays for a
	 * person to look at. */
	memset(&rl, 0, sizeof(rl));
	if (access(list, F_OK) == 0 &&
	    revocation_load(list, ca_pub, &rl, err, sizeof(err)) < 0)
		return cert_fail(err);
	hex(fp, sizeof(fp), fphex);
	if (revocation_contains(&rl, fp)) {
		printf("%s: %s is already revoked (serial %llu)\n", list, fphex,
		       (unsigned long long)rl.serial);
		return 0;
	}
	if (rl.count >= REVOCATION_MAX) {
		fprintf(stderr, "%s: %s already holds %d certificates, the most a list can\n",
			prog_name, list, REVOCATION_MAX);
		return 1;
	}
	memcpy(rl.fps[rl.count++], fp, sizeof(fp));
	rl.serial++;
	rl.issued = (uint64_t)time(NULL);
	if (revocation_encode_unsigned(&rl, err, sizeof(err)) < 0 ||
	    cert_ca_sign(ca.cert, ca.key, rl.blob, rl.blob_len,
			 rl.blob + rl.blob_len, err, sizeof(err)) < 0)
		return cert_fail(err);
	rl.blob_len += REVOCATION_SIG_LEN;
	if (revocation_save(list, &rl, err, sizeof(err)) < 0)
		return cert_fail(err);
	printf("%s: revoked %s (%s); serial %llu, %zu certificate%s\n", list,
	       what, fphex, (unsigned long long)rl.serial, rl.count,
	       rl.count == 1 ? "" : "s");
	return 0;
}

static const struct subcommand cert_commands[] = {
	{ "issue", cert_issue_cmd, "Signs a node certificate with the network CA" },
	{ "show", cert_show_cmd, "Prints what a certificate binds" },
	{ "revoke", cert_revoke_cmd, "Adds a certificate to the CA's revocation list" },
};

int cert_main(int argc, char *argv[])
{
	static const struct subcommand_table table =
		SUBCOMMAND_TABLE("cert", cert_commands, cert_usage);

	return subcommand_dispatch(&table, argc, argv);
}
