// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for token_decode(): a join token is pasted by a person
 * from a chat or a mail, so any text may arrive. A token that decodes
 * must re-encode to exactly the same text (one token, one spelling), and
 * a failed decode must leave no secret in the struct.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seeds.h"
#include "token.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[TOKEN_TEXT_MAX + 2], again[TOKEN_TEXT_MAX + 1], err[256];
	static const uint8_t zero[TOKEN_SECRET_LEN];
	struct token t;

	if (size > TOKEN_TEXT_MAX + 1)
		size = TOKEN_TEXT_MAX + 1;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(err, 0, sizeof(err));
	if (token_decode(text, &t, err, sizeof(err)) < 0) {
		CHECK(err[0] != '\0' && memchr(err, '\0', sizeof(err)));
		CHECK(!memcmp(t.secret, zero, sizeof(zero)));
		return 0;
	}
	CHECK(cert_name_valid(t.name));
	CHECK(t.address.family == AF_INET || t.address.family == AF_INET6);
	CHECK(token_encode(&t, again, sizeof(again), err, sizeof(err)) == 0);
	CHECK(!strcmp(again, text));
	return 0;
}

/* A valid token for each address family, so mutations start past the MAC. */
static void write_seeds(void)
{
	char text[TOKEN_TEXT_MAX + 1], err[256];
	struct token t;

	memset(&t, 0, sizeof(t));
	memset(t.id, 0x11, sizeof(t.id));
	memset(t.secret, 0x22, sizeof(t.secret));
	memset(t.ca_fp, 0x33, sizeof(t.ca_fp));
	t.expires = 1796212800;
	strcpy(t.name, "office");
	token_addr_parse("10.77.0.5/24", &t.address, err, sizeof(err));
	endpoint_parse("198.51.100.1:51821", &t.service);
	if (token_encode(&t, text, sizeof(text), err, sizeof(err)) < 0)
		abort();
	seed_write("ipv4", text, strlen(text));
	token_addr_parse("fd00::5", &t.address, err, sizeof(err));
	endpoint_parse("[2001:db8::1]:51821", &t.service);
	strcpy(t.name, "a-node-with-a-rather-long-name.example.org");
	if (token_encode(&t, text, sizeof(text), err, sizeof(err)) < 0)
		abort();
	seed_write("ipv6", text, strlen(text));
	token_addr_parse("10.77.0.5/24,fd77::5/64", &t.address, err,
			 sizeof(err));
	if (token_encode(&t, text, sizeof(text), err, sizeof(err)) < 0)
		abort();
	seed_write("dual", text, strlen(text));
}
