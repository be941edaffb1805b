/*
 * ber.c - a bounded BER reader that writes what it reads in DER form.
 *
 * Security objects of real passports are BER: one New Zealand EF.SOD has
 * indefinite lengths throughout its SignedData.  The rest of npkd reads
 * strict DER only, so an EF.SOD is first rewritten here: lengths definite
 * and minimal (X.690 10.1), strings given in segments joined (X.690 10.2,
 * 8.7.3, 8.6.4).  Nothing else changes, so that signed bytes that were
 * DER stay the same bytes.  The input is walked once to learn whether it
 * is DER already (then it is copied) and once more to rewrite it.
 */
#include <stdlib.h>
#include <string.h>

#include "pa_int.h"

struct tlv {
	size_t		 tlen;		/* identifier octets */
	size_t		 hlen;		/* identifier and length octets */
	size_t		 clen;		/* content (definite) */
	int		 cons;
	int		 indef;
	int		 longlen;
	int		 universal;	/* class universal */
	unsigned long	 num;		/* tag number */
};

/*
 * Universal types whose BER encoding may be constructed (X.690 8.6, 8.7,
 * 8.23, and the time types built on them).
 */
static int
string_type(unsigned long n)
{
	switch (n) {
	case 3: case 4: case 12: case 18: case 19: case 20: case 21: case 22:
	case 23: case 24: case 25: case 26: case 27: case 28: case 30:
		return 1;
	}
	return 0;
}

/* One identifier and length at p, within n bytes. */
static int
header(const uint8_t *p, size_t n, struct tlv *t, struct npkd_err *e)
{
	size_t	 i = 1, k, j;

	memset(t, 0, sizeof(*t));
	if (n < 2)
		return npkd_seterr(e, NPKD_E_FORMAT, "BER: truncated");
	t->cons = (p[0] & 0x20) != 0;
	t->universal = (p[0] & 0xc0) == 0;
	t->num = p[0] & 0x1f;
	if (t->num == 0x1f) {
		/* X.690 8.1.2.4: high tag number, shortest form */
		if (p[1] == 0x80)
			return npkd_seterr(e, NPKD_E_FORMAT, "BER: tag number "
			    "with a leading zero");
		for (t->num = 0; ; i++) {
			if (i >= n || i > 4)
				return npkd_seterr(e, NPKD_E_FORMAT, "BER: tag "
				    "number too long");
			t->num = t->num << 7 | (p[i] & 0x7f);
			if (!(p[i] & 0x80))
				break;
		}
		i++;
		if (t->num < 31)
			return npkd_seterr(e, NPKD_E_FORMAT, "BER: tag number "
			    "%lu in the long form", t->num);
	}
	t->tlen = i;
	if (i >= n)
		return npkd_seterr(e, NPKD_E_FORMAT, "BER: truncated");
	if (p[i] < 0x80) {
		t->clen = p[i];
		i++;
	} else if (p[i] == 0x80) {
		/* X.690 8.1.3.2: indefinite only for constructed encodings */
		if (!t->cons)
			return npkd_seterr(e, NPKD_E_FORMAT, "BER: indefinite "
			    "length on a primitive encoding");
		t->indef = 1;
		i++;
	} else {
		k = p[i] & 0x7f;
		if (k == 0x7f)
			return npkd_seterr(e, NPKD_E_FORMAT, "BER: reserved "
			    "length octet");
		if (k > 4)
			return npkd_seterr(e, NPKD_E_FORMAT, "BER: length of "
			    "%zu octets", k);
		if (n - i - 1 < k)
			return npkd_seterr(e, NPKD_E_FORMAT, "BER: truncated");
		for (t->clen = 0, j = 0; j < k; j++)
			t->clen = t->clen << 8 | p[i + 1 + j];
		if (p[i + 1] == 0 || t->clen < 0x80)
			t->longlen = 1;
		i += 1 + k;
	}
	t->hlen = i;
	if (!t->indef && t->clen > n - i)
		return npkd_seterr(e, NPKD_E_FORMAT, "BER: content of %zu "
		    "bytes, %zu left", t->clen, n - i);
	if (p[0] == 0 && (t->clen != 0 || t->cons))
		return npkd_seterr(e, NPKD_E_FORMAT, "BER: tag 0 that is not "
		    "an end-of-contents");
	return NPKD_OK;
}

static int
put(struct npkd_dbuf *o, const uint8_t *tag, size_t tlen, size_t clen)
{
	uint8_t	 h[8];
	size_t	 n;

	if (npkd_dbuf_add(o, tag, tlen) != NPKD_OK)
		return NPKD_E_LIMIT;
	/* the length part of a DER header for clen */
	n = npkd_der_put_header(h, 0, clen);
	return npkd_dbuf_add(o, h + 1, n - 1);
}

/*
 * The segments of a constructed string, already rewritten into sub as
 * primitive TLVs of its type, joined into one primitive string.  A BIT
 * STRING's segments each start with their unused-bits octet, which must
 * be 0 but in the last (X.690 8.6.4).
 */
static int
join(struct npkd_dbuf *o, const uint8_t *tag, size_t tlen, int bitstring,
    const struct npkd_dbuf *sub, struct npkd_err *e)
{
	unsigned int	 tg;
	size_t		 off, h, l, total = 0, nseg = 0;
	uint8_t		 unused = 0;

	for (off = 0; off < sub->len; off += h + l, nseg++) {
		if (npkd_der_header(sub->data + off, sub->len - off, &tg, &h,
		    &l) != NPKD_OK)
			return npkd_seterr(e, NPKD_E_FORMAT, "BER: segment");
		if (bitstring) {
			if (l == 0 || sub->data[off + h] > 7 || (l == 1 &&
			    sub->data[off + h] != 0))
				return npkd_seterr(e, NPKD_E_FORMAT, "BER: BIT "
				    "STRING segment without a valid "
				    "unused-bits octet");
			if (unused != 0)
				return npkd_seterr(e, NPKD_E_FORMAT, "BER: unused "
				    "bits in a BIT STRING segment not last");
			unused = sub->data[off + h];
			l--, h++, total--;
		}
		total += l;
	}
	if (bitstring)
		total += nseg + 1;
	if (put(o, tag, tlen, total) != NPKD_OK ||
	    (bitstring && npkd_dbuf_add(o, &unused, 1) != NPKD_OK))
		return npkd_seterr(e, NPKD_E_LIMIT, "BER: too large");
	for (off = 0; off < sub->len; off += h + l) {
		npkd_der_header(sub->data + off, sub->len - off, &tg, &h, &l);
		if (bitstring)
			h++, l--;
		if (npkd_dbuf_add(o, sub->data + off + h, l) != NPKD_OK)
			return npkd_seterr(e, NPKD_E_LIMIT, "BER: too large");
	}
	return NPKD_OK;
}

/*
 * One TLV at p (within n bytes): its size in *used; with o set, its DER
 * form appended to o.  Segments of a constructed string must be of its
 * own universal type (X.690 8.7.3.2).
 */
static int
walk(const uint8_t *p, size_t n, int depth, struct npkd_dbuf *o,
    size_t *used, unsigned int *what, struct npkd_err *e)
{
	struct npkd_dbuf sub;
	struct tlv	 t, c;
	size_t		 off, end, k;
	uint8_t		 ptag[5];
	int		 rc = NPKD_OK, str;

	*used = 0;
	if ((rc = header(p, n, &t, e)) != NPKD_OK)
		return rc;
	if (p[0] == 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "BER: end-of-contents "
		    "where an element must be");
	if (t.longlen)
		*what |= NPKD_BER_LONGLEN;
	if (!t.cons) {
		*used = t.hlen + t.clen;
		if (o != NULL && (put(o, p, t.tlen, t.clen) != NPKD_OK ||
		    npkd_dbuf_add(o, p + t.hlen, t.clen) != NPKD_OK))
			return npkd_seterr(e, NPKD_E_LIMIT, "BER: too large");
		return NPKD_OK;
	}
	if (depth >= NPKD_MAX_DEPTH)
		return npkd_seterr(e, NPKD_E_LIMIT, "BER: nested deeper than "
		    "%d", NPKD_MAX_DEPTH);
	if (t.indef)
		*what |= NPKD_BER_INDEFINITE;
	str = t.universal && string_type(t.num);
	if (str)
		*what |= NPKD_BER_CONSTRUCTED;
	npkd_dbuf_init(&sub, NPKD_MAX_DER + 4096);
	off = t.hlen;
	end = t.indef ? n : t.hlen + t.clen;
	for (;;) {
		if (t.indef && end - off >= 2 && p[off] == 0 && p[off + 1] == 0) {
			off += 2;
			break;
		}
		if (off == end) {
			if (t.indef)
				rc = npkd_seterr(e, NPKD_E_FORMAT, "BER: no "
				    "end-of-contents");
			break;
		}
		if (str && (rc = header(p + off, end - off, &c, e)) == NPKD_OK &&
		    (!c.universal || c.num != t.num))
			rc = npkd_seterr(e, NPKD_E_FORMAT, "BER: segment of "
			    "another type in a constructed string");
		if (rc != NPKD_OK || (rc = walk(p + off, end - off, depth + 1,
		    o != NULL ? &sub : NULL, &k, what, e)) != NPKD_OK)
			break;
		off += k;
	}
	if (rc != NPKD_OK)
		goto out;
	*used = off;
	if (o == NULL)
		goto out;
	if (str) {
		memcpy(ptag, p, t.tlen);
		ptag[0] &= (uint8_t)~0x20;
		rc = join(o, ptag, t.tlen, t.num == 3, &sub, e);
	} else if (put(o, p, t.tlen, sub.len) != NPKD_OK ||
	    npkd_dbuf_add(o, sub.data, sub.len) != NPKD_OK)
		rc = npkd_seterr(e, NPKD_E_LIMIT, "BER: too large");
 out:
	npkd_dbuf_free(&sub);
	return rc;
}

int
npkd_ber_der(const uint8_t *in, size_t len, struct npkd_buf *out,
    unsigned int *what, struct npkd_err *e)
{
	struct npkd_dbuf o;
	size_t		 used;
	int		 rc;

	out->data = NULL;
	out->len = 0;
	*what = 0;
	if (len > NPKD_MAX_DER)
		return npkd_seterr(e, NPKD_E_LIMIT, "BER: larger than %lu "
		    "bytes", NPKD_MAX_DER);
	if ((rc = walk(in, len, 0, NULL, &used, what, e)) != NPKD_OK)
		return rc;
	if (used != len)
		return npkd_seterr(e, NPKD_E_FORMAT, "BER: %zu trailing bytes",
		    len - used);
	npkd_dbuf_init(&o, NPKD_MAX_DER + 4096);
	if (*what == 0)
		rc = npkd_dbuf_add(&o, in, len);
	else
		rc = walk(in, len, 0, &o, &used, what, e);
	if (rc != NPKD_OK) {
		npkd_dbuf_free(&o);
		return rc == NPKD_E_LIMIT ? npkd_seterr(e, rc, "BER: too large") :
		    rc;
	}
	out->data = o.data;
	out->len = o.len;
	return NPKD_OK;
}

/* ICAO 9303-10 4.6.1, table of LDS tags. */
int
npkd_lds_tag_dg(unsigned int tag)
{
	static const uint8_t dgtag[16] = { 0x61, 0x75, 0x63, 0x76, 0x65, 0x66,
	    0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70 };
	int i;

	if (tag == 0x60)
		return 0;
	if (tag == 0x77)
		return -1;
	for (i = 0; i < 16; i++)
		if (dgtag[i] == tag)
			return i + 1;
	return -2;
}
