// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The pure parts of publishing: [Publish] sections (config_publish.c),
 * the ClientHello reader (sni.c) and the PROXY v2 header (proxy_v2.c).
 * The daemon side runs in test/netns/publish.sh.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "config_write.h"
#include "proxy_v2.h"
#include "sni.h"

#define REQUIRED \
	"[Interface]\n" \
	"Address = 10.77.0.1/24\n" \
	"CA = ca.crt\n" \
	"Certificate = rv.crt\n" \
	"PrivateKey = rv.key\n"

static char err[512];

static int parse(const char *text, struct config *cfg)
{
	return config_parse_buffer("t.conf", text, strlen(text), cfg, err,
				   sizeof(err));
}

static void test_publish_entries(void **state)
{
	struct config cfg;
	const struct config_publish *p;

	assert_int_equal(parse(REQUIRED
			       "[Publish]\nListen = 8080\nTarget = web:80\n"
			       "[Publish]\nListen = 443\nServerName = Web.Example.NET\n"
			       "Target = web:443\nProxyProtocol = v2\n"
			       "[Publish]\nName = apps\nListen = 443\n"
			       "ServerName = *.apps.example.net\nTarget = [fd77::5]:8443\n"
			       "MaxConnections = 10\nIdleTimeout = 30\nMode = proxy\n",
			       &cfg), 0);
	assert_int_equal(cfg.n_publish, 3);
	p = &cfg.publish[0];
	assert_string_equal(p->name, "port8080");
	assert_string_equal(p->target_node, "web");
	assert_int_equal(ntohs(p->target.in.sin_port), 80);
	assert_int_equal(ntohs(p->listen.in.sin_port), 8080);
	assert_int_equal(p->listen.in.sin_addr.s_addr, 0);
	assert_int_equal(p->mode, CONFIG_PUBLISH_AUTO);
	assert_int_equal(p->max_connections, CONFIG_PUBLISH_DEFAULT_MAX_CONN);
	assert_int_equal(p->idle_timeout, CONFIG_PUBLISH_DEFAULT_IDLE);
	p = &cfg.publish[1];
	assert_string_equal(p->server_name, "web.example.net");
	assert_string_equal(p->name, "web.example.net");
	assert_true(p->proxy_v2);
	p = &cfg.publish[2];
	assert_string_equal(p->name, "apps");
	assert_string_equal(p->target_node, "");
	assert_int_equal(p->target.sa.sa_family, AF_INET6);
	assert_int_equal(p->max_connections, 10);
	assert_int_equal(p->idle_timeout, 30);
	assert_int_equal(p->mode, CONFIG_PUBLISH_PROXY);
	config_free(&cfg);
}

/* showconf writes what the parser reads back as the same entries. */
static void test_publish_round_trip(void **state)
{
	struct config a, b;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	assert_int_equal(parse(REQUIRED
			       "[Publish]\nListen = 198.51.100.7:8080\nTarget = web:80\nMode = kernel\n"
			       "[Publish]\nName = apps\nListen = [::]:443\n"
			       "ServerName = *.apps.example.net\nTarget = [fd77::5]:8443\n"
			       "ProxyProtocol = v2\nMaxConnections = 10\nIdleTimeout = 30\n",
			       &a), 0);
	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(config_write(f, &a), 0);
	fclose(f);
	assert_int_equal(config_parse_buffer("t.conf", text, len, &b, err,
					     sizeof(err)), 0);
	assert_int_equal(b.n_publish, 2);
	for (size_t i = 0; i < 2; i++) {
		struct config_publish *x = &a.publish[i], *y = &b.publish[i];

		y->line = x->line;
		assert_memory_equal(x, y, sizeof(*x));
	}
	free(text);
	config_free(&a);
	config_free(&b);
}

static void refused(const char *section, const char *want)
{
	char text[2048];
	struct config cfg;

	snprintf(text, sizeof(text), REQUIRED "%s", section);
	assert_int_equal(parse(text, &cfg), -1);
	if (!strstr(err, want))
		fail_msg("'%s' does not say '%s'", err, want);
}

static void test_publish_refused(void **state)
{
	refused("[Publish]\nListen = 8080\n", "t.conf:6: [Publish] needs 'Listen =' and 'Target ='");
	refused("[Publish]\nListen = 0\nTarget = web:80\n", "t.conf:7: expected 'Listen = PORT'");
	refused("[Publish]\nListen = 80\nTarget = web\n", "t.conf:8: expected 'Target = NODE:PORT'");
	refused("[Publish]\nListen = 80\nTarget = we b:80\n", "expected 'Target = NODE:PORT'");
	refused("[Publish]\nListen = 80\nTarget = web:0\n", "expected 'Target = NODE:PORT'");
	refused("[Publish]\nListen = 80\nTarget = web:80\nServerName = -.\n", "expected 'ServerName = HOST'");
	refused("[Publish]\nListen = 80\nTarget = web:80\nProxyProtocol = v1\n", "expected 'ProxyProtocol = v2'");
	refused("[Publish]\nListen = 80\nTarget = web:80\nMaxConnections = 0\n", "MaxConnections between 1 and 65536");
	refused("[Publish]\nListen = 80\nTarget = web:80\nColour = red\n", "unknown key 'Colour' in [Publish]");
	refused("[Publish]\nListen = 80\nTarget = web:80\nServerName = a.b\nMode = kernel\n",
		"'Mode = kernel' forwards packets");
	refused("[Publish]\nListen = 80\nTarget = web:80\n[Publish]\nListen = 80\nTarget = x:80\n",
		"t.conf:9: Listen 0.0.0.0:80 is also the [Publish] at line 6");
	refused("[Publish]\nListen = 443\nServerName = a.b\nTarget = web:80\n"
		"[Publish]\nListen = 443\nServerName = A.b\nTarget = x:80\n",
		"ServerName a.b on 0.0.0.0:443 is also the [Publish] at line 6");
	refused("[Publish]\nName = w\nListen = 1\nTarget = web:80\n"
		"[Publish]\nName = w\nListen = 2\nTarget = x:80\n",
		"[Publish] 'w' already defined at line 6");
}

/* A ClientHello with one extension, the server name, in one record. */
static size_t hello(uint8_t *b, const char *name)
{
	size_t n = strlen(name), body = 2 + 32 + 1 + 4 + 2 + 2 + 9 + n, i = 0;

	b[i++] = 22; b[i++] = 3; b[i++] = 1;
	b[i++] = (uint8_t)((body + 4) >> 8); b[i++] = (uint8_t)(body + 4);
	b[i++] = 1; b[i++] = 0;
	b[i++] = (uint8_t)(body >> 8); b[i++] = (uint8_t)body;
	b[i++] = 3; b[i++] = 3;
	memset(b + i, 7, 32); i += 32;
	b[i++] = 0;			/* session id */
	b[i++] = 0; b[i++] = 2; b[i++] = 0x13; b[i++] = 1;
	b[i++] = 1; b[i++] = 0;		/* compression */
	b[i++] = 0; b[i++] = (uint8_t)(9 + n);
	b[i++] = 0; b[i++] = 0;		/* server_name */
	b[i++] = 0; b[i++] = (uint8_t)(5 + n);
	b[i++] = 0; b[i++] = (uint8_t)(3 + n);
	b[i++] = 0;
	b[i++] = 0; b[i++] = (uint8_t)n;
	memcpy(b + i, name, n);
	return i + n;
}

static void test_sni(void **state)
{
	uint8_t b[512];
	char name[SNI_NAME_MAX];
	size_t n = hello(b, "Web.Example.net");

	assert_int_equal(sni_parse(b, n, name, sizeof(name)), SNI_FOUND);
	assert_string_equal(name, "web.example.net");
	/* Every prefix is only a beginning. */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(sni_parse(b, i, name, sizeof(name)),
				 SNI_NEED_MORE);
	b[0] = 23;			/* application data */
	assert_int_equal(sni_parse(b, 1, name, sizeof(name)), SNI_MALFORMED);
	n = hello(b, "a..b");
	assert_int_equal(sni_parse(b, n, name, sizeof(name)), SNI_MALFORMED);
	n = hello(b, "a/b");
	assert_int_equal(sni_parse(b, n, name, sizeof(name)), SNI_MALFORMED);
	assert_int_equal(sni_parse((const uint8_t *)"GET / HTTP/1.1\r\n", 16,
				   name, sizeof(name)), SNI_MALFORMED);
	assert_true(sni_match("*.example.net", "a.b.example.net"));
	assert_true(sni_match("web.example.net", "web.example.net"));
	assert_false(sni_match("*.example.net", "example.net"));
	assert_false(sni_match("*.example.net", "badexample.net"));
}

static void test_proxy_v2(void **state)
{
	static const uint8_t want[28] = {
		0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49,
		0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c, 198, 18, 0, 5, 198, 18, 0,
		1, 0xd4, 0x31, 0x01, 0xbb,
	};
	struct sockaddr_in c = { .sin_family = AF_INET,
				 .sin_port = htons(54321) };
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(443) };
	struct sockaddr_in6 s6 = { .sin6_family = AF_INET6 };
	uint8_t out[PROXY_V2_MAX];

	inet_pton(AF_INET, "198.18.0.5", &c.sin_addr);
	inet_pton(AF_INET, "198.18.0.1", &s.sin_addr);
	assert_int_equal(proxy_v2_header(out, (struct sockaddr *)&c,
					 (struct sockaddr *)&s), 28);
	assert_memory_equal(out, want, 28);
	/* Mixed families: LOCAL, no address. */
	assert_int_equal(proxy_v2_header(out, (struct sockaddr *)&c,
					 (struct sockaddr *)&s6), 16);
	assert_int_equal(out[12], 0x20);
	assert_int_equal(out[15], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_publish_entries),
		cmocka_unit_test(test_publish_refused),
		cmocka_unit_test(test_publish_round_trip),
		cmocka_unit_test(test_sni),
		cmocka_unit_test(test_proxy_v2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
