// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "tcpframe.h"

long tcpframe_next(const uint8_t *buf, size_t len, const uint8_t **frame,
		   size_t *frame_len)
{
	size_t n;

	*frame = NULL;
	*frame_len = 0;
	if (len < TCPFRAME_HEADER_LEN)
		return TCPFRAME_MORE;
	n = (size_t)buf[0] << 8 | buf[1];
	/* An empty frame has no use, and a long one cannot be a datagram
	 * of ours: both mean the other end speaks something else. */
	if (!n || n > TCPFRAME_MAX)
		return TCPFRAME_BAD;
	if (len - TCPFRAME_HEADER_LEN < n)
		return TCPFRAME_MORE;
	*frame = buf + TCPFRAME_HEADER_LEN;
	*frame_len = n;
	return (long)(TCPFRAME_HEADER_LEN + n);
}

void tcpframe_put_header(uint8_t hdr[TCPFRAME_HEADER_LEN], size_t len)
{
	hdr[0] = (uint8_t)(len >> 8);
	hdr[1] = (uint8_t)len;
}
