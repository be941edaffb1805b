# t_install.sh - the library as make install leaves it (NPKD_INST, a
# DESTDIR with PREFIX=/usr): shared with its soname and only the public
# interface exported, static, the header and the pkg-config file; a small
# inspection program built outside the tree with pkg-config, against the
# shared and against the static library, verifies documents.
. "$(dirname "$0")/lib.sh"
I=${NPKD_INST:?}
D=${NPKD_DOCS:?}
L=$I/usr/lib
[ -f "$L/pkgconfig/npkd.pc" ] || fail "no npkd.pc under $I"
[ -f "$I/usr/include/npkd.h" ] || fail "no header"
[ -f "$L/libnpkd.a" ] || fail "no static library"
[ "$(readlink "$L/libnpkd.so")" = libnpkd.so.0 ] || fail "libnpkd.so link"
so=$L/$(readlink "$L/libnpkd.so.0")
[ -f "$so" ] || fail "libnpkd.so.0 link"
objdump -p "$so" | grep -q 'SONAME *libnpkd.so.0$' || fail "soname"
nm -D --defined-only "$so" | grep -q ' npkd_pa_verify@@NPKD_0$' || fail "npkd_pa_verify not exported"
nm -D --defined-only "$so" | grep -Eq ' (npkd_seterr|npkd_trust_run|npkd_ber_der)@' &&
    fail "internal functions exported"
export PKG_CONFIG_PATH="$L/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$I"
pkg-config --exists npkd || fail "pkg-config does not find npkd"
v=$(sed -n 's/^#define NPKD_VERSION[^"]*"\(.*\)"/\1/p' "$I/usr/include/npkd.h")
[ "$(pkg-config --modversion npkd)" = "$v" ] || fail "version"

cat > "$TMP/inspect.c" <<'C'
/* An inspection system: passive authentication against a store. */
#include <stdio.h>
#include <npkd.h>

int
main(int argc, char *argv[])
{
	struct npkd_store	*s;
	struct npkd_pa		*pa;
	struct npkd_pa_report	 r;
	struct npkd_pa_file	 f[16];
	struct npkd_buf		 sod, dg[16];
	struct npkd_err		 e;
	int			 i, n = 0, v;

	if (argc < 3 || npkd_global_init(&e) != NPKD_OK ||
	    npkd_store_open(argv[1], NPKD_STORE_READONLY, &s, &e) != NPKD_OK ||
	    npkd_pa_open(s, 0, &pa, &e) != NPKD_OK ||
	    npkd_file_read(argv[2], 1 << 20, &sod, &e) != NPKD_OK)
		return 2;
	for (i = 3; i < argc && n < 16; i++, n++) {
		if (npkd_file_read(argv[i], 1 << 24, &dg[n], &e) != NPKD_OK)
			return 2;
		f[n].data = dg[n].data;
		f[n].len = dg[n].len;
	}
	npkd_pa_verify(pa, sod.data, sod.len, f, (size_t)n, &r, &e);
	printf("%s %s %s\n", npkd_pa_verdict_name(r.verdict), r.step >= 0 ?
	    npkd_pa_step_name(r.step) : "-", r.reason[0] ? r.reason : "-");
	v = r.verdict;
	npkd_pa_report_clear(&r);
	for (i = 0; i < n; i++)
		npkd_buf_free(&dg[i]);
	npkd_buf_free(&sod);
	npkd_pa_free(pa);
	npkd_store_close(s);
	return v;
}
C
CC=${NPKD_CC:-cc}
# shellcheck disable=SC2086
( cd "$TMP" && $CC ${NPKD_SAN:-} -Wall -Werror $(pkg-config --cflags npkd) \
    -o inspect inspect.c $(pkg-config --libs npkd) ) || fail "build against libnpkd.so"
# libnpkd.a with the libraries it needs as shared ones
deps=$(pkg-config --print-requires-private npkd | tr '\n' ' ')
# shellcheck disable=SC2086
( cd "$TMP" && $CC ${NPKD_SAN:-} -Wall -Werror $(pkg-config --cflags npkd) \
    -o inspect-static inspect.c "$L/libnpkd.a" $(pkg-config --libs $deps) \
    $(sed -n 's/^Libs.private: //p' "$L/pkgconfig/npkd.pc") ) ||
    fail "build against libnpkd.a"
LD_LIBRARY_PATH=$L ldd "$TMP/inspect" | grep -q "libnpkd.so.0 => $L/" || fail "not linked to the installed library"
ldd "$TMP/inspect-static" | grep -q libnpkd && fail "static program needs libnpkd.so"

export NPKD_DIR="$TMP/store"
expect 0 "$NPKD" -q init
expect 0 "$NPKD" -q import -T "$D/anchors.pem" "$D/crl/de.crl"
set +e
"$NPKD" -q check
set -e
g=$D/docs/good-de-rsa2048-pss-sha256
b=$D/docs/bad-dg-changed
for p in inspect inspect-static; do
	LD_LIBRARY_PATH=$L expect 0 "$TMP/$p" "$NPKD_DIR" "$g/EF.SOD" "$g/DG1" "$g/DG2"
	[ "$(cat "$TMP/out")" = "genuine - -" ] || fail "$p: $(cat "$TMP/out")"
	LD_LIBRARY_PATH=$L expect 1 "$TMP/$p" "$NPKD_DIR" "$b/EF.SOD" "$b/DG1" "$b/DG2"
	[ "$(cat "$TMP/out")" = "not-genuine datagroups dg-hash" ] || fail "$p: $(cat "$TMP/out")"
done
echo "installed library: shared $(basename "$so"), static, pkg-config $v"
exit 0
