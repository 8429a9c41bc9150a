// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for wire_parse() and the payload parsers behind it, the
 * first code every datagram from the network meets. Besides memory errors
 * it checks the parser's promises: the payload lies inside the datagram,
 * and a header it accepts is the one wire_put_header() would have written.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire.h"
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_header h;
	uint8_t again[WIRE_HANDSHAKE_HEADER_LEN];
	size_t hlen;
	int ret;

	ret = wire_parse(data, size, &h);
	CHECK(wire_parse_strerror(ret) != NULL);
	if (ret != WIRE_OK) {
		CHECK(ret < 0 && !h.payload && !h.payload_len);
		return 0;
	}
	CHECK(h.version == WIRE_VERSION);
	CHECK(h.payload && h.payload > data);
	CHECK(h.payload + h.payload_len == data + size);
	if (h.type == WIRE_TYPE_SESSION_REQUEST)
		CHECK(size >= WIRE_SESSION_REQUEST_LEN);
	else
		CHECK(h.payload_len > 0);

	/* Re-encoding gives the same bytes, apart from the reserved ones. */
	hlen = wire_put_header(again, h.type, h.receiver_index,
			       h.sender_index);
	CHECK(data + hlen == h.payload);
	CHECK(again[0] == data[0] && again[1] == data[1]);
	CHECK(!memcmp(again + 4, data + 4, hlen - 4));

	if (h.type == WIRE_TYPE_PUNCH) {
		const uint8_t *token;
		uint8_t kind;

		if (!wire_parse_punch(&h, &token, &kind))
			CHECK(token == h.payload && kind <= WIRE_PUNCH_ANSWER);
	} else if (h.type == WIRE_TYPE_NOTICE) {
		uint64_t boot;
		uint8_t kind;

		/* A notice never answers a shorter datagram: it has one size. */
		CHECK(size >= WIRE_NOTICE_LEN);
		if (!wire_parse_notice(&h, &boot, &kind))
			CHECK(kind == WIRE_NOTICE_UNKNOWN_SESSION ||
			      kind == WIRE_NOTICE_UNKNOWN_CHANNEL);
	} else if (h.type == WIRE_TYPE_NAT_PROBE) {
		uint8_t addr[16];
		uint16_t port;
		int family;

		ret = wire_parse_probe(&h, &family, addr, &port);
		if (ret == 1)
			CHECK(size >= WIRE_NAT_PROBE_LEN);
		else if (ret == 0)
			/* An answer is never larger than a request. */
			CHECK(size <= WIRE_NAT_PROBE_LEN &&
			      (family == AF_INET || family == AF_INET6));
	}
	return 0;
}

/* The largest datagrams: a 64 KB data record, relayed and not. */
static void write_seeds(void)
{
	static uint8_t buf[65507];
	size_t n;

	n = wire_put_header(buf, WIRE_TYPE_DATA, 0x11111111, 0);
	memset(buf + n, 0x17, sizeof(buf) - n);
	seed_write("data-64k", buf, sizeof(buf));
	n = wire_put_header(buf, WIRE_TYPE_RELAY, 0x01020304, 0);
	n += wire_put_header(buf + n, WIRE_TYPE_DATA, 0x11111111, 0);
	memset(buf + n, 0x17, sizeof(buf) - n);
	seed_write("relay-64k", buf, sizeof(buf));
}
