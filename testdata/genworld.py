#!/usr/bin/python3
"""genworld.py - PKD worlds for the trust model (design.md section 8), each
with its ground truth known by construction.

    genworld.py cases OUTDIR            the crafted cases, one directory each
    genworld.py worlds OUTDIR N SEED    N random worlds
    genworld.py chain FILE N            a self-attested list of N CSCA
                                        keys chained by links under one
                                        name, its signer under the last

Every case or world directory holds the files an attacker or a country
could publish, a `steps` file (what the officer does, in order, and the
exit status each step must give) and an `expect` file: one line per
object, "FILE STATUS REASON", the verdict npkd must reach.  The truth
comes from how the world was made (who holds which key, what the country
revoked), never from running npkd.

Certificates, CRLs and keys are made with python3-cryptography (OpenSSL),
an implementation independent of npkd's; the CMS of lists, explicit curve
parameters and raw edits are encoded here with a small DER writer, and
ECDSA on a curve outside every table is computed here in Python.
"""
import base64
import datetime
import hashlib
import os
import random
import sys

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NOW = datetime.datetime.utcnow().replace(microsecond=0)
DAY = datetime.timedelta(days=1)
YEAR = 365 * DAY
ML_EKU = x509.ObjectIdentifier("2.23.136.1.1.3")
DL_EKU = x509.ObjectIdentifier("2.23.136.1.1.8")
UTF8 = x509.name._ASN1Type.UTF8String


# ---- a small DER writer ----

def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        hdr = bytes([n])
    else:
        b = n.to_bytes((n.bit_length() + 7) // 8, "big")
        hdr = bytes([0x80 | len(b)]) + b
    return bytes([tag]) + hdr + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def set_of(*items):
    return tlv(0x31, b"".join(sorted(items)))


def integer(v):
    if v == 0:
        return tlv(0x02, b"\x00")
    b = v.to_bytes((v.bit_length() + 8) // 8, "big", signed=True)
    return tlv(0x02, b)


def oid(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    out = bytes([40 * arcs[0] + arcs[1]])
    for a in arcs[2:]:
        enc = [a & 0x7F]
        a >>= 7
        while a:
            enc.insert(0, 0x80 | (a & 0x7F))
            a >>= 7
        out += bytes(enc)
    return tlv(0x06, out)


def octets(b):
    return tlv(0x04, b)


def bits(b):
    return tlv(0x03, b"\x00" + b)


def explicit(n, content):
    return tlv(0xA0 + n, content)


def utctime(dt):
    return tlv(0x17, dt.strftime("%y%m%d%H%M%SZ").encode())


def read_tlv(b, off=0):
    """(tag, header length, content length) at off."""
    tag = b[off]
    n = b[off + 1]
    if n < 0x80:
        return tag, 2, n
    k = n & 0x7F
    return tag, 2 + k, int.from_bytes(b[off + 2:off + 2 + k], "big")


# ---- keys, names, certificates, CRLs ----

def eckey():
    return ec.generate_private_key(ec.SECP256R1())


def rsakey():
    return rsa.generate_private_key(65537, 2048)


def name(cc, cn, o=None, utf8=False, cc_text=None):
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, cc_text or cc)]
    if o is not None:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o))
    if utf8:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn, _type=UTF8))
    else:
        attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, cn))
    return x509.Name(attrs)


def ski_of(pub):
    return x509.SubjectKeyIdentifier.from_public_key(pub).digest


def der(c):
    return c.public_bytes(serialization.Encoding.DER)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def sign_hash(key):
    return None if isinstance(key, ec.EllipticCurvePrivateKey) and False \
        else hashes.SHA256()


def cert(subject, issuer, pub, key, serial, nb=None, na=None, ca=None,
         ku="dsc", ski=True, aki=None, eku=None, extra=()):
    """A certificate.  ca: None (no basicConstraints), False, or a path
    length (True: absent); ku: "csca", "dsc" or None; ski: True (from
    the key), None or bytes; aki: None or bytes."""
    b = x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
    b = b.public_key(pub).serial_number(serial)
    b = b.not_valid_before(nb or NOW - 2 * YEAR)
    b = b.not_valid_after(na or NOW + 10 * YEAR)
    if ca is not None and ca is not False:
        b = b.add_extension(x509.BasicConstraints(
            ca=True, path_length=None if ca is True else ca), critical=True)
    elif ca is False:
        b = b.add_extension(x509.BasicConstraints(ca=False, path_length=None),
                            critical=True)
    if ku == "csca":
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False,
                                          True, True, False, False),
                            critical=True)
    elif ku == "dsc":
        b = b.add_extension(x509.KeyUsage(True, False, False, False, False,
                                          False, False, False, False),
                            critical=True)
    if ski is True:
        b = b.add_extension(x509.SubjectKeyIdentifier(ski_of(pub)), False)
    elif ski is not None:
        b = b.add_extension(x509.SubjectKeyIdentifier(ski), False)
    if aki is not None:
        b = b.add_extension(x509.AuthorityKeyIdentifier(aki, None, None),
                            False)
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), False)
    for o, crit, value in extra:
        b = b.add_extension(x509.UnrecognizedExtension(
            x509.ObjectIdentifier(o), value), crit)
    if isinstance(key, dsa.DSAPrivateKey):
        return b.sign(key, hashes.SHA256())
    return b.sign(key, hashes.SHA256())


def crl(issuer, key, serials=(), this=None, nxt=None, aki=True, number=1,
        delta=None, idp=False, crit=None):
    """A CRL of issuer signed by key: serials revoked (serial, date)."""
    b = x509.CertificateRevocationListBuilder().issuer_name(issuer)
    b = b.last_update(this or NOW - DAY).next_update(nxt or NOW + 60 * DAY)
    for s, when in serials:
        b = b.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(s)
            .revocation_date(when).build())
    if aki is True:
        b = b.add_extension(x509.AuthorityKeyIdentifier(
            ski_of(key.public_key()), None, None), False)
    elif aki:
        b = b.add_extension(x509.AuthorityKeyIdentifier(aki, None, None),
                            False)
    b = b.add_extension(x509.CRLNumber(number), False)
    if delta is not None:
        b = b.add_extension(x509.DeltaCRLIndicator(delta), True)
    if idp:
        b = b.add_extension(x509.IssuingDistributionPoint(
            full_name=None, relative_name=None, only_contains_user_certs=True,
            only_contains_ca_certs=False, only_some_reasons=None,
            indirect_crl=False, only_contains_attribute_certs=False), True)
    if crit:
        b = b.add_extension(x509.UnrecognizedExtension(
            x509.ObjectIdentifier(crit), b"\x05\x00"), True)
    return b.sign(key, hashes.SHA256())


class Country:
    """A country's CSCA generations, its list signer and DSCs."""

    def __init__(self, cc, gens=1, keyfn=eckey, cn=None, start=None,
                 life=None):
        self.cc = cc
        self.cn = cn or "CSCA " + cc
        self.name = name(cc, self.cn, "Government of " + cc)
        self.keys, self.cscas, self.links = [], [], []
        self.serial = 1000
        for g in range(gens):
            self.rollover(keyfn, start, life)

    def next_serial(self):
        self.serial += 1
        return self.serial

    def rollover(self, keyfn=eckey, start=None, life=None):
        """A new CSCA key; the previous key signs a link to it."""
        k = keyfn()
        nb = start or NOW - 3 * YEAR
        na = nb + (life or 20 * YEAR)
        c = cert(self.name, self.name, k.public_key(), k, self.next_serial(),
                 nb, na, ca=0, ku="csca")
        if self.keys:
            old = self.keys[-1]
            link = cert(self.name, self.name, k.public_key(), old,
                        self.next_serial(), nb, na, ca=0, ku="csca",
                        aki=ski_of(old.public_key()))
            self.links.append(link)
        self.keys.append(k)
        self.cscas.append(c)
        return c

    def dsc(self, gen=-1, cn=None, nb=None, na=None, country=None, **kw):
        k = eckey()
        subj = name(country or self.cc, cn or "DS " + self.cc,
                    "Government of " + self.cc)
        key = self.keys[gen]
        c = cert(subj, self.name, k.public_key(), key, self.next_serial(),
                 nb or NOW - YEAR, na or NOW + 5 * YEAR,
                 aki=ski_of(key.public_key()), **kw)
        return c, k

    def crl(self, serials=(), gen=-1, **kw):
        return crl(self.name, self.keys[gen], serials, **kw)

    def mlsigner(self, gen=-1, nb=None, na=None, eku=ML_EKU, ca=None):
        k = eckey()
        subj = name(self.cc, "ML signer " + self.cc, "Government of " + self.cc)
        key = self.keys[gen]
        c = cert(subj, self.name, k.public_key(), key, self.next_serial(),
                 nb or NOW - YEAR, na or NOW + 5 * YEAR, ca=ca,
                 aki=ski_of(key.public_key()), eku=[eku])
        return c, k


# ---- CMS SignedData for master and deviation lists ----

OID_SD = "1.2.840.113549.1.7.2"
OID_ML = "2.23.136.1.1.2"
OID_DL = "2.23.136.1.1.7"
OID_SHA256 = "2.16.840.1.101.3.4.2.1"
OID_CT, OID_ST, OID_MD = ("1.2.840.113549.1.9.3", "1.2.840.113549.1.9.5",
                          "1.2.840.113549.1.9.4")


def ml_content(members):
    return seq(integer(0), set_of(*members))


def signed_list(content, signer, key, signing_time=None, kind=OID_ML,
                extra_certs=()):
    """ContentInfo{SignedData} over content, signer identified by SKI."""
    digest = hashlib.sha256(content).digest()
    st = utctime(signing_time or NOW - DAY)
    attrs = [seq(oid(OID_CT), set_of(oid(kind))),
             seq(oid(OID_ST), set_of(st)),
             seq(oid(OID_MD), set_of(octets(digest)))]
    signed = set_of(*attrs)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        sig = key.sign(signed, ec.ECDSA(hashes.SHA256()))
        sigalg = seq(oid("1.2.840.10045.4.3.2"))
    else:
        sig = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
        sigalg = seq(oid("1.2.840.113549.1.1.11"), tlv(0x05, b""))
    ski = signer.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier).value.digest
    si = seq(integer(3), tlv(0x80, ski), seq(oid(OID_SHA256)),
             tlv(0xA0, signed[2:] if signed[1] < 0x80 else
                 signed[2 + (signed[1] & 0x7F):]),
             sigalg, octets(sig))
    certs = tlv(0xA0, b"".join(der(c) for c in (signer,) + tuple(extra_certs)))
    sd = seq(integer(3), set_of(seq(oid(OID_SHA256))),
             seq(oid(kind), explicit(0, octets(content))), certs,
             set_of(si))
    return seq(oid(OID_SD), explicit(0, sd))


# ---- ECDSA on a curve that is in no table (for the "same point" case) ----

P256 = {
    "p": 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF,
    "a": 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC,
    "b": 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B,
    "gx": 0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
    "gy": 0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5,
    "n": 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551,
}


def ec_add(c, P, Q):
    p = c["p"]
    if P is None:
        return Q
    if Q is None:
        return P
    if P[0] == Q[0] and (P[1] + Q[1]) % p == 0:
        return None
    if P == Q:
        lam = (3 * P[0] * P[0] + c["a"]) * pow(2 * P[1], -1, p) % p
    else:
        lam = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
    x = (lam * lam - P[0] - Q[0]) % p
    return (x, (lam * (P[0] - x) - P[1]) % p)


def ec_mul(c, k, P):
    R = None
    while k:
        if k & 1:
            R = ec_add(c, R, P)
        P = ec_add(c, P, P)
        k >>= 1
    return R


def point(P):
    return b"\x04" + P[0].to_bytes(32, "big") + P[1].to_bytes(32, "big")


def ec_spki(c, G, Q):
    """SubjectPublicKeyInfo with explicit domain parameters (G chosen)."""
    params = seq(integer(1),
                 seq(oid("1.2.840.10045.1.1"), integer(c["p"])),
                 seq(octets(c["a"].to_bytes(32, "big")),
                     octets(c["b"].to_bytes(32, "big"))),
                 octets(point(G)), integer(c["n"]), integer(1))
    return seq(seq(oid("1.2.840.10045.2.1"), params), bits(point(Q)))


def ec_sign(c, G, d, msg, rng):
    e = int.from_bytes(hashlib.sha256(msg).digest(), "big")
    while True:
        k = rng.randrange(1, c["n"])
        r = ec_mul(c, k, G)[0] % c["n"]
        s = pow(k, -1, c["n"]) * (e + r * d) % c["n"]
        if r and s:
            return seq(integer(r), integer(s))


def raw_cert(subject, issuer, spki, serial, exts, sign):
    """A certificate built here: sign(tbs) gives the ECDSA-Sig-Value."""
    alg = seq(oid("1.2.840.10045.4.3.2"))
    tbs = seq(explicit(0, integer(2)), integer(serial), alg,
              issuer.public_bytes(), seq(utctime(NOW - 2 * YEAR),
                                         utctime(NOW + 10 * YEAR)),
              subject.public_bytes(), spki, explicit(3, seq(*exts)))
    return seq(tbs, alg, bits(sign(tbs)))


def ext(o, crit, value):
    return seq(oid(o), tlv(0x01, b"\xff"), octets(value)) if crit else \
        seq(oid(o), octets(value))


def ext_csca(ski):
    return [ext("2.5.29.19", True, seq(tlv(0x01, b"\xff"), integer(0))),
            ext("2.5.29.15", True, tlv(0x03, b"\x01\x06")),
            ext("2.5.29.14", False, octets(ski))]


def ext_dsc(aki):
    return [ext("2.5.29.15", True, tlv(0x03, b"\x07\x80")),
            ext("2.5.29.35", False, seq(tlv(0x80, aki)))]


# ---- output ----

class Case:
    def __init__(self, root, name_, title):
        self.dir = os.path.join(root, name_)
        os.makedirs(self.dir, exist_ok=True)
        self.title = title
        self.steps = []
        self.expects = []
        self.files = {}

    def put(self, fname, data):
        if not isinstance(data, (bytes, bytearray)):
            data = der(data)
        with open(os.path.join(self.dir, fname), "wb") as f:
            f.write(data)
        self.files[fname] = data
        return fname

    def step(self, *words):
        self.steps.append(" ".join(str(w) for w in words))

    def expect(self, fname, status, reason="*"):
        self.expects.append("%s %s %s" % (fname, status, reason))

    def write(self):
        with open(os.path.join(self.dir, "steps"), "w") as f:
            f.write("# %s\n" % self.title)
            f.write("\n".join(self.steps) + "\n")
        with open(os.path.join(self.dir, "expect"), "w") as f:
            f.write("\n".join(self.expects) + "\n")


def ldif(entries):
    """An ICAO PKD style LDIF: entries are (dn, attr, DER)."""
    out = ["version: 1", ""]
    for dn, attr, data in entries:
        out.append("dn: " + dn)
        out.append("objectClass: pkdDownload")
        b = base64.b64encode(data).decode()
        first, rest = b[:70], b[70:]
        out.append("%s:: %s" % (attr, first))
        while rest:
            out.append(" " + rest[:75])
            rest = rest[75:]
        out.append("")
    return ("\n".join(out) + "\n").encode()


def pem(certs):
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


# ---- the crafted cases (issue 10 and more), each a small world ----

def case_untrusted_copy_of_csca_key(root):
    c = Case(root, "01-revocation-kept-against-a-key-copy",
             "one untrusted certificate with the CSCA's name and public key, "
             "signed by another key, does not switch revocation off")
    aa = Country("AA")
    d1, _ = aa.dsc(cn="DS one")
    d2, _ = aa.dsc(cn="DS two")
    # the copy is the newest and stored after the CSCA (a naive choice of
    # the CRL's issuer by country and newest notBefore takes it)
    while True:
        fake = cert(aa.name, aa.name, aa.keys[0].public_key(), eckey(), 7,
                    NOW - DAY, NOW + 30 * YEAR, ca=0, ku="csca", ski=None)
        if sha(der(fake)) > sha(der(aa.cscas[0])):
            break
    c.put("aa.pem", pem([aa.cscas[0]]))
    c.put("aa.crl", aa.crl([(d2.serial_number, NOW - 10 * DAY)]))
    c.put("d1.der", d1)
    c.put("d2.der", d2)
    c.put("fake.der", fake)
    c.step("trust aa.pem")
    c.step("import aa.crl")
    c.step("import d1.der")
    c.step("import d2.der")
    c.step("import fake.der")
    c.step("check")
    c.expect("d1.der", "valid", "chain")
    c.expect("d2.der", "revoked", "revoked")
    c.expect("aa.crl", "valid", "current")
    c.expect("fake.der", "invalid", "self-signature")
    c.write()


def case_same_point_other_generator(root, rng):
    c = Case(root, "02-explicit-curve-same-point-other-generator",
             "an attacker CA with the trusted CSCA's public point on a curve "
             "with another generator (its private key 1) does not credit "
             "its DSC to the CSCA")
    cv = P256
    G = (cv["gx"], cv["gy"])
    G2 = ec_mul(cv, 2, G)		# the trusted CSCA's generator
    d = rng.randrange(2, cv["n"])
    Q = ec_mul(cv, d, G2)
    n_bb = name("BB", "CSCA BB", "Government of BB")
    ski = hashlib.sha1(point(Q)).digest()
    csca = raw_cert(n_bb, n_bb, ec_spki(cv, G2, Q), 11, ext_csca(ski),
                    lambda tbs: ec_sign(cv, G2, d, tbs, rng))
    # the attacker: generator Q, private key 1, the same public point
    rogue = raw_cert(n_bb, n_bb, ec_spki(cv, Q, Q), 12, ext_csca(ski),
                     lambda tbs: ec_sign(cv, Q, 1, tbs, rng))
    k = eckey()
    spki = k.public_key().public_bytes(
        serialization.Encoding.DER,
        serialization.PublicFormat.SubjectPublicKeyInfo)
    subj = name("BB", "DS forged", "Government of BB")
    forged = raw_cert(subj, n_bb, spki, 13, ext_dsc(ski),
                      lambda tbs: ec_sign(cv, Q, 1, tbs, rng))
    genuine = raw_cert(name("BB", "DS genuine", "Government of BB"), n_bb,
                       spki, 14, ext_dsc(ski),
                       lambda tbs: ec_sign(cv, G2, d, tbs, rng))
    c.put("bb_csca.der", csca)
    c.put("rogue.der", rogue)
    c.put("forged.der", forged)
    c.put("genuine.der", genuine)
    c.step("trust bb_csca.der")
    c.step("import rogue.der")
    c.step("import forged.der")
    c.step("import genuine.der")
    c.step("check")
    c.expect("bb_csca.der", "valid", "anchor")
    c.expect("rogue.der", "untrusted", "no-anchor")
    c.expect("forged.der", "untrusted", "issuer-untrusted")
    c.expect("genuine.der", "valid", "chain")
    c.write()


def case_copies_push_out(root):
    c = Case(root, "03-copies-of-name-and-ski",
             "twelve untrusted certificates copying the CSCA's name and SKI "
             "(sorting before it) do not push the CSCA out of the candidates")
    aa = Country("AA")
    while sha(der(aa.cscas[0]))[0] < "c":
        aa = Country("AA")		# one that sorts late
    ski = ski_of(aa.keys[0].public_key())
    c.put("aa.pem", pem([aa.cscas[0]]))
    c.step("trust aa.pem")
    i = 0
    while i < 12:
        k = eckey()
        cp = cert(aa.name, aa.name, k.public_key(), k, 100 + i, ca=0,
                  ku="csca", ski=ski)
        if sha(der(cp)) > sha(der(aa.cscas[0])):
            continue		# the copies sort before the CSCA
        f = c.put("copy%02d.der" % i, cp)
        c.step("import", f)
        c.expect(f, "untrusted", "no-anchor")
        i += 1
    d, _ = aa.dsc()
    c.put("dsc.der", d)
    c.step("import dsc.der")
    c.step("check")
    c.expect("dsc.der", "valid", "chain")
    c.write()


def case_rollover_revocation(root):
    c = Case(root, "04-rollover-crl-by-new-key",
             "after a rollover the CRL signed by the new key revokes a DSC of "
             "the old key (a CRL speaks for its issuer name)")
    dd = Country("DD", gens=2)
    old, _ = dd.dsc(gen=0, cn="DS old key")
    new, _ = dd.dsc(gen=1, cn="DS new key")
    c.put("dd1.pem", pem([dd.cscas[0]]))
    c.put("link.der", dd.links[0])
    c.put("dd2.der", dd.cscas[1])
    c.put("old.der", old)
    c.put("new.der", new)
    c.put("dd.crl", dd.crl([(old.serial_number, NOW - 5 * DAY)], gen=1))
    c.step("trust dd1.pem")
    for f in ("link.der", "dd2.der", "old.der", "new.der", "dd.crl"):
        c.step("import", f)
    c.step("check")
    c.expect("link.der", "valid", "link")
    c.expect("dd2.der", "valid", "link")
    c.expect("old.der", "revoked", "revoked")
    c.expect("new.der", "valid", "chain")
    c.expect("dd.crl", "valid", "current")
    c.write()


def case_delta_crl(root):
    c = Case(root, "05-delta-crl",
             "a delta CRL (newer) does not replace the full CRL: what only "
             "the full CRL revokes stays revoked")
    aa = Country("AA")
    d1, _ = aa.dsc(cn="DS one")
    d2, _ = aa.dsc(cn="DS two")
    c.put("aa.pem", pem([aa.cscas[0]]))
    c.put("full.crl", aa.crl([(d1.serial_number, NOW - 9 * DAY)],
                             this=NOW - 10 * DAY, number=5))
    c.put("delta.crl", aa.crl([(d2.serial_number, NOW - 2 * DAY)],
                              this=NOW - 2 * DAY, number=6, delta=5))
    c.put("d1.der", d1)
    c.put("d2.der", d2)
    c.step("trust aa.pem")
    for f in ("full.crl", "delta.crl", "d1.der", "d2.der"):
        c.step("import", f)
    c.step("check")
    c.expect("full.crl", "valid", "current")
    c.expect("delta.crl", "unusable", "crl-delta")
    c.expect("d1.der", "revoked", "revoked")
    c.expect("d2.der", "valid", "chain")
    c.write()


def case_crl_without_aki(root):
    c = Case(root, "06-crl-without-aki",
             "a genuine CRL without AKI is tried with every trusted key of its "
             "issuer name, not only the newest CSCA")
    ee = Country("EE", gens=2)
    d, _ = ee.dsc(gen=0)
    c.put("ee1.pem", pem([ee.cscas[0]]))
    c.put("ee2.der", ee.cscas[1])
    c.put("link.der", ee.links[0])
    # signed by the old key, no AKI, while a newer CSCA exists
    c.put("ee.crl", ee.crl([(d.serial_number, NOW - 3 * DAY)], gen=0,
                           aki=False))
    c.put("d.der", d)
    c.step("trust ee1.pem")
    for f in ("ee2.der", "link.der", "ee.crl", "d.der"):
        c.step("import", f)
    c.step("check")
    c.expect("ee.crl", "valid", "current")
    c.expect("d.der", "revoked", "revoked")
    c.write()


def case_stale_masked(root):
    c = Case(root, "07-stale-crl-not-masked",
             "one CSCA's stale CRL is not masked by another CSCA of the same "
             "country having a fresh one")
    f1 = Country("FF", cn="CSCA FF passports")
    f2 = Country("FF", cn="CSCA FF residence permits")
    d1, _ = f1.dsc(cn="DS passports")
    d2, _ = f2.dsc(cn="DS permits")
    c.put("ff1.pem", pem([f1.cscas[0]]))
    c.put("ff2.pem", pem([f2.cscas[0]]))
    c.put("ff1.crl", f1.crl(this=NOW - 100 * DAY, nxt=NOW - 10 * DAY))
    c.put("ff2.crl", f2.crl())
    c.put("d1.der", d1)
    c.put("d2.der", d2)
    c.step("trust ff1.pem")
    c.step("trust ff2.pem")
    for f in ("ff1.crl", "ff2.crl", "d1.der", "d2.der"):
        c.step("import", f)
    c.step("check 1")
    c.expect("ff1.crl", "stale", "crl-stale")
    c.expect("ff2.crl", "valid", "current")
    c.expect("d1.der", "valid", "chain")
    c.expect("d2.der", "valid", "chain")
    c.step("finding d1.der crl-stale")
    c.step("nofinding d2.der crl-stale")
    c.write()


def case_wrong_issuers(root):
    c = Case(root, "08-wrong-issuers",
             "a DSC with cA set cannot issue; a sub-CA of another country "
             "under DE cannot; a DSC of FR under DE is invalid and not "
             "published as FR's")
    de = Country("DE")
    cadsc, cak = de.dsc(cn="DS with CA flag", ca=True)
    sub = cert(name("DE", "DS under a DSC"), cadsc.subject, eckey().public_key(),
               cak, 5001, aki=ski_of(cak.public_key()))
    fr_ca_k = eckey()
    fr_ca = cert(name("FR", "Sub CA FR", "Government of FR"), de.name,
                 fr_ca_k.public_key(), de.keys[0], 5002, ca=0, ku="csca",
                 aki=ski_of(de.keys[0].public_key()))
    fr_dsc = cert(name("FR", "DS FR"), fr_ca.subject, eckey().public_key(),
                  fr_ca_k, 5003, aki=ski_of(fr_ca_k.public_key()))
    fr_under_de, _ = de.dsc(cn="DS FR under DE", country="FR")
    c.put("de.pem", pem([de.cscas[0]]))
    for f, o in (("cadsc.der", cadsc), ("sub.der", sub), ("frca.der", fr_ca),
                 ("frdsc.der", fr_dsc), ("fr_under_de.der", fr_under_de)):
        c.put(f, o)
    c.step("trust de.pem")
    for f in ("cadsc.der", "sub.der", "frca.der", "frdsc.der",
              "fr_under_de.der"):
        c.step("import", f)
    c.step("check 1")
    c.expect("cadsc.der", "valid", "chain")
    c.step("finding cadsc.der signer-ca")
    c.expect("sub.der", "untrusted", "issuer-absent")
    c.expect("frca.der", "invalid", "country-mismatch")
    c.expect("frdsc.der", "untrusted", "issuer-untrusted")
    c.expect("fr_under_de.der", "invalid", "country-mismatch")
    c.step("pemcount FR dsc 0")
    c.write()


def case_dates(root):
    c = Case(root, "09-dates",
             "not yet valid is its own verdict; a DSC under an expired CSCA "
             "is expired")
    gg = Country("GG")
    early, _ = gg.dsc(cn="DS from 2035", nb=datetime.datetime(2035, 1, 1),
                      na=datetime.datetime(2040, 1, 1))
    old = Country("HH", start=datetime.datetime(2002, 1, 1),
                  life=10 * YEAR)
    under_old, _ = old.dsc(cn="DS under an expired CSCA",
                           nb=datetime.datetime(2010, 1, 1),
                           na=NOW + 5 * YEAR)
    c.put("gg.pem", pem([gg.cscas[0]]))
    c.put("hh.pem", pem([old.cscas[0]]))
    c.put("early.der", early)
    c.put("under_old.der", under_old)
    c.step("trust gg.pem")
    c.step("trust hh.pem")
    c.step("import early.der")
    c.step("import under_old.der")
    c.step("check 1")
    c.expect("early.der", "not-yet-valid", "not-yet-valid")
    c.expect("hh.pem", "expired", "expired")
    c.expect("under_old.der", "expired", "issuer-expired")
    c.write()


def case_revoked_csca_and_signer(root):
    c = Case(root, "10-revoked-link-csca-and-ml-signer",
             "CRLs revoke links, CSCAs and list signers: a key connected only "
             "by a revoked link is not trusted, a revoked CSCA is revoked, a "
             "list from a revoked signer is refused (one signed before the "
             "revocation stands)")
    ii = Country("II", gens=2)
    d2, _ = ii.dsc(gen=1, cn="DS of the second key")
    other_k = eckey()
    other = cert(ii.name, ii.name, other_k.public_key(), ii.keys[0], 77,
                 ca=0, ku="csca", aki=ski_of(ii.keys[0].public_key()))
    s1, s1k = ii.mlsigner(gen=0)
    s2, s2k = ii.mlsigner(gen=0)
    cr = ii.crl([(ii.links[0].serial_number, NOW - 20 * DAY),
                 (other.serial_number, NOW - 20 * DAY),
                 (s1.serial_number, NOW - 20 * DAY)], gen=0)
    members = [der(ii.cscas[0])]
    c.put("ii1.pem", pem([ii.cscas[0]]))
    c.put("ii2.der", ii.cscas[1])
    c.put("link.der", ii.links[0])
    c.put("other.der", other)
    c.put("ii.crl", cr)
    c.put("d2.der", d2)
    c.put("revoked_signer.ml", signed_list(ml_content(members), s1, s1k,
                                           NOW - 2 * DAY))
    c.put("signed_before.ml", signed_list(ml_content(members), s1, s1k,
                                          NOW - 30 * DAY))
    c.put("good.ml", signed_list(ml_content(members), s2, s2k, NOW - 2 * DAY))
    c.step("trust ii1.pem")
    for f in ("ii2.der", "link.der", "other.der", "ii.crl", "d2.der"):
        c.step("import", f)
    c.step("import revoked_signer.ml 1")
    c.step("import signed_before.ml")
    c.step("import good.ml")
    c.step("check")
    c.expect("link.der", "revoked", "revoked")
    c.expect("other.der", "revoked", "revoked")
    c.expect("ii2.der", "revoked", "issuer-revoked")
    c.expect("d2.der", "revoked", "issuer-revoked")
    c.expect("signed_before.ml", "valid", "genuine")
    c.expect("good.ml", "valid", "genuine")
    c.expect("ii.crl", "valid", "current")
    c.write()


def case_critical_extension(root):
    c = Case(root, "11-unknown-critical-extensions",
             "an unknown critical extension makes a DSC or a CSCA invalid")
    jj = Country("JJ")
    d, _ = jj.dsc(extra=[("1.2.3.4.5", True, b"\x05\x00")])
    ok, _ = jj.dsc(cn="DS with a known one", extra=[("1.2.3.4.6", False,
                                                      b"\x05\x00")])
    kk_k = eckey()
    n_kk = name("KK", "CSCA KK")
    kk = cert(n_kk, n_kk, kk_k.public_key(), kk_k, 9, ca=0, ku="csca",
              extra=[("1.2.3.4.7", True, b"\x05\x00")])
    c.put("jj.pem", pem([jj.cscas[0]]))
    c.put("d.der", d)
    c.put("ok.der", ok)
    c.put("kk.der", kk)
    c.step("trust jj.pem")
    c.step("trust! kk.der 1")
    c.step("import d.der")
    c.step("import ok.der")
    c.step("import kk.der")
    c.step("check 1")
    c.expect("d.der", "invalid", "critical-extension")
    c.expect("ok.der", "valid", "chain")
    c.expect("kk.der", "invalid", "critical-extension")
    c.write()


def case_transitive_trust(root):
    c = Case(root, "12-no-transitive-trust",
             "a list of FR (a list authority) that adds a second CSCA DE does "
             "not stand against the officer's DE anchor")
    fr = Country("FR")
    de = Country("DE")
    evil_k = eckey()
    evil = cert(de.name, de.name, evil_k.public_key(), evil_k, 66, ca=0,
                ku="csca")
    forged = cert(name("DE", "DS forged"), de.name, eckey().public_key(),
                  evil_k, 67, aki=ski_of(evil_k.public_key()))
    us = Country("US")
    s, sk = fr.mlsigner()
    ml = signed_list(ml_content([der(fr.cscas[0]), der(evil),
                                 der(us.cscas[0])]), s, sk)
    d_us, _ = us.dsc()
    d_de, _ = de.dsc()
    c.put("fr.pem", pem([fr.cscas[0]]))
    c.put("de.pem", pem([de.cscas[0]]))
    c.put("fr.ml", ml)
    c.put("evil.der", evil)
    c.put("forged.der", forged)
    c.put("us.der", us.cscas[0])
    c.put("dus.der", d_us)
    c.put("dde.der", d_de)
    c.step("trust fr.pem")
    c.step("trust de.pem")
    c.step("authority FR all")
    for f in ("fr.ml", "forged.der", "dus.der", "dde.der"):
        c.step("import", f)
    c.step("check 1")
    c.expect("evil.der", "untrusted", "conflict")
    c.expect("forged.der", "untrusted", "issuer-untrusted")
    c.expect("us.der", "valid", "vouched")
    c.expect("dus.der", "valid", "chain")
    c.expect("dde.der", "valid", "chain")
    c.expect("fr.ml", "valid", "genuine")
    c.step("pemcount DE csca 1")
    c.write()


def case_rollover_in_list(root):
    c = Case(root, "14-rollover-in-list",
             "a list signed under a newer CSCA verifies with the older "
             "anchor when the link travels in the list")
    un = Country("UN", gens=2)
    s, sk = un.mlsigner(gen=1)
    ml = signed_list(ml_content([der(un.cscas[1]), der(un.links[0])]), s, sk)
    c.put("un1.pem", pem([un.cscas[0]]))
    c.put("un.ml", ml)
    c.step("mlverify 0 un.ml un1.pem")
    c.step("mlverify 1 un.ml")
    c.step("trust un1.pem")
    c.step("import un.ml")
    c.step("check")
    c.expect("un.ml", "valid", "genuine")
    c.write()


def case_pem_case(root):
    c = Case(root, "16-export-country-case",
             "CSCAs of GB and gb go to one bundle; nothing is lost")
    g1 = Country("GB")
    k = eckey()
    n2 = name("GB", "CSCA GB lower", "Government of GB", cc_text="gb")
    g2 = cert(n2, n2, k.public_key(), k, 3, ca=0, ku="csca")
    hu = Country("HU")		# sorts between "GB" and "gb"
    c.put("gb1.pem", pem([g1.cscas[0]]))
    c.put("gb2.pem", pem([g2]))
    c.put("hu.pem", pem([hu.cscas[0]]))
    c.step("trust gb1.pem")
    c.step("trust hu.pem")
    c.step("trust gb2.pem")
    c.step("check")
    c.expect("gb1.pem", "valid", "anchor")
    c.expect("gb2.pem", "valid", "anchor")
    c.step("pemcount GB csca 2")
    c.write()


def case_ldif_bad_list(root):
    c = Case(root, "17-ldif-bad-list-entry",
             "one unparsable list in an LDIF is refused on its own; the "
             "rest, CRLs included, imports")
    aa = Country("AA")
    d, _ = aa.dsc()
    s, sk = aa.mlsigner()
    good = signed_list(ml_content([der(aa.cscas[0])]), s, sk)
    broken = bytearray(good)
    broken[len(broken) // 2] ^= 0xFF
    base = "dc=data,dc=download,dc=pkd,dc=icao,dc=int"
    c.put("aa.pem", pem([aa.cscas[0]]))
    c.put("d.der", d)
    c.put("aa.crl", aa.crl())
    c.put("pkd.ldif", ldif([
        ("cn=broken,o=ml,c=ZZ," + base, "pkdMasterListContent", bytes(broken)),
        ("cn=d,o=dsc,c=AA," + base, "userCertificate;binary", der(d)),
        ("cn=crl,o=crl,c=AA," + base, "certificateRevocationList;binary",
         der(aa.crl())),
    ]))
    c.step("trust aa.pem")
    c.step("import pkd.ldif 1")
    c.step("check")
    c.expect("d.der", "valid", "chain")
    c.write()


def case_crl_name_and_critical(root):
    c = Case(root, "18-crl-other-name-or-critical",
             "a CRL under another issuer name (same key identifier) or with "
             "an unknown critical extension is never used")
    ll = Country("LL")
    d1, _ = ll.dsc(cn="DS one")
    d2, _ = ll.dsc(cn="DS two")
    other = crl(name("LL", "CSCA LL typo"), ll.keys[0],
                [(d1.serial_number, NOW - DAY)], this=NOW)
    critical = ll.crl([(d2.serial_number, NOW - DAY)], this=NOW,
                      crit="1.2.3.4.9")
    c.put("ll.pem", pem([ll.cscas[0]]))
    c.put("other.crl", other)
    c.put("critical.crl", critical)
    c.put("plain.crl", ll.crl(this=NOW - 5 * DAY))
    c.put("d1.der", d1)
    c.put("d2.der", d2)
    c.step("trust ll.pem")
    for f in ("other.crl", "critical.crl", "plain.crl", "d1.der", "d2.der"):
        c.step("import", f)
    c.step("check")
    c.expect("other.crl", "untrusted", "crl-issuer-untrusted")
    c.expect("critical.crl", "unusable", "crl-critical-extension")
    c.expect("plain.crl", "valid", "current")
    c.expect("d1.der", "valid", "chain")
    c.expect("d2.der", "valid", "chain")
    c.write()


def case_name_matching(root):
    c = Case(root, "19-name-case-and-spacing",
             "issuer names that differ only in the case or spacing of a "
             "UTF8String match (RFC 5280 7.1)")
    k = eckey()
    n1 = name("MM", "Csca  Of MM", "Ministry", utf8=True)
    n2 = name("MM", " csca of mm ", "MINISTRY", utf8=True)
    csca = cert(n1, n1, k.public_key(), k, 1, ca=0, ku="csca")
    d = cert(name("MM", "DS MM"), n2, eckey().public_key(), k, 2,
             aki=ski_of(k.public_key()))
    c.put("mm.pem", pem([csca]))
    c.put("d.der", d)
    c.step("trust mm.pem")
    c.step("import d.der")
    c.step("check")
    c.expect("d.der", "valid", "chain")
    c.write()


def case_dsa(root):
    c = Case(root, "20-dsa-unsupported",
             "a correctly signed DSA certificate is reported as an algorithm "
             "npkd cannot verify, never as invalid")
    k = dsa.generate_private_key(2048)
    n = name("NN", "CSCA NN")
    csca = cert(n, n, k.public_key(), k, 1, ca=0, ku="csca")
    d = cert(name("NN", "DS NN"), n, eckey().public_key(), k, 2,
             aki=ski_of(k.public_key()))
    c.put("nn.der", csca)
    c.put("d.der", d)
    c.step("import nn.der")
    c.step("import d.der")
    c.step("check")
    c.expect("nn.der", "unsupported", "algorithm-unsupported")
    c.expect("d.der", "unsupported", "algorithm-unsupported")
    c.write()


def case_attacker_crl_and_link(root):
    c = Case(root, "21-attacker-crl-and-link",
             "a CRL or a link made by a copy of the CSCA (same name, another "
             "key) changes nothing: the genuine DSC stays valid")
    aa = Country("AA")
    d, _ = aa.dsc()
    aski = ski_of(aa.keys[0].public_key())
    rk = eckey()
    rogue = cert(aa.name, aa.name, rk.public_key(), rk, 9, ca=0, ku="csca")
    # naming the rogue key, or claiming the genuine one
    fake_crl = crl(aa.name, rk, [(d.serial_number, NOW - DAY)], this=NOW)
    fake_crl2 = crl(aa.name, rk, [(d.serial_number, NOW - DAY)], this=NOW,
                    aki=aski)
    nk = eckey()
    fake_link = cert(aa.name, aa.name, nk.public_key(), rk, 10, ca=0,
                     ku="csca", aki=ski_of(rk.public_key()))
    fake_link2 = cert(aa.name, aa.name, nk.public_key(), rk, 12, ca=0,
                      ku="csca", aki=aski)
    forged = cert(name("AA", "DS forged"), aa.name, eckey().public_key(), nk,
                  11, aki=ski_of(nk.public_key()))
    c.put("aa.pem", pem([aa.cscas[0]]))
    for f, o in (("d.der", d), ("rogue.der", rogue), ("fake.crl", fake_crl),
                 ("fake2.crl", fake_crl2), ("fake_link.der", fake_link),
                 ("fake_link2.der", fake_link2), ("forged.der", forged),
                 ("aa.crl", aa.crl(this=NOW - 3 * DAY))):
        c.put(f, o)
    c.step("trust aa.pem")
    for f in ("rogue.der", "fake.crl", "fake2.crl", "fake_link.der",
              "fake_link2.der", "forged.der", "d.der", "aa.crl"):
        c.step("import", f)
    c.step("check 1")
    c.expect("d.der", "valid", "chain")
    c.expect("aa.crl", "valid", "current")
    c.expect("fake.crl", "untrusted", "crl-issuer-untrusted")
    c.expect("fake2.crl", "invalid", "crl-signature")
    c.expect("rogue.der", "untrusted", "no-anchor")
    c.expect("fake_link.der", "untrusted", "no-anchor")
    c.expect("fake_link2.der", "invalid", "link-signature")
    c.expect("forged.der", "untrusted", "issuer-untrusted")
    c.write()


def case_anchor_refused(root):
    c = Case(root, "22-anchor-checks",
             "an anchor that claims to be self-signed must be; a DSC is no "
             "anchor; a CA issued by another key is accepted with a finding")
    k = eckey()
    n = name("OO", "CSCA OO")
    bad = cert(n, n, k.public_key(), eckey(), 1, ca=0, ku="csca")
    oo = Country("OO")
    d, _ = oo.dsc()
    pp = Country("PP")
    sub_k = eckey()
    sub = cert(name("PP", "CSCA PP sub"), pp.name, sub_k.public_key(),
               pp.keys[0], 2, ca=0, ku="csca",
               aki=ski_of(pp.keys[0].public_key()))
    sd = cert(name("PP", "DS PP sub"), sub.subject, eckey().public_key(),
              sub_k, 3, aki=ski_of(sub_k.public_key()))
    c.put("bad.der", bad)
    c.put("dsc.der", d)
    c.put("sub.der", sub)
    c.put("sd.der", sd)
    c.step("trust! bad.der 1")
    c.step("trust! dsc.der 1")
    c.step("trust sub.der")
    c.step("import sd.der")
    c.step("check")
    c.expect("sub.der", "valid", "anchor")
    c.step("finding sub.der anchor-not-self-signed")
    c.write()


def case_list_signers(root):
    c = Case(root, "23-list-signer-rules",
             "a list signer must be one (EKU, not a CA), valid at the signing "
             "time, which is not in the future; the right kind for the list")
    qq = Country("QQ")
    members = ml_content([der(qq.cscas[0])])
    s, sk = qq.mlsigner()
    ca_s, ca_sk = qq.mlsigner(ca=0)
    dl_s, dl_sk = qq.mlsigner(eku=DL_EKU)
    old_s, old_sk = qq.mlsigner(nb=NOW - 5 * YEAR, na=NOW - YEAR)
    c.put("qq.pem", pem([qq.cscas[0]]))
    c.put("future.ml", signed_list(members, s, sk, NOW + 30 * DAY))
    c.put("ca_signer.ml", signed_list(members, ca_s, ca_sk))
    c.put("dl_signer.ml", signed_list(members, dl_s, dl_sk))
    c.put("expired_then.ml", signed_list(members, old_s, old_sk, NOW - DAY))
    c.put("valid_then.ml", signed_list(members, old_s, old_sk,
                                       NOW - 2 * YEAR))
    c.step("trust qq.pem")
    c.step("import future.ml 1")
    c.step("import ca_signer.ml 1")
    c.step("import dl_signer.ml 1")
    c.step("import expired_then.ml 1")
    c.step("import valid_then.ml")
    c.step("mlverify 1 future.ml qq.pem")
    c.step("check")
    c.expect("valid_then.ml", "valid", "genuine")
    c.write()


def case_keys_per_name(root):
    c = Case(root, "24-keys-per-name",
             "a chain of 70 CSCA keys under one name: 64 keys are trusted "
             "under a name, the links past them are refused as too many, "
             "and what the later keys issued is untrusted")
    kk = Country("KK", gens=70)
    d10, _ = kk.dsc(gen=10, cn="DS ten")
    d63, _ = kk.dsc(gen=63, cn="DS sixty-three")
    d69, _ = kk.dsc(gen=69, cn="DS sixty-nine")
    c.put("kk.pem", pem([kk.cscas[0]]))
    c.put("links.pem", pem(kk.links))
    c.put("d10.der", d10)
    c.put("d63.der", d63)
    c.put("d69.der", d69)
    c.put("link63.der", kk.links[62])
    c.put("link64.der", kk.links[63])
    c.step("trust kk.pem")
    for f in ("links.pem", "d10.der", "d63.der", "d69.der"):
        c.step("import", f)
    c.step("check 1")
    c.expect("d10.der", "valid", "chain")
    c.expect("d63.der", "valid", "chain")
    c.expect("link63.der", "valid", "*")
    c.expect("link64.der", "untrusted", "too-many-keys")
    c.expect("d69.der", "untrusted", "*")
    c.write()


def cases(root, rng):
    case_untrusted_copy_of_csca_key(root)
    case_same_point_other_generator(root, rng)
    case_copies_push_out(root)
    case_rollover_revocation(root)
    case_delta_crl(root)
    case_crl_without_aki(root)
    case_stale_masked(root)
    case_wrong_issuers(root)
    case_dates(root)
    case_revoked_csca_and_signer(root)
    case_critical_extension(root)
    case_transitive_trust(root)
    case_rollover_in_list(root)
    case_pem_case(root)
    case_ldif_bad_list(root)
    case_crl_name_and_critical(root)
    case_name_matching(root)
    case_dsa(root)
    case_attacker_crl_and_link(root)
    case_anchor_refused(root)
    case_list_signers(root)
    case_keys_per_name(root)


# ---- random worlds: the property test ----

CODES = ["AB", "BC", "CD", "DE", "EF", "FG", "GH", "HI", "IJ", "JK"]
TRUSTED_HOW = ("anchor", "link", "own-list", "vouched")


def worlds(root, count, seed):
    for w in range(count):
        world(os.path.join(root, "w%03d" % w), random.Random(seed * 7919 + w))


def world(root, rng):
    """One world: countries that roll their CSCAs over (links sometimes
    missing), anchor them or not, publish lists, CRLs and DSCs; list
    authorities; an attacker's copies, forgeries and fake CRLs.  The truth
    of every object follows from how it was made."""
    c = Case(os.path.dirname(root), os.path.basename(root), "random world")
    cs = rng.sample(CODES, rng.randint(3, 6))
    imports = []		# (file, code) in an order shuffled below
    co = {}
    for cc in cs:
        ngen = rng.randint(1, 3)
        x = Country(cc, gens=ngen)
        x.has_link = [True] + [rng.random() < 0.8 for _ in range(ngen - 1)]
        x.anchored = rng.random() < 0.6
        x.anchor = 0 if rng.random() < 0.8 else ngen - 1
        x.imported = [True] * ngen
        co[cc] = x
    auth = {}
    for cc in cs:
        if rng.random() < 0.5:
            auth[cc] = "*" if rng.random() < 0.5 else \
                set(rng.sample(cs, rng.randint(1, len(cs))))

    def is_auth(xc, yc):
        a = auth.get(xc)
        return a is not None and (a == "*" or yc in a)

    # lists: an anchored country's own list, signed under its anchor
    lists = {}
    for cc in cs:
        x = co[cc]
        if rng.random() < 0.5:
            s, sk = x.mlsigner(gen=x.anchor if x.anchored else 0)
            members = [x.cscas[g] for g in range(len(x.keys))]
            members += [x.links[g - 1] for g in range(1, len(x.keys))
                        if x.has_link[g]]
            others = [o for o in cs if o != cc and rng.random() < 0.5]
            members += [co[o].cscas[0] for o in others]
            ml = signed_list(ml_content([der(m) for m in members]), s, sk)
            lists[cc] = (s, members, others)
            f = c.put("ml_%s.ml" % cc, ml)
            c.put("mls_%s.der" % cc, s)
            imports.append((f, "list"))
    # what is trusted, and how (the model's rules, applied to the plan)
    genuine_list = {cc: co[cc].anchored for cc in lists}
    trusted = {}		# (cc, gen) -> set of possible reasons
    for cc in cs:
        x = co[cc]
        if not x.anchored:
            continue
        trusted[(cc, x.anchor)] = {"anchor"}
        g = x.anchor
        while g + 1 < len(x.keys) and x.has_link[g + 1]:
            g += 1
            trusted[(cc, g)] = {"link"}
        if genuine_list.get(cc):
            for g in range(len(x.keys)):
                if (cc, g) not in trusted:
                    trusted[(cc, g)] = {"own-list", "link"}
    anchored_cc = {cc for cc in cs if co[cc].anchored}
    conflict, listed = set(), set()
    for lc, (s, members, others) in lists.items():
        if not genuine_list[lc]:
            continue
        for o in others:
            listed.add((o, 0))
            if not is_auth(lc, o):
                continue
            if o in anchored_cc:
                if (o, 0) not in trusted:
                    conflict.add((o, 0))
                continue
            trusted.setdefault((o, 0), set()).add("vouched")
    # links from vouched keys
    for cc in cs:
        x = co[cc]
        for g in range(1, len(x.keys)):
            if (cc, g - 1) in trusted and x.has_link[g] and \
                    (cc, g) not in trusted and cc not in anchored_cc:
                trusted[(cc, g)] = {"link"}
    for cc in cs:
        x = co[cc]
        for g in range(len(x.keys)):
            f = c.put("%s_g%d.der" % (cc, g), x.cscas[g])
            if x.anchored and g == x.anchor:
                c.step("trust", f)
            else:
                imports.append((f, "csca"))
            if (cc, g) in trusted:
                c.expect(f, "valid", "|".join(sorted(trusted[(cc, g)] |
                                                      {"link", "own-list"}
                                                      if "anchor" not in
                                                      trusted[(cc, g)] else
                                                      trusted[(cc, g)])))
            elif (cc, g) in conflict:
                c.expect(f, "untrusted", "conflict")
            elif (cc, g) in listed:
                c.expect(f, "untrusted", "not-vouched")
            else:
                c.expect(f, "untrusted", "no-anchor|not-vouched")
            if g > 0 and x.has_link[g]:
                lf = c.put("%s_link%d.der" % (cc, g), x.links[g - 1])
                imports.append((lf, "link"))
                if (cc, g - 1) in trusted:
                    c.expect(lf, "valid", "|".join(TRUSTED_HOW))
                else:
                    c.expect(lf, "untrusted", "no-anchor|not-vouched|conflict")
        if cc in lists and genuine_list[cc]:
            # a list that is not genuine is refused whole (exit 1)
            c.expect("mls_%s.der" % cc, "valid", "chain")
            c.expect("ml_%s.ml" % cc, "valid", "genuine")
    for cc, a in sorted(auth.items()):
        for y in (["all"] if a == "*" else sorted(a)):
            c.step("authority", cc, y)
    # CRLs by the newest key; DSCs of every generation
    for cc in cs:
        x = co[cc]
        newest = len(x.keys) - 1
        dscs, revoked = [], []
        for g in range(len(x.keys)):
            for k in range(rng.randint(1, 2)):
                kind = rng.choice(["ok"] * 6 + ["early", "old", "revoked",
                                                "revoked", "country",
                                                "critical"])
                kw = {}
                if kind == "early":
                    kw = {"nb": NOW + 30 * DAY, "na": NOW + YEAR}
                elif kind == "old":
                    kw = {"nb": NOW - 3 * YEAR, "na": NOW - YEAR}
                elif kind == "country":
                    kw = {"country": "ZZ"}
                elif kind == "critical":
                    kw = {"extra": [("1.2.3.9.9", True, b"\x05\x00")]}
                d, _ = x.dsc(gen=g, cn="DS %s g%d %d" % (cc, g, k), **kw)
                f = c.put("%s_dsc_g%d_%d.der" % (cc, g, k), d)
                imports.append((f, "dsc"))
                dscs.append((f, g, kind, d))
                if kind == "revoked":
                    revoked.append(d)
        crlmode = rng.choice(["fresh"] * 6 + ["stale", "none", "noaki"])
        current = None
        if crlmode != "none":
            old = x.crl([(d.serial_number, NOW - 90 * DAY) for d in revoked],
                        this=NOW - 80 * DAY, nxt=NOW - 10 * DAY, number=1)
            cur = x.crl([(d.serial_number, NOW - 90 * DAY) for d in revoked],
                        this=NOW - (40 if crlmode == "stale" else 2) * DAY,
                        nxt=NOW - 5 * DAY if crlmode == "stale" else
                        NOW + 60 * DAY, aki=crlmode != "noaki", number=2)
            delta = x.crl([], this=NOW - DAY, number=3, delta=2)
            for fn, obj in (("old", old), ("cur", cur), ("delta", delta)):
                f = c.put("%s_crl_%s.crl" % (cc, fn), obj)
                imports.append((f, "crl"))
            ntrusted = (cc, newest) in trusted
            anytrusted = any((cc, g) in trusted for g in range(len(x.keys)))
            if ntrusted:
                current = crlmode
                c.expect("%s_crl_old.crl" % cc, "superseded", "superseded")
                c.expect("%s_crl_cur.crl" % cc, "stale" if crlmode == "stale"
                         else "valid", "crl-stale" if crlmode == "stale"
                         else "current")
            else:
                why = "crl-signature" if anytrusted else "crl-issuer-untrusted"
                st = "invalid" if anytrusted else "untrusted"
                # with AKI the CRL names a key that is not trusted
                c.expect("%s_crl_old.crl" % cc, "untrusted",
                         "crl-issuer-untrusted")
                if crlmode == "noaki":
                    c.expect("%s_crl_cur.crl" % cc, st, why)
                else:
                    c.expect("%s_crl_cur.crl" % cc, "untrusted",
                             "crl-issuer-untrusted")
            c.expect("%s_crl_delta.crl" % cc, "unusable", "crl-delta")
        for f, g, kind, d in dscs:
            if kind == "critical":
                c.expect(f, "invalid", "critical-extension")
            elif (cc, g) not in trusted:
                c.expect(f, "untrusted", "issuer-untrusted")
            elif kind == "country":
                c.expect(f, "invalid", "country-mismatch")
            elif kind == "revoked" and current is not None:
                c.expect(f, "revoked", "revoked")
            elif kind == "early":
                c.expect(f, "not-yet-valid", "not-yet-valid")
            elif kind == "old":
                c.expect(f, "expired", "expired")
            else:
                c.expect(f, "valid", "chain")
        # the attacker: a copy of a CSCA (name and SKI), a forged DSC under
        # it, a fake CRL naming the genuine key that revokes everything
        if rng.random() < 0.7:
            g = rng.randrange(len(x.keys))
            ak = eckey()
            ski = ski_of(x.keys[g].public_key())
            copy = cert(x.name, x.name, ak.public_key(), ak, 9000 + g, ca=0,
                        ku="csca", ski=ski)
            forged = cert(name(cc, "DS forged"), x.name, eckey().public_key(),
                          ak, 9100 + g, aki=ski)
            fake = crl(x.name, ak, [(d.serial_number, NOW - DAY)
                                    for _, _, _, d in dscs], this=NOW,
                       aki=ski_of(x.keys[newest].public_key()), number=99)
            for fn, obj in (("copy", copy), ("forged", forged),
                            ("fakecrl", fake)):
                f = c.put("%s_att_%s.%s" % (cc, fn, "crl" if fn == "fakecrl"
                                            else "der"), obj)
                imports.append((f, fn))
            c.expect("%s_att_copy.der" % cc, "untrusted", "no-anchor")
            c.expect("%s_att_forged.der" % cc, "untrusted", "issuer-untrusted")
            if (cc, newest) in trusted:
                c.expect("%s_att_fakecrl.crl" % cc, "invalid", "crl-signature")
            else:
                c.expect("%s_att_fakecrl.crl" % cc, "untrusted",
                         "crl-issuer-untrusted")
    rng.shuffle(imports)
    for f, what in imports:
        if what == "list" and not genuine_list.get(f[3:5]):
            c.step("import", f, 1)
        else:
            c.step("import", f)
    c.step("check")
    c.write()


def chain(path, n):
    """A hostile list for the scale test: one name, n keys, n - 1 links."""
    zz = Country("ZZ", gens=n)
    s, sk = zz.mlsigner(gen=n - 1)
    with open(path, "wb") as f:
        f.write(signed_list(ml_content([der(zz.cscas[0])] +
                                       [der(x) for x in zz.links]), s, sk))


def main(argv):
    if len(argv) >= 3 and argv[1] == "cases":
        cases(argv[2], random.Random(1))
        return 0
    if len(argv) == 4 and argv[1] == "chain":
        chain(argv[2], int(argv[3]))
        return 0
    if len(argv) == 5 and argv[1] == "worlds":
        worlds(argv[2], int(argv[3]), int(argv[4]))
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
