/*
 * replay.c - runs a fuzz target over every file of the given directories
 * (seed corpus and reproducers) without libFuzzer, so that make check
 * replays them with any compiler.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "npkd.h"

int
main(int argc, char *argv[])
{
	struct npkd_buf	 b;
	struct npkd_err	 e;
	struct dirent	*de;
	DIR		*d;
	char		 path[4096];
	int		 i, n = 0;

	for (i = 1; i < argc; i++) {
		if ((d = opendir(argv[i])) == NULL)
			continue;	/* an empty reproducer set is fine */
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], de->d_name);
			if (npkd_file_read(path, NPKD_MAX_FILE, &b, &e) != NPKD_OK) {
				fprintf(stderr, "replay: %s\n", e.msg);
				closedir(d);
				return 1;
			}
			LLVMFuzzerTestOneInput(b.data, b.len);
			npkd_buf_free(&b);
			n++;
		}
		closedir(d);
	}
	if (n == 0) {
		fprintf(stderr, "replay: no inputs in %s\n", argc > 1 ? argv[1] :
		    "(none)");
		return 1;
	}
	printf("replay %s: %d inputs\n", argc > 1 ? argv[1] : "", n);
	return 0;
}
