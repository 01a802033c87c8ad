/*-------------------------------------------------------------------------
 *
 * input.h
 *	  Read a server log, plain or gzip-compressed, as records.
 *
 * A record is a line (stderr, jsonlog) or a csv record, whose quoted
 * fields may hold newlines.  Lines longer than LS_LINE_MAX are cut there and
 * the rest skipped: none of the lines we read is that long, and a log of
 * garbage must not make us hold it whole.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LS_INPUT_H
#define LS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LS_LINE_MAX (64 * 1024)

typedef struct LsInput LsInput;

typedef struct LsInputStats
{
	uint64_t	bytes;
	uint64_t	records;
	uint64_t	cut;			/* records longer than LS_LINE_MAX */
} LsInputStats;

/* Open path ("-" for standard input); NULL with errno set on failure. */
extern LsInput *ls_input_open(const char *path);

/* Split csv records (quote-aware) rather than lines. */
extern void ls_input_csv(LsInput *in, bool csv);

/*
 * The next record, without its newline: *rec points into the reader's
 * buffer until the next call.  0 at the end, -1 on a read error.
 */
extern int	ls_input_next(LsInput *in, const char **rec, size_t *len);

/*
 * The records before the current one are kept, LS_INPUT_HISTORY of them:
 * a client's name with a newline in it splits a stderr line in two, and
 * the caller may read them joined again.  The span from the start of the
 * record back records before the current one to the current one's end, or
 * 0 if that record is not kept (a cut record ends the history).
 */
#define LS_INPUT_HISTORY 4
extern size_t ls_input_join(LsInput *in, int back, const char **rec);

/* The first bytes of the input, without consuming them (format detection). */
extern size_t ls_input_peek(LsInput *in, const char **buf);

extern void ls_input_close(LsInput *in, LsInputStats *stats);

#endif							/* LS_INPUT_H */
