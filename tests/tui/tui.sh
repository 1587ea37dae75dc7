# tui.sh: helpers for the dashboard tests (POSIX sh), sourced after
# tests/lib.sh by every tests/tui/*.sh:
#   . "$top_srcdir/tests/lib.sh"
#   . "$top_srcdir/tests/tui/tui.sh"
#
# Each test drives the real binary inside its own tmux server (socket
# "cicada-tui-PID"), which is killed by its socket when the test exits.
#
#   tui_scenario [LINE...]  start the test target and write "$T/s.ini" for it:
#                           [run] with its host and the LINEs, then the rest of
#                           the file from standard input
#   tui_start W H CMD       run the shell command CMD in a new W x H session; CMD
#                           should end with "; echo EXITED $?; sleep 600" or so
#   tui_run W H ENV... -- ARGS...
#                           tui_start with `env LANG=C.UTF-8 TERM=tmux-256color
#                           ENV... $CICADA ARGS...` (ENV can change either),
#                           stderr to the pane, then "cicada exited with N" when
#                           it ends
#   tui_exited N [SECS]     wait (default 20 s) for "cicada exited with N" (N is
#                           a regex) on the screen or in the scrollback
#   tui_quit N [KEYS...]    send KEYS (default q), tui_exited N, then tui_kill
#   tui_restored WHAT       after cicada exited: the terminal is back (no
#                           alternate screen) and the final tables are there
#   tui_signal SIG          send SIG to the program in the pane
#   tui_concurrency SECS    the most requests the target had at once over the
#                           next SECS seconds (target_reset first)
#   tui_keys KEYS...        tmux send-keys
#   tui_screen              print the visible screen
#   tui_all                 print the screen and its scrollback
#   tui_wait REGEX [SECS]   wait (default 10 s) until the screen matches REGEX
#   tui_wait_all REGEX [SECS]  the same over the scrollback too
#   tui_gone REGEX [SECS]   wait until the screen no longer matches REGEX
#   tui_row NAME            the Statistics row whose Name column is NAME
#   tui_col NAME N          field N of that row (1 Type, 2 Name, 3 # Reqs, 4 # Fails)
#   tui_alt                 1 while the application holds the alternate screen
#   tui_kill                kill the tmux server and wait until it is gone
#   tui_pid                 the pid of the program running in the pane (the
#                           child of the pane's shell)

command -v tmux >/dev/null 2>&1 || skip "tmux is not installed"

TUI_SOCK="cicada-tui-$$"
export TUI_SOCK

tui() {
    tmux -L "$TUI_SOCK" "$@"
}

# the exit trap: kill our tmux server by its socket, then lib.sh's cleanup
tui_cleanup() {
    tui_status=$?
    tmux -L "$TUI_SOCK" kill-server >/dev/null 2>&1
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCK"
    (exit "$tui_status")
    lib_cleanup
}
trap tui_cleanup EXIT

tui_kill() {
    tui kill-server >/dev/null 2>&1
    tui_sock="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$TUI_SOCK"
    tui_i=0
    while [ -e "$tui_sock" ] && [ "$tui_i" -lt 50 ]; do
        sleep 0.1
        tui_i=$((tui_i + 1))
    done
}

tui_start() {
    tui_w=$1
    tui_h=$2
    shift 2
    tui new-session -d -x "$tui_w" -y "$tui_h" "$*" || fail "tmux new-session failed"
    tui set-option -g history-limit 5000 >/dev/null 2>&1
}

# tui_scenario [LINE...] <REST
tui_scenario() {
    start_target
    {
        printf '[run]\nhost = %s\n' "$TARGET_URL"
        for tui_line in "$@"; do
            printf '%s\n' "$tui_line"
        done
        printf '\n'
        cat
    } >"$T/s.ini"
}

# tui_run W H [VAR=VALUE...] -- [cicada arguments...]
tui_run() {
    tui_w=$1
    tui_h=$2
    shift 2
    tui_env="'LANG=C.UTF-8' 'TERM=tmux-256color'"
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        tui_env="$tui_env '$1'"
        shift
    done
    [ "$1" = "--" ] && shift
    tui_args=""
    for tui_a in "$@"; do
        tui_args="$tui_args '$tui_a'"
    done
    tui_start "$tui_w" "$tui_h" \
        "env $tui_env '$CICADA' $tui_args; echo \"cicada exited with \$?\"; sleep 600"
}

# tui_exited N [SECS]
tui_exited() {
    tui_wait_all "cicada exited with $1" "${2:-20}"
}

# tui_quit N [KEYS...]
tui_quit() {
    tui_status_want=$1
    shift
    [ $# -gt 0 ] || set -- q
    tui_keys "$@"
    tui_exited "$tui_status_want"
    tui_kill
}

# tui_restored WHAT
tui_restored() {
    [ "$(tui_alt)" = 0 ] || fail "$1: the alternate screen is still on"
    tui_all | grep -Eq "^ +Aggregated +[0-9]+" || { tui_all >&2; fail "$1: no final tables"; }
}

# tui_signal SIG
tui_signal() {
    tui_sig_pid=$(tui_pid)
    [ -n "$tui_sig_pid" ] || fail "cannot find cicada's pid"
    kill -"$1" "$tui_sig_pid" || fail "kill -$1 $tui_sig_pid failed"
}

# tui_concurrency SECS
tui_concurrency() {
    target_reset
    sleep "$1"
    target_stat max_in_flight
}

tui_keys() {
    tui send-keys "$@"
}

tui_screen() {
    tui capture-pane -p
}

tui_all() {
    tui capture-pane -p -S -5000
}

# tui_wait REGEX [SECS]
tui_wait() {
    tui_limit=$(( ${2:-10} * 10 ))
    tui_i=0
    while [ "$tui_i" -lt "$tui_limit" ]; do
        tui_screen | grep -Eq -- "$1" && return 0
        sleep 0.1
        tui_i=$((tui_i + 1))
    done
    echo "---- screen ----" >&2
    tui_screen >&2
    echo "----------------" >&2
    fail "waited ${2:-10} s for /$1/ on the screen"
}

tui_wait_all() {
    tui_limit=$(( ${2:-10} * 10 ))
    tui_i=0
    while [ "$tui_i" -lt "$tui_limit" ]; do
        tui_all | grep -Eq -- "$1" && return 0
        sleep 0.1
        tui_i=$((tui_i + 1))
    done
    echo "---- screen and scrollback ----" >&2
    tui_all >&2
    echo "-------------------------------" >&2
    fail "waited ${2:-10} s for /$1/ on the screen or in the scrollback"
}

tui_gone() {
    tui_limit=$(( ${2:-10} * 10 ))
    tui_i=0
    while [ "$tui_i" -lt "$tui_limit" ]; do
        tui_screen | grep -Eq -- "$1" || return 0
        sleep 0.1
        tui_i=$((tui_i + 1))
    done
    tui_screen >&2
    fail "waited ${2:-10} s for /$1/ to leave the screen"
}

tui_row() {
    tui_screen | awk -v n="$1" '$2 == n || ($1 == n && NF > 3) { print; exit }'
}

tui_col() {
    tui_screen | awk -v n="$1" -v f="$2" '$2 == n { print $f; exit }'
}

tui_alt() {
    tui display-message -p '#{alternate_on}'
}

tui_pid() {
    tui_shell=$(tui display-message -p '#{pane_pid}')
    ps -o pid= --ppid "$tui_shell" | head -n 1 | tr -d ' '
}
