// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * [Publish] keys. Listen sockets are shared by entries that route by TLS
 * server name, so every entry on one Listen must name one, and no two the
 * same: otherwise a connection would have two places to go.
 */
#include "config_publish.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int number(const char *key, const char *value, unsigned long min,
		  unsigned long max, unsigned int *out, char *why,
		  size_t whylen)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(value, &end, 10);
	if (!isdigit((unsigned char)*value) || errno || *end || v < min ||
	    v > max) {
		snprintf(why, whylen, "expected %s between %lu and %lu, got '%s'",
			 key, min, max, value);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

static bool name_chars(const char *s, bool dots_only_inside)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (!isalnum(c) && c != '-' && c != '.' && c != '_')
			return false;
		if (dots_only_inside && c == '.' &&
		    (i == 0 || i == n - 1 || s[i - 1] == '.'))
			return false;
	}
	return n > 0;
}

/* "443", "0.0.0.0:443", "198.51.100.7:443" or "[::]:443". */
static int parse_listen(const char *value, struct endpoint *ep)
{
	unsigned long port;
	char *end;

	if (isdigit((unsigned char)*value) && !strchr(value, ':') &&
	    !strchr(value, '.')) {
		port = strtoul(value, &end, 10);
		if (*end || port == 0 || port > 65535)
			return -1;
		memset(ep, 0, sizeof(*ep));
		ep->in.sin_family = AF_INET;
		ep->in.sin_port = htons((uint16_t)port);
		ep->len = sizeof(ep->in);
		return 0;
	}
	if (endpoint_parse(value, ep) || ep->len == 0)
		return -1;
	return ep->sa.sa_family == AF_INET ? (ep->in.sin_port ? 0 : -1) :
	       (ep->in6.sin6_port ? 0 : -1);
}

/* "NODE:PORT" (a certificate name) or an address and port. */
static int parse_target(struct config_publish *pub, const char *value,
			char *why, size_t whylen)
{
	const char *colon = strrchr(value, ':');
	unsigned long port;
	char *end;
	size_t n;

	pub->target_node[0] = '\0';
	if (!endpoint_parse(value, &pub->target) && pub->target.len) {
		if ((pub->target.sa.sa_family == AF_INET &&
		     pub->target.in.sin_port) ||
		    (pub->target.sa.sa_family == AF_INET6 &&
		     pub->target.in6.sin6_port))
			return 0;
	}
	n = colon ? (size_t)(colon - value) : 0;
	errno = 0;
	port = colon ? strtoul(colon + 1, &end, 10) : 0;
	if (!colon || n == 0 || n >= sizeof(pub->target_node) || errno ||
	    !isdigit((unsigned char)colon[1]) || *end || port == 0 ||
	    port > 65535)
		goto bad;
	memcpy(pub->target_node, value, n);
	pub->target_node[n] = '\0';
	if (!name_chars(pub->target_node, false))
		goto bad;
	memset(&pub->target, 0, sizeof(pub->target));
	pub->target.in.sin_family = AF_INET;
	pub->target.in.sin_port = htons((uint16_t)port);
	pub->target.len = sizeof(pub->target.in);
	return 0;
bad:
	pub->target_node[0] = '\0';
	snprintf(why, whylen, "expected 'Target = NODE:PORT' (a node's name) or ADDRESS:PORT, got '%s'",
		 value);
	return -1;
}

int config_publish_add(struct config_publish **list, size_t *n,
		       unsigned int line, char *why, size_t whylen)
{
	struct config_publish *l, *pub;

	if (*n >= CONFIG_PUBLISH_MAX) {
		snprintf(why, whylen, "more than %d [Publish] sections",
			 CONFIG_PUBLISH_MAX);
		return -1;
	}
	l = realloc(*list, (*n + 1) * sizeof(*l));
	if (!l) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	*list = l;
	pub = &l[(*n)++];
	memset(pub, 0, sizeof(*pub));
	pub->max_connections = CONFIG_PUBLISH_DEFAULT_MAX_CONN;
	pub->idle_timeout = CONFIG_PUBLISH_DEFAULT_IDLE;
	pub->line = line;
	return 0;
}

int config_publish_key(struct config_publish *pub, const char *key,
		       const char *value, char *why, size_t whylen)
{
	if (!strcasecmp(key, "Name")) {
		if (strlen(value) >= sizeof(pub->name) ||
		    !name_chars(value, false)) {
			snprintf(why, whylen, "expected a name of 1-%zu characters [A-Za-z0-9._-], got '%s'",
				 sizeof(pub->name) - 1, value);
			return -1;
		}
		strcpy(pub->name, value);
	} else if (!strcasecmp(key, "Listen")) {
		if (parse_listen(value, &pub->listen)) {
			snprintf(why, whylen, "expected 'Listen = PORT', ADDRESS:PORT or [IPv6]:PORT, got '%s'",
				 value);
			return -1;
		}
	} else if (!strcasecmp(key, "Target")) {
		return parse_target(pub, value, why, whylen);
	} else if (!strcasecmp(key, "ServerName")) {
		const char *host = strncmp(value, "*.", 2) ? value : value + 2;
		size_t n = strlen(value);

		if (n >= sizeof(pub->server_name) || !name_chars(host, true)) {
			snprintf(why, whylen, "expected 'ServerName = HOST' or *.DOMAIN (a DNS name), got '%s'",
				 value);
			return -1;
		}
		for (size_t i = 0; i <= n; i++)
			pub->server_name[i] = (char)tolower((unsigned char)value[i]);
	} else if (!strcasecmp(key, "ProxyProtocol")) {
		if (!strcasecmp(value, "v2"))
			pub->proxy_v2 = true;
		else if (!strcasecmp(value, "off") || !strcasecmp(value, "no"))
			pub->proxy_v2 = false;
		else {
			snprintf(why, whylen, "expected 'ProxyProtocol = v2' or off, got '%s'",
				 value);
			return -1;
		}
	} else if (!strcasecmp(key, "Mode")) {
		if (!strcasecmp(value, "auto"))
			pub->mode = CONFIG_PUBLISH_AUTO;
		else if (!strcasecmp(value, "kernel"))
			pub->mode = CONFIG_PUBLISH_KERNEL;
		else if (!strcasecmp(value, "proxy"))
			pub->mode = CONFIG_PUBLISH_PROXY;
		else {
			snprintf(why, whylen, "expected 'Mode = auto', kernel or proxy, got '%s'",
				 value);
			return -1;
		}
	} else if (!strcasecmp(key, "MaxConnections")) {
		return number(key, value, 1, 65536, &pub->max_connections,
			      why, whylen);
	} else if (!strcasecmp(key, "IdleTimeout")) {
		return number(key, value, 1, 86400, &pub->idle_timeout, why,
			      whylen);
	} else {
		snprintf(why, whylen, "unknown key '%s' in [Publish]; expected Name, Listen, Target, ServerName, ProxyProtocol, Mode, MaxConnections or IdleTimeout",
			 key);
		return -1;
	}
	return 0;
}

static int finish(struct config_publish *list, size_t n, char *why,
		  size_t whylen)
{
	struct config_publish *pub = &list[n - 1];
	char ep[ADDR_STR_MAX];

	if (!pub->listen.len || !pub->target.len) {
		snprintf(why, whylen, "[Publish] needs 'Listen =' and 'Target ='");
		return -1;
	}
	if (pub->mode == CONFIG_PUBLISH_KERNEL &&
	    (pub->server_name[0] || pub->proxy_v2)) {
		snprintf(why, whylen, "'Mode = kernel' forwards packets and cannot read a server name or write a PROXY header: use Mode = proxy (or auto)");
		return -1;
	}
	if (!pub->name[0]) {
		if (pub->server_name[0])
			snprintf(pub->name, sizeof(pub->name), "%s",
				 pub->server_name);
		else
			snprintf(pub->name, sizeof(pub->name), "port%u",
				 ntohs(pub->listen.in.sin_port));
	}
	for (size_t i = 0; i + 1 < n; i++) {
		const struct config_publish *o = &list[i];

		if (!endpoint_equal(&o->listen, &pub->listen))
			continue;
		endpoint_format(&pub->listen, ep, sizeof(ep));
		if (!o->server_name[0] || !pub->server_name[0]) {
			snprintf(why, whylen, "Listen %s is also the [Publish] at line %u: entries sharing a port must each route by ServerName",
				 ep, o->line);
			return -1;
		}
		if (!strcmp(o->server_name, pub->server_name)) {
			snprintf(why, whylen, "ServerName %s on %s is also the [Publish] at line %u",
				 pub->server_name, ep, o->line);
			return -1;
		}
	}
	for (size_t i = 0; i + 1 < n; i++) {
		if (!strcmp(list[i].name, pub->name)) {
			snprintf(why, whylen, "[Publish] '%s' already defined at line %u (give it another Name)",
				 pub->name, list[i].line);
			return -1;
		}
	}
	return 0;
}

int config_publish_finish(struct config_publish *list, size_t n,
			  unsigned int *line, char *why, size_t whylen)
{
	if (finish(list, n, why, whylen)) {
		*line = list[n - 1].line;
		return -1;
	}
	return 0;
}

const char *config_publish_mode_name(enum config_publish_mode mode)
{
	switch (mode) {
	case CONFIG_PUBLISH_AUTO:
		return "auto";
	case CONFIG_PUBLISH_KERNEL:
		return "kernel";
	case CONFIG_PUBLISH_PROXY:
		return "proxy";
	}
	return "?";
}

void config_publish_write(FILE *f, const struct config_publish *list,
			  size_t n)
{
	char ep[ADDR_STR_MAX];

	for (size_t i = 0; i < n; i++) {
		const struct config_publish *p = &list[i];

		fprintf(f, "\n[Publish]\nName = %s\nListen = %s\n", p->name,
			endpoint_format(&p->listen, ep, sizeof(ep)));
		if (p->target_node[0])
			fprintf(f, "Target = %s:%u\n", p->target_node,
				ntohs(p->target.in.sin_port));
		else
			fprintf(f, "Target = %s\n",
				endpoint_format(&p->target, ep, sizeof(ep)));
		if (p->server_name[0])
			fprintf(f, "ServerName = %s\n", p->server_name);
		if (p->proxy_v2)
			fprintf(f, "ProxyProtocol = v2\n");
		fprintf(f, "Mode = %s\nMaxConnections = %u\nIdleTimeout = %u\n",
			config_publish_mode_name(p->mode), p->max_connections,
			p->idle_timeout);
	}
}

bool config_publish_same(const struct config_publish *a, size_t na,
			 const struct config_publish *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		struct config_publish x = a[i], y = b[i];

		x.line = y.line = 0;
		/* Both were zeroed before they were filled in. */
		if (memcmp(&x, &y, sizeof(x)))
			return false;
	}
	return true;
}
