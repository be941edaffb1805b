/*
 * store.c - "npkd init|import|check|ls|show": the national store.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "tools.h"

int
cmd_init(const char *dir, int argc, char *argv[])
{
	struct npkd_store *s;

	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: npkd [-d dir] init\n");
		return EXIT_ERR;
	}
	s = open_store(dir, STORE_CREATE);
	if (verbose >= 0)
		printf("%s: store ready, schema version %d\n", dir,
		    npkd_store_version(s));
	npkd_store_close(s);
	return EXIT_OK;
}

struct progress {
	const char	*file;
	double		 t0, last;
	int		 tty;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* An entry refused on its own: one line each, the rest imports. */
static void
refused(void *arg, const char *entry, const char *why)
{
	struct progress *p = arg;

	if (p->tty)
		fprintf(stderr, "\r%*s\r", 70, "");
	warnmsg(p->file, "%s: refused: %s", entry, why);
}

/* Progress on a terminal only: count, bytes and rate, on one line. */
static void
progress(void *arg, uint64_t bytes, uint64_t objects)
{
	struct progress	*p = arg;
	double		 t = now_s();

	if (!p->tty)
		return;
	if (t - p->last < 0.5)
		return;
	p->last = t;
	fprintf(stderr, "\r%s: %llu objects, %.1f MiB, %.0f objects/s   ",
	    p->file, (unsigned long long)objects, (double)bytes / 1048576.0,
	    (double)objects / (t - p->t0 > 0 ? t - p->t0 : 1));
}

int
cmd_import(const char *dir, int argc, char *argv[])
{
	struct npkd_store		 *s;
	struct npkd_import_opts		  o;
	struct npkd_import_stats	  st;
	struct npkd_err			  e;
	struct npkd_cert		**anchors = NULL;
	struct progress			  pr;
	size_t				  na = 0;
	int				  ch, i, ex = EXIT_OK, rc, tty;

	optind = 1;
	while ((ch = getopt(argc, argv, "qT:v")) != -1) {
		switch (ch) {
		case 'q':
			verbose = -1;
			break;
		case 'T':
			if (add_certs(optarg, &anchors, &na) != EXIT_OK) {
				npkd_certs_free(anchors, na);
				return EXIT_ERR;
			}
			break;
		case 'v':
			verbose++;
			break;
		default:
			fprintf(stderr, "usage: npkd [-d dir] import [-qv] "
			    "[-T anchors.pem] file ...\n");
			return EXIT_ERR;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: npkd [-d dir] import [-qv] "
		    "[-T anchors.pem] file ...\n");
		return EXIT_ERR;
	}
	s = open_store(dir, 0);
	tty = isatty(STDERR_FILENO) && verbose >= 0;
	for (i = optind; i < argc; i++) {
		memset(&o, 0, sizeof(o));
		/* the anchors go in with every file: each is all or nothing */
		o.anchors = (const struct npkd_cert *const *)anchors;
		o.nanchors = na;
		pr.file = display_name(argv[i]);
		pr.t0 = pr.last = now_s();
		pr.tty = tty;
		o.progress = progress;
		o.progress_arg = &pr;
		o.refused = refused;
		rc = npkd_store_import(s, argv[i], &o, &st, NULL, &e);
		if (tty)
			fprintf(stderr, "\r%*s\r", 70, "");
		if (rc != NPKD_OK) {
			warnmsg(display_name(argv[i]), "%s", e.msg);
			ex = worst(ex, rc_to_exit(rc));
			continue;
		}
		if (verbose >= 0)
			printf("%s: %s, %zu objects: %zu new, %zu seen again\n",
			    display_name(argv[i]), st.format, st.objects,
			    st.added, st.again);
		if (st.refused > 0) {
			/* the rest went in; the answer is still no */
			warnmsg(display_name(argv[i]), "%zu entr%s refused, "
			    "the rest imported (%zu not genuine list%s)",
			    st.refused, st.refused > 1 ? "ies" : "y",
			    st.lists_refused, st.lists_refused == 1 ? "" : "s");
			ex = worst(ex, EXIT_NO);
		}
	}
	npkd_certs_free(anchors, na);
	npkd_store_close(s);
	return ex;
}

static int
name_line(void *arg, const struct npkd_name_state *n)
{
	char t[24];

	(void)arg;
	if (strcmp(n->state, "current") == 0)
		return 0;
	printf("action: ");
	put_text(stdout, n->country);
	printf(" %s CRL: ", strcmp(n->state, "none") == 0 ? "no" : "stale");
	put_text(stdout, n->subject);
	if (n->next_update) {
		npkd_time_str(n->next_update, t);
		printf(" (nextUpdate %s)", t);
	}
	putchar('\n');
	return 0;
}

static int
action_line(void *arg, const struct npkd_object *o)
{
	char id[65];

	(void)arg;
	npkd_hex(o->sha256, 32, id);
	printf("action: %s %.16s %s %s: ", o->kind, id, o->status, o->reason);
	put_text(stdout, o->subject);
	putchar('\n');
	return 0;
}

int
cmd_check(const char *dir, int argc, char *argv[])
{
	struct npkd_store	*s;
	struct npkd_check_stats	 st;
	struct npkd_query	 q;
	struct npkd_err		 e;
	long			 threads = sysconf(_SC_NPROCESSORS_ONLN);
	int			 ch, k, json = 0;
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 }
	};

	optind = 1;
	while ((ch = getopt_long(argc, argv, "jt:v", lo, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 't':
			threads = strtol(optarg, NULL, 10);
			if (threads < 1 || threads > 16) {
				warnmsg(NULL, "-t: 1 to 16 threads");
				return EXIT_ERR;
			}
			break;
		case 'v':
			verbose++;
			break;
		default:
			fprintf(stderr, "usage: npkd [-d dir] check [-jv] "
			    "[-t threads]\n");
			return EXIT_ERR;
		}
	}
	s = open_store(dir, STORE_RW);
	if (npkd_store_check(s, time(NULL), (int)threads, &st, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		npkd_store_close(s);
		return EXIT_ERR;
	}
	if (json) {
		printf("{\"objects\":%zu", st.objects);
		for (k = 0; k < NPKD_ST_COUNT; k++)
			printf(",\"%s\":%zu", npkd_status_name(k),
			    st.by_status[k]);
		printf(",\"action\":%zu,\"names\":%zu,\"names_no_crl\":%zu,"
		    "\"names_stale_crl\":%zu,\"verifications\":%zu,"
		    "\"changed\":%zu}\n", st.action, st.names,
		    st.names_no_crl, st.names_stale, st.verifications,
		    st.changed);
	} else if (verbose >= 0) {
		printf("%zu objects:", st.objects);
		for (k = 0; k < NPKD_ST_COUNT; k++)
			if (st.by_status[k])
				printf(" %zu %s", st.by_status[k],
				    npkd_status_name(k));
		printf("; %zu issuer names, %zu without a CRL, %zu with a "
		    "stale one; %zu signatures checked, %zu verdicts changed\n",
		    st.names, st.names_no_crl, st.names_stale,
		    st.verifications, st.changed);
		if (st.action)
			printf("%zu need action: npkd ls --action; npkd check "
			    "-v lists them\n", st.action);
		if (verbose > 0 && st.action) {
			memset(&q, 0, sizeof(q));
			q.expiring_days = -1;
			q.action = 1;
			npkd_store_names(s, name_line, NULL, &e);
			npkd_store_list(s, &q, action_line, NULL, &e);
		}
	}
	npkd_store_close(s);
	return st.action ? EXIT_NO : EXIT_OK;
}

struct lsctx {
	int	 json;
	int	 full;
	size_t	 n;
	struct npkd_store *s;
};

static void
prov_line(void *arg, const char *line)
{
	(void)arg;
	printf("  from: %s\n", line);
}

static int
ls_one(void *arg, const struct npkd_object *o)
{
	struct lsctx	*c = arg;
	char		 id[65], nb[24], na[24], fs[24], ls[24];
	struct npkd_buf	 pem;
	struct npkd_err	 e;

	npkd_hex(o->sha256, 32, id);
	npkd_time_str(o->not_before, nb);
	npkd_time_str(o->not_after, na);
	c->n++;
	if (c->json) {
		printf("{\"kind\":\"%s\",\"country\":", o->kind);
		json_str(stdout, o->country);
		fputs(",\"subject\":", stdout);
		json_str(stdout, o->subject);
		fputs(",\"issuer\":", stdout);
		json_str(stdout, o->issuer);
		fputs(",\"serial\":", stdout);
		json_str(stdout, o->serial);
		printf(",\"sha256\":\"%s\",\"not_before\":\"%s\","
		    "\"not_after\":\"%s\",\"status\":\"%s\",\"reason\":",
		    id, nb, o->not_after ? na : "", o->status);
		json_str(stdout, o->reason);
		fputs(",\"trust\":", stdout);
		json_str(stdout, o->trust);
		printf(",\"action\":%s,\"trusted\":%s,"
		    "\"nonconformant\":%s,\"conformance\":", o->action ?
		    "true" : "false", o->trusted ? "true" : "false",
		    o->nonconformant ? "true" : "false");
		json_str(stdout, o->conformance);
		printf(",\"seen\":%ld,\"findings\":%s}\n", o->seen, o->findings);
		return 0;
	}
	/* names, countries and conformance texts are data: escaped */
	if (!c->full) {
		const char *cc = o->country[0] ? o->country : "-";

		printf("%-8s ", o->kind);
		put_text(stdout, cc);
		printf("%*s %-9s %-18s %s %s %.16s ", strlen(cc) < 3 ?
		    3 - (int)strlen(cc) : 0, "", o->status,
		    o->reason[0] ? o->reason : "-", nb,
		    o->not_after ? na : "-", id);
		put_text(stdout, o->subject);
		putchar('\n');
		return 0;
	}
	npkd_time_str(o->first_seen, fs);
	npkd_time_str(o->last_seen, ls);
	printf("sha256:     %s\nkind:       %s\ncountry:    ", id, o->kind);
	put_text(stdout, o->country);
	fputs("\nsubject:    ", stdout);
	put_text(stdout, o->subject);
	fputs("\nissuer:     ", stdout);
	put_text(stdout, o->issuer);
	printf("\nserial:     %s\n"
	    "not before: %s\nnot after:  %s\nstatus:     %s%s\n"
	    "reason:     %s%s\n", o->serial, nb, o->not_after ? na : "-",
	    o->status, o->action ? " (needs action)" : "", o->reason[0] ?
	    o->reason : "-", "");
	if (o->trust[0]) {
		fputs("trusted:    ", stdout);
		put_text(stdout, o->trust);
		putchar('\n');
	}
	printf("seen:       %ld times, first %s, last %s\n", o->seen, fs, ls);
	if (o->nonconformant) {
		fputs("nonconformant: ", stdout);
		put_text(stdout, o->conformance ? o->conformance : "(no code)");
		putchar('\n');
	}
	fputs("findings:   ", stdout);
	put_text(stdout, o->findings);
	putchar('\n');
	npkd_store_provenance(c->s, o->sha256, prov_line, NULL, &e);
	if (o->der != NULL && npkd_pem_encode(strcmp(o->kind, "crl") == 0 ?
	    "X509 CRL" : strcmp(o->kind, "ml") == 0 ||
	    strcmp(o->kind, "dl") == 0 ? "CMS" : "CERTIFICATE", o->der,
	    o->der_len, &pem, &e) == NPKD_OK) {
		fwrite(pem.data, 1, pem.len, stdout);
		npkd_buf_free(&pem);
	}
	return 0;
}

static int
refusal_line(void *arg, const struct npkd_refusal *r)
{
	int	json = *(int *)arg;
	char	t[24];

	npkd_time_str(r->when, t);
	if (json) {
		printf("{\"run\":%ld,\"time\":\"%s\",\"file\":", r->run, t);
		json_str(stdout, r->file);
		fputs(",\"entry\":", stdout);
		json_str(stdout, r->entry);
		fputs(",\"reason\":", stdout);
		json_str(stdout, r->reason);
		fputs("}\n", stdout);
		return 0;
	}
	printf("refused   %s run %ld ", t, r->run);
	put_text(stdout, r->file);
	fputs(": ", stdout);
	put_text(stdout, r->entry);
	fputs(": ", stdout);
	put_text(stdout, r->reason);
	putchar('\n');
	return 0;
}

static void __attribute__((noreturn))
ls_usage(void)
{
	fprintf(stderr, "usage: npkd [-d dir] ls [-aj] [-c country] "
	    "[-e days] [-k kind] [-r reason] [-s status]\n"
	    "       npkd [-d dir] ls -R [-j]\n");
	exit(EXIT_ERR);
}

int
cmd_ls(const char *dir, int argc, char *argv[])
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "kind", required_argument, NULL, 'k' },
		{ "type", required_argument, NULL, 'k' },
		{ "country", required_argument, NULL, 'c' },
		{ "status", required_argument, NULL, 's' },
		{ "expiring", required_argument, NULL, 'e' },
		{ "action", no_argument, NULL, 'a' },
		{ "reason", required_argument, NULL, 'r' },
		{ "refused", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct npkd_query	 q;
	struct lsctx		 c;
	struct npkd_err		 e;
	char			*end;
	int			 ch, rc, refused = 0;

	memset(&q, 0, sizeof(q));
	memset(&c, 0, sizeof(c));
	q.expiring_days = -1;
	q.now = time(NULL);
	optind = 1;
	while ((ch = getopt_long(argc, argv, "ac:e:jk:r:Rs:", lo, NULL)) != -1) {
		switch (ch) {
		case 'R':
			refused = 1;
			break;
		case 'a':
			q.action = 1;
			break;
		case 'r':
			q.reason = optarg;
			break;
		case 'c':
			q.country = optarg;
			break;
		case 'e':
			q.expiring_days = strtol(optarg, &end, 10);
			if (*end != '\0' || q.expiring_days < 0 ||
			    q.expiring_days > 36500)
				ls_usage();
			break;
		case 'j':
			c.json = 1;
			break;
		case 'k':
			q.kind = optarg;
			break;
		case 's':
			q.status = optarg;
			break;
		default:
			ls_usage();
		}
	}
	if (optind != argc)
		ls_usage();
	c.s = open_store(dir, STORE_RO);
	rc = refused ? npkd_store_refusals(c.s, refusal_line, &c.json, &e) :
	    npkd_store_list(c.s, &q, ls_one, &c, &e);
	npkd_store_close(c.s);
	if (rc != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static int
count_one(void *arg, const struct npkd_object *o)
{
	(void)o;
	(*(size_t *)arg)++;
	return 0;
}

int
cmd_show(const char *dir, int argc, char *argv[])
{
	struct npkd_query	 q;
	struct lsctx		 c;
	struct npkd_err		 e;
	size_t			 n = 0;
	int			 rc, json = argc == 3 && strcmp(argv[1], "-j") == 0;

	if (argc != 2 && !json) {
		fprintf(stderr, "usage: npkd [-d dir] show [-j] id\n");
		return EXIT_ERR;
	}
	memset(&q, 0, sizeof(q));
	memset(&c, 0, sizeof(c));
	q.expiring_days = -1;
	q.id = argv[argc - 1];
	q.with_der = 1;
	c.full = !json;
	c.json = json;
	c.s = open_store(dir, STORE_RO);
	/* a prefix must name exactly one object */
	rc = npkd_store_list(c.s, &q, count_one, &n, &e);
	if (rc == NPKD_OK && n == 1)
		rc = npkd_store_list(c.s, &q, ls_one, &c, &e);
	npkd_store_close(c.s);
	if (rc != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	if (n > 1) {
		warnmsg(NULL, "%s: %zu objects have this prefix", q.id, n);
		return EXIT_ERR;
	}
	if (c.n == 0) {
		warnmsg(NULL, "%s: no such object", q.id);
		return EXIT_ERR;
	}
	return EXIT_OK;
}
