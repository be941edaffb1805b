#!/bin/sh
# genbig.sh TESTDATA MKDER N - a master list of N certificates for the
# scale test: N copies of bulk_template.der (a DSC of AA made by gen.sh),
# each with its own serial (their own signatures no longer verify, which
# the list's member checks do not need: they are no CSCAs), signed by AA's
# master list signer.  Written to TESTDATA/big_N.ml.
set -eu
T=$1
MKDER=$2
N=$3
"$MKDER" bulk "$T/big_$N.content" "$N" "$T/bulk_template.der"
openssl cms -sign -binary -nodetach -nosmimecap -outform DER \
    -econtent_type 2.23.136.1.1.2 -in "$T/big_$N.content" \
    -signer "$T/aa_mlsigner.pem" -inkey "$T/aa_mlsigner.key" -keyid -md sha256 \
    -out "$T/big_$N.ml"
rm -f "$T/big_$N.content"
