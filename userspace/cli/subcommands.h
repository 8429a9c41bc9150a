/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * One entry point per `podnet` subcommand, each in its own file. Each takes
 * argv starting at the subcommand's own name, prints usage to stderr on
 * misuse, and returns the process exit status (0 or 1).
 */
#ifndef _PODNET_SUBCOMMANDS_H
#define _PODNET_SUBCOMMANDS_H

extern const char *prog_name;

int ca_main(int argc, char *argv[]);
int ca_serve_main(int argc, char *argv[]);
int cert_main(int argc, char *argv[]);
int invite_main(int argc, char *argv[]);
int join_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int ping_main(int argc, char *argv[]);
int set_main(int argc, char *argv[]);
int peer_main(int argc, char *argv[]);
int showconf_main(int argc, char *argv[]);
int syncconf_main(int argc, char *argv[]);

#endif /* _PODNET_SUBCOMMANDS_H */
