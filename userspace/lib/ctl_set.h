/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The "set=1" request of the control socket (doc/control.md), parsed
 * (ctl_set.c): what `podnet set` and `podnet peer` ask the daemon to do
 * to one peer.
 */
#ifndef _PODNET_CTL_SET_H
#define _PODNET_CTL_SET_H

#include <stdbool.h>
#include <stddef.h>

#include "addr.h"
#include "cert.h"

struct ctl_set {
	char peer[CERT_NAME_MAX];	/* a valid certificate name */
	bool has_endpoint;
	struct endpoint_spec endpoint;	/* nothing set: "none", forget it */
	bool has_rendezvous;
	bool rendezvous;
	bool add;			/* the peer must not exist yet */
	bool remove;			/* the peer must exist; nothing else set */
};

/*
 * Parses "set=1\npeer=NAME\n[endpoint=..]\n[rendezvous=..]\n[add=1|
 * remove=1]\n\n" from untrusted bytes (no NUL needed). 0, or -1 with the
 * reason in err and *out undefined.
 */
int ctl_set_parse(const char *req, size_t len, struct ctl_set *out,
		  char *err, size_t errlen);

#endif /* _PODNET_CTL_SET_H */
