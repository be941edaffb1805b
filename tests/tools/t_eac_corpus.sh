# t_eac_corpus.sh - real CV certificates and requests (../shared/corpus/eac):
# every one prints and verifies at a date inside its validity.
. "$(dirname "$0")/lib.sh"
E=${NPKD_CORPUS:-$(pwd)/../shared/corpus}/eac
if [ ! -f "$E/SOURCES.md" ]; then
	echo "skipped: no real EAC corpus at $E"
	exit 77
fi
CVC=$NPKD_BIN/cvc
n=0
for f in "$E"/*.cvcert "$E"/real/*.cvcert "$E"/real/*.req; do
	expect 0 "$CVC" print "$f"
	n=$((n + 1))
done
# the non-EAC terminal type is kept and printed
expect 0 "$CVC" print -j "$E/DESRCACC100001.cvcert"
grep -q '"terminal_type":"1.3.6.1.4.1.24991.3.1.1"' "$TMP/out" || fail "unknown CHAT OID"
expect 0 "$CVC" print -j "$E/ZZDKB20003U_AT_terminal.cvcert"
grep -q '"extensions":\["0.4.0.127.0.7.3.1.3.2","0.4.0.127.0.7.3.1.3.1"\]' \
    "$TMP/out" || fail "certificate extensions listed"
R=$E/real
expect 0 "$CVC" verify -D 2020-01-01 -T "$E/DESRCACC100001.cvcert" "$E/DESRCACC100001.cvcert"
expect 0 "$CVC" verify -D 2009-01-01 -T "$R/C_CZCVCADCZ000.cvcert" "$R/C_CZCVCADCZ000.cvcert"
expect 0 "$CVC" verify -D 2011-01-01 -T "$R/DECVCAEPASS00102.cvcert" \
    -T "$R/DECVCAeID00102.cvcert" "$R/DECVCAEPASS00102.cvcert" "$R/DECVCAeID00102.cvcert"
# the Dutch chain on brainpoolP224r1: DV and IS inherit the CVCA's domain
expect 0 "$CVC" verify -D 2009-06-01 -T "$R/NL_certCVCA_orig.cvcert" \
    -c "$R/NL_certDVD_orig.cvcert" "$R/NL_certDVD_orig.cvcert" \
    "$R/NL_certIS_orig.cvcert" "$R/NL_link_certCVCA_new.cvcert"
[ "$(grep -c verified "$TMP/out")" -eq 3 ] || fail "NL chain"
expect 1 "$CVC" verify -T "$R/NL_certCVCA_orig.cvcert" -c "$R/NL_certDVD_orig.cvcert" \
    "$R/NL_certIS_orig.cvcert"
grep -q failure_expired "$TMP/err" || fail "NL today: expired"
# the authenticated request: inner and outer signatures
expect 0 "$CVC" verify -D 2008-09-01 -T "$R/absp.cvcert" "$R/absp.req"
"$(dirname "$NPKD_BIN")/host/mkder" flip "$R/absp.req" "$TMP/outer.req" last
expect 1 "$CVC" verify -D 2008-09-01 -T "$R/absp.cvcert" "$TMP/outer.req"
grep -q failure_outer_signature "$TMP/err" || fail "tampered outer signature"
echo "checked $n real CV objects"
exit 0
