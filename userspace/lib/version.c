// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Only this file sees PODNET_VERSION, so a new commit rebuilds one object.
 */
#include "version.h"

#ifndef PODNET_VERSION
#define PODNET_VERSION "0.1.0"
#endif

const char *podnet_version(void)
{
	return PODNET_VERSION;
}
