# t_spoc_pushid.sh - a push's messageID may be omitted and is ignored
# when present (ICAO 9303-12 section 8): a push that carries one is taken
# like any other, filed once by its content (issue 12, case 5).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"

setup_spoc PP
peer "$TMP/ppr" ZZ https://localhost:1/spoc
peer "$TMP/pp" ZZ https://localhost:1/spoc
start_relay pps "$TMP/ppr" "$S/pp_server.pem" "$S/pp_server.key"
URL=https://localhost:$(cat "$TMP/pps.port")/spoc
CA=$S/pp_ca.pem
expect 0 "$CVC" -d "$TMP/pp" register "$C/zz_cvca.cvcert"
push() {	# MSGID: a push from ZZ (CSN 36 9791 spelling) with a messageID
	envelope $CSN_NS SendCertificatesRequest \
	    "<callerID>ZZ</callerID><messageID>$1</messageID>$(certseq "$C/zz_link.cvcert")<statusInfo>new_cer_available_notification</statusInfo>" \
	    > "$TMP/push.xml"
	schema_valid "$TMP/push.xml"
	post_as "$S/zz_client.pem" "$S/zz_client.key" "$URL" "$TMP/push.xml" \
	    SendCertificates
	[ "$(cat "$TMP/code")" = 200 ] &&
	    grep -q '<spoc:result>ok_received_correctly' "$TMP/out" ||
	    { cat "$TMP/out" >&2; fail "a push with messageID $1: $(cat "$TMP/code")"; }
}
n0=$(inrows "$TMP/ppr")
push ZZ-rekey-2026-1
[ "$(inrows "$TMP/ppr")" = $((n0 + 1)) ] || fail "the push was not filed"
# ignored: another messageID, the same push
push "ZZ rekey, second notice"
[ "$(inrows "$TMP/ppr")" = $((n0 + 1)) ] || fail "the same push was filed again"
[ "$(sqlite3 "$TMP/ppr/npkd.db" "SELECT msgid FROM spoc_msgs WHERE dir = 'in'")" = "" ] ||
    fail "a push's messageID was kept"
expect 0 "$RELAY" -d "$TMP/ppr" collect -o "$TMP/in.pkg"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/in.pkg"
expect 0 "$SPOC" -d "$TMP/pp" inbox --json
grep -q '"op":"SendCertificates".*"verify":"verified 1, unverified 0"' "$TMP/out" ||
    { cat "$TMP/out" >&2; fail "the push did not reach the register"; }
expect 0 "$CVC" -d "$TMP/pp" ls -o registered
grep -q ZZCVCA00002 "$TMP/out" || fail "the link is not registered"
exit 0
