/*-------------------------------------------------------------------------
 *
 * pd_ring.h
 *	  The shared-memory ring of probe events.
 *
 * Locking rules (the contract every caller relies on):
 *
 * - Writers take no lock of any kind.  A writer claims an event id with one
 *   atomic fetch-and-add on next_id and owns slot (id % nslots) from then on.
 *   It marks the slot odd (2*id + 1), fills the event in, and publishes it
 *   even (2*id).  Writers never wait for each other or for readers, so the
 *   pre-PGPROC child (which may not take LWLocks) can write, and a writer that
 *   dies at any instruction leaves nothing held.  Signals are blocked from the
 *   claim to the publish so that SIGTERM or authentication_timeout, which end
 *   that child with _exit(1), cannot leave a claimed id unpublished.
 * - Readers take no lock either.  They read a slot's sequence, copy the event,
 *   re-read the sequence, and keep the copy only if the sequence was 2*id both
 *   times and the copy's checksum (which covers its own id) verifies.  A slot
 *   that is mid-write, overwritten, or torn by two writers that wrapped onto
 *   it at once is skipped, never shown.
 * - Reset moves reset_id to next_id: events before it are hidden.  Event ids
 *   are never reused, not even across a reset.
 * - Repeats: an occurrence of the same pattern as a young event of the same
 *   source (address, kind, version word, names, transport) is folded into
 *   it instead of taking a slot: one compare-and-swap of the slot's repeat
 *   word, which carries the ring's turn the event was written in, so a
 *   swap against a slot that was overwritten meanwhile fails.  The word is
 *   outside the checksummed event; readers take it after the event
 *   verified and only if its turn matches.  The same pattern is the same
 *   bytes, compared in place; or, for other bytes, what the writer's caller
 *   says (pd_ring_record()).  A small table of the latest event per key
 *   hash (a seeded hash: no client can aim at an entry) finds the
 *   candidates, so the cost is the same whatever the ring holds.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_RING_H
#define PD_RING_H

#include "datatype/timestamp.h"
#include "port/atomics.h"

#include "pd_kind.h"

#define PD_NAME_MAX		64		/* user and database names, with NUL */
#define PD_MESSAGE_MAX	256		/* PostgreSQL's message, with NUL */
#define PD_CAPTURE_MAX	8192	/* PostgreSQL's receive buffer size */
#define PD_FACTS_MAX	256		/* what only the recording process knows */
#define PD_PARAMS_MAX	256		/* start-up options beyond user and database */

/*
 * One event as stored; raw[] holds capture_bytes bytes in the ring.
 *
 * An event holds facts, never the classifier's verdict: what the client
 * sent (raw, the version word, the start-up options PostgreSQL parsed) and
 * what only the recording process could see (facts).  Protocol, tool and
 * detail are derived from these whenever the event is read (pd_classes.c),
 * so a better classifier names yesterday's events too, and the start-up
 * child, which mostly records what nobody reads for hours, does not
 * classify at all.
 */
typedef struct PdEvent
{
	uint64		event_id;
	TimestampTz seen_at;
	uint32		checksum;		/* hash of the event with this field zero */
	int32		pid;
	int32		raw_offset;		/* -1: unknown */
	int32		waited_ms;		/* from connection start to the rejection */
	uint32		proto;			/* valid if has_proto */
	uint16		raw_len;
	uint16		client_port;
	uint8		kind;			/* PdKind */
	uint8		addr_family;	/* AF_INET, AF_INET6, or 0 for none */
	bool		has_proto;
	bool		ssl;			/* the connection was using TLS */
	uint8		addr[16];
	uint16		params_len;		/* bytes of params in use */
	char		user_name[PD_NAME_MAX];	/* as sent: escaped when read */
	char		database_name[PD_NAME_MAX];
	char		message[PD_MESSAGE_MAX];

	/*
	 * For a login: "method=... ssl=on|off hba_line=N"; then, where the
	 * ClientHello is not all in raw (OpenSSL consumed it, or it is longer
	 * than capture_bytes), " ja4=... sni=... alpn=..." as pd_hello_describe
	 * writes them.  Escaped, printable ASCII.
	 */
	char		facts[PD_FACTS_MAX];

	/*
	 * The start-up packet's options other than user and database, as
	 * "name\0value\0" pairs in packet order (whole pairs only), for the
	 * kinds where PostgreSQL parsed them: logins, missing_user,
	 * invalid_layout.  As sent: hostile.
	 */
	char		params[PD_PARAMS_MAX];

	/*
	 * Filled in by readers from the slot's repeat word, zero as stored (and
	 * checksummed): occurrences folded into this event after the first, and
	 * the last one's time (seen_at if none).
	 */
	TimestampTz last_seen;
	uint32		repeats;
	uint8		raw[FLEXIBLE_ARRAY_MEMBER];
} PdEvent;

#define PD_EVENT_SIZE(rawlen) (offsetof(PdEvent, raw) + (rawlen))

/* What the scan verdicts read of the payload (pd_scan.h) */
#define PD_RAW_HEAD		4

/* Entries of the table of latest events by key hash (a power of 2). */
#define PD_RECENT_KEYS	4096

typedef struct PdRing
{
	pg_atomic_uint64 next_id;	/* next id to hand out; ids start at 1 */
	pg_atomic_uint64 reset_id;	/* first id after the last reset */
	pg_atomic_uint64 since;		/* TimestampTz of start or last reset */
	uint32		nslots;
	uint32		capture_bytes;
	Size		stride;			/* bytes per slot */
	uint64		seed;			/* of the key hash */
	/* key hash (high 32 bits) and event id (low 32) of the latest event */
	pg_atomic_uint64 recent[PD_RECENT_KEYS];
	char		slots[FLEXIBLE_ARRAY_MEMBER];
} PdRing;

/* Counters as one consistent-enough snapshot. */
typedef struct PdRingStats
{
	uint64		events_total;
	uint64		events_overwritten;
	TimestampTz since;
} PdRingStats;

/* The ring in shared memory, once attached (NULL before, and without the
 * preload). */
extern PdRing *pd_ring;

extern Size pd_ring_size(int nslots, int capture_bytes);
extern void pd_ring_init(PdRing *ring, int nslots, int capture_bytes,
						 uint64 seed);

/*
 * Is event id the same pattern as ev, another occurrence from the same
 * source with other bytes?  The writer's caller answers (the classifier's
 * verdict); it reads its own copy of the event with pd_ring_get().
 */
typedef bool (*PdSamePattern) (PdRing *ring, uint64 id, const PdEvent *ev);

/*
 * An event about to be overwritten, n of whose occurrences no reader has
 * counted by class: the writer's caller counts them (pd_count_classes()'s
 * share of the work that could not wait).  ev is the slot itself, read in
 * place (repeats not filled in).
 */
typedef void (*PdLapped) (const PdEvent *ev, uint32 n);

/*
 * Writer: safe in any process, with or without a PGPROC, and the caller
 * blocks signals around it (from the claim to the publish no signal may end
 * the process: an id claimed but never published would be a hole).  The
 * event is the caller's private copy (raw_len at most capture_bytes; the
 * fixed part zeroed before it was filled in: whole fields are hashed); its
 * event_id, checksums, last_seen and repeats are set here.  If an event of
 * the same source was recorded less than window seconds ago (0: never) and
 * is still young (in the newer half of the ring), the occurrence is folded
 * into it and true returned, when it holds the same bytes or, if not and
 * same is not NULL, when same() says so of the source's latest event; else
 * the event takes a slot of its own; if that slot's previous event was
 * never counted, lapped() is called on it first.  *id is the event's id
 * either way.  Nothing here blocks or raises.
 */
extern bool pd_ring_record(PdRing *ring, PdEvent *ev, int window,
						   PdSamePattern same, PdLapped lapped, uint64 *id);

/*
 * Claim the counting by class of event id's occurrences, of which there
 * are now occurrences (1 + repeats): returns how many no caller claimed
 * before, so that each is counted once, whichever of the readers and the
 * writer that overwrites the event asks.  Any process.
 */
extern uint32 pd_ring_claim_count(PdRing *ring, uint64 id, uint32 occurrences);

/*
 * Reader, in a backend: calls fn for every valid event, oldest first, with
 * a private copy (palloc'd here, freed after the last call).
 */
typedef void (*PdRingVisitor) (const PdEvent *ev, void *arg);
extern void pd_ring_scan(PdRing *ring, PdRingVisitor fn, void *arg);

/*
 * Copy event id whole into buf (PD_EVENT_SIZE(capture_bytes) bytes):
 * published (buf holds it), pending (claimed or to be claimed, not yet
 * published: ask again later) or gone (overwritten, reset away, or torn).
 * Any process; nothing blocks.
 */
typedef enum PdSlotState
{
	PD_SLOT_PUBLISHED,
	PD_SLOT_PENDING,
	PD_SLOT_GONE
} PdSlotState;
extern PdSlotState pd_ring_get(PdRing *ring, uint64 id, PdEvent *buf);
extern uint64 pd_ring_next_id(PdRing *ring);

extern void pd_ring_stats(PdRing *ring, PdRingStats *stats);

/* Restoring a saved ring in the postmaster, before any writer exists. */
extern void pd_ring_restore(PdRing *ring, PdEvent *ev);
extern void pd_ring_restore_counters(PdRing *ring, uint64 next_id,
									 uint64 reset_id, TimestampTz since);
extern void pd_ring_reset(PdRing *ring, TimestampTz now);

#endif							/* PD_RING_H */
