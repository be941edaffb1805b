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

/* Encode, file as queued and log one outgoing message. */
static int
queue(struct npkd_store *st, struct npkd_spoc_msg *m, const char *peer,
    const char *dv, long answers)
{
	struct npkd_spoc_rec	 r;
	struct npkd_buf		 x;
	struct npkd_err		 e;

	if (npkd_spoc_encode(m, &x, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	memset(&r, 0, sizeof(r));
	snprintf(r.dir, sizeof(r.dir), "out");
	snprintf(r.peer, sizeof(r.peer), "%s", peer);
	r.op = m->op;
	r.response = m->response;
	snprintf(r.msgid, sizeof(r.msgid), "%s", m->msgid);
	snprintf(r.state, sizeof(r.state), "queued");
	snprintf(r.dv, sizeof(r.dv), "%s", dv ? dv : "");
	r.answers = answers;
	if (npkd_spoc_msg_add(st, &r, x.data, x.len, time(NULL), &e) !=
	    NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		npkd_buf_free(&x);
		return EXIT_ERR;
	}
	spoc_log(st, "out", peer, m->op, m->response, m->msgid, r.sha256,
	    "queued");
	npkd_buf_free(&x);
	if (verbose >= 0)
		printf("%ld %s %s %s queued\n", r.id, peer,
		    npkd_spoc_op_name(m->op), m->msgid[0] ? m->msgid : "-");
	return EXIT_OK;
}

/* The registered peer CC, or exit 2: nothing goes to strangers. */
static void
peer_of(struct npkd_store *st, const char *cc, struct npkd_spoc_peer *p)
{
	struct npkd_err e;

	if (!country_ok(cc)) {
		warnmsg(NULL, "%s: not a country code", cc);
		exit(EXIT_ERR);
	}
	if (npkd_spoc_peer_get(st, cc, p, &e) != NPKD_OK) {
		warnmsg(NULL, "%s (spoc peer add)", e.msg);
		exit(EXIT_ERR);
	}
}

static int
new_request(struct npkd_store *st, struct npkd_spoc_msg *m, const char *cc,
    int op)
{
	struct npkd_spoc_peer	p;
	struct npkd_err		e;
	char			self[3];

	peer_of(st, cc, &p);
	spoc_country(st, self);
	memset(m, 0, sizeof(*m));
	m->op = op;
	m->dialect = p.dialect;
	memcpy(m->caller, self, 3);
	npkd_spoc_peer_clear(&p);
	if (npkd_spoc_new_msgid(self, time(NULL), m->msgid, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

static int
cmd_request(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_spoc_msg	 m;
	struct npkd_cvc		*req = NULL;
	struct npkd_buf		 b;
	struct npkd_err		 e;
	int			 ex = EXIT_ERR;

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
	st = store(0);
	if (new_request(st, &m, argv[1], NPKD_SPOC_REQUEST_CERT) == EXIT_OK) {
		m.request = b;
		ex = queue(st, &m, argv[1], npkd_cvc_chr(req), 0);
	}
	npkd_cvc_free(req);
	npkd_buf_free(&b);
	npkd_store_close(st);
	return ex;
}

static int
cmd_get_ca(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_spoc_msg	 m;
	int			 ex = EXIT_ERR;

	if (argc != 2)
		usage();
	st = store(0);
	if (new_request(st, &m, argv[1], NPKD_SPOC_GET_CA) == EXIT_OK)
		ex = queue(st, &m, argv[1], NULL, 0);
	npkd_store_close(st);
	return ex;
}

static int
cmd_message(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_spoc_msg	 m;
	const char		*subject = NULL, *bodyf = "-";
	char			*body;
	int			 ch, ex = EXIT_ERR;

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
	st = store(0);
	if (new_request(st, &m, argv[optind], NPKD_SPOC_GENERAL) == EXIT_OK) {
		m.subject = (char *)subject;
		m.body = body;
		ex = queue(st, &m, argv[optind], NULL, 0);
	}
	free(body);
	npkd_store_close(st);
	return ex;
}

/* --- the CVCA's certificates ---------------------------------------- */

struct cvset {
	struct npkd_cvc	**v;
	size_t		  n;
	const char	 *origin;
};

static int
cv_collect(void *arg, const uint8_t *der, size_t len, const char *origin)
{
	struct cvset	 *s = arg;
	struct npkd_cvc	 *c, **nv;
	struct npkd_err	  e;

	(void)origin;
	if (npkd_cvc_parse(der, len, 0, &c, &e) != NPKD_OK)
		return NPKD_E_FORMAT;	/* the register holds only parsed ones */
	if ((nv = reallocarray(s->v, s->n + 1, sizeof(*nv))) == NULL) {
		npkd_cvc_free(c);
		return NPKD_E_NOMEM;
	}
	s->v = nv;
	s->v[s->n++] = c;
	return 0;
}

static void
cvset_free(struct cvset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		npkd_cvc_free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int
cvset_load(struct npkd_store *st, const char *origin, struct cvset *s)
{
	struct npkd_err e;

	if (npkd_store_cv_list(st, origin, -1, 0, cv_collect, s, &e) !=
	    NPKD_OK) {
		warnmsg(NULL, "register: %s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

/* --- inbox ---------------------------------------------------------- */

struct inbox {
	struct npkd_store	*st;
	struct cvset		 trust, pool;
	int			 n;
};

static int
inbox_one(void *arg, const struct npkd_spoc_rec *r)
{
	struct inbox		*ib = arg;
	struct npkd_spoc_msg	 m;
	struct npkd_cvc		*req = NULL;
	struct npkd_err		 e;
	const char		*result = NULL, *verdict;
	char			 t[21], why[256] = "";

	if (r->response || (r->op != NPKD_SPOC_REQUEST_CERT &&
	    r->op != NPKD_SPOC_GET_CA && r->op != NPKD_SPOC_GENERAL &&
	    r->op != NPKD_SPOC_SEND_CERTS))
		return 0;
	verdict = r->op == NPKD_SPOC_SEND_CERTS ? r->result : "-";
	if (r->op == NPKD_SPOC_REQUEST_CERT) {
		if (npkd_spoc_decode(r->xml, r->xml_len, NULL, &m, &e) !=
		    NPKD_OK) {
			verdict = "error";
			snprintf(why, sizeof(why), "%s", e.msg);
		} else {
			if (npkd_cvc_parse(m.request.data, m.request.len, 1,
			    &req, &e) != NPKD_OK ||
			    npkd_cvc_verify_request(req,
			    (const struct npkd_cvc *const *)ib->pool.v,
			    ib->pool.n, (const struct npkd_cvc *const *)
			    ib->trust.v, ib->trust.n, time(NULL), &result,
			    &e) != NPKD_OK) {
				verdict = result ? result : "failure_syntax";
				snprintf(why, sizeof(why), "%s", e.msg);
			} else
				verdict = "verified";
			npkd_cvc_free(req);
			npkd_spoc_msg_free(&m);
		}
	}
	npkd_time_str(r->created, t);
	ib->n++;
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
	} else
		printf("%ld %s %-17s %-14s %s %s %s%s%s\n", r->id, r->peer,
		    npkd_spoc_op_name(r->op), r->dv[0] ? r->dv : "-",
		    r->state, r->msgid[0] ? r->msgid : "-", verdict,
		    why[0] ? ": " : "", why);
	return 0;
}

static int
cmd_inbox(int argc, char *argv[])
{
	struct npkd_spoc_filter	 f = { "in", NULL, NULL, 0, 0 };
	struct inbox		 ib;
	struct npkd_err		 e;
	int			 ch, ex = EXIT_ERR;

	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_JSON: json = 1; break;
		default: usage();
		}
	if (optind != argc)
		usage();
	memset(&ib, 0, sizeof(ib));
	ib.st = store(0);
	if (cvset_load(ib.st, "registered", &ib.trust) != EXIT_OK ||
	    cvset_load(ib.st, "own", &ib.trust) != EXIT_OK ||
	    cvset_load(ib.st, "issued", &ib.pool) != EXIT_OK)
		goto out;
	if (npkd_spoc_msg_list(ib.st, &f, inbox_one, &ib, &e) != NPKD_OK)
		warnmsg(NULL, "%s", e.msg);
	else
		ex = EXIT_OK;
out:
	cvset_free(&ib.trust);
	cvset_free(&ib.pool);
	npkd_store_close(ib.st);
	return ex;
}

/* --- answers -------------------------------------------------------- */

static int
by_effective(const void *a, const void *b)
{
	time_t x = npkd_cvc_effective(*(struct npkd_cvc *const *)a);
	time_t y = npkd_cvc_effective(*(struct npkd_cvc *const *)b);

	return x < y ? -1 : x > y;
}

static struct npkd_cvc *
load_cvc(const char *path, int as_request)
{
	struct npkd_buf	 b;
	struct npkd_err	 e;
	struct npkd_cvc	*c = NULL;

	if (npkd_file_read(path, 1 << 20, &b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return NULL;
	}
	if (npkd_cvc_parse(b.data, b.len, as_request, &c, &e) != NPKD_OK)
		warnmsg(display_name(path), "%s", e.msg);
	npkd_buf_free(&b);
	return c;
}

static int
cmd_answer(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_spoc_rec	 in;
	struct npkd_spoc_peer	 p;
	struct npkd_spoc_msg	 req, m;
	struct npkd_buf		 x = { NULL, 0 }, *seq = NULL;
	struct npkd_err		 e;
	struct cvset		 own = { NULL, 0, NULL }, chain = { NULL, 0, NULL };
	struct npkd_cvc		*cert = NULL, *rq = NULL, *ca = NULL;
	const char		*certf = NULL, *fail = NULL, *result;
	char			 self[3], *end;
	size_t			 i, nseq = 0, klen, rlen;
	long			 id;
	int			 ch, ex = EXIT_ERR;

	memset(&req, 0, sizeof(req));
	memset(&p, 0, sizeof(p));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_CERT: certf = optarg; break;
		case O_FAIL: fail = optarg; break;
		case O_CHAIN:
			if ((cert = load_cvc(optarg, 0)) == NULL)
				goto out;
			if (cv_collect(&chain, npkd_cvc_der(cert, &klen), klen,
			    NULL) != 0) {
				npkd_cvc_free(cert);
				goto out;
			}
			npkd_cvc_free(cert);
			cert = NULL;
			break;
		default: usage();
		}
	if (optind != argc - 1 || (certf != NULL && fail != NULL))
		usage();
	id = strtol(argv[optind], &end, 10);
	if (*end != '\0' || id <= 0)
		usage();
	st = store(0);
	spoc_country(st, self);
	if (npkd_spoc_msg_get(st, id, &in, &x, &e) != NPKD_OK ||
	    strcmp(in.dir, "in") != 0 || in.response ||
	    (in.op != NPKD_SPOC_REQUEST_CERT && in.op != NPKD_SPOC_GET_CA)) {
		warnmsg(NULL, "%s: no incoming certificate request with this "
		    "id", argv[optind]);
		goto close;
	}
	if (strcmp(in.state, "inbox") != 0) {
		warnmsg(NULL, "%ld: already %s", id, in.state);
		goto close;
	}
	peer_of(st, in.peer, &p);
	memset(&m, 0, sizeof(m));
	m.op = NPKD_SPOC_SEND_CERTS;
	m.dialect = p.dialect;
	memcpy(m.caller, self, 3);
	snprintf(m.msgid, sizeof(m.msgid), "%s", in.msgid);
	if (fail != NULL) {
		if (!npkd_spoc_code_valid(p.dialect, NPKD_SPOC_SEND_CERTS, 0,
		    fail) || strncmp(fail, "failure_", 8) != 0) {
			warnmsg(NULL, "%s: not a failure code of SendCertificates "
			    "in %s", fail, npkd_spoc_dialect_name(p.dialect));
			goto close;
		}
		snprintf(m.result, sizeof(m.result), "%s", fail);
		goto send;
	}
	if (in.op == NPKD_SPOC_GET_CA) {
		/* our CVCA certificates, root and links, by effective date */
		if (certf != NULL) {
			warnmsg(NULL, "%ld: GetCACertificates is answered with "
			    "our CVCA certificates, not --cert", id);
			goto close;
		}
		if (chain.n == 0 && cvset_load(st, "own", &chain) != EXIT_OK)
			goto close;
		if (chain.n == 0 || chain.n > NPKD_SPOC_MAX_CERTS) {
			warnmsg(NULL, "%ld: %zu CVCA certificates registered as "
			    "own (cvc register -o own)", id, chain.n);
			goto close;
		}
		qsort(chain.v, chain.n, sizeof(chain.v[0]), by_effective);
		if ((seq = calloc(chain.n, sizeof(*seq))) == NULL)
			goto close;
		for (i = 0; i < chain.n; i++)
			seq[nseq++].data = (uint8_t *)npkd_cvc_der(chain.v[i],
			    &seq[i].len);
		m.certs = seq;
		m.ncerts = nseq;
		snprintf(m.result, sizeof(m.result), "ok_cert_available");
		goto send;
	}
	if (certf == NULL)
		usage();
	/*
	 * The certificate answers this request: same holder, same key, and
	 * it verifies under our CVCA.  Sequence: the certificate first, then
	 * our CVCA certificates by effective date, up to the one that signed.
	 */
	if ((cert = load_cvc(certf, 0)) == NULL)
		goto close;
	if (chain.n == 0 && cvset_load(st, "own", &own) != EXIT_OK)
		goto close;
	if (chain.n == 0) {
		chain = own;
		memset(&own, 0, sizeof(own));
	}
	qsort(chain.v, chain.n, sizeof(chain.v[0]), by_effective);
	for (i = 0; i < chain.n; i++)
		if (npkd_cvc_car(cert) != NULL &&
		    strcmp(npkd_cvc_chr(chain.v[i]), npkd_cvc_car(cert)) == 0) {
			ca = chain.v[i];
			break;
		}
	if (ca == NULL) {
		warnmsg(display_name(certf), "the CVCA certificate %s is neither "
		    "given (--chain) nor registered as own (cvc register -o own)",
		    npkd_cvc_car(cert) ? npkd_cvc_car(cert) : "?");
		goto close;
	}
	if (npkd_cvc_verify(cert, NULL, 0, (const struct npkd_cvc *const *)&ca,
	    1, time(NULL), &result, &e) != NPKD_OK) {
		warnmsg(display_name(certf), "does not verify under %s: %s",
		    npkd_cvc_chr(ca), e.msg);
		goto close;
	}
	if (in.op == NPKD_SPOC_REQUEST_CERT) {
		const uint8_t *k1, *k2;

		if (npkd_spoc_decode(x.data, x.len, NULL, &req, &e) != NPKD_OK ||
		    npkd_cvc_parse(req.request.data, req.request.len, 1, &rq,
		    &e) != NPKD_OK) {
			warnmsg(NULL, "%ld: %s", id, e.msg);
			goto close;
		}
		k1 = npkd_cvc_pubkey(rq, &rlen);
		k2 = npkd_cvc_pubkey(cert, &klen);
		if (strcmp(npkd_cvc_chr(rq), npkd_cvc_chr(cert)) != 0 ||
		    k1 == NULL || k2 == NULL || rlen != klen ||
		    memcmp(k1, k2, klen) != 0) {
			warnmsg(display_name(certf), "does not answer request "
			    "%ld (%s): holder or key differ", id,
			    npkd_cvc_chr(rq));
			goto close;
		}
	}
	if ((seq = calloc(chain.n + 1, sizeof(*seq))) == NULL)
		goto close;
	seq[nseq].data = (uint8_t *)npkd_cvc_der(cert, &seq[nseq].len);
	nseq++;
	for (i = 0; i < chain.n; i++) {
		seq[nseq].data = (uint8_t *)npkd_cvc_der(chain.v[i],
		    &seq[nseq].len);
		nseq++;
		if (chain.v[i] == ca)
			break;
	}
	m.certs = seq;
	m.ncerts = nseq;
	snprintf(m.result, sizeof(m.result), "ok_cert_available");
send:
	if (npkd_store_txn(st, NPKD_TXN_BEGIN, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		goto close;
	}
	if ((ex = queue(st, &m, in.peer, in.dv, in.id)) != EXIT_OK ||
	    npkd_spoc_msg_update(st, in.id, "answered", m.result, 0,
	    time(NULL), &e) != NPKD_OK ||
	    npkd_store_txn(st, NPKD_TXN_COMMIT, &e) != NPKD_OK) {
		if (ex == EXIT_OK)
			warnmsg(NULL, "%s", e.msg);
		npkd_store_txn(st, NPKD_TXN_ROLLBACK, NULL);
		ex = EXIT_ERR;
	}
close:
	npkd_store_close(st);
out:
	free(seq);
	npkd_cvc_free(cert);
	npkd_cvc_free(rq);
	cvset_free(&own);
	cvset_free(&chain);
	npkd_spoc_msg_free(&req);
	npkd_spoc_peer_clear(&p);
	npkd_buf_free(&x);
	return ex;
}

/* A CVCA rekey: our CVCA certificates pushed to every registered SPOC. */
struct notify {
	struct npkd_store	*st;
	struct cvset		*own;
	char			 self[3];
	int			 ex;
	size_t			 n;
};

static int
notify_one(void *arg, const struct npkd_spoc_peer *p)
{
	struct notify		*nf = arg;
	struct npkd_spoc_msg	 m;
	struct npkd_buf		 seq[NPKD_SPOC_MAX_CERTS];
	size_t			 i;

	memset(&m, 0, sizeof(m));
	m.op = NPKD_SPOC_SEND_CERTS;
	m.dialect = p->dialect;
	memcpy(m.caller, nf->self, 3);
	for (i = 0; i < nf->own->n; i++)
		seq[i].data = (uint8_t *)npkd_cvc_der(nf->own->v[i], &seq[i].len);
	m.certs = seq;
	m.ncerts = nf->own->n;
	snprintf(m.result, sizeof(m.result), "new_cert_available_notification");
	if (queue(nf->st, &m, p->country, NULL, 0) != EXIT_OK)
		nf->ex = EXIT_ERR;
	nf->n++;
	return 0;
}

static int
cmd_notify(int argc, char *argv[])
{
	struct cvset	own = { NULL, 0, NULL };
	struct notify	nf;
	struct npkd_err	e;

	(void)argv;
	if (argc != 1)
		usage();
	memset(&nf, 0, sizeof(nf));
	nf.st = store(0);
	nf.own = &own;
	spoc_country(nf.st, nf.self);
	if (cvset_load(nf.st, "own", &own) != EXIT_OK)
		goto out;
	if (own.n == 0 || own.n > NPKD_SPOC_MAX_CERTS) {
		warnmsg(NULL, "%zu CVCA certificates registered as own (cvc "
		    "register -o own)", own.n);
		goto out;
	}
	qsort(own.v, own.n, sizeof(own.v[0]), by_effective);
	if (npkd_store_txn(nf.st, NPKD_TXN_BEGIN, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		goto out;
	}
	if (npkd_spoc_peer_list(nf.st, notify_one, &nf, &e) != NPKD_OK ||
	    nf.ex != EXIT_OK || nf.n == 0 ||
	    npkd_store_txn(nf.st, NPKD_TXN_COMMIT, &e) != NPKD_OK) {
		if (nf.n == 0)
			warnmsg(NULL, "no SPOC registered");
		else if (nf.ex == EXIT_OK)
			warnmsg(NULL, "%s", e.msg);
		npkd_store_txn(nf.st, NPKD_TXN_ROLLBACK, NULL);
		nf.ex = EXIT_ERR;
		goto out;
	}
	nf.ex = EXIT_OK;
out:
	if (own.n == 0 || nf.n == 0)
		nf.ex = EXIT_ERR;
	cvset_free(&own);
	npkd_store_close(nf.st);
	return nf.ex;
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

/*
 * Certificates that answer one of our requests: each parses; the first
 * is for our DV; the CVCA certificates verify (root by itself, a link
 * under the one before) and the DV's under one of them.
 */
static int
take_certs(struct npkd_store *st, const struct npkd_spoc_msg *m,
    const struct npkd_spoc_rec *ours, const char *outdir, const char *what)
{
	struct npkd_cvc	**v;
	struct npkd_err	  e;
	const char	 *result;
	size_t		  i;
	int		  ex = EXIT_ERR;
	char		  path[4096];

	if (m->ncerts == 0)
		return EXIT_OK;
	if ((v = calloc(m->ncerts, sizeof(*v))) == NULL)
		return EXIT_ERR;
	for (i = 0; i < m->ncerts; i++)
		if (npkd_cvc_parse(m->certs[i].data, m->certs[i].len, 0, &v[i],
		    &e) != NPKD_OK) {
			warnmsg(what, "certificate %zu: %s", i + 1, e.msg);
			goto out;
		}
	/* CVCA certificates: a root verifies by itself, links by the root */
	for (i = ours->op == NPKD_SPOC_REQUEST_CERT ? 1 : 0; i < m->ncerts;
	    i++) {
		if (npkd_cvc_role(v[i]) != NPKD_CVC_CVCA ||
		    npkd_cvc_verify(v[i], (const struct npkd_cvc *const *)v,
		    m->ncerts, (const struct npkd_cvc *const *)v, m->ncerts,
		    time(NULL), &result, &e) != NPKD_OK) {
			warnmsg(what, "%s: not a CVCA certificate that verifies: "
			    "%s", npkd_cvc_chr(v[i]), npkd_cvc_role(v[i]) ==
			    NPKD_CVC_CVCA ? e.msg : "wrong role");
			goto out;
		}
		if (strncmp(npkd_cvc_chr(v[i]), ours->peer, 2) != 0) {
			warnmsg(what, "%s: not of %s", npkd_cvc_chr(v[i]),
			    ours->peer);
			goto out;
		}
	}
	if (ours->op == NPKD_SPOC_REQUEST_CERT) {
		if (npkd_cvc_verify(v[0], (const struct npkd_cvc *const *)v + 1,
		    m->ncerts - 1, (const struct npkd_cvc *const *)v + 1,
		    m->ncerts - 1, time(NULL), &result, &e) != NPKD_OK) {
			warnmsg(what, "%s: does not verify: %s",
			    npkd_cvc_chr(v[0]), e.msg);
			goto out;
		}
		if (strcmp(npkd_cvc_chr(v[0]), ours->dv) != 0) {
			warnmsg(what, "%s: does not answer the request of %s",
			    npkd_cvc_chr(v[0]), ours->dv);
			goto out;
		}
	}
	for (i = 0; i < m->ncerts; i++) {
		const char *origin = i == 0 && ours->op ==
		    NPKD_SPOC_REQUEST_CERT ? "ours" : "registered";

		/* already in the register (NPKD_E_VERIFY) is fine */
		if (npkd_store_cv_add(st, v[i], origin, NULL, &e) != NPKD_OK &&
		    e.code != NPKD_E_VERIFY) {
			warnmsg(what, "%s", e.msg);
			goto out;
		}
	}
	if (outdir != NULL && ours->op == NPKD_SPOC_REQUEST_CERT) {
		const uint8_t *der;
		size_t len;

		der = npkd_cvc_der(v[0], &len);
		snprintf(path, sizeof(path), "%s/%s.cvcert", outdir,
		    npkd_cvc_chr(v[0]));
		if (npkd_file_write_atomic(path, der, len, 0644, 0, &e) !=
		    NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			goto out;
		}
		if (verbose >= 0)
			printf("%s: certificate for %s\n", path, ours->dv);
	}
	ex = EXIT_OK;
out:
	for (i = 0; i < m->ncerts; i++)
		npkd_cvc_free(v[i]);
	free(v);
	return ex;
}

/*
 * A pushed CVCA rekey: each certificate, in order, must verify under a
 * CVCA of that country already registered (or one accepted before it in
 * the same sequence); those that do are registered, the rest are left
 * for the officer.  The outcome goes into result.
 */
static int
push_certs(struct npkd_store *st, const struct npkd_spoc_msg *m,
    const char *peer, const char *what, char *result, size_t rlen)
{
	struct cvset	 reg = { NULL, 0, NULL };
	struct npkd_cvc	*c;
	struct npkd_err	 e;
	const char	*why;
	size_t		 i, added = 0, refused = 0;
	int		 ex = EXIT_ERR;

	if (cvset_load(st, "registered", &reg) != EXIT_OK)
		return EXIT_ERR;
	for (i = 0; i < m->ncerts; i++) {
		if (npkd_cvc_parse(m->certs[i].data, m->certs[i].len, 0, &c,
		    &e) != NPKD_OK) {
			warnmsg(what, "pushed certificate %zu: %s", i + 1, e.msg);
			goto out;
		}
		if (npkd_cvc_role(c) != NPKD_CVC_CVCA ||
		    strncmp(npkd_cvc_chr(c), peer, 2) != 0 ||
		    npkd_cvc_verify(c, NULL, 0, (const struct npkd_cvc *const *)
		    reg.v, reg.n, time(NULL), &why, &e) != NPKD_OK) {
			refused++;
			npkd_cvc_free(c);
			continue;
		}
		/* verified: registered now, or already */
		added++;
		if (npkd_store_cv_add(st, c, "registered", NULL, &e) != NPKD_OK &&
		    e.code != NPKD_E_VERIFY) {
			warnmsg(what, "%s", e.msg);
			npkd_cvc_free(c);
			goto out;
		}
		if (cv_collect(&reg, m->certs[i].data, m->certs[i].len, NULL) !=
		    0) {
			npkd_cvc_free(c);
			goto out;
		}
		npkd_cvc_free(c);
	}
	snprintf(result, rlen, "verified %zu, unverified %zu", added,
	    refused);
	ex = EXIT_OK;
out:
	cvset_free(&reg);
	return ex;
}

static int
open_push(void *arg, const struct npkd_spoc_rec *r)
{
	struct npkd_spoc_rec *out = arg;

	if (r->msgid[0] != '\0' || (strcmp(r->state, "packed") != 0 &&
	    strcmp(r->state, "sent") != 0))
		return 0;
	*out = *r;
	out->xml = NULL;
	return 1;	/* the first, in id order within the peer */
}

/* File one member of an incoming package; EXIT_OK, or why not. */
static int
unpack_one(struct npkd_store *st, const struct npkd_pkg_member *pm, const char *outdir, const char *what)
{
	struct npkd_spoc_msg	 m;
	struct npkd_spoc_rec	 ours, r;
	struct npkd_spoc_peer	 p;
	struct npkd_err		 e;
	int			 op, resp, ex = EXIT_ERR, rc;
	const char		*state;

	if (npkd_spoc_peer_get(st, pm->peer, &p, &e) != NPKD_OK) {
		warnmsg(what, "%s: %s", pm->name, e.msg);
		return EXIT_ERR;
	}
	npkd_spoc_peer_clear(&p);
	if (strcmp(pm->kind, "DeliveryFailed") == 0) {
		/* the relay gave up on one of ours */
		for (op = NPKD_SPOC_REQUEST_CERT; op <= NPKD_SPOC_GENERAL; op++)
			if (npkd_spoc_msg_find(st, "out", pm->peer, op, 0,
			    pm->msgid, &ours, NULL, &e) == NPKD_OK)
				break;
		if (op > NPKD_SPOC_GENERAL) {
			warnmsg(what, "%s: messageID %s is not one of ours",
			    pm->name, pm->msgid);
			return EXIT_ERR;
		}
		if (npkd_spoc_msg_update(st, ours.id, "failed",
		    "delivery_failed", 0, time(NULL), &e) != NPKD_OK) {
			warnmsg(what, "%s", e.msg);
			return EXIT_ERR;
		}
		spoc_log(st, "in", pm->peer, op, 0, pm->msgid, pm->sha256,
		    "delivery failed");
		return EXIT_OK;
	}
	if (spoc_kind_parse(pm->kind, &op, &resp) == -1) {
		warnmsg(what, "%s: unknown kind %s", pm->name, pm->kind);
		return EXIT_ERR;
	}
	if (npkd_spoc_decode(pm->data.data, pm->data.len, pm->name, &m, &e) !=
	    NPKD_OK) {
		warnmsg(what, "%s", e.msg);
		return EXIT_ERR;
	}
	if (m.op != op || m.response != resp) {
		warnmsg(what, "%s: holds %s, the manifest says %s", pm->name,
		    npkd_spoc_op_name(m.op), pm->kind);
		goto out;
	}
	if (!resp && strcmp(m.caller, pm->peer) != 0) {
		warnmsg(what, "%s: callerID %s, the manifest says %s", pm->name,
		    m.caller, pm->peer);
		goto out;
	}
	/* an answer: to which of our messages? */
	if (resp || (op == NPKD_SPOC_SEND_CERTS && m.msgid[0] != '\0')) {
		const char *id = resp ? pm->msgid : m.msgid;
		int asked;

		rc = NPKD_E_NOTFOUND;
		if (resp && op == NPKD_SPOC_SEND_CERTS && strcmp(id, "-") == 0) {
			/* the acknowledgement of a push (no messageID):
			 * the oldest push to that peer still open */
			struct npkd_spoc_filter f = { "out", NULL, pm->peer,
			    NPKD_SPOC_SEND_CERTS, 0 };

			memset(&ours, 0, sizeof(ours));
			if (npkd_spoc_msg_list(st, &f, open_push, &ours, &e) >= 0 &&
			    ours.id != 0)
				rc = NPKD_OK;
			id = "";
			goto matched;
		}
		for (asked = NPKD_SPOC_REQUEST_CERT; asked <= NPKD_SPOC_GENERAL;
		    asked++) {
			if (resp && asked != op)
				continue;
			if (!resp && asked != NPKD_SPOC_REQUEST_CERT &&
			    asked != NPKD_SPOC_GET_CA)
				continue;
			if ((rc = npkd_spoc_msg_find(st, "out", pm->peer, asked,
			    0, id, &ours, NULL, &e)) == NPKD_OK)
				break;
		}
		if (rc != NPKD_OK) {
			/* our own SendCertificates acknowledged */
			if (resp && op == NPKD_SPOC_SEND_CERTS &&
			    npkd_spoc_msg_find(st, "out", pm->peer, op, 0, id,
			    &ours, NULL, &e) == NPKD_OK)
				rc = NPKD_OK;
		}
matched:
		if (rc != NPKD_OK) {
			warnmsg(what, "%s: messageID %s is not one of ours to "
			    "%s", pm->name, id, pm->peer);
			goto out;
		}
		if (strcmp(ours.state, "answered") == 0) {
			spoc_log(st, "in", pm->peer, op, resp, id, pm->sha256,
			    "already answered: ignored");
			ex = EXIT_OK;
			goto out;
		}
		if (strcmp(m.result, "ok_reception_ack") == 0 ||
		    (resp && op == NPKD_SPOC_SEND_CERTS &&
		    strcmp(m.result, "ok_received_correctly") == 0 &&
		    ours.op != NPKD_SPOC_SEND_CERTS))
			state = "sent";
		else if (strncmp(m.result, "ok", 2) == 0 ||
		    strcmp(m.result, "new_cert_available_notification") == 0)
			state = "answered";
		else
			state = "failed";
		if (strcmp(state, "answered") == 0 &&
		    take_certs(st, &m, &ours, outdir, what) != EXIT_OK)
			goto out;
		if (npkd_spoc_msg_update(st, ours.id, state, m.result, 0,
		    time(NULL), &e) != NPKD_OK) {
			warnmsg(what, "%s", e.msg);
			goto out;
		}
		spoc_log(st, "in", pm->peer, op, resp, id, pm->sha256, m.result);
		ex = EXIT_OK;
		goto out;
	}
	/* a request from a foreign SPOC, or a push: into the inbox */
	memset(&r, 0, sizeof(r));
	snprintf(r.dir, sizeof(r.dir), "in");
	snprintf(r.peer, sizeof(r.peer), "%.2s", pm->peer);
	r.op = op;
	snprintf(r.msgid, sizeof(r.msgid), "%s", m.msgid);
	snprintf(r.state, sizeof(r.state), "inbox");
	snprintf(r.result, sizeof(r.result), "%s", m.result);
	if (op == NPKD_SPOC_REQUEST_CERT) {
		struct npkd_cvc *c;

		if (npkd_cvc_parse(m.request.data, m.request.len, 1, &c, &e) !=
		    NPKD_OK) {
			/* filed all the same: the officer answers failure_syntax */
			snprintf(r.dv, sizeof(r.dv), "?");
		} else {
			snprintf(r.dv, sizeof(r.dv), "%s", npkd_cvc_chr(c));
			npkd_cvc_free(c);
		}
	}
	if (op == NPKD_SPOC_SEND_CERTS && push_certs(st, &m, pm->peer, what,
	    r.result, sizeof(r.result)) != EXIT_OK)
		goto out;
	rc = npkd_spoc_msg_add(st, &r, pm->data.data, pm->data.len, time(NULL),
	    &e);
	if (rc == NPKD_E_VERIFY) {
		struct npkd_spoc_rec old;

		/* the same message again is fine; another one with its id is not */
		if (npkd_spoc_msg_find(st, "in", r.peer, op, 0, r.msgid, &old,
		    NULL, &e) == NPKD_OK && memcmp(old.sha256, pm->sha256, 32) ==
		    0) {
			spoc_log(st, "in", pm->peer, op, 0, r.msgid, pm->sha256,
			    "duplicate: ignored");
			ex = EXIT_OK;
		} else
			warnmsg(what, "%s: messageID %s of %s is filed already "
			    "with other content", pm->name, r.msgid, r.peer);
		goto out;
	}
	if (rc != NPKD_OK) {
		warnmsg(what, "%s", e.msg);
		goto out;
	}
	spoc_log(st, "in", pm->peer, op, 0, r.msgid, r.sha256, "inbox");
	ex = EXIT_OK;
out:
	npkd_spoc_msg_free(&m);
	return ex;
}

static int
cmd_unpack(int argc, char *argv[])
{
	struct npkd_store	*st;
	struct npkd_pkg_member	*m = NULL;
	struct npkd_err		 e;
	const char		*outdir = NULL, *what;
	size_t			 n = 0, i;
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
	/* all of it or nothing */
	if (npkd_store_txn(st, NPKD_TXN_BEGIN, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		goto out;
	}
	for (i = 0; i < n; i++)
		if (unpack_one(st, &m[i], outdir, what) != EXIT_OK)
			break;
	if (i < n || npkd_store_txn(st, NPKD_TXN_COMMIT, &e) != NPKD_OK) {
		if (i == n)
			warnmsg(NULL, "%s", e.msg);
		npkd_store_txn(st, NPKD_TXN_ROLLBACK, NULL);
		npkd_spoc_log_add(st, time(NULL), "in", "-", "package", "-",
		    NULL, "refused", NULL);
		goto out;
	}
	if (verbose >= 0)
		fprintf(stderr, "%s: %zu message%s filed\n", what, n,
		    n == 1 ? "" : "s");
	ex = EXIT_OK;
out:
	npkd_pkg_free(m, n);
	npkd_store_close(st);
	return ex;
}

/* --- listing -------------------------------------------------------- */

static int
ls_one(void *arg, const struct npkd_spoc_rec *r)
{
	char t[21], k[48];

	(void)arg;
	npkd_time_str(r->updated, t);
	spoc_kind(r->op, r->response, k, sizeof(k));
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
		    k, r->state, r->msgid[0] ? r->msgid : "-",
		    r->result[0] ? r->result : "-");
	return 0;
}

static int
log_one(void *arg, const struct npkd_spoc_log *l)
{
	char t[21];

	(void)arg;
	npkd_time_str(l->time, t);
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
		    l->msgid, l->sha256[0] ? l->sha256 : "-", l->outcome);
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
