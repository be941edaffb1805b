# t_pa.sh - passive authentication (npkd pa) of the documents of
# testdata/gendoc.py: every algorithm genuine, every broken document
# refused at its step for its reason, each step's verdict as expected;
# the batch forms, --json, exit statuses, --learn, and OpenSSL agreeing
# on every SOD signature.
. "$(dirname "$0")/lib.sh"
D=${NPKD_DOCS:?}
[ -f "$D/expect" ] || fail "no documents in $D"
export NPKD_DIR="$TMP/store"
expect 0 "$NPKD" -q init
expect 0 "$NPKD" -q import -T "$D/anchors.pem" "$D"/crl/*.crl
while read -r cmd f; do
	[ "$cmd" = import ] && expect 0 "$NPKD" -q import "$D/$f"
done < "$D/steps"
set +e
"$NPKD" -q check
[ $? -le 1 ] || fail "check"
set -e
cp "$NPKD_DIR/npkd.db" "$TMP/before.db"

# one document at a time (a directory each), every step as expected
n=0
while read -r name verdict st reason rest; do
	case $verdict in
	genuine) want=0 ;; not-genuine) want=1 ;; *) want=2 ;;
	esac
	expect $want "$NPKD" pa -j "$D/docs/$name"
	python3 - "$TMP/out" "$name" "$verdict" "$st" "$reason" $rest <<'PY' ||
import json, sys
out, name, verdict, st, reason = sys.argv[1:6]
r = json.loads(open(out).read())
bad = []
if r["verdict"] != verdict:
    bad.append("verdict %s, expected %s" % (r["verdict"], verdict))
if verdict != "genuine" and (r["step"], r["reason"]) != (st, reason):
    bad.append("failed at %s/%s, expected %s/%s" % (r["step"], r["reason"],
                                                   st, reason))
codes = [f["code"] for f in r["findings"]]
for kv in sys.argv[6:]:
    k, v = kv.split("=", 1)
    if k == "finding":
        if v not in codes:
            bad.append("finding %s missing (%s)" % (v, codes))
    elif r["steps"][k]["result"] != v:
        bad.append("step %s: %s (%s), expected %s" % (
            k, r["steps"][k]["result"], r["steps"][k]["text"], v))
if bad:
    print("%s: %s" % (name, "; ".join(bad)))
    sys.exit(1)
PY
	    fail "$name"
	n=$((n + 1))
done < "$D/expect"
[ $n -ge 40 ] || fail "only $n documents"

# OpenSSL, an independent verifier, agrees on every SOD signature npkd
# checked (the EF.SOD without its 77 header is a CMS ContentInfo)
m=0
while read -r name verdict st reason rest; do
	case " $rest " in
	*" signature=ok "*) ok=0 ;; *" signature=fail "*) ok=1 ;; *) continue ;;
	esac
	python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
h = 2 if b[1] < 0x80 else 2 + (b[1] & 0x7f)
sys.stdout.buffer.write(b[h:])' "$D/docs/$name/EF.SOD" > "$TMP/ci.der"
	cf=""
	if [ -f "$D/dsc/$name.der" ]; then
		openssl x509 -inform DER -in "$D/dsc/$name.der" -out "$TMP/dsc.pem"
		cf="-certfile $TMP/dsc.pem"
	fi
	set +e
	# shellcheck disable=SC2086
	openssl cms -verify -inform DER -in "$TMP/ci.der" -noverify -binary \
	    $cf -out /dev/null >/dev/null 2>&1
	rc=$?
	set -e
	[ $rc -eq 0 ] && got=0 || got=1
	[ $got -eq $ok ] || fail "$name: openssl cms -verify exit $rc"
	m=$((m + 1))
done < "$D/expect"
[ $m -ge 35 ] || fail "openssl compared only $m"

# the store is only read
cmp -s "$NPKD_DIR/npkd.db" "$TMP/before.db" || fail "pa changed the store"

# the batch forms: directories, a list, the files of one document
expect 1 "$NPKD" pa "$D"/docs/good-* "$D/docs/bad-dg-changed"
[ "$(wc -l < "$TMP/out")" -eq $(($(ls -d "$D"/docs/good-* | wc -l) + 1)) ] ||
    fail "one line per document"
grep -q 'bad-dg-changed: not genuine: datagroups: dg-hash' "$TMP/out" ||
    fail "dg-hash line"
expect 0 "$NPKD" -q pa "$D"/docs/good-*
[ ! -s "$TMP/out" ] || fail "-q prints genuine documents"
ls -d "$D"/docs/* > "$TMP/list"
g=$D/docs/good-de-ecdsa-p256-sha256
echo "$g/EF.SOD $g/DG1 $g/DG2 $g/DG14 $g/DG15" >> "$TMP/list"
expect 2 "$NPKD" pa -j -b "$TMP/list"
[ "$(wc -l < "$TMP/out")" -eq $((n + 1)) ] || fail "batch list: $(wc -l < "$TMP/out") lines"
grep -c '"verdict":"genuine"' "$TMP/out" > "$TMP/c"
[ "$(cat "$TMP/c")" -eq $(($(grep -c ' genuine ' "$D/expect") + 1)) ] ||
    fail "batch list: genuine count"
expect 0 "$NPKD" pa "$g/EF.SOD" "$g/DG1" "$g/DG2" "$g/DG14" "$g/DG15"
expect 1 "$NPKD" pa "$g/EF.SOD" "$D/docs/bad-dg-changed/DG2"
grep -q 'dg-hash' "$TMP/out" || fail "DG of another document"
# the same data group twice, a file that is not one, no such file
expect 2 "$NPKD" pa "$g/EF.SOD" "$g/DG1" "$g/DG1"
grep -q 'dg-twice' "$TMP/out" || fail "DG given twice"
expect 2 "$NPKD" pa "$g/EF.SOD" "$D/anchors.pem"
expect 2 "$NPKD" pa "$g/EF.SOD" "$TMP/nonexistent"
one_line_error nonexistent

# --learn: the DSC of a verified document is kept, unchecked until check,
# then valid; a DSC under no trusted CSCA is not kept
l=$D/docs/good-learn
expect 0 "$NPKD" pa -j "$l"
grep -q '"in_store":false' "$TMP/out" || fail "learn: in store before"
before=$("$NPKD" ls -k dsc | wc -l)
expect 1 "$NPKD" pa --learn "$D/docs/bad-dsc-no-csca" "$D/docs/bad-dsc-untrusted-csca"
[ "$("$NPKD" ls -k dsc | wc -l)" -eq "$before" ] || fail "learned an untrusted DSC"
expect 0 "$NPKD" pa --learn "$l"
grep -q 'DSC kept in the store' "$TMP/out" || fail "learn: not kept"
[ "$("$NPKD" ls -k dsc | wc -l)" -eq $((before + 1)) ] || fail "learn: count"
"$NPKD" ls -k dsc -s unchecked | grep -q . || fail "learned DSC is unchecked"
set +e
"$NPKD" -q check
set -e
"$NPKD" ls -k dsc -s unchecked | grep -q . && fail "learned DSC not checked"
expect 0 "$NPKD" pa -j "$l"
grep -q '"in_store":true' "$TMP/out" || fail "learn: in store after"
expect 0 "$NPKD" pa --learn "$l"
grep -q 'DSC kept' "$TMP/out" && fail "learned twice"
echo "$n documents, $m signatures compared with openssl"
exit 0
