// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for dns_answer(): any bytes as a query, over UDP or
 * TCP (the first byte chooses, and whether a wait gives up), against a
 * small table of names. Checks, besides memory errors, that an answer
 * carries the query's id with QR set, that a UDP answer fits 512 bytes,
 * and that REFUSED is never larger than its query (no amplification; the
 * fuzzer found a question name compressed into the header, which now is
 * dropped).
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns_answer.h"
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static enum dns_name_result table(void *ctx, const char *name,
				  struct dns_addrs *out)
{
	(void)ctx;
	if (!strcmp(name, "office")) {
		out->has_v4 = out->has_v6 = true;
		inet_pton(AF_INET, "10.77.0.2", &out->v4);
		inet_pton(AF_INET6, "fd77::2", &out->v6);
		return DNS_NAME_FOUND;
	}
	if (!strcmp(name, "home")) {
		out->has_v4 = true;
		inet_pton(AF_INET, "10.77.0.3", &out->v4);
		return DNS_NAME_FOUND;
	}
	if (!strcmp(name, "later"))
		return DNS_NAME_UNKNOWN;
	return DNS_NAME_NONE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[DNS_TCP_MAX];
	char name[DNS_NAME_MAX];
	struct dns_request req;
	enum dns_outcome o;
	size_t len = 0;

	if (!size)
		return 0;
	req = (struct dns_request){
		.query = data + 1, .len = size - 1, .tcp = data[0] & 1,
		.domain = data[0] & 4 ? "corp.example" : "pod",
		.give_up = data[0] & 2,
		/* Small enough to truncate most answers. */
		.udp_max = data[0] & 8 ? 64 : 0,
	};
	o = dns_answer(&req, table, NULL, out, sizeof(out), &len, name);
	if (o == DNS_DROP || o == DNS_PENDING)
		return 0;
	CHECK(len >= 12 && len <= (req.tcp ? DNS_TCP_MAX :
				   req.udp_max ? req.udp_max : DNS_UDP_MAX));
	CHECK(!memcmp(out, req.query, 2) && (out[2] & 0x80));
	if (o == DNS_REFUSED)
		CHECK(len <= req.len);
	return 0;
}

static void seed(const char *file, const char *qname, ldns_rr_type type,
		 bool edns, uint8_t flags)
{
	ldns_pkt *q = NULL;
	uint8_t *wire = NULL, buf[1 + DNS_QUERY_MAX];
	size_t size = 0;

	if (ldns_pkt_query_new_frm_str(&q, qname, type, LDNS_RR_CLASS_IN,
				       LDNS_RD) != LDNS_STATUS_OK)
		exit(1);
	ldns_pkt_set_id(q, 0x1234);
	if (edns)
		ldns_pkt_set_edns_udp_size(q, 1232);
	if (ldns_pkt2wire(&wire, q, &size) != LDNS_STATUS_OK ||
	    size > DNS_QUERY_MAX)
		exit(1);
	buf[0] = flags;
	memcpy(buf + 1, wire, size);
	seed_write(file, buf, size + 1);
	free(wire);
	ldns_pkt_free(q);
}

/* Queries of each kind the server answers differently. */
static void write_seeds(void)
{
	seed("a-office", "office.pod.", LDNS_RR_TYPE_A, false, 0);
	seed("aaaa-office-tcp", "Office.POD.", LDNS_RR_TYPE_AAAA, false, 1);
	seed("aaaa-home", "home.pod.", LDNS_RR_TYPE_AAAA, true, 0);
	seed("any-office", "office.pod.", LDNS_RR_TYPE_ANY, true, 0);
	seed("a-unknown", "nobody.pod.", LDNS_RR_TYPE_A, false, 0);
	seed("a-later", "later.pod.", LDNS_RR_TYPE_A, false, 0);
	seed("a-later-give-up", "later.pod.", LDNS_RR_TYPE_A, false, 2);
	seed("soa-apex", "pod.", LDNS_RR_TYPE_SOA, false, 0);
	seed("a-other-domain", "example.com.", LDNS_RR_TYPE_A, true, 0);
	seed("mx-office", "office.pod.", LDNS_RR_TYPE_MX, false, 0);
	seed("a-corp", "office.corp.example.", LDNS_RR_TYPE_A, false, 4);
	seed("a-escaped", "of\\.fice.pod.", LDNS_RR_TYPE_A, false, 0);
	seed("any-office-truncated", "office.pod.", LDNS_RR_TYPE_ANY, false, 8);
}
