/*
 * trust.c - the trust model (design.md section 8): from the officer's
 * anchors and list authorities, and nothing else, which CSCA keys are
 * trusted and why; the current CRL of every issuer name; which lists are
 * genuine and what they vouch for; and, one certificate at a time, the
 * verdict on end-entity certificates.
 *
 * A trusted CSCA key is an "entity": an issuer name with a key, as an
 * anchor, a link certificate, a genuine list of the same country or a
 * list authority made it.  Everything a certificate claims (its name,
 * its key identifiers, its place in a list) only selects what to verify;
 * trust comes from a signature that verifies under an entity.
 *
 * The computation runs twice.  The first pass trusts every certificate it
 * can connect and finds the current CRL of each name; the certificates
 * those CRLs revoke (links, CSCAs, list signers) then confer nothing in
 * the second pass, whose result is the verdict.  Revocations are those of
 * the first pass: a CRL counts when it verifies under a key trusted before
 * revocation is applied.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trust.h"

#define R_TRUST		"design.md 8"
#define R_VAL		"ICAO 9303-12 7.1"
#define R_CRL		"ICAO 9303-12 7.1.4"
#define R_ML		"ICAO 9303-12 8.2"
#define R_5280		"RFC 5280 6.1"

static const char *status_names[ST_COUNT] = { "valid", "expired",
    "revoked", "untrusted", "invalid", "unchecked", "not-yet-valid",
    "unsupported", "stale", "superseded", "unusable" };

const char *
npkd_trust_status_name(int s)
{
	return s >= 0 && s < ST_COUNT ? status_names[s] : "unknown";
}

/* ---- a chained hash index over 32-byte keys held by the caller ---- */

struct hidx {
	size_t	 nb;		/* buckets, a power of two */
	long	*bucket;
	long	*next;		/* per item */
	size_t	 cap;
};

static size_t
hkey(const uint8_t *k, size_t nb)
{
	uint64_t h;

	memcpy(&h, k, sizeof(h));
	return (size_t)(h & (nb - 1));
}

static int
hidx_init(struct hidx *x, size_t nb)
{
	size_t i;

	memset(x, 0, sizeof(*x));
	x->nb = nb;
	if ((x->bucket = malloc(nb * sizeof(long))) == NULL)
		return NPKD_E_NOMEM;
	for (i = 0; i < nb; i++)
		x->bucket[i] = -1;
	return NPKD_OK;
}

static int
hidx_add(struct hidx *x, const uint8_t *key, long item)
{
	long	*nv;
	size_t	 h, nc;

	if ((size_t)item >= x->cap) {
		nc = x->cap ? 2 * x->cap : 64;
		while (nc <= (size_t)item)
			nc *= 2;
		if ((nv = reallocarray(x->next, nc, sizeof(long))) == NULL)
			return NPKD_E_NOMEM;
		x->next = nv;
		x->cap = nc;
	}
	h = hkey(key, x->nb);
	x->next[item] = x->bucket[h];
	x->bucket[h] = item;
	return NPKD_OK;
}

static long
hidx_first(const struct hidx *x, const uint8_t *key)
{
	return x->nb ? x->bucket[hkey(key, x->nb)] : -1;
}

static void
hidx_free(struct hidx *x)
{
	free(x->bucket);
	free(x->next);
	memset(x, 0, sizeof(*x));
}

/* ---- the signature cache ---- */

struct sigent {
	uint8_t	 obj[32];
	uint8_t	 key[32];
	int	 sig;
	int	 fresh;		/* added by this run */
};

struct sigcache {
	struct sigent	*v;
	size_t		 n, cap;
	struct hidx	 ix;
	size_t		 verified;	/* signatures actually computed */
	pthread_mutex_t	 mu;
};

struct sigcache *
npkd_sigcache_new(void)
{
	struct sigcache *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	if (hidx_init(&c->ix, 1 << 16) != NPKD_OK) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->mu, NULL);
	return c;
}

void
npkd_sigcache_free(struct sigcache *c)
{
	if (c == NULL)
		return;
	hidx_free(&c->ix);
	pthread_mutex_destroy(&c->mu);
	free(c->v);
	free(c);
}

static long
cache_find(const struct sigcache *c, const uint8_t *obj, const uint8_t *key)
{
	long i;

	for (i = hidx_first(&c->ix, obj); i >= 0; i = c->ix.next[i])
		if (memcmp(c->v[i].obj, obj, 32) == 0 &&
		    memcmp(c->v[i].key, key, 32) == 0)
			return i;
	return -1;
}

/* The cached verdict, or SIG_UNKNOWN.  Safe to call from any thread. */
int
npkd_sigcache_get(const struct sigcache *c, const uint8_t *obj,
    const uint8_t *key)
{
	long	i;
	int	s;

	if (c == NULL)
		return SIG_UNKNOWN;
	pthread_mutex_lock((pthread_mutex_t *)(uintptr_t)&c->mu);
	i = cache_find(c, obj, key);
	s = i >= 0 ? c->v[i].sig : SIG_UNKNOWN;
	pthread_mutex_unlock((pthread_mutex_t *)(uintptr_t)&c->mu);
	return s;
}

/* Record a verdict; fresh ones are written back to the store. */
int
npkd_sigcache_put(struct sigcache *c, const uint8_t *obj, const uint8_t *key,
    int sig, int fresh)
{
	struct sigent	*nv;
	long		 i;
	int		 rc = NPKD_OK;

	if (c == NULL || sig == SIG_UNKNOWN)
		return NPKD_OK;
	pthread_mutex_lock(&c->mu);
	if ((i = cache_find(c, obj, key)) >= 0)
		c->v[i].sig = sig;
	else {
		if (c->n == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 1024;
			if ((nv = reallocarray(c->v, c->cap, sizeof(*nv))) ==
			    NULL) {
				rc = NPKD_E_NOMEM;
				goto out;
			}
			c->v = nv;
		}
		memcpy(c->v[c->n].obj, obj, 32);
		memcpy(c->v[c->n].key, key, 32);
		c->v[c->n].sig = sig;
		c->v[c->n].fresh = fresh;
		if ((rc = hidx_add(&c->ix, obj, (long)c->n)) == NPKD_OK)
			c->n++;
	}
	if (fresh)
		c->verified++;
 out:
	pthread_mutex_unlock(&c->mu);
	return rc;
}

int
npkd_sigcache_each_new(const struct sigcache *c,
    int (*fn)(void *, const uint8_t *, const uint8_t *, int), void *arg)
{
	size_t	i;
	int	rc;

	for (i = 0; c != NULL && i < c->n; i++)
		if (c->v[i].fresh &&
		    (rc = fn(arg, c->v[i].obj, c->v[i].key, c->v[i].sig)) != 0)
			return rc;
	return NPKD_OK;
}

size_t
npkd_sigcache_verified(const struct sigcache *c)
{
	return c != NULL ? c->verified : 0;
}

static int
sig_of_rc(int rc)
{
	return rc == NPKD_OK ? SIG_OK : rc == NPKD_E_UNSUPPORTED ? SIG_UNSUP :
	    SIG_BAD;
}

/*
 * The one finding a verification itself can make (a DigestInfo without
 * its NULL) travels with the cached verdict, so that a second check
 * reports what the first did.
 */
#define SIG_NOTE_DINULL	0x10

static int
sig_run(int rc, struct npkd_findings *tmp)
{
	size_t	i;
	int	s = sig_of_rc(rc);

	for (i = 0; s == SIG_OK && i < npkd_findings_count(tmp); i++)
		if (strcmp(npkd_findings_get(tmp, i)->code,
		    "digestinfo-without-null") == 0)
			s |= SIG_NOTE_DINULL;
	return s;
}

static int
sig_hit(int s, struct npkd_findings *f)
{
	if (s & SIG_NOTE_DINULL)
		npkd_findings_add(f, NPKD_SEV_WARNING, "digestinfo-without-null",
		    "RFC 8017 9.2", "RSA DigestInfo omits the NULL parameter "
		    "of its hash");
	return s & 0x0f;
}

/* cert under the key of issuer, through the cache. */
int
npkd_sig_cert(struct sigcache *sc, const struct npkd_cert *c,
    const struct npkd_cert *issuer, struct npkd_findings *f)
{
	struct npkd_findings	*tmp;
	int			 s;

	if ((s = npkd_sigcache_get(sc, c->sha256, issuer->keyid)) ==
	    SIG_UNKNOWN) {
		if ((tmp = npkd_findings_new()) == NULL)
			return SIG_UNKNOWN;
		s = sig_run(npkd_cert_verify(c, issuer, tmp, NULL), tmp);
		npkd_findings_free(tmp);
		npkd_sigcache_put(sc, c->sha256, issuer->keyid, s, 1);
	}
	return sig_hit(s, f);
}

static int
sig_crl(struct sigcache *sc, const struct npkd_crl *c,
    const struct npkd_cert *issuer, struct npkd_findings *f)
{
	struct npkd_findings	*tmp;
	int			 s;

	if ((s = npkd_sigcache_get(sc, npkd_crl_sha256(c), issuer->keyid)) ==
	    SIG_UNKNOWN) {
		if ((tmp = npkd_findings_new()) == NULL)
			return SIG_UNKNOWN;
		s = sig_run(npkd_crl_verify(c, issuer, tmp, NULL), tmp);
		npkd_findings_free(tmp);
		npkd_sigcache_put(sc, npkd_crl_sha256(c), issuer->keyid, s, 1);
	}
	return sig_hit(s, f);
}

/* A verdict computed elsewhere (a worker), in the cache's encoding. */
int
npkd_sig_encode(int rc, struct npkd_findings *tmp)
{
	return sig_run(rc, tmp);
}

int
npkd_sig_decode(int s, struct npkd_findings *f)
{
	return sig_hit(s, f);
}

/* ---- the engine ---- */

enum { H_NONE = 0, H_ANCHOR, H_LINK, H_OWNLIST, H_VOUCHED };

struct tc {				/* a certificate of the CA side */
	struct npkd_cert	*c;
	int			 anchor;
	int			 selfsig;	/* SIG_* of its self-signature */
	int			 revoked;	/* by a current CRL (pass 1) */
	time_t			 revdate;
	int			 excluded;	/* revoked: confers nothing */
	long			 linked_by;	/* entity that verified it */
	int			 keys_full;	/* its key refused: too many */
	int			 link_bad;	/* a named issuer key failed */
	int			 country_bad;	/* link across countries */
	long			 conflict_list;	/* vouched against an anchor */
	long			 listed_by;	/* a list that names it */
	int			 listed_ok;	/* ... and is genuine */
	struct tverdict		 v;
	struct npkd_findings	*f;
};

struct tent {				/* a trusted CSCA key */
	uint8_t			 name[32];
	uint8_t			 key[32];
	char			 country[8];
	int			 how;
	int			 anchored;	/* may anchor a list */
	long			 cert;		/* the tc that made it */
	long			 from;		/* entity it was linked from */
	long			 list;		/* list that made it */
	int			 csca;		/* a self-issued CA cert has it */
	int			 revoked;	/* only revoked certs made it */
	time_t			 not_after;
	const struct npkd_cert	*keycert;
};

struct tcrl {
	struct npkd_crl		*crl;
	const struct npkd_cert	*by;		/* verified under, or NULL */
	int			 tried;		/* some trusted key failed */
	struct tverdict		 v;
	struct npkd_findings	*f;
};

struct tlist {
	uint8_t			 sha[32];
	int			 kind;
	long			 signer;	/* tc index, -1: unknown */
	time_t			 signing_time;
	int			 cms;		/* SIG_* */
	long			*members;
	size_t			 nmembers;
	int			 genuine;
	long			 anchor_ent;
	struct tverdict		 v;
	struct npkd_findings	*f;
};

struct auth {
	char	x[8], y[8];
};

struct trust {
	time_t			 now;
	struct sigcache		*sc;
	struct tc		*c;
	size_t			 nc, capc;
	struct hidx		 by_subject;	/* tc by subject name id */
	struct hidx		 by_sha;	/* tc by SHA-256 */
	struct tent		*e;
	size_t			 ne, cape;
	struct hidx		 ent_by_name;
	struct tcrl		*r;
	size_t			 nr, capr;
	struct tlist		*l;
	size_t			 nl, capl;
	struct auth		*a;
	size_t			 na;
	struct tname		*names;		/* names of trusted keys */
	size_t			 nnames;
	struct hidx		 names_ix;
	struct tname		*cur;		/* pass 1: current CRLs */
	size_t			 ncur;
	struct hidx		 cur_ix;
	char			(*anchor_cc)[8];	/* anchored countries */
	size_t			 nanchor_cc;
};

struct trust *
npkd_trust_new(time_t now, struct sigcache *sc)
{
	struct trust *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->now = now;
	t->sc = sc;
	if (hidx_init(&t->by_subject, 1 << 12) != NPKD_OK ||
	    hidx_init(&t->by_sha, 1 << 12) != NPKD_OK ||
	    hidx_init(&t->ent_by_name, 1 << 12) != NPKD_OK) {
		npkd_trust_free(t);
		return NULL;
	}
	return t;
}

void
npkd_trust_free(struct trust *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nc; i++) {
		npkd_cert_free(t->c[i].c);
		npkd_findings_free(t->c[i].f);
	}
	for (i = 0; i < t->nr; i++) {
		npkd_crl_free(t->r[i].crl);
		npkd_findings_free(t->r[i].f);
	}
	for (i = 0; i < t->nl; i++) {
		free(t->l[i].members);
		npkd_findings_free(t->l[i].f);
	}
	free(t->c);
	free(t->e);
	free(t->r);
	free(t->l);
	free(t->a);
	free(t->names);
	free(t->cur);
	free(t->anchor_cc);
	hidx_free(&t->names_ix);
	hidx_free(&t->cur_ix);
	hidx_free(&t->by_subject);
	hidx_free(&t->by_sha);
	hidx_free(&t->ent_by_name);
	free(t);
}

static int
grow(void **v, size_t *cap, size_t n, size_t sz)
{
	void	*nv;
	size_t	 nc;

	if (n < *cap)
		return NPKD_OK;
	nc = *cap ? 2 * *cap : 64;
	if ((nv = reallocarray(*v, nc, sz)) == NULL)
		return NPKD_E_NOMEM;
	*v = nv;
	*cap = nc;
	return NPKD_OK;
}

long
npkd_trust_find_cert(const struct trust *t, const uint8_t *sha)
{
	long i;

	for (i = hidx_first(&t->by_sha, sha); i >= 0; i = t->by_sha.next[i])
		if (memcmp(t->c[i].c->sha256, sha, 32) == 0)
			return i;
	return -1;
}

long
npkd_trust_add_cert(struct trust *t, struct npkd_cert *c, int anchor)
{
	struct tc	*x;
	long		 i;

	if ((i = npkd_trust_find_cert(t, c->sha256)) >= 0) {
		/* the same certificate twice: one object */
		t->c[i].anchor |= anchor;
		npkd_cert_free(c);
		return i;
	}
	if (grow((void **)&t->c, &t->capc, t->nc, sizeof(*t->c)) != NPKD_OK) {
		npkd_cert_free(c);
		return -1;
	}
	x = &t->c[t->nc];
	memset(x, 0, sizeof(*x));
	x->c = c;
	x->anchor = anchor;
	x->linked_by = x->conflict_list = x->listed_by = -1;
	if ((x->f = npkd_findings_new()) == NULL ||
	    hidx_add(&t->by_subject, c->subject_id, (long)t->nc) != NPKD_OK ||
	    hidx_add(&t->by_sha, c->sha256, (long)t->nc) != NPKD_OK) {
		npkd_findings_free(x->f);
		npkd_cert_free(c);
		return -1;
	}
	return (long)t->nc++;
}

long
npkd_trust_add_crl(struct trust *t, struct npkd_crl *crl)
{
	struct tcrl *x;

	if (grow((void **)&t->r, &t->capr, t->nr, sizeof(*t->r)) != NPKD_OK) {
		npkd_crl_free(crl);
		return -1;
	}
	x = &t->r[t->nr];
	memset(x, 0, sizeof(*x));
	x->crl = crl;
	if ((x->f = npkd_findings_new()) == NULL) {
		npkd_crl_free(crl);
		return -1;
	}
	return (long)t->nr++;
}

long
npkd_trust_add_list(struct trust *t, const uint8_t *sha, int kind, long signer,
    time_t st, int cms)
{
	struct tlist *x;

	if (grow((void **)&t->l, &t->capl, t->nl, sizeof(*t->l)) != NPKD_OK)
		return -1;
	x = &t->l[t->nl];
	memset(x, 0, sizeof(*x));
	memcpy(x->sha, sha, 32);
	x->kind = kind;
	x->signer = signer;
	x->signing_time = st;
	x->cms = cms;
	x->anchor_ent = -1;
	if ((x->f = npkd_findings_new()) == NULL)
		return -1;
	return (long)t->nl++;
}

int
npkd_trust_add_member(struct trust *t, long list, long cert)
{
	struct tlist	*x = &t->l[list];
	long		*nv;

	if ((nv = reallocarray(x->members, x->nmembers + 1,
	    sizeof(*nv))) == NULL)
		return NPKD_E_NOMEM;
	x->members = nv;
	x->members[x->nmembers++] = cert;
	return NPKD_OK;
}

int
npkd_trust_add_authority(struct trust *t, const char *x, const char *y)
{
	struct auth *nv;

	if (strlen(x) >= sizeof(nv->x) || strlen(y) >= sizeof(nv->y))
		return NPKD_E_USAGE;
	if ((nv = reallocarray(t->a, t->na + 1, sizeof(*nv))) == NULL)
		return NPKD_E_NOMEM;
	t->a = nv;
	snprintf(t->a[t->na].x, sizeof(t->a[t->na].x), "%s", x);
	snprintf(t->a[t->na].y, sizeof(t->a[t->na].y), "%s", y);
	t->na++;
	return NPKD_OK;
}

static int
authority(const struct trust *t, const char *x, const char *y)
{
	size_t i;

	for (i = 0; i < t->na; i++)
		if (strcasecmp(t->a[i].x, x) == 0 &&
		    (strcmp(t->a[i].y, "*") == 0 ||
		    strcasecmp(t->a[i].y, y) == 0))
			return 1;
	return 0;
}

/*
 * An entity for (name, key), made if new; *made set when it was.  At most
 * TRUST_KEYS_PER_NAME keys are trusted under one name (a country rolls
 * its CSCA over every few years; a hostile list could chain thousands of
 * keys under one name, and every certificate issued under it would try
 * each): -2 when that many are there and this key is not.
 */
#define TRUST_KEYS_PER_NAME	64

static long
entity(struct trust *t, const uint8_t *name, const uint8_t *key,
    const char *country, int *made)
{
	struct tent	*x;
	long		 i;
	size_t		 same = 0;

	*made = 0;
	for (i = hidx_first(&t->ent_by_name, name); i >= 0;
	    i = t->ent_by_name.next[i])
		if (memcmp(t->e[i].name, name, 32) == 0) {
			if (memcmp(t->e[i].key, key, 32) == 0)
				return i;
			same++;
		}
	if (same >= TRUST_KEYS_PER_NAME)
		return -2;
	if (grow((void **)&t->e, &t->cape, t->ne, sizeof(*t->e)) != NPKD_OK)
		return -1;
	x = &t->e[t->ne];
	memset(x, 0, sizeof(*x));
	memcpy(x->name, name, 32);
	memcpy(x->key, key, 32);
	snprintf(x->country, sizeof(x->country), "%s", country);
	x->cert = x->from = x->list = -1;
	if (hidx_add(&t->ent_by_name, name, (long)t->ne) != NPKD_OK)
		return -1;
	*made = 1;
	return (long)t->ne++;
}

static int
same_country(const char *a, const char *b)
{
	return a[0] != '\0' && strcasecmp(a, b) == 0;
}

static int
key_ids(const struct npkd_cert *issuer, const uint8_t *aki, size_t alen)
{
	/* AKI picks the key when both identifiers are there */
	if (aki == NULL || !issuer->has_ski)
		return 1;
	return issuer->ski.len == alen && memcmp(issuer->ski.data, aki,
	    alen) == 0;
}

/*
 * Make (or strengthen) the entity a certificate stands for.  A revoked
 * certificate still makes its entity, marked revoked, so that what it
 * issued is reported as such; a revoked entity confers nothing further.
 */
static int
trust_cert(struct trust *t, long ci, int how, int anchored, long from,
    long list, int *changed)
{
	const struct npkd_cert	*c = t->c[ci].c;
	struct tent		*x;
	long			 ei;
	int			 made, rev = t->c[ci].excluded;

	if ((ei = entity(t, c->subject_id, c->keyid, c->country, &made)) ==
	    -2) {
		t->c[ci].keys_full = 1;
		npkd_findings_add(t->c[ci].f, NPKD_SEV_ERROR, "too-many-keys",
		    R_TRUST, "more than %d keys would be trusted under the "
		    "name %s: this certificate's is not", TRUST_KEYS_PER_NAME,
		    c->subject);
		return NPKD_OK;
	}
	if (ei < 0)
		return NPKD_E_NOMEM;
	x = &t->e[ei];
	if (made || (x->revoked && !rev) || (anchored && !x->anchored &&
	    !rev)) {
		/* new, or a stronger path to a key already known */
		x->how = how;
		x->anchored = anchored && !rev;
		x->cert = ci;
		x->from = from;
		x->list = list;
		x->keycert = c;
		x->revoked = rev;
		*changed = 1;
	}
	return NPKD_OK;
}

/*
 * Links: a CA that may certify, issued under a trusted name of the same
 * country and verified by that name's trusted key, makes its subject and
 * key trusted.  To a fixpoint.
 *
 * In passes over the certificates in order, as a plain loop would run
 * them, but each pass takes only the certificates that may now link: a
 * certificate is examined again only when an entity of its issuer's name
 * was made or changed since it last was (before it in this pass: in the
 * next pass; after it: later in this one).  What it finds, and in what
 * order, is what the plain loop finds; a hostile chain of links under one
 * name, a loop pass per link, is no longer quadratic in passes.
 */
static int
link_eligible(const struct tc *x)
{
	return x->linked_by < 0 && npkd_cert_can_certify(x->c) &&
	    !x->c->crit_unknown && !npkd_cert_claims_self_signed(x->c);
}

/* A binary min-heap of certificate indices (the pass's order). */
static void
heap_push(size_t *h, size_t *n, size_t v)
{
	size_t i = (*n)++, p;

	while (i > 0 && h[p = (i - 1) / 2] > v) {
		h[i] = h[p];
		i = p;
	}
	h[i] = v;
}

static size_t
heap_pop(size_t *h, size_t *n)
{
	size_t top = h[0], v = h[--(*n)], i = 0, k;

	while ((k = 2 * i + 1) < *n) {
		if (k + 1 < *n && h[k + 1] < h[k])
			k++;
		if (h[k] >= v)
			break;
		h[i] = h[k];
		i = k;
	}
	if (*n > 0)
		h[i] = v;
	return top;
}

/* Try to link certificate i; *made: an entity was made or changed. */
static int
link_one(struct trust *t, size_t i, int *made)
{
	struct tc		*x = &t->c[i];
	const struct npkd_cert	*c = x->c;
	const struct tent	*en;
	long			 ei;
	int			 rc, s;

	*made = 0;
	for (ei = hidx_first(&t->ent_by_name, c->issuer_id); ei >= 0;
	    ei = t->ent_by_name.next[ei]) {
		en = &t->e[ei];
		if (memcmp(en->name, c->issuer_id, 32) != 0 || en->revoked ||
		    !key_ids(en->keycert, c->has_aki ? c->aki.data : NULL,
		    c->aki.len))
			continue;
		s = npkd_sig_cert(t->sc, c, en->keycert, x->f);
		if (s != SIG_OK) {
			x->link_bad = 1;
			continue;
		}
		if (!same_country(c->country, en->country)) {
			x->country_bad = 1;
			continue;
		}
		x->keys_full = 0;
		if ((rc = trust_cert(t, (long)i, H_LINK, en->anchored, ei, -1,
		    made)) != NPKD_OK)
			return rc;
		if (x->keys_full) {	/* not trusted: nothing changed */
			*made = 0;
			return NPKD_OK;
		}
		x->linked_by = ei;
		x->link_bad = 0;
		return NPKD_OK;
	}
	return NPKD_OK;
}

static int
closure(struct trust *t)
{
	struct hidx	 by_issuer;
	size_t		*cur = NULL, *next = NULL, ncur = 0, nnext = 0, i, k;
	uint8_t		*mark = NULL;	/* 1: in cur, 2: in next */
	const uint8_t	*name;
	long		 j;
	int		 made, rc = NPKD_E_NOMEM;

	memset(&by_issuer, 0, sizeof(by_issuer));
	for (k = 1024; k < t->nc && k < (1u << 20); k *= 2)
		;
	if (hidx_init(&by_issuer, k) != NPKD_OK ||
	    (cur = calloc(t->nc + 1, sizeof(*cur))) == NULL ||
	    (next = calloc(t->nc + 1, sizeof(*next))) == NULL ||
	    (mark = calloc(t->nc + 1, 1)) == NULL)
		goto out;
	/* the first pass takes every certificate that may link, in order */
	for (i = 0; i < t->nc; i++)
		if (link_eligible(&t->c[i])) {
			if (hidx_add(&by_issuer, t->c[i].c->issuer_id,
			    (long)i) != NPKD_OK)
				goto out;
			cur[ncur++] = i;	/* ascending: a heap already */
			mark[i] = 1;
		}
	while (ncur > 0) {
		while (ncur > 0) {
			i = heap_pop(cur, &ncur);
			mark[i] &= (uint8_t)~1;
			if (!link_eligible(&t->c[i]))
				continue;
			if ((rc = link_one(t, i, &made)) != NPKD_OK)
				goto out;
			if (!made)
				continue;
			/* who may now link under the name just changed */
			name = t->c[i].c->subject_id;
			for (j = hidx_first(&by_issuer, name); j >= 0;
			    j = by_issuer.next[j]) {
				if ((size_t)j == i || memcmp(t->c[j].c->issuer_id,
				    name, 32) != 0 || !link_eligible(&t->c[j]))
					continue;
				if ((size_t)j > i && !(mark[j] & 1)) {
					heap_push(cur, &ncur, (size_t)j);
					mark[j] |= 1;
				} else if ((size_t)j < i && !(mark[j] & 2)) {
					next[nnext++] = (size_t)j;
					mark[j] |= 2;
				}
			}
		}
		/* the next pass: the certificates passed over since a change */
		for (k = 0; k < nnext; k++) {
			heap_push(cur, &ncur, next[k]);
			mark[next[k]] = 1;
		}
		nnext = 0;
	}
	rc = NPKD_OK;
 out:
	hidx_free(&by_issuer);
	free(cur);
	free(next);
	free(mark);
	return rc;
}

/* Does the certificate c hold a trusted entity's name and key? */
static long
entity_of(const struct trust *t, const struct npkd_cert *c)
{
	long i;

	for (i = hidx_first(&t->ent_by_name, c->subject_id); i >= 0;
	    i = t->ent_by_name.next[i])
		if (memcmp(t->e[i].name, c->subject_id, 32) == 0 &&
		    memcmp(t->e[i].key, c->keyid, 32) == 0)
			return i;
	return -1;
}

/* Index of a name in a name table, or -1. */
static long
name_in(const struct tname *v, const struct hidx *ix, const uint8_t *id)
{
	long i;

	for (i = hidx_first(ix, id); i >= 0; i = ix->next[i])
		if (memcmp(v[i].id, id, 32) == 0)
			return i;
	return -1;
}

static long
name_of(const struct trust *t, const uint8_t *id)
{
	return name_in(t->names, &t->names_ix, id);
}

/* The names of the trusted keys (each once). */
static int
collect_names(struct trust *t)
{
	size_t	i;

	free(t->names);
	t->nnames = 0;
	hidx_free(&t->names_ix);
	if ((t->names = calloc(t->ne + 1, sizeof(*t->names))) == NULL ||
	    hidx_init(&t->names_ix, 1 << 12) != NPKD_OK)
		return NPKD_E_NOMEM;
	for (i = 0; i < t->ne; i++) {
		if (name_of(t, t->e[i].name) >= 0)
			continue;
		memcpy(t->names[t->nnames].id, t->e[i].name, 32);
		snprintf(t->names[t->nnames].country,
		    sizeof(t->names[t->nnames].country), "%s", t->e[i].country);
		t->names[t->nnames].subject = t->e[i].keycert->subject;
		t->names[t->nnames].crl = -1;
		t->names[t->nnames].state = "none";
		if (hidx_add(&t->names_ix, t->e[i].name, (long)t->nnames) !=
		    NPKD_OK)
			return NPKD_E_NOMEM;
		t->nnames++;
	}
	return NPKD_OK;
}

/*
 * CRLs (first pass): each verified under a trusted key of its issuer
 * name (AKI picks the key; without it every trusted key of the name is
 * tried); the current CRL of a name is the newest that verifies and may
 * be used.
 */
static int
check_crls(struct trust *t)
{
	struct tcrl		*r;
	const struct tent	*en;
	const uint8_t		*aki;
	size_t			 i, alen;
	long			 ei, ni;
	int			 rc;

	for (i = 0; i < t->nr; i++) {
		r = &t->r[i];
		r->by = NULL;
		r->tried = 0;
		aki = npkd_crl_aki(r->crl, &alen);
		for (ei = hidx_first(&t->ent_by_name, npkd_crl_issuer_id(r->crl));
		    ei >= 0; ei = t->ent_by_name.next[ei]) {
			en = &t->e[ei];
			if (memcmp(en->name, npkd_crl_issuer_id(r->crl), 32) !=
			    0 || !key_ids(en->keycert, aki, alen))
				continue;
			if (sig_crl(t->sc, r->crl, en->keycert, r->f) == SIG_OK) {
				r->by = en->keycert;
				break;
			}
			r->tried = 1;
		}
	}
	if ((rc = collect_names(t)) != NPKD_OK)
		return rc;
	for (i = 0; i < t->nr; i++) {
		r = &t->r[i];
		if (r->by == NULL || npkd_crl_unusable(r->crl) != NULL ||
		    (ni = name_of(t, npkd_crl_issuer_id(r->crl))) < 0)
			continue;
		if (t->names[ni].crl < 0 || npkd_crl_this_update(r->crl) >
		    npkd_crl_this_update(t->r[t->names[ni].crl].crl))
			t->names[ni].crl = (long)i;
	}
	for (i = 0; i < t->nnames; i++) {
		if (t->names[i].crl < 0)
			t->names[i].state = "none";
		else if (npkd_crl_next_update(t->r[t->names[i].crl].crl) != 0 &&
		    t->now > npkd_crl_next_update(t->r[t->names[i].crl].crl))
			t->names[i].state = "stale";
		else
			t->names[i].state = "current";
	}
	return NPKD_OK;
}

/* The current CRL of an issuer name (as the first pass found), or NULL. */
static const struct npkd_crl *
current_crl(const struct trust *t, const uint8_t *name)
{
	long ni = name_in(t->cur, &t->cur_ix, name);

	return ni >= 0 && t->cur[ni].crl >= 0 ? t->r[t->cur[ni].crl].crl :
	    NULL;
}

/*
 * A list signer: who issued it (an anchored entity of its own country
 * whose key verifies it), or -1 with the reason in v.
 */
static long
signer_issuer(struct trust *t, struct tlist *l, const struct npkd_cert *s,
    int anchored_only)
{
	const struct tent	*en;
	long			 ei;
	int			 sig;

	for (ei = hidx_first(&t->ent_by_name, s->issuer_id); ei >= 0;
	    ei = t->ent_by_name.next[ei]) {
		en = &t->e[ei];
		if (memcmp(en->name, s->issuer_id, 32) != 0 ||
		    (anchored_only && !en->anchored) || en->revoked ||
		    !key_ids(en->keycert, s->has_aki ? s->aki.data : NULL,
		    s->aki.len))
			continue;
		if ((sig = npkd_sig_cert(t->sc, s, en->keycert, l->f)) !=
		    SIG_OK)
			continue;
		if (!same_country(s->country, en->country))
			continue;
		return ei;
	}
	return -1;
}

static void
verdict(struct tverdict *v, int status, const char *reason, int action,
    const char *fmt, ...) NPKD_PRINTF(5, 6);

static void
verdict(struct tverdict *v, int status, const char *reason, int action,
    const char *fmt, ...)
{
	va_list ap;

	v->status = status;
	v->reason = reason;
	v->action = action;
	va_start(ap, fmt);
	vsnprintf(v->text, sizeof(v->text), fmt, ap);
	va_end(ap);
}

static void
sha16(const uint8_t *sha, char *out)
{
	npkd_hex(sha, 8, out);
}

/*
 * Is list l genuine?  Its CMS signature verifies (checked before the
 * content was read), its signer is a list signer of the right kind, not
 * a CA, valid at the signing time, which is not in the future, not
 * revoked then, and issued by an anchored key of its own country.
 */
static int
judge_list(struct trust *t, struct tlist *l)
{
	const struct npkd_cert	*s;
	const struct npkd_crl	*crl;
	const char		*eku;
	char			 t1[24];
	time_t			 at, rd;
	long			 ei;

	l->genuine = 0;
	l->anchor_ent = -1;
	if (l->signer < 0) {
		verdict(&l->v, ST_INVALID, "list-signer-absent", 1, "the "
		    "signer certificate is neither in the list nor in the "
		    "store");
		return 0;
	}
	s = t->c[l->signer].c;
	if (l->cms == SIG_UNSUP) {
		verdict(&l->v, ST_UNSUPPORTED, "algorithm-unsupported", 0,
		    "npkd cannot verify the list's signature algorithm");
		return 0;
	}
	if (l->cms != SIG_OK) {
		verdict(&l->v, ST_INVALID, "list-signature", 1, "the CMS "
		    "signature does not verify with the key of %s", s->subject);
		return 0;
	}
	eku = l->kind == NPKD_LIST_ML ? NPKD_OID_ML_SIGNER : NPKD_OID_DL_SIGNER;
	if (!npkd_cert_has_eku(s, eku) || (s->has_bc && s->is_ca)) {
		verdict(&l->v, ST_INVALID, "list-signer-role", 1, "signer %s "
		    "is not a %s signer (extended key usage %s, not a CA)",
		    s->subject, l->kind == NPKD_LIST_ML ? "master list" :
		    "deviation list", eku);
		return 0;
	}
	at = l->signing_time ? l->signing_time : t->now;
	if (l->signing_time > t->now) {
		npkd_time_str(l->signing_time, t1);
		verdict(&l->v, ST_INVALID, "signing-time-future", 1,
		    "signing time %s is in the future", t1);
		return 0;
	}
	if (at < s->not_before || at > s->not_after) {
		npkd_time_str(at, t1);
		verdict(&l->v, ST_INVALID, "list-signer-validity", 1, "signer "
		    "%s was not valid at %s", s->subject, t1);
		return 0;
	}
	if ((ei = signer_issuer(t, l, s, 1)) < 0) {
		if (signer_issuer(t, l, s, 0) >= 0)
			verdict(&l->v, ST_UNTRUSTED, "list-not-anchored", 0,
			    "signer %s is issued by a CSCA that is trusted "
			    "only as vouched for, not through an anchor of %s",
			    s->subject, s->country);
		else
			verdict(&l->v, ST_UNTRUSTED, "list-not-anchored", 0,
			    "signer %s does not chain to an anchor of %s",
			    s->subject, s->country[0] ? s->country : "its "
			    "country");
		return 0;
	}
	if ((crl = current_crl(t, s->issuer_id)) != NULL &&
	    npkd_crl_revocation(crl, s->serial, &rd) && rd <= at) {
		npkd_time_str(rd, t1);
		verdict(&l->v, ST_REVOKED, "list-signer-revoked", 1, "signer %s "
		    "was revoked on %s, before the list was signed",
		    s->subject, t1);
		return 0;
	}
	if (t->now > s->not_after) {
		npkd_time_str(s->not_after, t1);
		npkd_findings_add(l->f, NPKD_SEV_INFO, "signer-expired", R_ML,
		    "signer expired %s (valid when the list was signed)", t1);
	}
	l->genuine = 1;
	l->anchor_ent = ei;
	return 1;
}

/*
 * Lists and links to a fixpoint: a genuine list of country X makes its X
 * members trusted like X's anchor, which may make more lists genuine.
 */
static int
lists_fixpoint(struct trust *t)
{
	struct tlist		*l;
	struct tc		*m;
	const struct npkd_cert	*s;
	size_t			 i, k;
	int			 changed, rc;

	do {
		changed = 0;
		if ((rc = closure(t)) != NPKD_OK)
			return rc;
		for (i = 0; i < t->nl; i++) {
			l = &t->l[i];
			if (l->genuine || !judge_list(t, l) ||
			    l->kind != NPKD_LIST_ML)
				continue;
			s = t->c[l->signer].c;
			for (k = 0; k < l->nmembers; k++) {
				m = &t->c[l->members[k]];
				if (m->excluded || m->c->crit_unknown ||
				    !same_country(m->c->country, s->country))
					continue;
				if (npkd_cert_claims_self_signed(m->c) ?
				    m->selfsig != SIG_OK :
				    !npkd_cert_can_certify(m->c))
					continue;
				if ((rc = trust_cert(t, l->members[k],
				    H_OWNLIST, 1, -1, (long)i, &changed)) !=
				    NPKD_OK)
					return rc;
			}
			changed = 1;
		}
	} while (changed);
	return NPKD_OK;
}

/* Does the officer hold a usable anchor of country cc? */
static int
has_anchor(const struct trust *t, const char *cc)
{
	size_t i;

	for (i = 0; i < t->nanchor_cc; i++)
		if (same_country(t->anchor_cc[i], cc))
			return 1;
	return 0;
}

/*
 * Members of other countries: vouched for when the officer made the
 * signer's country a list authority for theirs, and never against an
 * anchor the officer holds of that country.
 */
static int
vouch(struct trust *t)
{
	struct tlist		*l;
	struct tc		*m;
	const struct npkd_cert	*s;
	size_t			 i, k;
	long			 ei;
	int			 changed = 0, rc;

	for (i = 0; i < t->nl; i++) {
		l = &t->l[i];
		if (!l->genuine || l->kind != NPKD_LIST_ML)
			continue;
		s = t->c[l->signer].c;
		for (k = 0; k < l->nmembers; k++) {
			m = &t->c[l->members[k]];
			if (m->listed_by < 0 || !m->listed_ok) {
				m->listed_by = (long)i;
				m->listed_ok = 1;
			}
			if (m->excluded || m->c->crit_unknown ||
			    same_country(m->c->country, s->country) ||
			    !authority(t, s->country, m->c->country))
				continue;
			if (npkd_cert_claims_self_signed(m->c) ?
			    m->selfsig != SIG_OK : !npkd_cert_can_certify(m->c))
				continue;
			ei = entity_of(t, m->c);
			if (has_anchor(t, m->c->country)) {
				if (ei < 0 || !t->e[ei].anchored)
					m->conflict_list = (long)i;
				continue;
			}
			if ((rc = trust_cert(t, l->members[k], H_VOUCHED, 0, -1,
			    (long)i, &changed)) != NPKD_OK)
				return rc;
		}
	}
	return NPKD_OK;
}

/*
 * One pass of the whole computation.  In the second, revoked
 * certificates (excluded) make only revoked entities.
 */
static int
pass(struct trust *t, int first)
{
	struct tc	*x;
	char		(*nv)[8];
	size_t		 i;
	int		 changed = 0, rc;

	t->ne = 0;
	hidx_free(&t->ent_by_name);
	if (hidx_init(&t->ent_by_name, 1 << 12) != NPKD_OK)
		return NPKD_E_NOMEM;
	/* findings are those of the last pass only */
	for (i = 0; i < t->nc; i++) {
		x = &t->c[i];
		x->linked_by = x->conflict_list = x->listed_by = -1;
		x->link_bad = x->country_bad = x->listed_ok = 0;
		x->keys_full = 0;
		npkd_findings_free(x->f);
		if ((x->f = npkd_findings_new()) == NULL)
			return NPKD_E_NOMEM;
		x->selfsig = npkd_cert_claims_self_signed(x->c) ?
		    npkd_sig_cert(t->sc, x->c, x->c, x->f) : SIG_UNKNOWN;
	}
	for (i = 0; i < t->nl; i++) {
		t->l[i].genuine = 0;
		npkd_findings_free(t->l[i].f);
		if ((t->l[i].f = npkd_findings_new()) == NULL)
			return NPKD_E_NOMEM;
	}
	for (i = 0; first && i < t->nr; i++) {
		npkd_findings_free(t->r[i].f);
		if ((t->r[i].f = npkd_findings_new()) == NULL)
			return NPKD_E_NOMEM;
	}
	t->nanchor_cc = 0;
	/* anchors: a certificate claiming to be self-signed must be */
	for (i = 0; i < t->nc; i++) {
		x = &t->c[i];
		if (!x->anchor || x->c->crit_unknown ||
		    (npkd_cert_claims_self_signed(x->c) &&
		    x->selfsig != SIG_OK))
			continue;
		if ((rc = trust_cert(t, (long)i, H_ANCHOR, 1, -1, -1,
		    &changed)) != NPKD_OK)
			return rc;
		if (x->excluded)
			continue;
		if ((nv = reallocarray(t->anchor_cc, t->nanchor_cc + 1,
		    sizeof(*nv))) == NULL)
			return NPKD_E_NOMEM;
		t->anchor_cc = nv;
		snprintf(t->anchor_cc[t->nanchor_cc++], 8, "%s", x->c->country);
	}
	if ((rc = lists_fixpoint(t)) != NPKD_OK ||
	    (rc = vouch(t)) != NPKD_OK ||
	    (rc = closure(t)) != NPKD_OK)
		return rc;
	return first ? check_crls(t) : collect_names(t);
}

/* What each entity can do, and how long it lives. */
static void
entity_facts(struct trust *t)
{
	const struct npkd_cert	*c;
	struct tent		*en;
	size_t			 i;
	long			 ei;

	for (i = 0; i < t->ne; i++) {
		t->e[i].csca = 0;
		t->e[i].not_after = 0;
	}
	for (i = 0; i < t->nc; i++) {
		c = t->c[i].c;
		if ((ei = entity_of(t, c)) < 0)
			continue;
		en = &t->e[ei];
		/* a certificate carries the entity when it connects: it
		 * verified itself, or was the anchor, link or member */
		if (!(npkd_cert_claims_self_signed(c) ? t->c[i].selfsig ==
		    SIG_OK : t->c[i].linked_by >= 0 || en->cert == (long)i))
			continue;
		if (c->not_after > en->not_after)
			en->not_after = c->not_after;
		if (npkd_cert_can_certify(c) && npkd_cert_self_issued(c))
			en->csca = 1;
	}
}

static const char *
how_name(int how)
{
	switch (how) {
	case H_ANCHOR:	return "anchor";
	case H_LINK:	return "link";
	case H_OWNLIST:	return "own-list";
	case H_VOUCHED:	return "vouched";
	}
	return "none";
}

/* Why an entity is trusted, in words. */
static void
why(const struct trust *t, long ei, char *out, size_t n)
{
	const struct tent	*en = &t->e[ei];
	const struct tlist	*l;
	char			 a[17], b[17];

	switch (en->how) {
	case H_ANCHOR:
		snprintf(out, n, "anchor: the officer's trust anchor");
		break;
	case H_LINK:
		sha16(t->e[en->from].keycert->sha256, a);
		sha16(t->c[en->cert].c->sha256, b);
		snprintf(out, n, "link %s from %s (%s, %s)", b,
		    t->e[en->from].keycert->subject, a,
		    how_name(t->e[en->from].how));
		break;
	case H_OWNLIST:
	case H_VOUCHED:
		l = &t->l[en->list];
		sha16(l->sha, a);
		if (en->how == H_OWNLIST)
			snprintf(out, n, "own-list: in list %s of %s, signed "
			    "by %s", a, t->c[l->signer].c->country,
			    t->c[l->signer].c->subject);
		else
			snprintf(out, n, "vouched: by list %s of %s under the "
			    "officer's list authority %s for %s", a,
			    t->c[l->signer].c->country,
			    t->c[l->signer].c->country, en->country);
		break;
	default:
		snprintf(out, n, "none");
	}
}

/* Dates of a trusted certificate, after revocation. */
static void
dated(const struct trust *t, const struct npkd_cert *c, struct tverdict *v,
    int status, const char *reason, const char *text)
{
	char d[24];

	if (t->now < c->not_before) {
		npkd_time_str(c->not_before, d);
		verdict(v, ST_NOTYET, "not-yet-valid", 1, "valid only from %s",
		    d);
	} else if (t->now > c->not_after) {
		npkd_time_str(c->not_after, d);
		verdict(v, ST_EXPIRED, "expired", 0, "expired %s", d);
	} else
		verdict(v, status, reason, 0, "%s", text);
}

/* The verdicts on the CA side, after the second pass. */
static void
judge_cas(struct trust *t)
{
	struct tc		*x;
	const struct npkd_cert	*c;
	char			 d[24], w[384], a[17];
	size_t			 i;
	long			 ei;

	for (i = 0; i < t->nc; i++) {
		x = &t->c[i];
		c = x->c;
		memset(&x->v, 0, sizeof(x->v));
		if (!npkd_cert_can_certify(c) && !npkd_cert_claims_self_signed(c)
		    && c->role != NPKD_ROLE_CSCA && c->role != NPKD_ROLE_LINK) {
			verdict(&x->v, ST_UNCHECKED, "end-entity", 0, "judged as "
			    "an end-entity certificate");
			continue;
		}
		if (c->crit_unknown) {
			verdict(&x->v, ST_INVALID, "critical-extension", 1,
			    "an unknown critical extension (RFC 5280 4.2)");
			continue;
		}
		if (npkd_cert_claims_self_signed(c) && x->selfsig == SIG_UNSUP) {
			verdict(&x->v, ST_UNSUPPORTED, "algorithm-unsupported",
			    0, "npkd cannot verify its self-signature");
			continue;
		}
		if (npkd_cert_claims_self_signed(c) && x->selfsig != SIG_OK) {
			verdict(&x->v, ST_INVALID, x->anchor ?
			    "anchor-self-signature" : "self-signature", 1,
			    "it claims to be self-signed and its signature "
			    "does not verify");
			continue;
		}
		/* revoked by the current CRL of a trusted issuer name: that
		 * is the verdict, connected or not */
		if (x->revoked) {
			npkd_time_str(x->revdate, d);
			verdict(&x->v, ST_REVOKED, "revoked", 0, "revoked on %s "
			    "by the current CRL of its issuer", d);
			if ((ei = entity_of(t, c)) >= 0) {
				x->v.trusted = 1;
				why(t, ei, w, sizeof(w));
				snprintf(x->v.trust, sizeof(x->v.trust), "%s", w);
			}
			continue;
		}
		ei = entity_of(t, c);
		if (ei >= 0 && (npkd_cert_claims_self_signed(c) ||
		    x->linked_by >= 0 || t->e[ei].cert == (long)i) &&
		    !t->e[ei].revoked) {
			x->v.trusted = 1;
			why(t, ei, w, sizeof(w));
			snprintf(x->v.trust, sizeof(x->v.trust), "%s", w);
			dated(t, c, &x->v, ST_VALID, how_name(t->e[ei].how), w);
			if (x->anchor && !npkd_cert_claims_self_signed(c))
				npkd_findings_add(x->f, NPKD_SEV_INFO,
				    "anchor-not-self-signed", R_TRUST, "the "
				    "anchor is a CA certificate issued by another "
				    "key: trusted because the officer says so");
			continue;
		}
		if (ei >= 0 && t->e[ei].revoked) {
			verdict(&x->v, ST_REVOKED, "issuer-revoked", 0, "what "
			    "connects its key (a link or the CSCA certificate) "
			    "is revoked");
			continue;
		}
		if (x->country_bad) {
			verdict(&x->v, ST_INVALID, "country-mismatch", 1,
			    "a CA of country %s issued under a CSCA of "
			    "another country", c->country);
			continue;
		}
		if (x->link_bad && !npkd_cert_claims_self_signed(c)) {
			verdict(&x->v, ST_INVALID, "link-signature", 1, "it does "
			    "not verify with the trusted CSCA key it names");
			continue;
		}
		if (x->conflict_list >= 0) {
			sha16(t->l[x->conflict_list].sha, a);
			verdict(&x->v, ST_UNTRUSTED, "conflict", 1, "vouched "
			    "for by list %s of %s, but not connected to the "
			    "officer's anchor of %s", a,
			    t->c[t->l[x->conflict_list].signer].c->country,
			    c->country);
			continue;
		}
		if (x->listed_by >= 0 && x->listed_ok) {
			sha16(t->l[x->listed_by].sha, a);
			verdict(&x->v, ST_UNTRUSTED, "not-vouched", 0, "listed "
			    "by list %s of %s, which is not a list authority "
			    "for %s", a, t->c[t->l[x->listed_by].signer].c->country,
			    c->country[0] ? c->country : "its country");
			continue;
		}
		if (x->keys_full) {
			verdict(&x->v, ST_UNTRUSTED, "too-many-keys", 1, "its "
			    "key would be trusted under a name that has %d "
			    "trusted keys already", TRUST_KEYS_PER_NAME);
			continue;
		}
		verdict(&x->v, ST_UNTRUSTED, "no-anchor", 0, "not connected "
		    "to any anchor or list authority of the officer");
	}
}

static void
judge_signers(struct trust *t)
{
	struct tc		*x;
	struct tcand		 cand[TEE_MAXCAND];
	struct tee		 ee;
	size_t			 i, k, n;
	int			 more;

	for (i = 0; i < t->nc; i++) {
		x = &t->c[i];
		if (x->v.status != ST_UNCHECKED || x->v.reason == NULL ||
		    strcmp(x->v.reason, "end-entity") != 0)
			continue;
		memset(&ee, 0, sizeof(ee));
		ee.sha = x->c->sha256;
		ee.issuer_id = x->c->issuer_id;
		ee.aki = x->c->has_aki ? x->c->aki.data : NULL;
		ee.aki_len = x->c->aki.len;
		ee.serial = x->c->serial;
		ee.country = x->c->country;
		ee.nb = x->c->not_before;
		ee.na = x->c->not_after;
		ee.crit_unknown = x->c->crit_unknown;
		n = npkd_trust_ee_candidates(t, &ee, cand, TEE_MAXCAND, &more);
		for (k = 0; k < n; k++) {
			cand[k].sig = npkd_sig_cert(t->sc, x->c, cand[k].keycert,
			    x->f);
			if (cand[k].sig == SIG_OK)
				break;
		}
		npkd_trust_ee_verdict(t, &ee, cand, k < n ? k + 1 : n, more,
		    &x->v, x->f);
	}
}

static void
judge_lists(struct trust *t)
{
	struct tlist	*l;
	char		 a[17];
	size_t		 i;

	for (i = 0; i < t->nl; i++) {
		l = &t->l[i];
		if (!l->genuine)
			continue;	/* judge_list left its reason */
		sha16(t->e[l->anchor_ent].keycert->sha256, a);
		verdict(&l->v, ST_VALID, "genuine", 0, "signed by %s, issued by "
		    "%s (%s, %s)", t->c[l->signer].c->subject,
		    t->e[l->anchor_ent].keycert->subject, a,
		    how_name(t->e[l->anchor_ent].how));
		l->v.trusted = 1;
		snprintf(l->v.trust, sizeof(l->v.trust), "%s", l->v.text);
	}
}

static void
judge_crls(struct trust *t)
{
	struct tcrl	*r;
	size_t		 i;
	long		 ni;
	char		 d[24];

	for (i = 0; i < t->nr; i++) {
		r = &t->r[i];
		if (npkd_crl_unusable(r->crl) != NULL) {
			verdict(&r->v, ST_UNUSABLE, npkd_crl_unusable(r->crl), 0,
			    "kept, never used: see its findings");
			continue;
		}
		if (r->by == NULL) {
			if (r->tried)
				verdict(&r->v, ST_INVALID, "crl-signature", 1,
				    "it does not verify with the trusted key of "
				    "the CSCA it names");
			else
				verdict(&r->v, ST_UNTRUSTED, "crl-issuer-"
				    "untrusted", 0, "no trusted CSCA key carries "
				    "its issuer name %s", npkd_crl_issuer(r->crl));
			continue;
		}
		r->v.trusted = 1;
		ni = name_in(t->cur, &t->cur_ix, npkd_crl_issuer_id(r->crl));
		if (ni < 0 || t->cur[ni].crl != (long)i) {
			verdict(&r->v, ST_SUPERSEDED, "superseded", 0, "a newer "
			    "CRL of the same issuer verifies");
			continue;
		}
		if (npkd_crl_next_update(r->crl) != 0 &&
		    t->now > npkd_crl_next_update(r->crl)) {
			npkd_time_str(npkd_crl_next_update(r->crl), d);
			verdict(&r->v, ST_STALE, "crl-stale", 1, "the current CRL "
			    "of %s: its nextUpdate %s has passed",
			    npkd_crl_issuer(r->crl), d);
		} else
			verdict(&r->v, ST_VALID, "current", 0, "the current CRL "
			    "of %s", npkd_crl_issuer(r->crl));
		snprintf(r->v.trust, sizeof(r->v.trust), "verified with %s",
		    r->by->subject);
	}
}

int
npkd_trust_run(struct trust *t, struct npkd_err *e)
{
	struct tc		*x;
	const struct npkd_crl	*crl;
	size_t			 i;
	long			 k;
	int			 rc;

	for (i = 0; i < t->nc; i++)
		t->c[i].excluded = t->c[i].revoked = 0;
	/* pass 1: the current CRL of every trusted name */
	free(t->cur);
	t->cur = NULL;
	t->ncur = 0;
	hidx_free(&t->cur_ix);
	if ((rc = hidx_init(&t->cur_ix, 16)) != NPKD_OK ||
	    (rc = pass(t, 1)) != NPKD_OK)
		return npkd_seterr(e, rc, "trust");
	t->cur = t->names;
	t->ncur = t->nnames;
	hidx_free(&t->cur_ix);
	t->cur_ix = t->names_ix;
	t->names = NULL;
	t->nnames = 0;
	memset(&t->names_ix, 0, sizeof(t->names_ix));
	/* what they revoke confers nothing in pass 2 */
	for (i = 0; i < t->nc; i++) {
		x = &t->c[i];
		if ((crl = current_crl(t, x->c->issuer_id)) != NULL &&
		    npkd_crl_revocation(crl, x->c->serial, &x->revdate))
			x->revoked = x->excluded = 1;
	}
	if ((rc = pass(t, 0)) != NPKD_OK)
		return npkd_seterr(e, rc, "trust");
	/* the names of pass 2's keys, with pass 1's CRLs */
	for (i = 0; i < t->nnames; i++)
		if ((k = name_in(t->cur, &t->cur_ix, t->names[i].id)) >= 0) {
			t->names[i].crl = t->cur[k].crl;
			t->names[i].state = t->cur[k].state;
		}
	entity_facts(t);
	judge_cas(t);
	judge_signers(t);
	judge_lists(t);
	judge_crls(t);
	return NPKD_OK;
}

/* ---- end-entity certificates ---- */

/*
 * The keys that may have signed an end-entity certificate: trusted
 * entities of its issuer name first (all of them: copies cannot push a
 * trusted key out), then untrusted CA certificates of that name, only to
 * tell "untrusted" from "invalid" (at most max, *more set when cut).
 */
size_t
npkd_trust_ee_candidates(const struct trust *t, const struct tee *ee,
    struct tcand *out, size_t max, int *more)
{
	const struct npkd_cert	*c;
	size_t			 n = 0, k;
	long			 i;

	*more = 0;
	for (i = hidx_first(&t->ent_by_name, ee->issuer_id); i >= 0;
	    i = t->ent_by_name.next[i]) {
		if (memcmp(t->e[i].name, ee->issuer_id, 32) != 0 ||
		    !key_ids(t->e[i].keycert, ee->aki, ee->aki_len))
			continue;
		for (k = 0; k < n; k++)
			if (memcmp(out[k].keyid, t->e[i].key, 32) == 0)
				break;
		if (k < n)
			continue;
		if (n == max) {
			*more = 1;
			break;
		}
		out[n].keycert = t->e[i].keycert;
		out[n].keyid = t->e[i].key;
		out[n].ent = i;
		out[n].sig = SIG_UNKNOWN;
		n++;
	}
	for (i = hidx_first(&t->by_subject, ee->issuer_id); i >= 0;
	    i = t->by_subject.next[i]) {
		c = t->c[i].c;
		if (memcmp(c->subject_id, ee->issuer_id, 32) != 0 ||
		    memcmp(c->sha256, ee->sha, 32) == 0 ||
		    !key_ids(c, ee->aki, ee->aki_len))
			continue;
		for (k = 0; k < n; k++)
			if (memcmp(out[k].keyid, c->keyid, 32) == 0)
				break;
		if (k < n)
			continue;
		if (n == max) {
			*more = 1;
			break;
		}
		out[n].keycert = c;
		out[n].keyid = c->keyid;
		out[n].ent = -1;
		out[n].sig = SIG_UNKNOWN;
		n++;
	}
	return n;
}

/*
 * The verdict on an end-entity certificate, given the signature verdicts
 * found for (a prefix of) its candidates.
 */
void
npkd_trust_ee_verdict(const struct trust *t, const struct tee *ee,
    const struct tcand *cand, size_t n, int more, struct tverdict *v,
    struct npkd_findings *f)
{
	const struct tent	*en = NULL;
	const struct npkd_crl	*crl;
	const char		*state;
	char			 d[24], w[384];
	size_t			 k;
	long			 ni;
	time_t			 rd;
	int			 bad = 0, unsup = 0, utr = 0;

	memset(v, 0, sizeof(*v));
	if (ee->crit_unknown) {
		verdict(v, ST_INVALID, "critical-extension", 1, "an unknown "
		    "critical extension (RFC 5280 4.2)");
		return;
	}
	for (k = 0; k < n; k++) {
		if (cand[k].sig == SIG_OK && cand[k].ent >= 0) {
			en = &t->e[cand[k].ent];
			break;
		}
		if (cand[k].sig == SIG_OK)
			utr = 1;
		else if (cand[k].sig == SIG_BAD)
			bad = 1;
		else if (cand[k].sig == SIG_UNSUP)
			unsup = 1;
	}
	if (en == NULL) {
		if (utr)
			verdict(v, ST_UNTRUSTED, "issuer-untrusted", 0, "issued "
			    "by a CSCA that is not connected to the officer's "
			    "trust");
		else if (unsup)
			verdict(v, ST_UNSUPPORTED, "algorithm-unsupported", 0,
			    "npkd cannot verify its signature algorithm or "
			    "its issuer's key");
		else if (bad)
			verdict(v, ST_INVALID, "signature", 1, "its signature "
			    "does not verify with any key of the CSCA it names");
		else
			verdict(v, ST_UNTRUSTED, "issuer-absent", 0, "no CSCA "
			    "of its issuer name is in the store");
		if (more)
			npkd_findings_add(f, NPKD_SEV_WARNING, "candidates-cut",
			    R_TRUST, "more than %d untrusted certificates carry "
			    "its issuer name: not all were tried", TEE_MAXCAND);
		return;
	}
	v->trusted = 1;
	why(t, en - t->e, w, sizeof(w));
	snprintf(v->trust, sizeof(v->trust), "issued by %.120s (%.250s)",
	    en->keycert->subject, w);
	if (!en->csca) {
		v->trusted = 0;
		verdict(v, ST_INVALID, "issuer-not-csca", 1, "the key that "
		    "signed it is trusted, but only as a link's subject: no "
		    "self-issued CSCA certificate carries it");
		return;
	}
	if (!same_country(ee->country, en->country)) {
		v->trusted = 0;
		verdict(v, ST_INVALID, "country-mismatch", 1, "country %s under "
		    "a CSCA of %s: a CSCA speaks only for its own country",
		    ee->country[0] ? ee->country : "(none)", en->country);
		return;
	}
	ni = name_of(t, ee->issuer_id);
	state = ni >= 0 ? t->names[ni].state : "none";
	if ((crl = current_crl(t, ee->issuer_id)) != NULL &&
	    npkd_crl_revocation(crl, ee->serial, &rd)) {
		npkd_time_str(rd, d);
		verdict(v, ST_REVOKED, "revoked", 0, "revoked on %s by the "
		    "current CRL of %s", d, npkd_crl_issuer(crl));
		return;
	}
	if (en->revoked) {
		verdict(v, ST_REVOKED, "issuer-revoked", 0, "its CSCA "
		    "certificate is revoked");
		return;
	}
	if (strcmp(state, "none") == 0)
		npkd_findings_add(f, NPKD_SEV_WARNING, "no-crl", R_CRL, "no "
		    "CRL of its CSCA's name verifies: revocation unknown");
	else if (strcmp(state, "stale") == 0)
		npkd_findings_add(f, NPKD_SEV_WARNING, "crl-stale", R_CRL, "the "
		    "current CRL of its CSCA's name is past its nextUpdate");
	if (t->now < ee->nb) {
		npkd_time_str(ee->nb, d);
		verdict(v, ST_NOTYET, "not-yet-valid", 1, "valid only from %s",
		    d);
	} else if (t->now > ee->na) {
		npkd_time_str(ee->na, d);
		verdict(v, ST_EXPIRED, "expired", 0, "expired %s", d);
	} else if (t->now > en->not_after) {
		npkd_time_str(en->not_after, d);
		verdict(v, ST_EXPIRED, "issuer-expired", 0, "its CSCA expired "
		    "%s (a CSCA outlives every document under it)", d);
	} else
		verdict(v, ST_VALID, "chain", 0, "%s", v->trust);
}

/* ---- results ---- */

size_t npkd_trust_ncerts(const struct trust *t) { return t->nc; }
size_t npkd_trust_ncrls(const struct trust *t) { return t->nr; }
size_t npkd_trust_nlists(const struct trust *t) { return t->nl; }
size_t npkd_trust_nnames(const struct trust *t) { return t->nnames; }

const struct npkd_cert *
npkd_trust_cert(const struct trust *t, size_t i)
{
	return t->c[i].c;
}

const struct tverdict *
npkd_trust_cert_verdict(const struct trust *t, size_t i)
{
	return &t->c[i].v;
}

const struct npkd_findings *
npkd_trust_cert_findings(const struct trust *t, size_t i)
{
	return t->c[i].f;
}

const struct npkd_crl *
npkd_trust_crl(const struct trust *t, size_t i)
{
	return t->r[i].crl;
}

const struct tverdict *
npkd_trust_crl_verdict(const struct trust *t, size_t i)
{
	return &t->r[i].v;
}

const struct npkd_findings *
npkd_trust_crl_findings(const struct trust *t, size_t i)
{
	return t->r[i].f;
}

const struct tverdict *
npkd_trust_list_verdict(const struct trust *t, size_t i)
{
	return &t->l[i].v;
}

const struct npkd_findings *
npkd_trust_list_findings(const struct trust *t, size_t i)
{
	return t->l[i].f;
}

const struct npkd_cert *
npkd_trust_list_anchor(const struct trust *t, size_t i)
{
	return t->l[i].genuine ? t->e[t->l[i].anchor_ent].keycert : NULL;
}

const struct tname *
npkd_trust_name(const struct trust *t, size_t i)
{
	return &t->names[i];
}
