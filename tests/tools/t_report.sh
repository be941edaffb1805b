# t_report.sh - npkd report: the page rendered by a real browser (headless
# Chromium: its DOM and a screenshot); every number on it equal to what
# npkd ls --json (and trust ls) says of the same store; nothing fetched,
# no script; names with markup shown as text, formulas defused in the
# CSV, whose counts are the page's.
. "$(dirname "$0")/lib.sh"
D=${NPKD_DOCS:?}
CHROME=
for c in chromium-headless-shell chromium chromium-browser; do
	if command -v "$c" >/dev/null 2>&1; then
		CHROME=$(command -v "$c")
		break
	fi
done
[ -x /usr/lib/chromium/chromium-headless-shell ] && [ -z "$CHROME" ] &&
    CHROME=/usr/lib/chromium/chromium-headless-shell
export NPKD_DIR="$TMP/store"
expect 0 "$NPKD" -q init
expect 0 "$NPKD" -q import -T "$D/anchors.pem" "$D"/crl/*.crl
while read -r cmd f; do
	[ "$cmd" = import ] && expect 0 "$NPKD" -q import "$D/$f"
done < "$D/steps"
expect 0 "$NPKD" -q import "$D"/allds/*.der
set +e
"$NPKD" -q check
set -e
expect 2 "$NPKD" report
expect 0 "$NPKD" report -e 3700 -o "$TMP/report.html" -c "$TMP/report.csv"
"$NPKD" ls --json > "$TMP/ls.json"
"$NPKD" ls --json -e 3700 -s valid > "$TMP/exp.json"
"$NPKD" trust ls -j > "$TMP/trust.json"

# the numbers: from the page (as parsed by the browser when there is one)
page=$TMP/report.html
if [ -n "$CHROME" ]; then
	U=$(mktemp -d /tmp/npkd-chrome.XXXXXX)
	set +e
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --no-first-run --user-data-dir="$U" \
	    --dump-dom "file://$TMP/report.html" > "$TMP/dom.html" 2>"$TMP/chrome.err"
	r1=$?
	timeout 120 "$CHROME" --headless --no-sandbox --disable-gpu \
	    --disable-background-networking --disable-component-update \
	    --disable-sync --no-first-run --user-data-dir="$U" \
	    --window-size=1280,2000 --screenshot="$TMP/shot.png" \
	    "file://$TMP/report.html" >/dev/null 2>>"$TMP/chrome.err"
	r2=$?
	set -e
	rm -rf "$U"
	[ $r1 -eq 0 ] && [ $r2 -eq 0 ] || { tail -5 "$TMP/chrome.err"; fail "chromium exited $r1 $r2"; }
	page=$TMP/dom.html
	[ -s "$TMP/shot.png" ] || fail "no screenshot"
	head -c 8 "$TMP/shot.png" | od -An -tx1 | grep -q '89 50 4e 47 0d 0a 1a 0a' ||
	    fail "screenshot is not a PNG"
	[ "$(wc -c < "$TMP/shot.png")" -gt 30000 ] || fail "screenshot nearly empty"
fi
python3 - "$page" "$TMP/report.html" "$TMP/ls.json" "$TMP/exp.json" \
    "$TMP/trust.json" "$TMP/report.csv" <<'PY' || fail "report numbers"
import collections, csv, json, sys
from html.parser import HTMLParser

page, raw, lsf, expf, trustf, csvf = sys.argv[1:7]

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self.tags, self.cur, self.text = {}, [], None, []
        self.bad = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if tag in ("script", "link", "img", "iframe", "object", "embed",
                   "base", "form"):
            self.bad.append(tag)
        for k, v in a.items():
            if k in ("src", "srcset", "action", "formaction") or \
               k.startswith("on") or \
               (k == "href" and not (v or "").startswith("#")):
                self.bad.append("%s=%s" % (k, v))
        if "data-c" in a:
            self.cur = (a["data-c"], a.get("data-k") or a.get("data-x") or
                        "f:" + a.get("data-f", ""), a.get("data-s", ""))
    def handle_data(self, d):
        self.text.append(d)
        if self.cur is not None:
            self.cells[self.cur] = int(d)
            self.cur = None

p = P()
p.feed(open(page, encoding="utf-8").read())
assert not p.bad, "external or active content: %s" % p.bad
assert "svg" in p.tags and "rect" in p.tags, "no timeline"
text = "".join(p.text)
assert "<script" in text and "alert(1)" in text, \
    "markup in a name not shown as text"

def objs(f):
    return [json.loads(l) for l in open(f) if l.strip()]

ls = collections.Counter()
tot = collections.Counter()
for o in objs(lsf):
    cc = o["country"].upper() or "--"
    ls[(cc, o["kind"], o["status"])] += 1
    tot[(cc, o["kind"])] += 1
exp = collections.Counter((o["country"].upper() or "--") for o in objs(expf))
anch = collections.Counter(o["country"].upper() for o in objs(trustf)
                           if o["what"] == "anchor")
n = 0
for (cc, k, s), v in p.cells.items():
    if k == "anchors":
        want = anch[cc]
    elif k == "expiring":
        want = exp[cc]
    elif k.startswith("f:"):
        continue
    elif s == "all":
        want = tot[(cc, k)]
    else:
        want = ls[(cc, k, s)]
    assert v == want, "%s %s %s: page %d, ls %d" % (cc, k, s, v, want)
    n += 1
# every count ls has is on the page
for (cc, k, s), v in ls.items():
    assert p.cells.get((cc, k, s)) == v, "%s %s %s: %d not on the page" % (
        cc, k, s, v)
for cc, v in exp.items():
    assert p.cells.get((cc, "expiring", "")) == v, "expiring %s" % cc
assert sum(ls.values()) > 40 and len(set(s for _, _, s in ls)) >= 5, \
    "too little variety to test"
# the CSV carries the same counts, formulas defused
rows = list(csv.DictReader(open(csvf, encoding="utf-8", newline="")))
c = collections.Counter()
for r in rows:
    for v in r.values():
        assert v[:1] not in ("=", "+", "-", "@"), "formula: %s" % v
    cc = r["country"][1:] if r["country"][:2] == "'=" else r["country"]
    if r["section"] == "count":
        c[(cc, r["kind"], r["status"])] += int(r["count"])
assert c == ls, "CSV counts differ from ls"
# a country an attacker wrote as "=1" is data, not a formula
assert any(r["country"] == "'=1" for r in rows), "no defused country"
print("%d numbers on the page equal ls" % n)
PY
# no script may run: the page says so itself
grep -q "Content-Security-Policy\" content=\"default-src 'none'" "$TMP/report.html" ||
    fail "no content security policy"
grep -q '&lt;script\\&gt;alert(1)' "$TMP/report.html" || fail "escaping"
[ -n "$CHROME" ] || { echo "skipped the browser: no chromium installed (apt-get install chromium)"; exit 77; }
exit 0
