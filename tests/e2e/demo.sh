#!/usr/bin/env bash
# demo.sh: cognito-local, lighttpd and s3gate (FastCGI) on 127.0.0.1, a test
# user with a fresh token, until Ctrl-C. Started by `./quickstart demo`.
#
#   tests/e2e/demo.sh /path/to/build/src/s3gate

S3GATE_BIN=${1:-${S3GATE_BIN:-}}
export S3GATE_BIN
. "$(dirname "$0")/lib.sh"
S3GATE_REQUIRE_E2E=1
e2e_init 86400
trap 'echo; echo "stopping"; exit 0' INT TERM

start_cognito || bail "cognito-local did not start"
cognito_setup >/dev/null || bail "cognito-local setup failed"
mkdir -p "$E2E_TMP/cache"
start_lighttpd_fcgi demo \
	S3GATE_CLIENT_ID="$CLIENT_ID" \
	S3GATE_BUCKET=docs S3GATE_REGION=us-east-1 \
	S3GATE_ISSUER="$ISSUER" \
	S3GATE_JWKS_URL="$JWKS_URL" \
	S3GATE_CACHE_DIR="$E2E_TMP/cache" >/dev/null || bail "lighttpd did not start"

cat <<INFO

s3gate demo is running (Ctrl-C stops everything)

  s3gate        $BASE_URL/s3gate/   (lighttpd + s3gate over FastCGI)
                $BASE_URL/s3gate/healthz
  Cognito       $COGNITO_URL  (cognito-local; pool $POOL_ID, app client $CLIENT_ID)
  test login    user: $USER_NAME   password: $USER_PASSWORD   group: $GROUP_NAME
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
while kill -0 "$LIGHTTPD_PID" 2>/dev/null && kill -0 "$COGNITO_PID" 2>/dev/null; do
	sleep 1
done
echo "a demo process stopped; see $E2E_TMP" >&2
exit 1
