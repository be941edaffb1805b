/*
 * ml.c - ICAO 9303-12 CSCA master lists and deviation lists: CMS
 * SignedData whose eContentType says which (2.23.136.1.1.2 or .7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "npkd_int.h"

#define R_ML	"ICAO 9303-12 8.2"
#define R_DL	"ICAO 9303-12 10"

struct npkd_ml {
	int			 kind;
	struct npkd_cms		*cms;
	struct npkd_cert	**certs;
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
	npkd_certs_free(m->certs, m->ncerts);
	for (i = 0; i < m->ndevs; i++)
		free(m->devs[i]);
	free(m->devs);
	npkd_findings_free(m->findings);
	free(m);
}

/* Walk the SET OF Certificate: each element parsed on its own. */
static int
cert_list(struct npkd_ml *m, const uint8_t *p, size_t len, struct npkd_err *e)
{
	struct npkd_cert	*c, **nv;
	unsigned int		 tag;
	size_t			 hdr, cl, end, off, h, el, cap = 0;
	int			 rc;
	char			 msg[256];

	if (npkd_der_header(p, len, &tag, &hdr, &cl) != NPKD_OK || tag != 0x31)
		return npkd_seterr(e, NPKD_E_FORMAT, "CscaMasterList.certList: "
		    "not a SET");
	end = hdr + cl;
	for (off = hdr; off < end; off += h + el) {
		if (npkd_der_header(p + off, end - off, &tag, &h, &el) !=
		    NPKD_OK)
			return npkd_seterr(e, NPKD_E_FORMAT,
			    "CscaMasterList.certList[%zu]: bad DER", m->ncerts);
		if (m->ncerts >= NPKD_MAX_ML_CERTS)
			return npkd_seterr(e, NPKD_E_LIMIT, "master list: more "
			    "than %d certificates", NPKD_MAX_ML_CERTS);
		if ((rc = npkd_cert_parse(p + off, h + el, &c, e)) != NPKD_OK) {
			snprintf(msg, sizeof(msg), "%s", e ? e->msg : "");
			return npkd_seterr(e, rc, "CscaMasterList.certList[%zu]: "
			    "%s", m->ncerts, msg);
		}
		if (m->ncerts == cap) {
			cap = cap ? 2 * cap : 64;
			if ((nv = reallocarray(m->certs, cap,
			    sizeof(*nv))) == NULL) {
				npkd_cert_free(c);
				return npkd_seterr(e, NPKD_E_NOMEM, "master list");
			}
			m->certs = nv;
		}
		m->certs[m->ncerts++] = c;
	}
	return NPKD_OK;
}

static int
parse_ml(struct npkd_ml *m, const uint8_t *p, size_t len, struct npkd_err *e)
{
	asn1_node	 n = NULL;
	const uint8_t	*sp;
	size_t		 slen, i, j;
	unsigned long	 version = 0;
	int		 rc;

	if ((rc = npkd_asn1_decode("CscaMasterList", p, len, &n,
	    "CscaMasterList", e)) != NPKD_OK)
		return rc;
	if (npkd_asn1_read_uint(n, "version", &version) != NPKD_OK ||
	    version != 0)
		npkd_findings_add(m->findings, NPKD_SEV_WARNING, "ml-version",
		    R_ML, "CscaMasterList version is not v0");
	if (npkd_asn1_span(n, p, len, "certList", &sp, &slen) != NPKD_OK)
		rc = npkd_seterr(e, NPKD_E_FORMAT, "CscaMasterList: certList");
	else
		rc = cert_list(m, sp, slen, e);
	asn1_delete_structure(&n);
	if (rc != NPKD_OK)
		return rc;
	for (i = 1; i < m->ncerts; i++)
		for (j = 0; j < i; j++)
			if (memcmp(m->certs[i]->sha256, m->certs[j]->sha256,
			    32) == 0) {
				npkd_findings_add(m->findings, NPKD_SEV_WARNING,
				    "ml-duplicate", R_ML, "certificate %s "
				    "appears twice", m->certs[i]->serial);
				break;
			}
	return NPKD_OK;
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

/* Parse a master list or deviation list (kind from eContentType). */
int
npkd_ml_parse(const uint8_t *der, size_t len, struct npkd_ml **out,
    struct npkd_err *e)
{
	struct npkd_ml	*m = NULL;
	const uint8_t	*p;
	size_t		 plen;
	const char	*ct;
	int		 rc;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->findings = npkd_findings_new()) == NULL) {
		npkd_ml_free(m);
		return npkd_seterr(e, NPKD_E_NOMEM, "master list");
	}
	if ((rc = npkd_cms_parse(der, len, &m->cms, e)) != NPKD_OK)
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
	if ((p = npkd_cms_econtent(m->cms, &plen)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "list content is missing");
		goto out;
	}
	rc = m->kind == NPKD_LIST_ML ? parse_ml(m, p, plen, e) :
	    parse_dl(m, p, plen, e);
	if (rc != NPKD_OK)
		goto out;
	npkd_findings_merge(m->findings, npkd_cms_findings(m->cms), "CMS");
	*out = m;
	m = NULL;
 out:
	npkd_ml_free(m);
	return rc;
}

int npkd_ml_kind(const struct npkd_ml *m) { return m->kind; }
const struct npkd_cms *npkd_ml_cms(const struct npkd_ml *m) { return m->cms; }
size_t npkd_ml_count(const struct npkd_ml *m) { return m->ncerts; }
size_t npkd_ml_deviation_count(const struct npkd_ml *m) { return m->ndevs; }

const struct npkd_cert *
npkd_ml_cert(const struct npkd_ml *m, size_t i)
{
	return i < m->ncerts ? m->certs[i] : NULL;
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

static int
is_ca(const struct npkd_cert *c)
{
	return c->role == NPKD_ROLE_CSCA || c->role == NPKD_ROLE_LINK;
}

/* Check each member's signature: CSCAs by themselves, links by a member. */
static void
check_members(const struct npkd_ml *m, struct npkd_findings *f)
{
	const struct npkd_cert	*c, *x;
	struct npkd_err		 e;
	size_t			 i, j;
	int			 ok;

	for (i = 0; i < m->ncerts; i++) {
		c = m->certs[i];
		if (c->role == NPKD_ROLE_CSCA) {
			if (npkd_cert_verify(c, c, f, &e) != NPKD_OK)
				npkd_findings_add(f, NPKD_SEV_ERROR,
				    "member-signature", R_ML, "member %zu (%s, "
				    "serial %s): self-signature: %s", i,
				    c->country, c->serial, e.msg);
			continue;
		}
		if (c->role != NPKD_ROLE_LINK) {
			npkd_findings_add(f, NPKD_SEV_WARNING, "member-role",
			    R_ML, "member %zu (%s, serial %s) is not a CSCA "
			    "certificate", i, c->country, c->serial);
			continue;
		}
		for (ok = 0, j = 0; j < m->ncerts && !ok; j++) {
			x = m->certs[j];
			if (x != c && npkd_cert_issued(x, c) &&
			    npkd_cert_verify(c, x, NULL, &e) == NPKD_OK)
				ok = 1;
		}
		if (!ok)
			npkd_findings_add(f, NPKD_SEV_INFO, "link-issuer-absent",
			    R_ML, "member %zu (%s, serial %s): link certificate "
			    "whose issuer key is not in the list", i, c->country,
			    c->serial);
	}
}

static const struct npkd_cert *
find_anchor(const struct npkd_cert *signer,
    const struct npkd_cert *const *cand, size_t n, const char *country,
    struct npkd_findings *f)
{
	const struct npkd_cert	*a;
	struct npkd_err		 e;
	size_t			 i;

	for (i = 0; i < n; i++) {
		a = cand[i];
		if (!is_ca(a) && !npkd_cert_is_ca(a, NULL))
			continue;
		if (country != NULL && strcasecmp(a->country, country) != 0)
			continue;
		if (!npkd_cert_issued(a, signer))
			continue;
		if (npkd_cert_verify(signer, a, f, &e) == NPKD_OK)
			return a;
	}
	return NULL;
}

/*
 * Verify a list (see npkd.h).  Findings collect what is tolerated or
 * noted; e carries the one reason for a "no".
 */
int
npkd_ml_verify(const struct npkd_ml *m, const struct npkd_cert *const *trust,
    size_t ntrust, time_t now, struct npkd_ml_verdict *v,
    struct npkd_findings *f, struct npkd_err *e)
{
	const struct npkd_cert	 *signer = NULL, *anchor = NULL;
	const struct npkd_cert	**cand = NULL;
	const char		 *eku;
	char			  t1[24], t2[24], t3[24];
	struct npkd_err		  ae;
	size_t			  nc = 0, i;
	time_t			  at;
	int			  rc;

	memset(v, 0, sizeof(*v));
	v->signing_time = npkd_cms_signing_time(m->cms);
	if ((rc = npkd_cms_verify(m->cms, trust, ntrust, &signer, f, e)) !=
	    NPKD_OK)
		return rc;
	v->signer = signer;
	eku = m->kind == NPKD_LIST_ML ? NPKD_OID_ML_SIGNER : NPKD_OID_DL_SIGNER;
	if (!npkd_cert_has_eku(signer, eku))
		return npkd_seterr(e, NPKD_E_VERIFY, "signer %s lacks the %s "
		    "extended key usage %s", signer->subject,
		    m->kind == NPKD_LIST_ML ? "master list signer" :
		    "deviation list signer", eku);

	/* The signer is judged at the list's signing time (9303-12 8.2). */
	at = v->signing_time != 0 ? v->signing_time : now;
	if (v->signing_time == 0)
		npkd_findings_add(f, NPKD_SEV_WARNING, "no-signing-time", R_ML,
		    "no signing time: signer judged at the current time");
	npkd_time_str(at, t1);
	npkd_time_str(signer->not_before, t2);
	npkd_time_str(signer->not_after, t3);
	if (at < signer->not_before || at > signer->not_after)
		return npkd_seterr(e, NPKD_E_VERIFY, "signer %s was not valid "
		    "at %s (valid %s to %s)", signer->subject, t1, t2, t3);
	if (now > signer->not_after)
		npkd_findings_add(f, NPKD_SEV_INFO, "signer-expired", R_ML,
		    "signer expired %s (valid when the list was signed)", t3);

	if (ntrust > 0) {
		anchor = find_anchor(signer, trust, ntrust, NULL, f);
		if (anchor == NULL)
			return npkd_seterr(e, NPKD_E_VERIFY, "signer %s does not "
			    "chain to a trusted CSCA", signer->subject);
	} else {
		/* Self-attested: a CSCA of the signer's country in the list. */
		nc = m->ncerts + npkd_cms_cert_count(m->cms);
		if ((cand = calloc(nc ? nc : 1, sizeof(*cand))) == NULL)
			return npkd_seterr(e, NPKD_E_NOMEM, "verify");
		for (i = 0; i < m->ncerts; i++)
			cand[i] = m->certs[i];
		for (i = 0; i < npkd_cms_cert_count(m->cms); i++)
			cand[m->ncerts + i] = npkd_cms_cert(m->cms, i);
		anchor = find_anchor(signer, cand, nc, signer->country, f);
		free(cand);
		if (anchor == NULL)
			return npkd_seterr(e, NPKD_E_VERIFY, "signer %s does not "
			    "chain to a CSCA of %s in the list", signer->subject,
			    signer->country[0] ? signer->country : "its country");
		v->self_attested = 1;
		npkd_findings_add(f, NPKD_SEV_INFO, "self-attested", R_ML,
		    "signer chains to a CSCA inside the list itself "
		    "(self-attested, no outside trust anchor)");
	}
	v->anchor = anchor;
	if (anchor->role == NPKD_ROLE_CSCA &&
	    npkd_cert_verify(anchor, anchor, NULL, &ae) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_VERIFY, "trust anchor %s: "
		    "self-signature: %s", anchor->subject, ae.msg);
	if (at < anchor->not_before || at > anchor->not_after)
		npkd_findings_add(f, NPKD_SEV_WARNING, "anchor-validity", R_ML,
		    "CSCA %s was not valid at the signing time", anchor->subject);
	check_members(m, f);
	return NPKD_OK;
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
