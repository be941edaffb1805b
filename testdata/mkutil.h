/*
 * mkutil.h - what the fixture makers mkder and mkcv share: files read and
 * written whole, DER TLVs built and headers read, dying on any error.
 * Plain C, no libraries, nothing of libnpkd.  Define PROG before.
 */
#ifndef MKUTIL_H
#define MKUTIL_H

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
	fprintf(stderr, "%s: %s\n", PROG, m);
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

#endif
