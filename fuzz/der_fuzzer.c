/*
 * der_fuzzer.c - certificates, CRLs and PEM bundles from untrusted bytes.
 */
#include <stdlib.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_cert	*c, **v;
	struct npkd_crl		*crl;
	struct npkd_keyinfo	 ki;
	struct npkd_err		 e;
	size_t			 n;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (npkd_cert_parse(data, size, &c, &e) == NPKD_OK) {
		npkd_cert_keyinfo(c, &ki);
		(void)npkd_cert_verify(c, c, NULL, &e);
		npkd_cert_free(c);
	}
	if (npkd_crl_parse(data, size, &crl, &e) == NPKD_OK)
		npkd_crl_free(crl);
	if (npkd_certs_load(data, size, &v, &n, &e) == NPKD_OK)
		npkd_certs_free(v, n);
	return 0;
}
