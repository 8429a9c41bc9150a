// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * libFuzzer target for the daemon's receive path, from the UDP socket to
 * the TUN device, past authentication. Every input runs against a fresh
 * node built from the daemon's own sources (everything but podnetd.c's
 * main): a node "alpha" with an established session to its peer "bravo"
 * and one to its rendezvous "rv", or (first byte odd) the rendezvous "rv"
 * with sessions to the nodes "alpha" and "bravo". The sessions skip the
 * DTLS handshake: their record keys are set directly (record_keys_init,
 * what record_keys_from_ssl fills after a real one), and the harness holds
 * the other end's keys, so it can seal what the fuzzer writes. That takes
 * the fuzzer's bytes to control messages, cryptokey routing, receive
 * coalescing and the TUN write.
 *
 * The rest of the input is a list of datagrams, each
 *   op (1 byte), length (2 bytes, little-endian), bytes
 * op bits 0-1: the sender: 0 peer A, 1 peer B (alpha's rendezvous),
 *              2 a stranger, 3 peer A's address on another port;
 * op bits 2-3: 0 the bytes as they are (but a relay datagram from A or B
 *              naming channel 0 gets the channel the rendezvous gave
 *              it, which is random), 1 sealed as a data record of A's
 *              session, 2 of B's, 3 of A's and wrapped in a relay header
 *              whose channel is the bytes' first four;
 * op bit 4:    the daemon reads what was sent so far (a recvmmsg batch);
 * op bit 5:    sent with UDP GSO (segment size: the first two bytes),
 *              which the daemon receives as a GRO super-datagram;
 * op bits 6-7: 1 sent twice (a replay); 2 then the node's housekeeping
 *              runs once; 3 with mode 1 or 2: instead, peer A or B dials
 *              the node, a real DTLS handshake with its certificate (the
 *              bytes are not used); 3 with mode 0 or 3: the bytes are no
 *              datagram but a read from the TUN device (virtio-net
 *              header, packet), which the node routes to a peer.
 * Peers A and B are 127.0.0.2:5000 and 127.0.0.3:5000, the stranger
 * 127.0.0.4:6000; they are real UDP sockets in a network namespace of the
 * fuzzer's own, with only loopback, so the daemon's answers arrive there
 * and nothing it sends leaves the process's namespace.
 *
 * Checks, besides memory errors, leaks and undefined behaviour: every
 * packet written to the TUN device comes from a peer's own address
 * (cryptokey routing), or is the node's own ICMP error; every record the
 * node sends under the sessions opens and goes to that peer's address;
 * an input without sealed records makes the node send no more bytes to
 * unknown addresses than they sent it (no amplification); no file
 * descriptor outlives its node; a session's records go only where an
 * authenticated record of it came from, but for the ping that tries a
 * punched candidate (issue 12's F1). PODNET_FUZZ_DEBUG=1 shows the
 * node's log.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cert_issue.h"
#include "checksum.h"
#include "config.h"
#include "log.h"
#include "node.h"
#include "peer.h"
#include "queue.h"
#include "rendezvous.h"
#include "rtnl.h"
#include "rvmsg.h"
#define FUZZ_OWN_INITIALIZE
#include "seeds.h"
#include "session.h"
#include "traversal.h"
#include "tun.h"
#include "udp.h"
#include "wire.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_dispatch: check failed: %s (line %d)\n", \
		#cond, __LINE__); abort(); } } while (0)

#define ALPHA_PORT 51820
#define RV_PORT 51830
/* A UDP datagram over IPv4 carries at most this much. */
#define UDP_MAX 65507
#define MAX_OPS 256

enum sender { SEND_A, SEND_B, SEND_STRANGER, SEND_A_MOVED, N_SENDERS };
enum mode { RAW, SEAL_A, SEAL_B, SEAL_A_RELAYED };

static const struct {
	const char *addr;
	uint16_t port;
} senders[N_SENDERS] = {
	{ "127.0.0.2", 5000 }, { "127.0.0.3", 5000 },
	{ "127.0.0.4", 6000 }, { "127.0.0.2", 5001 },
};

/* The indices of the node's two sessions (A's, B's) and of their far
 * ends, fixed so that raw datagrams can name them too. */
static const uint32_t local_index[2] = { 0x11111111, 0x22222222 };
static const uint32_t remote_index[2] = { 0xaaaaaaaa, 0xbbbbbbbb };

/* What stays from one input to the next: certificates, wolfSSL
 * contexts, sockets and the data path's buffers. */
struct role {
	struct config cfg;
	struct cert_identity identity;
	struct node_dtls dtls;
	int udp_fd, udp_family;
	const char *names[2];		/* of peers A and B */
	struct in_addr vaddrs[2];
};

static struct role roles[2];		/* 0: alpha, 1: the rendezvous */
/* Peers A and B dialling the node for real, per role. */
static WOLFSSL_CTX *dialer_ctx[2][2];
static int sender_fd[N_SENDERS];
static int tun_pair[2];			/* the node's TUN, and our end */
static struct datapath dp_template;
static char tmpdir[64] = "/tmp/podnet-fuzz-XXXXXX";
static uint8_t sendbuf[UDP_MAX + 64];

static struct node node;
/* The far ends' keys of the node's two sessions. */
static struct record_keys mirror[2];
/* Peer A or B dialling the node: a real DTLS handshake, whose replies
 * drain_senders() queues for it. */
#define DIALER_INDEX 0x77777777
#define DIALER_QUEUE 16
static struct {
	WOLFSSL *ssl;
	int k;
	uint32_t server_index;	/* learnt from the node's replies */
	struct run *run;
	size_t head, count;
	size_t len[DIALER_QUEUE];
	uint8_t buf[DIALER_QUEUE][2048];
} dialer;
/* The relay channels the rendezvous gave peers A and B, once it did. */
static uint32_t channel[2];
static unsigned long tun_packets;	/* written, for PODNET_FUZZ_DEBUG */

static void die(const char *what, const char *why)
{
	fprintf(stderr, "fuzz_dispatch: %s: %s\n", what, why);
	exit(1);
}

static void cleanup_tmpdir(void)
{
	static const char *files[] = { "ca.crt", "ca.key", "alpha.crt",
				       "alpha.key", "rv.crt", "rv.key",
				       "bravo.crt", "bravo.key" };
	char path[128];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, files[i]);
		unlink(path);
	}
	rmdir(tmpdir);
}

/* Our own network namespace with only loopback up: whatever the daemon
 * sends (punches to candidates, handshakes) stays inside it. */
static void private_network(void)
{
	char err[256];
	int lo;

	if (unshare(CLONE_NEWNET) && unshare(CLONE_NEWUSER | CLONE_NEWNET))
		die("cannot get a network namespace of its own (needs root or user namespaces)",
		    strerror(errno));
	lo = rtnl_link_index("lo");
	if (lo < 0 || rtnl_link_set(lo, 65536, true, err, sizeof(err)))
		die("cannot bring up lo", lo < 0 ? strerror(-lo) : err);
}

static void make_identity(const char *name, const char *vaddr)
{
	char crt[128], key[128], ca_crt[128], ca_key[128], err[256];
	struct in_addr a;

	snprintf(ca_crt, sizeof(ca_crt), "%s/ca.crt", tmpdir);
	snprintf(ca_key, sizeof(ca_key), "%s/ca.key", tmpdir);
	snprintf(crt, sizeof(crt), "%s/%s.crt", tmpdir, name);
	snprintf(key, sizeof(key), "%s/%s.key", tmpdir, name);
	inet_pton(AF_INET, vaddr, &a);
	if (cert_issue(ca_crt, ca_key, name, a, 30, crt, key, err,
		       sizeof(err)))
		die(name, err);
}

static void make_role(struct role *r, bool rendezvous)
{
	static struct node tmp;
	char text[2048], err[512];
	const char *me = rendezvous ? "rv" : "alpha";
	int len, force = 8 << 20;

	len = snprintf(text, sizeof(text),
		"[Interface]\nName = fz0\nAddress = %s/24\nListenPort = %d\n"
		"CA = %s/ca.crt\nCertificate = %s/%s.crt\nPrivateKey = %s/%s.key\n"
		"ControlSocket = %s/ctl.sock\nRendezvous = %s\nPunchSockets = 4\n"
		"PunchSprayPorts = 16\n%s",
		rendezvous ? "10.99.0.3" : "10.99.0.1",
		rendezvous ? RV_PORT : ALPHA_PORT, tmpdir, tmpdir, me, tmpdir,
		me, tmpdir, rendezvous ? "yes" : "no",
		rendezvous ? "" :
		"[Peer]\nName = bravo\nEndpoint = 127.0.0.2:5000\n"
		"[Peer]\nName = rv\nEndpoint = 127.0.0.3:5000\nRendezvous = yes\n");
	if (config_parse_buffer("fuzz.conf", text, (size_t)len, &r->cfg, err,
				sizeof(err)))
		die("config", err);
	if (cert_identity_from_file(r->cfg.cert_path, &r->identity, err,
				    sizeof(err)))
		die(r->cfg.cert_path, err);
	memset(&tmp, 0, sizeof(tmp));
	tmp.cfg = r->cfg;
	if (dtls_contexts_create(&tmp, err, sizeof(err)))
		die("dtls", err);
	if (udp_open(&tmp, err, sizeof(err)))
		die("udp", err);
	udp_enable_gro(&tmp);
	/* Root may grow the buffer past rmem_max: a batch of 64 KB
	 * datagrams then fits (below, the harness reads in time anyway). */
	setsockopt(tmp.udp_fd, SOL_SOCKET, SO_RCVBUFFORCE, &force,
		   sizeof(force));
	r->dtls = tmp.dtls;
	r->udp_fd = tmp.udp_fd;
	r->udp_family = tmp.udp_family;
	r->names[0] = rendezvous ? "alpha" : "bravo";
	r->names[1] = rendezvous ? "bravo" : "rv";
	inet_pton(AF_INET, rendezvous ? "10.99.0.1" : "10.99.0.2",
		  &r->vaddrs[0]);
	inet_pton(AF_INET, rendezvous ? "10.99.0.2" : "10.99.0.3",
		  &r->vaddrs[1]);
}

/* A DTLS client with peer NAME's certificate, as that peer's podnetd
 * would dial. */
static WOLFSSL_CTX *client_context(const char *name)
{
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfDTLSv1_2_client_method());
	char path[128];

	if (!ctx)
		die("wolfSSL", "CTX_new");
	snprintf(path, sizeof(path), "%s/ca.crt", tmpdir);
	wolfSSL_CTX_load_verify_locations(ctx, path, NULL);
	snprintf(path, sizeof(path), "%s/%s.crt", tmpdir, name);
	wolfSSL_CTX_use_certificate_file(ctx, path, WOLFSSL_FILETYPE_PEM);
	snprintf(path, sizeof(path), "%s/%s.key", tmpdir, name);
	if (wolfSSL_CTX_use_PrivateKey_file(ctx, path, WOLFSSL_FILETYPE_PEM) !=
	    WOLFSSL_SUCCESS)
		die(name, "cannot load the client certificate");
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
	wolfSSL_CTX_set_cipher_list(ctx, CONFIG_SUITE_CHACHA20);
	wolfSSL_CTX_UseSupportedCurve(ctx, WOLFSSL_ECC_X25519);
	return ctx;
}

#define FD_WATCH 256
static bool open_before[FD_WATCH];
/* Senders from which a record of session k authenticated, this input. */
static bool authenticated_from[2][N_SENDERS];

static bool fd_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char ca_crt[128], ca_key[128], err[256];
	int big = 4 << 20;

	seed_mode();
	log_init("fuzz_dispatch", getenv("PODNET_FUZZ_DEBUG") ?
		 LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR, false);
	private_network();
	wolfSSL_Init();
	if (!mkdtemp(tmpdir))
		die("mkdtemp", strerror(errno));
	atexit(cleanup_tmpdir);		/* should start-up fail */
	snprintf(ca_crt, sizeof(ca_crt), "%s/ca.crt", tmpdir);
	snprintf(ca_key, sizeof(ca_key), "%s/ca.key", tmpdir);
	if (cert_ca_create("fuzz-ca", 30, ca_crt, ca_key, err, sizeof(err)))
		die("ca", err);
	make_identity("alpha", "10.99.0.1");
	make_identity("rv", "10.99.0.3");
	make_identity("bravo", "10.99.0.2");
	make_role(&roles[0], false);
	make_role(&roles[1], true);
	for (int k = 0; k < 2; k++) {
		dialer_ctx[0][k] = client_context(roles[0].names[k]);
		dialer_ctx[1][k] = client_context(roles[1].names[k]);
	}
	/* Everything is loaded: a crash leaves no keys behind in /tmp. */
	cleanup_tmpdir();

	for (int i = 0; i < N_SENDERS; i++) {
		struct sockaddr_in sin = { .sin_family = AF_INET,
					   .sin_port = htons(senders[i].port) };

		inet_pton(AF_INET, senders[i].addr, &sin.sin_addr);
		sender_fd[i] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
		if (sender_fd[i] < 0 ||
		    bind(sender_fd[i], (struct sockaddr *)&sin, sizeof(sin)))
			die("sender socket", strerror(errno));
		setsockopt(sender_fd[i], SOL_SOCKET, SO_RCVBUFFORCE, &big,
			   sizeof(big));
	}
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, tun_pair))
		die("socketpair", strerror(errno));
	setsockopt(tun_pair[0], SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	setsockopt(tun_pair[1], SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	if (datapath_init(&dp_template))
		die("datapath", "out of memory");
	return 0;
}

static void fixed_key(uint8_t *key, uint8_t *iv, uint32_t index, int dir)
{
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(index >> (8 * (i & 3))) ^ (uint8_t)(dir + i);
	for (int i = 0; i < 12; i++)
		iv[i] = (uint8_t)(index + 3 * i + dir);
}

/* Session k of the node, established as a handshake would leave it:
 * far gets the far end's keys. */
static void establish(int k, struct record_keys *far)
{
	const struct role *r = &roles[node.cfg.rendezvous];
	struct session *s = calloc(1, sizeof(*s));
	struct in_addr key = { .s_addr = local_index[k] };
	uint8_t tk[32], tiv[12], rk[32], riv[12];
	enum record_aead aead = k ? RECORD_AES_GCM : RECORD_CHACHA20_POLY1305;
	struct cert_identity id;
	struct peer *peer;

	CHECK(s);
	s->node = &node;
	/* A node dials its peer (the smaller name) and its rendezvous; a
	 * rendezvous is dialled. */
	s->is_client = !node.cfg.rendezvous;
	s->created = s->established = node_now(&node);
	ev_init(&s->retransmit_timer, NULL);
	s->state = SESSION_ESTABLISHED;
	s->local_index = local_index[k];
	s->remote_index = remote_index[k];
	CHECK(!routing_insert(&node.sessions.by_index, key, s));
	s->next_all = node.sessions.all;
	if (s->next_all)
		s->next_all->pprev_all = &s->next_all;
	s->pprev_all = &node.sessions.all;
	node.sessions.all = s;
	s->path.fd = node.udp_fd;
	CHECK(!endpoint_parse(k ? "127.0.0.3:5000" : "127.0.0.2:5000",
			      &s->path.ep));
	fixed_key(tk, tiv, local_index[k], 0);
	fixed_key(rk, riv, local_index[k], 1);
	CHECK(!record_keys_init(&s->keys, aead, 1, tk, tiv, rk, riv, 32));
	CHECK(!record_keys_init(far, aead, 1, rk, riv, tk, tiv, 32));
	s->cipher = "fuzz";

	peer = peer_find_by_name(&node, r->names[k]);
	if (!peer)
		peer = peer_create(&node, r->names[k]);
	CHECK(peer);
	s->peer = peer;
	memset(&id, 0, sizeof(id));
	snprintf(id.name, sizeof(id.name), "%s", r->names[k]);
	id.has_vaddr = true;
	id.vaddr = r->vaddrs[k];
	id.not_after = time(NULL) + 86400;
	peer_session_established(peer, s, &id);
}

static void node_up(bool rendezvous)
{
	const struct role *r = &roles[rendezvous];
	char err[256];

	memset(&node, 0, sizeof(node));
	node.loop = ev_loop_new(EVBACKEND_POLL | EVFLAG_NOENV);
	CHECK(node.loop);
	node_clock_init(&node);
	node.cfg = r->cfg;
	node.identity = r->identity;
	node.dtls = r->dtls;
	node.udp_fd = r->udp_fd;
	node.udp_family = r->udp_family;
	node.control.fd = -1;
	node.rv.probe_fd = -1;
	node.dp = dp_template;
	node.dp.tun_fd = tun_pair[0];
	node.dp.tx->count = 0;
	node.dp.tx->n_jobs = 0;
	node.dp.tun->gro.count = 0;
	node.dp.tun->gro.len = 0;
	ev_io_init(&node.dp.tun_watcher, tun_read_cb, node.dp.tun_fd, EV_READ);
	node.dp.tun_watcher.data = &node;
	ev_io_init(&node.dp.udp_watcher, udp_read_cb, node.udp_fd, EV_READ);
	node.dp.udp_watcher.data = &node;
	CHECK(!routing_init(&node.routes));
	CHECK(!routing_init(&node.sessions.by_index));
	if (rendezvous_open(&node, err, sizeof(err)))
		die("rendezvous", err);
	/* As node_apply_peers() does for the configured peers (numeric
	 * endpoints: the fuzz config names no host). */
	for (size_t i = 0; i < node.cfg.n_peers; i++) {
		const struct config_peer *cp = &node.cfg.peers[i];
		struct peer *p = peer_create(&node, cp->name);

		CHECK(p);
		p->configured = true;
		p->config_endpoint = cp->endpoint.ep;
		p->nat.is_rendezvous = cp->rendezvous;
	}
}

/* As podnetd's node_cleanup(), but the sockets, contexts and buffers
 * stay for the next input. */
static void node_down(void)
{
	if (log_get_level() == LOG_LEVEL_DEBUG) {
		for (struct peer *p = node.peers; p; p = p->next)
			log_debug("peer %s: rx %llu packets, tx %llu, invalid %llu, bad source %llu",
				  p->name,
				  (unsigned long long)p->stats.rx_packets,
				  (unsigned long long)p->stats.tx_packets,
				  (unsigned long long)p->stats.drop_invalid,
				  (unsigned long long)p->stats.drop_bad_source);
		log_debug("tun: %lu packets written so far", tun_packets);
		log_debug("node: malformed %llu, unknown session %llu, handshakes rejected %llu, relay refused %llu, no route %llu, bad packet %llu",
			  (unsigned long long)node.stats.rx_malformed,
			  (unsigned long long)node.stats.rx_unknown_session,
			  (unsigned long long)node.stats.rx_handshake_rejected,
			  (unsigned long long)node.stats.rx_relay_refused,
			  (unsigned long long)node.stats.tx_no_route,
			  (unsigned long long)node.stats.tx_bad_packet);
	}
	while (node.peers)
		peer_destroy(node.peers);
	queue_node_free(&node);
	while (node.sessions.all)
		session_destroy(node.sessions.all);
	session_listener_free(&node);
	rendezvous_close(&node);
	routing_free(&node.routes);
	routing_free(&node.sessions.by_index);
	ev_loop_destroy(node.loop);
	node.loop = NULL;
}

struct run {
	size_t sent_unknown, got_unknown;	/* bytes, strangers */
	bool sealed;			/* the input had authenticated records */
	size_t pending;			/* bytes the node has not read yet */
};

/* An ICMP host unreachable of the node's own, answering a packet it read
 * from the TUN: it comes from the address that could not be reached, to
 * the packet's sender (tun.c), and quotes that packet. */
static bool own_unreachable(const uint8_t *pkt, size_t len)
{
	struct iphdr ip, quoted;

	if (len < sizeof(ip) + 8 + sizeof(quoted))
		return false;
	memcpy(&ip, pkt, sizeof(ip));
	memcpy(&quoted, pkt + sizeof(ip) + 8, sizeof(quoted));
	return ip.protocol == IPPROTO_ICMP && ip.ihl == 5 &&
	       pkt[sizeof(ip)] == ICMP_DEST_UNREACH &&
	       pkt[sizeof(ip) + 1] == ICMP_HOST_UNREACH &&
	       ip.saddr == quoted.daddr && ip.daddr == quoted.saddr;
}

static void drain_tun(void)
{
	static uint8_t buf[70000];
	const struct role *r = &roles[node.cfg.rendezvous];
	ssize_t n;

	while ((n = recv(tun_pair[1], buf, sizeof(buf), 0)) >= 0) {
		struct iphdr ip;

		CHECK((size_t)n >= TUN_VNET_HDR_LEN + sizeof(ip));
		memcpy(&ip, buf + TUN_VNET_HDR_LEN, sizeof(ip));
		CHECK(ip.version == 4);
		/* Cryptokey routing: only a peer's own address gets in. The
		 * node's own unreachables answer what it read from the TUN. */
		CHECK(ip.saddr == r->vaddrs[0].s_addr ||
		      ip.saddr == r->vaddrs[1].s_addr ||
		      own_unreachable(buf + TUN_VNET_HDR_LEN,
				      (size_t)n - TUN_VNET_HDR_LEN));
		tun_packets++;
	}
}

/*
 * A datagram the node sent to a peer: a data record under one of the
 * sessions opens with the far end's keys to a control message that
 * parses, or to an IP packet for that very peer's address (cryptokey
 * routing, outbound).
 */
static void check_sent(int to, const uint8_t *buf, size_t len)
{
	static uint8_t pt[70000];
	const struct role *r = &roles[node.cfg.rendezvous];
	struct wire_header h;
	struct rv_msg m;
	struct iphdr ip;
	bool relayed;
	int n;

	if (wire_parse(buf, len, &h) != WIRE_OK)
		return;
	/* A rendezvous's relay datagrams carry what others sealed; a
	 * node's carry its own records. */
	relayed = h.type == WIRE_TYPE_RELAY;
	if (relayed && (node.cfg.rendezvous ||
			wire_parse(h.payload, h.payload_len, &h) != WIRE_OK))
		return;
	if (h.type != WIRE_TYPE_DATA)
		return;
	for (int k = 0; k < 2; k++) {
		if (h.receiver_index != remote_index[k])
			continue;
		n = record_open(&mirror[k], h.payload, h.payload_len, pt,
				sizeof(pt));
		/* Sealed under our keys, never twice under one number. */
		CHECK(n > 0);
		/* A session's path moves only to where an authenticated
		 * record of it came from (issue 12, F1); relaying is the
		 * rendezvous's word. The one record that may go elsewhere is
		 * the ping that tries a punched candidate (traversal.c). */
		if (!relayed && !authenticated_from[k][to])
			CHECK(!rv_parse(pt, (size_t)n, &m) &&
			      m.type == RV_PING);
		if (pt[0] >> 4 == 4) {
			CHECK((size_t)n >= sizeof(ip));
			memcpy(&ip, pt, sizeof(ip));
			CHECK(ip.daddr == r->vaddrs[k].s_addr);
		} else if (n > 1 || pt[0] != RV_KEEPALIVE) {
			CHECK(!rv_parse(pt, (size_t)n, &m));
			/* A rendezvous's relay channel for peer k. */
			if (m.type == RV_CANDIDATES && m.relay_channel)
				channel[k] = m.relay_channel;
		}
	}
}

/* A handshake datagram for the dialer, kept for its next read. */
static void dialer_queue(int i, const uint8_t *buf, size_t len)
{
	struct wire_header h;
	size_t slot;

	if (!dialer.ssl || i != dialer.k ||
	    wire_parse(buf, len, &h) != WIRE_OK ||
	    h.type != WIRE_TYPE_HANDSHAKE || h.receiver_index != DIALER_INDEX ||
	    dialer.count == DIALER_QUEUE || h.payload_len > sizeof(dialer.buf[0]))
		return;
	if (h.sender_index)
		dialer.server_index = h.sender_index;
	slot = (dialer.head + dialer.count++) % DIALER_QUEUE;
	memcpy(dialer.buf[slot], h.payload, h.payload_len);
	dialer.len[slot] = h.payload_len;
}

static void drain_senders(struct run *run)
{
	static uint8_t buf[70000];

	for (int i = 0; i < N_SENDERS; i++) {
		ssize_t n;

		while ((n = recv(sender_fd[i], buf, sizeof(buf), 0)) >= 0) {
			if (i == SEND_STRANGER || i == SEND_A_MOVED) {
				run->got_unknown += (size_t)n;
				if (log_get_level() == LOG_LEVEL_DEBUG)
					log_debug("to a stranger: %zd bytes, type %u",
						  n, buf[0]);
			}
			check_sent(i, buf, (size_t)n);
			dialer_queue(i, buf, (size_t)n);
		}
	}
}

/* The node reads everything sent so far, as its watcher would. */
static void deliver(struct run *run)
{
	uint8_t b;

	for (int i = 0; i < 64; i++) {
		if (recv(node.udp_fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) < 0)
			break;
		udp_read_cb(node.loop, &node.dp.udp_watcher, EV_READ);
		drain_tun();
	}
	drain_senders(run);
	run->pending = 0;
}

static void send_datagram(struct run *run, int from, const uint8_t *buf,
			  size_t len, uint16_t gso)
{
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(node.cfg.listen_port),
				  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct iovec iov = { (void *)buf, len };
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = { .msg_name = &to, .msg_namelen = sizeof(to),
			      .msg_iov = &iov, .msg_iovlen = 1 };

	if (gso) {
		struct cmsghdr *cm;

		memset(&control, 0, sizeof(control));
		msg.msg_control = control.buf;
		msg.msg_controllen = sizeof(control.buf);
		cm = CMSG_FIRSTHDR(&msg);
		cm->cmsg_level = SOL_UDP;
		cm->cmsg_type = UDP_SEGMENT;
		cm->cmsg_len = CMSG_LEN(sizeof(gso));
		memcpy(CMSG_DATA(cm), &gso, sizeof(gso));
	}
	/* The node's socket buffer is finite: let it read in time. */
	if (run->pending + len > (512 << 10))
		deliver(run);
	if (sendmsg(sender_fd[from], &msg, 0) < 0)
		return;		/* e.g. a GSO size the kernel refuses */
	run->pending += len;
	if (from == SEND_STRANGER || from == SEND_A_MOVED)
		run->sent_unknown += len;
}

/* The fuzzer's plaintext as a data record of session k, as the peer at
 * the far end would seal it. Returns the datagram's length, or 0. */
static size_t seal(int k, bool relayed,
		   const uint8_t *pt, size_t len, uint8_t *out)
{
	size_t off = 0;
	int n;

	if (relayed) {
		uint32_t channel = 0;

		if (len < 4)
			return 0;
		memcpy(&channel, pt, 4);
		pt += 4;
		len -= 4;
		wire_put_header(out, WIRE_TYPE_RELAY, channel, 0);
		off = WIRE_HEADER_LEN;
	}
	if (off + WIRE_HEADER_LEN + RECORD_OVERHEAD + len > UDP_MAX)
		len = UDP_MAX - off - WIRE_HEADER_LEN - RECORD_OVERHEAD;
	wire_put_header(out + off, WIRE_TYPE_DATA, local_index[k], 0);
	off += WIRE_HEADER_LEN;
	n = record_seal(&mirror[k], pt, len, out + off, UDP_MAX - off);
	return n < 0 ? 0 : off + (size_t)n;
}

static int dialer_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	static uint8_t out[WIRE_HANDSHAKE_HEADER_LEN + 4096];
	size_t n = wire_put_header(out, WIRE_TYPE_HANDSHAKE,
				   dialer.server_index, DIALER_INDEX);

	if (sz <= 0 || (size_t)sz > sizeof(out) - n)
		return WOLFSSL_CBIO_ERR_GENERAL;
	memcpy(out + n, buf, (size_t)sz);
	send_datagram(dialer.run, dialer.k, out, n + (size_t)sz, 0);
	return sz;
}

static int dialer_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	size_t n;

	if (!dialer.count)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	n = dialer.len[dialer.head];
	if (n > (size_t)sz)
		n = (size_t)sz;
	memcpy(buf, dialer.buf[dialer.head], n);
	dialer.head = (dialer.head + 1) % DIALER_QUEUE;
	dialer.count--;
	return (int)n;
}

/* Peer k dials the node and completes a real handshake (a rekey, as the
 * node already has a session with it), unless the input's datagrams in
 * between get in the way. */
static void dial(struct run *run, int k)
{
	WOLFSSL *ssl = wolfSSL_new(dialer_ctx[node.cfg.rendezvous][k]);

	if (!ssl)
		return;
	memset(&dialer, 0, sizeof(dialer));
	dialer.ssl = ssl;
	dialer.k = k;
	dialer.run = run;
	wolfSSL_SSLSetIORecv(ssl, dialer_recv);
	wolfSSL_SSLSetIOSend(ssl, dialer_send);
	wolfSSL_dtls_set_using_nonblock(ssl, 1);
	for (int round = 0; round < 8; round++) {
		int ret = wolfSSL_connect(ssl), err;

		if (ret == WOLFSSL_SUCCESS)
			break;
		err = wolfSSL_get_error(ssl, ret);
		if (err != WOLFSSL_ERROR_WANT_READ &&
		    err != WOLFSSL_ERROR_WANT_WRITE)
			break;
		deliver(run);
	}
	deliver(run);
	dialer.ssl = NULL;
	wolfSSL_free(ssl);
}

static void housekeeping(void)
{
	ev_tstamp now = node_now(&node);
	struct peer *p, *next;

	for (p = node.peers; p; p = next) {
		next = p->next;
		peer_housekeeping(p, now);
	}
	traversal_housekeeping(&node, now);
	queue_housekeeping(&node, now);
	udp_flush(&node);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run run = { 0 };
	size_t off = 1;

	if (!size)
		return 0;
	/* libFuzzer itself may open descriptors between inputs. */
	for (int fd = 0; fd < FD_WATCH; fd++)
		open_before[fd] = fd_open(fd);
	channel[0] = channel[1] = 0;
	memset(authenticated_from, 0, sizeof(authenticated_from));
	authenticated_from[0][SEND_A] = authenticated_from[1][SEND_B] = true;
	node_up(data[0] & 1);
	establish(0, &mirror[0]);
	establish(1, &mirror[1]);
	udp_flush(&node);
	drain_senders(&run);
	drain_tun();

	for (int ops = 0; ops < MAX_OPS && off + 3 <= size; ops++) {
		uint8_t op = data[off];
		size_t len = data[off + 1] | (size_t)data[off + 2] << 8;
		const uint8_t *chunk = data + off + 3;
		int from = op & 3, mode = (op >> 2) & 3;
		uint16_t gso = 0;
		const uint8_t *dgram = chunk;
		struct wire_header hdr;

		off += 3;
		if (len > size - off)
			len = size - off;
		off += len;
		if ((op & 0x20) && len >= 2) {
			gso = (uint16_t)(chunk[0] | chunk[1] << 8);
			chunk += 2;
			len -= 2;
			dgram = chunk;
		}
		if ((op >> 6) == 3 && (mode == SEAL_A || mode == SEAL_B)) {
			dial(&run, mode == SEAL_B);
			continue;
		}
		if ((op >> 6) == 3) {
			/* A TUN read: what the local stack sends to a peer. */
			if (len && send(tun_pair[1], chunk, len, 0) == (ssize_t)len)
				tun_read_cb(node.loop, &node.dp.tun_watcher,
					    EV_READ);
			deliver(&run);
			continue;
		}
		if (mode == RAW && len >= WIRE_HEADER_LEN && len <= UDP_MAX &&
		    from < 2 &&
		    chunk[0] == WIRE_TYPE_RELAY && channel[from] &&
		    wire_parse(chunk, len, &hdr) == WIRE_OK &&
		    !hdr.receiver_index) {
			/* Channel 0 from A or B: the one the rendezvous gave
			 * it (random, so the fuzzer cannot know it). */
			memcpy(sendbuf, chunk, len);
			wire_put_header(sendbuf, WIRE_TYPE_RELAY, channel[from],
					hdr.sender_index);
			dgram = sendbuf;
		}
		if (mode != RAW) {
			len = seal(mode == SEAL_B, mode == SEAL_A_RELAYED,
				   chunk, len, sendbuf);
			if (!len)
				continue;
			dgram = sendbuf;
			run.sealed = true;
			authenticated_from[mode == SEAL_B][from] = true;
		}
		if (len > UDP_MAX)
			len = UDP_MAX;
		if (len) {
			send_datagram(&run, from, dgram, len, gso);
			if ((op >> 6) == 1)
				send_datagram(&run, from, dgram, len, gso);
		}
		if (op & 0x10)
			deliver(&run);
		if ((op >> 6) == 2) {
			deliver(&run);
			housekeeping();
			drain_senders(&run);
		}
	}
	deliver(&run);
	log_debug("strangers sent %zu bytes, got %zu", run.sent_unknown,
		  run.got_unknown);
	/* Unauthenticated bytes never buy a larger answer. */
	if (!run.sealed)
		CHECK(run.got_unknown <= run.sent_unknown);

	node_down();
	drain_senders(&run);	/* what the node sent as it ended */
	record_keys_wipe(&mirror[0]);
	record_keys_wipe(&mirror[1]);
	{
		uint8_t b[1];

		while (recv(roles[0].udp_fd, b, 1, 0) >= 0)
			;
		while (recv(roles[1].udp_fd, b, 1, 0) >= 0)
			;
	}
	/* Every socket the node opened (punches, probes) is closed. */
	for (int fd = 0; fd < FD_WATCH; fd++)
		CHECK(fd_open(fd) == open_before[fd]);
	return 0;
}

/* Seeds: one input per thing the daemon receives, and full-size ones. */
static uint8_t seed[300000];
static size_t seed_len;

static void put(uint8_t op, const void *buf, size_t len)
{
	seed[seed_len++] = op;
	seed[seed_len++] = (uint8_t)len;
	seed[seed_len++] = (uint8_t)(len >> 8);
	memcpy(seed + seed_len, buf, len);
	seed_len += len;
}

static void begin(uint8_t role)
{
	seed_len = 0;
	seed[seed_len++] = role;
}

static void put_rv(uint8_t op, const struct rv_msg *m)
{
	uint8_t buf[600];
	size_t n = rv_build(m, buf, sizeof(buf));

	if (n)
		put(op, buf, n);
}

/* An IPv4 packet from src to dst, len bytes in all. */
static size_t ipv4(uint8_t *buf, const char *src, const char *dst,
		   uint8_t proto, size_t len)
{
	struct iphdr ip = { 0 };

	memset(buf, 0, len);
	ip.version = 4;
	ip.ihl = 5;
	ip.ttl = 64;
	ip.protocol = proto;
	ip.tot_len = htons((uint16_t)len);
	inet_pton(AF_INET, src, &ip.saddr);
	inet_pton(AF_INET, dst, &ip.daddr);
	ip.check = csum_inet(&ip, 20);
	memcpy(buf, &ip, sizeof(ip));
	return len;
}

/* An IPv6 packet of len bytes (40 of header) with next header nh. */
static size_t ipv6(uint8_t *buf, const char *src, const char *dst,
		   uint8_t nh, size_t len)
{
	memset(buf, 0, len);
	buf[0] = 0x60;
	buf[4] = (uint8_t)((len - 40) >> 8);
	buf[5] = (uint8_t)(len - 40);
	buf[6] = nh;
	buf[7] = 64;
	inet_pton(AF_INET6, src, buf + 8);
	inet_pton(AF_INET6, dst, buf + 24);
	return len;
}

/* A TCP segment of one flow, payload bytes after sequence seq. */
static size_t tcp(uint8_t *buf, const char *src, const char *dst,
		  uint32_t seq, size_t payload)
{
	size_t len = ipv4(buf, src, dst, IPPROTO_TCP, 40 + payload);

	buf[20] = 0x9c;		/* ports 40000 -> 5201 */
	buf[21] = 0x40;
	buf[22] = 0x14;
	buf[23] = 0x51;
	seq = htonl(seq);
	memcpy(buf + 24, &seq, 4);
	buf[32] = 0x50;		/* 20-byte header */
	buf[33] = TH_ACK;
	buf[34] = 0xff;
	for (size_t i = 0; i < payload; i++)
		buf[40 + i] = (uint8_t)i;
	return len;
}

/* A pure ACK of that flow's other direction with timestamps, ack number
 * ack, TCP flags flags (TH_ACK, or more for one that must go through). */
static size_t pure_ack(uint8_t *buf, uint32_t ack, uint8_t flags)
{
	size_t len = ipv4(buf, "10.99.0.2", "10.99.0.1", IPPROTO_TCP, 52);

	memset(buf + 20, 0, 32);
	buf[20] = 0x14;		/* ports 5201 -> 40000 */
	buf[21] = 0x51;
	buf[22] = 0x9c;
	buf[23] = 0x40;
	ack = htonl(ack);
	memcpy(buf + 28, &ack, 4);
	buf[32] = 0x80;		/* 32-byte header */
	buf[33] = flags;
	buf[34] = 0xff;
	memcpy(buf + 40, "\x01\x01\x08\x0a\0\0\x10\0\0\0\x20\0", 12);
	return len;
}

static void write_seeds(void)
{
	static uint8_t pkt[70000];
	struct rv_msg m;
	uint8_t hdr[1024];
	size_t n;

	/* alpha: a ping from bravo, a keepalive, one from a forged source. */
	begin(0);
	put(SEAL_A << 2, pkt, ipv4(pkt, "10.99.0.2", "10.99.0.1", IPPROTO_ICMP, 84));
	put(SEAL_A << 2, "\0", 1);
	put(SEAL_A << 2 | 0x10, pkt, ipv4(pkt, "10.99.0.9", "10.99.0.1", IPPROTO_ICMP, 84));
	put(SEAL_A << 2 | 0x40, pkt, ipv4(pkt, "10.99.0.2", "10.99.0.1", IPPROTO_UDP, 200));
	seed_write("alpha-data", seed, seed_len);

	/* alpha: what its rendezvous says in the session. */
	begin(0);
	memset(&m, 0, sizeof(m));
	m.type = RV_REGISTER_ACK;
	m.nat_type = NAT_CONE;
	m.probe_port = 5001;
	endpoint_parse("198.51.100.1:51820", &m.cands[0]);
	m.n_cands = 1;
	put_rv(SEAL_B << 2 | SEND_B, &m);
	memset(&m, 0, sizeof(m));
	m.type = RV_BOOT;
	m.boot_id = 42;
	put_rv(SEAL_B << 2 | SEND_B, &m);
	memset(&m, 0, sizeof(m));
	m.type = RV_RELAY_LIMIT;
	m.relay_limit = 100;
	put_rv(SEAL_B << 2 | SEND_B, &m);
	memset(&m, 0, sizeof(m));
	m.type = RV_CANDIDATES;
	m.nat_type = NAT_SYMMETRIC;
	snprintf(m.name, sizeof(m.name), "bravo");
	inet_pton(AF_INET, "10.99.0.2", &m.vaddr);
	memset(m.token, 0x5a, sizeof(m.token));
	m.relay_channel = 0x01020304;
	endpoint_parse("198.51.100.2:5000", &m.cands[0]);
	endpoint_parse("198.51.100.2:5001", &m.cands[1]);
	m.n_cands = 2;
	put_rv(SEAL_B << 2 | SEND_B | 0x10, &m);
	/* The punch answer with that token (candidates are never loopback
	 * addresses, the punch answer may come from anywhere), then a ping
	 * through the relay. */
	wire_build_punch(hdr, m.token, WIRE_PUNCH_ANSWER);
	put(SEND_A_MOVED | 0x10, hdr, WIRE_PUNCH_LEN);
	pkt[0] = 4;
	pkt[1] = 3;
	pkt[2] = 2;
	pkt[3] = 1;
	ipv4(pkt + 4, "10.99.0.2", "10.99.0.1", IPPROTO_ICMP, 84);
	put(SEAL_A_RELAYED << 2 | SEND_B, pkt, 88);
	memset(&m, 0, sizeof(m));
	m.type = RV_NOT_FOUND;
	snprintf(m.name, sizeof(m.name), "charlie");
	put_rv(SEAL_B << 2 | SEND_B, &m);
	memset(&m, 0, sizeof(m));
	m.type = RV_PING;
	m.ping_id = 7;
	put_rv(SEAL_A << 2 | 0x80, &m);
	seed_write("alpha-control", seed, seed_len);

	/* alpha: everything unauthenticated, once. */
	begin(0);
	n = wire_put_header(hdr, WIRE_TYPE_SESSION_REQUEST, 0, 0);
	memset(hdr + n, 0, WIRE_SESSION_REQUEST_LEN - n);
	put(SEND_A, hdr, WIRE_SESSION_REQUEST_LEN);
	n = wire_put_header(hdr, WIRE_TYPE_DATA, 0x12345678, 0);
	memset(hdr + n, 0x17, 40);
	put(SEND_A, hdr, n + 40);
	put(SEND_STRANGER, hdr, n + 40);
	n = wire_put_header(hdr, WIRE_TYPE_NOTICE, local_index[1], 0);
	memset(hdr + n, 0, WIRE_NOTICE_LEN - n);
	hdr[n] = WIRE_NOTICE_UNKNOWN_SESSION;
	put(SEND_B, hdr, WIRE_NOTICE_LEN);
	n = wire_put_header(hdr, WIRE_TYPE_NAT_PROBE, 0, 0);
	memset(hdr + n, 0, WIRE_NAT_PROBE_LEN - n);
	put(SEND_B, hdr, WIRE_NAT_PROBE_LEN);
	/* A ClientHello's first bytes from a stranger, and under A's index. */
	n = wire_put_header(hdr, WIRE_TYPE_HANDSHAKE, 0, 0x99999999);
	memcpy(hdr + n, "\x16\xfe\xfd\0\0\0\0\0\0\0\0\0\x30\x01\0\0\x24\0\0\0\0\0\0\0\x24"
	       "\xfe\xfd", 27);
	memset(hdr + n + 27, 0, 32);
	put(SEND_STRANGER | 0x10, hdr, n + 59);
	n = wire_put_header(hdr, WIRE_TYPE_HANDSHAKE, local_index[0], 0x99999999);
	memcpy(hdr + n, "\x16\xfe\xfd\0\0\0\0\0\0\0\0\0\x30\x01\0\0\x24\0\0\0\0\0\0\0\x24"
	       "\xfe\xfd", 27);
	put(SEND_A, hdr, n + 59);
	/* Three datagrams in one GSO send: a GRO super-datagram. */
	pkt[0] = 64;
	pkt[1] = 0;
	n = wire_put_header(pkt + 2, WIRE_TYPE_DATA, local_index[0], 0);
	memset(pkt + 2 + n, 0x17, 64 - n);
	memcpy(pkt + 66, pkt + 2, 64);
	memcpy(pkt + 130, pkt + 2, 40);
	put(0x20 | SEND_A | 0x10, pkt, 170);
	seed_write("alpha-unauthenticated", seed, seed_len);

	/* alpha: a TCP flow whose segments coalesce, and a 64 KB packet. */
	begin(0);
	for (int i = 0; i < 8; i++)
		put(SEAL_A << 2, pkt, tcp(pkt, "10.99.0.2", "10.99.0.1",
					  1000 + 1400u * i, 1400));
	put(SEAL_A << 2 | 0x10, pkt, tcp(pkt, "10.99.0.2", "10.99.0.1",
					 1000 + 1400u * 8, 100));
	put(SEAL_A << 2, pkt, tcp(pkt, "10.99.0.2", "10.99.0.1", 5, 65400));
	seed_write("alpha-tcp-64k", seed, seed_len);

	/* alpha: a batch of ACKs, of which thinning drops the first two,
	 * then a duplicate, one with ECE and one with a new number again. */
	begin(0);
	put(SEAL_A << 2, pkt, pure_ack(pkt, 1000, TH_ACK));
	put(SEAL_A << 2, pkt, pure_ack(pkt, 2000, TH_ACK));
	put(SEAL_A << 2, pkt, pure_ack(pkt, 3000, TH_ACK));
	put(SEAL_A << 2, pkt, pure_ack(pkt, 3000, TH_ACK));
	put(SEAL_A << 2, pkt, pure_ack(pkt, 4000, TH_ACK | 0x40));
	put(SEAL_A << 2 | 0x10, pkt, pure_ack(pkt, 5000, TH_ACK));
	seed_write("alpha-acks", seed, seed_len);

	/* alpha: what its stack sends: to bravo, to nobody, a 64 KB TSO
	 * super-packet to bravo. */
	begin(0);
	memset(pkt, 0, 10);
	ipv4(pkt + 10, "10.99.0.1", "10.99.0.2", IPPROTO_ICMP, 84);
	put(0xc0, pkt, 94);
	ipv4(pkt + 10, "10.99.0.1", "10.99.0.7", IPPROTO_ICMP, 84);
	put(0xc0, pkt, 94);
	ipv4(pkt + 10, "10.99.0.1", "10.99.0.3", IPPROTO_UDP, 1400);
	put(0xc0, pkt, 1410);
	/* 64 KB in all: the most one length field says. */
	tcp(pkt + 10, "10.99.0.1", "10.99.0.2", 1, 65535 - 10 - 40);
	pkt[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	pkt[1] = VIRTIO_NET_HDR_GSO_TCPV4;
	pkt[2] = 40;		/* hdr_len */
	pkt[4] = 0xa8;		/* gso_size 1448 */
	pkt[5] = 0x05;
	pkt[6] = 20;		/* csum_start */
	pkt[8] = 16;		/* csum_offset */
	put(0xc0, pkt, 65535);
	seed_write("alpha-tun", seed, seed_len);

	/* alpha: inner IPv6, which no peer's certificate here holds: from
	 * bravo (a family it has no address for), and from alpha's stack
	 * (no route, an MLD report to ff02::16, a GSO_TCPV6 super-packet). */
	begin(0);
	put(SEAL_A << 2, pkt, ipv6(pkt, "fd99::2", "fd99::1", IPPROTO_ICMPV6, 104));
	put(SEAL_A << 2 | 0x10, pkt, ipv6(pkt, "fd99::2", "fd99::1", IPPROTO_TCP, 1280));
	memset(pkt, 0, 10);
	ipv6(pkt + 10, "fd99::1", "fd99::2", IPPROTO_ICMPV6, 104);
	put(0xc0, pkt, 114);
	ipv6(pkt + 10, "fe80::1", "ff02::16", 0, 76);
	put(0xc0, pkt, 86);
	ipv6(pkt + 10, "fd99::1", "fd99::2", IPPROTO_TCP, 9000);
	pkt[10 + 52] = 0x50;	/* 20-byte TCP header */
	pkt[10 + 53] = TH_ACK;
	pkt[0] = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	pkt[1] = VIRTIO_NET_HDR_GSO_TCPV6;
	pkt[2] = 60;		/* hdr_len */
	pkt[4] = 0x94;		/* gso_size 1428 */
	pkt[5] = 0x05;
	pkt[6] = 40;		/* csum_start */
	pkt[8] = 16;		/* csum_offset */
	put(0xc0, pkt, 9010);
	seed_write("alpha-ipv6", seed, seed_len);

	/* Issue 12's F1: bravo's session runs through the relay (its first
	 * record came that way), the rendezvous hands out a punch token, and
	 * one unauthenticated punch answer from a stranger with it moves the
	 * session there. The path check fails on it without F1's fix. */
	begin(0);
	pkt[0] = 4;
	pkt[1] = 3;
	pkt[2] = 2;
	pkt[3] = 1;
	ipv4(pkt + 4, "10.99.0.2", "10.99.0.1", IPPROTO_ICMP, 84);
	put(SEAL_A_RELAYED << 2 | SEND_B | 0x10, pkt, 88);
	memset(&m, 0, sizeof(m));
	m.type = RV_CANDIDATES;
	m.nat_type = NAT_CONE;
	snprintf(m.name, sizeof(m.name), "bravo");
	inet_pton(AF_INET, "10.99.0.2", &m.vaddr);
	memset(m.token, 0xa5, sizeof(m.token));
	m.relay_channel = 0x04030201;
	endpoint_parse("198.51.100.2:5000", &m.cands[0]);
	m.n_cands = 1;
	put_rv(SEAL_B << 2 | SEND_B | 0x10, &m);
	wire_build_punch(hdr, m.token, WIRE_PUNCH_ANSWER);
	put(SEND_STRANGER | 0x10, hdr, WIRE_PUNCH_LEN);
	memset(pkt, 0, 10);
	ipv4(pkt + 10, "10.99.0.1", "10.99.0.2", IPPROTO_ICMP, 84);
	put(0xc0, pkt, 94);
	seed_write("f1-punch-moves-path", seed, seed_len);

	/* Found by this target: a truncated record from a stranger made
	 * the listener answer with a larger alert. */
	begin(0);
	n = wire_put_header(hdr, WIRE_TYPE_HANDSHAKE, 0, DIALER_INDEX);
	memcpy(hdr + n, "\x16\xfe\xfd\0\0\0\0\0\0\xff\xff\xff\xff\xff", 14);
	put(SEND_STRANGER | 0x10, hdr, n + 14);
	seed_write("regress-listener-alert", seed, seed_len);

	/* Both peers dial, in both roles; a stray handshake datagram
	 * under the index of the first. */
	for (uint8_t role = 0; role < 2; role++) {
		begin(role);
		put(0xc0 | SEAL_A << 2, "", 0);
		n = wire_put_header(hdr, WIRE_TYPE_HANDSHAKE, 0, DIALER_INDEX);
		memcpy(hdr + n, "\x16\xfe\xfd\0\0\0\0\0\0\0\x05\0\x01\x01", 14);
		put(SEND_STRANGER | 0x10, hdr, n + 14);
		put(0xc0 | SEAL_B << 2, "", 0);
		seed_write(role ? "rv-dialled" : "alpha-dialled", seed, seed_len);
	}

	/* alpha: a 64 KB datagram of garbage from the stranger. */
	begin(0);
	n = wire_put_header(pkt, WIRE_TYPE_RELAY, 1, 0);
	memset(pkt + n, 0xee, UDP_MAX - n);
	put(SEND_STRANGER, pkt, UDP_MAX);
	put(SEND_B, pkt, UDP_MAX);
	seed_write("alpha-64k-raw", seed, seed_len);

	/* The rendezvous: registrations, a lookup, a relay, a probe. */
	begin(1);
	memset(&m, 0, sizeof(m));
	m.type = RV_REGISTER;
	m.nat_type = NAT_CONE;
	endpoint_parse("192.168.1.2:51820", &m.cands[0]);
	m.n_cands = 1;
	put_rv(SEAL_A << 2, &m);
	put_rv(SEAL_B << 2 | SEND_B, &m);
	memset(&m, 0, sizeof(m));
	m.type = RV_LOOKUP;
	snprintf(m.name, sizeof(m.name), "bravo");
	put_rv(SEAL_A << 2, &m);
	memset(&m, 0, sizeof(m));
	m.type = RV_LOOKUP;
	m.by_vaddr = true;
	inet_pton(AF_INET, "10.99.0.2", &m.vaddr);
	put_rv(SEAL_A << 2 | 0x10, &m);
	n = wire_put_header(pkt, WIRE_TYPE_RELAY, 0, 0);
	n += wire_put_header(pkt + n, WIRE_TYPE_DATA, remote_index[1], 0);
	memset(pkt + n, 0x17, 100);
	put(SEND_A, pkt, n + 100);
	put(SEND_B, pkt, n + 100);
	n = wire_put_header(hdr, WIRE_TYPE_NAT_PROBE, 0, 0);
	memset(hdr + n, 0, WIRE_NAT_PROBE_LEN - n);
	put(SEND_STRANGER, hdr, WIRE_NAT_PROBE_LEN);
	n = wire_put_header(hdr, WIRE_TYPE_DATA, 0x12345678, 0);
	memset(hdr + n, 0x17, 40);
	put(SEND_STRANGER | 0x80, hdr, n + 40);
	seed_write("rv-control", seed, seed_len);
}
