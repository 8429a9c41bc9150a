// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for tso_split(): the first 10 bytes are the virtio-net
 * header, the rest the packet. Every segment cut from a super-packet must
 * fit the scratch buffer and carry a correct IPv4 header checksum.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tso.h"

#define CHECK(cond) do { if (!(cond)) abort(); } while (0)

static size_t scratch_len;

static void check_segment(void *ctx, const uint8_t *pkt, size_t len)
{
	/* Segments of a super-packet are built in the scratch buffer;
	 * a single packet is passed on as it came. */
	if (*(int *)ctx)
		CHECK(len <= scratch_len && len >= 20 &&
		      csum_fold(csum_add(0, pkt, (pkt[0] & 15) * 4u)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[70000], scratch[2000];
	struct virtio_net_hdr vh;
	int gso;

	if (size < sizeof(vh) || size - sizeof(vh) > sizeof(pkt))
		return 0;
	memcpy(&vh, data, sizeof(vh));
	memcpy(pkt, data + sizeof(vh), size - sizeof(vh));
	scratch_len = sizeof(scratch);
	gso = (vh.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != 0;
	tso_split(&vh, pkt, size - sizeof(vh), scratch, sizeof(scratch),
		  check_segment, &gso);
	return 0;
}
