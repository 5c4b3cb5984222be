#!/usr/bin/env bash
# demo.sh: the whole of s3gate on 127.0.0.1 until Ctrl-C. Started by
# `./quickstart demo`.
#
#   tests/e2e/demo.sh /path/to/build/src/s3gate
#
# - s3rver (npm, tests/package.json): a light local S3 with a bucket "docs"
#   holding sample files this script makes (tests/e2e/make-samples.py: a PDF,
#   a Word document, an Excel workbook, a PNG, a CSV), one with a unicode
#   name and one of 200 MB. (s3rver does not check signatures; the tests use
#   Ceph's radosgw for that.)
# - cognito-local with a user pool, a group, a test user and the app client
#   set up for the Hosted UI (code flow with PKCE, the callback URL of this
#   lighttpd).
# - lighttpd with s3gate over FastCGI, sign-in on (plain http, so the cookies
#   are not marked Secure: S3GATE_COOKIE_SECURE=false).
# - a stand-in for the Hosted UI's /logout, which cognito-local lacks: it
#   sends the browser back to logout_uri, as Cognito does.
# Prints the link page's URL and the test login. Everything lives in one
# temporary folder, removed when the demo stops.

S3GATE_BIN=${1:-${S3GATE_BIN:-}}
export S3GATE_BIN
. "$(dirname "$0")/lib.sh"
S3GATE_REQUIRE_E2E=1
e2e_init 86400
trap 'echo; echo "stopping"; exit 0' INT TERM

BUCKET=docs
BIG_SIZE=200000000
[ -f "$NODE_MODULES/s3rver/package.json" ] || bail "s3rver not found in $NODE_MODULES (npm ci in tests/)"
command -v python3 >/dev/null || bail "python3 not found"

# ------------------------------------------------------------------- S3 --

start_s3rver() {
	local try
	mkdir -p "$E2E_TMP/s3rver"
	for try in 1 2 3; do
		free_port S3_PORT
		S3_URL="http://127.0.0.1:$S3_PORT"
		spawn s3rver "$E2E_TMP/s3rver.log" node "$NODE_MODULES/s3rver/bin/s3rver.js" -d "$E2E_TMP/s3rver" \
			-a 127.0.0.1 -p "$S3_PORT" --configure-bucket "$BUCKET"
		S3RVER_PID=$SPAWNED_PID
		PID_ALIVE=$S3RVER_PID wait_until 30 "s3rver start" grep -q 'S3rver listening' "$E2E_TMP/s3rver.log" && return 0
		stop_pid "$S3RVER_PID"
		grep -q EADDRINUSE "$E2E_TMP/s3rver.log" || break
	done
	show_log "$E2E_TMP/s3rver.log"
	return 1
}

# s3_upload FILE KEY: a PUT to s3rver (which takes unsigned requests); each
# segment of KEY percent-encoded, the slashes kept
s3_upload() {
	local path st
	path=$(jq -rn --arg k "$2" '$k | split("/") | map(@uri) | join("/")')
	st=$(curl -sS --max-time 120 -o /dev/null -w '%{http_code}' -T "$1" \
		-H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$S3_URL/$BUCKET/$path")
	[ "$st" = 200 ] || { diag "upload of $2: HTTP $st"; return 1; }
}

start_s3rver || bail "s3rver did not start"
SAMPLES="$E2E_TMP/samples"
python3 "$E2E_DIR/make-samples.py" "$SAMPLES" || bail "make-samples.py failed"
head -c "$BIG_SIZE" /dev/urandom >"$SAMPLES/big.bin" || bail "cannot make the 200 MB file"
KEYS=(
	"reports/annual-report.pdf|report.pdf"
	"hr/handbook.docx|letter.docx"
	"finance/budget.xlsx|budget.xlsx"
	"images/logo.png|logo.png"
	"data/figures.csv|figures.csv"
	"報告/Übersicht 2024.pdf|report.pdf"
	"archive/recordings-200MB.bin|big.bin"
)
for kv in "${KEYS[@]}"; do
	s3_upload "$SAMPLES/${kv#*|}" "${kv%%|*}" || bail "upload to s3rver failed"
done
rm -f "$SAMPLES/big.bin"

# -------------------------------------------------------------- Cognito --

start_cognito || bail "cognito-local did not start"
cognito_setup >/dev/null || bail "cognito-local setup failed"

# cognito-local has no /logout: this answers it as Cognito does (back to
# logout_uri, here only ever an address on 127.0.0.1)
free_port LOGOUT_PORT
# shellcheck disable=SC2016 # JavaScript
spawn logout "$E2E_TMP/logout.log" node -e '
	require("http").createServer((q, s) => {
		const back = new URL(q.url, "http://x").searchParams.get("logout_uri") || "";
		const ok = /^http:\/\/127\.0\.0\.1:\d+\//.test(back);
		s.writeHead(ok ? 302 : 400, ok ? { Location: back } : { "Content-Type": "text/plain" });
		s.end(ok ? "" : "logout_uri missing\n");
	}).listen(Number(process.argv[1]), "127.0.0.1", () => console.log("listening"));' "$LOGOUT_PORT"
PID_ALIVE=$SPAWNED_PID wait_until 10 "logout stand-in start" grep -q listening "$E2E_TMP/logout.log" ||
	bail "the logout stand-in did not start"

# --------------------------------------------------------------- s3gate --

mkdir -p "$E2E_TMP/cache"
start_lighttpd_fcgi demo \
	S3GATE_CLIENT_ID="$CLIENT_ID" \
	S3GATE_BUCKET="$BUCKET" S3GATE_REGION=us-east-1 \
	S3GATE_S3_ENDPOINT="$S3_URL" S3GATE_S3_PATH_STYLE=true \
	AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_EC2_METADATA_DISABLED=true \
	S3GATE_ISSUER="$ISSUER" \
	S3GATE_JWKS_URL="$JWKS_URL" \
	S3GATE_CACHE_DIR="$E2E_TMP/cache" \
	S3GATE_SESSION_SECRET="$(head -c 48 /dev/urandom | base64 -w0)" \
	S3GATE_COOKIE_SECURE=false \
	S3GATE_AUTHORIZE_URL="$COGNITO_URL/oauth2/authorize" \
	S3GATE_TOKEN_URL="$COGNITO_URL/oauth2/token" \
	S3GATE_LOGOUT_URL="http://127.0.0.1:$LOGOUT_PORT/logout" \
	S3GATE_HTDOCS_DIR="$TOP_SRCDIR/htdocs" >/dev/null || bail "lighttpd did not start"

# the app client, now that the callback URL is known
cognito UpdateUserPoolClient "$(jq -cn --arg p "$POOL_ID" --arg c "$CLIENT_ID" \
	--arg cb "$BASE_URL/s3gate/callback" --arg lo "$BASE_URL/s3gate/" \
	'{UserPoolId: $p, ClientId: $c, CallbackURLs: [$cb], LogoutURLs: [$lo], AllowedOAuthFlows: ["code"],
	  AllowedOAuthScopes: ["openid", "email", "profile"], AllowedOAuthFlowsUserPoolClient: true,
	  ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
	  SupportedIdentityProviders: ["COGNITO"]}')" >/dev/null || bail "cannot set up the Hosted UI client"

UNICODE_URL=$(jq -rn '"報告/Übersicht 2024.pdf" | @uri')
cat <<INFO

s3gate demo is running (Ctrl-C stops everything)

  Open in a browser:
    link page     $BASE_URL/s3gate/
    example links $BASE_URL/s3gate/example.html
    one file      $BASE_URL/s3gate/download?fn=$UNICODE_URL

  test login    user: $USER_NAME   password: $USER_PASSWORD   group: $GROUP_NAME

  S3            $S3_URL  (s3rver, bucket $BUCKET: a PDF, DOCX, XLSX, PNG, CSV,
                a unicode name and a 200 MB file)
  Cognito       $COGNITO_URL  (cognito-local; pool $POOL_ID, app client $CLIENT_ID,
                Hosted UI at $COGNITO_URL/oauth2/authorize)
  s3gate        lighttpd + s3gate over FastCGI, sign-in on (code flow with PKCE)
  s3gate log    $LIGHTTPD_LOG

A fresh ID token for $USER_NAME (valid 24 h), and who s3gate says it is:

  TOKEN='$ID_TOKEN'
  curl -s -H "Authorization: Bearer \$TOKEN" $BASE_URL/s3gate/whoami

INFO
curl -s -H "Authorization: Bearer $ID_TOKEN" "$BASE_URL/s3gate/whoami"
echo
cat <<INFO
A new token for the same user:

  curl -s -X POST $COGNITO_URL/ -H 'Content-Type: application/x-amz-json-1.1' \\
    -H 'X-Amz-Target: AWSCognitoIdentityProviderService.InitiateAuth' \\
    -d '{"ClientId":"$CLIENT_ID","AuthFlow":"USER_PASSWORD_AUTH","AuthParameters":{"USERNAME":"$USER_NAME","PASSWORD":"$USER_PASSWORD"}}'

INFO
while kill -0 "$LIGHTTPD_PID" 2>/dev/null && kill -0 "$COGNITO_PID" 2>/dev/null &&
	kill -0 "$S3RVER_PID" 2>/dev/null; do
	sleep 1
done
echo "a demo process stopped; see $E2E_TMP" >&2
exit 1
