// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "namemap.h"

#include <errno.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/sha256.h>

static int name_key(const char *name, uint8_t key[KEYMAP_KEY_MAX])
{
	uint8_t digest[WC_SHA256_DIGEST_SIZE];

	if (wc_Sha256Hash((const uint8_t *)name, (word32)strlen(name), digest))
		return -EINVAL;
	memcpy(key, digest, KEYMAP_KEY_MAX);
	return 0;
}

int namemap_put(struct keymap *m, const char *name, void *value)
{
	uint8_t key[KEYMAP_KEY_MAX];
	int ret;

	if (name_key(name, key))
		return -EINVAL;
	if (!m->slots && (ret = keymap_init(m, KEYMAP_KEY_MAX)))
		return ret;
	return keymap_put(m, key, value);
}

void *namemap_get(const struct keymap *m, const char *name)
{
	uint8_t key[KEYMAP_KEY_MAX];

	if (!m->slots || name_key(name, key))
		return NULL;
	return keymap_get(m, key);
}

int namemap_del(struct keymap *m, const char *name, const void *value)
{
	uint8_t key[KEYMAP_KEY_MAX];
	int ret;

	if (!m->slots || name_key(name, key))
		return -ENOENT;
	ret = keymap_del(m, key, value);
	if (!m->count)
		keymap_free(m);
	return ret;
}
