#!/bin/sh
# genscale.sh OUTDIR MKDER COUNTRIES DSCS
#
# A PKD-sized corpus for make bench (200 countries, 30 000 DSCs) and, small,
# for the kill test: per country 1 to 3 CSCA generations joined by link
# certificates, DSCs spread over the generations, one CRL revoking a DSC,
# with the algorithm mix of real data: RSA PKCS#1 and PSS, ECDSA on P-256,
# P-384 and P-521, brainpool with explicit domain parameters.  OpenSSL
# issues everything (openssl ca signs each country's DSCs in one process);
# awk turns the PEM files into LDIF without a process per certificate.
#
# Output: anchors.pem (the officer's CSCAs, first generation), ml.ml (all
# CSCAs and links, signed by country 0's ML signer), pkd.ldif (DSCs and
# CRLs, the ICAO download layout), dsc/CC.pem and crl/CC.crl (single files).
set -eu
OUT=$1
MKDER=$2
NC=$3
NDSC=$4
umask 022
rm -rf "$OUT"
mkdir -p "$OUT/w" "$OUT/dsc" "$OUT/crl"
OUT=$(cd "$OUT" && pwd)
W=$OUT/w
CADIR=$W
export CADIR

cat > "$W/ca.cnf" <<'EOF'
[ca]
default_ca = d
[d]
dir = $ENV::CADIR
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = $dir/ca.pem
private_key = $dir/ca.key
default_md = sha256
policy = p
unique_subject = no
preserve = yes
default_crl_days = 90
crl_extensions = crl_ext
[p]
countryName = optional
organizationName = optional
commonName = optional
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
[dsc]
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[mlsigner]
keyUsage = critical,digitalSignature
extendedKeyUsage = 2.23.136.1.1.3
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
EOF
CNF=$W/ca.cnf

ossl() {
	if ! openssl "$@" 2>"$W/err"; then
		cat "$W/err" >&2
		exit 1
	fi
}

# The mix, by country number: spec, digest, pss
mix() {
	case $(($1 % 20)) in
	0|1|2|3|4|5|6)	echo "rsa:2048 sha256 -" ;;
	7)		echo "rsa:3072 sha256 pss" ;;
	8)		echo "rsa:2048 sha512 pss" ;;
	9|10|11|12)	echo "ec:prime256v1 sha256 -" ;;
	13|14)		echo "ec:secp384r1 sha384 -" ;;
	15)		echo "ec:secp521r1 sha512 -" ;;
	16|17)		echo "ecx:brainpoolP256r1 sha256 -" ;;
	18)		echo "ecx:brainpoolP384r1 sha384 -" ;;
	19)		echo "ecx:brainpoolP512r1 sha512 -" ;;
	esac
}

key() {
	case $2 in
	rsa:*)	openssl genpkey -quiet -algorithm RSA \
		    -pkeyopt rsa_keygen_bits:${2#rsa:} -out "$1" ;;
	ec:*)	openssl ecparam -name "${2#ec:}" -genkey -noout -out "$1" ;;
	ecx:*)	openssl ecparam -name "${2#ecx:}" -param_enc explicit -genkey \
		    -noout -out "$1" ;;
	esac
}

sigopts() {	# MD PSS
	if [ "$2" = pss ]; then
		echo "-md $1 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:-1"
	else
		echo "-md $1"
	fi
}

# Country codes: two letters from the number (AA, AB, ... up to 676).
code() {
	printf "%s%s" "$(printf "\\$(printf %03o $((65 + $1 / 26)))")" \
	    "$(printf "\\$(printf %03o $((65 + $1 % 26)))")"
}

# A small pool of DSC keys: DSC keys do not count for validation cost.
for i in 0 1 2 3; do
	key "$W/dsckey$i.pem" ec:prime256v1
	openssl req -new -key "$W/dsckey$i.pem" -subj "/CN=dsc" -config "$CNF" \
	    -out "$W/dsc$i.csr"
done

: > "$OUT/anchors.pem"
MEMBERS=""
per=$(( (NDSC + NC - 1) / NC ))
c=0
while [ $c -lt $NC ]; do
	cc=$(code $c)
	set -- $(mix $c)
	spec=$1 md=$2 pss=$3
	gens=$((1 + c % 3))
	g=1
	prev=""
	while [ $g -le $gens ]; do
		d=$W/$cc$g
		mkdir -p "$d/new"
		: > "$d/index.txt"
		printf '%04x00\n' $((c * 4 + g)) > "$d/serial"
		echo 01 > "$d/crlnumber"
		key "$d/ca.key" "$spec"
		ossl req -new -key "$d/ca.key" -config "$CNF" \
		    -subj "/C=$cc/O=Government of $cc/CN=CSCA $cc $g" -out "$d/ca.csr"
		CADIR=$d ossl ca -batch -notext -selfsign -config "$CNF" \
		    -keyfile "$d/ca.key" -in "$d/ca.csr" -out "$d/ca.pem" \
		    -startdate 200101000000Z -enddate 491231235959Z \
		    -extensions csca $(sigopts $md $pss)
		openssl x509 -in "$d/ca.pem" -outform DER -out "$d/ca.der"
		rm -f "$d/new/$(openssl x509 -in "$d/ca.pem" -noout -serial |
		    cut -d= -f2).pem"
		MEMBERS="$MEMBERS $d/ca.der"
		[ $g -eq 1 ] && cat "$d/ca.pem" >> "$OUT/anchors.pem"
		if [ -n "$prev" ]; then
			# link: the previous generation's key signs the new one
			CADIR=$prev ossl ca -batch -notext -config "$CNF" \
			    -in "$d/ca.csr" -out "$d/link.pem" \
			    -startdate 200101000000Z -enddate 491231235959Z \
			    -extensions csca $(sigopts $md $pss)
			openssl x509 -in "$d/link.pem" -outform DER -out "$d/link.der"
			rm -f "$prev/new/$(openssl x509 -in "$d/link.pem" \
			    -noout -serial | cut -d= -f2).pem"
			MEMBERS="$MEMBERS $d/link.der"
		fi
		# this generation's share of the DSCs, in one openssl process
		n=$((per / gens + (g == gens ? per % gens : 0)))
		if [ $n -gt 0 ]; then
			csrs=""
			i=0
			while [ $i -lt $n ]; do
				csrs="$csrs $W/dsc$((i % 4)).csr"
				i=$((i + 1))
			done
			CADIR=$d ossl ca -batch -notext -config "$CNF" \
			    -startdate 200101000000Z -enddate 491231235959Z \
			    -extensions dsc -subj "/C=$cc/O=Government of $cc/CN=DS $cc $g" \
			    $(sigopts $md $pss) -out /dev/null -infiles $csrs
		fi
		prev=$d
		g=$((g + 1))
	done
	# the newest generation's CRL revokes its first DSC
	first=$(ls "$prev/new" | head -n 1)
	if [ -n "$first" ]; then
		CADIR=$prev ossl ca -config "$CNF" -revoke "$prev/new/$first"
	fi
	CADIR=$prev ossl ca -config "$CNF" -gencrl -crldays 90 -out "$W/$cc.crl.pem"
	openssl crl -in "$W/$cc.crl.pem" -outform DER -out "$OUT/crl/$cc.crl"
	cat "$W/$cc"[123]/new/*.pem > "$OUT/dsc/$cc.pem" 2>/dev/null || true
	c=$((c + 1))
done

# The master list: every CSCA and link, signed by country 0's ML signer.
cc0=$(code 0)
key "$W/mlsigner.key" rsa:2048
ossl req -new -key "$W/mlsigner.key" -config "$CNF" \
    -subj "/C=$cc0/O=Government of $cc0/CN=ML signer $cc0" -out "$W/ml.csr"
CADIR=$W/${cc0}1 ossl ca -batch -notext -config "$CNF" -in "$W/ml.csr" \
    -out "$W/mlsigner.pem" -startdate 200101000000Z -enddate 491231235959Z \
    -extensions mlsigner -md sha256
"$MKDER" ml "$W/ml.content" $MEMBERS
openssl cms -sign -binary -nodetach -nosmimecap -outform DER \
    -econtent_type 2.23.136.1.1.2 -in "$W/ml.content" -signer "$W/mlsigner.pem" \
    -inkey "$W/mlsigner.key" -keyid -md sha256 -out "$OUT/ml.ml"

# One more LDIF of 100 DSCs of the first country, new to the store, for
# the incremental check of make bench.
mkdir -p "$W/extra"
i=0 csrs=""
while [ $i -lt 100 ]; do
	csrs="$csrs $W/dsc$((i % 4)).csr"
	i=$((i + 1))
done
d1=$W/$cc0$((1 + 0 % 3))
CADIR=$d1 ossl ca -batch -notext -config "$CNF" \
    -startdate 200101000000Z -enddate 491231235959Z -extensions dsc \
    -subj "/C=$cc0/O=Government of $cc0/CN=DS $cc0 extra" \
    -md sha256 -outdir "$W/extra" -out /dev/null -infiles $csrs
cat "$W"/extra/*.pem > "$W/extra/$cc0.pem"

# LDIF: one entry per DSC and CRL, values straight from the PEM base64.
ldif() {
awk -v base="dc=data,dc=download,dc=pkd,dc=icao,dc=int" '
BEGIN { print "version: 1\n"; n = 0 }
function flush(   i, s, v) {
	if (b64 == "") return
	n++
	printf "dn: cn=%s+sn=%d,o=%s,c=%s,%s\n", iss, n, o, cc, base
	printf "objectClass: inetOrgPerson\nobjectClass: pkdDownload\n"
	printf "cn: %s\nsn: %d\npkdVersion: 1\n", iss, n
	s = attr ":: " b64
	printf "%s\n", substr(s, 1, 76)
	for (i = 77; i <= length(s); i += 75)
		printf " %s\n", substr(s, i, 75)
	printf "\n"
	b64 = ""
}
FNR == 1 { f = FILENAME; sub(/.*\//, "", f); sub(/\..*/, "", f); cc = f
	iss = "CSCA " cc; o = (FILENAME ~ /crl/) ? "crl" : "dsc"
	attr = (o == "crl") ? "certificateRevocationList;binary" : "userCertificate;binary" }
/^-----BEGIN/ { b64 = ""; inb = 1; next }
/^-----END/ { inb = 0; flush(); next }
inb { b64 = b64 $0 }
' "$@"
}
ldif "$OUT"/dsc/*.pem "$W"/*.crl.pem > "$OUT/pkd.ldif"
ldif "$W/extra/$cc0.pem" > "$OUT/extra.ldif"
rm -rf "$W"
