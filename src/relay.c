/*
 * relay.c - the only network code of npkd, linked only into spoc-relay:
 * an HTTPS client (libcurl with GnuTLS) that checks the server's
 * certificate before a byte of the request leaves, and an HTTPS server
 * (libmicrohttpd with GnuTLS) that asks for client certificates, bounds
 * bodies, connections and time, and hands each complete request with the
 * client's chain to a handler.  Policy (who may say what) is the caller's.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>

#include "npkd_int.h"

/* The peer's certificates of a TLS session (DER, lent), at most
 * NPKD_MAX_CHAIN of them. */
static unsigned int
session_chain(gnutls_session_t ss, struct npkd_buf *chain)
{
	const gnutls_datum_t	*peers;
	unsigned int		 n = 0, i;

	if ((peers = gnutls_certificate_get_peers(ss, &n)) == NULL)
		return 0;
	if (n > NPKD_MAX_CHAIN)
		n = NPKD_MAX_CHAIN;
	for (i = 0; i < n; i++) {
		chain[i].data = peers[i].data;
		chain[i].len = peers[i].size;
	}
	return n;
}

/* --- client --------------------------------------------------------- */

struct post {
	const struct npkd_spoc_peer	*peer;
	CURL				*h;
	struct npkd_dbuf		 body;
	char				 host[256];
	struct npkd_err			 why;
	int				 refused;
};

static size_t
on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct post *ps = arg;

	if (npkd_dbuf_add(&ps->body, p, sz * n) != NPKD_OK)
		return 0;	/* over the limit: curl aborts */
	return sz * n;
}

static int
on_connected(void *arg, char *ip, char *lip, int port, int lport)
{
	struct post			*ps = arg;
	struct curl_tlssessioninfo	*ti = NULL;
	struct npkd_buf			 chain[NPKD_MAX_CHAIN];
	unsigned int			 n;

	(void)ip;
	(void)lip;
	(void)port;
	(void)lport;
	if (curl_easy_getinfo(ps->h, CURLINFO_TLS_SSL_PTR, &ti) != CURLE_OK ||
	    ti == NULL || ti->backend != CURLSSLBACKEND_GNUTLS ||
	    ti->internals == NULL) {
		npkd_seterr(&ps->why, NPKD_E_VERIFY, "%s: no TLS session to "
		    "check", ps->peer->country);
		ps->refused = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	n = session_chain(ti->internals, chain);
	if (npkd_spoc_tls_check(ps->peer, chain, n, 1, ps->host, time(NULL),
	    &ps->why) != NPKD_OK) {
		ps->refused = 1;
		return CURL_PREREQFUNC_ABORT;
	}
	return CURL_PREREQFUNC_OK;
}

int
npkd_relay_post(const struct npkd_relay_client *c,
    const struct npkd_spoc_peer *peer, const char *action, const uint8_t *body,
    size_t len, long *status, struct npkd_buf *out, struct npkd_err *e)
{
	struct post		 ps;
	struct curl_slist	*hdr = NULL, *h2;
	CURLU			*u = NULL;
	char			*host = NULL, soap[96];
	CURLcode		 cr;
	int			 rc = NPKD_E_IO;

	*status = 0;
	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.peer = peer;
	npkd_dbuf_init(&ps.body, c->max_body);
	if ((u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, peer->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = npkd_seterr(e, NPKD_E_USAGE, "%s: bad URL %s",
		    peer->country, peer->url);
		goto out;
	}
	snprintf(ps.host, sizeof(ps.host), "%s", host);
	snprintf(soap, sizeof(soap), "SOAPAction: \"%s\"", action);
	if ((hdr = curl_slist_append(NULL, "Content-Type: text/xml; "
	    "charset=utf-8")) == NULL || (h2 = curl_slist_append(hdr, soap)) ==
	    NULL || (hdr = curl_slist_append(h2, "Expect:")) == NULL ||
	    (ps.h = curl_easy_init()) == NULL) {
		rc = npkd_seterr(e, NPKD_E_NOMEM, "HTTP client");
		goto out;
	}
	curl_easy_setopt(ps.h, CURLOPT_URL, peer->url);
	curl_easy_setopt(ps.h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(ps.h, CURLOPT_PROXY, "");
	curl_easy_setopt(ps.h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(ps.h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(ps.h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(ps.h, CURLOPT_POST, 1L);
	curl_easy_setopt(ps.h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(ps.h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(ps.h, CURLOPT_SSLVERSION, CURL_SSLVERSION_TLSv1_2);
	curl_easy_setopt(ps.h, CURLOPT_SSLCERT, c->cert_file);
	curl_easy_setopt(ps.h, CURLOPT_SSLCERTTYPE, "PEM");
	curl_easy_setopt(ps.h, CURLOPT_SSLKEY, c->key_file);
	curl_easy_setopt(ps.h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(ps.h, CURLOPT_CAPATH, NULL);
	curl_easy_setopt(ps.h, CURLOPT_CRLFILE, c->crl_file);
	curl_easy_setopt(ps.h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(ps.h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(ps.h, CURLOPT_PREREQFUNCTION, on_connected);
	curl_easy_setopt(ps.h, CURLOPT_PREREQDATA, &ps);
	curl_easy_setopt(ps.h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(ps.h, CURLOPT_WRITEDATA, &ps);
	curl_easy_setopt(ps.h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_ms);
	curl_easy_setopt(ps.h, CURLOPT_TIMEOUT_MS, c->total_ms);
	cr = curl_easy_perform(ps.h);
	if (ps.refused) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s", ps.why.msg);
		goto out;
	}
	if (cr == CURLE_WRITE_ERROR) {
		rc = npkd_seterr(e, NPKD_E_LIMIT, "%s: answer larger than %zu "
		    "bytes", peer->country, c->max_body);
		goto out;
	}
	if (cr != CURLE_OK) {
		rc = npkd_seterr(e, cr == CURLE_PEER_FAILED_VERIFICATION ||
		    cr == CURLE_SSL_CACERT_BADFILE ? NPKD_E_VERIFY : NPKD_E_IO,
		    "%s: %s: %s", peer->country, peer->url,
		    curl_easy_strerror(cr));
		goto out;
	}
	curl_easy_getinfo(ps.h, CURLINFO_RESPONSE_CODE, status);
	out->data = ps.body.data;
	out->len = ps.body.len;
	ps.body.data = NULL;
	rc = NPKD_OK;
out:
	npkd_dbuf_free(&ps.body);
	if (ps.h != NULL)
		curl_easy_cleanup(ps.h);
	curl_slist_free_all(hdr);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* --- server --------------------------------------------------------- */

struct npkd_relay_server {
	struct MHD_Daemon		*d;
	struct npkd_relay_server_opts	 o;
	unsigned int			 port;
	struct sockaddr_storage		 ss;
	int				 fam;
	/* one handler at a time: during a reload two daemons overlap */
	pthread_mutex_t			 lock;
};

struct conn {
	struct npkd_dbuf	body;
	int			too_big;
};

static void	slog(struct npkd_relay_server *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	mhd_log(void *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static void
slog(struct npkd_relay_server *s, const char *fmt, ...)
{
	char	buf[512];
	va_list	ap;

	if (s->o.log == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	s->o.log(s->o.arg, buf);
}

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned int code, const void *p, size_t n,
    const char *type)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	r = MHD_create_response_from_buffer(n, (void *)(uintptr_t)p,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	if (type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *
peer_addr(struct MHD_Connection *c, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(buf, n, "?");
	if (ci == NULL || ci->client_addr == NULL)
		return buf;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)ci->client_addr)->sin_addr, buf, (socklen_t)n);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)ci->client_addr)->sin6_addr, buf,
		    (socklen_t)n);
	return buf;
}

static unsigned int
client_chain(struct MHD_Connection *c, struct npkd_buf *chain)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (ci == NULL || ci->tls_session == NULL)
		return 0;
	return session_chain((gnutls_session_t)ci->tls_session, chain);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct npkd_relay_server	*s = cls;
	struct conn			*cn = *con_cls;
	struct npkd_relay_req		 rq;
	struct npkd_buf			 chain[NPKD_MAX_CHAIN], out = { NULL, 0 };
	const char			*cl;
	char				 addr[64];
	int				 code = 500;
	enum MHD_Result			 ret;

	(void)url;
	(void)version;
	if (cn == NULL) {
		/* headers are in: refuse early what can be refused early */
		if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
			slog(s, "%s: %s refused: only POST", peer_addr(c, addr,
			    sizeof(addr)), method);
			return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "", 0, NULL);
		}
		if (client_chain(c, chain) == 0) {
			slog(s, "%s: refused (401): no client certificate",
			    peer_addr(c, addr, sizeof(addr)));
			return reply(c, MHD_HTTP_UNAUTHORIZED, "", 0, NULL);
		}
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > s->o.max_body) {
			slog(s, "%s: refused (413): body of %s bytes",
			    peer_addr(c, addr, sizeof(addr)), cl);
			return reply(c, 413, "", 0, NULL);
		}
		if ((cn = calloc(1, sizeof(*cn))) == NULL)
			return MHD_NO;
		npkd_dbuf_init(&cn->body, s->o.max_body);
		*con_cls = cn;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (!cn->too_big && npkd_dbuf_add(&cn->body, upload,
		    *upload_size) != NPKD_OK)
			cn->too_big = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (cn->too_big) {
		slog(s, "%s: refused (413): body over %zu bytes",
		    peer_addr(c, addr, sizeof(addr)), s->o.max_body);
		return reply(c, 413, "", 0, NULL);
	}
	memset(&rq, 0, sizeof(rq));
	rq.chain = chain;
	rq.nchain = client_chain(c, chain);
	rq.body = cn->body.data;
	rq.len = cn->body.len;
	rq.soapaction = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "SOAPAction");
	rq.client = peer_addr(c, addr, sizeof(addr));
	pthread_mutex_lock(&s->lock);
	if (s->o.handler(s->o.arg, &rq, &code, &out) != 0 && out.data == NULL)
		code = 500;
	pthread_mutex_unlock(&s->lock);
	ret = reply(c, (unsigned int)code, out.data ? out.data : (uint8_t *)"",
	    out.len, out.len ? "text/xml; charset=utf-8" : NULL);
	npkd_buf_free(&out);
	return ret;
}

static void
on_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode why)
{
	struct conn *cn = *con_cls;

	(void)cls;
	(void)c;
	(void)why;
	if (cn == NULL)
		return;
	npkd_dbuf_free(&cn->body);
	free(cn);
	*con_cls = NULL;
}

static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct npkd_relay_server	*s = cls;
	char				 buf[512];
	size_t				 n;

	if (s->o.log == NULL)
		return;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	s->o.log(s->o.arg, buf);
}

static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char		 host[128];
	const char	*colon;
	unsigned long	 port;
	char		*end;
	size_t		 hl;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (rb == NULL || rb[1] != ':')
			return -1;
		hl = (size_t)(rb - s - 1);
		colon = rb + 1;
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s + 1, hl);
	} else {
		if ((colon = strrchr(s, ':')) == NULL)
			return -1;
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, s, hl);
	}
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port > 65535 || errno != 0)
		return -1;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)(void *)ss)->
	    sin_addr) == 1) {
		struct sockaddr_in *a = (struct sockaddr_in *)(void *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)(void *)ss)->
	    sin6_addr) == 1) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)(void *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof(*a);
		return AF_INET6;
	}
	return -1;
}

/* Start a daemon on s's address, or on fd when one is handed over. */
static struct MHD_Daemon *
start(struct npkd_relay_server *s, MHD_socket fd)
{
	const struct npkd_relay_server_opts *o = &s->o;
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)o->key_pem },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)(uintptr_t)o->cert_pem },
		{ MHD_OPTION_HTTPS_MEM_TRUST, 0,
		    (void *)(uintptr_t)o->trust_pem },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0,
		    (void *)(uintptr_t)"NORMAL:-VERS-ALL:+VERS-TLS1.3:"
		    "+VERS-TLS1.2" },
		{ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)o->max_conn, NULL },
		{ MHD_OPTION_PER_IP_CONNECTION_LIMIT, (intptr_t)o->max_conn,
		    NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->timeout_s, NULL },
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL },
		{ MHD_OPTION_END, 0, NULL }
	};
	unsigned int flags;

	flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_TLS |
	    MHD_USE_ERROR_LOG | MHD_USE_ITC;
	if (s->fam == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (fd != MHD_INVALID_SOCKET)
		return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
		    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		    MHD_OPTION_LISTEN_SOCKET, fd,
		    MHD_OPTION_ARRAY, tls,
		    MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
		    MHD_OPTION_END);
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&s->ss,
	    MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
	    MHD_OPTION_END);
}

int
npkd_relay_serve(const struct npkd_relay_server_opts *o,
    struct npkd_relay_server **out, struct npkd_err *e)
{
	struct npkd_relay_server	*s;
	const union MHD_DaemonInfo	*di;
	socklen_t			 sl;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "server");
	if ((s->fam = parse_listen(o->listen, &s->ss, &sl)) == -1) {
		free(s);
		return npkd_seterr(e, NPKD_E_USAGE, "%s: listen on ADDR:PORT "
		    "(a numeric address)", o->listen);
	}
	s->o = *o;
	pthread_mutex_init(&s->lock, NULL);
	if ((s->d = start(s, MHD_INVALID_SOCKET)) == NULL) {
		pthread_mutex_destroy(&s->lock);
		free(s);
		return npkd_seterr(e, NPKD_E_IO, "%s: cannot listen (address in "
		    "use, or the TLS key and certificate do not load)",
		    o->listen);
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di != NULL ? di->port : 0;
	*out = s;
	return NPKD_OK;
}

/*
 * New trust (the registered peers' CAs) without closing the port: the
 * old daemon stops accepting and hands its socket to a new one, then
 * finishes what it has.  trust_pem must live until the next reload or
 * npkd_relay_stop().
 */
int
npkd_relay_reload(struct npkd_relay_server *s, const char *trust_pem,
    struct npkd_err *e)
{
	struct MHD_Daemon	*old = s->d;
	const char		*was = s->o.trust_pem;
	MHD_socket		 fd;

	if ((fd = MHD_quiesce_daemon(old)) == MHD_INVALID_SOCKET)
		return npkd_seterr(e, NPKD_E_IO, "reload: the listening socket "
		    "cannot be handed over");
	s->o.trust_pem = trust_pem;
	if ((s->d = start(s, fd)) == NULL) {
		/* keep serving with what we had */
		s->o.trust_pem = was;
		if ((s->d = start(s, fd)) == NULL) {
			MHD_stop_daemon(old);
			close(fd);
			return npkd_seterr(e, NPKD_E_IO, "reload: no daemon "
			    "could take over the socket");
		}
		MHD_stop_daemon(old);
		return npkd_seterr(e, NPKD_E_USAGE, "reload: the new trust does "
		    "not load; serving with the old one");
	}
	MHD_stop_daemon(old);
	return NPKD_OK;
}

unsigned int
npkd_relay_port(const struct npkd_relay_server *s)
{
	return s->port;
}

void
npkd_relay_stop(struct npkd_relay_server *s)
{
	if (s == NULL)
		return;
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
