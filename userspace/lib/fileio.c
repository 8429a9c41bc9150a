// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Careful file I/O for keys and certificates (fileio.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "errbuf.h"
#include "fileio.h"

int fileio_read_small(const char *path, size_t max, uint8_t **buf,
		      size_t *len, char *err, size_t errlen)
{
	struct stat st;
	uint8_t *data;
	size_t done = 0;
	int fd, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errbuf_fail(err, errlen, "cannot open %s: %s", path,
				   strerror(errno));
	if (fstat(fd, &st) < 0) {
		errbuf_fail(err, errlen, "cannot stat %s: %s", path,
			    strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		errbuf_fail(err, errlen, "%s is not a regular file", path);
		goto out_close;
	}
	if (st.st_size <= 0 || (size_t)st.st_size > max) {
		errbuf_fail(err, errlen, "%s: unexpected size %lld bytes", path,
			    (long long)st.st_size);
		goto out_close;
	}
	/* One spare byte so the text can be NUL-terminated for strstr(). */
	data = calloc(1, st.st_size + 1);
	if (!data) {
		errbuf_fail(err, errlen, "out of memory");
		goto out_close;
	}
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, data + done, st.st_size - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errbuf_fail(err, errlen, "cannot read %s: %s", path,
				    n < 0 ? strerror(errno) : "file shrank");
			fileio_free_wiped(data, st.st_size);
			goto out_close;
		}
		done += n;
	}
	*buf = data;
	*len = done;
	ret = 0;
out_close:
	close(fd);
	return ret;
}

/*
 * wolfCrypt's ForceZero is an inline in a header that is not installed;
 * explicit_bzero is glibc's equivalent that the compiler may not elide.
 */
void fileio_free_wiped(uint8_t *buf, size_t len)
{
	if (!buf)
		return;
	explicit_bzero(buf, len);
	free(buf);
}

/* O_EXCL does not follow links, so a planted symlink is refused too. */
int fileio_create_new(const char *path, mode_t mode, bool force_mode,
		      char *err, size_t errlen)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		if (errno == EEXIST)
			return errbuf_fail(err, errlen,
					   "%s already exists; refusing to overwrite it",
					   path);
		return errbuf_fail(err, errlen, "cannot create %s: %s", path,
				   strerror(errno));
	}
	if (force_mode && fchmod(fd, mode) < 0) {
		errbuf_fail(err, errlen, "cannot chmod %s: %s", path,
			    strerror(errno));
		close(fd);
		unlink(path);
		return -1;
	}
	return fd;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= n;
	}
	return 0;
}

int fileio_write_close(int fd, const char *path, const void *buf, size_t len,
		       char *err, size_t errlen)
{
	int ret;

	ret = write_all(fd, buf, len);
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (ret)
		return errbuf_fail(err, errlen, "cannot write %s: %s", path,
				   strerror(-ret));
	return 0;
}

bool fileio_flag_on(const char *path)
{
	char c = '0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (read(fd, &c, 1) != 1)
		c = '0';
	close(fd);
	return c == '1';
}
