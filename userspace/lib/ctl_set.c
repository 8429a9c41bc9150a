// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A small pure parser for the one control request that takes arguments,
 * so that it can be fuzzed apart from the daemon (test/fuzz/fuzz_ctl_set.c).
 * Every key at most once, none unknown: a request either means exactly
 * one thing or is refused whole.
 */
#include "ctl_set.h"

#include <stdio.h>
#include <string.h>

/* "endpoint=" and a 253-character host name with its port fit. */
#define LINE_MAX_LEN 300

static bool yesno(const char *s, bool *v)
{
	if (!strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1"))
		*v = true;
	else if (!strcmp(s, "no") || !strcmp(s, "false") || !strcmp(s, "0"))
		*v = false;
	else
		return false;
	return true;
}

static int key_value(struct ctl_set *out, const char *key, const char *value,
		     unsigned int *seen, char *err, size_t errlen)
{
	static const char *const keys[] = {
		"set", "peer", "endpoint", "rendezvous", "add", "remove",
	};
	unsigned int k;
	bool flag;
	char why[200];

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
		if (!strcmp(key, keys[k]))
			break;
	if (k == sizeof(keys) / sizeof(keys[0])) {
		snprintf(err, errlen, "unknown key '%s'", key);
		return -1;
	}
	if (*seen & (1u << k)) {
		snprintf(err, errlen, "'%s' given twice", key);
		return -1;
	}
	*seen |= 1u << k;
	switch (k) {
	case 0:
		if (strcmp(value, "1"))
			goto bad;
		return 0;
	case 1:
		if (!cert_name_valid(value)) {
			snprintf(err, errlen, "expected a peer name of 1-%d characters [A-Za-z0-9._-]",
				 CERT_NAME_MAX - 1);
			return -1;
		}
		snprintf(out->peer, sizeof(out->peer), "%s", value);
		return 0;
	case 2:
		out->has_endpoint = true;
		if (!strcmp(value, "none")) {
			memset(&out->endpoint, 0, sizeof(out->endpoint));
			return 0;
		}
		if (endpoint_spec_parse(value, &out->endpoint, why,
					sizeof(why))) {
			snprintf(err, errlen, "expected endpoint HOST:PORT, IP:PORT or [IPv6]:PORT, got '%s': %s",
				 value, why);
			return -1;
		}
		return 0;
	case 3:
		out->has_rendezvous = true;
		if (!yesno(value, &out->rendezvous)) {
			snprintf(err, errlen, "expected rendezvous yes or no, got '%s'",
				 value);
			return -1;
		}
		return 0;
	default:
		if (!yesno(value, &flag) || !flag)
			goto bad;
		if (k == 4)
			out->add = true;
		else
			out->remove = true;
		return 0;
	}
bad:
	snprintf(err, errlen, "expected %s=1, got '%s'", key, value);
	return -1;
}

int ctl_set_parse(const char *req, size_t len, struct ctl_set *out,
		  char *err, size_t errlen)
{
	unsigned int seen = 0;
	size_t pos = 0;

	memset(out, 0, sizeof(*out));
	while (pos < len) {
		const char *nl = memchr(req + pos, '\n', len - pos);
		char line[LINE_MAX_LEN], *eq;
		size_t n;

		if (!nl) {
			snprintf(err, errlen, "request not ended by an empty line");
			return -1;
		}
		n = (size_t)(nl - (req + pos));
		if (!n) {
			/* The empty line ends the request; nothing may follow. */
			if (pos + 1 != len) {
				snprintf(err, errlen, "data after the request");
				return -1;
			}
			break;
		}
		if (n >= sizeof(line) || memchr(req + pos, '\0', n)) {
			snprintf(err, errlen, "malformed line");
			return -1;
		}
		memcpy(line, req + pos, n);
		line[n] = '\0';
		pos += n + 1;
		eq = strchr(line, '=');
		if (!eq || eq == line) {
			snprintf(err, errlen, "expected key=value");
			return -1;
		}
		*eq = '\0';
		if (key_value(out, line, eq + 1, &seen, err, errlen))
			return -1;
		if (seen == 0 || !(seen & 1u)) {
			snprintf(err, errlen, "expected set=1 first");
			return -1;
		}
	}
	if (pos >= len) {
		snprintf(err, errlen, "request not ended by an empty line");
		return -1;
	}
	if (!out->peer[0]) {
		snprintf(err, errlen, "no peer named");
		return -1;
	}
	if (out->add && out->remove) {
		snprintf(err, errlen, "add and remove at once");
		return -1;
	}
	if (out->remove && (out->has_endpoint || out->has_rendezvous)) {
		snprintf(err, errlen, "remove takes no endpoint or rendezvous");
		return -1;
	}
	return 0;
}
