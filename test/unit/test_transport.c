// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The TCP transport's pure parts: stream framing (tcpframe.c), the HTTP
 * proxy's URL, request and answer (proxy.c), and the config keys
 * (config_transport.c, through config_parse_buffer), the WebSocket
 * upgrade and frames (websocket.c) against RFC 6455's examples.
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
#include "websocket.h"

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

static void test_websocket_upgrade(void **state)
{
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
	char accept[WS_ACCEPT_LEN + 1], req[512], resp[512], got[WS_KEY_LEN + 1];
	int status, n;

	(void)state;
	/* RFC 6455, section 1.3. */
	assert_int_equal(ws_accept_for(key, accept), 0);
	assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
	n = ws_request("gw.example:80", "/podnet", key, req, sizeof(req));
	assert_true(n > 0);
	assert_int_equal(ws_request_parse((const uint8_t *)req, (size_t)n - 1,
					  got), 0);
	assert_int_equal(ws_request_parse((const uint8_t *)req, (size_t)n, got),
			 n);
	assert_string_equal(got, key);
	n = ws_response(got, resp, sizeof(resp));
	assert_true(n > 0);
	assert_int_equal(ws_response_parse((const uint8_t *)resp, (size_t)n,
					   key, &status), n);
	assert_int_equal(status, 101);
	/* Another key's answer is refused. */
	assert_int_equal(ws_response_parse((const uint8_t *)resp, (size_t)n,
					   "AAAAAAAAAAAAAAAAAAAAAA==", &status),
			 -1);
	assert_int_equal(ws_request_parse((const uint8_t *)"POST / HTTP/1.1\r\n",
					  17, got), -1);
}

static void test_websocket_frames(void **state)
{
	/* RFC 6455, section 5.7: a masked "Hello". */
	uint8_t masked[] = { 0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f,
			     0x4d, 0x51, 0x58 };
	uint8_t buf[300], mask[4] = { 9, 8, 7, 6 };
	struct ws_frame f;
	size_t h;

	(void)state;
	assert_int_equal(ws_frame_parse(masked, sizeof(masked), true, &f), 11);
	assert_int_equal(f.opcode, WS_TEXT);
	assert_memory_equal(f.payload, "Hello", 5);
	/* A client must mask, a server must not. */
	assert_int_equal(ws_frame_parse(masked, sizeof(masked), false, &f), -1);
	h = ws_frame_header(buf, 200, mask);
	assert_int_equal(h, 8);
	memset(buf + h, 'x', 200);
	ws_mask(buf + h, 200, mask);
	assert_int_equal(ws_frame_parse(buf, h + 199, true, &f), 0);
	assert_int_equal(ws_frame_parse(buf, h + 200, true, &f), (long)h + 200);
	assert_int_equal(f.opcode, WS_BINARY);
	assert_int_equal(f.payload_len, 200);
	assert_int_equal(f.payload[0], 'x');
	/* 64-bit length beyond WS_FRAME_MAX. */
	memcpy(buf, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
	assert_int_equal(ws_frame_parse(buf, 10, false, &f), -1);
}

static void test_ws_pong(void **state)
{
	const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
	uint8_t ping[125], out[200];
	struct ws_frame f;
	size_t n;

	(void)state;
	memset(ping, 'p', sizeof(ping));
	/* A client's pong is masked, and parses back to the ping's bytes. */
	n = ws_pong(out, sizeof(out), (const uint8_t *)"Hello", 5, mask);
	assert_int_equal(n, 2 + 4 + 5);
	assert_int_equal(out[0], 0x80 | WS_PONG);
	assert_int_equal(ws_frame_parse(out, n, true, &f), (long)n);
	assert_int_equal(f.opcode, WS_PONG);
	assert_int_equal(f.payload_len, 5);
	assert_memory_equal(f.payload, "Hello", 5);
	/* A server's is not; an empty ping gets an empty pong. */
	n = ws_pong(out, sizeof(out), NULL, 0, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(ws_frame_parse(out, n, false, &f), 2);
	assert_int_equal(f.opcode, WS_PONG);
	/* The largest control payload fits; one byte more, or no room, not. */
	n = ws_pong(out, sizeof(out), ping, 125, NULL);
	assert_int_equal(n, 127);
	assert_int_equal(ws_frame_parse(out, n, false, &f), 127);
	assert_int_equal(ws_pong(out, sizeof(out), ping, 126, NULL), 0);
	assert_int_equal(ws_pong(out, 126, ping, 125, NULL), 0);
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
	assert_int_equal(parse(BASE "WebSocket = http://gw:80/podnet\n", &cfg,
			       err, sizeof(err)), 0);
	assert_true(cfg.transport.has_websocket);
	assert_string_equal(cfg.transport.websocket.host, "gw");
	assert_string_equal(cfg.transport.websocket_path, "/podnet");
	config_free(&cfg);
	assert_int_equal(parse(BASE "WebSocket = http://u:p@gw:80/x\n", &cfg,
			       err, sizeof(err)), -1);
	assert_int_equal(parse(BASE "WebSocket = http://gw:80\n", &cfg, err,
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
		cmocka_unit_test(test_websocket_upgrade),
		cmocka_unit_test(test_websocket_frames),
		cmocka_unit_test(test_ws_pong),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
