/*
 * t_cvc.c - CV certificate decoding against byte layouts written out by
 * hand from BSI TR-03110-3 appendix C (tags, lengths, date digits, CHAT
 * bits), not produced by the code under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"
#include "cvc_int.h"

/*
 * 7F21 81 9C                              CV certificate, 156 bytes
 *   7F4E 56                               body, 86 bytes
 *     5F29 01 00                          profile identifier 0
 *     42 0B "DECVCA00001"                 CAR
 *     7F49 11                             public key
 *       06 0A 04 00 7F 00 07 02 02 02 02 03   id-TA-ECDSA-SHA-256
 *       86 03 04 01 02                    point (not checked here)
 *     5F20 0B "DETERM00001"               CHR
 *     7F4C 0E                             CHAT
 *       06 09 04 00 7F 00 07 03 01 02 01  id-IS
 *       53 01 03                          terminal, read DG3 and DG4
 *     5F25 06 02 06 00 01 00 01           effective 2026-01-01
 *     5F24 06 02 06 01 02 03 01           expires 2026-12-31
 *   5F37 40 <64 bytes>                    signature
 */
static const uint8_t head[] = {
	0x7f, 0x21, 0x81, 0x9c,
	0x7f, 0x4e, 0x56,
	0x5f, 0x29, 0x01, 0x00,
	0x42, 0x0b, 'D', 'E', 'C', 'V', 'C', 'A', '0', '0', '0', '0', '1',
	0x7f, 0x49, 0x11,
	0x06, 0x0a, 0x04, 0x00, 0x7f, 0x00, 0x07, 0x02, 0x02, 0x02, 0x02, 0x03,
	0x86, 0x03, 0x04, 0x01, 0x02,
	0x5f, 0x20, 0x0b, 'D', 'E', 'T', 'E', 'R', 'M', '0', '0', '0', '0', '1',
	0x7f, 0x4c, 0x0e,
	0x06, 0x09, 0x04, 0x00, 0x7f, 0x00, 0x07, 0x03, 0x01, 0x02, 0x01,
	0x53, 0x01, 0x03,
	0x5f, 0x25, 0x06, 0x02, 0x06, 0x00, 0x01, 0x00, 0x01,
	0x5f, 0x24, 0x06, 0x02, 0x06, 0x01, 0x02, 0x03, 0x01,
	0x5f, 0x37, 0x40,
};

static size_t
build(uint8_t *out)
{
	memcpy(out, head, sizeof(head));
	memset(out + sizeof(head), 0xab, 64);
	return sizeof(head) + 64;
}

static void
hand_written_certificate_decodes_field_by_field(void)
{
	uint8_t		 b[256];
	size_t		 n = build(b);
	struct npkd_cvc	*c;
	struct npkd_err	 e;
	char		 r[8][48];

	CU_ASSERT_EQUAL(n, 160);
	CU_ASSERT_EQUAL_FATAL(npkd_cvc_parse(b, n, 0, &c, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_cvc_kind(c), NPKD_CVC_CERT);
	CU_ASSERT_STRING_EQUAL(npkd_cvc_car(c), "DECVCA00001");
	CU_ASSERT_STRING_EQUAL(npkd_cvc_chr(c), "DETERM00001");
	CU_ASSERT_STRING_EQUAL(npkd_cvc_key_oid(c), "0.4.0.127.0.7.2.2.2.2.3");
	CU_ASSERT_STRING_EQUAL(npkd_cvc_sigalg_name(c), "ecdsa-sha-256");
	CU_ASSERT_EQUAL(npkd_cvc_role(c), NPKD_CVC_TERMINAL);
	CU_ASSERT_STRING_EQUAL(npkd_cvc_terminal_type(c), "IS");
	CU_ASSERT_EQUAL_FATAL(npkd_cvc_rights(c, r, 8), 2);
	CU_ASSERT_STRING_EQUAL(r[0], "read DG3 (fingerprint)");
	CU_ASSERT_STRING_EQUAL(r[1], "read DG4 (iris)");
	CU_ASSERT_EQUAL(npkd_cvc_effective(c), 1767225600);	/* 2026-01-01 */
	CU_ASSERT_EQUAL(npkd_cvc_expiry(c), 1798761599);	/* 2026-12-31 end */
	CU_ASSERT_FALSE(npkd_cvc_has_domain_params(c));
	npkd_cvc_free(c);
}

static void
role_bits_are_the_top_two_bits(void)
{
	static const int roles[4] = { NPKD_CVC_TERMINAL, NPKD_CVC_DV_FOREIGN,
	    NPKD_CVC_DV_DOMESTIC, NPKD_CVC_CVCA };
	uint8_t		 b[256];
	size_t		 n = build(b);
	struct npkd_cvc	*c;
	struct npkd_err	 e;
	int		 i;

	for (i = 0; i < 4; i++) {
		b[74] = (uint8_t)((i << 6) | 0x01);	/* the rights byte */
		CU_ASSERT_EQUAL_FATAL(npkd_cvc_parse(b, n, 0, &c, &e), NPKD_OK);
		CU_ASSERT_EQUAL(npkd_cvc_role(c), roles[i]);
		npkd_cvc_free(c);
	}
}

static void
malformed_layouts_are_refused(void)
{
	uint8_t		 b[256], x[300];
	size_t		 n = build(b);
	struct npkd_cvc	*c = NULL;
	struct npkd_err	 e;

	/* a date digit that is not 0-9 */
	memcpy(x, b, n);
	x[80] = 0x0a;
	CU_ASSERT_EQUAL(npkd_cvc_parse(x, n, 0, &c, &e), NPKD_E_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "six digits"));
	/* indefinite length */
	memcpy(x, b, n);
	x[2] = 0x80;
	CU_ASSERT_EQUAL(npkd_cvc_parse(x, n, 0, &c, &e), NPKD_E_FORMAT);
	/* a non-minimal length: 82 00 9C for 9C */
	x[0] = 0x7f;
	x[1] = 0x21;
	x[2] = 0x82;
	x[3] = 0x00;
	memcpy(x + 4, b + 3, n - 3);
	CU_ASSERT_EQUAL(npkd_cvc_parse(x, n + 1, 0, &c, &e), NPKD_E_FORMAT);
	/* trailing bytes */
	memcpy(x, b, n);
	x[n] = 0;
	CU_ASSERT_EQUAL(npkd_cvc_parse(x, n + 1, 0, &c, &e), NPKD_E_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "trailing"));
	/* an unknown tag in place of the CHR */
	memcpy(x, b, n);
	x[44] = 0x5f;
	x[45] = 0x21;
	CU_ASSERT_EQUAL(npkd_cvc_parse(x, n, 0, &c, &e), NPKD_E_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "unexpected tag"));
	/* profile identifier 1 */
	memcpy(x, b, n);
	x[10] = 1;
	CU_ASSERT_EQUAL(npkd_cvc_parse(x, n, 0, &c, &e), NPKD_E_FORMAT);
	/* every truncation */
	for (size_t k = 0; k < n; k++)
		CU_ASSERT_NOT_EQUAL(npkd_cvc_parse(b, k, 0, &c, &e), NPKD_OK);
	CU_ASSERT_PTR_NULL(c);
}

static void
nested_certificates_in_place_of_a_body_are_refused(void)
{
	uint8_t		 b[64];
	struct npkd_cvc	*c = NULL;
	struct npkd_err	 e;
	size_t		 i;

	/* 20 nested 7F21 headers with consistent lengths */
	for (i = 0; i < 20; i++) {
		b[3 * i] = 0x7f;
		b[3 * i + 1] = 0x21;
		b[3 * i + 2] = (uint8_t)(3 * (19 - i));
	}
	CU_ASSERT_EQUAL(npkd_cvc_parse(b, 60, 0, &c, &e), NPKD_E_FORMAT);
	CU_ASSERT_PTR_NULL(c);
}

/* The expiry digits of the hand-written certificate: YYMMDD at 87..92. */
static int
parse_expiring(int yy, int mm, int dd)
{
	uint8_t		 b[256];
	size_t		 n = build(b);
	struct npkd_cvc	*c = NULL;
	struct npkd_err	 e;
	int		 rc;

	b[87] = (uint8_t)(yy / 10);
	b[88] = (uint8_t)(yy % 10);
	b[89] = (uint8_t)(mm / 10);
	b[90] = (uint8_t)(mm % 10);
	b[91] = (uint8_t)(dd / 10);
	b[92] = (uint8_t)(dd % 10);
	rc = npkd_cvc_parse(b, n, 0, &c, &e);
	npkd_cvc_free(c);
	return rc;
}

static void
dates_are_days_of_the_calendar(void)
{
	CU_ASSERT_EQUAL(parse_expiring(26, 2, 28), NPKD_OK);
	CU_ASSERT_EQUAL(parse_expiring(26, 2, 29), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(parse_expiring(26, 2, 30), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(parse_expiring(28, 2, 29), NPKD_OK);	/* leap */
	CU_ASSERT_EQUAL(parse_expiring(26, 4, 31), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(parse_expiring(26, 12, 31), NPKD_OK);
	CU_ASSERT_EQUAL(parse_expiring(26, 13, 1), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(parse_expiring(26, 0, 1), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(parse_expiring(26, 1, 0), NPKD_E_FORMAT);
}

static void
typed_dates_are_days_of_the_calendar(void)
{
	struct npkd_err	 e;
	time_t		 t;

	CU_ASSERT_EQUAL(npkd_cvc_date("2028-02-29", &t, &e), NPKD_OK);
	CU_ASSERT_EQUAL(t, 1835438400);		/* noon UTC */
	CU_ASSERT_EQUAL(npkd_cvc_date("2000-02-29", &t, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_cvc_date("2026-02-30", &t, &e), NPKD_E_USAGE);
	CU_ASSERT_EQUAL(npkd_cvc_date("2100-02-28", &t, &e), NPKD_E_USAGE);
	CU_ASSERT_EQUAL(npkd_cvc_date("2026-2-3", &t, &e), NPKD_E_USAGE);
	CU_ASSERT_EQUAL(npkd_cvc_date("2026-02-03x", &t, &e), NPKD_E_USAGE);
	CU_ASSERT_EQUAL(npkd_cvc_date("2026/02/03", &t, &e), NPKD_E_USAGE);
}

static void
numbers_are_digits_within_their_range(void)
{
	static const char *bad[] = { "", "abc", "2e14", "-5", " 90", "90 ",
	    "+90", "0x10", "90x", "200000000000000", "99999999999999999999",
	    "1099" };
	struct npkd_err	 e;
	long		 v;
	size_t		 i;

	CU_ASSERT_EQUAL(npkd_cvc_number("90", 1, 1098, &v, &e), NPKD_OK);
	CU_ASSERT_EQUAL(v, 90);
	CU_ASSERT_EQUAL(npkd_cvc_number("1098", 1, 1098, &v, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_cvc_number("0", 1, 1098, &v, &e), NPKD_E_USAGE);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(npkd_cvc_number(bad[i], 1, 1098, &v, &e),
		    NPKD_E_USAGE);
		CU_ASSERT_EQUAL(v, 0);
	}
}

static void
sequence_numbers_follow_their_numbering(void)
{
	static const struct {
		const char	*prev[3];
		const char	*seq;
		int		 rc;
	} t[] = {
		{ { NULL }, "00001", NPKD_OK },
		{ { "00007" }, "00008", NPKD_OK },
		{ { "00007" }, "00007", NPKD_E_VERIFY },
		{ { "00008" }, "00007", NPKD_E_VERIFY },
		/* text order would accept this, and refuse the next */
		{ { "00007" }, "0000A", NPKD_E_VERIFY },
		{ { "00007", "0000A" }, "00008", NPKD_OK },
		{ { "0000A" }, "0000B", NPKD_OK },
		{ { "0000Z" }, "00010", NPKD_E_VERIFY },
		{ { "00009", "0000Z" }, "00010", NPKD_OK },
		{ { "0001Z" }, "0002A", NPKD_OK },
		{ { "0001Z" }, "AA001", NPKD_OK },
		/* the certifying country's code (ZZ) and three alphanumerics */
		{ { "ZZ009" }, "ZZ00A", NPKD_OK },
		{ { "ZZ00A" }, "ZZ009", NPKD_E_VERIFY },
		{ { "ZZ00A" }, "YY001", NPKD_E_VERIFY },
		{ { "ZZ00A", "YY001" }, "ZZ00B", NPKD_OK },
		{ { "ZZ00A", "00001" }, "00002", NPKD_OK },
		/* exhausted numberings start over */
		{ { "99999" }, "00001", NPKD_OK },
		{ { "ZZZZZ" }, "ZZ001", NPKD_OK },
		{ { "ZZZZZ" }, "ZZZZZ", NPKD_E_VERIFY },
		{ { "YZZZZ" }, "YZZZZ", NPKD_E_VERIFY },
		{ { "AZZZZ" }, "B0000", NPKD_OK },
		/* not sequence numbers */
		{ { NULL }, "0000a", NPKD_E_FORMAT },
		{ { NULL }, "0001", NPKD_E_FORMAT },
		{ { NULL }, "000001", NPKD_E_FORMAT },
		{ { NULL }, "00 01", NPKD_E_FORMAT },
		/* an unreadable earlier number does not count */
		{ { "0001" }, "00001", NPKD_OK },
	};
	struct npkd_err	 e;
	size_t		 i, n;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		for (n = 0; n < 3 && t[i].prev[n] != NULL; n++)
			;
		if (npkd_cvc_seq_check(t[i].prev, n, t[i].seq, "ZZ", &e) !=
		    t[i].rc) {
			fprintf(stderr, "seq case %zu (%s): %s\n", i, t[i].seq,
			    e.msg);
			CU_FAIL("sequence number order");
		}
	}
}

static int
policy(const char *text, struct npkd_cvca_policy *p, struct npkd_err *e)
{
	return npkd_cvca_policy_parse((const uint8_t *)text, strlen(text), p,
	    e);
}

static void
policies_are_read_strictly(void)
{
	static const char *bad[] = {
		"max_days = 40000\n", "max_days = 2e14\n",
		"max_days = 200000000000000\n", "min_days = -5\n",
		"max_days = 90x\n", "max_days =\n", "max_days = 0\n",
		"min_days = 30\nmax_days = 20\n", "type = IS\nrights = read DG9\n",
		"roles = dv_foreign, cvca\n", "roles = dv_foreign,,terminal\n",
		"type = XX\n", "max_days = 90\nmax_days = 80\n",
		"colour = blue\n", "no equals sign\n",
		"algorithms = ecdsa-sha-256, md5\n",
	};
	struct npkd_cvca_policy	 p;
	struct npkd_err		 e;
	char			 big[600];
	size_t			 i;

	CU_ASSERT_EQUAL_FATAL(policy("# PP\n  roles = dv_foreign, terminal\r\n"
	    "type = is\nrights = read DG3 , read DG4\nmin_days = 7\n"
	    "max_days=60\n\nalgorithms = ecdsa-sha-256\n", &p, &e), NPKD_OK);
	CU_ASSERT_EQUAL(p.roles, (1u << NPKD_CVC_DV_FOREIGN) |
	    (1u << NPKD_CVC_TERMINAL));
	CU_ASSERT_STRING_EQUAL(p.type, "IS");
	CU_ASSERT_STRING_EQUAL(p.rights, "read DG3 , read DG4");
	CU_ASSERT_EQUAL(p.min_days, 7);
	CU_ASSERT_EQUAL(p.max_days, 60);
	CU_ASSERT_EQUAL_FATAL(policy("", &p, &e), NPKD_OK);
	CU_ASSERT_EQUAL(p.roles, 1u << NPKD_CVC_DV_FOREIGN);
	CU_ASSERT_EQUAL(p.max_days, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (policy(bad[i], &p, &e) != NPKD_E_FORMAT) {
			fprintf(stderr, "policy accepted: %s", bad[i]);
			CU_FAIL("a bad policy accepted");
		}
	CU_ASSERT_EQUAL(npkd_cvca_policy_parse((const uint8_t *)"type = IS\0",
	    10, &p, &e), NPKD_E_FORMAT);
	memset(big, 'x', sizeof(big));
	memcpy(big, "rights = ", 9);
	big[sizeof(big) - 1] = '\0';
	CU_ASSERT_EQUAL(policy(big, &p, &e), NPKD_E_FORMAT);
}

static void
rights_are_named_and_shorter_chats_grant_less(void)
{
	uint8_t		 b[256], r[8];
	size_t		 n = build(b), nr;
	struct npkd_cvc	*c;
	struct npkd_err	 e;

	CU_ASSERT_EQUAL(npkd_cvc_rights_encode("IS", NPKD_CVC_TERMINAL,
	    "read DG3, read DG4 (iris)", r, &nr, &e), NPKD_OK);
	CU_ASSERT_EQUAL(nr, 1);
	CU_ASSERT_EQUAL(r[0], 0x03);
	CU_ASSERT_EQUAL(npkd_cvc_rights_encode("at", NPKD_CVC_DV_FOREIGN,
	    "age verification,read DG1,write DG17", r, &nr, &e), NPKD_OK);
	CU_ASSERT_EQUAL(nr, 5);
	CU_ASSERT_EQUAL(r[0], 0x60);	/* role 01, write DG17 (bit 37) */
	CU_ASSERT_EQUAL(r[3], 0x01);	/* read DG1 (bit 8) */
	CU_ASSERT_EQUAL(r[4], 0x01);	/* age verification (bit 0) */
	CU_ASSERT_EQUAL(npkd_cvc_rights_encode("IS", 0, "read DG5", r, &nr,
	    &e), NPKD_E_USAGE);
	CU_ASSERT_EQUAL(npkd_cvc_rights_encode("IS", 0, "read DG3,,x", r, &nr,
	    &e), NPKD_E_USAGE);
	CU_ASSERT_EQUAL(npkd_cvc_rights_encode("XX", 0, "", r, &nr, &e),
	    NPKD_E_USAGE);
	/* the role bits are no rights */
	b[74] = 0xc3;
	CU_ASSERT_EQUAL_FATAL(npkd_cvc_parse(b, n, 0, &c, &e), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_cvc_rights_mask(c), 0x03);
	npkd_cvc_free(c);
	CU_ASSERT_STRING_EQUAL(npkd_cvc_ext_name(OID_DESCRIPTION),
	    "certificate description");
	CU_ASSERT_STRING_EQUAL(npkd_cvc_ext_name(OID_SECTOR), "terminal sector");
	CU_ASSERT_PTR_NULL(npkd_cvc_ext_name("1.2.3"));
}

/*
 * A pool an attacker filled: four certificates for every CAR, eight
 * levels up, and no anchor at the top.  The search for a chain gives up
 * after a bounded number of certificates, not after 4^8.
 */
static void
the_search_for_a_chain_is_bounded(void)
{
	uint8_t			 b[256];
	struct npkd_cvc		*v[40];
	const struct npkd_cvc	*pool[40];
	struct npkd_err		 e;
	const char		*res;
	size_t			 n = build(b), i, k, nv = 0;

	for (i = 0; i < 9; i++)
		for (k = 0; k < 4; k++) {
			/* CAR "DECVCA0000<i+1>", CHR "DETERM0000<i>" */
			b[23] = (uint8_t)('0' + i + 1);
			b[57] = (uint8_t)('0' + i);
			b[n - 1] = (uint8_t)k;
			b[21] = b[55] = '0';
			memcpy(b + 15, "TERM", 4);
			CU_ASSERT_EQUAL_FATAL(npkd_cvc_parse(b, n, 0, &v[nv],
			    &e), NPKD_OK);
			pool[nv] = v[nv];
			nv++;
			if (i == 0)
				break;
		}
	CU_ASSERT_EQUAL(npkd_cvc_verify(v[0], pool, nv, pool, 0, 1767225600,
	    &res, &e), NPKD_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "too many candidate chains"));
	for (i = 0; i < nv; i++)
		npkd_cvc_free(v[i]);
}

/* A file of the EAC test PKI (NPKD_CVC, from testdata/gencvc.sh). */
static struct npkd_cvc *
cv(const char *name)
{
	const char	*dir = getenv("NPKD_CVC");
	char		 path[1024];
	struct npkd_buf	 b;
	struct npkd_cvc	*c = NULL;
	struct npkd_err	 e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (npkd_file_read(path, 1 << 20, &b, &e) != NPKD_OK) {
		CU_FAIL(e.msg);
		return NULL;
	}
	if (npkd_cvc_parse(b.data, b.len, -1, &c, &e) != NPKD_OK)
		CU_FAIL(e.msg);
	npkd_buf_free(&b);
	return c;
}

/*
 * The library refuses what no register is needed to refuse: a plain
 * foreign request, an outer signer that does not verify, a key of
 * another domain, a terminal from a CVCA.
 */
static void
the_cvca_certifies_only_what_it_can_authenticate(void)
{
	struct npkd_cvca_issue	 in;
	struct npkd_cvca_policy	 pol;
	struct npkd_cvc		*zz, *pp, *req, *forged;
	const struct npkd_cvc	*foreign[1], *pool[1];
	struct npkd_key		*key;
	struct npkd_buf		 out;
	struct npkd_err		 e;
	const char		*res;
	char			 path[1024];

	if (getenv("NPKD_CVC") == NULL) {
		fprintf(stderr, "skipped: no EAC test PKI (NPKD_CVC)\n");
		return;
	}
	snprintf(path, sizeof(path), "%s/zz_cvca.pk8", getenv("NPKD_CVC"));
	CU_ASSERT_EQUAL_FATAL(npkd_key_load(path, NULL, &key, &e), NPKD_OK);
	zz = cv("zz_cvca.cvcert");
	pp = cv("pp_cvca.cvcert");
	forged = cv("att/forged_dv.cvcert");
	CU_ASSERT_EQUAL_FATAL(policy("rights = read DG3\n", &pol, &e),
	    NPKD_OK);
	memset(&in, 0, sizeof(in));
	foreign[0] = pp;
	in.signer = zz;
	in.foreign = foreign;
	in.nforeign = 1;
	in.policy = &pol;
	in.role = -1;
	in.now = npkd_cvc_effective(zz) + 86400;
	req = cv("att/plain_foreign.cvreq");
	in.request = req;
	CU_ASSERT_EQUAL(npkd_cvca_issue(&in, key, &out, &res, &e),
	    NPKD_E_VERIFY);
	CU_ASSERT_STRING_EQUAL(res, "failure_outer_signature");
	CU_ASSERT_PTR_NULL(out.data);
	npkd_cvc_free(req);
	req = cv("att/forged_outer.cvreq");
	pool[0] = forged;
	in.request = req;
	in.pool = pool;
	in.npool = 1;
	CU_ASSERT_EQUAL(npkd_cvca_issue(&in, key, &out, &res, &e),
	    NPKD_E_VERIFY);
	CU_ASSERT_STRING_EQUAL(res, "failure_outer_signature");
	npkd_cvc_free(req);
	req = cv("att/p256_for_bp.cvreq");
	in.request = req;
	CU_ASSERT_EQUAL(npkd_cvca_issue(&in, key, &out, &res, &e),
	    NPKD_E_VERIFY);
	CU_ASSERT_STRING_EQUAL(res, "failure_domain_parameters");
	npkd_cvc_free(req);
	req = cv("att/pp_for_qq.cvreq");
	in.request = req;
	CU_ASSERT_EQUAL(npkd_cvca_issue(&in, key, &out, &res, &e),
	    NPKD_E_VERIFY);
	CU_ASSERT_STRING_EQUAL(res, "failure_outer_signature");
	npkd_cvc_free(req);
	req = cv("att/pp_initial.cvreq");
	in.request = req;
	in.role = NPKD_CVC_TERMINAL;
	CU_ASSERT_EQUAL(npkd_cvca_issue(&in, key, &out, &res, &e),
	    NPKD_E_VERIFY);
	CU_ASSERT_STRING_EQUAL(res, "failure_request_not_accepted");
	in.role = -1;
	in.rights = "read DG3,read DG4";
	CU_ASSERT_EQUAL(npkd_cvca_issue(&in, key, &out, &res, &e),
	    NPKD_E_VERIFY);
	in.rights = NULL;
	CU_ASSERT_EQUAL_FATAL(npkd_cvca_issue(&in, key, &out, &res, &e),
	    NPKD_OK);
	npkd_buf_free(&out);
	npkd_cvc_free(req);
	npkd_cvc_free(zz);
	npkd_cvc_free(pp);
	npkd_cvc_free(forged);
	npkd_key_free(key);
}

CU_TestInfo t_cvc[] = {
	{ "a hand-written certificate decodes field by field",
	    hand_written_certificate_decodes_field_by_field },
	{ "role bits are the top two bits of the CHAT",
	    role_bits_are_the_top_two_bits },
	{ "malformed layouts are refused", malformed_layouts_are_refused },
	{ "nested certificates in place of a body are refused",
	    nested_certificates_in_place_of_a_body_are_refused },
	{ "dates are days of the calendar: no February 30",
	    dates_are_days_of_the_calendar },
	{ "typed dates are days of the calendar",
	    typed_dates_are_days_of_the_calendar },
	{ "numbers are digits within their range",
	    numbers_are_digits_within_their_range },
	{ "sequence numbers follow their numbering (TR-03110-3 A.6.1)",
	    sequence_numbers_follow_their_numbering },
	{ "policies are read strictly", policies_are_read_strictly },
	{ "rights are named, and shorter CHATs grant less",
	    rights_are_named_and_shorter_chats_grant_less },
	{ "the search for a chain is bounded",
	    the_search_for_a_chain_is_bounded },
	{ "the CVCA certifies only what it can authenticate",
	    the_cvca_certifies_only_what_it_can_authenticate },
	CU_TEST_INFO_NULL
};
