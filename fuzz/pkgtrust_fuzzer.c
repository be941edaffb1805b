/*
 * pkgtrust_fuzzer.c - message packages from untrusted bytes, read with a
 * trust anchor: the fuzz package signer below (fuzz/pkgtrust.pem, its
 * key fuzz/pkgtrust.key, for tests only).  The seeds (fuzz/pkgtrust.in,
 * made by fuzz/pkgtrust.sh) are genuine packages it signed, so mutations
 * reach the CMS signature over MANIFEST; what survives it reaches the
 * MANIFEST parser and the member checks, and then the SPOC reader.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "npkd.h"

static const char pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBnjCCAUSgAwIBAgIBATAKBggqhkjOPQQDAjA3MQswCQYDVQQGEwJQUDEoMCYG\n"
    "A1UEAxMfRnV6eiBwYWNrYWdlIHNpZ25lciAodGVzdCBvbmx5KTAgFw0yNjEyMDUx\n"
    "MjM0MzZaGA8yMTI2MTExMTEyMzQzNlowNzELMAkGA1UEBhMCUFAxKDAmBgNVBAMT\n"
    "H0Z1enogcGFja2FnZSBzaWduZXIgKHRlc3Qgb25seSkwWTATBgcqhkjOPQIBBggq\n"
    "hkjOPQMBBwNCAATrnZukHxxwTY8iftn+GWqKf0JOpspZAKqZ0+aR75UjAEm6klMf\n"
    "PP0aU8UE8Qd1XswXIMMyEFLl63qnvTX/ZZuloz8wPTAMBgNVHRMBAf8EAjAAMA4G\n"
    "A1UdDwEB/wQEAwIHgDAdBgNVHQ4EFgQUMGmvmf8W8KvBOB+HzkPuKtlXcxgwCgYI\n"
    "KoZIzj0EAwIDSAAwRQIgPzV1ZzIpailY1e8n51mj5Q3mODZFrB7bgo6BQJiuoEMC\n"
    "IQC27KS2cCCdB6gLWMYYcjhgkQkx5WBN2GRd7mDYdDUqLQ==\n"
    "-----END CERTIFICATE-----\n"
    ;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct npkd_cert	**trust;
	static size_t		  ntrust;
	struct npkd_pkg_member	 *m;
	struct npkd_spoc_msg	  msg;
	struct npkd_err		  e;
	size_t			  n, i;

	if (trust == NULL && (npkd_global_init(&e) != NPKD_OK ||
	    npkd_certs_load((const uint8_t *)pem, strlen(pem), &trust, &ntrust,
	    &e) != NPKD_OK))
		abort();
	if (npkd_pkg_read(data, size, (const struct npkd_cert *const *)trust,
	    ntrust, &m, &n, &e) != NPKD_OK)
		return 0;
	for (i = 0; i < n; i++)
		if (npkd_spoc_decode(m[i].data.data, m[i].data.len, m[i].name,
		    &msg, &e) == NPKD_OK)
			npkd_spoc_msg_free(&msg);
	npkd_pkg_free(m, n);
	return 0;
}
