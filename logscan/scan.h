/*-------------------------------------------------------------------------
 *
 * scan.h
 *	  Read one log file into the report.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LS_SCAN_H
#define LS_SCAN_H

#include "logscan/record.h"
#include "logscan/report.h"

typedef enum LsLogFormat
{
	LS_LOG_AUTO,
	LS_LOG_STDERR,
	LS_LOG_CSV,
	LS_LOG_JSON,
} LsLogFormat;

/* Say on stderr which format and prefix each file was read with. */
extern bool ls_scan_verbose;

/*
 * Read path ("-": standard input) into rep, in format forced (LS_LOG_AUTO:
 * detected) with log_line_prefix given (NULL: detected).  -1 if it could
 * not be opened (said on stderr).
 */
extern int	ls_scan_file(const char *path, LsLogFormat forced, const LsPrefix *given,
						 LsReport *rep);

#endif							/* LS_SCAN_H */
