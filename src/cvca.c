/*
 * cvca.c - the issuing side of EAC (a CVCA certifying DVs, a DV
 * certifying its terminals): the policy of one agreement, sequence
 * numbers, and what may be issued to whom (ICAO 9303-12 section 8,
 * TR-03110-3, TR-03139): a foreign holder only on an outer signature
 * that verifies up to what we registered, its key on our algorithm and
 * domain parameters, rights and validity within the policy and our own.
 * The first self-signed CVCA certificate and the rollover of its key.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cvc_int.h"

#define LAST_DAY	4102444799	/* 2099-12-31 23:59:59: YYMMDD's last */

/* --- sequence numbers (TR-03110-3 A.6.1) ------------------------------ */

enum { SEQ_NUMERIC = 1, SEQ_ALNUM, SEQ_PREFIXED };

static int
alnum36(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 10;
	return -1;
}

/*
 * The numbering of a sequence number and its place in it: numeric (five
 * digits, by value), country-prefixed (the certifying country's code cc,
 * then three alphanumerics counting in base 36), or alphanumeric (base
 * 36); -1 when it is not a sequence number.
 */
static int
seq_class(const char *s, const char *cc, unsigned long *value,
    unsigned long *max)
{
	size_t	 i;
	int	 digits = 1;

	if (strlen(s) != 5)
		return -1;
	for (i = 0; i < 5; i++) {
		if (alnum36((unsigned char)s[i]) < 0)
			return -1;
		digits &= s[i] >= '0' && s[i] <= '9';
	}
	*value = 0;
	if (digits) {
		for (i = 0; i < 5; i++)
			*value = *value * 10 + (unsigned long)(s[i] - '0');
		*max = 99999;
		return SEQ_NUMERIC;
	}
	if (cc != NULL && strlen(cc) == 2 && strncmp(s, cc, 2) == 0) {
		for (i = 2; i < 5; i++)
			*value = *value * 36 + (unsigned long)alnum36(s[i]);
		*max = 36UL * 36 * 36 - 1;
		return SEQ_PREFIXED;
	}
	for (i = 0; i < 5; i++)
		*value = *value * 36 + (unsigned long)alnum36(s[i]);
	*max = 36UL * 36 * 36 * 36 * 36 - 1;
	return SEQ_ALNUM;
}

static const char *
seq_kind(int c)
{
	return c == SEQ_NUMERIC ? "numeric" : c == SEQ_PREFIXED ?
	    "country-prefixed" : "alphanumeric";
}

/* May seq follow prev (oldest first) of one holder?  See npkd.h. */
int
npkd_cvc_seq_check(const char *const *prev, size_t n, const char *seq,
    const char *cc, struct npkd_err *e)
{
	unsigned long	 v, max, pv = 0, pmax;
	const char	*last = NULL, *other = NULL;
	size_t		 i;
	int		 c, pc;

	if ((c = seq_class(seq, cc, &v, &max)) < 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "%.16s is not a sequence "
		    "number: five characters 0-9 and A-Z (TR-03110-3 A.6.1)",
		    seq);
	for (i = n; i-- > 0 && last == NULL; ) {
		if ((pc = seq_class(prev[i], cc, &pv, &pmax)) < 0)
			continue;
		if (pc == c)
			last = prev[i];
		else if (other == NULL)
			other = prev[i];
	}
	if (last == NULL && other != NULL)
		return npkd_seterr(e, NPKD_E_VERIFY, "sequence number %s is "
		    "%s, the holder's last (%s) of another numbering: numberings "
		    "are not ordered against each other (TR-03110-3 A.6.1)",
		    seq, seq_kind(c), other);
	if (last == NULL)
		return NPKD_OK;
	seq_class(last, cc, &pv, &pmax);
	/* TR-03110-3: a numbering may start over once it is exhausted */
	if (pv == pmax && strcmp(seq, last) != 0)
		return NPKD_OK;
	if (v <= pv)
		return npkd_seterr(e, NPKD_E_VERIFY, "sequence number %s not "
		    "after %s, the holder's last of its numbering", seq, last);
	return NPKD_OK;
}

/* --- policy ------------------------------------------------------------ */

static int
role_by_name(const char *s, size_t n)
{
	if (n == 10 && strncmp(s, "dv_foreign", n) == 0)
		return NPKD_CVC_DV_FOREIGN;
	if (n == 11 && strncmp(s, "dv_domestic", n) == 0)
		return NPKD_CVC_DV_DOMESTIC;
	if (n == 8 && strncmp(s, "terminal", n) == 0)
		return NPKD_CVC_TERMINAL;
	return -1;
}

static const char *
role_word(int role)
{
	switch (role) {
	case NPKD_CVC_DV_FOREIGN:	return "dv_foreign";
	case NPKD_CVC_DV_DOMESTIC:	return "dv_domestic";
	case NPKD_CVC_TERMINAL:		return "terminal";
	}
	return "cvca";
}

/* Each comma-separated item of list, trimmed; fn returns 0 to go on. */
static int
each_item(const char *list, int (*fn)(void *, const char *, size_t), void *arg)
{
	const char	*p = list, *end;
	size_t		 len;
	int		 rc;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0 || (rc = fn(arg, p, len)) != 0)
			return len == 0 ? -1 : rc;
		p = *end ? end + 1 : end;
	}
	return 0;
}

static int
add_role(void *arg, const char *s, size_t n)
{
	unsigned int	*roles = arg;
	int		 r;

	if ((r = role_by_name(s, n)) < 0)
		return -1;
	*roles |= 1u << r;
	return 0;
}

static int
known_alg(void *arg, const char *s, size_t n)
{
	char name[32];

	(void)arg;
	if (n >= sizeof(name))
		return -1;
	memcpy(name, s, n);
	name[n] = '\0';
	return npkd_cvc_alg_oid(name) != NULL ? 0 : -1;
}

struct finditem {
	const char	*item;
	size_t		 n;
};

static int
is_item(void *arg, const char *s, size_t n)
{
	const struct finditem *f = arg;

	return n == f->n && strncasecmp(s, f->item, n) == 0;
}

static int
in_list(const char *list, const char *item)
{
	struct finditem f = { item, strlen(item) };

	return each_item(list, is_item, &f) == 1;
}

/* Copy a value into a field of the policy; too long is an error. */
static int
setval(char *dst, size_t sz, const char *v, size_t n)
{
	if (n >= sz)
		return -1;
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

/*
 * Read a policy: "key = value" lines, # comments and blank lines; every
 * key at most once, every value checked (numbers by npkd_cvc_number,
 * roles, type, algorithms and rights by name).
 */
int
npkd_cvca_policy_parse(const uint8_t *data, size_t len,
    struct npkd_cvca_policy *p, struct npkd_err *e)
{
	static const char *keys[] = { "roles", "type", "rights", "algorithms",
	    "min_days", "max_days" };
	char		 val[512];
	const char	*line, *end, *eq, *k, *v;
	size_t		 off, ll, kl, vl, i, lineno = 0;
	unsigned int	 seen = 0;
	uint8_t		 bytes[8];
	size_t		 nb;
	struct npkd_err	 ne;

	memset(p, 0, sizeof(*p));
	if (len > NPKD_CVCA_MAX_POLICY)
		return npkd_seterr(e, NPKD_E_LIMIT, "policy larger than %d "
		    "bytes", NPKD_CVCA_MAX_POLICY);
	if (memchr(data, '\0', len) != NULL)
		return npkd_seterr(e, NPKD_E_FORMAT, "policy: a NUL byte");
	for (off = 0; off < len; off = (size_t)(end - (const char *)data) + 1) {
		line = (const char *)data + off;
		end = memchr(line, '\n', len - off);
		if (end == NULL)
			end = (const char *)data + len;
		lineno++;
		ll = (size_t)(end - line);
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		while (ll > 0 && (*line == ' ' || *line == '\t')) {
			line++;
			ll--;
		}
		while (ll > 0 && (line[ll - 1] == ' ' || line[ll - 1] == '\t'))
			ll--;
		if (ll == 0 || line[0] == '#')
			continue;
		if ((eq = memchr(line, '=', ll)) == NULL)
			return npkd_seterr(e, NPKD_E_FORMAT, "policy line %zu: "
			    "not \"key = value\"", lineno);
		k = line;
		for (kl = (size_t)(eq - line); kl > 0 && (k[kl - 1] == ' ' ||
		    k[kl - 1] == '\t'); kl--)
			;
		for (v = eq + 1; v < line + ll && (*v == ' ' || *v == '\t');
		    v++)
			;
		vl = (size_t)(line + ll - v);
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strlen(keys[i]) == kl && strncmp(keys[i], k, kl) ==
			    0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0]))
			return npkd_seterr(e, NPKD_E_FORMAT, "policy line %zu: "
			    "unknown key \"%.*s\"", lineno, (int)(kl > 32 ? 32 :
			    kl), k);
		if (seen & (1u << i))
			return npkd_seterr(e, NPKD_E_FORMAT, "policy line %zu: "
			    "%s given twice", lineno, keys[i]);
		seen |= 1u << i;
		if (vl == 0 || setval(val, sizeof(val), v, vl) != 0)
			return npkd_seterr(e, NPKD_E_FORMAT, "policy line %zu: "
			    "%s: %s value", lineno, keys[i], vl ? "too long a" :
			    "no");
		switch (i) {
		case 0:
			if (each_item(val, add_role, &p->roles) != 0)
				return npkd_seterr(e, NPKD_E_FORMAT, "policy "
				    "line %zu: roles are dv_foreign, "
				    "dv_domestic, terminal", lineno);
			break;
		case 1:
			if (strcasecmp(val, "IS") != 0 && strcasecmp(val,
			    "AT") != 0 && strcasecmp(val, "ST") != 0)
				return npkd_seterr(e, NPKD_E_FORMAT, "policy "
				    "line %zu: type is IS, AT or ST", lineno);
			p->type[0] = (char)(val[0] & ~0x20);
			p->type[1] = (char)(val[1] & ~0x20);
			p->type[2] = '\0';
			break;
		case 2:
			setval(p->rights, sizeof(p->rights), v, vl);
			break;
		case 3:
			if (each_item(val, known_alg, NULL) != 0)
				return npkd_seterr(e, NPKD_E_FORMAT, "policy "
				    "line %zu: algorithms are id-TA names such "
				    "as ecdsa-sha-256", lineno);
			setval(p->algorithms, sizeof(p->algorithms), v, vl);
			break;
		default:
			if (npkd_cvc_number(val, 1, NPKD_CVCA_MAX_DAYS, i == 4 ?
			    &p->min_days : &p->max_days, &ne) != NPKD_OK)
				return npkd_seterr(e, NPKD_E_FORMAT, "policy "
				    "line %zu: %s: %s", lineno, keys[i], ne.msg);
			break;
		}
	}
	if (p->type[0] != '\0' && p->rights[0] != '\0' &&
	    npkd_cvc_rights_encode(p->type, 0, p->rights, bytes, &nb, &ne) !=
	    NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "policy: rights: %s",
		    ne.msg);
	if (p->min_days > 0 && p->max_days > 0 && p->max_days < p->min_days)
		return npkd_seterr(e, NPKD_E_FORMAT, "policy: min_days %ld and "
		    "max_days %ld make no range", p->min_days, p->max_days);
	if (p->roles == 0)
		p->roles = 1u << NPKD_CVC_DV_FOREIGN;
	return NPKD_OK;
}

/* --- issuing ------------------------------------------------------------ */

#define REFUSE(code, ...) do {						\
	*result = (code);						\
	rc = npkd_seterr(e, NPKD_E_VERIFY, __VA_ARGS__);		\
	goto out;							\
} while (0)

#define ERROR(code, ...) do {						\
	rc = npkd_seterr(e, (code), __VA_ARGS__);			\
	goto out;							\
} while (0)

/* A set of certificates made of others, for the verification calls. */
struct cvset {
	const struct npkd_cvc	**v;
	size_t			  n;
};

static int
cvset_add(struct cvset *s, const struct npkd_cvc *const *v, size_t n)
{
	const struct npkd_cvc **nv;

	if (n == 0)
		return NPKD_OK;
	if ((nv = reallocarray(s->v, s->n + n, sizeof(*nv))) == NULL)
		return NPKD_E_NOMEM;
	memcpy(nv + s->n, v, n * sizeof(*nv));
	s->v = nv;
	s->n += n;
	return NPKD_OK;
}

/* CHR = country (2 letters) + mnemonic + sequence number (A.6.1). */
static int
chr_ok(const char *chr)
{
	unsigned long	 v, max;
	size_t		 n = strlen(chr), i;

	if (n < 8 || n > 16 || chr[0] < 'A' || chr[0] > 'Z' || chr[1] < 'A' ||
	    chr[1] > 'Z')
		return 0;
	for (i = 2; i < n - 5; i++)
		if ((unsigned char)chr[i] < 0x20 || chr[i] == 0x7f)
			return 0;
	return seq_class(chr + n - 5, NULL, &v, &max) > 0;
}

/* Is chr the CHR of one of v? */
static int
chr_in(const char *chr, const struct npkd_cvc *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(npkd_cvc_chr(v[i]), chr) == 0)
			return 1;
	return 0;
}

/* Is the holder of chr one of the CAs of v (a DV must not take a CA's name)? */
static int
holder_of_ca(const char *chr, const struct npkd_cvc *const *v, size_t n)
{
	char	 h[17], hc[17];
	size_t	 i;

	if (npkd_cvc_holder(chr, h, sizeof(h)) != NPKD_OK)
		return 0;
	for (i = 0; i < n; i++)
		if (npkd_cvc_role(v[i]) != NPKD_CVC_TERMINAL &&
		    npkd_cvc_holder(v[i]->chr, hc, sizeof(hc)) == NPKD_OK &&
		    strcmp(h, hc) == 0)
			return 1;
	return 0;
}

/* TR-03139 validity by role: DV 14 to 90 days, terminal 1 to 31. */
static void
role_days(int role, const struct npkd_cvca_policy *p, long *min, long *max)
{
	*min = p->min_days ? p->min_days : role == NPKD_CVC_TERMINAL ? 1 : 14;
	*max = p->max_days ? p->max_days : role == NPKD_CVC_TERMINAL ? 31 : 90;
}

/*
 * A certificate description (TR-03110-4 2.2.6): a DER SEQUENCE whose
 * first element names its format under id-description.
 */
static int
description_ok(const struct npkd_buf *d)
{
	static const uint8_t	 arc[] = { 0x04, 0x00, 0x7f, 0x00, 0x07, 0x03,
	    0x01, 0x03, 0x01 };
	unsigned int		 tag;
	size_t			 hdr, clen;

	if (npkd_der_header(d->data, d->len, &tag, &hdr, &clen) != NPKD_OK ||
	    tag != 0x30 || hdr + clen != d->len || clen < 2 + sizeof(arc) + 1)
		return 0;
	return d->data[hdr] == 0x06 && d->data[hdr + 1] > sizeof(arc) &&
	    memcmp(d->data + hdr + 2, arc, sizeof(arc)) == 0;
}

/* One discretionary data template: OID, then hashes tagged 80, 81.. */
static int
put_ddt(struct npkd_dbuf *ext, const uint8_t *oid, size_t oidlen, int hash,
    const struct npkd_buf *v, size_t n, struct npkd_err *e)
{
	struct npkd_dbuf	 t;
	uint8_t			 d[NPKD_MAX_HASH], h[4];
	size_t			 i, hl = npkd_hash_len(hash);
	int			 rc = NPKD_OK;

	npkd_dbuf_init(&t, CVC_MAX);
	if ((rc = npkd_dbuf_add(&t, oid, oidlen)) != NPKD_OK)
		goto out;
	for (i = 0; i < n; i++) {
		if ((rc = npkd_hash(hash, v[i].data, v[i].len, d, e)) !=
		    NPKD_OK)
			goto out;
		h[0] = (uint8_t)(0x80 + i);
		h[1] = (uint8_t)hl;
		if ((rc = npkd_dbuf_add(&t, h, 2)) != NPKD_OK ||
		    (rc = npkd_dbuf_add(&t, d, hl)) != NPKD_OK)
			goto out;
	}
	h[0] = 0x73;
	if (t.len < 0x80) {
		h[1] = (uint8_t)t.len;
		rc = npkd_dbuf_add(ext, h, 2);
	} else {
		h[1] = 0x81;
		h[2] = (uint8_t)t.len;
		rc = npkd_dbuf_add(ext, h, 3);
	}
	if (rc == NPKD_OK)
		rc = npkd_dbuf_add(ext, t.data, t.len);
 out:
	npkd_dbuf_free(&t);
	return rc;
}

/* The role asked, or the one the policy allows for this request. */
static int
pick_role(const struct npkd_cvca_issue *in, int signer_role, int foreign)
{
	unsigned int allow = in->policy->roles;

	if (in->role >= 0)
		return in->role;
	if (signer_role == NPKD_CVC_DV_FOREIGN ||
	    signer_role == NPKD_CVC_DV_DOMESTIC)
		return NPKD_CVC_TERMINAL;
	if (foreign)
		return NPKD_CVC_DV_FOREIGN;
	if ((allow & (1u << NPKD_CVC_DV_DOMESTIC)) ||
	    !(allow & (1u << NPKD_CVC_DV_FOREIGN)))
		return NPKD_CVC_DV_DOMESTIC;
	return NPKD_CVC_DV_FOREIGN;
}

/*
 * Decide on in->request and, when it may be issued, sign it with key
 * into out (caller frees); refusals are NPKD_E_VERIFY with *result.
 */
int
npkd_cvca_issue(const struct npkd_cvca_issue *in, struct npkd_key *key,
    struct npkd_buf *out, const char **result, struct npkd_err *e)
{
	const struct npkd_cvc	*r = in->request, *s = in->signer, *sdp,
				*outer;
	const struct npkd_cvca_policy *pol = in->policy;
	struct cvset		 anchors = { NULL, 0 }, ours = { NULL, 0 };
	struct npkd_dbuf	 ext;
	struct npkd_cvc		*made = NULL;
	struct cvc_key		 hk, sk;
	struct cvc_tbs		 t;
	const char		*type;
	uint8_t			 want[8], allow[8];
	size_t			 nw, na, i;
	long			 days, min, max;
	time_t			 eff, exp;
	uint64_t		 wm, am, sm;
	int			 rc = NPKD_OK, role, srole, foreign, want_outer;

	*result = NULL;
	out->data = NULL;
	out->len = 0;
	npkd_dbuf_init(&ext, CVC_MAX);
	if (s == NULL || pol == NULL || key == NULL)
		ERROR(NPKD_E_USAGE, "issue: no signer, policy or key");
	if (r == NULL || r->kind == NPKD_CVC_CERT)
		REFUSE("failure_request_syntax", "%s: not a certificate request",
		    r != NULL ? r->chr : "(none)");
	srole = npkd_cvc_role(s);
	if (s->kind != NPKD_CVC_CERT || (srole != NPKD_CVC_CVCA &&
	    srole != NPKD_CVC_DV_FOREIGN && srole != NPKD_CVC_DV_DOMESTIC))
		ERROR(NPKD_E_USAGE, "%s: our certificate is neither a CVCA's "
		    "nor a DV's", s->chr);
	if (in->now < s->effective || in->now > s->expiry)
		ERROR(NPKD_E_USAGE, "%s: our certificate is not valid today",
		    s->chr);
	if ((rc = cvset_add(&ours, &s, 1)) != NPKD_OK ||
	    (rc = cvset_add(&ours, in->ours, in->nours)) != NPKD_OK ||
	    (rc = cvset_add(&anchors, ours.v, ours.n)) != NPKD_OK ||
	    (rc = cvset_add(&anchors, in->foreign, in->nforeign)) != NPKD_OK)
		goto out;
	/* our key's domain parameters come from ourselves, never the pool */
	sdp = npkd_cvc_anchor_dp(s, anchors.v, anchors.n);
	if (s->sigkind == NPKD_SIG_ECDSA && sdp == NULL)
		ERROR(NPKD_E_USAGE, "%s: no domain parameters for our key: give "
		    "the CVCA certificate above it", s->chr);
	if (!chr_ok(r->chr))
		REFUSE("failure_request_syntax", "%s: not a CHR of a country "
		    "code, a mnemonic and a sequence number (TR-03110-3 A.6.1)",
		    r->chr);
	foreign = strncmp(r->chr, s->chr, 2) != 0;
	if (holder_of_ca(r->chr, anchors.v, anchors.n))
		REFUSE("failure_request_not_accepted", "%s: the holder of a "
		    "certification authority", r->chr);
	/* the key: proof of possession, our algorithm and domain */
	if ((rc = npkd_cvc_inner_check(r, sdp, result, e)) != NPKD_OK ||
	    (rc = npkd_cvc_key_fits(r, sdp, s, sdp, result, e)) != NPKD_OK)
		goto out;
	/*
	 * Who vouches for the request: a foreign holder's initial request
	 * by the registered CVCA of its country, a successive one by its
	 * current certificate from us, verified up to our CVCA; a plain
	 * request only from our own country (ICAO 9303-12 8.1.1.5).
	 */
	if (r->kind == NPKD_CVC_REQUEST && foreign)
		REFUSE("failure_outer_signature", "%s: a request from another "
		    "country must carry an outer signature: of its country's "
		    "registered CVCA (initial) or of its current certificate "
		    "from us (successive), ICAO 9303-12 8.1.1.5", r->chr);
	if (r->kind == NPKD_CVC_AUTH_REQUEST) {
		want_outer = NPKD_CVC_OUTER_HOLDER;
		for (i = 0; foreign && i < in->nforeign; i++)
			if (strcmp(in->foreign[i]->chr, r->outer_car) == 0)
				want_outer = NPKD_CVC_OUTER_CVCA;
		if (!foreign)
			want_outer |= NPKD_CVC_OUTER_CVCA;
		if (want_outer == NPKD_CVC_OUTER_CVCA)
			rc = npkd_cvc_outer_check(r, in->pool, in->npool,
			    in->foreign, in->nforeign, NULL, 0, in->now,
			    want_outer, &outer, result, e);
		else
			rc = npkd_cvc_outer_check(r, in->pool, in->npool,
			    ours.v, ours.n, anchors.v, anchors.n, in->now,
			    want_outer, &outer, result, e);
		if (rc != NPKD_OK)
			goto out;
		/*
		 * A successive request is vouched for by the holder's
		 * certificate from us, not by one our DVs (or their
		 * terminals) gave the same name.
		 */
		if (npkd_cvc_role(outer) != NPKD_CVC_CVCA && (!chr_in(outer->car,
		    ours.v, ours.n) || (srole == NPKD_CVC_CVCA) !=
		    (npkd_cvc_role(outer) != NPKD_CVC_TERMINAL)))
			REFUSE("failure_outer_signature", "%s: %s was not issued "
			    "by us to a %s", r->chr, outer->chr, srole ==
			    NPKD_CVC_CVCA ? "DV" : "terminal");
	}
	/* what may be issued: role, type, algorithm, rights, validity */
	role = pick_role(in, srole, foreign);
	if (role < 0 || role > NPKD_CVC_DV_DOMESTIC)
		ERROR(NPKD_E_USAGE, "role %d: not dv_foreign, dv_domestic or "
		    "terminal", role);
	if (srole == NPKD_CVC_CVCA && role == NPKD_CVC_TERMINAL)
		REFUSE("failure_request_not_accepted", "%s: a CVCA certifies "
		    "DVs; terminals are certified by their DV", r->chr);
	if (srole != NPKD_CVC_CVCA && role != NPKD_CVC_TERMINAL)
		REFUSE("failure_request_not_accepted", "%s: a DV certifies "
		    "terminals only", r->chr);
	if (foreign && role == NPKD_CVC_DV_DOMESTIC)
		REFUSE("failure_request_not_accepted", "%s: a foreign DV is "
		    "non-official/foreign (dv_foreign), TR-03110-3 C.4", r->chr);
	if (!(pol->roles & (1u << role)))
		REFUSE("failure_request_not_accepted", "%s: role %s not allowed "
		    "by the policy", r->chr, role_word(role));
	type = npkd_cvc_terminal_type(s);
	if (type == NULL || (strcmp(type, "IS") != 0 && strcmp(type, "AT") !=
	    0 && strcmp(type, "ST") != 0))
		ERROR(NPKD_E_USAGE, "%s: terminal type %s is not IS, AT or ST",
		    s->chr, type != NULL ? type : "(none)");
	if (pol->type[0] != '\0' && strcmp(pol->type, type) != 0)
		ERROR(NPKD_E_USAGE, "the policy is for %s terminals, %s certifies "
		    "%s", pol->type, s->chr, type);
	if (pol->algorithms[0] != '\0' && !in_list(pol->algorithms,
	    npkd_cvc_sigalg_name(r)))
		REFUSE("failure_request_not_accepted", "%s: algorithm %s not "
		    "allowed by the policy", r->chr, npkd_cvc_sigalg_name(r));
	if ((rc = npkd_cvc_rights_encode(type, role, in->rights != NULL ?
	    in->rights : pol->rights, want, &nw, e)) != NPKD_OK ||
	    (rc = npkd_cvc_rights_encode(type, role, pol->rights, allow, &na,
	    e)) != NPKD_OK)
		goto out;
	wm = am = 0;
	for (i = 0; i < nw; i++) {
		wm = (wm << 8) | want[i];
		am = (am << 8) | allow[i];
	}
	wm &= ~((uint64_t)3 << (nw * 8 - 2));
	am &= ~((uint64_t)3 << (nw * 8 - 2));
	sm = npkd_cvc_rights_mask(s);
	if ((wm & ~am) || (wm & ~sm)) {
		if (!in->narrow)
			REFUSE("failure_request_not_accepted", "%s: rights "
			    "\"%s\" exceed %s", r->chr, in->rights != NULL ?
			    in->rights : pol->rights, (wm & ~am) ? "the policy" :
			    "our own");
		wm &= am & sm;
	}
	for (i = nw; i-- > 0; wm >>= 8)
		want[i] = (uint8_t)(wm & 0xff);
	want[0] = (uint8_t)((want[0] & 0x3f) | (role << 6));
	role_days(role, pol, &min, &max);
	days = in->days > 0 ? in->days : max;
	if (days > max || days < min) {
		if (!in->narrow || days < min)
			REFUSE("failure_request_not_accepted", "%s: %ld days "
			    "outside %ld to %ld", r->chr, days, min, max);
		days = max;
	}
	eff = in->now - in->now % 86400;	/* the issuing date */
	exp = eff + days * 86400 - 1;
	if (exp > s->expiry) {
		if (!in->narrow || (s->expiry - eff + 1) / 86400 < min)
			REFUSE("failure_request_not_accepted", "%s: %ld days "
			    "would outlive %s, ours", r->chr, days, s->chr);
		exp = s->expiry;
	}
	if (exp > LAST_DAY)
		REFUSE("failure_request_not_accepted", "%s: beyond 2099, the "
		    "last year a CV certificate can say", r->chr);
	/* certificate extensions (TR-03110-3 C.3), AT terminals only */
	if (in->description != NULL || in->nsectors > 0) {
		static const uint8_t od[] = { 0x06, 0x09, 0x04, 0x00, 0x7f,
		    0x00, 0x07, 0x03, 0x01, 0x03, 0x01 };
		static const uint8_t os[] = { 0x06, 0x09, 0x04, 0x00, 0x7f,
		    0x00, 0x07, 0x03, 0x01, 0x03, 0x02 };

		if (role != NPKD_CVC_TERMINAL || strcmp(type, "AT") != 0)
			ERROR(NPKD_E_USAGE, "a certificate description and "
			    "terminal sector are for AT terminal certificates");
		if (in->nsectors > 2)
			ERROR(NPKD_E_USAGE, "at most two sector public keys");
		if (in->description != NULL && !description_ok(in->description))
			ERROR(NPKD_E_USAGE, "not a certificate description "
			    "(TR-03110-4): a DER SEQUENCE of a format under "
			    "id-description");
		/* hashed as OpenPACE does: the terminal key's hash */
		if ((in->description != NULL && (rc = put_ddt(&ext, od,
		    sizeof(od), r->hash, in->description, 1, e)) != NPKD_OK) ||
		    (in->nsectors > 0 && (rc = put_ddt(&ext, os, sizeof(os),
		    r->hash, in->sectors, in->nsectors, e)) != NPKD_OK))
			goto out;
	}
	npkd_cvc_key_of(r, NULL, &hk);
	npkd_cvc_key_of(s, sdp, &sk);
	memset(&t, 0, sizeof(t));
	t.car = s->chr;
	t.key = &hk;
	t.chr = r->chr;
	t.chat_oid = s->chat_oid;
	t.rights = want;
	t.nrights = nw;
	t.effective = eff;
	t.expiry = exp;
	t.ext = ext.len > 0 ? ext.data : NULL;
	t.ext_len = ext.len;
	if ((rc = npkd_cvc_encode(&t, key, &sk, out, e)) != NPKD_OK)
		goto out;
	/* what leaves must verify under us */
	if ((rc = npkd_cvc_parse(out->data, out->len, 0, &made, e)) != NPKD_OK ||
	    (rc = npkd_cvc_verify(made, NULL, 0, anchors.v, anchors.n, in->now,
	    result, e)) != NPKD_OK) {
		*result = NULL;
		rc = npkd_seterr(e, NPKD_E_CRYPTO, "issued certificate does "
		    "not verify: %s", e != NULL ? e->msg : "");
		goto out;
	}
 out:
	if (rc != NPKD_OK)
		npkd_buf_free(out);
	npkd_cvc_free(made);
	npkd_dbuf_free(&ext);
	free(anchors.v);
	free(ours.v);
	return rc;
}

/* --- a CVCA's own certificates ----------------------------------------- */

static int
cvca_days(long days, long *out, struct npkd_err *e)
{
	/* TR-03139: CVCA and link certificates live 6 months to 3 years */
	*out = days == 0 ? 3 * 365 : days;
	if (*out < 182 || *out > NPKD_CVCA_MAX_DAYS)
		return npkd_seterr(e, NPKD_E_USAGE, "%ld days: CVCA "
		    "certificates live 6 months to 3 years (TR-03139)", *out);
	return NPKD_OK;
}

/* A self-signed CVCA certificate for key, as o says, into out. */
int
npkd_cvca_root(const struct npkd_cvca_root *o, struct npkd_key *key,
    struct npkd_buf *out, struct npkd_err *e)
{
	struct npkd_pubkey	*pub = NULL;
	struct cvc_key		 k;
	struct cvc_tbs		 t;
	uint8_t			 rights[8];
	size_t			 nr;
	long			 days;
	const char		*oid;
	int			 rc;

	out->data = NULL;
	out->len = 0;
	memset(&k, 0, sizeof(k));
	if (o->chr == NULL || !chr_ok(o->chr))
		return npkd_seterr(e, NPKD_E_USAGE, "%s: not a CHR of a country "
		    "code, a mnemonic and a sequence number", o->chr ? o->chr :
		    "(none)");
	if (o->type == NULL)
		return npkd_seterr(e, NPKD_E_USAGE, "a terminal type IS, AT or "
		    "ST");
	if ((rc = cvca_days(o->days, &days, e)) != NPKD_OK ||
	    (rc = npkd_cvc_rights_encode(o->type, NPKD_CVC_CVCA, o->rights,
	    rights, &nr, e)) != NPKD_OK ||
	    (rc = npkd_cvc_key_from_private(key, o->pub, o->alg, &k, &pub,
	    e)) != NPKD_OK)
		goto out;
	oid = strcasecmp(o->type, "IS") == 0 ? OID_IS : strcasecmp(o->type,
	    "AT") == 0 ? OID_AT : OID_ST;
	memset(&t, 0, sizeof(t));
	t.car = o->chr;
	t.key = &k;
	t.with_dp = 1;
	t.chr = o->chr;
	t.chat_oid = oid;
	t.rights = rights;
	t.nrights = nr;
	t.effective = o->now - o->now % 86400;
	t.expiry = t.effective + days * 86400 - 1;
	if (t.expiry > LAST_DAY)
		t.expiry = LAST_DAY;
	rc = npkd_cvc_encode(&t, key, &k, out, e);
 out:
	npkd_pubkey_free(pub);
	npkd_cvc_key_clear(&k);
	return rc;
}

/* The link (and self-signed) certificate of new_key under old_key. */
int
npkd_cvca_link(const struct npkd_cvca_link *o, struct npkd_key *old_key,
    struct npkd_key *new_key, struct npkd_buf *link, struct npkd_buf *self,
    struct npkd_err *e)
{
	const struct npkd_cvc	*old = o->old, *odp = o->old_dp ? o->old_dp :
				    o->old;
	struct npkd_pubkey	*pub = NULL;
	struct cvc_key		 nk, ok;
	struct cvc_tbs		 t;
	const char		*seqs[1];
	uint8_t			 rights[8];
	char			 h1[17], h2[17];
	long			 days;
	int			 rc;

	link->data = NULL;
	link->len = 0;
	if (self != NULL) {
		self->data = NULL;
		self->len = 0;
	}
	memset(&nk, 0, sizeof(nk));
	if (npkd_cvc_role(old) != NPKD_CVC_CVCA)
		return npkd_seterr(e, NPKD_E_USAGE, "%s is not a CVCA "
		    "certificate", old->chr);
	if (o->chr == NULL || !chr_ok(o->chr))
		return npkd_seterr(e, NPKD_E_USAGE, "%s: not a CHR of a country "
		    "code, a mnemonic and a sequence number", o->chr ? o->chr :
		    "(none)");
	if (strncmp(o->chr, old->chr, 2) != 0 || npkd_cvc_holder(o->chr, h1,
	    sizeof(h1)) != NPKD_OK || npkd_cvc_holder(old->chr, h2,
	    sizeof(h2)) != NPKD_OK || strcmp(h1, h2) != 0)
		return npkd_seterr(e, NPKD_E_USAGE, "%s: a new key of %s keeps "
		    "its country and mnemonic", o->chr, old->chr);
	seqs[0] = old->chr + strlen(old->chr) - 5;
	if ((rc = npkd_cvc_seq_check(seqs, 1, o->chr + strlen(o->chr) - 5,
	    old->chr, e)) != NPKD_OK)
		return rc == NPKD_E_VERIFY ? NPKD_E_USAGE : rc;
	if ((rc = cvca_days(o->days, &days, e)) != NPKD_OK)
		return rc;
	if (old->sigkind == NPKD_SIG_ECDSA && !odp->has_dp)
		return npkd_seterr(e, NPKD_E_USAGE, "%s: no domain parameters",
		    odp->chr);
	if ((rc = npkd_cvc_key_from_private(new_key, o->pub, o->alg != NULL ?
	    o->alg : npkd_cvc_sigalg_name(old), &nk, &pub, e)) != NPKD_OK)
		goto out;
	memcpy(rights, old->rights, old->nrights);
	rights[0] = (uint8_t)((rights[0] & 0x3f) | (NPKD_CVC_CVCA << 6));
	npkd_cvc_key_of(old, odp, &ok);
	memset(&t, 0, sizeof(t));
	t.car = old->chr;
	t.key = &nk;
	t.with_dp = 1;		/* the new key's domain, changed or not */
	t.chr = o->chr;
	t.chat_oid = old->chat_oid;
	t.rights = rights;
	t.nrights = old->nrights;
	t.effective = o->now - o->now % 86400;
	t.expiry = t.effective + days * 86400 - 1;
	if (t.expiry > LAST_DAY)
		t.expiry = LAST_DAY;
	if ((rc = npkd_cvc_encode(&t, old_key, &ok, link, e)) != NPKD_OK ||
	    self == NULL)
		goto out;
	t.car = o->chr;
	if ((rc = npkd_cvc_encode(&t, new_key, &nk, self, e)) != NPKD_OK)
		npkd_buf_free(link);
 out:
	npkd_pubkey_free(pub);
	npkd_cvc_key_clear(&nk);
	return rc;
}

/* Verify a plain request of one of our DVs, then countersign it. */
int
npkd_cvca_countersign(const struct npkd_cvc *req, const struct npkd_cvc *cvca,
    const struct npkd_cvc *dp, struct npkd_key *key, time_t now,
    struct npkd_buf *out, const char **result, struct npkd_err *e)
{
	const struct npkd_cvc	*cdp = dp != NULL ? dp : cvca;
	int			 rc = NPKD_OK;

	*result = NULL;
	out->data = NULL;
	out->len = 0;
	if (npkd_cvc_role(cvca) != NPKD_CVC_CVCA)
		ERROR(NPKD_E_USAGE, "%s is not a CVCA certificate", cvca->chr);
	if (now < cvca->effective || now > cvca->expiry)
		ERROR(NPKD_E_USAGE, "%s: our certificate is not valid today",
		    cvca->chr);
	if (req->kind != NPKD_CVC_REQUEST)
		ERROR(NPKD_E_USAGE, "%s: not a plain request: nothing to "
		    "countersign", req->chr);
	if (!chr_ok(req->chr))
		REFUSE("failure_request_syntax", "%s: not a CHR of a country "
		    "code, a mnemonic and a sequence number", req->chr);
	if ((rc = npkd_cvc_inner_check(req, NULL, result, e)) != NPKD_OK)
		goto out;
	/* a CVCA vouches for its own country's DVs only */
	if (strncmp(req->chr, cvca->chr, 2) != 0)
		REFUSE("failure_request_not_accepted", "%s: not one of our DVs "
		    "(%.2s)", req->chr, cvca->chr);
	if (holder_of_ca(req->chr, &cvca, 1))
		REFUSE("failure_request_not_accepted", "%s: the holder of a "
		    "certification authority", req->chr);
	rc = npkd_cvc_countersign(req, key, cvca, cdp, out, e);
 out:
	return rc;
}
