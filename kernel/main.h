/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 */
#ifndef _PODNET_MAIN_H
#define _PODNET_MAIN_H

#include <linux/workqueue.h>

/* Frees peers and keys after RCU grace periods; drained at unload. */
extern struct workqueue_struct *podnet_wq;

#endif /* _PODNET_MAIN_H */
