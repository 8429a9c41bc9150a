// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet show: the state of running daemons, as text in the style of
 * `wg show` or as JSON for scripts. Both come from the same parsed answer,
 * so they never disagree.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "ctlpath.h"
#include "expiry.h"
#include "status.h"
#include "subcommands.h"

static bool color;

static const char *c_bold(void) { return color ? "\x1b[1m" : ""; }
static const char *c_green(void) { return color ? "\x1b[32m" : ""; }
static const char *c_reset(void) { return color ? "\x1b[0m" : ""; }

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s show [INTERFACE | --socket PATH] [--json]\n\n"
		"Shows the state of podnetd. Without INTERFACE, every daemon of\n"
		"this network namespace with its socket in " CONTROL_SOCKET_DIR " is\n"
		"shown (--json: a JSON array, one object per interface).\n",
		prog_name);
}

static const char *get(const struct status_block *b, const char *key)
{
	const char *v = status_get(b, key);

	return v ? v : "(none)";
}

static unsigned long long get_u64(const struct status_block *b,
				  const char *key)
{
	const char *v = status_get(b, key);

	return v ? strtoull(v, NULL, 10) : 0;
}

static void print_bytes(unsigned long long b)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)b;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		printf("%llu B", b);
	else
		printf("%.2f %s", v, units[u]);
}

static void print_ago(long long then)
{
	long long d = (long long)time(NULL) - then;

	if (then <= 0) {
		printf("never");
		return;
	}
	if (d < 0)
		d = 0;
	if (d >= 3600)
		printf("%lld hour%s, ", d / 3600, d / 3600 == 1 ? "" : "s");
	if (d >= 60)
		printf("%lld minute%s, ", d / 60 % 60,
		       d / 60 % 60 == 1 ? "" : "s");
	printf("%lld second%s ago", d % 60, d % 60 == 1 ? "" : "s");
}

/* A rendezvous peer: can we reach it, since when, and when we try next. */
/* "endpoint: 192.0.2.7:51820 (rv.example.net:51820)", with the state
 * of the name while it has no answer or its last lookup failed. */
static void print_endpoint_host(const struct status_block *p)
{
	const char *state = get(p, "resolve");

	printf("  %sendpoint%s: ", c_bold(), c_reset());
	if (status_get(p, "endpoint"))
		printf("%s (%s", get(p, "endpoint"), get(p, "endpoint_host"));
	else
		printf("%s (", get(p, "endpoint_host"));
	if (!strcmp(state, "failed"))
		printf("%sresolving failed: %s", status_get(p, "endpoint") ?
		       ", " : "", get(p, "resolve_error"));
	else if (strcmp(state, "resolved"))
		printf("%s%s", status_get(p, "endpoint") ? ", " : "", state);
	printf(")\n");
}

static void print_rendezvous(const struct status_block *p)
{
	printf("  %srendezvous%s: %s since ", c_bold(), c_reset(),
	       get(p, "rendezvous_state"));
	print_ago((long long)get_u64(p, "rendezvous_since"));
	if (status_get(p, "rendezvous_next_retry"))
		printf(", next retry in %llu s",
		       get_u64(p, "rendezvous_next_retry"));
	printf("\n");
	/* Its RelayLimit for us; a rendezvous from before it told stays
	 * silent. */
	if (status_get(p, "relay_limit_mbps")) {
		if (get_u64(p, "relay_limit_mbps"))
			printf("  %srelay limit%s: %llu Mbit/s for this node\n",
			       c_bold(), c_reset(),
			       get_u64(p, "relay_limit_mbps"));
		else
			printf("  %srelay limit%s: none, this rendezvous relays nothing\n",
			       c_bold(), c_reset());
	}
}

/* An Address without a prefix is a /32: the kernel then routes nothing
 * of the network to the interface. */
/* The TCP transport (transport.c): shown once it has been used. */
static void print_transport(const struct status_block *i)
{
	if (status_get(i, "listen_tcp"))
		printf("  %stcp listener%s: port %s, %llu streams (%llu accepted, %llu refused, %llu failed, %llu malformed)\n",
		       c_bold(), c_reset(), get(i, "listen_tcp"),
		       get_u64(i, "tcp_streams"),
		       get_u64(i, "tcp_streams_accepted"),
		       get_u64(i, "tcp_streams_refused"),
		       get_u64(i, "tcp_streams_failed"),
		       get_u64(i, "tcp_rx_malformed"));
	if (!status_get(i, "transport") ||
	    (!strcmp(get(i, "transport"), "udp") &&
	     !strcmp(get(i, "transport_reason"), "udp")))
		return;
	printf("  %stransport%s: %s: %s", c_bold(), c_reset(),
	       get(i, "transport"), get(i, "transport_reason"));
	if (status_get(i, "tcp_state") && strcmp(get(i, "tcp_state"), "up"))
		printf(" (stream %s%s%s)", get(i, "tcp_state"),
		       status_get(i, "tcp_error") ? ", last error: " : "",
		       status_get(i, "tcp_error") ? get(i, "tcp_error") : "");
	if (status_get(i, "tcp_websocket"))
		printf(", WebSocket %s", get(i, "tcp_websocket"));
	if (status_get(i, "tcp_proxy"))
		printf(", via proxy %s", get(i, "tcp_proxy"));
	printf("\n");
}

static void print_host_route_warning(const struct status_block *i)
{
	const char *a = get(i, "address");
	size_t n = strlen(a);

	if (n > 3 && !strcmp(a + n - 3, "/32"))
		printf("  %swarning%s: Address is a /32 (no prefix given?): no route to the other nodes; write e.g. Address = %.*s/24\n",
		       c_bold(), c_reset(), (int)(n - 3), a);
}

/* The link's MTU, and this node's certificate: when it expires, and a
 * warning within CERT_EXPIRY_WARN_DAYS of that. */
static void print_mtu_and_cert(const struct status_block *i)
{
	const char *cfg = status_get(i, "mtu_configured");
	long long not_after = (long long)get_u64(i, "cert_not_after");
	char when[64];

	printf("  %smtu%s: %s", c_bold(), c_reset(), get(i, "mtu"));
	if (cfg && strcmp(cfg, get(i, "mtu")))
		printf(" (MTU = %s in the config)", cfg);
	printf("\n");
	/* Lower is fine: what the kernel hands the TUN device follows the
	 * link's MTU. Higher makes records a 1500-byte link cannot carry. */
	if (get_u64(i, "mtu") > CONFIG_MAX_MTU)
		printf("  %swarning%s: an MTU above %d makes records too large for a 1500-byte link: they leave fragmented\n",
		       c_bold(), c_reset(), CONFIG_MAX_MTU);
	if (!not_after)
		return;
	printf("  %scertificate expires%s: %s\n", c_bold(), c_reset(),
	       cert_expiry_text((time_t)not_after, time(NULL), when,
				sizeof(when)));
	if (cert_expires_soon((time_t)not_after, time(NULL)))
		printf("  %swarning%s: this node's certificate expires within %d days: issue a new one (podnet cert issue --force) and restart podnetd\n",
		       c_bold(), c_reset(), CERT_EXPIRY_WARN_DAYS);
}

/* "  LABEL: a, b, c" from a comma-separated value. */
static void print_list(const struct status_block *b, const char *key,
		       const char *label)
{
	printf("  %s%s%s: ", c_bold(), label, c_reset());
	for (const char *v = get(b, key); *v; v++)
		if (*v == ',')
			printf(", ");
		else
			putchar(*v);
	printf("\n");
}

/* "  dns: NAME.pod on 10.77.0.1, fd77::1 (systemd-resolved)" */
static void print_dns(const struct status_block *i)
{
	printf("  %sdns%s: NAME.%s on ", c_bold(), c_reset(),
	       get(i, "dns_domain"));
	for (const char *v = get(i, "dns_listen"); *v; v++)
		if (*v == ',')
			printf(", ");
		else
			putchar(*v);
	if (!strcmp(get(i, "dns_resolved"), "true"))
		printf(" (registered with systemd-resolved)");
	printf("\n");
}

/* [Publish] entries (doc/publish.md), after the peers. */
static void print_publish(const struct status *st)
{
	const struct status_block *i = &st->interface;

	if (status_get(i, "publish_hello_malformed"))
		printf("\n%sshared ports%s: ClientHellos closed: %llu malformed, %llu timed out, %llu without a name, %llu unknown name, %llu over the pending limit\n",
		       c_bold(), c_reset(), get_u64(i, "publish_hello_malformed"),
		       get_u64(i, "publish_hello_timeout"),
		       get_u64(i, "publish_hello_no_name"),
		       get_u64(i, "publish_hello_unknown_name"),
		       get_u64(i, "publish_pending_refused"));
	for (size_t n = 0; n < st->n_publish; n++) {
		const struct status_block *p = &st->publish[n];

		printf("\n%spublish%s: %s%s%s\n", c_bold(), c_reset(),
		       c_green(), get(p, "name"), c_reset());
		printf("  %slisten%s: %s", c_bold(), c_reset(), get(p, "listen"));
		if (status_get(p, "server_name"))
			printf(", server name %s", get(p, "server_name"));
		printf("\n  %starget%s: %s", c_bold(), c_reset(), get(p, "target"));
		if (status_get(p, "target_address"))
			printf(" (%s)", get(p, "target_address"));
		else
			printf(" (not known yet)");
		printf("\n  %smode%s: %s", c_bold(), c_reset(), get(p, "mode"));
		if (status_get(p, "mode_reason"))
			printf(" (%s)", get(p, "mode_reason"));
		if (status_get(p, "nft_table"))
			printf(" (nft list table %s)", get(p, "nft_table"));
		printf(", PROXY protocol %s, at most %llu connections, idle timeout %llu s\n",
		       get(p, "proxy_protocol"), get_u64(p, "max_connections"),
		       get_u64(p, "idle_timeout"));
		if (!status_get(p, "accepted"))
			continue;
		printf("  %sconnections%s: %llu active, %llu accepted, %llu refused (limit), %llu target failed, %llu idle closed\n",
		       c_bold(), c_reset(), get_u64(p, "active"),
		       get_u64(p, "accepted"), get_u64(p, "refused"),
		       get_u64(p, "target_failed"), get_u64(p, "idle_closed"));
		printf("  %stransfer%s: ", c_bold(), c_reset());
		print_bytes(get_u64(p, "bytes_in"));
		printf(" in, ");
		print_bytes(get_u64(p, "bytes_out"));
		printf(" out\n");
	}
}

static void print_pretty(const struct status *st)
{
	const struct status_block *i = &st->interface;

	printf("%sinterface%s: %s%s%s\n", c_bold(), c_reset(), c_green(),
	       get(i, "interface"), c_reset());
	printf("  %snode%s: %s\n", c_bold(), c_reset(), get(i, "node"));
	if (status_get(i, "address") || !status_get(i, "address6"))
		printf("  %saddress%s: %s\n", c_bold(), c_reset(),
		       get(i, "address"));
	if (status_get(i, "address6"))
		printf("  %saddress6%s: %s\n", c_bold(), c_reset(),
		       get(i, "address6"));
	print_host_route_warning(i);
	printf("  %slistening port%s: %s\n", c_bold(), c_reset(),
	       get(i, "listen_port"));
	print_mtu_and_cert(i);
	if (status_get(i, "datapath"))
		printf("  %sdata path%s: %s\n", c_bold(), c_reset(),
		       !strcmp(get(i, "datapath"), "kernel") ?
		       "kernel (podnet.ko)" : "userspace (TUN)");
	if (status_get(i, "wolfssl")) {
		printf("  %scrypto%s: wolfSSL %s, %s code", c_bold(), c_reset(),
		       get(i, "wolfssl"), get(i, "crypto_code"));
		if (status_get(i, "crypto_threads"))
			printf(", %s thread%s", get(i, "crypto_threads"),
			       strcmp(get(i, "crypto_threads"), "1") ? "s" : "");
		if (get_u64(i, "crypto_parallel_batches"))
			printf(" (%llu of %llu batches shared)",
			       get_u64(i, "crypto_parallel_batches"),
			       get_u64(i, "crypto_batches"));
		printf("\n");
	}
	if (status_get(i, "nat_type") && strcmp(get(i, "nat_type"), "unknown")) {
		printf("  %snat%s: %s", c_bold(), c_reset(), get(i, "nat_type"));
		if (status_get(i, "reflexive"))
			printf(" (seen as %s)", get(i, "reflexive"));
		printf("\n");
	}
	print_transport(i);
	if (get_u64(i, "revocation_serial") || get_u64(i, "rx_revocation_refused"))
		printf("  %srevocation list%s: serial %llu, %llu revoked (%llu lists refused)\n",
		       c_bold(), c_reset(), get_u64(i, "revocation_serial"),
		       get_u64(i, "revocation_count"),
		       get_u64(i, "rx_revocation_refused"));
	if (!strcmp(get(i, "rendezvous"), "true")) {
		if (!status_get(i, "relay_limit_mbps") ||
		    get_u64(i, "relay_limit_mbps"))
			printf("  %srole%s: rendezvous and relay", c_bold(),
			       c_reset());
		else
			printf("  %srole%s: rendezvous, no relay (RelayLimit = 0)",
			       c_bold(), c_reset());
		if (get_u64(i, "relay_limit_mbps"))
			printf(", up to %llu Mbit/s per node (RelayLimit)",
			       get_u64(i, "relay_limit_mbps"));
		printf("\n");
	}
	if (status_get(i, "dns_domain"))
		print_dns(i);
	printf("  %sdropped%s: %llu malformed, %llu unknown session, %llu rejected handshakes, %llu no route\n",
	       c_bold(), c_reset(), get_u64(i, "rx_malformed"),
	       get_u64(i, "rx_unknown_session"),
	       get_u64(i, "rx_handshake_rejected"), get_u64(i, "tx_no_route"));
	if (get_u64(i, "tx_bad_packet"))
		printf("  %sdropped%s: %llu malformed packets from %s\n",
		       c_bold(), c_reset(), get_u64(i, "tx_bad_packet"),
		       get(i, "interface"));
	if (get_u64(i, "rx_handshake_refused") ||
	    get_u64(i, "rx_handshake_wrong_source"))
		printf("  %shandshakes refused%s: %llu over budget, %llu from the wrong source\n",
		       c_bold(), c_reset(), get_u64(i, "rx_handshake_refused"),
		       get_u64(i, "rx_handshake_wrong_source"));
	for (size_t n = 0; n < st->n_peers; n++) {
		const struct status_block *p = &st->peers[n];

		printf("\n%speer%s: %s%s%s\n", c_bold(), c_reset(), c_green(),
		       get(p, "name"), c_reset());
		if (status_get(p, "address") || !status_get(p, "address6"))
			printf("  %saddress%s: %s\n", c_bold(), c_reset(),
			       get(p, "address"));
		if (status_get(p, "address6"))
			printf("  %saddress6%s: %s\n", c_bold(), c_reset(),
			       get(p, "address6"));
		if (status_get(p, "subnets"))
			print_list(p, "subnets", "subnets");
		if (status_get(p, "endpoint_host"))
			print_endpoint_host(p);
		else
			printf("  %sendpoint%s: %s\n", c_bold(), c_reset(),
			       get(p, "endpoint"));
		if (strcmp(get(p, "path"), "none")) {
			printf("  %spath%s: %s%s", c_bold(), c_reset(),
			       get(p, "path"),
			       status_get(p, "path_transport") ? " over TCP" : "");
			if (status_get(p, "reason"))
				printf(" (%s)", get(p, "reason"));
			if (get_u64(p, "relay_limit_mbps"))
				printf(", at most %llu Mbit/s from this node",
				       get_u64(p, "relay_limit_mbps"));
			printf("\n");
		}
		if (status_get(p, "no_path"))
			printf("  %sno path%s: %s\n", c_bold(), c_reset(),
			       get(p, "no_path"));
		if (status_get(p, "rendezvous_state"))
			print_rendezvous(p);
		printf("  %sstate%s: %s", c_bold(), c_reset(), get(p, "state"));
		if (status_get(p, "cipher"))
			printf(" (%s, %s)", get(p, "role"), get(p, "cipher"));
		printf("\n  %slatest handshake%s: ", c_bold(), c_reset());
		print_ago((long long)get_u64(p, "latest_handshake"));
		printf("\n  %stransfer%s: ", c_bold(), c_reset());
		print_bytes(get_u64(p, "rx_bytes"));
		printf(" received, ");
		print_bytes(get_u64(p, "tx_bytes"));
		printf(" sent\n");
		if (get_u64(p, "queued"))
			printf("  %squeued%s: %llu packets, waiting for the session\n",
			       c_bold(), c_reset(), get_u64(p, "queued"));
		printf("  %sdropped%s: %llu bad source, %llu no session, %llu queue full, %llu invalid\n",
		       c_bold(), c_reset(), get_u64(p, "drop_bad_source"),
		       get_u64(p, "drop_no_session"),
		       get_u64(p, "drop_queue_full"), get_u64(p, "drop_invalid"));
		if (get_u64(p, "drop_no_family"))
			printf("  %sdropped%s: %llu packets of a family (IPv4/IPv6) its certificate has no address for\n",
			       c_bold(), c_reset(), get_u64(p, "drop_no_family"));
	}
	print_publish(st);
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* Counters and times are numbers, flags are booleans, the rest strings.
 * Values with a leading zero (session indices) stay strings. */
static void json_value(const char *key, const char *v)
{
	const char *n = v[0] == '-' ? v + 1 : v;
	bool digits = *n && (n[0] != '0' || !n[1]) && (n == v || n[0] != '0');

	/* Lists: arrays of strings. */
	if (!strcmp(key, "subnets") || !strcmp(key, "dns_listen")) {
		char item[128];
		size_t len = 0;

		putchar('[');
		for (const char *c = v;; c++) {
			if (*c && *c != ',') {
				if (len + 1 < sizeof(item))
					item[len++] = *c;
				continue;
			}
			item[len] = '\0';
			if (len)
				json_string(item);
			len = 0;
			if (!*c)
				break;
			printf(", ");
		}
		putchar(']');
		return;
	}

	for (const char *c = n; *c && digits; c++)
		digits = isdigit((unsigned char)*c);
	/* Names and hex indices that happen to be all digits stay strings. */
	if (digits && strcmp(key, "name") && strcmp(key, "node") &&
	    strcmp(key, "interface") && strcmp(key, "session") &&
	    strcmp(key, "relay_channel"))
		fputs(v, stdout);
	else if (!strcmp(v, "true") || !strcmp(v, "false"))
		fputs(v, stdout);
	else
		json_string(v);
}

static void json_block(const struct status_block *b, const char *indent)
{
	for (size_t i = 0; i < b->n_fields; i++) {
		printf("%s%s", i ? ",\n" : "", indent);
		json_string(b->fields[i].key);
		printf(": ");
		json_value(b->fields[i].key, b->fields[i].value);
	}
}

/* One interface's object; in indent, when it is an element of the array
 * `podnet show --json` prints for every interface. */
static void print_json(const struct status *st, const char *indent)
{
	char in1[16], in2[16], in3[16];

	snprintf(in1, sizeof(in1), "%s  ", indent);
	snprintf(in2, sizeof(in2), "%s    ", indent);
	snprintf(in3, sizeof(in3), "%s      ", indent);
	printf("%s{\n", indent);
	json_block(&st->interface, in1);
	printf(",\n%s\"peers\": [", in1);
	for (size_t n = 0; n < st->n_peers; n++) {
		printf("%s\n%s{\n", n ? "," : "", in2);
		json_block(&st->peers[n], in3);
		printf("\n%s}", in2);
	}
	printf("%s%s]", st->n_peers ? "\n" : "", st->n_peers ? in1 : "");
	/* Only on a node that publishes: other answers stay as they were. */
	if (st->n_publish) {
		printf(",\n%s\"publish\": [", in1);
		for (size_t n = 0; n < st->n_publish; n++) {
			printf("%s\n%s{\n", n ? "," : "", in2);
			json_block(&st->publish[n], in3);
			printf("\n%s}", in2);
		}
		printf("\n%s]", in1);
	}
	printf("\n%s}", indent);
}

/* Shows the daemon at path; JSON: element `index` of an array, or (-1)
 * the one object. Returns 0 when it answered. */
static int show_one(const char *path, bool json, int index)
{
	struct status st;
	char err[512];

	if (status_fetch(path, &st, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", prog_name, err);
		return 1;
	}
	if (st.error) {
		fprintf(stderr, "%s: %s: daemon answered errno=%d\n", prog_name,
			path, st.error);
		status_free(&st);
		return 1;
	}
	if (json) {
		if (index > 0)
			printf(",\n");
		print_json(&st, index >= 0 ? "  " : "");
		if (index < 0)
			printf("\n");
	} else {
		if (index > 0)
			putchar('\n');
		print_pretty(&st);
	}
	status_free(&st);
	return 0;
}

int show_main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "socket", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *socket_path = NULL, *ifname = NULL;
	bool json = false;
	char **paths;
	int opt, n, shown = 0, ret = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "js:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 's':
			socket_path = optarg;
			break;
		default:
			return cli_option_unhandled(opt, usage);
		}
	}
	if (argc - optind > 1 || (socket_path && argc - optind == 1))
		return cli_usage_error(usage);
	if (argc - optind == 1)
		ifname = argv[optind];
	color = !json && isatty(STDOUT_FILENO);
	n = cli_sockets(socket_path, ifname, &paths);
	if (n < 0)
		return 1;
	if (!n) {
		fprintf(stderr, "%s: no podnetd runs in this network namespace (no control socket in " CONTROL_SOCKET_DIR ")\n",
			prog_name);
		return 1;
	}
	/* Named: one object, as always. All of them: an array, even of
	 * one, so that a script's jq does not depend on how many run. */
	if (socket_path || ifname) {
		ret = show_one(paths[0], json, -1);
	} else {
		if (json)
			printf("[\n");
		for (int i = 0; i < n; i++) {
			if (show_one(paths[i], json, shown))
				ret = 1;
			else
				shown++;
		}
		if (json)
			printf("%s]\n", shown ? "\n" : "");
	}
	cli_sockets_free(paths, n);
	return ret;
}
