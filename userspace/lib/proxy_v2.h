/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The PROXY protocol version 2 header (haproxy's proxy-protocol.txt,
 * section 2.2): what a published service reads first to learn the
 * internet client's address, since its connection comes from the gateway.
 */
#ifndef _PODNET_PROXY_V2_H
#define _PODNET_PROXY_V2_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* 16-byte fixed part and two IPv6 addresses with their ports. */
#define PROXY_V2_MAX (16 + 36)

/*
 * Writes the header for a TCP connection from client to server (the
 * address the client connected to) into out; returns its length. Two
 * addresses of different families (or not IP) give a LOCAL header that
 * carries no address, which servers accept and treat as unknown.
 */
size_t proxy_v2_header(uint8_t out[PROXY_V2_MAX], const struct sockaddr *client,
		       const struct sockaddr *server);

#endif /* _PODNET_PROXY_V2_H */
