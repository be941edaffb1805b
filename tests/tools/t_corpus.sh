# t_corpus.sh - real master lists (../shared/corpus/npkd): every one
# verifies, and its certificate count is the one SOURCES.md gives.
. "$(dirname "$0")/lib.sh"
C=${NPKD_CORPUS:-$(pwd)/../shared/corpus}/npkd
if [ ! -f "$C/SOURCES.md" ]; then
	echo "skipped: no real corpus at $C"
	exit 77
fi
n=0
# "| ml/X | 423 | 91 | ..." rows of the "What a correct reader finds" table
grep '^| ml/' "$C/SOURCES.md" | awk -F'|' 'NF > 8 && $3 ~ /^ *[0-9]+ *$/ {
	gsub(/ /, "", $2); gsub(/ /, "", $3); print $2, $3 }' > "$TMP/counts"
[ -s "$TMP/counts" ] || fail "no counts found in SOURCES.md"
while read -r f count; do
	expect 0 "$NPKD" ml verify -S "$C/$f"
	expect 0 "$NPKD" ml print "$C/$f"
	got=$(wc -l < "$TMP/out")
	[ "$got" -eq "$count" ] || fail "$f: $got certificates, SOURCES.md says $count"
	# no member signature fails
	"$NPKD" ml verify -S -v "$C/$f" | grep -q 'error: member-signature' &&
	    fail "$f: a member signature failed"
	n=$((n + 1))
done < "$TMP/counts"
[ $n -ge 6 ] || fail "only $n lists checked"
# ICAO's list: the DigestInfo without NULL is accepted and reported
"$NPKD" ml verify -S -v "$C/ml/ICAO_ml_March2023.ml" | grep -q digestinfo-without-null ||
    fail "ICAO list: DigestInfo finding"
# the German list: ECDSA identifier with NULL, brainpool explicit signer
"$NPKD" ml verify -S -v "$C/ml/DE_20210315_DEMasterList.ml" | grep -q ecdsa-null-param ||
    fail "DE list: ECDSA NULL finding"
# anchored in the CSCA certificates the corpus carries
expect 0 "$NPKD" ml verify -T "$C/certs/NL_csca_2021_serial6.cer" "$C/ml/NL_MASTERLIST_20211207.mls"
grep -q "anchored in" "$TMP/out" || fail "NL anchored"
expect 1 "$NPKD" ml verify -T "$C/certs/AU_CSCA_AUS_vdsncchecker.der" "$C/ml/NL_MASTERLIST_20211207.mls"
# rollover: the 2024 list is signed under a newer German CSCA that the
# 2019 CSCA links to; the link travels in the list
expect 0 "$NPKD" ml verify -T "$C/certs/DE_csca-germany_05-2019_self_signed.cer" \
    "$C/ml/DE_ML_2024-12-19-10-09-11.ml"
grep -q "anchored in CN=csca-germany" "$TMP/out" || fail "DE 2024 under the 2019 anchor"
expect 0 "$NPKD" ml verify -T "$C/certs/ICAO_UN_csca_from_ML_Jan2021.der" \
    "$C/ml/ICAO_ml_March2023.ml"
# links whose issuer name differs from the CSCA carrying their key (HU, PH
# in the German list) are found by key: not "issuer absent"
"$NPKD" ml verify -vv -T "$C/certs/DE_csca-germany_05-2019_self_signed.cer" \
    "$C/ml/DE_ML_2024-12-19-10-09-11.ml" > "$TMP/v"
grep -q 'link-issuer-name: member [0-9]* (HU' "$TMP/v" || fail "HU link by key"
grep -q 'link-issuer-absent: member [0-9]* (HU' "$TMP/v" && fail "HU link absent"
grep -q 'link-issuer-absent: member [0-9]* (GB' "$TMP/v" &&
    fail "GB link: C=gb and C=GB are one name (RFC 5280 7.1)"
echo "checked $n real lists"
exit 0
