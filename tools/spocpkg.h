/*
 * spocpkg.h - what spoc and spoc-relay share: their package keys, the
 * other side's certificate, and packing filed messages.
 */
#ifndef NPKD_TOOLS_SPOCPKG_H
#define NPKD_TOOLS_SPOCPKG_H

#include "common.h"

/* Set by spoc_global_opts(): -d dir (or NPKD_DIR) and the -P PIN. */
extern const char	*spoc_dir;
extern char		*spoc_pin;
/*
 * The options before the command (-d dir, -P pinfile, -q) and library
 * set-up; the PIN is overwritten at exit.  Returns the index of the
 * command in argv, or exits (usage when none is given).
 */
int	 spoc_global_opts(const char *, int, char *[], void (*)(void));
/* A text file whole, NUL-terminated (a NUL inside is refused); the read
 * buffer is overwritten, since keys come this way too. */
char	*spoc_read_text(const char *, size_t);
/* Sign members into a package with our package key and cert. */
int	 spoc_sign(struct npkd_store *, const struct npkd_pkg_member *,
	    size_t, struct npkd_buf *);

/* Our country from the settings; exits 2 when spoc setup was not run. */
void	 spoc_country(struct npkd_store *, char [3]);
/* Read and verify a package against the other side's certificate. */
int	 spoc_pkg_read(struct npkd_store *, const char *,
	    struct npkd_pkg_member **, size_t *);
/*
 * Pack every message of dir in state from into one package signed by
 * our package key, written to outf;
 * the messages move to state to in the same transaction, which commits
 * only after the file is on disk.  Prints the count; exit status.
 */
int	 spoc_pack(struct npkd_store *, const char *, const char *,
	    const char *, const char *);
/* The manifest kind of a message: its element name. */
void	 spoc_kind(int, int, char *, size_t);
int	 spoc_kind_parse(const char *, int *, int *);
/* One audit line. */
void	 spoc_log(struct npkd_store *, const char *, const char *, int, int,
	    const char *, const uint8_t *, const char *);

#endif /* NPKD_TOOLS_SPOCPKG_H */
