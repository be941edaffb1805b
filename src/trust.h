/*
 * trust.h - the trust model of design.md section 8, as one engine that
 * `npkd check`, `npkd import` and `npkd ml verify` share.  Library
 * internal.
 *
 * The engine holds the CA side of a PKD in memory (CSCA and link
 * certificates, list signers, CRLs, lists and what they vouch for, the
 * officer's anchors and list authorities) and computes, from nothing but
 * those, which CSCA keys are trusted and why, which CRL is current for
 * each issuer name and what it revokes, and which lists are genuine.
 * End-entity certificates (DSCs) are judged afterwards, one by one and
 * from any thread, against that fixed state.
 *
 * Signature verdicts go through a cache keyed by the SHA-256 of the
 * signed object and the id of the issuer key: a verdict never changes
 * for the same pair, so a second check verifies nothing twice.
 */
#ifndef NPKD_SRC_TRUST_H
#define NPKD_SRC_TRUST_H

#include "npkd_int.h"

/* Statuses, in the order of enum npkd_status of npkd.h. */
enum {
	ST_VALID = 0, ST_EXPIRED, ST_REVOKED, ST_UNTRUSTED, ST_INVALID,
	ST_UNCHECKED, ST_NOTYET, ST_UNSUPPORTED, ST_STALE, ST_SUPERSEDED,
	ST_UNUSABLE, ST_COUNT
};

/* Signature verdicts. */
enum { SIG_UNKNOWN = 0, SIG_OK, SIG_BAD, SIG_UNSUP };

/* The verdict on one object: a status and its one primary reason. */
struct tverdict {
	int	 status;
	const char *reason;		/* a finding code, static */
	char	 text[384];		/* the reason in words */
	char	 trust[384];		/* why it is trusted, "" if not */
	int	 trusted;		/* connected to the officer's trust */
	int	 action;		/* the officer must act */
};

/* The signature cache: (object SHA-256, issuer key id) -> verdict. */
struct sigcache;
struct sigcache	*npkd_sigcache_new(void);
void		 npkd_sigcache_free(struct sigcache *);
int		 npkd_sigcache_get(const struct sigcache *, const uint8_t *,
		    const uint8_t *);
int		 npkd_sigcache_put(struct sigcache *, const uint8_t *,
		    const uint8_t *, int, int);
/* Visit the entries added since the cache was filled (to store them). */
int		 npkd_sigcache_each_new(const struct sigcache *,
		    int (*)(void *, const uint8_t *, const uint8_t *, int),
		    void *);
size_t		 npkd_sigcache_verified(const struct sigcache *);
/* Verify cert under the key of issuer, through the cache: SIG_*. */
int		 npkd_sig_cert(struct sigcache *, const struct npkd_cert *,
		    const struct npkd_cert *, struct npkd_findings *);
/* A verification's result (rc, its findings) as a cache value, and back
 * (findings it carries are added to f). */
int		 npkd_sig_encode(int, struct npkd_findings *);
int		 npkd_sig_decode(int, struct npkd_findings *);

struct trust;
struct trust	*npkd_trust_new(time_t, struct sigcache *);
void		 npkd_trust_free(struct trust *);
/*
 * The inputs.  Certificates and CRLs are owned by the engine from then
 * on; each returns its index (or -1 when memory ran out).  anchor: the
 * officer's.
 */
long	 npkd_trust_add_cert(struct trust *, struct npkd_cert *, int);
long	 npkd_trust_add_crl(struct trust *, struct npkd_crl *);
/*
 * A list: its SHA-256, kind (NPKD_LIST_ML or _DL), the index of its signer
 * certificate, its signing time (0: none), and whether its CMS signature
 * verifies under the signer's key (SIG_*).  Members are added after.
 */
long	 npkd_trust_add_list(struct trust *, const uint8_t *, int, long,
	    time_t, int);
int	 npkd_trust_add_member(struct trust *, long, long);
/* The officer makes country x a list authority for y ("*": all). */
int	 npkd_trust_add_authority(struct trust *, const char *, const char *);
/* Compute everything.  NPKD_OK or NPKD_E_NOMEM. */
int	 npkd_trust_run(struct trust *, struct npkd_err *);

size_t	 npkd_trust_ncerts(const struct trust *);
const struct npkd_cert *npkd_trust_cert(const struct trust *, size_t);
long	 npkd_trust_find_cert(const struct trust *, const uint8_t *);
const struct tverdict *npkd_trust_cert_verdict(const struct trust *, size_t);
const struct npkd_findings *npkd_trust_cert_findings(const struct trust *,
	    size_t);
size_t	 npkd_trust_ncrls(const struct trust *);
const struct npkd_crl *npkd_trust_crl(const struct trust *, size_t);
const struct tverdict *npkd_trust_crl_verdict(const struct trust *, size_t);
const struct npkd_findings *npkd_trust_crl_findings(const struct trust *,
	    size_t);
size_t	 npkd_trust_nlists(const struct trust *);
const struct tverdict *npkd_trust_list_verdict(const struct trust *, size_t);
const struct npkd_findings *npkd_trust_list_findings(const struct trust *,
	    size_t);
/* The anchor (or list member) a genuine list chains to, or NULL. */
const struct npkd_cert *npkd_trust_list_anchor(const struct trust *, size_t);

/*
 * Issuer names of the trusted CSCA keys with the state of their CRL:
 * "current", "stale" or "none"; crl is the current CRL's index or -1.
 */
struct tname {
	uint8_t		 id[32];
	char		 country[8];
	const char	*subject;	/* lent from a certificate */
	const char	*state;
	long		 crl;
};
size_t	 npkd_trust_nnames(const struct trust *);
const struct tname *npkd_trust_name(const struct trust *, size_t);

/*
 * An end-entity certificate (a DSC, an ML or DL signer, anything that is
 * not a CA), described by what the judgement needs; c may be NULL while
 * no signature must be verified.
 */
struct tee {
	const uint8_t	*sha;
	const uint8_t	*issuer_id;
	const uint8_t	*aki;
	size_t		 aki_len;
	const char	*serial;
	const char	*country;
	time_t		 nb, na;
	int		 crit_unknown;
};
#define TEE_MAXCAND	64
/* The keys that may have signed it: trusted ones first, each key once. */
struct tcand {
	const struct npkd_cert	*keycert;	/* carries the key */
	const uint8_t		*keyid;
	long			 ent;		/* trusted entity, or -1 */
	int			 sig;		/* SIG_* */
};
size_t	 npkd_trust_ee_candidates(const struct trust *, const struct tee *,
	    struct tcand *, size_t, int *);
/* The verdict, once the candidates' sig fields are filled as needed. */
void	 npkd_trust_ee_verdict(const struct trust *, const struct tee *,
	    const struct tcand *, size_t, int, struct tverdict *,
	    struct npkd_findings *);

const char *npkd_trust_status_name(int);

/* ml.c: a list into an engine (see there). */
struct npkd_ml;
int	 npkd_ml_member_is_ca(const struct npkd_cert *);
long	 npkd_ml_to_trust(struct trust *, const struct npkd_ml *,
	    const struct npkd_cert *, struct npkd_cert *const *, size_t, int,
	    int, long *);

#endif /* NPKD_SRC_TRUST_H */
