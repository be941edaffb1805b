/*
 * t_cms.c - CMS SignedData: what OpenSSL wrote, what we write, and what
 * tampering does to both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"

static void
openssl_written_lists_parse_with_their_signer_ids(void)
{
	struct npkd_buf		 b = td_read("ml_aa.ml");
	struct npkd_cms		*c;
	struct npkd_err		 e;
	size_t			 len;

	CU_ASSERT_EQUAL_FATAL(npkd_cms_parse(b.data, b.len, &c, &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(npkd_cms_econtent_type(c), NPKD_OID_ML_CONTENT);
	CU_ASSERT_PTR_NOT_NULL(npkd_cms_econtent(c, &len));
	CU_ASSERT_TRUE(len > 1000);
	CU_ASSERT_EQUAL(npkd_cms_cert_count(c), 1);
	CU_ASSERT_EQUAL(strncmp(npkd_cms_signer_id(c), "ski:", 4), 0);
	CU_ASSERT_TRUE(npkd_cms_signing_time(c) > 1700000000);
	CU_ASSERT_STRING_EQUAL(npkd_cms_sigalg_name(c), "rsa-sha-256");
	npkd_cms_free(c);
	npkd_buf_free(&b);

	b = td_read("ml_bb.ml");
	CU_ASSERT_EQUAL_FATAL(npkd_cms_parse(b.data, b.len, &c, &e), NPKD_OK);
	CU_ASSERT_EQUAL(strncmp(npkd_cms_signer_id(c), "issuer:", 7), 0);
	CU_ASSERT_STRING_EQUAL(npkd_cms_sigalg_name(c), "ecdsa-sha-256");
	npkd_cms_free(c);
	npkd_buf_free(&b);

	b = td_read("ml_dd.ml");
	CU_ASSERT_EQUAL_FATAL(npkd_cms_parse(b.data, b.len, &c, &e), NPKD_OK);
	CU_ASSERT_EQUAL(strncmp(npkd_cms_sigalg_name(c), "rsassa-pss-sha-256",
	    18), 0);
	npkd_cms_free(c);
	npkd_buf_free(&b);
}

/* Sign content with a fixture key, check, and check a tampered copy. */
static void
round_trip(const char *who, int ski, int pss, int hash, int detached)
{
	struct npkd_cms_sign_opts	 o;
	struct npkd_cert		*s, *stranger;
	struct npkd_key			*k;
	struct npkd_buf			 out;
	struct npkd_cms			*c;
	const struct npkd_cert		*used;
	struct npkd_err			 e;
	const uint8_t			 content[] = "national master list body";
	char				 name[64];

	snprintf(name, sizeof(name), "%s.pem", who);
	s = td_cert(name);
	stranger = td_cert("cc_csca.der");
	snprintf(name, sizeof(name), "%s.key", who);
	CU_ASSERT_EQUAL_FATAL(npkd_key_load(td(name), NULL, &k, &e), NPKD_OK);
	memset(&o, 0, sizeof(o));
	o.sid_ski = ski;
	o.pss = pss;
	o.hash = hash;
	o.detached = detached;
	o.signing_time = 1767225600;	/* 2026-01-01 */
	if (npkd_cms_sign("1.2.3.4", content, sizeof(content), s, k, &o, &out,
	    &e) != NPKD_OK) {
		fprintf(stderr, "%s: %s\n", who, e.msg);
		CU_FAIL_FATAL("sign");
	}
	CU_ASSERT_EQUAL_FATAL(npkd_cms_parse(out.data, out.len, &c, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_cms_signing_time(c), 1767225600);
	CU_ASSERT_STRING_EQUAL(npkd_cms_econtent_type(c), "1.2.3.4");
	if (detached) {
		CU_ASSERT_EQUAL(npkd_cms_verify_detached(c, content,
		    sizeof(content), NULL, 0, &used, NULL, &e), NPKD_OK);
		CU_ASSERT_EQUAL(npkd_cms_verify_detached(c, content,
		    sizeof(content) - 1, NULL, 0, &used, NULL, &e), NPKD_E_VERIFY);
		CU_ASSERT_EQUAL(npkd_cms_verify(c, NULL, 0, &used, NULL, &e),
		    NPKD_E_FORMAT);
	} else {
		CU_ASSERT_EQUAL(npkd_cms_verify(c, NULL, 0, &used, NULL, &e),
		    NPKD_OK);
		CU_ASSERT_PTR_NOT_NULL(used);
	}
	npkd_cms_free(c);
	/* flip the last byte: the signature */
	out.data[out.len - 1] ^= 0x01;
	CU_ASSERT_EQUAL_FATAL(npkd_cms_parse(out.data, out.len, &c, &e), NPKD_OK);
	if (detached) {
		CU_ASSERT_EQUAL(npkd_cms_verify_detached(c, content,
		    sizeof(content), NULL, 0, &used, NULL, &e), NPKD_E_VERIFY);
	} else {
		CU_ASSERT_EQUAL(npkd_cms_verify(c, NULL, 0, &used, NULL, &e),
		    NPKD_E_VERIFY);
	}
	npkd_cms_free(c);
	npkd_buf_free(&out);
	/* a key that does not belong to the certificate signs nothing */
	CU_ASSERT_NOT_EQUAL(npkd_cms_sign("1.2.3.4", content, sizeof(content),
	    stranger, k, &o, &out, &e), NPKD_OK);
	npkd_key_free(k);
	npkd_cert_free(s);
	npkd_cert_free(stranger);
}

static void
sign_and_verify_rsa_pkcs1_ski(void)
{
	round_trip("aa_mlsigner", 1, 0, NPKD_HASH_SHA256, 0);
}

static void
sign_and_verify_rsa_pss_issuer_serial(void)
{
	round_trip("aa_mlsigner", 0, 1, NPKD_HASH_SHA512, 0);
}

static void
sign_and_verify_brainpool_explicit_file_key(void)
{
	round_trip("bb_mlsigner", 1, 0, NPKD_HASH_SHA384, 0);
	round_trip("bb_mlsigner", 0, 0, NPKD_HASH_SHA256, 0);
}

static void
sign_and_verify_p256_detached(void)
{
	round_trip("cc_mlsigner", 1, 0, NPKD_HASH_SHA256, 1);
}

static void
tampered_lists_fail_with_the_right_reason(void)
{
	static const struct {
		const char	*file;
		int		 parse;
		int		 verify;
		const char	*why;
	} v[] = {
		{ "bad/tampered_content.ml", NPKD_OK, NPKD_E_VERIFY,
		    "message-digest" },
		{ "bad/tampered_signature.ml", NPKD_OK, NPKD_E_VERIFY,
		    "RSA signature" },
		{ "bad/tampered_signature_bp.ml", NPKD_OK, NPKD_E_VERIFY,
		    "ECDSA signature" },
		{ "bad/truncated.ml", NPKD_E_FORMAT, 0, "truncated" },
		{ "bad/trailing_garbage.ml", NPKD_E_FORMAT, 0, "trailing" },
		{ "bad/empty.ml", NPKD_E_FORMAT, 0, "empty" },
		{ "bad/text.ml", NPKD_E_FORMAT, 0, "not DER" },
	};
	struct npkd_buf		 b;
	struct npkd_cms		*c;
	const struct npkd_cert	*used;
	struct npkd_err		 e;
	size_t			 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		b = td_read(v[i].file);
		CU_ASSERT_EQUAL(npkd_cms_parse(b.data, b.len, &c, &e),
		    v[i].parse);
		if (v[i].parse == NPKD_OK) {
			CU_ASSERT_EQUAL(npkd_cms_verify(c, NULL, 0, &used, NULL,
			    &e), v[i].verify);
			npkd_cms_free(c);
		}
		if (strstr(e.msg, v[i].why) == NULL) {
			fprintf(stderr, "%s: %s\n", v[i].file, e.msg);
			CU_FAIL("reason does not name the defect");
		}
		npkd_buf_free(&b);
	}
}

CU_TestInfo t_cms[] = {
	{ "OpenSSL-written lists parse, with their signer ids",
	    openssl_written_lists_parse_with_their_signer_ids },
	{ "sign and verify: RSA PKCS#1, signer by SKI",
	    sign_and_verify_rsa_pkcs1_ski },
	{ "sign and verify: RSASSA-PSS SHA-512, signer by issuer and serial",
	    sign_and_verify_rsa_pss_issuer_serial },
	{ "sign and verify: brainpool explicit-parameter file key",
	    sign_and_verify_brainpool_explicit_file_key },
	{ "sign and verify: P-256, detached content",
	    sign_and_verify_p256_detached },
	{ "tampered lists fail with the right reason",
	    tampered_lists_fail_with_the_right_reason },
	CU_TEST_INFO_NULL
};
