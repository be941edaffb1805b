/*
 * pa_fuzzer.c - passive authentication of untrusted bytes through a
 * context over an empty store: the first TLV is the EF.SOD, what follows
 * it a data group (DG1's MRZ read when its tag says DG1).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "npkd.h"

static struct npkd_pa	*pa;
static struct npkd_store *store;
static char		 dir[] = "/tmp/npkd-pa-fuzz.XXXXXX";

/* The store is removed when the run ends. */
static void
cleanup(void)
{
	static const char *const f[] = { "npkd.db", "npkd.db-wal",
	    "npkd.db-shm", "keys" };
	char	 p[sizeof(dir) + 16];
	size_t	 i;

	npkd_pa_free(pa);
	npkd_store_close(store);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, f[i]);
		if (unlink(p) == -1)
			(void)rmdir(p);
	}
	(void)rmdir(dir);
}

static struct npkd_pa *
context(void)
{
	struct npkd_err e;

	if (pa != NULL)
		return pa;
	if (npkd_global_init(&e) != NPKD_OK || mkdtemp(dir) == NULL ||
	    npkd_store_open(dir, NPKD_STORE_CREATE, &store, &e) != NPKD_OK ||
	    npkd_pa_open(store, 0, &pa, &e) != NPKD_OK)
		abort();
	atexit(cleanup);
	return pa;
}

/* The length of the TLV at p (short or long definite form), or n. */
static size_t
first(const uint8_t *p, size_t n)
{
	size_t	 l = 0, k, i;

	if (n < 2)
		return n;
	if (p[1] < 0x80)
		l = 2 + (size_t)p[1];
	else {
		k = p[1] & 0x7f;
		if (k == 0 || k > 3 || n < 2 + k)
			return n;
		for (i = 0; i < k; i++)
			l = l << 8 | p[2 + i];
		l += 2 + k;
	}
	return l < n ? l : n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_pa_report	 r;
	struct npkd_pa_file	 f;
	struct npkd_err		 e;
	size_t			 n = first(data, size);

	f.data = data + n;
	f.len = size - n;
	(void)npkd_pa_verify(context(), data, n, &f, f.len > 0, &r, &e);
	npkd_pa_report_clear(&r);
	return 0;
}
