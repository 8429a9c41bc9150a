// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * A TCG plugin for qemu-system (scripts/bench-kernel-profile.sh): counts
 * the guest instructions each translated block executes, inside windows
 * that the guest opens and closes by writing to a shared control file:
 * "start NAME" snapshots every counter, "stop" writes NAME.insns, one
 * "ADDRESS INSTRUCTIONS" line (hex, decimal) per block that ran.
 *
 * Why: perf inside a TCG guest samples only where interrupts get in
 * (native_safe_halt), so it cannot say where a guest's CPU goes. The
 * translator sees every block, so counting there is exact, in
 * instructions (not time: emulation prices instructions unevenly).
 *
 * Only the few entry points of qemu's plugin API (version 1, qemu 7.2)
 * that this needs are declared here; Debian ships no qemu-plugin.h.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

typedef struct qemu_info_t {
	const char *target_name;
	struct {
		int min, cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus, max_vcpus;
		} system;
	};
} qemu_info_t;

struct qemu_plugin_tb;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

PLUGIN_EXPORT int qemu_plugin_version = 1;
PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
				      const qemu_info_t *info, int argc,
				      char **argv);

/* One per translation; the inline counter points into it, so it never
 * moves (the table of pointers may). */
struct block_count {
	uint64_t vaddr;
	uint64_t insns;		/* added to by the vCPUs, without atomics */
	uint64_t at_start;
};

static struct block_count **blocks;
static size_t n_blocks, blocks_cap;
static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static const char *control_path;
static const char *out_dir;

static void block_translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct block_count *b = calloc(1, sizeof(*b));

	(void)id;
	if (!b)
		return;
	b->vaddr = qemu_plugin_tb_vaddr(tb);
	pthread_mutex_lock(&blocks_lock);
	if (n_blocks == blocks_cap) {
		size_t cap = blocks_cap ? blocks_cap * 2 : 65536;
		struct block_count **grown = realloc(blocks,
						     cap * sizeof(*grown));

		if (!grown) {
			pthread_mutex_unlock(&blocks_lock);
			free(b);
			return;
		}
		blocks = grown;
		blocks_cap = cap;
	}
	blocks[n_blocks++] = b;
	pthread_mutex_unlock(&blocks_lock);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &b->insns,
						 qemu_plugin_tb_n_insns(tb));
}

static void window_start(void)
{
	pthread_mutex_lock(&blocks_lock);
	for (size_t i = 0; i < n_blocks; i++)
		blocks[i]->at_start = blocks[i]->insns;
	pthread_mutex_unlock(&blocks_lock);
}

static void window_stop(const char *name)
{
	char path[4096];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s.insns", out_dir, name);
	out = fopen(path, "w");
	if (!out) {
		fprintf(stderr, "tcg-insns: %s: %s\n", path, strerror(errno));
		return;
	}
	pthread_mutex_lock(&blocks_lock);
	for (size_t i = 0; i < n_blocks; i++)
		if (blocks[i]->insns > blocks[i]->at_start)
			fprintf(out, "%" PRIx64 " %" PRIu64 "\n",
				blocks[i]->vaddr,
				blocks[i]->insns - blocks[i]->at_start);
	pthread_mutex_unlock(&blocks_lock);
	if (fclose(out))
		fprintf(stderr, "tcg-insns: %s: %s\n", path, strerror(errno));
}

/* Polls the control file every 20 ms: a window is seconds long, and a
 * plugin has no other way to hear from the guest. */
static void *control_poll(void *arg)
{
	char last[256] = "", line[256], name[200] = "";
	const struct timespec tick = { 0, 20 * 1000 * 1000 };

	(void)arg;
	for (;;) {
		FILE *f;

		nanosleep(&tick, NULL);
		f = fopen(control_path, "r");
		if (!f)
			continue;
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
		if (!strcmp(line, last))
			continue;
		snprintf(last, sizeof(last), "%s", line);
		if (!strncmp(line, "start ", 6) &&
		    sscanf(line + 6, "%199[A-Za-z0-9_.=-]", name) == 1) {
			window_start();
		} else if (!strncmp(line, "stop", 4) && name[0]) {
			window_stop(name);
			name[0] = '\0';
		}
	}
	return NULL;
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	pthread_t poller;

	(void)info;
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "control=", 8))
			control_path = argv[i] + 8;
		else if (!strncmp(argv[i], "out=", 4))
			out_dir = argv[i] + 4;
	}
	if (!control_path || !out_dir) {
		fprintf(stderr, "tcg-insns: wants control=FILE,out=DIR\n");
		return 1;
	}
	if (pthread_create(&poller, NULL, control_poll, NULL))
		return 1;
	pthread_detach(poller);
	qemu_plugin_register_vcpu_tb_trans_cb(id, block_translated);
	return 0;
}
