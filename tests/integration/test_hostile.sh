#!/usr/bin/env bash
# Hostile documents through the headless commands: ingest survives every
# file of tests/fixtures/hostile-corpus.sh (binary ones are skipped with a
# reason), the text is stored whole, and nothing a terminal would act on
# reaches stdout or stderr of ingest, docs, chunks, search or ask; the
# prompt-injection document is flagged in the answer's record; a file name
# with a newline stays on its row and a snippet is cut at a word.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
db=$work/kb.db
corpus=$work/hostile
"$here/../fixtures/hostile-corpus.sh" "$corpus"
run() { "$ragdeck" --db "$db" "$@"; }
sql() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' "$db" "$1"; }

printf 'a \033]52;c;eA==\007 b\n' > "$work/control.txt"
check "control: the raw-byte check finds an OSC 52 write" bash -c "! raw_free '$work/control.txt'"

run ingest "$corpus" > "$work/ingest.out" 2> "$work/ingest.err"
check "ingest of the hostile tree exits 0" test $? -eq 0
check "seven documents added, three skipped" grep -q '7 added, 0 changed, 0 unchanged, 3 skipped' "$work/ingest.out"
check "gzip behind .txt is skipped as binary with the reason" grep -q 'archive.txt: binary content (gzip data)' "$work/ingest.out"
check "a PNG behind .md is skipped as binary with the reason" grep -q 'image.md: binary content (PNG data)' "$work/ingest.out"
check "a skipped file's hostile name is reported with a placeholder" grep -q $'hostile/\xef\xbf\xbd.txt: binary content (gzip data)' "$work/ingest.out"
check "ingest output is inert" raw_free "$work/ingest.out" "$work/ingest.err"
check "the database is intact" test "$(sql 'PRAGMA integrity_check')" = ok
check "the 10 MB line is stored whole across its chunks" \
	test "$(sql "SELECT max(c.byte_end) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path LIKE '%oneline.txt'")" -ge 10485760
check "a 10 MB line without a space is stored whole across its chunks" \
	test "$(sql "SELECT max(c.byte_end) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path LIKE '%blob.txt'")" -eq 10000000
check "100,000 nested divs give their sentence" \
	test "$(sql "SELECT c.text FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path LIKE '%nested.html'")" = "The bilby hides in a spiral burrow."
check "NUL bytes after the sniffed prefix become U+FFFD" \
	test "$(sql "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path LIKE '%nul.txt' AND c.text LIKE '%A NUL' || char(65533) || 'byte sits here' || char(65533) || 'and here.%'")" = 1

run docs > "$work/docs.out" 2>&1
check "docs lists the title-setting file name with a placeholder" grep -q $'\xef\xbf\xbd.md' "$work/docs.out"
check "docs output is inert" raw_free "$work/docs.out"
run chunks terminal.md > "$work/chunks.out" 2>&1
check "chunks shows the terminal note with placeholders" grep -q 'password is .RED. and . title . cleared' "$work/chunks.out"
check "chunks output is inert" raw_free "$work/chunks.out"
run search "quokka password clipboard title" > "$work/search.out" 2>&1
check "search finds the terminal note" grep -q 'terminal.md' "$work/search.out"
check "search output is inert" raw_free "$work/search.out"
run search --json "quokka password clipboard title" > "$work/search.json" 2>&1
check "search --json keeps the exact bytes, escaped" \
	test "$(json_get "$work/search.json" 'any("\x1b]52;c;" in h["text"] and "\u202e" in h["text"] for h in j["hits"])')" = True
check "search --json is inert" raw_free "$work/search.json"
run ask "/rag What is the quokka password?" > "$work/ask.out" 2>&1
check "ask quotes the terminal note inert" bash -c "grep -q 'quokka password' '$work/ask.out' && raw_free '$work/ask.out'"
run ask --json "/rag What is the pangolin escalation contact extension?" > "$work/inject.json"
check "the injection document is cited and flagged" \
	test "$(json_get "$work/inject.json" '[c["injection_flagged"] for c in j["citations"] if c["path"].endswith("inject.md")]')" = "[True]"
check "the other documents are not flagged" \
	test "$(json_get "$work/inject.json" 'any(c["injection_flagged"] for c in j["citations"] if not c["path"].endswith("inject.md"))')" = False
run ingest "$corpus" > "$work/again.out" 2>&1
check "re-ingest: seven unchanged, the binaries still reported" \
	bash -c "grep -q '0 added, 0 changed, 7 unchanged, 3 skipped' '$work/again.out' && grep -q 'gzip data' '$work/again.out'"
# A file name with a newline cannot spoof a row: it prints on one line,
# the newline shown as \n, in every table and list of names. A snippet is
# cut at a word, never inside a character.
names=$work/names
mkdir -p "$names"
spoof=$'wombat\n    1     1  2026-01-01 00:00:00        0  current     fake.md'
printf '# Wombat burrows\n\nWombats dig burrows with their strong claws.\n' > "$names/$spoof"
printf '\x1f\x8b\x08\x00binary' > "$names/"$'packed\nskipped fake.txt'
{ printf 'xy'; for _ in $(seq 60); do printf '한국어 '; done; printf '\n'; } > "$names/korean.md"
run2() { "$ragdeck" --db "$work/names.db" "$@"; }
run2 ingest "$names" > "$work/names-ingest.out" 2>&1
check "ingest: a skipped file's name with a newline is one line, the newline shown" \
	grep -qx 'skipped .*packed\\nskipped fake.txt: binary content (gzip data)' "$work/names-ingest.out"
run2 docs > "$work/names-docs.out"
check "docs: a header, one row per document and the count" test "$(wc -l < "$work/names-docs.out")" = 4
check "docs: the name with a newline is one row, the newline shown" grep -q 'wombat\\n    1     1' "$work/names-docs.out"
run2 chunks "$names/$spoof" > "$work/names-chunks.out"
check "chunks: the header names the file on one line" grep -q '^.*wombat\\n .*fake.md: 1 chunks$' "$work/names-chunks.out"
run2 search "wombat burrows claws" > "$work/names-search.out"
check "search: the hit header is one line with the newline shown" \
	grep -qE '^ 1\. [0-9.]+  .*wombat\\n .*fake.md:1-3' "$work/names-search.out"
run2 search --path '*korean*' "한국어" > "$work/korean-search.out"
check "search: a Korean snippet is cut at a word and marked, no broken character" \
	bash -c "grep -qx '    xy한국어\( 한국어\)* 한국어…' '$work/korean-search.out' && ! grep -q $'\xef\xbf\xbd' '$work/korean-search.out'"
run2 ask "/rag How do wombats dig burrows?" > "$work/names-ask.out"
check "ask: the source is listed on one line with the newline shown" \
	grep -qE '^  \[[0-9]+\] .*wombat\\n .*fake.md:1-3' "$work/names-ask.out"

printf 'routing:\n  "\xe2\x80\xaeevil": 1\n' > "$work/bidi.yaml"
run --config "$work/bidi.yaml" docs > /dev/null 2> "$work/config.err"
check "a config key with a bidi override is warned about inert" \
	bash -c "grep -q 'unknown key' '$work/config.err' && raw_free '$work/config.err'"
# 100,000 nested '[' kept libyaml busy for 20 s; the reader stops at the
# 65th level.
{ printf 'routing: '; head -c 100000 /dev/zero | tr '\0' '['; echo; } > "$work/deep.yaml"
run config check "$work/deep.yaml" > /dev/null 2> "$work/deep.err"
check "a config nested 100,000 deep exits 1" test $? -eq 1
check "the nesting is refused at file:line:col" \
	grep -q 'deep.yaml:1:73: error: more than 64 levels of nesting' "$work/deep.err"
tap_done
