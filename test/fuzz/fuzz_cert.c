// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for cert_identity_from_der(): certificate bytes come
 * from the network during a handshake and from files an operator was
 * handed, so the parser must survive anything. Seed it with real
 * certificates from corpus/fuzz_cert/ to get past the outer SEQUENCE.
 */
#include <stddef.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cert.h"
#include <stdio.h>
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static bool printable(const char *s, size_t max)
{
	size_t n = strnlen(s, max);

	if (n == max)
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cert_identity id;
	char err[256];

	memset(err, 0, sizeof(err));
	if (cert_identity_from_der(data, size, &id, err, sizeof(err))) {
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		return 0;
	}
	/* What we accept ends up in logs and `podnet show`: keep it text. */
	CHECK(id.name[0] != '\0' && printable(id.name, sizeof(id.name)));
	CHECK(printable(id.issuer, sizeof(id.issuer)));
	CHECK(printable(id.key_type, sizeof(id.key_type)));
	/* Routed subnets: bounded, canonical (no host bits), 1..32 or
	 * 1..128, and they read back as they format. */
	CHECK(id.nroutes <= CERT_ROUTES_MAX);
	for (size_t i = 0; i < id.nroutes; i++) {
		const struct cert_route *r = &id.routes[i];
		uint8_t len = r->len;
		uint32_t host = len >= 32 ? 0 : 0xffffffffu >> len;
		char text[CERT_ROUTE_STR_MAX];
		struct cert_route back;

		if (r->v6) {
			CHECK(len >= 1 && len <= 128 && !r->net.s_addr);
		} else {
			CHECK(len >= 1 && len <= 32);
			CHECK(!(ntohl(r->net.s_addr) & host));
		}
		cert_route_format(r, text, sizeof(text));
		CHECK(!cert_route_parse(text, strlen(text), &back, NULL, 0) &&
		      cert_route_equal(&back, r));
	}
	return 0;
}

/* 64 KB certificates (the most podnet reads): a real one followed by
 * padding, and one whose outer SEQUENCE holds the padding. */
static void write_seeds(void)
{
	static uint8_t der[65536], out[65536];
	FILE *f = fopen("test/fuzz/corpus/fuzz_cert/node1.der", "rb");
	size_t n, body;

	if (!f)
		exit(1);
	n = fread(der, 1, sizeof(der), f);
	fclose(f);
	if (n < 4 || der[0] != 0x30 || der[1] != 0x82)
		exit(1);
	memcpy(out, der, n);
	memset(out + n, 0, sizeof(out) - n);
	seed_write("node1-padded", out, sizeof(out));
	/* 30 82 LL LL: the same contents, then zeros, inside. */
	body = sizeof(out) - 4;
	out[0] = 0x30;
	out[1] = 0x82;
	out[2] = (uint8_t)(body >> 8);
	out[3] = (uint8_t)body;
	memcpy(out + 4, der + 4, n - 4);
	memset(out + n, 0, sizeof(out) - n);
	seed_write("node1-64k", out, sizeof(out));
}
