# t_store_hostile.sh - the store under hostile conditions: read-only and
# damaged stores, names that carry control characters, error lines.
. "$(dirname "$0")/lib.sh"
export NPKD_DIR="$TMP/store"
expect 0 "$NPKD" init
expect 0 "$NPKD" import -T "$T/trust_aa.pem" "$T/ml_aa.ml" "$T/pkd_dsc.ldif"

# Names are data: a newline or an escape in a subject does not reach the
# terminal raw, and one object stays one line.
expect 0 "$NPKD" import "$T/bad/evil_cn.der"
expect 0 "$NPKD" ls -c AA
[ "$(wc -l < "$TMP/out")" -eq "$("$NPKD" ls -j -c AA | wc -l)" ] ||
    fail "a subject with a newline split a listing line"
grep -q 'CN=line one\\x0aline two\\x1b\[2J' "$TMP/out" ||
    fail "control characters not shown escaped"
LC_ALL=C grep -q "$(printf '\033')" "$TMP/out" && fail "raw escape in ls"
expect 0 "$NPKD" show "$(sha256sum < "$T/bad/evil_cn.der" | cut -c1-16)"
LC_ALL=C grep -q "$(printf '\033')" "$TMP/out" && fail "raw escape in show"
grep -q '^subject: *CN=line one\\x0aline two' "$TMP/out" || fail "show subject"

# An LDIF error names the file once, then the line.
expect 2 "$NPKD" import "$T/bad/pkd_badb64.ldif"
one_line_error "pkd_badb64.ldif: line 4"
[ "$(grep -o 'pkd_badb64.ldif' "$TMP/err" | wc -l)" -eq 1 ] ||
    fail "the LDIF file is named twice: $(cat "$TMP/err")"

# A write-protected store (an archive, a read-only medium) can be read by
# someone who may not write it: ls, show and export work; import and
# check fail with one line and change nothing.
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	ro=$TMP/ro
	mkdir "$ro"
	cp -a "$NPKD_DIR" "$ro/store"
	chmod 0755 "$TMP" "$ro" "$ro/store"
	chmod 0644 "$ro/store/npkd.db"
	nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	expect 0 nobody "$NPKD" -d "$ro/store" ls
	[ "$(wc -l < "$TMP/out")" -eq "$("$NPKD" ls | wc -l)" ] ||
	    fail "read-only ls lists another count"
	expect 0 nobody "$NPKD" -d "$ro/store" show \
	    "$(sha256sum < "$T/aa_csca.der" | cut -c1-16)"
	expect 0 nobody "$NPKD" -d "$ro/store" export ldif -o -
	grep -q "^dn: " "$TMP/out" || fail "read-only export ldif"
	sum=$(sha256sum < "$ro/store/npkd.db")
	expect 2 nobody "$NPKD" -d "$ro/store" import "$T/ml_bb.ml"
	[ "$(wc -l < "$TMP/err")" -eq 1 ] || fail "read-only import: one line"
	expect 2 nobody "$NPKD" -d "$ro/store" check
	[ "$(sha256sum < "$ro/store/npkd.db")" = "$sum" ] ||
	    fail "a refused write changed the read-only store"
	ls "$ro/store" | grep -q -- '-wal\|-shm' && fail "read-only left WAL files"
else
	echo "read-only store: skipped (needs root and setpriv)" >&2
fi

# A damaged store: every command that writes refuses it, with one line,
# and the import leaves it as it was.
# A file over the limit (256 MiB) is refused by its size, in one line
# naming it, and the store is not changed.
truncate -s 268435457 "$TMP/huge.ml"
n0=$("$NPKD" ls | wc -l)
expect 2 "$NPKD" import "$TMP/huge.ml"
one_line_error huge.ml
grep -q "larger than 268435456 bytes" "$TMP/err" || fail "no size limit"
[ "$("$NPKD" ls | wc -l)" -eq "$n0" ] || fail "a refused file changed the store"
rm -f "$TMP/huge.ml"

cp -a "$NPKD_DIR" "$TMP/damaged"
db=$TMP/damaged/npkd.db
# two pages in the middle overwritten (the page size: header bytes 16-17)
ps=$(od -An -tu1 -j16 -N2 "$db" | awk '{ print $1 * 256 + $2 }')
pages=$(($(stat -c %s "$db") / ps))
[ "$pages" -gt 8 ] || fail "store too small to damage"
dd if=/dev/urandom of="$db" bs="$ps" seek=$((pages / 2)) count=2 \
    conv=notrunc 2>/dev/null
sum=$(sha256sum < "$db")
expect 2 "$NPKD" -d "$TMP/damaged" import "$T/ml_bb.ml"
one_line_error "damaged"
[ "$(sha256sum < "$db")" = "$sum" ] || fail "import wrote into a damaged store"
# check finds it before it commits: on one thread first, on two while
# it works (npkd_store_integrity_start), and writes nothing either way
for t in 1 2; do
	expect 2 "$NPKD" -d "$TMP/damaged" check -t $t
	one_line_error "damaged"
	[ "$(sha256sum < "$db")" = "$sum" ] ||
	    fail "check -t $t wrote into a damaged store"
done
exit 0
