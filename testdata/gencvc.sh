#!/bin/sh
# gencvc.sh OUTDIR MKDER
#
# EAC test PKI made by OpenPACE's cvc-create (an implementation independent
# of npkd): CVCAs on brainpoolP256r1, P-256, brainpoolP384r1 and RSA
# (PKCS#1 v1.5 and PSS), a link certificate after a CVCA rekey, DVs and
# terminals of every role and terminal type, and broken variants.
# Skipped (exit 77) when cvc-create is not installed.
set -eu
OUT=$1
MKDER=$2
command -v cvc-create >/dev/null 2>&1 || { echo "gencvc: no cvc-create"; exit 77; }
rm -rf "$OUT"
mkdir -p "$OUT/bad" "$OUT/dir"
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
