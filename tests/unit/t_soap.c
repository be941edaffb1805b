/*
 * t_soap.c - SPOC SOAP messages: every operation in both dialects written
 * and read back, each dialect's spelling on output, known variants on
 * input, and hostile or invalid XML refused with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static uint8_t cert1[] = { 0x7f, 0x21, 0x03, 0x01, 0x02, 0x03 };
static uint8_t cert2[] = { 0x7f, 0x21, 0x02, 0xaa, 0xbb };

static void
fill(struct npkd_spoc_msg *m, int dialect, int op, int resp)
{
	memset(m, 0, sizeof(*m));
	m->dialect = dialect;
	m->op = op;
	m->response = resp;
	snprintf(m->caller, sizeof(m->caller), "AA");
	snprintf(m->msgid, sizeof(m->msgid), "AA-20261128T101010Z-0011");
	if (op == NPKD_SPOC_REQUEST_CERT && !resp) {
		m->request.data = cert1;
		m->request.len = sizeof(cert1);
	}
	if (op == NPKD_SPOC_GENERAL && !resp) {
		m->subject = (char *)"CVCA rekey on 1 December";
		m->body = (char *)"Our CVCA <AACVCA00002> & link follow.\n";
	}
	if ((resp && op != NPKD_SPOC_SEND_CERTS && op != NPKD_SPOC_GENERAL) ||
	    (!resp && op == NPKD_SPOC_SEND_CERTS)) {
		static struct npkd_buf seq[2];

		seq[0].data = cert1;
		seq[0].len = sizeof(cert1);
		seq[1].data = cert2;
		seq[1].len = sizeof(cert2);
		m->certs = seq;
		m->ncerts = 2;
	}
	if (resp)
		snprintf(m->result, sizeof(m->result), "%s", op ==
		    NPKD_SPOC_SEND_CERTS ? "ok_received_correctly" : op ==
		    NPKD_SPOC_GENERAL ? "ok" : "ok_cert_available");
	else if (op == NPKD_SPOC_SEND_CERTS)
		snprintf(m->result, sizeof(m->result),
		    "new_cert_available_notification");
}

static void
every_operation_round_trips_in_both_dialects(void)
{
	struct npkd_spoc_msg	 m, d;
	struct npkd_buf		 x;
	struct npkd_err		 e;
	int			 dia, op, resp;

	for (dia = 0; dia < 2; dia++)
		for (op = NPKD_SPOC_REQUEST_CERT; op <= NPKD_SPOC_GENERAL; op++)
			for (resp = 0; resp < 2; resp++) {
				fill(&m, dia, op, resp);
				if (npkd_spoc_encode(&m, &x, &e) != NPKD_OK) {
					fprintf(stderr, "%s\n", e.msg);
					CU_FAIL("encode");
					continue;
				}
				CU_ASSERT_EQUAL_FATAL(npkd_spoc_decode(x.data,
				    x.len, "t", &d, &e), NPKD_OK);
				CU_ASSERT_EQUAL(d.dialect, dia);
				CU_ASSERT_EQUAL(d.op, op);
				CU_ASSERT_EQUAL(d.response, resp);
				CU_ASSERT_STRING_EQUAL(d.result, m.result);
				CU_ASSERT_EQUAL(d.ncerts, m.ncerts);
				if (d.ncerts == 2) {
					CU_ASSERT_EQUAL(d.certs[1].len,
					    sizeof(cert2));
					CU_ASSERT(memcmp(d.certs[0].data, cert1,
					    sizeof(cert1)) == 0);
				}
				if (!resp) {
					CU_ASSERT_STRING_EQUAL(d.caller, "AA");
					CU_ASSERT_STRING_EQUAL(d.msgid, m.msgid);
				}
				if (op == NPKD_SPOC_REQUEST_CERT && !resp)
					CU_ASSERT(d.request.len == sizeof(cert1)
					    && memcmp(d.request.data, cert1,
					    sizeof(cert1)) == 0);
				if (op == NPKD_SPOC_GENERAL && !resp) {
					CU_ASSERT_STRING_EQUAL(d.body, m.body);
					CU_ASSERT_STRING_EQUAL(d.subject,
					    m.subject);
				}
				/* each dialect's own spelling on the wire */
				if (op == NPKD_SPOC_SEND_CERTS && !resp) {
					CU_ASSERT((memmem(x.data, x.len,
					    "new_cer_available", 17) != NULL) ==
					    (dia == NPKD_SPOC_CSN));
				}
				CU_ASSERT(memmem(x.data, x.len, dia ?
				    "http://namespaces.icao.int/lds2" :
				    "http://namespaces.unmz.cz/csn369791",
				    dia ? 31 : 35) != NULL);
				npkd_spoc_msg_free(&d);
				npkd_buf_free(&x);
			}
}

static void
codes_of_the_other_dialect_are_not_written(void)
{
	struct npkd_spoc_msg	m;
	struct npkd_buf		x;
	struct npkd_err		e;

	fill(&m, NPKD_SPOC_CSN, NPKD_SPOC_REQUEST_CERT, 1);
	snprintf(m.result, sizeof(m.result), "failure_expired");
	CU_ASSERT_EQUAL(npkd_spoc_encode(&m, &x, &e), NPKD_E_USAGE);
	m.dialect = NPKD_SPOC_ICAO;
	CU_ASSERT_EQUAL(npkd_spoc_encode(&m, &x, &e), NPKD_OK);
	npkd_buf_free(&x);
	fill(&m, NPKD_SPOC_ICAO, NPKD_SPOC_REQUEST_CERT, 0);
	snprintf(m.caller, sizeof(m.caller), "a1");
	CU_ASSERT_EQUAL(npkd_spoc_encode(&m, &x, &e), NPKD_E_USAGE);
	fill(&m, NPKD_SPOC_ICAO, NPKD_SPOC_GENERAL, 0);
	m.body = (char *)"bell \a";
	CU_ASSERT_EQUAL(npkd_spoc_encode(&m, &x, &e), NPKD_E_USAGE);
}

#define ENV_OPEN "<?xml version=\"1.0\"?>" \
	"<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\">" \
	"<s:Body>"
#define ENV_CLOSE "</s:Body></s:Envelope>"
#define ICAO "xmlns=\"http://namespaces.icao.int/lds2\""
#define CSN "xmlns=\"http://namespaces.unmz.cz/csn369791\""

static int
dec(const char *xml, struct npkd_spoc_msg *m, struct npkd_err *e)
{
	return npkd_spoc_decode((const uint8_t *)xml, strlen(xml), "in.xml",
	    m, e);
}

static void
known_variants_are_read(void)
{
	struct npkd_spoc_msg	m;
	struct npkd_err		e;

	CU_ASSERT_EQUAL_FATAL(dec(ENV_OPEN "<RequestCertificateResponse " ICAO
	    "><result>failure_domain_parameter</result>"
	    "</RequestCertificateResponse>" ENV_CLOSE, &m, &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(m.result, "failure_domain_parameters");
	npkd_spoc_msg_free(&m);
	CU_ASSERT_EQUAL_FATAL(dec(ENV_OPEN "<SendCertificatesRequest " CSN
	    "><callerID>BB</callerID><statusInfo>new_cert_available_"
	    "notification</statusInfo></SendCertificatesRequest>" ENV_CLOSE,
	    &m, &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(m.result, "new_cert_available_notification");
	CU_ASSERT_STRING_EQUAL(m.msgid, "");
	CU_ASSERT_EQUAL(m.dialect, NPKD_SPOC_CSN);
	npkd_spoc_msg_free(&m);
	CU_ASSERT_EQUAL_FATAL(dec(ENV_OPEN "<SendCertificatesRequest " ICAO
	    "><callerID>BB</callerID><statusInfo>new_cer_available_"
	    "notification</statusInfo></SendCertificatesRequest>" ENV_CLOSE,
	    &m, &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(m.result, "new_cert_available_notification");
	npkd_spoc_msg_free(&m);
	/* a header without mustUnderstand is ignored */
	CU_ASSERT_EQUAL(dec("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/"
	    "soap/envelope/\"><s:Header><x:t xmlns:x=\"urn:x\">1</x:t>"
	    "</s:Header><s:Body><GeneralMessageResponse " ICAO "><result>ok"
	    "</result></GeneralMessageResponse>" ENV_CLOSE, &m, &e), NPKD_OK);
	npkd_spoc_msg_free(&m);
}

static void
hostile_and_invalid_xml_is_refused(void)
{
	static const struct {
		const char	*xml;
		int		 rc;
		const char	*why;
	} v[] = {
		{ "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
		  "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
		  "<lolz>&lol2;</lolz>", NPKD_E_FORMAT, "document type" },
		{ "<?xml version=\"1.0\"?><!DOCTYPE x SYSTEM "
		  "\"http://127.0.0.1:9/x.dtd\"><x/>", NPKD_E_FORMAT,
		  "document type" },
		{ ENV_OPEN "<GeneralMessageResponse " ICAO "><result>&xxe;"
		  "</result></GeneralMessageResponse>" ENV_CLOSE,
		  NPKD_E_FORMAT, "in.xml: line" },
		{ "<Envelope/>", NPKD_E_FORMAT, "not a SOAP 1.1 Envelope" },
		{ ENV_OPEN "<GeneralMessageResponse xmlns=\"urn:other\">"
		  "<result>ok</result></GeneralMessageResponse>" ENV_CLOSE,
		  NPKD_E_FORMAT, "neither SPOC namespace" },
		{ ENV_OPEN "<RequestCertificateResponse " CSN "><result>"
		  "failure_expired</result></RequestCertificateResponse>"
		  ENV_CLOSE, NPKD_E_FORMAT, "csn369791 schema" },
		{ ENV_OPEN "<RequestCertificateRequest " ICAO "><callerID>AA"
		  "</callerID><certificateRequest>AQID</certificateRequest>"
		  "</RequestCertificateRequest>" ENV_CLOSE, NPKD_E_FORMAT,
		  "icao schema" },
		{ ENV_OPEN "<RequestCertificateRequest " ICAO "><callerID>A1"
		  "</callerID><messageID>m</messageID><certificateRequest>AQID"
		  "</certificateRequest></RequestCertificateRequest>" ENV_CLOSE,
		  NPKD_E_FORMAT, "callerID" },
		{ ENV_OPEN "<GeneralMessageResponse " ICAO "><result>ok</result>"
		  "</GeneralMessageResponse><GeneralMessageResponse " ICAO
		  "><result>ok</result></GeneralMessageResponse>" ENV_CLOSE,
		  NPKD_E_FORMAT, "one element" },
		{ "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/"
		  "envelope/\"><s:Header><x:t xmlns:x=\"urn:x\" "
		  "s:mustUnderstand=\"1\"/></s:Header><s:Body>"
		  "<GeneralMessageResponse " ICAO "><result>ok</result>"
		  "</GeneralMessageResponse>" ENV_CLOSE, NPKD_E_UNSUPPORTED,
		  "must be understood" },
		{ ENV_OPEN "<s:Fault><faultcode>s:Server</faultcode>"
		  "<faultstring>down</faultstring></s:Fault>" ENV_CLOSE,
		  NPKD_E_VERIFY, "SOAP fault: down" },
		{ ENV_OPEN "<GeneralMessageResponse " ICAO "><result>ok</result>"
		  "</GeneralMessageResponse>", NPKD_E_FORMAT, "in.xml: line" },
		{ ENV_OPEN "text<GeneralMessageResponse " ICAO "><result>ok"
		  "</result></GeneralMessageResponse>" ENV_CLOSE, NPKD_E_FORMAT,
		  "one element" },
		{ ENV_OPEN "<GeneralMessageResponse " ICAO "><result>ok<a><b>"
		  "<c><d><e><f><g><h><i><j><k><l><m><n><o><p><q/></p></o></n>"
		  "</m></l></k></j></i></h></g></f></e></d></c></b></a>"
		  "</result></GeneralMessageResponse>" ENV_CLOSE, NPKD_E_LIMIT,
		  "deeper than" },
	};
	struct npkd_spoc_msg	m;
	struct npkd_err		e;
	size_t			i;
	char			*big;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&e, 0, sizeof(e));
		CU_ASSERT_EQUAL(dec(v[i].xml, &m, &e), v[i].rc);
		CU_ASSERT_EQUAL(m.op, 0);
		if (strstr(e.msg, v[i].why) == NULL) {
			fprintf(stderr, "case %zu: %s\n", i, e.msg);
			CU_FAIL("the reason does not name the defect");
		}
	}
	/* over the size limit: refused before parsing */
	big = malloc(NPKD_SPOC_MAX_XML + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', NPKD_SPOC_MAX_XML + 1);
	big[NPKD_SPOC_MAX_XML + 1] = '\0';
	CU_ASSERT_EQUAL(dec(big, &m, &e), NPKD_E_LIMIT);
	free(big);
}


static void
the_streaming_pass_keeps_libxml2_within_budget(void)
{
	static const struct {
		const char	*xml;
		int		 rc;
		const char	*why;
	} v[] = {
		{ ENV_OPEN "<GeneralMessageResponse " ICAO " a1=\"\" a2=\"\" "
		  "a3=\"\" a4=\"\" a5=\"\" a6=\"\" a7=\"\" a8=\"\" a9=\"\" b1=\"\" "
		  "b2=\"\" b3=\"\" b4=\"\" b5=\"\" b6=\"\" b7=\"\" b8=\"\" b9=\"\" "
		  "c1=\"\" c2=\"\" c3=\"\" c4=\"\" c5=\"\" c6=\"\" c7=\"\" c8=\"\" "
		  "c9=\"\" d1=\"\" d2=\"\" d3=\"\" d4=\"\" d5=\"\" d6=\"\">"
		  "<result>ok</result></GeneralMessageResponse>" ENV_CLOSE,
		  NPKD_E_LIMIT, "more than 32 attributes" },
		{ ENV_OPEN "<GeneralMessageResponse " ICAO "><result>&foo;"
		  "</result></GeneralMessageResponse>" ENV_CLOSE,
		  NPKD_E_FORMAT, "undefined entity" },
		{ "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>" ENV_OPEN
		  "<GeneralMessageResponse " ICAO "><result>ok</result>"
		  "</GeneralMessageResponse>" ENV_CLOSE, NPKD_E_FORMAT,
		  "UTF-8 or UTF-16" },
		{ "<?xml version=\"1.0\" encoding=\"UTF-7\"?>" ENV_OPEN
		  "+ADw-x/+AD4-" ENV_CLOSE, NPKD_E_FORMAT, "UTF-8 or UTF-16" },
		{ ENV_OPEN "<GeneralMessageResponse " ICAO " a=\"<\"><result>ok"
		  "</result></GeneralMessageResponse>" ENV_CLOSE,
		  NPKD_E_FORMAT, "'<' in an attribute" },
		{ ENV_OPEN "<GeneralMessageResponse " ICAO "><result>ok</res>"
		  "</GeneralMessageResponse>" ENV_CLOSE, NPKD_E_FORMAT,
		  "closes no open element" },
		{ ENV_OPEN "<GeneralMessageResponse " ICAO "><result>ok<!ENTITY"
		  " x \"y\"></result></GeneralMessageResponse>" ENV_CLOSE,
		  NPKD_E_FORMAT, "document type" },
		{ ENV_OPEN "<GeneralMessageResponse " ICAO "><result>&#x110000;"
		  "</result></GeneralMessageResponse>" ENV_CLOSE,
		  NPKD_E_FORMAT, "out of range" },
		{ "<a/><b/>", NPKD_E_FORMAT, "a second root" },
		{ "text", NPKD_E_FORMAT, "not XML" },
		{ "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://www.w3."
		  "org/2003/05/soap-envelope\"><s:Body/></s:Envelope>",
		  NPKD_E_FORMAT, "not a SOAP 1.1 Envelope" },
	};
	struct npkd_spoc_msg	 m;
	struct npkd_err		 e;
	char			*x;
	size_t			 i, off;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&e, 0, sizeof(e));
		CU_ASSERT_EQUAL(dec(v[i].xml, &m, &e), v[i].rc);
		if (strstr(e.msg, v[i].why) == NULL) {
			fprintf(stderr, "case %zu: %s\n", i, e.msg);
			CU_FAIL("the reason does not name the defect");
		}
	}
	/* 100 000 empty elements: refused by the count, not by memory */
	x = malloc(500000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	off = (size_t)snprintf(x, 200, ENV_OPEN "<GeneralMessageResponse " ICAO
	    "><result>");
	for (i = 0; i < 100000; i++, off += 4)
		memcpy(x + off, "<a/>", 4);
	snprintf(x + off, 200, "</result></GeneralMessageResponse>" ENV_CLOSE);
	CU_ASSERT_EQUAL(dec(x, &m, &e), NPKD_E_LIMIT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "more than 4096 nodes"));
	/* the same as UCS-4 (libxml2 would detect it): refused unread */
	{
		size_t k, n = off + strlen(x + off);
		uint8_t *u = calloc(4, n);

		CU_ASSERT_PTR_NOT_NULL_FATAL(u);
		for (k = 0; k < n; k++)
			u[4 * k] = (uint8_t)x[k];
		CU_ASSERT_EQUAL(npkd_spoc_decode(u, 4 * n, NULL, &m, &e),
		    NPKD_E_FORMAT);
		CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "NUL byte"));
		free(u);
	}
	free(x);
}

static void
messageids_are_the_originators_text(void)
{
	struct npkd_spoc_msg	 m, d;
	struct npkd_buf		 x;
	struct npkd_err		 e;
	char			 id[NPKD_SPOC_MSGID + 8], p[64];

	fill(&m, NPKD_SPOC_ICAO, NPKD_SPOC_GENERAL, 0);
	/* spaces, markup, non-ASCII, and up to 1024 bytes */
	snprintf(m.msgid, sizeof(m.msgid), "AA 2026 <one> & \xc3\xa4 two");
	CU_ASSERT_EQUAL_FATAL(npkd_spoc_encode(&m, &x, &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_spoc_decode(x.data, x.len, NULL, &d, &e),
	    NPKD_OK);
	CU_ASSERT_STRING_EQUAL(d.msgid, m.msgid);
	npkd_spoc_msg_free(&d);
	npkd_buf_free(&x);
	memset(id, 'i', NPKD_SPOC_MSGID_MAX);
	id[NPKD_SPOC_MSGID_MAX] = '\0';
	CU_ASSERT(npkd_spoc_msgid_ok(id));
	memcpy(m.msgid, id, NPKD_SPOC_MSGID_MAX + 1);
	CU_ASSERT_EQUAL_FATAL(npkd_spoc_encode(&m, &x, &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_spoc_decode(x.data, x.len, NULL, &d, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL(strlen(d.msgid), NPKD_SPOC_MSGID_MAX);
	npkd_spoc_msg_free(&d);
	npkd_buf_free(&x);
	id[NPKD_SPOC_MSGID_MAX] = 'i';
	id[NPKD_SPOC_MSGID_MAX + 1] = '\0';
	CU_ASSERT(!npkd_spoc_msgid_ok(id));
	CU_ASSERT(!npkd_spoc_msgid_ok(""));
	CU_ASSERT(!npkd_spoc_msgid_ok("bell \a"));
	/* a request must carry one to be answered by; a push need not */
	CU_ASSERT_EQUAL(dec(ENV_OPEN "<GetCACertificatesRequest " ICAO
	    "><callerID>AA</callerID><messageID></messageID>"
	    "</GetCACertificatesRequest>" ENV_CLOSE, &d, &e), NPKD_E_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "empty messageID"));
	/* printed for logs: nothing that could break a line or a column */
	npkd_spoc_msgid_print("AA 1\n%x", p, sizeof(p));
	CU_ASSERT_STRING_EQUAL(p, "AA%201%0A%25x");
	npkd_spoc_msgid_print("", p, sizeof(p));
	CU_ASSERT_STRING_EQUAL(p, "-");
	memset(id, 'j', 200);
	id[200] = '\0';
	npkd_spoc_msgid_print(id, p, sizeof(p));
	CU_ASSERT_EQUAL(strlen(p), 63);
	CU_ASSERT_STRING_EQUAL(p + 60, "...");
}

static void
utf16_is_read_as_utf8(void)
{
	static const char x[] = ENV_OPEN "<GeneralMessageResponse " ICAO
	    "><result>ok</result></GeneralMessageResponse>" ENV_CLOSE;
	struct npkd_spoc_msg	 m;
	struct npkd_err		 e;
	uint8_t			 le[2 * sizeof(x) + 2], be[2 * sizeof(x) + 2];
	size_t			 i, n = strlen(x);

	le[0] = 0xff, le[1] = 0xfe, be[0] = 0xfe, be[1] = 0xff;
	for (i = 0; i < n; i++) {
		le[2 + 2 * i] = (uint8_t)x[i];
		le[3 + 2 * i] = 0;
		be[2 + 2 * i] = 0;
		be[3 + 2 * i] = (uint8_t)x[i];
	}
	CU_ASSERT_EQUAL(npkd_spoc_decode(le, 2 + 2 * n, NULL, &m, &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(m.result, "ok");
	npkd_spoc_msg_free(&m);
	CU_ASSERT_EQUAL(npkd_spoc_decode(be, 2 + 2 * n, NULL, &m, &e), NPKD_OK);
	npkd_spoc_msg_free(&m);
	/* an unpaired surrogate */
	le[2] = 0x00, le[3] = 0xd8;
	CU_ASSERT_EQUAL(npkd_spoc_decode(le, 2 + 2 * n, NULL, &m, &e),
	    NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(npkd_spoc_decode(le, 2 + 2 * n - 1, NULL, &m, &e),
	    NPKD_E_FORMAT);
}

static int
count_one(void *arg, const struct npkd_spoc_rec *r)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static void
the_store_keeps_messages_once_by_key(void)
{
	struct npkd_store	*st;
	struct npkd_spoc_rec	 r, f;
	struct npkd_spoc_filter	 fl = { "in", "received", NULL, 0, -1 };
	struct npkd_buf		 x;
	struct npkd_err		 e;
	char			 dir[] = "/tmp/npkd-unit.XXXXXX", *v, cmd[64];
	int			 n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL_FATAL(npkd_store_open(dir, NPKD_STORE_CREATE, &st, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL(npkd_spoc_setting_get(st, "country", &v, &e),
	    NPKD_E_NOTFOUND);
	CU_ASSERT_EQUAL(npkd_spoc_setting_set(st, "country", "ZZ", &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_spoc_setting_get(st, "country", &v, &e),
	    NPKD_OK);
	CU_ASSERT_STRING_EQUAL(v, "ZZ");
	free(v);
	memset(&r, 0, sizeof(r));
	snprintf(r.dir, sizeof(r.dir), "in");
	snprintf(r.peer, sizeof(r.peer), "PP");
	r.op = NPKD_SPOC_REQUEST_CERT;
	snprintf(r.msgid, sizeof(r.msgid), "PP-1");
	snprintf(r.state, sizeof(r.state), "received");
	CU_ASSERT_EQUAL(npkd_spoc_msg_add(st, &r, (const uint8_t *)"<a/>", 4,
	    1000, &e), NPKD_OK);
	CU_ASSERT(r.id > 0);
	/* the same key again is refused, whatever the content */
	CU_ASSERT_EQUAL(npkd_spoc_msg_add(st, &r, (const uint8_t *)"<b/>", 4,
	    1001, &e), NPKD_E_VERIFY);
	/* another operation, or the other direction, is another key */
	r.op = NPKD_SPOC_GET_CA;
	CU_ASSERT_EQUAL(npkd_spoc_msg_add(st, &r, (const uint8_t *)"<c/>", 4,
	    1002, &e), NPKD_OK);
	/* pushes carry no messageID: never a key, always filed */
	r.op = NPKD_SPOC_SEND_CERTS;
	r.msgid[0] = '\0';
	CU_ASSERT_EQUAL(npkd_spoc_msg_add(st, &r, (const uint8_t *)"<d/>", 4,
	    1003, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_spoc_msg_add(st, &r, (const uint8_t *)"<d/>", 4,
	    1004, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_spoc_msg_find(st, "in", "PP", NPKD_SPOC_SEND_CERTS,
	    0, "", &f, NULL, &e), NPKD_E_NOTFOUND);
	CU_ASSERT_EQUAL_FATAL(npkd_spoc_msg_find(st, "in", "PP",
	    NPKD_SPOC_REQUEST_CERT, 0, "PP-1", &f, &x, &e), NPKD_OK);
	CU_ASSERT(x.len == 4 && memcmp(x.data, "<a/>", 4) == 0);
	npkd_buf_free(&x);
	CU_ASSERT_EQUAL(npkd_spoc_msg_update(st, f.id, "collected", NULL, 1,
	    1005, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_spoc_msg_get(st, f.id, &f, NULL, &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(f.state, "collected");
	CU_ASSERT_EQUAL(f.attempts, 1);
	CU_ASSERT_EQUAL(npkd_spoc_msg_update(st, 9999, "x", NULL, 0, 1, &e),
	    NPKD_E_NOTFOUND);
	CU_ASSERT_EQUAL(npkd_spoc_msg_list(st, &fl, count_one, &n, &e), NPKD_OK);
	CU_ASSERT_EQUAL(n, 3);
	/* a rolled-back transaction leaves nothing */
	CU_ASSERT_EQUAL(npkd_store_txn(st, NPKD_TXN_BEGIN, &e), NPKD_OK);
	r.op = NPKD_SPOC_GENERAL;
	snprintf(r.msgid, sizeof(r.msgid), "PP-2");
	CU_ASSERT_EQUAL(npkd_spoc_msg_add(st, &r, (const uint8_t *)"<e/>", 4,
	    1006, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_store_txn(st, NPKD_TXN_ROLLBACK, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_spoc_msg_find(st, "in", "PP", NPKD_SPOC_GENERAL, 0,
	    "PP-2", &f, NULL, &e), NPKD_E_NOTFOUND);
	npkd_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

CU_TestInfo t_soap[] = {
	{ "every operation round trips in both dialects",
	    every_operation_round_trips_in_both_dialects },
	{ "codes of the other dialect are not written",
	    codes_of_the_other_dialect_are_not_written },
	{ "known spelling variants are read", known_variants_are_read },
	{ "hostile and invalid XML is refused with the reason",
	    hostile_and_invalid_xml_is_refused },
	{ "the store keeps messages once by key",
	    the_store_keeps_messages_once_by_key },
	{ "the streaming pass keeps libxml2 within budget",
	    the_streaming_pass_keeps_libxml2_within_budget },
	{ "messageIDs are the originator's text",
	    messageids_are_the_originators_text },
	{ "UTF-16 is read as UTF-8", utf16_is_read_as_utf8 },
	CU_TEST_INFO_NULL
};
