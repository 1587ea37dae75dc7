# tui.sh: helpers for the dashboard tests (POSIX sh), sourced after
# tests/lib.sh by every tests/tui/*.sh:
#   . "$top_srcdir/tests/lib.sh"
#   . "$top_srcdir/tests/tui/tui.sh"
#
# Each test drives the real binary inside its own tmux server (socket
# "cicada-tui-PID"), which is killed by its socket when the test exits.
#
#   tui_start W H CMD       run the shell command CMD in a new W x H session; CMD
#                           should end with "; echo EXITED $?; sleep 600" or so
#   tui_run W H ENV... -- ARGS...
#                           tui_start with `env ENV... $CICADA ARGS...`, stderr to
#                           the pane, then "cicada exited with N" when it ends
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

# tui_run W H [VAR=VALUE...] -- [cicada arguments...]
tui_run() {
    tui_w=$1
    tui_h=$2
    shift 2
    tui_env=""
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
