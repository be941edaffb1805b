/*
 * backend_ossl.c - the OpenSSL 3 libcrypto verification backend (EVP):
 * every curve npkd knows (brainpool r1 and t1 too), unnamed curves given
 * by their parameters, RSA PKCS#1 v1.5 and PSS with any salt length.
 * Which signatures it gets is decided in crypto.c (npkd_route).
 *
 * npkd works in its own library context with the default provider and no
 * configuration file: neither the system's openssl.cnf nor another user
 * of OpenSSL in the process changes what verifies.  A key's EVP_PKEY is
 * made on first use; each key keeps one verification context for the
 * next verification (taken and given back atomically; a second thread
 * meanwhile makes its own), as setting one up costs about as much as an
 * RSA-2048 verification.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/provider.h>
#include <openssl/rsa.h>

#include "npkd_int.h"

static OSSL_LIB_CTX	*libctx;
static EVP_MD		*mds[NPKD_HASH_SHA512 + 1];

int
npkd_ossl_init(struct npkd_err *e)
{
	static const char *names[] = { NULL, "SHA1", "SHA224", "SHA256",
	    "SHA384", "SHA512" };
	int i;

	if (libctx != NULL)
		return NPKD_OK;
	if (!OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) ||
	    (libctx = OSSL_LIB_CTX_new()) == NULL)
		return npkd_seterr(e, NPKD_E_CRYPTO, "OpenSSL: cannot "
		    "initialise");
	if (OSSL_PROVIDER_load(libctx, "default") == NULL) {
		OSSL_LIB_CTX_free(libctx);
		libctx = NULL;
		return npkd_seterr(e, NPKD_E_CRYPTO, "OpenSSL: no default "
		    "provider");
	}
	for (i = NPKD_HASH_SHA1; i <= NPKD_HASH_SHA512; i++)
		if ((mds[i] = EVP_MD_fetch(libctx, names[i], NULL)) == NULL)
			return npkd_seterr(e, NPKD_E_CRYPTO, "OpenSSL: no %s",
			    names[i]);
	return NPKD_OK;
}

void *
npkd_ossl_libctx(void)
{
	return libctx;
}

/* A verification context kept with its key, for one kind of check. */
struct vctx {
	EVP_PKEY_CTX	*ctx;
	unsigned int	 mode;
};

static void
vctx_free(struct vctx *v)
{
	if (v != NULL) {
		EVP_PKEY_CTX_free(v->ctx);
		free(v);
	}
}

void
npkd_ossl_unload(struct npkd_pubkey *k)
{
	vctx_free(atomic_exchange(&k->ossl_vctx, NULL));
	EVP_PKEY_free(atomic_exchange(&k->ossl, NULL));
}

static int
push_bn(OSSL_PARAM_BLD *bld, const char *key, const struct npkd_buf *b,
    BIGNUM **bn)
{
	if ((*bn = BN_bin2bn(b->data, (int)b->len, NULL)) == NULL)
		return 0;
	return OSSL_PARAM_BLD_push_BN(bld, key, *bn);
}

static EVP_PKEY *
os_make(const struct npkd_pubkey *k)
{
	OSSL_PARAM_BLD	*bld;
	OSSL_PARAM	*params = NULL;
	EVP_PKEY_CTX	*pctx = NULL;
	EVP_PKEY	*pk = NULL;
	BIGNUM		*bn[5] = { NULL, NULL, NULL, NULL, NULL };
	const char	*type = "EC";
	int		 ok, i;

	if ((bld = OSSL_PARAM_BLD_new()) == NULL)
		return NULL;
	if (k->alg == NPKD_KEY_RSA || k->alg == NPKD_KEY_RSA_PSS) {
		/* PSS restrictions of the key are npkd's (crypto.c) */
		type = "RSA";
		ok = push_bn(bld, OSSL_PKEY_PARAM_RSA_N, &k->n, &bn[0]) &&
		    push_bn(bld, OSSL_PKEY_PARAM_RSA_E, &k->e, &bn[1]);
	} else if (k->alg != NPKD_KEY_EC || !npkd_pubkey_point_ok(k))
		ok = 0;
	else if (k->curve != NULL)
		ok = OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_GROUP_NAME, k->curve->ossl_name, 0) &&
		    OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, k->q.data, k->q.len);
	else {
		/* checked by npkd_ec_explicit_valid(); cofactor 1 */
		static const uint8_t one[] = { 1 };
		const struct npkd_buf h = { (uint8_t *)(uintptr_t)one, 1 };

		ok = OSSL_PARAM_BLD_push_utf8_string(bld,
		    OSSL_PKEY_PARAM_EC_FIELD_TYPE, SN_X9_62_prime_field, 0) &&
		    push_bn(bld, OSSL_PKEY_PARAM_EC_P, &k->ep[0], &bn[0]) &&
		    push_bn(bld, OSSL_PKEY_PARAM_EC_A, &k->ep[1], &bn[1]) &&
		    push_bn(bld, OSSL_PKEY_PARAM_EC_B, &k->ep[2], &bn[2]) &&
		    push_bn(bld, OSSL_PKEY_PARAM_EC_ORDER, &k->ep[5], &bn[3]) &&
		    push_bn(bld, OSSL_PKEY_PARAM_EC_COFACTOR, &h, &bn[4]) &&
		    OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_EC_GENERATOR, k->ep[3].data,
		    k->ep[3].len) &&
		    OSSL_PARAM_BLD_push_octet_string(bld,
		    OSSL_PKEY_PARAM_PUB_KEY, k->q.data, k->q.len);
	}
	if (ok && (params = OSSL_PARAM_BLD_to_param(bld)) != NULL &&
	    (pctx = EVP_PKEY_CTX_new_from_name(libctx, type, NULL)) != NULL &&
	    EVP_PKEY_fromdata_init(pctx) == 1 &&
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) != 1) {
		EVP_PKEY_free(pk);
		pk = NULL;
	}
	EVP_PKEY_CTX_free(pctx);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	for (i = 0; i < 5; i++)
		BN_free(bn[i]);
	if (pk == NULL)
		ERR_clear_error();
	return pk;
}

void *
npkd_be_ossl_key(const struct npkd_pubkey *ck)
{
	struct npkd_pubkey	*k = (struct npkd_pubkey *)(uintptr_t)ck;
	void			*pk, *none = NULL;

	if ((pk = atomic_load(&k->ossl)) != NULL)
		return pk;
	if (libctx == NULL || (pk = os_make(k)) == NULL)
		return NULL;
	if (!atomic_compare_exchange_strong(&k->ossl, &none, pk)) {
		EVP_PKEY_free(pk);
		pk = none;
	}
	return pk;
}

#define MODE(kind, hash, salt) \
	((unsigned int)(kind) << 24 | (unsigned int)(hash) << 16 | (salt))

/* The key's verification context for mode, or a new one. */
static struct vctx *
vctx_take(const struct npkd_pubkey *ck, int kind, int hash, unsigned int salt)
{
	struct npkd_pubkey	*k = (struct npkd_pubkey *)(uintptr_t)ck;
	struct vctx		*v;
	EVP_PKEY		*pk;
	unsigned int		 mode = MODE(kind, hash, salt);

	if ((v = atomic_exchange(&k->ossl_vctx, NULL)) != NULL) {
		if (v->mode == mode)
			return v;
		vctx_free(v);
	}
	if ((pk = npkd_be_ossl_key(k)) == NULL ||
	    (v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	v->mode = mode;
	if ((v->ctx = EVP_PKEY_CTX_new_from_pkey(libctx, pk, NULL)) == NULL ||
	    EVP_PKEY_verify_init(v->ctx) != 1)
		goto fail;
	/* ECDSA: no digest set, so any length is taken and truncated */
	if (kind == NPKD_SIG_RSA_PKCS1 && EVP_PKEY_CTX_set_rsa_padding(v->ctx,
	    RSA_PKCS1_PADDING) != 1)
		goto fail;
	if (kind == NPKD_SIG_RSA_PSS && (EVP_PKEY_CTX_set_rsa_padding(v->ctx,
	    RSA_PKCS1_PSS_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(v->ctx, mds[hash]) != 1 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(v->ctx, mds[hash]) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(v->ctx, (int)salt) != 1))
		goto fail;
	return v;
 fail:
	vctx_free(v);
	ERR_clear_error();
	return NULL;
}

static void
vctx_give(const struct npkd_pubkey *ck, struct vctx *v)
{
	struct npkd_pubkey	*k = (struct npkd_pubkey *)(uintptr_t)ck;
	void			*none = NULL;

	if (!atomic_compare_exchange_strong(&k->ossl_vctx, &none, v))
		vctx_free(v);
}

static int
os_verify(const struct npkd_pubkey *k, int kind, int hash, unsigned int salt,
    const uint8_t *sig, size_t slen, const uint8_t *tbs, size_t tlen)
{
	struct vctx	*v;
	int		 ok;

	if ((v = vctx_take(k, kind, hash, salt)) == NULL)
		return NPKD_E_VERIFY;
	ok = EVP_PKEY_verify(v->ctx, sig, slen, tbs, tlen) == 1;
	if (!ok)
		ERR_clear_error();
	vctx_give(k, v);
	return ok ? NPKD_OK : NPKD_E_VERIFY;
}

/*
 * OpenSSL's RSA public operation refuses moduli over 16 384 bits,
 * exponents not below the modulus, and exponents over 64 bits with a
 * modulus over 3 072 bits (rsa_ossl_public_decrypt): those keys are not
 * for this backend.
 */
static int
os_rsa_ok(const struct npkd_pubkey *k)
{
	const uint8_t	*n = k->n.data, *x = k->e.data;
	size_t		 nl = k->n.len, xl = k->e.len;

	while (nl > 0 && *n == 0)
		n++, nl--;
	while (xl > 0 && *x == 0)
		x++, xl--;
	if (k->bits > 16384 || xl > nl || (xl == nl && memcmp(x, n, nl) >= 0))
		return 0;
	return k->bits <= 3072 || xl <= 8;
}

static int
os_can(const struct npkd_pubkey *k, const struct npkd_sigalg *a)
{
	if (a->hash < NPKD_HASH_SHA1 || a->hash > NPKD_HASH_SHA512)
		return 0;
	switch (a->kind) {
	case NPKD_SIG_RSA_PKCS1:
		return k->alg == NPKD_KEY_RSA && os_rsa_ok(k);
	case NPKD_SIG_RSA_PSS:
		return (k->alg == NPKD_KEY_RSA || k->alg == NPKD_KEY_RSA_PSS) &&
		    os_rsa_ok(k) && a->mgf_hash == a->hash && a->salt <= 1024;
	case NPKD_SIG_ECDSA:
		return k->alg == NPKD_KEY_EC;
	}
	return 0;
}

static int
os_rsa_pkcs1(const struct npkd_pubkey *k, const uint8_t *di, size_t dilen,
    const uint8_t *sig, size_t slen)
{
	/* no digest set: the recovered block is compared with di */
	return os_verify(k, NPKD_SIG_RSA_PKCS1, 0, 0, sig, slen, di, dilen);
}

static int
os_rsa_pss(const struct npkd_pubkey *k, int hash, unsigned int salt,
    const uint8_t *d, size_t dlen, const uint8_t *sig, size_t slen)
{
	if (hash < NPKD_HASH_SHA1 || hash > NPKD_HASH_SHA512 || salt > 1024)
		return NPKD_E_VERIFY;
	return os_verify(k, NPKD_SIG_RSA_PSS, hash, salt, sig, slen, d, dlen);
}

static int
os_ecdsa(const struct npkd_pubkey *k, int hash, const uint8_t *d, size_t dlen,
    const uint8_t *r, size_t rlen, const uint8_t *s, size_t slen)
{
	struct npkd_buf	 der = { NULL, 0 };
	int		 rc;

	(void)hash;
	if (npkd_ecdsa_sig_encode(r, rlen, s, slen, &der) != NPKD_OK)
		return NPKD_E_VERIFY;
	rc = os_verify(k, NPKD_SIG_ECDSA, 0, 0, der.data, der.len, d, dlen);
	npkd_buf_free(&der);
	return rc;
}

const struct npkd_backend npkd_be_ossl = {
	"openssl", os_can, os_rsa_pkcs1, os_rsa_pss, os_ecdsa
};
