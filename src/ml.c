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
 * What the members say about themselves, as findings of the list: a
 * self-signature that fails, a member that is no CSCA, a link whose
 * issuer key is not in the list (or is, under another name).
 */
static void
check_members(const struct npkd_ml *m, struct trust *t,
    const long *idx, struct sigcache *sc, struct npkd_findings *f)
{
	const struct npkd_cert	*c, *x;
	size_t			 i, k, nonca = 0, n = npkd_trust_ncerts(t);
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
		for (ok = byname = 0, k = 0; k < n && !ok; k++) {
			x = npkd_trust_cert(t, k);
			if (x == c || !npkd_cert_can_certify(x) ||
			    !c->has_aki || !x->has_ski ||
			    c->aki.len != x->ski.len ||
			    memcmp(c->aki.data, x->ski.data, x->ski.len) != 0 ||
			    npkd_sig_cert(sc, c, x, NULL) != SIG_OK)
				continue;
			ok = 1;
			byname = memcmp(x->subject_id, c->issuer_id, 32) == 0;
		}
		if (!ok)
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
 * Verify a list (see npkd.h): the signature first, then the content,
 * then the trust model with the anchors given as the only trust (or,
 * with NPKD_ML_SELF_ATTESTED and no anchors, the CSCAs of the signer's
 * country that the list itself carries).
 */
/*
 * Reading a list's members and checking the self-signatures of its CA
 * members are most of the work of verifying it; both are done on every
 * processor (at most 8), the verdicts into the signature cache before the
 * trust model asks for them one at a time.  What the model then decides
 * is the same: it only reads the cache.  slot[i]: member i when it is a
 * CA, else NULL; bad: the first member that does not decode, or n.
 */
struct members {
	const struct npkd_ml		 *m;
	struct sigcache			 *sc;
	struct npkd_cert		**slot;
	_Atomic size_t			  next;
	_Atomic size_t			  bad;
};

static void *
members_worker(void *arg)
{
	struct members		*p = arg;
	struct npkd_cert	*c;
	size_t			 i, b;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->m->ncerts) {
		if (npkd_ml_member(p->m, i, &c, NULL) != NPKD_OK) {
			b = atomic_load(&p->bad);
			while (i < b && !atomic_compare_exchange_weak(&p->bad,
			    &b, i))
				;
			continue;
		}
		if (!npkd_ml_member_is_ca(c)) {
			npkd_cert_free(c);
			continue;
		}
		if (npkd_cert_claims_self_signed(c))
			npkd_sig_cert(p->sc, c, c, NULL);
		p->slot[i] = c;
	}
	return NULL;
}

static size_t
read_members(const struct npkd_ml *m, struct sigcache *sc,
    struct npkd_cert **slot)
{
	struct members	 p;
	pthread_t	 th[7];
	long		 cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t		 k, nth = 0, want;

	want = cpus > 8 ? 8 : cpus > 1 ? (size_t)cpus : 1;
	if (want > m->ncerts / 16 + 1)	/* not worth a thread for a few */
		want = m->ncerts / 16 + 1;
	p.m = m;
	p.sc = sc;
	p.slot = slot;
	atomic_init(&p.next, 0);
	atomic_init(&p.bad, m->ncerts);
	for (k = 1; k < want; k++)
		if (pthread_create(&th[nth], NULL, members_worker, &p) == 0)
			nth++;
	members_worker(&p);
	for (k = 0; k < nth; k++)
		pthread_join(th[k], NULL);
	return atomic_load(&p.bad);
}

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
	if ((rc = npkd_trust_run(t, e)) != NPKD_OK)
		goto out;
	if (m->kind == NPKD_LIST_ML)
		check_members(m, t, idx, sc, f);
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
