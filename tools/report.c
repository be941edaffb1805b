/*
 * report.c - "npkd report": the officer's overview, an HTML page and a
 * CSV written atomically.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "tools.h"

static void __attribute__((noreturn))
report_usage(void)
{
	fprintf(stderr, "usage: npkd [-d dir] report [-e days] "
	    "[-o report.html] [-c report.csv]\n");
	exit(EXIT_ERR);
}

int
cmd_report(const char *dir, int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "expiring", required_argument, NULL, 'e' },
		{ "csv", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 }
	};
	struct npkd_report_opts	 o;
	struct npkd_store	*s;
	struct npkd_buf		 html, csv;
	struct npkd_err		 e;
	const char		*out = NULL, *csvf = NULL;
	char			*end;
	int			 ch, ex = EXIT_OK;

	memset(&o, 0, sizeof(o));
	o.days = 90;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:e:o:", lo, NULL)) != -1) {
		switch (ch) {
		case 'c':
			csvf = optarg;
			break;
		case 'e':
			o.days = strtol(optarg, &end, 10);
			if (*end != '\0' || o.days < 1 || o.days > 36500)
				report_usage();
			break;
		case 'o':
			out = optarg;
			break;
		default:
			report_usage();
		}
	}
	if (optind != argc || (out == NULL && csvf == NULL))
		report_usage();
	s = open_store(dir, STORE_RO);
	o.now = time(NULL);
	o.store_name = dir;
	if (npkd_store_report(s, &o, &html, &csv, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		npkd_store_close(s);
		return EXIT_ERR;
	}
	npkd_store_close(s);
	if (out != NULL && write_output(out, &html) != EXIT_OK)
		ex = EXIT_ERR;
	if (csvf != NULL && write_output(csvf, &csv) != EXIT_OK)
		ex = EXIT_ERR;
	npkd_buf_free(&html);
	npkd_buf_free(&csv);
	return ex;
}
