// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * dns_answer(): each kind of answer, checked by parsing it with ldns.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <ldns/ldns.h>

#include "dns_answer.h"

static int lookups;

static enum dns_name_result table(void *ctx, const char *name,
				  struct dns_addrs *out)
{
	(void)ctx;
	lookups++;
	if (!strcmp(name, "office")) {
		out->has_v4 = true;
		inet_pton(AF_INET, "10.77.0.11", &out->v4);
		return DNS_NAME_FOUND;
	}
	if (!strcmp(name, "dual")) {
		out->has_v4 = out->has_v6 = true;
		inet_pton(AF_INET, "10.77.0.12", &out->v4);
		inet_pton(AF_INET6, "fd77::12", &out->v6);
		return DNS_NAME_FOUND;
	}
	if (!strcmp(name, "later"))
		return DNS_NAME_UNKNOWN;
	return DNS_NAME_NONE;
}

static size_t query(const char *name, ldns_rr_type type, uint8_t *buf)
{
	ldns_pkt *q = NULL;
	uint8_t *wire = NULL;
	size_t size = 0;

	assert_int_equal(ldns_pkt_query_new_frm_str(&q, name, type,
						    LDNS_RR_CLASS_IN, LDNS_RD),
			 LDNS_STATUS_OK);
	ldns_pkt_set_id(q, 0xbeef);
	assert_int_equal(ldns_pkt2wire(&wire, q, &size), LDNS_STATUS_OK);
	memcpy(buf, wire, size);
	free(wire);
	ldns_pkt_free(q);
	return size;
}

/* Asks name/type over UDP; the outcome, and the answer parsed in *out. */
static enum dns_outcome ask(const char *name, ldns_rr_type type, bool give_up,
			    ldns_pkt **out, size_t *qlen, size_t *alen)
{
	static uint8_t q[512], a[DNS_TCP_MAX];
	char pending[DNS_NAME_MAX] = "";
	struct dns_request req = { .query = q, .domain = "pod",
				   .give_up = give_up };
	enum dns_outcome o;

	req.len = *qlen = query(name, type, q);
	o = dns_answer(&req, table, NULL, a, sizeof(a), alen, pending);
	*out = NULL;
	if (o == DNS_PENDING)
		assert_string_equal(pending, "later");
	if (o != DNS_DROP && o != DNS_PENDING) {
		assert_int_equal(ldns_wire2pkt(out, a, *alen), LDNS_STATUS_OK);
		assert_int_equal(ldns_pkt_id(*out), 0xbeef);
		assert_true(ldns_pkt_qr(*out));
		assert_false(ldns_pkt_ra(*out));
		assert_int_equal(ldns_pkt_qdcount(*out), 1);
	}
	return o;
}

static void test_a(void **state)
{
	size_t ql, al;
	ldns_pkt *r;
	ldns_rr *rr;
	char *s;

	(void)state;
	assert_int_equal(ask("Office.POD.", LDNS_RR_TYPE_A, false, &r, &ql, &al),
			 DNS_ANSWERED);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_true(ldns_pkt_aa(r));
	assert_int_equal(ldns_pkt_ancount(r), 1);
	rr = ldns_rr_list_rr(ldns_pkt_answer(r), 0);
	assert_int_equal(ldns_rr_get_type(rr), LDNS_RR_TYPE_A);
	assert_int_equal(ldns_rr_ttl(rr), DNS_TTL);
	s = ldns_rdf2str(ldns_rr_rdf(rr, 0));
	assert_string_equal(s, "10.77.0.11");
	free(s);
	ldns_pkt_free(r);
}

static void test_aaaa(void **state)
{
	size_t ql, al;
	ldns_pkt *r;

	(void)state;
	/* No IPv6 address: NODATA, with the SOA for negative caching. */
	assert_int_equal(ask("office.pod.", LDNS_RR_TYPE_AAAA, false, &r, &ql,
			     &al), DNS_ANSWERED);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NOERROR);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	assert_int_equal(ldns_pkt_nscount(r), 1);
	ldns_pkt_free(r);
	assert_int_equal(ask("dual.pod.", LDNS_RR_TYPE_AAAA, false, &r, &ql,
			     &al), DNS_ANSWERED);
	assert_int_equal(ldns_pkt_ancount(r), 1);
	ldns_pkt_free(r);
	assert_int_equal(ask("dual.pod.", LDNS_RR_TYPE_ANY, false, &r, &ql,
			     &al), DNS_ANSWERED);
	assert_int_equal(ldns_pkt_ancount(r), 2);
	ldns_pkt_free(r);
}

static void test_nxdomain(void **state)
{
	size_t ql, al;
	ldns_pkt *r;
	ldns_rr *soa;

	(void)state;
	assert_int_equal(ask("nobody.pod.", LDNS_RR_TYPE_A, false, &r, &ql,
			     &al), DNS_NXDOMAIN);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_NXDOMAIN);
	assert_int_equal(ldns_pkt_nscount(r), 1);
	soa = ldns_rr_list_rr(ldns_pkt_authority(r), 0);
	assert_int_equal(ldns_rr_get_type(soa), LDNS_RR_TYPE_SOA);
	assert_int_equal(ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)),
			 DNS_NEGATIVE_TTL);
	ldns_pkt_free(r);
	/* Not a node's name at all: not even looked up. */
	lookups = 0;
	assert_int_equal(ask("a\\032b.pod.", LDNS_RR_TYPE_A, false, &r, &ql,
			     &al), DNS_NXDOMAIN);
	assert_int_equal(lookups, 0);
	ldns_pkt_free(r);
}

static void test_refused(void **state)
{
	static const char *names[] = {
		"example.com.", "pod.example.", "xpod.", "office.pod.evil.",
		"a-very-long-name-indeed.example.org.",
	};
	size_t ql, al;
	ldns_pkt *r;

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		assert_int_equal(ask(names[i], LDNS_RR_TYPE_ANY, false, &r,
				     &ql, &al), DNS_REFUSED);
		assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_REFUSED);
		assert_int_equal(ldns_pkt_ancount(r) + ldns_pkt_nscount(r) +
				 ldns_pkt_arcount(r), 0);
		/* No amplification. */
		assert_true(al <= ql);
		ldns_pkt_free(r);
	}
}

static void test_pending(void **state)
{
	size_t ql, al;
	ldns_pkt *r;

	(void)state;
	assert_int_equal(ask("later.pod.", LDNS_RR_TYPE_A, false, &r, &ql, &al),
			 DNS_PENDING);
	assert_int_equal(ask("later.pod.", LDNS_RR_TYPE_A, true, &r, &ql, &al),
			 DNS_SERVFAIL);
	assert_int_equal(ldns_pkt_get_rcode(r), LDNS_RCODE_SERVFAIL);
	ldns_pkt_free(r);
}

static void test_apex(void **state)
{
	size_t ql, al;
	ldns_pkt *r;

	(void)state;
	assert_int_equal(ask("pod.", LDNS_RR_TYPE_SOA, false, &r, &ql, &al),
			 DNS_ANSWERED);
	assert_int_equal(ldns_pkt_ancount(r), 1);
	ldns_pkt_free(r);
}

/* Too large for UDP: the question alone, TC set; whole over TCP. */
static void test_truncated(void **state)
{
	uint8_t q[512], a[DNS_TCP_MAX];
	char name[DNS_NAME_MAX];
	struct dns_request req = { .query = q, .domain = "pod" };
	size_t alen;
	ldns_pkt *r;

	(void)state;
	req.len = query("dual.pod.", LDNS_RR_TYPE_ANY, q);
	req.udp_max = req.len + 10;
	assert_int_equal(dns_answer(&req, table, NULL, a, sizeof(a), &alen,
				    name), DNS_ANSWERED);
	assert_int_equal(alen, req.len);
	assert_int_equal(ldns_wire2pkt(&r, a, alen), LDNS_STATUS_OK);
	assert_true(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_qdcount(r), 1);
	assert_int_equal(ldns_pkt_ancount(r), 0);
	ldns_pkt_free(r);
	req.tcp = true;
	assert_int_equal(dns_answer(&req, table, NULL, a, sizeof(a), &alen,
				    name), DNS_ANSWERED);
	assert_int_equal(ldns_wire2pkt(&r, a, alen), LDNS_STATUS_OK);
	assert_false(ldns_pkt_tc(r));
	assert_int_equal(ldns_pkt_ancount(r), 2);
	ldns_pkt_free(r);
}

/* Answers, truncated queries, several questions: dropped. */
static void test_drop(void **state)
{
	uint8_t q[512], a[DNS_UDP_MAX];
	char name[DNS_NAME_MAX];
	struct dns_request req = { .query = q, .domain = "pod" };
	size_t len = query("office.pod.", LDNS_RR_TYPE_A, q), alen;

	(void)state;
	q[2] |= 0x80;			/* QR: an answer */
	req.len = len;
	assert_int_equal(dns_answer(&req, table, NULL, a, sizeof(a), &alen,
				    name), DNS_DROP);
	q[2] &= 0x7f;
	req.len = len - 1;		/* cut short */
	assert_int_equal(dns_answer(&req, table, NULL, a, sizeof(a), &alen,
				    name), DNS_DROP);
	req.len = len;
	q[5] = 2;			/* two questions, one present */
	assert_int_equal(dns_answer(&req, table, NULL, a, sizeof(a), &alen,
				    name), DNS_DROP);
	q[5] = 1;
	req.len = 5;
	assert_int_equal(dns_answer(&req, table, NULL, a, sizeof(a), &alen,
				    name), DNS_DROP);
	req.len = len;
	assert_int_equal(dns_answer(&req, table, NULL, a, sizeof(a), &alen,
				    name), DNS_ANSWERED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a),
		cmocka_unit_test(test_aaaa),
		cmocka_unit_test(test_nxdomain),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_pending),
		cmocka_unit_test(test_apex),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_drop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
