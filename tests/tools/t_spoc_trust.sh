# t_spoc_trust.sh - certificates that arrive over SPOC are trusted only by
# verifying under what PP already has registered (design.md section 8):
# ZZ, a registered SPOC with a genuine TLS identity but hostile, answers
# our DV's requests with a CVCA it made itself, a CVCA under ZZ's own
# name with another key, a genuine DV certificate for another key, one
# for a key on another curve, and pushes a "ZZ CVCA" signed by BB's CVCA.
# None of it may reach PP's register; the one genuine answer (a DV
# certificate under ZZ's new CVCA, with the link) does.  (issue 12, case 1)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/spoclib.sh"
[ -f "$E/zz_dv3.cvcert" ] || fail "no SPOC EAC material (genspoc.sh CVDIR)"

setup_spoc PP
peer "$TMP/ppr" ZZ https://localhost:1/spoc icao
peer "$TMP/pp" ZZ https://localhost:1/spoc icao
start_relay pps "$TMP/ppr" "$S/pp_server.pem" "$S/pp_server.key"
PURL=https://localhost:$(cat "$TMP/pps.port")/spoc
CA=$S/pp_ca.pem
# PP's officer registered ZZ's and BB's CVCAs, out of band
expect 0 "$CVC" -d "$TMP/pp" register "$C/zz_cvca.cvcert" "$C/bb_cvca.cvcert"

# PP's DV asks six times (one answer each); the fifth for a P-256 key
for v in a b c d e f; do
	if [ $v = e ]; then
		k=$E/pp_dv4.pk8 p=$C/pp_cvca.cvcert r=PPDVIS00004
	else
		k=$E/pp_dv3.pk8 p=$C/zz_cvca.cvcert r=PPDVIS00003
	fi
	expect 0 "$CVC" req -k "$k" -p "$p" -r $r -a ZZCVCA00001 \
	    -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req_$v"
	expect 0 "$SPOC" -d "$TMP/pp" request ZZ "$TMP/req_$v"
	eval "ID_$v=\$(awk '{print \$4}' \"\$TMP/out\")"
done
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/a1.pkg"
# ZZ does not answer at once; PP's relay keeps the requests as sent out
expect 1 "$RELAY" -d "$TMP/ppr" send --retries 0 --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$TMP/a1ans.pkg" "$TMP/a1.pkg"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/a1ans.pkg"

# ZZ answers, asynchronously, through PP's relay
answer() {	# variant certificate-file...
	eval "id=\$ID_$1"
	shift
	envelope $ICAO_NS SendCertificatesRequest \
	    "<callerID>ZZ</callerID><messageID>$id</messageID>$(certseq "$@")<statusInfo>ok_cert_available</statusInfo>" \
	    > "$TMP/ans.xml"
	schema_valid "$TMP/ans.xml"
	post_as "$S/zz_client.pem" "$S/zz_client.key" "$PURL" "$TMP/ans.xml" \
	    SendCertificates
	[ "$(cat "$TMP/code")" = 200 ] && grep -q ok_received_correctly "$TMP/out" ||
	    { cat "$TMP/out" "$TMP/curl.err" >&2; fail "the relay did not take answer $id"; }
}
# a: the case of the issue: a CVCA ZZ made, and a DV certificate for
# another key under it, alone in a package
answer a "$E/rogue_dv_other.cvcert" "$E/rogue_cvca.cvcert"
expect 0 "$RELAY" -d "$TMP/ppr" collect -o "$TMP/a2a.pkg"
set +e
"$SPOC" -d "$TMP/pp" unpack "$TMP/a2a.pkg" 2>"$TMP/err"
rc=$?
set -e
"$CVC" -d "$TMP/pp" ls -o registered > "$TMP/out"
grep -q ZZCVCA00009 "$TMP/out" && fail "an answer planted a trust anchor"
"$CVC" -d "$TMP/pp" ls -o ours > "$TMP/out"
grep -q PPDVIS00003 "$TMP/out" && fail "a DV certificate for another key was stored as ours"
[ $rc = 1 ] && grep -q "answer of ZZ refused" "$TMP/err" ||
    { cat "$TMP/err" >&2; fail "the forged answer was not refused (exit $rc)"; }
# b: our key, under a CVCA ZZ made
answer b "$E/rogue_dv3.cvcert" "$E/rogue_cvca.cvcert"
# c: our key, under a CVCA bearing ZZ's registered name with another key
answer c "$E/rogue_dv3_samename.cvcert" "$E/rogue_cvca_samename.cvcert"
# d: ZZ's genuine CVCA, but another key than our request's
answer d "$E/zz_dv3_otherkey.cvcert" "$C/zz_cvca.cvcert"
# e: our P-256 request's point, certified under ZZ's brainpool CVCA
answer e "$E/zz_dv4_p256.cvcert" "$C/zz_cvca.cvcert"
# f: genuine: our key under ZZ's new CVCA, whose link verifies under the
# registered one; a CVCA ZZ made rides along and is left out
answer f "$E/zz_dv3_link.cvcert" "$C/zz_link.cvcert" "$E/rogue_cvca.cvcert"
# a push: a "ZZ CVCA" signed by BB's CVCA (registered, but not ZZ's)
envelope $ICAO_NS SendCertificatesRequest \
    "<callerID>ZZ</callerID>$(certseq "$E/bb_signed_zz.cvcert" "$C/zz_link.cvcert")<statusInfo>new_cert_available_notification</statusInfo>" \
    > "$TMP/push.xml"
post_as "$S/zz_client.pem" "$S/zz_client.key" "$PURL" "$TMP/push.xml" \
    SendCertificates
[ "$(cat "$TMP/code")" = 200 ] || fail "push: $(cat "$TMP/code")"

expect 0 "$RELAY" -d "$TMP/ppr" collect -o "$TMP/a2.pkg"
mkdir "$TMP/dvout"
# four answers refused (exit 1), the rest taken; nothing of the refused
expect 1 "$SPOC" -d "$TMP/pp" unpack --out "$TMP/dvout" "$TMP/a2.pkg"
[ "$(grep -c "answer of ZZ refused" "$TMP/err")" = 4 ] ||
    { cat "$TMP/err" >&2; fail "not four answers refused"; }
grep -q "no DV certificate for the key of our request PPDVIS00004" "$TMP/err" ||
    fail "the P-256 answer"
expect 0 "$CVC" -d "$TMP/pp" ls -o registered
grep -q ZZCVCA00009 "$TMP/out" && fail "a CVCA ZZ made was registered"
grep -q ZZCVCA00005 "$TMP/out" && fail "a ZZ CVCA signed by BB was registered"
[ "$(grep -c '^registered ZZCVCA00001 ' "$TMP/out")" = 1 ] ||
    fail "a second ZZCVCA00001 was registered"
grep -q '^registered ZZCVCA00002 ' "$TMP/out" || fail "ZZ's link was not registered"
expect 0 "$CVC" -d "$TMP/pp" ls -o ours
[ "$(grep -c . "$TMP/out")" = 1 ] && grep -q 'PPDVIS00003 *ZZCVCA00002' "$TMP/out" ||
    { cat "$TMP/out" >&2; fail "PP's register of its DVs' certificates"; }
cmp -s "$TMP/dvout/PPDVIS00003.cvcert" "$E/zz_dv3_link.cvcert" ||
    fail "the DV did not get its genuine certificate"
[ "$(ls "$TMP/dvout" | wc -l)" = 1 ] || fail "a forged certificate reached the DV"
expect 0 "$SPOC" -d "$TMP/pp" ls --json
for v in a b c d e; do
	eval "id=\$ID_$v"
	grep -q "\"msgid\":\"$id\",\"state\":\"answered\"" "$TMP/out" &&
	    fail "request $v was marked answered by a forgery"
done
grep -q "\"msgid\":\"$ID_f\",\"state\":\"answered\",\"result\":\"ok_cert_available\"" \
    "$TMP/out" || fail "the genuine answer did not answer request f"
expect 0 "$SPOC" -d "$TMP/pp" inbox --json
grep -q '"op":"SendCertificates".*"verify":"verified 1, unverified 1"' "$TMP/out" ||
    { cat "$TMP/out" >&2; fail "the push"; }
expect 0 "$SPOC" -d "$TMP/pp" log --json
grep -q '"outcome":"answer refused: certificates"' "$TMP/out" ||
    fail "the refusals are not in the audit log"

# a package that repeats a refused answer changes nothing either
expect 1 "$SPOC" -d "$TMP/pp" unpack "$TMP/a2.pkg"
expect 0 "$CVC" -d "$TMP/pp" ls -o registered
grep -q ZZCVCA00009 "$TMP/out" && fail "a second unpack registered a forgery"
exit 0
