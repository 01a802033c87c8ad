/*-------------------------------------------------------------------------
 *
 * record.h
 *	  One server log record, whatever format it came in, and the parsers
 *	  that fill it.
 *
 * Pure C.  Every byte of a log is hostile: a client chooses the user and
 * database names PostgreSQL writes in its prefix and messages, and a log may
 * be truncated or binary.  The parsers copy into fixed buffers, truncating,
 * and never read past the record.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LS_RECORD_H
#define LS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LS_TIME_MAX		64
#define LS_HOST_MAX		128
#define LS_NAME_MAX		256
#define LS_SEVERITY_MAX 16
#define LS_MESSAGE_MAX	2048

typedef struct LsRecord
{
	char		time[LS_TIME_MAX];	/* as written, "" if none */
	bool		has_t;
	int64_t		t_us;			/* time as written, its zone ignored */
	char		host[LS_HOST_MAX];	/* client address or name, "" if none */
	int			port;			/* client port, -1 if none */
	int			pid;			/* -1 if none */
	bool		has_user;
	char		user[LS_NAME_MAX];
	bool		has_database;
	char		database[LS_NAME_MAX];
	char		severity[LS_SEVERITY_MAX];
	char		message[LS_MESSAGE_MAX];
	size_t		message_len;	/* it may hold NUL bytes (jsonlog's \u0000) */
} LsRecord;

/* A fixed string and its length, for tables of words. */
typedef struct LsWord
{
	const char *text;
	size_t		len;
} LsWord;

#define LS_WORD(s) {s, sizeof(s) - 1}

/* Copy n bytes of src into dst as a string, truncated to size - 1. */
extern void ls_copy(char *dst, size_t size, const char *src, size_t n);

/* log_line_prefix, compiled */
#define LS_PREFIX_TOKENS 64
typedef struct LsToken
{
	char		esc;			/* the escape letter, or 0 for literal text */
	bool		padded;			/* %-10u: the value may carry spaces */
	char		lit[64];
	int			lit_len;
} LsToken;

typedef struct LsPrefix
{
	LsToken		tok[LS_PREFIX_TOKENS];
	int			ntok;
	char		text[256];		/* as given */
	bool		free_form;		/* no prefix known: search for the severity */
} LsPrefix;

/* Compile log_line_prefix; -1 if it is longer than we keep. */
extern int	ls_prefix_compile(const char *text, LsPrefix *p);

/* The free form: whatever precedes "SEVERITY:  " is the prefix. */
extern void ls_prefix_free(LsPrefix *p);

/*
 * Asked of each way a stderr line can be read, in order; true takes it.  A
 * line has more than one reading only when a client's name in its prefix
 * holds a severity and its two spaces: the caller then takes the reading
 * whose message names the same user and database as its prefix.
 */
typedef bool (*LsAccept) (const LsRecord *r, void *arg);

/*
 * Parse one stderr line (no newline) with prefix p: 1 if a reading was
 * accepted (any reading, if accept is NULL), 0 if there were readings but
 * none was accepted, -1 if the line is no record of that form (a
 * statement's continuation line, say, or another log_line_prefix).
 */
extern int	ls_parse_stderr(const LsPrefix *p, const char *line, size_t len,
							LsRecord *r, LsAccept accept, void *arg);

/* One csvlog record (its quoted fields may hold newlines). */
extern bool ls_parse_csv(const char *rec, size_t len, LsRecord *r);

/* One jsonlog line. */
extern bool ls_parse_json(const char *line, size_t len, LsRecord *r);

/*
 * "2026-11-29 12:00:00[.123] [ZONE]" (a numeric zone is applied, a name is
 * not) or %n's "1764417600.123": microseconds since 1970.  Returns the
 * number of characters read, 0 if none.
 */
extern size_t ls_parse_time(const char *s, size_t len, int64_t *us);

#endif							/* LS_RECORD_H */
