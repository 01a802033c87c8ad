/*-------------------------------------------------------------------------
 *
 * pd_sources.h
 *	  Per-address analysis of the ring: scan verdicts and the tools they name.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_SOURCES_H
#define PD_SOURCES_H

#include "pd_ring.h"
#include "pd_scan.h"

/* What the analysis keeps of each event. */
typedef struct PdRow
{
	uint64		event_id;
	TimestampTz seen_at;
	uint8		family;
	uint8		addr[16];
	uint8		kind;
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

/* The tool a recognised scan names for this event, or NULL. */
extern const char *pd_analysis_scan_tool(const PdAnalysis *an, uint64 event_id);

/* A client address as an inet datum. */
extern Datum pd_inet_datum(uint8 family, const uint8 *addr);

#endif							/* PD_SOURCES_H */
