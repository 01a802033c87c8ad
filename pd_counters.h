/*-------------------------------------------------------------------------
 *
 * pd_counters.h
 *	  Cumulative counters for monitoring: events by kind, protocol and tool
 *	  family, guessing, and the ban feed's records.
 *
 * The ring forgets its oldest events; these never do (until a reset), so a
 * Prometheus rate() stays right when the ring wraps.  Every label comes
 * from a closed set (pd_labels.h, the kinds, the verdicts): the number of
 * series is fixed at compile time, whatever clients send.
 *
 * Shared memory written with atomics only: the pre-PGPROC child counts its
 * probe's kind here.  Protocols and tools are the classifier's, which runs
 * when events are read: each occurrence is counted by the first reader
 * after it was recorded (or folded into its event), or by the writer that
 * would overwrite it uncounted (pd_count_classes()).  Saved
 * across clean restarts with the ring (pd_persist.c).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_COUNTERS_H
#define PD_COUNTERS_H

#include "port/atomics.h"

#include "pd_kind.h"
#include "pd_labels.h"

typedef struct PdCounters
{
	pg_atomic_uint64 kinds[PD_KIND_MAX];
	pg_atomic_uint64 protocols[PD_PROTOCOL_LABELS];
	pg_atomic_uint64 tools[PD_TOOL_FAMILIES];
	pg_atomic_uint64 guessing;	/* failed logins over the guessing threshold */
	pg_atomic_uint64 feed[PD_VERDICT_MAX];	/* ban feed records written */
	pg_atomic_uint64 feed_errors;	/* ... and not written */
	pg_atomic_uint64 repeats;	/* occurrences folded into an earlier event */
	pg_atomic_uint64 health_checks; /* pg_isready's checks, not recorded */
	pg_atomic_uint64 classified_upto;	/* the first event id whose protocol
										 * and tool are not counted yet */
} PdCounters;

extern PdCounters *pd_counters;

extern Size pd_counters_size(void);
/*
 * Zeroed with the ring: probe_detect_stats.since is their start too.
 * next_id is the ring's: the first event whose protocol is still to count.
 */
extern void pd_counters_init(PdCounters *c, uint64 next_id);
extern void pd_counters_reset(PdCounters *c, uint64 next_id);

static inline void
pd_count(pg_atomic_uint64 *counter)
{
	pg_atomic_fetch_add_u64(counter, 1);
}

/*
 * Every counter, by name and label, with its value: the view's rows and
 * the saved file's entries.  The same rows at every call, zeros included,
 * so a scrape's series never depend on traffic.
 */
typedef void (*PdCounterVisitor) (const char *counter, const char *label,
								  uint64 value, void *arg);
extern void pd_counters_foreach(PdCounters *c, PdCounterVisitor fn, void *arg);

/* A counter as saved to disk, by name, so that label lists may change. */
#define PD_COUNTER_NAME_MAX	24
typedef struct PdCounterSaved
{
	char		counter[PD_COUNTER_NAME_MAX];
	char		label[PD_COUNTER_NAME_MAX];
	uint64		value;
} PdCounterSaved;

#define PD_COUNTERS_SAVED_MAX	1024

/* Saving and restoring (the postmaster, no other process running). */
extern int	pd_counters_export(PdCounters *c, PdCounterSaved *out, int max);
extern void pd_counters_import(PdCounters *c, const PdCounterSaved *in, int n);

#endif							/* PD_COUNTERS_H */
