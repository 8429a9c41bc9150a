/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The node's DNS server (dns.c): NAME.DOMAIN on the node's virtual
 * address, UDP and TCP port 53, for the node itself and its peers through
 * the tunnel. Names come from the certificates the node knows and from
 * rendezvous lookups; dns_answer.c builds the answers.
 */
#ifndef _PODNET_DNS_H
#define _PODNET_DNS_H

#include <ev.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "addr.h"
#include "dns_answer.h"
#include "token_bucket.h"

struct node;

#define DNS_PENDING_MAX 32	/* queries waiting for a lookup */
#define DNS_CACHE_SIZE 64	/* names the rendezvous told us about */
#define DNS_TCP_CONNS 16
#define DNS_WAIT 2.0		/* s a query waits before SERVFAIL */

/* A query waiting for a name: its bytes and where the answer goes. */
struct dns_pending {
	bool used;
	ev_tstamp deadline;
	char name[DNS_NAME_MAX];
	uint8_t query[DNS_QUERY_MAX];
	size_t len;
	struct endpoint from;		/* UDP */
	int tcp;			/* index in tcp[], or -1: UDP */
	unsigned int tcp_gen;		/* that connection's generation */
	unsigned int asked, not_found;	/* rendezvous nodes */
};

/* What a rendezvous said of a name, for DNS_TTL (or DNS_NEGATIVE_TTL). */
struct dns_cached {
	char name[DNS_NAME_MAX];
	bool found;
	bool has_v4, has_v6;
	struct in_addr v4;
	struct in6_addr v6;
	ev_tstamp when;
};

struct dns_tcp {
	struct node *node;
	int fd;				/* -1: free */
	unsigned int gen;		/* bumped when fd closes */
	ev_io watcher;
	ev_timer idle;
	uint8_t buf[2 + DNS_QUERY_MAX];
	size_t have;
};

struct dns_stats {
	uint64_t answered;	/* NOERROR, with or without records */
	uint64_t nxdomain;
	uint64_t refused;	/* not our domain, not a query */
	uint64_t servfail;	/* a lookup that did not come back in time */
	uint64_t malformed;	/* dropped: not a DNS query */
	uint64_t dropped;	/* over the query rate, or not from the
				 * node or its peers */
};

/* Listening on one virtual address: IPv4, or IPv6. */
struct dns_listener {
	int udp_fd, tcp_fd;		/* -1: not listening */
	ev_io udp_watcher, tcp_watcher;
};

struct node_dns {
	bool running;
	struct dns_listener v4, v6;
	ev_timer tick;			/* pending queries' deadlines */
	struct dns_pending pending[DNS_PENDING_MAX];
	struct dns_cached cache[DNS_CACHE_SIZE];
	struct dns_tcp tcp[DNS_TCP_CONNS];
	struct token_bucket bucket;	/* queries */
	struct token_bucket lookups;	/* names asked of the rendezvous */
	int lo_ifindex;
	bool resolved;			/* registered with systemd-resolved */
	struct dns_stats stats;
};

/* After the interface has its address; a port already taken is a warning,
 * not a failure. */
void dns_open(struct node *node);
void dns_close(struct node *node);
/* The rendezvous told us where name is (IPv4 0.0.0.0: none; v6 NULL:
 * none), or that it does not know it. */
void dns_name_learned(struct node *node, const char *name,
		      struct in_addr vaddr, const struct in6_addr *v6);
void dns_name_not_found(struct node *node, const char *name);
/* A rendezvous (re)registered us: names still waited for are asked again. */
void dns_rendezvous_registered(struct node *node);

/* dns_resolved.c: per-link DNS in systemd-resolved, where it runs. */
/* addr6: NULL when the server does not listen on IPv6. */
bool dns_resolved_register(const char *ifname, const char *addr,
			   const char *addr6, const char *domain);
void dns_resolved_revert(const char *ifname);

#endif /* _PODNET_DNS_H */
