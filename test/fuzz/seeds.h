/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The seed-writer mode of the fuzz targets: run a target with
 * PODNET_FUZZ_WRITE_SEEDS=DIR and, instead of fuzzing, it writes the seeds
 * it generates (sealed records, super-packets, full-size inputs) into DIR
 * and exits (`make fuzz-seeds`). The seeds in test/fuzz/corpus/ are
 * reproducible that way.
 */
#ifndef _PODNET_FUZZ_SEEDS_H
#define _PODNET_FUZZ_SEEDS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* Each target defines this: writes its seeds with seed_write(). */
static void write_seeds(void);

static const char *seed_dir;

static void seed_write(const char *name, const void *buf, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", seed_dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	printf("  SEED   %s (%zu bytes)\n", path, len);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Returns (and the target fuzzes) unless seeds were asked for. */
static void seed_mode(void)
{
	seed_dir = getenv("PODNET_FUZZ_WRITE_SEEDS");
	if (!seed_dir)
		return;
	write_seeds();
	exit(0);
}

/* Most targets need no set-up but the seed writer; one that does defines
 * FUZZ_OWN_INITIALIZE before including this and calls seed_mode() itself. */
#ifndef FUZZ_OWN_INITIALIZE
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	seed_mode();
	return 0;
}
#endif

#endif /* _PODNET_FUZZ_SEEDS_H */
