/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A token bucket for replies the daemon sends on its own initiative (ICMP
 * unreachables, a request for a fresh handshake): whoever makes us send
 * them, a flood cannot turn us into a source of one.
 */
#ifndef _PODNET_TOKEN_BUCKET_H
#define _PODNET_TOKEN_BUCKET_H

#include <stdbool.h>

struct token_bucket {
	double tokens;
	double last;		/* when tokens was last brought up to date */
};

/* Takes one token, refilled at `rate` per second up to `rate` (one
 * second's worth); false when none is left. */
static inline bool token_bucket_take(struct token_bucket *tb, double now,
				     double rate)
{
	tb->tokens += (now - tb->last) * rate;
	tb->last = now;
	if (tb->tokens > rate)
		tb->tokens = rate;
	if (tb->tokens < 1.0)
		return false;
	tb->tokens -= 1.0;
	return true;
}

#endif /* _PODNET_TOKEN_BUCKET_H */
