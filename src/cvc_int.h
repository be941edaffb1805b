/*
 * cvc_int.h - what cvc.c (certificates, requests, chains), cvca.c (the
 * issuing side's decisions) and cvstore.c (the register) share inside the
 * library.
 */
#ifndef NPKD_SRC_CVC_INT_H
#define NPKD_SRC_CVC_INT_H

#include "npkd_int.h"

/* The tags of CV certificates and requests (TR-03110-3 D.2). */
#define T_CVCERT	0x7f21
#define T_BODY		0x7f4e
#define T_CPI		0x5f29
#define T_CAR		0x42
#define T_PUBKEY	0x7f49
#define T_OID		0x06
#define T_CHR		0x5f20
#define T_CHAT		0x7f4c
#define T_RIGHTS	0x53
#define T_CED		0x5f25
#define T_CXD		0x5f24
#define T_EXT		0x65
#define T_DDT		0x73
#define T_SIG		0x5f37
#define T_AUTH		0x67

#define CVC_MAX		(64 * 1024)	/* one certificate or request */
#define CVC_MAX_EXT	8		/* certificate extensions kept */
#define CVC_MAX_CAND	4		/* certificates tried per CAR */
#define CVC_MAX_PATHS	16		/* chains tried per verification */
#define CVC_MAX_NODES	256		/* certificates looked at, likewise */

#define OID_IS		"0.4.0.127.0.7.3.1.2.1"
#define OID_AT		"0.4.0.127.0.7.3.1.2.2"
#define OID_ST		"0.4.0.127.0.7.3.1.2.3"
#define OID_DESCRIPTION	"0.4.0.127.0.7.3.1.3.1"
#define OID_SECTOR	"0.4.0.127.0.7.3.1.3.2"

struct cvc_tlv {
	unsigned int	 tag;
	const uint8_t	*all;		/* tag, length, value */
	size_t		 all_len;
	const uint8_t	*v;
	size_t		 len;
};

struct npkd_cvc {
	struct npkd_buf		 der;
	int			 kind;
	struct cvc_tlv		 body;		/* 7F4E: the signed data */
	struct cvc_tlv		 inner;		/* 7F21 in an authenticated request */
	struct cvc_tlv		 outer_car_tlv;
	char			 car[17], chr[17], outer_car[17];
	int			 has_car;
	char			 key_oid[64];
	int			 sigkind, hash;
	struct npkd_buf		 dp[5];		/* 81..85: p a b G n */
	int			 has_dp;
	struct cvc_tlv		 q;		/* 86, or RSA 81 */
	struct cvc_tlv		 rsa_e;		/* RSA 82 */
	struct cvc_tlv		 cofactor;	/* 87 */
	char			 chat_oid[64];
	uint8_t			 rights[8];
	size_t			 nrights;
	int			 has_chat;
	uint8_t			 ced[6], cxd[6];
	time_t			 effective, expiry;
	char			 ext_oids[CVC_MAX_EXT][64];
	struct cvc_tlv		 ext[CVC_MAX_EXT];	/* each 73 template */
	size_t			 next;
	struct cvc_tlv		 ext_all;	/* 65, when present */
	struct cvc_tlv		 sig, outer_sig;
};

/*
 * A public key as CV certificates carry it (C.3): the id-TA algorithm,
 * EC domain parameters and point, or RSA modulus and exponent.  The
 * buffers are borrowed from a certificate or owned (see npkd_cvc_key_clear).
 */
struct cvc_key {
	char		 oid[64];
	int		 sigkind, hash;
	struct npkd_buf	 dp[5];		/* p a b G n */
	struct npkd_buf	 cof;
	int		 has_dp;
	struct npkd_buf	 q;		/* EC point, or RSA modulus */
	struct npkd_buf	 e;		/* RSA exponent */
	int		 owned;
};

/* cvc.c (reading, verifying), cvca_write.c (writing) */
const char *npkd_cvc_alg_name(const char *);
const char *npkd_cvc_alg_oid(const char *);
int	 npkd_cvc_alg_by_oid(const char *, int *, int *);
void	 npkd_cvc_key_of(const struct npkd_cvc *, const struct npkd_cvc *,
	    struct cvc_key *);
void	 npkd_cvc_key_clear(struct cvc_key *);
int	 npkd_cvc_key_pub(const struct cvc_key *, struct npkd_pubkey **,
	    struct npkd_err *);
int	 npkd_cvc_key_from_private(struct npkd_key *, const struct npkd_buf *,
	    const char *, struct cvc_key *, struct npkd_pubkey **,
	    struct npkd_err *);
int	 npkd_cvc_same_domain(const struct cvc_key *, const struct cvc_key *);
int	 npkd_cvc_sig_check(const struct npkd_cvc *, const struct npkd_cvc *,
	    const uint8_t *, size_t, const struct cvc_tlv *,
	    struct npkd_err *);
int	 npkd_cvc_path(const struct npkd_cvc *, const struct npkd_cvc *const *,
	    size_t, const struct npkd_cvc *const *, size_t, time_t,
	    const struct npkd_cvc **, const char **, struct npkd_err *);
const struct npkd_cvc *npkd_cvc_anchor_dp(const struct npkd_cvc *,
	    const struct npkd_cvc *const *, size_t);
int	 npkd_cvc_in(const struct npkd_cvc *, const struct npkd_cvc *const *,
	    size_t);
uint64_t npkd_cvc_rights_mask(const struct npkd_cvc *);
int	 npkd_cvc_path_dp(const struct npkd_cvc *,
	    const struct npkd_cvc *const *, size_t,
	    const struct npkd_cvc *const *, size_t,
	    const struct npkd_cvc *const *, size_t, time_t,
	    const struct npkd_cvc **, const char **, struct npkd_err *);
const struct npkd_cvc *npkd_cvc_find_verified(const char *,
	    const struct npkd_cvc *const *, size_t,
	    const struct npkd_cvc *const *, size_t,
	    const struct npkd_cvc *const *, size_t, time_t,
	    const struct npkd_cvc **, const char **, struct npkd_err *);
int	 npkd_cvc_inner_check(const struct npkd_cvc *, const struct npkd_cvc *,
	    const char **, struct npkd_err *);
int	 npkd_cvc_key_fits(const struct npkd_cvc *, const struct npkd_cvc *,
	    const struct npkd_cvc *, const struct npkd_cvc *, const char **,
	    struct npkd_err *);
#define NPKD_CVC_OUTER_CVCA	1	/* a CVCA of the request's country */
#define NPKD_CVC_OUTER_HOLDER	2	/* an earlier certificate of its holder */
int	 npkd_cvc_outer_check(const struct npkd_cvc *,
	    const struct npkd_cvc *const *, size_t,
	    const struct npkd_cvc *const *, size_t,
	    const struct npkd_cvc *const *, size_t, time_t, int,
	    const struct npkd_cvc **, const char **, struct npkd_err *);
/* What a certificate says, to be encoded and signed (C.1). */
struct cvc_tbs {
	const char		*car;
	const struct cvc_key	*key;		/* the holder's */
	int			 with_dp;	/* CVCA: its domain parameters */
	const char		*chr;
	const char		*chat_oid;
	const uint8_t		*rights;
	size_t			 nrights;
	time_t			 effective, expiry;
	const uint8_t		*ext;		/* content of 65, or NULL */
	size_t			 ext_len;
};
int	 npkd_cvc_encode(const struct cvc_tbs *, struct npkd_key *,
	    const struct cvc_key *, struct npkd_buf *, struct npkd_err *);
size_t	 npkd_cvc_order_len(const struct npkd_buf *);
void	 npkd_cvc_unsigned(const struct npkd_buf *, const uint8_t **, size_t *);
int	 npkd_cvc_key_verify(const struct cvc_key *, const uint8_t *, size_t,
	    const uint8_t *, size_t, struct npkd_err *);
int	 npkd_cvc_holder(const char *, char *, size_t);

#endif /* NPKD_SRC_CVC_INT_H */
