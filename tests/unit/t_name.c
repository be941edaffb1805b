/*
 * t_name.c - names as RFC 5280 7.1 compares them, their text, and keys
 * as the trust model compares them.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "npkd_int.h"

/* A DER Name of (oid last arc under 2.5.4, string tag, value) triples. */
static size_t
mkname(uint8_t *out, const unsigned int *arcs, const unsigned int *tags,
    const char *const *vals, size_t n, int multi)
{
	uint8_t	 rdns[1024], atv[256], set[512];
	size_t	 rl = 0, i, al, sl = 0, vl, h;

	for (i = 0; i < n; i++) {
		vl = strlen(vals[i]);
		al = 0;
		atv[al++] = 0x06;
		atv[al++] = 3;
		atv[al++] = 0x55;
		atv[al++] = 0x04;
		atv[al++] = (uint8_t)arcs[i];
		atv[al++] = (uint8_t)tags[i];
		atv[al++] = (uint8_t)vl;
		memcpy(atv + al, vals[i], vl);
		al += vl;
		h = npkd_der_put_header(set + sl, 0x30, al);
		memcpy(set + sl + h, atv, al);
		sl += h + al;
		if (!multi || i + 1 == n) {
			h = npkd_der_put_header(rdns + rl, 0x31, sl);
			memcpy(rdns + rl + h, set, sl);
			rl += h + sl;
			sl = 0;
		}
	}
	h = npkd_der_put_header(out, 0x30, rl);
	memcpy(out + h, rdns, rl);
	return h + rl;
}

static void
names_match_as_rfc_5280_says(void)
{
	static const unsigned int arcs[] = { 6, 10, 3 };
	static const unsigned int ps[] = { 0x13, 0x13, 0x13 };
	static const unsigned int u8[] = { 0x13, 0x0c, 0x0c };
	static const char *const a[] = { "DE", "bund", "CSCA  Germany" };
	static const char *const b[] = { "de", "BUND", " csca germany " };
	static const char *const c[] = { "DE", "bund", "CSCA Germanz" };
	static const char *const d[] = { "DE", "bund", "\xc3\x84RGER" };
	static const char *const f[] = { "DE", "bund", "\xc3\xa4rger" };
	uint8_t x[512], y[512];
	size_t xl, yl;

	xl = mkname(x, arcs, ps, a, 3, 0);
	yl = mkname(y, arcs, u8, b, 3, 0);
	/* case, spacing and PrintableString against UTF8String */
	CU_ASSERT_TRUE(npkd_name_equal(x, xl, y, yl));
	yl = mkname(y, arcs, ps, c, 3, 0);
	CU_ASSERT_FALSE(npkd_name_equal(x, xl, y, yl));
	/* Unicode case folding, not only ASCII */
	xl = mkname(x, arcs, u8, d, 3, 0);
	yl = mkname(y, arcs, u8, f, 3, 0);
	CU_ASSERT_TRUE(npkd_name_equal(x, xl, y, yl));
	/* the values of a multi-valued RDN in any order; RDN order counts */
	{
		static const unsigned int r1[] = { 10, 3 }, r2[] = { 3, 10 };
		static const unsigned int t2[] = { 0x0c, 0x0c };
		static const char *const v1[] = { "O", "CN" };
		static const char *const v2[] = { "CN", "O" };

		xl = mkname(x, r1, t2, v1, 2, 1);
		yl = mkname(y, r2, t2, v2, 2, 1);
		CU_ASSERT_TRUE(npkd_name_equal(x, xl, y, yl));
		xl = mkname(x, r1, t2, v1, 2, 0);
		yl = mkname(y, r2, t2, v2, 2, 0);
		CU_ASSERT_FALSE(npkd_name_equal(x, xl, y, yl));
	}
	/* a value that is no string: its encoding must be the same */
	{
		static const unsigned int r[] = { 3 }, t1[] = { 0x04 },
		    t2[] = { 0x0c };
		static const char *const v[] = { "X" };

		xl = mkname(x, r, t1, v, 1, 0);
		yl = mkname(y, r, t2, v, 1, 0);
		CU_ASSERT_FALSE(npkd_name_equal(x, xl, y, yl));
	}
	/* garbage matches only itself */
	CU_ASSERT_TRUE(npkd_name_equal((const uint8_t *)"\x30\x03\x31\x01",
	    4, (const uint8_t *)"\x30\x03\x31\x01", 4));
	CU_ASSERT_FALSE(npkd_name_equal((const uint8_t *)"\x30\x03\x31\x01",
	    4, (const uint8_t *)"\x30\x03\x31\x02", 4));
}

static int
agrees(const struct npkd_cert *c, const char *what)
{
	char	*a = npkd_name_string_gnutls(c->subject_der, c->subject_len);
	char	*b = npkd_name_string_gnutls(c->issuer_der, c->issuer_len);
	int	 ok = strcmp(a, c->subject) == 0 && strcmp(b, c->issuer) == 0;

	if (!ok)
		fprintf(stderr, "%s: '%s' / '%s' against '%s' / '%s'\n", what,
		    c->subject, c->issuer, a, b);
	free(a);
	free(b);
	return ok;
}

/* Every certificate of a directory, and of every list in it. */
static size_t
agree_dir(const char *dir, size_t *bad)
{
	struct dirent	*de;
	DIR		*d;
	struct npkd_buf	 b;
	struct npkd_cert **v, *c;
	struct npkd_ml	*m;
	struct npkd_err	 e;
	char		 p[4096];
	size_t		 n, i, k = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		/* not the scale test's lists */
		if (de->d_name[0] == '.' || strncmp(de->d_name, "big_", 4) ==
		    0 || npkd_file_read(p, NPKD_MAX_FILE, &b, &e) != NPKD_OK)
			continue;
		if (npkd_certs_load(b.data, b.len, &v, &n, &e) == NPKD_OK) {
			for (i = 0; i < n; i++, k++)
				*bad += !agrees(v[i], p);
			npkd_certs_free(v, n);
		} else if (npkd_ml_parse(b.data, b.len, &m, &e) == NPKD_OK) {
			for (i = 0; i < npkd_ml_count(m); i++)
				if (npkd_ml_member(m, i, &c, &e) == NPKD_OK) {
					*bad += !agrees(c, p);
					npkd_cert_free(c);
					k++;
				}
			npkd_ml_free(m);
		}
		npkd_buf_free(&b);
	}
	closedir(d);
	return k;
}

static void
name_strings_agree_with_gnutls(void)
{
	size_t	bad = 0, n;

	n = agree_dir(td(""), &bad);
	CU_ASSERT_TRUE(n > 40);
	n += agree_dir("../shared/corpus/npkd/certs", &bad);
	n += agree_dir("../shared/corpus/npkd/ml", &bad);
	n += agree_dir("../shared/corpus/pa/real", &bad);
	CU_ASSERT_EQUAL(bad, 0);
	printf("(%zu certificates) ", n);
}

/* SubjectPublicKeyInfo of the point of c on the named curve oid. */
static int
named_spki(const struct npkd_cert *c, const uint8_t *oid, size_t oidlen,
    uint8_t *out, size_t *outlen)
{
	uint8_t	 alg[64], bits[200], body[300];
	size_t	 al = 0, bl = 0, n = 0, h;
	static const uint8_t ecpk[] = { 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
	    0x3d, 0x02, 0x01 };

	if (c->pub->q.len + 1 > sizeof(bits) - 4)
		return -1;
	memcpy(alg, ecpk, sizeof(ecpk));
	al = sizeof(ecpk);
	alg[al++] = 0x06;
	alg[al++] = (uint8_t)oidlen;
	memcpy(alg + al, oid, oidlen);
	al += oidlen;
	n = npkd_der_put_header(body, 0x30, al);
	memcpy(body + n, alg, al);
	n += al;
	bits[bl++] = 0x00;
	memcpy(bits + bl, c->pub->q.data, c->pub->q.len);
	bl += c->pub->q.len;
	h = npkd_der_put_header(body + n, 0x03, bl);
	memcpy(body + n + h, bits, bl);
	n += h + bl;
	h = npkd_der_put_header(out, 0x30, n);
	memcpy(out + h, body, n);
	*outlen = h + n;
	return 0;
}

static void
keys_are_the_same_only_when_wholly_the_same(void)
{
	/* brainpoolP256r1 1.3.36.3.3.2.8.1.1.7, P-256 1.2.840.10045.3.1.7 */
	static const uint8_t bp256[] = { 0x2b, 0x24, 0x03, 0x03, 0x02, 0x08,
	    0x01, 0x01, 0x07 };
	static const uint8_t p256[] = { 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03,
	    0x01, 0x07 };
	struct npkd_cert *bb = td_cert("bb_csca.der");	/* explicit P256r1 */
	struct npkd_cert *ff = td_cert("ff_csca.der");
	struct npkd_cert *aa = td_cert("aa_csca.der");
	struct npkd_cert *link = td_cert("aa_link.der");
	struct npkd_cert *aa2 = td_cert("aa_csca2.der");
	struct npkd_pubkey *k = NULL;
	struct npkd_err	 e;
	uint8_t		 spki[300], id[32];
	size_t		 n;

	/* a link and the new CSCA carry one key */
	CU_ASSERT_EQUAL(memcmp(link->keyid, aa2->keyid, 32), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(aa->keyid, aa2->keyid, 32), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(bb->keyid, ff->keyid, 32), 0);
	/* explicit parameters of a named curve: the named key */
	CU_ASSERT_EQUAL_FATAL(named_spki(bb, bp256, sizeof(bp256), spki, &n), 0);
	CU_ASSERT_EQUAL_FATAL(npkd_pubkey_parse(spki, n, &k, NULL, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL(npkd_pubkey_id(k, id), NPKD_OK);
	CU_ASSERT_EQUAL(memcmp(id, bb->keyid, 32), 0);
	npkd_pubkey_free(k);
	/* the same point on another curve is another key (if it parses) */
	CU_ASSERT_EQUAL_FATAL(named_spki(bb, p256, sizeof(p256), spki, &n), 0);
	if (npkd_pubkey_parse(spki, n, &k, NULL, &e) == NPKD_OK) {
		CU_ASSERT_EQUAL(npkd_pubkey_id(k, id), NPKD_OK);
		CU_ASSERT_NOT_EQUAL(memcmp(id, bb->keyid, 32), 0);
		npkd_pubkey_free(k);
	}
	npkd_cert_free(bb);
	npkd_cert_free(ff);
	npkd_cert_free(aa);
	npkd_cert_free(link);
	npkd_cert_free(aa2);
}

CU_TestInfo t_name[] = {
	{ "names match as RFC 5280 7.1 says",
	    names_match_as_rfc_5280_says },
	{ "name strings agree with GnuTLS",
	    name_strings_agree_with_gnutls },
	{ "keys are the same only when wholly the same",
	    keys_are_the_same_only_when_wholly_the_same },
	CU_TEST_INFO_NULL
};
