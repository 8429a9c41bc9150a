/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A small generic netlink client on libmnl: resolve a family and its
 * multicast group, send a request and collect its replies (a dump too),
 * with the kernel's extack text on errors.
 */
#ifndef _PODNET_GENL_H
#define _PODNET_GENL_H

#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

struct genl_conn {
	struct mnl_socket *nl;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t mcgrp;		/* 0 when the family has no such group */
};

/* Returns 0, -ENOENT when the family is not registered (module not
 * loaded), or another -errno. */
int genl_open(struct genl_conn *c, const char *family, const char *mcgrp,
	      char *err, size_t errlen);
/* Join the multicast group: the connection then receives notifications. */
int genl_subscribe(struct genl_conn *c);
void genl_close(struct genl_conn *c);
int genl_fd(const struct genl_conn *c);
/* A request header for cmd in buf (MNL_SOCKET_BUFFER_SIZE bytes). */
struct nlmsghdr *genl_request(struct genl_conn *c, void *buf, uint8_t cmd,
			      uint8_t version, uint16_t flags);
/* Send and wait for the ACK (or the end of a dump); replies go to cb. */
int genl_talk(struct genl_conn *c, struct nlmsghdr *nlh, mnl_cb_t cb,
	      void *data, char *err, size_t errlen);

#endif /* _PODNET_GENL_H */
