/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The CA directory's record of what it issued: issued.txt, one line per
 * certificate, appended by `podnet cert issue`:
 *
 *   NAME ADDRESS[,IPv6] NOT_AFTER SHA256
 *   alpha 10.77.0.1 2027-12-02T16:50:01Z 3fa1...(64 hex digits)
 *   gamma 10.77.0.3,fd77::3 2027-12-02T16:52:11Z 9c0e...
 *
 * (a dual-stack node's line holds both of its addresses; lines written
 * before that hold its IPv4 address only, and still parse)
 * so that a second certificate for a name or an address still held (not
 * yet expired) is refused unless asked for with --force: two nodes with
 * one address would take each other's traffic. Revoking frees nothing:
 * the revoked certificate's name and address come back only with --force
 * (or once it expired), so that a revocation is never undone by accident.
 * Lines starting with '#' and blank lines are skipped; a line that does
 * not parse is an error, not a silent pass.
 */
#ifndef _PODNET_CERT_INDEX_H
#define _PODNET_CERT_INDEX_H

#include <stddef.h>
#include <time.h>

#include "cert.h"

#define CERT_INDEX_FILE "issued.txt"

/*
 * Looks for a certificate valid at now with name or any of address
 * ("ADDRESS" or "IPv4,IPv6") in the index text. Returns 0 when neither is taken, 1 when one is (why says which,
 * by which line's certificate and until when), -1 when a line is
 * malformed (why names it).
 */
int cert_index_find(const char *text, size_t len, const char *name,
		    const char *address, time_t now, char *why,
		    size_t whylen);

/* The same for the file at path; a missing file is an empty index. */
int cert_index_check(const char *path, const char *name, const char *address,
		     time_t now, char *why, size_t whylen);

/* The line for id, newline included. */
int cert_index_line(const struct cert_identity *id, char *buf, size_t len);

/* Appends id's line to the file at path (created mode 0600). */
int cert_index_append(const char *path, const struct cert_identity *id,
		      char *err, size_t errlen);

#endif /* _PODNET_CERT_INDEX_H */
