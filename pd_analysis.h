/*-------------------------------------------------------------------------
 *
 * pd_analysis.h
 *	  Per-address analysis of the ring: scan verdicts, the tools they name,
 *	  libpq's retries, password guessing.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_ANALYSIS_H
#define PD_ANALYSIS_H

#include "pd_classify.h"
#include "pd_ring.h"
#include "pd_scan.h"

/* What the analysis keeps of each event. */
typedef struct PdRow
{
	uint64		event_id;
	TimestampTz seen_at;
	TimestampTz last_seen;		/* of its last occurrence */
	int64		occurrences;	/* 1 + the repeats folded into it */
	int64		failures;		/* failed logins of its own: occurrences of
								 * an auth_failed event, less one for each
								 * TLS failure an sslmode=prefer retry
								 * repeats */
	uint8		family;
	uint8		addr[16];
	uint8		kind;
	bool		ssl;
	char		user_name[PD_NAME_MAX];
	char		database_name[PD_NAME_MAX];
	uint64		retry_of;		/* sslmode=prefer retry of this event, or 0 */
	uint64		retried_by;		/* ... and the other way round */
	char		protocol[PD_PROTOCOL_MAX];
	char		tool[PD_TOOL_MAX];
	PdScanEvent scan;
} PdRow;

typedef struct PdAnalysis
{
	PdRow	   *rows;			/* by address, then event id */
	int			n;
	PdRow	  **by_id;			/* the same rows by event id */
} PdAnalysis;

/* Snapshot the ring (backend memory) and recognise scans per address. */
extern void pd_analyze(PdRing *ring, PdAnalysis *an);

/* What the analysis says about one event, or NULL. */
extern const PdRow *pd_analysis_row(const PdAnalysis *an, uint64 event_id);

/*
 * The verdict bits (PD_SCAN_*) of rows[0..n), one address's events:
 * its scans, and password guessing (probe_detect.guessing_threshold).
 */
extern int	pd_analysis_bits(const PdRow *rows, int n);

/* Order of rows by source: family, then address. */
extern int	pd_cmp_addr(const PdRow *a, const PdRow *b);

/* The scan recogniser's view of an event; tool must outlive it. */
extern void pd_scan_event_from(PdScanEvent *se, const PdEvent *ev, const char *tool);

#endif							/* PD_ANALYSIS_H */
