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
#include "pd_text.h"

/* What the analysis keeps of each event. */
typedef struct PdRow
{
	uint64		event_id;
	TimestampTz seen_at;
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

/* A client-supplied string as text: valid in the database encoding and
 * printable (probe_detect.c). */
extern Datum pd_clean_text(const char *s, int max);

/* Settings of the password-guessing verdict (probe_detect.c). */
extern int	pd_guessing_threshold;
extern int	pd_guessing_window;

/* The scan recogniser's view of an event; tool must outlive it. */
extern void pd_scan_event_from(PdScanEvent *se, const PdEvent *ev, const char *tool);

/* The verdict for one address ("" if none); buf >= 96 bytes. */
extern void pd_source_verdict(const PdAnalysis *an, uint8 family, const uint8 *addr,
							  char *buf, int size);

/* A client address, or a network, as an inet datum. */
extern Datum pd_inet_datum(uint8 family, const uint8 *addr);
extern Datum pd_net_datum(const PdNet *net);

#endif							/* PD_SOURCES_H */
