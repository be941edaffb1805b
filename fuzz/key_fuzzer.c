/*
 * key_fuzzer.c - private key files from untrusted bytes (PEM or DER:
 * PKCS#8, PKCS#1, SEC 1), through npkd_key_load and the file it reads: a
 * memory file stands for the officer's key file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "npkd.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 fd = -1;
	struct npkd_key	*k = NULL;
	struct npkd_err	 e;
	char		 path[64];

	if (npkd_global_init(&e) != NPKD_OK)
		abort();
	if (fd == -1 && (fd = memfd_create("key", MFD_CLOEXEC)) == -1)
		abort();
	if (ftruncate(fd, 0) != 0 || (size > 0 && pwrite(fd, data, size, 0) !=
	    (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (npkd_key_load(path, NULL, &k, &e) == NPKD_OK && k == NULL)
		abort();
	npkd_key_free(k);
	return 0;
}
