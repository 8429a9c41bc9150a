/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A map from a node name (a certificate's subject, up to CERT_NAME_MAX
 * bytes) to a pointer, on top of keymap.h: one hash and usually one probe
 * however many names it holds. A rendezvous looks a name up for every
 * lookup it answers, and every node for every handshake it completes.
 * Names are longer than a keymap key, so the key is the name's SHA-256
 * cut to KEYMAP_KEY_MAX bytes (224 bits: no two names meet by chance).
 */
#ifndef _PODNET_NAMEMAP_H
#define _PODNET_NAMEMAP_H

#include "keymap.h"

/* The map is created on the first put and freed when it empties, so a
 * zeroed struct keymap is an empty namemap. Returns 0 or -ENOMEM. */
int namemap_put(struct keymap *m, const char *name, void *value);
void *namemap_get(const struct keymap *m, const char *name);
/* Remove name if it maps to value (NULL: whatever it maps to). */
int namemap_del(struct keymap *m, const char *name, const void *value);

#endif /* _PODNET_NAMEMAP_H */
