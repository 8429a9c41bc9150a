/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Anti-replay window over 48-bit DTLS sequence numbers, the same ring of
 * bits behind the greatest number seen as userspace/lib/replay.c, so a
 * kernel node and a userspace node accept exactly the same records.
 */
#ifndef _PODNET_REPLAY_H
#define _PODNET_REPLAY_H

#include <linux/spinlock.h>
#include <linux/types.h>

#define PODNET_REPLAY_WORDS 32	/* 2048 bits of ring */
#define PODNET_REPLAY_WINDOW ((PODNET_REPLAY_WORDS - 1) * 64)

struct podnet_replay {
	spinlock_t lock;	/* check and commit of one key */
	bool any;
	u64 greatest;
	u64 bits[PODNET_REPLAY_WORDS];
};

void podnet_replay_init(struct podnet_replay *w);
bool podnet_replay_check(struct podnet_replay *w, u64 seq);
bool podnet_replay_commit(struct podnet_replay *w, u64 seq);

#endif /* _PODNET_REPLAY_H */
