# t_store.sh - npkd init, import, check, ls, show on the generated PKI.
. "$(dirname "$0")/lib.sh"
export NPKD_DIR="$TMP/store"
count() {	# SQL-free: objects listed by npkd ls with the given options
	"$NPKD" ls "$@" | wc -l
}

expect 2 "$NPKD" ls
one_line_error "no store here"
expect 0 "$NPKD" init
expect 0 "$NPKD" init		# again: nothing lost
[ "$(count)" -eq 0 ] || fail "fresh store not empty"

# a fresh store trusts nothing: a list without -T is refused, nothing stored
expect 1 "$NPKD" import "$T/ml_aa.ml"
one_line_error "ml_aa.ml: not genuine: list-not-anchored"
[ "$(count)" -eq 0 ] || fail "refused list stored something"
# with the officer's anchor it goes in: the list, its signer (twice: it
# also travels in the SignedData), 20 members, one of them the anchor
expect 0 "$NPKD" import -T "$T/trust_aa.pem" "$T/ml_aa.ml"
grep -q "23 objects: 21 new, 2 seen again" "$TMP/out" || fail "ml_aa counts"
[ "$(count -k csca)" -eq 19 ] || fail "19 CSCAs"
[ "$(count -k link)" -eq 1 ] || fail "1 link"
[ "$(count -k ml)" -eq 1 ] || fail "1 list"
expect 0 "$NPKD" trust ls
grep -q "^anchor    AA	" "$TMP/out" || fail "trust ls: the -T anchor"
# the same list again: seen again, not stored twice
expect 0 "$NPKD" import "$T/ml_aa.ml"
grep -q "0 new, 23 seen again" "$TMP/out" || fail "duplicate list"
# BB's own list: not genuine until the officer holds BB's anchor (a CSCA
# vouched for by another list anchors nothing)
expect 1 "$NPKD" import "$T/ml_bb.ml"
one_line_error "does not chain to an anchor of BB"
expect 0 "$NPKD" trust add "$T/bb_csca.pem"
expect 0 "$NPKD" import "$T/ml_bb.ml"
grep -q "2 new, 21 seen again" "$TMP/out" || fail "ml_bb merge"
expect 0 "$NPKD" show -j "$(sha256sum < "$T/cc_csca.der" | cut -c1-12)"
grep -q '"seen":3' "$TMP/out" || fail "CC CSCA listed by three imports"
expect 0 "$NPKD" show "$(sha256sum < "$T/cc_csca.der" | cut -c1-12)"
[ "$(grep -c 'via list' "$TMP/out")" -eq 3 ] || fail "provenance: 3 list lines"
grep -q "BEGIN CERTIFICATE" "$TMP/out" || fail "show prints the PEM"

# lists that do not verify: exit 1, nothing stored
before=$(count)
for f in signer_rogue.ml tampered_content.ml signer_no_eku.ml; do
	expect 1 "$NPKD" import "$T/bad/$f"
	one_line_error "$f"
done
# malformed files of every kind: exit 2, one line, nothing stored
for f in truncated.ml trailing_garbage.ml empty.ml text.ml member_truncated.ml \
    cert_trailing_garbage.der crl_truncated.crl crl_bad.pem pkd_badb64.ldif \
    pkd_nodn.ldif; do
	expect 2 "$NPKD" import "$T/bad/$f"
	one_line_error "$f"
done
[ "$(count)" -eq "$before" ] || fail "a refused file changed the store"
grep -q "line" "$TMP/err" || fail "LDIF error names the line"

# DSCs, CRLs and a deviation list, from LDIF, PEM, DER and stdin
expect 0 "$NPKD" import "$T/pkd_dsc.ldif"
grep -q "ldif, 11 objects: 11 new" "$TMP/out" || fail "LDIF: 9 DSCs and 2 CRLs"
expect 0 "$NPKD" import "$T/pkd_nc.ldif" "$T/dl_aa.dl" "$T/aa_dsc_forged.der" \
    "$T/aa_dsc_old.pem" "$T/rogue_mlsigner.pem"
expect 0 sh -c "\"$NPKD\" import - < \"$T/cc_mlsigner.pem\""
grep -q "^(stdin): pem, 1 objects" "$TMP/out" || fail "stdin import"
expect 0 "$NPKD" show -j "$(sha256sum < "$T/ii_dsc.der" | cut -c1-16)"
grep -q '"nonconformant":true,"conformance":"ERR:DSC.KU.3: ERR:DSC:Extension:KeyUsage: generated test entry with a folded conformance text"' \
    "$TMP/out" || fail "nc-data conformance"
# an entry that cannot be used inside a well-formed LDIF is refused on its
# own, with its reason; the rest imports and the answer is no (exit 1)
expect 1 "$NPKD" import "$T/bad/pkd_broken.ldif"
grep -q "pkd_broken.ldif: line [0-9]*: refused: usercertificate: certificate" \
    "$TMP/err" || fail "refused entry named with its reason"
grep -q "1 entry refused, the rest imported" "$TMP/err" || fail "refusal count"
grep -q "2 objects" "$TMP/out" || fail "the rest of pkd_broken imported"
expect 0 "$NPKD" ls --refused
grep -q "^refused .*pkd_broken.ldif: line [0-9]*: usercertificate: certificate" \
    "$TMP/out" || fail "ls --refused lists the refusal"
# LDIF master lists: CscaMasterListData accepted; lists that verify are
# kept whatever their anchoring (check decides what they vouch for)
expect 0 "$NPKD" import "$T/pkd_ml.ldif"
[ "$(count -k ml)" -eq 4 ] || fail "lists of the LDIF kept (aa bb cc rogue)"
# findings found at parse time are stored with the object
"$NPKD" ls -j -k csca -c FF > "$TMP/out"
grep -q '"code":"ec-explicit-named".*equal to NIST P-384' "$TMP/out" ||
    fail "explicit-curve finding stored"

# check: statuses, and exit 1 because a forged DSC needs action
expect 1 "$NPKD" check
grep -q "need action" "$TMP/out" || fail "check: action line"
status() {	# DER-FILE -> status
	"$NPKD" show -j "$(sha256sum < "$1" | cut -c1-20)" |
	    sed 's/.*"status":"\([a-z-]*\)".*/\1/'
}
reason() {	# DER-FILE -> primary reason
	"$NPKD" show -j "$(sha256sum < "$1" | cut -c1-20)" |
	    sed 's/.*"reason":"\([a-z-]*\)".*/\1/'
}
[ "$(status "$T/aa_dsc.der")" = valid ] || fail "aa_dsc valid"
[ "$(status "$T/aa_dsc2.der")" = revoked ] || fail "aa_dsc2 revoked"
[ "$(status "$T/aa_dsc_forged.der")" = invalid ] || fail "forged invalid"
[ "$(reason "$T/aa_dsc_forged.der")" = signature ] || fail "forged: signature"
[ "$(status "$T/aa_dsc_old.der")" = expired ] || fail "old expired"
openssl x509 -in "$T/rogue_mlsigner.pem" -outform DER -out "$TMP/rogue.der"
[ "$(status "$TMP/rogue.der")" = untrusted ] || fail "rogue untrusted"
[ "$(status "$T/aa_link.der")" = valid ] || fail "link valid"
[ "$(reason "$T/aa_link.der")" = link ] || fail "link: reason link"
[ "$(reason "$T/aa_csca.der")" = anchor ] || fail "AA CSCA: reason anchor"
[ "$(status "$T/aa.crl")" = valid ] || fail "CRL valid"
[ "$(status "$T/bb_dsc.der")" = valid ] || fail "brainpool DSC valid"
# CC is listed by AA's and BB's lists, neither a list authority
[ "$(status "$T/cc_csca.der")" = untrusted ] || fail "CC not vouched"
[ "$(reason "$T/cc_csca.der")" = not-vouched ] || fail "CC: not-vouched"
[ "$(status "$T/cc_dsc.der")" = untrusted ] || fail "CC DSC untrusted"
# the officer makes AA a list authority for CC: CC is vouched for
expect 0 "$NPKD" trust authority AA CC
expect 1 "$NPKD" check
[ "$(reason "$T/cc_csca.der")" = vouched ] || fail "CC: vouched by AA"
[ "$(status "$T/cc_dsc.der")" = valid ] || fail "CC DSC valid"
"$NPKD" show "$(sha256sum < "$T/cc_csca.der" | cut -c1-20)" > "$TMP/out"
grep -q "^trusted: *vouched: by list .* of AA under the officer's list authority AA for CC" \
    "$TMP/out" || fail "show says why CC is trusted"
expect 0 "$NPKD" trust authority -r AA
expect 1 "$NPKD" check
[ "$(status "$T/cc_dsc.der")" = untrusted ] || fail "withdrawn authority"
expect 1 "$NPKD" check --json
grep -q '"invalid":1' "$TMP/out" || fail "check --json"

# ls filters and JSON fields
[ "$(count -k dsc -c aa)" -eq 4 ] || fail "ls -c is case-insensitive"
[ "$(count --kind dsc --status revoked)" -eq 1 ] || fail "ls --status"
# expiring: the CRLs (nextUpdate in 90 days) within 100 days, not within 30
[ "$(count --expiring 100 --kind crl)" -eq 2 ] || fail "expiring 100"
[ "$(count --action)" -eq 1 ] || fail "ls --action: the forged DSC"
[ "$(count --reason not-vouched)" -ge 16 ] || fail "ls --reason"
[ "$(count --expiring 30 --kind crl)" -eq 0 ] || fail "expiring 30"
"$NPKD" ls --json --kind dsc > "$TMP/ls.json"
for k in kind country subject serial sha256 not_before not_after status reason \
    trust action findings; do
	grep -q "\"$k\":" "$TMP/ls.json" || fail "ls --json field $k"
done
[ "$(grep -c '^{.*}$' "$TMP/ls.json")" -eq "$(count --kind dsc)" ] || fail "json lines"
# show: unknown and ambiguous ids
expect 2 "$NPKD" show 0000000000000000
expect 2 "$NPKD" show zz
# publication: PEM bundles of valid objects, atomically written
expect 0 "$NPKD" export pem -o "$TMP/pem"
[ -f "$TMP/pem/AA_csca.pem" ] && [ -f "$TMP/pem/AA_dsc.pem" ] || fail "export pem files"
# AA's DSCs in the bundle: the valid one only (not revoked, forged, old)
[ "$(grep -c 'BEGIN CERTIFICATE' "$TMP/pem/AA_dsc.pem")" -eq 1 ] || fail "valid DSCs only"
openssl x509 -in "$TMP/pem/AA_dsc.pem" -outform DER | cmp - "$T/aa_dsc.der" ||
    fail "the bundled DSC is aa_dsc"
expect 0 "$NPKD" export pem -a -o "$TMP/pemall"
[ "$(grep -c 'BEGIN CERTIFICATE' "$TMP/pemall/AA_dsc.pem")" -eq 4 ] || fail "export pem -a"
ls "$TMP/pem" | grep -q '\.pem\.' && fail "temporary file left in the export"
# the national master list: npkd and OpenSSL accept it
expect 0 "$NPKD" export ml --signer-cert "$T/aa_mlsigner.pem" \
    --signer-key "$T/aa_mlsigner.key" -o "$TMP/national.ml"
expect 0 "$NPKD" ml verify -T "$T/trust_aa.pem" "$TMP/national.ml"
grep -q "valid master list, 4 certificates" "$TMP/out" || fail "national list members"
openssl cms -verify -inform DER -in "$TMP/national.ml" -CAfile "$T/aa_csca.pem" \
    -purpose any -binary -out /dev/null 2>/dev/null || fail "openssl rejects the national list"
expect 2 "$NPKD" export ml -c "$T/aa_dsc.pem" -k "$T/aa_dsc.key" -o "$TMP/x.ml"
one_line_error "lacks the master list signer"
[ ! -e "$TMP/x.ml" ] || fail "refused export left a file"

# a store written by a newer npkd is not touched
if command -v sqlite3 >/dev/null 2>&1; then
	cp -a "$NPKD_DIR" "$TMP/future"
	sqlite3 "$TMP/future/npkd.db" 'PRAGMA user_version = 99'
	expect 2 "$NPKD" -d "$TMP/future" ls
	one_line_error "schema version 99 is newer"
	# a stored CRL that no longer parses stops check (revocations are
	# never skipped) and no status is changed
	cp -a "$NPKD_DIR" "$TMP/badcrl"
	sqlite3 "$TMP/badcrl/npkd.db" \
	    "UPDATE objects SET der = x'3000' WHERE kind = 'crl'"
	"$NPKD" -d "$TMP/badcrl" ls -j > "$TMP/before"
	expect 2 "$NPKD" -d "$TMP/badcrl" check
	one_line_error "stored CRL"
	"$NPKD" -d "$TMP/badcrl" ls -j | cmp -s - "$TMP/before" ||
	    fail "failed check changed statuses"
	# so does a stored CSCA that no longer parses
	cp -a "$NPKD_DIR" "$TMP/badca"
	sqlite3 "$TMP/badca/npkd.db" \
	    "UPDATE objects SET der = x'3000' WHERE rowid = (SELECT min(rowid) FROM objects WHERE kind = 'csca')"
	"$NPKD" -d "$TMP/badca" ls -j > "$TMP/before"
	expect 2 "$NPKD" -d "$TMP/badca" check
	one_line_error "stored CSCA"
	"$NPKD" -d "$TMP/badca" ls -j | cmp -s - "$TMP/before" ||
	    fail "failed check changed statuses"
fi

# NPKD_DIR and -d agree
expect 0 "$NPKD" -d "$NPKD_DIR" ls -k ml
[ "$(wc -l < "$TMP/out")" -eq 4 ] || fail "-d: four lists (aa bb cc rogue)"
# withdrawing an anchor withdraws what depended on it
expect 0 "$NPKD" trust rm "$(sha256sum < "$T/bb_csca.der" | cut -c1-12)"
expect 1 "$NPKD" check
[ "$(status "$T/bb_dsc.der")" = untrusted ] || fail "BB DSC after BB's anchor went"
[ "$(status "$T/bb_csca.der")" = untrusted ] || fail "BB CSCA after its anchor went"
exit 0
