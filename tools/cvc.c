/*
 * cvc - card verifiable certificates and requests (BSI TR-03110-3):
 * print and verify.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: cvc print [-j] file ...\n"
	    "       cvc verify [-D YYYY-MM-DD] [-c cert ...] -T cvca ... file ...\n"
	    "       cvc req [create] [-a car] [-K outer-key -O outer-cert [-d cvca]] -k key\n"
	    "           -p params.cvcert\n"
	    "           -r chr -o out\n"
	    "       cvc issue [-N] [-c cert ...] [-n days] [-R role] [-r rights] [-T cvca ...]\n"
	    "           -k key -P policy -s cvca.cvcert -o out request\n"
	    "       cvc link [-n days] [-S self.cvcert] -k old-key -s old.cvcert -K new-key\n"
	    "           -r chr -o out\n"
	    "       cvc keygen [-f] [-a curve|rsa:bits] -o key.pk8\n"
	    "       cvc countersign [-d cvca] -k key -s cvca.cvcert -o out request\n"
	    "       cvc [-P pinfile] issue|link|countersign ...: keys may be pkcs11: URIs\n"
	    "       cvc [-d dir] register [-o registered|own|ours] cert ...\n"
	    "       cvc [-d dir] dv add|suspend|resume holder\n"
	    "       cvc [-d dir] ls [-e days] [-o origin]\n");
	exit(EXIT_ERR);
}

static struct npkd_cvc *
load(const char *path)
{
	struct npkd_buf	 b;
	struct npkd_err	 e;
	struct npkd_cvc	*c;

	if (npkd_file_read(path, 1 << 20, &b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return NULL;
	}
	if (npkd_cvc_parse(b.data, b.len, -1, &c, &e) != NPKD_OK) {
		warnmsg(display_name(path), "%s", e.msg);
		c = NULL;
	}
	npkd_buf_free(&b);
	return c;
}

static const char *store_dir;	/* -d DIR or NPKD_DIR: the CVCA's register */

struct collect {
	struct npkd_cvc	***v;
	size_t		  *n;
	time_t		   now;
};

/* Register entries valid now, parsed, appended to a list. */
static int
collect_one(void *arg, const uint8_t *der, size_t len, const char *origin)
{
	struct collect	 *c = arg;
	struct npkd_cvc	 *x, **nv;

	(void)origin;
	if (npkd_cvc_parse(der, len, 0, &x, NULL) != NPKD_OK)
		return 0;
	if (c->now < npkd_cvc_effective(x) || c->now > npkd_cvc_expiry(x) ||
	    (nv = reallocarray(*c->v, *c->n + 1, sizeof(*nv))) == NULL) {
		npkd_cvc_free(x);
		return 0;
	}
	*c->v = nv;
	(*c->v)[(*c->n)++] = x;
	return 0;
}

/* A request file: its bytes (kept for its hash) and the parsed request. */
static int
load_request(const char *path, struct npkd_buf *b, struct npkd_cvc **req)
{
	struct npkd_err e;

	if (npkd_file_read(path, 1 << 20, b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	if (npkd_cvc_parse(b->data, b->len, 1, req, &e) != NPKD_OK) {
		warnmsg(display_name(path), "failure_request_syntax: %s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
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
		printf("],\"effective\":%s%s%s,\"expiry\":%s%s%s,"
		    "\"algorithm\":\"%s\",\"domain_parameters\":%s,"
		    "\"extensions\":[", k == NPKD_CVC_CERT ? "\"" : "",
		    k == NPKD_CVC_CERT ? eff : "null", k == NPKD_CVC_CERT ?
		    "\"" : "", k == NPKD_CVC_CERT ? "\"" : "", k ==
		    NPKD_CVC_CERT ? exp : "null", k == NPKD_CVC_CERT ? "\"" : "",
		    npkd_cvc_sigalg_name(c), npkd_cvc_has_domain_params(c) ?
		    "true" : "false");
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
	for (i = 0; i < npkd_cvc_ext_count(c); i++)
		printf("  extension:      %s\n", npkd_cvc_ext_oid(c, i));
}

static int
cmd_print(int argc, char *argv[])
{
	struct npkd_cvc	*c;
	int		 ch, json = 0, i, ex = EXIT_OK;

	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};

	while ((ch = getopt_long(argc, argv, "j", lo, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else
			usage();
	}
	if (optind >= argc)
		usage();
	for (i = optind; i < argc; i++) {
		if ((c = load(argv[i])) == NULL) {
			ex = EXIT_ERR;
			continue;
		}
		print_one(display_name(argv[i]), c, json);
		npkd_cvc_free(c);
	}
	return ex;
}

static int
add(struct npkd_cvc ***v, size_t *n, const char *path)
{
	struct npkd_cvc **nv, *c;

	if ((c = load(path)) == NULL)
		return EXIT_ERR;
	if ((nv = reallocarray(*v, *n + 1, sizeof(*nv))) == NULL) {
		npkd_cvc_free(c);
		return EXIT_ERR;
	}
	*v = nv;
	(*v)[(*n)++] = c;
	return EXIT_OK;
}

static void
free_all(struct npkd_cvc **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		npkd_cvc_free(v[i]);
	free(v);
}

static int
cmd_verify(int argc, char *argv[])
{
	struct npkd_cvc	**trust = NULL, **pool = NULL, *c;
	struct npkd_err	  e;
	struct tm	  tm;
	const char	 *result;
	size_t		  nt = 0, np = 0;
	time_t		  at = time(NULL);
	int		  ch, i, rc, ex = EXIT_OK;

	static const struct option lo[] = {
		{ "date", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};

	while ((ch = getopt_long(argc, argv, "c:D:T:", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			if (add(&pool, &np, optarg) != EXIT_OK)
				ex = EXIT_ERR;
			break;
		case 'D':
			memset(&tm, 0, sizeof(tm));
			if (strptime(optarg, "%Y-%m-%d", &tm) == NULL)
				usage();
			tm.tm_hour = 12;
			at = timegm(&tm);
			break;
		case 'T':
			if (add(&trust, &nt, optarg) != EXIT_OK)
				ex = EXIT_ERR;
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || nt == 0 || ex != EXIT_OK) {
		free_all(trust, nt);
		free_all(pool, np);
		if (ex != EXIT_OK)
			return ex;
		usage();
	}
	for (i = optind; i < argc; i++) {
		if ((c = load(argv[i])) == NULL) {
			ex = worst(ex, EXIT_ERR);
			continue;
		}
		if (npkd_cvc_kind(c) == NPKD_CVC_CERT)
			rc = npkd_cvc_verify(c, (const struct npkd_cvc *const *)
			    pool, np, (const struct npkd_cvc *const *)trust, nt,
			    at, &result, &e);
		else
			rc = npkd_cvc_verify_request(c,
			    (const struct npkd_cvc *const *)pool, np,
			    (const struct npkd_cvc *const *)trust, nt, at,
			    &result, &e);
		if (rc == NPKD_OK) {
			if (verbose >= 0)
				printf("%s: %s verified\n", display_name(argv[i]),
				    npkd_cvc_chr(c));
		} else {
			warnmsg(display_name(argv[i]), "%s: %s", result ?
			    result : "error", e.msg);
			ex = worst(ex, rc_to_exit(rc));
		}
		npkd_cvc_free(c);
	}
	free_all(trust, nt);
	free_all(pool, np);
	return ex;
}

static char *pin;	/* -P: the token PIN, for pkcs11: keys */

static void
wipe_pin(void)
{
	free_pin(pin);
	pin = NULL;
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
cmd_req(int argc, char *argv[])
{
	struct npkd_cvc_req_opts	 o;
	struct npkd_cvc			*params = NULL, *ocert = NULL, *odp = NULL;
	struct npkd_buf			 out = { NULL, 0 };
	struct npkd_err			 e;
	const char			*keyf = NULL, *outf = NULL, *okeyf = NULL;
	int				 ch, ex = EXIT_ERR;

	memset(&o, 0, sizeof(o));
	while ((ch = getopt(argc, argv, "a:d:k:K:o:O:p:r:")) != -1) {
		switch (ch) {
		case 'a':
			o.car = optarg;
			break;
		case 'd':
			if ((odp = load(optarg)) == NULL)
				goto out;
			break;
		case 'k':
			keyf = optarg;
			break;
		case 'K':
			okeyf = optarg;
			break;
		case 'o':
			outf = optarg;
			break;
		case 'O':
			if ((ocert = load(optarg)) == NULL)
				goto out;
			break;
		case 'p':
			if ((params = load(optarg)) == NULL)
				goto out;
			break;
		case 'r':
			o.chr = optarg;
			break;
		default:
			usage();
		}
	}
	if (keyf == NULL || outf == NULL || params == NULL || o.chr == NULL ||
	    (okeyf == NULL) != (ocert == NULL))
		usage();
	o.params_from = params;
	if ((o.key = key_load(keyf)) == NULL)
		goto out;
	if (okeyf != NULL) {
		if ((o.outer_key = key_load(okeyf)) == NULL)
			goto out;
		o.outer_cert = ocert;
		o.outer_dp = odp != NULL ? odp : ocert;
	}
	if (npkd_cvc_request(&o, &out, &e) != NPKD_OK) {
		warnmsg(display_name(outf), "%s", e.msg);
		goto out;
	}
	ex = write_output(outf, &out);
 out:
	npkd_key_free(o.key);
	npkd_key_free(o.outer_key);
	npkd_cvc_free(params);
	npkd_cvc_free(ocert);
	npkd_cvc_free(odp);
	npkd_buf_free(&out);
	return ex;
}

/* The policy of one country: what its DVs may be granted. */
struct policy {
	char	roles[128];
	char	type[8];
	char	rights[512];
	char	algorithms[256];
	long	min_days, max_days;
};

static int
policy_load(const char *path, struct policy *p)
{
	struct npkd_buf	 b;
	struct npkd_err	 e;
	char		*line, *save, *eq, *k, *v, *end;
	size_t		 i;

	memset(p, 0, sizeof(*p));
	/* 0: the TR-03139 limits of the role (see role_limits) */
	snprintf(p->roles, sizeof(p->roles), "dv_foreign");
	if (npkd_file_read(path, 65536, &b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	for (i = 0; i < b.len; i++)
		if (b.data[i] == '\0')
			b.data[i] = ' ';
	b.data = realloc(b.data, b.len + 1);
	b.data[b.len] = '\0';
	for (line = strtok_r((char *)b.data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' || *line == '\0')
			continue;
		if ((eq = strchr(line, '=')) == NULL) {
			warnmsg(path, "not a \"key = value\" line: %s", line);
			npkd_buf_free(&b);
			return EXIT_ERR;
		}
		*eq = '\0';
		for (k = line, end = eq; end > k && end[-1] == ' '; end--)
			end[-1] = '\0';
		for (v = eq + 1; *v == ' '; v++)
			;
		if (strcmp(k, "roles") == 0)
			snprintf(p->roles, sizeof(p->roles), "%s", v);
		else if (strcmp(k, "type") == 0)
			snprintf(p->type, sizeof(p->type), "%s", v);
		else if (strcmp(k, "rights") == 0)
			snprintf(p->rights, sizeof(p->rights), "%s", v);
		else if (strcmp(k, "algorithms") == 0)
			snprintf(p->algorithms, sizeof(p->algorithms), "%s", v);
		else if (strcmp(k, "min_days") == 0)
			p->min_days = strtol(v, NULL, 10);
		else if (strcmp(k, "max_days") == 0)
			p->max_days = strtol(v, NULL, 10);
		else {
			warnmsg(path, "unknown policy key %s", k);
			npkd_buf_free(&b);
			return EXIT_ERR;
		}
	}
	npkd_buf_free(&b);
	if (p->min_days < 0 || p->max_days < 0 || (p->max_days > 0 &&
	    p->max_days < p->min_days)) {
		warnmsg(path, "min_days and max_days make no range");
		return EXIT_ERR;
	}
	return EXIT_OK;
}

/* TR-03139 validity limits: DV 2 weeks to 3 months, terminal 1 day to 1
 * month; a policy may set its own. */
static void
role_limits(int role, struct policy *p)
{
	if (p->min_days == 0)
		p->min_days = role == NPKD_CVC_TERMINAL ? 1 : 14;
	if (p->max_days == 0)
		p->max_days = role == NPKD_CVC_TERMINAL ? 31 : 90;
}

static int
in_list(const char *list, const char *item)
{
	const char	*p = list;
	size_t		 n = strlen(item);

	while ((p = strstr(p, item)) != NULL) {
		if ((p == list || p[-1] == ',' || p[-1] == ' ') &&
		    (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
			return 1;
		p += n;
	}
	return 0;
}

static int
role_by_name(const char *s)
{
	if (strcmp(s, "dv_foreign") == 0)
		return NPKD_CVC_DV_FOREIGN;
	if (strcmp(s, "dv_domestic") == 0)
		return NPKD_CVC_DV_DOMESTIC;
	if (strcmp(s, "terminal") == 0)
		return NPKD_CVC_TERMINAL;
	return -1;
}

static int
cmd_issue(int argc, char *argv[])
{
	struct npkd_cvc		**trust = NULL, **pool = NULL, *req = NULL;
	struct npkd_cvc		 *ca = NULL, *made = NULL;
	struct npkd_cvc_tmpl	  t;
	struct policy		  pol;
	struct npkd_key		 *key = NULL;
	struct npkd_buf		  out = { NULL, 0 }, b = { NULL, 0 };
	struct npkd_err		  e;
	const char		 *keyf = NULL, *outf = NULL, *polf = NULL;
	const char		 *rights = NULL, *rolen = NULL, *result;
	uint8_t			  want[8], allow[8];
	size_t			  nt = 0, np = 0, nw, na, i, extra = 0;
	struct npkd_store	 *st = NULL;
	char			  lastseq[8] = "";
	long			  days = 0;
	time_t			  now = time(NULL);
	int			  ch, ex = EXIT_ERR, narrow = 0, role;
	char			  alg[64];

	static const struct option lo[] = {
		{ "narrow", no_argument, NULL, 'N' },
		{ "policy", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};

	while ((ch = getopt_long(argc, argv, "c:k:n:No:P:r:R:s:T:", lo, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			if (add(&pool, &np, optarg) != EXIT_OK)
				goto out;
			break;
		case 'k':
			keyf = optarg;
			break;
		case 'n':
			days = strtol(optarg, NULL, 10);
			break;
		case 'N':
			narrow = 1;
			break;
		case 'o':
			outf = optarg;
			break;
		case 'P':
			polf = optarg;
			break;
		case 'r':
			rights = optarg;
			break;
		case 'R':
			rolen = optarg;
			break;
		case 's':
			if ((ca = load(optarg)) == NULL)
				goto out;
			break;
		case 'T':
			if (add(&trust, &nt, optarg) != EXIT_OK)
				goto out;
			break;
		default:
			usage();
		}
	}
	if (keyf == NULL || outf == NULL || polf == NULL || ca == NULL ||
	    optind + 1 != argc)
		usage();
	if (policy_load(polf, &pol) != EXIT_OK)
		goto out;
	if (load_request(argv[optind], &b, &req) != EXIT_OK)
		goto out;
	/* our CVCA is trusted too (after the others, not freed with them) */
	{
		struct npkd_cvc **nv = reallocarray(trust, nt + 1, sizeof(*nv));

		if (nv == NULL)
			goto out;
		trust = nv;
		trust[nt] = ca;
	}
	/*
	 * With the register: the registered foreign CVCAs are trusted
	 * outer signers (initial requests), our issued certificates those of
	 * successive requests; the DV must be registered, not suspended.
	 */
	if (store_dir != NULL) {
		struct collect	col;
		char		holder[17], status[16];
		size_t		hl = strlen(npkd_cvc_chr(req));

		st = open_store(store_dir, 0);
		col.now = now;
		col.v = &pool;
		col.n = &np;
		npkd_store_cv_list(st, "registered", -1, 0, collect_one, &col,
		    &e);
		npkd_store_cv_list(st, "issued", -1, 0, collect_one, &col, &e);
		snprintf(holder, sizeof(holder), "%.*s", hl > 5 ? (int)(hl - 5) :
		    0, npkd_cvc_chr(req));
		npkd_store_dv_status(st, holder, status, sizeof(status), &e);
		if (strcmp(status, "registered") != 0) {
			warnmsg(display_name(argv[optind]),
			    "failure_request_not_accepted: DV %s is %s", holder,
			    status[0] ? status : "not registered");
			ex = EXIT_NO;
			goto out;
		}
		npkd_store_cv_last_seq(st, holder, lastseq, sizeof(lastseq), &e);
		if (lastseq[0] != '\0' && strcmp(npkd_cvc_chr(req) + hl - 5,
		    lastseq) <= 0) {
			warnmsg(display_name(argv[optind]),
			    "failure_request_not_accepted: sequence number %s "
			    "not after %s, the last issued to %s",
			    npkd_cvc_chr(req) + hl - 5, lastseq, holder);
			ex = EXIT_NO;
			goto out;
		}
		/* TR-03139: a new key for every certificate */
		{
			const uint8_t *rk, *ik;
			size_t rl, il, j;

			rk = npkd_cvc_pubkey(req, &rl);
			for (j = 0; j < np; j++) {
				ik = npkd_cvc_pubkey(pool[j], &il);
				if (il == rl && memcmp(ik, rk, rl) == 0) {
					warnmsg(display_name(argv[optind]),
					    "failure_request_not_accepted: the "
					    "key of %s is already certified "
					    "(%s)", npkd_cvc_chr(req),
					    npkd_cvc_chr(pool[j]));
					ex = EXIT_NO;
					goto out;
				}
			}
		}
		/* a registered CVCA verifies as trust too */
		{
			struct npkd_cvc **nv = reallocarray(trust, nt + 1 + np,
			    sizeof(*nv));
			size_t j;

			if (nv == NULL)
				goto out;
			trust = nv;
			trust[nt] = ca;
			for (j = 0; j < np; j++)
				trust[nt + 1 + j] = pool[j];
			extra = np;
		}
	}
	if (npkd_cvc_verify_request(req, (const struct npkd_cvc *const *)pool,
	    np, (const struct npkd_cvc *const *)trust, nt + 1 + extra, now,
	    &result, &e) != NPKD_OK) {
		warnmsg(display_name(argv[optind]), "%s: %s", result, e.msg);
		ex = EXIT_NO;
		goto out;
	}
	/* policy: role, terminal type, rights, validity, algorithm */
	role = role_by_name(rolen != NULL ? rolen : "dv_foreign");
	if (role < 0 || !in_list(pol.roles, rolen != NULL ? rolen :
	    "dv_foreign")) {
		warnmsg(display_name(argv[optind]), "failure_request_not_"
		    "accepted: role %s not allowed by %s", rolen ? rolen :
		    "dv_foreign", polf);
		ex = EXIT_NO;
		goto out;
	}
	if (pol.type[0] != '\0' && strcasecmp(pol.type,
	    npkd_cvc_terminal_type(ca)) != 0) {
		warnmsg(polf, "type %s, but the CVCA is %s", pol.type,
		    npkd_cvc_terminal_type(ca));
		goto out;
	}
	snprintf(alg, sizeof(alg), "%s", npkd_cvc_sigalg_name(req));
	if (pol.algorithms[0] != '\0' && !in_list(pol.algorithms, alg)) {
		warnmsg(display_name(argv[optind]), "failure_request_not_"
		    "accepted: algorithm %s not allowed by %s", alg, polf);
		ex = EXIT_NO;
		goto out;
	}
	if (npkd_cvc_rights_encode(npkd_cvc_terminal_type(ca), role,
	    rights != NULL ? rights : pol.rights, want, &nw, &e) != NPKD_OK ||
	    npkd_cvc_rights_encode(npkd_cvc_terminal_type(ca), role, pol.rights,
	    allow, &na, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		goto out;
	}
	for (i = 0; i < nw; i++)
		if (want[i] & ~allow[i]) {
			if (!narrow) {
				warnmsg(display_name(argv[optind]),
				    "failure_request_not_accepted: rights "
				    "\"%s\" exceed the policy of %s", rights,
				    polf);
				ex = EXIT_NO;
				goto out;
			}
			want[i] &= allow[i];
		}
	role_limits(role, &pol);
	if (days == 0)
		days = pol.max_days;
	if (days > pol.max_days || days < pol.min_days) {
		if (!narrow || days < pol.min_days) {
			warnmsg(display_name(argv[optind]),
			    "failure_request_not_accepted: %ld days outside "
			    "%ld to %ld", days, pol.min_days, pol.max_days);
			ex = EXIT_NO;
			goto out;
		}
		days = pol.max_days;
	}
	memset(&t, 0, sizeof(t));
	t.car = npkd_cvc_chr(ca);
	t.chr = npkd_cvc_chr(req);
	t.holder = req;
	t.dp_from = NULL;	/* DV certificates carry no domain parameters */
	t.chat_oid = npkd_cvc_chat_oid(ca);
	t.rights = want;
	t.nrights = nw;
	t.effective = now - now % 86400;	/* the issuing date */
	t.expiry = t.effective + days * 86400 - 1;
	if ((key = key_load(keyf)) == NULL)
		goto out;
	if (npkd_cvc_issue(&t, ca, ca, key, &out, &e) != NPKD_OK) {
		warnmsg(display_name(outf), "%s", e.msg);
		goto out;
	}
	if (npkd_cvc_parse(out.data, out.len, 0, &made, &e) != NPKD_OK) {
		warnmsg(display_name(outf), "%s", e.msg);
		goto out;
	}
	/* the new certificate must verify under the CVCA */
	if (npkd_cvc_verify(made, NULL, 0, (const struct npkd_cvc *const *)&ca,
	    1, now, &result, &e) != NPKD_OK) {
		warnmsg(display_name(outf), "issued certificate does not "
		    "verify: %s", e.msg);
		goto out;
	}
	/* recorded before it leaves: never a request or sequence twice */
	if (st != NULL) {
		uint8_t rsha[32];

		npkd_hash(NPKD_HASH_SHA256, b.data, b.len, rsha, &e);
		if (npkd_store_cv_add(st, made, "issued", rsha, &e) != NPKD_OK) {
			warnmsg(display_name(argv[optind]),
			    "failure_request_not_accepted: %s", e.msg);
			ex = EXIT_NO;
			goto out;
		}
	}
	ex = write_output(outf, &out);
	if (ex != EXIT_OK && st != NULL)
		npkd_store_cv_remove(st, made, &e);
 out:
	npkd_cvc_free(made);
	npkd_cvc_free(req);
	npkd_cvc_free(ca);
	npkd_key_free(key);
	free_all(pool, np);
	free_all(trust, nt);
	npkd_buf_free(&out);
	npkd_buf_free(&b);
	npkd_store_close(st);
	return ex;
}

/*
 * CVCA rollover: the new CVCA key's certificate signed by the old key
 * (the link certificate) and, with -S, its self-signed certificate.
 * TR-03139: CVCA and link certificates live 6 months to 3 years.
 */
static int
cmd_link(int argc, char *argv[])
{
	struct npkd_cvc_req_opts	 ro;
	struct npkd_cvc_tmpl		 t;
	struct npkd_cvc			*old = NULL, *nk = NULL;
	struct npkd_key			*okey = NULL, *nkey = NULL;
	struct npkd_buf			 req = { NULL, 0 }, out = { NULL, 0 };
	struct npkd_err			 e;
	const char			*okf = NULL, *nkf = NULL, *outf = NULL;
	const char			*selff = NULL, *chr = NULL;
	uint8_t				 rights[8];
	char				 r[48][48];
	size_t				 nr, i;
	long				 days = 3 * 365;
	time_t				 now = time(NULL);
	int				 ch, ex = EXIT_ERR;

	while ((ch = getopt(argc, argv, "k:K:n:o:r:s:S:")) != -1) {
		switch (ch) {
		case 'k':
			okf = optarg;
			break;
		case 'K':
			nkf = optarg;
			break;
		case 'n':
			days = strtol(optarg, NULL, 10);
			break;
		case 'o':
			outf = optarg;
			break;
		case 'r':
			chr = optarg;
			break;
		case 's':
			if ((old = load(optarg)) == NULL)
				goto out;
			break;
		case 'S':
			selff = optarg;
			break;
		default:
			usage();
		}
	}
	if (okf == NULL || nkf == NULL || outf == NULL || chr == NULL ||
	    old == NULL || optind != argc)
		usage();
	if (npkd_cvc_role(old) != NPKD_CVC_CVCA) {
		warnmsg(NULL, "%s is not a CVCA certificate", npkd_cvc_chr(old));
		goto out;
	}
	if (days < 182 || days > 3 * 366) {
		warnmsg(NULL, "-n %ld: CVCA certificates live 6 months to 3 "
		    "years (TR-03139)", days);
		goto out;
	}
	if ((okey = key_load(okf)) == NULL || (nkey = key_load(nkf)) == NULL)
		goto out;
	/* the new key, as a request in the old CVCA's domain */
	memset(&ro, 0, sizeof(ro));
	ro.chr = chr;
	ro.params_from = old;
	ro.key = nkey;
	if (npkd_cvc_request(&ro, &req, &e) != NPKD_OK ||
	    npkd_cvc_parse(req.data, req.len, 1, &nk, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		goto out;
	}
	/* the old CVCA's rights, role CVCA */
	nr = npkd_cvc_rights(old, r, 48);
	{
		char list[2048] = "";

		for (i = 0; i < nr; i++) {
			strncat(list, i ? "," : "", sizeof(list) - strlen(list) - 1);
			strncat(list, r[i], sizeof(list) - strlen(list) - 1);
		}
		if (npkd_cvc_rights_encode(npkd_cvc_terminal_type(old),
		    NPKD_CVC_CVCA, list, rights, &nr, &e) != NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			goto out;
		}
	}
	memset(&t, 0, sizeof(t));
	t.car = npkd_cvc_chr(old);
	t.chr = chr;
	t.holder = nk;
	t.dp_from = old;
	t.chat_oid = npkd_cvc_chat_oid(old);
	t.rights = rights;
	t.nrights = nr;
	t.effective = now - now % 86400;
	t.expiry = t.effective + days * 86400 - 1;
	if (npkd_cvc_issue(&t, old, old, okey, &out, &e) != NPKD_OK) {
		warnmsg(display_name(outf), "%s", e.msg);
		goto out;
	}
	if ((ex = write_output(outf, &out)) != EXIT_OK || selff == NULL)
		goto out;
	npkd_buf_free(&out);
	t.car = chr;
	if (npkd_cvc_issue(&t, nk, nk, nkey, &out, &e) != NPKD_OK) {
		warnmsg(display_name(selff), "%s", e.msg);
		ex = EXIT_ERR;
		goto out;
	}
	ex = write_output(selff, &out);
 out:
	npkd_cvc_free(old);
	npkd_cvc_free(nk);
	npkd_key_free(okey);
	npkd_key_free(nkey);
	npkd_buf_free(&req);
	npkd_buf_free(&out);
	return ex;
}

/*
 * The national CVCA countersigns the initial request of one of its DVs
 * before it goes to a foreign CVCA (TR-03139).  The request must verify
 * first: a CVCA signs nothing it has not checked.
 */
static int
cmd_countersign(int argc, char *argv[])
{
	struct npkd_cvc	*req = NULL, *ca = NULL, *dp = NULL;
	struct npkd_key	*key = NULL;
	struct npkd_buf	 b = { NULL, 0 }, out = { NULL, 0 };
	struct npkd_err	 e;
	const char	*keyf = NULL, *outf = NULL, *result;
	int		 ch, ex = EXIT_ERR;

	while ((ch = getopt(argc, argv, "d:k:o:s:")) != -1) {
		switch (ch) {
		case 'd':
			if ((dp = load(optarg)) == NULL)
				goto out;
			break;
		case 'k':
			keyf = optarg;
			break;
		case 'o':
			outf = optarg;
			break;
		case 's':
			if ((ca = load(optarg)) == NULL)
				goto out;
			break;
		default:
			usage();
		}
	}
	if (keyf == NULL || outf == NULL || ca == NULL || optind + 1 != argc)
		usage();
	if (load_request(argv[optind], &b, &req) != EXIT_OK)
		goto out;
	if (npkd_cvc_kind(req) != NPKD_CVC_REQUEST) {
		warnmsg(display_name(argv[optind]), "not a plain request: "
		    "nothing to countersign");
		goto out;
	}
	if (npkd_cvc_verify_request(req, NULL, 0, NULL, 0, time(NULL), &result,
	    &e) != NPKD_OK) {
		warnmsg(display_name(argv[optind]), "%s: %s", result, e.msg);
		ex = EXIT_NO;
		goto out;
	}
	if ((key = key_load(keyf)) == NULL)
		goto out;
	if (npkd_cvc_countersign(req, key, ca, dp != NULL ? dp : ca, &out,
	    &e) != NPKD_OK) {
		warnmsg(display_name(outf), "%s", e.msg);
		goto out;
	}
	ex = write_output(outf, &out);
 out:
	npkd_cvc_free(req);
	npkd_cvc_free(ca);
	npkd_cvc_free(dp);
	npkd_key_free(key);
	npkd_buf_free(&b);
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
		case 'a':
			spec = optarg;
			break;
		case 'f':
			force = 1;
			break;
		case 'o':
			outf = optarg;
			break;
		default:
			usage();
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
	if (rc != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static int
cmd_register(int argc, char *argv[])
{
	struct npkd_store	 *st;
	struct npkd_cvc		**known = NULL, *c;
	struct collect		  col;
	struct npkd_err		  e;
	const char		 *origin = "registered", *result;
	size_t			  nk = 0;
	int			  ch, i, ex = EXIT_OK, rc;

	while ((ch = getopt(argc, argv, "o:")) != -1) {
		if (ch != 'o')
			usage();
		origin = optarg;
	}
	if (optind >= argc || (strcmp(origin, "registered") != 0 &&
	    strcmp(origin, "own") != 0 && strcmp(origin, "ours") != 0))
		usage();
	st = open_store(store_dir, 0);
	for (i = optind; i < argc; i++) {
		if ((c = load(argv[i])) == NULL) {
			ex = worst(ex, EXIT_ERR);
			continue;
		}
		/* what is registered verifies: against itself or the register */
		free_all(known, nk);
		known = NULL;
		nk = 0;
		col.v = &known;
		col.n = &nk;
		col.now = npkd_cvc_effective(c);
		npkd_store_cv_list(st, NULL, -1, 0, collect_one, &col, &e);
		if (strcmp(origin, "ours") != 0 &&
		    npkd_cvc_role(c) != NPKD_CVC_CVCA) {
			warnmsg(display_name(argv[i]), "not a CVCA certificate");
			rc = NPKD_E_USAGE;
		} else {
			struct npkd_cvc **tv = reallocarray(known, nk + 1,
			    sizeof(*tv));

			if (tv == NULL)
				break;
			known = tv;
			known[nk] = c;	/* itself, for a self-signed root */
			rc = npkd_cvc_verify(c, (const struct npkd_cvc *const *)
			    known, nk, (const struct npkd_cvc *const *)known,
			    nk + 1, npkd_cvc_effective(c), &result, &e);
			if (rc != NPKD_OK)
				warnmsg(display_name(argv[i]), "%s: %s", result ?
				    result : "error", e.msg);
			else if ((rc = npkd_store_cv_add(st, c, origin, NULL,
			    &e)) != NPKD_OK)
				warnmsg(display_name(argv[i]), "%s", e.msg);
			else if (verbose >= 0)
				printf("%s: %s registered (%s)\n",
				    display_name(argv[i]), npkd_cvc_chr(c),
				    origin);
		}
		ex = worst(ex, rc_to_exit(rc));
		npkd_cvc_free(c);
	}
	free_all(known, nk);
	npkd_store_close(st);
	return ex;
}

static int
cmd_dv(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_err		 e;
	const char		*status;

	if (argc != 4)
		usage();
	if (strcmp(argv[2], "add") == 0 || strcmp(argv[2], "resume") == 0)
		status = "registered";
	else if (strcmp(argv[2], "suspend") == 0)
		status = "suspended";
	else
		usage();
	st = open_store(store_dir, 0);
	if (npkd_store_dv_set(st, argv[3], status, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		npkd_store_close(st);
		return EXIT_ERR;
	}
	npkd_store_close(st);
	return EXIT_OK;
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
		{ NULL, 0, NULL, 0 }
	};
	struct npkd_store	*st;
	struct npkd_err		 e;
	const char		*origin = NULL;
	long			 days = -1;
	int			 ch, rc;

	while ((ch = getopt_long(argc, argv, "e:o:", lo, NULL)) != -1) {
		switch (ch) {
		case 'e':
			days = strtol(optarg, NULL, 10);
			/* what needs a renewal request: ours from foreign CVCAs */
			origin = origin ? origin : "ours";
			break;
		case 'o':
			origin = optarg;
			break;
		default:
			usage();
		}
	}
	st = open_store(store_dir, 0);
	rc = npkd_store_cv_list(st, origin, days, time(NULL), ls_one, NULL, &e);
	npkd_store_close(st);
	if (rc != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

int
main(int argc, char *argv[])
{
	tool_init("cvc");
	atexit(wipe_pin);
	store_dir = getenv("NPKD_DIR");
	/* global options before the command: -d DIR, -P PINFILE */
	while (argc >= 3 && argv[1][0] == '-' && argv[1][2] == '\0') {
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
	if (strcmp(argv[1], "register") == 0)
		return cmd_register(argc, argv);
	if (strcmp(argv[1], "dv") == 0)
		return cmd_dv(argc, argv);
	if (strcmp(argv[1], "ls") == 0)
		return cmd_ls(argc, argv);
	if (strcmp(argv[1], "print") == 0)
		return cmd_print(argc, argv);
	if (strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc, argv);
	if (strcmp(argv[1], "req") == 0) {
		/* "cvc req create ..." and "cvc req ..." */
		if (argc > 2 && strcmp(argv[2], "create") == 0)
			optind = 3;
		return cmd_req(argc, argv);
	}
	if (strcmp(argv[1], "issue") == 0)
		return cmd_issue(argc, argv);
	if (strcmp(argv[1], "link") == 0)
		return cmd_link(argc, argv);
	if (strcmp(argv[1], "keygen") == 0)
		return cmd_keygen(argc, argv);
	if (strcmp(argv[1], "countersign") == 0)
		return cmd_countersign(argc, argv);
	usage();
}
