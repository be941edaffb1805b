/*
 * relay.c - the only network code of npkd, linked only into spoc-relay:
 * an HTTPS client (libcurl with GnuTLS) that checks the server's
 * certificate before a byte of the request leaves and bounds the answer
 * in size and time, and an HTTPS server (libmicrohttpd with GnuTLS) that
 * asks for client certificates and has the caller authenticate them as
 * soon as the headers are in, before a byte of the body is read; bounds
 * bodies, connections (in all and per address) and time (a deadline for
 * the handshake and headers, one for the whole request, an idle timeout);
 * and hands each complete request with the client's identity to a
 * handler.  Policy (who may say what) is the caller's.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
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
	/* a server that announces too much is refused before it sends it */
	curl_easy_setopt(ps.h, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)c->max_body);
	cr = curl_easy_perform(ps.h);
	if (ps.refused) {
		rc = npkd_seterr(e, NPKD_E_VERIFY, "%s", ps.why.msg);
		goto out;
	}
	if (cr == CURLE_WRITE_ERROR || cr == CURLE_FILESIZE_EXCEEDED) {
		rc = npkd_seterr(e, NPKD_E_LIMIT, "%s: answer larger than %zu "
		    "bytes", peer->country, c->max_body);
		goto out;
	}
	errno = 0;	/* curl's reasons are its own, not errno's */
	if (cr == CURLE_OPERATION_TIMEDOUT) {
		rc = npkd_seterr(e, NPKD_E_IO, "%s: %s: no complete answer "
		    "within %ld ms", peer->country, peer->url, c->total_ms);
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

/* One accepted connection, for its deadlines (the loop thread only). */
struct slot {
	struct slot	*prev, *next;
	MHD_socket	 fd;
	double		 t0;		/* accepted, or the last request done */
	int		 headers;	/* this request's headers are in */
	int		 later;		/* not the connection's first request */
	int		 shut;
	char		 addr[64];
};

struct npkd_relay_server {
	struct MHD_Daemon		*d, *old;
	struct npkd_relay_server_opts	 o;
	unsigned int			 port;
	struct sockaddr_storage		 ss;
	int				 fam;
	struct slot			*slots;
	pthread_t			 thread;
	atomic_int			 stop;
	/* a reload asked by another thread, done by the loop thread */
	pthread_mutex_t			 lock;
	pthread_cond_t			 done;
	const char			*reload_pem;
	int				 reload_rc;
	struct npkd_err			 reload_err;
};

/* One request: who it is (after the headers), and its body. */
struct conn {
	struct npkd_dbuf	body;
	int			too_big;
	char			who[16];
};

static void	slog(struct npkd_relay_server *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	mhd_log(void *, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
slog(struct npkd_relay_server *s, const char *fmt, ...)
{
	char	buf[640];
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
	if (code == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, POST");
	ret = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return ret;
}

static const char *
sock_addr(const struct sockaddr *sa, char *buf, size_t n)
{
	snprintf(buf, n, "?");
	if (sa == NULL)
		return buf;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr, buf, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)
		    (const void *)sa)->sin6_addr, buf, (socklen_t)n);
	return buf;
}

static const char *
peer_addr(struct MHD_Connection *c, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	return sock_addr(ci != NULL ? ci->client_addr : NULL, buf, n);
}

static struct slot *
slot_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

/* Connections come and go in the loop thread (MHD_run_wait). */
static void
on_connection(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_ConnectionNotificationCode what)
{
	struct npkd_relay_server	*s = cls;
	struct slot			*sl = *ctx;
	const union MHD_ConnectionInfo	*ci;

	if (what == MHD_CONNECTION_NOTIFY_STARTED) {
		if ((sl = calloc(1, sizeof(*sl))) == NULL)
			return;
		ci = MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_CONNECTION_FD);
		sl->fd = ci != NULL ? ci->connect_fd : MHD_INVALID_SOCKET;
		sl->t0 = mono();
		peer_addr(c, sl->addr, sizeof(sl->addr));
		sl->next = s->slots;
		if (s->slots != NULL)
			s->slots->prev = sl;
		s->slots = sl;
		*ctx = sl;
		return;
	}
	/* closed: MHD closes the socket only after telling us */
	if (sl == NULL)
		return;
	if (sl->prev != NULL)
		sl->prev->next = sl->next;
	else
		s->slots = sl->next;
	if (sl->next != NULL)
		sl->next->prev = sl->prev;
	free(sl);
	*ctx = NULL;
}

/*
 * Deadlines: the handshake and the first request's headers within
 * handshake_s of the connection, each whole request (and the wait before
 * the next one) within request_s.  A connection past them is shut down;
 * MHD then sees it closed and cleans up.
 */
static void
deadlines(struct npkd_relay_server *s)
{
	struct slot	*sl;
	double		 now = mono();

	for (sl = s->slots; sl != NULL; sl = sl->next) {
		const char *why = NULL;

		if (sl->shut || sl->fd == MHD_INVALID_SOCKET)
			continue;
		if (!sl->later && !sl->headers && now - sl->t0 >
		    (double)s->o.handshake_s)
			why = "handshake and headers";
		else if (now - sl->t0 > (double)s->o.request_s)
			why = sl->headers ? "request" : "next request";
		if (why == NULL)
			continue;
		shutdown(sl->fd, SHUT_RDWR);
		sl->shut = 1;
		slog(s, "%s: closed: %s not done in time", sl->addr, why);
	}
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

static void
req_init(struct MHD_Connection *c, const char *method, const char *url,
    struct npkd_relay_req *rq, struct npkd_buf *chain, char *addr, size_t n)
{
	memset(rq, 0, sizeof(*rq));
	rq->method = method;
	rq->path = url;
	rq->host = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	rq->chain = chain;
	rq->nchain = client_chain(c, chain);
	rq->soapaction = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    "SOAPAction");
	rq->client = peer_addr(c, addr, n);
}

static enum MHD_Result
answer(struct npkd_relay_server *s, struct MHD_Connection *c,
    const struct npkd_relay_req *rq)
{
	struct npkd_buf		 out = { NULL, 0 };
	const char		*type = NULL;
	enum MHD_Result		 ret;
	int			 code = 500;

	if (s->o.handler(s->o.arg, rq, &code, &out, &type) != 0 &&
	    out.data == NULL)
		code = 500;
	ret = reply(c, (unsigned int)code, out.data ? out.data : (uint8_t *)"",
	    out.len, out.len ? (type ? type : "text/xml; charset=utf-8") :
	    NULL);
	npkd_buf_free(&out);
	return ret;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct npkd_relay_server	*s = cls;
	struct conn			*cn = *con_cls;
	struct npkd_relay_req		 rq;
	struct npkd_buf			 chain[NPKD_MAX_CHAIN];
	struct slot			*sl;
	const char			*cl;
	char				 addr[64], why[256], who[16];
	int				 get;

	(void)version;
	if (cn == NULL) {
		/* the headers are in: who is it, before any body is read */
		if ((sl = slot_of(c)) != NULL)
			sl->headers = 1;
		get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
		if (!get && strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
			slog(s, "%s: refused (405): method", peer_addr(c, addr,
			    sizeof(addr)));
			return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, "", 0, NULL);
		}
		req_init(c, method, url, &rq, chain, addr, sizeof(addr));
		why[0] = '\0';
		memset(who, 0, sizeof(who));
		if (s->o.auth(s->o.arg, &rq, who, sizeof(who), why,
		    sizeof(why)) != 0) {
			slog(s, "%s: refused (401): %s", rq.client, why[0] ?
			    why : "not authenticated");
			return reply(c, MHD_HTTP_UNAUTHORIZED, "", 0, NULL);
		}
		if (get) {
			rq.who = who;
			return answer(s, c, &rq);
		}
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl != NULL && strtoull(cl, NULL, 10) > s->o.max_body) {
			slog(s, "%s: %s: refused (413): body over %zu bytes",
			    rq.client, who, s->o.max_body);
			return reply(c, 413, "", 0, NULL);
		}
		if ((cn = calloc(1, sizeof(*cn))) == NULL)
			return MHD_NO;
		npkd_dbuf_init(&cn->body, s->o.max_body);
		memcpy(cn->who, who, sizeof(cn->who));
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
		slog(s, "%s: %s: refused (413): body over %zu bytes",
		    peer_addr(c, addr, sizeof(addr)), cn->who, s->o.max_body);
		return reply(c, 413, "", 0, NULL);
	}
	req_init(c, method, url, &rq, chain, addr, sizeof(addr));
	rq.body = cn->body.data;
	rq.len = cn->body.len;
	rq.who = cn->who;
	return answer(s, c, &rq);
}

static void
on_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode why)
{
	struct conn	*cn = *con_cls;
	struct slot	*sl;

	(void)cls;
	(void)why;
	if ((sl = slot_of(c)) != NULL) {
		/* the next request on this connection starts its clock */
		sl->t0 = mono();
		sl->headers = 0;
		sl->later = 1;
	}
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

/* Start a daemon on s's address, or on fd when one is handed over.  The
 * loop thread runs it (MHD_run_wait): no thread of MHD's own. */
static struct MHD_Daemon *
start(struct npkd_relay_server *s, const char *trust, MHD_socket fd)
{
	const struct npkd_relay_server_opts *o = &s->o;
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)(uintptr_t)o->key_pem },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)(uintptr_t)o->cert_pem },
		{ MHD_OPTION_HTTPS_MEM_TRUST, 0, (void *)(uintptr_t)trust },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0,
		    (void *)(uintptr_t)"NORMAL:-VERS-ALL:+VERS-TLS1.3:"
		    "+VERS-TLS1.2" },
		{ MHD_OPTION_CONNECTION_LIMIT, (intptr_t)o->max_conn, NULL },
		{ MHD_OPTION_PER_IP_CONNECTION_LIMIT,
		    (intptr_t)o->max_conn_per_addr, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)o->idle_s, NULL },
		{ MHD_OPTION_CONNECTION_MEMORY_LIMIT, 64 * 1024, NULL },
		{ MHD_OPTION_LISTEN_BACKLOG_SIZE, 256, NULL },
		{ MHD_OPTION_END, 0, NULL }
	};
	unsigned int flags;

	flags = MHD_USE_TLS | MHD_USE_ERROR_LOG | MHD_USE_ITC | MHD_USE_EPOLL;
	if (s->fam == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (fd != MHD_INVALID_SOCKET)
		return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
		    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
		    MHD_OPTION_LISTEN_SOCKET, fd,
		    MHD_OPTION_ARRAY, tls,
		    MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
		    MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		    MHD_OPTION_END);
	return MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&s->ss,
	    MHD_OPTION_ARRAY, tls,
	    MHD_OPTION_NOTIFY_COMPLETED, on_done, s,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
	    MHD_OPTION_END);
}

/* A reload in the loop thread: the old daemon hands its socket over and
 * finishes what it has while the new one takes new connections. */
static void
do_reload(struct npkd_relay_server *s)
{
	struct MHD_Daemon	*nd;
	MHD_socket		 fd;

	s->reload_rc = NPKD_OK;
	if (s->old != NULL) {
		MHD_stop_daemon(s->old);	/* a second reload: no waiting */
		s->old = NULL;
	}
	if ((fd = MHD_quiesce_daemon(s->d)) == MHD_INVALID_SOCKET) {
		s->reload_rc = npkd_seterr(&s->reload_err, NPKD_E_IO, "reload: "
		    "the listening socket cannot be handed over");
		return;
	}
	if ((nd = start(s, s->reload_pem, fd)) == NULL) {
		/* keep serving with what we had */
		if ((nd = start(s, s->o.trust_pem, fd)) == NULL) {
			close(fd);
			s->reload_rc = npkd_seterr(&s->reload_err, NPKD_E_IO,
			    "reload: no daemon could take over the socket");
			atomic_store(&s->stop, 1);
			return;
		}
		s->reload_rc = npkd_seterr(&s->reload_err, NPKD_E_USAGE,
		    "reload: the new trust does not load; serving with the "
		    "old one");
	} else
		s->o.trust_pem = s->reload_pem;
	s->old = s->d;
	s->d = nd;
}

static void *
loop(void *arg)
{
	struct npkd_relay_server	*s = arg;
	const union MHD_DaemonInfo	*di;

	while (!atomic_load(&s->stop)) {
		MHD_run_wait(s->d, s->old != NULL ? 10 : 100);
		if (s->old != NULL) {
			MHD_run(s->old);
			di = MHD_get_daemon_info(s->old,
			    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
			if (di == NULL || di->num_connections == 0) {
				MHD_stop_daemon(s->old);
				s->old = NULL;
			}
		}
		deadlines(s);
		pthread_mutex_lock(&s->lock);
		if (s->reload_pem != NULL) {
			do_reload(s);
			s->reload_pem = NULL;
			pthread_cond_broadcast(&s->done);
		}
		pthread_mutex_unlock(&s->lock);
	}
	return NULL;
}

int
npkd_relay_serve(const struct npkd_relay_server_opts *o,
    struct npkd_relay_server **out, struct npkd_err *e)
{
	struct npkd_relay_server	*s;
	const union MHD_DaemonInfo	*di;
	socklen_t			 sl;

	*out = NULL;
	if (o->auth == NULL || o->handler == NULL || o->max_conn == 0 ||
	    o->max_conn_per_addr == 0 || o->max_conn_per_addr >= o->max_conn ||
	    o->handshake_s == 0 || o->request_s == 0)
		return npkd_seterr(e, NPKD_E_USAGE, "server: the connections "
		    "per address must be fewer than all, and every time "
		    "limit set");
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return npkd_seterr(e, NPKD_E_NOMEM, "server");
	if ((s->fam = parse_listen(o->listen, &s->ss, &sl)) == -1) {
		free(s);
		return npkd_seterr(e, NPKD_E_USAGE, "%s: listen on ADDR:PORT "
		    "(a numeric address)", o->listen);
	}
	s->o = *o;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->done, NULL);
	if ((s->d = start(s, o->trust_pem, MHD_INVALID_SOCKET)) == NULL) {
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->done);
		free(s);
		return npkd_seterr(e, NPKD_E_IO, "%s: cannot listen (address in "
		    "use, or the TLS key and certificate do not load)",
		    o->listen);
	}
	di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di != NULL ? di->port : 0;
	if (pthread_create(&s->thread, NULL, loop, s) != 0) {
		MHD_stop_daemon(s->d);
		pthread_mutex_destroy(&s->lock);
		pthread_cond_destroy(&s->done);
		free(s);
		return npkd_seterr(e, NPKD_E_IO, "server: no thread");
	}
	*out = s;
	return NPKD_OK;
}

/*
 * New trust (the registered peers' CAs) without closing the port.
 * trust_pem must live until the next reload or npkd_relay_stop().
 */
int
npkd_relay_reload(struct npkd_relay_server *s, const char *trust_pem,
    struct npkd_err *e)
{
	int rc;

	pthread_mutex_lock(&s->lock);
	s->reload_pem = trust_pem;
	while (s->reload_pem != NULL && !atomic_load(&s->stop))
		pthread_cond_wait(&s->done, &s->lock);
	rc = s->reload_pem != NULL ? npkd_seterr(e, NPKD_E_IO, "reload: the "
	    "server stopped") : s->reload_rc;
	if (s->reload_pem == NULL && rc != NPKD_OK)
		npkd_seterr(e, rc, "%s", s->reload_err.msg);
	s->reload_pem = NULL;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

unsigned int
npkd_relay_port(const struct npkd_relay_server *s)
{
	return s->port;
}

/* Stop: the loop ends after the request in hand, then the daemons. */
void
npkd_relay_stop(struct npkd_relay_server *s)
{
	if (s == NULL)
		return;
	atomic_store(&s->stop, 1);
	pthread_join(s->thread, NULL);
	if (s->old != NULL)
		MHD_stop_daemon(s->old);
	if (s->d != NULL)
		MHD_stop_daemon(s->d);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->done);
	free(s);
}
