# t_cvc.sh - cvc print and verify on certificates made by OpenPACE's
# cvc-create, and OpenPACE's cvc-print agreeing with npkd's verdicts.
. "$(dirname "$0")/lib.sh"
C=${NPKD_CVC:-}
if [ -z "$C" ] || [ ! -f "$C/zz_cvca.cvcert" ]; then
	echo "skipped: no EAC test PKI (OpenPACE cvc-create not installed)"
	exit 77
fi
CVC=$NPKD_BIN/cvc

expect 0 "$CVC" print "$C/yy_dv.cvcert"
grep -q "CAR: *ZZCVCA00001" "$TMP/out" || fail "print CAR"
grep -q "CHR: *YYDVIS00001" "$TMP/out" || fail "print CHR"
grep -q "role: *DV (non-official / foreign)" "$TMP/out" || fail "print role"
grep -q "right: *read DG3 (fingerprint)" "$TMP/out" || fail "print IS right"
grep -q "expires: *2029-12-31" "$TMP/out" || fail "print expiry"
expect 0 "$CVC" print -j "$C/at_dv.cvcert" "$C/bb_cvca.cvcert"
grep -q '"terminal_type":"AT","rights":\["age verification","read DG1"\]' \
    "$TMP/out" || fail "AT rights by name"
grep -q '"role":"CVCA","terminal_type":"ST","rights":\["generate electronic signature","generate qualified electronic signature"\]' \
    "$TMP/out" || fail "ST rights by name"
grep -q '"domain_parameters":true' "$TMP/out" || fail "CVCA carries domain parameters"

T="-T $C/zz_cvca.cvcert -T $C/at_cvca.cvcert -T $C/pp_cvca.cvcert -T $C/bb_cvca.cvcert -T $C/rr_cvca.cvcert -T $C/rp_cvca.cvcert"
for c in zz_cvca yy_dv yy_term at_dv zz_link xx_dv pp_dv bb_dv rr_dv rp_dv; do
	expect 0 "$CVC" verify $T -c "$C/yy_dv.cvcert" -c "$C/zz_link.cvcert" "$C/$c.cvcert"
	grep -q "verified" "$TMP/out" || fail "$c not verified"
	# OpenPACE agrees
	cvc-print --cvc "$C/$c.cvcert" --cvc-dir "$C/dir" 2>/dev/null |
	    grep -qx "certificate verified" || fail "cvc-print does not verify $c"
done
# the DV under the new CVCA needs the link certificate to reach the old one
expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" "$C/xx_dv.cvcert"
one_line_error "issuer ZZCVCA00002 unknown"
# dates: at a given date
expect 1 "$CVC" verify -D 2031-06-01 -T "$C/zz_cvca.cvcert" "$C/yy_dv.cvcert"
grep -q failure_expired "$TMP/err" || fail "expired at a later date"
expect 0 "$CVC" verify -D 2026-06-01 -T "$C/zz_cvca.cvcert" "$C/yy_dv.cvcert"

while read -r code f why; do
	expect "$code" "$CVC" verify -T "$C/zz_cvca.cvcert" -c "$C/yy_dv.cvcert" \
	    "$C/bad/$f"
	one_line_error "$f"
	grep -q "$why" "$TMP/err" || { cat "$TMP/err" >&2; fail "$f: $why"; }
done <<LIST
1 dv_wrong_signer.cvcert failure_certificate
1 dv_flipped_sig.cvcert failure_certificate
1 dv_expired.cvcert failure_expired
1 term_wider.cvcert failure_certificate: YYTERM00002: CHAT wider
2 trailing.cvcert trailing
2 truncated.cvcert truncated
LIST
# every other id-TA algorithm: self-signed CVCAs by cvc-create
n=0
for f in "$C"/alg_*.cvcert; do
	expect 0 "$CVC" verify -T "$f" "$f"
	n=$((n + 1))
done
[ $n -eq 8 ] || fail "8 more algorithms, $n found"
expect 0 "$CVC" print --json "$C"/alg_*.cvcert
for a in ecdsa-sha-1 ecdsa-sha-224 ecdsa-sha-384 ecdsa-sha-512 rsa-v1_5-sha-1 \
    rsa-v1_5-sha-512 rsa-pss-sha-1 rsa-pss-sha-512; do
	grep -q "\"algorithm\":\"$a\"" "$TMP/out" || fail "algorithm $a"
done
# a flipped signature fails for each of them
for f in "$C"/alg_*.cvcert; do
	"$(dirname "$NPKD_BIN")/host/mkder" flip "$f" "$TMP/flip" last
	expect 1 "$CVC" verify -T "$f" "$TMP/flip"
done
expect 2 "$CVC" print "$C/zz_cvca.pk8"
expect 2 "$CVC" verify "$C/yy_dv.cvcert"
exit 0
