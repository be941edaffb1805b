/*
 * cvc.c - card verifiable certificates and requests (BSI TR-03110-3
 * appendix C): a bounded BER-TLV reader that accepts only definite,
 * minimal lengths, the fields in their fixed order, and verification of
 * certificate chains and requests with domain parameters inherited from
 * the CVCA.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "npkd_int.h"

#define MAX_CVC		(64 * 1024)

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

struct tlv {
	unsigned int	 tag;
	const uint8_t	*all;		/* tag, length, value */
	size_t		 all_len;
	const uint8_t	*v;
	size_t		 len;
};

struct npkd_cvc {
	struct npkd_buf		 der;
	int			 kind;
	struct tlv		 body;		/* 7F4E: the signed data */
	struct tlv		 inner;		/* 7F21 in an authenticated request */
	struct tlv		 outer_car_tlv;
	char			 car[17], chr[17], outer_car[17];
	int			 has_car;
	char			 key_oid[64];
	int			 sigkind, hash;
	struct npkd_buf		 dp[5];		/* 81..85: p a b G n */
	int			 has_dp;
	struct tlv		 q;		/* 86, or RSA 81 */
	struct tlv		 rsa_e;		/* RSA 82 */
	struct tlv		 cofactor;	/* 87 */
	char			 chat_oid[64];
	uint8_t			 rights[8];
	size_t			 nrights;
	int			 has_chat;
	uint8_t			 ced[6], cxd[6];
	time_t			 effective, expiry;
	char			 ext_oids[8][64];
	size_t			 next;
	struct tlv		 sig, outer_sig;
};

/* One TLV at p (avail bytes): tags of up to 3 bytes, lengths of 1-3. */
static int
tlv_read(const uint8_t *p, size_t avail, struct tlv *t)
{
	size_t i = 0, n, len = 0, k;

	if (avail < 2)
		return NPKD_E_FORMAT;
	t->tag = p[i++];
	if ((t->tag & 0x1f) == 0x1f) {
		do {
			if (i >= avail || i > 2)
				return NPKD_E_FORMAT;
			t->tag = (t->tag << 8) | p[i];
		} while (p[i++] & 0x80);
	}
	if (i >= avail)
		return NPKD_E_FORMAT;
	if (p[i] < 0x80)
		len = p[i++];
	else {
		n = p[i++] & 0x7f;
		/* 0x80: indefinite; more than 2 length bytes: over our limit */
		if (n == 0 || n > 2 || i + n > avail)
			return NPKD_E_FORMAT;
		for (k = 0; k < n; k++)
			len = (len << 8) | p[i++];
		if ((n == 1 && len < 0x80) || (n == 2 && len < 0x100))
			return NPKD_E_FORMAT;	/* not minimal */
	}
	if (len > avail - i)
		return NPKD_E_FORMAT;
	t->all = p;
	t->all_len = i + len;
	t->v = p + i;
	t->len = len;
	return NPKD_OK;
}

/* The next element of a constructed value must have tag want. */
static int
expect(const uint8_t **p, size_t *left, unsigned int want, struct tlv *t,
    const char *what, struct npkd_err *e)
{
	if (*left == 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: %s missing", what);
	if (tlv_read(*p, *left, t) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: %s: bad length or "
		    "tag", what);
	if (t->tag != want)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: unexpected tag %X "
		    "where %s (%X) belongs", t->tag, what, want);
	*p += t->all_len;
	*left -= t->all_len;
	return NPKD_OK;
}

static int
peek(const uint8_t *p, size_t left, unsigned int tag)
{
	struct tlv t;

	return left > 0 && tlv_read(p, left, &t) == NPKD_OK && t.tag == tag;
}

/* Dotted OID from DER content. */
static int
oid_str(const uint8_t *p, size_t n, char *out, size_t sz)
{
	unsigned long	 v = 0;
	size_t		 i, off;
	if (n == 0 || n > 32 || (p[n - 1] & 0x80))
		return NPKD_E_FORMAT;
	off = (size_t)snprintf(out, sz, "%u.%u", p[0] < 80 ? p[0] / 40 : 2,
	    p[0] < 80 ? p[0] % 40 : p[0] - 80);
	for (i = 1; i < n && off < sz; i++) {
		if (v == 0 && p[i] == 0x80)
			return NPKD_E_FORMAT;	/* not minimal */
		v = (v << 7) | (p[i] & 0x7f);
		if (v > 0xffffffffUL)
			return NPKD_E_FORMAT;
		if (!(p[i] & 0x80)) {
			off += (size_t)snprintf(out + off, sz - off, ".%lu", v);
			v = 0;
		}
	}
	return off < sz ? NPKD_OK : NPKD_E_FORMAT;
}

/* A reference (CAR, CHR): printable ISO 8859-1, 1 to 16 bytes. */
static int
reference(const struct tlv *t, char *out)
{
	size_t i;

	if (t->len == 0 || t->len > 16)
		return NPKD_E_FORMAT;
	for (i = 0; i < t->len; i++)
		if (t->v[i] < 0x20 || t->v[i] == 0x7f)
			return NPKD_E_FORMAT;
	memcpy(out, t->v, t->len);
	out[t->len] = '\0';
	return NPKD_OK;
}

/* Date: six bytes, one decimal digit each, YYMMDD (C.1.6). */
static int
date(const struct tlv *t, uint8_t *raw, time_t *out, int end_of_day)
{
	struct tm	 tm;
	size_t		 i;

	if (t->len != 6)
		return NPKD_E_FORMAT;
	for (i = 0; i < 6; i++)
		if (t->v[i] > 9)
			return NPKD_E_FORMAT;
	memcpy(raw, t->v, 6);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 100 + raw[0] * 10 + raw[1];
	tm.tm_mon = raw[2] * 10 + raw[3] - 1;
	tm.tm_mday = raw[4] * 10 + raw[5];
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31)
		return NPKD_E_FORMAT;
	if (end_of_day) {
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 59;
	}
	*out = timegm(&tm);
	return NPKD_OK;
}

static const struct {
	const char	*oid;
	int		 kind, hash;
	const char	*name;
} ta_algs[] = {
	{ "0.4.0.127.0.7.2.2.2.1.1", NPKD_SIG_RSA_PKCS1, NPKD_HASH_SHA1,
	    "rsa-v1_5-sha-1" },
	{ "0.4.0.127.0.7.2.2.2.1.2", NPKD_SIG_RSA_PKCS1, NPKD_HASH_SHA256,
	    "rsa-v1_5-sha-256" },
	{ "0.4.0.127.0.7.2.2.2.1.3", NPKD_SIG_RSA_PSS, NPKD_HASH_SHA1,
	    "rsa-pss-sha-1" },
	{ "0.4.0.127.0.7.2.2.2.1.4", NPKD_SIG_RSA_PSS, NPKD_HASH_SHA256,
	    "rsa-pss-sha-256" },
	{ "0.4.0.127.0.7.2.2.2.1.5", NPKD_SIG_RSA_PKCS1, NPKD_HASH_SHA512,
	    "rsa-v1_5-sha-512" },
	{ "0.4.0.127.0.7.2.2.2.1.6", NPKD_SIG_RSA_PSS, NPKD_HASH_SHA512,
	    "rsa-pss-sha-512" },
	{ "0.4.0.127.0.7.2.2.2.2.1", NPKD_SIG_ECDSA, NPKD_HASH_SHA1,
	    "ecdsa-sha-1" },
	{ "0.4.0.127.0.7.2.2.2.2.2", NPKD_SIG_ECDSA, NPKD_HASH_SHA224,
	    "ecdsa-sha-224" },
	{ "0.4.0.127.0.7.2.2.2.2.3", NPKD_SIG_ECDSA, NPKD_HASH_SHA256,
	    "ecdsa-sha-256" },
	{ "0.4.0.127.0.7.2.2.2.2.4", NPKD_SIG_ECDSA, NPKD_HASH_SHA384,
	    "ecdsa-sha-384" },
	{ "0.4.0.127.0.7.2.2.2.2.5", NPKD_SIG_ECDSA, NPKD_HASH_SHA512,
	    "ecdsa-sha-512" },
};
#define NTA (sizeof(ta_algs) / sizeof(ta_algs[0]))

static int
pubkey(struct npkd_cvc *c, const struct tlv *pk, struct npkd_err *e)
{
	const uint8_t	*p = pk->v;
	size_t		 left = pk->len, i;
	struct tlv	 t, f[8];
	unsigned int	 last;
	int		 have[8] = { 0 };

	if (expect(&p, &left, T_OID, &t, "public key OID", e) != NPKD_OK)
		return NPKD_E_FORMAT;
	if (oid_str(t.v, t.len, c->key_oid, sizeof(c->key_oid)) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: bad key OID");
	for (i = 0; i < NTA; i++)
		if (strcmp(ta_algs[i].oid, c->key_oid) == 0)
			break;
	if (i == NTA)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "CVC: key algorithm "
		    "%s is not an id-TA algorithm", c->key_oid);
	c->sigkind = ta_algs[i].kind;
	c->hash = ta_algs[i].hash;
	/* 81.. in ascending order, each at most once */
	for (last = 0; left > 0; last = t.tag - 0x80) {
		if (tlv_read(p, left, &t) != NPKD_OK || t.tag < 0x81 ||
		    t.tag > 0x87 || t.tag - 0x80 <= last)
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: public key: "
			    "unknown, repeated or misplaced field");
		have[t.tag - 0x80] = 1;
		f[t.tag - 0x80] = t;
		p += t.all_len;
		left -= t.all_len;
	}
	if (c->sigkind == NPKD_SIG_ECDSA) {
		if (!have[6])
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: EC key without "
			    "public point (86)");
		c->q = f[6];
		if (have[1] || have[2] || have[3] || have[4] || have[5] ||
		    have[7]) {
			for (i = 1; i <= 5; i++)
				if (!have[i])
					return npkd_seterr(e, NPKD_E_FORMAT,
					    "CVC: incomplete domain parameters");
			for (i = 0; i < 5; i++) {
				c->dp[i].data = (uint8_t *)(uintptr_t)f[i + 1].v;
				c->dp[i].len = f[i + 1].len;
			}
			if (have[7])
				c->cofactor = f[7];
			c->has_dp = 1;
		}
	} else {
		if (!have[1] || !have[2] || have[3] || have[6])
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: RSA key needs "
			    "81 (modulus) and 82 (exponent) only");
		c->q = f[1];
		c->rsa_e = f[2];
	}
	return NPKD_OK;
}

static int
body(struct npkd_cvc *c, const struct tlv *b, int request, struct npkd_err *e)
{
	const uint8_t	*p = b->v;
	size_t		 left = b->len;
	struct tlv	 t, u;
	int		 rc;

	if ((rc = expect(&p, &left, T_CPI, &t, "profile identifier", e)) !=
	    NPKD_OK)
		return rc;
	if (t.len != 1 || t.v[0] != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: profile identifier "
		    "is not 0");
	if (!request || peek(p, left, T_CAR)) {
		if ((rc = expect(&p, &left, T_CAR, &t, "CAR", e)) != NPKD_OK)
			return rc;
		if (reference(&t, c->car) != NPKD_OK)
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: bad CAR");
		c->has_car = 1;
	}
	if ((rc = expect(&p, &left, T_PUBKEY, &t, "public key", e)) != NPKD_OK ||
	    (rc = pubkey(c, &t, e)) != NPKD_OK)
		return rc;
	if ((rc = expect(&p, &left, T_CHR, &t, "CHR", e)) != NPKD_OK)
		return rc;
	if (reference(&t, c->chr) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: bad CHR");
	if (!request) {
		if ((rc = expect(&p, &left, T_CHAT, &t, "CHAT", e)) != NPKD_OK)
			return rc;
		{
			const uint8_t *q = t.v;
			size_t ql = t.len;

			if ((rc = expect(&q, &ql, T_OID, &u, "CHAT OID", e)) !=
			    NPKD_OK)
				return rc;
			if (oid_str(u.v, u.len, c->chat_oid,
			    sizeof(c->chat_oid)) != NPKD_OK)
				return npkd_seterr(e, NPKD_E_FORMAT,
				    "CVC: bad CHAT OID");
			if ((rc = expect(&q, &ql, T_RIGHTS, &u, "CHAT rights",
			    e)) != NPKD_OK)
				return rc;
			if (u.len < 1 || u.len > sizeof(c->rights) || ql != 0)
				return npkd_seterr(e, NPKD_E_FORMAT,
				    "CVC: bad CHAT");
			memcpy(c->rights, u.v, u.len);
			c->nrights = u.len;
			c->has_chat = 1;
		}
		if ((rc = expect(&p, &left, T_CED, &t, "effective date", e)) !=
		    NPKD_OK)
			return rc;
		if (date(&t, c->ced, &c->effective, 0) != NPKD_OK)
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: effective "
			    "date is not six digits YYMMDD");
		if ((rc = expect(&p, &left, T_CXD, &t, "expiration date", e)) !=
		    NPKD_OK)
			return rc;
		if (date(&t, c->cxd, &c->expiry, 1) != NPKD_OK)
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: expiration "
			    "date is not six digits YYMMDD");
		if (c->expiry < c->effective)
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: expires "
			    "before it takes effect");
	}
	if (left > 0 && peek(p, left, T_EXT)) {
		const uint8_t *q;
		size_t ql;

		if ((rc = expect(&p, &left, T_EXT, &t, "extensions", e)) !=
		    NPKD_OK)
			return rc;
		/* discretionary data templates: kept, their OIDs listed */
		for (q = t.v, ql = t.len; ql > 0; ) {
			struct tlv d, o;

			if (tlv_read(q, ql, &d) != NPKD_OK || d.tag != T_DDT ||
			    tlv_read(d.v, d.len, &o) != NPKD_OK ||
			    o.tag != T_OID)
				return npkd_seterr(e, NPKD_E_FORMAT, "CVC: bad "
				    "certificate extension");
			if (c->next < 8 && oid_str(o.v, o.len,
			    c->ext_oids[c->next], 64) == NPKD_OK)
				c->next++;
			q += d.all_len;
			ql -= d.all_len;
		}
	}
	if (left != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: unknown field after "
		    "the %s", request ? "CHR" : "dates");
	return NPKD_OK;
}

/* 7F21 { 7F4E body, 5F37 signature } */
static int
cvcert(struct npkd_cvc *c, const struct tlv *cert, int request,
    struct npkd_err *e)
{
	const uint8_t	*p = cert->v;
	size_t		 left = cert->len;
	int		 rc;

	if ((rc = expect(&p, &left, T_BODY, &c->body, "certificate body",
	    e)) != NPKD_OK || (rc = body(c, &c->body, request, e)) != NPKD_OK ||
	    (rc = expect(&p, &left, T_SIG, &c->sig, "signature", e)) != NPKD_OK)
		return rc;
	if (left != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: bytes after the "
		    "signature");
	return NPKD_OK;
}

void
npkd_cvc_free(struct npkd_cvc *c)
{
	if (c == NULL)
		return;
	npkd_buf_free(&c->der);
	free(c);
}

/*
 * Parse a CV certificate (7F21), a request (7F21 without CHAT and dates)
 * or an authenticated request (67).  as_request selects how a bare 7F21
 * is read: 0 certificate, 1 request, -1 whichever its body is.
 */
int
npkd_cvc_parse(const uint8_t *der, size_t len, int as_request,
    struct npkd_cvc **out, struct npkd_err *e)
{
	struct npkd_cvc	*c;
	struct tlv	 top;
	const uint8_t	*p;
	size_t		 left;
	int		 rc, req;

	*out = NULL;
	if (len > MAX_CVC)
		return npkd_seterr(e, NPKD_E_LIMIT, "CVC: larger than %d bytes",
		    MAX_CVC);
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->der.data = malloc(len ? len : 1)) == NULL) {
		free(c);
		return npkd_seterr(e, NPKD_E_NOMEM, "CVC");
	}
	memcpy(c->der.data, der, len);
	c->der.len = len;
	der = c->der.data;
	if (tlv_read(der, len, &top) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "CVC: not a TLV with a "
		    "definite minimal length, or truncated");
		goto fail;
	}
	if (top.all_len != len) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "CVC: %zu trailing bytes",
		    len - top.all_len);
		goto fail;
	}
	if (top.tag == T_AUTH) {
		c->kind = NPKD_CVC_AUTH_REQUEST;
		p = top.v;
		left = top.len;
		if ((rc = expect(&p, &left, T_CVCERT, &c->inner, "request",
		    e)) != NPKD_OK || (rc = cvcert(c, &c->inner, 1, e)) !=
		    NPKD_OK || (rc = expect(&p, &left, T_CAR,
		    &c->outer_car_tlv, "outer CAR", e)) != NPKD_OK)
			goto fail;
		if (reference(&c->outer_car_tlv, c->outer_car) != NPKD_OK) {
			rc = npkd_seterr(e, NPKD_E_FORMAT, "CVC: bad outer CAR");
			goto fail;
		}
		if ((rc = expect(&p, &left, T_SIG, &c->outer_sig,
		    "outer signature", e)) != NPKD_OK)
			goto fail;
		if (left != 0) {
			rc = npkd_seterr(e, NPKD_E_FORMAT, "CVC: bytes after the "
			    "outer signature");
			goto fail;
		}
	} else if (top.tag == T_CVCERT) {
		/* a request has no CHAT: find out which this is */
		req = as_request;
		if (req < 0) {
			struct tlv b;

			req = tlv_read(top.v, top.len, &b) == NPKD_OK &&
			    b.tag == T_BODY && b.len > 0 &&
			    memmem(b.v, b.len, "\x7f\x4c", 2) == NULL;
		}
		c->kind = req ? NPKD_CVC_REQUEST : NPKD_CVC_CERT;
		if ((rc = cvcert(c, &top, req, e)) != NPKD_OK)
			goto fail;
	} else {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "CVC: tag %X is neither a "
		    "CV certificate (7F21) nor an authenticated request (67)",
		    top.tag);
		goto fail;
	}
	*out = c;
	return NPKD_OK;
 fail:
	npkd_cvc_free(c);
	return rc;
}

int npkd_cvc_kind(const struct npkd_cvc *c) { return c->kind; }
const char *npkd_cvc_chat_oid(const struct npkd_cvc *c) { return c->has_chat ? c->chat_oid : NULL; }

/* The public point (EC) or modulus (RSA) of c. */
const uint8_t *
npkd_cvc_pubkey(const struct npkd_cvc *c, size_t *len)
{
	*len = c->q.len;
	return c->q.v;
}
const char *npkd_cvc_car(const struct npkd_cvc *c) { return c->has_car ? c->car : NULL; }
const char *npkd_cvc_chr(const struct npkd_cvc *c) { return c->chr; }
const char *npkd_cvc_outer_car(const struct npkd_cvc *c) { return c->kind == NPKD_CVC_AUTH_REQUEST ? c->outer_car : NULL; }
time_t npkd_cvc_effective(const struct npkd_cvc *c) { return c->effective; }
time_t npkd_cvc_expiry(const struct npkd_cvc *c) { return c->expiry; }
int npkd_cvc_has_domain_params(const struct npkd_cvc *c) { return c->has_dp; }
const char *npkd_cvc_key_oid(const struct npkd_cvc *c) { return c->key_oid; }
size_t npkd_cvc_ext_count(const struct npkd_cvc *c) { return c->next; }

const char *
npkd_cvc_ext_oid(const struct npkd_cvc *c, size_t i)
{
	return i < c->next ? c->ext_oids[i] : NULL;
}

const char *
npkd_cvc_sigalg_name(const struct npkd_cvc *c)
{
	size_t i;

	for (i = 0; i < NTA; i++)
		if (strcmp(ta_algs[i].oid, c->key_oid) == 0)
			return ta_algs[i].name;
	return c->key_oid;
}

#define OID_IS	"0.4.0.127.0.7.3.1.2.1"
#define OID_AT	"0.4.0.127.0.7.3.1.2.2"
#define OID_ST	"0.4.0.127.0.7.3.1.2.3"

const char *
npkd_cvc_terminal_type(const struct npkd_cvc *c)
{
	if (!c->has_chat)
		return NULL;
	if (strcmp(c->chat_oid, OID_IS) == 0)
		return "IS";
	if (strcmp(c->chat_oid, OID_AT) == 0)
		return "AT";
	if (strcmp(c->chat_oid, OID_ST) == 0)
		return "ST";
	return c->chat_oid;
}

/* The two top bits of the first rights byte (C.4). */
int
npkd_cvc_role(const struct npkd_cvc *c)
{
	if (!c->has_chat)
		return -1;
	return c->rights[0] >> 6;
}

const char *
npkd_cvc_role_name(int role)
{
	switch (role) {
	case NPKD_CVC_CVCA:		return "CVCA";
	case NPKD_CVC_DV_DOMESTIC:	return "DV (official domestic)";
	case NPKD_CVC_DV_FOREIGN:	return "DV (non-official / foreign)";
	case NPKD_CVC_TERMINAL:		return "terminal";
	}
	return "request";
}

static const char *is_rights[] = { "read DG3 (fingerprint)",
    "read DG4 (iris)", "RFU 2", "RFU 3", "RFU 4", "read eID application" };
static const char *st_rights[] = { "generate electronic signature",
    "generate qualified electronic signature", "RFU 2", "RFU 3", "RFU 4",
    "RFU 5" };
static const char *at_special[] = { "age verification",
    "community ID verification", "restricted identification",
    "privileged terminal", "CAN allowed", "PIN management",
    "install certificate", "install qualified certificate" };

/*
 * Rights granted, by name, least significant bit first; the role bits
 * are not rights.  Returns how many were written to names (at most max).
 */
size_t
npkd_cvc_rights(const struct npkd_cvc *c, char names[][48], size_t max)
{
	const char	*type = npkd_cvc_terminal_type(c);
	size_t		 nbits, bit, n = 0, byte;

	if (type == NULL)
		return 0;
	nbits = c->nrights * 8 - 2;
	for (bit = 0; bit < nbits && n < max; bit++) {
		byte = c->nrights - 1 - bit / 8;
		if (!(c->rights[byte] & (1u << (bit % 8))))
			continue;
		if (strcmp(type, "IS") == 0 && bit < 6)
			snprintf(names[n++], 48, "%s", is_rights[bit]);
		else if (strcmp(type, "ST") == 0 && bit < 6)
			snprintf(names[n++], 48, "%s", st_rights[bit]);
		else if (strcmp(type, "AT") == 0 && bit < 8)
			snprintf(names[n++], 48, "%s", at_special[bit]);
		else if (strcmp(type, "AT") == 0 && bit >= 8 && bit <= 28)
			snprintf(names[n++], 48, "read DG%zu", bit - 7);
		else if (strcmp(type, "AT") == 0 && bit >= 32 && bit <= 37)
			snprintf(names[n++], 48, "write DG%zu", 22 - (bit - 32));
		else
			snprintf(names[n++], 48, "bit %zu", bit);
	}
	return n;
}

/* Is every right of child also a right of parent (roles aside)? */
static int
chat_within(const struct npkd_cvc *child, const struct npkd_cvc *parent)
{
	size_t i;

	if (!child->has_chat || !parent->has_chat ||
	    strcmp(child->chat_oid, parent->chat_oid) != 0 ||
	    child->nrights != parent->nrights)
		return 0;
	for (i = 0; i < child->nrights; i++) {
		uint8_t mask = i == 0 ? 0x3f : 0xff;

		if ((child->rights[i] & mask) & ~(parent->rights[i] & mask))
			return 0;
	}
	return 1;
}

/* The public key of c, with the domain parameters of dpsrc (EC). */
static int
cvc_pub(const struct npkd_cvc *c, const struct npkd_cvc *dpsrc,
    struct npkd_pubkey **k, struct npkd_err *e)
{
	if (c->sigkind == NPKD_SIG_ECDSA) {
		if (dpsrc == NULL || !dpsrc->has_dp)
			return npkd_seterr(e, NPKD_E_VERIFY, "no domain "
			    "parameters for the key of %s", c->chr);
		return npkd_pubkey_ec(dpsrc->dp, c->q.v, c->q.len, k, e);
	}
	return npkd_pubkey_rsa(c->q.v, c->q.len, c->rsa_e.v, c->rsa_e.len, k,
	    e);
}

/* Verify data/sig with the key of signer, domain parameters from dpsrc. */
static int
cvc_sig(const struct npkd_cvc *signer, const struct npkd_cvc *dpsrc,
    const uint8_t *data, size_t len, const struct tlv *sig,
    struct npkd_err *e)
{
	struct npkd_pubkey	*k = NULL;
	struct npkd_sigalg	 a;
	uint8_t			 d[NPKD_MAX_HASH];
	size_t			 half;
	int			 rc;

	memset(&a, 0, sizeof(a));
	a.kind = signer->sigkind;
	a.hash = a.mgf_hash = signer->hash;
	a.salt = (unsigned int)npkd_hash_len(a.hash);
	if ((rc = cvc_pub(signer, dpsrc, &k, e)) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_VERIFY, "key of %s: %s",
		    signer->chr, e ? e->msg : "unusable");
	if ((rc = npkd_hash(a.hash, data, len, d, e)) == NPKD_OK) {
		if (a.kind == NPKD_SIG_ECDSA) {
			/* plain r || s (TR-03111) */
			half = sig->len / 2;
			if (sig->len == 0 || sig->len % 2 != 0)
				rc = npkd_seterr(e, NPKD_E_VERIFY, "ECDSA "
				    "signature of odd length");
			else
				rc = npkd_pubkey_verify_rs(k, a.hash, d,
				    npkd_hash_len(a.hash), sig->v, half,
				    sig->v + half, half, e);
		} else {
			rc = npkd_pubkey_verify(k, &a, d, npkd_hash_len(a.hash),
			    sig->v, sig->len, NULL, e);
			/*
			 * The id-TA OID fixes no PSS salt length: signers use
			 * the digest length or the largest that fits (OpenSSL,
			 * OpenPACE); both are tried.
			 */
			if (rc == NPKD_E_VERIFY && a.kind == NPKD_SIG_RSA_PSS &&
			    (k->bits + 6) / 8 > 2 + npkd_hash_len(a.hash)) {
				a.salt = (unsigned int)((k->bits + 6) / 8 - 2 -
				    npkd_hash_len(a.hash));
				rc = npkd_pubkey_verify(k, &a, d,
				    npkd_hash_len(a.hash), sig->v, sig->len,
				    NULL, e);
			}
		}
	}
	npkd_pubkey_free(k);
	return rc;
}

static const struct npkd_cvc *
find_chr(const char *chr, const struct npkd_cvc *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i]->kind == NPKD_CVC_CERT && strcmp(v[i]->chr, chr) == 0)
			return v[i];
	return NULL;
}

#define FAIL(code, ...) do {						\
	if (result != NULL)						\
		*result = (code);					\
	return npkd_seterr(e, NPKD_E_VERIFY, __VA_ARGS__);		\
} while (0)

/*
 * Verify certificate c: its chain through pool (DV, link and terminal
 * certificates) up to a CVCA certificate of trust, each signature with
 * domain parameters inherited from the CVCA, CAR/CHR linkage, validity at
 * time at, and that no CHAT is wider than its issuer's.  On failure
 * *result names the SPOC result code that fits.
 */
int
npkd_cvc_verify(const struct npkd_cvc *c, const struct npkd_cvc *const *pool,
    size_t npool, const struct npkd_cvc *const *trust, size_t ntrust,
    time_t at, const char **result, struct npkd_err *e)
{
	const struct npkd_cvc	*chain[NPKD_MAX_CHAIN + 1], *iss, *dp;
	size_t			 n = 0, i;
	struct npkd_err		 se;

	if (result != NULL)
		*result = NULL;
	if (c->kind != NPKD_CVC_CERT)
		FAIL("failure_syntax", "%s: not a certificate", c->chr);
	chain[n++] = c;
	/* walk up by CAR until a trusted CVCA certificate */
	for (;;) {
		const struct npkd_cvc *top = chain[n - 1];

		if ((iss = find_chr(top->car, trust, ntrust)) != NULL &&
		    !(iss == top))
			break;
		if (find_chr(top->chr, trust, ntrust) == top &&
		    strcmp(top->car, top->chr) == 0) {
			iss = top;	/* the trusted CVCA itself */
			break;
		}
		if ((iss = find_chr(top->car, pool, npool)) == NULL ||
		    iss == top)
			FAIL("failure_request_not_accepted", "%s: issuer %s "
			    "unknown: no chain to a trusted CVCA", top->chr,
			    top->car);
		if (n >= NPKD_MAX_CHAIN)
			FAIL("failure_request_not_accepted", "chain longer "
			    "than %d", NPKD_MAX_CHAIN);
		chain[n++] = iss;
	}
	chain[n] = iss;
	/* verify top-down: domain parameters come from the nearest CVCA */
	dp = iss;
	for (i = n; i-- > 0; ) {
		const struct npkd_cvc *s = chain[i + 1], *x = chain[i];

		/* a link certificate is checked with its issuer's domain */
		if (cvc_sig(s, dp, x->body.all, x->body.all_len, &x->sig, &se) !=
		    NPKD_OK)
			FAIL("failure_outer_signature", "%s: signature by %s "
			    "does not verify: %s", x->chr, s->chr, se.msg);
		if (x->has_dp && npkd_cvc_role(x) == NPKD_CVC_CVCA)
			dp = x;
		if (at < x->effective || at > x->expiry)
			FAIL("failure_expired", "%s: not valid at that date",
			    x->chr);
		if (x != s && !chat_within(x, s))
			FAIL("failure_request_not_accepted", "%s: CHAT wider "
			    "than its issuer %s's", x->chr, s->chr);
		if (x != s && npkd_cvc_role(x) == NPKD_CVC_CVCA &&
		    npkd_cvc_role(s) != NPKD_CVC_CVCA)
			FAIL("failure_request_not_accepted", "%s: CVCA "
			    "certificate issued by a non-CVCA", x->chr);
		if (x != s && npkd_cvc_role(x) != NPKD_CVC_CVCA &&
		    npkd_cvc_role(x) >= npkd_cvc_role(s) &&
		    npkd_cvc_role(s) != NPKD_CVC_CVCA)
			FAIL("failure_request_not_accepted", "%s: role not "
			    "below its issuer's", x->chr);
	}
	/* the trusted CVCA: its self-signature and dates */
	if (cvc_sig(iss, iss, iss->body.all, iss->body.all_len, &iss->sig,
	    &se) != NPKD_OK && strcmp(iss->car, iss->chr) == 0)
		FAIL("failure_outer_signature", "%s: self-signature: %s",
		    iss->chr, se.msg);
	if (at < iss->effective || at > iss->expiry)
		FAIL("failure_expired", "%s: trusted CVCA not valid at that "
		    "date", iss->chr);
	return NPKD_OK;
}

/*
 * Verify a certificate request: the inner signature (proof of
 * possession, with the request's own domain parameters or those of the
 * CVCA its CAR names), and for an authenticated request the outer
 * signature over the inner request and outer CAR by the certificate the
 * outer CAR names (in pool or trust), itself valid at time at.
 */
int
npkd_cvc_verify_request(const struct npkd_cvc *r,
    const struct npkd_cvc *const *pool, size_t npool,
    const struct npkd_cvc *const *trust, size_t ntrust, time_t at,
    const char **result, struct npkd_err *e)
{
	const struct npkd_cvc	*dp = r, *outer, *root;
	struct npkd_buf		 signed_data = { NULL, 0 };
	struct npkd_err		 se;
	int			 rc;

	if (result != NULL)
		*result = NULL;
	if (r->kind == NPKD_CVC_CERT)
		FAIL("failure_request_syntax", "%s: a certificate, not a "
		    "request", r->chr);
	if (r->sigkind == NPKD_SIG_ECDSA && !r->has_dp) {
		dp = r->has_car ? find_chr(r->car, trust, ntrust) : NULL;
		if (dp == NULL)
			FAIL("failure_domain_parameters", "%s: no domain "
			    "parameters and no known CVCA for them", r->chr);
	}
	if (r->has_car && r->sigkind == NPKD_SIG_ECDSA && r->has_dp &&
	    (root = find_chr(r->car, trust, ntrust)) != NULL && root->has_dp) {
		size_t i;

		for (i = 0; i < 5; i++)
			if (r->dp[i].len != root->dp[i].len ||
			    memcmp(r->dp[i].data, root->dp[i].data,
			    r->dp[i].len) != 0)
				FAIL("failure_domain_parameters", "%s: domain "
				    "parameters differ from those of %s", r->chr,
				    root->chr);
	}
	if (cvc_sig(r, dp, r->body.all, r->body.all_len, &r->sig, &se) !=
	    NPKD_OK)
		FAIL("failure_inner_signature", "%s: inner signature: %s",
		    r->chr, se.msg);
	if (r->kind != NPKD_CVC_AUTH_REQUEST)
		return NPKD_OK;
	if ((outer = find_chr(r->outer_car, pool, npool)) == NULL &&
	    (outer = find_chr(r->outer_car, trust, ntrust)) == NULL)
		FAIL("failure_outer_signature", "%s: the outer signer %s is "
		    "not known", r->chr, r->outer_car);
	if (at < outer->effective || at > outer->expiry)
		FAIL("failure_expired", "%s: outer signer %s is not valid at "
		    "that date", r->chr, r->outer_car);
	/* over the encoded request followed by the encoded outer CAR */
	signed_data.len = r->inner.all_len + r->outer_car_tlv.all_len;
	if ((signed_data.data = malloc(signed_data.len)) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "CVC");
	memcpy(signed_data.data, r->inner.all, r->inner.all_len);
	memcpy(signed_data.data + r->inner.all_len, r->outer_car_tlv.all,
	    r->outer_car_tlv.all_len);
	root = outer->has_dp ? outer : find_chr(outer->car, trust, ntrust);
	rc = cvc_sig(outer, root != NULL ? root : outer, signed_data.data,
	    signed_data.len, &r->outer_sig, &se);
	npkd_buf_free(&signed_data);
	if (rc != NPKD_OK)
		FAIL("failure_outer_signature", "%s: outer signature by %s: %s",
		    r->chr, r->outer_car, se.msg);
	return NPKD_OK;
}

const uint8_t *
npkd_cvc_der(const struct npkd_cvc *c, size_t *len)
{
	*len = c->der.len;
	return c->der.data;
}

/* Rights by name (as npkd_cvc_rights prints them) to CHAT bytes. */
int
npkd_cvc_rights_encode(const char *type, int role, const char *names,
    uint8_t *out, size_t *n, struct npkd_err *e)
{
	struct npkd_cvc	 probe;
	char		 r[48][48], *list, *tok, *save;
	size_t		 bits, bit, k, nr;
	int		 rc = NPKD_OK, found;

	memset(&probe, 0, sizeof(probe));
	probe.has_chat = 1;
	if (strcasecmp(type, "IS") == 0)
		snprintf(probe.chat_oid, sizeof(probe.chat_oid), OID_IS);
	else if (strcasecmp(type, "AT") == 0)
		snprintf(probe.chat_oid, sizeof(probe.chat_oid), OID_AT);
	else if (strcasecmp(type, "ST") == 0)
		snprintf(probe.chat_oid, sizeof(probe.chat_oid), OID_ST);
	else
		return npkd_seterr(e, NPKD_E_USAGE, "terminal type %s", type);
	probe.nrights = strcasecmp(type, "AT") == 0 ? 5 : 1;
	*n = probe.nrights;
	memset(out, 0, probe.nrights);
	out[0] = (uint8_t)(role << 6);
	if (names == NULL || names[0] == '\0')
		return NPKD_OK;
	if ((list = strdup(names)) == NULL)
		return NPKD_E_NOMEM;
	bits = probe.nrights * 8 - 2;
	for (tok = strtok_r(list, ",", &save); tok != NULL && rc == NPKD_OK;
	    tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		for (found = 0, bit = 0; bit < bits && !found; bit++) {
			/* set one bit and ask its name */
			memset(probe.rights, 0, sizeof(probe.rights));
			probe.rights[probe.nrights - 1 - bit / 8] =
			    (uint8_t)(1u << (bit % 8));
			nr = npkd_cvc_rights(&probe, r, 1);
			for (k = 0; k < nr; k++)
				if (strcasecmp(r[k], tok) == 0 ||
				    (strncasecmp(r[k], tok, strlen(tok)) == 0 &&
				    r[k][strlen(tok)] == ' '))
					found = 1;
			if (found)
				out[probe.nrights - 1 - bit / 8] |=
				    (uint8_t)(1u << (bit % 8));
		}
		if (!found)
			rc = npkd_seterr(e, NPKD_E_USAGE, "no %s right named "
			    "\"%s\"", type, tok);
	}
	free(list);
	return rc;
}

/* TLV writer: tag of 1 or 2 bytes, minimal definite length. */
static int
put(struct npkd_dbuf *d, unsigned int tag, const void *v, size_t len)
{
	uint8_t	 h[8];
	size_t	 n = 0;

	if (tag > 0xff)
		h[n++] = (uint8_t)(tag >> 8);
	h[n++] = (uint8_t)tag;
	if (len < 0x80)
		h[n++] = (uint8_t)len;
	else if (len < 0x100) {
		h[n++] = 0x81;
		h[n++] = (uint8_t)len;
	} else {
		h[n++] = 0x82;
		h[n++] = (uint8_t)(len >> 8);
		h[n++] = (uint8_t)len;
	}
	if (npkd_dbuf_add(d, h, n) != NPKD_OK || npkd_dbuf_add(d, v, len) !=
	    NPKD_OK)
		return NPKD_E_NOMEM;
	return NPKD_OK;
}

static int
oid_der(const char *dotted, uint8_t *out, size_t *n)
{
	unsigned long	 arc[20], v;
	size_t		 na = 0, i, k;
	char		*end;
	uint8_t		 t[8];

	while (*dotted != '\0' && na < 20) {
		arc[na++] = strtoul(dotted, &end, 10);
		if (*end != '.' && *end != '\0')
			return NPKD_E_USAGE;
		dotted = *end == '.' ? end + 1 : end;
	}
	if (na < 2)
		return NPKD_E_USAGE;
	*n = 0;
	out[(*n)++] = (uint8_t)(arc[0] * 40 + arc[1]);
	for (i = 2; i < na; i++) {
		v = arc[i];
		k = 0;
		do {
			t[k++] = (uint8_t)(v & 0x7f);
			v >>= 7;
		} while (v);
		while (k > 0) {
			k--;
			out[(*n)++] = (uint8_t)(t[k] | (k ? 0x80 : 0));
		}
	}
	return NPKD_OK;
}

static void
digits(time_t t, uint8_t *out)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	out[0] = (uint8_t)(tm.tm_year % 100 / 10);
	out[1] = (uint8_t)(tm.tm_year % 10);
	out[2] = (uint8_t)((tm.tm_mon + 1) / 10);
	out[3] = (uint8_t)((tm.tm_mon + 1) % 10);
	out[4] = (uint8_t)(tm.tm_mday / 10);
	out[5] = (uint8_t)(tm.tm_mday % 10);
}

/*
 * Sign data with key (public part pub) by algorithm sigkind/hash and
 * append the 5F37 signature: ECDSA as plain r || s, each as long as the
 * order (order_len bytes).
 */
static int
sign_append(struct npkd_key *key, const struct npkd_pubkey *pub, int sigkind,
    int hash, size_t order_len, const uint8_t *data, size_t len,
    struct npkd_dbuf *dst, struct npkd_err *e)
{
	struct npkd_buf	 sig = { NULL, 0 };
	uint8_t		 d[NPKD_MAX_HASH], rs[2 * 66 + 2];
	const uint8_t	*r, *sv;
	size_t		 rl, sl;
	int		 rc;

	if ((rc = npkd_hash(hash, data, len, d, e)) != NPKD_OK ||
	    (rc = npkd_key_sign_pk(key, pub, hash, sigkind == NPKD_SIG_RSA_PSS,
	    d, npkd_hash_len(hash), &sig, e)) != NPKD_OK)
		return rc;
	if (sigkind == NPKD_SIG_ECDSA) {
		if (npkd_ecdsa_sig_decode(sig.data, sig.len, &r, &rl, &sv,
		    &sl) != NPKD_OK || rl > order_len || sl > order_len ||
		    2 * order_len > sizeof(rs)) {
			npkd_buf_free(&sig);
			return npkd_seterr(e, NPKD_E_CRYPTO, "CVC: signature");
		}
		memset(rs, 0, 2 * order_len);
		memcpy(rs + order_len - rl, r, rl);
		memcpy(rs + 2 * order_len - sl, sv, sl);
		rc = put(dst, T_SIG, rs, 2 * order_len);
	} else
		rc = put(dst, T_SIG, sig.data, sig.len);
	npkd_buf_free(&sig);
	return rc;
}

/* Length of the group order of the domain in c (EC), without zeros. */
static size_t
order_len(const struct npkd_cvc *c)
{
	size_t n = c->dp[4].len;
	const uint8_t *p = c->dp[4].data;

	while (n > 1 && *p == 0) {
		p++;
		n--;
	}
	return n;
}

/*
 * Issue a CV certificate: t->holder's public key (its algorithm OID, and
 * the domain parameters of t->dp_from when set), CAR = the signer's CHR
 * (or t->chr for a self-signed CVCA), the CHAT and dates of t, signed with
 * key as the holder of signer (whose domain parameters come from
 * signer_dp).  The result is parsed and its signature checked before it
 * is returned.
 */
int
npkd_cvc_issue(const struct npkd_cvc_tmpl *t, const struct npkd_cvc *signer,
    const struct npkd_cvc *signer_dp, struct npkd_key *key,
    struct npkd_buf *out, struct npkd_err *e)
{
	struct npkd_dbuf	 pk, chat, body, cert, tbs;
	struct npkd_pubkey	*pub = NULL;
	struct npkd_cvc		*chk = NULL;
	const struct npkd_cvc	*h = t->holder;
	uint8_t			 oid[32], ced[6], cxd[6], zero = 0;
	size_t			 olen, i;
	int			 rc, sigkind = signer->sigkind, hash = signer->hash;

	out->data = NULL;
	out->len = 0;
	npkd_dbuf_init(&pk, MAX_CVC);
	npkd_dbuf_init(&chat, MAX_CVC);
	npkd_dbuf_init(&body, MAX_CVC);
	npkd_dbuf_init(&cert, MAX_CVC);
	npkd_dbuf_init(&tbs, MAX_CVC);
	if ((rc = oid_der(h->key_oid, oid, &olen)) != NPKD_OK ||
	    (rc = put(&pk, T_OID, oid, olen)) != NPKD_OK)
		goto out;
	if (h->sigkind == NPKD_SIG_ECDSA) {
		if (t->dp_from != NULL) {
			for (i = 0; i < 5 && rc == NPKD_OK; i++)
				rc = put(&pk, 0x81 + (unsigned int)i,
				    t->dp_from->dp[i].data, t->dp_from->dp[i].len);
		}
		if (rc == NPKD_OK)
			rc = put(&pk, 0x86, h->q.v, h->q.len);
		if (rc == NPKD_OK && t->dp_from != NULL)
			rc = t->dp_from->cofactor.len > 0 ? put(&pk, 0x87,
			    t->dp_from->cofactor.v, t->dp_from->cofactor.len) :
			    put(&pk, 0x87, "\x01", 1);
	} else {
		rc = put(&pk, 0x81, h->q.v, h->q.len);
		if (rc == NPKD_OK)
			rc = put(&pk, 0x82, h->rsa_e.v, h->rsa_e.len);
	}
	if (rc != NPKD_OK)
		goto out;
	if ((rc = oid_der(t->chat_oid, oid, &olen)) != NPKD_OK ||
	    (rc = put(&chat, T_OID, oid, olen)) != NPKD_OK ||
	    (rc = put(&chat, T_RIGHTS, t->rights, t->nrights)) != NPKD_OK)
		goto out;
	digits(t->effective, ced);
	digits(t->expiry, cxd);
	if ((rc = put(&body, T_CPI, &zero, 1)) != NPKD_OK ||
	    (rc = put(&body, T_CAR, t->car, strlen(t->car))) != NPKD_OK ||
	    (rc = put(&body, T_PUBKEY, pk.data, pk.len)) != NPKD_OK ||
	    (rc = put(&body, T_CHR, t->chr, strlen(t->chr))) != NPKD_OK ||
	    (rc = put(&body, T_CHAT, chat.data, chat.len)) != NPKD_OK ||
	    (rc = put(&body, T_CED, ced, 6)) != NPKD_OK ||
	    (rc = put(&body, T_CXD, cxd, 6)) != NPKD_OK ||
	    (rc = put(&tbs, T_BODY, body.data, body.len)) != NPKD_OK)
		goto out;
	/* sign the encoded body with the signer's key and algorithm */
	if ((rc = cvc_pub(signer, signer_dp, &pub, e)) != NPKD_OK ||
	    (rc = npkd_dbuf_add(&cert, tbs.data, tbs.len)) != NPKD_OK ||
	    (rc = sign_append(key, pub, sigkind, hash, sigkind ==
	    NPKD_SIG_ECDSA ? order_len(signer_dp) : 0, tbs.data, tbs.len,
	    &cert, e)) != NPKD_OK)
		goto out;
	npkd_dbuf_free(&tbs);
	npkd_dbuf_init(&tbs, MAX_CVC);
	if ((rc = put(&tbs, T_CVCERT, cert.data, cert.len)) != NPKD_OK)
		goto out;
	/* what we wrote must read back and verify */
	if ((rc = npkd_cvc_parse(tbs.data, tbs.len, 0, &chk, e)) != NPKD_OK)
		goto out;
	if (cvc_sig(signer, signer_dp, chk->body.all, chk->body.all_len,
	    &chk->sig, e) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "CVC self-check: %s",
		    e ? e->msg : "");
		goto out;
	}
	out->data = tbs.data;
	out->len = tbs.len;
	tbs.data = NULL;
 out:
	if (rc != NPKD_OK && rc != NPKD_E_NOMEM && e != NULL && e->msg[0] ==
	    '\0')
		npkd_seterr(e, rc, "CVC: encoding");
	npkd_cvc_free(chk);
	npkd_pubkey_free(pub);
	npkd_dbuf_free(&pk);
	npkd_dbuf_free(&chat);
	npkd_dbuf_free(&body);
	npkd_dbuf_free(&cert);
	npkd_dbuf_free(&tbs);
	return rc;
}

/*
 * A certificate request (C.2): the new key (with the domain parameters
 * and algorithm of o->params_from for EC, or RSA), CHR, optional CAR,
 * the inner signature by the new key; with o->outer_key an authenticated
 * request signed over the request and the outer CAR.
 */
int
npkd_cvc_request(const struct npkd_cvc_req_opts *o, struct npkd_buf *out,
    struct npkd_err *e)
{
	struct npkd_dbuf	 pk, body, tbs, req, top;
	struct npkd_buf		 q = { NULL, 0 }, n = { NULL, 0 }, x = { NULL, 0 };
	struct npkd_pubkey	*pub = NULL;
	struct npkd_cvc		*chk = NULL;
	const struct npkd_cvc	*a = o->params_from;
	uint8_t			 oid[32], zero = 0;
	size_t			 olen, i;
	int			 rc;

	out->data = NULL;
	out->len = 0;
	npkd_dbuf_init(&pk, MAX_CVC);
	npkd_dbuf_init(&body, MAX_CVC);
	npkd_dbuf_init(&tbs, MAX_CVC);
	npkd_dbuf_init(&req, MAX_CVC);
	npkd_dbuf_init(&top, MAX_CVC);
	if ((rc = oid_der(a->key_oid, oid, &olen)) != NPKD_OK ||
	    (rc = put(&pk, T_OID, oid, olen)) != NPKD_OK)
		goto out;
	if (a->sigkind == NPKD_SIG_ECDSA) {
		if (!a->has_dp) {
			rc = npkd_seterr(e, NPKD_E_USAGE, "CVC: %s carries no "
			    "domain parameters", a->chr);
			goto out;
		}
		if ((rc = npkd_key_public_ec(o->key, a->dp[0].len, &q, e)) !=
		    NPKD_OK || (rc = npkd_pubkey_ec(a->dp, q.data, q.len, &pub,
		    e)) != NPKD_OK)
			goto out;
		for (i = 0; i < 5 && rc == NPKD_OK; i++)
			rc = put(&pk, 0x81 + (unsigned int)i, a->dp[i].data,
			    a->dp[i].len);
		if (rc == NPKD_OK)
			rc = put(&pk, 0x86, q.data, q.len);
		if (rc == NPKD_OK)
			rc = a->cofactor.len > 0 ? put(&pk, 0x87, a->cofactor.v,
			    a->cofactor.len) : put(&pk, 0x87, "\x01", 1);
	} else {
		if ((rc = npkd_key_public_rsa(o->key, &n, &x, e)) != NPKD_OK ||
		    (rc = npkd_pubkey_rsa(n.data, n.len, x.data, x.len, &pub,
		    e)) != NPKD_OK)
			goto out;
		rc = put(&pk, 0x81, n.data, n.len);
		if (rc == NPKD_OK)
			rc = put(&pk, 0x82, x.data, x.len);
	}
	if (rc != NPKD_OK ||
	    (rc = put(&body, T_CPI, &zero, 1)) != NPKD_OK ||
	    (o->car != NULL && (rc = put(&body, T_CAR, o->car,
	    strlen(o->car))) != NPKD_OK) ||
	    (rc = put(&body, T_PUBKEY, pk.data, pk.len)) != NPKD_OK ||
	    (rc = put(&body, T_CHR, o->chr, strlen(o->chr))) != NPKD_OK ||
	    (rc = put(&tbs, T_BODY, body.data, body.len)) != NPKD_OK ||
	    (rc = npkd_dbuf_add(&req, tbs.data, tbs.len)) != NPKD_OK ||
	    (rc = sign_append(o->key, pub, a->sigkind, a->hash, a->sigkind ==
	    NPKD_SIG_ECDSA ? order_len(a) : 0, tbs.data, tbs.len, &req, e)) !=
	    NPKD_OK || (rc = put(&top, T_CVCERT, req.data, req.len)) != NPKD_OK)
		goto out;
	if ((rc = npkd_cvc_parse(top.data, top.len, 1, &chk, e)) != NPKD_OK)
		goto out;
	if (o->outer_key != NULL) {
		/* authenticated: countersigned by the outer key */
		rc = npkd_cvc_countersign(chk, o->outer_key, o->outer_cert,
		    o->outer_dp, out, e);
		goto out;
	}
	out->data = top.data;
	out->len = top.len;
	top.data = NULL;
 out:
	npkd_cvc_free(chk);
	npkd_pubkey_free(pub);
	npkd_buf_free(&q);
	npkd_buf_free(&n);
	npkd_buf_free(&x);
	npkd_dbuf_free(&pk);
	npkd_dbuf_free(&body);
	npkd_dbuf_free(&tbs);
	npkd_dbuf_free(&req);
	npkd_dbuf_free(&top);
	return rc;
}

/*
 * Countersign a request (C.2.2): wrap the plain request der in an
 * authenticated request whose outer signature, over the request followed
 * by the outer CAR, is made with outer_key as the holder of outer_cert
 * (domain parameters from outer_dp).  The national CVCA does this for the
 * initial requests of its DVs.
 */
int
npkd_cvc_countersign(const struct npkd_cvc *req, struct npkd_key *outer_key,
    const struct npkd_cvc *outer_cert, const struct npkd_cvc *outer_dp,
    struct npkd_buf *out, struct npkd_err *e)
{
	struct npkd_dbuf	 auth, tbs, top;
	struct npkd_pubkey	*opub = NULL;
	struct npkd_cvc		*chk = NULL;
	int			 rc;

	out->data = NULL;
	out->len = 0;
	if (req->kind != NPKD_CVC_REQUEST)
		return npkd_seterr(e, NPKD_E_USAGE, "CVC: %s is not a plain "
		    "request", req->chr);
	npkd_dbuf_init(&auth, MAX_CVC);
	npkd_dbuf_init(&tbs, MAX_CVC);
	npkd_dbuf_init(&top, MAX_CVC);
	if ((rc = npkd_dbuf_add(&auth, req->der.data, req->der.len)) !=
	    NPKD_OK || (rc = put(&auth, T_CAR, outer_cert->chr,
	    strlen(outer_cert->chr))) != NPKD_OK ||
	    (rc = cvc_pub(outer_cert, outer_dp, &opub, e)) != NPKD_OK ||
	    (rc = npkd_dbuf_add(&tbs, auth.data, auth.len)) != NPKD_OK ||
	    (rc = sign_append(outer_key, opub, outer_cert->sigkind,
	    outer_cert->hash, outer_cert->sigkind == NPKD_SIG_ECDSA ?
	    order_len(outer_dp) : 0, auth.data, auth.len, &tbs, e)) != NPKD_OK ||
	    (rc = put(&top, T_AUTH, tbs.data, tbs.len)) != NPKD_OK ||
	    (rc = npkd_cvc_parse(top.data, top.len, 1, &chk, e)) != NPKD_OK)
		goto out;
	out->data = top.data;
	out->len = top.len;
	top.data = NULL;
 out:
	npkd_cvc_free(chk);
	npkd_pubkey_free(opub);
	npkd_dbuf_free(&auth);
	npkd_dbuf_free(&tbs);
	npkd_dbuf_free(&top);
	return rc;
}
