/*
 * crypto.c - digests, signature algorithm identifiers, public keys and
 * signature verification.  npkd checks each key and signature itself
 * (sizes, points on the curve, encodings), then hands the arithmetic to
 * the fastest library that can do it (npkd_route): GnuTLS/nettle or
 * OpenSSL's libcrypto, through struct npkd_backend.  The verdict is the
 * same whichever backend checks (tests/unit/t_crypto.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/crypto.h>

#include "npkd_int.h"

#define OID_RSA			"1.2.840.113549.1.1.1"
#define OID_RSA_PSS		"1.2.840.113549.1.1.10"
#define OID_MGF1		"1.2.840.113549.1.1.8"
#define OID_EC_PUBKEY		"1.2.840.10045.2.1"
#define OID_PRIME_FIELD		"1.2.840.10045.1.1"

static const struct {
	int		 hash;
	const char	*name;
	const char	*oid;
	size_t		 len;
	int		 gnutls;
} hashes[] = {
	{ NPKD_HASH_SHA1, "SHA-1", "1.3.14.3.2.26", 20, GNUTLS_DIG_SHA1 },
	{ NPKD_HASH_SHA224, "SHA-224", "2.16.840.1.101.3.4.2.4", 28,
	    GNUTLS_DIG_SHA224 },
	{ NPKD_HASH_SHA256, "SHA-256", "2.16.840.1.101.3.4.2.1", 32,
	    GNUTLS_DIG_SHA256 },
	{ NPKD_HASH_SHA384, "SHA-384", "2.16.840.1.101.3.4.2.2", 48,
	    GNUTLS_DIG_SHA384 },
	{ NPKD_HASH_SHA512, "SHA-512", "2.16.840.1.101.3.4.2.3", 64,
	    GNUTLS_DIG_SHA512 },
};
#define NHASHES (sizeof(hashes) / sizeof(hashes[0]))

static const struct {
	const char	*oid;
	int		 kind;
	int		 hash;
} sigoids[] = {
	{ "1.2.840.113549.1.1.5", NPKD_SIG_RSA_PKCS1, NPKD_HASH_SHA1 },
	{ "1.2.840.113549.1.1.14", NPKD_SIG_RSA_PKCS1, NPKD_HASH_SHA224 },
	{ "1.2.840.113549.1.1.11", NPKD_SIG_RSA_PKCS1, NPKD_HASH_SHA256 },
	{ "1.2.840.113549.1.1.12", NPKD_SIG_RSA_PKCS1, NPKD_HASH_SHA384 },
	{ "1.2.840.113549.1.1.13", NPKD_SIG_RSA_PKCS1, NPKD_HASH_SHA512 },
	{ "1.2.840.10045.4.1", NPKD_SIG_ECDSA, NPKD_HASH_SHA1 },
	{ "1.2.840.10045.4.3.1", NPKD_SIG_ECDSA, NPKD_HASH_SHA224 },
	{ "1.2.840.10045.4.3.2", NPKD_SIG_ECDSA, NPKD_HASH_SHA256 },
	{ "1.2.840.10045.4.3.3", NPKD_SIG_ECDSA, NPKD_HASH_SHA384 },
	{ "1.2.840.10045.4.3.4", NPKD_SIG_ECDSA, NPKD_HASH_SHA512 },
};
#define NSIGOIDS (sizeof(sigoids) / sizeof(sigoids[0]))

static const uint8_t der_null[] = { 0x05, 0x00 };

const char *
npkd_hash_name(int h)
{
	size_t i;

	for (i = 0; i < NHASHES; i++)
		if (hashes[i].hash == h)
			return hashes[i].name;
	return "unknown";
}

size_t
npkd_hash_len(int h)
{
	size_t i;

	for (i = 0; i < NHASHES; i++)
		if (hashes[i].hash == h)
			return hashes[i].len;
	return 0;
}

const char *
npkd_hash_oid(int h)
{
	size_t i;

	for (i = 0; i < NHASHES; i++)
		if (hashes[i].hash == h)
			return hashes[i].oid;
	return NULL;
}

int
npkd_hash_by_oid(const char *oid)
{
	size_t i;

	for (i = 0; i < NHASHES; i++)
		if (strcmp(hashes[i].oid, oid) == 0)
			return hashes[i].hash;
	return NPKD_HASH_NONE;
}

static int
gnutls_dig(int h)
{
	size_t i;

	for (i = 0; i < NHASHES; i++)
		if (hashes[i].hash == h)
			return hashes[i].gnutls;
	return GNUTLS_DIG_UNKNOWN;
}

/* Digest len bytes of p into out (npkd_hash_len(h) bytes). */
int
npkd_hash(int h, const void *p, size_t len, uint8_t *out, struct npkd_err *e)
{
	int r, d = gnutls_dig(h);

	if (d == GNUTLS_DIG_UNKNOWN)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "hash %d", h);
	if ((r = gnutls_hash_fast((gnutls_digest_algorithm_t)d, p, len,
	    out)) < 0)
		return npkd_gnutls2err(e, r, "hash");
	return NPKD_OK;
}

/* Hash algorithm of a DER AlgorithmIdentifier (inside PSS parameters). */
static int
hash_of_algid(const uint8_t *der, size_t len, struct npkd_findings *f,
    struct npkd_err *e)
{
	asn1_node	 n = NULL;
	char		 oid[NPKD_OID_MAX];
	int		 h, rc;

	rc = npkd_asn1_decode("AlgorithmIdentifier", der, len, &n,
	    "RSASSA-PSS hash", e);
	if (rc != NPKD_OK)
		return rc;
	npkd_asn1_read_oid(n, "algorithm", oid, sizeof(oid));
	if ((h = npkd_hash_by_oid(oid)) == NPKD_HASH_NONE)
		rc = npkd_seterr(e, NPKD_E_UNSUPPORTED,
		    "RSASSA-PSS: unknown hash %s", oid);
	else
		rc = h;
	asn1_delete_structure(&n);
	(void)f;
	return rc;
}

static int
pss_params(const uint8_t *p, size_t plen, struct npkd_sigalg *a,
    struct npkd_findings *f, struct npkd_err *e)
{
	asn1_node	 n = NULL, m = NULL;
	const uint8_t	*sp;
	size_t		 slen;
	unsigned long	 v;
	char		 oid[NPKD_OID_MAX];
	int		 rc, h = NPKD_E_FORMAT;

	/* RFC 4055 3.1 defaults: SHA-1, MGF1 with SHA-1, salt 20. */
	a->hash = a->mgf_hash = NPKD_HASH_SHA1;
	a->salt = 20;
	if (p == NULL || plen == 0 || (plen == 2 && p[0] == 0x05))
		return npkd_seterr(e, NPKD_E_FORMAT,
		    "RSASSA-PSS: parameters missing");
	rc = npkd_asn1_decode("RSASSA-PSS-params", p, plen, &n,
	    "RSASSA-PSS parameters", e);
	if (rc != NPKD_OK)
		return rc;
	if (npkd_asn1_span(n, p, plen, "hashAlgorithm", &sp, &slen) ==
	    NPKD_OK) {
		/* The span covers the [0] wrapper: skip its header. */
		unsigned int tag;
		size_t hdr, cl;

		if (npkd_der_header(sp, slen, &tag, &hdr, &cl) != NPKD_OK ||
		    (h = hash_of_algid(sp + hdr, cl, f, e)) < 0) {
			rc = h < 0 ? h : NPKD_E_FORMAT;
			goto out;
		}
		a->hash = a->mgf_hash = h;
	}
	if (npkd_asn1_present(n, "maskGenAlgorithm")) {
		npkd_asn1_read_oid(n, "maskGenAlgorithm.algorithm", oid,
		    sizeof(oid));
		if (strcmp(oid, OID_MGF1) != 0) {
			rc = npkd_seterr(e, NPKD_E_UNSUPPORTED,
			    "RSASSA-PSS: mask generation %s", oid);
			goto out;
		}
		if (npkd_asn1_span(n, p, plen, "maskGenAlgorithm.parameters",
		    &sp, &slen) != NPKD_OK) {
			rc = npkd_seterr(e, NPKD_E_FORMAT,
			    "RSASSA-PSS: MGF1 without hash");
			goto out;
		}
		if ((h = hash_of_algid(sp, slen, f, e)) < 0) {
			rc = h;
			goto out;
		}
		a->mgf_hash = h;
	}
	if (npkd_asn1_present(n, "saltLength")) {
		if (npkd_asn1_read_uint(n, "saltLength", &v) != NPKD_OK ||
		    v > 1024) {
			rc = npkd_seterr(e, NPKD_E_FORMAT,
			    "RSASSA-PSS: bad salt length");
			goto out;
		}
		a->salt = (unsigned int)v;
	}
	if (npkd_asn1_present(n, "trailerField") &&
	    (npkd_asn1_read_uint(n, "trailerField", &v) != NPKD_OK || v != 1)) {
		rc = npkd_seterr(e, NPKD_E_FORMAT,
		    "RSASSA-PSS: trailer field must be 1 (RFC 4055 3.1)");
		goto out;
	}
	rc = NPKD_OK;
 out:
	asn1_delete_structure(&n);
	asn1_delete_structure(&m);
	return rc;
}

/*
 * Signature AlgorithmIdentifier (OID and raw parameters) to a struct
 * npkd_sigalg.  hint is the digest algorithm of a CMS SignerInfo, used
 * when the signature OID names only the key type (rsaEncryption).
 */
int
npkd_sigalg_parse(const char *oid, const uint8_t *p, size_t plen, int hint,
    struct npkd_sigalg *a, struct npkd_findings *f, struct npkd_err *e)
{
	size_t	 i;
	int	 rc, isnull = plen == 2 && p[0] == 0x05 && p[1] == 0x00;

	memset(a, 0, sizeof(*a));
	for (i = 0; i < NSIGOIDS; i++)
		if (strcmp(sigoids[i].oid, oid) == 0)
			break;
	if (i < NSIGOIDS) {
		a->kind = sigoids[i].kind;
		a->hash = sigoids[i].hash;
		if (a->kind == NPKD_SIG_ECDSA && plen > 0) {
			if (!isnull)
				return npkd_seterr(e, NPKD_E_FORMAT,
				    "ECDSA algorithm with parameters");
			npkd_findings_add(f, NPKD_SEV_WARNING, "ecdsa-null-param",
			    "RFC 5758 3.2", "ECDSA algorithm identifier carries "
			    "a NULL parameter");
		}
		if (a->kind == NPKD_SIG_RSA_PKCS1 && !isnull) {
			if (plen > 0)
				return npkd_seterr(e, NPKD_E_FORMAT,
				    "RSA algorithm with non-NULL parameters");
			npkd_findings_add(f, NPKD_SEV_INFO, "rsa-absent-param",
			    "RFC 4055 5", "RSA algorithm identifier without "
			    "the NULL parameter");
		}
	} else if (strcmp(oid, OID_RSA_PSS) == 0) {
		a->kind = NPKD_SIG_RSA_PSS;
		if ((rc = pss_params(p, plen, a, f, e)) != NPKD_OK)
			return rc;
	} else if (strcmp(oid, OID_RSA) == 0 && hint != NPKD_HASH_NONE) {
		/* RFC 5652 allows rsaEncryption in SignerInfo (RFC 3370 3.2). */
		a->kind = NPKD_SIG_RSA_PKCS1;
		a->hash = hint;
	} else if (strcmp(oid, OID_EC_PUBKEY) == 0 && hint != NPKD_HASH_NONE) {
		a->kind = NPKD_SIG_ECDSA;
		a->hash = hint;
		npkd_findings_add(f, NPKD_SEV_WARNING, "ecdsa-keyoid-as-sigalg",
		    "RFC 5753 7.1.3", "signature algorithm is id-ecPublicKey, "
		    "not ecdsa-with-%s", npkd_hash_name(hint));
	} else
		return npkd_seterr(e, NPKD_E_UNSUPPORTED,
		    "signature algorithm %s", oid);
	if (a->kind == NPKD_SIG_RSA_PSS)
		snprintf(a->name, sizeof(a->name), "rsassa-pss-%s-salt%u",
		    npkd_hash_name(a->hash), a->salt);
	else
		snprintf(a->name, sizeof(a->name), "%s-%s",
		    a->kind == NPKD_SIG_ECDSA ? "ecdsa" : "rsa",
		    npkd_hash_name(a->hash));
	for (i = 0; a->name[i] != '\0'; i++)
		if (a->name[i] >= 'A' && a->name[i] <= 'Z')
			a->name[i] = (char)(a->name[i] - 'A' + 'a');
	return NPKD_OK;
}

static int
encode_algid(const char *oid, const uint8_t *params, size_t plen,
    struct npkd_buf *out, struct npkd_err *e)
{
	asn1_node	 n = NULL;
	int		 r, len = 0;

	if ((r = asn1_create_element(npkd_asn1_defs, "NPKD.AlgorithmIdentifier",
	    &n)) != ASN1_SUCCESS)
		return npkd_asn2err(e, r, "AlgorithmIdentifier");
	r = asn1_write_value(n, "algorithm", oid, 1);
	if (r == ASN1_SUCCESS)
		r = asn1_write_value(n, "parameters", params, (int)plen);
	if (r == ASN1_SUCCESS)
		r = asn1_der_coding(n, "", NULL, &len, NULL);
	if (r == ASN1_MEM_ERROR && (out->data = malloc((size_t)len)) != NULL)
		r = asn1_der_coding(n, "", out->data, &len, NULL);
	asn1_delete_structure(&n);
	if (r != ASN1_SUCCESS) {
		npkd_buf_free(out);
		return npkd_asn2err(e, r, "AlgorithmIdentifier");
	}
	out->len = (size_t)len;
	return NPKD_OK;
}

/*
 * OID and DER parameters of a signature algorithm we create: NULL for
 * RSA PKCS#1, full RSASSA-PSS-params, none for ECDSA.
 */
int
npkd_sigalg_oid(const struct npkd_sigalg *a, const char **oid,
    struct npkd_buf *params, struct npkd_err *e)
{
	struct npkd_buf	 hid = { NULL, 0 }, mid = { NULL, 0 };
	asn1_node	 n = NULL;
	uint8_t		 salt[4];
	size_t		 i;
	int		 r, rc, len = 0, sl = 0;

	params->data = NULL;
	params->len = 0;
	*oid = NULL;
	if (a->kind != NPKD_SIG_RSA_PSS) {
		for (i = 0; i < NSIGOIDS; i++)
			if (sigoids[i].kind == a->kind &&
			    sigoids[i].hash == a->hash)
				*oid = sigoids[i].oid;
		if (*oid == NULL)
			return npkd_seterr(e, NPKD_E_UNSUPPORTED, "%s", a->name);
		if (a->kind == NPKD_SIG_RSA_PKCS1) {
			if ((params->data = malloc(2)) == NULL)
				return NPKD_E_NOMEM;
			memcpy(params->data, der_null, 2);
			params->len = 2;
		}
		return NPKD_OK;
	}
	*oid = OID_RSA_PSS;
	if ((rc = encode_algid(npkd_hash_oid(a->hash), der_null, 2, &hid, e)) !=
	    NPKD_OK)
		return rc;
	if ((rc = encode_algid(OID_MGF1, hid.data, hid.len, &mid, e)) !=
	    NPKD_OK)
		goto out;
	for (i = a->salt; i > 0; i >>= 8)
		sl++;
	for (i = 0; i < (size_t)sl; i++)
		salt[i] = (uint8_t)(a->salt >> (8 * ((size_t)sl - 1 - i)));
	if (sl == 0 || (salt[0] & 0x80))
		memmove(salt + 1, salt, (size_t)sl++), salt[0] = 0;
	rc = NPKD_E_FORMAT;
	if ((r = asn1_create_element(npkd_asn1_defs, "NPKD.RSASSA-PSS-params",
	    &n)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "hashAlgorithm.algorithm",
	    npkd_hash_oid(a->hash), 1)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "hashAlgorithm.parameters", der_null, 2)) !=
	    ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "maskGenAlgorithm.algorithm", OID_MGF1,
	    1)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "maskGenAlgorithm.parameters", hid.data,
	    (int)hid.len)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "saltLength", salt, sl)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "trailerField", NULL, 0)) != ASN1_SUCCESS) {
		rc = npkd_asn2err(e, r, "RSASSA-PSS parameters");
		goto out;
	}
	r = asn1_der_coding(n, "", NULL, &len, NULL);
	if (r == ASN1_MEM_ERROR && (params->data = malloc((size_t)len)) != NULL)
		r = asn1_der_coding(n, "", params->data, &len, NULL);
	if (r != ASN1_SUCCESS) {
		npkd_buf_free(params);
		rc = npkd_asn2err(e, r, "RSASSA-PSS parameters");
		goto out;
	}
	params->len = (size_t)len;
	rc = NPKD_OK;
 out:
	asn1_delete_structure(&n);
	npkd_buf_free(&hid);
	npkd_buf_free(&mid);
	return rc;
}

/* Decode a DER INTEGER TLV (positive) to its magnitude, lent from p. */
static int
der_uint(const uint8_t *p, size_t len, const uint8_t **v, size_t *vlen)
{
	unsigned int	 tag;
	size_t		 hdr, cl;

	if (npkd_der_header(p, len, &tag, &hdr, &cl) != NPKD_OK ||
	    tag != 0x02 || hdr + cl != len || cl == 0)
		return NPKD_E_FORMAT;
	p += hdr;
	if (p[0] & 0x80)
		return NPKD_E_FORMAT;
	while (cl > 1 && p[0] == 0) {
		p++;
		cl--;
	}
	*v = p;
	*vlen = cl;
	return NPKD_OK;
}

int
npkd_ecdsa_sig_decode(const uint8_t *sig, size_t len, const uint8_t **r,
    size_t *rlen, const uint8_t **s, size_t *slen)
{
	unsigned int	 tag;
	size_t		 hdr, cl, h2, c2;

	if (npkd_der_header(sig, len, &tag, &hdr, &cl) != NPKD_OK ||
	    tag != 0x30 || hdr + cl != len)
		return NPKD_E_FORMAT;
	sig += hdr;
	if (npkd_der_header(sig, cl, &tag, &h2, &c2) != NPKD_OK ||
	    der_uint(sig, h2 + c2, r, rlen) != NPKD_OK)
		return NPKD_E_FORMAT;
	sig += h2 + c2;
	cl -= h2 + c2;
	if (der_uint(sig, cl, s, slen) != NPKD_OK)
		return NPKD_E_FORMAT;
	return NPKD_OK;
}

int
npkd_ecdsa_sig_encode(const uint8_t *r, size_t rlen, const uint8_t *s,
    size_t slen, struct npkd_buf *out)
{
	uint8_t		 hdr[8];
	size_t		 body, hl, off = 0, i;
	const uint8_t	*v[2] = { r, s };
	size_t		 vl[2] = { rlen, slen };

	for (i = 0; i < 2; i++)
		while (vl[i] > 1 && v[i][0] == 0) {
			v[i]++;
			vl[i]--;
		}
	body = 0;
	for (i = 0; i < 2; i++)
		body += npkd_der_put_header(hdr, 0x02, vl[i] +
		    (v[i][0] & 0x80 ? 1 : 0)) + vl[i] + (v[i][0] & 0x80 ? 1 : 0);
	hl = npkd_der_put_header(hdr, 0x30, body);
	if ((out->data = malloc(hl + body)) == NULL)
		return NPKD_E_NOMEM;
	memcpy(out->data, hdr, hl);
	off = hl;
	for (i = 0; i < 2; i++) {
		int pad = v[i][0] & 0x80 ? 1 : 0;

		off += npkd_der_put_header(out->data + off, 0x02,
		    vl[i] + (size_t)pad);
		if (pad)
			out->data[off++] = 0;
		memcpy(out->data + off, v[i], vl[i]);
		off += vl[i];
	}
	out->len = off;
	return NPKD_OK;
}

/*
 * EC domain parameters (RFC 5480 2.1.1): a named curve, or explicit
 * parameters matched against the named curves.  Explicit parameters of
 * no named curve are returned in ep (p, a, b, G, -, n) when ep is not
 * NULL, else refused.
 */
int
npkd_ec_domain(const uint8_t *p, size_t plen, const struct npkd_curve **curve,
    int *explicit, struct npkd_buf *ep, struct npkd_err *e)
{
	asn1_node	 n = NULL;
	struct npkd_buf	 a = { NULL, 0 }, b = { NULL, 0 }, g = { NULL, 0 };
	struct npkd_buf	 ord = { NULL, 0 };
	const uint8_t	*fp, *pp, *op;
	size_t		 fplen, pplen, oplen;
	char		 oid[NPKD_OID_MAX], choice[32];
	unsigned long	 h = 1;
	int		 rc, len;

	*curve = NULL;
	*explicit = 0;
	rc = npkd_asn1_decode("ECParameters", p, plen, &n, "EC parameters", e);
	if (rc != NPKD_OK)
		return rc;
	len = sizeof(choice);
	if (asn1_read_value(n, "", choice, &len) != ASN1_SUCCESS)
		choice[0] = '\0';
	if (strcmp(choice, "namedCurve") == 0) {
		npkd_asn1_read_oid(n, "namedCurve", oid, sizeof(oid));
		if ((*curve = npkd_curve_by_oid(oid)) == NULL)
			rc = npkd_seterr(e, NPKD_E_UNSUPPORTED, "EC curve %s",
			    oid);
		goto out;
	}
	if (strcmp(choice, "specifiedCurve") != 0) {
		rc = npkd_seterr(e, NPKD_E_UNSUPPORTED,
		    "EC parameters: implicitCA");
		goto out;
	}
	*explicit = 1;
	npkd_asn1_read_oid(n, "specifiedCurve.fieldID.fieldType", oid,
	    sizeof(oid));
	if (strcmp(oid, OID_PRIME_FIELD) != 0) {
		rc = npkd_seterr(e, NPKD_E_UNSUPPORTED,
		    "EC field type %s", oid);
		goto out;
	}
	if (npkd_asn1_span(n, p, plen, "specifiedCurve.fieldID.parameters", &fp,
	    &fplen) != NPKD_OK || der_uint(fp, fplen, &pp, &pplen) != NPKD_OK ||
	    npkd_asn1_read_alloc(n, "specifiedCurve.curve.a", &a) != NPKD_OK ||
	    npkd_asn1_read_alloc(n, "specifiedCurve.curve.b", &b) != NPKD_OK ||
	    npkd_asn1_read_alloc(n, "specifiedCurve.base", &g) != NPKD_OK ||
	    npkd_asn1_read_alloc(n, "specifiedCurve.order", &ord) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "EC parameters: incomplete");
		goto out;
	}
	op = ord.data;
	oplen = ord.len;
	while (oplen > 1 && *op == 0) {
		op++;
		oplen--;
	}
	if (npkd_asn1_present(n, "specifiedCurve.cofactor") &&
	    npkd_asn1_read_uint(n, "specifiedCurve.cofactor", &h) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "EC parameters: cofactor");
		goto out;
	}
	*curve = npkd_curve_match(pp, pplen, a.data, a.len, b.data, b.len,
	    g.data, g.len, op, oplen);
	if (*curve != NULL)
		goto out;
	if (ep == NULL || h != 1 || pplen > 66) {
		rc = npkd_seterr(e, NPKD_E_UNSUPPORTED,
		    "EC parameters: a curve we do not know (cofactor %lu)", h);
		goto out;
	}
	if ((ep[0].data = malloc(pplen)) == NULL) {
		rc = NPKD_E_NOMEM;
		goto out;
	}
	memcpy(ep[0].data, pp, pplen);
	ep[0].len = pplen;
	ep[1] = a;
	ep[2] = b;
	ep[3] = g;
	ep[5] = ord;
	a.data = b.data = g.data = ord.data = NULL;
 out:
	npkd_buf_free(&a);
	npkd_buf_free(&b);
	npkd_buf_free(&g);
	npkd_buf_free(&ord);
	asn1_delete_structure(&n);
	return rc;
}

void
npkd_pubkey_free(struct npkd_pubkey *k)
{
	size_t i;

	if (k == NULL)
		return;
	npkd_be_unload(k);
	npkd_buf_free(&k->n);
	npkd_buf_free(&k->e);
	npkd_buf_free(&k->q);
	for (i = 0; i < 6; i++)
		npkd_buf_free(&k->ep[i]);
	free(k);
}

/* A public exponent (unsigned) not zero and no longer than a modulus. */
static int
rsa_exponent_ok(const struct npkd_buf *x)
{
	size_t i;

	for (i = 0; i < x->len && x->data[i] == 0; i++)
		;
	return i < x->len && x->len - i <= 2048;
}

static int
rsa_key(struct npkd_pubkey *k, const uint8_t *p, size_t len,
    struct npkd_err *e)
{
	asn1_node	 n = NULL;
	int		 rc;
	size_t		 i;

	rc = npkd_asn1_decode("RSAPublicKey", p, len, &n, "RSA public key", e);
	if (rc != NPKD_OK)
		return rc;
	if (npkd_asn1_read_alloc(n, "modulus", &k->n) != NPKD_OK ||
	    npkd_asn1_read_alloc(n, "publicExponent", &k->e) != NPKD_OK ||
	    k->n.len == 0 || (k->n.data[0] & 0x80)) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "RSA public key: bad modulus");
		goto out;
	}
	for (i = 0; i < k->n.len && k->n.data[i] == 0; i++)
		;
	if (i == k->n.len || k->n.len - i > 2048) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "RSA public key: bad size");
		goto out;
	}
	if (!rsa_exponent_ok(&k->e)) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "RSA public key: bad exponent");
		goto out;
	}
	k->bits = (unsigned int)((k->n.len - i) * 8);
	while (!(k->n.data[i] & (1u << ((k->bits - 1) % 8))))
		k->bits--;
	rc = NPKD_OK;
 out:
	asn1_delete_structure(&n);
	return rc;
}

/*
 * An EC key is checked here before any library sees it: the point has
 * the size of its named curve, and an unnamed curve with its point pass
 * npkd_ec_explicit_valid().  A point of a named curve that is not on it
 * leaves a key that verifies nothing (npkd_pubkey_point_ok, checked on
 * first use: most keys parsed, those of DSCs, never verify anything).
 */
static int
ec_check(struct npkd_pubkey *k, struct npkd_err *e)
{
	if (k->curve != NULL) {
		if (k->q.len != 1 + 2 * k->curve->len)
			return npkd_seterr(e, NPKD_E_FORMAT, "EC public key: "
			    "point size does not fit %s", k->curve->name);
		return NPKD_OK;
	}
	if (!npkd_ec_explicit_valid(k))
		return npkd_seterr(e, NPKD_E_FORMAT, "EC parameters of no named "
		    "curve are not a usable curve and point");
	return NPKD_OK;
}

/*
 * Parse a DER SubjectPublicKeyInfo into a key ready for verification:
 * RSA, RSASSA-PSS, or EC with a named or explicit curve.
 */
int
npkd_pubkey_parse(const uint8_t *der, size_t len, struct npkd_pubkey **out,
    struct npkd_findings *f, struct npkd_err *e)
{
	struct npkd_pubkey	*k = NULL;
	asn1_node		 n = NULL;
	struct npkd_buf		 bits = { NULL, 0 };
	const uint8_t		*pp = NULL;
	size_t			 plen = 0;
	char			 oid[NPKD_OID_MAX];
	int			 rc, unused;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "public key");
	rc = npkd_asn1_decode("SubjectPublicKeyInfo", der, len, &n,
	    "public key", e);
	if (rc != NPKD_OK)
		goto out;
	npkd_asn1_read_oid(n, "algorithm.algorithm", oid, sizeof(oid));
	npkd_asn1_span(n, der, len, "algorithm.parameters", &pp, &plen);
	if (npkd_asn1_read_bits(n, der, len, "subjectPublicKey", &bits,
	    &unused) !=
	    NPKD_OK || unused != 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "public key: bad bit string");
		goto out;
	}
	if (strcmp(oid, OID_RSA) == 0 || strcmp(oid, OID_RSA_PSS) == 0) {
		k->alg = strcmp(oid, OID_RSA) == 0 ? NPKD_KEY_RSA :
		    NPKD_KEY_RSA_PSS;
		if ((rc = rsa_key(k, bits.data, bits.len, e)) != NPKD_OK)
			goto out;
		if (k->alg == NPKD_KEY_RSA_PSS && plen > 0) {
			/* Parameters in the key restrict its signatures. */
			if ((rc = pss_params(pp, plen, &k->pss, f, e)) !=
			    NPKD_OK)
				goto out;
			k->has_pss = 1;
		}
	} else if (strcmp(oid, OID_EC_PUBKEY) == 0) {
		k->alg = NPKD_KEY_EC;
		if (pp == NULL) {
			rc = npkd_seterr(e, NPKD_E_FORMAT,
			    "EC public key without domain parameters");
			goto out;
		}
		if ((rc = npkd_ec_domain(pp, plen, &k->curve,
		    &k->explicit_params, k->ep, e)) != NPKD_OK)
			goto out;
		if (k->curve != NULL && k->explicit_params)
			npkd_findings_add(f, NPKD_SEV_INFO, "ec-explicit-named",
			    "RFC 5480 2.1.1", "explicit EC domain parameters "
			    "equal to %s", k->curve->name);
		else if (k->curve == NULL) {
			npkd_findings_add(f, NPKD_SEV_WARNING,
			    "ec-explicit-unnamed", "RFC 5480 2.1.1",
			    "explicit EC domain parameters of no named curve");
			k->bits = (unsigned int)(k->ep[0].len * 8);
			while (k->bits > 0 && !(k->ep[0].data[0] &
			    (1u << ((k->bits - 1) % 8))))
				k->bits--;
		}
		if (k->curve != NULL)
			k->bits = k->curve->bits;
		if (bits.len == 0 || bits.data[0] != 0x04) {
			rc = npkd_seterr(e, NPKD_E_UNSUPPORTED,
			    "EC public key: compressed or bad point");
			goto out;
		}
		k->q = bits;
		bits.data = NULL;
		if ((rc = ec_check(k, e)) != NPKD_OK)
			goto out;
	} else {
		rc = npkd_seterr(e, NPKD_E_UNSUPPORTED, "public key algorithm %s",
		    oid);
		goto out;
	}
	*out = k;
	k = NULL;
	rc = NPKD_OK;
 out:
	npkd_buf_free(&bits);
	asn1_delete_structure(&n);
	npkd_pubkey_free(k);
	return rc;
}

/*
 * The identity of a public key (design.md section 8, Keys): SHA-256 over
 * the algorithm, the curve and the public value, with explicit EC domain
 * parameters already mapped to their named curve and an unnamed curve
 * described by all of its parameters.  Two keys are the same key exactly
 * when their ids are equal.
 */
int
npkd_pubkey_id(const struct npkd_pubkey *k, uint8_t id[32])
{
	struct npkd_dbuf	 d;
	const char		*tag;
	size_t			 i;
	int			 rc;
	uint8_t			 b[4], pss[4];

#define PUT(p, n) do {							\
	b[0] = (uint8_t)((n) >> 24); b[1] = (uint8_t)((n) >> 16);	\
	b[2] = (uint8_t)((n) >> 8); b[3] = (uint8_t)(n);		\
	if (rc == NPKD_OK)						\
		rc = npkd_dbuf_add(&d, b, 4);				\
	if (rc == NPKD_OK && (n) > 0)					\
		rc = npkd_dbuf_add(&d, (p), (n));			\
} while (0)
	npkd_dbuf_init(&d, 1 << 16);
	rc = NPKD_OK;
	switch (k->alg) {
	case NPKD_KEY_RSA:
	case NPKD_KEY_RSA_PSS:
		tag = k->alg == NPKD_KEY_RSA ? "rsa" : "rsa-pss";
		PUT(tag, strlen(tag));
		PUT(k->n.data, k->n.len);
		PUT(k->e.data, k->e.len);
		if (k->has_pss) {
			pss[0] = (uint8_t)k->pss.hash;
			pss[1] = (uint8_t)k->pss.mgf_hash;
			pss[2] = (uint8_t)(k->pss.salt >> 8);
			pss[3] = (uint8_t)k->pss.salt;
			PUT(pss, 4);
		}
		break;
	case NPKD_KEY_EC:
		if (k->curve != NULL) {
			PUT("ec", 2);
			PUT(k->curve->oid, strlen(k->curve->oid));
		} else {
			PUT("ec-explicit", 11);
			for (i = 0; i < 6; i++)
				PUT(k->ep[i].data, k->ep[i].len);
		}
		PUT(k->q.data, k->q.len);
		break;
	default:
		rc = NPKD_E_UNSUPPORTED;
	}
#undef PUT
	if (rc == NPKD_OK)
		rc = npkd_hash(NPKD_HASH_SHA256, d.data, d.len, id, NULL);
	npkd_dbuf_free(&d);
	return rc;
}

void
npkd_pubkey_info(const struct npkd_pubkey *k, struct npkd_keyinfo *ki)
{
	memset(ki, 0, sizeof(*ki));
	if (k == NULL)
		return;
	ki->alg = k->alg;
	ki->bits = k->bits;
	ki->curve = k->curve != NULL ? k->curve->name : NULL;
	ki->explicit_params = k->explicit_params;
}

/* DigestInfo (RFC 8017 9.2) with or without the NULL parameter. */
static size_t
digest_info(int hash, const uint8_t *d, size_t dlen, int with_null,
    uint8_t *out)
{
	static const uint8_t oids[][10] = {
		{ 0x2b, 0x0e, 0x03, 0x02, 0x1a },
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x04 },
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01 },
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02 },
		{ 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03 },
	};
	size_t	 olen = hash == NPKD_HASH_SHA1 ? 5 : 9, alen, off = 0;
	int	 i = hash - NPKD_HASH_SHA1;

	alen = 2 + olen + (with_null ? 2 : 0);
	out[off++] = 0x30;
	out[off++] = (uint8_t)(2 + alen + 2 + dlen);
	out[off++] = 0x30;
	out[off++] = (uint8_t)alen;
	out[off++] = 0x06;
	out[off++] = (uint8_t)olen;
	memcpy(out + off, oids[i], olen);
	off += olen;
	if (with_null) {
		out[off++] = 0x05;
		out[off++] = 0x00;
	}
	out[off++] = 0x04;
	out[off++] = (uint8_t)dlen;
	memcpy(out + off, d, dlen);
	return off + dlen;
}

/*
 * The route: each signature goes to the faster of the two libraries on
 * the machine npkd is built for, as make bench measures them (it prints
 * both libraries' raw rates next to this choice; README.md quotes a run
 * on Debian 12: GnuTLS 3.7.9 with nettle 3.8.1, OpenSSL 3.0).  OpenSSL
 * is faster for RSA (PKCS#1 and PSS, every size) and for P-224, P-256
 * and P-521; nettle for P-384 (OpenSSL 3.0 has no P-384 code of its own
 * and is about twice as slow).  Brainpool, unnamed curves, and PSS with
 * salt lengths or hashes GnuTLS lacks only OpenSSL can check; RSA keys
 * OpenSSL refuses (os_rsa_ok) go to GnuTLS.
 */
static const struct npkd_backend *
route_first(const struct npkd_pubkey *k, const struct npkd_sigalg *a)
{
	if (a->kind == NPKD_SIG_ECDSA && k->curve != NULL &&
	    k->curve->gnutls_id == GNUTLS_ECC_CURVE_SECP384R1)
		return &npkd_be_gnutls;
	return &npkd_be_ossl;
}

const struct npkd_backend *
npkd_route(const struct npkd_pubkey *k, const struct npkd_sigalg *a)
{
	const struct npkd_backend *be = route_first(k, a);

	if (be->can(k, a))
		return be;
	be = be == &npkd_be_gnutls ? &npkd_be_ossl : &npkd_be_gnutls;
	return be->can(k, a) ? be : NULL;
}

/* The backend for a, be itself when given; NULL when it cannot check a. */
static const struct npkd_backend *
backend_for(const struct npkd_backend *be, const struct npkd_pubkey *k,
    const struct npkd_sigalg *a)
{
	if (be == NULL)
		return npkd_route(k, a);
	return be->can(k, a) ? be : NULL;
}

static int
cannot(const struct npkd_backend *be, const struct npkd_sigalg *a,
    struct npkd_err *e)
{
	if (be != NULL)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "%s cannot check "
		    "this %s signature", be->name, a->name[0] != '\0' ? a->name :
		    "kind of");
	return npkd_seterr(e, NPKD_E_UNSUPPORTED, "no library here checks "
	    "this key's %s signatures", a->name[0] != '\0' ? a->name :
	    "kind of");
}

int
npkd_pubkey_point_ok(const struct npkd_pubkey *ck)
{
	struct npkd_pubkey	*k = (struct npkd_pubkey *)(uintptr_t)ck;
	int			 v;

	if (k->alg != NPKD_KEY_EC || k->curve == NULL)
		return 1;	/* unnamed: checked when parsed */
	if ((v = atomic_load(&k->on_curve)) == 0) {
		v = npkd_ec_point_valid(k->curve, k->q.data, k->q.len) ? 1 : -1;
		atomic_store(&k->on_curve, v);
	}
	return v > 0;
}

int
npkd_pubkey_verify_rs_via(const struct npkd_backend *be,
    const struct npkd_pubkey *k, int hash, const uint8_t *d, size_t dlen,
    const uint8_t *r, size_t rlen, const uint8_t *s, size_t slen,
    struct npkd_err *e)
{
	const struct npkd_backend	*b;
	struct npkd_sigalg		 a;

	if (k == NULL)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "key is not usable");
	if (k->alg != NPKD_KEY_EC)
		return npkd_seterr(e, NPKD_E_VERIFY,
		    "ECDSA signature but the key is not EC");
	if (!npkd_pubkey_point_ok(k))
		return npkd_seterr(e, NPKD_E_VERIFY, "EC public point is not "
		    "on %s", k->curve->name);
	memset(&a, 0, sizeof(a));
	a.kind = NPKD_SIG_ECDSA;
	a.hash = a.mgf_hash = hash;
	if ((b = backend_for(be, k, &a)) == NULL)
		return cannot(be, &a, e);
	if (b->ecdsa(k, hash, d, dlen, r, rlen, s, slen) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_VERIFY,
		    "ECDSA signature does not verify");
	return NPKD_OK;
}

int
npkd_pubkey_verify_rs(const struct npkd_pubkey *k, int hash,
    const uint8_t *d, size_t dlen, const uint8_t *r, size_t rlen,
    const uint8_t *s, size_t slen, struct npkd_err *e)
{
	return npkd_pubkey_verify_rs_via(NULL, k, hash, d, dlen, r, rlen, s,
	    slen, e);
}

/*
 * Verify a signature over a digest.  An RSA signature is as long as the
 * modulus (RFC 8017 8.2.2, 8.1.2).  RSA PKCS#1 v1.5 is checked by
 * building the expected block and comparing it exactly, first with the
 * DigestInfo that carries a NULL parameter, then without it (a finding).
 */
int
npkd_pubkey_verify_via(const struct npkd_backend *be,
    const struct npkd_pubkey *k, const struct npkd_sigalg *a,
    const uint8_t *d, size_t dlen, const uint8_t *sig, size_t slen,
    struct npkd_findings *f, struct npkd_err *e)
{
	const struct npkd_backend	*b;
	uint8_t				 di[128];
	const uint8_t			*r, *s;
	size_t				 dil, rlen, sl;

	if (k == NULL)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "key is not usable");
	if (dlen != npkd_hash_len(a->hash))
		return npkd_seterr(e, NPKD_E_USAGE, "digest length");
	switch (a->kind) {
	case NPKD_SIG_RSA_PKCS1:
		if (k->alg != NPKD_KEY_RSA)
			return npkd_seterr(e, NPKD_E_VERIFY,
			    "RSA PKCS#1 signature but the key is not RSA");
		if ((b = backend_for(be, k, a)) == NULL)
			return cannot(be, a, e);
		if (slen != (k->bits + 7) / 8)
			return npkd_seterr(e, NPKD_E_VERIFY, "RSA signature "
			    "is not as long as the modulus");
		dil = digest_info(a->hash, d, dlen, 1, di);
		if (b->rsa_pkcs1(k, di, dil, sig, slen) == NPKD_OK)
			return NPKD_OK;
		dil = digest_info(a->hash, d, dlen, 0, di);
		if (b->rsa_pkcs1(k, di, dil, sig, slen) == NPKD_OK) {
			npkd_findings_add(f, NPKD_SEV_WARNING,
			    "digestinfo-without-null", "RFC 8017 9.2",
			    "RSA DigestInfo omits the NULL parameter of %s",
			    npkd_hash_name(a->hash));
			return NPKD_OK;
		}
		return npkd_seterr(e, NPKD_E_VERIFY,
		    "RSA signature does not verify");
	case NPKD_SIG_RSA_PSS:
		if (k->alg != NPKD_KEY_RSA && k->alg != NPKD_KEY_RSA_PSS)
			return npkd_seterr(e, NPKD_E_VERIFY,
			    "RSASSA-PSS signature but the key is not RSA");
		if (k->has_pss && (k->pss.hash != a->hash ||
		    k->pss.salt > a->salt))
			return npkd_seterr(e, NPKD_E_VERIFY,
			    "RSASSA-PSS parameters outside the key's restriction");
		if (a->mgf_hash != a->hash)
			return npkd_seterr(e, NPKD_E_UNSUPPORTED,
			    "RSASSA-PSS with MGF1-%s and %s",
			    npkd_hash_name(a->mgf_hash), npkd_hash_name(a->hash));
		if ((b = backend_for(be, k, a)) == NULL)
			return cannot(be, a, e);
		if (slen != (k->bits + 7) / 8)
			return npkd_seterr(e, NPKD_E_VERIFY, "RSASSA-PSS "
			    "signature is not as long as the modulus");
		if (b->rsa_pss(k, a->hash, a->salt, d, dlen, sig, slen) ==
		    NPKD_OK)
			return NPKD_OK;
		return npkd_seterr(e, NPKD_E_VERIFY,
		    "RSASSA-PSS signature does not verify");
	case NPKD_SIG_ECDSA:
		if (npkd_ecdsa_sig_decode(sig, slen, &r, &rlen, &s, &sl) !=
		    NPKD_OK)
			return npkd_seterr(e, NPKD_E_VERIFY,
			    "ECDSA signature is not a DER ECDSA-Sig-Value");
		return npkd_pubkey_verify_rs_via(be, k, a->hash, d, dlen, r,
		    rlen, s, sl, e);
	}
	return npkd_seterr(e, NPKD_E_UNSUPPORTED, "signature kind");
}

int
npkd_pubkey_verify(const struct npkd_pubkey *k, const struct npkd_sigalg *a,
    const uint8_t *d, size_t dlen, const uint8_t *sig, size_t slen,
    struct npkd_findings *f, struct npkd_err *e)
{
	return npkd_pubkey_verify_via(NULL, k, a, d, dlen, sig, slen, f, e);
}

int
npkd_pubkey_verify_data(const struct npkd_pubkey *k,
    const struct npkd_sigalg *a, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t slen, struct npkd_findings *f,
    struct npkd_err *e)
{
	uint8_t	 d[NPKD_MAX_HASH];
	int	 rc;

	if ((rc = npkd_hash(a->hash, data, len, d, e)) != NPKD_OK)
		return rc;
	return npkd_pubkey_verify(k, a, d, npkd_hash_len(a->hash), sig, slen,
	    f, e);
}

/*
 * The signatureAlgorithm of a signed X.509 object (certificate or CRL)
 * decoded as n from der.  What we cannot use is an error finding citing
 * rule, and a->kind stays 0 with the OID as its name.
 */
void
npkd_sigalg_of(asn1_node n, const uint8_t *der, size_t len,
    struct npkd_sigalg *a, struct npkd_findings *f, const char *rule)
{
	const uint8_t	*pp;
	size_t		 plen;
	char		 oid[NPKD_OID_MAX];
	struct npkd_err	 e;

	npkd_asn1_read_oid(n, "signatureAlgorithm.algorithm", oid, sizeof(oid));
	npkd_asn1_span(n, der, len, "signatureAlgorithm.parameters", &pp,
	    &plen);
	if (npkd_sigalg_parse(oid, pp, plen, NPKD_HASH_NONE, a, f, &e) !=
	    NPKD_OK) {
		memset(a, 0, sizeof(*a));
		snprintf(a->name, sizeof(a->name), "%.47s", oid);
		npkd_findings_add(f, NPKD_SEV_ERROR, "sigalg", rule, "%s",
		    e.msg);
	}
}

/* Verify the signature sig over tbs with the key of issuer. */
int
npkd_signed_verify(const struct npkd_sigalg *a, const uint8_t *tbs,
    size_t tbslen, const struct npkd_buf *sig, const struct npkd_cert *issuer,
    struct npkd_findings *f, struct npkd_err *e)
{
	if (a->kind == 0)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED,
		    "signature algorithm %s", a->name);
	if (issuer->pub == NULL)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED,
		    "issuer key is not usable");
	return npkd_pubkey_verify_data(issuer->pub, a, tbs, tbslen, sig->data,
	    sig->len, f, e);
}

static int
copybuf(struct npkd_buf *b, const uint8_t *p, size_t n)
{
	if ((b->data = malloc(n ? n : 1)) == NULL)
		return NPKD_E_NOMEM;
	memcpy(b->data, p, n);
	b->len = n;
	return NPKD_OK;
}

/*
 * An EC key from explicit domain parameters and a point (the CV
 * certificate fields 81 p, 82 a, 83 b, 84 G, 85 n, 86 Q): matched to a
 * named curve when it is one, else checked as an unnamed curve.
 */
int
npkd_pubkey_ec(const struct npkd_buf *dp, const uint8_t *q, size_t qlen,
    struct npkd_pubkey **out, struct npkd_err *e)
{
	struct npkd_pubkey	*k;
	const uint8_t		*np;
	size_t			 nlen, i;
	int			 rc;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "public key");
	k->alg = NPKD_KEY_EC;
	k->explicit_params = 1;
	np = dp[4].data;
	nlen = dp[4].len;
	while (nlen > 1 && *np == 0) {
		np++;
		nlen--;
	}
	k->curve = npkd_curve_match(dp[0].data, dp[0].len, dp[1].data,
	    dp[1].len, dp[2].data, dp[2].len, dp[3].data, dp[3].len, np, nlen);
	if ((rc = copybuf(&k->q, q, qlen)) != NPKD_OK)
		goto fail;
	if (k->curve == NULL) {
		/* ep: p a b G - n */
		static const int map[5] = { 0, 1, 2, 3, 5 };

		for (i = 0; i < 5; i++)
			if ((rc = copybuf(&k->ep[map[i]], dp[i].data,
			    dp[i].len)) != NPKD_OK)
				goto fail;
		k->bits = (unsigned int)(dp[0].len * 8);
	} else
		k->bits = k->curve->bits;
	if (qlen == 0 || q[0] != 0x04) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "EC public point is not "
		    "uncompressed");
		goto fail;
	}
	if (k->curve != NULL && !npkd_ec_point_valid(k->curve, q, qlen)) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "EC public point is not on "
		    "%s", k->curve->name);
		goto fail;
	}
	if ((rc = ec_check(k, e)) != NPKD_OK)
		goto fail;
	*out = k;
	return NPKD_OK;
 fail:
	npkd_pubkey_free(k);
	return rc;
}

/* An RSA key from its modulus and exponent (CV fields 81 and 82). */
int
npkd_pubkey_rsa(const uint8_t *n, size_t nlen, const uint8_t *ex, size_t elen,
    struct npkd_pubkey **out, struct npkd_err *e)
{
	struct npkd_pubkey	*k;
	size_t			 i;
	int			 rc;

	*out = NULL;
	while (nlen > 1 && *n == 0) {
		n++;
		nlen--;
	}
	if (nlen < 64 || nlen > 2048 || elen == 0 || elen > 16)
		return npkd_seterr(e, NPKD_E_FORMAT, "RSA key: bad size");
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "public key");
	k->alg = NPKD_KEY_RSA;
	if ((rc = copybuf(&k->n, n, nlen)) != NPKD_OK ||
	    (rc = copybuf(&k->e, ex, elen)) != NPKD_OK)
		goto fail;
	k->bits = (unsigned int)(nlen * 8);
	for (i = 0; i < 8 && !(n[0] & (0x80u >> i)); i++)
		k->bits--;
	if (!rsa_exponent_ok(&k->e)) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "RSA key: bad exponent");
		goto fail;
	}
	*out = k;
	return NPKD_OK;
 fail:
	npkd_pubkey_free(k);
	return rc;
}
