#!/bin/sh
# bench.sh BENCH - make bench: signature rates (npkd API, raw library,
# openssl speed) and time and peak memory of npkd ml on a 500-certificate
# master list.  Figures depend on the machine; quote them with the command.
set -eu
B=$1
N=$NPKD_BIN/npkd
T=$NPKD_TESTDATA
echo "== verifications per second, one core: npkd API (hash + route + verify)"
echo "== next to the raw library call it routes to (precomputed digest)"
"$B" sig "$T"
echo
echo "== openssl speed -seconds 1, same algorithms (verify/s column)"
openssl speed -seconds 1 rsa2048 rsa3072 ecdsap256 ecdsap384 ecdsap521 \
    ecdsabrp256r1 ecdsabrp384r1 ecdsabrp512r1 ecdsabrp256t1 2>/dev/null |
    awk '/^rsa *[0-9]+ bits/ || /^ *[0-9]+ bits ecdsa/ { print }'
echo
echo "== 500-certificate master list ($(wc -c < "$T/bench_500.ml") bytes)"
for c in print verify extract; do
	printf 'npkd ml %-8s ' "$c"
	if [ $c = extract ]; then
		: # DER files written atomically, one fsync each
		rm -rf "$T/bench_extract"
		"$B" cmd "$N" ml extract -o "$T/bench_extract" "$T/bench_500.ml"
	elif [ $c = verify ]; then
		"$B" cmd "$N" ml verify -T "$T/trust_aa.pem" "$T/bench_500.ml"
	else
		"$B" cmd "$N" ml print "$T/bench_500.ml"
	fi
done
