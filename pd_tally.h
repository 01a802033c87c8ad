/*-------------------------------------------------------------------------
 *
 * pd_tally.h
 *	  Per-network counts of hostile attempts, kept as they happen, so that
 *	  a connection's refusal check and a failed login's verdict cost the same
 *	  whatever the ring holds.
 *
 * Shared memory written lock-free (atomics only): the pre-PGPROC child,
 * which may take no lock and be killed at any instruction, counts its
 * probes here too.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_TALLY_H
#define PD_TALLY_H

#include "datatype/timestamp.h"
#include "port/atomics.h"

#include "pd_text.h"

#define PD_TALLY_SLOTS		8192	/* networks tallied at once (power of 2) */
#define PD_TALLY_PROBES		32		/* slots a network may occupy */
#define PD_TALLY_BUCKETS	16		/* time buckets per window */
#define PD_RETRY_SECONDS	5		/* libpq's fallback follows within this */

/* How a connection came: libpq tries each at most once per attempt. */
#define PD_TRANSPORT_PLAIN	0
#define PD_TRANSPORT_TLS	1
#define PD_TRANSPORT_GSS	2

typedef struct PdTallySlot
{
	pg_atomic_uint64 key;		/* 0: free; else the network's hash */
	pg_atomic_uint64 chain;		/* an unconfirmed chain of failures */
	pg_atomic_uint64 hostile[PD_TALLY_BUCKETS]; /* probes, failed attempts */
	pg_atomic_uint64 failed[PD_TALLY_BUCKETS];	/* failed logins among them */
} PdTallySlot;

typedef struct PdTally
{
	uint64		seed;			/* keys are hashed with it: not guessable */
	uint8		v4_bits;		/* networks are keyed on these prefixes */
	uint8		v6_bits;
	PdTallySlot slots[PD_TALLY_SLOTS];
} PdTally;

typedef struct PdTallyCount
{
	int			hostile;		/* attempts within the refusal window */
	int			failed;			/* failed logins within the guessing window */
} PdTallyCount;

/* A slot as saved to disk (pd_persist.c). */
typedef struct PdTallySaved
{
	uint32		index;
	uint64		key;
	uint64		chain;
	uint64		hostile[PD_TALLY_BUCKETS];
	uint64		failed[PD_TALLY_BUCKETS];
} PdTallySaved;

extern Size pd_tally_size(void);
extern void pd_tally_init(PdTally *t, uint64 seed, int v4_bits, int v6_bits);

/* The network an address is counted under (its /v4_bits or /v6_bits). */
extern void pd_tally_net(const PdTally *t, uint8 family, const uint8 *addr,
						 PdNet *net);

/*
 * An event (PdKind) from addr; kinds that are no attempt are ignored.  The
 * windows (seconds: refusing, guessing) set the width of its buckets.
 */
extern void pd_tally_event(PdTally *t, uint8 family, const uint8 *addr,
						   int kind, int transport, TimestampTz at,
						   int hostile_window, int failed_window);

/* A successful authentication: ends a chain of libpq's fallbacks. */
extern void pd_tally_success(PdTally *t, uint8 family, const uint8 *addr,
							 int transport, TimestampTz at);

/*
 * The counts for addr's network within the windows (seconds), as seen by a
 * connection over transport.
 */
extern void pd_tally_count(PdTally *t, uint8 family, const uint8 *addr,
						   int transport, TimestampTz now, int hostile_window,
						   int failed_window, PdTallyCount *out);

/* probe_detect_reset(): every network starts again from nothing. */
extern void pd_tally_reset(PdTally *t);

/* A pardon: addr's network starts again from nothing. */
extern void pd_tally_forget(PdTally *t, uint8 family, const uint8 *addr);

/* Saving and restoring (the postmaster, no other process running). */
extern bool pd_tally_export(PdTally *t, uint32 index, PdTallySaved *out);
extern void pd_tally_import(PdTally *t, const PdTallySaved *in);

#endif							/* PD_TALLY_H */
