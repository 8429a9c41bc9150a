// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for ctl_set_parse(), which reads what a client of the
 * control socket sends to change a peer. The input is an exact-size heap
 * block without a NUL, as read() hands it over.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_set.h"
#include "seeds.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctl_set s;
	char err[128];

	if (ctl_set_parse((const char *)data, size, &s, err, sizeof(err))) {
		CHECK(err[0] != '\0');
		return 0;
	}
	/* What the daemon relies on when it is accepted. */
	CHECK(cert_name_valid(s.peer));
	CHECK(!(s.add && s.remove));
	CHECK(!s.remove || (!s.has_endpoint && !s.has_rendezvous));
	CHECK(!endpoint_spec_set(&s.endpoint) || s.has_endpoint);
	CHECK(!s.endpoint.ep.len || s.endpoint.ep.sa.sa_family == AF_INET ||
	      s.endpoint.ep.sa.sa_family == AF_INET6);
	CHECK(!(s.endpoint.ep.len && s.endpoint.host[0]));
	CHECK(size >= 2 && data[size - 1] == '\n' && data[size - 2] == '\n');
	return 0;
}

static void write_seeds(void)
{
	static const char *const seeds[] = {
		"set=1\npeer=beta\nendpoint=192.0.2.7:51820\n\n",
		"set=1\npeer=rv\nendpoint=[2001:db8::1]:51820\nrendezvous=yes\nadd=1\n\n",
		"set=1\npeer=beta\nremove=1\n\n",
		"set=1\npeer=beta\nendpoint=none\n\n",
		"set=1\npeer=rv\nendpoint=rv.example.net:51820\nadd=1\n\n",
		"set=1\npeer=rv\nendpoint=[rv.example.net.]:1\n\n",
	};
	char name[16];

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		snprintf(name, sizeof(name), "seed-%zu", i);
		seed_write(name, seeds[i], strlen(seeds[i]));
	}
}
