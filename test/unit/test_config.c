// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The config parser promises "file:line: what was expected" for every
 * line it refuses, so the bad-file tests compare the start of the message
 * exactly and check that it names the offending thing. Files in data/ are
 * read relative to the cwd that `make check-unit` uses (test/unit).
 */
#include <arpa/inet.h>
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
#include "ctlpath.h"

/* The keys every valid file needs. */
#define REQUIRED \
	"[Interface]\n" \
	"Address = 10.0.0.1/24\n" \
	"CA = ca.crt\n" \
	"Certificate = node.crt\n" \
	"PrivateKey = node.key\n"

static char err[512];

/* config_parse_buffer on an exact-size, unterminated heap copy, as the
 * file reader hands it over, so that ASan sees any overread. */
static int parse_len(const char *name, const char *text, size_t len,
		     struct config *cfg)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, text, len);
	memset(err, 0, sizeof(err));
	ret = config_parse_buffer(name, copy, len, cfg, err, sizeof(err));
	free(copy);
	return ret;
}

static int parse(const char *name, const char *text, struct config *cfg)
{
	return parse_len(name, text, strlen(text), cfg);
}

/* A node name of n characters. */
static const char *long_name(size_t n)
{
	static char name[CERT_NAME_MAX + 8];

	assert_true(n < sizeof(name));
	memset(name, 'n', n);
	name[n] = '\0';
	return name;
}

static struct in_addr ip(const char *text)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a;
}

/*
 * text must be refused with a message that starts with prefix (the
 * "file:line: " part and the start of the sentence) and contains names
 * (the key, value or section it complains about), if not NULL.
 */
static void expect_error_len(const char *text, size_t len, const char *prefix,
			     const char *names)
{
	struct config cfg;

	if (parse_len("bad.conf", text, len, &cfg) != -1)
		fail_msg("accepted:\n%s", text);
	if (strncmp(err, prefix, strlen(prefix)))
		fail_msg("error \"%s\" does not start with \"%s\"", err, prefix);
	if (names && !strstr(err, names))
		fail_msg("error \"%s\" does not mention \"%s\"", err, names);
	/* A refused file leaves nothing behind to free. */
	assert_null(cfg.peers);
	assert_int_equal(cfg.n_peers, 0);
	config_free(&cfg);
}

static void expect_error(const char *text, const char *prefix,
			 const char *names)
{
	expect_error_len(text, strlen(text), prefix, names);
}

/* What data/good.conf and data/crlf.conf must both produce. */
static void check_good(const struct config *cfg, const char *dir)
{
	char want[PATH_MAX];
	const struct config_peer *p;
	struct endpoint ep;

	assert_string_equal(cfg->ifname, "pod7");
	assert_int_equal(cfg->address.s_addr, ip("10.77.0.1").s_addr);
	assert_int_equal(cfg->prefixlen, 24);
	assert_int_equal(cfg->listen_port, 51999);
	assert_int_equal(cfg->mtu, 1280);
	snprintf(want, sizeof(want), "%s/ca.crt", dir);
	assert_string_equal(cfg->ca_path, want);
	snprintf(want, sizeof(want), "%s/certs/node1.crt", dir);
	assert_string_equal(cfg->cert_path, want);
	/* Absolute paths stay as they are. */
	assert_string_equal(cfg->key_path, "/etc/podnet/node1.key");
	snprintf(want, sizeof(want), "%s/run/pod7.sock", dir);
	assert_string_equal(cfg->control_socket, want);
	assert_int_equal(cfg->log_level, LOG_LEVEL_DEBUG);
	assert_int_equal(cfg->keepalive_interval, 0);
	assert_true(cfg->rendezvous);
	assert_int_equal(cfg->relay_limit, 0);
	assert_int_equal(cfg->punch_timeout, 60);
	assert_int_equal(cfg->punch_sockets, 1024);
	assert_int_equal(cfg->punch_spray, 0);
	assert_int_equal(cfg->punch_rate, 100000);
	assert_int_equal(cfg->punch_retry, 5);

	assert_int_equal(cfg->n_peers, 3);
	assert_string_equal(cfg->peers[0].name, "node2");
	assert_int_equal(endpoint_parse("192.0.2.2:51820", &ep), 0);
	assert_true(endpoint_equal(&cfg->peers[0].endpoint.ep, &ep));
	assert_int_equal(cfg->peers[0].line, 27);
	assert_true(cfg->peers[0].rendezvous);
	assert_string_equal(cfg->peers[1].name, "node3");
	assert_int_equal(endpoint_parse("[2001:db8::3]:4500", &ep), 0);
	assert_true(endpoint_equal(&cfg->peers[1].endpoint.ep, &ep));
	assert_int_equal(cfg->peers[1].line, 32);
	assert_false(cfg->peers[1].rendezvous);
	/* A peer without Endpoint waits to be contacted. */
	assert_string_equal(cfg->peers[2].name, "node4");
	assert_int_equal(cfg->peers[2].endpoint.ep.len, 0);
	assert_false(cfg->peers[2].rendezvous);

	p = config_find_peer(cfg, "node3");
	assert_ptr_equal(p, &cfg->peers[1]);
	assert_null(config_find_peer(cfg, "node5"));
	assert_null(config_find_peer(cfg, "Node3"));
	assert_null(config_find_peer(cfg, ""));
}

static void test_good_file(void **state)
{
	struct config cfg;

	assert_int_equal(config_parse_file("data/good.conf", &cfg, err,
					   sizeof(err)), 0);
	assert_string_equal(cfg.path, "data/good.conf");
	check_good(&cfg, "data");
	config_free(&cfg);
	assert_null(cfg.peers);
	assert_int_equal(cfg.n_peers, 0);
	/* Freeing twice is harmless. */
	config_free(&cfg);
}

/* Files edited on Windows must read the same: CR is whitespace. */
static void test_crlf_file(void **state)
{
	struct config cfg;

	assert_int_equal(config_parse_file("data/crlf.conf", &cfg, err,
					   sizeof(err)), 0);
	check_good(&cfg, "data");
	config_free(&cfg);

	/* And error lines are still counted right. */
	expect_error(REQUIRED "\r\nMTU = 9000\r\n",
		     "bad.conf:7: expected an MTU of 576-1419", "'9000'");
	expect_error("[Interface]\r\nAddress = 10.0.0.1/24\r\nFoo = 1\r\n",
		     "bad.conf:3: unknown key 'Foo' in [Interface]", NULL);
}

static void test_defaults(void **state)
{
	char want[108];
	struct config cfg;

	assert_int_equal(parse("pod0.conf", REQUIRED, &cfg), 0);
	assert_string_equal(cfg.ifname, "pod0");
	assert_int_equal(cfg.listen_port, 51820);
	assert_int_equal(cfg.mtu, 1340);
	assert_int_equal(cfg.keepalive_interval, 15);
	assert_int_equal(cfg.log_level, LOG_LEVEL_INFO);
	/* The default socket is per network namespace (test_ctlpath.c). */
	control_socket_default(want, sizeof(want), "pod0");
	assert_string_equal(cfg.control_socket, want);
	assert_false(cfg.rendezvous);
	assert_int_equal(cfg.relay_limit, CONFIG_DEFAULT_RELAY_LIMIT);
	assert_int_equal(cfg.punch_timeout, CONFIG_DEFAULT_PUNCH_TIMEOUT);
	assert_int_equal(cfg.punch_sockets, CONFIG_DEFAULT_PUNCH_SOCKETS);
	assert_int_equal(cfg.punch_spray, CONFIG_DEFAULT_PUNCH_SPRAY);
	assert_int_equal(cfg.punch_rate, CONFIG_DEFAULT_PUNCH_RATE);
	assert_int_equal(cfg.punch_retry, CONFIG_DEFAULT_PUNCH_RETRY);
	/* 0: the daemon picks by role (peer.c). */
	assert_int_equal(cfg.learned_peer_max, 0);
	assert_int_equal(cfg.learned_peer_idle, CONFIG_DEFAULT_LEARNED_PEER_IDLE);
	assert_int_equal(cfg.n_peers, 0);
	assert_null(cfg.peers);
	/* No directory in the name: paths stay relative to the cwd. */
	assert_string_equal(cfg.ca_path, "ca.crt");
	assert_string_equal(cfg.cert_path, "node.crt");
	assert_string_equal(cfg.key_path, "node.key");
	config_free(&cfg);

	/* The default socket follows Name. */
	assert_int_equal(parse("x.conf", REQUIRED "Name = edge3\n", &cfg), 0);
	control_socket_default(want, sizeof(want), "edge3");
	assert_string_equal(cfg.control_socket, want);
	config_free(&cfg);

	/* An address without a prefix is a host route. */
	assert_int_equal(parse("x.conf", "[Interface]\nAddress = 10.9.8.7\n"
				"CA=a\nCertificate=b\nPrivateKey=c\n", &cfg), 0);
	assert_int_equal(cfg.prefixlen, 32);
	assert_int_equal(cfg.address.s_addr, ip("10.9.8.7").s_addr);
	config_free(&cfg);
}

static void test_address6(void **state)
{
	struct in6_addr want;
	struct config cfg;

	(void)state;
	inet_pton(AF_INET6, "fd77::1", &want);
	assert_int_equal(parse("x.conf", "[Interface]\n"
				"Address = 10.77.0.1/24, fd77::1/64\n"
				"CA=a\nCertificate=b\nPrivateKey=c\n", &cfg), 0);
	assert_true(cfg.has_address);
	assert_true(cfg.has_address6);
	assert_int_equal(cfg.prefixlen, 24);
	assert_int_equal(cfg.prefixlen6, 64);
	assert_memory_equal(&cfg.address6, &want, 16);
	config_free(&cfg);

	/* IPv6 only; no prefix is a /128. */
	assert_int_equal(parse("x.conf", "[Interface]\nAddress = fd77::1\n"
				"CA=a\nCertificate=b\nPrivateKey=c\n", &cfg), 0);
	assert_false(cfg.has_address);
	assert_true(cfg.has_address6);
	assert_int_equal(cfg.prefixlen6, 128);
	config_free(&cfg);

	expect_error(REQUIRED "Address = fd77::1/64, fd77::2/64\n",
		     "bad.conf:6: Address holds one IPv6 address", "fd77::2");
	expect_error(REQUIRED "Address = 10.0.0.1/24, 10.0.0.2/24\n",
		     "bad.conf:6: Address holds one IPv4 address", "10.0.0.2");
	expect_error(REQUIRED "Address = fd77::1/129\n",
		     "bad.conf:6: expected a prefix length 1-128", "'129'");
	/* IPv6 needs 1280 bytes. */
	expect_error(REQUIRED "Address = fd77::1/64\nMTU = 1200\n",
		     "bad.conf", "below 1280");
}

static void test_limits_accepted(void **state)
{
	struct config cfg;

	assert_int_equal(parse("x.conf", REQUIRED "ListenPort = 1\nMTU = 576\n"
				"KeepaliveInterval = 3600\n"
				"Name = abcdefghijklmno\n", &cfg), 0);
	assert_int_equal(cfg.listen_port, 1);
	assert_int_equal(cfg.mtu, 576);
	assert_int_equal(cfg.keepalive_interval, 3600);
	assert_string_equal(cfg.ifname, "abcdefghijklmno");
	config_free(&cfg);

	assert_int_equal(parse("x.conf", REQUIRED "ListenPort = 65535\n"
				"MTU = 1350\nAddress = 10.0.0.1/1\n"
				"LogLevel = error\n", &cfg), 0);
	assert_int_equal(cfg.listen_port, 65535);
	assert_int_equal(cfg.mtu, 1350);
	assert_int_equal(cfg.prefixlen, 1);
	assert_int_equal(cfg.log_level, LOG_LEVEL_ERROR);
	config_free(&cfg);
}

static void test_case_and_spacing(void **state)
{
	struct config cfg;

	assert_int_equal(parse("x.conf",
			       "  [INTERFACE]  \n"
			       "\taddress=10.1.2.3/16\t\n"
			       "ca=ca\ncertificate   =   c\nPRIVATEKEY=k\n"
			       "mtu = 1000\n"
			       "[peer]\nname=n1\nENDPOINT=10.0.0.2:1", &cfg), 0);
	assert_int_equal(cfg.prefixlen, 16);
	assert_int_equal(cfg.mtu, 1000);
	assert_string_equal(cfg.cert_path, "c");
	assert_int_equal(cfg.n_peers, 1);
	/* The last line counts even without a newline. */
	assert_int_equal(cfg.peers[0].endpoint.ep.len,
			 sizeof(struct sockaddr_in));
	config_free(&cfg);
}

static void test_relative_paths(void **state)
{
	struct config cfg;

	assert_int_equal(parse("/etc/podnet/pod0.conf",
			       REQUIRED "ControlSocket = ctl/pod0.sock\n",
			       &cfg), 0);
	assert_string_equal(cfg.path, "/etc/podnet/pod0.conf");
	assert_string_equal(cfg.ca_path, "/etc/podnet/ca.crt");
	assert_string_equal(cfg.cert_path, "/etc/podnet/node.crt");
	assert_string_equal(cfg.key_path, "/etc/podnet/node.key");
	assert_string_equal(cfg.control_socket, "/etc/podnet/ctl/pod0.sock");
	config_free(&cfg);

	assert_int_equal(parse("a/b/c.conf",
			       REQUIRED "CA = /abs/ca.crt\n"
			       "Certificate = ../up.crt\n", &cfg), 0);
	assert_string_equal(cfg.ca_path, "/abs/ca.crt");
	assert_string_equal(cfg.cert_path, "a/b/../up.crt");
	assert_string_equal(cfg.key_path, "a/b/node.key");
	config_free(&cfg);
}

static void test_path_too_long(void **state)
{
	char text[1024];

	/* sun_path holds 108 bytes with its NUL. */
	snprintf(text, sizeof(text), REQUIRED "ControlSocket = /%0120d\n", 0);
	expect_error(text, "bad.conf:6: ControlSocket: path too long", NULL);
	/* Exactly 107 characters still fit. */
	snprintf(text, sizeof(text), REQUIRED "ControlSocket = /%0106d\n", 0);
	{
		struct config cfg;

		assert_int_equal(parse("x.conf", text, &cfg), 0);
		assert_int_equal(strlen(cfg.control_socket), 107);
		config_free(&cfg);
	}
}

static void test_syntax_errors(void **state)
{
	expect_error("[Interface]\nAddress 10.0.0.1/24\n",
		     "bad.conf:2: expected 'Key = Value' or '[Section]', got 'Address 10.0.0.1/24'",
		     NULL);
	expect_error("\n\n# comment\n[Interface]\n= 5\n",
		     "bad.conf:5: expected a key before '='", NULL);
	expect_error("[Interface\n", "bad.conf:1: expected ']'", NULL);
	expect_error("[Interface] x\n", "bad.conf:1: expected ']'", NULL);
	expect_error("[]\n", "bad.conf:1: unknown section []", NULL);
	expect_error("[\n", "bad.conf:1: expected ']'", NULL);
	expect_error("]\n", "bad.conf:1: expected 'Key = Value'", NULL);
}

static void test_unknown(void **state)
{
	expect_error(REQUIRED "ListenPrt = 1\n",
		     "bad.conf:6: unknown key 'ListenPrt' in [Interface]",
		     "ListenPort");
	expect_error(REQUIRED "[Peer]\nName = n\nPublicKey = abc\n",
		     "bad.conf:8: unknown key 'PublicKey' in [Peer]",
		     "Endpoint");
	/* Peer keys are not interface keys. */
	expect_error(REQUIRED "Endpoint = 10.0.0.1:1\n",
		     "bad.conf:6: unknown key 'Endpoint' in [Interface]",
		     NULL);
	expect_error(REQUIRED "[Peer]\nName = n\nMTU = 1300\n",
		     "bad.conf:8: unknown key 'MTU' in [Peer]", NULL);
	expect_error("# top\n[Interfaces]\n",
		     "bad.conf:2: unknown section [Interfaces]",
		     "[Interface]");
	expect_error(REQUIRED "[Peers]\n",
		     "bad.conf:6: unknown section [Peers]", NULL);
}

static void test_outside_section(void **state)
{
	expect_error("Name = pod0\n[Interface]\n",
		     "bad.conf:1: 'Name' outside a section", "[Interface]");
	expect_error("; comment\n\nAddress = 10.0.0.1/24\n",
		     "bad.conf:3: 'Address' outside a section", NULL);
}

static void test_bad_address(void **state)
{
	static const char *const bad[] = {
		"10.0.0/24", "10.0.0.256/24", "10.0.0.1.1/8", "host/24",
		"/24", "fd77::1::2/64", "fd77::g", "10.0.0.1 /24", "0x0a000001",
		"1234567890123456789012/8",	/* longer than any address */
	};
	static const char *const bad_prefix[] = {
		"0", "33", "", "-1", "+8", "24/1", "2 4",
		"4294967320",	/* 2^32 + 24: no truncation to 24 */
	};
	char text[256], want[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), REQUIRED "Address = %s\n", bad[i]);
		snprintf(want, sizeof(want), "'%s'", bad[i]);
		expect_error(text, "bad.conf:6: expected 'Address = A.B.C.D/PREFIX'",
			     want);
	}
	for (size_t i = 0; i < sizeof(bad_prefix) / sizeof(bad_prefix[0]);
	     i++) {
		snprintf(text, sizeof(text),
			 REQUIRED "Address = 10.0.0.1/%s\n", bad_prefix[i]);
		snprintf(want, sizeof(want), "'%s'", bad_prefix[i]);
		expect_error(text,
			     "bad.conf:6: expected a prefix length 1-32", want);
	}
	expect_error("[Interface]\nAddress =\n",
		     "bad.conf:2: expected 'Address = A.B.C.D/PREFIX', 'Address = X:X::X/PREFIX' or both, separated by a comma, got ''",
		     NULL);
}

static void test_bad_numbers(void **state)
{
	static const char *const ports[] = {
		"0", "65536", "abc", "-1", "+1", "", "51820x", "5 1",
		"99999999999999999999999", "0x50",
	};
	static const char *const mtus[] = {
		"575", "1420", "0", "9000", "1340 bytes", "-1340",
	};
	static const char *const keepalives[] = { "3601", "-1", "off", "1.5" };
	char text[256], want[256];

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		snprintf(text, sizeof(text), REQUIRED "ListenPort = %s\n",
			 ports[i]);
		snprintf(want, sizeof(want), "got '%s'", ports[i]);
		expect_error(text,
			     "bad.conf:6: expected a port number 1-65535", want);
	}
	for (size_t i = 0; i < sizeof(mtus) / sizeof(mtus[0]); i++) {
		snprintf(text, sizeof(text), REQUIRED "MTU = %s\n", mtus[i]);
		snprintf(want, sizeof(want), "got '%s'", mtus[i]);
		expect_error(text, "bad.conf:6: expected an MTU of 576-1419",
			     want);
	}
	for (size_t i = 0; i < sizeof(keepalives) / sizeof(keepalives[0]);
	     i++) {
		snprintf(text, sizeof(text), REQUIRED "KeepaliveInterval = %s\n",
			 keepalives[i]);
		expect_error(text, "bad.conf:6: expected KeepaliveInterval",
			     keepalives[i]);
	}
	expect_error(REQUIRED "LogLevel = verbose\n",
		     "bad.conf:6: expected LogLevel", "'verbose'");
}

static void test_rendezvous(void **state)
{
	static const char *const yes[] = { "yes", "YES", "true", "True", "1" };
	static const char *const no[] = { "no", "No", "false", "FALSE", "0" };
	static const char *const bad_bool[] = {
		"maybe", "", "2", "on", "off", "y", "yes please", "01",
	};
	static const struct {
		const char *key;
		unsigned long min, max;
	} numbers[] = {
		{ "RelayLimit", 0, 100000 },
		{ "PunchTimeout", 1, 60 },
		{ "PunchSockets", 0, 1024 },
		{ "PunchSprayPorts", 0, 16384 },
		{ "PunchRate", 100, 100000 },
		{ "PunchRetry", 1, 3600 },
		{ "LearnedPeerMax", 1, 1000000 },
		{ "LearnedPeerIdle", 1, 86400 },
	};
	char text[512], want[256];
	struct config cfg;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		snprintf(text, sizeof(text), REQUIRED "Rendezvous = %s\n"
			 "[Peer]\nName = r\nEndpoint = 192.0.2.9:1\n"
			 "Rendezvous = %s\n", yes[i], yes[i]);
		assert_int_equal(parse("x.conf", text, &cfg), 0);
		assert_true(cfg.rendezvous);
		assert_true(cfg.peers[0].rendezvous);
		config_free(&cfg);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		snprintf(text, sizeof(text), REQUIRED "Rendezvous = yes\n"
			 "Rendezvous = %s\n[Peer]\nName = r\n"
			 "Rendezvous = %s\n", no[i], no[i]);
		assert_int_equal(parse("x.conf", text, &cfg), 0);
		assert_false(cfg.rendezvous);
		assert_false(cfg.peers[0].rendezvous);
		config_free(&cfg);
	}
	for (size_t i = 0; i < sizeof(bad_bool) / sizeof(bad_bool[0]); i++) {
		snprintf(text, sizeof(text), REQUIRED "Rendezvous = %s\n",
			 bad_bool[i]);
		snprintf(want, sizeof(want),
			 "bad.conf:6: expected 'Rendezvous = yes' or 'Rendezvous = no', got '%s'",
			 bad_bool[i]);
		expect_error(text, want, NULL);
		snprintf(text, sizeof(text), REQUIRED "[Peer]\nName = r\n"
			 "Endpoint = 192.0.2.9:1\nRendezvous = %s\n",
			 bad_bool[i]);
		expect_error(text, "bad.conf:9: expected 'Rendezvous = yes'",
			     NULL);
	}

	/* A rendezvous node is only useful if we know where it is. */
	expect_error(REQUIRED "[Peer]\nName = r\nRendezvous = yes\n",
		     "bad.conf:6: a rendezvous [Peer] needs 'Endpoint ='", NULL);
	expect_error(REQUIRED "[Peer]\nRendezvous = yes\nName = r\n"
		     "[Peer]\nName = s\n",
		     "bad.conf:6: a rendezvous [Peer] needs 'Endpoint ='", NULL);

	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		const char *key = numbers[i].key;
		char prefix[128];

		snprintf(prefix, sizeof(prefix),
			 "bad.conf:6: expected %s between %lu and %lu, got ",
			 key, numbers[i].min, numbers[i].max);
		snprintf(text, sizeof(text), REQUIRED "%s = %lu\n%s = %lu\n",
			 key, numbers[i].min, key, numbers[i].max);
		assert_int_equal(parse("x.conf", text, &cfg), 0);
		config_free(&cfg);
		snprintf(text, sizeof(text), REQUIRED "%s = %lu\n", key,
			 numbers[i].max + 1);
		expect_error(text, prefix, NULL);
		if (numbers[i].min) {
			snprintf(text, sizeof(text), REQUIRED "%s = %lu\n",
				 key, numbers[i].min - 1);
			expect_error(text, prefix, NULL);
		}
		snprintf(text, sizeof(text), REQUIRED "%s = -1\n", key);
		expect_error(text, prefix, "'-1'");
		snprintf(text, sizeof(text), REQUIRED "%s =\n", key);
		expect_error(text, prefix, "''");
		snprintf(text, sizeof(text), REQUIRED "%s = 4294967306\n", key);
		expect_error(text, prefix, NULL);
		/* Interface settings do not belong to a peer. */
		snprintf(text, sizeof(text),
			 REQUIRED "[Peer]\nName = p\n%s = 10\n", key);
		expect_error(text, "bad.conf:8: unknown key", key);
	}
}

static void test_bad_names(void **state)
{
	char text[256];

	expect_error(REQUIRED "Name =\n",
		     "bad.conf:6: expected an interface name", NULL);
	/* IFNAMSIZ is 16 with the NUL. */
	expect_error(REQUIRED "Name = abcdefghijklmnop\n",
		     "bad.conf:6: expected an interface name",
		     "'abcdefghijklmnop'");
	expect_error(REQUIRED "Name = a/b\n",
		     "bad.conf:6: expected an interface name", "'a/b'");
	expect_error(REQUIRED "Name = a b\n",
		     "bad.conf:6: expected an interface name", NULL);
	expect_error(REQUIRED "Name = pod:0\n",
		     "bad.conf:6: expected an interface name", NULL);

	expect_error(REQUIRED "[Peer]\nName = node 2\n",
		     "bad.conf:7: expected a node name", "'node 2'");
	expect_error(REQUIRED "[Peer]\nName =\n",
		     "bad.conf:7: expected a node name", NULL);
	expect_error(REQUIRED "[Peer]\nName = a/b\n",
		     "bad.conf:7: expected a node name", NULL);
	snprintf(text, sizeof(text), REQUIRED "[Peer]\nName = %s\n",
		 long_name(CERT_NAME_MAX));
	expect_error(text, "bad.conf:7: expected a node name", NULL);
	expect_error(REQUIRED "CA =\n",
		     "bad.conf:6: expected a file name after 'CA ='", NULL);
	expect_error(REQUIRED "PrivateKey = # none\n",
		     "bad.conf:6: expected a file name after 'PrivateKey ='",
		     NULL);
}

static void test_peers(void **state)
{
	struct config cfg;
	char text[256];

	/* Names of 63 characters are the longest allowed. */
	snprintf(text, sizeof(text),
		 REQUIRED "[Peer]\nName = %s\n[Peer]\nName = A-z_0.9\n",
		 long_name(CERT_NAME_MAX - 1));
	assert_int_equal(parse("x.conf", text, &cfg), 0);
	assert_int_equal(cfg.n_peers, 2);
	assert_int_equal(strlen(cfg.peers[0].name), CERT_NAME_MAX - 1);
	assert_non_null(config_find_peer(&cfg, "A-z_0.9"));
	config_free(&cfg);

	expect_error(REQUIRED "[Peer]\nName = node2\n\n[Peer]\nName = node2\n",
		     "bad.conf:9: peer 'node2' already defined at line 6",
		     NULL);
	/* The duplicate is found even when it is not the next one. */
	expect_error(REQUIRED "[Peer]\nName=a\n[Peer]\nName=b\n[Peer]\nName=a\n"
		     "[Peer]\nName=c\n",
		     "bad.conf:10: peer 'a' already defined at line 6", NULL);
	/* ...and when another section follows it. */
	expect_error("[Peer]\nName=a\n[Peer]\nName=a\n" REQUIRED,
		     "bad.conf:3: peer 'a' already defined at line 1", NULL);

	expect_error(REQUIRED "[Peer]\nEndpoint = 10.0.0.2:1\n[Peer]\nName=b\n",
		     "bad.conf:6: [Peer] without 'Name ='", NULL);
	/* At the end of the file too. */
	expect_error(REQUIRED "[Peer]\nName=b\n[Peer]\n# nothing\n",
		     "bad.conf:8: [Peer] without 'Name ='", NULL);

	expect_error(REQUIRED "[Peer]\nName=b\nEndpoint = 192.0.2.1\n",
		     "bad.conf:8: expected 'Endpoint = HOST:PORT', IP:PORT or [IPv6]:PORT: no port in '192.0.2.1'",
		     NULL);
	expect_error(REQUIRED "[Peer]\nName=b\nEndpoint = vpn.example.com\n",
		     "bad.conf:8: expected 'Endpoint = HOST:PORT'",
		     "no port in 'vpn.example.com'");
	expect_error(REQUIRED "[Peer]\nName=b\nEndpoint = vpn.example.com:0\n",
		     "bad.conf:8: expected 'Endpoint = HOST:PORT'",
		     "port '0' is not a number 1-65535");
	expect_error(REQUIRED "[Peer]\nName=b\nEndpoint = vpn example.com:1\n",
		     "bad.conf:8: expected 'Endpoint = HOST:PORT'",
		     "'vpn example.com' is not a host name");
	expect_error(REQUIRED "[Peer]\nName=b\nEndpoint = 192.0.2.300:1\n",
		     "bad.conf:8: expected 'Endpoint = HOST:PORT'",
		     "'192.0.2.300' is not an IPv4 address");
	expect_error(REQUIRED "[Peer]\nName=b\nEndpoint = 192.0.2.1:0\n",
		     "bad.conf:8: expected 'Endpoint", NULL);
	expect_error(REQUIRED "[Peer]\nName=b\nEndpoint = 2001:db8::1:80\n",
		     "bad.conf:8: expected 'Endpoint",
		     "an IPv6 address goes in brackets: '[2001:db8::1]:80'");
	expect_error(REQUIRED "[Peer]\nName=b\nEndpoint =\n",
		     "bad.conf:8: expected 'Endpoint", NULL);
}

static void test_many_peers(void **state)
{
	const size_t n = 2000;
	size_t cap = n * 64 + 256, off;
	char *text = malloc(cap), name[32];
	struct config cfg;

	assert_non_null(text);
	off = (size_t)snprintf(text, cap, "%s", REQUIRED);
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off,
					"[Peer]\nName = peer%zu\n"
					"Endpoint = 10.1.%zu.%zu:%zu\n",
					i, i / 256, i % 256, i + 1);
	assert_int_equal(parse("x.conf", text, &cfg), 0);
	assert_int_equal(cfg.n_peers, n);
	for (size_t i = 0; i < n; i += 97) {
		const struct config_peer *p;

		snprintf(name, sizeof(name), "peer%zu", i);
		p = config_find_peer(&cfg, name);
		assert_non_null(p);
		assert_int_equal(ntohs(p->endpoint.ep.in.sin_port), i + 1);
		assert_int_equal(p->line, 6 + 3 * i);
	}
	config_free(&cfg);

	/* A failure after many peers frees them all (LSan checks). */
	off += (size_t)snprintf(text + off, cap - off, "[Peer]\nName=peer7\n");
	expect_error(text, "bad.conf:", "peer 'peer7' already defined");
	free(text);
}

static void test_duplicate_interface(void **state)
{
	expect_error(REQUIRED "[Interface]\n",
		     "bad.conf:6: [Interface] may appear only once", NULL);
	expect_error(REQUIRED "[Peer]\nName=a\n\n[ interface ]\n",
		     "bad.conf:9: [Interface] may appear only once", NULL);
}

/* Whole-file problems have no line to point at: "file: what". */
static void test_missing(void **state)
{
	expect_error("", "bad.conf: no [Interface] section", NULL);
	expect_error("# only a comment\n\n", "bad.conf: no [Interface] section",
		     NULL);
	expect_error("[Peer]\nName = a\n", "bad.conf: no [Interface] section",
		     NULL);
	expect_error("[Interface]\nCA=a\nCertificate=b\nPrivateKey=c\n",
		     "bad.conf: [Interface] needs Address, CA, Certificate and PrivateKey; missing Address",
		     NULL);
	expect_error("[Interface]\nAddress=10.0.0.1/8\nCertificate=b\nPrivateKey=c\n",
		     "bad.conf: [Interface] needs", "missing CA");
	expect_error("[Interface]\nAddress=10.0.0.1/8\nCA=a\nPrivateKey=c\n",
		     "bad.conf: [Interface] needs", "missing Certificate");
	expect_error("[Interface]\nAddress=10.0.0.1/8\nCA=a\nCertificate=b\n",
		     "bad.conf: [Interface] needs", "missing PrivateKey");
	expect_error("[Interface]\n", "bad.conf: [Interface] needs", NULL);
}

static void test_nul_byte(void **state)
{
	static const char text[] = REQUIRED "Name = po\0d0\n";
	static const char first[] = "\0[Interface]\n";

	expect_error_len(text, sizeof(text) - 1, "bad.conf:", "NUL byte");
	expect_error_len(first, sizeof(first) - 1, "bad.conf:", "NUL byte");
}

static void test_comments(void **state)
{
	struct config cfg;

	assert_int_equal(parse("x.conf",
			       "#[Peer]\n"
			       ";[Peer]\n"
			       "   # indented\n"
			       "[Interface] # trailing\n"
			       "Address = 10.0.0.1/24;no space\n"
			       "CA=a#b\n"
			       "Certificate=c\nPrivateKey=k\n"
			       "# ListenPort = 0\n"
			       "; MTU = 1\n", &cfg), 0);
	assert_int_equal(cfg.prefixlen, 24);
	assert_string_equal(cfg.ca_path, "a");
	assert_int_equal(cfg.listen_port, 51820);
	assert_int_equal(cfg.mtu, 1340);
	assert_int_equal(cfg.n_peers, 0);
	config_free(&cfg);
}

static void test_small_err_buffer(void **state)
{
	static const char text[] = REQUIRED "UnknownKeyWithALongName = 1\n";
	struct config cfg;
	char small[16];

	/* Truncated to fit, never written past errlen. */
	memset(small, 'x', sizeof(small));
	assert_int_equal(config_parse_buffer("bad.conf", text,
					     sizeof(text) - 1, &cfg, small,
					     12), -1);
	assert_string_equal(small, "bad.conf:6:");
	assert_memory_equal(small + 12, "xxxx", 4);
}

/* Ciphers: names users write, in their order, to wolfSSL's list. */
static void test_ciphers(void **state)
{
	struct config cfg;

	(void)state;
	/* Unset: the daemon's choice for its build and CPU. */
	assert_int_equal(parse("a.conf", REQUIRED, &cfg), 0);
	assert_string_equal(cfg.cipher_list, "");
	config_free(&cfg);
	assert_int_equal(parse("a.conf", REQUIRED
			       "Ciphers =  AES-256-GCM ,chacha20-poly1305\n",
			       &cfg), 0);
	assert_string_equal(cfg.cipher_list,
			    "ECDHE-ECDSA-AES256-GCM-SHA384:"
			    "ECDHE-ECDSA-CHACHA20-POLY1305");
	config_free(&cfg);
	assert_int_equal(parse("a.conf", REQUIRED "Ciphers = aes-128-gcm\n",
			       &cfg), 0);
	assert_string_equal(cfg.cipher_list, "ECDHE-ECDSA-AES128-GCM-SHA256");
	config_free(&cfg);

	expect_error(REQUIRED "Ciphers = aes-128-cbc\n",
		     "bad.conf:6: expected Ciphers as a list of", "aes-128-cbc");
	expect_error(REQUIRED "Ciphers = aes-128-gcm,,chacha20-poly1305\n",
		     "bad.conf:6: expected Ciphers as a list of", "got ''");
	expect_error(REQUIRED "Ciphers = aes-128-gcm, AES-128-GCM\n",
		     "bad.conf:6: Ciphers names aes-128-gcm twice", NULL);
	expect_error(REQUIRED "Ciphers = aes-128-gcm,\n",
		     "bad.conf:6: expected Ciphers as a list of", "got ''");
}

/* Domain: a DNS name, lowercase without its final dot, or off. */
static void test_domain(void **state)
{
	static const char *bad[] = {
		"-pod", "pod-", "a..b", ".pod", "a_b", "a b", "pod-.x", "",
	};
	char text[512], label[80];
	struct config cfg;

	(void)state;
	assert_int_equal(parse("a.conf", REQUIRED, &cfg), 0);
	assert_string_equal(cfg.domain, "pod");
	config_free(&cfg);
	assert_int_equal(parse("a.conf", REQUIRED "Domain = off\n", &cfg), 0);
	assert_string_equal(cfg.domain, "");
	config_free(&cfg);
	assert_int_equal(parse("a.conf", REQUIRED "Domain = Corp-1.Example.\n",
			       &cfg), 0);
	assert_string_equal(cfg.domain, "corp-1.example");
	config_free(&cfg);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), REQUIRED "Domain = %s\n", bad[i]);
		expect_error(text, "bad.conf:6: expected Domain as a DNS name",
			     NULL);
	}
	/* A label is at most 63 characters. */
	memset(label, 'a', 64);
	label[64] = '\0';
	snprintf(text, sizeof(text), REQUIRED "Domain = %s.x\n", label);
	expect_error(text, "bad.conf:6: expected Domain as a DNS name", NULL);
	label[63] = '\0';
	snprintf(text, sizeof(text), REQUIRED "Domain = %s.x\n", label);
	assert_int_equal(parse("a.conf", text, &cfg), 0);
	config_free(&cfg);
}

static void test_file_errors(void **state)
{
	char path[] = "/tmp/podnet-test-config.XXXXXX";
	struct config cfg;
	FILE *f;
	int fd;

	assert_int_equal(config_parse_file("data/does-not-exist.conf", &cfg,
					   err, sizeof(err)), -1);
	assert_string_equal(err,
			    "data/does-not-exist.conf: No such file or directory");
	assert_null(cfg.peers);

	/* Exactly 1 MiB is fine; one byte more is refused before parsing. */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(REQUIRED, f);
	while (ftell(f) < (1 << 20) - 64)
		fputs("# 3456789abcdef\n", f);
	fputc('#', f);
	while (ftell(f) < (1 << 20) - 1)
		fputc('x', f);
	fputc('\n', f);
	fflush(f);
	assert_int_equal(ftell(f), 1 << 20);
	assert_int_equal(config_parse_file(path, &cfg, err, sizeof(err)), 0);
	config_free(&cfg);

	fputc('\n', f);
	fclose(f);
	assert_int_equal(config_parse_file(path, &cfg, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "larger than 1 MiB"));
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_crlf_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_limits_accepted),
		cmocka_unit_test(test_case_and_spacing),
		cmocka_unit_test(test_relative_paths),
		cmocka_unit_test(test_path_too_long),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_outside_section),
		cmocka_unit_test(test_bad_address),
		cmocka_unit_test(test_address6),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_rendezvous),
		cmocka_unit_test(test_bad_names),
		cmocka_unit_test(test_peers),
		cmocka_unit_test(test_many_peers),
		cmocka_unit_test(test_duplicate_interface),
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_small_err_buffer),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_ciphers),
		cmocka_unit_test(test_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
