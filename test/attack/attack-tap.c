// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * attack-tap: attack-sniff for a bridge port. A packet socket bound to
 * IPv4 never sees what a bridge port carries (the bridge takes the frame
 * before protocol handlers run), nor what an interface sends; one bound
 * to every protocol sees both, as a tap on the wire would. Same options
 * and output as attack-sniff ("FROM TO HEX" a line). A test tool, not
 * part of podnet.
 *
 *   attack-tap [-n COUNT] [-t MS] [-p PORT] [-T TYPE] [-m MIN_LEN] IFNAME
 */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rawudp.h"

/* rawudp_sniff_open(), for every protocol: the sniffer's reader skips
 * what is not IPv4/UDP (cooked packets start at the network header). */
static int tap_open(struct rawudp_sniffer *s, const char *ifname)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};

	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		return -1;
	s->fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	if (s->fd < 0)
		return -1;
	if (bind(s->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		close(s->fd);
		s->fd = -1;
		return -1;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: attack-tap [-n COUNT] [-t MS] [-p PORT] "
		"[-T TYPE] [-m MIN_LEN] IFNAME\n");
	exit(2);
}

static long number_arg(const char *text, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < 0 || v > max)
		usage();
	return v;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	static struct rawudp_sniffer sniffer;
	long count = 1, timeout = 10000, port = -1, type = -1, min_len = 0;
	long deadline, seen = 0;
	int opt;

	while ((opt = getopt(argc, argv, "n:t:p:T:m:")) != -1) {
		switch (opt) {
		case 'n': count = number_arg(optarg, 1000000); break;
		case 't': timeout = number_arg(optarg, 3600000); break;
		case 'p': port = number_arg(optarg, 65535); break;
		case 'T': type = number_arg(optarg, 255); break;
		case 'm': min_len = number_arg(optarg, 65535); break;
		default: usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (tap_open(&sniffer, argv[optind])) {
		fprintf(stderr, "attack-tap: %s: %m\n", argv[optind]);
		return 2;
	}
	deadline = now_ms() + timeout;
	while (seen < count) {
		struct rawudp_datagram d;
		char from[32], to[32];
		long left = deadline - now_ms();
		int r;

		if (left <= 0)
			break;
		r = rawudp_sniff_next(&sniffer, (int)left, &d);
		if (r < 0) {
			perror("attack-tap");
			return 2;
		}
		if (r == 0)
			break;
		if (port >= 0 && ntohs(d.src.sin_port) != port &&
		    ntohs(d.dst.sin_port) != port)
			continue;
		if (type >= 0 && (d.len == 0 || d.payload[0] != type))
			continue;
		if ((long)d.len < min_len)
			continue;
		printf("%s %s ", rawudp_format_endpoint(&d.src, from, sizeof(from)),
		       rawudp_format_endpoint(&d.dst, to, sizeof(to)));
		for (size_t i = 0; i < d.len; i++)
			printf("%02x", d.payload[i]);
		putchar('\n');
		fflush(stdout);
		seen++;
	}
	rawudp_sniff_close(&sniffer);
	return seen >= count ? 0 : 1;
}
