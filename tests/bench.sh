#!/bin/sh
# bench.sh BENCH - make bench: signature rates (npkd API, each library's
# raw rate, the library npkd's route chose, openssl speed), time and peak
# memory of npkd ml on a 500-certificate master list, on one of 100 000
# (the declared limit) and on the real German list, EAC and SPOC rates,
# and npkd check on a PKD-sized corpus.
# With NPKD_BENCH_OLD=path/to/another/npkd (make bench BENCH_OLD=...),
# the German list and the first check also run that build, alternating
# with this one.  Figures depend on the machine; quote them with the
# command and the load.
set -eu
B=$1
N=$NPKD_BIN/npkd
T=$NPKD_TESTDATA
OLD=${NPKD_BENCH_OLD:-}
echo "== $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
echo "== verifications per second, one core: npkd API (hash + route + verify)"
echo "== next to each library's raw call (precomputed digest, prepared key"
echo "== and context), medians of 21 alternating rounds"
X=$(mktemp -d /tmp/npkd-bench-sig.XXXXXX)
# signers the test PKI lacks: RSA-4096 (most real CSCAs), PSS with a salt
# GnuTLS cannot check, an unnamed curve (testdata/genworld.py case 02)
openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$X/r4.key"
openssl req -x509 -new -key "$X/r4.key" -subj /CN=r4 -days 30 -sha256 \
    -outform DER -out "$X/rsa4096.der"
openssl req -x509 -new -key "$X/r4.key" -subj /CN=r4pss -days 30 -sha256 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32 \
    -outform DER -out "$X/rsa4096pss.der"
openssl req -x509 -new -key "$T/aa_mlsigner.key" -subj /CN=s20 \
    -days 30 -sha256 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20 \
    -outform DER -out "$X/rsa2048pss20.der"
W=${NPKD_WORLDS:-}/cases/02-explicit-curve-same-point-other-generator/bb_csca.der
[ -f "$W" ] || W=
"$B" sig "$T/aa_csca.der" "$T/ll_csca.der" "$T/aa_csca2.der" "$X/rsa4096.der" \
    "$T/dd_csca.der" "$X/rsa2048pss20.der" "$X/rsa4096pss.der" \
    "$T/ii_csca.der" "$T/cc_csca.der" "$T/rr_csca.der" "$T/ff_csca.der" \
    "$T/gg_csca.der" "$T/jj_csca.der" "$T/pp_csca.der" "$T/bb_csca.der" \
    "$T/kk_csca.der" "$T/mm_csca.der" "$T/qq_csca.der" "$T/ee_csca.der" \
    "$T/nn_csca.der" "$T/hh_csca.der" "$T/oo_csca.der" $W
rm -rf "$X"
echo
echo "== openssl speed -seconds 1, same algorithms (verify/s column)"
openssl speed -seconds 1 rsa2048 rsa3072 rsa4096 ecdsap224 ecdsap256 \
    ecdsap384 ecdsap521 ecdsabrp256r1 ecdsabrp256t1 ecdsabrp384r1 \
    ecdsabrp384t1 ecdsabrp512r1 ecdsabrp512t1 2>/dev/null |
    awk '/^rsa *[0-9]+ bits/ || /^ *[0-9]+ bits ecdsa/ { print }'
echo

# median PROG-LABEL FILE: median wall and CPU of the bench cmd lines in FILE
median() {
	n=$(wc -l < "$2")
	w=$(cut -d' ' -f1 "$2" | sort -n | sed -n "$(( (n + 1) / 2 ))p")
	c=$(sed 's/.*CPU \([0-9.]*\) s user, \([0-9.]*\) s system.*/\1 \2/' "$2" |
	    awk '{ printf "%.3f\n", $1 + $2 }' | sort -n | sed -n "$(( (n + 1) / 2 ))p")
	printf '%-10s median of %d: %s s wall, %s s CPU\n' "$1" "$n" "$w" "$c"
}

CORPUS=${NPKD_CORPUS:-$(pwd)/../shared/corpus}/npkd
if [ -f "$CORPUS/ml/DE_ML_2024-12-19-10-09-11.ml" ]; then
	echo "== the real German master lists (../shared/corpus), 7 runs each"
	D=$(mktemp -d /tmp/npkd-bench-de.XXXXXX)
	for l in T S; do
		if [ $l = T ]; then
			set -- ml verify -T \
			    "$CORPUS/certs/DE_csca-germany_05-2019_self_signed.cer" \
			    "$CORPUS/ml/DE_ML_2024-12-19-10-09-11.ml"
		else
			set -- ml verify -S "$CORPUS/ml/DE_20210315_DEMasterList.ml"
		fi
		echo "npkd $*" | sed "s#$CORPUS/##g"
		: > "$D/new"
		: > "$D/old"
		for i in 1 2 3 4 5 6 7; do
			[ -z "$OLD" ] || "$B" cmd "$OLD" "$@" >> "$D/old"
			"$B" cmd "$N" "$@" >> "$D/new"
		done
		[ -z "$OLD" ] || median "  old" "$D/old"
		median "  this" "$D/new"
	done
	rm -rf "$D"
	echo
fi

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
if [ -f "$T/big_100000.ml" ]; then
	echo "== a 100 000-certificate master list, the declared limit" \
	    "($(wc -c < "$T/big_100000.ml") bytes; testdata/genbig.sh)"
	printf 'npkd ml print    '
	"$B" cmd "$N" ml print "$T/big_100000.ml"
	printf 'npkd ml verify   '
	"$B" cmd "$N" ml verify -T "$T/trust_aa.pem" "$T/big_100000.ml"
	G=$(mktemp -d /tmp/npkd-bench-big.XXXXXX)
	NPKD_DIR="$G/store" "$N" -q init
	printf 'npkd import      '
	NPKD_DIR="$G/store" "$B" cmd "$N" -q import -T "$T/trust_aa.pem" \
	    "$T/big_100000.ml"
	rm -rf "$G"
fi

C=${NPKD_CVC:-}
if [ -n "$C" ] && [ -f "$C/zz_cvca.cvcert" ]; then
	echo
	echo "== EAC: the national CVCA (brainpoolP256r1 CVCA, foreign P-256 CVCA as outer signer)"
	R=$(mktemp /tmp/npkd-bench-req.XXXXXX)
	"$NPKD_BIN/cvc" keygen -f -o "$R.key"
	"$NPKD_BIN/cvc" req -k "$R.key" -p "$C/zz_cvca.cvcert" -r PPDVIS00099 \
	    -a ZZCVCA00001 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$R"
	"$B" cvc "$R" "$C/zz_cvca.cvcert" "$C/zz_cvca.pk8" "$C/pp_cvca.cvcert"
	rm -f "$R" "$R.key"
fi

SP=${NPKD_SPOC:-}
if [ -n "$SP" ] && [ -f "$SP/pp_client.pem" ] && [ -n "${SPOCLOAD:-}" ]; then
	echo
	echo "== SPOC: spoc-relay serve on 127.0.0.1, GeneralMessage over mutual TLS"
	echo "== (each request checked, validated, filed durably, then answered)"
	R=$(mktemp -d /tmp/npkd-bench-spoc.XXXXXX)
	SPOC=$NPKD_BIN/spoc
	"$SPOC" -q -d "$R/zzr" setup --country ZZ --key "$SP/zz_pkg_rel.key" \
	    --cert "$SP/zz_pkg_rel.pem" --trust "$SP/zz_pkg_off.pem"
	"$SPOC" -q -d "$R/zz" setup --country ZZ --key "$SP/zz_pkg_off.key" \
	    --cert "$SP/zz_pkg_off.pem" --trust "$SP/zz_pkg_rel.pem"
	for d in zzr zz; do
		"$SPOC" -q -d "$R/$d" peer add PP --url https://localhost:1/spoc \
		    --ca "$SP/pp_ca.pem" --crl "$SP/pp_ca.crl"
	done
	"$NPKD_BIN/spoc-relay" -q -d "$R/zzr" serve --listen 127.0.0.1:0 \
	    --port-file "$R/port" --tls-cert "$SP/zz_server.pem" \
	    --tls-key "$SP/zz_server.key" &
	pid=$!
	while [ ! -s "$R/port" ]; do sleep 0.1; done
	U=https://localhost:$(cat "$R/port")/spoc
	printf '1 client,  1 000 requests   '
	"$SPOCLOAD" "$U" "$SP/zz_ca.pem" "$SP/pp_client.pem" "$SP/pp_client.key" PP 1 1000 60
	echo "== a 1 000-message package: the relay packs, the offline side unpacks"
	printf 'spoc-relay collect            '
	"$B" cmd "$NPKD_BIN/spoc-relay" -q -d "$R/zzr" collect -o "$R/in.pkg"
	printf 'spoc unpack                   '
	"$B" cmd "$SPOC" -q -d "$R/zz" unpack "$R/in.pkg"
	echo "   package: $(wc -c < "$R/in.pkg") bytes"
	for n in 2 8; do
		printf '%d clients, 4 000 requests   ' $n
		"$SPOCLOAD" "$U" "$SP/zz_ca.pem" "$SP/pp_client.pem" \
		    "$SP/pp_client.key" PP $n 4000 60
	done
	echo "== an honest peer, each request on a new connection (TLS handshake"
	echo "== included), alone and while 200 slow or idle clients are held open"
	echo "== (40 addresses; idle TCP, ClientHello and headers a byte a second)"
	printf 'honest peer alone            '
	"$SPOCLOAD" -f "$U" "$SP/zz_ca.pem" "$SP/pp_client.pem" \
	    "$SP/pp_client.key" PP 1 300 30
	printf 'honest peer, 200 slow        '
	"$SPOCLOAD" -f -s 200 -p 5 "$U" "$SP/zz_ca.pem" "$SP/pp_client.pem" \
	    "$SP/pp_client.key" PP 1 300 30
	kill -TERM $pid
	wait $pid
	rm -rf "$R"
fi

PD=${NPKD_PADOCS:-}
if [ -n "$PD" ] && [ -f "$PD/anchors.pem" ] && [ -n "${PABENCH:-}" ]; then
	echo
	sh "$(dirname "$0")/pabench.sh" "$N" "$PABENCH" "$PD"
fi

S=${NPKD_SCALE:-}
[ -n "$S" ] && [ -f "$S/pkd.ldif" ] || exit 0
echo
echo "== PKD-sized corpus: $(grep -c '^dn:' "$S/pkd.ldif") LDIF entries" \
    "($(wc -c < "$S/pkd.ldif") bytes), $(ls "$S/dsc" | wc -l) countries"
D=$(mktemp -d /tmp/npkd-bench.XXXXXX)
trap 'rm -rf "$D"' EXIT
export NPKD_DIR="$D/store"
"$N" -q init
printf 'import anchors + master list  '
"$B" cmd "$N" -q import -T "$S/anchors.pem" "$S/ml.ml"
printf 'import LDIF (DSCs, CRLs)      '
"$B" cmd "$N" -q import "$S/pkd.ldif"
# The first check verifies every signature (one core, next to the raw
# library time of the same signatures; then two cores).  The verdicts are
# kept: a check of the unchanged store verifies nothing, and after an
# import of 100 new DSCs a check verifies those only.  This machine's
# speed drifts by a third from minute to minute, so the first check and
# the raw time are measured in turn, three times, and their medians
# compared.
cp -a "$NPKD_DIR" "$D/fresh"
: > "$D/t.first"
: > "$D/t.raw"
for i in 1 2 3; do
	rm -rf "$NPKD_DIR" && cp -a "$D/fresh" "$NPKD_DIR"
	"$B" pairs "$NPKD_DIR" >> "$D/t.raw"
	"$B" cmd "$N" -q check -t 1 >> "$D/t.first"
done
printf 'check, first, 1 thread        '
sort -n "$D/t.first" | sed -n 2p
sed -n 1p "$D/t.raw" | sed 's/: [0-9.]* s$//; s/^/    /'
first=$(cut -d' ' -f1 "$D/t.first" | sort -n | sed -n 2p)
raw=$(sed 's/.*: \([0-9.]*\) s$/\1/' "$D/t.raw" | sort -n | sed -n 2p)
echo "    in turn, 3 times: check $(cut -d' ' -f1 "$D/t.first" | tr '\n' ' ')s;" \
    "raw $(sed 's/.*: \([0-9.]*\) s$/\1/' "$D/t.raw" | tr '\n' ' ')s"
awk -v c="$first" -v r="$raw" 'BEGIN { printf "    median first check %.3f s over median raw %.3f s: %.2fx\n", c, r, c / r }'
if [ -n "$OLD" ]; then
	echo "    the first check, 1 thread, this build and NPKD_BENCH_OLD alternating"
	echo "    (each on a store it imported itself: schemas differ between builds)"
	NPKD_DIR="$D/oldfresh" "$OLD" -q init
	NPKD_DIR="$D/oldfresh" "$OLD" -q import -T "$S/anchors.pem" "$S/ml.ml"
	NPKD_DIR="$D/oldfresh" "$OLD" -q import "$S/pkd.ldif"
	: > "$D/t.new"
	: > "$D/t.old"
	for i in 1 2 3; do
		for v in old new; do
			if [ $v = old ]; then
				p=$OLD
				f=$D/oldfresh
			else
				p=$N
				f=$D/fresh
			fi
			rm -rf "$NPKD_DIR" && cp -a "$f" "$NPKD_DIR"
			"$B" cmd "$p" -q check -t 1 >> "$D/t.$v"
		done
	done
	median "    old" "$D/t.old"
	median "    this" "$D/t.new"
fi
rm -rf "$NPKD_DIR" && cp -a "$D/fresh" "$NPKD_DIR"
printf 'check, first, 2 threads       '
"$B" cmd "$N" -q check -t 2 | tee "$D/t.first2"
printf 'check again, nothing changed  '
"$B" cmd "$N" -q check -t 2 | tee "$D/t.again"
"$N" check -j | sed 's/^/    /'
printf 'check again, 1 thread         '
"$B" cmd "$N" -q check -t 1 | tee "$D/t.again1"
awk -v c="$first" -v a="$(cut -d' ' -f1 "$D/t.again1")" \
    -v f2="$(cut -d' ' -f1 "$D/t.first2")" -v a2="$(cut -d' ' -f1 "$D/t.again")" \
    'BEGIN { printf "    first over again: %.1fx on 1 thread, %.1fx on 2 threads\n", c / a, f2 / a2 }'
cp -a "$NPKD_DIR" "$D/incr"
NPKD_DIR="$D/incr" "$N" -q import "$S/extra.ldif"
cp -a "$D/incr" "$D/incr2"
printf 'check after 100 new DSCs      '
NPKD_DIR="$D/incr" "$B" cmd "$N" -q check -t 2
NPKD_DIR="$D/incr2" "$N" check -j | sed 's/^/    /'
printf 'import single files (%s)      ' "$(ls "$S"/dsc/*.pem "$S"/crl/*.crl | wc -l)"
NPKD_DIR="$D/store2" "$N" -q init
NPKD_DIR="$D/store2" "$N" -q import -T "$S/anchors.pem" "$S/ml.ml"
NPKD_DIR="$D/store2" "$B" cmd "$N" -q import "$S"/dsc/*.pem "$S"/crl/*.crl
printf 'export ldif                   '
"$B" cmd "$N" -q export ldif -o "$D/out.ldif"
echo
echo "== the same validation by a shell loop over openssl verify, on a sample"
"$N" -q export pem -a -o "$D/pem"
n=0 ok=0
t0=$(date +%s%N)
for f in "$S"/dsc/*.pem; do
	cc=$(basename "$f" .pem)
	cat "$D/pem/${cc}_csca.pem" "$D/pem/${cc}_link.pem" > "$D/ca.pem" 2>/dev/null || true
	awk -v d="$D" '/BEGIN/{n++} n<=10 {print > (d "/s" n ".pem")}' "$f"
	for s in "$D"/s*.pem; do
		n=$((n + 1))
		if openssl verify -no_check_time -CAfile "$D/ca.pem" "$s" >/dev/null 2>&1; then
			ok=$((ok + 1))
		fi
	done
	rm -f "$D"/s*.pem
	[ $n -ge 500 ] && break
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "openssl verify: $n DSCs in $ms ms ($ok verified; explicit EC parameters refused)," \
    "$((ms * 1000 / n)) us per DSC"
