// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The control-socket answer parser. Every input is handed over in a heap
 * block of exactly its length and without a terminating NUL, as read()
 * delivers it, so that ASan catches any read past the end.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "status.h"

static const char answer[] =
	"interface=pod0\n"
	"node=alpha\n"
	"address=10.77.0.1/24\n"
	"listen_port=51820\n"
	"mtu=1340\n"
	"cert_not_after=1924992000\n"
	"rx_malformed=3\n"
	"tx_no_route=0\n"
	"peer=beta\n"
	"address=10.77.0.2\n"
	"endpoint=192.0.2.2:51820\n"
	"state=established\n"
	"role=client\n"
	"configured=true\n"
	"session=0a1b2c3d\n"
	"cipher=TLS13-CHACHA20-POLY1305-SHA256\n"
	"latest_handshake=1767225600\n"
	"rx_bytes=123456789012\n"
	"peer=gamma\n"
	"endpoint=[2001:db8::3]:51820\n"
	"state=down\n"
	"role=server\n"
	"configured=false\n"
	"latest_handshake=0\n"
	"errno=0\n"
	"\n";

static char err[256];

/* status_parse on an exact-size copy of len bytes of text. */
static int parse(const char *text, size_t len, struct status *st)
{
	char *copy = malloc(len ? len : 1);
	int ret;

	assert_non_null(copy);
	memcpy(copy, text, len);
	err[0] = '\0';
	ret = status_parse(copy, len, st, err, sizeof(err));
	free(copy);
	return ret;
}

static int parse_str(const char *text, struct status *st)
{
	return parse(text, strlen(text), st);
}

static void assert_parse_fails(const char *text, size_t len,
			       const char *want_err)
{
	struct status st;

	if (parse(text, len, &st) != -1)
		fail_msg("accepted \"%.*s\"", (int)len, text);
	assert_string_equal(err, want_err);
	/* A failed parse leaves nothing to free. */
	assert_null(st.interface.fields);
	assert_int_equal(st.interface.n_fields, 0);
	assert_null(st.peers);
	assert_int_equal(st.n_peers, 0);
	status_free(&st);
}

static void assert_str_fails(const char *text, const char *want_err)
{
	assert_parse_fails(text, strlen(text), want_err);
}

static void test_realistic(void **state)
{
	struct status st;

	assert_int_equal(parse_str(answer, &st), 0);
	assert_int_equal(st.error, 0);
	assert_int_equal(st.interface.n_fields, 8);
	assert_string_equal(status_get(&st.interface, "interface"), "pod0");
	assert_string_equal(status_get(&st.interface, "node"), "alpha");
	assert_string_equal(status_get(&st.interface, "address"),
			    "10.77.0.1/24");
	assert_string_equal(status_get(&st.interface, "listen_port"), "51820");
	assert_string_equal(status_get(&st.interface, "tx_no_route"), "0");
	/* Peer keys do not leak into the interface block. */
	assert_null(status_get(&st.interface, "state"));
	assert_null(status_get(&st.interface, "name"));
	assert_null(status_get(&st.interface, "errno"));

	assert_int_equal(st.n_peers, 2);
	/* "peer=" starts a block and becomes its "name" field. */
	assert_string_equal(status_get(&st.peers[0], "name"), "beta");
	assert_null(status_get(&st.peers[0], "peer"));
	assert_int_equal(st.peers[0].n_fields, 10);
	assert_string_equal(status_get(&st.peers[0], "address"), "10.77.0.2");
	assert_string_equal(status_get(&st.peers[0], "endpoint"),
			    "192.0.2.2:51820");
	assert_string_equal(status_get(&st.peers[0], "session"), "0a1b2c3d");
	assert_string_equal(status_get(&st.peers[0], "cipher"),
			    "TLS13-CHACHA20-POLY1305-SHA256");
	assert_string_equal(status_get(&st.peers[0], "rx_bytes"),
			    "123456789012");

	assert_string_equal(status_get(&st.peers[1], "name"), "gamma");
	assert_int_equal(st.peers[1].n_fields, 6);
	assert_string_equal(status_get(&st.peers[1], "endpoint"),
			    "[2001:db8::3]:51820");
	assert_string_equal(status_get(&st.peers[1], "state"), "down");
	/* gamma has no address line, and must not inherit beta's. */
	assert_null(status_get(&st.peers[1], "address"));
	assert_null(status_get(&st.peers[1], "session"));

	status_free(&st);
	assert_null(st.peers);
	assert_int_equal(st.n_peers, 0);
	assert_null(st.interface.fields);
	/* Freeing twice is harmless. */
	status_free(&st);
}

static void test_error_answer(void **state)
{
	struct status st;

	/* What the daemon says to a request it does not understand. */
	assert_int_equal(parse_str("errno=22\n\n", &st), 0);
	assert_int_equal(st.error, EINVAL);
	assert_int_equal(st.interface.n_fields, 0);
	assert_int_equal(st.n_peers, 0);
	status_free(&st);

	assert_int_equal(parse_str("interface=pod0\nerrno=2\n\n", &st), 0);
	assert_int_equal(st.error, 2);
	assert_string_equal(status_get(&st.interface, "interface"), "pod0");
	status_free(&st);
}

static void test_values(void **state)
{
	struct status st;

	/* Only the first '=' separates; values may be empty. */
	assert_int_equal(parse_str("a=b=c\nempty=\nx==\nerrno=0\n\n", &st),
			 0);
	assert_string_equal(status_get(&st.interface, "a"), "b=c");
	assert_string_equal(status_get(&st.interface, "empty"), "");
	assert_string_equal(status_get(&st.interface, "x"), "=");
	assert_null(status_get(&st.interface, "b"));
	assert_null(status_get(&st.interface, ""));
	/* Lookups are exact, not by prefix. */
	assert_null(status_get(&st.interface, "emp"));
	assert_null(status_get(&st.interface, "a=b"));
	status_free(&st);

	/* The first of duplicate keys wins. */
	assert_int_equal(parse_str("k=1\nk=2\nerrno=0\n\n", &st), 0);
	assert_string_equal(status_get(&st.interface, "k"), "1");
	assert_int_equal(st.interface.n_fields, 2);
	status_free(&st);
}

static void test_trailing_ignored(void **state)
{
	static const char text[] = "k=v\nerrno=0\n\nthis is not parsed";
	struct status st;

	assert_int_equal(parse(text, sizeof(text) - 1, &st), 0);
	assert_int_equal(st.interface.n_fields, 1);
	status_free(&st);
}

static void test_truncated(void **state)
{
	size_t len = strlen(answer);

	/* Every proper prefix of a good answer is refused: a daemon that
	 * died mid-answer must not look like a daemon with fewer peers. */
	for (size_t n = 0; n < len; n++) {
		struct status st;

		if (parse(answer, n, &st) != -1)
			fail_msg("accepted a prefix of %zu bytes", n);
		assert_int_equal(st.n_peers, 0);
		assert_null(st.interface.fields);
	}
	assert_str_fails("", "truncated answer");
	assert_str_fails("k=v\nerrno=0\n", "truncated answer");
	assert_str_fails("k=v\nerrno=0", "line 2: unterminated");
	assert_str_fails("k=v\n", "truncated answer");
	/* A blank line without errno= is not a complete answer either. */
	assert_str_fails("k=v\n\n", "truncated answer");
	assert_str_fails("\n", "truncated answer");
}

static void test_malformed(void **state)
{
	assert_str_fails("k=v\nnoequals\nerrno=0\n\n",
			 "line 2: expected key=value");
	assert_str_fails("=value\nerrno=0\n\n",
			 "line 1: expected key=value");
	assert_str_fails("k=v\n \nerrno=0\n\n",
			 "line 2: expected key=value");
	/* A CR is not a blank line. */
	assert_str_fails("k=v\nerrno=0\n\r\n",
			 "line 3: expected key=value");
}

static void test_nul(void **state)
{
	static const char in_key[] = "k\0x=v\nerrno=0\n\n";
	static const char in_value[] = "k=v\0x\nerrno=0\n\n";
	static const char after_eq[] = "k=\0\nerrno=0\n\n";

	assert_parse_fails(in_key, sizeof(in_key) - 1,
			 "line 1: expected key=value");
	/* A NUL in a value would silently cut it short in strndup. */
	assert_parse_fails(in_value, sizeof(in_value) - 1,
			 "line 1: expected key=value");
	assert_parse_fails(after_eq, sizeof(after_eq) - 1,
			 "line 1: expected key=value");
}

/* n "kN=N" lines, then optionally a peer with m lines, then the end. */
static char *build(size_t n, size_t m, size_t *len)
{
	size_t cap = (n + m + 4) * 32, off = 0;
	char *buf = malloc(cap);

	assert_non_null(buf);
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, cap - off, "k%zu=%zu\n", i,
					i);
	if (m) {
		off += (size_t)snprintf(buf + off, cap - off, "peer=p\n");
		/* The peer= line itself is the block's first field. */
		for (size_t i = 1; i < m; i++)
			off += (size_t)snprintf(buf + off, cap - off,
						"k%zu=%zu\n", i, i);
	}
	off += (size_t)snprintf(buf + off, cap - off, "errno=0\n\n");
	*len = off;
	return buf;
}

static void test_too_many_fields(void **state)
{
	struct status st;
	size_t len;
	char *text;

	/* 128 fields per block are fine... */
	text = build(128, 128, &len);
	assert_int_equal(parse(text, len, &st), 0);
	assert_int_equal(st.interface.n_fields, 128);
	assert_string_equal(status_get(&st.interface, "k127"), "127");
	assert_int_equal(st.peers[0].n_fields, 128);
	assert_string_equal(status_get(&st.peers[0], "k127"), "127");
	status_free(&st);
	free(text);

	/* ...129 are not, in the interface block... */
	text = build(129, 0, &len);
	assert_int_equal(parse(text, len, &st), -1);
	assert_string_equal(err, "line 129: out of memory or too many fields");
	assert_null(st.interface.fields);
	free(text);

	/* ...nor in a peer block. */
	text = build(1, 129, &len);
	assert_int_equal(parse(text, len, &st), -1);
	assert_string_equal(err, "line 130: out of memory or too many fields");
	assert_null(st.peers);
	free(text);
}

static void test_many_peers(void **state)
{
	const size_t n = 5000;
	size_t cap = n * 40, off = 0;
	char *text = malloc(cap), name[16];
	struct status st;

	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(text + off, cap - off,
					"peer=p%zu\nstate=down\n", i);
	off += (size_t)snprintf(text + off, cap - off, "errno=0\n\n");
	assert_int_equal(parse(text, off, &st), 0);
	assert_int_equal(st.n_peers, n);
	for (size_t i = 0; i < n; i += 499) {
		snprintf(name, sizeof(name), "p%zu", i);
		assert_string_equal(status_get(&st.peers[i], "name"), name);
	}
	status_free(&st);
	free(text);
}

static void test_get_empty_block(void **state)
{
	struct status_block b = { 0 };

	assert_null(status_get(&b, "anything"));
	assert_null(status_get(&b, ""));
}

/* status_fetch against a fake daemon in a child process. The answer is
 * larger than status_fetch's first read buffer. */
static void test_fetch(void **state)
{
	char dir[] = "/tmp/podnet-test-status.XXXXXX", path[128], req[8];
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct status st;
	size_t len = 0;
	char *text = malloc(200000);
	pid_t pid;
	int fd, status;

	assert_non_null(text);
	for (int i = 0; len < 150000; i++)
		len += (size_t)sprintf(text + len, "peer=n%d\nrx_bytes=%d\n",
				       i, i * 1000);
	len += (size_t)sprintf(text + len, "errno=0\n\n");

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pod0.sock", dir);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 1), 0);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int c;
		ssize_t n;

		/* Never outlive a parent that failed before connecting. */
		alarm(10);
		c = accept(fd, NULL, NULL);
		n = read(c, req, sizeof(req));

		/* Answer only the documented request. */
		if (n == 4 && !memcmp(req, "get\n", 4))
			(void)!write(c, text, len);
		close(c);
		_exit(0);
	}
	close(fd);
	assert_int_equal(status_fetch(path, &st, err, sizeof(err)), 0);
	assert_int_equal(st.error, 0);
	assert_true(st.n_peers > 1000);
	assert_string_equal(status_get(&st.peers[0], "name"), "n0");
	assert_string_equal(status_get(&st.peers[1000], "rx_bytes"),
			    "1000000");
	status_free(&st);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);

	unlink(path);
	/* Nobody listening any more. */
	assert_int_equal(status_fetch(path, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "is podnetd running?"));
	rmdir(dir);
	free(text);
}

static void test_fetch_long_path(void **state)
{
	char path[200];
	struct status st;

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(status_fetch(path, &st, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "path too long"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realistic),
		cmocka_unit_test(test_error_answer),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_trailing_ignored),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_too_many_fields),
		cmocka_unit_test(test_many_peers),
		cmocka_unit_test(test_get_empty_block),
		cmocka_unit_test(test_fetch),
		cmocka_unit_test(test_fetch_long_path),
	};

	/* The fake daemon may go away while we still write "get". */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
