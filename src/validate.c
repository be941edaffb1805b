/*
 * validate.c - npkd check: every object of the store validated.  CSCAs
 * by their self-signature and trust (anchor, or vouched for by a verified
 * list), link certificates by the old key, CRLs by the latest CSCA key of
 * their country, DSCs by their CSCA with revocation by its current CRL.
 * Signatures are verified by worker threads; statuses are written in one
 * transaction.  DSCs are streamed in batches to bound memory.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "npkd_int.h"
#include "store_int.h"

#define BATCH	4096
#define R_VAL	"ICAO 9303-12 7.1"

enum { ST_VALID, ST_EXPIRED, ST_REVOKED, ST_UNTRUSTED, ST_INVALID,
    ST_UNCHECKED };
static const char *status_names[] = { "valid", "expired", "revoked",
    "untrusted", "invalid", "unchecked" };

const char *
npkd_status_name(int s)
{
	return s >= 0 && s <= ST_UNCHECKED ? status_names[s] : "unknown";
}

struct ca {
	struct npkd_cert	*c;
	int			 trusted;	/* anchor or vouched */
	int			 ok;		/* signature checked */
	int			 status;
	struct npkd_findings	*f;
	struct npkd_crl		*crl;		/* its current CRL */
};

struct crlent {
	struct npkd_crl		*crl;
	uint8_t			 sha[32];
	int			 status;
	struct npkd_findings	*f;
};

/* A signature to check: subject by issuer (a cert or a CRL). */
struct job {
	const struct npkd_cert	*subj;
	const struct npkd_crl	*crl;
	const struct npkd_cert	*iss;
	int			 result;
	struct npkd_findings	*f;
};

/* A parallel loop: fn(ctx, i) for i in [0, n) on nthreads threads. */
struct pfor {
	void		(*fn)(void *, size_t);
	void		*ctx;
	size_t		 n, next;
	pthread_mutex_t	 mu;
};

static void *
pfor_worker(void *arg)
{
	struct pfor	*p = arg;
	size_t		 i;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		i = p->next++;
		pthread_mutex_unlock(&p->mu);
		if (i >= p->n)
			return NULL;
		p->fn(p->ctx, i);
	}
}

static void
parallel_for(size_t n, int nthreads, void (*fn)(void *, size_t), void *ctx)
{
	struct pfor	 p;
	pthread_t	 t[16];
	int		 i, started = 0;

	p.fn = fn;
	p.ctx = ctx;
	p.n = n;
	p.next = 0;
	pthread_mutex_init(&p.mu, NULL);
	if (nthreads > 16)
		nthreads = 16;
	for (i = 1; i < nthreads; i++)
		if (pthread_create(&t[started], NULL, pfor_worker, &p) == 0)
			started++;
	pfor_worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(t[i], NULL);
	pthread_mutex_destroy(&p.mu);
}

static void
job_work(void *arg, size_t i)
{
	struct job *j = &((struct job *)arg)[i];

	if (j->crl != NULL)
		j->result = npkd_crl_verify(j->crl, j->iss, j->f, NULL);
	else
		j->result = npkd_cert_verify(j->subj, j->iss, j->f, NULL);
}

/* Verify the jobs on nthreads threads (the caller's thread is one). */
static void
run_jobs(struct job *jobs, size_t n, int nthreads)
{
	parallel_for(n, nthreads, job_work, jobs);
}

static int
key_eq(const struct npkd_buf *a, const struct npkd_buf *b)
{
	return a->len == b->len && a->len > 0 &&
	    memcmp(a->data, b->data, a->len) == 0;
}

/* Do two certificates carry the same public key? */
static int
same_key(const struct npkd_cert *a, const struct npkd_cert *b)
{
	const struct npkd_pubkey *x = a->pub, *y = b->pub;

	if (x == NULL || y == NULL || x->alg != y->alg)
		return 0;
	if (x->alg == NPKD_KEY_EC)
		return x->curve == y->curve && key_eq(&x->q, &y->q);
	return key_eq(&x->n, &y->n) && key_eq(&x->e, &y->e);
}

/*
 * CAs that may have issued c: by AKI = SKI, else by name.  A key is
 * tried once: a CSCA and the link certificates to it share their key.
 */
static size_t
candidates(struct ca *cas, size_t nca, const struct npkd_cert *c,
    size_t *out, size_t max)
{
	size_t	i, k, n = 0;
	int	match;

	for (i = 0; i < nca && n < max; i++) {
		if (cas[i].c == c)
			continue;
		/* by AKI = SKI and issuer name (the cheap test first) */
		if (c->has_aki && cas[i].c->has_ski)
			match = key_eq(&c->aki, &cas[i].c->ski) &&
			    npkd_name_equal(cas[i].c->subject_der,
			    cas[i].c->subject_len, c->issuer_der, c->issuer_len);
		else
			match = npkd_cert_issued(cas[i].c, c);
		if (!match)
			continue;
		for (k = 0; k < n; k++)
			if (same_key(cas[out[k]].c, cas[i].c))
				break;
		if (k == n)
			out[n++] = i;
	}
	return n;
}

/*
 * Among the CAs holding iss's key: is one trusted (and not invalid), and
 * which current CRL speaks for that key?
 */
static const struct ca *
key_holder(const struct ca *cas, size_t nca, const struct ca *iss,
    const struct npkd_crl **crl)
{
	const struct ca	*best = iss;
	size_t		 i;

	*crl = iss->crl;
	for (i = 0; i < nca; i++) {
		if (&cas[i] == iss || !same_key(cas[i].c, iss->c))
			continue;
		if (cas[i].crl != NULL && (*crl == NULL ||
		    npkd_crl_this_update(cas[i].crl) >
		    npkd_crl_this_update(*crl)))
			*crl = cas[i].crl;
		if (cas[i].trusted && cas[i].status != ST_INVALID &&
		    (!best->trusted || best->status == ST_INVALID))
			best = &cas[i];
	}
	return best;
}

struct wr {
	struct npkd_store	*s;
	sqlite3_stmt		*up;
	time_t			 now;
	struct npkd_check_stats	*st;
};

static int
write_status(struct wr *w, const uint8_t *sha, int status,
    const struct npkd_findings *f, int action, struct npkd_err *e)
{
	char	*fj;
	int	 r;

	if ((fj = npkd_findings_json(f)) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "findings");
	sqlite3_reset(w->up);
	sqlite3_bind_text(w->up, 1, status_names[status], -1, SQLITE_STATIC);
	sqlite3_bind_text(w->up, 2, fj, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(w->up, 3, w->now);
	sqlite3_bind_blob(w->up, 4, sha, 32, SQLITE_STATIC);
	r = sqlite3_step(w->up);
	free(fj);
	if (r != SQLITE_DONE)
		return npkd_sqlerr(w->s, e, "status");
	w->st->objects++;
	w->st->by_status[status]++;
	if (action)
		w->st->action++;
	return NPKD_OK;
}

static int
dated(const struct npkd_cert *c, time_t now)
{
	return now > c->not_after ? ST_EXPIRED : ST_VALID;
}

/* CSCAs and links: signatures, then trust through links, to a fixpoint. */
static void
check_cas(struct ca *cas, size_t nca, time_t now, int threads,
    struct npkd_check_stats *st)
{
	struct job	*jobs;
	size_t		 nj = 0, i, k, idx[64], nc;
	int		 changed;

	jobs = calloc(nca * 65 + 1, sizeof(*jobs));
	for (i = 0; i < nca && jobs != NULL; i++) {
		if (cas[i].c->role == NPKD_ROLE_CSCA) {
			jobs[nj].subj = cas[i].c;
			jobs[nj].iss = cas[i].c;
			jobs[nj].f = cas[i].f;
			nj++;
		} else {
			nc = candidates(cas, nca, cas[i].c, idx, 64);
			for (k = 0; k < nc; k++) {
				jobs[nj].subj = cas[i].c;
				jobs[nj].iss = cas[idx[k]].c;
				nj++;
			}
		}
	}
	if (jobs == NULL)
		return;
	run_jobs(jobs, nj, threads);
	st->verifications += nj;
	/* self-signatures */
	for (k = 0; k < nj; k++)
		if (jobs[k].subj == jobs[k].iss) {
			for (i = 0; jobs[k].subj != cas[i].c; i++)
				;
			cas[i].ok = jobs[k].result == NPKD_OK;
			if (!cas[i].ok)
				npkd_findings_add(cas[i].f, NPKD_SEV_ERROR,
				    "self-signature", R_VAL,
				    "self-signature does not verify");
		}
	/* links: trusted when an issuer that verifies them is trusted */
	do {
		changed = 0;
		for (k = 0; k < nj; k++) {
			struct ca *sub = NULL, *iss = NULL;

			if (jobs[k].subj == jobs[k].iss || jobs[k].result !=
			    NPKD_OK)
				continue;
			for (i = 0; i < nca; i++) {
				if (cas[i].c == jobs[k].subj)
					sub = &cas[i];
				if (cas[i].c == jobs[k].iss)
					iss = &cas[i];
			}
			if (!sub->ok) {
				sub->ok = 1;
				changed = 1;
			}
			if (iss->trusted && iss->ok && !sub->trusted) {
				sub->trusted = 1;
				changed = 1;
			}
		}
	} while (changed);
	for (i = 0; i < nca; i++) {
		if (cas[i].c->role == NPKD_ROLE_LINK && !cas[i].ok) {
			nc = candidates(cas, nca, cas[i].c, idx, 64);
			if (nc > 0)
				npkd_findings_add(cas[i].f, NPKD_SEV_ERROR,
				    "link-signature", R_VAL, "no CSCA key "
				    "with its authority key identifier "
				    "verifies this link certificate");
			else if (cas[i].trusted)
				cas[i].ok = 1;	/* vouched; old key absent */
			else
				npkd_findings_add(cas[i].f, NPKD_SEV_WARNING,
				    "link-issuer-absent", R_VAL,
				    "the CSCA key that issued this link "
				    "certificate is not in the store");
		}
		if (!cas[i].ok && (cas[i].c->role == NPKD_ROLE_CSCA ||
		    candidates(cas, nca, cas[i].c, idx, 1) > 0))
			cas[i].status = ST_INVALID;
		else if (!cas[i].trusted)
			cas[i].status = ST_UNTRUSTED;
		else
			cas[i].status = dated(cas[i].c, now);
	}
	free(jobs);
}

static int
load_cas(struct npkd_store *s, struct ca **out, size_t *n, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	struct ca	*v = NULL, *nv;
	struct npkd_cert *c;
	size_t		 cnt = 0;
	int		 r, rc = NPKD_OK;

	*out = NULL;
	*n = 0;
	if (sqlite3_prepare_v2(s->db, "SELECT der, trusted FROM objects WHERE "
	    "kind IN ('csca', 'link') ORDER BY sha256", -1, &q, NULL) !=
	    SQLITE_OK)
		return npkd_sqlerr(s, e, "load CSCAs");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		struct npkd_err pe;

		/* a CSCA left out would make its DSCs untrusted in silence:
		 * say so and stop instead */
		if ((rc = npkd_cert_parse(sqlite3_column_blob(q, 0),
		    (size_t)sqlite3_column_bytes(q, 0), &c, &pe)) != NPKD_OK) {
			rc = npkd_seterr(e, rc, "stored CSCA: %s", pe.msg);
			break;
		}
		if ((nv = reallocarray(v, cnt + 1, sizeof(*v))) == NULL) {
			npkd_cert_free(c);
			rc = npkd_seterr(e, NPKD_E_NOMEM, "load CSCAs");
			break;
		}
		v = nv;
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].c = c;
		v[cnt].trusted = sqlite3_column_int(q, 1);
		v[cnt].f = npkd_findings_new();
		npkd_findings_merge(v[cnt].f, c->findings, NULL);
		cnt++;
	}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "load CSCAs");
	sqlite3_finalize(q);
	/* the caller frees what was loaded, also on failure */
	*out = v;
	*n = cnt;
	return rc;
}

/* CRLs: by the latest key of the issuing CSCA; the newest per CSCA. */
static int
check_crls(struct npkd_store *s, struct ca *cas, size_t nca, time_t now,
    int threads, struct wr *w, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	struct crlent	*v = NULL, *nv;
	struct job	*jobs = NULL;
	struct npkd_crl	*crl;
	const uint8_t	*aki;
	struct npkd_err	 pe;
	size_t		 n = 0, nj = 0, i, k, alen;
	int		 r, rc = NPKD_OK, best, action;

	if (sqlite3_prepare_v2(s->db, "SELECT der, sha256 FROM objects WHERE "
	    "kind = 'crl'", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "load CRLs");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		/* a CRL left out would hide revocations: fail instead */
		if ((rc = npkd_crl_parse(sqlite3_column_blob(q, 0),
		    (size_t)sqlite3_column_bytes(q, 0), &crl, &pe)) != NPKD_OK) {
			rc = npkd_seterr(e, rc, "stored CRL: %s", pe.msg);
			break;
		}
		if ((nv = reallocarray(v, n + 1, sizeof(*v))) == NULL) {
			npkd_crl_free(crl);
			rc = npkd_seterr(e, NPKD_E_NOMEM, "load CRLs");
			break;
		}
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		v[n].crl = crl;
		memcpy(v[n].sha, sqlite3_column_blob(q, 1), 32);
		v[n].f = npkd_findings_new();
		npkd_findings_merge(v[n].f, npkd_crl_findings(crl), NULL);
		v[n].status = ST_UNTRUSTED;
		n++;
	}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "load CRLs");
	sqlite3_finalize(q);
	if (rc != NPKD_OK)
		goto out;
	/*
	 * The issuing key: the CA named as issuer whose SKI is the CRL's AKI,
	 * else the latest CSCA of the country (9303-12 7.1.4).
	 */
	if ((jobs = calloc(n + 1, sizeof(*jobs))) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "check");
		goto out;
	}
	for (i = 0; i < n; i++) {
		aki = npkd_crl_aki(v[i].crl, &alen);
		best = -1;
		for (k = 0; k < nca; k++) {
			const struct npkd_cert *c = cas[k].c;

			if (strcasecmp(c->country, npkd_crl_country(v[i].crl)) != 0)
				continue;
			if (aki != NULL && c->has_ski && (c->ski.len != alen ||
			    memcmp(c->ski.data, aki, alen) != 0))
				continue;
			if (best < 0 || c->not_before >
			    cas[best].c->not_before || (cas[k].trusted &&
			    !cas[best].trusted))
				best = (int)k;
		}
		if (best >= 0) {
			jobs[nj].crl = v[i].crl;
			jobs[nj].iss = cas[best].c;
			jobs[nj].f = v[i].f;
			jobs[nj].subj = NULL;
			nj++;
		} else
			npkd_findings_add(v[i].f, NPKD_SEV_WARNING,
			    "crl-issuer-absent", R_VAL, "no CSCA of %s in the "
			    "store issued this CRL", npkd_crl_country(v[i].crl));
	}
	run_jobs(jobs, nj, threads);
	w->st->verifications += nj;
	for (k = 0; k < nj; k++) {
		struct ca *iss = NULL;
		struct crlent *ce = NULL;

		for (i = 0; i < nca; i++)
			if (cas[i].c == jobs[k].iss)
				iss = &cas[i];
		for (i = 0; i < n; i++)
			if (v[i].crl == jobs[k].crl)
				ce = &v[i];
		if (jobs[k].result != NPKD_OK) {
			ce->status = ST_INVALID;
			npkd_findings_add(ce->f, NPKD_SEV_ERROR, "crl-signature",
			    R_VAL, "signature does not verify with %s",
			    iss->c->subject);
			continue;
		}
		if (!iss->trusted || iss->status == ST_INVALID)
			continue;
		if (npkd_crl_next_update(ce->crl) != 0 &&
		    now > npkd_crl_next_update(ce->crl)) {
			ce->status = ST_EXPIRED;
			npkd_findings_add(ce->f, NPKD_SEV_ERROR, "crl-stale",
			    "ICAO 9303-12 7.1.4", "nextUpdate has passed: the "
			    "CRL is stale");
		} else
			ce->status = ST_VALID;
		/* the current CRL of this CA: the newest that verified */
		if (iss->crl == NULL || npkd_crl_this_update(ce->crl) >
		    npkd_crl_this_update(iss->crl))
			iss->crl = ce->crl;
	}
	for (i = 0; i < n; i++) {
		action = v[i].status == ST_INVALID ||
		    (v[i].status == ST_EXPIRED);
		/* an older CRL superseded by a newer one is no action item */
		for (k = 0; k < nca && action && v[i].status == ST_EXPIRED; k++)
			if (cas[k].crl != NULL && cas[k].crl != v[i].crl &&
			    strcasecmp(cas[k].c->country,
			    npkd_crl_country(v[i].crl)) == 0 &&
			    npkd_crl_this_update(cas[k].crl) >
			    npkd_crl_this_update(v[i].crl) &&
			    now <= npkd_crl_next_update(cas[k].crl))
				action = 0;
		if ((rc = write_status(w, v[i].sha, v[i].status, v[i].f, action,
		    e)) != NPKD_OK)
			goto out;
	}
	/* keep the CRLs the CAs point at; free the rest later */
	for (i = 0; i < n; i++) {
		for (k = 0; k < nca; k++)
			if (cas[k].crl == v[i].crl)
				break;
		if (k == nca)
			npkd_crl_free(v[i].crl);
		npkd_findings_free(v[i].f);
	}
	n = 0;
 out:
	for (i = 0; i < n; i++) {
		for (k = 0; k < nca; k++)
			if (cas[k].crl == v[i].crl)
				cas[k].crl = NULL;
		npkd_crl_free(v[i].crl);
		npkd_findings_free(v[i].f);
	}
	free(v);
	free(jobs);
	return rc;
}

/*
 * One end-entity certificate of a batch.  A worker thread parses it,
 * verifies it, decides its status and renders its findings, and frees
 * what it allocated (frees across threads contend in malloc); the caller
 * only writes sha256, status and findings.
 */
struct ee {
	uint8_t			*der;
	size_t			 len;
	uint8_t			 sha256[32];
	int			 ok;		/* parsed */
	int			 status;
	char			*json;
	int			 tried;
};

struct eectx {
	struct ee	*v;
	struct ca	*cas;
	size_t		 nca;
	time_t		 now;
	size_t		 verifications;
	pthread_mutex_t	 mu;
};

static int
ee_status(const struct eectx *x, const struct npkd_cert *c, int issuer,
    int tried, struct npkd_findings *f)
{
	const struct ca		*iss = NULL;
	const struct npkd_crl	*crl = NULL;

	if (issuer >= 0)
		iss = key_holder(x->cas, x->nca, &x->cas[issuer], &crl);
	if (iss == NULL && tried > 0) {
		npkd_findings_add(f, NPKD_SEV_ERROR, "signature", R_VAL,
		    "signature does not verify with the CSCA it names");
		return ST_INVALID;
	}
	if (iss == NULL) {
		npkd_findings_add(f, NPKD_SEV_WARNING, "issuer-absent", R_VAL,
		    "no CSCA in the store issued this certificate");
		return ST_UNTRUSTED;
	}
	if (!iss->trusted || iss->status == ST_INVALID) {
		npkd_findings_add(f, NPKD_SEV_WARNING, "issuer-untrusted", R_VAL,
		    "issued by %s, which is not trusted", iss->c->subject);
		return ST_UNTRUSTED;
	}
	if (crl != NULL && npkd_crl_is_revoked(crl, c->serial)) {
		npkd_findings_add(f, NPKD_SEV_WARNING, "revoked",
		    "ICAO 9303-12 7.1.4", "revoked by the current CRL of %s",
		    iss->c->subject);
		return ST_REVOKED;
	}
	if (crl == NULL)
		npkd_findings_add(f, NPKD_SEV_INFO, "no-crl",
		    "ICAO 9303-12 7.1.4", "no valid CRL of the issuing CSCA in "
		    "the store");
	return dated(c, x->now);
}

static void
ee_work(void *arg, size_t i)
{
	struct eectx		*x = arg;
	struct ee		*w = &x->v[i];
	struct npkd_cert	*c = NULL;
	struct npkd_findings	*f = NULL;
	size_t			 idx[8], nc, k;
	int			 issuer = -1;

	if (npkd_cert_parse(w->der, w->len, &c, NULL) != NPKD_OK ||
	    (f = npkd_findings_new()) == NULL)
		goto out;
	npkd_findings_merge(f, c->findings, NULL);
	nc = candidates(x->cas, x->nca, c, idx, 8);
	for (k = 0; k < nc; k++) {
		w->tried++;
		if (npkd_cert_verify(c, x->cas[idx[k]].c, f, NULL) == NPKD_OK) {
			issuer = (int)idx[k];
			break;
		}
	}
	w->status = ee_status(x, c, issuer, w->tried, f);
	memcpy(w->sha256, c->sha256, 32);
	w->json = npkd_findings_json(f);
	w->ok = w->json != NULL;
	pthread_mutex_lock(&x->mu);
	x->verifications += (size_t)w->tried;
	pthread_mutex_unlock(&x->mu);
 out:
	free(w->der);
	w->der = NULL;
	npkd_cert_free(c);
	npkd_findings_free(f);
}

/* A batch verified on worker threads while the caller writes another. */
struct bgrun {
	pthread_t	 t;
	size_t		 n;
	int		 threads;
	struct eectx	*x;
	int		 started;
};

static void *
bg_main(void *arg)
{
	struct bgrun *b = arg;

	parallel_for(b->n, b->threads, ee_work, b->x);
	return NULL;
}

static int
fetch(sqlite3_stmt *q, struct ee *v, size_t *n, int *r)
{
	for (*n = 0; *n < BATCH && (*r = sqlite3_step(q)) == SQLITE_ROW;
	    (*n)++) {
		v[*n].len = (size_t)sqlite3_column_bytes(q, 0);
		if ((v[*n].der = malloc(v[*n].len + 1)) == NULL)
			return NPKD_E_NOMEM;
		memcpy(v[*n].der, sqlite3_column_blob(q, 0), v[*n].len);
	}
	return NPKD_OK;
}

static int
ee_write(struct wr *w, struct ee *v, size_t n, struct npkd_err *e)
{
	size_t	 i;
	int	 rc = NPKD_OK, r;

	for (i = 0; i < n && rc == NPKD_OK; i++) {
		if (!v[i].ok)
			continue;	/* stored once, unreadable now */
		sqlite3_reset(w->up);
		sqlite3_bind_text(w->up, 1, status_names[v[i].status], -1,
		    SQLITE_STATIC);
		sqlite3_bind_text(w->up, 2, v[i].json, -1, SQLITE_STATIC);
		sqlite3_bind_int64(w->up, 3, w->now);
		sqlite3_bind_blob(w->up, 4, v[i].sha256, 32, SQLITE_STATIC);
		if ((r = sqlite3_step(w->up)) != SQLITE_DONE)
			rc = npkd_sqlerr(w->s, e, "status");
		w->st->objects++;
		w->st->by_status[v[i].status]++;
		if (v[i].status == ST_INVALID)
			w->st->action++;
	}
	return rc;
}

static void
ee_clear(struct ee *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].der);
		free(v[i].json);
		memset(&v[i], 0, sizeof(v[i]));
	}
}

/*
 * End-entity certificates (DSCs and signers) in batches, two in flight:
 * while worker threads parse and verify one, this thread writes the
 * statuses of the previous one and reads the next.
 */
static int
check_ees(struct npkd_store *s, struct ca *cas, size_t nca, time_t now,
    int threads, struct wr *w, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	struct eectx	 x[2];
	struct bgrun	 bg;
	struct ee	*v[2] = { NULL, NULL };
	size_t		 n[2] = { 0, 0 };
	int		 r = SQLITE_ROW, rc = NPKD_OK, cur = 0, k;

	if (sqlite3_prepare_v2(s->db, "SELECT der FROM objects WHERE kind IN "
	    "('dsc', 'mlsigner', 'dlsigner', 'other') ORDER BY sha256", -1,
	    &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "load DSCs");
	for (k = 0; k < 2; k++) {
		memset(&x[k], 0, sizeof(x[k]));
		if ((v[k] = calloc(BATCH, sizeof(*v[k]))) == NULL)
			rc = npkd_seterr(e, NPKD_E_NOMEM, "check");
		x[k].v = v[k];
		x[k].cas = cas;
		x[k].nca = nca;
		x[k].now = now;
		pthread_mutex_init(&x[k].mu, NULL);
	}
	memset(&bg, 0, sizeof(bg));
	if (rc == NPKD_OK && fetch(q, v[cur], &n[cur], &r) != NPKD_OK)
		rc = npkd_seterr(e, NPKD_E_NOMEM, "check");
	while (rc == NPKD_OK && n[cur] > 0) {
		bg.n = n[cur];
		bg.threads = threads;
		bg.x = &x[cur];
		bg.started = pthread_create(&bg.t, NULL, bg_main, &bg) == 0;
		if (!bg.started)
			parallel_for(n[cur], threads, ee_work, &x[cur]);
		/* meanwhile: read the next batch */
		if (r == SQLITE_ROW && fetch(q, v[!cur], &n[!cur], &r) !=
		    NPKD_OK)
			rc = npkd_seterr(e, NPKD_E_NOMEM, "check");
		if (r != SQLITE_ROW)
			r = r == SQLITE_DONE ? SQLITE_DONE : r;
		if (bg.started)
			pthread_join(bg.t, NULL);
		if (rc == NPKD_OK)
			rc = ee_write(w, v[cur], n[cur], e);
		ee_clear(v[cur], n[cur]);
		n[cur] = 0;
		cur = !cur;
	}
	if (rc == NPKD_OK && r != SQLITE_DONE && r != SQLITE_ROW)
		rc = npkd_sqlerr(s, e, "load DSCs");
	for (k = 0; k < 2; k++) {
		if (v[k] != NULL)
			ee_clear(v[k], n[k]);
		w->st->verifications += x[k].verifications;
		pthread_mutex_destroy(&x[k].mu);
		free(v[k]);
	}
	sqlite3_finalize(q);
	return rc;
}

int
npkd_store_check(struct npkd_store *s, time_t now, int threads,
    struct npkd_check_stats *st, struct npkd_err *e)
{
	struct ca	*cas = NULL;
	struct wr	 w;
	size_t		 nca = 0, i;
	int		 rc;

	memset(st, 0, sizeof(*st));
	if (threads < 1)
		threads = 1;
	if ((rc = npkd_store_integrity(s, e)) != NPKD_OK ||
	    (rc = npkd_store_exec(s, "BEGIN IMMEDIATE", e)) != NPKD_OK)
		return rc;
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.now = now;
	w.st = st;
	if (sqlite3_prepare_v2(s->db, "UPDATE objects SET status = ?1, "
	    "findings = ?2, checked = ?3 WHERE sha256 = ?4", -1, &w.up, NULL) !=
	    SQLITE_OK) {
		rc = npkd_sqlerr(s, e, "prepare");
		goto out;
	}
	if ((rc = load_cas(s, &cas, &nca, e)) != NPKD_OK)
		goto out;
	check_cas(cas, nca, now, threads, st);
	if ((rc = check_crls(s, cas, nca, now, threads, &w, e)) != NPKD_OK)
		goto out;
	for (i = 0; i < nca && rc == NPKD_OK; i++)
		rc = write_status(&w, cas[i].c->sha256, cas[i].status, cas[i].f,
		    cas[i].status == ST_INVALID, e);
	if (rc == NPKD_OK)
		rc = check_ees(s, cas, nca, now, threads, &w, e);
	/* lists keep the verdict of their import; count them */
	if (rc == NPKD_OK) {
		sqlite3_stmt *q;

		if (sqlite3_prepare_v2(s->db, "SELECT status, count(*) FROM "
		    "objects WHERE kind IN ('ml', 'dl') GROUP BY status", -1,
		    &q, NULL) == SQLITE_OK) {
			while (sqlite3_step(q) == SQLITE_ROW) {
				const char *sn = (const char *)
				    sqlite3_column_text(q, 0);
				int k;

				for (k = 0; k <= ST_UNCHECKED; k++)
					if (strcmp(sn, status_names[k]) == 0)
						st->by_status[k] += (size_t)
						    sqlite3_column_int64(q, 1);
				st->objects += (size_t)sqlite3_column_int64(q, 1);
			}
			sqlite3_finalize(q);
		}
	}
 out:
	sqlite3_finalize(w.up);
	for (i = 0; i < nca; i++) {
		npkd_cert_free(cas[i].c);
		npkd_findings_free(cas[i].f);
		npkd_crl_free(cas[i].crl);
	}
	free(cas);
	if (rc == NPKD_OK)
		rc = npkd_store_exec(s, "COMMIT", e);
	if (rc != NPKD_OK)
		npkd_store_exec(s, "ROLLBACK", NULL);
	return rc;
}
