/*
 * crl.c - X.509 CRLs (RFC 5280 section 5) with the ICAO 9303-12 CRL
 * profile as findings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npkd_int.h"

#define R_CRL	"ICAO 9303-12 7.1.4"

struct npkd_crl_entry {
	char	*serial;
	time_t	 date;
};

struct npkd_crl {
	struct npkd_buf		 der;
	uint8_t			 sha256[32];
	const uint8_t		*tbs, *issuer_der;
	size_t			 tbs_len, issuer_len;
	char			*issuer;
	char			 country[8];
	time_t			 this_update, next_update;
	char			*number;
	struct npkd_buf		 aki;
	int			 has_aki;
	struct npkd_crl_entry	*rev;
	size_t			 nrev;
	struct npkd_sigalg	 sigalg;
	struct npkd_buf		 sig;
	struct npkd_findings	*findings;
	uint8_t			 issuer_id[32];
	const char		*unusable;	/* why it is never used */
};

void
npkd_crl_free(struct npkd_crl *c)
{
	size_t i;

	if (c == NULL)
		return;
	npkd_buf_free(&c->der);
	npkd_buf_free(&c->aki);
	npkd_buf_free(&c->sig);
	free(c->issuer);
	free(c->number);
	for (i = 0; i < c->nrev; i++)
		free(c->rev[i].serial);
	free(c->rev);
	npkd_findings_free(c->findings);
	free(c);
}

/* Mark the CRL as never used, with a finding saying why (first wins). */
static void
unusable(struct npkd_crl *c, const char *code, const char *rule,
    const char *text, const char *oid)
{
	npkd_findings_add(c->findings, NPKD_SEV_ERROR, code, rule, "%s%s%s",
	    text, oid ? " " : "", oid ? oid : "");
	if (c->unusable == NULL)
		c->unusable = code;
}

static int
crl_extensions(struct npkd_crl *c, asn1_node n)
{
	struct npkd_buf	 v, num;
	asn1_node	 x = NULL;
	char		 path[64], oid[NPKD_OID_MAX], crit[8];
	int		 i, has_num = 0, len, critical;
	struct npkd_err	 e;

	for (i = 1; i <= 64; i++) {
		snprintf(path, sizeof(path), "tbsCertList.crlExtensions.?%d.extnID",
		    i);
		if (npkd_asn1_read_oid(n, path, oid, sizeof(oid)) != NPKD_OK)
			break;
		snprintf(path, sizeof(path),
		    "tbsCertList.crlExtensions.?%d.critical", i);
		len = sizeof(crit);
		critical = asn1_read_value(n, path, crit, &len) ==
		    ASN1_SUCCESS && strcmp(crit, "TRUE") == 0;
		snprintf(path, sizeof(path),
		    "tbsCertList.crlExtensions.?%d.extnValue", i);
		if (npkd_asn1_read_alloc(n, path, &v) != NPKD_OK)
			return NPKD_E_FORMAT;
		if (strcmp(oid, "2.5.29.35") == 0) {
			if (npkd_asn1_decode("AuthorityKeyIdentifier", v.data,
			    v.len, &x, "CRL authorityKeyIdentifier", &e) ==
			    NPKD_OK) {
				if (npkd_asn1_read_alloc(x, "keyIdentifier",
				    &c->aki) == NPKD_OK)
					c->has_aki = c->aki.len > 0;
				asn1_delete_structure(&x);
			}
		} else if (strcmp(oid, "2.5.29.20") == 0) {
			if (npkd_asn1_decode("CRLNumber", v.data, v.len, &x,
			    "cRLNumber", &e) == NPKD_OK) {
				if (npkd_asn1_read_alloc(x, "", &num) ==
				    NPKD_OK) {
					free(c->number);
					if ((c->number = malloc(2 * num.len +
					    1)) != NULL)
						npkd_hex(num.data, num.len,
						    c->number);
					npkd_buf_free(&num);
					has_num = 1;
				}
				asn1_delete_structure(&x);
			}
		} else if (strcmp(oid, "2.5.29.27") == 0)
			unusable(c, "crl-delta", R_CRL, "delta CRL indicator: "
			    "delta CRLs are not allowed, and a delta alone does "
			    "not say what the full CRL revokes", NULL);
		else if (strcmp(oid, "2.5.29.28") == 0)
			unusable(c, "crl-idp", R_CRL, "issuingDistributionPoint: "
			    "a partitioned or indirect CRL does not speak for "
			    "every certificate of its issuer", NULL);
		else if (critical && strcmp(oid, "2.5.29.18") != 0 &&
		    strcmp(oid, "2.5.29.46") != 0 &&
		    strcmp(oid, "1.3.6.1.5.5.7.1.1") != 0)
			unusable(c, "crl-critical-extension", "RFC 5280 5.2",
			    "unknown critical CRL extension", oid);
		npkd_buf_free(&v);
	}
	if (!has_num)
		npkd_findings_add(c->findings, NPKD_SEV_WARNING,
		    "crl-no-number", R_CRL, "CRL without cRLNumber");
	return NPKD_OK;
}

/*
 * The extensions of one revoked entry (RFC 5280 5.3): reason, invalidity
 * date and hold instruction change nothing here; certificateIssuer makes
 * the CRL indirect, and an unknown critical one makes it unusable.
 */
static int
entry_extensions(struct npkd_crl *c, const uint8_t *p, size_t len)
{
	unsigned int	 tag;
	size_t		 off, h, l, eh, el, o2, oh, ol;
	char		 oid[NPKD_OID_MAX];
	int		 critical;

	for (off = 0; off < len; off += h + l) {
		if (npkd_der_header(p + off, len - off, &tag, &h, &l) !=
		    NPKD_OK || tag != 0x30)
			return NPKD_E_FORMAT;
		/* Extension ::= SEQUENCE { OID, BOOLEAN DEFAULT FALSE, OCTETS } */
		o2 = off + h;
		if (npkd_der_header(p + o2, off + h + l - o2, &tag, &oh, &ol) !=
		    NPKD_OK || tag != 0x06 ||
		    npkd_oid_string(p + o2 + oh, ol, oid, sizeof(oid)) != NPKD_OK)
			return NPKD_E_FORMAT;
		o2 += oh + ol;
		critical = 0;
		if (npkd_der_header(p + o2, off + h + l - o2, &tag, &eh, &el) ==
		    NPKD_OK && tag == 0x01)
			critical = el == 1 && p[o2 + eh] != 0;
		if (strcmp(oid, "2.5.29.29") == 0)
			unusable(c, "crl-indirect", "RFC 5280 5.3.3",
			    "an entry names another certificate issuer: an "
			    "indirect CRL", NULL);
		else if (critical && strcmp(oid, "2.5.29.21") != 0 &&
		    strcmp(oid, "2.5.29.24") != 0 && strcmp(oid, "2.5.29.23") != 0)
			unusable(c, "crl-critical-extension", "RFC 5280 5.3",
			    "unknown critical CRL entry extension", oid);
	}
	return NPKD_OK;
}

static int
cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct npkd_crl_entry *)a)->serial,
	    ((const struct npkd_crl_entry *)b)->serial);
}

/*
 * The revokedCertificates SEQUENCE, walked directly (a CRL may have
 * hundreds of thousands of entries; indexed lookups would be quadratic).
 * libtasn1 has already checked its structure.
 */
static int
crl_entries(struct npkd_crl *c, const uint8_t *p, size_t len)
{
	unsigned int	 tag;
	size_t		 hdr, cl, off, h, l, o, sh, sl, th, tl, cap = 0;
	struct npkd_crl_entry *nv;

	if (npkd_der_header(p, len, &tag, &hdr, &cl) != NPKD_OK || tag != 0x30)
		return NPKD_E_FORMAT;
	for (off = hdr; off < hdr + cl; off += h + l) {
		if (npkd_der_header(p + off, hdr + cl - off, &tag, &h, &l) !=
		    NPKD_OK || tag != 0x30)
			return NPKD_E_FORMAT;
		if (c->nrev >= NPKD_MAX_CRL_ENTRIES)
			return NPKD_E_LIMIT;
		o = off + h;
		if (npkd_der_header(p + o, off + h + l - o, &tag, &sh, &sl) !=
		    NPKD_OK || tag != 0x02 || sl == 0)
			return NPKD_E_FORMAT;
		if (c->nrev == cap) {
			cap = cap ? 2 * cap : 16;
			if ((nv = reallocarray(c->rev, cap, sizeof(*nv))) ==
			    NULL)
				return NPKD_E_NOMEM;
			c->rev = nv;
		}
		if ((c->rev[c->nrev].serial = malloc(2 * sl + 1)) == NULL)
			return NPKD_E_NOMEM;
		npkd_hex(p + o + sh, sl, c->rev[c->nrev].serial);
		c->rev[c->nrev].date = 0;
		c->nrev++;
		o += sh + sl;
		if (npkd_der_header(p + o, off + h + l - o, &tag, &th, &tl) !=
		    NPKD_OK || (tag != 0x17 && tag != 0x18) ||
		    npkd_der_time((const char *)p + o + th, tl, tag == 0x18,
		    &c->rev[c->nrev - 1].date) != NPKD_OK)
			return NPKD_E_FORMAT;
		o += th + tl;
		if (o < off + h + l) {
			if (npkd_der_header(p + o, off + h + l - o, &tag, &th,
			    &tl) != NPKD_OK || tag != 0x30 ||
			    entry_extensions(c, p + o + th, tl) != NPKD_OK)
				return NPKD_E_FORMAT;
		}
	}
	/* sorted, so that a lookup is a binary search */
	if (c->nrev > 0)
		qsort(c->rev, c->nrev, sizeof(c->rev[0]), cmp_entry);
	return NPKD_OK;
}

/* Parse one DER CRL. */
int
npkd_crl_parse(const uint8_t *der, size_t len, struct npkd_crl **out,
    struct npkd_err *e)
{
	struct npkd_crl		*c = NULL;
	asn1_node		 n = NULL;
	const uint8_t		*rp;
	size_t			 rlen;
	unsigned long		 version = 0;
	int			 rc, unused;

	*out = NULL;
	if (len > 64 * NPKD_MAX_DER)
		return npkd_seterr(e, NPKD_E_LIMIT, "CRL: too large");
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->findings = npkd_findings_new()) == NULL ||
	    (c->der.data = malloc(len ? len : 1)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "CRL");
		goto out;
	}
	memcpy(c->der.data, der, len);
	c->der.len = len;
	der = c->der.data;
	if ((rc = npkd_asn1_decode("CertificateList", der, len, &n, "CRL", e)) !=
	    NPKD_OK)
		goto out;
	if ((rc = npkd_hash(NPKD_HASH_SHA256, der, len, c->sha256, e)) !=
	    NPKD_OK)
		goto out;
	if (npkd_asn1_span(n, der, len, "tbsCertList", &c->tbs, &c->tbs_len) !=
	    NPKD_OK || npkd_asn1_span(n, der, len, "tbsCertList.issuer",
	    &c->issuer_der, &c->issuer_len) != NPKD_OK ||
	    npkd_asn1_read_time(n, "tbsCertList.thisUpdate", &c->this_update) !=
	    NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "CRL: structure");
		goto out;
	}
	if (npkd_asn1_present(n, "tbsCertList.nextUpdate") &&
	    npkd_asn1_read_time(n, "tbsCertList.nextUpdate", &c->next_update) !=
	    NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "CRL: nextUpdate");
		goto out;
	}
	if (c->next_update == 0)
		npkd_findings_add(c->findings, NPKD_SEV_ERROR, "crl-no-next",
		    R_CRL, "CRL without nextUpdate");
	if (npkd_asn1_present(n, "tbsCertList.version"))
		npkd_asn1_read_uint(n, "tbsCertList.version", &version);
	if (version != 1)
		npkd_findings_add(c->findings, NPKD_SEV_ERROR, "crl-version",
		    R_CRL, "CRL is not version 2");
	if ((c->issuer = npkd_name_string(c->issuer_der, c->issuer_len)) ==
	    NULL || (c->number = strdup("")) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "CRL");
		goto out;
	}
	npkd_name_country(c->issuer_der, c->issuer_len, c->country,
	    sizeof(c->country));
	if (npkd_asn1_span(n, der, len, "tbsCertList.revokedCertificates",
	    &rp, &rlen) == NPKD_OK && (rc = crl_entries(c, rp, rlen)) !=
	    NPKD_OK) {
		if (rc == NPKD_E_LIMIT)
			npkd_seterr(e, rc, "CRL: more than %lu entries",
			    (unsigned long)NPKD_MAX_CRL_ENTRIES);
		else
			npkd_seterr(e, rc, "CRL: revoked certificates");
		goto out;
	}
	if ((rc = npkd_name_id(c->issuer_der, c->issuer_len, c->issuer_id)) !=
	    NPKD_OK) {
		npkd_seterr(e, rc, "CRL: issuer");
		goto out;
	}
	if (npkd_asn1_present(n, "tbsCertList.crlExtensions") &&
	    crl_extensions(c, n) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "CRL: extensions");
		goto out;
	}
	if (!c->has_aki)
		npkd_findings_add(c->findings, NPKD_SEV_WARNING, "crl-no-aki",
		    R_CRL, "CRL without authorityKeyIdentifier");
	npkd_sigalg_of(n, der, len, &c->sigalg, c->findings,
	    "RFC 5280 5.1.1.2");
	if (npkd_asn1_read_bits(n, der, len, "signature", &c->sig,
	    &unused) != NPKD_OK ||
	    unused != 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "CRL: signature");
		goto out;
	}
	*out = c;
	c = NULL;
	rc = NPKD_OK;
 out:
	asn1_delete_structure(&n);
	npkd_crl_free(c);
	return rc;
}

const uint8_t *
npkd_crl_der(const struct npkd_crl *c, size_t *len)
{
	*len = c->der.len;
	return c->der.data;
}

const uint8_t *npkd_crl_sha256(const struct npkd_crl *c) { return c->sha256; }
const char *npkd_crl_issuer(const struct npkd_crl *c) { return c->issuer; }
const char *npkd_crl_country(const struct npkd_crl *c) { return c->country; }
time_t npkd_crl_this_update(const struct npkd_crl *c) { return c->this_update; }
time_t npkd_crl_next_update(const struct npkd_crl *c) { return c->next_update; }
const char *npkd_crl_number(const struct npkd_crl *c) { return c->number; }
size_t npkd_crl_revoked_count(const struct npkd_crl *c) { return c->nrev; }

const struct npkd_findings *
npkd_crl_findings(const struct npkd_crl *c)
{
	return c->findings;
}

const uint8_t *
npkd_crl_aki(const struct npkd_crl *c, size_t *len)
{
	*len = c->has_aki ? c->aki.len : 0;
	return c->has_aki ? c->aki.data : NULL;
}

int
npkd_crl_revoked(const struct npkd_crl *c, size_t i, const char **serial,
    time_t *date)
{
	if (i >= c->nrev)
		return NPKD_E_NOTFOUND;
	*serial = c->rev[i].serial;
	*date = c->rev[i].date;
	return NPKD_OK;
}

/* Is serial (hex, as npkd_cert_serial) on the CRL?  *date when it is. */
int
npkd_crl_revocation(const struct npkd_crl *c, const char *serial,
    time_t *date)
{
	struct npkd_crl_entry	 key, *r;

	if (c->nrev == 0)	/* rev is NULL: not for bsearch */
		return 0;
	key.serial = (char *)(uintptr_t)serial;
	r = bsearch(&key, c->rev, c->nrev, sizeof(c->rev[0]), cmp_entry);
	if (r == NULL)
		return 0;
	if (date != NULL)
		*date = r->date;
	return 1;
}

int
npkd_crl_is_revoked(const struct npkd_crl *c, const char *serial)
{
	return npkd_crl_revocation(c, serial, NULL);
}

/* Why the CRL is never used (delta, IDP, critical extension), or NULL. */
const char *
npkd_crl_unusable(const struct npkd_crl *c)
{
	return c->unusable;
}

const uint8_t *
npkd_crl_issuer_id(const struct npkd_crl *c)
{
	return c->issuer_id;
}

int
npkd_crl_verify(const struct npkd_crl *c, const struct npkd_cert *issuer,
    struct npkd_findings *f, struct npkd_err *e)
{
	return npkd_signed_verify(&c->sigalg, c->tbs, c->tbs_len, &c->sig,
	    issuer, f, e);
}
