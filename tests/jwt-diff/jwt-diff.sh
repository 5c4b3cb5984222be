#!/bin/sh
# Differential test of s3gate's token check against aws-jwt-verify (see diff.cjs).
#
# Environment:
#   S3GATE_BIN            the s3gate binary (set by the Makefile; default: ./src/s3gate)
#   S3GATE_NODE_MODULES   node_modules holding aws-jwt-verify (default: $srcdir/tests/node_modules)
#   S3GATE_REQUIRE_E2E=1  missing node or node modules is a failure instead of a skip (77)
#   srcdir                top source folder (automake sets it; default: two levels up from here)
set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${srcdir:-$here/../..}
node_modules=${S3GATE_NODE_MODULES:-$srcdir/tests/node_modules}

missing() {
	if [ "${S3GATE_REQUIRE_E2E:-0}" = 1 ]; then
		echo "Bail out! $1 (S3GATE_REQUIRE_E2E=1)"
		exit 1
	fi
	echo "1..0 # SKIP $1"
	# automake's tap-driver.sh reads the skip from the plan and counts exit 77 as an error
	[ -n "${AM_TAP_AWK:-}" ] && exit 0
	exit 77
}

command -v node >/dev/null 2>&1 || missing "node not found"
[ -f "$node_modules/aws-jwt-verify/package.json" ] ||
	missing "aws-jwt-verify not installed in $node_modules (npm ci --prefix tests)"

S3GATE_BIN=${S3GATE_BIN:-./src/s3gate}
if [ ! -x "$S3GATE_BIN" ]; then
	echo "Bail out! S3GATE_BIN=$S3GATE_BIN is not an executable file"
	exit 99
fi
case $S3GATE_BIN in
/*) ;;
*) S3GATE_BIN=$(pwd)/$S3GATE_BIN ;;
esac

NODE_PATH=$node_modules
export NODE_PATH S3GATE_BIN
exec node "$here/diff.cjs"
