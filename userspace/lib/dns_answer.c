// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * One DNS answer from one query (dns_answer.h), built with ldns.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ldns/ldns.h>

#include "dns_answer.h"

/* What the query asks, once ldns has parsed it. */
struct question {
	const ldns_rr *q;
	ldns_rr_type type;
	bool in_domain;
	bool apex;		/* DOMAIN itself */
	char rel[DNS_NAME_MAX];	/* NAME of NAME.DOMAIN */
	bool rel_valid;		/* could be a node's name */
};

static void lowercase(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

/* cert_name_valid()'s set, lowercase (cert.h would bring wolfSSL in). */
static bool node_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/*
 * Where the name stands to the domain. ldns writes the name in
 * presentation format, with any odd byte escaped (\. \065), so a name
 * whose labels hold only a node name's characters reads as it is and any
 * other fails node_name().
 */
static int classify(const ldns_rdf *owner, const char *domain,
		    struct question *qn)
{
	char *s = ldns_rdf2str(owner);
	size_t len, dlen = strlen(domain);

	if (!s)
		return -1;
	lowercase(s);
	len = strlen(s);
	if (len && s[len - 1] == '.')
		s[--len] = '\0';
	if (len == dlen && !memcmp(s, domain, dlen)) {
		qn->in_domain = qn->apex = true;
	} else if (len > dlen + 1 && s[len - dlen - 1] == '.' &&
		   !memcmp(s + len - dlen, domain, dlen)) {
		size_t rlen = len - dlen - 1;

		qn->in_domain = true;
		if (rlen < sizeof(qn->rel)) {
			memcpy(qn->rel, s, rlen);
			qn->rel[rlen] = '\0';
			qn->rel_valid = node_name(qn->rel);
		}
	}
	free(s);
	return 0;
}

static ldns_pkt *reply_new(const ldns_pkt *query, const ldns_rr *q,
			   ldns_pkt_rcode rcode, bool aa)
{
	ldns_pkt *r = ldns_pkt_new();
	ldns_rr *qc;

	if (!r)
		return NULL;
	ldns_pkt_set_id(r, ldns_pkt_id(query));
	ldns_pkt_set_qr(r, true);
	ldns_pkt_set_opcode(r, ldns_pkt_get_opcode(query));
	ldns_pkt_set_rd(r, ldns_pkt_rd(query));
	ldns_pkt_set_cd(r, ldns_pkt_cd(query));
	ldns_pkt_set_aa(r, aa);
	/* We never recurse: RA stays clear. */
	ldns_pkt_set_rcode(r, (uint8_t)rcode);
	if (q) {
		qc = ldns_rr_clone(q);
		if (!qc || !ldns_pkt_push_rr(r, LDNS_SECTION_QUESTION, qc)) {
			ldns_rr_free(qc);
			ldns_pkt_free(r);
			return NULL;
		}
	}
	return r;
}

static bool push_addr(ldns_pkt *r, const ldns_rr *q, ldns_rr_type type,
		      const void *addr, size_t len)
{
	ldns_rr *rr = ldns_rr_new();
	ldns_rdf *owner, *data;

	if (!rr)
		return false;
	owner = ldns_rdf_clone(ldns_rr_owner(q));
	data = ldns_rdf_new_frm_data(type == LDNS_RR_TYPE_A ? LDNS_RDF_TYPE_A :
				     LDNS_RDF_TYPE_AAAA, len, addr);
	if (!owner || !data) {
		ldns_rdf_deep_free(owner);
		ldns_rdf_deep_free(data);
		ldns_rr_free(rr);
		return false;
	}
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_type(rr, type);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_set_ttl(rr, DNS_TTL);
	if (!ldns_rr_push_rdf(rr, data)) {
		ldns_rdf_deep_free(data);
		ldns_rr_free(rr);
		return false;
	}
	if (!ldns_pkt_push_rr(r, LDNS_SECTION_ANSWER, rr)) {
		ldns_rr_free(rr);
		return false;
	}
	return true;
}

/* The domain's SOA: in the authority section of a negative answer, its
 * minimum is how long resolvers may cache "no such name" (RFC 2308). */
static bool push_soa(ldns_pkt *r, const char *domain, ldns_pkt_section sec)
{
	char text[3 * 256 + 64];
	ldns_rr *rr = NULL;

	snprintf(text, sizeof(text), "%s. %u IN SOA %s. %s. 1 3600 600 86400 %u",
		 domain, DNS_NEGATIVE_TTL, domain, domain, DNS_NEGATIVE_TTL);
	if (ldns_rr_new_frm_str(&rr, text, 0, NULL, NULL) != LDNS_STATUS_OK)
		return false;
	if (!ldns_pkt_push_rr(r, sec, rr)) {
		ldns_rr_free(rr);
		return false;
	}
	return true;
}

/* The records for a name that exists; none (NODATA) is a valid answer. */
static bool push_records(ldns_pkt *r, const struct question *qn,
			 const struct dns_addrs *a, const char *domain)
{
	bool any = qn->type == LDNS_RR_TYPE_ANY;
	bool pushed = false;

	if ((any || qn->type == LDNS_RR_TYPE_A) && a->has_v4) {
		if (!push_addr(r, qn->q, LDNS_RR_TYPE_A, &a->v4, 4))
			return false;
		pushed = true;
	}
	if ((any || qn->type == LDNS_RR_TYPE_AAAA) && a->has_v6) {
		if (!push_addr(r, qn->q, LDNS_RR_TYPE_AAAA, &a->v6, 16))
			return false;
		pushed = true;
	}
	return pushed || push_soa(r, domain, LDNS_SECTION_AUTHORITY);
}

static bool apex_records(ldns_pkt *r, const struct question *qn,
			 const char *domain)
{
	if (qn->type == LDNS_RR_TYPE_SOA || qn->type == LDNS_RR_TYPE_ANY)
		return push_soa(r, domain, LDNS_SECTION_ANSWER);
	return push_soa(r, domain, LDNS_SECTION_AUTHORITY);
}

/* r to wire in out; a UDP answer too large keeps its question only and
 * says so (TC), and the client asks again over TCP. */
static int emit(ldns_pkt *r, const struct dns_request *req, uint8_t *out,
		size_t cap, size_t *out_len)
{
	size_t limit = req->tcp ? DNS_TCP_MAX :
		       req->udp_max ? req->udp_max : DNS_UDP_MAX;
	uint8_t *wire = NULL;
	size_t size = 0;

	if (limit > cap)
		limit = cap;
	if (ldns_pkt2wire(&wire, r, &size) != LDNS_STATUS_OK)
		return -1;
	if (size > limit) {
		free(wire);
		wire = NULL;
		ldns_rr_list_deep_free(ldns_pkt_answer(r));
		ldns_rr_list_deep_free(ldns_pkt_authority(r));
		ldns_rr_list_deep_free(ldns_pkt_additional(r));
		ldns_pkt_set_answer(r, ldns_rr_list_new());
		ldns_pkt_set_authority(r, ldns_rr_list_new());
		ldns_pkt_set_additional(r, ldns_rr_list_new());
		ldns_pkt_set_ancount(r, 0);
		ldns_pkt_set_nscount(r, 0);
		ldns_pkt_set_arcount(r, 0);
		ldns_pkt_set_tc(r, true);
		if (ldns_pkt2wire(&wire, r, &size) != LDNS_STATUS_OK)
			return -1;
		if (size > limit) {
			free(wire);
			return -1;
		}
	}
	memcpy(out, wire, size);
	*out_len = size;
	free(wire);
	return 0;
}

enum dns_outcome dns_answer(const struct dns_request *req, dns_lookup_fn fn,
			    void *ctx, uint8_t *out, size_t cap,
			    size_t *out_len, char *name)
{
	struct question qn = { 0 };
	struct dns_addrs addrs = { 0 };
	enum dns_outcome o = DNS_DROP;
	ldns_pkt_rcode rcode = LDNS_RCODE_NOERROR;
	ldns_pkt *query = NULL, *r = NULL;
	bool ok;

	if (cap < DNS_UDP_MAX || req->len < LDNS_HEADER_SIZE ||
	    req->len > DNS_QUERY_MAX ||
	    ldns_wire2pkt(&query, req->query, req->len) != LDNS_STATUS_OK)
		return DNS_DROP;
	/* Never answer an answer: two servers would talk for ever. */
	if (ldns_pkt_qr(query) || ldns_pkt_qdcount(query) != 1 ||
	    ldns_rr_list_rr_count(ldns_pkt_question(query)) != 1)
		goto out;
	qn.q = ldns_rr_list_rr(ldns_pkt_question(query), 0);
	qn.type = ldns_rr_get_type(qn.q);
	/* A query shorter than its question written out compressed the
	 * name (into the header: nothing else comes before it). No client
	 * does; echoed, it would make the answer up to 15 times the query. */
	if (req->len < LDNS_HEADER_SIZE + ldns_rdf_size(ldns_rr_owner(qn.q)) + 4)
		goto out;
	if (classify(ldns_rr_owner(qn.q), req->domain, &qn))
		goto out;
	if (ldns_pkt_get_opcode(query) != LDNS_PACKET_QUERY ||
	    !qn.in_domain || ldns_pkt_ancount(query) ||
	    ldns_pkt_nscount(query) ||
	    (ldns_rr_get_class(qn.q) != LDNS_RR_CLASS_IN &&
	     ldns_rr_get_class(qn.q) != LDNS_RR_CLASS_ANY)) {
		/* The question alone: never larger than the query. */
		r = reply_new(query, qn.q, LDNS_RCODE_REFUSED, false);
		o = DNS_REFUSED;
		goto build;
	}
	if (qn.apex) {
		r = reply_new(query, qn.q, LDNS_RCODE_NOERROR, true);
		if (r && !apex_records(r, &qn, req->domain))
			goto fail;
		o = DNS_ANSWERED;
		goto build;
	}
	switch (qn.rel_valid ? fn(ctx, qn.rel, &addrs) : DNS_NAME_NONE) {
	case DNS_NAME_FOUND:
		o = DNS_ANSWERED;
		break;
	case DNS_NAME_UNKNOWN:
		if (!req->give_up) {
			snprintf(name, DNS_NAME_MAX, "%s", qn.rel);
			o = DNS_PENDING;
			goto out;
		}
		o = DNS_SERVFAIL;
		rcode = LDNS_RCODE_SERVFAIL;
		break;
	case DNS_NAME_NONE:
	default:
		o = DNS_NXDOMAIN;
		rcode = LDNS_RCODE_NXDOMAIN;
		break;
	}
	r = reply_new(query, qn.q, rcode, o != DNS_SERVFAIL);
	if (!r)
		goto fail;
	if (o == DNS_ANSWERED)
		ok = push_records(r, &qn, &addrs, req->domain);
	else if (o == DNS_NXDOMAIN)
		ok = push_soa(r, req->domain, LDNS_SECTION_AUTHORITY);
	else
		ok = true;
	if (!ok)
		goto fail;
build:
	if (!r || emit(r, req, out, cap, out_len))
		goto fail;
	goto out;
fail:
	/* Out of memory, or ldns would not build it: no answer. */
	o = DNS_DROP;
out:
	ldns_pkt_free(r);
	ldns_pkt_free(query);
	return o;
}

const char *dns_outcome_name(enum dns_outcome o)
{
	switch (o) {
	case DNS_DROP: return "drop";
	case DNS_ANSWERED: return "answered";
	case DNS_NXDOMAIN: return "nxdomain";
	case DNS_REFUSED: return "refused";
	case DNS_SERVFAIL: return "servfail";
	case DNS_PENDING: return "pending";
	}
	return "?";
}
