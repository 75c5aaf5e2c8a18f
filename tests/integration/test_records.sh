#!/usr/bin/env bash
# Ticket exports end to end through the real binary: a JSON Lines export
# is one document per ticket, search returns a ticket's path "...#ID",
# ask cites it, a malformed line is named, a changed ticket is the only
# one written again, a CSV export works the same.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/tap.sh"
. "$here/sandbox.sh"
db=$work/t.db
tree=$work/exports
mkdir -p "$tree"
cat > "$tree/tickets.jsonl" <<'JSONL'
{"id": 4312, "subject": "Refund missing after downgrade", "description": "The customer moved from the annual to the monthly plan. The prorated credit was posted to the account balance instead of the card; finance reversed it and refunded the card.", "created_at": "2026-03-02T10:14:00Z", "status": "closed"}
{"id": 4313, "subject": "Okta SSO login loop", "description": "Agents were sent back to the Okta sign-in page forever. The stale session cookie from the old tenant domain caused it; clearing cookies for the domain fixed it.", "created_at": "2026-03-03T08:01:00Z"}
{"id": 4314, "subject": "Webhook delivered five times", "description": "The receiving endpoint answered after twelve seconds, past the ten second timeout, so every event was retried.", "created_at": "2026-03-04T16:40:00Z"}
this line is not JSON
JSONL
run() { "$ragdeck" --db "$db" "$@"; }

run ingest --json "$tree" > "$work/s1.json" 2> "$work/e1.txt"
check "ingest of a ticket export exits 0" test $? -eq 0
check "each ticket is a document" test "$(json_get "$work/s1.json" 'j["added"]')" = 3
check "... of one record file" test "$(json_get "$work/s1.json" 'j["record_files"]')" = 1
check "the malformed line is named" \
	test "$(json_get "$work/s1.json" 'j["notes"][0]["note"]')" = "1 malformed record skipped (line 4)"

"$ragdeck" --db "$work/text.db" ingest "$tree" > "$work/s1.txt"
check "the text summary counts the records" grep -q "^records: 3 in 1 export files" "$work/s1.txt"
check "... and names the malformed line" \
	grep -q "^note .*tickets.jsonl: 1 malformed record skipped (line 4)$" "$work/s1.txt"

run search --json "stale session cookie tenant domain" > "$work/search.json"
check "search returns the ticket's path ending in #4313" \
	test "$(json_get "$work/search.json" 'j["hits"][0]["path"]')" = "$tree/tickets.jsonl#4313"

run ask "Why were agents stuck in an Okta sign-in loop?" > "$work/ask.txt"
check "ask cites tickets.jsonl#4313" grep -q "tickets.jsonl#4313" "$work/ask.txt"
run ask --json "Why were agents stuck in an Okta sign-in loop?" > "$work/ask.json"
check "ask --json cites the ticket's path" \
	test "$(json_get "$work/ask.json" 'j["citations"][0]["path"]')" = "$tree/tickets.jsonl#4313"

run docs > "$work/docs.txt"
check "docs lists the tickets by path" grep -q "tickets.jsonl#4314" "$work/docs.txt"

sed -i 's/past the ten second timeout/past the ten second delivery timeout/' "$tree/tickets.jsonl"
run ingest --json "$tree" > "$work/s2.json"
check "a changed ticket is the only one written again" \
	test "$(json_get "$work/s2.json" '(j["changed"], j["unchanged"], j["added"])')" = "(1, 2, 0)"

printf 'Issue key,Summary,Description,Created\r\nSUP-7,"Export, large",Exports over 2 GB time out after 30 s.,2026-01-04\r\n' \
	> "$tree/jira.csv"
run ingest --json "$tree" > "$work/s3.json"
check "a CSV export adds its issue" test "$(json_get "$work/s3.json" 'j["added"]')" = 1
run search --json "exports time out" > "$work/search2.json"
check "search returns the issue's path ending in #SUP-7" \
	test "$(json_get "$work/search2.json" 'j["hits"][0]["path"]')" = "$tree/jira.csv#SUP-7"

tap_done
