/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * TUN offloads: with IFF_VNET_HDR and TSO enabled the kernel hands the
 * daemon TCP super-packets of up to 64 KB with a virtio-net header, and
 * packets whose checksum is left to the device. This splits them into
 * wire-sized IPv4 or IPv6 packets with correct headers and checksums (TCP
 * over IPv6 with no extension headers, as the kernel's TCP sends), as a NIC
 * would. Virtio fields are little-endian (TUN's default on every host
 * podnet runs on).
 */
#ifndef _PODNET_TSO_H
#define _PODNET_TSO_H

#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_net.h>

#include "checksum.h"

typedef void (*tso_emit_fn)(void *ctx, const uint8_t *pkt, size_t len);

/*
 * Split pkt (len bytes, after the virtio header vh) into packets passed to
 * emit; scratch must hold one segment (at least hdr_len + gso_size).
 * Returns the number of packets emitted, or -1 for input that is not a
 * well-formed IPv4 or IPv6 packet of a kind this handles (counted by the
 * caller).
 */
int tso_split(const struct virtio_net_hdr *vh, uint8_t *pkt, size_t len,
	      uint8_t *scratch, size_t scratch_len, tso_emit_fn emit,
	      void *ctx);

#endif /* _PODNET_TSO_H */
