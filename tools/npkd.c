/*
 * npkd - the national PKD tool: master lists and deviation lists now;
 * the store (init, import, check, ls, show, export) builds on these.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "tools.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr,
	    "usage: npkd [-qv] [-d dir] command [args]\n"
	    "       npkd ml print [-j] file ...\n"
	    "       npkd ml verify [-jqSv] [-T trust.pem] file ...\n"
	    "       npkd ml extract [-o dir] file ...\n"
	    "       npkd ml sign [-ip] [-H hash] [-P pinfile] -c cert -k key -o out cert ...\n"
	    "       npkd [-d dir] init\n"
	    "       npkd [-d dir] import [-qv] [-T anchors.pem] file ...\n"
	    "       npkd [-d dir] trust ls [-j] | add [-n note] file ... | rm id\n"
	    "       npkd [-d dir] trust authority [-r] country [country ... | all]\n"
	    "       npkd [-d dir] check [-jv] [-t threads]\n"
	    "       npkd [-d dir] ls [-aj] [-c country] [-e days] [-k kind] [-r reason] [-s status]\n"
	    "       npkd [-d dir] show [-j] id\n"
	    "       npkd [-d dir] export pem [-a] -o dir\n"
	    "       npkd [-d dir] export ldif [-a] [-o file]\n"
	    "       npkd [-d dir] export ml [-ip] [-H hash] [-P pinfile] -c cert -k key -o file\n"
	    "       npkd [-d dir] pa [-jlqv] [-b list] [EF.SOD [DG ...] | docdir ...]\n"
	    "       npkd [-d dir] report [-e days] [-o report.html] [-c report.csv]\n");
	exit(EXIT_ERR);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*dir = getenv("NPKD_DIR");
	int		 ch;

	tool_init("npkd");
	/* Global options stop at the command name. */
	while ((ch = getopt_long(argc, argv, "+d:hqvV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 'q':
			verbose = -1;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("npkd %s\n", NPKD_VERSION);
			return EXIT_OK;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if (strcmp(argv[0], "ml") == 0)
		return cmd_ml(argc, argv);
	if (strcmp(argv[0], "init") == 0)
		return cmd_init(dir, argc, argv);
	if (strcmp(argv[0], "import") == 0)
		return cmd_import(dir, argc, argv);
	if (strcmp(argv[0], "check") == 0)
		return cmd_check(dir, argc, argv);
	if (strcmp(argv[0], "ls") == 0)
		return cmd_ls(dir, argc, argv);
	if (strcmp(argv[0], "show") == 0)
		return cmd_show(dir, argc, argv);
	if (strcmp(argv[0], "export") == 0)
		return cmd_export(dir, argc, argv);
	if (strcmp(argv[0], "trust") == 0)
		return cmd_trust(dir, argc, argv);
	if (strcmp(argv[0], "pa") == 0)
		return cmd_pa(dir, argc, argv);
	if (strcmp(argv[0], "report") == 0)
		return cmd_report(dir, argc, argv);
	warnmsg(NULL, "unknown command: %s", argv[0]);
	usage();
	return EXIT_ERR;
}
