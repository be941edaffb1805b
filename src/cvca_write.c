/*
 * cvca_write.c - writing card verifiable certificates and requests (BSI
 * TR-03110-3 appendix C): minimal TLVs, plain ECDSA signatures, keys
 * taken from private keys (their curve found among the named ones) or
 * from the public key of a key on a token.  What is written is read
 * back and its signature checked before it is returned.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cvc_int.h"


/* TLV writer: tag of 1 or 2 bytes, minimal definite length. */
static int
put(struct npkd_dbuf *d, unsigned int tag, const void *v, size_t len)
{
	uint8_t	 h[8];
	size_t	 n = 0;

	if (tag > 0xff)
		h[n++] = (uint8_t)(tag >> 8);
	h[n++] = (uint8_t)tag;
	if (len < 0x80)
		h[n++] = (uint8_t)len;
	else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (uint8_t)len;
	} else if (len <= 0xffff) {
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	} else
		return NPKD_E_LIMIT;
	if (npkd_dbuf_add(d, h, n) != NPKD_OK || (len > 0 &&
	    npkd_dbuf_add(d, v, len) != NPKD_OK))
		return NPKD_E_NOMEM;
	return NPKD_OK;
}

/* An unsigned number in its minimal encoding (C.1.1), as a TLV. */
static int
put_uint(struct npkd_dbuf *d, unsigned int tag, const struct npkd_buf *b)
{
	const uint8_t	*p;
	size_t		 n;

	npkd_cvc_unsigned(b, &p, &n);
	return put(d, tag, p, n);
}

static int
oid_der(const char *dotted, uint8_t *out, size_t *n)
{
	unsigned long	 arc[20], v;
	size_t		 na = 0, i, k;
	char		*end;
	uint8_t		 t[8];

	while (*dotted != '\0' && na < 20) {
		arc[na++] = strtoul(dotted, &end, 10);
		if (*end != '.' && *end != '\0')
			return NPKD_E_USAGE;
		dotted = *end == '.' ? end + 1 : end;
	}
	if (na < 2 || *dotted != '\0')
		return NPKD_E_USAGE;
	*n = 0;
	out[(*n)++] = (uint8_t)(arc[0] * 40 + arc[1]);
	for (i = 2; i < na && *n < 24; i++) {
		v = arc[i];
		k = 0;
		do {
			t[k++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v);
		while (k > 0) {
			k--;
			out[(*n)++] = (uint8_t)(t[k] | (k ? 0x80 : 0));
		}
	}
	return i == na ? NPKD_OK : NPKD_E_USAGE;
}

static void
digits(time_t t, uint8_t *out)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	out[0] = (uint8_t)(tm.tm_year % 100 / 10);
	out[1] = (uint8_t)(tm.tm_year % 10);
	out[2] = (uint8_t)((tm.tm_mon + 1) / 10);
	out[3] = (uint8_t)((tm.tm_mon + 1) % 10);
	out[4] = (uint8_t)(tm.tm_mday / 10);
	out[5] = (uint8_t)(tm.tm_mday % 10);
}

/*
 * Sign data with key (public part pub) by algorithm sigkind/hash and
 * append the 5F37 signature: ECDSA as plain r || s, each as long as the
 * order (order_len bytes).
 */
static int
sign_append(struct npkd_key *key, const struct npkd_pubkey *pub, int sigkind,
    int hash, size_t order_len, const uint8_t *data, size_t len,
    struct npkd_dbuf *dst, struct npkd_err *e)
{
	struct npkd_buf	 sig = { NULL, 0 };
	uint8_t		 d[NPKD_MAX_HASH], rs[2 * 66 + 2];
	const uint8_t	*r, *sv;
	size_t		 rl, sl;
	int		 rc;

	if ((rc = npkd_hash(hash, data, len, d, e)) != NPKD_OK ||
	    (rc = npkd_key_sign_pk(key, pub, hash, sigkind == NPKD_SIG_RSA_PSS,
	    d, npkd_hash_len(hash), &sig, e)) != NPKD_OK)
		return rc;
	if (sigkind == NPKD_SIG_ECDSA) {
		if (npkd_ecdsa_sig_decode(sig.data, sig.len, &r, &rl, &sv,
		    &sl) != NPKD_OK || rl > order_len || sl > order_len ||
		    2 * order_len > sizeof(rs)) {
			npkd_buf_free(&sig);
			return npkd_seterr(e, NPKD_E_CRYPTO, "CVC: signature");
		}
		memset(rs, 0, 2 * order_len);
		memcpy(rs + order_len - rl, r, rl);
		memcpy(rs + 2 * order_len - sl, sv, sl);
		rc = put(dst, T_SIG, rs, 2 * order_len);
	} else
		rc = put(dst, T_SIG, sig.data, sig.len);
	npkd_buf_free(&sig);
	return rc;
}

/* 7F49: OID, then EC (domain parameters when with_dp) or RSA fields. */
static int
put_key(struct npkd_dbuf *pk, const struct cvc_key *k, int with_dp)
{
	static const struct npkd_buf one = { (uint8_t *)(uintptr_t)"\x01", 1 };
	uint8_t		 oid[32];
	size_t		 olen, i;
	int		 rc;

	if ((rc = oid_der(k->oid, oid, &olen)) != NPKD_OK ||
	    (rc = put(pk, T_OID, oid, olen)) != NPKD_OK)
		return rc;
	if (k->sigkind != NPKD_SIG_ECDSA) {
		if ((rc = put_uint(pk, 0x81, &k->q)) != NPKD_OK)
			return rc;
		return put_uint(pk, 0x82, &k->e);
	}
	if (with_dp) {
		if (!k->has_dp)
			return NPKD_E_USAGE;
		for (i = 0; i < 5; i++)
			if ((rc = i == 3 ? put(pk, 0x84, k->dp[3].data,
			    k->dp[3].len) : put_uint(pk, 0x81 + (unsigned int)i,
			    &k->dp[i])) != NPKD_OK)
				return rc;
	}
	if ((rc = put(pk, 0x86, k->q.data, k->q.len)) != NPKD_OK)
		return rc;
	if (with_dp)
		rc = put_uint(pk, 0x87, k->cof.len > 0 ? &k->cof : &one);
	return rc;
}

/*
 * Encode t and sign it with key as the holder of signer key sk; the
 * result is parsed and its signature checked with sk before it is
 * returned.
 */
int
npkd_cvc_encode(const struct cvc_tbs *t, struct npkd_key *key,
    const struct cvc_key *sk, struct npkd_buf *out, struct npkd_err *e)
{
	struct npkd_dbuf	 pk, ch, body, cert, tbs;
	struct npkd_pubkey	*pub = NULL;
	struct npkd_cvc		*chk = NULL;
	struct npkd_err		 ce;
	uint8_t			 oid[32], ced[6], cxd[6], zero = 0;
	size_t			 olen;
	int			 rc;

	out->data = NULL;
	out->len = 0;
	npkd_dbuf_init(&pk, CVC_MAX);
	npkd_dbuf_init(&ch, CVC_MAX);
	npkd_dbuf_init(&body, CVC_MAX);
	npkd_dbuf_init(&cert, CVC_MAX);
	npkd_dbuf_init(&tbs, CVC_MAX);
	if (strlen(t->car) == 0 || strlen(t->car) > 16 || strlen(t->chr) == 0 ||
	    strlen(t->chr) > 16) {
		rc = npkd_seterr(e, NPKD_E_USAGE, "CVC: a CAR and CHR of 1 to "
		    "16 characters");
		goto out;
	}
	if ((rc = put_key(&pk, t->key, t->with_dp)) != NPKD_OK ||
	    (rc = oid_der(t->chat_oid, oid, &olen)) != NPKD_OK ||
	    (rc = put(&ch, T_OID, oid, olen)) != NPKD_OK ||
	    (rc = put(&ch, T_RIGHTS, t->rights, t->nrights)) != NPKD_OK)
		goto out;
	digits(t->effective, ced);
	digits(t->expiry, cxd);
	if ((rc = put(&body, T_CPI, &zero, 1)) != NPKD_OK ||
	    (rc = put(&body, T_CAR, t->car, strlen(t->car))) != NPKD_OK ||
	    (rc = put(&body, T_PUBKEY, pk.data, pk.len)) != NPKD_OK ||
	    (rc = put(&body, T_CHR, t->chr, strlen(t->chr))) != NPKD_OK ||
	    (rc = put(&body, T_CHAT, ch.data, ch.len)) != NPKD_OK ||
	    (rc = put(&body, T_CED, ced, 6)) != NPKD_OK ||
	    (rc = put(&body, T_CXD, cxd, 6)) != NPKD_OK ||
	    (t->ext != NULL && (rc = put(&body, T_EXT, t->ext, t->ext_len)) !=
	    NPKD_OK) ||
	    (rc = put(&tbs, T_BODY, body.data, body.len)) != NPKD_OK)
		goto out;
	/* sign the encoded body with the signer's key and algorithm */
	if ((rc = npkd_cvc_key_pub(sk, &pub, e)) != NPKD_OK ||
	    (rc = npkd_dbuf_add(&cert, tbs.data, tbs.len)) != NPKD_OK ||
	    (rc = sign_append(key, pub, sk->sigkind, sk->hash, sk->sigkind ==
	    NPKD_SIG_ECDSA ? npkd_cvc_order_len(&sk->dp[4]) : 0, tbs.data,
	    tbs.len, &cert, e)) != NPKD_OK)
		goto out;
	npkd_dbuf_free(&tbs);
	npkd_dbuf_init(&tbs, CVC_MAX);
	if ((rc = put(&tbs, T_CVCERT, cert.data, cert.len)) != NPKD_OK)
		goto out;
	/* what we wrote must read back and verify */
	if ((rc = npkd_cvc_parse(tbs.data, tbs.len, 0, &chk, e)) != NPKD_OK)
		goto out;
	if (npkd_cvc_key_verify(sk, chk->body.all, chk->body.all_len, chk->sig.v,
	    chk->sig.len, &ce) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "CVC self-check: %s",
		    ce.msg);
		goto out;
	}
	out->data = tbs.data;
	out->len = tbs.len;
	tbs.data = NULL;
 out:
	if (rc != NPKD_OK && rc != NPKD_E_NOMEM && e != NULL &&
	    e->msg[0] == '\0')
		npkd_seterr(e, rc, "CVC: encoding");
	npkd_cvc_free(chk);
	npkd_pubkey_free(pub);
	npkd_dbuf_free(&pk);
	npkd_dbuf_free(&ch);
	npkd_dbuf_free(&body);
	npkd_dbuf_free(&cert);
	npkd_dbuf_free(&tbs);
	return rc;
}

/*
 * Issue a CV certificate: t->holder's public key (its algorithm OID, and
 * the domain parameters of t->dp_from when set), CAR t->car, CHR t->chr,
 * the CHAT, dates and extensions of t, signed with key as the holder of
 * signer (whose domain parameters come from signer_dp).  The result is
 * parsed and its signature checked before it is returned.
 */
int
npkd_cvc_issue(const struct npkd_cvc_tmpl *t, const struct npkd_cvc *signer,
    const struct npkd_cvc *signer_dp, struct npkd_key *key,
    struct npkd_buf *out, struct npkd_err *e)
{
	struct cvc_tbs	 tbs;
	struct cvc_key	 hk, sk;

	out->data = NULL;
	out->len = 0;
	npkd_cvc_key_of(t->holder, t->dp_from, &hk);
	npkd_cvc_key_of(signer, signer_dp, &sk);
	memset(&tbs, 0, sizeof(tbs));
	tbs.car = t->car;
	tbs.key = &hk;
	tbs.with_dp = t->dp_from != NULL;
	tbs.chr = t->chr;
	tbs.chat_oid = t->chat_oid;
	tbs.rights = t->rights;
	tbs.nrights = t->nrights;
	tbs.effective = t->effective;
	tbs.expiry = t->expiry;
	tbs.ext = t->ext;
	tbs.ext_len = t->ext_len;
	return npkd_cvc_encode(&tbs, key, &sk, out, e);
}

/* Copy len bytes into an owned buffer. */
static int
own(struct npkd_buf *b, const uint8_t *p, size_t len)
{
	b->data = NULL;
	b->len = 0;
	if ((b->data = malloc(len ? len : 1)) == NULL)
		return NPKD_E_NOMEM;
	memcpy(b->data, p, len);
	b->len = len;
	return NPKD_OK;
}

/* Domain parameters of a named curve, owned by k. */
static int
curve_dp(const struct npkd_curve *c, struct cvc_key *k)
{
	uint8_t g[1 + 2 * 66];
	int	rc;

	g[0] = 0x04;
	memcpy(g + 1, c->gx, c->len);
	memcpy(g + 1 + c->len, c->gy, c->len);
	if ((rc = own(&k->dp[0], c->p, c->len)) != NPKD_OK ||
	    (rc = own(&k->dp[1], c->a, c->len)) != NPKD_OK ||
	    (rc = own(&k->dp[2], c->b, c->len)) != NPKD_OK ||
	    (rc = own(&k->dp[3], g, 1 + 2 * c->len)) != NPKD_OK ||
	    (rc = own(&k->dp[4], c->n, c->len)) != NPKD_OK ||
	    (rc = own(&k->cof, (const uint8_t *)"\x01", 1)) != NPKD_OK)
		return rc;
	k->has_dp = 1;
	return NPKD_OK;
}

/* A SubjectPublicKeyInfo, DER or PEM ("PUBLIC KEY"), parsed. */
static int
spki_parse(const struct npkd_buf *in, struct npkd_pubkey **out,
    struct npkd_err *e)
{
	struct npkd_buf	 der = { NULL, 0 };
	size_t		 off = 0;
	int		 rc;

	*out = NULL;
	if (!npkd_is_pem(in->data, in->len))
		return npkd_pubkey_parse(in->data, in->len, out, NULL, e);
	if ((rc = npkd_pem_decode(in->data, in->len, &off, "PUBLIC KEY", &der,
	    NULL, 0, e)) != NPKD_OK)
		return rc;
	rc = npkd_pubkey_parse(der.data, der.len, out, NULL, e);
	npkd_buf_free(&der);
	return rc;
}

/* The id-TA algorithm of a key without one named: the hash by size. */
static const char *
default_alg(const struct cvc_key *k, unsigned int bits)
{
	if (k->sigkind != NPKD_SIG_ECDSA)
		return "rsa-v1_5-sha-256";
	if (bits <= 224)
		return "ecdsa-sha-224";
	if (bits <= 256)
		return "ecdsa-sha-256";
	if (bits <= 384)
		return "ecdsa-sha-384";
	return "ecdsa-sha-512";
}

/*
 * The public key of a private key, as a CV key with the domain
 * parameters of its curve: from spki (SubjectPublicKeyInfo, for keys on
 * a token, which do not give out their public part) or from the key
 * itself, its curve found among the named curves.  alg: the id-TA
 * algorithm (NULL: by the key's size).  *pub is ready to check
 * signatures.  k owns its buffers.
 */
int
npkd_cvc_key_from_private(struct npkd_key *key, const struct npkd_buf *spki,
    const char *alg, struct cvc_key *k, struct npkd_pubkey **pub,
    struct npkd_err *e)
{
	const struct npkd_curve	*c = NULL;
	struct npkd_pubkey	*p = NULL;
	struct npkd_buf		 q = { NULL, 0 }, n = { NULL, 0 },
				 x = { NULL, 0 };
	const char		*oid;
	struct npkd_err		 ke;
	unsigned int		 bits = 0;
	size_t			 i;
	int			 rc;

	memset(k, 0, sizeof(*k));
	k->owned = 1;
	*pub = NULL;
	if (spki != NULL) {
		if ((rc = spki_parse(spki, &p, e)) != NPKD_OK)
			goto out;
		if (p->alg == NPKD_KEY_EC) {
			if ((c = p->curve) == NULL) {
				rc = npkd_seterr(e, NPKD_E_UNSUPPORTED, "public "
				    "key: a curve that is not named");
				goto out;
			}
			k->sigkind = NPKD_SIG_ECDSA;
			if ((rc = own(&k->q, p->q.data, p->q.len)) != NPKD_OK)
				goto out;
		} else if (p->alg == NPKD_KEY_RSA) {
			k->sigkind = NPKD_SIG_RSA_PKCS1;
			if ((rc = own(&k->q, p->n.data, p->n.len)) != NPKD_OK ||
			    (rc = own(&k->e, p->e.data, p->e.len)) != NPKD_OK)
				goto out;
		} else {
			rc = npkd_seterr(e, NPKD_E_UNSUPPORTED, "public key: "
			    "neither EC nor RSA");
			goto out;
		}
		bits = p->bits;
		npkd_pubkey_free(p);
		p = NULL;
	} else if (npkd_key_public_rsa(key, &n, &x, &ke) == NPKD_OK) {
		k->sigkind = NPKD_SIG_RSA_PKCS1;
		k->q = n;
		k->e = x;
		n.data = x.data = NULL;
	} else {
		/* the curve whose points the key's public point is one of */
		for (i = 0; (c = npkd_curve_at(i)) != NULL; i++) {
			if (npkd_key_public_ec(key, c->len, &q, &ke) == NPKD_OK &&
			    npkd_ec_point_valid(c, q.data, q.len))
				break;
			npkd_buf_free(&q);
		}
		if (c == NULL) {
			rc = npkd_seterr(e, NPKD_E_USAGE, "the key gives out no "
			    "public key of a known curve or RSA (a key on a "
			    "token: give its public key)");
			goto out;
		}
		k->sigkind = NPKD_SIG_ECDSA;
		k->q = q;
		q.data = NULL;
	}
	if (k->sigkind == NPKD_SIG_ECDSA) {
		if ((rc = curve_dp(c, k)) != NPKD_OK)
			goto out;
		bits = c->bits;
	}
	if (alg == NULL)
		alg = default_alg(k, bits);
	if ((oid = npkd_cvc_alg_oid(alg)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_USAGE, "%s: not an id-TA algorithm",
		    alg);
		goto out;
	}
	{
		int kind = 0, hash = 0;

		npkd_cvc_alg_by_oid(oid, &kind, &hash);
		if ((kind == NPKD_SIG_ECDSA) != (k->sigkind == NPKD_SIG_ECDSA)) {
			rc = npkd_seterr(e, NPKD_E_USAGE, "%s is not an "
			    "algorithm of %s keys", alg, k->sigkind ==
			    NPKD_SIG_ECDSA ? "EC" : "RSA");
			goto out;
		}
		k->sigkind = kind;
		k->hash = hash;
	}
	snprintf(k->oid, sizeof(k->oid), "%s", oid);
	rc = npkd_cvc_key_pub(k, pub, e);
 out:
	npkd_pubkey_free(p);
	npkd_buf_free(&q);
	npkd_buf_free(&n);
	npkd_buf_free(&x);
	if (rc != NPKD_OK)
		npkd_cvc_key_clear(k);
	return rc;
}

/*
 * A certificate request (C.2): the new key (with the domain parameters
 * and algorithm of o->params_from for EC, or RSA), CHR, optional CAR,
 * the inner signature by the new key; with o->outer_key an authenticated
 * request signed over the request and the outer CAR.
 */
int
npkd_cvc_request(const struct npkd_cvc_req_opts *o, struct npkd_buf *out,
    struct npkd_err *e)
{
	struct npkd_dbuf	 pk, body, tbs, req, top;
	struct npkd_buf		 q = { NULL, 0 }, n = { NULL, 0 }, x = { NULL, 0 };
	struct npkd_pubkey	*pub = NULL, *sp = NULL;
	struct npkd_cvc		*chk = NULL;
	const struct npkd_cvc	*a = o->params_from;
	struct cvc_key		 k;
	uint8_t			 zero = 0;
	int			 rc;

	out->data = NULL;
	out->len = 0;
	npkd_dbuf_init(&pk, CVC_MAX);
	npkd_dbuf_init(&body, CVC_MAX);
	npkd_dbuf_init(&tbs, CVC_MAX);
	npkd_dbuf_init(&req, CVC_MAX);
	npkd_dbuf_init(&top, CVC_MAX);
	memset(&k, 0, sizeof(k));
	if (o->chr == NULL || strlen(o->chr) == 0 || strlen(o->chr) > 16 ||
	    (o->car != NULL && (strlen(o->car) == 0 || strlen(o->car) > 16))) {
		rc = npkd_seterr(e, NPKD_E_USAGE, "CVC: a CHR (and CAR) of 1 "
		    "to 16 characters");
		goto out;
	}
	if (o->pub != NULL && (rc = spki_parse(o->pub, &sp, e)) != NPKD_OK)
		goto out;
	if (a->sigkind == NPKD_SIG_ECDSA) {
		if (!a->has_dp) {
			rc = npkd_seterr(e, NPKD_E_USAGE, "CVC: %s carries no "
			    "domain parameters", a->chr);
			goto out;
		}
		if (sp != NULL) {
			if (sp->alg != NPKD_KEY_EC) {
				rc = npkd_seterr(e, NPKD_E_USAGE, "the public "
				    "key is not an EC key");
				goto out;
			}
			rc = own(&q, sp->q.data, sp->q.len);
		} else
			rc = npkd_key_public_ec(o->key,
			    npkd_cvc_order_len(&a->dp[0]), &q, e);
		if (rc != NPKD_OK)
			goto out;
		if ((rc = npkd_pubkey_ec(a->dp, q.data, q.len, &pub, e)) !=
		    NPKD_OK) {
			rc = npkd_seterr(e, NPKD_E_USAGE, "the key is not one "
			    "of the domain of %s", a->chr);
			goto out;
		}
	} else {
		if (sp != NULL) {
			if (sp->alg != NPKD_KEY_RSA) {
				rc = npkd_seterr(e, NPKD_E_USAGE, "the public "
				    "key is not an RSA key");
				goto out;
			}
			if ((rc = own(&n, sp->n.data, sp->n.len)) != NPKD_OK ||
			    (rc = own(&x, sp->e.data, sp->e.len)) != NPKD_OK)
				goto out;
		} else if ((rc = npkd_key_public_rsa(o->key, &n, &x, e)) !=
		    NPKD_OK)
			goto out;
		if ((rc = npkd_pubkey_rsa(n.data, n.len, x.data, x.len, &pub,
		    e)) != NPKD_OK)
			goto out;
	}
	npkd_cvc_key_of(a, a, &k);
	if (a->sigkind == NPKD_SIG_ECDSA)
		k.q = q;
	else {
		k.q = n;
		k.e = x;
	}
	if ((rc = put_key(&pk, &k, a->sigkind == NPKD_SIG_ECDSA)) != NPKD_OK ||
	    (rc = put(&body, T_CPI, &zero, 1)) != NPKD_OK ||
	    (o->car != NULL && (rc = put(&body, T_CAR, o->car,
	    strlen(o->car))) != NPKD_OK) ||
	    (rc = put(&body, T_PUBKEY, pk.data, pk.len)) != NPKD_OK ||
	    (rc = put(&body, T_CHR, o->chr, strlen(o->chr))) != NPKD_OK ||
	    (rc = put(&tbs, T_BODY, body.data, body.len)) != NPKD_OK ||
	    (rc = npkd_dbuf_add(&req, tbs.data, tbs.len)) != NPKD_OK ||
	    (rc = sign_append(o->key, pub, a->sigkind, a->hash, a->sigkind ==
	    NPKD_SIG_ECDSA ? npkd_cvc_order_len(&a->dp[4]) : 0, tbs.data,
	    tbs.len, &req, e)) != NPKD_OK ||
	    (rc = put(&top, T_CVCERT, req.data, req.len)) != NPKD_OK)
		goto out;
	if ((rc = npkd_cvc_parse(top.data, top.len, 1, &chk, e)) != NPKD_OK)
		goto out;
	if (o->outer_key != NULL) {
		/* authenticated: countersigned by the outer key */
		rc = npkd_cvc_countersign(chk, o->outer_key, o->outer_cert,
		    o->outer_dp, out, e);
		goto out;
	}
	out->data = top.data;
	out->len = top.len;
	top.data = NULL;
 out:
	npkd_cvc_free(chk);
	npkd_pubkey_free(pub);
	npkd_pubkey_free(sp);
	npkd_buf_free(&q);
	npkd_buf_free(&n);
	npkd_buf_free(&x);
	npkd_dbuf_free(&pk);
	npkd_dbuf_free(&body);
	npkd_dbuf_free(&tbs);
	npkd_dbuf_free(&req);
	npkd_dbuf_free(&top);
	return rc;
}

/*
 * Countersign a request (C.2.2): wrap the plain request der in an
 * authenticated request whose outer signature, over the request followed
 * by the outer CAR, is made with outer_key as the holder of outer_cert
 * (domain parameters from outer_dp).
 */
int
npkd_cvc_countersign(const struct npkd_cvc *req, struct npkd_key *outer_key,
    const struct npkd_cvc *outer_cert, const struct npkd_cvc *outer_dp,
    struct npkd_buf *out, struct npkd_err *e)
{
	struct npkd_dbuf	 auth, tbs, top;
	struct npkd_pubkey	*opub = NULL;
	struct npkd_cvc		*chk = NULL;
	struct cvc_key		 ok;
	int			 rc;

	out->data = NULL;
	out->len = 0;
	if (req->kind != NPKD_CVC_REQUEST)
		return npkd_seterr(e, NPKD_E_USAGE, "CVC: %s is not a plain "
		    "request", req->chr);
	npkd_cvc_key_of(outer_cert, outer_dp, &ok);
	npkd_dbuf_init(&auth, CVC_MAX);
	npkd_dbuf_init(&tbs, CVC_MAX);
	npkd_dbuf_init(&top, CVC_MAX);
	if ((rc = npkd_dbuf_add(&auth, req->der.data, req->der.len)) !=
	    NPKD_OK || (rc = put(&auth, T_CAR, outer_cert->chr,
	    strlen(outer_cert->chr))) != NPKD_OK ||
	    (rc = npkd_cvc_key_pub(&ok, &opub, e)) != NPKD_OK ||
	    (rc = npkd_dbuf_add(&tbs, auth.data, auth.len)) != NPKD_OK ||
	    (rc = sign_append(outer_key, opub, ok.sigkind, ok.hash,
	    ok.sigkind == NPKD_SIG_ECDSA ? npkd_cvc_order_len(&ok.dp[4]) : 0,
	    auth.data, auth.len, &tbs, e)) != NPKD_OK ||
	    (rc = put(&top, T_AUTH, tbs.data, tbs.len)) != NPKD_OK ||
	    (rc = npkd_cvc_parse(top.data, top.len, 1, &chk, e)) != NPKD_OK)
		goto out;
	out->data = top.data;
	out->len = top.len;
	top.data = NULL;
 out:
	npkd_cvc_free(chk);
	npkd_pubkey_free(opub);
	npkd_dbuf_free(&auth);
	npkd_dbuf_free(&tbs);
	npkd_dbuf_free(&top);
	return rc;
}
