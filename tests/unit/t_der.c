/*
 * t_der.c - the DER header walker, strict decoding, PEM and files.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests.h"
#include "npkd_int.h"

static void
header_accepts_short_and_long_definite_lengths(void)
{
	static const uint8_t s[] = { 0x30, 0x03, 0x02, 0x01, 0x00 };
	static const uint8_t l[] = { 0x04, 0x81, 0x80 };
	uint8_t		 big[0x84];
	unsigned int	 tag;
	size_t		 hdr, len;

	CU_ASSERT_EQUAL(npkd_der_header(s, sizeof(s), &tag, &hdr, &len), NPKD_OK);
	CU_ASSERT_EQUAL(tag, 0x30);
	CU_ASSERT_EQUAL(hdr, 2);
	CU_ASSERT_EQUAL(len, 3);
	memset(big, 0, sizeof(big));
	memcpy(big, l, sizeof(l));
	CU_ASSERT_EQUAL(npkd_der_header(big, sizeof(big), &tag, &hdr, &len),
	    NPKD_OK);
	CU_ASSERT_EQUAL(hdr, 3);
	CU_ASSERT_EQUAL(len, 0x80);
}

static void
header_rejects_indefinite_nonminimal_and_overlong(void)
{
	static const uint8_t indef[] = { 0x30, 0x80, 0x00, 0x00 };
	static const uint8_t nonmin[] = { 0x04, 0x81, 0x05, 1, 2, 3, 4, 5 };
	static const uint8_t lead0[] = { 0x04, 0x82, 0x00, 0x85 };
	static const uint8_t over[] = { 0x04, 0x05, 0x01 };
	static const uint8_t hightag[] = { 0x1f, 0x81, 0x01, 0x00 };
	unsigned int	 tag;
	size_t		 hdr, len;

	CU_ASSERT_EQUAL(npkd_der_header(indef, sizeof(indef), &tag, &hdr, &len),
	    NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(npkd_der_header(nonmin, sizeof(nonmin), &tag, &hdr,
	    &len), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(npkd_der_header(lead0, sizeof(lead0), &tag, &hdr, &len),
	    NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(npkd_der_header(over, sizeof(over), &tag, &hdr, &len),
	    NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(npkd_der_header(hightag, sizeof(hightag), &tag, &hdr,
	    &len), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(npkd_der_header(over, 1, &tag, &hdr, &len),
	    NPKD_E_FORMAT);
}

static void
put_header_round_trips(void)
{
	uint8_t		 b[8];
	unsigned int	 tag;
	size_t		 n, hdr, len, sizes[] = { 0, 1, 127, 128, 255, 256,
	    65535, 65536, 1 << 20 };
	size_t		 i;
	uint8_t		*buf;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		n = npkd_der_put_header(b, 0x04, sizes[i]);
		buf = calloc(1, n + sizes[i]);
		memcpy(buf, b, n);
		CU_ASSERT_EQUAL(npkd_der_header(buf, n + sizes[i], &tag, &hdr,
		    &len), NPKD_OK);
		CU_ASSERT_EQUAL(len, sizes[i]);
		CU_ASSERT_EQUAL(hdr, n);
		free(buf);
	}
}

static void
strict_decoding_refuses_ber_and_trailing_bytes(void)
{
	/* INTEGER 5 with a long-form length: BER, not DER. */
	static const uint8_t ber[] = { 0x30, 0x81, 0x03, 0x02, 0x01, 0x05 };
	static const uint8_t ok[] = { 0x30, 0x03, 0x02, 0x01, 0x05 };
	static const uint8_t trail[] = { 0x30, 0x03, 0x02, 0x01, 0x05, 0x00 };
	asn1_node	 n = NULL;
	struct npkd_err	 e;

	CU_ASSERT_EQUAL(npkd_asn1_decode("CRLNumber", ok + 2, 3, &n, "t", &e),
	    NPKD_OK);
	asn1_delete_structure(&n);
	CU_ASSERT_EQUAL(npkd_asn1_decode("RSAPublicKey", ber, sizeof(ber), &n,
	    "t", &e), NPKD_E_FORMAT);
	CU_ASSERT_EQUAL(npkd_asn1_decode("RSAPublicKey", trail, sizeof(trail),
	    &n, "t", &e), NPKD_E_FORMAT);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "1 trailing bytes"));
	CU_ASSERT_EQUAL(npkd_asn1_decode("RSAPublicKey", ok, 0, &n, "t", &e),
	    NPKD_E_FORMAT);
	CU_ASSERT_PTR_NULL(n);
}

static void
pem_round_trips_and_finds_each_block(void)
{
	static const uint8_t	 der[] = { 0x30, 0x03, 0x02, 0x01, 0x07 };
	struct npkd_buf		 a, b, out;
	struct npkd_err		 e;
	uint8_t			*two;
	size_t			 off = 0;
	char			 label[32];

	CU_ASSERT_EQUAL_FATAL(npkd_pem_encode("CERTIFICATE", der, sizeof(der),
	    &a, &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_pem_encode("X509 CRL", der, sizeof(der), &b,
	    &e), NPKD_OK);
	CU_ASSERT_TRUE(npkd_is_pem(a.data, a.len));
	two = malloc(a.len + b.len);
	memcpy(two, b.data, b.len);
	memcpy(two + b.len, a.data, a.len);
	CU_ASSERT_EQUAL(npkd_pem_decode(two, a.len + b.len, &off, "CERTIFICATE",
	    &out, label, sizeof(label), &e), NPKD_OK);
	CU_ASSERT_STRING_EQUAL(label, "CERTIFICATE");
	CU_ASSERT_EQUAL(out.len, sizeof(der));
	CU_ASSERT_EQUAL(memcmp(out.data, der, sizeof(der)), 0);
	npkd_buf_free(&out);
	CU_ASSERT_EQUAL(npkd_pem_decode(two, a.len + b.len, &off, "CERTIFICATE",
	    &out, NULL, 0, &e), NPKD_E_NOTFOUND);
	free(two);
	npkd_buf_free(&a);
	npkd_buf_free(&b);
}

static void
atomic_write_replaces_or_refuses_and_leaves_no_temp(void)
{
	char		 dir[] = "/tmp/npkd-t-XXXXXX", path[128], cmd[160];
	struct npkd_buf	 b;
	struct npkd_err	 e;
	struct stat	 st;
	FILE		*p;
	char		 line[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/out", dir);
	CU_ASSERT_EQUAL(npkd_file_write_atomic(path, "one", 3, 0600, 0, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL(npkd_file_write_atomic(path, "two!", 4, 0644, 0, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL(npkd_file_read(path, 100, &b, &e), NPKD_OK);
	CU_ASSERT_EQUAL(b.len, 4);
	CU_ASSERT_EQUAL(memcmp(b.data, "two!", 4), 0);
	npkd_buf_free(&b);
	CU_ASSERT_EQUAL(stat(path, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
	/* excl: an existing file is never replaced. */
	CU_ASSERT_EQUAL(npkd_file_write_atomic(path, "x", 1, 0600, 1, &e),
	    NPKD_E_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, path));
	/* the limit of npkd_file_read holds */
	CU_ASSERT_EQUAL(npkd_file_read(path, 3, &b, &e), NPKD_E_LIMIT);
	/* no temporary files left behind */
	snprintf(cmd, sizeof(cmd), "ls %s | wc -l", dir);
	p = popen(cmd, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NOT_NULL(fgets(line, sizeof(line), p));
	pclose(p);
	CU_ASSERT_EQUAL(atoi(line), 1);
	/* an unwritable destination names the destination */
	CU_ASSERT_EQUAL(npkd_file_write_atomic("/nonexistent-dir/x", "x", 1,
	    0600, 0, &e), NPKD_E_IO);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "/nonexistent-dir/x"));
	CU_ASSERT_PTR_NULL(strstr(e.msg, "XXXXXX"));
	unlink(path);
	rmdir(dir);
}

static void
findings_keep_order_and_drop_repeats(void)
{
	struct npkd_findings	*f = npkd_findings_new(), *g = npkd_findings_new();
	const struct npkd_finding *x;

	npkd_findings_add(f, NPKD_SEV_WARNING, "a", "R1", "first %d", 1);
	npkd_findings_add(f, NPKD_SEV_ERROR, "b", "R2", "second");
	npkd_findings_add(f, NPKD_SEV_WARNING, "a", "R1", "first %d", 1);
	CU_ASSERT_EQUAL(npkd_findings_count(f), 2);
	x = npkd_findings_get(f, 1);
	CU_ASSERT_EQUAL(x->severity, NPKD_SEV_ERROR);
	CU_ASSERT_STRING_EQUAL(x->text, "second");
	CU_ASSERT_PTR_NULL(npkd_findings_get(f, 2));
	npkd_findings_merge(g, f, "member 3");
	CU_ASSERT_STRING_EQUAL(npkd_findings_get(g, 0)->text,
	    "member 3: first 1");
	npkd_findings_free(f);
	npkd_findings_free(g);
	npkd_findings_free(NULL);
}

static void
bounded_buffer_stops_at_its_maximum(void)
{
	struct npkd_dbuf d;

	npkd_dbuf_init(&d, 10);
	CU_ASSERT_EQUAL(npkd_dbuf_add(&d, "0123456789", 10), NPKD_OK);
	CU_ASSERT_EQUAL(npkd_dbuf_add(&d, "x", 1), NPKD_E_LIMIT);
	CU_ASSERT_EQUAL(d.len, 10);
	npkd_dbuf_free(&d);
}

CU_TestInfo t_der[] = {
	{ "header accepts short and long definite lengths",
	    header_accepts_short_and_long_definite_lengths },
	{ "header rejects indefinite, non-minimal and overlong lengths",
	    header_rejects_indefinite_nonminimal_and_overlong },
	{ "put_header round-trips every length class", put_header_round_trips },
	{ "strict decoding refuses BER and trailing bytes",
	    strict_decoding_refuses_ber_and_trailing_bytes },
	{ "PEM round-trips and finds each block",
	    pem_round_trips_and_finds_each_block },
	{ "atomic write replaces or refuses, leaves no temp file",
	    atomic_write_replaces_or_refuses_and_leaves_no_temp },
	{ "findings keep order and drop repeats",
	    findings_keep_order_and_drop_repeats },
	{ "bounded buffer stops at its maximum",
	    bounded_buffer_stops_at_its_maximum },
	CU_TEST_INFO_NULL
};
