// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The client half of control_config.c's requests: the answer is free text
 * (showconf's config) followed by an optional "error=why" line and
 * "errno=N" with an empty line.
 */
#include "ctl_request.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli.h"
#include "ctlpath.h"
#include "subcommands.h"

#define ANSWER_MAX (16u << 20)

int ctl_target(int argc, char *argv[], int *i, char *path, size_t len)
{
	int n;

	if (*i >= argc)
		return -1;
	if (!strcmp(argv[*i], "--socket")) {
		if (*i + 1 >= argc)
			return -1;
		n = snprintf(path, len, "%s", argv[*i + 1]);
		*i += 2;
	} else {
		if (argv[*i][0] == '-' || !cli_ifname_ok(argv[*i]))
			return -1;
		/* The default of ControlSocket for interface IF, in this
		 * network namespace. */
		n = control_socket_default(path, len, argv[*i]) ? -1 : 0;
		*i += 1;
		return n;
	}
	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static char *talk(const char *socket_path, const char *request, size_t *len)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t cap = 4096, reqlen = strlen(request);
	struct timeval tv = { .tv_sec = 10 };
	char *buf = NULL, *nb;
	int fd;

	*len = 0;
	if (strlen(socket_path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "%s: %s: path too long\n", prog_name, socket_path);
		return NULL;
	}
	strcpy(sun.sun_path, socket_path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "%s: %s: %s (is podnetd running?)\n", prog_name,
			socket_path, strerror(errno));
		goto out;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (write(fd, request, reqlen) != (ssize_t)reqlen) {
		fprintf(stderr, "%s: %s: %s\n", prog_name, socket_path,
			strerror(errno));
		goto out;
	}
	buf = malloc(cap + 1);
	while (buf) {
		ssize_t n;

		if (*len == cap) {
			if (cap >= ANSWER_MAX)
				break;
			nb = realloc(buf, cap * 2 + 1);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + *len, cap - *len);
		if (n < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog_name, socket_path,
				strerror(errno));
			free(buf);
			buf = NULL;
			break;
		}
		if (n == 0) {
			buf[*len] = '\0';
			break;
		}
		*len += (size_t)n;
	}
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

int ctl_request(const char *socket_path, const char *request, FILE *out)
{
	size_t len;
	char *buf = talk(socket_path, request, &len);
	char *status, *error;
	int err;

	if (!buf)
		return 1;
	/* The last "errno=" at a line's start ends the output. */
	status = NULL;
	for (char *p = buf; (p = strstr(p, "errno=")); p++)
		if (p == buf || p[-1] == '\n')
			status = p;
	if (!status || strlen(buf) != len) {
		fprintf(stderr, "%s: %s: malformed answer from podnetd\n",
			prog_name, socket_path);
		free(buf);
		return 1;
	}
	err = atoi(status + 6);
	*status = '\0';
	error = NULL;
	for (char *p = buf; (p = strstr(p, "error=")); p++)
		if (p == buf || p[-1] == '\n')
			error = p;
	if (err) {
		if (error)
			error[strcspn(error, "\n")] = '\0';
		fprintf(stderr, "%s: %s\n", prog_name,
			error ? error + 6 : strerror(err));
		free(buf);
		return 1;
	}
	if (out)
		fputs(buf, out);
	free(buf);
	return 0;
}

static int append(char *req, size_t len, const char *key, const char *value)
{
	size_t have = strlen(req);
	int n = snprintf(req + have, len - have, "%s=%s\n", key, value);

	if (n < 0 || (size_t)n >= len - have || strchr(value, '\n')) {
		fprintf(stderr, "%s: %s: value too long\n", prog_name, key);
		return -1;
	}
	return 0;
}

int ctl_peer_words(int argc, char *argv[], int i, bool allow_remove,
		   char *req, size_t len)
{
	while (i < argc) {
		const char *w = argv[i];

		if (!strcmp(w, "remove") && allow_remove) {
			if (append(req, len, "remove", "1"))
				return -1;
			i++;
			continue;
		}
		if ((strcmp(w, "endpoint") && strcmp(w, "rendezvous")) ||
		    i + 1 >= argc) {
			fprintf(stderr, "%s: unexpected '%s'; expected endpoint HOST:PORT, rendezvous yes|no%s\n",
				prog_name, w, allow_remove ? " or remove" : "");
			return -1;
		}
		if (!strcmp(w, "rendezvous") && strcmp(argv[i + 1], "yes") &&
		    strcmp(argv[i + 1], "no")) {
			fprintf(stderr, "%s: rendezvous: expected yes or no, got '%s'\n",
				prog_name, argv[i + 1]);
			return -1;
		}
		if (append(req, len, w, argv[i + 1]))
			return -1;
		i += 2;
	}
	return 0;
}
