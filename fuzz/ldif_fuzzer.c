/*
 * ldif_fuzzer.c - the streaming LDIF reader on untrusted bytes, fed in
 * chunks whose size comes from the input so that buffer edges move.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "npkd.h"

struct mem {
	const uint8_t	*p;
	size_t		 n, off, chunk;
};

static long
rd(void *arg, uint8_t *buf, size_t n)
{
	struct mem *m = arg;

	if (n > m->chunk)
		n = m->chunk;
	if (n > m->n - m->off)
		n = m->n - m->off;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (long)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_ldif		*l;
	const struct npkd_ldif_entry	*en;
	struct npkd_err			 e;
	struct mem			 m;
	size_t				 i;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	m.p = data;
	m.n = size;
	m.off = 0;
	m.chunk = size > 0 ? 1 + data[0] % 64 : 1;
	if (npkd_ldif_new(rd, &m, "fuzz", &l, &e) != NPKD_OK)
		return 0;
	/* Values are promised NUL-terminated: read each as a string, as
	 * the import does with names and conformance texts. */
	while (npkd_ldif_next(l, &en, &e) == NPKD_OK) {
		if (strlen(en->dn) > NPKD_MAX_LDIF_VALUE)
			abort();
		for (i = 0; i < en->nattrs; i++)
			if (en->attrs[i].len > NPKD_MAX_LDIF_VALUE ||
			    strlen((const char *)en->attrs[i].value) >
			    en->attrs[i].len)
				abort();
	}
	npkd_ldif_free(l);
	return 0;
}
