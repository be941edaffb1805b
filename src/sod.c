/*
 * sod.c - EF.SOD, the document security object (ICAO 9303-10 4.6.2):
 * the 77 wrapper, CMS SignedData (RFC 5652) of id-icao-ldsSecurityObject,
 * and the LDSSecurityObject with the data group hashes.
 *
 * The input is BER in real passports; it is rewritten in DER form first
 * (ber.c) and then walked element by element with npkd_der_header(), each
 * element checked for its tag and every byte accounted for.  The walk is
 * the structure of cms.c's SignedData with the checks of its verifier
 * (one value per signed attribute, content-type and message-digest bound
 * to the content) but without decoding the certificates: an inspection
 * system meets the same DSC in many documents, and npkd_pa decodes each
 * once.  Decoding SignedData with libtasn1 and its certificate costs
 * several times an RSA verification (make bench).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pa_int.h"


#define R_SOD	"ICAO 9303-10 4.6.2"
#define R_CMS	"RFC 5652 5.3"

struct span {
	const uint8_t	*p;
	size_t		 n;
};

struct npkd_sod {
	struct npkd_buf		 der;		/* the SOD in DER form */
	struct npkd_buf		 ldsder;	/* the LDSSecurityObject */
	int			 ber;
	struct span		 econtent;	/* into der */
	struct span		 certs[NPKD_MAX_CMS_CERTS];
	size_t			 ncerts;
	/* the SignerInfo */
	int			 sid_ski;
	struct span		 sid_keyid, sid_issuer, sid_serial;
	char			*sid_str;
	int			 digest;
	struct npkd_buf		 attrs;		/* signedAttrs, SET tag */
	int			 has_attrs;
	char			 attr_ctype[NPKD_OID_MAX];
	struct span		 attr_digest;
	int			 has_attr_digest;
	time_t			 signing_time;
	char			 sig_oid[NPKD_OID_MAX];
	struct npkd_sigalg	 sigalg;
	int			 sigalg_ok;
	struct span		 sig;
	/* the LDSSecurityObject */
	int			 version;
	int			 hash;
	char			 lds_ver[16], uni_ver[16];
	struct {
		int		 number;
		struct span	 hash;
	}			 dg[NPKD_MAX_DG];
	size_t			 ndg;
	struct npkd_findings	*findings;
};

void
npkd_sod_free(struct npkd_sod *s)
{
	if (s == NULL)
		return;
	npkd_buf_free(&s->der);
	npkd_buf_free(&s->ldsder);
	npkd_buf_free(&s->attrs);
	free(s->sid_str);
	npkd_findings_free(s->findings);
	free(s);
}

/* The next element of r, which must carry tag: its content and whole. */
static int
next(struct span *r, unsigned int tag, struct span *c, struct span *w)
{
	unsigned int	t;
	size_t		h, l;

	if (r->n == 0 || npkd_der_header(r->p, r->n, &t, &h, &l) != NPKD_OK ||
	    t != tag)
		return -1;
	if (c != NULL) {
		c->p = r->p + h;
		c->n = l;
	}
	if (w != NULL) {
		w->p = r->p;
		w->n = h + l;
	}
	r->p += h + l;
	r->n -= h + l;
	return 0;
}

static int
peek(const struct span *r)
{
	return r->n > 0 ? r->p[0] : -1;
}

/* A small non-negative INTEGER (DER content) into *v. */
static int
small_int(const struct span *c, unsigned long *v)
{
	size_t i;

	if (c->n == 0 || c->n > 4 || (c->p[0] & 0x80) ||
	    (c->n > 1 && c->p[0] == 0 && !(c->p[1] & 0x80)))
		return -1;
	for (*v = 0, i = 0; i < c->n; i++)
		*v = *v << 8 | c->p[i];
	return 0;
}

/*
 * Dotted form of OBJECT IDENTIFIER content, as npkd_oid_string() gives it
 * (the same checks: shortest arcs, each below 2^32) without a printf per
 * arc: a document has a dozen of them.
 */
static int
oid_of(const struct span *c, char *out, size_t sz)
{
	char		 tmp[16];
	unsigned long	 v = 0;
	size_t		 i, off = 0, k;

	if (c->n == 0 || c->n > 64 || (c->p[c->n - 1] & 0x80) ||
	    (c->p[0] & 0x80) || sz < 8)
		return NPKD_E_FORMAT;
	v = c->p[0] < 80 ? c->p[0] / 40 : 2;
	out[off++] = (char)('0' + v);
	out[off++] = '.';
	v = c->p[0] < 80 ? c->p[0] % 40 : c->p[0] - 80u;
	for (i = 0; ; ) {
		for (k = 0; k == 0 || v > 0; v /= 10)
			tmp[k++] = (char)('0' + v % 10);
		if (off + k + 2 > sz)
			return NPKD_E_FORMAT;
		while (k > 0)
			out[off++] = tmp[--k];
		if (++i >= c->n)
			break;
		out[off++] = '.';
		for (v = 0; i < c->n; i++) {
			if (v == 0 && c->p[i] == 0x80)
				return NPKD_E_FORMAT;	/* not minimal */
			v = v << 7 | (c->p[i] & 0x7f);
			if (v > 0xffffffffUL)
				return NPKD_E_FORMAT;
			if (!(c->p[i] & 0x80))
				break;
		}
	}
	out[off] = '\0';
	return NPKD_OK;
}

/* Is the OBJECT IDENTIFIER content c the DER content der? */
static int
oid_is(const struct span *c, const char *der, size_t n)
{
	return c->n == n && memcmp(c->p, der, n) == 0;
}

#define DER_SIGNED_DATA	"\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02", 9
#define DER_LDS_SO	"\x67\x81\x08\x01\x01\x01", 6
#define DER_ATTR_CTYPE	"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x03", 9
#define DER_ATTR_DIGEST	"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x04", 9
#define DER_ATTR_STIME	"\x2a\x86\x48\x86\xf7\x0d\x01\x09\x05", 9

/*
 * The signature algorithm, through a one-entry cache per thread: the
 * documents of a batch share theirs, and RSASSA-PSS parameters cost a
 * libtasn1 decoding each.  Only parses that added no finding are kept.
 */
static int
sigalg(const char *oid, const uint8_t *p, size_t plen, int hint,
    struct npkd_sigalg *a, struct npkd_findings *f, struct npkd_err *e)
{
	static _Thread_local struct {
		char			 oid[NPKD_OID_MAX];
		uint8_t			 params[128];
		size_t			 plen;
		int			 hint;
		struct npkd_sigalg	 a;
		int			 valid;
	} last;
	size_t	 nf = npkd_findings_count(f);
	int	 rc;

	if (last.valid && last.hint == hint && last.plen == plen &&
	    strcmp(last.oid, oid) == 0 && (plen == 0 ||
	    memcmp(last.params, p, plen) == 0)) {
		*a = last.a;
		return NPKD_OK;
	}
	rc = npkd_sigalg_parse(oid, p, plen, hint, a, f, e);
	if (rc == NPKD_OK && npkd_findings_count(f) == nf &&
	    plen <= sizeof(last.params) && strlen(oid) < sizeof(last.oid)) {
		memcpy(last.oid, oid, strlen(oid) + 1);
		if (plen > 0)
			memcpy(last.params, p, plen);
		last.plen = plen;
		last.hint = hint;
		last.a = *a;
		last.valid = 1;
	}
	return rc;
}

/*
 * An AlgorithmIdentifier of a hash: its algorithm, parameters absent or
 * NULL (ICAO 9303-12 and RFC 5754 allow both).
 */
static int
hash_alg(const struct span *alg, struct npkd_err *e, const char *what)
{
	struct span	 a = *alg, o;
	char		 oid[NPKD_OID_MAX];
	int		 h;

	if (next(&a, 0x06, &o, NULL) != 0 || oid_of(&o, oid, sizeof(oid)) !=
	    NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: algorithm", what);
	if (!(a.n == 0 || (a.n == 2 && a.p[0] == 0x05 && a.p[1] == 0)))
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: parameters of a hash "
		    "that are not NULL", what);
	if ((h = npkd_hash_by_oid(oid)) == NPKD_HASH_NONE)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "%s: hash %s", what,
		    oid);
	return h;
}

/* One signed attribute's single value (RFC 5652 11: exactly one). */
static int
one_value(const struct span *vals, unsigned int tag, struct span *v,
    const char *what, struct npkd_err *e)
{
	struct span	 r = *vals;

	if (next(&r, tag, v, NULL) != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: %s attribute: "
		    "no value of the right type", what);
	if (r.n != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: %s attribute "
		    "with several values (RFC 5652 11)", what);
	return NPKD_OK;
}

static int
signed_attrs(struct npkd_sod *s, struct span set, struct npkd_err *e)
{
	struct span	 a, o, vals, v, t;
	int		 ct = 0, md = 0, st = 0, n = 0, rc;

	while (set.n > 0) {
		if (++n > 64)
			return npkd_seterr(e, NPKD_E_LIMIT, "EF.SOD: more than 64 "
			    "signed attributes");
		if (next(&set, 0x30, &a, NULL) != 0 || next(&a, 0x06, &o,
		    NULL) != 0 || o.n == 0 || next(&a, 0x31, &vals, NULL) != 0 ||
		    a.n != 0)
			return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: signed "
			    "attribute %d", n);
		if (oid_is(&o, DER_ATTR_CTYPE)) {
			if (ct++)
				return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: "
				    "content-type attribute twice");
			if ((rc = one_value(&vals, 0x06, &v, "content-type",
			    e)) != NPKD_OK)
				return rc;
			if (oid_of(&v, s->attr_ctype, sizeof(s->attr_ctype)) !=
			    NPKD_OK)
				return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: "
				    "content-type attribute");
		} else if (oid_is(&o, DER_ATTR_DIGEST)) {
			if (md++)
				return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: "
				    "message-digest attribute twice");
			if ((rc = one_value(&vals, 0x04, &s->attr_digest,
			    "message-digest", e)) != NPKD_OK)
				return rc;
			s->has_attr_digest = 1;
		} else if (oid_is(&o, DER_ATTR_STIME)) {
			if (st++)
				return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: "
				    "signing-time attribute twice");
			t = vals;
			if (peek(&t) != 0x17 && peek(&t) != 0x18)
				return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: "
				    "signing-time attribute: not a time");
			if ((rc = one_value(&vals, (unsigned int)peek(&t), &v,
			    "signing-time", e)) != NPKD_OK)
				return rc;
			if (npkd_der_time((const char *)v.p, v.n, t.p[0] == 0x18,
			    &s->signing_time) != NPKD_OK)
				return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: "
				    "signing-time attribute: bad time");
		}
	}
	if (n == 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: empty signed "
		    "attributes");
	if (!st)
		npkd_findings_add(s->findings, NPKD_SEV_INFO, "no-signing-time",
		    R_SOD, "no signingTime attribute: the DSC's validity at "
		    "signing cannot be checked");
	return NPKD_OK;
}

static int
signer_info(struct npkd_sod *s, struct span si, struct npkd_err *e)
{
	struct span	 v, ias, dalg, attrs, attrsw, salg, o;
	unsigned long	 version = 0;
	int		 rc;
	struct npkd_err	 ke;

	if (next(&si, 0x02, &v, NULL) != 0 || small_int(&v, &version) != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: SignerInfo "
		    "version");
	if (peek(&si) == 0x80) {
		next(&si, 0x80, &s->sid_keyid, NULL);
		s->sid_ski = 1;
		if (version != 3)
			npkd_findings_add(s->findings, NPKD_SEV_WARNING,
			    "signer-version", R_CMS, "SignerInfo version %lu "
			    "with subjectKeyIdentifier, not 3", version);
	} else if (next(&si, 0x30, &ias, NULL) == 0) {
		if (next(&ias, 0x30, NULL, &s->sid_issuer) != 0 ||
		    next(&ias, 0x02, &s->sid_serial, NULL) != 0 || ias.n != 0 ||
		    s->sid_serial.n == 0)
			return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: "
			    "SignerInfo: issuerAndSerialNumber");
		if (version != 1)
			npkd_findings_add(s->findings, NPKD_SEV_WARNING,
			    "signer-version", R_CMS, "SignerInfo version %lu "
			    "with issuerAndSerialNumber, not 1", version);
	} else
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: SignerInfo: sid");
	if (next(&si, 0x30, &dalg, NULL) != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: SignerInfo: "
		    "digestAlgorithm");
	if ((rc = hash_alg(&dalg, e, "EF.SOD: SignerInfo digestAlgorithm")) <
	    0)
		return rc;
	s->digest = rc;
	if (next(&si, 0xa0, &attrs, &attrsw) == 0) {
		/* hashed as received, with the SET OF tag (RFC 5652 5.4) */
		if ((s->attrs.data = malloc(attrsw.n)) == NULL)
			return npkd_seterr(e, NPKD_E_NOMEM, "EF.SOD");
		memcpy(s->attrs.data, attrsw.p, attrsw.n);
		s->attrs.data[0] = 0x31;
		s->attrs.len = attrsw.n;
		s->has_attrs = 1;
		if ((rc = signed_attrs(s, attrs, e)) != NPKD_OK)
			return rc;
	} else
		npkd_findings_add(s->findings, NPKD_SEV_ERROR, "no-signed-attrs",
		    R_SOD, "SignerInfo without signed attributes");
	if (next(&si, 0x30, &salg, NULL) != 0 || next(&salg, 0x06, &o,
	    NULL) != 0 || oid_of(&o, s->sig_oid, sizeof(s->sig_oid)) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: SignerInfo: "
		    "signatureAlgorithm");
	if (sigalg(s->sig_oid, salg.n ? salg.p : NULL, salg.n, s->digest,
	    &s->sigalg, s->findings, &ke) == NPKD_OK)
		s->sigalg_ok = 1;
	else if (ke.code == NPKD_E_UNSUPPORTED)
		npkd_findings_add(s->findings, NPKD_SEV_ERROR, "sigalg", R_CMS,
		    "%s", ke.msg);
	else
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: SignerInfo: %s",
		    ke.msg);
	if (s->sigalg_ok && s->sigalg.hash != s->digest &&
	    s->sigalg.kind != NPKD_SIG_RSA_PSS)
		npkd_findings_add(s->findings, NPKD_SEV_WARNING, "hash-mismatch",
		    R_CMS, "signature hash %s differs from digest algorithm %s",
		    npkd_hash_name(s->sigalg.hash), npkd_hash_name(s->digest));
	if (next(&si, 0x04, &s->sig, NULL) != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: SignerInfo: "
		    "signature");
	if (peek(&si) == 0xa1)
		next(&si, 0xa1, NULL, NULL);
	if (si.n != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: SignerInfo: %zu "
		    "bytes after its last element", si.n);
	return NPKD_OK;
}

/* LDSSecurityObject (ICAO 9303-10 4.6.2.2) from the eContent. */
static int
lds(struct npkd_sod *s, struct npkd_err *e)
{
	struct span	 all, so, v, alg, dgs, d, num, h, vi, lv, uv;
	unsigned long	 version, n;
	unsigned int	 what;
	size_t		 i, hlen;
	int		 rc;
	struct npkd_err	 be;

	if ((rc = npkd_ber_der(s->econtent.p, s->econtent.n, &s->ldsder,
	    &what, &be)) != NPKD_OK)
		return npkd_seterr(e, rc, "LDSSecurityObject: %s", be.msg);
	if (what != 0) {
		s->ber = 1;
		npkd_findings_add(s->findings, NPKD_SEV_WARNING, "sod-ber",
		    "X.690 10", "LDSSecurityObject in BER, not DER");
	}
	all.p = s->ldsder.data;
	all.n = s->ldsder.len;
	if (next(&all, 0x30, &so, NULL) != 0 || all.n != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: not a "
		    "SEQUENCE");
	if (next(&so, 0x02, &v, NULL) != 0 || small_int(&v, &version) != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: "
		    "version");
	if (version > 1)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "LDSSecurityObject: "
		    "version %lu (v0 and v1 are known)", version);
	s->version = (int)version;
	if (next(&so, 0x30, &alg, NULL) != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: "
		    "hashAlgorithm");
	if ((rc = hash_alg(&alg, e, "LDSSecurityObject: hashAlgorithm")) < 0)
		return rc;
	s->hash = rc;
	hlen = npkd_hash_len(s->hash);
	if (next(&so, 0x30, &dgs, NULL) != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: "
		    "dataGroupHashValues");
	while (dgs.n > 0) {
		if (s->ndg == NPKD_MAX_DG)
			return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: "
			    "more than %d data group hashes", NPKD_MAX_DG);
		if (next(&dgs, 0x30, &d, NULL) != 0 ||
		    next(&d, 0x02, &num, NULL) != 0 ||
		    next(&d, 0x04, &h, NULL) != 0 || d.n != 0 ||
		    small_int(&num, &n) != 0)
			return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: "
			    "DataGroupHash %zu", s->ndg + 1);
		if (n < 1 || n > NPKD_MAX_DG)
			return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: "
			    "data group number %lu", n);
		for (i = 0; i < s->ndg; i++)
			if (s->dg[i].number == (int)n)
				return npkd_seterr(e, NPKD_E_FORMAT,
				    "LDSSecurityObject: DG%lu listed twice", n);
		if (h.n != hlen)
			return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: "
			    "DG%lu: a hash of %zu bytes, %s gives %zu", n, h.n,
			    npkd_hash_name(s->hash), hlen);
		s->dg[s->ndg].number = (int)n;
		s->dg[s->ndg].hash = h;
		s->ndg++;
	}
	if (s->ndg == 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: no data "
		    "group hashes");
	if (s->ndg < 2)
		npkd_findings_add(s->findings, NPKD_SEV_WARNING, "lds-dg-count",
		    R_SOD, "%zu data group hash (SIZE 2..16)", s->ndg);
	if (so.n > 0) {
		if (next(&so, 0x30, &vi, NULL) != 0 || next(&vi, 0x13, &lv,
		    NULL) != 0 || next(&vi, 0x13, &uv, NULL) != 0 || vi.n != 0 ||
		    so.n != 0 || lv.n >= sizeof(s->lds_ver) ||
		    uv.n >= sizeof(s->uni_ver))
			return npkd_seterr(e, NPKD_E_FORMAT, "LDSSecurityObject: "
			    "ldsVersionInfo");
		memcpy(s->lds_ver, lv.p, lv.n);
		memcpy(s->uni_ver, uv.p, uv.n);
		for (i = 0; i < lv.n + uv.n; i++) {
			unsigned char c = i < lv.n ? lv.p[i] : uv.p[i - lv.n];

			if (c < 0x20 || c > 0x7e)
				return npkd_seterr(e, NPKD_E_FORMAT,
				    "LDSSecurityObject: ldsVersionInfo: not "
				    "printable");
		}
		if (version == 0)
			npkd_findings_add(s->findings, NPKD_SEV_WARNING,
			    "lds-version-info", R_SOD, "LDSSecurityObject v0 "
			    "with ldsVersionInfo (only v1 has it)");
	} else if (version == 1)
		npkd_findings_add(s->findings, NPKD_SEV_WARNING,
		    "lds-version-info", R_SOD, "LDSSecurityObject v1 without "
		    "ldsVersionInfo");
	return NPKD_OK;
}

int
npkd_sod_parse(const uint8_t *in, size_t len, struct npkd_sod **out,
    struct npkd_err *e)
{
	struct npkd_sod	*s = NULL;
	struct span	 all, body, ci, o, x, sd, v, dalgs, eci, ec0, certs;
	struct span	 sis, si, c;
	unsigned long	 version;
	unsigned int	 what;
	char		 oid[NPKD_OID_MAX];
	int		 rc;
	struct npkd_err	 be;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->findings = npkd_findings_new()) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "EF.SOD");
		goto out;
	}
	if (len == 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: empty");
		goto out;
	}
	if ((rc = npkd_ber_der(in, len, &s->der, &what, &be)) != NPKD_OK) {
		rc = npkd_seterr(e, rc, "EF.SOD: %s", be.msg);
		goto out;
	}
	if (what != 0) {
		s->ber = 1;
		npkd_findings_add(s->findings, NPKD_SEV_WARNING, "sod-ber",
		    "X.690 10", "EF.SOD in BER, not DER:%s%s%s",
		    what & NPKD_BER_INDEFINITE ? " indefinite lengths" : "",
		    what & NPKD_BER_LONGLEN ? " long lengths" : "",
		    what & NPKD_BER_CONSTRUCTED ? " strings in segments" : "");
	}
	all.p = s->der.data;
	all.n = s->der.len;
	rc = NPKD_E_FORMAT;
	if (peek(&all) == 0x77) {
		next(&all, 0x77, &body, NULL);
	} else if (peek(&all) == 0x30) {
		body = all;
		npkd_findings_add(s->findings, NPKD_SEV_WARNING, "sod-no-wrapper",
		    R_SOD, "a bare ContentInfo, without the EF.SOD tag 77");
	} else {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "EF.SOD: tag %02x, not 77",
		    all.p[0]);
		goto out;
	}
	if (next(&body, 0x30, &ci, NULL) != 0 || body.n != 0) {
		npkd_seterr(e, rc, "EF.SOD: not one ContentInfo");
		goto out;
	}
	if (next(&ci, 0x06, &o, NULL) != 0 || !oid_is(&o, DER_SIGNED_DATA)) {
		npkd_seterr(e, rc, "EF.SOD: content type is not signedData");
		goto out;
	}
	if (next(&ci, 0xa0, &x, NULL) != 0 || ci.n != 0 ||
	    next(&x, 0x30, &sd, NULL) != 0 || x.n != 0) {
		npkd_seterr(e, rc, "EF.SOD: no SignedData");
		goto out;
	}
	if (next(&sd, 0x02, &v, NULL) != 0 || small_int(&v, &version) != 0) {
		npkd_seterr(e, rc, "EF.SOD: SignedData version");
		goto out;
	}
	if (version != 3)
		npkd_findings_add(s->findings, NPKD_SEV_WARNING, "sd-version",
		    R_SOD, "SignedData version %lu, not 3", version);
	if (next(&sd, 0x31, &dalgs, NULL) != 0) {
		npkd_seterr(e, rc, "EF.SOD: digestAlgorithms");
		goto out;
	}
	if (next(&sd, 0x30, &eci, NULL) != 0 || next(&eci, 0x06, &o,
	    NULL) != 0 || oid_of(&o, oid, sizeof(oid)) != NPKD_OK) {
		npkd_seterr(e, rc, "EF.SOD: encapContentInfo");
		goto out;
	}
	if (!oid_is(&o, DER_LDS_SO)) {
		npkd_seterr(e, rc, "EF.SOD: eContentType %s is not "
		    "id-icao-ldsSecurityObject", oid);
		goto out;
	}
	if (next(&eci, 0xa0, &ec0, NULL) != 0 || eci.n != 0 ||
	    next(&ec0, 0x04, &s->econtent, NULL) != 0 || ec0.n != 0) {
		npkd_seterr(e, rc, "EF.SOD: no eContent");
		goto out;
	}
	if (next(&sd, 0xa0, &certs, NULL) == 0) {
		while (certs.n > 0) {
			if (peek(&certs) != 0x30) {
				/* other CertificateChoices: not a DSC */
				if (next(&certs, (unsigned int)peek(&certs),
				    NULL, NULL) != 0) {
					npkd_seterr(e, rc, "EF.SOD: "
					    "certificates");
					goto out;
				}
				continue;
			}
			if (s->ncerts == NPKD_MAX_CMS_CERTS) {
				rc = npkd_seterr(e, NPKD_E_LIMIT, "EF.SOD: more "
				    "than %d certificates", NPKD_MAX_CMS_CERTS);
				goto out;
			}
			next(&certs, 0x30, NULL, &c);
			s->certs[s->ncerts++] = c;
		}
	}
	if (peek(&sd) == 0xa1)
		next(&sd, 0xa1, NULL, NULL);
	if (next(&sd, 0x31, &sis, NULL) != 0 || sd.n != 0) {
		npkd_seterr(e, rc, "EF.SOD: signerInfos");
		goto out;
	}
	if (next(&sis, 0x30, &si, NULL) != 0) {
		npkd_seterr(e, rc, "EF.SOD: SignedData without SignerInfo");
		goto out;
	}
	if (sis.n != 0) {
		npkd_seterr(e, rc, "EF.SOD: more than one SignerInfo (%s)",
		    R_SOD);
		goto out;
	}
	if ((rc = signer_info(s, si, e)) != NPKD_OK ||
	    (rc = lds(s, e)) != NPKD_OK)
		goto out;
	*out = s;
	s = NULL;
	rc = NPKD_OK;
 out:
	npkd_sod_free(s);
	return rc;
}

int npkd_sod_ber(const struct npkd_sod *s) { return s->ber; }
int npkd_sod_lds_version(const struct npkd_sod *s) { return s->version; }
int npkd_sod_hash(const struct npkd_sod *s) { return s->hash; }
size_t npkd_sod_dg_count(const struct npkd_sod *s) { return s->ndg; }
size_t npkd_sod_cert_count(const struct npkd_sod *s) { return s->ncerts; }
time_t npkd_sod_signing_time(const struct npkd_sod *s) { return s->signing_time; }
/*
 * "ski:HEX" or "issuer:DN serial:HEX" as npkd_cms_signer_id() says it;
 * made when first asked (only messages need it).
 */
const char *
npkd_sod_signer_id(const struct npkd_sod *cs)
{
	struct npkd_sod	*s = (struct npkd_sod *)(uintptr_t)cs;
	char		*name = NULL, *hex;
	const struct span *h = s->sid_ski ? &s->sid_keyid : &s->sid_serial;

	if (s->sid_str != NULL)
		return s->sid_str;
	if ((hex = malloc(2 * h->n + 1)) == NULL)
		return "(out of memory)";
	npkd_hex(h->p, h->n, hex);
	if (s->sid_ski) {
		if (asprintf(&s->sid_str, "ski:%s", hex) == -1)
			s->sid_str = NULL;
	} else if ((name = npkd_name_string(s->sid_issuer.p,
	    s->sid_issuer.n)) != NULL &&
	    asprintf(&s->sid_str, "issuer:%s serial:%s", name, hex) == -1)
		s->sid_str = NULL;
	free(name);
	free(hex);
	return s->sid_str != NULL ? s->sid_str : "(out of memory)";
}

const char *
npkd_sod_lds_info(const struct npkd_sod *s, const char **unicode)
{
	if (unicode != NULL)
		*unicode = s->uni_ver;
	return s->lds_ver;
}

int
npkd_sod_dg(const struct npkd_sod *s, size_t i, const uint8_t **h,
    size_t *len)
{
	if (i >= s->ndg)
		return 0;
	*h = s->dg[i].hash.p;
	*len = s->dg[i].hash.n;
	return s->dg[i].number;
}

const uint8_t *
npkd_sod_dg_hash(const struct npkd_sod *s, int n, size_t *len)
{
	size_t i;

	for (i = 0; i < s->ndg; i++)
		if (s->dg[i].number == n) {
			*len = s->dg[i].hash.n;
			return s->dg[i].hash.p;
		}
	*len = 0;
	return NULL;
}

const uint8_t *
npkd_sod_cert_der(const struct npkd_sod *s, size_t i, size_t *len)
{
	if (i >= s->ncerts) {
		*len = 0;
		return NULL;
	}
	*len = s->certs[i].n;
	return s->certs[i].p;
}

const char *
npkd_sod_sigalg_name(const struct npkd_sod *s)
{
	return s->sigalg_ok ? s->sigalg.name : s->sig_oid;
}

const struct npkd_findings *
npkd_sod_findings(const struct npkd_sod *s)
{
	return s->findings;
}

/* As cms.c: by SKI, or by issuer (RFC 5280 7.1 comparison) and serial. */
int
npkd_sod_is_signer(const struct npkd_sod *s, const struct npkd_cert *x)
{
	if (s->sid_ski)
		return x->has_ski && x->ski.len == s->sid_keyid.n &&
		    memcmp(x->ski.data, s->sid_keyid.p, x->ski.len) == 0;
	return x->serial_raw.len == s->sid_serial.n &&
	    memcmp(x->serial_raw.data, s->sid_serial.p, x->serial_raw.len) ==
	    0 && npkd_name_equal(x->issuer_der, x->issuer_len,
	    s->sid_issuer.p, s->sid_issuer.n);
}

int
npkd_sod_verify(const struct npkd_sod *s, const struct npkd_cert *c,
    struct npkd_findings *f, struct npkd_err *e)
{
	uint8_t		 d[NPKD_MAX_HASH];
	size_t		 dlen;
	int		 rc;

	if (!s->sigalg_ok)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "signature algorithm "
		    "%s", s->sig_oid);
	if ((rc = npkd_hash(s->digest, s->econtent.p, s->econtent.n, d, e)) !=
	    NPKD_OK)
		return rc;
	dlen = npkd_hash_len(s->digest);
	if (s->has_attrs) {
		if (s->attr_ctype[0] == '\0')
			return npkd_seterr(e, NPKD_E_VERIFY, "content-type "
			    "attribute missing (RFC 5652 5.3)");
		if (strcmp(s->attr_ctype, NPKD_OID_LDS_SO) != 0)
			return npkd_seterr(e, NPKD_E_VERIFY, "content-type "
			    "attribute %s is not id-icao-ldsSecurityObject",
			    s->attr_ctype);
		if (!s->has_attr_digest)
			return npkd_seterr(e, NPKD_E_VERIFY, "message-digest "
			    "attribute missing (RFC 5652 5.3)");
		if (s->attr_digest.n != dlen ||
		    memcmp(s->attr_digest.p, d, dlen) != 0)
			return npkd_seterr(e, NPKD_E_VERIFY, "message-digest "
			    "does not match the LDSSecurityObject");
	}
	if (c->pub == NULL)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "the DSC's key is not "
		    "usable");
	if (s->has_attrs)
		return npkd_pubkey_verify_data(c->pub, &s->sigalg,
		    s->attrs.data, s->attrs.len, s->sig.p, s->sig.n, f, e);
	return npkd_pubkey_verify_data(c->pub, &s->sigalg, s->econtent.p,
	    s->econtent.n, s->sig.p, s->sig.n, f, e);
}

/* The signer identifier: SKI (issuer NULL) or issuer Name and serial. */
void
npkd_sod_sid(const struct npkd_sod *s, const uint8_t **ski, size_t *skilen,
    const uint8_t **issuer, size_t *ilen, const uint8_t **serial,
    size_t *slen)
{
	*ski = s->sid_ski ? s->sid_keyid.p : NULL;
	*skilen = s->sid_ski ? s->sid_keyid.n : 0;
	*issuer = s->sid_ski ? NULL : s->sid_issuer.p;
	*ilen = s->sid_ski ? 0 : s->sid_issuer.n;
	*serial = s->sid_ski ? NULL : s->sid_serial.p;
	*slen = s->sid_ski ? 0 : s->sid_serial.n;
}

/* What the signature covers and the signature (for make bench). */
void
npkd_sod_signed(const struct npkd_sod *s, const uint8_t **data, size_t *len,
    const uint8_t **sig, size_t *siglen, const struct npkd_sigalg **alg)
{
	*data = s->has_attrs ? s->attrs.data : s->econtent.p;
	*len = s->has_attrs ? s->attrs.len : s->econtent.n;
	*sig = s->sig.p;
	*siglen = s->sig.n;
	*alg = s->sigalg_ok ? &s->sigalg : NULL;
}
