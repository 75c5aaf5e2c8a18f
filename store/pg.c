#include "store/pg.h"
#include "store/pg_int.h"
#include "core/util/clock.h"
#include "core/util/strbuf.h"
#include "core/util/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Each step brings the schema one version up; released steps are never
 * edited, a change is a new step (as in store/schema.c). */
static const char *const pg_migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE collections ("
	"  id bigserial PRIMARY KEY,"
	"  name text NOT NULL UNIQUE,"
	"  model text NOT NULL DEFAULT '',"
	"  dim integer NOT NULL DEFAULT 0,"
	"  chunks bigint NOT NULL DEFAULT 0,"     /* BM25's row count */
	"  tokens bigint NOT NULL DEFAULT 0,"     /* and their summed lengths */
	"  vectors bigint NOT NULL DEFAULT 0,"    /* rows of embeddings */
	"  hnsw_dim integer NOT NULL DEFAULT 0);" /* the HNSW index's dimension; 0: none */
	"CREATE TABLE documents ("
	"  id bigserial PRIMARY KEY,"
	"  collection_id bigint NOT NULL REFERENCES collections(id) ON DELETE CASCADE,"
	"  path text NOT NULL,"
	"  stamp text NOT NULL,"                  /* what publish compares */
	"  format text NOT NULL,"
	"  title text,"
	"  content_hash text NOT NULL,"
	"  bytes bigint NOT NULL,"
	"  mtime_ns bigint NOT NULL,"
	"  first_seen bigint NOT NULL,"
	"  last_changed bigint NOT NULL,"
	"  change_count bigint NOT NULL,"
	"  invalid_utf8 bigint NOT NULL,"
	"  embed_model text NOT NULL,"
	"  pipeline text NOT NULL,"
	"  status text NOT NULL,"
	"  status_reason text NOT NULL,"
	"  superseded_by text,"
	"  effective_date text,"
	"  reviewed_date text,"
	"  released_date text,"
	"  body text NOT NULL,"
	"  UNIQUE (collection_id, path));"
	"CREATE INDEX documents_by_status ON documents(collection_id, status);"
	"CREATE TABLE chunks ("
	"  id bigserial PRIMARY KEY,"
	"  document_id bigint NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  collection_id bigint NOT NULL,"
	"  ordinal integer NOT NULL,"
	"  byte_start bigint NOT NULL,"
	"  byte_end bigint NOT NULL,"
	"  line_start integer NOT NULL,"
	"  line_end integer NOT NULL,"
	"  page_start integer NOT NULL,"
	"  page_end integer NOT NULL,"
	"  heading_path text NOT NULL,"
	"  text text NOT NULL,"
	"  tokens integer NOT NULL,"
	"  text_terms integer NOT NULL,"
	"  heading_terms integer NOT NULL,"
	"  tsv tsvector NOT NULL);"
	"CREATE INDEX chunks_by_document ON chunks(document_id);"
	"CREATE INDEX chunks_by_collection ON chunks(collection_id);"
	"CREATE INDEX chunks_tsv ON chunks USING gin (tsv);"
	/* Vectors in a narrow table of their own: a row of 384 floats stays
	 * in its page (a chunk row with its text and tsvector would push it
	 * out to TOAST), so an exact scan reads pages, not TOAST lookups. */
	"CREATE TABLE embeddings ("
	"  chunk_id bigint PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,"
	"  collection_id bigint NOT NULL,"
	"  embedding vector NOT NULL);"
	"ALTER TABLE embeddings ALTER COLUMN embedding SET STORAGE PLAIN;"
	"CREATE INDEX embeddings_by_collection ON embeddings(collection_id);"
	/* How many chunks of a collection hold each lexeme: a query's terms
	 * are weighed by it before any is searched (SQLite's chunks_vocab). */
	"CREATE TABLE lexemes ("
	"  collection_id bigint NOT NULL,"
	"  lexeme text NOT NULL,"
	"  chunks bigint NOT NULL,"
	"  PRIMARY KEY (collection_id, lexeme));",
};

#define N_MIGRATIONS (sizeof pg_migrations / sizeof pg_migrations[0])

/* Every connection's settings. No JIT: a search's plan costs enough to
 * trigger it, and compiling took longer than the query it sped up. */
#define SESSION_SETTINGS "SET client_min_messages = warning; SET jit = off"

/* Reconnect backoff: 50 ms after the first failed reset, doubling to 5 s. */
#define RESET_FIRST_US 50000
#define RESET_MAX_US 5000000

/* "user@host:port/db" of conn. */
static void name_of(PGconn *conn, char *out, size_t n)
{
	const char *host = PQhost(conn);
	snprintf(out, n, "%s@%s:%s/%s", PQuser(conn), host && host[0] ? host : "localhost", PQport(conn),
	         PQdb(conn));
}

/* The first line of libpq's message for conn. */
static void conn_message(PGconn *conn, char *out, size_t n)
{
	const char *m = conn ? PQerrorMessage(conn) : "out of memory";
	size_t len = strcspn(m, "\n");
	snprintf(out, n, "%.*s", (int)len, m);
}

/* Whether conninfo holds a password (as a URL's user:password@ or a
 * password= key). */
static bool holds_password(const char *conninfo)
{
	char *why = NULL;
	PQconninfoOption *opts = PQconninfoParse(conninfo, &why);
	bool found = false;
	for (PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && o->val[0])
			found = true;
	PQconninfoFree(opts);
	PQfreemem(why);
	return found;
}

/* Connect with a 10 s connect timeout unless conninfo sets one. */
static PGconn *connect_to(const char *conninfo, char *err, size_t errlen)
{
	const char *keys[] = { "dbname", "connect_timeout", "application_name", NULL };
	const char *vals[] = { conninfo, "10", "ragdeck", NULL };
	if (conninfo[0] && holds_password(conninfo)) {
		snprintf(err, errlen, "store.url holds a password: put it in ~/.pgpass or PGPASSWORD instead");
		return NULL;
	}
	PGconn *conn = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(conn) != CONNECTION_OK) {
		char msg[512];
		conn_message(conn, msg, sizeof msg);
		snprintf(err, errlen, "cannot connect to the PostgreSQL store: %s", msg);
		PQfinish(conn);
		return NULL;
	}
	PQsetClientEncoding(conn, "UTF8");
	PQclear(PQexec(conn, SESSION_SETTINGS));
	return conn;
}

/* A lost connection reset, at most once per backoff step. */
static bool reset_connection(struct pg_store *p)
{
	int64_t now = (int64_t)clock_now_us();
	if (now < p->next_reset_us)
		return false;
	PQreset(p->conn);
	if (PQstatus(p->conn) == CONNECTION_OK) {
		p->resets = 0;
		p->next_reset_us = 0;
		PQsetClientEncoding(p->conn, "UTF8");
		PQclear(PQexec(p->conn, SESSION_SETTINGS));
		return true;
	}
	int64_t wait = RESET_FIRST_US;
	for (int i = 0; i < p->resets && wait < RESET_MAX_US; i++)
		wait *= 2;
	p->resets++;
	p->next_reset_us = now + (wait < RESET_MAX_US ? wait : RESET_MAX_US);
	return false;
}

/* A reset right away (no backoff): the server was there a moment ago. */
static bool reset_now(struct pg_store *p)
{
	p->next_reset_us = 0;
	return reset_connection(p);
}

PGresult *pg_run(struct pg_store *p, const char *sql, int n, const char *const *params, ExecStatusType want,
                 const char *what, char *err, size_t errlen)
{
	if (PQstatus(p->conn) != CONNECTION_OK && !reset_connection(p)) {
		snprintf(err, errlen, "%s: the PostgreSQL store %s cannot be reached (retrying)", what, p->name);
		return NULL;
	}
	/* Outside a transaction a statement can be sent again on a new
	 * connection: a server restarted, or this backend ended, between two
	 * questions costs nothing. Inside one, the transaction is gone. */
	bool idle = PQtransactionStatus(p->conn) == PQTRANS_IDLE;
	PGresult *res = PQexecParams(p->conn, sql, n, NULL, params, NULL, NULL, 0);
	if (idle && PQstatus(p->conn) != CONNECTION_OK && reset_now(p)) {
		PQclear(res);
		res = PQexecParams(p->conn, sql, n, NULL, params, NULL, NULL, 0);
	}
	if (res && PQresultStatus(res) == want)
		return res;
	char msg[512];
	if (PQstatus(p->conn) != CONNECTION_OK) {
		conn_message(p->conn, msg, sizeof msg);
		snprintf(err, errlen, "%s: lost the connection to the PostgreSQL store %s (%s)", what, p->name, msg);
	} else {
		const char *m = res ? PQresultErrorMessage(res) : PQerrorMessage(p->conn);
		snprintf(err, errlen, "%s: %.*s", what, (int)strcspn(m, "\n"), m);
	}
	PQclear(res);
	return NULL;
}

int pg_do(struct pg_store *p, const char *sql, int n, const char *const *params, const char *what, char *err,
          size_t errlen)
{
	PGresult *res = pg_run(p, sql, n, params, PGRES_COMMAND_OK, what, err, errlen);
	PQclear(res);
	return res ? 0 : -1;
}

int64_t pg_int(const PGresult *res, int r, int c)
{
	return PQgetisnull(res, r, c) ? 0 : strtoll(PQgetvalue(res, r, c), NULL, 10);
}

char *pg_vector_text(const float *v, int dim)
{
	struct strbuf sb = { 0 };
	sb_putc(&sb, '[');
	for (int i = 0; i < dim; i++)
		sb_printf(&sb, i ? ",%.9g" : "%.9g", (double)v[i]);
	sb_putc(&sb, ']');
	return sb_detach(&sb, NULL);
}

char *pg_ids_text(const int64_t *ids, size_t n)
{
	struct strbuf sb = { 0 };
	sb_putc(&sb, '{');
	for (size_t i = 0; i < n; i++)
		sb_printf(&sb, i ? ",%lld" : "%lld", (long long)ids[i]);
	sb_putc(&sb, '}');
	return sb_detach(&sb, NULL);
}

/* The schema's version: 0 before any. -1 on failure. */
static int schema_version(struct pg_store *p, char *err, size_t errlen)
{
	PGresult *res = pg_run(p, "SELECT to_regclass('ragdeck_schema') IS NOT NULL", 0, NULL, PGRES_TUPLES_OK,
	                       "cannot read the schema version", err, errlen);
	if (!res)
		return -1;
	bool exists = PQgetvalue(res, 0, 0)[0] == 't';
	PQclear(res);
	if (!exists)
		return 0;
	res = pg_run(p, "SELECT coalesce(max(version), 0) FROM ragdeck_schema", 0, NULL, PGRES_TUPLES_OK,
	             "cannot read the schema version", err, errlen);
	if (!res)
		return -1;
	int v = (int)pg_int(res, 0, 0);
	PQclear(res);
	return v;
}

/* Bring the schema up to PG_SCHEMA_VERSION in one transaction, under an
 * advisory lock so two clients starting at once do not both migrate. */
static enum rd_err migrate(struct pg_store *p, char *err, size_t errlen)
{
	if (pg_do(p, "BEGIN", 0, NULL, "cannot start the schema transaction", err, errlen) != 0)
		return RD_ERR_NETWORK;
	int v = 0;
	PGresult *res = pg_run(p, "SELECT pg_advisory_xact_lock(7261500)", 0, NULL, PGRES_TUPLES_OK,
	                       "cannot lock the schema", err, errlen);
	enum rd_err rc = res ? RD_OK : RD_ERR_IO;
	PQclear(res);
	if (rc == RD_OK && (v = schema_version(p, err, errlen)) < 0)
		rc = RD_ERR_IO;
	if (rc == RD_OK && v > PG_SCHEMA_VERSION) {
		snprintf(err, errlen, "the PostgreSQL store %s has schema %d, newer than this ragdeck's %d: upgrade ragdeck",
		         p->name, v, PG_SCHEMA_VERSION);
		rc = RD_ERR_VERSION;
	}
	if (rc == RD_OK && v < PG_SCHEMA_VERSION &&
	    pg_do(p, "CREATE EXTENSION IF NOT EXISTS vector", 0, NULL,
	          "the vector extension (pgvector) is missing and could not be created: a superuser must run "
	          "CREATE EXTENSION vector in this database", err, errlen) != 0)
		rc = RD_ERR_INVALID;
	if (rc == RD_OK && v == 0 &&
	    pg_do(p, "CREATE TABLE ragdeck_schema (version integer NOT NULL)", 0, NULL, "cannot create the schema",
	          err, errlen) != 0)
		rc = RD_ERR_IO;
	for (int i = v; rc == RD_OK && i < PG_SCHEMA_VERSION; i++) {
		char step[32];
		snprintf(step, sizeof step, "%d", i + 1);
		const char *params[] = { step };
		PGresult *res = PQexec(p->conn, pg_migrations[i]);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			const char *m = PQresultErrorMessage(res);
			snprintf(err, errlen, "cannot bring the PostgreSQL schema to version %d: %.*s", i + 1,
			         (int)strcspn(m, "\n"), m);
			rc = RD_ERR_IO;
		}
		PQclear(res);
		if (rc == RD_OK && pg_do(p, "INSERT INTO ragdeck_schema(version) VALUES ($1::integer)", 1, params,
		                         "cannot record the schema version", err, errlen) != 0)
			rc = RD_ERR_IO;
	}
	if (rc == RD_OK && pg_do(p, "COMMIT", 0, NULL, "cannot commit the schema", err, errlen) != 0)
		rc = RD_ERR_IO;
	if (rc != RD_OK)
		PQclear(PQexec(p->conn, "ROLLBACK"));
	return rc;
}

enum rd_err pg_open(const char *url, long hnsw_min_rows, struct pg_store **out, char *err, size_t errlen)
{
	*out = NULL;
	PGconn *conn = connect_to(url ? url : "", err, errlen);
	if (!conn)
		return RD_ERR_NETWORK;
	struct pg_store *p = xcalloc(1, sizeof *p);
	p->conn = conn;
	p->conninfo = xstrdup(url ? url : "");
	p->hnsw_min_rows = hnsw_min_rows;
	name_of(conn, p->name, sizeof p->name);
	/* The lock and the transaction only when the schema is behind. */
	int v = schema_version(p, err, errlen);
	enum rd_err rc = v < 0 ? RD_ERR_NETWORK : v == PG_SCHEMA_VERSION ? RD_OK : migrate(p, err, errlen);
	if (rc != RD_OK) {
		pg_close(&p);
		return rc;
	}
	*out = p;
	return RD_OK;
}

void pg_close(struct pg_store **pp)
{
	struct pg_store *p = *pp;
	if (!p)
		return;
	PQfinish(p->conn);
	free(p->conninfo);
	free(p);
	*pp = NULL;
}

const char *pg_name(const struct pg_store *p)
{
	return p->name;
}

/* One value of a one-row query on conn, or NULL (no row, NULL or failure). */
static char *scalar(PGconn *conn, const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	char *v = NULL;
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !PQgetisnull(res, 0, 0))
		v = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

int pg_check(const char *url, char *out, size_t outlen)
{
	char err[512];
	struct strbuf sb = { 0 };
	int rc = 0;
	PGconn *conn = connect_to(url ? url : "", err, sizeof err);
	if (!conn) {
		snprintf(out, outlen, "%s\n", err);
		return -1;
	}
	char name[256];
	name_of(conn, name, sizeof name);
	char *server = scalar(conn, "SHOW server_version");
	sb_printf(&sb, "server %s reachable (PostgreSQL %s)\n", name, server ? server : "?");
	char *ext = scalar(conn, "SELECT extversion FROM pg_extension WHERE extname = 'vector'");
	char *avail = ext ? NULL : scalar(conn, "SELECT default_version FROM pg_available_extensions WHERE name = 'vector'");
	if (ext)
		sb_printf(&sb, "extension vector %s installed\n", ext);
	else if (avail)
		sb_printf(&sb, "extension vector %s available, not yet created (the first ingest creates it, or a "
		               "superuser: CREATE EXTENSION vector)\n", avail);
	else {
		sb_puts(&sb, "extension vector (pgvector) is not installed on the server\n");
		rc = 1;
	}
	char *exists = scalar(conn, "SELECT to_regclass('ragdeck_schema') IS NOT NULL");
	char *version = exists && exists[0] == 't' ? scalar(conn, "SELECT max(version) FROM ragdeck_schema") : NULL;
	int v = version ? atoi(version) : 0;
	free(exists);
	if (v == PG_SCHEMA_VERSION)
		sb_printf(&sb, "schema %d current\n", v);
	else if (v > PG_SCHEMA_VERSION) {
		sb_printf(&sb, "schema %d is newer than this ragdeck's %d: upgrade ragdeck\n", v, PG_SCHEMA_VERSION);
		rc = 1;
	} else
		sb_printf(&sb, "schema %d, this ragdeck writes %d: the first ingest or search brings it up\n", v,
		          PG_SCHEMA_VERSION);
	snprintf(out, outlen, "%s", sb_str(&sb));
	free(server);
	free(ext);
	free(avail);
	free(version);
	free(sb.buf);
	PQfinish(conn);
	return rc;
}

enum rd_err pg_collection(struct pg_store *p, const char *name, int64_t *id, char *model, size_t model_len,
                          int *dim, char *err, size_t errlen)
{
	const char *params[] = { name };
	PGresult *res = pg_run(p, "SELECT id, model, dim FROM collections WHERE name = $1", 1, params,
	                       PGRES_TUPLES_OK, "cannot read the collection", err, errlen);
	if (!res)
		return RD_ERR_NETWORK;
	enum rd_err rc = RD_ERR_NOT_FOUND;
	if (PQntuples(res) == 1) {
		*id = pg_int(res, 0, 0);
		snprintf(model, model_len, "%s", PQgetvalue(res, 0, 1));
		*dim = (int)pg_int(res, 0, 2);
		rc = RD_OK;
	}
	PQclear(res);
	return rc;
}

enum rd_err pg_document_body(struct pg_store *p, int64_t doc_id, char **body, size_t *len, char *err,
                             size_t errlen)
{
	char id[24];
	snprintf(id, sizeof id, "%lld", (long long)doc_id);
	const char *params[] = { id };
	PGresult *res = pg_run(p, "SELECT body FROM documents WHERE id = $1", 1, params, PGRES_TUPLES_OK,
	                       "cannot read the document", err, errlen);
	*body = NULL;
	*len = 0;
	if (!res)
		return RD_ERR_NETWORK;
	enum rd_err rc = RD_ERR_NOT_FOUND;
	if (PQntuples(res) == 1) {
		*len = (size_t)PQgetlength(res, 0, 0);
		*body = xstrndup(PQgetvalue(res, 0, 0), *len);
		rc = RD_OK;
	}
	PQclear(res);
	return rc;
}

int64_t pg_vector_count(struct pg_store *p, int64_t coll, char *err, size_t errlen)
{
	char id[32];
	snprintf(id, sizeof id, "%lld", (long long)coll);
	const char *params[] = { id };
	PGresult *res = pg_run(p, "SELECT vectors FROM collections WHERE id = $1", 1, params, PGRES_TUPLES_OK,
	                       "cannot count the vectors", err, errlen);
	if (!res)
		return -1;
	int64_t n = PQntuples(res) ? pg_int(res, 0, 0) : 0;
	PQclear(res);
	return n;
}

int pg_vector_search(struct pg_store *p, int64_t coll, const float *q, int dim, size_t k, int ef, bool exact,
                     const int64_t *allowed, size_t n_allowed, struct vec_hit *out, size_t *n, char *err,
                     size_t errlen)
{
	*n = 0;
	if (k == 0)
		return 0;
	/* The collection and dimension are literals: the planner matches the
	 * query to the collection's partial HNSW index on the expression
	 * embedding::vector(dim) only then. An exact scan skips the cast. */
	char sql[512], setting[160], expr[48];
	if (exact)
		snprintf(expr, sizeof expr, "embedding");
	else
		snprintf(expr, sizeof expr, "embedding::vector(%d)", dim);
	snprintf(sql, sizeof sql,
	         "SELECT chunk_id, -(%s <#> $1::vector(%d)) FROM embeddings WHERE collection_id = %lld%s"
	         " ORDER BY %s <#> $1::vector(%d) LIMIT %zu",
	         expr, dim, (long long)coll, allowed ? " AND chunk_id = ANY($2::bigint[])" : "", expr, dim, k);
	if (ef < 1)
		ef = 1;
	if (ef > 1000)
		ef = 1000;
	if (exact)
		snprintf(setting, sizeof setting, "SET LOCAL enable_indexscan = off");
	else
		/* A collection given an index is searched through it: the planner
		 * would otherwise scan a small one (or read it by collection and
		 * sort), and which path answered would hang on its statistics.
		 * Without an index the penalties fall on every plan alike. */
		snprintf(setting, sizeof setting,
		         "SET LOCAL hnsw.ef_search = %d; SET LOCAL hnsw.iterative_scan = strict_order;"
		         " SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off",
		         ef);
	char *vec = pg_vector_text(q, dim);
	char *ids = allowed ? pg_ids_text(allowed, n_allowed) : NULL;
	const char *params[] = { vec, ids };
	int rc = -1;
	if (pg_do(p, "BEGIN", 0, NULL, "vector search failed", err, errlen) == 0) {
		PGresult *set = PQexec(p->conn, setting);
		PQclear(set);
		PGresult *res = pg_run(p, sql, allowed ? 2 : 1, params, PGRES_TUPLES_OK, "vector search failed", err,
		                       errlen);
		if (res) {
			for (int i = 0; i < PQntuples(res) && (size_t)i < k; i++)
				out[(*n)++] = (struct vec_hit){ pg_int(res, i, 0), strtof(PQgetvalue(res, i, 1), NULL) };
			rc = 0;
		}
		PQclear(res);
		PQclear(PQexec(p->conn, rc == 0 ? "COMMIT" : "ROLLBACK"));
	}
	free(vec);
	free(ids);
	return rc;
}
