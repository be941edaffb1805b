# t_spoc.sh - the SPOC round trip on 127.0.0.1: countries PP and ZZ, each
# with its SPOC CA, relay and offline side.  A DV of PP asks ZZ's CVCA
# for a certificate; the request crosses both air gaps in packages and
# both relays over mutual TLS (PP writes the ICAO dialect to ZZ, ZZ the
# CSN 36 9791 dialect to PP); ZZ issues with cvc issue; the certificate
# comes back to PP's DV.  Then every refusal: no client certificate, a
# rogue CA, a revoked or EKU-less certificate, callerID not the
# certificate's country, oversized body, malformed XML, an entity bomb,
# a replayed messageID, a tampered package, a server certificate for
# another host.  curl and gnutls-cli drive the relay as independent
# clients; xmllint validates every message written against schemas/.
. "$(dirname "$0")/lib.sh"
S=${NPKD_SPOC:-}
C=${NPKD_CVC:-}
if [ -z "$C" ] || [ ! -f "$C/zz_cvca.cvcert" ]; then
	echo "skipped: no EAC test PKI (OpenPACE cvc-create not installed)"
	exit 77
fi
[ -n "$S" ] && [ -f "$S/pp_client.pem" ] || fail "no SPOC test PKI (NPKD_SPOC)"
for t in curl gnutls-cli xmllint tar sqlite3; do
	command -v $t >/dev/null || fail "$t is needed"
done
SCHEMAS=$(cd "$(dirname "$0")/../../schemas" && pwd)
SPOC=$NPKD_BIN/spoc
RELAY=$NPKD_BIN/spoc-relay
CVC=$NPKD_BIN/cvc
PIDS=""
cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	rm -rf "$TMP"
}
trap cleanup EXIT
[ -z "${KEEP:-}" ] || trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done' EXIT

# start_relay NAME STORE CERT KEY: serve on 127.0.0.1, port into NAME.port
start_relay() {
	"$RELAY" -d "$2" serve --listen 127.0.0.1:0 --port-file "$TMP/$1.port" \
	    --tls-cert "$3" --tls-key "$4" --max-body 65536 --max-conn 16 \
	    --timeout 2 2>"$TMP/$1.log" &
	eval "$1_pid=$!"
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$TMP/$1.port" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$TMP/$1.log" >&2; fail "$1 did not start"; }
		sleep 0.1
	done
}
inrows() {	# messages filed as incoming in a store
	sqlite3 "$1/npkd.db" "SELECT count(*) FROM spoc_msgs WHERE dir = 'in'"
}
# validate every XML member of a package with xmllint (tar reads it)
schema_valid() {
	rm -rf "$TMP/x" && mkdir "$TMP/x"
	tar -xf "$1" -C "$TMP/x" || fail "tar cannot read $1"
	n=0
	for f in "$TMP"/x/*.xml; do
		[ -f "$f" ] || continue
		xmllint --noout --nonet --schema "$SCHEMAS/soap11-envelope.xsd" \
		    "$f" 2>"$TMP/xmllint" || { cat "$TMP/xmllint" >&2; fail "$f in $1 is not schema-valid"; }
		n=$((n + 1))
	done
	[ $n -gt 0 ] || fail "$1 holds no message"
}

for c in PP ZZ; do
	l=$(echo $c | tr A-Z a-z)
	expect 0 "$SPOC" -d "$TMP/$l" setup --country $c --key "$S/${l}_pkg_off.key" \
	    --cert "$S/${l}_pkg_off.pem" --trust "$S/${l}_pkg_rel.pem"
	expect 0 "$SPOC" -d "$TMP/${l}r" setup --country $c --key "$S/${l}_pkg_rel.key" \
	    --cert "$S/${l}_pkg_rel.pem" --trust "$S/${l}_pkg_off.pem"
done
# the relays trust the registered peers' CAs from the start; QQ shares
# PP's CA (a CSCA may issue for several), to test callerID against C
expect 0 "$SPOC" -d "$TMP/ppr" peer add ZZ --url https://localhost:1/spoc \
    --ca "$S/zz_ca.pem" --crl "$S/zz_ca.crl" --dialect icao
expect 0 "$SPOC" -d "$TMP/zzr" peer add PP --url https://localhost:1/spoc \
    --ca "$S/pp_ca.pem" --crl "$S/pp_ca.crl"
expect 0 "$SPOC" -d "$TMP/zzr" peer add QQ --url https://localhost:1/spoc \
    --ca "$S/pp_ca.pem" --crl "$S/pp_ca.crl"
start_relay zzs "$TMP/zzr" "$S/zz_server.pem" "$S/zz_server.key"
start_relay pps "$TMP/ppr" "$S/pp_server.pem" "$S/pp_server.key"
ZURL=https://localhost:$(cat "$TMP/zzs.port")/spoc
PURL=https://localhost:$(cat "$TMP/pps.port")/spoc
for d in pp ppr; do
	expect 0 "$SPOC" -d "$TMP/$d" peer add ZZ --url "$ZURL" --ca "$S/zz_ca.pem" \
	    --crl "$S/zz_ca.crl" --dialect icao
done
for d in zz zzr; do
	expect 0 "$SPOC" -d "$TMP/$d" peer add PP --url "$PURL" --ca "$S/pp_ca.pem" \
	    --crl "$S/pp_ca.crl"
done
expect 0 "$SPOC" -d "$TMP/pp" peer ls --json
grep -q '"country":"ZZ","url":"https://localhost:[0-9]*/spoc","dialect":"icao"' \
    "$TMP/out" || fail "peer ls"
# nothing goes to an unregistered country, nor with a bad URL
expect 2 "$SPOC" -d "$TMP/pp" get-ca XX
one_line_error "XX: no SPOC registered"
expect 2 "$SPOC" -d "$TMP/pp" peer add XX --url http://x/ --ca "$S/zz_ca.pem" \
    --crl "$S/zz_ca.crl"
one_line_error "must be https"

# --- the round trip ---------------------------------------------------
# PP's DV asks ZZ's CVCA: the request is signed outside by PP's CVCA
expect 0 "$CVC" keygen -a brainpoolP256r1 -o "$TMP/dv.pk8"
expect 0 "$CVC" req -k "$TMP/dv.pk8" -p "$C/zz_cvca.cvcert" -r PPDVIS00002 \
    -a ZZCVCA00001 -K "$C/pp_cvca.pk8" -O "$C/pp_cvca.cvcert" -o "$TMP/req"
expect 0 "$SPOC" -d "$TMP/pp" request ZZ "$TMP/req"
MSGID=$(awk '{print $4}' "$TMP/out")
case $MSGID in PP-20*) ;; *) fail "messageID $MSGID" ;; esac
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/a1.pkg"
schema_valid "$TMP/a1.pkg"
grep -q "lds2" "$TMP"/x/*.xml || fail "PP writes ICAO to ZZ"
# a second pack holds nothing: never twice without --resend
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/empty.pkg"
grep -q "0 messages packed" "$TMP/err" || fail "packed twice"

# a tampered package is refused by the relay, and nothing is sent
cp "$TMP/a1.pkg" "$TMP/bad.pkg"
printf 'X' | dd of="$TMP/bad.pkg" bs=1 seek=1600 conv=notrunc 2>/dev/null
expect 2 "$RELAY" -d "$TMP/ppr" send --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$TMP/x.pkg" "$TMP/bad.pkg"
one_line_error "bad.pkg"
[ "$(inrows "$TMP/zzr")" = 0 ] || fail "a tampered package reached ZZ"
[ ! -e "$TMP/x.pkg" ] || fail "answers written for a refused package"
# a package of the wrong signer (ZZ's offline key) is refused too
expect 0 "$SPOC" -d "$TMP/zz" get-ca PP
expect 0 "$SPOC" -d "$TMP/zz" pack -o "$TMP/zzget.pkg"
expect 2 "$RELAY" -d "$TMP/ppr" send --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$TMP/x.pkg" "$TMP/zzget.pkg"
one_line_error "zzget.pkg"

expect 0 "$RELAY" -d "$TMP/ppr" send --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$TMP/a1ans.pkg" "$TMP/a1.pkg"
[ "$(inrows "$TMP/zzr")" = 1 ] || fail "ZZ's relay did not file the request"
schema_valid "$TMP/a1ans.pkg"
grep -q ok_reception_ack "$TMP"/x/*.xml || fail "asynchronous answer"
# sending the same package again sends nothing without --resend
expect 0 "$RELAY" -d "$TMP/ppr" send --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$TMP/again.pkg" "$TMP/a1.pkg"
grep -q "sent before" "$TMP/err" || fail "sent twice"
[ "$(inrows "$TMP/zzr")" = 1 ] || fail "filed twice"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/a1ans.pkg"
expect 0 "$SPOC" -d "$TMP/pp" ls --json
grep -q "\"kind\":\"RequestCertificateRequest\",\"msgid\":\"$MSGID\",\"state\":\"sent\",\"result\":\"ok_reception_ack\"" \
    "$TMP/out" || fail "PP's request is not marked sent"

# ZZ's offline side: collect, unpack, inbox with the request's verdict
expect 0 "$RELAY" -d "$TMP/zzr" collect -o "$TMP/b1.pkg"
schema_valid "$TMP/b1.pkg"
expect 0 "$CVC" -d "$TMP/zz" register "$C/pp_cvca.cvcert"
expect 0 "$CVC" -d "$TMP/zz" register -o own "$C/zz_cvca.cvcert"
expect 0 "$CVC" -d "$TMP/zz" dv add PPDVIS
expect 0 "$SPOC" -d "$TMP/zz" unpack "$TMP/b1.pkg"
expect 0 "$SPOC" -d "$TMP/zz" inbox --json
grep -q "\"peer\":\"PP\",\"op\":\"RequestCertificate\",\"dv\":\"PPDVIS00002\",\"msgid\":\"$MSGID\",\"state\":\"inbox\",.*\"verify\":\"verified\"" \
    "$TMP/out" || fail "inbox"
ID=$(sed 's/^{"id":\([0-9]*\),.*/\1/' "$TMP/out")
# unpacking the same package again files nothing twice
expect 0 "$SPOC" -d "$TMP/zz" unpack "$TMP/b1.pkg"
[ "$(inrows "$TMP/zz")" = 1 ] || fail "unpacked twice"

# ZZ's CVCA issues within policy, and ZZ answers with the certificate
cat > "$TMP/pp.policy" <<POL
roles = dv_foreign
type = IS
rights = read DG3
max_days = 90
algorithms = ecdsa-sha-256
POL
expect 0 "$SPOC" -d "$TMP/zz" extract "$ID" -o "$TMP/in.req"
cmp -s "$TMP/in.req" "$TMP/req" || fail "the request changed on its way"
expect 0 "$CVC" -d "$TMP/zz" issue -k "$C/zz_cvca.pk8" -s "$C/zz_cvca.cvcert" \
    -P "$TMP/pp.policy" -o "$TMP/dv.cvcert" "$TMP/in.req"
# a certificate for another key does not answer this request
expect 2 "$SPOC" -d "$TMP/zz" answer "$ID" --cert "$C/yy_dv.cvcert"
expect 2 "$SPOC" -d "$TMP/zz" answer "$ID" --fail failure_expired
one_line_error "not a failure code of SendCertificates in csn369791"
expect 0 "$SPOC" -d "$TMP/zz" answer "$ID" --cert "$TMP/dv.cvcert"
expect 2 "$SPOC" -d "$TMP/zz" answer "$ID" --cert "$TMP/dv.cvcert"
one_line_error "already answered"
expect 0 "$SPOC" -d "$TMP/zz" pack -o "$TMP/b2.pkg"
schema_valid "$TMP/b2.pkg"
grep -q "csn369791" "$TMP"/x/*.xml || fail "ZZ writes CSN to PP"
grep -c "<spoc:certificate>" "$TMP"/x/*.xml | grep -q 2 || fail "DV and CVCA certificates"
expect 0 "$RELAY" -d "$TMP/zzr" send --tls-cert "$S/zz_client.pem" \
    --tls-key "$S/zz_client.key" -o "$TMP/b2ans.pkg" "$TMP/b2.pkg"
schema_valid "$TMP/b2ans.pkg"
grep -q ok_received_correctly "$TMP"/x/*.xml || fail "PP's relay took the answer"
expect 0 "$SPOC" -d "$TMP/zz" unpack "$TMP/b2ans.pkg"

# PP's offline side: the certificate reaches the DV, under ZZ's CVCA
# that PP's officer registered (the answer's own copy proves nothing)
expect 0 "$RELAY" -d "$TMP/ppr" collect -o "$TMP/a2.pkg"
expect 0 "$CVC" -d "$TMP/pp" register "$C/zz_cvca.cvcert"
schema_valid "$TMP/a2.pkg"
mkdir "$TMP/dvout"
expect 0 "$SPOC" -d "$TMP/pp" unpack --out "$TMP/dvout" "$TMP/a2.pkg"
cmp -s "$TMP/dvout/PPDVIS00002.cvcert" "$TMP/dv.cvcert" ||
    fail "the DV did not get its certificate"
expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" "$TMP/dvout/PPDVIS00002.cvcert"
expect 0 "$SPOC" -d "$TMP/pp" ls --json
grep -q "\"msgid\":\"$MSGID\",\"state\":\"answered\",\"result\":\"ok_cert_available\",\"dv\":\"PPDVIS00002\"" \
    "$TMP/out" || fail "PP's request is not answered"
expect 0 "$CVC" -d "$TMP/pp" ls -o ours
grep -q PPDVIS00002 "$TMP/out" || fail "the DV certificate is not in PP's register"

# every step is in the audit logs
expect 0 "$SPOC" -d "$TMP/pp" log --json
for o in queued packed ok_reception_ack ok_cert_available; do
	grep -q "\"msgid\":\"$MSGID\",\"sha256\":\"[0-9a-f]\{64\}\",\"outcome\":\"$o\"" \
	    "$TMP/out" || fail "PP's log lacks $o"
done
expect 0 "$SPOC" -d "$TMP/zz" log --json
for o in inbox queued packed ok_received_correctly; do
	grep -q "\"msgid\":\"$MSGID\",.*\"outcome\":\"$o\"" "$TMP/out" ||
	    fail "ZZ's log lacks $o"
done
expect 0 "$SPOC" -d "$TMP/zzr" log --json
grep -q "\"msgid\":\"$MSGID\",.*\"outcome\":\"received\"" "$TMP/out" ||
    fail "ZZ's relay log"
grep -q "\"outcome\":\"collected\"" "$TMP/out" || fail "ZZ's relay log: collected"

# PP asks for ZZ's CVCA certificates; ZZ answers, and pushes its rekey
# (a link certificate) to every registered SPOC
expect 0 "$SPOC" -d "$TMP/pp" get-ca ZZ
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/a5.pkg"
expect 0 "$RELAY" -d "$TMP/ppr" send --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$TMP/a5ans.pkg" "$TMP/a5.pkg"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/a5ans.pkg"
expect 0 "$RELAY" -d "$TMP/zzr" collect -o "$TMP/b5.pkg"
expect 0 "$SPOC" -d "$TMP/zz" unpack "$TMP/b5.pkg"
expect 0 "$SPOC" -d "$TMP/zz" inbox
GCA=$(grep " GetCACertificates " "$TMP/out" | awk '{print $1}')
expect 0 "$CVC" -d "$TMP/zz" register -o own "$C/zz_link.cvcert"
expect 0 "$SPOC" -d "$TMP/zz" answer "$GCA"
expect 0 "$SPOC" -d "$TMP/zz" notify
expect 0 "$SPOC" -d "$TMP/zz" pack -o "$TMP/b6.pkg"
schema_valid "$TMP/b6.pkg"
grep -q "new_cer_available_notification" "$TMP"/x/*.xml || fail "CSN push spelling"
expect 0 "$RELAY" -d "$TMP/zzr" send --tls-cert "$S/zz_client.pem" \
    --tls-key "$S/zz_client.key" -o "$TMP/b6ans.pkg" "$TMP/b6.pkg"
expect 0 "$SPOC" -d "$TMP/zz" unpack "$TMP/b6ans.pkg"
expect 0 "$RELAY" -d "$TMP/ppr" collect -o "$TMP/a6.pkg"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/a6.pkg"
expect 0 "$SPOC" -d "$TMP/pp" ls
grep -q "GetCACertificatesRequest .*answered .*ok_cert_available" "$TMP/out" ||
    fail "GetCACertificates not answered"
expect 0 "$SPOC" -d "$TMP/pp" inbox --json
grep -q '"op":"SendCertificates".*"verify":"verified 2, unverified 0"' "$TMP/out" ||
    fail "the pushed link certificate"
expect 0 "$CVC" -d "$TMP/pp" ls -o registered
grep -q ZZCVCA00002 "$TMP/out" || fail "the link is not registered at PP"

# a relay that holds its CVCA's certificates answers GetCACertificates at
# once (synchronously), and the certificates reach PP's register from the
# answers package
expect 0 "$CVC" -d "$TMP/zzr" register -o own "$C/zz_cvca.cvcert" "$C/zz_link.cvcert"
expect 0 "$SPOC" -d "$TMP/pp" get-ca ZZ
SYNC=$(awk '{print $4}' "$TMP/out")
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/a8.pkg"
expect 0 "$RELAY" -d "$TMP/ppr" send --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$TMP/a8ans.pkg" "$TMP/a8.pkg"
schema_valid "$TMP/a8ans.pkg"
grep -c "<spoc:certificate>" "$TMP"/x/*.xml | grep -q 2 || fail "synchronous certificates"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/a8ans.pkg"
expect 0 "$SPOC" -d "$TMP/pp" ls --json
grep -q "\"msgid\":\"$SYNC\",\"state\":\"answered\",\"result\":\"ok_cert_available\"" \
    "$TMP/out" || fail "the synchronous answer"
n2=$(sqlite3 "$TMP/zzr/npkd.db" "SELECT count(*) FROM spoc_msgs WHERE state = 'received'")
[ "$n2" = 0 ] || fail "an answered GetCACertificates waits to be collected"

# a refusal (HTTP 401 for a revoked client certificate) is not retried
echo "hello" > "$TMP/body"
expect 0 "$SPOC" -d "$TMP/pp" message ZZ --subject test --body "$TMP/body"
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/a7.pkg"
expect 1 "$RELAY" -d "$TMP/ppr" send --retries 3 --backoff 10 --tls-cert \
    "$S/pp_revoked.pem" --tls-key "$S/pp_revoked.key" -o "$TMP/a7ans.pkg" "$TMP/a7.pkg"
grep -q "not delivered: .*HTTP 401" "$TMP/err" || fail "401 not reported"
grep -q "retry" "$TMP/err" && fail "a refusal was retried"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/a7ans.pkg"

# --- refusals at ZZ's relay, by curl and gnutls-cli ---------------------
GM='<?xml version="1.0"?>
<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><GeneralMessageRequest xmlns="http://namespaces.icao.int/lds2"><callerID>CALLER</callerID><messageID>MID</messageID><subject>test</subject><body>hello</body></GeneralMessageRequest></e:Body></e:Envelope>'
gm() { echo "$GM" | sed "s/CALLER/$1/; s/MID/$2/" > "$TMP/gm.xml"; }
post() {	# post CERT|- KEY|- FILE: HTTP status into $TMP/code, body into out
	if [ "$1" = - ]; then
		set -- --cacert "$S/zz_ca.pem" --data-binary @"$3"
	else
		set -- --cacert "$S/zz_ca.pem" --cert "$1" --key "$2" --data-binary @"$3"
	fi
	curl -sS --noproxy '*' -o "$TMP/out" -w '%{http_code}' \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    -H "SOAPAction: \"${ACT:-GeneralMessage}\"" "$@" "$ZURL" > "$TMP/code" 2>"$TMP/err" ||
	    true
}
n0=$(inrows "$TMP/zzr")
gm PP PP-gm-1
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/gm.xml"
[ "$(cat "$TMP/code")" = 200 ] || fail "curl GeneralMessage: $(cat "$TMP/code")"
grep -q '<spoc:result>ok</spoc:result>' "$TMP/out" || fail "GeneralMessage answer"
xmllint --noout --nonet --schema "$SCHEMAS/soap11-envelope.xsd" "$TMP/out" 2>/dev/null ||
    fail "the relay's answer is not schema-valid"
[ "$(inrows "$TMP/zzr")" = $((n0 + 1)) ] || fail "GeneralMessage not filed"
n0=$((n0 + 1))
# the same message again: same answer, not filed twice
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/gm.xml"
[ "$(cat "$TMP/code")" = 200 ] || fail "repeat"
[ "$(inrows "$TMP/zzr")" = $n0 ] || fail "a repeated message was filed twice"
# another message under a used messageID (replay): refused
echo "$GM" | sed "s/CALLER/PP/; s/MID/PP-gm-1/; s/hello/other/" > "$TMP/gm.xml"
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/gm.xml"
grep -q 'failure_internal_error' "$TMP/out" || fail "replayed messageID accepted"
gm PP PP-gm-2
post - - "$TMP/gm.xml"
[ "$(cat "$TMP/code")" = 401 ] || fail "no client certificate: $(cat "$TMP/code")"
post "$S/rogue_client.pem" "$S/rogue_client.key" "$TMP/gm.xml"
[ "$(cat "$TMP/code")" = 401 ] || fail "rogue CA: $(cat "$TMP/code")"
post "$S/pp_revoked.pem" "$S/pp_revoked.key" "$TMP/gm.xml"
[ "$(cat "$TMP/code")" = 401 ] || fail "revoked: $(cat "$TMP/code")"
post "$S/pp_noeku.pem" "$S/pp_noeku.key" "$TMP/gm.xml"
[ "$(cat "$TMP/code")" = 401 ] || fail "no SPOC EKU: $(cat "$TMP/code")"
gm QQ QQ-gm-1
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/gm.xml"
[ "$(cat "$TMP/code")" = 401 ] || fail "callerID QQ with C=PP: $(cat "$TMP/code")"
gm XX XX-gm-1
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/gm.xml"
[ "$(cat "$TMP/code")" = 401 ] || fail "unregistered callerID: $(cat "$TMP/code")"
head -c 70000 /dev/zero | tr '\0' ' ' > "$TMP/big.xml"
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/big.xml"
[ "$(cat "$TMP/code")" = 413 ] || fail "oversized body: $(cat "$TMP/code")"
# an authenticated but malformed request: a normal response (9303-12
# section 8), with the code PP's dialect (CSN) has for GeneralMessage
printf '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body>' > "$TMP/bad.xml"
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/bad.xml"
[ "$(cat "$TMP/code")" = 200 ] || fail "malformed XML: $(cat "$TMP/code")"
grep -q "<spoc:result>failure_internal_error</spoc:result>" "$TMP/out" ||
    fail "malformed XML: no failure code"
cat > "$TMP/bomb.xml" <<'X'
<?xml version="1.0"?>
<!DOCTYPE e [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><GeneralMessageRequest xmlns="http://namespaces.icao.int/lds2"><callerID>PP</callerID><messageID>PP-bomb</messageID><subject>&d;</subject><body>&d;</body></GeneralMessageRequest></e:Body></e:Envelope>
X
ACT=RequestCertificate post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/bomb.xml"
[ "$(cat "$TMP/code")" = 200 ] || fail "entity bomb: $(cat "$TMP/code")"
grep -q "<spoc:result>failure_syntax</spoc:result>" "$TMP/out" ||
    fail "entity bomb: not failure_syntax"
# an answer to nothing we asked
sed 's/GeneralMessageRequest/SendCertificatesRequest/g; s/<subject>test<\/subject><body>hello<\/body>/<statusInfo>ok_cert_available<\/statusInfo>/; s/CALLER/PP/; s/MID/PP-never-asked/' \
    > "$TMP/sc.xml" <<X
$GM
X
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/sc.xml"
grep -q "SendCertificatesResponse" "$TMP/out" &&
    grep -q "<spoc:result>failure_syntax" "$TMP/out" || fail "SOAPAction not checked"
ACT=SendCertificates post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/sc.xml"
grep -q failure_messageID_unknown "$TMP/out" || fail "unknown messageID accepted"
[ "$(inrows "$TMP/zzr")" = $n0 ] || fail "a refused request was filed"
grep -q "refused (401)" "$TMP/zzs.log" || fail "the relay does not log refusals"

# gnutls-cli as a second independent client, over TLS 1.2 and 1.3
gm PP PP-gm-3
len=$(wc -c < "$TMP/gm.xml")
for v in "+VERS-TLS1.2" "+VERS-TLS1.3"; do
	{ printf 'POST /spoc HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/xml\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' "$len"
	  cat "$TMP/gm.xml"; sleep 1; } |
	    gnutls-cli --priority "NORMAL:-VERS-ALL:$v" --x509cafile "$S/zz_ca.pem" \
	    --x509certfile "$S/pp_client.pem" --x509keyfile "$S/pp_client.key" \
	    -p "$(cat "$TMP/zzs.port")" localhost > "$TMP/g.out" 2>&1 || true
	grep -q "HTTP/1.1 200" "$TMP/g.out" || { cat "$TMP/g.out" >&2; fail "gnutls-cli $v"; }
	grep -q "<spoc:result>ok</spoc:result>" "$TMP/g.out" || fail "gnutls-cli $v answer"
done

# a response where a request belongs is not taken
sed 's/GeneralMessageRequest/GeneralMessageResponse/g; s/<callerID>.*<\/body>/<result>ok<\/result>/' \
    "$TMP/gm.xml" > "$TMP/resp.xml"
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/resp.xml"
[ "$(cat "$TMP/code")" = 200 ] && grep -q "<spoc:result>failure_syntax" "$TMP/out" ||
    fail "a response was taken as a request"
# a client that sends half a request and waits is cut off (--timeout 2)
n0=$(inrows "$TMP/zzr")
{ printf 'POST /spoc HTTP/1.1\r\nHost: localhost\r\nContent-Length: 500\r\n\r\n<x'
  sleep 5; } | gnutls-cli --x509cafile "$S/zz_ca.pem" --x509certfile "$S/pp_client.pem" \
    --x509keyfile "$S/pp_client.key" -p "$(cat "$TMP/zzs.port")" localhost \
    > "$TMP/g.out" 2>&1 &
gp=$!
sleep 4
grep -qi "closed" "$TMP/g.out" || { cat "$TMP/g.out" >&2; fail "an idle client was not cut off"; }
wait $gp 2>/dev/null || true
grep -q "HTTP/1.1 200" "$TMP/g.out" && fail "half a request was answered"
[ "$(inrows "$TMP/zzr")" = $n0 ] || fail "half a request was filed"

# SIGHUP: the peers' CAs are read again, on the same port, and the relay
# goes on answering
port=$(cat "$TMP/zzs.port")
kill -HUP "$zzs_pid"
i=0
until grep -q "peers reloaded, still on port $port" "$TMP/zzs.log"; do
	i=$((i + 1))
	[ $i -lt 50 ] || { cat "$TMP/zzs.log" >&2; fail "no reload on SIGHUP"; }
	sleep 0.1
done
gm PP PP-gm-after-hup
post "$S/pp_client.pem" "$S/pp_client.key" "$TMP/gm.xml"
[ "$(cat "$TMP/code")" = 200 ] || fail "no answer after the reload: $(cat "$TMP/code")"

# an out-of-date CRL of the peer's CA: no connection is trusted
expect 0 "$SPOC" -d "$TMP/ppr" peer add ZZ --url "$ZURL" --ca "$S/zz_ca.pem" \
    --crl "$S/zz_ca_old.crl" --dialect icao
echo "crl" > "$TMP/body"
expect 0 "$SPOC" -d "$TMP/pp" message ZZ --subject crl --body "$TMP/body"
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/a9.pkg"
n3=$(inrows "$TMP/zzr")
expect 1 "$RELAY" -d "$TMP/ppr" send --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$TMP/a9ans.pkg" "$TMP/a9.pkg"
grep -q "CRL is out of date" "$TMP/err" || { cat "$TMP/err" >&2; fail "stale CRL accepted"; }
[ "$(inrows "$TMP/zzr")" = "$n3" ] || fail "sent despite a stale CRL"

# our client checks the server: a certificate for another host is refused
start_relay zzo "$TMP/zzr" "$S/zz_otherhost.pem" "$S/zz_otherhost.key"
expect 0 "$SPOC" -d "$TMP/ppr" peer add ZZ --url "https://localhost:$(cat "$TMP/zzo.port")/spoc" \
    --ca "$S/zz_ca.pem" --crl "$S/zz_ca.crl" --dialect icao
expect 0 "$SPOC" -d "$TMP/pp" get-ca ZZ
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/a3.pkg"
n1=$(inrows "$TMP/zzr")
expect 1 "$RELAY" -d "$TMP/ppr" send --retries 1 --backoff 10 \
    --tls-cert "$S/pp_client.pem" --tls-key "$S/pp_client.key" -o "$TMP/a3ans.pkg" "$TMP/a3.pkg"
grep -q "not delivered" "$TMP/err" || fail "delivery failure not reported"
[ "$(inrows "$TMP/zzr")" = "$n1" ] || fail "a message went to a server that failed the check"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/a3ans.pkg"
expect 0 "$SPOC" -d "$TMP/pp" ls
grep -q "GetCACertificatesRequest .*failed .*delivery_failed" "$TMP/out" ||
    fail "the failed delivery is not recorded"
GID=$(grep "GetCACertificatesRequest .*failed" "$TMP/out" | awk '{print $1}')
# a failed message goes again only on request
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/a4.pkg"
grep -q "0 messages packed" "$TMP/err" || fail "a failed message went again"
expect 0 "$SPOC" -d "$TMP/pp" pack --resend "$GID" -o "$TMP/a4.pkg"
grep -q "1 message packed" "$TMP/err" || fail "--resend"

# a peer the offline side knows but the relay does not: not sent, and
# the offline side hears why
expect 0 "$SPOC" -d "$TMP/pp" peer add QQ --url https://localhost:1/spoc \
    --ca "$S/pp_ca.pem" --crl "$S/pp_ca.crl"
expect 0 "$SPOC" -d "$TMP/pp" message QQ --subject x --body "$TMP/body"
expect 0 "$SPOC" -d "$TMP/pp" pack -o "$TMP/a10.pkg"
expect 2 "$RELAY" -d "$TMP/ppr" send --tls-cert "$S/pp_client.pem" \
    --tls-key "$S/pp_client.key" -o "$TMP/a10ans.pkg" "$TMP/a10.pkg"
one_line_error "QQ: no SPOC registered"
expect 0 "$SPOC" -d "$TMP/pp" unpack "$TMP/a10ans.pkg"
expect 0 "$SPOC" -d "$TMP/pp" ls
grep -q "out QQ GeneralMessageRequest .*failed .*delivery_failed" "$TMP/out" ||
    fail "the offline side did not hear of the failure"

# SIGTERM: the relays stop cleanly
for n in zzs pps zzo; do
	eval "p=\$${n}_pid"
	kill -TERM "$p"
	set +e
	wait "$p"
	rc=$?
	set -e
	[ $rc -eq 0 ] || fail "$n exited $rc on SIGTERM"
	grep -q "stopping" "$TMP/$n.log" || fail "$n did not log its stop"
done
PIDS=""
# a peer that does not answer: retried with backoff, then reported
expect 1 "$RELAY" -d "$TMP/ppr" send --retries 2 --backoff 10 \
    --tls-cert "$S/pp_client.pem" --tls-key "$S/pp_client.key" -o "$TMP/a4ans.pkg" "$TMP/a4.pkg"
grep -q "retry 2 in 20 ms" "$TMP/err" || { cat "$TMP/err" >&2; fail "no backoff"; }
grep -q "not delivered" "$TMP/err" || fail "not reported"
tar -tf "$TMP/a4ans.pkg" | grep -q "\.txt$" || fail "no DeliveryFailed note"
exit 0
