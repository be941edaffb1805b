#!/bin/sh
# genspoc.sh OUTDIR
#
# SPOC test PKI made with GnuTLS certtool: for countries PP and ZZ a SPOC
# CA with its CRL, a TLS client certificate (EKU 2.23.136.1.1.10.1) and a
# TLS server certificate for localhost (EKU 2.23.136.1.1.10.2), both with
# the standard TLS EKU as well so that any TLS stack accepts them, and the
# package signing certificates of the offline side and of the relay.
# For the negative cases: a rogue CA with a PP client certificate, a
# revoked PP client certificate, one without the SPOC EKU, and a server
# certificate for another host.
set -eu
OUT=$1
rm -rf "$OUT"
mkdir -p "$OUT"
cd "$OUT"

key() { certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 \
    --outfile "$1" >/dev/null 2>&1; }
tmpl() {	# file cn country serial [extra lines]
	f=$1; cn=$2; c=$3; serial=$4; shift 4
	{
		echo "cn = \"$cn\""
		echo "country = $c"
		echo "serial = $serial"
		echo "expiration_days = 365"
		for x in "$@"; do echo "$x"; done
	} > "$f"
}
ca() {		# name country
	key "$1.key"
	tmpl "$1.tmpl" "SPOC CA $2" "$2" 1 ca cert_signing_key crl_signing_key
	certtool --generate-self-signed --load-privkey "$1.key" \
	    --template "$1.tmpl" --outfile "$1.pem" >/dev/null 2>&1
}
leaf() {	# name ca cn country serial eku [dns]
	key "$1.key"
	case $3 in *client) std=tls_www_client ;; *) std=tls_www_server ;; esac
	tmpl "$1.tmpl" "$3" "$4" "$5" signing_key $std \
	    "crl_dist_points = http://crl.example/$4.crl" \
	    ${6:+"key_purpose_oid = $6"} ${7:+"dns_name = $7"}
	certtool --generate-certificate --load-privkey "$1.key" \
	    --load-ca-certificate "$2.pem" --load-ca-privkey "$2.key" \
	    --template "$1.tmpl" --outfile "$1.pem" >/dev/null 2>&1
}
pkgcert() {	# name country role
	key "$1.key"
	tmpl "$1.tmpl" "$2 SPOC package signer ($3)" "$2" 1 signing_key
	certtool --generate-self-signed --load-privkey "$1.key" \
	    --template "$1.tmpl" --outfile "$1.pem" >/dev/null 2>&1
}
crl() {		# ca [revoked cert]
	echo "crl_next_update = 30" > "$1.crl.tmpl"
	echo "crl_number = 1" >> "$1.crl.tmpl"
	if [ $# -gt 1 ]; then
		certtool --generate-crl --load-ca-privkey "$1.key" \
		    --load-ca-certificate "$1.pem" --load-certificate "$2.pem" \
		    --template "$1.crl.tmpl" --outfile "$1.crl" >/dev/null 2>&1
	else
		certtool --generate-crl --load-ca-privkey "$1.key" \
		    --load-ca-certificate "$1.pem" \
		    --template "$1.crl.tmpl" --outfile "$1.crl" >/dev/null 2>&1
	fi
}

for c in PP ZZ; do
	l=$(echo $c | tr A-Z a-z)
	ca ${l}_ca $c
	leaf ${l}_client ${l}_ca "SPOC TLS client" $c 2 2.23.136.1.1.10.1
	leaf ${l}_server ${l}_ca "SPOC TLS server" $c 3 2.23.136.1.1.10.2 localhost
	pkgcert ${l}_pkg_off $c offline
	pkgcert ${l}_pkg_rel $c relay
done
# negative cases
leaf pp_revoked pp_ca "SPOC TLS client" PP 4 2.23.136.1.1.10.1
leaf pp_noeku pp_ca "SPOC TLS client" PP 5
leaf zz_otherhost zz_ca "SPOC TLS server" ZZ 6 2.23.136.1.1.10.2 spoc.other.example
ca rogue_ca PP
leaf rogue_client rogue_ca "SPOC TLS client" PP 2 2.23.136.1.1.10.1
crl pp_ca pp_revoked
crl zz_ca
crl rogue_ca
# an out-of-date CRL: next update in the past
printf 'crl_this_update_date = "2025-01-01 00:00:00"\ncrl_next_update_date = "2025-02-01 00:00:00"\ncrl_number = 2\n' \
    > zz_old.crl.tmpl
certtool --generate-crl --load-ca-privkey zz_ca.key --load-ca-certificate \
    zz_ca.pem --template zz_old.crl.tmpl --outfile zz_ca_old.crl >/dev/null 2>&1
rm -f *.tmpl
echo "genspoc: $(ls | wc -l) files"
