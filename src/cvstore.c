/*
 * cvstore.c - the CVCA's register in the store: CV certificates by
 * origin, issued certificates with the request they answer, and the
 * foreign DVs that may ask (registered or suspended).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvc_int.h"
#include "store_int.h"

/* CHR = country (2) + mnemonic (up to 9) + sequence number (5). */
static int
split_chr(const char *chr, char *holder, char *seq)
{
	size_t n = strlen(chr);

	if (n < 8 || n > 16)
		return NPKD_E_FORMAT;
	memcpy(holder, chr, n - 5);
	holder[n - 5] = '\0';
	memcpy(seq, chr + n - 5, 6);
	return NPKD_OK;
}

int
npkd_store_cv_add(struct npkd_store *s, const struct npkd_cvc *c,
    const char *origin, const uint8_t *req_sha, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	const uint8_t	*der;
	uint8_t		 sha[32];
	char		 holder[17], seq[6];
	size_t		 len;
	int		 r, rc;

	der = npkd_cvc_der(c, &len);
	if (split_chr(npkd_cvc_chr(c), holder, seq) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: not a CHR of country, "
		    "mnemonic and sequence number", npkd_cvc_chr(c));
	if ((rc = npkd_hash(NPKD_HASH_SHA256, der, len, sha, e)) != NPKD_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO cv_certs (sha256, chr, car, "
	    "holder, seq, role, not_before, not_after, origin, request, der, "
	    "added) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "strftime('%s', 'now'))", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "register");
	sqlite3_bind_blob(q, 1, sha, 32, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, npkd_cvc_chr(c), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, npkd_cvc_car(c) ? npkd_cvc_car(c) : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(q, 4, holder, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, seq, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 6, npkd_cvc_role(c));
	sqlite3_bind_int64(q, 7, npkd_cvc_effective(c));
	sqlite3_bind_int64(q, 8, npkd_cvc_expiry(c));
	sqlite3_bind_text(q, 9, origin, -1, SQLITE_STATIC);
	if (req_sha != NULL)
		sqlite3_bind_blob(q, 10, req_sha, 32, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 10);
	sqlite3_bind_blob(q, 11, der, (int)len, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r == SQLITE_CONSTRAINT)
		return npkd_seterr(e, NPKD_E_VERIFY, "%s: already in the "
		    "register (certificate, request or CHR issued before)",
		    npkd_cvc_chr(c));
	if (r != SQLITE_DONE)
		return npkd_sqlerr(s, e, "register");
	return NPKD_OK;
}

int
npkd_store_cv_remove(struct npkd_store *s, const struct npkd_cvc *c,
    struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	const uint8_t	*der;
	uint8_t		 sha[32];
	size_t		 len;
	int		 r;

	der = npkd_cvc_der(c, &len);
	npkd_hash(NPKD_HASH_SHA256, der, len, sha, e);
	if (sqlite3_prepare_v2(s->db, "DELETE FROM cv_certs WHERE sha256 = ?1",
	    -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "register");
	sqlite3_bind_blob(q, 1, sha, 32, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	return r == SQLITE_DONE ? NPKD_OK : npkd_sqlerr(s, e, "register");
}

int
npkd_store_cv_list(struct npkd_store *s, const char *origin, long days,
    time_t now, int (*fn)(void *, const uint8_t *, size_t, const char *),
    void *arg, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	int		 r, rc = NPKD_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT der, origin FROM cv_certs WHERE "
	    "(?1 IS NULL OR origin = ?1) AND (?2 < 0 OR not_after <= ?3) "
	    "ORDER BY chr", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "register");
	if (origin != NULL)
		sqlite3_bind_text(q, 1, origin, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 1);
	sqlite3_bind_int64(q, 2, days);
	sqlite3_bind_int64(q, 3, now + days * 86400L);
	while ((r = sqlite3_step(q)) == SQLITE_ROW)
		if ((rc = fn(arg, sqlite3_column_blob(q, 0),
		    (size_t)sqlite3_column_bytes(q, 0),
		    (const char *)sqlite3_column_text(q, 1))) != 0)
			break;
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "register");
	sqlite3_finalize(q);
	return rc;
}

/*
 * Step q once and copy the text of its first column (empty when there is
 * no row or it is NULL); a failed read is an error, never "nothing".
 * Finalizes q.
 */
static int
one_text(struct npkd_store *s, sqlite3_stmt *q, char *out, size_t sz,
    const char *what, struct npkd_err *e)
{
	int r;

	if ((r = sqlite3_step(q)) == SQLITE_ROW &&
	    sqlite3_column_text(q, 0) != NULL)
		snprintf(out, sz, "%s", sqlite3_column_text(q, 0));
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		r = npkd_sqlerr(s, e, what);
	else
		r = NPKD_OK;
	sqlite3_finalize(q);
	return r;
}

int
npkd_store_dv_set(struct npkd_store *s, const char *holder,
    const char *status, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	int		 r;

	if (strlen(holder) < 3 || strlen(holder) > 11)
		return npkd_seterr(e, NPKD_E_USAGE, "%s: a DV holder is a "
		    "country code and a mnemonic", holder);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO cv_dvs (holder, status, "
	    "since) VALUES (?1, ?2, strftime('%s', 'now')) ON CONFLICT (holder) "
	    "DO UPDATE SET status = ?2, since = strftime('%s', 'now')", -1, &q,
	    NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "DV register");
	sqlite3_bind_text(q, 1, holder, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, status, -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r == SQLITE_CONSTRAINT)
		return npkd_seterr(e, NPKD_E_USAGE, "status %s: registered or "
		    "suspended", status);
	return r == SQLITE_DONE ? NPKD_OK : npkd_sqlerr(s, e, "DV register");
}

int
npkd_store_dv_status(struct npkd_store *s, const char *holder, char *status,
    size_t sz, struct npkd_err *e)
{
	sqlite3_stmt *q = NULL;

	status[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT status FROM cv_dvs WHERE holder = "
	    "?1", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "DV register");
	sqlite3_bind_text(q, 1, holder, -1, SQLITE_STATIC);
	return one_text(s, q, status, sz, "DV register", e);
}

/* A list of parsed register entries. */
struct reg {
	struct npkd_cvc	**v;
	size_t		  n;
};

static int
reg_one(void *arg, const uint8_t *der, size_t len, const char *origin)
{
	struct reg	 *r = arg;
	struct npkd_cvc	 *c, **nv;

	(void)origin;
	if (npkd_cvc_parse(der, len, 0, &c, NULL) != NPKD_OK)
		return NPKD_E_FORMAT;	/* the register holds only parsed ones */
	if ((nv = reallocarray(r->v, r->n + 1, sizeof(*nv))) == NULL) {
		npkd_cvc_free(c);
		return NPKD_E_NOMEM;
	}
	r->v = nv;
	r->v[r->n++] = c;
	return 0;
}

static void
reg_free(struct reg *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		npkd_cvc_free(r->v[i]);
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

static int
reg_load(struct npkd_store *s, const char *origin, struct reg *r,
    struct npkd_err *e)
{
	int rc;

	if ((rc = npkd_store_cv_list(s, origin, -1, 0, reg_one, r, e)) > 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "register: an entry that "
		    "does not parse");
	if (rc == NPKD_E_FORMAT || rc == NPKD_E_NOMEM)
		return npkd_seterr(e, rc, "register: %s", rc == NPKD_E_NOMEM ?
		    "out of memory" : "an entry that does not parse");
	return rc;
}

/* Join two lists of certificates into a new array (the caller frees). */
static const struct npkd_cvc **
join(const struct npkd_cvc *const *a, size_t na, struct npkd_cvc *const *b,
    size_t nb)
{
	const struct npkd_cvc **v;

	if ((v = calloc(na + nb + 1, sizeof(*v))) == NULL)
		return NULL;
	if (na > 0)
		memcpy(v, a, na * sizeof(*v));
	if (nb > 0)
		memcpy(v + na, b, nb * sizeof(*v));
	return v;
}

/* Verify c against itself or the register, then keep it (see npkd.h). */
int
npkd_store_cv_register(struct npkd_store *s, const struct npkd_cvc *c,
    const char *origin, const char **result, struct npkd_err *e)
{
	struct reg		 anchors = { NULL, 0 }, others = { NULL, 0 };
	const struct npkd_cvc	**trust = NULL;
	int			 rc;

	*result = NULL;
	if (strcmp(origin, "registered") != 0 && strcmp(origin, "own") != 0 &&
	    strcmp(origin, "ours") != 0)
		return npkd_seterr(e, NPKD_E_USAGE, "origin %s: registered, "
		    "own or ours", origin);
	if (npkd_cvc_kind(c) != NPKD_CVC_CERT)
		return npkd_seterr(e, NPKD_E_USAGE, "%s: not a certificate",
		    npkd_cvc_chr(c));
	if (strcmp(origin, "ours") != 0 && npkd_cvc_role(c) != NPKD_CVC_CVCA)
		return npkd_seterr(e, NPKD_E_USAGE, "%s: not a CVCA certificate",
		    npkd_cvc_chr(c));
	/* anchors: registered and own CVCAs, and a self-signed c itself */
	if ((rc = reg_load(s, "registered", &anchors, e)) != NPKD_OK ||
	    (rc = reg_load(s, "own", &anchors, e)) != NPKD_OK ||
	    (rc = reg_load(s, "issued", &others, e)) != NPKD_OK ||
	    (rc = reg_load(s, "ours", &others, e)) != NPKD_OK)
		goto out;
	if ((trust = join(&c, strcmp(c->car, c->chr) == 0 ? 1 : 0, anchors.v,
	    anchors.n)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "register");
		goto out;
	}
	if ((rc = npkd_cvc_verify(c, (const struct npkd_cvc *const *)others.v,
	    others.n, trust, anchors.n + (strcmp(c->car, c->chr) == 0),
	    c->effective, result, e)) != NPKD_OK)
		goto out;
	rc = npkd_store_cv_add(s, c, origin, NULL, e);
 out:
	free(trust);
	reg_free(&anchors);
	reg_free(&others);
	return rc;
}

#define REFUSE(...) do {						\
	*result = "failure_request_not_accepted";			\
	rc = npkd_seterr(e, NPKD_E_VERIFY, __VA_ARGS__);		\
	goto out;							\
} while (0)

/* What was issued before under holder, oldest first. */
static int
issued_seqs(struct npkd_store *s, const char *holder, char (**seqs)[6],
    size_t *n, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	char		(*v)[6] = NULL, (*nv)[6];
	int		 r;

	*seqs = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT seq FROM cv_certs WHERE holder = "
	    "?1 AND origin = 'issued' ORDER BY added, rowid", -1, &q, NULL) !=
	    SQLITE_OK)
		return npkd_sqlerr(s, e, "register");
	sqlite3_bind_text(q, 1, holder, -1, SQLITE_STATIC);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if ((nv = reallocarray(v, *n + 1, sizeof(*v))) == NULL) {
			free(v);
			sqlite3_finalize(q);
			return npkd_seterr(e, NPKD_E_NOMEM, "register");
		}
		v = nv;
		snprintf(v[(*n)++], 6, "%s", sqlite3_column_text(q, 0) ?
		    (const char *)sqlite3_column_text(q, 0) : "");
	}
	sqlite3_finalize(q);
	if (r != SQLITE_DONE) {
		free(v);
		*n = 0;
		return npkd_sqlerr(s, e, "register");
	}
	*seqs = v;
	return NPKD_OK;
}

/* The register's refusals, then npkd_cvca_issue, then the record. */
int
npkd_store_cv_issue(struct npkd_store *s, const struct npkd_cvca_issue *in,
    struct npkd_key *key, struct npkd_buf *out, const char **result,
    struct npkd_err *e)
{
	struct reg		 own = { NULL, 0 }, foreign = { NULL, 0 },
				 issued = { NULL, 0 }, all = { NULL, 0 };
	struct npkd_cvca_issue	 x = *in;
	struct npkd_cvc		*made = NULL;
	const struct npkd_cvc	*r = in->request;
	const struct npkd_cvc	**vo = NULL, **vf = NULL, **vp = NULL;
	const char		**prev = NULL;
	char			(*seqs)[6] = NULL, holder[17], status[16],
				 chr[17], cc[3];
	const uint8_t		*der, *rk, *ik;
	uint8_t			 rsha[32];
	size_t			 len, nseq = 0, rl, il, i;
	sqlite3_stmt		*q = NULL;
	int			 rc;

	*result = NULL;
	out->data = NULL;
	out->len = 0;
	if (r == NULL || npkd_cvc_kind(r) == NPKD_CVC_CERT || in->signer == NULL)
		return npkd_cvca_issue(in, key, out, result, e);
	der = npkd_cvc_der(r, &len);
	if ((rc = npkd_hash(NPKD_HASH_SHA256, der, len, rsha, e)) != NPKD_OK)
		return rc;
	/* a request served before is not served again */
	chr[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT chr FROM cv_certs WHERE request "
	    "= ?1", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "register");
	sqlite3_bind_blob(q, 1, rsha, 32, SQLITE_STATIC);
	if ((rc = one_text(s, q, chr, sizeof(chr), "register", e)) != NPKD_OK)
		return rc;
	if (chr[0] != '\0')
		REFUSE("%s: this request was served before (%s)",
		    npkd_cvc_chr(r), chr);
	if (sqlite3_prepare_v2(s->db, "SELECT chr FROM cv_certs WHERE chr = ?1 "
	    "AND origin = 'issued'", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "register");
	sqlite3_bind_text(q, 1, npkd_cvc_chr(r), -1, SQLITE_STATIC);
	if ((rc = one_text(s, q, chr, sizeof(chr), "register", e)) != NPKD_OK)
		return rc;
	if (chr[0] != '\0')
		REFUSE("%s: a certificate was issued to this CHR before",
		    npkd_cvc_chr(r));
	if (npkd_cvc_holder(npkd_cvc_chr(r), holder, sizeof(holder)) !=
	    NPKD_OK) {
		*result = "failure_request_syntax";
		return npkd_seterr(e, NPKD_E_VERIFY, "%s: not a CHR of a "
		    "country code, a mnemonic and a sequence number",
		    npkd_cvc_chr(r));
	}
	/* a CVCA serves registered, unsuspended DVs */
	if (npkd_cvc_role(in->signer) == NPKD_CVC_CVCA) {
		if ((rc = npkd_store_dv_status(s, holder, status,
		    sizeof(status), e)) != NPKD_OK)
			goto out;
		if (strcmp(status, "registered") != 0)
			REFUSE("DV %s is %s", holder, status[0] ? status :
			    "not registered");
	}
	/* sequence numbers in order (TR-03110-3 A.6.1) */
	if ((rc = issued_seqs(s, holder, &seqs, &nseq, e)) != NPKD_OK)
		goto out;
	if (nseq > 0 && (prev = calloc(nseq, sizeof(*prev))) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "register");
		goto out;
	}
	for (i = 0; i < nseq; i++)
		prev[i] = seqs[i];
	snprintf(cc, sizeof(cc), "%.2s", npkd_cvc_chr(in->signer));
	if ((rc = npkd_cvc_seq_check(prev, nseq, npkd_cvc_chr(r) +
	    strlen(npkd_cvc_chr(r)) - 5, cc, e)) != NPKD_OK) {
		*result = rc == NPKD_E_FORMAT ? "failure_request_syntax" :
		    "failure_request_not_accepted";
		rc = NPKD_E_VERIFY;
		goto out;
	}
	if ((rc = reg_load(s, "own", &own, e)) != NPKD_OK ||
	    (rc = reg_load(s, "registered", &foreign, e)) != NPKD_OK ||
	    (rc = reg_load(s, "issued", &issued, e)) != NPKD_OK ||
	    (rc = reg_load(s, NULL, &all, e)) != NPKD_OK)
		goto out;
	/* TR-03139: a new key for every certificate */
	rk = npkd_cvc_pubkey(r, &rl);
	for (i = 0; i < all.n; i++) {
		ik = npkd_cvc_pubkey(all.v[i], &il);
		if (il == rl && memcmp(ik, rk, rl) == 0)
			REFUSE("%s: its key is already certified (%s)",
			    npkd_cvc_chr(r), npkd_cvc_chr(all.v[i]));
	}
	if ((vo = join(in->ours, in->nours, own.v, own.n)) == NULL ||
	    (vf = join(in->foreign, in->nforeign, foreign.v, foreign.n)) ==
	    NULL || (vp = join(in->pool, in->npool, issued.v, issued.n)) ==
	    NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "register");
		goto out;
	}
	x.ours = vo;
	x.nours = in->nours + own.n;
	x.foreign = vf;
	x.nforeign = in->nforeign + foreign.n;
	x.pool = vp;
	x.npool = in->npool + issued.n;
	if ((rc = npkd_cvca_issue(&x, key, out, result, e)) != NPKD_OK)
		goto out;
	/* recorded before it leaves: never a request or CHR twice */
	if ((rc = npkd_cvc_parse(out->data, out->len, 0, &made, e)) != NPKD_OK)
		goto out;
	if ((rc = npkd_store_cv_add(s, made, "issued", rsha, e)) != NPKD_OK) {
		if (rc == NPKD_E_VERIFY)
			*result = "failure_request_not_accepted";
		goto out;
	}
 out:
	if (rc != NPKD_OK)
		npkd_buf_free(out);
	npkd_cvc_free(made);
	free(vo);
	free(vf);
	free(vp);
	free(prev);
	free(seqs);
	reg_free(&own);
	reg_free(&foreign);
	reg_free(&issued);
	reg_free(&all);
	return rc;
}
