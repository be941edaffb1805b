/*
 * t_cvc.c - CV certificate decoding against byte layouts written out by
 * hand from BSI TR-03110-3 appendix C (tags, lengths, date digits, CHAT
 * bits), not produced by the code under test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

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

CU_TestInfo t_cvc[] = {
	{ "a hand-written certificate decodes field by field",
	    hand_written_certificate_decodes_field_by_field },
	{ "role bits are the top two bits of the CHAT",
	    role_bits_are_the_top_two_bits },
	{ "malformed layouts are refused", malformed_layouts_are_refused },
	{ "nested certificates in place of a body are refused",
	    nested_certificates_in_place_of_a_body_are_refused },
	CU_TEST_INFO_NULL
};
