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

int cert_index_find(const char *text, size_t len, const char *name,
		    const char *address, time_t now, char *why,
		    size_t whylen)
{
	const char *p = text, *end = text + len;
	unsigned int line = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		char buf[512], f_name[CERT_NAME_MAX], f_addr[64], f_time[32],
			f_fp[72], extra[2];
		struct in6_addr a6;
	struct in_addr a;
		time_t not_after;

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
		if (sscanf(buf, "%63s %63s %31s %71s %1s", f_name, f_addr,
			   f_time, f_fp, extra) != 4 ||
		    !cert_name_valid(f_name) ||
		    (inet_pton(AF_INET, f_addr, &a) != 1 &&
		     inet_pton(AF_INET6, f_addr, &a6) != 1) ||
		    (not_after = parse_time(f_time)) < 0 ||
		    strlen(f_fp) != 64) {
			snprintf(why, whylen,
				 "line %u: expected NAME ADDRESS NOT_AFTER SHA256",
				 line);
			return -1;
		}
		if (not_after < now)
			continue;
		if (!strcmp(f_name, name) || !strcmp(f_addr, address)) {
			snprintf(why, whylen,
				 "%s %s: this CA issued a certificate for %s (%s), valid until %s (line %u)",
				 !strcmp(f_name, name) ? "name" : "address",
				 !strcmp(f_name, name) ? name : address,
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
	char addr[INET6_ADDRSTRLEN], when[32];
	struct tm tm;
	size_t n;
	int k;

	/* The IPv4 address, or the IPv6 one of a v6-only node. */
	if ((id->has_vaddr ? !inet_ntop(AF_INET, &id->vaddr, addr,
					sizeof(addr)) :
	     !id->has_vaddr6 || !inet_ntop(AF_INET6, &id->vaddr6, addr,
					   sizeof(addr))) ||
	    !gmtime_r(&id->not_after, &tm) ||
	    !strftime(when, sizeof(when), TIME_FMT, &tm))
		return -1;
	k = snprintf(buf, len, "%s %s %s ", id->name, addr, when);
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
