#!/usr/bin/env bash
# bench/relay.sh: how fast s3gate relays S3 objects, against the same objects
# fetched directly, measured in the same run. Prints; asserts nothing.
#
#   S3GATE_BIN=/path/to/build/src/s3gate bench/relay.sh
#
# The upstream is a fast stand-in for S3: Debian's nginx serving files from a
# folder under the same path-style URLs (/BUCKET/KEY) on 127.0.0.1. s3gate's
# S3 endpoint points at it; nginx ignores the signature, so what is measured
# is s3gate's own cost (token check, signing, relaying), not S3's.
#
#   large object: a 256 MiB file fetched with curl, through lighttpd + s3gate
#                 (FastCGI) and directly from nginx; MB/s and their ratio.
#                 Target: through s3gate at least 0.8 of direct.
#   small object: a 4 KiB file under wrk (keep-alive), through lighttpd +
#                 s3gate with one valid token (cached after its first use)
#                 and directly from nginx; requests/s and their ratio.
#                 Target: at least 0.5 of direct.
#
# Knobs: BENCH_LARGE_RUNS (3), BENCH_WRK_SECONDS (5), BENCH_WRK_CONNECTIONS
# (16), BENCH_WRK_THREADS (2), LIGHTTPD_FCGI_PROCS (2). Needs lib.sh's
# dependencies (lighttpd, node modules for cognito-local) plus nginx and wrk
# (apt-get install --no-install-recommends nginx wrk). Runs in well under two
# minutes (about 45 s); a watchdog stops it at 110 s. For reference it also
# prints lighttpd serving the same files itself, and s3gate's /healthz and
# /whoami rates (FastCGI without S3), to show where the time goes.

. "$(dirname "$0")/../tests/e2e/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh: a missing dependency is an error here
S3GATE_REQUIRE_E2E=1
e2e_init 110

NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
WRK=${WRK:-$(command -v wrk || echo /usr/bin/wrk)}
[ -x "$NGINX" ] || bail "nginx not found (apt-get install --no-install-recommends nginx)"
[ -x "$WRK" ] || bail "wrk not found (apt-get install --no-install-recommends wrk)"
RUNS=${BENCH_LARGE_RUNS:-3}
WRK_SECONDS=${BENCH_WRK_SECONDS:-5}
WRK_CONNECTIONS=${BENCH_WRK_CONNECTIONS:-16}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
BUCKET=bench-bucket
LARGE=$((256 * 1048576))
SMALL=4096

# -- the files nginx serves, as S3 would under path-style URLs
WWW="$E2E_TMP/nginx/www"
mkdir -p "$WWW/$BUCKET/objects" "$E2E_TMP/nginx/tmp"
head -c "$LARGE" /dev/urandom >"$WWW/$BUCKET/objects/large.bin"
head -c "$SMALL" /dev/urandom >"$WWW/$BUCKET/objects/small.bin"

# -- nginx, in the foreground, everything under the temporary folder
start_nginx() {
	local _ user=""
	# run as root, nginx's workers would switch to nobody and not read the
	# private temporary folder: keep them as the current user
	[ "$(id -u)" = 0 ] && user="user $(id -un) $(id -gn);"
	for _ in 1 2 3; do
		free_port NGINX_PORT
		cat >"$E2E_TMP/nginx/nginx.conf" <<-CONF
			daemon off;
			$user
			worker_processes 2;
			pid $E2E_TMP/nginx/nginx.pid;
			error_log $E2E_TMP/nginx/error.log;
			events { worker_connections 1024; }
			http {
			    access_log off;
			    sendfile on;
			    tcp_nopush on;
			    keepalive_requests 1000000;
			    default_type application/octet-stream;
			    client_body_temp_path $E2E_TMP/nginx/tmp/body;
			    proxy_temp_path $E2E_TMP/nginx/tmp/proxy;
			    fastcgi_temp_path $E2E_TMP/nginx/tmp/fastcgi;
			    uwsgi_temp_path $E2E_TMP/nginx/tmp/uwsgi;
			    scgi_temp_path $E2E_TMP/nginx/tmp/scgi;
			    server {
			        listen 127.0.0.1:$NGINX_PORT;
			        root $WWW;
			    }
			}
		CONF
		spawn nginx "$E2E_TMP/nginx/nginx.out" "$NGINX" -e "$E2E_TMP/nginx/error.log" \
			-p "$E2E_TMP/nginx" -c "$E2E_TMP/nginx/nginx.conf"
		NGINX_PID=$SPAWNED_PID
		NGINX_URL="http://127.0.0.1:$NGINX_PORT"
		if PID_ALIVE=$NGINX_PID wait_until 10 "nginx start" \
			curl -sf --max-time 2 -o /dev/null "$NGINX_URL/$BUCKET/objects/small.bin"; then
			return 0
		fi
		show_log "$E2E_TMP/nginx/error.log"
		stop_pid "$NGINX_PID"
		grep -q 'Address already in use' "$E2E_TMP/nginx/error.log" || break
	done
	return 1
}
start_nginx || bail "nginx did not start"

start_cognito >/dev/null || bail "cognito-local did not start"
cognito_setup >/dev/null || bail "cognito-local setup failed"
mkdir -p "$E2E_TMP/cache"
start_lighttpd_fcgi bench \
	S3GATE_USER_POOL_ID="$POOL_ID" \
	S3GATE_CLIENT_ID="$CLIENT_ID" \
	S3GATE_ISSUER="$ISSUER" \
	S3GATE_JWKS_URL="$JWKS_URL" \
	S3GATE_CACHE_DIR="$E2E_TMP/cache" \
	S3GATE_LOG_LEVEL=warn \
	S3GATE_REGION=us-east-1 \
	S3GATE_FLOW=none \
	S3GATE_BUCKET="$BUCKET" \
	S3GATE_S3_ENDPOINT="$NGINX_URL" \
	S3GATE_S3_PATH_STYLE=true \
	AWS_ACCESS_KEY_ID=AKIDBENCHBENCHBENCH0 \
	AWS_SECRET_ACCESS_KEY=bench/secret/not/checked/by/nginx >/dev/null ||
	bail "lighttpd did not start"

RELAY_LARGE="$BASE_URL/s3gate/download?fn=objects/large.bin"
RELAY_SMALL="$BASE_URL/s3gate/download?fn=objects/small.bin"
DIRECT_LARGE="$NGINX_URL/$BUCKET/objects/large.bin"
DIRECT_SMALL="$NGINX_URL/$BUCKET/objects/small.bin"
AUTH="Authorization: Bearer $ID_TOKEN"

# -- s3gate must actually relay before anything is measured
for u in "$RELAY_SMALL" "$RELAY_LARGE"; do
	r=$(curl -s --max-time 60 -o /dev/null -H "$AUTH" -w '%{http_code} %{size_download}' "$u")
	case $u in *large*) want="200 $LARGE" ;; *) want="200 $SMALL" ;; esac
	if [ "$r" != "$want" ]; then
		echo "s3gate does not relay: GET ${u#"$BASE_URL"} -> '$r' (want '$want')" >&2
		show_log "$LIGHTTPD_LOG" 10 >&2
		rm -f "$WWW/$BUCKET/objects/large.bin"
		exit 1
	fi
done

# large URL [HEADER]: the best of RUNS downloads, in MB/s (10^6 bytes).
large() {
	local url=$1 best=0 _ bps
	shift
	for _ in $(seq 1 "$RUNS"); do
		bps=$(curl -s --max-time 30 -o /dev/null "$@" -w '%{speed_download}' "$url")
		bps=${bps%.*}
		[ "${bps:-0}" -gt "$best" ] && best=$bps
	done
	awk -v b="$best" 'BEGIN { printf "%.1f\n", b / 1e6 }'
}

# small URL [HEADER]: wrk's requests/s (non-2xx answers counted apart).
small() {
	local url=$1 out
	shift
	out=$("$WRK" -t "$WRK_THREADS" -c "$WRK_CONNECTIONS" -d "${WRK_SECONDS}s" --timeout 5s "$@" "$url" 2>&1)
	if printf '%s\n' "$out" | grep -q 'Non-2xx'; then
		echo "wrk $url: $(printf '%s\n' "$out" | grep 'Non-2xx')" >&2
	fi
	printf '%s\n' "$out" | awk '/^Requests\/sec:/ { printf "%.0f\n", $2 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f\n", a / b; else print "n/a" }'; }

# For the record, where the time goes: the same files served by lighttpd
# itself (its static file module), and s3gate over FastCGI without S3
# (/healthz: no token, no S3; /whoami: the cached token, no S3).
ln -s "$WWW/$BUCKET/objects/large.bin" "$LIGHTTPD_DIR/htdocs/large.bin"
ln -s "$WWW/$BUCKET/objects/small.bin" "$LIGHTTPD_DIR/htdocs/small.bin"

direct_large=$(large "$DIRECT_LARGE")
relay_large=$(large "$RELAY_LARGE" -H "$AUTH")
static_large=$(large "$BASE_URL/large.bin")
direct_small=$(small "$DIRECT_SMALL")
relay_small=$(small "$RELAY_SMALL" -H "$AUTH")
static_small=$(small "$BASE_URL/small.bin")
healthz_small=$(small "$BASE_URL/s3gate/healthz")
whoami_small=$(small "$BASE_URL/s3gate/whoami" -H "$AUTH")

printf '\nrelay benchmark (%s FastCGI processes, upstream nginx on 127.0.0.1, %s CPUs)\n' \
	"$LIGHTTPD_FCGI_PROCS" "$(nproc)"
printf '%-36s %12s %12s %7s %8s\n' "" "s3gate" "direct" "ratio" "target"
printf '%-36s %12s %12s %7s %8s\n' "256 MiB object, MB/s (best of $RUNS)" "$relay_large" "$direct_large" \
	"$(ratio "$relay_large" "$direct_large")" ">= 0.8"
printf '%-36s %12s %12s %7s %8s\n' "4 KiB object, requests/s (wrk)" "$relay_small" "$direct_small" \
	"$(ratio "$relay_small" "$direct_small")" ">= 0.5"
printf '(wrk: %s threads, %s connections, %s s each; token valid and cached)\n' \
	"$WRK_THREADS" "$WRK_CONNECTIONS" "$WRK_SECONDS"
printf '\nfor reference, in the same run (not targets):\n'
printf '%-52s %12s\n' "lighttpd static file, 256 MiB, MB/s" "$static_large" \
	"lighttpd static file, 4 KiB, requests/s" "$static_small" \
	"lighttpd + s3gate /healthz (no token, no S3), req/s" "$healthz_small" \
	"lighttpd + s3gate /whoami (cached token, no S3), req/s" "$whoami_small"
