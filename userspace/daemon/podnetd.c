// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * podnetd: creates the TUN interface, runs DTLS sessions to peers over one
 * UDP socket, and carries IP packets between the two.
 */
#include "node.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "cpu_check.h"
#include "datapath.h"
#include "dtls.h"
#include "dtls_error.h"
#include "kernel.h"
#include "link.h"
#include "log.h"
#include "peer.h"
#include "preflight.h"
#include "publish.h"
#include "reload.h"
#include "rendezvous.h"
#include "resolve.h"
#include "rtnl.h"
#include "session.h"
#include "traversal.h"
#include "tun.h"
#include "version.h"
#include "expiry.h"

#define HOUSEKEEPING_INTERVAL 1.0

static void usage(FILE *f, const char *prog)
{
	fprintf(f, "Usage: %s [--daemon] [--pidfile FILE] [--log-level LEVEL] CONFIG\n"
		"       %s --check CONFIG\n"
		"       %s --version\n\n"
		"  --daemon           detach once the interface is up; log to syslog\n"
		"  --pidfile FILE     write the daemon's pid to FILE\n"
		"  --log-level LEVEL  error, warn, info or debug (overrides LogLevel)\n"
		"  --check            check all a start would (configuration, certificates,\n"
		"                     key, privileges, TUN device, ports) and exit\n"
		"  --version          print podnetd's version and exit\n",
		prog, prog, prog);
}

static int interface_up(struct node *node, char *err, size_t errlen)
{
	char name[IFNAMSIZ];
	int fd;

	if (node->cfg.datapath == CONFIG_DATAPATH_KERNEL ||
	    (node->cfg.datapath == CONFIG_DATAPATH_AUTO && kernel_available())) {
		if (kernel_open(node, err, errlen))
			return -1;
		snprintf(name, sizeof(name), "%s", node->cfg.ifname);
		goto configure;
	}
	/* A persistent TUN the user made (ip tuntap add) is theirs. */
	node->link.adopted = rtnl_link_index(node->cfg.ifname) > 0;
	fd = tun_open(node->cfg.ifname, name, sizeof(name),
		      &node->dp.tun_offload);
	if (fd == -EBUSY) {
		snprintf(err, errlen, "%s: the TUN device is attached to another program (a podnetd with another ControlSocket?): stop it, or set another Name in %s",
			 node->cfg.ifname, node->cfg.path);
		return -1;
	}
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create TUN device: %s",
			 node->cfg.ifname, strerror(-fd));
		return -1;
	}
	node->dp.tun_fd = fd;
	node->ifindex = rtnl_link_index(name);
	if (node->ifindex < 0) {
		snprintf(err, errlen, "%s: %s", name, strerror(-node->ifindex));
		return -1;
	}
configure:
	return link_configure(node, err, errlen);
}

static void interface_down(struct node *node)
{
	char why[256];

	/* A link the user made stays, as it was before us. */
	link_release(node);
	if (node->ifindex > 0 && !node->link.adopted &&
	    rtnl_link_delete(node->ifindex, why, sizeof(why)))
		log_warn("%s: cannot delete the interface: %s",
			 node->cfg.ifname, why);
	node->ifindex = 0;
	kernel_close(node);
	if (node->dp.tun_fd >= 0)
		close(node->dp.tun_fd);
	node->dp.tun_fd = -1;
}

static void reload(struct node *node)
{
	char err[512];

	if (node_reload(node, node->cfg.path, false, err, sizeof(err)))
		log_err("reload failed, keeping the running configuration: %s",
			err);
}

static void signal_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct node *node = w->data;

	if (w->signum == SIGHUP) {
		log_info("SIGHUP: reloading the configuration");
		reload(node);
		/* Names are resolved again, resolv.conf read again. */
		resolve_reload(node);
		return;
	}
	log_info("%s: shutting down", strsignal(w->signum));
	ev_break(loop, EVBREAK_ALL);
}

static void housekeeping_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct node *node = w->data;
	ev_tstamp now = node_now(node);
	struct peer *p, *next;

	/* With podnet.ko no read tells us that the interface was deleted
	 * (a TUN read does): look for it. */
	if (node->ifindex > 0) {
		char name[IF_NAMESIZE];

		if (!if_indextoname((unsigned int)node->ifindex, name) &&
		    errno == ENXIO) {
			tun_interface_gone(node, "deleted");
			return;
		}
	}
	log_ratelimit_flush(log_clock());
	/* Once a day while the certificate expires within 30 days. */
	cert_expiry_log(node->identity.not_after, node->cfg.cert_path,
			time(NULL));
	/* With podnet.ko the counters and last-heard times live there. */
	kernel_stats_sync(node);
	for (p = node->peers; p; p = next) {
		next = p->next;
		/* Peers we only learnt of are forgotten after a long silence;
		 * configured ones and rendezvous nodes stay. */
		if (peer_learned_expired(p, now)) {
			log_info("peer %s: idle for %u s, forgotten", p->name,
				 node->cfg.learned_peer_idle);
			node->stats.learned_peers_expired++;
			peer_destroy(p);
			continue;
		}
		peer_housekeeping(p, now);
	}
	/* Subnets of the peers forgotten above, or removed by a reload. */
	peer_subnets_retry(node);
	/* Forwarding switched on or off since: the GSO cap follows. */
	link_fit_gso(node);
	traversal_housekeeping(node, now);
	rendezvous_housekeeping(node, now);
	queue_housekeeping(node, now);
	resolve_housekeeping(node, now);
	publish_housekeeping(node);
	/* Handshakes borrow ~77 KB each from the heap; give the pages back
	 * once they are done, so an idle node's RSS is what it holds. */
	if (node->heap_trim) {
		malloc_trim(0);
		node->heap_trim = false;
	}
}

/* Threads = auto: one per core, at most 4 (the batches are too short to
 * keep more busy). */
static unsigned int crypto_threads(const struct config *cfg)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (cfg->threads)
		return cfg->threads;
	if (cpus < 1)
		return 1;
	return cpus > 4 ? 4 : (unsigned int)cpus;
}

static void node_cleanup(struct node *node)
{
	while (node->peers)
		peer_destroy(node->peers);
	queue_node_free(node);
	while (node->sessions.all)
		session_destroy(node->sessions.all);
	session_listener_free(node);
	dtls_contexts_free(node);
	transport_close(node);
	publish_close(node);
	rendezvous_close(node);
	resolve_close(node);
	control_close(node);
	dns_close(node);
	interface_down(node);
	udp_close(node);
	routing_free(&node->routes);
	routing6_free(&node->routes6);
	routing_free(&node->sessions.by_index);
	config_free(&node->cfg);
	if (node->crypto_running)
		crypto_pool_stop(&node->crypto);
	/* Last: ending sessions seal what the data path still queues. */
	datapath_free(&node->dp);
}

static void start_watchers(struct node *node)
{
	struct ev_loop *loop = node->loop;

	if (node->kernel.running) {
		ev_io_init(&node->kernel.watcher, kernel_events_cb,
			   genl_fd(&node->kernel.events), EV_READ);
		node->kernel.watcher.data = node;
		ev_io_start(loop, &node->kernel.watcher);
	}
	datapath_start(node);
	ev_timer_init(&node->housekeeping_timer, housekeeping_cb,
		      HOUSEKEEPING_INTERVAL, HOUSEKEEPING_INTERVAL);
	node->housekeeping_timer.data = node;
	ev_timer_start(loop, &node->housekeeping_timer);
	ev_signal_init(&node->sigterm_watcher, signal_cb, SIGTERM);
	ev_signal_init(&node->sigint_watcher, signal_cb, SIGINT);
	ev_signal_init(&node->sighup_watcher, signal_cb, SIGHUP);
	node->sigterm_watcher.data = node;
	node->sigint_watcher.data = node;
	node->sighup_watcher.data = node;
	ev_signal_start(loop, &node->sigterm_watcher);
	ev_signal_start(loop, &node->sigint_watcher);
	ev_signal_start(loop, &node->sighup_watcher);
}

static void stop_watchers(struct node *node)
{
	struct ev_loop *loop = node->loop;

	datapath_stop(node);
	ev_io_stop(loop, &node->kernel.watcher);
	ev_timer_stop(loop, &node->housekeeping_timer);
	ev_signal_stop(loop, &node->sigterm_watcher);
	ev_signal_stop(loop, &node->sigint_watcher);
	ev_signal_stop(loop, &node->sighup_watcher);
}

/* Fork and wait until the child reports that the interface is up, so the
 * exit status of `podnetd --daemon` says whether it started. */
static int daemonize(int *ready_fd)
{
	int pipefd[2];
	pid_t pid;
	char c;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) == 1 && c == '0')
			_exit(0);
		_exit(1);
	}
	close(pipefd[0]);
	setsid();
	*ready_fd = pipefd[1];
	return 0;
}

static void detached(int ready_fd)
{
	int null = open("/dev/null", O_RDWR);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (write(ready_fd, "0", 1) != 1)
		log_warn("cannot tell the parent we are up");
	close(ready_fd);
}

static const char *pid_text(pid_t pid, char *buf, size_t len)
{
	if (pid > 0)
		snprintf(buf, len, " (pid %d)", (int)pid);
	else
		buf[0] = '\0';
	return buf;
}

/* The one line a successful --check prints. */
static void check_passed(const struct node *node, pid_t running)
{
	char until[40], pidbuf[32];

	if (running >= 0) {
		printf("%s: valid (node %s, certificate valid until %s); podnetd%s is running %s: SIGHUP applies peers and certificates, a restart the rest\n",
		       node->cfg.path, node->identity.name,
		       dtls_format_time(node->identity.not_after, until,
					sizeof(until)),
		       pid_text(running, pidbuf, sizeof(pidbuf)),
		       node->cfg.ifname);
		return;
	}
	printf("%s: valid (node %s on %s, UDP port %u, certificate valid until %s)\n",
	       node->cfg.path, node->identity.name, node->cfg.ifname,
	       node->cfg.listen_port,
	       dtls_format_time(node->identity.not_after, until, sizeof(until)));
}

int main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "daemon", no_argument, NULL, 'd' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 }
	};
	struct node node = { .udp_fd = -1, .control.fd = -1,
			     .rv.probe_fd = -1, .dp.tun_fd = -1,
			     .transport.listen_fd = -1, .rx_fd = -1 };
	const char *pidfile = NULL, *level_arg = NULL;
	bool daemon_mode = false, check_only = false, ran = false;
	bool started = false;
	char pidbuf[32];
	pid_t running;
	enum log_level level;
	int opt, ret = 1, ready_fd = -1;
	char err[512];

	while ((opt = getopt_long(argc, argv, "dp:l:chV", opts, NULL)) != -1) {
		switch (opt) {
		case 'V':
			printf("podnetd %s\n", podnet_version());
			return 0;
		case 'd':
			daemon_mode = true;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'l':
			level_arg = optarg;
			break;
		case 'c':
			check_only = true;
			break;
		case 'h':
			usage(stdout, argv[0]);
			return 0;
		default:
			usage(stderr, argv[0]);
			return 1;
		}
	}
	if (optind != argc - 1) {
		usage(stderr, argv[0]);
		return 1;
	}
	/* Before any crypto: a clear refusal instead of SIGILL. */
	if (cpu_check_crypto()) {
		fprintf(stderr, "%s: %s\n", argv[0], cpu_check_crypto());
		return 1;
	}
	if (level_arg && log_level_parse(level_arg, &level)) {
		fprintf(stderr, "%s: --log-level: expected error, warn, info or debug\n",
			argv[0]);
		return 1;
	}
	if (config_parse_file(argv[optind], &node.cfg, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (level_arg)
		node.cfg.log_level = level;
	log_init("podnetd", node.cfg.log_level, false);
	wolfSSL_Init();
	/* Everything a start needs, before anything is changed: a mistake
	 * ends here with its cause and fix, leaving nothing behind. */
	running = preflight_running(&node.cfg);
	if (preflight_privileges(err, sizeof(err)))
		goto refused;
	if (running >= 0 && !check_only) {
		snprintf(err, sizeof(err), "another podnetd%s is already running for %s (control socket %s answers): stop it first, or give this node its own Name, ListenPort and ControlSocket",
			 pid_text(running, pidbuf, sizeof(pidbuf)),
			 node.cfg.ifname, node.cfg.control_socket);
		goto refused;
	}
	if (preflight_identity(&node.cfg, &node.identity, err, sizeof(err)) ||
	    revoke_load(&node, err, sizeof(err)) ||
	    preflight_not_revoked(&node, err, sizeof(err)))
		goto refused;
	/* A podnetd running this config holds its port and interface. */
	if (running < 0 && preflight_host(&node.cfg, err, sizeof(err)))
		goto refused;
	if (datapath_init(&node.dp)) {
		snprintf(err, sizeof(err), "out of memory");
		goto refused;
	}
	if (dtls_contexts_create(&node, err, sizeof(err)))
		goto refused;
	preflight_warn(&node.cfg);
	if (check_only) {
		preflight_endpoint_names(&node.cfg);
		check_passed(&node, running);
		ret = 0;
		goto quiet;
	}
	started = true;
	if (daemon_mode && daemonize(&ready_fd)) {
		log_err("cannot daemonize: %s", strerror(errno));
		goto out;
	}
	node.loop = ev_default_loop(EVFLAG_AUTO);
	node_clock_init(&node);
	if (routing_init(&node.routes) || routing6_init(&node.routes6) ||
	    routing_init(&node.sessions.by_index)) {
		log_err("out of memory");
		goto out;
	}
	if (udp_open(&node, err, sizeof(err)) ||
	    resolve_init(&node, err, sizeof(err)) ||
	    rendezvous_open(&node, err, sizeof(err)) ||
	    transport_open(&node, err, sizeof(err)) ||
	    interface_up(&node, err, sizeof(err)) ||
	    control_open(&node, err, sizeof(err)) ||
	    publish_open(&node, err, sizeof(err))) {
		log_err("%s", err);
		goto out;
	}
	udp_enable_gro(&node);
	dns_open(&node);
	if (crypto_pool_start(&node.crypto, crypto_threads(&node.cfg))) {
		log_err("cannot start crypto threads: %s", strerror(errno));
		goto out;
	}
	node.crypto_running = true;
	start_watchers(&node);
	if (node.kernel.running)
		log_info("%s up: node %s, listening on UDP port %u, data path in the kernel (podnet.ko)",
			 node.cfg.ifname, node.identity.name,
			 node.cfg.listen_port);
	else
		log_info("%s up: node %s, listening on UDP port %u, TUN offloads %s, %u crypto thread%s",
			 node.cfg.ifname, node.identity.name,
			 node.cfg.listen_port, node.dp.tun_offload ? "on" : "off",
			 node.crypto.n_threads + 1,
			 node.crypto.n_threads ? "s" : "");
	/* Which wolfSSL and which AEAD first: the two that decide speed. */
	log_info("wolfSSL %s (%s crypto); ciphers, preferred first: %s%s",
		 wolfSSL_lib_version(), dtls_crypto_code(),
		 dtls_cipher_list(&node.cfg), node.cfg.cipher_list[0] ? " (Ciphers)" : "");
	cert_expiry_log(node.identity.not_after, node.cfg.cert_path, time(NULL));
	node_apply_peers(&node);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (f) {
			fprintf(f, "%d\n", getpid());
			fclose(f);
		} else {
			log_warn("%s: %s", pidfile, strerror(errno));
		}
	}
	if (ready_fd >= 0) {
		log_init("podnetd", node.cfg.log_level, true);
		detached(ready_fd);
		ready_fd = -1;
	}
	ev_run(node.loop, 0);
	stop_watchers(&node);
	/* Non-zero when the loop stopped because the interface went away. */
	ret = node.exit_status;
	ran = true;
	goto out;
refused:
	log_err("%s", err);
quiet:
out:
	node_cleanup(&node);
	wolfSSL_Cleanup();
	if (pidfile && ran)
		unlink(pidfile);
	log_ratelimit_flush(HUGE_VAL);
	/* Only what started can stop. */
	if (started)
		log_info("stopped");
	return ret;
}
