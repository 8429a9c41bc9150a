// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for the enrollment service's parsers: the join
 * request (join_request_complete, join_request_parse), which anyone who
 * reaches `podnet ca serve` can send once the TLS handshake is done, the
 * answer `podnet join` parses (join_response_parse) and an invitation
 * file (invite_parse). The first byte picks the parser. A request that
 * parses must re-encode to one that parses to the same fields (addresses
 * have more than one spelling); blobs of an answer must lie inside the
 * input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "invite_store.h"
#include "join_proto.h"
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static bool inside(const uint8_t *p, size_t len, const uint8_t *buf,
		   size_t size)
{
	return !len || (p >= buf && p + len <= buf + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char again[JOIN_REQUEST_MAX + 1], err[256];
	struct join_response resp;
	struct join_request req, back;
	struct invite inv;
	uint8_t hash[32];
	int n;

	if (size < 1)
		return 0;
	switch (data[0] % 3) {
	case 0:
		data++, size--;
		join_request_complete((const char *)data, size);
		if (join_request_parse((const char *)data, size, &req, err,
				       sizeof(err)) < 0)
			return 0;
		CHECK(cert_name_valid(req.name));
		n = join_request_encode(&req, again, sizeof(again));
		CHECK(n > 0 && join_request_complete(again, (size_t)n) == 1);
		CHECK(join_request_parse(again, (size_t)n, &back, err,
					 sizeof(err)) == 0);
		CHECK(!memcmp(back.id, req.id, sizeof(req.id)) &&
		      !memcmp(back.secret, req.secret, sizeof(req.secret)) &&
		      !memcmp(back.pub, req.pub, sizeof(req.pub)) &&
		      !strcmp(back.name, req.name) &&
		      token_addr_equal(&back.address, &req.address));
		return 0;
	case 1:
		data++, size--;
		if (join_response_parse(data, size, &resp, err, sizeof(err)) < 0)
			return 0;
		CHECK(memchr(resp.error, '\0', sizeof(resp.error)));
		if (!resp.ok)
			return 0;
		CHECK(inside(resp.cert, resp.cert_len, data, size));
		CHECK(inside(resp.ca, resp.ca_len, data, size));
		CHECK(inside(resp.revocation, resp.revocation_len, data, size));
		CHECK(resp.n_rv <= JOIN_RV_MAX);
		return 0;
	default:
		if (invite_parse((const char *)data + 1, size - 1, hash,
				 &inv) == 0)
			CHECK(cert_name_valid(inv.name));
		return 0;
	}
}

static void write_seeds(void)
{
	static uint8_t buf[JOIN_RESPONSE_MAX + 1];
	static const uint8_t pem[] = "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n";
	struct join_response resp = { .ok = true };
	struct join_request req;
	char err[64];
	int n;

	memset(&req, 0, sizeof(req));
	memset(req.id, 0x11, sizeof(req.id));
	memset(req.secret, 0x22, sizeof(req.secret));
	memset(req.pub, 0x44, sizeof(req.pub));
	strcpy(req.name, "office");
	token_addr_parse("10.77.0.5/24", &req.address, err, sizeof(err));
	buf[0] = 0;
	n = join_request_encode(&req, (char *)buf + 1, sizeof(buf) - 1);
	seed_write("request", buf, (size_t)n + 1);

	resp.cert = pem;
	resp.cert_len = sizeof(pem) - 1;
	resp.ca = pem;
	resp.ca_len = sizeof(pem) - 1;
	resp.revocation = (const uint8_t *)"\x01\x02\x03";
	resp.revocation_len = 3;
	strcpy(resp.rv[0].name, "rv");
	endpoint_parse("198.18.0.1:51820", &resp.rv[0].endpoint);
	strcpy(resp.rv[1].name, "rv6");
	endpoint_parse("[2001:db8::1]:51820", &resp.rv[1].endpoint);
	resp.n_rv = 2;
	buf[0] = 1;
	n = join_response_encode_ok(&resp, buf + 1, sizeof(buf) - 1);
	seed_write("answer-ok", buf, (size_t)n + 1);
	n = join_response_encode_error((char *)buf + 1, sizeof(buf) - 1,
				       "token expired; ask for a new one");
	seed_write("answer-error", buf, (size_t)n + 1);

	n = snprintf((char *)buf, sizeof(buf),
		     "%cpodnet-invite 1 %064x office 10.77.0.5/24 1796212800\n",
		     2, 7);
	seed_write("invite", buf, (size_t)n);
}
