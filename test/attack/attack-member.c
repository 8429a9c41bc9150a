// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * attack-member: members of the network (certificates from its CA) that
 * abuse the rendezvous. Each identity NAME-1 ... NAME-COUNT opens a DTLS
 * session with the rendezvous, as a node would (doc/wire.md), registers
 * the given LAN candidates, whatever they are, and then keeps asking the
 * rendezvous for VICTIM, which makes the rendezvous hand our candidates
 * to the victim: it probes them. Identity 2 and up also ask for identity
 * 1, and print what the rendezvous says about it:
 *
 *   CANDIDATES NAME-1 ADDR:PORT ...
 *
 * A test tool, not part of podnet.
 *
 *   attack-member [-t SECONDS] [-i LOOKUP_MS] CA_DIR NAME COUNT
 *                 RV_IP:PORT VICTIM [CANDIDATE_IP:PORT ...]
 *
 * Runs for SECONDS (default 10); exits 0 when every identity registered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "addr.h"
#include "cert.h"
#include "cert_issue.h"
#include "record.h"
#include "rvmsg.h"
#include "wire.h"

/* What userspace/daemon/dtls.c accepts. */
#define CIPHERS "ECDHE-ECDSA-CHACHA20-POLY1305:" \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"
#define DTLS_CONTENT_APPLICATION_DATA 23
#define DATAGRAM_MAX 2048
#define MEMBERS_MAX 64

struct member {
	char name[CERT_NAME_MAX];
	int fd;
	WOLFSSL *ssl;
	bool up, registered;
	uint32_t local_index, remote_index;
	/* After the handshake: podnet's records start at sequence 2^40,
	 * beyond what wolfSSL takes, so they are opened here. */
	struct record_keys keys;
	bool have_keys;
	double deadline, next_lookup;
	const uint8_t *rx_buf;
	size_t rx_len;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct member *m = ctx;
	size_t n;

	(void)ssl;
	if (!m->rx_len)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	n = m->rx_len < (size_t)sz ? m->rx_len : (size_t)sz;
	memcpy(buf, m->rx_buf, n);
	m->rx_len = 0;
	return (int)n;
}

/* podnet's header in front of every DTLS datagram. */
static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct member *m = ctx;
	uint8_t hdr[WIRE_HANDSHAKE_HEADER_LEN];
	enum wire_type type = WIRE_TYPE_HANDSHAKE;
	struct iovec iov[2];
	size_t hlen;

	(void)ssl;
	if (sz > 0 && (uint8_t)buf[0] == DTLS_CONTENT_APPLICATION_DATA)
		type = WIRE_TYPE_DATA;
	hlen = wire_put_header(hdr, type, m->remote_index, m->local_index);
	iov[0] = (struct iovec){ hdr, hlen };
	iov[1] = (struct iovec){ buf, (size_t)sz };
	if (writev(m->fd, iov, 2) < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK))
		return WOLFSSL_CBIO_ERR_WANT_WRITE;
	return sz;
}

static int send_msg(struct member *m, const struct rv_msg *msg)
{
	uint8_t buf[512];
	size_t len = rv_build(msg, buf, sizeof(buf));

	if (!len || wolfSSL_write(m->ssl, buf, (int)len) != (int)len)
		return -1;
	return 0;
}

static void print_candidates(const struct rv_msg *msg)
{
	char ep[ADDR_STR_MAX];

	printf("CANDIDATES %s", msg->name);
	for (size_t i = 0; i < msg->n_cands; i++)
		printf(" %s", endpoint_format(&msg->cands[i], ep, sizeof(ep)));
	printf("\n");
	fflush(stdout);
}

static void drive(struct member *m, double now)
{
	int ret = wolfSSL_connect(m->ssl), timeout;

	if (ret == WOLFSSL_SUCCESS) {
		m->up = true;
		return;
	}
	ret = wolfSSL_get_error(m->ssl, ret);
	if (ret != WOLFSSL_ERROR_WANT_READ && ret != WOLFSSL_ERROR_WANT_WRITE) {
		fprintf(stderr, "attack-member: %s: handshake failed (%d)\n",
			m->name, ret);
		return;
	}
	timeout = wolfSSL_dtls_get_current_timeout(m->ssl);
	m->deadline = now + (timeout > 0 ? timeout : 1);
}

static void receive(struct member *m, const uint8_t *buf, size_t len,
		    double now, bool print)
{
	uint8_t plain[DATAGRAM_MAX];
	struct wire_header hdr;
	struct rv_msg msg;
	int n;

	if (wire_parse(buf, len, &hdr) != WIRE_OK ||
	    (hdr.type != WIRE_TYPE_HANDSHAKE && hdr.type != WIRE_TYPE_DATA) ||
	    hdr.receiver_index != m->local_index)
		return;
	m->rx_buf = hdr.payload;
	m->rx_len = hdr.payload_len;
	if (!m->up) {
		if (hdr.type == WIRE_TYPE_HANDSHAKE && hdr.sender_index)
			m->remote_index = hdr.sender_index;
		drive(m, now);
		m->rx_len = 0;
		return;
	}
	m->rx_len = 0;
	if (hdr.type != WIRE_TYPE_DATA)
		return;		/* a repeated final flight */
	if (!m->have_keys) {
		if (record_keys_from_ssl(m->ssl, &m->keys))
			return;
		m->have_keys = true;
	}
	n = record_open(&m->keys, hdr.payload, hdr.payload_len, plain,
			sizeof(plain));
	if (n <= 0 || rv_parse(plain, (size_t)n, &msg))
		return;
	if (msg.type == RV_REGISTER_ACK)
		m->registered = true;
	if (msg.type == RV_CANDIDATES && print)
		print_candidates(&msg);
}

static int issue(const char *ca_dir, const char *name, unsigned int i,
		 WOLFSSL *ssl)
{
	char dir[] = "/tmp/attack-member.XXXXXX";
	char ca_crt[PATH_MAX], ca_key[PATH_MAX];
	char crt[PATH_MAX], key[PATH_MAX], err[256];
	struct in_addr vaddr;
	int ret = -1;

	snprintf(ca_crt, sizeof(ca_crt), "%s/ca.crt", ca_dir);
	snprintf(ca_key, sizeof(ca_key), "%s/ca.key", ca_dir);
	if (!mkdtemp(dir))
		return -1;
	snprintf(crt, sizeof(crt), "%s/m.crt", dir);
	snprintf(key, sizeof(key), "%s/m.key", dir);
	/* 10.79.x.y: addresses no test node holds. */
	vaddr.s_addr = htonl(0x0a4f0000u | (i + 1));
	if (cert_issue(ca_crt, ca_key, name, vaddr, 2, crt, key, err,
		       sizeof(err)))
		fprintf(stderr, "attack-member: %s: %s\n", name, err);
	else if (wolfSSL_use_certificate_file(ssl, crt, WOLFSSL_FILETYPE_PEM) ==
		 WOLFSSL_SUCCESS &&
		 wolfSSL_use_PrivateKey_file(ssl, key, WOLFSSL_FILETYPE_PEM) ==
		 WOLFSSL_SUCCESS)
		ret = 0;
	unlink(crt);
	unlink(key);
	rmdir(dir);
	return ret;
}

static void usage(void)
{
	fprintf(stderr, "usage: attack-member [-t SECONDS] [-i LOOKUP_MS] CA_DIR NAME COUNT RV_IP:PORT VICTIM [CANDIDATE_IP:PORT ...]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct member ms[MEMBERS_MAX];
	struct rv_msg reg = { .type = RV_REGISTER, .nat_type = NAT_CONE };
	struct endpoint rv;
	struct pollfd pfd[MEMBERS_MAX];
	double seconds = 10, interval = 0.5, end;
	const char *victim;
	WOLFSSL_CTX *ctx;
	unsigned int count, registered = 0;
	int opt;

	while ((opt = getopt(argc, argv, "t:i:")) != -1) {
		if (opt == 't')
			seconds = atof(optarg);
		else if (opt == 'i')
			interval = atof(optarg) / 1e3;
		else
			usage();
	}
	if (argc - optind < 5)
		usage();
	count = (unsigned int)atoi(argv[optind + 2]);
	if (count < 1 || count > MEMBERS_MAX ||
	    endpoint_parse(argv[optind + 3], &rv) ||
	    argc - optind - 5 > RV_MAX_CANDIDATES || interval <= 0)
		usage();
	victim = argv[optind + 4];
	for (int i = optind + 5; i < argc; i++) {
		/* Sent as given: the rendezvous is to judge them. */
		if (endpoint_parse(argv[i], &reg.cands[reg.n_cands++]))
			usage();
	}
	wolfSSL_Init();
	ctx = wolfSSL_CTX_new(wolfDTLSv1_2_client_method());
	if (!ctx)
		return 1;
	{
		char ca_crt[PATH_MAX];

		snprintf(ca_crt, sizeof(ca_crt), "%s/ca.crt", argv[optind]);
		if (wolfSSL_CTX_load_verify_locations(ctx, ca_crt, NULL) !=
		    WOLFSSL_SUCCESS)
			return 1;
	}
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
	wolfSSL_CTX_set_cipher_list(ctx, CIPHERS);
	wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_X25519);
	wolfSSL_CTX_SetIORecv(ctx, io_recv);
	wolfSSL_CTX_SetIOSend(ctx, io_send);

	for (unsigned int i = 0; i < count; i++) {
		struct member *m = &ms[i];

		snprintf(m->name, sizeof(m->name), "%s-%u", argv[optind + 1],
			 i + 1);
		m->fd = socket(rv.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		m->ssl = wolfSSL_new(ctx);
		if (m->fd < 0 || !m->ssl ||
		    connect(m->fd, &rv.sa, rv.len) ||
		    issue(argv[optind], m->name, i, m->ssl))
			return 1;
		wolfSSL_SetIOReadCtx(m->ssl, m);
		wolfSSL_SetIOWriteCtx(m->ssl, m);
		wolfSSL_dtls_set_using_nonblock(m->ssl, 1);
		wolfSSL_dtls_set_timeout_init(m->ssl, 1);
		while (!m->local_index)
			if (getrandom(&m->local_index, 4, 0) != 4)
				m->local_index = (uint32_t)rand();
		pfd[i].fd = m->fd;
		pfd[i].events = POLLIN;
		drive(m, now_s());
	}
	end = now_s() + seconds;
	while (now_s() < end) {
		static uint8_t buf[DATAGRAM_MAX];
		double now;

		poll(pfd, count, 20);
		now = now_s();
		for (unsigned int i = 0; i < count; i++) {
			struct member *m = &ms[i];
			bool was_up = m->up;
			ssize_t len;

			while ((len = recv(m->fd, buf, sizeof(buf), 0)) > 0)
				receive(m, buf, (size_t)len, now, i > 0);
			if (!m->up && now >= m->deadline &&
			    wolfSSL_dtls_got_timeout(m->ssl) >= 0)
				m->deadline = now + wolfSSL_dtls_get_current_timeout(m->ssl);
			if (m->up && !was_up) {
				send_msg(m, &reg);
				m->next_lookup = now + 0.2;
			}
			if (m->up && m->registered && now >= m->next_lookup) {
				struct rv_msg look = { .type = RV_LOOKUP };

				snprintf(look.name, sizeof(look.name), "%s",
					 victim);
				send_msg(m, &look);
				if (i > 0) {
					snprintf(look.name, sizeof(look.name),
						 "%s", ms[0].name);
					send_msg(m, &look);
				}
				m->next_lookup = now + interval;
			}
		}
	}
	for (unsigned int i = 0; i < count; i++) {
		registered += ms[i].registered;
		if (ms[i].have_keys)
			record_keys_wipe(&ms[i].keys);
		wolfSSL_free(ms[i].ssl);
		close(ms[i].fd);
	}
	wolfSSL_CTX_free(ctx);
	wolfSSL_Cleanup();
	printf("REGISTERED %u of %u\n", registered, count);
	return registered == count ? 0 : 1;
}
