/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Lookups a young rendezvous holds (lookup_hold.c).
 */
#ifndef _PODNET_LOOKUP_HOLD_H
#define _PODNET_LOOKUP_HOLD_H

#include <ev.h>
#include <stdbool.h>

struct node;
struct peer;
struct rv_msg;

/* The rendezvous' answer to a lookup: an introduction if the target is
 * registered (true), else "not found" if final (true), else nothing
 * (false). */
typedef bool (*lookup_hold_answer_fn)(struct peer *asker,
				      const struct rv_msg *m, bool final);

/* Keeps asker's lookup m for an address nobody has registered yet, if
 * this rendezvous has just started; false: answer it now. */
bool lookup_hold(struct peer *asker, const struct rv_msg *m);
/* A node registered: the held lookups it answers are answered. */
void lookup_hold_registered(struct node *node, lookup_hold_answer_fn answer);
/* Held lookups past their time are answered, found or not. */
void lookup_hold_expire(struct node *node, ev_tstamp now,
			lookup_hold_answer_fn answer);
/* The asker is going away: its lookups go with it. */
void lookup_hold_forget(struct peer *asker);
void lookup_hold_free(struct node *node);

#endif /* _PODNET_LOOKUP_HOLD_H */
