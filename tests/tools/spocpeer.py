#!/usr/bin/python3
"""spocpeer.py - a foreign SPOC built on an independent SOAP stack
(python3-zeep, lxml, Python's ssl on OpenSSL) from a WSDL alone, for the
SPOC tool tests.

  spocpeer.py client WSDL URL CA CERT KEY CALLER REQUEST PUSHCERT
      Calls every operation of the WSDL's service at URL over mutual TLS
      and prints one JSON line per call: what was sent, the result code,
      the number of certificates; each answer is validated strictly
      against the WSDL's schema before zeep reads it.

  spocpeer.py server WSDL CERT KEY CA PORTFILE LOG MODE
      Serves the WSDL's operations on 127.0.0.1 (port into PORTFILE) over
      mutual TLS.  Each request is validated strictly against the schema,
      read by zeep, written to LOG as a JSON line, and answered as MODE
      says: honest (a normal answer), slow (headers, then nothing),
      trickle (a byte a second), huge (20 MiB), malformed (not XML), bomb
      (a document type with nested entities), fault (a SOAP fault),
      wrongop (another operation's answer), gateway (HTTP 502).
"""
import base64
import json
import os
import ssl
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import lxml.etree as et
from zeep import Client, Settings
from zeep.helpers import serialize_object
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
XS = "http://www.w3.org/2001/XMLSchema"


def schema_of(wsdl_path):
    """The XML schema of a WSDL: inline, or imported by schemaLocation."""
    doc = et.parse(wsdl_path)
    base = os.path.dirname(os.path.abspath(wsdl_path))
    for s in doc.iter("{%s}schema" % XS):
        imp = s.find("{%s}import" % XS)
        if imp is not None and imp.get("schemaLocation"):
            return et.XMLSchema(et.parse(os.path.join(base,
                imp.get("schemaLocation"))))
        if s.get("targetNamespace"):
            return et.XMLSchema(s)
    raise SystemExit("spocpeer: no schema in %s" % wsdl_path)


def body_element(envelope):
    """The one element in a SOAP 1.1 Body."""
    if envelope.tag != "{%s}Envelope" % SOAP11:
        raise ValueError("not a SOAP 1.1 Envelope: %s" % envelope.tag)
    body = envelope.find("{%s}Body" % SOAP11)
    kids = [k for k in body if isinstance(k.tag, str)]
    if len(kids) != 1:
        raise ValueError("%d elements in the Body" % len(kids))
    return kids[0]


def binding_of(client):
    return list(client.wsdl.bindings.values())[0]


# --- client ---------------------------------------------------------------

def client(wsdl, url, ca, cert, key, caller, request, pushcert):
    import requests
    schema = schema_of(wsdl)
    session = requests.Session()
    session.verify = ca
    session.cert = (cert, key)
    session.trust_env = False
    history = HistoryPlugin()
    c = Client(wsdl, transport=Transport(session=session, timeout=20),
               settings=Settings(strict=True, xml_huge_tree=False),
               plugins=[history])
    ns = binding_of(c).name.namespace
    svc = c.create_service(binding_of(c).name, url)
    csn = "unmz" in ns
    notify = "new_cer_available_notification" if csn else \
        "new_cert_available_notification"
    with open(request, "rb") as f:
        req = f.read()
    with open(pushcert, "rb") as f:
        push = f.read()
    mid = "%s zeep %d" % (caller, os.getpid())
    calls = [
        ("GeneralMessage", dict(callerID=caller, messageID=mid + " gm",
                                subject="zeep", body="from an independent "
                                "SOAP stack")),
        ("GeneralMessage", dict(callerID=caller, messageID=mid + " gm",
                                subject="zeep", body="from an independent "
                                "SOAP stack")),
        ("GetCACertificates", dict(callerID=caller, messageID=mid + " gca")),
        ("RequestCertificate", dict(callerID=caller, messageID=mid + " rc",
                                    certificateRequest=req)),
        ("SendCertificates", dict(callerID=caller,
                                  certificateSequence={"certificate": [push]},
                                  statusInfo=notify)),
        ("SendCertificates", dict(callerID=caller, messageID=mid + " none",
                                  statusInfo="ok_cert_available",
                                  certificateSequence={"certificate": [push]})),
    ]
    ok = True
    for op, kw in calls:
        out = {"op": op}
        try:
            getattr(svc, op)(**kw)      # zeep reads it, strictly
            env = history.last_received["envelope"]
            el = body_element(env)
            schema.assertValid(el)
            out["valid"] = True
            out["result"] = el.findtext("{%s}result" % ns)
            out["certs"] = len(el.findall("{%s}certificateSequence/{%s}"
                                          "certificate" % (ns, ns)))
        except Exception as e:       # noqa: BLE001 - reported, then fail
            out["error"] = "%s: %s" % (type(e).__name__, e)
            ok = False
        print(json.dumps(out), flush=True)
    return 0 if ok else 1


# --- server ---------------------------------------------------------------

FAULT = ('<?xml version="1.0"?><s:Envelope xmlns:s="%s"><s:Body><s:Fault>'
         '<faultcode>s:Server</faultcode><faultstring>down for maintenance'
         '</faultstring></s:Fault></s:Body></s:Envelope>' % SOAP11)
BOMB = ('<?xml version="1.0"?><!DOCTYPE e [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        '<s:Envelope xmlns:s="%s"><s:Body><x>&c;</x></s:Body></s:Envelope>'
        % SOAP11)


def answer_of(binding, el, csn):
    """A normal answer to the request element el, made by zeep."""
    name = et.QName(el).localname
    op = name[:-len("Request")]
    o = binding.get(op)
    if op == "GeneralMessage":
        kw = dict(result="ok")
    elif op == "SendCertificates":
        kw = dict(result="ok_received_correctly")
    else:
        kw = dict(result="ok_reception_ack")
    return op, o.output.serialize(**kw).content


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send(self, code, data, ctype="text/xml; charset=utf-8", length=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length if length is not None
                                               else len(data)))
        self.end_headers()
        if data:
            self.wfile.write(data)

    def do_POST(self):
        srv = self.server
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        rec = {"action": self.headers.get("SOAPAction"), "bytes": n}
        try:
            env = et.fromstring(raw, et.XMLParser(resolve_entities=False,
                                                  no_network=True))
            el = body_element(env)
            srv.schema.assertValid(el)
            name = et.QName(el).localname
            op = name[:-len("Request")]
            o = srv.binding.get(op)
            fields = serialize_object(o.input.deserialize(env))
            if not isinstance(fields, dict):
                fields = {}
            rec.update(valid=True, op=op, ns=et.QName(el).namespace,
                       fields={k: v for k, v in fields.items()
                               if isinstance(v, str)})
            op, resp = answer_of(srv.binding, el, srv.csn)
        except Exception as e:      # noqa: BLE001 - logged for the test
            rec.update(valid=False, error="%s: %s" % (type(e).__name__, e))
            with open(srv.log, "a") as f:
                f.write(json.dumps(rec) + "\n")
            self.send(500, FAULT.encode())
            return
        with open(srv.log, "a") as f:
            f.write(json.dumps(rec) + "\n")
        mode = srv.mode
        body = et.tostring(resp, xml_declaration=True, encoding="UTF-8")
        if mode == "honest":
            self.send(200, body)
        elif mode == "slow":
            self.send(200, None, length=len(body))
            time.sleep(30)
        elif mode == "trickle":
            self.send(200, None, length=len(body))
            for b in body:
                self.wfile.write(bytes([b]))
                self.wfile.flush()
                time.sleep(1)
        elif mode == "huge":
            self.send(200, None, length=20 << 20)
            chunk = b"<x>" + b"a" * 65530 + b"</x>"
            try:
                for _ in range(20 << 4):
                    self.wfile.write(chunk)
            except OSError:
                pass
        elif mode == "hugechunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                for _ in range(400):
                    self.wfile.write(b"10000\r\n" + b"a" * 65536 + b"\r\n")
            except OSError:
                pass
        elif mode == "malformed":
            self.send(200, b"<s:Envelope xmlns:s='" + SOAP11.encode() +
                      b"'><s:Body><unclosed>")
        elif mode == "bomb":
            self.send(200, BOMB.encode())
        elif mode == "fault":
            self.send(500, FAULT.encode())
        elif mode == "wrongop":
            other = "GeneralMessage" if op != "GeneralMessage" else \
                "GetCACertificates"
            o = srv.binding.get(other)
            kw = dict(result="ok") if other == "GeneralMessage" else \
                dict(result="ok_reception_ack")
            self.send(200, et.tostring(o.output.serialize(**kw).content))
        elif mode == "gateway":
            self.send(502, b"")
        else:
            self.send(500, b"")

    def do_GET(self):
        self.send(405, b"")


def server(wsdl, cert, key, ca, portfile, log, mode):
    c = Client(wsdl, settings=Settings(strict=True))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.load_verify_locations(ca)
    ctx.verify_mode = ssl.CERT_REQUIRED
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
    httpd.schema = schema_of(wsdl)
    httpd.binding = binding_of(c)
    httpd.csn = "unmz" in httpd.binding.name.namespace
    httpd.log = log
    httpd.mode = mode
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % httpd.server_address[1])
    os.rename(tmp, portfile)
    httpd.serve_forever()


def main(argv):
    if len(argv) == 10 and argv[1] == "client":
        return client(*argv[2:])
    if len(argv) == 9 and argv[1] == "server":
        return server(*argv[2:])
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
