// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Records are checked against the window before they are decrypted (so a
 * flood of replays costs no AEAD work) and committed only after they
 * authenticated (so a forged record cannot move the window). Both steps
 * cost a bounded amount of work whatever the sequence number: a jump
 * clears at most PODNET_REPLAY_WORDS words.
 */
#include "replay.h"

#include <linux/string.h>

/**
 * podnet_replay_init() - empty window
 * @w: the window
 */
void podnet_replay_init(struct podnet_replay *w)
{
	spin_lock_init(&w->lock);
	w->any = false;
	w->greatest = 0;
	memset(w->bits, 0, sizeof(w->bits));
}

static bool podnet_replay_fresh(const struct podnet_replay *w, u64 seq)
{
	if (!w->any || seq > w->greatest)
		return true;
	if (w->greatest - seq >= PODNET_REPLAY_WINDOW)
		return false;
	return !((w->bits[(seq >> 6) % PODNET_REPLAY_WORDS] >> (seq & 63)) & 1);
}

/**
 * podnet_replay_check() - could @seq still be fresh?
 * @w: the window
 * @seq: sequence number of an unauthenticated record
 *
 * Changes nothing; call before decrypting.
 * Context: softirq or BH disabled.
 * Return: true if the record may be decrypted.
 */
bool podnet_replay_check(struct podnet_replay *w, u64 seq)
{
	bool fresh;

	spin_lock_bh(&w->lock);
	fresh = podnet_replay_fresh(w, seq);
	spin_unlock_bh(&w->lock);
	return fresh;
}

/**
 * podnet_replay_commit() - record @seq as seen
 * @w: the window
 * @seq: sequence number of a record that authenticated
 *
 * Two copies of one record may both pass podnet_replay_check() on two
 * CPUs; only the first commit succeeds.
 * Return: false if @seq was not fresh (the record must be dropped).
 */
bool podnet_replay_commit(struct podnet_replay *w, u64 seq)
{
	u64 index = seq >> 6, *word;
	bool ok = true;

	spin_lock_bh(&w->lock);
	if (!w->any || seq > w->greatest) {
		u64 current_word = w->greatest >> 6;
		u64 diff = w->any ? index - current_word : PODNET_REPLAY_WORDS;
		u64 i;

		if (diff > PODNET_REPLAY_WORDS)
			diff = PODNET_REPLAY_WORDS;
		for (i = 1; i <= diff; i++)
			w->bits[(current_word + i) % PODNET_REPLAY_WORDS] = 0;
		w->greatest = seq;
		w->any = true;
	} else if (w->greatest - seq >= PODNET_REPLAY_WINDOW) {
		ok = false;
		goto out;
	}
	word = &w->bits[index % PODNET_REPLAY_WORDS];
	if ((*word >> (seq & 63)) & 1) {
		ok = false;
		goto out;
	}
	*word |= 1ULL << (seq & 63);
out:
	spin_unlock_bh(&w->lock);
	return ok;
}
