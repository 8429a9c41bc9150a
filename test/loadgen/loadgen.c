// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet-loadgen: many idle peers for one podnetd, to measure what an
 * established session costs it. Issues COUNT node certificates from the
 * network's CA, then runs one DTLS 1.2 client per certificate, each from
 * its own UDP socket, speaking podnet's wire format (doc/wire.md) to
 * TARGET. Established sessions are kept alive with keepalive records;
 * lost ones are brought up again. Runs until SIGINT or SIGTERM, or for
 * -t SEC seconds.
 *
 *   podnet-loadgen [-t SEC] [-k SEC] [-p PARALLEL] [-r [-L RATE -n LOOKUPS]]
 *                  [-a ACTIVE -R PPS -d DEST_IP [-s BYTES]]
 *                  CA_DIR TARGET_IP:PORT COUNT
 *
 * With -r every client registers with TARGET as its rendezvous once its
 * session is up; with -n, once all have registered, LOOKUPS lookups go out
 * at RATE a second, each from one client for another, and the time until
 * the asker and the target hear of each other is measured. With -a the
 * first ACTIVE clients send PPS IPv4/UDP packets a second in all, to
 * DEST_IP (TARGET's inner address), port 9, BYTES of payload each.
 * (scripts/bench-scale.sh)
 *
 * A benchmark tool (scripts/bench.sh), not part of podnet.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "cert.h"
#include "cert_issue.h"
#include "checksum.h"
#include "record.h"
#include "rvmsg.h"
#include "wire.h"

/* The same settings as userspace/daemon/dtls.c: a session the daemon
 * accepts from us is one it would accept from a real node. */
#define LOADGEN_CIPHERS "ECDHE-ECDSA-CHACHA20-POLY1305:" \
	"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384"

#define DTLS_CONTENT_APPLICATION_DATA 23
#define DATAGRAM_MAX 2048
#define CERT_FILE_MAX 4096
/* The daemon refuses a 65th server handshake in progress: stay below. */
#define DEFAULT_PARALLEL 32
#define DEFAULT_KEEPALIVE 5
/* The daemon sends a keepalive after 15 s of silence; three missed mean
 * our session is gone on its side too. */
#define DEAD_AFTER 50.0
#define RETRY_DELAY 1.0
#define TICK_MS 50

enum client_state { CLIENT_IDLE, CLIENT_HANDSHAKE, CLIENT_ESTABLISHED };

struct client {
	int fd;
	WOLFSSL *ssl;
	enum client_state state;
	uint32_t local_index;
	uint32_t remote_index;		/* the daemon's, 0 until known */
	double started;			/* first attempt; 0 once up */
	double deadline;		/* next DTLS retransmission */
	double next_keepalive;
	double retry_at;
	double last_rx;
	/* The one datagram wolfSSL may read next (custom I/O). */
	const uint8_t *rx_buf;
	size_t rx_len;
	uint8_t *cert_pem, *key_pem;
	size_t cert_len, key_len;
	/* After the handshake, records are sealed and opened with podnet's
	 * own record layer, as podnetd does: its sequence numbers start
	 * where wolfSSL's replay window would not follow. */
	struct record_keys keys;
	bool has_keys;
	bool registered;		/* the rendezvous acknowledged */
	bool register_sent;
	int lookup;			/* the lookup it takes part in, or -1 */
	uint16_t ip_id;
};

/* One lookup: asker asked for target at t0; each heard of the other at
 * t_asker, t_target (0 until then). */
struct lookup {
	unsigned int asker, target;
	double t0, t_asker, t_target;
};

struct loadgen {
	WOLFSSL_CTX *ctx;
	struct client *clients;
	unsigned int count;
	unsigned int parallel;
	unsigned int keepalive;
	struct sockaddr_in target;
	unsigned int in_handshake, established;
	unsigned long handshakes, failures, restarts, session_requests;
	double *hs_ms;			/* time to each first session */
	unsigned int hs_done;
	double start;
	double duration;		/* -t: seconds to run, 0 for until a signal */
	bool all_reported;
	char ca_dir[PATH_MAX];
	char cert_dir[32];		/* issue_certificate()'s; "" with -C */
	/* -r, -L, -n: registrations and lookups */
	bool rendezvous;
	unsigned int registered;
	bool all_registered_reported;
	double lookup_rate;
	unsigned int lookups_wanted, lookups_sent, lookups_done;
	unsigned int lookups_not_found, lookups_lost;
	struct lookup *lookups;
	double *lookup_ms, *intro_ms;
	double lookup_credit;
	bool lookups_reported;		/* this round's */
	/* Round 0 at `early` registrations (new handshakes held back
	 * meanwhile), round 1 with all: a table that gets slower with its
	 * size shows as a difference between the two. */
	unsigned int round, early, pool;
	double held_since;
	unsigned int cursor;		/* start_idle()'s */
	/* -a, -R, -d, -s: traffic from the first clients */
	unsigned int active;
	double pps;
	struct in_addr dest;
	unsigned int payload;
	double traffic_credit;
	unsigned int next_sender;
	unsigned long packets_sent, packets_failed;
	double traffic_start;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint32_t random_index(void)
{
	uint32_t v = 0;

	/* Random like the daemon's, so two loadgens never collide; never 0,
	 * which means "unknown" on the wire. */
	while (!v)
		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			v = (uint32_t)rand();
	return v;
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return -1;
	*buf = malloc(CERT_FILE_MAX);
	if (!*buf) {
		fclose(f);
		return -1;
	}
	n = fread(*buf, 1, CERT_FILE_MAX, f);
	fclose(f);
	if (!n || n == CERT_FILE_MAX) {
		free(*buf);
		return -1;
	}
	*len = n;
	return 0;
}

static struct in_addr client_vaddr(unsigned int i)
{
	struct in_addr a;

	/* Client i's inner address: 254 hosts per /24. */
	a.s_addr = htonl(0x0a4e0000u | (i / 254) << 8 | (i % 254 + 1));
	return a;
}

/*
 * Certificates load-0001 ... with addresses 10.78.x.y, issued through the
 * project's own cert_issue() into a private temporary directory, each
 * just before its client's first handshake: issuing thousands takes
 * minutes on a busy machine, and the daemon admits new nodes at its own
 * pace anyway. The files are gone once the PEM bytes are in memory, the
 * directory when the program ends.
 */
static int issue_certificate(struct loadgen *lg, unsigned int i)
{
	struct client *c = &lg->clients[i];
	char ca_crt[PATH_MAX], ca_key[PATH_MAX], name[CERT_NAME_MAX];
	char crt[PATH_MAX + 32], key[PATH_MAX + 32], err[256];
	int ret = -1;

	snprintf(ca_crt, sizeof(ca_crt), "%s/ca.crt", lg->ca_dir);
	snprintf(ca_key, sizeof(ca_key), "%s/ca.key", lg->ca_dir);
	snprintf(name, sizeof(name), "load-%04u", i + 1);
	snprintf(crt, sizeof(crt), "%s/%s.crt", lg->cert_dir, name);
	snprintf(key, sizeof(key), "%s/%s.key", lg->cert_dir, name);
	if (cert_issue(ca_crt, ca_key, name, client_vaddr(i), 2, crt, key, err,
		       sizeof(err))) {
		fprintf(stderr, "loadgen: %s: %s\n", name, err);
		goto out;
	}
	if (read_file(crt, &c->cert_pem, &c->cert_len) ||
	    read_file(key, &c->key_pem, &c->key_len)) {
		fprintf(stderr, "loadgen: cannot read %s back\n", crt);
		free(c->cert_pem);
		c->cert_pem = NULL;
		goto out;
	}
	ret = 0;
out:
	unlink(crt);
	unlink(key);
	return ret;
}

/* wolfSSL's recv callback: hand over the one pending datagram, if any. */
static int io_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct client *c = ctx;
	size_t n;

	if (!c->rx_len)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	n = c->rx_len < (size_t)sz ? c->rx_len : (size_t)sz;
	memcpy(buf, c->rx_buf, n);
	c->rx_len = 0;
	return (int)n;
}

/* wolfSSL's send callback: the podnet header in front of every datagram;
 * application data goes as type 2, everything else as a handshake. */
static int io_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct client *c = ctx;
	uint8_t hdr[WIRE_HANDSHAKE_HEADER_LEN];
	enum wire_type type = WIRE_TYPE_HANDSHAKE;
	struct iovec iov[2];
	size_t hlen;

	if (sz > 0 && (uint8_t)buf[0] == DTLS_CONTENT_APPLICATION_DATA)
		type = WIRE_TYPE_DATA;
	hlen = wire_put_header(hdr, type, c->remote_index, c->local_index);
	iov[0] = (struct iovec){ hdr, hlen };
	iov[1] = (struct iovec){ buf, (size_t)sz };
	if (writev(c->fd, iov, 2) < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return WOLFSSL_CBIO_ERR_WANT_WRITE;
		/* ECONNREFUSED before the daemon listens: a lost datagram,
		 * which DTLS retransmission deals with. */
	}
	return sz;
}

static void client_reset(struct loadgen *lg, struct client *c, double now,
			 bool failed)
{
	if (c->state == CLIENT_HANDSHAKE)
		lg->in_handshake--;
	else if (c->state == CLIENT_ESTABLISHED)
		lg->established--;
	if (failed)
		lg->failures++;
	wolfSSL_free(c->ssl);
	c->ssl = NULL;
	if (c->has_keys)
		record_keys_wipe(&c->keys);
	c->has_keys = false;
	c->state = CLIENT_IDLE;
	c->remote_index = 0;
	c->rx_len = 0;
	if (c->registered)
		lg->registered--;
	c->registered = false;
	c->register_sent = false;
	c->retry_at = now + (failed ? RETRY_DELAY : 0.);
}

static void client_established(struct loadgen *lg, struct client *c,
			       double now)
{
	if (record_keys_from_ssl(c->ssl, &c->keys)) {
		fprintf(stderr, "loadgen: cipher %s cannot be carried\n",
			wolfSSL_get_cipher_name(c->ssl));
		client_reset(lg, c, now, true);
		return;
	}
	c->has_keys = true;
	lg->in_handshake--;
	lg->established++;
	lg->handshakes++;
	c->state = CLIENT_ESTABLISHED;
	c->last_rx = now;
	/* A record at once, as podnetd's own client does: a server that
	 * rekeys keeps sending on the old session until the new one has
	 * carried a record. The handshakes are spread out, so are these. */
	c->next_keepalive = now;
	/* Time to each client's first session, retries included. */
	if (c->started && lg->hs_done < lg->count)
		lg->hs_ms[lg->hs_done++] = (now - c->started) * 1e3;
	c->started = 0;
}

/* Drive the handshake after a datagram or a timeout. */
static void client_drive(struct loadgen *lg, struct client *c, double now)
{
	int ret = wolfSSL_connect(c->ssl);
	int err, timeout;

	if (ret == WOLFSSL_SUCCESS) {
		client_established(lg, c, now);
		return;
	}
	err = wolfSSL_get_error(c->ssl, ret);
	if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE) {
		char msg[WOLFSSL_MAX_ERROR_SZ];

		fprintf(stderr, "loadgen: client %ld: handshake failed: %s\n",
			(long)(c - lg->clients) + 1,
			wolfSSL_ERR_error_string((unsigned long)err, msg));
		client_reset(lg, c, now, true);
		return;
	}
	timeout = wolfSSL_dtls_get_current_timeout(c->ssl);
	c->deadline = now + (timeout > 0 ? timeout : 1);
}

static int client_start(struct loadgen *lg, struct client *c, double now)
{
	if (!c->cert_pem) {
		if (issue_certificate(lg, (unsigned int)(c - lg->clients)))
			return -1;
		/* The handshake's time starts after the issuing. */
		now = now_s();
	}
	c->ssl = wolfSSL_new(lg->ctx);
	if (!c->ssl)
		return -1;
	if (wolfSSL_use_certificate_buffer(c->ssl, c->cert_pem,
					   (long)c->cert_len,
					   WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS ||
	    wolfSSL_use_PrivateKey_buffer(c->ssl, c->key_pem, (long)c->key_len,
					  WOLFSSL_FILETYPE_PEM) != WOLFSSL_SUCCESS) {
		fprintf(stderr, "loadgen: cannot load a client certificate\n");
		wolfSSL_free(c->ssl);
		c->ssl = NULL;
		return -1;
	}
	wolfSSL_SetIOReadCtx(c->ssl, c);
	wolfSSL_SetIOWriteCtx(c->ssl, c);
	wolfSSL_dtls_set_using_nonblock(c->ssl, 1);
	wolfSSL_dtls_set_timeout_init(c->ssl, 1);
	wolfSSL_dtls_set_timeout_max(c->ssl, 8);
	/* A fresh index per attempt: late replies to an old attempt then
	 * cannot confuse the new one. */
	c->local_index = random_index();
	c->remote_index = 0;
	c->state = CLIENT_HANDSHAKE;
	if (!c->started)
		c->started = now;
	lg->in_handshake++;
	client_drive(lg, c, now);
	return 0;
}

/* The client number of a name we issued, or -1. */
static int client_of_name(const struct loadgen *lg, const char *name)
{
	char *end;
	unsigned long i;

	if (strncmp(name, "load-", 5))
		return -1;
	i = strtoul(name + 5, &end, 10);
	if (*end || !i || i > lg->count)
		return -1;
	return (int)i - 1;
}

static void lookup_finish(struct loadgen *lg, struct lookup *l)
{
	lg->clients[l->asker].lookup = -1;
	lg->clients[l->target].lookup = -1;
}

/* A rendezvous message for client c: the ack of its registration, or
 * one side of an introduction. */
static void client_control(struct loadgen *lg, struct client *c,
			   const uint8_t *buf, size_t len, double now)
{
	unsigned int self = (unsigned int)(c - lg->clients);
	struct rv_msg m;
	struct lookup *l;
	int other;

	if (rv_parse(buf, len, &m))
		return;
	if (m.type == RV_REGISTER_ACK && !c->registered) {
		c->registered = true;
		lg->registered++;
		return;
	}
	if ((m.type != RV_CANDIDATES && m.type != RV_NOT_FOUND) ||
	    c->lookup < 0)
		return;
	l = &lg->lookups[c->lookup];
	other = client_of_name(lg, m.name);
	if (m.type == RV_NOT_FOUND) {
		if (l->asker == self) {
			lg->lookups_not_found++;
			lookup_finish(lg, l);
		}
		return;
	}
	/* The time of this datagram, not of the batch it came in. */
	now = now_s();
	if (l->asker == self && other == (int)l->target && !l->t_asker)
		l->t_asker = now;
	else if (l->target == self && other == (int)l->asker && !l->t_target)
		l->t_target = now;
	else
		return;
	if (l->t_asker && l->t_target) {
		lg->lookup_ms[lg->lookups_done] = (l->t_asker - l->t0) * 1e3;
		lg->intro_ms[lg->lookups_done] =
			((l->t_asker > l->t_target ? l->t_asker : l->t_target) -
			 l->t0) * 1e3;
		lg->lookups_done++;
		lookup_finish(lg, l);
	}
}

/* One datagram from the daemon for client c. */
static void client_receive(struct loadgen *lg, struct client *c,
			   const uint8_t *buf, size_t len, double now)
{
	struct wire_header hdr;
	uint8_t plain[DATAGRAM_MAX];
	int ret, err;

	if (wire_parse(buf, len, &hdr) != WIRE_OK)
		return;
	if (hdr.type == WIRE_TYPE_SESSION_REQUEST) {
		/* The daemon lost our session (restart, expiry): the DTLS
		 * client answers with a new handshake. */
		lg->session_requests++;
		if (c->state == CLIENT_ESTABLISHED) {
			lg->restarts++;
			client_reset(lg, c, now, false);
		}
		return;
	}
	if (hdr.type != WIRE_TYPE_HANDSHAKE && hdr.type != WIRE_TYPE_DATA)
		return;
	if (!c->ssl || hdr.receiver_index != c->local_index)
		return;
	c->last_rx = now;
	c->rx_buf = hdr.payload;
	c->rx_len = hdr.payload_len;
	if (c->state == CLIENT_HANDSHAKE) {
		/* The server's first flight names its session index: every
		 * datagram from us carries it from then on. */
		if (hdr.type == WIRE_TYPE_HANDSHAKE && hdr.sender_index)
			c->remote_index = hdr.sender_index;
		client_drive(lg, c, now);
		c->rx_len = 0;
		return;
	}
	/* Established: keepalives and rendezvous answers in records of
	 * podnet's record layer; alerts, a repeated Finished through
	 * wolfSSL. */
	if (hdr.type == WIRE_TYPE_DATA) {
		ret = record_open(&c->keys, hdr.payload, hdr.payload_len,
				  plain, sizeof(plain));
		c->rx_len = 0;
		if (ret > 0 && plain[0] < 0x10)
			client_control(lg, c, plain, (size_t)ret, now);
		return;
	}
	ret = wolfSSL_read(c->ssl, plain, sizeof(plain));
	c->rx_len = 0;
	if (ret > 0)
		return;
	err = wolfSSL_get_error(c->ssl, ret);
	if (err != WOLFSSL_ERROR_WANT_READ && err != WOLFSSL_ERROR_WANT_WRITE) {
		lg->restarts++;
		client_reset(lg, c, now, false);
	}
}

/* One data record (type 2) with plaintext pt to the daemon. */
static int client_write(struct client *c, const uint8_t *pt, size_t len)
{
	uint8_t hdr[WIRE_HANDSHAKE_HEADER_LEN], rec[DATAGRAM_MAX];
	struct iovec iov[2];
	size_t hlen;
	int n;

	if (!c->has_keys)
		return -1;
	n = record_seal(&c->keys, pt, len, rec, sizeof(rec));
	if (n < 0)
		return -1;
	hlen = wire_put_header(hdr, WIRE_TYPE_DATA, c->remote_index,
			       c->local_index);
	iov[0] = (struct iovec){ hdr, hlen };
	iov[1] = (struct iovec){ rec, (size_t)n };
	return writev(c->fd, iov, 2) < 0 && errno != ECONNREFUSED ? -1 : 0;
}

static int client_send_control(struct client *c, const struct rv_msg *m)
{
	uint8_t buf[512];
	size_t len = rv_build(m, buf, sizeof(buf));

	return len ? client_write(c, buf, len) : -1;
}

/* One lookup from a random idle client for another, if two are found. */
static void lookup_start(struct loadgen *lg, double now)
{
	struct lookup *l = &lg->lookups[lg->lookups_sent];
	struct rv_msg m = { .type = RV_LOOKUP };

	for (int tries = 0; tries < 16; tries++) {
		unsigned int a = (unsigned int)rand() % lg->pool;
		unsigned int b = (unsigned int)rand() % lg->pool;
		struct client *ca = &lg->clients[a], *cb = &lg->clients[b];

		if (a == b || ca->lookup >= 0 || cb->lookup >= 0 ||
		    !ca->registered || !cb->registered)
			continue;
		snprintf(m.name, sizeof(m.name), "load-%04u", b + 1);
		now = now_s();
		if (client_send_control(ca, &m))
			return;
		*l = (struct lookup){ .asker = a, .target = b, .t0 = now };
		ca->lookup = cb->lookup = (int)lg->lookups_sent++;
		return;
	}
}

/* Lookups at their rate once every client is registered; those not
 * answered within 5 s are lost. */
static void lookups_tick(struct loadgen *lg, double now, double dt)
{
	if (!lg->lookups_wanted || lg->lookups_reported)
		return;
	if (lg->round == 0 && lg->early) {
		/* Held back at `early`: go once the handshakes are over. */
		if (!lg->held_since || lg->in_handshake ||
		    (lg->registered < lg->established &&
		     now - lg->held_since < 10))
			return;
		lg->pool = lg->pool ? lg->pool : 1;
	} else {
		if (lg->registered < lg->count)
			return;
		lg->pool = lg->count;
	}
	lg->lookup_credit += dt * lg->lookup_rate;
	if (lg->lookup_credit > lg->lookup_rate)
		lg->lookup_credit = lg->lookup_rate;
	while (lg->lookup_credit >= 1 && lg->lookups_sent < lg->lookups_wanted) {
		lg->lookup_credit -= 1;
		lookup_start(lg, now);
	}
	for (unsigned int i = 0; i < lg->lookups_sent; i++) {
		struct lookup *l = &lg->lookups[i];

		if (lg->clients[l->asker].lookup == (int)i &&
		    now - l->t0 > 5.0) {
			lg->lookups_lost++;
			lookup_finish(lg, l);
		}
	}
}

/* A UDP packet from client i to lg->dest, port 9 (discard). */
static int send_packet(struct loadgen *lg, unsigned int i)
{
	struct client *c = &lg->clients[i];
	uint8_t pkt[DATAGRAM_MAX];
	size_t len = 28 + lg->payload;
	struct in_addr src = client_vaddr(i);

	memset(pkt, 0, len);
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	c->ip_id++;
	pkt[4] = (uint8_t)(c->ip_id >> 8);
	pkt[5] = (uint8_t)c->ip_id;
	pkt[8] = 64;
	pkt[9] = 17;
	memcpy(pkt + 12, &src, 4);
	memcpy(pkt + 16, &lg->dest, 4);
	{
		uint16_t sum = csum_inet(pkt, 20);

		memcpy(pkt + 10, &sum, 2);
	}
	pkt[20] = 0x30;			/* source port 12345 */
	pkt[21] = 0x39;
	pkt[23] = 9;			/* discard */
	pkt[24] = (uint8_t)((len - 20) >> 8);
	pkt[25] = (uint8_t)(len - 20);
	/* UDP checksum 0: none, allowed over IPv4. */
	return client_write(c, pkt, len);
}

/* Packets from the first lg->active clients, in turn, at lg->pps. */
static void traffic_tick(struct loadgen *lg, double now, double dt)
{
	if (!lg->active || !lg->all_reported)
		return;
	if (!lg->traffic_start)
		lg->traffic_start = now;
	lg->traffic_credit += dt * lg->pps;
	/* Behind after a stall: catch up by at most 0.2 s worth. */
	if (lg->traffic_credit > lg->pps * 0.2)
		lg->traffic_credit = lg->pps * 0.2;
	while (lg->traffic_credit >= 1) {
		unsigned int i = lg->next_sender++ % lg->active;

		lg->traffic_credit -= 1;
		if (lg->clients[i].state != CLIENT_ESTABLISHED ||
		    send_packet(lg, i))
			lg->packets_failed++;
		else
			lg->packets_sent++;
	}
}

/*
 * New handshakes as soon as there is room, not only on the tick: the
 * daemon answers within milliseconds, and at 8 in flight a tick's wait
 * would set the pace. A cursor walks the clients round, so this costs
 * little per call while they come up in order.
 */
static void start_idle(struct loadgen *lg, double now)
{
	for (unsigned int k = 0; k < lg->count &&
	     lg->in_handshake < lg->parallel &&
	     lg->established + lg->in_handshake < lg->count; k++) {
		unsigned int i = lg->cursor++ % lg->count;
		struct client *c = &lg->clients[i];

		if (c->state != CLIENT_IDLE || now < c->retry_at)
			continue;
		/* Held back at `early` for the first round of lookups. */
		if (lg->early && lg->round == 0 &&
		    lg->established + lg->in_handshake >= lg->early) {
			if (!lg->held_since)
				lg->held_since = now;
			return;
		}
		if (lg->pool < i + 1)
			lg->pool = i + 1;
		if (client_start(lg, c, now))
			c->retry_at = now + RETRY_DELAY;
	}
}

/* Timers: retransmissions, keepalives, dead sessions, new handshakes. */
static void tick(struct loadgen *lg, double now, double dt)
{
	static const uint8_t keepalive = 0;

	for (unsigned int i = 0; i < lg->count; i++) {
		struct client *c = &lg->clients[i];

		switch (c->state) {
		case CLIENT_IDLE:
			/* start_idle() */
			break;
		case CLIENT_HANDSHAKE:
			if (now < c->deadline)
				break;
			if (wolfSSL_dtls_got_timeout(c->ssl) < 0) {
				client_reset(lg, c, now, true);
				break;
			}
			c->deadline = now +
				      wolfSSL_dtls_get_current_timeout(c->ssl);
			break;
		case CLIENT_ESTABLISHED:
			if (now - c->last_rx > DEAD_AFTER) {
				lg->restarts++;
				client_reset(lg, c, now, false);
				break;
			}
			if (lg->rendezvous && !c->registered &&
			    !c->register_sent) {
				struct rv_msg m = { .type = RV_REGISTER,
						    .nat_type = NAT_NONE };

				/* Once a session: a lost one is sent
				 * again with the next session. */
				if (!client_send_control(c, &m))
					c->register_sent = true;
			}
			if (now < c->next_keepalive)
				break;
			/* A DTLS record with the plaintext 0x00: proves the
			 * session alive without reaching the TUN device. */
			if (client_write(c, &keepalive, 1)) {
				lg->restarts++;
				client_reset(lg, c, now, false);
				break;
			}
			c->next_keepalive = now + lg->keepalive;
			break;
		}
	}
	start_idle(lg, now);
	lookups_tick(lg, now, dt);
	traffic_tick(lg, now, dt);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void report(struct loadgen *lg, double now)
{
	printf("established %u of %u, %u in handshake, %lu failed attempts, "
	       "%lu restarts, %lu session requests\n", lg->established,
	       lg->count, lg->in_handshake, lg->failures, lg->restarts,
	       lg->session_requests);
	if (!lg->all_reported && lg->established == lg->count) {
		double *ms = lg->hs_ms;
		unsigned int n = lg->hs_done;

		lg->all_reported = true;
		qsort(ms, n, sizeof(*ms), cmp_double);
		/* scripts/bench.sh parses this line. */
		printf("all %u sessions established in %.1f s; handshake ms: "
		       "median %.0f, p99 %.0f, max %.0f\n",
		       lg->count, now - lg->start, n ? ms[n / 2] : 0.,
		       n ? ms[n * 99 / 100] : 0., n ? ms[n - 1] : 0.);
	}
	if (lg->rendezvous && !lg->all_registered_reported &&
	    lg->registered == lg->count) {
		lg->all_registered_reported = true;
		/* scripts/bench-scale.sh parses these lines. */
		printf("all %u registered after %.1f s\n", lg->count,
		       now - lg->start);
	}
	if (lg->lookups_wanted && !lg->lookups_reported &&
	    lg->lookups_sent == lg->lookups_wanted &&
	    lg->lookups_done + lg->lookups_not_found + lg->lookups_lost ==
	    lg->lookups_wanted) {
		unsigned int n = lg->lookups_done;

		qsort(lg->lookup_ms, n, sizeof(double), cmp_double);
		qsort(lg->intro_ms, n, sizeof(double), cmp_double);
		printf("lookups at %u registered: %u answered, %u not found, "
		       "%u lost; lookup ms: median %.2f, p99 %.2f; "
		       "introduction ms: median %.2f, p99 %.2f\n",
		       lg->registered, n,
		       lg->lookups_not_found, lg->lookups_lost,
		       n ? lg->lookup_ms[n / 2] : 0.,
		       n ? lg->lookup_ms[n * 99 / 100] : 0.,
		       n ? lg->intro_ms[n / 2] : 0.,
		       n ? lg->intro_ms[n * 99 / 100] : 0.);
		if (lg->round == 0 && lg->early) {
			/* On to all of them, then round 1. */
			lg->round = 1;
			lg->lookups_sent = lg->lookups_done = 0;
			lg->lookups_not_found = lg->lookups_lost = 0;
			lg->lookup_credit = 0;
		} else {
			lg->lookups_reported = true;
		}
	}
	if (lg->active && lg->traffic_start)
		printf("traffic: %lu packets sent in %.1f s, %lu not sent\n",
		       lg->packets_sent, now - lg->traffic_start,
		       lg->packets_failed);
	fflush(stdout);
}

static int open_sockets(struct loadgen *lg, int epfd)
{
	struct rlimit rl;

	/* One socket per client, plus a few for stdio and epoll. */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < lg->count + 64) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) ||
		    rl.rlim_cur < lg->count + 64) {
			fprintf(stderr,
				"loadgen: cannot open %u sockets (RLIMIT_NOFILE)\n",
				lg->count);
			return -1;
		}
	}
	for (unsigned int i = 0; i < lg->count; i++) {
		struct client *c = &lg->clients[i];
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

		c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			       0);
		/* Connected: the kernel filters out anything not from the
		 * daemon, and each client has its own source port. */
		if (c->fd < 0 ||
		    connect(c->fd, (struct sockaddr *)&lg->target,
			    sizeof(lg->target)) < 0 ||
		    epoll_ctl(epfd, EPOLL_CTL_ADD, c->fd, &ev) < 0) {
			perror("loadgen: socket");
			return -1;
		}
	}
	return 0;
}

static WOLFSSL_CTX *context_create(const char *ca_dir)
{
	char ca_crt[PATH_MAX];
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfDTLSv1_2_client_method());

	if (!ctx)
		return NULL;
	snprintf(ca_crt, sizeof(ca_crt), "%s/ca.crt", ca_dir);
	if (wolfSSL_CTX_load_verify_locations(ctx, ca_crt, NULL) !=
	    WOLFSSL_SUCCESS) {
		fprintf(stderr, "loadgen: %s: cannot load the CA certificate\n",
			ca_crt);
		goto fail;
	}
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER |
			       WOLFSSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
	if (wolfSSL_CTX_set_cipher_list(ctx, LOADGEN_CIPHERS) !=
	    WOLFSSL_SUCCESS ||
	    wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_X25519) !=
	    WOLFSSL_SUCCESS) {
		fprintf(stderr, "loadgen: cannot configure the DTLS context\n");
		goto fail;
	}
	wolfSSL_CTX_SetIORecv(ctx, io_recv);
	wolfSSL_CTX_SetIOSend(ctx, io_send);
	return ctx;
fail:
	wolfSSL_CTX_free(ctx);
	return NULL;
}

static int parse_target(const char *s, struct sockaddr_in *sin)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (*end || !port || port > 65535)
		return -1;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)port);
	return inet_pton(AF_INET, host, &sin->sin_addr) == 1 ? 0 : -1;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f, "Usage: %s [-t SEC] [-k SEC] [-p PARALLEL] [-C CERT -K KEY] [-r] "
		"[-n LOOKUPS -L RATE] [-a ACTIVE -R PPS -d DEST_IP [-s BYTES]] CA_DIR "
		"TARGET_IP:PORT COUNT\n\n"
		"  CA_DIR       holds ca.crt and ca.key of the daemon's network\n"
		"  -t SEC       stop after SEC seconds (default: at SIGINT or\n"
		"               SIGTERM)\n"
		"  -C, -K       present this certificate and key instead of\n"
		"               issuing new ones (COUNT must be 1; for tests)\n"
		"  -k SEC       keepalive interval (default %d)\n"
		"  -p PARALLEL  handshakes in flight at once (default %d)\n"
		"  -r           register with TARGET as a rendezvous\n"
		"  -n LOOKUPS   once all are registered, that many lookups, one\n"
		"               client asking for another, at -L RATE a second\n"
		"  -a ACTIVE    the first ACTIVE clients send -R PPS packets a\n"
		"               second in all, IPv4/UDP to -d DEST_IP port 9,\n"
		"               -s BYTES of payload (default 0)\n",
		prog, DEFAULT_KEEPALIVE, DEFAULT_PARALLEL);
}

static void run(struct loadgen *lg, int epfd)
{
	static uint8_t buf[DATAGRAM_MAX];
	struct epoll_event events[64];
	double next_tick = 0, next_report, last_tick;

	lg->start = now_s();
	last_tick = lg->start;
	next_report = lg->start + 1;
	while (!stop) {
		int n = epoll_wait(epfd, events, 64, TICK_MS);
		double now = now_s();

		if (lg->duration > 0 && now - lg->start >= lg->duration)
			break;

		for (int i = 0; i < n; i++) {
			struct client *c = events[i].data.ptr;

			/* Drain: one wake-up may stand for several datagrams. */
			for (int k = 0; k < 8; k++) {
				ssize_t len = recv(c->fd, buf, sizeof(buf), 0);

				if (len <= 0)
					break;
				client_receive(lg, c, buf, (size_t)len, now);
			}
		}
		if (n > 0)
			start_idle(lg, now);
		if (now >= next_tick) {
			tick(lg, now, now - last_tick);
			last_tick = now;
			next_tick = now + TICK_MS / 1e3;
		}
		if (now >= next_report) {
			/* Every second while coming up, then every 10 s. */
			report(lg, now);
			next_report = now + (lg->all_reported ? 10 : 1);
		}
	}
}

int main(int argc, char **argv)
{
	struct loadgen lg = {
		.cert_dir = "/tmp/podnet-loadgen.XXXXXX",
		.parallel = DEFAULT_PARALLEL,
		.keepalive = DEFAULT_KEEPALIVE,
	};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *cert_path = NULL, *key_path = NULL;
	int opt, epfd, ret = 1;
	char *end;
	long count;

	while ((opt = getopt(argc, argv, "ht:k:p:C:K:rL:n:a:R:d:s:")) != -1) {
		switch (opt) {
		case 't':
			lg.duration = strtod(optarg, &end);
			if (*end || !(lg.duration > 0)) {
				fprintf(stderr, "loadgen: -t needs a number of seconds above 0\n");
				usage(stderr, argv[0]);
				return 1;
			}
			break;
		case 'r':
			lg.rendezvous = true;
			break;
		case 'L':
			lg.lookup_rate = atof(optarg);
			break;
		case 'n':
			lg.lookups_wanted = (unsigned int)atoi(optarg);
			break;
		case 'a':
			lg.active = (unsigned int)atoi(optarg);
			break;
		case 'R':
			lg.pps = atof(optarg);
			break;
		case 'd':
			if (inet_pton(AF_INET, optarg, &lg.dest) != 1) {
				fprintf(stderr, "loadgen: -d needs an IPv4 address\n");
				return 1;
			}
			break;
		case 's':
			lg.payload = (unsigned int)atoi(optarg);
			break;
		case 'C':
			cert_path = optarg;
			break;
		case 'K':
			key_path = optarg;
			break;
		case 'k':
			lg.keepalive = (unsigned int)atoi(optarg);
			break;
		case 'p':
			lg.parallel = (unsigned int)atoi(optarg);
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 1;
		}
	}
	if (argc - optind != 3 || !lg.keepalive || !lg.parallel) {
		usage(stderr, argv[0]);
		return 1;
	}
	count = strtol(argv[optind + 2], NULL, 10);
	if (count < 1 || count > 254 * 256) {
		fprintf(stderr, "loadgen: COUNT must be 1..%d\n", 254 * 256);
		return 1;
	}
	if (parse_target(argv[optind + 1], &lg.target)) {
		fprintf(stderr, "loadgen: TARGET must be IPv4:port\n");
		return 1;
	}
	lg.count = (unsigned int)count;
	/* A first round of lookups at 100 registrations when there will be
	 * ten times as many. */
	if (lg.lookups_wanted && lg.count >= 1000)
		lg.early = 100;
	if (lg.lookups_wanted && (!lg.rendezvous || lg.lookup_rate <= 0 ||
				  lg.count < 2)) {
		fprintf(stderr, "loadgen: -n needs -r, -L RATE and COUNT >= 2\n");
		return 1;
	}
	if (lg.active && (lg.active > lg.count || lg.pps <= 0 ||
			  !lg.dest.s_addr || lg.payload > 1300)) {
		fprintf(stderr, "loadgen: -a needs ACTIVE <= COUNT, -R PPS, -d DEST and -s <= 1300\n");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	wolfSSL_Init();
	lg.clients = calloc(lg.count, sizeof(*lg.clients));
	lg.hs_ms = calloc(lg.count, sizeof(*lg.hs_ms));
	lg.lookups = calloc(lg.lookups_wanted + 1, sizeof(*lg.lookups));
	lg.lookup_ms = calloc(lg.lookups_wanted + 1, sizeof(double));
	lg.intro_ms = calloc(lg.lookups_wanted + 1, sizeof(double));
	srand((unsigned int)getpid());
	if (!lg.clients || !lg.hs_ms || !lg.lookups || !lg.lookup_ms ||
	    !lg.intro_ms) {
		fprintf(stderr, "loadgen: out of memory\n");
		goto out_free;
	}
	for (unsigned int i = 0; i < lg.count; i++) {
		lg.clients[i].fd = -1;
		lg.clients[i].lookup = -1;
	}
	if (cert_path || key_path) {
		if (!cert_path || !key_path || lg.count != 1 ||
		    read_file(cert_path, &lg.clients[0].cert_pem,
			      &lg.clients[0].cert_len) ||
		    read_file(key_path, &lg.clients[0].key_pem,
			      &lg.clients[0].key_len)) {
			fprintf(stderr, "loadgen: -C and -K need each other, readable files and COUNT 1\n");
			goto out_free;
		}
	} else {
		snprintf(lg.ca_dir, sizeof(lg.ca_dir), "%s", argv[optind]);
		if (!mkdtemp(lg.cert_dir)) {
			perror("loadgen: mkdtemp");
			goto out_free;
		}
	}
	lg.ctx = context_create(argv[optind]);
	if (!lg.ctx)
		goto out_free;
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0) {
		perror("loadgen: epoll_create1");
		goto out_ctx;
	}
	if (open_sockets(&lg, epfd))
		goto out_close;
	printf("%u clients, connecting to %s\n", lg.count, argv[optind + 1]);
	fflush(stdout);
	run(&lg, epfd);
	report(&lg, now_s());
	ret = 0;
out_close:
	close(epfd);
out_ctx:
	for (unsigned int i = 0; i < lg.count; i++) {
		wolfSSL_free(lg.clients[i].ssl);
		if (lg.clients[i].has_keys)
			record_keys_wipe(&lg.clients[i].keys);
	}
	wolfSSL_CTX_free(lg.ctx);
out_free:
	if (lg.clients) {
		for (unsigned int i = 0; i < lg.count; i++) {
			if (lg.clients[i].fd >= 0)
				close(lg.clients[i].fd);
			free(lg.clients[i].cert_pem);
			free(lg.clients[i].key_pem);
		}
	}
	free(lg.clients);
	free(lg.hs_ms);
	if (lg.ca_dir[0])
		rmdir(lg.cert_dir);
	free(lg.lookups);
	free(lg.lookup_ms);
	free(lg.intro_ms);
	wolfSSL_Cleanup();
	return ret;
}
