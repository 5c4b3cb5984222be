# shellcheck shell=bash
# shellcheck disable=SC2034 # variables set here are used by the test scripts
# lib.sh: helpers for s3gate's end-to-end tests. Source it from a test script:
#
#   . "$(dirname "$0")/lib.sh"
#   e2e_init 300            # temp dir, cleanup trap, watchdog (seconds), dependency checks
#
# Environment (all optional when run from `make check`):
#   S3GATE_BIN            the s3gate binary (default: ./src/s3gate, i.e. the build directory)
#   srcdir                top source directory, or the tests/ directory (automake sets one of them;
#                         default: found from this file's location)
#   S3GATE_NODE_MODULES   node_modules with cognito-local (default: $srcdir/tests/node_modules,
#                         made by `npm ci` in tests/)
#   S3GATE_REQUIRE_E2E=1  a missing dependency (node modules, lighttpd, node, curl, jq, openssl)
#                         fails the test (exit 99) instead of skipping it (exit 77)
#   S3GATE_E2E_KEEP=1     keep the temporary folder (logs, configs) for inspection
#   S3GATE_E2E_VERBOSE=1  echo every HTTP exchange as TAP comments
#
# Output is TAP (https://testanything.org/). Exit status: 0 all passed, 1 some
# failed, 77 skipped (automake's SKIP; the plan line says `1..0 # SKIP`), 99
# hard error (`Bail out!`). The plan is printed last, so a script that dies
# half-way is reported as broken rather than passed. Under automake's
# tap-driver.sh (which exports AM_TAP_AWK) a skip exits 0, as that driver
# takes the skip from the plan line and counts any other status as an error.
#
# Every process started here runs in its own process group and is stopped
# (TERM, then KILL after 5 s) when the script exits, whatever the reason.

set -u
set -o pipefail

# ---------------------------------------------------------------- locations --

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [ -n "${srcdir:-}" ] && [ -f "$srcdir/tests/e2e/lib.sh" ]; then
	TOP_SRCDIR=$(cd "$srcdir" && pwd)
elif [ -n "${srcdir:-}" ] && [ -f "$srcdir/e2e/lib.sh" ]; then
	TOP_SRCDIR=$(cd "$srcdir/.." && pwd)
else
	TOP_SRCDIR=$(cd "$E2E_DIR/../.." && pwd)
fi
NODE_MODULES=${S3GATE_NODE_MODULES:-$TOP_SRCDIR/tests/node_modules}
LIGHTTPD_SNIPPET_DIR="$TOP_SRCDIR/lighttpd"
HTTP_TIMEOUT=${HTTP_TIMEOUT:-10}

# --------------------------------------------------------------------- TAP --

_tap_n=0
_tap_failed=0

# diag MSG...: TAP comments, one per argument and line ("# " prefixed).
diag() {
	local line
	printf '%s\n' "$@" | while IFS= read -r line; do printf '# %s\n' "$line"; done
}

# tap_ok STATUS DESCRIPTION: records one test; STATUS 0 passes. Returns STATUS.
tap_ok() {
	local st=$1 desc=${2//#/\\#}
	_tap_n=$((_tap_n + 1))
	if [ "$st" -eq 0 ]; then
		printf 'ok %d - %s\n' "$_tap_n" "$desc"
	else
		printf 'not ok %d - %s\n' "$_tap_n" "$desc"
		_tap_failed=$((_tap_failed + 1))
	fi
	return "$st"
}

# check DESCRIPTION CMD...: passes when CMD exits 0.
check() {
	local desc=$1
	shift
	"$@"
	tap_ok $? "$desc"
}

# is GOT WANT DESCRIPTION: string equality.
is() {
	if [ "$1" == "$2" ]; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		diag "     got: '$1'" "expected: '$2'"
		return 1
	fi
}

# like GOT ERE DESCRIPTION: extended regular expression match.
like() {
	if [[ $1 =~ $2 ]]; then
		tap_ok 0 "$3"
	else
		tap_ok 1 "$3"
		diag "     got: '$1'" "expected to match: /$2/"
		return 1
	fi
}

# unlike GOT ERE DESCRIPTION
unlike() {
	if [[ $1 =~ $2 ]]; then
		tap_ok 1 "$3"
		diag "     got: '$1'" "expected NOT to match: /$2/"
		return 1
	fi
	tap_ok 0 "$3"
}

# skip_test DESCRIPTION REASON: records a skipped test.
skip_test() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "${1//#/\\#}" "$2"
}

# bail MSG: aborts the whole script (hard error).
bail() {
	printf 'Bail out! %s\n' "$*"
	exit 99
}

# skip_all REASON: nothing can run here (missing dependency): exit 77, or
# fail when S3GATE_REQUIRE_E2E=1.
skip_all() {
	if [ "${S3GATE_REQUIRE_E2E:-0}" = 1 ]; then
		bail "$* (and S3GATE_REQUIRE_E2E=1)"
	fi
	printf '1..0 # SKIP %s\n' "$*"
	# automake's tap-driver.sh reads the skip from the plan and counts any
	# non-zero exit as an error; the plain test-driver wants 77. The former
	# exports AM_TAP_AWK to the test.
	if [ -n "${AM_TAP_AWK:-}" ]; then exit 0; fi
	exit 77
}

# tap_done: prints the plan and exits 0 (all passed) or 1.
tap_done() {
	printf '1..%d\n' "$_tap_n"
	if [ "$_tap_failed" -gt 0 ]; then
		diag "$_tap_failed of $_tap_n failed"
		exit 1
	fi
	exit 0
}

# ------------------------------------------------------ processes, cleanup --

E2E_TMP=
E2E_PIDS=()
_e2e_watchdog=
_e2e_ports=" "

# spawn NAME LOGFILE CMD...: starts CMD in the background in its own process
# group, stdout and stderr appended to LOGFILE. Sets SPAWNED_PID.
spawn() {
	local name=$1 log=$2
	shift 2
	setsid "$@" >>"$log" 2>&1 </dev/null &
	SPAWNED_PID=$!
	E2E_PIDS+=("$SPAWNED_PID")
	[ "${S3GATE_E2E_VERBOSE:-0}" = 1 ] && diag "started $name (pid $SPAWNED_PID): $*"
	return 0
}

# stop_pid PID: TERM the process group, KILL it after 5 s; reaps the process.
stop_pid() {
	local pid=$1 killer
	[ -n "$pid" ] || return 0
	kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid bash -c 'sleep 5; kill -KILL -- "-$1" 2>/dev/null; kill -KILL "$1" 2>/dev/null' _ "$pid" \
		>/dev/null 2>&1 </dev/null &
	killer=$!
	wait "$pid" 2>/dev/null
	# stragglers left in the group (e.g. FastCGI children)
	kill -KILL -- "-$pid" 2>/dev/null
	# the killer (by group, and by pid in case it has not reached setsid yet)
	kill -KILL -- "-$killer" 2>/dev/null
	kill -KILL "$killer" 2>/dev/null
	wait "$killer" 2>/dev/null
	local i
	for i in "${!E2E_PIDS[@]}"; do
		[ "${E2E_PIDS[$i]}" = "$pid" ] && unset "E2E_PIDS[$i]"
	done
	return 0
}

_e2e_cleanup() {
	local st=$? pid
	trap - EXIT INT TERM HUP
	for pid in "${E2E_PIDS[@]}"; do
		stop_pid "$pid"
	done
	if [ -n "$_e2e_watchdog" ]; then
		kill -KILL -- "-$_e2e_watchdog" 2>/dev/null
		kill -KILL "$_e2e_watchdog" 2>/dev/null
		wait "$_e2e_watchdog" 2>/dev/null
	fi
	if [ -n "$E2E_TMP" ] && [ -d "$E2E_TMP" ]; then
		if [ "${S3GATE_E2E_KEEP:-0}" = 1 ]; then
			diag "kept $E2E_TMP"
		elif [ "$st" -ne 0 ] && [ "$st" -ne 77 ]; then
			# keep the evidence of a failure; it is small
			diag "failed: logs and configs kept in $E2E_TMP"
		else
			rm -rf "$E2E_TMP"
		fi
	fi
	exit "$st"
}

_e2e_on_signal() {
	printf 'Bail out! %s\n' "$1"
	exit 99
}

# e2e_init TIMEOUT_SECONDS: temp dir, traps, watchdog, dependency checks.
e2e_init() {
	local timeout=${1:-300} tool
	trap _e2e_cleanup EXIT
	trap '_e2e_on_signal "interrupted"' INT HUP
	trap '_e2e_on_signal "terminated (watchdog: over '"$timeout"' s, or killed)"' TERM

	for tool in curl jq node openssl setsid; do
		command -v "$tool" >/dev/null 2>&1 || skip_all "$tool not found"
	done
	LIGHTTPD=${LIGHTTPD:-$(command -v lighttpd || echo /usr/sbin/lighttpd)}
	[ -x "$LIGHTTPD" ] || skip_all "lighttpd not found (apt-get install lighttpd)"
	[ -f "$NODE_MODULES/cognito-local/package.json" ] ||
		skip_all "node modules not found in $NODE_MODULES (run 'npm ci' in tests/, or set S3GATE_NODE_MODULES)"
	export NODE_PATH=$NODE_MODULES
	# cognito-local pulls in aws-sdk v2, which prints a notice at start
	export AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE=1

	S3GATE_BIN=${S3GATE_BIN:-$PWD/src/s3gate}
	case $S3GATE_BIN in /*) ;; *) S3GATE_BIN=$PWD/$S3GATE_BIN ;; esac
	[ -x "$S3GATE_BIN" ] || bail "s3gate binary not found: S3GATE_BIN=$S3GATE_BIN (build it, or set S3GATE_BIN)"
	# stray configuration in the caller's environment must not leak into the
	# processes under test (mod_cgi and the FastCGI snippet do not pass it, but
	# a direct run would)
	local v
	for v in $(compgen -e | grep '^S3GATE_' | grep -v -e '^S3GATE_BIN$' -e '^S3GATE_NODE_MODULES$' \
		-e '^S3GATE_REQUIRE_E2E$' -e '^S3GATE_E2E_'); do
		unset "$v"
	done

	E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/s3gate-e2e.XXXXXX") || bail "mktemp failed"
	# shellcheck disable=SC2016 # expanded by the inner shell
	setsid bash -c 'sleep "$1"; kill -TERM "$2"' _ "$timeout" "$$" >/dev/null 2>&1 </dev/null &
	_e2e_watchdog=$!
	diag "s3gate: $S3GATE_BIN"
	diag "work dir: $E2E_TMP"
}

# wait_until SECONDS DESCRIPTION CMD...: polls CMD every 0.1 s. If PID_ALIVE
# is set and that process dies meanwhile, gives up at once.
wait_until() {
	local secs=$1 desc=$2 deadline
	shift 2
	deadline=$(($(date +%s%N) / 1000000 + secs * 1000))
	while :; do
		"$@" && return 0
		if [ -n "${PID_ALIVE:-}" ] && ! kill -0 "$PID_ALIVE" 2>/dev/null; then
			diag "$desc: process $PID_ALIVE exited"
			return 1
		fi
		if [ $(($(date +%s%N) / 1000000)) -ge "$deadline" ]; then
			diag "$desc: timed out after $secs s"
			return 1
		fi
		sleep 0.1
	done
}

# port_in_use PORT
port_in_use() {
	(: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port VAR: a port on 127.0.0.1 that nothing listens on and that this
# script has not handed out yet.
free_port() {
	local p i
	for i in $(seq 1 200); do
		p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		case $_e2e_ports in *" $p "*) continue ;; esac
		if ! port_in_use "$p"; then
			_e2e_ports="$_e2e_ports$p "
			printf -v "$1" '%s' "$p"
			return 0
		fi
	done
	bail "no free port found"
}

# show_log FILE [LINES]: the end of a log, as TAP comments.
show_log() {
	[ -f "$1" ] || return 0
	diag "--- last ${2:-30} lines of $1:"
	diag "$(tail -n "${2:-30}" "$1")"
}

# -------------------------------------------------------------------- HTTP --

HTTP_STATUS=
HTTP_BODY=
HTTP_HEADERS=
HTTP_COUNT=0
BASE_URL=

# http METHOD URL [CURL_ARGS...]: one request with curl. URL may be a path
# ("/s3gate/healthz"), taken relative to BASE_URL. Sets HTTP_STATUS ("000" when
# no answer), HTTP_HEADERS (raw header block, CRs removed) and HTTP_BODY
# (always empty for HEAD).
http() {
	local method=$1 url=$2 out
	shift 2
	case $url in /*) url=$BASE_URL$url ;; esac
	out="$E2E_TMP/http.$$"
	local -a m=(-X "$method")
	[ "$method" = HEAD ] && m=(--head)
	HTTP_COUNT=$((HTTP_COUNT + 1))
	HTTP_STATUS=$(curl -sS --max-time "$HTTP_TIMEOUT" --globoff "${m[@]}" -D "$out.h" -o "$out.b" \
		-w '%{http_code}' "$@" "$url" 2>"$out.e")
	[ -n "$HTTP_STATUS" ] || HTTP_STATUS=000
	HTTP_HEADERS=$(tr -d '\r' <"$out.h" 2>/dev/null)
	# with --head curl writes the headers where the body would go
	if [ "$method" = HEAD ]; then HTTP_BODY=; else HTTP_BODY=$(cat "$out.b" 2>/dev/null); fi
	if [ "$HTTP_STATUS" = 000 ]; then
		diag "curl $method $url: $(cat "$out.e")"
	fi
	if [ "${S3GATE_E2E_VERBOSE:-0}" = 1 ]; then
		diag "$method $url -> $HTTP_STATUS" "$HTTP_HEADERS" "$HTTP_BODY"
	fi
	rm -f "$out.h" "$out.b" "$out.e"
	return 0
}

# cgi_direct ROUTE QUERY [VAR=VALUE...]: runs S3GATE_BIN once as a CGI
# program, with no web server in between (so the query reaches it exactly as
# given, as under servers that do not normalise it), a clean environment made
# of the request's variables and the VAR=VALUE settings. Sets HTTP_STATUS
# (from the Status header; 200 without one), HTTP_HEADERS and HTTP_BODY; the
# program's stderr is appended to $E2E_TMP/cgi-direct.log.
cgi_direct() {
	local route=$1 query=$2 out="$E2E_TMP/cgi-direct.$$"
	shift 2
	timeout 10 env -i PATH=/usr/bin:/bin GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
		SERVER_SOFTWARE=s3gate-e2e SERVER_NAME=127.0.0.1 SERVER_PORT=80 REMOTE_ADDR=127.0.0.1 \
		REQUEST_METHOD=GET SCRIPT_NAME=/s3gate PATH_INFO="$route" QUERY_STRING="$query" \
		REQUEST_URI="/s3gate$route${query:+?$query}" "$@" "$S3GATE_BIN" \
		</dev/null >"$out" 2>>"$E2E_TMP/cgi-direct.log"
	HTTP_HEADERS=$(awk '{ sub(/\r$/, "") } /^$/ { exit } { print }' "$out")
	HTTP_BODY=$(awk 'b { print; next } { sub(/\r$/, "") } /^$/ { b = 1 }' "$out")
	HTTP_STATUS=$(http_header Status | cut -d' ' -f1)
	[ -n "$HTTP_STATUS" ] || HTTP_STATUS=200
	[ -s "$out" ] || HTTP_STATUS=000
	rm -f "$out"
}

# http_header NAME: the value of the last NAME header of the last response.
http_header() {
	printf '%s\n' "$HTTP_HEADERS" | awk -v n="$1" '
		BEGIN { n = tolower(n) }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) { v = substr($0, i + 1); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v); last = v; found = 1 } }
		END { if (found) print last; exit !found }'
}

# http_header_count NAME: how many NAME headers the last response had.
http_header_count() {
	printf '%s\n' "$HTTP_HEADERS" | awk -v n="$1" '
		BEGIN { n = tolower(n); c = 0 }
		{ i = index($0, ":"); if (i && tolower(substr($0, 1, i - 1)) == n) c++ }
		END { print c }'
}

# is_json_object TEXT: exactly one JSON value, an object.
is_json_object() {
	printf '%s' "$1" | jq -e -s 'length == 1 and (.[0] | type) == "object"' >/dev/null 2>&1
}

# json_get JQ_FILTER [TEXT]: jq -r on TEXT (default: the last body); "" on error.
json_get() {
	printf '%s' "${2-$HTTP_BODY}" | jq -r "$1" 2>/dev/null || true
}

# -------------------------------------------------------------------- JWTs --

b64url_encode() { base64 -w0 | tr '+/' '-_' | tr -d '='; }

b64url_decode() {
	local s
	s=$(tr '_-' '/+')
	case $((${#s} % 4)) in 2) s="$s==" ;; 3) s="$s=" ;; esac
	printf '%s' "$s" | base64 -d 2>/dev/null
}

# jwt_part TOKEN N: the Nth (1-3) dot-separated part.
jwt_part() { printf '%s' "$1" | cut -d. -f"$2"; }

# jwt_claims TOKEN: the decoded payload (JSON).
jwt_claims() { jwt_part "$1" 2 | b64url_decode; }

# jwt_with_claims TOKEN JQ_FILTER: the same header and signature around a
# payload changed by JQ_FILTER (so the signature no longer matches).
jwt_with_claims() {
	local h p s
	h=$(jwt_part "$1" 1)
	s=$(jwt_part "$1" 3)
	p=$(jwt_claims "$1" | jq -c "$2" | tr -d '\n' | b64url_encode)
	printf '%s.%s.%s' "$h" "$p" "$s"
}

# jwt_flip_char TOKEN: one character of the payload changed (the middle one,
# A<->B or otherwise to 'A'); header and signature untouched.
jwt_flip_char() {
	local h p s i c n
	h=$(jwt_part "$1" 1)
	p=$(jwt_part "$1" 2)
	s=$(jwt_part "$1" 3)
	i=$((${#p} / 2))
	c=${p:$i:1}
	case $c in A) n=B ;; *) n=A ;; esac
	printf '%s.%s%s%s.%s' "$h" "${p:0:$i}" "$n" "${p:$((i + 1))}" "$s"
}

# --------------------------------------------------------------- cognito ----

COGNITO_PORT=
COGNITO_URL=
COGNITO_PID=

# start_cognito: cognito-local on a free port, in its own scratch folder with
# .cognito/config.json (plain user names, issuer http://127.0.0.1:PORT).
start_cognito() {
	local dir="$E2E_TMP/cognito" try
	local bin="$NODE_MODULES/cognito-local/lib/bin/start.js"
	[ -f "$bin" ] || bail "cognito-local entry point not found: $bin"
	for try in 1 2 3; do
		rm -rf "$dir"
		mkdir -p "$dir/.cognito"
		free_port COGNITO_PORT
		COGNITO_URL="http://127.0.0.1:$COGNITO_PORT"
		jq -n --arg issuer "$COGNITO_URL" \
			'{UserPoolDefaults: {UsernameAttributes: []}, TokenConfig: {IssuerDomain: $issuer}}' \
			>"$dir/.cognito/config.json"
		spawn cognito-local "$dir/cognito.log" env -C "$dir" HOST=127.0.0.1 PORT="$COGNITO_PORT" node "$bin"
		COGNITO_PID=$SPAWNED_PID
		if PID_ALIVE=$COGNITO_PID wait_until 30 "cognito-local start" grep -q 'Cognito Local running' "$dir/cognito.log"; then
			return 0
		fi
		show_log "$dir/cognito.log"
		stop_pid "$COGNITO_PID"
		grep -q EADDRINUSE "$dir/cognito.log" || break
	done
	return 1
}

# cognito ACTION JSON: one call of the Cognito JSON API; prints the answer.
# Fails (with the error as a TAP comment) unless the status is 200.
cognito() {
	local out="$E2E_TMP/cognito.out" st
	st=$(curl -sS --max-time "$HTTP_TIMEOUT" -X POST "$COGNITO_URL/" \
		-H 'Content-Type: application/x-amz-json-1.1' \
		-H "X-Amz-Target: AWSCognitoIdentityProviderService.$1" \
		--data-binary "$2" -o "$out" -w '%{http_code}')
	if [ "$st" != 200 ]; then
		diag "cognito $1 -> HTTP $st: $(cat "$out" 2>/dev/null)"
		return 1
	fi
	cat "$out"
}

# cognito_setup: a user pool, a client ("web") and a second one ("other"), a
# group, a user in it with a permanent password, and tokens by
# InitiateAuth/USER_PASSWORD_AUTH. Sets:
#   POOL_ID CLIENT_ID OTHER_CLIENT_ID ISSUER JWKS_URL
#   USER_NAME USER_EMAIL USER_PASSWORD USER_SUB GROUP_NAME
#   ID_TOKEN ACCESS_TOKEN OTHER_ID_TOKEN
cognito_setup() {
	local r
	GROUP_NAME=readers
	USER_NAME=alice
	USER_EMAIL=alice@example.test
	USER_PASSWORD='Corr3ct-Horse!'

	r=$(cognito CreateUserPool '{"PoolName":"s3gate-e2e"}') || return 1
	POOL_ID=$(json_get .UserPool.Id "$r")
	ISSUER="$COGNITO_URL/$POOL_ID"
	JWKS_URL="$ISSUER/.well-known/jwks.json"

	r=$(cognito CreateUserPoolClient "$(jq -cn --arg p "$POOL_ID" \
		'{UserPoolId: $p, ClientName: "web", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}')") || return 1
	CLIENT_ID=$(json_get .UserPoolClient.ClientId "$r")
	r=$(cognito CreateUserPoolClient "$(jq -cn --arg p "$POOL_ID" \
		'{UserPoolId: $p, ClientName: "other", ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}')") || return 1
	OTHER_CLIENT_ID=$(json_get .UserPoolClient.ClientId "$r")

	cognito CreateGroup "$(jq -cn --arg p "$POOL_ID" --arg g "$GROUP_NAME" \
		'{UserPoolId: $p, GroupName: $g}')" >/dev/null || return 1
	r=$(cognito AdminCreateUser "$(jq -cn --arg p "$POOL_ID" --arg u "$USER_NAME" --arg e "$USER_EMAIL" \
		'{UserPoolId: $p, Username: $u, MessageAction: "SUPPRESS",
		  UserAttributes: [{Name: "email", Value: $e}, {Name: "email_verified", Value: "true"}]}')") || return 1
	USER_SUB=$(json_get '.User.Attributes[] | select(.Name == "sub") | .Value' "$r")
	cognito AdminSetUserPassword "$(jq -cn --arg p "$POOL_ID" --arg u "$USER_NAME" --arg pw "$USER_PASSWORD" \
		'{UserPoolId: $p, Username: $u, Password: $pw, Permanent: true}')" >/dev/null || return 1
	cognito AdminAddUserToGroup "$(jq -cn --arg p "$POOL_ID" --arg u "$USER_NAME" --arg g "$GROUP_NAME" \
		'{UserPoolId: $p, Username: $u, GroupName: $g}')" >/dev/null || return 1

	r=$(cognito_login "$CLIENT_ID") || return 1
	ID_TOKEN=$(json_get .AuthenticationResult.IdToken "$r")
	ACCESS_TOKEN=$(json_get .AuthenticationResult.AccessToken "$r")
	r=$(cognito_login "$OTHER_CLIENT_ID") || return 1
	OTHER_ID_TOKEN=$(json_get .AuthenticationResult.IdToken "$r")

	local v
	for v in POOL_ID CLIENT_ID OTHER_CLIENT_ID USER_SUB ID_TOKEN ACCESS_TOKEN OTHER_ID_TOKEN; do
		if [ -z "${!v}" ] || [ "${!v}" = null ]; then
			diag "cognito_setup: no $v"
			return 1
		fi
	done
	diag "cognito-local: pool $POOL_ID, client $CLIENT_ID, other client $OTHER_CLIENT_ID, user $USER_NAME ($USER_SUB)"
}

# cognito_login CLIENT_ID: InitiateAuth USER_PASSWORD_AUTH as USER_NAME.
cognito_login() {
	cognito InitiateAuth "$(jq -cn --arg c "$1" --arg u "$USER_NAME" --arg pw "$USER_PASSWORD" \
		'{ClientId: $c, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: {USERNAME: $u, PASSWORD: $pw}}')"
}

# ------------------------------------------------------------------ lighttpd --

LIGHTTPD_PID=
LIGHTTPD_PORT=
LIGHTTPD_LOG=
LIGHTTPD_DIR=
LIGHTTPD_FCGI_PROCS=${LIGHTTPD_FCGI_PROCS:-2}

# _lighttpd_string VALUE: VALUE as a lighttpd string literal.
_lighttpd_string() {
	# shellcheck disable=SC1003 # a backslash, not an escaped quote
	case $1 in
	*'"'* | *'\'* | *$'\n'*) bail "value not supported in a lighttpd string: $1" ;;
	esac
	printf '"%s"' "$1"
}

# _start_lighttpd MODE NAME SETTINGS...: MODE is fastcgi or cgi; NAME names the
# instance's folder; SETTINGS are KEY=VALUE pairs for s3gate's environment
# (var.s3gate_env). Sets LIGHTTPD_PID, LIGHTTPD_PORT, LIGHTTPD_LOG, BASE_URL.
_start_lighttpd() {
	local mode=$1 name=$2
	shift 2
	local dir="$E2E_TMP/lighttpd-$name" snippet="$LIGHTTPD_SNIPPET_DIR/s3gate-$mode.conf" kv try sep
	[ -f "$snippet" ] || bail "shipped snippet not found: $snippet"
	[ -f "$E2E_DIR/lighttpd.conf.in" ] || bail "template not found: $E2E_DIR/lighttpd.conf.in"
	mkdir -p "$dir/htdocs"
	echo "s3gate e2e" >"$dir/htdocs/index.html"
	LIGHTTPD_DIR=$dir
	LIGHTTPD_LOG="$dir/error.log"

	{
		echo "## generated by tests/e2e/lib.sh ($mode)"
		echo "var.s3gate_bin = $(_lighttpd_string "$S3GATE_BIN")"
		if [ "$mode" = fastcgi ]; then
			echo "var.s3gate_socket = $(_lighttpd_string "$dir/s3gate.socket")"
			echo "var.s3gate_max_procs = $LIGHTTPD_FCGI_PROCS"
		fi
		echo "var.s3gate_env = ("
		sep=" "
		for kv in "$@"; do
			echo "  $sep $(_lighttpd_string "${kv%%=*}") => $(_lighttpd_string "${kv#*=}")"
			sep=","
		done
		echo ")"
	} >"$dir/s3gate-vars.conf"

	for try in 1 2 3; do
		free_port LIGHTTPD_PORT
		sed -e "s|@TMP@|$dir|g" -e "s|@PORT@|$LIGHTTPD_PORT|g" -e "s|@ERRORLOG@|$LIGHTTPD_LOG|g" \
			-e "s|@VARSFILE@|$dir/s3gate-vars.conf|g" -e "s|@SNIPPET@|$snippet|g" \
			"$E2E_DIR/lighttpd.conf.in" >"$dir/lighttpd.conf"
		if ! "$LIGHTTPD" -tt -f "$dir/lighttpd.conf" >"$dir/configtest.log" 2>&1; then
			diag "lighttpd refused the configuration:" "$(cat "$dir/configtest.log")"
			return 1
		fi
		# -D: stay in the foreground. Its stderr (and so the stderr of the
		# programs it starts, as when it runs as a daemon) goes to the error log.
		spawn "lighttpd-$name" "$LIGHTTPD_LOG" "$LIGHTTPD" -D -f "$dir/lighttpd.conf"
		LIGHTTPD_PID=$SPAWNED_PID
		BASE_URL="http://127.0.0.1:$LIGHTTPD_PORT"
		if PID_ALIVE=$LIGHTTPD_PID wait_until 15 "lighttpd ($mode) start" _lighttpd_answers; then
			diag "lighttpd ($mode) on $BASE_URL, log $LIGHTTPD_LOG"
			return 0
		fi
		show_log "$LIGHTTPD_LOG"
		stop_pid "$LIGHTTPD_PID"
		LIGHTTPD_PID=
		grep -q 'Address already in use' "$LIGHTTPD_LOG" || break
	done
	return 1
}

_lighttpd_answers() {
	local st
	st=$(curl -s --max-time 2 -o /dev/null -w '%{http_code}' "$BASE_URL/index.html")
	[ "$st" = 200 ]
}

# start_lighttpd_fcgi NAME KEY=VALUE...: lighttpd with s3gate over FastCGI
# (lighttpd/s3gate-fastcgi.conf; LIGHTTPD_FCGI_PROCS processes, default 2).
start_lighttpd_fcgi() { _start_lighttpd fastcgi "$@"; }

# start_lighttpd_cgi NAME KEY=VALUE...: lighttpd with s3gate as a CGI program
# (lighttpd/s3gate-cgi.conf).
start_lighttpd_cgi() { _start_lighttpd cgi "$@"; }

# stop_lighttpd: stops the current lighttpd (its log stays in LIGHTTPD_LOG).
stop_lighttpd() {
	stop_pid "$LIGHTTPD_PID"
	LIGHTTPD_PID=
}

# s3gate_log_lines: the lines s3gate wrote to the current lighttpd error log.
s3gate_log_lines() {
	grep -a 's3gate\[[0-9]*\]' "$LIGHTTPD_LOG" 2>/dev/null
}

# no_sanitizer_reports DESCRIPTION FILE...: no AddressSanitizer, LeakSanitizer
# or UBSan report in the logs. A CGI process that leaks still answers 200, and
# its report goes only to the error log, so a sanitizer build is checked here.
no_sanitizer_reports() {
	local desc=$1 hits
	shift
	hits=$(grep -aE -e 'ERROR: (Address|Leak|Memory|Thread)Sanitizer' -e 'runtime error: ' \
		-e 'SUMMARY: [A-Za-z]*Sanitizer' "$@" 2>/dev/null)
	if [ -z "$hits" ]; then
		tap_ok 0 "$desc"
	else
		tap_ok 1 "$desc"
		diag "$(printf '%s\n' "$hits" | head -n 20)"
	fi
}

# ------------------------------------------------------ JWKS server, minter --

JWKS_PID=
JWKS_PORT=
JWKS_BASE=

# start_jwks_server DIR SET: tests/e2e/jwks-server.cjs serving DIR/SET.json.
start_jwks_server() {
	local log="$E2E_TMP/jwks-server.log"
	: >"$log"
	spawn jwks-server "$log" node "$E2E_DIR/jwks-server.cjs" --dir "$1" --set "$2" --port 0
	JWKS_PID=$SPAWNED_PID
	if ! PID_ALIVE=$JWKS_PID wait_until 15 "jwks-server start" grep -q '^listening ' "$log"; then
		show_log "$log"
		return 1
	fi
	JWKS_PORT=$(sed -n 's/^listening http:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$log" | head -n1)
	JWKS_BASE="http://127.0.0.1:$JWKS_PORT"
}

stop_jwks_server() {
	stop_pid "$JWKS_PID"
	JWKS_PID=
}

# jwks_hits: how many times the JWKS document was fetched.
jwks_hits() {
	curl -sS --max-time 5 "$JWKS_BASE/hits" | jq -r .jwks
}

# jwks_switch SET: serve DIR/SET.json from now on.
jwks_switch() {
	curl -sS --max-time 5 -X POST -o /dev/null -w '%{http_code}' "$JWKS_BASE/switch?set=$1" | grep -q '^200$'
}

# mint ARGS...: tests/e2e/mint.cjs
mint() { node "$E2E_DIR/mint.cjs" "$@"; }
