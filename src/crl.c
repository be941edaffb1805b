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

static int
crl_extensions(struct npkd_crl *c, asn1_node n)
{
	struct npkd_buf	 v, num;
	asn1_node	 x = NULL;
	char		 path[64], oid[NPKD_OID_MAX];
	int		 i, has_num = 0;
	struct npkd_err	 e;

	for (i = 1; i <= 64; i++) {
		snprintf(path, sizeof(path), "tbsCertList.crlExtensions.?%d.extnID",
		    i);
		if (npkd_asn1_read_oid(n, path, oid, sizeof(oid)) != NPKD_OK)
			break;
		snprintf(path, sizeof(path),
		    "tbsCertList.crlExtensions.?%d.extnValue", i);
		if (npkd_asn1_read_alloc(n, path, &v) != NPKD_OK)
			return NPKD_E_FORMAT;
		if (strcmp(oid, "2.5.29.35") == 0 &&
		    npkd_asn1_decode("AuthorityKeyIdentifier", v.data, v.len, &x,
		    "CRL authorityKeyIdentifier", &e) == NPKD_OK) {
			if (npkd_asn1_read_alloc(x, "keyIdentifier", &c->aki) ==
			    NPKD_OK)
				c->has_aki = 1;
			asn1_delete_structure(&x);
		} else if (strcmp(oid, "2.5.29.20") == 0 &&
		    npkd_asn1_decode("CRLNumber", v.data, v.len, &x,
		    "cRLNumber", &e) == NPKD_OK) {
			if (npkd_asn1_read_alloc(x, "", &num) == NPKD_OK) {
				free(c->number);
				if ((c->number = malloc(2 * num.len + 1)) != NULL)
					npkd_hex(num.data, num.len, c->number);
				npkd_buf_free(&num);
				has_num = 1;
			}
			asn1_delete_structure(&x);
		} else if (strcmp(oid, "2.5.29.27") == 0)
			npkd_findings_add(c->findings, NPKD_SEV_ERROR,
			    "crl-delta", R_CRL, "delta CRL indicator present: "
			    "delta CRLs are not allowed");
		npkd_buf_free(&v);
	}
	if (!has_num)
		npkd_findings_add(c->findings, NPKD_SEV_WARNING,
		    "crl-no-number", R_CRL, "CRL without cRLNumber");
	return NPKD_OK;
}

/* Parse one DER CRL. */
int
npkd_crl_parse(const uint8_t *der, size_t len, struct npkd_crl **out,
    struct npkd_err *e)
{
	struct npkd_crl		*c = NULL;
	struct npkd_crl_entry	*nv;
	struct npkd_buf		 sr;
	asn1_node		 n = NULL;
	char			 path[80];
	unsigned long		 version = 0;
	int			 rc, unused, i;

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
	for (i = 1; ; i++) {
		snprintf(path, sizeof(path),
		    "tbsCertList.revokedCertificates.?%d.userCertificate", i);
		if (npkd_asn1_read_alloc(n, path, &sr) != NPKD_OK)
			break;
		if ((size_t)i > NPKD_MAX_ML_CERTS * 10UL) {
			npkd_buf_free(&sr);
			rc = npkd_seterr(e, NPKD_E_LIMIT, "CRL: too many entries");
			goto out;
		}
		nv = reallocarray(c->rev, c->nrev + 1, sizeof(*nv));
		if (nv == NULL || (nv[c->nrev].serial = malloc(2 * sr.len +
		    1)) == NULL) {
			if (nv != NULL)
				c->rev = nv;
			npkd_buf_free(&sr);
			rc = npkd_seterr(e, NPKD_E_NOMEM, "CRL");
			goto out;
		}
		c->rev = nv;
		npkd_hex(sr.data, sr.len, c->rev[c->nrev].serial);
		npkd_buf_free(&sr);
		snprintf(path, sizeof(path),
		    "tbsCertList.revokedCertificates.?%d.revocationDate", i);
		npkd_asn1_read_time(n, path, &c->rev[c->nrev].date);
		c->nrev++;
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

int
npkd_crl_is_revoked(const struct npkd_crl *c, const char *serial)
{
	size_t i;

	for (i = 0; i < c->nrev; i++)
		if (strcmp(c->rev[i].serial, serial) == 0)
			return 1;
	return 0;
}

int
npkd_crl_verify(const struct npkd_crl *c, const struct npkd_cert *issuer,
    struct npkd_findings *f, struct npkd_err *e)
{
	return npkd_signed_verify(&c->sigalg, c->tbs, c->tbs_len, &c->sig,
	    issuer, f, e);
}
