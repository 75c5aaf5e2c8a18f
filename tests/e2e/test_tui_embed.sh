#!/usr/bin/env bash
# The app with an HTTP embedder (the embeddings fixture): questions use
# vectors; with the server gone they are answered from full text and the
# routing pane says why; a config whose model differs from the
# collection's opens anyway and says what to run.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/../integration/serve.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
embed_serve=${FIXTURE_EMBED_SERVE:?set FIXTURE_EMBED_SERVE to the embeddings fixture program}
export RAGDECK_THEME_DIR=$here/../../themes
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
db=$work/kb.db
start_embed_server --dim 64
cat > "$work/http.yaml" <<YAML
providers:
  emb: {kind: openai, base_url: "$embed_url", api_key_env: ~}
models:
  - {match: "fixture-embed", provider: emb}
embedder: {kind: http, model: fixture-embed, query_timeout_ms: 1000}
YAML
"$ragdeck" --db "$db" --config "$work/http.yaml" ingest "$here/../../examples/kb" > /dev/null

start_app "RAGDECK_CONFIG=$work/http.yaml"
keys "How many days do I have to ask for a refund on a monthly plan?" Enter
check "an answer with the HTTP embedder" wait_for 'local via local' 10
check "... cites the refund policy" wait_for 'refund-policy\.md:[0-9]+-[0-9]+' 3
check "... with no vector hop" bash -c "! tmux -L $sock capture-pane -p -t e2e | grep -q 'skipped vector search'"
kill "$embed_pid"
wait "$embed_pid" 2>/dev/null
keys "Which port does the agent listen on?" Enter
check "with the server gone the routing pane says vectors were skipped" wait_for 'skipped vector search' 10
check "... and the answer still cites the documents" wait_for 'install.*\.md:[0-9]+-[0-9]+|port' 5
keys C-c C-c
wait_for 'e2e-shell\$ ?$' 5

# The default (hash) config on the HTTP collection: the app opens, says why
# it searches without vectors, and still answers.
start_app
check "another model's collection opens with a notice" wait_for 'searching without vectors' 5
check "... naming what to run" wait_for 'reembed' 2
keys "How many days do I have to ask for a refund on a monthly plan?" Enter
check "... and answers from full text" wait_for 'refund-policy\.md:[0-9]+-[0-9]+' 10
keys C-c C-c
wait_for 'e2e-shell\$ ?$' 5
tap_done
