/*
 * pa_int.h - library-internal declarations of passive authentication:
 * the bounded BER reader, the EF.SOD object.  Not installed.
 */
#ifndef NPKD_SRC_PA_INT_H
#define NPKD_SRC_PA_INT_H

#include "npkd_int.h"

/*
 * ber.c: one BER TLV (X.690 8) rewritten in DER form as far as the
 * encoding goes: definite lengths of minimal size, constructed strings of
 * the universal string types joined into one primitive string.  Values
 * are not touched and SET OF is not re-sorted (signed attributes are
 * hashed as sent).  Nesting is bounded by NPKD_MAX_DEPTH, tags by four
 * octets of number, lengths by four octets; anything that is not BER
 * (truncated, an end-of-contents where none may be, indefinite length on
 * a primitive, trailing bytes) fails with NPKD_E_FORMAT.  what tells
 * which BER liberties the input took (0: it was DER in form already).
 */
#define NPKD_BER_INDEFINITE	0x1	/* indefinite lengths */
#define NPKD_BER_LONGLEN	0x2	/* lengths not in their shortest form */
#define NPKD_BER_CONSTRUCTED	0x4	/* strings in segments */
int	 npkd_ber_der(const uint8_t *, size_t, struct npkd_buf *,
	    unsigned int *, struct npkd_err *);

/*
 * The data group number (1..16) of an LDS elementary file's first tag
 * (ICAO 9303-10 4.6.1), 0 for EF.COM, -1 for EF.SOD, -2 for anything else.
 */
int	 npkd_lds_tag_dg(unsigned int);

/* sod.c: the SignerInfo's sid, SKI or issuer Name DER and serial. */
struct npkd_sod;
void	 npkd_sod_sid(const struct npkd_sod *, const uint8_t **, size_t *,
	    const uint8_t **, size_t *, const uint8_t **, size_t *);

/* The bytes the SOD's signature covers, the signature, its algorithm
 * (NULL when not supported): for make bench's raw rate. */
void	 npkd_sod_signed(const struct npkd_sod *, const uint8_t **, size_t *,
	    const uint8_t **, size_t *, const struct npkd_sigalg **);

/* pa_country.c: ISO 3166-1 alpha-2 of an MRZ issuing state, or NULL. */
const char *npkd_mrz_country(const char *);

#endif /* NPKD_SRC_PA_INT_H */
