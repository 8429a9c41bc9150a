// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for config_parse_buffer(). Beyond memory errors and
 * leaks it checks the parser's contract: every refusal is reported as
 * "fuzz.conf: ..." or "fuzz.conf:LINE: ...", and every accepted file
 * holds only values the daemon can use as they are.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include <stdio.h>
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)
#define NAME "fuzz.conf"

static void check_error(const char *err)
{
	const char *p = err + strlen(NAME);

	CHECK(!strncmp(err, NAME ":", strlen(NAME ":")));
	p++;
	if (isdigit((unsigned char)*p)) {
		/* Lines count from 1. */
		CHECK(*p != '0');
		while (isdigit((unsigned char)*p))
			p++;
		CHECK(*p == ':');
		p++;
	}
	CHECK(*p == ' ' && p[1] != '\0');
}

static void check_config(const struct config *cfg)
{
	CHECK(cfg->ifname[0] && strlen(cfg->ifname) < IFNAMSIZ);
	CHECK(cfg->prefixlen >= 1 && cfg->prefixlen <= 32);
	CHECK(cfg->listen_port != 0);
	CHECK(cfg->mtu >= CONFIG_MIN_MTU && cfg->mtu <= CONFIG_MAX_MTU);
	CHECK(cfg->keepalive_interval <= 3600);
	CHECK(cfg->relay_limit <= 100000);
	CHECK(cfg->punch_timeout >= 1 && cfg->punch_timeout <= 60);
	CHECK(cfg->punch_sockets <= 1024 && cfg->punch_spray <= 16384);
	CHECK(cfg->punch_rate >= 100 && cfg->punch_rate <= 100000);
	CHECK(cfg->punch_retry >= 1 && cfg->punch_retry <= 3600);
	CHECK(cfg->rekey_after >= 1 && cfg->rekey_after <= 86400);
	CHECK(cfg->rekey_packets >= 1000 && cfg->rekey_packets <= 1ul << 46);
	CHECK(cfg->ca_path[0] && cfg->cert_path[0] && cfg->key_path[0]);
	CHECK(cfg->control_socket[0]);
	CHECK(cfg->n_peers == 0 || cfg->peers);
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct config_peer *p = &cfg->peers[i];

		CHECK(p->name[0] && p->line > 0);
		CHECK(!p->rendezvous || endpoint_spec_set(&p->endpoint));
		/* An endpoint is an address or a name, never both. */
		CHECK(!(p->endpoint.ep.len && p->endpoint.host[0]));
		CHECK(!p->endpoint.host[0] || p->endpoint.port);
		/* Names are unique, so lookups find this very peer. */
		CHECK(config_find_peer(cfg, p->name) == p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config cfg;
	char err[1024];

	memset(err, 0, sizeof(err));
	if (config_parse_buffer(NAME, (const char *)data, size, &cfg, err,
				sizeof(err))) {
		check_error(err);
		CHECK(!cfg.peers && !cfg.n_peers);
		return 0;
	}
	check_config(&cfg);
	config_free(&cfg);
	return 0;
}

/* A 64 KB file: every key, then as many peers as fit. */
static void write_seeds(void)
{
	static char buf[65536];
	size_t n;

	n = (size_t)snprintf(buf, sizeof(buf),
		"[Interface]\nName = pod0\nAddress = 10.77.0.1/16\n"
		"ListenPort = 51820\nMTU = 1340\nCA = ca.crt\n"
		"Certificate = node1.crt\nPrivateKey = node1.key\n"
		"ControlSocket = /run/podnet/pod0.sock\nLogLevel = debug\n"
		"KeepaliveInterval = 15\nRendezvous = yes\nRelayLimit = 100\n"
		"PunchTimeout = 3\nPunchSockets = 256\nPunchSprayPorts = 2048\n"
		"PunchRate = 4000\nPunchRetry = 1\nRekeyAfter = 120\n"
		"RekeyAfterPackets = 1000\nDataPath = tun\nThreads = 2\n"
		"Ciphers = ECDHE-ECDSA-CHACHA20-POLY1305\n");
	for (int i = 0; n < sizeof(buf) - 80; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n,
			i % 3 ? "\n[Peer]\nName = node%d\nEndpoint = 192.0.%d.%d:%d\n%s" :
				"\n[Peer]\nName = node%d\nEndpoint = n%d-%d.example.net:%d\n%s",
			i, i / 250, 1 + i % 250, 1024 + i,
			i % 7 ? "" : "Rendezvous = yes\n");
	seed_write("peers-64k.conf", buf, n);
}
