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

/* Count ev's protocol and tool (the caller claimed it: pd_ring.h). */
extern void pd_count_class(PdCounters *c, const PdEvent *ev);

/*
 * Bring the counters' protocols and tools up to date: classify every event
 * recorded since the last call, in id order, and count each that nobody
 * counted yet (pd_ring_claim_count(): a writer counts an event it is about
 * to overwrite unread, so none is missed).  Stops at the first event still
 * being written.  Any process that may palloc; callers at once share the
 * work, and each event is counted once.
 */
extern void pd_count_classes(PdRing *ring, PdCounters *c);

#endif							/* PD_CLASSES_H */
