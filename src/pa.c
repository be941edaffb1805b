/*
 * pa.c - passive authentication of a travel document against the store
 * (ICAO 9303-11 5.1), on the trust model of design.md section 8.
 *
 * A context builds the trust engine once over the store's CA side
 * (npkd_store_trust_load: anchors, list authorities, CSCAs, links, CRLs,
 * lists).  Each DSC met in a document is decoded and judged by the engine
 * once, as check judges a stored DSC (its candidate keys by issuer name
 * and AKI, signatures through the store's cache, the verdict with one
 * primary reason), and the verdict is kept for every later document
 * under the same DSC: a document then costs its own SOD signature, a few
 * hashes and a walk of the SOD.  Whether a DSC is in the store does not
 * make it trusted: the engine judges it from the store's CA side only.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pa_int.h"
#include "store_int.h"
#include "trust.h"

#define NBUCKET		4096
#define MAX_DSCS	16384	/* judged DSCs kept in a context */
#define R_PA		"ICAO 9303-11 5.1"
#define DAY		86400

/* A DSC met in a document, judged once. */
struct dscent {
	uint8_t			 sha[32];
	struct npkd_cert	*c;
	struct tverdict		 v;
	struct npkd_findings	*f;	/* the judgement's findings */
	const char		*crl_state;
	time_t			 crl_this, crl_next;
	int			 in_store;
	char			 nb[24], na[24];	/* its validity, written once */
	struct dscent		*next;
};

struct npkd_pa {
	struct npkd_store	*s;
	time_t			 now;
	struct trust		*t;
	struct sigcache		*sc;
	pthread_mutex_t		 mu;
	struct dscent		*bucket[NBUCKET];
	size_t			 nd;
	sqlite3_stmt		*q_sha, *q_ski, *q_iss;
};

static void
dsc_free(struct dscent *d)
{
	if (d == NULL)
		return;
	npkd_cert_free(d->c);
	npkd_findings_free(d->f);
	free(d);
}

void
npkd_pa_free(struct npkd_pa *pa)
{
	struct dscent	*d, *n;
	size_t		 i;

	if (pa == NULL)
		return;
	for (i = 0; i < NBUCKET; i++)
		for (d = pa->bucket[i]; d != NULL; d = n) {
			n = d->next;
			dsc_free(d);
		}
	sqlite3_finalize(pa->q_sha);
	sqlite3_finalize(pa->q_ski);
	sqlite3_finalize(pa->q_iss);
	npkd_trust_free(pa->t);
	npkd_sigcache_free(pa->sc);
	pthread_mutex_destroy(&pa->mu);
	free(pa);
}

int
npkd_pa_open(struct npkd_store *s, time_t now, struct npkd_pa **out,
    struct npkd_err *e)
{
	struct npkd_pa	*pa;
	int		 rc;

	*out = NULL;
	if ((pa = calloc(1, sizeof(*pa))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "passive authentication");
	pthread_mutex_init(&pa->mu, NULL);
	pa->s = s;
	pa->now = now ? now : time(NULL);
	if ((rc = npkd_store_trust_load(s, pa->now, &pa->t, &pa->sc, e)) !=
	    NPKD_OK) {
		npkd_pa_free(pa);
		return rc;
	}
	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM objects WHERE sha256 = "
	    "?1", -1, &pa->q_sha, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT der FROM objects WHERE ski = ?1 "
	    "AND kind IN ('dsc', 'other') ORDER BY sha256 LIMIT 64", -1,
	    &pa->q_ski, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "SELECT der FROM objects WHERE "
	    "issuer_id = ?1 AND serial = ?2 AND kind IN ('dsc', 'other') "
	    "ORDER BY sha256 LIMIT 64", -1, &pa->q_iss, NULL) != SQLITE_OK) {
		rc = npkd_sqlerr(s, e, "passive authentication");
		npkd_pa_free(pa);
		return rc;
	}
	*out = pa;
	return NPKD_OK;
}

static size_t
bucket_of(const uint8_t *der, size_t len)
{
	uint64_t	h = 0x9e3779b97f4a7c15ULL ^ len, w;
	size_t		i;

	/*
	 * A fast hash, not a cryptographic one: a DSC is found by its whole
	 * DER, compared byte for byte, and only DSCs under a trusted CSCA
	 * are kept, which no one without a CSCA key can make collide.
	 */
	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, der + i, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdULL;
		h ^= h >> 32;
	}
	for (; i < len; i++)
		h = (h ^ der[i]) * 0x100000001b3ULL;
	return (size_t)(h % NBUCKET);
}

static struct dscent *
dsc_find(struct npkd_pa *pa, const uint8_t *der, size_t len)
{
	struct dscent *d;

	for (d = pa->bucket[bucket_of(der, len)]; d != NULL; d = d->next)
		if (d->c->der.len == len && memcmp(d->c->der.data, der,
		    len) == 0)
			return d;
	return NULL;
}

/* By the SHA-256 of its DER: for learning, where speed matters not. */
static struct dscent *
dsc_find_sha(struct npkd_pa *pa, const uint8_t *sha)
{
	struct dscent	*d;
	size_t		 i;

	for (i = 0; i < NBUCKET; i++)
		for (d = pa->bucket[i]; d != NULL; d = d->next)
			if (memcmp(d->sha, sha, 32) == 0)
				return d;
	return NULL;
}

/*
 * The judgement of a DSC under the trust model, as npkd check makes it
 * of a stored one (validate.c, ee_work): every candidate key by issuer
 * name and AKI, verified through the signature cache in order until a
 * trusted one verifies, then the verdict with its one primary reason.
 */
static void
judge(struct npkd_pa *pa, struct dscent *d)
{
	struct tcand		 cand[TEE_MAXCAND];
	struct tee		 te;
	const struct tname	*tn;
	const struct npkd_crl	*crl;
	const struct npkd_cert	*c = d->c;
	size_t			 n, k, i;
	int			 more;

	memset(&te, 0, sizeof(te));
	te.sha = c->sha256;
	te.issuer_id = c->issuer_id;
	te.aki = c->has_aki ? c->aki.data : NULL;
	te.aki_len = c->has_aki ? c->aki.len : 0;
	te.serial = c->serial;
	te.country = c->country;
	te.nb = c->not_before;
	te.na = c->not_after;
	te.crit_unknown = c->crit_unknown;
	n = npkd_trust_ee_candidates(pa->t, &te, cand, TEE_MAXCAND, &more);
	for (k = 0; k < n; k++) {
		cand[k].sig = npkd_sig_cert(pa->sc, c, cand[k].keycert, d->f);
		if (cand[k].sig == SIG_OK && cand[k].ent >= 0)
			break;
	}
	npkd_trust_ee_verdict(pa->t, &te, cand, k < n ? k + 1 : n, more, &d->v,
	    d->f);
	npkd_time_str(c->not_before, d->nb);
	npkd_time_str(c->not_after, d->na);
	d->crl_state = "none";
	for (i = 0; i < npkd_trust_nnames(pa->t); i++) {
		tn = npkd_trust_name(pa->t, i);
		if (memcmp(tn->id, c->issuer_id, 32) != 0)
			continue;
		d->crl_state = tn->state;
		if (tn->crl >= 0) {
			crl = npkd_trust_crl(pa->t, (size_t)tn->crl);
			d->crl_this = npkd_crl_this_update(crl);
			d->crl_next = npkd_crl_next_update(crl);
		}
		break;
	}
}

/*
 * The DSC of these bytes: from the context when met before, else decoded,
 * judged and kept.  Called with the mutex held.  NULL with e set when
 * the bytes are not a certificate.
 */
static struct dscent *
dsc_get(struct npkd_pa *pa, const uint8_t *der, size_t len,
    struct dscent **tmp, struct npkd_err *e)
{
	struct dscent	*d;
	int		 rc;

	*tmp = NULL;
	if ((d = dsc_find(pa, der, len)) != NULL)
		return d;
	if ((d = calloc(1, sizeof(*d))) == NULL ||
	    (d->f = npkd_findings_new()) == NULL) {
		dsc_free(d);
		npkd_seterr(e, NPKD_E_NOMEM, "DSC");
		return NULL;
	}
	if ((rc = npkd_cert_parse(der, len, &d->c, e)) != NPKD_OK) {
		dsc_free(d);
		return NULL;
	}
	memcpy(d->sha, d->c->sha256, 32);
	judge(pa, d);
	sqlite3_reset(pa->q_sha);
	sqlite3_bind_blob(pa->q_sha, 1, d->sha, 32, SQLITE_STATIC);
	d->in_store = sqlite3_step(pa->q_sha) == SQLITE_ROW;
	sqlite3_reset(pa->q_sha);
	/*
	 * Only DSCs under a trusted CSCA are kept: anyone can make others,
	 * and they must not fill the context (nor push the genuine out).
	 */
	if (pa->nd >= MAX_DSCS || !d->v.trusted) {
		*tmp = d;	/* judged for this document only */
		return d;
	}
	d->next = pa->bucket[bucket_of(der, len)];
	pa->bucket[bucket_of(der, len)] = d;
	pa->nd++;
	return d;
}

/* The SignerInfo's sid, and the id of its issuer name once needed. */
struct sid {
	const uint8_t	*ski, *iss, *serial;
	size_t		 skilen, ilen, slen;
	uint8_t		 iss_id[32];
	int		 have_id;	/* 1 computed, -1 not a name */
};

static const uint8_t *
sid_iss_id(struct sid *x)
{
	if (x->have_id == 0)
		x->have_id = npkd_name_id(x->iss, x->ilen, x->iss_id) ==
		    NPKD_OK ? 1 : -1;
	return x->have_id == 1 ? x->iss_id : NULL;
}

/*
 * Does the DSC match the SignerInfo's sid: by SKI, or by serial and the
 * issuer name (the same bytes, else equal as RFC 5280 7.1 compares)?
 */
static int
is_signer(const struct npkd_cert *c, struct sid *x)
{
	if (x->ski != NULL)
		return c->has_ski && c->ski.len == x->skilen &&
		    memcmp(c->ski.data, x->ski, x->skilen) == 0;
	if (x->iss == NULL || c->serial_raw.len != x->slen ||
	    memcmp(c->serial_raw.data, x->serial, x->slen) != 0)
		return 0;
	if (c->issuer_len == x->ilen && memcmp(c->issuer_der, x->iss,
	    x->ilen) == 0)
		return 1;
	return sid_iss_id(x) != NULL && memcmp(c->issuer_id, x->iss_id,
	    32) == 0;
}

/* s into a buffer of n bytes, cut if it must be. */
static void
copy(char *dst, size_t n, const char *s)
{
	size_t l = strlen(s);

	if (l >= n)
		l = n - 1;
	memcpy(dst, s, l);
	dst[l] = '\0';
}

static void
step(struct npkd_pa_report *r, int st, int result, const char *reason,
    const char *fmt, ...) NPKD_PRINTF(5, 6);

static void
step(struct npkd_pa_report *r, int st, int result, const char *reason,
    const char *fmt, ...)
{
	va_list ap;

	r->steps[st].result = result;
	r->steps[st].reason = reason;
	if (strchr(fmt, '%') == NULL) {
		copy(r->steps[st].text, sizeof(r->steps[st].text), fmt);
		return;
	}
	va_start(ap, fmt);
	if (strcmp(fmt, "%s") == 0) {
		/* the most common step text, copied without printf */
		copy(r->steps[st].text, sizeof(r->steps[st].text),
		    va_arg(ap, const char *));
		va_end(ap);
		return;
	}
	vsnprintf(r->steps[st].text, sizeof(r->steps[st].text), fmt, ap);
	va_end(ap);
}

/*
 * The data group files: each a data group by its first tag (EF.COM is
 * ignored), none twice.  NPKD_E_FORMAT otherwise.
 */
static int
dg_files(const struct npkd_pa_file *dgs, size_t ndg, int *which,
    struct npkd_pa_report *r, struct npkd_err *e)
{
	size_t	 i;
	int	 n;

	for (i = 0; i < ndg; i++) {
		n = dgs[i].len >= 2 ? npkd_lds_tag_dg(dgs[i].data[0]) : -2;
		if (n == 0) {
			npkd_findings_add(r->findings, NPKD_SEV_INFO, "ef-com",
			    R_PA, "EF.COM given: the SOD does not cover it");
			which[i] = 0;
			continue;
		}
		if (n < 0) {
			step(r, NPKD_PA_DATAGROUPS, NPKD_PA_FAIL, "dg-malformed",
			    "file %zu is not a data group (tag %02x)", i + 1,
			    dgs[i].len ? dgs[i].data[0] : 0);
			return npkd_seterr(e, NPKD_E_FORMAT, "%s",
			    r->steps[NPKD_PA_DATAGROUPS].text);
		}
		if (r->dg[n] != NPKD_PA_DG_ABSENT) {
			step(r, NPKD_PA_DATAGROUPS, NPKD_PA_FAIL, "dg-twice",
			    "DG%d given twice", n);
			return npkd_seterr(e, NPKD_E_FORMAT, "%s",
			    r->steps[NPKD_PA_DATAGROUPS].text);
		}
		r->dg[n] = NPKD_PA_DG_NOT_LISTED;	/* until found listed */
		which[i] = n;
	}
	return NPKD_OK;
}

/* DG1: 61 { 5F1F MRZ }, the issuing state at MRZ positions 3 to 5. */
static int
dg1_state(const struct npkd_pa_file *f, char state[4])
{
	unsigned int	 tag;
	size_t		 h, l, ml;
	const uint8_t	*p;

	state[0] = '\0';
	if (npkd_der_header(f->data, f->len, &tag, &h, &l) != NPKD_OK ||
	    tag != 0x61 || h + l != f->len || l < 3)
		return -1;
	p = f->data + h;
	/* 5F1F: a two-octet tag, then a short or 81 length (at most 90) */
	if (p[0] != 0x5f || p[1] != 0x1f)
		return -1;
	if (p[2] < 0x80) {
		ml = p[2];
		h = 3;
	} else if (p[2] == 0x81 && l > 3 && p[3] >= 0x80) {
		ml = p[3];
		h = 4;
	} else
		return -1;
	if (h + ml != l)
		return -1;
	p += h;
	/* TD1 (90), TD2 (72), TD3 (88) characters */
	if (ml != 90 && ml != 72 && ml != 88)
		return -1;
	memcpy(state, p + 2, 3);
	state[3] = '\0';
	for (h = 0; h < 3; h++)
		if (!((state[h] >= 'A' && state[h] <= 'Z') || state[h] == '<'))
			return -1;
	return 0;
}

static const char *
reason_of(const struct tverdict *v)
{
	return v->reason != NULL ? v->reason : "";
}

/* Steps 4 to 6 from the DSC's judgement and the document's dates. */
static void
dsc_steps(struct npkd_pa *pa, const struct dscent *d,
    struct npkd_pa_report *r)
{
	const struct tverdict	*v = &d->v;
	const char		*t1 = d->nb, *t2 = d->na;
	int			 trusted;

	r->chain_status = npkd_status_name(v->status);
	r->chain_reason = reason_of(v);
	copy(r->chain_trust, sizeof(r->chain_trust), v->trust);
	r->crl_state = d->crl_state;
	r->crl_this_update = d->crl_this;
	r->crl_next_update = d->crl_next;
	trusted = v->status == ST_VALID || v->status == ST_REVOKED ||
	    v->status == ST_EXPIRED || v->status == ST_NOTYET;
	if (trusted)
		step(r, NPKD_PA_CHAIN, NPKD_PA_OK, "", "%s", v->trust);
	else
		step(r, NPKD_PA_CHAIN, NPKD_PA_FAIL, reason_of(v), "%s: %s",
		    r->chain_status, v->text);
	if (!trusted)
		step(r, NPKD_PA_REVOCATION, NPKD_PA_NOT_CHECKED, "",
		    "no trusted CSCA: revocation not checked");
	else if (v->status == ST_REVOKED)
		step(r, NPKD_PA_REVOCATION, NPKD_PA_FAIL, reason_of(v), "%s",
		    v->text);
	else
		step(r, NPKD_PA_REVOCATION, NPKD_PA_OK, "", "not revoked; CRL "
		    "of its CSCA: %s", d->crl_state);

	/* dates: at signing (the signingTime) and today, each reported */
	if (r->signing_time > pa->now + DAY)
		npkd_findings_add(r->findings, NPKD_SEV_WARNING,
		    "signing-time-future", R_PA, "the SOD's signingTime is "
		    "after today");
	if (r->signing_time == 0)
		r->at_signing = NPKD_PA_NOT_CHECKED;
	else
		r->at_signing = r->signing_time >= d->c->not_before &&
		    r->signing_time <= d->c->not_after ? NPKD_PA_OK :
		    NPKD_PA_FAIL;
	if (v->status == ST_EXPIRED || v->status == ST_NOTYET)
		r->today = NPKD_PA_FAIL;
	else
		r->today = pa->now >= d->c->not_before &&
		    pa->now <= d->c->not_after ? NPKD_PA_OK : NPKD_PA_FAIL;
	if (r->at_signing == NPKD_PA_FAIL)
		step(r, NPKD_PA_DATES, NPKD_PA_FAIL, "signed-outside-validity",
		    "the SOD was signed outside the DSC's validity %s to %s",
		    t1, t2);
	else if (r->today == NPKD_PA_FAIL)
		step(r, NPKD_PA_DATES, NPKD_PA_FAIL, v->status == ST_EXPIRED ||
		    v->status == ST_NOTYET ? reason_of(v) : pa->now <
		    d->c->not_before ? "not-yet-valid" : "expired", "%s",
		    v->status == ST_EXPIRED || v->status == ST_NOTYET ? v->text :
		    "the DSC is not valid today");
	else
		step(r, NPKD_PA_DATES, NPKD_PA_OK, "", "valid %s to %s%s", t1,
		    t2, r->at_signing == NPKD_PA_OK ? ", also at signing" :
		    "; no signingTime");
}

static void
fill_dsc(struct npkd_pa_report *r, const struct dscent *d, int from_store)
{
	const struct npkd_cert *c = d->c;

	r->dsc_found = 1;
	r->dsc_from_store = from_store;
	r->dsc_in_store = d->in_store;
	memcpy(r->dsc_sha256, d->sha, 32);
	copy(r->dsc_subject, sizeof(r->dsc_subject), c->subject);
	copy(r->dsc_issuer, sizeof(r->dsc_issuer), c->issuer);
	copy(r->dsc_serial, sizeof(r->dsc_serial), c->serial);
	copy(r->dsc_country, sizeof(r->dsc_country), c->country);
	r->dsc_not_before = c->not_before;
	r->dsc_not_after = c->not_after;
}

struct cand {
	struct dscent	*d;
	struct dscent	*tmp;		/* owned: not kept in the context */
	int		 from_store;
};

/* The DSCs of the store that match the sid (the SOD carries none). */
static int
store_cands(struct npkd_pa *pa, struct sid *x, struct cand *cv, size_t *nc,
    size_t max, struct npkd_err *e)
{
	sqlite3_stmt	*q;
	struct dscent	*d, *tmp;
	char		 hex[2 * 64 + 1];
	int		 r;

	if (x->ski != NULL) {
		q = pa->q_ski;
		sqlite3_reset(q);
		sqlite3_bind_blob(q, 1, x->ski, (int)x->skilen, SQLITE_STATIC);
	} else {
		if (x->iss == NULL || sid_iss_id(x) == NULL || x->slen > 64)
			return NPKD_OK;
		npkd_hex(x->serial, x->slen, hex);
		q = pa->q_iss;
		sqlite3_reset(q);
		sqlite3_bind_blob(q, 1, x->iss_id, 32, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, hex, -1, SQLITE_STATIC);
	}
	while (*nc < max && (r = sqlite3_step(q)) == SQLITE_ROW) {
		if ((d = dsc_get(pa, sqlite3_column_blob(q, 0),
		    (size_t)sqlite3_column_bytes(q, 0), &tmp, e)) == NULL)
			continue;	/* check reports what no longer decodes */
		if (!is_signer(d->c, x)) {
			dsc_free(tmp);
			continue;
		}
		cv[*nc].d = d;
		cv[*nc].tmp = tmp;
		cv[*nc].from_store = 1;
		(*nc)++;
	}
	sqlite3_reset(q);
	return NPKD_OK;
}

/* The verdict: the first step that failed, in the order of the steps. */
static int
conclude(struct npkd_pa_report *r)
{
	int i;

	for (i = 0; i < NPKD_PA_NSTEPS; i++)
		if (r->steps[i].result == NPKD_PA_FAIL) {
			r->step = i;
			r->reason = r->steps[i].reason;
			r->verdict = NPKD_PA_NOT_GENUINE;
			return NPKD_E_VERIFY;
		}
	r->step = -1;
	r->reason = "";
	r->verdict = NPKD_PA_GENUINE;
	return NPKD_OK;
}

int
npkd_pa_verify(struct npkd_pa *pa, const uint8_t *sod_der, size_t sod_len,
    const struct npkd_pa_file *dgs, size_t ndg, struct npkd_pa_report *r,
    struct npkd_err *e)
{
	struct npkd_sod		*sod = NULL;
	struct cand		 cv[NPKD_MAX_CMS_CERTS + 8];
	struct dscent		*d, *tmp;
	const uint8_t		*h, *cder;
	struct sid		 sid;
	uint8_t			 dh[NPKD_MAX_HASH];
	int			 which[64], rc, n, sig = SIG_UNKNOWN;
	const char		*unicode, *cc;
	size_t			 nc = 0, i, k, hl, clen;
	long			 used = -1;
	struct npkd_err		 se, ce;

	memset(r, 0, sizeof(*r));
	r->step = -1;
	r->reason = "";
	r->chain_status = r->chain_reason = r->crl_state = "";
	r->at_signing = r->today = NPKD_PA_NOT_CHECKED;
	for (i = 0; i < NPKD_PA_NSTEPS; i++)
		step(r, (int)i, NPKD_PA_NOT_CHECKED, "", "not checked");
	if ((r->findings = npkd_findings_new()) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "passive authentication");
	if (ndg > sizeof(which) / sizeof(which[0])) {
		rc = npkd_seterr(e, NPKD_E_LIMIT, "more than %zu files",
		    sizeof(which) / sizeof(which[0]));
		goto malformed;
	}

	/* 1. the SOD, and the data group files by their tags */
	if ((rc = dg_files(dgs, ndg, which, r, e)) != NPKD_OK)
		goto malformed;
	if ((rc = npkd_sod_parse(sod_der, sod_len, &sod, &se)) != NPKD_OK) {
		step(r, NPKD_PA_SOD, NPKD_PA_FAIL, rc == NPKD_E_UNSUPPORTED ?
		    "sod-unsupported" : "sod-malformed", "%s", se.msg);
		npkd_seterr(e, rc, "%s", se.msg);
		goto malformed;
	}
	npkd_findings_merge(r->findings, npkd_sod_findings(sod), NULL);
	r->ber = npkd_sod_ber(sod);
	r->lds_version = npkd_sod_lds_version(sod);
	snprintf(r->lds_info, sizeof(r->lds_info), "%s",
	    npkd_sod_lds_info(sod, &unicode));
	snprintf(r->unicode_info, sizeof(r->unicode_info), "%s", unicode);
	r->hash = npkd_sod_hash(sod);
	snprintf(r->sigalg, sizeof(r->sigalg), "%s", npkd_sod_sigalg_name(sod));
	r->signing_time = npkd_sod_signing_time(sod);
	step(r, NPKD_PA_SOD, NPKD_PA_OK, "", "LDSSecurityObject v%d, %zu data "
	    "group hashes (%s)%s", r->lds_version, npkd_sod_dg_count(sod),
	    npkd_hash_name(r->hash), r->ber ? ", BER" : "");

	/* 2. the DSC: the SOD's certificates that match the sid, else the
	 * store's; every one is tried until the signature verifies */
	memset(&sid, 0, sizeof(sid));
	npkd_sod_sid(sod, &sid.ski, &sid.skilen, &sid.iss, &sid.ilen,
	    &sid.serial, &sid.slen);
	pthread_mutex_lock(&pa->mu);
	for (i = 0; i < npkd_sod_cert_count(sod); i++) {
		cder = npkd_sod_cert_der(sod, i, &clen);
		if ((d = dsc_get(pa, cder, clen, &tmp, &ce)) == NULL) {
			pthread_mutex_unlock(&pa->mu);
			rc = ce.code == NPKD_E_NOMEM ? ce.code : NPKD_E_FORMAT;
			step(r, NPKD_PA_SOD, NPKD_PA_FAIL, "sod-certificate",
			    "certificate %zu of the SOD: %s", i + 1, ce.msg);
			npkd_seterr(e, rc, "%s", r->steps[NPKD_PA_SOD].text);
			goto malformed;
		}
		if (!is_signer(d->c, &sid)) {
			npkd_findings_add(r->findings, NPKD_SEV_INFO,
			    "sod-other-cert", R_PA, "the SOD carries a "
			    "certificate that is not its signer's: %s",
			    d->c->subject);
			dsc_free(tmp);
			continue;
		}
		cv[nc].d = d;
		cv[nc].tmp = tmp;
		cv[nc].from_store = 0;
		nc++;
	}
	if (nc == 0 && (rc = store_cands(pa, &sid, cv, &nc,
	    sizeof(cv) / sizeof(cv[0]), e)) != NPKD_OK) {
		pthread_mutex_unlock(&pa->mu);
		goto out;
	}
	pthread_mutex_unlock(&pa->mu);
	if (nc == 0) {
		step(r, NPKD_PA_DSC, NPKD_PA_FAIL, "dsc-unknown", "no DSC in the "
		    "SOD or the store matches its signer (%s)",
		    npkd_sod_signer_id(sod));
		goto dgroups;
	}

	/* 3. the SOD's signature, by each candidate until one verifies */
	for (k = 0; k < nc; k++) {
		rc = npkd_sod_verify(sod, cv[k].d->c, r->findings, &se);
		sig = rc == NPKD_OK ? SIG_OK : rc == NPKD_E_UNSUPPORTED ?
		    SIG_UNSUP : SIG_BAD;
		if (sig == SIG_OK) {
			used = (long)k;
			break;
		}
	}
	d = cv[used >= 0 ? (size_t)used : 0].d;
	fill_dsc(r, d, cv[used >= 0 ? (size_t)used : 0].from_store);
	step(r, NPKD_PA_DSC, NPKD_PA_OK, "", "%s, from the %s%s", d->c->subject,
	    r->dsc_from_store ? "store" : "SOD", r->dsc_from_store ? "" :
	    d->in_store ? " (also in the store)" : " (not in the store)");
	if (used >= 0)
		step(r, NPKD_PA_SIGNATURE, NPKD_PA_OK, "", "%s by the DSC",
		    r->sigalg);
	else
		step(r, NPKD_PA_SIGNATURE, NPKD_PA_FAIL, sig == SIG_UNSUP ?
		    "algorithm-unsupported" : "sod-signature", "%s", se.msg);

	/* 4-6: the DSC under the trust model; its country; dates */
	npkd_findings_merge(r->findings, d->f, NULL);
	dsc_steps(pa, d, r);
	for (i = 0; i < ndg; i++) {
		if (which[i] != 1)
			continue;
		if (dg1_state(&dgs[i], r->dg1_state) != 0)
			step(r, NPKD_PA_COUNTRY, NPKD_PA_FAIL, "dg1-unreadable",
			    "DG1 holds no machine readable zone");
		else if ((cc = npkd_mrz_country(r->dg1_state)) == NULL)
			step(r, NPKD_PA_COUNTRY, NPKD_PA_FAIL,
			    "issuing-state-unknown", "DG1's issuing state %s "
			    "is no country known to npkd", r->dg1_state);
		else if (strcasecmp(cc, d->c->country) != 0)
			step(r, NPKD_PA_COUNTRY, NPKD_PA_FAIL, "issuing-state",
			    "DG1's issuing state %s (%s) is not the DSC's "
			    "country %s", r->dg1_state, cc, d->c->country);
		else
			step(r, NPKD_PA_COUNTRY, NPKD_PA_OK, "", "DG1's issuing "
			    "state %s is the DSC's country %s", r->dg1_state,
			    d->c->country);
	}
	if (r->steps[NPKD_PA_COUNTRY].result == NPKD_PA_NOT_CHECKED)
		step(r, NPKD_PA_COUNTRY, NPKD_PA_NOT_CHECKED, "", "DG1 not given");

 dgroups:
	/* 6. the data groups: listed ones hashed, others refused */
	for (n = 1; n <= NPKD_MAX_DG; n++)
		if (npkd_sod_dg_hash(sod, n, &hl) != NULL &&
		    r->dg[n] == NPKD_PA_DG_ABSENT)
			r->dg[n] = NPKD_PA_DG_NOT_CHECKED;
	for (i = 0; i < ndg; i++) {
		if ((n = which[i]) == 0)
			continue;
		if ((h = npkd_sod_dg_hash(sod, n, &hl)) == NULL)
			continue;	/* stays "not listed" */
		if ((rc = npkd_hash(r->hash, dgs[i].data, dgs[i].len, dh, e)) !=
		    NPKD_OK)
			goto out;
		r->dg[n] = memcmp(dh, h, hl) == 0 ? NPKD_PA_DG_MATCH :
		    NPKD_PA_DG_MISMATCH;
	}
	for (n = 1, k = 0; n <= NPKD_MAX_DG; n++) {
		if (r->dg[n] == NPKD_PA_DG_MISMATCH && k == 0) {
			step(r, NPKD_PA_DATAGROUPS, NPKD_PA_FAIL, "dg-hash",
			    "DG%d does not hash to what the SOD lists", n);
			k = 1;
		}
	}
	for (n = 1; k == 0 && n <= NPKD_MAX_DG; n++)
		if (r->dg[n] == NPKD_PA_DG_NOT_LISTED) {
			step(r, NPKD_PA_DATAGROUPS, NPKD_PA_FAIL, "dg-not-listed",
			    "DG%d is not listed in the SOD: refused", n);
			k = 1;
		}
	if (k == 0) {
		for (n = 1, i = 0; n <= NPKD_MAX_DG; n++)
			i += r->dg[n] == NPKD_PA_DG_MATCH;
		if (i > 0)
			step(r, NPKD_PA_DATAGROUPS, NPKD_PA_OK, "", "%zu data "
			    "group%s as listed", i, i == 1 ? "" : "s");
		else
			step(r, NPKD_PA_DATAGROUPS, NPKD_PA_NOT_CHECKED, "",
			    "no data group given");
	}
	rc = conclude(r);
	if (rc == NPKD_E_VERIFY)
		npkd_seterr(e, rc, "not genuine: %s: %s",
		    npkd_pa_step_name(r->step), r->steps[r->step].text);
	goto out;
 malformed:
	r->verdict = NPKD_PA_MALFORMED;
	for (i = 0; i < NPKD_PA_NSTEPS; i++)
		if (r->steps[i].result == NPKD_PA_FAIL)
			break;
	r->step = i < NPKD_PA_NSTEPS ? (int)i : NPKD_PA_SOD;
	r->reason = r->steps[r->step].reason;
 out:
	for (k = 0; k < nc; k++)
		dsc_free(cv[k].tmp);
	npkd_sod_free(sod);
	return rc;
}

void
npkd_pa_report_clear(struct npkd_pa_report *r)
{
	if (r == NULL)
		return;
	npkd_findings_free(r->findings);
	r->findings = NULL;
}

const char *
npkd_pa_step_name(int s)
{
	static const char *n[NPKD_PA_NSTEPS] = { "sod", "dsc", "signature",
	    "chain", "country", "revocation", "dates", "datagroups" };

	return s >= 0 && s < NPKD_PA_NSTEPS ? n[s] : "";
}

const char *
npkd_pa_verdict_name(int v)
{
	return v == NPKD_PA_GENUINE ? "genuine" : v == NPKD_PA_NOT_GENUINE ?
	    "not-genuine" : "malformed";
}

const char *
npkd_pa_dg_name(int r)
{
	static const char *n[] = { "absent", "ok", "mismatch", "not-listed",
	    "not-checked" };

	return r >= 0 && r <= NPKD_PA_DG_NOT_CHECKED ? n[r] : "";
}

const char *
npkd_pa_result_name(int r)
{
	return r == NPKD_PA_OK ? "ok" : r == NPKD_PA_FAIL ? "fail" :
	    "not-checked";
}

int
npkd_pa_learn(struct npkd_pa *pa, struct npkd_pa_report *r, const char *from,
    int *added, struct npkd_err *e)
{
	struct npkd_import_stats st;
	struct dscent		*d;
	int			 rc;

	*added = 0;
	if (!r->dsc_found || r->steps[NPKD_PA_SIGNATURE].result != NPKD_PA_OK)
		return npkd_seterr(e, NPKD_E_VERIFY, "not learned: the SOD's "
		    "signature did not verify");
	if (r->steps[NPKD_PA_CHAIN].result != NPKD_PA_OK)
		return npkd_seterr(e, NPKD_E_VERIFY, "not learned: the DSC is "
		    "not under a trusted CSCA");
	pthread_mutex_lock(&pa->mu);
	if ((d = dsc_find_sha(pa, r->dsc_sha256)) == NULL) {
		pthread_mutex_unlock(&pa->mu);
		return npkd_seterr(e, NPKD_E_USAGE, "not learned: the DSC is "
		    "not in this context");
	}
	if (d->in_store) {
		pthread_mutex_unlock(&pa->mu);
		return NPKD_OK;
	}
	rc = npkd_store_import_mem(pa->s, from, d->c->der.data, d->c->der.len,
	    pa->now, &st, e);
	if (rc == NPKD_OK) {
		d->in_store = 1;
		r->dsc_in_store = 1;
		r->learned = 1;
		*added = st.added > 0;
	}
	pthread_mutex_unlock(&pa->mu);
	return rc;
}
