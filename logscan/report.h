/*-------------------------------------------------------------------------
 *
 * report.h
 *	  Gather the events of a log and print them, per source and per
 *	  server, as text, JSON lines or csv.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LS_REPORT_H
#define LS_REPORT_H

#include <stdio.h>

#include "logscan/record.h"

typedef enum LsFormat
{
	LS_FORMAT_TEXT,
	LS_FORMAT_JSON,
	LS_FORMAT_CSV,
} LsFormat;

/* what to print: bits */
#define LS_REPORT_EVENTS	0x01
#define LS_REPORT_SOURCES	0x02
#define LS_REPORT_SUMMARY	0x04

typedef struct LsOptions
{
	LsFormat	format;
	int			report;
	bool		has_since;
	int64_t		since_us;
	int			guessing_threshold;
	int			guessing_window;	/* seconds */
} LsOptions;

typedef struct LsReport LsReport;

extern LsReport *ls_report_new(const LsOptions *opt);

/* One record of the log, in the log's order. */
extern void ls_report_record(LsReport *rep, const LsRecord *r);

/*
 * Events recorded so far, and forgetting those after a mark: a stderr line
 * split by a newline in a client's name may have given an event of its own
 * before the whole line was read.
 */
extern size_t ls_report_mark(const LsReport *rep);
extern void ls_report_undo(LsReport *rep, size_t mark);

/* What the reader saw: records read, records no format matched, cut. */
extern void ls_report_input(LsReport *rep, uint64_t records, uint64_t unparsed,
							uint64_t cut);

extern void ls_report_print(LsReport *rep, FILE *out);

extern void ls_report_free(LsReport *rep);

#endif							/* LS_REPORT_H */
