/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The version both binaries print for --version: what `git describe`
 * said at build time, or the Makefile's release number outside a git
 * checkout (version.c).
 */
#ifndef _PODNET_VERSION_H
#define _PODNET_VERSION_H

/* "0.1.0", "0.1.0-12-gfc8f1ee" or "0.1.0-gfc8f1ee-dirty". */
const char *podnet_version(void);

#endif /* _PODNET_VERSION_H */
