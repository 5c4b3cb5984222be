#!/usr/bin/env bash
# creds.sh: where s3gate finds its AWS credentials, end to end. cognito-local
# for tokens, a real Ceph RADOS Gateway (strict SigV4) for S3 with three access
# keys of one user, aws-metadata.cjs playing the EC2 instance metadata service
# (IMDSv2) and the ECS container credentials endpoint, and lighttpd with s3gate
# over FastCGI (one process, so fetch counts are exact). Every check that the
# credentials work downloads a small object through s3gate. TAP on stdout.
#
#   S3GATE_BIN=/path/to/build/src/s3gate srcdir=/path/to/source tests/e2e/creds.sh
#
# Checks: environment (and check-config naming it without the secret); half
# of the environment pair (exit 2, one line naming the variable); the shared
# credentials file with AWS_PROFILE (and the default profile); environment over
# file; ECS with AWS_CONTAINER_CREDENTIALS_FULL_URI and an authorization token
# (and a token the endpoint refuses: 502, the log says why); IMDSv2 (token by
# PUT, then the role, then its credentials); refresh of temporary credentials
# 300 s before Expiration, with one fetch per refresh and none per request,
# after the old key is deleted from radosgw; a broken answer to a refresh
# (new key id, empty secret) leaves the cached pair whole; the endpoint down
# while cached keys are unexpired (served) and after they expire (502, the
# log names the credentials); no credentials at
# all (502, the log says so); no secret in any log, response or check-config.
#
# Needs what relay.sh needs (lib.sh's dependencies and lib-s3.sh's
# S3_APT_PACKAGES), but little memory. About 45 s. See lib.sh for the
# variables and exit codes.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-s3.sh"
e2e_init "${S3GATE_E2E_TIMEOUT:-300}"
s3_require

T_START=$(_ms)
# one FastCGI process: credentials are cached per process, so the endpoint's
# hit counts are exact only with one
LIGHTTPD_FCGI_PROCS=1
# only small objects here
S3_MEMSTORE_BYTES=$((256 * 1024 * 1024))

start_cognito || bail "cognito-local did not start"
cognito_setup || bail "cognito-local setup failed"
start_radosgw || bail "radosgw did not start"

OBJ_KEY="notes/creds.txt"
OBJ_BYTES="credentials work, $(date +%s)"
s3_put_bytes "$OBJ_BYTES" "$OBJ_KEY" || bail "upload of $OBJ_KEY failed"

# ------------------------------------------------------------- the keys ----

# Key 1 is lib-s3.sh's (S3_ACCESS_KEY, S3_SECRET_KEY); keys 2 and 3 belong to
# the same user, so the refresh can move from one to the other.
rand_key() { printf 'S3GATE%s%04X%04X%04X' "$1" $RANDOM $RANDOM $RANDOM; }
rand_secret() { printf '%sSecret/%s+z' "$1" "$(head -c 24 /dev/urandom | base64 | tr -d '=\n')"; }
KEY1=$S3_ACCESS_KEY
SECRET1=$S3_SECRET_KEY
KEY2=$(rand_key K2)
SECRET2=$(rand_secret k2)
KEY3=$(rand_key K3)
SECRET3=$(rand_secret k3)
WRONG_SECRET=$(rand_secret wrong)
ECS_AUTH="ecs-auth-$(head -c 18 /dev/urandom | base64 | tr -d '=\n/+')"
ECS_AUTH_OTHER="ecs-other-$(head -c 18 /dev/urandom | base64 | tr -d '=\n/+')"
SESSION_TOKEN="sess-$(head -c 30 /dev/urandom | base64 | tr -d '=\n/+')"
ENV_SESSION_TOKEN="envsess-$(head -c 30 /dev/urandom | base64 | tr -d '=\n/+')"
SECRETS=("$SECRET1" "$SECRET2" "$SECRET3" "$WRONG_SECRET" "$ECS_AUTH" "$ECS_AUTH_OTHER"
	"$SESSION_TOKEN" "$ENV_SESSION_TOKEN")

rgw_admin() { timeout 30 radosgw-admin -c "$CEPH_CONF_FILE" "$@" 2>>"$CEPH_DIR/log/setup.log"; }
rgw_admin key create --uid=e2e --key-type=s3 --access-key="$KEY2" --secret-key="$SECRET2" >/dev/null ||
	bail "radosgw-admin key create (key 2) failed"
rgw_admin key create --uid=e2e --key-type=s3 --access-key="$KEY3" --secret-key="$SECRET3" >/dev/null ||
	bail "radosgw-admin key create (key 3) failed"

# key_works KEY SECRET: radosgw itself accepts the pair (HEAD of the object).
key_works() {
	S3_ENDPOINT=$S3_ENDPOINT AWS_ACCESS_KEY_ID=$1 AWS_SECRET_ACCESS_KEY=$2 AWS_REGION=$S3_REGION \
		timeout 30 "$S3_PYTHON" "$S3_CLIENT" head "$S3_BUCKET" "$OBJ_KEY" >/dev/null 2>>"$CEPH_DIR/log/client.log"
}
for k in 1 2 3; do
	kid=KEY$k sec=SECRET$k
	key_works "${!kid}" "${!sec}" || bail "radosgw does not accept key $k"
done
key_works "$KEY1" "$WRONG_SECRET" && bail "radosgw accepts a wrong secret"
diag "radosgw: 3 keys of user e2e; $(($(_ms) - T_START)) ms since start"

# ------------------------------------------------- the metadata server ----

META_PID=
META_BASE=
META_LOG="$E2E_TMP/aws-metadata.log"
ROLE=s3gate-e2e-role
ROLE_PATH="/latest/meta-data/iam/security-credentials/$ROLE"

start_meta() {
	: >"$META_LOG"
	spawn aws-metadata "$META_LOG" node "$E2E_DIR/aws-metadata.cjs" --port 0
	META_PID=$SPAWNED_PID
	if ! PID_ALIVE=$META_PID wait_until 15 "aws-metadata start" grep -q '^listening ' "$META_LOG"; then
		show_log "$META_LOG"
		return 1
	fi
	META_BASE=$(sed -n 's/^listening \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$META_LOG" | head -n1)
	[ -n "$META_BASE" ]
}

stop_meta() {
	stop_pid "$META_PID"
	META_PID=
}

# meta_control JSON: change what the server serves.
meta_control() {
	local st
	st=$(curl -sS --max-time 5 -X POST -o /dev/null -w '%{http_code}' --data-binary "$1" "$META_BASE/control")
	[ "$st" = 200 ] || bail "aws-metadata /control answered $st"
}

# meta_serve KEY SECRET EXPIRES_IN: serve this pair, Expiration now + EXPIRES_IN s.
meta_serve() {
	meta_control "$(jq -cn --arg k "$1" --arg s "$2" --argjson e "$3" --arg t "$SESSION_TOKEN" --arg r "$ROLE" \
		'{accessKeyId: $k, secretAccessKey: $s, expiresIn: $e, token: $t, role: $r}')"
}

meta_reset() { curl -sS --max-time 5 -X POST -o /dev/null "$META_BASE/hits/reset"; }
meta_hits() { curl -sS --max-time 5 "$META_BASE/hits"; }
# meta_fetches: credential documents served since the last reset.
meta_fetches() { meta_hits | jq -r .credentials; }
# meta_log: "METHOD PATH STATUS" per request since the last reset, one a line.
meta_log() { meta_hits | jq -r '.log[]'; }

start_meta || bail "aws-metadata.cjs did not start"
diag "aws-metadata on $META_BASE"

# ---------------------------------------------------------------- helpers --

uri() { printf '%s' "$1" | jq -sRr @uri; }
DL="/s3gate/download?fn=$(uri "$OBJ_KEY")"
AUTH=(-H "Authorization: Bearer $ID_TOKEN")
RESPONSES="$E2E_TMP/responses.txt"
LOGS=()

mkdir -p "$E2E_TMP/cache" "$E2E_TMP/home-empty"
# what every instance gets; HOME points at a folder without .aws/ unless a
# check says otherwise (the shipped snippet passes no HOME; set it anyway)
s3gate_s3_settings SETTINGS
SETTINGS+=(
	S3GATE_CACHE_DIR="$E2E_TMP/cache"
)

# instance NAME VAR=VALUE...: a fresh lighttpd + s3gate (one FastCGI process)
# with SETTINGS and these variables. A different HOME=... replaces the default.
instance() {
	local name=$1
	shift
	case " $* " in *" HOME="*) ;; *) set -- "$@" HOME="$E2E_TMP/home-empty" ;; esac
	[ -n "$LIGHTTPD_PID" ] && stop_lighttpd
	start_lighttpd_fcgi "$name" "${SETTINGS[@]}" "$@" || bail "lighttpd ($name) did not start"
	LOGS+=("$LIGHTTPD_LOG")
}

# download: GET the object through s3gate; sets HTTP_STATUS, HTTP_BODY.
download() {
	http GET "$DL" "${AUTH[@]}"
	printf '=== GET %s -> %s\n%s\n\n%s\n' "$DL" "$HTTP_STATUS" "$HTTP_HEADERS" "$HTTP_BODY" >>"$RESPONSES"
}

# download_ok DESCRIPTION: the download answers 200 with the object's bytes.
download_ok() {
	download
	is "$HTTP_STATUS $HTTP_BODY" "200 $OBJ_BYTES" "$1"
}

# download_502 DESCRIPTION: 502 with a short JSON error.
download_502() {
	download
	is "$HTTP_STATUS" 502 "$1: 502"
	check "$1: the body is a JSON object with error and message" is_error_json "$HTTP_BODY"
}

# is_error_json TEXT: one JSON object with error and message strings.
# shellcheck disable=SC2317 # called through check
is_error_json() {
	printf '%s' "$1" | jq -e -s \
		'length == 1 and (.[0].error | type) == "string" and (.[0].message | type) == "string"' >/dev/null 2>&1
}

# downloads N: N downloads; prints how many answered 200 with the bytes.
downloads() {
	local i ok=0
	for i in $(seq 1 "$1"); do
		download
		[ "$HTTP_STATUS $HTTP_BODY" = "200 $OBJ_BYTES" ] && ok=$((ok + 1))
	done
	echo "$ok"
}

CC_OUT=
CC_ERR=
CC_RC=
# check_config VAR=VALUE...: `s3gate check-config` run directly, with a clean
# environment made of SETTINGS and these variables. Sets CC_OUT, CC_ERR, CC_RC.
check_config() {
	local o="$E2E_TMP/cc.out" e="$E2E_TMP/cc.err"
	case " $* " in *" HOME="*) ;; *) set -- "$@" HOME="$E2E_TMP/home-empty" ;; esac
	timeout 20 env -i PATH=/usr/bin:/bin "${SETTINGS[@]}" "$@" "$S3GATE_BIN" check-config >"$o" 2>"$e"
	CC_RC=$?
	CC_OUT=$(cat "$o")
	CC_ERR=$(cat "$e")
	# the variables' names only: their values hold secrets
	printf '=== check-config with %s -> %s\n%s\n%s\n' "$(printf '%s\n' "$@" | sed 's/=.*//' | tr '\n' ' ')" \
		"$CC_RC" "$CC_OUT" "$CC_ERR" >>"$E2E_TMP/check-config.txt"
}

# cc_credentials: the "# credentials:" line check-config printed last.
cc_credentials() { printf '%s\n' "$CC_OUT" | tail -n 1; }

# no_secret_in DESCRIPTION TEXT: none of SECRETS in TEXT.
no_secret_in() {
	local s found=0
	for s in "${SECRETS[@]}"; do
		case $2 in *"$s"*) found=$((found + 1)) ;; esac
	done
	is "$found" 0 "$1"
}

# sleep_until MS: sleep until _ms reaches MS.
sleep_until() {
	local d=$(($1 - $(_ms)))
	[ "$d" -gt 0 ] && sleep "$(printf '%d.%03d' $((d / 1000)) $((d % 1000)))"
	return 0
}

# ------------------------------------------------------------ environment --

t=$(_ms)
ENV_CREDS=(AWS_ACCESS_KEY_ID="$KEY1" AWS_SECRET_ACCESS_KEY="$SECRET1")
instance env "${ENV_CREDS[@]}"
download_ok "environment: download 200 with the object's bytes"
check_config "${ENV_CREDS[@]}"
is "$CC_RC" 0 "environment: check-config exits 0"
like "$(cc_credentials)" '^# credentials: environment' "environment: check-config's last line names the environment"
no_secret_in "environment: check-config prints no secret" "$CC_OUT$CC_ERR"
check_config "${ENV_CREDS[@]}" AWS_SESSION_TOKEN="$ENV_SESSION_TOKEN"
like "$(cc_credentials)" '^# credentials: environment.*session token' \
	"environment with AWS_SESSION_TOKEN: check-config says there is a session token"
no_secret_in "environment with AWS_SESSION_TOKEN: check-config prints neither secret nor token" "$CC_OUT$CC_ERR"

# the same instance shape with a wrong secret: the download is the proof
instance env-wrong AWS_ACCESS_KEY_ID="$KEY1" AWS_SECRET_ACCESS_KEY="$WRONG_SECRET"
download_502 "environment with a wrong secret"
diag "environment: $(($(_ms) - t)) ms"

# ---------------------------------------------------- environment half-set --

for half in AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY; do
	other=AWS_SECRET_ACCESS_KEY
	[ $half = AWS_SECRET_ACCESS_KEY ] && other=AWS_ACCESS_KEY_ID
	val=$KEY1
	[ $half = AWS_SECRET_ACCESS_KEY ] && val=$SECRET1
	check_config "$half=$val"
	is "$CC_RC" 2 "only $half set: check-config exits 2"
	is "$(printf '%s\n' "$CC_ERR" | grep -c .)" 1 "only $half set: one line on standard error"
	like "$CC_ERR" "$other" "only $half set: the line names $other"
	is "$CC_OUT" "" "only $half set: nothing on standard output"
	no_secret_in "only $half set: no secret in the message" "$CC_ERR"
done
# an empty variable counts as unset, as for S3GATE_*
check_config AWS_ACCESS_KEY_ID="$KEY1" AWS_SECRET_ACCESS_KEY=
is "$CC_RC" 2 "AWS_SECRET_ACCESS_KEY empty: check-config exits 2"

# ------------------------------------------------- shared credentials file --

t=$(_ms)
HOME_FILE="$E2E_TMP/home-file"
mkdir -p "$HOME_FILE/.aws"
CRED_FILE="$HOME_FILE/.aws/credentials"
cat >"$CRED_FILE" <<EOF
# written by tests/e2e/creds.sh
[default]
aws_access_key_id = $KEY1
aws_secret_access_key = $WRONG_SECRET

[second]
; the profile that works
aws_access_key_id=$KEY3
aws_secret_access_key = $SECRET3
region = $S3_REGION
EOF
chmod 600 "$CRED_FILE"

instance file-second HOME="$HOME_FILE" AWS_PROFILE=second
download_ok "shared file ~/.aws/credentials, AWS_PROFILE=second: download 200"
instance file-default HOME="$HOME_FILE"
download_502 "shared file, no AWS_PROFILE (the default profile has a wrong secret)"
instance file-var AWS_SHARED_CREDENTIALS_FILE="$CRED_FILE" AWS_PROFILE=second
download_ok "AWS_SHARED_CREDENTIALS_FILE, AWS_PROFILE=second: download 200"
check_config HOME="$HOME_FILE" AWS_PROFILE=second
is "$CC_RC" 0 "shared file: check-config exits 0"
like "$(cc_credentials)" "^# credentials: shared credentials file.*$CRED_FILE.*second" \
	"shared file: check-config names the file and the profile"
no_secret_in "shared file: check-config prints no secret" "$CC_OUT$CC_ERR"
check_config HOME="$HOME_FILE" AWS_PROFILE=missing
is "$CC_RC" 2 "shared file, AWS_PROFILE names no profile in it: check-config exits 2"
diag "shared file: $(($(_ms) - t)) ms"

# ----------------------------------------------------- environment wins ----

instance env-over-file HOME="$HOME_FILE" "${ENV_CREDS[@]}"
download_ok "environment and shared file (default profile wrong): the environment wins, 200"
check_config HOME="$HOME_FILE" "${ENV_CREDS[@]}"
like "$(cc_credentials)" '^# credentials: environment' "environment and shared file: check-config names the environment"

# -------------------------------------------------------------------- ECS --

t=$(_ms)
ECS_URI="$META_BASE/ecs/v2/credentials/e2e-task"
ECS_VARS=(AWS_CONTAINER_CREDENTIALS_FULL_URI="$ECS_URI" AWS_CONTAINER_AUTHORIZATION_TOKEN="$ECS_AUTH")
meta_serve "$KEY1" "$SECRET1" 21600
meta_control "$(jq -cn --arg a "$ECS_AUTH" '{ecsAuthorization: $a}')"
meta_reset
instance ecs "${ECS_VARS[@]}"
download_ok "ECS, FULL_URI and authorization token: download 200"
is "$(meta_log | tr '\n' ' ')" "GET /ecs/v2/credentials/e2e-task 200 " \
	"ECS: one GET of the full URI, accepted (the Authorization header matched)"
is "$(downloads 5)" 5 "ECS: 5 more downloads: 200"
is "$(meta_fetches)" 1 "ECS: still one fetch after 6 downloads"
check_config "${ECS_VARS[@]}"
like "$(cc_credentials)" '^# credentials: container' "ECS: check-config names the container endpoint"
no_secret_in "ECS: check-config prints no secret or token" "$CC_OUT$CC_ERR"

# the endpoint expects another token
meta_control "$(jq -cn --arg a "$ECS_AUTH_OTHER" '{ecsAuthorization: $a}')"
meta_reset
instance ecs-badtoken "${ECS_VARS[@]}"
download_502 "ECS, the endpoint refuses the authorization token"
is "$(meta_log | head -n1)" "GET /ecs/v2/credentials/e2e-task 401" "ECS, refused token: the endpoint answered 401"
ecs_log=$(s3gate_log_lines)
diag "s3gate's log, refused ECS token:" "$ecs_log"
like "$ecs_log" '[Cc]redential.*(401|refused|denied|[Uu]nauthori)' \
	"ECS, refused token: s3gate's log says the credentials endpoint refused (401)"
no_secret_in "ECS, refused token: no secret or token in the log" "$(cat "$LIGHTTPD_LOG")"
diag "ECS: $(($(_ms) - t)) ms"

# ------------------------------------------------------------------ IMDSv2 --

t=$(_ms)
IMDS_VARS=(AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_BASE")
meta_serve "$KEY1" "$SECRET1" 21600
meta_reset
instance imds "${IMDS_VARS[@]}"
download_ok "IMDSv2: download 200"
is "$(meta_log | tr '\n' '|')" "PUT /latest/api/token 200|GET /latest/meta-data/iam/security-credentials/ 200|GET $ROLE_PATH 200|" \
	"IMDSv2: token by PUT, then the role's name, then its credentials, each accepted"
is "$(downloads 5)" 5 "IMDSv2: 5 more downloads: 200"
is "$(meta_fetches)" 1 "IMDSv2: still one fetch after 6 downloads"
check_config "${IMDS_VARS[@]}"
is "$CC_RC" 0 "IMDSv2: check-config exits 0"
like "$(cc_credentials)" '^# credentials: .*instance metadata' "IMDSv2: check-config names instance metadata"
no_secret_in "IMDSv2: check-config prints no secret" "$CC_OUT$CC_ERR"

# the endpoint serves a wrong secret: the download is the proof
meta_serve "$KEY1" "$WRONG_SECRET" 21600
instance imds-wrong "${IMDS_VARS[@]}"
download_502 "IMDSv2 serving a wrong secret"
diag "IMDSv2: $(($(_ms) - t)) ms"

# ----------------------------------------------------------------- refresh --

# Key 2 with Expiration = now + 303 s: stale (under 300 s left) 3 s later,
# asked again at most every 5 s. Then the endpoint serves key 3, key 2 is
# deleted from radosgw, and the next download must be signed with key 3.
t=$(_ms)
meta_serve "$KEY2" "$SECRET2" 303
meta_reset
instance refresh "${IMDS_VARS[@]}"
t_fetch=$(_ms)
download_ok "refresh: first download (key 2, 303 s left) 200"
is "$(meta_fetches)" 1 "refresh: one credentials fetch"
t10=$(_ms)
is "$(downloads 10)" 10 "refresh: 10 downloads while fresh: 200"
diag "10 downloads in $(($(_ms) - t10)) ms, $(($(_ms) - t_fetch)) ms after the fetch"
is "$(meta_fetches)" 1 "refresh: no credentials fetch for those 10 requests"

meta_serve "$KEY3" "$SECRET3" 3600
rgw_admin key rm --uid=e2e --key-type=s3 --access-key="$KEY2" >/dev/null
key_works "$KEY2" "$SECRET2"
tap_ok $((! $?)) "refresh: key 2 deleted, radosgw refuses it"
# past the 3 s of freshness and the 5 s between attempts (whole seconds)
sleep_until $((t_fetch + 6500))
meta_reset
download_ok "refresh: after key 2 is deleted and 6.5 s, download 200 (refreshed to key 3)"
is "$(meta_log | tr '\n' '|')" "PUT /latest/api/token 200|GET /latest/meta-data/iam/security-credentials/ 200|GET $ROLE_PATH 200|" \
	"refresh: exactly one more fetch (token, role, credentials)"
is "$(downloads 10)" 10 "refresh: 10 more downloads: 200"
is "$(meta_fetches)" 1 "refresh: still exactly one fetch since the refresh"
diag "s3gate's log, refresh:" "$(s3gate_log_lines | grep -a credentials)"
no_secret_in "refresh: no secret in the log" "$(cat "$LIGHTTPD_LOG")"
diag "refresh: $(($(_ms) - t)) ms"

# ------------------------------------------------------- endpoint down ----

t=$(_ms)
# the refresh instance holds key 3 until an hour from now: no need to ask
stop_meta
is "$(downloads 3)" 3 "endpoint down, cached key 3 with an hour left: 3 downloads 200"

# Stale but unexpired: Expiration = now + 12 s. The first download fetches;
# then the endpoint goes away; 6 s later s3gate tries to refresh, fails, and
# keeps using the keys; after Expiration it must stop (502).
start_meta || bail "aws-metadata.cjs did not restart"
IMDS_VARS=(AWS_EC2_METADATA_SERVICE_ENDPOINT="$META_BASE")

# A refresh that gets a broken answer (a new AccessKeyId with an empty
# SecretAccessKey) fails; the unexpired pair in the cache must stay whole.
meta_serve "$KEY3" "$SECRET3" 30
instance imds-broken "${IMDS_VARS[@]}"
t_fetch=$(_ms)
download_ok "broken refresh answer: first download (key 3, 30 s left) 200"
meta_control "$(jq -cn --arg k "$KEY1" '{accessKeyId: $k, secretAccessKey: ""}')"
meta_reset
sleep_until $((t_fetch + 6500))
download_ok "broken refresh answer (new key id, empty secret): the cached key 3 still works, 200"
is "$(meta_fetches)" 1 "broken refresh answer: it was fetched once"

meta_serve "$KEY3" "$SECRET3" 12
meta_reset
instance imds-down "${IMDS_VARS[@]}"
t_fetch=$(_ms)
download_ok "endpoint down: first download (key 3, 12 s left) 200"
is "$(meta_fetches)" 1 "endpoint down: one credentials fetch"
stop_meta
sleep_until $((t_fetch + 6500))
download_ok "endpoint down, keys stale (under 300 s left) but unexpired: download 200"
is "$(downloads 3)" 3 "endpoint down, keys unexpired: 3 more downloads 200"
sleep_until $((t_fetch + 14500))
download_502 "endpoint down, keys expired"
down_log=$(s3gate_log_lines)
diag "s3gate's log, endpoint down:" "$down_log"
like "$(printf '%s\n' "$down_log" | tail -n 3)" '[Cc]redential' \
	"endpoint down, keys expired: s3gate's log says the credentials could not be had"
diag "endpoint down: $(($(_ms) - t)) ms"

# --------------------------------------------- nothing anywhere at all ----

NONE_VARS=(HOME="$E2E_TMP/home-empty" AWS_EC2_METADATA_DISABLED=true)
instance none "${NONE_VARS[@]}"
download_502 "no credentials anywhere"
none_log=$(s3gate_log_lines)
diag "s3gate's log, no credentials:" "$none_log"
like "$none_log" '[Nn]o (AWS )?credentials' "no credentials: s3gate's log says no credentials were found"
check_config "${NONE_VARS[@]}"
like "$(cc_credentials)" '^# credentials: none' "no credentials: check-config says none found"
stop_lighttpd

# ----------------------------------------------------- nothing leaked ----

leaked=0
for f in "${LOGS[@]}" "$RESPONSES" "$E2E_TMP/check-config.txt" "$META_LOG"; do
	for s in "${SECRETS[@]}"; do
		if grep -aqF -e "$s" "$f"; then
			diag "a secret or token found in $f"
			leaked=$((leaked + 1))
		fi
	done
done
is "$leaked" 0 "no secret key, session token or ECS token in any log, response or check-config output"
no_sanitizer_reports "no sanitizer report" "${LOGS[@]}"

diag "whole test: $(($(_ms) - T_START)) ms"
tap_done
