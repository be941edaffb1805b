# t_spoc_hostile.sh - spoc-relay send against a hostile server: ZZ's
# registered server (tests/tools/spocpeer.py, ZZ's genuine TLS identity)
# reads the message and then answers slowly, by the byte, with 20 MiB,
# with half an Envelope, with an entity bomb, with a SOAP fault, with
# another operation's answer, or with HTTP 502.  send stays within its
# time and size limits, stores nothing the server said, and tells the
# offline side the message was not delivered.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"
zeep_python

setup_spoc PP
echo "hello" > "$TMP/body"
for mode in slow trickle huge hugechunked malformed bomb fault wrongop gateway; do
	start_peer "$mode" "$SCHEMAS/spoc-icao.wsdl" "$mode"
	for st in pp ppr; do
		peer "$TMP/$st" ZZ "https://localhost:$(cat "$TMP/$mode.port")/spoc" icao
	done
	expect 0 "$SPOC" -d "$TMP/pp" message ZZ --subject "$mode" --body "$TMP/body"
	expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/$mode.pkg"
	t0=$(date +%s)
	expect 1 "$RELAY" -d "$TMP/ppr" send --timeout 3 --retries 1 --backoff 10 \
	    --tls-cert "$S/pp_client.pem" --tls-key "$S/pp_client.key" \
	    -o "$TMP/$mode.ans" "$TMP/$mode.pkg"
	s=$(( $(date +%s) - t0 ))
	grep -q "not delivered" "$TMP/err" || { cat "$TMP/err" >&2; fail "$mode: not reported"; }
	[ "$(wc -l < "$TMP/err")" -le 4 ] || { cat "$TMP/err" >&2; fail "$mode: too many lines"; }
	echo "$mode: $(grep 'not delivered:' "$TMP/err" | sed 's/.*not delivered: //') ($s s)"
	# a retry only for what is worth another try
	case $mode in
	gateway|slow|trickle) grep -q "retry 1" "$TMP/err" || fail "$mode: no retry" ;;
	*) grep -q "retry" "$TMP/err" && fail "$mode: retried a final answer" ;;
	esac
	[ $s -le 12 ] || fail "$mode: send took $s s"
	grep -q '"valid": true' "$TMP/$mode.log" || fail "$mode: the server did not get it"
	tar -tf "$TMP/$mode.ans" | grep -q '\.txt$' || fail "$mode: no DeliveryFailed note"
	expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/$mode.ans"
	expect 0 "$SPOC" -d "$TMP/pp" ls
	grep -q "out ZZ GeneralMessageRequest .*failed .*delivery_failed" "$TMP/out" ||
	    fail "$mode: the offline side did not hear"
	[ "$(sqlite3 "$TMP/ppr/npkd.db" "SELECT count(*) FROM spoc_msgs WHERE dir = 'in'")" = 0 ] ||
	    fail "$mode: the relay kept what the server said"
	kill "$(eval echo \$${mode}_pid)"
done
exit 0
