/*
 * trust.c - "npkd trust": the officer's trust, the only source of trust
 * in the store.  Anchors (CA certificates the officer vouches for) and
 * list authorities (countries whose genuine master lists vouch for the
 * CSCAs of other countries).  check recomputes every verdict from these.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "tools.h"

static void __attribute__((noreturn))
trust_usage(void)
{
	fprintf(stderr,
	    "usage: npkd [-d dir] trust ls [-j]\n"
	    "       npkd [-d dir] trust add [-n note] file ...\n"
	    "       npkd [-d dir] trust rm id\n"
	    "       npkd [-d dir] trust authority [-r] country [country ... | all]\n");
	exit(EXIT_ERR);
}

static int
ls_item(void *arg, const struct npkd_trust_item *it)
{
	int	json = *(int *)arg;
	char	id[65], t[24];

	npkd_time_str(it->added, t);
	if (strcmp(it->what, "anchor") == 0) {
		npkd_hex(it->sha256, 32, id);
		if (json) {
			fputs("{\"what\":\"anchor\",\"country\":", stdout);
			json_str(stdout, it->country);
			fputs(",\"subject\":", stdout);
			json_str(stdout, it->subject);
			printf(",\"sha256\":\"%s\",\"status\":", id);
			json_str(stdout, it->status);
			printf(",\"added\":\"%s\",\"note\":", t);
			json_str(stdout, it->note);
			fputs("}\n", stdout);
		} else {
			printf("anchor    ");
			put_text(stdout, it->country[0] ? it->country : "-");
			printf("\t%.16s %-9s %s ", id, it->status, t);
			put_text(stdout, it->subject);
			putchar('\n');
		}
		return 0;
	}
	if (json) {
		fputs("{\"what\":\"authority\",\"country\":", stdout);
		json_str(stdout, it->country);
		fputs(",\"for\":", stdout);
		json_str(stdout, strcmp(it->scope, "*") == 0 ? "all" :
		    it->scope);
		printf(",\"added\":\"%s\"}\n", t);
	} else
		printf("authority %s\tlists vouch for %s (since %s)\n",
		    it->country, strcmp(it->scope, "*") == 0 ? "every country" :
		    it->scope, t);
	return 0;
}

static int
trust_add(struct npkd_store *s, int argc, char *argv[])
{
	struct npkd_cert	**v = NULL;
	struct npkd_err		  e;
	const char		 *note = "";
	size_t			  n = 0, i;
	int			  ch, k, ex = EXIT_OK;

	optind = 1;
	while ((ch = getopt(argc, argv, "n:")) != -1) {
		if (ch == 'n')
			note = optarg;
		else
			trust_usage();
	}
	if (optind >= argc)
		trust_usage();
	for (k = optind; k < argc; k++) {
		if (load_certs(argv[k], &v, &n) != EXIT_OK) {
			ex = EXIT_ERR;
			continue;
		}
		for (i = 0; i < n; i++) {
			if (npkd_store_anchor_add(s, v[i], note, time(NULL),
			    &e) != NPKD_OK) {
				warnmsg(display_name(argv[k]), "%s", e.msg);
				ex = worst(ex, rc_to_exit(e.code));
			} else if (verbose >= 0) {
				char id[65];

				npkd_hex(npkd_cert_sha256(v[i]), 32, id);
				printf("anchor %.16s ", id);
				put_text(stdout, npkd_cert_subject(v[i]));
				putchar('\n');
			}
		}
		npkd_certs_free(v, n);
		v = NULL;
		n = 0;
	}
	return ex;
}

static int
trust_authority(struct npkd_store *s, int argc, char *argv[])
{
	struct npkd_err	 e;
	int		 ch, k, rm = 0, ex = EXIT_OK;

	optind = 1;
	while ((ch = getopt(argc, argv, "r")) != -1) {
		if (ch == 'r')
			rm = 1;
		else
			trust_usage();
	}
	if (optind >= argc || (!rm && optind + 1 >= argc))
		trust_usage();
	if (rm && optind + 1 == argc) {
		if (npkd_store_authority_remove(s, argv[optind], NULL, &e) !=
		    NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			return EXIT_ERR;
		}
		return EXIT_OK;
	}
	for (k = optind + 1; k < argc; k++) {
		const char *y = strcmp(argv[k], "all") == 0 ? "*" : argv[k];

		if ((rm ? npkd_store_authority_remove(s, argv[optind], y, &e) :
		    npkd_store_authority_add(s, argv[optind], y, time(NULL),
		    &e)) != NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			ex = EXIT_ERR;
		}
	}
	return ex;
}

int
cmd_trust(const char *dir, int argc, char *argv[])
{
	struct npkd_store	*s;
	struct npkd_err		 e;
	int			 ex = EXIT_OK, json = 0;

	if (argc < 2)
		trust_usage();
	if (strcmp(argv[1], "ls") == 0) {
		if (argc == 3 && (strcmp(argv[2], "-j") == 0 ||
		    strcmp(argv[2], "--json") == 0))
			json = 1;
		else if (argc != 2)
			trust_usage();
		s = open_store(dir, STORE_RO);
		if (npkd_store_trust_list(s, ls_item, &json, &e) != NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			ex = EXIT_ERR;
		}
	} else if (strcmp(argv[1], "add") == 0) {
		s = open_store(dir, STORE_RW);
		ex = trust_add(s, argc - 1, argv + 1);
	} else if (strcmp(argv[1], "rm") == 0) {
		if (argc != 3)
			trust_usage();
		s = open_store(dir, STORE_RW);
		if (npkd_store_anchor_remove(s, argv[2], &e) != NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			ex = EXIT_ERR;
		}
	} else if (strcmp(argv[1], "authority") == 0) {
		s = open_store(dir, STORE_RW);
		ex = trust_authority(s, argc - 1, argv + 1);
	} else
		trust_usage();
	npkd_store_close(s);
	return ex;
}
