/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A struct config written back as a podnetd config file (config_write.c),
 * for `podnet showconf`: parsing the output gives the same config.
 */
#ifndef _PODNET_CONFIG_WRITE_H
#define _PODNET_CONFIG_WRITE_H

#include <stdio.h>

#include "config.h"

/*
 * Writes [Interface] with every key and one [Peer] per peer. Relative
 * paths are written absolute (relative to the working directory), so the
 * file works from anywhere. Returns 0, or -1 if a write failed.
 */
int config_write(FILE *f, const struct config *cfg);

#endif /* _PODNET_CONFIG_WRITE_H */
