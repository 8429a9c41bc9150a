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
#include <stdio.h>
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static void check_block(const struct status_block *b)
{
	CHECK(b->n_fields <= STATUS_MAX_FIELDS);
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

/* A 64 KB answer: one interface, then as many peers as fit. */
static void write_seeds(void)
{
	static char buf[65536];
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf),
		"interface=pod0\nnode=alpha\naddress=10.77.0.1/16\n"
		"listen_port=51820\nmtu=1340\n");
	for (int i = 0; n < sizeof(buf) - 400; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			"peer=node%d\naddress=10.77.%d.%d\n"
			"endpoint=192.0.2.%d:51820\nstate=established\n"
			"role=client\nconfigured=true\nsession=%08x\n"
			"cipher=ECDHE-ECDSA-CHACHA20-POLY1305\n"
			"latest_handshake=1767225600\nhandshakes=1\n"
			"rx_bytes=1000\ntx_bytes=2000\nrx_packets=10\n"
			"tx_packets=20\ndrop_bad_source=0\n",
			i, i / 250, 1 + i % 250, 1 + i % 250, 0x0a1b2c3du + i);
	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "errno=0\n\n");
	seed_write("peers-64k", buf, n);
}
