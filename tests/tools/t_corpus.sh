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
	expect 0 "$NPKD" ml verify "$C/$f"
	expect 0 "$NPKD" ml print "$C/$f"
	got=$(wc -l < "$TMP/out")
	[ "$got" -eq "$count" ] || fail "$f: $got certificates, SOURCES.md says $count"
	# no member signature fails
	"$NPKD" ml verify -v "$C/$f" | grep -q 'error: member-signature' &&
	    fail "$f: a member signature failed"
	n=$((n + 1))
done < "$TMP/counts"
[ $n -ge 6 ] || fail "only $n lists checked"
# ICAO's list: the DigestInfo without NULL is accepted and reported
"$NPKD" ml verify -v "$C/ml/ICAO_ml_March2023.ml" | grep -q digestinfo-without-null ||
    fail "ICAO list: DigestInfo finding"
# the German list: ECDSA identifier with NULL, brainpool explicit signer
"$NPKD" ml verify -v "$C/ml/DE_20210315_DEMasterList.ml" | grep -q ecdsa-null-param ||
    fail "DE list: ECDSA NULL finding"
# anchored in the CSCA certificates the corpus carries
expect 0 "$NPKD" ml verify -T "$C/certs/NL_csca_2021_serial6.cer" "$C/ml/NL_MASTERLIST_20211207.mls"
grep -q "anchored in" "$TMP/out" || fail "NL anchored"
expect 1 "$NPKD" ml verify -T "$C/certs/AU_CSCA_AUS_vdsncchecker.der" "$C/ml/NL_MASTERLIST_20211207.mls"
echo "checked $n real lists"
exit 0
