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

#include <signal.h>

#include "pd_ring.h"
#include "storage/shmem.h"

/* Each slot is a sequence word followed by the event. */
#define PD_SLOT_HEADER	MAXALIGN(sizeof(pg_atomic_uint64))
#define PD_RING_HEADER	MAXALIGN(offsetof(PdRing, slots))

PdRing	   *pd_ring = NULL;

static const char *const pd_kind_names[PD_KIND_MAX] = {
	[PD_KIND_UNSUPPORTED_PROTOCOL] = "unsupported_protocol",
	[PD_KIND_INVALID_LENGTH] = "invalid_length",
	[PD_KIND_INCOMPLETE_PACKET] = "incomplete_packet",
	[PD_KIND_INVALID_LAYOUT] = "invalid_layout",
	[PD_KIND_MISSING_USER] = "missing_user",
	[PD_KIND_UNENCRYPTED_AFTER_REQUEST] = "unencrypted_after_request",
	[PD_KIND_TLS_FAILURE] = "tls_failure",
	[PD_KIND_AUTH_FAILED] = "auth_failed",
	[PD_KIND_AUTH_ABANDONED] = "auth_abandoned",
	[PD_KIND_HBA_REJECTED] = "hba_rejected",
	[PD_KIND_CERT_REJECTED] = "cert_rejected",
	[PD_KIND_UNKNOWN_ROLE] = "unknown_role",
	[PD_KIND_UNKNOWN_DATABASE] = "unknown_database",
	[PD_KIND_REFUSED] = "refused",
	[PD_KIND_TLS_REJECTED] = "tls_rejected",
	[PD_KIND_TLS_CLIENT_FAILURE] = "tls_client_failure",
};

const char *
pd_kind_name(int kind)
{
	if (kind <= 0 || kind >= PD_KIND_MAX)
		return NULL;
	return pd_kind_names[kind];
}

static inline pg_atomic_uint64 *
pd_slot_seq(PdRing *ring, uint64 id)
{
	char	   *base = (char *) ring + PD_RING_HEADER;

	return (pg_atomic_uint64 *) (base + (id % ring->nslots) * ring->stride);
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
pd_ring_init(PdRing *ring, int nslots, int capture_bytes)
{
	uint32		i;

	pg_atomic_init_u64(&ring->next_id, 1);
	pg_atomic_init_u64(&ring->reset_id, 1);
	pg_atomic_init_u64(&ring->since, 0);
	ring->nslots = nslots;
	ring->capture_bytes = capture_bytes;
	ring->stride = pd_stride(capture_bytes);
	for (i = 0; i < ring->nslots; i++)
		pg_atomic_init_u64(pd_slot_seq(ring, i), 0);
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

PdEvent *
pd_ring_begin(PdRing *ring, PdRingWrite *w)
{
	sigset_t	all;
	pg_atomic_uint64 *seq;

	/*
	 * From the claim to the publish no signal may end us: an id claimed but
	 * never published would be a hole in the count.  This is microseconds.
	 */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &w->old_mask);

	w->id = pg_atomic_fetch_add_u64(&ring->next_id, 1);
	seq = pd_slot_seq(ring, w->id);
	pg_atomic_write_u64(seq, w->id * 2 + 1);
	pg_write_barrier();

	/* padding too: it is checksummed */
	w->ev = pd_slot_event(ring, w->id);
	memset(w->ev, 0, offsetof(PdEvent, raw));
	w->ev->event_id = w->id;
	return w->ev;
}

void
pd_ring_commit(PdRing *ring, PdRingWrite *w)
{
	PdEvent    *ev = w->ev;

	Assert(ev->raw_len <= ring->capture_bytes);
	if (ev->raw_len > ring->capture_bytes)
		ev->raw_len = ring->capture_bytes;
	ev->event_id = w->id;
	pd_event_seal(ev);
	pg_write_barrier();
	pg_atomic_write_u64(pd_slot_seq(ring, w->id), w->id * 2);

	sigprocmask(SIG_SETMASK, &w->old_mask, NULL);
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
	uint32		sum;

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
		return pd_head_checksum(buf) == buf->head_checksum;
	sum = buf->checksum;
	buf->checksum = 0;
	if (pd_event_checksum(buf) != sum)
		return false;
	buf->checksum = sum;
	return true;
}

bool
pd_ring_get(PdRing *ring, uint64 id, PdEvent *buf)
{
	uint64		next = pg_atomic_read_u64(&ring->next_id);

	if (id == 0 || id >= next || next - id > ring->nslots ||
		id < pg_atomic_read_u64(&ring->reset_id))
		return false;
	return pd_ring_read_one(ring, id, buf, false);
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
	pg_atomic_uint64 *seq = pd_slot_seq(ring, ev->event_id);

	pd_event_seal(ev);
	memcpy(pd_slot_event(ring, ev->event_id), ev, PD_EVENT_SIZE(ev->raw_len));
	pg_atomic_write_u64(seq, ev->event_id * 2);
}

void
pd_ring_restore_counters(PdRing *ring, uint64 next_id, uint64 reset_id,
						 TimestampTz since)
{
	pg_atomic_write_u64(&ring->next_id, next_id);
	pg_atomic_write_u64(&ring->reset_id, reset_id);
	pg_atomic_write_u64(&ring->since, (uint64) since);
}
