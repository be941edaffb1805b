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

	if ((f = u8_casefold(s, n, NULL, UNINORM_NFKC, NULL, &fl)) == NULL &&
	    n > 0)
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
