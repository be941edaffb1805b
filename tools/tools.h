/*
 * tools.h - the npkd subcommands.
 */
#ifndef NPKD_TOOLS_TOOLS_H
#define NPKD_TOOLS_TOOLS_H

int	 cmd_ml(int, char *[]);
int	 cmd_init(const char *, int, char *[]);
int	 cmd_import(const char *, int, char *[]);
int	 cmd_check(const char *, int, char *[]);
int	 cmd_ls(const char *, int, char *[]);
int	 cmd_show(const char *, int, char *[]);
int	 cmd_export(const char *, int, char *[]);
int	 cmd_trust(const char *, int, char *[]);
/* issue 14: passive authentication, the officer's report */
int	 cmd_pa(const char *, int, char *[]);
int	 cmd_report(const char *, int, char *[]);

#endif /* NPKD_TOOLS_TOOLS_H */
