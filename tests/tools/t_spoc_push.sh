# t_spoc_push.sh - a push (SendCertificates with statusInfo
# new_cert_available_notification, no messageID) is filed once by its
# content, however often it is posted, however it is spelt, and however
# often its package is unpacked (issue 12, case 4).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"

setup_spoc PP
peer "$TMP/ppr" ZZ https://localhost:1/spoc icao
peer "$TMP/pp" ZZ https://localhost:1/spoc icao
start_relay pps "$TMP/ppr" "$S/pp_server.pem" "$S/pp_server.key"
URL=https://localhost:$(cat "$TMP/pps.port")/spoc
CA=$S/pp_ca.pem
ZZC="$S/zz_client.pem $S/zz_client.key"
expect 0 "$CVC" -d "$TMP/pp" register "$C/zz_cvca.cvcert"

push() {	# FILE CERT...: a push from ZZ without messageID
	f=$1
	shift
	envelope $ICAO_NS SendCertificatesRequest \
	    "<callerID>ZZ</callerID>$(certseq "$@")<statusInfo>new_cert_available_notification</statusInfo>" \
	    > "$f"
	schema_valid "$f"
}
post_push() {
	post_as $ZZC "$URL" "$1" SendCertificates
	[ "$(cat "$TMP/code")" = 200 ] && grep -q ok_received_correctly "$TMP/out" ||
	    { cat "$TMP/out" >&2; fail "push $1: $(cat "$TMP/code")"; }
}
push "$TMP/p1.xml" "$C/zz_cvca.cvcert" "$C/zz_link.cvcert"
n0=$(inrows "$TMP/ppr")
post_push "$TMP/p1.xml"
[ "$(inrows "$TMP/ppr")" = $((n0 + 1)) ] || fail "the push was not filed"
post_push "$TMP/p1.xml"
post_push "$TMP/p1.xml"
[ "$(inrows "$TMP/ppr")" = $((n0 + 1)) ] || fail "the same push was filed again"
# the same content spelt otherwise (prefixes, white space, line breaks)
sed 's/<e:/<soap:/g; s/<\/e:/<\/soap:/g; s/xmlns:e=/xmlns:soap=/; s/></>\n  </g' \
    "$TMP/p1.xml" > "$TMP/p1b.xml"
cmp -s "$TMP/p1.xml" "$TMP/p1b.xml" && fail "p1b is p1"
post_push "$TMP/p1b.xml"
[ "$(inrows "$TMP/ppr")" = $((n0 + 1)) ] || fail "the same push spelt otherwise was filed again"
grep -q "repeated, not filed again" "$TMP/pps.log" || fail "no repetition logged"
# another push is another message
push "$TMP/p2.xml" "$C/zz_link.cvcert"
post_push "$TMP/p2.xml"
[ "$(inrows "$TMP/ppr")" = $((n0 + 2)) ] || fail "a second push was not filed"

# the offline side: the package, unpacked twice, files each push once
expect 0 "$RELAY" -d "$TMP/ppr" collect -o "$TMP/in.pkg"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/in.pkg"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/in.pkg"
expect 0 "$SPOC" -d "$TMP/pp" inbox --json
[ "$(grep -c '"op":"SendCertificates"' "$TMP/out")" = 2 ] ||
    { cat "$TMP/out" >&2; fail "pushes filed more than once offline"; }
grep -q '"verify":"verified 2, unverified 0"' "$TMP/out" || fail "the first push"
grep -q '"verify":"verified 1, unverified 0"' "$TMP/out" || fail "the second push"
# and a second package holding the same push again (another relay run)
expect 0 "$SPOC" -d "$TMP/pp2" setup --country PP --key "$S/pp_pkg_rel.key" \
    --cert "$S/pp_pkg_rel.pem" --trust "$S/pp_pkg_off.pem"
peer "$TMP/pp2" ZZ https://localhost:1/spoc icao
kill -TERM $pps_pid
wait $pps_pid 2>/dev/null || true
start_relay pps2 "$TMP/pp2" "$S/pp_server.pem" "$S/pp_server.key"
URL=https://localhost:$(cat "$TMP/pps2.port")/spoc
post_push "$TMP/p1b.xml"
expect 0 "$RELAY" -d "$TMP/pp2" collect -o "$TMP/in2.pkg"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/in2.pkg"
expect 0 "$SPOC" -d "$TMP/pp" inbox --json
[ "$(grep -c '"op":"SendCertificates"' "$TMP/out")" = 2 ] ||
    fail "a push from another package was filed again"
exit 0
