/*
 * common.c - diagnostics and output helpers shared by the programs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"

const char	*progname = "npkd";
int		 verbose;

void
tool_init(const char *name)
{
	struct npkd_err e;

	progname = name;
	if (npkd_global_init(&e) != NPKD_OK) {
		fprintf(stderr, "%s: %s\n", progname, e.msg);
		exit(EXIT_ERR);
	}
}

/*
 * Length of the UTF-8 sequence at p that is a printable character, or 0
 * for a control character (C0, DEL, C1) or a byte that starts no valid
 * sequence.  Names in certificates are attacker data: a newline or a
 * terminal escape in a subject must not reach a terminal raw.
 */
static size_t
utf8_printable(const unsigned char *p)
{
	unsigned int	 c;
	size_t		 n, i;

	if (*p < 0x20 || *p == 0x7f)
		return 0;
	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2, c = *p & 0x1f;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3, c = *p & 0x0f;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4, c = *p & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff) || (c >= 0x80 && c <= 0x9f))
		return 0;
	return n;
}

/* s with every control character or stray byte written as \xHH. */
void
put_text(FILE *fp, const char *s)
{
	const unsigned char	*p;
	size_t			 n;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		if ((n = utf8_printable(p)) == 0) {
			fprintf(fp, "\\x%02x", *p);
			n = 1;
		} else
			fwrite(p, 1, n, fp);
	}
}

/* "prog: file: message" on stderr, one line whatever the message holds. */
void
warnmsg(const char *file, const char *fmt, ...)
{
	va_list	 ap;
	char	 buf[2048];

	fflush(stdout);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s: ", progname);
	if (file != NULL) {
		put_text(stderr, file);
		fputs(": ", stderr);
	}
	put_text(stderr, buf);
	fputc('\n', stderr);
}

int
worst(int a, int b)
{
	return a > b ? a : b;
}

/* Library result to exit status: a "no" is 1, every error 2. */
int
rc_to_exit(int rc)
{
	if (rc == NPKD_OK)
		return EXIT_OK;
	return rc == NPKD_E_VERIFY ? EXIT_NO : EXIT_ERR;
}

const char *
display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "(stdin)" : path;
}

void
json_str(FILE *fp, const char *s)
{
	const unsigned char	*p;
	size_t			 n;

	if (s == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p += n) {
		n = 1;
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else if (*p < 0x80)
			fputc(*p, fp);
		else if ((n = utf8_printable(p)) > 0)
			fwrite(p, 1, n, fp);
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(fp, "\\u%04x", p[1]);	/* a C1 control */
			n = 2;
		} else {
			fputs("\\ufffd", fp);	/* not UTF-8: JSON cannot say it */
			n = 1;
		}
	}
	fputc('"', fp);
}

void
json_hex(FILE *fp, const uint8_t *p, size_t len)
{
	size_t i;

	if (p == NULL) {
		fputs("null", fp);
		return;
	}
	fputc('"', fp);
	for (i = 0; i < len; i++)
		fprintf(fp, "%02x", p[i]);
	fputc('"', fp);
}

void
json_findings(FILE *fp, const struct npkd_findings *f)
{
	const struct npkd_finding	*x;
	size_t				 i;

	fputc('[', fp);
	for (i = 0; i < npkd_findings_count(f); i++) {
		x = npkd_findings_get(f, i);
		fprintf(fp, "%s{\"severity\":\"%s\",\"code\":", i ? "," : "",
		    npkd_sev_name(x->severity));
		json_str(fp, x->code);
		fputs(",\"rule\":", fp);
		json_str(fp, x->rule);
		fputs(",\"text\":", fp);
		json_str(fp, x->text);
		fputc('}', fp);
	}
	fputc(']', fp);
}

void
key_desc(const struct npkd_keyinfo *k, char *buf, size_t sz)
{
	switch (k->alg) {
	case NPKD_KEY_RSA:
		snprintf(buf, sz, "rsa-%u", k->bits);
		break;
	case NPKD_KEY_RSA_PSS:
		snprintf(buf, sz, "rsa-pss-%u", k->bits);
		break;
	case NPKD_KEY_EC:
		snprintf(buf, sz, "ec-%s%s", k->curve ? k->curve :
		    "unnamed", k->explicit_params ? "-explicit" : "");
		break;
	default:
		snprintf(buf, sz, "unknown");
	}
	for (; *buf != '\0'; buf++)
		if (*buf == ' ')
			*buf = '-';
}

void
print_findings(FILE *fp, const char *indent, const struct npkd_findings *f,
    int minsev)
{
	const struct npkd_finding	*x;
	size_t				 i;

	for (i = 0; i < npkd_findings_count(f); i++) {
		x = npkd_findings_get(f, i);
		if (x->severity < minsev)
			continue;
		fprintf(fp, "%s%s: %s: %s [%s]\n", indent,
		    npkd_sev_name(x->severity), x->code, x->text, x->rule);
	}
}

int
load_certs(const char *path, struct npkd_cert ***v, size_t *n)
{
	struct npkd_buf	 b;
	struct npkd_err	 e;
	int		 rc;

	if ((rc = npkd_file_read(path, NPKD_MAX_FILE, &b, &e)) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return rc;
	}
	rc = npkd_certs_load(b.data, b.len, v, n, &e);
	npkd_buf_free(&b);
	if (rc != NPKD_OK)
		warnmsg(display_name(path), "%s", e.msg);
	return rc;
}

/* Append the certificates of path (-T) to *v; exit status on failure. */
int
add_certs(const char *path, struct npkd_cert ***v, size_t *n)
{
	struct npkd_cert	**one, **nv;
	size_t			  k, j;

	if (load_certs(path, &one, &k) != NPKD_OK)
		return EXIT_ERR;
	if ((nv = reallocarray(*v, *n + k, sizeof(*nv))) == NULL) {
		npkd_certs_free(one, k);
		warnmsg(NULL, "out of memory");
		return EXIT_ERR;
	}
	*v = nv;
	for (j = 0; j < k; j++)
		(*v)[(*n)++] = one[j];
	free(one);
	return EXIT_OK;
}

/* Write an output file atomically, or to standard output for "-". */
int
write_output(const char *path, const struct npkd_buf *b)
{
	struct npkd_err e;

	if (strcmp(path, "-") == 0) {
		if (fwrite(b->data, 1, b->len, stdout) != b->len ||
		    fflush(stdout) != 0) {
			warnmsg("(stdout)", "write error");
			return EXIT_ERR;
		}
		return EXIT_OK;
	}
	if (npkd_file_write_atomic(path, b->data, b->len, 0644, 0, &e) !=
	    NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

/* First line of a file, for PINs (batch mode: secrets come from files). */
char *
read_pin(const char *path)
{
	struct npkd_buf	 b;
	struct npkd_err	 e;
	char		*pin;
	size_t		 n;

	if (npkd_file_read(path, 4096, &b, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return NULL;
	}
	for (n = 0; n < b.len && b.data[n] != '\n' && b.data[n] != '\r'; n++)
		;
	pin = strndup((char *)b.data, n);
	memset(b.data, 0, b.len);
	npkd_buf_free(&b);
	return pin;
}

/* Forget a PIN from read_pin: overwrite, then free. */
void
free_pin(char *pin)
{
	if (pin == NULL)
		return;
	memset(pin, 0, strlen(pin));
	free(pin);
}

int
parse_hash(const char *s)
{
	static const struct { const char *n; int h; } t[] = {
		{ "sha1", NPKD_HASH_SHA1 }, { "sha224", NPKD_HASH_SHA224 },
		{ "sha256", NPKD_HASH_SHA256 }, { "sha384", NPKD_HASH_SHA384 },
		{ "sha512", NPKD_HASH_SHA512 } };
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcasecmp(s, t[i].n) == 0)
			return t[i].h;
	return NPKD_HASH_NONE;
}


struct npkd_store *
open_store(const char *dir, int how)
{
	struct npkd_store	*s;
	struct npkd_err		 e;

	if (dir == NULL) {
		warnmsg(NULL, "no store: give -d DIR or set NPKD_DIR");
		exit(EXIT_ERR);
	}
	if (npkd_store_open(dir, how == STORE_CREATE ? NPKD_STORE_CREATE :
	    how == STORE_RO ? NPKD_STORE_READONLY : 0, &s, &e) !=
	    NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		exit(EXIT_ERR);
	}
	return s;
}

void
signer_init(struct signer_args *a)
{
	memset(a, 0, sizeof(*a));
	a->o.sid_ski = 1;
}

int
signer_opt(struct signer_args *a, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		a->certf = arg;
		return 1;
	case 'H':
		if ((a->o.hash = parse_hash(arg)) == NPKD_HASH_NONE) {
			warnmsg(NULL, "unknown hash: %s", arg);
			return -1;
		}
		return 1;
	case 'i':
		a->o.sid_ski = 0;
		return 1;
	case 'k':
		a->keyf = arg;
		return 1;
	case 'p':
		a->o.pss = 1;
		return 1;
	case 'P':
		free_pin(a->pin);
		if ((a->pin = read_pin(arg)) == NULL)
			return -1;
		return 1;
	default:
		return 0;
	}
}

int
signer_load(const struct signer_args *a, struct npkd_cert ***certs,
    size_t *ncerts, struct npkd_key **key)
{
	struct npkd_err	 e;

	if (load_certs(a->certf, certs, ncerts) != NPKD_OK)
		return EXIT_ERR;
	if (npkd_key_load(a->keyf, a->pin, key, &e) != NPKD_OK) {
		warnmsg(NULL, "%s", e.msg);
		return EXIT_ERR;
	}
	return EXIT_OK;
}

void
signer_clear(struct signer_args *a)
{
	free_pin(a->pin);
	a->pin = NULL;
}
