#!/usr/bin/env bash
# The summary of chunks over budget in the app, end to end in tmux: with
# retrieval.summarize_over_budget and a small max_context_tokens, the
# status line and the routing pane say the summarize call runs, then the
# routing pane shows what it summarized with its tokens and cost and the
# context pane marks the summarized chunks; a summarizer answering HTTP
# 500 leaves the answer on the plain context and the routing pane says
# why.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../integration/tap.sh"
. "$here/../integration/serve.sh"
. "$here/tmux.sh"
. "$here/../integration/sandbox.sh"
serve=${FIXTURE_SERVE:?set FIXTURE_SERVE to the fixture server program}
export RAGDECK_THEME_DIR=$here/../../themes
command -v tmux > /dev/null || { echo "1..0 # SKIP tmux is not installed"; exit 0; }
kb_db

# write_config FILE URL: the local answerer, 300 tokens of context, summ-small
# at URL summarizing what does not fit.
write_config() {
	cat > "$1" <<YAML
routing:
  paths:
    retrieval:
      max_context_tokens: 300
providers:
  summ: {kind: openai, base_url: "$2"}
models:
  - {match: "summ-*", provider: summ}
pricing:
  summ-small: {input_per_mtok: 0.15, output_per_mtok: 0.60}
http: {max_retries: 0}
retrieval:
  summarize_over_budget: summ-small
YAML
}

start_server --flavor openai --summarize --head-delay-ms 1500
write_config "$work/summ.yaml" "$url"
start_app "RAGDECK_CONFIG=$work/summ.yaml"
keys "How many days do I have to ask for a refund on a monthly plan?" Enter
check "the status line says the summary runs before the answer" \
	wait_for 'summarizing [0-9]+ chunks over budget with summ-small, then answering' 3
check "the routing pane says so too" wait_for 'summarizing [0-9]+ chunks in blocks \[2\]' 3
check "the answer comes after it" wait_for 'local via local' 10
check "the routing pane shows what was summarized" wait_for '│summarized [0-9]+ chunks? in blocks? \[[0-9]+\]( \[[0-9]+\])* *│' 3
check "... by which model, in how many tokens" wait_for '│  by summ-small, [0-9]+ tokens in the context *│' 3
check "... and the call's tokens, time and cost" \
	bash -c "tmux -L $sock capture-pane -p -t e2e | grep -qE '│  call [0-9]+ in / [0-9]+ out tokens, [0-9]+ ms,' && tmux -L $sock capture-pane -p -t e2e | grep -qE '\\\$0\.[0-9]{6} *│\$'"
check "the context pane counts the summarized chunks" wait_for '[0-9]+ chunks, 1 packed, [0-9]+ summarized in [0-9]+/300' 3
check "... and marks them" wait_for '│\[[0-9]+\] #[0-9]+ .* summarized│' 3
keys ':quit' Enter
wait_for 'e2e-shell\$' 5

start_server --flavor openai --status 500
write_config "$work/fail.yaml" "$url"
start_app "RAGDECK_CONFIG=$work/fail.yaml"
keys "How many days do I have to ask for a refund on a monthly plan?" Enter
check "a failing summarizer: the answer still comes" wait_for 'local via local' 10
check "... and the routing pane says why the chunks stayed out" \
	bash -c "tmux -L $sock capture-pane -p -t e2e | grep -q '│summary by summ-small failed: the call failed:' && tmux -L $sock capture-pane -p -t e2e | grep -q 'HTTP 500'"
check "... with the chunks left out for budget" wait_for '[0-9]+ chunks in blocks \[2\]( \[[0-9]+\])* left out' 3
check "the context pane shows them over budget, none summarized" \
	bash -c "tmux -L $sock capture-pane -p -t e2e | grep -q 'over budget' && ! tmux -L $sock capture-pane -p -t e2e | grep -q ' summarized'"
tap_done
