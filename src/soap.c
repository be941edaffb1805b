/*
 * soap.c - SPOC messages (design.md section 5): SOAP 1.1 document/literal
 * in two dialects, CSN 36 9791 and ICAO Doc 9303-12 section 8, the same
 * elements under different namespaces and result codes.
 *
 * Reading is strict: a size limit, then a streaming pass with budgets
 * of nodes, depth and attributes before libxml2 builds anything
 * (spocscan.c), no network, a document type declaration stops the parser
 * at once (so no entity is ever declared, let alone expanded), one
 * Envelope with at most a Header and one Body holding one SPOC element,
 * which is validated against the dialect's schema (schemas/spoc-*.xsd,
 * compiled in) before any field is read.  A messageID is the
 * originator's choice: any text up to NPKD_SPOC_MSGID_MAX bytes.  Known spelling variants of result codes are mapped to the
 * dialect's spelling first.  Writing builds the tree with libxml2 and
 * validates the body against the same schema before it is handed out.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlsave.h>

#include "spoc_int.h"

#define NS_SOAP		SPOC_NS_SOAP11
#define NS_CSN		SPOC_NS_CSN
#define NS_ICAO		SPOC_NS_ICAO
#define NS_ACTOR_NEXT	"http://schemas.xmlsoap.org/soap/actor/next"
#define SOAP_MAX_DEPTH	SPOC_MAX_DEPTH
#define SOAP_MAX_NODES	SPOC_MAX_NODES

/* Compiled-in schemas (generated from schemas/ by the Makefile). */
extern const char	npkd_xsd_csn[], npkd_xsd_icao[];
extern const size_t	npkd_xsd_csn_len, npkd_xsd_icao_len;

static const char *dialect_ns[] = { NS_CSN, NS_ICAO };
static const char *dialect_names[] = { "csn369791", "icao" };
static const char *op_names[] = { NULL, "RequestCertificate",
    "SendCertificates", "GetCACertificates", "GeneralMessage" };

/*
 * Result codes by dialect, operation and direction, in the canonical
 * (ICAO) spelling; the CSN writes new_cer_available_notification.
 */
static const char *const csn_rc[] = { "ok_cert_available",
    "ok_reception_ack", "failure_inner_signature", "failure_outer_signature",
    "failure_syntax", "failure_request_not_accepted",
    "failure_internal_error", NULL };
static const char *const csn_sc_status[] = {
    "new_cert_available_notification", "ok_cert_available",
    "failure_inner_signature", "failure_outer_signature", "failure_syntax",
    "failure_request_not_accepted", "failure_internal_error", NULL };
static const char *const both_sc_result[] = { "ok_received_correctly",
    "failure_syntax", "failure_messageID_unknown", "failure_internal_error",
    NULL };
static const char *const csn_gca[] = { "ok_cert_available",
    "ok_reception_ack", "failure_request_not_accepted",
    "failure_internal_error", NULL };
static const char *const csn_gm[] = { "ok", "failure_internal_error", NULL };
static const char *const icao_rc[] = { "ok_cert_available",
    "ok_reception_ack", "failure_inner_signature", "failure_outer_signature",
    "failure_syntax", "failure_request_not_accepted",
    "failure_request_syntax", "failure_expired",
    "failure_domain_parameters", "failure_internal_error", NULL };
static const char *const icao_sc_status[] = {
    "new_cert_available_notification", "ok_cert_available",
    "failure_inner_signature", "failure_outer_signature", "failure_syntax",
    "failure_request_not_accepted", "failure_certificate",
    "failure_internal_error", NULL };
static const char *const icao_gca[] = { "ok_cert_available",
    "ok_reception_ack", "failure_syntax", "failure_internal_error", NULL };
static const char *const icao_gm[] = { "ok", "failure_syntax",
    "failure_internal_error", NULL };

/* Spelling variants seen on input, and what they mean. */
static const struct { const char *variant, *canonical; } variants[] = {
	{ "new_cer_available_notification", "new_cert_available_notification" },
	{ "failure_domain_parameter", "failure_domain_parameters" },
};

const char *
npkd_spoc_dialect_name(int d)
{
	return d == NPKD_SPOC_CSN || d == NPKD_SPOC_ICAO ? dialect_names[d] :
	    "?";
}

int
npkd_spoc_dialect_parse(const char *s)
{
	if (strcmp(s, "csn369791") == 0 || strcmp(s, "csn") == 0)
		return NPKD_SPOC_CSN;
	if (strcmp(s, "icao") == 0)
		return NPKD_SPOC_ICAO;
	return -1;
}

const char *
npkd_spoc_op_name(int op)
{
	return op >= NPKD_SPOC_REQUEST_CERT && op <= NPKD_SPOC_GENERAL ?
	    op_names[op] : "?";
}

/* The codes that may appear in the result (or statusInfo) of a message. */
const char *const *
npkd_spoc_codes(int dialect, int op, int response)
{
	int icao = dialect == NPKD_SPOC_ICAO;

	switch (op) {
	case NPKD_SPOC_REQUEST_CERT:
		return response ? (icao ? icao_rc : csn_rc) : NULL;
	case NPKD_SPOC_SEND_CERTS:
		return response ? both_sc_result : icao ? icao_sc_status :
		    csn_sc_status;
	case NPKD_SPOC_GET_CA:
		return response ? (icao ? icao_gca : csn_gca) : NULL;
	case NPKD_SPOC_GENERAL:
		return response ? (icao ? icao_gm : csn_gm) : NULL;
	}
	return NULL;
}

int
npkd_spoc_code_valid(int dialect, int op, int response, const char *code)
{
	const char *const *c = npkd_spoc_codes(dialect, op, response);

	for (; c != NULL && *c != NULL; c++)
		if (strcmp(*c, code) == 0)
			return 1;
	return 0;
}

/* The dialect's own spelling of a canonical code. */
static const char *
spelling(int dialect, const char *code)
{
	if (dialect == NPKD_SPOC_CSN &&
	    strcmp(code, "new_cert_available_notification") == 0)
		return "new_cer_available_notification";
	return code;
}

void
npkd_spoc_msg_free(struct npkd_spoc_msg *m)
{
	size_t i;

	if (m == NULL)
		return;
	npkd_buf_free(&m->request);
	for (i = 0; i < m->ncerts; i++)
		npkd_buf_free(&m->certs[i]);
	free(m->certs);
	free(m->subject);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

/* Schemas: parsed once per process, read-only afterwards. */
static pthread_once_t	 schema_once = PTHREAD_ONCE_INIT;
static pthread_once_t	 xml_once = PTHREAD_ONCE_INIT;

/* libxml2 set up once, by whichever thread reads or writes first. */
static void
xml_init(void)
{
	xmlInitParser();
}
static xmlSchemaPtr	 schemas[2];

static void
quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

static void
schema_load(void)
{
	const char	*src[2] = { npkd_xsd_csn, npkd_xsd_icao };
	size_t		 len[2] = { npkd_xsd_csn_len, npkd_xsd_icao_len };
	int		 i;

	for (i = 0; i < 2; i++) {
		xmlSchemaParserCtxtPtr pc;

		pc = xmlSchemaNewMemParserCtxt(src[i], (int)len[i]);
		if (pc == NULL)
			continue;
		xmlSchemaSetParserErrors(pc, quiet, quiet, NULL);
		schemas[i] = xmlSchemaParse(pc);
		xmlSchemaFreeParserCtxt(pc);
	}
}

struct verr {
	char	msg[160];
	int	n;
};

static void
schema_error(void *arg, xmlErrorPtr err)
{
	struct verr	*v = arg;
	size_t		 n;

	if (v->n++ > 0 || err == NULL || err->message == NULL)
		return;
	snprintf(v->msg, sizeof(v->msg), "line %d: %s", err->line,
	    err->message);
	n = strlen(v->msg);
	while (n > 0 && (v->msg[n - 1] == '\n' || v->msg[n - 1] == ' '))
		v->msg[--n] = '\0';
}

/* Validate one SPOC element against its dialect's schema. */
static int
validate(xmlNodePtr el, int dialect, const char *what,
    struct npkd_err *e)
{
	xmlSchemaValidCtxtPtr	 vc;
	struct verr		 v = { "", 0 };
	int			 r;

	pthread_once(&schema_once, schema_load);
	if (schemas[dialect] == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "%s: schema %s not loaded",
		    what, dialect_names[dialect]);
	if ((vc = xmlSchemaNewValidCtxt(schemas[dialect])) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "%s", what);
	xmlSchemaSetValidStructuredErrors(vc, schema_error, &v);
	r = xmlSchemaValidateOneElement(vc, el);
	xmlSchemaFreeValidCtxt(vc);
	if (r != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: not valid against "
		    "the %s schema: %s", what, dialect_names[dialect],
		    v.msg[0] ? v.msg : "internal error");
	return NPKD_OK;
}

/* --- writing -------------------------------------------------------- */

static int
add_b64(xmlNodePtr parent, xmlNsPtr ns, const char *name,
    const struct npkd_buf *b)
{
	gnutls_datum_t	in, out;
	char		*s;
	int		 ok;

	in.data = b->data;
	in.size = (unsigned int)b->len;
	if (b->len == 0 || b->len > NPKD_MAX_DER ||
	    gnutls_base64_encode2(&in, &out) < 0)
		return -1;
	if ((s = malloc(out.size + 1)) == NULL) {
		gnutls_free(out.data);
		return -1;
	}
	memcpy(s, out.data, out.size);
	s[out.size] = '\0';
	gnutls_free(out.data);
	ok = xmlNewTextChild(parent, ns, BAD_CAST name, BAD_CAST s) != NULL;
	free(s);
	return ok ? 0 : -1;
}

/* Text fit for an XML 1.0 document: UTF-8, no control characters. */
static int
xml_text_ok(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n > max || !xmlCheckUTF8(BAD_CAST s))
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 && s[i] != '\t' &&
		    s[i] != '\n' && s[i] != '\r')
			return 0;
	return 1;
}

static int
caller_ok(const char *c)
{
	return strlen(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' &&
	    c[1] <= 'Z';
}

/* A messageID: the originator's text, 1 to NPKD_SPOC_MSGID_MAX bytes. */
int
npkd_spoc_msgid_ok(const char *s)
{
	return s[0] != '\0' && xml_text_ok(s, NPKD_SPOC_MSGID_MAX);
}

int
spoc_dialect_by_ns(const char *ns, size_t n)
{
	int d;

	for (d = 0; d < 2; d++)
		if (n == strlen(dialect_ns[d]) && memcmp(ns, dialect_ns[d], n) ==
		    0)
			return d;
	return -1;
}

int
spoc_op_by_name(const char *name, size_t n, int *response)
{
	char	buf[48];
	int	op, r;

	for (op = NPKD_SPOC_REQUEST_CERT; op <= NPKD_SPOC_GENERAL; op++)
		for (r = 0; r < 2; r++) {
			snprintf(buf, sizeof(buf), "%s%s", op_names[op], r ?
			    "Response" : "Request");
			if (n == strlen(buf) && memcmp(name, buf, n) == 0) {
				*response = r;
				return op;
			}
		}
	return 0;
}

int
npkd_spoc_encode(const struct npkd_spoc_msg *m, struct npkd_buf *out,
    struct npkd_err *e)
{
	xmlDocPtr	 doc = NULL;
	xmlNodePtr	 env, body, el, seq;
	xmlNsPtr	 sns, dns;
	xmlChar		*mem = NULL;
	char		 name[48];
	const char	*what = "SPOC message";
	size_t		 i;
	int		 len = 0, rc = NPKD_E_NOMEM;

	pthread_once(&xml_once, xml_init);
	memset(out, 0, sizeof(*out));
	if ((m->dialect != NPKD_SPOC_CSN && m->dialect != NPKD_SPOC_ICAO) ||
	    m->op < NPKD_SPOC_REQUEST_CERT || m->op > NPKD_SPOC_GENERAL)
		return npkd_seterr(e, NPKD_E_USAGE, "%s: no such operation or "
		    "dialect", what);
	if (!m->response && !caller_ok(m->caller))
		return npkd_seterr(e, NPKD_E_USAGE, "%s: callerID \"%s\" is not "
		    "a country code", what, m->caller);
	if (m->msgid[0] != '\0' && !npkd_spoc_msgid_ok(m->msgid))
		return npkd_seterr(e, NPKD_E_USAGE, "%s: bad messageID", what);
	if ((m->response || m->op == NPKD_SPOC_SEND_CERTS) &&
	    !npkd_spoc_code_valid(m->dialect, m->op, m->response, m->result))
		return npkd_seterr(e, NPKD_E_USAGE, "%s: %s %s has no code "
		    "\"%s\"", what, dialect_names[m->dialect],
		    op_names[m->op], m->result);
	if (m->op == NPKD_SPOC_GENERAL && !m->response &&
	    (m->subject == NULL || m->body == NULL ||
	    !xml_text_ok(m->subject, 1024) || !xml_text_ok(m->body, 1 << 20)))
		return npkd_seterr(e, NPKD_E_USAGE, "%s: subject and body must "
		    "be UTF-8 text without control characters", what);
	if (m->ncerts > NPKD_SPOC_MAX_CERTS)
		return npkd_seterr(e, NPKD_E_LIMIT, "%s: more than %d "
		    "certificates", what, NPKD_SPOC_MAX_CERTS);

	snprintf(name, sizeof(name), "%s%s", op_names[m->op],
	    m->response ? "Response" : "Request");
	if ((doc = xmlNewDoc(BAD_CAST "1.0")) == NULL ||
	    (env = xmlNewDocNode(doc, NULL, BAD_CAST "Envelope", NULL)) == NULL)
		goto out;
	xmlDocSetRootElement(doc, env);
	if ((sns = xmlNewNs(env, BAD_CAST NS_SOAP, BAD_CAST "soapenv")) == NULL)
		goto out;
	xmlSetNs(env, sns);
	if ((body = xmlNewChild(env, sns, BAD_CAST "Body", NULL)) == NULL ||
	    (el = xmlNewChild(body, NULL, BAD_CAST name, NULL)) == NULL ||
	    (dns = xmlNewNs(el, BAD_CAST dialect_ns[m->dialect],
	    BAD_CAST "spoc")) == NULL)
		goto out;
	xmlSetNs(el, dns);
	if (!m->response) {
		if (xmlNewTextChild(el, dns, BAD_CAST "callerID",
		    BAD_CAST m->caller) == NULL)
			goto out;
		if ((m->op != NPKD_SPOC_SEND_CERTS || m->msgid[0] != '\0') &&
		    xmlNewTextChild(el, dns, BAD_CAST "messageID",
		    BAD_CAST m->msgid) == NULL)
			goto out;
	}
	if (m->op == NPKD_SPOC_REQUEST_CERT && !m->response &&
	    add_b64(el, dns, "certificateRequest", &m->request) == -1) {
		rc = npkd_seterr(e, NPKD_E_USAGE, "%s: no certificate request",
		    what);
		goto out;
	}
	if (m->ncerts > 0) {
		if ((seq = xmlNewChild(el, dns, BAD_CAST "certificateSequence",
		    NULL)) == NULL)
			goto out;
		for (i = 0; i < m->ncerts; i++)
			if (add_b64(seq, dns, "certificate", &m->certs[i]) == -1)
				goto out;
	}
	if (m->op == NPKD_SPOC_GENERAL && !m->response &&
	    (xmlNewTextChild(el, dns, BAD_CAST "subject",
	    BAD_CAST m->subject) == NULL || xmlNewTextChild(el, dns,
	    BAD_CAST "body", BAD_CAST m->body) == NULL))
		goto out;
	if ((m->response || m->op == NPKD_SPOC_SEND_CERTS) &&
	    xmlNewTextChild(el, dns, BAD_CAST (m->response ? "result" :
	    "statusInfo"), BAD_CAST spelling(m->dialect, m->result)) == NULL)
		goto out;
	if ((rc = validate(el, m->dialect, what, e)) != NPKD_OK)
		goto out;
	xmlDocDumpFormatMemoryEnc(doc, &mem, &len, "UTF-8", 1);
	if (mem == NULL || len <= 0) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "%s", what);
		goto out;
	}
	if ((out->data = malloc((size_t)len)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "%s", what);
		goto out;
	}
	memcpy(out->data, mem, (size_t)len);
	out->len = (size_t)len;
	rc = NPKD_OK;
out:
	if (rc == NPKD_E_NOMEM && (e == NULL || e->code != NPKD_E_NOMEM))
		npkd_seterr(e, NPKD_E_NOMEM, "%s", what);
	xmlFree(mem);
	xmlFreeDoc(doc);
	return rc;
}

/* --- reading -------------------------------------------------------- */

struct rd {
	int	dtd;
};

static void
no_subset(void *ctx, const xmlChar *name, const xmlChar *ext,
    const xmlChar *sys)
{
	xmlParserCtxtPtr	 pc = ctx;
	struct rd		*r = pc->_private;

	(void)name;
	(void)ext;
	(void)sys;
	r->dtd = 1;
	xmlStopParser(pc);
}

static void
no_entity(void *ctx, const xmlChar *name, int type, const xmlChar *pub,
    const xmlChar *sys, xmlChar *content)
{
	xmlParserCtxtPtr	 pc = ctx;
	struct rd		*r = pc->_private;

	(void)name;
	(void)type;
	(void)pub;
	(void)sys;
	(void)content;
	r->dtd = 1;
	xmlStopParser(pc);
}

/* Depth and node count of the tree; entity references refused. */
static int
walk(xmlNodePtr n, int depth, size_t *count)
{
	int r;

	for (; n != NULL; n = n->next) {
		if (++*count > SOAP_MAX_NODES || depth > SOAP_MAX_DEPTH)
			return -1;
		if (n->type == XML_ENTITY_REF_NODE ||
		    n->type == XML_ENTITY_NODE || n->type == XML_DTD_NODE ||
		    n->type == XML_ENTITY_DECL)
			return -2;
		if (n->type == XML_ELEMENT_NODE &&
		    (r = walk(n->children, depth + 1, count)) != 0)
			return r;
	}
	return 0;
}

static int
is_el(xmlNodePtr n, const char *ns, const char *name)
{
	return n != NULL && n->type == XML_ELEMENT_NODE && n->ns != NULL &&
	    strcmp((const char *)n->ns->href, ns) == 0 &&
	    (name == NULL || strcmp((const char *)n->name, name) == 0);
}

/* Only whitespace, comments and PIs may stand between elements. */
static int
next_el(xmlNodePtr *np)
{
	xmlNodePtr n = *np;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_ELEMENT_NODE)
			break;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (!xmlIsBlankNode(n))
				return -1;
		} else if (n->type != XML_COMMENT_NODE && n->type != XML_PI_NODE)
			return -1;
	}
	*np = n;
	return 0;
}

static char *
text_of(xmlNodePtr n)
{
	xmlChar	*t = xmlNodeGetContent(n);
	char	*s;

	if (t == NULL)
		return strdup("");
	s = strdup((const char *)t);
	xmlFree(t);
	return s;
}

static int
b64_decode(xmlNodePtr n, struct npkd_buf *out)
{
	gnutls_datum_t	 in, res;
	char		*t, *p, *q;
	int		 rc = -1;

	memset(out, 0, sizeof(*out));
	if ((t = text_of(n)) == NULL)
		return -1;
	for (p = q = t; *p != '\0'; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			*q++ = *p;
	*q = '\0';
	in.data = (unsigned char *)t;
	in.size = (unsigned int)(q - t);
	if (in.size == 0 || in.size > (NPKD_MAX_DER / 3 + 1) * 4)
		goto out;
	if (gnutls_base64_decode2(&in, &res) < 0)
		goto out;
	if (res.size == 0 || (out->data = malloc(res.size)) == NULL) {
		gnutls_free(res.data);
		goto out;
	}
	memcpy(out->data, res.data, res.size);
	out->len = res.size;
	gnutls_free(res.data);
	rc = 0;
out:
	free(t);
	return rc;
}

/* Map known spelling variants of result codes to the dialect's spelling. */
static void
normalise(xmlNodePtr el, int dialect)
{
	xmlNodePtr	 c;
	size_t		 i;

	for (c = el->children; c != NULL; c = c->next) {
		char *t;

		if (c->type != XML_ELEMENT_NODE ||
		    (strcmp((const char *)c->name, "result") != 0 &&
		    strcmp((const char *)c->name, "statusInfo") != 0))
			continue;
		if ((t = text_of(c)) == NULL)
			continue;
		for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
			if (strcmp(t, variants[i].variant) == 0 ||
			    strcmp(t, variants[i].canonical) == 0) {
				xmlNodeSetContent(c, BAD_CAST spelling(dialect,
				    variants[i].canonical));
				break;
			}
		free(t);
	}
}

static int
fields(xmlNodePtr el, struct npkd_spoc_msg *m, const char *what,
    struct npkd_err *e)
{
	xmlNodePtr	 c, cc;
	char		*t;
	size_t		 i;

	for (c = el->children; c != NULL; c = c->next) {
		const char *n = (const char *)c->name;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp(n, "certificateSequence") == 0) {
			m->has_seq = 1;
			for (cc = c->children; cc != NULL; cc = cc->next) {
				struct npkd_buf *nb;

				if (cc->type != XML_ELEMENT_NODE)
					continue;
				if (m->ncerts >= NPKD_SPOC_MAX_CERTS)
					return npkd_seterr(e, NPKD_E_LIMIT, "%s: "
					    "more than %d certificates", what,
					    NPKD_SPOC_MAX_CERTS);
				nb = realloc(m->certs, (m->ncerts + 1) *
				    sizeof(*nb));
				if (nb == NULL)
					return npkd_seterr(e, NPKD_E_NOMEM, "%s",
					    what);
				m->certs = nb;
				if (b64_decode(cc, &m->certs[m->ncerts]) == -1)
					return npkd_seterr(e, NPKD_E_FORMAT, "%s: "
					    "certificate %zu: bad base64 or too "
					    "large", what, m->ncerts + 1);
				m->ncerts++;
			}
			continue;
		}
		if (strcmp(n, "certificateRequest") == 0) {
			if (b64_decode(c, &m->request) == -1)
				return npkd_seterr(e, NPKD_E_FORMAT, "%s: "
				    "certificateRequest: bad base64 or too "
				    "large", what);
			continue;
		}
		if ((t = text_of(c)) == NULL)
			return npkd_seterr(e, NPKD_E_NOMEM, "%s", what);
		if (strcmp(n, "callerID") == 0) {
			if (!caller_ok(t)) {
				free(t);
				return npkd_seterr(e, NPKD_E_FORMAT, "%s: "
				    "callerID is not a country code", what);
			}
			memcpy(m->caller, t, 3);
		} else if (strcmp(n, "messageID") == 0) {
			/* the originator's choice; "" is as good as absent */
			if (t[0] != '\0' && !npkd_spoc_msgid_ok(t)) {
				free(t);
				return npkd_seterr(e, NPKD_E_LIMIT, "%s: a "
				    "messageID longer than %d bytes", what,
				    NPKD_SPOC_MSGID_MAX);
			}
			snprintf(m->msgid, sizeof(m->msgid), "%s", t);
		} else if (strcmp(n, "result") == 0 ||
		    strcmp(n, "statusInfo") == 0) {
			/* the schema allowed it: store the canonical form */
			for (i = 0; i < sizeof(variants) / sizeof(variants[0]);
			    i++)
				if (strcmp(t, variants[i].variant) == 0)
					break;
			snprintf(m->result, sizeof(m->result), "%s",
			    i < sizeof(variants) / sizeof(variants[0]) ?
			    variants[i].canonical : t);
		} else if (strcmp(n, "subject") == 0) {
			m->subject = t;
			continue;
		} else if (strcmp(n, "body") == 0) {
			m->body = t;
			continue;
		}
		free(t);
	}
	return NPKD_OK;
}

/* Is header entry n addressed to us with mustUnderstand set (SOAP 1.1
 * section 4.2.2 and 4.2.3)? */
static int
must_understand(xmlNodePtr n)
{
	xmlChar	*mu, *actor;
	int	 must;

	mu = xmlGetNsProp(n, BAD_CAST "mustUnderstand", BAD_CAST NS_SOAP);
	must = mu != NULL && (strcmp((char *)mu, "1") == 0 ||
	    strcmp((char *)mu, "true") == 0);
	xmlFree(mu);
	if (!must)
		return 0;
	actor = xmlGetNsProp(n, BAD_CAST "actor", BAD_CAST NS_SOAP);
	must = actor == NULL || strcmp((char *)actor, NS_ACTOR_NEXT) == 0;
	xmlFree(actor);
	return must;
}

/*
 * Read a SPOC message; *bad says what kind of fault a refusal deserves
 * (enum spoc_bad).  The streaming pass comes first, so libxml2 only ever
 * sees a document within the budgets.
 */
int
spoc_decode(const uint8_t *p, size_t len, const char *what,
    struct npkd_spoc_msg *m, int *bad, struct npkd_err *e)
{
	xmlParserCtxtPtr	 pc = NULL;
	xmlDocPtr		 doc = NULL;
	xmlNodePtr		 root, n, hdr = NULL, body = NULL, el;
	struct spoc_scan	 sc;
	struct npkd_buf		 u8 = { NULL, 0 };
	struct rd		 r = { 0 };
	size_t			 count = 0;
	int			 rc, op, resp, d, w, utf16;

	pthread_once(&xml_once, xml_init);
	memset(m, 0, sizeof(*m));
	*bad = SPOC_BAD_SYNTAX;
	if (what == NULL)
		what = "SPOC message";
	if (len > NPKD_SPOC_MAX_XML)
		return npkd_seterr(e, NPKD_E_LIMIT, "%s: larger than %lu bytes",
		    what, (unsigned long)NPKD_SPOC_MAX_XML);
	if (len == 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: empty", what);
	if ((utf16 = spoc_utf16(p, len, &u8, e)) < 0)
		return npkd_seterr(e, e ? e->code : NPKD_E_FORMAT, "%s: %s",
		    what, e ? e->msg : "UTF-16");
	if (utf16) {
		p = u8.data;
		len = u8.len;
	}
	if ((rc = spoc_scan(p, len, what, utf16, &sc, e)) != NPKD_OK)
		goto out;
	if (sc.env != SPOC_ENV_SOAP11) {
		if (sc.env == SPOC_ENV_OTHER)
			*bad = SPOC_BAD_VERSION;
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: not a SOAP 1.1 "
		    "Envelope", what);
		goto out;
	}
	if ((pc = xmlCreateMemoryParserCtxt((const char *)p, (int)len)) ==
	    NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "%s", what);
		goto out;
	}
	/* the streaming pass admitted only UTF-8 (or UTF-16, now UTF-8) */
	xmlCtxtUseOptions(pc, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | XML_PARSE_IGNORE_ENC);
	pc->_private = &r;
	pc->sax->internalSubset = no_subset;
	pc->sax->externalSubset = no_subset;
	pc->sax->entityDecl = no_entity;
	pc->replaceEntities = 0;
	xmlParseDocument(pc);
	doc = pc->myDoc;
	pc->myDoc = NULL;
	if (r.dtd) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: a document type "
		    "declaration is not allowed", what);
		goto out;
	}
	if (!pc->wellFormed || doc == NULL) {
		xmlErrorPtr xe = xmlCtxtGetLastError(pc);
		char msg[120] = "not well-formed";

		if (xe != NULL && xe->message != NULL) {
			snprintf(msg, sizeof(msg), "line %d: %s", xe->line,
			    xe->message);
			msg[strcspn(msg, "\n")] = '\0';
		}
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: %s", what, msg);
		goto out;
	}
	if (doc->intSubset != NULL || doc->extSubset != NULL) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: a document type "
		    "declaration is not allowed", what);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	/* the streaming pass bounded these already; libxml2 must agree */
	if ((w = walk(root, 1, &count)) != 0) {
		rc = npkd_seterr(e, w == -1 ? NPKD_E_LIMIT : NPKD_E_FORMAT,
		    w == -1 ? "%s: deeper than %d or more than %d nodes" :
		    "%s: entity references are not allowed", what,
		    SOAP_MAX_DEPTH, SOAP_MAX_NODES);
		goto out;
	}
	if (!is_el(root, NS_SOAP, "Envelope")) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: not a SOAP 1.1 "
		    "Envelope", what);
		goto out;
	}
	n = root->children;
	if (next_el(&n) == -1)
		goto junk;
	if (is_el(n, NS_SOAP, "Header")) {
		hdr = n;
		n = n->next;
		if (next_el(&n) == -1)
			goto junk;
	}
	if (!is_el(n, NS_SOAP, "Body"))
		goto junk;
	body = n;
	n = n->next;
	if (next_el(&n) == -1 || n != NULL)
		goto junk;
	if (hdr != NULL) {
		for (n = hdr->children; n != NULL; n = n->next) {
			if (n->type != XML_ELEMENT_NODE || !must_understand(n))
				continue;
			*bad = SPOC_BAD_MUSTUNDERSTAND;
			rc = npkd_seterr(e, NPKD_E_UNSUPPORTED, "%s: header %.40s "
			    "must be understood; SPOC uses no headers", what,
			    n->name);
			goto out;
		}
	}
	el = body->children;
	if (next_el(&el) == -1 || el == NULL)
		goto junk;
	n = el->next;
	if (next_el(&n) == -1 || n != NULL)
		goto junk;
	if (is_el(el, NS_SOAP, "Fault")) {
		xmlNodePtr fs;
		char *t = NULL;

		for (fs = el->children; fs != NULL; fs = fs->next)
			if (fs->type == XML_ELEMENT_NODE && t == NULL &&
			    strcmp((const char *)fs->name, "faultstring") == 0)
				t = text_of(fs);
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: SOAP fault: %.100s",
		    what, t != NULL ? t : "(no faultstring)");
		free(t);
		goto out;
	}
	for (d = 0; d < 2; d++)
		if (is_el(el, dialect_ns[d], NULL))
			break;
	if (d == 2) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: body element is in "
		    "neither SPOC namespace", what);
		goto out;
	}
	if ((op = spoc_op_by_name((const char *)el->name,
	    strlen((const char *)el->name), &resp)) == 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: unknown SPOC element "
		    "%.40s", what, el->name);
		goto out;
	}
	normalise(el, d);
	if ((rc = validate(el, d, what, e)) != NPKD_OK)
		goto out;
	m->dialect = d;
	m->op = op;
	m->response = resp;
	if ((rc = fields(el, m, what, e)) != NPKD_OK)
		goto out;
	if (!resp && op != NPKD_SPOC_SEND_CERTS && m->msgid[0] == '\0') {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: an empty messageID: "
		    "the answer could not name this request", what);
		goto out;
	}
	rc = NPKD_OK;
	goto out;
junk:
	rc = npkd_seterr(e, NPKD_E_FORMAT, "%s: the Envelope must hold an "
	    "optional Header and a Body with one element", what);
out:
	if (rc != NPKD_OK)
		npkd_spoc_msg_free(m);
	xmlFreeDoc(doc);
	if (pc != NULL)
		xmlFreeParserCtxt(pc);
	npkd_buf_free(&u8);
	return rc;
}

int
npkd_spoc_decode(const uint8_t *p, size_t len, const char *what,
    struct npkd_spoc_msg *m, struct npkd_err *e)
{
	int bad;

	return spoc_decode(p, len, what, m, &bad, e);
}

/*
 * The content of a message, for telling a repetition from another
 * message: everything it says, in canonical form, but its dialect and
 * spelling, and (with no_msgid, for pushes) its messageID.
 */
static void
hash_field(gnutls_hash_hd_t h, int tag, const void *p, size_t n)
{
	uint8_t	hdr[9];
	int	i;

	hdr[0] = (uint8_t)tag;
	for (i = 0; i < 8; i++)
		hdr[1 + i] = (uint8_t)((uint64_t)n >> (56 - 8 * i));
	gnutls_hash(h, hdr, sizeof(hdr));
	if (p != NULL && n > 0)
		gnutls_hash(h, p, n);
}

void
spoc_content_hash(const struct npkd_spoc_msg *m, int no_msgid,
    uint8_t out[32])
{
	gnutls_hash_hd_t	h;
	size_t			k;

	if (gnutls_hash_init(&h, GNUTLS_DIG_SHA256) < 0) {
		memset(out, 0, 32);
		return;
	}
	hash_field(h, 'o', NULL, (size_t)m->op);
	hash_field(h, 'a', NULL, (size_t)m->response);
	hash_field(h, 'c', m->caller, strlen(m->caller));
	if (!no_msgid)
		hash_field(h, 'm', m->msgid, strlen(m->msgid));
	hash_field(h, 'r', m->request.data, m->request.len);
	hash_field(h, 'n', NULL, m->has_seq ? m->ncerts + 1 : 0);
	for (k = 0; k < m->ncerts; k++)
		hash_field(h, 'x', m->certs[k].data, m->certs[k].len);
	hash_field(h, 's', m->result, strlen(m->result));
	hash_field(h, 'j', m->subject, m->subject ? strlen(m->subject) : 0);
	hash_field(h, 'b', m->body, m->body ? strlen(m->body) : 0);
	gnutls_hash_deinit(h, out);
}
