// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The datagram header parser sees every byte an attacker can send, so
 * each length boundary is checked on both sides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "wire.h"

#define BUF_LEN 1500

/*
 * Every known type: its header length, its shortest valid datagram, and
 * whether a bare header is reported as "empty" rather than "short".
 */
static const struct {
	enum wire_type type;
	size_t hlen;
	size_t min_len;
	bool empty_at_hlen;
} types[] = {
	{ WIRE_TYPE_HANDSHAKE, WIRE_HANDSHAKE_HEADER_LEN,
	  WIRE_HANDSHAKE_HEADER_LEN + 1, true },
	{ WIRE_TYPE_DATA, WIRE_HEADER_LEN, WIRE_HEADER_LEN + 1, true },
	/* Padded so that they never amplify what they trigger. */
	{ WIRE_TYPE_SESSION_REQUEST, WIRE_HEADER_LEN, WIRE_SESSION_REQUEST_LEN,
	  false },
	{ WIRE_TYPE_PUNCH, WIRE_HEADER_LEN, WIRE_PUNCH_LEN, false },
	/* A relayed datagram carries at least a header of its own. */
	{ WIRE_TYPE_RELAY, WIRE_HEADER_LEN, 2 * WIRE_HEADER_LEN, false },
	{ WIRE_TYPE_NAT_PROBE, WIRE_HEADER_LEN, WIRE_HEADER_LEN + 1, true },
	/* Never larger than the datagram it answers. */
	{ WIRE_TYPE_NOTICE, WIRE_HEADER_LEN, WIRE_NOTICE_LEN, false },
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

static bool known_type(unsigned int t)
{
	for (size_t i = 0; i < N_TYPES; i++) {
		if (types[i].type == t)
			return true;
	}
	return false;
}

static void test_round_trip(void **state)
{
	uint8_t buf[BUF_LEN];
	struct wire_header h;

	for (size_t i = 0; i < N_TYPES; i++) {
		enum wire_type t = types[i].type;
		size_t hlen, len = types[i].min_len + 100;

		memset(buf, 0xa5, sizeof(buf));
		hlen = wire_put_header(buf, t, 0x01020304, 0xdeadbeef);
		assert_int_equal(hlen, types[i].hlen);

		assert_int_equal(wire_parse(buf, len, &h), WIRE_OK);
		assert_int_equal(h.type, t);
		assert_int_equal(h.version, WIRE_VERSION);
		assert_int_equal(h.receiver_index, 0x01020304);
		/* Only handshakes carry a sender index. */
		assert_int_equal(h.sender_index,
				 t == WIRE_TYPE_HANDSHAKE ? 0xdeadbeef : 0);
		assert_ptr_equal(h.payload, buf + hlen);
		assert_int_equal(h.payload_len, len - hlen);
	}
}

static void test_index_extremes(void **state)
{
	static const uint32_t idx[] = { 0, 1, 0x7fffffff, 0x80000000,
					0xffffffff };
	uint8_t buf[64];
	struct wire_header h;

	for (size_t i = 0; i < sizeof(idx) / sizeof(idx[0]); i++) {
		uint32_t other = ~idx[i];

		memset(buf, 0, sizeof(buf));
		wire_put_header(buf, WIRE_TYPE_HANDSHAKE, idx[i], other);
		assert_int_equal(wire_parse(buf, sizeof(buf), &h), WIRE_OK);
		assert_int_equal(h.receiver_index, idx[i]);
		assert_int_equal(h.sender_index, other);
	}
}

static void test_put_header_bytes(void **state)
{
	static const uint8_t want_hs[WIRE_HANDSHAKE_HEADER_LEN] = {
		WIRE_TYPE_HANDSHAKE, WIRE_VERSION, 0, 0,
		0x11, 0x22, 0x33, 0x44,
		0xa1, 0xb2, 0xc3, 0xd4,
	};
	static const uint8_t want_data[WIRE_HEADER_LEN] = {
		WIRE_TYPE_DATA, WIRE_VERSION, 0, 0,
		0x80, 0x00, 0x00, 0x01,
	};
	uint8_t buf[16];

	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(wire_put_header(buf, WIRE_TYPE_HANDSHAKE, 0x11223344,
					 0xa1b2c3d4),
			 WIRE_HANDSHAKE_HEADER_LEN);
	assert_memory_equal(buf, want_hs, sizeof(want_hs));
	assert_int_equal(buf[12], 0xff);

	/* A data header must not touch bytes 8..11: they are payload. */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(wire_put_header(buf, WIRE_TYPE_DATA, 0x80000001,
					 0xa1b2c3d4),
			 WIRE_HEADER_LEN);
	assert_memory_equal(buf, want_data, sizeof(want_data));
	for (size_t i = WIRE_HEADER_LEN; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xff);

	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(wire_put_header(buf, WIRE_TYPE_SESSION_REQUEST, 7, 9),
			 WIRE_HEADER_LEN);
	assert_int_equal(buf[0], WIRE_TYPE_SESSION_REQUEST);
	assert_int_equal(buf[7], 7);
	assert_int_equal(buf[8], 0xff);
}

/* Parsing hand-written big-endian bytes pins the byte order independently
 * of wire_put_header. */
static void test_parse_big_endian(void **state)
{
	uint8_t buf[] = {
		WIRE_TYPE_HANDSHAKE, WIRE_VERSION, 0, 0,
		0x01, 0x02, 0x03, 0x04,
		0xf0, 0xe0, 0xd0, 0xc0,
		0x16,
	};
	struct wire_header h;

	assert_int_equal(wire_parse(buf, sizeof(buf), &h), WIRE_OK);
	assert_int_equal(h.receiver_index, 0x01020304u);
	assert_int_equal(h.sender_index, 0xf0e0d0c0u);
	assert_int_equal(h.payload_len, 1);
	assert_int_equal(h.payload[0], 0x16);
}

static void test_too_short(void **state)
{
	uint8_t buf[BUF_LEN];
	struct wire_header h;

	for (size_t i = 0; i < N_TYPES; i++) {
		enum wire_type t = types[i].type;
		size_t min = types[i].min_len;

		memset(buf, 0, sizeof(buf));
		wire_put_header(buf, t, 5, 6);
		for (size_t len = 0; len < min; len++) {
			int ret = wire_parse(buf, len, &h);

			/* A bare header of a type without a minimum
			 * payload is "empty"; everything else is "short". */
			if (types[i].empty_at_hlen && len == types[i].hlen)
				assert_int_equal(ret, WIRE_ERR_EMPTY);
			else
				assert_int_equal(ret, WIRE_ERR_SHORT);
			/* No stale header fields may leak out of a
			 * failed parse. */
			assert_null(h.payload);
			assert_int_equal(h.payload_len, 0);
		}
		assert_int_equal(wire_parse(buf, min, &h), WIRE_OK);
	}
}

static void test_handshake_needs_12(void **state)
{
	uint8_t buf[WIRE_HANDSHAKE_HEADER_LEN + 1] = { 0 };
	struct wire_header h;

	wire_put_header(buf, WIRE_TYPE_HANDSHAKE, 1, 2);
	for (size_t len = WIRE_HEADER_LEN; len < WIRE_HANDSHAKE_HEADER_LEN;
	     len++)
		assert_int_equal(wire_parse(buf, len, &h), WIRE_ERR_SHORT);
	assert_int_equal(wire_parse(buf, WIRE_HANDSHAKE_HEADER_LEN, &h),
			 WIRE_ERR_EMPTY);
	assert_int_equal(wire_parse(buf, sizeof(buf), &h), WIRE_OK);
	assert_int_equal(h.payload_len, 1);
}

static void test_session_request_len(void **state)
{
	uint8_t buf[WIRE_SESSION_REQUEST_LEN + 1] = { 0 };
	struct wire_header h;

	wire_put_header(buf, WIRE_TYPE_SESSION_REQUEST, 42, 0);
	assert_int_equal(wire_parse(buf, WIRE_SESSION_REQUEST_LEN - 1, &h),
			 WIRE_ERR_SHORT);
	assert_int_equal(wire_parse(buf, WIRE_SESSION_REQUEST_LEN, &h),
			 WIRE_OK);
	assert_int_equal(h.receiver_index, 42);
	assert_ptr_equal(h.payload, buf + WIRE_HEADER_LEN);
	assert_int_equal(h.payload_len,
			 WIRE_SESSION_REQUEST_LEN - WIRE_HEADER_LEN);
	/* Longer requests are fine: only short ones amplify. */
	assert_int_equal(wire_parse(buf, sizeof(buf), &h), WIRE_OK);
	assert_int_equal(h.payload_len, sizeof(buf) - WIRE_HEADER_LEN);
}

static void test_wrong_version(void **state)
{
	static const uint8_t versions[] = { 0, 2, 0x7f, 0xff };
	uint8_t buf[64];
	struct wire_header h;

	for (size_t i = 0; i < sizeof(versions); i++) {
		memset(buf, 0, sizeof(buf));
		wire_put_header(buf, WIRE_TYPE_DATA, 1, 0);
		buf[1] = versions[i];
		assert_int_equal(wire_parse(buf, sizeof(buf), &h),
				 WIRE_ERR_VERSION);
		assert_null(h.payload);
	}
	/* The version is checked before the type: a future version may
	 * define new types. */
	buf[0] = 0xee;
	assert_int_equal(wire_parse(buf, sizeof(buf), &h), WIRE_ERR_VERSION);
}

static void test_unknown_type(void **state)
{
	uint8_t buf[WIRE_SESSION_REQUEST_LEN] = { 0 };
	struct wire_header h;

	for (unsigned int t = 0; t < 256; t++) {
		if (known_type(t))
			continue;
		buf[0] = (uint8_t)t;
		buf[1] = WIRE_VERSION;
		assert_int_equal(wire_parse(buf, sizeof(buf), &h),
				 WIRE_ERR_TYPE);
		assert_null(h.payload);
		assert_int_equal(h.payload_len, 0);
	}
}

static void test_empty_payload(void **state)
{
	uint8_t buf[WIRE_HANDSHAKE_HEADER_LEN];
	struct wire_header h;

	wire_put_header(buf, WIRE_TYPE_DATA, 1, 0);
	assert_int_equal(wire_parse(buf, WIRE_HEADER_LEN, &h), WIRE_ERR_EMPTY);
	assert_null(h.payload);
	wire_put_header(buf, WIRE_TYPE_HANDSHAKE, 1, 2);
	assert_int_equal(wire_parse(buf, WIRE_HANDSHAKE_HEADER_LEN, &h),
			 WIRE_ERR_EMPTY);
	assert_null(h.payload);
}

static void test_reserved_ignored(void **state)
{
	uint8_t buf[32] = { 0 };
	struct wire_header h;

	wire_put_header(buf, WIRE_TYPE_DATA, 0xabcdef01, 0);
	buf[2] = 0xff;
	buf[3] = 0x80;
	assert_int_equal(wire_parse(buf, sizeof(buf), &h), WIRE_OK);
	assert_int_equal(h.type, WIRE_TYPE_DATA);
	assert_int_equal(h.receiver_index, 0xabcdef01);
	assert_int_equal(h.payload_len, sizeof(buf) - WIRE_HEADER_LEN);
}

/*
 * The parsers must only read inside [buf, buf + len). The datagram is
 * placed so that its last byte is the last byte of a mapped page and the
 * next page is PROT_NONE: one byte too far faults, with or without ASan
 * (which cannot see heap overreads that land in cmocka's guard bytes).
 */
struct guarded {
	uint8_t *map;
	size_t page;
};

static void guarded_map(struct guarded *g)
{
	g->page = (size_t)sysconf(_SC_PAGESIZE);
	g->map = mmap(NULL, 2 * g->page, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(g->map != MAP_FAILED);
	assert_int_equal(mprotect(g->map + g->page, g->page, PROT_NONE), 0);
}

/* Copies len bytes of src right up against the guard page. */
static const uint8_t *guarded_put(struct guarded *g, const uint8_t *src,
				  size_t len)
{
	uint8_t *at = g->map + g->page - len;

	assert_true(len <= g->page);
	memset(g->map, 0xa5, g->page - len);
	memcpy(at, src, len);
	return at;
}

static void guarded_unmap(struct guarded *g)
{
	assert_int_equal(munmap(g->map, 2 * g->page), 0);
}

static void test_no_overread(void **state)
{
	uint8_t full[BUF_LEN], answer[WIRE_HEADER_LEN + 4 + 16];
	const uint8_t *buf, *token;
	struct wire_header h;
	struct guarded g;
	uint8_t kind, addr[16];
	uint16_t port;
	size_t n;
	int family;

	guarded_map(&g);
	for (size_t i = 0; i < N_TYPES; i++) {
		size_t min = types[i].min_len;

		memset(full, 0, sizeof(full));
		wire_put_header(full, types[i].type, 3, 4);
		for (size_t len = 0; len <= min; len++) {
			int want = WIRE_ERR_SHORT;

			if (len == min)
				want = WIRE_OK;
			else if (types[i].empty_at_hlen && len == types[i].hlen)
				want = WIRE_ERR_EMPTY;
			buf = guarded_put(&g, full, len);
			assert_int_equal(wire_parse(buf, len, &h), want);
		}
		/* The payload ends where the datagram does, at the guard. */
		assert_ptr_equal(h.payload + h.payload_len, buf + min);
	}

	/* The payload parsers, on every cut of a valid datagram. */
	wire_build_punch(full, full + 100, WIRE_PUNCH_PROBE);
	for (size_t len = WIRE_HEADER_LEN; len <= WIRE_PUNCH_LEN; len++) {
		buf = guarded_put(&g, full, len);
		h = (struct wire_header){ .type = WIRE_TYPE_PUNCH,
					  .payload = buf + WIRE_HEADER_LEN,
					  .payload_len = len - WIRE_HEADER_LEN };
		assert_int_equal(wire_parse_punch(&h, &token, &kind),
				 len > WIRE_HEADER_LEN + WIRE_PUNCH_TOKEN_LEN ?
				 0 : -1);
	}
	n = wire_build_probe_answer(answer, sizeof(answer), 7, AF_INET6,
				    full + 200, 4242);
	for (size_t len = WIRE_HEADER_LEN; len <= n; len++) {
		buf = guarded_put(&g, answer, len);
		h = (struct wire_header){ .type = WIRE_TYPE_NAT_PROBE,
					  .payload = buf + WIRE_HEADER_LEN,
					  .payload_len = len - WIRE_HEADER_LEN };
		assert_int_equal(wire_parse_probe(&h, &family, addr, &port),
				 len == n ? 0 : -1);
	}
	assert_int_equal(family, AF_INET6);
	assert_int_equal(port, 4242);
	guarded_unmap(&g);
}

static void test_punch(void **state)
{
	uint8_t token[WIRE_PUNCH_TOKEN_LEN], buf[WIRE_PUNCH_LEN + 8];
	const uint8_t *got;
	struct wire_header h;
	uint8_t kind;

	for (size_t i = 0; i < sizeof(token); i++)
		token[i] = (uint8_t)(0xc0 + i);
	memset(buf, 0xee, sizeof(buf));
	wire_build_punch(buf, token, WIRE_PUNCH_ANSWER);
	/* Exactly WIRE_PUNCH_LEN bytes written, zero padded. */
	assert_int_equal(buf[WIRE_PUNCH_LEN], 0xee);
	for (size_t i = WIRE_HEADER_LEN + WIRE_PUNCH_TOKEN_LEN + 1;
	     i < WIRE_PUNCH_LEN; i++)
		assert_int_equal(buf[i], 0);

	assert_int_equal(wire_parse(buf, WIRE_PUNCH_LEN, &h), WIRE_OK);
	assert_int_equal(h.type, WIRE_TYPE_PUNCH);
	assert_int_equal(h.receiver_index, 0);
	assert_int_equal(wire_parse_punch(&h, &got, &kind), 0);
	assert_ptr_equal(got, buf + WIRE_HEADER_LEN);
	assert_memory_equal(got, token, sizeof(token));
	assert_int_equal(kind, WIRE_PUNCH_ANSWER);

	wire_build_punch(buf, token, WIRE_PUNCH_PROBE);
	assert_int_equal(wire_parse(buf, WIRE_PUNCH_LEN, &h), WIRE_OK);
	assert_int_equal(wire_parse_punch(&h, &got, &kind), 0);
	assert_int_equal(kind, WIRE_PUNCH_PROBE);

	/* Unknown kinds are refused. */
	buf[WIRE_HEADER_LEN + WIRE_PUNCH_TOKEN_LEN] = 2;
	assert_int_equal(wire_parse(buf, WIRE_PUNCH_LEN, &h), WIRE_OK);
	assert_int_equal(wire_parse_punch(&h, &got, &kind), -1);
	/* And so is anything that is not a punch. */
	wire_put_header(buf, WIRE_TYPE_DATA, 1, 0);
	assert_int_equal(wire_parse(buf, WIRE_PUNCH_LEN, &h), WIRE_OK);
	assert_int_equal(wire_parse_punch(&h, &got, &kind), -1);
}

static void test_notice(void **state)
{
	uint8_t buf[WIRE_NOTICE_LEN + 1];
	struct wire_header h;
	uint64_t boot;
	uint8_t kind;

	memset(buf, 0xee, sizeof(buf));
	wire_build_notice(buf, 0xce7ecea1, 0x0123456789abcdefULL,
			  WIRE_NOTICE_UNKNOWN_CHANNEL);
	assert_int_equal(buf[WIRE_NOTICE_LEN], 0xee);
	assert_int_equal(wire_parse(buf, WIRE_NOTICE_LEN, &h), WIRE_OK);
	assert_int_equal(h.type, WIRE_TYPE_NOTICE);
	assert_int_equal(h.receiver_index, 0xce7ecea1);
	assert_int_equal(wire_parse_notice(&h, &boot, &kind), 0);
	assert_true(boot == 0x0123456789abcdefULL);
	assert_int_equal(kind, WIRE_NOTICE_UNKNOWN_CHANNEL);
	/* Short notices and unknown kinds are refused. */
	assert_int_equal(wire_parse(buf, WIRE_NOTICE_LEN - 1, &h),
			 WIRE_ERR_SHORT);
	buf[WIRE_HEADER_LEN + 8] = 3;
	assert_int_equal(wire_parse(buf, WIRE_NOTICE_LEN, &h), WIRE_OK);
	assert_int_equal(wire_parse_notice(&h, &boot, &kind), -1);
}

static void test_nat_probe(void **state)
{
	static const uint8_t v4[4] = { 198, 51, 100, 7 };
	static const uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
	uint8_t req[WIRE_NAT_PROBE_LEN + 1], ans[64], addr[16];
	struct wire_header h;
	uint16_t port;
	size_t n;
	int family;

	memset(req, 0xee, sizeof(req));
	wire_build_probe_request(req, 0xa1b2c3d4);
	assert_int_equal(req[WIRE_NAT_PROBE_LEN], 0xee);
	assert_int_equal(wire_parse(req, WIRE_NAT_PROBE_LEN, &h), WIRE_OK);
	assert_int_equal(h.type, WIRE_TYPE_NAT_PROBE);
	/* The nonce rides in the receiver index, big-endian. */
	assert_int_equal(h.receiver_index, 0xa1b2c3d4);
	assert_int_equal(req[4], 0xa1);
	assert_int_equal(wire_parse_probe(&h, &family, addr, &port), 1);
	/* A short request could be used to reflect a larger answer. */
	assert_int_equal(wire_parse(req, WIRE_NAT_PROBE_LEN - 1, &h), WIRE_OK);
	assert_int_equal(wire_parse_probe(&h, &family, addr, &port), -1);

	n = wire_build_probe_answer(ans, sizeof(ans), 0xa1b2c3d4, AF_INET, v4,
				    51820);
	assert_int_equal(n, WIRE_HEADER_LEN + 4 + 4);
	assert_true(n <= WIRE_NAT_PROBE_LEN);
	/* Port big-endian right after kind and family. */
	assert_int_equal(ans[WIRE_HEADER_LEN + 2], 51820 >> 8);
	assert_int_equal(ans[WIRE_HEADER_LEN + 3], 51820 & 0xff);
	assert_int_equal(wire_parse(ans, n, &h), WIRE_OK);
	/* The answer carries the request's nonce back. */
	assert_int_equal(h.receiver_index, 0xa1b2c3d4);
	memset(addr, 0, sizeof(addr));
	assert_int_equal(wire_parse_probe(&h, &family, addr, &port), 0);
	assert_int_equal(family, AF_INET);
	assert_int_equal(port, 51820);
	assert_memory_equal(addr, v4, sizeof(v4));
	/* The answer's length must match its family exactly. */
	assert_int_equal(wire_parse(ans, n - 1, &h), WIRE_OK);
	assert_int_equal(wire_parse_probe(&h, &family, addr, &port), -1);
	assert_int_equal(wire_parse(ans, n + 1, &h), WIRE_OK);
	assert_int_equal(wire_parse_probe(&h, &family, addr, &port), -1);

	n = wire_build_probe_answer(ans, sizeof(ans), 1, AF_INET6, v6, 1);
	assert_int_equal(n, WIRE_HEADER_LEN + 4 + 16);
	assert_true(n <= WIRE_NAT_PROBE_LEN);
	assert_int_equal(wire_parse(ans, n, &h), WIRE_OK);
	assert_int_equal(wire_parse_probe(&h, &family, addr, &port), 0);
	assert_int_equal(family, AF_INET6);
	assert_int_equal(port, 1);
	assert_memory_equal(addr, v6, sizeof(v6));

	/* Unknown address families and kinds are refused. */
	ans[WIRE_HEADER_LEN + 1] = 5;
	assert_int_equal(wire_parse(ans, n, &h), WIRE_OK);
	assert_int_equal(wire_parse_probe(&h, &family, addr, &port), -1);
	ans[WIRE_HEADER_LEN + 1] = 6;
	ans[WIRE_HEADER_LEN] = 2;
	assert_int_equal(wire_parse(ans, n, &h), WIRE_OK);
	assert_int_equal(wire_parse_probe(&h, &family, addr, &port), -1);

	/* No room: nothing written. */
	memset(ans, 0xee, sizeof(ans));
	assert_int_equal(wire_build_probe_answer(ans, WIRE_HEADER_LEN + 4 + 15,
						 1, AF_INET6, v6, 1), 0);
	assert_int_equal(ans[0], 0xee);
}

static void test_strerror(void **state)
{
	static const int codes[] = { WIRE_OK, WIRE_ERR_SHORT,
				     WIRE_ERR_VERSION, WIRE_ERR_TYPE,
				     WIRE_ERR_EMPTY };

	/* Every code has its own message, and unknown codes still get one. */
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *a = wire_parse_strerror(codes[i]);

		assert_non_null(a);
		assert_string_not_equal(a, "unknown error");
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(a,
						wire_parse_strerror(codes[j]));
	}
	assert_string_equal(wire_parse_strerror(-100), "unknown error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_index_extremes),
		cmocka_unit_test(test_put_header_bytes),
		cmocka_unit_test(test_parse_big_endian),
		cmocka_unit_test(test_too_short),
		cmocka_unit_test(test_handshake_needs_12),
		cmocka_unit_test(test_session_request_len),
		cmocka_unit_test(test_wrong_version),
		cmocka_unit_test(test_unknown_type),
		cmocka_unit_test(test_empty_payload),
		cmocka_unit_test(test_reserved_ignored),
		cmocka_unit_test(test_no_overread),
		cmocka_unit_test(test_punch),
		cmocka_unit_test(test_nat_probe),
		cmocka_unit_test(test_notice),
		cmocka_unit_test(test_strerror),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
