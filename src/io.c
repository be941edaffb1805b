/*
 * io.c - bounded file reading, atomic writing and PEM.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#include "npkd_int.h"

/*
 * Read all of fd, at most max bytes in all, after the pre bytes already
 * read from it, straight into the buffer: sized by hint (a regular file's
 * size) when there is one, else grown by doubling.
 */
int
npkd_fd_read(int fd, const char *name, size_t max, size_t hint,
    const uint8_t *pre, size_t prelen, struct npkd_buf *out,
    struct npkd_err *e)
{
	uint8_t		*data = NULL, *nd;
	size_t		 len = 0, cap = 0, ncap;
	ssize_t		 n;
	int		 rc;

	if (prelen > max || hint > max)
		return npkd_seterr(e, NPKD_E_LIMIT, "%s: larger than %zu "
		    "bytes", name, max);
	if (prelen > 0) {
		cap = (hint > prelen ? hint : prelen) + 2;
		if ((data = malloc(cap)) == NULL)
			return npkd_seterr(e, NPKD_E_NOMEM, "%s: out of memory",
			    name);
		memcpy(data, pre, prelen);
		len = prelen;
	}
	for (;;) {
		if (cap - len < 2) {	/* room to read, and for the NUL */
			ncap = cap ? 2 * cap : hint > 0 ? hint + 2 : 65536;
			if (ncap > max + 2)
				ncap = max + 2;	/* one more byte: too large */
			if (ncap <= cap || (nd = realloc(data, ncap)) == NULL) {
				rc = npkd_seterr(e, NPKD_E_NOMEM, "%s: out of "
				    "memory", name);
				goto fail;
			}
			data = nd;
			cap = ncap;
		}
		n = read(fd, data + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = npkd_seterr(e, NPKD_E_IO, "%s", name);
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max) {
			rc = npkd_seterr(e, NPKD_E_LIMIT, "%s: larger than %zu "
			    "bytes", name, max);
			goto fail;
		}
	}
	data[len] = '\0';
	out->data = data;
	out->len = len;
	return NPKD_OK;
 fail:
	free(data);
	return rc;
}

/* Read a whole file ("-" is standard input), at most max bytes. */
int
npkd_file_read(const char *path, size_t max, struct npkd_buf *out,
    struct npkd_err *e)
{
	struct stat	 st;
	int		 fd, rc;

	out->data = NULL;
	out->len = 0;
	if (strcmp(path, "-") == 0)
		return npkd_fd_read(STDIN_FILENO, "(stdin)", max, 0, NULL, 0,
		    out, e);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return npkd_seterr(e, NPKD_E_IO, "%s", path);
	if (fstat(fd, &st) == -1) {
		rc = npkd_seterr(e, NPKD_E_IO, "%s", path);
	} else if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		rc = npkd_seterr(e, NPKD_E_IO, "%s", path);
	} else			/* a file over max is refused by its size */
		rc = npkd_fd_read(fd, path, max, S_ISREG(st.st_mode) ?
		    (size_t)st.st_size : 0, NULL, 0, out, e);
	close(fd);
	return rc;
}

static int
write_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Atomic write (house style): mkstemp next to the destination, write,
 * fchmod, fsync, close, rename (link for excl), fsync the directory.
 */
int
npkd_file_write_atomic(const char *path, const void *data, size_t len,
    unsigned int mode, int excl, struct npkd_err *e)
{
	char	 tmp[PATH_MAX], dir[PATH_MAX];
	char	*slash;
	int	 fd = -1, dfd = -1, rc;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return npkd_seterr(e, NPKD_E_USAGE, "%s: path too long", path);
	if ((fd = mkstemp(tmp)) == -1)
		return npkd_seterr(e, NPKD_E_IO, "%s", path);
	if (write_all(fd, data, len) == -1 || fchmod(fd, (mode_t)mode) == -1 ||
	    fsync(fd) == -1) {
		rc = npkd_seterr(e, NPKD_E_IO, "%s", path);
		goto fail;
	}
	rc = close(fd);
	fd = -1;
	if (rc == -1) {
		rc = npkd_seterr(e, NPKD_E_IO, "%s", path);
		goto fail;
	}
	if (excl) {
		/* link(2) fails when path exists: no silent replacement. */
		if (link(tmp, path) == -1) {
			rc = npkd_seterr(e, NPKD_E_IO, "%s", path);
			goto fail;
		}
		unlink(tmp);
	} else if (rename(tmp, path) == -1) {
		rc = npkd_seterr(e, NPKD_E_IO, "%s", path);
		goto fail;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	if ((slash = strrchr(dir, '/')) == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return NPKD_OK;
 fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
	return rc;
}

int
npkd_is_pem(const uint8_t *p, size_t len)
{
	size_t i, lim = len < 4096 ? len : 4096;

	for (i = 0; i + 11 <= lim; i++)
		if (memcmp(p + i, "-----BEGIN ", 11) == 0)
			return 1;
	return 0;
}

static const uint8_t *
find(const uint8_t *p, size_t len, const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || len < n)
		return NULL;
	return memmem(p, len, s, n);
}

/* Decode the next PEM block at or after *off. */
int
npkd_pem_decode(const uint8_t *text, size_t len, size_t *off,
    const char *label, struct npkd_buf *out, char *found, size_t foundsz,
    struct npkd_err *e)
{
	const uint8_t	*b, *lend, *end, *stop;
	char		 lab[64], endline[96];
	gnutls_datum_t	 in, res = { NULL, 0 };
	size_t		 ll;
	int		 r;

	out->data = NULL;
	out->len = 0;
	for (;;) {
		if (*off >= len ||
		    (b = find(text + *off, len - *off, "-----BEGIN ")) == NULL)
			return NPKD_E_NOTFOUND;
		lend = find(b + 11, (size_t)(text + len - (b + 11)), "-----");
		if (lend == NULL || (ll = (size_t)(lend - (b + 11))) == 0 ||
		    ll >= sizeof(lab))
			return npkd_seterr(e, NPKD_E_FORMAT,
			    "PEM: malformed BEGIN line");
		memcpy(lab, b + 11, ll);
		lab[ll] = '\0';
		snprintf(endline, sizeof(endline), "-----END %s-----", lab);
		end = find(lend, (size_t)(text + len - lend), endline);
		if (end == NULL)
			return npkd_seterr(e, NPKD_E_FORMAT,
			    "PEM: %s: no END line", lab);
		stop = end + strlen(endline);
		*off = (size_t)(stop - text);
		if (label == NULL || strcmp(label, lab) == 0)
			break;
	}
	in.data = (unsigned char *)(uintptr_t)b;
	in.size = (unsigned int)(stop - b);
	if ((r = gnutls_pem_base64_decode2(lab, &in, &res)) < 0)
		return npkd_gnutls2err(e, r, "PEM");
	if (found != NULL)
		snprintf(found, foundsz, "%s", lab);
	/* Hand over memory from gnutls_malloc as our own allocation. */
	if ((out->data = malloc(res.size ? res.size : 1)) == NULL) {
		gnutls_free(res.data);
		return npkd_seterr(e, NPKD_E_NOMEM, "PEM: out of memory");
	}
	memcpy(out->data, res.data, res.size);
	out->len = res.size;
	gnutls_free(res.data);
	return NPKD_OK;
}

int
npkd_pem_encode(const char *label, const uint8_t *der, size_t len,
    struct npkd_buf *out, struct npkd_err *e)
{
	gnutls_datum_t	 in, res = { NULL, 0 };
	int		 r;

	out->data = NULL;
	out->len = 0;
	in.data = (unsigned char *)(uintptr_t)der;
	in.size = (unsigned int)len;
	if ((r = gnutls_pem_base64_encode2(label, &in, &res)) < 0)
		return npkd_gnutls2err(e, r, "PEM");
	if ((out->data = malloc(res.size + 1)) == NULL) {
		gnutls_free(res.data);
		return npkd_seterr(e, NPKD_E_NOMEM, "PEM: out of memory");
	}
	memcpy(out->data, res.data, res.size);
	out->len = res.size;
	gnutls_free(res.data);
	return NPKD_OK;
}
