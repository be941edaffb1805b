/*
 * report.c - "npkd report": the officer's overview (placeholder).
 */
#include "common.h"
#include "tools.h"

int
cmd_report(const char *dir, int argc, char *argv[])
{
	(void)dir;
	(void)argc;
	(void)argv;
	return EXIT_ERR;
}
