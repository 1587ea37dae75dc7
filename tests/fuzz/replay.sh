#!/bin/sh
# Replay every fuzz corpus (tests/fuzz/corpus/NAME, seeds and every input
# that once crashed or hung) through its harness built without libFuzzer
# (tests/fuzz/replay_NAME): each input must run to its end, under the
# sanitizers too in CI's sanitizer stage. See tests/fuzz/fuzz.h.
. "$top_srcdir/tests/lib.sh"

CICADA_FUZZ_DIR="$top_srcdir/tests/fuzz/data"
export CICADA_FUZZ_DIR
for name in ${FUZZ_HARNESSES:-scenario template units cli check env}; do
    bin="$top_builddir/tests/fuzz/replay_$name"
    corpus="$top_srcdir/tests/fuzz/corpus/$name"
    [ -x "$bin" ] || fail "$bin is not built"
    [ -d "$corpus" ] || fail "no corpus $corpus"
    n=$(ls "$corpus" | wc -l)
    [ "$n" -gt 0 ] || fail "the corpus $corpus is empty"
    # from the data directory, so relative data file names resolve there
    out=$(cd "$CICADA_FUZZ_DIR" && timeout 300 "$bin" "$corpus" 2>&1) ||
        fail "replay_$name: $(printf '%s\n' "$out" | tail -30)"
    echo "replay_$name: $out"
    case "$out" in
        "$n inputs replayed") ;;
        *) fail "replay_$name: expected $n inputs replayed" ;;
    esac
done
