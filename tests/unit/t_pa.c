/*
 * t_pa.c - passive authentication: the bounded BER reader, the EF.SOD
 * reader checked against the CMS reader on every generated document,
 * hostile security objects, MRZ countries, and one context shared by
 * several threads giving the verdicts one thread gives.
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "pa_int.h"

static const char *
docs(const char *name)
{
	static char	 buf[4096];
	const char	*dir = getenv("NPKD_DOCS");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "build/docs", name);
	return buf;
}

static struct npkd_buf
docs_read(const char *name)
{
	struct npkd_buf	 b = { NULL, 0 };
	struct npkd_err	 e;

	if (npkd_file_read(docs(name), NPKD_MAX_FILE, &b, &e) != NPKD_OK) {
		fprintf(stderr, "fixture %s: %s\n", name, e.msg);
		CU_FAIL_FATAL("document fixture missing (make build/docs/.done)");
	}
	return b;
}

/* in (hex-free bytes) rewritten must give want, with these liberties. */
static void
ber_ok(const uint8_t *in, size_t n, const uint8_t *want, size_t wn,
    unsigned int what)
{
	struct npkd_buf	 out;
	struct npkd_err	 e;
	unsigned int	 w;

	CU_ASSERT_EQUAL_FATAL(npkd_ber_der(in, n, &out, &w, &e), NPKD_OK);
	CU_ASSERT_EQUAL(w, what);
	CU_ASSERT_EQUAL(out.len, wn);
	CU_ASSERT(out.len == wn && memcmp(out.data, want, wn) == 0);
	npkd_buf_free(&out);
}

static void
ber_bad(const uint8_t *in, size_t n, int code)
{
	struct npkd_buf	 out;
	struct npkd_err	 e;
	unsigned int	 w;

	CU_ASSERT_EQUAL(npkd_ber_der(in, n, &out, &w, &e), code);
	CU_ASSERT_PTR_NULL(out.data);
}

static void
test_ber_forms(void)
{
	static const uint8_t der[] = { 0x30, 0x06, 0x02, 0x01, 0x05, 0x04,
	    0x01, 0xaa };
	static const uint8_t indef[] = { 0x30, 0x80, 0x02, 0x01, 0x05, 0x24,
	    0x80, 0x04, 0x02, 0xaa, 0xbb, 0x04, 0x01, 0xcc, 0x00, 0x00, 0x00,
	    0x00 };
	static const uint8_t indef_der[] = { 0x30, 0x08, 0x02, 0x01, 0x05,
	    0x04, 0x03, 0xaa, 0xbb, 0xcc };
	static const uint8_t longlen[] = { 0x30, 0x82, 0x00, 0x04, 0x02, 0x81,
	    0x01, 0x05 };
	static const uint8_t longlen_der[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	static const uint8_t bits[] = { 0x23, 0x80, 0x03, 0x02, 0x00, 0xaa,
	    0x03, 0x02, 0x04, 0xb0, 0x00, 0x00 };
	static const uint8_t bits_der[] = { 0x03, 0x03, 0x04, 0xaa, 0xb0 };
	static const uint8_t nested[] = { 0x24, 0x80, 0x24, 0x80, 0x04, 0x01,
	    0xaa, 0x00, 0x00, 0x04, 0x01, 0xbb, 0x00, 0x00 };
	static const uint8_t nested_der[] = { 0x04, 0x02, 0xaa, 0xbb };
	/* context tags and high tag numbers pass through */
	static const uint8_t hi[] = { 0x7f, 0x61, 0x80, 0x5f, 0x1f, 0x01, 0x41,
	    0x00, 0x00 };
	static const uint8_t hi_der[] = { 0x7f, 0x61, 0x04, 0x5f, 0x1f, 0x01,
	    0x41 };

	ber_ok(der, sizeof(der), der, sizeof(der), 0);
	ber_ok(indef, sizeof(indef), indef_der, sizeof(indef_der),
	    NPKD_BER_INDEFINITE | NPKD_BER_CONSTRUCTED);
	ber_ok(longlen, sizeof(longlen), longlen_der, sizeof(longlen_der),
	    NPKD_BER_LONGLEN);
	ber_ok(bits, sizeof(bits), bits_der, sizeof(bits_der),
	    NPKD_BER_INDEFINITE | NPKD_BER_CONSTRUCTED);
	ber_ok(nested, sizeof(nested), nested_der, sizeof(nested_der),
	    NPKD_BER_INDEFINITE | NPKD_BER_CONSTRUCTED);
	ber_ok(hi, sizeof(hi), hi_der, sizeof(hi_der), NPKD_BER_INDEFINITE);
}

static void
test_ber_refused(void)
{
	static const uint8_t prim_indef[] = { 0x04, 0x80, 0xaa, 0x00, 0x00 };
	static const uint8_t no_eoc[] = { 0x30, 0x80, 0x02, 0x01, 0x05 };
	static const uint8_t eoc[] = { 0x00, 0x00 };
	static const uint8_t trunc[] = { 0x30, 0x03, 0x02, 0x01 };
	static const uint8_t trailing[] = { 0x30, 0x00, 0x00 };
	static const uint8_t reserved[] = { 0x30, 0xff, 0x00 };
	static const uint8_t longtag[] = { 0x1f, 0x05, 0x00 };
	static const uint8_t zerotag[] = { 0x1f, 0x80, 0x01, 0x00 };
	static const uint8_t othertype[] = { 0x24, 0x80, 0x02, 0x01, 0x00,
	    0x00, 0x00 };
	static const uint8_t bitsmid[] = { 0x23, 0x80, 0x03, 0x02, 0x04, 0xa0,
	    0x03, 0x02, 0x00, 0xbb, 0x00, 0x00 };
	static const uint8_t len5[] = { 0x30, 0x85, 0x00, 0x00, 0x00, 0x00,
	    0x00 };
	static const uint8_t eoclen[] = { 0x30, 0x80, 0x00, 0x01, 0x00 };
	uint8_t		 deep[2 * 40 + 8];
	size_t		 i, n = 0;

	ber_bad(prim_indef, sizeof(prim_indef), NPKD_E_FORMAT);
	ber_bad(no_eoc, sizeof(no_eoc), NPKD_E_FORMAT);
	ber_bad(eoc, sizeof(eoc), NPKD_E_FORMAT);
	ber_bad(trunc, sizeof(trunc), NPKD_E_FORMAT);
	ber_bad(trailing, sizeof(trailing), NPKD_E_FORMAT);
	ber_bad(reserved, sizeof(reserved), NPKD_E_FORMAT);
	ber_bad(longtag, sizeof(longtag), NPKD_E_FORMAT);
	ber_bad(zerotag, sizeof(zerotag), NPKD_E_FORMAT);
	ber_bad(othertype, sizeof(othertype), NPKD_E_FORMAT);
	ber_bad(bitsmid, sizeof(bitsmid), NPKD_E_FORMAT);
	ber_bad(len5, sizeof(len5), NPKD_E_FORMAT);
	ber_bad(eoclen, sizeof(eoclen), NPKD_E_FORMAT);
	ber_bad(eoc, 1, NPKD_E_FORMAT);
	/* NPKD_MAX_DEPTH + 1 constructed levels */
	for (i = 0; i <= NPKD_MAX_DEPTH; i++) {
		deep[n++] = 0x30;
		deep[n++] = 0x80;
	}
	deep[n++] = 0x05;
	deep[n++] = 0x00;
	for (i = 0; i <= NPKD_MAX_DEPTH && n + 2 <= sizeof(deep); i++) {
		deep[n++] = 0x00;
		deep[n++] = 0x00;
	}
	ber_bad(deep, n, NPKD_E_LIMIT);
}

/* The EF.SOD of a document directory without its 77 header, as DER. */
static struct npkd_buf
content_info(const struct npkd_buf *sod)
{
	struct npkd_buf	 der = { NULL, 0 }, out = { NULL, 0 };
	unsigned int	 tag, what;
	size_t		 h, l;

	if (npkd_ber_der(sod->data, sod->len, &der, &what, NULL) != NPKD_OK ||
	    npkd_der_header(der.data, der.len, &tag, &h, &l) != NPKD_OK)
		return out;
	if ((out.data = malloc(l)) != NULL) {
		memcpy(out.data, der.data + h, l);
		out.len = l;
	}
	npkd_buf_free(&der);
	return out;
}

/*
 * The SOD reader walks SignedData itself (for speed); on every generated
 * genuine and broken document it must read what npkd's CMS reader reads
 * and reach the same signature verdict with the same certificate.
 */
static void
test_sod_as_cms(void)
{
	FILE			*fp;
	char			 line[1024], name[256], path[600];
	struct npkd_buf		 b, ci;
	struct npkd_sod		*s;
	struct npkd_cms		*c;
	struct npkd_cert	*dsc;
	const struct npkd_cert	*signer;
	const uint8_t		*p, *q;
	size_t			 n1, n2;
	int			 rs, rc, docsn = 0;

	fp = fopen(docs("expect"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%255s", name) != 1 ||
		    strncmp(name, "malformed", 9) == 0)
			continue;
		snprintf(path, sizeof(path), "docs/%s/EF.SOD", name);
		b = docs_read(path);
		CU_ASSERT_EQUAL_FATAL(npkd_sod_parse(b.data, b.len, &s, NULL),
		    NPKD_OK);
		ci = content_info(&b);
		CU_ASSERT_EQUAL_FATAL(npkd_cms_parse(ci.data, ci.len, &c, NULL),
		    NPKD_OK);
		CU_ASSERT_STRING_EQUAL(npkd_sod_signer_id(s),
		    npkd_cms_signer_id(c));
		CU_ASSERT_EQUAL(npkd_sod_signing_time(s),
		    npkd_cms_signing_time(c));
		CU_ASSERT_STRING_EQUAL(npkd_sod_sigalg_name(s),
		    npkd_cms_sigalg_name(c));
		CU_ASSERT_STRING_EQUAL(npkd_cms_econtent_type(c),
		    NPKD_OID_LDS_SO);
		CU_ASSERT_EQUAL(npkd_sod_cert_count(s), npkd_cms_cert_count(c));
		if (npkd_sod_cert_count(s) > 0) {
			p = npkd_sod_cert_der(s, 0, &n1);
			q = npkd_cert_der(npkd_cms_cert(c, 0), &n2);
			CU_ASSERT(n1 == n2 && memcmp(p, q, n1) == 0);
			CU_ASSERT_EQUAL_FATAL(npkd_cert_parse(p, n1, &dsc,
			    NULL), NPKD_OK);
			rs = npkd_sod_verify(s, dsc, NULL, NULL);
			rc = npkd_cms_verify(c, NULL, 0, &signer, NULL, NULL);
			CU_ASSERT_EQUAL(rs, rc);
			if (rs != rc)
				fprintf(stderr, "%s: sod %d, cms %d\n", name, rs,
				    rc);
			CU_ASSERT_EQUAL(npkd_sod_is_signer(s, dsc), 1);
			npkd_cert_free(dsc);
		}
		npkd_cms_free(c);
		npkd_sod_free(s);
		npkd_buf_free(&ci);
		npkd_buf_free(&b);
		docsn++;
	}
	fclose(fp);
	CU_ASSERT(docsn >= 35);
}

/* Hostile security objects: each refused as its expect line says. */
static void
test_sod_hostile(void)
{
	FILE			*fp;
	char			 line[512], name[256], how[32], path[600];
	struct npkd_buf		 b;
	struct npkd_sod		*s;
	struct npkd_cert	*dsc;
	const uint8_t		*p;
	size_t			 n;
	int			 rc, want, cnt = 0;

	fp = fopen(docs("hostile/expect"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%255s %31s", name, how) != 2)
			continue;
		snprintf(path, sizeof(path), "hostile/%s.sod", name);
		b = docs_read(path);
		rc = npkd_sod_parse(b.data, b.len, &s, NULL);
		want = strcmp(how, "format") == 0 ? NPKD_E_FORMAT :
		    strcmp(how, "unsupported") == 0 ? NPKD_E_UNSUPPORTED :
		    strcmp(how, "limit") == 0 ? NPKD_E_LIMIT : NPKD_OK;
		if (rc != want)
			fprintf(stderr, "%s: %d, expected %d\n", name, rc, want);
		CU_ASSERT_EQUAL(rc, want);
		if (rc == NPKD_OK) {
			/* read, but its signature must not verify */
			p = npkd_sod_cert_der(s, 0, &n);
			CU_ASSERT_EQUAL_FATAL(npkd_cert_parse(p, n, &dsc, NULL),
			    NPKD_OK);
			CU_ASSERT_EQUAL(npkd_sod_verify(s, dsc, NULL, NULL),
			    NPKD_E_VERIFY);
			npkd_cert_free(dsc);
			npkd_sod_free(s);
		}
		npkd_buf_free(&b);
		cnt++;
	}
	fclose(fp);
	CU_ASSERT(cnt >= 15);
}

static void
test_mrz_lds(void)
{
	CU_ASSERT_STRING_EQUAL(npkd_mrz_country("D<<"), "DE");
	CU_ASSERT_STRING_EQUAL(npkd_mrz_country("DEU"), "DE");
	CU_ASSERT_STRING_EQUAL(npkd_mrz_country("NZL"), "NZ");
	CU_ASSERT_STRING_EQUAL(npkd_mrz_country("GBD"), "GB");
	CU_ASSERT_STRING_EQUAL(npkd_mrz_country("UNO"), "UN");
	CU_ASSERT_STRING_EQUAL(npkd_mrz_country("ZWE"), "ZW");
	CU_ASSERT_STRING_EQUAL(npkd_mrz_country("ABW"), "AW");
	CU_ASSERT_PTR_NULL(npkd_mrz_country("UTO"));
	CU_ASSERT_PTR_NULL(npkd_mrz_country("<<<"));
	CU_ASSERT_PTR_NULL(npkd_mrz_country("DE<"));
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x61), 1);
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x75), 2);
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x63), 3);
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x76), 4);
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x6e), 14);
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x6f), 15);
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x70), 16);
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x60), 0);
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x77), -1);
	CU_ASSERT_EQUAL(npkd_lds_tag_dg(0x30), -2);
}

/* ---- one context, several threads ---- */

#define MAXDOCS	128
struct doc {
	char			 name[256];
	struct npkd_buf		 f[8];
	size_t			 n;
	int			 rc;
	char			 reason[64];
	int			 steps[NPKD_PA_NSTEPS];
};

struct run {
	struct npkd_pa	*pa;
	struct doc	*d;
	size_t		 nd;
	int		 bad;
};

static int
verify_one(struct npkd_pa *pa, struct doc *d, int *steps, char *reason,
    size_t rlen)
{
	struct npkd_pa_file	 f[8];
	struct npkd_pa_report	 r;
	size_t			 i;
	int			 rc;

	for (i = 1; i < d->n; i++) {
		f[i - 1].data = d->f[i].data;
		f[i - 1].len = d->f[i].len;
	}
	rc = npkd_pa_verify(pa, d->f[0].data, d->f[0].len, f, d->n - 1, &r,
	    NULL);
	for (i = 0; i < NPKD_PA_NSTEPS; i++)
		steps[i] = r.steps[i].result;
	snprintf(reason, rlen, "%s", r.reason);
	npkd_pa_report_clear(&r);
	return rc;
}

static void *
worker(void *arg)
{
	struct run	*r = arg;
	char		 reason[64];
	int		 steps[NPKD_PA_NSTEPS], rc, k;
	size_t		 i;

	for (k = 0; k < 3; k++)
		for (i = 0; i < r->nd; i++) {
			rc = verify_one(r->pa, &r->d[i], steps, reason,
			    sizeof(reason));
			if (rc != r->d[i].rc || strcmp(reason,
			    r->d[i].reason) != 0 || memcmp(steps,
			    r->d[i].steps, sizeof(steps)) != 0)
				__atomic_add_fetch(&r->bad, 1, __ATOMIC_SEQ_CST);
		}
	return NULL;
}

static int
import(struct npkd_store *s, const char *file, const struct npkd_cert *const
    *anchors, size_t na)
{
	struct npkd_import_opts	 o;
	struct npkd_import_stats st;
	struct npkd_err		 e;

	memset(&o, 0, sizeof(o));
	o.anchors = anchors;
	o.nanchors = na;
	if (npkd_store_import(s, docs(file), &o, &st, NULL, &e) != NPKD_OK) {
		fprintf(stderr, "import %s: %s\n", file, e.msg);
		return -1;
	}
	return 0;
}

static void
test_pa_threads(void)
{
	static const char *const dgs[] = { "DG1", "DG2", "DG14", "DG15" };
	struct npkd_store	*s = NULL;
	struct npkd_pa		*pa = NULL;
	struct npkd_cert	**anchors = NULL;
	struct npkd_check_stats	 cs;
	struct npkd_buf		 b;
	struct npkd_err		 e;
	struct doc		*d;
	struct run		 run;
	pthread_t		 th[4];
	char			 tmpl[] = "/tmp/npkd-t_pa.XXXXXX", path[700];
	char			 line[1024], name[256], cmd[64], f[256];
	FILE			*fp;
	size_t			 na = 0, nd = 0, i, k;
	int			 t;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(tmpl));
	d = calloc(MAXDOCS, sizeof(*d));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL_FATAL(npkd_store_open(tmpl, NPKD_STORE_CREATE, &s, &e),
	    NPKD_OK);
	b = docs_read("anchors.pem");
	CU_ASSERT_EQUAL_FATAL(npkd_certs_load(b.data, b.len, &anchors, &na,
	    NULL), NPKD_OK);
	npkd_buf_free(&b);
	CU_ASSERT_EQUAL_FATAL(import(s, "crl/de.crl", (const struct npkd_cert
	    *const *)anchors, na), 0);
	CU_ASSERT_EQUAL(import(s, "crl/fr.crl", NULL, 0), 0);
	fp = fopen(docs("steps"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "%63s %255s", cmd, f) == 2 &&
		    strcmp(cmd, "import") == 0)
			CU_ASSERT_EQUAL(import(s, f, NULL, 0), 0);
	fclose(fp);
	CU_ASSERT_EQUAL_FATAL(npkd_store_check(s, 0, 1, &cs, &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_pa_open(s, 0, &pa, &e), NPKD_OK);

	/* every document (but the malformed ones), the first verdicts */
	fp = fopen(docs("expect"), "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
	while (fgets(line, sizeof(line), fp) != NULL && nd < MAXDOCS) {
		if (sscanf(line, "%255s", name) != 1 ||
		    strncmp(name, "malformed", 9) == 0)
			continue;
		snprintf(d[nd].name, sizeof(d[nd].name), "%s", name);
		snprintf(path, sizeof(path), "docs/%s/EF.SOD", name);
		d[nd].f[0] = docs_read(path);
		d[nd].n = 1;
		for (k = 0; k < 4; k++) {
			snprintf(path, sizeof(path), "docs/%s/%s", name, dgs[k]);
			if (access(docs(path), R_OK) == 0)
				d[nd].f[d[nd].n++] = docs_read(path);
		}
		d[nd].rc = verify_one(pa, &d[nd], d[nd].steps, d[nd].reason,
		    sizeof(d[nd].reason));
		nd++;
	}
	fclose(fp);
	CU_ASSERT(nd >= 35);
	/* genuine and not genuine both among them */
	for (i = 0, k = 0; i < nd; i++)
		k += d[i].rc == NPKD_OK;
	CU_ASSERT(k >= 20 && k < nd);

	/* the same verdicts from four threads on one context */
	memset(&run, 0, sizeof(run));
	run.pa = pa;
	run.d = d;
	run.nd = nd;
	for (t = 0; t < 4; t++)
		CU_ASSERT_EQUAL(pthread_create(&th[t], NULL, worker, &run), 0);
	for (t = 0; t < 4; t++)
		pthread_join(th[t], NULL);
	CU_ASSERT_EQUAL(run.bad, 0);

	/* a fresh context (nothing kept) gives them too */
	npkd_pa_free(pa);
	CU_ASSERT_EQUAL_FATAL(npkd_pa_open(s, 0, &pa, &e), NPKD_OK);
	run.pa = pa;
	worker(&run);
	CU_ASSERT_EQUAL(run.bad, 0);

	npkd_pa_free(pa);
	npkd_store_close(s);
	npkd_certs_free(anchors, na);
	for (i = 0; i < nd; i++)
		for (k = 0; k < d[i].n; k++)
			npkd_buf_free(&d[i].f[k]);
	free(d);
	snprintf(path, sizeof(path), "rm -rf '%s'", tmpl);
	CU_ASSERT_EQUAL(system(path), 0);
}

CU_TestInfo t_pa[] = {
	{ "BER is rewritten in DER form", test_ber_forms },
	{ "what is not BER is refused", test_ber_refused },
	{ "the SOD reader reads what the CMS reader reads", test_sod_as_cms },
	{ "hostile security objects are refused", test_sod_hostile },
	{ "MRZ issuing states and LDS tags", test_mrz_lds },
	{ "one context in four threads gives one thread's verdicts",
	    test_pa_threads },
	CU_TEST_INFO_NULL
};
