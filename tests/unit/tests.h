/*
 * tests.h - CUnit suites of libnpkd.  Each t_<module>.c exports its
 * CU_TestInfo table; main.c registers them.
 */
#ifndef NPKD_TESTS_UNIT_TESTS_H
#define NPKD_TESTS_UNIT_TESTS_H

#include <CUnit/CUnit.h>

#include "npkd.h"

extern CU_TestInfo t_der[];
extern CU_TestInfo t_crypto[];
extern CU_TestInfo t_cert[];
extern CU_TestInfo t_cms[];
extern CU_TestInfo t_ml[];
extern CU_TestInfo t_ldif[];
extern CU_TestInfo t_cvc[];
extern CU_TestInfo t_pkg[];
extern CU_TestInfo t_soap[];
extern CU_TestInfo t_name[];
extern CU_TestInfo t_spocflow[];
extern CU_TestInfo t_pa[];

/* Path of a generated fixture (NPKD_TESTDATA), in a static buffer. */
const char	*td(const char *);
/* Read a fixture; fails the test when it cannot. */
struct npkd_buf	 td_read(const char *);
/* Parse a fixture certificate (DER or PEM). */
struct npkd_cert *td_cert(const char *);

#endif /* NPKD_TESTS_UNIT_TESTS_H */
