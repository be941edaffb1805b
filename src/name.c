/*
 * name.c - X.501 Names compared the way RFC 5280 7.1 asks: attribute by
 * attribute, string values prepared as RFC 4518 says (transcoded to
 * Unicode, case folded and NFKC-normalised by libunistring, insignificant
 * spaces removed), the values of a multi-valued RDN in any order.  A name
 * is reduced to a canonical byte string; two names match when their
 * canonical forms are equal, and the SHA-256 of the form is the key under
 * which the store finds issuers.
 */
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include "npkd_int.h"

#define MAX_ATVS	64	/* attributes in one RDN */

/* One attribute, canonical: len-prefixed OID, kind, len-prefixed value. */
struct atv {
	uint8_t	*p;
	size_t	 n;
};

static int
put32(struct npkd_dbuf *d, size_t n)
{
	uint8_t b[4];

	b[0] = (uint8_t)(n >> 24);
	b[1] = (uint8_t)(n >> 16);
	b[2] = (uint8_t)(n >> 8);
	b[3] = (uint8_t)n;
	return npkd_dbuf_add(d, b, 4);
}

/*
 * A string value as UTF-8, or NULL when its type is not one of the
 * DirectoryString family (the caller then compares the raw encoding).
 * TeletexString is read as Latin-1, as real issuers use it.
 */
static uint8_t *
to_utf8(unsigned int tag, const uint8_t *v, size_t n, size_t *olen)
{
	uint8_t	*o = NULL;
	size_t	 i, k = 0;
	uint32_t c;

	switch (tag) {
	case 0x0c:	/* UTF8String */
		if (u8_check(v, n) != NULL)
			return NULL;
		if ((o = malloc(n + 1)) == NULL)
			return NULL;
		memcpy(o, v, n);
		k = n;
		break;
	case 0x13:	/* PrintableString */
	case 0x16:	/* IA5String */
	case 0x14:	/* TeletexString, as Latin-1 */
		if ((o = malloc(2 * n + 1)) == NULL)
			return NULL;
		for (i = 0; i < n; i++) {
			if (v[i] < 0x80)
				o[k++] = v[i];
			else if (tag == 0x14) {
				o[k++] = (uint8_t)(0xc0 | v[i] >> 6);
				o[k++] = (uint8_t)(0x80 | (v[i] & 0x3f));
			} else {
				free(o);
				return NULL;
			}
		}
		break;
	case 0x1e:	/* BMPString, UCS-2 big endian */
	case 0x1c:	/* UniversalString, UCS-4 big endian */
		if (n % (tag == 0x1e ? 2 : 4) != 0 || (o = malloc(2 * n + 1)) ==
		    NULL)
			return NULL;
		for (i = 0; i < n; i += tag == 0x1e ? 2 : 4) {
			c = tag == 0x1e ? (uint32_t)v[i] << 8 | v[i + 1] :
			    (uint32_t)v[i] << 24 | (uint32_t)v[i + 1] << 16 |
			    (uint32_t)v[i + 2] << 8 | v[i + 3];
			if (u8_uctomb(o + k, c, (int)(2 * n + 1 - k)) <= 0) {
				free(o);
				return NULL;
			}
			k += (size_t)u8_mblen(o + k, 2 * n + 1 - k);
		}
		break;
	default:
		return NULL;
	}
	*olen = k;
	return o;
}

/*
 * RFC 4518 preparation of a string value: case fold and NFKC (sections
 * 2.3, 2.4), then insignificant space handling (2.6.1): leading and
 * trailing spaces dropped, inner runs made one.
 */
static uint8_t *
prepare_string(const uint8_t *s, size_t n, size_t *olen)
{
	uint8_t	*f, *o;
	size_t	 fl = 0, i, k = 0;
	int	 sp = 0;

	for (i = 0; i < n && s[i] < 0x80; i++)
		;
	if (i == n) {
		/* ASCII: folding is tolower, NFKC changes nothing */
		if ((f = malloc(n + 1)) == NULL)
			return NULL;
		for (i = 0; i < n; i++)
			f[i] = (uint8_t)(s[i] >= 'A' && s[i] <= 'Z' ?
			    s[i] + 32 : s[i]);
		fl = n;
	} else if ((f = u8_casefold(s, n, NULL, UNINORM_NFKC, NULL, &fl)) ==
	    NULL && n > 0)
		return NULL;
	if ((o = malloc(fl + 1)) == NULL) {
		free(f);
		return NULL;
	}
	for (i = 0; i < fl; i++) {
		if (f[i] == ' ' || f[i] == '\t' || f[i] == '\n' || f[i] == '\r') {
			sp = k > 0;
			continue;
		}
		if (sp)
			o[k++] = ' ';
		sp = 0;
		o[k++] = f[i];
	}
	free(f);
	*olen = k;
	return o;
}

/* One AttributeTypeAndValue at p (its content) into a canonical form. */
static int
one_atv(const uint8_t *p, size_t len, struct atv *out)
{
	struct npkd_dbuf d;
	unsigned int	 tag;
	size_t		 h, cl, off, vh, vl, sl = 0;
	uint8_t		*u, *s = NULL;
	int		 rc;

	if (npkd_der_header(p, len, &tag, &h, &cl) != NPKD_OK || tag != 0x06 ||
	    h + cl > len)
		return NPKD_E_FORMAT;
	off = h + cl;
	if (npkd_der_header(p + off, len - off, &tag, &vh, &vl) != NPKD_OK ||
	    off + vh + vl != len)
		return NPKD_E_FORMAT;
	npkd_dbuf_init(&d, NPKD_MAX_DER * 4);
	rc = put32(&d, cl);
	if (rc == NPKD_OK)
		rc = npkd_dbuf_add(&d, p + h, cl);
	if (rc == NPKD_OK && (u = to_utf8(tag, p + off + vh, vl, &sl)) != NULL) {
		s = prepare_string(u, sl, &sl);
		free(u);
	}
	if (rc == NPKD_OK && s != NULL) {
		rc = npkd_dbuf_add(&d, "S", 1);
		if (rc == NPKD_OK)
			rc = put32(&d, sl);
		if (rc == NPKD_OK)
			rc = npkd_dbuf_add(&d, s, sl);
	} else if (rc == NPKD_OK) {
		/* not a string we prepare: the whole encoding must match */
		rc = npkd_dbuf_add(&d, "R", 1);
		if (rc == NPKD_OK)
			rc = put32(&d, vh + vl);
		if (rc == NPKD_OK)
			rc = npkd_dbuf_add(&d, p + off, vh + vl);
	}
	free(s);
	if (rc != NPKD_OK) {
		npkd_dbuf_free(&d);
		return rc;
	}
	out->p = d.data;
	out->n = d.len;
	return NPKD_OK;
}

static int
cmp_atv(const void *a, const void *b)
{
	const struct atv	*x = a, *y = b;
	size_t			 n = x->n < y->n ? x->n : y->n;
	int			 c = memcmp(x->p, y->p, n);

	return c != 0 ? c : (x->n > y->n) - (x->n < y->n);
}

/*
 * The canonical form of a DER Name (caller frees out->data).  A name
 * that does not decode is kept as "raw" + its bytes, so that it matches
 * only itself.
 */
int
npkd_name_norm(const uint8_t *der, size_t len, struct npkd_buf *out)
{
	struct npkd_dbuf d;
	struct atv	 v[MAX_ATVS];
	unsigned int	 tag;
	size_t		 h, cl, off, end, rh, rl, roff, rend, ah, al, nv, i;
	int		 rc = NPKD_OK;

	out->data = NULL;
	out->len = 0;
	npkd_dbuf_init(&d, NPKD_MAX_DER * 4);
	if (npkd_der_header(der, len, &tag, &h, &cl) != NPKD_OK ||
	    tag != 0x30 || h + cl != len) {
		rc = NPKD_E_FORMAT;
		goto raw;
	}
	if ((rc = npkd_dbuf_add(&d, "N", 1)) != NPKD_OK)
		goto raw;
	end = len;
	for (off = h; off < end && rc == NPKD_OK; off += rh + rl) {
		if (npkd_der_header(der + off, end - off, &tag, &rh, &rl) !=
		    NPKD_OK || tag != 0x31) {
			rc = NPKD_E_FORMAT;
			break;
		}
		rend = off + rh + rl;
		nv = 0;
		for (roff = off + rh; roff < rend; roff += ah + al) {
			if (npkd_der_header(der + roff, rend - roff, &tag, &ah,
			    &al) != NPKD_OK || tag != 0x30 || nv == MAX_ATVS ||
			    one_atv(der + roff + ah, al, &v[nv]) != NPKD_OK) {
				rc = NPKD_E_FORMAT;
				break;
			}
			nv++;
		}
		if (rc == NPKD_OK && nv == 0)
			rc = NPKD_E_FORMAT;
		/* SET OF: the order of the values carries no meaning */
		qsort(v, nv, sizeof(v[0]), cmp_atv);
		if (rc == NPKD_OK)
			rc = npkd_dbuf_add(&d, "{", 1);
		for (i = 0; i < nv; i++) {
			if (rc == NPKD_OK)
				rc = put32(&d, v[i].n);
			if (rc == NPKD_OK)
				rc = npkd_dbuf_add(&d, v[i].p, v[i].n);
			free(v[i].p);
		}
		if (rc == NPKD_OK)
			rc = npkd_dbuf_add(&d, "}", 1);
	}
 raw:
	if (rc != NPKD_OK) {
		npkd_dbuf_free(&d);
		npkd_dbuf_init(&d, NPKD_MAX_DER * 4);
		if (npkd_dbuf_add(&d, "raw", 3) != NPKD_OK ||
		    npkd_dbuf_add(&d, der, len) != NPKD_OK) {
			npkd_dbuf_free(&d);
			return NPKD_E_NOMEM;
		}
	}
	out->data = d.data;
	out->len = d.len;
	return NPKD_OK;
}

/* SHA-256 of the canonical form: equal names, equal ids. */
int
npkd_name_id(const uint8_t *der, size_t len, uint8_t id[32])
{
	struct npkd_buf	n;
	int		rc;

	if ((rc = npkd_name_norm(der, len, &n)) != NPKD_OK)
		return rc;
	rc = npkd_hash(NPKD_HASH_SHA256, n.data, n.len, id, NULL);
	npkd_buf_free(&n);
	return rc;
}

/* Do two DER names match (RFC 5280 7.1)? */
int
npkd_name_equal(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint8_t	x[32], y[32];

	if (alen == blen && memcmp(a, b, alen) == 0)
		return 1;
	return npkd_name_id(a, alen, x) == NPKD_OK &&
	    npkd_name_id(b, blen, y) == NPKD_OK && memcmp(x, y, 32) == 0;
}

/* ---- names as text ---- */

struct atvref {
	const uint8_t	*oid, *val;
	size_t		 oidlen, vallen;
	unsigned int	 tag;
};

/* Walk the RDNs of a Name: fn(arg, rdn index, atv) for each; -1 if bad. */
static int
walk(const uint8_t *der, size_t len, int (*fn)(void *, size_t, size_t,
    const struct atvref *), void *arg)
{
	struct atvref	 a;
	unsigned int	 tag;
	size_t		 h, cl, off, rh, rl, roff, rend, ah, al, oh, ol, k, vh,
			 vl, nr = 0, nv;
	int		 r;

	if (npkd_der_header(der, len, &tag, &h, &cl) != NPKD_OK ||
	    tag != 0x30 || h + cl != len)
		return -1;
	for (off = h; off < len; off += rh + rl, nr++) {
		if (npkd_der_header(der + off, len - off, &tag, &rh, &rl) !=
		    NPKD_OK || tag != 0x31)
			return -1;
		rend = off + rh + rl;
		for (nv = 0, roff = off + rh; roff < rend; roff += ah + al, nv++) {
			if (npkd_der_header(der + roff, rend - roff, &tag, &ah,
			    &al) != NPKD_OK || tag != 0x30)
				return -1;
			k = roff + ah;
			if (npkd_der_header(der + k, al, &tag, &oh, &ol) !=
			    NPKD_OK || tag != 0x06)
				return -1;
			a.oid = der + k + oh;
			a.oidlen = ol;
			k += oh + ol;
			if (npkd_der_header(der + k, roff + ah + al - k, &tag,
			    &vh, &vl) != NPKD_OK || k + vh + vl != roff + ah + al)
				return -1;
			a.tag = tag;
			a.val = der + k + vh;
			a.vallen = vl;
			if ((r = fn(arg, nr, nv, &a)) != 0)
				return r;
		}
	}
	return 0;
}

/* id-at-countryName, 2.5.4.6 */
static const uint8_t OID_C[] = { 0x55, 0x04, 0x06 };

struct cfind {
	char	*out;
	size_t	 sz;
	int	 done;
};

static int
country_one(void *arg, size_t r, size_t v, const struct atvref *a)
{
	struct cfind *c = arg;

	(void)r;
	(void)v;
	if (c->done || a->oidlen != sizeof(OID_C) ||
	    memcmp(a->oid, OID_C, sizeof(OID_C)) != 0)
		return 0;
	c->done = 1;
	/* PrintableString, UTF8String, IA5String, TeletexString */
	if ((a->tag != 0x13 && a->tag != 0x0c && a->tag != 0x16 &&
	    a->tag != 0x14) || a->vallen + 1 > c->sz ||
	    memchr(a->val, '\0', a->vallen) != NULL)
		return 1;
	memcpy(c->out, a->val, a->vallen);
	c->out[a->vallen] = '\0';
	return 1;
}

/*
 * The first country name (2.5.4.6) of a DER Name, as written: its string
 * value whatever its string type (real ones use UTF8String too); "" if
 * there is none.
 */
void
npkd_name_country(const uint8_t *der, size_t len, char *out, size_t sz)
{
	struct cfind c = { out, sz, 0 };

	out[0] = '\0';
	(void)walk(der, len, country_one, &c);
}

/*
 * The RFC 4514 string.  Common names take a fast path here (attribute
 * types CN, C, O, OU, L, ST, serialNumber; one value per RDN; printable
 * strings needing no escape); anything else is GnuTLS's
 * gnutls_x509_rdn_get2, whose output the fast path reproduces
 * (t_cert checks the two agree).
 */
static const struct {
	uint8_t		 last;		/* 2.5.4.<last> */
	const char	*name;
} short_names[] = {
	{ 3, "CN" }, { 6, "C" }, { 10, "O" }, { 11, "OU" }, { 7, "L" },
	{ 8, "ST" }, { 5, "serialNumber" },
};

struct fast {
	struct npkd_dbuf	 d;
	struct atvref		 v[64];
	size_t			 n;
};

static int
fast_one(void *arg, size_t r, size_t nv, const struct atvref *a)
{
	struct fast	*f = arg;
	size_t		 i;

	if (nv > 0 || f->n == 64 || r != f->n)
		return -1;		/* multi-valued: GnuTLS */
	if (a->oidlen != 3 || a->oid[0] != 0x55 || a->oid[1] != 0x04)
		return -1;
	for (i = 0; i < sizeof(short_names) / sizeof(short_names[0]); i++)
		if (a->oid[2] == short_names[i].last)
			break;
	if (i == sizeof(short_names) / sizeof(short_names[0]) ||
	    (a->tag != 0x13 && a->tag != 0x0c && a->tag != 0x16) ||
	    a->vallen == 0 || a->val[0] == ' ' || a->val[0] == '#' ||
	    a->val[a->vallen - 1] == ' ')
		return -1;
	for (i = 0; i < a->vallen; i++)
		if (a->val[i] < 0x20 || a->val[i] >= 0x7f ||
		    strchr(",+\"\\<>;=", a->val[i]) != NULL)
			return -1;
	f->v[f->n++] = *a;
	return 0;
}

/* GnuTLS's RFC 4514 string (the reference of the fast path). */
char *
npkd_name_string_gnutls(const uint8_t *der, size_t len)
{
	gnutls_datum_t	 in, str = { NULL, 0 };
	char		*s;

	in.data = (unsigned char *)(uintptr_t)der;
	in.size = (unsigned int)len;
	if (gnutls_x509_rdn_get2(&in, &str, 0) < 0)
		return strdup("(unreadable name)");
	s = strndup((char *)str.data, str.size);
	gnutls_free(str.data);
	return s;
}

/* The RFC 4514 string of a DER Name (caller frees). */
char *
npkd_name_string(const uint8_t *der, size_t len)
{
	struct fast	 f;
	size_t		 i, k;

	memset(&f, 0, sizeof(f));
	if (len < 4096 && walk(der, len, fast_one, &f) == 0) {
		npkd_dbuf_init(&f.d, 8192);
		/* RFC 4514: the last RDN first */
		for (i = f.n; i-- > 0;) {
			for (k = 0; short_names[k].last != f.v[i].oid[2]; k++)
				;
			if (npkd_dbuf_printf(&f.d, "%s%s=", i + 1 < f.n ? "," :
			    "", short_names[k].name) != NPKD_OK ||
			    npkd_dbuf_add(&f.d, f.v[i].val, f.v[i].vallen) !=
			    NPKD_OK) {
				npkd_dbuf_free(&f.d);
				return NULL;
			}
		}
		if (f.n > 0 && npkd_dbuf_add(&f.d, "", 1) == NPKD_OK)
			return (char *)f.d.data;
		npkd_dbuf_free(&f.d);
	}
	return npkd_name_string_gnutls(der, len);
}
