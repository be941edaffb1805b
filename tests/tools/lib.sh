# lib.sh - shared by the tool tests: paths and small assertions.
set -eu
: "${NPKD_BIN:?}" "${NPKD_TESTDATA:?}"
NPKD=$NPKD_BIN/npkd
T=$NPKD_TESTDATA
TMP=$(mktemp -d /tmp/npkd-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

fail() {
	echo "not ok: $*" >&2
	exit 1
}

# expect CODE CMD...: run CMD, its exit status must be CODE
expect() {
	want=$1
	shift
	set +e
	"$@" >"$TMP/out" 2>"$TMP/err"
	got=$?
	set -e
	[ "$got" -eq "$want" ] || {
		cat "$TMP/err" >&2
		fail "$* exited $got, expected $want"
	}
}

# one_line_error FILE: stderr is exactly one line naming FILE
one_line_error() {
	[ "$(wc -l < "$TMP/err")" -eq 1 ] || { cat "$TMP/err" >&2; fail "not one line"; }
	grep -q "^[a-z-]*: .*$1" "$TMP/err" || { cat "$TMP/err" >&2; fail "error does not name $1"; }
}
