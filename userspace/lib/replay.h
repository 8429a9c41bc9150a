/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Anti-replay window over 64-bit sequence numbers: a ring of bits behind
 * the greatest number seen. Each check or update costs a bounded amount of
 * work whatever the jump (at most REPLAY_WORDS words are cleared).
 */
#ifndef _PODNET_REPLAY_H
#define _PODNET_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_WORDS 32				/* 2048 bits of ring */
#define REPLAY_WINDOW ((REPLAY_WORDS - 1) * 64)	/* 1984 packets behind */

struct replay_window {
	uint64_t greatest;
	bool any;
	uint64_t bits[REPLAY_WORDS];
};

void replay_init(struct replay_window *w);
/* Could seq still be fresh? Changes nothing: call before decrypting. */
bool replay_check(const struct replay_window *w, uint64_t seq);
/* Record seq as seen, after it authenticated; false if it was not fresh. */
bool replay_commit(struct replay_window *w, uint64_t seq);

#endif /* _PODNET_REPLAY_H */
