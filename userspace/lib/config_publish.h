/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * [Publish] sections of the configuration: a node with a public address
 * (usually a rendezvous) exposes a TCP service of a node to the internet,
 * by a port of its own or by TLS server name on a shared port
 * (doc/publish.md, doc/config.md). config.c hands every key of such a
 * section here.
 */
#ifndef _PODNET_CONFIG_PUBLISH_H
#define _PODNET_CONFIG_PUBLISH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "addr.h"
#include "cert.h"
#include "sni.h"

#define CONFIG_PUBLISH_MAX 256			/* sections */
#define CONFIG_PUBLISH_NAME_MAX 64
#define CONFIG_PUBLISH_DEFAULT_MAX_CONN 256	/* per entry */
#define CONFIG_PUBLISH_DEFAULT_IDLE 300		/* s */

enum config_publish_mode {
	CONFIG_PUBLISH_AUTO,	/* kernel DNAT where it can, else proxy */
	CONFIG_PUBLISH_KERNEL,	/* nftables DNAT into the overlay */
	CONFIG_PUBLISH_PROXY,	/* podnetd relays the bytes (splice) */
};

struct config_publish {
	char name[CONFIG_PUBLISH_NAME_MAX];
	struct endpoint listen;			/* public address and port */
	/* Target: a node's name (its certificate's virtual address) and a
	 * port, or an address and port (target_node ""). */
	char target_node[CERT_NAME_MAX];
	struct endpoint target;			/* port only, for a node */
	char server_name[SNI_NAME_MAX];		/* "": a port of its own */
	bool proxy_v2;				/* ProxyProtocol = v2 */
	enum config_publish_mode mode;
	unsigned int max_connections;
	unsigned int idle_timeout;		/* s */
	unsigned int line;
};

/* A new section at line: appended to *list, defaults set. */
int config_publish_add(struct config_publish **list, size_t *n,
		       unsigned int line, char *why, size_t whylen);
/* One "Key = Value" of the section; 0 or -1 with what was expected. */
int config_publish_key(struct config_publish *pub, const char *key,
		       const char *value, char *why, size_t whylen);
/* The section is complete: required keys, and no clash with the earlier
 * ones. On -1, *line is the line to blame. */
int config_publish_finish(struct config_publish *list, size_t n,
			  unsigned int *line, char *why, size_t whylen);
const char *config_publish_mode_name(enum config_publish_mode mode);
/* Do two lists publish the same (lines aside)? */
bool config_publish_same(const struct config_publish *a, size_t na,
			 const struct config_publish *b, size_t nb);
/* The sections as the parser reads them back (podnet showconf). */
void config_publish_write(FILE *f, const struct config_publish *list,
			  size_t n);

#endif /* _PODNET_CONFIG_PUBLISH_H */
