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

struct cvs {
	struct npkd_cvc	**v;
	size_t		  n;
};

static int
add(struct cvs *s, const char *path)
{
	struct npkd_cvc **nv, *c;

	if ((c = load(path, -1)) == NULL)
		return EXIT_ERR;
	if ((nv = reallocarray(s->v, s->n + 1, sizeof(*nv))) == NULL) {
		npkd_cvc_free(c);
		return EXIT_ERR;
	}
	s->v = nv;
	s->v[s->n++] = c;
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

/* A number of days: digits only, or usage error. */
static long
days_arg(const char *s, long min, long max)
{
	struct npkd_err	 e;
	long		 v;

	if (npkd_cvc_number(s, min, max, &v, &e) != NPKD_OK) {
		warnmsg(NULL, "days %s: %s", s, e.msg);
		exit(EXIT_ERR);
	}
	return v;
}

/* Report a refusal or an error of the library; its exit status. */
static int
report(const char *file, int rc, const char *result, const struct npkd_err *e)
{
	if (result != NULL)
		warnmsg(file, "%s: %s", result, e->msg);
	else
		warnmsg(file, "%s", e->msg);
	return rc_to_exit(rc);
}

static void
day(time_t t, char *out)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
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
		printf(",\"kind\":\"%s\",\"car\":", kinds[k]);
		json_str(stdout, npkd_cvc_car(c));
		fputs(",\"chr\":", stdout);
		json_str(stdout, npkd_cvc_chr(c));
		fputs(",\"outer_car\":", stdout);
		json_str(stdout, npkd_cvc_outer_car(c));
		fputs(",\"role\":", stdout);
		json_str(stdout, role >= 0 ? npkd_cvc_role_name(role) : NULL);
		fputs(",\"terminal_type\":", stdout);
		json_str(stdout, npkd_cvc_terminal_type(c));
		fputs(",\"rights\":[", stdout);
		for (i = 0; i < n; i++) {
			fputs(i ? "," : "", stdout);
			json_str(stdout, r[i]);
		}
		fputs("],\"effective\":", stdout);
		json_str(stdout, k == NPKD_CVC_CERT ? eff : NULL);
		fputs(",\"expiry\":", stdout);
		json_str(stdout, k == NPKD_CVC_CERT ? exp : NULL);
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

static int
cmd_print(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' }, { NULL, 0, NULL, 0 } };
	struct npkd_cvc	*c;
	int		 ch, json = 0, i, ex = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "j", lo, NULL)) != -1)
		if (ch == 'j')
			json = 1;
		else
			usage();
	if (optind >= argc)
		usage();
	for (i = optind; i < argc; i++) {
		if ((c = load(argv[i], -1)) == NULL) {
			ex = EXIT_ERR;
			continue;
		}
		print_one(display_name(argv[i]), c, json);
		npkd_cvc_free(c);
	}
	return ex;
}

static int
cmd_verify(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "date", required_argument, NULL, 'D' }, { NULL, 0, NULL, 0 } };
	struct cvs	 trust = { NULL, 0 }, pool = { NULL, 0 };
	struct npkd_cvc	*c;
	struct npkd_err	 e;
	const char	*result;
	time_t		 at = time(NULL);
	int		 ch, i, rc, ex = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "c:D:T:", lo, NULL)) != -1) {
		if (ch == 'c' && add(&pool, optarg) != EXIT_OK)
			ex = EXIT_ERR;
		else if (ch == 'T' && add(&trust, optarg) != EXIT_OK)
			ex = EXIT_ERR;
		else if (ch == 'D' && npkd_cvc_date(optarg, &at, &e) != NPKD_OK) {
			warnmsg(NULL, "-D %s", e.msg);
			ex = EXIT_ERR;
		} else if (ch != 'c' && ch != 'T' && ch != 'D')
			usage();
	}
	if (ex == EXIT_OK && (optind >= argc || trust.n == 0))
		usage();
	for (i = ex == EXIT_OK ? optind : argc; i < argc; i++) {
		if ((c = load(argv[i], -1)) == NULL) {
			ex = worst(ex, EXIT_ERR);
			continue;
		}
		if (npkd_cvc_kind(c) == NPKD_CVC_CERT)
			rc = npkd_cvc_verify(c, CV(pool), pool.n, CV(trust),
			    trust.n, at, &result, &e);
		else
			rc = npkd_cvc_verify_request(c, CV(pool), pool.n,
			    CV(trust), trust.n, at, &result, &e);
		if (rc == NPKD_OK && verbose >= 0)
			printf("%s: %s verified\n", display_name(argv[i]),
			    npkd_cvc_chr(c));
		if (rc != NPKD_OK)
			ex = worst(ex, report(display_name(argv[i]), rc,
			    result ? result : "error", &e));
		npkd_cvc_free(c);
	}
	cvs_free(&trust);
	cvs_free(&pool);
	return ex;
}

static int
cmd_req(int argc, char *argv[])
{
	struct npkd_cvc_req_opts	 o;
	struct npkd_cvc			*params = NULL, *ocert = NULL, *odp = NULL;
	struct npkd_buf			 out = { NULL, 0 }, pub = { NULL, 0 };
	struct npkd_err			 e;
	const char			*keyf = NULL, *outf = NULL, *okeyf = NULL;
	int				 ch, ex = EXIT_ERR;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "a:d:k:K:o:O:p:r:U:")) != -1) {
		switch (ch) {
		case 'a': o.car = optarg; break;
		case 'd': if ((odp = load(optarg, 0)) == NULL) goto out; break;
		case 'k': keyf = optarg; break;
		case 'K': okeyf = optarg; break;
		case 'o': outf = optarg; break;
		case 'O': if ((ocert = load(optarg, 0)) == NULL) goto out; break;
		case 'p': if ((params = load(optarg, 0)) == NULL) goto out; break;
		case 'r': o.chr = optarg; break;
		case 'U': if (readfile(optarg, 1 << 16, &pub)) goto out; break;
		default: usage();
		}
	}
	if (keyf == NULL || outf == NULL || params == NULL || o.chr == NULL ||
	    (okeyf == NULL) != (ocert == NULL) || optind != argc)
		usage();
	o.params_from = params;
	o.pub = pub.data != NULL ? &pub : NULL;
	if ((o.key = key_load(keyf)) == NULL || (okeyf != NULL &&
	    (o.outer_key = key_load(okeyf)) == NULL))
		goto out;
	o.outer_cert = ocert;
	o.outer_dp = odp != NULL ? odp : ocert;
	if (npkd_cvc_request(&o, &out, &e) != NPKD_OK)
		warnmsg(display_name(outf), "%s", e.msg);
	else
		ex = write_output(outf, &out);
 out:
	npkd_key_free(o.key);
	npkd_key_free(o.outer_key);
	npkd_cvc_free(params);
	npkd_cvc_free(ocert);
	npkd_cvc_free(odp);
	npkd_buf_free(&out);
	npkd_buf_free(&pub);
	return ex;
}

/* The first, self-signed certificate of a country's CVCA. */
static int
cmd_root(int argc, char *argv[])
{
	struct npkd_cvca_root	 o;
	struct npkd_key		*key = NULL;
	struct npkd_buf		 out = { NULL, 0 }, pub = { NULL, 0 };
	struct npkd_err		 e;
	const char		*keyf = NULL, *outf = NULL;
	int			 ch, ex = EXIT_ERR;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "a:g:k:n:o:r:t:U:")) != -1) {
		switch (ch) {
		case 'a': o.alg = optarg; break;
		case 'g': o.rights = optarg; break;
		case 'k': keyf = optarg; break;
		case 'n': o.days = days_arg(optarg, 1, NPKD_CVCA_MAX_DAYS); break;
		case 'o': outf = optarg; break;
		case 'r': o.chr = optarg; break;
		case 't': o.type = optarg; break;
		case 'U': if (readfile(optarg, 1 << 16, &pub)) goto out; break;
		default: usage();
		}
	}
	if (keyf == NULL || outf == NULL || o.chr == NULL || o.type == NULL ||
	    optind != argc)
		usage();
	o.pub = pub.data != NULL ? &pub : NULL;
	o.now = time(NULL);
	if ((key = key_load(keyf)) == NULL)
		goto out;
	if (npkd_cvca_root(&o, key, &out, &e) != NPKD_OK)
		warnmsg(display_name(outf), "%s", e.msg);
	else
		ex = write_output(outf, &out);
 out:
	npkd_key_free(key);
	npkd_buf_free(&out);
	npkd_buf_free(&pub);
	return ex;
}

static int
cmd_issue(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "narrow", no_argument, NULL, 'N' }, { NULL, 0, NULL, 0 } };
	struct npkd_cvca_issue	 in;
	struct npkd_cvca_policy	 pol;
	struct cvs		 foreign = { NULL, 0 }, pool = { NULL, 0 };
	struct npkd_cvc		*req = NULL, *signer = NULL;
	struct npkd_key		*key = NULL;
	struct npkd_store	*st = NULL;
	struct npkd_buf		 out = { NULL, 0 }, b = { NULL, 0 },
				 desc = { NULL, 0 }, sec[3];
	struct npkd_err		 e;
	const char		*keyf = NULL, *outf = NULL, *polf = NULL;
	const char		*result = NULL;
	size_t			 i;
	int			 ch, rc, ex = EXIT_ERR;

	memset(&in, 0, sizeof(in));
	memset(sec, 0, sizeof(sec));
	in.role = -1;
	while ((ch = getopt_long(argc, argv, "c:e:k:n:No:P:r:R:s:S:T:", lo,
	    NULL)) != -1) {
		switch (ch) {
		case 'c': if (add(&pool, optarg)) goto out; break;
		case 'e': if (readfile(optarg, 1 << 20, &desc)) goto out; break;
		case 'k': keyf = optarg; break;
		case 'n': in.days = days_arg(optarg, 1, NPKD_CVCA_MAX_DAYS); break;
		case 'N': in.narrow = 1; break;
		case 'o': outf = optarg; break;
		case 'P': polf = optarg; break;
		case 'r': in.rights = optarg; break;
		case 'R':
			in.role = strcmp(optarg, "dv_foreign") == 0 ?
			    NPKD_CVC_DV_FOREIGN : strcmp(optarg, "dv_domestic") ==
			    0 ? NPKD_CVC_DV_DOMESTIC : strcmp(optarg,
			    "terminal") == 0 ? NPKD_CVC_TERMINAL : -2;
			if (in.role == -2)
				usage();
			break;
		case 's': if ((signer = load(optarg, 0)) == NULL) goto out; break;
		case 'S':
			if (in.nsectors == 2 || readfile(optarg, 1 << 16,
			    &sec[in.nsectors++]))
				goto out;
			break;
		case 'T': if (add(&foreign, optarg)) goto out; break;
		default: usage();
		}
	}
	if (keyf == NULL || outf == NULL || polf == NULL || signer == NULL ||
	    optind + 1 != argc)
		usage();
	if (readfile(polf, NPKD_CVCA_MAX_POLICY, &b) != EXIT_OK)
		goto out;
	rc = npkd_cvca_policy_parse(b.data, b.len, &pol, &e);
	npkd_buf_free(&b);
	if (rc != NPKD_OK) {
		warnmsg(display_name(polf), "%s", e.msg);
		goto out;
	}
	if ((req = load(argv[optind], 1)) == NULL)
		goto out;
	/* a CVCA keeps a register: what it issued, it knows */
	st = open_store(store_dir, 0);
	if ((key = key_load(keyf)) == NULL)
		goto out;
	in.request = req;
	in.signer = signer;
	in.foreign = CV(foreign);
	in.nforeign = foreign.n;
	in.pool = CV(pool);
	in.npool = pool.n;
	in.policy = &pol;
	in.description = desc.data != NULL ? &desc : NULL;
	in.sectors = sec;
	in.now = time(NULL);
	if ((rc = npkd_store_cv_issue(st, &in, key, &out, &result, &e)) !=
	    NPKD_OK) {
		ex = report(display_name(argv[optind]), rc, result, &e);
		goto out;
	}
	if ((ex = write_output(outf, &out)) != EXIT_OK) {
		/* not delivered: not issued */
		struct npkd_cvc *made;

		if (npkd_cvc_parse(out.data, out.len, 0, &made, &e) == NPKD_OK)
			npkd_store_cv_remove(st, made, &e);
		npkd_cvc_free(made);
	}
 out:
	npkd_store_close(st);
	npkd_key_free(key);
	npkd_cvc_free(req);
	npkd_cvc_free(signer);
	cvs_free(&foreign);
	cvs_free(&pool);
	npkd_buf_free(&out);
	npkd_buf_free(&desc);
	for (i = 0; i < 3; i++)
		npkd_buf_free(&sec[i]);
	return ex;
}

/* CVCA rollover: the link certificate and the new self-signed one. */
static int
cmd_link(int argc, char *argv[])
{
	struct npkd_cvca_link	 o;
	struct npkd_cvc		*old = NULL, *odp = NULL;
	struct npkd_key		*okey = NULL, *nkey = NULL;
	struct npkd_buf		 link = { NULL, 0 }, self = { NULL, 0 },
				 pub = { NULL, 0 };
	struct npkd_err		 e;
	const char		*okf = NULL, *nkf = NULL, *outf = NULL;
	const char		*selff = NULL;
	int			 ch, ex = EXIT_ERR;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "a:d:k:K:n:o:r:s:S:U:")) != -1) {
		switch (ch) {
		case 'a': o.alg = optarg; break;
		case 'd': if ((odp = load(optarg, 0)) == NULL) goto out; break;
		case 'k': okf = optarg; break;
		case 'K': nkf = optarg; break;
		case 'n': o.days = days_arg(optarg, 1, NPKD_CVCA_MAX_DAYS); break;
		case 'o': outf = optarg; break;
		case 'r': o.chr = optarg; break;
		case 's': if ((old = load(optarg, 0)) == NULL) goto out; break;
		case 'S': selff = optarg; break;
		case 'U': if (readfile(optarg, 1 << 16, &pub)) goto out; break;
		default: usage();
		}
	}
	if (okf == NULL || nkf == NULL || outf == NULL || o.chr == NULL ||
	    old == NULL || optind != argc)
		usage();
	o.old = old;
	o.old_dp = odp;
	o.pub = pub.data != NULL ? &pub : NULL;
	o.now = time(NULL);
	if ((okey = key_load(okf)) == NULL || (nkey = key_load(nkf)) == NULL)
		goto out;
	if (npkd_cvca_link(&o, okey, nkey, &link, selff != NULL ? &self : NULL,
	    &e) != NPKD_OK)
		warnmsg(display_name(outf), "%s", e.msg);
	else if ((ex = write_output(outf, &link)) == EXIT_OK && selff != NULL)
		ex = write_output(selff, &self);
 out:
	npkd_cvc_free(old);
	npkd_cvc_free(odp);
	npkd_key_free(okey);
	npkd_key_free(nkey);
	npkd_buf_free(&link);
	npkd_buf_free(&self);
	npkd_buf_free(&pub);
	return ex;
}

/* Our CVCA's outer signature on an initial request of one of our DVs. */
static int
cmd_countersign(int argc, char *argv[])
{
	struct npkd_cvc	*req = NULL, *ca = NULL, *dp = NULL;
	struct npkd_key	*key = NULL;
	struct npkd_buf	 out = { NULL, 0 };
	struct npkd_err	 e;
	const char	*keyf = NULL, *outf = NULL, *result;
	int		 ch, rc, ex = EXIT_ERR;

	while ((ch = getopt(argc, argv, "d:k:o:s:")) != -1) {
		switch (ch) {
		case 'd': if ((dp = load(optarg, 0)) == NULL) goto out; break;
		case 'k': keyf = optarg; break;
		case 'o': outf = optarg; break;
		case 's': if ((ca = load(optarg, 0)) == NULL) goto out; break;
		default: usage();
		}
	}
	if (keyf == NULL || outf == NULL || ca == NULL || optind + 1 != argc)
		usage();
	if ((req = load(argv[optind], 1)) == NULL ||
	    (key = key_load(keyf)) == NULL)
		goto out;
	if ((rc = npkd_cvca_countersign(req, ca, dp, key, time(NULL), &out,
	    &result, &e)) != NPKD_OK)
		ex = report(display_name(argv[optind]), rc, result, &e);
	else
		ex = write_output(outf, &out);
 out:
	npkd_cvc_free(req);
	npkd_cvc_free(ca);
	npkd_cvc_free(dp);
	npkd_key_free(key);
	npkd_buf_free(&out);
	return ex;
}

/* A new private key for a CVCA, DV or terminal: 0600, never replaced. */
static int
cmd_keygen(int argc, char *argv[])
{
	struct npkd_buf	 k = { NULL, 0 };
	struct npkd_err	 e;
	const char	*spec = "brainpoolP256r1", *outf = NULL;
	int		 ch, force = 0, rc;

	while ((ch = getopt(argc, argv, "a:fo:")) != -1) {
		switch (ch) {
		case 'a': spec = optarg; break;
		case 'f': force = 1; break;
		case 'o': outf = optarg; break;
		default: usage();
		}
	}
	if (outf == NULL || optind != argc || strcmp(outf, "-") == 0)
		usage();
	if (npkd_key_generate(spec, &k, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	rc = npkd_file_write_atomic(outf, k.data, k.len, 0600, !force, &e);
	memset(k.data, 0, k.len);
	npkd_buf_free(&k);
	if (rc != NPKD_OK)
		warnmsg(NULL, "%s", e.msg);
	return rc == NPKD_OK ? EXIT_OK : EXIT_ERR;
}

static int
cmd_register(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_cvc		*c;
	struct npkd_err		 e;
	const char		*origin = "registered", *result;
	int			 ch, i, rc, ex = EXIT_OK;

	while ((ch = getopt(argc, argv, "o:")) != -1) {
		if (ch != 'o')
			usage();
		origin = optarg;
	}
	if (optind >= argc)
		usage();
	st = open_store(store_dir, 0);
	for (i = optind; i < argc; i++) {
		if ((c = load(argv[i], 0)) == NULL) {
			ex = worst(ex, EXIT_ERR);
			continue;
		}
		if ((rc = npkd_store_cv_register(st, c, origin, &result, &e)) !=
		    NPKD_OK)
			ex = worst(ex, report(display_name(argv[i]), rc, result,
			    &e));
		else if (verbose >= 0)
			printf("%s: %s registered (%s)\n", display_name(argv[i]),
			    npkd_cvc_chr(c), origin);
		npkd_cvc_free(c);
	}
	npkd_store_close(st);
	return ex;
}

static int
cmd_dv(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_err		 e;
	const char		*status;
	int			 rc;

	if (argc != 4)
		usage();
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
cmd_ls(int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "expiring", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 } };
	struct npkd_store	*st;
	struct npkd_err		 e;
	const char		*origin = NULL;
	long			 days = -1;
	int			 ch, rc;

	while ((ch = getopt_long(argc, argv, "e:o:", lo, NULL)) != -1) {
		if (ch == 'e')
			days = days_arg(optarg, 0, 36500);
		else if (ch == 'o')
			origin = optarg;
		else
			usage();
	}
	/* what needs a renewal request: ours from foreign CVCAs */
	if (days >= 0 && origin == NULL)
		origin = "ours";
	if (optind != argc)
		usage();
	st = open_store(store_dir, 0);
	if ((rc = npkd_store_cv_list(st, origin, days, time(NULL), ls_one, NULL,
	    &e)) != NPKD_OK)
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

int
main(int argc, char *argv[])
{
	static const struct {
		const char	*name;
		int		(*fn)(int, char *[]);
	} cmds[] = {
		{ "print", cmd_print }, { "verify", cmd_verify },
		{ "req", cmd_req }, { "root", cmd_root }, { "issue", cmd_issue },
		{ "link", cmd_link }, { "countersign", cmd_countersign },
		{ "keygen", cmd_keygen }, { "register", cmd_register },
		{ "dv", cmd_dv }, { "ls", cmd_ls },
	};
	size_t i;

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
	if (argc < 2)
		usage();
	optind = 2;
	/* "cvc req create ..." and "cvc req ..." */
	if (strcmp(argv[1], "req") == 0 && argc > 2 &&
	    strcmp(argv[2], "create") == 0)
		optind = 3;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc, argv);
	usage();
}
