/*
 * backend.c - the GnuTLS/nettle verification backend (RSA, NIST curves),
 * the checks npkd makes on EC keys before any library sees them, and the
 * handles' life cycle.  The OpenSSL backend is in backend_ossl.c; which
 * one checks a signature is decided in crypto.c (npkd_route).
 *
 * A key's library handles are made on first use and installed with a
 * compare-and-swap: a thread that loses the race frees its own copy.
 * After that they are only read, so verification is thread-safe.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <openssl/bn.h>

#include "npkd_int.h"

#define VFLAGS	(GNUTLS_VERIFY_ALLOW_BROKEN | GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1)

int
npkd_backend_init(struct npkd_err *e)
{
	return npkd_ossl_init(e);
}

void
npkd_be_unload(struct npkd_pubkey *k)
{
	gnutls_pubkey_t pk = atomic_exchange(&k->gnutls, NULL);

	if (pk != NULL)
		gnutls_pubkey_deinit(pk);
	npkd_ossl_unload(k);
}

static gnutls_pubkey_t
gt_make(const struct npkd_pubkey *k)
{
	gnutls_pubkey_t	 pk = NULL;
	gnutls_datum_t	 a, b;
	size_t		 flen;
	int		 r;

	if (gnutls_pubkey_init(&pk) < 0)
		return NULL;
	if (k->alg == NPKD_KEY_RSA || k->alg == NPKD_KEY_RSA_PSS) {
		a.data = k->n.data;
		a.size = (unsigned int)k->n.len;
		b.data = k->e.data;
		b.size = (unsigned int)k->e.len;
		r = gnutls_pubkey_import_rsa_raw(pk, &a, &b);
	} else if (k->curve != NULL && k->curve->gnutls_id != 0 &&
	    k->q.len == 1 + 2 * k->curve->len) {
		flen = k->curve->len;
		a.data = k->q.data + 1;
		a.size = (unsigned int)flen;
		b.data = k->q.data + 1 + flen;
		b.size = (unsigned int)flen;
		r = gnutls_pubkey_import_ecc_raw(pk,
		    (gnutls_ecc_curve_t)k->curve->gnutls_id, &a, &b);
	} else
		r = -1;
	if (r < 0) {
		gnutls_pubkey_deinit(pk);
		return NULL;
	}
	return pk;
}

void *
npkd_be_gnutls_key(const struct npkd_pubkey *ck)
{
	struct npkd_pubkey	*k = (struct npkd_pubkey *)(uintptr_t)ck;
	void			*pk, *none = NULL;

	if ((pk = atomic_load(&k->gnutls)) != NULL)
		return pk;
	if ((pk = gt_make(k)) == NULL)
		return NULL;
	if (!atomic_compare_exchange_strong(&k->gnutls, &none, pk)) {
		gnutls_pubkey_deinit(pk);
		pk = none;
	}
	return pk;
}

/* GnuTLS handles PSS when MGF1 uses the same hash and salt = hash size. */
static int
gt_can(const struct npkd_pubkey *k, const struct npkd_sigalg *a)
{
	switch (a->kind) {
	case NPKD_SIG_RSA_PKCS1:
		return k->alg == NPKD_KEY_RSA;
	case NPKD_SIG_RSA_PSS:
		return (k->alg == NPKD_KEY_RSA || k->alg == NPKD_KEY_RSA_PSS) &&
		    (a->hash == NPKD_HASH_SHA256 || a->hash == NPKD_HASH_SHA384 ||
		    a->hash == NPKD_HASH_SHA512) && a->mgf_hash == a->hash &&
		    a->salt == npkd_hash_len(a->hash);
	case NPKD_SIG_ECDSA:
		return k->alg == NPKD_KEY_EC && k->curve != NULL &&
		    k->curve->gnutls_id != 0 && a->hash >= NPKD_HASH_SHA1 &&
		    a->hash <= NPKD_HASH_SHA512;
	}
	return 0;
}

/* GnuTLS: the DigestInfo as given, compared with the decrypted block. */
static int
gt_rsa_pkcs1(const struct npkd_pubkey *k, const uint8_t *di, size_t dilen,
    const uint8_t *sig, size_t slen)
{
	gnutls_pubkey_t	 pk = npkd_be_gnutls_key(k);
	gnutls_datum_t	 h, s;

	h.data = (unsigned char *)(uintptr_t)di;
	h.size = (unsigned int)dilen;
	s.data = (unsigned char *)(uintptr_t)sig;
	s.size = (unsigned int)slen;
	if (pk == NULL || gnutls_pubkey_verify_hash2(pk, GNUTLS_SIGN_UNKNOWN,
	    GNUTLS_VERIFY_USE_TLS1_RSA, &h, &s) < 0)
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
	gnutls_pubkey_t	 pk = npkd_be_gnutls_key(k);
	gnutls_datum_t	 h, s;

	if (salt != npkd_hash_len(hash))	/* see gt_can() */
		return NPKD_E_VERIFY;
	h.data = (unsigned char *)(uintptr_t)d;
	h.size = (unsigned int)dlen;
	s.data = (unsigned char *)(uintptr_t)sig;
	s.size = (unsigned int)slen;
	if (pk == NULL || gnutls_pubkey_verify_hash2(pk,
	    gt_sign(NPKD_SIG_RSA_PSS, hash), VFLAGS, &h, &s) < 0)
		return NPKD_E_VERIFY;
	return NPKD_OK;
}

static int
gt_ecdsa(const struct npkd_pubkey *k, int hash, const uint8_t *d, size_t dlen,
    const uint8_t *r, size_t rlen, const uint8_t *s, size_t slen)
{
	gnutls_pubkey_t	 pk = npkd_be_gnutls_key(k);
	struct npkd_buf	 der = { NULL, 0 };
	gnutls_datum_t	 h, sg;
	int		 rc;

	if (pk == NULL || npkd_ecdsa_sig_encode(r, rlen, s, slen, &der) !=
	    NPKD_OK)
		return NPKD_E_VERIFY;
	h.data = (unsigned char *)(uintptr_t)d;
	h.size = (unsigned int)dlen;
	sg.data = der.data;
	sg.size = (unsigned int)der.len;
	rc = gnutls_pubkey_verify_hash2(pk, gt_sign(NPKD_SIG_ECDSA, hash),
	    VFLAGS, &h, &sg) < 0 ? NPKD_E_VERIFY : NPKD_OK;
	npkd_buf_free(&der);
	return rc;
}

const struct npkd_backend npkd_be_gnutls = {
	"gnutls", gt_can, gt_rsa_pkcs1, gt_rsa_pss, gt_ecdsa
};

const struct npkd_backend *const npkd_backends[] = {
	&npkd_be_gnutls, &npkd_be_ossl, NULL
};

/*
 * y^2 == x^3 + a x + b (mod p) for the point pt (04 || x || y), with
 * x and y below p.
 */
static int
on_curve(const BIGNUM *p, const BIGNUM *a, const BIGNUM *b, const uint8_t *pt,
    size_t flen, BN_CTX *ctx)
{
	BIGNUM	*x, *y, *l, *r, *t;
	int	 ok = 0;

	BN_CTX_start(ctx);
	x = BN_CTX_get(ctx);
	y = BN_CTX_get(ctx);
	l = BN_CTX_get(ctx);
	r = BN_CTX_get(ctx);
	t = BN_CTX_get(ctx);
	if (t == NULL || BN_bin2bn(pt + 1, (int)flen, x) == NULL ||
	    BN_bin2bn(pt + 1 + flen, (int)flen, y) == NULL ||
	    BN_cmp(x, p) >= 0 || BN_cmp(y, p) >= 0)
		goto out;
	if (BN_mod_sqr(l, y, p, ctx) &&			/* y^2 */
	    BN_mod_sqr(r, x, p, ctx) &&
	    BN_mod_mul(r, r, x, p, ctx) &&		/* x^3 */
	    BN_mod_mul(t, a, x, p, ctx) &&		/* a x */
	    BN_mod_add(r, r, t, p, ctx) &&
	    BN_mod_add(r, r, b, p, ctx))
		ok = BN_cmp(l, r) == 0;
 out:
	BN_CTX_end(ctx);
	return ok;
}

/*
 * Is q (04 || x || y) a point of the named curve c?  A public key that is
 * not is invalid, whatever it is asked to verify.
 */
int
npkd_ec_point_valid(const struct npkd_curve *c, const uint8_t *q, size_t qlen)
{
	BN_CTX	*ctx;
	BIGNUM	*p, *a, *b;
	int	 ok = 0;

	if (c == NULL || qlen != 1 + 2 * c->len || q[0] != 0x04)
		return 0;
	if ((ctx = BN_CTX_new()) == NULL)
		return 0;
	BN_CTX_start(ctx);
	p = BN_CTX_get(ctx);
	a = BN_CTX_get(ctx);
	b = BN_CTX_get(ctx);
	if (b != NULL && BN_bin2bn(c->p, (int)c->len, p) != NULL &&
	    BN_bin2bn(c->a, (int)c->len, a) != NULL &&
	    BN_bin2bn(c->b, (int)c->len, b) != NULL)
		ok = on_curve(p, a, b, q, c->len, ctx);
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return ok;
}

/*
 * Explicit parameters of no named curve come from untrusted input: a
 * library is handed only a sane prime field (odd p of 20 to 66 bytes),
 * a and b below p, an order of at most p's length, and a base point and
 * public point that are uncompressed and on the curve.
 */
int
npkd_ec_explicit_valid(const struct npkd_pubkey *k)
{
	BN_CTX	*ctx;
	BIGNUM	*p, *a, *b;
	size_t	 flen = k->ep[0].len;
	int	 ok = 0;

	if (flen < 20 || flen > 66 || !(k->ep[0].data[flen - 1] & 1) ||
	    k->ep[3].len != 1 + 2 * flen || k->ep[3].data[0] != 0x04 ||
	    k->q.len != 1 + 2 * flen || k->q.data[0] != 0x04 ||
	    k->ep[5].len == 0 || k->ep[5].len > flen + 1)
		return 0;
	if ((ctx = BN_CTX_new()) == NULL)
		return 0;
	BN_CTX_start(ctx);
	p = BN_CTX_get(ctx);
	a = BN_CTX_get(ctx);
	b = BN_CTX_get(ctx);
	if (b != NULL &&
	    BN_bin2bn(k->ep[0].data, (int)flen, p) != NULL &&
	    BN_bin2bn(k->ep[1].data, (int)k->ep[1].len, a) != NULL &&
	    BN_bin2bn(k->ep[2].data, (int)k->ep[2].len, b) != NULL &&
	    BN_cmp(a, p) < 0 && BN_cmp(b, p) < 0)
		ok = on_curve(p, a, b, k->ep[3].data, flen, ctx) &&
		    on_curve(p, a, b, k->q.data, flen, ctx);
	BN_CTX_end(ctx);
	BN_CTX_free(ctx);
	return ok;
}
