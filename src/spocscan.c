/*
 * spocscan.c - the cheap streaming pass over a SPOC message, before any
 * tree is built: one linear walk over the bytes with budgets of nodes,
 * depth, attributes and name lengths (spoc_int.h), constant memory, and
 * the few facts the relay needs before it trusts the message: is it a
 * SOAP 1.1 Envelope, which element is in its Body, and what callerID
 * that element names.  It refuses what libxml2 must never see here: a
 * document type declaration (so no entity is declared), undefined
 * entities, and encodings other than UTF-8.  It does not check UTF-8 or
 * the finer points of XML names; libxml2 does that afterwards, on a
 * document now known to be small.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spoc_int.h"

#define MAX_NSDECL	(SPOC_MAX_DEPTH * SPOC_MAX_ATTRS)

struct span {
	const char	*p;
	size_t		 n;
};

struct nsdecl {
	size_t		 depth;
	struct span	 prefix, uri;
};

struct sc {
	const char	*p, *end, *what;
	size_t		 line;
	struct spoc_scan *out;
	struct npkd_err	*e;
	struct span	 open[SPOC_MAX_DEPTH + 1];	/* element names */
	struct nsdecl	 ns[MAX_NSDECL];
	size_t		 nns, depth;
	int		 in_body, in_op, in_caller;	/* depths, 0: not */
	int		 utf16;		/* the input was UTF-16 */
};

static int
fail(struct sc *s, int code, const char *why)
{
	return npkd_seterr(s->e, code, "%s: line %zu: %s", s->what, s->line,
	    why);
}

static int
ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Advance over n bytes, counting lines. */
static void
adv(struct sc *s, size_t n)
{
	for (; n > 0 && s->p < s->end; n--, s->p++)
		if (*s->p == '\n')
			s->line++;
}

static void
skip_ws(struct sc *s)
{
	while (s->p < s->end && ws(*s->p))
		adv(s, 1);
}

static int
at(struct sc *s, const char *lit)
{
	size_t n = strlen(lit);

	return (size_t)(s->end - s->p) >= n && memcmp(s->p, lit, n) == 0;
}

/* Skip to just after the terminator; NPKD_E_FORMAT when it never comes. */
static int
skip_past(struct sc *s, const char *term, const char *what)
{
	size_t		 n = strlen(term);
	const char	*q;

	for (q = s->p; (size_t)(s->end - q) >= n; q++)
		if (*q == term[0] && memcmp(q, term, n) == 0) {
			adv(s, (size_t)(q - s->p) + n);
			return NPKD_OK;
		}
	return fail(s, NPKD_E_FORMAT, what);
}

static int
count_node(struct sc *s)
{
	if (++s->out->nodes > SPOC_MAX_NODES)
		return npkd_seterr(s->e, NPKD_E_LIMIT, "%s: more than %d nodes",
		    s->what, SPOC_MAX_NODES);
	return NPKD_OK;
}

/* A name: up to a delimiter, bounded. */
static int
name(struct sc *s, struct span *n)
{
	n->p = s->p;
	while (s->p < s->end && !ws(*s->p) && *s->p != '>' && *s->p != '/' &&
	    *s->p != '=' && *s->p != '<' && *s->p != '"' && *s->p != '\'' &&
	    *s->p != '&')
		s->p++;
	n->n = (size_t)(s->p - n->p);
	if (n->n == 0)
		return fail(s, NPKD_E_FORMAT, "a name is missing");
	if (n->n > SPOC_MAX_NAME)
		return npkd_seterr(s->e, NPKD_E_LIMIT, "%s: line %zu: a name "
		    "longer than %d bytes", s->what, s->line, SPOC_MAX_NAME);
	return NPKD_OK;
}

static int
span_is(const struct span *a, const char *lit)
{
	return a->n == strlen(lit) && memcmp(a->p, lit, a->n) == 0;
}

static void
utf8_put(char *buf, size_t cap, size_t *len, unsigned long cp)
{
	char	u[4];
	size_t	n, i;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	for (i = 0; i < n; i++, (*len)++)
		if (*len < cap)
			buf[*len] = u[i];
}

/*
 * A reference at s->p ('&'): one of the five predefined entities or a
 * character reference; anything else is an undefined entity, since no
 * document type may declare one.  The character goes to buf when set.
 */
static int
reference(struct sc *s, char *buf, size_t cap, size_t *len)
{
	static const struct { const char *name; char c; } pre[] = {
		{ "lt;", '<' }, { "gt;", '>' }, { "amp;", '&' },
		{ "quot;", '"' }, { "apos;", '\'' }
	};
	unsigned long	cp = 0;
	size_t		i;
	int		hex, digits = 0;

	adv(s, 1);
	for (i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
		if (at(s, pre[i].name)) {
			adv(s, strlen(pre[i].name));
			if (buf != NULL)
				utf8_put(buf, cap, len, (unsigned char)pre[i].c);
			return NPKD_OK;
		}
	if (!at(s, "#"))
		return fail(s, NPKD_E_FORMAT, "an undefined entity (no "
		    "document type may declare one)");
	adv(s, 1);
	hex = at(s, "x");
	if (hex)
		adv(s, 1);
	for (; s->p < s->end && *s->p != ';'; s->p++, digits++) {
		char c = *s->p;
		int v;

		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (hex && c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (hex && c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			return fail(s, NPKD_E_FORMAT, "a bad character "
			    "reference");
		cp = cp * (hex ? 16 : 10) + (unsigned long)v;
		if (cp > 0x10ffff)
			return fail(s, NPKD_E_FORMAT, "a character reference "
			    "out of range");
	}
	if (s->p == s->end || digits == 0)
		return fail(s, NPKD_E_FORMAT, "a bad character reference");
	adv(s, 1);
	if (buf != NULL)
		utf8_put(buf, cap, len, cp);
	return NPKD_OK;
}

/* Character data up to the next '<' (one text node). */
static int
text(struct sc *s)
{
	int rc, keep = s->in_caller != 0 && s->depth == (size_t)s->in_caller;

	if ((rc = count_node(s)) != NPKD_OK)
		return rc;
	while (s->p < s->end && *s->p != '<') {
		if (*s->p == '&') {
			if ((rc = reference(s, keep ? s->out->caller : NULL,
			    sizeof(s->out->caller) - 1, &s->out->caller_len)) !=
			    NPKD_OK)
				return rc;
			continue;
		}
		if (keep) {
			if (s->out->caller_len < sizeof(s->out->caller) - 1)
				s->out->caller[s->out->caller_len] = *s->p;
			s->out->caller_len++;
		}
		adv(s, 1);
	}
	return NPKD_OK;
}

/* The namespace of a prefix in scope; NULL span when none. */
static struct span
ns_of(struct sc *s, const struct span *prefix)
{
	struct span	none = { "", 0 };
	size_t		i;

	for (i = s->nns; i-- > 0; )
		if (s->ns[i].prefix.n == prefix->n &&
		    memcmp(s->ns[i].prefix.p, prefix->p, prefix->n) == 0)
			return s->ns[i].uri;
	return none;
}

/* The XML declaration: only UTF-8 (or its subset US-ASCII) is read. */
static int
xml_decl(struct sc *s, const char *start, const char *stop)
{
	const char	*q;
	size_t		 n;

	for (q = start; q + 8 <= stop; q++)
		if (memcmp(q, "encoding", 8) == 0)
			break;
	if (q + 8 > stop)
		return NPKD_OK;
	for (q += 8; q < stop && (ws(*q) || *q == '='); q++)
		;
	if (q >= stop || (*q != '"' && *q != '\''))
		return fail(s, NPKD_E_FORMAT, "a bad XML declaration");
	start = ++q;
	while (q < stop && *q != start[-1])
		q++;
	n = (size_t)(q - start);
	if ((n == 5 && strncasecmp(start, "UTF-8", 5) == 0) ||
	    (n == 8 && strncasecmp(start, "US-ASCII", 8) == 0) ||
	    (n == 6 && strncasecmp(start, "UTF-16", 6) == 0 && s->utf16))
		return NPKD_OK;
	return fail(s, NPKD_E_FORMAT, "the encoding must be UTF-8 or UTF-16");
}

/* A processing instruction at "<?"; the first may be the declaration. */
static int
pi(struct sc *s, int first)
{
	const char	*start = s->p;
	int		 rc;

	if ((rc = count_node(s)) != NPKD_OK)
		return rc;
	if ((rc = skip_past(s, "?>", "an unterminated processing "
	    "instruction")) != NPKD_OK)
		return rc;
	if (first && s->p - start >= 7 && memcmp(start, "<?xml", 5) == 0 &&
	    ws(start[5]))
		return xml_decl(s, start + 5, s->p - 2);
	return NPKD_OK;
}

/* "<!..." in content: a comment or a CDATA section; nothing else. */
static int
bang(struct sc *s, int in_root)
{
	int rc;

	if ((rc = count_node(s)) != NPKD_OK)
		return rc;
	if (at(s, "<!--"))
		return skip_past(s, "-->", "an unterminated comment");
	if (in_root && at(s, "<![CDATA[")) {
		const char *start;

		adv(s, 9);
		start = s->p;
		if ((rc = skip_past(s, "]]>", "an unterminated CDATA section"))
		    != NPKD_OK)
			return rc;
		if (s->in_caller != 0 && s->depth == (size_t)s->in_caller) {
			size_t i, n = (size_t)(s->p - start) - 3;

			for (i = 0; i < n; i++, s->out->caller_len++)
				if (s->out->caller_len < sizeof(s->out->caller) -
				    1)
					s->out->caller[s->out->caller_len] =
					    start[i];
		}
		return NPKD_OK;
	}
	if (at(s, "<!DOCTYPE") || at(s, "<!ENTITY") || at(s, "<!ELEMENT") ||
	    at(s, "<!ATTLIST"))
		return fail(s, NPKD_E_FORMAT, "a document type declaration is "
		    "not allowed");
	return fail(s, NPKD_E_FORMAT, "unknown markup \"<!\"");
}

/* What the element just opened at s->depth means for the captures. */
static void
note(struct sc *s, const struct span *qname)
{
	struct spoc_scan	*o = s->out;
	struct span		 prefix = { qname->p, 0 }, local = *qname, uri;
	const char		*colon = memchr(qname->p, ':', qname->n);

	if (colon != NULL) {
		prefix.n = (size_t)(colon - qname->p);
		local.p = colon + 1;
		local.n = qname->n - prefix.n - 1;
	}
	uri = ns_of(s, &prefix);
	switch (s->depth) {
	case 1:
		if (span_is(&local, "Envelope"))
			o->env = span_is(&uri, SPOC_NS_SOAP11) ?
			    SPOC_ENV_SOAP11 : SPOC_ENV_OTHER;
		else
			o->env = SPOC_ENV_NONE;
		break;
	case 2:
		if (o->env == SPOC_ENV_SOAP11 && span_is(&local, "Body") &&
		    span_is(&uri, SPOC_NS_SOAP11))
			s->in_body = 2;
		break;
	case 3:
		if (s->in_body != 2)
			break;
		if (o->body_children++ == 0) {
			o->body_name = local.p;
			o->body_name_len = local.n;
			o->body_ns = uri.p;
			o->body_ns_len = uri.n;
			s->in_op = 3;
		}
		break;
	case 4:
		if (s->in_op == 3 && !o->has_caller &&
		    span_is(&local, "callerID") && uri.n == o->body_ns_len &&
		    memcmp(uri.p, o->body_ns, uri.n) == 0) {
			o->has_caller = 1;
			s->in_caller = 4;
		}
		break;
	}
}

/* A start tag at '<'. */
static int
start_tag(struct sc *s)
{
	struct span	 qname, an[SPOC_MAX_ATTRS];
	size_t		 na = 0, i, nns0 = s->nns;
	int		 rc, empty = 0;

	if ((rc = count_node(s)) != NPKD_OK)
		return rc;
	adv(s, 1);
	if ((rc = name(s, &qname)) != NPKD_OK)
		return rc;
	if (++s->depth > SPOC_MAX_DEPTH)
		return npkd_seterr(s->e, NPKD_E_LIMIT, "%s: line %zu: deeper "
		    "than %d", s->what, s->line, SPOC_MAX_DEPTH);
	for (;;) {
		const char	*before = s->p;
		struct span	 v;
		char		 q;

		skip_ws(s);
		if (s->p == s->end)
			return fail(s, NPKD_E_FORMAT, "an unterminated tag");
		if (*s->p == '>') {
			adv(s, 1);
			break;
		}
		if (at(s, "/>")) {
			adv(s, 2);
			empty = 1;
			break;
		}
		if (before == s->p)
			return fail(s, NPKD_E_FORMAT, "attributes must be "
			    "separated by white space");
		if (na == SPOC_MAX_ATTRS)
			return npkd_seterr(s->e, NPKD_E_LIMIT, "%s: line %zu: "
			    "more than %d attributes", s->what, s->line,
			    SPOC_MAX_ATTRS);
		if (++s->out->attrs > SPOC_MAX_ALL_ATTRS)
			return npkd_seterr(s->e, NPKD_E_LIMIT, "%s: more than "
			    "%d attributes", s->what, SPOC_MAX_ALL_ATTRS);
		if ((rc = name(s, &an[na])) != NPKD_OK)
			return rc;
		for (i = 0; i < na; i++)
			if (an[i].n == an[na].n &&
			    memcmp(an[i].p, an[na].p, an[i].n) == 0)
				return fail(s, NPKD_E_FORMAT, "an attribute "
				    "twice");
		skip_ws(s);
		if (s->p == s->end || *s->p != '=')
			return fail(s, NPKD_E_FORMAT, "an attribute without "
			    "value");
		adv(s, 1);
		skip_ws(s);
		if (s->p == s->end || (*s->p != '"' && *s->p != '\''))
			return fail(s, NPKD_E_FORMAT, "an unquoted attribute "
			    "value");
		q = *s->p;
		adv(s, 1);
		v.p = s->p;
		while (s->p < s->end && *s->p != q) {
			if (*s->p == '<')
				return fail(s, NPKD_E_FORMAT, "'<' in an "
				    "attribute value");
			if (*s->p == '&') {
				if ((rc = reference(s, NULL, 0, NULL)) !=
				    NPKD_OK)
					return rc;
				continue;
			}
			adv(s, 1);
		}
		if (s->p == s->end)
			return fail(s, NPKD_E_FORMAT, "an unterminated "
			    "attribute value");
		v.n = (size_t)(s->p - v.p);
		adv(s, 1);
		if (span_is(&an[na], "xmlns") || (an[na].n > 6 &&
		    memcmp(an[na].p, "xmlns:", 6) == 0)) {
			struct nsdecl *d = &s->ns[s->nns++];

			/* at most MAX_NSDECL: depth and attributes bound it */
			d->depth = s->depth;
			d->prefix.p = an[na].p + (an[na].n > 5 ? 6 : 5);
			d->prefix.n = an[na].n > 5 ? an[na].n - 6 : 0;
			d->uri = v;
		}
		na++;
	}
	s->open[s->depth] = qname;
	note(s, &qname);
	if (empty) {
		if (s->in_caller == (int)s->depth)
			s->in_caller = -1;
		s->depth--;
		s->nns = nns0;
	}
	return NPKD_OK;
}

/* An end tag at "</": it must close the element open. */
static int
end_tag(struct sc *s)
{
	struct span n;
	int rc;

	adv(s, 2);
	if ((rc = name(s, &n)) != NPKD_OK)
		return rc;
	skip_ws(s);
	if (s->p == s->end || *s->p != '>')
		return fail(s, NPKD_E_FORMAT, "a bad end tag");
	adv(s, 1);
	if (s->depth == 0 || n.n != s->open[s->depth].n ||
	    memcmp(n.p, s->open[s->depth].p, n.n) != 0)
		return fail(s, NPKD_E_FORMAT, "an end tag that closes no open "
		    "element");
	if (s->in_caller == (int)s->depth)
		s->in_caller = -1;	/* captured: the first only */
	if (s->in_op == (int)s->depth)
		s->in_op = 0;
	if (s->in_body == (int)s->depth)
		s->in_body = 0;
	while (s->nns > 0 && s->ns[s->nns - 1].depth == s->depth)
		s->nns--;
	s->depth--;
	return NPKD_OK;
}

int
spoc_scan(const uint8_t *p, size_t len, const char *what, int utf16,
    struct spoc_scan *o, struct npkd_err *e)
{
	struct sc	*s;
	int		 rc = NPKD_OK, seen_root = 0, first = 1;

	memset(o, 0, sizeof(*o));
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "%s", what);
	s->p = (const char *)p;
	s->end = s->p + len;
	s->what = what;
	s->line = 1;
	s->out = o;
	s->e = e;
	s->utf16 = utf16;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		s->p += 3;
	/* UTF-8 XML holds no NUL; other encodings (UCS-4, UTF-16 without a
	 * mark) would be read differently by libxml2 than by this pass */
	if (memchr(p, '\0', len) != NULL)
		rc = fail(s, NPKD_E_FORMAT, "a NUL byte (only UTF-8 or UTF-16 "
		    "with its byte order mark is read)");
	while (rc == NPKD_OK && s->p < s->end) {
		if (*s->p != '<') {
			if (s->depth > 0) {
				rc = text(s);
				continue;
			}
			/* only white space outside the root */
			skip_ws(s);
			if (s->p < s->end && *s->p != '<')
				rc = fail(s, NPKD_E_FORMAT, seen_root ?
				    "text after the root element" : "not XML: "
				    "text before the root element");
			continue;
		}
		if (at(s, "<?"))
			rc = pi(s, first);
		else if (at(s, "<!"))
			rc = bang(s, s->depth > 0);
		else if (at(s, "</"))
			rc = end_tag(s);
		else if (seen_root && s->depth == 0)
			rc = fail(s, NPKD_E_FORMAT, "a second root element");
		else {
			seen_root = 1;
			rc = start_tag(s);
		}
		first = 0;
	}
	if (rc == NPKD_OK && (s->depth != 0 || !seen_root))
		rc = fail(s, NPKD_E_FORMAT, s->depth != 0 ? "the document ends "
		    "inside an element" : "no root element");
	if (o->caller_len > sizeof(o->caller) - 1)
		o->caller[sizeof(o->caller) - 1] = '\0';
	else
		o->caller[o->caller_len] = '\0';
	free(s);
	return rc;
}

/*
 * UTF-16 input, told by its byte order mark or by "<?" in either byte
 * order, becomes UTF-8; surrogates must pair.  At most 3 bytes of
 * output for every 2 of input.
 */
int
spoc_utf16(const uint8_t *p, size_t len, struct npkd_buf *out,
    struct npkd_err *e)
{
	struct npkd_dbuf	 d;
	size_t			 i = 0;
	int			 be;
	char			 u[4];
	size_t			 n;

	if (len >= 2 && p[0] == 0xfe && p[1] == 0xff) {
		be = 1;
		i = 2;
	} else if (len >= 2 && p[0] == 0xff && p[1] == 0xfe) {
		be = 0;
		i = 2;
	} else if (len >= 4 && memcmp(p, "\0<\0?", 4) == 0)
		be = 1;
	else if (len >= 4 && memcmp(p, "<\0?\0", 4) == 0)
		be = 0;
	else
		return 0;
	if (len % 2 != 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "UTF-16 of odd length");
	npkd_dbuf_init(&d, len / 2 * 3 + 1);
	while (i < len) {
		unsigned long cp = be ? (unsigned long)p[i] << 8 | p[i + 1] :
		    (unsigned long)p[i + 1] << 8 | p[i];

		i += 2;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			unsigned long lo;

			if (i >= len)
				goto bad;
			lo = be ? (unsigned long)p[i] << 8 | p[i + 1] :
			    (unsigned long)p[i + 1] << 8 | p[i];
			if (lo < 0xdc00 || lo > 0xdfff)
				goto bad;
			i += 2;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		} else if (cp >= 0xdc00 && cp <= 0xdfff)
			goto bad;
		n = 0;
		utf8_put(u, sizeof(u), &n, cp);
		if (npkd_dbuf_add(&d, u, n) != NPKD_OK) {
			npkd_dbuf_free(&d);
			return npkd_seterr(e, NPKD_E_NOMEM, "UTF-16");
		}
	}
	out->data = d.data ? d.data : calloc(1, 1);
	out->len = d.len;
	return 1;
bad:
	npkd_dbuf_free(&d);
	return npkd_seterr(e, NPKD_E_FORMAT, "UTF-16: an unpaired surrogate");
}
