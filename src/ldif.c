/*
 * ldif.c - a streaming LDIF reader (RFC 2849) for ICAO PKD downloads:
 * folded lines, "::" base64 values, "dn::" names, comments, attribute
 * names in any case with options (";binary").  Input is read in chunks
 * through a callback; only one entry is held in memory at a time, and
 * every line, value and entry is bounded.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "npkd_int.h"

#define CHUNK		(256 * 1024)
/* 16 MiB decoded is at most this much base64 plus the attribute name. */
#define MAX_LINE	(NPKD_MAX_LDIF_VALUE / 3 * 4 + 4096)
#define MAX_ATTRS	1024

struct npkd_ldif {
	npkd_read_fn		 rd;
	void			*arg;
	char			*name;
	char			*pfx;		/* "name: " or "" */
	uint8_t			*buf;		/* raw input window */
	size_t			 start, end;
	int			 eof;
	uint64_t		 consumed;	/* bytes of input used */
	size_t			 lineno;	/* physical lines read */
	struct npkd_dbuf	 cur;		/* current logical line */
	size_t			 cur_no;
	struct npkd_dbuf	 ahead;		/* physical line read ahead */
	size_t			 ahead_no;
	int			 have_ahead;
	int			 seen_entry;
	struct npkd_ldif_entry	 ent;
};

void
npkd_ldif_free(struct npkd_ldif *l)
{
	if (l == NULL)
		return;
	npkd_ldif_entry_clear(&l->ent);
	npkd_dbuf_free(&l->cur);
	npkd_dbuf_free(&l->ahead);
	free(l->buf);
	free(l->name);
	free(l->pfx);
	free(l);
}

/* A reader of the LDIF stream rd(arg, ...); name is used in messages. */
int
npkd_ldif_new(npkd_read_fn rd, void *arg, const char *name,
    struct npkd_ldif **out, struct npkd_err *e)
{
	struct npkd_ldif *l;

	*out = NULL;
	if ((l = calloc(1, sizeof(*l))) == NULL ||
	    (l->buf = malloc(CHUNK)) == NULL ||
	    (l->name = strdup(name)) == NULL ||
	    asprintf(&l->pfx, "%s%s", name, name[0] ? ": " : "") == -1) {
		if (l != NULL)
			l->pfx = NULL;
		npkd_ldif_free(l);
		return npkd_seterr(e, NPKD_E_NOMEM, "%s: out of memory", name);
	}
	l->rd = rd;
	l->arg = arg;
	npkd_dbuf_init(&l->cur, MAX_LINE);
	npkd_dbuf_init(&l->ahead, MAX_LINE);
	*out = l;
	return NPKD_OK;
}

uint64_t
npkd_ldif_offset(const struct npkd_ldif *l)
{
	return l->consumed;
}

void
npkd_ldif_entry_clear(struct npkd_ldif_entry *en)
{
	size_t i;

	for (i = 0; i < en->nattrs; i++) {
		free(en->attrs[i].name);
		free(en->attrs[i].value);
	}
	free(en->attrs);
	free(en->dn);
	memset(en, 0, sizeof(*en));
}

/*
 * Next physical line into acc (newline dropped, CR stripped).  Returns 1
 * for a line, 0 at the end of input, a negative code on error.
 */
static int
physical(struct npkd_ldif *l, struct npkd_dbuf *acc, struct npkd_err *e)
{
	uint8_t	*nl;
	ssize_t	 n;
	size_t	 take;
	int	 rc, any = 0;

	acc->len = 0;
	for (;;) {
		if (l->start < l->end) {
			any = 1;
			nl = memchr(l->buf + l->start, '\n', l->end - l->start);
			take = nl ? (size_t)(nl - (l->buf + l->start)) :
			    l->end - l->start;
			if ((rc = npkd_dbuf_add(acc, l->buf + l->start, take)) !=
			    NPKD_OK)
				return npkd_seterr(e, rc, "%sline %zu: longer "
				    "than %zu bytes", l->pfx, l->lineno + 1,
				    (size_t)MAX_LINE);
			l->start += take;
			l->consumed += take;
			if (nl != NULL) {
				l->start++;
				l->consumed++;
				break;
			}
		}
		if (l->eof) {
			if (!any)
				return 0;
			break;
		}
		n = l->rd(l->arg, l->buf, CHUNK);
		if (n < 0)
			return npkd_seterr(e, NPKD_E_IO, "%s", l->name[0] ? l->name :
			    "read");
		if (n == 0)
			l->eof = 1;
		l->start = 0;
		l->end = (size_t)n;
	}
	l->lineno++;
	if (acc->len > 0 && acc->data[acc->len - 1] == '\r')
		acc->len--;
	npkd_dbuf_add(acc, "", 0);	/* NUL-terminate */
	return 1;
}

/*
 * Next logical line, continuations (lines starting with one space, RFC
 * 2849 note 2) joined, into l->cur.  1, 0 at the end, or an error.
 */
static int
logical(struct npkd_ldif *l, struct npkd_err *e)
{
	struct npkd_dbuf	 t;
	int			 rc;

	if (!l->have_ahead) {
		if ((rc = physical(l, &l->ahead, e)) <= 0)
			return rc;
		l->ahead_no = l->lineno;
	}
	t = l->cur;
	l->cur = l->ahead;
	l->ahead = t;
	l->cur_no = l->ahead_no;
	l->have_ahead = 0;
	if (l->cur.len == 0)
		return 1;
	for (;;) {
		if ((rc = physical(l, &l->ahead, e)) < 0)
			return rc;
		if (rc == 0)
			break;
		if (l->ahead.len > 0 && l->ahead.data[0] == ' ') {
			if ((rc = npkd_dbuf_add(&l->cur, l->ahead.data + 1,
			    l->ahead.len - 1)) != NPKD_OK)
				return npkd_seterr(e, rc, "%sline %zu: longer "
				    "than %zu bytes", l->pfx, l->cur_no,
				    (size_t)MAX_LINE);
			continue;
		}
		l->have_ahead = 1;
		l->ahead_no = l->lineno;
		break;
	}
	npkd_dbuf_add(&l->cur, "", 0);
	return 1;
}

static int
b64(const char *s, size_t n, uint8_t **out, size_t *olen)
{
	gnutls_datum_t	 in, res = { NULL, 0 };

	*out = NULL;
	*olen = 0;
	in.data = (unsigned char *)(uintptr_t)s;
	in.size = (unsigned int)n;
	/* Every value is NUL-terminated, the empty one too: callers may
	 * read a textual value (dn, conformance text) as a string. */
	if (n == 0) {
		if ((*out = malloc(1)) == NULL)
			return NPKD_E_NOMEM;
		(*out)[0] = 0;
		return NPKD_OK;
	}
	if (gnutls_base64_decode2(&in, &res) < 0)
		return NPKD_E_FORMAT;
	if ((*out = malloc(res.size + 1)) == NULL) {
		gnutls_free(res.data);
		return NPKD_E_NOMEM;
	}
	memcpy(*out, res.data, res.size);
	(*out)[res.size] = 0;
	*olen = res.size;
	gnutls_free(res.data);
	return NPKD_OK;
}

/*
 * Read the next entry.  NPKD_OK with the entry lent until the next call,
 * NPKD_E_NOTFOUND at the end of input, or an error naming the line.
 */
int
npkd_ldif_next(struct npkd_ldif *l, const struct npkd_ldif_entry **out,
    struct npkd_err *e)
{
	struct npkd_ldif_entry	*en = &l->ent;
	struct npkd_ldif_attr	*na, *a;
	char			*line, *colon, *v, *semi;
	uint8_t			*val;
	size_t			 vlen, i, nlen;
	int			 rc, started = 0, binary;

	*out = NULL;
	npkd_ldif_entry_clear(en);
	for (;;) {
		if ((rc = logical(l, e)) < 0)
			return rc;
		if (rc == 0)
			break;
		line = (char *)l->cur.data;
		if (l->cur.len == 0 || line[0] == '\0') {
			if (started)
				break;
			continue;
		}
		if (line[0] == '#')
			continue;
		if ((colon = strchr(line, ':')) == NULL || colon == line) {
			if (strcmp(line, "-") == 0)
				return npkd_seterr(e, NPKD_E_UNSUPPORTED,
				    "%sline %zu: LDIF change records are not "
				    "supported", l->pfx, l->cur_no);
			return npkd_seterr(e, NPKD_E_FORMAT, "%sline %zu: no "
			    "attribute name", l->pfx, l->cur_no);
		}
		nlen = (size_t)(colon - line);
		for (i = 0; i < nlen; i++)
			if (!isalnum((unsigned char)line[i]) && line[i] != '-' &&
			    line[i] != ';' && line[i] != '.')
				return npkd_seterr(e, NPKD_E_FORMAT, "%sline "
				    "%zu: bad attribute name", l->name,
				    l->cur_no);
		*colon = '\0';
		v = colon + 1;
		if (*v == ':') {
			for (v++; *v == ' '; v++)
				;
			if ((rc = b64(v, strlen(v), &val, &vlen)) != NPKD_OK)
				return npkd_seterr(e, rc, "%sline %zu: %s: bad "
				    "base64", l->pfx, l->cur_no, line);
		} else if (*v == '<') {
			return npkd_seterr(e, NPKD_E_UNSUPPORTED, "%sline %zu: "
			    "URL values are not read", l->pfx, l->cur_no);
		} else {
			for (; *v == ' '; v++)
				;
			vlen = strlen(v);
			if ((val = malloc(vlen + 1)) == NULL)
				return NPKD_E_NOMEM;
			memcpy(val, v, vlen + 1);
		}
		if (vlen > NPKD_MAX_LDIF_VALUE) {
			free(val);
			return npkd_seterr(e, NPKD_E_LIMIT, "%sline %zu: value "
			    "larger than %lu bytes", l->pfx, l->cur_no,
			    (unsigned long)NPKD_MAX_LDIF_VALUE);
		}
		if (!started) {
			if (!l->seen_entry && strcasecmp(line, "version") == 0) {
				free(val);
				continue;
			}
			if (strcasecmp(line, "dn") != 0) {
				free(val);
				return npkd_seterr(e, NPKD_E_FORMAT, "%sline %zu: "
				    "entry does not start with dn", l->name,
				    l->cur_no);
			}
			if (memchr(val, '\0', vlen) != NULL) {
				free(val);
				return npkd_seterr(e, NPKD_E_FORMAT, "%sline %zu: "
				    "NUL in dn", l->pfx, l->cur_no);
			}
			en->dn = (char *)val;
			en->line = l->cur_no;
			started = l->seen_entry = 1;
			continue;
		}
		if (strcasecmp(line, "dn") == 0 ||
		    strcasecmp(line, "changetype") == 0) {
			free(val);
			return npkd_seterr(e, NPKD_E_FORMAT, "%sline %zu: %s "
			    "inside an entry", l->pfx, l->cur_no, line);
		}
		if (en->nattrs >= MAX_ATTRS) {
			free(val);
			return npkd_seterr(e, NPKD_E_LIMIT, "%sline %zu: more "
			    "than %d attributes", l->pfx, l->cur_no, MAX_ATTRS);
		}
		binary = 0;
		if ((semi = strchr(line, ';')) != NULL) {
			binary = strcasestr(semi, ";binary") != NULL;
			*semi = '\0';
		}
		na = reallocarray(en->attrs, en->nattrs + 1, sizeof(*na));
		if (na == NULL) {
			free(val);
			return NPKD_E_NOMEM;
		}
		en->attrs = na;
		a = &en->attrs[en->nattrs];
		if ((a->name = strdup(line)) == NULL) {
			free(val);
			return NPKD_E_NOMEM;
		}
		for (i = 0; a->name[i] != '\0'; i++)
			a->name[i] = (char)tolower((unsigned char)a->name[i]);
		a->binary = binary;
		a->value = val;
		a->len = vlen;
		en->nattrs++;
	}
	if (!started)
		return NPKD_E_NOTFOUND;
	*out = en;
	return NPKD_OK;
}

/* First value of attribute name (lower case) in en, or NULL. */
const struct npkd_ldif_attr *
npkd_ldif_attr(const struct npkd_ldif_entry *en, const char *name)
{
	size_t i;

	for (i = 0; i < en->nattrs; i++)
		if (strcmp(en->attrs[i].name, name) == 0)
			return &en->attrs[i];
	return NULL;
}
