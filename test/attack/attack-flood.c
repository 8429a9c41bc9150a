// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * attack-flood: DTLS ClientHellos at a node from a whole range of source
 * addresses, in podnet's wire format. The attacker host receives at every
 * address of the range (an AnyIP route: `ip route add local RANGE dev
 * lo`), so it gets the HelloVerifyRequests and answers each with a
 * cookie'd ClientHello: about half the hellos are cookie-less, half carry
 * a valid cookie and would each cost the node a handshake. It never goes
 * on from there (a silent client). A test tool, not part of podnet
 * (test/netns/attack-flood.sh).
 *
 *   attack-flood flood TARGET_IP:PORT NET/PREFIX COUNT SECONDS
 *	COUNT hellos within SECONDS, sources cycling through NET/PREFIX.
 *	Prints "sent=N plain=N cookied=N hvr=N server_flights=N".
 *   attack-flood bind TARGET_IP:PORT ADDR_A ADDR_B
 *	Issue 12 F8: start a handshake from ADDR_A (cookie and all), then
 *	forge a fatal alert for its index from ADDR_B. Prints "alive" (the
 *	node's handshake with A retransmits its flight afterwards, exit 0)
 *	or "killed" (exit 1).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#define LOCAL_PORT 40000
#define COOKIE_MAX 255
#define COOKIE_QUEUE 4096

struct pending_cookie {
	struct in_addr src;
	uint8_t len;
	uint8_t cookie[COOKIE_MAX];
};

static int sock;
static struct sockaddr_in target;
static struct pending_cookie queue[COOKIE_QUEUE];
static size_t q_head, q_tail;
static unsigned long n_plain, n_cookied, n_hvr, n_flights;

static void usage(void)
{
	fprintf(stderr, "usage: attack-flood flood TARGET_IP:PORT NET/PREFIX COUNT SECONDS\n"
		"       attack-flood bind TARGET_IP:PORT ADDR_A ADDR_B\n");
	exit(2);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void parse_target(const char *text)
{
	char host[64];
	const char *colon = strrchr(text, ':');

	if (!colon || (size_t)(colon - text) >= sizeof(host))
		usage();
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = 0;
	target.sin_family = AF_INET;
	target.sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &target.sin_addr) != 1)
		usage();
}

/* Per source: its client random and session index, the same in both of
 * its hellos (the cookie covers the random). */
static uint32_t mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352d;
	x ^= x >> 15;
	x *= 0x846ca68b;
	x ^= x >> 16;
	return x;
}

static void put16(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put24(uint8_t *p, unsigned int v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

/* A DTLS 1.2 ClientHello record offering podnet's suites, after the
 * podnet header. Returns the datagram's length. */
static size_t build_hello(uint8_t *out, struct in_addr src,
			  const uint8_t *cookie, size_t cookie_len)
{
	static const uint8_t suites[] = {
		0xcc, 0xa9, 0xc0, 0x2b, 0xc0, 0x2c,
	};
	static const uint8_t extensions[] = {
		0x00, 0x0a, 0x00, 0x06, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x17,
		0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,
		/* Ed25519 first: podnet's certificates (cert_issue.c) */
		0x00, 0x0d, 0x00, 0x0a, 0x00, 0x08, 0x08, 0x07, 0x04, 0x03,
		0x05, 0x03, 0x06, 0x03,
	};
	uint32_t seed = mix(src.s_addr);
	uint8_t *p, *rec, *body;
	size_t hlen, body_len;

	hlen = wire_put_header(out, WIRE_TYPE_HANDSHAKE, 0, seed | 1);
	rec = out + hlen;
	body = rec + 13 + 12;
	p = body;
	*p++ = 0xfe;
	*p++ = 0xfd;
	for (int i = 0; i < 8; i++) {
		uint32_t r = mix(seed + (uint32_t)i);

		memcpy(p, &r, 4);
		p += 4;
	}
	*p++ = 0;			/* session id */
	*p++ = (uint8_t)cookie_len;
	if (cookie_len)
		memcpy(p, cookie, cookie_len);
	p += cookie_len;
	put16(p, sizeof(suites));
	memcpy(p + 2, suites, sizeof(suites));
	p += 2 + sizeof(suites);
	*p++ = 1;			/* compression: null */
	*p++ = 0;
	put16(p, sizeof(extensions));
	memcpy(p + 2, extensions, sizeof(extensions));
	p += 2 + sizeof(extensions);
	body_len = (size_t)(p - body);

	/* The record header: handshake, DTLS 1.2, epoch 0. */
	rec[0] = 22;
	rec[1] = 0xfe;
	rec[2] = 0xfd;
	memset(rec + 3, 0, 8);
	rec[10] = cookie_len ? 1 : 0;	/* sequence number */
	put16(rec + 11, (unsigned int)(12 + body_len));
	/* The handshake header: client_hello, unfragmented. */
	rec[13] = 1;
	put24(rec + 14, (unsigned int)body_len);
	put16(rec + 17, cookie_len ? 1 : 0);	/* message_seq */
	put24(rec + 19, 0);
	put24(rec + 22, (unsigned int)body_len);
	return hlen + 13 + 12 + body_len;
}

static int send_from(struct in_addr src, const uint8_t *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))] = { 0 };
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {
		.msg_name = &target, .msg_namelen = sizeof(target),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	struct in_pktinfo *pi;

	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in_pktinfo *)CMSG_DATA(c);
	pi->ipi_spec_dst = src;
	return sendmsg(sock, &msg, 0) < 0 ? -1 : 0;
}

static int send_hello(struct in_addr src, const uint8_t *cookie,
		      size_t cookie_len)
{
	uint8_t buf[512];
	size_t len = build_hello(buf, src, cookie, cookie_len);

	if (send_from(src, buf, len))
		return -1;
	if (cookie_len)
		n_cookied++;
	else
		n_plain++;
	return 0;
}

/* One datagram from the node, to one of our addresses. What it was:
 * 3 a HelloVerifyRequest (its cookie queued), 2 a server's flight, 0
 * anything else. *index gets the node's session index. */
static int receive_one(struct in_addr *to, uint32_t *index)
{
	uint8_t buf[2048];
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct wire_header hdr;
	const uint8_t *rec;
	ssize_t n = recvmsg(sock, &msg, MSG_DONTWAIT);

	if (n < 0)
		return -1;
	to->s_addr = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c;
	     c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			*to = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_addr;
	}
	if (wire_parse(buf, (size_t)n, &hdr) != WIRE_OK ||
	    hdr.type != WIRE_TYPE_HANDSHAKE || hdr.payload_len < 13 + 12)
		return 0;
	rec = hdr.payload;
	*index = hdr.sender_index;
	if (rec[0] == 22 && rec[13] == 3 && hdr.payload_len >= 13 + 12 + 3) {
		size_t clen = rec[13 + 12 + 2];

		n_hvr++;
		if (clen > COOKIE_MAX || 13 + 12 + 3 + clen > hdr.payload_len)
			return 0;
		if (q_tail - q_head < COOKIE_QUEUE) {
			struct pending_cookie *pc = &queue[q_tail++ % COOKIE_QUEUE];

			pc->src = *to;
			pc->len = (uint8_t)clen;
			memcpy(pc->cookie, rec + 13 + 12 + 3, clen);
		}
		return 3;
	}
	if (rec[0] == 22 && rec[13] == 2) {
		n_flights++;
		return 2;
	}
	return 0;
}

static void open_socket(void)
{
	struct sockaddr_in local = { .sin_family = AF_INET,
				     .sin_port = htons(LOCAL_PORT) };
	int one = 1, size = 4 << 20;

	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0 ||
	    setsockopt(sock, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one)) ||
	    setsockopt(sock, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) ||
	    bind(sock, (struct sockaddr *)&local, sizeof(local))) {
		perror("attack-flood: socket");
		exit(2);
	}
	setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
}

static int flood(int argc, char **argv)
{
	struct in_addr net, src;
	uint32_t base, hosts, next = 0;
	unsigned long count;
	double seconds, start, rate;
	char *slash;
	int prefix;

	if (argc != 4)
		usage();
	parse_target(argv[0]);
	slash = strchr(argv[1], '/');
	if (!slash)
		usage();
	*slash = 0;
	prefix = atoi(slash + 1);
	if (inet_pton(AF_INET, argv[1], &net) != 1 || prefix < 8 || prefix > 30)
		usage();
	count = strtoul(argv[2], NULL, 10);
	seconds = atof(argv[3]);
	if (!count || seconds <= 0)
		usage();
	base = ntohl(net.s_addr) & ~((1u << (32 - prefix)) - 1);
	hosts = (1u << (32 - prefix)) - 2;
	rate = count / seconds;
	open_socket();
	start = now_s();
	while (n_plain + n_cookied < count && now_s() - start < seconds + 5) {
		unsigned long due = (unsigned long)((now_s() - start) * rate);
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		struct in_addr to;
		uint32_t idx;

		if (due > count)
			due = count;
		/* Cookie'd hellos first: a cookie is only good for a while. */
		while (n_plain + n_cookied < due) {
			if (q_head != q_tail) {
				struct pending_cookie *pc = &queue[q_head++ % COOKIE_QUEUE];

				send_hello(pc->src, pc->cookie, pc->len);
				continue;
			}
			src.s_addr = htonl(base + 1 + next);
			next = (next + 1) % hosts;
			/* A full socket buffer: try again on the next round. */
			if (send_hello(src, NULL, 0))
				break;
		}
		poll(&pfd, 1, 1);
		for (int i = 0; i < 256 && receive_one(&to, &idx) >= 0; i++)
			;
	}
	printf("sent=%lu plain=%lu cookied=%lu hvr=%lu server_flights=%lu seconds=%.1f\n",
	       n_plain + n_cookied, n_plain, n_cookied, n_hvr, n_flights,
	       now_s() - start);
	return 0;
}

/* Wait up to `seconds` for a datagram of kind `want` to `to`. */
static int wait_for(struct in_addr to, int want, double seconds,
		    uint32_t *index)
{
	double end = now_s() + seconds;

	while (now_s() < end) {
		struct pollfd pfd = { .fd = sock, .events = POLLIN };
		struct in_addr got;
		int kind;

		poll(&pfd, 1, 20);
		while ((kind = receive_one(&got, index)) >= 0) {
			if (got.s_addr == to.s_addr && kind == want)
				return 0;
		}
	}
	return -1;
}

static int bind_check(int argc, char **argv)
{
	struct in_addr a, b;
	uint32_t idx = 0, idx2;
	uint8_t alert[WIRE_HANDSHAKE_HEADER_LEN + 15];
	size_t hlen;

	if (argc != 3)
		usage();
	parse_target(argv[0]);
	if (inet_pton(AF_INET, argv[1], &a) != 1 ||
	    inet_pton(AF_INET, argv[2], &b) != 1)
		usage();
	open_socket();
	send_hello(a, NULL, 0);
	if (wait_for(a, 3, 3.0, &idx)) {
		printf("no HelloVerifyRequest\n");
		return 2;
	}
	{
		struct pending_cookie *pc = &queue[q_head++ % COOKIE_QUEUE];

		send_hello(a, pc->cookie, pc->len);
	}
	if (wait_for(a, 2, 3.0, &idx) || !idx) {
		printf("no server flight\n");
		return 2;
	}
	/* A fatal alert (handshake_failure) for that index, from B. */
	hlen = wire_put_header(alert, WIRE_TYPE_HANDSHAKE, idx, 0x41414141);
	memcpy(alert + hlen, (const uint8_t[]){ 21, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0,
						0, 5, 0, 2, 2, 40 }, 15);
	for (int i = 0; i < 3; i++)
		send_from(b, alert, hlen + 15);
	printf("forged 3 alerts for index %08x from %s\n", idx, argv[2]);
	/* The node retransmits its flight after ~1 s if the handshake
	 * still lives. */
	if (wait_for(a, 2, 3.5, &idx2) == 0) {
		printf("alive\n");
		return 0;
	}
	printf("killed\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "flood"))
		return flood(argc - 2, argv + 2);
	if (!strcmp(argv[1], "bind"))
		return bind_check(argc - 2, argv + 2);
	usage();
	return 2;
}
