# t_cvc_pkcs11.sh - a CVCA whose key lives on a PKCS#11 token: a SoftHSM2
# token made here holds brainpoolP256r1 and P-256 keys; cvc root makes the
# country's first CVCA certificate with each (the public key given, since
# a token does not give it out), cvc issue signs a DV certificate and cvc
# link rolls the token key over to a file key; npkd and OpenPACE verify.
. "$(dirname "$0")/lib.sh"
C=${NPKD_CVC:-}
if [ -z "$C" ] || [ ! -f "$C/zz_cvca.cvcert" ]; then
	echo "skipped: no EAC test PKI (OpenPACE cvc-create not installed)"
	exit 77
fi
if ! command -v softhsm2-util >/dev/null 2>&1; then
	echo "skipped: softhsm2-util not installed"
	exit 77
fi
CVC=$NPKD_BIN/cvc
export SOFTHSM2_CONF="$TMP/softhsm2.conf"
mkdir -p "$TMP/tokens" "$TMP/dir"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\n' \
    "$TMP" > "$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label cvca --pin 4321 --so-pin 8765 >/dev/null
echo 4321 > "$TMP/pin"
openpace() {
	cp "$1" "$TMP/dir/$2"
	cvc-print --cvc "$1" --cvc-dir "$TMP/dir" 2>/dev/null |
	    grep -qx "certificate verified" || fail "cvc-print does not verify $2"
}
n=0 c=
for curve in brainpoolP256r1 prime256v1; do
	n=$((n + 1)); c=$(echo $n | tr 12 AB)
	openssl ecparam -name $curve -genkey -noout |
	    openssl pkcs8 -topk8 -nocrypt -out "$TMP/k$n.pem"
	openssl pkey -in "$TMP/k$n.pem" -pubout -out "$TMP/k$n.pub"
	softhsm2-util --import "$TMP/k$n.pem" --token cvca --label "k$n" \
	    --id "0$n" --pin 4321 >/dev/null
	URI="pkcs11:token=cvca;object=k$n;type=private"
	# the first CVCA of country Q$c, its key never off the token
	expect 2 "$CVC" -P "$TMP/pin" root -k "$URI" -r "Q${c}CVCA00001" \
	    -t IS -g "read DG3,read DG4" -o "$TMP/root$n.cvcert"
	one_line_error "give its public key"
	expect 0 "$CVC" -P "$TMP/pin" root -k "$URI" -U "$TMP/k$n.pub" \
	    -r "Q${c}CVCA00001" -t IS -g "read DG3,read DG4" \
	    -o "$TMP/root$n.cvcert"
	expect 0 "$CVC" verify -T "$TMP/root$n.cvcert" "$TMP/root$n.cvcert"
	openpace "$TMP/root$n.cvcert" "Q${c}CVCA00001"
done
# the public key of another key than the token's makes nothing
expect 2 "$CVC" -P "$TMP/pin" root -k "pkcs11:token=cvca;object=k2;type=private" \
    -U "$TMP/k1.pub" -r QBCVCA00002 -t IS -o "$TMP/x.cvcert"
one_line_error "does not verify with the signer's public key"
[ ! -e "$TMP/x.cvcert" ] || fail "a root of the wrong key"

# the brainpool token key issues a DV certificate from the register
URI="pkcs11:token=cvca;object=k1;type=private"
export NPKD_DIR="$TMP/store"
"$NPKD_BIN/npkd" -q init
expect 0 "$CVC" register -o own "$TMP/root1.cvcert"
expect 0 "$CVC" register "$C/pp_cvca.cvcert"
expect 0 "$CVC" dv add PPDVIS
printf 'rights = read DG3\n' > "$TMP/policy"
expect 0 "$CVC" keygen -o "$TMP/dv.pk8"
expect 0 "$CVC" req -k "$TMP/dv.pk8" -p "$TMP/root1.cvcert" -r PPDVIS00042 \
    -a QACVCA00001 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req"
expect 0 "$CVC" -P "$TMP/pin" issue -k "$URI" -s "$TMP/root1.cvcert" \
    -P "$TMP/policy" -o "$TMP/dv.cvcert" "$TMP/req"
expect 0 "$CVC" verify -T "$TMP/root1.cvcert" "$TMP/dv.cvcert"
openpace "$TMP/dv.cvcert" PPDVIS00042
# a wrong PIN signs nothing, and leaves nothing in the register
echo 0000 > "$TMP/badpin"
expect 0 "$CVC" keygen -o "$TMP/dv2.pk8"
expect 0 "$CVC" req -k "$TMP/dv2.pk8" -p "$TMP/root1.cvcert" -r PPDVIS00043 \
    -a QACVCA00001 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req2"
expect 2 "$CVC" -P "$TMP/badpin" issue -k "$URI" -s "$TMP/root1.cvcert" \
    -P "$TMP/policy" -o "$TMP/x.cvcert" "$TMP/req2"
[ ! -e "$TMP/x.cvcert" ] || fail "wrong PIN left a certificate"
expect 0 "$CVC" ls -o issued
[ "$(grep -c PPDVIS "$TMP/out")" -eq 1 ] || fail "a wrong PIN left a record"
# the token key rolls over to a new key
expect 0 "$CVC" keygen -o "$TMP/new.pk8"
expect 0 "$CVC" -P "$TMP/pin" link -k "$URI" -s "$TMP/root1.cvcert" \
    -K "$TMP/new.pk8" -r QACVCA00002 -o "$TMP/link.cvcert" -S "$TMP/self.cvcert"
expect 0 "$CVC" verify -T "$TMP/root1.cvcert" "$TMP/link.cvcert"
openpace "$TMP/link.cvcert" QACVCA00002
exit 0
