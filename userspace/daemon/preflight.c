// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * Preflight checks (preflight.h). Each failure names what is wrong, the
 * file or port it concerns, and what to do about it; none of them
 * creates, binds or deletes anything that outlives the check.
 */
#include "preflight.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "cert.h"
#include "config.h"
#include "dtls_error.h"
#include "kernel.h"
#include "log.h"
#include "node.h"
#include "revocation.h"

/* The character device of the TUN driver (Documentation/admin-guide/devices.txt). */
#define TUN_MAJOR 10
#define TUN_MINOR 200
/* Bounds of the search for who holds a port: a hint, never a hang. */
#define HOLDER_PROCS_MAX 4096
#define HOLDER_FDS_MAX 1024

/* Why path cannot be read, in words; NULL if it can. */
static const char *unreadable(const char *path)
{
	static char why[96];
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return "not found";
		if (errno == EACCES) {
			snprintf(why, sizeof(why),
				 "permission denied (podnetd runs as uid %u)",
				 (unsigned int)geteuid());
			return why;
		}
		snprintf(why, sizeof(why), "%s", strerror(errno));
		return why;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return "is a directory, not a file";
	}
	close(fd);
	return NULL;
}

static int read_cert(const char *what, const char *key, const char *path,
		     const char *config, uint8_t **der, size_t *len,
		     struct cert_identity *id, char *err, size_t errlen)
{
	const char *why = unreadable(path);
	char reason[256];

	if (why) {
		snprintf(err, errlen, "cannot load the %s %s: %s (%s in %s)",
			 what, path, why, key, config);
		return -1;
	}
	if (cert_load_der(path, der, len, reason, sizeof(reason)) < 0) {
		snprintf(err, errlen, "cannot load the %s %s: not a certificate (%s)",
			 what, path, reason);
		return -1;
	}
	if (cert_parse(*der, *len, id, NULL, reason, sizeof(reason)) < 0) {
		snprintf(err, errlen, "cannot load the %s %s: not a certificate podnet can use (%s)",
			 what, path, reason);
		free(*der);
		*der = NULL;
		return -1;
	}
	return 0;
}

static int check_dates(const char *what, const char *path,
		       const struct cert_identity *id, const char *fix,
		       char *err, size_t errlen)
{
	char a[40], b[40], now_s[40];
	time_t now = time(NULL);

	if (id->not_after < now) {
		snprintf(err, errlen, "the %s %s expired on %s (valid from %s): %s",
			 what, path, dtls_format_time(id->not_after, a, sizeof(a)),
			 dtls_format_time(id->not_before, b, sizeof(b)), fix);
		return -1;
	}
	if (id->not_before > now) {
		snprintf(err, errlen, "the %s %s is not valid yet: valid from %s, and this machine's clock says %s (check the clock)",
			 what, path, dtls_format_time(id->not_before, a, sizeof(a)),
			 dtls_format_time(now, now_s, sizeof(now_s)));
		return -1;
	}
	return 0;
}

/* Does the CA's key sign the certificate? wolfSSL's own chain check. */
static int check_chain(const struct config *cfg, const uint8_t *ca_der,
		       size_t ca_len, const uint8_t *der, size_t len,
		       const struct cert_identity *ca,
		       const struct cert_identity *id, char *err,
		       size_t errlen)
{
	WOLFSSL_CERT_MANAGER *cm = wolfSSL_CertManagerNew();
	char dir[PATH_MAX];
	int ret;

	if (!cm) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	ret = wolfSSL_CertManagerLoadCABuffer(cm, ca_der, (long)ca_len,
					      WOLFSSL_FILETYPE_ASN1);
	if (ret == WOLFSSL_SUCCESS)
		ret = wolfSSL_CertManagerVerifyBuffer(cm, der, (long)len,
						      WOLFSSL_FILETYPE_ASN1);
	wolfSSL_CertManagerFree(cm);
	if (ret == WOLFSSL_SUCCESS)
		return 0;
	snprintf(dir, sizeof(dir), "%s", cfg->ca_path);
	snprintf(err, errlen, "the certificate %s is not signed by the CA %s (its issuer is '%s', the CA is '%s'; wolfSSL: %s): issue this node's certificate with this network's CA (podnet cert issue --ca-dir %s)",
		 cfg->cert_path, cfg->ca_path, id->issuer, ca->name,
		 wolfSSL_ERR_reason_error_string((unsigned long)ret),
		 dirname(dir));
	return -1;
}

/* The key: private, readable, a key, and the certificate's. */
static int check_key(const struct config *cfg, const uint8_t *der, size_t len,
		     char *err, size_t errlen)
{
	const char *why;
	WOLFSSL_CTX *ctx;
	int ret = -1;

	why = unreadable(cfg->key_path);
	if (why && strcmp(why, "not found")) {
		snprintf(err, errlen, "cannot load the private key %s: %s",
			 cfg->key_path, why);
		return -1;
	}
	if (why) {
		snprintf(err, errlen, "cannot load the private key %s: not found (PrivateKey in %s)",
			 cfg->key_path, cfg->path);
		return -1;
	}
	/* Like ssh: a key others can read is refused, not used (F11). */
	if (cert_key_file_check(cfg->key_path, err, errlen))
		return -1;
	ctx = wolfSSL_CTX_new(wolfDTLSv1_2_server_method());
	if (!ctx) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (wolfSSL_CTX_use_certificate_buffer(ctx, der, (long)len,
					       WOLFSSL_FILETYPE_ASN1) !=
	    WOLFSSL_SUCCESS)
		snprintf(err, errlen, "cannot load the node certificate %s into wolfSSL",
			 cfg->cert_path);
	else if (wolfSSL_CTX_use_PrivateKey_file(ctx, cfg->key_path,
						 WOLFSSL_FILETYPE_PEM) !=
		 WOLFSSL_SUCCESS)
		snprintf(err, errlen, "cannot load the private key %s: not a PEM private key (podnet cert issue writes one)",
			 cfg->key_path);
	else if (wolfSSL_CTX_check_private_key(ctx) != WOLFSSL_SUCCESS)
		snprintf(err, errlen, "the private key %s does not belong to the certificate %s (another node's key?): PrivateKey and Certificate must come from the same podnet cert issue",
			 cfg->key_path, cfg->cert_path);
	else
		ret = 0;
	wolfSSL_CTX_free(ctx);
	return ret;
}

int preflight_identity(const struct config *cfg, struct cert_identity *id,
		       char *err, size_t errlen)
{
	char want[INET6_ADDRSTRLEN], have[INET6_ADDRSTRLEN];
	uint8_t *ca_der = NULL, *der = NULL;
	struct cert_identity ca;
	size_t ca_len, len;
	int ret = -1;

	if (read_cert("CA certificate", "CA", cfg->ca_path, cfg->path,
		      &ca_der, &ca_len, &ca, err, errlen))
		return -1;
	if (!ca.is_ca) {
		snprintf(err, errlen, "the CA certificate %s is not a CA certificate (it is the certificate of node '%s'): CA must name the network's ca.crt",
			 cfg->ca_path, ca.name);
		goto out;
	}
	if (check_dates("CA certificate", cfg->ca_path, &ca,
			"the network needs a new CA (podnet ca create) and new node certificates",
			err, errlen))
		goto out;
	if (read_cert("node certificate", "Certificate", cfg->cert_path,
		      cfg->path, &der, &len, id, err, errlen))
		goto out;
	/* A CA certificate signs nodes; it never is one (F14). */
	if (id->is_ca) {
		snprintf(err, errlen, "%s is a CA certificate (CA:TRUE), not a node certificate: Certificate must name this node's certificate (podnet cert issue)",
			 cfg->cert_path);
		goto out;
	}
	if (check_dates("node certificate", cfg->cert_path, id,
			"issue a new one (podnet cert issue)", err, errlen) ||
	    check_chain(cfg, ca_der, ca_len, der, len, &ca, id, err, errlen))
		goto out;
	if (cfg->has_address &&
	    (!id->has_vaddr || id->vaddr.s_addr != cfg->address.s_addr)) {
		inet_ntop(AF_INET, &cfg->address, want, sizeof(want));
		if (id->has_vaddr)
			inet_ntop(AF_INET, &id->vaddr, have, sizeof(have));
		else
			strcpy(have, "no IPv4 address");
		snprintf(err, errlen,
			 "%s: Address is %s but the certificate %s (node '%s') holds %s: set Address = %s/PREFIX, or use the certificate issued for %s",
			 cfg->path, want, cfg->cert_path, id->name, have,
			 have, want);
		goto out;
	}
	if (cfg->has_address6 &&
	    (!id->has_vaddr6 ||
	     memcmp(&id->vaddr6, &cfg->address6, sizeof(id->vaddr6)))) {
		inet_ntop(AF_INET6, &cfg->address6, want, sizeof(want));
		if (id->has_vaddr6)
			inet_ntop(AF_INET6, &id->vaddr6, have, sizeof(have));
		else
			strcpy(have, "no IPv6 address");
		snprintf(err, errlen,
			 "%s: Address has %s but the certificate %s (node '%s') holds %s: use its IPv6 address in Address, or a certificate issued with --address %s",
			 cfg->path, want, cfg->cert_path, id->name, have,
			 want);
		goto out;
	}
	/* A family the certificate has and Address lacks is left unused:
	 * nothing on this node would answer at that address. */
	if (check_key(cfg, der, len, err, errlen))
		goto out;
	ret = 0;
out:
	free(ca_der);
	free(der);
	return ret;
}

int preflight_not_revoked(struct node *node, char *err, size_t errlen)
{
	if (!revocation_contains(&node->revoke.list,
				 node->identity.fingerprint))
		return 0;
	snprintf(err, errlen, "this node's certificate %s is revoked by %s (serial %llu): every peer would refuse it; issue a new one (podnet cert issue)",
		 node->cfg.cert_path, node->cfg.revocation_path,
		 (unsigned long long)node->revoke.list.serial);
	return -1;
}

pid_t preflight_running(const struct config *cfg)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ucred cred;
	socklen_t cl = sizeof(cred);
	pid_t pid = -1;
	int fd;

	if (strlen(cfg->control_socket) >= sizeof(sun.sun_path))
		return -1;
	strcpy(sun.sun_path, cfg->control_socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		pid = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cl) ?
		      0 : cred.pid;
	close(fd);
	return pid;
}

int preflight_privileges(char *err, size_t errlen)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	char exe[PATH_MAX];
	ssize_t n;

	if (syscall(SYS_capget, &hdr, data) == 0 &&
	    (data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective &
	     CAP_TO_MASK(CAP_NET_ADMIN)))
		return 0;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	snprintf(err, errlen, "podnetd needs CAP_NET_ADMIN to create its interface and set its address (uid %u lacks it): run it as root, or give the binary the capability (setcap cap_net_admin+ep %s)",
		 (unsigned int)geteuid(), n > 0 ? exe : "podnetd");
	return -1;
}

static int check_tun(char *err, size_t errlen)
{
	struct stat st;
	int fd;

	fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENODEV || errno == ENXIO)
			snprintf(err, errlen, "/dev/net/tun: %s: load the TUN driver (modprobe tun); in a container, pass the device in (e.g. --device /dev/net/tun)",
				 errno == ENOENT ? "does not exist" :
						   "no TUN driver behind it");
		else
			snprintf(err, errlen, "/dev/net/tun: %s", strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != TUN_MAJOR || minor(st.st_rdev) != TUN_MINOR) {
		snprintf(err, errlen, "/dev/net/tun is not the TUN device (char %u:%u expected): recreate it (mknod /dev/net/tun c 10 200) or load the driver (modprobe tun)",
			 TUN_MAJOR, TUN_MINOR);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* The socket inode of a UDP socket bound to port, from /proc/net/udp*. */
static unsigned long port_inode(uint16_t port)
{
	static const char *const tables[] = { "/proc/net/udp",
					      "/proc/net/udp6" };
	unsigned long inode = 0;
	char line[512];

	for (size_t t = 0; t < 2 && !inode; t++) {
		FILE *f = fopen(tables[t], "r");

		if (!f)
			continue;
		while (!inode && fgets(line, sizeof(line), f)) {
			char local[64];
			unsigned int lport;
			unsigned long ino;
			char *colon;

			if (sscanf(line, " %*d: %63s %*s %*x %*s %*s %*s %*u %*d %lu",
				   local, &ino) != 2)
				continue;
			colon = strrchr(local, ':');
			if (colon && sscanf(colon + 1, "%x", &lport) == 1 &&
			    lport == port)
				inode = ino;
		}
		fclose(f);
	}
	return inode;
}

/* " (held by socat, pid 123)", or "" when it cannot be told cheaply. */
static void port_holder(uint16_t port, char *out, size_t len)
{
	unsigned long inode = port_inode(port);
	char want[64], path[64], link[64], comm[32] = "";
	unsigned int procs = 0;
	struct dirent *p;
	DIR *proc;

	out[0] = '\0';
	if (!inode)
		return;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	proc = opendir("/proc");
	if (!proc)
		return;
	while ((p = readdir(proc)) && procs++ < HOLDER_PROCS_MAX && !out[0]) {
		unsigned int fds = 0;
		struct dirent *d;
		DIR *fdd;

		if (p->d_name[0] < '1' || p->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.16s/fd", p->d_name);
		fdd = opendir(path);
		if (!fdd)
			continue;
		while ((d = readdir(fdd)) && fds++ < HOLDER_FDS_MAX) {
			ssize_t n;

			snprintf(path, sizeof(path), "/proc/%.16s/fd/%.16s",
				 p->d_name, d->d_name);
			n = readlink(path, link, sizeof(link) - 1);
			if (n <= 0)
				continue;
			link[n] = '\0';
			if (strcmp(link, want))
				continue;
			snprintf(path, sizeof(path), "/proc/%.16s/comm",
				 p->d_name);
			{
				FILE *f = fopen(path, "r");

				if (f) {
					if (fgets(comm, sizeof(comm), f))
						comm[strcspn(comm, "\n")] = '\0';
					fclose(f);
				}
			}
			snprintf(out, len, " (held by %s%s, pid %s)",
				 strcmp(comm, "podnetd") ? "" : "another ",
				 comm[0] ? comm : "a process", p->d_name);
			break;
		}
		closedir(fdd);
	}
	closedir(proc);
}

/* Can podnetd bind UDP port as udp_open() will (dual-stack, else IPv4)? */
static int port_free(uint16_t port)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6,
				     .sin6_port = htons(port),
				     .sin6_addr = IN6ADDR_ANY_INIT };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };
	int fd, off = 0, ret;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
		ret = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6));
		close(fd);
		if (!ret)
			return 0;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ? -errno : 0;
	close(fd);
	return ret;
}

static int check_port(const struct config *cfg, uint16_t port,
		      const char *role, char *err, size_t errlen)
{
	char holder[96];
	int ret = port_free(port);

	if (!ret)
		return 0;
	if (ret == -EADDRINUSE) {
		port_holder(port, holder, sizeof(holder));
		snprintf(err, errlen, "UDP port %u (%s) is already in use%s: set another ListenPort in %s, or stop what holds it",
			 port, role, holder, cfg->path);
	} else if (ret == -EACCES) {
		snprintf(err, errlen, "UDP port %u (%s): binding a port below 1024 needs CAP_NET_BIND_SERVICE: run as root, or set ListenPort to 1024 or above in %s",
			 port, role, cfg->path);
	} else {
		snprintf(err, errlen, "UDP port %u (%s): %s", port, role,
			 strerror(-ret));
	}
	return -1;
}

static int check_control_socket(const struct config *cfg, char *err,
				size_t errlen)
{
	const char *path = cfg->control_socket;
	char dir[sizeof(cfg->control_socket)], up[sizeof(dir)];
	char tmp[sizeof(dir)];
	struct stat st;

	if (strlen(path) >= sizeof(((struct sockaddr_un *)0)->sun_path)) {
		snprintf(err, errlen, "ControlSocket %s is too long (at most %zu bytes): choose a shorter path in %s",
			 path, sizeof(((struct sockaddr_un *)0)->sun_path) - 1,
			 cfg->path);
		return -1;
	}
	/* podnetd replaces a stale socket, but nothing else. */
	if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "ControlSocket %s exists and is not a socket: remove it, or choose another ControlSocket in %s",
			 path, cfg->path);
		return -1;
	}
	/* dirname() may write into its argument: work on copies. */
	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(dir, sizeof(dir), "%s", dirname(tmp));
	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "ControlSocket %s: %s is not a directory",
				 path, dir);
			return -1;
		}
		if (access(dir, W_OK | X_OK)) {
			snprintf(err, errlen, "ControlSocket %s: cannot create it in %s: %s",
				 path, dir, strerror(errno));
			return -1;
		}
		return 0;
	}
	/* podnetd makes the last directory itself (/run/podnet), no more. */
	snprintf(tmp, sizeof(tmp), "%s", dir);
	snprintf(up, sizeof(up), "%s", dirname(tmp));
	if (access(up, W_OK | X_OK)) {
		snprintf(err, errlen, "ControlSocket %s: cannot create its directory %s in %s: %s",
			 path, dir, up, strerror(errno));
		return -1;
	}
	return 0;
}

int preflight_host(const struct config *cfg, char *err, size_t errlen)
{
	if (check_control_socket(cfg, err, errlen))
		return -1;
	if (cfg->datapath == CONFIG_DATAPATH_KERNEL) {
		if (!kernel_available()) {
			snprintf(err, errlen, "DataPath = kernel, but the podnet kernel module is not loaded: modprobe podnet, or set DataPath = auto in %s",
				 cfg->path);
			return -1;
		}
	} else if (cfg->datapath == CONFIG_DATAPATH_TUN ||
		   !kernel_available()) {
		if (check_tun(err, errlen))
			return -1;
	}
	if (check_port(cfg, cfg->listen_port, "ListenPort", err, errlen))
		return -1;
	if (cfg->rendezvous &&
	    check_port(cfg, (uint16_t)(cfg->listen_port + 1),
		       "ListenPort + 1, a rendezvous' NAT probe port", err,
		       errlen))
		return -1;
	return 0;
}

void preflight_warn(const struct config *cfg)
{
	char addr[INET_ADDRSTRLEN];

	if (!cfg->has_address || cfg->prefixlen != 32)
		return;
	inet_ntop(AF_INET, &cfg->address, addr, sizeof(addr));
	log_warn("%s: Address %s is a /32 (no prefix given?): the interface gets no route to the other nodes; write e.g. 'Address = %s/24' for the network's prefix, or add the routes yourself",
		 cfg->path, addr, addr);
}

/* At most this long per name: --check must stay quick. */
#define PREFLIGHT_RESOLVE_TIMEOUT 2.0

unsigned int preflight_endpoint_names(const struct config *cfg)
{
	unsigned int failed = 0;
	char why[160];

	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct config_peer *p = &cfg->peers[i];

		if (!p->endpoint.host[0])
			continue;
		if (!resolve_check(p->endpoint.host, PREFLIGHT_RESOLVE_TIMEOUT,
				   why, sizeof(why)))
			continue;
		failed++;
		fprintf(stderr, "%s:%u: warning: peer %s: Endpoint %s:%u does not resolve now (%s); podnetd keeps trying\n",
			cfg->path, p->line, p->name, p->endpoint.host,
			p->endpoint.port, why);
	}
	return failed;
}
