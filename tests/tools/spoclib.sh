# spoclib.sh - shared by the SPOC tool tests (t_spoc*.sh), sourced after
# lib.sh: the test PKIs, relays on 127.0.0.1 at ports chosen at run time,
# and clients (curl) that speak to them.
S=${NPKD_SPOC:-}
C=${NPKD_CVC:-}
if [ -z "$C" ] || [ ! -f "$C/zz_cvca.cvcert" ]; then
	echo "skipped: no EAC test PKI (OpenPACE cvc-create not installed)"
	exit 77
fi
[ -n "$S" ] && [ -f "$S/pp_client.pem" ] || fail "no SPOC test PKI (NPKD_SPOC)"
for t in curl xmllint tar sqlite3 base64; do
	command -v $t >/dev/null || fail "$t is needed"
done
SCHEMAS=$(cd "$(dirname "$0")/../../schemas" && pwd)
SPOC=$NPKD_BIN/spoc
RELAY=$NPKD_BIN/spoc-relay
CVC=$NPKD_BIN/cvc
E=$S/eac
PIDS=""
spoc_cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	for p in $PIDS; do wait "$p" 2>/dev/null || true; done
	[ -n "${KEEP:-}" ] || rm -rf "$TMP"
}
trap spoc_cleanup EXIT

# start_relay NAME STORE CERT KEY [OPTION...]: serve on 127.0.0.1, its
# port into NAME.port, its pid into NAME_pid, its log into NAME.log
start_relay() {
	n=$1 st=$2 cert=$3 key=$4
	shift 4
	"$RELAY" -d "$st" serve --listen 127.0.0.1:0 --port-file "$TMP/$n.port" \
	    --tls-cert "$cert" --tls-key "$key" --max-body 65536 "$@" \
	    2>"$TMP/$n.log" &
	eval "${n}_pid=$!"
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$TMP/$n.port" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$TMP/$n.log" >&2; fail "$n did not start"; }
		sleep 0.1
	done
}

# setup_spoc CC: the offline side (cc) and the relay (ccr) of country CC
setup_spoc() {
	l=$(echo "$1" | tr A-Z a-z)
	expect 0 "$SPOC" -d "$TMP/$l" setup --country "$1" \
	    --key "$S/${l}_pkg_off.key" --cert "$S/${l}_pkg_off.pem" \
	    --trust "$S/${l}_pkg_rel.pem"
	expect 0 "$SPOC" -d "$TMP/${l}r" setup --country "$1" \
	    --key "$S/${l}_pkg_rel.key" --cert "$S/${l}_pkg_rel.pem" \
	    --trust "$S/${l}_pkg_off.pem"
}

# peer STORE CC URL [DIALECT]: register SPOC CC with its test CA and CRL
peer() {
	l=$(echo "$2" | tr A-Z a-z)
	expect 0 "$SPOC" -d "$1" peer add "$2" --url "$3" --ca "$S/${l}_ca.pem" \
	    --crl "$S/${l}_ca.crl" --dialect "${4:-csn369791}"
}

# inrows STORE: messages filed as incoming
inrows() {
	sqlite3 "$1/npkd.db" "SELECT count(*) FROM spoc_msgs WHERE dir = 'in'"
}
logrows() {
	sqlite3 "$1/npkd.db" "SELECT count(*) FROM spoc_log"
}

# post_as CERT|- KEY|- URL FILE [ACTION]: HTTP status into $TMP/code,
# body into $TMP/out
post_as() {
	cert=$1 key=$2 url=$3 file=$4 act=${5:-GeneralMessage}
	if [ "$cert" = - ]; then
		set -- --cacert "$CA" --data-binary @"$file"
	else
		set -- --cacert "$CA" --cert "$cert" --key "$key" \
		    --data-binary @"$file"
	fi
	curl -sS --noproxy '*' --max-time 20 -o "$TMP/out" -w '%{http_code}' \
	    -H 'Content-Type: text/xml; charset=utf-8' \
	    -H "SOAPAction: \"$act\"" "$@" "$url" > "$TMP/code" \
	    2>"$TMP/curl.err" || true
}

# envelope NS ELEMENT CONTENT: a SOAP 1.1 request in namespace NS
ICAO_NS=http://namespaces.icao.int/lds2
CSN_NS=http://namespaces.unmz.cz/csn369791
envelope() {
	printf '<?xml version="1.0" encoding="UTF-8"?>\n<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/"><e:Body><%s xmlns="%s">%s</%s></e:Body></e:Envelope>\n' \
	    "$2" "$1" "$3" "$2"
}

# certseq FILE...: a certificateSequence of CV certificates
certseq() {
	printf '<certificateSequence>'
	for f in "$@"; do
		printf '<certificate>%s</certificate>' "$(base64 -w0 "$f")"
	done
	printf '</certificateSequence>'
}

# schema_valid FILE: a whole SOAP message valid against schemas/
schema_valid() {
	xmllint --noout --nonet --schema "$SCHEMAS/soap11-envelope.xsd" "$1" \
	    2>"$TMP/xmllint" || { cat "$TMP/xmllint" >&2; fail "$1 is not schema-valid"; }
}

# zeep_python: PY is a python3 with python3-zeep (Debian's)
zeep_python() {
	for py in python3 /usr/bin/python3; do
		if command -v $py >/dev/null 2>&1 &&
		    $py -c 'import zeep, lxml, requests' 2>/dev/null; then
			PY=$py
			return 0
		fi
	done
	fail "python3-zeep is needed (make deps)"
}
PEER=$(cd "$(dirname "$0")" && pwd)/spocpeer.py

# start_peer NAME WSDL MODE: the independent SPOC (ZZ's server
# certificate, PP's CA for clients) on 127.0.0.1; NAME.port, NAME.log
start_peer() {
	"$PY" "$PEER" server "$2" "$S/zz_server.pem" "$S/zz_server.key" \
	    "$S/pp_ca.pem" "$TMP/$1.port" "$TMP/$1.log" "$3" \
	    2>"$TMP/$1.err" &
	eval "${1}_pid=$!"
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$TMP/$1.port" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { cat "$TMP/$1.err" >&2; fail "$1 did not start"; }
		sleep 0.1
	done
}
CORPUS_WSDL=${NPKD_CORPUS:-/work/shared/corpus}/eac/wsdl/csn369791_spocwsdl.xml

# two_relays: ZZ's relay serves PP in CSN 36 9791 at URL, YY's serves PP in
# the ICAO dialect at YURL; CA, PPC (PP's client certificate and key) for
# curl; gm NS CALLER MSGID [SUBJECT] writes a GeneralMessageRequest into
# $TMP/gm.xml; code prints the last HTTP status.
two_relays() {
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
}
