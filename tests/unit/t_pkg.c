/*
 * t_pkg.c - message packages: round trip, signature and hash checks, and
 * hostile archives made with libarchive's writer (independent of the
 * reader under test): paths, links, devices, duplicates, sizes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include "tests.h"

static void
members(struct npkd_pkg_member *m)
{
	static const char *body[3] = { "<RequestCertificateRequest/>",
	    "<GeneralMessageRequest/>", "" };
	int i;

	memset(m, 0, 3 * sizeof(*m));
	for (i = 0; i < 3; i++) {
		snprintf(m[i].name, sizeof(m[i].name), "msg%d.xml", i);
		snprintf(m[i].kind, sizeof(m[i].kind), "%s", i == 1 ?
		    "GeneralMessage" : "RequestCertificate");
		snprintf(m[i].peer, sizeof(m[i].peer), "BB");
		snprintf(m[i].msgid, sizeof(m[i].msgid), "AA-2026-%d", i);
		m[i].data.data = (uint8_t *)(uintptr_t)body[i];
		m[i].data.len = strlen(body[i]);
	}
}

static struct npkd_buf
make_package(void)
{
	struct npkd_pkg_member	 m[3];
	struct npkd_cert	*s = td_cert("aa_mlsigner.pem");
	struct npkd_key		*k;
	struct npkd_buf		 out;
	struct npkd_err		 e;

	members(m);
	CU_ASSERT_EQUAL_FATAL(npkd_key_load(td("aa_mlsigner.key"), NULL, &k, &e),
	    NPKD_OK);
	if (npkd_pkg_write(m, 3, s, k, &out, &e) != NPKD_OK) {
		fprintf(stderr, "pkg: %s\n", e.msg);
		CU_FAIL_FATAL("package write");
	}
	npkd_key_free(k);
	npkd_cert_free(s);
	return out;
}

static void
package_round_trip_keeps_members_and_fields(void)
{
	struct npkd_buf		 p = make_package();
	struct npkd_cert	*s = td_cert("aa_mlsigner.pem");
	const struct npkd_cert	*t[1] = { s };
	struct npkd_pkg_member	*m;
	struct npkd_err		 e;
	size_t			 n;

	CU_ASSERT_EQUAL_FATAL(npkd_pkg_read(p.data, p.len, t, 1, &m, &n, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(m[0].name, "msg0.xml");
	CU_ASSERT_STRING_EQUAL(m[1].kind, "GeneralMessage");
	CU_ASSERT_STRING_EQUAL(m[1].peer, "BB");
	CU_ASSERT_STRING_EQUAL(m[2].msgid, "AA-2026-2");
	CU_ASSERT_EQUAL(m[2].data.len, 0);
	CU_ASSERT_EQUAL(m[0].data.len, strlen("<RequestCertificateRequest/>"));
	CU_ASSERT_EQUAL(memcmp(m[0].data.data, "<RequestCertificateRequest/>",
	    m[0].data.len), 0);
	npkd_pkg_free(m, n);
	npkd_cert_free(s);
	npkd_buf_free(&p);
}

static void
package_of_another_signer_or_tampered_is_refused(void)
{
	struct npkd_buf		 p = make_package();
	struct npkd_cert	*other = td_cert("cc_mlsigner.pem");
	struct npkd_cert	*s = td_cert("aa_mlsigner.pem");
	const struct npkd_cert	*t[1] = { other };
	struct npkd_pkg_member	*m = NULL;
	struct npkd_err		 e;
	uint8_t			*at;
	size_t			 n = 0;

	CU_ASSERT_EQUAL(npkd_pkg_read(p.data, p.len, t, 1, &m, &n, &e),
	    NPKD_E_VERIFY);
	CU_ASSERT_PTR_NULL(m);
	/* one byte of a member changed: its MANIFEST hash no longer holds */
	at = memmem(p.data, p.len, "<GeneralMessageRequest/>", 24);
	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	at[1] = 'g';
	t[0] = s;
	CU_ASSERT_EQUAL(npkd_pkg_read(p.data, p.len, t, 1, &m, &n, &e),
	    NPKD_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "msg1.xml does not match"));
	/* truncated */
	CU_ASSERT_NOT_EQUAL(npkd_pkg_read(p.data, p.len / 2, t, 1, &m, &n, &e),
	    NPKD_OK);
	CU_ASSERT_NOT_EQUAL(npkd_pkg_read((const uint8_t *)"not a tar", 9, t, 1,
	    &m, &n, &e), NPKD_OK);
	npkd_cert_free(other);
	npkd_cert_free(s);
	npkd_buf_free(&p);
}

static la_ssize_t
wr(struct archive *a, void *arg, const void *p, size_t n)
{
	struct npkd_buf	*b = arg;
	uint8_t		*nd;

	(void)a;
	if ((nd = realloc(b->data, b->len + n)) == NULL)
		return -1;
	b->data = nd;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return (la_ssize_t)n;
}

/* A tar with one hostile entry after a valid MANIFEST pair. */
static struct npkd_buf
hostile(const char *name, unsigned int type, const char *link, size_t size,
    int twice)
{
	struct npkd_buf		 b = { NULL, 0 };
	struct archive		*a = archive_write_new();
	struct archive_entry	*en;
	uint8_t			*zero = calloc(1, size ? size : 1);
	int			 k;

	archive_write_set_format_pax_restricted(a);
	archive_write_open2(a, &b, NULL, wr, NULL, NULL);
	for (k = 0; k <= twice; k++) {
		en = archive_entry_new();
		archive_entry_set_pathname(en, name);
		archive_entry_set_filetype(en, type);
		archive_entry_set_perm(en, 0644);
		if (link != NULL)
			archive_entry_set_symlink(en, link);
		if (type == AE_IFREG)
			archive_entry_set_size(en, (la_int64_t)size);
		archive_write_header(a, en);
		if (type == AE_IFREG && size > 0)
			archive_write_data(a, zero, size);
		archive_entry_free(en);
	}
	archive_write_close(a);
	archive_write_free(a);
	free(zero);
	return b;
}

static void
hostile_archives_are_refused_before_anything_is_read(void)
{
	static const struct {
		const char	*name;
		unsigned int	 type;
		const char	*link;
		size_t		 size;
		int		 twice;
		int		 rc;
		const char	*why;
	} v[] = {
		{ "/etc/passwd", AE_IFREG, NULL, 4, 0, NPKD_E_FORMAT, "refused" },
		{ "../x.xml", AE_IFREG, NULL, 4, 0, NPKD_E_FORMAT, "refused" },
		{ "dir/x.xml", AE_IFREG, NULL, 4, 0, NPKD_E_FORMAT, "refused" },
		{ "link.xml", AE_IFLNK, "/etc/passwd", 0, 0, NPKD_E_FORMAT,
		    "not a plain file" },
		{ "dev.xml", AE_IFCHR, NULL, 0, 0, NPKD_E_FORMAT,
		    "not a plain file" },
		/* a directory's name ends in "/": refused as a path */
		{ "subdir", AE_IFDIR, NULL, 0, 0, NPKD_E_FORMAT, "refused" },
		{ "twice.xml", AE_IFREG, NULL, 4, 1, NPKD_E_FORMAT, "twice" },
		{ "big.xml", AE_IFREG, NULL, (8UL << 20) + 1, 0, NPKD_E_LIMIT,
		    "larger than" },
		{ "lonely.xml", AE_IFREG, NULL, 4, 0, NPKD_E_FORMAT,
		    "MANIFEST or its signature missing" },
	};
	struct npkd_cert	*s = td_cert("aa_mlsigner.pem");
	const struct npkd_cert	*t[1] = { s };
	struct npkd_pkg_member	*m = NULL;
	struct npkd_buf		 b;
	struct npkd_err		 e;
	size_t			 i, n = 0;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		b = hostile(v[i].name, v[i].type, v[i].link, v[i].size,
		    v[i].twice);
		CU_ASSERT_EQUAL(npkd_pkg_read(b.data, b.len, t, 1, &m, &n, &e),
		    v[i].rc);
		CU_ASSERT_PTR_NULL(m);
		if (strstr(e.msg, v[i].why) == NULL) {
			fprintf(stderr, "%s: %s\n", v[i].name, e.msg);
			CU_FAIL("reason does not name the defect");
		}
		npkd_buf_free(&b);
	}
	npkd_cert_free(s);
}


static void
messageids_of_any_text_cross_in_the_manifest(void)
{
	static const char *ids[] = { "", "-", "AA 2026 one", "100% %41",
	    "tab\tand\nline", "\xc3\xa4\xc3\xb6" };
	struct npkd_pkg_member	 m[6], *r = NULL;
	struct npkd_cert	*s = td_cert("aa_mlsigner.pem");
	const struct npkd_cert	*t[1] = { s };
	struct npkd_key		*k;
	struct npkd_buf		 out;
	struct npkd_err		 e;
	uint8_t			*at;
	size_t			 i, n = 0;

	memset(m, 0, sizeof(m));
	for (i = 0; i < 6; i++) {
		snprintf(m[i].name, sizeof(m[i].name), "%zu.xml", i);
		snprintf(m[i].kind, sizeof(m[i].kind), "GeneralMessageRequest");
		snprintf(m[i].peer, sizeof(m[i].peer), "BB");
		snprintf(m[i].msgid, sizeof(m[i].msgid), "%s", ids[i]);
		m[i].data.data = (uint8_t *)(uintptr_t)"<x/>";
		m[i].data.len = 4;
	}
	memset(m[5].msgid, 'm', NPKD_PKG_MSGID - 1);
	memcpy(m[5].msgid, ids[5], strlen(ids[5]));
	CU_ASSERT_EQUAL_FATAL(npkd_key_load(td("aa_mlsigner.key"), NULL, &k, &e),
	    NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_pkg_write(m, 6, s, k, &out, &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(npkd_pkg_read(out.data, out.len, t, 1, &r, &n,
	    &e), NPKD_OK);
	CU_ASSERT_EQUAL_FATAL(n, 6);
	for (i = 0; i < 6; i++)
		CU_ASSERT_STRING_EQUAL(r[i].msgid, m[i].msgid);
	/* in MANIFEST: escaped, one line each, "-" only for none */
	at = memmem(out.data, out.len, "\tAA%202026%20one\n", 17);
	CU_ASSERT_PTR_NOT_NULL(at);
	CU_ASSERT_PTR_NOT_NULL(memmem(out.data, out.len, "\t%2D\n", 5));
	CU_ASSERT_PTR_NOT_NULL(memmem(out.data, out.len, "\t100%25%20%2541\n",
	    16));
	npkd_pkg_free(r, n);
	npkd_buf_free(&out);
	npkd_key_free(k);
	npkd_cert_free(s);
}

/* The members of a hand-made package, MANIFEST already believed. */
static int
check(const char *man, const char *name, const char *data,
    struct npkd_err *e)
{
	struct npkd_pkg_member	 f[2], *r = NULL;
	size_t			 n = 0;
	int			 rc;

	memset(f, 0, sizeof(f));
	snprintf(f[0].name, sizeof(f[0].name), "MANIFEST");
	f[0].data.data = (uint8_t *)strdup(man);
	f[0].data.len = strlen(man);
	snprintf(f[1].name, sizeof(f[1].name), "%s", name);
	f[1].data.data = (uint8_t *)strdup(data);
	f[1].data.len = strlen(data);
	rc = npkd_pkg_manifest_check(f[0].data.data, f[0].data.len, f, 2, &r,
	    &n, e);
	if (rc == NPKD_OK) {
		CU_ASSERT_EQUAL(n, 1);
		CU_ASSERT_PTR_NULL(f[1].data.data);	/* moved */
	} else
		CU_ASSERT_PTR_NULL(r);
	npkd_pkg_free(r, n);
	npkd_buf_free(&f[0].data);
	npkd_buf_free(&f[1].data);
	return rc;
}

static void
a_verified_manifest_still_binds_every_member(void)
{
	char		 good[256], sha[65], line[512];
	uint8_t		 d[32];
	struct npkd_err	 e;

	npkd_hash(NPKD_HASH_SHA256, "<x/>", 4, d, NULL);
	npkd_hex(d, 32, sha);
	snprintf(good, sizeof(good), "a.xml\t%s\t4\tGeneralMessageRequest\tBB\t"
	    "AA%%201\n", sha);
	CU_ASSERT_EQUAL(check(good, "a.xml", "<x/>", &e), NPKD_OK);
	CU_ASSERT_EQUAL(check(good, "a.xml", "<y/>", &e), NPKD_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "does not match"));
	CU_ASSERT_EQUAL(check(good, "b.xml", "<x/>", &e), NPKD_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "listed but missing"));
	CU_ASSERT_EQUAL(check("", "a.xml", "<x/>", &e), NPKD_E_VERIFY);
	CU_ASSERT_PTR_NOT_NULL(strstr(e.msg, "not in the MANIFEST"));
	/* bad escapes, NUL, MANIFEST listing itself */
	snprintf(line, sizeof(line), "a.xml\t%s\t4\tk\tBB\tA%%00\n", sha);
	CU_ASSERT_EQUAL(check(line, "a.xml", "<x/>", &e), NPKD_E_FORMAT);
	snprintf(line, sizeof(line), "a.xml\t%s\t4\tk\tBB\tA%%G1\n", sha);
	CU_ASSERT_EQUAL(check(line, "a.xml", "<x/>", &e), NPKD_E_FORMAT);
	snprintf(line, sizeof(line), "a.xml\t%s\t4\tk\tBB\tA%%4\n", sha);
	CU_ASSERT_EQUAL(check(line, "a.xml", "<x/>", &e), NPKD_E_FORMAT);
	snprintf(line, sizeof(line), "MANIFEST\t%s\t4\tk\tBB\t-\n", sha);
	CU_ASSERT_EQUAL(check(line, "a.xml", "<x/>", &e), NPKD_E_FORMAT);
	snprintf(line, sizeof(line), "a.xml\t%s\t4\tk\tBB\n", sha);
	CU_ASSERT_EQUAL(check(line, "a.xml", "<x/>", &e), NPKD_E_FORMAT);
	snprintf(line, sizeof(line), "a.xml\t%s\t5\tk\tBB\t-\n", sha);
	CU_ASSERT_EQUAL(check(line, "a.xml", "<x/>", &e), NPKD_E_VERIFY);
}

CU_TestInfo t_pkg[] = {
	{ "a package round trip keeps members and fields",
	    package_round_trip_keeps_members_and_fields },
	{ "a package of another signer, or tampered, is refused",
	    package_of_another_signer_or_tampered_is_refused },
	{ "hostile archives are refused before anything is read",
	    hostile_archives_are_refused_before_anything_is_read },
	{ "messageIDs of any text cross in the MANIFEST",
	    messageids_of_any_text_cross_in_the_manifest },
	{ "a verified MANIFEST still binds every member",
	    a_verified_manifest_still_binds_every_member },
	CU_TEST_INFO_NULL
};
