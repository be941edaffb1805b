/*
 * ml.c - ICAO 9303-12 CSCA master lists and deviation lists: CMS
 * SignedData whose eContentType says which (2.23.136.1.1.2 or .7).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "trust.h"

#define R_ML	"ICAO 9303-12 8.2"
#define R_DL	"ICAO 9303-12 10"

struct npkd_ml {
	int			 kind;
	struct npkd_cms		*cms;
	int			 loaded;	/* content parsed */
	uint8_t			 sha256[32];	/* of the whole list */
	const uint8_t		*content;	/* eContent, lent by cms */
	size_t			 clen;
	size_t			*off, *len;	/* members in content */
	uint8_t			(*sha)[32];	/* members' SHA-256 */
	size_t			 ncerts;
	char			**devs;
	size_t			 ndevs;
	struct npkd_findings	*findings;
};

void
npkd_ml_free(struct npkd_ml *m)
{
	size_t i;

	if (m == NULL)
		return;
	npkd_cms_free(m->cms);
	free(m->off);
	free(m->len);
	free(m->sha);
	for (i = 0; i < m->ndevs; i++)
		free(m->devs[i]);
	free(m->devs);
	npkd_findings_free(m->findings);
	free(m);
}

/*
 * Walk the SET OF Certificate: the place and SHA-256 of each element.
 * Members are parsed one at a time when asked for (npkd_ml_member), so
 * that a list of 100 000 certificates needs no more memory than its file.
 */
static int
cert_list(struct npkd_ml *m, const uint8_t *p, size_t len, struct npkd_err *e)
{
	unsigned int	 tag;
	size_t		 hdr, cl, end, off, h, el, cap = 0, *no, *nl;
	uint8_t		(*ns)[32];

	if (npkd_der_header(p, len, &tag, &hdr, &cl) != NPKD_OK || tag != 0x31)
		return npkd_seterr(e, NPKD_E_FORMAT, "CscaMasterList.certList: "
		    "not a SET");
	end = hdr + cl;
	for (off = hdr; off < end; off += h + el) {
		if (npkd_der_header(p + off, end - off, &tag, &h, &el) !=
		    NPKD_OK || tag != 0x30)
			return npkd_seterr(e, NPKD_E_FORMAT,
			    "CscaMasterList.certList[%zu]: bad DER", m->ncerts);
		if (m->ncerts >= NPKD_MAX_ML_CERTS)
			return npkd_seterr(e, NPKD_E_LIMIT, "master list: more "
			    "than %d certificates", NPKD_MAX_ML_CERTS);
		if (h + el > NPKD_MAX_DER)
			return npkd_seterr(e, NPKD_E_LIMIT,
			    "CscaMasterList.certList[%zu]: larger than %lu "
			    "bytes", m->ncerts, NPKD_MAX_DER);
		if (m->ncerts == cap) {
			cap = cap ? 2 * cap : 64;
			if ((no = reallocarray(m->off, cap, sizeof(*no))) ==
			    NULL)
				return npkd_seterr(e, NPKD_E_NOMEM, "master list");
			m->off = no;
			if ((nl = reallocarray(m->len, cap, sizeof(*nl))) ==
			    NULL)
				return npkd_seterr(e, NPKD_E_NOMEM, "master list");
			m->len = nl;
			if ((ns = reallocarray(m->sha, cap, sizeof(*ns))) ==
			    NULL)
				return npkd_seterr(e, NPKD_E_NOMEM, "master list");
			m->sha = ns;
		}
		m->off[m->ncerts] = (size_t)(p + off - m->content);
		m->len[m->ncerts] = h + el;
		if (npkd_hash(NPKD_HASH_SHA256, p + off, h + el,
		    m->sha[m->ncerts], e) != NPKD_OK)
			return NPKD_E_CRYPTO;
		m->ncerts++;
	}
	return NPKD_OK;
}

static int
cmp_idx_sha(const void *a, const void *b, void *arg)
{
	const uint8_t	(*sha)[32] = arg;

	return memcmp(sha[*(const size_t *)a], sha[*(const size_t *)b], 32);
}

/* Duplicates by SHA-256, in n log n: one finding says how many. */
static int
duplicates(struct npkd_ml *m, struct npkd_err *e)
{
	size_t	*ix, i, dup = 0, first = 0;

	if (m->ncerts < 2)
		return NPKD_OK;
	if ((ix = malloc(m->ncerts * sizeof(*ix))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "master list");
	for (i = 0; i < m->ncerts; i++)
		ix[i] = i;
	qsort_r(ix, m->ncerts, sizeof(*ix), cmp_idx_sha, m->sha);
	for (i = 1; i < m->ncerts; i++)
		if (memcmp(m->sha[ix[i]], m->sha[ix[i - 1]], 32) == 0 &&
		    dup++ == 0)
			first = ix[i];
	if (dup > 0)
		npkd_findings_add(m->findings, NPKD_SEV_WARNING, "ml-duplicate",
		    R_ML, "%zu member%s repeated (the first: member %zu)", dup,
		    dup > 1 ? "s are" : " is", first);
	free(ix);
	return NPKD_OK;
}

/*
 * CscaMasterList ::= SEQUENCE { version INTEGER, certList SET OF
 * Certificate }, walked directly (libtasn1 would decode every member at
 * once); each member is decoded strictly when it is read.
 */
static int
parse_ml(struct npkd_ml *m, const uint8_t *p, size_t len, struct npkd_err *e)
{
	unsigned int	 tag;
	size_t		 hdr, cl, off, h, l;
	int		 rc;

	if (npkd_der_header(p, len, &tag, &hdr, &cl) != NPKD_OK ||
	    tag != 0x30 || hdr + cl != len)
		return npkd_seterr(e, NPKD_E_FORMAT, "CscaMasterList: not a "
		    "SEQUENCE");
	off = hdr;
	if (npkd_der_header(p + off, len - off, &tag, &h, &l) != NPKD_OK ||
	    tag != 0x02 || l == 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "CscaMasterList: version");
	if (l != 1 || p[off + h] != 0)
		npkd_findings_add(m->findings, NPKD_SEV_WARNING, "ml-version",
		    R_ML, "CscaMasterList version is not v0");
	off += h + l;
	if (off >= len || npkd_der_header(p + off, len - off, &tag, &h, &l) !=
	    NPKD_OK || off + h + l != len)
		return npkd_seterr(e, NPKD_E_FORMAT, "CscaMasterList: certList "
		    "missing, or data after it");
	if ((rc = cert_list(m, p + off, len - off, e)) != NPKD_OK)
		return rc;
	return duplicates(m, e);
}

/* One deviation: its documents and its deviation types, on one line. */
static char *
describe_deviation(asn1_node n, int i)
{
	struct npkd_dbuf	 d;
	struct npkd_buf		 v;
	char			 base[64], path[128], s[128], choice[40];
	char			*hex;
	int			 j, len;

	npkd_dbuf_init(&d, 16384);
	snprintf(base, sizeof(base), "deviations.?%d.documents", i);
	snprintf(path, sizeof(path), "%s.documentType", base);
	len = sizeof(s) - 1;
	if (asn1_read_value(n, path, s, &len) == ASN1_SUCCESS) {
		s[len] = '\0';
		npkd_dbuf_printf(&d, "doctype=%s ", s);
	}
	snprintf(path, sizeof(path), "%s.dscIdentifier", base);
	len = sizeof(choice);
	if (asn1_read_value(n, path, choice, &len) == ASN1_SUCCESS) {
		if (strcmp(choice, "issuerAndSerialNumber") == 0) {
			snprintf(path, sizeof(path), "%s.dscIdentifier."
			    "issuerAndSerialNumber.serialNumber", base);
			if (npkd_asn1_read_alloc(n, path, &v) == NPKD_OK) {
				if ((hex = malloc(2 * v.len + 1)) != NULL) {
					npkd_hex(v.data, v.len, hex);
					npkd_dbuf_printf(&d, "dsc-serial=%s ",
					    hex);
					free(hex);
				}
				npkd_buf_free(&v);
			}
		} else {
			snprintf(path, sizeof(path), "%s.dscIdentifier.%s", base,
			    choice);
			if (npkd_asn1_read_alloc(n, path, &v) == NPKD_OK) {
				if ((hex = malloc(2 * v.len + 1)) != NULL) {
					npkd_hex(v.data, v.len, hex);
					npkd_dbuf_printf(&d, "dsc-%s=%s ",
					    strcmp(choice, "subjectKeyIdentifier")
					    == 0 ? "ski" : "sha", hex);
					free(hex);
				}
				npkd_buf_free(&v);
			}
		}
	}
	snprintf(path, sizeof(path), "%s.issuingDate.firstIssued", base);
	len = sizeof(s) - 1;
	if (asn1_read_value(n, path, s, &len) == ASN1_SUCCESS) {
		s[len] = '\0';
		npkd_dbuf_printf(&d, "issued=%s", s);
		snprintf(path, sizeof(path), "%s.issuingDate.lastIssued", base);
		len = sizeof(s) - 1;
		if (asn1_read_value(n, path, s, &len) == ASN1_SUCCESS) {
			s[len] = '\0';
			npkd_dbuf_printf(&d, "..%s", s);
		}
		npkd_dbuf_printf(&d, " ");
	}
	for (j = 1; j <= 1000; j++) {
		snprintf(path, sizeof(path), "%s.documentNumbers.?%d", base, j);
		if (!npkd_asn1_present(n, path))
			break;
	}
	if (j > 1)
		npkd_dbuf_printf(&d, "documents=%d ", j - 1);
	npkd_dbuf_printf(&d, "types=");
	for (j = 1; j <= 64; j++) {
		snprintf(path, sizeof(path), "deviations.?%d.descriptions.?%d."
		    "deviationType", i, j);
		if (npkd_asn1_read_oid(n, path, s, sizeof(s)) != NPKD_OK)
			break;
		npkd_dbuf_printf(&d, "%s%s", j > 1 ? "," : "", s);
		snprintf(path, sizeof(path), "deviations.?%d.descriptions.?%d."
		    "description", i, j);
		len = sizeof(s) - 1;
		if (asn1_read_value(n, path, s, &len) == ASN1_SUCCESS) {
			s[len] = '\0';
			npkd_dbuf_printf(&d, "(%s)", s);
		}
	}
	return (char *)d.data;
}

static int
parse_dl(struct npkd_ml *m, const uint8_t *p, size_t len, struct npkd_err *e)
{
	asn1_node	 n = NULL;
	char		 path[48], **nv;
	unsigned long	 version = 0;
	int		 rc, i;

	if ((rc = npkd_asn1_decode("DeviationList", p, len, &n,
	    "DeviationList", e)) != NPKD_OK)
		return rc;
	if (npkd_asn1_read_uint(n, "version", &version) != NPKD_OK ||
	    version != 0)
		npkd_findings_add(m->findings, NPKD_SEV_WARNING, "dl-version",
		    R_DL, "DeviationList version is not v0");
	for (i = 1; ; i++) {
		snprintf(path, sizeof(path), "deviations.?%d", i);
		if (!npkd_asn1_present(n, path))
			break;
		if (m->ndevs >= NPKD_MAX_ML_CERTS) {
			rc = npkd_seterr(e, NPKD_E_LIMIT, "deviation list: too "
			    "many entries");
			break;
		}
		if ((nv = reallocarray(m->devs, m->ndevs + 1,
		    sizeof(*nv))) == NULL) {
			rc = npkd_seterr(e, NPKD_E_NOMEM, "deviation list");
			break;
		}
		m->devs = nv;
		if ((m->devs[m->ndevs] = describe_deviation(n, i)) == NULL) {
			rc = npkd_seterr(e, NPKD_E_NOMEM, "deviation list");
			break;
		}
		m->ndevs++;
	}
	asn1_delete_structure(&n);
	return rc;
}

/*
 * Open a master list or deviation list: the CMS and its eContentType,
 * nothing of the content yet, so that a list can be verified before a
 * byte of what it signs is read (npkd_ml_load reads it).
 */
int
npkd_ml_open(const uint8_t *der, size_t len, struct npkd_ml **out,
    struct npkd_err *e)
{
	struct npkd_ml	*m = NULL;
	const char	*ct;
	int		 rc;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->findings = npkd_findings_new()) == NULL) {
		npkd_ml_free(m);
		return npkd_seterr(e, NPKD_E_NOMEM, "master list");
	}
	if ((rc = npkd_cms_parse(der, len, &m->cms, e)) != NPKD_OK ||
	    (rc = npkd_hash(NPKD_HASH_SHA256, der, len, m->sha256, e)) !=
	    NPKD_OK)
		goto out;
	ct = npkd_cms_econtent_type(m->cms);
	if (strcmp(ct, NPKD_OID_ML_CONTENT) == 0)
		m->kind = NPKD_LIST_ML;
	else if (strcmp(ct, NPKD_OID_DL_CONTENT) == 0)
		m->kind = NPKD_LIST_DL;
	else {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "eContentType %s is neither "
		    "a master list (%s) nor a deviation list (%s)", ct,
		    NPKD_OID_ML_CONTENT, NPKD_OID_DL_CONTENT);
		goto out;
	}
	if ((m->content = npkd_cms_econtent(m->cms, &m->clen)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "list content is missing");
		goto out;
	}
	npkd_findings_merge(m->findings, npkd_cms_findings(m->cms), "CMS");
	*out = m;
	m = NULL;
 out:
	npkd_ml_free(m);
	return rc;
}

/* Read the content: members (not yet decoded) or deviations. */
int
npkd_ml_load(struct npkd_ml *m, struct npkd_err *e)
{
	int rc;

	if (m->loaded)
		return NPKD_OK;
	rc = m->kind == NPKD_LIST_ML ? parse_ml(m, m->content, m->clen, e) :
	    parse_dl(m, m->content, m->clen, e);
	if (rc == NPKD_OK)
		m->loaded = 1;
	return rc;
}

/* Open and load: for reading a list without judging it. */
int
npkd_ml_parse(const uint8_t *der, size_t len, struct npkd_ml **out,
    struct npkd_err *e)
{
	int rc;

	if ((rc = npkd_ml_open(der, len, out, e)) != NPKD_OK)
		return rc;
	if ((rc = npkd_ml_load(*out, e)) != NPKD_OK) {
		npkd_ml_free(*out);
		*out = NULL;
	}
	return rc;
}

int npkd_ml_kind(const struct npkd_ml *m) { return m->kind; }
const uint8_t *npkd_ml_sha256(const struct npkd_ml *m) { return m->sha256; }
const struct npkd_cms *npkd_ml_cms(const struct npkd_ml *m) { return m->cms; }
size_t npkd_ml_count(const struct npkd_ml *m) { return m->ncerts; }
size_t npkd_ml_deviation_count(const struct npkd_ml *m) { return m->ndevs; }

/* Member i, decoded now (the caller frees it). */
int
npkd_ml_member(const struct npkd_ml *m, size_t i, struct npkd_cert **out,
    struct npkd_err *e)
{
	char	msg[256];
	int	rc;

	*out = NULL;
	if (i >= m->ncerts)
		return npkd_seterr(e, NPKD_E_NOTFOUND, "member %zu", i);
	if ((rc = npkd_cert_parse(m->content + m->off[i], m->len[i], out,
	    e)) != NPKD_OK && e != NULL) {
		snprintf(msg, sizeof(msg), "%s", e->msg);
		npkd_seterr(e, rc, "CscaMasterList.certList[%zu]: %s", i, msg);
	}
	return rc;
}

/*
 * Members in order, decoded ahead on the other processors (at most 7
 * threads), for a caller whose own work on each member (storing it) runs
 * meanwhile; a caller that would wait decodes a chunk itself.  Threads
 * claim AHEAD_CHUNK members at a time, at most AHEAD_WINDOW past the one
 * the caller takes next, so that memory stays bounded whatever the
 * list's size.  With one processor the caller
 * decodes each member itself.  The result for member i is what
 * npkd_ml_member gives, error text included.
 */
#define AHEAD_CHUNK	64
#define AHEAD_WINDOW	2048

struct ahead_slot {
	struct npkd_cert	*c;
	int			 rc;
	int			 ready;
	char			 msg[sizeof(((struct npkd_err *)0)->msg)];
};

struct npkd_ml_ahead {
	const struct npkd_ml	*m;
	struct ahead_slot	*slot;		/* AHEAD_WINDOW, by i % window */
	struct npkd_cert	**spent;	/* given back, to be freed */
	size_t			 nspent;	/* by the thread that made them */
	size_t			 next;		/* first member not claimed */
	size_t			 taken;		/* the caller's next member */
	int			 stop;
	pthread_mutex_t		 mu;
	pthread_cond_t		 more;		/* a chunk is ready */
	pthread_cond_t		 room;		/* the window moved */
	pthread_t		 th[7];
	size_t			 nth;
};

/* Can a chunk be claimed now?  (a->mu held) */
static int
ahead_room(const struct npkd_ml_ahead *a)
{
	return a->next < a->m->ncerts &&
	    a->next + AHEAD_CHUNK <= a->taken + AHEAD_WINDOW;
}

/*
 * Claim the next chunk and decode it, a->mu held on entry and on return
 * (released meanwhile).  Certificates given back are freed first (most
 * by the thread that made them: no arena of malloc's is shared much).
 */
static void
ahead_chunk(struct npkd_ml_ahead *a)
{
	struct ahead_slot	*sl;
	struct npkd_err		 e;
	struct npkd_cert	*spent[AHEAD_CHUNK];
	size_t			 i, from, to, n;

	from = a->next;
	to = from + AHEAD_CHUNK < a->m->ncerts ? from + AHEAD_CHUNK :
	    a->m->ncerts;
	a->next = to;
	for (n = 0; n < AHEAD_CHUNK && a->nspent > 0; n++)
		spent[n] = a->spent[--a->nspent];
	pthread_mutex_unlock(&a->mu);
	while (n > 0)
		npkd_cert_free(spent[--n]);
	/* the slots [from, to) are this thread's until marked ready */
	for (i = from; i < to; i++) {
		sl = &a->slot[i % AHEAD_WINDOW];
		e.msg[0] = '\0';
		sl->rc = npkd_ml_member(a->m, i, &sl->c, &e);
		memcpy(sl->msg, e.msg, sizeof(sl->msg));
	}
	pthread_mutex_lock(&a->mu);
	for (i = from; i < to; i++)
		a->slot[i % AHEAD_WINDOW].ready = 1;
	pthread_cond_broadcast(&a->more);
}

static void *
ahead_run(void *arg)
{
	struct npkd_ml_ahead	*a = arg;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (!a->stop && a->next < a->m->ncerts && !ahead_room(a))
			pthread_cond_wait(&a->room, &a->mu);
		if (a->stop || a->next >= a->m->ncerts)
			break;
		ahead_chunk(a);
	}
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

int
npkd_ml_ahead_new(const struct npkd_ml *m, struct npkd_ml_ahead **out)
{
	struct npkd_ml_ahead	*a;
	long			 cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t			 k, want;

	*out = NULL;
	if ((a = calloc(1, sizeof(*a))) == NULL)
		return NPKD_E_NOMEM;
	a->m = m;
	want = cpus > 8 ? 7 : cpus > 1 ? (size_t)cpus - 1 : 0;
	if (want > m->ncerts / AHEAD_CHUNK)	/* a few: decoded in turn */
		want = m->ncerts / AHEAD_CHUNK;
	if (want > 0 && ((a->slot = calloc(AHEAD_WINDOW,
	    sizeof(*a->slot))) == NULL || (a->spent = calloc(AHEAD_WINDOW,
	    sizeof(*a->spent))) == NULL)) {
		free(a->slot);
		free(a);
		return NPKD_E_NOMEM;
	}
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->more, NULL);
	pthread_cond_init(&a->room, NULL);
	for (k = 0; k < want; k++)
		if (pthread_create(&a->th[a->nth], NULL, ahead_run, a) == 0)
			a->nth++;
	*out = a;
	return NPKD_OK;
}

/*
 * Member i, the next in order (0, 1, ...); the caller frees it, or gives
 * it back (npkd_ml_ahead_give) to be freed by the thread that made it.
 */
int
npkd_ml_ahead_take(struct npkd_ml_ahead *a, size_t i, struct npkd_cert **out,
    struct npkd_err *e)
{
	struct ahead_slot	*sl;
	int			 rc;

	*out = NULL;
	if (i != a->taken || i >= a->m->ncerts)
		return npkd_seterr(e, NPKD_E_USAGE, "member %zu out of turn",
		    i);
	if (a->nth == 0) {
		a->taken++;
		return npkd_ml_member(a->m, i, out, e);
	}
	sl = &a->slot[i % AHEAD_WINDOW];
	pthread_mutex_lock(&a->mu);
	while (!sl->ready) {
		if (ahead_room(a))	/* rather than wait, decode a chunk */
			ahead_chunk(a);
		else
			pthread_cond_wait(&a->more, &a->mu);
	}
	sl->ready = 0;
	*out = sl->c;
	sl->c = NULL;
	if ((rc = sl->rc) != NPKD_OK)	/* the slot is free once taken */
		npkd_seterr(e, rc, "%s", sl->msg);
	a->taken++;
	if (a->taken % AHEAD_CHUNK == 0)
		pthread_cond_broadcast(&a->room);
	pthread_mutex_unlock(&a->mu);
	return rc;
}

void
npkd_ml_ahead_give(struct npkd_ml_ahead *a, struct npkd_cert *c)
{
	if (c == NULL)
		return;
	if (a->nth > 0) {
		pthread_mutex_lock(&a->mu);
		if (a->nspent < AHEAD_WINDOW) {
			a->spent[a->nspent++] = c;
			c = NULL;
		}
		pthread_mutex_unlock(&a->mu);
	}
	npkd_cert_free(c);
}

void
npkd_ml_ahead_free(struct npkd_ml_ahead *a)
{
	size_t k;

	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_broadcast(&a->room);
	pthread_mutex_unlock(&a->mu);
	for (k = 0; k < a->nth; k++)
		pthread_join(a->th[k], NULL);
	if (a->slot != NULL)
		for (k = 0; k < AHEAD_WINDOW; k++)
			npkd_cert_free(a->slot[k].c);
	while (a->nspent > 0)
		npkd_cert_free(a->spent[--a->nspent]);
	free(a->spent);
	pthread_cond_destroy(&a->room);
	pthread_cond_destroy(&a->more);
	pthread_mutex_destroy(&a->mu);
	free(a->slot);
	free(a);
}

const uint8_t *
npkd_ml_member_sha256(const struct npkd_ml *m, size_t i)
{
	return i < m->ncerts ? m->sha[i] : NULL;
}

const uint8_t *
npkd_ml_member_der(const struct npkd_ml *m, size_t i, size_t *len)
{
	if (i >= m->ncerts)
		return NULL;
	*len = m->len[i];
	return m->content + m->off[i];
}

const char *
npkd_ml_deviation(const struct npkd_ml *m, size_t i)
{
	return i < m->ndevs ? m->devs[i] : NULL;
}

const struct npkd_findings *
npkd_ml_findings(const struct npkd_ml *m)
{
	return m->findings;
}

/*
 * The signer: the CMS signature checked with the certificates embedded
 * or given (extra); on NPKD_OK *signer is lent by the list or by extra.
 */
int
npkd_ml_signature(const struct npkd_ml *m, const struct npkd_cert *const *extra,
    size_t nextra, const struct npkd_cert **signer, struct npkd_findings *f,
    struct npkd_err *e)
{
	int rc;

	rc = npkd_cms_verify(m->cms, extra, nextra, signer, f, e);
	if (rc == NPKD_E_VERIFY || rc == NPKD_E_UNSUPPORTED) {
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", e ? e->msg : "");
		npkd_seterr(e, rc, "not genuine: %s", msg);
	}
	return rc;
}

/*
 * The engine's keys that can certify, by subject key identifier: the keys
 * a link member names as its issuer, found in log n.  Two certificates
 * stand for each key, the first two in the engine (the signature cache
 * holds verdicts by key, and a link may carry the key itself), in the
 * engine's order; at most ML_LINK_TRIES of them are tried for one link,
 * so that a list whose members all name one identifier stays linear.
 */
#define ML_LINK_TRIES	32

struct skix {
	const struct trust	 *t;
	size_t			 *k;
	size_t			  n;
};

static int
ski_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

/* by SKI, then (bykey) by key, then by place in the engine */
static int
skix_order(const struct trust *t, size_t ka, size_t kb, int bykey)
{
	const struct npkd_cert	*x = npkd_trust_cert(t, ka);
	const struct npkd_cert	*y = npkd_trust_cert(t, kb);
	int			 r;

	if ((r = ski_cmp(x->ski.data, x->ski.len, y->ski.data,
	    y->ski.len)) != 0)
		return r;
	if (bykey && (r = memcmp(x->keyid, y->keyid, 32)) != 0)
		return r;
	return ka < kb ? -1 : ka > kb;
}

static int
skix_bykey(const void *a, const void *b, void *t)
{
	return skix_order(t, *(const size_t *)a, *(const size_t *)b, 1);
}

static int
skix_byplace(const void *a, const void *b, void *t)
{
	return skix_order(t, *(const size_t *)a, *(const size_t *)b, 0);
}

static int
skix_build(struct skix *x, const struct trust *t)
{
	const struct npkd_cert	*c, *p;
	size_t			 i, n = npkd_trust_ncerts(t), u;

	x->t = t;
	x->n = 0;
	if ((x->k = calloc(n + 1, sizeof(*x->k))) == NULL)
		return NPKD_E_NOMEM;
	for (i = 0; i < n; i++) {
		c = npkd_trust_cert(t, i);
		if (npkd_cert_can_certify(c) && c->has_ski)
			x->k[x->n++] = i;
	}
	qsort_r(x->k, x->n, sizeof(*x->k), skix_bykey, (void *)(uintptr_t)t);
	for (u = 0, i = 0; i < x->n; i++) {
		c = npkd_trust_cert(t, x->k[i]);
		if (u > 1) {
			p = npkd_trust_cert(t, x->k[u - 2]);
			if (ski_cmp(p->ski.data, p->ski.len, c->ski.data,
			    c->ski.len) == 0 && memcmp(p->keyid, c->keyid,
			    32) == 0)
				continue;
		}
		x->k[u++] = x->k[i];
	}
	x->n = u;
	qsort_r(x->k, x->n, sizeof(*x->k), skix_byplace, (void *)(uintptr_t)t);
	return NPKD_OK;
}

/*
 * The first of the certificates whose SKI is c's AKI, and in *cnt how
 * many there are, counted up to one more than are ever tried.
 */
static size_t
skix_issuers(const struct skix *x, const struct npkd_cert *c, size_t *cnt)
{
	const struct npkd_cert	*y;
	size_t			 lo = 0, hi = x->n, mid, end;

	*cnt = 0;
	if (!c->has_aki)
		return 0;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		y = npkd_trust_cert(x->t, x->k[mid]);
		if (ski_cmp(y->ski.data, y->ski.len, c->aki.data,
		    c->aki.len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < x->n && end - lo <= ML_LINK_TRIES; end++) {
		y = npkd_trust_cert(x->t, x->k[end]);
		if (ski_cmp(y->ski.data, y->ski.len, c->aki.data,
		    c->aki.len) != 0)
			break;
	}
	*cnt = end - lo;
	return lo;
}

/*
 * What the members say about themselves, as findings of the list: a
 * self-signature that fails, a member that is no CSCA, a link whose
 * issuer key is not in the list (or is, under another name).
 */
static void
check_members(const struct npkd_ml *m, struct trust *t, const struct skix *ix,
    const long *idx, struct sigcache *sc, struct npkd_findings *f)
{
	const struct npkd_cert	*c, *x;
	size_t			 i, k, nonca = 0, at, cnt;
	long			 first = -1;
	int			 ok, byname;

	for (i = 0; i < m->ncerts; i++) {
		if (idx[i] < 0) {
			if (nonca++ == 0)
				first = (long)i;
			continue;
		}
		c = npkd_trust_cert(t, (size_t)idx[i]);
		if (npkd_cert_claims_self_signed(c)) {
			if (npkd_sig_cert(sc, c, c, NULL) == SIG_BAD)
				npkd_findings_add(f, NPKD_SEV_ERROR,
				    "member-signature", R_ML, "member %zu (%s, "
				    "serial %s): self-signature does not verify",
				    i, c->country, c->serial);
			continue;
		}
		at = skix_issuers(ix, c, &cnt);
		for (ok = byname = 0, k = 0; k < cnt && k < ML_LINK_TRIES &&
		    !ok; k++) {
			x = npkd_trust_cert(t, ix->k[at + k]);
			if (x == c || npkd_sig_cert(sc, c, x, NULL) != SIG_OK)
				continue;
			ok = 1;
			byname = memcmp(x->subject_id, c->issuer_id, 32) == 0;
		}
		if (!ok && cnt > ML_LINK_TRIES)
			npkd_findings_add(f, NPKD_SEV_WARNING,
			    "link-issuer-ambiguous", R_ML, "member %zu (%s, "
			    "serial %s): link certificate whose authority key "
			    "identifier names more keys than are tried (%d "
			    "certificates)", i, c->country, c->serial,
			    ML_LINK_TRIES);
		else if (!ok)
			npkd_findings_add(f, NPKD_SEV_INFO, "link-issuer-absent",
			    R_ML, "member %zu (%s, serial %s): link certificate "
			    "whose issuer key is not in the list", i, c->country,
			    c->serial);
		else if (!byname)
			npkd_findings_add(f, NPKD_SEV_INFO, "link-issuer-name",
			    R_ML, "member %zu (%s, serial %s): link certificate "
			    "verified by the key its authority key identifier "
			    "names, which the list carries under another name",
			    i, c->country, c->serial);
	}
	if (nonca > 0)
		npkd_findings_add(f, NPKD_SEV_WARNING, "member-role", R_ML,
		    "%zu member%s not CSCA or link certificates (the first: "
		    "member %ld)", nonca, nonca > 1 ? "s are" : " is", first);
}

/* Does a member take part in the trust model (a CSCA or a link)? */
int
npkd_ml_member_is_ca(const struct npkd_cert *c)
{
	return c->role == NPKD_ROLE_CSCA || c->role == NPKD_ROLE_LINK ||
	    npkd_cert_can_certify(c);
}

/* Self-attestation: the list's own CSCAs of the signer's country. */
static int
own_csca(const struct npkd_cert *c, const struct npkd_cert *signer)
{
	return c->role == NPKD_ROLE_CSCA && strcasecmp(c->country,
	    signer->country) == 0;
}

/*
 * A list into a trust engine: the certificates its SignedData carries, its
 * signer and the CA members given (members' engine indexes into ci when
 * not NULL), as a list whose CMS signature verified.  With take the
 * engine takes the members themselves (the caller keeps none of them,
 * whatever happens), else copies.  With self, the list's own CSCAs of the
 * signer's country are anchors.  The list's index, or -1 when memory ran
 * out.
 */
long
npkd_ml_to_trust(struct trust *t, const struct npkd_ml *m,
    const struct npkd_cert *signer, struct npkd_cert *const *cas, size_t ncas,
    int take, int self, long *ci)
{
	struct npkd_cert	*c;
	size_t			 i, given = 0;
	long			 si, li = -1, k;

	for (i = 0; i < npkd_cms_cert_count(m->cms); i++)
		if (npkd_cert_parse(npkd_cms_cert(m->cms, i)->der.data,
		    npkd_cms_cert(m->cms, i)->der.len, &c, NULL) == NPKD_OK &&
		    npkd_trust_add_cert(t, c, self && own_csca(c, signer)) < 0)
			goto fail;
	if (npkd_cert_parse(signer->der.data, signer->der.len, &c, NULL) !=
	    NPKD_OK || (si = npkd_trust_add_cert(t, c, 0)) < 0 ||
	    (li = npkd_trust_add_list(t, m->sha256, m->kind, si,
	    npkd_cms_signing_time(m->cms), SIG_OK)) < 0)
		goto fail;
	for (i = 0; i < ncas; i++) {
		if (take)
			c = cas[given++];
		else if (npkd_cert_parse(cas[i]->der.data, cas[i]->der.len,
		    &c, NULL) != NPKD_OK)
			goto fail;
		/* an engine takes what it is given, even when it fails */
		if ((k = npkd_trust_add_cert(t, c, self && own_csca(c,
		    signer))) < 0 || npkd_trust_add_member(t, li, k) !=
		    NPKD_OK)
			goto fail;
		if (ci != NULL)
			ci[i] = k;
	}
	return li;
 fail:
	if (take)
		while (given < ncas)
			npkd_cert_free(cas[given++]);
	return -1;
}

/*
 * Work over n items on every processor (at most 8): fn(arg, i) for each
 * i, each once, in no particular order.  A few items keep to the calling
 * thread.
 */
struct par {
	void		(*fn)(void *, size_t);
	void		 *arg;
	size_t		  n;
	_Atomic size_t	  next;
};

static void *
par_run(void *arg)
{
	struct par	*p = arg;
	size_t		 i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		p->fn(p->arg, i);
	return NULL;
}

static void
par_for(size_t n, void (*fn)(void *, size_t), void *arg)
{
	struct par	 p;
	pthread_t	 th[7];
	long		 cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t		 k, nth = 0, want;

	want = cpus > 8 ? 8 : cpus > 1 ? (size_t)cpus : 1;
	if (want > n / 16 + 1)		/* not worth a thread for a few */
		want = n / 16 + 1;
	p.fn = fn;
	p.arg = arg;
	p.n = n;
	atomic_init(&p.next, 0);
	for (k = 1; k < want; k++)
		if (pthread_create(&th[nth], NULL, par_run, &p) == 0)
			nth++;
	par_run(&p);
	for (k = 0; k < nth; k++)
		pthread_join(th[k], NULL);
}

/*
 * Reading a list's members and checking the self-signatures of its CA
 * members are most of the work of verifying it; both are done in
 * parallel (par_for), the verdicts into the signature cache before the
 * trust model asks for them one at a time.  What the model then decides
 * is the same: it only reads the cache.  slot[i]: member i when it is a
 * CA, else NULL; bad: the first member that does not decode, or n.
 */
struct members {
	const struct npkd_ml		 *m;
	struct sigcache			 *sc;
	struct npkd_cert		**slot;
	_Atomic size_t			  bad;
};

static void
member_one(void *arg, size_t i)
{
	struct members		*p = arg;
	struct npkd_cert	*c;
	size_t			 b;

	if (npkd_ml_member(p->m, i, &c, NULL) != NPKD_OK) {
		b = atomic_load(&p->bad);
		while (i < b && !atomic_compare_exchange_weak(&p->bad, &b, i))
			;
		return;
	}
	if (!npkd_ml_member_is_ca(c)) {
		npkd_cert_free(c);
		return;
	}
	if (npkd_cert_claims_self_signed(c))
		npkd_sig_cert(p->sc, c, c, NULL);
	p->slot[i] = c;
}

static size_t
read_members(const struct npkd_ml *m, struct sigcache *sc,
    struct npkd_cert **slot)
{
	struct members	 p;

	p.m = m;
	p.sc = sc;
	p.slot = slot;
	atomic_init(&p.bad, m->ncerts);
	par_for(m->ncerts, member_one, &p);
	return atomic_load(&p.bad);
}

/* The links of a list under the keys they name, in parallel, as above. */
struct links {
	struct trust		*t;
	const struct skix	*x;
	const long		*idx;
	struct sigcache		*sc;
};

static void
link_one(void *arg, size_t i)
{
	struct links		*p = arg;
	const struct npkd_cert	*c, *y;
	size_t			 first, cnt, j;

	if (p->idx[i] < 0)
		return;
	c = npkd_trust_cert(p->t, (size_t)p->idx[i]);
	if (npkd_cert_claims_self_signed(c))
		return;
	first = skix_issuers(p->x, c, &cnt);
	for (j = 0; j < cnt && j < ML_LINK_TRIES; j++) {
		y = npkd_trust_cert(p->t, p->x->k[first + j]);
		if (y != c)
			npkd_sig_cert(p->sc, c, y, NULL);
	}
}

/*
 * Verify a list (see npkd.h): the signature first, then the content,
 * then the trust model with the anchors given as the only trust (or,
 * with NPKD_ML_SELF_ATTESTED and no anchors, the CSCAs of the signer's
 * country that the list itself carries).
 */
int
npkd_ml_verify(struct npkd_ml *m, const struct npkd_cert *const *anchors,
    size_t nanchors, time_t now, int flags, struct npkd_ml_verdict *v,
    struct npkd_findings *f, struct npkd_err *e)
{
	struct sigcache		 *sc = NULL;
	struct trust		 *t = NULL;
	const struct npkd_cert	 *signer = NULL;
	const struct tverdict	 *tv;
	struct npkd_cert	 *c = NULL, **cas = NULL;
	long			 *idx = NULL, *ci = NULL, li;
	struct skix		  ix = { NULL, NULL, 0 };
	struct links		  lk;
	size_t			  i, ncas = 0;
	int			  rc, self = nanchors == 0;

	memset(v, 0, sizeof(*v));
	v->signing_time = npkd_cms_signing_time(m->cms);
	if ((sc = npkd_sigcache_new()) == NULL ||
	    (t = npkd_trust_new(now, sc)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "verify");
		goto out;
	}
	/* 1. the signature, before the content is read */
	if ((rc = npkd_ml_signature(m, anchors, nanchors, &signer, f, e)) !=
	    NPKD_OK)
		goto out;
	v->signer = signer;
	/* 2. the content: malformed now means the signer signed it so */
	if ((rc = npkd_ml_load(m, e)) != NPKD_OK)
		goto out;
	/* 3. the trust model over the anchors and the list's own certs */
	for (i = 0; i < nanchors; i++)
		if ((rc = npkd_cert_parse(anchors[i]->der.data,
		    anchors[i]->der.len, &c, e)) != NPKD_OK ||
		    npkd_trust_add_cert(t, c, 1) < 0)
			goto nomem;
	if ((idx = calloc(m->ncerts + 1, sizeof(*idx))) == NULL ||
	    (cas = calloc(m->ncerts + 1, sizeof(*cas))) == NULL ||
	    (ci = calloc(m->ncerts + 1, sizeof(*ci))) == NULL)
		goto nomem;
	if ((i = read_members(m, sc, cas)) < m->ncerts) {
		rc = npkd_ml_member(m, i, &c, e);	/* its error, again */
		npkd_cert_free(c);
		if (rc == NPKD_OK)
			rc = npkd_seterr(e, NPKD_E_FORMAT, "member %zu", i);
		ncas = m->ncerts;	/* free every slot */
		goto out;
	}
	for (i = 0; i < m->ncerts; i++) {
		idx[i] = -1;
		if ((c = cas[i]) != NULL) {	/* compacted: ncas <= i */
			cas[i] = NULL;
			idx[i] = (long)ncas;
			cas[ncas++] = c;
		}
	}
	li = npkd_ml_to_trust(t, m, signer, cas, ncas, 1, self, ci);
	ncas = 0;		/* the engine has them */
	if (li < 0)
		goto nomem;
	for (i = 0; i < m->ncerts; i++)
		if (idx[i] >= 0)
			idx[i] = ci[idx[i]];
	/* the links under the keys they name, before the model asks */
	if (skix_build(&ix, t) != NPKD_OK)
		goto nomem;
	lk.t = t;
	lk.x = &ix;
	lk.idx = idx;
	lk.sc = sc;
	par_for(m->ncerts, link_one, &lk);
	if ((rc = npkd_trust_run(t, e)) != NPKD_OK)
		goto out;
	if (m->kind == NPKD_LIST_ML)
		check_members(m, t, &ix, idx, sc, f);
	npkd_findings_merge(f, npkd_trust_list_findings(t, (size_t)li), NULL);
	tv = npkd_trust_list_verdict(t, (size_t)li);
	v->status = npkd_status_name(tv->status);
	v->reason = tv->reason;
	snprintf(v->text, sizeof(v->text), "%s", tv->text);
	if (v->signing_time == 0)
		npkd_findings_add(f, NPKD_SEV_WARNING, "no-signing-time", R_ML,
		    "no signing time: the signer was judged at the current "
		    "time");
	if (tv->status != ST_VALID) {
		rc = npkd_seterr(e, tv->status == ST_UNSUPPORTED ?
		    NPKD_E_UNSUPPORTED : NPKD_E_VERIFY, "not genuine: %s: %s",
		    tv->reason, tv->text);
		goto out;
	}
	/* what it chains to: an anchor given, or (through a link) its key */
	snprintf(v->anchor_subject, sizeof(v->anchor_subject), "%s",
	    npkd_trust_list_anchor(t, (size_t)li)->subject);
	for (i = 0; i < nanchors; i++)
		if (memcmp(anchors[i]->keyid,
		    npkd_trust_list_anchor(t, (size_t)li)->keyid, 32) == 0)
			v->anchor = anchors[i];
	if (self) {
		v->self_attested = 1;
		npkd_findings_add(f, NPKD_SEV_INFO, "self-attested", R_ML,
		    "signer chains to a CSCA inside the list itself "
		    "(self-attested, no outside trust anchor)");
		if (!(flags & NPKD_ML_SELF_ATTESTED)) {
			rc = npkd_seterr(e, NPKD_E_VERIFY, "self-attested, not "
			    "anchored: the signer chains only to a CSCA the "
			    "list carries itself (give the officer's anchors "
			    "with -T)");
			v->status = "untrusted";
			v->reason = "self-attested";
			goto out;
		}
	}
	rc = NPKD_OK;
	goto out;
 nomem:
	if (rc == NPKD_OK)
		rc = npkd_seterr(e, NPKD_E_NOMEM, "verify");
 out:
	free(idx);
	free(ci);
	free(ix.k);
	npkd_certs_free(cas, ncas);
	npkd_trust_free(t);
	npkd_sigcache_free(sc);
	return rc;
}

static int
cmp_der(const void *a, const void *b)
{
	const struct npkd_cert	*x = *(const struct npkd_cert *const *)a;
	const struct npkd_cert	*y = *(const struct npkd_cert *const *)b;
	size_t			 n = x->der.len < y->der.len ? x->der.len :
				    y->der.len;
	int			 c = memcmp(x->der.data, y->der.data, n);

	if (c != 0)
		return c;
	return x->der.len < y->der.len ? -1 : x->der.len > y->der.len;
}

int
npkd_ml_build(const struct npkd_cert *const *certs, size_t n,
    struct npkd_buf *out, struct npkd_err *e)
{
	const struct npkd_cert	**v = NULL;
	struct npkd_dbuf	  d;
	uint8_t			  h[8];
	size_t			  i, body = 0, hl, sl;
	int			  rc = NPKD_OK;

	out->data = NULL;
	out->len = 0;
	if (n == 0 || n > NPKD_MAX_ML_CERTS)
		return npkd_seterr(e, NPKD_E_USAGE, "master list: %zu "
		    "certificates", n);
	if ((v = malloc(n * sizeof(*v))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "master list");
	memcpy(v, certs, n * sizeof(*v));
	/* DER SET OF: elements in ascending order of encoding (X.690 11.6),
	 * duplicates dropped. */
	qsort(v, n, sizeof(*v), cmp_der);
	for (i = 0; i < n; i++)
		if (i == 0 || cmp_der(&v[i - 1], &v[i]) != 0)
			body += v[i]->der.len;
	sl = npkd_der_put_header(h, 0x31, body);
	npkd_dbuf_init(&d, NPKD_MAX_FILE);
	hl = npkd_der_put_header(h, 0x30, 3 + sl + body);
	if (npkd_dbuf_add(&d, h, hl) != NPKD_OK ||
	    npkd_dbuf_add(&d, "\x02\x01\x00", 3) != NPKD_OK ||
	    npkd_dbuf_add(&d, h, npkd_der_put_header(h, 0x31, body)) != NPKD_OK)
		rc = NPKD_E_NOMEM;
	for (i = 0; i < n && rc == NPKD_OK; i++)
		if (i == 0 || cmp_der(&v[i - 1], &v[i]) != 0)
			rc = npkd_dbuf_add(&d, v[i]->der.data, v[i]->der.len);
	free(v);
	if (rc != NPKD_OK) {
		npkd_dbuf_free(&d);
		return npkd_seterr(e, rc, "master list: too large");
	}
	out->data = d.data;
	out->len = d.len;
	return NPKD_OK;
}
