#!/usr/bin/env bash
# servers.sh: s3gate deployed as the shipped files say, under each supported
# web server started for real on 127.0.0.1, with the same checks for each:
#
#   apache-fcgid  Apache 2.4 + mod_fcgid (apache/s3gate-fcgid.conf)
#   apache-cgi    Apache 2.4 + CGI, shared-hosting layout (cgi-bin/.htaccess,
#                 cgi-bin/htaccess-root, the program as cgi-bin/s3gate.cgi,
#                 pretty path /files)
#   lighttpd      lighttpd + mod_fastcgi (lighttpd/s3gate-fastcgi.conf)
#   nginx         nginx + spawn-fcgi (nginx/s3gate.conf)
# and two smaller sections: apache-cgi-alias (apache/s3gate-cgi.conf, plain
# CGI under a ScriptAlias, every check) and apache-cgi-noauthconfig (the
# shared-hosting layout adapted, as cgi-bin/.htaccess says, for a host
# without AuthConfig: only the rewrite rule passes Authorization; /healthz
# and /whoami only).
#
# Checks, per server: /healthz; /whoami with a cognito-local ID token as
# `Authorization: Bearer <t>` and as `Authorization: <t>` (so the header
# reaches s3gate), 401 without or tampered; /download of a few bytes and of
# 1 GiB from a real radosgw, byte-exact (sha256), Range bytes=0-9 206; during
# the 1 GiB relay (by a client that stalls 2 s) every process of the
# deployment stays under 64 MiB resident (not for sanitizer builds) and
# nothing is buffered to disk; the sign-in redirect (Accept: text/html, no
# token: 302 to <base>/login?fn=KEY) and /login's 302 to the authorize URL;
# s3gate's log lines in the server's log, no token or secret there.
#
#   S3GATE_BIN=/path/to/build/src/s3gate srcdir=/path/to/source tests/deploy/servers.sh
#   DEPLOY_SERVERS="nginx apache-cgi" ...   # a subset, in that order
#
# One cognito-local and one radosgw serve all sections; a server that
# does not start fails its section and the next one runs. Needs root (the
# servers switch to www-data), lib.sh's and lib-s3.sh's dependencies and the
# packages in lib-deploy.sh's DEPLOY_APT_PACKAGES; about 2.5 GB of memory (the
# 1 GiB object lives in Ceph's memstore) and about a minute and a half.

# shellcheck disable=SC2034 # BIG_*, SMALL_*, AUTHORIZE_URL... are read by lib-deploy.sh

DEPLOY_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../e2e/lib.sh
. "$DEPLOY_DIR/../e2e/lib.sh"
# shellcheck source=../e2e/lib-s3.sh
. "$DEPLOY_DIR/../e2e/lib-s3.sh"
# shellcheck source=lib-deploy.sh
. "$DEPLOY_DIR/lib-deploy.sh"
e2e_init "${S3GATE_E2E_TIMEOUT:-600}"
s3_require
deploy_require

SERVERS=${DEPLOY_SERVERS:-apache-fcgid apache-cgi apache-cgi-noauthconfig apache-cgi-alias lighttpd nginx}
for s in $SERVERS; do
	case $s in
	apache-fcgid | apache-cgi | apache-cgi-noauthconfig | apache-cgi-alias | lighttpd | nginx) ;;
	*) bail "unknown server in DEPLOY_SERVERS: $s" ;;
	esac
done

T_START=$(_ms)
deploy_prepare || bail "could not prepare $E2E_TMP for $DEPLOY_USER"
start_cognito || bail "cognito-local did not start"
cognito_setup || bail "cognito-local setup failed"
start_radosgw || bail "radosgw did not start"

SMALL_KEY="docs/hello world.txt"
SMALL_BYTES="0123456789 hello from the deployment tests"
s3_put_bytes "$SMALL_BYTES" "$SMALL_KEY" || bail "upload of $SMALL_KEY failed"
BIG_KEY="archive/one-gib.bin"
t=$(_ms)
s3_put_random "$BIG_KEY" 1073741824 deploy || bail "upload of $BIG_KEY failed"
BIG_SHA=$S3_SHA256
BIG_SIZE=$S3_SIZE
diag "peers ready in $(($(_ms) - T_START)) ms (1 GiB upload $(($(_ms) - t)) ms)"

# cognito-local has no Hosted UI: /login only has to point at it
AUTHORIZE_URL="$COGNITO_URL/oauth2/authorize"
s3gate_s3_settings SETTINGS
SETTINGS+=(
	S3GATE_COOKIE_SECURE=false
	S3GATE_AUTHORIZE_URL="$AUTHORIZE_URL"
	S3GATE_TOKEN_URL="$COGNITO_URL/oauth2/token"
)

for s in $SERVERS; do
	t=$(_ms)
	case $s in
	apache-fcgid) start_apache_fcgid "${SETTINGS[@]}" ;;
	apache-cgi) start_apache_cgi "${SETTINGS[@]}" ;;
	apache-cgi-noauthconfig) start_apache_cgi_noauthconfig "${SETTINGS[@]}" ;;
	apache-cgi-alias) start_apache_cgi_alias "${SETTINGS[@]}" ;;
	lighttpd) start_lighttpd "${SETTINGS[@]}" ;;
	# a random port, and Debian's fastcgi_params give s3gate the Host without
	# it: redirect_uri set, as nginx/s3gate.conf says
	nginx)
		free_port NGINX_PORT
		start_nginx "${SETTINGS[@]}" S3GATE_REDIRECT_URI="http://127.0.0.1:$NGINX_PORT/s3gate/callback" ;;
	esac
	if ! tap_ok $? "$s: started from the shipped configuration"; then
		stop_server
		continue
	fi
	REDIRECT_URI_WANT="$BASE_URL$SERVER_PREFIX/callback"
	# nginx: the configured redirect_uri, even if nginx itself had to move
	# to another port because NGINX_PORT was taken before it could bind
	[ "$s" = nginx ] && REDIRECT_URI_WANT="http://127.0.0.1:$NGINX_PORT/s3gate/callback"
	if [ "$s" = apache-cgi-noauthconfig ]; then
		deploy_auth_checks
	else
		deploy_checks
	fi
	stop_server
	diag "$s: $(($(_ms) - t)) ms"
done

diag "total $(($(_ms) - T_START)) ms"
tap_done
