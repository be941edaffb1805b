/*
 * export.c - publication for inspection systems: PEM bundles per country,
 * LDIF in the ICAO PKD download layout, and a national master list of the
 * CSCAs the store trusts.  Files are written atomically.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "npkd_int.h"
#include "store_int.h"

#define PKD_BASE	"dc=download,dc=pkd,dc=icao,dc=int"

/* Collects one country's PEM bundle and writes it when the country ends. */
struct pemctx {
	const char			*dir;
	char				 cc[8];
	const char			*what;
	struct npkd_dbuf		 d;
	struct npkd_export_stats	*st;
	struct npkd_err			*e;
	int				 rc;
};

static void
safe_cc(const char *in, char *out)
{
	/* two letters, upper case; anything else is the unknown "XX" */
	if (strlen(in) != 2 || !isalpha((unsigned char)in[0]) ||
	    !isalpha((unsigned char)in[1])) {
		memcpy(out, "XX", 3);
		return;
	}
	out[0] = (char)toupper((unsigned char)in[0]);
	out[1] = (char)toupper((unsigned char)in[1]);
	out[2] = '\0';
}

static int
pem_flush(struct pemctx *c)
{
	char path[4096];

	if (c->d.len == 0)
		return NPKD_OK;
	snprintf(path, sizeof(path), "%s/%s_%s.pem", c->dir, c->cc, c->what);
	c->rc = npkd_file_write_atomic(path, c->d.data, c->d.len, 0644, 0, c->e);
	npkd_dbuf_free(&c->d);
	if (c->rc == NPKD_OK)
		c->st->files++;
	return c->rc;
}

static int
pem_one(void *arg, const struct npkd_object *o)
{
	struct pemctx	*c = arg;
	struct npkd_buf	 pem;
	char		 cc[8];

	safe_cc(o->country, cc);
	if (strcmp(cc, c->cc) != 0) {
		if (pem_flush(c) != NPKD_OK)
			return c->rc;
		memcpy(c->cc, cc, sizeof(cc));
	}
	if ((c->rc = npkd_pem_encode("CERTIFICATE", o->der, o->der_len, &pem,
	    c->e)) != NPKD_OK)
		return c->rc;
	c->rc = npkd_dbuf_add(&c->d, pem.data, pem.len);
	npkd_buf_free(&pem);
	if (c->rc != NPKD_OK)
		return npkd_seterr(c->e, c->rc, "export: bundle too large");
	c->st->objects++;
	return 0;
}

/*
 * PEM bundles per country in dir: CC_csca.pem (CSCA and link
 * certificates) and CC_dsc.pem.  Valid objects only, unless all.
 */
int
npkd_store_export_pem(struct npkd_store *s, const char *dir, int all,
    struct npkd_export_stats *st, struct npkd_err *e)
{
	static const char *kinds[][2] = { { "csca", "csca" }, { "link", "csca" },
	    { "dsc", "dsc" } };
	struct npkd_query	 q;
	struct pemctx		 c;
	size_t			 i;
	int			 rc;

	memset(st, 0, sizeof(*st));
	for (i = 0; i < 3; i++) {
		memset(&q, 0, sizeof(q));
		q.expiring_days = -1;
		q.kind = kinds[i][0];
		q.status = all ? NULL : "valid";
		q.with_der = 1;
		memset(&c, 0, sizeof(c));
		c.dir = dir;
		/* links go into the CSCA bundle: distinct file name */
		c.what = i == 1 ? "link" : kinds[i][1];
		c.st = st;
		c.e = e;
		npkd_dbuf_init(&c.d, NPKD_MAX_FILE);
		rc = npkd_store_list(s, &q, pem_one, &c, e);
		if (rc == NPKD_OK)
			rc = pem_flush(&c);
		npkd_dbuf_free(&c.d);
		if (rc != NPKD_OK)
			return rc;
	}
	return NPKD_OK;
}

/* RFC 4514 escaping of a value inside a DN. */
static int
dn_escape(struct npkd_dbuf *d, const char *v)
{
	size_t	 i, n = strlen(v);
	int	 rc = NPKD_OK;

	for (i = 0; i < n && rc == NPKD_OK; i++) {
		if (strchr(",+\"\\<>;=", v[i]) != NULL ||
		    (i == 0 && (v[i] == '#' || v[i] == ' ')) ||
		    (i == n - 1 && v[i] == ' '))
			rc = npkd_dbuf_add(d, "\\", 1);
		if (rc == NPKD_OK)
			rc = npkd_dbuf_add(d, v + i, 1);
	}
	return rc;
}

/* RFC 2849 SAFE-STRING: printable ASCII, no leading space, colon or <. */
static int
ldif_safe(const uint8_t *v, size_t n)
{
	size_t i;

	if (n > 0 && (v[0] == ' ' || v[0] == ':' || v[0] == '<' ||
	    v[n - 1] == ' '))
		return 0;
	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return 0;
	return 1;
}

/* "name: value" or "name:: base64", folded at 76 columns. */
static int
ldif_attr(struct npkd_dbuf *d, const char *name, const uint8_t *v, size_t n,
    int binary)
{
	gnutls_datum_t	 in, out = { NULL, 0 };
	const uint8_t	*p;
	size_t		 len, col, take;
	int		 rc = NPKD_OK;

	if (!binary && ldif_safe(v, n)) {
		p = v;
		len = n;
		rc = npkd_dbuf_printf(d, "%s: ", name);
	} else {
		in.data = (unsigned char *)(uintptr_t)v;
		in.size = (unsigned int)n;
		if (n > 0 && gnutls_base64_encode2(&in, &out) < 0)
			return NPKD_E_NOMEM;
		p = out.data;
		len = n > 0 ? out.size : 0;
		rc = npkd_dbuf_printf(d, "%s:: ", name);
	}
	col = strlen(name) + (p == v ? 2 : 3);
	while (rc == NPKD_OK && len > 0) {
		take = col < 76 ? 76 - col : 1;
		if (take > len)
			take = len;
		rc = npkd_dbuf_add(d, p, take);
		p += take;
		len -= take;
		if (rc == NPKD_OK && len > 0)
			rc = npkd_dbuf_add(d, "\n ", 2);
		col = 1;
	}
	if (rc == NPKD_OK)
		rc = npkd_dbuf_add(d, "\n", 1);
	gnutls_free(out.data);
	return rc;
}

static int
ldif_dn(struct npkd_dbuf *d, const struct npkd_dbuf *dn)
{
	return ldif_attr(d, "dn", dn->data, dn->len, 0);
}

/* Container entries seen so far: "nc|CC|o". */
struct seen {
	char	**v;
	size_t	  n;
};

static int
seen_add(struct seen *s, const char *key)
{
	char	**nv;
	size_t	  i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], key) == 0)
			return 0;
	if ((nv = reallocarray(s->v, s->n + 1, sizeof(*nv))) == NULL)
		return -1;
	s->v = nv;
	if ((s->v[s->n] = strdup(key)) == NULL)
		return -1;
	s->n++;
	return 1;
}

static void
seen_free(struct seen *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

struct ldifctx {
	struct npkd_dbuf		*d;
	struct seen			 containers;
	struct seen			 dns;
	struct npkd_export_stats	*st;
	int				 rc;
};

static int
container(struct ldifctx *c, const char *branch, const char *cc, const char *o)
{
	char	 key[64], dn[256];
	int	 r;

	snprintf(key, sizeof(key), "%s|%s|", branch, cc);
	if ((r = seen_add(&c->containers, key)) < 0)
		return NPKD_E_NOMEM;
	if (r == 1) {
		snprintf(dn, sizeof(dn), "dn: c=%s,dc=%s,%s\n", cc, branch,
		    PKD_BASE);
		if (npkd_dbuf_printf(c->d, "%sobjectClass: top\nobjectClass: "
		    "country\nc: %s\n\n", dn, cc) != NPKD_OK)
			return NPKD_E_NOMEM;
	}
	snprintf(key, sizeof(key), "%s|%s|%s", branch, cc, o);
	if ((r = seen_add(&c->containers, key)) < 0)
		return NPKD_E_NOMEM;
	if (r == 1 && npkd_dbuf_printf(c->d, "dn: o=%s,c=%s,dc=%s,%s\n"
	    "objectClass: top\nobjectClass: organization\no: %s\n\n", o, cc,
	    branch, PKD_BASE, o) != NPKD_OK)
		return NPKD_E_NOMEM;
	return NPKD_OK;
}

static int
ldif_one(void *arg, const struct npkd_object *ob)
{
	struct ldifctx		*c = arg;
	struct npkd_dbuf	*d = c->d, dn;
	const char		*o, *name, *branch = ob->nonconformant ?
				    "nc-data" : "data";
	char			 cc[8], hex[65], *code = NULL, *text;
	int			 rc, r;

	if (strcmp(ob->kind, "dsc") == 0)
		o = "dsc";
	else if (strcmp(ob->kind, "crl") == 0)
		o = "crl";
	else if (strcmp(ob->kind, "ml") == 0)
		o = "ml";
	else
		return 0;
	safe_cc(ob->country, cc);
	if ((rc = container(c, branch, cc, o)) != NPKD_OK)
		return c->rc = rc;
	/* cn=<issuer>+sn=<serial>; issuer and serial are not unique in
	 * real data, so a repeated name falls back to the SHA-256. */
	npkd_hex(ob->sha256, 32, hex);
	name = strcmp(o, "dsc") == 0 ? ob->issuer : ob->subject;
	if (name[0] == '\0')
		name = hex;	/* a refused list has no signer to name it */
	npkd_dbuf_init(&dn, 1 << 16);
	rc = npkd_dbuf_add(&dn, "cn=", 3);
	if (rc == NPKD_OK)
		rc = dn_escape(&dn, name);
	if (rc == NPKD_OK && strcmp(o, "crl") != 0)
		rc = npkd_dbuf_printf(&dn, "+sn=%s", strcmp(o, "ml") == 0 ?
		    hex : ob->serial);
	if (rc == NPKD_OK && (r = seen_add(&c->dns, (char *)dn.data)) <= 0) {
		if (r < 0)
			rc = NPKD_E_NOMEM;
		else {
			dn.len = 0;
			rc = npkd_dbuf_printf(&dn, "cn=%s", hex);
		}
	}
	if (rc == NPKD_OK)
		rc = npkd_dbuf_printf(&dn, ",o=%s,c=%s,dc=%s,%s", o, cc, branch,
		    PKD_BASE);
	if (rc == NPKD_OK)
		rc = ldif_dn(d, &dn);
	npkd_dbuf_free(&dn);
	if (rc != NPKD_OK)
		return c->rc = rc;
	if (strcmp(o, "dsc") == 0)
		rc = npkd_dbuf_printf(d, "objectClass: top\nobjectClass: person\n"
		    "objectClass: organizationalPerson\nobjectClass: "
		    "inetOrgPerson\nobjectClass: pkdDownload\n");
	else if (strcmp(o, "crl") == 0)
		rc = npkd_dbuf_printf(d, "objectClass: top\nobjectClass: "
		    "cRLDistributionPoint\nobjectClass: pkdDownload\n");
	else
		rc = npkd_dbuf_printf(d, "objectClass: top\nobjectClass: person\n"
		    "objectClass: pkdMasterList\nobjectClass: pkdDownload\n");
	if (rc == NPKD_OK)
		rc = ldif_attr(d, "cn", (const uint8_t *)name, strlen(name), 0);
	if (rc == NPKD_OK && strcmp(o, "crl") != 0)
		rc = ldif_attr(d, "sn", (const uint8_t *)(strcmp(o, "ml") == 0 ?
		    hex : ob->serial), strlen(strcmp(o, "ml") == 0 ? hex :
		    ob->serial), 0);
	if (rc == NPKD_OK)
		rc = npkd_dbuf_printf(d, "pkdVersion: 1\n");
	if (rc == NPKD_OK && ob->nonconformant && ob->conformance != NULL) {
		/* stored as "code: text" */
		if ((code = strdup(ob->conformance)) == NULL)
			return c->rc = NPKD_E_NOMEM;
		if ((text = strstr(code, ": ")) != NULL) {
			*text = '\0';
			text += 2;
		}
		if (code[0] != '\0')
			rc = ldif_attr(d, "pkdConformanceCode", (uint8_t *)code,
			    strlen(code), 0);
		if (rc == NPKD_OK && text != NULL)
			rc = ldif_attr(d, "pkdConformanceText", (uint8_t *)text,
			    strlen(text), 0);
		free(code);
	}
	if (rc == NPKD_OK)
		rc = ldif_attr(d, strcmp(o, "dsc") == 0 ? "userCertificate;binary" :
		    strcmp(o, "crl") == 0 ? "certificateRevocationList;binary" :
		    "pkdMasterListContent", ob->der, ob->der_len, 1);
	if (rc == NPKD_OK)
		rc = npkd_dbuf_add(d, "\n", 1);
	if (rc == NPKD_OK)
		c->st->objects++;
	return c->rc = rc;
}

/*
 * LDIF in the ICAO PKD download layout (under dc=data or, for
 * non-conformant objects, dc=nc-data of dc=download,dc=pkd,dc=icao,dc=int):
 * DSCs, CRLs and master lists.  Valid objects only, unless all.
 */
int
npkd_store_export_ldif(struct npkd_store *s, const char *path, int all,
    struct npkd_export_stats *st, struct npkd_err *e)
{
	static const char	*kinds[] = { "dsc", "crl", "ml" };
	struct npkd_query	 q;
	struct ldifctx		 c;
	struct npkd_dbuf	 d;
	size_t			 i;
	int			 rc = NPKD_OK;

	memset(st, 0, sizeof(*st));
	memset(&c, 0, sizeof(c));
	npkd_dbuf_init(&d, NPKD_MAX_FILE);
	c.d = &d;
	c.st = st;
	rc = npkd_dbuf_printf(&d, "version: 1\n\n");
	/* the two branches first, so the file loads into an empty tree */
	for (i = 0; i < 2 && rc == NPKD_OK; i++)
		rc = npkd_dbuf_printf(&d, "dn: dc=%s,%s\nobjectClass: top\n"
		    "objectClass: domain\ndc: %s\n\n", i ? "nc-data" : "data",
		    PKD_BASE, i ? "nc-data" : "data");
	for (i = 0; i < 3 && rc == NPKD_OK; i++) {
		memset(&q, 0, sizeof(q));
		q.expiring_days = -1;
		q.kind = kinds[i];
		q.status = all ? NULL : "valid";
		q.with_der = 1;
		rc = npkd_store_list(s, &q, ldif_one, &c, e);
		if (rc == NPKD_OK && c.rc != NPKD_OK)
			rc = c.rc;
	}
	if (rc == NPKD_E_LIMIT || rc == NPKD_E_NOMEM)
		npkd_seterr(e, rc, "%s: export too large", path);
	if (rc == NPKD_OK) {
		if (strcmp(path, "-") == 0) {
			if (fwrite(d.data, 1, d.len, stdout) != d.len ||
			    fflush(stdout) != 0)
				rc = npkd_seterr(e, NPKD_E_IO, "(stdout)");
		} else
			rc = npkd_file_write_atomic(path, d.data, d.len, 0644, 0,
			    e);
		if (rc == NPKD_OK)
			st->files = 1;
	}
	npkd_dbuf_free(&d);
	seen_free(&c.containers);
	seen_free(&c.dns);
	return rc;
}

struct mlctx {
	struct npkd_cert	**v;
	size_t			  n;
	int			  rc;
};

static int
ml_one(void *arg, const struct npkd_object *o)
{
	struct mlctx		 *c = arg;
	struct npkd_cert	**nv, *x;

	if (!o->trusted)
		return 0;
	if ((c->rc = npkd_cert_parse(o->der, o->der_len, &x, NULL)) != NPKD_OK)
		return c->rc;
	if ((nv = reallocarray(c->v, c->n + 1, sizeof(*nv))) == NULL) {
		npkd_cert_free(x);
		return c->rc = NPKD_E_NOMEM;
	}
	c->v = nv;
	c->v[c->n++] = x;
	return 0;
}

/*
 * Our national master list: every valid CSCA and link certificate the
 * store trusts, CMS-signed by key whose certificate is signer.
 */
int
npkd_store_export_ml(struct npkd_store *s, const struct npkd_cert *signer,
    struct npkd_key *key, const struct npkd_cms_sign_opts *o,
    struct npkd_buf *out, size_t *count, struct npkd_err *e)
{
	static const char	*kinds[] = { "csca", "link" };
	struct npkd_query	 q;
	struct mlctx		 c;
	struct npkd_buf		 content = { NULL, 0 };
	size_t			 i;
	int			 rc = NPKD_OK;

	out->data = NULL;
	out->len = 0;
	*count = 0;
	if (!npkd_cert_has_eku(signer, NPKD_OID_ML_SIGNER))
		return npkd_seterr(e, NPKD_E_USAGE, "%s lacks the master list "
		    "signer extended key usage", signer->subject);
	memset(&c, 0, sizeof(c));
	for (i = 0; i < 2 && rc == NPKD_OK; i++) {
		memset(&q, 0, sizeof(q));
		q.expiring_days = -1;
		q.kind = kinds[i];
		q.status = "valid";
		q.with_der = 1;
		rc = npkd_store_list(s, &q, ml_one, &c, e);
		if (rc == NPKD_OK && c.rc != NPKD_OK)
			rc = npkd_seterr(e, c.rc, "national master list");
	}
	if (rc == NPKD_OK && c.n == 0)
		rc = npkd_seterr(e, NPKD_E_USAGE, "no valid trusted CSCA in the "
		    "store: run npkd check first");
	if (rc == NPKD_OK)
		rc = npkd_ml_build((const struct npkd_cert *const *)c.v, c.n,
		    &content, e);
	if (rc == NPKD_OK)
		rc = npkd_cms_sign(NPKD_OID_ML_CONTENT, content.data,
		    content.len, signer, key, o, out, e);
	if (rc == NPKD_OK)
		*count = c.n;
	npkd_buf_free(&content);
	npkd_certs_free(c.v, c.n);
	return rc;
}
