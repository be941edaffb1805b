#!/bin/sh
# fuzz-long.sh SECS TARGET... - make fuzz-long: every libFuzzer target for
# SECS seconds from its seed corpus (and the real files of ../shared/corpus
# that suit it, when present), FUZZ_LONG_JOBS targets at a time (default:
# the number of processors), then one line each: executions, coverage,
# corpus size and findings (crash, leak, timeout or out-of-memory inputs,
# kept in build/fuzz/findings/; an earlier run's are moved to
# build/fuzz/findings/earlier/ first).  Exits 1 when anything was found.
set -u
SECS=$1
shift
B=build/fuzz/fuzz
R=../shared/corpus
mkdir -p build/fuzz/findings
# real files per target, where the corpus has them
real() {
	case $1 in
	der)	echo "$R/npkd/certs $R/npkd/crl $R/pa/real" ;;
	cms|ml)	echo "$R/npkd/ml" ;;
	ldif|import) echo "$R/npkd/ldif $R/npkd/crl $R/npkd/certs" ;;
	cvc)	echo "$R/eac $R/eac/real" ;;
	soap)	echo "$R/eac/wsdl" ;;
	sod|pa)	echo "$R/pa/real" ;;
	*)	echo "" ;;
	esac
}
# one TARGET: fuzz it, write its line into build/fuzz/TARGET.line
one() {
	t=$1
	c=build/fuzz/$t.corpus
	mkdir -p "$c" build/fuzz/findings/earlier
	for f in build/fuzz/findings/"$t"-*; do
		[ -e "$f" ] && mv "$f" build/fuzz/findings/earlier/
	done
	seeds="fuzz/$t.in"
	for d in $(real "$t"); do
		[ -d "$d" ] && seeds="$seeds $d"
	done
	# shellcheck disable=SC2086
	"$B/${t}_fuzzer" -max_total_time="$SECS" -max_len=1048576 \
	    -rss_limit_mb=2048 -timeout=25 -print_final_stats=1 \
	    -artifact_prefix="build/fuzz/findings/$t-" "$c" $seeds \
	    > "build/fuzz/$t.log" 2>&1
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "build/fuzz/$t.log")
	last=$(grep -E '^#[0-9]+' "build/fuzz/$t.log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	n=$(ls "$c" | wc -l)
	found=$(ls build/fuzz/findings | grep -c "^$t-" || true)
	printf '%-10s %12s %8s %8s %8s %s\n' "$t" "${execs:-?}" "${cov:-?}" \
	    "${ft:-?}" "$n" "$found" > "build/fuzz/$t.line"
}
if [ "$SECS" = --one ]; then	# fuzz-long.sh --one SECS TARGET (xargs)
	SECS=$1
	one "$2"
	exit 0
fi
for t in "$@"; do
	rm -f "build/fuzz/$t.line"
done
echo "$@" | tr ' ' '\n' | xargs -P "${FUZZ_LONG_JOBS:-$(nproc)}" -n 1 \
    sh "$0" --one "$SECS"
bad=0
printf '%-10s %12s %8s %8s %8s %s\n' target execs cov features corpus findings
for t in "$@"; do
	if [ -f "build/fuzz/$t.line" ]; then
		cat "build/fuzz/$t.line"
		[ "$(awk '{ print $6 }' "build/fuzz/$t.line")" = 0 ] || bad=1
	else
		echo "$t: did not run (build/fuzz/$t.log)"
		bad=1
	fi
done
exit $bad
