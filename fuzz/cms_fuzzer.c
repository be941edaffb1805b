/*
 * cms_fuzzer.c - CMS SignedData from untrusted bytes, parsed and verified
 * against the certificates it carries.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_cms		*c;
	const struct npkd_cert	*s;
	struct npkd_err		 e;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (npkd_cms_parse(data, size, &c, &e) == NPKD_OK) {
		(void)npkd_cms_verify(c, NULL, 0, &s, NULL, &e);
		(void)npkd_cms_verify_detached(c, data, size, NULL, 0, &s, NULL,
		    &e);
		npkd_cms_free(c);
	}
	return 0;
}
