// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * attack-spoof: send one datagram's bytes from any IPv4 source, COUNT
 * times at RATE a second. The security tests' attacker host
 * (test/netns/attack-*.sh); a test tool, not part of podnet.
 *
 *   attack-spoof [-c COUNT] [-r PER_SECOND] FROM_IP:PORT TO_IP:PORT HEX
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rawudp.h"

static void usage(void)
{
	fprintf(stderr, "usage: attack-spoof [-c COUNT] [-r PER_SECOND] "
		"FROM_IP:PORT TO_IP:PORT HEX\n");
	exit(2);
}

static long number_arg(const char *text)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < 1 || v > 100000000)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	static uint8_t payload[RAWUDP_PAYLOAD_MAX];
	struct sockaddr_in from, to;
	long count = 1, rate = 0, len;
	int opt, fd;

	while ((opt = getopt(argc, argv, "c:r:")) != -1) {
		switch (opt) {
		case 'c': count = number_arg(optarg); break;
		case 'r': rate = number_arg(optarg); break;
		default: usage();
		}
	}
	if (argc - optind != 3)
		usage();
	if (rawudp_parse_endpoint(argv[optind], &from) ||
	    rawudp_parse_endpoint(argv[optind + 1], &to)) {
		fprintf(stderr, "attack-spoof: expected IPv4:PORT endpoints\n");
		return 2;
	}
	len = rawudp_parse_hex(argv[optind + 2], payload, sizeof(payload));
	if (len < 0) {
		fprintf(stderr, "attack-spoof: payload is not hex\n");
		return 2;
	}
	fd = rawudp_open();
	if (fd < 0) {
		perror("attack-spoof: raw socket");
		return 1;
	}
	for (long i = 0; i < count; i++) {
		if (rawudp_send(fd, &from, &to, payload, (size_t)len)) {
			perror("attack-spoof: send");
			return 1;
		}
		if (rate) {
			struct timespec ts = {
				.tv_sec = 0,
				.tv_nsec = 1000000000L / rate,
			};
			if (rate == 1)
				ts = (struct timespec){ .tv_sec = 1 };
			nanosleep(&ts, NULL);
		}
	}
	close(fd);
	return 0;
}
