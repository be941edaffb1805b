/*
 * t_cert.c - certificate fields, roles, ICAO profile findings, CRLs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static int
has_finding(const struct npkd_findings *f, const char *code)
{
	size_t i;

	for (i = 0; i < npkd_findings_count(f); i++)
		if (strcmp(npkd_findings_get(f, i)->code, code) == 0)
			return 1;
	return 0;
}

static void
dsc_fields_and_extensions_are_read(void)
{
	struct npkd_cert	*d = td_cert("aa_dsc.der");
	struct npkd_cert	*ca = td_cert("aa_csca.der");
	const uint8_t		*aki, *ski;
	size_t			 alen, slen;
	struct npkd_err		 e;

	CU_ASSERT_STRING_EQUAL(npkd_cert_country(d), "AA");
	CU_ASSERT_STRING_EQUAL(npkd_cert_subject(d),
	    "CN=dsc AA,O=Government of AA,C=AA");
	CU_ASSERT_STRING_EQUAL(npkd_cert_issuer(d),
	    "CN=CSCA AA,O=Government of AA,C=AA");
	CU_ASSERT_EQUAL(npkd_cert_role(d), NPKD_ROLE_DSC);
	CU_ASSERT_EQUAL(npkd_cert_key_usage(d), NPKD_KU_DIGITAL_SIGNATURE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(npkd_cert_doctypes(d));
	CU_ASSERT_STRING_EQUAL(npkd_cert_doctypes(d), "P,ID");
	CU_ASSERT_EQUAL(npkd_cert_not_before(d), 1577836800);	/* 2020-01-01 */
	CU_ASSERT_EQUAL(npkd_cert_not_after(d), 2524607999);	/* 2049-12-31 */
	aki = npkd_cert_aki(d, &alen);
	ski = npkd_cert_ski(ca, &slen);
	CU_ASSERT_PTR_NOT_NULL_FATAL(aki);
	CU_ASSERT_EQUAL(alen, slen);
	CU_ASSERT_EQUAL(memcmp(aki, ski, slen), 0);
	CU_ASSERT_TRUE(npkd_cert_issued(ca, d));
	CU_ASSERT_EQUAL(npkd_cert_verify(d, ca, NULL, &e), NPKD_OK);
	CU_ASSERT_FALSE(npkd_cert_has_eku(d, NPKD_OID_ML_SIGNER));
	CU_ASSERT_EQUAL(npkd_findings_count(npkd_cert_findings(d)), 0);
	npkd_cert_free(d);
	npkd_cert_free(ca);
}

static void
roles_csca_link_and_signers(void)
{
	struct npkd_cert	*c = td_cert("aa_csca.der"), *l = td_cert("aa_link.der");
	struct npkd_cert	*n = td_cert("aa_csca2.der");
	struct npkd_cert	*m = td_cert("aa_mlsigner.der");
	struct npkd_cert	*dl = td_cert("aa_dlsigner.der");
	struct npkd_err		 e;
	int			 pl;

	CU_ASSERT_EQUAL(npkd_cert_role(c), NPKD_ROLE_CSCA);
	CU_ASSERT_TRUE(npkd_cert_is_ca(c, &pl));
	CU_ASSERT_EQUAL(pl, 0);
	CU_ASSERT_EQUAL(npkd_cert_role(n), NPKD_ROLE_CSCA);
	/* same name, old key signs new: a link */
	CU_ASSERT_EQUAL(npkd_cert_role(l), NPKD_ROLE_LINK);
	CU_ASSERT_TRUE(npkd_cert_self_issued(l));
	CU_ASSERT_EQUAL(npkd_cert_verify(l, c, NULL, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_cert_verify(l, n, NULL, &e), NPKD_E_VERIFY);
	CU_ASSERT_EQUAL(npkd_cert_role(m), NPKD_ROLE_MLSIGNER);
	CU_ASSERT_TRUE(npkd_cert_has_eku(m, NPKD_OID_ML_SIGNER));
	CU_ASSERT_EQUAL(npkd_cert_role(dl), NPKD_ROLE_DLSIGNER);
	npkd_cert_free(c);
	npkd_cert_free(l);
	npkd_cert_free(n);
	npkd_cert_free(m);
	npkd_cert_free(dl);
}

static void
profile_deviations_are_findings_not_failures(void)
{
	struct npkd_cert		*c = td_cert("zz_odd.der");
	const struct npkd_findings	*f = npkd_cert_findings(c);
	struct npkd_err			 e;

	CU_ASSERT_EQUAL(npkd_cert_role(c), NPKD_ROLE_CSCA);
	CU_ASSERT_STRING_EQUAL(npkd_cert_country(c), "zz");
	CU_ASSERT_TRUE(has_finding(f, "country-case"));
	CU_ASSERT_TRUE(has_finding(f, "ku-not-critical"));
	CU_ASSERT_TRUE(has_finding(f, "bc-not-critical"));
	CU_ASSERT_TRUE(has_finding(f, "bc-pathlen"));
	CU_ASSERT_TRUE(has_finding(f, "ski-missing"));
	CU_ASSERT_EQUAL(npkd_cert_verify(c, c, NULL, &e), NPKD_OK);
	npkd_cert_free(c);
}

static void
trailing_garbage_after_a_certificate_is_refused(void)
{
	struct npkd_buf		 b = td_read("bad/cert_trailing_garbage.der");
	struct npkd_cert	*c = (struct npkd_cert *)1;
	struct npkd_err		 e;

	CU_ASSERT_EQUAL(npkd_cert_parse(b.data, b.len, &c, &e), NPKD_E_FORMAT);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "trailing"));
	/* every truncation fails cleanly */
	for (size_t n = 0; n < b.len - 2; n += 7) {
		CU_ASSERT_NOT_EQUAL(npkd_cert_parse(b.data, n, &c, &e), NPKD_OK);
	}
	npkd_buf_free(&b);
}

static void
crl_entries_and_signature(void)
{
	struct npkd_buf		 b = td_read("aa.crl");
	struct npkd_crl		*crl;
	struct npkd_cert	*ca = td_cert("aa_csca.der");
	struct npkd_cert	*dsc2 = td_cert("aa_dsc2.der");
	struct npkd_cert	*dsc = td_cert("aa_dsc.der");
	struct npkd_cert	*other = td_cert("bb_csca.der");
	struct npkd_err		 e;
	const char		*serial;
	time_t			 when;

	CU_ASSERT_EQUAL_FATAL(npkd_crl_parse(b.data, b.len, &crl, &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(npkd_crl_country(crl), "AA");
	CU_ASSERT_EQUAL(npkd_crl_revoked_count(crl), 1);
	CU_ASSERT_EQUAL(npkd_crl_revoked(crl, 0, &serial, &when), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(serial, npkd_cert_serial(dsc2));
	CU_ASSERT_TRUE(npkd_crl_is_revoked(crl, npkd_cert_serial(dsc2)));
	CU_ASSERT_FALSE(npkd_crl_is_revoked(crl, npkd_cert_serial(dsc)));
	CU_ASSERT_EQUAL(npkd_crl_next_update(crl) - npkd_crl_this_update(crl),
	    90 * 86400);
	CU_ASSERT_STRING_NOT_EQUAL(npkd_crl_number(crl), "");
	CU_ASSERT_EQUAL(npkd_crl_verify(crl, ca, NULL, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_crl_verify(crl, other, NULL, &e), NPKD_E_VERIFY);
	npkd_crl_free(crl);
	npkd_buf_free(&b);

	b = td_read("bb.crl");
	CU_ASSERT_EQUAL_FATAL(npkd_crl_parse(b.data, b.len, &crl, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_crl_revoked_count(crl), 0);
	CU_ASSERT_EQUAL(npkd_crl_verify(crl, other, NULL, &e), NPKD_OK);
	npkd_crl_free(crl);
	npkd_buf_free(&b);
	npkd_cert_free(ca);
	npkd_cert_free(dsc);
	npkd_cert_free(dsc2);
	npkd_cert_free(other);
}

static void
pem_bundle_loads_every_certificate(void)
{
	struct npkd_buf		  b = td_read("trust_all.pem");
	struct npkd_cert	**v;
	struct npkd_err		  e;
	size_t			  n;

	CU_ASSERT_EQUAL_FATAL(npkd_certs_load(b.data, b.len, &v, &n, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL(n, 19);	/* 18 countries and AA's second generation */
	npkd_certs_free(v, n);
	CU_ASSERT_EQUAL(npkd_certs_load((const uint8_t *)"-----BEGIN X-----",
	    17, &v, &n, &e), NPKD_E_FORMAT);
	npkd_buf_free(&b);
}

CU_TestInfo t_cert[] = {
	{ "DSC fields and extensions are read", dsc_fields_and_extensions_are_read },
	{ "roles: CSCA, link and signers", roles_csca_link_and_signers },
	{ "profile deviations are findings, not failures",
	    profile_deviations_are_findings_not_failures },
	{ "trailing garbage after a certificate is refused",
	    trailing_garbage_after_a_certificate_is_refused },
	{ "CRL entries and signature", crl_entries_and_signature },
	{ "PEM bundle loads every certificate",
	    pem_bundle_loads_every_certificate },
	CU_TEST_INFO_NULL
};
