// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "status.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define STATUS_MAX_TEXT (16 << 20)

static int block_add(struct status_block *b, const char *key, size_t klen,
		     const char *value, size_t vlen)
{
	struct status_field *f;

	if (b->n_fields >= STATUS_MAX_FIELDS)
		return -1;
	f = realloc(b->fields, (b->n_fields + 1) * sizeof(*f));
	if (!f)
		return -1;
	b->fields = f;
	f = &b->fields[b->n_fields];
	f->key = strndup(key, klen);
	f->value = strndup(value, vlen);
	if (!f->key || !f->value) {
		free(f->key);
		free(f->value);
		return -1;
	}
	b->n_fields++;
	return 0;
}

static void block_free(struct status_block *b)
{
	for (size_t i = 0; i < b->n_fields; i++) {
		free(b->fields[i].key);
		free(b->fields[i].value);
	}
	free(b->fields);
	b->fields = NULL;
	b->n_fields = 0;
}

int status_parse(const char *text, size_t len, struct status *st, char *err,
		 size_t errlen)
{
	struct status_block *cur = &st->interface;
	const char *p = text, *end = text + len;
	unsigned int line = 0;
	bool done = false;

	memset(st, 0, sizeof(*st));
	st->error = -1;
	while (p < end && !done) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eq;
		size_t n;

		line++;
		if (!nl) {
			snprintf(err, errlen, "line %u: unterminated", line);
			goto fail;
		}
		n = (size_t)(nl - p);
		if (n == 0) {
			done = true;
			break;
		}
		eq = memchr(p, '=', n);
		if (!eq || eq == p || memchr(p, '\0', n)) {
			snprintf(err, errlen, "line %u: expected key=value", line);
			goto fail;
		}
		if ((size_t)(eq - p) == 5 && !memcmp(p, "errno", 5)) {
			const char *d = eq + 1;
			int v = 0;

			/* Digits only, and only up to the newline: the text
			 * is not NUL-terminated. */
			if (d == nl) {
				snprintf(err, errlen, "line %u: empty errno", line);
				goto fail;
			}
			for (; d < nl; d++) {
				if (*d < '0' || *d > '9' || v > 100000) {
					snprintf(err, errlen, "line %u: bad errno",
						 line);
					goto fail;
				}
				v = v * 10 + (*d - '0');
			}
			st->error = v;
		} else if (((size_t)(eq - p) == 4 && !memcmp(p, "peer", 4)) ||
			   ((size_t)(eq - p) == 7 && !memcmp(p, "publish", 7))) {
			bool peer = (size_t)(eq - p) == 4;
			struct status_block **list = peer ? &st->peers :
						     &st->publish;
			size_t *n_list = peer ? &st->n_peers : &st->n_publish;
			struct status_block *blocks;

			blocks = realloc(*list, (*n_list + 1) * sizeof(*blocks));
			if (!blocks)
				goto oom;
			*list = blocks;
			cur = &blocks[(*n_list)++];
			memset(cur, 0, sizeof(*cur));
			if (block_add(cur, "name", 4, eq + 1,
				      (size_t)(nl - eq - 1)))
				goto oom;
		} else if (block_add(cur, p, (size_t)(eq - p), eq + 1,
				     (size_t)(nl - eq - 1))) {
			goto oom;
		}
		p = nl + 1;
	}
	if (!done || st->error < 0) {
		snprintf(err, errlen, "truncated answer");
		goto fail;
	}
	return 0;
oom:
	snprintf(err, errlen, "line %u: out of memory or too many fields", line);
fail:
	status_free(st);
	return -1;
}

void status_free(struct status *st)
{
	block_free(&st->interface);
	for (size_t i = 0; i < st->n_peers; i++)
		block_free(&st->peers[i]);
	free(st->peers);
	st->peers = NULL;
	st->n_peers = 0;
	for (size_t i = 0; i < st->n_publish; i++)
		block_free(&st->publish[i]);
	free(st->publish);
	st->publish = NULL;
	st->n_publish = 0;
}

const char *status_get(const struct status_block *b, const char *key)
{
	for (size_t i = 0; i < b->n_fields; i++) {
		if (!strcmp(b->fields[i].key, key))
			return b->fields[i].value;
	}
	return NULL;
}

int status_fetch(const char *socket_path, struct status *st, char *err,
		 size_t errlen)
{
	return status_request(socket_path, "get\n", st, err, errlen);
}

int status_request(const char *socket_path, const char *request,
		   struct status *st, char *err, size_t errlen)
{
	size_t reqlen = strlen(request);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len = 0, cap = 65536;
	char *buf = NULL;
	int fd, ret = -1;

	if (strlen(socket_path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "%s: path too long", socket_path);
		return -1;
	}
	strcpy(sun.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		snprintf(err, errlen, "%s: %s (is podnetd running?)",
			 socket_path, strerror(errno));
		goto out;
	}
	if (write(fd, request, reqlen) != (ssize_t)reqlen) {
		snprintf(err, errlen, "%s: %s", socket_path, strerror(errno));
		goto out;
	}
	buf = malloc(cap);
	if (!buf)
		goto out;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *nb;

			if (cap >= STATUS_MAX_TEXT) {
				snprintf(err, errlen, "answer too large");
				goto out;
			}
			nb = realloc(buf, cap * 2);
			if (!nb)
				goto out;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", socket_path,
				 strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	ret = status_parse(buf, len, st, err, errlen);
out:
	free(buf);
	close(fd);
	return ret;
}
