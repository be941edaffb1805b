/*
 * pa.c - "npkd pa": passive authentication of travel documents against
 * the store, one line (or one JSON object) per document.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "tools.h"

#define MAX_FILES	32
#define MAX_DG_FILE	(16UL << 20)

struct doc {
	char		*name;		/* what the output calls it */
	char		*path[MAX_FILES];
	struct npkd_buf	 data[MAX_FILES];
	size_t		 n;
	int		 sod;		/* index of the EF.SOD, -1: none */
};

struct pactx {
	struct npkd_pa	*pa;
	int		 json;
	int		 learn;
	int		 ex;
	size_t		 counts[3];
};

static void
doc_clear(struct doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->path[i]);
		npkd_buf_free(&d->data[i]);
	}
	free(d->name);
	memset(d, 0, sizeof(*d));
	d->sod = -1;
}

static int
doc_add(struct doc *d, const char *path)
{
	struct npkd_err e;

	if (d->n == MAX_FILES) {
		warnmsg(d->name, "more than %d files", MAX_FILES);
		return EXIT_ERR;
	}
	if (npkd_file_read(path, MAX_DG_FILE, &d->data[d->n], &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	if ((d->path[d->n] = strdup(path)) == NULL) {
		npkd_buf_free(&d->data[d->n]);
		warnmsg(path, "out of memory");
		return EXIT_ERR;
	}
	d->n++;
	return EXIT_OK;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A document directory: every file in it but dot files, the EF.SOD by its
 * tag 77 (or its name when none has the tag). */
static int
doc_dir(struct doc *d, const char *dir)
{
	DIR		*dp;
	struct dirent	*de;
	struct stat	 st;
	char		*names[MAX_FILES + 1], path[4096];
	size_t		 n = 0, i;
	int		 rc = EXIT_OK;

	if ((dp = opendir(dir)) == NULL) {
		warnmsg(dir, "cannot read the directory");
		return EXIT_ERR;
	}
	while ((de = readdir(dp)) != NULL && n <= MAX_FILES) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if ((names[n] = strdup(path)) == NULL)
			break;
		n++;
	}
	closedir(dp);
	if (n > MAX_FILES) {
		warnmsg(dir, "more than %d files", MAX_FILES);
		rc = EXIT_ERR;
	}
	qsort(names, n, sizeof(names[0]), cmpstr);
	for (i = 0; i < n && rc == EXIT_OK; i++)
		rc = doc_add(d, names[i]);
	for (i = 0; i < n; i++)
		free(names[i]);
	if (rc != EXIT_OK)
		return rc;
	for (i = 0; i < d->n && d->sod < 0; i++)
		if (d->data[i].len > 0 && d->data[i].data[0] == 0x77)
			d->sod = (int)i;
	for (i = 0; i < d->n && d->sod < 0; i++)
		if (strstr(d->path[i], "SOD") != NULL)
			d->sod = (int)i;
	if (d->sod < 0) {
		warnmsg(dir, "no EF.SOD in the directory");
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static void
json_time(const char *key, time_t t)
{
	char s[24];

	printf(",\"%s\":", key);
	if (t == 0) {
		fputs("null", stdout);
		return;
	}
	npkd_time_str(t, s);
	printf("\"%s\"", s);
}

static void
print_json(const char *name, const struct npkd_pa_report *r)
{
	int	 i, n, first = 1;

	fputs("{\"document\":", stdout);
	json_str(stdout, name);
	printf(",\"verdict\":\"%s\",\"step\":", npkd_pa_verdict_name(r->verdict));
	json_str(stdout, r->step >= 0 ? npkd_pa_step_name(r->step) : "");
	fputs(",\"reason\":", stdout);
	json_str(stdout, r->reason);
	fputs(",\"steps\":{", stdout);
	for (i = 0; i < NPKD_PA_NSTEPS; i++) {
		printf("%s\"%s\":{\"result\":\"%s\",\"reason\":", i ? "," : "",
		    npkd_pa_step_name(i), npkd_pa_result_name(r->steps[i].result));
		json_str(stdout, r->steps[i].reason);
		fputs(",\"text\":", stdout);
		json_str(stdout, r->steps[i].text);
		putchar('}');
	}
	printf("},\"sod\":{\"ber\":%s,\"lds_version\":%d,\"lds\":",
	    r->ber ? "true" : "false", r->lds_version);
	json_str(stdout, r->lds_info);
	fputs(",\"unicode\":", stdout);
	json_str(stdout, r->unicode_info);
	printf(",\"hash\":\"%s\",\"signature_algorithm\":",
	    npkd_hash_name(r->hash));
	json_str(stdout, r->sigalg);
	json_time("signing_time", r->signing_time);
	fputs("},\"dsc\":", stdout);
	if (!r->dsc_found)
		fputs("null", stdout);
	else {
		fputs("{\"sha256\":", stdout);
		json_hex(stdout, r->dsc_sha256, 32);
		printf(",\"from\":\"%s\",\"in_store\":%s,\"learned\":%s,"
		    "\"subject\":", r->dsc_from_store ? "store" : "sod",
		    r->dsc_in_store ? "true" : "false",
		    r->learned ? "true" : "false");
		json_str(stdout, r->dsc_subject);
		fputs(",\"issuer\":", stdout);
		json_str(stdout, r->dsc_issuer);
		fputs(",\"serial\":", stdout);
		json_str(stdout, r->dsc_serial);
		fputs(",\"country\":", stdout);
		json_str(stdout, r->dsc_country);
		json_time("not_before", r->dsc_not_before);
		json_time("not_after", r->dsc_not_after);
		fputs(",\"status\":", stdout);
		json_str(stdout, r->chain_status);
		fputs(",\"reason\":", stdout);
		json_str(stdout, r->chain_reason);
		fputs(",\"trust\":", stdout);
		json_str(stdout, r->chain_trust);
		fputs(",\"crl\":", stdout);
		json_str(stdout, r->crl_state);
		json_time("crl_next_update", r->crl_next_update);
		printf(",\"at_signing\":\"%s\",\"today\":\"%s\"}",
		    npkd_pa_result_name(r->at_signing),
		    npkd_pa_result_name(r->today));
	}
	fputs(",\"dg1_state\":", stdout);
	json_str(stdout, r->dg1_state);
	fputs(",\"datagroups\":{", stdout);
	for (n = 1; n <= NPKD_MAX_DG; n++) {
		if (r->dg[n] == NPKD_PA_DG_ABSENT)
			continue;
		printf("%s\"%d\":\"%s\"", first ? "" : ",", n,
		    npkd_pa_dg_name(r->dg[n]));
		first = 0;
	}
	fputs("},\"findings\":", stdout);
	json_findings(stdout, r->findings);
	fputs("}\n", stdout);
}

static void
print_text(const char *name, const struct npkd_pa_report *r)
{
	int	i, n;

	put_text(stdout, name);
	if (r->verdict == NPKD_PA_GENUINE)
		printf(": genuine");
	else {
		printf(": %s: %s: %s: ", r->verdict == NPKD_PA_MALFORMED ?
		    "malformed" : "not genuine", npkd_pa_step_name(r->step),
		    r->reason);
		put_text(stdout, r->steps[r->step].text);
	}
	putchar('\n');
	if (verbose <= 0)
		return;
	for (i = 0; i < NPKD_PA_NSTEPS; i++) {
		printf("  %-10s %-11s ", npkd_pa_step_name(i),
		    npkd_pa_result_name(r->steps[i].result));
		put_text(stdout, r->steps[i].text);
		putchar('\n');
	}
	printf("  %-10s", "dg");
	for (n = 1; n <= NPKD_MAX_DG; n++)
		if (r->dg[n] != NPKD_PA_DG_ABSENT)
			printf(" %d:%s", n, npkd_pa_dg_name(r->dg[n]));
	putchar('\n');
	print_findings(stdout, "  ", r->findings, verbose > 1 ?
	    NPKD_SEV_INFO : NPKD_SEV_WARNING);
}

/* One document: verified, printed, learned from when asked. */
static void
verify_doc(struct pactx *c, struct doc *d)
{
	struct npkd_pa_file	 f[MAX_FILES];
	struct npkd_pa_report	 r;
	struct npkd_err		 e;
	size_t			 i, n = 0;
	int			 rc, added;

	for (i = 0; i < d->n; i++)
		if ((int)i != d->sod) {
			f[n].data = d->data[i].data;
			f[n].len = d->data[i].len;
			n++;
		}
	rc = npkd_pa_verify(c->pa, d->data[d->sod].data, d->data[d->sod].len,
	    f, n, &r, &e);
	if (rc != NPKD_OK && rc != NPKD_E_VERIFY && rc != NPKD_E_FORMAT &&
	    rc != NPKD_E_UNSUPPORTED && rc != NPKD_E_LIMIT) {
		warnmsg(d->name, "%s", e.msg);
		c->ex = worst(c->ex, EXIT_ERR);
		npkd_pa_report_clear(&r);
		return;
	}
	if (c->learn && r.verdict != NPKD_PA_MALFORMED && r.dsc_found &&
	    !r.dsc_in_store) {
		if (npkd_pa_learn(c->pa, &r, d->path[d->sod], &added, &e) ==
		    NPKD_OK) {
			if (added && verbose >= 0 && !c->json)
				printf("%s: DSC kept in the store (checked by the "
				    "next npkd check)\n", d->name);
		} else if (verbose > 0)
			warnmsg(d->name, "%s", e.msg);
	}
	if (c->json)
		print_json(d->name, &r);
	else if (verbose >= 0 || r.verdict != NPKD_PA_GENUINE)
		print_text(d->name, &r);
	c->counts[r.verdict]++;
	c->ex = worst(c->ex, r.verdict == NPKD_PA_GENUINE ? EXIT_OK :
	    r.verdict == NPKD_PA_NOT_GENUINE ? EXIT_NO : EXIT_ERR);
	npkd_pa_report_clear(&r);
}

/* A document named by a directory, or by its files (EF.SOD first). */
static void
verify_args(struct pactx *c, char *const *args, size_t n)
{
	struct doc	 d;
	struct stat	 st;
	size_t		 i;

	memset(&d, 0, sizeof(d));
	d.sod = -1;
	if (n == 1 && stat(args[0], &st) == 0 && S_ISDIR(st.st_mode)) {
		if ((d.name = strdup(args[0])) == NULL ||
		    doc_dir(&d, args[0]) != EXIT_OK) {
			c->ex = worst(c->ex, EXIT_ERR);
			doc_clear(&d);
			return;
		}
	} else {
		if ((d.name = strdup(display_name(args[0]))) == NULL) {
			c->ex = worst(c->ex, EXIT_ERR);
			return;
		}
		for (i = 0; i < n; i++)
			if (doc_add(&d, args[i]) != EXIT_OK) {
				c->ex = worst(c->ex, EXIT_ERR);
				doc_clear(&d);
				return;
			}
		d.sod = 0;
	}
	verify_doc(c, &d);
	doc_clear(&d);
}

/* -b list: one document a line, a directory or "EF.SOD DG...". */
static int
batch(struct pactx *c, const char *list)
{
	FILE	*fp;
	char	*line = NULL, *w[MAX_FILES], *p, *q;
	size_t	 cap = 0, n;
	ssize_t	 len;

	if (strcmp(list, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(list, "r")) == NULL) {
		warnmsg(list, "cannot open");
		return EXIT_ERR;
	}
	while ((len = getline(&line, &cap, fp)) != -1) {
		for (n = 0, q = line; n < MAX_FILES &&
		    (p = strsep(&q, " \t\r\n")) != NULL;)
			if (*p != '\0')
				w[n++] = p;
		if (n == 0 || w[0][0] == '#')
			continue;
		verify_args(c, w, n);
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	return EXIT_OK;
}

static void __attribute__((noreturn))
pa_usage(void)
{
	fprintf(stderr, "usage: npkd [-d dir] pa [-jlqv] [-b list] "
	    "[EF.SOD [DG ...] | docdir ...]\n");
	exit(EXIT_ERR);
}

int
cmd_pa(const char *dir, int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "learn", no_argument, NULL, 'l' },
		{ "batch", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	struct npkd_store	*s;
	struct pactx		 c;
	struct npkd_err		 e;
	struct stat		 st;
	const char		*list = NULL;
	int			 ch, i, dirs;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "b:jlqv", lo, NULL)) != -1) {
		switch (ch) {
		case 'b':
			list = optarg;
			break;
		case 'j':
			c.json = 1;
			break;
		case 'l':
			c.learn = 1;
			break;
		case 'q':
			verbose = -1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			pa_usage();
		}
	}
	argc -= optind;
	argv += optind;
	if ((argc == 0) == (list == NULL))
		pa_usage();
	s = open_store(dir, c.learn ? STORE_RW : STORE_RO);
	if (npkd_pa_open(s, time(NULL), &c.pa, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		npkd_store_close(s);
		return EXIT_ERR;
	}
	if (list != NULL) {
		/* batch() sets c.ex itself: its own result after */
		ch = batch(&c, list);
		c.ex = worst(c.ex, ch);
	}
	else {
		/* directories: one document each; else the files of one */
		for (dirs = 1, i = 0; i < argc; i++)
			if (stat(argv[i], &st) != 0 || !S_ISDIR(st.st_mode))
				dirs = 0;
		if (dirs)
			for (i = 0; i < argc; i++)
				verify_args(&c, &argv[i], 1);
		else
			verify_args(&c, argv, (size_t)argc);
	}
	if (verbose > 0 && !c.json)
		printf("%zu genuine, %zu not genuine, %zu malformed\n",
		    c.counts[0], c.counts[1], c.counts[2]);
	npkd_pa_free(c.pa);
	npkd_store_close(s);
	return c.ex;
}
