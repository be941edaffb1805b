/*
 * t_crypto.c - signature verification on every algorithm of the test
 * PKI, routing to the backends, and the tolerances for real data.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

#include "tests.h"
#include "npkd_int.h"

static const struct {
	const char	*cc;
	int		 alg;
	const char	*curve;
	int		 explicit_params;
	const char	*backend;	/* ECDSA route */
} cscas[] = {
	{ "aa", NPKD_KEY_RSA, NULL, 0, NULL },
	{ "bb", NPKD_KEY_EC, "brainpoolP256r1", 1, "gcrypt" },
	{ "cc", NPKD_KEY_EC, "NIST P-256", 0, "gnutls" },
	{ "dd", NPKD_KEY_RSA, NULL, 0, NULL },
	{ "ee", NPKD_KEY_EC, "brainpoolP384r1", 0, "gcrypt" },
	{ "ff", NPKD_KEY_EC, "NIST P-384", 1, "gnutls" },
	{ "gg", NPKD_KEY_EC, "NIST P-521", 0, "gnutls" },
	{ "hh", NPKD_KEY_EC, "brainpoolP512r1", 1, "gcrypt" },
	{ "ii", NPKD_KEY_EC, "NIST P-224", 0, "gnutls" },
	{ "jj", NPKD_KEY_EC, "brainpoolP224r1", 0, "gcrypt" },
	{ "kk", NPKD_KEY_EC, "brainpoolP256t1", 1, "gcrypt" },
	{ "ll", NPKD_KEY_RSA, NULL, 0, NULL },
	{ "mm", NPKD_KEY_EC, "brainpoolP320r1", 1, "gcrypt" },
	{ "nn", NPKD_KEY_EC, "brainpoolP384t1", 0, "gcrypt" },
	{ "oo", NPKD_KEY_EC, "brainpoolP512t1", 1, "gcrypt" },
	{ "pp", NPKD_KEY_EC, "brainpoolP224t1", 0, "gcrypt" },
	{ "qq", NPKD_KEY_EC, "brainpoolP320t1", 0, "gcrypt" },
	{ "rr", NPKD_KEY_EC, "NIST P-256", 0, "gnutls" },
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
			CU_ASSERT_STRING_EQUAL(c->pub->ec_be->name,
			    cscas[i].backend);
		}
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

static void
explicit_parameters_of_no_named_curve_still_verify_through_libgcrypt(void)
{
	/*
	 * Take the explicit brainpoolP256r1 domain of bb and verify with the
	 * parameters handed to libgcrypt rather than the curve's name: the
	 * path real unnamed curves take.
	 */
	struct npkd_cert	*c = td_cert("bb_csca.der");
	struct npkd_pubkey	 k;
	struct npkd_err		 e;
	uint8_t			 d[64];
	const struct npkd_curve	*cv = c->pub->curve;
	int			 i;

	memset(&k, 0, sizeof(k));
	k.alg = NPKD_KEY_EC;
	k.explicit_params = 1;
	k.q = c->pub->q;
	k.ep[0].data = (uint8_t *)(uintptr_t)cv->p;
	k.ep[0].len = cv->len;
	k.ep[1].data = (uint8_t *)(uintptr_t)cv->a;
	k.ep[1].len = cv->len;
	k.ep[2].data = (uint8_t *)(uintptr_t)cv->b;
	k.ep[2].len = cv->len;
	k.ep[3].data = malloc(1 + 2 * cv->len);
	k.ep[3].data[0] = 4;
	memcpy(k.ep[3].data + 1, cv->gx, cv->len);
	memcpy(k.ep[3].data + 1 + cv->len, cv->gy, cv->len);
	k.ep[3].len = 1 + 2 * cv->len;
	k.ep[5].data = (uint8_t *)(uintptr_t)cv->n;
	k.ep[5].len = cv->len;
	k.ec_be = &npkd_be_gcrypt;
	CU_ASSERT_EQUAL_FATAL(npkd_be_gcrypt_load(&k, &e), NPKD_OK);
	npkd_hash(c->sigalg.hash, c->tbs, c->tbs_len, d, &e);
	CU_ASSERT_EQUAL(npkd_pubkey_verify(&k, &c->sigalg, d,
	    npkd_hash_len(c->sigalg.hash), c->sig.data, c->sig.len, NULL, &e),
	    NPKD_OK);
	d[3] ^= 0x10;
	CU_ASSERT_EQUAL(npkd_pubkey_verify(&k, &c->sigalg, d,
	    npkd_hash_len(c->sigalg.hash), c->sig.data, c->sig.len, NULL, &e),
	    NPKD_E_VERIFY);
	npkd_be_unload(&k);
	free(k.ep[3].data);
	for (i = 0; i < 6; i++)
		k.ep[i].data = NULL;
	npkd_cert_free(c);
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
	{ "explicit parameters of no named curve verify through libgcrypt",
	    explicit_parameters_of_no_named_curve_still_verify_through_libgcrypt },
	CU_TEST_INFO_NULL
};
