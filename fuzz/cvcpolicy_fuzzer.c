/*
 * cvcpolicy_fuzzer.c - a CVCA's policy file from untrusted bytes (an
 * agreement handed to the officer): read strictly, and what it allows
 * encoded as rights for its terminal type.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_cvca_policy	 p;
	struct npkd_err		 e;
	uint8_t			 r[8];
	size_t			 n;
	long			 v;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (npkd_cvca_policy_parse(data, size, &p, &e) != NPKD_OK)
		return 0;
	if (p.max_days > NPKD_CVCA_MAX_DAYS || p.min_days > NPKD_CVCA_MAX_DAYS ||
	    p.min_days < 0 || p.max_days < 0)
		abort();	/* a number out of range was accepted */
	(void)npkd_cvc_rights_encode(p.type[0] ? p.type : "AT",
	    NPKD_CVC_DV_FOREIGN, p.rights, r, &n, &e);
	(void)npkd_cvc_number(p.rights, 1, NPKD_CVCA_MAX_DAYS, &v, &e);
	return 0;
}
