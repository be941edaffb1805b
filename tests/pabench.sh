#!/bin/sh
# pabench.sh NPKD PABENCH DOCS - the passive authentication part of make
# bench (also make bench-pa): a store with the documents' CSCA and CRL,
# checked, then tests/pabench.c over every algorithm's documents.
set -eu
N=$1
PB=$2
PD=$3
echo "== passive authentication, one core: documents per second (SOD, DG1, DG14)"
echo "== next to the raw rate of the SOD signature each needs; warm: DSC verdicts"
echo "== kept by the context; cold: a new context per pass, ten documents per DSC"
R=$(mktemp -d /tmp/npkd-bench-pa.XXXXXX)
trap 'rm -rf "$R"' EXIT
NPKD_DIR="$R" "$N" -q init
NPKD_DIR="$R" "$N" -q import -T "$PD/anchors.pem" "$PD/crl/de.crl"
NPKD_DIR="$R" "$N" -q check
"$PB" "$R" "$PD"
