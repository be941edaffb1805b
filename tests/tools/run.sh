#!/bin/sh
# run.sh - runs every tool test script; prints a "N passed, N failed" line.
# Each script exits 0 (pass), 77 (skipped, with its reason) or other (fail).
set -u
dir=$(dirname "$0")
pass=0 fail=0 skip=0
for t in "$dir"/t_*.sh; do
	name=$(basename "$t" .sh)
	out=$(sh "$t" 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		pass=$((pass + 1))
		echo "PASS: $name"
	elif [ $rc -eq 77 ]; then
		skip=$((skip + 1))
		echo "SKIP: $name: $(echo "$out" | tail -n 1)"
	else
		fail=$((fail + 1))
		echo "FAIL: $name"
		echo "$out" | sed 's/^/    /' | tail -n 40
	fi
done
echo "tool tests: $pass passed, $fail failed, $skip skipped"
[ $fail -eq 0 ]
