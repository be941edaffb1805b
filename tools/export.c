/*
 * export.c - "npkd export pem|ldif|ml": what inspection systems read.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tools.h"

static void __attribute__((noreturn))
export_usage(void)
{
	fprintf(stderr,
	    "usage: npkd [-d dir] export pem [-a] -o dir\n"
	    "       npkd [-d dir] export ldif [-a] [-o file]\n"
	    "       npkd [-d dir] export ml [-ip] [-H hash] [-P pinfile] "
	    "-c cert -k key -o file\n");
	exit(EXIT_ERR);
}

static struct npkd_store *
store(const char *dir)
{
	struct npkd_store	*s;
	struct npkd_err		 e;

	if (dir == NULL) {
		warnmsg(NULL, "no store: give -d DIR or set NPKD_DIR");
		exit(EXIT_ERR);
	}
	if (npkd_store_open(dir, 0, &s, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		exit(EXIT_ERR);
	}
	return s;
}

int
cmd_export(const char *dir, int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "all", no_argument, NULL, 'a' },
		{ "signer-cert", required_argument, NULL, 'c' },
		{ "signer-key", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 }
	};
	struct npkd_export_stats	 st;
	struct npkd_cms_sign_opts	 o;
	struct npkd_store		*s = NULL;
	struct npkd_cert		**signer = NULL;
	struct npkd_key			*key = NULL;
	struct npkd_buf			 out = { NULL, 0 };
	struct npkd_err			 e;
	struct stat			 sb;
	const char			*what, *outf = NULL, *certf = NULL;
	const char			*keyf = NULL;
	char				*pin = NULL;
	size_t				 nsigner = 0, n;
	int				 ch, all = 0, rc = NPKD_OK;
	int				 written = 1;

	if (argc < 2)
		export_usage();
	what = argv[1];
	argc--;
	argv++;
	memset(&o, 0, sizeof(o));
	o.sid_ski = 1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "ac:H:ik:o:pP:", lo, NULL)) != -1) {
		switch (ch) {
		case 'a':
			all = 1;
			break;
		case 'c':
			certf = optarg;
			break;
		case 'H':
			if ((o.hash = parse_hash(optarg)) == 0)
				export_usage();
			break;
		case 'i':
			o.sid_ski = 0;
			break;
		case 'k':
			keyf = optarg;
			break;
		case 'o':
			outf = optarg;
			break;
		case 'p':
			o.pss = 1;
			break;
		case 'P':
			if ((pin = read_pin(optarg)) == NULL)
				return EXIT_ERR;
			break;
		default:
			export_usage();
		}
	}
	if (optind != argc)
		export_usage();
	if (strcmp(what, "pem") == 0) {
		if (outf == NULL)
			export_usage();
		if (stat(outf, &sb) == -1 && mkdir(outf, 0755) == -1) {
			warnmsg(outf, "%s", strerror(errno));
			return EXIT_ERR;
		}
		s = store(dir);
		rc = npkd_store_export_pem(s, outf, all, &st, &e);
	} else if (strcmp(what, "ldif") == 0) {
		s = store(dir);
		rc = npkd_store_export_ldif(s, outf ? outf : "-", all, &st, &e);
	} else if (strcmp(what, "ml") == 0) {
		if (certf == NULL || keyf == NULL || outf == NULL || all)
			export_usage();
		if (load_certs(certf, &signer, &nsigner) != NPKD_OK)
			return EXIT_ERR;
		if (npkd_key_load(keyf, pin, &key, &e) != NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			npkd_certs_free(signer, nsigner);
			return EXIT_ERR;
		}
		s = store(dir);
		rc = npkd_store_export_ml(s, signer[0], key, &o, &out, &n, &e);
		if (rc == NPKD_OK && write_output(outf, &out) != EXIT_OK)
			written = 0;
		st.files = rc == NPKD_OK && written;
		st.objects = n;
	} else
		export_usage();
	npkd_store_close(s);
	npkd_key_free(key);
	npkd_certs_free(signer, nsigner);
	npkd_buf_free(&out);
	if (pin != NULL) {
		memset(pin, 0, strlen(pin));
		free(pin);
	}
	if (rc != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	if (!written)
		return EXIT_ERR;
	if (verbose >= 0 && (outf == NULL || strcmp(outf, "-") != 0))
		fprintf(stderr, "%s: %zu objects in %zu file%s\n", what,
		    st.objects, st.files, st.files == 1 ? "" : "s");
	return EXIT_OK;
}
