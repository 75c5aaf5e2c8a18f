#include "store/schema.h"
#include "store/fts.h"
#include "store/store_int.h"

#include <stdio.h>

/* Step N takes the database from user_version N to N + 1. Steps are never
 * edited once released; a change is a new step. */
static const char *const migrations[] = {
	/* 0 -> 1: knowledge store */
	"CREATE TABLE collections ("
	"  id INTEGER PRIMARY KEY,"
	"  name TEXT NOT NULL UNIQUE,"
	"  created_at INTEGER NOT NULL);"
	"CREATE TABLE documents ("
	"  id INTEGER PRIMARY KEY,"
	"  collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,"
	"  path TEXT NOT NULL,"
	"  format TEXT NOT NULL,"
	"  title TEXT,"
	"  content_hash TEXT NOT NULL,"
	"  bytes INTEGER NOT NULL,"
	"  mtime_ns INTEGER NOT NULL,"
	"  first_seen INTEGER NOT NULL,"
	"  last_changed INTEGER NOT NULL,"
	"  change_count INTEGER NOT NULL DEFAULT 0,"
	"  invalid_utf8 INTEGER NOT NULL DEFAULT 0,"
	"  embed_model TEXT NOT NULL,"
	"  body TEXT NOT NULL,"
	"  UNIQUE (collection_id, path));"
	"CREATE TABLE chunks ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,"
	"  ordinal INTEGER NOT NULL,"
	"  byte_start INTEGER NOT NULL,"
	"  byte_end INTEGER NOT NULL,"
	"  line_start INTEGER NOT NULL,"
	"  line_end INTEGER NOT NULL,"
	"  heading_path TEXT NOT NULL,"
	"  tokens INTEGER NOT NULL,"
	"  text TEXT NOT NULL,"
	"  UNIQUE (document_id, ordinal));"
	/* Rows enter chunks_fts from store.c, not from an INSERT trigger: a
	 * trigger makes every chunk insert a statement transaction, and FTS5
	 * flushes its pending index to a new segment at every savepoint. */
	"CREATE VIRTUAL TABLE chunks_fts USING fts5("
	"  text, heading_path, content='chunks', content_rowid='id',"
	"  tokenize='unicode61 remove_diacritics 2');"
	/* Headings count half as much as body text in BM25; set as the
	 * table's rank so "ORDER BY rank" takes FTS5's fast path. */
	"INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('rank', 'bm25(1.0, 0.5)');"
	/* Larger leaf pages and less eager merging: fewer, bigger writes
	 * while ingesting (measured: FTS work per MB down by a fifth). */
	"INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('pgsz', 4000);"
	"INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('automerge', 8);"
	/* Document frequency per term, to leave near-universal terms out of
	 * a query (they cost the most to score and change the ranking least). */
	"CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row');"
	"CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN"
	"  INSERT INTO chunks_fts(chunks_fts, rowid, text, heading_path)"
	"  VALUES ('delete', old.id, old.text, old.heading_path);"
	"  INSERT INTO chunk_tombstones(chunk_id) VALUES (old.id);"
	"END;"
	"CREATE TABLE embeddings ("
	"  chunk_id INTEGER PRIMARY KEY REFERENCES chunks(id) ON DELETE CASCADE,"
	"  model TEXT NOT NULL,"
	"  dim INTEGER NOT NULL,"
	"  vector BLOB NOT NULL);"
	/* Deleted chunk ids in deletion order: readers of the vector arena
	 * catch up on removals without reloading everything. */
	"CREATE TABLE chunk_tombstones ("
	"  seq INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  chunk_id INTEGER NOT NULL);"
	"CREATE INDEX chunks_by_document ON chunks(document_id);",

	/* 1 -> 2: turns, chat sessions, reviewer marks */
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY,"
	"  title TEXT NOT NULL DEFAULT '',"
	"  created_at INTEGER NOT NULL,"
	"  updated_at INTEGER NOT NULL);"
	/* One row per turn. spans, decision and retrieval are JSON documents
	 * (see docs/architecture.md): their shape grows without migrations. */
	"CREATE TABLE queries ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,"
	"  created_at INTEGER NOT NULL,"
	"  created_ms INTEGER NOT NULL,"
	"  question TEXT NOT NULL,"
	"  answer TEXT NOT NULL,"
	"  path TEXT NOT NULL,"
	"  model TEXT NOT NULL,"
	"  provider TEXT NOT NULL,"
	"  outcome TEXT NOT NULL,"
	"  error TEXT NOT NULL DEFAULT '',"
	"  tokens_in INTEGER NOT NULL DEFAULT 0,"
	"  tokens_out INTEGER NOT NULL DEFAULT 0,"
	"  tokens_estimated INTEGER NOT NULL DEFAULT 0,"
	"  context_tokens INTEGER NOT NULL DEFAULT 0,"
	"  question_tokens INTEGER NOT NULL DEFAULT 0,"
	"  prompt_tokens INTEGER NOT NULL DEFAULT 0,"
	"  cost_usd REAL NOT NULL DEFAULT 0,"
	"  total_us INTEGER NOT NULL DEFAULT 0,"
	"  ttft_us INTEGER NOT NULL DEFAULT 0,"
	"  grounding REAL,"
	"  spans TEXT NOT NULL DEFAULT '{}',"
	"  decision TEXT NOT NULL DEFAULT '{}',"
	"  retrieval TEXT NOT NULL DEFAULT '{}');"
	"CREATE INDEX queries_by_time ON queries(created_ms);"
	"CREATE TABLE messages ("
	"  id INTEGER PRIMARY KEY,"
	"  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),"
	"  content TEXT NOT NULL,"
	"  query_id INTEGER REFERENCES queries(id) ON DELETE SET NULL,"
	"  approved INTEGER NOT NULL DEFAULT 0,"
	"  created_at INTEGER NOT NULL);"
	"CREATE INDEX messages_by_session ON messages(session_id, id);"
	"CREATE TABLE feedback ("
	"  id INTEGER PRIMARY KEY,"
	"  query_id INTEGER REFERENCES queries(id) ON DELETE CASCADE,"
	"  chunk_id INTEGER NOT NULL,"
	"  document_path TEXT NOT NULL,"
	"  line_start INTEGER NOT NULL,"
	"  line_end INTEGER NOT NULL,"
	"  question TEXT NOT NULL,"
	"  relevant INTEGER NOT NULL CHECK (relevant IN (0, 1)),"
	"  created_at INTEGER NOT NULL,"
	"  UNIQUE (query_id, chunk_id));",

	/* 2 -> 3: evaluation runs and their per-item results */
	"CREATE TABLE eval_runs ("
	"  id INTEGER PRIMARY KEY,"
	"  started_at INTEGER NOT NULL,"
	"  golden_path TEXT NOT NULL,"
	"  golden_hash TEXT NOT NULL,"
	"  config TEXT NOT NULL,"
	"  model TEXT NOT NULL,"
	"  params TEXT NOT NULL DEFAULT '{}',"
	"  summary TEXT NOT NULL DEFAULT '{}');"
	"CREATE INDEX eval_runs_by_golden ON eval_runs(golden_path, id);"
	"CREATE TABLE eval_results ("
	"  run_id INTEGER NOT NULL REFERENCES eval_runs(id) ON DELETE CASCADE,"
	"  item_id TEXT NOT NULL,"
	"  category TEXT NOT NULL,"
	"  metrics TEXT NOT NULL DEFAULT '{}',"
	"  answer TEXT NOT NULL,"
	"  passed INTEGER NOT NULL CHECK (passed IN (0, 1)),"
	"  PRIMARY KEY (run_id, item_id));",

	/* 3 -> 4: what ingest read about each document besides its text. The
	 * pipeline stamp names the chunking and embedding input that made the
	 * chunks, so a changed pipeline redoes unchanged files. */
	"ALTER TABLE documents ADD COLUMN pipeline TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE documents ADD COLUMN status TEXT NOT NULL DEFAULT 'current';"
	"ALTER TABLE documents ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';"
	"ALTER TABLE documents ADD COLUMN superseded_by TEXT;"
	"ALTER TABLE documents ADD COLUMN effective_date TEXT;"
	"ALTER TABLE documents ADD COLUMN reviewed_date TEXT;"
	"ALTER TABLE documents ADD COLUMN released_date TEXT;",

	/* 4 -> 5: the full-text index stems words (Porter), so "refunds" finds
	 * "refund"; rebuilt from the chunks, with its vocabulary and trigger. */
	"DROP TABLE chunks_vocab;"
	"DROP TRIGGER chunks_ad;"
	"DROP TABLE chunks_fts;"
	"CREATE VIRTUAL TABLE chunks_fts USING fts5("
	"  text, heading_path, content='chunks', content_rowid='id',"
	"  tokenize='" FTS_TOKENIZER "');"
	/* Queries rank with ragdeck_rank (store/fts.h); plain bm25 stays the
	 * default for tools that do not register it. */
	"INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('rank', 'bm25(1.0, 1.0)');"
	"INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('pgsz', 4000);"
	"INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('automerge', 8);"
	"INSERT INTO chunks_fts(chunks_fts) VALUES ('rebuild');"
	"CREATE VIRTUAL TABLE chunks_vocab USING fts5vocab(chunks_fts, 'row');"
	"CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN"
	"  INSERT INTO chunks_fts(chunks_fts, rowid, text, heading_path)"
	"  VALUES ('delete', old.id, old.text, old.heading_path);"
	"  INSERT INTO chunk_tombstones(chunk_id) VALUES (old.id);"
	"END;",

	/* 5 -> 6: one embedding model per collection, recorded (the model most
	 * of its vectors have), and a re-embedding in progress beside it; a
	 * chunk may hold a vector per model while one is. */
	"ALTER TABLE collections ADD COLUMN embed_model TEXT;"
	"ALTER TABLE collections ADD COLUMN embed_dim INTEGER;"
	"ALTER TABLE collections ADD COLUMN reembed_model TEXT;"
	"ALTER TABLE collections ADD COLUMN reembed_dim INTEGER;"
	"CREATE TABLE embeddings_v6 ("
	"  chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,"
	"  model TEXT NOT NULL,"
	"  dim INTEGER NOT NULL,"
	"  vector BLOB NOT NULL,"
	"  PRIMARY KEY (chunk_id, model));"
	"INSERT INTO embeddings_v6 SELECT chunk_id, model, dim, vector FROM embeddings;"
	"DROP TABLE embeddings;"
	"ALTER TABLE embeddings_v6 RENAME TO embeddings;"
	"UPDATE collections SET (embed_model, embed_dim) = ("
	"  SELECT e.model, e.dim FROM embeddings e JOIN chunks c ON c.id = e.chunk_id"
	"  JOIN documents d ON d.id = c.document_id WHERE d.collection_id = collections.id"
	"  GROUP BY e.model, e.dim ORDER BY count(*) DESC LIMIT 1);",

	/* 6 -> 7: an answer asked again stays in its session, marked replaced
	 * by the newer answer that follows it. */
	"ALTER TABLE messages ADD COLUMN replaced INTEGER NOT NULL DEFAULT 0;",

	/* 7 -> 8: a random number per collection that changes whenever its
	 * vectors change other than by new chunks and tombstones (a finished
	 * re-embedding): a persisted vector index (store/vecfile.h) records
	 * it and is rebuilt when it differs, also for a file made from
	 * another database. */
	"ALTER TABLE collections ADD COLUMN vec_generation INTEGER NOT NULL DEFAULT 0;"
	"UPDATE collections SET vec_generation = random();"
	/* The documents that are not current, found without reading a row:
	 * status lies after body, so reading it from the row reads the whole
	 * document (a search's first step read every body in the collection). */
	"CREATE INDEX documents_by_status ON documents(collection_id, status);",

	/* 8 -> 9: the pages a chunk spans in a paged document (PDF), for
	 * citations like "manual.pdf p.12"; 0 for documents without pages. */
	"ALTER TABLE chunks ADD COLUMN page_start INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE chunks ADD COLUMN page_end INTEGER NOT NULL DEFAULT 0;",

	/* 9 -> 10: how many of an answer's counted sentences no context block
	 * supports (core/answer/support.h); NULL when none was counted. */
	"ALTER TABLE queries ADD COLUMN unsupported_sentences INTEGER;",

	/* 10 -> 11: the LLM judge's verdicts (core/eval/judge.h), cached per
	 * item, hash of what was judged, judge model and prompt version, so a
	 * rerun over the same answers asks the judge nothing. item_id is ''
	 * for a training pair (its hash is its identity). */
	"CREATE TABLE judge_verdicts ("
	"  item_id TEXT NOT NULL,"
	"  content_hash TEXT NOT NULL,"
	"  judge_model TEXT NOT NULL,"
	"  prompt_version TEXT NOT NULL,"
	"  verdict TEXT NOT NULL,"
	"  tokens_in INTEGER NOT NULL DEFAULT 0,"
	"  tokens_out INTEGER NOT NULL DEFAULT 0,"
	"  cost_usd REAL,"
	"  created_at INTEGER NOT NULL,"
	"  PRIMARY KEY (item_id, content_hash, judge_model, prompt_version));"
	"CREATE INDEX judge_verdicts_by_hash ON judge_verdicts(content_hash, prompt_version);",
};

static int user_version(sqlite3 *db, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	else if (rc == SQLITE_OK)
		rc = sqlite3_errcode(db);
	sqlite3_finalize(st);
	return rc;
}

/* Say what failed, roll back, and return the error code of SQLite's
 * result rc. */
static enum rd_err fail(sqlite3 *db, int rc, char *err, size_t errlen, const char *what, char *msg)
{
	snprintf(err, errlen, "%s: %s", what, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	return store_code(db, rc);
}

enum rd_err schema_migrate(sqlite3 *db, char *err, size_t errlen)
{
	const int target = (int)(sizeof migrations / sizeof migrations[0]);
	int current = 0;
	/* A database already at this version needs no write lock: it opens
	 * while another process (an ingest) holds one. */
	if (user_version(db, &current) == SQLITE_OK && current == target)
		return RD_OK;
	for (;;) {
		char *msg = NULL;
		int version = 0;
		/* Read the version inside the write lock so two processes opening
		 * a new database never run the same step twice. */
		int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, &msg);
		if ((rc & 0xff) == SQLITE_BUSY)
			return fail(db, rc, err, errlen, "the database needs a schema upgrade but another process is "
			            "writing to it: wait for it to finish and retry", msg);
		if (rc != SQLITE_OK)
			return fail(db, rc, err, errlen, "cannot lock the database to check its schema", msg);
		rc = user_version(db, &version);
		if (rc != SQLITE_OK)
			return fail(db, rc, err, errlen, "cannot read the schema version", NULL);
		if (version > target) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			snprintf(err, errlen, "database schema version %d is newer than this ragdeck understands (%d): upgrade ragdeck",
			         version, target);
			return RD_ERR_VERSION;
		}
		if (version == target)
			break;
		char set_version[64];
		snprintf(set_version, sizeof set_version, "PRAGMA user_version = %d", version + 1);
		rc = sqlite3_exec(db, migrations[version], NULL, NULL, &msg);
		if (rc == SQLITE_OK)
			rc = sqlite3_exec(db, set_version, NULL, NULL, &msg);
		if (rc != SQLITE_OK)
			return fail(db, rc, err, errlen, "schema migration failed", msg);
		rc = sqlite3_exec(db, "COMMIT", NULL, NULL, &msg);
		if (rc != SQLITE_OK)
			return fail(db, rc, err, errlen, "cannot commit the schema migration", msg);
	}
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	return RD_OK;
}
