/*
 * t_cms.c - CMS SignedData: what OpenSSL wrote, what we write, and what
 * tampering does to both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"
#include "npkd_int.h"

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

/*
 * The reference for the reader's shell of SignedData: libtasn1 decoding
 * the whole SignedData of a ContentInfo, and the eContent it gives.
 * Returns 0 when libtasn1 refuses it.
 */
static int
whole_signed_data(const uint8_t *der, size_t len, char *ctype, size_t csz,
    const uint8_t **ec, size_t *eclen, size_t *sdoff)
{
	asn1_node	 n = NULL;
	unsigned int	 tag;
	size_t		 h, l, off, oh, ol, xh, xl, eh, el;
	const uint8_t	*p;
	int		 ok = 0;

	*ec = NULL;
	*eclen = 0;
	if (npkd_der_header(der, len, &tag, &h, &l) != NPKD_OK ||
	    npkd_der_header(der + h, len - h, &tag, &oh, &ol) != NPKD_OK)
		return 0;
	off = h + oh + ol;
	if (npkd_der_header(der + off, len - off, &tag, &xh, &xl) != NPKD_OK)
		return 0;
	off += xh;
	*sdoff = off;
	if (npkd_asn1_decode("SignedData", der + off, xl, &n, "sd", NULL) !=
	    NPKD_OK)
		return 0;
	ctype[0] = '\0';
	npkd_asn1_read_oid(n, "encapContentInfo.eContentType", ctype, csz);
	if (npkd_asn1_span(n, der + off, xl, "encapContentInfo.eContent", &p,
	    &l) == NPKD_OK && npkd_der_header(p, l, &tag, &eh, &el) ==
	    NPKD_OK && tag == 0xa0 && npkd_der_header(p + eh, el, &tag, &oh,
	    &ol) == NPKD_OK && tag == 0x04) {
		*ec = p + eh + oh;
		*eclen = ol;
	}
	ok = 1;
	asn1_delete_structure(&n);
	return ok;
}

/*
 * The reader copies eContent out by hand and has libtasn1 decode the rest
 * (a shell without it).  On every generated list, and on each byte of the
 * headers up to the content and just after it changed in several ways,
 * it accepts nothing that libtasn1 refuses whole and finds the same
 * content and content type.
 */
static void
content_taken_out_by_hand_is_what_libtasn1_decodes(void)
{
	static const char *files[] = { "ml_aa.ml", "ml_bb.ml", "ml_cc.ml",
	    "ml_dd.ml", "dl_aa.dl", "bad/tampered_content.ml",
	    "bad/wrong_content_type.ml", "bad/member_truncated.ml" };
	static const int delta[] = { 0x01, -0x01, 0x80 };
	struct npkd_buf		 b;
	struct npkd_cms		*c;
	struct npkd_err		 e;
	const uint8_t		*ec, *got;
	char			 ctype[NPKD_OID_MAX];
	uint8_t			*m;
	size_t			 i, k, d, eclen, glen, sdoff, pos, end;
	int			 ref, rc, agree = 0, refused = 0, both = 0;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		b = td_read(files[i]);
		if (b.data == NULL)
			continue;
		CU_ASSERT_TRUE_FATAL(whole_signed_data(b.data, b.len, ctype,
		    sizeof(ctype), &ec, &eclen, &sdoff));
		CU_ASSERT_PTR_NOT_NULL_FATAL(ec);
		/* the bytes before the content's value, and 32 after it */
		end = (size_t)(ec - b.data) + eclen + 32;
		if (end > b.len)
			end = b.len;
		m = malloc(b.len);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		for (pos = 0; pos < end; pos++) {
			if (pos == (size_t)(ec - b.data))
				pos += eclen;	/* the value itself: any bytes */
			for (d = 0; d <= sizeof(delta) / sizeof(delta[0]);
			    d++) {
				memcpy(m, b.data, b.len);
				if (d < sizeof(delta) / sizeof(delta[0]))
					m[pos] = (uint8_t)(m[pos] + delta[d]);
				else if (pos != 0)
					break;	/* d == last: the original */
				ref = whole_signed_data(m, b.len, ctype,
				    sizeof(ctype), &ec, &eclen, &k);
				rc = npkd_cms_parse(m, b.len, &c, &e);
				if (!ref) {
					refused++;
					CU_ASSERT_NOT_EQUAL(rc, NPKD_OK);
				} else if (rc == NPKD_OK) {
					both++;
					got = npkd_cms_econtent(c, &glen);
					CU_ASSERT_EQUAL(glen, eclen);
					CU_ASSERT_TRUE(glen == eclen && (glen ==
					    0 || memcmp(got, ec, glen) == 0));
					CU_ASSERT_STRING_EQUAL(
					    npkd_cms_econtent_type(c), ctype);
					if (glen == eclen && (glen == 0 ||
					    memcmp(got, ec, glen) == 0))
						agree++;
				}
				npkd_cms_free(c);
			}
			/* restore what whole_signed_data of the original saw */
			(void)whole_signed_data(b.data, b.len, ctype,
			    sizeof(ctype), &ec, &eclen, &sdoff);
		}
		free(m);
		npkd_buf_free(&b);
	}
	/* both kinds of case were reached, and every accepted one agreed */
	CU_ASSERT_TRUE(refused > 100);
	CU_ASSERT_TRUE(both > 8);
	CU_ASSERT_EQUAL(agree, both);
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
	{ "the content taken out by hand is what libtasn1 decodes",
	    content_taken_out_by_hand_is_what_libtasn1_decodes },
	CU_TEST_INFO_NULL
};
