/*
 * validate.c - npkd check: the trust model of trust.c run over the store.
 *
 * The CA side (CSCA and link certificates, list signers, CRLs, lists and
 * what they vouch for, the officer's anchors and list authorities) is
 * loaded whole and judged by the engine.  End-entity certificates (DSCs)
 * are judged from their stored columns, without decoding them, whenever
 * the signature verdict for each key that may have signed them is in the
 * cache; the others are decoded and verified by worker threads.  Every
 * signature verdict is kept in the store (sigcache), so that a check of an
 * unchanged store verifies nothing, and one after an import verifies only
 * what is new.  Verdicts are written only where they changed; everything
 * happens in one transaction.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trust.h"
#include "store_int.h"

#define BATCH	4096

const char *
npkd_status_name(int s)
{
	return npkd_trust_status_name(s);
}

/* ---- the signature cache in the store ---- */

static int
cache_load(struct npkd_store *s, struct sigcache *sc, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	int		 r;

	if (sqlite3_prepare_v2(s->db, "SELECT obj, key, result FROM sigcache",
	    -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "signature cache");
	while ((r = sqlite3_step(q)) == SQLITE_ROW)
		if (sqlite3_column_bytes(q, 0) == 32 &&
		    sqlite3_column_bytes(q, 1) == 32 &&
		    npkd_sigcache_put(sc, sqlite3_column_blob(q, 0),
		    sqlite3_column_blob(q, 1), sqlite3_column_int(q, 2), 0) !=
		    NPKD_OK) {
			sqlite3_finalize(q);
			return npkd_seterr(e, NPKD_E_NOMEM, "signature cache");
		}
	sqlite3_finalize(q);
	return r == SQLITE_DONE ? NPKD_OK : npkd_sqlerr(s, e, "signature cache");
}

struct saver {
	struct npkd_store	*s;
	sqlite3_stmt		*q;
};

static int
save_one(void *arg, const uint8_t *obj, const uint8_t *key, int sig)
{
	struct saver *v = arg;

	sqlite3_reset(v->q);
	sqlite3_bind_blob(v->q, 1, obj, 32, SQLITE_STATIC);
	sqlite3_bind_blob(v->q, 2, key, 32, SQLITE_STATIC);
	sqlite3_bind_int(v->q, 3, sig);
	return sqlite3_step(v->q) == SQLITE_DONE ? 0 : -1;
}

static int
cache_save(struct npkd_store *s, const struct sigcache *sc, struct npkd_err *e)
{
	struct saver	v;
	int		rc;

	v.s = s;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO sigcache (obj, "
	    "key, result) VALUES (?1, ?2, ?3)", -1, &v.q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "signature cache");
	rc = npkd_sigcache_each_new(sc, save_one, &v);
	sqlite3_finalize(v.q);
	return rc == 0 ? NPKD_OK : npkd_sqlerr(s, e, "signature cache");
}

int
npkd_store_sig_put(struct npkd_store *s, const uint8_t *obj, const uint8_t *key,
    int sig, struct npkd_err *e)
{
	struct saver v;

	v.s = s;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO sigcache (obj, "
	    "key, result) VALUES (?1, ?2, ?3)", -1, &v.q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "signature cache");
	sig = save_one(&v, obj, key, sig);
	sqlite3_finalize(v.q);
	return sig == 0 ? NPKD_OK : npkd_sqlerr(s, e, "signature cache");
}

/* ---- columns of rows stored by an older npkd ---- */

/*
 * Rows without name and key ids (stored before this schema): decoded
 * once and completed, so that check can judge them from their columns.
 */
static int
backfill(struct npkd_store *s, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL, *u = NULL;
	struct npkd_cert *c;
	struct npkd_crl	*crl;
	char		*fj;
	int		 r, rc = NPKD_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT sha256, der, kind FROM objects "
	    "WHERE subject_id IS NULL AND kind NOT IN ('ml', 'dl')", -1, &q,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE objects SET subject_id = ?2, "
	    "issuer_id = ?3, keyid = ?4, flags = ?5, pfindings = "
	    "coalesce(pfindings, ?6) WHERE sha256 = ?1", -1, &u, NULL) !=
	    SQLITE_OK) {
		rc = npkd_sqlerr(s, e, "backfill");
		goto out;
	}
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const void	*der = sqlite3_column_blob(q, 1);
		size_t		 len = (size_t)sqlite3_column_bytes(q, 1);
		int		 is_crl = strcmp((const char *)
				    sqlite3_column_text(q, 2), "crl") == 0;

		sqlite3_reset(u);
		sqlite3_bind_blob(u, 1, sqlite3_column_blob(q, 0), 32,
		    SQLITE_TRANSIENT);
		if (is_crl) {
			if (npkd_crl_parse(der, len, &crl, NULL) != NPKD_OK)
				continue;	/* check stops on it below */
			sqlite3_bind_blob(u, 2, npkd_crl_issuer_id(crl), 32,
			    SQLITE_TRANSIENT);
			sqlite3_bind_blob(u, 3, npkd_crl_issuer_id(crl), 32,
			    SQLITE_TRANSIENT);
			sqlite3_bind_null(u, 4);
			sqlite3_bind_int(u, 5, 0);
			fj = npkd_findings_json(npkd_crl_findings(crl));
			npkd_crl_free(crl);
		} else {
			if (npkd_cert_parse(der, len, &c, NULL) != NPKD_OK)
				continue;
			sqlite3_bind_blob(u, 2, c->subject_id, 32,
			    SQLITE_TRANSIENT);
			sqlite3_bind_blob(u, 3, c->issuer_id, 32,
			    SQLITE_TRANSIENT);
			sqlite3_bind_blob(u, 4, c->keyid, 32, SQLITE_TRANSIENT);
			sqlite3_bind_int(u, 5, npkd_cert_flags(c));
			fj = npkd_findings_json(c->findings);
			npkd_cert_free(c);
		}
		sqlite3_bind_text(u, 6, fj ? fj : "[]", -1, SQLITE_TRANSIENT);
		free(fj);
		if (sqlite3_step(u) != SQLITE_DONE) {
			rc = npkd_sqlerr(s, e, "backfill");
			goto out;
		}
	}
	if (r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "backfill");
 out:
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc;
}

/* ---- the CA side of the store, into an engine ---- */

/*
 * Every certificate of the CA side (CSCAs, links, list signers, and the
 * officer's anchors whatever their kind), CRLs, lists with what they
 * vouch for, and the authorities.  A stored object that no longer
 * decodes stops the check: leaving it out would change verdicts in
 * silence.
 */
static int
load(struct npkd_store *s, struct trust *t, struct sigcache *sc,
    struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL, *m = NULL;
	struct npkd_cert *c;
	struct npkd_crl	*crl;
	struct npkd_ml	*ml;
	struct npkd_err	 pe;
	const struct npkd_cert *signer;
	long		 li, si, mi;
	int		 r, rc = NPKD_OK, cms;

	if (sqlite3_prepare_v2(s->db, "SELECT der, sha256 IN (SELECT sha256 "
	    "FROM anchors) FROM objects WHERE kind IN ('csca', 'link', "
	    "'mlsigner', 'dlsigner') OR sha256 IN (SELECT sha256 FROM "
	    "anchors) ORDER BY sha256", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "load CSCAs");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if ((rc = npkd_cert_parse(sqlite3_column_blob(q, 0),
		    (size_t)sqlite3_column_bytes(q, 0), &c, &pe)) != NPKD_OK) {
			rc = npkd_seterr(e, rc, "stored CSCA: %s", pe.msg);
			break;
		}
		if (npkd_trust_add_cert(t, c, sqlite3_column_int(q, 1)) < 0) {
			rc = npkd_seterr(e, NPKD_E_NOMEM, "load CSCAs");
			break;
		}
	}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "load CSCAs");
	sqlite3_finalize(q);
	if (rc != NPKD_OK)
		return rc;

	if (sqlite3_prepare_v2(s->db, "SELECT der FROM objects WHERE kind = "
	    "'crl' ORDER BY sha256", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "load CRLs");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		/* a CRL left out would hide revocations: fail instead */
		if ((rc = npkd_crl_parse(sqlite3_column_blob(q, 0),
		    (size_t)sqlite3_column_bytes(q, 0), &crl, &pe)) != NPKD_OK) {
			rc = npkd_seterr(e, rc, "stored CRL: %s", pe.msg);
			break;
		}
		if (npkd_trust_add_crl(t, crl) < 0) {
			rc = npkd_seterr(e, NPKD_E_NOMEM, "load CRLs");
			break;
		}
	}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "load CRLs");
	sqlite3_finalize(q);
	if (rc != NPKD_OK)
		return rc;

	if (sqlite3_prepare_v2(s->db, "SELECT sha256, kind, signer, not_before "
	    "FROM objects WHERE kind IN ('ml', 'dl') ORDER BY sha256", -1, &q,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT member FROM vouches WHERE list = "
	    "?1", -1, &m, NULL) != SQLITE_OK) {
		sqlite3_finalize(q);
		return npkd_sqlerr(s, e, "load lists");
	}
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		const uint8_t *sha = sqlite3_column_blob(q, 0);

		si = sqlite3_column_bytes(q, 2) == 32 ? npkd_trust_find_cert(t,
		    sqlite3_column_blob(q, 2)) : -1;
		cms = SIG_UNKNOWN;
		if (si >= 0)
			cms = npkd_sig_decode(npkd_sigcache_get(sc, sha,
			    npkd_trust_cert(t, (size_t)si)->keyid), NULL);
		if (cms == SIG_UNKNOWN) {
			/* not in the cache: the list is read and verified */
			sqlite3_stmt	*d = NULL;
			struct npkd_findings *tmp = npkd_findings_new();
			const struct npkd_cert *x = si >= 0 ?
			    npkd_trust_cert(t, (size_t)si) : NULL;

			if (tmp == NULL || sqlite3_prepare_v2(s->db, "SELECT der "
			    "FROM objects WHERE sha256 = ?1", -1, &d, NULL) !=
			    SQLITE_OK) {
				npkd_findings_free(tmp);
				rc = npkd_sqlerr(s, e, "load lists");
				break;
			}
			sqlite3_bind_blob(d, 1, sha, 32, SQLITE_STATIC);
			cms = SIG_BAD;
			if (sqlite3_step(d) == SQLITE_ROW &&
			    npkd_ml_open(sqlite3_column_blob(d, 0),
			    (size_t)sqlite3_column_bytes(d, 0), &ml, NULL) ==
			    NPKD_OK) {
				rc = npkd_ml_signature(ml, x != NULL ? &x :
				    NULL, x != NULL, &signer, tmp, &pe);
				if (rc == NPKD_OK && si < 0)
					si = npkd_trust_find_cert(t,
					    signer->sha256);
				cms = rc == NPKD_OK ? SIG_OK : rc ==
				    NPKD_E_UNSUPPORTED ? SIG_UNSUP : SIG_BAD;
				rc = NPKD_OK;
				npkd_ml_free(ml);
			}
			sqlite3_finalize(d);
			if (si >= 0)
				npkd_sigcache_put(sc, sha, npkd_trust_cert(t,
				    (size_t)si)->keyid, npkd_sig_encode(cms ==
				    SIG_OK ? NPKD_OK : cms == SIG_UNSUP ?
				    NPKD_E_UNSUPPORTED : NPKD_E_VERIFY, tmp), 1);
			npkd_findings_free(tmp);
		}
		if ((li = npkd_trust_add_list(t, sha, strcmp((const char *)
		    sqlite3_column_text(q, 1), "ml") == 0 ? NPKD_LIST_ML :
		    NPKD_LIST_DL, si, sqlite3_column_int64(q, 3), cms)) < 0) {
			rc = npkd_seterr(e, NPKD_E_NOMEM, "load lists");
			break;
		}
		sqlite3_reset(m);
		sqlite3_bind_blob(m, 1, sha, 32, SQLITE_TRANSIENT);
		while (sqlite3_step(m) == SQLITE_ROW)
			if ((mi = npkd_trust_find_cert(t,
			    sqlite3_column_blob(m, 0))) >= 0 &&
			    npkd_trust_add_member(t, li, mi) != NPKD_OK) {
				rc = npkd_seterr(e, NPKD_E_NOMEM, "load lists");
				break;
			}
		if (rc != NPKD_OK)
			break;
	}
	if (rc == NPKD_OK && r != SQLITE_DONE && r != SQLITE_ROW)
		rc = npkd_sqlerr(s, e, "load lists");
	sqlite3_finalize(q);
	sqlite3_finalize(m);
	if (rc != NPKD_OK)
		return rc;

	if (sqlite3_prepare_v2(s->db, "SELECT country, scope FROM authorities",
	    -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "load authorities");
	while ((r = sqlite3_step(q)) == SQLITE_ROW)
		if (npkd_trust_add_authority(t, (const char *)
		    sqlite3_column_text(q, 0), (const char *)
		    sqlite3_column_text(q, 1)) != NPKD_OK) {
			rc = npkd_seterr(e, NPKD_E_NOMEM, "load authorities");
			break;
		}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "load authorities");
	sqlite3_finalize(q);
	return rc;
}

/*
 * Is a list genuine under the store's trust plus the given anchors (an
 * import not yet committed)?  NPKD_OK, or NPKD_E_VERIFY with the reason.
 */
int
npkd_store_judge_list(struct npkd_store *s, struct npkd_ml *m,
    const struct npkd_cert *signer, struct npkd_cert *const *cas, size_t ncas,
    const struct npkd_cert *const *anchors, size_t nanchors, time_t now,
    struct npkd_err *e)
{
	struct sigcache		*sc = NULL;
	struct trust		*t = NULL;
	const struct tverdict	*v;
	struct npkd_cert	*c;
	size_t			 i;
	long			 li;
	int			 rc;

	if ((sc = npkd_sigcache_new()) == NULL ||
	    (t = npkd_trust_new(now, sc)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "list");
		goto out;
	}
	if ((rc = cache_load(s, sc, e)) != NPKD_OK ||
	    (rc = load(s, t, sc, e)) != NPKD_OK)
		goto out;
	for (i = 0; i < nanchors; i++)
		if (npkd_cert_parse(anchors[i]->der.data, anchors[i]->der.len,
		    &c, NULL) == NPKD_OK && npkd_trust_add_cert(t, c, 1) < 0)
			goto nomem;
	if ((li = npkd_ml_to_trust(t, m, signer, cas, ncas, 0, 0, NULL)) < 0)
		goto nomem;
	if ((rc = npkd_trust_run(t, e)) != NPKD_OK)
		goto out;
	v = npkd_trust_list_verdict(t, (size_t)li);
	if (v->status != ST_VALID)
		rc = npkd_seterr(e, NPKD_E_VERIFY, "not genuine: %s: %s",
		    v->reason, v->text);
	goto out;
 nomem:
	if (rc == NPKD_OK)
		rc = npkd_seterr(e, NPKD_E_NOMEM, "list");
 out:
	npkd_trust_free(t);
	npkd_sigcache_free(sc);
	return rc;
}

/*
 * The trust engine over the store's CA side, run: for judging end-entity
 * certificates that are not (yet) in the store, such as a DSC that comes
 * in a document's security object.  The caller frees both.  Signature
 * verdicts already in the store are used; new ones are not written.
 */
int
npkd_store_trust_load(struct npkd_store *s, time_t now, struct trust **tp,
    struct sigcache **scp, struct npkd_err *e)
{
	struct sigcache	*sc = NULL;
	struct trust	*t = NULL;
	int		 rc;

	*tp = NULL;
	*scp = NULL;
	if ((sc = npkd_sigcache_new()) == NULL ||
	    (t = npkd_trust_new(now, sc)) == NULL) {
		npkd_sigcache_free(sc);
		return npkd_seterr(e, NPKD_E_NOMEM, "trust");
	}
	if ((rc = cache_load(s, sc, e)) != NPKD_OK ||
	    (rc = load(s, t, sc, e)) != NPKD_OK ||
	    (rc = npkd_trust_run(t, e)) != NPKD_OK) {
		npkd_trust_free(t);
		npkd_sigcache_free(sc);
		return rc;
	}
	*tp = t;
	*scp = sc;
	return NPKD_OK;
}

/* ---- writing verdicts ---- */

/* An object's verdict (?1 to ?6), written only where it differs. */
#define VERDICT_SET	"status = ?1, reason = ?2, trust = ?3, findings = ?4, " \
			"trusted = ?5, action = ?6"
#define VERDICT_CHANGED	"(status IS NOT ?1 OR reason IS NOT ?2 OR trust IS " \
			"NOT ?3 OR findings IS NOT ?4 OR trusted IS NOT ?5 " \
			"OR action IS NOT ?6)"

struct wr {
	struct npkd_store	*s;
	sqlite3_stmt		*up;		/* by sha256 */
	sqlite3_stmt		*uprow;		/* by rowid */
	struct npkd_check_stats	*st;
};

/* pfindings (a JSON array) followed by the check's findings. */
static char *
join_findings(const char *pf, const struct npkd_findings *f)
{
	char	*cf, *out;
	size_t	 a, b;

	if (pf == NULL || pf[0] != '[')
		pf = "[]";
	if (f == NULL || npkd_findings_count(f) == 0)
		return strdup(pf);
	if ((cf = npkd_findings_json(f)) == NULL)
		return NULL;
	a = strlen(pf);
	b = strlen(cf);
	if ((out = malloc(a + b + 2)) == NULL) {
		free(cf);
		return NULL;
	}
	if (a <= 2)
		memcpy(out, cf, b + 1);
	else {
		memcpy(out, pf, a - 1);
		out[a - 1] = ',';
		memcpy(out + a, cf + 1, b);	/* b includes the ']' */
	}
	free(cf);
	return out;
}

/*
 * An object's verdict as its row holds it, read with the row: an
 * unchanged verdict needs no UPDATE (the repeated check of an unchanged
 * store writes nothing).
 */
struct stored {
	int	 known;		/* every column read and not NULL */
	char	*s[4];		/* status, reason, trust, findings */
	int	 trusted, action;
};

static void
stored_clear(struct stored *c)
{
	size_t i;

	for (i = 0; i < 4; i++)
		free(c->s[i]);
	memset(c, 0, sizeof(*c));
}

/*
 * Columns col to col + 5 of q: status, reason, trust, findings, trusted,
 * action.
 */
static void
stored_read(struct stored *c, sqlite3_stmt *q, int col)
{
	const unsigned char	*t;
	size_t			 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < 6; i++)
		if (sqlite3_column_type(q, col + (int)i) == SQLITE_NULL)
			return;
	for (i = 0; i < 4; i++) {
		if ((t = sqlite3_column_text(q, col + (int)i)) == NULL ||
		    (c->s[i] = strdup((const char *)t)) == NULL) {
			stored_clear(c);
			return;
		}
	}
	c->trusted = sqlite3_column_int(q, col + 4);
	c->action = sqlite3_column_int(q, col + 5);
	c->known = 1;
}

/*
 * One verdict: written when it changed (status, reason, why trusted,
 * findings); counted in any case.  pf: the object's parse findings.
 */
static int
write_verdict(struct wr *w, const uint8_t *sha, sqlite3_int64 rowid,
    const struct tverdict *v, const char *pf, const struct npkd_findings *f,
    const struct stored *cur, struct npkd_err *e)
{
	sqlite3_stmt	*up = rowid > 0 ? w->uprow : w->up;
	char		*fj;
	int		 r;

	if ((fj = join_findings(pf, f)) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "findings");
	if (cur != NULL && cur->known && v->trusted == cur->trusted &&
	    v->action == cur->action &&
	    strcmp(npkd_status_name(v->status), cur->s[0]) == 0 &&
	    strcmp(v->reason ? v->reason : "", cur->s[1]) == 0 &&
	    strcmp(v->trust, cur->s[2]) == 0 && strcmp(fj, cur->s[3]) == 0) {
		/* what the row says already: no update to look up */
		free(fj);
		goto count;
	}
	sqlite3_reset(up);
	sqlite3_bind_text(up, 1, npkd_status_name(v->status), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(up, 2, v->reason ? v->reason : "", -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(up, 3, v->trust, -1, SQLITE_STATIC);
	sqlite3_bind_text(up, 4, fj, -1, SQLITE_STATIC);
	sqlite3_bind_int(up, 5, v->trusted);
	sqlite3_bind_int(up, 6, v->action);
	if (rowid > 0)
		sqlite3_bind_int64(up, 7, rowid);
	else
		sqlite3_bind_blob(up, 7, sha, 32, SQLITE_STATIC);
	r = sqlite3_step(up);
	if (r == SQLITE_DONE && sqlite3_changes(w->s->db) > 0)
		w->st->changed++;
	sqlite3_reset(up);
	free(fj);
	if (r != SQLITE_DONE)
		return npkd_sqlerr(w->s, e, "status");
 count:
	w->st->objects++;
	w->st->by_status[v->status]++;
	if (v->action)
		w->st->action++;
	return NPKD_OK;
}

/* The parse findings of an object (for CA-side objects read again). */
static char *
pfindings_of(struct npkd_store *s, const uint8_t *sha)
{
	sqlite3_stmt	*q = NULL;
	char		*r = NULL;

	if (sqlite3_prepare_v2(s->db, "SELECT coalesce(pfindings, '[]') FROM "
	    "objects WHERE sha256 = ?1", -1, &q, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_blob(q, 1, sha, 32, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		r = strdup((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	return r;
}

static int
write_ca_side(struct npkd_store *s, struct trust *t, struct wr *w,
    struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	char		*pf;
	size_t		 i;
	int		 rc = NPKD_OK, r;

	for (i = 0; i < npkd_trust_ncerts(t) && rc == NPKD_OK; i++) {
		pf = pfindings_of(s, npkd_trust_cert(t, i)->sha256);
		rc = write_verdict(w, npkd_trust_cert(t, i)->sha256, 0,
		    npkd_trust_cert_verdict(t, i), pf,
		    npkd_trust_cert_findings(t, i), NULL, e);
		free(pf);
	}
	for (i = 0; i < npkd_trust_ncrls(t) && rc == NPKD_OK; i++) {
		pf = pfindings_of(s, npkd_crl_sha256(npkd_trust_crl(t, i)));
		rc = write_verdict(w, npkd_crl_sha256(npkd_trust_crl(t, i)), 0,
		    npkd_trust_crl_verdict(t, i), pf,
		    npkd_trust_crl_findings(t, i), NULL, e);
		free(pf);
	}
	if (rc != NPKD_OK)
		return rc;
	/* lists, in the order load() gave them to the engine */
	if (sqlite3_prepare_v2(s->db, "SELECT sha256, coalesce(pfindings, "
	    "findings) FROM objects WHERE kind IN ('ml', 'dl') ORDER BY "
	    "sha256", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "lists");
	for (i = 0; rc == NPKD_OK && (r = sqlite3_step(q)) == SQLITE_ROW &&
	    i < npkd_trust_nlists(t); i++) {
		uint8_t	 sha[32];

		memcpy(sha, sqlite3_column_blob(q, 0), 32);
		pf = strdup((const char *)sqlite3_column_text(q, 1));
		rc = write_verdict(w, sha, 0, npkd_trust_list_verdict(t, i), pf,
		    npkd_trust_list_findings(t, i), NULL, e);
		free(pf);
	}
	sqlite3_finalize(q);
	return rc;
}

/* The issuer names of trusted keys and their CRL state, for report. */
static int
write_names(struct npkd_store *s, struct trust *t, struct npkd_check_stats *st,
    struct npkd_err *e)
{
	sqlite3_stmt		*q = NULL;
	const struct tname	*n;
	const struct npkd_crl	*crl;
	size_t			 i;
	int			 rc = NPKD_OK;

	if ((rc = npkd_store_exec(s, "DELETE FROM names", e)) != NPKD_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO names (id, "
	    "country, subject, state, crl, this_update, next_update) VALUES "
	    "(?1, ?2, ?3, ?4, ?5, ?6, ?7)", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "names");
	for (i = 0; i < npkd_trust_nnames(t) && rc == NPKD_OK; i++) {
		n = npkd_trust_name(t, i);
		st->names++;
		if (strcmp(n->state, "none") == 0)
			st->names_no_crl++, st->action++;
		else if (strcmp(n->state, "stale") == 0)
			st->names_stale++;
		crl = n->crl >= 0 ? npkd_trust_crl(t, (size_t)n->crl) : NULL;
		sqlite3_reset(q);
		sqlite3_bind_blob(q, 1, n->id, 32, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, n->country, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 3, n->subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 4, n->state, -1, SQLITE_STATIC);
		if (crl != NULL) {
			sqlite3_bind_blob(q, 5, npkd_crl_sha256(crl), 32,
			    SQLITE_STATIC);
			sqlite3_bind_int64(q, 6, npkd_crl_this_update(crl));
			sqlite3_bind_int64(q, 7, npkd_crl_next_update(crl));
		} else {
			sqlite3_bind_null(q, 5);
			sqlite3_bind_null(q, 6);
			sqlite3_bind_null(q, 7);
		}
		if (sqlite3_step(q) != SQLITE_DONE)
			rc = npkd_sqlerr(s, e, "names");
	}
	sqlite3_finalize(q);
	return rc;
}

/* ---- end-entity certificates ---- */

struct ee {
	uint8_t			 sha[32];
	uint8_t			 issuer_id[32];
	uint8_t			 aki[64];
	size_t			 aki_len;
	int			 has_aki;
	char			 serial[130];
	char			 country[8];
	time_t			 nb, na;
	int			 flags;
	char			*pf;		/* parse findings */
	uint8_t			*der;		/* when it must be verified */
	size_t			 len;
	struct tcand		 cand[TEE_MAXCAND];
	size_t			 ncand;
	int			 more;
	struct tverdict		 v;
	struct npkd_findings	*f;
	size_t			 verified;
	struct stored		 cur;		/* the row's verdict */
	sqlite3_int64		 rowid;
};

struct eectx {
	struct trust		*t;
	struct sigcache		*sc;
	struct ee		*v;
	size_t			 n;
	size_t			 next;
	pthread_mutex_t		 mu;
};

static void
tee_of(const struct ee *x, struct tee *t)
{
	memset(t, 0, sizeof(*t));
	t->sha = x->sha;
	t->issuer_id = x->issuer_id;
	t->aki = x->has_aki ? x->aki : NULL;
	t->aki_len = x->aki_len;
	t->serial = x->serial;
	t->country = x->country;
	t->nb = x->nb;
	t->na = x->na;
	t->crit_unknown = (x->flags & NPKD_OF_CRIT_UNKNOWN) != 0;
}

/*
 * The candidates' signature verdicts from the cache, in order, until a
 * trusted key verifies; 1 when one is missing (the certificate must then
 * be decoded and verified).
 */
static int
from_cache(struct ee *x, struct sigcache *sc)
{
	size_t	k;
	int	s;

	for (k = 0; k < x->ncand; k++) {
		if ((s = npkd_sigcache_get(sc, x->sha, x->cand[k].keyid)) ==
		    SIG_UNKNOWN)
			return 1;
		x->cand[k].sig = npkd_sig_decode(s, x->f);
		if (x->cand[k].sig == SIG_OK && x->cand[k].ent >= 0) {
			x->ncand = k + 1;
			return 0;
		}
	}
	return 0;
}

/* A worker: decode, verify what the cache lacks, judge. */
static void
ee_work(struct eectx *cx, struct ee *x)
{
	struct npkd_sigparts	 sp;
	struct npkd_findings	*tmp;
	struct tee		 te;
	size_t			 k;
	int			 s;

	/*
	 * The stored DER was parsed whole when it was imported: its signed
	 * parts are enough here, and a thousandth of the decoding.
	 */
	if (x->der != NULL && npkd_cert_sigparts(x->der, x->len, &sp) ==
	    NPKD_OK) {
		for (k = 0; k < x->ncand; k++) {
			if ((s = npkd_sigcache_get(cx->sc, x->sha,
			    x->cand[k].keyid)) == SIG_UNKNOWN) {
				if ((tmp = npkd_findings_new()) == NULL)
					break;
				s = npkd_sig_encode(npkd_signed_verify(&sp.alg,
				    sp.tbs, sp.tbs_len, &sp.sig,
				    x->cand[k].keycert, tmp, NULL), tmp);
				npkd_findings_free(tmp);
				npkd_sigcache_put(cx->sc, x->sha,
				    x->cand[k].keyid, s, 1);
				x->verified++;
			}
			x->cand[k].sig = npkd_sig_decode(s, x->f);
			if (x->cand[k].sig == SIG_OK && x->cand[k].ent >= 0) {
				x->ncand = k + 1;
				break;
			}
		}
	}
	tee_of(x, &te);
	npkd_trust_ee_verdict(cx->t, &te, x->cand, x->ncand, x->more, &x->v,
	    x->f);
}

static void *
ee_worker(void *arg)
{
	struct eectx	*cx = arg;
	size_t		 i;

	for (;;) {
		pthread_mutex_lock(&cx->mu);
		i = cx->next++;
		pthread_mutex_unlock(&cx->mu);
		if (i >= cx->n)
			return NULL;
		ee_work(cx, &cx->v[i]);
	}
}

static void
ee_clear(struct ee *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].pf);
		free(v[i].der);
		npkd_findings_free(v[i].f);
		stored_clear(&v[i].cur);
	}
	memset(v, 0, n * sizeof(*v));
}

/*
 * DSCs and every other end-entity certificate, in batches: candidates and
 * cached verdicts here; decoding and verifying on worker threads only for
 * what the cache does not know.
 */
static int
check_ees(struct npkd_store *s, struct trust *t, struct sigcache *sc,
    int threads, struct wr *w, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	struct eectx	 cx;
	struct ee	*v = NULL, *x;
	struct tee	 te;
	pthread_t	 th[16];
	size_t		 n, i, work;
	int		 r = SQLITE_ROW, rc = NPKD_OK, k, started;

	memset(&cx, 0, sizeof(cx));
	if (sqlite3_prepare_v2(s->db, "SELECT sha256, issuer_id, aki, serial, "
	    "country, not_before, not_after, flags, coalesce(pfindings, "
	    "findings), status, reason, trust, findings, trusted, action, "
	    "rowid, der FROM objects WHERE kind IN ('dsc', 'other') AND "
	    "sha256 NOT IN (SELECT sha256 FROM anchors)", -1, &q, NULL) !=
	    SQLITE_OK) {
		rc = npkd_sqlerr(s, e, "load DSCs");
		goto out;
	}
	if ((v = calloc(BATCH, sizeof(*v))) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "check");
		goto out;
	}
	cx.t = t;
	cx.sc = sc;
	cx.v = v;
	pthread_mutex_init(&cx.mu, NULL);
	if (threads > 16)
		threads = 16;
	while (rc == NPKD_OK && r == SQLITE_ROW) {
		for (n = 0; n < BATCH && (r = sqlite3_step(q)) == SQLITE_ROW;
		    n++) {
			x = &v[n];
			memcpy(x->sha, sqlite3_column_blob(q, 0), 32);
			if (sqlite3_column_bytes(q, 1) == 32)
				memcpy(x->issuer_id, sqlite3_column_blob(q, 1),
				    32);
			if ((x->aki_len = (size_t)sqlite3_column_bytes(q, 2)) >
			    0 && x->aki_len <= sizeof(x->aki)) {
				memcpy(x->aki, sqlite3_column_blob(q, 2),
				    x->aki_len);
				x->has_aki = 1;
			} else
				x->aki_len = 0;
			snprintf(x->serial, sizeof(x->serial), "%s",
			    (const char *)sqlite3_column_text(q, 3));
			snprintf(x->country, sizeof(x->country), "%s",
			    (const char *)sqlite3_column_text(q, 4));
			x->nb = sqlite3_column_int64(q, 5);
			x->na = sqlite3_column_int64(q, 6);
			x->flags = sqlite3_column_int(q, 7);
			x->pf = strdup((const char *)sqlite3_column_text(q, 8));
			stored_read(&x->cur, q, 9);
			x->rowid = sqlite3_column_int64(q, 15);
			if ((x->f = npkd_findings_new()) == NULL ||
			    x->pf == NULL) {
				rc = npkd_seterr(e, NPKD_E_NOMEM, "check");
				break;
			}
			tee_of(x, &te);
			x->ncand = npkd_trust_ee_candidates(t, &te, x->cand,
			    TEE_MAXCAND, &x->more);
			if (!from_cache(x, sc))
				continue;
			/* a verdict is missing: it is verified */
			x->len = (size_t)sqlite3_column_bytes(q, 16);
			if ((x->der = malloc(x->len + 1)) == NULL) {
				rc = npkd_seterr(e, NPKD_E_NOMEM, "check");
				break;
			}
			memcpy(x->der, sqlite3_column_blob(q, 16), x->len);
		}
		if (rc != NPKD_OK)
			break;
		/* the judgement: workers share out what must be verified */
		for (work = 0, i = 0; i < n; i++)
			work += v[i].der != NULL;
		cx.n = n;
		cx.next = 0;
		started = 0;
		if (work > 16)
			for (k = 1; k < threads; k++)
				if (pthread_create(&th[started], NULL,
				    ee_worker, &cx) == 0)
					started++;
		ee_worker(&cx);
		for (k = 0; k < started; k++)
			pthread_join(th[k], NULL);
		for (i = 0; i < n && rc == NPKD_OK; i++) {
			rc = write_verdict(w, v[i].sha, v[i].rowid, &v[i].v,
			    v[i].pf, v[i].f, &v[i].cur, e);
		}
		ee_clear(v, n);
	}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "load DSCs");
	pthread_mutex_destroy(&cx.mu);
 out:
	if (v != NULL)
		ee_clear(v, BATCH);
	free(v);
	sqlite3_finalize(q);
	return rc;
}

int
npkd_store_check(struct npkd_store *s, time_t now, int threads,
    struct npkd_check_stats *st, struct npkd_err *e)
{
	struct sigcache	*sc = NULL;
	struct trust	*t = NULL;
	struct wr	 w;
	struct npkd_err	 ie;
	int		 rc, r;

	memset(st, 0, sizeof(*st));
	memset(&w, 0, sizeof(w));
	if (threads < 1)
		threads = 1;
	/*
	 * A check reads every page once: SQLite's default page cache, whose
	 * pages are reused, costs less than the import's large one, whose
	 * pages would all be new memory (measured: a third less time for a
	 * repeated check of 30 000 objects, the same for a first one).
	 */
	if ((rc = npkd_store_exec(s, "PRAGMA cache_size = -2000", e)) !=
	    NPKD_OK)
		return rc;
	/*
	 * The store's integrity is checked before anything is committed: on
	 * a second processor meanwhile when there is one (the check reads
	 * every object too, and a damaged page it reads stops it anyway).
	 */
	if (threads > 1)
		npkd_store_integrity_start(s);
	else
		rc = npkd_store_integrity(s, e);
	if (rc != NPKD_OK ||
	    (rc = npkd_store_exec(s, "BEGIN IMMEDIATE", e)) != NPKD_OK) {
		npkd_store_integrity_wait(s, NULL);
		npkd_store_exec(s, "PRAGMA cache_size = " NPKD_STORE_CACHE,
		    NULL);
		return rc;
	}
	if ((sc = npkd_sigcache_new()) == NULL ||
	    (t = npkd_trust_new(now, sc)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "check");
		goto out;
	}
	w.s = s;
	w.st = st;
	if (sqlite3_prepare_v2(s->db, "UPDATE objects SET " VERDICT_SET
	    " WHERE sha256 = ?7 AND " VERDICT_CHANGED, -1, &w.up, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE objects SET " VERDICT_SET
	    " WHERE rowid = ?7 AND " VERDICT_CHANGED, -1, &w.uprow, NULL) !=
	    SQLITE_OK) {
		rc = npkd_sqlerr(s, e, "prepare");
		goto out;
	}
	if ((rc = backfill(s, e)) != NPKD_OK ||
	    (rc = cache_load(s, sc, e)) != NPKD_OK ||
	    (rc = load(s, t, sc, e)) != NPKD_OK)
		goto out;
	if ((rc = npkd_trust_run(t, e)) != NPKD_OK)
		goto out;
	if ((rc = write_ca_side(s, t, &w, e)) != NPKD_OK ||
	    (rc = write_names(s, t, st, e)) != NPKD_OK ||
	    (rc = check_ees(s, t, sc, threads, &w, e)) != NPKD_OK ||
	    (rc = cache_save(s, sc, e)) != NPKD_OK)
		goto out;
	st->verifications = npkd_sigcache_verified(sc);
 out:
	sqlite3_finalize(w.up);
	sqlite3_finalize(w.uprow);
	npkd_trust_free(t);
	npkd_sigcache_free(sc);
	/* damage found meanwhile is the error, whatever else failed */
	if ((r = npkd_store_integrity_wait(s, &ie)) != NPKD_OK) {
		rc = r;
		if (e != NULL)
			*e = ie;
	}
	if (rc == NPKD_OK)
		rc = npkd_store_exec(s, "COMMIT", e);
	if (rc != NPKD_OK)
		npkd_store_exec(s, "ROLLBACK", NULL);
	npkd_store_exec(s, "PRAGMA cache_size = " NPKD_STORE_CACHE, NULL);
	return rc;
}
