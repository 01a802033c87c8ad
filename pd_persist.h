/*-------------------------------------------------------------------------
 *
 * pd_persist.h
 *	  Keep the ring across a clean restart (probe_detect.save).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_PERSIST_H
#define PD_PERSIST_H

#include "pd_counters.h"
#include "pd_ring.h"
#include "pd_tally.h"

/* At _PG_init: probe_detect.save. */
extern void pd_persist_define_settings(void);

/* In the postmaster, right after the ring, the tally and the counters are
 * initialised (the refusal table too). */
extern void pd_persist_load(PdRing *ring, PdTally *tally, PdCounters *counters);

/* on_shmem_exit callback, registered in the postmaster only. */
extern void pd_persist_shutdown(int code, Datum arg);

#endif							/* PD_PERSIST_H */
