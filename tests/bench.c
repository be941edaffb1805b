/*
 * bench.c - make bench: signature verifications per second through npkd's
 * API next to the raw rate of each library that can check them (GnuTLS/
 * nettle, OpenSSL's libcrypto) and the one npkd's route chose, and the
 * time and peak memory of a command.  Not part of make check.
 *
 *   bench sig CERT...			the per-algorithm table (self-signed)
 *   bench cmd PROG ARGS...		run PROG, print wall and CPU time, peak RSS
 *   bench pairs STOREDIR		raw library time of the DSC signatures
 *   bench cvc REQ CVCA CVCA-KEY OUTER	CV requests verified, DV certificates issued
 */
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "rawsig.h"

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef int (*opfn)(void *);

static double
run_for(opfn f, void *arg, double secs)
{
	double	 t0, t;
	long	 n = 0;

	t0 = now();
	do {
		if (f(arg) != 0) {
			fprintf(stderr, "bench: operation failed\n");
			exit(2);
		}
		n++;
	} while ((t = now() - t0) < secs);
	return (double)n / t;
}

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Operations per second of f: median of 3 runs of secs. */
static double
rate(opfn f, void *arg, double secs)
{
	double r[3];
	int i;

	for (i = 0; i < 3; i++)
		r[i] = run_for(f, arg, secs);
	qsort(r, 3, sizeof(r[0]), cmpd);
	return r[1];
}

/*
 * Up to three operations measured in alternation (ROUNDS rounds of 0.05 s
 * each), so that load and clock changes of the machine hit them alike:
 * medians.  A NULL operation is skipped (rate 0).  *ratio: the median
 * over the rounds of the first operation's rate over the faster of the
 * other two in the same round, which the machine's drift from one round
 * to the next does not move.
 */
#define ROUNDS	21
static void
rate3(opfn f[3], void *arg, double r[3], double *ratio)
{
	double a[3][ROUNDS], q[ROUNDS], best;
	int i, j;

	for (i = 0; i < ROUNDS; i++) {
		for (j = 0; j < 3; j++)
			a[j][i] = f[j] != NULL ? run_for(f[j], arg, 0.05) : 0;
		best = a[1][i] > a[2][i] ? a[1][i] : a[2][i];
		q[i] = best > 0 ? a[0][i] / best : 0;
	}
	for (j = 0; j < 3; j++) {
		qsort(a[j], ROUNDS, sizeof(a[j][0]), cmpd);
		r[j] = a[j][ROUNDS / 2];
	}
	qsort(q, ROUNDS, sizeof(q[0]), cmpd);
	*ratio = q[ROUNDS / 2];
}

/*
 * One signature prepared for each library: the digest computed, the
 * GnuTLS key and algorithm, an OpenSSL context set up once and reused
 * (the fastest way to call either).
 */
struct job {
	struct npkd_cert	*c;		/* signer (self-signed: itself) */
	struct npkd_cert	*s;		/* signed */
	struct rawsig		 r;
};

static int
op_npkd(void *a)
{
	struct job *j = a;

	return npkd_cert_verify(j->s, j->c, NULL, NULL);
}

static int
op_gnutls(void *a)
{
	return rawsig_gnutls(&((struct job *)a)->r);
}

static int
op_openssl(void *a)
{
	return rawsig_openssl(&((struct job *)a)->r);
}

static int
op_parse(void *a)
{
	struct job		*j = a;
	struct npkd_cert	*c;
	int			 rc;

	rc = npkd_cert_parse(j->s->der.data, j->s->der.len, &c, NULL);
	npkd_cert_free(c);
	return rc;
}

/* Prepare j (j->c, j->s set) for the libraries that can check it. */
static void
job_prepare(struct job *j)
{
	rawsig_prepare(&j->r, j->c->pub, &j->s->sigalg, j->s->tbs,
	    j->s->tbs_len, j->s->sig.data, j->s->sig.len);
}

static void
job_clear(struct job *j)
{
	rawsig_clear(&j->r);
}

/* "RSA-4096 rsa-sha-256", "brainpoolP256r1 explicit ecdsa-sha-256". */
static void
label(const struct npkd_cert *c, char *buf, size_t len)
{
	struct npkd_keyinfo ki;

	npkd_cert_keyinfo(c, &ki);
	if (ki.alg == NPKD_KEY_EC)
		snprintf(buf, len, "%s%s %s", ki.curve != NULL ? ki.curve :
		    "unnamed curve", ki.curve != NULL && ki.explicit_params ?
		    " expl." : "", c->sigalg.name);
	else
		snprintf(buf, len, "RSA-%u %s", ki.bits, c->sigalg.name);
}

static int
bench_sig(char *files[], int n)
{
	struct job	 j;
	struct npkd_buf	 b;
	struct npkd_err	 e;
	const struct npkd_backend *be;
	opfn		 ops[3] = { op_npkd, NULL, NULL };
	double		 r[3], ratio, parse;
	char		 name[96];
	int		 i, k, bad = 0;

	printf("%-42s %8s %8s %8s %-8s %6s %8s\n", "algorithm (self-signed "
	    "certificate)", "npkd/s", "gnutls/s", "openssl/s", "chosen",
	    "npkd/", "parse/s");
	printf("%-42s %8s %8s %8s %-8s %6s\n", "", "", "raw", "raw", "",
	    "best");
	for (i = 0; i < n; i++) {
		memset(&j, 0, sizeof(j));
		if (npkd_file_read(files[i], NPKD_MAX_DER, &b, &e) != NPKD_OK ||
		    npkd_cert_parse(b.data, b.len, &j.c, &e) != NPKD_OK) {
			fprintf(stderr, "bench: %s: %s\n", files[i], e.msg);
			return 2;
		}
		npkd_buf_free(&b);
		j.s = j.c;
		if (npkd_cert_verify(j.s, j.c, NULL, &e) != NPKD_OK) {
			fprintf(stderr, "bench: %s: %s\n", files[i], e.msg);
			return 2;
		}
		job_prepare(&j);
		be = npkd_route(j.c->pub, &j.c->sigalg);
		ops[1] = j.r.gk != NULL ? op_gnutls : NULL;
		ops[2] = j.r.octx != NULL ? op_openssl : NULL;
		rate3(ops, &j, r, &ratio);
		parse = rate(op_parse, &j, 0.15);
		label(j.c, name, sizeof(name));
		printf("%-42.42s %8.0f ", name, r[0]);
		for (k = 1; k < 3; k++)
			if (r[k] > 0)
				printf("%8.0f ", r[k]);
			else
				printf("%8s ", "-");
		printf("%-8s %5.2f%s %8.0f\n", be->name, ratio,
		    ratio * 1.1 < 1 ? "!" : " ", parse);
		if (ratio * 1.1 < 1)
			bad++;
		fflush(stdout);
		job_clear(&j);
		npkd_cert_free(j.c);
	}
	printf("npkd/best: npkd's rate (hash, route, verify) over the faster "
	    "library's raw rate in the same round, median of %d rounds; ! "
	    "marks a rate more than 1.1x slower (%d here)\n", ROUNDS, bad);
	return 0;
}

/*
 * The signatures npkd check verifies for DSCs, timed as raw library calls
 * on one core with digests and keys prepared beforehand, each on the
 * library npkd's route chose: the floor that check's own time is
 * compared with.
 */
struct pairs {
	struct npkd_cert	**ca;
	size_t			  nca;
	double			  secs;
	size_t			  n, gt, os;
};

static int
pair_ca(void *arg, const struct npkd_object *o)
{
	struct pairs		 *p = arg;
	struct npkd_cert	**nv, *c;

	if (npkd_cert_parse(o->der, o->der_len, &c, NULL) != NPKD_OK)
		return 0;
	if ((nv = reallocarray(p->ca, p->nca + 1, sizeof(*nv))) == NULL)
		return 1;
	p->ca = nv;
	p->ca[p->nca++] = c;
	return 0;
}

static int
pair_dsc(void *arg, const struct npkd_object *o)
{
	struct pairs			*p = arg;
	struct npkd_cert		*c, *iss = NULL;
	const struct npkd_backend	*be;
	struct job			 j;
	size_t				 i;
	double				 t0;

	if (npkd_cert_parse(o->der, o->der_len, &c, NULL) != NPKD_OK)
		return 0;
	for (i = 0; i < p->nca && iss == NULL; i++)
		if (c->has_aki && p->ca[i]->has_ski && c->aki.len ==
		    p->ca[i]->ski.len && memcmp(c->aki.data,
		    p->ca[i]->ski.data, c->aki.len) == 0)
			iss = p->ca[i];
	if (iss == NULL || iss->pub == NULL || c->sigalg.kind == 0 ||
	    (be = npkd_route(iss->pub, &c->sigalg)) == NULL) {
		npkd_cert_free(c);
		return 0;
	}
	memset(&j, 0, sizeof(j));
	j.c = iss;
	j.s = c;
	job_prepare(&j);
	if (be == &npkd_be_gnutls && j.r.gk != NULL) {
		t0 = now();
		op_gnutls(&j);
		p->secs += now() - t0;
		p->gt++;
	} else if (be == &npkd_be_ossl && j.r.octx != NULL) {
		t0 = now();
		op_openssl(&j);
		p->secs += now() - t0;
		p->os++;
	}
	p->n++;
	job_clear(&j);
	npkd_cert_free(c);
	return 0;
}

static int
bench_pairs(const char *dir)
{
	struct npkd_store	*st;
	struct npkd_query	 q;
	struct pairs		 p;
	struct npkd_err		 e;

	if (npkd_store_open(dir, 0, &st, &e) != NPKD_OK) {
		fprintf(stderr, "bench: %s\n", e.msg);
		return 2;
	}
	memset(&p, 0, sizeof(p));
	memset(&q, 0, sizeof(q));
	q.expiring_days = -1;
	q.with_der = 1;
	q.kind = "csca";
	npkd_store_list(st, &q, pair_ca, &p, &e);
	q.kind = "link";
	npkd_store_list(st, &q, pair_ca, &p, &e);
	q.kind = "dsc";
	npkd_store_list(st, &q, pair_dsc, &p, &e);
	printf("raw library verification of %zu DSC signatures (%zu GnuTLS, "
	    "%zu OpenSSL, as routed), one core: %.3f s\n", p.n, p.gt, p.os,
	    p.secs);
	npkd_certs_free(p.ca, p.nca);
	npkd_store_close(st);
	return 0;
}

/* CV requests verified and DV certificates issued per second. */
struct cvjob {
	struct npkd_cvc		*req, *ca, *outer;
	struct npkd_key		*key;
	struct npkd_cvc_tmpl	 t;
};

static int
op_cvverify(void *arg)
{
	struct cvjob		*j = arg;
	const struct npkd_cvc	*trust[2] = { j->ca, j->outer };
	const char		*res;

	return npkd_cvc_verify_request(j->req, NULL, 0, trust, 2,
	    npkd_cvc_effective(j->ca) + 86400, &res, NULL);
}

static int
op_cvissue(void *arg)
{
	struct cvjob	*j = arg;
	struct npkd_buf	 out;
	int		 rc;

	rc = npkd_cvc_issue(&j->t, j->ca, j->ca, j->key, &out, NULL);
	npkd_buf_free(&out);
	return rc;
}

static struct npkd_cvc *
cvload(const char *path, int req)
{
	struct npkd_buf	 b;
	struct npkd_cvc	*c = NULL;

	if (npkd_file_read(path, 1 << 20, &b, NULL) != NPKD_OK)
		return NULL;
	npkd_cvc_parse(b.data, b.len, req, &c, NULL);
	npkd_buf_free(&b);
	return c;
}

static int
bench_cvc(char *argv[])
{
	struct cvjob	 j;
	uint8_t		 rights[1] = { 0x41 };

	memset(&j, 0, sizeof(j));
	if ((j.req = cvload(argv[0], 1)) == NULL ||
	    (j.ca = cvload(argv[1], 0)) == NULL ||
	    (j.outer = cvload(argv[3], 0)) == NULL ||
	    npkd_key_load(argv[2], NULL, &j.key, NULL) != NPKD_OK) {
		fprintf(stderr, "bench: cvc inputs\n");
		return 2;
	}
	j.t.car = npkd_cvc_chr(j.ca);
	j.t.chr = npkd_cvc_chr(j.req);
	j.t.holder = j.req;
	j.t.chat_oid = npkd_cvc_chat_oid(j.ca);
	j.t.rights = rights;
	j.t.nrights = 1;
	j.t.effective = npkd_cvc_effective(j.ca);
	j.t.expiry = j.t.effective + 90 * 86400 - 1;
	printf("authenticated requests verified/s (inner %s, outer %s): %.0f\n",
	    npkd_cvc_sigalg_name(j.req), npkd_cvc_sigalg_name(j.outer),
	    rate(op_cvverify, &j, 0.4));
	printf("DV certificates issued/s (%s CVCA, file key, each one "
	    "verified after signing): %.0f\n", npkd_cvc_sigalg_name(j.ca),
	    rate(op_cvissue, &j, 0.4));
	npkd_cvc_free(j.req);
	npkd_cvc_free(j.ca);
	npkd_cvc_free(j.outer);
	npkd_key_free(j.key);
	return 0;
}

static int
bench_cmd(char *argv[])
{
	struct rusage	 ru;
	double		 t0;
	pid_t		 pid;
	int		 st;

	t0 = now();
	if ((pid = fork()) == 0) {
		/* the command's output is not what is measured */
		if (freopen("/dev/null", "w", stdout) == NULL)
			_exit(127);
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1)
		return 2;
	getrusage(RUSAGE_CHILDREN, &ru);
	printf("%.3f s (CPU %.3f s user, %.3f s system), peak RSS %.1f MiB, "
	    "exit %d\n", now() - t0, (double)ru.ru_utime.tv_sec +
	    (double)ru.ru_utime.tv_usec / 1e6, (double)ru.ru_stime.tv_sec +
	    (double)ru.ru_stime.tv_usec / 1e6, (double)ru.ru_maxrss / 1024.0,
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct npkd_err e;

	if (argc >= 3 && strcmp(argv[1], "sig") == 0) {
		if (npkd_global_init(&e) != NPKD_OK)
			return 2;
		return bench_sig(argv + 2, argc - 2);
	}
	if (argc >= 3 && strcmp(argv[1], "cmd") == 0)
		return bench_cmd(argv + 2);
	if (argc >= 6 && strcmp(argv[1], "cvc") == 0) {
		if (npkd_global_init(&e) != NPKD_OK)
			return 2;
		return bench_cvc(argv + 2);
	}
	if (argc >= 3 && strcmp(argv[1], "pairs") == 0) {
		if (npkd_global_init(&e) != NPKD_OK)
			return 2;
		return bench_pairs(argv[2]);
	}
	fprintf(stderr, "usage: bench sig CERT... | bench cmd PROG ARGS... | "
	    "bench pairs STOREDIR | bench cvc REQ CVCA KEY OUTER\n");
	return 2;
}
