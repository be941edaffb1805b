/*
 * mkder - builds the ICAO containers for the test PKI from certificates
 * made by OpenSSL, and makes broken variants.  Deliberately independent of
 * libnpkd (no shared code with what it tests): plain C, no libraries.
 *
 *   mkder ml OUT CERT.der...		CscaMasterList { v0, SET OF cert }
 *   mkder dl OUT DSC.der OID...		DeviationList naming DSC by issuer+serial
 *   mkder flip IN OUT last		flip the last byte of IN
 *   mkder flip IN OUT inside PART	flip the last byte of PART inside IN
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct blob {
	unsigned char	*p;
	size_t		 n;
};

static void
die(const char *m)
{
	fprintf(stderr, "mkder: %s\n", m);
	exit(2);
}

static struct blob
slurp(const char *path)
{
	struct blob	 b = { NULL, 0 };
	FILE		*f;
	size_t		 cap = 0, r;

	if ((f = fopen(path, "rb")) == NULL)
		die(path);
	for (;;) {
		if (b.n == cap) {
			cap = cap ? cap * 2 : 4096;
			if ((b.p = realloc(b.p, cap)) == NULL)
				die("out of memory");
		}
		if ((r = fread(b.p + b.n, 1, cap - b.n, f)) == 0)
			break;
		b.n += r;
	}
	fclose(f);
	return b;
}

static void
spit(const char *path, const unsigned char *p, size_t n)
{
	FILE *f;

	if ((f = fopen(path, "wb")) == NULL || fwrite(p, 1, n, f) != n ||
	    fclose(f) != 0)
		die(path);
}

/* Append tag + definite length + content. */
static struct blob
tlv(unsigned int tag, const unsigned char *c, size_t n)
{
	struct blob	 b;
	unsigned char	 h[8];
	size_t		 hl = 0, i, k = 0;

	h[hl++] = (unsigned char)tag;
	if (n < 0x80)
		h[hl++] = (unsigned char)n;
	else {
		for (i = n; i > 0; i >>= 8)
			k++;
		h[hl++] = (unsigned char)(0x80 | k);
		for (i = 0; i < k; i++)
			h[hl++] = (unsigned char)(n >> (8 * (k - 1 - i)));
	}
	b.n = hl + n;
	if ((b.p = malloc(b.n ? b.n : 1)) == NULL)
		die("out of memory");
	memcpy(b.p, h, hl);
	if (n)
		memcpy(b.p + hl, c, n);
	return b;
}

static struct blob
cat(struct blob a, struct blob b)
{
	struct blob r;

	r.n = a.n + b.n;
	if ((r.p = malloc(r.n ? r.n : 1)) == NULL)
		die("out of memory");
	memcpy(r.p, a.p, a.n);
	memcpy(r.p + a.n, b.p, b.n);
	free(a.p);
	free(b.p);
	return r;
}

/* Header of the TLV at p: returns header length, sets content length. */
static size_t
hdr(const unsigned char *p, size_t avail, size_t *len)
{
	size_t i, k;

	if (avail < 2)
		die("truncated DER");
	if (p[1] < 0x80) {
		*len = p[1];
		return 2;
	}
	k = p[1] & 0x7f;
	if (k == 0 || k > 4 || avail < 2 + k)
		die("unsupported DER length");
	for (*len = 0, i = 0; i < k; i++)
		*len = (*len << 8) | p[2 + i];
	return 2 + k;
}

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

int
main(int argc, char *argv[])
{
	if (argc >= 3 && strcmp(argv[1], "ml") == 0)
		return cmd_ml(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "dl") == 0)
		return cmd_dl(argc, argv);
	if (argc >= 3 && strcmp(argv[1], "flip") == 0)
		return cmd_flip(argc, argv);
	die("usage: mkder ml|dl|flip ...");
	return 2;
}
