// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * attack-sniff: print the UDP datagrams that cross an interface, one a
 * line, "FROM TO HEX", so a test can replay or pick apart what an
 * attacker on the path sees. A test tool, not part of podnet.
 *
 *   attack-sniff [-a] [-n COUNT] [-t MS] [-p PORT] [-T TYPE] [-m MIN_LEN] IFNAME
 *
 * -p keeps datagrams from or to PORT; -T those whose first byte (podnet's
 * wire type) is TYPE; -m those at least MIN_LEN bytes long. -a sees what
 * the interface sends and what a bridge port carries too, as a tap would. Exits 0 after
 * COUNT datagrams (default 1), 1 when -t (default 10000) ran out first.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "rawudp.h"

static void usage(void)
{
	fprintf(stderr, "usage: attack-sniff [-a] [-n COUNT] [-t MS] [-p PORT] "
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
	bool as_tap = false;
	int opt;

	while ((opt = getopt(argc, argv, "an:t:p:T:m:")) != -1) {
		switch (opt) {
		case 'a': as_tap = true; break;
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
	if (rawudp_sniff_open(&sniffer, argv[optind], as_tap)) {
		fprintf(stderr, "attack-sniff: %s: %m\n", argv[optind]);
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
			perror("attack-sniff");
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
