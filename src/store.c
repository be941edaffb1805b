/*
 * store.c - the national store: SQLite in WAL mode, schema migrations,
 * and import of every kind of file, each one transaction.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "npkd_int.h"
#include "store_int.h"
#include "trust.h"

/* Schema migrations, applied in order; PRAGMA user_version counts them. */
static const char *migrations[] = {
	/* 1: objects, provenance, the lists that vouch, import runs */
	"CREATE TABLE runs ("
	"  id INTEGER PRIMARY KEY,"
	"  started INTEGER NOT NULL,"
	"  file TEXT NOT NULL,"
	"  format TEXT);"
	"CREATE TABLE objects ("
	"  sha256 BLOB PRIMARY KEY CHECK (length(sha256) = 32),"
	"  kind TEXT NOT NULL,"
	"  country TEXT NOT NULL DEFAULT '',"
	"  subject TEXT NOT NULL DEFAULT '',"
	"  issuer TEXT NOT NULL DEFAULT '',"
	"  serial TEXT NOT NULL DEFAULT '',"
	"  ski BLOB, aki BLOB,"
	"  not_before INTEGER, not_after INTEGER,"
	"  der BLOB NOT NULL,"
	"  status TEXT NOT NULL DEFAULT 'unchecked',"
	"  findings TEXT NOT NULL DEFAULT '[]',"
	"  trusted INTEGER NOT NULL DEFAULT 0,"
	"  anchor INTEGER NOT NULL DEFAULT 0,"
	"  nonconformant INTEGER NOT NULL DEFAULT 0,"
	"  conformance TEXT,"
	"  first_seen INTEGER NOT NULL,"
	"  last_seen INTEGER NOT NULL,"
	"  seen INTEGER NOT NULL DEFAULT 1,"
	"  checked INTEGER);"
	"CREATE INDEX objects_kind ON objects(kind, country);"
	"CREATE INDEX objects_ski ON objects(ski);"
	"CREATE INDEX objects_not_after ON objects(not_after);"
	"CREATE TABLE provenance ("
	"  sha256 BLOB NOT NULL,"
	"  run INTEGER NOT NULL REFERENCES runs(id),"
	"  entry TEXT NOT NULL DEFAULT '',"
	"  via BLOB,"
	"  time INTEGER NOT NULL);"
	"CREATE INDEX provenance_sha ON provenance(sha256);"
	"CREATE TABLE vouches ("
	"  member BLOB NOT NULL,"
	"  list BLOB NOT NULL,"
	"  PRIMARY KEY (member, list)) WITHOUT ROWID;",
	/* 2: the CVCA's register: CV certificates and foreign DVs */
	"CREATE TABLE cv_certs ("
	"  sha256 BLOB PRIMARY KEY CHECK (length(sha256) = 32),"
	"  chr TEXT NOT NULL,"
	"  car TEXT NOT NULL,"
	"  holder TEXT NOT NULL,"
	"  seq TEXT NOT NULL,"
	"  role INTEGER NOT NULL,"
	"  not_before INTEGER NOT NULL,"
	"  not_after INTEGER NOT NULL,"
	"  origin TEXT NOT NULL,"
	"  request BLOB,"
	"  der BLOB NOT NULL,"
	"  added INTEGER NOT NULL);"
	"CREATE UNIQUE INDEX cv_issued_request ON cv_certs(request) "
	"  WHERE request IS NOT NULL;"
	"CREATE UNIQUE INDEX cv_issued_chr ON cv_certs(chr) "
	"  WHERE origin = 'issued';"
	"CREATE INDEX cv_holder ON cv_certs(holder, origin);"
	"CREATE TABLE cv_dvs ("
	"  holder TEXT PRIMARY KEY,"
	"  status TEXT NOT NULL CHECK (status IN ('registered', 'suspended')),"
	"  since INTEGER NOT NULL);",
	/* 3: SPOC: settings, registered peers, messages, audit log */
	"CREATE TABLE spoc_settings ("
	"  name TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);"
	"CREATE TABLE spoc_peers ("
	"  country TEXT PRIMARY KEY CHECK (length(country) = 2),"
	"  url TEXT NOT NULL,"
	"  dialect TEXT NOT NULL CHECK (dialect IN ('csn369791', 'icao')),"
	"  ca TEXT NOT NULL,"
	"  cert TEXT,"
	"  crl TEXT,"
	"  added INTEGER NOT NULL);"
	"CREATE TABLE spoc_msgs ("
	"  id INTEGER PRIMARY KEY,"
	"  dir TEXT NOT NULL CHECK (dir IN ('in', 'out')),"
	"  peer TEXT NOT NULL,"
	"  op INTEGER NOT NULL,"
	"  response INTEGER NOT NULL,"
	"  msgid TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  result TEXT NOT NULL DEFAULT '',"
	"  dv TEXT NOT NULL DEFAULT '',"
	"  answers INTEGER,"
	"  attempts INTEGER NOT NULL DEFAULT 0,"
	"  created INTEGER NOT NULL,"
	"  updated INTEGER NOT NULL,"
	"  sha256 BLOB NOT NULL CHECK (length(sha256) = 32),"
	"  xml BLOB NOT NULL);"
	"CREATE UNIQUE INDEX spoc_msg_key ON spoc_msgs(dir, peer, op, "
	"  response, msgid) WHERE msgid <> '';"
	"CREATE INDEX spoc_msg_state ON spoc_msgs(dir, state);"
	"CREATE TABLE spoc_log ("
	"  id INTEGER PRIMARY KEY,"
	"  time INTEGER NOT NULL,"
	"  dir TEXT NOT NULL,"
	"  peer TEXT NOT NULL,"
	"  op TEXT NOT NULL,"
	"  msgid TEXT NOT NULL,"
	"  sha256 TEXT NOT NULL,"
	"  outcome TEXT NOT NULL);",
	/* 4: the trust model: the officer's anchors and list authorities,
	 * each object's primary reason and why it is trusted, names and key
	 * ids for finding issuers without parsing, cached signature
	 * verdicts, the CRL state of every trusted issuer name, refusals */
	"ALTER TABLE objects ADD COLUMN reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE objects ADD COLUMN trust TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE objects ADD COLUMN action INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE objects ADD COLUMN pfindings TEXT;"
	"ALTER TABLE objects ADD COLUMN subject_id BLOB;"
	"ALTER TABLE objects ADD COLUMN issuer_id BLOB;"
	"ALTER TABLE objects ADD COLUMN keyid BLOB;"
	"ALTER TABLE objects ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE objects ADD COLUMN signer BLOB;"
	"CREATE INDEX objects_issuer ON objects(issuer_id);"
	"CREATE TABLE anchors ("
	"  sha256 BLOB PRIMARY KEY CHECK (length(sha256) = 32),"
	"  added INTEGER NOT NULL,"
	"  note TEXT NOT NULL DEFAULT '') WITHOUT ROWID;"
	"INSERT INTO anchors (sha256, added, note) SELECT sha256, first_seen, "
	"  'kept from an earlier npkd' FROM objects WHERE anchor = 1;"
	"CREATE TABLE authorities ("
	"  country TEXT NOT NULL,"
	"  scope TEXT NOT NULL,"
	"  added INTEGER NOT NULL,"
	"  PRIMARY KEY (country, scope)) WITHOUT ROWID;"
	"CREATE TABLE sigcache ("
	"  obj BLOB NOT NULL,"
	"  key BLOB NOT NULL,"
	"  result INTEGER NOT NULL,"
	"  PRIMARY KEY (obj, key)) WITHOUT ROWID;"
	"CREATE TABLE names ("
	"  id BLOB PRIMARY KEY,"
	"  country TEXT NOT NULL,"
	"  subject TEXT NOT NULL,"
	"  state TEXT NOT NULL,"
	"  crl BLOB,"
	"  this_update INTEGER,"
	"  next_update INTEGER) WITHOUT ROWID;"
	"CREATE TABLE refusals ("
	"  id INTEGER PRIMARY KEY,"
	"  run INTEGER NOT NULL REFERENCES runs(id),"
	"  entry TEXT NOT NULL,"
	"  reason TEXT NOT NULL,"
	"  sha256 BLOB);"
	"CREATE TABLE meta ("
	"  name TEXT PRIMARY KEY,"
	"  value TEXT NOT NULL);",
	/* 5: incoming SPOC messages keyed by their content too,
	 * so that a push (whose messageID, if any, is ignored) is filed once */
	"ALTER TABLE spoc_msgs ADD COLUMN content BLOB"
	"  CHECK (content IS NULL OR length(content) = 32);"
	"CREATE UNIQUE INDEX spoc_msg_content ON spoc_msgs(dir, peer, op, "
	"  response, content) WHERE content IS NOT NULL;",
	/* 6: the rows an older npkd stored without name and key ids, found
	 * by every check without reading the whole table (empty after the
	 * first check) */
	("CREATE INDEX objects_unfilled ON objects(kind) WHERE subject_id IS "
	"  NULL;"),
};
#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

static const char *kinds[] = { "other", "csca", "link", "dsc", "mlsigner",
    "dlsigner", "crl", "ml", "dl" };

const char *
npkd_kind_name(int k)
{
	if (k < 0 || k >= (int)(sizeof(kinds) / sizeof(kinds[0])))
		return "other";
	return kinds[k];
}

int
npkd_sqlerr(struct npkd_store *s, struct npkd_err *e, const char *ctx)
{
	int code = sqlite3_errcode(s->db);

	return npkd_seterr(e, code == SQLITE_FULL || code == SQLITE_IOERR ||
	    code == SQLITE_CANTOPEN ? NPKD_E_IO : code == SQLITE_NOMEM ?
	    NPKD_E_NOMEM : NPKD_E_USAGE, "%s: %s: %s", s->path, ctx,
	    sqlite3_errmsg(s->db));
}

int
npkd_store_exec(struct npkd_store *s, const char *sql, struct npkd_err *e)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		npkd_seterr(e, NPKD_E_IO, "%s: %s", s->path, msg ? msg :
		    sqlite3_errmsg(s->db));
		sqlite3_free(msg);
		return e ? e->code : NPKD_E_IO;
	}
	return NPKD_OK;
}

int
npkd_store_version(struct npkd_store *s)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static int
migrate(struct npkd_store *s, struct npkd_err *e)
{
	char	sql[64];
	int	v, rc;

	if ((v = npkd_store_version(s)) < 0)
		return npkd_sqlerr(s, e, "schema version");
	if (v > NMIGRATIONS)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "%s: schema version %d "
		    "is newer than this npkd (%d)", s->path, v, NMIGRATIONS);
	if (v == NMIGRATIONS)
		return NPKD_OK;
	if ((rc = npkd_store_exec(s, "BEGIN IMMEDIATE", e)) != NPKD_OK)
		return rc;
	for (; v < NMIGRATIONS; v++)
		if ((rc = npkd_store_exec(s, migrations[v], e)) != NPKD_OK) {
			npkd_store_exec(s, "ROLLBACK", NULL);
			return rc;
		}
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", NMIGRATIONS);
	if ((rc = npkd_store_exec(s, sql, e)) != NPKD_OK ||
	    (rc = npkd_store_exec(s, "COMMIT", e)) != NPKD_OK) {
		npkd_store_exec(s, "ROLLBACK", NULL);
		return rc;
	}
	return NPKD_OK;
}

/* "file:PATH?immutable=1" with PATH percent-encoded where URIs need it. */
static int
uri_path(const char *path, char *out, size_t n)
{
	static const char	 hex[] = "0123456789ABCDEF";
	size_t			 o = 0;
	const unsigned char	*p;

	if (n < 32)
		return -1;
	memcpy(out, "file:", 5);
	o = 5;
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (o + 4 >= n)
			return -1;
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 ||
		    *p >= 0x7f) {
			out[o++] = '%';
			out[o++] = hex[*p >> 4];
			out[o++] = hex[*p & 15];
		} else
			out[o++] = (char)*p;
	}
	if (o + sizeof("?immutable=1") > n)
		return -1;
	memcpy(out + o, "?immutable=1", sizeof("?immutable=1"));
	return 0;
}

/*
 * Open the store in dir; with NPKD_STORE_CREATE make dir (0700) and the
 * database when missing.  Schema migrations are applied on open.  With
 * NPKD_STORE_READONLY nothing is written, not even the journal mode, so
 * that an archived or write-protected store can be read; it must be at
 * the current schema version.
 */
int
npkd_store_open(const char *dir, int flags, struct npkd_store **out,
    struct npkd_err *e)
{
	struct npkd_store	*s;
	struct stat		 st;
	char			 uri[PATH_MAX + 32];
	int			 rc, v, ro = (flags & NPKD_STORE_READONLY) != 0;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "store");
	if (snprintf(s->path, sizeof(s->path), "%s/npkd.db", dir) >=
	    (int)sizeof(s->path)) {
		free(s);
		return npkd_seterr(e, NPKD_E_USAGE, "%s: path too long", dir);
	}
	if ((flags & NPKD_STORE_CREATE) && !ro) {
		if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
			rc = npkd_seterr(e, NPKD_E_IO, "%s", dir);
			free(s);
			return rc;
		}
	} else if (stat(s->path, &st) == -1) {
		rc = npkd_seterr(e, NPKD_E_IO, "%s: no store here (npkd init "
		    "makes one)", dir);
		free(s);
		return rc;
	}
	if (sqlite3_open_v2(s->path, &s->db, (ro ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		rc = npkd_sqlerr(s, e, "open");
		npkd_store_close(s);
		return rc;
	}
	sqlite3_busy_timeout(s->db, 10000);
	if (ro) {
		/*
		 * A WAL database read by someone who cannot create its -shm
		 * file (a write-protected directory or medium): read it as
		 * immutable.  A store closed cleanly has no WAL left over.
		 */
		if ((v = npkd_store_version(s)) < 0) {
			sqlite3_close(s->db);
			s->db = NULL;
			/* immutable would not see what a WAL file holds */
			snprintf(uri, sizeof(uri), "%s-wal", s->path);
			if (stat(uri, &st) == 0 && st.st_size > 0) {
				rc = npkd_seterr(e, NPKD_E_IO, "%s: cannot read "
				    "it without write access while %s holds "
				    "changes not yet checkpointed", s->path,
				    uri);
				npkd_store_close(s);
				return rc;
			}
			if (uri_path(s->path, uri, sizeof(uri)) != 0 ||
			    sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY |
			    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) !=
			    SQLITE_OK || (v = npkd_store_version(s)) < 0) {
				rc = npkd_sqlerr(s, e, "open read-only");
				npkd_store_close(s);
				return rc;
			}
		}
		if (v > NMIGRATIONS)
			rc = npkd_seterr(e, NPKD_E_UNSUPPORTED, "%s: schema "
			    "version %d is newer than this npkd (%d)", s->path,
			    v, NMIGRATIONS);
		else if (v < NMIGRATIONS)
			rc = npkd_seterr(e, NPKD_E_UNSUPPORTED, "%s: schema "
			    "version %d is older than this npkd (%d): open it "
			    "once for writing to migrate", s->path, v,
			    NMIGRATIONS);
		if (v != NMIGRATIONS) {
			npkd_store_close(s);
			return rc;
		}
		s->readonly = 1;
		*out = s;
		return NPKD_OK;
	}
	/* 16 KiB pages in a new store (certificates of about 1 KiB; a list
	 * is one large value): fewer pages to write, log and look through.
	 * WAL; FULL sync: a commit survives power loss, not just a kill. */
	/* a 64 MiB page cache: a large import does not spill mid-way */
	if ((rc = npkd_store_exec(s, "PRAGMA page_size = 16384;"
	    "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = " NPKD_STORE_CACHE ";", e)) !=
	    NPKD_OK || (rc = migrate(s, e)) != NPKD_OK) {
		npkd_store_close(s);
		return rc;
	}
	*out = s;
	return NPKD_OK;
}

void
npkd_store_close(struct npkd_store *s)
{
	if (s == NULL)
		return;
	if (s->bg_running)
		pthread_join(s->bg, NULL);
	sqlite3_finalize(s->ins);
	sqlite3_finalize(s->seen);
	sqlite3_finalize(s->prov);
	sqlite3_finalize(s->vouch);
	sqlite3_close(s->db);
	free(s);
}

/* PRAGMA quick_check(1) on db: 1 and *line "" when it says ok. */
static int
quick_check(sqlite3 *db, char *line, size_t sz)
{
	sqlite3_stmt	*q = NULL;
	const char	*m = NULL;
	size_t		 i;
	int		 ok = 0;

	if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &q, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			m = (const char *)sqlite3_column_text(q, 0);
		ok = m != NULL && strcmp(m, "ok") == 0;
	}
	line[0] = '\0';
	if (!ok) {
		/* the report spans lines: keep one */
		snprintf(line, sz, "%s", m ? m : sqlite3_errmsg(db));
		for (i = 0; line[i] != '\0'; i++)
			if (line[i] == '\n' || line[i] == '\r')
				line[i] = ' ';
	}
	sqlite3_finalize(q);
	return ok;
}

static int
damaged(struct npkd_store *s, const char *line, struct npkd_err *e)
{
	return npkd_seterr(e, NPKD_E_FORMAT, "%s: the store is damaged (%s): "
	    "restore it from a backup", s->path, line);
}

/*
 * Once per open store, before the first write: PRAGMA quick_check.  A
 * damaged database must stop an import, not take it in silence (the
 * damaged pages may be ones the import never reads).
 */
int
npkd_store_integrity(struct npkd_store *s, struct npkd_err *e)
{
	char	line[160];

	if (s->intact)
		return NPKD_OK;
	if (!quick_check(s->db, line, sizeof(line)))
		return damaged(s, line, e);
	s->intact = 1;
	return NPKD_OK;
}

/*
 * The same check on a connection of its own and a thread of its own, for
 * a caller with work to do meanwhile (a whole check reads every object
 * anyway); npkd_store_integrity_wait() gives its verdict.
 */
static void *
integrity_thread(void *arg)
{
	struct npkd_store	*s = arg;
	sqlite3			*db = NULL;

	if (sqlite3_open_v2(s->path, &db, SQLITE_OPEN_READONLY |
	    SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(s->bg_line, sizeof(s->bg_line), "%s",
		    db ? sqlite3_errmsg(db) : "out of memory");
		s->bg_ok = 0;
	} else {
		sqlite3_busy_timeout(db, 10000);
		s->bg_ok = quick_check(db, s->bg_line, sizeof(s->bg_line));
	}
	sqlite3_close(db);
	return NULL;
}

void
npkd_store_integrity_start(struct npkd_store *s)
{
	if (s->intact || s->bg_running)
		return;
	if (pthread_create(&s->bg, NULL, integrity_thread, s) == 0)
		s->bg_running = 1;
}

int
npkd_store_integrity_wait(struct npkd_store *s, struct npkd_err *e)
{
	if (s->bg_running) {
		pthread_join(s->bg, NULL);
		s->bg_running = 0;
		if (!s->bg_ok)
			return damaged(s, s->bg_line, e);
		s->intact = 1;
	}
	return npkd_store_integrity(s, e);
}

static int
prepare(struct npkd_store *s, struct npkd_err *e)
{
	if (s->ins != NULL)
		return NPKD_OK;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO objects (sha256, kind, "
	    "country, subject, issuer, serial, ski, aki, not_before, not_after, "
	    "der, status, findings, pfindings, nonconformant, conformance, "
	    "first_seen, last_seen, subject_id, issuer_id, keyid, flags, "
	    "signer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
	    "'unchecked', ?12, ?12, ?13, ?14, ?15, ?15, ?16, ?17, ?18, ?19, "
	    "?20) ON CONFLICT (sha256) DO NOTHING", -1, &s->ins, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "UPDATE objects SET seen = seen + 1, "
	    "last_seen = ?2, pfindings = coalesce(pfindings, ?3), "
	    "subject_id = coalesce(subject_id, ?4), issuer_id = "
	    "coalesce(issuer_id, ?5), keyid = coalesce(keyid, ?6), flags = ?7, "
	    "signer = coalesce(signer, ?8) WHERE sha256 = ?1", -1, &s->seen,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT INTO provenance (sha256, run, "
	    "entry, via, time) VALUES (?1, ?2, ?3, ?4, ?5)", -1, &s->prov,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO vouches (member, "
	    "list) VALUES (?1, ?2)", -1, &s->vouch, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "prepare");
	return NPKD_OK;
}

/* JSON array of findings, for the findings column. */
char *
npkd_findings_json(const struct npkd_findings *f)
{
	struct npkd_dbuf		 d;
	const struct npkd_finding	*x;
	const char			*p;
	size_t				 i;

	npkd_dbuf_init(&d, 1 << 20);
	npkd_dbuf_add(&d, "[", 1);
	for (i = 0; i < npkd_findings_count(f); i++) {
		x = npkd_findings_get(f, i);
		npkd_dbuf_printf(&d, "%s{\"severity\":\"%s\",\"code\":\"%s\","
		    "\"rule\":\"%s\",\"text\":\"", i ? "," : "",
		    npkd_sev_name(x->severity), x->code, x->rule);
		for (p = x->text; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				npkd_dbuf_printf(&d, "\\%c", *p);
			else if ((unsigned char)*p < 0x20 ||
			    (unsigned char)*p == 0x7f)
				npkd_dbuf_printf(&d, "\\u%04x", *p);
			else
				npkd_dbuf_add(&d, p, 1);
		}
		npkd_dbuf_add(&d, "\"}", 2);
	}
	if (npkd_dbuf_add(&d, "]", 1) != NPKD_OK) {
		npkd_dbuf_free(&d);
		return strdup("[]");
	}
	return (char *)d.data;
}

static int hex_range(const char *, uint8_t [32], uint8_t [32],
    struct npkd_err *);

/* What one import knows while it runs. */
struct imp {
	struct npkd_store		*s;
	const struct npkd_import_opts	*o;
	struct npkd_import_stats	*st;
	struct npkd_findings		*f;
	sqlite3_int64			 run;
	const char			*file;
	time_t				 now;
	uint64_t			 bytes;
};

struct put {
	const uint8_t	*sha;
	int		 kind;
	const char	*country, *subject, *issuer, *serial;
	const uint8_t	*ski, *aki;
	size_t		 ski_len, aki_len;
	time_t		 nb, na;
	const uint8_t	*der;
	size_t		 der_len;
	const struct npkd_findings *findings;
	int		 nonconformant;
	const char	*conformance;
	const char	*entry;
	const uint8_t	*via;
	const uint8_t	*subject_id, *issuer_id, *keyid, *signer;
	int		 flags;
};

static void
bind_blob(sqlite3_stmt *q, int i, const uint8_t *p, size_t n)
{
	if (p != NULL)
		sqlite3_bind_blob(q, i, p, (int)n, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, i);
}

/*
 * Store an object once; seen again, it is counted and its provenance
 * recorded.  Trust is never stored here: check computes it.
 */
static int
put(struct imp *im, const struct put *p, struct npkd_err *e)
{
	struct npkd_store	*s = im->s;
	sqlite3_stmt		*q = s->ins;
	char			*fj = NULL;
	int			 r;

	if (p->findings != NULL &&
	    (fj = npkd_findings_json(p->findings)) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "findings");
	sqlite3_reset(q);
	sqlite3_bind_blob(q, 1, p->sha, 32, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, npkd_kind_name(p->kind), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, p->country ? p->country : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, p->subject ? p->subject : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, p->issuer ? p->issuer : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, p->serial ? p->serial : "", -1, SQLITE_STATIC);
	bind_blob(q, 7, p->ski, p->ski_len);
	bind_blob(q, 8, p->aki, p->aki_len);
	sqlite3_bind_int64(q, 9, p->nb);
	sqlite3_bind_int64(q, 10, p->na);
	sqlite3_bind_blob(q, 11, p->der, (int)p->der_len, SQLITE_STATIC);
	sqlite3_bind_text(q, 12, fj ? fj : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 13, p->nonconformant);
	if (p->conformance)
		sqlite3_bind_text(q, 14, p->conformance, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 14);
	sqlite3_bind_int64(q, 15, im->now);
	bind_blob(q, 16, p->subject_id, 32);
	bind_blob(q, 17, p->issuer_id, 32);
	bind_blob(q, 18, p->keyid, 32);
	sqlite3_bind_int(q, 19, p->flags);
	bind_blob(q, 20, p->signer, 32);
	r = sqlite3_step(q);
	sqlite3_reset(q);
	if (r != SQLITE_DONE) {
		free(fj);
		return npkd_sqlerr(s, e, "insert");
	}
	im->st->objects++;
	if (sqlite3_changes(s->db) == 0) {
		/* Known already: recorded as seen again, not stored twice. */
		q = s->seen;
		sqlite3_reset(q);
		sqlite3_bind_blob(q, 1, p->sha, 32, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, im->now);
		sqlite3_bind_text(q, 3, fj ? fj : "[]", -1, SQLITE_STATIC);
		bind_blob(q, 4, p->subject_id, 32);
		bind_blob(q, 5, p->issuer_id, 32);
		bind_blob(q, 6, p->keyid, 32);
		sqlite3_bind_int(q, 7, p->flags);
		bind_blob(q, 8, p->signer, 32);
		r = sqlite3_step(q);
		sqlite3_reset(q);
		if (r != SQLITE_DONE) {
			free(fj);
			return npkd_sqlerr(s, e, "update");
		}
		im->st->again++;
	} else
		im->st->added++;
	free(fj);
	q = s->prov;
	sqlite3_reset(q);
	sqlite3_bind_blob(q, 1, p->sha, 32, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, im->run);
	sqlite3_bind_text(q, 3, p->entry ? p->entry : "", -1, SQLITE_STATIC);
	bind_blob(q, 4, p->via, 32);
	sqlite3_bind_int64(q, 5, im->now);
	if (sqlite3_step(q) != SQLITE_DONE)
		return npkd_sqlerr(s, e, "provenance");
	if (p->via != NULL) {
		q = s->vouch;
		sqlite3_reset(q);
		sqlite3_bind_blob(q, 1, p->sha, 32, SQLITE_STATIC);
		sqlite3_bind_blob(q, 2, p->via, 32, SQLITE_STATIC);
		if (sqlite3_step(q) != SQLITE_DONE)
			return npkd_sqlerr(s, e, "vouches");
	}
	if (im->o->progress != NULL && (im->st->objects & 255) == 0)
		im->o->progress(im->o->progress_arg, im->bytes, im->st->objects);
	return NPKD_OK;
}

static int
kind_of_cert(const struct npkd_cert *c)
{
	switch (npkd_cert_role(c)) {
	case NPKD_ROLE_CSCA:	 return NPKD_KIND_CSCA;
	case NPKD_ROLE_LINK:	 return NPKD_KIND_LINK;
	case NPKD_ROLE_DSC:	 return NPKD_KIND_DSC;
	case NPKD_ROLE_MLSIGNER: return NPKD_KIND_MLSIGNER;
	case NPKD_ROLE_DLSIGNER: return NPKD_KIND_DLSIGNER;
	}
	return NPKD_KIND_OTHER;
}

int
npkd_cert_flags(const struct npkd_cert *c)
{
	return c->crit_unknown ? NPKD_OF_CRIT_UNKNOWN : 0;
}

static int
put_cert(struct imp *im, const struct npkd_cert *c, const char *entry,
    const uint8_t *via, int nc, const char *conf, struct npkd_err *e)
{
	struct put	 p;

	memset(&p, 0, sizeof(p));
	p.sha = c->sha256;
	p.kind = kind_of_cert(c);
	p.country = c->country;
	p.subject = c->subject;
	p.issuer = c->issuer;
	p.serial = c->serial;
	p.ski = c->has_ski ? c->ski.data : NULL;
	p.ski_len = c->ski.len;
	p.aki = c->has_aki ? c->aki.data : NULL;
	p.aki_len = c->aki.len;
	p.nb = c->not_before;
	p.na = c->not_after;
	p.der = c->der.data;
	p.der_len = c->der.len;
	p.entry = entry;
	p.via = via;
	p.nonconformant = nc;
	p.conformance = conf;
	p.findings = c->findings;
	p.subject_id = c->subject_id;
	p.issuer_id = c->issuer_id;
	p.keyid = c->keyid;
	p.flags = npkd_cert_flags(c);
	return put(im, &p, e);
}

static int
put_crl(struct imp *im, const struct npkd_crl *c, const char *entry,
    int nc, const char *conf, struct npkd_err *e)
{
	struct put	 p;
	const uint8_t	*aki;
	size_t		 alen, dlen;

	memset(&p, 0, sizeof(p));
	p.sha = npkd_crl_sha256(c);
	p.kind = NPKD_KIND_CRL;
	p.country = npkd_crl_country(c);
	p.subject = p.issuer = npkd_crl_issuer(c);
	p.serial = npkd_crl_number(c);
	aki = npkd_crl_aki(c, &alen);
	p.aki = aki;
	p.aki_len = alen;
	p.nb = npkd_crl_this_update(c);
	p.na = npkd_crl_next_update(c);
	p.der = npkd_crl_der(c, &dlen);
	p.der_len = dlen;
	p.entry = entry;
	p.nonconformant = nc;
	p.conformance = conf;
	p.findings = npkd_crl_findings(c);
	p.issuer_id = p.subject_id = npkd_crl_issuer_id(c);
	return put(im, &p, e);
}

/* An entry of a file refused on its own (the rest imports). */
static int
refuse(struct imp *im, const char *entry, const uint8_t *sha, int rc,
    const char *why, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	int		 r;

	if (sqlite3_prepare_v2(im->s->db, "INSERT INTO refusals (run, entry, "
	    "reason, sha256) VALUES (?1, ?2, ?3, ?4)", -1, &q, NULL) !=
	    SQLITE_OK)
		return npkd_sqlerr(im->s, e, "refusals");
	sqlite3_bind_int64(q, 1, im->run);
	sqlite3_bind_text(q, 2, entry, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, why, -1, SQLITE_STATIC);
	bind_blob(q, 4, sha, 32);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return npkd_sqlerr(im->s, e, "refusals");
	im->st->refused++;
	if (rc == NPKD_E_VERIFY || rc == NPKD_E_UNSUPPORTED)
		im->st->lists_refused++;
	if (im->o->refused != NULL)
		im->o->refused(im->o->progress_arg, entry, why);
	return NPKD_OK;
}

/*
 * Stored certificates that may be a list's signer (by its signer
 * identifier), for lists that do not carry their signer.
 */
static int
signer_candidates(struct imp *im, const struct npkd_cms *cms,
    struct npkd_cert ***out, size_t *n, struct npkd_err *e)
{
	sqlite3_stmt	 *q = NULL;
	struct npkd_cert **v = NULL, **nv, *c;
	const char	 *sid = npkd_cms_signer_id(cms), *p;
	uint8_t		  ski[64];
	size_t		  len = 0, cnt = 0;
	unsigned int	  x;
	int		  r;

	*out = NULL;
	*n = 0;
	if (strncmp(sid, "ski:", 4) == 0) {
		for (p = sid + 4; p[0] && p[1] && len < sizeof(ski); p += 2) {
			if (sscanf(p, "%2x", &x) != 1)
				break;
			ski[len++] = (uint8_t)x;
		}
		r = sqlite3_prepare_v2(im->s->db, "SELECT der FROM objects "
		    "WHERE ski = ?1 AND kind IN ('mlsigner', 'dlsigner', "
		    "'other', 'dsc') LIMIT 64", -1, &q, NULL);
		if (r == SQLITE_OK)
			sqlite3_bind_blob(q, 1, ski, (int)len, SQLITE_STATIC);
	} else {
		if ((p = strstr(sid, " serial:")) == NULL)
			return NPKD_OK;
		r = sqlite3_prepare_v2(im->s->db, "SELECT der FROM objects "
		    "WHERE serial = ?1 AND kind IN ('mlsigner', 'dlsigner', "
		    "'other', 'dsc') LIMIT 64", -1, &q, NULL);
		if (r == SQLITE_OK)
			sqlite3_bind_text(q, 1, p + 8, -1, SQLITE_STATIC);
	}
	if (r != SQLITE_OK)
		return npkd_sqlerr(im->s, e, "signer");
	while (sqlite3_step(q) == SQLITE_ROW) {
		if (npkd_cert_parse(sqlite3_column_blob(q, 0),
		    (size_t)sqlite3_column_bytes(q, 0), &c, NULL) != NPKD_OK)
			continue;
		if ((nv = reallocarray(v, cnt + 1, sizeof(*nv))) == NULL) {
			npkd_cert_free(c);
			break;
		}
		v = nv;
		v[cnt++] = c;
	}
	sqlite3_finalize(q);
	*out = v;
	*n = cnt;
	return NPKD_OK;
}

/*
 * A list: its signature is checked before its content is read; it is
 * stored with its signer, the certificates it embeds and its members.  A
 * list file must be genuine under the officer's trust as it stands (the
 * store's anchors and authorities and any given with -T) or nothing is
 * stored; inside an LDIF download a list whose signature verifies is
 * kept (check decides what it vouches for) and any other is refused.
 */
static int
import_list(struct imp *im, const uint8_t *der, size_t len, const char *entry,
    int in_ldif, struct npkd_err *e)
{
	struct npkd_ml		 *m = NULL;
	struct npkd_ml_ahead	 *ah = NULL;
	struct npkd_cert	**extra = NULL, *c = NULL, **cas = NULL, **nv;
	const struct npkd_cert	 *signer = NULL;
	struct npkd_findings	 *f = NULL;
	struct npkd_err		  le;
	struct put		  p;
	uint8_t			  sha[32];
	char			  name[512], why[sizeof(le.msg) + 64];
	size_t			  nextra = 0, i, ncas = 0;
	int			  rc;

	if ((rc = npkd_hash(NPKD_HASH_SHA256, der, len, sha, e)) != NPKD_OK)
		return rc;
	if ((f = npkd_findings_new()) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "list");
	if ((rc = npkd_ml_open(der, len, &m, &le)) == NPKD_OK &&
	    (rc = signer_candidates(im, npkd_ml_cms(m), &extra, &nextra,
	    &le)) == NPKD_OK &&
	    (rc = npkd_ml_signature(m, (const struct npkd_cert *const *)extra,
	    nextra, &signer, f, &le)) == NPKD_OK)
		rc = npkd_ml_load(m, &le);
	if (rc != NPKD_OK) {
		if (!in_ldif || rc == NPKD_E_NOMEM || rc == NPKD_E_IO) {
			npkd_seterr(e, rc, "%s", le.msg);
			goto out;
		}
		snprintf(why, sizeof(why), "list: %s", le.msg);
		rc = refuse(im, entry, sha, rc, why, e);
		goto out;
	}
	npkd_findings_merge(f, npkd_ml_findings(m), NULL);
	memset(&p, 0, sizeof(p));
	p.sha = sha;
	p.kind = npkd_ml_kind(m) == NPKD_LIST_ML ? NPKD_KIND_ML : NPKD_KIND_DL;
	p.der = der;
	p.der_len = len;
	p.entry = entry;
	p.country = signer->country;
	p.subject = signer->subject;
	p.issuer = signer->issuer;
	p.nb = p.na = npkd_cms_signing_time(npkd_ml_cms(m));
	p.findings = f;
	p.signer = signer->sha256;
	if ((rc = put(im, &p, e)) != NPKD_OK ||
	    (rc = put_cert(im, signer, entry, sha, 0, NULL, e)) != NPKD_OK)
		goto out;
	/* the signature's verdict, for check */
	if ((rc = npkd_store_sig_put(im->s, sha, signer->keyid, 1, e)) !=
	    NPKD_OK)
		goto out;
	for (i = 0; i < npkd_cms_cert_count(npkd_ml_cms(m)); i++)
		if ((rc = put_cert(im, npkd_cms_cert(npkd_ml_cms(m), i), entry,
		    NULL, 0, NULL, e)) != NPKD_OK)
			goto out;
	/* each member read once (decoded ahead while the last is stored):
	 * stored, and kept when it is a CA */
	if (npkd_ml_ahead_new(m, &ah) != NPKD_OK) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "list");
		goto out;
	}
	for (i = 0; i < npkd_ml_count(m); i++) {
		if ((rc = npkd_ml_ahead_take(ah, i, &c, e)) != NPKD_OK)
			goto out;
		snprintf(name, sizeof(name), "%s%smember %zu", entry ? entry : "",
		    entry ? " " : "", i);
		if ((rc = put_cert(im, c, name, sha, 0, NULL, e)) != NPKD_OK)
			goto out;
		if (npkd_ml_member_is_ca(c)) {
			if ((nv = reallocarray(cas, ncas + 1, sizeof(*nv))) ==
			    NULL) {
				rc = npkd_seterr(e, NPKD_E_NOMEM, "list");
				goto out;
			}
			cas = nv;
			cas[ncas++] = c;
		} else
			npkd_ml_ahead_give(ah, c);
		c = NULL;
	}
	/* a list file must be genuine under the trust as it stands (the
	 * transaction is rolled back otherwise) */
	if (!in_ldif && (rc = npkd_store_judge_list(im->s, m, signer, cas,
	    ncas, im->o->anchors, im->o->nanchors, im->now, e)) != NPKD_OK)
		goto out;
 out:
	npkd_ml_ahead_free(ah);
	npkd_cert_free(c);
	npkd_certs_free(cas, ncas);
	npkd_findings_free(f);
	npkd_certs_free(extra, nextra);
	npkd_ml_free(m);
	return rc;
}

/* One DER object: a list, a certificate or a CRL. */
static int
import_der(struct imp *im, const uint8_t *der, size_t len, const char *entry,
    int in_ldif, struct npkd_err *e)
{
	struct npkd_cert	*c;
	struct npkd_crl		*crl;
	struct npkd_err		 ce;
	unsigned int		 tag;
	size_t			 hdr, clen;
	int			 rc;

	/* ContentInfo starts with an OID; certificates and CRLs do not. */
	if (npkd_der_header(der, len, &tag, &hdr, &clen) == NPKD_OK &&
	    tag == 0x30 && hdr < len && der[hdr] == 0x06) {
		im->st->format = in_ldif ? im->st->format : "list";
		return import_list(im, der, len, entry, in_ldif, e);
	}
	if ((rc = npkd_cert_parse(der, len, &c, &ce)) == NPKD_OK) {
		rc = put_cert(im, c, entry, NULL, 0, NULL, e);
		npkd_cert_free(c);
		return rc;
	}
	if (npkd_crl_parse(der, len, &crl, NULL) == NPKD_OK) {
		rc = put_crl(im, crl, entry, 0, NULL, e);
		npkd_crl_free(crl);
		return rc;
	}
	return npkd_seterr(e, rc, "not a list, certificate or CRL: %s", ce.msg);
}

static int
import_pem(struct imp *im, const uint8_t *p, size_t len, struct npkd_err *e)
{
	struct npkd_buf	 der;
	char		 label[64], entry[96];
	size_t		 off = 0, n = 0;
	int		 rc;

	im->st->format = "pem";
	for (;;) {
		rc = npkd_pem_decode(p, len, &off, NULL, &der, label,
		    sizeof(label), e);
		if (rc == NPKD_E_NOTFOUND)
			break;
		if (rc != NPKD_OK)
			return rc;
		n++;
		snprintf(entry, sizeof(entry), "PEM block %zu", n);
		if (strcmp(label, "CERTIFICATE") != 0 &&
		    strcmp(label, "X509 CRL") != 0 && strcmp(label, "CMS") != 0 &&
		    strcmp(label, "PKCS7") != 0) {
			npkd_buf_free(&der);
			return npkd_seterr(e, NPKD_E_FORMAT, "PEM block %zu: "
			    "%s is not a certificate, CRL or list", n, label);
		}
		rc = import_der(im, der.data, der.len, entry, 0, e);
		npkd_buf_free(&der);
		if (rc != NPKD_OK) {
			char m[sizeof(e->msg)];

			if (e != NULL) {
				snprintf(m, sizeof(m), "%s", e->msg);
				npkd_seterr(e, rc, "PEM block %zu: %s", n, m);
			}
			return rc;
		}
	}
	if (n == 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "no PEM block");
	return NPKD_OK;
}

/* The source of bytes for the LDIF reader: a peeked head, then the fd. */
struct src {
	int		 fd;
	const uint8_t	*head;
	size_t		 hlen, hoff;
	uint64_t	 total;
	uint64_t	 max;
	int		 over;
};

static long
src_read(void *arg, uint8_t *buf, size_t n)
{
	struct src	*s = arg;
	ssize_t		 r;

	if (s->hoff < s->hlen) {
		if (n > s->hlen - s->hoff)
			n = s->hlen - s->hoff;
		memcpy(buf, s->head + s->hoff, n);
		s->hoff += n;
		return (long)n;
	}
	do
		r = read(s->fd, buf, n);
	while (r == -1 && errno == EINTR);
	if (r > 0 && (s->total += (uint64_t)r) > s->max) {
		s->over = 1;
		errno = EFBIG;
		return -1;
	}
	return (long)r;
}

static int
ldif_dn_has(const char *dn, const char *rdn)
{
	size_t		 n = strlen(rdn);
	const char	*p;

	for (p = dn; (p = strcasestr(p, rdn)) != NULL; p++)
		if ((p == dn || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static int
import_ldif(struct imp *im, struct src *sr, struct npkd_err *e)
{
	struct npkd_ldif		*l = NULL;
	const struct npkd_ldif_entry	*en;
	const struct npkd_ldif_attr	*a, *code, *text;
	struct npkd_cert		*c;
	struct npkd_crl			*crl;
	char				*conf = NULL, entry[600];
	size_t				 i;
	int				 rc, nc;

	im->st->format = "ldif";
	if ((rc = npkd_ldif_new(src_read, sr, "", &l, e)) != NPKD_OK)
		return rc;
	while ((rc = npkd_ldif_next(l, &en, e)) == NPKD_OK) {
		im->bytes = npkd_ldif_offset(l);
		nc = ldif_dn_has(en->dn, "dc=nc-data");
		free(conf);
		conf = NULL;
		code = npkd_ldif_attr(en, "pkdconformancecode");
		text = npkd_ldif_attr(en, "pkdconformancetext");
		if (nc && (code || text) && asprintf(&conf, "%s%s%s",
		    code ? (char *)code->value : "", code && text ? ": " : "",
		    text ? (char *)text->value : "") == -1) {
			rc = NPKD_E_NOMEM;
			break;
		}
		snprintf(entry, sizeof(entry), "line %zu", en->line);
		for (i = 0; i < en->nattrs && rc == NPKD_OK; i++) {
			struct npkd_err	 ve;
			char		 why[sizeof(ve.msg) + 32];

			a = &en->attrs[i];
			if (strcmp(a->name, "usercertificate") == 0 ||
			    strcmp(a->name, "cacertificate") == 0) {
				/* a bad value is refused on its own */
				if (npkd_cert_parse(a->value, a->len, &c, &ve) !=
				    NPKD_OK) {
					snprintf(why, sizeof(why), "%s: %s",
					    a->name, ve.msg);
					rc = refuse(im, entry, NULL, ve.code, why,
					    e);
					continue;
				}
				rc = put_cert(im, c, entry, NULL, nc, conf, e);
				npkd_cert_free(c);
			} else if (strcmp(a->name,
			    "certificaterevocationlist") == 0) {
				if (npkd_crl_parse(a->value, a->len, &crl, &ve) !=
				    NPKD_OK) {
					snprintf(why, sizeof(why), "%s: %s",
					    a->name, ve.msg);
					rc = refuse(im, entry, NULL, ve.code, why,
					    e);
					continue;
				}
				rc = put_crl(im, crl, entry, nc, conf, e);
				npkd_crl_free(crl);
			} else if (strcmp(a->name, "pkdmasterlistcontent") == 0 ||
			    strcmp(a->name, "cscamasterlistdata") == 0)
				rc = import_list(im, a->value, a->len, entry, 1,
				    e);
		}
		if (rc != NPKD_OK) {
			char m[sizeof(e->msg)];

			if (e != NULL) {
				snprintf(m, sizeof(m), "%s", e->msg);
				npkd_seterr(e, rc, "entry at line %zu: %s",
				    en->line, m);
			}
			break;
		}
	}
	free(conf);
	npkd_ldif_free(l);
	if (sr->over)
		return npkd_seterr(e, NPKD_E_LIMIT, "larger than %llu bytes",
		    (unsigned long long)sr->max);
	return rc == NPKD_E_NOTFOUND ? NPKD_OK : rc;
}

static int
looks_ldif(const uint8_t *p, size_t n)
{
	size_t i = 0;

	while (i < n && (p[i] == ' ' || p[i] == '\r' || p[i] == '\n'))
		i++;
	p += i;
	n -= i;
	return (n >= 3 && strncasecmp((const char *)p, "dn:", 3) == 0) ||
	    (n >= 8 && strncasecmp((const char *)p, "version:", 8) == 0) ||
	    (n >= 1 && p[0] == '#');
}

/* Store the officer's anchors (-T) first, as anchors of the store. */
static int
put_anchors(struct imp *im, struct npkd_err *e)
{
	const struct npkd_cert		*a;
	struct npkd_import_stats	 saved = *im->st;
	size_t				 i;
	int				 rc;

	for (i = 0; i < im->o->nanchors; i++) {
		a = im->o->anchors[i];
		if ((rc = npkd_anchor_check(a, e)) != NPKD_OK ||
		    (rc = put_cert(im, a, "trust anchor (-T)", NULL, 0, NULL,
		    e)) != NPKD_OK ||
		    (rc = anchor_row(im->s, a->sha256, "import -T", im->now,
		    e)) != NPKD_OK)
			return rc;
	}
	*im->st = saved;	/* anchors are not the file's objects */
	return NPKD_OK;
}

int
npkd_store_import(struct npkd_store *s, const char *path,
    const struct npkd_import_opts *o, struct npkd_import_stats *st,
    struct npkd_findings *f, struct npkd_err *e)
{
	struct imp		 im;
	struct src		 sr;
	struct npkd_import_opts	 dflt;
	struct npkd_dbuf	 all;
	sqlite3_stmt		*q = NULL;
	uint8_t			 head[65536];
	struct npkd_buf		 buf;
	struct stat		 fst;
	ssize_t			 n;
	size_t			 hl = 0;
	const char		*name = strcmp(path, "-") == 0 ? "(stdin)" : path;
	int			 fd, rc, own = 0;

	memset(st, 0, sizeof(*st));
	st->format = "unknown";
	if (o == NULL) {
		memset(&dflt, 0, sizeof(dflt));
		o = &dflt;
	}
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return npkd_seterr(e, NPKD_E_IO, "%s", path);
	else
		own = 1;
	while (hl < sizeof(head)) {
		n = read(fd, head + hl, sizeof(head) - hl);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			rc = npkd_seterr(e, NPKD_E_IO, "%s", name);
			goto close;
		}
		if (n == 0)
			break;
		hl += (size_t)n;
	}
	if ((rc = npkd_store_integrity(s, e)) != NPKD_OK ||
	    (rc = prepare(s, e)) != NPKD_OK)
		goto close;
	memset(&im, 0, sizeof(im));
	im.s = s;
	im.o = o;
	im.st = st;
	im.f = f;
	im.file = name;
	im.now = o->now ? o->now : time(NULL);
	if ((rc = npkd_store_exec(s, "BEGIN IMMEDIATE", e)) != NPKD_OK)
		goto close;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO runs (started, file) "
	    "VALUES (?1, ?2)", -1, &q, NULL) != SQLITE_OK) {
		rc = npkd_sqlerr(s, e, "run");
		goto rollback;
	}
	sqlite3_bind_int64(q, 1, im.now);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		rc = npkd_sqlerr(s, e, "run");
		goto rollback;
	}
	im.run = sqlite3_last_insert_rowid(s->db);
	if ((rc = put_anchors(&im, e)) != NPKD_OK)
		goto rollback;
	memset(&sr, 0, sizeof(sr));
	sr.fd = fd;
	sr.head = head;
	sr.hlen = hl;
	sr.max = NPKD_MAX_FILE;
	if (hl == 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "empty file");
		goto rollback;
	}
	if (looks_ldif(head, hl)) {
		rc = import_ldif(&im, &sr, e);
		goto done;
	}
	/* Everything else is read whole (bounded) and parsed in memory. */
	npkd_dbuf_init(&all, NPKD_MAX_FILE);
	if (hl < sizeof(head)) {		/* all of it is in head */
		rc = npkd_dbuf_add(&all, head, hl);
	} else if ((rc = npkd_fd_read(fd, name, NPKD_MAX_FILE,
	    fstat(fd, &fst) == 0 && S_ISREG(fst.st_mode) ?
	    (size_t)fst.st_size : 0, head, hl, &buf, e)) == NPKD_OK) {
		all.data = buf.data;
		all.len = buf.len;
		all.cap = buf.len + 1;
	} else if (rc == NPKD_E_LIMIT)		/* the caller names the file */
		npkd_seterr(e, rc, "larger than %lu bytes", NPKD_MAX_FILE);
	if (rc == NPKD_OK) {
		im.bytes = all.len;
		if (npkd_is_pem(all.data, all.len))
			rc = import_pem(&im, all.data, all.len, e);
		else {
			st->format = "der";
			rc = import_der(&im, all.data, all.len, NULL, 0, e);
		}
	}
	npkd_dbuf_free(&all);
 done:
	if (rc != NPKD_OK)
		goto rollback;
	sqlite3_finalize(q);
	q = NULL;
	if (sqlite3_prepare_v2(s->db, "UPDATE runs SET format = ?1 WHERE id = "
	    "?2", -1, &q, NULL) == SQLITE_OK) {
		sqlite3_bind_text(q, 1, st->format, -1, SQLITE_STATIC);
		sqlite3_bind_int64(q, 2, im.run);
		sqlite3_step(q);
	}
	if ((rc = npkd_store_exec(s, "COMMIT", e)) != NPKD_OK)
		goto rollback;
	if (o->progress != NULL)
		o->progress(o->progress_arg, im.bytes, st->objects);
	goto close;
 rollback:
	npkd_store_exec(s, "ROLLBACK", NULL);
	st->added = st->again = 0;
 close:
	sqlite3_finalize(q);
	if (own)
		close(fd);
	return rc;
}

int
npkd_store_list(struct npkd_store *s, const struct npkd_query *qy,
    npkd_object_fn fn, void *arg, struct npkd_err *e)
{
	struct npkd_object	 ob;
	struct npkd_dbuf	 sql;
	sqlite3_stmt		*q = NULL;
	int			 r, rc = NPKD_OK, i = 1;

	npkd_dbuf_init(&sql, 4096);
	npkd_dbuf_printf(&sql, "SELECT sha256, kind, country, subject, issuer, "
	    "serial, not_before, not_after, status, findings, trusted, "
	    "nonconformant, conformance, first_seen, last_seen, seen, %s, "
	    "reason, trust, action FROM objects WHERE 1", qy->with_der ?
	    "der" : "NULL");
	if (qy->kind)
		npkd_dbuf_printf(&sql, " AND kind = ?%d", i++);
	if (qy->country)
		npkd_dbuf_printf(&sql, " AND country = ?%d COLLATE NOCASE", i++);
	if (qy->status)
		npkd_dbuf_printf(&sql, " AND status = ?%d", i++);
	if (qy->reason)
		npkd_dbuf_printf(&sql, " AND reason = ?%d", i++);
	if (qy->action)
		npkd_dbuf_printf(&sql, " AND action = 1");
	if (qy->expiring_days >= 0)
		npkd_dbuf_printf(&sql, " AND kind NOT IN ('ml', 'dl') AND "
		    "not_after > 0 AND not_after <= ?%d", i++);
	if (qy->id) {
		/* a hex prefix: a range of the binary key */
		npkd_dbuf_printf(&sql, " AND sha256 >= ?%d AND sha256 <= ?%d",
		    i, i + 1);
		i += 2;
	}
	/* countries that differ only in case are one country (export pem) */
	npkd_dbuf_printf(&sql, " ORDER BY kind, country COLLATE NOCASE, "
	    "subject, not_before");
	if (sqlite3_prepare_v2(s->db, (char *)sql.data, -1, &q, NULL) !=
	    SQLITE_OK) {
		npkd_dbuf_free(&sql);
		return npkd_sqlerr(s, e, "query");
	}
	npkd_dbuf_free(&sql);
	i = 1;
	if (qy->kind)
		sqlite3_bind_text(q, i++, qy->kind, -1, SQLITE_STATIC);
	if (qy->country)
		sqlite3_bind_text(q, i++, qy->country, -1, SQLITE_STATIC);
	if (qy->status)
		sqlite3_bind_text(q, i++, qy->status, -1, SQLITE_STATIC);
	if (qy->reason)
		sqlite3_bind_text(q, i++, qy->reason, -1, SQLITE_STATIC);
	if (qy->expiring_days >= 0)
		sqlite3_bind_int64(q, i++, (qy->now ? qy->now : time(NULL)) +
		    qy->expiring_days * 86400L);
	if (qy->id) {
		uint8_t lb[32], hb[32];

		if ((rc = hex_range(qy->id, lb, hb, e)) != NPKD_OK) {
			sqlite3_finalize(q);
			return rc;
		}
		sqlite3_bind_blob(q, i++, lb, 32, SQLITE_TRANSIENT);
		sqlite3_bind_blob(q, i++, hb, 32, SQLITE_TRANSIENT);
	}
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&ob, 0, sizeof(ob));
		memcpy(ob.sha256, sqlite3_column_blob(q, 0), 32);
		ob.kind = (const char *)sqlite3_column_text(q, 1);
		ob.country = (const char *)sqlite3_column_text(q, 2);
		ob.subject = (const char *)sqlite3_column_text(q, 3);
		ob.issuer = (const char *)sqlite3_column_text(q, 4);
		ob.serial = (const char *)sqlite3_column_text(q, 5);
		ob.not_before = sqlite3_column_int64(q, 6);
		ob.not_after = sqlite3_column_int64(q, 7);
		ob.status = (const char *)sqlite3_column_text(q, 8);
		ob.findings = (const char *)sqlite3_column_text(q, 9);
		ob.trusted = sqlite3_column_int(q, 10);
		ob.nonconformant = sqlite3_column_int(q, 11);
		ob.conformance = (const char *)sqlite3_column_text(q, 12);
		ob.first_seen = sqlite3_column_int64(q, 13);
		ob.last_seen = sqlite3_column_int64(q, 14);
		ob.seen = sqlite3_column_int64(q, 15);
		ob.der = sqlite3_column_blob(q, 16);
		ob.der_len = (size_t)sqlite3_column_bytes(q, 16);
		ob.reason = (const char *)sqlite3_column_text(q, 17);
		ob.trust = (const char *)sqlite3_column_text(q, 18);
		ob.action = sqlite3_column_int(q, 19);
		if ((rc = fn(arg, &ob)) != 0)
			break;
	}
	if (r != SQLITE_ROW && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "query");
	sqlite3_finalize(q);
	return rc;
}

int
npkd_store_provenance(struct npkd_store *s, const uint8_t *sha,
    void (*fn)(void *, const char *), void *arg, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	char		 line[1200], t[24], via[65];
	int		 r;

	if (sqlite3_prepare_v2(s->db, "SELECT p.time, p.run, r.file, p.entry, "
	    "p.via FROM provenance p JOIN runs r ON r.id = p.run WHERE "
	    "p.sha256 = ?1 ORDER BY p.time, p.run", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "provenance");
	sqlite3_bind_blob(q, 1, sha, 32, SQLITE_STATIC);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		npkd_time_str(sqlite3_column_int64(q, 0), t);
		via[0] = '\0';
		if (sqlite3_column_bytes(q, 4) == 32)
			npkd_hex(sqlite3_column_blob(q, 4), 32, via);
		snprintf(line, sizeof(line), "%s run %lld %s%s%s%s%s", t,
		    (long long)sqlite3_column_int64(q, 1),
		    (const char *)sqlite3_column_text(q, 2),
		    sqlite3_column_bytes(q, 3) ? ": " : "",
		    (const char *)sqlite3_column_text(q, 3),
		    via[0] ? " via list " : "", via);
		fn(arg, line);
	}
	sqlite3_finalize(q);
	return r == SQLITE_DONE ? NPKD_OK : npkd_sqlerr(s, e, "provenance");
}

/* ---- the officer's trust: anchors and list authorities ---- */

/*
 * May c be an anchor?  A CA certificate (RFC 5280: basicConstraints cA,
 * or a CSCA that claims to be self-signed), and when it claims to be
 * self-signed its signature must verify (design.md section 8).
 */
int
npkd_anchor_check(const struct npkd_cert *c, struct npkd_err *e)
{
	struct npkd_err	ve;
	int		rc;

	if (!npkd_cert_can_certify(c) && c->role != NPKD_ROLE_CSCA &&
	    c->role != NPKD_ROLE_LINK)
		return npkd_seterr(e, NPKD_E_VERIFY, "anchor %s is not a CA "
		    "certificate", c->subject);
	if (c->crit_unknown)
		return npkd_seterr(e, NPKD_E_VERIFY, "anchor %s has an unknown "
		    "critical extension (RFC 5280 4.2)", c->subject);
	if (npkd_cert_claims_self_signed(c) &&
	    (rc = npkd_cert_verify(c, c, NULL, &ve)) != NPKD_OK)
		return npkd_seterr(e, rc == NPKD_E_UNSUPPORTED ?
		    NPKD_E_UNSUPPORTED : NPKD_E_VERIFY, "anchor %s claims to be "
		    "self-signed: %s", c->subject, ve.msg);
	return NPKD_OK;
}

int
anchor_row(struct npkd_store *s, const uint8_t *sha, const char *note,
    time_t now, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	int		 r;

	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO anchors (sha256, "
	    "added, note) VALUES (?1, ?2, ?3)", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "anchors");
	sqlite3_bind_blob(q, 1, sha, 32, SQLITE_STATIC);
	sqlite3_bind_int64(q, 2, now);
	sqlite3_bind_text(q, 3, note ? note : "", -1, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	return r == SQLITE_DONE ? NPKD_OK : npkd_sqlerr(s, e, "anchors");
}

/* Make c an anchor (storing it if new); note says why, for the record. */
int
npkd_store_anchor_add(struct npkd_store *s, const struct npkd_cert *c,
    const char *note, time_t now, struct npkd_err *e)
{
	struct npkd_import_stats	st;
	struct npkd_import_opts		o;
	struct imp			im;
	sqlite3_stmt			*q = NULL;
	int				rc;

	if ((rc = npkd_anchor_check(c, e)) != NPKD_OK ||
	    (rc = npkd_store_integrity(s, e)) != NPKD_OK ||
	    (rc = prepare(s, e)) != NPKD_OK ||
	    (rc = npkd_store_exec(s, "BEGIN IMMEDIATE", e)) != NPKD_OK)
		return rc;
	memset(&im, 0, sizeof(im));
	memset(&o, 0, sizeof(o));
	memset(&st, 0, sizeof(st));
	im.s = s;
	im.o = &o;
	im.st = &st;
	im.now = now;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO runs (started, file, format) "
	    "VALUES (?1, 'npkd trust add', 'anchor')", -1, &q, NULL) !=
	    SQLITE_OK) {
		rc = npkd_sqlerr(s, e, "run");
		goto fail;
	}
	sqlite3_bind_int64(q, 1, now);
	if (sqlite3_step(q) != SQLITE_DONE) {
		rc = npkd_sqlerr(s, e, "run");
		goto fail;
	}
	im.run = sqlite3_last_insert_rowid(s->db);
	if ((rc = put_cert(&im, c, "trust anchor", NULL, 0, NULL, e)) !=
	    NPKD_OK || (rc = anchor_row(s, c->sha256, note, now, e)) !=
	    NPKD_OK)
		goto fail;
	sqlite3_finalize(q);
	return npkd_store_exec(s, "COMMIT", e);
 fail:
	sqlite3_finalize(q);
	npkd_store_exec(s, "ROLLBACK", NULL);
	return rc;
}

/* A hex prefix of a SHA-256 as a range of the binary key. */
static int
hex_range(const char *id, uint8_t lo[32], uint8_t hi[32], struct npkd_err *e)
{
	char		 a[65], b[65];
	size_t		 n = strlen(id), k;
	unsigned int	 x;

	if (n == 0 || n > 64 || strspn(id, "0123456789abcdefABCDEF") != n)
		return npkd_seterr(e, NPKD_E_USAGE, "%s: not a SHA-256 or a "
		    "prefix of one", id);
	snprintf(a, sizeof(a), "%s", id);
	snprintf(b, sizeof(b), "%s", id);
	for (k = n; k < 64; k++) {
		a[k] = '0';
		b[k] = 'f';
	}
	a[64] = b[64] = '\0';
	for (k = 0; k < 32; k++) {
		sscanf(a + 2 * k, "%2x", &x);
		lo[k] = (uint8_t)x;
		sscanf(b + 2 * k, "%2x", &x);
		hi[k] = (uint8_t)x;
	}
	return NPKD_OK;
}

/* Withdraw an anchor: check then recomputes all that depended on it. */
int
npkd_store_anchor_remove(struct npkd_store *s, const char *id,
    struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	uint8_t		 lo[32], hi[32];
	int		 rc, n = 0;

	if ((rc = hex_range(id, lo, hi, e)) != NPKD_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db, "SELECT count(*) FROM anchors WHERE "
	    "sha256 >= ?1 AND sha256 <= ?2", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "anchors");
	sqlite3_bind_blob(q, 1, lo, 32, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, hi, 32, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (n == 0)
		return npkd_seterr(e, NPKD_E_NOTFOUND, "%s: no such anchor", id);
	if (n > 1)
		return npkd_seterr(e, NPKD_E_USAGE, "%s: %d anchors have this "
		    "prefix", id, n);
	if (sqlite3_prepare_v2(s->db, "DELETE FROM anchors WHERE sha256 >= ?1 "
	    "AND sha256 <= ?2", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "anchors");
	sqlite3_bind_blob(q, 1, lo, 32, SQLITE_STATIC);
	sqlite3_bind_blob(q, 2, hi, 32, SQLITE_STATIC);
	rc = sqlite3_step(q) == SQLITE_DONE ? NPKD_OK :
	    npkd_sqlerr(s, e, "anchors");
	sqlite3_finalize(q);
	return rc;
}

static int
country_ok(const char *cc)
{
	return strlen(cc) >= 2 && strlen(cc) <= 3 &&
	    strspn(cc, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") ==
	    strlen(cc);
}

/* Country x's genuine lists vouch for the CSCAs of y ("*": all). */
int
npkd_store_authority_add(struct npkd_store *s, const char *x, const char *y,
    time_t now, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	char		 ux[4], uy[4];
	size_t		 i;
	int		 r;

	if (!country_ok(x) || (strcmp(y, "*") != 0 && !country_ok(y)))
		return npkd_seterr(e, NPKD_E_USAGE, "%s for %s: a list authority "
		    "is a country code, for a country code or *", x, y);
	for (i = 0; i <= strlen(x); i++)
		ux[i] = (char)toupper((unsigned char)x[i]);
	for (i = 0; i <= strlen(y); i++)
		uy[i] = (char)toupper((unsigned char)y[i]);
	if (sqlite3_prepare_v2(s->db, "INSERT OR IGNORE INTO authorities "
	    "(country, scope, added) VALUES (?1, ?2, ?3)", -1, &q, NULL) !=
	    SQLITE_OK)
		return npkd_sqlerr(s, e, "authorities");
	sqlite3_bind_text(q, 1, ux, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, uy, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 3, now);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	return r == SQLITE_DONE ? NPKD_OK : npkd_sqlerr(s, e, "authorities");
}

int
npkd_store_authority_remove(struct npkd_store *s, const char *x,
    const char *y, struct npkd_err *e)
{
	sqlite3_stmt	*q = NULL;
	int		 r;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM authorities WHERE country = "
	    "?1 COLLATE NOCASE AND (?2 IS NULL OR scope = ?2 COLLATE NOCASE)",
	    -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "authorities");
	sqlite3_bind_text(q, 1, x, -1, SQLITE_STATIC);
	if (y != NULL)
		sqlite3_bind_text(q, 2, y, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(q, 2);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return npkd_sqlerr(s, e, "authorities");
	return sqlite3_changes(s->db) > 0 ? NPKD_OK :
	    npkd_seterr(e, NPKD_E_NOTFOUND, "%s: no such list authority", x);
}

int
npkd_store_trust_list(struct npkd_store *s,
    int (*fn)(void *, const struct npkd_trust_item *), void *arg,
    struct npkd_err *e)
{
	struct npkd_trust_item	 it;
	sqlite3_stmt		*q = NULL;
	int			 r, rc = NPKD_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT a.sha256, a.added, a.note, "
	    "coalesce(o.country, ''), coalesce(o.subject, '(not in the "
	    "store)'), coalesce(o.status, 'unchecked') FROM anchors a LEFT "
	    "JOIN objects o ON o.sha256 = a.sha256 ORDER BY o.country, "
	    "o.subject", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "anchors");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&it, 0, sizeof(it));
		it.what = "anchor";
		it.sha256 = sqlite3_column_blob(q, 0);
		it.added = sqlite3_column_int64(q, 1);
		it.note = (const char *)sqlite3_column_text(q, 2);
		it.country = (const char *)sqlite3_column_text(q, 3);
		it.subject = (const char *)sqlite3_column_text(q, 4);
		it.status = (const char *)sqlite3_column_text(q, 5);
		if ((rc = fn(arg, &it)) != 0)
			break;
	}
	sqlite3_finalize(q);
	if (rc != NPKD_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db, "SELECT country, scope, added FROM "
	    "authorities ORDER BY country, scope", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "authorities");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&it, 0, sizeof(it));
		it.what = "authority";
		it.country = (const char *)sqlite3_column_text(q, 0);
		it.scope = (const char *)sqlite3_column_text(q, 1);
		it.added = sqlite3_column_int64(q, 2);
		if ((rc = fn(arg, &it)) != 0)
			break;
	}
	sqlite3_finalize(q);
	return rc;
}

int
npkd_store_names(struct npkd_store *s,
    int (*fn)(void *, const struct npkd_name_state *), void *arg,
    struct npkd_err *e)
{
	struct npkd_name_state	 ns;
	sqlite3_stmt		*q = NULL;
	int			 r, rc = NPKD_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT country, subject, state, crl, "
	    "this_update, next_update FROM names ORDER BY country, subject",
	    -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "names");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&ns, 0, sizeof(ns));
		ns.country = (const char *)sqlite3_column_text(q, 0);
		ns.subject = (const char *)sqlite3_column_text(q, 1);
		ns.state = (const char *)sqlite3_column_text(q, 2);
		ns.crl = sqlite3_column_bytes(q, 3) == 32 ?
		    sqlite3_column_blob(q, 3) : NULL;
		ns.this_update = sqlite3_column_int64(q, 4);
		ns.next_update = sqlite3_column_int64(q, 5);
		if ((rc = fn(arg, &ns)) != 0)
			break;
	}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "names");
	sqlite3_finalize(q);
	return rc;
}

/* The entries imports refused, oldest first. */
int
npkd_store_refusals(struct npkd_store *s,
    int (*fn)(void *, const struct npkd_refusal *), void *arg,
    struct npkd_err *e)
{
	struct npkd_refusal	 r;
	sqlite3_stmt		*q = NULL;
	int			 st, rc = NPKD_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT f.run, r.file, r.started, f.entry, "
	    "f.reason FROM refusals f JOIN runs r ON r.id = f.run ORDER BY "
	    "f.id", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "refusals");
	while ((st = sqlite3_step(q)) == SQLITE_ROW) {
		memset(&r, 0, sizeof(r));
		r.run = sqlite3_column_int64(q, 0);
		r.file = (const char *)sqlite3_column_text(q, 1);
		r.when = sqlite3_column_int64(q, 2);
		r.entry = (const char *)sqlite3_column_text(q, 3);
		r.reason = (const char *)sqlite3_column_text(q, 4);
		if ((rc = fn(arg, &r)) != 0)
			break;
	}
	if (rc == NPKD_OK && st != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "refusals");
	sqlite3_finalize(q);
	return rc;
}

/*
 * ---- issue 14: one DER object from memory (npkd pa --learn) ----
 *
 * Imported exactly as a file of one DER object would be: one run named
 * name, the object stored unchecked, its provenance recorded; trust is
 * computed by the next check, never by arriving.
 */
int
npkd_store_import_mem(struct npkd_store *s, const char *name,
    const uint8_t *der, size_t len, time_t now, struct npkd_import_stats *st,
    struct npkd_err *e)
{
	struct imp		 im;
	struct npkd_import_opts	 o;
	sqlite3_stmt		*q = NULL;
	int			 rc;

	memset(st, 0, sizeof(*st));
	st->format = "der";
	memset(&o, 0, sizeof(o));
	if ((rc = npkd_store_integrity(s, e)) != NPKD_OK ||
	    (rc = prepare(s, e)) != NPKD_OK ||
	    (rc = npkd_store_exec(s, "BEGIN IMMEDIATE", e)) != NPKD_OK)
		return rc;
	memset(&im, 0, sizeof(im));
	im.s = s;
	im.o = &o;
	im.st = st;
	im.file = name;
	im.now = now ? now : time(NULL);
	im.bytes = len;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO runs (started, file, "
	    "format) VALUES (?1, ?2, 'der')", -1, &q, NULL) != SQLITE_OK) {
		rc = npkd_sqlerr(s, e, "run");
		goto rollback;
	}
	sqlite3_bind_int64(q, 1, im.now);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	if (sqlite3_step(q) != SQLITE_DONE) {
		rc = npkd_sqlerr(s, e, "run");
		goto rollback;
	}
	im.run = sqlite3_last_insert_rowid(s->db);
	if ((rc = import_der(&im, der, len, NULL, 0, e)) != NPKD_OK ||
	    (rc = npkd_store_exec(s, "COMMIT", e)) != NPKD_OK)
		goto rollback;
	sqlite3_finalize(q);
	return NPKD_OK;
 rollback:
	sqlite3_finalize(q);
	npkd_store_exec(s, "ROLLBACK", NULL);
	st->added = st->again = 0;
	return rc;
}
