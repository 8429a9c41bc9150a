// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The only place that speaks rtnetlink. The daemon never runs `ip`: it
 * sends the same requests `ip` would, so what it does is visible to and
 * compatible with `ip` scripts.
 */
#include "rtnl.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#ifndef NLMSGERR_ATTR_MSG
#define NLMSGERR_ATTR_MSG 1
#endif

int rtnl_link_index(const char *ifname)
{
	unsigned int idx = if_nametoindex(ifname);

	return idx ? (int)idx : -errno;
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	const char **msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		*msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/*
 * Turn an NLMSG_ERROR into errno plus the kernel's extack text. libmnl's
 * default error callback drops the text, which is the only useful part of
 * most rejections.
 */
int nl_extack_error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	char **errbuf = data;
	const char *msg = NULL;
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*e))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (e->error == 0)
		return MNL_CB_STOP;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) &&
	    mnl_nlmsg_size(off) <= nlh->nlmsg_len)
		mnl_attr_parse(nlh, off, extack_attr_cb, &msg);
	if (msg && errbuf && errbuf[0])
		snprintf(errbuf[0], (size_t)(uintptr_t)errbuf[1], "%s", msg);
	errno = -e->error;
	return MNL_CB_ERROR;
}

/* mnl_cb_run2 hands one data pointer to both kinds of callback. */
struct talk_data {
	mnl_cb_t cb;
	void *data;
	char **errbuf;
};

static int data_trampoline(const struct nlmsghdr *nlh, void *data)
{
	struct talk_data *t = data;

	return t->cb(nlh, t->data);
}

/* The end of a dump: with a control array given, libmnl leaves even
 * NLMSG_DONE to it. */
static int done_cb(const struct nlmsghdr *nlh, void *data)
{
	return MNL_CB_STOP;
}

static int error_trampoline(const struct nlmsghdr *nlh, void *data)
{
	struct talk_data *t = data;

	return nl_extack_error_cb(nlh, t->errbuf);
}

/*
 * Send one request and wait for its ACK, or with NLM_F_DUMP set for the
 * end of the dump; every answer message goes to cb (may be NULL).
 */
static int rtnl_talk_cb(struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
			char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	mnl_cb_t ctl_cb[NLMSG_MIN_TYPE] = {
		[NLMSG_ERROR] = error_trampoline,
		[NLMSG_DONE] = done_cb,
	};
	struct talk_data cb_data;
	char *errbuf[2] = { err, (char *)(uintptr_t)errlen };
	struct mnl_socket *nl;
	unsigned int portid, seq;
	int one = 1, ret;

	if (err && errlen)
		err[0] = '\0';
	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out_close;
	}
	portid = mnl_socket_get_portid(nl);
	seq = (unsigned int)time(NULL);
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_REQUEST;
	if ((nlh->nlmsg_flags & NLM_F_DUMP) != NLM_F_DUMP)
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out_close;
	}
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));

		if (n < 0) {
			ret = -errno;
			goto out_close;
		}
		/* The error callback's data is the extack buffer, the
		 * data callback's the caller's. */
		cb_data.cb = cb;
		cb_data.data = data;
		cb_data.errbuf = errbuf;
		ret = mnl_cb_run2(buf, (size_t)n, seq, portid,
				  cb ? data_trampoline : NULL, &cb_data,
				  ctl_cb, NLMSG_MIN_TYPE);
		if (ret <= MNL_CB_STOP)
			break;
	}
	ret = ret < 0 ? -errno : 0;
out_close:
	mnl_socket_close(nl);
	if (ret < 0 && err && errlen && !err[0])
		snprintf(err, errlen, "%s", strerror(-ret));
	return ret;
}

static int rtnl_talk(struct nlmsghdr *nlh, char *err, size_t errlen)
{
	return rtnl_talk_cb(nlh, NULL, NULL, err, errlen);
}

/*
 * Every request is a header of TYPE with FLAGS (rtnl_talk adds REQUEST, and
 * ACK unless it is a dump) and then its family's zeroed fixed header,
 * returned for filling.
 */
static void *request_start(struct nlmsghdr *nlh, uint16_t type,
			   uint16_t flags, size_t hdrlen)
{
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	return mnl_nlmsg_put_extra_header(nlh, hdrlen);
}

/* An ip link request for ifindex (0: the link is named by IFLA_IFNAME). */
static struct ifinfomsg *link_request(struct nlmsghdr *nlh, uint16_t type,
				      uint16_t flags, int ifindex)
{
	struct ifinfomsg *ifm = request_start(nlh, type, flags, sizeof(*ifm));

	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	return ifm;
}

int rtnl_link_set_gso_max_segs(int ifindex, unsigned int segs, char *err,
			       size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	link_request(nlh, RTM_NEWLINK, 0, ifindex);
	mnl_attr_put_u32(nlh, IFLA_GSO_MAX_SEGS, segs);
	return rtnl_talk(nlh, err, errlen);
}

/* An ip address request; a dump takes ifindex and prefixlen 0. */
static struct ifaddrmsg *addr_request(struct nlmsghdr *nlh, uint16_t type,
				      uint16_t flags, int family, int ifindex,
				      uint8_t prefixlen)
{
	struct ifaddrmsg *ifa = request_start(nlh, type, flags, sizeof(*ifa));

	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = prefixlen;
	ifa->ifa_index = (unsigned int)ifindex;
	return ifa;
}

int rtnl_link_set(int ifindex, unsigned int mtu, bool up, char *err,
		  size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm = link_request(nlh, RTM_NEWLINK, 0, ifindex);

	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = up ? IFF_UP : 0;
	if (mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	return rtnl_talk(nlh, err, errlen);
}

/* An address of either family as the bytes the kernel takes: lets one
 * function build each request for both. */
struct ip_bytes {
	int family;
	const void *addr;
	size_t len;
};

static struct ip_bytes ipv4_bytes(const struct in_addr *addr)
{
	return (struct ip_bytes){ AF_INET, addr, sizeof(*addr) };
}

static struct ip_bytes ipv6_bytes(const struct in6_addr *addr)
{
	return (struct ip_bytes){ AF_INET6, addr, sizeof(*addr) };
}

static int addr_add(int ifindex, struct ip_bytes ip, uint8_t prefixlen,
		    char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	ifa = addr_request(nlh, RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE,
			   ip.family, ifindex, prefixlen);
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	mnl_attr_put(nlh, IFA_LOCAL, ip.len, ip.addr);
	mnl_attr_put(nlh, IFA_ADDRESS, ip.len, ip.addr);
	/* No duplicate address detection: the certificate makes the address
	 * this node's alone, and a tentative address cannot be bound for the
	 * second DAD takes. The kernel adds the prefix route itself. */
	if (ip.family == AF_INET6) {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	}
	return rtnl_talk(nlh, err, errlen);
}

int rtnl_addr_add_ipv4(int ifindex, struct in_addr addr, uint8_t prefixlen,
		       char *err, size_t errlen)
{
	return addr_add(ifindex, ipv4_bytes(&addr), prefixlen, err, errlen);
}

int rtnl_addr_add_ipv6(int ifindex, const struct in6_addr *addr,
		       uint8_t prefixlen, char *err, size_t errlen)
{
	return addr_add(ifindex, ipv6_bytes(addr), prefixlen, err, errlen);
}

int rtnl_link_delete(int ifindex, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	link_request(nlh, RTM_DELLINK, 0, ifindex);
	return rtnl_talk(nlh, err, errlen);
}

/* The kernel takes IFLA_IFALIAS only on a link that exists. */
static int link_set_alias(const char *ifname, const char *alias, char *err,
			  size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	link_request(nlh, RTM_NEWLINK, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	mnl_attr_put_str(nlh, IFLA_IFALIAS, alias);
	return rtnl_talk(nlh, err, errlen);
}

int rtnl_link_create(const char *ifname, const char *kind,
		     const char *alias, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlattr *linkinfo;
	int ret;

	link_request(nlh, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	mnl_attr_nest_end(nlh, linkinfo);
	ret = rtnl_talk(nlh, err, errlen);
	/* Only a mark for a later podnetd (a killed daemon's link is then
	 * adopted instead of replaced): not worth failing the start for. */
	if (!ret && alias)
		link_set_alias(ifname, alias, NULL, 0);
	return ret;
}

static int linkinfo_attr_cb(const struct nlattr *attr, void *data)
{
	struct rtnl_link_info *info = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0)
		snprintf(info->kind, sizeof(info->kind), "%.*s",
			 (int)strnlen(mnl_attr_get_str(attr),
				      mnl_attr_get_payload_len(attr)),
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct rtnl_link_info *info = data;

	switch (mnl_attr_get_type(attr)) {
	case IFLA_MTU:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			info->mtu = mnl_attr_get_u32(attr);
		break;
	case IFLA_GSO_MAX_SEGS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) >= 0)
			info->gso_max_segs = mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) >= 0)
			mnl_attr_parse_nested(attr, linkinfo_attr_cb, info);
		break;
	case IFLA_IFALIAS:
		if (mnl_attr_validate(attr, MNL_TYPE_STRING) >= 0)
			snprintf(info->alias, sizeof(info->alias), "%.*s",
				 (int)strnlen(mnl_attr_get_str(attr),
					      mnl_attr_get_payload_len(attr)),
				 mnl_attr_get_str(attr));
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	struct rtnl_link_info *info = data;

	if (nlh->nlmsg_type != RTM_NEWLINK ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifm)))
		return MNL_CB_OK;
	info->up = ifm->ifi_flags & IFF_UP;
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, info);
	return MNL_CB_OK;
}

int rtnl_link_get(int ifindex, struct rtnl_link_info *info, char *err,
		  size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	memset(info, 0, sizeof(*info));
	link_request(nlh, RTM_GETLINK, 0, ifindex);
	return rtnl_talk_cb(nlh, link_cb, info, err, errlen);
}

struct addr_query {
	int ifindex;
	int family;
	uint8_t addr[16];
	size_t alen;
	bool found;
};

static int addr_attr_cb(const struct nlattr *attr, void *data)
{
	struct addr_query *q = data;
	/* IPv6 addresses come as IFA_ADDRESS only. */
	int type = q->family == AF_INET6 ? IFA_ADDRESS : IFA_LOCAL;

	if (mnl_attr_get_type(attr) == type &&
	    mnl_attr_get_payload_len(attr) == q->alen &&
	    !memcmp(mnl_attr_get_payload(attr), q->addr, q->alen))
		q->found = true;
	return MNL_CB_OK;
}

static int addr_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct addr_query *q = data;

	if (nlh->nlmsg_type == RTM_NEWADDR &&
	    nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*ifa)) &&
	    ifa->ifa_family == q->family && (int)ifa->ifa_index == q->ifindex)
		mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, q);
	return MNL_CB_OK;
}

static int addr_has(int ifindex, struct ip_bytes ip, char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct addr_query q = { .ifindex = ifindex, .family = ip.family,
				.alen = ip.len };
	int ret;

	memcpy(q.addr, ip.addr, ip.len);
	addr_request(nlh, RTM_GETADDR, NLM_F_DUMP, ip.family, 0, 0);
	ret = rtnl_talk_cb(nlh, addr_cb, &q, err, errlen);
	return ret < 0 ? ret : q.found;
}

int rtnl_addr_has_ipv4(int ifindex, struct in_addr addr, char *err,
		       size_t errlen)
{
	return addr_has(ifindex, ipv4_bytes(&addr), err, errlen);
}

int rtnl_addr_has_ipv6(int ifindex, const struct in6_addr *addr, char *err,
		       size_t errlen)
{
	return addr_has(ifindex, ipv6_bytes(addr), err, errlen);
}

static int addr_del(int ifindex, struct ip_bytes ip, uint8_t prefixlen,
		    char *err, size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	addr_request(nlh, RTM_DELADDR, 0, ip.family, ifindex, prefixlen);
	mnl_attr_put(nlh, ip.family == AF_INET6 ? IFA_ADDRESS : IFA_LOCAL,
		     ip.len, ip.addr);
	return rtnl_talk(nlh, err, errlen);
}

int rtnl_addr_del_ipv4(int ifindex, struct in_addr addr, uint8_t prefixlen,
		       char *err, size_t errlen)
{
	return addr_del(ifindex, ipv4_bytes(&addr), prefixlen, err, errlen);
}

int rtnl_addr_del_ipv6(int ifindex, const struct in6_addr *addr,
		       uint8_t prefixlen, char *err, size_t errlen)
{
	return addr_del(ifindex, ipv6_bytes(addr), prefixlen, err, errlen);
}

struct route_query {
	int family;
	uint8_t dst[16];
	size_t alen;
	uint8_t dst_len;
	bool found;
};

static int route_attr_cb(const struct nlattr *attr, void *data)
{
	struct route_query *q = data;

	if (mnl_attr_get_type(attr) == RTA_DST &&
	    mnl_attr_get_payload_len(attr) == q->alen &&
	    !memcmp(mnl_attr_get_payload(attr), q->dst, q->alen))
		q->found = true;
	return MNL_CB_OK;
}

static int route_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct route_query *q = data;
	static const uint8_t zero[16];

	if (nlh->nlmsg_type != RTM_NEWROUTE ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)) ||
	    rtm->rtm_family != q->family || rtm->rtm_table != RT_TABLE_MAIN ||
	    rtm->rtm_dst_len != q->dst_len)
		return MNL_CB_OK;
	/* A default route has no RTA_DST. */
	if (!rtm->rtm_dst_len && !memcmp(q->dst, zero, q->alen))
		q->found = true;
	mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, q);
	return MNL_CB_OK;
}

/* An ip route request; a dump takes dst_len 0. */
static struct rtmsg *route_request(struct nlmsghdr *nlh, uint16_t type,
				   uint16_t flags, int family, uint8_t dst_len)
{
	struct rtmsg *rtm = request_start(nlh, type, flags, sizeof(*rtm));

	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = dst_len;
	return rtm;
}

static int route_exists(struct ip_bytes dst, uint8_t dst_len, char *err,
			size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct route_query q = { .family = dst.family, .alen = dst.len,
				 .dst_len = dst_len };
	int ret;

	memcpy(q.dst, dst.addr, dst.len);
	route_request(nlh, RTM_GETROUTE, NLM_F_DUMP, dst.family, 0);
	ret = rtnl_talk_cb(nlh, route_cb, &q, err, errlen);
	return ret < 0 ? ret : q.found;
}

int rtnl_route_exists_ipv4(struct in_addr dst, uint8_t dst_len, char *err,
			   size_t errlen)
{
	return route_exists(ipv4_bytes(&dst), dst_len, err, errlen);
}

int rtnl_route_exists_ipv6(const struct in6_addr *dst, uint8_t dst_len,
			   char *err, size_t errlen)
{
	return route_exists(ipv6_bytes(dst), dst_len, err, errlen);
}

/*
 * ip route add|del DST/LEN dev IFINDEX scope link src SRC, table main;
 * type is RTM_NEWROUTE or RTM_DELROUTE. A new route never replaces one.
 */
static int route_change(uint16_t type, int ifindex, struct ip_bytes dst,
			uint8_t dst_len, struct ip_bytes src, char *err,
			size_t errlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	uint16_t flags = type == RTM_NEWROUTE ? NLM_F_CREATE | NLM_F_EXCL : 0;
	struct rtmsg *rtm;

	rtm = route_request(nlh, type, flags, dst.family, dst_len);
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	/* IPv6 routes are universe scope; the kernel refuses link scope. */
	rtm->rtm_scope = dst.family == AF_INET6 ? RT_SCOPE_UNIVERSE :
						  RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_DST, dst.len, dst.addr);
	mnl_attr_put(nlh, RTA_PREFSRC, src.len, src.addr);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	return rtnl_talk(nlh, err, errlen);
}

int rtnl_route_add_ipv4(int ifindex, struct in_addr dst, uint8_t dst_len,
			struct in_addr src, char *err, size_t errlen)
{
	return route_change(RTM_NEWROUTE, ifindex, ipv4_bytes(&dst), dst_len,
			    ipv4_bytes(&src), err, errlen);
}

int rtnl_route_del_ipv4(int ifindex, struct in_addr dst, uint8_t dst_len,
			struct in_addr src, char *err, size_t errlen)
{
	return route_change(RTM_DELROUTE, ifindex, ipv4_bytes(&dst), dst_len,
			    ipv4_bytes(&src), err, errlen);
}

int rtnl_route_add_ipv6(int ifindex, const struct in6_addr *dst,
			uint8_t dst_len, const struct in6_addr *src, char *err,
			size_t errlen)
{
	return route_change(RTM_NEWROUTE, ifindex, ipv6_bytes(dst), dst_len,
			    ipv6_bytes(src), err, errlen);
}

int rtnl_route_del_ipv6(int ifindex, const struct in6_addr *dst,
			uint8_t dst_len, const struct in6_addr *src, char *err,
			size_t errlen)
{
	return route_change(RTM_DELROUTE, ifindex, ipv6_bytes(dst), dst_len,
			    ipv6_bytes(src), err, errlen);
}
