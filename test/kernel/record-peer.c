// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * record-peer: a podnet node reduced to the userspace record layer
 * (userspace/lib/record.c), to prove that podnet.ko puts the same bytes
 * on the wire. With the same static keys as a kernel device:
 *
 *   record-peer ping  ...   seals ICMP echo requests with record.c, sends
 *			     them to the kernel's port and opens the
 *			     kernel's echo replies with record.c
 *   record-peer serve ...   opens echo requests the kernel sealed and
 *			     answers them, sealed by record.c
 *   record-peer junk ...    sends --count bad datagrams to --peer (random
 *			     bytes, short headers, bad versions and types,
 *			     broken records under the kernel's index, relay
 *			     wrappers of junk) and one valid keepalive twice,
 *			     then prints what the kernel should have counted
 *
 * Options: --cipher chacha|gcm --epoch N --local-index N --remote-index N
 *	    --tx-key HEX --tx-iv HEX --rx-key HEX --rx-iv HEX
 *	    --bind IP:PORT --peer IP:PORT (ping) --src IP --dst IP (inner)
 *	    [--count N] [--timeout SECONDS]
 * Exit status 0 when every exchange succeeded.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "record.h"

#define PAYLOAD_LEN 56

struct cfg {
	enum record_aead aead;
	unsigned int epoch;
	uint32_t local_index, remote_index;
	uint8_t tx_key[32], rx_key[32], tx_iv[12], rx_iv[12];
	int key_len;
	struct sockaddr_in bind, peer;
	struct in_addr src, dst;
	int count, timeout;
};

static void usage(void)
{
	fprintf(stderr, "usage: record-peer ping|serve|junk --cipher chacha|gcm --epoch N "
		"--local-index N --remote-index N --tx-key HEX --tx-iv HEX "
		"--rx-key HEX --rx-iv HEX --bind IP:PORT [--peer IP:PORT] "
		"--src IP --dst IP [--count N] [--timeout S]\n");
	exit(1);
}

static int hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = strlen(s);

	if (n % 2 || n / 2 > cap)
		usage();
	for (size_t i = 0; i < n / 2; i++) {
		unsigned int v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			usage();
		out[i] = (uint8_t)v;
	}
	return (int)(n / 2);
}

static void addr_port(const char *s, struct sockaddr_in *sin)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		usage();
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
		usage();
}

static uint16_t csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* An IPv4 ICMP echo (type 8) or echo reply (type 0). */
static size_t build_icmp(uint8_t *buf, struct in_addr src, struct in_addr dst,
			 uint8_t type, uint16_t id, uint16_t seq,
			 const uint8_t *payload, size_t plen)
{
	struct iphdr *ip = (struct iphdr *)buf;
	struct icmphdr *icmp = (struct icmphdr *)(buf + sizeof(*ip));
	size_t len = sizeof(*ip) + sizeof(*icmp) + plen;

	memset(buf, 0, sizeof(*ip) + sizeof(*icmp));
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)len);
	ip->id = htons(seq);
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	ip->saddr = src.s_addr;
	ip->daddr = dst.s_addr;
	ip->check = csum(ip, sizeof(*ip));
	icmp->type = type;
	icmp->un.echo.id = htons(id);
	icmp->un.echo.sequence = htons(seq);
	memcpy(buf + sizeof(*ip) + sizeof(*icmp), payload, plen);
	icmp->checksum = csum(icmp, sizeof(*icmp) + plen);
	return len;
}

static int seal_send(int fd, struct record_keys *k, uint32_t remote_index,
		     const uint8_t *pt, size_t len,
		     const struct sockaddr_in *to)
{
	uint8_t out[2048];
	int n;

	out[0] = 2;
	out[1] = 1;
	out[2] = out[3] = 0;
	out[4] = (uint8_t)(remote_index >> 24);
	out[5] = (uint8_t)(remote_index >> 16);
	out[6] = (uint8_t)(remote_index >> 8);
	out[7] = (uint8_t)remote_index;
	n = record_seal(k, pt, len, out + 8, sizeof(out) - 8);
	if (n < 0) {
		fprintf(stderr, "record-peer: seal: %d\n", n);
		return -1;
	}
	if (sendto(fd, out, (size_t)n + 8, 0, (const struct sockaddr *)to,
		   sizeof(*to)) < 0) {
		perror("record-peer: sendto");
		return -1;
	}
	return 0;
}

/* Wait for one data record for us; returns the plaintext length, 0 on
 * timeout, -1 on a record that does not open. */
static int recv_open(int fd, struct record_keys *k, uint32_t local_index,
		     int timeout_ms, uint8_t *pt, size_t cap,
		     struct sockaddr_in *from)
{
	uint8_t buf[2048];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	socklen_t fl = sizeof(*from);
	ssize_t n;
	int ret;

	for (;;) {
		if (poll(&p, 1, timeout_ms) <= 0)
			return 0;
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)from, &fl);
		if (n < 8 || buf[0] != 2 || buf[1] != 1)
			continue;
		if ((uint32_t)(buf[4] << 24 | buf[5] << 16 | buf[6] << 8 | buf[7]) !=
		    local_index) {
			fprintf(stderr, "record-peer: record for another index\n");
			continue;
		}
		ret = record_open(k, buf + 8, (size_t)n - 8, pt, cap);
		if (ret < 0) {
			fprintf(stderr, "record-peer: record_open: %d\n", ret);
			return -1;
		}
		if (ret == 1 && pt[0] == 0)
			continue;	/* keepalive */
		return ret;
	}
}

static int do_ping(int fd, struct record_keys *k, const struct cfg *c)
{
	uint8_t payload[PAYLOAD_LEN], pkt[256], pt[2048];
	uint16_t id = (uint16_t)getpid();
	struct sockaddr_in from;
	int ok = 0;

	for (int i = 0; i < PAYLOAD_LEN; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	for (int seq = 1; seq <= c->count; seq++) {
		size_t len = build_icmp(pkt, c->src, c->dst, ICMP_ECHO, id,
					(uint16_t)seq, payload, sizeof(payload));
		const struct iphdr *ip = (const struct iphdr *)pt;
		const struct icmphdr *icmp = (const struct icmphdr *)(pt + 20);
		int n;

		if (seal_send(fd, k, c->remote_index, pkt, len, &c->peer))
			return 1;
		n = recv_open(fd, k, c->local_index, c->timeout * 1000, pt,
			      sizeof(pt), &from);
		if (n <= 0) {
			fprintf(stderr, "record-peer: no reply to %d\n", seq);
			continue;
		}
		if (n != (int)len || ip->version != 4 || ip->protocol != IPPROTO_ICMP ||
		    ip->saddr != c->dst.s_addr || ip->daddr != c->src.s_addr ||
		    icmp->type != ICMP_ECHOREPLY || ntohs(icmp->un.echo.id) != id ||
		    ntohs(icmp->un.echo.sequence) != seq ||
		    memcmp(pt + 28, payload, sizeof(payload))) {
			fprintf(stderr, "record-peer: reply %d does not match\n", seq);
			continue;
		}
		printf("reply %d from %s\n", seq, inet_ntoa(c->dst));
		ok++;
	}
	printf("%d/%d replies\n", ok, c->count);
	return ok == c->count ? 0 : 1;
}

static int do_serve(int fd, struct record_keys *k, const struct cfg *c)
{
	uint8_t pt[2048], pkt[2048];
	struct sockaddr_in from;
	int answered = 0;
	time_t end = time(NULL) + c->timeout;

	printf("serving\n");
	fflush(stdout);
	while (answered < c->count && time(NULL) < end) {
		const struct iphdr *ip = (const struct iphdr *)pt;
		const struct icmphdr *icmp;
		size_t len;
		int n;

		n = recv_open(fd, k, c->local_index, 1000, pt, sizeof(pt), &from);
		if (n < 0)
			return 1;
		if (n < 28 || ip->version != 4 || ip->ihl != 5 ||
		    ip->protocol != IPPROTO_ICMP || ip->daddr != c->src.s_addr)
			continue;
		icmp = (const struct icmphdr *)(pt + 20);
		if (icmp->type != ICMP_ECHO)
			continue;
		len = build_icmp(pkt, c->src, (struct in_addr){ ip->saddr },
				 ICMP_ECHOREPLY, ntohs(icmp->un.echo.id),
				 ntohs(icmp->un.echo.sequence), pt + 28,
				 (size_t)n - 28);
		if (seal_send(fd, k, c->remote_index, pkt, len, &from))
			return 1;
		answered++;
		printf("answered %d\n", answered);
		fflush(stdout);
	}
	printf("%d/%d answered\n", answered, c->count);
	return answered == c->count ? 0 : 1;
}

static uint32_t junk_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* What podnet.ko does with a datagram, by the rules of doc/wire.md and
 * the uapi header: 0 passed up, 1 malformed, 2 invalid record. */
static int junk_expect(const uint8_t *d, size_t len, uint32_t index)
{
	if (len < PODNET_WIRE_HEADER_LEN || d[1] != PODNET_WIRE_VERSION ||
	    d[0] == 0 || d[0] > PODNET_WIRE_TYPE_MAX)
		return 1;
	if (d[0] == 2 && (uint32_t)(d[4] << 24 | d[5] << 16 | d[6] << 8 | d[7]) == index)
		return 2;
	return 0;
}

static int do_junk(int fd, struct record_keys *k, const struct cfg *c)
{
	static const uint8_t bad_versions[] = { 0, 2, 255 };
	static const uint8_t bad_types[] = {
		0, PODNET_WIRE_TYPE_MAX + 1, PODNET_WIRE_TYPE_MAX + 2, 255
	};
	unsigned long expect[3] = { 0 };
	uint32_t seed = 0x9e3779b9;
	uint8_t d[1600], ka = 0;

	for (int i = 0; i < c->count; i++) {
		size_t len;
		uint32_t r = junk_rand(&seed);

		switch (i % 6) {
		case 0:		/* random bytes, random length */
			len = r % 1500;
			for (size_t j = 0; j < len; j++)
				d[j] = (uint8_t)junk_rand(&seed);
			break;
		case 1:		/* a header cut short */
			len = r % 8;
			d[0] = 2;
			d[1] = 1;
			memset(d + 2, 0, 6);
			break;
		case 2:		/* a version we do not speak */
			len = 48;
			d[0] = 2;
			d[1] = bad_versions[r % sizeof(bad_versions)];
			d[2] = d[3] = 0;
			put32(d + 4, c->remote_index);
			break;
		case 3:		/* a type that does not exist */
			len = 40;
			d[0] = bad_types[r % sizeof(bad_types)];
			d[1] = 1;
			d[2] = d[3] = 0;
			put32(d + 4, c->remote_index);
			break;
		case 4:		/* our index, broken record */
			d[0] = 2;
			d[1] = 1;
			d[2] = d[3] = 0;
			put32(d + 4, c->remote_index);
			len = 8 + (r % 5 == 0 ? r % 29 : 13 + 16 + r % 100);
			for (size_t j = 8; j < len; j++)
				d[j] = (uint8_t)junk_rand(&seed);
			if (r % 5 != 0 && len >= 21) {
				/* a plausible header, so the tag is what fails */
				d[8] = 0x17;
				d[9] = 0xfe;
				d[10] = 0xfd;
				d[11] = (uint8_t)(c->epoch >> 8);
				d[12] = (uint8_t)c->epoch;
				/* a fresh sequence number (2^47 + i), so the
				 * replay window lets it through to the AEAD */
				d[13] = 0x80;
				d[14] = 0;
				put32(d + 15, (uint32_t)i);
				d[19] = (uint8_t)((len - 21) >> 8);
				d[20] = (uint8_t)(len - 21);
			}
			break;
		default:	/* relay of junk: not ours, passed up */
			len = 64;
			d[0] = 5;
			d[1] = 1;
			d[2] = d[3] = 0;
			put32(d + 4, r);
			for (size_t j = 8; j < len; j++)
				d[j] = (uint8_t)junk_rand(&seed);
			break;
		}
		expect[junk_expect(d, len, c->remote_index)]++;
		if (sendto(fd, d, len, 0, (const struct sockaddr *)&c->peer,
			   sizeof(c->peer)) < 0) {
			perror("record-peer: sendto");
			return 1;
		}
		if (i % 64 == 63)
			usleep(2000);	/* do not just overflow the socket */
	}
	/* One valid keepalive, sent twice: the second is a replay. */
	{
		uint8_t out[256];
		int n;

		out[0] = 2;
		out[1] = 1;
		out[2] = out[3] = 0;
		put32(out + 4, c->remote_index);
		/* above anything the kernel peer has seen from the real
		 * sender of these keys */
		k->tx_seq = 1ull << 46;
		n = record_seal(k, &ka, 1, out + 8, sizeof(out) - 8);
		if (n < 0)
			return 1;
		for (int i = 0; i < 2; i++) {
			usleep(100000);
			if (sendto(fd, out, (size_t)n + 8, 0,
				   (const struct sockaddr *)&c->peer,
				   sizeof(c->peer)) < 0)
				return 1;
		}
	}
	printf("expect malformed=%lu invalid=%lu replay=1 passed=%lu\n",
	       expect[1], expect[2], expect[0]);
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg c = { .count = 5, .timeout = 5, .epoch = 1 };
	struct record_keys k;
	int fd, ret, iv_len = 0;
	bool serve, junk;

	if (argc < 2)
		usage();
	serve = !strcmp(argv[1], "serve");
	junk = !strcmp(argv[1], "junk");
	if (!serve && !junk && strcmp(argv[1], "ping"))
		usage();
	for (int i = 2; i + 1 < argc; i += 2) {
		const char *o = argv[i], *v = argv[i + 1];

		if (!strcmp(o, "--cipher"))
			c.aead = !strcmp(v, "gcm") ? RECORD_AES_GCM :
				 RECORD_CHACHA20_POLY1305;
		else if (!strcmp(o, "--epoch"))
			c.epoch = (unsigned int)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--local-index"))
			c.local_index = (uint32_t)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--remote-index"))
			c.remote_index = (uint32_t)strtoul(v, NULL, 0);
		else if (!strcmp(o, "--tx-key"))
			c.key_len = hex(v, c.tx_key, sizeof(c.tx_key));
		else if (!strcmp(o, "--rx-key"))
			hex(v, c.rx_key, sizeof(c.rx_key));
		else if (!strcmp(o, "--tx-iv"))
			iv_len = hex(v, c.tx_iv, sizeof(c.tx_iv));
		else if (!strcmp(o, "--rx-iv"))
			hex(v, c.rx_iv, sizeof(c.rx_iv));
		else if (!strcmp(o, "--bind"))
			addr_port(v, &c.bind);
		else if (!strcmp(o, "--peer"))
			addr_port(v, &c.peer);
		else if (!strcmp(o, "--src"))
			inet_pton(AF_INET, v, &c.src);
		else if (!strcmp(o, "--dst"))
			inet_pton(AF_INET, v, &c.dst);
		else if (!strcmp(o, "--count"))
			c.count = atoi(v);
		else if (!strcmp(o, "--timeout"))
			c.timeout = atoi(v);
		else
			usage();
	}
	(void)iv_len;
	if (record_keys_init(&k, c.aead, (uint16_t)c.epoch, c.tx_key, c.tx_iv,
			     c.rx_key, c.rx_iv, (uint32_t)c.key_len)) {
		fprintf(stderr, "record-peer: bad keys\n");
		return 1;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&c.bind, sizeof(c.bind)) < 0) {
		perror("record-peer: socket");
		return 1;
	}
	if (junk)
		ret = do_junk(fd, &k, &c);
	else
		ret = serve ? do_serve(fd, &k, &c) : do_ping(fd, &k, &c);
	record_keys_wipe(&k);
	close(fd);
	return ret;
}
