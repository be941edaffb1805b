/*
 * cvc_fuzzer.c - CV certificates and requests from untrusted bytes:
 * parsed every way, printed, and verified against themselves.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_cvc		*c;
	const struct npkd_cvc	*t[1];
	struct npkd_err		 e;
	const char		*res;
	char			 r[48][48];
	int			 as;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	for (as = -1; as <= 1; as++) {
		if (npkd_cvc_parse(data, size, as, &c, &e) != NPKD_OK)
			continue;
		(void)npkd_cvc_rights(c, r, 48);
		t[0] = c;
		if (npkd_cvc_kind(c) == NPKD_CVC_CERT)
			(void)npkd_cvc_verify(c, t, 1, t, 1, 1767225600, &res,
			    &e);
		else
			(void)npkd_cvc_verify_request(c, t, 1, t, 1, 1767225600,
			    &res, &e);
		npkd_cvc_free(c);
	}
	return 0;
}
