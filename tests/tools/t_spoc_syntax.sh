# t_spoc_syntax.sh - an authenticated request that is invalid gets a
# normal response with failure_syntax (or its dialect's nearest code),
# never a SOAP fault (ICAO 9303-12 section 8)
# (issue 12, case 6).  ZZ's relay serves PP in CSN 36 9791, a
# second relay (YY's) serves PP in the ICAO dialect; curl plays the
# clients.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"

two_relays

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
