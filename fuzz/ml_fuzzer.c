/*
 * ml_fuzzer.c - master lists and deviation lists from untrusted bytes:
 * parse, then the whole self-attested verification.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_ml		*m;
	struct npkd_findings	*f;
	struct npkd_ml_verdict	 v;
	struct npkd_err		 e;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (npkd_ml_parse(data, size, &m, &e) == NPKD_OK) {
		f = npkd_findings_new();
		(void)npkd_ml_verify(m, NULL, 0, 1767225600, &v, f, &e);
		npkd_findings_free(f);
		npkd_ml_free(m);
	}
	return 0;
}
