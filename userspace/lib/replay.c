// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "replay.h"

#include <string.h>

void replay_init(struct replay_window *w)
{
	memset(w, 0, sizeof(*w));
}

bool replay_check(const struct replay_window *w, uint64_t seq)
{
	if (!w->any || seq > w->greatest)
		return true;
	if (w->greatest - seq >= REPLAY_WINDOW)
		return false;
	return !((w->bits[(seq >> 6) % REPLAY_WORDS] >> (seq & 63)) & 1);
}

bool replay_commit(struct replay_window *w, uint64_t seq)
{
	uint64_t index = seq >> 6, *word;

	if (!w->any || seq > w->greatest) {
		uint64_t current = w->greatest >> 6;
		uint64_t diff = w->any ? index - current : REPLAY_WORDS;

		/* Forget the words the window slides past; a jump of more
		 * than the whole ring clears it once, not once per word. */
		if (diff > REPLAY_WORDS)
			diff = REPLAY_WORDS;
		for (uint64_t i = 1; i <= diff; i++)
			w->bits[(current + i) % REPLAY_WORDS] = 0;
		w->greatest = seq;
		w->any = true;
	} else if (w->greatest - seq >= REPLAY_WINDOW) {
		return false;
	}
	word = &w->bits[index % REPLAY_WORDS];
	if ((*word >> (seq & 63)) & 1)
		return false;
	*word |= 1ull << (seq & 63);
	return true;
}
