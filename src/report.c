/*
 * report.c - the officer's overview of the store: one self-contained HTML
 * page (inline CSS and SVG, no script, no external resource, a content
 * security policy that forbids them) and a CSV of the same numbers.
 *
 * Per country: the officer's anchors, the CSCAs and links with their
 * state, every kind of object counted by status (DSCs first), the CRL of
 * each trusted issuer name with its age and next update as the last check
 * found it, what is valid and expires within N days, findings counted by
 * code and rule, and a timeline of CSCA validity and CRL freshness.  The
 * counts are those of npkd_store_list(), so that they equal what
 * `npkd ls` shows.  Every string from the store is escaped: certificate
 * names are the sender's, not ours.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "npkd_int.h"

#define NKIND		9
#define MAX_ROWS	200	/* listed rows per country and table (HTML) */
#define DAY		86400L

static const char *const kinds[NKIND] = { "csca", "link", "dsc", "mlsigner",
    "dlsigner", "crl", "ml", "dl", "other" };

struct ritem {
	char		*subject;
	const char	*kind;		/* static */
	char		 status[16];
	char		 reason[40];
	time_t		 nb, na;
	int		 anchor;
	uint8_t		 sha[32];
};

struct rname {
	char		*subject;
	char		 state[12];
	time_t		 this_update, next_update;
};

struct rfind {
	char		 code[48];
	char		 rule[64];
	size_t		 n;
};

struct rcountry {
	char		 cc[8];
	size_t		 count[NKIND][NPKD_ST_COUNT];
	size_t		 anchors;
	struct ritem	*cas;
	size_t		 ncas;
	struct ritem	*exp;
	size_t		 nexp;
	struct rname	*names;
	size_t		 nnames;
	struct rfind	*finds;
	size_t		 nfinds;
};

struct rep {
	struct rcountry	*c;
	size_t		 nc;
	time_t		 now;
	long		 days;
	uint8_t		(*anchor)[32];
	size_t		 nanchor;
	int		 nomem;
};

static void
rep_free(struct rep *r)
{
	size_t i, k;

	for (i = 0; i < r->nc; i++) {
		for (k = 0; k < r->c[i].ncas; k++)
			free(r->c[i].cas[k].subject);
		for (k = 0; k < r->c[i].nexp; k++)
			free(r->c[i].exp[k].subject);
		for (k = 0; k < r->c[i].nnames; k++)
			free(r->c[i].names[k].subject);
		free(r->c[i].cas);
		free(r->c[i].exp);
		free(r->c[i].names);
		free(r->c[i].finds);
	}
	free(r->c);
	free(r->anchor);
}

static int
cmp_country(const void *a, const void *b)
{
	return strcmp(((const struct rcountry *)a)->cc,
	    ((const struct rcountry *)b)->cc);
}

/* The country of cc (upper case; "" is "--"), added when new. */
static struct rcountry *
country(struct rep *r, const char *cc)
{
	struct rcountry	*nv;
	char		 k[8];
	size_t		 i;

	for (i = 0; i < sizeof(k) - 1 && cc != NULL && cc[i] != '\0'; i++)
		k[i] = (char)toupper((unsigned char)cc[i]);
	k[i] = '\0';
	if (k[0] == '\0')
		snprintf(k, sizeof(k), "--");
	for (i = 0; i < r->nc; i++)
		if (strcmp(r->c[i].cc, k) == 0)
			return &r->c[i];
	if ((nv = reallocarray(r->c, r->nc + 1, sizeof(*nv))) == NULL) {
		r->nomem = 1;
		return NULL;
	}
	r->c = nv;
	memset(&r->c[r->nc], 0, sizeof(r->c[r->nc]));
	memcpy(r->c[r->nc].cc, k, sizeof(k));
	return &r->c[r->nc++];
}

static int
kind_index(const char *k)
{
	int i;

	for (i = 0; i < NKIND; i++)
		if (strcmp(kinds[i], k) == 0)
			return i;
	return NKIND - 1;
}

static int
status_index(const char *s)
{
	int i;

	for (i = 0; i < NPKD_ST_COUNT; i++)
		if (strcmp(npkd_status_name(i), s) == 0)
			return i;
	return NPKD_ST_UNCHECKED;
}

static int
add_item(struct rep *r, struct ritem **v, size_t *n,
    const struct npkd_object *o)
{
	struct ritem *nv;

	if ((nv = reallocarray(*v, *n + 1, sizeof(*nv))) == NULL)
		return -1;
	*v = nv;
	nv = &nv[*n];
	memset(nv, 0, sizeof(*nv));
	if ((nv->subject = strdup(o->subject)) == NULL)
		return -1;
	nv->kind = kinds[kind_index(o->kind)];
	snprintf(nv->status, sizeof(nv->status), "%s", o->status);
	snprintf(nv->reason, sizeof(nv->reason), "%s", o->reason);
	nv->nb = o->not_before;
	nv->na = o->not_after;
	memcpy(nv->sha, o->sha256, 32);
	for (size_t i = 0; i < r->nanchor; i++)
		if (memcmp(r->anchor[i], o->sha256, 32) == 0)
			nv->anchor = 1;
	(*n)++;
	return 0;
}

/* The string value after "key":" at p (the store's own JSON). */
static const char *
json_field(const char *p, const char *key, char *out, size_t n)
{
	const char	*q;
	size_t		 i = 0;

	out[0] = '\0';
	if ((q = strstr(p, key)) == NULL)
		return NULL;
	for (q += strlen(key); *q != '\0' && *q != '"'; q++) {
		if (*q == '\\' && q[1] != '\0')
			q++;
		if (i + 1 < n)
			out[i++] = *q;
	}
	out[i] = '\0';
	return q;
}

/* Every finding of the object counted by code and rule. */
static int
add_findings(struct rcountry *c, const char *json)
{
	struct rfind	*nv;
	char		 code[48], rule[64];
	const char	*p = json, *q;
	size_t		 i;

	while (p != NULL && (p = strstr(p, "{\"severity\"")) != NULL) {
		q = json_field(p, "\"code\":\"", code, sizeof(code));
		if (q == NULL || json_field(q, "\"rule\":\"", rule,
		    sizeof(rule)) == NULL)
			break;
		p = q;
		for (i = 0; i < c->nfinds; i++)
			if (strcmp(c->finds[i].code, code) == 0 &&
			    strcmp(c->finds[i].rule, rule) == 0)
				break;
		if (i == c->nfinds) {
			if ((nv = reallocarray(c->finds, c->nfinds + 1,
			    sizeof(*nv))) == NULL)
				return -1;
			c->finds = nv;
			memset(&nv[i], 0, sizeof(nv[i]));
			memcpy(nv[i].code, code, sizeof(code));
			memcpy(nv[i].rule, rule, sizeof(rule));
			c->nfinds++;
		}
		c->finds[i].n++;
	}
	return 0;
}

static int
on_object(void *arg, const struct npkd_object *o)
{
	struct rep	*r = arg;
	struct rcountry	*c;
	int		 k = kind_index(o->kind);

	if ((c = country(r, o->country)) == NULL)
		return 1;
	c->count[k][status_index(o->status)]++;
	if ((k == 0 || k == 1) && add_item(r, &c->cas, &c->ncas, o) == -1)
		goto nomem;
	/* what is in use and ends within the days (as ls -e -s valid) */
	if (strcmp(o->status, "valid") == 0 && k != 6 && k != 7 &&
	    o->not_after > 0 && o->not_after <= r->now + r->days * DAY &&
	    add_item(r, &c->exp, &c->nexp, o) == -1)
		goto nomem;
	if (add_findings(c, o->findings) == -1)
		goto nomem;
	return 0;
 nomem:
	r->nomem = 1;
	return 1;
}

static int
on_trust(void *arg, const struct npkd_trust_item *t)
{
	struct rep	*r = arg;
	struct rcountry	*c;
	uint8_t		(*nv)[32];

	if (strcmp(t->what, "anchor") != 0)
		return 0;
	if ((c = country(r, t->country)) == NULL)
		return 1;
	c->anchors++;
	if ((nv = reallocarray(r->anchor, r->nanchor + 1, 32)) == NULL) {
		r->nomem = 1;
		return 1;
	}
	r->anchor = nv;
	memcpy(r->anchor[r->nanchor++], t->sha256, 32);
	return 0;
}

static int
on_name(void *arg, const struct npkd_name_state *n)
{
	struct rep	*r = arg;
	struct rcountry	*c;
	struct rname	*nv;

	if ((c = country(r, n->country)) == NULL)
		return 1;
	if ((nv = reallocarray(c->names, c->nnames + 1, sizeof(*nv))) == NULL)
		goto nomem;
	c->names = nv;
	nv = &nv[c->nnames];
	memset(nv, 0, sizeof(*nv));
	if ((nv->subject = strdup(n->subject)) == NULL)
		goto nomem;
	snprintf(nv->state, sizeof(nv->state), "%s", n->state);
	nv->this_update = n->this_update;
	nv->next_update = n->next_update;
	c->nnames++;
	return 0;
 nomem:
	r->nomem = 1;
	return 1;
}

/* ---- writing ---- */

/*
 * Appends that poison the buffer when one fails (its maximum set to 0),
 * so that a page missing a piece is never returned.
 */
static void
add(struct npkd_dbuf *d, const void *p, size_t n)
{
	if (npkd_dbuf_add(d, p, n) != NPKD_OK)
		d->max = 0;
}

static void addf(struct npkd_dbuf *, const char *, ...) NPKD_PRINTF(2, 3);

static void
addf(struct npkd_dbuf *d, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		d->max = 0;
		return;
	}
	add(d, s, (size_t)n);
	free(s);
}

/* Text for HTML: markup characters as entities, controls as U+FFFD. */
static void
html(struct npkd_dbuf *d, const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		switch (*s) {
		case '<': add(d, "&lt;", 4); break;
		case '>': add(d, "&gt;", 4); break;
		case '&': add(d, "&amp;", 5); break;
		case '"': add(d, "&quot;", 6); break;
		case '\'': add(d, "&#39;", 5); break;
		default:
			if ((unsigned char)*s < 0x20 || *s == 0x7f)
				add(d, "\xef\xbf\xbd", 3);
			else
				add(d, s, 1);
		}
}

/*
 * A CSV field (RFC 4180): quoted when it must be; a text that a
 * spreadsheet would take for a formula (= + - @, tab, CR) starts with '.
 */
static void
csv(struct npkd_dbuf *d, const char *s, int last)
{
	const char *p;

	if (s == NULL)
		s = "";
	add(d, "\"", 1);
	if (strchr("=+-@\t\r", s[0]) != NULL && s[0] != '\0')
		add(d, "'", 1);
	for (p = s; *p != '\0'; p++) {
		if (*p == '"')
			add(d, "\"", 1);
		if ((unsigned char)*p < 0x20 && *p != '\t')
			add(d, " ", 1);
		else
			add(d, p, 1);
	}
	add(d, last ? "\"\r\n" : "\",", last ? 3 : 2);
}

static void
csv_row(struct npkd_dbuf *d, const char *cc, const char *section,
    const char *kind, const char *status, const char *reason,
    const char *subject, time_t date, long count)
{
	char t[24] = "", n[24];

	if (date > 0)
		npkd_time_str(date, t);
	snprintf(n, sizeof(n), "%ld", count);
	csv(d, cc, 0);
	csv(d, section, 0);
	csv(d, kind, 0);
	csv(d, status, 0);
	csv(d, reason, 0);
	csv(d, subject, 0);
	csv(d, t, 0);
	csv(d, n, 1);
}

static const char *
day(time_t t, char *buf)
{
	if (t <= 0)
		return "-";
	npkd_time_str(t, buf);
	buf[10] = '\0';
	return buf;
}

static size_t
sum_status(const struct rcountry *c, int k, int s)
{
	return c->count[k][s];
}

static size_t
sum_kind(const struct rcountry *c, int k)
{
	size_t n = 0;
	int s;

	for (s = 0; s < NPKD_ST_COUNT; s++)
		n += c->count[k][s];
	return n;
}

static size_t
names_in(const struct rcountry *c, const char *state)
{
	size_t i, n = 0;

	for (i = 0; i < c->nnames; i++)
		n += strcmp(c->names[i].state, state) == 0;
	return n;
}

/* A count cell that the page's test reads back: country, kind, status. */
static void
cell(struct npkd_dbuf *d, const char *cc, const char *k, const char *s,
    size_t n)
{
	addf(d, "<td class=\"n%s\" data-c=\"", n ? "" : " zero");
	html(d, cc);
	addf(d, "\" data-k=\"%s\" data-s=\"%s\">%zu</td>", k, s, n);
}

/* x of time t on a timeline from t0 to t1 over w pixels after x0. */
static double
tx(time_t t, time_t t0, time_t t1, double x0, double w)
{
	if (t < t0)
		t = t0;
	if (t > t1)
		t = t1;
	return x0 + w * (double)(t - t0) / (double)(t1 - t0);
}

static const char *
color(const char *status)
{
	if (strcmp(status, "valid") == 0 || strcmp(status, "current") == 0)
		return "#2e7d32";
	if (strcmp(status, "expired") == 0 || strcmp(status, "superseded") == 0)
		return "#9e9e9e";
	if (strcmp(status, "revoked") == 0 || strcmp(status, "invalid") == 0 ||
	    strcmp(status, "stale") == 0 || strcmp(status, "none") == 0)
		return "#c62828";
	return "#ef6c00";
}

/* The timeline: a row per CSCA or link (validity), a row per CRL. */
static void
timeline(struct npkd_dbuf *d, const struct rcountry *c, time_t now)
{
	const double	 x0 = 300, w = 560;
	time_t		 t0 = now - 6 * 365 * DAY, t1 = now + 6 * 365 * DAY;
	size_t		 i, rows, nca = c->ncas < 12 ? c->ncas : 12;
	double		 y, a, b;
	char		 d1[24], d2[24];
	struct tm	 tm;
	int		 yr;

	for (i = 0; i < nca; i++) {
		if (c->cas[i].nb > 0 && c->cas[i].nb < t0 &&
		    c->cas[i].nb > now - 25 * 365 * DAY)
			t0 = c->cas[i].nb;
		if (c->cas[i].na > t1 && c->cas[i].na < now + 25 * 365 * DAY)
			t1 = c->cas[i].na;
	}
	rows = nca + c->nnames + (c->nnames == 0);
	addf(d, "<svg class=\"tl\" xmlns=\"http://www.w3.org/2000/"
	    "svg\" width=\"880\" height=\"%zu\" role=\"img\"><title>Timeline "
	    "of ", 40 + rows * 22);
	html(d, c->cc);
	addf(d, ": CSCA validity and CRL freshness</title>");
	/* years */
	gmtime_r(&t0, &tm);
	for (yr = tm.tm_year + 1901; ; yr += 2) {
		struct tm	jan;
		time_t		ty;

		memset(&jan, 0, sizeof(jan));
		jan.tm_year = yr - 1900;
		jan.tm_mday = 1;
		if ((ty = timegm(&jan)) > t1)
			break;
		a = tx(ty, t0, t1, x0, w);
		addf(d, "<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" "
		    "y2=\"%zu\" stroke=\"#e0e0e0\"/><text x=\"%.1f\" y=\"11\" "
		    "class=\"ax\">%d</text>", a, a, 20 + rows * 22, a - 12, yr);
	}
	y = 20;
	for (i = 0; i < nca; i++, y += 22) {
		const struct ritem *it = &c->cas[i];

		a = tx(it->nb, t0, t1, x0, w);
		b = tx(it->na, t0, t1, x0, w);
		addf(d, "<text x=\"4\" y=\"%.0f\" class=\"lb\">%s ",
		    y + 14, it->kind);
		html(d, it->subject);
		addf(d, "</text><rect x=\"%.1f\" y=\"%.0f\" "
		    "width=\"%.1f\" height=\"14\" fill=\"%s\"><title>", a, y + 3,
		    b - a > 1 ? b - a : 1, color(it->status));
		html(d, it->status);
		addf(d, " %s to %s</title></rect>", day(it->nb, d1),
		    day(it->na, d2));
	}
	for (i = 0; i < c->nnames; i++, y += 22) {
		const struct rname *n = &c->names[i];

		addf(d, "<text x=\"4\" y=\"%.0f\" class=\"lb\">CRL ",
		    y + 14);
		html(d, n->subject);
		add(d, "</text>", 7);
		if (n->this_update > 0) {
			a = tx(n->this_update, t0, t1, x0, w);
			b = tx(n->next_update > 0 ? n->next_update : t1, t0, t1,
			    x0, w);
			addf(d, "<rect x=\"%.1f\" y=\"%.0f\" width="
			    "\"%.1f\" height=\"14\" fill=\"%s\"><title>CRL %s, "
			    "next update %s</title></rect>", a, y + 3,
			    b - a > 2 ? b - a : 2, color(n->state), n->state,
			    day(n->next_update, d1));
		} else
			addf(d, "<text x=\"%.1f\" y=\"%.0f\" "
			    "class=\"bad\">no CRL</text>", x0 + 4, y + 14);
	}
	if (c->nnames == 0)
		addf(d, "<text x=\"4\" y=\"%.0f\" class=\"lb\">no "
		    "trusted CSCA name</text>", y + 14);
	a = tx(now, t0, t1, x0, w);
	addf(d, "<line x1=\"%.1f\" y1=\"14\" x2=\"%.1f\" y2=\"%zu\" "
	    "stroke=\"#1565c0\" stroke-width=\"2\"/><text x=\"%.1f\" "
	    "y=\"%zu\" class=\"ax\">today</text></svg>\n", a, a, 20 + rows * 22,
	    a - 14, 34 + rows * 22);
}

static const char style[] =
	"body{font:14px/1.4 sans-serif;margin:24px;color:#212121}"
	"h1{font-size:22px}h2{font-size:18px;border-top:1px solid #bdbdbd;"
	"padding-top:12px;margin-top:28px}h3{font-size:15px}"
	"table{border-collapse:collapse;margin:6px 0}"
	"td,th{border:1px solid #e0e0e0;padding:2px 8px;text-align:left}"
	"td.n{text-align:right}td.zero{color:#bdbdbd;text-align:right}"
	"th{background:#f5f5f5}.valid,.current{color:#2e7d32}"
	".revoked,.invalid,.stale,.none,.bad{color:#c62828}"
	".untrusted,.unchecked,.unsupported{color:#ef6c00}"
	".expired,.superseded{color:#757575}"
	"svg.tl{display:block;margin:8px 0}.ax{font-size:10px;fill:#757575}"
	".lb{font-size:11px}tr.total td{font-weight:bold}";

static void
page_country(struct npkd_dbuf *d, struct npkd_dbuf *v,
    const struct rcountry *c, const struct rep *r)
{
	char	 t1[24], t2[24];
	size_t	 i;
	int	 k, s;

	add(d, "<h2 id=\"c-", 10);
	html(d, c->cc);
	add(d, "\">", 2);
	html(d, c->cc);
	add(d, "</h2>\n", 6);
	timeline(d, c, r->now);

	addf(d, "<h3>Anchors and CSCAs</h3><table><tr><th>kind</th>"
	    "<th>subject</th><th>anchor</th><th>status</th><th>reason</th>"
	    "<th>valid from</th><th>to</th></tr>\n");
	for (i = 0; i < c->ncas; i++) {
		const struct ritem *it = &c->cas[i];

		if (i < MAX_ROWS) {
			addf(d, "<tr><td>%s</td><td>", it->kind);
			html(d, it->subject);
			addf(d, "</td><td>%s</td><td class=\"%s\">%s"
			    "</td><td>", it->anchor ? "yes" : "", it->status,
			    it->status);
			html(d, it->reason);
			addf(d, "</td><td>%s</td><td>%s</td></tr>\n",
			    day(it->nb, t1), day(it->na, t2));
		}
		csv_row(v, c->cc, it->anchor ? "anchor" : "ca", it->kind,
		    it->status, it->reason, it->subject, it->na, 1);
	}
	if (c->ncas > MAX_ROWS)
		addf(d, "<tr><td colspan=\"7\">and %zu more (CSV)"
		    "</td></tr>", c->ncas - MAX_ROWS);
	add(d, "</table>\n", 9);

	/* every kind by status, DSCs first */
	addf(d, "<h3>Objects by status</h3><table><tr><th></th>");
	for (s = 0; s < NPKD_ST_COUNT; s++)
		addf(d, "<th class=\"%s\">%s</th>",
		    npkd_status_name(s), npkd_status_name(s));
	addf(d, "</tr>\n");
	for (k = 0; k < NKIND; k++) {
		int kk = k == 0 ? 2 : k <= 2 ? k - 1 : k;	/* dsc first */

		if (sum_kind(c, kk) == 0 && kk != 2)
			continue;
		addf(d, "<tr><th>%s</th>", kinds[kk]);
		for (s = 0; s < NPKD_ST_COUNT; s++) {
			cell(d, c->cc, kinds[kk], npkd_status_name(s),
			    sum_status(c, kk, s));
			if (sum_status(c, kk, s))
				csv_row(v, c->cc, "count", kinds[kk],
				    npkd_status_name(s), "", "", 0,
				    (long)sum_status(c, kk, s));
		}
		add(d, "</tr>\n", 6);
	}
	add(d, "</table>\n", 9);

	addf(d, "<h3>CRLs of the trusted CSCA names</h3><table><tr>"
	    "<th>issuer</th><th>CRL</th><th>this update</th><th>age (days)</th>"
	    "<th>next update</th><th>due in (days)</th></tr>\n");
	for (i = 0; i < c->nnames; i++) {
		const struct rname *n = &c->names[i];
		long age = n->this_update ? (long)((r->now - n->this_update) /
		    DAY) : -1;
		long due = n->next_update ? (long)((n->next_update - r->now) /
		    DAY) : 0;

		add(d, "<tr><td>", 8);
		html(d, n->subject);
		addf(d, "</td><td class=\"%s\">%s</td><td>%s</td>",
		    n->state, n->state, day(n->this_update, t1));
		if (n->this_update)
			addf(d, "<td class=\"n\">%ld</td><td>%s</td>"
			    "<td class=\"n %s\">%ld</td></tr>\n", age,
			    day(n->next_update, t2), due < 0 ? "bad" : "", due);
		else
			add(d, "<td></td><td></td><td></td></tr>\n",
			    32);
		csv_row(v, c->cc, "crl", "crl", n->state, "", n->subject,
		    n->next_update, age);
	}
	if (c->nnames == 0)
		addf(d, "<tr><td colspan=\"6\">no trusted CSCA "
		    "name</td></tr>");
	add(d, "</table>\n", 9);

	addf(d, "<h3>Valid, expiring within %ld days</h3><table>"
	    "<tr><th>kind</th><th>subject</th><th>ends</th></tr>\n", r->days);
	for (i = 0; i < c->nexp; i++) {
		const struct ritem *it = &c->exp[i];

		if (i < MAX_ROWS) {
			addf(d, "<tr><td>%s</td><td>", it->kind);
			html(d, it->subject);
			addf(d, "</td><td>%s</td></tr>\n",
			    day(it->na, t1));
		}
		csv_row(v, c->cc, "expiring", it->kind, it->status, it->reason,
		    it->subject, it->na, 1);
	}
	if (c->nexp > MAX_ROWS)
		addf(d, "<tr><td colspan=\"3\">and %zu more (CSV)"
		    "</td></tr>", c->nexp - MAX_ROWS);
	if (c->nexp == 0)
		addf(d, "<tr><td colspan=\"3\">nothing</td></tr>");
	add(d, "</table>\n", 9);

	addf(d, "<h3>Findings by rule</h3><table><tr><th>finding"
	    "</th><th>rule</th><th>objects</th></tr>\n");
	for (i = 0; i < c->nfinds; i++) {
		add(d, "<tr><td>", 8);
		html(d, c->finds[i].code);
		add(d, "</td><td>", 9);
		html(d, c->finds[i].rule);
		addf(d, "</td><td class=\"n\" data-c=\"");
		html(d, c->cc);
		addf(d, "\" data-f=\"");
		html(d, c->finds[i].code);
		addf(d, "\">%zu</td></tr>\n", c->finds[i].n);
		csv_row(v, c->cc, "finding", "", "", c->finds[i].code,
		    c->finds[i].rule, 0, (long)c->finds[i].n);
	}
	if (c->nfinds == 0)
		addf(d, "<tr><td colspan=\"3\">none</td></tr>");
	add(d, "</table>\n", 9);
}

static void
page(struct npkd_dbuf *d, struct npkd_dbuf *v, const struct rep *r,
    const char *name)
{
	static const int dsc_cols[] = { NPKD_ST_VALID, NPKD_ST_EXPIRED,
	    NPKD_ST_REVOKED, NPKD_ST_UNTRUSTED, NPKD_ST_INVALID,
	    NPKD_ST_NOT_YET_VALID, NPKD_ST_UNCHECKED };
	char		 t[24];
	size_t		 i, tot[16];
	int		 j, ncol = (int)(sizeof(dsc_cols) / sizeof(dsc_cols[0]));

	npkd_time_str(r->now, t);
	addf(d, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><meta http-equiv=\"Content-Security-Policy\" "
	    "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
	    "<title>National PKD report %s</title><style>%s</style></head>"
	    "<body>\n<h1>National PKD: where each country stands</h1>\n<p>"
	    "Made %s by npkd %s from the store ", t, style, t, NPKD_VERSION);
	html(d, name);
	addf(d, " as its last check left it; expiring means valid "
	    "now and ending within %ld days.</p>\n", r->days);
	addf(d, "<h2>Summary</h2><table class=\"sum\"><tr><th>"
	    "country</th><th>anchors</th><th>CSCAs</th><th>valid CSCAs</th>");
	for (j = 0; j < ncol; j++)
		addf(d, "<th>DSCs %s</th>",
		    npkd_status_name(dsc_cols[j]));
	addf(d, "<th>CRL current</th><th>stale</th><th>none</th>"
	    "<th>expiring</th></tr>\n");
	memset(tot, 0, sizeof(tot));
	for (i = 0; i < r->nc; i++) {
		const struct rcountry *c = &r->c[i];

		add(d, "<tr><td><a href=\"#c-", 20);
		html(d, c->cc);
		add(d, "\">", 2);
		html(d, c->cc);
		add(d, "</a></td>", 9);
		addf(d, "<td class=\"n\" data-c=\"");
		html(d, c->cc);
		addf(d, "\" data-x=\"anchors\">%zu</td>", c->anchors);
		cell(d, c->cc, "csca", "all", sum_kind(c, 0));
		cell(d, c->cc, "csca", "valid", sum_status(c, 0, NPKD_ST_VALID));
		tot[0] += c->anchors;
		tot[1] += sum_kind(c, 0);
		tot[2] += sum_status(c, 0, NPKD_ST_VALID);
		for (j = 0; j < ncol; j++) {
			cell(d, c->cc, "dsc", npkd_status_name(dsc_cols[j]),
			    sum_status(c, 2, dsc_cols[j]));
			tot[3 + j] += sum_status(c, 2, dsc_cols[j]);
		}
		addf(d, "<td class=\"n current\">%zu</td><td class="
		    "\"n stale\">%zu</td><td class=\"n none\">%zu</td>",
		    names_in(c, "current"), names_in(c, "stale"),
		    names_in(c, "none"));
		addf(d, "<td class=\"n\" data-c=\"");
		html(d, c->cc);
		addf(d, "\" data-x=\"expiring\">%zu</td></tr>\n",
		    c->nexp);
		tot[3 + ncol] += c->nexp;
		csv_row(v, c->cc, "anchors", "", "", "", "", 0,
		    (long)c->anchors);
	}
	addf(d, "<tr class=\"total\"><td>all</td>");
	for (j = 0; j < 3 + ncol; j++)
		addf(d, "<td class=\"n\">%zu</td>", tot[j]);
	addf(d, "<td></td><td></td><td></td><td class=\"n\">%zu"
	    "</td></tr></table>\n", tot[3 + ncol]);
	for (i = 0; i < r->nc; i++)
		page_country(d, v, &r->c[i], r);
	addf(d, "</body></html>\n");
}

int
npkd_store_report(struct npkd_store *s, const struct npkd_report_opts *o,
    struct npkd_buf *out_html, struct npkd_buf *out_csv, struct npkd_err *e)
{
	struct rep		 r;
	struct npkd_query	 q;
	struct npkd_dbuf	 d, v;
	int			 rc;

	out_html->data = out_csv->data = NULL;
	out_html->len = out_csv->len = 0;
	memset(&r, 0, sizeof(r));
	r.now = o != NULL && o->now ? o->now : time(NULL);
	r.days = o != NULL && o->days > 0 ? o->days : 90;
	if (r.days > 36500)
		return npkd_seterr(e, NPKD_E_USAGE, "report: %ld days", r.days);
	memset(&q, 0, sizeof(q));
	q.expiring_days = -1;
	q.now = r.now;
	if ((rc = npkd_store_trust_list(s, on_trust, &r, e)) != NPKD_OK ||
	    (rc = npkd_store_list(s, &q, on_object, &r, e)) != NPKD_OK ||
	    (rc = npkd_store_names(s, on_name, &r, e)) != NPKD_OK) {
		if (r.nomem)
			rc = npkd_seterr(e, NPKD_E_NOMEM, "report");
		rep_free(&r);
		return rc;
	}
	if (r.nomem) {
		rep_free(&r);
		return npkd_seterr(e, NPKD_E_NOMEM, "report");
	}
	qsort(r.c, r.nc, sizeof(r.c[0]), cmp_country);
	npkd_dbuf_init(&d, NPKD_MAX_FILE);
	npkd_dbuf_init(&v, NPKD_MAX_FILE);
	csv(&v, "country", 0);
	csv(&v, "section", 0);
	csv(&v, "kind", 0);
	csv(&v, "status", 0);
	csv(&v, "reason", 0);
	csv(&v, "subject", 0);
	csv(&v, "date", 0);
	csv(&v, "count", 1);
	page(&d, &v, &r, o != NULL && o->store_name ? o->store_name : "");
	rep_free(&r);
	/* a failed append poisoned its buffer */
	if (d.max == 0 || v.max == 0 || d.data == NULL || v.data == NULL) {
		npkd_dbuf_free(&d);
		npkd_dbuf_free(&v);
		return npkd_seterr(e, NPKD_E_LIMIT, "report: larger than %lu "
		    "bytes", NPKD_MAX_FILE);
	}
	out_html->data = d.data;
	out_html->len = d.len;
	out_csv->data = v.data;
	out_csv->len = v.len;
	return NPKD_OK;
}
