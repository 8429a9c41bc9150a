/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Everything a start needs, checked before anything is changed: a
 * mistake stops podnetd with its cause and its fix, and leaves no
 * interface, socket or file behind. `podnetd --check` runs the same
 * checks (preflight.c).
 */
#ifndef _PODNET_PREFLIGHT_H
#define _PODNET_PREFLIGHT_H

#include <stddef.h>
#include <sys/types.h>

struct cert_identity;
struct config;
struct node;

/*
 * The CA, the node's certificate and its key: readable, of the right kind,
 * valid now, chained to the CA, the certificate's address the config's
 * Address, the key private (mode 0600) and the certificate's. Fills id.
 * Needs wolfSSL_Init(). Used at start, by --check and on reload.
 */
int preflight_identity(const struct config *cfg, struct cert_identity *id,
		       char *err, size_t errlen);

/* After revoke_load(): the node's own certificate is not revoked. */
int preflight_not_revoked(struct node *node, char *err, size_t errlen);

/*
 * A podnetd answering on cfg's control socket: its pid (0 if it cannot
 * be told), or -1 when none answers.
 */
pid_t preflight_running(const struct config *cfg);

/* The privilege to create interfaces (CAP_NET_ADMIN). */
int preflight_privileges(char *err, size_t errlen);

/*
 * What the host must offer: the TUN device or podnet.ko as DataPath asks,
 * a free ListenPort (and the NAT probe port of a rendezvous), a usable
 * ControlSocket path. Changes nothing.
 */
int preflight_host(const struct config *cfg, char *err, size_t errlen);
/*
 * --check: every Endpoint given by name is looked up (a short timeout
 * each); one that does not resolve now is a warning on stderr, not an
 * error: the daemon keeps trying, and DNS may be down only here. The
 * number of names that did not resolve.
 */
unsigned int preflight_endpoint_names(const struct config *cfg);

/*
 * What starts but will surprise: an Address that is a /32 (most often
 * written without a prefix) gives the interface no route to any other
 * node. Logged as a warning with the line to write; changes nothing.
 */
void preflight_warn(const struct config *cfg);

#endif /* _PODNET_PREFLIGHT_H */
