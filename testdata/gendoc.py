#!/usr/bin/python3
"""gendoc.py - travel documents for passive authentication (ICAO 9303-10,
9303-11 5.1), each with the verdict it must get known by construction.

    gendoc.py cases OUTDIR          the documents of every algorithm and
                                    the broken ones, with their store
    gendoc.py bench OUTDIR N        N documents per algorithm (make bench)

A document is a directory: EF.SOD and the data groups (DG1 with an MRZ,
DG2, DG14, DG15), named by what they are.  OUTDIR also holds what the
officer puts in the store (anchors.pem, CRLs, extra certificates, and
what `steps` says to do with them) and `expect`: one line per document,

    NAME VERDICT STEP REASON sod=R dsc=R signature=R chain=R country=R
         revocation=R dates=R datagroups=R [finding=CODE ...]

with R one of ok, fail, not-checked and STEP/REASON "-" for a genuine
one.  The truth comes from how each document was made (which key signed
what, what the country revoked), never from running npkd.

Keys, certificates and CRLs come from python3-cryptography (OpenSSL),
independent of npkd; the SOD's CMS, the LDSSecurityObject, BER forms and
explicit EC parameters are written here with genworld.py's DER writer.
"""
import datetime
import hashlib
import os
import random
import subprocess
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import genworld as gw  # noqa: E402
from genworld import (DAY, NOW, YEAR, bits, der, explicit, integer,  # noqa
                      name, octets, oid, seq, set_of, ski_of, tlv, utctime)

OID_LDS = "2.23.136.1.1.1"
HASHES = {
    "sha1": (hashes.SHA1, "1.3.14.3.2.26", hashlib.sha1),
    "sha224": (hashes.SHA224, "2.16.840.1.101.3.4.2.4", hashlib.sha224),
    "sha256": (hashes.SHA256, "2.16.840.1.101.3.4.2.1", hashlib.sha256),
    "sha384": (hashes.SHA384, "2.16.840.1.101.3.4.2.2", hashlib.sha384),
    "sha512": (hashes.SHA512, "2.16.840.1.101.3.4.2.3", hashlib.sha512),
}
ECDSA_OID = {"sha1": "1.2.840.10045.4.1", "sha224": "1.2.840.10045.4.3.1",
             "sha256": "1.2.840.10045.4.3.2", "sha384": "1.2.840.10045.4.3.3",
             "sha512": "1.2.840.10045.4.3.4"}
RSA_OID = {"sha1": "1.2.840.113549.1.1.5", "sha224": "1.2.840.113549.1.1.14",
           "sha256": "1.2.840.113549.1.1.11",
           "sha384": "1.2.840.113549.1.1.12",
           "sha512": "1.2.840.113549.1.1.13"}
CURVES = {"P-256": (ec.SECP256R1, "prime256v1"),
          "P-384": (ec.SECP384R1, "secp384r1"),
          "P-521": (ec.SECP521R1, "secp521r1"),
          "brainpoolP256r1": (ec.BrainpoolP256R1, "brainpoolP256r1"),
          "brainpoolP384r1": (ec.BrainpoolP384R1, "brainpoolP384r1"),
          "brainpoolP512r1": (ec.BrainpoolP512R1, "brainpoolP512r1")}
NULL = tlv(0x05, b"")

# Every algorithm npkd verifies: (label, key, signature scheme, hash,
# explicit EC parameters in the DSC)
ALGS = [
    ("rsa2048-pkcs1-sha256", "rsa2048", "pkcs1", "sha256", False),
    ("rsa3072-pkcs1-sha1", "rsa3072", "pkcs1", "sha1", False),
    ("rsa2048-pkcs1-sha512", "rsa2048", "pkcs1", "sha512", False),
    ("rsa2048-pss-sha256", "rsa2048", "pss", "sha256", False),
    ("rsa2048-pss-sha1", "rsa2048", "pss", "sha1", False),
    ("rsa3072-pss-sha512", "rsa3072", "pss", "sha512", False),
    ("ecdsa-p256-sha256", "P-256", "ecdsa", "sha256", False),
    ("ecdsa-p256-explicit-sha224", "P-256", "ecdsa", "sha224", True),
    ("ecdsa-p384-sha384", "P-384", "ecdsa", "sha384", False),
    ("ecdsa-p521-sha512", "P-521", "ecdsa", "sha512", False),
    ("ecdsa-p256-sha1", "P-256", "ecdsa", "sha1", False),
    ("ecdsa-bp256r1-sha256", "brainpoolP256r1", "ecdsa", "sha256", False),
    ("ecdsa-bp384r1-explicit-sha384", "brainpoolP384r1", "ecdsa", "sha384",
     True),
    ("ecdsa-bp512r1-sha512", "brainpoolP512r1", "ecdsa", "sha512", False),
]

ALL_OK = dict((s, "ok") for s in ("sod", "dsc", "signature", "chain",
                                  "country", "revocation", "dates",
                                  "datagroups"))


def newkey(kind):
    if kind.startswith("rsa"):
        return rsa.generate_private_key(65537, int(kind[3:]))
    return ec.generate_private_key(CURVES[kind][0]())


# ---- data groups ----

def tlvb(tag, content):
    """A TLV with a tag of several octets (BER-TLV of 9303-10)."""
    return tag + tlv(0x00, content)[1:]


def check_digit(s):
    w = (7, 3, 1)
    v = 0
    for i, ch in enumerate(s):
        if ch.isdigit():
            n = int(ch)
        elif ch == "<":
            n = 0
        else:
            n = ord(ch) - ord("A") + 10
        v += n * w[i % 3]
    return str(v % 10)


def mrz_td3(state, surname, given, number, nationality, dob, sex, expiry):
    """The two lines of a passport MRZ (ICAO 9303-4), 88 characters."""
    l1 = ("P<" + state + surname + "<<" + given.replace(" ", "<"))
    l1 = (l1 + "<" * 44)[:44]
    num = (number + "<" * 9)[:9]
    opt = "<" * 14
    l2 = (num + check_digit(num) + nationality + dob + check_digit(dob) +
          sex + expiry + check_digit(expiry) + opt + check_digit(opt))
    comp = (num + check_digit(num) + dob + check_digit(dob) + expiry +
            check_digit(expiry) + opt + check_digit(opt))
    l2 += check_digit(comp)
    assert len(l1) == 44 and len(l2) == 44
    return (l1 + l2).encode()


def dg1(state, rng):
    st = (state + "<<<")[:3]
    mrz = mrz_td3(st, "MUSTERMANN", "ERIKA", "C%08d" % rng.randrange(10**8),
                  st, "640812", "F", (NOW + 5 * YEAR).strftime("%y%m%d"))
    return tlv(0x61, tlvb(b"\x5f\x1f", mrz))


def dg2(rng):
    """A face biometric group (9303-10 4.7.2) around random image bytes."""
    img = b"\xff\xd8\xff\xe0" + bytes(rng.randrange(256) for _ in range(2000))
    bdb = tlvb(b"\x5f\x2e", img)
    bhb = tlv(0xA1, tlv(0x80, b"\x01\x01") + tlv(0x87, b"\x01\x01"))
    tmpl = tlvb(b"\x7f\x60", bhb + bdb)
    return tlv(0x75, tlvb(b"\x7f\x61", tlv(0x02, b"\x01") + tmpl))


def dg14():
    """SecurityInfos: a ChipAuthenticationInfo (BSI TR-03110-3)."""
    cai = seq(oid("0.4.0.127.0.7.2.2.3.2.2"), integer(1))
    return tlv(0x6E, set_of(cai))


def dg15(key):
    """The Active Authentication public key."""
    return tlv(0x6F, key.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo))


# ---- certificates ----

def explicit_spki(pub, curve):
    """The key's SubjectPublicKeyInfo with explicit domain parameters
    (as most real EC CSCAs and many DSCs carry them), from openssl."""
    params = subprocess.run(
        ["openssl", "ecparam", "-name", CURVES[curve][1], "-param_enc",
         "explicit", "-outform", "DER"], check=True,
        capture_output=True).stdout
    pt = pub.public_bytes(serialization.Encoding.X962,
                          serialization.PublicFormat.UncompressedPoint)
    return seq(seq(oid("1.2.840.10045.2.1"), params), bits(pt))


def elements(b):
    """The TLVs inside the content of the TLV b."""
    tag, h, n = gw.read_tlv(b)
    out, off = [], h
    while off < h + n:
        t, hh, nn = gw.read_tlv(b, off)
        out.append(b[off:off + hh + nn])
        off += hh + nn
    return out


def resign(c, issuer_key, spki=None):
    """Certificate c with its SubjectPublicKeyInfo replaced, signed again
    by issuer_key (ECDSA SHA-256 or RSA SHA-256 as before)."""
    cd = der(c)
    tbs, alg, _ = elements(cd)
    parts = elements(tbs)
    if spki is not None:
        parts[6] = spki
    tbs = seq(*parts)
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        sig = issuer_key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    else:
        sig = issuer_key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    return seq(tbs, alg, bits(sig))


ALL_DSCS = []       # every DSC made, for the report's store


class CA:
    """A country's CSCA with its DSCs."""

    def __init__(self, cc, keykind="P-256", nb=None, na=None, cn=None):
        self.cc = cc
        self.key = newkey(keykind)
        self.name = name(cc, cn or "CSCA " + cc, "Government of " + cc)
        self.serial = 100
        self.cert = gw.cert(self.name, self.name, self.key.public_key(),
                            self.key, 1, nb or NOW - 5 * YEAR,
                            na or NOW + 15 * YEAR, ca=0, ku="csca")
        self.revoked = []

    def dsc(self, kind, explicit_params=False, nb=None, na=None, cc=None,
            issuer_name=None, signer=None, aki=None):
        """A DSC of key kind: (DER, private key, serial)."""
        k = newkey(kind)
        self.serial += 1
        subj = name(cc or self.cc, "DS %s %d" % (kind, self.serial),
                    "Government of " + self.cc)
        sk = signer or self.key
        c = gw.cert(subj, issuer_name or self.name, k.public_key(), sk,
                    self.serial, nb or NOW - YEAR, na or NOW + 10 * YEAR,
                    aki=aki or ski_of(self.key.public_key()))
        d = der(c)
        if explicit_params:
            d = resign(c, sk, explicit_spki(k.public_key(), kind))
        ALL_DSCS.append(d)
        return d, k, self.serial

    def crl(self, this=None, nxt=None):
        return der(gw.crl(self.name, self.key,
                          [(s, NOW - 3 * DAY) for s in self.revoked],
                          this=this, nxt=nxt))


# ---- the security object ----

def sign(key, scheme, hname, data):
    h = HASHES[hname][0]()
    if scheme == "ecdsa":
        return (key.sign(data, ec.ECDSA(h)), seq(oid(ECDSA_OID[hname])))
    if scheme == "pkcs1":
        return (key.sign(data, padding.PKCS1v15(), h),
                seq(oid(RSA_OID[hname]), NULL))
    hl = h.digest_size
    sig = key.sign(data, padding.PSS(padding.MGF1(h), hl), h)
    if hname == "sha1":
        params = seq()          # RFC 4055 defaults: SHA-1, MGF1-SHA-1, 20
    else:
        halg = seq(oid(HASHES[hname][1]), NULL)
        params = seq(explicit(0, halg),
                     explicit(1, seq(oid("1.2.840.113549.1.1.8"), halg)),
                     explicit(2, integer(hl)))
    return sig, seq(oid("1.2.840.113549.1.1.10"), params)


def lds(hname, groups, version=1, null_params=True):
    """LDSSecurityObject over the data groups {number: bytes}."""
    hf = HASHES[hname][2]
    alg = seq(oid(HASHES[hname][1]), NULL) if null_params else \
        seq(oid(HASHES[hname][1]))
    items = [seq(integer(n), octets(hf(groups[n]).digest()))
             for n in sorted(groups)]
    body = [integer(version), alg, seq(*items)]
    if version == 1:
        body.append(seq(tlv(0x13, b"0108"), tlv(0x13, b"040000")))
    return seq(*body)


def sod(content, dsc_der, key, scheme, hname, sid="issuer", stime=None,
        with_cert=True, ctype=OID_LDS, econtent_type=OID_LDS, attrs=None,
        signers=1):
    """EF.SOD: 77 { ContentInfo { SignedData } } signed by key."""
    hoid = HASHES[hname][1]
    if attrs is None:
        attrs = [seq(oid(gw.OID_CT), set_of(oid(ctype))),
                 seq(oid(gw.OID_MD), set_of(octets(
                     HASHES[hname][2](content).digest())))]
        if stime is not False:
            attrs.append(seq(oid(gw.OID_ST), set_of(
                utctime(stime or NOW - 30 * DAY))))
    signed = set_of(*attrs)
    sig, sigalg = sign(key, scheme, hname, signed)
    c = x509.load_der_x509_certificate(dsc_der)
    if sid == "ski":
        ident, ver = tlv(0x80, ski_of(c.public_key())), 3
    else:
        ident = seq(c.issuer.public_bytes(), integer(c.serial_number))
        ver = 1
    _, h, _ = gw.read_tlv(signed)
    si = seq(integer(ver), ident, seq(oid(hoid), NULL),
             tlv(0xA0, signed[h:]), sigalg, octets(sig))
    parts = [integer(3), set_of(seq(oid(hoid), NULL)),
             seq(oid(econtent_type), explicit(0, octets(content)))]
    if with_cert:
        parts.append(tlv(0xA0, dsc_der))
    parts.append(tlv(0x31, si * signers))
    ci = seq(oid(gw.OID_SD), explicit(0, seq(*parts)))
    return tlv(0x77, ci)


def ber_form(b, depth=0, maxdepth=6):
    """The same TLV in BER as one real New Zealand SOD has it: indefinite
    lengths on the outer constructed elements (certificates and signed
    attributes as they were), the eContent OCTET STRING in segments."""
    tag, h, n = gw.read_tlv(b)
    body = b[h:h + n]
    if tag == 0x04 and depth >= 3 and n > 40:
        segs = b"".join(tlv(0x04, body[i:i + 40]) for i in range(0, n, 40))
        return b"\x24\x80" + segs + b"\x00\x00"
    if not tag & 0x20 or depth >= maxdepth or tag == 0x31:
        return b[:h + n]
    if tag == 0xA0 and depth == 4:
        return b[:h + n]        # certificates as they are
    kids = elements(b)
    inner = b"".join(ber_form(k, depth + 1, maxdepth) for k in kids)
    return bytes([tag]) + b"\x80" + inner + b"\x00\x00"


# ---- the cases ----

class Out:
    def __init__(self, root):
        self.root = root
        os.makedirs(os.path.join(root, "docs"), exist_ok=True)
        self.lines = []
        self.steps = []

    def put(self, fname, data):
        p = os.path.join(self.root, fname)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        return fname

    def doc(self, nm, sodb, groups, verdict="genuine", step="-", reason="-",
            findings=(), dsc_der=None, **res):
        d = os.path.join("docs", nm)
        if dsc_der is not None:     # a DSC the SOD does not carry
            self.put(os.path.join("dsc", nm + ".der"), dsc_der)
        self.put(os.path.join(d, "EF.SOD"), sodb)
        for n, data in groups.items():
            self.put(os.path.join(d, "DG%d" % n), data)
        r = dict(ALL_OK)
        if "DG1" not in ["DG%d" % n for n in groups]:
            r["country"] = "not-checked"
        if not groups:
            r["datagroups"] = "not-checked"
        r.update(res)
        line = "%s %s %s %s %s" % (nm, verdict, step, reason, " ".join(
            "%s=%s" % (k, r[k]) for k in ("sod", "dsc", "signature",
                                          "chain", "country", "revocation",
                                          "dates", "datagroups")))
        for f in findings:
            line += " finding=" + f
        self.lines.append(line)

    def write(self):
        with open(os.path.join(self.root, "expect"), "w") as f:
            f.write("\n".join(self.lines) + "\n")
        with open(os.path.join(self.root, "steps"), "w") as f:
            f.write("\n".join(self.steps) + "\n")


def groups_for(state, rng, aa_key=None):
    return {1: dg1(state, rng), 2: dg2(rng), 14: dg14(),
            15: dg15(aa_key or ec.generate_private_key(ec.SECP256R1()))}


MRZ_STATE = {"DE": "D", "FR": "FRA", "NZ": "NZL", "IT": "ITA", "AT": "AUT",
             "NL": "NLD"}


def document(ca, kind, scheme, hname, explicit_params, rng, **kw):
    d, k, serial = ca.dsc(kind, explicit_params)
    g = groups_for(MRZ_STATE[ca.cc], rng)
    return sod(lds(hname, g), d, k, scheme, hname, **kw), g, d, k, serial


def cases(root):
    rng = random.Random(14)
    o = Out(root)
    de = CA("DE", "P-256")
    fr = CA("FR", "rsa2048")
    nz = CA("NZ", "P-384")                      # publishes no CRL
    it = CA("IT", "P-256")                      # its CRL is stale
    at = CA("AT", "P-256", nb=NOW - 12 * YEAR, na=NOW - DAY)   # expired CSCA
    nl = CA("NL", "P-256")                      # never trusted

    # every algorithm, under the German and the French CSCA
    for label, kind, scheme, hname, xp in ALGS:
        for ca in (de, fr) if label in ("rsa2048-pkcs1-sha256",
                                        "ecdsa-p256-sha256") else (de,):
            s, g, _, _, _ = document(ca, kind, scheme, hname, xp, rng)
            o.doc("good-%s-%s" % (ca.cc.lower(), label), s, g)

    # signer by SKI, LDS v0, SOD only, no signingTime
    d, k, _ = de.dsc("P-256")
    g = groups_for("D", rng)
    o.doc("good-sid-ski", sod(lds("sha256", g), d, k, "ecdsa", "sha256",
                              sid="ski"), g)
    o.doc("good-lds-v0", sod(lds("sha256", g, version=0, null_params=False),
                             d, k, "ecdsa", "sha256"), g)
    o.doc("good-sod-only", sod(lds("sha256", g), d, k, "ecdsa", "sha256"),
          {})
    o.doc("good-no-signing-time", sod(lds("sha256", g), d, k, "ecdsa",
                                      "sha256", stime=False), g)
    # BER, as the real New Zealand SOD: accepted with a finding
    s = sod(lds("sha384", g), d, k, "ecdsa", "sha384")
    o.doc("good-ber", ber_form(s), g, findings=["sod-ber"])

    # the DSC not in the SOD: found in the store by issuer and serial,
    # or unknown
    d2, k2, _ = de.dsc("P-256")
    o.put("store/de_dsc_stored.der", d2)
    o.steps.append("import store/de_dsc_stored.der")
    o.doc("good-dsc-from-store", sod(lds("sha256", g), d2, k2, "ecdsa",
                                     "sha256", with_cert=False), g, dsc_der=d2)
    d3, k3, _ = de.dsc("P-256")
    o.doc("bad-dsc-nowhere", sod(lds("sha256", g), d3, k3, "ecdsa",
                                 "sha256", with_cert=False), g,
          "not-genuine", "dsc", "dsc-unknown", dsc_der=d3, dsc="fail",
          signature="not-checked", chain="not-checked",
          country="not-checked", revocation="not-checked",
          dates="not-checked")

    # a DSC in the SOD that is not in the store: genuine; --learn keeps it
    d4, k4, _ = de.dsc("P-256")
    o.doc("good-learn", sod(lds("sha256", g), d4, k4, "ecdsa", "sha256"), g)

    # countries without a current CRL: genuine with the finding
    s, g2, _, _, _ = document(nz, "P-256", "ecdsa", "sha256", False, rng)
    o.doc("good-nz-no-crl", s, g2, findings=["no-crl"])
    s, g2, _, _, _ = document(it, "P-256", "ecdsa", "sha256", False, rng)
    o.doc("good-it-stale-crl", s, g2, findings=["crl-stale"])

    # ---- the broken ones ----
    d, k, _ = de.dsc("P-256")
    g = groups_for("D", rng)
    good = sod(lds("sha256", g), d, k, "ecdsa", "sha256")
    # a changed data group
    g2 = dict(g)
    g2[2] = g[2][:-1] + bytes([g[2][-1] ^ 1])
    o.doc("bad-dg-changed", good, g2, "not-genuine", "datagroups", "dg-hash",
          datagroups="fail")
    # a data group the SOD does not list (injection)
    g3 = dict(g)
    del g3[15]
    o.doc("bad-dg-not-listed", sod(lds("sha256", g3), d, k, "ecdsa",
                                   "sha256"), g, "not-genuine", "datagroups",
          "dg-not-listed", datagroups="fail")
    # the SOD's signature flipped
    s = bytearray(good)
    s[-3] ^= 0x01
    o.doc("bad-sod-signature", bytes(s), g, "not-genuine", "signature",
          "sod-signature", signature="fail")
    # the LDSSecurityObject changed to match a changed DG, not signed again
    g4 = dict(g)
    g4[2] = g2[2]
    forged = sod(lds("sha256", g4), d, k, "ecdsa", "sha256")
    # keep the original signed attributes and signature: splice them
    o.doc("bad-lds-changed", splice_signer(forged, good), g4, "not-genuine",
          "signature", "sod-signature", signature="fail")
    # a DSC from no known CSCA (its own self-made CSCA)
    rogue = CA("DE", "P-256", cn="CSCA DE rogue")
    d5, k5, _ = rogue.dsc("P-256")
    o.doc("bad-dsc-no-csca", sod(lds("sha256", g), d5, k5, "ecdsa",
                                 "sha256"), g, "not-genuine", "chain",
          "issuer-absent", chain="fail", revocation="not-checked")
    # a DSC whose issuer name (and AKI) copy the real CSCA, signed by
    # another key
    d6, k6, _ = de.dsc("P-256", signer=rogue.key)
    o.doc("bad-dsc-name-copied", sod(lds("sha256", g), d6, k6, "ecdsa",
                                     "sha256"), g, "not-genuine", "chain",
          "signature", chain="fail", revocation="not-checked")
    # the same, with the attacker's CSCA (same name) imported: untrusted
    cop = CA("DE", "P-256")
    o.put("store/de_rogue_csca_same_name.der", der(cop.cert))
    o.steps.append("import store/de_rogue_csca_same_name.der")
    d7, k7, _ = cop.dsc("P-256")
    o.doc("bad-dsc-untrusted-csca", sod(lds("sha256", g), d7, k7, "ecdsa",
                                        "sha256"), g, "not-genuine", "chain",
          "issuer-untrusted", chain="fail", revocation="not-checked")
    # a revoked DSC
    d8, k8, s8 = de.dsc("P-256")
    de.revoked.append(s8)
    o.doc("bad-dsc-revoked", sod(lds("sha256", g), d8, k8, "ecdsa",
                                 "sha256"), g, "not-genuine", "revocation",
          "revoked", revocation="fail")
    # an expired DSC (the SOD signed while it was valid)
    d9, k9, _ = de.dsc("P-256", nb=NOW - 4 * YEAR, na=NOW - DAY)
    o.doc("bad-dsc-expired", sod(lds("sha256", g), d9, k9, "ecdsa",
                                 "sha256", stime=NOW - 2 * YEAR), g,
          "not-genuine", "dates", "expired", dates="fail")
    # a DSC not yet valid (no signingTime)
    d10, k10, _ = de.dsc("P-256", nb=NOW + 30 * DAY, na=NOW + 3 * YEAR)
    o.doc("bad-dsc-not-yet-valid", sod(lds("sha256", g), d10, k10, "ecdsa",
                                       "sha256", stime=False), g,
          "not-genuine", "dates", "not-yet-valid", dates="fail")
    # signed before the DSC's validity began
    d11, k11, _ = de.dsc("P-256", nb=NOW - 10 * DAY)
    o.doc("bad-signed-outside-validity", sod(lds("sha256", g), d11, k11,
                                             "ecdsa", "sha256",
                                             stime=NOW - 20 * DAY), g,
          "not-genuine", "dates", "signed-outside-validity", dates="fail")
    # a DSC under an expired CSCA
    s, g5, _, _, _ = document(at, "P-256", "ecdsa", "sha256", False, rng)
    o.doc("bad-csca-expired", s, g5, "not-genuine", "dates",
          "issuer-expired", dates="fail")
    # DG1 of another country
    g6 = dict(g)
    g6[1] = dg1("FRA", rng)
    o.doc("bad-dg1-other-country", sod(lds("sha256", g6), d, k, "ecdsa",
                                       "sha256"), g6, "not-genuine",
          "country", "issuing-state", country="fail")
    # a French DSC under the German CSCA (and a French DG1)
    d12, k12, _ = de.dsc("P-256", cc="FR")
    g7 = dict(g)
    g7[1] = dg1("FRA", rng)
    o.doc("bad-dsc-country", sod(lds("sha256", g7), d12, k12, "ecdsa",
                                 "sha256"), g7, "not-genuine", "chain",
          "country-mismatch", chain="fail", revocation="not-checked")
    # a country never trusted
    s, g8, _, _, _ = document(nl, "P-256", "ecdsa", "sha256", False, rng)
    o.put("store/nl_csca_not_trusted.der", der(nl.cert))
    o.steps.append("import store/nl_csca_not_trusted.der")
    o.doc("bad-country-not-trusted", s, g8, "not-genuine", "chain",
          "issuer-untrusted", chain="fail", revocation="not-checked")

    # ---- malformed ----
    o.doc("malformed-truncated", good[:-10], g, "malformed", "sod",
          "sod-malformed", **not_checked_after("sod"))
    nb = bytearray(good)
    # an indefinite length on a primitive element (the SignedData
    # version INTEGER): not BER
    off = 0
    for _ in range(4):          # 77, ContentInfo, skip OID, [0], SignedData
        t, h, n = gw.read_tlv(good, off)
        off += h
        if t == 0x06:
            off += n
            t, h, n = gw.read_tlv(good, off)
            off += h
    assert good[off:off + 3] == bytes([0x02, 0x01, 0x03])
    nb[off + 1] = 0x80
    o.doc("malformed-not-ber", bytes(nb), g, "malformed", "sod",
          "sod-malformed", **not_checked_after("sod"))
    o.doc("malformed-trailing", good + b"\x00", g, "malformed", "sod",
          "sod-malformed", **not_checked_after("sod"))
    o.doc("malformed-econtent-type", sod(lds("sha256", g), d, k, "ecdsa",
                                         "sha256",
                                         econtent_type="1.2.840.113549.1.7.1",
                                         ctype="1.2.840.113549.1.7.1"),
          g, "malformed", "sod", "sod-malformed",
          **not_checked_after("sod"))
    o.doc("malformed-dg", good, {2: g[2], 3: b"\x30\x03\x02\x01\x01"},
          "malformed", "datagroups", "dg-malformed",
          **not_checked_after("datagroups"))

    # the officer's store: anchors, CRLs
    o.put("anchors.pem", gw.pem([x509.load_der_x509_certificate(
        der(c.cert)) for c in (de, fr, nz, it, at)]))
    o.put("crl/de.crl", de.crl())
    o.put("crl/fr.crl", fr.crl())
    o.put("crl/it.crl", it.crl(this=NOW - 100 * DAY, nxt=NOW - 10 * DAY))
    o.put("crl/at.crl", at.crl(this=NOW - 2 * DAY, nxt=NOW + 60 * DAY))
    o.put("de_csca.der", der(de.cert))
    hostile(o, de, rng)
    # names an attacker may write: markup, a spreadsheet formula
    for cc, cn in (("DE", "<script>alert(1)</script>"),
                   ("=1", '=HYPERLINK("http://x","y")')):
        k = newkey("P-256")
        de.serial += 1
        ALL_DSCS.append(der(gw.cert(name("DE", cn, "Government of DE",
                                         cc_text=cc),
                                    de.name, k.public_key(), de.key,
                                    de.serial, aki=ski_of(
                                        de.key.public_key()))))
    for i, d in enumerate(ALL_DSCS):
        o.put("allds/%03d.der" % i, d)
    o.write()


def hostile(o, de, rng):
    """Security objects that a naive reader would take: each must be
    refused by the reader (hostile/expect: NAME HOW, HOW the npkd error:
    format, unsupported, limit; or verify: read, but its signature
    refused)."""
    d, k, _ = de.dsc("P-256")
    g = groups_for("D", rng)
    hf = hashlib.sha256
    lines = []

    def put(nm, how, b):
        o.put(os.path.join("hostile", nm + ".sod"), b)
        lines.append("%s %s" % (nm, how))

    def lds_raw(*items, version=0):
        return seq(integer(version), seq(oid(HASHES["sha256"][1]), NULL),
                   seq(*items))

    def dgh(n, b=b"x", size=32):
        return seq(integer(n), octets(hf(b).digest()[:size] +
                                      b"\0" * max(0, size - 32)))

    put("two-signers", "format", sod(lds("sha256", g), d, k, "ecdsa",
                                     "sha256", signers=2))
    put("dg-twice", "format", sod(lds_raw(dgh(1), dgh(1)), d, k, "ecdsa",
                                  "sha256"))
    put("dg-number-0", "format", sod(lds_raw(dgh(0), dgh(2)), d, k, "ecdsa",
                                     "sha256"))
    put("dg-number-17", "format", sod(lds_raw(dgh(1), dgh(17)), d, k,
                                      "ecdsa", "sha256"))
    put("dg-hash-length", "format", sod(lds_raw(dgh(1), dgh(2, size=20)),
                                        d, k, "ecdsa", "sha256"))
    put("dg-none", "format", sod(lds_raw(), d, k, "ecdsa", "sha256"))
    put("lds-v2", "unsupported", sod(lds_raw(dgh(1), dgh(2), version=2), d,
                                     k, "ecdsa", "sha256"))
    many = [dgh(n) for n in range(1, 17)] + [dgh(1)]
    put("dg-seventeen", "format", sod(lds_raw(*many), d, k, "ecdsa",
                                      "sha256"))
    content = lds("sha256", g)
    md = seq(oid(gw.OID_MD), set_of(octets(hf(content).digest())))
    ct = seq(oid(gw.OID_CT), set_of(oid(OID_LDS)))
    put("ctype-twice", "format", sod(content, d, k, "ecdsa", "sha256",
                                     attrs=[ct, ct, md]))
    put("md-two-values", "format", sod(
        content, d, k, "ecdsa", "sha256",
        attrs=[ct, seq(oid(gw.OID_MD), set_of(octets(hf(content).digest()),
                                              octets(b"\0" * 32)))]))
    put("ctype-attr-other", "verify", sod(content, d, k, "ecdsa", "sha256",
                                          ctype="1.2.840.113549.1.7.1"))
    put("md-absent", "verify", sod(content, d, k, "ecdsa", "sha256",
                                   attrs=[ct]))
    put("bad-time", "format", sod(content, d, k, "ecdsa", "sha256", attrs=[
        ct, md, seq(oid(gw.OID_ST), set_of(tlv(0x17, b"991340000000Z")))]))
    # nested deeper than any reader should follow: 20 levels of BER
    deep = b"\x04\x01\x00"
    for _ in range(20):
        deep = b"\x30\x80" + deep + b"\x00\x00"
    put("deep", "limit", tlv(0x77, deep))
    # a length of five octets, an indefinite length never closed
    put("length-5-octets", "format", b"\x77\x85\x00\x00\x00\x00\x02\x05\x00")
    put("no-eoc", "format", b"\x77\x80\x30\x80\x05\x00")
    put("eoc-inside", "format", tlv(0x77, b"\x00\x00"))
    with open(os.path.join(o.root, "hostile", "expect"), "w") as f:
        f.write("\n".join(lines) + "\n")


def not_checked_after(st):
    order = ["sod", "dsc", "signature", "chain", "country", "revocation",
             "dates", "datagroups"]
    r = dict((s, "not-checked") for s in order)
    r[st] = "fail"
    if st == "datagroups":
        r["sod"] = "not-checked"
    return r


def splice_signer(forged, good):
    """forged's SignedData with good's SignerInfo: the content changed,
    the signed attributes and signature of the original kept."""
    def signerinfos(b):
        ci = elements(elements(b)[0])[1]          # [0] of ContentInfo
        sd = elements(ci)[0]
        return sd, elements(sd)
    _, fparts = signerinfos(forged)
    _, gparts = signerinfos(good)
    fparts[-1] = gparts[-1]
    sd = seq(*fparts)
    return tlv(0x77, seq(oid(gw.OID_SD), explicit(0, sd)))


def bench(root, n):
    """n documents for each of a few algorithms, 10 per DSC, under one
    trusted CSCA with a current CRL: bench/ALG/NNNN/{EF.SOD,DG1,DG14}."""
    rng = random.Random(7)
    ca = CA("DE", "P-256")
    o = Out(root)
    for label, kind, scheme, hname, xp in ALGS:
        if label not in ("rsa2048-pkcs1-sha256", "rsa2048-pss-sha256",
                         "ecdsa-p256-sha256", "ecdsa-p384-sha384",
                         "ecdsa-bp256r1-sha256",
                         "ecdsa-bp384r1-explicit-sha384"):
            continue
        for i in range(n):
            if i % 10 == 0:
                d, k, _ = ca.dsc(kind, xp)
            g = {1: dg1("D", rng), 14: dg14()}
            s = sod(lds(hname, g), d, k, scheme, hname)
            p = os.path.join("docs", label, "%04d" % i)
            o.put(os.path.join(p, "EF.SOD"), s)
            o.put(os.path.join(p, "DG1"), g[1])
            o.put(os.path.join(p, "DG14"), g[14])
    o.put("anchors.pem", gw.pem([x509.load_der_x509_certificate(
        der(ca.cert))]))
    o.put("crl/de.crl", ca.crl())


def main(argv):
    if len(argv) == 3 and argv[1] == "cases":
        cases(argv[2])
        return 0
    if len(argv) == 4 and argv[1] == "bench":
        bench(argv[2], int(argv[3]))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
