/*
 * sod_fuzzer.c - an EF.SOD from untrusted bytes: the 77 wrapper, BER
 * rewritten as DER, SignedData and the LDSSecurityObject read, the
 * signature checked with each certificate the SOD carries.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_sod		*s;
	struct npkd_cert	*c;
	struct npkd_err		 e;
	const uint8_t		*p;
	const char		*u;
	size_t			 i, n;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (npkd_sod_parse(data, size, &s, &e) != NPKD_OK)
		return 0;
	(void)npkd_sod_lds_info(s, &u);
	for (i = 0; i < npkd_sod_dg_count(s); i++)
		(void)npkd_sod_dg(s, i, &p, &n);
	for (i = 0; i < npkd_sod_cert_count(s); i++) {
		p = npkd_sod_cert_der(s, i, &n);
		if (npkd_cert_parse(p, n, &c, &e) != NPKD_OK)
			continue;
		if (npkd_sod_is_signer(s, c))
			(void)npkd_sod_verify(s, c, NULL, &e);
		npkd_cert_free(c);
	}
	npkd_sod_free(s);
	return 0;
}
