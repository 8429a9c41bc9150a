// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 */
#include "genl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "rtnl.h"

int genl_fd(const struct genl_conn *c)
{
	return mnl_socket_get_fd(c->nl);
}

struct nlmsghdr *genl_request(struct genl_conn *c, void *buf, uint8_t cmd,
			      uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = c->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++c->seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct talk {
	char *errbuf[2];
	mnl_cb_t cb;
	void *data;
};

static int talk_data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return t->cb ? t->cb(nlh, t->data) : MNL_CB_OK;
}

/* The end of a dump. libmnl only applies its own default for it when
 * no control callbacks are given, and we give one for errors. */
static int talk_done_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_STOP;
}

static int talk_error_cb(const struct nlmsghdr *nlh, void *data)
{
	struct talk *t = data;

	return nl_extack_error_cb(nlh, t->errbuf);
}

int genl_talk(struct genl_conn *c, struct nlmsghdr *nlh, mnl_cb_t cb,
	      void *data, char *err, size_t errlen)
{
	static char buf[65536];
	mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = talk_error_cb,
		[NLMSG_DONE] = talk_done_cb,
	};
	struct talk t = {
		.errbuf = { err, (char *)(uintptr_t)errlen },
		.cb = cb,
		.data = data,
	};
	int ret;

	if (err && errlen)
		err[0] = '\0';
	if (mnl_socket_sendto(c->nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ssize_t n = mnl_socket_recvfrom(c->nl, buf, sizeof(buf));

		if (n < 0)
			return -errno;
		ret = mnl_cb_run2(buf, (size_t)n, nlh->nlmsg_seq, c->portid,
				  talk_data_cb, &t, ctl_cb, NLMSG_MIN_TYPE);
	} while (ret > MNL_CB_STOP);
	if (ret < 0) {
		ret = -errno;
		if (err && errlen && !err[0])
			snprintf(err, errlen, "%s", strerror(-ret));
		return ret;
	}
	return 0;
}

struct family_info {
	const char *mcgrp;
	uint16_t id;
	uint32_t grp;
};

static int mcgrp_cb(const struct nlattr *grp, struct family_info *fi)
{
	struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, grp) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID &&
			 mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			id = mnl_attr_get_u32(a);
	}
	if (name && fi->mcgrp && !strcmp(name, fi->mcgrp))
		fi->grp = id;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_info *fi = data;
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) >= 0) {
			fi->id = mnl_attr_get_u16(a);
		} else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS) {
			struct nlattr *g;

			mnl_attr_for_each_nested(g, a)
				mcgrp_cb(g, fi);
		}
	}
	return MNL_CB_OK;
}

int genl_open(struct genl_conn *c, const char *family, const char *mcgrp,
	      char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct family_info fi = { .mcgrp = mcgrp };
	struct nlmsghdr *nlh;
	int one = 1, ret;

	memset(c, 0, sizeof(*c));
	c->nl = mnl_socket_open(NETLINK_GENERIC);
	if (!c->nl)
		return -errno;
	mnl_socket_setsockopt(c->nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(c->nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(c->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		genl_close(c);
		return ret;
	}
	c->portid = mnl_socket_get_portid(c->nl);
	c->seq = (unsigned int)time(NULL);
	c->family = GENL_ID_CTRL;
	nlh = genl_request(c, buf, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, family);
	ret = genl_talk(c, nlh, family_cb, &fi, err, errlen);
	if (ret || !fi.id) {
		genl_close(c);
		return ret ? ret : -ENOENT;
	}
	c->family = fi.id;
	c->mcgrp = fi.grp;
	return 0;
}

int genl_subscribe(struct genl_conn *c)
{
	if (!c->mcgrp)
		return -ENOENT;
	if (mnl_socket_setsockopt(c->nl, NETLINK_ADD_MEMBERSHIP, &c->mcgrp,
				  sizeof(c->mcgrp)) < 0)
		return -errno;
	return 0;
}

void genl_close(struct genl_conn *c)
{
	if (c->nl)
		mnl_socket_close(c->nl);
	c->nl = NULL;
}
