/*
 * spocpkg.h - what spoc and spoc-relay share: their package keys, the
 * other side's certificate, and packing filed messages.
 */
#ifndef NPKD_TOOLS_SPOCPKG_H
#define NPKD_TOOLS_SPOCPKG_H

#include "common.h"

/* Our country from the settings; exits 2 when spoc setup was not run. */
void	 spoc_country(struct npkd_store *, char [3]);
/* Read and verify a package against the other side's certificate. */
int	 spoc_pkg_read(struct npkd_store *, const char *,
	    struct npkd_pkg_member **, size_t *);
/*
 * Pack every message of dir in state from (all states when NULL, ids
 * given) into one package signed by our package key, written to outf;
 * the messages move to state to in the same transaction, which commits
 * only after the file is on disk.  Prints the count; exit status.
 */
int	 spoc_pack(struct npkd_store *, const char *, const char *,
	    const char *, const char *, const char *);
/* The manifest kind of a message: its element name. */
void	 spoc_kind(int, int, char *, size_t);
int	 spoc_kind_parse(const char *, int *, int *);
/* One audit line. */
void	 spoc_log(struct npkd_store *, const char *, const char *, int, int,
	    const char *, const uint8_t *, const char *);

#endif /* NPKD_TOOLS_SPOCPKG_H */
