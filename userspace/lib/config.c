// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A line-oriented parser: every line is a comment, a [Section] or a
 * "Key = Value". Any line it does not understand is an error that names
 * the file, the line and what was expected: a daemon that silently ignores
 * a misspelt key is worse than one that refuses to start.
 */
#include "config.h"
#include "ctlpath.h"
#include "record.h"
#include "wire.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define CONFIG_MAX_FILE (1 << 20)
#define CONFIG_MAX_PEERS 65536

/* IPv4, UDP, a relay header around a podnet header, the largest record. */
_Static_assert(CONFIG_MAX_MTU == 1500 - 20 - 8 - 2 * WIRE_HEADER_LEN -
	       RECORD_OVERHEAD, "CONFIG_MAX_MTU does not fit a 1500-byte link");

enum section { SECTION_NONE, SECTION_INTERFACE, SECTION_PEER, SECTION_PUBLISH };

struct parser {
	const char *name;	/* file name for messages */
	char basedir[PATH_MAX];
	unsigned int line;
	enum section section;
	bool seen_interface;
	bool have_address, have_ca, have_cert, have_key;
	struct config *cfg;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->line)
		snprintf(p->err, p->errlen, "%s:%u: %s", p->name, p->line, msg);
	else
		snprintf(p->err, p->errlen, "%s: %s", p->name, msg);
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int parse_uint(const char *s, unsigned long min, unsigned long max,
		      unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= CERT_NAME_MAX)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return false;
	}
	return true;
}

static int parse_bool(struct parser *p, const char *key, const char *value,
		      bool *out)
{
	if (!strcasecmp(value, "yes") || !strcasecmp(value, "true") ||
	    !strcmp(value, "1"))
		*out = true;
	else if (!strcasecmp(value, "no") || !strcasecmp(value, "false") ||
		 !strcmp(value, "0"))
		*out = false;
	else
		return fail(p, "expected '%s = yes' or '%s = no', got '%s'", key,
			    key, value);
	return 0;
}

static int parse_number(struct parser *p, const char *key, const char *value,
			unsigned long min, unsigned long max,
			unsigned int *out)
{
	unsigned long v;

	if (parse_uint(value, min, max, &v))
		return fail(p, "expected %s between %lu and %lu, got '%s'", key,
			    min, max, value);
	*out = (unsigned int)v;
	return 0;
}

static int set_path(struct parser *p, char *dst, size_t dstlen,
		    const char *key, const char *value)
{
	int n;

	if (!*value)
		return fail(p, "expected a file name after '%s ='", key);
	if (value[0] == '/' || !p->basedir[0])
		n = snprintf(dst, dstlen, "%s", value);
	else
		n = snprintf(dst, dstlen, "%s%s%s", p->basedir,
			     strcmp(p->basedir, "/") ? "/" : "", value);
	if (n < 0 || (size_t)n >= dstlen)
		return fail(p, "%s: path too long", key);
	return 0;
}

/* The AEADs the data path implements, by the names users write. */
static const struct {
	const char *name;
	const char *suite;
} cipher_names[] = {
	{ "chacha20-poly1305", CONFIG_SUITE_CHACHA20 },
	{ "aes-128-gcm", CONFIG_SUITE_AES128 },
	{ "aes-256-gcm", CONFIG_SUITE_AES256 },
};
#define N_CIPHER_NAMES (sizeof(cipher_names) / sizeof(cipher_names[0]))

/* "aes-128-gcm, chacha20-poly1305": the wolfSSL list, in this order. */
static int parse_ciphers(struct parser *p, const char *value, char *out,
			 size_t outlen)
{
	char list[CONFIG_CIPHER_LIST_MAX] = "";
	unsigned int seen = 0;
	const char *s = value;

	/* Every comma must be followed by a name: "a," is refused too. */
	for (;;) {
		const char *end = strchr(s, ',');
		size_t len = end ? (size_t)(end - s) : strlen(s);
		size_t i;

		while (len && isspace((unsigned char)*s)) {
			s++;
			len--;
		}
		while (len && isspace((unsigned char)s[len - 1]))
			len--;
		for (i = 0; i < N_CIPHER_NAMES; i++)
			if (strlen(cipher_names[i].name) == len &&
			    !strncasecmp(s, cipher_names[i].name, len))
				break;
		if (i == N_CIPHER_NAMES)
			return fail(p, "expected Ciphers as a list of chacha20-poly1305, aes-128-gcm, aes-256-gcm, got '%.*s'",
				    (int)len, s);
		if (seen & (1u << i))
			return fail(p, "Ciphers names %s twice", cipher_names[i].name);
		seen |= 1u << i;
		if (list[0])
			strcat(list, ":");
		strcat(list, cipher_names[i].suite);
		if (!end)
			break;
		s = end + 1;
	}
	snprintf(out, outlen, "%s", list);
	return 0;
}

#define ADDRESS_SYNTAX \
	"expected 'Address = A.B.C.D/PREFIX', 'Address = X:X::X/PREFIX' or both, separated by a comma"

/* One item of Address: an IPv4 or IPv6 address with an optional prefix
 * (default /32 and /128). */
static int parse_one_address(struct parser *p, const char *item)
{
	struct config *cfg = p->cfg;
	char buf[INET6_ADDRSTRLEN + 5];
	unsigned long plen;
	bool v6 = strchr(item, ':') != NULL;
	char *slash;

	if (strlen(item) >= sizeof(buf))
		return fail(p, ADDRESS_SYNTAX ", got '%s'", item);
	strcpy(buf, item);
	plen = v6 ? 128 : 32;
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		if (parse_uint(slash + 1, 1, v6 ? 128 : 32, &plen))
			return fail(p, "expected a prefix length 1-%d after '/', got '%s'",
				    v6 ? 128 : 32, slash + 1);
	}
	if (v6) {
		if (cfg->has_address6)
			return fail(p, "Address holds one IPv6 address; '%s' is a second",
				    item);
		if (inet_pton(AF_INET6, buf, &cfg->address6) != 1)
			return fail(p, ADDRESS_SYNTAX ", got '%s'", item);
		cfg->prefixlen6 = (uint8_t)plen;
		cfg->has_address6 = true;
		return 0;
	}
	if (cfg->has_address)
		return fail(p, "Address holds one IPv4 address; '%s' is a second",
			    item);
	if (inet_pton(AF_INET, buf, &cfg->address) != 1)
		return fail(p, ADDRESS_SYNTAX ", got '%s'", item);
	cfg->prefixlen = (uint8_t)plen;
	cfg->has_address = true;
	return 0;
}

static int parse_address(struct parser *p, const char *value)
{
	char buf[2 * (INET6_ADDRSTRLEN + 5) + 8];
	char *item, *save = NULL;

	/* A later Address line replaces an earlier one, as before. */
	p->cfg->has_address = p->cfg->has_address6 = false;
	if (strlen(value) >= sizeof(buf))
		return fail(p, ADDRESS_SYNTAX ", got '%s'", value);
	strcpy(buf, value);
	for (item = strtok_r(buf, ",", &save); item;
	     item = strtok_r(NULL, ",", &save)) {
		char *end;

		item += strspn(item, " \t");
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (parse_one_address(p, item))
			return -1;
	}
	if (!p->cfg->has_address && !p->cfg->has_address6)
		return fail(p, ADDRESS_SYNTAX ", got '%s'", value);
	p->have_address = true;
	return 0;
}

/*
 * Domain = NAME (the DNS suffix dns.c answers for) or off: labels of
 * letters, digits and '-', dot-separated, stored lowercase without the
 * final dot.
 */
static int parse_domain(struct parser *p, const char *value, char *out,
			size_t outlen)
{
	size_t len = strlen(value), label = 0;

	if (!strcasecmp(value, "off")) {
		out[0] = '\0';
		return 0;
	}
	if (len && value[len - 1] == '.')
		len--;
	if (!len || len >= outlen)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		char c = value[i];

		if (c == '.') {
			if (!label || value[i - 1] == '-')
				goto bad;
			label = 0;
			out[i] = '.';
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || (c == '-' && label)) ||
		    ++label > 63)
			goto bad;
		out[i] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	if (value[len - 1] == '-')
		goto bad;
	out[len] = '\0';
	return 0;
bad:
	return fail(p, "expected Domain as a DNS name (labels of a-z 0-9 -, at most 253 characters) or off, got '%s'",
		    value);
}

static int interface_key(struct parser *p, const char *key, const char *value)
{
	struct config *cfg = p->cfg;
	unsigned long v;
	char why[200];
	int ret;

	/* The TCP transport's keys (config_transport.c). */
	ret = config_transport_key(&cfg->transport, key, value, why,
				   sizeof(why));
	if (ret <= 0)
		return ret ? fail(p, "%s", why) : 0;

	if (!strcasecmp(key, "Name")) {
		if (!valid_name(value) || strlen(value) >= IFNAMSIZ ||
		    !strcmp(value, ".") || !strcmp(value, ".."))
			return fail(p, "expected an interface name of 1-%d characters of A-Z a-z 0-9 . _ - (not . or ..), got '%s'",
				    IFNAMSIZ - 1, value);
		strcpy(cfg->ifname, value);
	} else if (!strcasecmp(key, "Address")) {
		return parse_address(p, value);
	} else if (!strcasecmp(key, "ListenPort")) {
		if (parse_uint(value, 1, 65535, &v))
			return fail(p, "expected a port number 1-65535, got '%s'",
				    value);
		cfg->listen_port = (uint16_t)v;
	} else if (!strcasecmp(key, "MTU")) {
		if (parse_uint(value, CONFIG_MIN_MTU, CONFIG_MAX_MTU, &v))
			return fail(p, "expected an MTU of %d-%d, got '%s'",
				    CONFIG_MIN_MTU, CONFIG_MAX_MTU, value);
		cfg->mtu = (unsigned int)v;
		cfg->mtu_set = true;
	} else if (!strcasecmp(key, "CA")) {
		p->have_ca = true;
		return set_path(p, cfg->ca_path, sizeof(cfg->ca_path), key, value);
	} else if (!strcasecmp(key, "Certificate")) {
		p->have_cert = true;
		return set_path(p, cfg->cert_path, sizeof(cfg->cert_path), key,
				value);
	} else if (!strcasecmp(key, "PrivateKey")) {
		p->have_key = true;
		return set_path(p, cfg->key_path, sizeof(cfg->key_path), key,
				value);
	} else if (!strcasecmp(key, "RevocationList")) {
		/* May not exist yet: a node saves the first list a
		 * rendezvous hands it there. */
		return set_path(p, cfg->revocation_path,
				sizeof(cfg->revocation_path), key, value);
	} else if (!strcasecmp(key, "ControlSocket")) {
		return set_path(p, cfg->control_socket,
				sizeof(cfg->control_socket), key, value);
	} else if (!strcasecmp(key, "LogLevel")) {
		if (log_level_parse(value, &cfg->log_level))
			return fail(p, "expected LogLevel error, warn, info or debug, got '%s'",
				    value);
	} else if (!strcasecmp(key, "KeepaliveInterval")) {
		if (parse_uint(value, 0, 3600, &v))
			return fail(p, "expected KeepaliveInterval in seconds 0-3600, got '%s'",
				    value);
		cfg->keepalive_interval = (unsigned int)v;
	} else if (!strcasecmp(key, "Rendezvous")) {
		return parse_bool(p, key, value, &cfg->rendezvous);
	} else if (!strcasecmp(key, "RelayLimit")) {
		return parse_number(p, key, value, 0, 100000, &cfg->relay_limit);
	} else if (!strcasecmp(key, "PunchTimeout")) {
		return parse_number(p, key, value, 1, 60, &cfg->punch_timeout);
	} else if (!strcasecmp(key, "PunchSockets")) {
		return parse_number(p, key, value, 0, 1024, &cfg->punch_sockets);
	} else if (!strcasecmp(key, "PunchSprayPorts")) {
		return parse_number(p, key, value, 0, 16384, &cfg->punch_spray);
	} else if (!strcasecmp(key, "PunchRate")) {
		return parse_number(p, key, value, 100, 100000, &cfg->punch_rate);
	} else if (!strcasecmp(key, "RekeyAfter")) {
		return parse_number(p, key, value, 1, 86400, &cfg->rekey_after);
	} else if (!strcasecmp(key, "RekeyAfterPackets")) {
		if (parse_uint(value, 1000, 1ul << 46, &v))
			return fail(p, "expected RekeyAfterPackets between 1000 and %lu, got '%s'",
				    1ul << 46, value);
		cfg->rekey_packets = v;
	} else if (!strcasecmp(key, "DataPath")) {
		if (!strcasecmp(value, "auto"))
			cfg->datapath = CONFIG_DATAPATH_AUTO;
		else if (!strcasecmp(value, "tun"))
			cfg->datapath = CONFIG_DATAPATH_TUN;
		else if (!strcasecmp(value, "kernel"))
			cfg->datapath = CONFIG_DATAPATH_KERNEL;
		else
			return fail(p, "expected DataPath auto, tun or kernel, got '%s'",
				    value);
	} else if (!strcasecmp(key, "Threads")) {
		if (!strcasecmp(value, "auto")) {
			cfg->threads = 0;
			return 0;
		}
		return parse_number(p, key, value, 1, 9, &cfg->threads);
	} else if (!strcasecmp(key, "Ciphers")) {
		return parse_ciphers(p, value, cfg->cipher_list,
				     sizeof(cfg->cipher_list));
	} else if (!strcasecmp(key, "PunchRetry")) {
		return parse_number(p, key, value, 1, 3600, &cfg->punch_retry);
	} else if (!strcasecmp(key, "LearnedPeerMax")) {
		return parse_number(p, key, value, 1, 1000000,
				    &cfg->learned_peer_max);
	} else if (!strcasecmp(key, "LearnedPeerIdle")) {
		return parse_number(p, key, value, 1, 86400,
				    &cfg->learned_peer_idle);
	} else if (!strcasecmp(key, "Domain")) {
		return parse_domain(p, value, cfg->domain, sizeof(cfg->domain));
	} else if (!strcasecmp(key, "Routes")) {
		bool on;

		if (!strcasecmp(value, "on"))
			on = true;
		else if (!strcasecmp(value, "off"))
			on = false;
		else if (parse_bool(p, key, value, &on) < 0)
			return -1;
		cfg->routes_off = !on;
	} else {
		return fail(p, "unknown key '%s' in [Interface]; expected one of Name, Address, ListenPort, MTU, CA, Certificate, PrivateKey, RevocationList, ControlSocket, LogLevel, KeepaliveInterval, Rendezvous, RelayLimit, PunchTimeout, PunchSockets, PunchSprayPorts, PunchRate, PunchRetry, LearnedPeerMax, LearnedPeerIdle, RekeyAfter, RekeyAfterPackets, Threads, Ciphers, DataPath, Domain, Routes",
			    key);
	}
	return 0;
}

static int peer_key(struct parser *p, const char *key, const char *value)
{
	struct config_peer *peer = &p->cfg->peers[p->cfg->n_peers - 1];

	if (!strcasecmp(key, "Name")) {
		if (!valid_name(value))
			return fail(p, "expected a node name of 1-%d characters [A-Za-z0-9._-], got '%s'",
				    CERT_NAME_MAX - 1, value);
		strcpy(peer->name, value);
	} else if (!strcasecmp(key, "Endpoint")) {
		char why[200];

		if (endpoint_spec_parse(value, &peer->endpoint, why,
					sizeof(why)))
			return fail(p, "expected 'Endpoint = HOST:PORT', IP:PORT or [IPv6]:PORT: %s",
				    why);
	} else if (!strcasecmp(key, "Rendezvous")) {
		return parse_bool(p, key, value, &peer->rendezvous);
	} else {
		return fail(p, "unknown key '%s' in [Peer]; expected Name, Endpoint or Rendezvous",
			    key);
	}
	return 0;
}

static int finish_peer(struct parser *p)
{
	struct config *cfg = p->cfg;
	struct config_peer *peer;

	if (p->section != SECTION_PEER)
		return 0;
	peer = &cfg->peers[cfg->n_peers - 1];
	if (!peer->name[0]) {
		p->line = peer->line;
		return fail(p, "[Peer] without 'Name ='");
	}
	if (peer->rendezvous && !endpoint_spec_set(&peer->endpoint)) {
		p->line = peer->line;
		return fail(p, "a rendezvous [Peer] needs 'Endpoint ='");
	}
	for (size_t i = 0; i + 1 < cfg->n_peers; i++) {
		if (!strcmp(cfg->peers[i].name, peer->name)) {
			p->line = peer->line;
			return fail(p, "peer '%s' already defined at line %u",
				    peer->name, cfg->peers[i].line);
		}
	}
	return 0;
}

/* The [Publish] section that ends here is complete (config_publish.c). */
static int finish_publish(struct parser *p)
{
	char why[400];

	if (p->section != SECTION_PUBLISH)
		return 0;
	if (config_publish_finish(p->cfg->publish, p->cfg->n_publish,
				  &p->line, why, sizeof(why)))
		return fail(p, "%s", why);
	return 0;
}

static int start_section(struct parser *p, const char *name)
{
	struct config *cfg = p->cfg;

	if (finish_peer(p) || finish_publish(p))
		return -1;
	if (!strcasecmp(name, "Interface")) {
		if (p->seen_interface)
			return fail(p, "[Interface] may appear only once");
		p->seen_interface = true;
		p->section = SECTION_INTERFACE;
	} else if (!strcasecmp(name, "Peer")) {
		struct config_peer *peers;

		if (cfg->n_peers >= CONFIG_MAX_PEERS)
			return fail(p, "more than %d peers", CONFIG_MAX_PEERS);
		peers = realloc(cfg->peers, (cfg->n_peers + 1) * sizeof(*peers));
		if (!peers)
			return fail(p, "out of memory");
		cfg->peers = peers;
		memset(&peers[cfg->n_peers], 0, sizeof(peers[0]));
		peers[cfg->n_peers].line = p->line;
		cfg->n_peers++;
		p->section = SECTION_PEER;
	} else if (!strcasecmp(name, "Publish")) {
		char why[200];

		if (config_publish_add(&cfg->publish, &cfg->n_publish, p->line,
				       why, sizeof(why)))
			return fail(p, "%s", why);
		p->section = SECTION_PUBLISH;
	} else {
		return fail(p, "unknown section [%s]; expected [Interface], [Peer] or [Publish]",
			    name);
	}
	return 0;
}

static int parse_line(struct parser *p, char *line)
{
	char *s = trim(line), *eq, *key, *value, *hash;

	/* Comments start with # or ; anywhere a value does not need them. */
	hash = strpbrk(s, "#;");
	if (hash)
		*hash = '\0';
	s = trim(s);
	if (!*s)
		return 0;
	if (*s == '[') {
		size_t n = strlen(s);

		if (s[n - 1] != ']')
			return fail(p, "expected ']' to close the section name");
		s[n - 1] = '\0';
		return start_section(p, trim(s + 1));
	}
	eq = strchr(s, '=');
	if (!eq)
		return fail(p, "expected 'Key = Value' or '[Section]', got '%s'",
			    s);
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (!*key)
		return fail(p, "expected a key before '='");
	switch (p->section) {
	case SECTION_INTERFACE:
		return interface_key(p, key, value);
	case SECTION_PEER:
		return peer_key(p, key, value);
	case SECTION_PUBLISH: {
		char why[400];

		if (config_publish_key(&p->cfg->publish[p->cfg->n_publish - 1],
				       key, value, why, sizeof(why)))
			return fail(p, "%s", why);
		return 0;
	}
	case SECTION_NONE:
		break;
	}
	return fail(p, "'%s' outside a section; expected [Interface] or [Peer] first",
		    key);
}

static void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->ifname, "pod0");
	cfg->listen_port = CONFIG_DEFAULT_PORT;
	cfg->mtu = CONFIG_DEFAULT_MTU;
	cfg->log_level = LOG_LEVEL_INFO;
	cfg->keepalive_interval = CONFIG_DEFAULT_KEEPALIVE;
	cfg->relay_limit = CONFIG_DEFAULT_RELAY_LIMIT;
	cfg->punch_timeout = CONFIG_DEFAULT_PUNCH_TIMEOUT;
	cfg->punch_sockets = CONFIG_DEFAULT_PUNCH_SOCKETS;
	cfg->punch_spray = CONFIG_DEFAULT_PUNCH_SPRAY;
	cfg->punch_rate = CONFIG_DEFAULT_PUNCH_RATE;
	cfg->punch_retry = CONFIG_DEFAULT_PUNCH_RETRY;
	cfg->learned_peer_idle = CONFIG_DEFAULT_LEARNED_PEER_IDLE;
	cfg->rekey_after = CONFIG_DEFAULT_REKEY_AFTER;
	cfg->rekey_packets = CONFIG_DEFAULT_REKEY_PACKETS;
	cfg->threads = 1;
	strcpy(cfg->domain, CONFIG_DEFAULT_DOMAIN);
	config_transport_defaults(&cfg->transport);
	/* cipher_list stays empty: the daemon picks the order (dtls.c). */
}

int config_parse_buffer(const char *name, const char *buf, size_t len,
			struct config *cfg, char *err, size_t errlen)
{
	struct parser p = {
		.name = name, .cfg = cfg, .err = err, .errlen = errlen,
	};
	const char *slash;
	char *copy, *line, *next;
	int ret = -1;

	config_defaults(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	slash = strrchr(name, '/');
	if (slash) {
		size_t n = (size_t)(slash - name);

		if (n >= sizeof(p.basedir))
			return fail(&p, "path too long");
		memcpy(p.basedir, name, n);
		p.basedir[n] = '\0';
		if (!n)
			strcpy(p.basedir, "/");
	}
	{
		const char *nul = memchr(buf, '\0', len);

		if (nul) {
			for (const char *c = buf; c < nul; c++)
				p.line += *c == '\n';
			p.line++;
			return fail(&p, "expected a text file, found a NUL byte");
		}
	}
	copy = malloc(len + 1);
	if (!copy)
		return fail(&p, "out of memory");
	memcpy(copy, buf, len);
	copy[len] = '\0';

	for (line = copy; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		p.line++;
		if (parse_line(&p, line))
			goto out;
	}
	if (finish_peer(&p) || finish_publish(&p))
		goto out;
	p.line = 0;
	if (!p.seen_interface) {
		fail(&p, "no [Interface] section");
		goto out;
	}
	if (!p.have_address || !p.have_ca || !p.have_cert || !p.have_key) {
		fail(&p, "[Interface] needs Address, CA, Certificate and PrivateKey; missing %s",
		     !p.have_address ? "Address" : !p.have_ca ? "CA" :
		     !p.have_cert ? "Certificate" : "PrivateKey");
		goto out;
	}
	if (cfg->has_address6 && cfg->mtu < CONFIG_MIN_MTU6) {
		fail(&p, "MTU %u is below %d, the least IPv6 allows, and Address has an IPv6 address",
		     cfg->mtu, CONFIG_MIN_MTU6);
		goto out;
	}
	/* Per network namespace, as the CLI finds it (ctlpath.h). */
	if (!cfg->control_socket[0])
		control_socket_default(cfg->control_socket,
				       sizeof(cfg->control_socket), cfg->ifname);
	ret = 0;
out:
	free(copy);
	if (ret)
		config_free(cfg);
	return ret;
}

int config_parse_file(const char *path, struct config *cfg, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "r");
	struct stat st;
	char *buf;
	size_t n;
	int ret;

	memset(cfg, 0, sizeof(*cfg));
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	/* fopen() opens a directory; only the read would fail, vaguely. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: is a directory; expected a configuration file such as %s/pod0.conf",
			 path, path);
		return -1;
	}
	buf = malloc(CONFIG_MAX_FILE + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	errno = 0;
	n = fread(buf, 1, CONFIG_MAX_FILE + 1, f);
	if (ferror(f) || n > CONFIG_MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path,
			 !ferror(f) ? "file larger than 1 MiB" :
			 errno ? strerror(errno) : "read error");
		ret = -1;
	} else {
		ret = config_parse_buffer(path, buf, n, cfg, err, errlen);
	}
	free(buf);
	fclose(f);
	return ret;
}

void config_free(struct config *cfg)
{
	free(cfg->peers);
	cfg->peers = NULL;
	cfg->n_peers = 0;
	free(cfg->publish);
	cfg->publish = NULL;
	cfg->n_publish = 0;
}

const struct config_peer *config_find_peer(const struct config *cfg,
					   const char *name)
{
	for (size_t i = 0; i < cfg->n_peers; i++) {
		if (!strcmp(cfg->peers[i].name, name))
			return &cfg->peers[i];
	}
	return NULL;
}
