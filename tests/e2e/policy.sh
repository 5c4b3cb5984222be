#!/usr/bin/env bash
# policy.sh: s3gate's access policy end to end. cognito-local for tokens (three
# users: alice in group readers, bob in group finance, carol in no group), a
# real Ceph RADOS Gateway for S3, and lighttpd with s3gate over FastCGI
# (lighttpd/s3gate-fastcgi.conf), restarted with one set of S3GATE_* policy
# settings after another. TAP on stdout.
#
#   S3GATE_BIN=/path/to/build/src/s3gate srcdir=/path/to/source tests/e2e/policy.sh
#
# Checks:
# - key rules (S3GATE_RULE): every (user, key) pair of a table written here
#   by hand answers 200 with the object or 403; group:, user: by e-mail, by
#   user name and by sub, any with {sub}, {username} and {email}; a deny rule
#   before an allow; the same rules with two swapped decide otherwise; an
#   unmatched key is denied; no rules: everything allowed;
# - a refused key answers the same 403 JSON whether it exists or not, for
#   the relay, HEAD, mode=url and mode=redirect (no URL, no Location);
# - S3GATE_REQUIRE_CLAIM: email_verified=true (cognito-local's ID tokens
#   carry it as a string) lets verified users in and not carol; a value the
#   token does not have, or a second claim that does not hold, refuses all;
# - S3GATE_ALLOW_IPS: an address, CIDR ranges, IPv6 (lighttpd listening on
#   [::1] too: a $SERVER["socket"] block added to the generated config here);
#   a refused client gets 403 JSON before any token work (no JWKS fetched,
#   even a valid token or none at all gets 403; /healthz still 200);
# - S3GATE_TRUSTED_PROXIES and X-Forwarded-For: the right-most untrusted
#   entry is the client; without trusted proxies the header changes nothing;
# - GET /s3gate/list with S3GATE_LIST_PAGE_SIZE=3: every page walked with
#   continuation, the union is exactly the keys the caller may fetch, no
#   forbidden key ever, the prefix filter, 401 without a token;
# - S3GATE_AUDIT_LOG: one JSON line per download decision (allowed, refused,
#   HEAD, url, redirect, cut short when radosgw dies mid-body), every field
#   checked, no token or cookie in the file, reopened after SIGHUP (logrotate);
# - s3gate check-access: its explanations and exit codes, and that it agrees
#   with the HTTP answers for every (user, key) pair.
#
# Needs what relay.sh needs (lib.sh's dependencies and lib-s3.sh's
# S3_APT_PACKAGES) and about 1 GB of memory. See lib.sh for the variables and
# exit codes.

. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib-s3.sh"
e2e_init "${S3GATE_E2E_TIMEOUT:-600}"
s3_require

T_START=$(_ms)
# the largest object is 200 MB (for the cut-short download)
S3_MEMSTORE_BYTES=$((1024 * 1024 * 1024))
BIG_SIZE=200000000

start_cognito || bail "cognito-local did not start"
cognito_setup || bail "cognito-local setup failed"
start_radosgw || bail "radosgw did not start"

# ------------------------------------------------------------------ users --

# lib.sh's cognito_setup made alice (group readers, e-mail verified). Three
# more: bob in group finance, carol in no group, dave in no group and with no
# e-mail. cognito-local (5.3) writes email_verified into ID tokens as a JSON
# boolean, but as Boolean(attribute): the attribute "false" (which it also
# adds itself when only an e-mail is given) becomes true. Only a user with no
# e-mail at all gets email_verified false, hence dave.
ALICE_TOKEN=$ID_TOKEN
ALICE_SUB=$USER_SUB
ALICE_EMAIL=$USER_EMAIL

# add_user NAME EMAIL EMAIL_VERIFIED [GROUP]: creates the user (and the group
# if needed; no e-mail attributes when EMAIL is empty), signs in as NAME with
# the "web" client; sets NAME_SUB and NAME_TOKEN (NAME upper-cased).
add_user() {
	local name=$1 email=$2 verified=$3 group=${4:-} pw='Anoth3r-Horse!' r var
	var=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
	if [ -n "$group" ]; then
		cognito GetGroup "$(jq -cn --arg p "$POOL_ID" --arg g "$group" '{UserPoolId: $p, GroupName: $g}')" \
			>/dev/null 2>&1 ||
			cognito CreateGroup "$(jq -cn --arg p "$POOL_ID" --arg g "$group" '{UserPoolId: $p, GroupName: $g}')" \
				>/dev/null || return 1
	fi
	r=$(cognito AdminCreateUser "$(jq -cn --arg p "$POOL_ID" --arg u "$name" --arg e "$email" --arg v "$verified" \
		'{UserPoolId: $p, Username: $u, MessageAction: "SUPPRESS",
		  UserAttributes: (if $e == "" then [] else [{Name: "email", Value: $e}, {Name: "email_verified", Value: $v}] end)}')") ||
		return 1
	printf -v "${var}_SUB" '%s' "$(json_get '.User.Attributes[] | select(.Name == "sub") | .Value' "$r")"
	cognito AdminSetUserPassword "$(jq -cn --arg p "$POOL_ID" --arg u "$name" --arg pw "$pw" \
		'{UserPoolId: $p, Username: $u, Password: $pw, Permanent: true}')" >/dev/null || return 1
	if [ -n "$group" ]; then
		cognito AdminAddUserToGroup "$(jq -cn --arg p "$POOL_ID" --arg u "$name" --arg g "$group" \
			'{UserPoolId: $p, Username: $u, GroupName: $g}')" >/dev/null || return 1
	fi
	r=$(cognito InitiateAuth "$(jq -cn --arg c "$CLIENT_ID" --arg u "$name" --arg pw "$pw" \
		'{ClientId: $c, AuthFlow: "USER_PASSWORD_AUTH", AuthParameters: {USERNAME: $u, PASSWORD: $pw}}')") || return 1
	printf -v "${var}_TOKEN" '%s' "$(json_get .AuthenticationResult.IdToken "$r")"
	local s="${var}_SUB" t="${var}_TOKEN"
	[ -n "${!s}" ] && [ "${!s}" != null ] && [ -n "${!t}" ] && [ "${!t}" != null ]
}

BOB_EMAIL=bob@example.test
CAROL_EMAIL=carol@example.test
add_user bob "$BOB_EMAIL" true finance || bail "could not create bob"
add_user carol "$CAROL_EMAIL" true || bail "could not create carol"
add_user dave "" "" || bail "could not create dave"
diag "users: alice $ALICE_SUB (readers), bob $BOB_SUB (finance), carol $CAROL_SUB (no group), dave $DAVE_SUB (no e-mail)"

# token_of USER
token_of() {
	case $1 in alice) echo "$ALICE_TOKEN" ;; bob) echo "$BOB_TOKEN" ;; carol) echo "$CAROL_TOKEN" ;;
	dave) echo "$DAVE_TOKEN" ;; esac
}

# What the tokens say, for the report and for the rules below.
for u in alice bob carol dave; do
	c=$(jwt_claims "$(token_of "$u")")
	diag "$u's ID token: cognito:username=$(json_get '."cognito:username"' "$c") email=$(json_get .email "$c")" \
		"  email_verified=$(json_get '.email_verified | tojson' "$c") ($(json_get '.email_verified | type' "$c")) groups=$(json_get '."cognito:groups" | tojson' "$c")"
done
EV_TYPE=$(json_get '.email_verified | type' "$(jwt_claims "$ALICE_TOKEN")")
like "$EV_TYPE" '^(string|boolean)$' "cognito-local's ID token carries email_verified (as a $EV_TYPE)"
is "$(json_get '."cognito:groups" | join(",")' "$(jwt_claims "$BOB_TOKEN")")" finance "bob's ID token has cognito:groups [finance]"
is "$(json_get '."cognito:groups" // [] | length' "$(jwt_claims "$CAROL_TOKEN")")" 0 "carol's ID token has no groups"
is "$(json_get '.email_verified | tojson' "$(jwt_claims "$DAVE_TOKEN")")" false "dave's ID token has email_verified false"

# ---------------------------------------------------------------- objects --

# The oracle: KEY and whether alice, bob, carol may fetch it (A or D), from
# the rules in RULES below, worked out by hand.
MATRIX="
finance/report.txt              D A D
finance/secret/plan.txt         D D D
carol-by-email/c.txt            D D A
carol-by-sub/c.txt              D D A
bob-by-name/b.txt               D A D
home/$ALICE_SUB/a.txt           A D D
home/$BOB_SUB/b.txt             D A D
users/alice/a.txt               A D D
users/bob/b.txt                 D A D
users/carol/c.txt               D D A
mail/$ALICE_EMAIL/a.txt         A D D
mail/$BOB_EMAIL/b.txt           D A D
public/hello.txt                A A A
public/secret/x.txt             D D D
other/thing.txt                 D D D
list/01.txt                     A A A
list/02.txt                     A A A
list/03.txt                     A A A
list/fin/a.txt                  D A D
list/fin/b.txt                  D A D
list/secret/a.txt               D D D
list/secret/b.txt               D D D
list/secret/c.txt               D D D
list/secret/d.txt               D D D
list/z1.txt                     A A A
list/z2.txt                     A A A
public/large.bin                A A A
"
ALL_KEYS=()
while read -r k _; do [ -n "$k" ] && ALL_KEYS+=("$k"); done <<<"$MATRIX"

# may USER KEY: 0 when the table lets USER fetch KEY.
may() {
	local col
	case $1 in alice) col=2 ;; bob) col=3 ;; carol) col=4 ;; esac
	[ "$(printf '%s\n' "$MATRIX" | awk -v k="$2" -v c="$col" '$1 == k { print $c }')" = A ]
}

t=$(_ms)
# each object holds "content of KEY"; uploaded six at a time
up_pids=()
up_failed=0
s3_put_random public/large.bin "$BIG_SIZE" big >/dev/null &
up_pids+=($!)
for k in "${ALL_KEYS[@]}"; do
	[ "$k" = public/large.bin ] && continue
	s3_put_bytes "content of $k" "$k" >/dev/null &
	up_pids+=($!)
	if [ ${#up_pids[@]} -ge 6 ]; then
		wait "${up_pids[0]}" || up_failed=$((up_failed + 1))
		up_pids=("${up_pids[@]:1}")
	fi
done
for p in "${up_pids[@]}"; do wait "$p" || up_failed=$((up_failed + 1)); done
[ "$up_failed" -eq 0 ] || bail "$up_failed uploads failed"
diag "${#ALL_KEYS[@]} objects uploaded in $(($(_ms) - t)) ms"

# ---------------------------------------------------------------- helpers --

# uri STRING: percent-encoded for a query value.
uri() { printf '%s' "$1" | jq -sRr @uri; }

# dl KEY [EXTRA_QUERY]: the download path for KEY.
dl() { printf '/s3gate/download?fn=%s%s' "$(uri "$1")" "${2:+&$2}"; }

HTTP_SIZE=
HTTP_BODY_SHA=
RESPONSES="$E2E_TMP/responses.txt"

# req METHOD PATH TOKEN [CURL_ARGS...]: one request, with "Authorization:
# Bearer TOKEN" unless TOKEN is empty. PATH may be a full URL. Sets
# HTTP_STATUS, HTTP_HEADERS, HTTP_BODY, HTTP_SIZE (body bytes received, as
# curl counts them) and HTTP_BODY_SHA (of the exact body bytes).
req() {
	local method=$1 url=$2 tok=$3 out="$E2E_TMP/req.$$" w
	shift 3
	local -a m=(-X "$method") a=()
	[ "$method" = HEAD ] && m=(--head)
	[ -n "$tok" ] && a=(-H "Authorization: Bearer $tok")
	case $url in /*) url=$BASE_URL$url ;; esac
	: >"$out.b"
	w=$(curl -sS --max-time "$HTTP_TIMEOUT" --globoff "${m[@]}" -D "$out.h" -o "$out.b" \
		-w '%{http_code} %{size_download}' "${a[@]}" "$@" "$url" 2>"$out.e")
	HTTP_STATUS=${w%% *}
	HTTP_SIZE=${w##* }
	[ -n "$HTTP_STATUS" ] || HTTP_STATUS=000
	HTTP_HEADERS=$(tr -d '\r' <"$out.h" 2>/dev/null)
	if [ "$method" = HEAD ]; then HTTP_BODY=; else HTTP_BODY=$(cat "$out.b"); fi
	HTTP_BODY_SHA=$(sha256sum <"$out.b" | cut -d' ' -f1)
	[ "$HTTP_STATUS" = 000 ] && diag "curl $method $url: $(cat "$out.e")"
	[ "${S3GATE_E2E_VERBOSE:-0}" = 1 ] && diag "$method $url -> $HTTP_STATUS" "$HTTP_HEADERS" "$HTTP_BODY"
	printf '=== %s %s -> %s\n%s\n\n%s\n' "$method" "$url" "$HTTP_STATUS" "$HTTP_HEADERS" "$HTTP_BODY" >>"$RESPONSES"
	rm -f "$out.h" "$out.b" "$out.e"
	return 0
}

# get_as USER KEY [EXTRA_QUERY [METHOD]]: a download as USER.
get_as() { req "${4:-GET}" "$(dl "$2" "${3:-}")" "$(token_of "$1")"; }

# forbidden_json: the last answer is 403 with a JSON {"error":"forbidden"} body.
forbidden_json() {
	[ "$HTTP_STATUS" = 403 ] && is_json_object "$HTTP_BODY" && [ "$(json_get .error)" = forbidden ] &&
		[[ $(http_header Content-Type) == application/json* ]]
}

s3gate_s3_settings SETTINGS
SETTINGS+=(
	AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY"
	AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY"
)
_cache_n=0

# start_s3gate NAME KEY=VALUE...: lighttpd + s3gate (FastCGI) with SETTINGS,
# a fresh JWKS cache folder (CACHE_DIR) and the extra settings.
start_s3gate() {
	local name=$1
	shift
	[ -n "$LIGHTTPD_PID" ] && stop_lighttpd
	_cache_n=$((_cache_n + 1))
	CACHE_DIR="$E2E_TMP/cache-$_cache_n"
	mkdir -m 0700 "$CACHE_DIR"
	start_lighttpd_fcgi "$name" "${SETTINGS[@]}" S3GATE_CACHE_DIR="$CACHE_DIR" "$@" ||
		bail "lighttpd with s3gate ($name) did not start"
	no_sanitizer_reports_later+=("$LIGHTTPD_LOG")
}
no_sanitizer_reports_later=()

BASE6=
# shellcheck disable=SC2317 # called through wait_until
_lighttpd6_answers() {
	[ "$(curl -s --globoff --max-time 2 -o /dev/null -w '%{http_code}' "$BASE6/index.html")" = 200 ]
}

# add_ipv6_listener: restarts the current lighttpd with its generated
# configuration plus a listener on [::1] (a $SERVER["socket"] block; the
# shipped snippet and lib.sh's template are unchanged). Sets BASE6.
add_ipv6_listener() {
	local p6 i
	for i in $(seq 1 50); do
		free_port p6
		(: <"/dev/tcp/::1/$p6") 2>/dev/null || break
	done
	stop_lighttpd
	# shellcheck disable=SC2016 # a lighttpd $SERVER condition, not a shell variable
	printf '\n## added by policy.sh: IPv6 loopback too\n$SERVER["socket"] == "[::1]:%s" { }\n' "$p6" \
		>>"$LIGHTTPD_DIR/lighttpd.conf"
	if ! "$LIGHTTPD" -tt -f "$LIGHTTPD_DIR/lighttpd.conf" >"$LIGHTTPD_DIR/configtest6.log" 2>&1; then
		diag "lighttpd refused the [::1] listener:" "$(cat "$LIGHTTPD_DIR/configtest6.log")"
		return 1
	fi
	spawn lighttpd-v6 "$LIGHTTPD_LOG" "$LIGHTTPD" -D -f "$LIGHTTPD_DIR/lighttpd.conf"
	LIGHTTPD_PID=$SPAWNED_PID
	BASE6="http://[::1]:$p6"
	PID_ALIVE=$LIGHTTPD_PID wait_until 15 "lighttpd start (127.0.0.1)" _lighttpd_answers &&
		PID_ALIVE=$LIGHTTPD_PID wait_until 15 "lighttpd start ([::1])" _lighttpd6_answers
}

# fastcgi_pids: the s3gate processes the current lighttpd started.
fastcgi_pids() {
	local p
	for p in $(ps -o pid= --ppid "$LIGHTTPD_PID" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = s3gate ] && echo "$p"
	done
}

# The rules (the table MATRIX above follows them). Rule numbers count from 1.
RULES=(
	"deny any */secret/*"
	"allow group:finance finance/*"
	"allow user:$CAROL_EMAIL carol-by-email/*"
	"allow user:$CAROL_SUB carol-by-sub/*"
	"allow user:bob bob-by-name/*"
	"allow any home/{sub}/*"
	"allow any users/{username}/*"
	"allow any mail/{email}/*"
	"allow group:finance list/fin/*"
	"deny any list/fin/*"
	"allow any list/*"
	"allow any public/*"
)
join_rules() {
	local IFS=';'
	printf '%s' "$*"
}
RULE_SETTING=$(join_rules "${RULES[@]}")
# rule_text N: how decisions name rule N.
rule_text() { printf 'rule %d: %s' "$1" "${RULES[$(($1 - 1))]}"; }

# ------------------------------------------------------------ the rules ----

start_s3gate rules S3GATE_RULE="$RULE_SETTING" S3GATE_LIST_PAGE_SIZE=3
diag "S3GATE_RULE=$RULE_SETTING"

req GET /s3gate/healthz ""
is "$HTTP_STATUS" 200 "rules instance: /healthz 200"

# Every (user, key) pair of the table: 200 with the object's bytes, or 403.
FORBIDDEN_SHA=
for u in alice bob carol; do
	for k in "${ALL_KEYS[@]}"; do
		if may "$u" "$k"; then
			if [ "$k" = public/large.bin ]; then
				get_as "$u" "$k" "" HEAD
				is "$HTTP_STATUS $(http_header Content-Length)" "200 $BIG_SIZE" "$u may fetch '$k': HEAD 200"
				continue
			fi
			get_as "$u" "$k"
			is "$HTTP_STATUS $HTTP_BODY" "200 content of $k" "$u may fetch '$k': 200 and its bytes"
		else
			get_as "$u" "$k"
			if forbidden_json; then
				tap_ok 0 "$u may not fetch '$k': 403 forbidden JSON"
			else
				tap_ok 1 "$u may not fetch '$k': 403 forbidden JSON"
				diag "got $HTTP_STATUS: $HTTP_BODY"
			fi
			[ -z "$FORBIDDEN_SHA" ] && FORBIDDEN_SHA=$HTTP_BODY_SHA FORBIDDEN_BODY=$HTTP_BODY
		fi
	done
done
diag "the 403 body: $FORBIDDEN_BODY"

# A refused key: the same answer whether it exists or not, in every mode.
same_refusal() {
	local what=$1
	if forbidden_json && [ "$HTTP_BODY_SHA" = "$FORBIDDEN_SHA" ]; then
		tap_ok 0 "$what: 403, the same body as every refusal"
	else
		tap_ok 1 "$what: 403, the same body as every refusal"
		diag "got $HTTP_STATUS: $HTTP_BODY" "expected: $FORBIDDEN_BODY"
	fi
}
for pair in "bob finance/secret/plan.txt finance/secret/no-such.txt" \
	"alice other/thing.txt other/no-such.txt" "carol finance/report.txt finance/no-such.txt" \
	"alice home/$BOB_SUB/b.txt home/$BOB_SUB/no-such.txt"; do
	read -r u k missing <<<"$pair"
	for mode in "" mode=url mode=redirect disposition=inline; do
		get_as "$u" "$k" "$mode"
		same_refusal "$u, existing '$k'${mode:+ ($mode)}"
		h_exist=$(printf '%s\n' "$HTTP_HEADERS" | grep -iv -e '^date:' -e '^server:' | sort)
		like "$(http_header Location || echo none)" '^none$' "$u, existing '$k'${mode:+ ($mode)}: no Location header"
		unlike "$HTTP_BODY" 'X-Amz-|https?://' "$u, existing '$k'${mode:+ ($mode)}: no URL in the body"
		get_as "$u" "$missing" "$mode"
		same_refusal "$u, missing '$missing'${mode:+ ($mode)}"
		h_missing=$(printf '%s\n' "$HTTP_HEADERS" | grep -iv -e '^date:' -e '^server:' | sort)
		is "$h_missing" "$h_exist" "$u, '$k' and '$missing'${mode:+ ($mode)}: the same headers"
	done
	get_as "$u" "$k" "" HEAD
	is "$HTTP_STATUS" 403 "$u, existing '$k', HEAD: 403"
	get_as "$u" "$missing" "" HEAD
	is "$HTTP_STATUS" 403 "$u, missing '$missing', HEAD: 403"
done
# The contrast: a key the user may fetch but that does not exist is 404.
get_as bob finance/no-such.txt
is "$HTTP_STATUS $(json_get .error)" "404 not_found" "bob, allowed but missing 'finance/no-such.txt': 404"
# mode=url and mode=redirect for an allowed key still work.
get_as bob finance/report.txt mode=url
is "$HTTP_STATUS" 200 "bob, allowed 'finance/report.txt', mode=url: 200"
req GET "$(json_get .url)" ""
is "$HTTP_STATUS $HTTP_BODY" "200 content of finance/report.txt" "bob, mode=url: radosgw serves the URL"
get_as alice public/hello.txt mode=redirect
is "$HTTP_STATUS" 302 "alice, allowed 'public/hello.txt', mode=redirect: 302"
req GET /s3gate/download?fn=public/hello.txt ""
is "$HTTP_STATUS $(json_get .error)" "401 missing_token" "no token: 401 before any rule"

# ---------------------------------------------------------------- listing --

LIST_RESULT=
LIST_PAGES=0
LIST_MAX_PAGE=0
LIST_ERR=

# list_walk USER PREFIX: every page of /list for USER under PREFIX; the keys
# (one a line, in order) into LIST_RESULT, the number of pages into
# LIST_PAGES, the largest page into LIST_MAX_PAGE, a problem into LIST_ERR.
list_walk() {
	local u=$1 prefix=$2 cont="" n q types
	LIST_RESULT=
	LIST_PAGES=0
	LIST_MAX_PAGE=0
	LIST_ERR=
	while :; do
		q="/s3gate/list?prefix=$(uri "$prefix")"
		[ -n "$cont" ] && q="$q&continuation=$(uri "$cont")"
		req GET "$q" "$(token_of "$u")"
		LIST_PAGES=$((LIST_PAGES + 1))
		types=$(json_get '(.objects | type) + " " + (.next | type)')
		if [ "$HTTP_STATUS" != 200 ] || ! is_json_object "$HTTP_BODY" ||
			{ [ "$types" != "array string" ] && [ "$types" != "array null" ]; }; then
			LIST_ERR="page $LIST_PAGES: $HTTP_STATUS $HTTP_BODY"
			return 1
		fi
		n=$(json_get '.objects | length')
		[ "$n" -gt "$LIST_MAX_PAGE" ] && LIST_MAX_PAGE=$n
		if [ "$n" -gt 0 ]; then
			LIST_RESULT+=$(json_get '.objects[].key')$'\n'
		fi
		cont=$(json_get '.next // empty')
		[ -z "$cont" ] && return 0
		if [ "$LIST_PAGES" -ge 100 ]; then
			LIST_ERR="more than 100 pages"
			return 1
		fi
	done
}

# expected_list USER PREFIX: the keys of the table under PREFIX that USER may
# fetch, sorted as S3 lists them (bytewise).
expected_list() {
	local k
	for k in "${ALL_KEYS[@]}"; do
		[[ $k == "$2"* ]] && may "$1" "$k" && printf '%s\n' "$k"
	done | LC_ALL=C sort
}

for u in alice bob carol; do
	for prefix in list/ "" public/ list/fin/; do
		list_walk "$u" "$prefix"
		got=$(printf '%s' "$LIST_RESULT" | sed '/^$/d')
		want=$(expected_list "$u" "$prefix")
		n_s3=0
		for k in "${ALL_KEYS[@]}"; do [[ $k == "$prefix"* ]] && n_s3=$((n_s3 + 1)); done
		what="list as $u, prefix '$prefix'"
		is "$LIST_ERR" "" "$what: every page 200 JSON with objects and next"
		is "$got" "$want" "$what: the union of the pages is exactly the keys $u may fetch"
		is "$(printf '%s\n' "$got" | sed '/^$/d' | sort | uniq -d)" "" "$what: no key twice"
		forbidden=""
		while IFS= read -r k; do
			[ -n "$k" ] && ! may "$u" "$k" && forbidden="$forbidden $k"
		done <<<"$got"
		is "$forbidden" "" "$what: no forbidden key"
		if [ "$LIST_MAX_PAGE" -le 3 ] && [ "$LIST_PAGES" -ge $(((n_s3 + 2) / 3)) ]; then
			tap_ok 0 "$what: pages of at most 3 ($LIST_PAGES pages for $n_s3 objects in S3)"
		else
			tap_ok 1 "$what: pages of at most 3 ($LIST_PAGES pages, largest $LIST_MAX_PAGE, for $n_s3 objects in S3)"
		fi
	done
done
# one page's fields, against S3
req GET "/s3gate/list?prefix=public/hello" "$ALICE_TOKEN"
obj=$(json_get '.objects[0] | tojson')
is "$(json_get '.objects | length') $(json_get .next)" "1 null" "list prefix 'public/hello': one object, next null"
is "$(json_get .key "$obj")" public/hello.txt "list: the key"
is "$(json_get .size "$obj")" "$(printf 'content of public/hello.txt' | wc -c)" "list: size is the object's size"
is "$(json_get .etag "$obj" | tr -d '"')" "$(s3_etag public/hello.txt | tr -d '"')" "list: etag is S3's ETag"
like "$(json_get .last_modified "$obj")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$' "list: last_modified is an ISO 8601 time"
# one page of the walk by hand: page 1 of 'list/' for alice has 3 keys and a next
req GET "/s3gate/list?prefix=list/" "$ALICE_TOKEN"
is "$(json_get '.objects | length')" 3 "list 'list/' as alice, page 1: 3 objects"
like "$(json_get .next)" '.' "list 'list/' as alice, page 1: next is a token"
req GET "/s3gate/list?prefix=list/" ""
is "$HTTP_STATUS $(json_get .error)" "401 missing_token" "list without a token: 401"
req GET "/s3gate/list?prefix=list/" "$(jwt_flip_char "$ALICE_TOKEN")"
is "$HTTP_STATUS" 401 "list with a tampered token: 401"

# ----------------------------------------------- rule order, no rules -------

# the first two rules swapped: finance may now see its secrets
SWAPPED=("${RULES[1]}" "${RULES[0]}" "${RULES[@]:2}")
start_s3gate swapped S3GATE_RULE="$(join_rules "${SWAPPED[@]}")"
get_as bob finance/secret/plan.txt
is "$HTTP_STATUS $HTTP_BODY" "200 content of finance/secret/plan.txt" \
	"rules 1 and 2 swapped: bob gets finance/secret/plan.txt (the allow comes first now)"
get_as alice finance/secret/plan.txt
is "$HTTP_STATUS" 403 "rules 1 and 2 swapped: alice still may not"
get_as bob public/secret/x.txt
is "$HTTP_STATUS" 403 "rules 1 and 2 swapped: bob still may not fetch public/secret/x.txt"

start_s3gate norules
for u in alice carol; do
	for k in other/thing.txt finance/secret/plan.txt "home/$BOB_SUB/b.txt"; do
		get_as "$u" "$k"
		is "$HTTP_STATUS $HTTP_BODY" "200 content of $k" "no rules: $u gets '$k'"
	done
done

# ---------------------------------------------------------- required claims --

# cognito-local writes email_verified as the string "true" or "false"; the
# setting compares the text either way.
start_s3gate claim-verified S3GATE_REQUIRE_CLAIM=email_verified=true
for u in alice bob; do
	get_as "$u" public/hello.txt
	is "$HTTP_STATUS" 200 "require email_verified=true, no rules: $u (verified) gets public/hello.txt"
done
get_as dave public/hello.txt
forbidden_json
tap_ok $? "require email_verified=true: dave (email_verified false) gets 403 JSON"
get_as dave no/such/key.txt
same_refusal "require email_verified=true: dave, a missing key"
get_as dave public/hello.txt mode=url
same_refusal "require email_verified=true: dave, mode=url"

start_s3gate claim-absent S3GATE_REQUIRE_CLAIM=email_verified=yes S3GATE_RULE="$RULE_SETTING"
for u in alice bob carol; do
	get_as "$u" public/hello.txt
	is "$HTTP_STATUS" 403 "require email_verified=yes (no token has it): $u refused public/hello.txt despite rule 12"
done

start_s3gate claim-two "S3GATE_REQUIRE_CLAIM=email_verified=true;cognito:username=bob" S3GATE_RULE="$RULE_SETTING"
get_as bob public/hello.txt
is "$HTTP_STATUS" 200 "require email_verified=true and cognito:username=bob: bob gets public/hello.txt"
get_as alice public/hello.txt
is "$HTTP_STATUS" 403 "require email_verified=true and cognito:username=bob: alice refused (second claim)"
req GET /s3gate/whoami "$ALICE_TOKEN"
diag "require claim not met, /whoami: $HTTP_STATUS"
req GET "/s3gate/list?prefix=public/" "$ALICE_TOKEN"
is "$HTTP_STATUS $(json_get '.objects | length')" "200 0" "require claim not met: the listing shows nothing"

# -------------------------------------------------------------- allow-list --

# ip_refused WHAT [CURL_ARGS...]: the last answer is 403 forbidden JSON.
ip_refused() {
	if forbidden_json; then tap_ok 0 "$1: 403 forbidden JSON"; else
		tap_ok 1 "$1: 403 forbidden JSON"
		diag "got $HTTP_STATUS: $HTTP_BODY"
	fi
}

start_s3gate ip-exact S3GATE_ALLOW_IPS=127.0.0.1 S3GATE_RULE="$RULE_SETTING"
get_as alice public/hello.txt
is "$HTTP_STATUS" 200 "S3GATE_ALLOW_IPS=127.0.0.1: 127.0.0.1 gets 200"
check "S3GATE_ALLOW_IPS=127.0.0.1: the JWKS was fetched and cached (the contrast for below)" \
	test -n "$(ls -A "$CACHE_DIR")"

start_s3gate ip-other S3GATE_ALLOW_IPS=10.0.0.0/8 S3GATE_RULE="$RULE_SETTING"
req GET /s3gate/healthz ""
is "$HTTP_STATUS" 200 "S3GATE_ALLOW_IPS=10.0.0.0/8: /healthz still 200"
get_as alice public/hello.txt
ip_refused "S3GATE_ALLOW_IPS=10.0.0.0/8: valid token"
req GET "$(dl public/hello.txt)" ""
ip_refused "S3GATE_ALLOW_IPS=10.0.0.0/8: no token (not 401)"
is "$(http_header WWW-Authenticate || echo none)" none "S3GATE_ALLOW_IPS=10.0.0.0/8: no WWW-Authenticate"
req GET "$(dl public/hello.txt)" "$(jwt_flip_char "$ALICE_TOKEN")"
ip_refused "S3GATE_ALLOW_IPS=10.0.0.0/8: tampered token (not 401)"
req GET /s3gate/whoami "$ALICE_TOKEN"
ip_refused "S3GATE_ALLOW_IPS=10.0.0.0/8: /whoami"
req GET "/s3gate/list?prefix=" "$ALICE_TOKEN"
ip_refused "S3GATE_ALLOW_IPS=10.0.0.0/8: /list"
get_as alice public/hello.txt mode=redirect
ip_refused "S3GATE_ALLOW_IPS=10.0.0.0/8: mode=redirect"
check "S3GATE_ALLOW_IPS=10.0.0.0/8: no token work: the JWKS was never fetched (cache folder empty)" \
	test -z "$(ls -A "$CACHE_DIR")"
sleep 0.3
like "$(s3gate_log_lines | tail -n 3)" 'client address not allowed' "S3GATE_ALLOW_IPS=10.0.0.0/8: the log says why"

start_s3gate ip-cidr S3GATE_ALLOW_IPS=127.0.0.0/8 S3GATE_RULE="$RULE_SETTING"
get_as alice public/hello.txt
is "$HTTP_STATUS" 200 "S3GATE_ALLOW_IPS=127.0.0.0/8: 127.0.0.1 gets 200"

start_s3gate ip-v6-only "S3GATE_ALLOW_IPS=::1/128" S3GATE_RULE="$RULE_SETTING"
if add_ipv6_listener; then
	req GET "$BASE6$(dl public/hello.txt)" "$ALICE_TOKEN"
	is "$HTTP_STATUS $HTTP_BODY" "200 content of public/hello.txt" "S3GATE_ALLOW_IPS=::1/128: [::1] gets 200"
	get_as alice public/hello.txt
	ip_refused "S3GATE_ALLOW_IPS=::1/128: 127.0.0.1"
	req GET "$BASE6/s3gate/list?prefix=public/" "$ALICE_TOKEN"
	is "$HTTP_STATUS" 200 "S3GATE_ALLOW_IPS=::1/128: [::1] may list"
	start_s3gate ip-v6-other "S3GATE_ALLOW_IPS=2001:db8::/32, 127.0.0.0/8" S3GATE_RULE="$RULE_SETTING"
	if add_ipv6_listener; then
		req GET "$BASE6$(dl public/hello.txt)" "$ALICE_TOKEN"
		ip_refused "S3GATE_ALLOW_IPS=2001:db8::/32, 127.0.0.0/8: [::1]"
		req GET "$BASE6$(dl public/hello.txt)" ""
		ip_refused "S3GATE_ALLOW_IPS=2001:db8::/32, 127.0.0.0/8: [::1] without a token"
		req GET "$BASE6/s3gate/healthz" ""
		is "$HTTP_STATUS" 200 "S3GATE_ALLOW_IPS=2001:db8::/32, 127.0.0.0/8: [::1] /healthz 200"
		get_as alice public/hello.txt
		is "$HTTP_STATUS" 200 "S3GATE_ALLOW_IPS=2001:db8::/32, 127.0.0.0/8: 127.0.0.1 gets 200"
	else
		tap_ok 1 "lighttpd listening on [::1] too (second instance)"
	fi
else
	tap_ok 1 "lighttpd listening on [::1] too"
fi

# ------------------------------------------------------- X-Forwarded-For ---

mkdir -p "$E2E_TMP/audit-xff"
XFF_AUDIT="$E2E_TMP/audit-xff/audit.log"
start_s3gate xff S3GATE_TRUSTED_PROXIES=127.0.0.1 S3GATE_ALLOW_IPS=198.51.100.0/24 \
	S3GATE_RULE="$RULE_SETTING" S3GATE_AUDIT_LOG="$XFF_AUDIT"
get_as alice public/hello.txt "" GET
ip_refused "trusted proxy 127.0.0.1, allow 198.51.100.0/24: no X-Forwarded-For (the proxy itself)"
req GET "$(dl public/hello.txt)" "$ALICE_TOKEN" -H 'X-Forwarded-For: 198.51.100.7'
is "$HTTP_STATUS $HTTP_BODY" "200 content of public/hello.txt" "X-Forwarded-For: 198.51.100.7 from the trusted proxy: allowed"
sleep 0.2
is "$(tail -n 1 "$XFF_AUDIT" 2>/dev/null | jq -r .client 2>/dev/null)" 198.51.100.7 \
	"X-Forwarded-For: the audit line names the forwarded client"
req GET "$(dl public/hello.txt)" "$ALICE_TOKEN" -H 'X-Forwarded-For: 198.51.100.7, 203.0.113.9'
ip_refused "X-Forwarded-For: 198.51.100.7, 203.0.113.9: the right-most untrusted entry is refused"
req GET "$(dl public/hello.txt)" "$ALICE_TOKEN" -H 'X-Forwarded-For: 203.0.113.9, 198.51.100.7'
is "$HTTP_STATUS" 200 "X-Forwarded-For: 203.0.113.9, 198.51.100.7: allowed (a spoofed left entry does not matter)"
req GET "$(dl public/hello.txt)" "$ALICE_TOKEN" -H 'X-Forwarded-For: 198.51.100.7, 127.0.0.1'
is "$HTTP_STATUS" 200 "X-Forwarded-For: 198.51.100.7, 127.0.0.1: allowed (trusted proxies in the chain skipped)"
req GET "$(dl public/hello.txt)" "$ALICE_TOKEN" -H 'X-Forwarded-For: 198.51.100.7' -H 'X-Forwarded-For: 203.0.113.9'
diag "two X-Forwarded-For headers (198.51.100.7 then 203.0.113.9): $HTTP_STATUS"
is "$HTTP_STATUS" 403 "two X-Forwarded-For headers, the last 203.0.113.9: refused"
req GET "$(dl public/hello.txt)" "$ALICE_TOKEN" -H 'X-Forwarded-For: garbage'
ip_refused "X-Forwarded-For: garbage: refused"

start_s3gate xff-untrusted S3GATE_ALLOW_IPS=198.51.100.0/24 S3GATE_RULE="$RULE_SETTING"
req GET "$(dl public/hello.txt)" "$ALICE_TOKEN" -H 'X-Forwarded-For: 198.51.100.7'
ip_refused "no trusted proxies: X-Forwarded-For: 198.51.100.7 from 127.0.0.1 changes nothing"
req GET /s3gate/healthz "" -H 'X-Forwarded-For: 198.51.100.7'
is "$HTTP_STATUS" 200 "no trusted proxies: /healthz still 200"

# ------------------------------------------------------------------ audit --

AUDIT_DIR="$E2E_TMP/audit"
mkdir -p "$AUDIT_DIR"
AUDIT="$AUDIT_DIR/audit.log"
COOKIE="s3gate_session=cookie$(printf '%04x%04x%04x' $RANDOM $RANDOM $RANDOM)"
start_s3gate audit S3GATE_RULE="$RULE_SETTING" S3GATE_AUDIT_LOG="$AUDIT"
CK=(-H "Cookie: $COOKIE")

# check_audit LINE WHAT SUB USERNAME KEY MODE STATUS BYTES DECISION_ERE
check_audit() {
	local l=$1 what=$2 f bad=""
	if ! is_json_object "$l"; then
		tap_ok 1 "audit, $what: a JSON object line"
		diag "line: '$l'"
		return 1
	fi
	for f in time client sub username key mode status bytes duration decision; do
		[ "$(json_get "has(\"$f\")" "$l")" = true ] || bad="$bad no-$f"
	done
	[[ $(json_get .time "$l") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]] || bad="$bad time"
	[ "$(json_get .client "$l")" = 127.0.0.1 ] || bad="$bad client"
	[ "$(json_get .sub "$l")" = "$3" ] || bad="$bad sub"
	[ "$(json_get .username "$l")" = "$4" ] || bad="$bad username"
	[ "$(json_get .key "$l")" = "$5" ] || bad="$bad key"
	[ "$(json_get .mode "$l")" = "$6" ] || bad="$bad mode"
	[ "$(json_get '.status | tojson' "$l")" = "$7" ] || bad="$bad status"
	[ "$(json_get '.bytes | tojson' "$l")" = "$8" ] || bad="$bad bytes"
	[ "$(json_get '.duration | type' "$l")" = number ] && [ "$(json_get '.duration >= 0' "$l")" = true ] ||
		bad="$bad duration"
	[[ $(json_get .decision "$l") =~ $9 ]] || bad="$bad decision"
	if [ -z "$bad" ]; then
		tap_ok 0 "audit, $what: every field right"
	else
		tap_ok 1 "audit, $what: every field right (wrong:$bad)"
		diag "line: $l" "expected: sub=$3 username=$4 key=$5 mode=$6 status=$7 bytes=$8 decision=~/$9/"
	fi
}

# ere STRING: STRING with the ERE metacharacters escaped.
ere() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# lighttpd answers before its FastCGI children have read their settings
wait_until 10 "audit file" test -f "$AUDIT"
tap_ok $? "audit: s3gate creates the file when it starts"
n0=$(wc -l <"$AUDIT")
is "$n0" 0 "audit: empty before any download"

req GET "$(dl public/hello.txt)" "$ALICE_TOKEN" "${CK[@]}"
a_status=$HTTP_STATUS a_size=$HTTP_SIZE
req GET "$(dl finance/report.txt)" "$ALICE_TOKEN" "${CK[@]}"
b_status=$HTTP_STATUS b_size=$HTTP_SIZE
req GET "$(dl public/secret/x.txt)" "$ALICE_TOKEN" "${CK[@]}"
c_status=$HTTP_STATUS c_size=$HTTP_SIZE
req HEAD "$(dl public/hello.txt)" "$BOB_TOKEN" "${CK[@]}"
d_status=$HTTP_STATUS
req GET "$(dl finance/report.txt mode=url)" "$BOB_TOKEN" "${CK[@]}"
e_status=$HTTP_STATUS e_size=$HTTP_SIZE
req GET "$(dl finance/secret/plan.txt mode=redirect)" "$BOB_TOKEN" "${CK[@]}"
f_status=$HTTP_STATUS f_size=$HTTP_SIZE
req GET "$(dl finance/no-such.txt)" "$BOB_TOKEN" "${CK[@]}"
g_status=$HTTP_STATUS g_size=$HTTP_SIZE
# refused before any key decision: not a download decision
req GET "$(dl audit/no-token.txt)" "" "${CK[@]}"
req GET "$(dl audit/bad-token.txt)" "$(jwt_flip_char "$ALICE_TOKEN")" "${CK[@]}"
sleep 0.3
is "$a_status $b_status $c_status $d_status $e_status $f_status $g_status" "200 403 403 200 200 403 404" \
	"audit: the answers were 200 403 403 200(HEAD) 200(url) 403(redirect) 404"
is "$(grep -vc -e '"audit/no-token.txt"' -e '"audit/bad-token.txt"' "$AUDIT")" 7 "audit: one line per download decision (7)"
diag "lines for refused tokens (401): $(grep -c '"audit/' "$AUDIT")"
diag "audit lines:" "$(cat "$AUDIT")"
lines=$(grep -v -e '"audit/no-token.txt"' -e '"audit/bad-token.txt"' "$AUDIT")
L() { printf '%s\n' "$lines" | sed -n "${1}p"; }
check_audit "$(L 1)" "allowed download" "$ALICE_SUB" alice public/hello.txt relay 200 "$a_size" "^$(ere "$(rule_text 12)")\$"
check_audit "$(L 2)" "refused, no rule matched" "$ALICE_SUB" alice finance/report.txt relay 403 "$b_size" \
	'no rule matched'
check_audit "$(L 3)" "refused by a deny rule" "$ALICE_SUB" alice public/secret/x.txt relay 403 "$c_size" \
	"^$(ere "$(rule_text 1)")\$"
check_audit "$(L 4)" "HEAD" "$BOB_SUB" bob public/hello.txt head 200 0 "^$(ere "$(rule_text 12)")\$"
check_audit "$(L 5)" "mode=url" "$BOB_SUB" bob finance/report.txt url 200 "$e_size" "^$(ere "$(rule_text 2)")\$"
check_audit "$(L 6)" "mode=redirect refused" "$BOB_SUB" bob finance/secret/plan.txt redirect 403 "$f_size" \
	"^$(ere "$(rule_text 1)")\$"
check_audit "$(L 7)" "allowed but missing (404)" "$BOB_SUB" bob finance/no-such.txt relay 404 "$g_size" \
	"^$(ere "$(rule_text 2)")\$"

# Cut short: radosgw killed while the body flows; the line says how many
# bytes really went out.
n_before=$(wc -l <"$AUDIT")
out="$E2E_TMP/cut"
(
	curl -sS --globoff --max-time 120 --limit-rate 20M -D "$out.h" -H "Authorization: Bearer $ALICE_TOKEN" \
		"${CK[@]}" -w '%{stderr}@@ %{http_code} %{size_download}\n' "$BASE_URL$(dl public/large.bin)" \
		2>"$out.e" | sha256sum >"$out.sha"
	echo "${PIPESTATUS[0]}" >"$out.rc"
) &
CUT=$!
sleep 2
kill_radosgw
t=$(_ms)
wait "$CUT"
cut_size=$(sed -n 's/^@@ [0-9]* \([0-9]*\)$/\1/p' "$out.e")
cut_status=$(sed -n 's/^@@ \([0-9]*\) .*/\1/p' "$out.e")
diag "radosgw killed mid-body: status $cut_status, $cut_size of $BIG_SIZE bytes, curl exit $(cat "$out.rc"), $(($(_ms) - t)) ms after"
if [ "$cut_status" = 200 ] && [ "${cut_size:-0}" -gt 0 ] && [ "$cut_size" -lt "$BIG_SIZE" ]; then
	tap_ok 0 "audit, cut short: the client got a short body ($cut_size bytes)"
else
	tap_ok 1 "audit, cut short: the client got a short body (status $cut_status, '$cut_size' bytes)"
fi
sleep 0.5
is "$(($(wc -l <"$AUDIT") - n_before))" 1 "audit, cut short: one line"
cut_line=$(tail -n 1 "$AUDIT")
check_audit "$cut_line" "cut short (bytes = what the client received)" "$ALICE_SUB" alice public/large.bin relay 200 \
	"$cut_size" "^$(ere "$(rule_text 12)")\$"
like "$(json_get .duration "$cut_line")" '^([2-9]|[1-9][0-9]+)(\.[0-9]+)?$' "audit, cut short: duration covers the transfer (>= 2 s)"
start_radosgw_daemon || bail "radosgw did not restart"
req GET "$(dl public/hello.txt)" "$ALICE_TOKEN"
is "$HTTP_STATUS" 200 "radosgw back: downloads work again"

# logrotate: mv the file away, SIGHUP the s3gate processes, the next lines go
# to a new file at the same path.
PIDS=$(fastcgi_pids | tr '\n' ' ')
diag "s3gate FastCGI processes: $PIDS"
like "$PIDS" '^[0-9]+ [0-9]+ $' "audit, SIGHUP: found the 2 s3gate processes under lighttpd"
mv "$AUDIT" "$AUDIT.1"
n_old=$(wc -l <"$AUDIT.1")
for p in $PIDS; do kill -HUP "$p"; done
sleep 0.3
for i in 1 2 3 4; do
	req GET "$(dl public/hello.txt)" "$ALICE_TOKEN" "${CK[@]}"
done
sleep 0.3
check "audit, SIGHUP: a new file at the original path" test -f "$AUDIT"
is "$(wc -l <"$AUDIT" 2>/dev/null)" 4 "audit, SIGHUP: the 4 new lines are in the new file"
is "$(wc -l <"$AUDIT.1")" "$n_old" "audit, SIGHUP: nothing more in the rotated file"
check_audit "$(tail -n 1 "$AUDIT" 2>/dev/null)" "after SIGHUP" "$ALICE_SUB" alice public/hello.txt relay 200 \
	"$(printf 'content of public/hello.txt' | wc -c)" "^$(ere "$(rule_text 12)")\$"
is "$(fastcgi_pids | tr '\n' ' ')" "$PIDS" "audit, SIGHUP: the s3gate processes lived on"

leaks=""
for f in "$AUDIT" "$AUDIT.1" "$XFF_AUDIT"; do
	for tok in "$ALICE_TOKEN" "$BOB_TOKEN"; do
		grep -aqF -e "$(jwt_part "$tok" 2)" -e "$(jwt_part "$tok" 3)" "$f" 2>/dev/null && leaks="$leaks token-in-${f##*/}"
	done
	grep -aqF -e "${COOKIE#*=}" -e "$S3_SECRET_KEY" "$f" 2>/dev/null && leaks="$leaks cookie-or-secret-in-${f##*/}"
done
is "$leaks" "" "audit: no token, cookie or secret in the audit files"
bad=$(cat "$AUDIT" "$AUDIT.1" | jq -c 'select(type != "object")' 2>&1 | head -n 3)
is "$bad" "" "audit: every line of both files is one JSON object"
stop_lighttpd

# ----------------------------------------------------------- check-access --

CA_ENV=(env -i PATH=/usr/bin:/bin "${SETTINGS[@]}" S3GATE_CACHE_DIR="$E2E_TMP/cache-1")
CA_OUT=
CA_RC=

# check_access "VAR=VALUE..." CLAIMS KEY: s3gate check-access with SETTINGS
# and the given extra settings (space-separated, none with spaces). Sets
# CA_OUT (stdout and stderr) and CA_RC.
check_access() {
	local -a extra=()
	[ -n "$1" ] && read -r -a extra <<<"$1"
	CA_OUT=$("${CA_ENV[@]}" "${extra[@]}" "$S3GATE_BIN" check-access "$2" "$3" 2>&1)
	CA_RC=$?
}
# the rules contain spaces: pass them in an array instead
check_access_rules() {
	CA_OUT=$("${CA_ENV[@]}" S3GATE_RULE="$RULE_SETTING" "${@:3}" "$S3GATE_BIN" check-access "$1" "$2" 2>&1)
	CA_RC=$?
}
BOB_CLAIMS=$(jwt_claims "$BOB_TOKEN")
ALICE_CLAIMS=$(jwt_claims "$ALICE_TOKEN")
CAROL_CLAIMS=$(jwt_claims "$CAROL_TOKEN")

check_access_rules "$BOB_CLAIMS" finance/report.txt
is "$CA_RC: $CA_OUT" "0: allowed: $(rule_text 2)" "check-access: bob, finance/report.txt: allowed by rule 2, exit 0"
check_access_rules "$BOB_CLAIMS" finance/secret/plan.txt
is "$CA_RC: $CA_OUT" "1: denied: $(rule_text 1)" "check-access: bob, finance/secret/plan.txt: denied by rule 1, exit 1"
check_access_rules "$ALICE_CLAIMS" other/thing.txt
like "$CA_RC: $CA_OUT" '^1: denied: .*no rule matched' "check-access: alice, other/thing.txt: denied, no rule matched, exit 1"
check_access_rules "$ALICE_CLAIMS" "home/$ALICE_SUB/a.txt"
is "$CA_RC: $CA_OUT" "0: allowed: $(rule_text 6)" "check-access: alice, her home/{sub}: allowed by rule 6"
check_access_rules '{"sub":"s-1","cognito:username":"zed","email":"carol@example.test","email_verified":true}' carol-by-email/x.txt
is "$CA_RC: $CA_OUT" "0: allowed: $(rule_text 3)" "check-access: hand-written claims, user: by verified e-mail: rule 3"
# an unverified e-mail, or a username that looks like the address, matches no user:EMAIL rule
check_access_rules '{"sub":"s-1","cognito:username":"zed","email":"carol@example.test","email_verified":false}' carol-by-email/x.txt
is "$CA_RC" 1 "check-access: hand-written claims, unverified e-mail: no user: match"
check_access_rules '{"sub":"s-1","cognito:username":"carol@example.test","email":"m@evil.test","email_verified":true}' carol-by-email/x.txt
is "$CA_RC" 1 "check-access: hand-written claims, username shaped like the e-mail: no user: match"
check_access_rules '{"sub":"s-1","cognito:username":"zed","cognito:groups":["finance"]}' list/fin/a.txt
is "$CA_RC: $CA_OUT" "0: allowed: $(rule_text 9)" "check-access: hand-written claims, group:finance: rule 9"
check_access_rules '{"sub":"s-1","cognito:username":"zed","cognito:groups":["readers"]}' list/fin/a.txt
is "$CA_RC: $CA_OUT" "1: denied: $(rule_text 10)" "check-access: hand-written claims, not in finance: rule 10"
check_access_rules "$(jwt_claims "$DAVE_TOKEN")" public/hello.txt S3GATE_REQUIRE_CLAIM=email_verified=true
like "$CA_RC: $CA_OUT" '^1: denied: .*claim' "check-access: dave with require email_verified=true: denied, names the claim"
check_access_rules '{"sub":"s-1","email_verified":"true"}' public/hello.txt S3GATE_REQUIRE_CLAIM=email_verified=true
is "$CA_RC" 0 "check-access: email_verified as the string \"true\" also holds for email_verified=true"
check_access_rules "$ALICE_CLAIMS" public/hello.txt S3GATE_REQUIRE_CLAIM=email_verified=true
is "$CA_RC: $CA_OUT" "0: allowed: $(rule_text 12)" "check-access: alice with require email_verified=true: allowed by rule 12"
check_access "" "$CAROL_CLAIMS" finance/secret/plan.txt
like "$CA_RC: $CA_OUT" '^0: allowed: .*no rules' "check-access, no rules: allowed, says there are no rules"
check_access_rules 'not json' public/hello.txt
like "$CA_RC" '^2$' "check-access: claims that are not JSON: exit 2"
check_access_rules '{"cognito:username":"zed"}' public/hello.txt
like "$CA_RC" '^2$' "check-access: claims without sub: exit 2"
check_access_rules "$ALICE_CLAIMS" "../etc/passwd"
is "$CA_RC" 1 "check-access: a key s3gate would refuse: exit 1"
check_access_rules "$ALICE_CLAIMS" ""
diag "check-access with an empty key: exit $CA_RC: $CA_OUT"
# check-access agrees with the HTTP answers (the table) for every pair
for u in alice bob carol; do
	case $u in alice) cl=$ALICE_CLAIMS ;; bob) cl=$BOB_CLAIMS ;; carol) cl=$CAROL_CLAIMS ;; esac
	mism=""
	for k in "${ALL_KEYS[@]}"; do
		check_access_rules "$cl" "$k"
		if may "$u" "$k"; then want=0; else want=1; fi
		[ "$CA_RC" = "$want" ] || mism="$mism $k($CA_RC: $CA_OUT)"
	done
	is "$mism" "" "check-access agrees with the table (and the HTTP answers) for every key, as $u"
done

# -------------------------------------------------------------- the end ----

for f in "${no_sanitizer_reports_later[@]}"; do
	no_sanitizer_reports "no sanitizer report in ${f#"$E2E_TMP"/}" "$f"
done
no_secret_in_responses "$ALICE_TOKEN" "no response contains the secret key or a token"

diag "whole test: $(($(_ms) - T_START)) ms"
tap_done
