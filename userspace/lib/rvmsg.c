// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "rvmsg.h"

#include <string.h>

#include "cert.h"
#include "revocation.h"

struct reader {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static const uint8_t *take(struct reader *r, size_t n)
{
	const uint8_t *p = r->p;

	if (r->bad || r->left < n) {
		r->bad = true;
		return NULL;
	}
	r->p += n;
	r->left -= n;
	return p;
}

static uint8_t get_u8(struct reader *r)
{
	const uint8_t *p = take(r, 1);

	return p ? p[0] : 0;
}

static uint32_t get_be(struct reader *r, size_t n)
{
	const uint8_t *p = take(r, n);
	uint32_t v = 0;

	for (size_t i = 0; p && i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void get_candidate(struct reader *r, struct endpoint *ep)
{
	uint8_t family = get_u8(r);
	uint16_t port = (uint16_t)get_be(r, 2);
	const uint8_t *a;

	memset(ep, 0, sizeof(*ep));
	if (family == 4 && (a = take(r, 4))) {
		ep->in.sin_family = AF_INET;
		ep->in.sin_port = htons(port);
		memcpy(&ep->in.sin_addr, a, 4);
		ep->len = sizeof(ep->in);
	} else if (family == 6 && (a = take(r, 16))) {
		ep->in6.sin6_family = AF_INET6;
		ep->in6.sin6_port = htons(port);
		memcpy(&ep->in6.sin6_addr, a, 16);
		ep->len = sizeof(ep->in6);
	} else {
		r->bad = true;
	}
	if (!port)
		r->bad = true;
}

static void get_candidates(struct reader *r, struct rv_msg *m)
{
	size_t n = get_u8(r);

	if (n > RV_MAX_CANDIDATES) {
		r->bad = true;
		return;
	}
	for (size_t i = 0; i < n && !r->bad; i++)
		get_candidate(r, &m->cands[i]);
	m->n_cands = n;
}

static void get_subject(struct reader *r, struct rv_msg *m)
{
	uint8_t kind = get_u8(r);

	if (kind == 1) {
		const uint8_t *a = take(r, 4);

		m->by_vaddr = true;
		if (a)
			memcpy(&m->vaddr, a, 4);
	} else if (kind == 2) {
		const uint8_t *a = take(r, 16);

		m->by_vaddr = m->v6 = true;
		if (a)
			memcpy(&m->vaddr6, a, 16);
	} else if (kind == 0) {
		size_t n = get_u8(r);
		const uint8_t *s = take(r, n);

		/* An embedded NUL would make two encodings of one name. */
		if (!s || n == 0 || n >= sizeof(m->name) || memchr(s, 0, n)) {
			r->bad = true;
			return;
		}
		memcpy(m->name, s, n);
		m->name[n] = '\0';
		if (!cert_name_valid(m->name))
			r->bad = true;
	} else {
		r->bad = true;
	}
}

int rv_parse(const uint8_t *buf, size_t len, struct rv_msg *m)
{
	struct reader r = { .p = buf, .left = len };
	const uint8_t *p;

	memset(m, 0, sizeof(*m));
	m->type = get_u8(&r);
	switch (m->type) {
	case RV_KEEPALIVE:
		break;
	case RV_REGISTER:
		m->nat_type = get_u8(&r);
		get_candidates(&r, m);
		break;
	case RV_REGISTER_ACK:
		m->probe_port = (uint16_t)get_be(&r, 2);
		get_candidate(&r, &m->cands[0]);
		m->n_cands = 1;
		break;
	case RV_LOOKUP:
	case RV_NOT_FOUND:
		get_subject(&r, m);
		break;
	case RV_CANDIDATES:
		get_subject(&r, m);
		if (m->by_vaddr) {
			r.bad = true;	/* candidates always name the node */
			break;
		}
		p = take(&r, 4);
		if (p)
			memcpy(&m->vaddr, p, 4);
		p = take(&r, RV_TOKEN_LEN);
		if (p)
			memcpy(m->token, p, RV_TOKEN_LEN);
		m->relay_channel = get_be(&r, 4);
		m->nat_type = get_u8(&r);
		get_candidates(&r, m);
		break;
	case RV_ADDRESS6:
		get_subject(&r, m);
		if (m->by_vaddr) {
			r.bad = true;	/* names the node, as candidates */
			break;
		}
		p = take(&r, 16);
		if (p)
			memcpy(&m->vaddr6, p, 16);
		break;
	case RV_PING:
	case RV_PONG:
		m->ping_id = (uint64_t)get_be(&r, 4) << 32;
		m->ping_id |= get_be(&r, 4);
		break;
	case RV_BOOT:
		m->boot_id = (uint64_t)get_be(&r, 4) << 32;
		m->boot_id |= get_be(&r, 4);
		break;
	case RV_RELAY_LIMIT:
		m->relay_limit = get_be(&r, 4);
		break;
	case RV_REVOCATION:
		/* The rest of the record; its structure and signature are
		 * revocation_parse()'s to check. */
		if (r.left < REVOCATION_LEN(0) || r.left > REVOCATION_LEN_MAX)
			return -1;
		m->blob_len = r.left;
		m->blob = take(&r, r.left);
		break;
	default:
		return -1;
	}
	if (m->nat_type >= __NAT_TYPE_MAX)
		return -1;
	/* Trailing bytes are refused so that one message has one meaning. */
	return r.bad || r.left ? -1 : 0;
}

struct writer {
	uint8_t *p;
	size_t left;
	bool bad;
};

static void put(struct writer *w, const void *src, size_t n)
{
	if (w->bad || w->left < n) {
		w->bad = true;
		return;
	}
	memcpy(w->p, src, n);
	w->p += n;
	w->left -= n;
}

static void put_u8(struct writer *w, uint8_t v)
{
	put(w, &v, 1);
}

static void put_be(struct writer *w, uint32_t v, size_t n)
{
	uint8_t b[4];

	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
	put(w, b, n);
}

static void put_candidate(struct writer *w, const struct endpoint *ep)
{
	if (ep->sa.sa_family == AF_INET6) {
		put_u8(w, 6);
		put_be(w, ntohs(ep->in6.sin6_port), 2);
		put(w, &ep->in6.sin6_addr, 16);
	} else {
		put_u8(w, 4);
		put_be(w, ntohs(ep->in.sin_port), 2);
		put(w, &ep->in.sin_addr, 4);
	}
}

static void put_candidates(struct writer *w, const struct rv_msg *m)
{
	size_t n = m->n_cands > RV_MAX_CANDIDATES ? RV_MAX_CANDIDATES :
						    m->n_cands;

	put_u8(w, (uint8_t)n);
	for (size_t i = 0; i < n; i++)
		put_candidate(w, &m->cands[i]);
}

static void put_subject(struct writer *w, const struct rv_msg *m)
{
	if (m->by_vaddr && m->v6) {
		put_u8(w, 2);
		put(w, &m->vaddr6, 16);
	} else if (m->by_vaddr) {
		put_u8(w, 1);
		put(w, &m->vaddr, 4);
	} else {
		size_t n = strlen(m->name);

		put_u8(w, 0);
		put_u8(w, (uint8_t)n);
		put(w, m->name, n);
	}
}

size_t rv_build(const struct rv_msg *m, uint8_t *buf, size_t cap)
{
	struct writer w = { .p = buf, .left = cap };

	put_u8(&w, m->type);
	switch (m->type) {
	case RV_REGISTER:
		put_u8(&w, m->nat_type);
		put_candidates(&w, m);
		break;
	case RV_REGISTER_ACK:
		put_be(&w, m->probe_port, 2);
		put_candidate(&w, &m->cands[0]);
		break;
	case RV_LOOKUP:
	case RV_NOT_FOUND:
		put_subject(&w, m);
		break;
	case RV_CANDIDATES:
		put_u8(&w, 0);
		put_u8(&w, (uint8_t)strlen(m->name));
		put(&w, m->name, strlen(m->name));
		put(&w, &m->vaddr, 4);
		put(&w, m->token, RV_TOKEN_LEN);
		put_be(&w, m->relay_channel, 4);
		put_u8(&w, m->nat_type);
		put_candidates(&w, m);
		break;
	case RV_ADDRESS6:
		put_u8(&w, 0);
		put_u8(&w, (uint8_t)strlen(m->name));
		put(&w, m->name, strlen(m->name));
		put(&w, &m->vaddr6, 16);
		break;
	case RV_PING:
	case RV_PONG:
		put_be(&w, (uint32_t)(m->ping_id >> 32), 4);
		put_be(&w, (uint32_t)m->ping_id, 4);
		break;
	case RV_BOOT:
		put_be(&w, (uint32_t)(m->boot_id >> 32), 4);
		put_be(&w, (uint32_t)m->boot_id, 4);
		break;
	case RV_RELAY_LIMIT:
		put_be(&w, m->relay_limit, 4);
		break;
	case RV_REVOCATION:
		if (!m->blob || m->blob_len < REVOCATION_LEN(0) ||
		    m->blob_len > REVOCATION_LEN_MAX)
			return 0;
		put(&w, m->blob, m->blob_len);
		break;
	}
	return w.bad ? 0 : cap - w.left;
}

const char *nat_type_name(uint8_t t)
{
	switch (t) {
	case NAT_NONE:
		return "none";
	case NAT_CONE:
		return "cone";
	case NAT_SYMMETRIC:
		return "symmetric";
	}
	return "unknown";
}
