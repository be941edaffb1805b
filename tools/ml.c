/*
 * ml.c - "npkd ml print|verify|extract": ICAO master lists and deviation
 * lists, no store needed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common.h"
#include "tools.h"

static const struct option jsonopt[] = {
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};

static void __attribute__((noreturn))
ml_usage(void)
{
	fprintf(stderr,
	    "usage: npkd ml print [-j] file ...\n"
	    "       npkd ml verify [-jqSv] [-T trust.pem] file ...\n"
	    "       npkd ml extract [-o dir] file ...\n"
	    "       npkd ml sign [-ip] [-H hash] [-P pinfile] -c cert -k key "
	    "-o out cert ...\n");
	exit(EXIT_ERR);
}

/*
 * Read a list and open it: the CMS only (verify reads the content after
 * the signature), or with its content too (load).  On failure print the
 * reason and return 2.
 */
static int
read_list(const char *path, int load, struct npkd_ml **ml)
{
	struct npkd_buf	 b;
	struct npkd_err	 e;
	int		 rc;

	*ml = NULL;
	if ((rc = npkd_file_read(path, NPKD_MAX_FILE, &b, &e)) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	rc = load ? npkd_ml_parse(b.data, b.len, ml, &e) :
	    npkd_ml_open(b.data, b.len, ml, &e);
	npkd_buf_free(&b);
	if (rc != NPKD_OK) {
		warnmsg(display_name(path), "%s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static void
print_cert(const char *file, const struct npkd_cert *c, int json)
{
	struct npkd_keyinfo	 ki;
	char			 key[64], nb[24], na[24], fp[65];
	size_t			 len;
	const uint8_t		*p;

	npkd_cert_keyinfo(c, &ki);
	key_desc(&ki, key, sizeof(key));
	npkd_time_str(npkd_cert_not_before(c), nb);
	npkd_time_str(npkd_cert_not_after(c), na);
	npkd_hex(npkd_cert_sha256(c), 32, fp);
	if (!json) {
		put_text(stdout, npkd_cert_country(c)[0] ?
		    npkd_cert_country(c) : "-");
		printf("\t%s\t", npkd_role_name(npkd_cert_role(c)));
		put_text(stdout, npkd_cert_subject(c));
		printf("\t%s\t%s\t%s\t%s\t%s\n", npkd_cert_serial(c), nb, na,
		    key, fp);
		return;
	}
	fputs("{\"file\":", stdout);
	json_str(stdout, file);
	fputs(",\"country\":", stdout);
	json_str(stdout, npkd_cert_country(c));
	printf(",\"role\":\"%s\",\"subject\":", npkd_role_name(npkd_cert_role(c)));
	json_str(stdout, npkd_cert_subject(c));
	fputs(",\"issuer\":", stdout);
	json_str(stdout, npkd_cert_issuer(c));
	printf(",\"serial\":\"%s\",\"not_before\":\"%s\",\"not_after\":\"%s\"",
	    npkd_cert_serial(c), nb, na);
	printf(",\"key\":\"%s\",\"key_bits\":%u,\"curve\":", key, ki.bits);
	json_str(stdout, ki.curve);
	printf(",\"explicit_params\":%s,\"signature\":",
	    ki.explicit_params ? "true" : "false");
	json_str(stdout, npkd_cert_sigalg_name(c));
	fputs(",\"ski\":", stdout);
	p = npkd_cert_ski(c, &len);
	json_hex(stdout, p, len);
	fputs(",\"aki\":", stdout);
	p = npkd_cert_aki(c, &len);
	json_hex(stdout, p, len);
	printf(",\"sha256\":\"%s\",\"findings\":", fp);
	json_findings(stdout, npkd_cert_findings(c));
	fputs("}\n", stdout);
}

static int
ml_print(int argc, char *argv[])
{
	struct npkd_ml		*ml;
	struct npkd_ml_ahead	*ah;
	size_t			 i;
	int			 ch, json = 0, ex = EXIT_OK, i2;

	while ((ch = getopt_long(argc, argv, "j", jsonopt, NULL)) != -1) {
		if (ch == 'j')
			json = 1;
		else
			ml_usage();
	}
	if (optind >= argc)
		ml_usage();
	for (i2 = optind; i2 < argc; i2++) {
		if ((ex = worst(ex, read_list(argv[i2], 1, &ml))) != EXIT_OK &&
		    ml == NULL)
			continue;
		if (npkd_ml_ahead_new(ml, &ah) != NPKD_OK) {
			warnmsg(display_name(argv[i2]), "out of memory");
			npkd_ml_free(ml);
			ex = EXIT_ERR;
			continue;
		}
		for (i = 0; i < npkd_ml_count(ml); i++) {
			struct npkd_cert	*c;
			struct npkd_err		 e;

			if (npkd_ml_ahead_take(ah, i, &c, &e) != NPKD_OK) {
				warnmsg(display_name(argv[i2]), "%s", e.msg);
				ex = EXIT_ERR;
				break;
			}
			print_cert(display_name(argv[i2]), c, json);
			npkd_ml_ahead_give(ah, c);
		}
		npkd_ml_ahead_free(ah);
		for (i = 0; i < npkd_ml_deviation_count(ml); i++) {
			if (json) {
				fputs("{\"file\":", stdout);
				json_str(stdout, display_name(argv[i2]));
				fputs(",\"deviation\":", stdout);
				json_str(stdout, npkd_ml_deviation(ml, i));
				fputs("}\n", stdout);
			} else {
				fputs("deviation\t", stdout);
				put_text(stdout, npkd_ml_deviation(ml, i));
				putchar('\n');
			}
		}
		npkd_ml_free(ml);
	}
	return ex;
}

static int
verify_one(const char *path, const struct npkd_cert *const *trust,
    size_t ntrust, int flags, int json)
{
	struct npkd_ml		*ml;
	struct npkd_findings	*f;
	struct npkd_ml_verdict	 v;
	struct npkd_err		 e;
	char			 st[24];
	const char		*name = display_name(path);
	int			 rc, ex;

	if ((ex = read_list(path, 0, &ml)) != EXIT_OK) {
		if (json) {
			fputs("{\"file\":", stdout);
			json_str(stdout, name);
			fputs(",\"result\":\"error\"}\n", stdout);
		}
		return ex;
	}
	if ((f = npkd_findings_new()) == NULL) {
		warnmsg(name, "out of memory");
		npkd_ml_free(ml);
		return EXIT_ERR;
	}
	npkd_findings_merge(f, npkd_ml_findings(ml), NULL);
	rc = npkd_ml_verify(ml, trust, ntrust, time(NULL), flags, &v, f, &e);
	ex = rc_to_exit(rc);
	if (rc != NPKD_OK)
		warnmsg(name, "%s", e.msg);
	npkd_time_str(v.signing_time, st);
	if (json) {
		fputs("{\"file\":", stdout);
		json_str(stdout, name);
		printf(",\"kind\":\"%s\",\"result\":\"%s\"",
		    npkd_ml_kind(ml) == NPKD_LIST_ML ? "ml" : "dl",
		    rc == NPKD_OK ? "valid" : ex == EXIT_NO ? "invalid" :
		    "error");
		fputs(",\"status\":", stdout);
		json_str(stdout, v.status);
		fputs(",\"reason\":", stdout);
		json_str(stdout, rc == NPKD_OK ? v.reason : e.msg);
		printf(",\"certificates\":%zu,\"deviations\":%zu,"
		    "\"signing_time\":", npkd_ml_count(ml),
		    npkd_ml_deviation_count(ml));
		json_str(stdout, v.signing_time ? st : NULL);
		fputs(",\"signer\":", stdout);
		json_str(stdout, v.signer ? npkd_cert_subject(v.signer) : NULL);
		fputs(",\"signature\":", stdout);
		json_str(stdout, npkd_cms_sigalg_name(npkd_ml_cms(ml)));
		fputs(",\"anchor\":", stdout);
		json_str(stdout, v.anchor_subject[0] ? v.anchor_subject : NULL);
		printf(",\"self_attested\":%s,\"findings\":",
		    v.self_attested ? "true" : "false");
		json_findings(stdout, f);
		fputs("}\n", stdout);
	} else if (rc == NPKD_OK && verbose >= 0) {
		printf("%s: valid %s, %zu %s, signed %s by ", name,
		    npkd_ml_kind(ml) == NPKD_LIST_ML ? "master list" :
		    "deviation list", npkd_ml_kind(ml) == NPKD_LIST_ML ?
		    npkd_ml_count(ml) : npkd_ml_deviation_count(ml),
		    npkd_ml_kind(ml) == NPKD_LIST_ML ? "certificates" :
		    "deviations", v.signing_time ? st : "(no signing time)");
		put_text(stdout, npkd_cert_subject(v.signer));
		fputs(v.self_attested ? ", self-attested by " :
		    ", anchored in ", stdout);
		put_text(stdout, v.anchor_subject);
		putchar('\n');
	}
	if (!json && verbose > 0)
		print_findings(stdout, "\t", f, verbose > 1 ? NPKD_SEV_INFO :
		    NPKD_SEV_WARNING);
	npkd_findings_free(f);
	npkd_ml_free(ml);
	return ex;
}

static int
ml_verify(int argc, char *argv[])
{
	struct npkd_cert	**trust = NULL;
	size_t			  ntrust = 0;
	int			  ch, json = 0, ex = EXIT_OK, i, flags = 0;
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "self-attested", no_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};

	while ((ch = getopt_long(argc, argv, "jqST:v", lo, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'q':
			verbose = -1;
			break;
		case 'S':
			flags |= NPKD_ML_SELF_ATTESTED;
			break;
		case 'T':
			if (add_certs(optarg, &trust, &ntrust) != EXIT_OK) {
				npkd_certs_free(trust, ntrust);
				return EXIT_ERR;
			}
			break;
		case 'v':
			verbose++;
			break;
		default:
			ml_usage();
		}
	}
	if (optind >= argc)
		ml_usage();
	for (i = optind; i < argc; i++)
		ex = worst(ex, verify_one(argv[i],
		    (const struct npkd_cert *const *)trust, ntrust, flags,
		    json));
	npkd_certs_free(trust, ntrust);
	return ex;
}

static int
extract_one(const char *path, const char *dir)
{
	struct npkd_ml		*ml;
	struct npkd_cert	*c = NULL;
	struct npkd_buf		 pem;
	struct npkd_err		 e;
	const uint8_t		*der;
	char			 fp[65], out[PATH_MAX], cc[8];
	size_t			 i, len, k;
	int			 ex;

	if ((ex = read_list(path, 1, &ml)) != EXIT_OK)
		return ex;
	for (i = 0; i < npkd_ml_count(ml) && ex == EXIT_OK; i++) {
		npkd_cert_free(c);
		if (npkd_ml_member(ml, i, &c, &e) != NPKD_OK) {
			warnmsg(display_name(path), "%s", e.msg);
			ex = EXIT_ERR;
			break;
		}
		der = npkd_cert_der(c, &len);
		if (dir == NULL) {
			if (npkd_pem_encode("CERTIFICATE", der, len, &pem, &e) !=
			    NPKD_OK) {
				warnmsg(display_name(path), "%s", e.msg);
				ex = EXIT_ERR;
				break;
			}
			fwrite(pem.data, 1, pem.len, stdout);
			npkd_buf_free(&pem);
			continue;
		}
		/* Country codes come from data: letters, upper case. */
		snprintf(cc, sizeof(cc), "%s", npkd_cert_country(c));
		for (k = 0; cc[k] != '\0'; k++)
			if (cc[k] >= 'a' && cc[k] <= 'z')
				cc[k] = (char)(cc[k] - 'a' + 'A');
			else if (!(cc[k] >= 'A' && cc[k] <= 'Z'))
				cc[k] = '_';
		npkd_hex(npkd_cert_sha256(c), 32, fp);
		snprintf(out, sizeof(out), "%s/%s_%s.der", dir,
		    cc[0] ? cc : "XX", fp);
		if (npkd_file_write_atomic(out, der, len, 0644, 0, &e) !=
		    NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			ex = EXIT_ERR;
		} else if (verbose > 0)
			printf("%s\n", out);
	}
	npkd_cert_free(c);
	npkd_ml_free(ml);
	return ex;
}

static int
ml_extract(int argc, char *argv[])
{
	struct stat	 st;
	const char	*dir = NULL;
	int		 ch, ex = EXIT_OK, i;

	while ((ch = getopt(argc, argv, "o:v")) != -1) {
		switch (ch) {
		case 'o':
			dir = optarg;
			break;
		case 'v':
			verbose++;
			break;
		default:
			ml_usage();
		}
	}
	if (optind >= argc)
		ml_usage();
	if (dir != NULL && strcmp(dir, "-") == 0)
		dir = NULL;
	if (dir != NULL && (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode))) {
		if (mkdir(dir, 0755) == -1) {
			warnmsg(dir, "%s", strerror(errno));
			return EXIT_ERR;
		}
	}
	for (i = optind; i < argc; i++)
		ex = worst(ex, extract_one(argv[i], dir));
	return ex;
}

static int
ml_sign(int argc, char *argv[])
{
	struct signer_args		 sa;
	struct npkd_cert		**signer = NULL, **all = NULL;
	struct npkd_key			*key = NULL;
	struct npkd_buf			 content = { NULL, 0 }, out = { NULL, 0 };
	struct npkd_err			 e;
	const char			*outf = NULL;
	size_t				 nsigner = 0, nall = 0;
	int				 ch, i, ex = EXIT_ERR;

	signer_init(&sa);
	while ((ch = getopt(argc, argv, SIGNER_OPTS "o:")) != -1) {
		if (ch == 'o') {
			outf = optarg;
			continue;
		}
		switch (signer_opt(&sa, ch, optarg)) {
		case 1:
			continue;
		case -1:
			goto out;
		default:
			ml_usage();
		}
	}
	if (sa.certf == NULL || sa.keyf == NULL || outf == NULL ||
	    optind >= argc)
		ml_usage();
	if (signer_load(&sa, &signer, &nsigner, &key) != EXIT_OK)
		goto out;
	for (i = optind; i < argc; i++)
		if (add_certs(argv[i], &all, &nall) != EXIT_OK)
			goto out;
	if (npkd_ml_build((const struct npkd_cert *const *)all, nall, &content,
	    &e) != NPKD_OK ||
	    npkd_cms_sign(NPKD_OID_ML_CONTENT, content.data, content.len,
	    signer[0], key, &sa.o, &out, &e) != NPKD_OK) {
		warnmsg(display_name(outf), "%s", e.msg);
		goto out;
	}
	ex = write_output(outf, &out);
 out:
	signer_clear(&sa);
	npkd_key_free(key);
	npkd_certs_free(signer, nsigner);
	npkd_certs_free(all, nall);
	npkd_buf_free(&content);
	npkd_buf_free(&out);
	return ex;
}

int
cmd_ml(int argc, char *argv[])
{
	if (argc < 2)
		ml_usage();
	argc--;
	argv++;
	optind = 1;
	if (strcmp(argv[0], "print") == 0)
		return ml_print(argc, argv);
	if (strcmp(argv[0], "verify") == 0)
		return ml_verify(argc, argv);
	if (strcmp(argv[0], "extract") == 0)
		return ml_extract(argc, argv);
	if (strcmp(argv[0], "sign") == 0)
		return ml_sign(argc, argv);
	warnmsg(NULL, "ml: unknown command: %s", argv[0]);
	ml_usage();
	return EXIT_ERR;
}
