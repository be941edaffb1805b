/*
 * spocserve_fuzzer.c - the relay's request handler: what an
 * authenticated peer's request body gets (npkd_spoc_serve), filed in a
 * real store in a temporary directory.  The first byte picks the peer
 * (bit 0: PP speaks CSN 36 9791, ZZ the ICAO dialect) and the SOAPAction
 * (bits 1-3: none, or one of the four operations, quoted or not); the
 * rest is the body.  Seeds (fuzz/spocserve.in) are requests of every
 * operation in both dialects.  Every answer must be a fault, a 401, or a
 * normal response that reads back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fuzz.h"
#include "npkd.h"

static struct npkd_store	*st;
static struct npkd_spoc_peer	 peer[2];
static char			 dir[64];

static void
cleanup(void)
{
	char cmd[128];

	npkd_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "spocserve_fuzzer: %s left behind\n", dir);
}

static void
setup(void)
{
	struct npkd_err e;
	int i;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	snprintf(dir, sizeof(dir), "/dev/shm/npkd-fuzz.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		snprintf(dir, sizeof(dir), "/tmp/npkd-fuzz.XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	if (npkd_store_open(dir, NPKD_STORE_CREATE, &st, &e) != NPKD_OK ||
	    npkd_spoc_setting_set(st, "country", "YY", &e) != NPKD_OK)
		abort();
	atexit(cleanup);
	for (i = 0; i < 2; i++) {
		snprintf(peer[i].country, 3, i ? "ZZ" : "PP");
		snprintf(peer[i].url, sizeof(peer[i].url), "https://x/");
		peer[i].dialect = i ? NPKD_SPOC_ICAO : NPKD_SPOC_CSN;
		peer[i].ca = (char *)"-";
		if (npkd_spoc_peer_put(st, &peer[i], &e) != NPKD_OK)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *actions[8] = { NULL, "\"RequestCertificate\"",
	    "SendCertificates", "\"GetCACertificates\"", "GeneralMessage",
	    "\"\"", "\"GeneralMessage\"", "RequestCertificate" };
	struct npkd_spoc_served	 o;
	struct npkd_spoc_msg	 m;
	struct npkd_err		 e;

	if (st == NULL)
		setup();
	if (size < 1)
		return 0;
	npkd_spoc_serve(st, &peer[data[0] & 1], data + 1, size - 1,
	    actions[(data[0] >> 1) & 7], time(NULL), &o, &e);
	if (o.status == 200) {
		if (npkd_spoc_decode(o.body.data, o.body.len, NULL, &m, &e) !=
		    NPKD_OK || !m.response)
			abort();
		npkd_spoc_msg_free(&m);
	} else if (o.status != 401 && o.status != 500)
		abort();
	npkd_spoc_served_free(&o);
	return 0;
}
