/*
 * cvc - card verifiable certificates and requests (BSI TR-03110-3): print
 * and verify them; run a CVCA (the first certificate, DV certificates,
 * rollover), a DV (terminal certificates) and a terminal (requests).
 * Every decision is the library's; this reads arguments and prints.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

static const char	*store_dir;	/* -d DIR or NPKD_DIR: the register */
static char		*pin;		/* -P: the token PIN, for pkcs11: keys */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: cvc print [-j] file ...\n"
	    "       cvc verify [-D YYYY-MM-DD] [-c cert ...] -T cvca ... file ...\n"
	    "       cvc req [create] [-a car] [-K outer-key -O outer-cert [-d cvca]]\n"
	    "           [-U pub] -k key -p params.cvcert -r chr -o out\n"
	    "       cvc root [-a alg] [-g rights] [-n days] [-U pub] -k key -r chr\n"
	    "           -t IS|AT|ST -o out\n"
	    "       cvc issue [-N] [-c cert ...] [-e description] [-n days] [-R role]\n"
	    "           [-r rights] [-S sector ...] [-T cvca ...] -k key -P policy\n"
	    "           -s cert -o out request\n"
	    "       cvc link [-a alg] [-d cvca] [-n days] [-S self.cvcert] [-U pub]\n"
	    "           -k old-key -s old.cvcert -K new-key -r chr -o out\n"
	    "       cvc countersign [-d cvca] -k key -s cvca.cvcert -o out request\n"
	    "       cvc keygen [-f] [-a curve|rsa:bits] -o key.pk8\n"
	    "       cvc [-d dir] register [-o registered|own|ours] cert ...\n"
	    "       cvc [-d dir] dv add|suspend|resume holder\n"
	    "       cvc [-d dir] ls [-e days] [-o origin]\n"
	    "       cvc [-P pinfile] ...: keys may be pkcs11: URIs\n");
	exit(EXIT_ERR);
}

static int
readfile(const char *path, size_t max, struct npkd_buf *b)
{
	struct npkd_err e;

	if (npkd_file_read(path, max, b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

/* A certificate or request (as_request as npkd_cvc_parse takes it). */
static struct npkd_cvc *
load(const char *path, int as_request)
{
	struct npkd_buf	 b;
	struct npkd_err	 e;
	struct npkd_cvc	*c;

	if (readfile(path, 1 << 20, &b) != EXIT_OK)
		return NULL;
	if (npkd_cvc_parse(b.data, b.len, as_request, &c, &e) != NPKD_OK) {
		warnmsg(display_name(path), "%s%s", as_request == 1 ?
		    "failure_request_syntax: " : "", e.msg);
		c = NULL;
	}
	npkd_buf_free(&b);
	return c;
}

static void
day(time_t t, char *out)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ,"key":"value" (or null) of a JSON object */
static void
js(const char *key, const char *v)
{
	printf(",\"%s\":", key);
	json_str(stdout, v);
}

static void
print_one(const char *name, const struct npkd_cvc *c, int json)
{
	static const char	*kinds[] = { "", "certificate", "request",
	    "authenticated request" };
	char			 r[48][48], eff[11], exp[11];
	const char		*x;
	size_t			 n, i;
	int			 role = npkd_cvc_role(c), k = npkd_cvc_kind(c);

	n = npkd_cvc_rights(c, r, 48);
	day(npkd_cvc_effective(c), eff);
	day(npkd_cvc_expiry(c), exp);
	if (json) {
		fputs("{\"file\":", stdout);
		json_str(stdout, name);
		printf(",\"kind\":\"%s\"", kinds[k]);
		js("car", npkd_cvc_car(c));
		js("chr", npkd_cvc_chr(c));
		js("outer_car", npkd_cvc_outer_car(c));
		js("role", role >= 0 ? npkd_cvc_role_name(role) : NULL);
		js("terminal_type", npkd_cvc_terminal_type(c));
		fputs(",\"rights\":[", stdout);
		for (i = 0; i < n; i++) {
			fputs(i ? "," : "", stdout);
			json_str(stdout, r[i]);
		}
		fputs("]", stdout);
		js("effective", k == NPKD_CVC_CERT ? eff : NULL);
		js("expiry", k == NPKD_CVC_CERT ? exp : NULL);
		printf(",\"algorithm\":\"%s\",\"domain_parameters\":%s,"
		    "\"extensions\":[", npkd_cvc_sigalg_name(c),
		    npkd_cvc_has_domain_params(c) ? "true" : "false");
		for (i = 0; i < npkd_cvc_ext_count(c); i++) {
			fputs(i ? "," : "", stdout);
			json_str(stdout, npkd_cvc_ext_oid(c, i));
		}
		fputs("]}\n", stdout);
		return;
	}
	printf("%s: %s\n", name, kinds[k]);
	printf("  CAR:            %s\n", npkd_cvc_car(c) ? npkd_cvc_car(c) :
	    "(none)");
	printf("  CHR:            %s\n", npkd_cvc_chr(c));
	printf("  public key:     %s%s\n", npkd_cvc_sigalg_name(c),
	    npkd_cvc_has_domain_params(c) ? ", with domain parameters" : "");
	if (k != NPKD_CVC_CERT)
		printf("  inner signature: by the key above (proof of "
		    "possession)\n");
	if (k == NPKD_CVC_AUTH_REQUEST)
		printf("  outer CAR:      %s\n  outer signature: by %s, over "
		    "the request and the outer CAR\n", npkd_cvc_outer_car(c),
		    npkd_cvc_outer_car(c));
	if (k == NPKD_CVC_CERT) {
		printf("  role:           %s\n", npkd_cvc_role_name(role));
		printf("  terminal type:  %s\n", npkd_cvc_terminal_type(c));
		for (i = 0; i < n; i++)
			printf("  right:          %s\n", r[i]);
		printf("  effective:      %s\n  expires:        %s\n", eff, exp);
	}
	for (i = 0; i < npkd_cvc_ext_count(c); i++) {
		x = npkd_cvc_ext_name(npkd_cvc_ext_oid(c, i));
		printf("  extension:      %s%s%s%s\n", npkd_cvc_ext_oid(c, i),
		    x ? " (" : "", x ? x : "", x ? ")" : "");
	}
}

#define MAXV	16

/*
 * The options of every command, one letter one field (a command takes
 * the letters its table entry names); certificates -p -d -O -s, keys -k
 * -K and the public key -U are loaded once parsed.
 */
struct args {
	const char	*a, *d, *e, *g, *k, *K, *o, *O, *p, *P, *r, *R, *s,
			*t, *U;
	const char	*c[MAXV], *S[MAXV], *T[MAXV];
	size_t		 nc, nS, nT;
	long		 n;
	int		 f, j, N;
	time_t		 at;
	struct npkd_cvc	*pc, *dc, *Oc, *sc;
	struct npkd_key	*kk, *Kk;
	struct npkd_buf	 Ub;
};

static const char *
opt(const struct args *a, int ch)
{
	switch (ch) {
	case 'k': return a->k;
	case 'K': return a->K;
	case 'o': return a->o;
	case 'p': return a->p;
	case 'P': return a->P;
	case 'r': return a->r;
	case 's': return a->s;
	case 't': return a->t;
	case 'T': return a->nT ? a->T[0] : NULL;
	}
	return NULL;
}

static void
parse(int argc, char *argv[], const char *opts, struct args *a)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "date", required_argument, NULL, 'D' },
		{ "narrow", no_argument, NULL, 'N' },
		{ "expiring", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 } };
	struct npkd_err	 e;
	int		 ch;

	while ((ch = getopt_long(argc, argv, opts, lo, NULL)) != -1) {
		switch (ch) {
		case 'a': a->a = optarg; break;
		case 'd': a->d = optarg; break;
		case 'e': a->e = optarg; break;
		case 'f': a->f = 1; break;
		case 'g': a->g = optarg; break;
		case 'j': a->j = 1; break;
		case 'k': a->k = optarg; break;
		case 'K': a->K = optarg; break;
		case 'N': a->N = 1; break;
		case 'o': a->o = optarg; break;
		case 'O': a->O = optarg; break;
		case 'p': a->p = optarg; break;
		case 'P': a->P = optarg; break;
		case 'r': a->r = optarg; break;
		case 'R': a->R = optarg; break;
		case 's': a->s = optarg; break;
		case 't': a->t = optarg; break;
		case 'U': a->U = optarg; break;
		case 'c': if (a->nc < MAXV) { a->c[a->nc++] = optarg; break; }
			usage();
		case 'S': if (a->nS < 2) { a->S[a->nS++] = optarg; break; }
			usage();
		case 'T': if (a->nT < MAXV) { a->T[a->nT++] = optarg; break; }
			usage();
		case 'n':
			if (npkd_cvc_number(optarg, 1, NPKD_CVCA_MAX_DAYS, &a->n,
			    &e) == NPKD_OK)
				break;
			warnmsg(NULL, "days %s: %s", optarg, e.msg);
			exit(EXIT_ERR);
		case 'D':
			if (npkd_cvc_date(optarg, &a->at, &e) == NPKD_OK)
				break;
			warnmsg(NULL, "-D %s", e.msg);
			exit(EXIT_ERR);
		default:
			usage();
		}
	}
}

static struct npkd_key *
key_load(const char *path)
{
	struct npkd_key	*k;
	struct npkd_err	 e;

	if (npkd_key_load(path, pin, &k, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return NULL;
	}
	return k;
}

static int
load_args(struct args *a)
{
	if ((a->p && (a->pc = load(a->p, 0)) == NULL) ||
	    (a->d && (a->dc = load(a->d, 0)) == NULL) ||
	    (a->O && (a->Oc = load(a->O, 0)) == NULL) ||
	    (a->s && (a->sc = load(a->s, 0)) == NULL) ||
	    (a->U && readfile(a->U, 1 << 16, &a->Ub) != EXIT_OK) ||
	    (a->k && (a->kk = key_load(a->k)) == NULL) ||
	    (a->K && (a->Kk = key_load(a->K)) == NULL))
		return EXIT_ERR;
	return EXIT_OK;
}

struct cvs {
	struct npkd_cvc	**v;
	size_t		  n;
};

/* Load the certificates of paths; EXIT_OK or EXIT_ERR (said why). */
static int
load_all(const char *const *paths, size_t n, struct cvs *s)
{
	size_t i;

	if (n > 0 && (s->v = calloc(n, sizeof(*s->v))) == NULL)
		return EXIT_ERR;
	for (i = 0; i < n; i++)
		if ((s->v[s->n++] = load(paths[i], -1)) == NULL)
			return EXIT_ERR;
	return EXIT_OK;
}

static void
cvs_free(struct cvs *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		npkd_cvc_free(s->v[i]);
	free(s->v);
}

#define CV(s)	((const struct npkd_cvc *const *)(s).v)

/*
 * Say why a command made nothing (a refusal, with its result code, is 1;
 * anything else 2), or write what it made.
 */
static int
emit(const char *outf, int rc, const char *result, const struct npkd_err *e,
    const char *file, const struct npkd_buf *out)
{
	if (rc == NPKD_OK)
		return write_output(outf, out);
	if (result != NULL)
		warnmsg(display_name(file ? file : outf), "%s: %s", result,
		    e->msg);
	else
		warnmsg(display_name(file ? file : outf), "%s", e->msg);
	return result != NULL ? rc_to_exit(rc) : EXIT_ERR;
}

static int
cmd_print(struct args *a, int argc, char *argv[])
{
	struct npkd_cvc	*c;
	int		 i, ex = EXIT_OK;

	for (i = optind; i < argc; i++) {
		if ((c = load(argv[i], -1)) == NULL) {
			ex = EXIT_ERR;
			continue;
		}
		print_one(display_name(argv[i]), c, a->j);
		npkd_cvc_free(c);
	}
	return ex;
}

static int
cmd_verify(struct args *a, int argc, char *argv[])
{
	struct cvs	 trust = { NULL, 0 }, pool = { NULL, 0 };
	struct npkd_cvc	*c;
	struct npkd_err	 e;
	const char	*result;
	int		 i, rc, ex;

	ex = worst(load_all(a->T, a->nT, &trust), load_all(a->c, a->nc, &pool));
	for (i = ex == EXIT_OK ? optind : argc; i < argc; i++) {
		if ((c = load(argv[i], -1)) == NULL) {
			ex = worst(ex, EXIT_ERR);
			continue;
		}
		if (npkd_cvc_kind(c) == NPKD_CVC_CERT)
			rc = npkd_cvc_verify(c, CV(pool), pool.n, CV(trust),
			    trust.n, a->at, &result, &e);
		else
			rc = npkd_cvc_verify_request(c, CV(pool), pool.n,
			    CV(trust), trust.n, a->at, &result, &e);
		if (rc == NPKD_OK && verbose >= 0)
			printf("%s: %s verified\n", display_name(argv[i]),
			    npkd_cvc_chr(c));
		if (rc != NPKD_OK)
			ex = worst(ex, emit(NULL, rc, result ? result : "error",
			    &e, argv[i], NULL));
		npkd_cvc_free(c);
	}
	cvs_free(&trust);
	cvs_free(&pool);
	return ex;
}

static int
cmd_req(struct args *a, int argc, char *argv[])
{
	struct npkd_cvc_req_opts	 o;
	struct npkd_buf			 out = { NULL, 0 };
	struct npkd_err			 e;
	int				 ex;

	(void)argc;
	(void)argv;
	if ((a->K == NULL) != (a->O == NULL))
		usage();
	memset(&o, 0, sizeof(o));
	o.chr = a->r;
	o.car = a->a;
	o.params_from = a->pc;
	o.key = a->kk;
	o.pub = a->U ? &a->Ub : NULL;
	o.outer_key = a->Kk;
	o.outer_cert = a->Oc;
	o.outer_dp = a->dc ? a->dc : a->Oc;
	ex = emit(a->o, npkd_cvc_request(&o, &out, &e), NULL, &e, NULL, &out);
	npkd_buf_free(&out);
	return ex;
}

/* The first, self-signed certificate of a country's CVCA. */
static int
cmd_root(struct args *a, int argc, char *argv[])
{
	struct npkd_cvca_root	 o;
	struct npkd_buf		 out = { NULL, 0 };
	struct npkd_err		 e;
	int			 ex;

	(void)argc;
	(void)argv;
	memset(&o, 0, sizeof(o));
	o.chr = a->r;
	o.type = a->t;
	o.rights = a->g;
	o.alg = a->a;
	o.days = a->n;
	o.pub = a->U ? &a->Ub : NULL;
	o.now = time(NULL);
	ex = emit(a->o, npkd_cvca_root(&o, a->kk, &out, &e), NULL, &e, NULL,
	    &out);
	npkd_buf_free(&out);
	return ex;
}

static int
cmd_issue(struct args *a, int argc, char *argv[])
{
	struct npkd_cvca_issue	 in;
	struct npkd_cvca_policy	 pol;
	struct cvs		 foreign = { NULL, 0 }, pool = { NULL, 0 };
	struct npkd_cvc		*req = NULL, *made = NULL;
	struct npkd_store	*st = NULL;
	struct npkd_buf		 out = { NULL, 0 }, b = { NULL, 0 },
				 desc = { NULL, 0 }, sec[2];
	struct npkd_err		 e;
	const char		*result = NULL;
	int			 rc, ex = EXIT_ERR;

	(void)argc;
	memset(&in, 0, sizeof(in));
	memset(sec, 0, sizeof(sec));
	in.role = a->R == NULL ? -1 : strcmp(a->R, "dv_foreign") == 0 ?
	    NPKD_CVC_DV_FOREIGN : strcmp(a->R, "dv_domestic") == 0 ?
	    NPKD_CVC_DV_DOMESTIC : strcmp(a->R, "terminal") == 0 ?
	    NPKD_CVC_TERMINAL : -2;
	if (in.role == -2)
		usage();
	if (readfile(a->P, NPKD_CVCA_MAX_POLICY, &b) != EXIT_OK)
		goto out;
	if (npkd_cvca_policy_parse(b.data, b.len, &pol, &e) != NPKD_OK) {
		warnmsg(display_name(a->P), "%s", e.msg);
		goto out;
	}
	if ((a->nS > 0 && readfile(a->S[0], 1 << 16, &sec[0]) != EXIT_OK) ||
	    (a->nS > 1 && readfile(a->S[1], 1 << 16, &sec[1]) != EXIT_OK) ||
	    (a->e && readfile(a->e, 1 << 20, &desc) != EXIT_OK) ||
	    load_all(a->T, a->nT, &foreign) != EXIT_OK ||
	    load_all(a->c, a->nc, &pool) != EXIT_OK ||
	    (req = load(argv[optind], 1)) == NULL)
		goto out;
	/* a CVCA keeps a register: what it issued, it knows */
	st = open_store(store_dir, 0);
	in.request = req;
	in.signer = a->sc;
	in.foreign = CV(foreign);
	in.nforeign = foreign.n;
	in.pool = CV(pool);
	in.npool = pool.n;
	in.policy = &pol;
	in.rights = a->r;
	in.days = a->n;
	in.narrow = a->N;
	in.description = a->e ? &desc : NULL;
	in.sectors = sec;
	in.nsectors = a->nS;
	in.now = time(NULL);
	rc = npkd_store_cv_issue(st, &in, a->kk, &out, &result, &e);
	/* not delivered: not issued */
	if ((ex = emit(a->o, rc, result, &e, argv[optind], &out)) != EXIT_OK &&
	    rc == NPKD_OK && npkd_cvc_parse(out.data, out.len, 0, &made,
	    &e) == NPKD_OK)
		npkd_store_cv_remove(st, made, &e);
 out:
	npkd_store_close(st);
	npkd_cvc_free(req);
	npkd_cvc_free(made);
	cvs_free(&foreign);
	cvs_free(&pool);
	npkd_buf_free(&out);
	npkd_buf_free(&b);
	npkd_buf_free(&desc);
	npkd_buf_free(&sec[0]);
	npkd_buf_free(&sec[1]);
	return ex;
}

/* CVCA rollover: the link certificate and the new self-signed one. */
static int
cmd_link(struct args *a, int argc, char *argv[])
{
	struct npkd_cvca_link	 o;
	struct npkd_buf		 link = { NULL, 0 }, self = { NULL, 0 };
	struct npkd_err		 e;
	int			 ex;

	(void)argc;
	(void)argv;
	memset(&o, 0, sizeof(o));
	o.old = a->sc;
	o.old_dp = a->dc;
	o.chr = a->r;
	o.alg = a->a;
	o.days = a->n;
	o.pub = a->U ? &a->Ub : NULL;
	o.now = time(NULL);
	ex = emit(a->o, npkd_cvca_link(&o, a->kk, a->Kk, &link, a->nS ? &self :
	    NULL, &e), NULL, &e, NULL, &link);
	if (ex == EXIT_OK && a->nS)
		ex = write_output(a->S[0], &self);
	npkd_buf_free(&link);
	npkd_buf_free(&self);
	return ex;
}

/* Our CVCA's outer signature on an initial request of one of our DVs. */
static int
cmd_countersign(struct args *a, int argc, char *argv[])
{
	struct npkd_cvc	*req;
	struct npkd_buf	 out = { NULL, 0 };
	struct npkd_err	 e;
	const char	*result = NULL;
	int		 rc, ex = EXIT_ERR;

	(void)argc;
	if ((req = load(argv[optind], 1)) != NULL) {
		rc = npkd_cvca_countersign(req, a->sc, a->dc, a->kk, time(NULL),
		    &out, &result, &e);
		ex = emit(a->o, rc, result, &e, argv[optind], &out);
	}
	npkd_cvc_free(req);
	npkd_buf_free(&out);
	return ex;
}

/* A new private key for a CVCA, DV or terminal: 0600, never replaced. */
static int
cmd_keygen(struct args *a, int argc, char *argv[])
{
	struct npkd_buf	 k = { NULL, 0 };
	struct npkd_err	 e;
	int		 rc;

	(void)argc;
	(void)argv;
	if (strcmp(a->o, "-") == 0)
		usage();
	if ((rc = npkd_key_generate(a->a ? a->a : "brainpoolP256r1", &k, &e)) ==
	    NPKD_OK) {
		rc = npkd_file_write_atomic(a->o, k.data, k.len, 0600, !a->f,
		    &e);
		memset(k.data, 0, k.len);
		npkd_buf_free(&k);
	}
	if (rc != NPKD_OK)
		warnmsg(NULL, "%s", e.msg);
	return rc == NPKD_OK ? EXIT_OK : EXIT_ERR;
}

static int
cmd_register(struct args *a, int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_cvc		*c;
	struct npkd_err		 e;
	const char		*origin = a->o ? a->o : "registered", *result;
	int			 i, rc, ex = EXIT_OK;

	st = open_store(store_dir, 0);
	for (i = optind; i < argc; i++) {
		if ((c = load(argv[i], 0)) == NULL) {
			ex = worst(ex, EXIT_ERR);
			continue;
		}
		if ((rc = npkd_store_cv_register(st, c, origin, &result, &e)) !=
		    NPKD_OK)
			ex = worst(ex, emit(NULL, rc, result ? result : "error",
			    &e, argv[i], NULL));
		else if (verbose >= 0)
			printf("%s: %s registered (%s)\n", display_name(argv[i]),
			    npkd_cvc_chr(c), origin);
		npkd_cvc_free(c);
	}
	npkd_store_close(st);
	return ex;
}

static int
cmd_dv(struct args *a, int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_err		 e;
	const char		*status;
	int			 rc;

	(void)a;
	(void)argc;
	if (strcmp(argv[2], "add") == 0 || strcmp(argv[2], "resume") == 0)
		status = "registered";
	else if (strcmp(argv[2], "suspend") == 0)
		status = "suspended";
	else
		usage();
	st = open_store(store_dir, 0);
	if ((rc = npkd_store_dv_set(st, argv[3], status, &e)) != NPKD_OK)
		warnmsg(NULL, "%s", e.msg);
	npkd_store_close(st);
	return rc == NPKD_OK ? EXIT_OK : EXIT_ERR;
}

static int
ls_one(void *arg, const uint8_t *der, size_t len, const char *origin)
{
	struct npkd_cvc	*c;
	char		 nb[11], na[11];

	(void)arg;
	if (npkd_cvc_parse(der, len, 0, &c, NULL) != NPKD_OK)
		return 0;
	day(npkd_cvc_effective(c), nb);
	day(npkd_cvc_expiry(c), na);
	printf("%-10s %-16s %-16s %s %s %s\n", origin, npkd_cvc_chr(c),
	    npkd_cvc_car(c), nb, na, npkd_cvc_role_name(npkd_cvc_role(c)));
	npkd_cvc_free(c);
	return 0;
}

static int
cmd_ls(struct args *a, int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_err		 e;
	long			 days = -1;
	int			 rc;

	(void)argc;
	(void)argv;
	if (a->e != NULL && npkd_cvc_number(a->e, 0, 36500, &days, &e) !=
	    NPKD_OK) {
		warnmsg(NULL, "--expiring %s: %s", a->e, e.msg);
		return EXIT_ERR;
	}
	/* what needs a renewal request: ours from foreign CVCAs */
	st = open_store(store_dir, 0);
	if ((rc = npkd_store_cv_list(st, a->o ? a->o : a->e ? "ours" : NULL,
	    days, time(NULL), ls_one, NULL, &e)) != NPKD_OK)
		warnmsg(NULL, "%s", e.msg);
	npkd_store_close(st);
	return rc == NPKD_OK ? EXIT_OK : EXIT_ERR;
}

static void
wipe_pin(void)
{
	free_pin(pin);
	pin = NULL;
}

/* name, options, options required, operands (-1: one or more). */
static const struct {
	const char	*name, *opts, *need;
	int		 nargs;
	int		(*fn)(struct args *, int, char *[]);
} cmds[] = {
	{ "print", "j", "", -1, cmd_print },
	{ "verify", "c:D:T:", "T", -1, cmd_verify },
	{ "req", "a:d:k:K:o:O:p:r:U:", "kopr", 0, cmd_req },
	{ "root", "a:g:k:n:o:r:t:U:", "kort", 0, cmd_root },
	{ "issue", "c:e:k:n:No:P:r:R:s:S:T:", "koPs", 1, cmd_issue },
	{ "link", "a:d:k:K:n:o:r:s:S:U:", "kKors", 0, cmd_link },
	{ "countersign", "d:k:o:s:", "kos", 1, cmd_countersign },
	{ "keygen", "a:fo:", "o", 0, cmd_keygen },
	{ "register", "o:", "", -1, cmd_register },
	{ "dv", "", "", 2, cmd_dv },
	{ "ls", "e:o:", "", 0, cmd_ls },
};

int
main(int argc, char *argv[])
{
	struct args	 a;
	size_t		 i;
	const char	*p;
	int		 ex, n;

	tool_init("cvc");
	atexit(wipe_pin);
	store_dir = getenv("NPKD_DIR");
	/* global options before the command: -d DIR, -P PINFILE */
	while (argc >= 3 && argv[1][0] == '-' && argv[1][1] != '\0' &&
	    argv[1][2] == '\0') {
		if (strcmp(argv[1], "-d") == 0)
			store_dir = argv[2];
		else if (strcmp(argv[1], "-P") == 0) {
			free_pin(pin);
			if ((pin = read_pin(argv[2])) == NULL)
				return EXIT_ERR;
		} else
			usage();
		argc -= 2;
		argv += 2;
	}
	for (i = 0; argc >= 2 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			break;
	if (argc < 2 || i == sizeof(cmds) / sizeof(cmds[0]))
		usage();
	memset(&a, 0, sizeof(a));
	a.at = time(NULL);
	/* "cvc req create ..." and "cvc req ..." */
	optind = strcmp(argv[1], "req") == 0 && argc > 2 &&
	    strcmp(argv[2], "create") == 0 ? 3 : 2;
	parse(argc, argv, cmds[i].opts, &a);
	for (p = cmds[i].need; *p != '\0'; p++)
		if (opt(&a, *p) == NULL)
			usage();
	n = argc - optind;
	if ((cmds[i].nargs < 0 && n < 1) || (cmds[i].nargs >= 0 &&
	    n != cmds[i].nargs))
		usage();
	ex = load_args(&a) == EXIT_OK ? cmds[i].fn(&a, argc, argv) : EXIT_ERR;
	npkd_cvc_free(a.pc);
	npkd_cvc_free(a.dc);
	npkd_cvc_free(a.Oc);
	npkd_cvc_free(a.sc);
	npkd_key_free(a.kk);
	npkd_key_free(a.Kk);
	npkd_buf_free(&a.Ub);
	return ex;
}
