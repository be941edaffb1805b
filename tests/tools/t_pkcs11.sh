# t_pkcs11.sh - signing with keys on a PKCS#11 token: a SoftHSM2 token
# made here, RSA, P-256 and brainpoolP256r1 keys imported into it, a master
# list signed through GnuTLS/p11-kit and verified.
. "$(dirname "$0")/lib.sh"
if ! command -v softhsm2-util >/dev/null 2>&1; then
	echo "skipped: softhsm2-util not installed"
	exit 77
fi
export SOFTHSM2_CONF="$TMP/softhsm2.conf"
mkdir -p "$TMP/tokens"
printf 'directories.tokendir = %s/tokens\nobjectstore.backend = file\n' \
    "$TMP" > "$SOFTHSM2_CONF"
softhsm2-util --init-token --free --label npkd-test --pin 1234 --so-pin 5678 \
    >/dev/null
echo 1234 > "$TMP/pin"
i=1
for k in aa bb cc; do
	openssl pkcs8 -topk8 -nocrypt -in "$T/${k}_p11signer.key" -out "$TMP/$k.p8"
	softhsm2-util --import "$TMP/$k.p8" --token npkd-test --label "${k}ml" \
	    --id "0$i" --pin 1234 >/dev/null
	i=$((i + 1))
	uri="pkcs11:token=npkd-test;object=${k}ml;type=private"
	expect 0 "$NPKD" ml sign -P "$TMP/pin" -c "$T/${k}_p11signer.pem" \
	    -k "$uri" -o "$TMP/$k.ml" "$T/aa_csca.pem" "$T/bb_csca.pem"
	expect 0 "$NPKD" ml verify -T "$T/trust_all.pem" "$TMP/$k.ml"
	grep -q "2 certificates" "$TMP/out" || fail "$k: members"
	# a wrong PIN signs nothing
	echo 0000 > "$TMP/badpin"
	expect 2 "$NPKD" ml sign -P "$TMP/badpin" -c "$T/${k}_p11signer.pem" \
	    -k "$uri" -o "$TMP/$k.bad.ml" "$T/aa_csca.pem"
	[ ! -e "$TMP/$k.bad.ml" ] || fail "wrong PIN left a file"
done
# OpenSSL agrees on the RSA and P-256 token signatures
for k in aa cc; do
	cc=$(echo $k | tr a-z A-Z)
	openssl cms -verify -inform DER -in "$TMP/$k.ml" -CAfile "$T/${k}_csca.pem" \
	    -purpose any -binary -out /dev/null 2>/dev/null || fail "openssl: $k"
done
exit 0
