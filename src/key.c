/*
 * key.c - private keys for signing: PEM/DER files and PKCS#11 URIs.
 * GnuTLS signs RSA and NIST curves (nettle is fast, libgcrypt RSA signing
 * is slow) and everything on tokens; brainpool file keys, which GnuTLS
 * cannot import, are decoded here and signed by libgcrypt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gnutls/pkcs11.h>
#include <gnutls/x509.h>
#include <gcrypt.h>

#include "npkd_int.h"

#define OID_EC_PUBKEY	"1.2.840.10045.2.1"

struct npkd_key {
	gnutls_privkey_t	 gt;		/* GnuTLS (file or token) */
	gcry_sexp_t		 gc;		/* libgcrypt EC key */
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
	if (k->gc != NULL)
		gcry_sexp_release(k->gc);
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
	gcry_error_t		 err;
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
	if (c->gcry_name != NULL)
		err = gcry_sexp_build(&k->gc, NULL, "(private-key (ecc (curve %s)"
		    "(d %b)))", c->gcry_name, (int)d.len, d.data);
	else {
		uint8_t g[1 + 2 * 66];

		g[0] = 0x04;
		memcpy(g + 1, c->gx, c->len);
		memcpy(g + 1 + c->len, c->gy, c->len);
		err = gcry_sexp_build(&k->gc, NULL, "(private-key (ecc (p %b)"
		    "(a %b)(b %b)(g %b)(n %b)(h %u)(d %b)))", (int)c->len, c->p,
		    (int)c->len, c->a, (int)c->len, c->b, (int)(1 + 2 * c->len),
		    g, (int)c->len, c->n, 1u, (int)d.len, d.data);
	}
	if (err)
		rc = npkd_seterr(e, NPKD_E_CRYPTO, "EC private key: %s",
		    gcry_strerror(err));
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

static int
gc_sign(struct npkd_key *k, int hash, const uint8_t *d, size_t dlen,
    struct npkd_buf *out, struct npkd_err *e)
{
	static const char	*names[] = { NULL, "sha1", "sha224", "sha256",
	    "sha384", "sha512" };
	gcry_sexp_t		 data = NULL, sig = NULL, r = NULL, s = NULL;
	const char		*rp, *sp;
	size_t			 rl = 0, sl = 0;
	gcry_error_t		 err;
	int			 rc;

	err = gcry_sexp_build(&data, NULL, "(data (flags raw)(hash %s %b))",
	    names[hash], (int)dlen, d);
	if (!err)
		err = gcry_pk_sign(&sig, data, k->gc);
	gcry_sexp_release(data);
	if (err)
		return npkd_seterr(e, NPKD_E_CRYPTO, "sign: %s",
		    gcry_strerror(err));
	r = gcry_sexp_find_token(sig, "r", 0);
	s = gcry_sexp_find_token(sig, "s", 0);
	rp = r ? gcry_sexp_nth_data(r, 1, &rl) : NULL;
	sp = s ? gcry_sexp_nth_data(s, 1, &sl) : NULL;
	if (rp == NULL || sp == NULL)
		rc = npkd_seterr(e, NPKD_E_CRYPTO, "sign: no r and s");
	else if (npkd_ecdsa_sig_encode((const uint8_t *)rp, rl,
	    (const uint8_t *)sp, sl, out) != NPKD_OK)
		rc = npkd_seterr(e, NPKD_E_NOMEM, "sign");
	else
		rc = NPKD_OK;
	gcry_sexp_release(r);
	gcry_sexp_release(s);
	gcry_sexp_release(sig);
	return rc;
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
	if (k->gc != NULL) {
		if (alg.kind != NPKD_SIG_ECDSA)
			return npkd_seterr(e, NPKD_E_USAGE, "sign: EC key, "
			    "public key is not EC");
		if ((rc = gc_sign(k, hash, d, dlen, out, e)) != NPKD_OK)
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
	gcry_ctx_t	 ctx = NULL;
	gcry_mpi_t	 gx = NULL, gy = NULL;
	gcry_mpi_point_t q = NULL;
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
		if (gcry_mpi_ec_new(&ctx, k->gc, NULL) ||
		    (q = gcry_mpi_ec_get_point("q", ctx, 0)) == NULL)
			goto out;
		gx = gcry_mpi_new(0);
		gy = gcry_mpi_new(0);
		if (gcry_mpi_ec_get_affine(gx, gy, q, ctx) ||
		    gcry_mpi_print(GCRYMPI_FMT_USG, NULL, 0, &xl, gx) ||
		    gcry_mpi_print(GCRYMPI_FMT_USG, NULL, 0, &yl, gy) ||
		    xl > flen || yl > flen ||
		    gcry_mpi_print(GCRYMPI_FMT_USG, p + 1 + flen - xl, xl, NULL,
		    gx) ||
		    gcry_mpi_print(GCRYMPI_FMT_USG, p + 1 + 2 * flen - yl, yl,
		    NULL, gy))
			goto out;
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
	gcry_mpi_point_release(q);
	gcry_mpi_release(gx);
	gcry_mpi_release(gy);
	gcry_ctx_release(ctx);
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
 * brainpool through libgcrypt, written here as SEC 1 inside PKCS#8).
 */
int
npkd_key_generate(const char *spec, struct npkd_buf *out, struct npkd_err *e)
{
	const struct npkd_curve	*c = NULL;
	gnutls_x509_privkey_t	 xk = NULL;
	gcry_sexp_t		 parms = NULL, pair = NULL, dl = NULL;
	asn1_node		 ec = NULL, p8 = NULL;
	struct npkd_buf		 inner = { NULL, 0 };
	gnutls_datum_t		 d = { NULL, 0 };
	const char		*dv;
	size_t			 dlen;
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
	/* brainpool: libgcrypt, then ECPrivateKey inside PrivateKeyInfo */
	if (c->gcry_name != NULL)
		r = (int)gcry_sexp_build(&parms, NULL, "(genkey (ecc (curve %s)))",
		    c->gcry_name);
	else {
		uint8_t g[1 + 2 * 66];

		g[0] = 0x04;
		memcpy(g + 1, c->gx, c->len);
		memcpy(g + 1 + c->len, c->gy, c->len);
		r = (int)gcry_sexp_build(&parms, NULL, "(genkey (ecc (p %b)(a %b)"
		    "(b %b)(g %b)(n %b)(h %u)))", (int)c->len, c->p,
		    (int)c->len, c->a, (int)c->len, c->b, (int)(1 + 2 * c->len),
		    g, (int)c->len, c->n, 1u);
	}
	if (r != 0 || gcry_pk_genkey(&pair, parms) != 0 ||
	    (dl = gcry_sexp_find_token(pair, "d", 0)) == NULL ||
	    (dv = gcry_sexp_nth_data(dl, 1, &dlen)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_CRYPTO, "key generation");
		goto out;
	}
	/* d as an octet string of the order's length (RFC 5915) */
	if (dlen > c->len) {
		dv += dlen - c->len;
		dlen = c->len;
	}
	memset(pbits, 0, sizeof(pbits));
	memcpy(pbits + c->len - dlen, dv, dlen);
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
	gcry_sexp_release(parms);
	gcry_sexp_release(pair);
	gcry_sexp_release(dl);
	asn1_delete_structure(&ec);
	asn1_delete_structure(&p8);
	return rc;
}
