#!/usr/bin/env bash
# Captures the golden corpus of real Claude Code traffic: runs the pinned Claude Code
# (e2e/claudecode/cli) fully offline against the fake Anthropic API in its Claude Code mode
# (internal/fakeapi/claudecode.go) and writes every request with its response to
# conversation/testdata/golden/<scenario>/NNNN.json (format: fakeapi.Captured).
#
#   scripts/capture-claude-code.sh [scenario...]
#
# Scenarios: simple tool-loop agent compact two-sessions rewind-edit interactive (default: all).
# Needs: go, curl, jq, and python3 for the interactive scenario (a pseudo-terminal), plus
# `cd e2e/claudecode/cli && npm ci` done first.
#
# The corpus is documented in e2e/claudecode/README.md. expected.json next to the captures
# is written by hand and is never touched here. A new
# capture can change the numbering (parallel sub-agents race), so review every expected.json
# against the new files before committing them.
#
# Environment: CLAUDE (the claude binary), OUT (the corpus directory), WORK (scratch
# directory; its paths end up in the request bodies, so keep the default for stable diffs).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CLAUDE=${CLAUDE:-$ROOT/e2e/claudecode/cli/node_modules/.bin/claude}
OUT=${OUT:-$ROOT/conversation/testdata/golden}
WORK=${WORK:-${TMPDIR:-/tmp}/nexus-golden}
ALL="simple tool-loop agent compact two-sessions rewind-edit interactive"
SCENARIOS=${*:-$ALL}
# A syntactically plausible key; the fake accepts any. Captures never store it.
KEY=sk-ant-api03-golden-capture-fake-key-0000000000
WANT_VERSION=$(sed -n 's/.*"@anthropic-ai\/claude-code": *"\([^"]*\)".*/\1/p' "$ROOT/e2e/claudecode/cli/package.json")

die() { echo "capture-claude-code: $*" >&2; exit 1; }
for tool in go curl jq; do command -v "$tool" >/dev/null || die "$tool is required"; done
[ -x "$CLAUDE" ] || die "$CLAUDE is missing: run (cd e2e/claudecode/cli && npm ci)"
got=$("$CLAUDE" --version 2>/dev/null | awk '{print $1}')
[ "$got" = "$WANT_VERSION" ] || die "claude --version says '$got', package.json pins $WANT_VERSION"

mkdir -p "$WORK"
FAKE="$WORK/fakeapi"
(cd "$ROOT" && go build -o "$FAKE" ./internal/fakeapi/cmd/fakeapi)

FAKE_PID=
stop_fake() {
	if [ -n "$FAKE_PID" ]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
		FAKE_PID=
	fi
}
trap stop_fake EXIT

# start_fake DIR: a fresh fake in Claude Code mode capturing into DIR/cap; sets URL.
start_fake() {
	local dir=$1
	"$FAKE" --claude-code --capture "$dir/cap" >"$dir/fake.out" 2>&1 &
	FAKE_PID=$!
	for _ in $(seq 100); do
		URL=$(sed -n 's/^listening //p' "$dir/fake.out")
		[ -n "$URL" ] && return
		sleep 0.1
	done
	die "fakeapi did not start: $(cat "$dir/fake.out")"
}

# The offline environment: nothing of the caller's environment. NONESSENTIAL_OFF= (empty)
# lets Claude Code send its nonessential requests (session titles); calls to other hosts
# then fail offline, harmlessly but slowly.
NONESSENTIAL_OFF=1
cc_env() {
	env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$HOME_DIR" SHELL=/bin/bash LANG=C.UTF-8 TERM=dumb \
		ANTHROPIC_BASE_URL="$URL" ANTHROPIC_API_KEY="$KEY" \
		DISABLE_TELEMETRY=1 DISABLE_AUTOUPDATER=1 DISABLE_ERROR_REPORTING=1 \
		${NONESSENTIAL_OFF:+CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1} "$@"
}

# cc ARGS...: one `claude -p` run in the scenario's working directory; prints the JSON result.
cc() {
	# --allowedTools takes a list: it goes last, or it would swallow the prompt.
	(cd "$WORK_DIR" && cc_env timeout 300 "$CLAUDE" -p "$@" --output-format json --max-turns 10 \
		--allowedTools "Bash,Agent" </dev/null) || die "claude $* failed"
}

session_of() { jq -r .session_id; }

# The transcript uuid of the Nth assistant message of a session (for --resume-session-at).
assistant_uuid() {
	local sid=$1 n=$2
	jq -r 'select(.type == "assistant") | .uuid' "$HOME_DIR"/.claude/projects/*/"$sid.jsonl" | sed -n "${n}p"
}

# Approves the key and skips onboarding and the trust dialog, for the interactive UI (-p
# needs none of it).
write_config() {
	cat >"$HOME_DIR/.claude.json" <<EOF
{"hasCompletedOnboarding": true, "lastOnboardingVersion": "$WANT_VERSION", "theme": "dark",
 "customApiKeyResponses": {"approved": ["${KEY: -20}"], "rejected": []},
 "projects": {"$WORK_DIR": {"hasTrustDialogAccepted": true, "hasCompletedProjectOnboarding": true, "allowedTools": []}}}
EOF
}

# --- scenarios ---------------------------------------------------------------------------

scenario_simple() {
	cc "hello" >/dev/null
	cc --continue "and again" >/dev/null
	cc --continue "and again" >/dev/null
}

scenario_tool-loop() {
	cc "Check the shell: [[bash: echo one]] then [[bash: echo two]]" >/dev/null
	cc --continue "Both at once: [[bash: echo three]]+[[bash: echo four]]" >/dev/null
}

scenario_agent() {
	cc "Delegate this: [[agent: Count the entries of the working directory. [[bash: ls -a | wc -l]]]]" >/dev/null
	cc --continue "Two helpers in parallel: [[agent: Say the word alpha.]]+[[agent: Say the word beta.]]" >/dev/null
}

scenario_compact() {
	cc "Remember the number 42." >/dev/null
	cc --continue "Run this: [[bash: echo compact-me]]" >/dev/null
	cc --continue "/compact" >/dev/null
	cc --continue "What was the number?" >/dev/null
	cc --continue "One more turn after the compaction." >/dev/null
}

scenario_two-sessions() {
	local s1 s2
	s1=$(cc "hello" | session_of)
	s2=$(cc "hello" | session_of)
	cc --resume "$s1" "First session, second turn." >/dev/null
	cc --resume "$s2" "Second session, second turn." >/dev/null
	cc --resume "$s1" "First session, third turn." >/dev/null
	cc --resume "$s2" "Second session, third turn." >/dev/null
}

scenario_rewind-edit() {
	local sid uuid
	sid=$(cc "Turn one." | session_of)
	cc --continue "Turn two." >/dev/null
	cc --continue "Turn three." >/dev/null
	# Claude Code's own rewind: resume the session cut after the first answer, with a
	# different second prompt.
	uuid=$(assistant_uuid "$sid" 1)
	[ -n "$uuid" ] || die "no assistant message in the transcript of $sid"
	cc --resume "$sid" --resume-session-at "$uuid" "Turn two, edited." >/dev/null
	cc --continue "Turn three on the edited branch." >/dev/null
	# An SDK-style edit: the captured third request replayed with a different last message.
	local third=$WORK_DIR/../cap/0003.json
	jq -jc '.request | ([.messages | to_entries[] | select(.value.role == "user") | .key] | last) as $u
		| .messages[$u].content |= (if type == "string" then "Turn three, replayed with a different last message."
			else .[-1].text = "Turn three, replayed with a different last message." end)' "$third" >"$WORK_DIR/../replay.json"
	curl -sS --fail -o /dev/null "$URL/v1/messages?beta=true" \
		-H "x-api-key: $KEY" -H "anthropic-version: 2023-06-01" -H "content-type: application/json" \
		-H "anthropic-beta: $(jq -r '.headers["Anthropic-Beta"]' "$third")" \
		-H "user-agent: $(jq -r '.headers["User-Agent"]' "$third")" \
		-H "x-claude-code-session-id: $(jq -r '.headers["X-Claude-Code-Session-Id"]' "$third")" \
		--data-binary @"$WORK_DIR/../replay.json"
}

# The interactive UI in a pseudo-terminal, with nonessential traffic allowed so that Claude
# Code also sends its session title request (an auxiliary request).
scenario_interactive() {
	command -v python3 >/dev/null || die "python3 is required for the interactive scenario"
	write_config
	local NONESSENTIAL_OFF=
	(cd "$WORK_DIR" && cc_env TERM=xterm-256color \
		python3 - "$CLAUDE" "$WORK_DIR/../cap" <<'PY'
import os, pty, select, sys, time, glob
claude, cap = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(claude, [claude])
def pump(seconds):
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return
            if b"\x1b[6n" in data:  # cursor position query
                os.write(fd, b"\x1b[1;1R")
def count():
    return len(glob.glob(os.path.join(cap, "[0-9]*.json")))
def settle(at_least, timeout=60):
    # Wait for at least n captured requests, then until none arrive for 3 s.
    end = time.time() + timeout
    while count() < at_least and time.time() < end:
        pump(0.5)
    n = -1
    while n != count() and time.time() < end:
        n = count()
        pump(3)
    if count() < at_least:
        sys.exit(f"interactive: only {count()} requests, want {at_least}")
def type_line(text):
    for ch in text:
        os.write(fd, ch.encode())
        time.sleep(0.03)
    pump(1)
    os.write(fd, b"\r")
pump(8)  # start-up
type_line("hello from the terminal")
settle(3)  # HEAD /api/hello, the title request, the turn
type_line("now run [[bash: echo tty]]")
settle(5)
type_line("/compact")
settle(6)
type_line("one more after the compaction")
settle(7)
type_line("/exit")
pump(3)
try:
    os.kill(pid, 9)
except ProcessLookupError:
    pass
PY
	) || die "interactive run failed"
}

# --- main --------------------------------------------------------------------------------

for sc in $SCENARIOS; do
	case " $ALL " in *" $sc "*) ;; *) die "unknown scenario $sc (have: $ALL)" ;; esac
	dir="$WORK/$sc"
	rm -rf "$dir"
	mkdir -p "$dir/home" "$dir/work"
	HOME_DIR="$dir/home"
	WORK_DIR="$dir/work"
	echo "== $sc"
	start_fake "$dir"
	"scenario_$sc"
	sleep 0.5 # let the last capture file land
	stop_fake
	dest="$OUT/$sc"
	mkdir -p "$dest"
	rm -f "$dest"/[0-9][0-9][0-9][0-9].json "$dest"/[0-9][0-9][0-9][0-9].json.gz
	cp "$dir"/cap/*.json "$dest"/
	if grep -l -e "$KEY" "$dest"/*.json; then die "the API key leaked into a capture"; fi
	echo "   $(ls "$dest" | grep -c '^[0-9]') requests -> ${dest#"$ROOT"/}"
done
