# t_ml.sh - npkd ml print, verify, extract, sign on the generated PKI.
. "$(dirname "$0")/lib.sh"

# print: one line per member, 8 tab-separated fields
expect 0 "$NPKD" ml print "$T/ml_aa.ml"
[ "$(wc -l < "$TMP/out")" -eq 20 ] || fail "ml print: 20 lines"
awk -F '\t' 'NF != 8 { exit 1 }' "$TMP/out" || fail "ml print: 8 fields"
grep -q "^BB	csca	CN=CSCA BB,.*	ec-brainpoolP256r1-explicit	" "$TMP/out" ||
    fail "ml print: BB brainpool explicit"
grep -q "^AA	link	" "$TMP/out" || fail "ml print: AA link"
grep -q "^KK	csca	.*ec-brainpoolP256t1-explicit" "$TMP/out" || fail "ml print: t1"
grep -q "^DD	csca	.*rsa-2048	" "$TMP/out" || fail "ml print: DD rsa"
# --json: one object per line with the fields
expect 0 "$NPKD" ml print --json "$T/ml_aa.ml"
[ "$(grep -c '^{.*}$' "$TMP/out")" -eq 20 ] || fail "ml print --json: 20 objects"
for k in country role subject serial not_before not_after key curve sha256; do
	grep -q "\"$k\":" "$TMP/out" || fail "ml print --json: field $k"
done
# the SHA-256 printed is the SHA-256 of the certificate's DER
sha=$(sha256sum < "$T/aa_link.der" | cut -d' ' -f1)
grep -q "^{.*\"role\":\"link\".*\"sha256\":\"$sha\"" "$TMP/out" || fail "sha256"

# verify: every generated list; without anchors only as self-attested
# (the officer asks for it with -S), with them as anchored
for l in ml_aa ml_bb ml_cc ml_dd; do
	expect 1 "$NPKD" ml verify "$T/$l.ml"
	one_line_error "$l.ml: self-attested, not anchored"
	expect 0 "$NPKD" ml verify -S "$T/$l.ml"
	grep -q "self-attested by" "$TMP/out" || fail "$l: self-attested"
	expect 0 "$NPKD" ml verify -T "$T/trust_all.pem" "$T/$l.ml"
	grep -q "anchored in" "$TMP/out" || fail "$l: anchored"
done
expect 0 "$NPKD" ml verify -T "$T/trust_aa.pem" "$T/dl_aa.dl"
expect 1 "$NPKD" ml verify -S "$T/dl_aa.dl"
one_line_error dl_aa.dl
# an anchor of the signer's country only: CC's anchor does not make AA's
# list genuine, nor does a CSCA that copies AA's name with another key
expect 1 "$NPKD" ml verify -T "$T/cc_csca.pem" "$T/ml_aa.ml"
one_line_error "does not chain to an anchor of AA"
expect 1 "$NPKD" ml verify -T "$T/rogue_ca.pem" "$T/ml_aa.ml"
# stdin
expect 0 sh -c "\"$NPKD\" ml verify -S - < \"$T/ml_bb.ml\""
grep -q "^(stdin): valid" "$TMP/out" || fail "stdin"
# -q: silent on success
expect 0 "$NPKD" ml verify -q -T "$T/trust_aa.pem" "$T/ml_aa.ml"
[ ! -s "$TMP/out" ] || fail "-q not quiet"

# broken variants: exit 1 (says no) or 2 (malformed), one line naming it
while read -r code f; do
	expect "$code" "$NPKD" ml verify -T "$T/trust_aa.pem" "$T/bad/$f"
	one_line_error "$f"
done <<LIST
1 tampered_content.ml
1 tampered_signature.ml
1 tampered_signature_bp.ml
1 signer_no_eku.ml
1 signer_expired.ml
1 signer_rogue.ml
1 dl_signed_by_mlsigner.dl
2 wrong_content_type.ml
2 ml_as_dl.ml
2 truncated.ml
2 trailing_garbage.ml
2 empty.ml
2 text.ml
2 member_truncated.ml
LIST
expect 2 "$NPKD" ml verify -T "$T/bad/cert_trailing_garbage.der" "$T/ml_aa.ml"
one_line_error cert_trailing_garbage.der
expect 2 "$NPKD" ml verify "$T/nonexistent.ml"
one_line_error nonexistent.ml
# a flipped byte inside a member is "not genuine" (the signature is checked
# before the content is read), never "malformed"
expect 1 "$NPKD" ml verify -T "$T/trust_aa.pem" "$T/bad/tampered_content.ml"
one_line_error "tampered_content.ml: not genuine"
# several files: the worst status wins, every file reported
expect 1 "$NPKD" ml verify -T "$T/trust_all.pem" "$T/ml_aa.ml" \
    "$T/bad/tampered_content.ml" "$T/ml_bb.ml"
[ "$(grep -c valid "$TMP/out")" -eq 2 ] || fail "several: both valid ones"
expect 2 "$NPKD" ml verify "$T/bad/tampered_content.ml" "$T/bad/truncated.ml"
[ "$(wc -l < "$TMP/err")" -eq 2 ] || fail "several: two errors"
# --json verdicts
expect 1 "$NPKD" ml verify --json -T "$T/trust_aa.pem" "$T/ml_aa.ml" \
    "$T/bad/signer_no_eku.ml"
grep -q '"result":"valid"' "$TMP/out" || fail "json valid"
grep -q '"result":"invalid","status":"invalid","reason":"not genuine: list-signer-role' \
    "$TMP/out" || fail "json invalid"
# usage errors exit 2
expect 2 "$NPKD" ml verify
expect 2 "$NPKD" ml frobnicate
expect 2 "$NPKD" nothing

# extract: PEM on stdout, DER files by country and fingerprint
expect 0 "$NPKD" ml extract "$T/ml_aa.ml"
[ "$(grep -c 'BEGIN CERTIFICATE' "$TMP/out")" -eq 20 ] || fail "extract PEM"
openssl crl2pkcs7 -nocrl -certfile "$TMP/out" -out /dev/null || fail "extract PEM unreadable"
expect 0 "$NPKD" ml extract -o "$TMP/x" "$T/ml_aa.ml"
[ "$(ls "$TMP/x" | wc -l)" -eq 20 ] || fail "extract -o: 20 files"
cmp "$T/aa_link.der" "$TMP/x/AA_$sha.der" || fail "extract: link DER"
expect 2 "$NPKD" ml extract "$T/bad/truncated.ml"
# file names carry the country upper case (C=zz is ZZ_...), as documented
expect 0 "$NPKD" ml sign -c "$T/aa_mlsigner.pem" -k "$T/aa_mlsigner.key" \
    -o "$TMP/zz.ml" "$T/zz_odd.der"
expect 0 "$NPKD" ml extract -o "$TMP/zz" "$TMP/zz.ml"
ls "$TMP/zz" | grep -q '^ZZ_[0-9a-f]*\.der$' || fail "extract: ZZ_, not zz_"

# sign: a list npkd writes verifies with npkd and, for RSA and P-256, OpenSSL
expect 0 "$NPKD" ml sign -c "$T/aa_mlsigner.pem" -k "$T/aa_mlsigner.key" \
    -o "$TMP/nat.ml" "$T/trust_all.pem"
expect 0 "$NPKD" ml verify -T "$T/trust_aa.pem" "$TMP/nat.ml"
grep -q "19 certificates" "$TMP/out" || fail "sign: 19 members"
openssl cms -verify -inform DER -in "$TMP/nat.ml" -CAfile "$T/aa_csca.pem" \
    -purpose any -binary -out "$TMP/nat.content" 2>/dev/null || fail "openssl rejects our list"
expect 0 "$NPKD" ml sign -p -H sha384 -c "$T/dd_mlsigner.pem" \
    -k "$T/dd_mlsigner.key" -o "$TMP/pss.ml" "$T/aa_csca.pem"
openssl cms -verify -inform DER -in "$TMP/pss.ml" -CAfile "$T/dd_csca.pem" \
    -purpose any -binary -out /dev/null 2>/dev/null || fail "openssl rejects our PSS list"
expect 0 "$NPKD" ml sign -i -c "$T/bb_mlsigner.pem" -k "$T/bb_mlsigner.key" \
    -o "$TMP/bp.ml" "$T/aa_csca.pem"
expect 0 "$NPKD" ml verify -T "$T/trust_all.pem" "$TMP/bp.ml"
# a key that does not match the certificate writes nothing
expect 2 "$NPKD" ml sign -c "$T/aa_mlsigner.pem" -k "$T/cc_mlsigner.key" \
    -o "$TMP/wrong.ml" "$T/aa_csca.pem"
[ ! -e "$TMP/wrong.ml" ] || fail "sign left a file behind"
ls "$TMP" | grep -q 'wrong.ml.' && fail "sign left a temporary file"

# A link whose key identifier 33 CSCAs of distinct keys carry, its issuer
# absent (testdata/gen.sh): 32 are tried, then link-issuer-ambiguous; the
# list itself is genuine and its CSCAs verify.
expect 0 "$NPKD" ml verify -j -T "$T/trust_aa.pem" "$T/bad/link_ambiguous.ml"
python3 - "$TMP/out" <<'PY' || fail "link_ambiguous: not the findings expected"
import collections, json, sys
d = json.load(open(sys.argv[1]))
n = collections.Counter(f["code"] for f in d["findings"])
assert d["certificates"] == 34 and d["status"] == "valid", d
assert n == {"link-issuer-ambiguous": 1}, n
assert "member-signature" not in n
PY

# A file is read up to its limit (256 MiB) and no further: a byte more is
# refused, from a pipe (read until it overflows) or a file (by its size).
set +e
head -c 268435457 /dev/zero | "$NPKD" ml print - > "$TMP/out" 2> "$TMP/err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "ml print of 256 MiB + 1 from a pipe exited $rc"
grep -q "(stdin): larger than 268435456 bytes" "$TMP/err" || fail "pipe limit"
truncate -s 268435457 "$TMP/huge.ml"
expect 2 "$NPKD" ml print "$TMP/huge.ml"
one_line_error huge.ml
grep -q "larger than 268435456 bytes" "$TMP/err" || fail "file limit"
rm -f "$TMP/huge.ml"
exit 0
