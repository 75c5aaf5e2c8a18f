#!/usr/bin/env bash
# A PDF end to end through the real binary: groff makes a three-page manual,
# ingest converts it through MuPDF, search finds a phrase from page 2, and
# the stored chunks keep the form-feed line between pages and the table rows.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
db=$work/t.db
tree=$work/kb
mkdir -p "$tree"
run() { "$ragdeck" --db "$db" "$@"; }

if ! command -v groff > /dev/null; then
	skip "PDF ingest" "groff is not installed (scripts/setup installs it)"
	tap_done
	exit
fi
cat > "$work/manual.ms" <<'MS'
.pdfinfo /Title "Tide Gauge Manual"
.NH
Installation
.PP
Bolt the tide gauge to the pier above the highest spring tide.
.bp
.NH
Calibration
.PP
Calibrate the float against the staff every quarter using the brass reference mark.
.TS
tab(;);
l l.
Interval;Task
monthly;clean float
yearly;replace wire
.TE
.bp
.NH
Storage
.PP
Keep the spare floats in the dry store.
MS
groff -ms -t -Tpdf "$work/manual.ms" > "$tree/manual.pdf" 2> "$work/groff.txt"
check "groff made the PDF" test -s "$tree/manual.pdf"

run ingest --json "$tree" > "$work/ingest.json" 2> "$work/ingest.err"
check "ingest exits 0" test $? -eq 0
check "the PDF is added, not skipped" test "$(json_get "$work/ingest.json" '(j["added"], j["skipped"])')" = "(1, 0)"
check "ingest writes nothing to stderr (MuPDF silenced)" test ! -s "$work/ingest.err"

run search --json "calibrate the float against the staff brass reference" > "$work/search.json"
check "search exits 0" test $? -eq 0
check "the top hit is the PDF's page-2 text" \
	test "$(json_get "$work/search.json" 'j["hits"][0]["path"].endswith("manual.pdf") and "brass reference mark" in j["hits"][0]["text"]')" = True
check "the PDF's numbered heading is kept" \
	test "$(json_get "$work/search.json" '"# 2. Calibration" in j["hits"][0]["text"]')" = True

run chunks --json manual.pdf > "$work/chunks.json"
check "chunks exits 0" test $? -eq 0
check "a form-feed line separates page 1 from page 2" \
	test "$(json_get "$work/chunks.json" 'any("spring tide.\n\n\f\n\n# 2. Calibration" in c["text"] for c in j["chunks"])')" = True
check "the table is stored as rows" \
	test "$(json_get "$work/chunks.json" 'any("| monthly | clean float |\n| yearly | replace wire |" in c["text"] for c in j["chunks"])')" = True
check "the document title comes from the PDF info" \
	test "$(json_get "$work/chunks.json" 'j["chunks"][0]["heading_path"].startswith("Tide Gauge Manual")')" = True
# That chunk opens with the end of page 1 (a section too small to stand
# alone joins the next), then page 2.
check "the calibration chunk spans pages 1 and 2" \
	test "$(json_get "$work/search.json" '(j["hits"][0]["page_start"], j["hits"][0]["page_end"])')" = "(1, 2)"
run search "calibrate the float against the staff brass reference" > "$work/search.txt"
check "search cites the PDF by its pages" grep -q "manual\.pdf pp\.1-2 " "$work/search.txt"

# A form feed in a text file is layout, not a page break: no pages.
printf 'Tide tables\n\n\f\nThe quarterly marigraph survey lists every station.\n' > "$tree/survey.txt"
run ingest "$tree" > /dev/null
run search --json "quarterly marigraph survey" > "$work/text.json"
check "a text file's chunks have no pages" \
	test "$(json_get "$work/text.json" '(j["hits"][0]["path"].endswith("survey.txt"), j["hits"][0]["page_start"])')" = "(True, None)"

tap_done
