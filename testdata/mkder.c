/*
 * mkder - builds the ICAO containers for the test PKI from certificates
 * made by OpenSSL, and makes broken variants.  Deliberately independent of
 * libnpkd (no shared code with what it tests): plain C, no libraries.
 *
 *   mkder ml OUT CERT.der...		CscaMasterList { v0, SET OF cert }
 *   mkder dl OUT DSC.der OID...		DeviationList naming DSC by issuer+serial
 *   mkder flip IN OUT last		flip the last byte of IN
 *   mkder flip IN OUT inside PART	flip the last byte of PART inside IN
 *   mkder bulk OUT N TEMPLATE.der...	CscaMasterList of N copies of the TEMPLATEs,
 *					its 8-byte serial replaced by 1..N
 *					(their signatures no longer verify)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "mkder"
#include "mkutil.h"

static int
cmpblob(const void *a, const void *b)
{
	const struct blob	*x = a, *y = b;
	size_t			 n = x->n < y->n ? x->n : y->n;
	int			 c = memcmp(x->p, y->p, n);

	if (c != 0)
		return c;
	return x->n < y->n ? -1 : x->n > y->n;
}

static int
cmd_ml(int argc, char *argv[])
{
	struct blob	*v, set = { NULL, 0 }, ver, body;
	static const unsigned char zero[] = { 0x00 };
	int		 i, n = argc - 3;

	if (n < 1)
		die("ml: no certificates");
	if ((v = calloc((size_t)n, sizeof(*v))) == NULL)
		die("out of memory");
	for (i = 0; i < n; i++)
		v[i] = slurp(argv[3 + i]);
	/* DER: SET OF elements sorted by their encodings (X.690 11.6). */
	qsort(v, (size_t)n, sizeof(*v), cmpblob);
	for (i = 0; i < n; i++) {
		struct blob c = { malloc(v[i].n), v[i].n };

		memcpy(c.p, v[i].p, v[i].n);
		set = set.p ? cat(set, c) : c;
	}
	ver = tlv(0x02, zero, 1);
	body = cat(ver, tlv(0x31, set.p, set.n));
	set = tlv(0x30, body.p, body.n);
	spit(argv[2], set.p, set.n);
	return 0;
}

/* Encode a dotted OID as DER content. */
static struct blob
oid(const char *s)
{
	unsigned char	 b[64];
	unsigned long	 arc[32], v;
	size_t		 n = 0, na = 0, i, k;
	char		*end;

	while (*s && na < 32) {
		arc[na++] = strtoul(s, &end, 10);
		s = *end == '.' ? end + 1 : end;
		if (*end != '.' && *end != '\0')
			die("bad OID");
	}
	if (na < 2)
		die("bad OID");
	b[n++] = (unsigned char)(arc[0] * 40 + arc[1]);
	for (i = 2; i < na; i++) {
		unsigned char t[8];

		v = arc[i];
		k = 0;
		do {
			t[k++] = v & 0x7f;
			v >>= 7;
		} while (v);
		while (k > 0) {
			k--;
			b[n++] = (unsigned char)(t[k] | (k ? 0x80 : 0));
		}
	}
	return tlv(0x06, b, n);
}

static int
cmd_dl(int argc, char *argv[])
{
	struct blob	 dsc, isn, docs, descs = { NULL, 0 }, dev, body;
	static const unsigned char zero[] = { 0x00 };
	const unsigned char *p;
	size_t		 h, len, tl, off, issuer_off, issuer_len, ser_off, ser_len;
	int		 i;

	if (argc < 5)
		die("dl: OUT DSC OID...");
	dsc = slurp(argv[3]);
	/* Certificate -> tbsCertificate -> [0] version, serial, sig, issuer */
	p = dsc.p;
	h = hdr(p, dsc.n, &len);
	off = h;
	h = hdr(p + off, dsc.n - off, &tl);
	off += h;
	if (p[off] == 0xa0) {
		h = hdr(p + off, dsc.n - off, &len);
		off += h + len;
	}
	ser_off = off;
	h = hdr(p + off, dsc.n - off, &len);
	ser_len = h + len;
	off += ser_len;
	h = hdr(p + off, dsc.n - off, &len);
	off += h + len;
	issuer_off = off;
	h = hdr(p + off, dsc.n - off, &len);
	issuer_len = h + len;

	/* issuerAndSerialNumber [1] IMPLICIT: SEQUENCE tag becomes A1. */
	{
		struct blob a = { malloc(issuer_len), issuer_len };
		struct blob b = { malloc(ser_len), ser_len };

		memcpy(a.p, p + issuer_off, issuer_len);
		memcpy(b.p, p + ser_off, ser_len);
		a = cat(a, b);
		isn = tlv(0xa1, a.p, a.n);
	}
	docs = tlv(0x30, isn.p, isn.n);
	for (i = 4; i < argc; i++) {
		struct blob o = oid(argv[i]);
		struct blob d = tlv(0x30, o.p, o.n);

		descs = descs.p ? cat(descs, d) : d;
	}
	dev = cat(docs, tlv(0x31, descs.p, descs.n));
	dev = tlv(0x30, dev.p, dev.n);
	body = cat(tlv(0x02, zero, 1), tlv(0x31, dev.p, dev.n));
	body = tlv(0x30, body.p, body.n);
	spit(argv[2], body.p, body.n);
	return 0;
}

static int
cmd_flip(int argc, char *argv[])
{
	struct blob	 in, part;
	unsigned char	*at;

	if (argc < 5)
		die("flip: IN OUT last|inside PART");
	in = slurp(argv[2]);
	if (strcmp(argv[4], "last") == 0)
		in.p[in.n - 1] ^= 0x01;
	else if (strcmp(argv[4], "inside") == 0 && argc == 6) {
		part = slurp(argv[5]);
		at = memmem(in.p, in.n, part.p, part.n);
		if (at == NULL)
			die("flip: part not found");
		at[part.n - 1] ^= 0x01;
	} else
		die("flip: IN OUT last|inside PART");
	spit(argv[3], in.p, in.n);
	return 0;
}

/* A DER tag and minimal definite length into h; returns its size. */
static size_t
derlen(unsigned char *h, unsigned int tag, size_t n)
{
	size_t	hl = 0, k = 0, i;

	h[hl++] = (unsigned char)tag;
	if (n < 0x80) {
		h[hl++] = (unsigned char)n;
		return hl;
	}
	for (i = n; i > 0; i >>= 8)
		k++;
	h[hl++] = (unsigned char)(0x80 | k);
	for (i = 0; i < k; i++)
		h[hl++] = (unsigned char)(n >> (8 * (k - 1 - i)));
	return hl;
}

/*
 * N certificates from templates taken in turn, each with its own serial
 * number: a template's serial must be an 8-byte INTEGER (02 08 ...),
 * replaced in place so that no length changes.  The SET OF is written as
 * generated (with one template the serials ascend, so the encodings do;
 * with more, the reader's tolerance of order is not what is tested).
 */
#define BULK_MAX_TEMPLATES	8

static int
cmd_bulk(int argc, char *argv[])
{
	struct blob	 t[BULK_MAX_TEMPLATES];
	unsigned char	*p, h[16], h2[16];
	size_t		 n, i, j, k, nt, at[BULK_MAX_TEMPLATES], body = 0, hl,
			 sl, total;
	int		 found;
	FILE		*f;

	if (argc < 5 || argc - 4 > BULK_MAX_TEMPLATES)
		die("usage: mkder bulk OUT N TEMPLATE.der [TEMPLATE.der ...]");
	n = (size_t)strtoul(argv[3], NULL, 10);
	nt = (size_t)argc - 4;
	for (j = 0; j < nt; j++) {
		t[j] = slurp(argv[4 + j]);
		/* tbsCertificate: [0] version, then the serial */
		for (found = 0, i = 0; i + 10 < t[j].n && i < 32; i++)
			if (t[j].p[i] == 0x02 && t[j].p[i + 1] == 0x08) {
				at[j] = i + 2;
				found = 1;
				break;
			}
		if (!found)
			die("bulk: a template without an 8-byte serial");
	}
	if (n == 0)
		die("bulk: N is 0");
	for (i = 0; i < n; i++)
		body += t[i % nt].n;
	hl = derlen(h, 0x31, body);
	sl = hl;
	total = 3 + sl + body;
	if ((f = fopen(argv[2], "wb")) == NULL)
		die(argv[2]);
	/* SEQUENCE { INTEGER 0, SET OF }, minimal lengths (DER) */
	hl = derlen(h2, 0x30, total);
	fwrite(h2, 1, hl, f);
	fwrite("\x02\x01\x00", 1, 3, f);
	fwrite(h, 1, sl, f);
	for (i = 1; i <= n; i++) {
		j = (i - 1) % nt;
		p = t[j].p + at[j];
		p[0] = 0x01;	/* positive, eight octets */
		for (k = 1; k < 8; k++)
			p[k] = (unsigned char)(i >> (8 * (7 - k)));
		if (fwrite(t[j].p, 1, t[j].n, f) != t[j].n)
			die(argv[2]);
	}
	if (fclose(f) != 0)
		die(argv[2]);
	for (j = 0; j < nt; j++)
		free(t[j].p);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc >= 3 && strcmp(argv[1], "ml") == 0)
		return cmd_ml(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "dl") == 0)
		return cmd_dl(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "flip") == 0)
		return cmd_flip(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "bulk") == 0)
		return cmd_bulk(argc, argv);
	die("usage: mkder ml|dl|flip|bulk ...");
	return 2;
}
