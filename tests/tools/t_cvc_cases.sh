# t_cvc_cases.sh - the CVCA's gate tried as an attacker would: each case is
# a crafted request or certificate from testdata/gencvc.sh (att/, made with
# OpenSSL and OpenPACE, never by npkd).  CASE=N runs case N alone (CASE=9b
# one part of it).
. "$(dirname "$0")/lib.sh"
C=${NPKD_CVC:-}
if [ -z "$C" ] || [ ! -f "$C/att/forged_outer.cvreq" ]; then
	echo "skipped: no EAC test PKI (OpenPACE cvc-create not installed)"
	exit 77
fi
CVC=$NPKD_BIN/cvc
A=$C/att
R=${NPKD_CORPUS:-$(pwd)/../shared/corpus}/eac/real
ZZ="-k $C/zz_cvca.pk8 -s $C/zz_cvca.cvcert"
run() { [ -z "${CASE:-}" ] || [ "$CASE" = "$1" ] || [ "$CASE" = "${1%?}" ]; }
# a fresh register of ZZ's CVCA: PP's CVCA registered, PP's DVs served
register() {
	export NPKD_DIR="$TMP/store$1$(date +%N)"
	"$NPKD_BIN/npkd" -q init
	expect 0 "$CVC" register "$C/pp_cvca.cvcert"
	expect 0 "$CVC" register -o own "$C/zz_cvca.cvcert"
	expect 0 "$CVC" dv add PPDVIS
	expect 0 "$CVC" dv add YYDVIS
}
printf 'roles = dv_foreign\ntype = IS\nrights = read DG3\n' > "$TMP/pp.policy"

if run 1a; then
	# a certificate that merely comes with the request proves nothing
	expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" -c "$A/forged_dv.cvcert" \
	    "$A/forged_outer.cvreq"
	one_line_error "failure_outer_signature: YYDVIS00009: the outer signer YYDVIS00002 does not verify up to a trusted CVCA"
	expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" "$A/forged_dv.cvcert"
fi
if run 1b; then
	register 1
	expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -c "$A/forged_dv.cvcert" \
	    -o "$TMP/x1.cvcert" "$A/forged_outer.cvreq"
	one_line_error "failure_outer_signature"
	[ ! -e "$TMP/x1.cvcert" ] || fail "1: issued to a forged outer signer"
fi
if run 1d; then
	# a certificate in the DV's name, but from one of our DVs (a terminal
	# it named so): it verifies up to us, yet we never issued it to a DV
	register 1
	expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -c "$C/yy_dv.cvcert" \
	    -c "$A/rogue_term.cvcert" -o "$TMP/x1.cvcert" \
	    "$A/via_rogue_term.cvreq"
	one_line_error "failure_outer_signature: PPDVIS00051: PPDVIS00050 was not issued by us to a DV"
	[ ! -e "$TMP/x1.cvcert" ] || fail "1: issued on a DV's terminal's word"
fi
if run 1c; then
	# the real Czech request: absp's own issuer is unknown here
	if [ -f "$R/absp.req" ]; then
		expect 1 "$CVC" verify -D 2008-09-01 -T "$C/zz_cvca.cvcert" \
		    -c "$R/absp.cvcert" "$R/absp.req"
		one_line_error "failure_outer_signature: SEABSP00002: the outer signer SEABSP00001 does not verify up to a trusted CVCA: SEABSP00001: issuer SEDVDPK00001 unknown"
	fi
fi

if run 2; then
	# a plain request of a foreign DV: refused with or without the
	# register (without it, issue refuses to work at all: case 9)
	register 2
	expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/x2.cvcert" \
	    "$A/plain_foreign.cvreq"
	one_line_error "failure_outer_signature: PPDVIS00011: a request from another country must carry an outer signature"
	[ ! -e "$TMP/x2.cvcert" ] || fail "2: a plain foreign request issued"
	expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -T "$C/pp_cvca.cvcert" \
	    -o "$TMP/x2.cvcert" "$A/plain_foreign.cvreq"
	one_line_error "failure_outer_signature"
fi

if run 3a; then
	# our key's algorithm and domain, whatever the request's CAR says
	register 3
	expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/x3.cvcert" \
	    "$A/p256_for_bp.cvreq"
	one_line_error "failure_domain_parameters: PPDVIS00012: domain parameters differ from those of ZZCVCA00001"
	[ ! -e "$TMP/x3.cvcert" ] || fail "3: a key of another domain issued"
fi
if run 3b; then
	register 3
	expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/x3.cvcert" \
	    "$A/rsa_for_ec.cvreq"
	one_line_error "failure_domain_parameters: PPDVIS00013: a rsa-v1_5-sha-256 key, but ZZCVCA00001 signs with ecdsa-sha-256"
	[ ! -e "$TMP/x3.cvcert" ] || fail "3: a key of another domain issued"
fi

if run 4; then
	# a one-byte CHAT 00 grants nothing: within any CHAT of its type
	expect 0 "$CVC" verify -T "$C/at_cvca.cvcert" -c "$C/at_dv.cvcert" \
	    "$A/at_term00.cvcert"
	cvc-print --cvc "$A/at_term00.cvcert" --cvc-dir "$C/dir" 2>/dev/null |
	    grep -qx "certificate verified" || fail "4: OpenPACE disagrees"
	# and a wider one is still refused
	expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" -c "$C/yy_dv.cvcert" \
	    "$C/bad/term_wider.cvcert"
	one_line_error "failure_certificate: YYTERM00002: CHAT wider"
fi

if run 5a; then
	# domain parameters inherited down two levels: a terminal as the
	# outer signer, and a DV certifying EC terminals
	expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" -c "$C/yy_dv.cvcert" \
	    -c "$C/yy_term.cvcert" "$A/term_outer.cvreq"
fi
if run 5b; then
	export NPKD_DIR="$TMP/store5"
	"$NPKD_BIN/npkd" -q init
	expect 0 "$CVC" dv add YYTERM
	printf 'roles = terminal\nrights = read DG3\n' > "$TMP/term.policy"
	expect 0 "$CVC" issue -R terminal -k "$C/yy_dv.pk8" -s "$C/yy_dv.cvcert" \
	    -T "$C/zz_cvca.cvcert" -P "$TMP/term.policy" -o "$TMP/t3.cvcert" \
	    "$A/term_plain.cvreq"
	expect 0 "$CVC" verify -T "$C/zz_cvca.cvcert" -c "$C/yy_dv.cvcert" \
	    "$TMP/t3.cvcert"
	cp -r "$C/dir" "$TMP/dir5"
	cvc-print --cvc "$TMP/t3.cvcert" --cvc-dir "$TMP/dir5" 2>/dev/null |
	    grep -qx "certificate verified" || fail "5: OpenPACE: our terminal"
	# the successive request of a terminal, its current certificate given
	expect 0 "$CVC" issue -R terminal -k "$C/yy_dv.pk8" -s "$C/yy_dv.cvcert" \
	    -T "$C/zz_cvca.cvcert" -c "$C/yy_term.cvcert" \
	    -P "$TMP/term.policy" -o "$TMP/t9.cvcert" "$A/term_outer.cvreq"
fi

if run 6; then
	# the reason is said once, not formatted into the buffer it is read from
	expect 1 "$CVC" verify -T "$C/yy_dv.cvcert" "$C/yy_term.cvcert"
	one_line_error "YYTERM00001: signature by YYDVIS00001 does not verify: no domain parameters for the key$"
fi

if run 7a; then
	# February 30 is no day: not read as March 2
	expect 2 "$CVC" print "$A/feb30.cvcert"
	one_line_error "expiration date is not a calendar date"
fi
if run 7b; then
	expect 2 "$CVC" verify -D 2026-02-30 -T "$C/zz_cvca.cvcert" \
	    "$C/yy_dv.cvcert"
	one_line_error "2026-02-30: no such day"
	expect 0 "$CVC" verify -D 2028-02-29 -T "$C/zz_cvca.cvcert" \
	    "$C/yy_dv.cvcert"
fi

if run 8; then
	# curve names in their usual spellings
	for a in P-256 secp256r1 prime256v1 nistp256 "NIST P-256"; do
		expect 0 "$CVC" keygen -a "$a" -o "$TMP/k8.pk8" -f
		openssl pkey -inform DER -in "$TMP/k8.pk8" -noout -text \
		    2>/dev/null | grep -q "NIST CURVE: P-256" ||
		    fail "8: keygen -a $a"
	done
	for a in P-384 secp384r1 brainpoolP256r1 BRAINPOOLP384T1; do
		expect 0 "$CVC" keygen -a "$a" -o "$TMP/k8.pk8" -f
	done
	expect 2 "$CVC" keygen -a P-255 -o "$TMP/k8.pk8" -f
	one_line_error "unknown curve P-255"
fi

if run 9a; then
	# numbers that are no numbers
	register 9
	expect 2 "$CVC" issue $ZZ -P "$TMP/pp.policy" -n abc \
	    -o "$TMP/x9.cvcert" "$A/pp_initial.cvreq"
	one_line_error "days abc: \"abc\" is not a number"
	expect 2 "$CVC" issue $ZZ -P "$TMP/pp.policy" -n 40000 \
	    -o "$TMP/x9.cvcert" "$A/pp_initial.cvreq"
	[ ! -e "$TMP/x9.cvcert" ] || fail "9: -n abc issued"
fi
if run 9b; then
	register 9
	# sequence numbers ordered within their numbering (TR-03110-3 A.6.1)
	expect 0 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/s7.cvcert" \
	    "$A/seq00007.cvreq"
	expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/sA.cvcert" \
	    "$A/seq0000A.cvreq"
	one_line_error "failure_request_not_accepted: sequence number 0000A is alphanumeric, the holder's last (00007) of another numbering"
	expect 0 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/s8.cvcert" \
	    "$A/seq00008.cvreq"
fi
if run 9c; then
	# without the register there is nothing to remember a request by,
	# so nothing is issued; with it, a request served once is not again
	unset NPKD_DIR
	expect 2 "$CVC" issue $ZZ -P "$TMP/pp.policy" -T "$C/pp_cvca.cvcert" \
	    -o "$TMP/i3.cvcert" "$A/pp_initial.cvreq"
	one_line_error "no store"
	register 9
	expect 0 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/i1.cvcert" \
	    "$A/pp_initial.cvreq"
	expect 1 "$CVC" issue $ZZ -P "$TMP/pp.policy" -o "$TMP/i2.cvcert" \
	    "$A/pp_initial.cvreq"
	one_line_error "failure_request_not_accepted: PPDVIS00020: this request was served before (PPDVIS00020)"
	[ ! -e "$TMP/i2.cvcert" ] && [ ! -e "$TMP/i3.cvcert" ] ||
	    fail "9: a request issued twice"
fi
if run 9d; then
	# an off-curve CVCA key is an invalid key
	expect 1 "$CVC" verify -T "$A/offcurve_cvca.cvcert" \
	    "$A/offcurve_cvca.cvcert"
	one_line_error "failure_certificate: ZZCVCA00001: invalid key of ZZCVCA00001: EC public point is not on brainpoolP256r1"
fi
if run 9e; then
	# a certificate's bad signature is not an outer signature's
	expect 1 "$CVC" verify -T "$C/zz_cvca.cvcert" \
	    "$C/bad/dv_wrong_signer.cvcert"
	one_line_error "failure_certificate: YYDVIS00002: signature by ZZCVCA00001 does not verify"
	expect 1 "$CVC" verify -D 2031-06-01 -T "$C/zz_cvca.cvcert" \
	    "$C/yy_dv.cvcert"
	one_line_error "failure_expired"
fi

if run pp; then
	# issue 9: policy numbers are numbers within 1 to 1098 days, or refused
	register p
	n=0
	for bad in "max_days = 40000" "max_days = 2e14" \
	    "max_days = 200000000000000" "min_days = -5" "max_days = 90x" \
	    "max_days =" "min_days = 30
max_days = 20" "rights = read DG9" "roles = dv_foreign, cvca" \
	    "type = XX" "max_days = 90
max_days = 80" "colour = blue" "no equals sign"; do
		n=$((n + 1))
		printf 'type = IS\n%s\n' "$bad" > "$TMP/bad$n.policy"
		expect 2 "$CVC" issue $ZZ -P "$TMP/bad$n.policy" \
		    -o "$TMP/xp.cvcert" "$A/pp_initial.cvreq"
		one_line_error "bad$n.policy: policy"
		[ ! -e "$TMP/xp.cvcert" ] || fail "p: issued under \"$bad\""
	done
	printf 'type = IS\nrights = read DG3\n\000max_days = 90\n' > "$TMP/nul.policy"
	expect 2 "$CVC" issue $ZZ -P "$TMP/nul.policy" -o "$TMP/xp.cvcert" \
	    "$A/pp_initial.cvreq"
	one_line_error "a NUL byte"
fi
exit 0
