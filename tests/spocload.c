/*
 * spocload.c - load generator for make bench and the SPOC tests: THREADS
 * honest clients, each on one kept-alive mutual-TLS connection, POST
 * GeneralMessage requests with fresh messageIDs to a spoc-relay until
 * COUNT are answered or SECONDS have passed, and print requests per
 * second and p50/p99 latency; any answer other than HTTP 200 with result
 * ok counts as an error.
 *
 * With -f each request goes on a fresh connection (TLS handshake
 * included), as spoc-relay send does; every request has 5 s.
 *
 * With -s N, N slow or idle clients are held open the whole time, from
 * the loopback addresses 127.0.0.2 onwards, -p of them per address: (0) a
 * bare TCP connection that says nothing, (1) a TLS ClientHello sent one
 * byte a second, (2) a TLS session without client certificate sending
 * its request headers one byte a second; -k restricts them to one kind,
 * or to (3) a TLS session with CERT that sends its headers and then its
 * body one byte a second.  Each one the server closes is opened again at
 * once.  With COUNT 0 only the slow clients run, for SECONDS.
 *
 * usage: spocload [-f] [-s N] [-p N] [-k 0|1|2|3] URL CA CERT KEY CALLER
 *            THREADS COUNT SECONDS
 */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <gnutls/gnutls.h>

static const char	*url, *ca, *cert, *key, *caller;
static long		 count;
static double		 deadline;
static atomic_long	 next, errors;
static atomic_int	 stop;
static double		*lat;
static int		 fresh;

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct resp {
	char	buf[4096];
	size_t	len;
};

static size_t
on_data(char *p, size_t sz, size_t n, void *arg)
{
	struct resp	*r = arg;
	size_t		 k = sz * n;

	if (r->len + k < sizeof(r->buf)) {
		memcpy(r->buf + r->len, p, k);
		r->len += k;
		r->buf[r->len] = '\0';
	}
	return k;
}

static void *
worker(void *arg)
{
	struct curl_slist	*h = NULL;
	struct resp		 r;
	CURL			*c;
	char			 body[1024];
	long			 i, code;
	double			 t0;

	(void)arg;
	h = curl_slist_append(h, "Content-Type: text/xml; charset=utf-8");
	h = curl_slist_append(h, "SOAPAction: \"GeneralMessage\"");
	c = curl_easy_init();
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
	curl_easy_setopt(c, CURLOPT_SSLKEY, key);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, (long)fresh);
	curl_easy_setopt(c, CURLOPT_FORBID_REUSE, (long)fresh);
	while ((i = atomic_fetch_add(&next, 1)) < count && now() < deadline) {
		snprintf(body, sizeof(body), "<?xml version=\"1.0\"?>\n"
		    "<e:Envelope xmlns:e=\"http://schemas.xmlsoap.org/soap/"
		    "envelope/\"><e:Body><GeneralMessageRequest xmlns=\""
		    "http://namespaces.icao.int/lds2\"><callerID>%s</callerID>"
		    "<messageID>%s-load-%d-%ld</messageID><subject>load</subject>"
		    "<body>message %ld</body></GeneralMessageRequest></e:Body>"
		    "</e:Envelope>\n", caller, caller, (int)getpid(), i, i);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		r.len = 0;
		r.buf[0] = '\0';
		t0 = now();
		if (curl_easy_perform(c) != CURLE_OK ||
		    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) !=
		    CURLE_OK || code != 200 ||
		    strstr(r.buf, "<spoc:result>ok</spoc:result>") == NULL)
			atomic_fetch_add(&errors, 1);
		lat[i] = now() - t0;
	}
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	return NULL;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* --- slow clients --------------------------------------------------- */

struct slow {
	int			 fd, kind, open;
	gnutls_session_t	 tls;
	size_t			 sent;
	double			 opened, retry;
	struct in_addr		 from;
};

static struct slow	*sl;
static int		 nslow, per_addr = 4, only_kind = -1;
static struct sockaddr_in srv;
static gnutls_certificate_credentials_t anon_cred, cert_cred;
static long		 reopened, refused, held_min = -1, held_sum, samples;
static double		 first_cut = -1;

/* The first bytes of a TLS 1.2 ClientHello, then anything. */
static const unsigned char hello[] = { 0x16, 0x03, 0x01, 0x01, 0x00, 0x01,
    0x00, 0x00, 0xfc, 0x03, 0x03 };
static const char slow_head[] = "POST /spoc HTTP/1.1\r\nHost: localhost\r\n"
    "Content-Type: text/xml\r\nSOAPAction: \"GeneralMessage\"\r\n";
static const char slow_body[] = "POST /spoc HTTP/1.1\r\nHost: localhost\r\n"
    "Content-Type: text/xml\r\nContent-Length: 500\r\n\r\n";

static void
slow_close(struct slow *s)
{
	if (s->tls != NULL) {
		gnutls_deinit(s->tls);
		s->tls = NULL;
	}
	if (s->fd != -1)
		close(s->fd);
	s->fd = -1;
	s->open = 0;
}

static void
slow_open(struct slow *s)
{
	struct sockaddr_in	a;
	int			r;

	s->sent = 0;
	s->retry = now() + 0.2;
	if ((s->fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		return;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr = s->from;
	if (bind(s->fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    connect(s->fd, (struct sockaddr *)&srv, sizeof(srv)) == -1) {
		slow_close(s);
		return;
	}
	if (s->kind >= 2) {
		struct timeval tv = { 5, 0 };

		setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		if (gnutls_init(&s->tls, GNUTLS_CLIENT) < 0 ||
		    gnutls_set_default_priority(s->tls) < 0 ||
		    gnutls_credentials_set(s->tls, GNUTLS_CRD_CERTIFICATE,
		    s->kind == 3 ? cert_cred : anon_cred) < 0) {
			slow_close(s);
			return;
		}
		gnutls_transport_set_int(s->tls, s->fd);
		do
			r = gnutls_handshake(s->tls);
		while (r < 0 && !gnutls_error_is_fatal(r));
		if (r < 0) {
			refused++;
			slow_close(s);
			return;
		}
		if (s->kind == 3 && gnutls_record_send(s->tls, slow_body,
		    sizeof(slow_body) - 1) != (ssize_t)sizeof(slow_body) - 1) {
			slow_close(s);
			return;
		}
	}
	s->open = 1;
	s->opened = now();
}

/* One byte more of what each slow client has to say. */
static void
slow_tick(struct slow *s)
{
	if (!s->open || s->kind == 0)
		return;
	if (s->kind == 1) {
		if (s->sent < sizeof(hello) && write(s->fd, &hello[s->sent], 1) ==
		    1)
			s->sent++;
		return;
	}
	if (s->kind == 3) {
		if (s->sent < 500 && gnutls_record_send(s->tls, "<", 1) == 1)
			s->sent++;
		return;
	}
	if (s->sent < sizeof(slow_head) - 1 && gnutls_record_send(s->tls,
	    &slow_head[s->sent], 1) == 1)
		s->sent++;
}

static void *
slow_main(void *arg)
{
	struct pollfd	*pf;
	double		 t0 = now(), tick = now();
	char		 buf[512];
	int		 i, k;

	(void)arg;
	if ((pf = calloc((size_t)nslow, sizeof(*pf))) == NULL)
		return NULL;
	while (!atomic_load(&stop)) {
		for (i = 0; i < nslow; i++) {
			pf[i].fd = sl[i].open ? sl[i].fd : -1;
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		poll(pf, (nfds_t)nslow, 50);
		for (i = 0; i < nslow; i++) {
			struct slow *s = &sl[i];

			if (s->open && (pf[i].revents & (POLLIN | POLLHUP |
			    POLLERR))) {
				/* the server closed it (or answered) */
				if (s->kind >= 2)
					k = (int)gnutls_record_recv(s->tls, buf,
					    sizeof(buf));
				else
					k = (int)read(s->fd, buf, sizeof(buf));
				if (k <= 0 && k != GNUTLS_E_AGAIN) {
					if (first_cut < 0)
						first_cut = now() - s->opened;
					slow_close(s);
					reopened++;
				}
			}
			if (!s->open && now() >= s->retry)
				slow_open(s);
		}
		if (now() - tick >= 1.0) {
			long held = 0;

			tick = now();
			for (i = 0; i < nslow; i++) {
				slow_tick(&sl[i]);
				held += sl[i].open;
			}
			if (now() - t0 > 1.5) {
				/* once all had their chance to connect */
				if (held_min < 0 || held < held_min)
					held_min = held;
				held_sum += held;
				samples++;
			}
		}
	}
	for (i = 0; i < nslow; i++)
		slow_close(&sl[i]);
	free(pf);
	return NULL;
}

static int
slow_start(pthread_t *t)
{
	char		 host[64];
	const char	*p, *q;
	int		 i;

	/* https://HOST:PORT/... with a numeric or localhost HOST */
	if ((p = strstr(url, "://")) == NULL || (q = strchr(p + 3, ':')) ==
	    NULL || (size_t)(q - p - 3) >= sizeof(host))
		return -1;
	memcpy(host, p + 3, (size_t)(q - p - 3));
	host[q - p - 3] = '\0';
	memset(&srv, 0, sizeof(srv));
	srv.sin_family = AF_INET;
	srv.sin_port = htons((uint16_t)strtol(q + 1, NULL, 10));
	if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" :
	    host, &srv.sin_addr) != 1)
		return -1;
	gnutls_global_init();
	gnutls_certificate_allocate_credentials(&anon_cred);
	gnutls_certificate_allocate_credentials(&cert_cred);
	if (gnutls_certificate_set_x509_key_file(cert_cred, cert, key,
	    GNUTLS_X509_FMT_PEM) < 0)
		return -1;
	if ((sl = calloc((size_t)nslow, sizeof(*sl))) == NULL)
		return -1;
	for (i = 0; i < nslow; i++) {
		sl[i].fd = -1;
		sl[i].kind = only_kind >= 0 ? only_kind : i % 3;
		sl[i].from.s_addr = htonl(0x7f000002u + (uint32_t)(i /
		    per_addr));
		slow_open(&sl[i]);
	}
	return pthread_create(t, NULL, slow_main, NULL) == 0 ? 0 : -1;
}

int
main(int argc, char *argv[])
{
	pthread_t	*t, st;
	double		 t0, el;
	long		 i, done, nt;
	int		 ch;

	while ((ch = getopt(argc, argv, "fk:p:s:")) != -1)
		switch (ch) {
		case 'f': fresh = 1; break;
		case 'k': only_kind = atoi(optarg); break;
		case 'p': per_addr = atoi(optarg); break;
		case 's': nslow = atoi(optarg); break;
		default: return 2;
		}
	argc -= optind;
	argv += optind;
	signal(SIGPIPE, SIG_IGN);	/* a server closing on a slow client */
	if (argc != 8 || nslow < 0 || nslow > 5000 || per_addr < 1 ||
	    only_kind > 3) {
		fprintf(stderr, "usage: spocload [-f] [-s N] [-p N] [-k 0|1|2|3] "
		    "URL CA CERT KEY CALLER THREADS COUNT SECONDS\n");
		return 2;
	}
	url = argv[0];
	ca = argv[1];
	cert = argv[2];
	key = argv[3];
	caller = argv[4];
	nt = strtol(argv[5], NULL, 10);
	count = strtol(argv[6], NULL, 10);
	if (nt < 1 || nt > 256 || count < 0 || count > 10000000)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((lat = calloc((size_t)count + 1, sizeof(*lat))) == NULL ||
	    (t = calloc((size_t)nt, sizeof(*t))) == NULL)
		return 2;
	t0 = now();
	deadline = t0 + strtod(argv[7], NULL);
	if (nslow > 0) {
		if (slow_start(&st) == -1) {
			fprintf(stderr, "spocload: %s: cannot open slow "
			    "clients\n", url);
			return 2;
		}
		/* let them settle in before the honest peer comes */
		usleep(1500000);
		t0 = now();
		deadline = t0 + strtod(argv[7], NULL);
	}
	if (count == 0)
		while (now() < deadline)
			usleep(100000);
	for (i = 0; count > 0 && i < nt; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (i = 0; count > 0 && i < nt; i++)
		pthread_join(t[i], NULL);
	el = now() - t0;
	if (nslow > 0) {
		atomic_store(&stop, 1);
		pthread_join(st, NULL);
	}
	done = atomic_load(&next) < count ? atomic_load(&next) : count;
	/* requests cut off by the deadline were never sent */
	for (i = 0; i < done && lat[i] > 0; i++)
		;
	done = i;
	qsort(lat, (size_t)done, sizeof(*lat), cmp);
	if (count > 0)
		printf("%ld requests, %ld threads, %.2f s: %.0f requests/s, "
		    "p50 %.2f ms, p99 %.2f ms, %ld errors", done, nt, el,
		    (double)done / el, done ? lat[done / 2] * 1e3 : 0.0,
		    done ? lat[(done * 99) / 100] * 1e3 : 0.0,
		    atomic_load(&errors));
	if (nslow > 0)
		printf("%s%d slow clients: %ld held at least, %.0f on average, "
		    "%ld closed by the server and opened again, first after "
		    "%.1f s", count > 0 ? "; " : "", nslow, held_min,
		    samples ? (double)held_sum / (double)samples : 0.0,
		    reopened, first_cut);
	printf("\n");
	free(lat);
	free(t);
	curl_global_cleanup();
	return atomic_load(&errors) ? 1 : 0;
}
