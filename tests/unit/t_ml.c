/*
 * t_ml.c - master lists and deviation lists: members, trust, verdicts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tests.h"
#include "npkd_int.h"
#include "trust.h"

static struct npkd_ml *
td_ml(const char *name)
{
	struct npkd_buf	 b = td_read(name);
	struct npkd_ml	*m = NULL;
	struct npkd_err	 e;

	if (npkd_ml_parse(b.data, b.len, &m, &e) != NPKD_OK) {
		fprintf(stderr, "%s: %s\n", name, e.msg);
		CU_FAIL_FATAL("list does not parse");
	}
	npkd_buf_free(&b);
	return m;
}

static void
master_list_members_are_all_cscas_and_the_link(void)
{
	struct npkd_ml		*m = td_ml("ml_aa.ml");
	size_t			 i, csca = 0, link = 0;

	struct npkd_cert	*c;
	struct npkd_err		 e;

	CU_ASSERT_EQUAL(npkd_ml_kind(m), NPKD_LIST_ML);
	CU_ASSERT_EQUAL(npkd_ml_count(m), 20);
	for (i = 0; i < npkd_ml_count(m); i++) {
		CU_ASSERT_EQUAL_FATAL(npkd_ml_member(m, i, &c, &e), NPKD_OK);
		CU_ASSERT_EQUAL(memcmp(npkd_cert_sha256(c),
		    npkd_ml_member_sha256(m, i), 32), 0);
		if (npkd_cert_role(c) == NPKD_ROLE_CSCA)
			csca++;
		if (npkd_cert_role(c) == NPKD_ROLE_LINK)
			link++;
		npkd_cert_free(c);
	}
	CU_ASSERT_EQUAL(csca, 19);
	CU_ASSERT_EQUAL(link, 1);
	CU_ASSERT_EQUAL(npkd_ml_member(m, 20, &c, &e), NPKD_E_NOTFOUND);
	CU_ASSERT_PTR_NULL(c);
	npkd_ml_free(m);
}

static void
every_generated_list_verifies_self_attested_and_anchored(void)
{
	static const char *lists[] = { "ml_aa.ml", "ml_bb.ml", "ml_cc.ml",
	    "ml_dd.ml" };
	struct npkd_buf		  tb = td_read("trust_all.pem");
	struct npkd_cert	**trust;
	struct npkd_ml_verdict	  v;
	struct npkd_findings	 *f;
	struct npkd_err		  e;
	struct npkd_ml		 *m;
	size_t			  nt, i, j;

	CU_ASSERT_EQUAL_FATAL(npkd_certs_load(tb.data, tb.len, &trust, &nt, &e),
	    NPKD_OK);
	for (i = 0; i < 4; i++) {
		m = td_ml(lists[i]);
		f = npkd_findings_new();
		/* without anchors: self-attested, a "no" unless asked for */
		CU_ASSERT_EQUAL(npkd_ml_verify(m, NULL, 0, time(NULL), 0, &v,
		    NULL, &e), NPKD_E_VERIFY);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "self-attested, not "
		    "anchored"));
		if (npkd_ml_verify(m, NULL, 0, time(NULL),
		    NPKD_ML_SELF_ATTESTED, &v, f, &e) != NPKD_OK) {
			fprintf(stderr, "%s: %s\n", lists[i], e.msg);
			CU_FAIL("self-attested verification");
		}
		CU_ASSERT_TRUE(v.self_attested);
		/* every member signature checked, none failed */
		for (j = 0; j < npkd_findings_count(f); j++)
			CU_ASSERT_NOT_EQUAL(npkd_findings_get(f, j)->severity,
			    NPKD_SEV_ERROR);
		CU_ASSERT_EQUAL(npkd_ml_verify(m, (const struct npkd_cert *const *)
		    trust, nt, time(NULL), 0, &v, NULL, &e), NPKD_OK);
		CU_ASSERT_FALSE(v.self_attested);
		CU_ASSERT_PTR_NOT_NULL(v.anchor);
		npkd_findings_free(f);
		npkd_ml_free(m);
	}
	npkd_certs_free(trust, nt);
	npkd_buf_free(&tb);
}

static void
a_trust_anchor_of_another_country_does_not_vouch(void)
{
	struct npkd_ml		*m = td_ml("ml_aa.ml");
	struct npkd_cert	*cc = td_cert("cc_csca.der");
	struct npkd_cert	*rogue = td_cert("rogue_ca.pem");
	const struct npkd_cert	*t[1];
	struct npkd_ml_verdict	 v;
	struct npkd_err		 e;

	t[0] = cc;
	CU_ASSERT_EQUAL(npkd_ml_verify(m, t, 1, time(NULL), 0, &v, NULL, &e),
	    NPKD_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "does not chain"));
	/* same name, other key */
	t[0] = rogue;
	CU_ASSERT_EQUAL(npkd_ml_verify(m, t, 1, time(NULL), 0, &v, NULL, &e),
	    NPKD_E_VERIFY);
	npkd_cert_free(cc);
	npkd_cert_free(rogue);
	npkd_ml_free(m);
}

static void
broken_variants_get_their_verdicts(void)
{
	static const struct {
		const char	*file;
		int		 parse, verify;
		const char	*why;
	} v[] = {
		{ "bad/signer_no_eku.ml", NPKD_OK, NPKD_E_VERIFY,
		    "extended key usage" },
		{ "bad/signer_expired.ml", NPKD_OK, NPKD_E_VERIFY,
		    "was not valid at" },
		{ "bad/signer_rogue.ml", NPKD_OK, NPKD_E_VERIFY, "does not chain" },
		{ "bad/dl_signed_by_mlsigner.dl", NPKD_OK, NPKD_E_VERIFY,
		    "deviation list signer" },
		{ "bad/wrong_content_type.ml", NPKD_E_FORMAT, 0,
		    "neither a master list" },
		{ "bad/ml_as_dl.ml", NPKD_E_FORMAT, 0, "DeviationList" },
		{ "bad/member_truncated.ml", NPKD_E_FORMAT, 0, "CscaMasterList" },
		/* members read in parallel: the first bad one is named */
		{ "bad/member_not_cert.ml", NPKD_OK, NPKD_E_FORMAT,
		    "CscaMasterList.certList[20]:" },
		/* a flipped byte inside a member: the signature says no
		 * before the content is read (not "malformed") */
		{ "bad/tampered_content.ml", NPKD_OK, NPKD_E_VERIFY,
		    "not genuine: CMS: message-digest" },
	};
	struct npkd_cert	*aa = td_cert("aa_csca.der");
	const struct npkd_cert	*t[1] = { aa };
	struct npkd_ml_verdict	 vd;
	struct npkd_buf		 b;
	struct npkd_ml		*m;
	struct npkd_err		 e;
	size_t			 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		b = td_read(v[i].file);
		CU_ASSERT_EQUAL(npkd_ml_open(b.data, b.len, &m, &e) == NPKD_OK ?
		    npkd_ml_load(m, &e) : e.code, v[i].parse);
		if (v[i].parse != NPKD_OK) {
			npkd_ml_free(m);
			m = NULL;
		}
		if (v[i].parse == NPKD_OK) {
			npkd_ml_free(m);
			CU_ASSERT_EQUAL_FATAL(npkd_ml_open(b.data, b.len, &m, &e),
			    NPKD_OK);
			CU_ASSERT_EQUAL(npkd_ml_verify(m, t, 1, time(NULL), 0,
			    &vd, NULL, &e), v[i].verify);
			npkd_ml_free(m);
		} else {
			CU_ASSERT_PTR_NULL(m);
		}
		if (strstr(e.msg, v[i].why) == NULL) {
			fprintf(stderr, "%s: %s\n", v[i].file, e.msg);
			CU_FAIL("reason does not name the defect");
		}
		npkd_buf_free(&b);
	}
	npkd_cert_free(aa);
}

static void
expired_signer_today_is_a_finding_when_valid_at_signing_time(void)
{
	struct npkd_ml		*m = td_ml("ml_aa.ml");
	struct npkd_findings	*f = npkd_findings_new();
	struct npkd_ml_verdict	 v;
	struct npkd_err		 e;
	size_t			 i;
	int			 seen = 0;

	/* judged in 2051, after the signer's notAfter (2049-12-31) */
	CU_ASSERT_EQUAL(npkd_ml_verify(m, NULL, 0, 2556143999,
	    NPKD_ML_SELF_ATTESTED, &v, f, &e), NPKD_OK);
	for (i = 0; i < npkd_findings_count(f); i++)
		if (strcmp(npkd_findings_get(f, i)->code, "signer-expired") == 0)
			seen = 1;
	CU_ASSERT_TRUE(seen);
	npkd_findings_free(f);
	npkd_ml_free(m);
}

static void
deviation_list_names_the_dsc_and_verifies_against_its_csca(void)
{
	struct npkd_ml		*m = td_ml("dl_aa.dl");
	struct npkd_cert	*aa = td_cert("aa_csca.der");
	struct npkd_cert	*dsc2 = td_cert("aa_dsc2.der");
	const struct npkd_cert	*t[1] = { aa };
	struct npkd_ml_verdict	 v;
	struct npkd_err		 e;
	char			 want[80];

	CU_ASSERT_EQUAL(npkd_ml_kind(m), NPKD_LIST_DL);
	CU_ASSERT_EQUAL(npkd_ml_count(m), 0);
	CU_ASSERT_EQUAL_FATAL(npkd_ml_deviation_count(m), 1);
	snprintf(want, sizeof(want), "dsc-serial=%s ", npkd_cert_serial(dsc2));
	CU_ASSERT_PTR_NOT_NULL(strstr(npkd_ml_deviation(m, 0), want));
	CU_ASSERT_PTR_NOT_NULL(strstr(npkd_ml_deviation(m, 0),
	    "types=2.23.136.1.1.7.1.1"));
	CU_ASSERT_EQUAL(npkd_ml_verify(m, t, 1, time(NULL), 0, &v, NULL, &e),
	    NPKD_OK);
	/* no CSCA inside a deviation list: without anchors it cannot pass */
	CU_ASSERT_EQUAL(npkd_ml_verify(m, NULL, 0, time(NULL),
	    NPKD_ML_SELF_ATTESTED, &v, NULL, &e), NPKD_E_VERIFY);
	npkd_cert_free(aa);
	npkd_cert_free(dsc2);
	npkd_ml_free(m);
}

static void
built_list_is_sorted_deduplicated_and_parses(void)
{
	struct npkd_cert	*a = td_cert("aa_csca.der");
	struct npkd_cert	*b = td_cert("bb_csca.der");
	const struct npkd_cert	*v[3] = { b, a, b };
	struct npkd_buf		 out;
	struct npkd_cms_sign_opts o;
	struct npkd_key		*k;
	struct npkd_cert	*s = td_cert("aa_mlsigner.pem");
	struct npkd_buf		 signed_ml;
	struct npkd_ml		*m;
	struct npkd_err		 e;

	CU_ASSERT_EQUAL_FATAL(npkd_ml_build(v, 3, &out, &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_key_load(td("aa_mlsigner.key"), NULL, &k, &e),
	    NPKD_OK);
	memset(&o, 0, sizeof(o));
	o.sid_ski = 1;
	CU_ASSERT_EQUAL_FATAL(npkd_cms_sign(NPKD_OID_ML_CONTENT, out.data,
	    out.len, s, k, &o, &signed_ml, &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_ml_parse(signed_ml.data, signed_ml.len, &m,
	    &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_ml_count(m), 2);
	CU_ASSERT_TRUE(memcmp(npkd_ml_member_sha256(m, 0),
	    npkd_ml_member_sha256(m, 1), 32) != 0);
	npkd_ml_free(m);
	npkd_buf_free(&signed_ml);
	npkd_buf_free(&out);
	npkd_key_free(k);
	npkd_cert_free(a);
	npkd_cert_free(b);
	npkd_cert_free(s);
}

/*
 * A list of n copies of the bulk template (each its own serial), with
 * member bad a SEQUENCE that is no certificate, signed by AA's signer.
 */
static struct npkd_ml *
bulk_list(size_t n, size_t bad, struct npkd_buf *der)
{
	struct npkd_buf		 t = td_read("bulk_template.der"), body;
	struct npkd_cert	*s = td_cert("aa_mlsigner.pem");
	struct npkd_cms_sign_opts o;
	struct npkd_key		*k;
	struct npkd_ml		*m = NULL;
	struct npkd_err		 e;
	uint8_t			 h1[8], h2[8], *p;
	size_t			 i, j, at = 0, len, n1, n2;

	for (i = 0; i + 10 < t.len && i < 32 && at == 0; i++)
		if (t.data[i] == 0x02 && t.data[i + 1] == 0x08)
			at = i + 2;
	CU_ASSERT_TRUE_FATAL(at > 0);
	len = (n - 1) * t.len + 5;
	n2 = npkd_der_put_header(h2, 0x31, len);
	n1 = npkd_der_put_header(h1, 0x30, 3 + n2 + len);
	body.len = n1 + 3 + n2 + len;
	CU_ASSERT_PTR_NOT_NULL_FATAL(body.data = malloc(body.len));
	p = body.data;
	memcpy(p, h1, n1);
	p += n1;
	memcpy(p, "\x02\x01\x00", 3);
	p += 3;
	memcpy(p, h2, n2);
	p += n2;
	for (i = 0; i < n; i++) {
		if (i == bad) {
			memcpy(p, "\x30\x03\x02\x01\x00", 5);
			p += 5;
			continue;
		}
		memcpy(p, t.data, t.len);
		for (j = 0; j < 8; j++)
			p[at + j] = (uint8_t)((i + 1) >> (8 * (7 - j)));
		p[at] = 0x01;
		p += t.len;
	}
	CU_ASSERT_EQUAL_FATAL(npkd_key_load(td("aa_mlsigner.key"), NULL, &k,
	    &e), NPKD_OK);
	memset(&o, 0, sizeof(o));
	CU_ASSERT_EQUAL_FATAL(npkd_cms_sign(NPKD_OID_ML_CONTENT, body.data,
	    body.len, s, k, &o, der, &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_ml_parse(der->data, der->len, &m, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL(npkd_ml_count(m), n);
	npkd_key_free(k);
	npkd_cert_free(s);
	npkd_buf_free(&body);
	npkd_buf_free(&t);
	return m;
}

/*
 * Members decoded ahead on other threads come in order, each what
 * npkd_ml_member gives, the bad one with its error; past the window of
 * decoded members and back (5 000 members), read to the end or left at
 * the error with members still being decoded; out of turn is refused.
 */
static void
members_decoded_ahead_are_those_decoded_in_turn(void)
{
	struct npkd_buf		 der = { NULL, 0 };
	struct npkd_ml		*m = bulk_list(5000, 3210, &der);
	struct npkd_ml_ahead	*a;
	struct npkd_cert	*c, *r;
	struct npkd_err		 e, re;
	size_t			 i, same = 0;
	int			 rc, rrc, pass;

	for (pass = 0; pass < 2; pass++) {
		CU_ASSERT_EQUAL_FATAL(npkd_ml_ahead_new(m, &a), NPKD_OK);
		CU_ASSERT_EQUAL(npkd_ml_ahead_take(a, 1, &c, &e),
		    NPKD_E_USAGE);
		for (i = 0; i < npkd_ml_count(m); i++) {
			rc = npkd_ml_ahead_take(a, i, &c, &e);
			rrc = npkd_ml_member(m, i, &r, &re);
			CU_ASSERT_EQUAL(rc, rrc);
			if (rc == NPKD_OK && rrc == NPKD_OK &&
			    memcmp(c->sha256, r->sha256, 32) == 0 &&
			    memcmp(c->sha256, npkd_ml_member_sha256(m, i),
			    32) == 0)
				same++;
			if (rc != NPKD_OK) {
				CU_ASSERT_EQUAL(i, 3210);
				CU_ASSERT_STRING_EQUAL(e.msg, re.msg);
				CU_ASSERT_TRUE(strstr(e.msg,
				    "certList[3210]") != NULL);
			}
			npkd_cert_free(r);
			if (i % 2)
				npkd_ml_ahead_give(a, c);
			else
				npkd_cert_free(c);
			if (rc != NPKD_OK && pass == 1)
				break;		/* as an import stops */
		}
		npkd_ml_ahead_free(a);
	}
	CU_ASSERT_EQUAL(same, 4999 + 3210);
	npkd_ml_free(m);
	npkd_buf_free(&der);
}

CU_TestInfo t_ml[] = {
	{ "members decoded ahead are those decoded in turn",
	    members_decoded_ahead_are_those_decoded_in_turn },
	{ "master list members are all the CSCAs and the link",
	    master_list_members_are_all_cscas_and_the_link },
	{ "every generated list verifies, self-attested and anchored",
	    every_generated_list_verifies_self_attested_and_anchored },
	{ "a trust anchor of another country does not vouch",
	    a_trust_anchor_of_another_country_does_not_vouch },
	{ "broken variants get their verdicts",
	    broken_variants_get_their_verdicts },
	{ "an expired signer today is a finding when valid at signing time",
	    expired_signer_today_is_a_finding_when_valid_at_signing_time },
	{ "deviation list names the DSC and verifies against its CSCA",
	    deviation_list_names_the_dsc_and_verifies_against_its_csca },
	{ "a built list is sorted, deduplicated and parses",
	    built_list_is_sorted_deduplicated_and_parses },
	CU_TEST_INFO_NULL
};
