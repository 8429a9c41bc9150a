// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for the data path's parsers of untrusted bytes:
 * record_open() on any datagram payload (the first byte picks the AEAD),
 * and rv_parse() on any decrypted control message. Checks, besides memory
 * errors, that a record which did not authenticate never moves the replay
 * window, and that a parsed control message re-encodes to the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "rvmsg.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = { 7 }, iv[12] = { 9 };
	static uint8_t out[70000];
	struct record_keys k;
	struct replay_window before;
	struct rv_msg m;
	uint8_t again[600];
	size_t n;
	int ret;

	if (!size)
		return 0;
	CHECK(!record_keys_init(&k, data[0] & 1 ? RECORD_AES_GCM :
				RECORD_CHACHA20_POLY1305, 1, key, iv, key, iv,
				32));
	before = k.replay;
	ret = record_open(&k, data + 1, size - 1, out, sizeof(out));
	CHECK(ret < 0 || (size_t)ret < size);
	if (ret < 0)
		CHECK(!memcmp(&before, &k.replay, sizeof(before)));
	record_keys_wipe(&k);

	if (!rv_parse(data, size, &m)) {
		n = rv_build(&m, again, sizeof(again));
		CHECK(n == size && !memcmp(again, data, size));
	}
	return 0;
}
