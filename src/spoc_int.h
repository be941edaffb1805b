/*
 * spoc_int.h - library-internal declarations of the SPOC files (soap.c,
 * spocscan.c, spocstore.c, spocserve.c, spocflow.c).  Not installed.
 */
#ifndef NPKD_SRC_SPOC_INT_H
#define NPKD_SRC_SPOC_INT_H

#include "npkd_int.h"

#define SPOC_NS_SOAP11	"http://schemas.xmlsoap.org/soap/envelope/"
#define SPOC_NS_SOAP12	"http://www.w3.org/2003/05/soap-envelope"
#define SPOC_NS_CSN	"http://namespaces.unmz.cz/csn369791"
#define SPOC_NS_ICAO	"http://namespaces.icao.int/lds2"

/*
 * Budgets of the streaming pass that every SPOC message goes through
 * before libxml2 builds a tree: far below memory trouble.  A real message
 * (16 certificates, pretty-printed) has under 80 nodes.
 */
#define SPOC_MAX_NODES		4096	/* elements, text runs, comments, PIs */
#define SPOC_MAX_DEPTH		16
#define SPOC_MAX_ATTRS		32	/* per element, xmlns included */
#define SPOC_MAX_ALL_ATTRS	4096
#define SPOC_MAX_NAME		256

/* What the streaming pass saw. */
enum spoc_env {
	SPOC_ENV_NONE = 0,	/* the root is not an Envelope */
	SPOC_ENV_SOAP11,	/* a SOAP 1.1 Envelope */
	SPOC_ENV_OTHER		/* an Envelope of another SOAP version */
};
struct spoc_scan {
	int		 env;
	/* the first element in the SOAP 1.1 Body (lent from the input) */
	const char	*body_ns, *body_name;
	size_t		 body_ns_len, body_name_len;
	size_t		 body_children;
	/* its callerID child, references decoded; caller_len > 7: too long */
	char		 caller[8];
	size_t		 caller_len;
	int		 has_caller;
	size_t		 nodes, attrs, depth;
};

/*
 * spocscan.c: one linear pass over UTF-8 XML with the budgets above,
 * without building anything.  Refuses a document type declaration, an
 * undefined entity, an encoding other than UTF-8 (or US-ASCII), markup
 * it does not understand, and anything over budget (NPKD_E_LIMIT).
 */
int	 spoc_scan(const uint8_t *, size_t, const char *, int,
	    struct spoc_scan *, struct npkd_err *);
/* UTF-16 (by its byte order mark or first characters) to UTF-8 in out;
 * 0 when the input is not UTF-16 (out untouched). */
int	 spoc_utf16(const uint8_t *, size_t, struct npkd_buf *,
	    struct npkd_err *);

/* soap.c: why a message could not be read, for the SOAP fault to give. */
enum spoc_bad {
	SPOC_BAD_SYNTAX = 0,	/* invalid: failure_syntax */
	SPOC_BAD_VERSION,	/* not SOAP 1.1: VersionMismatch */
	SPOC_BAD_MUSTUNDERSTAND	/* a header we must but cannot understand */
};
int	 spoc_decode(const uint8_t *, size_t, const char *,
	    struct npkd_spoc_msg *, int *, struct npkd_err *);
/* The operation named by an element (e.g. "GetCACertificatesRequest");
 * 0 when none. */
int	 spoc_op_by_name(const char *, size_t, int *);
/* The dialect of a namespace, -1 when neither. */
int	 spoc_dialect_by_ns(const char *, size_t);

/* package.c: the members of a package's tar, checked only for form. */
int	 npkd_pkg_tar_read(const uint8_t *, size_t, struct npkd_pkg_member **,
	    size_t *, struct npkd_err *);

/* spocserve.c, spocflow.c: the canonical content of a message. */
void	 spoc_content_hash(const struct npkd_spoc_msg *, int, uint8_t [32]);

#endif /* NPKD_SRC_SPOC_INT_H */
