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

#include "pd_ring.h"
#include "storage/shmem.h"

/* Each slot is a sequence word and a repeat word, then the event. */
typedef struct PdSlotHeader
{
	pg_atomic_uint64 seq;
	pg_atomic_uint64 repeat;
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
	}
}

/*
 * A checksum of the event with its checksum field zero, one 64-bit word at a
 * time.  Not hash_bytes(): this runs in a freshly forked child, and code of
 * our own sits on text pages the hook has already faulted in.
 */
static uint32
pd_event_checksum(const PdEvent *ev)
{
	const unsigned char *p = (const unsigned char *) ev;
	size_t		len = PD_EVENT_SIZE(ev->raw_len);
	uint64		h = UINT64CONST(0xcbf29ce484222325) ^ len;
	uint64		w;

	for (; len >= sizeof(w); len -= sizeof(w), p += sizeof(w))
	{
		memcpy(&w, p, sizeof(w));
		h = (h ^ w) * UINT64CONST(0x100000001b3);
		h ^= h >> 29;
	}
	w = 0;
	memcpy(&w, p, len);
	h = (h ^ w) * UINT64CONST(0x100000001b3);
	h ^= h >> 32;
	return (uint32) h;
}

/* The checksum of the fixed part and the first PD_RAW_HEAD payload bytes. */
static uint32
pd_head_checksum(const PdEvent *ev)
{
	union
	{
		PdEvent		ev;
		char		bytes[PD_HEAD_SIZE];
	}			head;
	uint16		n = Min(ev->raw_len, PD_RAW_HEAD);

	memcpy(&head, ev, PD_EVENT_SIZE(n));
	head.ev.raw_len = n;		/* only what is covered */
	head.ev.checksum = 0;
	head.ev.head_checksum = 0;
	return pd_event_checksum(&head.ev) ^ ev->raw_len;
}

/* Both checksums, the head's first: the whole one covers it. */
static void
pd_event_seal(PdEvent *ev)
{
	ev->checksum = 0;
	ev->head_checksum = 0;
	ev->head_checksum = pd_head_checksum(ev);
	ev->checksum = pd_event_checksum(ev);
}

/*
 * What makes two occurrences the same pattern: the source address, the
 * kind, the version word, what the classifier said, the names and the
 * transport; not the payload (a directory brute-forcer's thousands of
 * paths are one pattern) nor the detail.  Seeded, so that no client can
 * choose a hash that evicts another source's entry.
 */
static uint64
pd_event_key(const PdRing *ring, const PdEvent *ev)
{
	uint64		h = ring->seed ^ UINT64CONST(0xcbf29ce484222325);
	const unsigned char *parts[] = {
		(const unsigned char *) ev->protocol, (const unsigned char *) ev->tool,
		(const unsigned char *) ev->user_name,
		(const unsigned char *) ev->database_name,
	};
	uint64		fixed[4];
	size_t		i;

	memcpy(&fixed[0], ev->addr, 8);
	memcpy(&fixed[1], ev->addr + 8, 8);
	fixed[2] = ((uint64) ev->addr_family << 40) | ((uint64) ev->kind << 32) |
		((uint64) ev->has_proto << 49) | ((uint64) ev->ssl << 50) | ev->proto;
	fixed[3] = 0;
	for (i = 0; i < lengthof(fixed); i++)
	{
		h = (h ^ fixed[i]) * UINT64CONST(0x100000001b3);
		h ^= h >> 29;
	}
	for (i = 0; i < lengthof(parts); i++)
	{
		const unsigned char *p = parts[i];

		/* each string is NUL-terminated within its field */
		for (; *p; p++)
			h = (h ^ *p) * UINT64CONST(0x100000001b3);
		h = (h ^ 0xff) * UINT64CONST(0x100000001b3);
	}
	return h ^ (h >> 32);
}

/*
 * Are the key fields of a and b equal?  a may be a slot being overwritten
 * (the caller checks its sequence after): nothing is read past a field.
 */
static bool
pd_same_key(const PdEvent *a, const PdEvent *b)
{
	return a->addr_family == b->addr_family && a->kind == b->kind &&
		a->has_proto == b->has_proto && a->ssl == b->ssl &&
		a->proto == b->proto &&
		memcmp(a->addr, b->addr, sizeof(a->addr)) == 0 &&
		strncmp(a->protocol, b->protocol, sizeof(a->protocol)) == 0 &&
		strncmp(a->tool, b->tool, sizeof(a->tool)) == 0 &&
		strncmp(a->user_name, b->user_name, sizeof(a->user_name)) == 0 &&
		strncmp(a->database_name, b->database_name, sizeof(a->database_name)) == 0;
}

/*
 * Fold ev into event id if that is still published, young, of the same
 * key, and its first occurrence is within window seconds of ev's.  The
 * key fields are compared, not only the hash: a fold is never wrong.
 */
static bool
pd_ring_fold(PdRing *ring, uint64 id, const PdEvent *ev, int window)
{
	PdSlotHeader *slot = pd_slot(ring, id);
	const PdEvent *old = pd_slot_event(ring, id);
	uint64		next = pg_atomic_read_u64(&ring->next_id);
	TimestampTz first;
	bool		same;
	int			tries;

	/* only into the newer half: an event about to be overwritten would take
	 * the occurrence with it */
	if (id == 0 || id >= next || next - id > ring->nslots / 2 ||
		id < pg_atomic_read_u64(&ring->reset_id) ||
		pg_atomic_read_u64(&slot->seq) != id * 2)
		return false;
	pg_read_barrier();
	first = old->seen_at;
	same = old->event_id == id && pd_same_key(old, ev);
	pg_read_barrier();
	if (!same || pg_atomic_read_u64(&slot->seq) != id * 2)
		return false;

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

bool
pd_ring_record(PdRing *ring, PdEvent *ev, int window, uint64 *id)
{
	uint64		key = pd_event_key(ring, ev);
	pg_atomic_uint64 *recent = &ring->recent[key & (PD_RECENT_KEYS - 1)];
	uint64		entry = pg_atomic_read_u64(recent);
	uint64		next = pg_atomic_read_u64(&ring->next_id);
	PdSlotHeader *slot;

	ev->last_seen = 0;
	ev->repeats = 0;
	if (ev->raw_len > ring->capture_bytes)
		ev->raw_len = ring->capture_bytes;

	if (window > 0 && entry != 0 && (entry >> 32) == (key >> 32))
	{
		/* the entry keeps 32 bits of the id: the latest id with them */
		uint64		cand = (next & ~UINT64CONST(0xffffffff)) | (entry & 0xffffffff);

		if (cand >= next && cand > UINT64CONST(0xffffffff))
			cand -= UINT64CONST(0x100000000);
		if (pd_ring_fold(ring, cand, ev, window))
		{
			*id = ev->event_id = cand;
			return true;
		}
	}

	*id = pg_atomic_fetch_add_u64(&ring->next_id, 1);
	slot = pd_slot(ring, *id);
	pg_atomic_write_u64(&slot->seq, *id * 2 + 1);
	pg_write_barrier();
	pg_atomic_write_u64(&slot->repeat, pd_repeat_word(ring, *id, 0, 0));

	ev->event_id = *id;
	pd_event_seal(ev);
	memcpy(pd_slot_event(ring, *id), ev, PD_EVENT_SIZE(ev->raw_len));
	pg_write_barrier();
	pg_atomic_write_u64(&slot->seq, *id * 2);

	pg_atomic_write_u64(recent, (key & ~UINT64CONST(0xffffffff)) |
						(*id & 0xffffffff));
	return false;
}

/*
 * Copy event id out of the ring into buf, whole or (head_only) its fixed
 * part and PD_RAW_HEAD bytes of payload; false if it is not valid now.
 */
static bool
pd_ring_read_one(PdRing *ring, uint64 id, PdEvent *buf, bool head_only)
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
	memcpy(buf->raw, ev->raw, head_only ? Min(buf->raw_len, PD_RAW_HEAD) : buf->raw_len);

	pg_read_barrier();
	if (pg_atomic_read_u64(seq) != before)
		return false;

	/* Two writers that wrapped onto one slot can interleave: verify. */
	if (buf->event_id != id)
		return false;
	if (head_only)
		ok = pd_head_checksum(buf) == buf->head_checksum;
	else
	{
		sum = buf->checksum;
		buf->checksum = 0;
		ok = pd_event_checksum(buf) == sum;
		buf->checksum = sum;
	}
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

bool
pd_ring_get_head(PdRing *ring, uint64 id, PdEvent *buf)
{
	uint64		next = pg_atomic_read_u64(&ring->next_id);

	if (id == 0 || id >= next || next - id > ring->nslots ||
		id < pg_atomic_read_u64(&ring->reset_id))
		return false;
	return pd_ring_read_one(ring, id, buf, true);
}

uint64
pd_ring_next_id(PdRing *ring)
{
	return pg_atomic_read_u64(&ring->next_id);
}

static void
pd_ring_visit(PdRing *ring, PdEvent *buf, PdRingVisitor fn, void *arg,
			  bool head_only)
{
	uint64		next = pg_atomic_read_u64(&ring->next_id);
	uint64		first = pg_atomic_read_u64(&ring->reset_id);
	uint64		id;

	if (next > ring->nslots && next - ring->nslots > first)
		first = next - ring->nslots;

	for (id = first; id < next; id++)
	{
		if (pd_ring_read_one(ring, id, buf, head_only))
			fn(buf, arg);
	}
}

/* Readers run in backends (and the postmaster at shutdown): palloc is fine. */
void
pd_ring_scan(PdRing *ring, PdRingVisitor fn, void *arg)
{
	PdEvent    *buf = palloc(PD_EVENT_SIZE(ring->capture_bytes));

	pd_ring_visit(ring, buf, fn, arg, false);
	pfree(buf);
}

void
pd_ring_scan_heads(PdRing *ring, PdRingVisitor fn, void *arg)
{
	PdEvent    *buf = palloc(PD_HEAD_SIZE);

	pd_ring_visit(ring, buf, fn, arg, true);
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
