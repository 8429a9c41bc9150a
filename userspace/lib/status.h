/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The daemon's answer on the control socket, parsed: "key=value" lines,
 * interface keys first, then one block per peer that starts at "peer=",
 * ended by "errno=N" and an empty line (doc/control.md).
 */
#ifndef _PODNET_STATUS_H
#define _PODNET_STATUS_H

#include <stddef.h>

/* Fields per block (the interface's, each peer's); ~40 today. */
#define STATUS_MAX_FIELDS 128

struct status_field {
	char *key;
	char *value;
};

struct status_block {
	struct status_field *fields;
	size_t n_fields;
};

struct status {
	struct status_block interface;
	struct status_block *peers;
	size_t n_peers;
	/* [Publish] entries: blocks that start at "publish=" */
	struct status_block *publish;
	size_t n_publish;
	int error;	/* the errno= line */
};

/* Parse untrusted text; returns 0 or -1 with a reason in err. */
int status_parse(const char *text, size_t len, struct status *st, char *err,
		 size_t errlen);
void status_free(struct status *st);
const char *status_get(const struct status_block *b, const char *key);

/* Ask the daemon at socket_path; returns 0 or -1 with a reason in err. */
int status_fetch(const char *socket_path, struct status *st, char *err,
		 size_t errlen);
/* Send any one-line request (e.g. "ping=NAME\n") and parse the answer. */
int status_request(const char *socket_path, const char *request,
		   struct status *st, char *err, size_t errlen);

#endif /* _PODNET_STATUS_H */
