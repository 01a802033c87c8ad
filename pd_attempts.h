/*-------------------------------------------------------------------------
 *
 * pd_attempts.h
 *	  Hostile attempts per network, as the settings count them: the glue
 *	  between the tallies (pd_tally.c) and what reads them (recording,
 *	  refusing, the guessing verdict).
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_ATTEMPTS_H
#define PD_ATTEMPTS_H

#include "datatype/timestamp.h"

#include "pd_tally.h"

/* The tallies in shared memory, once attached (NULL before). */
extern PdTally *pd_tally;

/* probe_detect.guessing_threshold, _window and refuse_window (seconds) */
extern int	pd_guessing_threshold;
extern int	pd_guessing_window;
extern int	pd_refuse_window;
extern int	pd_refuse_after;	/* 0: refusing is off */

/* At _PG_init: the settings above and the networks' prefixes. */
extern void pd_attempts_define_settings(void);

/* Shared memory: size, and attach (initialise if !found) at start-up. */
extern Size pd_attempts_shmem_size(void);
extern void pd_attempts_shmem_init(void *mem, bool found);

/* Count an event of kind (PdKind) from addr; lock-free, any process. */
extern void pd_attempt(uint8 family, const uint8 *addr, int kind, int transport,
					   TimestampTz at);

/* A successful login: ends a chain of libpq's fallbacks uncounted. */
extern void pd_attempt_success(uint8 family, const uint8 *addr, int transport,
							   TimestampTz at);

/* addr's network's counts within the two windows. */
extern void pd_attempt_count(uint8 family, const uint8 *addr, int transport,
							 TimestampTz now, PdTallyCount *out);

/* More failed logins than guessing_threshold within guessing_window? */
extern bool pd_attempt_guessing(uint8 family, const uint8 *addr, int transport,
								TimestampTz now);

#endif							/* PD_ATTEMPTS_H */
