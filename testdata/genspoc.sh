#!/bin/sh
# genspoc.sh OUTDIR [CVDIR]
#
# SPOC test PKI made with GnuTLS certtool: for countries PP and ZZ a SPOC
# CA with its CRL, a TLS client certificate (EKU 2.23.136.1.1.10.1) and a
# TLS server certificate for localhost (EKU 2.23.136.1.1.10.2), both with
# the standard TLS EKU as well so that any TLS stack accepts them, and the
# package signing certificates of the offline side and of the relay.
# For the negative cases: a rogue CA with a PP client certificate, a
# self-signed one, a revoked PP client certificate, one without the SPOC
# EKU, and a server certificate for another host; and a PP client
# certificate with another CN, which is only a SHOULD.
#
# With CVDIR (testdata/gencvc.sh's EAC PKI) and OpenPACE's cvc-create, in
# OUTDIR/eac what a foreign SPOC (ZZ) may answer a DV of PP: the DV's key
# (pp_dv3.pk8, brainpoolP256r1 like ZZ's CVCA), its genuine certificate
# under ZZ's CVCA and under ZZ's link, and the forgeries that must not be
# believed: CVCAs an attacker made (a new name, and ZZ's own name with
# another key) with DV certificates for our key under them, a genuine ZZ
# DV certificate for another key, one for a P-256 key under ZZ's
# brainpool CVCA, and a "ZZ" CVCA certificate signed by another country's
# CVCA.
set -eu
OUT=$1
CVDIR=${2:-}
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
	case "${6:-}/$3" in
	2.23.136.1.1.10.1/*|*/*client) std=tls_www_client ;;
	*) std=tls_www_server ;;
	esac
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
# a CN other than "SPOC TLS client" (a SHOULD of the profile)
leaf pp_othercn pp_ca "PP SPOC relay 2" PP 7 2.23.136.1.1.10.1
# anyone's self-signed client certificate, naming PP
key self_client.key
tmpl self_client.tmpl "SPOC TLS client" PP 1 signing_key tls_www_client \
    "key_purpose_oid = 2.23.136.1.1.10.1"
certtool --generate-self-signed --load-privkey self_client.key \
    --template self_client.tmpl --outfile self_client.pem >/dev/null 2>&1
crl pp_ca pp_revoked
crl zz_ca
crl rogue_ca
# an out-of-date CRL: next update in the past
printf 'crl_this_update_date = "2025-01-01 00:00:00"\ncrl_next_update_date = "2025-02-01 00:00:00"\ncrl_number = 2\n' \
    > zz_old.crl.tmpl
certtool --generate-crl --load-ca-privkey zz_ca.key --load-ca-certificate \
    zz_ca.pem --template zz_old.crl.tmpl --outfile zz_ca_old.crl >/dev/null 2>&1
rm -f *.tmpl

if [ -n "$CVDIR" ] && [ -f "$CVDIR/zz_cvca.cvcert" ] &&
    command -v cvc-create >/dev/null 2>&1; then
	mkdir eac
	cd eac
	eckey() { openssl ecparam -name "$1" -genkey -noout |
	    openssl pkcs8 -topk8 -nocrypt -outform DER -out "$2"; }
	cc() { cvc-create --scheme=ECDSA_SHA_256 --issued=250101 "$@" >/dev/null; }
	dv() {	# out signer-cert signer-key key [chr]
		cc --role=dv_foreign --chr=${5:-PPDVIS00003} --expires=291231 \
		    --sign-as="$2" --sign-with="$3" --key="$4" --read-finger \
		    --out-cert="$1"
	}
	eckey brainpoolP256r1 pp_dv3.pk8
	eckey brainpoolP256r1 other.pk8
	eckey prime256v1 pp_dv4.pk8
	eckey brainpoolP256r1 rogue.pk8
	eckey brainpoolP384r1 bb_new.pk8
	Z=$CVDIR
	dv zz_dv3.cvcert "$Z/zz_cvca.cvcert" "$Z/zz_cvca.pk8" pp_dv3.pk8
	dv zz_dv3_link.cvcert "$Z/zz_link.cvcert" "$Z/zz_cvca2.pk8" pp_dv3.pk8
	dv zz_dv3_otherkey.cvcert "$Z/zz_cvca.cvcert" "$Z/zz_cvca.pk8" other.pk8
	dv zz_dv4_p256.cvcert "$Z/zz_cvca.cvcert" "$Z/zz_cvca.pk8" pp_dv4.pk8 \
	    PPDVIS00004
	# the attacker's CVCAs: a new name, and ZZ's own name
	cc --role=cvca --type=is --chr=ZZCVCA00009 --expires=301231 \
	    --sign-with=rogue.pk8 --read-finger --read-iris \
	    --out-cert=rogue_cvca.cvcert
	cc --role=cvca --type=is --chr=ZZCVCA00001 --expires=301231 \
	    --sign-with=rogue.pk8 --read-finger --read-iris \
	    --out-cert=rogue_cvca_samename.cvcert
	dv rogue_dv3.cvcert rogue_cvca.cvcert rogue.pk8 pp_dv3.pk8
	dv rogue_dv3_samename.cvcert rogue_cvca_samename.cvcert rogue.pk8 \
	    pp_dv3.pk8
	dv rogue_dv_other.cvcert rogue_cvca.cvcert rogue.pk8 other.pk8
	# a "link" to a new ZZ CVCA, signed by BB's CVCA
	cvc-create --scheme=ECDSA_SHA_384 --issued=250101 --role=cvca \
	    --type=st --chr=ZZCVCA00005 --expires=301231 \
	    --sign-as="$Z/bb_cvca.cvcert" --sign-with="$Z/bb_cvca.pk8" \
	    --key=bb_new.pk8 --gen-sig --out-cert=bb_signed_zz.cvcert >/dev/null
	cd ..
fi
echo "genspoc: $(ls | wc -l) files"
