/*
 * import_fuzzer.c - the whole import path on untrusted bytes: format
 * detection, LDIF entries turned into objects (conformance texts
 * included), PEM blocks, lists, certificates and CRLs, each import one
 * transaction of a scratch store.  The input reaches the library through
 * a memory file, as a file would.
 */
#include <sys/mman.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "npkd.h"

static struct npkd_store	*store;
static char			 dir[] = "/tmp/npkd-fuzz-import.XXXXXX";

static void
cleanup(void)
{
	static const char	*files[] = { "npkd.db", "npkd.db-wal",
				    "npkd.db-shm" };
	char			 p[64];
	size_t			 i;

	npkd_store_close(store);
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct npkd_import_stats	 st;
	struct npkd_import_opts		 o;
	struct npkd_err			 e;
	char				 path[64];
	int				 fd;

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (store == NULL) {
		if (mkdtemp(dir) == NULL ||
		    npkd_store_open(dir, NPKD_STORE_CREATE, &store, &e) !=
		    NPKD_OK)
			abort();
		atexit(cleanup);
	}
	if ((fd = memfd_create("import", MFD_CLOEXEC)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	memset(&o, 0, sizeof(o));
	o.now = 1767225600;	/* 2026-01-01: verdicts do not drift */
	(void)npkd_store_import(store, path, &o, &st, NULL, &e);
	close(fd);
	return 0;
}
