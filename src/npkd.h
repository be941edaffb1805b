/*
 * npkd.h - the one public interface of libnpkd.
 *
 * Conventions: functions return 0 (NPKD_OK) or a negative enum npkd_rc;
 * details go into an optional caller-owned struct npkd_err.  Inputs come
 * first, outputs last; out-params are cleared on entry so a failure leaves
 * nothing to free.  Objects are opaque, created by _parse/_new and released
 * by _free, and _free(NULL) does nothing.  A function returning a const
 * pointer lends it until the object it came from is freed.  The library
 * never prints, exits, prompts or reads the environment.
 */
#ifndef NPKD_SRC_NPKD_H
#define NPKD_SRC_NPKD_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define NPKD_VERSION	"0.1.0"

enum npkd_rc {
	NPKD_OK = 0,
	NPKD_E_NOMEM = -1,	/* out of memory */
	NPKD_E_IO = -2,		/* a system call failed */
	NPKD_E_FORMAT = -3,	/* malformed input */
	NPKD_E_LIMIT = -4,	/* input exceeds a configured limit */
	NPKD_E_VERIFY = -5,	/* a signature or check says no */
	NPKD_E_USAGE = -6,	/* the caller passed something invalid */
	NPKD_E_UNSUPPORTED = -7, /* well formed, but not something we do */
	NPKD_E_CRYPTO = -8,	/* a crypto library failed */
	NPKD_E_NOTFOUND = -9	/* a looked-up object is not there */
};

/* Error details: msg is "context: reason", one line, no trailing period. */
struct npkd_err {
	int	code;
	int	sys_errno;
	char	msg[256];
};

/* Limits (design.md section 6). */
#define NPKD_MAX_FILE		(256UL << 20)	/* one input file */
#define NPKD_MAX_DER		(1UL << 20)	/* one DER object */
#define NPKD_MAX_ML_CERTS	100000		/* certificates in one list */
#define NPKD_MAX_DEPTH		16		/* TLV nesting */
#define NPKD_MAX_CHAIN		8		/* certificate chain length */
#define NPKD_MAX_CMS_CERTS	64		/* certificates in SignedData */

/* Library set-up: call once before anything else; safe to call again. */
int		 npkd_global_init(struct npkd_err *);
const char	*npkd_strerror(int);

/* Bytes owned by the caller; npkd_buf_free() releases and clears. */
struct npkd_buf {
	uint8_t	*data;
	size_t	 len;
};
void		 npkd_buf_free(struct npkd_buf *);

/*
 * Files.  "-" reads standard input.  The whole file is read, up to max
 * bytes; a larger file fails with NPKD_E_LIMIT.
 */
int	 npkd_file_read(const char *, size_t, struct npkd_buf *,
	    struct npkd_err *);
/*
 * Write data to path atomically: temporary file in the same directory,
 * fsync, rename, fsync of the directory.  Errors name path, never the
 * temporary file.  With excl set, an existing path is not replaced.
 */
int	 npkd_file_write_atomic(const char *, const void *, size_t,
	    unsigned int, int, struct npkd_err *);

/*
 * PEM: npkd_pem_decode() finds the next "-----BEGIN label-----" block at
 * or after *off in text, decodes it into out (caller frees) and advances
 * *off.  NPKD_E_NOTFOUND when no further block exists.  label may be NULL
 * to accept any label; the label found is copied to found (if non-NULL).
 * npkd_pem_encode() writes one PEM block.
 */
int	 npkd_pem_decode(const uint8_t *, size_t, size_t *, const char *,
	    struct npkd_buf *, char *, size_t, struct npkd_err *);
int	 npkd_pem_encode(const char *, const uint8_t *, size_t,
	    struct npkd_buf *, struct npkd_err *);
/* Does the buffer look like PEM text (a BEGIN line near its start)? */
int	 npkd_is_pem(const uint8_t *, size_t);

/* Lower-case hex of len bytes into out (2*len+1 bytes). */
void	 npkd_hex(const uint8_t *, size_t, char *);

/* Digests. */
enum npkd_hash {
	NPKD_HASH_NONE = 0,
	NPKD_HASH_SHA1,
	NPKD_HASH_SHA224,
	NPKD_HASH_SHA256,
	NPKD_HASH_SHA384,
	NPKD_HASH_SHA512
};
const char	*npkd_hash_name(int);
size_t		 npkd_hash_len(int);
int		 npkd_hash(int, const void *, size_t, uint8_t *,
		    struct npkd_err *);

/*
 * Findings: deviations from a profile or tolerated irregularities.  They
 * never make a parse fail.  Each has a severity, a short stable code, the
 * rule it breaks (e.g. "ICAO 9303-12 7.1.1") and a text.
 */
enum npkd_sev {
	NPKD_SEV_INFO = 0,
	NPKD_SEV_WARNING = 1,
	NPKD_SEV_ERROR = 2
};
struct npkd_findings;
struct npkd_finding {
	int		 severity;
	const char	*code;
	const char	*rule;
	const char	*text;
};
struct npkd_findings	*npkd_findings_new(void);
void			 npkd_findings_free(struct npkd_findings *);
size_t			 npkd_findings_count(const struct npkd_findings *);
const struct npkd_finding *npkd_findings_get(const struct npkd_findings *,
			    size_t);
/* Append every finding of src to dst, text prefixed by prefix if set. */
int			 npkd_findings_merge(struct npkd_findings *,
			    const struct npkd_findings *, const char *);
const char		*npkd_sev_name(int);

/* Public keys as described to people. */
enum npkd_keyalg {
	NPKD_KEY_UNKNOWN = 0,
	NPKD_KEY_RSA,
	NPKD_KEY_RSA_PSS,
	NPKD_KEY_EC
};
struct npkd_keyinfo {
	int		 alg;		/* enum npkd_keyalg */
	unsigned int	 bits;		/* modulus or field size */
	const char	*curve;		/* curve name, NULL if not named */
	int		 explicit_params; /* EC domain given explicitly */
};

/* X.509 certificates. */
struct npkd_cert;

enum npkd_role {
	NPKD_ROLE_OTHER = 0,
	NPKD_ROLE_CSCA,		/* self-signed CSCA */
	NPKD_ROLE_LINK,		/* CA certificate issued by another CSCA key */
	NPKD_ROLE_DSC,
	NPKD_ROLE_MLSIGNER,
	NPKD_ROLE_DLSIGNER
};
const char	*npkd_role_name(int);

/* Key usage bits as in RFC 5280 (bit 0 = digitalSignature). */
#define NPKD_KU_DIGITAL_SIGNATURE	0x001
#define NPKD_KU_NON_REPUDIATION		0x002
#define NPKD_KU_KEY_ENCIPHERMENT	0x004
#define NPKD_KU_DATA_ENCIPHERMENT	0x008
#define NPKD_KU_KEY_AGREEMENT		0x010
#define NPKD_KU_KEY_CERT_SIGN		0x020
#define NPKD_KU_CRL_SIGN		0x040

#define NPKD_OID_ML_SIGNER	"2.23.136.1.1.3"
#define NPKD_OID_DL_SIGNER	"2.23.136.1.1.8"
#define NPKD_OID_ML_CONTENT	"2.23.136.1.1.2"
#define NPKD_OID_DL_CONTENT	"2.23.136.1.1.7"
#define NPKD_OID_DOCTYPE_LIST	"2.23.136.1.1.6.2"
#define NPKD_OID_NAME_CHANGE	"2.23.136.1.1.6.1"

/*
 * Parse one DER certificate (strict DER, no trailing bytes).  Profile
 * deviations become findings of the certificate, not errors.
 */
int	 npkd_cert_parse(const uint8_t *, size_t, struct npkd_cert **,
	    struct npkd_err *);
void	 npkd_cert_free(struct npkd_cert *);
const uint8_t	*npkd_cert_der(const struct npkd_cert *, size_t *);
const uint8_t	*npkd_cert_sha256(const struct npkd_cert *); /* 32 bytes */
const char	*npkd_cert_subject(const struct npkd_cert *);
const char	*npkd_cert_issuer(const struct npkd_cert *);
const char	*npkd_cert_serial(const struct npkd_cert *);	/* hex */
/* Country of the subject (issuer for none) as written; "" if absent. */
const char	*npkd_cert_country(const struct npkd_cert *);
time_t		 npkd_cert_not_before(const struct npkd_cert *);
time_t		 npkd_cert_not_after(const struct npkd_cert *);
const uint8_t	*npkd_cert_ski(const struct npkd_cert *, size_t *);
const uint8_t	*npkd_cert_aki(const struct npkd_cert *, size_t *);
unsigned int	 npkd_cert_key_usage(const struct npkd_cert *); /* or 0 */
int		 npkd_cert_has_key_usage(const struct npkd_cert *);
int		 npkd_cert_has_eku(const struct npkd_cert *, const char *);
/* 1 if CA; *pathlen -1 when absent.  0 if not CA or no extension. */
int		 npkd_cert_is_ca(const struct npkd_cert *, int *);
/* Document types of the ICAO document type list extension, or NULL. */
const char	*npkd_cert_doctypes(const struct npkd_cert *);
int		 npkd_cert_has_name_change(const struct npkd_cert *);
int		 npkd_cert_role(const struct npkd_cert *);
int		 npkd_cert_self_issued(const struct npkd_cert *);
const char	*npkd_cert_sigalg_name(const struct npkd_cert *);
void		 npkd_cert_keyinfo(const struct npkd_cert *,
		    struct npkd_keyinfo *);
const struct npkd_findings *npkd_cert_findings(const struct npkd_cert *);
/* Do subject of a and issuer of b match (exact DER, then normalised)? */
int		 npkd_cert_issued(const struct npkd_cert *,
		    const struct npkd_cert *);
/*
 * Verify the signature of cert with the public key of issuer.  NPKD_OK,
 * or NPKD_E_VERIFY with the reason in e.  Tolerated encodings (e.g. a
 * DigestInfo without NULL) are added to findings when non-NULL.
 */
int	 npkd_cert_verify(const struct npkd_cert *, const struct npkd_cert *,
	    struct npkd_findings *, struct npkd_err *);

/* Certificate revocation lists. */
struct npkd_crl;
int	 npkd_crl_parse(const uint8_t *, size_t, struct npkd_crl **,
	    struct npkd_err *);
void	 npkd_crl_free(struct npkd_crl *);
const uint8_t	*npkd_crl_der(const struct npkd_crl *, size_t *);
const uint8_t	*npkd_crl_sha256(const struct npkd_crl *);
const char	*npkd_crl_issuer(const struct npkd_crl *);
const char	*npkd_crl_country(const struct npkd_crl *);
time_t		 npkd_crl_this_update(const struct npkd_crl *);
time_t		 npkd_crl_next_update(const struct npkd_crl *); /* 0: none */
const char	*npkd_crl_number(const struct npkd_crl *);	/* hex or "" */
const uint8_t	*npkd_crl_aki(const struct npkd_crl *, size_t *);
size_t		 npkd_crl_revoked_count(const struct npkd_crl *);
int		 npkd_crl_revoked(const struct npkd_crl *, size_t,
		    const char **, time_t *);
int		 npkd_crl_is_revoked(const struct npkd_crl *, const char *);
const struct npkd_findings *npkd_crl_findings(const struct npkd_crl *);
int	 npkd_crl_verify(const struct npkd_crl *, const struct npkd_cert *,
	    struct npkd_findings *, struct npkd_err *);

/* Private keys: a PEM/DER file path or a "pkcs11:" URI. */
struct npkd_key;
int	 npkd_key_load(const char *, const char *, struct npkd_key **,
	    struct npkd_err *);
void	 npkd_key_free(struct npkd_key *);
/* A new private key as unencrypted PKCS#8 DER: "rsa:BITS" or a curve. */
int	 npkd_key_generate(const char *, struct npkd_buf *, struct npkd_err *);
/*
 * Sign a digest.  pss selects RSASSA-PSS (salt = digest length) for RSA
 * keys.  The signature is in X.509/CMS form: PKCS#1 block, or DER
 * ECDSA-Sig-Value.  cert supplies the public key where the key source
 * cannot (brainpool keys on tokens).
 */
int	 npkd_key_sign(struct npkd_key *, const struct npkd_cert *, int, int,
	    const uint8_t *, size_t, struct npkd_buf *, struct npkd_err *);

/* CMS SignedData (RFC 5652). */
struct npkd_cms;
int	 npkd_cms_parse(const uint8_t *, size_t, struct npkd_cms **,
	    struct npkd_err *);
void	 npkd_cms_free(struct npkd_cms *);
const char	*npkd_cms_econtent_type(const struct npkd_cms *);
const uint8_t	*npkd_cms_econtent(const struct npkd_cms *, size_t *);
size_t		 npkd_cms_cert_count(const struct npkd_cms *);
const struct npkd_cert *npkd_cms_cert(const struct npkd_cms *, size_t);
time_t		 npkd_cms_signing_time(const struct npkd_cms *); /* 0 */
/* "ski:HEX" or "issuer:DN serial:HEX" */
const char	*npkd_cms_signer_id(const struct npkd_cms *);
const char	*npkd_cms_sigalg_name(const struct npkd_cms *);
const struct npkd_findings *npkd_cms_findings(const struct npkd_cms *);
/*
 * Find the signer among the embedded certificates and extra, check the
 * content-type and message-digest attributes and the signature.  On
 * NPKD_OK *signer points at the certificate used.
 */
int	 npkd_cms_verify(const struct npkd_cms *,
	    const struct npkd_cert *const *, size_t,
	    const struct npkd_cert **, struct npkd_findings *,
	    struct npkd_err *);
/* Signature with a detached content (eContent absent in the CMS). */
int	 npkd_cms_verify_detached(const struct npkd_cms *, const uint8_t *,
	    size_t, const struct npkd_cert *const *, size_t,
	    const struct npkd_cert **, struct npkd_findings *,
	    struct npkd_err *);

/* Options for npkd_cms_sign(). */
struct npkd_cms_sign_opts {
	int	 hash;		/* enum npkd_hash, 0 = SHA-256 */
	int	 pss;		/* RSA keys: RSASSA-PSS */
	int	 sid_ski;	/* identify the signer by SKI */
	int	 detached;	/* leave eContent out */
	time_t	 signing_time;	/* 0 = now */
	const struct npkd_cert *const *extra_certs; /* also embedded */
	size_t	 n_extra;
};
int	 npkd_cms_sign(const char *, const uint8_t *, size_t,
	    const struct npkd_cert *, struct npkd_key *,
	    const struct npkd_cms_sign_opts *, struct npkd_buf *,
	    struct npkd_err *);

/* ICAO master lists and deviation lists. */
enum npkd_list_kind {
	NPKD_LIST_ML = 1,
	NPKD_LIST_DL = 2
};
struct npkd_ml;
/*
 * npkd_ml_open() reads the CMS and the kind only, so that the signature
 * can be checked before the content is trusted to be read;
 * npkd_ml_load() reads the content (members, deviations);
 * npkd_ml_parse() does both, for reading a list without judging it.
 */
int	 npkd_ml_open(const uint8_t *, size_t, struct npkd_ml **,
	    struct npkd_err *);
int	 npkd_ml_load(struct npkd_ml *, struct npkd_err *);
int	 npkd_ml_parse(const uint8_t *, size_t, struct npkd_ml **,
	    struct npkd_err *);
void	 npkd_ml_free(struct npkd_ml *);
int	 npkd_ml_kind(const struct npkd_ml *);
const uint8_t *npkd_ml_sha256(const struct npkd_ml *);	/* of the list */
const struct npkd_cms *npkd_ml_cms(const struct npkd_ml *);
/*
 * Members: CSCA and link certificates of a master list, decoded one at a
 * time (the caller frees each), so that a large list needs no more memory
 * than its file.  The SHA-256 and DER of member i need no decoding.
 */
size_t	 npkd_ml_count(const struct npkd_ml *);
int	 npkd_ml_member(const struct npkd_ml *, size_t, struct npkd_cert **,
	    struct npkd_err *);
const uint8_t *npkd_ml_member_sha256(const struct npkd_ml *, size_t);
const uint8_t *npkd_ml_member_der(const struct npkd_ml *, size_t, size_t *);
/*
 * The members in order (0, 1, ...), decoded ahead on the other processors
 * while the caller works on each: what npkd_ml_member gives, in bounded
 * memory.  A member taken is the caller's, to free or to give back (it is
 * then freed by the thread that decoded it).  Taking out of turn is
 * NPKD_E_USAGE.  npkd_ml_ahead_free may come at any point.
 */
struct npkd_ml_ahead;
int	 npkd_ml_ahead_new(const struct npkd_ml *, struct npkd_ml_ahead **);
int	 npkd_ml_ahead_take(struct npkd_ml_ahead *, size_t,
	    struct npkd_cert **, struct npkd_err *);
void	 npkd_ml_ahead_give(struct npkd_ml_ahead *, struct npkd_cert *);
void	 npkd_ml_ahead_free(struct npkd_ml_ahead *);
/* Deviation list entries, each described on one line. */
size_t	 npkd_ml_deviation_count(const struct npkd_ml *);
const char *npkd_ml_deviation(const struct npkd_ml *, size_t);
const struct npkd_findings *npkd_ml_findings(const struct npkd_ml *);
/*
 * The CMS signature with the embedded certificates and extra: NPKD_OK
 * with *signer lent, NPKD_E_VERIFY when it does not verify ("not
 * genuine"), NPKD_E_UNSUPPORTED for an algorithm npkd cannot verify.
 */
int	 npkd_ml_signature(const struct npkd_ml *,
	    const struct npkd_cert *const *, size_t, const struct npkd_cert **,
	    struct npkd_findings *, struct npkd_err *);

struct npkd_ml_verdict {
	const struct npkd_cert	*signer;	/* lent by the list */
	const struct npkd_cert	*anchor;	/* the anchor given, or NULL */
	char			 anchor_subject[256];	/* what it chains to */
	int			 self_attested;	/* anchor from the list */
	time_t			 signing_time;	/* 0 if absent */
	const char		*status;	/* npkd_status_name() */
	const char		*reason;	/* the primary reason */
	char			 text[384];
};
#define NPKD_ML_SELF_ATTESTED	0x1	/* accept self-attestation */
/*
 * Verify a list under the trust model (design.md section 8) with the
 * given anchors as the only trust: the CMS signature first (before the
 * content is read), then the signer: a list signer of the right kind,
 * not a CA, valid at the signing time (not in the future), chained
 * through links to an anchor of its own country.  Without anchors the
 * list can at best be self-attested (a CSCA of the signer's country that
 * it carries itself): NPKD_OK only with NPKD_ML_SELF_ATTESTED.  Member
 * checks go into findings.  NPKD_OK, NPKD_E_VERIFY (not genuine, reason
 * in e), NPKD_E_FORMAT (signed, but malformed content) or another error.
 */
int	 npkd_ml_verify(struct npkd_ml *, const struct npkd_cert *const *,
	    size_t, time_t, int, struct npkd_ml_verdict *,
	    struct npkd_findings *, struct npkd_err *);

/*
 * Encode a CscaMasterList (version 0, the certificates as a DER SET OF,
 * sorted) into out, ready to be signed with npkd_cms_sign().
 */
int	 npkd_ml_build(const struct npkd_cert *const *, size_t,
	    struct npkd_buf *, struct npkd_err *);

/*
 * Certificates from a PEM or DER file image: every certificate in a PEM
 * bundle, or the one DER certificate.  Caller frees each and the array.
 */
int	 npkd_certs_load(const uint8_t *, size_t, struct npkd_cert ***,
	    size_t *, struct npkd_err *);
void	 npkd_certs_free(struct npkd_cert **, size_t);

/*
 * LDIF (RFC 2849), streamed: the reader pulls input through rd (like
 * read(2): bytes, 0 at the end, -1 on error) and holds one entry at a time.
 * Attribute names come lower-cased without options; binary is set for
 * ";binary".  Values are NUL-terminated for convenience.
 */
#define NPKD_MAX_LDIF_VALUE	(16UL << 20)
typedef long (*npkd_read_fn)(void *, uint8_t *, size_t);
struct npkd_ldif_attr {
	char	*name;
	int	 binary;
	uint8_t	*value;
	size_t	 len;
};
struct npkd_ldif_entry {
	char			*dn;
	size_t			 line;
	struct npkd_ldif_attr	*attrs;
	size_t			 nattrs;
};
struct npkd_ldif;
int	 npkd_ldif_new(npkd_read_fn, void *, const char *, struct npkd_ldif **,
	    struct npkd_err *);
void	 npkd_ldif_free(struct npkd_ldif *);
int	 npkd_ldif_next(struct npkd_ldif *, const struct npkd_ldif_entry **,
	    struct npkd_err *);
void	 npkd_ldif_entry_clear(struct npkd_ldif_entry *);
const struct npkd_ldif_attr *npkd_ldif_attr(const struct npkd_ldif_entry *,
	    const char *);
uint64_t npkd_ldif_offset(const struct npkd_ldif *);

/*
 * The national store: DIR/npkd.db, SQLite in WAL mode.  Every object is
 * kept once, by the SHA-256 of its DER, with its kind, names, validity,
 * provenance and validation state.  Every import of a file is one
 * transaction: all of it or nothing.
 */
struct npkd_store;
#define NPKD_STORE_CREATE	0x1
#define NPKD_STORE_READONLY	0x2	/* read an archived store; writes fail */
#define NPKD_SCHEMA_VERSION	5
int	 npkd_store_open(const char *, int, struct npkd_store **,
	    struct npkd_err *);
void	 npkd_store_close(struct npkd_store *);
int	 npkd_store_version(struct npkd_store *);

struct npkd_import_opts {
	const struct npkd_cert *const *anchors;	/* officer's -T certificates */
	size_t		 nanchors;
	time_t		 now;
	/* called now and then with input bytes consumed and objects stored */
	void		(*progress)(void *, uint64_t, uint64_t);
	void		*progress_arg;
	/* called with the entry and the reason of each entry refused */
	void		(*refused)(void *, const char *, const char *);
};
struct npkd_import_stats {
	const char	*format;	/* what the file was found to be */
	size_t		 objects;	/* objects in the file */
	size_t		 added;		/* new to the store */
	size_t		 again;		/* already there: seen again */
	size_t		 refused;	/* entries refused (the rest imports) */
	size_t		 lists_refused;	/* ... of them lists not genuine */
};
/*
 * Import one file ("-" is standard input): kind detected (CMS master or
 * deviation list, ICAO PKD LDIF, PEM or DER certificates, CRL).  The
 * anchors given become anchors of the store first.  A list file is stored
 * only when it is genuine under the officer's trust (NPKD_E_VERIFY
 * otherwise).  In an LDIF download, an entry that cannot be used (a value
 * that is not DER, a list whose signature fails) is refused on its own
 * and recorded; a malformed LDIF is refused whole.  Any error leaves the
 * store as it was.
 */
int	 npkd_store_import(struct npkd_store *, const char *,
	    const struct npkd_import_opts *, struct npkd_import_stats *,
	    struct npkd_findings *, struct npkd_err *);

/* One stored object, lent to a callback. */
struct npkd_object {
	uint8_t		 sha256[32];
	const char	*kind;		/* csca link dsc mlsigner dlsigner crl ml dl other */
	const char	*country;
	const char	*subject;	/* issuer for CRLs */
	const char	*issuer;
	const char	*serial;	/* cRLNumber for CRLs */
	time_t		 not_before;	/* thisUpdate for CRLs */
	time_t		 not_after;	/* nextUpdate for CRLs */
	const char	*status;	/* npkd_status_name() */
	const char	*reason;	/* its primary reason, a finding code */
	const char	*trust;		/* why it is trusted, "" if not */
	int		 action;	/* the officer must act on it */
	const char	*findings;	/* JSON array */
	int		 trusted;	/* connected to the officer's trust */
	int		 nonconformant;
	const char	*conformance;	/* pkdConformanceCode and text */
	time_t		 first_seen, last_seen;
	long		 seen;
	const uint8_t	*der;
	size_t		 der_len;
};
struct npkd_query {
	const char	*kind;		/* NULL: any */
	const char	*country;
	const char	*status;
	long		 expiring_days;	/* >= 0: not_after within days of now */
	time_t		 now;
	const char	*id;		/* hex SHA-256 or a prefix of one */
	int		 with_der;
	const char	*reason;	/* a primary reason (finding code) */
	int		 action;	/* only what needs the officer */
};
typedef int (*npkd_object_fn)(void *, const struct npkd_object *);
/* Call fn for every object matching q, in kind, country, subject order. */
int	 npkd_store_list(struct npkd_store *, const struct npkd_query *,
	    npkd_object_fn, void *, struct npkd_err *);
/* Entries of LDIF downloads that imports refused, with their reasons. */
struct npkd_refusal {
	long		 run;
	const char	*file, *entry, *reason;
	time_t		 when;
};
int	 npkd_store_refusals(struct npkd_store *,
	    int (*)(void *, const struct npkd_refusal *), void *,
	    struct npkd_err *);
/* Provenance lines of one object ("time run file entry [via list]"). */
int	 npkd_store_provenance(struct npkd_store *, const uint8_t *,
	    void (*)(void *, const char *), void *, struct npkd_err *);

/*
 * Statuses (npkd-check(1) lists each with its reasons).  Every object
 * has one status and one primary reason, a finding code.
 */
enum npkd_status {
	NPKD_ST_VALID = 0,	/* trusted, in date, not revoked */
	NPKD_ST_EXPIRED,	/* past notAfter, or its CSCA is */
	NPKD_ST_REVOKED,	/* on the current CRL, or its CSCA is */
	NPKD_ST_UNTRUSTED,	/* not connected to the officer's trust */
	NPKD_ST_INVALID,	/* a signature or rule says no */
	NPKD_ST_UNCHECKED,	/* not judged yet */
	NPKD_ST_NOT_YET_VALID,	/* before notBefore */
	NPKD_ST_UNSUPPORTED,	/* an algorithm npkd cannot verify */
	NPKD_ST_STALE,		/* CRLs: current, but past nextUpdate */
	NPKD_ST_SUPERSEDED,	/* CRLs: a newer one verifies */
	NPKD_ST_UNUSABLE,	/* CRLs: delta, partitioned, unknown critical */
	NPKD_ST_COUNT
};
const char *npkd_status_name(int);

struct npkd_check_stats {
	size_t	 objects;
	size_t	 by_status[NPKD_ST_COUNT];
	size_t	 action;	/* items the officer must act on */
	size_t	 names;		/* issuer names of trusted CSCA keys */
	size_t	 names_no_crl;	/* ... without a CRL that verifies */
	size_t	 names_stale;	/* ... whose current CRL is stale */
	size_t	 verifications;	/* signatures computed (not cached) */
	size_t	 changed;	/* objects whose verdict changed */
};
/*
 * Validate everything in the store with threads workers, in one
 * transaction, from the officer's anchors and list authorities only
 * (design.md section 8).  Signature verdicts are cached in the store.
 */
int	 npkd_store_check(struct npkd_store *, time_t, int,
	    struct npkd_check_stats *, struct npkd_err *);

/*
 * The officer's trust.  Anchors: CA certificates (refused when they claim
 * to be self-signed and are not).  List authorities: a country whose
 * genuine master lists vouch for the CSCAs of another country ("*": of
 * every country).  check recomputes everything from these.
 */
int	 npkd_store_anchor_add(struct npkd_store *, const struct npkd_cert *,
	    const char *, time_t, struct npkd_err *);
/* Withdraw the anchor whose SHA-256 starts with the hex prefix. */
int	 npkd_store_anchor_remove(struct npkd_store *, const char *,
	    struct npkd_err *);
int	 npkd_store_authority_add(struct npkd_store *, const char *,
	    const char *, time_t, struct npkd_err *);
int	 npkd_store_authority_remove(struct npkd_store *, const char *,
	    const char *, struct npkd_err *);
struct npkd_trust_item {
	const char	*what;		/* "anchor" or "authority" */
	const char	*country;
	const char	*subject;	/* anchors */
	const uint8_t	*sha256;	/* anchors */
	const char	*scope;		/* authorities: a country or "*" */
	const char	*status;	/* anchors: as the last check left it */
	const char	*note;
	time_t		 added;
};
int	 npkd_store_trust_list(struct npkd_store *,
	    int (*)(void *, const struct npkd_trust_item *), void *,
	    struct npkd_err *);

/*
 * Issuer names of the trusted CSCA keys and their CRLs, as the last
 * check found them: state "current", "stale" or "none".
 */
struct npkd_name_state {
	const char	*country;
	const char	*subject;
	const char	*state;
	const uint8_t	*crl;		/* SHA-256 of the current CRL, or NULL */
	time_t		 this_update, next_update;
};
int	 npkd_store_names(struct npkd_store *,
	    int (*)(void *, const struct npkd_name_state *), void *,
	    struct npkd_err *);

/* Publication.  Files are written atomically. */
struct npkd_export_stats {
	size_t	 files;
	size_t	 objects;
};
/* PEM bundles per country in dir: CC_csca.pem, CC_link.pem, CC_dsc.pem. */
int	 npkd_store_export_pem(struct npkd_store *, const char *, int,
	    struct npkd_export_stats *, struct npkd_err *);
/* LDIF in the ICAO PKD download layout ("-" for standard output). */
int	 npkd_store_export_ldif(struct npkd_store *, const char *, int,
	    struct npkd_export_stats *, struct npkd_err *);
/* A national master list of the valid CSCAs the store trusts. */
int	 npkd_store_export_ml(struct npkd_store *, const struct npkd_cert *,
	    struct npkd_key *, const struct npkd_cms_sign_opts *,
	    struct npkd_buf *, size_t *, struct npkd_err *);

/*
 * Card verifiable certificates and requests (BSI TR-03110-3).  Strict
 * BER-TLV: definite minimal lengths, the fields in their order, nothing
 * unknown in the body, no trailing bytes.
 */
struct npkd_cvc;
enum npkd_cvc_kind {
	NPKD_CVC_CERT = 1,
	NPKD_CVC_REQUEST,
	NPKD_CVC_AUTH_REQUEST
};
/* Roles: the two top bits of the CHAT. */
enum npkd_cvc_role {
	NPKD_CVC_TERMINAL = 0,
	NPKD_CVC_DV_FOREIGN = 1,
	NPKD_CVC_DV_DOMESTIC = 2,
	NPKD_CVC_CVCA = 3
};
int	 npkd_cvc_parse(const uint8_t *, size_t, int, struct npkd_cvc **,
	    struct npkd_err *);
void	 npkd_cvc_free(struct npkd_cvc *);
int	 npkd_cvc_kind(const struct npkd_cvc *);
const char *npkd_cvc_car(const struct npkd_cvc *);	/* NULL if absent */
const char *npkd_cvc_chr(const struct npkd_cvc *);
const char *npkd_cvc_outer_car(const struct npkd_cvc *);
int	 npkd_cvc_role(const struct npkd_cvc *);	/* -1: no CHAT */
const char *npkd_cvc_role_name(int);
const char *npkd_cvc_terminal_type(const struct npkd_cvc *); /* IS AT ST */
size_t	 npkd_cvc_rights(const struct npkd_cvc *, char [][48], size_t);
time_t	 npkd_cvc_effective(const struct npkd_cvc *);
time_t	 npkd_cvc_expiry(const struct npkd_cvc *);
int	 npkd_cvc_has_domain_params(const struct npkd_cvc *);
const char *npkd_cvc_key_oid(const struct npkd_cvc *);
const char *npkd_cvc_sigalg_name(const struct npkd_cvc *);
size_t	 npkd_cvc_ext_count(const struct npkd_cvc *);
const char *npkd_cvc_ext_oid(const struct npkd_cvc *, size_t);
/* "certificate description", "terminal sector" (TR-03110-3 C.3), or NULL. */
const char *npkd_cvc_ext_name(const char *);
/*
 * Verification.  NPKD_OK, or NPKD_E_VERIFY with the reason in e and the
 * SPOC result code (ICAO 9303-12 section 8) that fits in *result:
 * failure_certificate (a signature, chain, CHAT or role), failure_expired,
 * failure_domain_parameters; for requests failure_request_syntax,
 * failure_inner_signature, failure_outer_signature.  The outer signer of
 * a request must be a certificate of trust or one of pool that verifies
 * up to trust, and a CVCA of the request's country or an earlier
 * certificate of the request's holder.
 */
int	 npkd_cvc_verify(const struct npkd_cvc *,
	    const struct npkd_cvc *const *, size_t,
	    const struct npkd_cvc *const *, size_t, time_t, const char **,
	    struct npkd_err *);
int	 npkd_cvc_verify_request(const struct npkd_cvc *,
	    const struct npkd_cvc *const *, size_t,
	    const struct npkd_cvc *const *, size_t, time_t, const char **,
	    struct npkd_err *);

/* Writing CV certificates. */
const uint8_t *npkd_cvc_der(const struct npkd_cvc *, size_t *);
/* Comma-separated right names of terminal type IS, AT or ST to CHAT bytes
 * (out: up to 8) with the role in the top two bits. */
int	 npkd_cvc_rights_encode(const char *, int, const char *, uint8_t *,
	    size_t *, struct npkd_err *);
struct npkd_cvc_tmpl {
	const char		*car;
	const char		*chr;
	const struct npkd_cvc	*holder;	/* request or cert: its key */
	const struct npkd_cvc	*dp_from;	/* CVCA: put its domain here */
	const char		*chat_oid;
	const uint8_t		*rights;
	size_t			 nrights;
	time_t			 effective, expiry;
	const uint8_t		*ext;		/* content of 65, or NULL */
	size_t			 ext_len;
};
int	 npkd_cvc_issue(const struct npkd_cvc_tmpl *, const struct npkd_cvc *,
	    const struct npkd_cvc *, struct npkd_key *, struct npkd_buf *,
	    struct npkd_err *);
const char *npkd_cvc_chat_oid(const struct npkd_cvc *);
const uint8_t *npkd_cvc_pubkey(const struct npkd_cvc *, size_t *);
struct npkd_cvc_req_opts {
	const char		*chr;
	const char		*car;		/* NULL: none */
	const struct npkd_cvc	*params_from;	/* algorithm and domain */
	struct npkd_key		*key;		/* the new key */
	struct npkd_key		*outer_key;	/* NULL: not authenticated */
	const struct npkd_cvc	*outer_cert;	/* its certificate */
	const struct npkd_cvc	*outer_dp;	/* domain of outer_cert */
	const struct npkd_buf	*pub;		/* key's SubjectPublicKeyInfo,
						   for a key on a token */
};
int	 npkd_cvc_request(const struct npkd_cvc_req_opts *, struct npkd_buf *,
	    struct npkd_err *);
int	 npkd_cvc_countersign(const struct npkd_cvc *, struct npkd_key *,
	    const struct npkd_cvc *, const struct npkd_cvc *, struct npkd_buf *,
	    struct npkd_err *);
/*
 * Strict input: a decimal number within [min, max] (nothing else is a
 * number); a calendar date YYYY-MM-DD of 2000-2099 as noon UTC.
 */
int	 npkd_cvc_number(const char *, long, long, long *, struct npkd_err *);
int	 npkd_cvc_date(const char *, time_t *, struct npkd_err *);
/*
 * Sequence numbers (TR-03110-3 A.6.1): five characters 0-9, A-Z; a
 * holder numbers in one numbering (numeric, alphanumeric, or the
 * certifying country's code cc and three alphanumerics), each number
 * after the last of that numbering (reset only once it is exhausted).
 * prev: the holder's earlier numbers, oldest first.  NPKD_OK,
 * NPKD_E_VERIFY (out of order), NPKD_E_FORMAT (not a sequence number).
 */
int	 npkd_cvc_seq_check(const char *const *, size_t, const char *,
	    const char *, struct npkd_err *);

/*
 * The issuing side (a CVCA for DVs, a DV for terminals).  A policy is one
 * agreement, read from "key = value" lines: roles (dv_foreign,
 * dv_domestic, terminal), type (IS AT ST), rights (names), algorithms
 * (id-TA names), min_days, max_days (1 to NPKD_CVCA_MAX_DAYS).
 */
#define NPKD_CVCA_MAX_DAYS	1098	/* three years (TR-03139) */
#define NPKD_CVCA_MAX_POLICY	65536
struct npkd_cvca_policy {
	unsigned int	 roles;		/* 1 << NPKD_CVC_..., 0: dv_foreign */
	char		 type[4];	/* "" or IS AT ST */
	char		 rights[512];
	char		 algorithms[256];
	long		 min_days, max_days;	/* 0: TR-03139 of the role */
};
int	 npkd_cvca_policy_parse(const uint8_t *, size_t,
	    struct npkd_cvca_policy *, struct npkd_err *);
/*
 * Issue a certificate for request as the holder of signer, within
 * policy: the request authenticated (a foreign holder's by an outer
 * signature of a registered CVCA of its country, foreign, or of its
 * current certificate from us, verified up to ours; plain requests only
 * from our own country), its key on the signer's algorithm and domain
 * parameters, the role below the signer's, rights within the policy and
 * the signer's, validity within the policy and the signer's.  pool:
 * other certificates (they prove nothing unless they verify).  Refusals
 * are NPKD_E_VERIFY with the SPOC result code in *result.
 */
struct npkd_cvca_issue {
	const struct npkd_cvc		*request;
	const struct npkd_cvc		*signer;	/* our certificate */
	const struct npkd_cvc *const	*ours;		/* our CVCAs, links */
	size_t				 nours;
	const struct npkd_cvc *const	*foreign;	/* registered CVCAs */
	size_t				 nforeign;
	const struct npkd_cvc *const	*pool;
	size_t				 npool;
	const struct npkd_cvca_policy	*policy;
	int				 role;		/* -1: by policy */
	const char			*rights;	/* NULL: policy's */
	long				 days;		/* 0: the longest */
	int				 narrow;	/* narrow, not refuse */
	const struct npkd_buf		*description;	/* AT: DER */
	const struct npkd_buf		*sectors;	/* AT: 0 to 2 keys */
	size_t				 nsectors;
	time_t				 now;
};
int	 npkd_cvca_issue(const struct npkd_cvca_issue *, struct npkd_key *,
	    struct npkd_buf *, const char **, struct npkd_err *);
/* A country's first, self-signed CVCA certificate. */
struct npkd_cvca_root {
	const char		*chr;
	const char		*type;		/* IS AT ST */
	const char		*rights;	/* names */
	const char		*alg;		/* id-TA name; NULL: by key */
	long			 days;		/* 0: three years */
	const struct npkd_buf	*pub;		/* SPKI, for a token key */
	time_t			 now;
};
int	 npkd_cvca_root(const struct npkd_cvca_root *, struct npkd_key *,
	    struct npkd_buf *, struct npkd_err *);
/*
 * Roll a CVCA key over: the link certificate of the new key signed by
 * the old one, with the new key's domain parameters, and (self not NULL)
 * the new self-signed certificate.
 */
struct npkd_cvca_link {
	const struct npkd_cvc	*old;
	const struct npkd_cvc	*old_dp;	/* NULL: old's own */
	const char		*chr;
	const char		*alg;		/* NULL: the old one's */
	long			 days;		/* 0: three years */
	const struct npkd_buf	*pub;		/* new key's SPKI (token) */
	time_t			 now;
};
int	 npkd_cvca_link(const struct npkd_cvca_link *, struct npkd_key *,
	    struct npkd_key *, struct npkd_buf *, struct npkd_buf *,
	    struct npkd_err *);
/*
 * Our CVCA countersigns a plain request of one of our own DVs for a
 * foreign CVCA, after verifying it (TR-03139).
 */
int	 npkd_cvca_countersign(const struct npkd_cvc *, const struct npkd_cvc *,
	    const struct npkd_cvc *, struct npkd_key *, time_t,
	    struct npkd_buf *, const char **, struct npkd_err *);

/*
 * The CVCA's register in the store.  origin: "registered" (a foreign
 * CVCA's root or link certificate), "issued" (by our CVCA), "own" (our
 * CVCA's certificates), "ours" (our DVs' certificates from foreign
 * CVCAs).  An issued certificate records the SHA-256 of its request:
 * the store refuses a second certificate for a request, or a CHR (and so
 * a sequence number) issued before.
 */
int	 npkd_store_cv_add(struct npkd_store *, const struct npkd_cvc *,
	    const char *, const uint8_t *, struct npkd_err *);
int	 npkd_store_cv_remove(struct npkd_store *, const struct npkd_cvc *,
	    struct npkd_err *);
/* Every CV certificate of origin (NULL: all), expiring within days (-1:
 * any), in CHR order; fn gets the DER and the origin. */
int	 npkd_store_cv_list(struct npkd_store *, const char *, long, time_t,
	    int (*)(void *, const uint8_t *, size_t, const char *), void *,
	    struct npkd_err *);
/*
 * Register a certificate (origin "registered", "own" or "ours") once it
 * verifies against itself or the register at its effective date; a
 * registered or own one must be a CVCA certificate.
 */
int	 npkd_store_cv_register(struct npkd_store *, const struct npkd_cvc *,
	    const char *, const char **, struct npkd_err *);
/*
 * npkd_cvca_issue with the register: our CVCAs (own), registered foreign
 * CVCAs and what we issued join the sets of in; a DV must be registered
 * and not suspended; a request served before, a CHR issued before, a
 * sequence number out of order or a key certified before are refused.
 * The certificate is recorded with its request before it is returned.
 */
int	 npkd_store_cv_issue(struct npkd_store *, const struct npkd_cvca_issue *,
	    struct npkd_key *, struct npkd_buf *, const char **,
	    struct npkd_err *);
/* Foreign DVs: "registered" or "suspended"; status "" when unknown. */
int	 npkd_store_dv_set(struct npkd_store *, const char *, const char *,
	    struct npkd_err *);
int	 npkd_store_dv_status(struct npkd_store *, const char *, char *,
	    size_t, struct npkd_err *);

/*
 * Message packages for the air gap: a pax tar with MANIFEST and
 * MANIFEST.p7s (detached CMS over MANIFEST by the packing side).
 */
#define NPKD_PKG_NAME		128
#define NPKD_PKG_MAX_MEMBERS	10000
#define NPKD_PKG_MAX_MEMBER	(8UL << 20)
#define NPKD_PKG_MSGID		1025	/* = NPKD_SPOC_MSGID */
struct npkd_pkg_member {
	char		 name[NPKD_PKG_NAME];
	char		 kind[32];	/* message kind */
	char		 peer[8];	/* country of the other SPOC */
	char		 msgid[NPKD_PKG_MSGID];	/* any text; "" when none */
	struct npkd_buf	 data;
	uint8_t		 sha256[32];
};
int	 npkd_pkg_write(const struct npkd_pkg_member *, size_t,
	    const struct npkd_cert *, struct npkd_key *, struct npkd_buf *,
	    struct npkd_err *);
int	 npkd_pkg_read(const uint8_t *, size_t, const struct npkd_cert *const *,
	    size_t, struct npkd_pkg_member **, size_t *, struct npkd_err *);
/*
 * The second half of npkd_pkg_read(), for a MANIFEST whose signature the
 * caller has verified: files are the package's members as read from the
 * tar (name and data; MANIFEST and MANIFEST.p7s among them are skipped).
 * Every MANIFEST line must name a file with its hash and size, no file
 * may be unlisted; *out gets the members in MANIFEST order, their data
 * moved out of files.
 */
int	 npkd_pkg_manifest_check(const uint8_t *, size_t,
	    struct npkd_pkg_member *, size_t, struct npkd_pkg_member **,
	    size_t *, struct npkd_err *);
void	 npkd_pkg_free(struct npkd_pkg_member *, size_t);

/*
 * SPOC messages (ICAO Doc 9303-12 section 8; CSN 36 9791): SOAP 1.1
 * document/literal in two dialects with the same elements.  Result codes
 * are held in the ICAO spelling (new_cert_available_notification,
 * failure_domain_parameters) and written in each dialect's own; known
 * variants are accepted on input.  Every message written or read is
 * validated against the dialect's schema (schemas/spoc-*.xsd).
 */
enum npkd_spoc_dialect {
	NPKD_SPOC_CSN = 0,
	NPKD_SPOC_ICAO = 1
};
enum npkd_spoc_op {
	NPKD_SPOC_REQUEST_CERT = 1,
	NPKD_SPOC_SEND_CERTS,
	NPKD_SPOC_GET_CA,
	NPKD_SPOC_GENERAL
};
#define NPKD_SPOC_MAX_XML	(8UL << 20)
#define NPKD_SPOC_MAX_CERTS	16
/* A messageID is the originator's text: up to NPKD_SPOC_MSGID_MAX bytes. */
#define NPKD_SPOC_MSGID_MAX	1024
#define NPKD_SPOC_MSGID		(NPKD_SPOC_MSGID_MAX + 1)
struct npkd_spoc_msg {
	int		 op;		/* enum npkd_spoc_op */
	int		 response;	/* 0: ...Request, 1: ...Response */
	int		 dialect;
	char		 caller[3];	/* requests: callerID */
	char		 msgid[NPKD_SPOC_MSGID];	/* "" when absent */
	struct npkd_buf	 request;	/* certificateRequest (DER) */
	struct npkd_buf	*certs;		/* certificateSequence, in order */
	size_t		 ncerts;
	int		 has_seq;
	char		 result[48];	/* result, or statusInfo */
	char		*subject, *body;	/* GeneralMessage */
};
const char	*npkd_spoc_dialect_name(int);
int		 npkd_spoc_dialect_parse(const char *);	/* -1: unknown */
const char	*npkd_spoc_op_name(int);
/* The codes of result (or statusInfo) for dialect, op, response. */
const char *const *npkd_spoc_codes(int, int, int);
int		 npkd_spoc_code_valid(int, int, int, const char *);
int		 npkd_spoc_msgid_ok(const char *);
/* A new messageID: CC-YYYYMMDDTHHMMSSZ-16 hex digits (NPKD_SPOC_MSGID). */
int		 npkd_spoc_new_msgid(const char *, time_t, char *,
		    struct npkd_err *);
int	 npkd_spoc_encode(const struct npkd_spoc_msg *, struct npkd_buf *,
	    struct npkd_err *);
/* what names the input in errors (NULL: "SPOC message"). */
int	 npkd_spoc_decode(const uint8_t *, size_t, const char *,
	    struct npkd_spoc_msg *, struct npkd_err *);
void	 npkd_spoc_msg_free(struct npkd_spoc_msg *);

/*
 * SPOC state in the store: settings, registered peers, every message in
 * and out by messageID with its state, and the audit log.
 */
enum npkd_txn { NPKD_TXN_BEGIN, NPKD_TXN_COMMIT, NPKD_TXN_ROLLBACK };
int	 npkd_store_txn(struct npkd_store *, int, struct npkd_err *);
/* Settings: country, key (path or pkcs11: URI), cert, trust (PEM). */
int	 npkd_spoc_setting_set(struct npkd_store *, const char *,
	    const char *, struct npkd_err *);
/* *value is malloc'd; NPKD_E_NOTFOUND when not set. */
int	 npkd_spoc_setting_get(struct npkd_store *, const char *, char **,
	    struct npkd_err *);
struct npkd_spoc_peer {
	char		 country[3];
	char		 url[512];
	int		 dialect;
	char		*ca;	/* PEM: CA certificates of its TLS certificates */
	char		*cert;	/* PEM or NULL: its pinned TLS certificate */
	char		*crl;	/* PEM or NULL: CRLs of those CAs */
	time_t		 added;
};
int	 npkd_spoc_peer_put(struct npkd_store *, const struct npkd_spoc_peer *,
	    struct npkd_err *);
int	 npkd_spoc_peer_get(struct npkd_store *, const char *,
	    struct npkd_spoc_peer *, struct npkd_err *);
void	 npkd_spoc_peer_clear(struct npkd_spoc_peer *);
int	 npkd_spoc_peer_remove(struct npkd_store *, const char *,
	    struct npkd_err *);
int	 npkd_spoc_peer_list(struct npkd_store *,
	    int (*)(void *, const struct npkd_spoc_peer *), void *,
	    struct npkd_err *);
/* One message record; xml lent to callbacks, or owned after _get. */
struct npkd_spoc_rec {
	long		 id;
	char		 dir[4];	/* "in" or "out" */
	char		 peer[3];
	int		 op, response;
	char		 msgid[NPKD_SPOC_MSGID];
	char		 state[16];	/* queued packed sent answered failed
					   received collected inbox */
	char		 result[48];
	char		 dv[32];	/* CHR in a certificate request */
	long		 answers;	/* id of the record answered, or 0 */
	int		 attempts;
	time_t		 created, updated;
	uint8_t		 sha256[32];	/* of the XML */
	int		 has_content;
	uint8_t		 content[32];	/* incoming: what it says (no XML) */
	const uint8_t	*xml;
	size_t		 xml_len;
};
/* File a message; sets rec->id.  NPKD_E_VERIFY when the key (dir, peer,
 * operation, messageID), or its content when set, is filed already. */
int	 npkd_spoc_msg_add(struct npkd_store *, struct npkd_spoc_rec *,
	    const uint8_t *, size_t, time_t, struct npkd_err *);
/* Look up by key (msgid "" never matches) or by id; xml copied to buf
 * when non-NULL.  NPKD_E_NOTFOUND when absent. */
int	 npkd_spoc_msg_find(struct npkd_store *, const char *, const char *,
	    int, int, const char *, struct npkd_spoc_rec *, struct npkd_buf *,
	    struct npkd_err *);
int	 npkd_spoc_msg_get(struct npkd_store *, long, struct npkd_spoc_rec *,
	    struct npkd_buf *, struct npkd_err *);
/* Look up an incoming message by (dir, peer, op, response, content). */
int	 npkd_spoc_msg_find_content(struct npkd_store *, const char *,
	    const char *, int, int, const uint8_t [32], struct npkd_spoc_rec *,
	    struct npkd_err *);
/* New state, and result when non-NULL; attempts grows by inc. */
int	 npkd_spoc_msg_update(struct npkd_store *, long, const char *,
	    const char *, int, time_t, struct npkd_err *);
struct npkd_spoc_filter {
	const char	*dir, *state, *peer;	/* NULL: any */
	int		 op;			/* 0: any */
	int		 response;		/* -1: any */
};
int	 npkd_spoc_msg_list(struct npkd_store *, const struct npkd_spoc_filter *,
	    int (*)(void *, const struct npkd_spoc_rec *), void *,
	    struct npkd_err *);
/* The audit log: one line per message in or out and per state change. */
struct npkd_spoc_log {
	time_t		 time;
	const char	*dir, *peer, *op, *msgid, *sha256, *outcome;
};
int	 npkd_spoc_log_add(struct npkd_store *, time_t, const char *,
	    const char *, const char *, const char *, const uint8_t *,
	    const char *, struct npkd_err *);
int	 npkd_spoc_log_list(struct npkd_store *,
	    int (*)(void *, const struct npkd_spoc_log *), void *,
	    struct npkd_err *);

/*
 * The offline SPOC workflow (spocflow.c).  Certificates that arrive are
 * trusted only by verifying under what is registered: a peer's CVCA
 * certificate only under a registered CVCA of that country (a new CVCA
 * by its link certificate), never by the message that brings it.
 *
 * npkd_spoc_take_cvcas(): register those of certs that are CVCA
 * certificates of country cc verifying so, in any order; *verified counts
 * them (those registered before included), *unverified the CVCA
 * certificates left.  npkd_spoc_take_dv(): an answer to our request req
 * (DER): a DV certificate whose public key (algorithm, value, domain
 * parameters) is the request's, verifying under cc's registered CVCAs
 * and the links among certs, is stored as ours and copied to *dv, with
 * those links registered; NPKD_E_VERIFY and nothing stored otherwise.
 */
int	 npkd_spoc_take_cvcas(struct npkd_store *, const char *,
	    const struct npkd_buf *, size_t, time_t, size_t *, size_t *,
	    struct npkd_err *);
int	 npkd_spoc_take_dv(struct npkd_store *, const char *, const uint8_t *,
	    size_t, const struct npkd_buf *, size_t, time_t, struct npkd_buf *,
	    size_t *, size_t *, struct npkd_err *);
/* Is (HTTP status, body) the answer to our request of operation op: a
 * valid response of that operation?  *ans is it, decoded; otherwise why
 * the message was not delivered. */
int	 npkd_spoc_delivered(int, long, const uint8_t *, size_t, const char *,
	    struct npkd_spoc_msg *, struct npkd_err *);
/* Encode m, file it as queued for peer and log it; *r is the record. */
int	 npkd_spoc_queue(struct npkd_store *, const struct npkd_spoc_msg *,
	    const char *, const char *, long, time_t, struct npkd_spoc_rec *,
	    struct npkd_err *);
/* A new request of op to the registered peer cc: its dialect, our
 * callerID, a new messageID.  The caller adds the operation's fields. */
int	 npkd_spoc_request_new(struct npkd_store *, const char *, int, time_t,
	    struct npkd_spoc_msg *, struct npkd_err *);
/* Queue our CVCA certificates ("own") as a push to every registered
 * SPOC; *n peers.  The caller holds the transaction. */
int	 npkd_spoc_notify(struct npkd_store *, time_t, size_t *,
	    struct npkd_err *);
/*
 * Answer the incoming request id: a RequestCertificate with cert (DER,
 * our CVCA's certificate for the request's holder and key) or a failure
 * code; a GetCACertificates with our CVCA certificates.  chain (DER)
 * replaces our registered CVCA certificates when given.  Queues the
 * SendCertificates and marks the request answered in one transaction.
 */
struct npkd_spoc_answer {
	const uint8_t		*cert;
	size_t			 cert_len;
	const char		*fail;
	const struct npkd_buf	*chain;
	size_t			 nchain;
};
int	 npkd_spoc_answer(struct npkd_store *, long,
	    const struct npkd_spoc_answer *, time_t, struct npkd_spoc_rec *,
	    struct npkd_err *);
/* The inbox (foreign requests and pushes), each with a verdict and its
 * reason; fn returns non-zero to stop. */
int	 npkd_spoc_inbox(struct npkd_store *, time_t,
	    int (*)(void *, const struct npkd_spoc_rec *, const char *,
	    const char *), void *, struct npkd_err *);
/*
 * Take one member of a package from our relay: a foreign request or push
 * into the inbox (a push once, by content), an answer to one of ours (its
 * certificates under the rules above), a delivery failure.  What the
 * rules refuse is t->fate NPKD_SPOC_REFUSED with t->why, nothing of it
 * kept; an error means the package must not be taken at all.
 */
enum npkd_spoc_fate {
	NPKD_SPOC_FILED = 1,	/* into the inbox */
	NPKD_SPOC_ANSWERED,	/* one of ours answered (or acknowledged) */
	NPKD_SPOC_DUPLICATE,	/* seen before: ignored */
	NPKD_SPOC_DELIVERY_FAILED,
	NPKD_SPOC_REFUSED
};
struct npkd_spoc_taken {
	int		 fate;
	long		 id;		/* the record filed or updated */
	size_t		 registered, unverified;	/* CVCA certificates */
	struct npkd_buf	 dv;		/* our DV's new certificate, if any */
	char		 dv_chr[32];
	char		 why[400];
};
int	 npkd_spoc_take(struct npkd_store *, const struct npkd_pkg_member *,
	    time_t, struct npkd_spoc_taken *, struct npkd_err *);
void	 npkd_spoc_taken_free(struct npkd_spoc_taken *);

/*
 * The TLS certificate chain (DER, leaf first) of peer p as client, or as
 * server for host: chain to its registered CA, CRL checked, EKU, C, CN,
 * CRL distribution point, dNSName, pin.  NPKD_E_VERIFY with the reason.
 */
int	 npkd_spoc_tls_check(const struct npkd_spoc_peer *,
	    const struct npkd_buf *, size_t, int, const char *, time_t,
	    struct npkd_err *);

/*
 * The relay's decisions, reached without a network.  Which registered
 * SPOC presents this TLS client chain (DER, leaf first)?  The leaf's C
 * names the candidate, whose registered CA, CRL and pin decide; *p gets
 * the peer (caller clears).  NPKD_E_VERIFY with a reason that repeats
 * nothing the client chose.
 */
int	 npkd_spoc_server_auth(struct npkd_store *, const struct npkd_buf *,
	    size_t, time_t, struct npkd_spoc_peer *, struct npkd_err *);
struct npkd_spoc_served {
	int		 status;	/* HTTP: 200, 401, or 500 with a fault */
	struct npkd_buf	 body;		/* the SOAP answer (caller frees) */
	int		 op;		/* operation answered, 0 for a fault */
	char		 result[48];	/* result code, or the fault code */
	char		 log[512];	/* one line: authenticated values only */
};
/*
 * Answer one request body of the authenticated peer (ICAO 9303-12
 * section 8): the streaming pass with its budgets, callerID against the
 * peer (else 401), the schema, the operation's rules, durable filing
 * before the answer.  An invalid request gets a normal response with
 * failure_syntax (or its dialect's nearest code); faults only for
 * VersionMismatch, MustUnderstand, or when not even the operation can be
 * told.  *out is always set; an error means the store failed (a Server
 * fault is in *out).
 */
int	 npkd_spoc_serve(struct npkd_store *, const struct npkd_spoc_peer *,
	    const uint8_t *, size_t, const char *, time_t,
	    struct npkd_spoc_served *, struct npkd_err *);
void	 npkd_spoc_served_free(struct npkd_spoc_served *);
/* The WSDL of a dialect with its schema inlined, for the service at an
 * https:// location (NULL: a placeholder). */
int	 npkd_spoc_wsdl(int, const char *, struct npkd_buf *,
	    struct npkd_err *);
/* A messageID for one-line logs: %XX for bytes outside 0x21-0x7e and
 * '%', "-" when empty, cut to fit. */
void	 npkd_spoc_msgid_print(const char *, char *, size_t);

/*
 * The relay (libnpkd_relay, linked only into spoc-relay): HTTPS client
 * (libcurl with GnuTLS) and server (libmicrohttpd with GnuTLS).
 */
struct npkd_relay_client {
	const char	*cert_file, *key_file;	/* our TLS client certificate */
	const char	*ca_file, *crl_file;	/* the peer's, as files */
	long		 connect_ms, total_ms;
	size_t		 max_body;
};
/* POST body to peer->url with SOAPAction; *status is the HTTP status
 * (0 when no answer came).  The server's certificate is checked with
 * npkd_spoc_tls_check() before the request is sent. */
int	 npkd_relay_post(const struct npkd_relay_client *,
	    const struct npkd_spoc_peer *, const char *, const uint8_t *,
	    size_t, long *, struct npkd_buf *, struct npkd_err *);

struct npkd_relay_req {
	const char		*method;	/* "GET" or "POST" */
	const char		*path;		/* of the URL */
	const char		*host;		/* Host header, NULL if none */
	const struct npkd_buf	*chain;		/* client certificates, DER */
	size_t			 nchain;
	const uint8_t		*body;		/* POST, once complete */
	size_t			 len;
	const char		*soapaction;	/* NULL when absent */
	const char		*client;	/* address, for logs */
	const char		*who;		/* what auth said, after it */
};
/*
 * auth is asked as soon as a request's headers are in, before a byte of
 * its body is read: 0 and who (a short name) for an authenticated client,
 * else the reason (which must not repeat what the client chose) and the
 * client gets 401.  handler answers a GET, or a POST once its body is
 * complete: HTTP status, body (malloc'd) and its type (NULL: text/xml).
 */
typedef int (*npkd_relay_auth)(void *, const struct npkd_relay_req *,
	    char *, size_t, char *, size_t);
typedef int (*npkd_relay_handler)(void *, const struct npkd_relay_req *,
	    int *, struct npkd_buf *, const char **);
struct npkd_relay_server_opts {
	const char	*listen;	/* "ADDR:PORT" or "[ADDR]:PORT" */
	const char	*cert_pem, *key_pem;	/* our TLS server certificate */
	const char	*trust_pem;	/* every registered peer CA */
	unsigned int	 max_conn;	/* connections in all */
	unsigned int	 max_conn_per_addr;	/* per address, < max_conn */
	unsigned int	 handshake_s;	/* TLS handshake and first headers */
	unsigned int	 request_s;	/* each whole request */
	unsigned int	 idle_s;	/* without a byte moving */
	size_t		 max_body;
	npkd_relay_auth	 auth;
	npkd_relay_handler handler;
	void		*arg;
	void		(*log)(void *, const char *);	/* one line, may be NULL */
};
/*
 * Serve in a thread of its own, which also runs auth, handler and log,
 * one request at a time.
 */
struct npkd_relay_server;
int	 npkd_relay_serve(const struct npkd_relay_server_opts *,
	    struct npkd_relay_server **, struct npkd_err *);
/* New trust_pem without closing the port (SIGHUP). */
int	 npkd_relay_reload(struct npkd_relay_server *, const char *,
	    struct npkd_err *);
/* The port actually bound (for ":0"). */
unsigned int npkd_relay_port(const struct npkd_relay_server *);
void	 npkd_relay_stop(struct npkd_relay_server *);

/*
 * ---- Passive authentication (ICAO 9303-10 4.6.2, 9303-11 5.1) ----
 *
 * EF.SOD: the 77 wrapper around CMS SignedData whose eContentType is
 * id-icao-ldsSecurityObject, its content an LDSSecurityObject v0 or v1
 * (with LDSVersionInfo): the hashes of the data groups.  Security objects
 * of real passports are often BER; they are read (bounded) and rewritten
 * in DER form with a finding "sod-ber".  What is not BER, or not such a
 * SignedData, fails with NPKD_E_FORMAT.  Accessors lend from the object.
 */
#define NPKD_OID_LDS_SO		"2.23.136.1.1.1"
#define NPKD_MAX_DG		16
struct npkd_sod;
int	 npkd_sod_parse(const uint8_t *, size_t, struct npkd_sod **,
	    struct npkd_err *);
void	 npkd_sod_free(struct npkd_sod *);
int	 npkd_sod_ber(const struct npkd_sod *);	/* 1: it was not DER */
int	 npkd_sod_lds_version(const struct npkd_sod *);	/* 0 or 1 */
/* LDSVersionInfo: ldsVersion and unicodeVersion, "" when absent. */
const char *npkd_sod_lds_info(const struct npkd_sod *, const char **);
int	 npkd_sod_hash(const struct npkd_sod *);	/* enum npkd_hash */
size_t	 npkd_sod_dg_count(const struct npkd_sod *);
/* Data group hash i: its number (1..16) and value. */
int	 npkd_sod_dg(const struct npkd_sod *, size_t, const uint8_t **,
	    size_t *);
/* The hash listed for data group number n, or NULL. */
const uint8_t *npkd_sod_dg_hash(const struct npkd_sod *, int, size_t *);
size_t	 npkd_sod_cert_count(const struct npkd_sod *);
const uint8_t *npkd_sod_cert_der(const struct npkd_sod *, size_t, size_t *);
time_t	 npkd_sod_signing_time(const struct npkd_sod *);	/* 0: none */
const char *npkd_sod_signer_id(const struct npkd_sod *); /* as CMS's */
const char *npkd_sod_sigalg_name(const struct npkd_sod *);
const struct npkd_findings *npkd_sod_findings(const struct npkd_sod *);
/* Does cert match the signer identifier of the SignerInfo? */
int	 npkd_sod_is_signer(const struct npkd_sod *, const struct npkd_cert *);
/*
 * The SOD's signature with the key of cert: content-type and
 * message-digest attributes, then the signature.  NPKD_OK, NPKD_E_VERIFY
 * or NPKD_E_UNSUPPORTED, the reason in e.
 */
int	 npkd_sod_verify(const struct npkd_sod *, const struct npkd_cert *,
	    struct npkd_findings *, struct npkd_err *);

/*
 * A passive authentication context over a store: the trust engine of
 * design.md section 8 built once from the store's CA side as it is at
 * open (anchors, list authorities, CSCAs, links, CRLs, lists) and judging
 * at time now; every DSC met is judged once and its verdict kept for the
 * documents after it.  Open a new context after the store changed (an
 * import, a check) or when the day changes.  npkd_pa_verify() may be
 * called from several threads at once.
 */
struct npkd_pa;
int	 npkd_pa_open(struct npkd_store *, time_t, struct npkd_pa **,
	    struct npkd_err *);
void	 npkd_pa_free(struct npkd_pa *);

/* The verdict on a document, and on each step. */
enum npkd_pa_verdict {
	NPKD_PA_GENUINE = 0,
	NPKD_PA_NOT_GENUINE = 1,
	NPKD_PA_MALFORMED = 2
};
enum npkd_pa_step {
	NPKD_PA_SOD = 0,	/* 77, SignedData, LDSSecurityObject */
	NPKD_PA_DSC,		/* found in the SOD or the store */
	NPKD_PA_SIGNATURE,	/* the SOD's signature by the DSC */
	NPKD_PA_CHAIN,		/* the DSC under a trusted CSCA */
	NPKD_PA_COUNTRY,	/* the DSC's country = DG1's issuing state */
	NPKD_PA_REVOCATION,	/* not revoked by the current CRL */
	NPKD_PA_DATES,		/* DSC valid at signing and today */
	NPKD_PA_DATAGROUPS,	/* each DG given hashes as listed */
	NPKD_PA_NSTEPS
};
enum npkd_pa_result {
	NPKD_PA_OK = 0,
	NPKD_PA_FAIL,
	NPKD_PA_NOT_CHECKED
};
struct npkd_pa_stepres {
	int		 result;	/* enum npkd_pa_result */
	const char	*reason;	/* a short code, "" when ok */
	char		 text[320];
};
/* Data groups: what the SOD lists, what was given, what was found. */
enum npkd_pa_dgres {
	NPKD_PA_DG_ABSENT = 0,		/* neither listed nor given */
	NPKD_PA_DG_MATCH,		/* given, its hash as listed */
	NPKD_PA_DG_MISMATCH,		/* given, another hash */
	NPKD_PA_DG_NOT_LISTED,		/* given, not in the SOD: refused */
	NPKD_PA_DG_NOT_CHECKED		/* listed, not given */
};
struct npkd_pa_report {
	int		 verdict;	/* enum npkd_pa_verdict */
	int		 step;		/* the first step that failed, or -1 */
	const char	*reason;	/* its reason, "" when genuine */
	struct npkd_pa_stepres steps[NPKD_PA_NSTEPS];
	/* the SOD */
	int		 ber;
	int		 lds_version;
	char		 lds_info[16], unicode_info[16];
	int		 hash;		/* of the data groups */
	char		 sigalg[48];
	time_t		 signing_time;	/* 0: no signingTime */
	/* the DSC */
	int		 dsc_found;
	int		 dsc_from_store; /* not in the SOD: by signer id */
	int		 dsc_in_store;	/* the store holds it */
	uint8_t		 dsc_sha256[32];
	char		 dsc_subject[256], dsc_issuer[256];
	char		 dsc_serial[132], dsc_country[8];
	time_t		 dsc_not_before, dsc_not_after;
	/* its judgement under the trust model */
	const char	*chain_status;	/* npkd_status_name() */
	const char	*chain_reason;
	char		 chain_trust[384];
	const char	*crl_state;	/* "current", "stale", "none" */
	time_t		 crl_this_update, crl_next_update;
	int		 at_signing;	/* enum npkd_pa_result: dates */
	int		 today;
	char		 dg1_state[4];	/* DG1's issuing state, "" */
	int		 dg[NPKD_MAX_DG + 1];	/* enum npkd_pa_dgres by number */
	int		 learned;	/* the DSC was added to the store */
	struct npkd_findings *findings;	/* owned: npkd_pa_report_clear() */
};
/* An elementary file of the document: a data group by its first tag. */
struct npkd_pa_file {
	const uint8_t	*data;
	size_t		 len;
};
/*
 * Passive authentication of one document: the EF.SOD and the data
 * groups given (EF.COM is accepted and ignored).  Every step is run and
 * reported; the verdict is genuine only when every step passed.  Returns
 * NPKD_OK (genuine), NPKD_E_VERIFY (not genuine), NPKD_E_FORMAT
 * (malformed: the SOD, or a file that is not a data group, or a data group
 * given twice) or another error (store, memory).  The report is filled in
 * every case; clear it after use.
 */
int	 npkd_pa_verify(struct npkd_pa *, const uint8_t *, size_t,
	    const struct npkd_pa_file *, size_t, struct npkd_pa_report *,
	    struct npkd_err *);
void	 npkd_pa_report_clear(struct npkd_pa_report *);
const char *npkd_pa_step_name(int);
const char *npkd_pa_verdict_name(int);
const char *npkd_pa_dg_name(int);
const char *npkd_pa_result_name(int);
/*
 * Keep the DSC of a verified document in the store (--learn): only when
 * its SOD signature verified and it chains to a trusted CSCA, and only
 * once.  It is imported like any DSC (provenance: from), unchecked until
 * the next npkd_store_check().  *added is 1 when it was new.
 */
int	 npkd_pa_learn(struct npkd_pa *, struct npkd_pa_report *,
	    const char *, int *, struct npkd_err *);

/*
 * ---- The officer's report ----
 *
 * One self-contained HTML page (inline CSS and SVG, no script, nothing
 * fetched) and a CSV with the same numbers: per country the anchors, the
 * CSCAs and links with their state, every kind of object counted by
 * status, the CRL of each trusted CSCA name (age, next update), what is
 * valid and ends within days, findings by rule, and a timeline of CSCA
 * validity and CRL freshness.  The store as its last check left it.
 */
struct npkd_report_opts {
	time_t		 now;		/* 0: now */
	long		 days;		/* expiring within (0: 90) */
	const char	*store_name;	/* shown on the page */
};
int	 npkd_store_report(struct npkd_store *, const struct npkd_report_opts *,
	    struct npkd_buf *, struct npkd_buf *, struct npkd_err *);

/* Times as "YYYY-MM-DDTHH:MM:SSZ" into a 21-byte buffer. */
void	 npkd_time_str(time_t, char *);

#endif /* NPKD_SRC_NPKD_H */
