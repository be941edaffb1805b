/*
 * spocpkg.c - package keys and packing, shared by spoc and spoc-relay.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "spocpkg.h"

const char	*spoc_dir;
char		*spoc_pin;

static void
forget_pin(void)
{
	free_pin(spoc_pin);
	spoc_pin = NULL;
}

int
spoc_global_opts(const char *name, int argc, char *argv[],
    void (*usage)(void))
{
	struct npkd_err	e;
	int		ch;

	tool_init(name);
	spoc_dir = getenv("NPKD_DIR");
	atexit(forget_pin);
	while ((ch = getopt(argc, argv, "+d:P:q")) != -1)
		switch (ch) {
		case 'd': spoc_dir = optarg; break;
		case 'P':
			free_pin(spoc_pin);
			if ((spoc_pin = read_pin(optarg)) == NULL)
				exit(EXIT_ERR);
			break;
		case 'q': verbose = -1; break;
		default: usage();
		}
	if (optind >= argc)
		usage();
	if (npkd_global_init(&e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		exit(EXIT_ERR);
	}
	return optind;
}

char *
spoc_read_text(const char *path, size_t max)
{
	struct npkd_buf	 b;
	struct npkd_err	 e;
	char		*s;
	size_t		 n;

	if (npkd_file_read(path, max, &b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return NULL;
	}
	n = b.len;
	if ((s = malloc(n + 1)) != NULL) {
		memcpy(s, b.data, n);
		s[n] = '\0';
	}
	memset(b.data, 0, b.len);
	npkd_buf_free(&b);
	if (s == NULL)
		warnmsg(NULL, "out of memory");
	else if (strlen(s) != n) {
		warnmsg(display_name(path), "contains a NUL byte");
		free(s);
		return NULL;
	}
	return s;
}

void
spoc_country(struct npkd_store *st, char cc[3])
{
	struct npkd_err	 e;
	char		*v;

	if (npkd_spoc_setting_get(st, "country", &v, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		exit(EXIT_ERR);
	}
	snprintf(cc, 3, "%s", v);
	free(v);
}

static int
setting_certs(struct npkd_store *st, const char *name,
    struct npkd_cert ***v, size_t *n)
{
	struct npkd_err	 e;
	char		*pem;
	int		 rc;

	if (npkd_spoc_setting_get(st, name, &pem, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	rc = npkd_certs_load((uint8_t *)pem, strlen(pem), v, n, &e);
	free(pem);
	if (rc != NPKD_OK) {
		warnmsg(NULL, "setting %s: %s", name, e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

int
spoc_pkg_read(struct npkd_store *st, const char *path,
    struct npkd_pkg_member **m, size_t *n)
{
	struct npkd_cert	**trust = NULL;
	struct npkd_buf		  b;
	struct npkd_err		  e;
	size_t			  nt = 0;
	int			  rc;

	*m = NULL;
	*n = 0;
	if (setting_certs(st, "trust", &trust, &nt) != EXIT_OK)
		return EXIT_ERR;
	if (npkd_file_read(path, NPKD_MAX_FILE, &b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		npkd_certs_free(trust, nt);
		return EXIT_ERR;
	}
	rc = npkd_pkg_read(b.data, b.len, (const struct npkd_cert *const *)trust,
	    nt, m, n, &e);
	npkd_buf_free(&b);
	npkd_certs_free(trust, nt);
	if (rc != NPKD_OK) {
		warnmsg(display_name(path), "%s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

void
spoc_kind(int op, int response, char *buf, size_t n)
{
	snprintf(buf, n, "%s%s", npkd_spoc_op_name(op), response ? "Response" :
	    "Request");
}

int
spoc_kind_parse(const char *s, int *op, int *response)
{
	char	k[48];
	int	o, r;

	for (o = NPKD_SPOC_REQUEST_CERT; o <= NPKD_SPOC_GENERAL; o++)
		for (r = 0; r < 2; r++) {
			spoc_kind(o, r, k, sizeof(k));
			if (strcmp(k, s) == 0) {
				*op = o;
				*response = r;
				return 0;
			}
		}
	return -1;
}

void
spoc_log(struct npkd_store *st, const char *dir, const char *peer, int op,
    int response, const char *msgid, const uint8_t *sha, const char *outcome)
{
	struct npkd_err	e;
	char		k[48];

	spoc_kind(op, response, k, sizeof(k));
	if (npkd_spoc_log_add(st, time(NULL), dir, peer, k, msgid, sha, outcome,
	    &e) != NPKD_OK)
		warnmsg(NULL, "audit log: %s", e.msg);
}

struct packer {
	struct npkd_pkg_member	*m;
	size_t			 n, cap;
	int			 err;
};

static int
pack_one(void *arg, const struct npkd_spoc_rec *r)
{
	struct packer		*p = arg;
	struct npkd_pkg_member	*m;

	if (p->n == NPKD_PKG_MAX_MEMBERS - 2) {
		warnmsg(NULL, "more than %d messages: pack again for the rest",
		    NPKD_PKG_MAX_MEMBERS - 2);
		return 1;
	}
	if (p->n == p->cap) {
		size_t c = p->cap ? p->cap * 2 : 64;

		if ((m = reallocarray(p->m, c, sizeof(*m))) == NULL) {
			p->err = 1;
			return -1;
		}
		p->m = m;
		p->cap = c;
	}
	m = &p->m[p->n];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%ld.xml", r->id);
	spoc_kind(r->op, r->response, m->kind, sizeof(m->kind));
	snprintf(m->peer, sizeof(m->peer), "%s", r->peer);
	snprintf(m->msgid, sizeof(m->msgid), "%s", r->msgid);
	if ((m->data.data = malloc(r->xml_len)) == NULL) {
		p->err = 1;
		return -1;
	}
	memcpy(m->data.data, r->xml, r->xml_len);
	m->data.len = r->xml_len;
	memcpy(m->sha256, r->sha256, 32);
	p->n++;
	return 0;
}

int
spoc_sign(struct npkd_store *st, const struct npkd_pkg_member *m, size_t n,
    struct npkd_buf *out)
{
	struct npkd_cert	**cert = NULL;
	struct npkd_key		 *key = NULL;
	struct npkd_err		  e;
	char			 *keyref = NULL;
	size_t			  nc = 0;
	int			  ex = EXIT_ERR;

	memset(out, 0, sizeof(*out));
	if (setting_certs(st, "cert", &cert, &nc) != EXIT_OK)
		return EXIT_ERR;
	if (npkd_spoc_setting_get(st, "key", &keyref, &e) != NPKD_OK ||
	    npkd_key_load(keyref, spoc_pin, &key, &e) != NPKD_OK)
		warnmsg(NULL, "package key: %s", e.msg);
	else if (npkd_pkg_write(m, n, cert[0], key, out, &e) != NPKD_OK)
		warnmsg(NULL, "package: %s", e.msg);
	else
		ex = EXIT_OK;
	npkd_key_free(key);
	npkd_certs_free(cert, nc);
	free(keyref);
	return ex;
}

int
spoc_pack(struct npkd_store *st, const char *dir, const char *from,
    const char *to, const char *outf)
{
	struct npkd_spoc_filter	  f = { dir, from, NULL, 0, -1 };
	struct packer		  p = { NULL, 0, 0, 0 };
	struct npkd_buf		  out = { NULL, 0 };
	struct npkd_err		  e;
	size_t			  i;
	int			  ex = EXIT_ERR, rc;
	long			  id;

	if (npkd_store_txn(st, NPKD_TXN_BEGIN, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	rc = npkd_spoc_msg_list(st, &f, pack_one, &p, &e);
	if (p.err || rc < 0) {
		warnmsg(NULL, "%s", p.err ? "out of memory" : e.msg);
		goto rollback;
	}
	if (spoc_sign(st, p.m, p.n, &out) != EXIT_OK)
		goto rollback;
	for (i = 0; i < p.n; i++) {
		int op, resp;

		id = strtol(p.m[i].name, NULL, 10);
		if (npkd_spoc_msg_update(st, id, to, NULL, 0, time(NULL), &e) !=
		    NPKD_OK) {
			warnmsg(NULL, "%s", e.msg);
			goto rollback;
		}
		if (spoc_kind_parse(p.m[i].kind, &op, &resp) == 0)
			spoc_log(st, dir, p.m[i].peer, op, resp, p.m[i].msgid,
			    p.m[i].sha256, to);
	}
	if (write_output(outf, &out) != EXIT_OK)
		goto rollback;
	if (npkd_store_txn(st, NPKD_TXN_COMMIT, &e) != NPKD_OK) {
		warnmsg(NULL, "%s (the package %s was written but the messages "
		    "are still as before)", e.msg, outf);
		goto rollback;
	}
	if (verbose >= 0)
		fprintf(stderr, "%s: %zu message%s packed\n",
		    display_name(outf), p.n, p.n == 1 ? "" : "s");
	ex = EXIT_OK;
	goto out;
rollback:
	npkd_store_txn(st, NPKD_TXN_ROLLBACK, NULL);
out:
	npkd_pkg_free(p.m, p.n);
	npkd_buf_free(&out);
	return ex;
}
