#!/bin/sh
# gen.sh OUTDIR MKDER [bench]
#
# Builds the synthetic ePassport PKI that npkd's tests run on.  OpenSSL is
# the issuing CA throughout (an implementation independent of npkd's), and
# mkder (testdata/mkder.c, no shared code with libnpkd) wraps certificates
# into the ICAO containers.  Nothing here is copied from real data.
#
# Countries, one per algorithm (CSCA key / hash):
#   AA rsa-2048 sha256 (+ link to gen 2 rsa-3072, ML/DL signers, CRL)
#   BB brainpoolP256r1 explicit    CC P-256            DD rsa-2048 PSS sha512
#   EE brainpoolP384r1             FF P-384 explicit   GG P-521 sha512
#   HH brainpoolP512r1 explicit    II P-224 sha224     JJ brainpoolP224r1
#   KK brainpoolP256t1 explicit    LL rsa-2048 sha1    MM brainpoolP320r1 expl
#   NN brainpoolP384t1             OO brainpoolP512t1 explicit
#   PP brainpoolP224t1             QQ brainpoolP320t1  RR P-256 ecdsa-sha1
# Master lists: ml_aa (RSA PKCS#1, SKI), ml_bb (brainpool explicit signer,
# issuer+serial), ml_cc (P-256), ml_dd (RSA-PSS), and a deviation list.
# Broken variants in bad/.  With "bench": a 500-certificate master list.
set -eu

OUT=$1
MKDER=$2
MODE=${3:-}
umask 022
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
W=$OUT/work
mkdir -p "$W" "$OUT/bad"
# ossl ca reads its directory from CADIR; req needs it defined too.
CADIR=$W
export CADIR

# Fixed validity so that outputs do not drift: valid today, long-lived.
START=200101000000Z
END=491231235959Z

cat > "$W/ext.cnf" <<'EOF'
[ca]
default_ca = ca_default
[ca_default]
dir = $ENV::CADIR
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = pol
unique_subject = no
preserve = yes
email_in_dn = no
default_crl_days = 90
crl_extensions = crl_ext
[pol]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
serialNumber = optional
[req]
distinguished_name = dn
[dn]
[crl_ext]
authorityKeyIdentifier = keyid:always
[csca]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[link]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[amb]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = 0A0B0C0D0E0F101112131415161718191A1B1C1D
authorityKeyIdentifier = keyid:always
[dsc]
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
2.23.136.1.1.6.2 = ASN1:SEQUENCE:doctypes
[doctypes]
version = INTEGER:0
list = SET:doclist
[doclist]
t1 = PRINTABLESTRING:P
t2 = PRINTABLESTRING:ID
[mlsigner]
keyUsage = critical,digitalSignature
extendedKeyUsage = 2.23.136.1.1.3
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[dlsigner]
keyUsage = critical,digitalSignature
extendedKeyUsage = 2.23.136.1.1.8
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[odd]
basicConstraints = CA:TRUE
keyUsage = keyCertSign,cRLSign
subjectKeyIdentifier = none
authorityKeyIdentifier = none
[noeku]
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
CNF=$W/ext.cnf

# ossl ARGS: openssl, quiet unless it fails
ossl() {
	if ! openssl "$@" 2>"$W/ossl.err"; then
		cat "$W/ossl.err" >&2
		echo "gen.sh: openssl $1 failed" >&2
		exit 1
	fi
}

# key FILE SPEC: rsa:BITS | ec:CURVE | ecx:CURVE (explicit parameters)
key() {
	case $2 in
	rsa:*)	openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:${2#rsa:} \
		    -out "$1" ;;
	ec:*)	openssl ecparam -name "${2#ec:}" -genkey -noout -out "$1" ;;
	ecx:*)	openssl ecparam -name "${2#ecx:}" -param_enc explicit -genkey \
		    -noout -out "$1" ;;
	esac
}

# sigopts MD PSS -> ossl ca options
sigopts() {
	if [ "${2:-}" = pss ]; then
		echo "-md $1 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1"
	else
		echo "-md $1"
	fi
}

# newca DIR: an openssl ca directory
newca() {
	mkdir -p "$1/new"
	: > "$1/index.txt"
	echo 1000 > "$1/serial"
	echo 01 > "$1/crlnumber"
}

# csca CC KEYSPEC MD [pss] -> $W/cc/ca.{key,pem}, $OUT/cc_csca.{der,pem}
csca() {
	cc=$(echo "$1" | tr 'A-Z' 'a-z')
	d=$W/$cc
	newca "$d"
	key "$d/ca.key" "$2"
	openssl req -new -key "$d/ca.key" -subj "/C=$1/O=Government of $1/CN=CSCA $1" \
	    -config "$CNF" -out "$d/ca.csr"
	CADIR=$d ossl ca -batch -notext -selfsign -config "$CNF" \
	    -keyfile "$d/ca.key" -in "$d/ca.csr" -out "$d/ca.pem" \
	    -startdate $START -enddate $END -extensions csca \
	    $(sigopts "$3" "${4:-}")
	openssl x509 -in "$d/ca.pem" -outform DER -out "$OUT/${cc}_csca.der"
	cp "$d/ca.pem" "$OUT/${cc}_csca.pem"
	echo "$3 ${4:-}" > "$d/md"
}

# issue CC NAME KEYSPEC EXT [START END] -> $OUT/cc_NAME.{der,pem,key}
issue() {
	cc=$(echo "$1" | tr 'A-Z' 'a-z')
	d=$W/$cc
	set -- "$@" "$START" "$END"
	key "$OUT/${cc}_$2.key" "$3"
	openssl req -new -key "$OUT/${cc}_$2.key" \
	    -subj "/C=$1/O=Government of $1/CN=$2 $1" -config "$CNF" \
	    -out "$d/$2.csr"
	CADIR=$d ossl ca -batch -notext -config "$CNF" -in "$d/$2.csr" \
	    -out "$OUT/${cc}_$2.pem" -startdate "$5" -enddate "$6" \
	    -extensions "$4" $(sigopts $(cat "$d/md"))
	openssl x509 -in "$OUT/${cc}_$2.pem" -outform DER -out "$OUT/${cc}_$2.der"
}

# sign OUT CONTENT ECONTENT_TYPE SIGNER_PREFIX [extra cms options]
sign() {
	o=$1 c=$2 t=$3 s=$4
	shift 4
	openssl cms -sign -binary -nodetach -nosmimecap -outform DER \
	    -econtent_type "$t" -in "$c" -signer "$s.pem" -inkey "$s.key" \
	    -out "$o" "$@"
}

csca AA rsa:2048 sha256
csca BB ecx:brainpoolP256r1 sha256
csca CC ec:prime256v1 sha256
csca DD rsa:2048 sha512 pss
csca EE ec:brainpoolP384r1 sha384
csca FF ecx:secp384r1 sha384
csca GG ec:secp521r1 sha512
csca HH ecx:brainpoolP512r1 sha512
csca II ec:secp224r1 sha224
csca JJ ec:brainpoolP224r1 sha224
csca KK ecx:brainpoolP256t1 sha256
csca LL rsa:2048 sha1
csca MM ecx:brainpoolP320r1 sha384
csca NN ec:brainpoolP384t1 sha384
csca OO ecx:brainpoolP512t1 sha512
csca PP ec:brainpoolP224t1 sha224
csca QQ ec:brainpoolP320t1 sha256
csca RR ec:prime256v1 sha1

# AA: second generation with a link certificate (old key signs new).
d=$W/aa2
newca "$d"
key "$d/ca.key" rsa:3072
openssl req -new -key "$d/ca.key" -subj "/C=AA/O=Government of AA/CN=CSCA AA" \
    -config "$CNF" -out "$d/ca.csr"
CADIR=$d ossl ca -batch -notext -selfsign -config "$CNF" -keyfile "$d/ca.key" \
    -in "$d/ca.csr" -out "$d/ca.pem" -startdate $START -enddate $END \
    -extensions csca -md sha256
openssl x509 -in "$d/ca.pem" -outform DER -out "$OUT/aa_csca2.der"
cp "$d/ca.pem" "$OUT/aa_csca2.pem"
CADIR=$W/aa ossl ca -batch -notext -config "$CNF" -in "$d/ca.csr" \
    -out "$OUT/aa_link.pem" -startdate $START -enddate $END -extensions link \
    -md sha256
openssl x509 -in "$OUT/aa_link.pem" -outform DER -out "$OUT/aa_link.der"

for cc in AA BB CC DD EE FF GG HH II JJ KK LL MM NN OO PP QQ RR; do
	issue $cc dsc ec:prime256v1 dsc
done
issue AA dsc2 rsa:2048 dsc
issue AA mlsigner rsa:2048 mlsigner
issue AA dlsigner rsa:2048 dlsigner
issue AA noeku rsa:2048 noeku
issue AA expired rsa:2048 mlsigner 200101000000Z 210101000000Z
issue BB mlsigner ecx:brainpoolP256r1 mlsigner
issue CC mlsigner ec:prime256v1 mlsigner
issue DD mlsigner rsa:2048 mlsigner

# The template of the scale test's large list (genbig.sh): a DSC of AA
# with an eight-byte serial number, which mkder bulk replaces.
openssl req -new -key "$OUT/aa_dsc.key" -subj "/C=AA/O=Government of AA/CN=bulk AA" \
    -config "$CNF" -out "$W/bulk.csr"
ossl x509 -req -in "$W/bulk.csr" -CA "$OUT/aa_csca.pem" -CAkey "$W/aa/ca.key" \
    -set_serial 0x0102030405060708 -days 3650 -extfile "$CNF" \
    -extensions dsc -outform DER -out "$OUT/bulk_template.der"
# and of its hostile list of links: AA's link (old key certifies new) and
# AA's first CSCA again, each with an eight-byte serial: every link names
# the key that every CSCA copy carries.
ossl x509 -req -in "$W/aa2/ca.csr" -CA "$OUT/aa_csca.pem" \
    -CAkey "$W/aa/ca.key" -set_serial 0x0102030405060708 -days 3650 \
    -extfile "$CNF" -extensions link -outform DER \
    -out "$OUT/bulk_link.der"
openssl req -new -key "$W/aa/ca.key" -subj "/C=AA/O=Government of AA/CN=CSCA AA" \
    -config "$CNF" -out "$W/bulkca.csr"
ossl x509 -req -in "$W/bulkca.csr" -key "$W/aa/ca.key" \
    -set_serial 0x0102030405060708 -days 3650 -extfile "$CNF" \
    -extensions csca -outform DER -out "$OUT/bulk_csca.der"

# Keys for the PKCS#11 test (named curves, which SoftHSM imports).
issue AA p11signer rsa:2048 mlsigner
issue BB p11signer ec:brainpoolP256r1 mlsigner
issue CC p11signer ec:prime256v1 mlsigner

# A CSCA that breaks the 9303-12 profile in the ways real ones do:
# lower-case country, no SKI/AKI, non-critical key usage and basic
# constraints without pathLen.  Its signature is sound.
key "$OUT/zz_odd.key" ec:prime256v1
openssl req -new -x509 -key "$OUT/zz_odd.key" -config "$CNF" -extensions odd \
    -subj "/C=zz/O=Odd/CN=CSCA zz" -days 3650 -outform DER -out "$OUT/zz_odd.der"

# A certificate whose subject holds a newline and a terminal escape: names
# are data, and listings must not print them raw.
key "$W/evil.key" ec:prime256v1
openssl req -new -x509 -key "$W/evil.key" -config "$CNF" -days 3650 \
    -subj "$(printf '/C=AA/O=Evil/CN=line one\nline two\033[2J')" \
    -outform DER -out "$OUT/bad/evil_cn.der"

# CRLs: AA revokes its second DSC; BB's is empty.
CADIR=$W/aa ossl ca -config "$CNF" -revoke "$OUT/aa_dsc2.pem" \
    -crl_reason keyCompromise
for cc in aa bb; do
	CADIR=$W/$cc ossl ca -config "$CNF" -gencrl -crldays 90 \
	    -out "$OUT/$cc.crl.pem"
	openssl crl -in "$OUT/$cc.crl.pem" -outform DER -out "$OUT/$cc.crl"
done

# A rogue CSCA AA: same name, another key (for "does not chain").
d=$W/rogue
newca "$d"
key "$d/ca.key" rsa:2048
openssl req -new -key "$d/ca.key" -subj "/C=AA/O=Government of AA/CN=CSCA AA" \
    -config "$CNF" -out "$d/ca.csr"
CADIR=$d ossl ca -batch -notext -selfsign -config "$CNF" -keyfile "$d/ca.key" \
    -in "$d/ca.csr" -out "$d/ca.pem" -startdate $START -enddate $END \
    -extensions csca -md sha256
cp "$d/ca.pem" "$OUT/rogue_ca.pem"
key "$OUT/rogue_mlsigner.key" rsa:2048
openssl req -new -key "$OUT/rogue_mlsigner.key" \
    -subj "/C=AA/O=Government of AA/CN=mlsigner AA" -config "$CNF" \
    -out "$d/ml.csr"
CADIR=$d ossl ca -batch -notext -config "$CNF" -in "$d/ml.csr" \
    -out "$OUT/rogue_mlsigner.pem" -startdate $START -enddate $END \
    -extensions mlsigner -md sha256

# The master list content: every CSCA and the link certificate.
MEMBERS=""
for cc in aa bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp qq rr; do
	MEMBERS="$MEMBERS $OUT/${cc}_csca.der"
done
MEMBERS="$MEMBERS $OUT/aa_csca2.der $OUT/aa_link.der"
"$MKDER" ml "$W/ml.content" $MEMBERS
cp "$W/ml.content" "$OUT/ml.content"
MLT=2.23.136.1.1.2
DLT=2.23.136.1.1.7

sign "$OUT/ml_aa.ml" "$W/ml.content" $MLT "$OUT/aa_mlsigner" -keyid -md sha256
sign "$OUT/ml_bb.ml" "$W/ml.content" $MLT "$OUT/bb_mlsigner" -md sha256
sign "$OUT/ml_cc.ml" "$W/ml.content" $MLT "$OUT/cc_mlsigner" -keyid -md sha384
sign "$OUT/ml_dd.ml" "$W/ml.content" $MLT "$OUT/dd_mlsigner" -keyid -md sha256 \
    -keyopt rsa_padding_mode:pss

# Deviation list naming AA's revoked DSC.
"$MKDER" dl "$W/dl.content" "$OUT/aa_dsc2.der" 2.23.136.1.1.7.1.1
sign "$OUT/dl_aa.dl" "$W/dl.content" $DLT "$OUT/aa_dlsigner" -keyid -md sha256

# Trust anchor bundles.
cat "$OUT/aa_csca.pem" > "$OUT/trust_aa.pem"
: > "$OUT/trust_all.pem"
for cc in aa bb cc dd ee ff gg hh ii jj kk ll mm nn oo pp qq rr; do
	cat "$OUT/${cc}_csca.pem" >> "$OUT/trust_all.pem"
done
cat "$OUT/aa_csca2.pem" >> "$OUT/trust_all.pem"

# Broken variants.
B=$OUT/bad
"$MKDER" flip "$OUT/ml_aa.ml" "$B/tampered_content.ml" inside "$W/ml.content"
"$MKDER" flip "$OUT/ml_aa.ml" "$B/tampered_signature.ml" last
"$MKDER" flip "$OUT/ml_bb.ml" "$B/tampered_signature_bp.ml" last
sign "$B/wrong_content_type.ml" "$W/ml.content" 1.2.840.113549.1.7.1 \
    "$OUT/aa_mlsigner" -keyid
sign "$B/ml_as_dl.ml" "$W/ml.content" $DLT "$OUT/aa_mlsigner" -keyid
head -c 2000 "$OUT/ml_aa.ml" > "$B/truncated.ml"
sign "$B/signer_no_eku.ml" "$W/ml.content" $MLT "$OUT/aa_noeku" -keyid
sign "$B/signer_expired.ml" "$W/ml.content" $MLT "$OUT/aa_expired" -keyid
sign "$B/signer_rogue.ml" "$W/ml.content" $MLT "$OUT/rogue_mlsigner" -keyid
sign "$B/dl_signed_by_mlsigner.dl" "$W/dl.content" $DLT "$OUT/aa_mlsigner" -keyid
cp "$OUT/ml_aa.ml" "$B/trailing_garbage.ml"
printf 'garbage' >> "$B/trailing_garbage.ml"
cp "$OUT/aa_csca.der" "$B/cert_trailing_garbage.der"
printf '\000\000' >> "$B/cert_trailing_garbage.der"
: > "$B/empty.ml"
printf 'not a master list\n' > "$B/text.ml"
# A list whose member certificate is cut short inside the signed content.
head -c 600 "$OUT/aa_csca.der" > "$W/short.der"
"$MKDER" ml "$W/bad.content" "$W/short.der" "$OUT/bb_csca.der" 2>/dev/null || true
sign "$B/member_truncated.ml" "$W/bad.content" $MLT "$OUT/aa_mlsigner" -keyid
# Two members that are well-formed SEQUENCEs but no certificates, sorted
# (SET OF) after the 20 good ones: members 20 and 21; the first is named.
{ printf '\060\202\017\000'; head -c 3840 /dev/zero; } > "$W/nc1.der"
{ printf '\060\202\017\020'; head -c 3856 /dev/zero; } > "$W/nc2.der"
"$MKDER" ml "$W/nc.content" $MEMBERS "$W/nc1.der" "$W/nc2.der"
sign "$B/member_not_cert.ml" "$W/nc.content" $MLT "$OUT/aa_mlsigner" -keyid

# A link whose authority key identifier 33 CSCAs of distinct keys carry
# in the list, none of them its issuer (a 34th, absent): more than a
# verifier tries for one link (link-issuer-ambiguous).
AMB=""
for i in $(seq 1 34); do
	key "$W/amb$i.key" ec:prime256v1
	ossl req -new -x509 -key "$W/amb$i.key" -days 3650 -config "$CNF" \
	    -subj "/C=AA/O=Government of AA/CN=CSCA AA $i" -extensions amb \
	    -out "$W/amb$i.pem"
	[ $i -eq 34 ] || {
		openssl x509 -in "$W/amb$i.pem" -outform DER -out "$W/amb$i.der"
		AMB="$AMB $W/amb$i.der"
	}
done
key "$W/ambl.key" ec:prime256v1
openssl req -new -key "$W/ambl.key" -subj "/C=AA/O=Government of AA/CN=CSCA AA 35" \
    -config "$CNF" -out "$W/ambl.csr"
ossl x509 -req -in "$W/ambl.csr" -CA "$W/amb34.pem" -CAkey "$W/amb34.key" \
    -set_serial 35 -days 3650 -extfile "$CNF" -extensions link -outform DER \
    -out "$W/ambl.der"
"$MKDER" ml "$W/amb.content" $AMB "$W/ambl.der"
sign "$B/link_ambiguous.ml" "$W/amb.content" $MLT "$OUT/aa_mlsigner" -keyid

# ICAO PKD download layout (LDIF), written here with base64(1) and sed so
# that npkd's reader meets what it did not write: folded lines, "::" values,
# a dn:: name with UTF-8, attribute names in odd case, nc-data entries with
# their conformance text, and the older CscaMasterListData attribute.
b64val() {	# ATTR FILE: the attribute, its base64 value folded at 76
	printf '%s::\n' "$1"
	base64 -w 75 < "$2" | sed 's/^/ /'
}
pkdbase=dc=download,dc=pkd,dc=icao,dc=int
ldif_head() {	# COLLECTION-DC
	printf 'version: 1\n\n# generated by npkd testdata/gen.sh\ndn: dc=%s,%s\n' \
	    "$1" "$pkdbase"
	printf 'objectClass: top\nobjectClass: domain\ndc: %s\n\n' "$1"
}
ldif_cert() {	# PEM DC O CC [nc]
	iss=$(openssl x509 -in "$1" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
	ser=$(openssl x509 -in "$1" -noout -serial | sed 's/^serial=//')
	esc=$(printf '%s' "$iss" | sed 's/\\/\\\\/g; s/,/\\,/g; s/=/\\=/g; s/+/\\+/g')
	printf 'dn: cn=%s+sn=%s,o=%s,c=%s,dc=%s,%s\n' "$esc" "$ser" "$3" "$4" "$2" "$pkdbase"
	printf 'objectClass: inetOrgPerson\nobjectClass: pkdDownload\n'
	printf 'sn: %s\ncn: %s\npkdVersion: 7\n' "$ser" "$iss"
	if [ "${5:-}" = nc ]; then
		printf 'pkdConformanceCode: ERR:DSC.KU.3\n'
		printf 'pkdConformanceText: ERR:DSC:Extension:KeyUsage: generated test\n'
		printf '  entry with a folded conformance text\n'
	fi
	openssl x509 -in "$1" -outform DER -out "$W/ldif.der"
	b64val 'UserCertificate;BINARY' "$W/ldif.der"
	echo
}
{
	ldif_head data
	for cc in aa bb cc dd ee ff gg hh; do
		ldif_cert "$OUT/${cc}_dsc.pem" data dsc $(echo $cc | tr a-z A-Z)
	done
	ldif_cert "$OUT/aa_dsc2.pem" data dsc AA
	for cc in aa bb; do
		dn=$(printf 'cn=CRL de pa\303\255s %s,o=crl,c=%s,dc=data,%s' \
		    "$cc" "$(echo $cc | tr a-z A-Z)" "$pkdbase" | base64 -w0)
		printf 'dn:: %s\nobjectclass: cRLDistributionPoint\n' "$dn"
		printf 'objectclass: pkdDownload\n'
		b64val 'certificateRevocationList;binary' "$OUT/$cc.crl"
		echo
	done
} > "$OUT/pkd_dsc.ldif"
{
	ldif_head nc-data
	ldif_cert "$OUT/ii_dsc.pem" nc-data dsc II nc
} > "$OUT/pkd_nc.ldif"
{
	ldif_head data
	printf 'dn: cn=ml AA,o=ml,c=AA,dc=data,%s\n' "$pkdbase"
	printf 'objectClass: person\nobjectClass: pkdMasterList\nobjectClass: pkdDownload\n'
	printf 'cn: ml AA\nsn: 1\n'
	b64val pkdMasterListContent "$OUT/ml_aa.ml"
	echo
	printf 'dn: cn=ml CC,o=ml,c=CC,dc=data,%s\n' "$pkdbase"
	printf 'objectClass: person\nobjectClass: pkdMasterList\ncn: ml CC\nsn: 1\n'
	b64val CscaMasterListData "$OUT/ml_cc.ml"
	echo
	printf 'dn: cn=rogue,o=ml,c=AA,dc=data,%s\n' "$pkdbase"
	printf 'objectClass: person\nobjectClass: pkdMasterList\ncn: rogue\nsn: 1\n'
	b64val pkdMasterListContent "$B/signer_rogue.ml"
	echo
} > "$OUT/pkd_ml.ldif"
# Broken LDIF: a certificate value that is not DER, in the middle.
{
	ldif_head data
	ldif_cert "$OUT/aa_dsc.pem" data dsc AA
	printf 'dn: cn=broken,o=dsc,c=AA,dc=data,%s\n' "$pkdbase"
	printf 'userCertificate;binary:: bm90IGEgY2VydGlmaWNhdGU=\n\n'
	ldif_cert "$OUT/bb_dsc.pem" data dsc BB
} > "$B/pkd_broken.ldif"
printf 'version: 1\n\ndn: cn=x\nuserCertificate;binary:: !!!not base64\n' > "$B/pkd_badb64.ldif"
head -c 200 "$OUT/aa.crl" > "$B/crl_truncated.crl"
sed 's/BEGIN X509 CRL/BEGIN X509 CRL/; 5d' "$OUT/aa.crl.pem" > "$B/crl_bad.pem"
printf 'version: 1\n\nuserCertificate: no dn first\n' > "$B/pkd_nodn.ldif"

# A forged DSC (its signature flipped) and one long expired.
"$MKDER" flip "$OUT/aa_dsc.der" "$OUT/aa_dsc_forged.der" last
issue AA dsc_old ec:prime256v1 dsc 100101000000Z 110101000000Z

if [ "$MODE" = bench ]; then
	# 500 CSCAs over 25 countries, keys of the real mix, for make bench.
	BW=$W/bench
	mkdir -p "$BW"
	i=0
	for spec in rsa:2048 ecx:brainpoolP256r1 ec:prime256v1 ecx:brainpoolP384r1 \
	    ec:secp384r1; do
		key "$BW/k$i.key" "$spec"
		i=$((i + 1))
	done
	n=0
	BM=""
	while [ $n -lt 500 ]; do
		k=$((n % 5))
		cc=$(printf "B%c" $(printf "\\$(printf %03o $((65 + n % 25)))"))
		openssl req -new -x509 -key "$BW/k$k.key" -config "$CNF" \
		    -extensions csca -set_serial $((n + 1)) -days 3650 \
		    -subj "/C=$cc/O=Bench $cc/CN=CSCA $cc $n" \
		    -outform DER -out "$BW/c$n.der" 2>/dev/null
		BM="$BM $BW/c$n.der"
		n=$((n + 1))
	done
	"$MKDER" ml "$BW/ml.content" $BM
	sign "$OUT/bench_500.ml" "$BW/ml.content" $MLT "$OUT/aa_mlsigner" -keyid
fi
rm -rf "$W"
