// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * config_write is showconf's half of a round trip: whatever the parser
 * accepted, written and parsed again, must be the same config, with
 * relative paths made absolute.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "config_write.h"

static char err[512];

/* Parse text, write it, parse the output: out is the second config. */
static char *round_trip(const char *name, const char *text,
			struct config *in, struct config *out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(config_parse_buffer(name, text, strlen(text), in,
					     err, sizeof(err)), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(config_write(f, in), 0);
	fclose(f);
	if (config_parse_buffer("/elsewhere/showconf.conf", buf, len, out, err,
				sizeof(err)))
		fail_msg("%s\n--- written:\n%s", err, buf);
	return buf;
}

static void assert_same(const struct config *a, const struct config *b)
{
	assert_string_equal(a->ifname, b->ifname);
	assert_int_equal(a->address.s_addr, b->address.s_addr);
	assert_int_equal(a->prefixlen, b->prefixlen);
	assert_int_equal(a->listen_port, b->listen_port);
	assert_int_equal(a->mtu, b->mtu);
	assert_string_equal(a->ca_path, b->ca_path);
	assert_string_equal(a->cert_path, b->cert_path);
	assert_string_equal(a->key_path, b->key_path);
	assert_string_equal(a->revocation_path, b->revocation_path);
	assert_string_equal(a->control_socket, b->control_socket);
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->keepalive_interval, b->keepalive_interval);
	assert_int_equal(a->rendezvous, b->rendezvous);
	assert_int_equal(a->relay_limit, b->relay_limit);
	assert_int_equal(a->punch_timeout, b->punch_timeout);
	assert_int_equal(a->punch_sockets, b->punch_sockets);
	assert_int_equal(a->punch_spray, b->punch_spray);
	assert_int_equal(a->punch_rate, b->punch_rate);
	assert_int_equal(a->punch_retry, b->punch_retry);
	assert_int_equal(a->learned_peer_max, b->learned_peer_max);
	assert_int_equal(a->learned_peer_idle, b->learned_peer_idle);
	assert_int_equal(a->rekey_after, b->rekey_after);
	assert_true(a->rekey_packets == b->rekey_packets);
	assert_int_equal(a->threads, b->threads);
	assert_string_equal(a->cipher_list, b->cipher_list);
	assert_int_equal(a->datapath, b->datapath);
	assert_int_equal(a->n_peers, b->n_peers);
	for (size_t i = 0; i < a->n_peers; i++) {
		assert_string_equal(a->peers[i].name, b->peers[i].name);
		assert_true(endpoint_spec_equal(&a->peers[i].endpoint,
						&b->peers[i].endpoint));
		assert_int_equal(a->peers[i].rendezvous,
				 b->peers[i].rendezvous);
	}
}

/* Every key away from its default, and peers of each kind. */
static void test_every_key(void **state)
{
	static const char text[] =
		"[Interface]\n"
		"Name = vpn7\n"
		"Address = 10.9.8.7/16\n"
		"ListenPort = 4000\n"
		"MTU = 1280\n"
		"CA = /etc/podnet/ca.crt\n"
		"Certificate = /etc/podnet/n.crt\n"
		"PrivateKey = /etc/podnet/n.key\n"
		"RevocationList = /var/lib/podnet/revoked\n"
		"ControlSocket = /run/x/vpn7.sock\n"
		"LogLevel = debug\n"
		"KeepaliveInterval = 0\n"
		"Rendezvous = yes\n"
		"RelayLimit = 7\n"
		"PunchTimeout = 9\n"
		"PunchSockets = 0\n"
		"PunchSprayPorts = 10\n"
		"PunchRate = 100\n"
		"PunchRetry = 11\n"
		"LearnedPeerMax = 12\n"
		"LearnedPeerIdle = 13\n"
		"RekeyAfter = 14\n"
		"RekeyAfterPackets = 15000\n"
		"Threads = 3\n"
		"Ciphers = aes-256-gcm, chacha20-poly1305\n"
		"DataPath = tun\n"
		"\n[Peer]\nName = a\nEndpoint = 192.0.2.1:5\n"
		"\n[Peer]\nName = b\nEndpoint = [2001:db8::1]:51820\nRendezvous = yes\n"
		"\n[Peer]\nName = c\n";
	struct config in, out;
	char *buf;

	(void)state;
	buf = round_trip("/etc/podnet/vpn7.conf", text, &in, &out);
	assert_same(&in, &out);
	assert_non_null(strstr(buf, "Ciphers = aes-256-gcm, chacha20-poly1305\n"));
	assert_true(out.mtu_set);
	free(buf);
	config_free(&in);
	config_free(&out);
}

/* The defaults survive, "auto" and the role's default included. */
static void test_defaults(void **state)
{
	static const char text[] =
		"[Interface]\nAddress = 10.0.0.1/24\n"
		"CA = /c\nCertificate = /n.crt\nPrivateKey = /n.key\n";
	struct config in, out;
	char *buf;

	(void)state;
	buf = round_trip("/etc/podnet/pod0.conf", text, &in, &out);
	assert_same(&in, &out);
	assert_null(strstr(buf, "LearnedPeerMax"));
	assert_non_null(strstr(buf, "Threads = 1\n"));
	assert_null(strstr(buf, "[Peer]"));
	free(buf);
	config_free(&in);
	config_free(&out);
}

/* A config read by relative name keeps working from another directory. */
static void test_relative_paths_absolute(void **state)
{
	static const char text[] =
		"[Interface]\nAddress = 10.0.0.1/24\n"
		"CA = ca.crt\nCertificate = n.crt\nPrivateKey = keys/n.key\n";
	struct config in, out;
	char cwd[PATH_MAX], want[PATH_MAX + 32];
	char *buf;

	(void)state;
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	buf = round_trip("sub/node.conf", text, &in, &out);
	snprintf(want, sizeof(want), "%s/sub/keys/n.key", cwd);
	assert_string_equal(out.key_path, want);
	snprintf(want, sizeof(want), "%s/sub/ca.crt", cwd);
	assert_string_equal(out.ca_path, want);
	free(buf);
	config_free(&in);
	config_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_relative_paths_absolute),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
