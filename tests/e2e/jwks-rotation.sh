#!/usr/bin/env bash
# jwks-rotation.sh: how s3gate fetches, refetches and caches the JWKS, end to
# end behind a real lighttpd, against a JWKS server of our own
# (jwks-server.cjs, which counts fetches) and tokens signed here (mint.cjs):
#
#   - a token signed with key A is accepted (one fetch);
#   - the JWKS gains key B: a token with kid B is accepted after exactly one refetch;
#   - 30 tokens with random unknown kids within one refetch interval cause at
#     most one more fetch, and are all refused with "unknown kid";
#   - the JWKS server goes down: A and B still accepted from memory;
#   - a fresh process (CGI, same cache dir), JWKS still down: A and B accepted
#     from the file cache; with an empty cache dir instead: 503.
#
#   S3GATE_BIN=/path/to/build/src/s3gate srcdir=/path/to/source tests/e2e/jwks-rotation.sh

. "$(dirname "$0")/lib.sh"
e2e_init "${S3GATE_E2E_TIMEOUT:-300}"

INTERVAL=2 # S3GATE_JWKS_REFETCH_INTERVAL, seconds
KEYS="$E2E_TMP/keys"
CACHE="$E2E_TMP/cache"
mkdir -p "$KEYS" "$CACHE" "$E2E_TMP/cache-empty"

{ mint keygen "$KEYS/a.pem" && mint keygen "$KEYS/b.pem"; } || bail "key generation failed"
mint jwks "$KEYS/a.pem:key-a" >"$KEYS/a.json" || bail "jwks a"
mint jwks "$KEYS/a.pem:key-a" "$KEYS/b.pem:key-b" >"$KEYS/ab.json" || bail "jwks ab"

start_jwks_server "$KEYS" a || bail "jwks-server did not start"

POOL_ID=local_rotation
CLIENT_ID=rotationclient0123456789
ISSUER="http://127.0.0.1:$JWKS_PORT/$POOL_ID"
NOW=$(date +%s)
CLAIMS=$(jq -cn --arg iss "$ISSUER" --arg aud "$CLIENT_ID" --argjson now "$NOW" '{
	sub: "5b7a3c1e-0000-4000-8000-000000000001", "cognito:username": "rotor",
	email: "rotor@example.test", "cognito:groups": ["keepers"], token_use: "id",
	aud: $aud, iss: $iss, auth_time: $now, iat: $now, exp: ($now + 3600)}')
TOKEN_A=$(mint sign --key "$KEYS/a.pem" --kid key-a --claims "$CLAIMS") || bail "mint A"
TOKEN_B=$(mint sign --key "$KEYS/b.pem" --kid key-b --claims "$CLAIMS") || bail "mint B"
mapfile -t FLOOD < <(mint sign --key "$KEYS/a.pem" --kid @random --claims "$CLAIMS" --count 30)
[ "${#FLOOD[@]}" -eq 30 ] || bail "mint flood"

SETTINGS=(
	S3GATE_REGION=local
	S3GATE_BUCKET=docs
	S3GATE_FLOW=none # tokens in Authorization only: no sign-in, no session_secret
	S3GATE_USER_POOL_ID="$POOL_ID"
	S3GATE_CLIENT_ID="$CLIENT_ID"
	S3GATE_ISSUER="$ISSUER"
	S3GATE_JWKS_URL="$JWKS_BASE/jwks.json"
	S3GATE_TOKEN_USE=id
	S3GATE_JWKS_REFETCH_INTERVAL="$INTERVAL"
)

# accepted LABEL TOKEN DESCRIPTION
accepted() {
	http GET /s3gate/whoami -H "Authorization: Bearer $2"
	if is "$HTTP_STATUS" 200 "$1: $3: 200"; then
		is "$(json_get .sub)" "$(json_get .sub "$CLAIMS")" "$1: $3: sub"
	else
		diag "body: $HTTP_BODY" "WWW-Authenticate: $(http_header WWW-Authenticate)"
	fi
}

# refused_unknown_kid LABEL TOKEN DESCRIPTION
refused_unknown_kid() {
	http GET /s3gate/whoami -H "Authorization: Bearer $2"
	is "$HTTP_STATUS" 401 "$1: $3: 401"
	is "$(json_get .message)" "unknown kid" "$1: $3: unknown kid"
}

# no_token_in_log LABEL: neither the common payload nor any signature of the
# tokens used here appears in the error log.
no_token_in_log() {
	local t pats=("$(jwt_part "$TOKEN_A" 2)")
	for t in "$TOKEN_A" "$TOKEN_B" "${FLOOD[@]}"; do pats+=("$(jwt_part "$t" 3)"); done
	if grep -aqF "${pats[@]/#/-e}" "$LIGHTTPD_LOG"; then
		tap_ok 1 "$1: no token material in the error log"
	else
		tap_ok 0 "$1: no token material in the error log"
	fi
}

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ---------------------------------------------------------------- FastCGI --
# One process, so that the fetch counts are that process's.
LIGHTTPD_FCGI_PROCS=1 start_lighttpd_fcgi fcgi "${SETTINGS[@]}" S3GATE_CACHE_DIR="$CACHE" ||
	bail "lighttpd with s3gate over FastCGI did not start"

accepted fastcgi "$TOKEN_A" "token signed with key A"
H0=$(jwks_hits)
is "$H0" 1 "fastcgi: the JWKS was fetched once"

jwks_switch ab || bail "jwks-server did not switch key sets"
sleep "$INTERVAL.5" # let the refetch budget of the first fetch run out
accepted fastcgi "$TOKEN_B" "token signed with the new key B"
H1=$(jwks_hits)
is "$((H1 - H0))" 1 "fastcgi: key B found with exactly one refetch"
accepted fastcgi "$TOKEN_A" "token A still accepted"
is "$(jwks_hits)" "$H1" "fastcgi: known kids cause no fetch"

sleep "$INTERVAL.5"
START=$(now_ms)
n_unknown=0
for t in "${FLOOD[@]}"; do
	http GET /s3gate/whoami -H "Authorization: Bearer $t"
	[ "$HTTP_STATUS" = 401 ] && [ "$(json_get .message)" = "unknown kid" ] && n_unknown=$((n_unknown + 1))
done
ELAPSED=$(($(now_ms) - START))
H2=$(jwks_hits)
is "$n_unknown" 30 "fastcgi: 30 tokens with random unknown kids: all 401 unknown kid"
# Each started interval may allow one refetch; the flood takes well under one.
ALLOWED=$((1 + ELAPSED / (INTERVAL * 1000)))
if [ "$((H2 - H1))" -le "$ALLOWED" ]; then
	tap_ok 0 "fastcgi: the flood caused at most $ALLOWED extra fetch(es) (saw $((H2 - H1)) in $ELAPSED ms)"
else
	tap_ok 1 "fastcgi: the flood caused at most $ALLOWED extra fetch(es) (saw $((H2 - H1)) in $ELAPSED ms)"
fi
[ "$ALLOWED" -eq 1 ] || diag "the flood took $ELAPSED ms, longer than the $INTERVAL s interval: a weaker check"

stop_jwks_server
sleep "$INTERVAL.5" # so that an unknown kid would be allowed a refetch, which now fails
accepted fastcgi "$TOKEN_A" "JWKS server down: token A accepted from memory"
accepted fastcgi "$TOKEN_B" "JWKS server down: token B accepted from memory"
refused_unknown_kid fastcgi "${FLOOD[0]}" "JWKS server down: unknown kid"
accepted fastcgi "$TOKEN_B" "JWKS server down, after a failed refetch: token B still accepted"

# shellcheck disable=SC2016 # expanded by the inner shell
check "fastcgi: the JWKS file cache holds key A and key B" \
	bash -c 'grep -rqF "\"key-a\"" "$1" && grep -rqF "\"key-b\"" "$1"' _ "$CACHE"
stop_lighttpd
no_token_in_log fastcgi
no_sanitizer_reports "fastcgi: no sanitizer report in the error log" "$LIGHTTPD_LOG"

# ---------------------------------------------------------------------- CGI --
# A new process for every request: nothing in memory, JWKS server still down.
start_lighttpd_cgi cgi "${SETTINGS[@]}" S3GATE_CACHE_DIR="$CACHE" ||
	bail "lighttpd with s3gate as CGI did not start"
accepted cgi "$TOKEN_A" "fresh process, JWKS down: token A accepted from the file cache"
accepted cgi "$TOKEN_B" "fresh process, JWKS down: token B accepted from the file cache"
stop_lighttpd
no_token_in_log cgi
no_sanitizer_reports "cgi: no sanitizer report in the error log" "$LIGHTTPD_LOG"

start_lighttpd_cgi cgi-empty "${SETTINGS[@]}" S3GATE_CACHE_DIR="$E2E_TMP/cache-empty" ||
	bail "lighttpd with s3gate as CGI (empty cache) did not start"
http GET /s3gate/whoami -H "Authorization: Bearer $TOKEN_A"
is "$HTTP_STATUS" 503 "cgi: fresh process, JWKS down, empty file cache: 503"
check "cgi: the 503 body is a JSON object" is_json_object "$HTTP_BODY"
stop_lighttpd
no_sanitizer_reports "cgi, empty cache: no sanitizer report in the error log" "$LIGHTTPD_LOG"

tap_done
