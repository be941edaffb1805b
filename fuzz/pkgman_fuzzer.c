/*
 * pkgman_fuzzer.c - the MANIFEST parser and the member checks, reached
 * without a signature: the input is a tar whose MANIFEST is taken as
 * already verified (npkd_pkg_manifest_check), as npkd_pkg_read does once
 * MANIFEST.p7s holds.  What it accepts must name every member with its
 * hash and size.  Seeds: fuzz/pkgman.in (packages, signed or not).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "npkd.h"
#include "spoc_int.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_pkg_member	*v = NULL, *r = NULL;
	struct npkd_err		 e;
	struct npkd_buf		 man = { NULL, 0 };
	uint8_t			 sha[32];
	size_t			 n = 0, nr = 0, i;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (npkd_pkg_tar_read(data, size, &v, &n, &e) != NPKD_OK)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, "MANIFEST") == 0)
			man = v[i].data;
	if (man.data != NULL && npkd_pkg_manifest_check(man.data, man.len, v,
	    n, &r, &nr, &e) == NPKD_OK) {
		for (i = 0; i < nr; i++) {
			npkd_hash(NPKD_HASH_SHA256, r[i].data.data,
			    r[i].data.len, sha, NULL);
			if (memcmp(sha, r[i].sha256, 32) != 0 ||
			    strcmp(r[i].name, "MANIFEST") == 0)
				abort();
		}
		npkd_pkg_free(r, nr);
	}
	npkd_pkg_free(v, n);
	return 0;
}
