# t_cvc_issue.sh - the national CVCA at work: a foreign DV's authenticated
# request (made by cvc req), checked against the register and issued
# within policy by cvc issue, refused outside it; our own DV's request
# countersigned for a foreign CVCA; the register; a CVCA rollover.
# OpenPACE's cvc-print verifies what we issue.
. "$(dirname "$0")/lib.sh"
C=${NPKD_CVC:-}
if [ -z "$C" ] || [ ! -f "$C/zz_cvca.cvcert" ]; then
	echo "skipped: no EAC test PKI (OpenPACE cvc-create not installed)"
	exit 77
fi
CVC=$NPKD_BIN/cvc
MKDER=$(dirname "$NPKD_BIN")/host/mkder
cp -r "$C/dir" "$TMP/dir"
openpace() {	# openpace CERT CHR: cvc-print verifies CERT with what it knows
	cp "$1" "$TMP/dir/$2"
	cvc-print --cvc "$1" --cvc-dir "$TMP/dir" 2>/dev/null |
	    grep -qx "certificate verified" || fail "cvc-print does not verify $2"
}
# the DV's new key, made by cvc keygen: 0600, never overwritten, and
# readable by OpenSSL (an independent PKCS#8 reader)
expect 0 "$CVC" keygen -a brainpoolP256r1 -o "$TMP/dv.pk8"
[ "$(stat -c %a "$TMP/dv.pk8")" = 600 ] || fail "key mode"
openssl pkey -inform DER -in "$TMP/dv.pk8" -noout -text 2>/dev/null |
    grep -q "ASN1 OID: brainpoolP256r1" || fail "OpenSSL reads the key"
expect 2 "$CVC" keygen -o "$TMP/dv.pk8"
one_line_error "File exists"
for a in brainpoolP384t1 "NIST P-384" rsa:2048; do
	expect 0 "$CVC" keygen -a "$a" -o "$TMP/k.pk8" -f
	openssl pkey -inform DER -in "$TMP/k.pk8" -noout 2>/dev/null || fail "keygen $a"
done
cat > "$TMP/pp.policy" <<POL
# what DVs of country PP may have from our CVCA ZZ
roles = dv_foreign
type = IS
rights = read DG3
max_days = 90
algorithms = ecdsa-sha-256
POL
# req N: PP's DV asks our CVCA (ZZ) with a new key: the key in ZZ's
# domain, the request signed outside by PP's own CVCA (initial request)
req() {
	expect 0 "$CVC" keygen -o "$TMP/k$1.pk8"
	expect 0 "$CVC" req -k "$TMP/k$1.pk8" -p "$C/zz_cvca.cvcert" \
	    -r "PPDVIS$1" -a ZZCVCA00001 -K "$C/pp_cvca.pk8" \
	    -O "$C/pp_cvca.cvcert" -o "$TMP/r$1"
}
ZZ="-k $C/zz_cvca.pk8 -s $C/zz_cvca.cvcert"

# the register: PP's CVCA registered, ours own, PP's DVs served
export NPKD_DIR="$TMP/store"
"$NPKD_BIN/npkd" -q init
expect 2 "$CVC" register "$C/pp_dv.cvcert"
one_line_error "not a CVCA certificate"
"$MKDER" flip "$C/pp_cvca.cvcert" "$TMP/cvca.bad" last
expect 1 "$CVC" register "$TMP/cvca.bad"
one_line_error "failure_certificate: PPCVCA00001: self-signature"
expect 0 "$CVC" register "$C/pp_cvca.cvcert"
expect 0 "$CVC" register -o own "$C/zz_cvca.cvcert"

req 00002
expect 0 "$CVC" print -j "$TMP/r00002"
grep -q '"kind":"authenticated request","car":"ZZCVCA00001","chr":"PPDVIS00002","outer_car":"PPCVCA00001"' \
    "$TMP/out" || fail "request fields"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" -T "$C/pp_cvca.cvcert" "$TMP/r00002"
# an unregistered DV is refused
expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/x.cvcert" "$TMP/r00002"
one_line_error "DV PPDVIS is not registered"
expect 0 "$CVC" dv add PPDVIS

# outside policy: refused with the result code, unless narrowed on request
expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -r "read DG3,read DG4" \
    -o "$TMP/x.cvcert" "$TMP/r00002"
one_line_error "failure_request_not_accepted: PPDVIS00002: rights \"read DG3,read DG4\" exceed the policy"
[ ! -e "$TMP/x.cvcert" ] || fail "a refused request left a certificate"
expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -n 120 -o "$TMP/x.cvcert" \
    "$TMP/r00002"
one_line_error "120 days outside 14 to 90"
expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -R dv_domestic \
    -o "$TMP/x.cvcert" "$TMP/r00002"
one_line_error "a foreign DV is non-official/foreign"
# a CVCA certifies DVs; terminals are its DVs' business
sed 's/^roles = dv_foreign$/roles = dv_foreign, terminal/; /max_days/d' \
    "$TMP/pp.policy" > "$TMP/term.policy"
expect 1 "$CVC" issue $ZZ -P "$TMP/term.policy" -R terminal \
    -o "$TMP/x.cvcert" "$TMP/r00002"
one_line_error "a CVCA certifies DVs"
# within policy: DG3, 90 days, no domain parameters
expect 0 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/dv.cvcert" "$TMP/r00002"
expect 0 "$CVC" print -j "$TMP/dv.cvcert"
grep -q '"car":"ZZCVCA00001","chr":"PPDVIS00002".*"role":"DV (non-official / foreign)","terminal_type":"IS","rights":\["read DG3 (fingerprint)"\]' \
    "$TMP/out" || fail "issued fields"
grep -q '"domain_parameters":false' "$TMP/out" || fail "DV without domain parameters"
eff=$(sed 's/.*"effective":"\([0-9-]*\)".*/\1/' "$TMP/out")
[ "$eff" = "$(date -u +%Y-%m-%d)" ] || fail "effective date is the issuing date"
exp=$(sed 's/.*"expiry":"\([0-9-]*\)".*/\1/' "$TMP/out")
[ "$exp" = "$(date -u -d '+89 days' +%Y-%m-%d)" ] || fail "90 days of validity"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/dv.cvcert"
openpace "$TMP/dv.cvcert" PPDVIS00002
# the same request again: refused, nothing written
expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/x.cvcert" "$TMP/r00002"
one_line_error "this request was served before"
[ ! -e "$TMP/x.cvcert" ] || fail "a second certificate for one request"
# narrowed to the policy on request
req 00003
expect 0 "$CVC" issue -N $ZZ -P "$TMP/pp.policy" -r "read DG3,read DG4" \
    -n 120 -o "$TMP/narrow.cvcert" "$TMP/r00003"
expect 0 "$CVC" print -j "$TMP/narrow.cvcert"
grep -q '"rights":\["read DG3 (fingerprint)"\]' "$TMP/out" || fail "narrowed rights"
exp=$(sed 's/.*"expiry":"\([0-9-]*\)".*/\1/' "$TMP/out")
[ "$exp" = "$(date -u -d '+89 days' +%Y-%m-%d)" ] || fail "narrowed to 90 days"

# request failures map to SPOC result codes
"$MKDER" flip "$TMP/r00002" "$TMP/req.outer" last
expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" -T "$C/pp_cvca.cvcert" "$TMP/req.outer"
one_line_error "failure_outer_signature"
# a key in another domain than the CVCA's its CAR names
expect 0 "$CVC" req -k "$C/pp_dv.pk8" -p "$C/pp_cvca.cvcert" -r PPDVIS00009 \
    -a ZZCVCA00001 -o "$TMP/req.dom"
expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/req.dom"
one_line_error "failure_domain_parameters"
# an inner signature that does not hold: a request whose body was altered
expect 0 "$CVC" req -k "$TMP/k00002.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00004 \
    -a ZZCVCA00001 -o "$TMP/req.plain"
sed 's/PPDVIS00004/PPDVIS00005/' "$TMP/req.plain" > "$TMP/req.inner"
expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/req.inner"
one_line_error "failure_inner_signature"
expect 2 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/x.cvcert" \
    "$C/bad/truncated.cvcert"
one_line_error "failure_request_syntax"

# a successive request: the DV's new key, outer signature by its current
# certificate from us; then suspended, then resumed
expect 0 "$CVC" keygen -o "$TMP/dv2.pk8"
expect 0 "$CVC" req -k "$TMP/dv2.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00006 \
    -a ZZCVCA00001 -K "$TMP/k00002.pk8" -O "$TMP/dv.cvcert" \
    -d "$C/zz_cvca.cvcert" -o "$TMP/req.succ"
expect 0 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/dv6.cvcert" "$TMP/req.succ"
openpace "$TMP/dv6.cvcert" PPDVIS00006
expect 0 "$CVC" dv suspend PPDVIS
expect 0 "$CVC" keygen -o "$TMP/dv3.pk8"
expect 0 "$CVC" req -k "$TMP/dv3.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00007 \
    -a ZZCVCA00001 -K "$TMP/dv2.pk8" -O "$TMP/dv6.cvcert" \
    -d "$C/zz_cvca.cvcert" -o "$TMP/req.susp"
expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/x.cvcert" "$TMP/req.susp"
one_line_error "DV PPDVIS is suspended"
expect 0 "$CVC" dv resume PPDVIS
# another DV's certificate from us does not vouch for PPDVIS
expect 0 "$CVC" dv add PPDVXX
expect 0 "$CVC" keygen -o "$TMP/xx.pk8"
expect 0 "$CVC" req -k "$TMP/xx.pk8" -p "$C/zz_cvca.cvcert" -r PPDVXX00001 \
    -a ZZCVCA00001 -K "$TMP/dv2.pk8" -O "$TMP/dv6.cvcert" \
    -d "$C/zz_cvca.cvcert" -o "$TMP/req.other"
expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/x.cvcert" "$TMP/req.other"
one_line_error "PPDVIS00006 may not authenticate it"
# TR-03139: a new key for every certificate
expect 0 "$CVC" req -k "$TMP/k00002.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00008 \
    -a ZZCVCA00001 -K "$TMP/dv2.pk8" -O "$TMP/dv6.cvcert" \
    -d "$C/zz_cvca.cvcert" -o "$TMP/req.reuse"
expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/x.cvcert" "$TMP/req.reuse"
one_line_error "its key is already certified (PPDVIS00002)"
expect 0 "$CVC" ls -o issued
[ "$(grep -c '^issued' "$TMP/out")" -eq 3 ] || fail "three certificates issued"

# the other direction: our national DV asks PP's CVCA; our CVCA ZZ
# countersigns the initial request; PP issues under its policy for ZZ
expect 0 "$CVC" keygen -a "NIST P-256" -o "$TMP/ours.pk8"
expect 0 "$CVC" req -k "$TMP/ours.pk8" -p "$C/pp_cvca.cvcert" -r ZZDVIS00001 \
    -a PPCVCA00001 -o "$TMP/ours.req"
expect 0 "$CVC" countersign $ZZ -o "$TMP/ours.auth" "$TMP/ours.req"
expect 0 "$CVC" print -j "$TMP/ours.auth"
grep -q '"kind":"authenticated request","car":"PPCVCA00001","chr":"ZZDVIS00001","outer_car":"ZZCVCA00001"' \
    "$TMP/out" || fail "countersigned request"
expect 0 "$CVC" verify -T "$C/pp_cvca.cvcert" -T "$C/zz_cvca.cvcert" "$TMP/ours.auth"
printf 'roles = dv_foreign\nrights = read DG3\n' > "$TMP/zz.policy"
PPDIR="$TMP/pp"
"$NPKD_BIN/npkd" -q -d "$PPDIR" init
expect 0 "$CVC" -d "$PPDIR" register "$C/zz_cvca.cvcert"
expect 0 "$CVC" -d "$PPDIR" dv add ZZDVIS
expect 0 "$CVC" -d "$PPDIR" issue -k "$C/pp_cvca.pk8" -s "$C/pp_cvca.cvcert" \
    -P "$TMP/zz.policy" -o "$TMP/ours.cvcert" "$TMP/ours.auth"
openpace "$TMP/ours.cvcert" ZZDVIS00001
# a request that does not verify is not countersigned, nor another
# country's DV's, nor one already authenticated
expect 1 "$CVC" countersign $ZZ -o "$TMP/x.auth" "$TMP/req.inner"
one_line_error "failure_inner_signature"
expect 1 "$CVC" countersign $ZZ -o "$TMP/x.auth" "$TMP/req.plain"
one_line_error "failure_request_not_accepted: PPDVIS00004: not one of our DVs"
[ ! -e "$TMP/x.auth" ] || fail "countersigned a bad request"
expect 2 "$CVC" countersign $ZZ -o "$TMP/x.auth" "$TMP/r00002"
one_line_error "not a plain request"

# our DV's certificate from PP, and the cron job that asks for renewal
expect 0 "$CVC" register -o ours "$TMP/ours.cvcert"
expect 0 "$CVC" ls --expiring 100
grep -q "^ours *ZZDVIS00001" "$TMP/out" || fail "ls --expiring: our DV certificate"
expect 0 "$CVC" ls --expiring 10
[ ! -s "$TMP/out" ] || fail "ls --expiring 10 lists a 90-day certificate"
expect 2 "$CVC" ls --expiring ten
one_line_error "not a number"

# CVCA rollover: a link certificate (old key signs the new), the new
# self-signed CVCA, and a DV issued under the new key that chains through
# the link to the old CVCA; OpenPACE verifies the link and the DV
expect 0 "$CVC" keygen -o "$TMP/cvca3.pk8"
expect 2 "$CVC" link -n 30 $ZZ -K "$TMP/cvca3.pk8" -r ZZCVCA00003 \
    -o "$TMP/link.cvcert"
one_line_error "6 months to 3 years"
expect 2 "$CVC" link $ZZ -K "$TMP/cvca3.pk8" -r ZZCVCA00000 -o "$TMP/link.cvcert"
one_line_error "not after 00001"
expect 2 "$CVC" link $ZZ -K "$TMP/cvca3.pk8" -r PPCVCA00003 -o "$TMP/link.cvcert"
one_line_error "keeps its country and mnemonic"
expect 0 "$CVC" link $ZZ -K "$TMP/cvca3.pk8" -r ZZCVCA00003 \
    -o "$TMP/link.cvcert" -S "$TMP/self.cvcert"
expect 0 "$CVC" print -j "$TMP/link.cvcert"
grep -q '"car":"ZZCVCA00001","chr":"ZZCVCA00003".*"role":"CVCA".*"rights":\["read DG3 (fingerprint)","read DG4 (iris)"\].*"domain_parameters":true' \
    "$TMP/out" || fail "link fields"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/link.cvcert"
expect 0 "$CVC" verify -T "$TMP/self.cvcert" "$TMP/self.cvcert"
expect 1 "$CVC" verify -T "$C/pp_cvca.cvcert" "$TMP/link.cvcert"
openpace "$TMP/link.cvcert" ZZCVCA00003
expect 0 "$CVC" register -o own "$TMP/link.cvcert"
expect 0 "$CVC" keygen -o "$TMP/k3.pk8"
expect 0 "$CVC" req -k "$TMP/k3.pk8" -p "$TMP/link.cvcert" -r PPDVIS00009 \
    -a ZZCVCA00003 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req3"
expect 0 "$CVC" issue -k "$TMP/cvca3.pk8" -s "$TMP/link.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/dv3.cvcert" "$TMP/req3"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" -c "$TMP/link.cvcert" "$TMP/dv3.cvcert"
openpace "$TMP/dv3.cvcert" PPDVIS00009
# the DV's certificate under the old key still vouches for its successive
# request to the new key: it verifies up to our register
expect 0 "$CVC" keygen -o "$TMP/k10.pk8"
expect 0 "$CVC" req -k "$TMP/k10.pk8" -p "$TMP/link.cvcert" -r PPDVIS0000A \
    -a ZZCVCA00003 -K "$TMP/k3.pk8" -O "$TMP/dv3.cvcert" \
    -d "$TMP/link.cvcert" -o "$TMP/req10"
expect 1 "$CVC" issue -k "$TMP/cvca3.pk8" -s "$TMP/link.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/dv10.cvcert" "$TMP/req10"
one_line_error "sequence number 0000A is alphanumeric, the holder's last (00009) of another numbering"
expect 0 "$CVC" req -k "$TMP/k10.pk8" -p "$TMP/link.cvcert" -r PPDVIS00010 \
    -a ZZCVCA00003 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req10"
expect 0 "$CVC" issue -k "$TMP/cvca3.pk8" -s "$TMP/link.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/dv10.cvcert" "$TMP/req10"
exit 0
