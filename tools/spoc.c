/*
 * spoc - the offline side of the Single Point of Contact (ICAO 9303-12
 * section 8; CSN 36 9791): registered foreign SPOCs, the queue of
 * outgoing messages, the inbox of foreign DVs' requests, message packages
 * for the air gap, and the audit log.  No network code is linked here.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spocpkg.h"

static int		 json;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: spoc [-q] [-d dir] [-P pinfile] command ...\n"
	    "       spoc setup --country CC --key KEY --cert CERT --trust CERT\n"
	    "       spoc peer add CC --url URL --ca FILE --crl FILE [--cert FILE]\n"
	    "           [--dialect csn369791|icao]\n"
	    "       spoc peer ls [--json] | peer rm CC\n"
	    "       spoc request CC REQUEST\n"
	    "       spoc get-ca CC\n"
	    "       spoc message CC --subject S [--body FILE]\n"
	    "       spoc inbox [--json]\n"
	    "       spoc answer ID (--cert CERT [--chain CVCA ...] | --fail CODE)\n"
	    "       spoc answer ID     (a GetCACertificates: our CVCA certificates)\n"
	    "       spoc notify        (push our CVCA certificates to every peer)\n"
	    "       spoc extract ID -o FILE\n"
	    "       spoc pack [--resend ID ...] -o FILE\n"
	    "       spoc unpack [--out DIR] FILE\n"
	    "       spoc ls [--json] | spoc log [--json]\n");
	exit(EXIT_ERR);
}

static struct npkd_store *
store(int create)
{
	return open_store(spoc_dir, create);
}

/* A certificate file as PEM text (input PEM or DER), checked to parse. */
static char *
certs_pem(const char *path, int crl)
{
	struct npkd_buf	 b, out = { NULL, 0 };
	struct npkd_err	 e;
	char		*s = NULL;

	if (npkd_file_read(path, 1 << 22, &b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return NULL;
	}
	if (npkd_is_pem(b.data, b.len)) {
		size_t off = 0, n = 0;
		struct npkd_buf one;

		while (npkd_pem_decode(b.data, b.len, &off, crl ? "X509 CRL" :
		    "CERTIFICATE", &one, NULL, 0, &e) == NPKD_OK) {
			struct npkd_cert *c = NULL;
			struct npkd_crl *l = NULL;
			int r = crl ? npkd_crl_parse(one.data, one.len, &l, &e) :
			    npkd_cert_parse(one.data, one.len, &c, &e);

			npkd_cert_free(c);
			npkd_crl_free(l);
			npkd_buf_free(&one);
			if (r != NPKD_OK) {
				warnmsg(display_name(path), "%s", e.msg);
				goto out;
			}
			n++;
		}
		if (n == 0) {
			warnmsg(display_name(path), "no %s in PEM", crl ?
			    "CRL" : "certificate");
			goto out;
		}
		if ((s = strndup((char *)b.data, b.len)) == NULL)
			warnmsg(NULL, "out of memory");
		goto out;
	} else {
		struct npkd_cert *c = NULL;
		struct npkd_crl *l = NULL;
		int r = crl ? npkd_crl_parse(b.data, b.len, &l, &e) :
		    npkd_cert_parse(b.data, b.len, &c, &e);

		npkd_cert_free(c);
		npkd_crl_free(l);
		if (r != NPKD_OK) {
			warnmsg(display_name(path), "%s", e.msg);
			goto out;
		}
		if (npkd_pem_encode(crl ? "X509 CRL" : "CERTIFICATE", b.data,
		    b.len, &out, &e) != NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			goto out;
		}
		s = strndup((char *)out.data, out.len);
	}
out:
	npkd_buf_free(&b);
	npkd_buf_free(&out);
	return s;
}

static int
country_ok(const char *s)
{
	return strlen(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' &&
	    s[1] <= 'Z';
}

enum { O_COUNTRY = 256, O_KEY, O_CERT, O_TRUST, O_URL, O_CA, O_CRL,
    O_DIALECT, O_JSON, O_SUBJECT, O_BODY, O_FAIL, O_CHAIN, O_RESEND, O_OUT };
static const struct option longopts[] = {
	{ "country", required_argument, NULL, O_COUNTRY },
	{ "key", required_argument, NULL, O_KEY },
	{ "cert", required_argument, NULL, O_CERT },
	{ "trust", required_argument, NULL, O_TRUST },
	{ "url", required_argument, NULL, O_URL },
	{ "ca", required_argument, NULL, O_CA },
	{ "crl", required_argument, NULL, O_CRL },
	{ "dialect", required_argument, NULL, O_DIALECT },
	{ "json", no_argument, NULL, O_JSON },
	{ "subject", required_argument, NULL, O_SUBJECT },
	{ "body", required_argument, NULL, O_BODY },
	{ "fail", required_argument, NULL, O_FAIL },
	{ "chain", required_argument, NULL, O_CHAIN },
	{ "resend", required_argument, NULL, O_RESEND },
	{ "out", required_argument, NULL, O_OUT },
	{ NULL, 0, NULL, 0 }
};

/* --- setup and peers ------------------------------------------------ */

static int
cmd_setup(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_err		 e;
	const char		*cc = NULL, *key = NULL, *certf = NULL,
				*trustf = NULL;
	char			*cert = NULL, *trust = NULL, *keyref = NULL;
	int			 ch, ex = EXIT_ERR;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_COUNTRY: cc = optarg; break;
		case O_KEY: key = optarg; break;
		case O_CERT: certf = optarg; break;
		case O_TRUST: trustf = optarg; break;
		default: usage();
		}
	if (cc == NULL || key == NULL || certf == NULL || trustf == NULL ||
	    optind != argc)
		usage();
	if (!country_ok(cc)) {
		warnmsg(NULL, "%s: not a country code", cc);
		return EXIT_ERR;
	}
	if ((cert = certs_pem(certf, 0)) == NULL ||
	    (trust = certs_pem(trustf, 0)) == NULL)
		goto out;
	keyref = strncmp(key, "pkcs11:", 7) == 0 ? strdup(key) :
	    realpath(key, NULL);
	if (keyref == NULL) {
		warnmsg(key, "cannot resolve");
		goto out;
	}
	st = store(1);
	if (npkd_store_txn(st, NPKD_TXN_BEGIN, &e) != NPKD_OK ||
	    npkd_spoc_setting_set(st, "country", cc, &e) != NPKD_OK ||
	    npkd_spoc_setting_set(st, "key", keyref, &e) != NPKD_OK ||
	    npkd_spoc_setting_set(st, "cert", cert, &e) != NPKD_OK ||
	    npkd_spoc_setting_set(st, "trust", trust, &e) != NPKD_OK ||
	    npkd_store_txn(st, NPKD_TXN_COMMIT, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		npkd_store_txn(st, NPKD_TXN_ROLLBACK, NULL);
	} else
		ex = EXIT_OK;
	npkd_store_close(st);
out:
	free(cert);
	free(trust);
	free(keyref);
	return ex;
}

static int
peer_print(void *arg, const struct npkd_spoc_peer *p)
{
	char t[21];

	(void)arg;
	npkd_time_str(p->added, t);
	if (json) {
		printf("{\"country\":");
		json_str(stdout, p->country);
		printf(",\"url\":");
		json_str(stdout, p->url);
		printf(",\"dialect\":\"%s\",\"pinned\":%s,\"crl\":%s,"
		    "\"added\":\"%s\"}\n", npkd_spoc_dialect_name(p->dialect),
		    p->cert ? "true" : "false", p->crl ? "true" : "false", t);
	} else
		printf("%s %-9s %s%s\n", p->country,
		    npkd_spoc_dialect_name(p->dialect), p->url,
		    p->cert ? " (pinned)" : "");
	return 0;
}

static int
cmd_peer(int argc, char *argv[])
{
	struct npkd_spoc_peer	 p;
	struct npkd_store	*st;
	struct npkd_err		 e;
	const char		*sub, *url = NULL, *caf = NULL, *crlf = NULL,
				*certf = NULL;
	int			 ch, ex = EXIT_ERR, d = NPKD_SPOC_CSN;

	if (argc < 2)
		usage();
	sub = argv[1];
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_URL: url = optarg; break;
		case O_CA: caf = optarg; break;
		case O_CRL: crlf = optarg; break;
		case O_CERT: certf = optarg; break;
		case O_JSON: json = 1; break;
		case O_DIALECT:
			if ((d = npkd_spoc_dialect_parse(optarg)) < 0) {
				warnmsg(NULL, "%s: dialect is csn369791 or icao",
				    optarg);
				return EXIT_ERR;
			}
			break;
		default: usage();
		}
	argc -= optind;
	argv += optind;
	if (strcmp(sub, "ls") == 0) {
		if (argc != 0)
			usage();
		st = store(0);
		ex = npkd_spoc_peer_list(st, peer_print, NULL, &e) == NPKD_OK ?
		    EXIT_OK : EXIT_ERR;
		if (ex != EXIT_OK)
			warnmsg(NULL, "%s", e.msg);
		npkd_store_close(st);
		return ex;
	}
	if (argc != 1 || !country_ok(argv[0])) {
		if (argc == 1)
			warnmsg(NULL, "%s: not a country code", argv[0]);
		usage();
	}
	if (strcmp(sub, "rm") == 0) {
		st = store(0);
		if (npkd_spoc_peer_remove(st, argv[0], &e) != NPKD_OK)
			warnmsg(NULL, "%s", e.msg);
		else {
			ex = EXIT_OK;
			npkd_spoc_log_add(st, time(NULL), "-", argv[0], "peer",
			    "-", NULL, "removed", NULL);
		}
		npkd_store_close(st);
		return ex;
	}
	if (strcmp(sub, "add") != 0)
		usage();
	if (url == NULL || caf == NULL || crlf == NULL)
		usage();
	memset(&p, 0, sizeof(p));
	if (strncmp(url, "https://", 8) != 0 || strlen(url) >= sizeof(p.url) ||
	    strpbrk(url, " \t\r\n") != NULL) {
		warnmsg(NULL, "%s: the URL must be https:// (and short)", url);
		return EXIT_ERR;
	}
	snprintf(p.country, sizeof(p.country), "%s", argv[0]);
	snprintf(p.url, sizeof(p.url), "%s", url);
	p.dialect = d;
	p.added = time(NULL);
	if ((p.ca = certs_pem(caf, 0)) == NULL ||
	    (p.crl = certs_pem(crlf, 1)) == NULL ||
	    (certf != NULL && (p.cert = certs_pem(certf, 0)) == NULL))
		goto out;
	st = store(1);
	if (npkd_spoc_peer_put(st, &p, &e) != NPKD_OK)
		warnmsg(NULL, "%s", e.msg);
	else {
		ex = EXIT_OK;
		npkd_spoc_log_add(st, time(NULL), "-", p.country, "peer", "-",
		    NULL, "registered", NULL);
	}
	npkd_store_close(st);
out:
	npkd_spoc_peer_clear(&p);
	return ex;
}

/* --- queueing ------------------------------------------------------- */

/* The registered peer CC, or exit 2: nothing goes to strangers. */
static void
check_country(const char *cc)
{
	if (!country_ok(cc)) {
		warnmsg(NULL, "%s: not a country code", cc);
		exit(EXIT_ERR);
	}
}

static void
print_queued(const struct npkd_spoc_rec *r)
{
	char id[160];

	npkd_spoc_msgid_print(r->msgid, id, sizeof(id));
	if (verbose >= 0)
		printf("%ld %s %s %s queued\n", r->id, r->peer,
		    npkd_spoc_op_name(r->op), id);
}

/* A new request of op to cc, completed by fill, queued. */
static int
request(const char *cc, int op, struct npkd_spoc_msg *m,
    const struct npkd_spoc_msg *fields, const char *dv)
{
	struct npkd_store	*st;
	struct npkd_spoc_rec	 r;
	struct npkd_err		 e;
	int			 ex = EXIT_ERR;

	check_country(cc);
	st = store(0);
	if (npkd_spoc_request_new(st, cc, op, time(NULL), m, &e) != NPKD_OK) {
		warnmsg(NULL, "%s%s", e.msg, e.code == NPKD_E_NOTFOUND &&
		    strstr(e.msg, "no SPOC") ? " (spoc peer add)" : "");
		goto out;
	}
	m->request = fields->request;
	m->subject = fields->subject;
	m->body = fields->body;
	if (npkd_spoc_queue(st, m, cc, dv, 0, time(NULL), &r, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		goto out;
	}
	print_queued(&r);
	ex = EXIT_OK;
out:
	npkd_store_close(st);
	return ex;
}

static int
cmd_request(int argc, char *argv[])
{
	struct npkd_spoc_msg	 m, f;
	struct npkd_cvc		*req = NULL;
	struct npkd_buf		 b;
	struct npkd_err		 e;
	int			 ex;

	if (argc != 3)
		usage();
	if (npkd_file_read(argv[2], 1 << 20, &b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	if (npkd_cvc_parse(b.data, b.len, 1, &req, &e) != NPKD_OK) {
		warnmsg(display_name(argv[2]), "%s", e.msg);
		npkd_buf_free(&b);
		return EXIT_ERR;
	}
	memset(&f, 0, sizeof(f));
	f.request = b;
	ex = request(argv[1], NPKD_SPOC_REQUEST_CERT, &m, &f,
	    npkd_cvc_chr(req));
	npkd_cvc_free(req);
	npkd_buf_free(&b);
	return ex;
}

static int
cmd_get_ca(int argc, char *argv[])
{
	struct npkd_spoc_msg m, f;

	if (argc != 2)
		usage();
	memset(&f, 0, sizeof(f));
	return request(argv[1], NPKD_SPOC_GET_CA, &m, &f, NULL);
}

static int
cmd_message(int argc, char *argv[])
{
	struct npkd_spoc_msg	 m, f;
	const char		*subject = NULL, *bodyf = "-";
	char			*body;
	int			 ch, ex;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_SUBJECT: subject = optarg; break;
		case O_BODY: bodyf = optarg; break;
		default: usage();
		}
	if (subject == NULL || optind != argc - 1)
		usage();
	if ((body = spoc_read_text(bodyf, 1 << 20)) == NULL)
		return EXIT_ERR;
	memset(&f, 0, sizeof(f));
	f.subject = (char *)(uintptr_t)subject;
	f.body = body;
	ex = request(argv[optind], NPKD_SPOC_GENERAL, &m, &f, NULL);
	free(body);
	return ex;
}

/* --- inbox ---------------------------------------------------------- */

static int
inbox_one(void *arg, const struct npkd_spoc_rec *r, const char *verdict,
    const char *why)
{
	char t[21], id[160];

	(*(int *)arg)++;
	npkd_time_str(r->created, t);
	if (json) {
		printf("{\"id\":%ld,\"peer\":\"%s\",\"op\":\"%s\",\"dv\":",
		    r->id, r->peer, npkd_spoc_op_name(r->op));
		json_str(stdout, r->dv);
		printf(",\"msgid\":");
		json_str(stdout, r->msgid);
		printf(",\"state\":\"%s\",\"received\":\"%s\",\"verify\":",
		    r->state, t);
		json_str(stdout, verdict);
		printf(",\"reason\":");
		json_str(stdout, why);
		printf("}\n");
	} else {
		npkd_spoc_msgid_print(r->msgid, id, sizeof(id));
		printf("%ld %s %-17s %-14s %s %s %s%s%s\n", r->id, r->peer,
		    npkd_spoc_op_name(r->op), r->dv[0] ? r->dv : "-",
		    r->state, id, verdict, why[0] ? ": " : "", why);
	}
	return 0;
}

static int
cmd_inbox(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_err		 e;
	int			 ch, n = 0, ex = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_JSON: json = 1; break;
		default: usage();
		}
	if (optind != argc)
		usage();
	st = store(0);
	if (npkd_spoc_inbox(st, time(NULL), inbox_one, &n, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		ex = EXIT_ERR;
	}
	npkd_store_close(st);
	return ex;
}

/* --- answers -------------------------------------------------------- */

static int
cmd_answer(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_spoc_answer	 a;
	struct npkd_spoc_rec	 q;
	struct npkd_buf		 cert = { NULL, 0 }, chain[NPKD_SPOC_MAX_CERTS];
	struct npkd_err		 e;
	const char		*certf = NULL, *what = NULL;
	char			*end;
	size_t			 i, nchain = 0;
	long			 id;
	int			 ch, ex = EXIT_ERR;

	memset(&a, 0, sizeof(a));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_CERT: certf = optarg; break;
		case O_FAIL: a.fail = optarg; break;
		case O_CHAIN:
			if (nchain == NPKD_SPOC_MAX_CERTS) {
				warnmsg(NULL, "more than %d --chain",
				    NPKD_SPOC_MAX_CERTS);
				goto out;
			}
			if (npkd_file_read(optarg, 1 << 20, &chain[nchain],
			    &e) != NPKD_OK) {
				warnmsg(NULL, "%s", e.msg);
				goto out;
			}
			nchain++;
			break;
		default: usage();
		}
	if (optind != argc - 1 || (certf != NULL && a.fail != NULL))
		usage();
	id = strtol(argv[optind], &end, 10);
	if (*end != '\0' || id <= 0)
		usage();
	if (certf != NULL) {
		if (npkd_file_read(certf, 1 << 20, &cert, &e) != NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			goto out;
		}
		a.cert = cert.data;
		a.cert_len = cert.len;
		what = display_name(certf);
	}
	a.chain = chain;
	a.nchain = nchain;
	st = store(0);
	if (npkd_spoc_answer(st, id, &a, time(NULL), &q, &e) != NPKD_OK)
		warnmsg(e.code == NPKD_E_VERIFY || strncmp(e.msg,
		    "failure", 7) == 0 ? what : NULL, "%s", e.msg);
	else {
		print_queued(&q);
		ex = EXIT_OK;
	}
	npkd_store_close(st);
out:
	for (i = 0; i < nchain; i++)
		npkd_buf_free(&chain[i]);
	npkd_buf_free(&cert);
	return ex;
}

/* A CVCA rekey: our CVCA certificates pushed to every registered SPOC. */
static int
cmd_notify(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_err		 e;
	size_t			 n;
	int			 ex = EXIT_ERR;

	(void)argv;
	if (argc != 1)
		usage();
	st = store(0);
	if (npkd_store_txn(st, NPKD_TXN_BEGIN, &e) != NPKD_OK)
		warnmsg(NULL, "%s", e.msg);
	else if (npkd_spoc_notify(st, time(NULL), &n, &e) != NPKD_OK ||
	    npkd_store_txn(st, NPKD_TXN_COMMIT, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		npkd_store_txn(st, NPKD_TXN_ROLLBACK, NULL);
	} else {
		if (verbose >= 0)
			printf("%zu SPOC%s notified\n", n, n == 1 ? "" : "s");
		ex = EXIT_OK;
	}
	npkd_store_close(st);
	return ex;
}

/* The CV request, or the text of a general message, of a filed message. */
static int
cmd_extract(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_spoc_rec	 r;
	struct npkd_spoc_msg	 m;
	struct npkd_buf		 x, b;
	struct npkd_err		 e;
	const char		*outf = NULL;
	int			 ch, ex = EXIT_ERR;

	while ((ch = getopt(argc, argv, "o:")) != -1)
		switch (ch) {
		case 'o': outf = optarg; break;
		default: usage();
		}
	if (optind != argc - 1 || outf == NULL)
		usage();
	st = store(0);
	if (npkd_spoc_msg_get(st, strtol(argv[optind], NULL, 10), &r, &x,
	    &e) != NPKD_OK) {
		warnmsg(NULL, "%s: %s", argv[optind], e.msg);
		goto out;
	}
	if (npkd_spoc_decode(x.data, x.len, NULL, &m, &e) != NPKD_OK) {
		warnmsg(NULL, "%s: %s", argv[optind], e.msg);
		npkd_buf_free(&x);
		goto out;
	}
	if (m.op == NPKD_SPOC_REQUEST_CERT && !m.response)
		ex = write_output(outf, &m.request);
	else if (m.op == NPKD_SPOC_GENERAL && !m.response) {
		b.data = (uint8_t *)m.body;
		b.len = strlen(m.body);
		ex = write_output(outf, &b);
	} else
		warnmsg(NULL, "%s: a %s holds no request or text",
		    argv[optind], npkd_spoc_op_name(m.op));
	npkd_spoc_msg_free(&m);
	npkd_buf_free(&x);
out:
	npkd_store_close(st);
	return ex;
}

/* --- packages ------------------------------------------------------- */

static int
cmd_pack(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_spoc_rec	 r;
	struct npkd_err		 e;
	const char		*outf = NULL;
	long			 resend[64];
	size_t			 nr = 0, i;
	int			 ch, ex;

	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1)
		switch (ch) {
		case 'o': outf = optarg; break;
		case O_RESEND:
			if (nr == sizeof(resend) / sizeof(resend[0]) ||
			    (resend[nr++] = strtol(optarg, NULL, 10)) <= 0)
				usage();
			break;
		default: usage();
		}
	if (optind != argc)
		usage();
	if (outf == NULL)
		usage();
	st = store(0);
	for (i = 0; i < nr; i++) {
		if (npkd_spoc_msg_get(st, resend[i], &r, NULL, &e) != NPKD_OK ||
		    strcmp(r.dir, "out") != 0) {
			warnmsg(NULL, "%ld: no outgoing message with this id",
			    resend[i]);
			npkd_store_close(st);
			return EXIT_ERR;
		}
		if (strcmp(r.state, "queued") != 0 && (npkd_spoc_msg_update(st,
		    r.id, "queued", NULL, 0, time(NULL), &e) != NPKD_OK)) {
			warnmsg(NULL, "%s", e.msg);
			npkd_store_close(st);
			return EXIT_ERR;
		}
		spoc_log(st, "out", r.peer, r.op, r.response, r.msgid, r.sha256,
		    "queued again (--resend)");
	}
	ex = spoc_pack(st, "out", "queued", "packed", outf);
	npkd_store_close(st);
	return ex;
}

/* The new certificate of our DV, for the officer to hand over. */
static int
write_dv(const char *outdir, const struct npkd_spoc_taken *t)
{
	struct npkd_cvc	*c;
	struct npkd_err	 e;
	char		 path[4096];
	int		 ex = EXIT_ERR;

	if (npkd_cvc_parse(t->dv.data, t->dv.len, 0, &c, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	snprintf(path, sizeof(path), "%s/%s.cvcert", outdir, npkd_cvc_chr(c));
	if (npkd_file_write_atomic(path, t->dv.data, t->dv.len, 0644, 0, &e) !=
	    NPKD_OK)
		warnmsg(NULL, "%s", e.msg);
	else {
		if (verbose >= 0)
			printf("%s: certificate for %s\n", path, t->dv_chr[0] ?
			    t->dv_chr : npkd_cvc_chr(c));
		ex = EXIT_OK;
	}
	npkd_cvc_free(c);
	return ex;
}

static int
cmd_unpack(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_pkg_member	*m = NULL;
	struct npkd_spoc_taken	*t = NULL;
	struct npkd_err		 e;
	const char		*outdir = NULL, *what;
	size_t			 n = 0, i, refused = 0;
	int			 ch, ex = EXIT_ERR;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_OUT: outdir = optarg; break;
		default: usage();
		}
	if (optind != argc - 1)
		usage();
	what = display_name(argv[optind]);
	st = store(0);
	if (spoc_pkg_read(st, argv[optind], &m, &n) != EXIT_OK) {
		npkd_spoc_log_add(st, time(NULL), "in", "-", "package", "-",
		    NULL, "refused", NULL);
		goto out;
	}
	if ((t = calloc(n ? n : 1, sizeof(*t))) == NULL) {
		warnmsg(NULL, "out of memory");
		goto out;
	}
	/* all of it or nothing; a member the rules refuse is only logged */
	if (npkd_store_txn(st, NPKD_TXN_BEGIN, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (npkd_spoc_take(st, &m[i], time(NULL), &t[i], &e) != NPKD_OK)
			break;
	if (i < n || npkd_store_txn(st, NPKD_TXN_COMMIT, &e) != NPKD_OK) {
		warnmsg(i < n ? what : NULL, "%s", e.msg);
		npkd_store_txn(st, NPKD_TXN_ROLLBACK, NULL);
		npkd_spoc_log_add(st, time(NULL), "in", "-", "package", "-",
		    NULL, "refused", NULL);
		goto out;
	}
	ex = EXIT_OK;
	for (i = 0; i < n; i++) {
		if (t[i].fate == NPKD_SPOC_REFUSED) {
			warnmsg(what, "%s", t[i].why);
			refused++;
		}
		if (t[i].dv.data != NULL && outdir != NULL &&
		    write_dv(outdir, &t[i]) != EXIT_OK)
			ex = EXIT_ERR;
	}
	if (verbose >= 0)
		fprintf(stderr, "%s: %zu message%s filed, %zu refused\n", what,
		    n - refused, n - refused == 1 ? "" : "s", refused);
	if (ex == EXIT_OK && refused > 0)
		ex = EXIT_NO;
out:
	for (i = 0; t != NULL && i < n; i++)
		npkd_spoc_taken_free(&t[i]);
	free(t);
	npkd_pkg_free(m, n);
	npkd_store_close(st);
	return ex;
}

/* --- listing -------------------------------------------------------- */

static int
ls_one(void *arg, const struct npkd_spoc_rec *r)
{
	char t[21], k[48], id[160];

	(void)arg;
	npkd_time_str(r->updated, t);
	spoc_kind(r->op, r->response, k, sizeof(k));
	npkd_spoc_msgid_print(r->msgid, id, sizeof(id));
	if (json) {
		printf("{\"id\":%ld,\"dir\":\"%s\",\"peer\":\"%s\",\"kind\":\"%s\","
		    "\"msgid\":", r->id, r->dir, r->peer, k);
		json_str(stdout, r->msgid);
		printf(",\"state\":\"%s\",\"result\":", r->state);
		json_str(stdout, r->result);
		printf(",\"dv\":");
		json_str(stdout, r->dv);
		printf(",\"updated\":\"%s\",\"sha256\":", t);
		json_hex(stdout, r->sha256, 32);
		printf("}\n");
	} else
		printf("%ld %-3s %s %-26s %-9s %s %s\n", r->id, r->dir, r->peer,
		    k, r->state, id, r->result[0] ? r->result : "-");
	return 0;
}

static int
log_one(void *arg, const struct npkd_spoc_log *l)
{
	char t[21], id[160];

	(void)arg;
	npkd_time_str(l->time, t);
	npkd_spoc_msgid_print(l->msgid, id, sizeof(id));
	if (json) {
		printf("{\"time\":\"%s\",\"dir\":\"%s\",\"peer\":", t, l->dir);
		json_str(stdout, l->peer);
		printf(",\"kind\":");
		json_str(stdout, l->op);
		printf(",\"msgid\":");
		json_str(stdout, l->msgid);
		printf(",\"sha256\":\"%s\",\"outcome\":", l->sha256);
		json_str(stdout, l->outcome);
		printf("}\n");
	} else
		printf("%s %-3s %s %s %s %s %s\n", t, l->dir, l->peer, l->op,
		    strcmp(l->msgid, "-") == 0 ? "-" : id, l->sha256[0] ?
		    l->sha256 : "-", l->outcome);
	return 0;
}

static int
cmd_list(int argc, char *argv[], int audit)
{
	struct npkd_spoc_filter	 f = { NULL, NULL, NULL, 0, -1 };
	struct npkd_store	*st;
	struct npkd_err		 e;
	int			 ch, rc;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_JSON: json = 1; break;
		default: usage();
		}
	if (optind != argc)
		usage();
	st = store(0);
	rc = audit ? npkd_spoc_log_list(st, log_one, NULL, &e) :
	    npkd_spoc_msg_list(st, &f, ls_one, NULL, &e);
	if (rc != NPKD_OK)
		warnmsg(NULL, "%s", e.msg);
	npkd_store_close(st);
	return rc == NPKD_OK ? EXIT_OK : EXIT_ERR;
}

int
main(int argc, char *argv[])
{
	const char	*cmd;
	int		 i;

	i = spoc_global_opts("spoc", argc, argv, usage);
	argc -= i;
	argv += i;
	cmd = argv[0];
	optind = 0;	/* 0: getopt starts afresh, in GNU order */
	if (strcmp(cmd, "setup") == 0)
		return cmd_setup(argc, argv);
	if (strcmp(cmd, "peer") == 0)
		return cmd_peer(argc, argv);
	if (strcmp(cmd, "request") == 0)
		return cmd_request(argc, argv);
	if (strcmp(cmd, "get-ca") == 0)
		return cmd_get_ca(argc, argv);
	if (strcmp(cmd, "message") == 0)
		return cmd_message(argc, argv);
	if (strcmp(cmd, "inbox") == 0)
		return cmd_inbox(argc, argv);
	if (strcmp(cmd, "answer") == 0)
		return cmd_answer(argc, argv);
	if (strcmp(cmd, "notify") == 0)
		return cmd_notify(argc, argv);
	if (strcmp(cmd, "extract") == 0)
		return cmd_extract(argc, argv);
	if (strcmp(cmd, "pack") == 0)
		return cmd_pack(argc, argv);
	if (strcmp(cmd, "unpack") == 0)
		return cmd_unpack(argc, argv);
	if (strcmp(cmd, "ls") == 0)
		return cmd_list(argc, argv, 0);
	if (strcmp(cmd, "log") == 0)
		return cmd_list(argc, argv, 1);
	usage();
}
