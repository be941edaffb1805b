/*
 * cvstore.c - the CVCA's register in the store: CV certificates by
 * origin, issued certificates with the request they answer, and the
 * foreign DVs that may ask (registered or suspended).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npkd_int.h"
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
npkd_store_cv_last_seq(struct npkd_store *s, const char *holder, char *seq,
    size_t sz, struct npkd_err *e)
{
	sqlite3_stmt *q = NULL;

	seq[0] = '\0';
	if (sqlite3_prepare_v2(s->db, "SELECT max(seq) FROM cv_certs WHERE "
	    "holder = ?1 AND origin = 'issued'", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "register");
	sqlite3_bind_text(q, 1, holder, -1, SQLITE_STATIC);
	return one_text(s, q, seq, sz, "register", e);
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
