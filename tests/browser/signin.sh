#!/usr/bin/env bash
# signin.sh: sign-in end to end in a real browser. Debian's chromium driven by
# npm playwright-core (tests/browser/signin.cjs) against lighttpd + s3gate over
# FastCGI, cognito-local (Hosted UI, code flow with PKCE), a real Ceph RADOS
# Gateway for S3, and oidc-provider (tests/browser/op.cjs) for the implicit
# flow. TAP on stdout.
#
#   S3GATE_BIN=/path/to/build/src/s3gate srcdir=/path/to/source tests/browser/signin.sh
#
# Three s3gate instances (lighttpd, FastCGI, sign-in on, plain http so
# S3GATE_COOKIE_SECURE=false), each with its own session secret:
#   code     flow=code, cognito-local's "web" client (24 h tokens), key rules
#            that give alice her own files;
#   short    flow=code, a client whose ID tokens live SHORT_TTL seconds
#            (cognito-local's per-client validity), for the expired session;
#   implicit flow=implicit, oidc-provider as the provider.
# The checks themselves (what the browser sees) are listed at the top of
# signin.cjs; each becomes one TAP line here.
#
# Screenshots go to <build dir>/tests/browser/artifacts/ (the build dir is
# the one above S3GATE_BIN's src/), or S3GATE_E2E_ARTIFACTS.
#
# Needs what relay.sh needs (lib.sh, lib-s3.sh: S3_APT_PACKAGES), Debian's
# chromium (apt-get install chromium), and playwright-core and oidc-provider
# from tests/package.json (npm ci in tests/). About 1.5 GB of memory.

# shellcheck source=tests/e2e/lib.sh
. "$(dirname "$0")/../e2e/lib.sh"
# shellcheck source=tests/e2e/lib-s3.sh
. "$(dirname "$0")/../e2e/lib-s3.sh"
e2e_init "${S3GATE_E2E_TIMEOUT:-600}"
s3_require
BROWSER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip_all "chromium not found (apt-get install chromium)"
for m in playwright-core oidc-provider; do
	[ -f "$NODE_MODULES/$m/package.json" ] || skip_all "$m not found in $NODE_MODULES (npm ci in tests/)"
done

T_START=$(_ms)
# the largest object is 200 MB; memstore keeps about twice what is stored
S3_MEMSTORE_BYTES=$((1024 * 1024 * 1024)) # read by start_radosgw
BIG_SIZE=200000000
SHORT_TTL=8
SECRET_LEN=40

start_cognito || bail "cognito-local did not start"
cognito_setup >/dev/null || bail "cognito-local setup failed"
start_radosgw || bail "radosgw did not start"
diag "cognito-local and radosgw up in $(($(_ms) - T_START)) ms"

# ------------------------------------------------------------------ users --

# bob: a second user whose files alice must not see
r=$(cognito AdminCreateUser "$(jq -cn --arg p "$POOL_ID" \
	'{UserPoolId: $p, Username: "bob", MessageAction: "SUPPRESS",
	  UserAttributes: [{Name: "email", Value: "bob@example.test"}]}')") || bail "AdminCreateUser bob"
cognito AdminSetUserPassword "$(jq -cn --arg p "$POOL_ID" --arg pw "$USER_PASSWORD" \
	'{UserPoolId: $p, Username: "bob", Password: $pw, Permanent: true}')" >/dev/null || bail "bob's password"

# -------------------------------------------------------------- objects --

UNICODE_KEY='報告/Übersicht 2024.pdf'
UNICODE_NAME='Übersicht 2024.pdf'
BIG_KEY='big/archive-200MB.bin'
SAMPLES="$E2E_TMP/samples"
python3 "$TOP_SRCDIR/tests/e2e/make-samples.py" "$SAMPLES" || bail "make-samples.py failed"
t=$(_ms)
s3_put_random "$BIG_KEY" "$BIG_SIZE" signin-big >/dev/null || bail "upload of $BIG_KEY failed"
BIG_SHA=$S3_SHA256
s3_put "$SAMPLES/report.pdf" "$UNICODE_KEY" >/dev/null || bail "upload of $UNICODE_KEY failed"
UNICODE_SHA=$S3_SHA256
s3_put "$SAMPLES/budget.xlsx" users/alice/budget.xlsx >/dev/null || bail upload
s3_put "$SAMPLES/figures.csv" users/alice/figures.csv >/dev/null || bail upload
s3_put "$SAMPLES/letter.docx" users/bob/letter.docx >/dev/null || bail upload
s3_put "$SAMPLES/logo.png" shared/logo.png >/dev/null || bail upload
diag "objects uploaded in $(($(_ms) - t)) ms"
# alice may fetch her folder, the report folder and big/; bob only his folder;
# shared/ is nobody's
RULES="allow any users/{username}/*;allow user:alice 報告/*;allow user:alice big/*"
ALICE_KEYS=$(printf '%s\n' "$BIG_KEY" users/alice/budget.xlsx users/alice/figures.csv "$UNICODE_KEY" | jq -R . | jq -sc 'sort')

# ----------------------------------------------------------------- s3gate --

mkdir -p "$E2E_TMP/cache-code" "$E2E_TMP/cache-short" "$E2E_TMP/cache-implicit"
# S3GATE_E2E_HTDOCS: other pages (to check that the checks can fail)
HTDOCS=${S3GATE_E2E_HTDOCS:-$TOP_SRCDIR/htdocs}
common=(S3GATE_BUCKET="$S3_BUCKET" S3GATE_REGION="$S3_REGION" S3GATE_S3_ENDPOINT="$S3_ENDPOINT"
	S3GATE_S3_PATH_STYLE=true AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY"
	AWS_EC2_METADATA_DISABLED=true S3GATE_RULE="$RULES" S3GATE_COOKIE_SECURE=false
	S3GATE_HTDOCS_DIR="$HTDOCS" S3GATE_LOG_LEVEL=debug)
secret() { head -c 60 /dev/urandom | base64 -w0 | tr -d '+/=' | head -c "$SECRET_LEN"; }

# client: (re)configures a cognito-local app client for the Hosted UI.
# hosted_ui_client CLIENT_ID CALLBACK_URL BASE [ID_TOKEN_SECONDS]
hosted_ui_client() {
	cognito UpdateUserPoolClient "$(jq -cn --arg p "$POOL_ID" --arg c "$1" --arg cb "$2" --arg lo "$3/s3gate/" \
		--arg ttl "${4:-}" \
		'{UserPoolId: $p, ClientId: $c, CallbackURLs: [$cb], LogoutURLs: [$lo], AllowedOAuthFlows: ["code"],
		  AllowedOAuthScopes: ["openid", "email", "profile"], AllowedOAuthFlowsUserPoolClient: true,
		  ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
		  SupportedIdentityProviders: ["COGNITO"]}
		 + (if $ttl == "" then {} else {IdTokenValidity: ($ttl | tonumber), AccessTokenValidity: ($ttl | tonumber),
		    TokenValidityUnits: {IdToken: "seconds", AccessToken: "seconds"}} end)')" >/dev/null
}

# code flow, the "web" client
start_lighttpd_fcgi code "${common[@]}" S3GATE_CLIENT_ID="$CLIENT_ID" S3GATE_ISSUER="$ISSUER" \
	S3GATE_JWKS_URL="$JWKS_URL" S3GATE_CACHE_DIR="$E2E_TMP/cache-code" S3GATE_SESSION_SECRET="$(secret)" \
	S3GATE_AUTHORIZE_URL="$COGNITO_URL/oauth2/authorize" S3GATE_TOKEN_URL="$COGNITO_URL/oauth2/token" \
	>/dev/null || bail "lighttpd (code) did not start"
CODE_BASE=$BASE_URL CODE_LOG=$LIGHTTPD_LOG CODE_PID=$LIGHTTPD_PID
hosted_ui_client "$CLIENT_ID" "$CODE_BASE/s3gate/callback" "$CODE_BASE" || bail "UpdateUserPoolClient (web)"

# code flow, a client with short-lived tokens
r=$(cognito CreateUserPoolClient "$(jq -cn --arg p "$POOL_ID" '{UserPoolId: $p, ClientName: "short"}')") ||
	bail "CreateUserPoolClient short"
SHORT_CLIENT_ID=$(json_get .UserPoolClient.ClientId "$r")
start_lighttpd_fcgi short "${common[@]}" S3GATE_CLIENT_ID="$SHORT_CLIENT_ID" S3GATE_ISSUER="$ISSUER" \
	S3GATE_JWKS_URL="$JWKS_URL" S3GATE_CACHE_DIR="$E2E_TMP/cache-short" S3GATE_SESSION_SECRET="$(secret)" \
	S3GATE_AUTHORIZE_URL="$COGNITO_URL/oauth2/authorize" S3GATE_TOKEN_URL="$COGNITO_URL/oauth2/token" \
	>/dev/null || bail "lighttpd (short) did not start"
SHORT_BASE=$BASE_URL SHORT_LOG=$LIGHTTPD_LOG
hosted_ui_client "$SHORT_CLIENT_ID" "$SHORT_BASE/s3gate/callback" "$SHORT_BASE" "$SHORT_TTL" ||
	bail "UpdateUserPoolClient (short)"

# implicit flow with oidc-provider: its port first (s3gate needs the issuer at
# start and fetches discovery and keys only when first needed), then lighttpd,
# then the provider with lighttpd's callback URL
free_port OP_PORT
OP_URL="http://127.0.0.1:$OP_PORT"
OP_CLIENT_ID=s3gate-implicit
start_lighttpd_fcgi implicit "${common[@]}" S3GATE_FLOW=implicit S3GATE_IMPLICIT_RESPONSE_TYPE='id_token token' S3GATE_CLIENT_ID="$OP_CLIENT_ID" \
	S3GATE_ISSUER="$OP_URL" S3GATE_JWKS_URL="$OP_URL/jwks" S3GATE_CACHE_DIR="$E2E_TMP/cache-implicit" \
	S3GATE_SESSION_SECRET="$(secret)" >/dev/null || bail "lighttpd (implicit) did not start"
IMPLICIT_BASE=$BASE_URL IMPLICIT_LOG=$LIGHTTPD_LOG
spawn oidc-provider "$E2E_TMP/op.log" node "$BROWSER_DIR/op.cjs" --port "$OP_PORT" --client-id "$OP_CLIENT_ID" \
	--redirect-uri "$IMPLICIT_BASE/s3gate/callback"
OP_PID=$SPAWNED_PID
PID_ALIVE=$OP_PID wait_until 20 "oidc-provider start" grep -q '^listening ' "$E2E_TMP/op.log" ||
	{ show_log "$E2E_TMP/op.log"; bail "oidc-provider did not start"; }
diag "everything up in $(($(_ms) - T_START)) ms"

# ---------------------------------------------------------------- browser --

BUILD_DIR=$(cd "$(dirname "$S3GATE_BIN")/.." && pwd)
ARTIFACTS=${S3GATE_E2E_ARTIFACTS:-$BUILD_DIR/tests/browser/artifacts}
mkdir -p "$ARTIFACTS" || bail "cannot make $ARTIFACTS"

export CHROMIUM ARTIFACTS E2E_TMP CODE_BASE SHORT_BASE IMPLICIT_BASE OP_URL OP_CLIENT_ID CODE_PID \
	COGNITO_URL USER_NAME USER_PASSWORD UNICODE_KEY UNICODE_NAME UNICODE_SHA BIG_KEY BIG_SHA BIG_SIZE \
	ALICE_KEYS SHORT_TTL
export BROWSER_TIMEOUT_MS=${BROWSER_TIMEOUT_MS:-20000} SIGNIN_ONLY=${SIGNIN_ONLY:-} SIGNIN_SELFTEST_HOLD=${SIGNIN_SELFTEST_HOLD:-}

# signin.cjs prints "ok DESCRIPTION", "not ok DESCRIPTION" and "# comment"
# lines; anything else (a crash) is shown as a comment. Bounded by timeout
# on top of its own per-step limits.
t=$(_ms)
node_st=0
while IFS= read -r line; do
	case $line in
	"ok "*) tap_ok 0 "${line#ok }" ;;
	"not ok "*) tap_ok 1 "${line#not ok }" ;;
	"# "*) printf '%s\n' "$line" ;;
	*) diag "$line" ;;
	esac
done < <(timeout 420 node "$BROWSER_DIR/signin.cjs" 2>&1; echo "exit $?" >"$E2E_TMP/node.status")
node_st=$(sed -n 's/^exit //p' "$E2E_TMP/node.status")
is "$node_st" 0 "signin.cjs ran to its end (exit status)"
diag "browser checks took $(($(_ms) - t)) ms"

# ------------------------------------------------------------ server side --

logs=("$CODE_LOG" "$SHORT_LOG" "$IMPLICIT_LOG")
bad=$(grep -ahE 'eyJ[A-Za-z0-9_-]{10,}\.eyJ|s3gate_session=[A-Za-z0-9_-]{8}' "${logs[@]}" | head -3)
is "$bad" "" "no token or session cookie in the error logs"
grep -aq 'sign-in failed\|state does not match\|sign-in cookie missing' "$CODE_LOG"
tap_ok $? "the code instance logged why refused sign-ins were refused"
no_sanitizer_reports "no sanitizer reports" "${logs[@]}"
if [ "$_tap_failed" -gt 0 ]; then
	for f in "${logs[@]}"; do show_log "$f" 15; done
	show_log "$E2E_TMP/op.log" 10
fi
diag "screenshots in $ARTIFACTS"
diag "total $(($(_ms) - T_START)) ms"
tap_done
