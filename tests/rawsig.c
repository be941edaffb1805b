/*
 * rawsig.c - the raw library calls make bench compares npkd with.
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/rsa.h>

#include "rawsig.h"

static EVP_MD *
ossl_md(int h)
{
	static const char *n[] = { "", "SHA1", "SHA224", "SHA256", "SHA384",
	    "SHA512" };

	return EVP_MD_fetch(npkd_ossl_libctx(), n[h], NULL);
}

static gnutls_digest_algorithm_t
gt_dig(int h)
{
	static const gnutls_digest_algorithm_t n[] = { GNUTLS_DIG_UNKNOWN,
	    GNUTLS_DIG_SHA1, GNUTLS_DIG_SHA224, GNUTLS_DIG_SHA256,
	    GNUTLS_DIG_SHA384, GNUTLS_DIG_SHA512 };

	return n[h];
}

void
rawsig_prepare(struct rawsig *r, const struct npkd_pubkey *k,
    const struct npkd_sigalg *a, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t slen)
{
	EVP_MD	*md;

	memset(r, 0, sizeof(*r));
	r->sig = sig;
	r->slen = slen;
	r->dlen = npkd_hash_len(a->hash);
	npkd_hash(a->hash, data, len, r->d, NULL);
	if (npkd_be_gnutls.can(k, a) &&
	    (r->gk = npkd_be_gnutls_key(k)) != NULL) {
		r->h.data = r->d;
		r->h.size = (unsigned int)r->dlen;
		r->sg.data = (unsigned char *)(uintptr_t)sig;
		r->sg.size = (unsigned int)slen;
		r->galg = gnutls_pk_to_sign(a->kind == NPKD_SIG_ECDSA ?
		    GNUTLS_PK_ECDSA : a->kind == NPKD_SIG_RSA_PSS ?
		    GNUTLS_PK_RSA_PSS : GNUTLS_PK_RSA, gt_dig(a->hash));
	}
	if (!npkd_be_ossl.can(k, a) || npkd_be_ossl_key(k) == NULL)
		return;
	md = ossl_md(a->hash);
	if ((r->octx = EVP_PKEY_CTX_new_from_pkey(npkd_ossl_libctx(),
	    npkd_be_ossl_key(k), NULL)) == NULL ||
	    EVP_PKEY_verify_init(r->octx) != 1 ||
	    (a->kind != NPKD_SIG_ECDSA &&
	    (EVP_PKEY_CTX_set_rsa_padding(r->octx, a->kind == NPKD_SIG_RSA_PSS ?
	    RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(r->octx, md) != 1)) ||
	    (a->kind == NPKD_SIG_RSA_PSS &&
	    (EVP_PKEY_CTX_set_rsa_mgf1_md(r->octx, md) != 1 ||
	    EVP_PKEY_CTX_set_rsa_pss_saltlen(r->octx, (int)a->salt) != 1))) {
		EVP_PKEY_CTX_free(r->octx);
		r->octx = NULL;
	}
	EVP_MD_free(md);
	ERR_clear_error();
}

int
rawsig_gnutls(const struct rawsig *r)
{
	return gnutls_pubkey_verify_hash2(r->gk,
	    (gnutls_sign_algorithm_t)r->galg, GNUTLS_VERIFY_ALLOW_BROKEN |
	    GNUTLS_VERIFY_ALLOW_SIGN_WITH_SHA1, &r->h, &r->sg) < 0;
}

int
rawsig_openssl(const struct rawsig *r)
{
	return EVP_PKEY_verify(r->octx, r->sig, r->slen, r->d, r->dlen) != 1;
}

int
rawsig_routed(const struct rawsig *r, const struct npkd_pubkey *k,
    const struct npkd_sigalg *a)
{
	const struct npkd_backend *be = npkd_route(k, a);

	if (be == &npkd_be_gnutls && r->gk != NULL)
		return rawsig_gnutls(r);
	if (be == &npkd_be_ossl && r->octx != NULL)
		return rawsig_openssl(r);
	return -1;
}

void
rawsig_clear(struct rawsig *r)
{
	EVP_PKEY_CTX_free(r->octx);
	r->octx = NULL;
}
