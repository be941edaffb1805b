# worldlib.sh - runs a world of testdata/genworld.py: the officer's steps
# (each with the exit status it must give), then every object's expected
# status and primary reason ("a|b": either).  Sourced after lib.sh.

# sha256 of a file's object: DER as is, the first certificate of a PEM
objsha() {
	case $1 in
	*.pem)	openssl x509 -in "$1" -outform DER | sha256sum | cut -c1-64 ;;
	*)	sha256sum < "$1" | cut -c1-64 ;;
	esac
}

# run_steps DIR: consecutive imports that must succeed go in one command
run_steps() {
	d=$1
	pend=""
	while read -r cmd a b c; do
		if [ "$cmd" = import ] && [ -z "$b" ]; then
			pend="$pend $d/$a"
			continue
		fi
		if [ -n "$pend" ]; then
			# shellcheck disable=SC2086
			expect 0 "$NPKD" import $pend
			pend=""
		fi
		case $cmd in
		''|'#'*) ;;
		trust)	expect 0 "$NPKD" trust add "$d/$a" ;;
		trust!)	expect "$b" "$NPKD" trust add "$d/$a" ;;
		authority) expect 0 "$NPKD" trust authority "$a" "$b" ;;
		import)	expect "$b" "$NPKD" import "$d/$a" ;;
		check)	if [ -n "$a" ]; then
				expect "$a" "$NPKD" check
			else
				set +e
				"$NPKD" -q check
				rc=$?
				set -e
				[ $rc -le 1 ] || fail "$d: check exited $rc"
			fi ;;
		mlverify)
			if [ -n "$c" ]; then
				expect "$a" "$NPKD" ml verify -T "$d/$c" "$d/$b"
			else
				expect "$a" "$NPKD" ml verify "$d/$b"
			fi ;;
		finding|nofinding)
			id=$(objsha "$d/$a" | cut -c1-24)
			"$NPKD" show -j "$id" > "$TMP/show"
			if grep -q "\"code\":\"$b\"" "$TMP/show"; then
				[ "$cmd" = finding ] ||
				    fail "$d: $a: finding $b should be absent"
			else
				[ "$cmd" = nofinding ] ||
				    fail "$d: $a: finding $b missing"
			fi ;;
		pemcount)
			rm -rf "$TMP/pem"
			expect 0 "$NPKD" export pem -o "$TMP/pem"
			k=0
			[ -f "$TMP/pem/${a}_$b.pem" ] &&
			    k=$(grep -c 'BEGIN CERTIFICATE' "$TMP/pem/${a}_$b.pem")
			[ "$k" -eq "$c" ] || fail "$d: ${a}_$b.pem: $k, not $c"
			ls "$TMP/pem" | grep -v '^[A-Z][A-Z]*_[a-z]*\.pem$' &&
			    fail "$d: export file names not CC_kind.pem"
			: ;;
		*)	fail "$d: unknown step $cmd" ;;
		esac
	done < "$d/steps"
	if [ -n "$pend" ]; then
		# shellcheck disable=SC2086
		expect 0 "$NPKD" import $pend
	fi
}

# check_expect DIR: every expected "status reason" against npkd ls -j
check_expect() {
	d=$1
	"$NPKD" ls -j | sed -n 's/.*"sha256":"\([0-9a-f]*\)".*"status":"\([a-z-]*\)","reason":"\([a-z-]*\)".*/\1 \2 \3/p' \
	    > "$TMP/got"
	: > "$TMP/sums"
	for f in $(cut -d' ' -f1 "$d/expect"); do
		case $f in
		*.pem)	echo "$(objsha "$d/$f") $f" >> "$TMP/sums" ;;
		esac
	done
	(cd "$d" && ls | grep -v '\.pem$' | grep -v '^steps$' |
	    grep -v '^expect$' | xargs -r sha256sum) |
	    awk '{ print $1, $2 }' >> "$TMP/sums"
	awk -v d="$d" '
	FILENAME == ARGV[1] { st[$1] = $2; re[$1] = $3; next }
	FILENAME == ARGV[2] { sum[$2] = $1; next }
	NF >= 2 {
		h = sum[$1]
		if (h == "" || !(h in st)) {
			print d ": " $1 " is not in the store"; bad = 1; next
		}
		ok = st[h] == $2
		if (ok && $3 != "*") {
			n = split($3, alt, "|"); ok = 0
			for (i = 1; i <= n; i++) if (alt[i] == re[h]) ok = 1
		}
		if (!ok) {
			print d ": " $1 ": " st[h] " " re[h] ", expected " $2 " " $3
			bad = 1
		}
	}
	END { exit bad }' "$TMP/got" "$TMP/sums" "$d/expect" > "$TMP/diff" ||
	    fail "$(head -1 "$TMP/diff") ($(head -1 "$d/steps"))"
}

# run_world DIR: a fresh store, the steps, the verdicts
run_world() {
	export NPKD_DIR="$TMP/store.$(basename "$1")"
	"$NPKD" -q init
	run_steps "$1"
	check_expect "$1"
	rm -rf "$NPKD_DIR"
}
