/*
 * spoc-relay - the online side of the SPOC, and the only npkd program
 * with network code.  send: deliver the messages of a package from the
 * offline side over mutual TLS and pack the answers; serve: accept SOAP
 * requests from registered SPOCs, file each durably, answer at once;
 * collect: pack what arrived for the trip back across the air gap.
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "spocpkg.h"


static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: spoc-relay [-q] [-d dir] [-P pinfile] command ...\n"
	    "       spoc-relay send [--resend] [--retries N] [--backoff MS] [--timeout S]\n"
	    "           --tls-cert CERT --tls-key KEY -o ANSWERS PACKAGE\n"
	    "       spoc-relay serve --listen ADDR:PORT --tls-cert CERT --tls-key KEY\n"
	    "           [--max-body BYTES] [--max-conn N] [--max-conn-per-addr N]\n"
	    "           [--handshake-timeout S] [--request-timeout S] [--timeout S]\n"
	    "           [--port-file F]\n"
	    "       spoc-relay collect -o PACKAGE\n");
	exit(EXIT_ERR);
}

enum { O_TLS_CERT = 256, O_TLS_KEY, O_RETRIES, O_BACKOFF, O_RESEND,
    O_LISTEN, O_MAX_BODY, O_MAX_CONN, O_TIMEOUT, O_PORT_FILE,
    O_MAX_CONN_ADDR, O_HANDSHAKE, O_REQUEST };
static const struct option longopts[] = {
	{ "tls-cert", required_argument, NULL, O_TLS_CERT },
	{ "tls-key", required_argument, NULL, O_TLS_KEY },
	{ "retries", required_argument, NULL, O_RETRIES },
	{ "backoff", required_argument, NULL, O_BACKOFF },
	{ "resend", no_argument, NULL, O_RESEND },
	{ "listen", required_argument, NULL, O_LISTEN },
	{ "max-body", required_argument, NULL, O_MAX_BODY },
	{ "max-conn", required_argument, NULL, O_MAX_CONN },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "port-file", required_argument, NULL, O_PORT_FILE },
	{ "max-conn-per-addr", required_argument, NULL, O_MAX_CONN_ADDR },
	{ "handshake-timeout", required_argument, NULL, O_HANDSHAKE },
	{ "request-timeout", required_argument, NULL, O_REQUEST },
	{ NULL, 0, NULL, 0 }
};

static long
number(const char *s, long lo, long hi)
{
	char	*end;
	long	 v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < lo || v > hi) {
		warnmsg(NULL, "%s: a number from %ld to %ld", s, lo, hi);
		exit(EXIT_ERR);
	}
	return v;
}

static void
logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on standard error; control characters (which a peer's text
 * quoted in a reason might hold) cannot break it. */
static void
logline(const char *fmt, ...)
{
	char	t[21], line[1024];
	va_list	ap;
	size_t	i;

	if (verbose < 0)
		return;
	npkd_time_str(time(NULL), t);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (i = 0; line[i] != '\0'; i++)
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = '?';
	fprintf(stderr, "%s %s: %s\n", t, progname, line);
}

/* --- send ----------------------------------------------------------- */

/* The peer's CA and CRL as files for libcurl, 0600 in the store dir. */
static int
peer_files(const struct npkd_spoc_peer *p, char *ca, char *crl, size_t n)
{
	struct npkd_err e;

	snprintf(ca, n, "%s/peer-%s-ca.pem", spoc_dir, p->country);
	snprintf(crl, n, "%s/peer-%s-crl.pem", spoc_dir, p->country);
	if (npkd_file_write_atomic(ca, p->ca, strlen(p->ca), 0600, 0, &e) !=
	    NPKD_OK || npkd_file_write_atomic(crl, p->crl, strlen(p->crl),
	    0600, 0, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return -1;
	}
	return 0;
}

struct answers {
	struct npkd_pkg_member	*m;
	size_t			 n;
};

static int
answer_add(struct answers *a, const char *kind, const char *peer,
    const char *msgid, const uint8_t *p, size_t len)
{
	struct npkd_pkg_member *m;

	if ((m = reallocarray(a->m, a->n + 1, sizeof(*m))) == NULL)
		return -1;
	a->m = m;
	m = &a->m[a->n];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%zu.%s", a->n + 1,
	    strcmp(kind, "DeliveryFailed") == 0 ? "txt" : "xml");
	snprintf(m->kind, sizeof(m->kind), "%s", kind);
	snprintf(m->peer, sizeof(m->peer), "%s", peer);
	snprintf(m->msgid, sizeof(m->msgid), "%s", msgid);
	if ((m->data.data = malloc(len ? len : 1)) == NULL)
		return -1;
	memcpy(m->data.data, p, len);
	m->data.len = len;
	a->n++;
	return 0;
}

static int
write_answers(struct npkd_store *st, struct answers *a, const char *outf)
{
	struct npkd_buf	out;
	int		ex;

	if (spoc_sign(st, a->m, a->n, &out) != EXIT_OK)
		return EXIT_ERR;
	ex = write_output(outf, &out);
	npkd_buf_free(&out);
	return ex;
}

static int
cmd_send(int argc, char *argv[])
{
	struct npkd_relay_client	 c;
	struct npkd_store		*st;
	struct npkd_pkg_member		*m = NULL;
	struct answers			 a = { NULL, 0 };
	struct npkd_err			 e;
	const char			*outf = NULL;
	char				 ca[4096], crl[4096];
	size_t				 n = 0, i;
	long				 retries = 3, backoff = 1000;
	int				 ch, resend = 0, ex = EXIT_OK, failed = 0;

	memset(&c, 0, sizeof(c));
	c.connect_ms = 10000;
	c.total_ms = 60000;
	c.max_body = NPKD_SPOC_MAX_XML;
	while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1)
		switch (ch) {
		case 'o': outf = optarg; break;
		case O_TLS_CERT: c.cert_file = optarg; break;
		case O_TLS_KEY: c.key_file = optarg; break;
		case O_RETRIES: retries = number(optarg, 0, 20); break;
		case O_BACKOFF: backoff = number(optarg, 0, 600000); break;
		case O_RESEND: resend = 1; break;
		case O_TIMEOUT: c.total_ms = number(optarg, 1, 3600) * 1000; break;
		default: usage();
		}
	if (optind != argc - 1 || outf == NULL || c.cert_file == NULL ||
	    c.key_file == NULL)
		usage();
	st = open_store(spoc_dir, 0);
	if (spoc_pkg_read(st, argv[optind], &m, &n) != EXIT_OK) {
		npkd_spoc_log_add(st, time(NULL), "out", "-", "package", "-",
		    NULL, "refused", NULL);
		npkd_store_close(st);
		return EXIT_ERR;
	}
	for (i = 0; i < n; i++) {
		struct npkd_spoc_peer	 p;
		struct npkd_spoc_msg	 msg, ans;
		struct npkd_spoc_rec	 r, old;
		struct npkd_buf		 resp = { NULL, 0 };
		long			 status = 0, try;
		int			 rc = NPKD_E_IO, op, resp_kind;
		char			 k[48], why[800];

		memset(&msg, 0, sizeof(msg));
		why[0] = '\0';
		if (spoc_kind_parse(m[i].kind, &op, &resp_kind) == -1 ||
		    resp_kind)
			snprintf(why, sizeof(why), "%s: kind %s is not a request",
			    m[i].name, m[i].kind);
		else if (npkd_spoc_decode(m[i].data.data, m[i].data.len,
		    m[i].name, &msg, &e) != NPKD_OK)
			snprintf(why, sizeof(why), "%s", e.msg);
		else if (msg.op != op || msg.response)
			snprintf(why, sizeof(why), "%s: holds another message "
			    "than the manifest says", m[i].name);
		else if (npkd_spoc_peer_get(st, m[i].peer, &p, &e) != NPKD_OK)
			snprintf(why, sizeof(why), "%s: %s", m[i].name, e.msg);
		if (why[0] != '\0') {
			/* not sent; the offline side hears why */
			warnmsg(display_name(argv[optind]), "%s", why);
			npkd_spoc_msg_free(&msg);
			ex = EXIT_ERR;
			failed++;
			if (answer_add(&a, "DeliveryFailed", m[i].peer,
			    m[i].msgid,
			    (const uint8_t *)why, strlen(why)) == -1)
				break;
			continue;
		}
		/* never twice without --resend */
		if (npkd_spoc_msg_find(st, "out", p.country, op, 0, msg.msgid,
		    &old, NULL, &e) == NPKD_OK && !resend &&
		    strcmp(old.state, "failed") != 0) {
			logline("%s %s %s: sent before (%s); --resend to send "
			    "again", p.country, npkd_spoc_op_name(op), msg.msgid,
			    old.state);
			npkd_spoc_msg_free(&msg);
			npkd_spoc_peer_clear(&p);
			continue;
		}
		if (old.id == 0 || old.msgid[0] == '\0') {
			memset(&r, 0, sizeof(r));
			snprintf(r.dir, sizeof(r.dir), "out");
			snprintf(r.peer, sizeof(r.peer), "%s", p.country);
			r.op = op;
			snprintf(r.msgid, sizeof(r.msgid), "%s", msg.msgid);
			snprintf(r.state, sizeof(r.state), "queued");
			if (npkd_spoc_msg_add(st, &r, m[i].data.data,
			    m[i].data.len, time(NULL), &e) != NPKD_OK) {
				warnmsg(NULL, "%s", e.msg);
				ex = EXIT_ERR;
				npkd_spoc_msg_free(&msg);
				npkd_spoc_peer_clear(&p);
				continue;
			}
		} else
			r = old;
		spoc_kind(op, 0, k, sizeof(k));
		why[0] = '\0';
		if (peer_files(&p, ca, crl, sizeof(ca)) == -1) {
			ex = EXIT_ERR;
			npkd_spoc_msg_free(&msg);
			npkd_spoc_peer_clear(&p);
			break;
		}
		c.ca_file = ca;
		c.crl_file = crl;
		for (try = 0; try <= retries; try++) {
			if (try > 0) {
				long ms = backoff << (try - 1);

				logline("%s %s: retry %ld in %ld ms", p.country,
				    msg.msgid, try, ms);
				usleep((useconds_t)(ms * 1000));
			}
			npkd_buf_free(&resp);
			rc = npkd_relay_post(&c, &p, npkd_spoc_op_name(op),
			    m[i].data.data, m[i].data.len, &status, &resp, &e);
			npkd_spoc_msg_update(st, r.id, "sending", NULL, 1,
			    time(NULL), NULL);
			if (rc == NPKD_E_VERIFY || rc == NPKD_E_LIMIT ||
			    rc == NPKD_E_USAGE)
				break;		/* trying again will not help */
			/* an answer, even a SOAP fault, is final; a gateway
			 * or an unavailable server is worth another try */
			if (rc == NPKD_OK && status != 502 && status != 503 &&
			    status != 504)
				break;
		}
		if (rc != NPKD_OK || npkd_spoc_delivered(op, status, resp.data,
		    resp.len, p.url, &ans, &e) != NPKD_OK)
			snprintf(why, sizeof(why), "%s", e.msg);
		else {
			uint8_t sha[32];

			npkd_hash(NPKD_HASH_SHA256, resp.data, resp.len, sha,
			    NULL);
			spoc_kind(op, 1, k, sizeof(k));
			npkd_spoc_msg_update(st, r.id, "sent", ans.result, 0,
			    time(NULL), NULL);
			spoc_log(st, "out", p.country, op, 0, msg.msgid,
			    r.sha256, "sent");
			spoc_log(st, "in", p.country, op, 1, msg.msgid, sha,
			    ans.result);
			logline("%s %s %s: %s", p.country, npkd_spoc_op_name(op),
			    msg.msgid, ans.result);
			if (answer_add(&a, k, p.country, msg.msgid, resp.data,
			    resp.len) == -1)
				ex = EXIT_ERR;
			npkd_spoc_msg_free(&ans);
		}
		if (why[0] != '\0') {
			failed++;
			warnmsg(NULL, "%s %s %s: not delivered: %s", p.country,
			    npkd_spoc_op_name(op), msg.msgid, why);
			npkd_spoc_msg_update(st, r.id, "failed", "delivery_failed",
			    0, time(NULL), NULL);
			spoc_log(st, "out", p.country, op, 0, msg.msgid, r.sha256,
			    "delivery failed");
			if (answer_add(&a, "DeliveryFailed", p.country,
			    msg.msgid, (const uint8_t *)why, strlen(why)) == -1)
				ex = EXIT_ERR;
		}
		unlink(ca);
		unlink(crl);
		npkd_buf_free(&resp);
		npkd_spoc_msg_free(&msg);
		npkd_spoc_peer_clear(&p);
	}
	if (write_answers(st, &a, outf) != EXIT_OK)
		ex = EXIT_ERR;
	else if (verbose >= 0 && ex == EXIT_OK)
		fprintf(stderr, "%s: %zu answer%s, %d not delivered\n",
		    display_name(outf), a.n, a.n == 1 ? "" : "s", failed);
	npkd_pkg_free(a.m, a.n);
	npkd_pkg_free(m, n);
	npkd_store_close(st);
	return ex != EXIT_OK ? ex : failed ? EXIT_NO : EXIT_OK;
}

/* --- serve ---------------------------------------------------------- */

struct srv {
	struct npkd_store	*st;
	char			 self[3];
};

/* Who is it?  Only the TLS client certificate can say (401 otherwise). */
static int
auth(void *arg, const struct npkd_relay_req *rq, char *who, size_t wlen,
    char *why, size_t ylen)
{
	struct srv		*s = arg;
	struct npkd_spoc_peer	 p;
	struct npkd_err		 e;

	if (npkd_spoc_server_auth(s->st, rq->chain, rq->nchain, time(NULL), &p,
	    &e) != NPKD_OK) {
		snprintf(why, ylen, "%s", e.msg);
		return -1;
	}
	snprintf(who, wlen, "%s", p.country);
	npkd_spoc_peer_clear(&p);
	return 0;
}

/* A host and path fit to name the service in its WSDL, or NULL. */
static int
location(const struct npkd_relay_req *rq, char *buf, size_t n)
{
	const char *c;

	if (rq->host == NULL || rq->path == NULL || rq->path[0] != '/')
		return -1;
	for (c = rq->host; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || strchr(".-:[]", *c) != NULL))
			return -1;
	for (c = rq->path; *c != '\0'; c++)
		if ((unsigned char)*c <= 0x20 || (unsigned char)*c >= 0x7f)
			return -1;
	return snprintf(buf, n, "https://%s%s", rq->host, rq->path) >=
	    (int)n ? -1 : 0;
}

static int
handle(void *arg, const struct npkd_relay_req *rq, int *code,
    struct npkd_buf *out, const char **type)
{
	struct srv		*s = arg;
	struct npkd_spoc_peer	 p;
	struct npkd_spoc_served	 o;
	struct npkd_err		 e;
	char			 loc[600];

	*code = 500;
	if (npkd_spoc_peer_get(s->st, rq->who, &p, &e) != NPKD_OK) {
		/* removed between the headers and now */
		logline("%s: refused (401): %s", rq->client, e.msg);
		*code = 401;
		return 0;
	}
	if (strcmp(rq->method, "GET") == 0) {
		/* the service URL is the WSDL's (ICAO 9303-12 section 8) */
		if (npkd_spoc_wsdl(p.dialect, location(rq, loc, sizeof(loc)) ==
		    0 ? loc : NULL, out, &e) == NPKD_OK) {
			*code = 200;
			*type = "text/xml; charset=utf-8";
			logline("%s %s: WSDL (%s)", rq->client, p.country,
			    npkd_spoc_dialect_name(p.dialect));
		}
		npkd_spoc_peer_clear(&p);
		return 0;
	}
	if (npkd_spoc_serve(s->st, &p, rq->body, rq->len, rq->soapaction,
	    time(NULL), &o, &e) != NPKD_OK)
		logline("%s: %s", rq->client, e.msg);
	logline("%s: %s", rq->client, o.log);
	*code = o.status;
	*out = o.body;
	o.body.data = NULL;
	o.body.len = 0;
	npkd_spoc_served_free(&o);
	npkd_spoc_peer_clear(&p);
	return 0;
}

static void
server_log(void *arg, const char *line)
{
	(void)arg;
	logline("%s", line);
}

struct trust {
	char	*pem;
	size_t	 len;
};

static int
trust_add(void *arg, const struct npkd_spoc_peer *p)
{
	struct trust	*t = arg;
	size_t		 n = strlen(p->ca);
	char		*s;

	if ((s = realloc(t->pem, t->len + n + 2)) == NULL)
		return -1;
	t->pem = s;
	memcpy(t->pem + t->len, p->ca, n);
	t->len += n;
	t->pem[t->len++] = '\n';
	t->pem[t->len] = '\0';
	return 0;
}

static int
cmd_serve(int argc, char *argv[])
{
	struct npkd_relay_server_opts	 o;
	struct npkd_relay_server	*rs = NULL;
	struct srv			 s;
	struct trust			 t = { NULL, 0 };
	struct npkd_err			 e;
	const char			*certf = NULL, *keyf = NULL,
					*portf = NULL;
	char				*cert = NULL, *key = NULL, port[16];
	sigset_t			 set;
	int				 ch, sig, ex = EXIT_ERR;
	struct npkd_buf			 pb;

	memset(&o, 0, sizeof(o));
	o.max_conn = 512;
	o.max_conn_per_addr = 8;
	o.handshake_s = 10;
	o.request_s = 60;
	o.idle_s = 15;
	o.max_body = NPKD_SPOC_MAX_XML;
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1)
		switch (ch) {
		case O_LISTEN: o.listen = optarg; break;
		case O_TLS_CERT: certf = optarg; break;
		case O_TLS_KEY: keyf = optarg; break;
		case O_MAX_BODY:
			o.max_body = (size_t)number(optarg, 1024,
			    (long)NPKD_SPOC_MAX_XML);
			break;
		case O_MAX_CONN:
			o.max_conn = (unsigned int)number(optarg, 2, 10000);
			break;
		case O_MAX_CONN_ADDR:
			o.max_conn_per_addr = (unsigned int)number(optarg, 1,
			    9999);
			break;
		case O_HANDSHAKE:
			o.handshake_s = (unsigned int)number(optarg, 1, 600);
			break;
		case O_REQUEST:
			o.request_s = (unsigned int)number(optarg, 1, 3600);
			break;
		case O_TIMEOUT:
			o.idle_s = (unsigned int)number(optarg, 1, 3600);
			break;
		case O_PORT_FILE: portf = optarg; break;
		default: usage();
		}
	if (optind != argc || o.listen == NULL || certf == NULL || keyf == NULL)
		usage();
	if (o.max_conn_per_addr >= o.max_conn) {
		warnmsg(NULL, "--max-conn-per-addr %u: must be below --max-conn "
		    "%u", o.max_conn_per_addr, o.max_conn);
		return EXIT_ERR;
	}
	memset(&s, 0, sizeof(s));
	s.st = open_store(spoc_dir, 0);
	spoc_country(s.st, s.self);
	if ((cert = spoc_read_text(certf, 1 << 20)) == NULL ||
	    (key = spoc_read_text(keyf, 1 << 20)) == NULL)
		goto out;
	if (npkd_spoc_peer_list(s.st, trust_add, &t, &e) != NPKD_OK ||
	    t.pem == NULL) {
		warnmsg(NULL, "%s", t.pem == NULL ? "no SPOC registered (spoc "
		    "peer add)" : e.msg);
		goto out;
	}
	/* SIGTERM and SIGINT are taken by sigwait below, in this thread */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	o.cert_pem = cert;
	o.key_pem = key;
	o.trust_pem = t.pem;
	o.auth = auth;
	o.handler = handle;
	o.arg = &s;
	o.log = server_log;
	if (npkd_relay_serve(&o, &rs, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		goto out;
	}
	logline("listening on %s (port %u) as %s", o.listen,
	    npkd_relay_port(rs), s.self);
	if (portf != NULL) {
		snprintf(port, sizeof(port), "%u\n", npkd_relay_port(rs));
		pb.data = (uint8_t *)port;
		pb.len = strlen(port);
		if (write_output(portf, &pb) != EXIT_OK)
			goto out;
	}
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			struct trust		 nt = { NULL, 0 };
			struct npkd_store	*st2;
			int			 r;

			/*
			 * The peers' CAs again, for the client certificate
			 * request (peers, CRLs and URLs are read per request).
			 * Our own connection: the server thread uses s.st.
			 */
			st2 = open_store(spoc_dir, 0);
			r = npkd_spoc_peer_list(st2, trust_add, &nt, &e);
			npkd_store_close(st2);
			if (r != NPKD_OK || nt.pem == NULL) {
				logline("SIGHUP: not reloaded: %s", nt.pem ==
				    NULL ? "no SPOC registered" : e.msg);
				free(nt.pem);
				continue;
			}
			if (npkd_relay_reload(rs, nt.pem, &e) != NPKD_OK) {
				logline("SIGHUP: %s", e.msg);
				free(nt.pem);
				if (e.code == NPKD_E_IO)
					goto out;	/* no daemon left */
				continue;
			}
			free(t.pem);
			t = nt;
			logline("SIGHUP: peers reloaded, still on port %u",
			    npkd_relay_port(rs));
			continue;
		}
		break;
	}
	logline("signal %d: stopping", sig);
	ex = EXIT_OK;
out:
	npkd_relay_stop(rs);	/* waits for requests in progress */
	if (key != NULL)
		memset(key, 0, strlen(key));
	free(key);
	free(cert);
	free(t.pem);
	npkd_store_close(s.st);
	return ex;
}

/* --- collect -------------------------------------------------------- */

static int
cmd_collect(int argc, char *argv[])
{
	struct npkd_store	*st;
	const char		*outf = NULL;
	int			 ch, ex;

	while ((ch = getopt(argc, argv, "o:")) != -1)
		switch (ch) {
		case 'o': outf = optarg; break;
		default: usage();
		}
	if (optind != argc || outf == NULL)
		usage();
	st = open_store(spoc_dir, 0);
	ex = spoc_pack(st, "in", "received", "collected", outf);
	npkd_store_close(st);
	return ex;
}

int
main(int argc, char *argv[])
{
	const char	*cmd;
	int		 i;

	i = spoc_global_opts("spoc-relay", argc, argv, usage);
	argc -= i;
	argv += i;
	if (spoc_dir == NULL)
		usage();
	cmd = argv[0];
	optind = 0;	/* 0: getopt starts afresh, in GNU order */
	if (strcmp(cmd, "send") == 0)
		return cmd_send(argc, argv);
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(argc, argv);
	if (strcmp(cmd, "collect") == 0)
		return cmd_collect(argc, argv);
	usage();
}
