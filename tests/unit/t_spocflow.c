/*
 * t_spocflow.c - the SPOC rules in the library, once for every caller:
 * certificates that arrive (OpenPACE-made genuine ones and forgeries from
 * testdata/genspoc.sh) against a real register, and the relay's answers
 * (npkd_spoc_serve) against a real store.  The EAC material comes from
 * NPKD_CVC and NPKD_SPOC; without it the tests say so and pass nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

static int
have_eac(void)
{
	const char	*s = getenv("NPKD_SPOC");
	char		 p[4096];
	FILE		*f;

	if (s == NULL || getenv("NPKD_CVC") == NULL)
		return 0;
	snprintf(p, sizeof(p), "%s/eac/zz_dv3.cvcert", s);
	if ((f = fopen(p, "r")) == NULL)
		return 0;
	fclose(f);
	return 1;
}

#define NEED_EAC() do {							\
	if (!have_eac()) {						\
		fprintf(stderr, "skipped: no EAC test material "	\
		    "(NPKD_CVC, NPKD_SPOC)\n");				\
		return;							\
	}								\
} while (0)

/* A file of the EAC PKI (cv) or of the SPOC material (eac). */
static struct npkd_buf
eac(int spoc, const char *name)
{
	struct npkd_buf	 b = { NULL, 0 };
	struct npkd_err	 e;
	char		 p[4096];

	snprintf(p, sizeof(p), "%s/%s%s", getenv(spoc ? "NPKD_SPOC" :
	    "NPKD_CVC"), spoc ? "eac/" : "", name);
	if (npkd_file_read(p, 1 << 20, &b, &e) != NPKD_OK) {
		fprintf(stderr, "%s\n", e.msg);
		CU_FAIL_FATAL("EAC fixture");
	}
	return b;
}

static const char *
eac_path(int spoc, const char *name)
{
	static char p[4096];

	snprintf(p, sizeof(p), "%s/%s%s", getenv(spoc ? "NPKD_SPOC" :
	    "NPKD_CVC"), spoc ? "eac/" : "", name);
	return p;
}

static struct npkd_cvc *
cvc(int spoc, const char *name)
{
	struct npkd_buf	 b = eac(spoc, name);
	struct npkd_cvc	*c = NULL;
	struct npkd_err	 e;

	CU_ASSERT_EQUAL_FATAL(npkd_cvc_parse(b.data, b.len, 0, &c, &e), NPKD_OK);
	npkd_buf_free(&b);
	return c;
}

static struct npkd_store *
new_store(char *dir)
{
	struct npkd_store	*st;
	struct npkd_err		 e;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	CU_ASSERT_EQUAL_FATAL(npkd_store_open(dir, NPKD_STORE_CREATE, &st, &e),
	    NPKD_OK);
	return st;
}

static void
drop_store(struct npkd_store *st, const char *dir)
{
	char cmd[128];

	npkd_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CU_ASSERT_EQUAL(system(cmd), 0);
}

static void
reg(struct npkd_store *st, const char *name)
{
	struct npkd_cvc	*c = cvc(0, name);
	struct npkd_err	 e;

	CU_ASSERT_EQUAL(npkd_store_cv_add(st, c, "registered", NULL, &e),
	    NPKD_OK);
	npkd_cvc_free(c);
}

struct names {
	char	v[16][32];
	size_t	n;
};

static int
name_one(void *arg, const uint8_t *der, size_t len, const char *origin)
{
	struct names	*s = arg;
	struct npkd_cvc	*c;

	(void)origin;
	if (s->n < 16 && npkd_cvc_parse(der, len, 0, &c, NULL) == NPKD_OK) {
		snprintf(s->v[s->n++], 32, "%s<%s", npkd_cvc_chr(c),
		    npkd_cvc_car(c));
		npkd_cvc_free(c);
	}
	return 0;
}

/* The register's certificates of origin, "CHR<CAR" each. */
static size_t
names(struct npkd_store *st, const char *origin, struct names *s)
{
	memset(s, 0, sizeof(*s));
	CU_ASSERT_EQUAL(npkd_store_cv_list(st, origin, -1, 0, name_one, s,
	    NULL), NPKD_OK);
	return s->n;
}

static int
has(const struct names *s, const char *what)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], what) == 0)
			return 1;
	return 0;
}

/* A request of our DV (key in file k) for chr, params from p, signed
 * outside by PP's CVCA. */
static struct npkd_buf
request(const char *k, const char *p, const char *chr)
{
	struct npkd_cvc_req_opts	 o;
	struct npkd_cvc			*params = cvc(0, p), *outer;
	struct npkd_key			*key, *okey;
	struct npkd_buf			 out;
	struct npkd_err			 e;

	outer = cvc(0, "pp_cvca.cvcert");
	CU_ASSERT_EQUAL_FATAL(npkd_key_load(eac_path(1, k), NULL, &key, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_key_load(eac_path(0, "pp_cvca.pk8"), NULL,
	    &okey, &e), NPKD_OK);
	memset(&o, 0, sizeof(o));
	o.chr = chr;
	o.car = "ZZCVCA00001";
	o.params_from = params;
	o.key = key;
	o.outer_key = okey;
	o.outer_cert = outer;
	o.outer_dp = outer;
	if (npkd_cvc_request(&o, &out, &e) != NPKD_OK) {
		fprintf(stderr, "request: %s\n", e.msg);
		CU_FAIL_FATAL("request");
	}
	npkd_key_free(key);
	npkd_key_free(okey);
	npkd_cvc_free(params);
	npkd_cvc_free(outer);
	return out;
}

static void
pushed_cvcas_verify_under_the_register_only(void)
{
	struct npkd_store	*st;
	struct npkd_buf		 c[4];
	struct names		 s;
	struct npkd_err		 e;
	char			 dir[] = "/tmp/npkd-unit.XXXXXX";
	size_t			 v, u;
	time_t			 now = time(NULL);

	NEED_EAC();
	st = new_store(dir);
	reg(st, "zz_cvca.cvcert");
	reg(st, "bb_cvca.cvcert");
	/* in an order that needs no order; three forgeries */
	c[0] = eac(1, "rogue_cvca.cvcert");
	c[1] = eac(1, "bb_signed_zz.cvcert");
	c[2] = eac(1, "rogue_cvca_samename.cvcert");
	c[3] = eac(0, "zz_link.cvcert");
	CU_ASSERT_EQUAL(npkd_spoc_take_cvcas(st, "ZZ", c, 4, now, &v, &u, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL(v, 1);
	CU_ASSERT_EQUAL(u, 3);
	CU_ASSERT_EQUAL(names(st, "registered", &s), 3);
	CU_ASSERT(has(&s, "ZZCVCA00002<ZZCVCA00001"));
	CU_ASSERT(!has(&s, "ZZCVCA00009<ZZCVCA00009"));
	CU_ASSERT(!has(&s, "ZZCVCA00005<BBCVCA00001"));
	/* BB's pushes may not speak for ZZ, nor ZZ's link for BB */
	CU_ASSERT_EQUAL(npkd_spoc_take_cvcas(st, "BB", &c[3], 1, now, &v, &u,
	    &e), NPKD_OK);
	CU_ASSERT_EQUAL(v, 0);
	/* a root nobody registered is never taken, even alone */
	CU_ASSERT_EQUAL(npkd_spoc_take_cvcas(st, "ZZ", &c[0], 1, now, &v, &u,
	    &e), NPKD_OK);
	CU_ASSERT_EQUAL(v, 0);
	CU_ASSERT_EQUAL(u, 1);
	for (v = 0; v < 4; v++)
		npkd_buf_free(&c[v]);
	drop_store(st, dir);
}

static void
an_answer_must_certify_our_key_under_a_registered_cvca(void)
{
	static const struct {
		const char	*certs[3];
		int		 spoc[3];
		int		 rc;
	} v[] = {
		/* the case: a CVCA ZZ made, a DV for another key */
		{ { "rogue_dv_other.cvcert", "rogue_cvca.cvcert" }, { 1, 1 },
		    NPKD_E_VERIFY },
		{ { "rogue_dv3.cvcert", "rogue_cvca.cvcert" }, { 1, 1 },
		    NPKD_E_VERIFY },
		{ { "rogue_dv3_samename.cvcert", "rogue_cvca_samename.cvcert" },
		    { 1, 1 }, NPKD_E_VERIFY },
		{ { "zz_dv3_otherkey.cvcert", "zz_cvca.cvcert" }, { 1, 0 },
		    NPKD_E_VERIFY },
		/* the link must come along: alone, the DV has no issuer */
		{ { "zz_dv3_link.cvcert" }, { 1 }, NPKD_E_VERIFY },
		{ { "zz_dv3.cvcert" }, { 1 }, NPKD_OK },
		{ { "rogue_cvca.cvcert", "zz_link.cvcert",
		    "zz_dv3_link.cvcert" }, { 1, 0, 1 }, NPKD_OK },
	};
	struct npkd_store	*st;
	struct npkd_buf		 req, c[3], dv, want;
	struct names		 s;
	struct npkd_err		 e;
	char			 dir[] = "/tmp/npkd-unit.XXXXXX";
	size_t			 i, k, n, ver, unv;

	NEED_EAC();
	st = new_store(dir);
	reg(st, "zz_cvca.cvcert");
	req = request("pp_dv3.pk8", "zz_cvca.cvcert", "PPDVIS00003");
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (n = 0; n < 3 && v[i].certs[n] != NULL; n++)
			c[n] = eac(v[i].spoc[n], v[i].certs[n]);
		if (npkd_spoc_take_dv(st, "ZZ", req.data, req.len, c, n,
		    time(NULL), &dv, &ver, &unv, &e) != v[i].rc) {
			fprintf(stderr, "case %zu: %s\n", i, e.msg);
			CU_FAIL("verdict on an answer");
		}
		if (v[i].rc != NPKD_OK) {
			CU_ASSERT_PTR_NULL(dv.data);
			CU_ASSERT_EQUAL(names(st, "ours", &s), 0);
			CU_ASSERT_EQUAL(names(st, "registered", &s), 1);
		} else {
			want = c[n - 1];
			CU_ASSERT(dv.len == want.len && memcmp(dv.data,
			    want.data, dv.len) == 0);
		}
		npkd_buf_free(&dv);
		for (k = 0; k < n; k++)
			npkd_buf_free(&c[k]);
	}
	CU_ASSERT_EQUAL(names(st, "ours", &s), 2);
	CU_ASSERT_EQUAL(names(st, "registered", &s), 2);
	CU_ASSERT(has(&s, "ZZCVCA00002<ZZCVCA00001"));
	npkd_buf_free(&req);
	/* a P-256 request's point, certified under a brainpool CVCA: not
	 * our key, though the point is */
	req = request("pp_dv4.pk8", "pp_cvca.cvcert", "PPDVIS00004");
	c[0] = eac(1, "zz_dv4_p256.cvcert");
	CU_ASSERT_EQUAL(npkd_spoc_take_dv(st, "ZZ", req.data, req.len, c, 1,
	    time(NULL), &dv, &ver, &unv, &e), NPKD_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not the key of our request"));
	npkd_buf_free(&c[0]);
	npkd_buf_free(&req);
	drop_store(st, dir);
}

/* --- the relay's answers -------------------------------------------- */

static struct npkd_store *
relay_store(char *dir, struct npkd_spoc_peer *pp, struct npkd_spoc_peer *zz)
{
	struct npkd_store	*st = new_store(dir);
	struct npkd_err		 e;

	CU_ASSERT_EQUAL(npkd_spoc_setting_set(st, "country", "YY", &e),
	    NPKD_OK);
	memset(pp, 0, sizeof(*pp));
	snprintf(pp->country, sizeof(pp->country), "PP");
	snprintf(pp->url, sizeof(pp->url), "https://localhost:1/spoc");
	pp->dialect = NPKD_SPOC_CSN;
	pp->ca = (char *)"-";
	*zz = *pp;
	snprintf(zz->country, sizeof(zz->country), "ZZ");
	zz->dialect = NPKD_SPOC_ICAO;
	CU_ASSERT_EQUAL(npkd_spoc_peer_put(st, pp, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_spoc_peer_put(st, zz, &e), NPKD_OK);
	return st;
}

#define ENV(ns, el, inner) "<?xml version=\"1.0\"?><s:Envelope xmlns:s=" \
	"\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><" el	\
	" xmlns=\"" ns "\">" inner "</" el "></s:Body></s:Envelope>"
#define CSN	"http://namespaces.unmz.cz/csn369791"
#define ICAO	"http://namespaces.icao.int/lds2"

static int
count_rows(void *arg, const struct npkd_spoc_rec *r)
{
	(void)r;
	(*(int *)arg)++;
	return 0;
}

static int
rows(struct npkd_store *st)
{
	struct npkd_spoc_filter f = { "in", NULL, NULL, 0, -1 };
	int n = 0;

	npkd_spoc_msg_list(st, &f, count_rows, &n, NULL);
	return n;
}

static int
serve(struct npkd_store *st, const struct npkd_spoc_peer *p, const char *x,
    const char *action, struct npkd_spoc_served *o)
{
	struct npkd_spoc_msg	m;
	struct npkd_err		e;
	int			rc;

	rc = npkd_spoc_serve(st, p, (const uint8_t *)x, strlen(x), action,
	    time(NULL), o, &e);
	CU_ASSERT_EQUAL(rc, NPKD_OK);
	/* every normal answer reads back as a valid response */
	if (o->status == 200) {
		CU_ASSERT_EQUAL(npkd_spoc_decode(o->body.data, o->body.len,
		    NULL, &m, &e), NPKD_OK);
		CU_ASSERT(m.response);
		CU_ASSERT_STRING_EQUAL(m.result, o->result);
		npkd_spoc_msg_free(&m);
	}
	return o->status;
}

static void
the_relay_answers_to_the_letter_of_section_8(void)
{
	static const struct {
		int		 peer;	/* 0: PP (CSN), 1: ZZ (ICAO) */
		const char	*xml, *action;
		int		 status;
		const char	*result;
		int		 filed;
	} v[] = {
		{ 0, ENV(CSN, "GeneralMessageRequest", "<callerID>PP</callerID>"
		    "<messageID>PP 1</messageID><subject>s</subject><body>b"
		    "</body>"), "\"GeneralMessage\"", 200, "ok", 1 },
		/* again: the same answer, not filed twice */
		{ 0, ENV(CSN, "GeneralMessageRequest", "<callerID>PP</callerID>"
		    "<messageID>PP 1</messageID><subject>s</subject><body>b"
		    "</body>"), NULL, 200, "ok", 0 },
		/* another message under that messageID */
		{ 0, ENV(CSN, "GeneralMessageRequest", "<callerID>PP</callerID>"
		    "<messageID>PP 1</messageID><subject>s</subject><body>c"
		    "</body>"), NULL, 200, "failure_internal_error", 0 },
		/* who says he calls is who the certificate says */
		{ 0, ENV(CSN, "GeneralMessageRequest", "<callerID>ZZ</callerID>"
		    "<messageID>x</messageID><subject>s</subject><body>b"
		    "</body>"), NULL, 401, "", 0 },
		{ 1, ENV(ICAO, "GeneralMessageRequest", "<callerID>Z&#90;"
		    "</callerID><messageID>x</messageID><subject>s</subject>"
		    "<body>b</body>"), NULL, 200, "ok", 1 },
		/* invalid, but the operation is known: a normal answer */
		{ 1, ENV(ICAO, "GetCACertificatesRequest", "<callerID>ZZ"
		    "</callerID>"), NULL, 200, "failure_syntax", 0 },
		{ 0, ENV(CSN, "GetCACertificatesRequest", "<callerID>PP"
		    "</callerID>"), NULL, 200, "failure_request_not_accepted",
		    0 },
		{ 1, "<not xml", "\"RequestCertificate\"", 200,
		    "failure_syntax", 0 },
		{ 1, ENV(ICAO, "GeneralMessageResponse", "<result>ok</result>"),
		    NULL, 200, "failure_syntax", 0 },
		/* a SOAPAction that names another operation */
		{ 1, ENV(ICAO, "GetCACertificatesRequest", "<callerID>ZZ"
		    "</callerID><messageID>a</messageID>"), "GeneralMessage",
		    200, "failure_syntax", 0 },
		/* not even the operation can be told */
		{ 1, "<not xml", NULL, 500, "Client", 0 },
		{ 1, "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-"
		    "envelope\"><s:Body/></s:Envelope>", NULL, 500,
		    "VersionMismatch", 0 },
		{ 1, "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/"
		    "envelope/\"><s:Header><h xmlns=\"urn:x\" s:mustUnderstand="
		    "\"1\"/></s:Header><s:Body><GeneralMessageRequest xmlns=\""
		    ICAO "\"><callerID>ZZ</callerID><messageID>m</messageID>"
		    "<subject>s</subject><body>b</body></GeneralMessageRequest>"
		    "</s:Body></s:Envelope>", NULL, 500, "MustUnderstand", 0 },
		/* pushes: filed once by content, their messageID ignored */
		{ 1, ENV(ICAO, "SendCertificatesRequest", "<callerID>ZZ"
		    "</callerID><certificateSequence><certificate>fyEA"
		    "</certificate></certificateSequence><statusInfo>"
		    "new_cert_available_notification</statusInfo>"), NULL, 200,
		    "ok_received_correctly", 1 },
		{ 1, ENV(ICAO, "SendCertificatesRequest", "<callerID>ZZ"
		    "</callerID><messageID>any</messageID><certificateSequence>"
		    "<certificate>\nfyEA\n</certificate></certificateSequence>"
		    "<statusInfo>new_cer_available_notification</statusInfo>"),
		    NULL, 200, "ok_received_correctly", 0 },
		/* an answer to nothing we asked */
		{ 1, ENV(ICAO, "SendCertificatesRequest", "<callerID>ZZ"
		    "</callerID><messageID>never</messageID><statusInfo>"
		    "ok_cert_available</statusInfo>"), NULL, 200,
		    "failure_messageID_unknown", 0 },
	};
	struct npkd_spoc_peer	 p[2];
	struct npkd_spoc_served	 o;
	struct npkd_store	*st;
	char			 dir[] = "/tmp/npkd-unit.XXXXXX";
	size_t			 i;
	int			 n;

	st = relay_store(dir, &p[0], &p[1]);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = rows(st);
		if (serve(st, &p[v[i].peer], v[i].xml, v[i].action, &o) !=
		    v[i].status || strcmp(o.result, v[i].result) != 0) {
			fprintf(stderr, "case %zu: %d %s: %s\n", i, o.status,
			    o.result, o.log);
			CU_FAIL("the relay's answer");
		}
		CU_ASSERT_EQUAL(rows(st), n + v[i].filed);
		if (v[i].status == 500)
			CU_ASSERT_PTR_NOT_NULL(memmem(o.body.data, o.body.len,
			    v[i].result, strlen(v[i].result)));
		npkd_spoc_served_free(&o);
	}
	drop_store(st, dir);
}

static void
a_body_over_budget_is_answered_without_a_tree(void)
{
	struct npkd_spoc_peer	 p[2];
	struct npkd_spoc_served	 o;
	struct npkd_store	*st;
	char			 dir[] = "/tmp/npkd-unit.XXXXXX", *x;
	size_t			 i, n = 200000, off;
	static const char	 head[] = "<s:Envelope xmlns:s=\"http://schemas."
	    "xmlsoap.org/soap/envelope/\"><s:Body><GeneralMessageRequest xmlns"
	    "=\"" ICAO "\"><callerID>ZZ</callerID><messageID>m</messageID>"
	    "<subject>";
	static const char	 tail[] = "</subject><body>b</body>"
	    "</GeneralMessageRequest></s:Body></s:Envelope>";

	st = relay_store(dir, &p[0], &p[1]);
	x = malloc(sizeof(head) + 4 * n + sizeof(tail));
	CU_ASSERT_PTR_NOT_NULL_FATAL(x);
	memcpy(x, head, sizeof(head) - 1);
	off = sizeof(head) - 1;
	for (i = 0; i < n; i++, off += 4)
		memcpy(x + off, "<a/>", 4);
	memcpy(x + off, tail, sizeof(tail));
	CU_ASSERT_EQUAL(serve(st, &p[1], x, NULL, &o), 200);
	CU_ASSERT_STRING_EQUAL(o.result, "failure_syntax");
	CU_ASSERT_PTR_NOT_NULL(strstr(o.log, "more than 4096 nodes"));
	npkd_spoc_served_free(&o);
	free(x);
	drop_store(st, dir);
}

static void
the_wsdl_served_names_the_service(void)
{
	struct npkd_buf		w;
	struct npkd_spoc_msg	m;
	struct npkd_err		e;

	CU_ASSERT_EQUAL_FATAL(npkd_spoc_wsdl(NPKD_SPOC_ICAO,
	    "https://spoc.zz:8443/a\"b<c&", &w, &e), NPKD_OK);
#define LOC "location=\"https://spoc.zz:8443/a&quot;b&lt;c&amp;\""
#define TNS "targetNamespace=\"" ICAO "\""
	CU_ASSERT_PTR_NOT_NULL(memmem(w.data, w.len, LOC, strlen(LOC)));
	CU_ASSERT_PTR_NOT_NULL(memmem(w.data, w.len, TNS, strlen(TNS)));
	/* the schema is inlined, not imported */
	CU_ASSERT_PTR_NULL(memmem(w.data, w.len, "schemaLocation", 14));
	CU_ASSERT_PTR_NOT_NULL(memmem(w.data, w.len, "RequestCertificateResult",
	    24));
	/* it is XML, but not a SPOC message */
	CU_ASSERT_EQUAL(npkd_spoc_decode(w.data, w.len, NULL, &m, &e),
	    NPKD_E_FORMAT);
	npkd_buf_free(&w);
	CU_ASSERT_EQUAL_FATAL(npkd_spoc_wsdl(NPKD_SPOC_CSN, NULL, &w, &e),
	    NPKD_OK);
	CU_ASSERT_PTR_NOT_NULL(memmem(w.data, w.len, CSN, strlen(CSN)));
	npkd_buf_free(&w);
	CU_ASSERT_EQUAL(npkd_spoc_wsdl(7, NULL, &w, &e), NPKD_E_USAGE);
}


static void
only_a_valid_answer_of_the_operation_is_a_delivery(void)
{
	static const char ok[] = ENV(ICAO, "GeneralMessageResponse",
	    "<result>ok</result>");
	static const char flt[] = "<s:Envelope xmlns:s=\"http://schemas."
	    "xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultcode>s:Server"
	    "</faultcode><faultstring>down</faultstring></s:Fault></s:Body>"
	    "</s:Envelope>";
	struct npkd_spoc_msg	a;
	struct npkd_err		e;

	CU_ASSERT_EQUAL(npkd_spoc_delivered(NPKD_SPOC_GENERAL, 200,
	    (const uint8_t *)ok, strlen(ok), "u", &a, &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(a.result, "ok");
	npkd_spoc_msg_free(&a);
	CU_ASSERT_EQUAL(npkd_spoc_delivered(NPKD_SPOC_GET_CA, 200,
	    (const uint8_t *)ok, strlen(ok), "u", &a, &e), NPKD_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "answered GeneralMessageResponse"));
	CU_ASSERT_EQUAL(npkd_spoc_delivered(NPKD_SPOC_GENERAL, 404,
	    (const uint8_t *)ok, strlen(ok), "u", &a, &e), NPKD_E_VERIFY);
	CU_ASSERT_EQUAL(npkd_spoc_delivered(NPKD_SPOC_GENERAL, 500,
	    (const uint8_t *)flt, strlen(flt), "u", &a, &e), NPKD_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "SOAP fault: down"));
	CU_ASSERT_EQUAL(a.op, 0);
}

CU_TestInfo t_spocflow[] = {
	{ "pushed CVCAs verify under the register only",
	    pushed_cvcas_verify_under_the_register_only },
	{ "an answer must certify our key under a registered CVCA",
	    an_answer_must_certify_our_key_under_a_registered_cvca },
	{ "the relay answers to the letter of section 8",
	    the_relay_answers_to_the_letter_of_section_8 },
	{ "a body over budget is answered without a tree",
	    a_body_over_budget_is_answered_without_a_tree },
	{ "the WSDL served names the service",
	    the_wsdl_served_names_the_service },
	{ "only a valid answer of the operation is a delivery",
	    only_a_valid_answer_of_the_operation_is_a_delivery },
	CU_TEST_INFO_NULL
};
