/*
 * bench.c - make bench: signature verifications per second through npkd's
 * API next to the raw rate of the library each one is routed to, and the
 * time and peak memory of a command.  Not part of make check.
 *
 *   bench sig TESTDATA		the per-algorithm table
 *   bench cmd PROG ARGS...		run PROG, print wall time and peak RSS
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
#include <gcrypt.h>

#include "npkd_int.h"

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

/* Operations per second of f: median of 3 runs of 0.4 s. */
static double
rate(opfn f, void *arg)
{
	double r[3];
	int i;

	for (i = 0; i < 3; i++)
		r[i] = run_for(f, arg, 0.4);
	qsort(r, 3, sizeof(r[0]), cmpd);
	return r[1];
}

/*
 * Two operations measured in alternation (7 rounds of 0.2 s each), so
 * that load and clock changes of the machine hit both alike: medians.
 */
static void
rate2(opfn f, opfn g, void *arg, double *rf, double *rg)
{
	double a[7], b[7];
	int i;

	for (i = 0; i < 7; i++) {
		a[i] = run_for(f, arg, 0.2);
		b[i] = run_for(g, arg, 0.2);
	}
	qsort(a, 7, sizeof(a[0]), cmpd);
	qsort(b, 7, sizeof(b[0]), cmpd);
	*rf = a[3];
	*rg = b[3];
}

struct job {
	struct npkd_cert	*c;
	uint8_t			 d[64];
	size_t			 dlen;
	gnutls_datum_t		 h, s;
	gcry_sexp_t		 data, sig;
	int			 galg;
};

static int
op_npkd(void *a)
{
	struct job *j = a;

	return npkd_cert_verify(j->c, j->c, NULL, NULL);
}

static int
op_gnutls(void *a)
{
	struct job *j = a;

	return gnutls_pubkey_verify_hash2(j->c->pub->gnutls,
	    (gnutls_sign_algorithm_t)j->galg, GNUTLS_VERIFY_ALLOW_BROKEN, &j->h,
	    &j->s) < 0;
}

static int
op_gcrypt(void *a)
{
	struct job *j = a;

	return gcry_pk_verify(j->sig, j->data, j->c->pub->gcry) != 0;
}

static int
op_parse(void *a)
{
	struct job		*j = a;
	struct npkd_cert	*c;
	int			 rc;

	rc = npkd_cert_parse(j->c->der.data, j->c->der.len, &c, NULL);
	npkd_cert_free(c);
	return rc;
}

static const char *
hname(int h)
{
	static const char *n[] = { "", "sha1", "sha224", "sha256", "sha384",
	    "sha512" };

	return n[h];
}

static int
bench_sig(const char *dir)
{
	static const struct {
		const char	*label;
		const char	*file;
		const char	*openssl;	/* openssl speed algorithm */
	} cases[] = {
		{ "RSA-2048 PKCS#1 SHA-256", "aa_csca.der", "rsa2048" },
		{ "RSA-3072 PKCS#1 SHA-256", "aa_csca2.der", "rsa3072" },
		{ "RSA-2048 PSS SHA-512", "dd_csca.der", "rsa2048" },
		{ "ECDSA P-256 SHA-256", "cc_csca.der", "ecdsap256" },
		{ "ECDSA P-384 explicit SHA-384", "ff_csca.der", "ecdsap384" },
		{ "ECDSA P-521 SHA-512", "gg_csca.der", "ecdsap521" },
		{ "ECDSA bP256r1 explicit SHA-256", "bb_csca.der", "ecdsabrp256r1" },
		{ "ECDSA bP384r1 SHA-384", "ee_csca.der", "ecdsabrp384r1" },
		{ "ECDSA bP512r1 explicit SHA-512", "hh_csca.der", "ecdsabrp512r1" },
		{ "ECDSA bP256t1 explicit SHA-256", "kk_csca.der", "ecdsabrp256t1" },
	};
	struct job		 j;
	struct npkd_buf		 b;
	struct npkd_err		 e;
	const uint8_t		*r, *s;
	size_t			 i, rl, sl;
	char			 path[4096];
	double			 api, raw, parse;
	const char		*lib;

	printf("%-32s %10s %10s %8s %8s  %s\n", "algorithm", "npkd/s",
	    "raw/s", "overhead", "parse/s", "openssl-speed-name library");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&j, 0, sizeof(j));
		snprintf(path, sizeof(path), "%s/%s", dir, cases[i].file);
		if (npkd_file_read(path, NPKD_MAX_DER, &b, &e) != NPKD_OK ||
		    npkd_cert_parse(b.data, b.len, &j.c, &e) != NPKD_OK) {
			fprintf(stderr, "bench: %s\n", e.msg);
			return 2;
		}
		npkd_buf_free(&b);
		j.dlen = npkd_hash_len(j.c->sigalg.hash);
		npkd_hash(j.c->sigalg.hash, j.c->tbs, j.c->tbs_len, j.d, &e);
		parse = rate(op_parse, &j);
		if (j.c->pub->alg == NPKD_KEY_RSA ||
		    j.c->pub->ec_be == &npkd_be_gnutls) {
			lib = "gnutls/nettle";
			j.h.data = j.d;
			j.h.size = (unsigned int)j.dlen;
			j.s.data = j.c->sig.data;
			j.s.size = (unsigned int)j.c->sig.len;
			j.galg = gnutls_pk_to_sign(j.c->pub->alg == NPKD_KEY_EC ?
			    GNUTLS_PK_ECDSA : j.c->sigalg.kind == NPKD_SIG_RSA_PSS ?
			    GNUTLS_PK_RSA_PSS : GNUTLS_PK_RSA,
			    j.c->sigalg.hash == NPKD_HASH_SHA256 ? GNUTLS_DIG_SHA256 :
			    j.c->sigalg.hash == NPKD_HASH_SHA384 ? GNUTLS_DIG_SHA384 :
			    GNUTLS_DIG_SHA512);
			rate2(op_npkd, op_gnutls, &j, &api, &raw);
		} else {
			lib = "libgcrypt";
			npkd_ecdsa_sig_decode(j.c->sig.data, j.c->sig.len, &r, &rl,
			    &s, &sl);
			gcry_sexp_build(&j.data, NULL, "(data (flags raw)(hash %s "
			    "%b))", hname(j.c->sigalg.hash), (int)j.dlen, j.d);
			gcry_sexp_build(&j.sig, NULL, "(sig-val (ecdsa (r %b)"
			    "(s %b)))", (int)rl, r, (int)sl, s);
			rate2(op_npkd, op_gcrypt, &j, &api, &raw);
			gcry_sexp_release(j.data);
			gcry_sexp_release(j.sig);
		}
		printf("%-32s %10.0f %10.0f %7.1f%% %8.0f  %s %s\n",
		    cases[i].label, api, raw, 100.0 * (raw - api) / raw, parse,
		    cases[i].openssl, lib);
		fflush(stdout);
		npkd_cert_free(j.c);
	}
	return 0;
}

/*
 * The signatures npkd check verifies for DSCs, timed as raw library calls
 * on one core with digests and keys prepared beforehand: the floor that
 * check's own time is compared with.
 */
struct pairs {
	struct npkd_cert	**ca;
	size_t			  nca;
	double			  secs;
	size_t			  n, gt, gc;
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
	struct pairs		*p = arg;
	struct npkd_cert	*c, *iss = NULL;
	struct job		 j;
	const uint8_t		*r, *s;
	size_t			 i, rl, sl;
	double			 t0;

	if (npkd_cert_parse(o->der, o->der_len, &c, NULL) != NPKD_OK)
		return 0;
	for (i = 0; i < p->nca && iss == NULL; i++)
		if (c->has_aki && p->ca[i]->has_ski && c->aki.len ==
		    p->ca[i]->ski.len && memcmp(c->aki.data,
		    p->ca[i]->ski.data, c->aki.len) == 0)
			iss = p->ca[i];
	if (iss == NULL || iss->pub == NULL || c->sigalg.kind == 0) {
		npkd_cert_free(c);
		return 0;
	}
	memset(&j, 0, sizeof(j));
	j.c = iss;
	j.dlen = npkd_hash_len(c->sigalg.hash);
	npkd_hash(c->sigalg.hash, c->tbs, c->tbs_len, j.d, NULL);
	if (c->sigalg.kind == NPKD_SIG_RSA_PKCS1 || (c->sigalg.kind ==
	    NPKD_SIG_ECDSA && iss->pub->ec_be == &npkd_be_gnutls) ||
	    (c->sigalg.kind == NPKD_SIG_RSA_PSS && c->sigalg.salt ==
	    j.dlen)) {
		j.h.data = j.d;
		j.h.size = (unsigned int)j.dlen;
		j.s.data = c->sig.data;
		j.s.size = (unsigned int)c->sig.len;
		j.galg = gnutls_pk_to_sign(c->sigalg.kind == NPKD_SIG_ECDSA ?
		    GNUTLS_PK_ECDSA : c->sigalg.kind == NPKD_SIG_RSA_PSS ?
		    GNUTLS_PK_RSA_PSS : GNUTLS_PK_RSA,
		    c->sigalg.hash == NPKD_HASH_SHA256 ? GNUTLS_DIG_SHA256 :
		    c->sigalg.hash == NPKD_HASH_SHA384 ? GNUTLS_DIG_SHA384 :
		    GNUTLS_DIG_SHA512);
		t0 = now();
		op_gnutls(&j);
		p->secs += now() - t0;
		p->gt++;
	} else {
		if (c->sigalg.kind == NPKD_SIG_ECDSA) {
			npkd_ecdsa_sig_decode(c->sig.data, c->sig.len, &r, &rl,
			    &s, &sl);
			gcry_sexp_build(&j.data, NULL, "(data (flags raw)(hash %s "
			    "%b))", hname(c->sigalg.hash), (int)j.dlen, j.d);
			gcry_sexp_build(&j.sig, NULL, "(sig-val (ecdsa (r %b)"
			    "(s %b)))", (int)rl, r, (int)sl, s);
		} else {
			gcry_sexp_build(&j.data, NULL, "(data (flags pss)(hash %s "
			    "%b)(salt-length %u))", hname(c->sigalg.hash),
			    (int)j.dlen, j.d, c->sigalg.salt);
			gcry_sexp_build(&j.sig, NULL, "(sig-val (rsa (s %b)))",
			    (int)c->sig.len, c->sig.data);
		}
		t0 = now();
		op_gcrypt(&j);
		p->secs += now() - t0;
		gcry_sexp_release(j.data);
		gcry_sexp_release(j.sig);
		p->gc++;
	}
	p->n++;
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
	    "%zu libgcrypt), one core: %.3f s\n", p.n, p.gt, p.gc, p.secs);
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
	    rate(op_cvverify, &j));
	printf("DV certificates issued/s (%s CVCA, file key, each one "
	    "verified after signing): %.0f\n", npkd_cvc_sigalg_name(j.ca),
	    rate(op_cvissue, &j));
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
	printf("%.3f s, peak RSS %.1f MiB, exit %d\n", now() - t0,
	    (double)ru.ru_maxrss / 1024.0, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct npkd_err e;

	if (argc >= 3 && strcmp(argv[1], "sig") == 0) {
		if (npkd_global_init(&e) != NPKD_OK)
			return 2;
		return bench_sig(argv[2]);
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
	fprintf(stderr, "usage: bench sig TESTDATA | bench cmd PROG ARGS...\n");
	return 2;
}
