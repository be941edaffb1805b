/*
 * spocflow.c - the offline side of the SPOC (ICAO Doc 9303-12 section 8;
 * CSN 36 9791): queueing our messages, answering foreign DVs' requests,
 * taking in what the relay packed for us, and the register's trust rules
 * for certificates that arrive (design.md section 8, SPOC):
 *
 * - A certificate that arrives is trusted only by verifying under what is
 *   already registered: a peer's CVCA certificate only under a registered
 *   CVCA of that peer's country (so a new CVCA comes by its link
 *   certificate), never by the message that brings it.
 * - An answer to our request must carry a DV certificate whose public key
 *   is our request's key, under a registered CVCA of that country;
 *   otherwise the answer is refused and nothing of it is kept.
 *
 * Every caller (spoc unpack, spoc answer, the unit tests) goes through
 * these functions, so the rules are tested once.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoc_int.h"
#include "cvc_int.h"

/* --- CV certificate sets and keys ----------------------------------- */

struct cvset {
	struct npkd_cvc	**v;
	size_t		  n;
};

static void
cvset_free(struct cvset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		npkd_cvc_free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
cvset_add(struct cvset *s, struct npkd_cvc *c)
{
	struct npkd_cvc **nv;

	if ((nv = reallocarray(s->v, s->n + 1, sizeof(*nv))) == NULL)
		return NPKD_E_NOMEM;
	s->v = nv;
	s->v[s->n++] = c;
	return NPKD_OK;
}

struct cvload {
	struct cvset	*set;
	const char	*cc;	/* only CVCAs of this country, if set */
};

static int
cvload_one(void *arg, const uint8_t *der, size_t len, const char *origin)
{
	struct cvload	*l = arg;
	struct npkd_cvc	*c;

	(void)origin;
	if (npkd_cvc_parse(der, len, 0, &c, NULL) != NPKD_OK)
		return 0;	/* the register holds only parsed ones */
	if (l->cc != NULL && (npkd_cvc_role(c) != NPKD_CVC_CVCA ||
	    strncmp(npkd_cvc_chr(c), l->cc, 2) != 0)) {
		npkd_cvc_free(c);
		return 0;
	}
	if (cvset_add(l->set, c) != NPKD_OK) {
		npkd_cvc_free(c);
		return NPKD_E_NOMEM;
	}
	return 0;
}

static int
cvset_load(struct npkd_store *st, const char *origin, const char *cc,
    struct cvset *s, struct npkd_err *e)
{
	struct cvload l = { s, cc };

	return npkd_store_cv_list(st, origin, -1, 0, cvload_one, &l, e);
}

static const struct npkd_cvc *const *
cv(const struct cvset *s)
{
	return (const struct npkd_cvc *const *)s->v;
}

static int
buf_eq(const struct npkd_buf *a, const struct npkd_buf *b)
{
	return a->len == b->len && (a->len == 0 ||
	    memcmp(a->data, b->data, a->len) == 0);
}

/*
 * Does certificate c (verified under set) hold the key of request r?
 * The same algorithm and public value; for EC the same domain
 * parameters: those r carries (if any) against those c's key takes from
 * the CVCA above it in set, since a point means nothing without its
 * curve.
 */
static int
same_key(const struct npkd_cvc *c, const struct npkd_cvc *r,
    const struct cvset *set)
{
	struct cvc_key	kc, kr;

	if (strcmp(npkd_cvc_key_oid(c), npkd_cvc_key_oid(r)) != 0)
		return 0;
	npkd_cvc_key_of(c, npkd_cvc_anchor_dp(c,
	    (const struct npkd_cvc *const *)set->v, set->n), &kc);
	npkd_cvc_key_of(r, npkd_cvc_has_domain_params(r) ? r : NULL, &kr);
	if (!buf_eq(&kc.q, &kr.q) || (kc.sigkind != NPKD_SIG_ECDSA &&
	    !buf_eq(&kc.e, &kr.e)))
		return 0;
	if (kc.sigkind != NPKD_SIG_ECDSA || !kr.has_dp)
		return 1;	/* an EC request takes the CVCA's curve */
	return npkd_cvc_same_domain(&kc, &kr);
}

/* --- certificates that arrive --------------------------------------- */

/*
 * The CVCA certificates of cc among certs that verify under cc's
 * registered CVCAs, in any order (a link under a root, a second link
 * under the first); they join trust.  *bad counts the others.  Nothing
 * is stored here.
 */
static int
verify_cvcas(const char *cc, struct npkd_cvc *const *c, size_t n,
    struct cvset *trust, int *ok, time_t now, size_t *bad)
{
	const char	*why;
	size_t		 i, left;
	int		 progress = 1;

	for (i = 0, left = 0; i < n; i++) {
		ok[i] = 0;
		if (c[i] != NULL && npkd_cvc_role(c[i]) == NPKD_CVC_CVCA &&
		    strncmp(npkd_cvc_chr(c[i]), cc, 2) == 0 &&
		    npkd_cvc_car(c[i]) != NULL &&
		    strncmp(npkd_cvc_car(c[i]), cc, 2) == 0)
			left++;
		else
			ok[i] = -1;	/* not a CVCA certificate of cc */
	}
	while (left > 0 && progress) {
		progress = 0;
		for (i = 0; i < n; i++) {
			if (ok[i] != 0)
				continue;
			/* the set as pool too: a link may be read as an
			 * intermediate or as trusted, the verdict is the same */
			if (npkd_cvc_verify(c[i], cv(trust), trust->n, cv(trust),
			    trust->n, now, &why, NULL) != NPKD_OK)
				continue;
			ok[i] = 1;
			left--;
			progress = 1;
			/* trust borrows it: the caller frees c[] */
			if (cvset_add(trust, c[i]) != NPKD_OK)
				return NPKD_E_NOMEM;
		}
	}
	*bad = 0;
	for (i = 0; i < n; i++)
		if (ok[i] != 1 && (c[i] == NULL ||
		    npkd_cvc_role(c[i]) == NPKD_CVC_CVCA))
			(*bad)++;
	return NPKD_OK;
}

struct incoming {
	struct npkd_cvc	**c;
	int		 *ok;
	size_t		  n;
	struct cvset	  trust;	/* registered of cc, then borrowed */
	size_t		  nreg;		/* trust->v[0..nreg) are owned */
};

static void
incoming_free(struct incoming *in)
{
	size_t i;

	for (i = 0; i < in->n; i++)
		npkd_cvc_free(in->c[i]);
	free(in->c);
	free(in->ok);
	/* only the registered ones are trust's own */
	in->trust.n = in->nreg;
	cvset_free(&in->trust);
	memset(in, 0, sizeof(*in));
}

/* Parse what arrived and verify its CVCA certificates under cc's. */
static int
incoming_load(struct npkd_store *st, const char *cc,
    const struct npkd_buf *certs, size_t n, time_t now, struct incoming *in,
    size_t *bad, struct npkd_err *e)
{
	size_t	i;
	int	rc;

	memset(in, 0, sizeof(*in));
	if ((rc = cvset_load(st, "registered", cc, &in->trust, e)) != NPKD_OK)
		return rc;
	in->nreg = in->trust.n;
	if (n > 0 && ((in->c = calloc(n, sizeof(*in->c))) == NULL ||
	    (in->ok = calloc(n, sizeof(*in->ok))) == NULL))
		return npkd_seterr(e, NPKD_E_NOMEM, "certificates");
	in->n = n;
	for (i = 0; i < n; i++)
		if (npkd_cvc_parse(certs[i].data, certs[i].len, 0, &in->c[i],
		    NULL) != NPKD_OK)
			in->c[i] = NULL;
	if (verify_cvcas(cc, in->c, n, &in->trust, in->ok, now, bad) !=
	    NPKD_OK)
		return npkd_seterr(e, NPKD_E_NOMEM, "certificates");
	return NPKD_OK;
}

/* Register the CVCA certificates that verified. */
static int
incoming_register(struct npkd_store *st, struct incoming *in,
    size_t *added, struct npkd_err *e)
{
	struct npkd_err	 ae;
	size_t		 i;

	*added = 0;
	for (i = 0; i < in->n; i++) {
		if (in->ok[i] != 1)
			continue;
		(*added)++;
		/* already in the register (NPKD_E_VERIFY) is fine */
		if (npkd_store_cv_add(st, in->c[i], "registered", NULL, &ae) !=
		    NPKD_OK && ae.code != NPKD_E_VERIFY)
			return npkd_seterr(e, ae.code, "%s", ae.msg);
	}
	return NPKD_OK;
}

int
npkd_spoc_take_cvcas(struct npkd_store *st, const char *cc,
    const struct npkd_buf *certs, size_t n, time_t now, size_t *verified,
    size_t *unverified, struct npkd_err *e)
{
	struct incoming	in;
	int		rc;

	*verified = *unverified = 0;
	if ((rc = incoming_load(st, cc, certs, n, now, &in, unverified, e)) ==
	    NPKD_OK)
		rc = incoming_register(st, &in, verified, e);
	incoming_free(&in);
	return rc;
}

int
npkd_spoc_take_dv(struct npkd_store *st, const char *cc,
    const uint8_t *req, size_t reqlen, const struct npkd_buf *certs,
    size_t n, time_t now, struct npkd_buf *dv, size_t *verified,
    size_t *unverified, struct npkd_err *e)
{
	struct incoming	 in;
	struct npkd_cvc	*rq = NULL;
	struct npkd_err	 ve;
	const char	*why;
	const uint8_t	*der;
	size_t		 i, len, found = (size_t)-1;
	int		 rc;
	char		 reason[sizeof(ve.msg)] = "";

	memset(dv, 0, sizeof(*dv));
	*verified = *unverified = 0;
	if (npkd_cvc_parse(req, reqlen, 1, &rq, &ve) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "our request: %s", ve.msg);
	if ((rc = incoming_load(st, cc, certs, n, now, &in, unverified, e)) !=
	    NPKD_OK)
		goto out;
	for (i = 0; i < in.n && found == (size_t)-1; i++) {
		const struct npkd_cvc *c = in.c[i];

		if (c == NULL || (npkd_cvc_role(c) != NPKD_CVC_DV_FOREIGN &&
		    npkd_cvc_role(c) != NPKD_CVC_DV_DOMESTIC))
			continue;
		if (npkd_cvc_verify(c, cv(&in.trust), in.trust.n, cv(&in.trust),
		    in.trust.n, now, &why, &ve) != NPKD_OK) {
			snprintf(reason, sizeof(reason), "%s", ve.msg);
			continue;
		}
		if (!same_key(c, rq, &in.trust)) {
			snprintf(reason, sizeof(reason), "%s: not the key of our "
			    "request %s", npkd_cvc_chr(c), npkd_cvc_chr(rq));
			continue;
		}
		found = i;
	}
	if (found == (size_t)-1) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "no DV certificate for the "
		    "key of our request %s under a registered CVCA of %s%s%s",
		    npkd_cvc_chr(rq), cc, reason[0] ? ": " : "", reason);
		goto out;
	}
	if ((rc = incoming_register(st, &in, verified, e)) != NPKD_OK)
		goto out;
	if (npkd_store_cv_add(st, in.c[found], "ours", NULL, &ve) != NPKD_OK &&
	    ve.code != NPKD_E_VERIFY) {
		rc = npkd_seterr(e, ve.code, "%s", ve.msg);
		goto out;
	}
	der = npkd_cvc_der(in.c[found], &len);
	if ((dv->data = malloc(len)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "certificate");
		goto out;
	}
	memcpy(dv->data, der, len);
	dv->len = len;
	rc = NPKD_OK;
out:
	incoming_free(&in);
	npkd_cvc_free(rq);
	return rc;
}

/* --- delivery ------------------------------------------------------- */

/*
 * Is (status, body) the peer's answer to our request of operation op?
 * A SOAP response of that operation, valid against its dialect's schema,
 * in HTTP 200 (or 500, which must then hold a fault: a refusal).
 * Anything else, or an answer bigger or slower than the caller allowed,
 * means the message was not delivered.
 */
int
npkd_spoc_delivered(int op, long status, const uint8_t *body, size_t len,
    const char *what, struct npkd_spoc_msg *ans, struct npkd_err *e)
{
	int rc;

	memset(ans, 0, sizeof(*ans));
	if (status != 200 && status != 500)
		return npkd_seterr(e, NPKD_E_VERIFY, "%s: HTTP %ld", what,
		    status);
	if ((rc = npkd_spoc_decode(body, len, what, ans, e)) != NPKD_OK)
		return rc;
	if (!ans->response || ans->op != op) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: answered %s%s to %s"
		    "Request", what, npkd_spoc_op_name(ans->op), ans->response ?
		    "Response" : "Request", npkd_spoc_op_name(op));
		npkd_spoc_msg_free(ans);
		return rc;
	}
	return NPKD_OK;
}

/* --- queueing ------------------------------------------------------- */

static void
kind(int op, int response, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", npkd_spoc_op_name(op), response ? "Response" :
	    "Request");
}

static void
audit(struct npkd_store *st, time_t now, const char *dir, const char *peer,
    int op, int response, const char *msgid, const uint8_t *sha,
    const char *outcome)
{
	char k[48];

	kind(op, response, k, sizeof(k));
	npkd_spoc_log_add(st, now, dir, peer, k, msgid[0] ? msgid : "-", sha,
	    outcome, NULL);
}

int
npkd_spoc_queue(struct npkd_store *st, const struct npkd_spoc_msg *m,
    const char *peer, const char *dv, long answers, time_t now,
    struct npkd_spoc_rec *r, struct npkd_err *e)
{
	struct npkd_buf	x;
	int		rc;

	memset(r, 0, sizeof(*r));
	if ((rc = npkd_spoc_encode(m, &x, e)) != NPKD_OK)
		return rc;
	snprintf(r->dir, sizeof(r->dir), "out");
	snprintf(r->peer, sizeof(r->peer), "%s", peer);
	r->op = m->op;
	r->response = m->response;
	snprintf(r->msgid, sizeof(r->msgid), "%s", m->msgid);
	snprintf(r->state, sizeof(r->state), "queued");
	snprintf(r->result, sizeof(r->result), "%s", m->result);
	snprintf(r->dv, sizeof(r->dv), "%s", dv ? dv : "");
	r->answers = answers;
	rc = npkd_spoc_msg_add(st, r, x.data, x.len, now, e);
	npkd_buf_free(&x);
	if (rc == NPKD_OK)
		audit(st, now, "out", peer, m->op, m->response, m->msgid,
		    r->sha256, "queued");
	return rc;
}

int
npkd_spoc_request_new(struct npkd_store *st, const char *cc, int op,
    time_t now, struct npkd_spoc_msg *m, struct npkd_err *e)
{
	struct npkd_spoc_peer	 p;
	char			*self = NULL;
	int			 rc;

	memset(m, 0, sizeof(*m));
	if ((rc = npkd_spoc_peer_get(st, cc, &p, e)) != NPKD_OK)
		return rc;
	if ((rc = npkd_spoc_setting_get(st, "country", &self, e)) == NPKD_OK) {
		m->op = op;
		m->dialect = p.dialect;
		snprintf(m->caller, sizeof(m->caller), "%s", self);
		rc = npkd_spoc_new_msgid(self, now, m->msgid, e);
	}
	free(self);
	npkd_spoc_peer_clear(&p);
	return rc;
}

static int
by_effective(const void *a, const void *b)
{
	time_t x = npkd_cvc_effective(*(struct npkd_cvc *const *)a);
	time_t y = npkd_cvc_effective(*(struct npkd_cvc *const *)b);

	return x < y ? -1 : x > y;
}

/* Our CVCA certificates ("own"), by effective date. */
static int
own_cvcas(struct npkd_store *st, struct cvset *s, struct npkd_err *e)
{
	size_t	i, k;
	int	rc;

	if ((rc = cvset_load(st, "own", NULL, s, e)) != NPKD_OK)
		return rc;
	for (i = k = 0; i < s->n; i++)
		if (npkd_cvc_role(s->v[i]) == NPKD_CVC_CVCA)
			s->v[k++] = s->v[i];
		else
			npkd_cvc_free(s->v[i]);
	s->n = k;
	if (s->n == 0 || s->n > NPKD_SPOC_MAX_CERTS)
		return npkd_seterr(e, NPKD_E_NOTFOUND, "%zu CVCA certificates "
		    "registered as own (cvc register -o own)", s->n);
	qsort(s->v, s->n, sizeof(s->v[0]), by_effective);
	return NPKD_OK;
}

struct notify {
	struct npkd_store	*st;
	struct npkd_buf		*seq;
	size_t			 nseq, n;
	char			*self;
	time_t			 now;
	struct npkd_err		*e;
	int			 rc;
};

static int
notify_one(void *arg, const struct npkd_spoc_peer *p)
{
	struct notify		*nf = arg;
	struct npkd_spoc_msg	 m;
	struct npkd_spoc_rec	 r;

	memset(&m, 0, sizeof(m));
	m.op = NPKD_SPOC_SEND_CERTS;
	m.dialect = p->dialect;
	snprintf(m.caller, sizeof(m.caller), "%s", nf->self);
	m.certs = nf->seq;
	m.ncerts = nf->nseq;
	snprintf(m.result, sizeof(m.result), "new_cert_available_notification");
	if ((nf->rc = npkd_spoc_queue(nf->st, &m, p->country, NULL, 0, nf->now,
	    &r, nf->e)) != NPKD_OK)
		return 1;
	nf->n++;
	return 0;
}

/* Push our CVCA certificates to every registered SPOC, in one
 * transaction of the caller's. */
int
npkd_spoc_notify(struct npkd_store *st, time_t now, size_t *npeers,
    struct npkd_err *e)
{
	struct cvset	own = { NULL, 0 };
	struct notify	nf;
	size_t		i;
	int		rc;

	*npeers = 0;
	memset(&nf, 0, sizeof(nf));
	if ((rc = own_cvcas(st, &own, e)) != NPKD_OK)
		goto out;
	if ((rc = npkd_spoc_setting_get(st, "country", &nf.self, e)) !=
	    NPKD_OK)
		goto out;
	if ((nf.seq = calloc(own.n, sizeof(*nf.seq))) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "notify");
		goto out;
	}
	for (i = 0; i < own.n; i++)
		nf.seq[i].data = (uint8_t *)(uintptr_t)npkd_cvc_der(own.v[i],
		    &nf.seq[i].len);
	nf.nseq = own.n;
	nf.st = st;
	nf.now = now;
	nf.e = e;
	if ((rc = npkd_spoc_peer_list(st, notify_one, &nf, e)) != NPKD_OK ||
	    (rc = nf.rc) != NPKD_OK)
		goto out;
	if (nf.n == 0)
		rc = npkd_seterr(e, NPKD_E_NOTFOUND, "no SPOC registered");
	*npeers = nf.n;
out:
	free(nf.seq);
	free(nf.self);
	cvset_free(&own);
	return rc;
}

/* --- answering foreign DVs ------------------------------------------ */

int
npkd_spoc_answer(struct npkd_store *st, long id,
    const struct npkd_spoc_answer *a, time_t now, struct npkd_spoc_rec *q,
    struct npkd_err *e)
{
	struct npkd_spoc_rec	 in;
	struct npkd_spoc_peer	 p;
	struct npkd_spoc_msg	 req, m;
	struct npkd_buf		 x = { NULL, 0 }, *seq = NULL;
	struct cvset		 chain = { NULL, 0 };
	struct npkd_cvc		*cert = NULL, *rq = NULL, *ca = NULL, *c;
	struct npkd_err		 ve;
	const char		*result;
	char			*self = NULL;
	size_t			 i, nseq = 0;
	int			 rc;

	memset(q, 0, sizeof(*q));
	memset(&req, 0, sizeof(req));
	memset(&m, 0, sizeof(m));
	memset(&p, 0, sizeof(p));
	if (npkd_spoc_msg_get(st, id, &in, &x, &ve) != NPKD_OK ||
	    strcmp(in.dir, "in") != 0 || in.response ||
	    (in.op != NPKD_SPOC_REQUEST_CERT && in.op != NPKD_SPOC_GET_CA)) {
		rc = npkd_seterr(e, NPKD_E_NOTFOUND, "%ld: no incoming "
		    "certificate request with this id", id);
		goto out;
	}
	if (strcmp(in.state, "inbox") != 0) {
		rc = npkd_seterr(e, NPKD_E_USAGE, "%ld: already %s", id,
		    in.state);
		goto out;
	}
	if ((rc = npkd_spoc_peer_get(st, in.peer, &p, e)) != NPKD_OK ||
	    (rc = npkd_spoc_setting_get(st, "country", &self, e)) != NPKD_OK)
		goto out;
	m.op = NPKD_SPOC_SEND_CERTS;
	m.dialect = p.dialect;
	snprintf(m.caller, sizeof(m.caller), "%s", self);
	snprintf(m.msgid, sizeof(m.msgid), "%s", in.msgid);
	for (i = 0; i < a->nchain; i++) {
		if ((rc = npkd_cvc_parse(a->chain[i].data, a->chain[i].len, 0,
		    &c, e)) != NPKD_OK)
			goto out;
		if (cvset_add(&chain, c) != NPKD_OK) {
			npkd_cvc_free(c);
			rc = npkd_seterr(e, NPKD_E_NOMEM, "answer");
			goto out;
		}
	}
	if (a->fail != NULL) {
		if (!npkd_spoc_code_valid(p.dialect, NPKD_SPOC_SEND_CERTS, 0,
		    a->fail) || strncmp(a->fail, "failure_", 8) != 0) {
			rc = npkd_seterr(e, NPKD_E_USAGE, "%s: not a failure code "
			    "of SendCertificates in %s", a->fail,
			    npkd_spoc_dialect_name(p.dialect));
			goto out;
		}
		snprintf(m.result, sizeof(m.result), "%s", a->fail);
		goto send;
	}
	if (chain.n == 0 && (rc = own_cvcas(st, &chain, e)) != NPKD_OK)
		goto out;
	qsort(chain.v, chain.n, sizeof(chain.v[0]), by_effective);
	if (in.op == NPKD_SPOC_GET_CA) {
		/* our CVCA certificates, root and links, by effective date */
		if (a->cert != NULL) {
			rc = npkd_seterr(e, NPKD_E_USAGE, "%ld: "
			    "GetCACertificates is answered with our CVCA "
			    "certificates, not a DV's", id);
			goto out;
		}
		if ((seq = calloc(chain.n, sizeof(*seq))) == NULL) {
			rc = npkd_seterr(e, NPKD_E_NOMEM, "answer");
			goto out;
		}
		for (i = 0; i < chain.n; i++)
			seq[nseq++].data = (uint8_t *)(uintptr_t)npkd_cvc_der(
			    chain.v[i], &seq[i].len);
		goto certs;
	}
	if (a->cert == NULL) {
		rc = npkd_seterr(e, NPKD_E_USAGE, "%ld: a certificate or a "
		    "failure code answers a RequestCertificate", id);
		goto out;
	}
	/*
	 * The certificate answers this request: same holder, same key, and
	 * it verifies under our CVCA.  Sequence: the certificate first, then
	 * our CVCA certificates by effective date, up to the one that signed.
	 */
	if ((rc = npkd_cvc_parse(a->cert, a->cert_len, 0, &cert, e)) !=
	    NPKD_OK)
		goto out;
	for (i = 0; i < chain.n; i++)
		if (npkd_cvc_car(cert) != NULL &&
		    strcmp(npkd_cvc_chr(chain.v[i]), npkd_cvc_car(cert)) == 0) {
			ca = chain.v[i];
			break;
		}
	if (ca == NULL) {
		rc = npkd_seterr(e, NPKD_E_USAGE, "%s: the CVCA certificate %s "
		    "is neither given nor registered as own (cvc register -o "
		    "own)", npkd_cvc_chr(cert), npkd_cvc_car(cert) ?
		    npkd_cvc_car(cert) : "?");
		goto out;
	}
	if (npkd_cvc_verify(cert, NULL, 0, (const struct npkd_cvc *const *)&ca,
	    1, now, &result, &ve) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: does not verify under "
		    "%s: %s", npkd_cvc_chr(cert), npkd_cvc_chr(ca), ve.msg);
		goto out;
	}
	if (npkd_spoc_decode(x.data, x.len, NULL, &req, e) != NPKD_OK ||
	    npkd_cvc_parse(req.request.data, req.request.len, 1, &rq, e) !=
	    NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%ld: %s", id, e ? e->msg :
		    "the request does not read");
		goto out;
	}
	if (strcmp(npkd_cvc_chr(rq), npkd_cvc_chr(cert)) != 0 ||
	    !same_key(cert, rq, &chain)) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: does not answer request "
		    "%ld (%s): holder or key differ", npkd_cvc_chr(cert), id,
		    npkd_cvc_chr(rq));
		goto out;
	}
	if ((seq = calloc(chain.n + 1, sizeof(*seq))) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "answer");
		goto out;
	}
	seq[nseq].data = (uint8_t *)(uintptr_t)npkd_cvc_der(cert,
	    &seq[nseq].len);
	nseq++;
	for (i = 0; i < chain.n; i++) {
		seq[nseq].data = (uint8_t *)(uintptr_t)npkd_cvc_der(chain.v[i],
		    &seq[nseq].len);
		nseq++;
		if (chain.v[i] == ca)
			break;
	}
certs:
	m.certs = seq;
	m.ncerts = nseq;
	snprintf(m.result, sizeof(m.result), "ok_cert_available");
send:
	if ((rc = npkd_store_txn(st, NPKD_TXN_BEGIN, e)) != NPKD_OK)
		goto out;
	if ((rc = npkd_spoc_queue(st, &m, in.peer, in.dv, in.id, now, q, e)) !=
	    NPKD_OK || (rc = npkd_spoc_msg_update(st, in.id, "answered",
	    m.result, 0, now, e)) != NPKD_OK ||
	    (rc = npkd_store_txn(st, NPKD_TXN_COMMIT, e)) != NPKD_OK)
		npkd_store_txn(st, NPKD_TXN_ROLLBACK, NULL);
out:
	free(seq);
	free(self);
	npkd_cvc_free(cert);
	npkd_cvc_free(rq);
	cvset_free(&chain);
	npkd_spoc_msg_free(&req);
	npkd_spoc_peer_clear(&p);
	npkd_buf_free(&x);
	return rc;
}

/* --- the inbox ------------------------------------------------------ */

struct inbox {
	struct npkd_store	*st;
	struct cvset		 trust, pool;
	time_t			 now;
	int			 (*fn)(void *, const struct npkd_spoc_rec *,
				    const char *, const char *);
	void			*arg;
};

static int
inbox_one(void *arg, const struct npkd_spoc_rec *r)
{
	struct inbox		*ib = arg;
	struct npkd_spoc_msg	 m;
	struct npkd_cvc		*req = NULL;
	struct npkd_err		 e;
	const char		*result = NULL, *verdict;
	char			 why[256] = "";

	if (r->response)
		return 0;
	verdict = r->op == NPKD_SPOC_SEND_CERTS ? r->result : "-";
	if (r->op == NPKD_SPOC_REQUEST_CERT) {
		if (npkd_spoc_decode(r->xml, r->xml_len, NULL, &m, &e) !=
		    NPKD_OK) {
			verdict = "error";
			snprintf(why, sizeof(why), "%s", e.msg);
		} else {
			if (npkd_cvc_parse(m.request.data, m.request.len, 1,
			    &req, &e) != NPKD_OK ||
			    npkd_cvc_verify_request(req, cv(&ib->pool),
			    ib->pool.n, cv(&ib->trust), ib->trust.n, ib->now,
			    &result, &e) != NPKD_OK) {
				verdict = result ? result : "failure_syntax";
				snprintf(why, sizeof(why), "%s", e.msg);
			} else
				verdict = "verified";
			npkd_cvc_free(req);
			npkd_spoc_msg_free(&m);
		}
	}
	return ib->fn(ib->arg, r, verdict, why);
}

/*
 * The foreign requests and pushes filed for the officer, each with a
 * verdict: for a RequestCertificate its verification against the
 * register (foreign CVCAs and ours as trust, what we issued as pool),
 * the result code that fits when it fails; for a push what was taken.
 */
int
npkd_spoc_inbox(struct npkd_store *st, time_t now,
    int (*fn)(void *, const struct npkd_spoc_rec *, const char *,
    const char *), void *arg, struct npkd_err *e)
{
	struct npkd_spoc_filter	 f = { "in", NULL, NULL, 0, 0 };
	struct inbox		 ib;
	int			 rc;

	memset(&ib, 0, sizeof(ib));
	ib.st = st;
	ib.now = now;
	ib.fn = fn;
	ib.arg = arg;
	if ((rc = cvset_load(st, "registered", NULL, &ib.trust, e)) ==
	    NPKD_OK && (rc = cvset_load(st, "own", NULL, &ib.trust, e)) ==
	    NPKD_OK && (rc = cvset_load(st, "issued", NULL, &ib.pool, e)) ==
	    NPKD_OK)
		rc = npkd_spoc_msg_list(st, &f, inbox_one, &ib, e);
	cvset_free(&ib.trust);
	cvset_free(&ib.pool);
	return rc;
}

/* --- taking in a package from the relay ----------------------------- */

static int
kind_parse(const char *s, int *op, int *response)
{
	char	k[48];
	int	o, r;

	for (o = NPKD_SPOC_REQUEST_CERT; o <= NPKD_SPOC_GENERAL; o++)
		for (r = 0; r < 2; r++) {
			kind(o, r, k, sizeof(k));
			if (strcmp(k, s) == 0) {
				*op = o;
				*response = r;
				return 0;
			}
		}
	return -1;
}

void
npkd_spoc_taken_free(struct npkd_spoc_taken *t)
{
	if (t == NULL)
		return;
	npkd_buf_free(&t->dv);
	memset(t, 0, sizeof(*t));
}

static int
refuse(struct npkd_spoc_taken *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
refuse(struct npkd_spoc_taken *t, const char *fmt, ...)
{
	va_list ap;

	t->fate = NPKD_SPOC_REFUSED;
	va_start(ap, fmt);
	vsnprintf(t->why, sizeof(t->why), fmt, ap);
	va_end(ap);
	return NPKD_OK;
}

struct open_push {
	long	id;
};

static int
open_push(void *arg, const struct npkd_spoc_rec *r)
{
	struct open_push *o = arg;

	if (r->msgid[0] != '\0' || (strcmp(r->state, "packed") != 0 &&
	    strcmp(r->state, "sent") != 0))
		return 0;
	o->id = r->id;
	return 1;	/* the first, in id order within the peer */
}

/* An answer (synchronous, or a SendCertificates to our request). */
static int
take_answer(struct npkd_store *st, const struct npkd_pkg_member *pm,
    const struct npkd_spoc_msg *m, int push_ack, time_t now,
    struct npkd_spoc_taken *t, struct npkd_err *e)
{
	struct npkd_spoc_rec	 ours;
	struct npkd_spoc_msg	 req;
	struct npkd_buf		 rx = { NULL, 0 };
	struct npkd_err		 ve;
	const char		*id = m->response ? pm->msgid : m->msgid;
	const char		*state;
	int			 asked, rc = NPKD_E_NOTFOUND;

	if (push_ack) {
		/* the acknowledgement of a push (no messageID): the oldest
		 * push to that peer still open */
		struct npkd_spoc_filter f = { "out", NULL, pm->peer,
		    NPKD_SPOC_SEND_CERTS, 0 };
		struct open_push o = { 0 };

		if ((rc = npkd_spoc_msg_list(st, &f, open_push, &o, e)) < 0)
			return rc;
		rc = o.id != 0 ? npkd_spoc_msg_get(st, o.id, &ours, NULL, e) :
		    NPKD_E_NOTFOUND;
		id = "";
	} else if (id[0] != '\0') {
		for (asked = NPKD_SPOC_REQUEST_CERT; asked <= NPKD_SPOC_GENERAL;
		    asked++) {
			if (m->response && asked != m->op)
				continue;
			if (!m->response && asked != NPKD_SPOC_REQUEST_CERT &&
			    asked != NPKD_SPOC_GET_CA)
				continue;
			if ((rc = npkd_spoc_msg_find(st, "out", pm->peer, asked,
			    0, id, &ours, NULL, &ve)) == NPKD_OK)
				break;
		}
	}
	if (rc == NPKD_E_NOTFOUND)
		return refuse(t, "%s: an answer to nothing we asked %s",
		    pm->name, pm->peer);
	if (rc != NPKD_OK)
		return rc;
	t->id = ours.id;
	if (strcmp(ours.state, "answered") == 0) {
		audit(st, now, "in", pm->peer, m->op, m->response, id,
		    pm->sha256, "already answered: ignored");
		t->fate = NPKD_SPOC_DUPLICATE;
		return NPKD_OK;
	}
	if (strcmp(m->result, "ok_reception_ack") == 0 ||
	    (m->response && m->op == NPKD_SPOC_SEND_CERTS &&
	    strcmp(m->result, "ok_received_correctly") == 0 &&
	    ours.op != NPKD_SPOC_SEND_CERTS))
		state = "sent";
	else if (strncmp(m->result, "ok", 2) == 0)
		state = "answered";
	else
		state = "failed";
	if (strcmp(state, "answered") == 0 && ours.op ==
	    NPKD_SPOC_REQUEST_CERT && strcmp(m->result, "ok_cert_available") ==
	    0) {
		/* our DV's certificate: for our key, under a registered CVCA */
		if ((rc = npkd_spoc_msg_get(st, ours.id, &ours, &rx, e)) !=
		    NPKD_OK)
			return rc;
		if (npkd_spoc_decode(rx.data, rx.len, NULL, &req, e) !=
		    NPKD_OK) {
			npkd_buf_free(&rx);
			return npkd_seterr(e, NPKD_E_FORMAT, "our request %ld: "
			    "%s", ours.id, e ? e->msg : "does not read");
		}
		npkd_buf_free(&rx);
		rc = npkd_spoc_take_dv(st, pm->peer, req.request.data,
		    req.request.len, m->certs, m->ncerts, now, &t->dv,
		    &t->registered, &t->unverified, &ve);
		npkd_spoc_msg_free(&req);
		if (rc == NPKD_E_VERIFY) {
			audit(st, now, "in", pm->peer, m->op, m->response, id,
			    pm->sha256, "answer refused: certificates");
			return refuse(t, "%s: answer of %s refused: %s",
			    pm->name, pm->peer, ve.msg);
		}
		if (rc != NPKD_OK)
			return npkd_seterr(e, rc, "%s", ve.msg);
		snprintf(t->dv_chr, sizeof(t->dv_chr), "%s", ours.dv);
	} else if (strcmp(state, "answered") == 0 && m->ncerts > 0 &&
	    (rc = npkd_spoc_take_cvcas(st, pm->peer, m->certs, m->ncerts, now,
	    &t->registered, &t->unverified, e)) != NPKD_OK)
		return rc;
	if ((rc = npkd_spoc_msg_update(st, ours.id, state, m->result, 0, now,
	    e)) != NPKD_OK)
		return rc;
	audit(st, now, "in", pm->peer, m->op, m->response, id, pm->sha256,
	    m->result);
	t->fate = NPKD_SPOC_ANSWERED;
	snprintf(t->why, sizeof(t->why), "%s", m->result);
	return NPKD_OK;
}

/*
 * One member of a package from our relay.  A member the rules refuse
 * (an answer whose certificates do not hold, an answer to nothing we
 * asked, another message under a used messageID) is t->fate
 * NPKD_SPOC_REFUSED with the reason and nothing of it kept; an error
 * (NPKD_E_FORMAT for a member that contradicts the MANIFEST or does not
 * read) means the whole package must not be taken.
 */
int
npkd_spoc_take(struct npkd_store *st, const struct npkd_pkg_member *pm,
    time_t now, struct npkd_spoc_taken *t, struct npkd_err *e)
{
	struct npkd_spoc_msg	 m;
	struct npkd_spoc_rec	 ours, r, old;
	struct npkd_spoc_peer	 p;
	struct npkd_err		 ve;
	int			 op, resp, push, rc;

	memset(t, 0, sizeof(*t));
	memset(&m, 0, sizeof(m));
	if ((rc = npkd_spoc_peer_get(st, pm->peer, &p, e)) != NPKD_OK)
		return npkd_seterr(e, rc, "%s: %s", pm->name, e ? e->msg : "");
	npkd_spoc_peer_clear(&p);
	if (strcmp(pm->kind, "DeliveryFailed") == 0) {
		/* the relay gave up on one of ours (a push: the oldest open) */
		struct npkd_spoc_filter f = { "out", NULL, pm->peer,
		    NPKD_SPOC_SEND_CERTS, 0 };
		struct open_push o = { 0 };

		op = NPKD_SPOC_SEND_CERTS;
		if (pm->msgid[0] == '\0') {
			if ((rc = npkd_spoc_msg_list(st, &f, open_push, &o, e)) <
			    0)
				return rc;
			if (o.id == 0 || npkd_spoc_msg_get(st, o.id, &ours, NULL,
			    &ve) != NPKD_OK)
				op = NPKD_SPOC_GENERAL + 1;
		} else
			for (op = NPKD_SPOC_REQUEST_CERT;
			    op <= NPKD_SPOC_GENERAL; op++)
				if (npkd_spoc_msg_find(st, "out", pm->peer, op, 0,
				    pm->msgid, &ours, NULL, &ve) == NPKD_OK)
					break;
		if (op > NPKD_SPOC_GENERAL)
			return refuse(t, "%s: delivery failed of a message not "
			    "ours", pm->name);
		if ((rc = npkd_spoc_msg_update(st, ours.id, "failed",
		    "delivery_failed", 0, now, e)) != NPKD_OK)
			return rc;
		audit(st, now, "in", pm->peer, op, 0, pm->msgid, pm->sha256,
		    "delivery failed");
		t->id = ours.id;
		t->fate = NPKD_SPOC_DELIVERY_FAILED;
		return NPKD_OK;
	}
	if (kind_parse(pm->kind, &op, &resp) == -1)
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: unknown kind %.32s",
		    pm->name, pm->kind);
	if ((rc = npkd_spoc_decode(pm->data.data, pm->data.len, pm->name, &m,
	    e)) != NPKD_OK)
		return rc;
	if (m.op != op || m.response != resp) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: holds %s, the manifest "
		    "says %s", pm->name, npkd_spoc_op_name(m.op), pm->kind);
		goto out;
	}
	if (!resp && strcmp(m.caller, pm->peer) != 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: callerID %s, the "
		    "manifest says %s", pm->name, m.caller, pm->peer);
		goto out;
	}
	push = !resp && op == NPKD_SPOC_SEND_CERTS &&
	    strcmp(m.result, "new_cert_available_notification") == 0;
	if (resp || (op == NPKD_SPOC_SEND_CERTS && !push)) {
		rc = take_answer(st, pm, &m, resp && op ==
		    NPKD_SPOC_SEND_CERTS && pm->msgid[0] == '\0', now, t, e);
		goto out;
	}
	/* a request from a foreign SPOC, or a push: into the inbox */
	memset(&r, 0, sizeof(r));
	snprintf(r.dir, sizeof(r.dir), "in");
	snprintf(r.peer, sizeof(r.peer), "%.2s", pm->peer);
	r.op = op;
	/* a push's messageID, if any, is ignored (9303-12 section 8) */
	snprintf(r.msgid, sizeof(r.msgid), "%s", push ? "" : m.msgid);
	snprintf(r.state, sizeof(r.state), "inbox");
	snprintf(r.result, sizeof(r.result), "%s", m.result);
	spoc_content_hash(&m, push, r.content);
	r.has_content = 1;
	if (npkd_spoc_msg_find_content(st, "in", r.peer, op, 0, r.content,
	    &old, &ve) == NPKD_OK) {
		audit(st, now, "in", pm->peer, op, 0, r.msgid, pm->sha256,
		    "duplicate: ignored");
		t->id = old.id;
		t->fate = NPKD_SPOC_DUPLICATE;
		rc = NPKD_OK;
		goto out;
	}
	if (op == NPKD_SPOC_REQUEST_CERT) {
		struct npkd_cvc *c;

		if (npkd_cvc_parse(m.request.data, m.request.len, 1, &c, &ve) !=
		    NPKD_OK)
			/* filed all the same: the officer answers failure_syntax */
			snprintf(r.dv, sizeof(r.dv), "?");
		else {
			snprintf(r.dv, sizeof(r.dv), "%s", npkd_cvc_chr(c));
			npkd_cvc_free(c);
		}
	}
	if (push) {
		if ((rc = npkd_spoc_take_cvcas(st, pm->peer, m.certs, m.ncerts,
		    now, &t->registered, &t->unverified, e)) != NPKD_OK)
			goto out;
		snprintf(r.result, sizeof(r.result), "verified %zu, unverified "
		    "%zu", t->registered, t->unverified);
	}
	rc = npkd_spoc_msg_add(st, &r, pm->data.data, pm->data.len, now, &ve);
	if (rc == NPKD_E_VERIFY) {
		/* the same key with other content */
		audit(st, now, "in", pm->peer, op, 0, r.msgid, pm->sha256,
		    "refused: messageID used before");
		rc = refuse(t, "%s: messageID of %s filed already with other "
		    "content", pm->name, r.peer);
		goto out;
	}
	if (rc != NPKD_OK) {
		rc = npkd_seterr(e, rc, "%s", ve.msg);
		goto out;
	}
	audit(st, now, "in", pm->peer, op, 0, r.msgid, r.sha256, "inbox");
	t->id = r.id;
	t->fate = NPKD_SPOC_FILED;
	snprintf(t->why, sizeof(t->why), "%s", r.result);
out:
	npkd_spoc_msg_free(&m);
	return rc;
}
