/*
 * cert.c - X.509 certificates: strict DER decoding, the fields an nPKD
 * needs, ICAO 9303-12 profile findings, and signature verification with
 * our own backends (GnuTLS cannot use brainpool or explicit-parameter
 * keys, design.md section 7).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "npkd_int.h"

#define OID_SKI		"2.5.29.14"
#define OID_KU		"2.5.29.15"
#define OID_BC		"2.5.29.19"
#define OID_AKI		"2.5.29.35"
#define OID_EKU		"2.5.29.37"

#define R_CERT		"ICAO 9303-12 7.1"
#define R_CSCA		"ICAO 9303-12 7.1.1"
#define R_RFC		"RFC 5280 4.1"

void
npkd_cert_free(struct npkd_cert *c)
{
	size_t i;

	if (c == NULL)
		return;
	npkd_buf_free(&c->der);
	npkd_buf_free(&c->serial_raw);
	npkd_buf_free(&c->ski);
	npkd_buf_free(&c->aki);
	npkd_buf_free(&c->sig);
	free(c->serial);
	free(c->subject);
	free(c->issuer);
	for (i = 0; i < c->n_eku; i++)
		free(c->eku[i]);
	free(c->eku);
	free(c->doctypes);
	npkd_pubkey_free(c->pub);
	npkd_findings_free(c->findings);
	free(c);
}

/* Decode an extension value as NPKD.<type>; findings on failure. */
static int
ext_decode(struct npkd_cert *c, const char *type, const char *what,
    const struct npkd_buf *v, asn1_node *n)
{
	struct npkd_err e;

	if (npkd_asn1_decode(type, v->data, v->len, n, what, &e) == NPKD_OK)
		return NPKD_OK;
	npkd_findings_add(c->findings, NPKD_SEV_ERROR, "ext-malformed", R_RFC,
	    "%s extension is malformed: %s", what, e.msg);
	return NPKD_E_FORMAT;
}

static void
ext_ski(struct npkd_cert *c, const struct npkd_buf *v)
{
	asn1_node n = NULL;

	if (ext_decode(c, "SubjectKeyIdentifier", "subjectKeyIdentifier", v,
	    &n) != NPKD_OK)
		return;
	if (npkd_asn1_read_alloc(n, "", &c->ski) == NPKD_OK)
		c->has_ski = c->ski.len > 0;
	asn1_delete_structure(&n);
}

static void
ext_aki(struct npkd_cert *c, const struct npkd_buf *v)
{
	asn1_node n = NULL;

	if (ext_decode(c, "AuthorityKeyIdentifier", "authorityKeyIdentifier", v,
	    &n) != NPKD_OK)
		return;
	if (npkd_asn1_read_alloc(n, "keyIdentifier", &c->aki) == NPKD_OK)
		c->has_aki = c->aki.len > 0;
	else
		npkd_findings_add(c->findings, NPKD_SEV_WARNING, "aki-no-keyid",
		    R_CERT, "authorityKeyIdentifier without keyIdentifier");
	asn1_delete_structure(&n);
}

static void
ext_ku(struct npkd_cert *c, const struct npkd_buf *v)
{
	asn1_node	 n = NULL;
	struct npkd_buf	 b = { NULL, 0 };
	unsigned int	 i;
	int		 unused;

	if (ext_decode(c, "KeyUsage", "keyUsage", v, &n) != NPKD_OK)
		return;
	if (npkd_asn1_read_bits(n, v->data, v->len, "", &b, &unused) ==
	    NPKD_OK) {
		c->has_ku = 1;
		for (i = 0; i < 8 && b.len > 0; i++)
			if (b.data[0] & (0x80u >> i))
				c->ku |= 1u << i;
		if (b.len > 1 && (b.data[1] & 0x80))
			c->ku |= 1u << 8;
	}
	npkd_buf_free(&b);
	asn1_delete_structure(&n);
}

static void
ext_eku(struct npkd_cert *c, const struct npkd_buf *v)
{
	asn1_node	 n = NULL;
	char		 path[32], oid[NPKD_OID_MAX], **nv;
	int		 i;

	if (ext_decode(c, "ExtKeyUsageSyntax", "extKeyUsage", v, &n) != NPKD_OK)
		return;
	for (i = 1; i <= 64; i++) {
		snprintf(path, sizeof(path), "?%d", i);
		if (npkd_asn1_read_oid(n, path, oid, sizeof(oid)) != NPKD_OK)
			break;
		nv = reallocarray(c->eku, c->n_eku + 1, sizeof(*nv));
		if (nv == NULL)
			break;
		c->eku = nv;
		if ((c->eku[c->n_eku] = strdup(oid)) == NULL)
			break;
		c->n_eku++;
	}
	asn1_delete_structure(&n);
}

static void
ext_bc(struct npkd_cert *c, const struct npkd_buf *v)
{
	asn1_node	 n = NULL;
	char		 b[8];
	int		 len = sizeof(b);
	unsigned long	 pl;

	if (ext_decode(c, "BasicConstraints", "basicConstraints", v, &n) !=
	    NPKD_OK)
		return;
	c->has_bc = 1;
	if (asn1_read_value(n, "cA", b, &len) == ASN1_SUCCESS &&
	    strcmp(b, "TRUE") == 0)
		c->is_ca = 1;
	if (npkd_asn1_read_uint(n, "pathLenConstraint", &pl) == NPKD_OK)
		c->pathlen = pl > 1000 ? 1000 : (int)pl;
	asn1_delete_structure(&n);
}

static void
ext_doctypes(struct npkd_cert *c, const struct npkd_buf *v)
{
	asn1_node		 n = NULL;
	struct npkd_dbuf	 d;
	char			 path[32], s[16];
	int			 i, len;

	if (ext_decode(c, "DocumentTypeListSyntax", "documentTypeList", v, &n)
	    != NPKD_OK)
		return;
	npkd_dbuf_init(&d, 4096);
	for (i = 1; i <= 64; i++) {
		snprintf(path, sizeof(path), "docTypeList.?%d", i);
		len = sizeof(s) - 1;
		if (asn1_read_value(n, path, s, &len) != ASN1_SUCCESS)
			break;
		s[len] = '\0';
		if (npkd_dbuf_printf(&d, "%s%s", i > 1 ? "," : "", s) != NPKD_OK)
			break;
	}
	c->doctypes = d.data != NULL ? (char *)d.data : strdup("");
	asn1_delete_structure(&n);
}

/*
 * Extensions that change nothing in how npkd uses a certificate, so that
 * we may accept them critical: names, distribution points and access
 * information, the private key usage period of the 9303-12 profile, and
 * the policy extensions (npkd does no policy processing, which with no
 * initial policy set rejects nothing).  Name constraints are not among
 * them: a CA that sets them critical asks for a check we do not make.
 */
static int
recognised(const char *oid)
{
	static const char *const known[] = {
		"2.5.29.16",	/* privateKeyUsagePeriod */
		"2.5.29.17",	/* subjectAltName */
		"2.5.29.18",	/* issuerAltName */
		"2.5.29.31",	/* cRLDistributionPoints */
		"2.5.29.32",	/* certificatePolicies */
		"2.5.29.33",	/* policyMappings */
		"2.5.29.36",	/* policyConstraints */
		"2.5.29.46",	/* freshestCRL */
		"2.5.29.54",	/* inhibitAnyPolicy */
		"1.3.6.1.5.5.7.1.1",	/* authorityInfoAccess */
		"1.3.6.1.5.5.7.1.11",	/* subjectInfoAccess */
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(oid, known[i]) == 0)
			return 1;
	return 0;
}

static int
extensions(struct npkd_cert *c, asn1_node n)
{
	struct npkd_buf	 v;
	char		 path[64], oid[NPKD_OID_MAX], crit[8];
	char		 seen[32][NPKD_OID_MAX];
	int		 i, j, len, critical, nseen = 0;

	for (i = 1; i <= 256; i++) {
		snprintf(path, sizeof(path), "tbsCertificate.extensions.?%d.extnID",
		    i);
		if (npkd_asn1_read_oid(n, path, oid, sizeof(oid)) != NPKD_OK)
			break;
		for (j = 0; j < nseen; j++)
			if (strcmp(seen[j], oid) == 0)
				npkd_findings_add(c->findings, NPKD_SEV_ERROR,
				    "ext-duplicate", "RFC 5280 4.2",
				    "extension %s appears twice", oid);
		if (nseen < 32)
			snprintf(seen[nseen++], NPKD_OID_MAX, "%s", oid);
		snprintf(path, sizeof(path),
		    "tbsCertificate.extensions.?%d.critical", i);
		len = sizeof(crit);
		critical = asn1_read_value(n, path, crit, &len) ==
		    ASN1_SUCCESS && strcmp(crit, "TRUE") == 0;
		snprintf(path, sizeof(path),
		    "tbsCertificate.extensions.?%d.extnValue", i);
		if (npkd_asn1_read_alloc(n, path, &v) != NPKD_OK)
			return NPKD_E_FORMAT;
		if (strcmp(oid, OID_SKI) == 0)
			ext_ski(c, &v);
		else if (strcmp(oid, OID_AKI) == 0)
			ext_aki(c, &v);
		else if (strcmp(oid, OID_KU) == 0) {
			ext_ku(c, &v);
			if (!critical)
				npkd_findings_add(c->findings, NPKD_SEV_WARNING,
				    "ku-not-critical", R_CERT,
				    "keyUsage is not critical");
		} else if (strcmp(oid, OID_EKU) == 0)
			ext_eku(c, &v);
		else if (strcmp(oid, OID_BC) == 0) {
			ext_bc(c, &v);
			if (!critical && c->is_ca)
				npkd_findings_add(c->findings, NPKD_SEV_WARNING,
				    "bc-not-critical", R_CSCA,
				    "basicConstraints is not critical");
		} else if (strcmp(oid, NPKD_OID_DOCTYPE_LIST) == 0)
			ext_doctypes(c, &v);
		else if (strcmp(oid, NPKD_OID_NAME_CHANGE) == 0)
			c->name_change = 1;
		else if (critical && !recognised(oid)) {
			/* RFC 5280 4.2: a certificate with a critical
			 * extension we cannot process is not to be used */
			npkd_findings_add(c->findings, NPKD_SEV_ERROR,
			    "ext-unknown-critical", "RFC 5280 4.2",
			    "unknown critical extension %s", oid);
			c->crit_unknown = 1;
		}
		npkd_buf_free(&v);
	}
	return NPKD_OK;
}

int
npkd_cert_self_issued(const struct npkd_cert *c)
{
	return memcmp(c->subject_id, c->issuer_id, 32) == 0;
}

int
npkd_cert_claims_self_signed(const struct npkd_cert *c)
{
	return memcmp(c->subject_id, c->issuer_id, 32) == 0 && (!c->has_aki ||
	    !c->has_ski || (c->aki.len == c->ski.len &&
	    memcmp(c->aki.data, c->ski.data, c->ski.len) == 0));
}

int
npkd_cert_can_certify(const struct npkd_cert *c)
{
	return c->has_bc && c->is_ca && (!c->has_ku ||
	    (c->ku & NPKD_KU_KEY_CERT_SIGN));
}

/*
 * What a certificate is, for listing and for the ICAO profile checks.  A
 * CSCA claims to be self-signed; a link is a CA that may certify, issued
 * under another key.  A CA flag alone (a document signer issued with cA
 * set, as some are) does not make a link: it is judged by its key usage.
 */
static int
role_of(const struct npkd_cert *c)
{
	if (npkd_cert_has_eku(c, NPKD_OID_ML_SIGNER))
		return NPKD_ROLE_MLSIGNER;
	if (npkd_cert_has_eku(c, NPKD_OID_DL_SIGNER))
		return NPKD_ROLE_DLSIGNER;
	if ((c->is_ca || (c->ku & NPKD_KU_KEY_CERT_SIGN)) &&
	    npkd_cert_claims_self_signed(c))
		return NPKD_ROLE_CSCA;
	if ((c->is_ca && (!c->has_ku || (c->ku & NPKD_KU_KEY_CERT_SIGN))) ||
	    (c->ku & NPKD_KU_KEY_CERT_SIGN))
		return NPKD_ROLE_LINK;
	if (c->ku & NPKD_KU_DIGITAL_SIGNATURE)
		return NPKD_ROLE_DSC;
	return NPKD_ROLE_OTHER;
}

/* ICAO 9303-12 section 7 profile checks, as findings. */
static void
profile(struct npkd_cert *c, unsigned long version)
{
	struct npkd_findings	*f = c->findings;
	char			 ic[8];
	size_t			 i;

	if (version != 2)
		npkd_findings_add(f, NPKD_SEV_ERROR, "version", R_CERT,
		    "certificate version is v%lu, not v3", version + 1);
	if (c->serial_raw.len > 0 && (c->serial_raw.data[0] & 0x80))
		npkd_findings_add(f, NPKD_SEV_WARNING, "serial-negative",
		    "RFC 5280 4.1.2.2", "serial number is negative");
	if (c->serial_raw.len > 20)
		npkd_findings_add(f, NPKD_SEV_WARNING, "serial-long",
		    "RFC 5280 4.1.2.2", "serial number longer than 20 octets");
	if (c->country[0] == '\0')
		npkd_findings_add(f, NPKD_SEV_ERROR, "country-missing", R_CERT,
		    "subject has no country name");
	else {
		for (i = 0; c->country[i] != '\0'; i++)
			if (islower((unsigned char)c->country[i]))
				break;
		if (c->country[i] != '\0')
			npkd_findings_add(f, NPKD_SEV_WARNING, "country-case",
			    R_CERT, "country code '%s' is not upper case",
			    c->country);
		npkd_name_country(c->issuer_der, c->issuer_len, ic, sizeof(ic));
		if (strcasecmp(ic, c->country) != 0)
			npkd_findings_add(f, NPKD_SEV_WARNING,
			    "country-mismatch", R_CERT, "issuer country '%s' "
			    "differs from subject country '%s'", ic, c->country);
	}
	if (!c->has_ku)
		npkd_findings_add(f, NPKD_SEV_ERROR, "ku-missing", R_CERT,
		    "keyUsage extension missing");
	switch (c->role) {
	case NPKD_ROLE_CSCA:
	case NPKD_ROLE_LINK:
		if (!c->has_ski)
			npkd_findings_add(f, NPKD_SEV_ERROR, "ski-missing",
			    R_CSCA, "CSCA certificate without subjectKeyIdentifier");
		if (c->role == NPKD_ROLE_LINK && !c->has_aki)
			npkd_findings_add(f, NPKD_SEV_ERROR, "aki-missing",
			    R_CSCA, "link certificate without "
			    "authorityKeyIdentifier");
		if (!c->has_bc || !c->is_ca)
			npkd_findings_add(f, NPKD_SEV_ERROR, "bc-not-ca", R_CSCA,
			    "basicConstraints cA is not set");
		else if (c->pathlen != 0)
			npkd_findings_add(f, NPKD_SEV_WARNING, "bc-pathlen",
			    R_CSCA, "basicConstraints pathLenConstraint is %s, "
			    "not 0", c->pathlen < 0 ? "absent" : "above 0");
		if (c->has_ku && (c->ku & (NPKD_KU_KEY_CERT_SIGN |
		    NPKD_KU_CRL_SIGN)) != (NPKD_KU_KEY_CERT_SIGN |
		    NPKD_KU_CRL_SIGN))
			npkd_findings_add(f, NPKD_SEV_ERROR, "ku-csca", R_CSCA,
			    "CSCA keyUsage lacks keyCertSign or cRLSign");
		break;
	case NPKD_ROLE_DSC:
	case NPKD_ROLE_MLSIGNER:
	case NPKD_ROLE_DLSIGNER:
		if (c->has_bc && c->is_ca)
			npkd_findings_add(f, NPKD_SEV_ERROR, "signer-ca",
			    R_CERT, "%s with basicConstraints cA set: it can "
			    "never issue certificates", npkd_role_name(c->role));
		if (!c->has_aki)
			npkd_findings_add(f, NPKD_SEV_ERROR, "aki-missing",
			    R_CERT, "%s without authorityKeyIdentifier",
			    npkd_role_name(c->role));
		if (c->has_ku && c->ku != NPKD_KU_DIGITAL_SIGNATURE)
			npkd_findings_add(f, NPKD_SEV_WARNING, "ku-signer",
			    R_CERT, "%s keyUsage is not digitalSignature only",
			    npkd_role_name(c->role));
		break;
	}
	if (c->sigalg.hash == NPKD_HASH_SHA1)
		npkd_findings_add(f, NPKD_SEV_INFO, "sha1", "ICAO 9303-12 6",
		    "signed with SHA-1");
}

/* Parse one DER certificate. */
int
npkd_cert_parse(const uint8_t *der, size_t len, struct npkd_cert **out,
    struct npkd_err *e)
{
	struct npkd_cert	*c = NULL;
	asn1_node		 n = NULL;
	const uint8_t		*sp, *ip;
	size_t			 slen, ilen;
	unsigned long		 version = 0;
	int			 rc, unused;
	struct npkd_err		 ke;

	*out = NULL;
	if (len > NPKD_MAX_DER)
		return npkd_seterr(e, NPKD_E_LIMIT,
		    "certificate: larger than %lu bytes", NPKD_MAX_DER);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->findings = npkd_findings_new()) == NULL ||
	    (c->der.data = malloc(len ? len : 1)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "certificate");
		goto out;
	}
	memcpy(c->der.data, der, len);
	c->der.len = len;
	c->pathlen = -1;
	der = c->der.data;
	if ((rc = npkd_asn1_decode("Certificate", der, len, &n, "certificate",
	    e)) != NPKD_OK)
		goto out;
	if ((rc = npkd_hash(NPKD_HASH_SHA256, der, len, c->sha256, e)) !=
	    NPKD_OK)
		goto out;
	if (npkd_asn1_span(n, der, len, "tbsCertificate", &c->tbs,
	    &c->tbs_len) != NPKD_OK ||
	    npkd_asn1_span(n, der, len, "tbsCertificate.issuer", &c->issuer_der,
	    &c->issuer_len) != NPKD_OK ||
	    npkd_asn1_span(n, der, len, "tbsCertificate.subject",
	    &c->subject_der, &c->subject_len) != NPKD_OK ||
	    npkd_asn1_read_alloc(n, "tbsCertificate.serialNumber",
	    &c->serial_raw) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "certificate: structure");
		goto out;
	}
	if (npkd_asn1_present(n, "tbsCertificate.version") &&
	    npkd_asn1_read_uint(n, "tbsCertificate.version", &version) !=
	    NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "certificate: version");
		goto out;
	}
	if (npkd_asn1_read_time(n, "tbsCertificate.validity.notBefore",
	    &c->not_before) != NPKD_OK ||
	    npkd_asn1_read_time(n, "tbsCertificate.validity.notAfter",
	    &c->not_after) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "certificate: validity");
		goto out;
	}
	if ((c->serial = malloc(2 * c->serial_raw.len + 1)) == NULL ||
	    (c->subject = npkd_name_string(c->subject_der, c->subject_len)) ==
	    NULL ||
	    (c->issuer = npkd_name_string(c->issuer_der, c->issuer_len)) ==
	    NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "certificate");
		goto out;
	}
	npkd_hex(c->serial_raw.data, c->serial_raw.len, c->serial);
	npkd_name_country(c->subject_der, c->subject_len, c->country,
	    sizeof(c->country));
	if ((rc = npkd_name_id(c->subject_der, c->subject_len,
	    c->subject_id)) != NPKD_OK ||
	    (rc = npkd_name_id(c->issuer_der, c->issuer_len, c->issuer_id)) !=
	    NPKD_OK) {
		npkd_seterr(e, rc, "certificate: names");
		goto out;
	}

	/* Signature algorithm: outer and inner must be the same (4.1.1.2). */
	npkd_sigalg_of(n, der, len, &c->sigalg, c->findings,
	    "RFC 5280 4.1.1.2");
	if (npkd_asn1_span(n, der, len, "signatureAlgorithm", &sp, &slen) ==
	    NPKD_OK && npkd_asn1_span(n, der, len, "tbsCertificate.signature",
	    &ip, &ilen) == NPKD_OK && (slen != ilen ||
	    memcmp(sp, ip, slen) != 0))
		npkd_findings_add(c->findings, NPKD_SEV_ERROR, "sigalg-mismatch",
		    "RFC 5280 4.1.1.2", "signatureAlgorithm differs from "
		    "tbsCertificate.signature");
	if (npkd_asn1_read_bits(n, der, len, "signature", &c->sig,
	    &unused) != NPKD_OK ||
	    unused != 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "certificate: signature");
		goto out;
	}
	if (npkd_asn1_span(n, der, len, "tbsCertificate.subjectPublicKeyInfo",
	    &sp, &slen) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "certificate: public key");
		goto out;
	}
	rc = npkd_pubkey_parse(sp, slen, &c->pub, c->findings, &ke);
	if (rc == NPKD_E_FORMAT || rc == NPKD_E_NOMEM) {
		npkd_seterr(e, rc, "certificate: %s", ke.msg);
		goto out;
	}
	if (rc != NPKD_OK)
		npkd_findings_add(c->findings, NPKD_SEV_ERROR, "key-unsupported",
		    "ICAO 9303-12 6", "%s", ke.msg);
	/* the key's identity: a key we cannot use is known by its bytes */
	if (c->pub == NULL || npkd_pubkey_id(c->pub, c->keyid) != NPKD_OK) {
		struct npkd_dbuf kd;

		npkd_dbuf_init(&kd, NPKD_MAX_DER + 8);
		if (npkd_dbuf_add(&kd, "spki", 4) != NPKD_OK ||
		    npkd_dbuf_add(&kd, sp, slen) != NPKD_OK ||
		    npkd_hash(NPKD_HASH_SHA256, kd.data, kd.len, c->keyid,
		    NULL) != NPKD_OK) {
			npkd_dbuf_free(&kd);
			rc = npkd_seterr(e, NPKD_E_NOMEM, "certificate");
			goto out;
		}
		npkd_dbuf_free(&kd);
	}
	if (npkd_asn1_present(n, "tbsCertificate.extensions") &&
	    (rc = extensions(c, n)) != NPKD_OK) {
		npkd_seterr(e, rc, "certificate: extensions");
		goto out;
	}
	c->role = role_of(c);
	c->version = version;
	profile(c, version);
	*out = c;
	c = NULL;
	rc = NPKD_OK;
 out:
	asn1_delete_structure(&n);
	npkd_cert_free(c);
	return rc;
}

const uint8_t *
npkd_cert_der(const struct npkd_cert *c, size_t *len)
{
	*len = c->der.len;
	return c->der.data;
}

const uint8_t *npkd_cert_sha256(const struct npkd_cert *c) { return c->sha256; }
const char *npkd_cert_subject(const struct npkd_cert *c) { return c->subject; }
const char *npkd_cert_issuer(const struct npkd_cert *c) { return c->issuer; }
const char *npkd_cert_serial(const struct npkd_cert *c) { return c->serial; }
const char *npkd_cert_country(const struct npkd_cert *c) { return c->country; }
time_t npkd_cert_not_before(const struct npkd_cert *c) { return c->not_before; }
time_t npkd_cert_not_after(const struct npkd_cert *c) { return c->not_after; }
unsigned int npkd_cert_key_usage(const struct npkd_cert *c) { return c->ku; }
int npkd_cert_has_key_usage(const struct npkd_cert *c) { return c->has_ku; }
const char *npkd_cert_doctypes(const struct npkd_cert *c) { return c->doctypes; }
int npkd_cert_has_name_change(const struct npkd_cert *c) { return c->name_change; }
int npkd_cert_role(const struct npkd_cert *c) { return c->role; }
const char *npkd_cert_sigalg_name(const struct npkd_cert *c) { return c->sigalg.name; }

const struct npkd_findings *
npkd_cert_findings(const struct npkd_cert *c)
{
	return c->findings;
}

const uint8_t *
npkd_cert_ski(const struct npkd_cert *c, size_t *len)
{
	*len = c->has_ski ? c->ski.len : 0;
	return c->has_ski ? c->ski.data : NULL;
}

const uint8_t *
npkd_cert_aki(const struct npkd_cert *c, size_t *len)
{
	*len = c->has_aki ? c->aki.len : 0;
	return c->has_aki ? c->aki.data : NULL;
}

int
npkd_cert_has_eku(const struct npkd_cert *c, const char *oid)
{
	size_t i;

	for (i = 0; i < c->n_eku; i++)
		if (strcmp(c->eku[i], oid) == 0)
			return 1;
	return 0;
}

int
npkd_cert_is_ca(const struct npkd_cert *c, int *pathlen)
{
	if (pathlen != NULL)
		*pathlen = c->pathlen;
	return c->has_bc && c->is_ca;
}

void
npkd_cert_keyinfo(const struct npkd_cert *c, struct npkd_keyinfo *ki)
{
	npkd_pubkey_info(c->pub, ki);
}

const char *
npkd_role_name(int role)
{
	switch (role) {
	case NPKD_ROLE_CSCA:		return "csca";
	case NPKD_ROLE_LINK:		return "link";
	case NPKD_ROLE_DSC:		return "dsc";
	case NPKD_ROLE_MLSIGNER:	return "mlsigner";
	case NPKD_ROLE_DLSIGNER:	return "dlsigner";
	}
	return "other";
}

/* Could issuer have issued c: names, and key identifiers when both exist. */
int
npkd_cert_issued(const struct npkd_cert *issuer, const struct npkd_cert *c)
{
	if (memcmp(issuer->subject_id, c->issuer_id, 32) != 0)
		return 0;
	if (c->has_aki && issuer->has_ski)
		return c->aki.len == issuer->ski.len &&
		    memcmp(c->aki.data, issuer->ski.data, c->aki.len) == 0;
	return 1;
}

int
npkd_cert_verify(const struct npkd_cert *c, const struct npkd_cert *issuer,
    struct npkd_findings *f, struct npkd_err *e)
{
	return npkd_signed_verify(&c->sigalg, c->tbs, c->tbs_len, &c->sig,
	    issuer, f, e);
}

/*
 * The signed parts of a certificate's DER: the three fields of
 * Certificate (RFC 5280 4.1) walked, nothing decoded beyond them.  For
 * certificates npkd_cert_parse() accepted before, such as the store's,
 * where a check verifies thousands: the algorithm, the signed bytes and
 * the signature are the ones npkd_cert_parse() gives, so the verdict of
 * npkd_signed_verify() on them is npkd_cert_verify()'s.
 */
int
npkd_cert_sigparts(const uint8_t *der, size_t len, struct npkd_sigparts *sp)
{
	const uint8_t	*p, *a, *pp = NULL;
	size_t		 n, an, h, cl, plen = 0;
	unsigned int	 tag;
	char		 oid[NPKD_OID_MAX];
	struct npkd_err	 e;

	memset(sp, 0, sizeof(*sp));
	if (npkd_der_header(der, len, &tag, &h, &cl) != NPKD_OK ||
	    tag != 0x30 || h + cl != len)
		return NPKD_E_FORMAT;
	p = der + h;
	n = cl;
	/* tbsCertificate */
	if (npkd_der_header(p, n, &tag, &h, &cl) != NPKD_OK || tag != 0x30)
		return NPKD_E_FORMAT;
	sp->tbs = p;
	sp->tbs_len = h + cl;
	p += h + cl;
	n -= h + cl;
	/* signatureAlgorithm: an OID and at most one parameter */
	if (npkd_der_header(p, n, &tag, &h, &cl) != NPKD_OK || tag != 0x30)
		return NPKD_E_FORMAT;
	a = p + h;
	an = cl;
	p += h + cl;
	n -= h + cl;
	if (npkd_der_header(a, an, &tag, &h, &cl) != NPKD_OK || tag != 0x06 ||
	    npkd_oid_string(a + h, cl, oid, sizeof(oid)) != NPKD_OK)
		return NPKD_E_FORMAT;
	a += h + cl;
	an -= h + cl;
	if (an > 0) {
		if (npkd_der_header(a, an, &tag, &h, &cl) != NPKD_OK ||
		    h + cl != an)
			return NPKD_E_FORMAT;
		pp = a;
		plen = an;
	}
	/* signature: a BIT STRING without unused bits, and nothing after */
	if (npkd_der_header(p, n, &tag, &h, &cl) != NPKD_OK || tag != 0x03 ||
	    h + cl != n || cl < 1 || p[h] != 0)
		return NPKD_E_FORMAT;
	sp->sig.data = (uint8_t *)(uintptr_t)(p + h + 1);
	sp->sig.len = cl - 1;
	if (npkd_sigalg_parse(oid, pp, plen, NPKD_HASH_NONE, &sp->alg, NULL,
	    &e) != NPKD_OK) {
		/* as npkd_sigalg_of(): unsupported, named by its OID */
		memset(&sp->alg, 0, sizeof(sp->alg));
		snprintf(sp->alg.name, sizeof(sp->alg.name), "%.47s", oid);
	}
	return NPKD_OK;
}

/* Certificates of a PEM bundle or one DER certificate. */
int
npkd_certs_load(const uint8_t *p, size_t len, struct npkd_cert ***out,
    size_t *n, struct npkd_err *e)
{
	struct npkd_cert	**v = NULL, **nv, *c;
	struct npkd_buf		  der = { NULL, 0 };
	size_t			  off = 0, cnt = 0;
	int			  rc;

	*out = NULL;
	*n = 0;
	if (!npkd_is_pem(p, len)) {
		if ((rc = npkd_cert_parse(p, len, &c, e)) != NPKD_OK)
			return rc;
		if ((v = malloc(sizeof(*v))) == NULL) {
			npkd_cert_free(c);
			return npkd_seterr(e, NPKD_E_NOMEM, "certificates");
		}
		v[0] = c;
		*out = v;
		*n = 1;
		return NPKD_OK;
	}
	for (;;) {
		rc = npkd_pem_decode(p, len, &off, "CERTIFICATE", &der, NULL, 0,
		    e);
		if (rc == NPKD_E_NOTFOUND)
			break;
		if (rc != NPKD_OK)
			goto fail;
		if (cnt >= NPKD_MAX_ML_CERTS) {
			rc = npkd_seterr(e, NPKD_E_LIMIT, "more than %d "
			    "certificates", NPKD_MAX_ML_CERTS);
			goto fail;
		}
		rc = npkd_cert_parse(der.data, der.len, &c, e);
		npkd_buf_free(&der);
		if (rc != NPKD_OK) {
			if (e != NULL) {
				char m[sizeof(e->msg)];

				snprintf(m, sizeof(m), "%s", e->msg);
				npkd_seterr(e, rc, "PEM certificate %zu: %s",
				    cnt + 1, m);
			}
			goto fail;
		}
		if ((nv = reallocarray(v, cnt + 1, sizeof(*v))) == NULL) {
			npkd_cert_free(c);
			rc = npkd_seterr(e, NPKD_E_NOMEM, "certificates");
			goto fail;
		}
		v = nv;
		v[cnt++] = c;
	}
	if (cnt == 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "no CERTIFICATE in PEM text");
		goto fail;
	}
	*out = v;
	*n = cnt;
	return NPKD_OK;
 fail:
	npkd_certs_free(v, cnt);
	return rc;
}

void
npkd_certs_free(struct npkd_cert **v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		npkd_cert_free(v[i]);
	free(v);
}
