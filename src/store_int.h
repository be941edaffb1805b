/*
 * store_int.h - shared by store.c and validate.c.
 */
#ifndef NPKD_SRC_STORE_INT_H
#define NPKD_SRC_STORE_INT_H

#include <limits.h>
#include <sqlite3.h>

enum npkd_kind {
	NPKD_KIND_OTHER = 0,
	NPKD_KIND_CSCA,
	NPKD_KIND_LINK,
	NPKD_KIND_DSC,
	NPKD_KIND_MLSIGNER,
	NPKD_KIND_DLSIGNER,
	NPKD_KIND_CRL,
	NPKD_KIND_ML,
	NPKD_KIND_DL
};

struct npkd_store {
	sqlite3		*db;
	char		 path[PATH_MAX];
	sqlite3_stmt	*ins, *seen, *prov, *vouch;
	int		 readonly;
	int		 intact;	/* quick_check passed */
};

const char	*npkd_kind_name(int);
int		 npkd_sqlerr(struct npkd_store *, struct npkd_err *,
		    const char *);
int		 npkd_store_exec(struct npkd_store *, const char *,
		    struct npkd_err *);
char		*npkd_findings_json(const struct npkd_findings *);
int		 npkd_store_integrity(struct npkd_store *, struct npkd_err *);

#endif /* NPKD_SRC_STORE_INT_H */
