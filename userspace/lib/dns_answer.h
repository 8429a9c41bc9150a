/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The DNS answer for one query, as a pure function: query bytes and a way
 * to look names up in, answer bytes out. Packets are parsed and built by
 * ldns. Only NAME.DOMAIN is answered (A, AAAA, ANY); everything else is
 * REFUSED, never recursed, and no answer outside the domain is larger
 * than its query, so the server cannot amplify. dns.c owns the sockets.
 *
 * ldns's headers pull in OpenSSL's, which clash with wolfSSL's: only
 * dns_answer.c includes them, and this header includes neither.
 */
#ifndef _PODNET_DNS_ANSWER_H
#define _PODNET_DNS_ANSWER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


/* The largest UDP answer without EDNS (RFC 1035), and the largest query
 * we read: a query is one name and a few options. */
#define DNS_UDP_MAX 512
#define DNS_QUERY_MAX 1232
#define DNS_TCP_MAX 65535
/* Seconds: answers, and "no such name" (short, for nodes that join). */
#define DNS_TTL 60
/* A node's name with its NUL: CERT_NAME_MAX (dns.c checks). */
#define DNS_NAME_MAX 64
#define DNS_NEGATIVE_TTL 5

struct dns_addrs {
	bool has_v4, has_v6;
	struct in_addr v4;
	struct in6_addr v6;
};

enum dns_name_result {
	DNS_NAME_FOUND,		/* *out filled */
	DNS_NAME_NONE,		/* no such node: NXDOMAIN */
	DNS_NAME_UNKNOWN,	/* not known yet: worth waiting for */
};

/* name: the part before .DOMAIN, lowercase, of the characters a
 * certificate's name may hold (cert_name_valid()). */
typedef enum dns_name_result (*dns_lookup_fn)(void *ctx, const char *name,
					      struct dns_addrs *out);

enum dns_outcome {
	DNS_DROP,		/* malformed, or not a query: no answer */
	DNS_ANSWERED,		/* NOERROR, with or without records */
	DNS_NXDOMAIN,
	DNS_REFUSED,
	DNS_SERVFAIL,		/* waited for a name in vain */
	DNS_PENDING,		/* no answer yet; name holds what to wait for */
};

struct dns_request {
	const uint8_t *query;
	size_t len;
	bool tcp;		/* answers up to DNS_TCP_MAX, else TC */
	size_t udp_max;		/* 0: DNS_UDP_MAX (tests set less) */
	const char *domain;	/* "pod": config's, lowercase, no final dot */
	bool give_up;		/* DNS_NAME_UNKNOWN answers SERVFAIL */
};

/*
 * Answers req into out (cap bytes, at least DNS_UDP_MAX) and sets *out_len;
 * on DNS_PENDING, name (DNS_NAME_MAX bytes) is the name to wait for.
 * Nothing is written on DNS_DROP or DNS_PENDING.
 */
enum dns_outcome dns_answer(const struct dns_request *req, dns_lookup_fn fn,
			    void *ctx, uint8_t *out, size_t cap,
			    size_t *out_len, char *name);

const char *dns_outcome_name(enum dns_outcome o);

#endif /* _PODNET_DNS_ANSWER_H */
