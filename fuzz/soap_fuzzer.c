/*
 * soap_fuzzer.c - SPOC SOAP messages from untrusted bytes.  What the
 * reader accepts must write back and read again to the same message.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_spoc_msg	 m, m2;
	struct npkd_buf		 x;
	struct npkd_err		 e;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (npkd_spoc_decode(data, size, NULL, &m, &e) != NPKD_OK)
		return 0;
	/* a push without messageID, or certificates, must survive */
	if (npkd_spoc_encode(&m, &x, &e) == NPKD_OK) {
		if (npkd_spoc_decode(x.data, x.len, NULL, &m2, &e) != NPKD_OK)
			abort();
		if (m2.op != m.op || m2.response != m.response ||
		    m2.ncerts != m.ncerts || strcmp(m2.result, m.result) != 0 ||
		    strcmp(m2.msgid, m.msgid) != 0)
			abort();
		npkd_spoc_msg_free(&m2);
		npkd_buf_free(&x);
	}
	npkd_spoc_msg_free(&m);
	return 0;
}
