#!/bin/sh
# Bounded inputs and outputs (cicada(1) EXIT STATUS, FILES):
# - data, body and env files must be regular files no larger than
#   --max-file-size: /dev/zero, a FIFO, a 10 GB sparse file are refused with
#   one line and exit 2, before any request;
# - the scenario file itself is read at most --max-file-size bytes;
# - a report that cannot be written (/dev/full, a directory) is exit 4, with
#   the target left as it was (a directory is refused before the run, exit
#   2); a FIFO or a device is written directly; a
#   regular file is replaced whole, through a symlink to it (kept), and no
#   temporary file is left behind.
. "$top_srcdir/tests/lib.sh"

start_target

# expect_error PATTERN [cicada args...]: exit 2, one line on stderr matching PATTERN
expect_error() {
    pattern=$1
    shift
    "$CICADA" --headless "$@" >"$T/out" 2>"$T/err"
    rc=$?
    [ "$rc" = 2 ] || fail "cicada $*: exit status $rc, expected 2; stderr: $(cat "$T/err")"
    lines=$(wc -l <"$T/err")
    [ "$lines" = 1 ] || fail "cicada $*: $lines lines on stderr, expected one: $(cat "$T/err")"
    grep -Eq -- "$pattern" "$T/err" ||
        fail "cicada $*: stderr does not match '$pattern': $(cat "$T/err")"
    echo "ok: $(cat "$T/err")"
}

scenario() {
    cat >"$T/s.ini" <<EOI
[run]
host = $TARGET_URL
users = 1
spawn_rate = 1
run_time = 1s

[user U]
wait = constant 0.2

[task U t]
$1
EOI
}

# ---- inputs ----
scenario 'path = /{{line /dev/zero}}'
expect_error "s\.ini:11: cannot read data file: /dev/zero: a character device, not a regular file" -f "$T/s.ini"
mkfifo "$T/fifo"
scenario "path = /{{line $T/fifo}}"
expect_error "s\.ini:11: cannot read data file: .*/fifo: a FIFO, not a regular file" -f "$T/s.ini"
scenario 'path = /{{line .}}'
expect_error "s\.ini:11: cannot read data file: .*: a directory, not a regular file" -f "$T/s.ini"
truncate -s 10G "$T/sparse.bin" || fail "cannot make a sparse file"
scenario "path = /
body_file = sparse.bin"
expect_error "s\.ini:12: cannot read body_file: .*sparse\.bin: 10737418240 bytes, larger than the limit of 67108864 bytes \(--max-file-size\)" -f "$T/s.ini"
head -c 2000 /dev/urandom | base64 >"$T/body.txt"
scenario "path = /
body_file = body.txt"
expect_error "s\.ini:12: cannot read body_file: .*body\.txt: [0-9]+ bytes, larger than the limit of 1024 bytes" --max-file-size 1k -f "$T/s.ini"
CICADA_MAX_FILE_SIZE=1k expect_error "larger than the limit of 1024 bytes" -f "$T/s.ini"
expect_error "^cicada: --max-file-size: bad value \"0\"" --max-file-size 0 -f "$T/s.ini"
expect_error "^cicada: --max-file-size: bad value \"lots\"" --max-file-size lots -f "$T/s.ini"
# an env file that is a FIFO (nothing writes to it: cicada must not wait)
scenario 'path = /'
rm -f "$T/fifo" && mkfifo "$T/.env"
expect_error "cannot read the variables file: .*\.env: a FIFO, not a regular file" -f "$T/s.ini"
rm -f "$T/.env"
expect_error "^cicada: --env-file: .*: a character device, not a regular file" --env-file /dev/zero -f "$T/s.ini"
# the scenario file itself: /dev/zero has no end and no newline
expect_error "^cicada: /dev/zero:1: the file is larger than the limit of 1048576 bytes" --max-file-size 1M -f /dev/zero
[ "$(target_count)" = 0 ] || fail "requests were sent: $(target_count)"
# within the limit, the body is sent
scenario "path = /
body_file = body.txt"
"$CICADA" --headless --only-summary --max-file-size 1M -f "$T/s.ini" >/dev/null 2>"$T/err" ||
    fail "a body within --max-file-size: $(tail -3 "$T/err")"
[ "$(target_count)" -gt 0 ] || fail "no request with a body within the limit"

# ---- outputs ----
scenario 'path = /'
run() {
    "$CICADA" --headless --only-summary -t 1 -f "$T/s.ini" "$@" >"$T/out" 2>"$T/err"
    echo $?
}
rc=$(run --json /dev/full)
[ "$rc" = 4 ] || fail "--json /dev/full: exit $rc, expected 4: $(tail -3 "$T/err")"
grep -q "cannot write /dev/full: No space left on device" "$T/err" || fail "no message for /dev/full: $(tail -3 "$T/err")"
rc=$(run --html /dev/full)
[ "$rc" = 4 ] || fail "--html /dev/full: exit $rc, expected 4"
# a directory is refused before the run (exit 2, no request)
mkdir "$T/dir.json"
target_reset
expect_error "^cicada: --json: cannot write .*dir\.json: it is a directory, not a regular file" -t 1 -f "$T/s.ini" --json "$T/dir.json"
expect_error "^cicada: --html: cannot write .*dir\.json: it is a directory" -t 1 -f "$T/s.ini" --html "$T/dir.json"
[ "$(target_count)" = 0 ] || fail "requests were sent"
[ -d "$T/dir.json" ] && [ -z "$(ls -A "$T/dir.json")" ] || fail "the directory was touched"
# a FIFO is written directly (read by cat), not replaced by a file
mkfifo "$T/report.fifo"
cat "$T/report.fifo" >"$T/from-fifo.json" &
catpid=$!
track_pid "$catpid"
rc=$(run --json "$T/report.fifo")
wait "$catpid"
[ "$rc" = 0 ] || fail "--json FIFO: exit $rc: $(tail -3 "$T/err")"
[ -p "$T/report.fifo" ] || fail "the FIFO was replaced"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/from-fifo.json" || fail "the JSON read from the FIFO is not whole"
rc=$(run --json /dev/null)
[ "$rc" = 0 ] || fail "--json /dev/null: exit $rc"
[ -c /dev/null ] || fail "/dev/null is no longer a device"
# a symlink to a regular file: the file is replaced, the link stays
echo old >"$T/real.json"
ln -s real.json "$T/link.json"
chmod 640 "$T/real.json"
rc=$(run --json "$T/link.json")
[ "$rc" = 0 ] || fail "--json SYMLINK: exit $rc"
[ -L "$T/link.json" ] || fail "the symlink was replaced"
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$T/real.json" || fail "the file behind the link was not written"
[ "$(stat -c %a "$T/real.json")" = 640 ] || fail "the report lost its mode: $(stat -c %a "$T/real.json")"
ls -A "$T" | grep -q '^\.real\.json\.' && fail "a temporary file was left: $(ls -A "$T")"
# CSV: every file written, no temporary left
rc=$(run --csv "$T/c")
[ "$rc" = 0 ] || fail "--csv: exit $rc"
for f in stats stats_history failures exceptions; do
    [ -s "$T/c_$f.csv" ] || fail "c_$f.csv is missing"
done
ls -A "$T" | grep -q '^\.c_' && fail "a temporary CSV file was left: $(ls -A "$T")"
echo "ok: reports"
