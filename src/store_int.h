/*
 * store_int.h - shared by store.c and validate.c.
 */
#ifndef NPKD_SRC_STORE_INT_H
#define NPKD_SRC_STORE_INT_H

#include <limits.h>
#include <pthread.h>
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

/* The page cache of an open store: 64 MiB, so that an import does not spill. */
#define NPKD_STORE_CACHE	"-65536"

struct npkd_store {
	sqlite3		*db;
	char		 path[PATH_MAX];
	sqlite3_stmt	*ins, *seen, *prov, *vouch;
	int		 readonly;
	int		 intact;	/* quick_check passed */
	/* quick_check on a thread: npkd_store_integrity_start() */
	pthread_t	 bg;
	int		 bg_running, bg_ok;
	char		 bg_line[160];
};

/* objects.flags */
#define NPKD_OF_CRIT_UNKNOWN	0x1	/* an unknown critical extension */

struct npkd_cert;
struct npkd_ml;
int		 npkd_cert_flags(const struct npkd_cert *);
/* May this certificate be an anchor?  NPKD_E_VERIFY with the reason. */
int		 npkd_anchor_check(const struct npkd_cert *, struct npkd_err *);
int		 anchor_row(struct npkd_store *, const uint8_t *, const char *,
		    time_t, struct npkd_err *);
/* A signature verdict into the store's cache (validate.c). */
int		 npkd_store_sig_put(struct npkd_store *, const uint8_t *,
		    const uint8_t *, int, struct npkd_err *);
/*
 * Is the list genuine under the store's trust plus these anchors?  Its
 * CA members, already read, are lent.
 */
int		 npkd_store_judge_list(struct npkd_store *, struct npkd_ml *,
		    const struct npkd_cert *, struct npkd_cert *const *, size_t,
		    const struct npkd_cert *const *, size_t, time_t,
		    struct npkd_err *);

/* The trust engine over the store's CA side, run (validate.c). */
struct trust;
struct sigcache;
int		 npkd_store_trust_load(struct npkd_store *, time_t,
		    struct trust **, struct sigcache **, struct npkd_err *);

/* issue 14: one DER object from memory, as an import of one file name
 * (a DSC from a document's security object, npkd pa --learn). */
struct npkd_import_stats;
int		 npkd_store_import_mem(struct npkd_store *, const char *,
		    const uint8_t *, size_t, time_t, struct npkd_import_stats *,
		    struct npkd_err *);

const char	*npkd_kind_name(int);
int		 npkd_sqlerr(struct npkd_store *, struct npkd_err *,
		    const char *);
int		 npkd_store_exec(struct npkd_store *, const char *,
		    struct npkd_err *);
char		*npkd_findings_json(const struct npkd_findings *);
int		 npkd_store_integrity(struct npkd_store *, struct npkd_err *);
void		 npkd_store_integrity_start(struct npkd_store *);
int		 npkd_store_integrity_wait(struct npkd_store *, struct npkd_err *);

#endif /* NPKD_SRC_STORE_INT_H */
