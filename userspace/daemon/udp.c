// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Datagrams on the node's UDP sockets. Sending is batched while a burst is
 * handled and leaves as UDP GSO sends; receiving takes recvmmsg batches of
 * UDP GRO super-datagrams and hands every segment to dispatch.c.
 */
#include "udp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "datapath.h"
#include "dispatch.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "session.h"
#include "transport.h"
#include "tun.h"
#include "wire.h"

#define GSO_MAX_BYTES 65000

int udp_open(struct node *node, char *err, size_t errlen)
{
	int fd, off = 0, buf = 4 << 20;

	/* One dual-stack socket serves IPv4 and IPv6 peers alike; fall back
	 * to IPv4 on hosts with IPv6 disabled. */
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		struct sockaddr_in6 sin6 = {
			.sin6_family = AF_INET6,
			.sin6_port = htons(node->cfg.listen_port),
			.sin6_addr = IN6ADDR_ANY_INIT,
		};

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0) {
			node->udp_family = AF_INET6;
			goto bound;
		}
		close(fd);
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	{
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = htons(node->cfg.listen_port),
		};

		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
			snprintf(err, errlen, "UDP port %u: %s",
				 node->cfg.listen_port, strerror(errno));
			close(fd);
			return -1;
		}
	}
	node->udp_family = AF_INET;
bound:
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &buf, sizeof(buf));
	node->udp_fd = fd;
	return 0;
}

void udp_enable_gro(struct node *node)
{
	int one = 1;

	/* The kernel then hands over runs of datagrams from one sender as
	 * one (udp_read_cb splits them). podnet.ko's receive hook wants
	 * them one by one. */
	if (node->kernel.running)
		return;
	if (setsockopt(node->udp_fd, SOL_UDP, UDP_GRO, &one, sizeof(one)))
		log_info("UDP GRO unavailable: %s", strerror(errno));
}

void udp_close(struct node *node)
{
	if (node->udp_fd >= 0)
		close(node->udp_fd);
	node->udp_fd = -1;
}

static void mapped_address(const struct node *node, const struct endpoint *ep,
			   struct sockaddr_in6 *mapped, const void **name,
			   socklen_t *namelen)
{
	*name = &ep->sa;
	*namelen = ep->len;
	/* The sockets are dual-stack when they can be: IPv4 peers are
	 * reached through v4-mapped addresses. */
	if (node->udp_family == AF_INET6 && ep->sa.sa_family == AF_INET) {
		memset(mapped, 0, sizeof(*mapped));
		mapped->sin6_family = AF_INET6;
		mapped->sin6_port = ep->in.sin_port;
		mapped->sin6_addr.s6_addr[10] = 0xff;
		mapped->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&mapped->sin6_addr.s6_addr[12], &ep->in.sin_addr, 4);
		*name = mapped;
		*namelen = sizeof(*mapped);
	}
}

/* The inverse: a v4-mapped sender is an IPv4 endpoint. */
static void endpoint_from_recv(struct endpoint *ep,
			       const struct sockaddr_storage *ss,
			       socklen_t len)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;

	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
		memset(ep, 0, sizeof(*ep));
		ep->in.sin_family = AF_INET;
		ep->in.sin_port = in6->sin6_port;
		memcpy(&ep->in.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
		ep->len = sizeof(ep->in);
		return;
	}
	endpoint_from_sockaddr(ep, (const struct sockaddr *)ss, len);
}

void udp_seal_pending(struct node *node)
{
	struct udp_tx *tx = node->dp.tx;

	crypto_pool_run(&node->crypto, tx->jobs, tx->n_jobs);
	for (size_t k = 0; k < tx->n_jobs; k++)
		if (tx->jobs[k].result < 0)
			tx->len[tx->job_slot[k]] = 0;	/* not sent */
	tx->n_jobs = 0;
}

/*
 * Send queued datagrams: runs of equal-sized datagrams to one destination
 * go out as one UDP GSO send (the kernel segments them), the rest one by
 * one. A burst of 64 sealed packets then costs a couple of syscalls.
 */
void udp_flush(struct node *node)
{
	struct udp_tx *tx = node->dp.tx;
	size_t i = 0;

	udp_seal_pending(node);
	while (i < tx->count) {
		struct sockaddr_in6 mapped;
		struct iovec iov[UDP_TX_BATCH];
		union {
			char buf[CMSG_SPACE(sizeof(uint16_t))];
			struct cmsghdr align;
		} control;
		struct msghdr msg = { .msg_iov = iov };
		size_t j = i, bytes = 0;
		const struct path *p = &tx->path[i];
		const void *name;

		if (!tx->len[i] ||
		    transport_send(node, p, &(struct iovec){ tx->data[i],
							     tx->len[i] }, 1)) {
			i++;
			continue;
		}
		/* Extend the run while the size matches; a shorter datagram
		 * may end it. */
		while (j < tx->count && !node->dp.gso_unavailable &&
		       path_equal(&tx->path[j], p) &&
		       bytes + tx->len[j] <= GSO_MAX_BYTES &&
		       (j == i || tx->len[j] <= tx->len[i]) &&
		       (j == i || tx->len[j - 1] == tx->len[i])) {
			iov[j - i] = (struct iovec){ tx->data[j], tx->len[j] };
			bytes += tx->len[j];
			j++;
		}
		if (j == i) {
			iov[0] = (struct iovec){ tx->data[i], tx->len[i] };
			j = i + 1;
		}
		mapped_address(node, &p->ep, &mapped, &name, &msg.msg_namelen);
		msg.msg_name = (void *)name;
		msg.msg_iovlen = j - i;
		if (j - i > 1) {
			struct cmsghdr *cm;
			uint16_t seg = (uint16_t)tx->len[i];

			memset(&control, 0, sizeof(control));
			msg.msg_control = control.buf;
			msg.msg_controllen = sizeof(control.buf);
			cm = CMSG_FIRSTHDR(&msg);
			cm->cmsg_level = IPPROTO_UDP;
			cm->cmsg_type = UDP_SEGMENT;
			cm->cmsg_len = CMSG_LEN(sizeof(seg));
			memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
		}
		if (sendmsg(p->fd >= 0 ? p->fd : node->udp_fd, &msg,
			    MSG_DONTWAIT) >= 0) {
			if (j - i > 1)
				node->stats.tx_gso_sends++;
		} else {
			if (j - i > 1 && (errno == EIO || errno == EINVAL ||
					  errno == ENOPROTOOPT)) {
				/* No UDP GSO here: send one by one. */
				log_info("UDP GSO unavailable (%s), sending datagrams singly",
					 strerror(errno));
				node->dp.gso_unavailable = true;
				continue;
			}
			log_debug_ratelimited("sendmsg: %s", strerror(errno));
		}
		i = j;
	}
	tx->count = 0;
	transport_flush(node);
}

unsigned int udp_gso_datagrams(unsigned int mtu)
{
	return GSO_MAX_BYTES / (2 * WIRE_HEADER_LEN + RECORD_OVERHEAD + mtu);
}

void udp_tx_reserve(struct node *node, size_t n)
{
	if (node->dp.tx->count + n > UDP_TX_BATCH)
		udp_flush(node);
}

static int tx_queue(struct node *node, const struct path *path,
		    const struct iovec *iov, size_t n)
{
	struct udp_tx *tx = node->dp.tx;
	size_t len = 0;

	for (size_t k = 0; k < n; k++)
		len += iov[k].iov_len;
	if (len > UDP_TX_SLOT)
		return 1;	/* too big to queue: send it directly */
	if (tx->count == UDP_TX_BATCH)
		udp_flush(node);
	len = 0;
	for (size_t k = 0; k < n; k++) {
		memcpy(tx->data[tx->count] + len, iov[k].iov_base,
		       iov[k].iov_len);
		len += iov[k].iov_len;
	}
	tx->len[tx->count] = len;
	tx->path[tx->count] = *path;
	if (tx->path[tx->count].fd < 0)
		tx->path[tx->count].fd = node->udp_fd;
	tx->count++;
	return 0;
}

/*
 * Headers go straight into a batch slot. With crypto threads the
 * plaintext is copied after them and sealed in place by
 * udp_seal_pending(), in parallel; without, it is sealed from where it
 * lies into the slot at once, which spares the copy.
 */
int udp_queue_record(struct node *node, struct session *s,
		     const uint8_t *pkt, size_t len)
{
	struct udp_tx *tx = node->dp.tx;
	size_t off = s->path.relay_channel ? 2 * WIRE_HEADER_LEN :
					     WIRE_HEADER_LEN;
	struct crypto_job *job;
	uint8_t *slot;
	uint64_t seq;
	int hdr;

	if (!node->dp.tx_batching || s->state != SESSION_ESTABLISHED ||
	    !s->path.ep.len ||
	    off + RECORD_OVERHEAD + len > UDP_TX_SLOT)
		return session_send_data(s, pkt, len);
	if (tx->count == UDP_TX_BATCH)
		udp_flush(node);
	slot = tx->data[tx->count];
	if (s->path.relay_channel)
		wire_put_header(slot, WIRE_TYPE_RELAY, s->path.relay_channel,
				0);
	wire_put_header(slot + off - WIRE_HEADER_LEN, WIRE_TYPE_DATA,
			s->remote_index, 0);
	hdr = record_seal_begin(&s->keys, len, slot + off, UDP_TX_SLOT - off,
				&seq);
	if (hdr < 0)
		return -1;
	tx->len[tx->count] = off + (size_t)hdr + len + RECORD_TAG_LEN;
	if (!node->crypto.n_threads) {
		if (record_seal_finish_from(&s->keys, seq, slot + off, pkt,
					    len) < 0)
			tx->len[tx->count] = 0;	/* not sent */
	} else {
		memcpy(slot + off + (size_t)hdr, pkt, len);
		job = &tx->jobs[tx->n_jobs];
		*job = (struct crypto_job){ .keys = &s->keys, .seq = seq,
					    .rec = slot + off, .len = len };
		tx->job_slot[tx->n_jobs++] = tx->count;
	}
	tx->path[tx->count] = s->path;
	if (tx->path[tx->count].fd < 0)
		tx->path[tx->count].fd = node->udp_fd;
	tx->count++;
	return 0;
}

int path_send(struct node *node, const struct path *path,
	      const uint8_t *hdr, size_t hdr_len, const uint8_t *payload,
	      size_t payload_len)
{
	const struct endpoint *ep = &path->ep;
	uint8_t relay_hdr[WIRE_HEADER_LEN];
	struct iovec iov[3];
	struct sockaddr_in6 mapped;
	struct msghdr msg = { .msg_iov = iov };
	const void *name;
	size_t n = 0;

	if (!ep->len) {
		errno = EDESTADDRREQ;
		return -1;
	}
	/* A relayed path wraps the whole datagram for the relay, which
	 * forwards it by channel without being able to read it. */
	if (path->relay_channel) {
		wire_put_header(relay_hdr, WIRE_TYPE_RELAY,
				path->relay_channel, 0);
		iov[n++] = (struct iovec){ relay_hdr, sizeof(relay_hdr) };
	}
	iov[n++] = (struct iovec){ (void *)hdr, hdr_len };
	if (payload_len)
		iov[n++] = (struct iovec){ (void *)payload, payload_len };
	/* To a TCP stream instead (transport.c)? */
	if (transport_send(node, path, iov, n))
		return 0;
	if (node->dp.tx_batching && !tx_queue(node, path, iov, n))
		return 0;
	mapped_address(node, ep, &mapped, &name, &msg.msg_namelen);
	msg.msg_name = (void *)name;
	msg.msg_iovlen = n;
	if (sendmsg(path->fd >= 0 ? path->fd : node->udp_fd, &msg,
		    MSG_DONTWAIT) < 0) {
		int err = errno;

		log_debug_ratelimited("sendmsg: %s", strerror(err));
		/* The caller may act on it (EAGAIN: try again later). */
		errno = err;
		return -1;
	}
	return 0;
}

/*
 * Receive: recvmmsg() of up to UDP_RX_BATCH entries, each of which may be
 * a UDP GRO super-datagram (segments of one size from one sender, the
 * size in a UDP_GRO control message). Segments are handled in rounds of
 * up to UDP_RX_SEGS: the direct data records of a round are opened on the
 * crypto threads into aligned plaintext slots, then every segment is
 * handled in order.
 *
 * First pass over a round: the direct data records of established
 * sessions pass the header and replay checks in order and become jobs
 * that open them into rx->plain; everything else is left for
 * dispatch_datagram(). Nothing changes state here but the job list.
 */
static size_t rx_prepare(struct node *node, struct udp_rx *rx)
{
	size_t n_jobs = 0;

	for (size_t k = 0; k < rx->n_segs; k++) {
		const uint8_t *buf = rx->seg[k];
		struct wire_header hdr;
		struct session *s;
		uint64_t seq;
		size_t ptlen;
		int off;

		rx->session[k] = NULL;
		if (rx->seg_len[k] < WIRE_HEADER_LEN ||
		    buf[0] != WIRE_TYPE_DATA ||
		    wire_parse(buf, rx->seg_len[k], &hdr) != WIRE_OK)
			continue;
		s = session_lookup_index(node, hdr.receiver_index);
		/* podnet.ko's keys are opened there only (data_datagram()). */
		if (!s || s->state != SESSION_ESTABLISHED || !s->peer ||
		    s->in_kernel)
			continue;
		off = record_open_begin(&s->keys, hdr.payload, hdr.payload_len,
					&seq, &ptlen);
		if (off < 0 || ptlen > UDP_RX_PLAIN)
			continue;
		rx->session[k] = s;
		rx->index[k] = hdr.receiver_index;
		rx->job_of[k] = n_jobs;
		rx->jobs[n_jobs++] = (struct crypto_job){
			.keys = &s->keys, .seq = seq,
			.rec = (uint8_t *)hdr.payload, .len = ptlen,
			.out = rx->plain[k], .open = true,
		};
	}
	return n_jobs;
}

/* Second pass, in order: a record opened by rx_prepare's job. Segments
 * before it may have ended its session; then it is dropped. */
static void rx_opened(struct node *node, struct udp_rx *rx,
		      const struct path *from, size_t k)
{
	struct session *s = rx->session[k];
	const struct crypto_job *job = &rx->jobs[rx->job_of[k]];

	if (session_lookup_index(node, rx->index[k]) != s ||
	    s->state != SESSION_ESTABLISHED || !s->peer) {
		node->stats.rx_unknown_session++;
		return;
	}
	if (job->result <= 0 || !replay_commit(&s->keys.replay, job->seq)) {
		s->peer->stats.drop_invalid++;
		return;
	}
	session_data_opened(s);
	dispatch_plaintext(node, from, s, job->out, (size_t)job->result);
}

/* Handle the segments collected so far; false once the socket they came
 * from was closed under us (a punch ended), when the rest must not be
 * touched. Other sockets closing do not concern them. */
static bool rx_round(struct node *node, struct udp_rx *rx)
{
	crypto_pool_run(&node->crypto, rx->jobs, rx_prepare(node, rx));
	for (size_t k = 0; k < rx->n_segs; k++) {
		const struct path *from = &rx->from[rx->seg_msg[k]];

		if (node->rx_fd_closed) {
			rx->n_segs = 0;
			return false;
		}
		if (rx->session[k])
			rx_opened(node, rx, from, k);
		else
			dispatch_datagram(node, from, rx->seg[k],
					  rx->seg_len[k]);
	}
	rx->n_segs = 0;
	return true;
}

/* The segment size of a UDP GRO super-datagram, or 0 for a plain one. */
static size_t gro_segment_size(struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR(mh, cm)) {
		int size;

		if (cm->cmsg_level != SOL_UDP || cm->cmsg_type != UDP_GRO ||
		    cm->cmsg_len < CMSG_LEN(sizeof(size)))
			continue;
		memcpy(&size, CMSG_DATA(cm), sizeof(size));
		return size > 0 ? (size_t)size : 0;
	}
	return 0;
}

void udp_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct node *node = w->data;
	struct udp_rx *rx = node->dp.rx;
	int fd = w->fd;

	/* A datagram may end a punch and free the watcher w lives in:
	 * only local copies are used, and the loop stops when the socket
	 * it reads was closed. */
	node->rx_fd = fd;
	node->rx_fd_closed = false;
	for (int round = 0; round < DATAPATH_BURST / 8 &&
	     !node->rx_fd_closed; round++) {
		bool go_on = true;
		int n;

		for (int i = 0; i < UDP_RX_BATCH; i++) {
			rx->iovs[i] = (struct iovec){ rx->bufs[i],
						    UDP_RX_SLOT };
			rx->msgs[i].msg_hdr = (struct msghdr){
				.msg_name = &rx->addrs[i],
				.msg_namelen = sizeof(rx->addrs[i]),
				.msg_iov = &rx->iovs[i],
				.msg_iovlen = 1,
				.msg_control = rx->ctrl[i].buf,
				.msg_controllen = sizeof(rx->ctrl[i].buf),
			};
		}
		n = recvmmsg(fd, rx->msgs, UDP_RX_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				log_debug_ratelimited("recvmmsg: %s", strerror(errno));
			break;
		}
		/* Answers to what arrives (keepalives, handshakes) go out
		 * together after the batch; TCP segments are coalesced. */
		node->dp.tx_batching = true;
		node->dp.rx_coalescing = true;
		rx->n_segs = 0;
		for (int i = 0; i < n && go_on; i++) {
			struct msghdr *mh = &rx->msgs[i].msg_hdr;
			size_t len = rx->msgs[i].msg_len;
			size_t size = gro_segment_size(mh);

			if ((mh->msg_flags & MSG_TRUNC) || !len) {
				node->stats.rx_malformed++;
				continue;
			}
			if (!size || size > len)
				size = len;
			rx->from[i] = (struct path){ .fd = fd };
			endpoint_from_recv(&rx->from[i].ep, &rx->addrs[i],
					   mh->msg_namelen);
			for (size_t off = 0; off < len && go_on; off += size) {
				size_t k = rx->n_segs++;

				rx->seg[k] = rx->bufs[i] + off;
				rx->seg_len[k] = len - off < size ? len - off :
								   size;
				rx->seg_msg[k] = i;
				if (rx->n_segs == UDP_RX_SEGS)
					go_on = rx_round(node, rx);
			}
		}
		if (go_on && rx->n_segs)
			rx_round(node, rx);
		node->dp.tx_batching = false;
		node->dp.rx_coalescing = false;
		tun_flush(node);
		udp_flush(node);
		if (n < UDP_RX_BATCH)
			break;
	}
	node->rx_fd = -1;
}
