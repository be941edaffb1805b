#!/bin/sh
# run.sh - runs every tool test script, NPKD_TEST_JOBS at a time (default:
# the number of processors); prints each verdict as it comes, the output
# of each failure, and a "N passed, N failed" line.  A script that measures
# time under load (a line "# run alone" in it) runs after the others, by
# itself.
# Each script exits 0 (pass), 77 (skipped, with its reason) or other (fail).
set -u
dir=$(dirname "$0")
jobs=${NPKD_TEST_JOBS:-$(nproc 2>/dev/null || echo 1)}
res=$(mktemp -d /tmp/npkd-run.XXXXXX)
trap 'rm -rf "$res"' EXIT
alone=$(grep -l '^# run alone' "$dir"/t_*.sh)
runall() {	# JOBS: the scripts on stdin
	xargs -P "$1" -n 1 sh -c '
	res=$1 t=$2 name=$(basename "$t" .sh)
	t0=$(date +%s)
	sh "$t" >"$res/$name.out" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	echo $rc >"$res/$name.rc"
	case $rc in
	0)	echo "PASS: $name (${secs}s)" ;;
	77)	echo "SKIP: $name: $(tail -n 1 "$res/$name.out")" ;;
	*)	echo "FAIL: $name (${secs}s)" ;;
	esac' run1 "$res"
}
# the slowest first, so that they overlap the rest
ls "$dir"/t_*.sh | grep -vxF "$alone" | awk '
    /t_(worlds|kill|scale_ml|spoc_hostile|trust|spoc)\.sh$/ {
	print; next } { rest[n++] = $0 } END { for (i = 0; i < n; i++)
	print rest[i] }' | runall "$jobs"
[ -z "$alone" ] || echo "$alone" | runall 1
pass=0 fail=0 skip=0
for t in "$dir"/t_*.sh; do
	name=$(basename "$t" .sh)
	rc=$(cat "$res/$name.rc" 2>/dev/null || echo 2)
	case $rc in
	0)	pass=$((pass + 1)) ;;
	77)	skip=$((skip + 1)) ;;
	*)	fail=$((fail + 1))
		echo "FAIL: $name: exit $rc"
		sed 's/^/    /' "$res/$name.out" 2>/dev/null | tail -n 40 ;;
	esac
done
echo "tool tests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
