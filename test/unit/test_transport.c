// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The TCP transport's pure parts: stream framing (tcpframe.c), the HTTP
 * proxy's URL, request and answer (proxy.c), and the config keys
 * (config_transport.c, through config_parse_buffer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "proxy.h"
#include "tcpframe.h"

static void test_frames(void **state)
{
	const uint8_t stream[] = { 0x00, 0x03, 'a', 'b', 'c', 0x00, 0x02, 'x' };
	const uint8_t *f;
	size_t len;

	(void)state;
	assert_int_equal(tcpframe_next(stream, 1, &f, &len), TCPFRAME_MORE);
	assert_int_equal(tcpframe_next(stream, 4, &f, &len), TCPFRAME_MORE);
	assert_null(f);
	assert_int_equal(tcpframe_next(stream, sizeof(stream), &f, &len), 5);
	assert_ptr_equal(f, stream + 2);
	assert_int_equal(len, 3);
	/* The second is one byte short. */
	assert_int_equal(tcpframe_next(stream + 5, 3, &f, &len), TCPFRAME_MORE);
}

static void test_bad_frames(void **state)
{
	const uint8_t empty[] = { 0x00, 0x00 };
	uint8_t big[2];
	const uint8_t *f;
	size_t len;

	(void)state;
	assert_int_equal(tcpframe_next(empty, 2, &f, &len), TCPFRAME_BAD);
	tcpframe_put_header(big, TCPFRAME_MAX + 1);
	assert_int_equal(tcpframe_next(big, 2, &f, &len), TCPFRAME_BAD);
	tcpframe_put_header(big, TCPFRAME_MAX);
	assert_int_equal(tcpframe_next(big, 2, &f, &len), TCPFRAME_MORE);
}

static void test_proxy_url(void **state)
{
	struct proxy_url u;
	char err[128], buf[300];

	(void)state;
	assert_int_equal(proxy_url_parse("http://proxy.corp:3128", &u, err,
					 sizeof(err)), 0);
	assert_string_equal(u.host, "proxy.corp");
	assert_int_equal(u.port, 3128);
	assert_string_equal(u.auth, "");
	assert_int_equal(proxy_url_parse("HTTP://me:p@ss@[2001:db8::1]:8080/",
					 &u, err, sizeof(err)), 0);
	assert_string_equal(u.host, "2001:db8::1");
	assert_string_equal(u.auth, "me:p@ss");
	assert_string_equal(proxy_url_format(&u, buf, sizeof(buf)),
			    "http://(hidden)@[2001:db8::1]:8080");
	assert_int_equal(proxy_url_parse("https://p:1", &u, err, sizeof(err)), -1);
	assert_int_equal(proxy_url_parse("http://p", &u, err, sizeof(err)), -1);
	assert_int_equal(proxy_url_parse("http://p:0", &u, err, sizeof(err)), -1);
	assert_int_equal(proxy_url_parse("http://p:70000", &u, err, sizeof(err)), -1);
	assert_int_equal(proxy_url_parse("http://p:80/path", &u, err, sizeof(err)), -1);
	assert_int_equal(proxy_url_parse("http://nopass@p:80", &u, err, sizeof(err)), -1);
}

static void test_proxy_request(void **state)
{
	struct proxy_url u;
	char err[128], req[512];

	(void)state;
	assert_int_equal(proxy_url_parse("http://Aladdin:open sesame@p:3128",
					 &u, err, sizeof(err)), 0);
	assert_true(proxy_connect_request(&u, "198.18.0.1:443", req,
					  sizeof(req)) > 0);
	/* RFC 7617's example credentials. */
	assert_string_equal(req,
		"CONNECT 198.18.0.1:443 HTTP/1.1\r\nHost: 198.18.0.1:443\r\n"
		"Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n");
	assert_int_equal(proxy_connect_request(&u, "198.18.0.1:443", req, 20),
			 -1);
}

static void test_proxy_response(void **state)
{
	const char ok[] = "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03";
	const char denied[] = "HTTP/1.0 407 Proxy Authentication Required\r\n"
			      "Proxy-Authenticate: Basic\r\n\r\n";
	int status;

	(void)state;
	assert_int_equal(proxy_response_parse((const uint8_t *)ok, 20, &status), 0);
	assert_int_equal(proxy_response_parse((const uint8_t *)ok,
					      sizeof(ok) - 1, &status),
			 sizeof(ok) - 3);
	assert_int_equal(status, 200);
	assert_true(proxy_response_parse((const uint8_t *)denied,
					 sizeof(denied) - 1, &status) > 0);
	assert_int_equal(status, 407);
	assert_int_equal(proxy_response_parse((const uint8_t *)"SSH-2.0", 7,
					      &status), -1);
}

static int parse(const char *text, struct config *cfg, char *err, size_t len)
{
	return config_parse_buffer("t.conf", text, strlen(text), cfg, err, len);
}

#define BASE "[Interface]\nAddress = 10.77.0.1/24\nCA = ca.crt\n" \
	     "Certificate = n.crt\nPrivateKey = n.key\n"

static void test_config_keys(void **state)
{
	struct config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(BASE, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.transport.mode, CONFIG_TRANSPORT_AUTO);
	assert_int_equal(cfg.transport.tcp_port, 443);
	assert_int_equal(cfg.transport.listen_tcp, 0);
	assert_false(cfg.transport.has_proxy);
	config_free(&cfg);
	assert_int_equal(parse(BASE "ListenTcp = 8443\nTransport = tcp\n"
			       "TcpPort = 8443\nProxy = http://p:3128\n",
			       &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.transport.listen_tcp, 8443);
	assert_int_equal(cfg.transport.mode, CONFIG_TRANSPORT_TCP);
	assert_int_equal(cfg.transport.tcp_port, 8443);
	assert_true(cfg.transport.has_proxy);
	assert_int_equal(cfg.transport.proxy.port, 3128);
	config_free(&cfg);
	assert_int_equal(parse(BASE "Transport = carrier-pigeon\n", &cfg, err,
			       sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:6: expected Transport auto, udp or tcp"));
	assert_int_equal(parse(BASE "ListenTcp = 0\n", &cfg, err, sizeof(err)),
			 -1);
	assert_int_equal(parse(BASE "Proxy = socks5://p:1080\n", &cfg, err,
			       sizeof(err)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frames),
		cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_proxy_url),
		cmocka_unit_test(test_proxy_request),
		cmocka_unit_test(test_proxy_response),
		cmocka_unit_test(test_config_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
