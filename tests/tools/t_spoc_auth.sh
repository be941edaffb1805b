# t_spoc_auth.sh - the relay authenticates before anything else: a
# stranger gets 401 before a byte of its body is read, files nothing,
# writes nothing to the audit log, and a body of millions of nodes costs
# the relay almost nothing
# (issue 12, case 2).  ZZ's relay serves PP in CSN 36 9791, a
# second relay (YY's) serves PP in the ICAO dialect; curl plays the
# clients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"

two_relays

# --- case 2: who it is comes first, from the TLS certificate alone ------
n0=$(inrows "$TMP/zzr")
l0=$(logrows "$TMP/zzr")
gm $CSN_NS PP ATTACKER-CHOSEN-ID-1
for who in "$S/self_client.pem $S/self_client.key" \
    "$S/rogue_client.pem $S/rogue_client.key" \
    "$S/pp_revoked.pem $S/pp_revoked.key" "$S/pp_noeku.pem $S/pp_noeku.key"; do
	post_as $who "$URL" "$TMP/gm.xml"
	[ "$(code)" = 401 ] || fail "$who: $(code), not 401"
done
# garbage from a stranger: 401, never a SOAP fault of the parser
printf 'not even XML <<<' > "$TMP/junk"
post_as "$S/self_client.pem" "$S/self_client.key" "$URL" "$TMP/junk"
[ "$(code)" = 401 ] || fail "junk from a self-signed client: $(code), not 401"
post_as - - "$URL" "$TMP/junk"
[ "$(code)" = 401 ] || fail "junk without a certificate: $(code), not 401"
[ "$(inrows "$TMP/zzr")" = "$n0" ] || fail "a stranger's message was filed"
[ "$(logrows "$TMP/zzr")" = "$l0" ] ||
    fail "strangers added $(( $(logrows "$TMP/zzr") - l0 )) rows to the audit log"
grep -q ATTACKER-CHOSEN "$TMP/zzs.log" && fail "the relay logged what a stranger chose"
[ "$(grep -c 'refused (401)' "$TMP/zzs.log")" -ge 6 ] || fail "the refusals are not logged"
# a registered peer's certificate with another callerID: 401 as well
gm $CSN_NS ZZ ZZ-1
post_as $PPC "$URL" "$TMP/gm.xml"
[ "$(code)" = 401 ] || fail "callerID ZZ on PP's certificate: $(code)"
gm $CSN_NS XX XX-1
post_as $PPC "$URL" "$TMP/gm.xml"
[ "$(code)" = 401 ] || fail "unregistered callerID: $(code)"
[ "$(logrows "$TMP/zzr")" = "$l0" ] || fail "a callerID mismatch reached the audit log"

# 2 million empty elements in 8 MiB: the streaming pass stops at its
# budget; the relay stays small and quick for honest peers
start_relay big "$TMP/zzr" "$S/zz_server.pem" "$S/zz_server.key" \
    --max-body 8388608
BURL=https://localhost:$(cat "$TMP/big.port")/spoc
{ printf '<?xml version="1.0"?><e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><GeneralMessageRequest xmlns="%s"><callerID>PP</callerID><messageID>PP-big</messageID><subject>' $ICAO_NS
  head -c 8000000 /dev/zero | tr '\0' 'x' | sed 's/xxxx/<a\/>/g'
  printf '</subject><body>x</body></GeneralMessageRequest></e:Body></e:Envelope>'; } > "$TMP/big.xml"
[ "$(wc -c < "$TMP/big.xml")" -le 8388608 ] || fail "big.xml over 8 MiB"
t0=$(date +%s%N)
post_as $PPC "$BURL" "$TMP/big.xml"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(code)" = 200 ] && grep -q '<spoc:result>failure_syntax' "$TMP/out" ||
    { cat "$TMP/out" >&2; fail "2 million elements: $(code)"; }
hwm=$(awk '/VmHWM/ {print $2}' /proc/$big_pid/status)
echo "2 million empty elements: answered in $ms ms, relay peak $hwm kB"
# (a sanitizer's quarantine keeps what was freed: no bound to hold there)
if grep -q __asan_init "$RELAY"; then
	echo "built with ASan: the relay's peak is not judged"
else
	[ "$hwm" -lt 81920 ] || fail "the relay grew to $hwm kB"
fi
[ "$ms" -lt 3000 ] || fail "2 million elements took $ms ms"
grep -q "more than 4096 nodes" "$TMP/big.log" || fail "no budget reason logged"
# from a stranger, the same body does not even get read
post_as "$S/self_client.pem" "$S/self_client.key" "$BURL" "$TMP/big.xml"
[ "$(code)" = 401 ] || fail "big body from a stranger: $(code)"

exit 0
