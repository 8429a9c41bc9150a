// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * attack-token: what a holder of a join token, or someone who copied one
 * badly, can do with it (test/netns/join.sh):
 *
 *   attack-token alter TOKEN name NEW       re-signed with the token's own
 *   attack-token alter TOKEN address NEW    secret, as its holder can
 *   attack-token alter TOKEN secret         a random secret (a guess)
 *   attack-token alter TOKEN fingerprint    another CA fingerprint
 *   attack-token flip TOKEN N               one character changed, MAC kept
 *   attack-token junk TOKEN                 a garbage request inside the
 *                                           authenticated TLS channel
 *
 * Prints the new token, or the service's answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enroll_tls.h"
#include "join_proto.h"
#include "token.h"

#include <wolfssl/wolfcrypt/random.h>

/* Ours by its first line, then nothing the parser takes. */
static const char junk[] = JOIN_MAGIC "\nid zz\x01\xff\n\n";

static int usage(void)
{
	fprintf(stderr, "usage: attack-token alter TOKEN name|address|secret|fingerprint [VALUE]\n"
			"       attack-token flip TOKEN N\n"
			"       attack-token junk TOKEN\n");
	return 2;
}

static int alter(struct token *t, const char *field, const char *value)
{
	char err[256];
	WC_RNG rng;

	if (!strcmp(field, "name") && value) {
		snprintf(t->name, sizeof(t->name), "%s", value);
	} else if (!strcmp(field, "address") && value) {
		if (token_addr_parse(value, &t->address, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s\n", err);
			return -1;
		}
	} else if (!strcmp(field, "secret")) {
		if (wc_InitRng(&rng) ||
		    wc_RNG_GenerateBlock(&rng, t->secret, sizeof(t->secret)))
			return -1;
		wc_FreeRng(&rng);
	} else if (!strcmp(field, "fingerprint")) {
		t->ca_fp[0] ^= 0x01;
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char *argv[])
{
	static uint8_t answer[JOIN_RESPONSE_MAX + 1];
	char text[TOKEN_TEXT_MAX + 1], err[512];
	struct enroll_conn conn;
	struct token t;
	int n;

	if (argc < 3)
		return usage();
	if (!strcmp(argv[1], "flip") && argc == 4) {
		size_t i = strlen(TOKEN_PREFIX) + strtoul(argv[3], NULL, 10);

		snprintf(text, sizeof(text), "%s", argv[2]);
		if (i >= strlen(text))
			return usage();
		text[i] = text[i] == 'A' ? 'B' : 'A';
		printf("%s\n", text);
		return 0;
	}
	if (token_decode(argv[2], &t, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (!strcmp(argv[1], "alter") && argc >= 4) {
		if (alter(&t, argv[3], argc > 4 ? argv[4] : NULL) < 0 ||
		    token_encode(&t, text, sizeof(text), err, sizeof(err)) < 0)
			return usage();
		printf("%s\n", text);
		return 0;
	}
	if (strcmp(argv[1], "junk"))
		return usage();
	wolfSSL_Init();
	if (enroll_connect(&t.service, t.ca_fp, 5, &conn, err,
			   sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	enroll_write(&conn, junk, sizeof(junk) - 1);
	n = enroll_read_all(&conn, answer, sizeof(answer) - 1);
	enroll_close(&conn);
	if (n < 0)
		return 1;
	answer[n] = '\0';
	printf("%s", (char *)answer);
	return 0;
}
