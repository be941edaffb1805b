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
	struct signer_args		 sa;
	struct npkd_store		*s = NULL;
	struct npkd_cert		**signer = NULL;
	struct npkd_key			*key = NULL;
	struct npkd_buf			 out = { NULL, 0 };
	struct npkd_err			 e;
	struct stat			 sb;
	const char			*what, *outf = NULL;
	size_t				 nsigner = 0, n;
	int				 ch, all = 0, rc = NPKD_OK;
	int				 written = 1;

	if (argc < 2)
		export_usage();
	what = argv[1];
	argc--;
	argv++;
	signer_init(&sa);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "a" SIGNER_OPTS "o:", lo,
	    NULL)) != -1) {
		if (ch == 'a') {
			all = 1;
			continue;
		}
		if (ch == 'o') {
			outf = optarg;
			continue;
		}
		switch (signer_opt(&sa, ch, optarg)) {
		case 1:
			continue;
		case -1:
			signer_clear(&sa);
			return EXIT_ERR;
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
		s = open_store(dir, STORE_RO);
		rc = npkd_store_export_pem(s, outf, all, &st, &e);
	} else if (strcmp(what, "ldif") == 0) {
		s = open_store(dir, STORE_RO);
		rc = npkd_store_export_ldif(s, outf ? outf : "-", all, &st, &e);
	} else if (strcmp(what, "ml") == 0) {
		if (sa.certf == NULL || sa.keyf == NULL || outf == NULL || all)
			export_usage();
		if (signer_load(&sa, &signer, &nsigner, &key) != EXIT_OK) {
			signer_clear(&sa);
			npkd_key_free(key);
			npkd_certs_free(signer, nsigner);
			return EXIT_ERR;
		}
		s = open_store(dir, STORE_RO);
		rc = npkd_store_export_ml(s, signer[0], key, &sa.o, &out, &n,
		    &e);
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
	signer_clear(&sa);
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
