/*
 * cms.c - CMS SignedData (RFC 5652): parse, verify, create.  Ours rather
 * than GnuTLS's, which ignores RSASSA-PSS parameters and the content type
 * (design.md section 7).  Signed attributes are hashed exactly as
 * received: only their [0] tag is replaced by the SET tag (5.4).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "npkd_int.h"

#define OID_SIGNED_DATA		"1.2.840.113549.1.7.2"
#define OID_ATTR_CTYPE		"1.2.840.113549.1.9.3"
#define OID_ATTR_DIGEST		"1.2.840.113549.1.9.4"
#define OID_ATTR_STIME		"1.2.840.113549.1.9.5"

#define R_CMS	"RFC 5652 5.3"
#define R_ML	"ICAO 9303-12 8.2"

struct npkd_cms {
	struct npkd_buf		 sd;		/* SignedData DER, or its shell */
	char			 ctype[NPKD_OID_MAX];
	uint8_t			*content;	/* eContent, copied (shell) */
	const uint8_t		*econtent;	/* into sd, or content */
	size_t			 econtent_len;
	int			 has_econtent;
	struct npkd_cert	**certs;
	size_t			 ncerts;
	/* the (first) SignerInfo */
	int			 sid_ski;
	struct npkd_buf		 sid_keyid;
	struct npkd_buf		 sid_issuer;	/* Name DER */
	struct npkd_buf		 sid_serial;	/* INTEGER content */
	char			*sid_str;
	int			 digest;
	struct npkd_buf		 attrs;		/* signedAttrs, SET tag */
	int			 has_attrs;
	char			 attr_ctype[NPKD_OID_MAX];
	struct npkd_buf		 attr_digest;
	int			 has_attr_digest;
	time_t			 signing_time;
	char			 sig_oid[NPKD_OID_MAX];
	struct npkd_buf		 sig_params;
	struct npkd_sigalg	 sigalg;
	int			 sigalg_ok;
	struct npkd_buf		 sig;
	struct npkd_findings	*findings;
};

void
npkd_cms_free(struct npkd_cms *c)
{
	if (c == NULL)
		return;
	npkd_buf_free(&c->sd);
	free(c->content);
	npkd_certs_free(c->certs, c->ncerts);
	npkd_buf_free(&c->sid_keyid);
	npkd_buf_free(&c->sid_issuer);
	npkd_buf_free(&c->sid_serial);
	free(c->sid_str);
	npkd_buf_free(&c->attrs);
	npkd_buf_free(&c->attr_digest);
	npkd_buf_free(&c->sig_params);
	npkd_buf_free(&c->sig);
	npkd_findings_free(c->findings);
	free(c);
}

static int
copy_span(asn1_node n, const struct npkd_buf *der, const char *name,
    struct npkd_buf *out)
{
	const uint8_t	*p;
	size_t		 len;

	out->data = NULL;
	out->len = 0;
	if (npkd_asn1_span(n, der->data, der->len, name, &p, &len) != NPKD_OK)
		return NPKD_E_NOTFOUND;
	if ((out->data = malloc(len)) == NULL)
		return NPKD_E_NOMEM;
	memcpy(out->data, p, len);
	out->len = len;
	return NPKD_OK;
}

/* One signed attribute: exactly one value, decoded as type. */
static int
attr_value(asn1_node n, const char *base, const char *type, asn1_node *v,
    struct npkd_err *e)
{
	struct npkd_buf	 raw;
	char		 path[96];
	int		 rc;

	snprintf(path, sizeof(path), "%s.attrValues.?2", base);
	if (npkd_asn1_present(n, path))
		return npkd_seterr(e, NPKD_E_FORMAT,
		    "signed attribute with several values (RFC 5652 11)");
	snprintf(path, sizeof(path), "%s.attrValues.?1", base);
	if (npkd_asn1_read_alloc(n, path, &raw) != NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "signed attribute "
		    "without a value");
	rc = npkd_asn1_decode(type, raw.data, raw.len, v, "signed attribute",
	    e);
	npkd_buf_free(&raw);
	return rc;
}

static int
signed_attrs(struct npkd_cms *c, asn1_node n, struct npkd_err *e)
{
	asn1_node	 v = NULL;
	char		 base[64], path[96], oid[NPKD_OID_MAX];
	int		 i, rc = NPKD_OK, seen_ct = 0, seen_md = 0, seen_st = 0;

	for (i = 1; i <= 64 && rc == NPKD_OK; i++) {
		snprintf(base, sizeof(base), "signerInfos.?1.signedAttrs.?%d", i);
		snprintf(path, sizeof(path), "%s.attrType", base);
		if (npkd_asn1_read_oid(n, path, oid, sizeof(oid)) != NPKD_OK)
			break;
		if (strcmp(oid, OID_ATTR_CTYPE) == 0) {
			if (seen_ct++)
				rc = npkd_seterr(e, NPKD_E_FORMAT,
				    "content-type attribute twice");
			else if ((rc = attr_value(n, base, "ContentTypeValue",
			    &v, e)) == NPKD_OK)
				npkd_asn1_read_oid(v, "", c->attr_ctype,
				    sizeof(c->attr_ctype));
		} else if (strcmp(oid, OID_ATTR_DIGEST) == 0) {
			if (seen_md++)
				rc = npkd_seterr(e, NPKD_E_FORMAT,
				    "message-digest attribute twice");
			else if ((rc = attr_value(n, base, "MessageDigestValue",
			    &v, e)) == NPKD_OK &&
			    npkd_asn1_read_alloc(v, "", &c->attr_digest) ==
			    NPKD_OK)
				c->has_attr_digest = 1;
		} else if (strcmp(oid, OID_ATTR_STIME) == 0) {
			if (seen_st++)
				rc = npkd_seterr(e, NPKD_E_FORMAT,
				    "signing-time attribute twice");
			else if ((rc = attr_value(n, base, "SigningTimeValue",
			    &v, e)) == NPKD_OK &&
			    npkd_asn1_read_time(v, "", &c->signing_time) !=
			    NPKD_OK)
				rc = npkd_seterr(e, NPKD_E_FORMAT,
				    "signing-time attribute: bad time");
		}
		asn1_delete_structure(&v);
	}
	if (rc == NPKD_OK && !seen_st)
		npkd_findings_add(c->findings, NPKD_SEV_WARNING,
		    "no-signing-time", R_ML, "signingTime attribute missing");
	return rc;
}

static int
signer_info(struct npkd_cms *c, asn1_node n, struct npkd_err *e)
{
	const struct npkd_buf	*sd = &c->sd;
	const uint8_t		*pp;
	size_t			 plen;
	char			 choice[32], oid[NPKD_OID_MAX], *name, *hex;
	unsigned long		 version = 0;
	int			 len, rc;
	struct npkd_err		 ke;

	if (!npkd_asn1_present(n, "signerInfos.?1"))
		return npkd_seterr(e, NPKD_E_FORMAT, "SignedData without "
		    "SignerInfo");
	if (npkd_asn1_present(n, "signerInfos.?2"))
		npkd_findings_add(c->findings, NPKD_SEV_WARNING, "signers",
		    R_ML, "several SignerInfos: only the first is checked");
	npkd_asn1_read_uint(n, "signerInfos.?1.version", &version);
	len = sizeof(choice);
	if (asn1_read_value(n, "signerInfos.?1.sid", choice, &len) !=
	    ASN1_SUCCESS)
		return npkd_seterr(e, NPKD_E_FORMAT, "SignerInfo: sid");
	if (strcmp(choice, "subjectKeyIdentifier") == 0) {
		c->sid_ski = 1;
		if (npkd_asn1_read_alloc(n,
		    "signerInfos.?1.sid.subjectKeyIdentifier", &c->sid_keyid) !=
		    NPKD_OK)
			return npkd_seterr(e, NPKD_E_FORMAT, "SignerInfo: SKI");
		if (version != 3)
			npkd_findings_add(c->findings, NPKD_SEV_WARNING,
			    "signer-version", R_CMS, "SignerInfo version %lu "
			    "with subjectKeyIdentifier, not 3", version);
		if ((hex = malloc(2 * c->sid_keyid.len + 1)) == NULL)
			return NPKD_E_NOMEM;
		npkd_hex(c->sid_keyid.data, c->sid_keyid.len, hex);
		if (asprintf(&c->sid_str, "ski:%s", hex) == -1)
			c->sid_str = NULL;
		free(hex);
	} else {
		if (copy_span(n, sd, "signerInfos.?1.sid.issuerAndSerialNumber."
		    "issuer", &c->sid_issuer) != NPKD_OK ||
		    npkd_asn1_read_alloc(n, "signerInfos.?1.sid."
		    "issuerAndSerialNumber.serialNumber", &c->sid_serial) !=
		    NPKD_OK)
			return npkd_seterr(e, NPKD_E_FORMAT,
			    "SignerInfo: issuerAndSerialNumber");
		if (version != 1)
			npkd_findings_add(c->findings, NPKD_SEV_WARNING,
			    "signer-version", R_CMS, "SignerInfo version %lu "
			    "with issuerAndSerialNumber, not 1", version);
		name = npkd_name_string(c->sid_issuer.data, c->sid_issuer.len);
		hex = malloc(2 * c->sid_serial.len + 1);
		if (name != NULL && hex != NULL) {
			npkd_hex(c->sid_serial.data, c->sid_serial.len, hex);
			if (asprintf(&c->sid_str, "issuer:%s serial:%s", name,
			    hex) == -1)
				c->sid_str = NULL;
		}
		free(name);
		free(hex);
	}
	if (c->sid_str == NULL)
		return NPKD_E_NOMEM;
	npkd_asn1_read_oid(n, "signerInfos.?1.digestAlgorithm.algorithm", oid,
	    sizeof(oid));
	if ((c->digest = npkd_hash_by_oid(oid)) == NPKD_HASH_NONE)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "digest algorithm %s",
		    oid);
	/* 9303-12: digest algorithm parameters absent or NULL, both fine. */
	if (copy_span(n, sd, "signerInfos.?1.signedAttrs", &c->attrs) ==
	    NPKD_OK) {
		c->has_attrs = 1;
		c->attrs.data[0] = 0x31;	/* [0] IMPLICIT -> SET OF */
		if ((rc = signed_attrs(c, n, e)) != NPKD_OK)
			return rc;
	} else
		npkd_findings_add(c->findings, NPKD_SEV_ERROR, "no-signed-attrs",
		    R_ML, "SignerInfo without signed attributes");
	npkd_asn1_read_oid(n, "signerInfos.?1.signatureAlgorithm.algorithm",
	    c->sig_oid, sizeof(c->sig_oid));
	if (npkd_asn1_span(n, sd->data, sd->len,
	    "signerInfos.?1.signatureAlgorithm.parameters", &pp, &plen) ==
	    NPKD_OK) {
		if ((c->sig_params.data = malloc(plen)) == NULL)
			return NPKD_E_NOMEM;
		memcpy(c->sig_params.data, pp, plen);
		c->sig_params.len = plen;
	}
	if (npkd_sigalg_parse(c->sig_oid, c->sig_params.data, c->sig_params.len,
	    c->digest, &c->sigalg, c->findings, &ke) == NPKD_OK)
		c->sigalg_ok = 1;
	else
		npkd_findings_add(c->findings, NPKD_SEV_ERROR, "sigalg", R_CMS,
		    "%s", ke.msg);
	if (c->sigalg_ok && c->sigalg.hash != c->digest &&
	    c->sigalg.kind != NPKD_SIG_RSA_PSS)
		npkd_findings_add(c->findings, NPKD_SEV_WARNING, "hash-mismatch",
		    R_CMS, "signature hash %s differs from digest algorithm %s",
		    npkd_hash_name(c->sigalg.hash), npkd_hash_name(c->digest));
	if (npkd_asn1_read_alloc(n, "signerInfos.?1.signature", &c->sig) !=
	    NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "SignerInfo: signature");
	return NPKD_OK;
}

/* Parse a DER ContentInfo holding SignedData. */
/* ContentInfo: its contentType and the span of its [0] content. */
static int
content_info(const uint8_t *der, size_t len, char *oid, size_t oidsz,
    const uint8_t **content, size_t *clen, struct npkd_err *e)
{
	unsigned int	 tag;
	size_t		 h, l, off, oh, ol, xh, xl;

	if (len == 0)
		return npkd_seterr(e, NPKD_E_FORMAT, "CMS: empty");
	if (npkd_der_header(der, len, &tag, &h, &l) != NPKD_OK || tag != 0x30)
		return npkd_seterr(e, NPKD_E_FORMAT, "CMS: not DER, or "
		    "truncated (%zu bytes)", len);
	if (h + l != len)
		return npkd_seterr(e, NPKD_E_FORMAT, "CMS: %zu trailing bytes "
		    "after the ContentInfo", len - h - l);
	off = h;
	if (npkd_der_header(der + off, len - off, &tag, &oh, &ol) != NPKD_OK ||
	    tag != 0x06 || npkd_oid_string(der + off + oh, ol, oid, oidsz) !=
	    NPKD_OK)
		return npkd_seterr(e, NPKD_E_FORMAT, "CMS: contentType");
	off += oh + ol;
	if (off >= len || npkd_der_header(der + off, len - off, &tag, &xh,
	    &xl) != NPKD_OK || tag != 0xa0 || off + xh + xl != len)
		return npkd_seterr(e, NPKD_E_FORMAT, "CMS: no content");
	*content = der + off + xh;
	*clen = xl;
	return NPKD_OK;
}

/* An element's header at p[off..end): its tag, its end; 0 when not DER. */
static int
sd_elem(const uint8_t *p, size_t off, size_t end, unsigned int *tag,
    size_t *hdr, size_t *next)
{
	size_t l;

	if (off >= end || npkd_der_header(p + off, end - off, tag, hdr, &l) !=
	    NPKD_OK)
		return 0;
	*next = off + *hdr + l;
	return 1;
}

/*
 * SignedData into c->sd.  A list's eContent can be most of a large file:
 * it is copied once, into c->content, and libtasn1 decodes a shell of the
 * SignedData in which eContent is an empty OCTET STRING (its value would
 * be copied twice more otherwise).  The walk to it is strict DER and
 * takes encapContentInfo only when it is exactly { OID, [0] { OCTET
 * STRING } }; anything else is copied whole, for libtasn1 to judge.
 */
static int
sd_shell(struct npkd_cms *c, const uint8_t *sd, size_t len,
    struct npkd_err *e)
{
	uint8_t		 h1[8], h2[8], *q;
	unsigned int	 tag;
	size_t		 h, end, off, ci0, ci1, oid, x, xh, xend, o, oh, oend,
			 inner, body, n1, n2;

	end = len;
	if (!sd_elem(sd, 0, len, &tag, &h, &end) || tag != 0x30 ||
	    end != len || !sd_elem(sd, h, len, &tag, &xh, &off) ||
	    !sd_elem(sd, off, len, &tag, &xh, &ci0) ||
	    !sd_elem(sd, ci0, len, &tag, &xh, &ci1) || tag != 0x30 ||
	    !sd_elem(sd, ci0 + xh, ci1, &tag, &oh, &x) || tag != 0x06 ||
	    !sd_elem(sd, x, ci1, &tag, &xh, &xend) || tag != 0xa0 ||
	    xend != ci1 || !sd_elem(sd, x + xh, ci1, &tag, &oh, &oend) ||
	    tag != 0x04 || oend != ci1)
		goto whole;
	oid = ci0 + (sd[ci0 + 1] < 0x80 ? 2 : 2 + (sd[ci0 + 1] & 0x7f));
	o = x + xh + oh;		/* the OCTET STRING's value */
	if ((c->content = malloc(ci1 - o ? ci1 - o : 1)) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "CMS");
	memcpy(c->content, sd + o, ci1 - o);
	c->econtent = c->content;
	c->econtent_len = ci1 - o;
	c->has_econtent = 1;
	/* SEQUENCE { ..., SEQUENCE { OID, [0] { OCTET STRING {} } }, ... } */
	inner = (x - oid) + 4;
	n2 = npkd_der_put_header(h2, 0x30, inner);
	body = (ci0 - h) + n2 + inner + (len - ci1);
	n1 = npkd_der_put_header(h1, 0x30, body);
	if ((c->sd.data = malloc(n1 + body)) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "CMS");
	q = c->sd.data;
	memcpy(q, h1, n1);
	q += n1;
	memcpy(q, sd + h, ci0 - h);
	q += ci0 - h;
	memcpy(q, h2, n2);
	q += n2;
	memcpy(q, sd + oid, x - oid);
	q += x - oid;
	memcpy(q, "\xa0\x02\x04\x00", 4);
	q += 4;
	memcpy(q, sd + ci1, len - ci1);
	c->sd.len = n1 + body;
	return NPKD_OK;
 whole:
	if ((c->sd.data = malloc(len ? len : 1)) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "CMS");
	memcpy(c->sd.data, sd, len);
	c->sd.len = len;
	return NPKD_OK;
}

int
npkd_cms_parse(const uint8_t *der, size_t len, struct npkd_cms **out,
    struct npkd_err *e)
{
	struct npkd_cms		*c = NULL;
	struct npkd_cert	*cert, **nv;
	struct npkd_buf		 raw;
	asn1_node		 n = NULL;
	const uint8_t		*sdp = NULL, *ep = NULL;
	char			 oid[NPKD_OID_MAX], path[48];
	size_t			 sdlen = 0, elen = 0, eh, ecl;
	unsigned long		 version = 0;
	unsigned int		 tag;
	int			 rc, i;

	*out = NULL;
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->findings = npkd_findings_new()) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "CMS");
		goto out;
	}
	/*
	 * ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT
	 * ANY }, walked here: decoding it would copy a large list once more.
	 */
	if ((rc = content_info(der, len, oid, sizeof(oid), &sdp, &sdlen, e)) !=
	    NPKD_OK)
		goto out;
	if (strcmp(oid, OID_SIGNED_DATA) != 0) {
		rc = npkd_seterr(e, NPKD_E_FORMAT, "CMS: content type %s is not "
		    "signedData", oid);
		goto out;
	}
	if ((rc = sd_shell(c, sdp, sdlen, e)) != NPKD_OK)
		goto out;
	if ((rc = npkd_asn1_decode("SignedData", c->sd.data, c->sd.len, &n,
	    "CMS SignedData", e)) != NPKD_OK)
		goto out;
	npkd_asn1_read_uint(n, "version", &version);
	if (version != 3)
		npkd_findings_add(c->findings, NPKD_SEV_WARNING, "sd-version",
		    R_ML, "SignedData version %lu, not 3", version);
	npkd_asn1_read_oid(n, "encapContentInfo.eContentType", c->ctype,
	    sizeof(c->ctype));
	/* the content, unless copied: lent from sd, the OCTET STRING's value */
	if (!c->has_econtent && npkd_asn1_span(n, c->sd.data, c->sd.len,
	    "encapContentInfo.eContent", &ep, &elen) == NPKD_OK &&
	    npkd_der_header(ep, elen, &tag, &eh, &ecl) == NPKD_OK &&
	    tag == 0xa0 && eh + ecl == elen) {
		/* [0] EXPLICIT: the OCTET STRING inside */
		ep += eh;
		elen = ecl;
	}
	if (ep != NULL && npkd_der_header(ep, elen, &tag, &eh, &ecl) ==
	    NPKD_OK && tag == 0x04 && eh + ecl == elen) {
		c->econtent = ep + eh;
		c->econtent_len = ecl;
		c->has_econtent = 1;
	}
	for (i = 1; ; i++) {
		snprintf(path, sizeof(path), "certificates.?%d", i);
		if (npkd_asn1_read_alloc(n, path, &raw) != NPKD_OK)
			break;
		if (c->ncerts >= NPKD_MAX_CMS_CERTS) {
			npkd_buf_free(&raw);
			rc = npkd_seterr(e, NPKD_E_LIMIT, "CMS: more than %d "
			    "certificates", NPKD_MAX_CMS_CERTS);
			goto out;
		}
		rc = npkd_cert_parse(raw.data, raw.len, &cert, e);
		npkd_buf_free(&raw);
		if (rc != NPKD_OK)
			goto out;
		if ((nv = reallocarray(c->certs, c->ncerts + 1,
		    sizeof(*nv))) == NULL) {
			npkd_cert_free(cert);
			rc = npkd_seterr(e, NPKD_E_NOMEM, "CMS");
			goto out;
		}
		c->certs = nv;
		c->certs[c->ncerts++] = cert;
	}
	if ((rc = signer_info(c, n, e)) != NPKD_OK)
		goto out;
	*out = c;
	c = NULL;
	rc = NPKD_OK;
 out:
	asn1_delete_structure(&n);
	npkd_cms_free(c);
	return rc;
}

const char *npkd_cms_econtent_type(const struct npkd_cms *c) { return c->ctype; }
size_t npkd_cms_cert_count(const struct npkd_cms *c) { return c->ncerts; }
time_t npkd_cms_signing_time(const struct npkd_cms *c) { return c->signing_time; }
const char *npkd_cms_signer_id(const struct npkd_cms *c) { return c->sid_str; }

const char *
npkd_cms_sigalg_name(const struct npkd_cms *c)
{
	return c->sigalg_ok ? c->sigalg.name : c->sig_oid;
}

const struct npkd_findings *
npkd_cms_findings(const struct npkd_cms *c)
{
	return c->findings;
}

const uint8_t *
npkd_cms_econtent(const struct npkd_cms *c, size_t *len)
{
	*len = c->has_econtent ? c->econtent_len : 0;
	return c->has_econtent ? c->econtent : NULL;
}

const struct npkd_cert *
npkd_cms_cert(const struct npkd_cms *c, size_t i)
{
	return i < c->ncerts ? c->certs[i] : NULL;
}

static int
is_signer(const struct npkd_cms *c, const struct npkd_cert *x)
{
	if (c->sid_ski)
		return x->has_ski && x->ski.len == c->sid_keyid.len &&
		    memcmp(x->ski.data, c->sid_keyid.data, x->ski.len) == 0;
	return x->serial_raw.len == c->sid_serial.len &&
	    memcmp(x->serial_raw.data, c->sid_serial.data, x->serial_raw.len) ==
	    0 && npkd_name_equal(x->issuer_der, x->issuer_len,
	    c->sid_issuer.data, c->sid_issuer.len);
}

static int
verify_content(const struct npkd_cms *c, const uint8_t *content, size_t clen,
    const struct npkd_cert *const *extra, size_t nextra,
    const struct npkd_cert **signer, struct npkd_findings *f,
    struct npkd_err *e)
{
	const struct npkd_cert	*s = NULL;
	uint8_t			 d[NPKD_MAX_HASH];
	size_t			 i, dlen;
	int			 rc, tried = 0;
	struct npkd_err		 last;

	*signer = NULL;
	if (!c->sigalg_ok)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "CMS: signature "
		    "algorithm %s", c->sig_oid);
	if ((rc = npkd_hash(c->digest, content, clen, d, e)) != NPKD_OK)
		return rc;
	dlen = npkd_hash_len(c->digest);
	if (c->has_attrs) {
		if (c->attr_ctype[0] == '\0')
			return npkd_seterr(e, NPKD_E_VERIFY, "CMS: content-type "
			    "attribute missing (RFC 5652 5.3)");
		if (strcmp(c->attr_ctype, c->ctype) != 0)
			return npkd_seterr(e, NPKD_E_VERIFY, "CMS: content-type "
			    "attribute %s does not match eContentType %s",
			    c->attr_ctype, c->ctype);
		if (!c->has_attr_digest)
			return npkd_seterr(e, NPKD_E_VERIFY, "CMS: "
			    "message-digest attribute missing (RFC 5652 5.3)");
		if (c->attr_digest.len != dlen ||
		    memcmp(c->attr_digest.data, d, dlen) != 0)
			return npkd_seterr(e, NPKD_E_VERIFY, "CMS: "
			    "message-digest does not match the content");
	}
	memset(&last, 0, sizeof(last));
	/*
	 * Issuer and serial are not unique in real data: try every
	 * matching certificate until one verifies.
	 */
	for (i = 0; i < c->ncerts + nextra; i++) {
		s = i < c->ncerts ? c->certs[i] : extra[i - c->ncerts];
		if (!is_signer(c, s))
			continue;
		tried++;
		if (s->pub == NULL)
			rc = npkd_seterr(&last, NPKD_E_UNSUPPORTED,
			    "signer key is not usable");
		else if (c->has_attrs)
			rc = npkd_pubkey_verify_data(s->pub, &c->sigalg,
			    c->attrs.data, c->attrs.len, c->sig.data,
			    c->sig.len, f, &last);
		else
			rc = npkd_pubkey_verify_data(s->pub, &c->sigalg,
			    content, clen, c->sig.data, c->sig.len, f, &last);
		if (rc == NPKD_OK) {
			*signer = s;
			return NPKD_OK;
		}
	}
	if (tried == 0)
		return npkd_seterr(e, NPKD_E_VERIFY, "CMS: signer certificate "
		    "(%s) not found", c->sid_str);
	return npkd_seterr(e, last.code == NPKD_E_UNSUPPORTED ?
	    NPKD_E_UNSUPPORTED : NPKD_E_VERIFY, "CMS: %s", last.msg);
}

int
npkd_cms_verify(const struct npkd_cms *c, const struct npkd_cert *const *extra,
    size_t nextra, const struct npkd_cert **signer, struct npkd_findings *f,
    struct npkd_err *e)
{
	if (!c->has_econtent)
		return npkd_seterr(e, NPKD_E_FORMAT, "CMS: no encapsulated "
		    "content");
	return verify_content(c, c->econtent, c->econtent_len, extra,
	    nextra, signer, f, e);
}

int
npkd_cms_verify_detached(const struct npkd_cms *c, const uint8_t *content,
    size_t len, const struct npkd_cert *const *extra, size_t nextra,
    const struct npkd_cert **signer, struct npkd_findings *f,
    struct npkd_err *e)
{
	if (c->has_econtent)
		return npkd_seterr(e, NPKD_E_FORMAT, "CMS: content is not "
		    "detached");
	return verify_content(c, content, len, extra, nextra, signer, f, e);
}

/* DER-encode node into out. */
static int
encode(asn1_node n, struct npkd_buf *out, const char *ctx, struct npkd_err *e)
{
	char	 emsg[ASN1_MAX_ERROR_DESCRIPTION_SIZE];
	int	 len = 0, r;

	out->data = NULL;
	out->len = 0;
	r = asn1_der_coding(n, "", NULL, &len, emsg);
	if (r != ASN1_MEM_ERROR)
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: %s", ctx, emsg);
	if ((out->data = malloc((size_t)len)) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "%s", ctx);
	if ((r = asn1_der_coding(n, "", out->data, &len, emsg)) !=
	    ASN1_SUCCESS) {
		npkd_buf_free(out);
		return npkd_seterr(e, NPKD_E_FORMAT, "%s: %s", ctx, emsg);
	}
	out->len = (size_t)len;
	return NPKD_OK;
}

/* Encode a single value of type NPKD.<type> written as value/vlen. */
static int
encode_value(const char *type, const char *choice, const void *value,
    int vlen, struct npkd_buf *out, struct npkd_err *e)
{
	asn1_node	 n = NULL;
	char		 name[64];
	int		 r, rc;

	snprintf(name, sizeof(name), "NPKD.%s", type);
	if ((r = asn1_create_element(npkd_asn1_defs, name, &n)) != ASN1_SUCCESS)
		return npkd_asn2err(e, r, type);
	if (choice != NULL) {
		r = asn1_write_value(n, "", choice, 1);
		snprintf(name, sizeof(name), "%s", choice);
		if (r == ASN1_SUCCESS)
			r = asn1_write_value(n, name, value, vlen);
	} else
		r = asn1_write_value(n, "", value, vlen);
	if (r != ASN1_SUCCESS)
		rc = npkd_asn2err(e, r, type);
	else
		rc = encode(n, out, type, e);
	asn1_delete_structure(&n);
	return rc;
}

/* Write one Attribute with a single DER value under base (a SET OF). */
static int
put_attr(asn1_node n, const char *base, const char *oid,
    const struct npkd_buf *val)
{
	char		 path[96];
	const char	*dot = base[0] ? "." : "";
	int		 r;

	if ((r = asn1_write_value(n, base, "NEW", 1)) != ASN1_SUCCESS)
		return r;
	snprintf(path, sizeof(path), "%s%s?LAST.attrType", base, dot);
	if ((r = asn1_write_value(n, path, oid, 1)) != ASN1_SUCCESS)
		return r;
	snprintf(path, sizeof(path), "%s%s?LAST.attrValues", base, dot);
	if ((r = asn1_write_value(n, path, "NEW", 1)) != ASN1_SUCCESS)
		return r;
	snprintf(path, sizeof(path), "%s%s?LAST.attrValues.?LAST", base, dot);
	return asn1_write_value(n, path, val->data, (int)val->len);
}

static int
put_attrs(asn1_node n, const char *base, const struct npkd_buf v[3])
{
	static const char *oids[3] = { OID_ATTR_CTYPE, OID_ATTR_STIME,
	    OID_ATTR_DIGEST };
	int i, r;

	for (i = 0; i < 3; i++)
		if ((r = put_attr(n, base, oids[i], &v[i])) != ASN1_SUCCESS)
			return r;
	return ASN1_SUCCESS;
}

static int
put_cert(asn1_node n, const struct npkd_cert *c)
{
	int r;

	if ((r = asn1_write_value(n, "certificates", "NEW", 1)) != ASN1_SUCCESS)
		return r;
	return asn1_write_value(n, "certificates.?LAST", c->der.data,
	    (int)c->der.len);
}

/*
 * Create a ContentInfo/SignedData over content with eContentType ctype,
 * signed by key (whose certificate is signer) with content-type,
 * signing-time and message-digest attributes.  The result is parsed and
 * verified again before it is returned.
 */
int
npkd_cms_sign(const char *ctype, const uint8_t *content, size_t clen,
    const struct npkd_cert *signer, struct npkd_key *key,
    const struct npkd_cms_sign_opts *o, struct npkd_buf *out,
    struct npkd_err *e)
{
	struct npkd_cms_sign_opts	 defo;
	struct npkd_sigalg		 alg;
	struct npkd_buf			 av[3], attrs = { NULL, 0 };
	struct npkd_buf			 sig = { NULL, 0 }, sd = { NULL, 0 };
	struct npkd_buf			 params = { NULL, 0 };
	struct npkd_cms			*chk = NULL;
	const struct npkd_cert		*used;
	asn1_node			 a = NULL, n = NULL, ci = NULL;
	asn1_node			 cn = NULL;
	uint8_t				 d[NPKD_MAX_HASH], ad[NPKD_MAX_HASH];
	char				 ts[64];
	const char			*sigoid;
	struct tm			 tm;
	time_t				 now;
	size_t				 i;
	int				 r = ASN1_SUCCESS, rc, hash;
	struct npkd_err			 ce;

	memset(av, 0, sizeof(av));
	out->data = NULL;
	out->len = 0;
	if (o == NULL) {
		memset(&defo, 0, sizeof(defo));
		defo.sid_ski = 1;
		o = &defo;
	}
	hash = o->hash ? o->hash : NPKD_HASH_SHA256;
	if (signer->pub == NULL)
		return npkd_seterr(e, NPKD_E_UNSUPPORTED, "signer key is not "
		    "usable");
	if (o->sid_ski && !signer->has_ski)
		return npkd_seterr(e, NPKD_E_USAGE, "signer certificate has no "
		    "subjectKeyIdentifier");
	memset(&alg, 0, sizeof(alg));
	alg.hash = alg.mgf_hash = hash;
	if (signer->pub->alg == NPKD_KEY_EC)
		alg.kind = NPKD_SIG_ECDSA;
	else if (o->pss || signer->pub->alg == NPKD_KEY_RSA_PSS) {
		alg.kind = NPKD_SIG_RSA_PSS;
		alg.salt = (unsigned int)npkd_hash_len(hash);
	} else
		alg.kind = NPKD_SIG_RSA_PKCS1;
	now = o->signing_time ? o->signing_time : time(NULL);
	gmtime_r(&now, &tm);
	if (tm.tm_year + 1900 >= 2050 || tm.tm_year + 1900 < 1950)
		return npkd_seterr(e, NPKD_E_USAGE, "signing time out of "
		    "UTCTime range");
	snprintf(ts, sizeof(ts), "%02d%02d%02d%02d%02d%02dZ", tm.tm_year % 100,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);

	if ((rc = npkd_hash(hash, content, clen, d, e)) != NPKD_OK ||
	    (rc = encode_value("ContentTypeValue", NULL, ctype, 1, &av[0],
	    e)) != NPKD_OK ||
	    (rc = encode_value("SigningTimeValue", "utcTime", ts,
	    (int)strlen(ts), &av[1], e)) != NPKD_OK ||
	    (rc = encode_value("MessageDigestValue", NULL, d,
	    (int)npkd_hash_len(hash), &av[2], e)) != NPKD_OK)
		goto out;

	/* The signed attributes as a SET OF, DER-sorted by libtasn1. */
	rc = NPKD_E_FORMAT;
	if ((r = asn1_create_element(npkd_asn1_defs, "NPKD.SignedAttributes",
	    &a)) != ASN1_SUCCESS || (r = put_attrs(a, "", av)) != ASN1_SUCCESS)
		goto asn1fail;
	if ((rc = encode(a, &attrs, "signed attributes", e)) != NPKD_OK ||
	    (rc = npkd_hash(hash, attrs.data, attrs.len, ad, e)) != NPKD_OK ||
	    (rc = npkd_key_sign(key, signer, hash, alg.kind == NPKD_SIG_RSA_PSS,
	    ad, npkd_hash_len(hash), &sig, e)) != NPKD_OK ||
	    (rc = npkd_sigalg_oid(&alg, &sigoid, &params, e)) != NPKD_OK)
		goto out;

	rc = NPKD_E_FORMAT;
	if ((r = asn1_create_element(npkd_asn1_defs, "NPKD.SignedData", &n)) !=
	    ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "version", o->sid_ski ? "3" : "1", 1)) !=
	    ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "digestAlgorithms", "NEW", 1)) !=
	    ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "digestAlgorithms.?LAST.algorithm",
	    npkd_hash_oid(hash), 1)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "digestAlgorithms.?LAST.parameters", NULL,
	    0)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "encapContentInfo.eContentType", ctype,
	    1)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "encapContentInfo.eContent",
	    o->detached ? NULL : content, o->detached ? 0 : (int)clen)) !=
	    ASN1_SUCCESS ||
	    (r = put_cert(n, signer)) != ASN1_SUCCESS)
		goto asn1fail;
	for (i = 0; i < o->n_extra; i++)
		if ((r = put_cert(n, o->extra_certs[i])) != ASN1_SUCCESS)
			goto asn1fail;
	if ((r = asn1_write_value(n, "crls", NULL, 0)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "signerInfos", "NEW", 1)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "signerInfos.?1.version",
	    o->sid_ski ? "3" : "1", 1)) != ASN1_SUCCESS)
		goto asn1fail;
	if (o->sid_ski) {
		if ((r = asn1_write_value(n, "signerInfos.?1.sid",
		    "subjectKeyIdentifier", 1)) != ASN1_SUCCESS ||
		    (r = asn1_write_value(n,
		    "signerInfos.?1.sid.subjectKeyIdentifier", signer->ski.data,
		    (int)signer->ski.len)) != ASN1_SUCCESS)
			goto asn1fail;
	} else {
		if ((rc = npkd_asn1_decode("Certificate", signer->der.data,
		    signer->der.len, &cn, "signer certificate", e)) != NPKD_OK)
			goto out;
		rc = NPKD_E_FORMAT;
		if ((r = asn1_write_value(n, "signerInfos.?1.sid",
		    "issuerAndSerialNumber", 1)) != ASN1_SUCCESS ||
		    (r = asn1_copy_node(n, "signerInfos.?1.sid."
		    "issuerAndSerialNumber.issuer", cn,
		    "tbsCertificate.issuer")) != ASN1_SUCCESS ||
		    (r = asn1_write_value(n, "signerInfos.?1.sid."
		    "issuerAndSerialNumber.serialNumber", signer->serial_raw.data,
		    (int)signer->serial_raw.len)) != ASN1_SUCCESS)
			goto asn1fail;
	}
	if ((r = asn1_write_value(n, "signerInfos.?1.digestAlgorithm.algorithm",
	    npkd_hash_oid(hash), 1)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "signerInfos.?1.digestAlgorithm.parameters",
	    NULL, 0)) != ASN1_SUCCESS ||
	    (r = put_attrs(n, "signerInfos.?1.signedAttrs", av)) !=
	    ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "signerInfos.?1.signatureAlgorithm."
	    "algorithm", sigoid, 1)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "signerInfos.?1.signatureAlgorithm."
	    "parameters", params.data, (int)params.len)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "signerInfos.?1.signature", sig.data,
	    (int)sig.len)) != ASN1_SUCCESS ||
	    (r = asn1_write_value(n, "signerInfos.?1.unsignedAttrs", NULL, 0)) !=
	    ASN1_SUCCESS)
		goto asn1fail;
	if ((rc = encode(n, &sd, "SignedData", e)) != NPKD_OK)
		goto out;
	rc = NPKD_E_FORMAT;
	if ((r = asn1_create_element(npkd_asn1_defs, "NPKD.ContentInfo", &ci)) !=
	    ASN1_SUCCESS ||
	    (r = asn1_write_value(ci, "contentType", OID_SIGNED_DATA, 1)) !=
	    ASN1_SUCCESS ||
	    (r = asn1_write_value(ci, "content", sd.data, (int)sd.len)) !=
	    ASN1_SUCCESS)
		goto asn1fail;
	if ((rc = encode(ci, out, "ContentInfo", e)) != NPKD_OK)
		goto out;

	/* What we wrote must verify as what we meant. */
	if ((rc = npkd_cms_parse(out->data, out->len, &chk, &ce)) == NPKD_OK)
		rc = o->detached ? npkd_cms_verify_detached(chk, content, clen,
		    &signer, 1, &used, NULL, &ce) : npkd_cms_verify(chk, &signer,
		    1, &used, NULL, &ce);
	if (rc != NPKD_OK) {
		npkd_buf_free(out);
		rc = npkd_seterr(e, NPKD_E_VERIFY, "CMS self-check: %s", ce.msg);
	}
	goto out;
 asn1fail:
	rc = npkd_asn2err(e, r, "CMS");
 out:
	for (i = 0; i < 3; i++)
		npkd_buf_free(&av[i]);
	npkd_buf_free(&attrs);
	npkd_buf_free(&sig);
	npkd_buf_free(&sd);
	npkd_buf_free(&params);
	asn1_delete_structure(&a);
	asn1_delete_structure(&n);
	asn1_delete_structure(&ci);
	asn1_delete_structure(&cn);
	npkd_cms_free(chk);
	return rc;
}
