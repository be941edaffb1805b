#!/bin/sh
# genbig.sh TESTDATA MKDER N [NAME TEMPLATE...] - a master list of N
# certificates for the scale tests, signed by AA's master list signer and
# written to TESTDATA/NAME.ml (big_N.ml without NAME).  Its members are
# copies of the templates taken in turn, each with its own serial (their
# own signatures no longer verify).  Without templates: bulk_template.der,
# a DSC of AA (no CSCA: the list's member checks do not verify it).
set -eu
T=$1
MKDER=$2
N=$3
NAME=big_$N
if [ $# -gt 3 ]; then
	NAME=$4
	shift 4
else
	set -- "$T/bulk_template.der"
fi
"$MKDER" bulk "$T/$NAME.content" "$N" "$@"
openssl cms -sign -binary -nodetach -nosmimecap -outform DER \
    -econtent_type 2.23.136.1.1.2 -in "$T/$NAME.content" \
    -signer "$T/aa_mlsigner.pem" -inkey "$T/aa_mlsigner.key" -keyid -md sha256 \
    -out "$T/$NAME.ml"
rm -f "$T/$NAME.content"
