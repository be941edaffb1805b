# t_trust.sh - the trust model against crafted worlds (testdata/genworld.py
# cases): what an attacker who holds no key of a trusted party can publish,
# and what a country does (rollovers, revocations), each with the verdict
# it must get.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/worldlib.sh"
W=${NPKD_WORLDS:?}
[ -d "$W/cases" ] || fail "no cases in $W"
ncase=0
for w in "$W"/cases/*/; do
	run_world "${w%/}"
	ncase=$((ncase + 1))
done
[ $ncase -ge 20 ] || fail "only $ncase cases"
echo "$ncase crafted cases"
exit 0
