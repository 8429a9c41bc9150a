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
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t key[32] = { 7 }, iv[12] = { 9 };
	static uint8_t out[70000];
	struct record_keys k;
	struct replay_window before;
	struct rv_msg m;
	uint8_t again[2048];	/* a control message, a revocation list the largest */
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

/* Records sealed under the target's key, up to a 64 KB plaintext, and
 * one control message of each type. */
static void write_seeds(void)
{
	static const uint8_t key[32] = { 7 }, iv[12] = { 9 };
	static uint8_t pt[65500], out[1 + 65600];
	static const size_t sizes[] = { 1, 100, 1400, sizeof(pt) };
	struct record_keys k;
	struct rv_msg m;
	char name[64];
	size_t n;
	int ret;

	for (size_t i = 0; i < sizeof(pt); i++)
		pt[i] = (uint8_t)(i * 7);
	pt[0] = 0x45;
	for (int aead = 0; aead < 2; aead++) {
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			if (record_keys_init(&k, aead ? RECORD_AES_GCM :
					     RECORD_CHACHA20_POLY1305, 1, key,
					     iv, key, iv, 32))
				exit(1);
			out[0] = (uint8_t)aead;
			ret = record_seal(&k, pt, sizes[i], out + 1,
					  sizeof(out) - 1);
			record_keys_wipe(&k);
			if (ret < 0)
				exit(1);
			snprintf(name, sizeof(name), "record-%s-%zu",
				 aead ? "gcm" : "chacha", sizes[i]);
			seed_write(name, out, 1 + (size_t)ret);
		}
	}
	for (uint8_t t = RV_REGISTER; t < __RV_TYPE_MAX; t++) {
		memset(&m, 0, sizeof(m));
		m.type = t;
		m.nat_type = NAT_CONE;
		snprintf(m.name, sizeof(m.name), "node-%u", t);
		m.relay_channel = 0x01020304;
		m.ping_id = 42;
		m.boot_id = 43;
		m.relay_limit = 100;
		m.probe_port = 51821;
		for (size_t i = 0; i < RV_MAX_CANDIDATES; i++)
			endpoint_parse(i & 1 ? "[2001:db8::1]:51820" :
				       "192.0.2.1:51820", &m.cands[i]);
		m.n_cands = RV_MAX_CANDIDATES;
		memset(&m.vaddr6, 0xfd, 1);
		n = rv_build(&m, out, sizeof(out));
		snprintf(name, sizeof(name), "rv-%u", t);
		if (n)
			seed_write(name, out, n);
	}
	/* Lookups and not-found answers by address, IPv4 and IPv6. */
	for (int v6 = 0; v6 < 2; v6++) {
		memset(&m, 0, sizeof(m));
		m.type = RV_LOOKUP;
		m.by_vaddr = true;
		m.v6 = v6;
		m.vaddr.s_addr = htonl(0x0a4d000b);
		m.vaddr6.s6_addr[0] = 0xfd;
		m.vaddr6.s6_addr[15] = 0x11;
		n = rv_build(&m, out, sizeof(out));
		snprintf(name, sizeof(name), "rv-lookup-vaddr%s", v6 ? "6" : "");
		if (n)
			seed_write(name, out, n);
	}
}
