/*
 * init.c - library set-up.
 */
#include <gnutls/gnutls.h>

#include "npkd_int.h"

/*
 * Initialise GnuTLS, OpenSSL's libcrypto and the ASN.1 definitions.
 * libxml2 is initialised by the SOAP code on its first use (soap.c), so
 * that a program without SOAP does not load it.
 */
int
npkd_global_init(struct npkd_err *e)
{
	static int	 done;
	int		 r, rc;

	if (done)
		return NPKD_OK;
	if ((r = gnutls_global_init()) < 0)
		return npkd_gnutls2err(e, r, "GnuTLS");
	if ((rc = npkd_backend_init(e)) != NPKD_OK ||
	    (rc = npkd_asn1_init(e)) != NPKD_OK)
		return rc;
	done = 1;
	return NPKD_OK;
}
