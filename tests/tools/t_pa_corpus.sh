# t_pa_corpus.sh - the real security objects of ../shared/corpus/pa with
# the verdicts its SOURCES.md gives: each SOD verifies under its DSC and
# chains to its country's CSCA (genuine once that CSCA is the officer's
# anchor, not genuine before); the New Zealand SOD is BER; the BSI test
# passport's data groups match but DG15, which its SOD does not list, is
# refused, and its CSCA is not public.
. "$(dirname "$0")/lib.sh"
C=${NPKD_CORPUS:-$(pwd)/../shared/corpus}/pa
if [ ! -f "$C/SOURCES.md" ]; then
	echo "skipped: no real corpus at $C"
	exit 77
fi
export NPKD_DIR="$TMP/store"
expect 0 "$NPKD" -q init
n=0
for cc in DE FR NZ UK US; do
	sod=$C/real/${cc}_EF_SOD.bin
	[ -f "$sod" ] || fail "$sod missing"
	# before the officer trusts the CSCA: the signature verifies, the
	# chain does not reach a trusted CSCA
	expect 1 "$NPKD" pa -j "$sod"
	grep -q '"signature":{"result":"ok"' "$TMP/out" || fail "$cc: signature"
	grep -q '"step":"chain","reason":"issuer-absent"' "$TMP/out" ||
	    fail "$cc: not genuine without its CSCA"
	# the DSC the SOD carries is the corpus's XX_DSC.cer
	dsc=$(sha256sum < "$C/real/${cc}_DSC.cer" | cut -c1-64)
	grep -q "\"sha256\":\"$dsc\"" "$TMP/out" || fail "$cc: DSC"
	expect 0 "$NPKD" -q trust add "$C/real/${cc}_CSCA.cer"
	expect 0 "$NPKD" pa -j "$sod"
	grep -q '"verdict":"genuine"' "$TMP/out" || fail "$cc: genuine"
	grep -q '"datagroups":{"result":"not-checked"' "$TMP/out" ||
	    fail "$cc: data groups not checked"
	n=$((n + 1))
done
# the NZ SOD has indefinite lengths: BER, accepted with a finding
expect 0 "$NPKD" pa -j "$C/real/NZ_EF_SOD.bin"
grep -q '"ber":true' "$TMP/out" || fail "NZ: BER"
grep -q '"code":"sod-ber"' "$TMP/out" || fail "NZ: finding"
expect 0 "$NPKD" pa -j "$C/real/DE_EF_SOD.bin"
grep -q '"ber":false' "$TMP/out" || fail "DE: DER"
# the BSI reference passport
B=$C/bsi-tr03105-de
expect 1 "$NPKD" pa -j "$B"/EF_SOD.bin "$B"/Datagroup1.bin "$B"/Datagroup2.bin \
    "$B"/Datagroup3.bin "$B"/Datagroup4.bin "$B"/Datagroup14.bin \
    "$B"/Datagroup15.bin "$B"/EF_COM.bin
python3 - "$TMP/out" <<'PY' || fail "BSI test passport"
import json, sys
r = json.loads(open(sys.argv[1]).read())
assert r["verdict"] == "not-genuine", r["verdict"]
assert r["steps"]["signature"]["result"] == "ok", r["steps"]["signature"]
assert r["sod"]["signature_algorithm"] == "rsassa-pss-sha-256-salt32"
assert r["steps"]["chain"]["reason"] == "issuer-absent"
dg = r["datagroups"]
for n in ("1", "2", "3", "4", "14"):
    assert dg[n] == "ok", (n, dg)
assert dg["15"] == "not-listed", dg
assert r["steps"]["datagroups"]["reason"] == "dg-not-listed"
assert r["steps"]["country"]["result"] == "ok"   # D<< is DE
PY
echo "checked $n real SODs and the BSI test passport"
exit 0
