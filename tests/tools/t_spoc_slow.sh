# t_spoc_slow.sh - slow and idle clients do not keep honest peers out
# (issue 12, case 3): a deadline for the TLS handshake and headers, one
# for the whole request, a per-address limit below the global one.
# tests/spocload holds the slow clients (from 127.0.0.2 onwards) while an
# honest peer posts from 127.0.0.1, each request on a fresh connection.
# run alone: its deadlines and latencies are measured, not to be shared
# with other tests' load.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"
L=${SPOCLOAD:-}
[ -n "$L" ] && [ -x "$L" ] || fail "no tests/spocload (SPOCLOAD)"
setup_spoc ZZ
peer "$TMP/zzr" PP https://localhost:1/spoc
CA=$S/zz_ca.pem
load() {	# URL THREADS COUNT SECONDS OPTION...: spocload as PP
	u=$1 th=$2 n=$3 sec=$4
	shift 4
	"$L" "$@" "$u" "$CA" "$S/pp_client.pem" "$S/pp_client.key" PP $th $n \
	    $sec > "$TMP/load.out" 2>&1 || { cat "$TMP/load.out" >&2; return 1; }
	cat "$TMP/load.out"
}
field() {	# the number before TEXT in load.out
	sed -n "s/.* \([0-9.-]*\) $1.*/\1/p" "$TMP/load.out" | head -n 1
}

# the attack of the issue: as many slow clients as --max-conn, without
# certificate, sending a header byte at a time, from one address
start_relay a "$TMP/zzr" "$S/zz_server.pem" "$S/zz_server.key" \
    --max-conn 16 --timeout 2
U=https://localhost:$(cat "$TMP/a.port")/spoc
load "$U" 1 30 10 -f -k 2 -s 16 -p 16 ||
    fail "16 slow clients from one address kept an honest peer out"
[ "$(field "held at least")" -le 8 ] || fail "one address held more than 8"

# 200 slow or idle clients of every kind, from 40 addresses, the
# defaults but shorter deadlines: an honest peer is served, quickly
start_relay b "$TMP/zzr" "$S/zz_server.pem" "$S/zz_server.key" \
    --handshake-timeout 3 --request-timeout 6 --timeout 3
U=https://localhost:$(cat "$TMP/b.port")/spoc
load "$U" 1 100000 8 -f -s 200 -p 5 || fail "200 slow clients kept an honest peer out"
p99=$(sed -n 's/.*p99 \([0-9]*\)\.[0-9]* ms.*/\1/p' "$TMP/load.out")
[ "$p99" -lt 3000 ] || fail "the honest peer's p99 is $p99 ms"
avg=$(sed -n 's/.* \([0-9]*\) on average.*/\1/p' "$TMP/load.out")
[ "$avg" -ge 150 ] || fail "only $avg slow clients held on average"
[ "$(field "closed by the server")" -ge 150 ] || fail "the deadlines did not cut the slow clients"

# the deadlines, one client at a time: a ClientHello a byte a second is
# cut after the handshake deadline; an authenticated peer sending its
# body a byte a second after the request deadline, and nothing is filed
n0=$(inrows "$TMP/zzr")
load "$U" 1 0 5 -k 1 -s 1 -p 1 || fail "spocload"
first=$(sed -n 's/.*first after \([0-9]*\)\.[0-9] s.*/\1/p' "$TMP/load.out")
[ "$first" -ge 2 ] && [ "$first" -lt 5 ] || fail "handshake deadline: cut after $first s"
load "$U" 1 0 9 -k 3 -s 1 -p 1 || fail "spocload"
first=$(sed -n 's/.*first after \([0-9]*\)\.[0-9] s.*/\1/p' "$TMP/load.out")
[ "$first" -ge 5 ] && [ "$first" -lt 8 ] || fail "request deadline: cut after $first s"
[ "$(inrows "$TMP/zzr")" = "$n0" ] || fail "a slow body was filed"
grep -q "closed: request not done in time" "$TMP/b.log" || fail "no request deadline logged"
grep -q "closed: handshake and headers not done in time" "$TMP/b.log" ||
    fail "no handshake deadline logged"
exit 0
