# t_kill.sh - SIGKILL npkd import at many points of a large import: the
# store is afterwards either as it was or complete, never half, and intact.
. "$(dirname "$0")/lib.sh"
S=${NPKD_SCALE:-}
if [ -z "$S" ] || [ ! -f "$S/pkd.ldif" ]; then
	echo "skipped: no scale corpus (NPKD_SCALE)"
	exit 77
fi
export NPKD_DIR="$TMP/pristine"
"$NPKD" -q init
"$NPKD" -q import -T "$S/anchors.pem" "$S/ml.ml"
n0=$("$NPKD" ls | wc -l)
# the complete result, for comparison
cp -a "$TMP/pristine" "$TMP/full"
NPKD_DIR="$TMP/full" "$NPKD" -q import "$S/pkd.ldif"
nfull=$(NPKD_DIR="$TMP/full" "$NPKD" ls | wc -l)
[ "$nfull" -gt $((n0 + 1000)) ] || fail "corpus too small to kill in"
# how long a whole import takes, in milliseconds
t0=$(date +%s%N)
cp -a "$TMP/pristine" "$TMP/timing"
NPKD_DIR="$TMP/timing" "$NPKD" -q import "$S/pkd.ldif"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -gt 0 ] || ms=1
# 24 kill points, 12 under the sanitizers (make asan)
npts=24
[ -n "${NPKD_TEST_SANITIZED:-}" ] && npts=12
killed=0 unchanged=0 complete=0
k=0
while [ $k -lt $npts ]; do
	rm -rf "$TMP/w"
	cp -a "$TMP/pristine" "$TMP/w"
	# kill points spread over the import, and a few past its end
	delay=$(( ms * k / (npts - 4) ))
	NPKD_DIR="$TMP/w" "$NPKD" -q import "$S/pkd.ldif" &
	pid=$!
	sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
	if kill -9 "$pid" 2>/dev/null; then
		killed=$((killed + 1))
	fi
	wait "$pid" 2>/dev/null || true
	n=$(NPKD_DIR="$TMP/w" "$NPKD" ls | wc -l) || fail "store unreadable after kill $k"
	if [ "$n" -eq "$n0" ]; then
		unchanged=$((unchanged + 1))
	elif [ "$n" -eq "$nfull" ]; then
		complete=$((complete + 1))
	else
		fail "kill $k after ${delay} ms: $n objects, neither $n0 nor $nfull"
	fi
	if command -v sqlite3 >/dev/null 2>&1; then
		[ "$(sqlite3 "$TMP/w/npkd.db" 'PRAGMA integrity_check')" = ok ] ||
		    fail "integrity check after kill $k"
	fi
	NPKD_DIR="$TMP/w" "$NPKD" -q check >/dev/null 2>&1 ||
	    [ $? -eq 1 ] || fail "check after kill $k"
	k=$((k + 1))
done
echo "import of $((nfull - n0)) objects: ${ms} ms; $npts runs: $killed killed," \
    "$unchanged unchanged, $complete complete"
[ $killed -ge $((npts * 10 / 24)) ] || fail "only $killed runs were killed in flight"
[ $unchanged -ge $((npts * 5 / 24)) ] || fail "only $unchanged runs were killed before their commit"
exit 0
