/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet datagrams framed on a byte stream (the TCP/TLS transport,
 * doc/transport.md): each datagram is preceded by its length as two bytes
 * in network order. The parser is pure: it looks at a buffer and says
 * where the next whole frame is, so that bytes from the network never
 * reach anything but these few lines before they have a length.
 */
#ifndef _PODNET_TCPFRAME_H
#define _PODNET_TCPFRAME_H

#include <stddef.h>
#include <stdint.h>

#define TCPFRAME_HEADER_LEN 2
/* The largest datagram carried: podnet sends none larger than an MTU
 * (1419 at most) with its headers, or a DTLS handshake fragment; longer
 * is not ours. */
#define TCPFRAME_MAX 4096

enum tcpframe_result {
	TCPFRAME_MORE = 0,		/* not a whole frame yet */
	TCPFRAME_BAD = -1,		/* length 0 or over TCPFRAME_MAX */
};

/*
 * Looks for one frame at the start of buf: returns the bytes it takes
 * (header and datagram, > 0) with *frame and *frame_len set to the datagram,
 * TCPFRAME_MORE when buf holds only part of it, or TCPFRAME_BAD when the
 * stream is not podnet's (the connection must be closed).
 */
long tcpframe_next(const uint8_t *buf, size_t len, const uint8_t **frame,
		   size_t *frame_len);
/* Writes the header of a datagram of len bytes (1..TCPFRAME_MAX). */
void tcpframe_put_header(uint8_t hdr[TCPFRAME_HEADER_LEN], size_t len);

#endif /* _PODNET_TCPFRAME_H */
