/*
 * npkd_int.h - library-internal declarations.  Not installed; tools must
 * not include it.
 */
#ifndef NPKD_SRC_NPKD_INT_H
#define NPKD_SRC_NPKD_INT_H

#include <stdarg.h>
#include <stdatomic.h>
#include <libtasn1.h>

#include "npkd.h"

#define NPKD_HIDDEN	__attribute__((visibility("hidden")))
#define NPKD_PRINTF(a, b) __attribute__((format(printf, a, b)))

#define NPKD_MAX_HASH	64
#define NPKD_OID_MAX	128

/* err.c */
int	 npkd_seterr(struct npkd_err *, int, const char *, ...) NPKD_PRINTF(3, 4);
int	 npkd_asn2err(struct npkd_err *, int, const char *);
int	 npkd_gnutls2err(struct npkd_err *, int, const char *);

/* findings.c */
int	 npkd_findings_add(struct npkd_findings *, int, const char *,
	    const char *, const char *, ...) NPKD_PRINTF(5, 6);

/* asn1.c: strict DER through libtasn1 over schemas/npkd.asn */
extern asn1_node npkd_asn1_defs;
int	 npkd_asn1_init(struct npkd_err *);
int	 npkd_asn1_decode(const char *, const uint8_t *, size_t, asn1_node *,
	    const char *, struct npkd_err *);
int	 npkd_asn1_span(asn1_node, const uint8_t *, size_t, const char *,
	    const uint8_t **, size_t *);
int	 npkd_asn1_present(asn1_node, const char *);
int	 npkd_asn1_read_oid(asn1_node, const char *, char *, size_t);
int	 npkd_asn1_read_alloc(asn1_node, const char *, struct npkd_buf *);
int	 npkd_asn1_read_bits(asn1_node, const uint8_t *, size_t,
	    const char *, struct npkd_buf *, int *);
int	 npkd_asn1_read_uint(asn1_node, const char *, unsigned long *);
int	 npkd_asn1_read_time(asn1_node, const char *, time_t *);
/* Dotted form of OBJECT IDENTIFIER content octets. */
int	 npkd_oid_string(const uint8_t *, size_t, char *, size_t);
/* UTCTime or GeneralizedTime text, checked as a calendar date. */
int	 npkd_der_time(const char *, size_t, int, time_t *);
/* DER TLV header at p: sets tag (first identifier octet) and spans. */
int	 npkd_der_header(const uint8_t *, size_t, unsigned int *, size_t *,
	    size_t *);
/* Encode a definite-length header; returns its length (max 6). */
size_t	 npkd_der_put_header(uint8_t *, unsigned int, size_t);
/*
 * name.c: names compared as RFC 5280 7.1 says (RFC 4518 string
 * preparation).  npkd_name_norm() gives the canonical form, npkd_name_id()
 * its SHA-256; equal names have equal ids.
 */
int	 npkd_name_norm(const uint8_t *, size_t, struct npkd_buf *);
int	 npkd_name_id(const uint8_t *, size_t, uint8_t [32]);
int	 npkd_name_equal(const uint8_t *, size_t, const uint8_t *, size_t);

/* Read the rest of fd after pre (already read), at most max in all (io.c). */
int	 npkd_fd_read(int, const char *, size_t, size_t, const uint8_t *,
	    size_t, struct npkd_buf *, struct npkd_err *);

/* Growable buffer with a hard maximum (curl dynbuf). */
struct npkd_dbuf {
	uint8_t	*data;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
};
void	 npkd_dbuf_init(struct npkd_dbuf *, size_t);
int	 npkd_dbuf_add(struct npkd_dbuf *, const void *, size_t);
int	 npkd_dbuf_printf(struct npkd_dbuf *, const char *, ...) NPKD_PRINTF(2, 3);
void	 npkd_dbuf_free(struct npkd_dbuf *);

/* curves.c */
struct npkd_curve {
	const char	*name;
	const char	*oid;
	unsigned int	 bits;
	int		 gnutls_id;	/* 0 when GnuTLS cannot use it */
	const char	*ossl_name;	/* OpenSSL's name of the group */
	size_t		 len;		/* field element length */
	const uint8_t	*p, *a, *b, *gx, *gy, *n;
};
const struct npkd_curve *npkd_curve_by_oid(const char *);
const struct npkd_curve *npkd_curve_by_name(const char *);
const struct npkd_curve *npkd_curve_at(size_t);
const struct npkd_curve *npkd_curve_match(const uint8_t *, size_t,
	    const uint8_t *, size_t, const uint8_t *, size_t, const uint8_t *,
	    size_t, const uint8_t *, size_t);

/* crypto.c: algorithms, public keys and the verification backends */
struct npkd_pubkey;
enum npkd_sigkind {
	NPKD_SIG_RSA_PKCS1 = 1,
	NPKD_SIG_RSA_PSS,
	NPKD_SIG_ECDSA
};
struct npkd_sigalg {
	int		 kind;
	int		 hash;
	int		 mgf_hash;
	unsigned int	 salt;
	char		 name[48];
};
int	 npkd_hash_by_oid(const char *);
const char *npkd_hash_oid(int);
int	 npkd_sigalg_parse(const char *, const uint8_t *, size_t, int,
	    struct npkd_sigalg *, struct npkd_findings *, struct npkd_err *);
/* OID and DER parameters (NULL/0 when absent) of an algorithm. */
int	 npkd_sigalg_oid(const struct npkd_sigalg *, const char **,
	    struct npkd_buf *, struct npkd_err *);
/* Decode a DER ECDSA-Sig-Value into r and s (lent from sig). */
int	 npkd_ecdsa_sig_decode(const uint8_t *, size_t, const uint8_t **,
	    size_t *, const uint8_t **, size_t *);
int	 npkd_ecdsa_sig_encode(const uint8_t *, size_t, const uint8_t *,
	    size_t, struct npkd_buf *);
/* Verify with r and s given separately (CVC plain signatures). */
int	 npkd_pubkey_verify_rs(const struct npkd_pubkey *, int,
	    const uint8_t *, size_t, const uint8_t *, size_t,
	    const uint8_t *, size_t, struct npkd_err *);

/*
 * The verification backends (backend.c: GnuTLS/nettle; backend_ossl.c:
 * OpenSSL's libcrypto).  Each says which signatures it can check; the
 * route (crypto.c) sends each signature to the fastest one that can.
 * Every check returns NPKD_OK or NPKD_E_VERIFY, nothing else.
 */
struct npkd_backend {
	const char	*name;
	int	(*can)(const struct npkd_pubkey *, const struct npkd_sigalg *);
	/* PKCS#1 v1.5: the decrypted block must hold exactly this DigestInfo */
	int	(*rsa_pkcs1)(const struct npkd_pubkey *, const uint8_t *,
		    size_t, const uint8_t *, size_t);
	/* PSS: hash, salt length (exact), digest, signature */
	int	(*rsa_pss)(const struct npkd_pubkey *, int, unsigned int,
		    const uint8_t *, size_t, const uint8_t *, size_t);
	/* ECDSA: hash, digest, r, s */
	int	(*ecdsa)(const struct npkd_pubkey *, int, const uint8_t *,
		    size_t, const uint8_t *, size_t, const uint8_t *, size_t);
};
extern const struct npkd_backend npkd_be_gnutls;
extern const struct npkd_backend npkd_be_ossl;
/* Every backend, NULL-terminated. */
extern const struct npkd_backend *const npkd_backends[];

/*
 * A public key as parsed and checked by npkd (crypto.c).  The libraries'
 * handles are made on first use and installed atomically, so that keys
 * of certificates that never verify anything cost nothing and concurrent
 * verifications with one key are safe.
 */
struct npkd_pubkey {
	int			 alg;		/* enum npkd_keyalg */
	unsigned int		 bits;
	int			 explicit_params;
	const struct npkd_curve	*curve;		/* NULL: unnamed curve */
	struct npkd_buf		 n, e;		/* RSA */
	struct npkd_buf		 q;		/* EC point */
	struct npkd_buf		 ep[6];		/* p a b G - n, unnamed */
	_Atomic int		 on_curve;	/* named: 0 unchecked, 1, -1 */
	struct npkd_sigalg	 pss;		/* key-bound PSS params */
	int			 has_pss;
	_Atomic(void *)		 gnutls;	/* gnutls_pubkey_t */
	_Atomic(void *)		 ossl;		/* EVP_PKEY * */
	_Atomic(void *)		 ossl_vctx;	/* a verification context */
};
int	 npkd_backend_init(struct npkd_err *);
void	 npkd_be_unload(struct npkd_pubkey *);
void	 npkd_ossl_unload(struct npkd_pubkey *);
int	 npkd_ossl_init(struct npkd_err *);
/* The libraries' own key handles (made on first use; NULL on failure). */
void	*npkd_be_gnutls_key(const struct npkd_pubkey *);
void	*npkd_be_ossl_key(const struct npkd_pubkey *);
/* OpenSSL library context npkd works in (its own, no configuration file). */
void	*npkd_ossl_libctx(void);
/* The route: the backend a signature of kind a with key k goes to. */
const struct npkd_backend *npkd_route(const struct npkd_pubkey *,
	    const struct npkd_sigalg *);
/* Is the point (04 || x || y) on the named curve? */
int	 npkd_ec_point_valid(const struct npkd_curve *, const uint8_t *,
	    size_t);
/* Are the unnamed curve k->ep and the point k->q usable? */
int	 npkd_ec_explicit_valid(const struct npkd_pubkey *);
/* Is k's point on its curve?  Checked once, on first use. */
int	 npkd_pubkey_point_ok(const struct npkd_pubkey *);

int	 npkd_ec_domain(const uint8_t *, size_t, const struct npkd_curve **,
	    int *, struct npkd_buf *, struct npkd_err *);
int	 npkd_pubkey_parse(const uint8_t *, size_t, struct npkd_pubkey **,
	    struct npkd_findings *, struct npkd_err *);
void	 npkd_pubkey_free(struct npkd_pubkey *);
int	 npkd_pubkey_ec(const struct npkd_buf *, const uint8_t *, size_t,
	    struct npkd_pubkey **, struct npkd_err *);
int	 npkd_pubkey_rsa(const uint8_t *, size_t, const uint8_t *, size_t,
	    struct npkd_pubkey **, struct npkd_err *);
void	 npkd_pubkey_info(const struct npkd_pubkey *, struct npkd_keyinfo *);
/* SHA-256 identity of a key: equal exactly for the same key (section 8). */
int	 npkd_pubkey_id(const struct npkd_pubkey *, uint8_t [32]);
/* Verify sig over a digest; sig in X.509 form (DER ECDSA-Sig-Value). */
int	 npkd_pubkey_verify(const struct npkd_pubkey *,
	    const struct npkd_sigalg *, const uint8_t *, size_t,
	    const uint8_t *, size_t, struct npkd_findings *, struct npkd_err *);
/* Hash data with the algorithm's hash, then npkd_pubkey_verify(). */
int	 npkd_pubkey_verify_data(const struct npkd_pubkey *,
	    const struct npkd_sigalg *, const uint8_t *, size_t,
	    const uint8_t *, size_t, struct npkd_findings *, struct npkd_err *);
/*
 * npkd_pubkey_verify() through the backend be instead of the route;
 * NPKD_E_UNSUPPORTED when be cannot check it (tests and make bench).
 */
int	 npkd_pubkey_verify_via(const struct npkd_backend *,
	    const struct npkd_pubkey *, const struct npkd_sigalg *,
	    const uint8_t *, size_t, const uint8_t *, size_t,
	    struct npkd_findings *, struct npkd_err *);
int	 npkd_pubkey_verify_rs_via(const struct npkd_backend *,
	    const struct npkd_pubkey *, int, const uint8_t *, size_t,
	    const uint8_t *, size_t, const uint8_t *, size_t,
	    struct npkd_err *);

/* key.c */
struct npkd_key;
int	 npkd_key_public_ec(struct npkd_key *, size_t, struct npkd_buf *,
	    struct npkd_err *);
int	 npkd_key_public_rsa(struct npkd_key *, struct npkd_buf *,
	    struct npkd_buf *, struct npkd_err *);
int	 npkd_key_sign_pk(struct npkd_key *, const struct npkd_pubkey *, int,
	    int, const uint8_t *, size_t, struct npkd_buf *, struct npkd_err *);

/* crl.c */
#define NPKD_MAX_CRL_ENTRIES	(1UL << 20)
int	 npkd_crl_revocation(const struct npkd_crl *, const char *, time_t *);
const char *npkd_crl_unusable(const struct npkd_crl *);
const uint8_t *npkd_crl_issuer_id(const struct npkd_crl *);

/* cert.c */
struct npkd_cert {
	struct npkd_buf		 der;
	uint8_t			 sha256[32];
	const uint8_t		*tbs;		/* into der */
	size_t			 tbs_len;
	const uint8_t		*issuer_der, *subject_der;
	size_t			 issuer_len, subject_len;
	struct npkd_buf		 serial_raw;	/* INTEGER content */
	char			*serial;
	char			*subject, *issuer;
	char			 country[8];
	time_t			 not_before, not_after;
	struct npkd_buf		 ski, aki;
	int			 has_ski, has_aki;
	unsigned int		 ku;
	int			 has_ku;
	int			 is_ca, pathlen, has_bc;
	char			**eku;
	size_t			 n_eku;
	char			*doctypes;
	int			 name_change;
	struct npkd_sigalg	 sigalg;
	struct npkd_buf		 sig;
	struct npkd_pubkey	*pub;
	struct npkd_findings	*findings;
	int			 role;
	/* for the trust model (design.md section 8) */
	uint8_t			 keyid[32];	/* npkd_pubkey_id, or raw SPKI */
	uint8_t			 subject_id[32], issuer_id[32]; /* name ids */
	int			 crit_unknown;	/* an unknown critical ext */
	unsigned long		 version;
};
/* CA (basicConstraints cA) that may sign certificates (keyUsage). */
int	 npkd_cert_can_certify(const struct npkd_cert *);
/* Subject = issuer, and AKI absent or equal to SKI: claims self-signed. */
int	 npkd_cert_claims_self_signed(const struct npkd_cert *);
void	 npkd_sigalg_of(asn1_node, const uint8_t *, size_t,
	    struct npkd_sigalg *, struct npkd_findings *, const char *);
/* The signed parts of a certificate's DER (lent from it), not decoded. */
struct npkd_sigparts {
	struct npkd_sigalg	 alg;
	const uint8_t		*tbs;
	size_t			 tbs_len;
	struct npkd_buf		 sig;
};
int	 npkd_cert_sigparts(const uint8_t *, size_t, struct npkd_sigparts *);
int	 npkd_signed_verify(const struct npkd_sigalg *, const uint8_t *,
	    size_t, const struct npkd_buf *, const struct npkd_cert *,
	    struct npkd_findings *, struct npkd_err *);
/* Country code attribute (2.5.4.6) of a DER Name, "" if none. */
void	 npkd_name_country(const uint8_t *, size_t, char *, size_t);
/* RFC 4514 string of a DER Name (caller frees); GnuTLS's own too. */
char	*npkd_name_string(const uint8_t *, size_t);
char	*npkd_name_string_gnutls(const uint8_t *, size_t);

#endif /* NPKD_SRC_NPKD_INT_H */
