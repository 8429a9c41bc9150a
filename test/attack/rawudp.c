// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Raw IPv4/UDP send and an AF_PACKET sniffer for the attack tools.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "checksum.h"
#include "rawudp.h"

int rawudp_open(void)
{
	return socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
}

int rawudp_send(int fd, const struct sockaddr_in *src,
		const struct sockaddr_in *dst, const void *payload, size_t len)
{
	static uint8_t pkt[20 + 8 + RAWUDP_PAYLOAD_MAX];
	struct iphdr *ip = (struct iphdr *)pkt;
	struct udphdr *udp = (struct udphdr *)(pkt + 20);
	size_t udp_len = 8 + len;
	uint32_t sum;

	if (len > RAWUDP_PAYLOAD_MAX) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(pkt, 0, 28);
	ip->version = 4;
	ip->ihl = 5;
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->tot_len = htons((uint16_t)(20 + udp_len));
	ip->saddr = src->sin_addr.s_addr;
	ip->daddr = dst->sin_addr.s_addr;
	ip->check = csum_inet(ip, 20);
	udp->source = src->sin_port;
	udp->dest = dst->sin_port;
	udp->len = htons((uint16_t)udp_len);
	memcpy(pkt + 28, payload, len);
	sum = csum_pseudo_ipv4(pkt + 12, IPPROTO_UDP, (uint16_t)udp_len);
	sum = csum_add(sum, pkt + 20, udp_len);
	udp->check = htons(csum_fold(sum));
	if (udp->check == 0)
		udp->check = 0xffff;
	if (sendto(fd, pkt, 20 + udp_len, 0, (const struct sockaddr *)dst,
		   sizeof(*dst)) < 0)
		return -1;
	return 0;
}

int rawudp_parse_endpoint(const char *text, struct sockaddr_in *out)
{
	char host[INET_ADDRSTRLEN];
	const char *colon = strrchr(text, ':');
	char *end;
	unsigned long port;

	if (!colon || (size_t)(colon - text) >= sizeof(host))
		return -1;
	memcpy(host, text, (size_t)(colon - text));
	host[colon - text] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port > 65535)
		return -1;
	memset(out, 0, sizeof(*out));
	out->sin_family = AF_INET;
	out->sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, host, &out->sin_addr) != 1)
		return -1;
	return 0;
}

const char *rawudp_format_endpoint(const struct sockaddr_in *addr,
				   char *buf, size_t len)
{
	char host[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr->sin_addr, host, sizeof(host));
	snprintf(buf, len, "%s:%u", host, ntohs(addr->sin_port));
	return buf;
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

long rawudp_parse_hex(const char *text, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int high = -1;

	for (; *text; text++) {
		int v;

		if (isspace((unsigned char)*text))
			continue;
		v = hex_value((unsigned char)*text);
		if (v < 0)
			return -1;
		if (high < 0) {
			high = v;
			continue;
		}
		if (n == cap)
			return -1;
		out[n++] = (uint8_t)(high << 4 | v);
		high = -1;
	}
	return high < 0 ? (long)n : -1;
}

int rawudp_sniff_open(struct rawudp_sniffer *s, const char *ifname,
		      bool as_tap)
{
	uint16_t protocol = htons(as_tap ? ETH_P_ALL : ETH_P_IP);
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = protocol,
	};

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		return -1;
	/* Cooked packets: the same for veth, TUN and anything else. */
	s->fd = socket(AF_PACKET, SOCK_DGRAM, protocol);
	if (s->fd < 0)
		return -1;
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

static long elapsed_ms(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) * 1000 +
	       (now.tv_nsec - start->tv_nsec) / 1000000;
}

int rawudp_sniff_next(struct rawudp_sniffer *s, int timeout_ms,
		      struct rawudp_datagram *out)
{
	struct timespec start;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		long left = timeout_ms - elapsed_ms(&start);
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		const struct iphdr *ip = (const struct iphdr *)s->buf;
		const struct udphdr *udp;
		size_t ihl, udp_len;
		ssize_t n;
		int r;

		if (left <= 0)
			return 0;
		r = poll(&pfd, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r;
		n = recv(s->fd, s->buf, sizeof(s->buf), 0);
		if (n < 0)
			return errno == EINTR ? 0 : -1;
		if ((size_t)n < sizeof(*ip) || ip->version != 4 ||
		    ip->protocol != IPPROTO_UDP)
			continue;
		ihl = (size_t)ip->ihl * 4;
		/* A fragment other than the first has no UDP header. */
		if (ntohs(ip->frag_off) & 0x3fff)
			continue;
		if (ihl < 20 || (size_t)n < ihl + sizeof(*udp))
			continue;
		udp = (const struct udphdr *)(s->buf + ihl);
		udp_len = ntohs(udp->len);
		if (udp_len < 8 || ihl + udp_len > (size_t)n)
			continue;
		memset(out, 0, sizeof(*out));
		out->src.sin_family = AF_INET;
		out->src.sin_addr.s_addr = ip->saddr;
		out->src.sin_port = udp->source;
		out->dst.sin_family = AF_INET;
		out->dst.sin_addr.s_addr = ip->daddr;
		out->dst.sin_port = udp->dest;
		out->payload = s->buf + ihl + 8;
		out->len = udp_len - 8;
		return 1;
	}
}

void rawudp_sniff_close(struct rawudp_sniffer *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
}
