// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The index of issued certificates (cert_index.h).
 */
#include "cert_index.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "fileio.h"

#define INDEX_MAX (16 << 20)
#define TIME_FMT "%Y-%m-%dT%H:%M:%SZ"

/* "2027-12-02T16:50:01Z" to Unix time; -1 if it is not that. */
static time_t parse_time(const char *s)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, TIME_FMT, &tm);

	if (!end || *end)
		return -1;
	return timegm(&tm);
}

struct index_addr {
	int family;
	uint8_t bytes[16];
};

/* An index address field or a query: "ADDRESS" or "ADDRESS,ADDRESS"
 * (a dual-stack node's IPv4 and IPv6), parsed into addrs; returns how
 * many, or -1 if it is not that. */
static int parse_addrs(const char *text, struct index_addr addrs[2])
{
	char buf[2 * INET6_ADDRSTRLEN + 2], *comma;
	const char *parts[2];
	int n = 1;

	if (strlen(text) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", text);
	parts[0] = buf;
	comma = strchr(buf, ',');
	if (comma) {
		*comma = '\0';
		parts[n++] = comma + 1;
	}
	for (int i = 0; i < n; i++) {
		memset(&addrs[i], 0, sizeof(addrs[i]));
		if (inet_pton(AF_INET, parts[i], addrs[i].bytes) == 1)
			addrs[i].family = AF_INET;
		else if (inet_pton(AF_INET6, parts[i], addrs[i].bytes) == 1)
			addrs[i].family = AF_INET6;
		else
			return -1;
	}
	/* Two of one family is not a node's pair of addresses. */
	if (n == 2 && addrs[0].family == addrs[1].family)
		return -1;
	return n;
}

/* The first address of a that b holds too, or NULL. */
static const struct index_addr *shared_addr(const struct index_addr *a,
					    int na,
					    const struct index_addr *b, int nb)
{
	for (int i = 0; i < na; i++)
		for (int j = 0; j < nb; j++)
			if (a[i].family == b[j].family &&
			    !memcmp(a[i].bytes, b[j].bytes,
				    a[i].family == AF_INET ? 4 : 16))
				return &a[i];
	return NULL;
}

int cert_index_find(const char *text, size_t len, const char *name,
		    const char *address, time_t now, char *why,
		    size_t whylen)
{
	const char *p = text, *end = text + len;
	struct index_addr want[2];
	unsigned int line = 0;
	int n_want;

	n_want = parse_addrs(address, want);
	if (n_want < 0) {
		snprintf(why, whylen, "`%s' is not ADDRESS or IPv4,IPv6",
			 address);
		return -1;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char buf[512], f_name[CERT_NAME_MAX], f_addr[96], f_time[32],
			f_fp[72], extra[2], shown[INET6_ADDRSTRLEN];
		const struct index_addr *taken;
		struct index_addr held[2];
		bool same_name;
		time_t not_after;
		int n_held = -1;

		line++;
		if (n >= sizeof(buf)) {
			snprintf(why, whylen, "line %u: too long", line);
			return -1;
		}
		memcpy(buf, p, n);
		buf[n] = '\0';
		p += n + 1;
		if (buf[strspn(buf, " \t\r")] == '\0' ||
		    buf[strspn(buf, " \t")] == '#')
			continue;
		if (sscanf(buf, "%63s %95s %31s %71s %1s", f_name, f_addr,
			   f_time, f_fp, extra) != 4 ||
		    !cert_name_valid(f_name) ||
		    (n_held = parse_addrs(f_addr, held)) < 0 ||
		    (not_after = parse_time(f_time)) < 0 ||
		    strlen(f_fp) != 64) {
			snprintf(why, whylen,
				 "line %u: expected NAME ADDRESS[,IPv6] NOT_AFTER SHA256",
				 line);
			return -1;
		}
		if (not_after < now)
			continue;
		same_name = !strcmp(f_name, name);
		taken = shared_addr(want, n_want, held, n_held);
		if (same_name || taken) {
			if (!same_name)
				inet_ntop(taken->family, taken->bytes, shown,
					  sizeof(shown));
			snprintf(why, whylen,
				 "%s %s: this CA issued a certificate for %s (%s), valid until %s (line %u)",
				 same_name ? "name" : "address",
				 same_name ? name : shown,
				 f_name, f_addr, f_time, line);
			return 1;
		}
	}
	return 0;
}

int cert_index_check(const char *path, const char *name, const char *address,
		     time_t now, char *why, size_t whylen)
{
	uint8_t *text;
	size_t len;
	char err[256];
	int ret;

	struct stat st;

	if (stat(path, &st) && errno == ENOENT)
		return 0;
	if (!stat(path, &st) && S_ISREG(st.st_mode) && st.st_size == 0)
		return 0;
	if (fileio_read_small(path, INDEX_MAX, &text, &len, err, sizeof(err))) {
		snprintf(why, whylen, "%s", err);
		return -1;
	}
	ret = cert_index_find((const char *)text, len, name, address, now, why,
			      whylen);
	if (ret < 0) {
		char line[256];

		snprintf(line, sizeof(line), "%s", why);
		snprintf(why, whylen, "%s: %s", path, line);
	}
	free(text);
	return ret;
}

int cert_index_line(const struct cert_identity *id, char *buf, size_t len)
{
	char addr[INET_ADDRSTRLEN], addr6[INET6_ADDRSTRLEN], when[32];
	struct tm tm;
	size_t n;
	int k;

	/* Every address the certificate holds: IPv4, IPv6, or IPv4,IPv6. */
	if ((!id->has_vaddr && !id->has_vaddr6) ||
	    (id->has_vaddr &&
	     !inet_ntop(AF_INET, &id->vaddr, addr, sizeof(addr))) ||
	    (id->has_vaddr6 &&
	     !inet_ntop(AF_INET6, &id->vaddr6, addr6, sizeof(addr6))) ||
	    !gmtime_r(&id->not_after, &tm) ||
	    !strftime(when, sizeof(when), TIME_FMT, &tm))
		return -1;
	k = snprintf(buf, len, "%s %s%s%s %s ", id->name,
		     id->has_vaddr ? addr : "",
		     id->has_vaddr && id->has_vaddr6 ? "," : "",
		     id->has_vaddr6 ? addr6 : "", when);
	if (k < 0 || (size_t)k + 2 * sizeof(id->fingerprint) + 2 > len)
		return -1;
	n = (size_t)k;
	for (size_t i = 0; i < sizeof(id->fingerprint); i++)
		n += (size_t)snprintf(buf + n, len - n, "%02x",
				      id->fingerprint[i]);
	snprintf(buf + n, len - n, "\n");
	return 0;
}

int cert_index_append(const char *path, const struct cert_identity *id,
		      char *err, size_t errlen)
{
	char line[256];
	ssize_t w;
	int fd;

	if (cert_index_line(id, line, sizeof(line)))
		return errbuf_fail(err, errlen, "%s: cannot format its line",
				   path);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return errbuf_fail(err, errlen, "%s: %s", path,
				   strerror(errno));
	w = write(fd, line, strlen(line));
	if (w != (ssize_t)strlen(line) || close(fd)) {
		if (w >= 0)
			errno = EIO;
		return errbuf_fail(err, errlen, "%s: %s", path,
				   strerror(errno));
	}
	return 0;
}
