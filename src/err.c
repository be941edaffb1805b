/*
 * err.c - error reporting, findings and bounded buffers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>

#include "npkd_int.h"

/*
 * Findings in the order added; the same code and text twice is kept once,
 * found through an open-addressed table of indices (slot: index + 1, 0
 * when empty) so that a file with many findings stays linear.
 */
struct npkd_findings {
	struct npkd_finding	*v;
	size_t			 n, cap;
	size_t			*tab;
	size_t			 tabn;	/* a power of two, at least 2 * cap */
};

/*
 * Record code and a one-line message in e (if non-NULL); returns code so
 * callers can "return npkd_seterr(...)".  NPKD_E_IO appends strerror.
 */
int
npkd_seterr(struct npkd_err *e, int code, const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;
	size_t	 len;

	if (e == NULL)
		return code;
	e->code = code;
	e->sys_errno = code == NPKD_E_IO ? saved : 0;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	if (code == NPKD_E_IO && saved != 0) {
		len = strlen(e->msg);
		snprintf(e->msg + len, sizeof(e->msg) - len, ": %s",
		    strerror(saved));
	}
	return code;
}

/* Map a libtasn1 result to ours, with context. */
int
npkd_asn2err(struct npkd_err *e, int r, const char *ctx)
{
	if (r == ASN1_MEM_ALLOC_ERROR)
		return npkd_seterr(e, NPKD_E_NOMEM, "%s: out of memory", ctx);
	return npkd_seterr(e, NPKD_E_FORMAT, "%s: %s", ctx,
	    asn1_strerror(r));
}

/* Map a GnuTLS result to ours, with context. */
int
npkd_gnutls2err(struct npkd_err *e, int r, const char *ctx)
{
	int code = NPKD_E_CRYPTO;

	if (r == GNUTLS_E_MEMORY_ERROR)
		code = NPKD_E_NOMEM;
	else if (r == GNUTLS_E_ASN1_DER_ERROR || r == GNUTLS_E_BASE64_DECODING_ERROR ||
	    r == GNUTLS_E_ASN1_TAG_ERROR || r == GNUTLS_E_ASN1_DER_OVERFLOW)
		code = NPKD_E_FORMAT;
	else if (r == GNUTLS_E_FILE_ERROR)
		code = NPKD_E_IO;
	return npkd_seterr(e, code, "%s: %s", ctx, gnutls_strerror(r));
}

const char *
npkd_strerror(int code)
{
	switch (code) {
	case NPKD_OK:		return "ok";
	case NPKD_E_NOMEM:	return "out of memory";
	case NPKD_E_IO:		return "input/output error";
	case NPKD_E_FORMAT:	return "malformed input";
	case NPKD_E_LIMIT:	return "limit exceeded";
	case NPKD_E_VERIFY:	return "verification failed";
	case NPKD_E_USAGE:	return "invalid use";
	case NPKD_E_UNSUPPORTED: return "unsupported";
	case NPKD_E_CRYPTO:	return "crypto library error";
	case NPKD_E_NOTFOUND:	return "not found";
	}
	return "unknown error";
}

struct npkd_findings *
npkd_findings_new(void)
{
	return calloc(1, sizeof(struct npkd_findings));
}

void
npkd_findings_free(struct npkd_findings *f)
{
	size_t i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		free((char *)f->v[i].text);
	free(f->v);
	free(f->tab);
	free(f);
}

size_t
npkd_findings_count(const struct npkd_findings *f)
{
	return f == NULL ? 0 : f->n;
}

const struct npkd_finding *
npkd_findings_get(const struct npkd_findings *f, size_t i)
{
	if (f == NULL || i >= f->n)
		return NULL;
	return &f->v[i];
}

static size_t
finding_hash(const char *code, const char *text)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */
	const char	*p;

	for (p = code; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ 0xff) * 1099511628211ULL;
	for (p = text; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	return (size_t)h;
}

/* The slot of code/text: where it is, or the empty one it would take. */
static size_t
finding_slot(const struct npkd_findings *f, const char *code,
    const char *text)
{
	size_t	 i = finding_hash(code, text) & (f->tabn - 1);
	size_t	 k;

	while ((k = f->tab[i]) != 0 && (strcmp(f->v[k - 1].code, code) != 0 ||
	    strcmp(f->v[k - 1].text, text) != 0))
		i = (i + 1) & (f->tabn - 1);
	return i;
}

static int
findings_push(struct npkd_findings *f, int sev, const char *code,
    const char *rule, char *text)
{
	struct npkd_finding	*nv;
	size_t			 i, ncap, *nt, ntabn;

	if (f->n == f->cap) {
		ncap = f->cap ? f->cap * 2 : 8;
		ntabn = 2 * ncap;
		if (ncap > 100000 || (nv = reallocarray(f->v, ncap,
		    sizeof(*nv))) == NULL) {
			free(text);
			return NPKD_E_NOMEM;
		}
		f->v = nv;
		if ((nt = calloc(ntabn, sizeof(*nt))) == NULL) {
			free(text);
			return NPKD_E_NOMEM;
		}
		free(f->tab);
		f->tab = nt;
		f->tabn = ntabn;
		f->cap = ncap;
		for (i = 0; i < f->n; i++)
			f->tab[finding_slot(f, f->v[i].code, f->v[i].text)] =
			    i + 1;
	}
	/* The same finding twice says nothing new. */
	i = finding_slot(f, code, text);
	if (f->tab[i] != 0) {
		free(text);
		return NPKD_OK;
	}
	f->v[f->n].severity = sev;
	f->v[f->n].code = code;
	f->v[f->n].rule = rule;
	f->v[f->n].text = text;
	f->n++;
	f->tab[i] = f->n;
	return NPKD_OK;
}

/*
 * Add a finding.  code and rule must be string literals (they are lent,
 * not copied).  A NULL list is allowed and ignores the finding.
 */
int
npkd_findings_add(struct npkd_findings *f, int sev, const char *code,
    const char *rule, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	if (f == NULL)
		return NPKD_OK;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) == -1)
		text = NULL;
	va_end(ap);
	if (text == NULL)
		return NPKD_E_NOMEM;
	return findings_push(f, sev, code, rule, text);
}

int
npkd_findings_merge(struct npkd_findings *dst,
    const struct npkd_findings *src, const char *prefix)
{
	size_t	 i;
	char	*text;
	int	 rc;

	if (dst == NULL || src == NULL)
		return NPKD_OK;
	for (i = 0; i < src->n; i++) {
		if (asprintf(&text, "%s%s%s", prefix ? prefix : "",
		    prefix ? ": " : "", src->v[i].text) == -1)
			return NPKD_E_NOMEM;
		rc = findings_push(dst, src->v[i].severity, src->v[i].code,
		    src->v[i].rule, text);
		if (rc != NPKD_OK)
			return rc;
	}
	return NPKD_OK;
}

const char *
npkd_sev_name(int sev)
{
	switch (sev) {
	case NPKD_SEV_INFO:	return "info";
	case NPKD_SEV_WARNING:	return "warning";
	case NPKD_SEV_ERROR:	return "error";
	}
	return "unknown";
}

void
npkd_dbuf_init(struct npkd_dbuf *d, size_t max)
{
	d->data = NULL;
	d->len = d->cap = 0;
	d->max = max;
}

/* Append; NPKD_E_LIMIT once the maximum would be passed. */
int
npkd_dbuf_add(struct npkd_dbuf *d, const void *p, size_t n)
{
	uint8_t	*nd;
	size_t	 ncap;

	if (n > d->max || d->len > d->max - n)
		return NPKD_E_LIMIT;
	if (d->len + n + 1 > d->cap) {
		ncap = d->cap ? d->cap : 256;
		while (ncap < d->len + n + 1)
			ncap *= 2;
		if ((nd = realloc(d->data, ncap)) == NULL)
			return NPKD_E_NOMEM;
		d->data = nd;
		d->cap = ncap;
	}
	if (n > 0)
		memcpy(d->data + d->len, p, n);
	d->len += n;
	d->data[d->len] = '\0';
	return NPKD_OK;
}

int
npkd_dbuf_printf(struct npkd_dbuf *d, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n, rc;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NPKD_E_NOMEM;
	rc = npkd_dbuf_add(d, s, (size_t)n);
	free(s);
	return rc;
}

void
npkd_dbuf_free(struct npkd_dbuf *d)
{
	free(d->data);
	npkd_dbuf_init(d, d->max);
}

void
npkd_buf_free(struct npkd_buf *b)
{
	if (b == NULL)
		return;
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

void
npkd_hex(const uint8_t *p, size_t len, char *out)
{
	static const char	 digits[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * len] = '\0';
}

void
npkd_time_str(time_t t, char *out)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, 21, "-");
}
