/*
 * pabench.c - make bench: documents verified per second on one core by
 * passive authentication (npkd_pa_verify: SOD read, DSC found, SOD
 * signature, chain verdict, CRL, dates, DG1 and DG14 hashed) next to the
 * raw rate of the one signature each document needs (the SOD's, by the
 * library npkd routes it to, digest precomputed).  "warm": the context
 * has met the DSCs (chain verdicts reused); "cold": a new context per
 * pass over the documents, ten documents per DSC.
 *
 *   pabench STOREDIR DOCSDIR
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rawsig.h"	/* OpenSSL before libtasn1: both name ASN1_TYPE */
#include "pa_int.h"

#define MAXDOCS	4096

struct doc {
	struct npkd_buf		 f[3];	/* EF.SOD, DG1, DG14 */
	struct npkd_sod		*sod;
	struct npkd_cert	*dsc;
	const struct npkd_sigalg *a;
	struct rawsig		 r;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The raw library call for the SOD's signature, prepared. */
static int
prepare(struct doc *x)
{
	const uint8_t	*data, *sig;
	size_t		 len, slen;

	npkd_sod_signed(x->sod, &data, &len, &sig, &slen, &x->a);
	if (x->a == NULL || x->dsc->pub == NULL)
		return -1;
	rawsig_prepare(&x->r, x->dsc->pub, x->a, data, len, sig, slen);
	return 0;
}

static int
raw_verify(struct doc *x)
{
	return rawsig_routed(&x->r, x->dsc->pub, x->a);
}

static int
pa_one(struct npkd_pa *pa, struct doc *x)
{
	struct npkd_pa_file	 f[2];
	struct npkd_pa_report	 r;
	int			 rc;

	f[0].data = x->f[1].data;
	f[0].len = x->f[1].len;
	f[1].data = x->f[2].data;
	f[1].len = x->f[2].len;
	rc = npkd_pa_verify(pa, x->f[0].data, x->f[0].len, f, 2, &r, NULL);
	npkd_pa_report_clear(&r);
	return rc;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int
load(const char *dir, struct doc *v, size_t *n)
{
	static const char *const names[3] = { "EF.SOD", "DG1", "DG14" };
	struct dirent	*de;
	DIR		*d;
	char		 p[8192];
	size_t		 k, cl;
	const uint8_t	*c;

	if ((d = opendir(dir)) == NULL)
		return -1;
	*n = 0;
	while ((de = readdir(d)) != NULL && *n < MAXDOCS) {
		if (de->d_name[0] == '.')
			continue;
		for (k = 0; k < 3; k++) {
			snprintf(p, sizeof(p), "%s/%s/%s", dir, de->d_name,
			    names[k]);
			if (npkd_file_read(p, 1 << 24, &v[*n].f[k], NULL) !=
			    NPKD_OK)
				return -1;
		}
		if (npkd_sod_parse(v[*n].f[0].data, v[*n].f[0].len,
		    &v[*n].sod, NULL) != NPKD_OK)
			return -1;
		c = npkd_sod_cert_der(v[*n].sod, 0, &cl);
		if (npkd_cert_parse(c, cl, &v[*n].dsc, NULL) != NPKD_OK ||
		    prepare(&v[*n]) != 0)
			return -1;
		(*n)++;
	}
	closedir(d);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct npkd_store	*s;
	struct npkd_pa		*pa;
	struct npkd_err		 e;
	struct doc		*v;
	struct dirent		*de;
	DIR			*d;
	char			 p[4096];
	double			 t0, t, warm[5], raw[5], cold[5];
	size_t			 n, i, k, done;
	int			 r;

	if (argc != 3 || npkd_global_init(&e) != NPKD_OK ||
	    npkd_store_open(argv[1], NPKD_STORE_READONLY, &s, &e) != NPKD_OK) {
		fprintf(stderr, "usage: pabench STOREDIR DOCSDIR\n");
		return 2;
	}
	if ((v = calloc(MAXDOCS, sizeof(*v))) == NULL)
		return 2;
	printf("%-30s %6s %10s %10s %7s %10s\n", "algorithm (DSC key, SOD)",
	    "docs", "warm/s", "raw sig/s", "warm %", "cold/s");
	snprintf(p, sizeof(p), "%s/docs", argv[2]);
	if ((d = opendir(p)) == NULL)
		return 2;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/docs/%s", argv[2], de->d_name);
		if (load(p, v, &n) != 0 || n == 0) {
			fprintf(stderr, "pabench: %s: cannot load\n", p);
			return 2;
		}
		if (npkd_pa_open(s, 0, &pa, &e) != NPKD_OK) {
			fprintf(stderr, "pabench: %s\n", e.msg);
			return 2;
		}
		for (i = 0; i < n; i++)		/* every one genuine */
			if ((r = pa_one(pa, &v[i])) != NPKD_OK) {
				fprintf(stderr, "pabench: %s: document %zu: "
				    "%d\n", de->d_name, i, r);
				return 2;
			}
		/* alternate warm PA, raw signatures and cold passes */
		for (k = 0; k < 5; k++) {
			t0 = now();
			for (done = 0; (t = now() - t0) < 0.3; done += n)
				for (i = 0; i < n; i++)
					pa_one(pa, &v[i]);
			warm[k] = (double)done / t;
			t0 = now();
			for (done = 0; (t = now() - t0) < 0.3; done += n)
				for (i = 0; i < n; i++)
					if (raw_verify(&v[i]) != 0)
						return 2;
			raw[k] = (double)done / t;
			struct npkd_pa *c = NULL;
			t0 = now();
			if (npkd_pa_open(s, 0, &c, &e) != NPKD_OK)
				return 2;
			for (i = 0; i < n; i++)
				pa_one(c, &v[i]);
			t = now() - t0;
			npkd_pa_free(c);
			cold[k] = (double)n / t;
		}
		qsort(warm, 5, sizeof(double), cmpd);
		qsort(raw, 5, sizeof(double), cmpd);
		qsort(cold, 5, sizeof(double), cmpd);
		printf("%-30s %6zu %10.0f %10.0f %6.1f%% %10.0f\n", de->d_name, n,
		    warm[2], raw[2], 100.0 * warm[2] / raw[2], cold[2]);
		fflush(stdout);
		npkd_pa_free(pa);
		for (i = 0; i < n; i++) {
			for (k = 0; k < 3; k++)
				npkd_buf_free(&v[i].f[k]);
			npkd_sod_free(v[i].sod);
			npkd_cert_free(v[i].dsc);
			rawsig_clear(&v[i].r);
		}
		memset(v, 0, MAXDOCS * sizeof(*v));
	}
	closedir(d);
	free(v);
	npkd_store_close(s);
	return 0;
}
