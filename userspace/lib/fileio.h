/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Careful file I/O for keys and certificates: bounded reads of small
 * regular files, and new files that never replace or follow what is
 * already at their path. Failures return -1 with a reason in err
 * (errbuf.h); reasons never contain file contents.
 */
#ifndef _PODNET_FILEIO_H
#define _PODNET_FILEIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reads a whole regular file of 1..max bytes into a malloc'd buffer with
 * one spare NUL byte after it, so text can be searched with strstr(). The
 * file may hold a key: release it with fileio_free_wiped().
 */
int fileio_read_small(const char *path, size_t max, uint8_t **buf,
		      size_t *len, char *err, size_t errlen);

/* Wipes and frees a buffer from fileio_read_small(); NULL is fine. */
void fileio_free_wiped(uint8_t *buf, size_t len);

/*
 * Creates path, which must not exist yet (not even as a dangling symlink),
 * and returns its descriptor. With force_mode the mode is set by fchmod()
 * afterwards, so no umask can make a key file readable by others.
 */
int fileio_create_new(const char *path, mode_t mode, bool force_mode,
		      char *err, size_t errlen);

/* Writes buf, fsyncs and closes fd: the file is complete on disk or -1. */
int fileio_write_close(int fd, const char *path, const void *buf, size_t len,
		       char *err, size_t errlen);

/* A sysctl switch such as /proc/sys/net/ipv4/ip_forward: true if the
 * file starts with '1', false if it does not or cannot be read. */
bool fileio_flag_on(const char *path);

#endif /* _PODNET_FILEIO_H */
