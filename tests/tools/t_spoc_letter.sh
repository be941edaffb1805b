# t_spoc_letter.sh - the relay is no stricter than ICAO 9303-12
# section 8: messageIDs are the originator's choice, the client
# certificate's CN is a SHOULD, GET on the service URL gives the WSDL,
# SOAP faults carry the codes SOAP 1.1 defines, UTF-16 is read
# (issue 12, case 7).  ZZ's relay serves PP in CSN 36 9791, a
# second relay (YY's) serves PP in the ICAO dialect; curl plays the
# clients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"

two_relays

# --- case 7: not stricter than the standard -----------------------------
# the originator chooses its messageIDs: spaces, 128 characters and more
n1=$(inrows "$TMP/zzr")
long=$(head -c 300 /dev/zero | tr '\0' 'm')
for id in "PP 2026 message one" "$(head -c 128 /dev/zero | tr '\0' 'i')" \
    "$long" "PP-äöü-&amp;-&lt;x&gt;"; do
	gm $CSN_NS PP "$id"
	post_as $PPC "$URL" "$TMP/gm.xml"
	[ "$(code)" = 200 ] && grep -q '<spoc:result>ok</spoc:result>' "$TMP/out" ||
	    { cat "$TMP/out" >&2; fail "messageID '$id' refused: $(code)"; }
done
[ "$(inrows "$TMP/zzr")" = $((n1 + 4)) ] || fail "the messages were not filed"
sqlite3 "$TMP/zzr/npkd.db" "SELECT msgid FROM spoc_msgs WHERE msgid LIKE 'PP %'" |
    grep -qx "PP 2026 message one" || fail "a messageID with spaces changed"
sqlite3 "$TMP/zzr/npkd.db" "SELECT msgid FROM spoc_msgs WHERE msgid LIKE 'PP-%x>'" |
    grep -qx "PP-äöü-&-<x>" || fail "a messageID with references changed"
# but not without bound: over 1024 bytes is not a messageID
gm $CSN_NS PP "$(head -c 1100 /dev/zero | tr '\0' 'm')"
post_as $PPC "$URL" "$TMP/gm.xml"
[ "$(code)" = 200 ] && grep -q 'failure_internal_error' "$TMP/out" ||
    fail "a 1100-byte messageID: $(code)"
# the client certificate's CN is a SHOULD
gm $CSN_NS PP PP-othercn
post_as "$S/pp_othercn.pem" "$S/pp_othercn.key" "$URL" "$TMP/gm.xml"
[ "$(code)" = 200 ] || fail "another CN: $(code), not 200"
# GET on the service URL: the WSDL of the caller's dialect
curl -sS --noproxy '*' --cacert "$CA" --cert "$S/pp_client.pem" \
    --key "$S/pp_client.key" -o "$TMP/pp.wsdl" -w '%{http_code}' "$URL" \
    > "$TMP/code" 2>"$TMP/curl.err" || true
[ "$(code)" = 200 ] || fail "GET of the service URL: $(code)"
xmllint --noout --nonet "$TMP/pp.wsdl" || fail "the WSDL is not XML"
grep -q 'targetNamespace="http://namespaces.unmz.cz/csn369791"' "$TMP/pp.wsdl" ||
    fail "PP speaks CSN 36 9791: not its WSDL"
grep -q "soap:address location=\"$URL\"" "$TMP/pp.wsdl" ||
    fail "the WSDL does not name the service URL"
curl -sS --noproxy '*' --cacert "$CA" --cert "$S/pp_client.pem" \
    --key "$S/pp_client.key" -o "$TMP/icao.wsdl" "$YURL?wsdl" 2>/dev/null || true
grep -q 'targetNamespace="http://namespaces.icao.int/lds2"' "$TMP/icao.wsdl" ||
    fail "PP speaks ICAO to YY: not its WSDL"
curl -sS --noproxy '*' --cacert "$CA" -o /dev/null -w '%{http_code}' "$URL" \
    > "$TMP/code" 2>/dev/null || true
[ "$(code)" = 401 ] || fail "GET without a certificate: $(code)"
# SOAP faults where SOAP 1.1 wants them: MustUnderstand, VersionMismatch
printf '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Header><w:Security xmlns:w="urn:x" e:mustUnderstand="1"/></e:Header><e:Body><GeneralMessageRequest xmlns="%s"><callerID>PP</callerID><messageID>PP-mu</messageID><subject>s</subject><body>b</body></GeneralMessageRequest></e:Body></e:Envelope>' \
    $CSN_NS > "$TMP/mu.xml"
post_as $PPC "$URL" "$TMP/mu.xml"
[ "$(code)" = 500 ] && grep -q '<faultcode>soapenv:MustUnderstand</faultcode>' "$TMP/out" ||
    { cat "$TMP/out" >&2; fail "mustUnderstand: $(code)"; }
# ... but a header for another actor is not ours to understand
sed 's|e:mustUnderstand="1"|e:mustUnderstand="1" e:actor="urn:someone-else"|; s/PP-mu/PP-mu2/' \
    "$TMP/mu.xml" > "$TMP/mu2.xml"
post_as $PPC "$URL" "$TMP/mu2.xml"
[ "$(code)" = 200 ] || fail "a header for another actor: $(code)"
printf '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body><GeneralMessageRequest xmlns="%s"><callerID>PP</callerID><messageID>PP-12</messageID><subject>s</subject><body>b</body></GeneralMessageRequest></e:Body></e:Envelope>' \
    $CSN_NS > "$TMP/v12.xml"
post_as $PPC "$URL" "$TMP/v12.xml"
[ "$(code)" = 500 ] && grep -q '<faultcode>soapenv:VersionMismatch</faultcode>' "$TMP/out" ||
    { cat "$TMP/out" >&2; fail "SOAP 1.2: $(code)"; }
# UTF-16 is SOAP too (WS-I Basic Profile R1012)
gm $CSN_NS PP PP-utf16
sed 's/encoding="UTF-8"/encoding="UTF-16"/' "$TMP/gm.xml" |
    iconv -f UTF-8 -t UTF-16 > "$TMP/gm16.xml"
post_as $PPC "$URL" "$TMP/gm16.xml"
[ "$(code)" = 200 ] && grep -q '<spoc:result>ok</spoc:result>' "$TMP/out" ||
    { cat "$TMP/out" >&2; fail "UTF-16: $(code)"; }
exit 0
