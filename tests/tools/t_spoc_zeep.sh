# t_spoc_zeep.sh - interoperability with a SOAP stack we did not write:
# python3-zeep, built from WSDLs alone (tests/tools/spocpeer.py), plays
# the foreign SPOC in both dialects.  As a client it calls every
# operation of our relay (with the project's WSDLs, the WSDLs the relay
# serves on GET, and the original CSN 36 9791 WSDL when the corpus is
# here) and validates each answer strictly; as a server it validates
# every message spoc writes and spoc-relay sends, and answers them.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"
zeep_python
[ -f "$E/zz_dv3.cvcert" ] || fail "no SPOC EAC material (genspoc.sh CVDIR)"

# --- zeep as PP's client against ZZ's relay (CSN) and YY's (ICAO) -------
setup_spoc ZZ
peer "$TMP/zzr" PP https://localhost:1/spoc
peer "$TMP/zz" PP https://localhost:1/spoc
expect 0 "$CVC" -d "$TMP/zzr" register -o own "$C/zz_cvca.cvcert"
start_relay zzs "$TMP/zzr" "$S/zz_server.pem" "$S/zz_server.key"
ZURL=https://localhost:$(cat "$TMP/zzs.port")/spoc
expect 0 "$SPOC" -d "$TMP/yyr" setup --country YY --key "$S/zz_pkg_rel.key" \
    --cert "$S/zz_pkg_rel.pem" --trust "$S/zz_pkg_off.pem"
peer "$TMP/yyr" PP https://localhost:1/spoc icao
start_relay yys "$TMP/yyr" "$S/zz_server.pem" "$S/zz_server.key"
YURL=https://localhost:$(cat "$TMP/yys.port")/spoc
expect 0 "$CVC" req -k "$E/pp_dv3.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00003 \
    -a ZZCVCA00001 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req"
for u in "$ZURL" "$YURL"; do
	curl -sS --noproxy '*' --cacert "$S/zz_ca.pem" --cert "$S/pp_client.pem" \
	    --key "$S/pp_client.key" -o "$TMP/served-$(echo "$u" | md5sum | cut -c1-6).wsdl" \
	    "$u?wsdl" || fail "GET $u?wsdl"
done
served() { echo "$TMP/served-$(echo "$1" | md5sum | cut -c1-6).wsdl"; }
zeep_client() {	# WSDL URL GCA-RESULT CERTS
	"$PY" "$PEER" client "$1" "$2" "$S/zz_ca.pem" "$S/pp_client.pem" \
	    "$S/pp_client.key" PP "$TMP/req" "$C/zz_link.cvcert" > "$TMP/z.out" \
	    2>"$TMP/z.err" || { cat "$TMP/z.out" "$TMP/z.err" >&2; fail "zeep with $1 at $2"; }
	grep -c '"valid": true' "$TMP/z.out" | grep -qx 6 || fail "$1: not every answer valid"
	[ "$(grep -c '"op": "GeneralMessage", "valid": true, "result": "ok"' "$TMP/z.out")" = 2 ] ||
	    fail "$1: GeneralMessage"
	grep -q "\"op\": \"GetCACertificates\", \"valid\": true, \"result\": \"$3\", \"certs\": $4" \
	    "$TMP/z.out" || { cat "$TMP/z.out" >&2; fail "$1: GetCACertificates"; }
	grep -q '"op": "RequestCertificate", "valid": true, "result": "ok_reception_ack"' \
	    "$TMP/z.out" || fail "$1: RequestCertificate"
	grep -q '"op": "SendCertificates", "valid": true, "result": "ok_received_correctly"' \
	    "$TMP/z.out" || fail "$1: push"
	grep -q '"op": "SendCertificates", "valid": true, "result": "failure_messageID_unknown"' \
	    "$TMP/z.out" || fail "$1: an answer to nothing asked"
	echo "zeep $(basename "$1") at $2: 6 calls, 6 valid answers"
}
n0=$(inrows "$TMP/zzr")
zeep_client "$SCHEMAS/spoc-csn369791.wsdl" "$ZURL" ok_cert_available 1
# GeneralMessage twice, RequestCertificate, GetCACertificates, the push
[ "$(inrows "$TMP/zzr")" = $((n0 + 4)) ] || fail "ZZ's relay filed $(( $(inrows "$TMP/zzr") - n0 ))"
zeep_client "$(served "$ZURL")" "$ZURL" ok_cert_available 1
zeep_client "$SCHEMAS/spoc-icao.wsdl" "$YURL" ok_reception_ack 0
zeep_client "$(served "$YURL")" "$YURL" ok_reception_ack 0
if [ -f "$CORPUS_WSDL" ]; then
	zeep_client "$CORPUS_WSDL" "$ZURL" ok_cert_available 1
else
	echo "the original CSN 36 9791 WSDL is not here: its run is left out"
fi
# what zeep sent reaches ZZ's officer, the request verified
expect 0 "$RELAY" -d "$TMP/zzr" collect -o "$TMP/b1.pkg"
expect 0 "$CVC" -d "$TMP/zz" register "$C/pp_cvca.cvcert"
expect 0 "$SPOC" -d "$TMP/zz" unpack "$TMP/b1.pkg"
expect 0 "$SPOC" -d "$TMP/zz" inbox --json
grep -q '"op":"RequestCertificate","dv":"PPDVIS00003","msgid":"PP zeep [0-9]* rc".*"verify":"verified"' \
    "$TMP/out" || { cat "$TMP/out" >&2; fail "zeep's request at ZZ's officer"; }
[ "$(grep -c '"op":"SendCertificates"' "$TMP/out")" = 1 ] || fail "zeep's push filed twice"

# --- zeep as ZZ's server: what spoc writes and spoc-relay sends ---------
if [ -f "$CORPUS_WSDL" ]; then CW=$CORPUS_WSDL; else CW=$SCHEMAS/spoc-csn369791.wsdl; fi
start_peer csn "$CW" honest
start_peer icao "$SCHEMAS/spoc-icao.wsdl" honest
expect 0 "$SPOC" -d "$TMP/pp" setup --country PP --key "$S/pp_pkg_off.key" \
    --cert "$S/pp_pkg_off.pem" --trust "$S/pp_pkg_rel.pem"
expect 0 "$SPOC" -d "$TMP/ppr" setup --country PP --key "$S/pp_pkg_rel.key" \
    --cert "$S/pp_pkg_rel.pem" --trust "$S/pp_pkg_off.pem"
expect 0 "$CVC" -d "$TMP/pp" register -o own "$C/pp_cvca.cvcert"
for d in csn icao; do
	dia=csn369791
	[ $d = icao ] && dia=icao
	for st in pp ppr; do
		peer "$TMP/$st" ZZ "https://localhost:$(cat "$TMP/$d.port")/spoc" $dia
	done
	echo "hello ZZ" > "$TMP/body"
	expect 0 "$SPOC" -d "$TMP/pp" request ZZ "$TMP/req"
	expect 0 "$SPOC" -d "$TMP/pp" get-ca ZZ
	expect 0 "$SPOC" -d "$TMP/pp" message ZZ --subject "in $d" --body "$TMP/body"
	expect 0 "$SPOC" -d "$TMP/pp" notify
	expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/$d.pkg"
	expect 0 "$RELAY" -d "$TMP/ppr" send --tls-cert "$S/pp_client.pem" \
	    --tls-key "$S/pp_client.key" -o "$TMP/$d.ans" "$TMP/$d.pkg"
	[ "$(grep -c '"valid": true' "$TMP/$d.log")" = 4 ] ||
	    { cat "$TMP/$d.log" >&2; fail "$d: zeep did not take all four"; }
	grep -q '"valid": false' "$TMP/$d.log" && fail "$d: zeep refused a message"
	for op in RequestCertificate GetCACertificates GeneralMessage SendCertificates; do
		grep -q "\"op\": \"$op\"" "$TMP/$d.log" || fail "$d: no $op"
	done
	expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/$d.ans"
	expect 0 "$SPOC" -d "$TMP/pp" ls
	[ "$(grep -c 'out ZZ .* sent .*ok_reception_ack' "$TMP/out")" -ge 2 ] ||
	    { cat "$TMP/out" >&2; fail "$d: the answers did not reach PP"; }
	: > "$TMP/$d.log.done"
done
exit 0
