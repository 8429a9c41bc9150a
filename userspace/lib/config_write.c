// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The inverse of config.c's parser: every key is written, defaults too, so
 * the file reproduces the running state even if a default changes in a
 * later version. Keys and spellings are those doc/config.md documents.
 */
#include "config_write.h"

#include <arpa/inet.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

static const char *level_name(enum log_level l)
{
	switch (l) {
	case LOG_LEVEL_ERROR:
		return "error";
	case LOG_LEVEL_WARN:
		return "warn";
	case LOG_LEVEL_DEBUG:
		return "debug";
	default:
		return "info";
	}
}

static const char *datapath_name(enum config_datapath d)
{
	return d == CONFIG_DATAPATH_TUN ? "tun" :
	       d == CONFIG_DATAPATH_KERNEL ? "kernel" : "auto";
}

/* "KEY = PATH" with PATH made absolute against the working directory. */
static void write_path(FILE *f, const char *key, const char *path)
{
	char cwd[PATH_MAX];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		fprintf(f, "%s = %s\n", key, path);
	else
		fprintf(f, "%s = %s/%s\n", key, strcmp(cwd, "/") ? cwd : "",
			path);
}

/* The wolfSSL suite list back to the names Ciphers takes. */
static void write_ciphers(FILE *f, const char *list)
{
	static const struct {
		const char *suite, *name;
	} names[] = {
		{ CONFIG_SUITE_CHACHA20, "chacha20-poly1305" },
		{ CONFIG_SUITE_AES128, "aes-128-gcm" },
		{ CONFIG_SUITE_AES256, "aes-256-gcm" },
	};
	const char *s = list;
	bool first = true;

	fputs("Ciphers = ", f);
	while (*s) {
		size_t len = strcspn(s, ":");

		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			if (strlen(names[i].suite) == len &&
			    !strncmp(s, names[i].suite, len)) {
				fprintf(f, "%s%s", first ? "" : ", ",
					names[i].name);
				first = false;
			}
		}
		s += len;
		if (*s == ':')
			s++;
	}
	fputc('\n', f);
}

/* The TCP transport's keys (config_transport.h), when not the defaults.
 * The proxy's credentials are part of the configuration, as the key
 * files' paths are: showconf is for root, like the file. */
static void write_transport(FILE *f, const struct config_transport *t)
{
	if (t->listen_tcp)
		fprintf(f, "ListenTcp = %u\n", t->listen_tcp);
	if (t->mode != CONFIG_TRANSPORT_AUTO)
		fprintf(f, "Transport = %s\n",
			config_transport_mode_name(t->mode));
	if (t->tcp_port != CONFIG_DEFAULT_TCP_PORT)
		fprintf(f, "TcpPort = %u\n", t->tcp_port);
	if (t->has_proxy) {
		bool v6 = strchr(t->proxy.host, ':') != NULL;

		fprintf(f, "Proxy = http://%s%s%s%s%s:%u\n", t->proxy.auth,
			t->proxy.auth[0] ? "@" : "", v6 ? "[" : "",
			t->proxy.host, v6 ? "]" : "", t->proxy.port);
	}
	if (t->has_websocket) {
		bool v6 = strchr(t->websocket.host, ':') != NULL;

		fprintf(f, "WebSocket = http://%s%s%s:%u%s\n", v6 ? "[" : "",
			t->websocket.host, v6 ? "]" : "", t->websocket.port,
			t->websocket_path);
	}
}

int config_write(FILE *f, const struct config *cfg)
{
	char addr[INET_ADDRSTRLEN], addr6[INET6_ADDRSTRLEN];
	char ep[ENDPOINT_SPEC_STR_MAX];

	inet_ntop(AF_INET, &cfg->address, addr, sizeof(addr));
	inet_ntop(AF_INET6, &cfg->address6, addr6, sizeof(addr6));
	fprintf(f, "[Interface]\n");
	fprintf(f, "Name = %s\n", cfg->ifname);
	if (cfg->has_address && cfg->has_address6)
		fprintf(f, "Address = %s/%u, %s/%u\n", addr, cfg->prefixlen,
			addr6, cfg->prefixlen6);
	else if (cfg->has_address6)
		fprintf(f, "Address = %s/%u\n", addr6, cfg->prefixlen6);
	else
		fprintf(f, "Address = %s/%u\n", addr, cfg->prefixlen);
	fprintf(f, "ListenPort = %u\n", cfg->listen_port);
	fprintf(f, "MTU = %u\n", cfg->mtu);
	write_path(f, "CA", cfg->ca_path);
	write_path(f, "Certificate", cfg->cert_path);
	write_path(f, "PrivateKey", cfg->key_path);
	if (cfg->revocation_path[0])
		write_path(f, "RevocationList", cfg->revocation_path);
	write_path(f, "ControlSocket", cfg->control_socket);
	fprintf(f, "LogLevel = %s\n", level_name(cfg->log_level));
	fprintf(f, "KeepaliveInterval = %u\n", cfg->keepalive_interval);
	fprintf(f, "Rendezvous = %s\n", cfg->rendezvous ? "yes" : "no");
	fprintf(f, "RelayLimit = %u\n", cfg->relay_limit);
	fprintf(f, "PunchTimeout = %u\n", cfg->punch_timeout);
	fprintf(f, "PunchSockets = %u\n", cfg->punch_sockets);
	fprintf(f, "PunchSprayPorts = %u\n", cfg->punch_spray);
	fprintf(f, "PunchRate = %u\n", cfg->punch_rate);
	fprintf(f, "PunchRetry = %u\n", cfg->punch_retry);
	/* 0 is "the default for the role", which only an absent key says. */
	if (cfg->learned_peer_max)
		fprintf(f, "LearnedPeerMax = %u\n", cfg->learned_peer_max);
	fprintf(f, "LearnedPeerIdle = %u\n", cfg->learned_peer_idle);
	fprintf(f, "RekeyAfter = %u\n", cfg->rekey_after);
	fprintf(f, "RekeyAfterPackets = %llu\n", cfg->rekey_packets);
	if (cfg->threads)
		fprintf(f, "Threads = %u\n", cfg->threads);
	else
		fprintf(f, "Threads = auto\n");
	if (cfg->cipher_list[0])
		write_ciphers(f, cfg->cipher_list);
	fprintf(f, "DataPath = %s\n", datapath_name(cfg->datapath));
	fprintf(f, "Domain = %s\n", cfg->domain[0] ? cfg->domain : "off");
	if (cfg->routes_off)
		fprintf(f, "Routes = off\n");
	write_transport(f, &cfg->transport);
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct config_peer *p = &cfg->peers[i];

		fprintf(f, "\n[Peer]\nName = %s\n", p->name);
		/* The name the user gave, not what it resolves to now. */
		if (endpoint_spec_set(&p->endpoint))
			fprintf(f, "Endpoint = %s\n",
				endpoint_spec_format(&p->endpoint, ep,
						     sizeof(ep)));
		if (p->rendezvous)
			fprintf(f, "Rendezvous = yes\n");
	}
	config_publish_write(f, cfg->publish, cfg->n_publish);
	fflush(f);
	return ferror(f) ? -1 : 0;
}
