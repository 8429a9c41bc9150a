// SPDX-License-Identifier: GPL-2.0-only
/*
 * Copyright (C) 2026 The podnet developers.
 *
 * The join request and answer (join_proto.h): line-oriented text, with
 * length-prefixed blobs in the answer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "errbuf.h"
#include "join_proto.h"

int join_request_encode(const struct join_request *req, char *out,
			size_t outlen)
{
	char id[TOKEN_ID_HEX], secret[2 * TOKEN_SECRET_LEN + 1];
	char pub[2 * CERT_ED25519_PUB_LEN + 1], addr[TOKEN_ADDR_STR_MAX];
	int n;

	token_hex(req->id, sizeof(req->id), id);
	token_hex(req->secret, sizeof(req->secret), secret);
	token_hex(req->pub, sizeof(req->pub), pub);
	n = snprintf(out, outlen,
		     JOIN_MAGIC "\nid %s\nsecret %s\nname %s\naddress %s\nkey %s\n\n",
		     id, secret, req->name,
		     token_addr_format(&req->address, true, addr,
				       sizeof(addr)),
		     pub);
	explicit_bzero(secret, sizeof(secret));
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int join_request_complete(const char *buf, size_t len)
{
	if (len >= strlen(JOIN_MAGIC) &&
	    memcmp(buf, JOIN_MAGIC, strlen(JOIN_MAGIC)))
		return -1;
	if (len < strlen(JOIN_MAGIC) &&
	    memcmp(buf, JOIN_MAGIC, len))
		return -1;
	if (memmem(buf, len, "\n\n", 2))
		return 1;
	return len >= JOIN_REQUEST_MAX ? -1 : 0;
}

/*
 * The next line of buf[*pos..len) must be "key value": returns the value
 * NUL-terminated in val (at most vallen - 1 bytes) or -1.
 */
static int next_field(const char *buf, size_t len, size_t *pos,
		      const char *key, char *val, size_t vallen)
{
	const char *line = buf + *pos;
	const char *nl = memchr(line, '\n', len - *pos);
	size_t klen = strlen(key), llen, i;

	if (!nl)
		return -1;
	llen = (size_t)(nl - line);
	if (llen <= klen + 1 || memcmp(line, key, klen) || line[klen] != ' ' ||
	    llen - klen - 1 >= vallen)
		return -1;
	for (i = klen + 1; i < llen; i++)
		if (line[i] < 0x21 || line[i] > 0x7e)
			return -1;	/* printable, no spaces */
	memcpy(val, line + klen + 1, llen - klen - 1);
	val[llen - klen - 1] = '\0';
	*pos += llen + 1;
	return 0;
}

int join_request_parse(const char *buf, size_t len, struct join_request *req,
		       char *err, size_t errlen)
{
	char val[160];
	size_t pos, mlen = strlen(JOIN_MAGIC);

	memset(req, 0, sizeof(*req));
	if (len > JOIN_REQUEST_MAX || len < mlen + 1 ||
	    memcmp(buf, JOIN_MAGIC "\n", mlen + 1))
		return errbuf_fail(err, errlen, "not a join request");
	pos = mlen + 1;
	if (next_field(buf, len, &pos, "id", val, sizeof(val)) ||
	    token_unhex(val, req->id, sizeof(req->id)))
		return errbuf_fail(err, errlen, "bad id");
	if (next_field(buf, len, &pos, "secret", val, sizeof(val)) ||
	    token_unhex(val, req->secret, sizeof(req->secret))) {
		explicit_bzero(val, sizeof(val));
		return errbuf_fail(err, errlen, "bad secret");
	}
	explicit_bzero(val, sizeof(val));
	if (next_field(buf, len, &pos, "name", req->name, sizeof(req->name)) ||
	    !cert_name_valid(req->name))
		return errbuf_fail(err, errlen, "bad name");
	if (next_field(buf, len, &pos, "address", val, sizeof(val)) ||
	    token_addr_parse(val, &req->address, NULL, 0))
		return errbuf_fail(err, errlen, "bad address");
	if (next_field(buf, len, &pos, "key", val, sizeof(val)) ||
	    token_unhex(val, req->pub, sizeof(req->pub)))
		return errbuf_fail(err, errlen, "bad key");
	if (len - pos != 1 || buf[pos] != '\n')
		return errbuf_fail(err, errlen, "trailing bytes after the request");
	return 0;
}

int join_response_encode_error(char *out, size_t outlen, const char *msg)
{
	int n = snprintf(out, outlen, JOIN_MAGIC " error %s\n", msg);

	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

static int put_blob(uint8_t *out, size_t outlen, size_t *pos,
		    const char *key, const uint8_t *blob, size_t len)
{
	int n = snprintf((char *)out + *pos, outlen - *pos, "%s %zu\n", key,
			 len);

	if (n < 0 || (size_t)n >= outlen - *pos ||
	    len > outlen - *pos - (size_t)n)
		return -1;
	*pos += (size_t)n;
	memcpy(out + *pos, blob, len);
	*pos += len;
	return 0;
}

int join_response_encode_ok(const struct join_response *resp, uint8_t *out,
			    size_t outlen)
{
	char ep[ADDR_STR_MAX];
	size_t pos = 0, i;
	int n;

	n = snprintf((char *)out, outlen, JOIN_MAGIC " ok\n");
	if (n < 0 || (size_t)n >= outlen)
		return -1;
	pos = (size_t)n;
	if (put_blob(out, outlen, &pos, "certificate", resp->cert,
		     resp->cert_len) ||
	    put_blob(out, outlen, &pos, "ca", resp->ca, resp->ca_len))
		return -1;
	if (resp->revocation_len &&
	    put_blob(out, outlen, &pos, "revocation", resp->revocation,
		     resp->revocation_len))
		return -1;
	for (i = 0; i < resp->n_rv; i++) {
		n = snprintf((char *)out + pos, outlen - pos,
			     "rendezvous %s %s\n", resp->rv[i].name,
			     endpoint_format(&resp->rv[i].endpoint, ep,
					     sizeof(ep)));
		if (n < 0 || (size_t)n >= outlen - pos)
			return -1;
		pos += (size_t)n;
	}
	n = snprintf((char *)out + pos, outlen - pos, "end\n");
	if (n < 0 || (size_t)n >= outlen - pos)
		return -1;
	return (int)(pos + (size_t)n);
}

/* One line of buf[*pos..len) into line (NUL-terminated), or -1. */
static int take_line(const uint8_t *buf, size_t len, size_t *pos, char *line,
		     size_t linelen)
{
	const uint8_t *nl = memchr(buf + *pos, '\n', len - *pos);
	size_t n, i;

	if (!nl)
		return -1;
	n = (size_t)(nl - (buf + *pos));
	if (n >= linelen)
		return -1;
	for (i = 0; i < n; i++)
		if (buf[*pos + i] < 0x20 || buf[*pos + i] > 0x7e)
			return -1;
	memcpy(line, buf + *pos, n);
	line[n] = '\0';
	*pos += n + 1;
	return 0;
}

static int take_blob(const uint8_t *buf, size_t len, size_t *pos,
		     const char *line, const char *key, const uint8_t **blob,
		     size_t *blob_len)
{
	size_t klen = strlen(key);
	unsigned long n;
	char *end;

	if (strncmp(line, key, klen) || line[klen] != ' ' ||
	    line[klen + 1] < '0' || line[klen + 1] > '9')
		return -1;
	n = strtoul(line + klen + 1, &end, 10);
	if (*end || n == 0 || n > len - *pos)
		return -1;
	*blob = buf + *pos;
	*blob_len = n;
	*pos += n;
	return 0;
}

int join_response_parse(const uint8_t *buf, size_t len,
			struct join_response *resp, char *err, size_t errlen)
{
	char line[JOIN_ERROR_MAX + 32], name[CERT_NAME_MAX], ep[ADDR_STR_MAX];
	size_t pos = 0, mlen = strlen(JOIN_MAGIC);

	memset(resp, 0, sizeof(*resp));
	if (len > JOIN_RESPONSE_MAX ||
	    take_line(buf, len, &pos, line, sizeof(line)) ||
	    strncmp(line, JOIN_MAGIC " ", mlen + 1))
		return errbuf_fail(err, errlen, "the service's answer is not ours");
	if (!strncmp(line + mlen + 1, "error ", 6)) {
		snprintf(resp->error, sizeof(resp->error), "%s",
			 line + mlen + 7);
		return 0;
	}
	if (strcmp(line + mlen + 1, "ok"))
		return errbuf_fail(err, errlen, "the service's answer is not ours");
	if (take_line(buf, len, &pos, line, sizeof(line)) ||
	    take_blob(buf, len, &pos, line, "certificate", &resp->cert,
		      &resp->cert_len) ||
	    take_line(buf, len, &pos, line, sizeof(line)) ||
	    take_blob(buf, len, &pos, line, "ca", &resp->ca, &resp->ca_len) ||
	    take_line(buf, len, &pos, line, sizeof(line)))
		return errbuf_fail(err, errlen, "the service's answer is damaged");
	if (!strncmp(line, "revocation ", 11) &&
	    (take_blob(buf, len, &pos, line, "revocation", &resp->revocation,
		       &resp->revocation_len) ||
	     take_line(buf, len, &pos, line, sizeof(line))))
		return errbuf_fail(err, errlen, "the service's answer is damaged");
	while (!strncmp(line, "rendezvous ", 11)) {
		struct join_rendezvous *rv = &resp->rv[resp->n_rv];

		if (resp->n_rv == JOIN_RV_MAX ||
		    sscanf(line + 11, "%63s %63s", name, ep) != 2 ||
		    !cert_name_valid(name) ||
		    endpoint_parse(ep, &rv->endpoint) < 0)
			return errbuf_fail(err, errlen,
					   "the service's answer has a bad rendezvous line");
		snprintf(rv->name, sizeof(rv->name), "%s", name);
		resp->n_rv++;
		if (take_line(buf, len, &pos, line, sizeof(line)))
			return errbuf_fail(err, errlen,
					   "the service's answer is damaged");
	}
	if (strcmp(line, "end") || pos != len)
		return errbuf_fail(err, errlen, "the service's answer is damaged");
	resp->ok = true;
	return 0;
}
