# standin.sh: sourced by tests/integration/aws_*.sh after tests/lib.sh.
#   need_botocore           skip unless Debian's python3-botocore is there
#   start_standin ARGS...   start tests/aws/standin.py on 127.0.0.1; sets SA_PID, SA_PORT, SA_URL
#   sa_count [KEY]          print one number of its /_counts (default: requests)
#   sa_outcome LABEL        print the count of one outcome ("429 ThrottlingException")
#   aws_env CMD...          run CMD with no AWS variable but those given before it,
#                           HOME an empty directory, and instance metadata pointed at a
#                           closed local port (never 169.254.169.254)
STANDIN="$top_srcdir/tests/aws/standin.py"

need_botocore() {
    python3 -c 'import botocore.auth' 2>/dev/null || skip "python3-botocore is not installed"
}

start_standin() {
    python3 "$STANDIN" "$@" >"$T/standin.port.$$" 2>"$T/standin.err" &
    SA_PID=$!
    track_pid "$SA_PID"
    sa_i=0
    while [ ! -s "$T/standin.port.$$" ] && [ "$sa_i" -lt 100 ]; do
        kill -0 "$SA_PID" 2>/dev/null || fail "the stand-in died: $(cat "$T/standin.err")"
        sleep 0.1
        sa_i=$((sa_i + 1))
    done
    SA_PORT=$(head -n 1 "$T/standin.port.$$")
    [ -n "$SA_PORT" ] || fail "the stand-in printed no port"
    rm -f "$T/standin.port.$$"
    SA_URL="http://127.0.0.1:$SA_PORT"
}

sa_count() {
    curl -s "$SA_URL/_counts" | python3 -c "import json,sys; print(json.load(sys.stdin)['${1:-requests}'])"
}

sa_outcome() {
    curl -s "$SA_URL/_counts" |
        python3 -c "import json,sys; print(json.load(sys.stdin)['by_outcome'].get(sys.argv[1], 0))" "$1"
}

# a port nothing listens on, for instance metadata that must not answer
CLOSED_PORT=$(free_port)
mkdir -p "$T/home"

aws_env() {
    env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN -u AWS_PROFILE \
        -u AWS_DEFAULT_PROFILE -u AWS_REGION -u AWS_DEFAULT_REGION -u AWS_CONFIG_FILE \
        -u AWS_SHARED_CREDENTIALS_FILE -u AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
        -u AWS_CONTAINER_CREDENTIALS_FULL_URI -u AWS_CONTAINER_AUTHORIZATION_TOKEN \
        -u AWS_CREDENTIAL_EXPIRATION -u CICADA_AWS_SIGV4 -u CICADA_AWS_REGION -u CICADA_AWS_PROFILE \
        HOME="$T/home" AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:$CLOSED_PORT" "$@"
}

# json_get FILE EXPR: a Python expression on the JSON report d
json_get() {
    python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
