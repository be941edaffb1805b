/*
 * spocstore.c - SPOC state in the store: settings, the registered foreign
 * SPOCs, every message in and out keyed by (direction, peer, operation,
 * messageID) with its state, and the audit log.  Each call is one SQL
 * statement; callers group them with npkd_store_txn().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "npkd_int.h"
#include "store_int.h"

int
npkd_store_txn(struct npkd_store *s, int what, struct npkd_err *e)
{
	switch (what) {
	case NPKD_TXN_BEGIN:
		return npkd_store_exec(s, "BEGIN IMMEDIATE", e);
	case NPKD_TXN_COMMIT:
		return npkd_store_exec(s, "COMMIT", e);
	case NPKD_TXN_ROLLBACK:
		return npkd_store_exec(s, "ROLLBACK", NULL);
	}
	return npkd_seterr(e, NPKD_E_USAGE, "transaction");
}

static int
step_done(struct npkd_store *s, sqlite3_stmt *q, const char *ctx,
    struct npkd_err *e)
{
	int r = sqlite3_step(q);

	sqlite3_finalize(q);
	if (r != SQLITE_DONE)
		return npkd_sqlerr(s, e, ctx);
	return NPKD_OK;
}

static char *
col_dup(sqlite3_stmt *q, int i)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	return t == NULL ? NULL : strdup((const char *)t);
}

static void
col_copy(sqlite3_stmt *q, int i, char *dst, size_t n)
{
	const unsigned char *t = sqlite3_column_text(q, i);

	snprintf(dst, n, "%s", t != NULL ? (const char *)t : "");
}

int
npkd_spoc_new_msgid(const char *cc, time_t now, char *out, struct npkd_err *e)
{
	uint8_t		rnd[8];
	char		hex[17];
	struct tm	tm;

	if (strlen(cc) != 2)
		return npkd_seterr(e, NPKD_E_USAGE, "messageID: country \"%s\"",
		    cc);
	if (gnutls_rnd(GNUTLS_RND_NONCE, rnd, sizeof(rnd)) < 0)
		return npkd_seterr(e, NPKD_E_CRYPTO, "messageID: no random "
		    "bytes");
	npkd_hex(rnd, sizeof(rnd), hex);
	gmtime_r(&now, &tm);
	snprintf(out, NPKD_SPOC_MSGID, "%s-%04d%02d%02dT%02d%02d%02dZ-%s", cc,
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, hex);
	return NPKD_OK;
}

/* --- settings ------------------------------------------------------- */

int
npkd_spoc_setting_set(struct npkd_store *s, const char *name,
    const char *value, struct npkd_err *e)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO spoc_settings "
	    "(name, value) VALUES (?1, ?2)", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "settings");
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, value, -1, SQLITE_STATIC);
	return step_done(s, q, "settings", e);
}

int
npkd_spoc_setting_get(struct npkd_store *s, const char *name, char **value,
    struct npkd_err *e)
{
	sqlite3_stmt	*q;
	int		 r, rc = NPKD_OK;

	*value = NULL;
	if (sqlite3_prepare_v2(s->db, "SELECT value FROM spoc_settings WHERE "
	    "name = ?1", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "settings");
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if ((*value = col_dup(q, 0)) == NULL)
			rc = npkd_seterr(e, NPKD_E_NOMEM, "settings");
	} else if (r == SQLITE_DONE)
		rc = npkd_seterr(e, NPKD_E_NOTFOUND, "%s: SPOC setting %s is not "
		    "set (spoc setup)", s->path, name);
	else
		rc = npkd_sqlerr(s, e, "settings");
	sqlite3_finalize(q);
	return rc;
}

/* --- peers ---------------------------------------------------------- */

void
npkd_spoc_peer_clear(struct npkd_spoc_peer *p)
{
	if (p == NULL)
		return;
	free(p->ca);
	free(p->cert);
	free(p->crl);
	memset(p, 0, sizeof(*p));
}

int
npkd_spoc_peer_put(struct npkd_store *s, const struct npkd_spoc_peer *p,
    struct npkd_err *e)
{
	sqlite3_stmt *q;

	if (sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO spoc_peers "
	    "(country, url, dialect, ca, cert, crl, added) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7)", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "peers");
	sqlite3_bind_text(q, 1, p->country, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, p->url, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, npkd_spoc_dialect_name(p->dialect), -1,
	    SQLITE_STATIC);
	sqlite3_bind_text(q, 4, p->ca, -1, SQLITE_STATIC);
	if (p->cert != NULL)
		sqlite3_bind_text(q, 5, p->cert, -1, SQLITE_STATIC);
	if (p->crl != NULL)
		sqlite3_bind_text(q, 6, p->crl, -1, SQLITE_STATIC);
	sqlite3_bind_int64(q, 7, p->added);
	return step_done(s, q, "peers", e);
}

static int
peer_row(sqlite3_stmt *q, struct npkd_spoc_peer *p)
{
	memset(p, 0, sizeof(*p));
	col_copy(q, 0, p->country, sizeof(p->country));
	col_copy(q, 1, p->url, sizeof(p->url));
	p->dialect = npkd_spoc_dialect_parse((const char *)
	    sqlite3_column_text(q, 2));
	p->added = sqlite3_column_int64(q, 6);
	if ((p->ca = col_dup(q, 3)) == NULL)
		return -1;
	if (sqlite3_column_type(q, 4) != SQLITE_NULL &&
	    (p->cert = col_dup(q, 4)) == NULL)
		return -1;
	if (sqlite3_column_type(q, 5) != SQLITE_NULL &&
	    (p->crl = col_dup(q, 5)) == NULL)
		return -1;
	return 0;
}

#define PEER_COLS "country, url, dialect, ca, cert, crl, added"

int
npkd_spoc_peer_get(struct npkd_store *s, const char *cc,
    struct npkd_spoc_peer *p, struct npkd_err *e)
{
	sqlite3_stmt	*q;
	int		 r, rc = NPKD_OK;

	memset(p, 0, sizeof(*p));
	if (sqlite3_prepare_v2(s->db, "SELECT " PEER_COLS " FROM spoc_peers "
	    "WHERE country = ?1", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "peers");
	sqlite3_bind_text(q, 1, cc, -1, SQLITE_STATIC);
	if ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if (peer_row(q, p) == -1) {
			npkd_spoc_peer_clear(p);
			rc = npkd_seterr(e, NPKD_E_NOMEM, "peers");
		}
	} else if (r == SQLITE_DONE)
		rc = npkd_seterr(e, NPKD_E_NOTFOUND, "%s: no SPOC registered",
		    cc);
	else
		rc = npkd_sqlerr(s, e, "peers");
	sqlite3_finalize(q);
	return rc;
}

int
npkd_spoc_peer_remove(struct npkd_store *s, const char *cc,
    struct npkd_err *e)
{
	sqlite3_stmt	*q;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, "DELETE FROM spoc_peers WHERE country = "
	    "?1", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "peers");
	sqlite3_bind_text(q, 1, cc, -1, SQLITE_STATIC);
	if ((rc = step_done(s, q, "peers", e)) != NPKD_OK)
		return rc;
	if (sqlite3_changes(s->db) == 0)
		return npkd_seterr(e, NPKD_E_NOTFOUND, "%s: no SPOC registered",
		    cc);
	return NPKD_OK;
}

int
npkd_spoc_peer_list(struct npkd_store *s,
    int (*fn)(void *, const struct npkd_spoc_peer *), void *arg,
    struct npkd_err *e)
{
	sqlite3_stmt		*q;
	struct npkd_spoc_peer	 p;
	int			 r, rc = NPKD_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT " PEER_COLS " FROM spoc_peers "
	    "ORDER BY country", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "peers");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		if (peer_row(q, &p) == -1) {
			npkd_spoc_peer_clear(&p);
			rc = npkd_seterr(e, NPKD_E_NOMEM, "peers");
			break;
		}
		rc = fn(arg, &p);
		npkd_spoc_peer_clear(&p);
		if (rc != 0)
			break;
	}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "peers");
	sqlite3_finalize(q);
	return rc;
}

/* --- messages ------------------------------------------------------- */

#define MSG_COLS "id, dir, peer, op, response, msgid, state, result, dv, " \
	"answers, attempts, created, updated, sha256, xml, content"

static void
msg_row(sqlite3_stmt *q, struct npkd_spoc_rec *m)
{
	const void *sha;

	memset(m, 0, sizeof(*m));
	m->id = (long)sqlite3_column_int64(q, 0);
	col_copy(q, 1, m->dir, sizeof(m->dir));
	col_copy(q, 2, m->peer, sizeof(m->peer));
	m->op = sqlite3_column_int(q, 3);
	m->response = sqlite3_column_int(q, 4);
	col_copy(q, 5, m->msgid, sizeof(m->msgid));
	col_copy(q, 6, m->state, sizeof(m->state));
	col_copy(q, 7, m->result, sizeof(m->result));
	col_copy(q, 8, m->dv, sizeof(m->dv));
	m->answers = (long)sqlite3_column_int64(q, 9);
	m->attempts = sqlite3_column_int(q, 10);
	m->created = sqlite3_column_int64(q, 11);
	m->updated = sqlite3_column_int64(q, 12);
	if ((sha = sqlite3_column_blob(q, 13)) != NULL &&
	    sqlite3_column_bytes(q, 13) == 32)
		memcpy(m->sha256, sha, 32);
	m->xml = sqlite3_column_blob(q, 14);
	m->xml_len = (size_t)sqlite3_column_bytes(q, 14);
	if ((sha = sqlite3_column_blob(q, 15)) != NULL &&
	    sqlite3_column_bytes(q, 15) == 32) {
		memcpy(m->content, sha, 32);
		m->has_content = 1;
	}
}

int
npkd_spoc_msg_add(struct npkd_store *s, struct npkd_spoc_rec *m,
    const uint8_t *xml, size_t len, time_t now, struct npkd_err *e)
{
	sqlite3_stmt	*q;
	int		 r, rc;

	if ((rc = npkd_hash(NPKD_HASH_SHA256, xml, len, m->sha256, e)) !=
	    NPKD_OK)
		return rc;
	if (sqlite3_prepare_v2(s->db, "INSERT INTO spoc_msgs (dir, peer, op, "
	    "response, msgid, state, result, dv, answers, attempts, created, "
	    "updated, sha256, xml, content) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
	    "?8, ?9, ?10, ?11, ?11, ?12, ?13, ?14)", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "messages");
	sqlite3_bind_text(q, 1, m->dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, m->peer, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, m->op);
	sqlite3_bind_int(q, 4, m->response);
	sqlite3_bind_text(q, 5, m->msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, m->state, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, m->result, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 8, m->dv, -1, SQLITE_STATIC);
	if (m->answers > 0)
		sqlite3_bind_int64(q, 9, m->answers);
	sqlite3_bind_int(q, 10, m->attempts);
	sqlite3_bind_int64(q, 11, now);
	sqlite3_bind_blob(q, 12, m->sha256, 32, SQLITE_STATIC);
	sqlite3_bind_blob(q, 13, xml, (int)len, SQLITE_STATIC);
	if (m->has_content)
		sqlite3_bind_blob(q, 14, m->content, 32, SQLITE_STATIC);
	r = sqlite3_step(q);
	sqlite3_finalize(q);
	if (r == SQLITE_CONSTRAINT)
		return npkd_seterr(e, NPKD_E_VERIFY, "%s %s %s of %s: filed "
		    "already (the same messageID or content)",
		    npkd_spoc_op_name(m->op), m->response ? "response" :
		    "request", m->msgid[0] ? "with that messageID" : "push",
		    m->peer);
	if (r != SQLITE_DONE)
		return npkd_sqlerr(s, e, "messages");
	m->id = (long)sqlite3_last_insert_rowid(s->db);
	m->created = m->updated = now;
	return NPKD_OK;
}

static int
msg_one(struct npkd_store *s, sqlite3_stmt *q, struct npkd_spoc_rec *m,
    struct npkd_buf *xml, struct npkd_err *e)
{
	int r, rc = NPKD_OK;

	if ((r = sqlite3_step(q)) == SQLITE_ROW) {
		msg_row(q, m);
		if (xml != NULL) {
			if ((xml->data = malloc(m->xml_len + 1)) == NULL)
				rc = npkd_seterr(e, NPKD_E_NOMEM, "messages");
			else {
				memcpy(xml->data, m->xml, m->xml_len);
				xml->len = m->xml_len;
			}
		}
		m->xml = NULL;
	} else if (r == SQLITE_DONE)
		rc = npkd_seterr(e, NPKD_E_NOTFOUND, "no such message");
	else
		rc = npkd_sqlerr(s, e, "messages");
	sqlite3_finalize(q);
	return rc;
}

int
npkd_spoc_msg_find(struct npkd_store *s, const char *dir, const char *peer,
    int op, int response, const char *msgid, struct npkd_spoc_rec *m,
    struct npkd_buf *xml, struct npkd_err *e)
{
	sqlite3_stmt *q;

	memset(m, 0, sizeof(*m));
	if (xml != NULL)
		memset(xml, 0, sizeof(*xml));
	if (msgid[0] == '\0')
		return npkd_seterr(e, NPKD_E_NOTFOUND, "no messageID");
	if (sqlite3_prepare_v2(s->db, "SELECT " MSG_COLS " FROM spoc_msgs "
	    "WHERE dir = ?1 AND peer = ?2 AND op = ?3 AND response = ?4 AND "
	    "msgid = ?5", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "messages");
	sqlite3_bind_text(q, 1, dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, op);
	sqlite3_bind_int(q, 4, response);
	sqlite3_bind_text(q, 5, msgid, -1, SQLITE_STATIC);
	return msg_one(s, q, m, xml, e);
}

int
npkd_spoc_msg_find_content(struct npkd_store *s, const char *dir,
    const char *peer, int op, int response, const uint8_t content[32],
    struct npkd_spoc_rec *m, struct npkd_err *e)
{
	sqlite3_stmt *q;

	memset(m, 0, sizeof(*m));
	if (sqlite3_prepare_v2(s->db, "SELECT " MSG_COLS " FROM spoc_msgs "
	    "WHERE dir = ?1 AND peer = ?2 AND op = ?3 AND response = ?4 AND "
	    "content = ?5", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "messages");
	sqlite3_bind_text(q, 1, dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 3, op);
	sqlite3_bind_int(q, 4, response);
	sqlite3_bind_blob(q, 5, content, 32, SQLITE_STATIC);
	return msg_one(s, q, m, NULL, e);
}

int
npkd_spoc_msg_get(struct npkd_store *s, long id, struct npkd_spoc_rec *m,
    struct npkd_buf *xml, struct npkd_err *e)
{
	sqlite3_stmt *q;

	memset(m, 0, sizeof(*m));
	if (xml != NULL)
		memset(xml, 0, sizeof(*xml));
	if (sqlite3_prepare_v2(s->db, "SELECT " MSG_COLS " FROM spoc_msgs "
	    "WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "messages");
	sqlite3_bind_int64(q, 1, id);
	return msg_one(s, q, m, xml, e);
}

int
npkd_spoc_msg_update(struct npkd_store *s, long id, const char *state,
    const char *result, int inc, time_t now, struct npkd_err *e)
{
	sqlite3_stmt	*q;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, "UPDATE spoc_msgs SET state = ?2, "
	    "result = coalesce(?3, result), attempts = attempts + ?4, "
	    "updated = ?5 WHERE id = ?1", -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "messages");
	sqlite3_bind_int64(q, 1, id);
	sqlite3_bind_text(q, 2, state, -1, SQLITE_STATIC);
	if (result != NULL)
		sqlite3_bind_text(q, 3, result, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, inc);
	sqlite3_bind_int64(q, 5, now);
	if ((rc = step_done(s, q, "messages", e)) != NPKD_OK)
		return rc;
	if (sqlite3_changes(s->db) == 0)
		return npkd_seterr(e, NPKD_E_NOTFOUND, "message %ld: no such "
		    "message", id);
	return NPKD_OK;
}

int
npkd_spoc_msg_list(struct npkd_store *s, const struct npkd_spoc_filter *f,
    int (*fn)(void *, const struct npkd_spoc_rec *), void *arg,
    struct npkd_err *e)
{
	sqlite3_stmt		*q;
	struct npkd_spoc_rec	 m;
	int			 r, rc = NPKD_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT " MSG_COLS " FROM spoc_msgs "
	    "WHERE (?1 IS NULL OR dir = ?1) AND (?2 IS NULL OR state = ?2) AND "
	    "(?3 IS NULL OR peer = ?3) AND (?4 = 0 OR op = ?4) AND "
	    "(?5 < 0 OR response = ?5) ORDER BY peer, dv, id", -1, &q, NULL) !=
	    SQLITE_OK)
		return npkd_sqlerr(s, e, "messages");
	if (f->dir != NULL)
		sqlite3_bind_text(q, 1, f->dir, -1, SQLITE_STATIC);
	if (f->state != NULL)
		sqlite3_bind_text(q, 2, f->state, -1, SQLITE_STATIC);
	if (f->peer != NULL)
		sqlite3_bind_text(q, 3, f->peer, -1, SQLITE_STATIC);
	sqlite3_bind_int(q, 4, f->op);
	sqlite3_bind_int(q, 5, f->response);
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		msg_row(q, &m);
		if ((rc = fn(arg, &m)) != 0)
			break;
	}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "messages");
	sqlite3_finalize(q);
	return rc;
}

/* --- audit log ------------------------------------------------------ */

int
npkd_spoc_log_add(struct npkd_store *s, time_t now, const char *dir,
    const char *peer, const char *op, const char *msgid, const uint8_t *sha,
    const char *outcome, struct npkd_err *e)
{
	sqlite3_stmt	*q;
	char		 hex[65] = "";

	if (sha != NULL)
		npkd_hex(sha, 32, hex);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO spoc_log (time, dir, peer, "
	    "op, msgid, sha256, outcome) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	    -1, &q, NULL) != SQLITE_OK)
		return npkd_sqlerr(s, e, "audit log");
	sqlite3_bind_int64(q, 1, now);
	sqlite3_bind_text(q, 2, dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, op, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, msgid, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, outcome, -1, SQLITE_STATIC);
	return step_done(s, q, "audit log", e);
}

int
npkd_spoc_log_list(struct npkd_store *s,
    int (*fn)(void *, const struct npkd_spoc_log *), void *arg,
    struct npkd_err *e)
{
	sqlite3_stmt		*q;
	struct npkd_spoc_log	 l;
	int			 r, rc = NPKD_OK;

	if (sqlite3_prepare_v2(s->db, "SELECT time, dir, peer, op, msgid, "
	    "sha256, outcome FROM spoc_log ORDER BY id", -1, &q, NULL) !=
	    SQLITE_OK)
		return npkd_sqlerr(s, e, "audit log");
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		l.time = sqlite3_column_int64(q, 0);
		l.dir = (const char *)sqlite3_column_text(q, 1);
		l.peer = (const char *)sqlite3_column_text(q, 2);
		l.op = (const char *)sqlite3_column_text(q, 3);
		l.msgid = (const char *)sqlite3_column_text(q, 4);
		l.sha256 = (const char *)sqlite3_column_text(q, 5);
		l.outcome = (const char *)sqlite3_column_text(q, 6);
		if ((rc = fn(arg, &l)) != 0)
			break;
	}
	if (rc == NPKD_OK && r != SQLITE_DONE)
		rc = npkd_sqlerr(s, e, "audit log");
	sqlite3_finalize(q);
	return rc;
}
