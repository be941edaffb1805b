/*
 * spocload.c - load generator for make bench: THREADS clients, each on
 * one kept-alive mutual-TLS connection, POST GeneralMessage requests with
 * fresh messageIDs to a spoc-relay until COUNT are answered or SECONDS
 * have passed.  Prints requests per second and p50/p99 latency; any
 * answer other than HTTP 200 with result ok is counted as an error.
 *
 * usage: spocload URL CA CERT KEY CALLER THREADS COUNT SECONDS
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

static const char	*url, *ca, *cert, *key, *caller;
static long		 count;
static double		 deadline;
static atomic_long	 next, errors;
static double		*lat;

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

int
main(int argc, char *argv[])
{
	pthread_t	*t;
	double		 t0, el;
	long		 i, done, nt;

	if (argc != 9) {
		fprintf(stderr, "usage: spocload URL CA CERT KEY CALLER THREADS "
		    "COUNT SECONDS\n");
		return 2;
	}
	url = argv[1];
	ca = argv[2];
	cert = argv[3];
	key = argv[4];
	caller = argv[5];
	nt = strtol(argv[6], NULL, 10);
	count = strtol(argv[7], NULL, 10);
	if (nt < 1 || nt > 256 || count < 1 || count > 10000000)
		return 2;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if ((lat = calloc((size_t)count, sizeof(*lat))) == NULL ||
	    (t = calloc((size_t)nt, sizeof(*t))) == NULL)
		return 2;
	t0 = now();
	deadline = t0 + strtod(argv[8], NULL);
	for (i = 0; i < nt; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (i = 0; i < nt; i++)
		pthread_join(t[i], NULL);
	el = now() - t0;
	done = atomic_load(&next) < count ? atomic_load(&next) : count;
	/* requests cut off by the deadline were never sent */
	for (i = 0; i < done && lat[i] > 0; i++)
		;
	done = i;
	qsort(lat, (size_t)done, sizeof(*lat), cmp);
	printf("%ld requests, %ld threads, %.2f s: %.0f requests/s, "
	    "p50 %.2f ms, p99 %.2f ms, %ld errors\n", done, nt, el,
	    (double)done / el, done ? lat[done / 2] * 1e3 : 0.0,
	    done ? lat[(done * 99) / 100] * 1e3 : 0.0, atomic_load(&errors));
	free(lat);
	free(t);
	curl_global_cleanup();
	return atomic_load(&errors) ? 1 : 0;
}
