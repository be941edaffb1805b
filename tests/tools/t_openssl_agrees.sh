# t_openssl_agrees.sh - where OpenSSL can judge a list (RSA and named NIST
# signers), npkd's verdict is the same as OpenSSL's.
. "$(dirname "$0")/lib.sh"

judge() {	# FILE ANCHOR -> "valid" or "invalid" for both tools
	if openssl cms -verify -inform DER -in "$1" -CAfile "$2" -purpose any \
	    -binary -out /dev/null >/dev/null 2>&1; then o=valid; else o=invalid; fi
	if "$NPKD" ml verify -q -T "$2" "$1" 2>/dev/null; then n=valid; else n=invalid; fi
	[ "$o" = "$n" ] || fail "$(basename "$1"): openssl says $o, npkd says $n"
	echo "$n"
}
[ "$(judge "$T/ml_aa.ml" "$T/aa_csca.pem")" = valid ] || fail ml_aa
[ "$(judge "$T/ml_cc.ml" "$T/cc_csca.pem")" = valid ] || fail ml_cc
[ "$(judge "$T/ml_dd.ml" "$T/dd_csca.pem")" = valid ] || fail ml_dd
[ "$(judge "$T/dl_aa.dl" "$T/aa_csca.pem")" = valid ] || fail dl_aa
for f in tampered_content tampered_signature signer_rogue; do
	[ "$(judge "$T/bad/$f.ml" "$T/aa_csca.pem")" = invalid ] || fail $f
done
# the wrong anchor: both refuse
[ "$(judge "$T/ml_aa.ml" "$T/cc_csca.pem")" = invalid ] || fail "wrong anchor"
exit 0
