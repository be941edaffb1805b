/*
 * pkg_fuzzer.c - message packages (tar, MANIFEST, signature) from
 * untrusted bytes.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_pkg_member	*m;
	struct npkd_err		 e;
	size_t			 n;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (npkd_pkg_read(data, size, NULL, 0, &m, &n, &e) == NPKD_OK)
		npkd_pkg_free(m, n);
	return 0;
}
