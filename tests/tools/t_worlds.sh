# t_worlds.sh - the property test: random PKD worlds (testdata/genworld.py
# worlds: rollovers with links missing, anchors and list authorities, own
# lists, CRLs fresh, stale, absent or without AKI, delta CRLs, DSCs out of
# date, revoked, of another country or with a critical extension, and an
# attacker's copies of CSCAs, forged DSCs and fake CRLs), each checked
# against the truth its generator knows.  make worlds-long runs many more.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/worldlib.sh"
W=${NPKD_WORLDS:?}
[ -d "$W/worlds" ] || fail "no worlds in $W"
# under the sanitizers (make asan), the first 8 worlds
max=1000000
[ -n "${NPKD_TEST_SANITIZED:-}" ] && max=8
nw=0
for w in "$W"/worlds/*/; do
	[ $nw -lt $max ] || break
	run_world "${w%/}"
	nw=$((nw + 1))
done
[ $nw -ge 1 ] || fail "no world ran"
echo "$nw random worlds match their truth"
exit 0
