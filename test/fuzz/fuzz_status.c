// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for status_parse(), which reads whatever is listening
 * on a control socket path. libFuzzer's input is an exact-size heap block
 * without a terminating NUL, like the bytes read() returns, so ASan flags
 * any read past the end.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_block(const struct status_block *b)
{
	CHECK(b->n_fields <= 64);
	for (size_t i = 0; i < b->n_fields; i++) {
		CHECK(b->fields[i].key[0] != '\0');
		CHECK(!strchr(b->fields[i].key, '\n'));
		CHECK(!strchr(b->fields[i].value, '\n'));
		CHECK(status_get(b, b->fields[i].key) != NULL);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct status st;
	char err[128];

	if (status_parse((const char *)data, size, &st, err, sizeof(err))) {
		/* Nothing may be left allocated after a failure. */
		CHECK(!st.peers && !st.n_peers && !st.interface.fields);
		CHECK(err[0] != '\0');
		return 0;
	}
	CHECK(st.error >= 0);
	check_block(&st.interface);
	for (size_t i = 0; i < st.n_peers; i++) {
		check_block(&st.peers[i]);
		CHECK(status_get(&st.peers[i], "name") != NULL);
	}
	status_free(&st);
	return 0;
}
