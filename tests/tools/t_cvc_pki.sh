# t_cvc_pki.sh - a whole EAC PKI run by cvc, each role end to end, and
# OpenPACE (cvc-print, cvc-create) as the independent party at every
# step: a country's first CVCA, a domestic official DV and a foreign DV
# (vouched for by its own CVCA), IS, AT and ST terminals with rights by
# name and the AT certificate extensions, every key rolled over
# (terminal, DV, CVCA, CVCA to another curve); OpenPACE reads our requests
# and issues from them, and cvc accepts what OpenPACE issues.
. "$(dirname "$0")/lib.sh"
if ! command -v cvc-create >/dev/null 2>&1; then
	echo "skipped: OpenPACE cvc-create not installed"
	exit 77
fi
NPKD_BIN=$(cd "$NPKD_BIN" && pwd)
CVC=$NPKD_BIN/cvc
MKCV=$(dirname "$NPKD_BIN")/host/mkcv
mkdir -p "$TMP/dir"
cd "$TMP"
openpace() {	# openpace CERT: OpenPACE verifies it with what it knows
	chr=$("$CVC" print -j "$1" | sed 's/.*"chr":"\([^"]*\)".*/\1/')
	cp "$1" "dir/$chr"
	cvc-print --cvc "$1" --cvc-dir dir 2>/dev/null |
	    grep -qx "certificate verified" || fail "cvc-print does not verify $1"
}
field() {	# field CERT NAME: one value of cvc print -j
	"$CVC" print -j "$1" | sed "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/"
}

# --- the CVCA officer: the first CVCA of DE, its register --------------
expect 0 "$CVC" keygen -a brainpoolP256r1 -o cvca1.pk8
expect 0 "$CVC" root -k cvca1.pk8 -r DECVCA00001 -t IS \
    -g "read DG3,read DG4" -o cvca1.cvcert
openpace cvca1.cvcert
expect 0 "$CVC" print -j cvca1.cvcert
grep -q '"car":"DECVCA00001","chr":"DECVCA00001".*"role":"CVCA","terminal_type":"IS","rights":\["read DG3 (fingerprint)","read DG4 (iris)"\].*"algorithm":"ecdsa-sha-256","domain_parameters":true' \
    out || fail "root fields"
[ "$(field cvca1.cvcert expiry)" = "$(date -u -d '+1094 days' +%Y-%m-%d)" ] ||
    fail "a CVCA lives three years"
expect 2 "$CVC" root -k cvca1.pk8 -r DECVCA00001 -t IS -g "read DG5" -o x
one_line_error "no IS right named \"read DG5\""
expect 2 "$CVC" root -k cvca1.pk8 -r DECVCA00001 -t IS -n 100 -o x
one_line_error "6 months to 3 years"
export NPKD_DIR="$TMP/cvca"
"$NPKD_BIN/npkd" -q init
expect 0 "$CVC" register -o own cvca1.cvcert
cat > de.policy <<EOF
roles = dv_domestic
type = IS
rights = read DG3, read DG4
max_days = 90
EOF

# --- a domestic DV asks, the CVCA issues -------------------------------
expect 0 "$CVC" keygen -o dv1.pk8
expect 0 "$CVC" req -k dv1.pk8 -p cvca1.cvcert -r DEDVIS00001 -a DECVCA00001 \
    -o dv1.req
cvc-print --csr dv1.req 2>/dev/null | grep -qx "  certificate request verified" ||
    fail "OpenPACE does not verify our request"
expect 0 "$CVC" dv add DEDVIS
expect 0 "$CVC" issue -k cvca1.pk8 -s cvca1.cvcert -P de.policy \
    -o dv1.cvcert dv1.req
openpace dv1.cvcert
[ "$(field dv1.cvcert role)" = "DV (official domestic)" ] || fail "domestic DV"

# --- a foreign DV (FR), vouched for by FR's CVCA (P-256, made by cvc) ----
expect 0 "$CVC" keygen -a P-256 -o frcvca.pk8
expect 0 "$CVC" root -k frcvca.pk8 -r FRCVCA00001 -t IS -g "read DG3" \
    -o frcvca.cvcert
openpace frcvca.cvcert
expect 0 "$CVC" register frcvca.cvcert
expect 0 "$CVC" dv add FRDVIS
printf 'roles = dv_foreign\ntype = IS\nrights = read DG3\n' > fr.policy
expect 0 "$CVC" keygen -o frdv1.pk8
expect 0 "$CVC" req -k frdv1.pk8 -p cvca1.cvcert -r FRDVIS00001 \
    -a DECVCA00001 -K frcvca.pk8 -O frcvca.cvcert -o frdv1.req
expect 0 "$CVC" issue -k cvca1.pk8 -s cvca1.cvcert -P fr.policy \
    -o frdv1.cvcert frdv1.req
openpace frdv1.cvcert
[ "$(field frdv1.cvcert role)" = "DV (non-official / foreign)" ] ||
    fail "foreign DV"
# FR's DV rolls its key over: its current certificate from us vouches
expect 0 "$CVC" keygen -o frdv2.pk8
expect 0 "$CVC" req -k frdv2.pk8 -p cvca1.cvcert -r FRDVIS00002 \
    -a DECVCA00001 -K frdv1.pk8 -O frdv1.cvcert -d cvca1.cvcert -o frdv2.req
expect 0 "$CVC" issue -k cvca1.pk8 -s cvca1.cvcert -P fr.policy \
    -o frdv2.cvcert frdv2.req
openpace frdv2.cvcert

# --- the DV officer: IS terminals ----------------------------------------
export NPKD_DIR="$TMP/dv"
"$NPKD_BIN/npkd" -q init
printf 'roles = terminal\ntype = IS\nrights = read DG3, read DG4\n' > is.policy
expect 0 "$CVC" keygen -o is1.pk8
expect 0 "$CVC" req -k is1.pk8 -p cvca1.cvcert -r DEIS000100001 \
    -a DEDVIS00001 -o is1.req
expect 0 "$CVC" issue -k dv1.pk8 -s dv1.cvcert -T cvca1.cvcert \
    -P is.policy -r "read DG3" -o is1.cvcert is1.req
openpace is1.cvcert
expect 0 "$CVC" print -j is1.cvcert
grep -q '"role":"terminal","terminal_type":"IS","rights":\["read DG3 (fingerprint)"\]' \
    out || fail "IS terminal fields"
[ "$(field is1.cvcert expiry)" = "$(date -u -d '+30 days' +%Y-%m-%d)" ] ||
    fail "a terminal lives a month"
expect 0 "$CVC" verify -T cvca1.cvcert -c dv1.cvcert is1.cvcert
# the terminal's key rolls over, vouched for by its current certificate
expect 0 "$CVC" keygen -o is2.pk8
expect 0 "$CVC" req -k is2.pk8 -p cvca1.cvcert -r DEIS000100002 \
    -a DEDVIS00001 -K is1.pk8 -O is1.cvcert -d cvca1.cvcert -o is2.req
expect 0 "$CVC" issue -k dv1.pk8 -s dv1.cvcert -T cvca1.cvcert \
    -P is.policy -o is2.cvcert is2.req
openpace is2.cvcert
# OpenPACE as the DV issues from our terminal's request; cvc accepts it
expect 0 "$CVC" keygen -o is3.pk8
expect 0 "$CVC" req -k is3.pk8 -p cvca1.cvcert -r DEIS000100003 \
    -a DEDVIS00001 -o is3.req
cvc-create --csr=is3.req --role=terminal --type=is --expires=$(date -u -d \
    '+20 days' +%y%m%d) --sign-with=dv1.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --out-cert=is3.cvcert >/dev/null 2>&1 ||
    fail "OpenPACE does not issue from our request"
expect 0 "$CVC" verify -T cvca1.cvcert -c dv1.cvcert is3.cvcert

# --- the DV rolls over (its successive request to the CVCA) -------------
export NPKD_DIR="$TMP/cvca"
expect 0 "$CVC" keygen -o dv2.pk8
expect 0 "$CVC" req -k dv2.pk8 -p cvca1.cvcert -r DEDVIS00002 \
    -a DECVCA00001 -K dv1.pk8 -O dv1.cvcert -d cvca1.cvcert -o dv2.req
expect 0 "$CVC" issue -k cvca1.pk8 -s cvca1.cvcert -P de.policy \
    -o dv2.cvcert dv2.req
openpace dv2.cvcert
# the terminals of the old DV key still verify
expect 0 "$CVC" verify -T cvca1.cvcert -c dv1.cvcert -c dv2.cvcert is2.cvcert

# --- the CVCA rolls over: same curve, then to brainpoolP384r1 ------------
expect 0 "$CVC" keygen -o cvca2.pk8
expect 0 "$CVC" link -k cvca1.pk8 -s cvca1.cvcert -K cvca2.pk8 \
    -r DECVCA00002 -o link2.cvcert -S cvca2.cvcert
openpace link2.cvcert
expect 0 "$CVC" register -o own link2.cvcert
expect 0 "$CVC" keygen -o dv3.pk8
expect 0 "$CVC" req -k dv3.pk8 -p cvca2.cvcert -r DEDVIS00003 \
    -a DECVCA00002 -K dv2.pk8 -O dv2.cvcert -d cvca1.cvcert -o dv3.req
expect 0 "$CVC" issue -k cvca2.pk8 -s link2.cvcert -P de.policy \
    -o dv3.cvcert dv3.req
openpace dv3.cvcert
expect 0 "$CVC" verify -T cvca1.cvcert -c link2.cvcert dv3.cvcert
expect 0 "$CVC" keygen -a brainpoolP384r1 -o cvca3.pk8
expect 0 "$CVC" link -k cvca2.pk8 -s link2.cvcert -K cvca3.pk8 \
    -a ecdsa-sha-384 -r DECVCA00003 -o link3.cvcert
openpace link3.cvcert
expect 0 "$CVC" print -j link3.cvcert
grep -q '"car":"DECVCA00002","chr":"DECVCA00003".*"algorithm":"ecdsa-sha-384","domain_parameters":true' \
    out || fail "link to a new domain"
expect 0 "$CVC" verify -T cvca1.cvcert -c link2.cvcert link3.cvcert
expect 0 "$CVC" register -o own link3.cvcert
# under the new domain, a request on the old curve is refused
expect 0 "$CVC" keygen -o dv4.pk8
expect 0 "$CVC" req -k dv4.pk8 -p cvca2.cvcert -r DEDVIS00004 \
    -a DECVCA00003 -K dv3.pk8 -O dv3.cvcert -d cvca2.cvcert -o dv4.req
expect 1 "$CVC" issue -k cvca3.pk8 -s link3.cvcert -P de.policy \
    -o dv4.cvcert dv4.req
one_line_error "failure_domain_parameters"
expect 0 "$CVC" keygen -a brainpoolP384r1 -o dv5.pk8
expect 0 "$CVC" req -k dv5.pk8 -p link3.cvcert -r DEDVIS00005 \
    -a DECVCA00003 -K dv3.pk8 -O dv3.cvcert -d cvca2.cvcert -o dv5.req
expect 0 "$CVC" issue -k cvca3.pk8 -s link3.cvcert -P de.policy \
    -o dv5.cvcert dv5.req
openpace dv5.cvcert

# --- eID (AT): rights by name, certificate description and sector --------
expect 0 "$CVC" keygen -o at.pk8
expect 0 "$CVC" root -k at.pk8 -r DEATCA00001 -t AT -g "age verification,\
restricted identification,read DG1,read DG2,read DG4,write DG17" \
    -o at.cvcert
openpace at.cvcert
expect 0 "$CVC" register -o own at.cvcert
expect 0 "$CVC" dv add DEDVAT
printf 'roles = dv_domestic, dv_foreign\ntype = AT\nrights = age verification, restricted identification, read DG1, read DG4\n' \
    > at.policy
expect 0 "$CVC" keygen -o atdv.pk8
expect 0 "$CVC" req -k atdv.pk8 -p at.cvcert -r DEDVAT00001 -a DEATCA00001 \
    -o atdv.req
expect 0 "$CVC" issue -R dv_foreign -k at.pk8 -s at.cvcert -P at.policy \
    -o atdv.cvcert atdv.req
openpace atdv.cvcert
[ "$(field atdv.cvcert role)" = "DV (non-official / foreign)" ] ||
    fail "a domestic non-official DV"
export NPKD_DIR="$TMP/atdv"
"$NPKD_BIN/npkd" -q init
printf 'roles = terminal\nrights = age verification, restricted identification, read DG1\n' \
    > atterm.policy
echo "Terms of use of the test service" > terms.txt
cvc-create --role=terminal --type=at --chr=DEATT00000001 --issued=250101 \
    --expires=271231 --sign-as=atdv.cvcert --sign-with=atdv.pk8 \
    --scheme=ECDSA_SHA_256 --verify-age --cert-desc=terms.txt \
    --issuer-name="Test DV" --subject-name="Test service" \
    --subject-url=https://service.example --out-cert=op.cvcert \
    --out-key=op.pk8 --out-desc=desc.der >/dev/null
expect 0 "$CVC" keygen -o att.pk8
expect 0 "$CVC" req -k att.pk8 -p at.cvcert -r DEATT00000002 -a DEDVAT00001 \
    -o att.req
openssl rand 65 > sector1.key
expect 2 "$CVC" issue -k atdv.pk8 -s atdv.cvcert -T at.cvcert -P atterm.policy \
    -e terms.txt -o x att.req
one_line_error "not a certificate description"
expect 0 "$CVC" issue -k atdv.pk8 -s atdv.cvcert -T at.cvcert -P atterm.policy \
    -r "age verification,read DG1" -e desc.der -o att.cvcert att.req
openpace att.cvcert
cvc-print --cvc att.cvcert --description desc.der --cvc-dir dir 2>/dev/null |
    grep -qx "certificate description matches certificate" ||
    fail "OpenPACE: our certificate description hash"
expect 0 "$CVC" print att.cvcert
grep -q "extension: *0.4.0.127.0.7.3.1.3.1 (certificate description)" out ||
    fail "print names the description"
expect 0 "$CVC" keygen -o att3.pk8
expect 0 "$CVC" req -k att3.pk8 -p at.cvcert -r DEATT00000003 -a DEDVAT00001 \
    -o att3.req
expect 0 "$CVC" issue -k atdv.pk8 -s atdv.cvcert -T at.cvcert -P atterm.policy \
    -r "restricted identification" -S sector1.key -o att3.cvcert att3.req
openpace att3.cvcert
"$MKCV" cvget att3.cvcert sector.hash 80
openssl dgst -sha256 -binary sector1.key | cmp -s - sector.hash ||
    fail "terminal sector: not the SHA-256 of the sector key"
expect 0 "$CVC" keygen -o att4.pk8
expect 0 "$CVC" req -k att4.pk8 -p at.cvcert -r DEATT00000004 -a DEDVAT00001 \
    -o att4.req
expect 1 "$CVC" issue -k atdv.pk8 -s atdv.cvcert -T at.cvcert -P atterm.policy \
    -r "read DG2" -o x att4.req
one_line_error "exceed the policy"
expect 1 "$CVC" issue -k atdv.pk8 -s atdv.cvcert -T at.cvcert -P atterm.policy \
    -r "read DG4" -o x att4.req
one_line_error "exceed the policy"
# a one-byte AT CHAT of OpenPACE's with no rights is fine under ours
cvc-create --role=terminal --chr=DEATT00000005 --chat=00 --issued=250101 \
    --expires=271231 --sign-as=atdv.cvcert --sign-with=atdv.pk8 \
    --scheme=ECDSA_SHA_256 --out-cert=op0.cvcert --out-key=op0.pk8 >/dev/null
expect 0 "$CVC" verify -T at.cvcert -c atdv.cvcert op0.cvcert op.cvcert

# --- signature terminals (ST), on an RSA-PSS CVCA -------------------------
expect 0 "$CVC" keygen -a rsa:2048 -o st.pk8
expect 0 "$CVC" root -k st.pk8 -a rsa-pss-sha-256 -r DESTCA00001 -t ST \
    -g "generate electronic signature,generate qualified electronic signature" \
    -o st.cvcert
openpace st.cvcert
export NPKD_DIR="$TMP/cvca"
expect 0 "$CVC" register -o own st.cvcert
expect 0 "$CVC" dv add DEDVST
printf 'roles = dv_domestic\ntype = ST\nrights = generate electronic signature\n' \
    > st.policy
expect 0 "$CVC" keygen -a rsa:2048 -o stdv.pk8
expect 0 "$CVC" req -k stdv.pk8 -p st.cvcert -r DEDVST00001 -a DESTCA00001 \
    -o stdv.req
expect 0 "$CVC" issue -k st.pk8 -s st.cvcert -P st.policy -o stdv.cvcert stdv.req
openpace stdv.cvcert
export NPKD_DIR="$TMP/stdv"
"$NPKD_BIN/npkd" -q init
printf 'roles = terminal\nrights = generate electronic signature\n' > stt.policy
expect 0 "$CVC" keygen -a rsa:2048 -o stt.pk8
expect 0 "$CVC" req -k stt.pk8 -p st.cvcert -r DESTT00000001 -a DEDVST00001 \
    -o stt.req
expect 0 "$CVC" issue -k stdv.pk8 -s stdv.cvcert -T st.cvcert -P stt.policy \
    -o stt.cvcert stt.req
openpace stt.cvcert
[ "$(field stt.cvcert terminal_type)" = ST ] || fail "ST terminal"
# an EC key asked of an RSA DV is refused
expect 0 "$CVC" keygen -o ec.pk8
expect 0 "$CVC" req -k ec.pk8 -p cvca1.cvcert -r DESTT00000002 \
    -a DEDVST00001 -o ec.req
expect 1 "$CVC" issue -k stdv.pk8 -s stdv.cvcert -T st.cvcert -P stt.policy \
    -o x ec.req
one_line_error "failure_domain_parameters: DESTT00000002: a ecdsa-sha-256 key, but DEDVST00001 signs with rsa-pss-sha-256"
exit 0
