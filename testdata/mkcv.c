/*
 * mkcv - builds card verifiable certificates' and requests' TLVs for the
 * EAC test PKI from bytes signed by OpenSSL, and makes broken variants.
 * Deliberately independent of libnpkd (no shared code with what it
 * tests): plain C, no libraries.  Tags of one or two bytes; walks into
 * 67, 7F21, 7F4E, 7F49, 7F4C, 65 and 73.
 *
 *   mkcv raw OUT HEX			the bytes HEX
 *   mkcv tlv TAG OUT IN...		TAG (hex) around the files IN, in order
 *   mkcv cvget IN OUT TAG		value of the first TLV with TAG
 *   mkcv cvpick IN OUT TAG		the first top-level TLV with TAG, whole
 *   mkcv cvdrop IN OUT TAG...		the top-level TLVs of IN but those TAGs
 *   mkcv cvset IN OUT TAG HEX		replace the value of the first TAG
 *   mkcv cvflip IN OUT TAG		flip the last byte of the first TAG
 *   mkcv rs IN OUT N			DER ECDSA-Sig-Value to r || s, N each
 *   mkcv spki IN OUT point|n|e		EC point or RSA n, e of a DER SPKI
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "mkcv"
#include "mkutil.h"

struct cvt {
	unsigned int	 tag;
	size_t		 off, hl, len;	/* of the whole TLV, header, value */
};

/* The TLV at p[off] (n bytes in all). */
static int
cvt_at(const unsigned char *p, size_t n, size_t off, struct cvt *t)
{
	size_t i = off, k, l;

	if (i >= n)
		return -1;
	t->tag = p[i++];
	if ((t->tag & 0x1f) == 0x1f) {
		do {
			if (i >= n)
				return -1;
			t->tag = (t->tag << 8) | p[i];
		} while (p[i++] & 0x80);
	}
	if (i >= n)
		return -1;
	if (p[i] < 0x80)
		l = p[i++];
	else {
		k = p[i++] & 0x7f;
		if (k == 0 || k > 3 || i + k > n)
			return -1;
		for (l = 0; k > 0; k--)
			l = (l << 8) | p[i++];
	}
	if (l > n - i)
		return -1;
	t->off = off;
	t->hl = i - off;
	t->len = l;
	return 0;
}

static int
constructed(unsigned int tag)
{
	return tag == 0x67 || tag == 0x7f21 || tag == 0x7f4e ||
	    tag == 0x7f49 || tag == 0x7f4c || tag == 0x65 || tag == 0x73;
}

/* Depth-first: the first TLV with tag in p[off, end). */
static int
cvt_find(const unsigned char *p, size_t off, size_t end, unsigned int tag,
    struct cvt *out)
{
	struct cvt t;

	while (off < end) {
		if (cvt_at(p, end, off, &t) != 0)
			die("cv: bad TLV");
		if (t.tag == tag) {
			*out = t;
			return 0;
		}
		if (constructed(t.tag) && cvt_find(p, off + t.hl, off + t.hl +
		    t.len, tag, out) == 0)
			return 0;
		off += t.hl + t.len;
	}
	return -1;
}

static unsigned int
taghex(const char *s)
{
	return (unsigned int)strtoul(s, NULL, 16);
}

static struct blob
unhex(const char *s)
{
	struct blob	 b;
	size_t		 i, n = strlen(s) / 2;
	unsigned int	 v;

	if (strlen(s) % 2 != 0)
		die("odd hex");
	if ((b.p = malloc(n ? n : 1)) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			die("bad hex");
		b.p[i] = (unsigned char)v;
	}
	b.n = n;
	return b;
}

/* Tag of one or two bytes, then a minimal length, then n bytes. */
static struct blob
cvtlv(unsigned int tag, const unsigned char *c, size_t n)
{
	struct blob	 inner = tlv(0, c, n), b;

	if (tag < 0x100) {
		inner.p[0] = (unsigned char)tag;
		return inner;
	}
	b.n = inner.n + 1;
	if ((b.p = malloc(b.n)) == NULL)
		die("out of memory");
	b.p[0] = (unsigned char)(tag >> 8);
	b.p[1] = (unsigned char)tag;
	memcpy(b.p + 2, inner.p + 1, inner.n - 1);
	free(inner.p);
	return b;
}

static int
cmd_cv(int argc, char *argv[])
{
	struct blob	 in, r = { NULL, 0 };
	struct cvt	 t;
	size_t		 off, i;
	int		 a;

	if (strcmp(argv[1], "raw") == 0 && argc == 4) {
		r = unhex(argv[3]);
		spit(argv[2], r.p, r.n);
		return 0;
	}
	if (strcmp(argv[1], "tlv") == 0 && argc >= 4) {
		struct blob all = { malloc(1), 0 };

		for (a = 4; a < argc; a++)
			all = cat(all, slurp(argv[a]));
		r = cvtlv(taghex(argv[2]), all.p, all.n);
		spit(argv[3], r.p, r.n);
		return 0;
	}
	if (argc < 5)
		die("cv: IN OUT TAG ...");
	in = slurp(argv[2]);
	if (strcmp(argv[1], "rs") == 0) {
		size_t n = strtoul(argv[4], NULL, 10), h, l, rl, sl;
		const unsigned char *rp, *sp;

		/* SEQUENCE { INTEGER r, INTEGER s } */
		h = hdr(in.p, in.n, &l);
		rp = in.p + h;
		h = hdr(rp, in.n - (size_t)(rp - in.p), &rl);
		rp += h;
		sp = rp + rl;
		h = hdr(sp, in.n - (size_t)(sp - in.p), &sl);
		sp += h;
		while (rl > n && *rp == 0) { rp++; rl--; }
		while (sl > n && *sp == 0) { sp++; sl--; }
		if (rl > n || sl > n)
			die("rs: too long");
		r.n = 2 * n;
		r.p = calloc(1, r.n);
		memcpy(r.p + n - rl, rp, rl);
		memcpy(r.p + 2 * n - sl, sp, sl);
		spit(argv[3], r.p, r.n);
		return 0;
	}
	if (strcmp(argv[1], "spki") == 0) {
		const unsigned char *p = in.p;
		size_t h, l, bl;

		/* SEQUENCE { AlgorithmIdentifier, BIT STRING } */
		h = hdr(p, in.n, &l);
		p += h;
		h = hdr(p, in.n - (size_t)(p - in.p), &l);
		p += h + l;
		h = hdr(p, in.n - (size_t)(p - in.p), &bl);
		p += h + 1;	/* unused bits */
		bl--;
		if (strcmp(argv[4], "point") == 0) {
			spit(argv[3], p, bl);
			return 0;
		}
		/* RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER } */
		h = hdr(p, bl, &l);
		p += h;
		h = hdr(p, l, &l);
		if (strcmp(argv[4], "e") == 0) {
			p += h + l;
			h = hdr(p, bl, &l);
		}
		p += h;
		while (l > 1 && *p == 0) { p++; l--; }
		spit(argv[3], p, l);
		return 0;
	}
	if (strcmp(argv[1], "cvpick") == 0 || strcmp(argv[1], "cvdrop") == 0) {
		int pick = strcmp(argv[1], "cvpick") == 0, drop, found = 0;

		r.p = malloc(in.n ? in.n : 1);
		for (off = 0; off < in.n; off += t.hl + t.len) {
			if (cvt_at(in.p, in.n, off, &t) != 0)
				die("cv: bad TLV");
			for (drop = 0, a = 4; a < argc; a++)
				drop |= t.tag == taghex(argv[a]);
			if (pick ? drop && !found++ : !drop) {
				memcpy(r.p + r.n, in.p + off, t.hl + t.len);
				r.n += t.hl + t.len;
			}
		}
		if (pick && !found)
			die("cvpick: no such tag");
		spit(argv[3], r.p, r.n);
		return 0;
	}
	if (cvt_find(in.p, 0, in.n, taghex(argv[4]), &t) != 0)
		die("cv: no such tag");
	if (strcmp(argv[1], "cvget") == 0) {
		spit(argv[3], in.p + t.off + t.hl, t.len);
		return 0;
	}
	if (strcmp(argv[1], "cvflip") == 0) {
		in.p[t.off + t.hl + t.len - 1] ^= 0x01;
		spit(argv[3], in.p, in.n);
		return 0;
	}
	if (strcmp(argv[1], "cvset") == 0 && argc == 6) {
		r = unhex(argv[5]);
		if (r.n != t.len)
			die("cvset: another length");
		for (i = 0; i < r.n; i++)
			in.p[t.off + t.hl + i] = r.p[i];
		spit(argv[3], in.p, in.n);
		return 0;
	}
	die("cv: unknown operation");
	return 2;
}

int
main(int argc, char *argv[])
{
	if (argc >= 4)
		return cmd_cv(argc, argv);
	die("usage: mkcv raw|tlv|cvget|cvpick|cvdrop|cvset|cvflip|rs|spki ...");
	return 2;
}
