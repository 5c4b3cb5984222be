#!/usr/bin/env bash
# relay.sh: s3gate's S3 relay end to end. cognito-local for tokens, a real
# Ceph RADOS Gateway (which checks SigV4 strictly) for S3, and lighttpd with
# s3gate over FastCGI (lighttpd/s3gate-fastcgi.conf). TAP on stdout.
#
#   S3GATE_BIN=/path/to/build/src/s3gate srcdir=/path/to/source tests/e2e/relay.sh
#
# Checks: byte-exact downloads (sha256) of a few bytes, 10 MB and 1 GiB;
# awkward keys and their Content-Disposition; Range, HEAD, conditional
# requests; 404 and 400 answers; the token; mode=url and mode=redirect
# presigned URLs fetched from radosgw itself (and tampered, and expired);
# wrong credentials (502); S3 dying in the middle of a body; the memory of the
# FastCGI processes while 1 GiB goes through; no secret, token or bucket name
# where it must not be.
#
# Needs, besides lib.sh's dependencies, the Debian packages in lib-s3.sh's
# S3_APT_PACKAGES. About 3 GB of memory (the 1 GiB object lives in memory in
# Ceph's memstore) and a minute. See lib.sh for the variables and exit codes.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-s3.sh"
e2e_init "${S3GATE_E2E_TIMEOUT:-600}"
s3_require

T_START=$(_ms)
GIB=1073741824
TEN_MB=10000000
# peak resident memory allowed to an s3gate FastCGI process relaying 1 GiB
RSS_LIMIT_KB=$((32 * 1024))

start_cognito || bail "cognito-local did not start"
cognito_setup || bail "cognito-local setup failed"
start_radosgw || bail "radosgw did not start"
diag "radosgw started in $RADOSGW_START_MS ms"

# ------------------------------------------------------------- the objects --

TINY_KEY="notes/tiny.txt"
TINY_BYTES="hi, s3gate"
s3_put_bytes "$TINY_BYTES" "$TINY_KEY" || bail "upload of $TINY_KEY failed"
TINY_SHA=$S3_SHA256

TEN_KEY="reports/ten-mb.bin"
TEN_FILE="$E2E_TMP/ten-mb.bin"
s3_random "$TEN_MB" ten >"$TEN_FILE" || bail "could not make $TEN_FILE"
s3_put "$TEN_FILE" "$TEN_KEY" || bail "upload of $TEN_KEY failed"
TEN_SHA=$S3_SHA256
TEN_ETAG=$(s3_etag "$TEN_KEY")

BIG_KEY="archive/one-gib.bin"
BIG_SEED=gib
t=$(_ms)
s3_put_random "$BIG_KEY" "$GIB" "$BIG_SEED" || bail "upload of $BIG_KEY failed"
BIG_SHA=$S3_SHA256
diag "1 GiB object uploaded (multipart) in $(($(_ms) - t)) ms; Ceph RSS now $(ceph_rss_mib) MiB"

# Keys that are easy to get wrong in a URL, a signature or a header: each
# object holds its own key as content.
ODD_KEYS=(
	"with space.txt"
	"plus+sign.txt"
	"percent%41.txt"
	"tilde~name.txt"
	"equals=sign.txt"
	"amp&ersand.txt"
	"café.txt"
	"日本/報告書 2024.pdf"
	"a/b/c.txt"
	"mixed dir/x+y=z&w~v%20é.txt"
)
for k in "${ODD_KEYS[@]}"; do
	s3_put_bytes "content of $k" "$k" || bail "upload of '$k' failed"
done
diag "objects uploaded; $(($(_ms) - T_START)) ms since start"

# ------------------------------------------------------------------ helpers --

# uri STRING: STRING percent-encoded for a query value (UTF-8 bytes).
uri() { printf '%s' "$1" | jq -sRr @uri; }

# dl KEY [EXTRA_QUERY]: the download path for KEY.
dl() { printf '/s3gate/download?fn=%s%s' "$(uri "$1")" "${2:+&$2}"; }

AUTH=(-H "Authorization: Bearer $ID_TOKEN")
RESPONSES="$E2E_TMP/responses.txt"

# req METHOD PATH [CURL_ARGS...]: lib.sh's http, and the answer kept in
# RESPONSES for the leak checks at the end.
req() {
	http "$@"
	printf '=== %s %s -> %s\n%s\n\n%s\n' "$1" "$2" "$HTTP_STATUS" "$HTTP_HEADERS" "$HTTP_BODY" >>"$RESPONSES"
}

F_STATUS=
F_SIZE=
F_SHA=
F_RC=
F_HEADERS=
F_ERR=

# fetch URL [CURL_ARGS...]: a GET whose body goes straight into sha256sum
# (never into memory or onto disk). URL may be a path below BASE_URL. Sets
# F_STATUS, F_SIZE (bytes received), F_SHA, F_RC (curl's exit status),
# F_HEADERS, F_ERR (curl's message).
fetch() {
	local url=$1 out="$E2E_TMP/fetch.$$"
	shift
	case $url in /*) url=$BASE_URL$url HTTP_COUNT=$((HTTP_COUNT + 1)) ;; esac
	{
		curl -sS --globoff --max-time "${FETCH_TIMEOUT:-120}" -D "$out.h" \
			-w '%{stderr}@@ %{http_code} %{size_download}\n' "$@" "$url" 2>"$out.e"
		echo $? >"$out.rc"
	} | sha256sum | cut -d' ' -f1 >"$out.sha"
	F_SHA=$(cat "$out.sha")
	F_RC=$(cat "$out.rc")
	F_STATUS=$(sed -n 's/^@@ \([0-9]*\) .*/\1/p' "$out.e")
	F_SIZE=$(sed -n 's/^@@ [0-9]* \([0-9]*\)$/\1/p' "$out.e")
	F_ERR=$(grep -v '^@@ ' "$out.e")
	F_HEADERS=$(tr -d '\r' <"$out.h" 2>/dev/null)
	printf '=== fetch %s -> %s (%s bytes, curl %s)\n%s\n\n' "$url" "$F_STATUS" "$F_SIZE" "$F_RC" "$F_HEADERS" >>"$RESPONSES"
	rm -f "$out.sha" "$out.rc" "$out.e" "$out.h"
	[ -n "$F_ERR" ] && [ "${FETCH_QUIET:-0}" != 1 ] && diag "fetch $url: $F_ERR"
	[ "${S3GATE_E2E_VERBOSE:-0}" = 1 ] && diag "fetch $url -> $F_STATUS, $F_SIZE bytes, curl $F_RC" "$F_HEADERS"
	return 0
}

# f_header NAME: a header of the last fetch.
f_header() { HTTP_HEADERS=$F_HEADERS http_header "$1"; }

# sha_of_string STRING
sha_of_string() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }

# expect_error WHAT STATUS: the last `req` answered STATUS with a short JSON
# error body that names neither the bucket, the endpoint nor the key id.
expect_error() {
	local what=$1 status=$2
	is "$HTTP_STATUS" "$status" "$what: $status"
	check "$what: body is a JSON object" is_json_object "$HTTP_BODY"
	like "$(json_get '.error | type')$(json_get '.message | type')" '^stringstring$' \
		"$what: body has error and message strings"
	like "$(http_header Content-Type)" '^application/json' "$what: Content-Type is JSON"
	no_secrets_in "$what: body names no bucket, endpoint or credential" "$HTTP_BODY"
}

# no_secrets_in DESCRIPTION TEXT: TEXT has neither the bucket, the endpoint
# (host:port), the access key id, the secret key nor the token.
no_secrets_in() {
	local found=""
	case $2 in *"$S3_BUCKET"*) found="$found bucket" ;; esac
	case $2 in *"127.0.0.1:$S3_PORT"*) found="$found endpoint" ;; esac
	case $2 in *"$S3_ACCESS_KEY"*) found="$found access-key-id" ;; esac
	case $2 in *"$S3_SECRET_KEY"*) found="$found secret" ;; esac
	case $2 in *"$(jwt_part "$ID_TOKEN" 3)"*) found="$found token" ;; esac
	is "$found" "" "$1"
}

# fastcgi_pids: the s3gate processes lighttpd started (its children).
fastcgi_pids() {
	local p
	for p in $(ps -o pid= --ppid "$LIGHTTPD_PID" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = s3gate ] && echo "$p"
	done
}

# status_kb PID FIELD: a /proc/PID/status field in kB (VmHWM, VmRSS).
status_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

# ascii_filename DISPOSITION: the filename="..." parameter, unquoted.
ascii_filename() {
	printf '%s' "$1" | sed -n 's/.*[; ]filename="\(\([^"\\]\|\\.\)*\)".*/\1/p' | sed 's/\\\(.\)/\1/g'
}

# ext_filename DISPOSITION: the filename*=UTF-8''... parameter, as given.
ext_filename() {
	printf '%s' "$1" | sed -n "s/.*filename\*=UTF-8''\([^; ]*\).*/\1/p"
}

# pct_decode STRING
pct_decode() { printf '%b' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/%\([0-9A-Fa-f][0-9A-Fa-f]\)/\\x\1/g')"; }

# cgi_s3gate METHOD QUERY [VAR=VALUE...]: lib.sh's cgi_direct on /download
# with the main instance's settings (VAR=VALUE ones win), the token, METHOD.
cgi_s3gate() {
	local method=$1 q=$2
	shift 2
	cgi_direct /download "$q" "${SETTINGS[@]}" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
		S3GATE_BASE_PATH=/s3gate S3GATE_CACHE_DIR="$E2E_TMP/cache" HTTP_AUTHORIZATION="Bearer $ID_TOKEN" \
		REQUEST_METHOD="$method" "$@"
	printf '=== cgi %s %s -> %s\n%s\n\n%s\n' "$method" "$q" "$HTTP_STATUS" "$HTTP_HEADERS" "$HTTP_BODY" >>"$RESPONSES"
}

s3gate_s3_settings SETTINGS
SETTINGS+=(
	AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY"
)
mkdir -p "$E2E_TMP/cache"
start_lighttpd_fcgi relay "${SETTINGS[@]}" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
	S3GATE_CACHE_DIR="$E2E_TMP/cache" || bail "lighttpd with s3gate over FastCGI did not start"
MAIN_LOG=$LIGHTTPD_LOG
first_request=$HTTP_COUNT

# --------------------------------------------------------------- the token --

req GET "$(dl "$TINY_KEY")"
expect_error "no token" 401
req GET "$(dl "$TINY_KEY")" -H "Authorization: Bearer $(jwt_flip_char "$ID_TOKEN")"
is "$HTTP_STATUS" 401 "tampered token: 401"
req GET "$(dl "$TINY_KEY")" "${AUTH[@]}"
is "$HTTP_STATUS" 200 "with the token: 200"
is "$HTTP_BODY" "$TINY_BYTES" "with the token: the object's bytes"

# --------------------------------------------------------- byte-exact bodies --

fetch "$(dl "$TINY_KEY")" "${AUTH[@]}"
is "$F_STATUS $F_SHA" "200 $TINY_SHA" "few-byte object: 200, sha256 matches"
is "$(f_header Content-Length)" "${#TINY_BYTES}" "few-byte object: Content-Length"

fetch "$(dl "$TEN_KEY")" "${AUTH[@]}"
is "$F_STATUS $F_SHA" "200 $TEN_SHA" "10 MB object: 200, sha256 matches"
is "$(f_header Content-Length)" "$TEN_MB" "10 MB object: Content-Length"
is "$(f_header ETag)" "$TEN_ETAG" "10 MB object: S3's ETag passed on"
like "$(f_header Last-Modified)" '^[A-Z][a-z]{2}, [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9:]{8} GMT$' \
	"10 MB object: Last-Modified passed on"
like "$(f_header Content-Disposition)" '^attachment' "10 MB object: Content-Disposition attachment by default"
is "$(f_header X-Content-Type-Options)" nosniff "10 MB object: X-Content-Type-Options: nosniff"
like "$(f_header Cache-Control)" 'private' "10 MB object: Cache-Control private"
is "$(f_header Accept-Ranges)" bytes "10 MB object: Accept-Ranges: bytes"

fetch "$(dl "$TEN_KEY" disposition=inline)" "${AUTH[@]}"
like "$(f_header Content-Disposition)" '^inline' "disposition=inline: Content-Disposition inline"
is "$F_SHA" "$TEN_SHA" "disposition=inline: same bytes"

# 1 GiB, while the peak resident memory of the FastCGI processes is sampled.
FCGI_PIDS=$(fastcgi_pids | tr '\n' ' ')
SAMPLES="$E2E_TMP/rss-samples.txt"
: >"$SAMPLES"
(
	while :; do
		for p in $FCGI_PIDS; do echo "$p $(status_kb "$p" VmRSS)"; done
		sleep 0.1
	done
) >>"$SAMPLES" 2>/dev/null &
SAMPLER=$!
t=$(_ms)
fetch "$(dl "$BIG_KEY")" "${AUTH[@]}"
big_ms=$(($(_ms) - t))
kill "$SAMPLER" 2>/dev/null
wait "$SAMPLER" 2>/dev/null
is "$F_STATUS $F_SIZE $F_SHA" "200 $GIB $BIG_SHA" "1 GiB object: 200, all bytes, sha256 matches"
is "$(f_header Content-Length)" "$GIB" "1 GiB object: Content-Length"
diag "1 GiB through lighttpd + s3gate in $big_ms ms ($((GIB * 1000 / 1048576 / (big_ms > 0 ? big_ms : 1))) MiB/s)"

if grep -qa __asan_init "$S3GATE_BIN" 2>/dev/null; then
	skip_test "memory: peak RSS of the FastCGI processes under 32 MiB" "sanitizer build"
else
	hwm=0
	for p in $FCGI_PIDS; do
		v=$(status_kb "$p" VmHWM)
		diag "s3gate pid $p: VmHWM ${v:-?} kB"
		[ -n "$v" ] && [ "$v" -gt "$hwm" ] && hwm=$v
	done
	sampled=$(awk '$2 > m { m = $2 } END { print m + 0 }' "$SAMPLES")
	diag "largest RSS sampled during the 1 GiB relay: $sampled kB ($(wc -l <"$SAMPLES") samples)"
	if [ -n "$FCGI_PIDS" ] && [ "$hwm" -gt 0 ] && [ "$hwm" -lt "$RSS_LIMIT_KB" ] && [ "$sampled" -lt "$RSS_LIMIT_KB" ]; then
		tap_ok 0 "memory: peak RSS of the FastCGI processes under 32 MiB (${hwm} kB)"
	else
		tap_ok 1 "memory: peak RSS of the FastCGI processes under 32 MiB (VmHWM ${hwm} kB, sampled ${sampled} kB, pids '$FCGI_PIDS')"
	fi
fi

# -------------------------------------------------------------- awkward keys --

for k in "${ODD_KEYS[@]}"; do
	fetch "$(dl "$k")" "${AUTH[@]}"
	is "$F_STATUS $F_SHA" "200 $(sha_of_string "content of $k")" "key '$k': 200, exact bytes"
	cd_value=$(f_header Content-Disposition)
	last=${k##*/}
	ext=$(ext_filename "$cd_value")
	is "$(pct_decode "$ext")" "$last" "key '$k': filename*=UTF-8'' is the last segment"
	like "$ext" "^([A-Za-z0-9!#\$&+.^_\`|~-]|%[0-9A-F]{2})+\$" "key '$k': filename* uses only attr-chars and %XX"
	ascii=$(ascii_filename "$cd_value")
	if [[ $last =~ ^[A-Za-z0-9\ ._+~=\&-]+$ ]]; then
		is "$ascii" "$last" "key '$k': filename=\"...\" is the name itself"
	else
		like "$ascii" '^[ -~]+$' "key '$k': filename=\"...\" present, printable ASCII"
	fi
done
# The disposition header as a whole, once, for the record.
fetch "$(dl "日本/報告書 2024.pdf")" "${AUTH[@]}"
diag "Content-Disposition for '日本/報告書 2024.pdf': $(f_header Content-Disposition)"
diag "Content-Type for '日本/報告書 2024.pdf': $(f_header Content-Type)"
like "$(f_header Content-Type)" '^application/pdf' "'.pdf' key: Content-Type application/pdf"

# ------------------------------------------------- ranges, HEAD, conditionals --

fetch "$(dl "$TEN_KEY")" "${AUTH[@]}" -H 'Range: bytes=0-9'
is "$F_STATUS" 206 "Range bytes=0-9: 206"
is "$(f_header Content-Range)" "bytes 0-9/$TEN_MB" "Range bytes=0-9: Content-Range"
is "$F_SIZE $F_SHA" "10 $(head -c 10 "$TEN_FILE" | sha256sum | cut -d' ' -f1)" "Range bytes=0-9: the first 10 bytes"

fetch "$(dl "$TEN_KEY")" "${AUTH[@]}" -H 'Range: bytes=-5'
is "$F_STATUS" 206 "Range bytes=-5: 206"
is "$(f_header Content-Range)" "bytes $((TEN_MB - 5))-$((TEN_MB - 1))/$TEN_MB" "Range bytes=-5: Content-Range"
is "$F_SIZE $F_SHA" "5 $(tail -c 5 "$TEN_FILE" | sha256sum | cut -d' ' -f1)" "Range bytes=-5: the last 5 bytes"

fetch "$(dl "$TEN_KEY")" "${AUTH[@]}" -H "Range: bytes=$((TEN_MB + 10))-"
is "$F_STATUS" 416 "unsatisfiable Range: 416"

req HEAD "$(dl "$TEN_KEY")" "${AUTH[@]}"
is "$HTTP_STATUS" 200 "HEAD: 200"
is "$(http_header Content-Length)" "$TEN_MB" "HEAD: Content-Length of the object"
is "$(http_header ETag)" "$TEN_ETAG" "HEAD: ETag"
# lighttpd drops any body a backend sends to a HEAD, so look at s3gate's own
# output, as CGI with no server in between.
cgi_s3gate HEAD "fn=$(uri "$TEN_KEY")"
is "$HTTP_STATUS" 200 "HEAD, no web server: 200"
is "$(http_header Content-Length)" "$TEN_MB" "HEAD, no web server: Content-Length of the object"
is "${#HTTP_BODY}" 0 "HEAD, no web server: s3gate writes no body"

fetch "$(dl "$TEN_KEY")" "${AUTH[@]}" -H "If-None-Match: $TEN_ETAG"
is "$F_STATUS" 304 "If-None-Match: the ETag: 304"
is "$F_SIZE" 0 "If-None-Match: the ETag: no body"
fetch "$(dl "$TEN_KEY")" "${AUTH[@]}" -H 'If-None-Match: "0123456789abcdef0123456789abcdef"'
is "$F_STATUS $F_SHA" "200 $TEN_SHA" "If-None-Match: another ETag: 200 and the bytes"
TEN_LM=$(f_header Last-Modified)
fetch "$(dl "$TEN_KEY")" "${AUTH[@]}" -H "If-Modified-Since: $TEN_LM"
is "$F_STATUS $F_SIZE" "304 0" "If-Modified-Since: its Last-Modified: 304, no body"
fetch "$(dl "$TEN_KEY")" "${AUTH[@]}" -H 'If-Unmodified-Since: Mon, 01 Jan 2001 00:00:00 GMT'
is "$F_STATUS" 412 "If-Unmodified-Since: 2001: 412"
fetch "$(dl "$TEN_KEY")" "${AUTH[@]}" -H 'If-Match: "wrong"'
is "$F_STATUS" 412 "If-Match: \"wrong\": 412"
fetch "$(dl "$TEN_KEY")" "${AUTH[@]}" -H "If-Match: $TEN_ETAG"
is "$F_STATUS $F_SHA" "200 $TEN_SHA" "If-Match: the ETag: 200 and the bytes"

# ------------------------------------------------------------ 404 and 400 ----

req GET "$(dl "no/such/object.txt")" "${AUTH[@]}"
expect_error "missing key" 404

LONG_KEY=$(head -c 1025 /dev/zero | tr '\0' x)
for bad in "a/../b.txt|a '..' segment" "../b.txt|a leading '..'" "/notes/tiny.txt|a leading /" \
	"|an empty key" "$LONG_KEY|a 1025-byte key"; do
	req GET "$(dl "${bad%|*}")" "${AUTH[@]}"
	expect_error "${bad##*|}" 400
done
req GET "/s3gate/download" "${AUTH[@]}"
expect_error "no fn parameter" 400
# lighttpd refuses control characters in the query itself (400, its own HTML
# page), so they reach s3gate only under servers that let them through:
# checked as CGI with no server in between.
for q in 'fn=a%01b.txt|a control character (0x01)' 'fn=a%0Ab.txt|a newline' 'fn=a%09b.txt|a tab' \
	'fn=a%7Fb.txt|DEL (0x7f)' 'fn=a%C2%85b.txt|C1 control (U+0085)' 'fn=a%FFb.txt|invalid UTF-8' \
	'fn=a%00b.txt|NUL'; do
	req GET "/s3gate/download?${q%|*}" "${AUTH[@]}"
	is "$HTTP_STATUS" 400 "${q##*|}, through lighttpd: 400"
	cgi_s3gate GET "${q%|*}"
	expect_error "${q##*|}, no web server" 400
done

# -------------------------------------------------------- presigned URLs -----

req GET "$(dl "$TEN_KEY" mode=url)" "${AUTH[@]}"
is "$HTTP_STATUS" 200 "mode=url: 200"
check "mode=url: body is a JSON object" is_json_object "$HTTP_BODY"
PURL=$(json_get .url)
is "$(json_get .presignedUrl)" "$PURL" "mode=url: presignedUrl equals url"
is "$(json_get .expires_in)" 300 "mode=url: expires_in is the default 300"
like "$PURL" "^$S3_ENDPOINT/$S3_BUCKET/reports/ten-mb\\.bin\\?" "mode=url: a path-style URL of the object"
like "$PURL" 'X-Amz-Algorithm=AWS4-HMAC-SHA256' "mode=url: SigV4 query signature"
like "$PURL" '[?&]X-Amz-Expires=300(&|$)' "mode=url: X-Amz-Expires=300"
no_secrets_in "mode=url: no secret key or token in the URL" "$(printf '%s' "$PURL" | sed "s/$S3_BUCKET//; s/127.0.0.1:$S3_PORT//; s/$S3_ACCESS_KEY//")"
fetch "$PURL"
is "$F_STATUS $F_SHA" "200 $TEN_SHA" "mode=url: radosgw serves the URL, the right bytes"

# one character of the signature changed
sig=$(printf '%s' "$PURL" | sed -n 's/.*[?&]X-Amz-Signature=\([0-9a-f]*\).*/\1/p')
if [ ${#sig} -eq 64 ]; then
	c=${sig:10:1}
	if [ "$c" = 0 ]; then n=1; else n=0; fi
	fetch "${PURL/$sig/${sig:0:10}$n${sig:11}}"
	is "$F_STATUS" 403 "mode=url: one signature character changed: radosgw answers 403"
else
	tap_ok 1 "mode=url: one signature character changed: radosgw answers 403 (no 64-hex X-Amz-Signature in '$PURL')"
fi

# presigned URLs of the awkward keys work too (the path encoding is signed)
for k in "日本/報告書 2024.pdf" "plus+sign.txt" "mixed dir/x+y=z&w~v%20é.txt"; do
	req GET "$(dl "$k" mode=url)" "${AUTH[@]}"
	fetch "$(json_get .url)"
	is "$F_STATUS $F_SHA" "200 $(sha_of_string "content of $k")" "mode=url, key '$k': radosgw serves the URL, the right bytes"
	is "$(pct_decode "$(ext_filename "$(f_header Content-Disposition)")")" "${k##*/}" \
		"mode=url, key '$k': radosgw's Content-Disposition (response-content-disposition) names the file"
done

req GET "$(dl "$TEN_KEY" mode=redirect)" "${AUTH[@]}"
is "$HTTP_STATUS" 302 "mode=redirect: 302"
LOC=$(http_header Location)
like "$LOC" "^$S3_ENDPOINT/$S3_BUCKET/reports/ten-mb\\.bin\\?.*X-Amz-Signature=" "mode=redirect: Location is a presigned URL"
fetch "$LOC"
is "$F_STATUS $F_SHA" "200 $TEN_SHA" "mode=redirect: the Location works, the right bytes"

req GET "$(dl "$TEN_KEY" mode=url)"
is "$HTTP_STATUS" 401 "mode=url without a token: 401"
req GET "$(dl "no/such/object.txt" mode=url)" "${AUTH[@]}"
diag "mode=url for a missing key: $HTTP_STATUS (a presigned URL needs no S3 call; 200 or 404 both fine)"

# ---------------------------------------------- S3 going away in mid-body ----

# The client reads slowly, so the body is still flowing when radosgw dies.
log_before=$(wc -l <"$MAIN_LOG")
out="$E2E_TMP/cut"
(
	curl -sS --globoff --max-time 120 --limit-rate 50M -D "$out.h" "${AUTH[@]}" \
		-w '%{stderr}@@ %{http_code} %{size_download}\n' "$BASE_URL$(dl "$BIG_KEY")" 2>"$out.e" | sha256sum >"$out.sha"
	echo "${PIPESTATUS[0]}" >"$out.rc"
) &
CUT=$!
sleep 2
kill_radosgw
t=$(_ms)
wait "$CUT"
cut_ms=$(($(_ms) - t))
cut_rc=$(cat "$out.rc" 2>/dev/null)
cut_size=$(sed -n 's/^@@ [0-9]* \([0-9]*\)$/\1/p' "$out.e")
cut_cl=$(HTTP_HEADERS=$(tr -d '\r' <"$out.h" 2>/dev/null) http_header Content-Length)
diag "S3 killed mid-body: curl exit $cut_rc after $cut_ms ms, $cut_size of $cut_cl bytes; $(grep -v '^@@' "$out.e")"
is "$cut_cl" "$GIB" "S3 killed mid-body: Content-Length was announced"
cut_status=$(sed -n 's/^@@ \([0-9]*\) .*/\1/p' "$out.e")
if [ "$cut_status" = 200 ] && [ -n "$cut_size" ] && [ "$cut_size" -gt 0 ] && [ "$cut_size" -lt "$GIB" ]; then
	tap_ok 0 "S3 killed mid-body: the client got fewer bytes than Content-Length ($cut_size, curl exit $cut_rc)"
else
	tap_ok 1 "S3 killed mid-body: the client got fewer bytes than Content-Length (status $cut_status, got '$cut_size', curl exit $cut_rc)"
fi
if [ "$cut_rc" = 18 ] || [ "$cut_rc" = 56 ] || [ "$cut_rc" = 92 ]; then
	tap_ok 0 "S3 killed mid-body: curl sees a cut transfer (exit $cut_rc)"
else
	tap_ok 1 "S3 killed mid-body: curl sees a cut transfer (exit $cut_rc; 18, 56 or 92 expected)"
fi
if [ -n "$cut_size" ] && [ "$cut_size" -gt 0 ]; then
	is "$(cut -d' ' -f1 <"$out.sha")" "$(s3_random "$GIB" "$BIG_SEED" | head -c "$cut_size" | sha256sum | cut -d' ' -f1)" \
		"S3 killed mid-body: the bytes that did arrive are the object's first bytes"
fi
sleep 0.5
cut_log=$(tail -n +"$((log_before + 1))" "$MAIN_LOG" | grep -a 's3gate\[[0-9]*\]')
diag "s3gate's log after the cut:" "$cut_log"
like "$cut_log" '([Cc]ut short|[Ii]ncomplete|[Pp]artial|[Tt]runcat|[Ii]nterrupt|[Aa]bort|closed|remaining|premature)' \
	"S3 killed mid-body: s3gate's log says the transfer was cut short"

# S3 down: an error, not a hang, and nothing about where S3 is.
req GET "$(dl "$TINY_KEY")" "${AUTH[@]}"
expect_error "S3 down" 502

start_radosgw_daemon || bail "radosgw did not restart"
fetch "$(dl "$TEN_KEY")" "${AUTH[@]}"
is "$F_STATUS $F_SHA" "200 $TEN_SHA" "S3 back: the next download works (a dead pooled connection is not reused)"

# ------------------------------------------------------ the main log, leaks --

n_requests=$((HTTP_COUNT - first_request))
stop_lighttpd
logged=$(grep -ac 's3gate\[[0-9]*\]' "$MAIN_LOG")
if [ "$logged" -ge "$n_requests" ]; then
	tap_ok 0 "main instance: at least one log line per request ($logged lines, $n_requests requests)"
else
	tap_ok 1 "main instance: at least one log line per request ($logged lines, $n_requests requests)"
fi
leaked=""
for v in S3_SECRET_KEY ID_TOKEN; do
	grep -aqF -e "${!v}" "$MAIN_LOG" && leaked="$leaked $v"
done
grep -aqF -e "$(jwt_part "$ID_TOKEN" 2)" -e "$(jwt_part "$ID_TOKEN" 3)" "$MAIN_LOG" && leaked="$leaked token-parts"
is "$leaked" "" "main instance: no secret key or token in the error log"
no_sanitizer_reports "main instance: no sanitizer report in the error log" "$MAIN_LOG"

# ------------------------- short lifetimes: presigned URLs, S3 stalling --

start_lighttpd_fcgi short "${SETTINGS[@]}" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
	S3GATE_PRESIGN_EXPIRES=1 S3GATE_S3_TIMEOUT=2 S3GATE_CACHE_DIR="$E2E_TMP/cache" ||
	bail "lighttpd (presign 1 s, S3 timeout 2 s) did not start"
req GET "$(dl "$TINY_KEY" mode=url)" "${AUTH[@]}"
is "$HTTP_STATUS $(json_get .expires_in)" "200 1" "S3GATE_PRESIGN_EXPIRES=1: mode=url says expires_in 1"
like "$(json_get .url)" '[?&]X-Amz-Expires=1(&|$)' "S3GATE_PRESIGN_EXPIRES=1: X-Amz-Expires=1"
sleep 3
fetch "$(json_get .url)"
is "$F_STATUS" 403 "S3GATE_PRESIGN_EXPIRES=1: fetched after 3 s: radosgw answers 403"

# radosgw frozen (SIGSTOP) in the middle of a body: s3gate gives up after
# S3GATE_S3_TIMEOUT=2 s of silence and the client sees a cut transfer.
log_before=$(wc -l <"$LIGHTTPD_LOG")
(
	FETCH_QUIET=1 fetch "$(dl "$BIG_KEY")" "${AUTH[@]}" --limit-rate 50M
	printf '%s %s %s %s\n' "$F_STATUS" "$F_SIZE" "$F_RC" "$(f_header Content-Length)" >"$E2E_TMP/stall.result"
) &
STALL=$!
sleep 2
kill -STOP "$RADOSGW_PID"
t=$(_ms)
wait "$STALL"
stall_ms=$(($(_ms) - t))
kill -CONT "$RADOSGW_PID"
read -r st_status st_size st_rc st_cl <"$E2E_TMP/stall.result"
diag "S3 frozen mid-body: curl exit $st_rc after $stall_ms ms, $st_size of $st_cl bytes"
if [ "$st_status" = 200 ] && [ "$st_cl" = "$GIB" ] && [ "${st_size:-0}" -gt 0 ] && [ "$st_size" -lt "$GIB" ] &&
	[ "$stall_ms" -lt 30000 ]; then
	tap_ok 0 "S3 frozen mid-body: the client gets a short body within 30 s (curl exit $st_rc)"
else
	tap_ok 1 "S3 frozen mid-body: the client gets a short body within 30 s (status $st_status, $st_size of $st_cl bytes, curl exit $st_rc, $stall_ms ms)"
fi
sleep 0.5
stall_log=$(tail -n +"$((log_before + 1))" "$LIGHTTPD_LOG" | grep -a 's3gate\[[0-9]*\]')
diag "s3gate's log after the stall:" "$stall_log"
like "$stall_log" 'cut short' "S3 frozen mid-body: s3gate's log says the transfer was cut short"
fetch "$(dl "$TEN_KEY")" "${AUTH[@]}"
is "$F_STATUS $F_SHA" "200 $TEN_SHA" "S3 thawed: the next download works"

# The other way round: the client stops reading for 10 s (a paused download,
# a stalled network), so s3gate waits on the web server, not on S3. With
# S3GATE_S3_TIMEOUT=2 the transfer must still complete.
t=$(_ms)
pause_sha=$(curl -sS --globoff --max-time 120 "${AUTH[@]}" "$BASE_URL$(dl "$BIG_KEY")" 2>"$E2E_TMP/pause.err" |
	{ dd bs=1M count=1 iflag=fullblock 2>/dev/null; sleep 10; cat; } | sha256sum | cut -d' ' -f1)
diag "client pausing 10 s: $(($(_ms) - t)) ms; $(cat "$E2E_TMP/pause.err")"
is "$pause_sha" "$BIG_SHA" "a client that stops reading for 10 s (S3GATE_S3_TIMEOUT=2) still gets every byte"
stop_lighttpd
no_sanitizer_reports "short-lifetimes instance: no sanitizer report" "$LIGHTTPD_LOG"

# An S3 that accepts the connection and never answers: 504, as CGI.
free_port HOLE_PORT
spawn black-hole "$E2E_TMP/black-hole.log" node -e \
	'require("net").createServer(() => {}).listen(+process.argv[1], "127.0.0.1", () => console.log("listening"))' "$HOLE_PORT"
PID_ALIVE=$SPAWNED_PID wait_until 10 "black hole start" grep -q listening "$E2E_TMP/black-hole.log" ||
	bail "the black-hole server did not start"
t=$(_ms)
cgi_s3gate GET "fn=$(uri "$TINY_KEY")" S3GATE_S3_ENDPOINT="http://127.0.0.1:$HOLE_PORT" S3GATE_S3_TIMEOUT=2
diag "S3 that never answers: $HTTP_STATUS after $(($(_ms) - t)) ms"
expect_error "S3 that never answers (S3GATE_S3_TIMEOUT=2), no web server" 504
unlike "$HTTP_BODY" "$HOLE_PORT" "S3 that never answers: the body does not name its port"
stop_pid "$SPAWNED_PID"

# ---------------------------------------------------------- wrong secret ----

WRONG_SECRET="wrongSecret/$(head -c 24 /dev/urandom | base64 | tr -d '=\n')"
start_lighttpd_fcgi wrong-secret "${SETTINGS[@]}" AWS_SECRET_ACCESS_KEY="$WRONG_SECRET" \
	S3GATE_CACHE_DIR="$E2E_TMP/cache" || bail "lighttpd (wrong secret) did not start"
req GET "$(dl "$TINY_KEY")" "${AUTH[@]}"
expect_error "wrong secret key" 502
case $HTTP_BODY in *"$WRONG_SECRET"*) tap_ok 1 "wrong secret key: the body does not contain it" ;;
*) tap_ok 0 "wrong secret key: the body does not contain it" ;; esac
req HEAD "$(dl "$TINY_KEY")" "${AUTH[@]}"
is "$HTTP_STATUS" 502 "wrong secret key, HEAD: 502"
stop_lighttpd
ws_log=$(s3gate_log_lines)
diag "s3gate's log with the wrong secret:" "$ws_log"
like "$ws_log" '([Ss]ignature|SignatureDoesNotMatch|403)' "wrong secret key: s3gate's log says the signature was refused"
grep -aqF -e "$WRONG_SECRET" -e "$S3_SECRET_KEY" "$LIGHTTPD_LOG"
tap_ok $((! $?)) "wrong secret key: no secret in the error log"
no_sanitizer_reports "wrong-secret instance: no sanitizer report" "$LIGHTTPD_LOG"

# ------------------------------------------- as CGI, with S3GATE_KEY_PREFIX --

# One process per request, the body written to standard output; the prefix
# is put before every key (and is not something a user can climb out of).
mkdir -p "$E2E_TMP/cache-cgi"
start_lighttpd_cgi cgi "${SETTINGS[@]}" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
	S3GATE_KEY_PREFIX=reports/ S3GATE_CACHE_DIR="$E2E_TMP/cache-cgi" || bail "lighttpd (CGI) did not start"
fetch "$(dl ten-mb.bin)" "${AUTH[@]}"
is "$F_STATUS $F_SHA" "200 $TEN_SHA" "CGI, S3GATE_KEY_PREFIX=reports/: fn=ten-mb.bin is reports/ten-mb.bin, exact bytes"
like "$(f_header Content-Disposition)" "filename=\"ten-mb.bin\"" "CGI, key prefix: the file name has no prefix"
fetch "$(dl ten-mb.bin)" "${AUTH[@]}" -H 'Range: bytes=-5'
is "$F_STATUS $F_SIZE" "206 5" "CGI, key prefix: Range bytes=-5: 206, 5 bytes"
req GET "$(dl "$TEN_KEY")" "${AUTH[@]}"
expect_error "CGI, key prefix: fn=reports/ten-mb.bin (reports/reports/...) is missing" 404
req GET "$(dl ../notes/tiny.txt)" "${AUTH[@]}"
expect_error "CGI, key prefix: a '..' segment" 400
req GET "$(dl ten-mb.bin mode=url)" "${AUTH[@]}"
fetch "$(json_get .url)"
is "$F_STATUS $F_SHA" "200 $TEN_SHA" "CGI, key prefix: mode=url: the URL names reports/ten-mb.bin and works"
stop_lighttpd
no_sanitizer_reports "CGI instance: no sanitizer report" "$LIGHTTPD_LOG"

# ----------------------------------------------------------- all responses --

no_secret_in_responses "$ID_TOKEN" "no response (headers or body) contains the secret key or the token"

diag "radosgw start: $RADOSGW_START_MS ms; whole test: $(($(_ms) - T_START)) ms; Ceph RSS at the end: $(ceph_rss_mib) MiB"
tap_done
