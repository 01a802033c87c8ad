/*-------------------------------------------------------------------------
 *
 * pd_ring.c
 *	  The lock-free shared-memory ring of probe events.
 *
 * See pd_ring.h for the locking rules.  Nothing in this file may take a
 * lock, allocate memory, or raise an error: the writer runs in the
 * postmaster's child before it has a PGPROC, inside emit_log_hook.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pd_compat.h"
#include "pd_ring.h"
#include "storage/shmem.h"

/*
 * Each slot is a sequence word, a repeat word and a counted word (the id of
 * the last event in it whose class was counted, and how many of its
 * occurrences: pd_ring_claim_count()), then the event.
 */
typedef struct PdSlotHeader
{
	pg_atomic_uint64 seq;
	pg_atomic_uint64 repeat;
	pg_atomic_uint64 counted;
} PdSlotHeader;

#define PD_SLOT_HEADER	MAXALIGN(sizeof(PdSlotHeader))
#define PD_RING_HEADER	MAXALIGN(offsetof(PdRing, slots))

/*
 * The repeat word: which turn of the ring its event was written in (16
 * bits of id / nslots), the repeats (24 bits, saturating) and the last
 * one's distance from seen_at in seconds (24 bits: 194 days, beyond any
 * window).  One word, so one compare-and-swap keeps the three consistent,
 * and the turn makes a swap against a slot that another event took
 * meanwhile fail: a slot's next event is the next turn's, and the same 16
 * bits come back only 65,536 turns later.
 */
#define PD_REPEAT_TAG_MASK		(UINT64CONST(0xffff) << 48)
#define PD_REPEAT_COUNT(w)		((uint32) (((w) >> 24) & 0xffffff))
#define PD_REPEAT_DELTA(w)		((int64) ((w) & 0xffffff))
#define PD_REPEAT_MAX			0xffffff

static inline uint64
pd_repeat_tag(const PdRing *ring, uint64 id)
{
	return ((id / ring->nslots) & 0xffff) << 48;
}

static inline uint64
pd_repeat_word(const PdRing *ring, uint64 id, uint64 n, uint64 delta)
{
	return pd_repeat_tag(ring, id) | (n << 24) | delta;
}

PdRing	   *pd_ring = NULL;

static inline PdSlotHeader *
pd_slot(PdRing *ring, uint64 id)
{
	char	   *base = (char *) ring + PD_RING_HEADER;

	return (PdSlotHeader *) (base + (id % ring->nslots) * ring->stride);
}

static inline pg_atomic_uint64 *
pd_slot_seq(PdRing *ring, uint64 id)
{
	return &pd_slot(ring, id)->seq;
}

static inline PdEvent *
pd_slot_event(PdRing *ring, uint64 id)
{
	return (PdEvent *) ((char *) pd_slot_seq(ring, id) + PD_SLOT_HEADER);
}

static Size
pd_stride(int capture_bytes)
{
	return MAXALIGN(PD_SLOT_HEADER + PD_EVENT_SIZE(capture_bytes));
}

Size
pd_ring_size(int nslots, int capture_bytes)
{
	return add_size(PD_RING_HEADER, mul_size(nslots, pd_stride(capture_bytes)));
}

void
pd_ring_init(PdRing *ring, int nslots, int capture_bytes, uint64 seed)
{
	uint32		i;

	pg_atomic_init_u64(&ring->next_id, 1);
	pg_atomic_init_u64(&ring->reset_id, 1);
	pg_atomic_init_u64(&ring->since, 0);
	ring->nslots = nslots;
	ring->capture_bytes = capture_bytes;
	ring->stride = pd_stride(capture_bytes);
	ring->seed = seed;
	for (i = 0; i < PD_RECENT_KEYS; i++)
		pg_atomic_init_u64(&ring->recent[i], 0);
	for (i = 0; i < ring->nslots; i++)
	{
		pg_atomic_init_u64(&pd_slot(ring, i)->seq, 0);
		pg_atomic_init_u64(&pd_slot(ring, i)->repeat, 0);
		pg_atomic_init_u64(&pd_slot(ring, i)->counted, 0);
	}
}

/*
 * FNV-1a-like mixing of n bytes into h, eight at a time: the events'
 * checksum and the repeat table's keys.  Not hash_bytes(): this runs in a
 * freshly forked child, and code of our own sits on the text pages the hook
 * has already faulted in.
 */
static pd_hot uint64
pd_mix(uint64 h, const void *data, size_t n)
{
	const unsigned char *p = (const unsigned char *) data;
	uint64		w;

	for (; n >= sizeof(w); n -= sizeof(w), p += sizeof(w))
	{
		memcpy(&w, p, sizeof(w));
		h = (h ^ w) * UINT64CONST(0x100000001b3);
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, n);
	h = (h ^ w ^ ((uint64) n << 56)) * UINT64CONST(0x100000001b3);
	return h ^ (h >> 29);
}

/* A checksum of the event with its checksum field zero. */
static pd_hot uint32
pd_event_checksum(const PdEvent *ev)
{
	size_t		len = PD_EVENT_SIZE(ev->raw_len);
	uint64		h = pd_mix(UINT64CONST(0xcbf29ce484222325) ^ len, ev, len);

	return (uint32) (h ^ (h >> 32));
}

/* The checksum, over the event with its checksum field zero. */
static pd_hot void
pd_event_seal(PdEvent *ev)
{
	ev->checksum = 0;
	ev->checksum = pd_event_checksum(ev);
}

/*
 * Keys of the table of latest events, seeded, so that no client can choose
 * a hash that evicts another source's entry.  The source key: the address,
 * the kind, the version word, the names and the transport.  The exact key:
 * that and everything else the event holds of the client (payload, options,
 * facts).  Both are NUL-padded to their fields' ends (pd_capture.c zeroes
 * the event first), so whole fields are hashed.
 */
static pd_hot uint64
pd_source_key(const PdRing *ring, const PdEvent *ev)
{
	uint64		h = ring->seed ^ UINT64CONST(0xcbf29ce484222325);
	uint64		fixed[3];

	memcpy(&fixed[0], ev->addr, 8);
	memcpy(&fixed[1], ev->addr + 8, 8);
	fixed[2] = ((uint64) ev->addr_family << 40) | ((uint64) ev->kind << 32) |
		((uint64) ev->has_proto << 49) | ((uint64) ev->ssl << 50) | ev->proto;
	h = pd_mix(h, fixed, sizeof(fixed));
	h = pd_mix(h, ev->user_name, sizeof(ev->user_name));
	h = pd_mix(h, ev->database_name, sizeof(ev->database_name));
	return h ^ (h >> 32);
}

static pd_hot uint64
pd_exact_key(uint64 source_key, const PdEvent *ev)
{
	uint64		h = source_key ^ UINT64CONST(0x9e3779b97f4a7c15);

	h = pd_mix(h, ev->raw, ev->raw_len);
	h = pd_mix(h, ev->params, ev->params_len);
	h = pd_mix(h, ev->facts, strnlen(ev->facts, sizeof(ev->facts)));
	return h ^ (h >> 32);
}

/*
 * Are the source fields of a and b equal, and (exact) all the rest the
 * client gave too?  a may be a slot being overwritten (the caller checks
 * its sequence after): nothing is read past a field.
 */
static pd_hot bool
pd_same(const PdEvent *a, const PdEvent *b, bool exact)
{
	uint16		len = a->raw_len;
	uint16		plen = a->params_len;

	if (!(a->addr_family == b->addr_family && a->kind == b->kind &&
		  a->has_proto == b->has_proto && a->ssl == b->ssl &&
		  a->proto == b->proto &&
		  memcmp(a->addr, b->addr, sizeof(a->addr)) == 0 &&
		  strncmp(a->user_name, b->user_name, sizeof(a->user_name)) == 0 &&
		  strncmp(a->database_name, b->database_name, sizeof(a->database_name)) == 0))
		return false;
	if (!exact)
		return true;
	return len == b->raw_len && plen == b->params_len &&
		plen <= sizeof(a->params) &&
		memcmp(a->raw, b->raw, len) == 0 &&
		memcmp(a->params, b->params, plen) == 0 &&
		strncmp(a->facts, b->facts, sizeof(a->facts)) == 0;
}

/*
 * The candidate that a table entry names, if its key bits match: the entry
 * keeps 32 bits of the id, the latest id with them.
 */
static pd_hot uint64
pd_candidate(uint64 entry, uint64 key, uint64 next)
{
	uint64		cand;

	if (entry == 0 || (entry >> 32) != (key >> 32))
		return 0;
	cand = (next & ~UINT64CONST(0xffffffff)) | (entry & 0xffffffff);
	if (cand >= next && cand > UINT64CONST(0xffffffff))
		cand -= UINT64CONST(0x100000000);
	return cand;
}

/*
 * Is event id still published, young and not reset away?  Only the newer
 * half of the ring takes folds: an event about to be overwritten would take
 * the occurrence with it.
 */
static pd_hot bool
pd_foldable(PdRing *ring, uint64 id)
{
	uint64		next = pg_atomic_read_u64(&ring->next_id);

	return id != 0 && id < next && next - id <= ring->nslots / 2 &&
		id >= pg_atomic_read_u64(&ring->reset_id) &&
		pg_atomic_read_u64(&pd_slot(ring, id)->seq) == id * 2;
}

/*
 * Count ev as an occurrence of event id, whose first occurrence was at
 * first, if the slot's repeat word is still that event's and ev is within
 * window seconds of it: one compare-and-swap.
 */
static pd_hot bool
pd_ring_fold(PdRing *ring, uint64 id, TimestampTz first, const PdEvent *ev,
			 int window)
{
	PdSlotHeader *slot = pd_slot(ring, id);
	int			tries;

	for (tries = 0; tries < 8; tries++)
	{
		uint64		w = pg_atomic_read_u64(&slot->repeat);
		int64		delta = (ev->seen_at - first) / USECS_PER_SEC;
		uint32		n;

		if ((w & PD_REPEAT_TAG_MASK) != pd_repeat_tag(ring, id))
			return false;		/* another event took the slot */
		/*
		 * An event spans one window at most, from its first occurrence: a
		 * pattern that keeps coming makes an event per window, so what a
		 * view says of a time (the guessing verdict) stays near the truth.
		 */
		if (ev->seen_at - first > (int64) window * USECS_PER_SEC)
			return false;
		delta = Max(delta, PD_REPEAT_DELTA(w));
		delta = Min(delta, PD_REPEAT_MAX);
		n = Min(PD_REPEAT_COUNT(w) + 1, PD_REPEAT_MAX);
		if (pg_atomic_compare_exchange_u64(&slot->repeat, &w,
										   pd_repeat_word(ring, id, n, delta)))
			return true;
	}
	return false;				/* contended: an event of its own is fine */
}

/*
 * Fold ev into event id, of the same source, if it is the same pattern:
 * without same(), if it holds what ev holds, byte for byte, read in place
 * (no copy, no classifier); with it, if same() says so of its other bytes
 * (the classifier's verdict, pd_capture.c; same() reads its own copy with
 * pd_ring_get()).  The fields are compared, not only the hashes: a fold is
 * never wrong.
 */
static pd_hot bool
pd_fold(PdRing *ring, uint64 id, const PdEvent *ev, int window,
		PdSamePattern same)
{
	const PdEvent *old = pd_slot_event(ring, id);
	TimestampTz first;
	bool		ok;

	if (!pd_foldable(ring, id))
		return false;
	pg_read_barrier();
	first = old->seen_at;
	ok = old->event_id == id && pd_same(old, ev, same == NULL) &&
		ev->seen_at - first <= (int64) window * USECS_PER_SEC;
	pg_read_barrier();
	if (!ok || pg_atomic_read_u64(&pd_slot(ring, id)->seq) != id * 2)
		return false;
	if (same != NULL && !same(ring, id, ev))
		return false;
	return pd_ring_fold(ring, id, first, ev, window);
}

/*
 * The counted word: an event id (40 bits: a trillion events) and how many
 * of its occurrences (24 bits, as the repeats saturate).
 */
#define PD_COUNTED_ID(w)	((w) >> 24)
#define PD_COUNTED_N(w)		((uint32) ((w) & 0xffffff))

pd_hot uint32
pd_ring_claim_count(PdRing *ring, uint64 id, uint32 occurrences)
{
	pg_atomic_uint64 *counted = &pd_slot(ring, id)->counted;
	uint64		was = pg_atomic_read_u64(counted);

	occurrences = Min(occurrences, PD_REPEAT_MAX);
	for (;;)
	{
		uint32		have;

		/* ids only grow: a slot that counted a later event is past this one */
		if (PD_COUNTED_ID(was) > id)
			return 0;
		have = PD_COUNTED_ID(was) == id ? PD_COUNTED_N(was) : 0;
		if (occurrences <= have)
			return 0;
		if (pg_atomic_compare_exchange_u64(counted, &was,
										   (id << 24) | occurrences))
			return occurrences - have;
	}
}

/* Occurrences of event id (1 + its repeats), if the repeat word is its. */
static pd_hot uint32
pd_occurrences(PdRing *ring, uint64 id)
{
	uint64		w = pg_atomic_read_u64(&pd_slot(ring, id)->repeat);

	if ((w & PD_REPEAT_TAG_MASK) != pd_repeat_tag(ring, id))
		return 1;
	return 1 + PD_REPEAT_COUNT(w);
}

/*
 * The event that slot of id held before, about to be overwritten: the
 * occurrences of it that no reader counted yet, this writer counts
 * (lapped), so that the counters miss nothing however fast the ring turns
 * between two reads.  The writer owns the slot (the claim on next_id) and
 * has not touched it yet: the event is read in place.
 */
static pd_hot void
pd_ring_lap(PdRing *ring, uint64 id, PdLapped lapped)
{
	uint64		old = id - ring->nslots;
	const PdEvent *ev = pd_slot_event(ring, id);
	uint32		n;

	if (id <= ring->nslots || old < pg_atomic_read_u64(&ring->reset_id) ||
		pg_atomic_read_u64(&pd_slot(ring, id)->seq) != old * 2 ||
		ev->event_id != old || ev->raw_len > ring->capture_bytes)
		return;					/* never published, torn, or reset away */
	n = pd_ring_claim_count(ring, old, pd_occurrences(ring, old));
	if (n > 0)
		lapped(ev, n);
}

pd_hot bool
pd_ring_record(PdRing *ring, PdEvent *ev, int window, PdSamePattern same,
			   PdLapped lapped, uint64 *id)
{
	uint64		skey,
				xkey;
	pg_atomic_uint64 *by_source,
			   *by_bytes;
	uint64		next = pg_atomic_read_u64(&ring->next_id);
	uint64		cand;
	PdSlotHeader *slot;

	ev->last_seen = 0;
	ev->repeats = 0;
	if (ev->raw_len > ring->capture_bytes)
		ev->raw_len = ring->capture_bytes;
	skey = pd_source_key(ring, ev);
	xkey = pd_exact_key(skey, ev);
	by_source = &ring->recent[skey & (PD_RECENT_KEYS - 1)];
	by_bytes = &ring->recent[xkey & (PD_RECENT_KEYS - 1)];

	if (window > 0)
	{
		/* the same bytes again (a flood, a retry): no classifier needed */
		cand = pd_candidate(pg_atomic_read_u64(by_bytes), xkey, next);
		if (cand != 0 && pd_fold(ring, cand, ev, window, NULL))
		{
			*id = ev->event_id = cand;
			return true;
		}
		/* other bytes from the same source: the caller decides */
		cand = pd_candidate(pg_atomic_read_u64(by_source), skey, next);
		if (cand != 0 && same != NULL &&
			pd_fold(ring, cand, ev, window, same))
		{
			*id = ev->event_id = cand;
			return true;
		}
	}

	*id = pg_atomic_fetch_add_u64(&ring->next_id, 1);
	slot = pd_slot(ring, *id);
	if (lapped != NULL)
		pd_ring_lap(ring, *id, lapped);
	pg_atomic_write_u64(&slot->seq, *id * 2 + 1);
	pg_write_barrier();
	pg_atomic_write_u64(&slot->repeat, pd_repeat_word(ring, *id, 0, 0));

	ev->event_id = *id;
	pd_event_seal(ev);
	memcpy(pd_slot_event(ring, *id), ev, PD_EVENT_SIZE(ev->raw_len));
	pg_write_barrier();
	pg_atomic_write_u64(&slot->seq, *id * 2);

	if (window > 0)
	{
		pg_atomic_write_u64(by_source, (skey & ~UINT64CONST(0xffffffff)) |
							(*id & 0xffffffff));
		pg_atomic_write_u64(by_bytes, (xkey & ~UINT64CONST(0xffffffff)) |
							(*id & 0xffffffff));
	}
	return false;
}

/* Copy event id out of the ring into buf; false if it is not valid now. */
static bool
pd_ring_read_one(PdRing *ring, uint64 id, PdEvent *buf)
{
	pg_atomic_uint64 *seq = pd_slot_seq(ring, id);
	PdEvent    *ev = pd_slot_event(ring, id);
	uint64		before;
	uint64		repeat;
	uint32		sum;
	bool		ok;

	before = pg_atomic_read_u64(seq);
	if (before != id * 2)
		return false;			/* empty, mid-write or overwritten */
	pg_read_barrier();

	memcpy(buf, ev, offsetof(PdEvent, raw));
	if (buf->raw_len > ring->capture_bytes)
		return false;			/* torn */
	memcpy(buf->raw, ev->raw, buf->raw_len);

	pg_read_barrier();
	if (pg_atomic_read_u64(seq) != before)
		return false;

	/* Two writers that wrapped onto one slot can interleave: verify. */
	if (buf->event_id != id)
		return false;
	sum = buf->checksum;
	buf->checksum = 0;
	ok = pd_event_checksum(buf) == sum;
	buf->checksum = sum;
	if (!ok)
		return false;

	/* the repeats, if the word is still this event's */
	repeat = pg_atomic_read_u64(&pd_slot(ring, id)->repeat);
	buf->last_seen = buf->seen_at;
	if ((repeat & PD_REPEAT_TAG_MASK) == pd_repeat_tag(ring, id))
	{
		buf->repeats = PD_REPEAT_COUNT(repeat);
		if (buf->repeats > 0)
			buf->last_seen += PD_REPEAT_DELTA(repeat) * USECS_PER_SEC;
	}
	return true;
}

PdSlotState
pd_ring_get(PdRing *ring, uint64 id, PdEvent *buf)
{
	uint64		next = pg_atomic_read_u64(&ring->next_id);
	uint64		seq;

	if (id == 0 || id < pg_atomic_read_u64(&ring->reset_id) ||
		(id < next && next - id > ring->nslots))
		return PD_SLOT_GONE;
	if (id >= next)
		return PD_SLOT_PENDING;	/* not even claimed */
	if (pd_ring_read_one(ring, id, buf))
		return PD_SLOT_PUBLISHED;
	seq = pg_atomic_read_u64(pd_slot_seq(ring, id));
	/* claimed and not yet (or only just) published: ask again later */
	if (seq < id * 2 || seq == id * 2 + 1)
		return PD_SLOT_PENDING;
	return PD_SLOT_GONE;		/* overwritten, or torn by two writers */
}

uint64
pd_ring_next_id(PdRing *ring)
{
	return pg_atomic_read_u64(&ring->next_id);
}

static void
pd_ring_visit(PdRing *ring, PdEvent *buf, PdRingVisitor fn, void *arg)
{
	uint64		next = pg_atomic_read_u64(&ring->next_id);
	uint64		first = pg_atomic_read_u64(&ring->reset_id);
	uint64		id;

	if (next > ring->nslots && next - ring->nslots > first)
		first = next - ring->nslots;

	for (id = first; id < next; id++)
	{
		if (pd_ring_read_one(ring, id, buf))
			fn(buf, arg);
	}
}

/* Readers run in backends (and the postmaster at shutdown): palloc is fine. */
void
pd_ring_scan(PdRing *ring, PdRingVisitor fn, void *arg)
{
	PdEvent    *buf = palloc(PD_EVENT_SIZE(ring->capture_bytes));

	pd_ring_visit(ring, buf, fn, arg);
	pfree(buf);
}

void
pd_ring_stats(PdRing *ring, PdRingStats *stats)
{
	uint64		first = pg_atomic_read_u64(&ring->reset_id);
	uint64		next = pg_atomic_read_u64(&ring->next_id);

	stats->events_total = next > first ? next - first : 0;
	stats->events_overwritten = stats->events_total > ring->nslots ?
		stats->events_total - ring->nslots : 0;
	stats->since = (TimestampTz) pg_atomic_read_u64(&ring->since);
}

void
pd_ring_reset(PdRing *ring, TimestampTz now)
{
	pg_atomic_write_u64(&ring->since, (uint64) now);
	pg_atomic_write_u64(&ring->reset_id, pg_atomic_read_u64(&ring->next_id));
}

void
pd_ring_restore(PdRing *ring, PdEvent *ev)
{
	PdSlotHeader *slot = pd_slot(ring, ev->event_id);
	int64		delta = ev->repeats > 0 && ev->last_seen > ev->seen_at ?
		(ev->last_seen - ev->seen_at) / USECS_PER_SEC : 0;

	pg_atomic_write_u64(&slot->repeat,
						pd_repeat_word(ring, ev->event_id,
									   Min(ev->repeats, PD_REPEAT_MAX),
									   Min(delta, PD_REPEAT_MAX)));
	ev->repeats = 0;
	ev->last_seen = 0;
	pd_event_seal(ev);
	memcpy(pd_slot_event(ring, ev->event_id), ev, PD_EVENT_SIZE(ev->raw_len));
	/* counted before it was saved */
	pg_atomic_write_u64(&slot->counted, (ev->event_id << 24) |
						Min(ev->repeats + 1, PD_REPEAT_MAX));
	pg_atomic_write_u64(&slot->seq, ev->event_id * 2);
}

void
pd_ring_restore_counters(PdRing *ring, uint64 next_id, uint64 reset_id,
						 TimestampTz since)
{
	pg_atomic_write_u64(&ring->next_id, next_id);
	pg_atomic_write_u64(&ring->reset_id, reset_id);
	pg_atomic_write_u64(&ring->since, (uint64) since);
}
