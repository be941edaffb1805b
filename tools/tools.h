/*
 * tools.h - the npkd subcommands.
 */
#ifndef NPKD_TOOLS_TOOLS_H
#define NPKD_TOOLS_TOOLS_H

int	 cmd_ml(int, char *[]);

#endif /* NPKD_TOOLS_TOOLS_H */
