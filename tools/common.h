/*
 * common.h - helpers shared by the npkd programs (diagnostics, JSON,
 * exit statuses).  Not part of the library.
 */
#ifndef NPKD_TOOLS_COMMON_H
#define NPKD_TOOLS_COMMON_H

#include <stdio.h>

#include "npkd.h"

/* Exit statuses: 0 ok, 1 the answer is no, 2 error (2 wins over 1). */
#define EXIT_OK		0
#define EXIT_NO		1
#define EXIT_ERR	2

extern const char	*progname;
extern int		 verbose;	/* -v count, -1 for -q */

void	 tool_init(const char *);
void	 warnmsg(const char *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 worst(int, int);
int	 rc_to_exit(int);
const char *display_name(const char *);

/* Text from data (names, messages): control characters as \xHH. */
void	 put_text(FILE *, const char *);

/* JSON output, one object per line. */
void	 json_str(FILE *, const char *);
void	 json_hex(FILE *, const uint8_t *, size_t);
void	 json_findings(FILE *, const struct npkd_findings *);

/* "rsa-4096", "ec-brainpoolP256r1-explicit", ... */
void	 key_desc(const struct npkd_keyinfo *, char *, size_t);
/* Print findings as indented lines (for -v). */
void	 print_findings(FILE *, const char *, const struct npkd_findings *,
	    int);
/* Read a file and load its certificates (PEM bundle or DER). */
int	 load_certs(const char *, struct npkd_cert ***, size_t *);
int	 add_certs(const char *, struct npkd_cert ***, size_t *);
int	 write_output(const char *, const struct npkd_buf *);
/* First line of a file (PINs come from files in batch mode). */
char	*read_pin(const char *);
void	 free_pin(char *);
int	 parse_hash(const char *);

/*
 * Open the store in dir (NULL: none was given) for reading and writing,
 * creating it, or only reading it; on failure say why and exit 2.
 */
#define STORE_RW	0
#define STORE_CREATE	1
#define STORE_RO	2
struct npkd_store *open_store(const char *, int);

/*
 * The CMS signer options of "ml sign" and "export ml":
 * -c cert -H hash -i -k key -p -P pinfile.
 */
#define SIGNER_OPTS	"c:H:ik:pP:"
struct signer_args {
	struct npkd_cms_sign_opts	 o;
	const char			*certf, *keyf;
	char				*pin;
};
void	 signer_init(struct signer_args *);
/* 1: taken; 0: not a signer option; -1: bad value (already reported). */
int	 signer_opt(struct signer_args *, int, const char *);
/* Load the signer certificate(s) and the key; EXIT_OK or EXIT_ERR. */
int	 signer_load(const struct signer_args *, struct npkd_cert ***,
	    size_t *, struct npkd_key **);
void	 signer_clear(struct signer_args *);

#endif /* NPKD_TOOLS_COMMON_H */
