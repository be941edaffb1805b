/*
 * package.c - message packages for the air gap (design.md section 5): a
 * pax tar (libarchive) of the messages, a MANIFEST (one line per member:
 * name, SHA-256, size, kind, peer, messageID) and MANIFEST.p7s, a detached
 * CMS signature over MANIFEST by the packing side.  A messageID is the
 * originator's text: in MANIFEST, bytes outside 0x21-0x7e, '%' and a
 * lone '-' (which means none) are written as %XX.  The reader refuses
 * links, devices, directories, absolute or dotted names, duplicates and
 * oversized members, checks the signature against the other side's
 * certificate and every hash and size, before anything is handed out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>

#include "spoc_int.h"

#define OID_DATA	"1.2.840.113549.1.7.1"

void
npkd_pkg_free(struct npkd_pkg_member *m, size_t n)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < n; i++)
		npkd_buf_free(&m[i].data);
	free(m);
}

/* Member names: [A-Za-z0-9._-], not starting with a dot, bounded. */
static int
safe_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= NPKD_PKG_NAME || s[0] == '.')
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

/* A manifest field: printable, no tab or newline, bounded. */
static int
safe_field(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= max)
		return 0;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* A messageID for MANIFEST: "-" when none, else %XX-escaped. */
static int
msgid_put(struct npkd_dbuf *d, const char *id)
{
	size_t	i, n = strlen(id);
	int	rc = NPKD_OK;

	if (n == 0)
		return npkd_dbuf_add(d, "-", 1);
	if (n >= NPKD_PKG_MSGID)
		return NPKD_E_USAGE;
	for (i = 0; i < n && rc == NPKD_OK; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c < 0x21 || c > 0x7e || c == '%' || (n == 1 && c == '-'))
			rc = npkd_dbuf_printf(d, "%%%02X", c);
		else
			rc = npkd_dbuf_add(d, &id[i], 1);
	}
	return rc;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The inverse of msgid_put(); -1 for a malformed field. */
static int
msgid_get(const char *f, char *out, size_t max)
{
	size_t	n = 0;
	int	hi, lo;

	if (strcmp(f, "-") == 0) {
		out[0] = '\0';
		return 0;
	}
	for (; *f != '\0'; f++) {
		char c = *f;

		if ((unsigned char)c < 0x21 || (unsigned char)c > 0x7e)
			return -1;
		if (c == '%') {
			if ((hi = hexval(f[1])) < 0 || (lo = hexval(f[2])) < 0 ||
			    (hi == 0 && lo == 0))
				return -1;
			c = (char)(hi << 4 | lo);
			f += 2;
		}
		if (n + 1 >= max)
			return -1;
		out[n++] = c;
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

static la_ssize_t
dbuf_write(struct archive *a, void *arg, const void *p, size_t n)
{
	(void)a;
	return npkd_dbuf_add(arg, p, n) == NPKD_OK ? (la_ssize_t)n : -1;
}

static int
put_entry(struct archive *a, const char *name, const void *p, size_t n,
    time_t mtime)
{
	struct archive_entry	*en;
	int			 r;

	if ((en = archive_entry_new()) == NULL)
		return -1;
	archive_entry_set_pathname(en, name);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0644);
	archive_entry_set_size(en, (la_int64_t)n);
	archive_entry_set_mtime(en, mtime, 0);
	r = archive_write_header(a, en);
	if (r == ARCHIVE_OK && n > 0 && archive_write_data(a, p, n) !=
	    (la_ssize_t)n)
		r = ARCHIVE_FATAL;
	archive_entry_free(en);
	return r == ARCHIVE_OK ? 0 : -1;
}

/*
 * Write a package of the n members, signed by key as the holder of
 * signer.  The result is read back and checked before it is returned.
 */
int
npkd_pkg_write(const struct npkd_pkg_member *m, size_t n,
    const struct npkd_cert *signer, struct npkd_key *key,
    struct npkd_buf *out, struct npkd_err *e)
{
	struct npkd_cms_sign_opts	 o;
	struct npkd_dbuf		 man, tar;
	struct npkd_buf			 sig = { NULL, 0 };
	struct npkd_pkg_member		*chk = NULL;
	struct archive			*a = NULL;
	uint8_t				 sha[32];
	char				 hex[65];
	size_t				 i, j, nchk = 0;
	time_t				 now = time(NULL);
	int				 rc = NPKD_OK;

	out->data = NULL;
	out->len = 0;
	if (n > NPKD_PKG_MAX_MEMBERS)
		return npkd_seterr(e, NPKD_E_LIMIT, "package: more than %d "
		    "members", NPKD_PKG_MAX_MEMBERS);
	npkd_dbuf_init(&man, NPKD_MAX_FILE);
	npkd_dbuf_init(&tar, NPKD_MAX_FILE);
	for (i = 0; i < n && rc == NPKD_OK; i++) {
		if (!safe_name(m[i].name) || strcmp(m[i].name, "MANIFEST") == 0 ||
		    strcmp(m[i].name, "MANIFEST.p7s") == 0 ||
		    !safe_field(m[i].kind, sizeof(m[i].kind)) ||
		    !safe_field(m[i].peer, sizeof(m[i].peer)) ||
		    memchr(m[i].msgid, '\0', sizeof(m[i].msgid)) == NULL) {
			rc = npkd_seterr(e, NPKD_E_USAGE, "package: member %zu: "
			    "bad name or field", i);
			break;
		}
		for (j = 0; j < i; j++)
			if (strcmp(m[i].name, m[j].name) == 0)
				rc = npkd_seterr(e, NPKD_E_USAGE, "package: %s "
				    "twice", m[i].name);
		if (rc == NPKD_OK && m[i].data.len > NPKD_PKG_MAX_MEMBER)
			rc = npkd_seterr(e, NPKD_E_LIMIT, "package: %s larger "
			    "than %lu bytes", m[i].name,
			    (unsigned long)NPKD_PKG_MAX_MEMBER);
		if (rc == NPKD_OK)
			rc = npkd_hash(NPKD_HASH_SHA256, m[i].data.data,
			    m[i].data.len, sha, e);
		if (rc == NPKD_OK) {
			npkd_hex(sha, 32, hex);
			rc = npkd_dbuf_printf(&man, "%s\t%s\t%zu\t%s\t%s\t",
			    m[i].name, hex, m[i].data.len, m[i].kind, m[i].peer);
			if (rc == NPKD_OK)
				rc = msgid_put(&man, m[i].msgid);
			if (rc == NPKD_OK)
				rc = npkd_dbuf_add(&man, "\n", 1);
			if (rc != NPKD_OK)
				rc = npkd_seterr(e, rc, "package: MANIFEST line "
				    "for %s", m[i].name);
		}
	}
	if (rc != NPKD_OK)
		goto out;
	memset(&o, 0, sizeof(o));
	o.sid_ski = signer->has_ski;
	o.detached = 1;
	o.signing_time = now;
	if ((rc = npkd_cms_sign(OID_DATA, man.data ? man.data : (uint8_t *)"",
	    man.len, signer, key, &o, &sig, e)) != NPKD_OK)
		goto out;
	if ((a = archive_write_new()) == NULL ||
	    archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open2(a, &tar, NULL, dbuf_write, NULL, NULL) !=
	    ARCHIVE_OK ||
	    put_entry(a, "MANIFEST", man.data, man.len, now) != 0 ||
	    put_entry(a, "MANIFEST.p7s", sig.data, sig.len, now) != 0) {
		rc = npkd_seterr(e, NPKD_E_IO, "package: %s", a ?
		    archive_error_string(a) : "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (put_entry(a, m[i].name, m[i].data.data, m[i].data.len,
		    now) != 0) {
			rc = npkd_seterr(e, NPKD_E_IO, "package: %s",
			    archive_error_string(a));
			goto out;
		}
	if (archive_write_close(a) != ARCHIVE_OK) {
		rc = npkd_seterr(e, NPKD_E_IO, "package: %s",
		    archive_error_string(a));
		goto out;
	}
	/* what we wrote must read back as what we meant */
	if ((rc = npkd_pkg_read(tar.data, tar.len, &signer, 1, &chk, &nchk,
	    e)) != NPKD_OK)
		goto out;
	if (nchk != n) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "package: self-check");
		goto out;
	}
	out->data = tar.data;
	out->len = tar.len;
	tar.data = NULL;
 out:
	if (a != NULL)
		archive_write_free(a);
	npkd_pkg_free(chk, nchk);
	npkd_buf_free(&sig);
	npkd_dbuf_free(&man);
	npkd_dbuf_free(&tar);
	return rc;
}

/* One MANIFEST line: name, hex SHA-256, size, kind, peer, messageID. */
static int
manifest_line(char *line, struct npkd_pkg_member *m, char *hex, size_t *size)
{
	char	*f[6], *save, *end;
	int	 i;

	for (i = 0; i < 6; i++) {
		f[i] = strtok_r(i == 0 ? line : NULL, "\t", &save);
		if (f[i] == NULL)
			return -1;
	}
	if (strtok_r(NULL, "\t", &save) != NULL || !safe_name(f[0]) ||
	    strlen(f[1]) != 64 || strspn(f[1], "0123456789abcdef") != 64 ||
	    !safe_field(f[3], sizeof(m->kind)) ||
	    !safe_field(f[4], sizeof(m->peer)) ||
	    msgid_get(f[5], m->msgid, sizeof(m->msgid)) == -1)
		return -1;
	*size = strtoul(f[2], &end, 10);
	if (*end != '\0' || f[2][0] == '\0' || *size > NPKD_PKG_MAX_MEMBER)
		return -1;
	snprintf(m->name, sizeof(m->name), "%s", f[0]);
	snprintf(hex, 65, "%s", f[1]);
	snprintf(m->kind, sizeof(m->kind), "%s", f[3]);
	snprintf(m->peer, sizeof(m->peer), "%s", f[4]);
	return 0;
}

/*
 * The members of a package's tar, unchecked but for their form: every
 * one a plain file with a safe name, at most once, bounded in size and
 * number.  MANIFEST and MANIFEST.p7s are among them.
 */
int
npkd_pkg_tar_read(const uint8_t *p, size_t len, struct npkd_pkg_member **out,
    size_t *nout, struct npkd_err *e)
{
	struct archive		*a = NULL;
	struct archive_entry	*en;
	struct npkd_pkg_member	*v = NULL, *nv;
	struct npkd_dbuf	 d;
	const char		*name;
	uint8_t			 buf[65536];
	size_t			 n = 0, i, total = 0;
	la_ssize_t		 r;
	int			 rc = NPKD_OK;

	*out = NULL;
	*nout = 0;
	if (len > NPKD_MAX_FILE)
		return npkd_seterr(e, NPKD_E_LIMIT, "package: too large");
	if ((a = archive_read_new()) == NULL ||
	    archive_read_support_format_tar(a) != ARCHIVE_OK ||
	    archive_read_open_memory(a, p, len) != ARCHIVE_OK) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "package: not a tar archive");
		goto out;
	}
	while ((r = archive_read_next_header(a, &en)) == ARCHIVE_OK) {
		name = archive_entry_pathname(en);
		if (name == NULL || !safe_name(name)) {
			rc = npkd_seterr(e, NPKD_E_FORMAT, "package: member "
			    "name \"%.64s\" refused (a path, dotted or unusual)",
			    name ? name : "");
			goto out;
		}
		if (archive_entry_filetype(en) != AE_IFREG ||
		    archive_entry_hardlink(en) != NULL ||
		    archive_entry_symlink(en) != NULL) {
			rc = npkd_seterr(e, NPKD_E_FORMAT, "package: %s is not a "
			    "plain file (link, device or directory)", name);
			goto out;
		}
		if (archive_entry_size(en) < 0 || (uint64_t)
		    archive_entry_size(en) > NPKD_PKG_MAX_MEMBER) {
			rc = npkd_seterr(e, NPKD_E_LIMIT, "package: %s larger "
			    "than %lu bytes", name,
			    (unsigned long)NPKD_PKG_MAX_MEMBER);
			goto out;
		}
		for (i = 0; i < n; i++)
			if (strcmp(v[i].name, name) == 0) {
				rc = npkd_seterr(e, NPKD_E_FORMAT, "package: %s "
				    "twice", name);
				goto out;
			}
		if (n >= NPKD_PKG_MAX_MEMBERS + 2) {
			rc = npkd_seterr(e, NPKD_E_LIMIT, "package: more than "
			    "%d members", NPKD_PKG_MAX_MEMBERS);
			goto out;
		}
		if ((nv = reallocarray(v, n + 1, sizeof(*nv))) == NULL) {
			rc = npkd_seterr(e, NPKD_E_NOMEM, "package");
			goto out;
		}
		v = nv;
		memset(&v[n], 0, sizeof(v[n]));
		snprintf(v[n].name, sizeof(v[n].name), "%s", name);
		npkd_dbuf_init(&d, NPKD_PKG_MAX_MEMBER);
		while ((r = archive_read_data(a, buf, sizeof(buf))) > 0)
			if (npkd_dbuf_add(&d, buf, (size_t)r) != NPKD_OK ||
			    (total += (size_t)r) > NPKD_MAX_FILE) {
				npkd_dbuf_free(&d);
				rc = npkd_seterr(e, NPKD_E_LIMIT, "package: %s "
				    "too large", name);
				goto out;
			}
		if (r < 0) {
			npkd_dbuf_free(&d);
			rc = npkd_seterr(e, NPKD_E_FORMAT, "package: %s: %s",
			    name, archive_error_string(a));
			goto out;
		}
		v[n].data.data = d.data ? d.data : calloc(1, 1);
		v[n].data.len = d.len;
		n++;
		if (v[n - 1].data.data == NULL) {
			rc = npkd_seterr(e, NPKD_E_NOMEM, "package");
			goto out;
		}
	}
	if (r != ARCHIVE_EOF) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "package: %s",
		    archive_error_string(a));
		goto out;
	}
	*out = v;
	*nout = n;
	v = NULL;
	n = 0;
out:
	if (a != NULL)
		archive_read_free(a);
	npkd_pkg_free(v, n);
	return rc;
}

static int
is_manifest(const char *name)
{
	return strcmp(name, "MANIFEST") == 0 ||
	    strcmp(name, "MANIFEST.p7s") == 0;
}

int
npkd_pkg_manifest_check(const uint8_t *man, size_t mlen,
    struct npkd_pkg_member *v, size_t n, struct npkd_pkg_member **out,
    size_t *nout, struct npkd_err *e)
{
	struct npkd_pkg_member	*res = NULL;
	char			*lines = NULL, *line, *save, hex[65], want[65];
	uint8_t			 sha[32];
	size_t			 nres = 0, nfiles = 0, i, j, size;
	int			 rc = NPKD_OK;

	*out = NULL;
	*nout = 0;
	for (i = 0; i < n; i++)
		if (!is_manifest(v[i].name))
			nfiles++;
	if (memchr(man, '\0', mlen) != NULL ||
	    (lines = strndup((const char *)man, mlen)) == NULL) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "package: bad MANIFEST");
		goto out;
	}
	if ((res = calloc(nfiles ? nfiles : 1, sizeof(*res))) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "package");
		goto out;
	}
	for (line = strtok_r(lines, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (nres >= nfiles || manifest_line(line, &res[nres], want,
		    &size) != 0 || is_manifest(res[nres].name)) {
			rc = npkd_seterr(e, NPKD_E_FORMAT, "package: MANIFEST "
			    "line %zu malformed", nres + 1);
			goto out;
		}
		for (j = 0; j < nres; j++)
			if (strcmp(res[j].name, res[nres].name) == 0) {
				rc = npkd_seterr(e, NPKD_E_FORMAT, "package: "
				    "%s listed twice", res[nres].name);
				goto out;
			}
		for (i = 0; i < n; i++)
			if (strcmp(v[i].name, res[nres].name) == 0)
				break;
		if (i == n) {
			rc = npkd_seterr(e, NPKD_E_VERIFY, "package: %s listed "
			    "but missing", res[nres].name);
			goto out;
		}
		npkd_hash(NPKD_HASH_SHA256, v[i].data.data, v[i].data.len, sha,
		    NULL);
		npkd_hex(sha, 32, hex);
		if (v[i].data.len != size || strcmp(hex, want) != 0) {
			rc = npkd_seterr(e, NPKD_E_VERIFY, "package: %s does not "
			    "match its MANIFEST hash and size", v[i].name);
			goto out;
		}
		memcpy(res[nres].sha256, sha, 32);
		nres++;
	}
	if (nres != nfiles) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "package: members not in the "
		    "MANIFEST");
		goto out;
	}
	/* all checked: now the data moves */
	for (j = 0; j < nres; j++)
		for (i = 0; i < n; i++)
			if (strcmp(v[i].name, res[j].name) == 0) {
				res[j].data = v[i].data;
				v[i].data.data = NULL;
				v[i].data.len = 0;
				break;
			}
	*out = res;
	*nout = nres;
	res = NULL;
	nres = 0;
out:
	npkd_pkg_free(res, nres);
	free(lines);
	return rc;
}

/*
 * Read and check a package: every member a plain file with a safe name,
 * at most once, bounded; MANIFEST signed (MANIFEST.p7s) by one of trust;
 * every listed member present with its hash and size, nothing unlisted.
 * On success *out holds the members in MANIFEST order (caller frees).
 */
int
npkd_pkg_read(const uint8_t *p, size_t len,
    const struct npkd_cert *const *trust, size_t ntrust,
    struct npkd_pkg_member **out, size_t *nout, struct npkd_err *e)
{
	struct npkd_pkg_member	*v = NULL;
	struct npkd_cms		*cms = NULL;
	const struct npkd_cert	*who;
	struct npkd_buf		 man = { NULL, 0 }, sig = { NULL, 0 };
	size_t			 n = 0, i;
	int			 rc, found;

	*out = NULL;
	*nout = 0;
	if ((rc = npkd_pkg_tar_read(p, len, &v, &n, e)) != NPKD_OK)
		return rc;
	for (i = 0; i < n; i++) {
		if (strcmp(v[i].name, "MANIFEST") == 0)
			man = v[i].data;
		else if (strcmp(v[i].name, "MANIFEST.p7s") == 0)
			sig = v[i].data;
	}
	if (man.data == NULL || sig.data == NULL) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "package: MANIFEST or its "
		    "signature missing");
		goto out;
	}
	/* the signature first: nothing is believed before it holds */
	if ((rc = npkd_cms_parse(sig.data, sig.len, &cms, e)) != NPKD_OK)
		goto out;
	if ((rc = npkd_cms_verify_detached(cms, man.data, man.len, trust,
	    ntrust, &who, NULL, e)) != NPKD_OK) {
		rc = NPKD_E_VERIFY;
		goto out;
	}
	for (found = 0, i = 0; i < ntrust; i++)
		if (memcmp(who->sha256, trust[i]->sha256, 32) == 0)
			found = 1;
	if (!found) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "package: signed by %s, not "
		    "by the other side's package key", who->subject);
		goto out;
	}
	rc = npkd_pkg_manifest_check(man.data, man.len, v, n, out, nout, e);
 out:
	if (rc == NPKD_E_VERIFY && e != NULL && strncmp(e->msg, "package:",
	    8) != 0) {
		char m[sizeof(e->msg)];

		snprintf(m, sizeof(m), "%s", e->msg);
		npkd_seterr(e, rc, "package: MANIFEST signature: %s", m);
	}
	npkd_cms_free(cms);
	npkd_pkg_free(v, n);
	return rc;
}
