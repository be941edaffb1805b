/*
 * main.c - runs every CUnit suite; exits non-zero on any failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "tests.h"

static CU_SuiteInfo suites[] = {
	{ "der and asn1", NULL, NULL, NULL, NULL, t_der },
	{ "crypto backends", NULL, NULL, NULL, NULL, t_crypto },
	{ "certificates and CRLs", NULL, NULL, NULL, NULL, t_cert },
	{ "CMS SignedData", NULL, NULL, NULL, NULL, t_cms },
	{ "master and deviation lists", NULL, NULL, NULL, NULL, t_ml },
	{ "LDIF reader", NULL, NULL, NULL, NULL, t_ldif },
	{ "CV certificates", NULL, NULL, NULL, NULL, t_cvc },
	{ "message packages", NULL, NULL, NULL, NULL, t_pkg },
	{ "SPOC messages", NULL, NULL, NULL, NULL, t_soap },
	{ "names and keys", NULL, NULL, NULL, NULL, t_name },
	{ "SPOC rules and the relay's answers", NULL, NULL, NULL, NULL,
	    t_spocflow },
	{ "passive authentication", NULL, NULL, NULL, NULL, t_pa },
	CU_SUITE_INFO_NULL
};

const char *
td(const char *name)
{
	static char	 buf[4096];
	const char	*dir = getenv("NPKD_TESTDATA");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "build/testdata", name);
	return buf;
}

struct npkd_buf
td_read(const char *name)
{
	struct npkd_buf	 b = { NULL, 0 };
	struct npkd_err	 e;

	if (npkd_file_read(td(name), NPKD_MAX_FILE, &b, &e) != NPKD_OK) {
		fprintf(stderr, "fixture %s: %s\n", name, e.msg);
		CU_FAIL_FATAL("fixture missing");
	}
	return b;
}

struct npkd_cert *
td_cert(const char *name)
{
	struct npkd_buf		 b = td_read(name);
	struct npkd_cert	**v = NULL, *c;
	struct npkd_err		 e;
	size_t			 n = 0;

	if (npkd_certs_load(b.data, b.len, &v, &n, &e) != NPKD_OK) {
		fprintf(stderr, "fixture %s: %s\n", name, e.msg);
		npkd_buf_free(&b);
		CU_FAIL_FATAL("fixture certificate does not parse");
	}
	npkd_buf_free(&b);
	c = v[0];
	v[0] = NULL;
	npkd_certs_free(v, n);
	return c;
}

int
main(void)
{
	struct npkd_err	e;
	unsigned int	failed;

	if (npkd_global_init(&e) != NPKD_OK) {
		fprintf(stderr, "init: %s\n", e.msg);
		return 2;
	}
	if (CU_initialize_registry() != CUE_SUCCESS ||
	    CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		return 2;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}
