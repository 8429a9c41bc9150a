/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The podnetd configuration file: an INI file in the style of wg-quick
 * ([Interface] once, [Peer] any number of times). See doc/config.md.
 */
#ifndef _PODNET_CONFIG_H
#define _PODNET_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "cert.h"
#include "config_transport.h"
#include "config_publish.h"
#include "log.h"

#define CONFIG_DEFAULT_PORT 51820
#define CONFIG_DEFAULT_MTU 1340
#define CONFIG_MIN_MTU 576
/* IPv6 needs every link to carry 1280 bytes (RFC 8200 section 5). */
#define CONFIG_MIN_MTU6 1280
/*
 * The largest inner packet whose worst-case datagram still fits a 1500-byte
 * link: 1500 - IPv4 (20) - UDP (8) - relay header (8) - podnet header (8)
 * - AES-GCM record (13 header + 8 explicit nonce + 16 tag) = 1419.
 * config.c checks this sum against wire.h and record.h.
 */
#define CONFIG_MAX_MTU 1419
#define CONFIG_DEFAULT_KEEPALIVE 15
/* Mbit/s per sending node: above most home uplinks, where relayed
 * traffic starts, so a relayed user rarely meets it, and no more than
 * half of a 1 Gbit/s server port for one node (doc/config.md). */
#define CONFIG_DEFAULT_RELAY_LIMIT 500
#define CONFIG_DEFAULT_PUNCH_TIMEOUT 3		/* s before using the relay */
#define CONFIG_DEFAULT_PUNCH_SOCKETS 256	/* symmetric side */
#define CONFIG_DEFAULT_PUNCH_SPRAY 2048		/* cone side, ports */
#define CONFIG_DEFAULT_PUNCH_RATE 4000		/* probes per second */
#define CONFIG_DEFAULT_PUNCH_RETRY 30		/* s between retries */
#define CONFIG_DEFAULT_LEARNED_PEER_MAX 1024	/* peers not configured */
/* ... on a rendezvous, where every node it serves is one */
#define CONFIG_DEFAULT_LEARNED_PEER_MAX_RV 65536
#define CONFIG_DEFAULT_LEARNED_PEER_IDLE 600	/* s before one is forgotten */
#define CONFIG_DEFAULT_REKEY_AFTER 120		/* s, as WireGuard */
#define CONFIG_DEFAULT_REKEY_PACKETS (1ull << 40)
#define CONFIG_DEFAULT_DOMAIN "pod"
#define CONFIG_DOMAIN_MAX 254		/* a DNS name's 253 characters */

struct config_peer {
	char name[CERT_NAME_MAX];
	struct endpoint_spec endpoint;	/* an address or a host name */
	bool rendezvous;		/* a rendezvous (and relay) node */
	unsigned int line;		/* where it was defined, for messages */
};

enum config_datapath {
	CONFIG_DATAPATH_AUTO,		/* podnet.ko if loaded, else TUN */
	CONFIG_DATAPATH_TUN,
	CONFIG_DATAPATH_KERNEL,
};

/* The DTLS suites podnet's record layer carries (Ciphers names them). */
#define CONFIG_SUITE_CHACHA20 "ECDHE-ECDSA-CHACHA20-POLY1305"
#define CONFIG_SUITE_AES128 "ECDHE-ECDSA-AES128-GCM-SHA256"
#define CONFIG_SUITE_AES256 "ECDHE-ECDSA-AES256-GCM-SHA384"
/* Three suites of at most 30 characters and their separators. */
#define CONFIG_CIPHER_LIST_MAX 100

struct config {
	char path[PATH_MAX];
	char ifname[IFNAMSIZ];
	bool has_address;		/* an IPv4 Address */
	struct in_addr address;
	uint8_t prefixlen;
	bool has_address6;		/* an IPv6 Address */
	struct in6_addr address6;
	uint8_t prefixlen6;
	uint16_t listen_port;
	unsigned int mtu;
	bool mtu_set;			/* MTU was in the file */
	char ca_path[PATH_MAX];
	char cert_path[PATH_MAX];
	char key_path[PATH_MAX];
	char revocation_path[PATH_MAX];	/* "": none (revocation.h) */
	char control_socket[108];	/* sun_path */
	enum log_level log_level;
	unsigned int keepalive_interval;	/* seconds, 0 = off */
	bool rendezvous;		/* serve as rendezvous and relay */
	unsigned int relay_limit;	/* Mbit/s per node, 0 = no relay */
	unsigned int punch_timeout;
	unsigned int punch_sockets;
	unsigned int punch_spray;
	unsigned int punch_rate;
	unsigned int punch_retry;
	unsigned int learned_peer_max;	/* peers learnt, not configured;
					 * 0: the default for the role */
	unsigned int learned_peer_idle;	/* s without session or traffic */
	unsigned int rekey_after;	/* seconds */
	unsigned long long rekey_packets;
	unsigned int threads;		/* crypto threads, 0 = auto */
	/* wolfSSL cipher list, in preference order, from Ciphers; empty:
	 * the fastest first for this build and CPU */
	char cipher_list[CONFIG_CIPHER_LIST_MAX];
	enum config_datapath datapath;
	/* DNS answered on Address for NAME.domain (dns.c); "": Domain = off */
	char domain[CONFIG_DOMAIN_MAX];
	/* Routes = off: no kernel routes for the peers' routed subnets (the
	 * user routes them); the tunnel still carries them */
	bool routes_off;
	/* The TCP/TLS transport (config_transport.h) */
	struct config_transport transport;
	struct config_peer *peers;
	size_t n_peers;

	/* [Publish] sections (config_publish.h, doc/publish.md) */
	struct config_publish *publish;
	size_t n_publish;
};

/*
 * Both return 0 or -1 with "file:line: what was expected" in err. Relative
 * paths in the file are taken relative to the file's directory.
 */
int config_parse_file(const char *path, struct config *cfg, char *err,
		      size_t errlen);
int config_parse_buffer(const char *name, const char *buf, size_t len,
			struct config *cfg, char *err, size_t errlen);
void config_free(struct config *cfg);
const struct config_peer *config_find_peer(const struct config *cfg,
					   const char *name);

#endif /* _PODNET_CONFIG_H */
