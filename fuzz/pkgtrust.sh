#!/bin/sh
# pkgtrust.sh BIN SPOCDATA CVCDATA - writes the seeds of pkgtrust and
# pkgman: genuine packages of every kind signed by the fuzz package key
# (fuzz/pkgtrust.key, for tests only), made by spoc and spoc-relay.
set -eu
B=$1 S=$2 C=$3
F=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d /tmp/npkd-seeds.XXXXXX)
trap 'rm -rf "$T"' EXIT
grep -q "$(sed -n 2p "$F/pkgtrust.pem")" "$F/pkgtrust_fuzzer.c" ||
    { echo "pkgtrust.pem is not the certificate in pkgtrust_fuzzer.c" >&2; exit 1; }
for d in off rel; do
	"$B/spoc" -q -d "$T/$d" setup --country PP --key "$F/pkgtrust.key" \
	    --cert "$F/pkgtrust.pem" --trust "$F/pkgtrust.pem"
	"$B/spoc" -q -d "$T/$d" peer add ZZ --url https://localhost:1/spoc \
	    --ca "$S/zz_ca.pem" --crl "$S/zz_ca.crl" --dialect icao
	"$B/spoc" -q -d "$T/$d" peer add QQ --url https://localhost:1/spoc \
	    --ca "$S/zz_ca.pem" --crl "$S/zz_ca.crl"
done
"$B/cvc" keygen -a brainpoolP256r1 -o "$T/dv.pk8"
"$B/cvc" req -k "$T/dv.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00009 \
    -a ZZCVCA00001 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$T/req"
"$B/cvc" -d "$T/off" register -o own "$C/pp_cvca.cvcert"
echo "a message" > "$T/body"
"$B/spoc" -q -d "$T/off" request ZZ "$T/req"
"$B/spoc" -q -d "$T/off" get-ca QQ
"$B/spoc" -q -d "$T/off" message ZZ --subject "with spaces" --body "$T/body"
"$B/spoc" -q -d "$T/off" notify
"$B/spoc" -q -d "$T/off" pack -o "$F/pkgtrust.in/requests.tar"
"$B/spoc" -q -d "$T/off" pack -o "$F/pkgtrust.in/empty.tar"
# the relay's answers: delivery failed, each with its note
"$B/spoc-relay" -q -d "$T/rel" send --retries 0 --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$F/pkgtrust.in/answers.tar" \
    "$F/pkgtrust.in/requests.tar" || true
mkdir -p "$F/pkgman.in"
cp "$F/pkgtrust.in/"*.tar "$F/pkgman.in/"
echo "pkgtrust.sh: $(ls "$F/pkgtrust.in" | wc -l) seeds"
