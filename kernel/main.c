// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnet.ko: the kernel data path of podnet. The daemon (podnetd) does
 * every DTLS handshake in userspace and hands the record keys over
 * generic netlink; this module seals and opens the data records.
 */
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "crypto.h"
#include "device.h"
#include "main.h"
#include "netlink.h"
#include "pipeline.h"

struct workqueue_struct *podnet_wq;

static int __init podnet_init(void)
{
	int err;

	podnet_wq = alloc_workqueue("podnet", 0, 0);
	if (!podnet_wq)
		return -ENOMEM;
	err = podnet_crypto_global_init();
	if (err)
		goto err_wq;
	err = podnet_pipeline_init();
	if (err)
		goto err_crypto;
	err = podnet_device_init();
	if (err)
		goto err_pipeline;
	err = podnet_nl_init();
	if (err)
		goto err_device;
	pr_info("podnet data path loaded\n");
	return 0;

err_device:
	podnet_device_uninit();
err_pipeline:
	podnet_pipeline_exit();
err_crypto:
	podnet_crypto_global_exit();
err_wq:
	destroy_workqueue(podnet_wq);
	return err;
}

static void __exit podnet_exit(void)
{
	podnet_nl_exit();
	podnet_device_uninit();
	/* Peers, keys and sockets are freed from RCU callbacks and the
	 * workqueue; all of that must be over before the code goes.
	 */
	rcu_barrier();
	destroy_workqueue(podnet_wq);
	podnet_pipeline_exit();
	podnet_crypto_global_exit();
	pr_debug("podnet data path unloaded\n");
}

module_init(podnet_init);
module_exit(podnet_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("podnet kernel data path");
MODULE_AUTHOR("The podnet developers");
MODULE_ALIAS_RTNL_LINK(PODNET_LINK_KIND);
MODULE_ALIAS_GENL_FAMILY(PODNET_GENL_NAME);
