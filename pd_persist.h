/*-------------------------------------------------------------------------
 *
 * pd_persist.h
 *	  Keep the ring across a clean restart (probe_detect.save).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_PERSIST_H
#define PD_PERSIST_H

#include "pd_ring.h"
#include "pd_tally.h"

extern bool pd_save;

/* In the postmaster, right after the ring and the tally are initialised
 * (the refusal table too). */
extern void pd_persist_load(PdRing *ring, PdTally *tally);

/* on_shmem_exit callback, registered in the postmaster only. */
extern void pd_persist_shutdown(int code, Datum arg);

#endif							/* PD_PERSIST_H */
