# Sourced by scripts/demo.sh and scripts/drill.sh: a throw-away emulator on a free loopback port,
# behind fake credentials, so neither script can reach AWS. Needs bash with `set -euo pipefail`.
#
#   emulator_session NAME          a work directory in $WORK, removed (and the emulator stopped) on exit
#   isolate_aws KEY_ID SECRET      drop the caller's AWS set-up; export fake keys and no config files
#   start_emulator CMD...          run CMD (an emulator on --port 0) in the background; wait until it
#                                  prints its endpoint, set in EMULATOR_URL
#   stop_emulator                  stop it now (the exit trap does it otherwise)

EMULATOR_PID=""

emulator_die() {
    printf '\n%s FAILED: %s\n' "$EMULATOR_SESSION" "$*" >&2
    exit 1
}

stop_emulator() {
    if [[ -n "$EMULATOR_PID" ]] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
    EMULATOR_PID=""
}

_emulator_cleanup() {
    stop_emulator
    rm -rf "$WORK"
}

emulator_session() {
    EMULATOR_SESSION="$1"
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/engagement-$1.XXXXXX")"
    trap _emulator_cleanup EXIT
}

isolate_aws() {
    # Nothing from the caller's AWS set-up may leak in: fake keys, no profile, no config files.
    local name
    while IFS= read -r name; do unset "$name"; done < <(env | grep -oE '^(AWS|EC2)_[A-Z0-9_]+' || true)
    export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2"
    export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_DEFAULT_REGION=us-east-1
}

start_emulator() {
    "$@" >"$WORK/emulator.out" 2>"$WORK/emulator.log" &
    EMULATOR_PID=$!
    EMULATOR_URL=""
    local _
    for _ in $(seq 1 300); do # the first stdout line is the endpoint, printed once it accepts connections
        EMULATOR_URL="$(head -n 1 "$WORK/emulator.out" 2>/dev/null || true)"
        [[ "$EMULATOR_URL" == http* ]] && break
        kill -0 "$EMULATOR_PID" 2>/dev/null || emulator_die "the emulator exited: $(cat "$WORK/emulator.log")"
        sleep 0.1
    done
    [[ "$EMULATOR_URL" == http* ]] || emulator_die "the emulator did not start within 30 seconds"
}
