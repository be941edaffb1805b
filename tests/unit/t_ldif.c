/*
 * t_ldif.c - the streaming LDIF reader: RFC 2849 forms, buffer edges and
 * limits.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests.h"

struct mem {
	const char	*p;
	size_t		 n, off, chunk;
};

static long
rd(void *arg, uint8_t *buf, size_t n)
{
	struct mem *m = arg;

	if (n > m->chunk)
		n = m->chunk;
	if (n > m->n - m->off)
		n = m->n - m->off;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (long)n;
}

static const char sample[] =
    "version: 1\r\n"
    "\r\n"
    "# a comment\r\n"
    " that is folded\r\n"
    "dn: cn=one,o=dsc,c=AA,dc=data\r\n"
    "UserCertificate;Binary:: AAEC\r\n"
    " AwQF\r\n"
    "pkdConformanceText: first half\r\n"
    "  second half\r\n"
    "empty:\r\n"
    "\r\n"
    "\r\n"
    "dn:: Y249ZMOpdXgsYz1CQg==\r\n"
    "cn: deux\n";

static void
entries_fields_and_folding_at_every_chunk_size(void)
{
	static const size_t	 chunks[] = { 1, 2, 3, 7, 64, 1 << 20 };
	const struct npkd_ldif_entry *en;
	const struct npkd_ldif_attr *a;
	struct npkd_ldif	*l;
	struct npkd_err		 e;
	struct mem		 m;
	size_t			 i;

	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		m.p = sample;
		m.n = strlen(sample);
		m.off = 0;
		m.chunk = chunks[i];
		CU_ASSERT_EQUAL_FATAL(npkd_ldif_new(rd, &m, "t", &l, &e),
		    NPKD_OK);
		CU_ASSERT_EQUAL_FATAL(npkd_ldif_next(l, &en, &e), NPKD_OK);
		CU_ASSERT_STRING_EQUAL(en->dn, "cn=one,o=dsc,c=AA,dc=data");
		CU_ASSERT_EQUAL(en->line, 5);
		CU_ASSERT_EQUAL(en->nattrs, 3);
		a = npkd_ldif_attr(en, "usercertificate");
		CU_ASSERT_PTR_NOT_NULL_FATAL(a);
		CU_ASSERT_TRUE(a->binary);
		CU_ASSERT_EQUAL(a->len, 6);
		CU_ASSERT_EQUAL(memcmp(a->value, "\0\1\2\3\4\5", 6), 0);
		a = npkd_ldif_attr(en, "pkdconformancetext");
		CU_ASSERT_STRING_EQUAL((char *)a->value, "first half second half");
		a = npkd_ldif_attr(en, "empty");
		CU_ASSERT_EQUAL(a->len, 0);
		CU_ASSERT_EQUAL_FATAL(npkd_ldif_next(l, &en, &e), NPKD_OK);
		CU_ASSERT_STRING_EQUAL(en->dn, "cn=d\xc3\xa9ux,c=BB");
		CU_ASSERT_STRING_EQUAL((char *)npkd_ldif_attr(en, "cn")->value,
		    "deux");
		CU_ASSERT_EQUAL(npkd_ldif_next(l, &en, &e), NPKD_E_NOTFOUND);
		CU_ASSERT_EQUAL(npkd_ldif_offset(l), strlen(sample));
		npkd_ldif_free(l);
	}
}

static int
first_error(const char *text, struct npkd_err *e)
{
	const struct npkd_ldif_entry *en;
	struct npkd_ldif	*l;
	struct mem		 m = { text, strlen(text), 0, 5 };
	int			 rc;

	if (npkd_ldif_new(rd, &m, "bad.ldif", &l, e) != NPKD_OK)
		return -100;
	while ((rc = npkd_ldif_next(l, &en, e)) == NPKD_OK)
		;
	npkd_ldif_free(l);
	return rc;
}

static void
malformed_input_is_refused_with_its_line(void)
{
	struct npkd_err e;

	CU_ASSERT_EQUAL(first_error("dn: a\nx:: !!!!\n", &e), NPKD_E_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "bad.ldif: line 2"));
	CU_ASSERT_EQUAL(first_error("cn: before dn\n", &e), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(first_error("dn: a\nno colon here\n", &e),
	    NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(first_error("dn: a\nx:< file:///etc/passwd\n", &e),
	    NPKD_E_UNSUPPORTED);
	CU_ASSERT_EQUAL(first_error("dn: a\nchangetype: add\n", &e),
	    NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(first_error("dn: a\n-\n", &e), NPKD_E_UNSUPPORTED);
	CU_ASSERT_EQUAL(first_error("dn: a\ndn: b\n", &e), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(first_error("dn:: AGE=\n", &e), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(first_error("", &e), NPKD_E_NOTFOUND);
}

static void
limits_hold_for_values_and_attribute_counts(void)
{
	struct npkd_err	 e;
	size_t		 n = NPKD_MAX_LDIF_VALUE / 3 * 4 + 8192, i, off;
	char		*big = malloc(n + 64);

	/* a base64 value decoding to more than 16 MiB */
	off = (size_t)sprintf(big, "dn: a\nx:: ");
	for (i = 0; i < n; i++)
		big[off + i] = 'A';
	memcpy(big + off + n, "\n", 2);
	CU_ASSERT_EQUAL(first_error(big, &e), NPKD_E_LIMIT);
	free(big);
	/* more than 1024 attributes */
	big = malloc(1100 * 8 + 16);
	off = (size_t)sprintf(big, "dn: a\n");
	for (i = 0; i < 1100; i++)
		off += (size_t)sprintf(big + off, "a: %zu\n", i % 10);
	CU_ASSERT_EQUAL(first_error(big, &e), NPKD_E_LIMIT);
	free(big);
}

/* An empty "::" value (dn, conformance text) is an empty string. */
static void
empty_base64_values_are_empty_strings(void)
{
	static const char text[] = "dn::\npkdConformanceText::\n"
	    "pkdConformanceCode:: \n";
	const struct npkd_ldif_entry *en;
	const struct npkd_ldif_attr *a;
	struct npkd_ldif	*l;
	struct npkd_err		 e;
	struct mem		 m = { text, sizeof(text) - 1, 0, 3 };

	CU_ASSERT_EQUAL_FATAL(npkd_ldif_new(rd, &m, "t", &l, &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_ldif_next(l, &en, &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(en->dn, "");
	a = npkd_ldif_attr(en, "pkdconformancetext");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->len, 0);
	CU_ASSERT_EQUAL(a->value[0], 0);
	a = npkd_ldif_attr(en, "pkdconformancecode");
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->len, 0);
	CU_ASSERT_EQUAL(a->value[0], 0);
	npkd_ldif_free(l);
}

CU_TestInfo t_ldif[] = {
	{ "empty base64 values are empty strings",
	    empty_base64_values_are_empty_strings },
	{ "entries, fields and folding at every chunk size",
	    entries_fields_and_folding_at_every_chunk_size },
	{ "malformed input is refused with its line",
	    malformed_input_is_refused_with_its_line },
	{ "limits hold for values and attribute counts",
	    limits_hold_for_values_and_attribute_counts },
	CU_TEST_INFO_NULL
};
