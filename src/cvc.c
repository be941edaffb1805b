/*
 * cvc.c - card verifiable certificates and requests (BSI TR-03110-3
 * appendix C): a bounded BER-TLV reader that accepts only definite,
 * minimal lengths, the fields in their fixed order and calendar dates;
 * chains verified up to trusted certificates with domain parameters
 * inherited from the nearest CVCA above, down any number of levels;
 * requests with their inner and outer signatures.  Writing them is
 * cvca_write.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cvc_int.h"


/* One TLV at p (avail bytes): tags of up to 3 bytes, lengths of 1-3. */
static int
tlv_read(const uint8_t *p, size_t avail, struct cvc_tlv *t)
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
expect(const uint8_t **p, size_t *left, unsigned int want, struct cvc_tlv *t,
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
	struct cvc_tlv t;

	return left > 0 && tlv_read(p, left, &t) == NPKD_OK && t.tag == tag;
}


/* A reference (CAR, CHR): printable ISO 8859-1, 1 to 16 bytes. */
static int
reference(const struct cvc_tlv *t, char *out)
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

static int
month_days(int year, int month)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (month == 2 && year % 4 == 0 && (year % 100 != 0 || year % 400 == 0))
		return 29;
	return d[month - 1];
}

/* Is year-month-day a day of the Gregorian calendar? */
static int
calendar_day(int year, int month, int day)
{
	return month >= 1 && month <= 12 && day >= 1 &&
	    day <= month_days(year, month);
}

/*
 * Date: six bytes, one decimal digit each, YYMMDD of 20YY (C.1.5), a day
 * of the calendar: February 30 is no date, not March 2.
 */
static int
date(const struct cvc_tlv *t, uint8_t *raw, time_t *out, int end_of_day)
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
	if (!calendar_day(1900 + tm.tm_year, tm.tm_mon + 1, tm.tm_mday))
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

/* The id-TA algorithm name of a dotted OID, or NULL. */
const char *
npkd_cvc_alg_name(const char *oid)
{
	size_t i;

	for (i = 0; i < NTA; i++)
		if (strcmp(ta_algs[i].oid, oid) == 0)
			return ta_algs[i].name;
	return NULL;
}

/* The dotted OID of an id-TA algorithm name (as printed), or NULL. */
const char *
npkd_cvc_alg_oid(const char *name)
{
	size_t i;

	for (i = 0; i < NTA; i++)
		if (strcasecmp(ta_algs[i].name, name) == 0)
			return ta_algs[i].oid;
	return NULL;
}

/* Signature kind and hash of an id-TA OID; NPKD_E_UNSUPPORTED if none. */
int
npkd_cvc_alg_by_oid(const char *oid, int *kind, int *hash)
{
	size_t i;

	for (i = 0; i < NTA; i++)
		if (strcmp(ta_algs[i].oid, oid) == 0) {
			*kind = ta_algs[i].kind;
			*hash = ta_algs[i].hash;
			return NPKD_OK;
		}
	return NPKD_E_UNSUPPORTED;
}

static int
pubkey(struct npkd_cvc *c, const struct cvc_tlv *pk, struct npkd_err *e)
{
	const uint8_t	*p = pk->v;
	size_t		 left = pk->len, i;
	struct cvc_tlv	 t, f[8];
	unsigned int	 last;
	int		 have[8] = { 0 };

	if (expect(&p, &left, T_OID, &t, "public key OID", e) != NPKD_OK)
		return NPKD_E_FORMAT;
	if (npkd_oid_string(t.v, t.len, c->key_oid, sizeof(c->key_oid)) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: bad key OID");
	if (npkd_cvc_alg_by_oid(c->key_oid, &c->sigkind, &c->hash) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "CVC: key algorithm "
		    "%s is not an id-TA algorithm", c->key_oid);
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

/* 65: discretionary data templates, each an OID and its data objects. */
static int
extensions(struct npkd_cvc *c, const struct cvc_tlv *t, struct npkd_err *e)
{
	const uint8_t	*q;
	size_t		 ql;
	struct cvc_tlv	 d, o;

	c->ext_all = *t;
	for (q = t->v, ql = t->len; ql > 0; ) {
		if (tlv_read(q, ql, &d) != NPKD_OK || d.tag != T_DDT ||
		    tlv_read(d.v, d.len, &o) != NPKD_OK || o.tag != T_OID)
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: bad "
			    "certificate extension");
		if (c->next < CVC_MAX_EXT && npkd_oid_string(o.v, o.len,
		    c->ext_oids[c->next], sizeof(c->ext_oids[0])) == NPKD_OK)
			c->ext[c->next++] = d;
		q += d.all_len;
		ql -= d.all_len;
	}
	return NPKD_OK;
}

static int
chat(struct npkd_cvc *c, const struct cvc_tlv *t, struct npkd_err *e)
{
	const uint8_t	*q = t->v;
	size_t		 ql = t->len;
	struct cvc_tlv	 u;
	int		 rc;

	if ((rc = expect(&q, &ql, T_OID, &u, "CHAT OID", e)) != NPKD_OK)
		return rc;
	if (npkd_oid_string(u.v, u.len, c->chat_oid, sizeof(c->chat_oid)) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: bad CHAT OID");
	if ((rc = expect(&q, &ql, T_RIGHTS, &u, "CHAT rights", e)) != NPKD_OK)
		return rc;
	if (u.len < 1 || u.len > sizeof(c->rights) || ql != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: bad CHAT");
	memcpy(c->rights, u.v, u.len);
	c->nrights = u.len;
	c->has_chat = 1;
	return NPKD_OK;
}

static int
body(struct npkd_cvc *c, const struct cvc_tlv *b, int request, struct npkd_err *e)
{
	const uint8_t	*p = b->v;
	size_t		 left = b->len;
	struct cvc_tlv	 t;
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
		if ((rc = expect(&p, &left, T_CHAT, &t, "CHAT", e)) != NPKD_OK ||
		    (rc = chat(c, &t, e)) != NPKD_OK)
			return rc;
		if ((rc = expect(&p, &left, T_CED, &t, "effective date", e)) !=
		    NPKD_OK)
			return rc;
		if (date(&t, c->ced, &c->effective, 0) != NPKD_OK)
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: effective "
			    "date is not a calendar date of six digits YYMMDD");
		if ((rc = expect(&p, &left, T_CXD, &t, "expiration date", e)) !=
		    NPKD_OK)
			return rc;
		if (date(&t, c->cxd, &c->expiry, 1) != NPKD_OK)
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: expiration "
			    "date is not a calendar date of six digits YYMMDD");
		if (c->expiry < c->effective)
			return npkd_seterr(e, NPKD_E_FORMAT, "CVC: expires "
			    "before it takes effect");
	}
	if (left > 0 && peek(p, left, T_EXT)) {
		if ((rc = expect(&p, &left, T_EXT, &t, "extensions", e)) !=
		    NPKD_OK || (rc = extensions(c, &t, e)) != NPKD_OK)
			return rc;
	}
	if (left != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "CVC: unknown field after "
		    "the %s", request ? "CHR" : "dates");
	return NPKD_OK;
}

/* 7F21 { 7F4E body, 5F37 signature } */
static int
cvcert(struct npkd_cvc *c, const struct cvc_tlv *cert, int request,
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
	struct cvc_tlv	 top;
	const uint8_t	*p;
	size_t		 left;
	int		 rc, req;

	*out = NULL;
	if (len > CVC_MAX)
		return npkd_seterr(e, NPKD_E_LIMIT, "CVC: larger than %d bytes",
		    CVC_MAX);
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
			struct cvc_tlv b;

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

/* What a certificate extension OID is (TR-03110-3 C.3), or NULL. */
const char *
npkd_cvc_ext_name(const char *oid)
{
	if (strcmp(oid, OID_DESCRIPTION) == 0)
		return "certificate description";
	if (strcmp(oid, OID_SECTOR) == 0)
		return "terminal sector";
	return NULL;
}

const char *
npkd_cvc_sigalg_name(const struct npkd_cvc *c)
{
	const char *n = npkd_cvc_alg_name(c->key_oid);

	return n != NULL ? n : c->key_oid;
}

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

/* The name of right bit (least significant first) of terminal type. */
static void
right_name(const char *type, size_t bit, char *out, size_t sz)
{
	if (strcmp(type, "IS") == 0 && bit < 6)
		snprintf(out, sz, "%s", is_rights[bit]);
	else if (strcmp(type, "ST") == 0 && bit < 6)
		snprintf(out, sz, "%s", st_rights[bit]);
	else if (strcmp(type, "AT") == 0 && bit < 8)
		snprintf(out, sz, "%s", at_special[bit]);
	else if (strcmp(type, "AT") == 0 && bit >= 8 && bit <= 28)
		snprintf(out, sz, "read DG%zu", bit - 7);
	else if (strcmp(type, "AT") == 0 && bit >= 32 && bit <= 37)
		snprintf(out, sz, "write DG%zu", 22 - (bit - 32));
	else
		snprintf(out, sz, "bit %zu", bit);
}

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
		if (c->rights[byte] & (1u << (bit % 8)))
			right_name(type, bit, names[n++], 48);
	}
	return n;
}

/*
 * The rights of c as a number, least significant bit the last bit of the
 * template, the role bits cleared: a shorter template grants fewer
 * rights, never more.
 */
uint64_t
npkd_cvc_rights_mask(const struct npkd_cvc *c)
{
	uint64_t	 m = 0;
	size_t		 i;

	if (!c->has_chat)
		return 0;
	for (i = 0; i < c->nrights; i++)
		m = (m << 8) | c->rights[i];
	return m & ~((uint64_t)3 << (c->nrights * 8 - 2));
}

/* Is every right of child also a right of parent, of one terminal type? */
static int
chat_within(const struct npkd_cvc *child, const struct npkd_cvc *parent)
{
	if (!child->has_chat || !parent->has_chat ||
	    strcmp(child->chat_oid, parent->chat_oid) != 0)
		return 0;
	return (npkd_cvc_rights_mask(child) & ~npkd_cvc_rights_mask(parent)) ==
	    0;
}

/* Rights by name (as npkd_cvc_rights prints them) to CHAT bytes. */
int
npkd_cvc_rights_encode(const char *type, int role, const char *names,
    uint8_t *out, size_t *n, struct npkd_err *e)
{
	char		 name[48], tok[64];
	const char	*p, *end;
	size_t		 nbytes, bits, bit, len;
	int		 found;

	if (strcasecmp(type, "AT") == 0)
		type = "AT";
	else if (strcasecmp(type, "IS") == 0)
		type = "IS";
	else if (strcasecmp(type, "ST") == 0)
		type = "ST";
	else
		return npkd_seterr(e, NPKD_E_USAGE, "terminal type %s: not IS, "
		    "AT or ST", type);
	if (role < 0 || role > 3)
		return npkd_seterr(e, NPKD_E_USAGE, "role %d", role);
	nbytes = strcmp(type, "AT") == 0 ? 5 : 1;
	*n = nbytes;
	memset(out, 0, nbytes);
	out[0] = (uint8_t)(role << 6);
	bits = nbytes * 8 - 2;
	for (p = names != NULL ? names : ""; *p != '\0'; p = *end ? end + 1 :
	    end) {
		while (*p == ' ' || *p == '\t')
			p++;
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == 0) {
			if (*end == '\0')
				break;
			return npkd_seterr(e, NPKD_E_USAGE, "an empty right "
			    "name in \"%s\"", names);
		}
		if (len >= sizeof(tok))
			return npkd_seterr(e, NPKD_E_USAGE, "no %s right named "
			    "\"%.40s...\"", type, p);
		memcpy(tok, p, len);
		tok[len] = '\0';
		/* the name as printed, or its words before " (" */
		for (found = 0, bit = 0; bit < bits && !found; bit++) {
			right_name(type, bit, name, sizeof(name));
			if (strncmp(name, "bit ", 4) == 0 ||
			    strncmp(name, "RFU", 3) == 0)
				continue;
			if (strcasecmp(name, tok) == 0 ||
			    (strncasecmp(name, tok, len) == 0 &&
			    strncmp(name + len, " (", 2) == 0)) {
				out[nbytes - 1 - bit / 8] |=
				    (uint8_t)(1u << (bit % 8));
				found = 1;
			}
		}
		if (!found)
			return npkd_seterr(e, NPKD_E_USAGE, "no %s right named "
			    "\"%s\"", type, tok);
	}
	return NPKD_OK;
}

/* The key of c, with the domain parameters of dpsrc (EC); borrowed. */
void
npkd_cvc_key_of(const struct npkd_cvc *c, const struct npkd_cvc *dpsrc,
    struct cvc_key *k)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	snprintf(k->oid, sizeof(k->oid), "%s", c->key_oid);
	k->sigkind = c->sigkind;
	k->hash = c->hash;
	k->q.data = (uint8_t *)(uintptr_t)c->q.v;
	k->q.len = c->q.len;
	k->e.data = (uint8_t *)(uintptr_t)c->rsa_e.v;
	k->e.len = c->rsa_e.len;
	if (c->sigkind == NPKD_SIG_ECDSA && dpsrc != NULL && dpsrc->has_dp) {
		for (i = 0; i < 5; i++)
			k->dp[i] = dpsrc->dp[i];
		k->cof.data = (uint8_t *)(uintptr_t)dpsrc->cofactor.v;
		k->cof.len = dpsrc->cofactor.len;
		k->has_dp = 1;
	}
}

/* Free what k owns and forget it. */
void
npkd_cvc_key_clear(struct cvc_key *k)
{
	size_t i;

	if (k->owned) {
		for (i = 0; i < 5; i++)
			npkd_buf_free(&k->dp[i]);
		npkd_buf_free(&k->cof);
		npkd_buf_free(&k->q);
		npkd_buf_free(&k->e);
	}
	memset(k, 0, sizeof(*k));
}

/* A key ready to verify; an invalid key is NPKD_E_FORMAT. */
int
npkd_cvc_key_pub(const struct cvc_key *k, struct npkd_pubkey **out,
    struct npkd_err *e)
{
	*out = NULL;
	if (k->sigkind == NPKD_SIG_ECDSA) {
		if (!k->has_dp)
			return npkd_seterr(e, NPKD_E_VERIFY, "no domain "
			    "parameters for the key");
		return npkd_pubkey_ec(k->dp, k->q.data, k->q.len, out, e);
	}
	return npkd_pubkey_rsa(k->q.data, k->q.len, k->e.data, k->e.len, out,
	    e);
}

/* A number without its leading zero bytes. */
void
npkd_cvc_unsigned(const struct npkd_buf *b, const uint8_t **p, size_t *n)
{
	*p = b->data;
	*n = b->len;
	while (*n > 1 && **p == 0) {
		(*p)++;
		(*n)--;
	}
}

static int
num_eq(const struct npkd_buf *a, const struct npkd_buf *b)
{
	const uint8_t	*x, *y;
	size_t		 xl, yl;

	npkd_cvc_unsigned(a, &x, &xl);
	npkd_cvc_unsigned(b, &y, &yl);
	return xl == yl && memcmp(x, y, xl) == 0;
}

/*
 * Are the domain parameters of two keys the same: p, a, b, n and the
 * cofactor as numbers (absent cofactor: 1), the base point as encoded?
 */
int
npkd_cvc_same_domain(const struct cvc_key *a, const struct cvc_key *b)
{
	static const uint8_t	 one = 1;
	struct npkd_buf		 ca, cb;

	if (!a->has_dp || !b->has_dp)
		return 0;
	if (!num_eq(&a->dp[0], &b->dp[0]) || !num_eq(&a->dp[1], &b->dp[1]) ||
	    !num_eq(&a->dp[2], &b->dp[2]) || !num_eq(&a->dp[4], &b->dp[4]) ||
	    a->dp[3].len != b->dp[3].len ||
	    memcmp(a->dp[3].data, b->dp[3].data, a->dp[3].len) != 0)
		return 0;
	ca = a->cof;
	cb = b->cof;
	if (ca.len == 0) {
		ca.data = (uint8_t *)(uintptr_t)&one;
		ca.len = 1;
	}
	if (cb.len == 0) {
		cb.data = (uint8_t *)(uintptr_t)&one;
		cb.len = 1;
	}
	return num_eq(&ca, &cb);
}

/* Length of the group order, without leading zeros. */
size_t
npkd_cvc_order_len(const struct npkd_buf *n)
{
	const uint8_t	*p;
	size_t		 len;

	npkd_cvc_unsigned(n, &p, &len);
	return len;
}

/*
 * Verify sig over data with key k: NPKD_OK, NPKD_E_VERIFY when the
 * signature does not hold, NPKD_E_FORMAT when the key itself is invalid.
 */
int
npkd_cvc_key_verify(const struct cvc_key *k, const uint8_t *data, size_t len,
    const uint8_t *sig, size_t siglen, struct npkd_err *e)
{
	struct npkd_pubkey	*pk = NULL;
	struct npkd_sigalg	 a;
	uint8_t			 d[NPKD_MAX_HASH];
	size_t			 half;
	int			 rc;

	memset(&a, 0, sizeof(a));
	a.kind = k->sigkind;
	a.hash = a.mgf_hash = k->hash;
	a.salt = (unsigned int)npkd_hash_len(a.hash);
	if ((rc = npkd_cvc_key_pub(k, &pk, e)) != NPKD_OK)
		return rc == NPKD_E_NOMEM || rc == NPKD_E_VERIFY ? rc :
		    NPKD_E_FORMAT;
	if ((rc = npkd_hash(a.hash, data, len, d, e)) == NPKD_OK) {
		if (a.kind == NPKD_SIG_ECDSA) {
			/* plain r || s (TR-03111) */
			half = siglen / 2;
			if (siglen == 0 || siglen % 2 != 0)
				rc = npkd_seterr(e, NPKD_E_VERIFY, "ECDSA "
				    "signature of odd length");
			else
				rc = npkd_pubkey_verify_rs(pk, a.hash, d,
				    npkd_hash_len(a.hash), sig, half,
				    sig + half, half, e);
		} else {
			rc = npkd_pubkey_verify(pk, &a, d, npkd_hash_len(a.hash),
			    sig, siglen, NULL, e);
			/*
			 * The id-TA OID fixes no PSS salt length: signers use
			 * the digest length or the largest that fits (OpenSSL,
			 * OpenPACE); both are tried.
			 */
			if (rc == NPKD_E_VERIFY && a.kind == NPKD_SIG_RSA_PSS &&
			    (pk->bits + 6) / 8 > 2 + npkd_hash_len(a.hash)) {
				a.salt = (unsigned int)((pk->bits + 6) / 8 - 2 -
				    npkd_hash_len(a.hash));
				rc = npkd_pubkey_verify(pk, &a, d,
				    npkd_hash_len(a.hash), sig, siglen, NULL, e);
			}
		}
	}
	npkd_pubkey_free(pk);
	return rc;
}

/*
 * Verify data/sig with the key of signer, domain parameters from dpsrc:
 * NPKD_OK, NPKD_E_VERIFY (the signature does not hold) or NPKD_E_FORMAT
 * (the key is invalid: "invalid key of X: ...").
 */
int
npkd_cvc_sig_check(const struct npkd_cvc *signer, const struct npkd_cvc *dpsrc,
    const uint8_t *data, size_t len, const struct cvc_tlv *sig,
    struct npkd_err *e)
{
	struct cvc_key	 k;
	struct npkd_err	 ke;
	int		 rc;

	memset(&ke, 0, sizeof(ke));
	npkd_cvc_key_of(signer, dpsrc, &k);
	rc = npkd_cvc_key_verify(&k, data, len, sig->v, sig->len, &ke);
	if (rc == NPKD_E_FORMAT)
		return npkd_seterr(e, NPKD_E_FORMAT, "invalid key of %s: %s",
		    signer->chr, ke.msg);
	if (rc != NPKD_OK)
		return npkd_seterr(e, rc, "%s", ke.msg[0] ? ke.msg :
		    "does not verify");
	return NPKD_OK;
}

static int
same_der(const struct npkd_cvc *a, const struct npkd_cvc *b)
{
	return a == b || (a->der.len == b->der.len &&
	    memcmp(a->der.data, b->der.data, a->der.len) == 0);
}

/* Is c (by its encoding) one of v? */
int
npkd_cvc_in(const struct npkd_cvc *c, const struct npkd_cvc *const *v,
    size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] != NULL && same_der(c, v[i]))
			return 1;
	return 0;
}

/*
 * Domain parameters for an anchor: its own, or those of the nearest
 * trusted certificate above it (by CAR, within trust only: parameters
 * from an untrusted certificate could make any signature verify).
 */
const struct npkd_cvc *
npkd_cvc_anchor_dp(const struct npkd_cvc *a, const struct npkd_cvc *const *trust,
    size_t ntrust)
{
	const struct npkd_cvc	*cur = a, *up;
	size_t			 depth, i;

	for (depth = 0; depth <= NPKD_MAX_CHAIN && cur != NULL; depth++) {
		if (cur->has_dp)
			return cur;
		for (up = NULL, i = 0; i < ntrust && up == NULL; i++)
			if (trust[i]->kind == NPKD_CVC_CERT && trust[i] != cur &&
			    strcmp(trust[i]->chr, cur->car) == 0 &&
			    !same_der(trust[i], cur))
				up = trust[i];
		cur = up;
	}
	return NULL;
}

struct walk {
	const struct npkd_cvc *const	*pool, *const *trust, *const *dptrust;
	size_t				 npool, ntrust, ndptrust;
	time_t				 at;
	int				 budget, nodes;
	const char			*result;
	struct npkd_err			 err;
	int				 failed;
};

/* Record a failure (the first one is what is reported). */
static int
wfail(struct walk *w, const char *result, const char *fmt, ...)
    NPKD_PRINTF(3, 4);

static int
wfail(struct walk *w, const char *result, const char *fmt, ...)
{
	va_list ap;

	if (!w->failed) {
		w->failed = 1;
		w->result = result;
		w->err.code = NPKD_E_VERIFY;
		va_start(ap, fmt);
		vsnprintf(w->err.msg, sizeof(w->err.msg), fmt, ap);
		va_end(ap);
	}
	return NPKD_E_VERIFY;
}

static int
valid_at(const struct npkd_cvc *c, time_t at)
{
	return at >= c->effective && at <= c->expiry;
}

static int
is_dv(int role)
{
	return role == NPKD_CVC_DV_FOREIGN || role == NPKD_CVC_DV_DOMESTIC;
}

/*
 * Check one path: path[0] the certificate, path[n - 1] a trusted anchor.
 * Top-down: the anchor (its self-signature when it claims one, its
 * dates), then each certificate's signature by the one above with the
 * domain parameters inherited from the nearest CVCA above, its dates,
 * its CHAT within its issuer's, its role below its issuer's.
 */
static int
check_path(struct walk *w, const struct npkd_cvc *const *path, size_t n,
    const struct npkd_cvc **dp_out)
{
	const struct npkd_cvc	*a = path[n - 1], *dp, *s, *x;
	struct npkd_err		 se;
	struct cvc_key		 kx, kd;
	size_t			 i;
	int			 rc, rs, rx;

	if (w->budget-- <= 0) {
		w->failed = 0;
		return wfail(w, "failure_certificate", "%s: too many candidate "
		    "chains", path[0]->chr);
	}
	if ((dp = npkd_cvc_anchor_dp(a, w->trust, w->ntrust)) == NULL)
		dp = npkd_cvc_anchor_dp(a, w->dptrust, w->ndptrust);
	if (strcmp(a->car, a->chr) == 0) {
		rc = npkd_cvc_sig_check(a, dp, a->body.all, a->body.all_len,
		    &a->sig, &se);
		if (rc == NPKD_E_FORMAT)
			return wfail(w, "failure_certificate", "%s: %s",
			    a->chr, se.msg);
		if (rc != NPKD_OK)
			return wfail(w, "failure_certificate", "%s: "
			    "self-signature: %s", a->chr, se.msg);
	}
	if (!valid_at(a, w->at))
		return wfail(w, "failure_expired", "%s: trusted CVCA not valid "
		    "at that date", a->chr);
	for (i = n - 1; i > 0; i--) {
		s = path[i];
		x = path[i - 1];
		rc = npkd_cvc_sig_check(s, dp, x->body.all, x->body.all_len,
		    &x->sig, &se);
		if (rc == NPKD_E_FORMAT)
			return wfail(w, "failure_certificate", "%s: %s", x->chr,
			    se.msg);
		if (rc != NPKD_OK)
			return wfail(w, "failure_certificate", "%s: signature "
			    "by %s does not verify: %s", x->chr, s->chr, se.msg);
		rs = npkd_cvc_role(s);
		rx = npkd_cvc_role(x);
		if (x->has_dp) {
			if (rx == NPKD_CVC_CVCA)
				dp = x;		/* a new domain from here */
			else {
				npkd_cvc_key_of(x, x, &kx);
				npkd_cvc_key_of(x, dp, &kd);
				if (!npkd_cvc_same_domain(&kx, &kd))
					return wfail(w,
					    "failure_domain_parameters", "%s: "
					    "domain parameters differ from its "
					    "CVCA's", x->chr);
			}
		}
		if (!valid_at(x, w->at))
			return wfail(w, "failure_expired", "%s: not valid at "
			    "that date", x->chr);
		if (!chat_within(x, s))
			return wfail(w, "failure_certificate", "%s: CHAT wider "
			    "than its issuer %s's, or of another terminal type",
			    x->chr, s->chr);
		if (rx == NPKD_CVC_CVCA && rs != NPKD_CVC_CVCA)
			return wfail(w, "failure_certificate", "%s: CVCA "
			    "certificate issued by a non-CVCA", x->chr);
		if (is_dv(rx) && rs != NPKD_CVC_CVCA)
			return wfail(w, "failure_certificate", "%s: DV "
			    "certificate issued by %s, not by a CVCA", x->chr,
			    s->chr);
		if (rx == NPKD_CVC_TERMINAL && rs == NPKD_CVC_TERMINAL)
			return wfail(w, "failure_certificate", "%s: terminal "
			    "certificate issued by a terminal", x->chr);
	}
	if (dp_out != NULL)
		*dp_out = dp;
	return NPKD_OK;
}

/* Depth-first up by CAR: trusted issuers first, then the pool's. */
static int
walk_up(struct walk *w, const struct npkd_cvc **path, size_t depth,
    const struct npkd_cvc **dp_out)
{
	const struct npkd_cvc	*top = path[depth], *cand[CVC_MAX_CAND];
	size_t			 nc = 0, i, k;
	int			 on_path, pass;

	if (w->nodes-- <= 0) {
		w->failed = 0;		/* the reason we stop looking */
		return wfail(w, "failure_certificate", "%s: too many candidate "
		    "chains", path[0]->chr);
	}
	if (npkd_cvc_in(top, w->trust, w->ntrust))
		return check_path(w, path, depth + 1, dp_out);
	if (strcmp(top->car, top->chr) == 0)
		return wfail(w, "failure_certificate", "%s: self-signed, but "
		    "not a trusted CVCA", top->chr);
	if (depth + 1 >= NPKD_MAX_CHAIN)
		return wfail(w, "failure_certificate", "%s: chain longer than "
		    "%d", path[0]->chr, NPKD_MAX_CHAIN);
	for (pass = 0; pass < 2; pass++) {
		const struct npkd_cvc *const *v = pass ? w->pool : w->trust;
		size_t nv = pass ? w->npool : w->ntrust;

		for (i = 0; i < nv && nc < CVC_MAX_CAND; i++) {
			if (v[i]->kind != NPKD_CVC_CERT ||
			    strcmp(v[i]->chr, top->car) != 0)
				continue;
			for (on_path = 0, k = 0; k <= depth; k++)
				on_path |= same_der(v[i], path[k]);
			for (k = 0; k < nc; k++)
				on_path |= same_der(v[i], cand[k]);
			if (!on_path)
				cand[nc++] = v[i];
		}
	}
	if (nc == 0)
		return wfail(w, "failure_certificate", "%s: issuer %s unknown: "
		    "no chain to a trusted CVCA", top->chr, top->car);
	for (i = 0; i < nc; i++) {
		path[depth + 1] = cand[i];
		if (walk_up(w, path, depth + 1, dp_out) == NPKD_OK)
			return NPKD_OK;
	}
	return NPKD_E_VERIFY;
}

/*
 * Find and check a chain from c up to a certificate of trust, through
 * pool; *dp_out: where the domain parameters of c's key come from (for an
 * anchor that carries none: the anchors above it in trust, then in
 * dptrust, which are trusted too but end no chain).  NPKD_OK, or
 * NPKD_E_VERIFY with the reason in e and *result.
 */
int
npkd_cvc_path_dp(const struct npkd_cvc *c, const struct npkd_cvc *const *pool,
    size_t npool, const struct npkd_cvc *const *trust, size_t ntrust,
    const struct npkd_cvc *const *dptrust, size_t ndptrust, time_t at,
    const struct npkd_cvc **dp_out, const char **result, struct npkd_err *e)
{
	const struct npkd_cvc	*path[NPKD_MAX_CHAIN + 1];
	struct walk		 w;

	if (dp_out != NULL)
		*dp_out = NULL;
	memset(&w, 0, sizeof(w));
	w.pool = pool;
	w.npool = pool != NULL ? npool : 0;
	w.trust = trust;
	w.ntrust = trust != NULL ? ntrust : 0;
	w.dptrust = dptrust;
	w.ndptrust = dptrust != NULL ? ndptrust : 0;
	w.at = at;
	w.budget = CVC_MAX_PATHS;
	w.nodes = CVC_MAX_NODES;
	path[0] = c;
	if (walk_up(&w, path, 0, dp_out) == NPKD_OK)
		return NPKD_OK;
	if (result != NULL)
		*result = w.result;
	return npkd_seterr(e, NPKD_E_VERIFY, "%s", w.err.msg);
}

/* npkd_cvc_path_dp with domain parameters from trust alone. */
int
npkd_cvc_path(const struct npkd_cvc *c, const struct npkd_cvc *const *pool,
    size_t npool, const struct npkd_cvc *const *trust, size_t ntrust,
    time_t at, const struct npkd_cvc **dp_out, const char **result,
    struct npkd_err *e)
{
	return npkd_cvc_path_dp(c, pool, npool, trust, ntrust, NULL, 0, at,
	    dp_out, result, e);
}

#define FAIL(code, ...) do {						\
	if (result != NULL)						\
		*result = (code);					\
	return npkd_seterr(e, NPKD_E_VERIFY, __VA_ARGS__);		\
} while (0)

/*
 * Verify certificate c: its chain through pool (DV, link and terminal
 * certificates) up to a certificate of trust, each signature with domain
 * parameters inherited from the nearest CVCA above, CAR/CHR linkage,
 * validity at time at, no CHAT wider than its issuer's, roles in order.
 * On failure *result names the SPOC result code that fits
 * (failure_certificate, failure_expired, failure_domain_parameters).
 */
int
npkd_cvc_verify(const struct npkd_cvc *c, const struct npkd_cvc *const *pool,
    size_t npool, const struct npkd_cvc *const *trust, size_t ntrust,
    time_t at, const char **result, struct npkd_err *e)
{
	if (result != NULL)
		*result = NULL;
	if (c->kind != NPKD_CVC_CERT)
		FAIL("failure_syntax", "%s: not a certificate", c->chr);
	return npkd_cvc_path(c, pool, npool, trust, ntrust, at, NULL, result,
	    e);
}

/* Holder of a CHR: country code and mnemonic, without the sequence number. */
int
npkd_cvc_holder(const char *chr, char *out, size_t sz)
{
	size_t n = strlen(chr);

	if (n < 8 || n > 16 || n - 5 >= sz)
		return NPKD_E_FORMAT;
	memcpy(out, chr, n - 5);
	out[n - 5] = '\0';
	return NPKD_OK;
}

/*
 * May outer authenticate the request r?  A CVCA of r's country (its
 * initial request), or an earlier certificate of r's own holder (a
 * successive request: TR-03129, ICAO 9303-12 8.1.1.5); want says which
 * of the two are acceptable.
 */
static int
may_authenticate(const struct npkd_cvc *outer, const struct npkd_cvc *r,
    int want)
{
	char ho[17], hr[17];

	if ((want & NPKD_CVC_OUTER_CVCA) &&
	    npkd_cvc_role(outer) == NPKD_CVC_CVCA &&
	    strncmp(outer->chr, r->chr, 2) == 0)
		return 1;
	return (want & NPKD_CVC_OUTER_HOLDER) &&
	    npkd_cvc_role(outer) != NPKD_CVC_CVCA &&
	    npkd_cvc_holder(outer->chr, ho, sizeof(ho)) == NPKD_OK &&
	    npkd_cvc_holder(r->chr, hr, sizeof(hr)) == NPKD_OK &&
	    strcmp(ho, hr) == 0;
}

/*
 * The certificate named by ref that verifies: one of trust (an anchor,
 * domain parameters from trust) or one of pool whose chain reaches
 * trust at time at.  NULL when none does; *result and e say why.
 */
const struct npkd_cvc *
npkd_cvc_find_verified(const char *ref, const struct npkd_cvc *const *pool,
    size_t npool, const struct npkd_cvc *const *trust, size_t ntrust,
    const struct npkd_cvc *const *dptrust, size_t ndptrust, time_t at,
    const struct npkd_cvc **dp, const char **result, struct npkd_err *e)
{
	const struct npkd_cvc	*c;
	struct npkd_err		 pe;
	const char		*res = NULL;
	size_t			 i, tried = 0;

	*dp = NULL;
	*result = NULL;
	for (i = 0; i < ntrust; i++) {
		c = trust[i];
		if (c->kind != NPKD_CVC_CERT || strcmp(c->chr, ref) != 0)
			continue;
		if ((*dp = npkd_cvc_anchor_dp(c, trust, ntrust)) == NULL)
			*dp = npkd_cvc_anchor_dp(c, dptrust, ndptrust);
		if (valid_at(c, at))
			return c;
		if (tried++ == 0) {
			*result = "failure_expired";
			npkd_seterr(e, NPKD_E_VERIFY, "%s is not valid at that "
			    "date", ref);
		}
	}
	for (i = 0; i < npool && tried < CVC_MAX_CAND; i++) {
		c = pool[i];
		if (c->kind != NPKD_CVC_CERT || strcmp(c->chr, ref) != 0)
			continue;
		if (npkd_cvc_path_dp(c, pool, npool, trust, ntrust, dptrust,
		    ndptrust, at, dp, &res, &pe) == NPKD_OK)
			return c;
		if (tried++ == 0) {
			*result = res;
			npkd_seterr(e, NPKD_E_VERIFY, "%s does not verify up to "
			    "a trusted CVCA: %s", ref, pe.msg);
		}
	}
	*dp = NULL;
	if (tried == 0)
		npkd_seterr(e, NPKD_E_VERIFY, "%s is not known", ref);
	return NULL;
}

/*
 * The inner signature of request r (proof of possession) with its own
 * domain parameters, or those of dpsrc when it carries none.
 */
int
npkd_cvc_inner_check(const struct npkd_cvc *r, const struct npkd_cvc *dpsrc,
    const char **result, struct npkd_err *e)
{
	const struct npkd_cvc	*dp = r->has_dp ? r : dpsrc;
	struct npkd_err		 se;
	int			 rc;

	if (result != NULL)
		*result = NULL;
	if (r->kind == NPKD_CVC_CERT)
		FAIL("failure_request_syntax", "%s: a certificate, not a "
		    "request", r->chr);
	if (r->sigkind == NPKD_SIG_ECDSA && dp == NULL)
		FAIL("failure_domain_parameters", "%s: no domain parameters "
		    "and no known CVCA for them", r->chr);
	rc = npkd_cvc_sig_check(r, dp, r->body.all, r->body.all_len, &r->sig,
	    &se);
	if (rc == NPKD_E_FORMAT)
		FAIL("failure_request_syntax", "%s: %s", r->chr, se.msg);
	if (rc != NPKD_OK)
		FAIL("failure_inner_signature", "%s: inner signature: %s",
		    r->chr, se.msg);
	return NPKD_OK;
}

/*
 * The key of request r (domain parameters from r, or rdp) on the
 * algorithm and domain of the key of ca (domain parameters from cadp).
 */
int
npkd_cvc_key_fits(const struct npkd_cvc *r, const struct npkd_cvc *rdp,
    const struct npkd_cvc *ca, const struct npkd_cvc *cadp,
    const char **result, struct npkd_err *e)
{
	struct cvc_key kr, kc;

	if (result != NULL)
		*result = NULL;
	if (ca->sigkind != r->sigkind)
		FAIL("failure_domain_parameters", "%s: a %s key, but %s signs "
		    "with %s", r->chr, npkd_cvc_sigalg_name(r), ca->chr,
		    npkd_cvc_sigalg_name(ca));
	if (r->sigkind != NPKD_SIG_ECDSA)
		return NPKD_OK;
	npkd_cvc_key_of(r, r->has_dp ? r : rdp, &kr);
	npkd_cvc_key_of(ca, cadp, &kc);
	if (!npkd_cvc_same_domain(&kr, &kc))
		FAIL("failure_domain_parameters", "%s: domain parameters "
		    "differ from those of %s", r->chr, ca->chr);
	return NPKD_OK;
}

/*
 * The outer signature of authenticated request r, over the inner
 * request and the outer CAR, by the certificate the outer CAR names: one
 * of trust, or one of pool that itself verifies up to trust at time at
 * (a certificate that merely comes along proves nothing); want: which
 * signers may authenticate r (NPKD_CVC_OUTER_*).
 */
int
npkd_cvc_outer_check(const struct npkd_cvc *r, const struct npkd_cvc *const *pool,
    size_t npool, const struct npkd_cvc *const *trust, size_t ntrust,
    const struct npkd_cvc *const *dptrust, size_t ndptrust, time_t at,
    int want, const struct npkd_cvc **signer, const char **result,
    struct npkd_err *e)
{
	const struct npkd_cvc	*outer, *dp;
	const char		*res;
	struct npkd_buf		 signed_data = { NULL, 0 };
	struct npkd_err		 se;
	struct cvc_tlv		 sig;
	int			 rc;

	if (result != NULL)
		*result = NULL;
	if (signer != NULL)
		*signer = NULL;
	if (r->kind != NPKD_CVC_AUTH_REQUEST)
		FAIL("failure_outer_signature", "%s: no outer signature",
		    r->chr);
	if ((outer = npkd_cvc_find_verified(r->outer_car, pool, npool, trust,
	    ntrust, dptrust, ndptrust, at, &dp, &res, &se)) == NULL)
		FAIL(res != NULL && strcmp(res, "failure_expired") == 0 ?
		    "failure_expired" : "failure_outer_signature", "%s: the "
		    "outer signer %s", r->chr, se.msg);
	if (!may_authenticate(outer, r, want))
		FAIL("failure_outer_signature", "%s: %s may not authenticate "
		    "it: %s", r->chr, outer->chr, want == NPKD_CVC_OUTER_CVCA ?
		    "not a CVCA of the request's country" : want ==
		    NPKD_CVC_OUTER_HOLDER ? "not an earlier certificate of its "
		    "holder" : "neither a CVCA of the request's country nor an "
		    "earlier certificate of its holder");
	/* over the encoded request followed by the encoded outer CAR */
	signed_data.len = r->inner.all_len + r->outer_car_tlv.all_len;
	if ((signed_data.data = malloc(signed_data.len)) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "CVC");
	memcpy(signed_data.data, r->inner.all, r->inner.all_len);
	memcpy(signed_data.data + r->inner.all_len, r->outer_car_tlv.all,
	    r->outer_car_tlv.all_len);
	sig = r->outer_sig;
	rc = npkd_cvc_sig_check(outer, dp, signed_data.data, signed_data.len,
	    &sig, &se);
	npkd_buf_free(&signed_data);
	if (rc != NPKD_OK)
		FAIL("failure_outer_signature", "%s: outer signature by %s: %s",
		    r->chr, r->outer_car, se.msg);
	if (signer != NULL)
		*signer = outer;
	return NPKD_OK;
}

/*
 * Verify a certificate request: the inner signature (proof of
 * possession, with the request's own domain parameters or those of the
 * CA its CAR names); the key against that CA's algorithm and domain when
 * the CAR names one that verifies; and for an authenticated request the
 * outer signature (npkd_cvc_outer_check) by a CVCA of the request's
 * country or an earlier certificate of its holder.
 */
int
npkd_cvc_verify_request(const struct npkd_cvc *r,
    const struct npkd_cvc *const *pool, size_t npool,
    const struct npkd_cvc *const *trust, size_t ntrust, time_t at,
    const char **result, struct npkd_err *e)
{
	const struct npkd_cvc	*ca = NULL, *cadp = NULL;
	const char		*res = NULL;
	struct npkd_err		 se;
	int			 rc;

	if (result != NULL)
		*result = NULL;
	if (pool == NULL)
		npool = 0;
	if (trust == NULL)
		ntrust = 0;
	if (r->kind != NPKD_CVC_CERT && r->has_car)
		ca = npkd_cvc_find_verified(r->car, pool, npool, trust, ntrust,
		    NULL, 0, at, &cadp, &res, &se);
	if ((rc = npkd_cvc_inner_check(r, cadp, result, e)) != NPKD_OK)
		return rc;
	if (ca != NULL && (rc = npkd_cvc_key_fits(r, cadp, ca, cadp, result,
	    e)) != NPKD_OK)
		return rc;
	if (r->kind != NPKD_CVC_AUTH_REQUEST)
		return NPKD_OK;
	return npkd_cvc_outer_check(r, pool, npool, trust, ntrust, NULL, 0, at,
	    NPKD_CVC_OUTER_CVCA | NPKD_CVC_OUTER_HOLDER, NULL, result, e);
}

const uint8_t *
npkd_cvc_der(const struct npkd_cvc *c, size_t *len)
{
	*len = c->der.len;
	return c->der.data;
}

/*
 * A number given by a person or a policy: decimal digits only, no sign,
 * no spaces, within [min, max]; anything else is refused, never read as
 * 0 or as the maximum.
 */
int
npkd_cvc_number(const char *s, long min, long max, long *out,
    struct npkd_err *e)
{
	long	 v = 0;
	size_t	 i;

	*out = 0;
	if (s == NULL || s[0] == '\0')
		return npkd_seterr(e, NPKD_E_USAGE, "an empty number");
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9')
			return npkd_seterr(e, NPKD_E_USAGE, "\"%.32s\" is not a "
			    "number", s);
		if (v > max / 10 || (v == max / 10 && s[i] - '0' > max % 10))
			return npkd_seterr(e, NPKD_E_USAGE, "%.32s is more than "
			    "%ld", s, max);
		v = v * 10 + (s[i] - '0');
	}
	if (v < min)
		return npkd_seterr(e, NPKD_E_USAGE, "%ld is less than %ld", v,
		    min);
	*out = v;
	return NPKD_OK;
}

/*
 * A date YYYY-MM-DD of the calendar (2000 to 2099, the years CV
 * certificates can say), as noon UTC of that day.
 */
int
npkd_cvc_date(const char *s, time_t *out, struct npkd_err *e)
{
	struct tm	 tm;
	int		 y, m, d;
	size_t		 i;

	*out = 0;
	if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
		return npkd_seterr(e, NPKD_E_USAGE, "%.32s: not a date "
		    "YYYY-MM-DD", s);
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return npkd_seterr(e, NPKD_E_USAGE, "%.32s: not a date "
			    "YYYY-MM-DD", s);
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < 2000 || y > 2099 || !calendar_day(y, m, d))
		return npkd_seterr(e, NPKD_E_USAGE, "%s: no such day (2000 to "
		    "2099)", s);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	*out = timegm(&tm);
	return NPKD_OK;
}
