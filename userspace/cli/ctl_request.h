/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * What set, peer, showconf and syncconf share (ctl_request.c): naming the
 * daemon (IF or --socket PATH) and one configuration request to it.
 */
#ifndef _PODNET_CTL_REQUEST_H
#define _PODNET_CTL_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Takes "IF" or "--socket PATH" at argv[*i] and advances *i past it; the
 * socket's path goes to path. -1 (nothing printed) if neither is there.
 */
int ctl_target(int argc, char *argv[], int *i, char *path, size_t len);

/*
 * Sends request (ending in an empty line) to the daemon at socket_path;
 * its output, if any, goes to out. Prints the daemon's complaint and
 * returns 1 if it refused, 0 if it did it.
 */
int ctl_request(const char *socket_path, const char *request, FILE *out);

/*
 * Appends the peer words argv[i..] ("endpoint IP:PORT", "rendezvous
 * yes|no", and "remove" if allowed) to req as request lines. Says what is
 * wrong and returns -1 on anything else.
 */
int ctl_peer_words(int argc, char *argv[], int i, bool allow_remove,
		   char *req, size_t len);

#endif /* _PODNET_CTL_REQUEST_H */
