# t_ldap.sh - npkd export ldif loads into OpenLDAP: slapd is started here
# on 127.0.0.1 with the PKD schema, the export is added with ldapadd and
# read back with ldapsearch, and what comes back is what the store holds.
. "$(dirname "$0")/lib.sh"
SLAPD=${SLAPD:-/usr/sbin/slapd}
if [ ! -x "$SLAPD" ] || ! command -v ldapadd >/dev/null 2>&1; then
	echo "skipped: slapd or ldap-utils not installed"
	exit 77
fi
SCHEMA=$(cd "$(dirname "$0")/../../schemas" && pwd)/icao-pkd.schema
export NPKD_DIR="$TMP/store"
"$NPKD" -q init
"$NPKD" -q import -T "$T/trust_all.pem" "$T/ml_aa.ml"
"$NPKD" -q import "$T/ml_bb.ml" "$T/pkd_dsc.ldif" "$T/pkd_nc.ldif" \
    "$T/pkd_ml.ldif" 2>/dev/null
"$NPKD" -q check || true
expect 0 "$NPKD" export ldif --all -o "$TMP/pkd.ldif"
ndsc=$("$NPKD" ls -k dsc | wc -l)
ncrl=$("$NPKD" ls -k crl | wc -l)
nml=$("$NPKD" ls -k ml | wc -l)

mkdir -p "$TMP/db"
cat > "$TMP/slapd.conf" <<CONF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include $SCHEMA
pidfile $TMP/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 268435456
suffix "dc=icao,dc=int"
rootdn "cn=admin,dc=icao,dc=int"
rootpw secret
directory $TMP/db
CONF
port=$((20000 + $$ % 20000))
URI="ldap://127.0.0.1:$port/"
"$SLAPD" -f "$TMP/slapd.conf" -h "$URI" 2>"$TMP/slapd.err" ||
    { cat "$TMP/slapd.err" >&2; fail "slapd did not start"; }
stop() {
	if [ -f "$TMP/slapd.pid" ]; then
		pid=$(cat "$TMP/slapd.pid")
		kill "$pid" 2>/dev/null
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
	fi
	rm -rf "$TMP"
}
trap stop EXIT
i=0
until ldapsearch -x -H "$URI" -b "" -s base >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "slapd does not answer on $URI"
	sleep 0.1
done
LDAP="-x -H $URI -D cn=admin,dc=icao,dc=int -w secret"
cat > "$TMP/base.ldif" <<BASE
dn: dc=icao,dc=int
objectClass: domain
dc: icao

dn: dc=pkd,dc=icao,dc=int
objectClass: domain
dc: pkd

dn: dc=download,dc=pkd,dc=icao,dc=int
objectClass: domain
dc: download
BASE
ldapadd $LDAP -f "$TMP/base.ldif" >/dev/null || fail "base entries"
ldapadd $LDAP -f "$TMP/pkd.ldif" > "$TMP/add.out" 2>&1 ||
    { tail -5 "$TMP/add.out" >&2; fail "ldapadd of the export"; }

# read back: every certificate, CRL and list, byte for byte
B=dc=download,dc=pkd,dc=icao,dc=int
ldapsearch $LDAP -LLL -o ldif-wrap=no -b "$B" '(objectClass=inetOrgPerson)' \
    'userCertificate;binary' > "$TMP/dsc.out"
ldapsearch $LDAP -LLL -o ldif-wrap=no -b "$B" '(objectClass=cRLDistributionPoint)' \
    'certificateRevocationList;binary' > "$TMP/crl.out"
ldapsearch $LDAP -LLL -o ldif-wrap=no -b "$B" '(objectClass=pkdMasterList)' \
    pkdMasterListContent > "$TMP/ml.out"
[ "$(grep -c '^userCertificate;binary::' "$TMP/dsc.out")" -eq "$ndsc" ] ||
    fail "DSCs: $ndsc in the store, not all read back"
[ "$(grep -c '^certificateRevocationList;binary::' "$TMP/crl.out")" -eq "$ncrl" ] ||
    fail "CRLs read back"
[ "$(grep -c '^pkdMasterListContent::' "$TMP/ml.out")" -eq "$nml" ] ||
    fail "lists read back"
ldapsearch $LDAP -LLL -b "dc=nc-data,$B" '(pkdConformanceCode=ERR:DSC.KU.3)' dn |
    grep -q '^dn:' || fail "nc-data entry with its conformance code"
# what LDAP returns imports into a fresh store as the same objects
cat "$TMP/dsc.out" "$TMP/crl.out" > "$TMP/back.ldif"
NPKD_DIR="$TMP/store2" "$NPKD" -q init
NPKD_DIR="$TMP/store2" "$NPKD" import "$TMP/back.ldif" > "$TMP/imp.out" ||
    fail "re-import of what LDAP returned"
grep -q "$((ndsc + ncrl)) new" "$TMP/imp.out" || fail "re-import counts"
"$NPKD" ls -j -k dsc | sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/' | sort > "$TMP/a"
NPKD_DIR="$TMP/store2" "$NPKD" ls -j -k dsc |
    sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/' | sort > "$TMP/b"
cmp "$TMP/a" "$TMP/b" || fail "DSCs differ after the LDAP round trip"
# the lists read back from LDAP are the lists stored, byte for byte; AA's
# still verifies
aa=$(sha256sum < "$T/ml_aa.ml" | cut -c1-64)
found=0
sed -n 's/^pkdMasterListContent:: //p' "$TMP/ml.out" > "$TMP/ml.b64"
while read -r v; do
	echo "$v" | base64 -d > "$TMP/ml.der"
	h=$(sha256sum < "$TMP/ml.der" | cut -c1-64)
	"$NPKD" ls -j -k ml | grep -q "\"sha256\":\"$h\"" ||
	    fail "a list from LDAP is not in the store"
	if [ "$h" = "$aa" ]; then
		expect 0 "$NPKD" ml verify -T "$T/trust_all.pem" "$TMP/ml.der"
		found=1
	fi
done < "$TMP/ml.b64"
[ $found -eq 1 ] || fail "AA's list not read back"
exit 0
