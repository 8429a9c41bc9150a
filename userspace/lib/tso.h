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
 * emit, none longer than segment_max. pkt is cut up in place: a segment's
 * headers overwrite the last bytes of the one before, so emit must be done
 * with each packet when it returns. Returns the number of packets emitted,
 * or -1 for input that is not a well-formed IPv4 or IPv6 packet of a kind
 * this handles (counted by the caller).
 */
int tso_split(const struct virtio_net_hdr *vh, uint8_t *pkt, size_t len,
	      size_t segment_max, tso_emit_fn emit, void *ctx);

#endif /* _PODNET_TSO_H */
