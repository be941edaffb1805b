/*
 * cvc - card verifiable certificates and requests (BSI TR-03110-3):
 * print and verify.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: cvc print [-j] file ...\n"
	    "       cvc verify [-D YYYY-MM-DD] [-c cert ...] -T cvca ... file ...\n");
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
	if (k == NPKD_CVC_AUTH_REQUEST)
		printf("  outer CAR:      %s\n", npkd_cvc_outer_car(c));
	printf("  public key:     %s%s\n", npkd_cvc_sigalg_name(c),
	    npkd_cvc_has_domain_params(c) ? ", with domain parameters" : "");
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

	while ((ch = getopt(argc, argv, "j")) != -1) {
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

	while ((ch = getopt(argc, argv, "c:D:T:")) != -1) {
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

int
main(int argc, char *argv[])
{
	tool_init("cvc");
	if (argc < 2)
		usage();
	optind = 2;
	if (strcmp(argv[1], "print") == 0)
		return cmd_print(argc, argv);
	if (strcmp(argv[1], "verify") == 0)
		return cmd_verify(argc, argv);
	usage();
}
