/*
 * asn1.c - strict DER decoding through libtasn1 over schemas/npkd.asn,
 * small readers, a DER header walker and X.501 name helpers.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "npkd_int.h"

extern const asn1_static_node npkd_asn1_tab[];

asn1_node npkd_asn1_defs;

int
npkd_asn1_init(struct npkd_err *e)
{
	char	 emsg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	int	 r;

	if (npkd_asn1_defs != NULL)
		return NPKD_OK;
	r = asn1_array2tree(npkd_asn1_tab, &npkd_asn1_defs, emsg);
	if (r != ASN1_SUCCESS)
		return npkd_seterr(e, NPKD_E_USAGE, "ASN.1 module: %s", emsg);
	return NPKD_OK;
}

/*
 * Each type's empty structure, made from the module once and copied for
 * each decoding (asn1_dup_node only reads it): making it anew resolves
 * the type's references by name every time, a quarter of the cost of
 * decoding a certificate.  The copies are kept for the process's life.
 */
#define NTEMPLATES	64

static struct {
	char		 name[64];
	asn1_node	 node;
}			 templates[NTEMPLATES];
static size_t		 ntemplates;
static pthread_mutex_t	 templates_mu = PTHREAD_MUTEX_INITIALIZER;

static int
element(const char *name, asn1_node *out)
{
	asn1_node	t = NULL;
	size_t		i;

	*out = NULL;
	pthread_mutex_lock(&templates_mu);
	for (i = 0; i < ntemplates && t == NULL; i++)
		if (strcmp(templates[i].name, name) == 0)
			t = templates[i].node;
	if (t == NULL && ntemplates < NTEMPLATES &&
	    strlen(name) < sizeof(templates[0].name) &&
	    asn1_create_element(npkd_asn1_defs, name, &t) == ASN1_SUCCESS) {
		memcpy(templates[ntemplates].name, name, strlen(name) + 1);
		templates[ntemplates++].node = t;
	}
	pthread_mutex_unlock(&templates_mu);
	if (t != NULL && (*out = asn1_dup_node(t, "")) != NULL)
		return ASN1_SUCCESS;
	return asn1_create_element(npkd_asn1_defs, name, out);
}

/*
 * Decode der as NPKD.<type> with strict DER.  Trailing bytes after the
 * outer element are an error.  ctx names the object in messages.
 */
int
npkd_asn1_decode(const char *type, const uint8_t *der, size_t len,
    asn1_node *out, const char *ctx, struct npkd_err *e)
{
	char		 name[96], emsg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	asn1_node	 n = NULL;
	unsigned int	 tag;
	size_t		 hdr, clen;
	int		 r, used;

	*out = NULL;
	if (len > NPKD_MAX_FILE)
		return npkd_seterr(e, NPKD_E_LIMIT, "%s: too large", ctx);
	if (len == 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: empty", ctx);
	/* Say plainly what is wrong with the outer element first. */
	if ((r = npkd_der_header(der, len, &tag, &hdr, &clen)) != NPKD_OK) {
		if (len >= 2 && (der[1] == 0x80))
			return npkd_seterr(e, NPKD_E_FORMAT, "%s: indefinite "
			    "length (BER, not DER)", ctx);
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: not DER, or "
		    "truncated (%zu bytes)", ctx, len);
	}
	if (hdr + clen < len)
		return npkd_seterr(e, NPKD_E_FORMAT,
		    "%s: %zu trailing bytes after the DER object", ctx,
		    len - hdr - clen);
	snprintf(name, sizeof(name), "NPKD.%s", type);
	if ((r = element(name, &n)) != ASN1_SUCCESS)
		return npkd_asn2err(e, r, ctx);
	used = (int)len;
	emsg[0] = '\0';
	r = asn1_der_decoding2(&n, der, &used, ASN1_DECODE_FLAG_STRICT_DER,
	    emsg);
	if (r != ASN1_SUCCESS) {
		asn1_delete_structure(&n);
		if (r == ASN1_MEM_ALLOC_ERROR)
			return npkd_asn2err(e, r, ctx);
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: malformed DER (%s%s%s)",
		    ctx, asn1_strerror(r), emsg[0] ? ": " : "", emsg);
	}
	if ((size_t)used != len) {
		asn1_delete_structure(&n);
		return npkd_seterr(e, NPKD_E_FORMAT,
		    "%s: %zu trailing bytes after the DER object", ctx,
		    len - (size_t)used);
	}
	*out = n;
	return NPKD_OK;
}

/* Bytes (tag and length included) of element name inside der. */
int
npkd_asn1_span(asn1_node n, const uint8_t *der, size_t len, const char *name,
    const uint8_t **p, size_t *plen)
{
	int start, end;

	*p = NULL;
	*plen = 0;
	if (asn1_der_decoding_startEnd(n, der, (int)len, name, &start, &end) !=
	    ASN1_SUCCESS || start < 0 || end < start || (size_t)end >= len)
		return NPKD_E_NOTFOUND;
	*p = der + start;
	*plen = (size_t)(end - start + 1);
	return NPKD_OK;
}

/* Is element name there (decoding drops absent OPTIONAL elements)? */
int
npkd_asn1_present(asn1_node n, const char *name)
{
	return asn1_find_node(n, name) != NULL;
}

int
npkd_asn1_read_oid(asn1_node n, const char *name, char *buf, size_t sz)
{
	int len = (int)sz;

	buf[0] = '\0';
	if (asn1_read_value(n, name, buf, &len) != ASN1_SUCCESS)
		return NPKD_E_NOTFOUND;
	return NPKD_OK;
}

/* Read a value into a new buffer. */
int
npkd_asn1_read_alloc(asn1_node n, const char *name, struct npkd_buf *out)
{
	int len = 0, r;

	out->data = NULL;
	out->len = 0;
	r = asn1_read_value(n, name, NULL, &len);
	if (r == ASN1_SUCCESS && len == 0) {
		if ((out->data = malloc(1)) == NULL)
			return NPKD_E_NOMEM;
		return NPKD_OK;
	}
	if (r != ASN1_MEM_ERROR)
		return NPKD_E_NOTFOUND;
	if ((out->data = malloc((size_t)len + 1)) == NULL)
		return NPKD_E_NOMEM;
	if (asn1_read_value(n, name, out->data, &len) != ASN1_SUCCESS) {
		npkd_buf_free(out);
		return NPKD_E_NOTFOUND;
	}
	out->len = (size_t)len;
	return NPKD_OK;
}

/*
 * BIT STRING element name (or the whole of der for "") decoded from its
 * DER: the bytes and the number of unused bits (0..7, X.690 8.6.2).
 */
int
npkd_asn1_read_bits(asn1_node n, const uint8_t *der, size_t len,
    const char *name, struct npkd_buf *out, int *unused)
{
	const uint8_t	*p;
	size_t		 plen, hdr, clen;
	unsigned int	 tag;

	out->data = NULL;
	out->len = 0;
	*unused = 0;
	if (name[0] == '\0') {
		p = der;
		plen = len;
	} else if (npkd_asn1_span(n, der, len, name, &p, &plen) != NPKD_OK)
		return NPKD_E_NOTFOUND;
	if (npkd_der_header(p, plen, &tag, &hdr, &clen) != NPKD_OK ||
	    tag != 0x03 || clen < 1 || p[hdr] > 7 || (clen == 1 && p[hdr] != 0))
		return NPKD_E_FORMAT;
	if ((out->data = malloc(clen)) == NULL)
		return NPKD_E_NOMEM;
	memcpy(out->data, p + hdr + 1, clen - 1);
	out->len = clen - 1;
	*unused = p[hdr];
	return NPKD_OK;
}

/* Small non-negative INTEGER. */
int
npkd_asn1_read_uint(asn1_node n, const char *name, unsigned long *v)
{
	uint8_t	 b[16];
	int	 len = sizeof(b), i;

	*v = 0;
	if (asn1_read_value(n, name, b, &len) != ASN1_SUCCESS)
		return NPKD_E_NOTFOUND;
	if (len < 1 || len > 8 || (b[0] & 0x80))
		return NPKD_E_FORMAT;
	for (i = 0; i < len; i++)
		*v = (*v << 8) | b[i];
	return NPKD_OK;
}

static int
digits(const char *s, int n, int *v)
{
	int i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		*v = *v * 10 + (s[i] - '0');
	}
	return 0;
}

/*
 * A UTCTime (YYMMDDHHMMSSZ) or GeneralizedTime (YYYYMMDDHHMMSSZ) value, as
 * RFC 5280 4.1.2.5 allows them, checked as a calendar date.
 */
int
npkd_der_time(const char *s, size_t len, int gen, time_t *t)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	char		 b[16];
	struct tm	 tm;
	int		 y, off, leap;

	*t = 0;
	if (len != (gen ? 15u : 13u))
		return NPKD_E_FORMAT;
	memcpy(b, s, len);
	b[len] = '\0';
	memset(&tm, 0, sizeof(tm));
	if (gen) {
		if (digits(b, 4, &y) == -1)
			return NPKD_E_FORMAT;
		off = 4;
	} else {
		if (digits(b, 2, &y) == -1)
			return NPKD_E_FORMAT;
		y += y < 50 ? 2000 : 1900;	/* RFC 5280 4.1.2.5.1 */
		off = 2;
	}
	if (digits(b + off, 2, &tm.tm_mon) == -1 ||
	    digits(b + off + 2, 2, &tm.tm_mday) == -1 ||
	    digits(b + off + 4, 2, &tm.tm_hour) == -1 ||
	    digits(b + off + 6, 2, &tm.tm_min) == -1 ||
	    digits(b + off + 8, 2, &tm.tm_sec) == -1 || b[off + 10] != 'Z')
		return NPKD_E_FORMAT;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > mdays[tm.tm_mon - 1] ||
	    (tm.tm_mon == 2 && tm.tm_mday == 29 && !leap) ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 59)
		return NPKD_E_FORMAT;
	tm.tm_year = y - 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm);
	return NPKD_OK;
}

/* Time CHOICE (UTCTime or GeneralizedTime, "Z" form) to time_t. */
int
npkd_asn1_read_time(asn1_node n, const char *name, time_t *t)
{
	char		 choice[32], path[160], s[40];
	int		 len;

	*t = 0;
	len = sizeof(choice);
	if (asn1_read_value(n, name, choice, &len) != ASN1_SUCCESS)
		return NPKD_E_NOTFOUND;
	snprintf(path, sizeof(path), "%s%s%s", name, name[0] ? "." : "",
	    choice);
	len = sizeof(s) - 1;
	if (asn1_read_value(n, path, s, &len) != ASN1_SUCCESS)
		return NPKD_E_FORMAT;
	s[len] = '\0';
	return npkd_der_time(s, strlen(s), strcmp(choice, "generalTime") == 0,
	    t);
}

/* Dotted form of the content octets of a DER OBJECT IDENTIFIER. */
int
npkd_oid_string(const uint8_t *p, size_t n, char *out, size_t sz)
{
	unsigned long	 v = 0;
	size_t		 i, off;

	if (n == 0 || n > 64 || (p[n - 1] & 0x80) || sz < 8)
		return NPKD_E_FORMAT;
	off = (size_t)snprintf(out, sz, "%u.%u", p[0] < 80 ? p[0] / 40 : 2,
	    p[0] < 80 ? p[0] % 40 : p[0] - 80);
	if (p[0] & 0x80)
		return NPKD_E_FORMAT;	/* first arcs over one octet: rare */
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

/*
 * Parse one DER TLV header at p (single-byte tags, definite lengths of up
 * to four octets).  hdr is the header size, clen the content size, which
 * must fit in len.
 */
int
npkd_der_header(const uint8_t *p, size_t len, unsigned int *tag, size_t *hdr,
    size_t *clen)
{
	size_t	 n, i, l;

	if (len < 2)
		return NPKD_E_FORMAT;
	*tag = p[0];
	if ((p[0] & 0x1f) == 0x1f)
		return NPKD_E_FORMAT;
	if (p[1] < 0x80) {
		l = p[1];
		*hdr = 2;
	} else {
		n = p[1] & 0x7f;
		if (n == 0 || n > 4 || len < 2 + n)
			return NPKD_E_FORMAT;	/* indefinite or too long */
		if (p[2] == 0)
			return NPKD_E_FORMAT;	/* not minimal */
		for (l = 0, i = 0; i < n; i++)
			l = (l << 8) | p[2 + i];
		if (l < 0x80)
			return NPKD_E_FORMAT;	/* not minimal */
		*hdr = 2 + n;
	}
	if (l > len - *hdr)
		return NPKD_E_FORMAT;
	*clen = l;
	return NPKD_OK;
}

size_t
npkd_der_put_header(uint8_t *out, unsigned int tag, size_t len)
{
	size_t n = 0, i;

	out[0] = (uint8_t)tag;
	if (len < 0x80) {
		out[1] = (uint8_t)len;
		return 2;
	}
	for (i = len; i > 0; i >>= 8)
		n++;
	out[1] = (uint8_t)(0x80 | n);
	for (i = 0; i < n; i++)
		out[2 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	return 2 + n;
}
