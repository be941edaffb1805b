/*
 * ml_fuzzer.c - master lists and deviation lists from untrusted bytes:
 * opened, the whole self-attested verification (signature, content, the
 * trust model over the list's own certificates), and every member read.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_ml		*m;
	struct npkd_cert	*c;
	struct npkd_findings	*f;
	struct npkd_ml_verdict	 v;
	struct npkd_err		 e;
	size_t			 i;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (npkd_ml_open(data, size, &m, &e) == NPKD_OK) {
		f = npkd_findings_new();
		(void)npkd_ml_verify(m, NULL, 0, 1767225600,
		    NPKD_ML_SELF_ATTESTED, &v, f, &e);
		npkd_findings_free(f);
		if (npkd_ml_load(m, &e) == NPKD_OK)
			for (i = 0; i < npkd_ml_count(m); i++)
				if (npkd_ml_member(m, i, &c, &e) == NPKD_OK)
					npkd_cert_free(c);
		npkd_ml_free(m);
	}
	return 0;
}
