/*
 * t_crypto.c - signature verification on every algorithm of the test
 * PKI, the route to the backends, the same verdict from every backend
 * on every algorithm and every broken variant, file keys, and the
 * tolerances for real data.
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "tests.h"
#include "npkd_int.h"

static const struct {
	const char	*cc;
	int		 alg;
	const char	*curve;
	int		 explicit_params;
	const char	*backend;	/* the route of its self-signature */
} cscas[] = {
	{ "aa", NPKD_KEY_RSA, NULL, 0, "openssl" },
	{ "bb", NPKD_KEY_EC, "brainpoolP256r1", 1, "openssl" },
	{ "cc", NPKD_KEY_EC, "NIST P-256", 0, "openssl" },
	{ "dd", NPKD_KEY_RSA, NULL, 0, "openssl" },
	{ "ee", NPKD_KEY_EC, "brainpoolP384r1", 0, "openssl" },
	{ "ff", NPKD_KEY_EC, "NIST P-384", 1, "gnutls" },
	{ "gg", NPKD_KEY_EC, "NIST P-521", 0, "openssl" },
	{ "hh", NPKD_KEY_EC, "brainpoolP512r1", 1, "openssl" },
	{ "ii", NPKD_KEY_EC, "NIST P-224", 0, "openssl" },
	{ "jj", NPKD_KEY_EC, "brainpoolP224r1", 0, "openssl" },
	{ "kk", NPKD_KEY_EC, "brainpoolP256t1", 1, "openssl" },
	{ "ll", NPKD_KEY_RSA, NULL, 0, "openssl" },
	{ "mm", NPKD_KEY_EC, "brainpoolP320r1", 1, "openssl" },
	{ "nn", NPKD_KEY_EC, "brainpoolP384t1", 0, "openssl" },
	{ "oo", NPKD_KEY_EC, "brainpoolP512t1", 1, "openssl" },
	{ "pp", NPKD_KEY_EC, "brainpoolP224t1", 0, "openssl" },
	{ "qq", NPKD_KEY_EC, "brainpoolP320t1", 0, "openssl" },
	{ "rr", NPKD_KEY_EC, "NIST P-256", 0, "openssl" },
};
#define NCSCAS (sizeof(cscas) / sizeof(cscas[0]))

static void
every_csca_self_signature_verifies_and_a_flipped_one_does_not(void)
{
	struct npkd_cert	*c, *bad;
	struct npkd_keyinfo	 ki;
	struct npkd_err		 e;
	char			 name[32];
	uint8_t			*der;
	size_t			 i, len;

	for (i = 0; i < NCSCAS; i++) {
		snprintf(name, sizeof(name), "%s_csca.der", cscas[i].cc);
		c = td_cert(name);
		npkd_cert_keyinfo(c, &ki);
		CU_ASSERT_EQUAL(ki.alg, cscas[i].alg);
		CU_ASSERT_EQUAL(ki.explicit_params, cscas[i].explicit_params);
		if (cscas[i].curve != NULL) {
			CU_ASSERT_PTR_NOT_NULL_FATAL(ki.curve);
			CU_ASSERT_STRING_EQUAL(ki.curve, cscas[i].curve);
		}
		CU_ASSERT_PTR_NOT_NULL_FATAL(npkd_route(c->pub, &c->sigalg));
		CU_ASSERT_STRING_EQUAL(npkd_route(c->pub, &c->sigalg)->name,
		    cscas[i].backend);
		if (npkd_cert_verify(c, c, NULL, &e) != NPKD_OK) {
			fprintf(stderr, "%s: %s\n", name, e.msg);
			CU_FAIL("self-signature does not verify");
		}
		/* flip the last signature byte */
		der = malloc(c->der.len);
		memcpy(der, c->der.data, c->der.len);
		len = c->der.len;
		der[len - 1] ^= 0x01;
		CU_ASSERT_EQUAL_FATAL(npkd_cert_parse(der, len, &bad, &e),
		    NPKD_OK);
		CU_ASSERT_EQUAL(npkd_cert_verify(bad, c, NULL, &e),
		    NPKD_E_VERIFY);
		npkd_cert_free(bad);
		free(der);
		npkd_cert_free(c);
	}
}

/*
 * The verdict of npkd_pubkey_verify (the route) and of every backend that
 * can check the signature: all must be equal, findings included.
 * Returns the verdict; counts the backend verdicts compared.
 */
static unsigned int ncompared;

static int
verdict(const char *what, const struct npkd_pubkey *k,
    const struct npkd_sigalg *a, const uint8_t *d, size_t dlen,
    const uint8_t *sig, size_t slen)
{
	struct npkd_findings	*f0 = npkd_findings_new(), *f1;
	struct npkd_err		 e;
	size_t			 i;
	int			 rc, r;

	rc = npkd_pubkey_verify(k, a, d, dlen, sig, slen, f0, &e);
	for (i = 0; npkd_backends[i] != NULL; i++) {
		if (!npkd_backends[i]->can(k, a))
			continue;
		f1 = npkd_findings_new();
		r = npkd_pubkey_verify_via(npkd_backends[i], k, a, d, dlen, sig,
		    slen, f1, &e);
		if (r != rc || npkd_findings_count(f1) !=
		    npkd_findings_count(f0)) {
			fprintf(stderr, "%s: %s says %d (%zu findings), the "
			    "route %d (%zu)\n", what, npkd_backends[i]->name, r,
			    npkd_findings_count(f1), rc,
			    npkd_findings_count(f0));
			CU_FAIL("the verdict depends on the backend");
		}
		ncompared++;
		npkd_findings_free(f1);
	}
	npkd_findings_free(f0);
	return rc;
}

static void
expect(const char *what, const char *variant, int want,
    const struct npkd_pubkey *k, const struct npkd_sigalg *a,
    const uint8_t *d, size_t dlen, const uint8_t *sig, size_t slen)
{
	char	 w[160];
	size_t	 i;
	int	 rc, any = 0;

	/* what no library here can check is unsupported, not "bad" */
	for (i = 0; npkd_backends[i] != NULL; i++)
		any |= npkd_backends[i]->can(k, a);
	if (!any && want == NPKD_E_VERIFY)
		want = NPKD_E_UNSUPPORTED;
	snprintf(w, sizeof(w), "%s, %s", what, variant);
	if ((rc = verdict(w, k, a, d, dlen, sig, slen)) != want) {
		fprintf(stderr, "%s: %d, expected %d\n", w, rc, want);
		CU_FAIL("wrong verdict");
	}
}

/* Big-endian numbers right-aligned in w bytes. */
#define NW	1100
static void
num_put(uint8_t *o, size_t w, const uint8_t *x, size_t xl)
{
	while (xl > w && *x == 0)
		x++, xl--;
	memset(o, 0, w);
	memcpy(o + w - xl, x, xl);
}

static void
num_add(uint8_t *o, const uint8_t *x, const uint8_t *y, size_t w)
{
	unsigned int c = 0;
	size_t i;

	for (i = w; i-- > 0;) {
		c += (unsigned int)x[i] + y[i];
		o[i] = (uint8_t)c;
		c >>= 8;
	}
}

static void
num_sub(uint8_t *o, const uint8_t *x, const uint8_t *y, size_t w)
{
	int b = 0, v;
	size_t i;

	for (i = w; i-- > 0;) {
		v = (int)x[i] - (int)y[i] - b;
		b = v < 0;
		o[i] = (uint8_t)(v + (b ? 256 : 0));
	}
}

/* The digest of the same data under another hash (signature unchanged). */
static int
other_hash(int h)
{
	return h == NPKD_HASH_SHA256 ? NPKD_HASH_SHA384 : NPKD_HASH_SHA256;
}

/*
 * An RSA signature sig over data (hashed per a) and its broken variants:
 * every backend that can check them must say what the route says, which
 * must be right.  good is NPKD_OK, or NPKD_E_UNSUPPORTED for keys no
 * backend can take.
 */
static void
rsa_variants(const char *what, const struct npkd_pubkey *k,
    const struct npkd_sigalg *a0, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t slen)
{
	struct npkd_sigalg	 a = *a0;
	uint8_t			 d[64], d2[64], s[NW + 1], n[NW], t[NW];
	size_t			 kl = (k->bits + 7) / 8, dl = npkd_hash_len(a.hash);

	CU_ASSERT_FATAL(slen == kl && kl < NW);
	npkd_hash(a.hash, data, len, d, NULL);
	expect(what, "good", NPKD_OK, k, &a, d, dl, sig, slen);
	memcpy(d2, d, dl);
	d2[dl / 2] ^= 0x04;
	expect(what, "other digest", NPKD_E_VERIFY, k, &a, d2, dl, sig, slen);
	memcpy(s, sig, slen);
	s[slen - 1] ^= 0x01;
	expect(what, "last byte flipped", NPKD_E_VERIFY, k, &a, d, dl, s, slen);
	memcpy(s, sig, slen);
	s[slen / 2] ^= 0x80;
	expect(what, "middle bit flipped", NPKD_E_VERIFY, k, &a, d, dl, s,
	    slen);
	expect(what, "first byte dropped", NPKD_E_VERIFY, k, &a, d, dl, sig + 1,
	    slen - 1);
	s[0] = 0;
	memcpy(s + 1, sig, slen);
	expect(what, "zero byte in front", NPKD_E_VERIFY, k, &a, d, dl, s,
	    slen + 1);
	/* s + n, not reduced: too long, or a value not below n */
	num_put(n, kl + 1, k->n.data, k->n.len);
	num_put(t, kl + 1, sig, slen);
	num_add(s, t, n, kl + 1);
	if (s[0] == 0)
		expect(what, "s + n", NPKD_E_VERIFY, k, &a, d, dl, s + 1, kl);
	expect(what, "s = n", NPKD_E_VERIFY, k, &a, d, dl, n + 1, kl);
	memset(s, 0, kl);
	expect(what, "s = 0", NPKD_E_VERIFY, k, &a, d, dl, s, kl);
	s[kl - 1] = 1;
	expect(what, "s = 1", NPKD_E_VERIFY, k, &a, d, dl, s, kl);
	/* the same signature claimed for another hash, salt or padding */
	a.hash = a.mgf_hash = other_hash(a0->hash);
	if (a.kind == NPKD_SIG_RSA_PSS)
		a.salt = a0->salt;
	npkd_hash(a.hash, data, len, d2, NULL);
	expect(what, "other hash", NPKD_E_VERIFY, k, &a, d2,
	    npkd_hash_len(a.hash), sig, slen);
	a = *a0;
	if (a.kind == NPKD_SIG_RSA_PSS) {
		a.salt = a0->salt + 1;
		expect(what, "salt + 1", NPKD_E_VERIFY, k, &a, d, dl, sig,
		    slen);
		if (a0->salt > 0) {
			a.salt = a0->salt - 1;
			expect(what, "salt - 1", NPKD_E_VERIFY, k, &a, d, dl,
			    sig, slen);
		}
		a.salt = a0->salt;
		a.kind = NPKD_SIG_RSA_PKCS1;
		if (k->alg == NPKD_KEY_RSA)
			expect(what, "as PKCS#1", NPKD_E_VERIFY, k, &a, d, dl,
			    sig, slen);
	} else {
		a.kind = NPKD_SIG_RSA_PSS;
		a.mgf_hash = a.hash;
		a.salt = (unsigned int)dl;
		expect(what, "as PSS", NPKD_E_VERIFY, k, &a, d, dl, sig, slen);
	}
}

/* The order n of k's curve, right-aligned in w bytes. */
static void
ec_order(const struct npkd_pubkey *k, uint8_t *n, size_t w)
{
	if (k->curve != NULL)
		num_put(n, w, k->curve->n, k->curve->len);
	else
		num_put(n, w, k->ep[5].data, k->ep[5].len);
}

static void
ecdsa_sig(const uint8_t *r, size_t rl, const uint8_t *s, size_t sl,
    struct npkd_buf *out)
{
	CU_ASSERT_EQUAL_FATAL(npkd_ecdsa_sig_encode(r, rl, s, sl, out),
	    NPKD_OK);
}

/* An ECDSA signature and its broken variants (see rsa_variants). */
static void
ecdsa_variants(const char *what, const struct npkd_pubkey *k,
    const struct npkd_sigalg *a0, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t slen, int good)
{
	struct npkd_sigalg	 a = *a0;
	struct npkd_buf		 b;
	const uint8_t		*r, *s;
	uint8_t			 d[64], d2[64], n[80], rr[80], ss[80], x[80],
				 zero[1] = { 0 };
	size_t			 rl, sl, w = 70, dl = npkd_hash_len(a.hash);

	npkd_hash(a.hash, data, len, d, NULL);
	expect(what, "good", good, k, &a, d, dl, sig, slen);
	if (good != NPKD_OK)
		return;
	CU_ASSERT_EQUAL_FATAL(npkd_ecdsa_sig_decode(sig, slen, &r, &rl, &s,
	    &sl), NPKD_OK);
	ec_order(k, n, w);
	num_put(rr, w, r, rl);
	num_put(ss, w, s, sl);
	memcpy(d2, d, dl);
	d2[0] ^= 0x80;
	expect(what, "other digest", NPKD_E_VERIFY, k, &a, d2, dl, sig, slen);
	/* (r, n - s) is the other valid signature */
	num_sub(x, n, ss, w);
	ecdsa_sig(rr, w, x, w, &b);
	expect(what, "(r, n - s)", NPKD_OK, k, &a, d, dl, b.data, b.len);
	npkd_buf_free(&b);
	num_add(x, ss, n, w);
	ecdsa_sig(rr, w, x, w, &b);
	expect(what, "(r, s + n)", NPKD_E_VERIFY, k, &a, d, dl, b.data, b.len);
	npkd_buf_free(&b);
	num_add(x, rr, n, w);
	ecdsa_sig(x, w, ss, w, &b);
	expect(what, "(r + n, s)", NPKD_E_VERIFY, k, &a, d, dl, b.data, b.len);
	npkd_buf_free(&b);
	ecdsa_sig(zero, 1, ss, w, &b);
	expect(what, "(0, s)", NPKD_E_VERIFY, k, &a, d, dl, b.data, b.len);
	npkd_buf_free(&b);
	ecdsa_sig(rr, w, zero, 1, &b);
	expect(what, "(r, 0)", NPKD_E_VERIFY, k, &a, d, dl, b.data, b.len);
	npkd_buf_free(&b);
	ecdsa_sig(n, w, ss, w, &b);
	expect(what, "(n, s)", NPKD_E_VERIFY, k, &a, d, dl, b.data, b.len);
	npkd_buf_free(&b);
	ecdsa_sig(rr, w, n, w, &b);
	expect(what, "(r, n)", NPKD_E_VERIFY, k, &a, d, dl, b.data, b.len);
	npkd_buf_free(&b);
	ecdsa_sig(ss, w, rr, w, &b);
	expect(what, "(s, r)", NPKD_E_VERIFY, k, &a, d, dl, b.data, b.len);
	npkd_buf_free(&b);
	memcpy(x, ss, w);
	x[w - 1] ^= 0x01;
	ecdsa_sig(rr, w, x, w, &b);
	expect(what, "s flipped", NPKD_E_VERIFY, k, &a, d, dl, b.data, b.len);
	npkd_buf_free(&b);
	a.hash = a.mgf_hash = other_hash(a0->hash);
	npkd_hash(a.hash, data, len, d2, NULL);
	expect(what, "other hash", NPKD_E_VERIFY, k, &a, d2,
	    npkd_hash_len(a.hash), sig, slen);
}

/* A certificate's own signature (self-signed) and its variants. */
static void
cert_variants(const char *what, const struct npkd_cert *c,
    const struct npkd_pubkey *k, int good)
{
	if (c->sigalg.kind == NPKD_SIG_ECDSA)
		ecdsa_variants(what, k, &c->sigalg, c->tbs, c->tbs_len,
		    c->sig.data, c->sig.len, good);
	else
		rsa_variants(what, k, &c->sigalg, c->tbs, c->tbs_len,
		    c->sig.data, c->sig.len);
}

static void
rsa_pkcs1_tolerates_digestinfo_without_null_with_a_finding(void)
{
	/* DigestInfo for SHA-256 without the NULL parameter. */
	static const uint8_t prefix[] = { 0x30, 0x2f, 0x30, 0x0b, 0x06, 0x09,
	    0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x04, 0x20 };
	struct npkd_cert	*c = td_cert("aa_mlsigner.pem");
	struct npkd_buf		 kb = td_read("aa_mlsigner.key");
	struct npkd_findings	*f = npkd_findings_new();
	struct npkd_sigalg	 alg;
	struct npkd_err		 e;
	gnutls_privkey_t	 pk;
	gnutls_datum_t		 kd = { kb.data, (unsigned int)kb.len }, di, sig;
	uint8_t			 d[32], blk[sizeof(prefix) + 32];

	npkd_hash(NPKD_HASH_SHA256, "abc", 3, d, &e);
	memcpy(blk, prefix, sizeof(prefix));
	memcpy(blk + sizeof(prefix), d, 32);
	di.data = blk;
	di.size = sizeof(blk);
	CU_ASSERT_FATAL(gnutls_privkey_init(&pk) >= 0);
	CU_ASSERT_FATAL(gnutls_privkey_import_x509_raw(pk, &kd,
	    GNUTLS_X509_FMT_PEM, NULL, 0) >= 0);
	/* raw PKCS#1 v1.5 over our own DigestInfo */
	CU_ASSERT_FATAL(gnutls_privkey_sign_hash(pk, GNUTLS_DIG_SHA256,
	    GNUTLS_PRIVKEY_SIGN_FLAG_TLS1_RSA, &di, &sig) >= 0);
	memset(&alg, 0, sizeof(alg));
	alg.kind = NPKD_SIG_RSA_PKCS1;
	alg.hash = NPKD_HASH_SHA256;
	CU_ASSERT_EQUAL(npkd_pubkey_verify(c->pub, &alg, d, 32, sig.data,
	    sig.size, f, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_findings_count(f), 1);
	CU_ASSERT_STRING_EQUAL(npkd_findings_get(f, 0)->code,
	    "digestinfo-without-null");
	/* every backend tolerates it the same way, with the finding */
	ncompared = 0;
	CU_ASSERT_EQUAL(verdict("DigestInfo without NULL", c->pub, &alg, d, 32,
	    sig.data, sig.size), NPKD_OK);
	CU_ASSERT_EQUAL(ncompared, 2);
	/* the same block does not pass as SHA-384 or over another digest */
	alg.hash = NPKD_HASH_SHA384;
	CU_ASSERT_EQUAL(npkd_pubkey_verify(c->pub, &alg, d, 32, sig.data,
	    sig.size, NULL, &e), NPKD_E_USAGE);
	alg.hash = NPKD_HASH_SHA256;
	d[0] ^= 1;
	CU_ASSERT_EQUAL(npkd_pubkey_verify(c->pub, &alg, d, 32, sig.data,
	    sig.size, NULL, &e), NPKD_E_VERIFY);
	gnutls_free(sig.data);
	gnutls_privkey_deinit(pk);
	npkd_findings_free(f);
	npkd_buf_free(&kb);
	npkd_cert_free(c);
}

static void
ecdsa_algorithm_with_null_is_a_finding_other_parameters_an_error(void)
{
	static const uint8_t null[] = { 0x05, 0x00 };
	static const uint8_t intg[] = { 0x02, 0x01, 0x00 };
	struct npkd_findings	*f = npkd_findings_new();
	struct npkd_sigalg	 a;
	struct npkd_err		 e;

	CU_ASSERT_EQUAL(npkd_sigalg_parse("1.2.840.10045.4.3.2", null, 2, 0, &a,
	    f, &e), NPKD_OK);
	CU_ASSERT_EQUAL(a.kind, NPKD_SIG_ECDSA);
	CU_ASSERT_EQUAL(a.hash, NPKD_HASH_SHA256);
	CU_ASSERT_STRING_EQUAL(npkd_findings_get(f, 0)->code, "ecdsa-null-param");
	CU_ASSERT_EQUAL(npkd_sigalg_parse("1.2.840.10045.4.3.2", intg, 3, 0, &a,
	    f, &e), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(npkd_sigalg_parse("1.2.3.4", NULL, 0, 0, &a, f, &e),
	    NPKD_E_UNSUPPORTED);
	/* rsaEncryption names a signature only with a digest hint (CMS) */
	CU_ASSERT_EQUAL(npkd_sigalg_parse("1.2.840.113549.1.1.1", null, 2, 0,
	    &a, f, &e), NPKD_E_UNSUPPORTED);
	CU_ASSERT_EQUAL(npkd_sigalg_parse("1.2.840.113549.1.1.1", null, 2,
	    NPKD_HASH_SHA512, &a, f, &e), NPKD_OK);
	CU_ASSERT_EQUAL(a.hash, NPKD_HASH_SHA512);
	npkd_findings_free(f);
}

static void
pss_parameters_defaults_and_limits(void)
{
	static const uint8_t empty[] = { 0x30, 0x00 };
	/* trailerField 2 */
	static const uint8_t trailer2[] = { 0x30, 0x05, 0xa3, 0x03, 0x02, 0x01,
	    0x02 };
	/* hash SHA-256, MGF1 SHA-256, salt 32 */
	static const uint8_t p256[] = { 0x30, 0x34, 0xa0, 0x0f, 0x30, 0x0d,
	    0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	    0x05, 0x00, 0xa1, 0x1c, 0x30, 0x1a, 0x06, 0x09, 0x2a, 0x86, 0x48,
	    0x86, 0xf7, 0x0d, 0x01, 0x01, 0x08, 0x30, 0x0d, 0x06, 0x09, 0x60,
	    0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0xa2,
	    0x03, 0x02, 0x01, 0x20 };
	struct npkd_sigalg	 a;
	struct npkd_err		 e;

	CU_ASSERT_EQUAL(npkd_sigalg_parse("1.2.840.113549.1.1.10", empty, 2, 0,
	    &a, NULL, &e), NPKD_OK);
	CU_ASSERT_EQUAL(a.hash, NPKD_HASH_SHA1);
	CU_ASSERT_EQUAL(a.mgf_hash, NPKD_HASH_SHA1);
	CU_ASSERT_EQUAL(a.salt, 20);
	CU_ASSERT_EQUAL(npkd_sigalg_parse("1.2.840.113549.1.1.10", p256,
	    sizeof(p256), 0, &a, NULL, &e), NPKD_OK);
	CU_ASSERT_EQUAL(a.hash, NPKD_HASH_SHA256);
	CU_ASSERT_EQUAL(a.mgf_hash, NPKD_HASH_SHA256);
	CU_ASSERT_EQUAL(a.salt, 32);
	CU_ASSERT_EQUAL(npkd_sigalg_parse("1.2.840.113549.1.1.10", trailer2,
	    sizeof(trailer2), 0, &a, NULL, &e), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(npkd_sigalg_parse("1.2.840.113549.1.1.10", NULL, 0, 0,
	    &a, NULL, &e), NPKD_E_FORMAT);
}

static void
file_keys_sign_every_algorithm_and_the_signature_verifies(void)
{
	static const char *who[] = { "aa_mlsigner", "bb_mlsigner", "cc_mlsigner",
	    "dd_mlsigner", "ee_dsc", "jj_dsc" };
	struct npkd_cert	*c, *other;
	struct npkd_key		*k;
	struct npkd_buf		 sig;
	struct npkd_sigalg	 alg;
	struct npkd_err		 e;
	char			 name[64];
	uint8_t			 d[64];
	size_t			 i;
	int			 pss, h;

	other = td_cert("cc_csca.der");
	for (i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
		for (pss = 0; pss < 2; pss++) {
			snprintf(name, sizeof(name), "%s.pem", who[i]);
			c = td_cert(name);
			snprintf(name, sizeof(name), "%s", td(who[i]));
			strncat(name, ".key", sizeof(name) - strlen(name) - 1);
			if (npkd_key_load(name, NULL, &k, &e) != NPKD_OK) {
				fprintf(stderr, "%s: %s\n", name, e.msg);
				CU_FAIL_FATAL("key does not load");
			}
			h = pss ? NPKD_HASH_SHA512 : NPKD_HASH_SHA256;
			npkd_hash(h, "data", 4, d, &e);
			CU_ASSERT_EQUAL_FATAL(npkd_key_sign(k, c, h, pss, d,
			    npkd_hash_len(h), &sig, &e), NPKD_OK);
			memset(&alg, 0, sizeof(alg));
			alg.hash = alg.mgf_hash = h;
			alg.kind = c->pub->alg == NPKD_KEY_EC ? NPKD_SIG_ECDSA :
			    pss ? NPKD_SIG_RSA_PSS : NPKD_SIG_RSA_PKCS1;
			alg.salt = (unsigned int)npkd_hash_len(h);
			CU_ASSERT_EQUAL(npkd_pubkey_verify(c->pub, &alg, d,
			    npkd_hash_len(h), sig.data, sig.len, NULL, &e),
			    NPKD_OK);
			npkd_buf_free(&sig);
			/* signing "as" another certificate is caught */
			CU_ASSERT_NOT_EQUAL(npkd_key_sign(k, other, h, pss, d,
			    npkd_hash_len(h), &sig, &e), NPKD_OK);
			CU_ASSERT_PTR_NULL(sig.data);
			npkd_key_free(k);
			npkd_cert_free(c);
		}
	}
	npkd_cert_free(other);
	CU_ASSERT_NOT_EQUAL(npkd_key_load(td("aa_csca.der"), NULL, &k, &e),
	    NPKD_OK);
}

/* A scratch directory for material made by the openssl command. */
static char scratch[64];

static const char *
sp(const char *name)
{
	static char buf[2][256];
	static int i;

	i ^= 1;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", scratch, name);
	return buf[i];
}

static int
sh(const char *fmt, ...) NPKD_PRINTF(1, 2);

/* Run a shell command in the scratch directory; 0 when it succeeded. */
static int
sh(const char *fmt, ...)
{
	char	 cmd[2048];
	va_list	 ap;
	int	 n;

	n = snprintf(cmd, sizeof(cmd), "cd '%s' && ( ", scratch);
	va_start(ap, fmt);
	vsnprintf(cmd + n, sizeof(cmd) - (size_t)n, fmt, ap);
	va_end(ap);
	strncat(cmd, " ) >/dev/null 2>&1", sizeof(cmd) - strlen(cmd) - 1);
	return system(cmd);
}

/* A fixture's absolute path (commands run in the scratch directory). */
static const char *
td_abs(const char *name)
{
	static char buf[PATH_MAX];

	if (realpath(td(name), buf) == NULL)
		CU_FAIL_FATAL("fixture missing");
	return buf;
}

static int
scratch_open(void)
{
	snprintf(scratch, sizeof(scratch), "/tmp/npkd-t_crypto.XXXXXX");
	return mkdtemp(scratch) != NULL ? 0 : -1;
}

static void
scratch_close(void)
{
	sh("rm -rf '%s'", scratch);
}

static struct npkd_pubkey *
spki_file(const char *name)
{
	struct npkd_buf		 b = { NULL, 0 };
	struct npkd_pubkey	*k = NULL;
	struct npkd_err		 e;

	if (npkd_file_read(sp(name), NPKD_MAX_DER, &b, &e) != NPKD_OK ||
	    npkd_pubkey_parse(b.data, b.len, &k, NULL, &e) != NPKD_OK) {
		fprintf(stderr, "%s: %s\n", name, e.msg);
		CU_FAIL("public key does not load");
	}
	npkd_buf_free(&b);
	return k;
}

static struct npkd_buf
file(const char *name)
{
	struct npkd_buf	 b = { NULL, 0 };
	struct npkd_err	 e;

	if (npkd_file_read(sp(name), NPKD_MAX_DER, &b, &e) != NPKD_OK) {
		fprintf(stderr, "%s: %s\n", name, e.msg);
		CU_FAIL("missing");
	}
	return b;
}

/*
 * Every algorithm npkd verifies, each signature good and broken in every
 * way below, through every backend that can take it: the verdicts are
 * equal, and right.  Signers: the test PKI's CSCAs (OpenSSL), and here
 * the openssl command: PSS with every hash and salt lengths GnuTLS
 * cannot check, RSA keys longer than 3072 bits, with exponents 3 and
 * over 64 bits (which OpenSSL refuses above 3072 bits), an exponent 1
 * key (whose signature is its encoded message), and EC keys whose point
 * is off the curve.
 */
static void
the_verdict_does_not_depend_on_the_backend(void)
{
	static const struct {
		const char	*md;
		int		 hash;
		int		 salt;
	} pss[] = {
		{ "sha256", NPKD_HASH_SHA256, 32 }, { "sha256", NPKD_HASH_SHA256, 20 },
		{ "sha1", NPKD_HASH_SHA1, 20 }, { "sha224", NPKD_HASH_SHA224, 28 },
		{ "sha384", NPKD_HASH_SHA384, 48 }, { "sha512", NPKD_HASH_SHA512, 64 },
		{ "sha512", NPKD_HASH_SHA512, 0 }, { "sha256", NPKD_HASH_SHA256, 222 },
	};
	static const struct {
		const char	*name;
		unsigned int	 bits;
		const char	*exp;
		int		 ossl;		/* can OpenSSL take it? */
	} rsa[] = {
		{ "r3080", 3080, "65537", 1 },
		{ "r3080e", 3080, "18446744073709551617", 0 },	/* 2^64 + 1 */
		{ "r2048e", 2048, "1208925819614629174706177", 1 }, /* 2^80 + 1 */
		{ "r2048e3", 2048, "3", 1 },
	};
	static const char *ec[] = { "cc", "ee", "kk" };
	static const char	 msg[] = "the data signed";
	struct npkd_cert	*c;
	struct npkd_pubkey	*k;
	struct npkd_sigalg	 a;
	struct npkd_buf		 sig;
	struct npkd_err		 e;
	uint8_t			 d[64], em[512];
	char			 what[96], name[32];
	size_t			 i, j, kl;

	ncompared = 0;
	for (i = 0; i < NCSCAS; i++) {
		snprintf(name, sizeof(name), "%s_csca.der", cscas[i].cc);
		c = td_cert(name);
		cert_variants(name, c, c->pub, NPKD_OK);
		npkd_cert_free(c);
	}
	c = td_cert("aa_csca2.der");		/* RSA-3072 */
	cert_variants("aa_csca2.der", c, c->pub, NPKD_OK);
	npkd_cert_free(c);

	CU_ASSERT_EQUAL_FATAL(scratch_open(), 0);
	CU_ASSERT_EQUAL_FATAL(sh("printf '%%s' '%s' > msg", msg), 0);
	/* PSS from the RSA-2048 ML signer's key */
	c = td_cert("aa_mlsigner.der");
	for (i = 0; i < sizeof(pss) / sizeof(pss[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(sh("openssl dgst -%s -sign '%s' -sigopt "
		    "rsa_padding_mode:pss -sigopt rsa_pss_saltlen:%d -out "
		    "pss.sig msg", pss[i].md, td_abs("aa_mlsigner.key"),
		    pss[i].salt), 0);
		memset(&a, 0, sizeof(a));
		a.kind = NPKD_SIG_RSA_PSS;
		a.hash = a.mgf_hash = pss[i].hash;
		a.salt = (unsigned int)pss[i].salt;
		snprintf(a.name, sizeof(a.name), "pss-%s-%d", pss[i].md,
		    pss[i].salt);
		sig = file("pss.sig");
		snprintf(what, sizeof(what), "RSA-2048 PSS %s salt %d",
		    pss[i].md, pss[i].salt);
		rsa_variants(what, c->pub, &a, (const uint8_t *)msg,
		    strlen(msg), sig.data, sig.len);
		npkd_buf_free(&sig);
	}
	/* exponent 1: the signature is the encoded message itself */
	CU_ASSERT_EQUAL_FATAL(npkd_pubkey_rsa(c->pub->n.data, c->pub->n.len,
	    (const uint8_t *)"\x01", 1, &k, &e), NPKD_OK);
	kl = (k->bits + 7) / 8;
	npkd_hash(NPKD_HASH_SHA256, msg, strlen(msg), d, NULL);
	memset(em, 0xff, kl);
	em[0] = 0x00;
	em[1] = 0x01;
	{
		static const uint8_t di[] = { 0x30, 0x31, 0x30, 0x0d, 0x06,
		    0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
		    0x05, 0x00, 0x04, 0x20 };

		em[kl - 32 - sizeof(di) - 1] = 0x00;
		memcpy(em + kl - 32 - sizeof(di), di, sizeof(di));
		memcpy(em + kl - 32, d, 32);
	}
	memset(&a, 0, sizeof(a));
	a.kind = NPKD_SIG_RSA_PKCS1;
	a.hash = a.mgf_hash = NPKD_HASH_SHA256;
	snprintf(a.name, sizeof(a.name), "rsa-sha-256");
	rsa_variants("RSA-2048 exponent 1", k, &a, (const uint8_t *)msg,
	    strlen(msg), em, kl);
	npkd_pubkey_free(k);
	npkd_cert_free(c);
	/* longer keys and other exponents */
	for (i = 0; i < sizeof(rsa) / sizeof(rsa[0]); i++) {
		CU_ASSERT_EQUAL_FATAL(sh("openssl genpkey -algorithm RSA "
		    "-pkeyopt rsa_keygen_bits:%u -pkeyopt rsa_keygen_pubexp:%s "
		    "-out %s.key && openssl pkey -in %s.key -pubout -outform "
		    "DER -out %s.spki && openssl dgst -sha256 -sign %s.key "
		    "-out %s.p1 msg && openssl dgst -sha512 -sign %s.key "
		    "-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:64 "
		    "-out %s.pss msg", rsa[i].bits, rsa[i].exp, rsa[i].name,
		    rsa[i].name, rsa[i].name, rsa[i].name, rsa[i].name,
		    rsa[i].name, rsa[i].name), 0);
		snprintf(name, sizeof(name), "%s.spki", rsa[i].name);
		k = spki_file(name);
		CU_ASSERT_FATAL(k != NULL);
		for (j = 0; j < 2; j++) {
			memset(&a, 0, sizeof(a));
			a.kind = j ? NPKD_SIG_RSA_PSS : NPKD_SIG_RSA_PKCS1;
			a.hash = a.mgf_hash = j ? NPKD_HASH_SHA512 :
			    NPKD_HASH_SHA256;
			a.salt = j ? 64 : 0;
			snprintf(a.name, sizeof(a.name), j ? "pss-sha-512" :
			    "rsa-sha-256");
			CU_ASSERT_EQUAL(npkd_be_ossl.can(k, &a), rsa[i].ossl);
			CU_ASSERT_PTR_NOT_NULL(npkd_route(k, &a));
			snprintf(name, sizeof(name), "%s.%s", rsa[i].name,
			    j ? "pss" : "p1");
			sig = file(name);
			snprintf(what, sizeof(what), "RSA-%u e=%s %s",
			    rsa[i].bits, rsa[i].exp, a.name);
			rsa_variants(what, k, &a, (const uint8_t *)msg,
			    strlen(msg), sig.data, sig.len);
			npkd_buf_free(&sig);
		}
		npkd_pubkey_free(k);
	}
	/* EC keys whose point is not on the curve verify nothing */
	for (i = 0; i < sizeof(ec) / sizeof(ec[0]); i++) {
		snprintf(name, sizeof(name), "%s_csca.der", ec[i]);
		c = td_cert(name);
		CU_ASSERT_EQUAL_FATAL(sh("openssl x509 -inform DER -in '%s' "
		    "-noout -pubkey | openssl pkey -pubin -outform DER -out "
		    "off.spki", td_abs(name)), 0);
		{
			struct npkd_buf	 b = file("off.spki");

			b.data[b.len - 1] ^= 0x01;
			CU_ASSERT_EQUAL_FATAL(npkd_pubkey_parse(b.data, b.len,
			    &k, NULL, &e), NPKD_OK);
			npkd_buf_free(&b);
		}
		CU_ASSERT_FALSE(npkd_pubkey_point_ok(k));
		snprintf(what, sizeof(what), "%s, point off the curve", name);
		cert_variants(what, c, k, NPKD_E_VERIFY);
		npkd_pubkey_free(k);
		npkd_cert_free(c);
	}
	scratch_close();
	fprintf(stderr, "(%u verdicts of backends compared) ", ncompared);
	CU_ASSERT(ncompared > 500);
}

/*
 * A copy of k with its named curve's parameters as if they were of no
 * named curve, generator G (04 || x || y) given.
 */
static struct npkd_pubkey *
as_unnamed(const struct npkd_pubkey *k, const uint8_t *g)
{
	const struct npkd_curve	*cv = k->curve;
	struct npkd_pubkey	*u = calloc(1, sizeof(*u));
	const uint8_t		*src[6] = { cv->p, cv->a, cv->b, g, NULL,
				    cv->n };
	size_t			 i, len;

	u->alg = NPKD_KEY_EC;
	u->explicit_params = 1;
	u->bits = cv->bits;
	for (i = 0; i < 6; i++) {
		if (src[i] == NULL)
			continue;
		len = i == 3 ? 1 + 2 * cv->len : cv->len;
		u->ep[i].data = malloc(len);
		memcpy(u->ep[i].data, src[i], len);
		u->ep[i].len = len;
	}
	u->q.data = malloc(k->q.len);
	memcpy(u->q.data, k->q.data, k->q.len);
	u->q.len = k->q.len;
	return u;
}

/*
 * Unnamed curves (explicit parameters of no curve in the table) are
 * OpenSSL's alone: the brainpool curve of bb given as if unnamed, and the
 * crafted world of testdata/genworld.py case 02 (P-256 with another
 * generator; an attacker's CA with the same point and generator Q), whose
 * keys must not be confused.
 */
static void
explicit_parameters_of_no_named_curve_verify_through_openssl(void)
{
	static const char *cases = "cases/02-explicit-curve-same-point-other-"
	    "generator";
	struct npkd_cert	*c = td_cert("bb_csca.der"), *w[4];
	struct npkd_pubkey	*u;
	struct npkd_buf		 b;
	struct npkd_err		 e;
	const char		*dir = getenv("NPKD_WORLDS");
	static const char	*wn[] = { "bb_csca.der", "rogue.der",
				    "genuine.der", "forged.der" };
	uint8_t			 g[1 + 2 * 66], id0[32], id1[32];
	char			 path[4096];
	size_t			 i;

	g[0] = 0x04;
	memcpy(g + 1, c->pub->curve->gx, c->pub->curve->len);
	memcpy(g + 1 + c->pub->curve->len, c->pub->curve->gy,
	    c->pub->curve->len);
	u = as_unnamed(c->pub, g);
	CU_ASSERT(npkd_ec_explicit_valid(u));
	CU_ASSERT_FALSE(npkd_be_gnutls.can(u, &c->sigalg));
	CU_ASSERT_PTR_EQUAL(npkd_route(u, &c->sigalg), &npkd_be_ossl);
	cert_variants("bb as an unnamed curve", c, u, NPKD_OK);
	npkd_pubkey_free(u);
	/* a generator off the curve is refused before any library */
	g[1 + c->pub->curve->len] ^= 0x01;
	u = as_unnamed(c->pub, g);
	CU_ASSERT_FALSE(npkd_ec_explicit_valid(u));
	npkd_pubkey_free(u);
	npkd_cert_free(c);

	if (dir == NULL) {
		fprintf(stderr, "skipped: no crafted worlds (NPKD_WORLDS) ");
		return;
	}
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/%s/%s", dir, cases, wn[i]);
		CU_ASSERT_EQUAL_FATAL(npkd_file_read(path, NPKD_MAX_DER, &b,
		    &e), NPKD_OK);
		CU_ASSERT_EQUAL_FATAL(npkd_cert_parse(b.data, b.len, &w[i], &e),
		    NPKD_OK);
		npkd_buf_free(&b);
	}
	CU_ASSERT_PTR_NULL(w[0]->pub->curve);
	CU_ASSERT_PTR_NULL(w[1]->pub->curve);
	/* the same point, another generator: another key */
	CU_ASSERT_EQUAL(w[0]->pub->q.len, w[1]->pub->q.len);
	CU_ASSERT_EQUAL(memcmp(w[0]->pub->q.data, w[1]->pub->q.data,
	    w[0]->pub->q.len), 0);
	npkd_pubkey_id(w[0]->pub, id0);
	npkd_pubkey_id(w[1]->pub, id1);
	CU_ASSERT_NOT_EQUAL(memcmp(id0, id1, 32), 0);
	cert_variants("world 02 CSCA", w[0], w[0]->pub, NPKD_OK);
	cert_variants("world 02 rogue CA", w[1], w[1]->pub, NPKD_OK);
	CU_ASSERT_EQUAL(npkd_cert_verify(w[2], w[0], NULL, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_cert_verify(w[3], w[0], NULL, &e), NPKD_E_VERIFY);
	CU_ASSERT_EQUAL(npkd_cert_verify(w[3], w[1], NULL, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_cert_verify(w[2], w[1], NULL, &e), NPKD_E_VERIFY);
	for (i = 0; i < 4; i++)
		npkd_cert_free(w[i]);
}

/*
 * Brainpool keys (r1 and t1) made by npkd_key_generate load, give the
 * public point the openssl command derives from the file, and sign
 * signatures that verify; a key file whose scalar is 0 or the order is
 * refused.
 */
static void
brainpool_keys_generate_load_and_sign(void)
{
	static const char *curves[] = { "brainpoolP224r1", "brainpoolP256t1",
	    "brainpoolP320r1", "brainpoolP384t1", "brainpoolP512r1" };
	const struct npkd_curve	*cv;
	struct npkd_key		*k;
	struct npkd_pubkey	*pub;
	struct npkd_buf		 der, q, sig;
	struct npkd_sigalg	 a;
	struct npkd_err		 e;
	uint8_t			 d[32], bad[2 + 3 + 2 + 32 + 2 + 11];
	FILE			*fp;
	size_t			 i, j;

	CU_ASSERT_EQUAL_FATAL(scratch_open(), 0);
	for (i = 0; i < sizeof(curves) / sizeof(curves[0]); i++) {
		cv = npkd_curve_by_name(curves[i]);
		CU_ASSERT_EQUAL_FATAL(npkd_key_generate(curves[i], &der, &e),
		    NPKD_OK);
		fp = fopen(sp("k.der"), "w");
		fwrite(der.data, 1, der.len, fp);
		fclose(fp);
		npkd_buf_free(&der);
		CU_ASSERT_EQUAL_FATAL(sh("openssl pkey -inform DER -in k.der "
		    "-pubout -outform DER -out k.spki"), 0);
		pub = spki_file("k.spki");
		CU_ASSERT_FATAL(pub != NULL);
		CU_ASSERT_PTR_EQUAL(pub->curve, cv);
		CU_ASSERT_EQUAL_FATAL(npkd_key_load(sp("k.der"), NULL, &k, &e),
		    NPKD_OK);
		CU_ASSERT_EQUAL_FATAL(npkd_key_public_ec(k, cv->len, &q, &e),
		    NPKD_OK);
		CU_ASSERT(q.len == pub->q.len && memcmp(q.data, pub->q.data,
		    q.len) == 0);
		npkd_buf_free(&q);
		npkd_hash(NPKD_HASH_SHA256, curves[i], strlen(curves[i]), d,
		    NULL);
		CU_ASSERT_EQUAL_FATAL(npkd_key_sign_pk(k, pub, NPKD_HASH_SHA256,
		    0, d, 32, &sig, &e), NPKD_OK);
		memset(&a, 0, sizeof(a));
		a.kind = NPKD_SIG_ECDSA;
		a.hash = a.mgf_hash = NPKD_HASH_SHA256;
		CU_ASSERT_EQUAL(verdict(curves[i], pub, &a, d, 32, sig.data,
		    sig.len), NPKD_OK);
		/* and the openssl command agrees */
		fp = fopen(sp("d.bin"), "w");
		fwrite(d, 1, 32, fp);
		fclose(fp);
		fp = fopen(sp("sig.der"), "w");
		fwrite(sig.data, 1, sig.len, fp);
		fclose(fp);
		CU_ASSERT_EQUAL(sh("openssl pkeyutl -verify -pubin -keyform DER "
		    "-inkey k.spki -in d.bin -sigfile sig.der"), 0);
		npkd_buf_free(&sig);
		npkd_key_free(k);
		npkd_pubkey_free(pub);
	}
	/* ECPrivateKey on brainpoolP256r1 with d = 0, then d = n */
	cv = npkd_curve_by_name("brainpoolP256r1");
	for (j = 0; j < 2; j++) {
		static const uint8_t oid[] = { 0xa0, 0x0b, 0x06, 0x09, 0x2b,
		    0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07 };

		memcpy(bad, "\x30\x32\x02\x01\x01\x04\x20", 7);
		if (j == 0)
			memset(bad + 7, 0, 32);
		else
			memcpy(bad + 7, cv->n, 32);
		memcpy(bad + 39, oid, sizeof(oid));
		fp = fopen(sp("bad.der"), "w");
		fwrite(bad, 1, 39 + sizeof(oid), fp);
		fclose(fp);
		CU_ASSERT_EQUAL(npkd_key_load(sp("bad.der"), NULL, &k, &e),
		    NPKD_E_FORMAT);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "out of range"));
	}
	scratch_close();
}

/*
 * Verifications with one key from two threads at once, good and bad
 * alternating: each key's library handles and kept context are shared
 * without a lock, and every verdict must still be right.
 */
struct thr {
	struct npkd_cert	*c[3];
	int			 wrong;
};

static void *
thr_run(void *arg)
{
	struct thr		*t = arg;
	struct npkd_sigalg	 a;
	struct npkd_err		 e;
	uint8_t			 d[64];
	size_t			 i, j, dl;

	for (i = 0; i < 150; i++)
		for (j = 0; j < 3; j++) {
			a = t->c[j]->sigalg;
			dl = npkd_hash_len(a.hash);
			npkd_hash(a.hash, t->c[j]->tbs, t->c[j]->tbs_len, d,
			    NULL);
			d[0] ^= (uint8_t)(i & 1);
			if (npkd_pubkey_verify(t->c[j]->pub, &a, d, dl,
			    t->c[j]->sig.data, t->c[j]->sig.len, NULL, &e) !=
			    ((i & 1) ? NPKD_E_VERIFY : NPKD_OK))
				t->wrong++;
		}
	return NULL;
}

static void
one_key_verifies_in_two_threads_at_once(void)
{
	struct thr	 t[2];
	pthread_t	 th[2];
	struct npkd_cert *c[3];
	int		 i, j;

	c[0] = td_cert("aa_csca.der");
	c[1] = td_cert("jj_csca.der");
	c[2] = td_cert("ff_csca.der");
	for (i = 0; i < 2; i++) {
		for (j = 0; j < 3; j++)
			t[i].c[j] = c[j];
		t[i].wrong = 0;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&th[i], NULL, thr_run,
		    &t[i]), 0);
	}
	for (i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		CU_ASSERT_EQUAL(t[i].wrong, 0);
	}
	for (j = 0; j < 3; j++)
		npkd_cert_free(c[j]);
}

/*
 * A check verifies stored certificates from their DER alone
 * (npkd_cert_sigparts): the algorithm, signed bytes and signature must be
 * npkd_cert_parse()'s, and the verdict under every key npkd_cert_verify()'s,
 * for every algorithm, a flipped signature and a flipped signed byte.
 */
static int
parts_verdict(const uint8_t *der, size_t len, const struct npkd_cert *k)
{
	struct npkd_sigparts	sp;
	struct npkd_err		e;

	if (npkd_cert_sigparts(der, len, &sp) != NPKD_OK)
		return -1;
	return npkd_signed_verify(&sp.alg, sp.tbs, sp.tbs_len, &sp.sig, k, NULL,
	    &e);
}

static void
signed_parts_from_der_give_the_parsed_verdict(void)
{
	static const char	*extra[] = { "aa_dsc_forged.der", "aa_link.der",
	    "aa_expired.der", "aa_dsc2.der", "aa_dsc_old.der", "aa_csca2.der",
	    "aa_mlsigner.der", "aa_dlsigner.der" };
	struct npkd_cert	*keys[NCSCAS + 1], *c, *v;
	struct npkd_sigparts	 sp;
	struct npkd_err		 e;
	char			 name[32];
	uint8_t			*der, *big;
	size_t			 i, j, k, nk = 0, nsub = 0, ok = 0, compared = 0;
	int			 want, got, flip;

	for (i = 0; i < NCSCAS; i++) {
		snprintf(name, sizeof(name), "%s_csca.der", cscas[i].cc);
		keys[nk++] = td_cert(name);
	}
	keys[nk++] = td_cert("aa_csca2.der");
	for (i = 0; i < 2 * NCSCAS + sizeof(extra) / sizeof(extra[0]); i++) {
		if (i < NCSCAS)
			snprintf(name, sizeof(name), "%s_csca.der",
			    cscas[i].cc);
		else if (i < 2 * NCSCAS)
			snprintf(name, sizeof(name), "%s_dsc.der",
			    cscas[i - NCSCAS].cc);
		else
			snprintf(name, sizeof(name), "%s",
			    extra[i - 2 * NCSCAS]);
		c = td_cert(name);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		nsub++;
		/* the parts are the parsed certificate's */
		CU_ASSERT_EQUAL_FATAL(npkd_cert_sigparts(c->der.data, c->der.len,
		    &sp), NPKD_OK);
		CU_ASSERT_EQUAL(sp.alg.kind, c->sigalg.kind);
		CU_ASSERT_EQUAL(sp.alg.hash, c->sigalg.hash);
		CU_ASSERT_EQUAL(sp.alg.mgf_hash, c->sigalg.mgf_hash);
		CU_ASSERT_EQUAL(sp.alg.salt, c->sigalg.salt);
		CU_ASSERT_STRING_EQUAL(sp.alg.name, c->sigalg.name);
		CU_ASSERT(sp.tbs == c->tbs && sp.tbs_len == c->tbs_len);
		CU_ASSERT(sp.sig.len == c->sig.len && memcmp(sp.sig.data,
		    c->sig.data, c->sig.len) == 0);
		/* the verdict under every key, as is and broken two ways */
		der = malloc(c->der.len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(der);
		for (flip = 0; flip < 3; flip++) {
			memcpy(der, c->der.data, c->der.len);
			if (flip == 1)
				der[c->der.len - 1] ^= 0x01;
			else if (flip == 2)	/* the last byte of tbs */
				der[(size_t)(c->tbs - c->der.data) +
				    c->tbs_len - 1] ^= 0x01;
			if (npkd_cert_parse(der, c->der.len, &v, &e) !=
			    NPKD_OK)
				continue;	/* never in a store */
			for (k = 0; k < nk; k++) {
				want = npkd_cert_verify(v, keys[k], NULL, &e);
				got = parts_verdict(der, c->der.len, keys[k]);
				if (got != want) {
					fprintf(stderr, "%s flip %d key %zu: "
					    "parts %d, parsed %d\n", name,
					    flip, k, got, want);
					CU_FAIL("the verdict from the DER "
					    "differs");
				}
				ok += want == NPKD_OK;
				compared++;
			}
			npkd_cert_free(v);
		}
		/* what is not a certificate's outer shape is refused */
		CU_ASSERT_EQUAL(npkd_cert_sigparts(der, c->der.len - 1, &sp),
		    NPKD_E_FORMAT);
		big = malloc(c->der.len + 1);
		memcpy(big, c->der.data, c->der.len);
		big[c->der.len] = 0;
		CU_ASSERT_EQUAL(npkd_cert_sigparts(big, c->der.len + 1, &sp),
		    NPKD_E_FORMAT);
		/* unused bits in the signature BIT STRING */
		memcpy(big, c->der.data, c->der.len);
		j = c->der.len - c->sig.len - 1;
		CU_ASSERT_EQUAL(big[j], 0);
		big[j] = 1;
		CU_ASSERT_EQUAL(npkd_cert_sigparts(big, c->der.len, &sp),
		    NPKD_E_FORMAT);
		free(big);
		free(der);
		npkd_cert_free(c);
	}
	/* each subject verifies under its own issuer at least */
	CU_ASSERT(ok >= nsub - 1);	/* the forged DSC under none */
	CU_ASSERT(compared >= nsub * nk);
	for (k = 0; k < nk; k++)
		npkd_cert_free(keys[k]);
}

CU_TestInfo t_crypto[] = {
	{ "every CSCA self-signature verifies, a flipped one does not",
	    every_csca_self_signature_verifies_and_a_flipped_one_does_not },
	{ "RSA PKCS#1 tolerates a DigestInfo without NULL, with a finding",
	    rsa_pkcs1_tolerates_digestinfo_without_null_with_a_finding },
	{ "ECDSA identifier with NULL is a finding, other parameters an error",
	    ecdsa_algorithm_with_null_is_a_finding_other_parameters_an_error },
	{ "PSS parameters: defaults and limits",
	    pss_parameters_defaults_and_limits },
	{ "file keys sign every algorithm and the signature verifies",
	    file_keys_sign_every_algorithm_and_the_signature_verifies },
	{ "the verdict does not depend on the backend (every algorithm, "
	    "every broken variant)", the_verdict_does_not_depend_on_the_backend },
	{ "explicit parameters of no named curve verify through OpenSSL",
	    explicit_parameters_of_no_named_curve_verify_through_openssl },
	{ "brainpool keys: generated, loaded, public point, signing",
	    brainpool_keys_generate_load_and_sign },
	{ "one key verifies in two threads at once",
	    one_key_verifies_in_two_threads_at_once },
	{ "a certificate's signed parts read from its DER give the parsed "
	    "verdict", signed_parts_from_der_give_the_parsed_verdict },
	CU_TEST_INFO_NULL
};
