// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Kernel-mode [Publish] entries: the kernel rewrites and forwards the
 * packets itself, so a published port costs podnetd nothing beyond the
 * tunnel. One nftables table of ours, "ip podnet_publish_<ifname>":
 *   prerouting/output  DNAT public port -> target's virtual address:port
 *   postrouting        SNAT to this node's virtual address, so the
 *                      target's replies come back through the tunnel
 *                      (its peer is this node; conntrack undoes both)
 *   forward            MaxConnections (ct count), and the TCP MSS
 *                      clamped to the interface's MTU
 * The table is written whole by `nft -f -` in one transaction: podnet
 * links neither libnftnl nor its netlink expressions (nftables' own
 * encoding, which only libnftnl keeps stable), and `nft` is the one
 * program that stays compatible with every kernel's nf_tables. It is
 * rewritten only at start and when a target's address changes.
 */
#include "publish.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fileio.h"
#include "log.h"
#include "node.h"

static const char *const nft_paths[] = {
	"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft", "/usr/local/sbin/nft",
};

static const char *nft_binary(void)
{
	for (size_t i = 0; i < sizeof(nft_paths) / sizeof(nft_paths[0]); i++)
		if (!access(nft_paths[i], X_OK))
			return nft_paths[i];
	return NULL;
}

bool publish_nft_usable(const struct node *node, const struct config_publish *c,
			char *why, size_t whylen)
{
	if (c->listen.sa.sa_family != AF_INET ||
	    (!c->target_node[0] && c->target.sa.sa_family != AF_INET))
		snprintf(why, whylen, "kernel DNAT is IPv4 only");
	else if (!node->cfg.has_address)
		snprintf(why, whylen, "this node has no IPv4 Address to SNAT to");
	else if (!fileio_flag_on("/proc/sys/net/ipv4/ip_forward"))
		snprintf(why, whylen, "net.ipv4.ip_forward is 0 (the kernel does not forward)");
	else if (!nft_binary())
		snprintf(why, whylen, "no nft program (Debian package nftables)");
	else
		return true;
	return false;
}

/* Runs nft with script on its standard input; its complaint in err. */
static int nft_run(const char *script, char *err, size_t errlen)
{
	const char *nft = nft_binary();
	int in[2], out[2], status;
	size_t len = strlen(script), got = 0;
	char msg[512];
	pid_t pid;
	ssize_t n;

	if (!nft) {
		snprintf(err, errlen, "no nft program (Debian package nftables)");
		return -1;
	}
	if (pipe2(in, O_CLOEXEC))
		goto sys;
	if (pipe2(out, O_CLOEXEC)) {
		close(in[0]);
		close(in[1]);
		goto sys;
	}
	pid = fork();
	if (pid < 0) {
		close(in[0]);
		close(in[1]);
		close(out[0]);
		close(out[1]);
		goto sys;
	}
	if (pid == 0) {
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		dup2(out[1], STDERR_FILENO);
		execl(nft, "nft", "-f", "-", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	/* The script is far smaller than a pipe: this write cannot block
	 * on a reader that waits for us. */
	while (len) {
		n = write(in[1], script, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		script += n;
		len -= (size_t)n;
	}
	close(in[1]);
	while (got < sizeof(msg) - 1 &&
	       (n = read(out[0], msg + got, sizeof(msg) - 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		got += (size_t)n;
	}
	msg[got] = '\0';
	close(out[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	for (char *p = msg; *p; p++)
		if (*p == '\n')
			*p = ' ';
	snprintf(err, errlen, "nft: %s", got ? msg : "failed");
	return -1;
sys:
	snprintf(err, errlen, "cannot run nft: %s", strerror(errno));
	return -1;
}

static void table_name(struct node *node)
{
	char *p;

	snprintf(node->publish.nft_name, sizeof(node->publish.nft_name),
		 "podnet_publish_%s", node->cfg.ifname);
	/* An interface name may hold characters nft names may not. */
	for (p = node->publish.nft_name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = '_';
}

/* Appends to a fixed buffer; a script that does not fit is an error. */
struct script {
	char buf[65536];
	size_t len;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct script *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (s->full)
		return;
	va_start(ap, fmt);
	n = vsnprintf(s->buf + s->len, sizeof(s->buf) - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(s->buf) - s->len)
		s->full = true;
	else
		s->len += (size_t)n;
}

int publish_nft_sync(struct node *node, char *err, size_t errlen)
{
	struct node_publish *np = &node->publish;
	struct script *s = calloc(1, sizeof(*s));
	char self[INET_ADDRSTRLEN], to[INET_ADDRSTRLEN], at[INET_ADDRSTRLEN];
	const char *chains[] = { "prerouting", "output" };
	int ret;

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	table_name(node);
	inet_ntop(AF_INET, &node->cfg.address, self, sizeof(self));
	/* Creating it first makes the delete valid when it does not exist
	 * (a fresh start, or one after a crash left it behind). */
	put(s, "table ip %s {}\ndelete table ip %s\ntable ip %s {\n",
	    np->nft_name, np->nft_name, np->nft_name);
	for (int c = 0; c < 2; c++) {
		/* dstnat (-100) by number: nft names it for prerouting only */
		put(s, "\tchain %s {\n\t\ttype nat hook %s priority -100; policy accept;\n",
		    chains[c], chains[c]);
		for (size_t i = 0; i < np->n_entries; i++) {
			struct publish_entry *e = &np->entries[i];
			struct sockaddr_storage ss;
			socklen_t len;

			if (!e->kernel)
				continue;
			e->kernel_target.s_addr = 0;
			if (!publish_target(node, e, &ss, &len) ||
			    ss.ss_family != AF_INET)
				continue;
			e->kernel_target = ((struct sockaddr_in *)&ss)->sin_addr;
			inet_ntop(AF_INET, &e->kernel_target, to, sizeof(to));
			inet_ntop(AF_INET, &e->cfg.listen.in.sin_addr, at,
				  sizeof(at));
			put(s, "\t\tfib daddr type local %s%s%stcp dport %u counter dnat to %s:%u comment \"%s\"\n",
			    e->cfg.listen.in.sin_addr.s_addr ? "ip daddr " : "",
			    e->cfg.listen.in.sin_addr.s_addr ? at : "",
			    e->cfg.listen.in.sin_addr.s_addr ? " " : "",
			    ntohs(e->cfg.listen.in.sin_port), to,
			    ntohs(((struct sockaddr_in *)&ss)->sin_port),
			    e->cfg.name);
		}
		put(s, "\t}\n");
	}
	put(s, "\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
	for (size_t i = 0; i < np->n_entries; i++) {
		struct publish_entry *e = &np->entries[i];
		struct sockaddr_storage ss;
		socklen_t len;

		if (!e->kernel || !e->kernel_target.s_addr ||
		    !publish_target(node, e, &ss, &len))
			continue;
		inet_ntop(AF_INET, &e->kernel_target, to, sizeof(to));
		put(s, "\t\toifname \"%s\" ct status dnat ip daddr %s tcp dport %u snat to %s\n",
		    node->cfg.ifname, to,
		    ntohs(((struct sockaddr_in *)&ss)->sin_port), self);
	}
	put(s, "\t}\n\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
	for (size_t i = 0; i < np->n_entries; i++) {
		struct publish_entry *e = &np->entries[i];

		if (!e->kernel || !e->kernel_target.s_addr)
			continue;
		inet_ntop(AF_INET, &e->kernel_target, to, sizeof(to));
		put(s, "\t\toifname \"%s\" ct status dnat ip daddr %s tcp dport %u ct state new ct count over %u counter reject with tcp reset comment \"%s: MaxConnections\"\n",
		    node->cfg.ifname, to, ntohs(e->cfg.target.in.sin_port),
		    e->cfg.max_connections, e->cfg.name);
	}
	put(s, "\t\toifname \"%s\" tcp flags syn tcp option maxseg size set rt mtu\n\t}\n}\n",
	    node->cfg.ifname);
	if (s->full) {
		snprintf(err, errlen, "nftables script too long");
		ret = -1;
	} else {
		ret = nft_run(s->buf, err, errlen);
	}
	free(s);
	if (!ret)
		np->nft_table = true;
	return ret;
}

void publish_nft_remove(struct node *node)
{
	struct node_publish *np = &node->publish;
	char script[128], err[256];

	if (!np->nft_table)
		return;
	snprintf(script, sizeof(script), "delete table ip %s\n", np->nft_name);
	if (nft_run(script, err, sizeof(err)))
		log_warn("publish: cannot remove table ip %s: %s", np->nft_name,
			 err);
	np->nft_table = false;
}
