/*-------------------------------------------------------------------------
 *
 * pd_classes.h
 *	  What the classifier says of stored events, derived when they are read.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CLASSES_H
#define PD_CLASSES_H

#include "pd_classify.h"
#include "pd_counters.h"
#include "pd_ring.h"

/*
 * Protocol, tool and detail of a stored event, from what it holds (raw,
 * version word, start-up options, facts): the classifier as built now,
 * whenever the event was recorded.  Pure computation on ev, safe in any
 * process.
 */
extern void pd_event_class(const PdEvent *ev, PdClass *out);

/* Count n occurrences of ev's protocol and tool (claimed: pd_ring.h). */
extern void pd_count_class(PdCounters *c, const PdEvent *ev, uint32 n);

/*
 * Bring the counters' protocols and tools up to date: classify every event
 * with occurrences (its first, or repeats folded into it since) that nobody
 * counted yet, and count those (pd_ring_claim_count(): the writer that
 * overwrites an event counts what is left of it, so none is missed).  Reads
 * the events recorded since the last call and those that may still take
 * repeats: the cost is what happened since, at most half the ring.  Any
 * process that may palloc; callers at once share the work, and each
 * occurrence is counted once.
 */
extern void pd_count_classes(PdRing *ring, PdCounters *c);

#endif							/* PD_CLASSES_H */
