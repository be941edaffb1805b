# t_cvc_issue.sh - the national CVCA at work: a foreign DV's authenticated
# request (made by cvc req), checked and issued within policy by cvc issue,
# refused outside it; OpenPACE's cvc-print verifies what we issue.
. "$(dirname "$0")/lib.sh"
C=${NPKD_CVC:-}
if [ -z "$C" ] || [ ! -f "$C/zz_cvca.cvcert" ]; then
	echo "skipped: no EAC test PKI (OpenPACE cvc-create not installed)"
	exit 77
fi
CVC=$NPKD_BIN/cvc
cp -r "$C/dir" "$TMP/dir"
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

# PP's DV asks our CVCA (ZZ) for a certificate: the new key in ZZ's domain,
# the request signed outside by PP's own CVCA (initial request)
expect 0 "$CVC" req -k "$TMP/dv.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00002 \
    -a ZZCVCA00001 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req"
expect 0 "$CVC" print -j "$TMP/req"
grep -q '"kind":"authenticated request","car":"ZZCVCA00001","chr":"PPDVIS00002","outer_car":"PPCVCA00001"' \
    "$TMP/out" || fail "request fields"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" -T "$C/pp_cvca.cvcert" "$TMP/req"

# issued within policy: DG3, 90 days, no domain parameters
expect 0 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -T "$C/pp_cvca.cvcert" -o "$TMP/dv.cvcert" "$TMP/req"
expect 0 "$CVC" print -j "$TMP/dv.cvcert"
grep -q '"car":"ZZCVCA00001","chr":"PPDVIS00002".*"role":"DV (non-official / foreign)","terminal_type":"IS","rights":\["read DG3 (fingerprint)"\]' \
    "$TMP/out" || fail "issued fields"
grep -q '"domain_parameters":false' "$TMP/out" || fail "DV without domain parameters"
eff=$(sed 's/.*"effective":"\([0-9-]*\)".*/\1/' "$TMP/out")
[ "$eff" = "$(date -u +%Y-%m-%d)" ] || fail "effective date is the issuing date"
exp=$(sed 's/.*"expiry":"\([0-9-]*\)".*/\1/' "$TMP/out")
[ "$exp" = "$(date -u -d '+89 days' +%Y-%m-%d)" ] || fail "90 days of validity"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/dv.cvcert"
cp "$TMP/dv.cvcert" "$TMP/dir/PPDVIS00002"
cvc-print --cvc "$TMP/dv.cvcert" --cvc-dir "$TMP/dir" 2>/dev/null |
    grep -qx "certificate verified" || fail "cvc-print does not verify our DV certificate"

# outside policy: refused with the result code, unless narrowed on request
expect 1 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -T "$C/pp_cvca.cvcert" -r "read DG3,read DG4" \
    -o "$TMP/x.cvcert" "$TMP/req"
one_line_error "failure_request_not_accepted: rights"
[ ! -e "$TMP/x.cvcert" ] || fail "a refused request left a certificate"
expect 0 "$CVC" issue -N -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -T "$C/pp_cvca.cvcert" -r "read DG3,read DG4" \
    -o "$TMP/narrow.cvcert" "$TMP/req"
expect 0 "$CVC" print -j "$TMP/narrow.cvcert"
grep -q '"rights":\["read DG3 (fingerprint)"\]' "$TMP/out" || fail "narrowed rights"
expect 1 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -T "$C/pp_cvca.cvcert" -n 120 -o "$TMP/x.cvcert" "$TMP/req"
one_line_error "120 days outside 14 to 90"
# a terminal, where the policy allows one: 1 day to 1 month (TR-03139)
sed 's/^roles = dv_foreign$/roles = dv_foreign, terminal/; /max_days/d' \
    "$TMP/pp.policy" > "$TMP/term.policy"
expect 1 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/term.policy" -T "$C/pp_cvca.cvcert" -R terminal -n 60 \
    -o "$TMP/x.cvcert" "$TMP/req"
one_line_error "60 days outside 1 to 31"
expect 0 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/term.policy" -T "$C/pp_cvca.cvcert" -R terminal \
    -o "$TMP/term.cvcert" "$TMP/req"
expect 0 "$CVC" print -j "$TMP/term.cvcert"
grep -q '"role":"terminal"' "$TMP/out" || fail "terminal role"
exp=$(sed 's/.*"expiry":"\([0-9-]*\)".*/\1/' "$TMP/out")
[ "$exp" = "$(date -u -d '+30 days' +%Y-%m-%d)" ] || fail "terminal: 31 days"
expect 1 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -T "$C/pp_cvca.cvcert" -R dv_domestic -o "$TMP/x.cvcert" \
    "$TMP/req"
one_line_error "role dv_domestic not allowed"

# request failures map to SPOC result codes
# outer signer unknown (PP's CVCA not registered with us)
expect 1 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/x.cvcert" "$TMP/req"
one_line_error "failure_outer_signature"
"$(dirname "$NPKD_BIN")/host/mkder" flip "$TMP/req" "$TMP/req.outer" last
expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" -T "$C/pp_cvca.cvcert" "$TMP/req.outer"
one_line_error "failure_outer_signature"
# a key in another domain than our CVCA's
expect 0 "$CVC" req -k "$C/pp_dv.pk8" -p "$C/pp_cvca.cvcert" -r PPDVIS00003 \
    -a ZZCVCA00001 -o "$TMP/req.dom"
expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/req.dom"
one_line_error "failure_domain_parameters"
# an inner signature that does not hold: a request whose body was altered
expect 0 "$CVC" req -k "$TMP/dv.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00004 \
    -a ZZCVCA00001 -o "$TMP/req.plain"
sed 's/PPDVIS00004/PPDVIS00005/' "$TMP/req.plain" > "$TMP/req.inner"
expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/req.inner"
one_line_error "failure_inner_signature"
expect 2 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/x.cvcert" "$C/bad/truncated.cvcert"
one_line_error "failure_request_syntax"

# the other direction: our national DV asks PP's CVCA; our CVCA ZZ
# countersigns the initial request; PP issues under its policy for ZZ
expect 0 "$CVC" keygen -a "NIST P-256" -o "$TMP/ours.pk8"
expect 0 "$CVC" req -k "$TMP/ours.pk8" -p "$C/pp_cvca.cvcert" -r ZZDVIS00001 \
    -a PPCVCA00001 -o "$TMP/ours.req"
expect 0 "$CVC" countersign -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -o "$TMP/ours.auth" "$TMP/ours.req"
expect 0 "$CVC" print -j "$TMP/ours.auth"
grep -q '"kind":"authenticated request","car":"PPCVCA00001","chr":"ZZDVIS00001","outer_car":"ZZCVCA00001"' \
    "$TMP/out" || fail "countersigned request"
expect 0 "$CVC" verify -T "$C/pp_cvca.cvcert" -T "$C/zz_cvca.cvcert" "$TMP/ours.auth"
printf 'roles = dv_foreign\nrights = read DG3\n' > "$TMP/zz.policy"
expect 0 "$CVC" issue -k "$C/pp_cvca.pk8" -s "$C/pp_cvca.cvcert" \
    -P "$TMP/zz.policy" -T "$C/zz_cvca.cvcert" -o "$TMP/ours.cvcert" "$TMP/ours.auth"
cp "$TMP/ours.cvcert" "$TMP/dir/ZZDVIS00001"
cvc-print --cvc "$TMP/ours.cvcert" --cvc-dir "$TMP/dir" 2>/dev/null |
    grep -qx "certificate verified" || fail "cvc-print: our DV from PP"
# a request that does not verify is not countersigned
expect 1 "$CVC" countersign -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -o "$TMP/x.auth" "$TMP/req.inner"
one_line_error "failure_inner_signature"
[ ! -e "$TMP/x.auth" ] || fail "countersigned a bad request"
expect 2 "$CVC" countersign -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -o "$TMP/x.auth" "$TMP/req"
one_line_error "not a plain request"

# with the register in the store: registered foreign CVCAs, foreign DVs
# registered or suspended, every issued certificate recorded
export NPKD_DIR="$TMP/store"
"$NPKD_BIN/npkd" -q init
expect 2 "$CVC" register "$C/pp_dv.cvcert"
one_line_error "not a CVCA certificate"
"$(dirname "$NPKD_BIN")/host/mkder" flip "$C/pp_cvca.cvcert" "$TMP/cvca.bad" last
expect 1 "$CVC" register "$TMP/cvca.bad"
one_line_error "signature by PPCVCA00001 does not verify"
expect 0 "$CVC" register "$C/pp_cvca.cvcert"
expect 0 "$CVC" register -o own "$C/zz_cvca.cvcert"
# an unregistered DV is refused, a registered one served, a suspended not
expect 1 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/r1.cvcert" "$TMP/req"
one_line_error "DV PPDVIS is not registered"
expect 0 "$CVC" dv add PPDVIS
expect 0 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/r1.cvcert" "$TMP/req"
# the same request again: refused, nothing written
expect 1 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/r2.cvcert" "$TMP/req"
one_line_error "sequence number 00002 not after 00002"
[ ! -e "$TMP/r2.cvcert" ] || fail "a second certificate for one request"
# a successive request: the DV's new key, outer signature by its current
# certificate from us
expect 0 "$CVC" keygen -o "$TMP/dv2.pk8"
expect 0 "$CVC" req -k "$TMP/dv2.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00003 \
    -a ZZCVCA00001 -K "$TMP/dv.pk8" -O "$TMP/r1.cvcert" -d "$C/zz_cvca.cvcert" \
    -o "$TMP/req.succ"
expect 0 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/r3.cvcert" "$TMP/req.succ"
expect 0 "$CVC" dv suspend PPDVIS
expect 0 "$CVC" req -k "$TMP/dv2.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00004 \
    -a ZZCVCA00001 -K "$TMP/dv.pk8" -O "$TMP/r1.cvcert" -d "$C/zz_cvca.cvcert" \
    -o "$TMP/req.susp"
expect 1 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/r4.cvcert" "$TMP/req.susp"
one_line_error "DV PPDVIS is suspended"
# TR-03139: a new key for every certificate
expect 0 "$CVC" dv resume PPDVIS
expect 0 "$CVC" req -k "$TMP/dv.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00005 \
    -a ZZCVCA00001 -K "$TMP/dv2.pk8" -O "$TMP/r3.cvcert" -d "$C/zz_cvca.cvcert" \
    -o "$TMP/req.reuse"
expect 1 "$CVC" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/r5.cvcert" "$TMP/req.reuse"
one_line_error "already certified (PPDVIS00002)"
expect 0 "$CVC" ls -o issued
[ "$(grep -c '^issued' "$TMP/out")" -eq 2 ] || fail "two certificates issued"
# our DV's certificate from PP, and the cron job that asks for renewal
expect 0 "$CVC" register -o ours "$TMP/ours.cvcert"
expect 0 "$CVC" ls --expiring 100
grep -q "^ours *ZZDVIS00001" "$TMP/out" || fail "ls --expiring: our DV certificate"
expect 0 "$CVC" ls --expiring 10
[ ! -s "$TMP/out" ] || fail "ls --expiring 10 lists a 90-day certificate"
unset NPKD_DIR

# CVCA rollover: a link certificate (old key signs the new), the new
# self-signed CVCA, and a DV issued under the new key that chains through
# the link to the old CVCA; OpenPACE verifies the link and the DV
expect 0 "$CVC" keygen -o "$TMP/cvca3.pk8"
expect 2 "$CVC" link -n 30 -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -K "$TMP/cvca3.pk8" -r ZZCVCA00003 -o "$TMP/link.cvcert"
one_line_error "6 months to 3 years"
expect 0 "$CVC" link -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -K "$TMP/cvca3.pk8" -r ZZCVCA00003 -o "$TMP/link.cvcert" -S "$TMP/self.cvcert"
expect 0 "$CVC" print -j "$TMP/link.cvcert"
grep -q '"car":"ZZCVCA00001","chr":"ZZCVCA00003".*"role":"CVCA".*"rights":\["read DG3 (fingerprint)","read DG4 (iris)"\].*"domain_parameters":true' \
    "$TMP/out" || fail "link fields"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/link.cvcert"
expect 0 "$CVC" verify -T "$TMP/self.cvcert" "$TMP/self.cvcert"
expect 1 "$CVC" verify -T "$C/pp_cvca.cvcert" "$TMP/link.cvcert"
cp "$TMP/link.cvcert" "$TMP/dir/ZZCVCA00003"
cvc-print --cvc "$TMP/link.cvcert" --cvc-dir "$TMP/dir" 2>/dev/null |
    grep -qx "certificate verified" || fail "cvc-print does not verify our link"
expect 0 "$CVC" req -k "$TMP/dv.pk8" -p "$TMP/link.cvcert" -r PPDVIS00006 \
    -a ZZCVCA00003 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req3"
expect 0 "$CVC" issue -k "$TMP/cvca3.pk8" -s "$TMP/link.cvcert" \
    -P "$TMP/pp.policy" -T "$C/pp_cvca.cvcert" -o "$TMP/dv3.cvcert" "$TMP/req3"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" -c "$TMP/link.cvcert" "$TMP/dv3.cvcert"
cp "$TMP/dv3.cvcert" "$TMP/dir/PPDVIS00006"
cvc-print --cvc "$TMP/dv3.cvcert" --cvc-dir "$TMP/dir" 2>/dev/null |
    grep -qx "certificate verified" || fail "cvc-print: DV under the new CVCA"
exit 0
