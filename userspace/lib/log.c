// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>

static enum log_level current_level = LOG_LEVEL_INFO;
static bool log_to_syslog;
static const char *log_ident = "podnet";

static const char *const level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARN] = "warn",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void log_init(const char *ident, enum log_level level, bool use_syslog)
{
	log_ident = ident;
	current_level = level;
	log_to_syslog = use_syslog;
	if (use_syslog)
		openlog(ident, LOG_PID, LOG_DAEMON);
}

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

int log_level_parse(const char *s, enum log_level *level)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++) {
		if (!strcasecmp(s, level_names[i])) {
			*level = (enum log_level)i;
			return 0;
		}
	}
	return -1;
}

const char *log_time_format(const struct timespec *ts, char *buf,
			    size_t len)
{
	struct tm tm;
	size_t n;

	/* Local time, as a person at the terminal reads the clock; syslog
	 * and journald stamp their lines themselves. */
	if (!localtime_r(&ts->tv_sec, &tm) ||
	    !(n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm))) {
		snprintf(buf, len, "%lld.%03ld", (long long)ts->tv_sec,
			 ts->tv_nsec / 1000000);
		return buf;
	}
	snprintf(buf + n, len - n, ".%03ld", ts->tv_nsec / 1000000);
	return buf;
}

static void log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	static const int syslog_prio[] = {
		[LOG_LEVEL_ERROR] = LOG_ERR,
		[LOG_LEVEL_WARN] = LOG_WARNING,
		[LOG_LEVEL_INFO] = LOG_INFO,
		[LOG_LEVEL_DEBUG] = LOG_DEBUG,
	};

	if (log_to_syslog) {
		vsyslog(syslog_prio[level], fmt, ap);
	} else {
		struct timespec ts;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		fprintf(stderr, "%s %s[%s] ",
			log_time_format(&ts, when, sizeof(when)), log_ident,
			level_names[level]);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

double log_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Limiters with suppressed lines not yet summed up. */
static struct log_ratelimit *pending_limits;

static void summarize(struct log_ratelimit *rl, double now)
{
	double span = now - rl->window_start;

	if (span > LOG_RATELIMIT_INTERVAL || span < 0)
		span = LOG_RATELIMIT_INTERVAL;
	log_msg(rl->level, "%s \xe2\x80\xa6 %lu more suppressed in %.0f s",
		rl->last, rl->suppressed, span);
	rl->suppressed = 0;
}

static void unlist(struct log_ratelimit *rl)
{
	for (struct log_ratelimit **pp = &pending_limits; *pp;
	     pp = &(*pp)->next_pending) {
		if (*pp == rl) {
			*pp = rl->next_pending;
			break;
		}
	}
	rl->next_pending = NULL;
	rl->pending = false;
}

bool log_ratelimit_allow(struct log_ratelimit *rl, double now,
			 enum log_level level)
{
	/* Lines below the level cost nothing and count for nothing. */
	if (level > current_level)
		return false;
	rl->level = level;
	if (!rl->started || now - rl->window_start >= LOG_RATELIMIT_INTERVAL) {
		if (rl->suppressed)
			summarize(rl, now);
		if (rl->pending)
			unlist(rl);
		rl->started = true;
		rl->window_start = now;
		rl->printed = 0;
	}
	if (rl->printed < LOG_RATELIMIT_BURST) {
		rl->printed++;
		return true;
	}
	rl->suppressed++;
	if (!rl->pending) {
		rl->pending = true;
		rl->next_pending = pending_limits;
		pending_limits = rl;
	}
	return false;
}

static void vprint_limited(struct log_ratelimit *rl, enum log_level level,
			   const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	snprintf(rl->last, sizeof(rl->last), "%s", line);
	rl->level = level;
	log_msg(level, "%s", line);
}

void log_ratelimit_print(struct log_ratelimit *rl, enum log_level level,
			 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint_limited(rl, level, fmt, ap);
	va_end(ap);
}

void log_ratelimited(struct log_ratelimit *rl, double now,
		     enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_ratelimit_allow(rl, now, level))
		return;
	va_start(ap, fmt);
	vprint_limited(rl, level, fmt, ap);
	va_end(ap);
}

void log_ratelimit_flush(double now)
{
	struct log_ratelimit **pp = &pending_limits;

	while (*pp) {
		struct log_ratelimit *rl = *pp;

		if (now - rl->window_start < LOG_RATELIMIT_INTERVAL) {
			pp = &rl->next_pending;
			continue;
		}
		*pp = rl->next_pending;
		rl->next_pending = NULL;
		rl->pending = false;
		if (rl->suppressed)
			summarize(rl, now);
	}
}
