/*
 * backend.c - the two verification backends behind struct npkd_backend:
 * GnuTLS/nettle (RSA, NIST curves) and libgcrypt (brainpool, unnamed
 * curves, PSS forms GnuTLS lacks).  Handles are built when a key is
 * parsed and only read afterwards, so verification is thread-safe.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <gcrypt.h>

#include "npkd_int.h"

#define VFLAGS	(GNUTLS_VERIFY_ALLOW_BROKEN | GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1)

static const char *
gcry_hash(int h)
{
	switch (h) {
	case NPKD_HASH_SHA1:	return "sha1";
	case NPKD_HASH_SHA224:	return "sha224";
	case NPKD_HASH_SHA256:	return "sha256";
	case NPKD_HASH_SHA384:	return "sha384";
	case NPKD_HASH_SHA512:	return "sha512";
	}
	return NULL;
}

int
npkd_backend_init(struct npkd_err *e)
{
	static int done;

	if (done)
		return NPKD_OK;
	if (!gcry_check_version(GCRYPT_VERSION))
		return npkd_seterr(e, NPKD_E_CRYPTO, "libgcrypt version mismatch");
	/* Public-key verification only: no secure memory needed here. */
	gcry_control(GCRYCTL_DISABLE_SECMEM, 0);
	gcry_control(GCRYCTL_INITIALIZATION_FINISHED, 0);
	done = 1;
	return NPKD_OK;
}

void
npkd_be_unload(struct npkd_pubkey *k)
{
	if (k->gnutls != NULL)
		gnutls_pubkey_deinit(k->gnutls);
	if (k->gcry != NULL)
		gcry_sexp_release(k->gcry);
	k->gnutls = k->gcry = NULL;
}

int
npkd_be_gnutls_load(struct npkd_pubkey *k, struct npkd_err *e)
{
	gnutls_pubkey_t	 pk = NULL;
	gnutls_datum_t	 a, b;
	size_t		 flen;
	int		 r;

	if ((r = gnutls_pubkey_init(&pk)) < 0)
		return npkd_gnutls2err(e, r, "public key");
	if (k->alg == NPKD_KEY_RSA || k->alg == NPKD_KEY_RSA_PSS) {
		a.data = k->n.data;
		a.size = (unsigned int)k->n.len;
		b.data = k->e.data;
		b.size = (unsigned int)k->e.len;
		r = gnutls_pubkey_import_rsa_raw(pk, &a, &b);
	} else {
		flen = k->curve->len;
		if (k->q.len != 1 + 2 * flen) {
			gnutls_pubkey_deinit(pk);
			return npkd_seterr(e, NPKD_E_FORMAT,
			    "EC public key: point size does not fit %s",
			    k->curve->name);
		}
		a.data = k->q.data + 1;
		a.size = (unsigned int)flen;
		b.data = k->q.data + 1 + flen;
		b.size = (unsigned int)flen;
		r = gnutls_pubkey_import_ecc_raw(pk,
		    (gnutls_ecc_curve_t)k->curve->gnutls_id, &a, &b);
	}
	if (r < 0) {
		gnutls_pubkey_deinit(pk);
		return npkd_gnutls2err(e, r, "public key");
	}
	k->gnutls = pk;
	return NPKD_OK;
}

static gcry_mpi_t
mpi(const struct npkd_buf *b)
{
	gcry_mpi_t m = NULL;

	if (gcry_mpi_scan(&m, GCRYMPI_FMT_USG, b->data, b->len, NULL) != 0)
		return NULL;
	return m;
}

/* y^2 == x^3 + a x + b (mod p) for the point pt (04 || x || y). */
static int
on_curve(gcry_mpi_t p, gcry_mpi_t a, gcry_mpi_t b, const uint8_t *pt,
    size_t flen)
{
	gcry_mpi_t	 x = NULL, y = NULL, l, r, t;
	int		 ok;

	if (gcry_mpi_scan(&x, GCRYMPI_FMT_USG, pt + 1, flen, NULL) != 0 ||
	    gcry_mpi_scan(&y, GCRYMPI_FMT_USG, pt + 1 + flen, flen, NULL) != 0) {
		gcry_mpi_release(x);
		return 0;
	}
	l = gcry_mpi_new(0);
	r = gcry_mpi_new(0);
	t = gcry_mpi_new(0);
	ok = gcry_mpi_cmp(x, p) < 0 && gcry_mpi_cmp(y, p) < 0;
	gcry_mpi_mulm(l, y, y, p);		/* y^2 */
	gcry_mpi_mulm(r, x, x, p);
	gcry_mpi_mulm(r, r, x, p);		/* x^3 */
	gcry_mpi_mulm(t, a, x, p);		/* a x */
	gcry_mpi_addm(r, r, t, p);
	gcry_mpi_addm(r, r, b, p);
	ok = ok && gcry_mpi_cmp(l, r) == 0;
	gcry_mpi_release(x);
	gcry_mpi_release(y);
	gcry_mpi_release(l);
	gcry_mpi_release(r);
	gcry_mpi_release(t);
	return ok;
}

/*
 * Is q (04 || x || y) a point of the named curve c?  A public key that is
 * not is invalid, whatever it is asked to verify.
 */
int
npkd_ec_point_valid(const struct npkd_curve *c, const uint8_t *q, size_t qlen)
{
	gcry_mpi_t	 p = NULL, a = NULL, b = NULL;
	int		 ok = 0;

	if (c == NULL || qlen != 1 + 2 * c->len || q[0] != 0x04)
		return 0;
	if (gcry_mpi_scan(&p, GCRYMPI_FMT_USG, c->p, c->len, NULL) == 0 &&
	    gcry_mpi_scan(&a, GCRYMPI_FMT_USG, c->a, c->len, NULL) == 0 &&
	    gcry_mpi_scan(&b, GCRYMPI_FMT_USG, c->b, c->len, NULL) == 0)
		ok = on_curve(p, a, b, q, c->len);
	gcry_mpi_release(p);
	gcry_mpi_release(a);
	gcry_mpi_release(b);
	return ok;
}

/*
 * Explicit parameters of no named curve come from untrusted input:
 * libgcrypt is handed only a sane prime field, a, b below p, and a base
 * point and public point that are uncompressed and on the curve.
 */
static int
check_explicit(const struct npkd_pubkey *k, struct npkd_err *e)
{
	gcry_mpi_t	 p = NULL, a = NULL, b = NULL;
	size_t		 flen = k->ep[0].len;
	int		 ok = 0;

	if (flen < 20 || flen > 66 || !(k->ep[0].data[flen - 1] & 1) ||
	    k->ep[3].len != 1 + 2 * flen || k->ep[3].data[0] != 0x04 ||
	    k->q.len != 1 + 2 * flen || k->q.data[0] != 0x04 ||
	    k->ep[5].len == 0 || k->ep[5].len > flen + 1)
		goto out;
	if ((p = mpi(&k->ep[0])) == NULL || (a = mpi(&k->ep[1])) == NULL ||
	    (b = mpi(&k->ep[2])) == NULL)
		goto out;
	if (gcry_mpi_cmp(a, p) >= 0 || gcry_mpi_cmp(b, p) >= 0)
		goto out;
	ok = on_curve(p, a, b, k->ep[3].data, flen) &&
	    on_curve(p, a, b, k->q.data, flen);
 out:
	gcry_mpi_release(p);
	gcry_mpi_release(a);
	gcry_mpi_release(b);
	if (!ok)
		return npkd_seterr(e, NPKD_E_FORMAT, "EC parameters of no named "
		    "curve are not a usable curve and point");
	return NPKD_OK;
}

int
npkd_be_gcrypt_load(struct npkd_pubkey *k, struct npkd_err *e)
{
	const struct npkd_curve	*c = k->curve;
	gcry_sexp_t		 s = NULL;
	gcry_error_t		 err;
	uint8_t			 g[1 + 2 * 66];

	if (k->alg == NPKD_KEY_EC && c != NULL && k->q.len != 1 + 2 * c->len)
		return npkd_seterr(e, NPKD_E_FORMAT,
		    "EC public key: point size does not fit %s", c->name);
	if (k->alg == NPKD_KEY_EC && c == NULL && check_explicit(k, e) !=
	    NPKD_OK)
		return NPKD_E_FORMAT;
	if (k->alg == NPKD_KEY_RSA || k->alg == NPKD_KEY_RSA_PSS)
		err = gcry_sexp_build(&s, NULL,
		    "(public-key (rsa (n %b)(e %b)))", (int)k->n.len, k->n.data,
		    (int)k->e.len, k->e.data);
	else if (c != NULL && c->gcry_name != NULL)
		err = gcry_sexp_build(&s, NULL,
		    "(public-key (ecc (curve %s)(q %b)))", c->gcry_name,
		    (int)k->q.len, k->q.data);
	else if (c != NULL) {
		/* Named, but not in libgcrypt's table (brainpool t1). */
		g[0] = 0x04;
		memcpy(g + 1, c->gx, c->len);
		memcpy(g + 1 + c->len, c->gy, c->len);
		err = gcry_sexp_build(&s, NULL, "(public-key (ecc (p %b)(a %b)"
		    "(b %b)(g %b)(n %b)(h %u)(q %b)))", (int)c->len, c->p,
		    (int)c->len, c->a, (int)c->len, c->b, (int)(1 + 2 * c->len),
		    g, (int)c->len, c->n, 1u, (int)k->q.len, k->q.data);
	} else
		err = gcry_sexp_build(&s, NULL, "(public-key (ecc (p %b)(a %b)"
		    "(b %b)(g %b)(n %b)(h %u)(q %b)))", (int)k->ep[0].len,
		    k->ep[0].data, (int)k->ep[1].len, k->ep[1].data,
		    (int)k->ep[2].len, k->ep[2].data, (int)k->ep[3].len,
		    k->ep[3].data, (int)k->ep[5].len, k->ep[5].data, 1u,
		    (int)k->q.len, k->q.data);
	if (err)
		return npkd_seterr(e, NPKD_E_CRYPTO, "public key: %s",
		    gcry_strerror(err));
	k->gcry = s;
	return NPKD_OK;
}

/* GnuTLS: the DigestInfo as given, compared with the decrypted block. */
static int
gt_rsa_pkcs1(const struct npkd_pubkey *k, const uint8_t *di, size_t dilen,
    const uint8_t *sig, size_t slen)
{
	gnutls_datum_t h, s;

	h.data = (unsigned char *)(uintptr_t)di;
	h.size = (unsigned int)dilen;
	s.data = (unsigned char *)(uintptr_t)sig;
	s.size = (unsigned int)slen;
	if (k->gnutls == NULL || gnutls_pubkey_verify_hash2(k->gnutls,
	    GNUTLS_SIGN_UNKNOWN, GNUTLS_VERIFY_USE_TLS1_RSA, &h, &s) < 0)
		return NPKD_E_VERIFY;
	return NPKD_OK;
}

static gnutls_sign_algorithm_t
gt_sign(int kind, int hash)
{
	static const gnutls_sign_algorithm_t pss[] = { 0, 0, 0,
	    GNUTLS_SIGN_RSA_PSS_SHA256, GNUTLS_SIGN_RSA_PSS_SHA384,
	    GNUTLS_SIGN_RSA_PSS_SHA512 };
	static const gnutls_sign_algorithm_t ec[] = { 0, GNUTLS_SIGN_ECDSA_SHA1,
	    GNUTLS_SIGN_ECDSA_SHA224, GNUTLS_SIGN_ECDSA_SHA256,
	    GNUTLS_SIGN_ECDSA_SHA384, GNUTLS_SIGN_ECDSA_SHA512 };

	if (hash < NPKD_HASH_SHA1 || hash > NPKD_HASH_SHA512)
		return GNUTLS_SIGN_UNKNOWN;
	return kind == NPKD_SIG_RSA_PSS ? pss[hash] : ec[hash];
}

static int
gt_rsa_pss(const struct npkd_pubkey *k, int hash, unsigned int salt,
    const uint8_t *d, size_t dlen, const uint8_t *sig, size_t slen)
{
	gnutls_datum_t h, s;

	(void)salt;	/* GnuTLS uses the digest size: see pss_gnutls_ok() */
	h.data = (unsigned char *)(uintptr_t)d;
	h.size = (unsigned int)dlen;
	s.data = (unsigned char *)(uintptr_t)sig;
	s.size = (unsigned int)slen;
	if (k->gnutls == NULL || gnutls_pubkey_verify_hash2(k->gnutls,
	    gt_sign(NPKD_SIG_RSA_PSS, hash), VFLAGS, &h, &s) < 0)
		return NPKD_E_VERIFY;
	return NPKD_OK;
}

static int
gt_ecdsa(const struct npkd_pubkey *k, int hash, const uint8_t *d, size_t dlen,
    const uint8_t *r, size_t rlen, const uint8_t *s, size_t slen)
{
	struct npkd_buf	 der = { NULL, 0 };
	gnutls_datum_t	 h, sg;
	int		 rc;

	if (k->gnutls == NULL || npkd_ecdsa_sig_encode(r, rlen, s, slen, &der) !=
	    NPKD_OK)
		return NPKD_E_VERIFY;
	h.data = (unsigned char *)(uintptr_t)d;
	h.size = (unsigned int)dlen;
	sg.data = der.data;
	sg.size = (unsigned int)der.len;
	rc = gnutls_pubkey_verify_hash2(k->gnutls, gt_sign(NPKD_SIG_ECDSA, hash),
	    VFLAGS, &h, &sg) < 0 ? NPKD_E_VERIFY : NPKD_OK;
	npkd_buf_free(&der);
	return rc;
}

static int
gc_verify(const struct npkd_pubkey *k, gcry_sexp_t data, gcry_sexp_t sig)
{
	gcry_error_t err;

	err = gcry_pk_verify(sig, data, k->gcry);
	gcry_sexp_release(data);
	gcry_sexp_release(sig);
	return err ? NPKD_E_VERIFY : NPKD_OK;
}

static int
gc_rsa_pkcs1(const struct npkd_pubkey *k, const uint8_t *di, size_t dilen,
    const uint8_t *sig, size_t slen)
{
	gcry_sexp_t data = NULL, s = NULL;

	if (k->gcry == NULL ||
	    gcry_sexp_build(&data, NULL, "(data (flags pkcs1-raw)(value %b))",
	    (int)dilen, di) ||
	    gcry_sexp_build(&s, NULL, "(sig-val (rsa (s %b)))", (int)slen, sig)) {
		gcry_sexp_release(data);
		return NPKD_E_VERIFY;
	}
	return gc_verify(k, data, s);
}

static int
gc_rsa_pss(const struct npkd_pubkey *k, int hash, unsigned int salt,
    const uint8_t *d, size_t dlen, const uint8_t *sig, size_t slen)
{
	gcry_sexp_t data = NULL, s = NULL;

	/* libgcrypt: the salt length goes in as an argument (design.md 7). */
	if (k->gcry == NULL || gcry_hash(hash) == NULL ||
	    gcry_sexp_build(&data, NULL, "(data (flags pss)(hash %s %b)"
	    "(salt-length %u))", gcry_hash(hash), (int)dlen, d, salt) ||
	    gcry_sexp_build(&s, NULL, "(sig-val (rsa (s %b)))", (int)slen, sig)) {
		gcry_sexp_release(data);
		return NPKD_E_VERIFY;
	}
	return gc_verify(k, data, s);
}

static int
gc_ecdsa(const struct npkd_pubkey *k, int hash, const uint8_t *d, size_t dlen,
    const uint8_t *r, size_t rlen, const uint8_t *s, size_t slen)
{
	gcry_sexp_t data = NULL, sg = NULL;

	/* (hash ...) with raw flags: libgcrypt truncates to the order. */
	if (k->gcry == NULL || gcry_hash(hash) == NULL ||
	    gcry_sexp_build(&data, NULL, "(data (flags raw)(hash %s %b))",
	    gcry_hash(hash), (int)dlen, d) ||
	    gcry_sexp_build(&sg, NULL, "(sig-val (ecdsa (r %b)(s %b)))",
	    (int)rlen, r, (int)slen, s)) {
		gcry_sexp_release(data);
		return NPKD_E_VERIFY;
	}
	return gc_verify(k, data, sg);
}

const struct npkd_backend npkd_be_gnutls = {
	"gnutls", gt_rsa_pkcs1, gt_rsa_pss, gt_ecdsa
};

const struct npkd_backend npkd_be_gcrypt = {
	"gcrypt", gc_rsa_pkcs1, gc_rsa_pss, gc_ecdsa
};
