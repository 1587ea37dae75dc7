#!/bin/sh
# make fuzz: build each libFuzzer harness (tests/fuzz/fuzz_NAME.c) with
# clang, -fsanitize=fuzzer,address,undefined, over the engine's sources
# compiled the same way, and run it FUZZ_SECONDS from a copy of its corpus.
# Prints, per harness, the seconds, the executions and the corpus size; a
# crash, a leak, a timeout (10 s) or an out-of-memory (2 GB) input is saved
# in tests/fuzz/crashes/NAME/ of the build directory and fails the run:
# copy it into tests/fuzz/corpus/NAME/ once fixed, so make check replays it.
set -u
: "${top_srcdir:?}" "${top_builddir:?}" "${FUZZ_CC:=clang}"
: "${FUZZ_SECONDS:=60}" "${FUZZ_HARNESSES:=scenario template units cli check env}"
: "${FUZZ_DEP_CFLAGS:=}" "${FUZZ_DEP_LIBS:=-lcurl -linih -lcjson -lev -lm -pthread}"
out="$top_builddir/tests/fuzz/build"
mkdir -p "$out/obj" || exit 1
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
CFLAGS="-std=c11 -D_GNU_SOURCE -I$top_builddir -I$top_srcdir/src -I$top_srcdir/ui -I$top_srcdir/tests/fuzz $FUZZ_DEP_CFLAGS"
CFLAGS="$CFLAGS -DCICADA_DATADIR=\"/nonexistent\""

# the engine: every src/*.c but main.c, instrumented for coverage
objs=""
for src in "$top_srcdir"/src/*.c "$top_builddir"/src/demo_ini.c; do
    base=$(basename "$src" .c)
    [ "$base" = main ] && continue
    obj="$out/obj/$base.o"
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
        $FUZZ_CC $CFLAGS $SAN -fsanitize=fuzzer-no-link -Wno-unknown-warning-option \
            -c "$src" -o "$obj" || exit 1
    fi
    objs="$objs $obj"
done
# an archive: each harness links only the objects it needs (not app.c's
# dashboard nor http.c's allocator)
rm -f "$out/libfuzzcicada.a"
ar rcs "$out/libfuzzcicada.a" $objs || exit 1

export CICADA_FUZZ_DIR="$top_srcdir/tests/fuzz/data"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
failed=0
printf '%-10s %8s %12s %10s %8s  %s\n' harness seconds executions exec/s corpus result
for name in $FUZZ_HARNESSES; do
    bin="$out/fuzz_$name"
    $FUZZ_CC $CFLAGS $SAN -fsanitize=fuzzer "$top_srcdir/tests/fuzz/fuzz_$name.c" "$out/libfuzzcicada.a" \
        $FUZZ_DEP_LIBS -o "$bin" || exit 1
    corpus="$out/corpus/$name"
    crashes="$top_builddir/tests/fuzz/crashes/$name"
    mkdir -p "$corpus" "$crashes"
    cp "$top_srcdir/tests/fuzz/corpus/$name/"* "$corpus/" 2>/dev/null
    log="$out/fuzz_$name.log"
    (cd "$CICADA_FUZZ_DIR" &&
        "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
            -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1)
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    size=$(ls "$corpus" | wc -l)
    if [ "$rc" = 0 ]; then
        result=ok
    else
        result="FAILED (exit $rc): see $log and $crashes"
        failed=$((failed + 1))
        grep -E "^(==|SUMMARY|.*runtime error)" "$log" | head -20
    fi
    printf '%-10s %8s %12s %10s %8s  %s\n' "$name" "$FUZZ_SECONDS" "${execs:-?}" "${secs:-?}" "$size" "$result"
done
[ "$failed" = 0 ]
