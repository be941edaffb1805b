/*
 * sancanary.c - proves that the sanitized run cannot hide a report: built
 * with the sanitizers, it commits the error named by its argument; make
 * asan requires the exit status and the report file the options promise.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main(int argc, char *argv[])
{
	volatile int	 big = INT_MAX;
	char		*p;
	int		 r = 0;

	if (argc != 2)
		return 2;
	if (strcmp(argv[1], "heap") == 0) {
		if ((p = malloc(4)) == NULL)
			return 2;
		p[argc + 2] = 1;	/* one past the end */
		r = p[0];
		free(p);
	} else if (strcmp(argv[1], "ub") == 0)
		r = big + argc;		/* signed overflow */
	printf("%d\n", r);
	return 0;
}
