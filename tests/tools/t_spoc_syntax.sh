# t_spoc_syntax.sh - an authenticated request that is invalid gets a
# normal response with failure_syntax (or its dialect's nearest code),
# never a SOAP fault (ICAO 9303-12 section 8)
# (issue 12, case 6).  ZZ's relay serves PP in CSN 36 9791, a
# second relay (YY's) serves PP in the ICAO dialect; curl plays the
# clients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"

setup_spoc ZZ
peer "$TMP/zzr" PP https://localhost:1/spoc
start_relay zzs "$TMP/zzr" "$S/zz_server.pem" "$S/zz_server.key"
URL=https://localhost:$(cat "$TMP/zzs.port")/spoc
expect 0 "$SPOC" -d "$TMP/yyr" setup --country YY --key "$S/zz_pkg_rel.key" \
    --cert "$S/zz_pkg_rel.pem" --trust "$S/zz_pkg_off.pem"
peer "$TMP/yyr" PP https://localhost:1/spoc icao
start_relay yys "$TMP/yyr" "$S/zz_server.pem" "$S/zz_server.key"
YURL=https://localhost:$(cat "$TMP/yys.port")/spoc
CA=$S/zz_ca.pem
PPC="$S/pp_client.pem $S/pp_client.key"
gm() {	# NS CALLER MSGID [SUBJECT]: a GeneralMessageRequest into gm.xml
	envelope "$1" GeneralMessageRequest "<callerID>$2</callerID><messageID>$3</messageID><subject>${4:-test}</subject><body>hello</body>" \
	    > "$TMP/gm.xml"
}
code() { cat "$TMP/code"; }

# --- case 6: an authenticated but invalid request: a normal answer ------
for x in '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>' \
    "<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"><e:Body><GetCACertificatesRequest xmlns=\"$ICAO_NS\"><callerID>PP</callerID></GetCACertificatesRequest></e:Body></e:Envelope>" \
    "<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/envelope/\"><e:Body><GetCACertificatesRequest xmlns=\"$ICAO_NS\"><callerID>PP</callerID><messageID>PP-9</messageID><extra/></GetCACertificatesRequest></e:Body></e:Envelope>"; do
	printf '%s' "$x" > "$TMP/inv.xml"
	post_as $PPC "$YURL" "$TMP/inv.xml" GetCACertificates
	[ "$(code)" = 200 ] || fail "invalid request: HTTP $(code), not 200"
	grep -q '<spoc:GetCACertificatesResponse' "$TMP/out" &&
	    grep -q '<spoc:result>failure_syntax</spoc:result>' "$TMP/out" ||
	    { cat "$TMP/out" >&2; fail "invalid request: not failure_syntax"; }
	schema_valid "$TMP/out"
done
# in CSN 36 9791, GetCACertificates has no failure_syntax: its nearest
printf '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><GetCACertificatesRequest xmlns="%s"><callerID>PP</callerID></GetCACertificatesRequest></e:Body></e:Envelope>' \
    $CSN_NS > "$TMP/inv.xml"
post_as $PPC "$URL" "$TMP/inv.xml" GetCACertificates
[ "$(code)" = 200 ] && grep -q 'failure_request_not_accepted' "$TMP/out" ||
    fail "CSN invalid GetCACertificates: $(code)"
schema_valid "$TMP/out"

exit 0
