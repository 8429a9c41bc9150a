/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Levelled logging to stderr, or to syslog once the daemon detaches.
 * Never pass key material to these functions.
 */
#ifndef _PODNET_LOG_H
#define _PODNET_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

void log_init(const char *ident, enum log_level level, bool use_syslog);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_level_parse(const char *s, enum log_level *level);
/* The time a foreground line starts with: 2026-12-02T16:50:01.123, local
 * time (buf of at least 32 bytes). */
const char *log_time_format(const struct timespec *ts, char *buf,
			    size_t len);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

/*
 * Lines that can repeat (one per packet, per datagram, per retry) go
 * through a limiter of their own call site: at most LOG_RATELIMIT_BURST
 * lines per LOG_RATELIMIT_INTERVAL seconds; the rest are counted, and
 * once the interval is over one summary line tells how many were
 * dropped ("... N more suppressed"). A flood cannot fill the disk, and
 * the log still says that it happened. Main thread only.
 */
#define LOG_RATELIMIT_INTERVAL 5.0	/* s */
#define LOG_RATELIMIT_BURST 5
#define LOG_RATELIMIT_TEXT 160

struct log_ratelimit {
	struct log_ratelimit *next_pending;	/* has a summary to print */
	double window_start;		/* monotonic seconds */
	unsigned int printed;		/* in this window */
	unsigned long suppressed;	/* in this window */
	enum log_level level;
	bool started, pending;
	char last[LOG_RATELIMIT_TEXT];	/* the last line printed, to name
					 * what the summary counts */
};

/* Monotonic seconds: what a caller passes as `now` below. */
double log_clock(void);
/* May this call site print now? Counts the line as suppressed if not. */
bool log_ratelimit_allow(struct log_ratelimit *rl, double now,
			 enum log_level level);
/* Prints a line allowed above, and keeps it to name the summary. */
void log_ratelimit_print(struct log_ratelimit *rl, enum log_level level,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Both in one. */
void log_ratelimited(struct log_ratelimit *rl, double now,
		     enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Prints the summaries of the windows that ended by now; call it every
 * second or so, and with now = HUGE_VAL before exiting. */
void log_ratelimit_flush(double now);

/* The arguments are only evaluated for a line that is printed: a flood
 * costs a clock read per line, not a formatting. */
#define log_msg_ratelimited(level, ...) do {				\
	static struct log_ratelimit log_site_limit_;			\
	if (log_ratelimit_allow(&log_site_limit_, log_clock(), (level)))	\
		log_ratelimit_print(&log_site_limit_, (level),		\
				    __VA_ARGS__);			\
} while (0)

#define log_err_ratelimited(...) log_msg_ratelimited(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn_ratelimited(...) log_msg_ratelimited(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info_ratelimited(...) log_msg_ratelimited(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug_ratelimited(...) log_msg_ratelimited(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif /* _PODNET_LOG_H */
