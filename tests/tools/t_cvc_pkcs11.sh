# t_cvc_pkcs11.sh - the national CVCA's key on a PKCS#11 token: a SoftHSM2
# token made here holds the brainpoolP256r1 CVCA key; cvc issue signs a DV
# certificate with it, and npkd and OpenPACE verify the result.
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
mkdir -p "$TMP/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\n' \
    "$TMP" > "$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label cvca --pin 4321 --so-pin 8765 >/dev/null
openssl pkey -inform DER -in "$C/zz_cvca.pk8" -out "$TMP/cvca.pem"
softhsm2-util --import "$TMP/cvca.pem" --token cvca --label cvca --id 01 \
    --pin 4321 >/dev/null
echo 4321 > "$TMP/pin"
URI="pkcs11:token=cvca;object=cvca;type=private"
printf 'rights = read DG3\n' > "$TMP/policy"
expect 0 "$CVC" keygen -o "$TMP/dv.pk8"
expect 0 "$CVC" req -k "$TMP/dv.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00042 \
    -a ZZCVCA00001 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req"
expect 0 "$CVC" -P "$TMP/pin" issue -k "$URI" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/policy" -T "$C/pp_cvca.cvcert" -o "$TMP/dv.cvcert" "$TMP/req"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/dv.cvcert"
cp -r "$C/dir" "$TMP/dir"
cp "$TMP/dv.cvcert" "$TMP/dir/PPDVIS00042"
cvc-print --cvc "$TMP/dv.cvcert" --cvc-dir "$TMP/dir" 2>/dev/null |
    grep -qx "certificate verified" || fail "cvc-print: token-signed DV"
# a wrong PIN signs nothing
echo 0000 > "$TMP/badpin"
expect 2 "$CVC" -P "$TMP/badpin" issue -k "$URI" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/policy" -T "$C/pp_cvca.cvcert" -o "$TMP/x.cvcert" "$TMP/req"
[ ! -e "$TMP/x.cvcert" ] || fail "wrong PIN left a certificate"
exit 0
