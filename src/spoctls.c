/*
 * spoctls.c - the TLS certificate of a foreign SPOC (design.md section
 * 5): it chains to the CA registered for that SPOC, is not revoked by
 * that CA's CRL (which must be registered, verify and be current), is
 * valid now, carries the SPOC client or server EKU, names the country in
 * C, has a CRL distribution point, and a server certificate names the
 * URL's host as dNSName.  A pinned certificate, when registered, must be
 * the one presented.  The CN "SPOC TLS client"/"SPOC TLS server" is a
 * SHOULD of the profile and not checked.  Reasons never repeat what the
 * certificate says: it may come from anyone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "npkd_int.h"

#define EKU_CLIENT	"2.23.136.1.1.10.1"
#define EKU_SERVER	"2.23.136.1.1.10.2"

static int
has_eku(gnutls_x509_crt_t c, const char *oid)
{
	char		buf[128];
	size_t		sz;
	unsigned int	i, crit;

	for (i = 0;; i++) {
		sz = sizeof(buf);
		if (gnutls_x509_crt_get_key_purpose_oid(c, i, buf, &sz, &crit) <
		    0)
			return 0;
		if (strcmp(buf, oid) == 0)
			return 1;
	}
}

static int
has_dns(gnutls_x509_crt_t c, const char *host)
{
	char		buf[256];
	size_t		sz;
	unsigned int	i;
	int		t;

	for (i = 0;; i++) {
		sz = sizeof(buf) - 1;
		t = gnutls_x509_crt_get_subject_alt_name(c, i, buf, &sz, NULL);
		if (t < 0 && t != GNUTLS_E_SHORT_MEMORY_BUFFER)
			return 0;
		if (t == GNUTLS_SAN_DNSNAME && sz < sizeof(buf)) {
			buf[sz] = '\0';
			if (strcasecmp(buf, host) == 0)
				return 1;
		}
	}
}

static int
pinned(const char *pem, const struct npkd_buf *leaf)
{
	struct npkd_buf	one;
	size_t		off = 0;
	int		hit = 0;

	while (!hit && npkd_pem_decode((const uint8_t *)pem, strlen(pem), &off,
	    "CERTIFICATE", &one, NULL, 0, NULL) == NPKD_OK) {
		hit = one.len == leaf->len && memcmp(one.data, leaf->data,
		    one.len) == 0;
		npkd_buf_free(&one);
	}
	return hit;
}

int
npkd_spoc_tls_check(const struct npkd_spoc_peer *p,
    const struct npkd_buf *chain, size_t n, int server, const char *host,
    time_t now, struct npkd_err *e)
{
	gnutls_x509_trust_list_t	 tl = NULL;
	gnutls_x509_crt_t		 crts[NPKD_MAX_CHAIN];
	gnutls_x509_crl_t		*crls = NULL;
	gnutls_typed_vdata_st		 vd[2];
	gnutls_datum_t			 d, txt = { NULL, 0 };
	unsigned int			 ncrls = 0, status = 0, nv = 0, i;
	size_t				 k, sz;
	char				 buf[256];
	const char			*who = server ? "server" : "client";
	int				 r, rc = NPKD_E_VERIFY;

	memset(crts, 0, sizeof(crts));
	if (n == 0)
		return npkd_seterr(e, NPKD_E_VERIFY, "%s: no TLS client "
		    "certificate", p->country);
	if (n > NPKD_MAX_CHAIN)
		return npkd_seterr(e, NPKD_E_LIMIT, "%s: TLS chain longer than %d",
		    p->country, NPKD_MAX_CHAIN);
	for (k = 0; k < n; k++) {
		d.data = chain[k].data;
		d.size = (unsigned int)chain[k].len;
		if (gnutls_x509_crt_init(&crts[k]) < 0 ||
		    gnutls_x509_crt_import(crts[k], &d, GNUTLS_X509_FMT_DER) < 0) {
			rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: TLS certificate "
			    "%zu does not parse", p->country, k + 1);
			goto out;
		}
	}
	if (p->cert != NULL && !pinned(p->cert, &chain[0])) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: not the pinned TLS "
		    "certificate", p->country);
		goto out;
	}
	if (p->crl == NULL) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: no CRL registered, so "
		    "revocation cannot be checked", p->country);
		goto out;
	}
	if (gnutls_x509_trust_list_init(&tl, 0) < 0) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "trust list");
		goto out;
	}
	d.data = (unsigned char *)p->ca;
	d.size = (unsigned int)strlen(p->ca);
	if (gnutls_x509_trust_list_add_trust_mem(tl, &d, NULL,
	    GNUTLS_X509_FMT_PEM, 0, 0) <= 0) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: the registered CA does "
		    "not load", p->country);
		goto out;
	}
	d.data = (unsigned char *)p->crl;
	d.size = (unsigned int)strlen(p->crl);
	if (gnutls_x509_crl_list_import2(&crls, &ncrls, &d, GNUTLS_X509_FMT_PEM,
	    0) < 0 || ncrls == 0) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: the registered CRL does "
		    "not load", p->country);
		goto out;
	}
	for (i = 0; i < ncrls; i++) {
		time_t next = gnutls_x509_crl_get_next_update(crls[i]);

		if (next == (time_t)-1 || next < now) {
			rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: the registered "
			    "CRL is out of date (spoc peer add with a new one)",
			    p->country);
			goto out;
		}
	}
	r = gnutls_x509_trust_list_add_crls(tl, crls, ncrls,
	    GNUTLS_TL_VERIFY_CRL | GNUTLS_TL_FAIL_ON_INVALID_CRL, 0);
	/* the list owns the CRLs now, whatever the outcome */
	gnutls_free(crls);
	crls = NULL;
	ncrls = 0;
	if (r < 0) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: the registered CRL is "
		    "not signed by the registered CA", p->country);
		goto out;
	}
	vd[nv].type = GNUTLS_DT_KEY_PURPOSE_OID;
	vd[nv].data = (unsigned char *)(server ? EKU_SERVER : EKU_CLIENT);
	vd[nv++].size = 0;
	if (server) {
		vd[nv].type = GNUTLS_DT_DNS_HOSTNAME;
		vd[nv].data = (unsigned char *)host;
		vd[nv++].size = 0;
	}
	r = gnutls_x509_trust_list_verify_crt2(tl, crts, (unsigned int)n, vd,
	    nv, 0, &status, NULL);
	if (r < 0 || status != 0) {
		if (r >= 0 && gnutls_certificate_verification_status_print(
		    status, GNUTLS_CRT_X509, &txt, 0) >= 0)
			rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: TLS %s "
			    "certificate: %s", p->country, who, txt.data);
		else
			rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: TLS %s "
			    "certificate does not verify", p->country, who);
		goto out;
	}
	if (gnutls_x509_crt_get_activation_time(crts[0]) > now ||
	    gnutls_x509_crt_get_expiration_time(crts[0]) < now) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: TLS %s certificate is "
		    "not valid now", p->country, who);
		goto out;
	}
	/* GnuTLS lets a certificate without EKU pass: we do not */
	if (!has_eku(crts[0], server ? EKU_SERVER : EKU_CLIENT)) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: TLS %s certificate "
		    "lacks the SPOC %s EKU %s", p->country, who, who, server ?
		    EKU_SERVER : EKU_CLIENT);
		goto out;
	}
	sz = sizeof(buf);
	if (gnutls_x509_crt_get_dn_by_oid(crts[0], GNUTLS_OID_X520_COUNTRY_NAME,
	    0, 0, buf, &sz) < 0 || strcmp(buf, p->country) != 0) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: TLS %s certificate is "
		    "not of this country", p->country, who);
		goto out;
	}
	sz = sizeof(buf);
	if (gnutls_x509_crt_get_crl_dist_points(crts[0], 0, buf, &sz, NULL,
	    NULL) == GNUTLS_E_REQUESTED_DATA_NOT_AVAILABLE) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: TLS %s certificate has "
		    "no CRL distribution point", p->country, who);
		goto out;
	}
	if (server && (host == NULL || !has_dns(crts[0], host))) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s: TLS server certificate "
		    "does not name %s as dNSName", p->country, host ? host :
		    "the host");
		goto out;
	}
	rc = NPKD_OK;
out:
	gnutls_free(txt.data);
	for (i = 0; i < ncrls; i++)
		gnutls_x509_crl_deinit(crls[i]);
	gnutls_free(crls);
	if (tl != NULL)
		gnutls_x509_trust_list_deinit(tl, 1);
	for (k = 0; k < n && k < NPKD_MAX_CHAIN; k++)
		if (crts[k] != NULL)
			gnutls_x509_crt_deinit(crts[k]);
	return rc;
}

/* The country (C) of a DER certificate: two capital letters, or -1. */
static int
leaf_country(const struct npkd_buf *leaf, char cc[3])
{
	gnutls_x509_crt_t	c;
	gnutls_datum_t		d;
	char			buf[8];
	size_t			sz = sizeof(buf);
	int			ok;

	if (gnutls_x509_crt_init(&c) < 0)
		return -1;
	d.data = leaf->data;
	d.size = (unsigned int)leaf->len;
	ok = gnutls_x509_crt_import(c, &d, GNUTLS_X509_FMT_DER) >= 0 &&
	    gnutls_x509_crt_get_dn_by_oid(c, GNUTLS_OID_X520_COUNTRY_NAME, 0,
	    0, buf, &sz) >= 0 && sz == 2 && buf[0] >= 'A' && buf[0] <= 'Z' &&
	    buf[1] >= 'A' && buf[1] <= 'Z';
	gnutls_x509_crt_deinit(c);
	if (!ok)
		return -1;
	memcpy(cc, buf, 3);
	return 0;
}

/*
 * Which registered SPOC presents this client chain?  The leaf's C names
 * the candidate; its registered CA, CRL and pin decide.  On success *p
 * holds the peer (caller clears).  NPKD_E_VERIFY otherwise, with a
 * reason that repeats nothing the client chose.
 */
int
npkd_spoc_server_auth(struct npkd_store *st, const struct npkd_buf *chain,
    size_t n, time_t now, struct npkd_spoc_peer *p, struct npkd_err *e)
{
	char	cc[3];
	int	rc;

	memset(p, 0, sizeof(*p));
	if (n == 0)
		return npkd_seterr(e, NPKD_E_VERIFY, "no TLS client "
		    "certificate");
	if (leaf_country(&chain[0], cc) == -1)
		return npkd_seterr(e, NPKD_E_VERIFY, "the TLS client "
		    "certificate names no country");
	if ((rc = npkd_spoc_peer_get(st, cc, p, e)) != NPKD_OK) {
		if (rc == NPKD_E_NOTFOUND)
			return npkd_seterr(e, NPKD_E_VERIFY, "the TLS client "
			    "certificate is not of a registered SPOC");
		return rc;
	}
	if ((rc = npkd_spoc_tls_check(p, chain, n, 0, NULL, now, e)) !=
	    NPKD_OK)
		npkd_spoc_peer_clear(p);
	return rc;
}
