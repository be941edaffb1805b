#!/bin/sh
# gencvc.sh OUTDIR MKDER MKCV
#
# EAC test PKI made by OpenPACE's cvc-create (an implementation independent
# of npkd): CVCAs on brainpoolP256r1, P-256, brainpoolP384r1 and RSA
# (PKCS#1 v1.5 and PSS), a link certificate after a CVCA rekey, DVs and
# terminals of every role and terminal type, and broken variants.  In
# att/, what an attacker would hand a CVCA: certificate requests built
# here from OpenSSL signatures and mkcv's TLVs (never by npkd), forged
# outer signers, keys of other domains and algorithms.
# Skipped (exit 77) when cvc-create is not installed.
set -eu
OUT=$1
MKDER=$2
MKCV=$3
command -v cvc-create >/dev/null 2>&1 || { echo "gencvc: no cvc-create"; exit 77; }
rm -rf "$OUT"
mkdir -p "$OUT/bad" "$OUT/dir" "$OUT/att" "$OUT/tmp"
cd "$OUT"

eckey() { openssl ecparam -name "$1" -genkey -noout |
    openssl pkcs8 -topk8 -nocrypt -outform DER -out "$2"; }
rsakey() { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:$1 |
    openssl pkcs8 -topk8 -nocrypt -outform DER -out "$2"; }
cc() { cvc-create "$@" >/dev/null; }

# brainpoolP256r1 chain: CVCA -> foreign DV -> IS terminal
eckey brainpoolP256r1 zz_cvca.pk8
cc --role=cvca --type=is --chr=ZZCVCA00001 --issued=250101 --expires=301231 \
    --sign-with=zz_cvca.pk8 --scheme=ECDSA_SHA_256 --read-finger --read-iris \
    --out-cert=zz_cvca.cvcert
cc --role=dv_foreign --chr=YYDVIS00001 --issued=250101 --expires=291231 \
    --sign-as=zz_cvca.cvcert --sign-with=zz_cvca.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --out-cert=yy_dv.cvcert --out-key=yy_dv.pk8
cc --role=terminal --chr=YYTERM00001 --issued=250101 --expires=281231 \
    --sign-as=yy_dv.cvcert --sign-with=yy_dv.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --out-cert=yy_term.cvcert --out-key=yy_term.pk8
# an eID (AT) chain: CVCA -> domestic DV with a subset of its rights
eckey brainpoolP256r1 at_cvca.pk8
cc --role=cvca --type=at --chr=ATCVCA00001 --issued=250101 --expires=301231 \
    --sign-with=at_cvca.pk8 --scheme=ECDSA_SHA_256 --read-dg1 --read-dg2 \
    --read-dg4 --verify-age --rid --out-cert=at_cvca.cvcert
cc --role=dv_domestic --chr=ATDVAT00001 --issued=250101 --expires=291231 \
    --sign-as=at_cvca.cvcert --sign-with=at_cvca.pk8 --scheme=ECDSA_SHA_256 \
    --read-dg1 --verify-age --out-cert=at_dv.cvcert --out-key=at_dv.pk8
# CVCA rekey: a link certificate (old key signs the new CVCA)
eckey brainpoolP256r1 zz_cvca2.pk8
cc --role=cvca --type=is --chr=ZZCVCA00002 --issued=250601 --expires=311231 \
    --sign-as=zz_cvca.cvcert --sign-with=zz_cvca.pk8 --key=zz_cvca2.pk8 \
    --scheme=ECDSA_SHA_256 --read-finger --read-iris --out-cert=zz_link.cvcert
cc --role=dv_foreign --chr=XXDVIS00001 --issued=250601 --expires=291231 \
    --sign-as=zz_link.cvcert --sign-with=zz_cvca2.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --read-iris --out-cert=xx_dv.cvcert --out-key=xx_dv.pk8
# other algorithms: P-256 (GnuTLS route), brainpoolP384r1, RSA v1.5 and PSS
eckey prime256v1 pp_cvca.pk8
cc --role=cvca --type=is --chr=PPCVCA00001 --issued=250101 --expires=301231 \
    --sign-with=pp_cvca.pk8 --scheme=ECDSA_SHA_256 --read-finger --out-cert=pp_cvca.cvcert
cc --role=dv_foreign --chr=PPDVIS00001 --issued=250101 --expires=291231 \
    --sign-as=pp_cvca.cvcert --sign-with=pp_cvca.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --out-cert=pp_dv.cvcert --out-key=pp_dv.pk8
eckey brainpoolP384r1 bb_cvca.pk8
cc --role=cvca --type=st --chr=BBCVCA00001 --issued=250101 --expires=301231 \
    --sign-with=bb_cvca.pk8 --scheme=ECDSA_SHA_384 --gen-sig --gen-qualified-sig \
    --out-cert=bb_cvca.cvcert
cc --role=dv_domestic --chr=BBDVST00001 --issued=250101 --expires=291231 \
    --sign-as=bb_cvca.cvcert --sign-with=bb_cvca.pk8 --scheme=ECDSA_SHA_384 \
    --gen-sig --out-cert=bb_dv.cvcert --out-key=bb_dv.pk8
rsakey 2048 rr_cvca.pk8
cc --role=cvca --type=is --chr=RRCVCA00001 --issued=250101 --expires=301231 \
    --sign-with=rr_cvca.pk8 --scheme=RSA_v1_5_SHA_256 --read-finger \
    --out-cert=rr_cvca.cvcert
cc --role=dv_foreign --chr=RRDVIS00001 --issued=250101 --expires=291231 \
    --sign-as=rr_cvca.cvcert --sign-with=rr_cvca.pk8 --scheme=RSA_v1_5_SHA_256 \
    --read-finger --out-cert=rr_dv.cvcert --out-key=rr_dv.pk8
rsakey 2048 rp_cvca.pk8
cc --role=cvca --type=is --chr=RPCVCA00001 --issued=250101 --expires=301231 \
    --sign-with=rp_cvca.pk8 --scheme=RSA_PSS_SHA_256 --read-finger \
    --out-cert=rp_cvca.cvcert
cc --role=dv_foreign --chr=RPDVIS00001 --issued=250101 --expires=291231 \
    --sign-as=rp_cvca.cvcert --sign-with=rp_cvca.pk8 --scheme=RSA_PSS_SHA_256 \
    --read-finger --out-cert=rp_dv.cvcert --out-key=rp_dv.pk8

# every other id-TA algorithm, as self-signed CVCAs
i=1
for a in ECDSA_SHA_1:prime256v1 ECDSA_SHA_224:brainpoolP224r1 \
    ECDSA_SHA_512:brainpoolP512r1 ECDSA_SHA_384:secp384r1 \
    RSA_v1_5_SHA_1:rsa RSA_v1_5_SHA_512:rsa RSA_PSS_SHA_1:rsa \
    RSA_PSS_SHA_512:rsa; do
	scheme=${a%%:*} curve=${a#*:}
	if [ "$curve" = rsa ]; then
		rsakey 2048 alg$i.pk8
	else
		eckey "$curve" alg$i.pk8
	fi
	cc --role=cvca --type=is --chr=A${i}CVCA00001 --issued=250101 \
	    --expires=301231 --sign-with=alg$i.pk8 --scheme=$scheme \
	    --read-finger --out-cert=alg_$scheme.cvcert
	i=$((i + 1))
done

# for cvc-print --cvc-dir: certificates named by CHR
for f in *.cvcert; do
	chr=$(cvc-print --cvc "$f" 2>/dev/null | sed -n 's/^  CHR: //p')
	cp "$f" "dir/$chr"
done

# broken variants
B=bad
eckey brainpoolP256r1 rogue.pk8
cc --role=dv_foreign --chr=YYDVIS00002 --issued=250101 --expires=291231 \
    --sign-as=zz_cvca.cvcert --sign-with=rogue.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --out-cert=$B/dv_wrong_signer.cvcert --out-key=$B/x.pk8
cc --role=dv_foreign --chr=YYDVIS00003 --issued=200101 --expires=200301 \
    --sign-as=zz_cvca.cvcert --sign-with=zz_cvca.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --out-cert=$B/dv_expired.cvcert --out-key=$B/y.pk8
# a terminal that asks for more than its DV may grant (DG4)
cc --role=terminal --chr=YYTERM00002 --issued=250101 --expires=281231 \
    --sign-as=yy_dv.cvcert --sign-with=yy_dv.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --read-iris --out-cert=$B/term_wider.cvcert --out-key=$B/z.pk8
"$MKDER" flip yy_dv.cvcert $B/dv_flipped_sig.cvcert last
cp yy_dv.cvcert $B/trailing.cvcert
printf '\000' >> $B/trailing.cvcert
head -c 100 yy_dv.cvcert > $B/truncated.cvcert
rm -f $B/*.pk8

# --- att/: requests and certificates an attacker would hand us ----------
A=att
T=tmp
M=$MKCV
# ecreq OUT KEY CHR CAR|- PARAMS HASH N: a plain request for the EC key
# KEY in the algorithm and domain of the certificate PARAMS, CAR or none,
# self-signed with HASH (N: length of the group order)
ecreq() {
	openssl pkey -inform DER -in "$2" -pubout -outform DER -out $T/spki
	"$M" spki $T/spki $T/point point
	"$M" cvget "$5" $T/pk 7F49
	"$M" cvpick $T/pk $T/oid 06
	"$M" cvdrop $T/pk $T/dp 06 86 87
	"$M" tlv 86 $T/q $T/point
	"$M" raw $T/cof 870101
	"$M" tlv 7F49 $T/key $T/oid $T/dp $T/q $T/cof
	reqbody "$3" "$4"
	reqsign "$1" "$2" "$6" "$7"
}
# rsareq OUT KEY CHR CAR|-: a plain request for RSA key KEY, rsa-v1_5-sha-256
rsareq() {
	openssl pkey -inform DER -in "$2" -pubout -outform DER -out $T/spki
	"$M" spki $T/spki $T/n n
	"$M" spki $T/spki $T/e e
	"$M" raw $T/oid 060A04007F00070202020102
	"$M" tlv 81 $T/nt $T/n
	"$M" tlv 82 $T/et $T/e
	"$M" tlv 7F49 $T/key $T/oid $T/nt $T/et
	reqbody "$3" "$4"
	reqsign "$1" "$2" sha256 0
}
reqbody() {
	"$M" raw $T/cpi 5F290100
	printf '%s' "$1" > $T/chr.txt
	"$M" tlv 5F20 $T/chr $T/chr.txt
	if [ "$2" = - ]; then
		"$M" tlv 7F4E $T/body $T/cpi $T/key $T/chr
	else
		printf '%s' "$2" > $T/car.txt
		"$M" tlv 42 $T/car $T/car.txt
		"$M" tlv 7F4E $T/body $T/cpi $T/car $T/key $T/chr
	fi
}
# sig FILE KEY HASH N: 5F37 over FILE (ECDSA as r || s of N bytes each)
sig() {
	openssl dgst -"$3" -sign "$2" -keyform DER -out $T/sig.der "$1"
	if [ "$4" -gt 0 ]; then
		"$M" rs $T/sig.der $T/sig.raw "$4"
	else
		cp $T/sig.der $T/sig.raw
	fi
	"$M" tlv 5F37 $T/sig $T/sig.raw
}
reqsign() {
	sig $T/body "$2" "$3" "$4"
	"$M" tlv 7F21 "$1" $T/body $T/sig
}
# auth OUT REQ KEY OUTERCAR HASH N: the outer signature by KEY over the
# request and the outer CAR (ICAO 9303-12 8.1.1.5)
auth() {
	printf '%s' "$4" > $T/ocar.txt
	"$M" tlv 42 $T/ocar $T/ocar.txt
	cat "$2" $T/ocar > $T/tbs
	sig $T/tbs "$3" "$5" "$6"
	"$M" tlv 67 "$1" "$2" $T/ocar $T/sig
}
# 1: a DV certificate in YY's name, signed by a rogue key as if by ZZ's
# CVCA, and a request whose outer signature that key makes
eckey brainpoolP256r1 $A/rogue.pk8
cc --role=dv_foreign --chr=YYDVIS00002 --issued=250101 --expires=291231 \
    --sign-as=zz_cvca.cvcert --sign-with=$A/rogue.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --out-cert=$A/forged_dv.cvcert --out-key=$A/forged_dv.pk8
eckey brainpoolP256r1 $A/new.pk8
ecreq $T/r $A/new.pk8 YYDVIS00009 ZZCVCA00001 zz_cvca.cvcert sha256 32
auth $A/forged_outer.cvreq $T/r $A/forged_dv.pk8 YYDVIS00002 sha256 32
# and a DV of ours (YY's, certified by ZZ) naming one of its terminals
# after PP's DV, to vouch for a request in that DV's name
cc --role=terminal --chr=PPDVIS00050 --issued=250101 --expires=281231 \
    --sign-as=yy_dv.cvcert --sign-with=yy_dv.pk8 --scheme=ECDSA_SHA_256 \
    --read-finger --out-cert=$A/rogue_term.cvcert --out-key=$A/rogue_term.pk8
eckey brainpoolP256r1 $A/pp51.pk8
ecreq $T/r $A/pp51.pk8 PPDVIS00051 ZZCVCA00001 zz_cvca.cvcert sha256 32
auth $A/via_rogue_term.cvreq $T/r $A/rogue_term.pk8 PPDVIS00050 sha256 32
# 2: a plain request of a foreign DV (PP's), in our domain
eckey brainpoolP256r1 $A/pp11.pk8
ecreq $A/plain_foreign.cvreq $A/pp11.pk8 PPDVIS00011 ZZCVCA00001 \
    zz_cvca.cvcert sha256 32
# 3: PP's CVCA vouches for a P-256 key and for an RSA key, asked of ZZ
# (brainpoolP256r1, ECDSA) without naming it in the CAR
eckey prime256v1 $A/pp12.pk8
ecreq $T/r $A/pp12.pk8 PPDVIS00012 PPCVCA00001 pp_cvca.cvcert sha256 32
auth $A/p256_for_bp.cvreq $T/r pp_cvca.pk8 PPCVCA00001 sha256 32
rsakey 2048 $A/pp13.pk8
rsareq $T/r $A/pp13.pk8 PPDVIS00013 PPCVCA00001
auth $A/rsa_for_ec.cvreq $T/r pp_cvca.pk8 PPCVCA00001 sha256 32
# 4: an AT terminal with a one-byte CHAT 00 (no rights) under a DV whose
# CHAT has five bytes
cc --role=terminal --chr=ATTERM00001 --chat=00 --issued=250101 \
    --expires=281231 --sign-as=at_dv.cvcert --sign-with=at_dv.pk8 \
    --scheme=ECDSA_SHA_256 --out-cert=$A/at_term00.cvcert \
    --out-key=$A/at_term00.pk8
# 5: a terminal's successive request, its outer signer two levels below
# the CVCA; a terminal's plain request to its DV
eckey brainpoolP256r1 $A/term9.pk8
ecreq $T/r $A/term9.pk8 YYTERM00009 YYDVIS00001 zz_cvca.cvcert sha256 32
auth $A/term_outer.cvreq $T/r yy_term.pk8 YYTERM00001 sha256 32
eckey brainpoolP256r1 $A/term3.pk8
ecreq $A/term_plain.cvreq $A/term3.pk8 YYTERM00003 YYDVIS00001 \
    zz_cvca.cvcert sha256 32
# 7: a DV certificate that expires on February 30
cc --role=dv_domestic --chr=ATDVAT00030 --issued=250101 --expires=260230 \
    --sign-as=at_cvca.cvcert --sign-with=at_cvca.pk8 --scheme=ECDSA_SHA_256 \
    --read-dg1 --out-cert=$A/feb30.cvcert --out-key=$A/feb30.pk8
# 9: a CVCA whose public point is off its curve; PP's DV numbering
# 00007, then 0000A, then 00008, each request vouched for by PP's CVCA
"$M" cvflip zz_cvca.cvcert $A/offcurve_cvca.cvcert 86
for q in 00007 0000A 00008; do
	eckey brainpoolP256r1 $A/seq$q.pk8
	ecreq $T/r $A/seq$q.pk8 PPDVIS$q ZZCVCA00001 zz_cvca.cvcert sha256 32
	auth $A/seq$q.cvreq $T/r pp_cvca.pk8 PPCVCA00001 sha256 32
done
# an initial request of PP's DV, vouched for by PP's CVCA (for issuing)
eckey brainpoolP256r1 $A/pp20.pk8
ecreq $T/r $A/pp20.pk8 PPDVIS00020 ZZCVCA00001 zz_cvca.cvcert sha256 32
auth $A/pp_initial.cvreq $T/r pp_cvca.pk8 PPCVCA00001 sha256 32
# PP's CVCA vouching for a DV of another country (QQ)
ecreq $T/r $A/pp20.pk8 QQDVIS00020 ZZCVCA00001 zz_cvca.cvcert sha256 32
auth $A/pp_for_qq.cvreq $T/r pp_cvca.pk8 PPCVCA00001 sha256 32
rm -rf $T
