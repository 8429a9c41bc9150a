// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for revocation_parse(): lists arrive from a rendezvous,
 * which is not trusted, so the parser must survive any bytes and accept
 * nothing the CA did not sign. Each input is parsed twice: without a key
 * (framing only, so the fuzzer gets past the length checks) and with the
 * key of the CA that signed the seeds in corpus/fuzz_revocation/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "revocation.h"
#include "rvmsg.h"
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

/* The "fuzznet" CA of the seeds (podnet ca create --name fuzznet). */
static const uint8_t seed_ca_pub[32] = {
	0x17, 0xb1, 0x30, 0xd5, 0x4c, 0x0e, 0xf8, 0x08, 0x8c, 0x6f, 0xe0,
	0x64, 0xa9, 0x86, 0x98, 0x8b, 0x3d, 0xc5, 0xd3, 0x1c, 0x4a, 0x55,
	0x25, 0xe4, 0xef, 0xff, 0x48, 0x44, 0x62, 0xf3, 0xf9, 0x33,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct revocation rl, signed_rl, again;
	uint8_t msg[1 + REVOCATION_LEN_MAX];
	struct rv_msg m, back;
	char err[256];
	size_t len;

	memset(err, 0, sizeof(err));
	if (revocation_parse(data, size, NULL, &rl, err, sizeof(err))) {
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		/* Nothing the framing refuses can carry a valid signature. */
		CHECK(revocation_parse(data, size, seed_ca_pub, &signed_rl,
				       err, sizeof(err)) < 0);
		return 0;
	}
	CHECK(rl.serial > 0 && rl.count <= REVOCATION_MAX);
	CHECK(rl.blob_len == size && size == REVOCATION_LEN(rl.count));
	CHECK(!memcmp(rl.blob, data, size));
	/* One list, one encoding: the signed part re-encodes identically. */
	again = rl;
	CHECK(revocation_encode_unsigned(&again, err, sizeof(err)) == 0);
	CHECK(again.blob_len == size - REVOCATION_SIG_LEN);
	CHECK(!memcmp(again.blob, data, again.blob_len));
	for (size_t i = 0; i < rl.count; i++)
		CHECK(revocation_contains(&rl, rl.fps[i]));
	/* As a control message it travels unchanged. */
	memset(&m, 0, sizeof(m));
	m.type = RV_REVOCATION;
	m.blob = data;
	m.blob_len = size;
	len = rv_build(&m, msg, sizeof(msg));
	CHECK(len == size + 1);
	CHECK(rv_parse(msg, len, &back) == 0);
	CHECK(back.blob_len == size && !memcmp(back.blob, data, size));
	if (!revocation_parse(data, size, seed_ca_pub, &signed_rl, err,
			      sizeof(err)))
		CHECK(signed_rl.serial == rl.serial &&
		      signed_rl.count == rl.count);
	return 0;
}

/* The largest list (REVOCATION_MAX fingerprints); its signature is not
 * the CA's, so it tries the framing and the signature check's refusal. */
static void write_seeds(void)
{
	static struct revocation rl;
	char err[256];

	memset(&rl, 0, sizeof(rl));
	rl.serial = 3;
	rl.issued = 1767225600;
	rl.count = REVOCATION_MAX;
	for (size_t i = 0; i < REVOCATION_MAX; i++)
		memset(rl.fps[i], (int)i + 1, REVOCATION_FP_LEN);
	if (revocation_encode_unsigned(&rl, err, sizeof(err)))
		exit(1);
	memset(rl.blob + rl.blob_len, 0x5a, REVOCATION_SIG_LEN);
	seed_write("full-unsigned.list", rl.blob,
		   rl.blob_len + REVOCATION_SIG_LEN);
}
