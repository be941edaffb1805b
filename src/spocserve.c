/*
 * spocserve.c - what the relay answers a registered SPOC (ICAO Doc
 * 9303-12 section 8; CSN 36 9791), decided here so that unit tests and a
 * fuzzer reach it without a network.  The relay has authenticated the
 * peer by its TLS client certificate (npkd_spoc_server_auth) before a
 * byte of the body is read; then, in this order: the streaming pass with
 * its budgets, callerID against the certificate's country (401), the
 * schema, the operation's own rules, durable filing, the answer.
 *
 * Faults only where section 8 leaves no normal response: VersionMismatch
 * (not a SOAP 1.1 Envelope), MustUnderstand (a header addressed to us
 * that we must understand), and Client when not even the operation can
 * be told.  An authenticated request that is otherwise invalid gets a
 * normal response with failure_syntax, or its dialect's nearest code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spoc_int.h"

/* Compiled-in WSDLs with their schema inlined (the Makefile). */
extern const char	npkd_wsdl_csn[], npkd_wsdl_icao[];
extern const size_t	npkd_wsdl_csn_len, npkd_wsdl_icao_len;

#define WSDL_LOCATION	"https://spoc.example/SPOC"

/* A messageID for one-line logs: %XX for bytes outside 0x21-0x7e and
 * '%', "-" when empty, cut with "..." to fit n bytes. */
void
npkd_spoc_msgid_print(const char *id, char *out, size_t n)
{
	size_t i, k = 0;

	if (n < 8) {
		if (n > 0)
			out[0] = '\0';
		return;
	}
	if (id[0] == '\0')
		id = "-";
	for (i = 0; id[i] != '\0'; i++) {
		unsigned char c = (unsigned char)id[i];
		int esc = c < 0x21 || c > 0x7e || c == '%';

		if (k + (esc ? 3 : 1) > n - 4) {
			memcpy(out + k, "...", 3);
			k += 3;
			break;
		}
		if (esc)
			k += (size_t)snprintf(out + k, n - k, "%%%02X", c);
		else
			out[k++] = (char)c;
	}
	out[k] = '\0';
}

void
npkd_spoc_served_free(struct npkd_spoc_served *o)
{
	if (o == NULL)
		return;
	npkd_buf_free(&o->body);
	memset(o, 0, sizeof(*o));
}

static const char fault_fmt[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<soapenv:Envelope xmlns:soapenv=\"" SPOC_NS_SOAP11 "\"><soapenv:Body>"
    "<soapenv:Fault><faultcode>soapenv:%s</faultcode><faultstring>%s"
    "</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>\n";

/* A SOAP 1.1 fault (HTTP 500); why is one of our constant strings. */
static int
fault(struct npkd_spoc_served *o, const char *code, const char *why)
{
	char	buf[1024];
	int	n;

	npkd_buf_free(&o->body);
	n = snprintf(buf, sizeof(buf), fault_fmt, code, why);
	o->status = 500;
	o->op = 0;
	snprintf(o->result, sizeof(o->result), "%s", code);
	if ((o->body.data = malloc((size_t)n)) == NULL)
		return NPKD_E_NOMEM;
	memcpy(o->body.data, buf, (size_t)n);
	o->body.len = (size_t)n;
	return NPKD_OK;
}

/* A normal response of op in dialect d with result and certificates. */
static int
respond(struct npkd_spoc_served *o, int d, int op, const char *result,
    const struct npkd_buf *certs, size_t ncerts, struct npkd_err *e)
{
	struct npkd_spoc_msg	a;
	int			rc;

	memset(&a, 0, sizeof(a));
	a.op = op;
	a.response = 1;
	a.dialect = d;
	snprintf(a.result, sizeof(a.result), "%s", result);
	a.certs = (struct npkd_buf *)(uintptr_t)certs;
	a.ncerts = ncerts;
	npkd_buf_free(&o->body);
	if ((rc = npkd_spoc_encode(&a, &o->body, e)) != NPKD_OK) {
		fault(o, "Server", "internal error");
		return rc;
	}
	o->status = 200;
	o->op = op;
	snprintf(o->result, sizeof(o->result), "%s", result);
	return NPKD_OK;
}

/* The code of op in dialect d for "this request is not valid". */
static const char *
syntax_code(int d, int op)
{
	if (npkd_spoc_code_valid(d, op, 1, "failure_syntax"))
		return "failure_syntax";
	/* CSN 36 9791 has no failure_syntax for these two */
	return op == NPKD_SPOC_GET_CA ? "failure_request_not_accepted" :
	    "failure_internal_error";
}

/* A code of op and dialect for "we will not take this one". */
static const char *
refusal(int d, int op)
{
	switch (op) {
	case NPKD_SPOC_REQUEST_CERT:
		return "failure_request_not_accepted";
	case NPKD_SPOC_SEND_CERTS:
		return "failure_messageID_unknown";
	case NPKD_SPOC_GET_CA:
		return syntax_code(d, op);
	default:
		return "failure_internal_error";
	}
}

static void
audit(struct npkd_store *st, time_t now, const char *peer, int op, int resp,
    const char *msgid, const uint8_t *sha, const char *outcome)
{
	char kind[48];

	snprintf(kind, sizeof(kind), "%s%s", op ? npkd_spoc_op_name(op) : "-",
	    op ? (resp ? "Response" : "Request") : "");
	npkd_spoc_log_add(st, now, "in", peer, kind, msgid[0] ? msgid : "-",
	    sha, outcome, NULL);
}

/* The operation a SOAPAction header names ("Op" or "\"Op\""), or 0. */
static int
action_op(const char *a)
{
	size_t	n;
	int	op;

	if (a == NULL)
		return 0;
	n = strlen(a);
	if (n >= 2 && a[0] == '"' && a[n - 1] == '"') {
		a++;
		n -= 2;
	}
	for (op = NPKD_SPOC_REQUEST_CERT; op <= NPKD_SPOC_GENERAL; op++)
		if (n == strlen(npkd_spoc_op_name(op)) &&
		    memcmp(a, npkd_spoc_op_name(op), n) == 0)
			return op;
	return 0;
}

/* Our CVCA certificates (cvc register -o own), by effective date. */
struct cvcas {
	struct npkd_buf	 c[NPKD_SPOC_MAX_CERTS];
	time_t		 eff[NPKD_SPOC_MAX_CERTS];
	size_t		 n;
	int		 over;
};

static int
cvca_one(void *arg, const uint8_t *der, size_t len, const char *origin)
{
	struct cvcas	*v = arg;
	struct npkd_cvc	*c;
	size_t		 i;

	(void)origin;
	if (npkd_cvc_parse(der, len, 0, &c, NULL) != NPKD_OK)
		return 0;
	if (npkd_cvc_role(c) != NPKD_CVC_CVCA) {
		npkd_cvc_free(c);
		return 0;
	}
	if (v->n == NPKD_SPOC_MAX_CERTS) {
		v->over = 1;
		npkd_cvc_free(c);
		return 0;
	}
	for (i = v->n; i > 0 && v->eff[i - 1] > npkd_cvc_effective(c); i--) {
		v->c[i] = v->c[i - 1];
		v->eff[i] = v->eff[i - 1];
	}
	v->eff[i] = npkd_cvc_effective(c);
	v->c[i].len = len;
	if ((v->c[i].data = malloc(len)) != NULL)
		memcpy(v->c[i].data, der, len);
	v->n++;
	npkd_cvc_free(c);
	return v->c[i].data == NULL ? NPKD_E_NOMEM : 0;
}

static void
cvcas_free(struct cvcas *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		npkd_buf_free(&v->c[i]);
	v->n = 0;
}

/*
 * A valid request m from peer p: file it (or recognise it), and answer.
 */
static int
dispatch(struct npkd_store *st, const struct npkd_spoc_peer *p,
    const struct npkd_spoc_msg *m, const uint8_t *xml, size_t len,
    const uint8_t sha[32], time_t now, struct npkd_spoc_served *o,
    struct npkd_err *e)
{
	struct npkd_spoc_rec	 r, old;
	struct cvcas		 v;
	const char		*ok;
	char			 id[80];
	int			 push, rc;

	memset(&v, 0, sizeof(v));
	npkd_spoc_msgid_print(m->msgid, id, sizeof(id));
	push = m->op == NPKD_SPOC_SEND_CERTS &&
	    strcmp(m->result, "new_cert_available_notification") == 0;
	ok = m->op == NPKD_SPOC_SEND_CERTS ? "ok_received_correctly" :
	    m->op == NPKD_SPOC_GENERAL ? "ok" : "ok_reception_ack";
	/* an answer must answer something we asked that peer */
	if (m->op == NPKD_SPOC_SEND_CERTS && !push &&
	    (m->msgid[0] == '\0' || (npkd_spoc_msg_find(st, "out", p->country,
	    NPKD_SPOC_REQUEST_CERT, 0, m->msgid, &old, NULL, NULL) != NPKD_OK &&
	    npkd_spoc_msg_find(st, "out", p->country, NPKD_SPOC_GET_CA, 0,
	    m->msgid, &old, NULL, NULL) != NPKD_OK))) {
		snprintf(o->log, sizeof(o->log), "%s SendCertificates %s: an "
		    "answer to no request of ours", p->country, id);
		audit(st, now, p->country, m->op, 0, m->msgid, sha,
		    "refused: messageID unknown");
		return respond(o, m->dialect, m->op,
		    "failure_messageID_unknown", NULL, 0, e);
	}
	/* filed durably before the answer goes out */
	memset(&r, 0, sizeof(r));
	snprintf(r.dir, sizeof(r.dir), "in");
	snprintf(r.peer, sizeof(r.peer), "%s", p->country);
	r.op = m->op;
	/* a push's messageID, if any, is ignored (9303-12 section 8) */
	snprintf(r.msgid, sizeof(r.msgid), "%s", push ? "" : m->msgid);
	snprintf(r.state, sizeof(r.state), "received");
	snprintf(r.result, sizeof(r.result), "%s", m->result);
	spoc_content_hash(m, push, r.content);
	r.has_content = 1;
	rc = npkd_spoc_msg_add(st, &r, xml, len, now, e);
	if (rc == NPKD_E_VERIFY) {
		/* the same message again (a lost answer): the same answer,
		 * not filed twice; another one under a used messageID: no */
		if (npkd_spoc_msg_find_content(st, "in", p->country, m->op, 0,
		    r.content, &old, NULL) == NPKD_OK) {
			snprintf(o->log, sizeof(o->log), "%s %s %s: repeated, "
			    "not filed again", p->country,
			    npkd_spoc_op_name(m->op), push ? "(push)" : id);
			audit(st, now, p->country, m->op, 0, r.msgid, sha,
			    "repeated: not filed again");
			if (m->op == NPKD_SPOC_GET_CA && strcmp(old.state,
			    "answered") == 0 && npkd_store_cv_list(st, "own", -1,
			    0, cvca_one, &v, NULL) == NPKD_OK && v.n > 0 &&
			    !v.over) {
				rc = respond(o, m->dialect, m->op,
				    "ok_cert_available", v.c, v.n, e);
				cvcas_free(&v);
				return rc;
			}
			cvcas_free(&v);
			return respond(o, m->dialect, m->op, ok, NULL, 0, e);
		}
		snprintf(o->log, sizeof(o->log), "%s %s %s: refused: messageID "
		    "used before for another message", p->country,
		    npkd_spoc_op_name(m->op), id);
		audit(st, now, p->country, m->op, 0, m->msgid, sha,
		    "refused: messageID replayed");
		return respond(o, m->dialect, m->op, refusal(m->dialect, m->op),
		    NULL, 0, e);
	}
	if (rc != NPKD_OK) {
		snprintf(o->log, sizeof(o->log), "%s %s %s: cannot file: %s",
		    p->country, npkd_spoc_op_name(m->op), id, e ? e->msg : "?");
		fault(o, "Server", "cannot file the message");
		return rc;
	}
	audit(st, now, p->country, m->op, 0, r.msgid, sha, "received");
	snprintf(o->log, sizeof(o->log), "%s %s %s: received", p->country,
	    npkd_spoc_op_name(m->op), push ? "(push)" : id);
	/*
	 * GetCACertificates is answered at once when the relay holds our
	 * CVCA certificates (public, carried over in a package and
	 * registered with cvc register -o own); the request is then
	 * answered, not collected.
	 */
	if (m->op == NPKD_SPOC_GET_CA) {
		if (npkd_store_cv_list(st, "own", -1, 0, cvca_one, &v, NULL) ==
		    NPKD_OK && v.n > 0 && !v.over &&
		    npkd_spoc_msg_update(st, r.id, "answered",
		    "ok_cert_available", 0, now, NULL) == NPKD_OK) {
			npkd_spoc_log_add(st, now, "out", p->country,
			    "GetCACertificatesResponse", m->msgid, NULL,
			    "ok_cert_available", NULL);
			rc = respond(o, m->dialect, m->op, "ok_cert_available",
			    v.c, v.n, e);
			cvcas_free(&v);
			return rc;
		}
		cvcas_free(&v);
	}
	return respond(o, m->dialect, m->op, ok, NULL, 0, e);
}

int
npkd_spoc_serve(struct npkd_store *st, const struct npkd_spoc_peer *p,
    const uint8_t *body, size_t len, const char *soapaction, time_t now,
    struct npkd_spoc_served *o, struct npkd_err *e)
{
	struct npkd_spoc_msg	 m;
	struct spoc_scan	 sc;
	struct npkd_buf		 u8 = { NULL, 0 };
	struct npkd_err		 why;
	const uint8_t		*x = body;
	size_t			 xl = len;
	uint8_t			 sha[32];
	int			 rc, bad, op = 0, resp = 0, d = p->dialect, k;

	memset(o, 0, sizeof(*o));
	memset(&m, 0, sizeof(m));
	memset(&sc, 0, sizeof(sc));
	memset(&why, 0, sizeof(why));
	npkd_hash(NPKD_HASH_SHA256, body, len, sha, NULL);
	/* the streaming pass: budgets, and the facts needed before trust */
	if (len > NPKD_SPOC_MAX_XML)
		rc = npkd_seterr(&why, NPKD_E_LIMIT, "larger than %lu bytes",
		    (unsigned long)NPKD_SPOC_MAX_XML);
	else if ((k = spoc_utf16(body, len, &u8, &why)) < 0)
		rc = why.code;
	else {
		if (k) {
			x = u8.data;
			xl = u8.len;
		}
		rc = spoc_scan(x, xl, "request", k, &sc, &why);
	}
	if (rc == NPKD_OK || sc.body_name != NULL) {
		if (rc == NPKD_OK && sc.env == SPOC_ENV_OTHER) {
			npkd_buf_free(&u8);
			snprintf(o->log, sizeof(o->log), "%s: fault "
			    "VersionMismatch: not a SOAP 1.1 Envelope",
			    p->country);
			audit(st, now, p->country, 0, 0, "", sha,
			    "refused: VersionMismatch");
			return fault(o, "VersionMismatch", "SPOC speaks SOAP "
			    "1.1 only");
		}
		if (sc.body_name != NULL) {
			op = spoc_op_by_name(sc.body_name, sc.body_name_len,
			    &resp);
			if ((k = spoc_dialect_by_ns(sc.body_ns,
			    sc.body_ns_len)) >= 0)
				d = k;
			else
				op = 0;
		}
		/* who says he is calling: the certificate said who it is */
		if (rc == NPKD_OK && sc.has_caller &&
		    strcmp(sc.caller, p->country) != 0) {
			npkd_buf_free(&u8);
			o->status = 401;
			snprintf(o->log, sizeof(o->log), "%s: refused (401): "
			    "callerID is not the client certificate's country",
			    p->country);
			return NPKD_OK;
		}
	}
	npkd_buf_free(&u8);
	if (op == 0)
		op = action_op(soapaction);
	if (rc == NPKD_OK) {
		rc = spoc_decode(body, len, "request", &m, &bad, &why);
		if (rc != NPKD_OK && bad != SPOC_BAD_SYNTAX) {
			snprintf(o->log, sizeof(o->log), "%s: fault %s: %s",
			    p->country, bad == SPOC_BAD_VERSION ?
			    "VersionMismatch" : "MustUnderstand", why.msg);
			audit(st, now, p->country, op, resp, "", sha, bad ==
			    SPOC_BAD_VERSION ? "refused: VersionMismatch" :
			    "refused: MustUnderstand");
			return bad == SPOC_BAD_VERSION ? fault(o,
			    "VersionMismatch", "SPOC speaks SOAP 1.1 only") :
			    fault(o, "MustUnderstand", "SPOC understands no "
			    "SOAP header");
		}
	}
	if (rc == NPKD_OK) {
		op = m.op;
		d = m.dialect;
		if (m.response)
			rc = npkd_seterr(&why, NPKD_E_FORMAT, "a response where "
			    "a request belongs");
		else if (strcmp(m.caller, p->country) != 0) {
			npkd_spoc_msg_free(&m);
			o->status = 401;
			snprintf(o->log, sizeof(o->log), "%s: refused (401): "
			    "callerID is not the client certificate's country",
			    p->country);
			return NPKD_OK;
		} else if (soapaction != NULL && soapaction[0] != '\0' &&
		    strcmp(soapaction, "\"\"") != 0 &&
		    action_op(soapaction) != m.op)
			rc = npkd_seterr(&why, NPKD_E_FORMAT, "the SOAPAction "
			    "names another operation");
	}
	if (rc != NPKD_OK) {
		npkd_spoc_msg_free(&m);
		if (op == 0) {
			snprintf(o->log, sizeof(o->log), "%s: fault Client: "
			    "no operation to answer: %s", p->country, why.msg);
			audit(st, now, p->country, 0, 0, "", sha,
			    "refused: no operation");
			return fault(o, "Client", "not a SPOC request");
		}
		snprintf(o->log, sizeof(o->log), "%s %s: %s: %s", p->country,
		    npkd_spoc_op_name(op), syntax_code(d, op), why.msg);
		audit(st, now, p->country, op, 0, "", sha, "refused: invalid");
		return respond(o, d, op, syntax_code(d, op), NULL, 0, e);
	}
	rc = dispatch(st, p, &m, body, len, sha, now, o, e);
	npkd_spoc_msg_free(&m);
	return rc;
}

/* Text fit for an XML attribute value: escape what must be. */
static int
attr_put(struct npkd_dbuf *d, const char *s)
{
	int rc = NPKD_OK;

	for (; *s != '\0' && rc == NPKD_OK; s++)
		switch (*s) {
		case '&': rc = npkd_dbuf_add(d, "&amp;", 5); break;
		case '<': rc = npkd_dbuf_add(d, "&lt;", 4); break;
		case '"': rc = npkd_dbuf_add(d, "&quot;", 6); break;
		default:
			if ((unsigned char)*s < 0x20)
				rc = npkd_dbuf_printf(d, "&#%d;", *s);
			else
				rc = npkd_dbuf_add(d, s, 1);
		}
	return rc;
}

/*
 * The WSDL of dialect d with its schema inlined, the service at location
 * (https://...; NULL keeps the placeholder).
 */
int
npkd_spoc_wsdl(int d, const char *location, struct npkd_buf *out,
    struct npkd_err *e)
{
	struct npkd_dbuf	 b;
	const char		*w = d == NPKD_SPOC_ICAO ? npkd_wsdl_icao :
				    npkd_wsdl_csn, *at;
	size_t			 n = d == NPKD_SPOC_ICAO ? npkd_wsdl_icao_len :
				    npkd_wsdl_csn_len, pre;
	int			 rc;

	memset(out, 0, sizeof(*out));
	if (d != NPKD_SPOC_ICAO && d != NPKD_SPOC_CSN)
		return npkd_seterr(e, NPKD_E_USAGE, "WSDL: no such dialect");
	at = memmem(w, n, WSDL_LOCATION, strlen(WSDL_LOCATION));
	if (at == NULL || location == NULL || strlen(location) > 1024 ||
	    strncmp(location, "https://", 8) != 0)
		location = WSDL_LOCATION;
	if (at == NULL)
		at = w + n;
	pre = (size_t)(at - w);
	npkd_dbuf_init(&b, n + 8192);
	if ((rc = npkd_dbuf_add(&b, w, pre)) != NPKD_OK ||
	    (at < w + n && ((rc = attr_put(&b, location)) != NPKD_OK ||
	    (rc = npkd_dbuf_add(&b, at + strlen(WSDL_LOCATION),
	    n - pre - strlen(WSDL_LOCATION))) != NPKD_OK))) {
		npkd_dbuf_free(&b);
		return npkd_seterr(e, NPKD_E_NOMEM, "WSDL");
	}
	out->data = b.data;
	out->len = b.len;
	return NPKD_OK;
}
