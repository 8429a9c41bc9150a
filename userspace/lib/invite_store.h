/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The invitations a CA directory has handed out (podnet invite), one
 * file per token in DIR/invites/ (mode 0700), named by the token id:
 *
 *   DIR/invites/ID        "podnet-invite 1 SHA256(secret) NAME A/P EXPIRES\n", 0600
 *   DIR/invites/ID.used   the same, once a node joined with it
 *
 * Never the secret itself: a copy of the directory cannot join. A token
 * is used up by rename(ID, ID.used), which exactly one caller wins, so
 * it cannot be used twice even by two services on one directory.
 */
#ifndef _PODNET_INVITE_STORE_H
#define _PODNET_INVITE_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "token.h"

#define INVITE_DIR "invites"

/* Records t (its id, the secret's hash, name, address and expiry). */
int invite_store_add(const char *ca_dir, const struct token *t, char *err,
		     size_t errlen);

enum invite_result {
	INVITE_OK = 0,
	INVITE_UNKNOWN,		/* no such id, or the wrong secret */
	INVITE_USED,
	INVITE_EXPIRED,
	INVITE_MISMATCH,	/* name or address not the invitation's */
	INVITE_ERROR,		/* the store itself: err says */
};

struct invite {
	char name[CERT_NAME_MAX];
	struct token_addr address;
	uint64_t expires;
};

/*
 * Checks a join request against the invitation id and, with claim, uses
 * it up. Fills inv when the invitation exists (for messages).
 */
enum invite_result invite_store_check(const char *ca_dir,
				      const uint8_t id[TOKEN_ID_LEN],
				      const uint8_t secret[TOKEN_SECRET_LEN],
				      const char *name,
				      const struct token_addr *address,
				      time_t now, bool claim,
				      struct invite *inv, char *err,
				      size_t errlen);

/* Parses one invitation file's text; -1 if it does not parse. */
int invite_parse(const char *text, size_t len, uint8_t hash[32],
		 struct invite *inv);

#endif /* _PODNET_INVITE_STORE_H */
