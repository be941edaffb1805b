/*
 * rawsig.h - make bench: one signature prepared for the raw calls of the
 * two crypto libraries (digest computed, key handle and verification
 * context made beforehand), so that npkd's own rates can be set against
 * the floor the libraries give.  Include it before libtasn1's header
 * (npkd_int.h): OpenSSL and libtasn1 both define ASN1_TYPE.
 */
#ifndef RAWSIG_H
#define RAWSIG_H

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <openssl/evp.h>

#include "npkd_int.h"

struct rawsig {
	uint8_t			 d[64];
	size_t			 dlen;
	const uint8_t		*sig;
	size_t			 slen;
	gnutls_pubkey_t		 gk;	/* NULL: GnuTLS cannot check it */
	gnutls_datum_t		 h, sg;
	int			 galg;
	EVP_PKEY_CTX		*octx;	/* NULL: OpenSSL cannot check it */
};

/* Prepare r for key k checking sig (X.509/CMS form) of kind a over data. */
void	rawsig_prepare(struct rawsig *, const struct npkd_pubkey *,
	    const struct npkd_sigalg *, const uint8_t *, size_t,
	    const uint8_t *, size_t);
/* One raw verification by GnuTLS, by OpenSSL, or by the library npkd
 * routes the signature to; 0 when it verifies. */
int	rawsig_gnutls(const struct rawsig *);
int	rawsig_openssl(const struct rawsig *);
int	rawsig_routed(const struct rawsig *, const struct npkd_pubkey *,
	    const struct npkd_sigalg *);
void	rawsig_clear(struct rawsig *);

#endif
