#!/usr/bin/env bash
# DOCX and ODT end to end through the real binary: LibreOffice-made
# documents are ingested, a phrase from a table row is found in each with
# the document's heading as its heading path, the title comes from the
# document properties, and a damaged file is skipped with its reason.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
db=$work/t.db
tree=$work/kb
mkdir -p "$tree"
cp "$here/../fixtures/office/sample.docx" "$tree/crane.docx"
cp "$here/../fixtures/office/sample.odt" "$tree/crane.odt"
head -c 3000 "$here/../fixtures/office/sample.docx" > "$tree/cut.docx"
run() { "$ragdeck" --db "$db" "$@"; }

run ingest --json "$tree" > "$work/ingest.json" 2> "$work/ingest.err"
check "ingest exits 0" test $? -eq 0
check "the DOCX and the ODT are added" test "$(json_get "$work/ingest.json" 'j["added"]')" = 2
check "the truncated DOCX is skipped as damaged" \
	test "$(json_get "$work/ingest.json" '[s["reason"] for s in j["skips"] if s["path"].endswith("cut.docx")][0].startswith("damaged DOCX")')" = True
check "nothing from the converters reaches stderr" test ! -s "$work/ingest.err"

run search --json "gusts under 54 km/h" > "$work/search.json"
check "search exits 0" test $? -eq 0
for ext in docx odt; do
	check "a table row of the $ext is found" \
		test "$(json_get "$work/search.json" "any(h['path'].endswith('crane.$ext') and 'gusts under 54' in h['text'] for h in j['hits'])")" = True
	# the sections are small, so the hit spans several under the top heading
	check "its heading path is the document's title and heading" \
		test "$(json_get "$work/search.json" "[h['heading_path'] for h in j['hits'] if h['path'].endswith('crane.$ext') and 'gusts under 54' in h['text']][0]")" = "Harbour Crane Manual > Crane Operation"
done
run docs --json > "$work/docs.json"
check "the title comes from the document properties" \
	test "$(json_get "$work/docs.json" '[d["title"] for d in j if d["path"].endswith("crane.docx")][0]')" = "Harbour Crane Manual"
tap_done
