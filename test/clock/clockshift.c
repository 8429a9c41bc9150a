// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libclockshift.so: an LD_PRELOAD library for tests that steps one
 * process's wall clock, as NTP at boot or a resumed VM steps a machine's,
 * without touching the machine's own. CLOCK_REALTIME (clock_gettime(),
 * gettimeofday(), time()) reads as the real one plus the seconds written
 * at the start of the file $CLOCKSHIFT_FILE. The file is mapped shared
 * and read at every call, so a test steps the clock of a running daemon
 * by rewriting it in place (64 bytes, never truncated):
 *
 *   printf '%-63s\n' -3600 | dd of=FILE conv=notrunc status=none
 *
 * CLOCK_MONOTONIC and the rest pass through untouched.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define SHIFT_FILE_BYTES 64

static const char *shift_map;

static long long shift_seconds(void)
{
	char text[SHIFT_FILE_BYTES];
	const char *path;
	int fd;

	if (!shift_map) {
		path = getenv("CLOCKSHIFT_FILE");
		if (!path)
			return 0;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		/* A shorter file would fault past its end. */
		if (lseek(fd, 0, SEEK_END) >= SHIFT_FILE_BYTES) {
			void *m = mmap(NULL, SHIFT_FILE_BYTES, PROT_READ,
				       MAP_SHARED, fd, 0);

			if (m != MAP_FAILED)
				shift_map = m;
		}
		close(fd);
		if (!shift_map)
			return 0;
	}
	memcpy(text, shift_map, sizeof(text));
	text[sizeof(text) - 1] = '\0';
	return strtoll(text, NULL, 10);
}

static int (*real_clock_gettime(void))(clockid_t, struct timespec *)
{
	static int (*real)(clockid_t, struct timespec *);

	if (!real)
		real = (int (*)(clockid_t, struct timespec *))
			dlsym(RTLD_NEXT, "clock_gettime");
	return real;
}

int clock_gettime(clockid_t id, struct timespec *ts)
{
	int ret = real_clock_gettime()(id, ts);

	if (!ret && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec += (time_t)shift_seconds();
	return ret;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	struct timespec ts;

	(void)tz;
	if (clock_gettime(CLOCK_REALTIME, &ts))
		return -1;
	tv->tv_sec = ts.tv_sec;
	tv->tv_usec = ts.tv_nsec / 1000;
	return 0;
}

time_t time(time_t *out)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		return (time_t)-1;
	if (out)
		*out = ts.tv_sec;
	return ts.tv_sec;
}
