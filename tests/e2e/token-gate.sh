#!/usr/bin/env bash
# token-gate.sh: s3gate's token gate end to end, with real tokens from
# cognito-local, behind a real lighttpd: first over FastCGI
# (lighttpd/s3gate-fastcgi.conf), then again as a plain CGI program
# (lighttpd/s3gate-cgi.conf). TAP on stdout.
#
#   S3GATE_BIN=/path/to/build/src/s3gate srcdir=/path/to/source tests/e2e/token-gate.sh
#
# See lib.sh for the other variables, exit codes and dependencies.

. "$(dirname "$0")/lib.sh"
e2e_init "${S3GATE_E2E_TIMEOUT:-300}"

start_cognito || bail "cognito-local did not start"
cognito_setup || bail "cognito-local setup failed"

SETTINGS=(
	S3GATE_REGION=local
	S3GATE_BUCKET=docs
	S3GATE_FLOW=none # tokens in Authorization only: no sign-in, no session_secret
	S3GATE_USER_POOL_ID="$POOL_ID"
	S3GATE_CLIENT_ID="$CLIENT_ID"
	S3GATE_ISSUER="$ISSUER"
	S3GATE_JWKS_URL="$JWKS_URL"
	S3GATE_TOKEN_USE=id
)

# Tokens s3gate must refuse. The first has a claim changed and re-encoded,
# so it is well-formed but its signature no longer matches; the second has
# one base64url character of the payload flipped, which may also break the
# JSON inside.
TAMPERED_TOKEN=$(jwt_with_claims "$ID_TOKEN" '.email = "mallory@example.test"')
FLIPPED_TOKEN=$(jwt_flip_char "$ID_TOKEN")
ID_CLAIMS=$(jwt_claims "$ID_TOKEN")
TOKENS=(ID_TOKEN ACCESS_TOKEN OTHER_ID_TOKEN TAMPERED_TOKEN FLIPPED_TOKEN)

# expect_refused MODE TOKEN REASON_ERE WHAT: a 401 invalid_token answer whose
# reason (in WWW-Authenticate and in the body) matches REASON_ERE.
expect_refused() {
	local mode=$1 token=$2 reason=$3 what=$4 www
	http GET /s3gate/whoami -H "Authorization: Bearer $token"
	is "$HTTP_STATUS" 401 "$mode: $what: 401"
	www=$(http_header WWW-Authenticate)
	like "$www" "^Bearer realm=\"s3gate\", error=\"invalid_token\", error_description=\"($reason)\"\$" \
		"$mode: $what: WWW-Authenticate names invalid_token and the reason"
	check "$mode: $what: body is a JSON object" is_json_object "$HTTP_BODY"
	is "$(json_get .error)" invalid_token "$mode: $what: body error is invalid_token"
	like "$(json_get .message)" "^($reason)\$" "$mode: $what: body message is the reason"
}

# run_checks MODE: everything against the lighttpd now running.
run_checks() {
	local mode=$1 first_request=$HTTP_COUNT n_requests logged v

	# -- health
	http GET /s3gate/healthz
	is "$HTTP_STATUS" 200 "$mode: GET /healthz: 200"
	check "$mode: GET /healthz: body is a JSON object" is_json_object "$HTTP_BODY"
	is "$(json_get .status)" ok "$mode: GET /healthz: status is ok"
	like "$(http_header Content-Type)" '^application/json' "$mode: GET /healthz: Content-Type is JSON"

	http HEAD /s3gate/healthz
	is "$HTTP_STATUS" 200 "$mode: HEAD /healthz: 200"
	like "$(http_header Content-Type)" '^application/json' "$mode: HEAD /healthz: Content-Type is JSON"

	# -- the ID token, as "Authorization: <token>" and "Authorization: Bearer <token>"
	local form hdr
	for form in raw bearer; do
		if [ $form = raw ]; then hdr="Authorization: $ID_TOKEN"; else hdr="Authorization: Bearer $ID_TOKEN"; fi
		http GET /s3gate/whoami -H "$hdr"
		is "$HTTP_STATUS" 200 "$mode: whoami ($form token): 200"
		check "$mode: whoami ($form token): body is a JSON object" is_json_object "$HTTP_BODY"
		like "$(http_header Content-Type)" '^application/json' "$mode: whoami ($form token): Content-Type is JSON"
		is "$(json_get .sub)" "$USER_SUB" "$mode: whoami ($form token): sub"
		is "$(json_get .username)" "$USER_NAME" "$mode: whoami ($form token): username"
		is "$(json_get .email)" "$USER_EMAIL" "$mode: whoami ($form token): email"
		is "$(printf '%s' "$HTTP_BODY" | jq -c .groups 2>/dev/null)" "[\"$GROUP_NAME\"]" "$mode: whoami ($form token): groups"
		is "$(json_get .token_use)" id "$mode: whoami ($form token): token_use"
		is "$(json_get .exp)" "$(json_get .exp "$ID_CLAIMS")" "$mode: whoami ($form token): exp is the token's"
	done

	http HEAD /s3gate/whoami -H "Authorization: Bearer $ID_TOKEN"
	is "$HTTP_STATUS" 200 "$mode: HEAD /whoami: 200"

	# -- refusals
	expect_refused "$mode" "$TAMPERED_TOKEN" "bad signature" "claim changed after signing"
	expect_refused "$mode" "$FLIPPED_TOKEN" "bad signature|malformed token" "one payload character flipped"
	expect_refused "$mode" "$OTHER_ID_TOKEN" "wrong audience" "ID token of the other client"
	expect_refused "$mode" "$ACCESS_TOKEN" "wrong token_use" "access token while token_use=id"

	http GET /s3gate/whoami
	is "$HTTP_STATUS" 401 "$mode: no token: 401"
	is "$(http_header WWW-Authenticate)" 'Bearer realm="s3gate"' "$mode: no token: WWW-Authenticate has no error="
	check "$mode: no token: body is a JSON object" is_json_object "$HTTP_BODY"
	is "$(json_get .error)" missing_token "$mode: no token: body error is missing_token"

	# -- routing and HTTP
	http GET /s3gate/no-such-route -H "Authorization: Bearer $ID_TOKEN"
	is "$HTTP_STATUS" 404 "$mode: unknown route: 404"
	check "$mode: unknown route: body is a JSON object" is_json_object "$HTTP_BODY"

	http POST /s3gate/whoami -H "Authorization: Bearer $ID_TOKEN" --data ''
	is "$HTTP_STATUS" 405 "$mode: POST /whoami: 405"
	is "$(http_header Allow)" "GET, HEAD" "$mode: POST /whoami: Allow: GET, HEAD"
	check "$mode: POST /whoami: body is a JSON object" is_json_object "$HTTP_BODY"

	# lighttpd re-encodes a stray "%" ("?a=%zz" reaches the program as
	# "a=%25zz", a valid query) and refuses "%00" itself, so the malformed
	# queries that get through are of other kinds; "%zz" is checked at the end
	# with no web server in between.
	local q
	for q in 'a=1&a=2' '=x'; do
		http GET "/s3gate/whoami?$q" -H "Authorization: Bearer $ID_TOKEN"
		is "$HTTP_STATUS" 400 "$mode: malformed query ?$q: 400"
		check "$mode: malformed query ?$q: body is a JSON object" is_json_object "$HTTP_BODY"
	done

	# -- the error log, once lighttpd (and so every s3gate process) has stopped
	n_requests=$((HTTP_COUNT - first_request))
	stop_lighttpd
	logged=$(s3gate_log_lines | wc -l)
	if [ "$logged" -ge "$n_requests" ]; then
		tap_ok 0 "$mode: s3gate logged at least one line per request ($logged lines, $n_requests requests)"
	else
		tap_ok 1 "$mode: s3gate logged at least one line per request ($logged lines, $n_requests requests)"
		show_log "$LIGHTTPD_LOG"
	fi
	local leaked=""
	for v in "${TOKENS[@]}"; do
		# the whole token, its payload, its signature
		if grep -aqF -e "${!v}" -e "$(jwt_part "${!v}" 2)" -e "$(jwt_part "${!v}" 3)" "$LIGHTTPD_LOG"; then
			leaked="$leaked $v"
		fi
	done
	is "$leaked" "" "$mode: no token (nor its payload or signature) in the error log"
	no_sanitizer_reports "$mode: no sanitizer report in the error log" "$LIGHTTPD_LOG"
}

mkdir -p "$E2E_TMP/cache-fcgi" "$E2E_TMP/cache-cgi"
start_lighttpd_fcgi fcgi "${SETTINGS[@]}" S3GATE_CACHE_DIR="$E2E_TMP/cache-fcgi" ||
	bail "lighttpd with s3gate over FastCGI did not start"
run_checks fastcgi

start_lighttpd_cgi cgi "${SETTINGS[@]}" S3GATE_CACHE_DIR="$E2E_TMP/cache-cgi" ||
	bail "lighttpd with s3gate as CGI did not start"
run_checks cgi

# A bad setting: s3gate serves nothing and says why in one line naming the
# key (per start: lighttpd keeps restarting a FastCGI program that exits).
BAD_SETTINGS=("${SETTINGS[@]/#S3GATE_TOKEN_USE=*/S3GATE_TOKEN_USE=sometimes}")
for mode in cgi fastcgi; do
	# Under FastCGI, lighttpd itself may refuse to start when the program it
	# spawns exits at once (it depends on timing); either way the program's
	# one line must name the key.
	if "start_lighttpd_$([ $mode = cgi ] && echo cgi || echo fcgi)" "bad-$mode" "${BAD_SETTINGS[@]}" \
		S3GATE_CACHE_DIR="$E2E_TMP/cache-$([ $mode = cgi ] && echo cgi || echo fcgi)"; then
		http GET /s3gate/healthz
		like "$HTTP_STATUS" '^5[0-9][0-9]$' "$mode, bad configuration: /healthz answers 5xx"
		stop_lighttpd
	elif [ $mode = cgi ]; then
		bail "lighttpd ($mode, bad configuration) did not start"
	else
		tap_ok 0 "$mode, bad configuration: lighttpd refused to start with the failing program"
	fi
	# lighttpd's own lines start "YYYY-MM-DD hh:mm:ss: ("; the rest is the program's
	own=$(grep -avE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}: \(' "$LIGHTTPD_LOG")
	like "$own" 'S3GATE_TOKEN_USE' "$mode, bad configuration: the error log names S3GATE_TOKEN_USE"
	unlike "$(printf '%s\n' "$own" | grep -v S3GATE_TOKEN_USE)" '.' \
		"$mode, bad configuration: s3gate wrote nothing else"
	if [ $mode = cgi ]; then
		is "$(printf '%s\n' "$own" | grep -c .)" 1 "cgi, bad configuration: one line for one request"
	fi
done

# The query exactly as sent, as nginx or Apache would pass it.
for q in 'a=%zz' 'a=%4' 'a=%'; do
	cgi_direct /whoami "$q" "${SETTINGS[@]}" S3GATE_BASE_PATH=/s3gate S3GATE_CACHE_DIR="$E2E_TMP/cache-cgi" \
		HTTP_AUTHORIZATION="Bearer $ID_TOKEN"
	is "$HTTP_STATUS" 400 "cgi, no web server: malformed query ?$q: 400"
	check "cgi, no web server: malformed query ?$q: body is a JSON object" is_json_object "$HTTP_BODY"
done
cgi_direct /whoami 'a=%41' "${SETTINGS[@]}" S3GATE_BASE_PATH=/s3gate S3GATE_CACHE_DIR="$E2E_TMP/cache-cgi" \
	HTTP_AUTHORIZATION="Bearer $ID_TOKEN"
is "$HTTP_STATUS" 200 "cgi, no web server: well-formed query ?a=%41: 200"
v_leak=$(grep -cF -e "$(jwt_part "$ID_TOKEN" 2)" -e "$(jwt_part "$ID_TOKEN" 3)" "$E2E_TMP/cgi-direct.log")
is "$v_leak" 0 "cgi, no web server: no token in stderr"
no_sanitizer_reports "cgi, no web server: no sanitizer report" "$E2E_TMP/cgi-direct.log"

tap_done
