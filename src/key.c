/*
 * key.c - private keys for signing: PEM/DER files and PKCS#11 URIs.
 * GnuTLS signs RSA and NIST curves and everything on tokens; EC file keys
 * GnuTLS cannot import (brainpool, explicit parameters) are decoded here
 * and signed by OpenSSL's libcrypto, which also generates brainpool keys.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs11.h>
#include <gnutls/x509.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "npkd_int.h"

#define OID_EC_PUBKEY	"1.2.840.10045.2.1"

struct npkd_key {
	gnutls_privkey_t	 gt;		/* GnuTLS (file or token) */
	EVP_PKEY		*os;		/* OpenSSL EC key */
	struct npkd_buf		 q;		/* its public point */
	const struct npkd_curve	*curve;
	char			*pin;
};

void
npkd_key_free(struct npkd_key *k)
{
	if (k == NULL)
		return;
	if (k->gt != NULL)
		gnutls_privkey_deinit(k->gt);
	EVP_PKEY_free(k->os);
	npkd_buf_free(&k->q);
	if (k->pin != NULL) {
		gnutls_memset(k->pin, 0, strlen(k->pin));
		free(k->pin);
	}
	free(k);
}

static int
pin_cb(void *user, int attempt, const char *url, const char *label,
    unsigned int flags, char *pin, size_t pin_max)
{
	const struct npkd_key *k = user;

	(void)url;
	(void)label;
	(void)flags;
	if (attempt > 0 || k->pin == NULL || strlen(k->pin) >= pin_max)
		return -1;
	memcpy(pin, k->pin, strlen(k->pin) + 1);
	return 0;
}

/*
 * An OpenSSL key from the scalar d (big endian) on the named curve c,
 * with its public point d G in k->q.  d must lie in [1, n - 1].
 */
static int
os_ec_key(struct npkd_key *k, const struct npkd_curve *c, const uint8_t *d,
    size_t dlen, struct npkd_err *e)
{
	OSSL_LIB_CTX	*lc = npkd_ossl_libctx();
	EC_GROUP	*g = NULL;
	EC_POINT	*q = NULL;
	BIGNUM		*bd = NULL;
	BN_CTX		*bc = NULL;
	OSSL_PARAM_BLD	*bld = NULL;
	OSSL_PARAM	*params = NULL, *pp;
	EVP_PKEY_CTX	*pc = NULL;
	uint8_t		 pt[1 + 2 * 66];
	size_t		 ptlen = 0;
	int		 rc = NPKD_E_CRYPTO;

	if ((bc = BN_CTX_new_ex(lc)) == NULL ||
	    (g = EC_GROUP_new_by_curve_name_ex(lc, NULL,
	    OBJ_sn2nid(c->ossl_name))) == NULL ||
	    (bd = BN_secure_new()) == NULL ||
	    BN_bin2bn(d, (int)dlen, bd) == NULL)
		goto out;
	BN_set_flags(bd, BN_FLG_CONSTTIME);
	if (BN_is_zero(bd) || BN_cmp(bd, EC_GROUP_get0_order(g)) >= 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "EC private key: scalar "
		    "out of range");
		goto out;
	}
	if ((q = EC_POINT_new(g)) == NULL ||
	    !EC_POINT_mul(g, q, bd, NULL, NULL, bc) ||
	    (ptlen = EC_POINT_point2oct(g, q, POINT_CONVERSION_UNCOMPRESSED,
	    pt, sizeof(pt), bc)) != 1 + 2 * c->len)
		goto out;
	if ((bld = OSSL_PARAM_BLD_new()) == NULL ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME,
	    c->ossl_name, 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, bd) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt,
	    ptlen) ||
	    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
	    (pc = EVP_PKEY_CTX_new_from_name(lc, "EC", NULL)) == NULL ||
	    EVP_PKEY_fromdata_init(pc) != 1 ||
	    EVP_PKEY_fromdata(pc, &k->os, EVP_PKEY_KEYPAIR, params) != 1)
		goto out;
	if ((k->q.data = malloc(ptlen)) == NULL) {
		rc = NPKD_E_NOMEM;
		goto out;
	}
	memcpy(k->q.data, pt, ptlen);
	k->q.len = ptlen;
	rc = NPKD_OK;
 out:
	if (rc == NPKD_E_CRYPTO)
		npkd_seterr(e, rc, "EC private key: OpenSSL cannot use it");
	ERR_clear_error();
	EVP_PKEY_CTX_free(pc);
	if (params != NULL && (pp = OSSL_PARAM_locate(params,
	    OSSL_PKEY_PARAM_PRIV_KEY)) != NULL && pp->data != NULL)
		OPENSSL_cleanse(pp->data, pp->data_size);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	BN_clear_free(bd);
	EC_POINT_free(q);
	EC_GROUP_free(g);
	BN_CTX_free(bc);
	return rc;
}

/* EC private scalar and curve from ECPrivateKey (RFC 5915). */
static int
ec_private(struct npkd_key *k, const uint8_t *der, size_t len,
    const uint8_t *outer_params, size_t oplen, struct npkd_err *e)
{
	asn1_node		 n = NULL;
	struct npkd_buf		 d = { NULL, 0 };
	const uint8_t		*pp = outer_params;
	size_t			 plen = oplen;
	const struct npkd_curve	*c = NULL;
	int			 rc, expl;

	rc = npkd_asn1_decode("ECPrivateKey", der, len, &n, "EC private key", e);
	if (rc != NPKD_OK)
		return rc;
	if (npkd_asn1_read_alloc(n, "privateKey", &d) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "EC private key: no scalar");
		goto out;
	}
	if (pp == NULL)
		npkd_asn1_span(n, der, len, "parameters", &pp, &plen);
	if (pp != NULL && pp[0] == 0xa0) {
		/* Inside ECPrivateKey the parameters carry a [0] wrapper. */
		unsigned int tag;
		size_t hdr, cl;

		if (npkd_der_header(pp, plen, &tag, &hdr, &cl) != NPKD_OK) {
			rc = npkd_seterr(e, NPKD_E_FORMAT, "EC private key");
			goto out;
		}
		pp += hdr;
		plen = cl;
	}
	if (pp == NULL) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "EC private key: no curve");
		goto out;
	}
	if ((rc = npkd_ec_domain(pp, plen, &c, &expl, NULL, e)) != NPKD_OK)
		goto out;
	k->curve = c;
	rc = os_ec_key(k, c, d.data, d.len, e);
 out:
	if (d.data != NULL)
		gnutls_memset(d.data, 0, d.len);
	npkd_buf_free(&d);
	asn1_delete_structure(&n);
	return rc;
}

/* PKCS#8 PrivateKeyInfo with an EC key, or a bare ECPrivateKey. */
static int
ec_file_key(struct npkd_key *k, const uint8_t *der, size_t len,
    struct npkd_err *e)
{
	asn1_node	 n = NULL;
	struct npkd_buf	 inner = { NULL, 0 };
	const uint8_t	*pp;
	size_t		 plen;
	char		 oid[NPKD_OID_MAX];
	int		 rc;
	struct npkd_err	 e8;

	if (npkd_asn1_decode("PrivateKeyInfo", der, len, &n, "PKCS#8", &e8) !=
	    NPKD_OK)
		return ec_private(k, der, len, NULL, 0, e);
	npkd_asn1_read_oid(n, "privateKeyAlgorithm.algorithm", oid, sizeof(oid));
	if (strcmp(oid, OID_EC_PUBKEY) != 0 ||
	    npkd_asn1_span(n, der, len, "privateKeyAlgorithm.parameters", &pp,
	    &plen) != NPKD_OK ||
	    npkd_asn1_read_alloc(n, "privateKey", &inner) != NPKD_OK) {
		asn1_delete_structure(&n);
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "private key "
		    "algorithm %s", oid);
	}
	rc = ec_private(k, inner.data, inner.len, pp, plen, e);
	gnutls_memset(inner.data, 0, inner.len);
	npkd_buf_free(&inner);
	asn1_delete_structure(&n);
	return rc;
}

/*
 * Load a private key: "pkcs11:..." through p11-kit (pin, if given, is
 * used at login), else a PEM or DER file (unencrypted PKCS#8, PKCS#1 or
 * SEC 1).
 */
int
npkd_key_load(const char *spec, const char *pin, struct npkd_key **out,
    struct npkd_err *e)
{
	struct npkd_key	*k = NULL;
	struct npkd_buf	 f = { NULL, 0 }, der = { NULL, 0 };
	gnutls_datum_t	 dt;
	size_t		 off = 0;
	int		 r, rc;

	*out = NULL;
	if ((k = calloc(1, sizeof(*k))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "key");
	if (pin != NULL && (k->pin = strdup(pin)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "key");
		goto out;
	}
	if ((r = gnutls_privkey_init(&k->gt)) < 0) {
		rc = npkd_gnutls2err(e, r, spec);
		goto out;
	}
	if (strncmp(spec, "pkcs11:", 7) == 0) {
		gnutls_privkey_set_pin_function(k->gt, pin_cb, k);
		if ((r = gnutls_privkey_import_url(k->gt, spec, 0)) < 0) {
			rc = npkd_gnutls2err(e, r, "PKCS#11 key");
			goto out;
		}
		*out = k;
		return NPKD_OK;
	}
	if ((rc = npkd_file_read(spec, NPKD_MAX_DER, &f, e)) != NPKD_OK)
		goto out;
	dt.data = f.data;
	dt.size = (unsigned int)f.len;
	r = gnutls_privkey_import_x509_raw(k->gt, &dt, npkd_is_pem(f.data,
	    f.len) ? GNUTLS_X509_FMT_PEM : GNUTLS_X509_FMT_DER, NULL,
	    GNUTLS_PKCS_PLAIN);
	if (r >= 0) {
		*out = k;
		k = NULL;
		rc = NPKD_OK;
		goto out;
	}
	/* Not for GnuTLS (brainpool): decode the EC key ourselves. */
	gnutls_privkey_deinit(k->gt);
	k->gt = NULL;
	if (npkd_is_pem(f.data, f.len)) {
		if ((rc = npkd_pem_decode(f.data, f.len, &off, NULL, &der, NULL,
		    0, e)) != NPKD_OK)
			goto out;
	} else {
		der = f;
		f.data = NULL;
	}
	if ((rc = ec_file_key(k, der.data, der.len, e)) != NPKD_OK) {
		char m[sizeof(e->msg)];

		if (e != NULL) {
			snprintf(m, sizeof(m), "%s", e->msg);
			npkd_seterr(e, rc, "%s: %s", spec, m);
		}
		goto out;
	}
	*out = k;
	k = NULL;
	rc = NPKD_OK;
 out:
	if (f.data != NULL)
		gnutls_memset(f.data, 0, f.len);
	if (der.data != NULL)
		gnutls_memset(der.data, 0, der.len);
	npkd_buf_free(&f);
	npkd_buf_free(&der);
	npkd_key_free(k);
	return rc;
}

static gnutls_digest_algorithm_t
gt_dig(int h)
{
	switch (h) {
	case NPKD_HASH_SHA1:	return GNUTLS_DIG_SHA1;
	case NPKD_HASH_SHA224:	return GNUTLS_DIG_SHA224;
	case NPKD_HASH_SHA256:	return GNUTLS_DIG_SHA256;
	case NPKD_HASH_SHA384:	return GNUTLS_DIG_SHA384;
	case NPKD_HASH_SHA512:	return GNUTLS_DIG_SHA512;
	}
	return GNUTLS_DIG_UNKNOWN;
}

/* ECDSA with the OpenSSL key: a DER ECDSA-Sig-Value over the digest. */
static int
os_sign(struct npkd_key *k, const uint8_t *d, size_t dlen,
    struct npkd_buf *out, struct npkd_err *e)
{
	EVP_PKEY_CTX	*c;
	size_t		 len = 0;
	int		 rc = NPKD_E_CRYPTO;

	/* no digest set: the digest is taken as it is and truncated */
	if ((c = EVP_PKEY_CTX_new_from_pkey(npkd_ossl_libctx(), k->os,
	    NULL)) == NULL || EVP_PKEY_sign_init(c) != 1 ||
	    EVP_PKEY_sign(c, NULL, &len, d, dlen) != 1)
		goto out;
	if ((out->data = malloc(len)) == NULL) {
		rc = NPKD_E_NOMEM;
		goto out;
	}
	if (EVP_PKEY_sign(c, out->data, &len, d, dlen) != 1) {
		npkd_buf_free(out);
		goto out;
	}
	out->len = len;
	rc = NPKD_OK;
 out:
	ERR_clear_error();
	EVP_PKEY_CTX_free(c);
	if (rc != NPKD_OK)
		return npkd_seterr(e, rc, "sign: OpenSSL cannot sign");
	return NPKD_OK;
}

/*
 * Sign digest d (hash h) with k; the signature is checked against pub
 * before it is returned: a wrong key or a faulty token never leaves a bad
 * signature behind.  RSA keys sign PKCS#1 v1.5, or PSS (salt = digest
 * length) when pss is set; EC signatures come as DER ECDSA-Sig-Value.
 */
int
npkd_key_sign_pk(struct npkd_key *k, const struct npkd_pubkey *pub, int hash,
    int pss, const uint8_t *d, size_t dlen, struct npkd_buf *out,
    struct npkd_err *e)
{
	struct npkd_sigalg	 alg;
	gnutls_datum_t		 hd, sig = { NULL, 0 };
	int			 r, rc, pkalg;

	out->data = NULL;
	out->len = 0;
	if (dlen != npkd_hash_len(hash) || pub == NULL)
		return npkd_seterr(e, NPKD_E_USAGE, "sign: bad arguments");
	memset(&alg, 0, sizeof(alg));
	alg.hash = alg.mgf_hash = hash;
	if (pub->alg == NPKD_KEY_EC)
		alg.kind = NPKD_SIG_ECDSA;
	else if (pss || pub->alg == NPKD_KEY_RSA_PSS) {
		alg.kind = NPKD_SIG_RSA_PSS;
		alg.salt = (unsigned int)dlen;
	} else
		alg.kind = NPKD_SIG_RSA_PKCS1;
	if (k->os != NULL) {
		if (alg.kind != NPKD_SIG_ECDSA)
			return npkd_seterr(e, NPKD_E_USAGE, "sign: EC key, "
			    "public key is not EC");
		if ((rc = os_sign(k, d, dlen, out, e)) != NPKD_OK)
			return rc;
	} else {
		hd.data = (unsigned char *)(uintptr_t)d;
		hd.size = (unsigned int)dlen;
		pkalg = gnutls_privkey_get_pk_algorithm(k->gt, NULL);
		if (alg.kind == NPKD_SIG_RSA_PSS)
			r = gnutls_privkey_sign_hash2(k->gt, hash ==
			    NPKD_HASH_SHA256 ? GNUTLS_SIGN_RSA_PSS_SHA256 :
			    hash == NPKD_HASH_SHA384 ? GNUTLS_SIGN_RSA_PSS_SHA384 :
			    hash == NPKD_HASH_SHA512 ? GNUTLS_SIGN_RSA_PSS_SHA512 :
			    GNUTLS_SIGN_UNKNOWN, 0, &hd, &sig);
		else if (alg.kind == NPKD_SIG_RSA_PKCS1 &&
		    pkalg != GNUTLS_PK_RSA)
			return npkd_seterr(e, NPKD_E_USAGE, "sign: key is not "
			    "RSA");
		else
			r = gnutls_privkey_sign_hash(k->gt, gt_dig(hash), 0, &hd,
			    &sig);
		if (r < 0)
			return npkd_gnutls2err(e, r, "sign");
		if ((out->data = malloc(sig.size)) == NULL) {
			gnutls_free(sig.data);
			return npkd_seterr(e, NPKD_E_NOMEM, "sign");
		}
		memcpy(out->data, sig.data, sig.size);
		out->len = sig.size;
		gnutls_free(sig.data);
	}
	if ((rc = npkd_pubkey_verify(pub, &alg, d, dlen, out->data, out->len,
	    NULL, e)) != NPKD_OK) {
		npkd_buf_free(out);
		return npkd_seterr(e, NPKD_E_VERIFY, "sign: the signature does "
		    "not verify with the signer's public key (wrong key?)");
	}
	return NPKD_OK;
}

/* Sign as the holder of cert (see npkd_key_sign_pk). */
int
npkd_key_sign(struct npkd_key *k, const struct npkd_cert *cert, int hash,
    int pss, const uint8_t *d, size_t dlen, struct npkd_buf *out,
    struct npkd_err *e)
{
	out->data = NULL;
	out->len = 0;
	if (cert == NULL || cert->pub == NULL)
		return npkd_seterr(e, NPKD_E_USAGE, "sign: bad arguments");
	return npkd_key_sign_pk(k, cert->pub, hash, pss, d, dlen, out, e);
}

/*
 * The public point (04 || x || y) of an EC private key, field elements
 * padded to flen bytes.
 */
int
npkd_key_public_ec(struct npkd_key *k, size_t flen, struct npkd_buf *out,
    struct npkd_err *e)
{
	gnutls_datum_t	 x = { NULL, 0 }, y = { NULL, 0 }, kd = { NULL, 0 };
	gnutls_ecc_curve_t cv;
	const uint8_t	*xp, *yp;
	uint8_t		*p;
	size_t		 xl, yl;
	int		 rc = NPKD_E_CRYPTO;

	out->data = NULL;
	out->len = 0;
	if (flen == 0 || flen > 66 || (p = calloc(1, 1 + 2 * flen)) == NULL)
		return npkd_seterr(e, NPKD_E_USAGE, "EC key: field length");
	p[0] = 0x04;
	if (k->gt != NULL) {
		if (gnutls_privkey_export_ecc_raw(k->gt, &cv, &x, &y, &kd) < 0)
			goto out;
		xl = x.size;
		yl = y.size;
		/* GnuTLS may prepend a zero byte: keep the last flen */
		if (xl > flen && x.data[0] == 0) {
			memmove(x.data, x.data + 1, --xl);
		}
		if (yl > flen && y.data[0] == 0) {
			memmove(y.data, y.data + 1, --yl);
		}
		if (xl > flen || yl > flen)
			goto out;
		memcpy(p + 1 + flen - xl, x.data, xl);
		memcpy(p + 1 + 2 * flen - yl, y.data, yl);
	} else {
		/* the point made when the key was loaded (os_ec_key) */
		if (k->q.len < 3 || k->q.len % 2 != 1)
			goto out;
		xl = yl = k->q.len / 2;
		xp = k->q.data + 1;
		yp = xp + xl;
		while (xl > 0 && *xp == 0)
			xp++, xl--;
		while (yl > 0 && *yp == 0)
			yp++, yl--;
		if (xl > flen || yl > flen)
			goto out;
		memcpy(p + 1 + flen - xl, xp, xl);
		memcpy(p + 1 + 2 * flen - yl, yp, yl);
	}
	out->data = p;
	out->len = 1 + 2 * flen;
	p = NULL;
	rc = NPKD_OK;
 out:
	if (rc != NPKD_OK)
		npkd_seterr(e, rc, "EC key: cannot derive the public point");
	free(p);
	gnutls_free(x.data);
	gnutls_free(y.data);
	if (kd.data != NULL) {
		gnutls_memset(kd.data, 0, kd.size);
		gnutls_free(kd.data);
	}
	return rc;
}

/* RSA public modulus and exponent of a private key (GnuTLS keys). */
int
npkd_key_public_rsa(struct npkd_key *k, struct npkd_buf *n, struct npkd_buf *ex,
    struct npkd_err *e)
{
	gnutls_datum_t m = { NULL, 0 }, x = { NULL, 0 };

	n->data = ex->data = NULL;
	n->len = ex->len = 0;
	if (k->gt == NULL || gnutls_privkey_export_rsa_raw(k->gt, &m, &x, NULL,
	    NULL, NULL, NULL, NULL, NULL) < 0)
		return npkd_seterr(e, NPKD_E_CRYPTO, "RSA key: cannot read the "
		    "public part");
	n->data = malloc(m.size);
	ex->data = malloc(x.size);
	if (n->data == NULL || ex->data == NULL) {
		npkd_buf_free(n);
		npkd_buf_free(ex);
		gnutls_free(m.data);
		gnutls_free(x.data);
		return NPKD_E_NOMEM;
	}
	memcpy(n->data, m.data, m.size);
	n->len = m.size;
	memcpy(ex->data, x.data, x.size);
	ex->len = x.size;
	gnutls_free(m.data);
	gnutls_free(x.data);
	return NPKD_OK;
}

static int
der_encode(asn1_node n, struct npkd_buf *out, struct npkd_err *e)
{
	int len = 0, r;

	r = asn1_der_coding(n, "", NULL, &len, NULL);
	if (r != ASN1_MEM_ERROR)
		return npkd_asn2err(e, r, "key encoding");
	if ((out->data = malloc((size_t)len)) == NULL)
		return NPKD_E_NOMEM;
	if ((r = asn1_der_coding(n, "", out->data, &len, NULL)) != ASN1_SUCCESS) {
		npkd_buf_free(out);
		return npkd_asn2err(e, r, "key encoding");
	}
	out->len = (size_t)len;
	return NPKD_OK;
}

/*
 * Generate a private key and return it as unencrypted PKCS#8 DER: spec
 * is "rsa:BITS" (GnuTLS) or a curve name (NIST curves through GnuTLS,
 * brainpool through OpenSSL, written here as SEC 1 inside PKCS#8).
 */
int
npkd_key_generate(const char *spec, struct npkd_buf *out, struct npkd_err *e)
{
	const struct npkd_curve	*c = NULL;
	gnutls_x509_privkey_t	 xk = NULL;
	EVP_PKEY_CTX		*gc = NULL;
	EVP_PKEY		*pk = NULL;
	BIGNUM			*bd = NULL;
	OSSL_PARAM		 gp[2];
	asn1_node		 ec = NULL, p8 = NULL;
	struct npkd_buf		 inner = { NULL, 0 };
	gnutls_datum_t		 d = { NULL, 0 };
	uint8_t			 oid_null[2] = { 0x05, 0x00 }, pbits[200];
	unsigned long		 bits = 0;
	int			 r, rc = NPKD_E_CRYPTO;
	char			*end;

	out->data = NULL;
	out->len = 0;
	if (strncmp(spec, "rsa:", 4) == 0) {
		bits = strtoul(spec + 4, &end, 10);
		if (*end != '\0' || bits < 2048 || bits > 8192)
			return npkd_seterr(e, NPKD_E_USAGE, "rsa:BITS, 2048 to "
			    "8192");
	} else if ((c = npkd_curve_by_name(spec)) == NULL)
		return npkd_seterr(e, NPKD_E_USAGE, "unknown curve %s", spec);
	(void)oid_null;
	if (c == NULL || c->gnutls_id != 0) {
		if ((r = gnutls_x509_privkey_init(&xk)) < 0 ||
		    (r = gnutls_x509_privkey_generate2(xk, c == NULL ?
		    GNUTLS_PK_RSA : GNUTLS_PK_ECDSA, c == NULL ? (unsigned)bits :
		    GNUTLS_CURVE_TO_BITS(c->gnutls_id), 0, NULL, 0)) < 0 ||
		    (r = gnutls_x509_privkey_export2_pkcs8(xk, GNUTLS_X509_FMT_DER,
		    NULL, GNUTLS_PKCS_PLAIN, &d)) < 0) {
			rc = npkd_gnutls2err(e, r, "key generation");
			goto out;
		}
		if ((out->data = malloc(d.size)) == NULL) {
			rc = NPKD_E_NOMEM;
			goto out;
		}
		memcpy(out->data, d.data, d.size);
		out->len = d.size;
		rc = NPKD_OK;
		goto out;
	}
	/* brainpool: OpenSSL, then ECPrivateKey inside PrivateKeyInfo */
	gp[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
	    (char *)(uintptr_t)c->ossl_name, 0);
	gp[1] = OSSL_PARAM_construct_end();
	if ((gc = EVP_PKEY_CTX_new_from_name(npkd_ossl_libctx(), "EC",
	    NULL)) == NULL || EVP_PKEY_keygen_init(gc) != 1 ||
	    EVP_PKEY_CTX_set_params(gc, gp) != 1 ||
	    EVP_PKEY_generate(gc, &pk) != 1 ||
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bd) != 1 ||
	    BN_bn2binpad(bd, pbits, (int)c->len) != (int)c->len) {
		ERR_clear_error();
		rc = npkd_seterr(e, NPKD_E_CRYPTO, "key generation");
		goto out;
	}
	/* d as an octet string of the order's length (RFC 5915) */
	if ((r = asn1_create_element(npkd_asn1_defs, "NPKD.ECPrivateKey",
	    &ec)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(ec, "version", "1", 1)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(ec, "privateKey", pbits, (int)c->len)) !=
	    ASN1_SUCCESS ||
	    (r = asn1_write_value(ec, "parameters", NULL, 0)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(ec, "publicKey", NULL, 0)) != ASN1_SUCCESS) {
		rc = npkd_asn2err(e, r, "key encoding");
		goto out;
	}
	if ((rc = der_encode(ec, &inner, e)) != NPKD_OK)
		goto out;
	{
		uint8_t	 oidder[2 + 16];
		size_t	 on;
		asn1_node	 cp = NULL;
		struct npkd_buf	 params = { NULL, 0 };

		/* the namedCurve as DER, through the ECParameters type */
		if ((r = asn1_create_element(npkd_asn1_defs, "NPKD.ECParameters",
		    &cp)) != ASN1_SUCCESS ||
		    (r = asn1_write_value(cp, "", "namedCurve", 1)) !=
		    ASN1_SUCCESS ||
		    (r = asn1_write_value(cp, "namedCurve", c->oid, 1)) !=
		    ASN1_SUCCESS) {
			asn1_delete_structure(&cp);
			rc = npkd_asn2err(e, r, "key encoding");
			goto out;
		}
		rc = der_encode(cp, &params, e);
		asn1_delete_structure(&cp);
		if (rc != NPKD_OK)
			goto out;
		(void)oidder;
		(void)on;
		if ((r = asn1_create_element(npkd_asn1_defs,
		    "NPKD.PrivateKeyInfo", &p8)) != ASN1_SUCCESS ||
		    (r = asn1_write_value(p8, "version", "0", 1)) !=
		    ASN1_SUCCESS ||
		    (r = asn1_write_value(p8, "privateKeyAlgorithm.algorithm",
		    OID_EC_PUBKEY, 1)) != ASN1_SUCCESS ||
		    (r = asn1_write_value(p8, "privateKeyAlgorithm.parameters",
		    params.data, (int)params.len)) != ASN1_SUCCESS ||
		    (r = asn1_write_value(p8, "privateKey", inner.data,
		    (int)inner.len)) != ASN1_SUCCESS ||
		    (r = asn1_write_value(p8, "attributes", NULL, 0)) !=
		    ASN1_SUCCESS) {
			npkd_buf_free(&params);
			rc = npkd_asn2err(e, r, "key encoding");
			goto out;
		}
		npkd_buf_free(&params);
	}
	rc = der_encode(p8, out, e);
 out:
	gnutls_memset(pbits, 0, sizeof(pbits));
	if (inner.data != NULL)
		gnutls_memset(inner.data, 0, inner.len);
	npkd_buf_free(&inner);
	if (d.data != NULL) {
		gnutls_memset(d.data, 0, d.size);
		gnutls_free(d.data);
	}
	gnutls_x509_privkey_deinit(xk);
	BN_clear_free(bd);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(gc);
	asn1_delete_structure(&ec);
	asn1_delete_structure(&p8);
	return rc;
}
