// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet join TOKEN: makes this node's key here (it never leaves), has
 * the enrollment service the token names sign it, after checking that
 * service against the CA fingerprint in the token, and writes a config
 * podnetd starts with. doc/identity.md, "Joining with a token".
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cert.h"
#include "cert_issue.h"
#include "cli.h"
#include "enroll_tls.h"
#include "fileio.h"
#include "join_proto.h"
#include "subcommands.h"
#include "token.h"

#define JOIN_DEFAULT_DIR "/etc/podnet"
#define JOIN_DEFAULT_IF "pod0"

static void join_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s join [--dir DIR] [--interface IF] TOKEN\n"
		"\n"
		"Joins this machine with a token from `podnet invite': makes its\n"
		"private key here (DIR/NAME.key, mode 0600), has it signed by the\n"
		"network's enrollment service, and writes DIR/NAME.crt, DIR/ca.crt,\n"
		"DIR/revoked.list (if the CA has one) and DIR/IF.conf, with the\n"
		"network's rendezvous. Then: podnetd DIR/IF.conf (or systemctl\n"
		"start podnetd@IF). Existing files are never overwritten.\n"
		"  -d, --dir DIR          where to write (default %s)\n"
		"  -i, --interface IF     interface and config name (default %s)\n",
		prog_name, JOIN_DEFAULT_DIR, JOIN_DEFAULT_IF);
}

enum join_file { F_KEY, F_CERT, F_CA, F_RL, F_CONF, F_COUNT };

struct join_files {
	char path[F_COUNT][PATH_MAX];
	bool created[F_COUNT];
};

static int join_files_init(struct join_files *jf, const char *dir,
			   const char *name, const char *ifname)
{
	static const char *const suffix[F_COUNT] = {
		".key", ".crt", "", "", ".conf",
	};
	int i;

	for (i = 0; i < F_COUNT; i++) {
		const char *stem = i == F_CONF ? ifname :
				   i == F_CA ? "ca.crt" :
				   i == F_RL ? "revoked.list" : name;

		if ((size_t)snprintf(jf->path[i], PATH_MAX, "%s/%s%s", dir,
				     stem, suffix[i]) >=
		    PATH_MAX) {
			fprintf(stderr, "%s: %s: path too long\n", prog_name,
				dir);
			return -1;
		}
		jf->created[i] = false;
		/* A half-joined node is worse than a clear refusal. */
		if (access(jf->path[i], F_OK) == 0) {
			fprintf(stderr, "%s: %s already exists; this node has joined before? Remove it or use another --dir\n",
				prog_name, jf->path[i]);
			return -1;
		}
	}
	return 0;
}

static void join_files_discard(struct join_files *jf)
{
	int i;

	for (i = 0; i < F_COUNT; i++)
		if (jf->created[i])
			unlink(jf->path[i]);
}

static int write_new(struct join_files *jf, enum join_file which,
		     const void *buf, size_t len, mode_t mode)
{
	char err[512];
	int fd;

	fd = fileio_create_new(jf->path[which], mode, false, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return -1;
	}
	jf->created[which] = true;
	if (fileio_write_close(fd, jf->path[which], buf, len, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return -1;
	}
	return 0;
}

static const char *base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int write_config(struct join_files *jf, const struct token *t,
			const char *ifname, const struct join_response *resp)
{
	char conf[4096], addr[TOKEN_ADDR_STR_MAX], ep[ADDR_STR_MAX], when[32];
	size_t len = 0, i;
	int n;

	n = snprintf(conf, sizeof(conf),
		     "# Written by podnet join at %s.\n"
		     "[Interface]\n"
		     "Name = %s\n"
		     "Address = %s\n"
		     "CA = %s\n"
		     "Certificate = %s\n"
		     "PrivateKey = %s\n"
		     "# The rendezvous hands newer lists to every node.\n"
		     "RevocationList = %s\n",
		     cli_iso_time(time(NULL), when, sizeof(when)), ifname,
		     token_addr_format(&t->address, true, addr, sizeof(addr)),
		     base(jf->path[F_CA]), base(jf->path[F_CERT]),
		     base(jf->path[F_KEY]), base(jf->path[F_RL]));
	if (n < 0 || (size_t)n >= sizeof(conf))
		return -1;
	len = (size_t)n;
	for (i = 0; i < resp->n_rv; i++) {
		n = snprintf(conf + len, sizeof(conf) - len,
			     "\n[Peer]\nName = %s\nEndpoint = %s\nRendezvous = yes\n",
			     resp->rv[i].name,
			     endpoint_format(&resp->rv[i].endpoint, ep,
					     sizeof(ep)));
		if (n < 0 || (size_t)n >= sizeof(conf) - len)
			return -1;
		len += (size_t)n;
	}
	return write_new(jf, F_CONF, conf, len, 0600);
}

/*
 * The answer must be what was asked for: the CA the token pins, and a
 * certificate of that CA for our key, name and address.
 */
static int check_answer(const struct token *t, const struct join_response *r,
			const uint8_t pub[CERT_ED25519_PUB_LEN])
{
	uint8_t cert_pub[CERT_ED25519_PUB_LEN];
	struct cert_identity ca, node;
	struct in_addr want;
	bool addr_ok;
	char err[256];

	if (enroll_cert_from_pem(r->ca, r->ca_len, &ca, NULL, err,
				 sizeof(err)) < 0 ||
	    enroll_cert_from_pem(r->cert, r->cert_len, &node, cert_pub, err,
				 sizeof(err)) < 0) {
		fprintf(stderr, "%s: the service's answer: %s\n", prog_name,
			err);
		return -1;
	}
	if (!token_equal_ct(ca.fingerprint, t->ca_fp, TOKEN_FP_LEN) ||
	    !ca.is_ca) {
		fprintf(stderr, "%s: the service sent another CA than the token names\n",
			prog_name);
		return -1;
	}
	/* Exactly the token's addresses: IPv4, IPv6, or both. */
	if (t->address.family == AF_INET6)
		addr_ok = node.has_vaddr6 && !node.has_vaddr &&
			  !memcmp(&node.vaddr6, t->address.bytes, 16);
	else
		addr_ok = node.has_vaddr && token_addr_ipv4(&t->address, &want) &&
			  node.vaddr.s_addr == want.s_addr &&
			  node.has_vaddr6 == t->address.has6 &&
			  (!t->address.has6 ||
			   !memcmp(&node.vaddr6, t->address.bytes6, 16));
	if (memcmp(cert_pub, pub, sizeof(cert_pub)) ||
	    strcmp(node.name, t->name) || !addr_ok ||
	    strcmp(node.issuer, ca.name)) {
		fprintf(stderr, "%s: the service signed something else than asked for\n",
			prog_name);
		return -1;
	}
	return 0;
}

static int ensure_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: %s is not a directory\n", prog_name, dir);
		return -1;
	}
	return 0;
}

int join_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "interface", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static uint8_t answer[JOIN_RESPONSE_MAX];
	const char *dir = JOIN_DEFAULT_DIR, *ifname = JOIN_DEFAULT_IF;
	char err[512], req_text[JOIN_REQUEST_MAX], addr[TOKEN_ADDR_STR_MAX];
	uint8_t pub[CERT_ED25519_PUB_LEN];
	struct join_response resp;
	struct join_request req;
	struct enroll_conn conn;
	struct join_files jf;
	struct token t;
	int c, n, ret = 1;

	cli_set_command_name(argv, "join");
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:i:h", options, NULL)) != -1) {
		switch (c) {
		case 'd':
			dir = optarg;
			break;
		case 'i':
			ifname = optarg;
			break;
		case 'h':
			join_usage(stdout);
			return 0;
		default:
			join_usage(stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		join_usage(stderr);
		return 1;
	}
	if (!cli_ifname_ok(ifname))
		return 1;
	if (token_decode(argv[optind], &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return 1;
	}
	if (ensure_dir(dir) < 0 ||
	    join_files_init(&jf, dir, t.name, ifname) < 0)
		goto out_wipe;
	/* The key is made here and only its public half is sent. */
	if (cert_key_create(jf.path[F_KEY], pub, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		goto out_wipe;
	}
	jf.created[F_KEY] = true;
	if (enroll_connect(&t.service, t.ca_fp, ENROLL_TIMEOUT_SECS, &conn, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		goto out_discard;
	}
	memcpy(req.id, t.id, sizeof(req.id));
	memcpy(req.secret, t.secret, sizeof(req.secret));
	memcpy(req.name, t.name, sizeof(req.name));
	req.address = t.address;
	memcpy(req.pub, pub, sizeof(pub));
	n = join_request_encode(&req, req_text, sizeof(req_text));
	explicit_bzero(&req, sizeof(req));
	if (n < 0 || enroll_write(&conn, req_text, (size_t)n) < 0) {
		explicit_bzero(req_text, sizeof(req_text));
		fprintf(stderr, "%s: cannot send the request to the enrollment service\n",
			prog_name);
		goto out_close;
	}
	explicit_bzero(req_text, sizeof(req_text));
	n = enroll_read_all(&conn, answer, sizeof(answer));
	if (n <= 0 || join_response_parse(answer, (size_t)n, &resp, err,
					  sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name,
			n <= 0 ? "no answer from the enrollment service" : err);
		goto out_close;
	}
	if (!resp.ok) {
		fprintf(stderr, "%s: join refused by the enrollment service: %s\n",
			prog_name, resp.error);
		goto out_close;
	}
	if (check_answer(&t, &resp, pub) < 0 ||
	    write_new(&jf, F_CERT, resp.cert, resp.cert_len, 0644) < 0 ||
	    write_new(&jf, F_CA, resp.ca, resp.ca_len, 0644) < 0 ||
	    (resp.revocation_len &&
	     write_new(&jf, F_RL, resp.revocation, resp.revocation_len,
		       0644) < 0) ||
	    write_config(&jf, &t, ifname, &resp) < 0)
		goto out_close;
	printf("joined as %s (%s)\n", t.name,
	       token_addr_format(&t.address, false, addr, sizeof(addr)));
	printf("%s: private key (mode 0600, made here)\n", jf.path[F_KEY]);
	printf("%s: certificate\n%s: network CA\n", jf.path[F_CERT],
	       jf.path[F_CA]);
	if (resp.revocation_len)
		printf("%s: revocation list\n", jf.path[F_RL]);
	printf("%s: config, %zu rendezvous; start it with: podnetd %s\n",
	       jf.path[F_CONF], resp.n_rv, jf.path[F_CONF]);
	ret = 0;

out_close:
	enroll_close(&conn);
out_discard:
	if (ret)
		join_files_discard(&jf);
out_wipe:
	explicit_bzero(&t, sizeof(t));
	return ret;
}
