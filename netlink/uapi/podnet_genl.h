/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR MIT */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The podnet generic netlink family: how podnetd (userspace, which does
 * every DTLS handshake, NAT traversal and policy decision) configures
 * podnet.ko (the kernel data path). This one header is included by the
 * module (kernel/) and by the daemon (userspace/); doc/netlink.md is the
 * prose version.
 *
 * Model: a podnet device ("ip link add pod0 type podnet") has one or more
 * attached UDP sockets (the daemon's own, by fd). It knows peers by a
 * 32-bit id the daemon chooses. Each peer has an endpoint, optionally a
 * relay channel, its allowed inner addresses (cryptokey routing) and two
 * key slots. A key slot holds one established DTLS 1.2 session: the
 * record keys and both session indices, exactly as the userspace record
 * layer (userspace/lib/record.c) uses them, so a kernel node and a
 * userspace node talk to each other.
 *
 * Datagrams on an attached socket (wire constants in podnet_wire.h):
 * data records (type 2) whose receiver index belongs to an installed key
 * slot, and relay datagrams (type 5) whose inner datagram is such a data
 * record, on any channel, are handled in the kernel: its replay window is
 * the only one for those keys, and the daemon must not open records
 * under them. A relay datagram on the peer's own relay channel must come
 * from the peer's endpoint (its relay), or it is dropped and counted as
 * drop_bad_relay. Datagrams that cannot be podnet's at all (shorter than the
 * podnet header, a version other than 1, type 0 or above the last known
 * type) are counted as rx_malformed and dropped, as the daemon would drop
 * them. Everything else goes up to the daemon's socket unchanged.
 *
 * Plaintexts that are not IP packets (first byte below 0x40: podnet's
 * in-session control messages, see doc/wire.md) are not delivered to the
 * device: keepalives (one byte 0x00) are consumed, the rest are sent to
 * the daemon as PODNET_CMD_NOTIFY_CTRL. The daemon sends control messages
 * with PODNET_CMD_CTRL_SEND, sealed under the kernel's sequence numbers.
 */
#ifndef _UAPI_PODNET_GENL_H
#define _UAPI_PODNET_GENL_H

#include "podnet_wire.h"

#define PODNET_GENL_NAME "podnet"
#define PODNET_GENL_VERSION 1
#define PODNET_GENL_MCGRP_PEERS "peers"
#define PODNET_LINK_KIND "podnet"

enum podnet_cmd {
	PODNET_CMD_UNSPEC,
	/* ifindex|ifname -> device attributes and counters (doit) */
	PODNET_CMD_DEV_GET,
	/* ifindex, socket_fd: the kernel takes a reference to the socket
	 * and handles data datagrams on it. Up to PODNET_MAX_SOCKETS. */
	PODNET_CMD_SOCKET_ATTACH,
	/* ifindex, socket_fd: give the socket back to plain userspace */
	PODNET_CMD_SOCKET_DETACH,
	/* ifindex, peer_id, [endpoint], [socket_fd], [relay_channel],
	 * [allowed_ips]: create the peer or update the given fields.
	 * A present allowed_ips replaces the whole list. */
	PODNET_CMD_PEER_SET,
	/* ifindex, peer_id */
	PODNET_CMD_PEER_DEL,
	/* ifindex, [peer_id]: doit for one peer, dumpit for all
	 * (resumable); replies carry endpoint, relay_channel, allowed_ips,
	 * stats and, per slot, the key's local/remote index and tx_seq
	 * (never key material). */
	PODNET_CMD_PEER_GET,
	/* ifindex, peer_id, key_slot, keyconf: install keys in a slot
	 * (replacing what was there, old key wiped) */
	PODNET_CMD_KEY_SET,
	/* ifindex, peer_id: primary <-> secondary, atomically for senders */
	PODNET_CMD_KEY_SWAP,
	/* ifindex, peer_id, key_slot: wipe and free one slot */
	PODNET_CMD_KEY_DEL,
	/* ifindex, peer_id, payload: seal payload with the primary key and
	 * send it to the peer's endpoint (through its relay if it has one) */
	PODNET_CMD_CTRL_SEND,

	/* Notifications, multicast on PODNET_GENL_MCGRP_PEERS. All carry
	 * ifindex and peer_id. */
	/* endpoint: an authenticated data record came from a new address.
	 * The kernel has already moved a direct peer there.
	 * endpoint, relay_channel: an authenticated data record came through
	 * the relay at endpoint, on a channel other than the peer's; the
	 * kernel moved nothing (only the daemon knows which addresses are
	 * relays). Only after 5 s without a direct record, at most once a
	 * second. */
	PODNET_CMD_NOTIFY_ENDPOINT,
	/* key_slot, tx_seq: the slot's key is past PODNET_KEY_SOFT_LIMIT
	 * records; the daemon should rekey. Sent once per key. */
	PODNET_CMD_NOTIFY_KEY_LIMIT,
	/* A packet for this peer found no primary key; the daemon should
	 * start a handshake. The packet waits (up to 128 packets / 256 KB
	 * per peer, 8 s) and goes out once the key and an endpoint are
	 * set. Rate-limited. */
	PODNET_CMD_NOTIFY_NEED_KEY,
	/* A pending secondary key authenticated a record and was swapped
	 * to primary by the kernel (the server side of a rekey). */
	PODNET_CMD_NOTIFY_KEY_SWAPPED,
	/* payload: an in-session control message from the peer;
	 * relay_channel if it came through a relay (absent: directly) */
	PODNET_CMD_NOTIFY_CTRL,
	/* No authenticated record from the peer for idle_timeout seconds
	 * (module parameter, 30 by default) while it has a primary key.
	 * Sent once per silence. */
	PODNET_CMD_NOTIFY_IDLE,
	/* dest_addr, no peer_id: a packet for an address no peer holds;
	 * the daemon may ask a rendezvous who has it. While a daemon
	 * listens, the packet waits in the device (up to 64 packets /
	 * 128 KB, 8 s) and moves to the peer that a PEER_SET gives the
	 * address; without listeners it is dropped. At most ten a second
	 * per device. */
	PODNET_CMD_NOTIFY_NO_ROUTE,
	/* ifindex, dest_addr: nobody holds dest_addr (the lookup failed, or
	 * the daemon will not ask): the packets waiting for it in the
	 * device are dropped now, counted as tx_no_route, and their
	 * senders get ICMP host unreachable. */
	PODNET_CMD_ROUTE_DROP,

	__PODNET_CMD_MAX,
};
#define PODNET_CMD_MAX (__PODNET_CMD_MAX - 1)

enum podnet_attr {
	PODNET_A_UNSPEC,
	PODNET_A_IFINDEX,		/* u32 */
	PODNET_A_IFNAME,		/* string, IFNAMSIZ */
	PODNET_A_SOCKET_FD,		/* u32, a UDP socket of the caller */
	PODNET_A_PEER_ID,		/* u32, nonzero, chosen by the daemon */
	PODNET_A_ENDPOINT,		/* binary: struct sockaddr_in or
					 * struct sockaddr_in6 */
	PODNET_A_RELAY_CHANNEL,		/* u32, 0: direct */
	PODNET_A_ALLOWED_IPS,		/* nested: PODNET_A_ALLOWED_IP... */
	PODNET_A_KEY_SLOT,		/* u8, enum podnet_key_slot */
	PODNET_A_KEYCONF,		/* nested: enum podnet_keyconf_attr */
	PODNET_A_PAYLOAD,		/* binary, at most PODNET_CTRL_MAX */
	PODNET_A_STATS,			/* nested: enum podnet_stats_attr */
	PODNET_A_TX_SEQ,		/* u64 */
	PODNET_A_PAD,
	PODNET_A_KEYS,			/* nested (reply): PODNET_A_KEY... */
	PODNET_A_DEV_STATS,		/* nested (reply): podnet_stats_attr */
	PODNET_A_SOCKETS,		/* u32 (reply): sockets attached */
	PODNET_A_PEERS,			/* u32 (reply): peers on the device */
	PODNET_A_DEST_ADDR,		/* binary: an IPv4 address (4 bytes)
					 * or an IPv6 one (16) */
	/* binary, 16 bytes: the peer's one inner IPv6 address (a /128),
	 * used like an allowed ip; 0 bytes: the peer has none. Absent in
	 * PEER_SET: unchanged. Taken from any other peer that held it. */
	PODNET_A_PEER_ADDR6,
	__PODNET_A_MAX,
};
#define PODNET_A_MAX (__PODNET_A_MAX - 1)

/* Inside PODNET_A_ALLOWED_IPS: each entry is a nest of this type. */
enum podnet_allowedip_attr {
	PODNET_A_ALLOWED_IP_UNSPEC,
	PODNET_A_ALLOWED_IP,		/* nested entry (list element) */
	PODNET_A_ALLOWED_IP_ADDR,	/* binary, 4 bytes (IPv4) */
	PODNET_A_ALLOWED_IP_PREFIX,	/* u8, 0..32 */
	__PODNET_A_ALLOWED_IP_MAX,
};
#define PODNET_A_ALLOWED_IP_MAX (__PODNET_A_ALLOWED_IP_MAX - 1)

enum podnet_key_slot {
	PODNET_KEY_SLOT_PRIMARY,	/* used for sending */
	PODNET_KEY_SLOT_SECONDARY,	/* still or already accepted */
};

enum podnet_cipher {
	PODNET_CIPHER_CHACHA20_POLY1305,	/* key 32, iv 12 (RFC 7905) */
	PODNET_CIPHER_AES_GCM,			/* key 16|32, salt 4 */
};

enum podnet_keyconf_attr {
	PODNET_A_KEYCONF_UNSPEC,
	PODNET_A_KEYCONF_CIPHER,	/* u8, enum podnet_cipher */
	PODNET_A_KEYCONF_EPOCH,		/* u16, DTLS epoch of data records */
	PODNET_A_KEYCONF_LOCAL_INDEX,	/* u32, receiver index we chose */
	PODNET_A_KEYCONF_REMOTE_INDEX,	/* u32, receiver index peer chose */
	PODNET_A_KEYCONF_TX_KEY,	/* binary */
	PODNET_A_KEYCONF_TX_IV,		/* binary */
	PODNET_A_KEYCONF_RX_KEY,	/* binary */
	PODNET_A_KEYCONF_RX_IV,		/* binary */
	PODNET_A_KEYCONF_TX_SEQ,	/* u64, first sequence number to use */
	PODNET_A_KEYCONF_PENDING,	/* flag: swap to primary on first
					 * authenticated record received */
	PODNET_A_KEYCONF_PAD,
	__PODNET_A_KEYCONF_MAX,
};
#define PODNET_A_KEYCONF_MAX (__PODNET_A_KEYCONF_MAX - 1)

/* Inside PODNET_A_KEYS (replies): one PODNET_A_KEY nest per used slot,
 * holding PODNET_A_KEYCONF_{CIPHER,EPOCH,LOCAL_INDEX,REMOTE_INDEX,TX_SEQ},
 * PODNET_A_KEYCONF_PENDING if set, and PODNET_A_KEY_SLOT_ID. The slot id
 * shares that nest with the keyconf attributes, so it is numbered after
 * them. */
enum podnet_key_attr {
	PODNET_A_KEY_UNSPEC,
	PODNET_A_KEY,
	PODNET_A_KEY_SLOT_ID = __PODNET_A_KEYCONF_MAX,	/* u8 */
	__PODNET_A_KEY_MAX,
};
#define PODNET_A_KEY_MAX (__PODNET_A_KEY_MAX - 1)

enum podnet_stats_attr {
	PODNET_A_STATS_UNSPEC,
	PODNET_A_STATS_RX_BYTES,	/* u64, inner bytes delivered */
	PODNET_A_STATS_TX_BYTES,	/* u64, inner bytes sealed */
	PODNET_A_STATS_RX_PACKETS,	/* u64 */
	PODNET_A_STATS_TX_PACKETS,	/* u64 */
	PODNET_A_STATS_DROP_BAD_SOURCE,	/* u64, inner source not allowed */
	PODNET_A_STATS_DROP_INVALID,	/* u64, auth failed or malformed */
	PODNET_A_STATS_DROP_REPLAY,	/* u64 */
	PODNET_A_STATS_DROP_NO_KEY,	/* u64, outbound without a key */
	PODNET_A_STATS_LAST_RX_MS,	/* u64, ms since last authenticated
					 * record, or absent if never */
	PODNET_A_STATS_LAST_TX_MS,	/* u64 */
	PODNET_A_STATS_PAD,
	PODNET_A_STATS_RX_MALFORMED,	/* u64 (device): bad podnet header */
	PODNET_A_STATS_TX_NO_ROUTE,	/* u64 (device): no peer for dst,
					 * dropped at once or after waiting */
	PODNET_A_STATS_QUEUED,		/* u64: packets waiting now, for a
					 * key or endpoint (peer) or for a
					 * peer to hold the address (device) */
	PODNET_A_STATS_TX_QUEUED,	/* u64: packets that had to wait */
	PODNET_A_STATS_DROP_QUEUE_FULL,	/* u64: oldest waiting packet made
					 * room for a new one */
	PODNET_A_STATS_DROP_BAD_RELAY,	/* u64, relayed on the peer's channel
					 * but not from its relay */
	PODNET_A_STATS_LAST_DIRECT_RX_MS, /* u64, ms since the last
					 * authenticated record that came
					 * directly (not through a relay),
					 * or absent if never */
	__PODNET_A_STATS_MAX,
};
#define PODNET_A_STATS_MAX (__PODNET_A_STATS_MAX - 1)

#define PODNET_MAX_SOCKETS 8
#define PODNET_CTRL_MAX 1400
/* Records per key before PODNET_CMD_NOTIFY_KEY_LIMIT (2^40, like the
 * daemon's RekeyAfterPackets default); at RECORD_SEQ_LAST the key stops. */
#define PODNET_KEY_SOFT_LIMIT (1ULL << 40)

/*
 * What each attribute may hold, once for both sides: the module makes its
 * netlink policies from these lists (kernel/policy.c) and userspace its
 * validation of what the module sends (netlink/podnet_attr.c). Each list
 * names every attribute of its enum, in order (both sides check the
 * count), as X(attr, type, check, a, b):
 *
 *   type   U8 U16 U32 U64 FLAG BINARY STRING NESTED
 *   check  ANY         nothing beyond the type
 *          MIN   a     value >= a
 *          MAX   b     value <= b
 *          RANGE a b   a <= value <= b
 *          LEN   a b   a..b bytes (STRING: at most b characters)
 *          NEST  set   a nest of the attributes of list set
 *          LIST  set   a nest of entries of list set (its ENTRY)
 *          ENTRY set   the element of a list of set; entries do not nest
 *          REPLY a b   only in replies and notifications, refused in
 *                      requests (BINARY with b: a..b bytes)
 */
#define PODNET_ATTRS(X)							\
	X(PODNET_A_IFINDEX,		U32,	MIN,	1, 0)			\
	/* at most IFNAMSIZ - 1 characters */				\
	X(PODNET_A_IFNAME,		STRING,	LEN,	0, 15)			\
	X(PODNET_A_SOCKET_FD,		U32,	RANGE,	0, 0x7fffffff)		\
	X(PODNET_A_PEER_ID,		U32,	MIN,	1, 0)			\
	/* a struct sockaddr_in (16 bytes) or sockaddr_in6 (28) */	\
	X(PODNET_A_ENDPOINT,		BINARY,	LEN,	16, 28)			\
	X(PODNET_A_RELAY_CHANNEL,	U32,	ANY,	0, 0)			\
	X(PODNET_A_ALLOWED_IPS,		NESTED,	LIST,	allowed_ip, 0)		\
	X(PODNET_A_KEY_SLOT,		U8,	MAX,	0, PODNET_KEY_SLOT_SECONDARY) \
	X(PODNET_A_KEYCONF,		NESTED,	NEST,	keyconf, 0)		\
	X(PODNET_A_PAYLOAD,		BINARY,	LEN,	1, PODNET_CTRL_MAX)	\
	X(PODNET_A_STATS,		NESTED,	REPLY,	0, 0)			\
	X(PODNET_A_TX_SEQ,		U64,	REPLY,	0, 0)			\
	X(PODNET_A_PAD,			BINARY,	REPLY,	0, 0)			\
	X(PODNET_A_KEYS,		NESTED,	REPLY,	0, 0)			\
	X(PODNET_A_DEV_STATS,		NESTED,	REPLY,	0, 0)			\
	X(PODNET_A_SOCKETS,		U32,	REPLY,	0, 0)			\
	X(PODNET_A_PEERS,		U32,	REPLY,	0, 0)			\
	/* 4 bytes (IPv4) or 16 (IPv6; checked where used) */	\
	X(PODNET_A_DEST_ADDR,		BINARY,	LEN,	4, 16)			\
	/* 16 bytes, or 0 to clear (checked in PEER_SET) */		\
	X(PODNET_A_PEER_ADDR6,		BINARY,	LEN,	0, 16)

#define PODNET_ALLOWED_IP_ATTRS(X)					\
	X(PODNET_A_ALLOWED_IP,		NESTED,	ENTRY,	allowed_ip, 0)		\
	X(PODNET_A_ALLOWED_IP_ADDR,	BINARY,	LEN,	4, 4)			\
	X(PODNET_A_ALLOWED_IP_PREFIX,	U8,	MAX,	0, 32)

#define PODNET_KEYCONF_ATTRS(X)						\
	X(PODNET_A_KEYCONF_CIPHER,	U8,	MAX,	0, PODNET_CIPHER_AES_GCM) \
	X(PODNET_A_KEYCONF_EPOCH,	U16,	ANY,	0, 0)			\
	X(PODNET_A_KEYCONF_LOCAL_INDEX,	U32,	MIN,	1, 0)			\
	X(PODNET_A_KEYCONF_REMOTE_INDEX, U32,	MIN,	1, 0)			\
	X(PODNET_A_KEYCONF_TX_KEY,	BINARY,	LEN,	16, 32)			\
	X(PODNET_A_KEYCONF_TX_IV,	BINARY,	LEN,	4, 12)			\
	X(PODNET_A_KEYCONF_RX_KEY,	BINARY,	LEN,	16, 32)			\
	X(PODNET_A_KEYCONF_RX_IV,	BINARY,	LEN,	4, 12)			\
	X(PODNET_A_KEYCONF_TX_SEQ,	U64,	RANGE,	0, PODNET_SEQ_LAST)	\
	X(PODNET_A_KEYCONF_PENDING,	FLAG,	ANY,	0, 0)			\
	X(PODNET_A_KEYCONF_PAD,		BINARY,	REPLY,	0, 0)

/* A PODNET_A_KEY entry holds PODNET_KEYCONF_ATTRS and these. */
#define PODNET_KEY_ATTRS(X)						\
	X(PODNET_A_KEY_SLOT_ID,		U8,	REPLY,	0, 0)

#define PODNET_STATS_ATTRS(X)						\
	X(PODNET_A_STATS_RX_BYTES,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_TX_BYTES,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_RX_PACKETS,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_TX_PACKETS,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_DROP_BAD_SOURCE, U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_DROP_INVALID,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_DROP_REPLAY,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_DROP_NO_KEY,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_LAST_RX_MS,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_LAST_TX_MS,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_PAD,		BINARY,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_RX_MALFORMED,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_TX_NO_ROUTE,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_QUEUED,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_TX_QUEUED,	U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_DROP_QUEUE_FULL, U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_DROP_BAD_RELAY, U64,	REPLY,	0, 0)			\
	X(PODNET_A_STATS_LAST_DIRECT_RX_MS, U64, REPLY,	0, 0)

/* For the count checks: 0 PODNET_ATTRS(PODNET_ATTR_ONE) == PODNET_A_MAX */
#define PODNET_ATTR_ONE(attr, type, check, a, b) + 1

#endif /* _UAPI_PODNET_GENL_H */
