// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet ca serve: the enrollment service. Runs where the CA key is and
 * signs, for each valid one-time token (podnet invite), the public key a
 * joining node sends (podnet join). TLS 1.3 over TCP; one connection at a
 * time, each with a deadline. doc/identity.md, "Joining with a token".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>

#include "cert.h"
#include "cert_index.h"
#include "cert_issue.h"
#include "cli.h"
#include "enroll_tls.h"
#include "fileio.h"
#include "invite_store.h"
#include "join_proto.h"
#include "subcommands.h"

#define SERVE_DEFAULT_DAYS 365
/* Per source address: this many failures at once, then one per refill. */
#define FAIL_BURST 10
#define FAIL_REFILL_SECS 6
#define FAIL_SOURCES 256
/* The whole conversation, handshake to answer: a client that trickles
 * bytes holds the one-at-a-time service no longer than this. */
#define SERVE_DEADLINE_MS 5000
#define ENDPOINT_FILE "enroll.endpoint"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct serve_stats {
	unsigned long joined, refused, malformed, rate_limited;
};

/* Failures per source address: a token bucket each, oldest replaced. */
struct fail_source {
	uint8_t addr[16];
	double tokens;
	time_t last;
	bool used;
};

struct serve {
	const char *ca_dir;
	char ca_cert[PATH_MAX], ca_key[PATH_MAX], index[PATH_MAX],
		revoked[PATH_MAX];
	unsigned long days;
	struct join_rendezvous rv[JOIN_RV_MAX];
	size_t n_rv;
	WOLFSSL_CTX *ctx;
	struct serve_stats stats;
	struct fail_source sources[FAIL_SOURCES];
};

static void serve_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s ca serve [--ca-dir DIR] [--listen IP:PORT] [--advertise IP:PORT]\n"
		"                   [--rendezvous NAME@IP:PORT]... [--days N]\n"
		"\n"
		"The enrollment service: a node joins with a token from `podnet\n"
		"invite' (`podnet join TOKEN') and gets its key signed here, by\n"
		"DIR/ca.key, for the name and address the token was made for. The\n"
		"answer carries the CA certificate, DIR/revoked.list if there is one\n"
		"and the rendezvous nodes given here, for the node's config.\n"
		"  -c, --ca-dir DIR       where ca.crt and ca.key are (default .)\n"
		"  -l, --listen IP:PORT   TCP address (default 0.0.0.0:%d)\n"
		"  -a, --advertise IP:PORT  where nodes reach it, written to\n"
		"                         DIR/" ENDPOINT_FILE " for `podnet invite'\n"
		"                         (default: the --listen address unless a\n"
		"                         wildcard)\n"
		"  -r, --rendezvous NAME@IP:PORT  a rendezvous for the node's config\n"
		"                         (up to %d)\n"
		"  -d, --days N           validity of the certificates (default %d)\n",
		prog_name, ENROLL_DEFAULT_PORT, JOIN_RV_MAX, SERVE_DEFAULT_DAYS);
}

static void source_key(const struct endpoint *from, uint8_t out[16])
{
	memset(out, 0, 16);
	if (from->sa.sa_family == AF_INET)
		memcpy(out, &from->in.sin_addr, 4);
	else
		memcpy(out, &from->in6.sin6_addr, 16);
}

static struct fail_source *source_get(struct serve *s,
				      const struct endpoint *from, time_t now)
{
	struct fail_source *oldest = &s->sources[0], *src;
	uint8_t key[16];
	size_t i;

	source_key(from, key);
	for (i = 0; i < FAIL_SOURCES; i++) {
		src = &s->sources[i];
		if (src->used && !memcmp(src->addr, key, 16))
			goto refill;
		if (!src->used || src->last < oldest->last)
			oldest = src;
	}
	src = oldest;
	memcpy(src->addr, key, 16);
	src->tokens = FAIL_BURST;
	src->last = now;
	src->used = true;
refill:
	src->tokens += (double)(now - src->last) / FAIL_REFILL_SECS;
	if (src->tokens > FAIL_BURST)
		src->tokens = FAIL_BURST;
	src->last = now;
	return src;
}

static void log_line(struct serve *s, const struct endpoint *from,
		     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void log_line(struct serve *s, const struct endpoint *from,
		     const char *fmt, ...)
{
	char ep[ADDR_STR_MAX];
	va_list ap;

	fprintf(stderr, "podnet ca serve: %s: ", endpoint_format(from, ep,
								  sizeof(ep)));
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (joined %lu, refused %lu, malformed %lu, rate-limited %lu)\n",
		s->stats.joined, s->stats.refused, s->stats.malformed,
		s->stats.rate_limited);
}

enum tls_op { TLS_ACCEPT, TLS_READ, TLS_WRITE };

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * One TLS operation on the non-blocking fd, waiting for it at most until
 * deadline (CLOCK_MONOTONIC ms). Returns what wolfSSL returned, or -1
 * when the deadline passed.
 */
static int tls_io(WOLFSSL *ssl, int fd, enum tls_op op, void *buf, int len,
		  long long deadline)
{
	struct pollfd pfd = { .fd = fd };
	long long left;
	int ret, err;

	for (;;) {
		ret = op == TLS_ACCEPT ? wolfSSL_accept(ssl) :
		      op == TLS_READ ? wolfSSL_read(ssl, buf, len) :
				       wolfSSL_write(ssl, buf, len);
		if (ret > 0)
			return ret;
		err = wolfSSL_get_error(ssl, ret);
		if (err != WOLFSSL_ERROR_WANT_READ &&
		    err != WOLFSSL_ERROR_WANT_WRITE)
			return ret;
		left = deadline - now_ms();
		if (left <= 0)
			return -1;
		pfd.events = err == WOLFSSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		if (poll(&pfd, 1, (int)left) <= 0)
			return -1;
	}
}

static void send_error(WOLFSSL *ssl, int fd, const char *msg,
		       long long deadline)
{
	char buf[JOIN_ERROR_MAX + 32];
	int n = join_response_encode_error(buf, sizeof(buf), msg);

	if (n > 0)
		tls_io(ssl, fd, TLS_WRITE, buf, n, deadline);
}

/*
 * Decides a parsed request: checks the invitation without using it up,
 * then the index, then uses it up and signs. Returns 0 with the answer in
 * out, or -1 with the message for the node in why.
 */
static int serve_decide(struct serve *s, const struct join_request *req,
			uint8_t *out, size_t outlen, int *outn, char *why,
			size_t whylen)
{
	static uint8_t cert_pem[4096];
	char addr[TOKEN_ADDR_STR_MAX], host[TOKEN_ADDR_STR_MAX], err[256];
	struct join_response resp = { .ok = true };
	uint8_t *ca_pem = NULL, *rl = NULL;
	size_t ca_len = 0, rl_len = 0;
	struct cert_identity id;
	struct cert_addrs addrs = { 0 };
	struct invite inv;
	int n, ret = -1;
	enum invite_result res;
	bool claim;

	token_addr_format(&req->address, false, host, sizeof(host));
	for (claim = false;; claim = true) {
		res = invite_store_check(s->ca_dir, req->id, req->secret,
					 req->name, &req->address, time(NULL),
					 claim, &inv, err, sizeof(err));
		switch (res) {
		case INVITE_OK:
			break;
		case INVITE_UNKNOWN:
			snprintf(why, whylen, "invalid token (unknown, or a wrong secret)");
			return -1;
		case INVITE_USED:
			snprintf(why, whylen, "token already used: each token joins one node once; ask for a new one");
			return -1;
		case INVITE_EXPIRED:
			snprintf(why, whylen, "token expired; ask for a new one");
			return -1;
		case INVITE_MISMATCH:
			snprintf(why, whylen, "token was altered: it was made for %s (%s), not %s (%s)",
				 inv.name,
				 token_addr_format(&inv.address, true, addr,
						   sizeof(addr)),
				 req->name, host);
			return -1;
		default:
			fprintf(stderr, "podnet ca serve: %s\n", err);
			snprintf(why, whylen, "the enrollment service failed; see its log");
			return -1;
		}
		if (claim)
			break;
		/* Taken since the invitation was made? Then keep it unused. */
		switch (cert_index_check(s->index, req->name, host, time(NULL),
					 err, sizeof(err))) {
		case 0:
			break;
		case 1:
			snprintf(why, whylen, "%s: refused, one node per name and address", err);
			return -1;
		default:
			fprintf(stderr, "podnet ca serve: %s\n", err);
			snprintf(why, whylen, "the enrollment service failed; see its log");
			return -1;
		}
	}
	/* The token's addresses: IPv4, IPv6, or one of each. */
	if (req->address.family == AF_INET6) {
		addrs.has_v6 = true;
		memcpy(&addrs.v6, req->address.bytes, 16);
	} else if (token_addr_ipv4(&req->address, &addrs.v4)) {
		addrs.has_v4 = true;
		addrs.has_v6 = req->address.has6;
		memcpy(&addrs.v6, req->address.bytes6, 16);
	} else {
		snprintf(why, whylen, "the token's address is neither IPv4 nor IPv6");
		return -1;
	}
	n = cert_issue_for_key_addrs(s->ca_cert, s->ca_key, req->name, &addrs,
				     (unsigned int)s->days, req->pub, cert_pem,
				     sizeof(cert_pem), err, sizeof(err));
	if (n < 0) {
		fprintf(stderr, "podnet ca serve: signing failed: %s\n", err);
		snprintf(why, whylen, "the enrollment service failed; see its log");
		return -1;
	}
	if (enroll_cert_from_pem(cert_pem, (size_t)n, &id, NULL, err,
				 sizeof(err)) < 0 ||
	    cert_index_append(s->index, &id, err, sizeof(err)) < 0)
		fprintf(stderr, "podnet ca serve: issued %s but not recorded in %s: %s\n",
			req->name, s->index, err);
	if (fileio_read_small(s->ca_cert, CERT_FILE_SIZE_MAX, &ca_pem, &ca_len,
			      err, sizeof(err)) < 0) {
		fprintf(stderr, "podnet ca serve: %s\n", err);
		snprintf(why, whylen, "the enrollment service failed; see its log");
		return -1;
	}
	if (access(s->revoked, F_OK) == 0 &&
	    fileio_read_small(s->revoked, CERT_FILE_SIZE_MAX, &rl, &rl_len,
			      err, sizeof(err)) < 0)
		fprintf(stderr, "podnet ca serve: %s (not sent)\n", err);
	resp.cert = cert_pem;
	resp.cert_len = (size_t)n;
	resp.ca = ca_pem;
	resp.ca_len = ca_len;
	resp.revocation = rl;
	resp.revocation_len = rl ? rl_len : 0;
	memcpy(resp.rv, s->rv, sizeof(s->rv));
	resp.n_rv = s->n_rv;
	*outn = join_response_encode_ok(&resp, out, outlen);
	if (*outn < 0)
		snprintf(why, whylen, "the answer does not fit");
	else
		ret = 0;
	free(ca_pem);
	free(rl);
	return ret;
}

static void serve_one(struct serve *s, int fd, const struct endpoint *from)
{
	static uint8_t out[JOIN_RESPONSE_MAX];
	char req_buf[JOIN_REQUEST_MAX + 1], why[JOIN_ERROR_MAX], err[128];
	struct fail_source *src = source_get(s, from, time(NULL));
	long long deadline = now_ms() + SERVE_DEADLINE_MS;
	struct join_request req;
	size_t len = 0;
	int n, outn, complete = 0;
	WOLFSSL *ssl;

	if (src->tokens < 1) {
		s->stats.rate_limited++;
		/* No handshake: a guesser pays, the service does not. */
		if (s->stats.rate_limited % 100 == 1)
			log_line(s, from, "too many failures; refused");
		return;
	}
	ssl = wolfSSL_new(s->ctx);
	if (!ssl || wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS ||
	    fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
		goto out_free;
	if (tls_io(ssl, fd, TLS_ACCEPT, NULL, 0, deadline) !=
	    WOLFSSL_SUCCESS) {
		s->stats.malformed++;
		src->tokens -= 1;
		log_line(s, from, "malformed: no TLS handshake (not TLS, or too slow)");
		goto out_free;
	}
	while (complete == 0) {
		n = tls_io(ssl, fd, TLS_READ, req_buf + len,
			   (int)(JOIN_REQUEST_MAX - len), deadline);
		if (n <= 0)
			break;
		len += (size_t)n;
		complete = join_request_complete(req_buf, len);
	}
	if (complete != 1 ||
	    join_request_parse(req_buf, len, &req, err, sizeof(err)) < 0) {
		s->stats.malformed++;
		src->tokens -= 1;
		log_line(s, from, "malformed request: %s",
			 complete == 1 ? err : "incomplete or not ours");
		send_error(ssl, fd, "malformed request", deadline);
		goto out_shutdown;
	}
	if (serve_decide(s, &req, out, sizeof(out), &outn, why,
			 sizeof(why)) < 0) {
		s->stats.refused++;
		src->tokens -= 1;
		log_line(s, from, "refused: %s", why);
		send_error(ssl, fd, why, deadline);
		goto out_shutdown;
	}
	s->stats.joined++;
	log_line(s, from, "joined %s", req.name);
	tls_io(ssl, fd, TLS_WRITE, out, outn, deadline);

out_shutdown:
	explicit_bzero(&req, sizeof(req));
	explicit_bzero(req_buf, sizeof(req_buf));
	wolfSSL_shutdown(ssl);
out_free:
	wolfSSL_free(ssl);
}

static int serve_tls_init(struct serve *s)
{
	uint8_t chain[8192], key_der[128], *ca_pem = NULL;
	int cert_len, key_len, ok;
	size_t ca_len;
	char err[256];

	if (cert_service_identity(s->ca_cert, s->ca_key, "podnet-enroll",
				  chain, sizeof(chain), &cert_len, key_der,
				  sizeof(key_der), &key_len, err,
				  sizeof(err)) < 0 ||
	    fileio_read_small(s->ca_cert, CERT_FILE_SIZE_MAX, &ca_pem, &ca_len,
			      err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return -1;
	}
	/* The leaf and then the CA: the node pins the CA by fingerprint. */
	if ((size_t)cert_len + ca_len > sizeof(chain)) {
		free(ca_pem);
		fprintf(stderr, "%s: CA certificate too large\n", prog_name);
		return -1;
	}
	memcpy(chain + cert_len, ca_pem, ca_len);
	s->ctx = wolfSSL_CTX_new(wolfTLSv1_3_server_method());
	ok = s->ctx &&
	     wolfSSL_CTX_use_certificate_chain_buffer(s->ctx, chain,
						      cert_len + (long)ca_len) ==
		     WOLFSSL_SUCCESS &&
	     wolfSSL_CTX_use_PrivateKey_buffer(s->ctx, key_der, key_len,
					       WOLFSSL_FILETYPE_ASN1) ==
		     WOLFSSL_SUCCESS;
	explicit_bzero(key_der, sizeof(key_der));
	free(ca_pem);
	if (!ok) {
		fprintf(stderr, "%s: cannot set up TLS\n", prog_name);
		return -1;
	}
	return 0;
}

static int listen_on(const struct endpoint *ep)
{
	char text[ADDR_STR_MAX];
	int fd, one = 1;

	fd = socket(ep->sa.sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, &ep->sa, ep->len) < 0 || listen(fd, 16) < 0) {
		fprintf(stderr, "%s: cannot listen on %s: %s\n", prog_name,
			endpoint_format(ep, text, sizeof(text)),
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Tells `podnet invite' where nodes find this service. */
static void write_endpoint_file(struct serve *s, const struct endpoint *ep)
{
	char path[PATH_MAX], text[ADDR_STR_MAX + 1], err[256];
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s/" ENDPOINT_FILE,
			     s->ca_dir) >= sizeof(path))
		return;
	endpoint_format(ep, text, sizeof(text));
	f = fopen(path, "w");
	if (!f || fprintf(f, "%s\n", text) < 0 || fclose(f)) {
		snprintf(err, sizeof(err), "%s", strerror(errno));
		fprintf(stderr, "%s: %s: %s\n", prog_name, path, err);
	}
}

static bool wildcard(const struct endpoint *ep)
{
	static const struct in6_addr any6 = IN6ADDR_ANY_INIT;

	return ep->sa.sa_family == AF_INET ?
		       ep->in.sin_addr.s_addr == htonl(INADDR_ANY) :
		       !memcmp(&ep->in6.sin6_addr, &any6, sizeof(any6));
}

static int parse_rendezvous(struct serve *s, const char *arg)
{
	const char *at = strchr(arg, '@');
	struct join_rendezvous *rv = &s->rv[s->n_rv];

	if (s->n_rv == JOIN_RV_MAX || !at ||
	    (size_t)(at - arg) >= sizeof(rv->name)) {
		fprintf(stderr, "%s: --rendezvous NAME@IP:PORT, at most %d\n",
			prog_name, JOIN_RV_MAX);
		return -1;
	}
	memcpy(rv->name, arg, (size_t)(at - arg));
	rv->name[at - arg] = '\0';
	if (!cert_name_valid(rv->name) ||
	    endpoint_parse(at + 1, &rv->endpoint) < 0) {
		fprintf(stderr, "%s: `%s' is not NAME@IP:PORT\n", prog_name,
			arg);
		return -1;
	}
	s->n_rv++;
	return 0;
}

int ca_serve_main(int argc, char *argv[])
{
	static const struct option options[] = {
		{ "ca-dir", required_argument, NULL, 'c' },
		{ "listen", required_argument, NULL, 'l' },
		{ "advertise", required_argument, NULL, 'a' },
		{ "rendezvous", required_argument, NULL, 'r' },
		{ "days", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static struct serve s;
	struct endpoint listen_ep = { .len = 0 }, advertise = { .len = 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	char text[ADDR_STR_MAX], default_listen[32];
	int c, lfd;

	s.ca_dir = ".";
	s.days = SERVE_DEFAULT_DAYS;
	cli_set_command_name(argv, "ca serve");
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:l:a:r:d:h", options, NULL)) !=
	       -1) {
		switch (c) {
		case 'c':
			s.ca_dir = optarg;
			break;
		case 'l':
		case 'a':
			if (endpoint_parse(optarg, c == 'l' ? &listen_ep :
							      &advertise) < 0) {
				fprintf(stderr, "%s: `%s' is not IP:PORT\n",
					prog_name, optarg);
				return 1;
			}
			break;
		case 'r':
			if (parse_rendezvous(&s, optarg) < 0)
				return 1;
			break;
		case 'd':
			if (cli_parse_days(optarg, &s.days) < 0)
				return 1;
			break;
		case 'h':
			serve_usage(stdout);
			return 0;
		default:
			serve_usage(stderr);
			return 1;
		}
	}
	if (optind != argc) {
		serve_usage(stderr);
		return 1;
	}
	if (!listen_ep.len) {
		snprintf(default_listen, sizeof(default_listen), "0.0.0.0:%d",
			 ENROLL_DEFAULT_PORT);
		endpoint_parse(default_listen, &listen_ep);
	}
	if ((size_t)snprintf(s.ca_cert, sizeof(s.ca_cert), "%s/ca.crt",
			     s.ca_dir) >= sizeof(s.ca_cert) ||
	    (size_t)snprintf(s.ca_key, sizeof(s.ca_key), "%s/ca.key",
			     s.ca_dir) >= sizeof(s.ca_key) ||
	    (size_t)snprintf(s.index, sizeof(s.index), "%s/" CERT_INDEX_FILE,
			     s.ca_dir) >= sizeof(s.index) ||
	    (size_t)snprintf(s.revoked, sizeof(s.revoked), "%s/revoked.list",
			     s.ca_dir) >= sizeof(s.revoked)) {
		fprintf(stderr, "%s: directory name too long\n", prog_name);
		return 1;
	}
	wolfSSL_Init();
	if (serve_tls_init(&s) < 0)
		return 1;
	lfd = listen_on(&listen_ep);
	if (lfd < 0)
		return 1;
	if (advertise.len)
		write_endpoint_file(&s, &advertise);
	else if (!wildcard(&listen_ep))
		write_endpoint_file(&s, &listen_ep);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	fprintf(stderr, "podnet ca serve: listening on %s (TLS 1.3), CA %s\n",
		endpoint_format(&listen_ep, text, sizeof(text)), s.ca_cert);
	while (!stop) {
		struct endpoint from = { .len = sizeof(from.in6) };
		int fd = accept4(lfd, &from.sa, &from.len, SOCK_CLOEXEC);

		if (fd < 0)
			continue;	/* EINTR on a signal: stop is set */
		serve_one(&s, fd, &from);
		close(fd);
	}
	fprintf(stderr, "podnet ca serve: stopping (joined %lu, refused %lu, malformed %lu, rate-limited %lu)\n",
		s.stats.joined, s.stats.refused, s.stats.malformed,
		s.stats.rate_limited);
	close(lfd);
	wolfSSL_CTX_free(s.ctx);
	wolfSSL_Cleanup();
	return 0;
}
