/*-------------------------------------------------------------------------
 *
 * pd_tally.c
 *	  Per-network counts of hostile attempts (see pd_tally.h).
 *
 * A fixed table of PD_TALLY_SLOTS slots, each claimed by one network (an
 * address masked to probe_detect.refuse_ipv4_prefix / _ipv6_prefix) through
 * a compare-and-swap of its key, a seeded hash of the network.  A network
 * may use any of PD_TALLY_PROBES slots from its hash on; when all of them are
 * taken, the one whose last activity is oldest is reclaimed if nothing in it
 * is recent enough to count, and otherwise the event is not tallied.
 *
 * Counts are kept in PD_TALLY_BUCKETS time buckets per window, each one
 * 64-bit word updated with compare-and-swap: [width 6 | epoch 34 | count 24],
 * where width is the bucket's length as log2 of seconds and epoch its start
 * in those units.  A bucket counts when it starts within the window, so an
 * event counts for between the window less one bucket and the whole window.
 * Widths follow the windows (a reload may change them): buckets of another
 * width are read by their own start time.
 *
 * Attempts, not events.  libpq falls back from one transport to another
 * within moments (sslmode=prefer: TLS, then plaintext; allow: the other way
 * round; gssencmode=prefer: GSS first), after a pg_hba.conf rejection, a
 * failed certificate check, a failed TLS handshake or a failed password, and
 * it tries each transport at most once per attempt.  So these failures form
 * a chain, one word [second 32 | transports 3 | failed login | present]:
 * a failure within PD_RETRY_SECONDS over a transport the chain has not
 * tried yet is the same attempt; a successful login that way ends the chain
 * uncounted; anything else commits the chain as one attempt.  An
 * unconfirmed chain counts as one attempt, except for a connection that may
 * still be its fallback (a transport it has not tried, within
 * PD_RETRY_SECONDS).  Start-up rejections (probes) count as they come.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include "common/hashfn.h"
#include "pd_kind.h"
#include "pd_tally.h"

#define BUCKET_COUNT_BITS	24
#define BUCKET_EPOCH_BITS	34
#define BUCKET_COUNT_MAX	((UINT64CONST(1) << BUCKET_COUNT_BITS) - 1)
#define BUCKET_EPOCH_MASK	((UINT64CONST(1) << BUCKET_EPOCH_BITS) - 1)

#define CHAIN_PRESENT	UINT64CONST(1)
#define CHAIN_FAILED	UINT64CONST(2)	/* a failed login is part of it */
#define CHAIN_TRIED(tr)	(UINT64CONST(8) << (tr))	/* transports it failed on */

typedef struct PdBucket
{
	uint32		shift;
	uint64		epoch;
	uint64		count;
} PdBucket;

static inline uint64
bucket_pack(uint32 shift, uint64 epoch, uint64 count)
{
	return ((uint64) shift << (BUCKET_EPOCH_BITS + BUCKET_COUNT_BITS)) |
		((epoch & BUCKET_EPOCH_MASK) << BUCKET_COUNT_BITS) | count;
}

static inline PdBucket
bucket_unpack(uint64 v)
{
	PdBucket	b;

	b.shift = (uint32) (v >> (BUCKET_EPOCH_BITS + BUCKET_COUNT_BITS));
	b.epoch = (v >> BUCKET_COUNT_BITS) & BUCKET_EPOCH_MASK;
	b.count = v & BUCKET_COUNT_MAX;
	return b;
}

/* Seconds since 2000, never negative. */
static inline uint64
pd_seconds(TimestampTz t)
{
	return t > 0 ? (uint64) (t / USECS_PER_SEC) : 0;
}

/* The narrowest power-of-two bucket with which the buckets span window. */
static uint32
pd_shift_for(int window)
{
	uint32		s = 0;

	while (s < 40 && ((int64) 1 << s) * (PD_TALLY_BUCKETS - 1) < window)
		s++;
	return s;
}

/*
 * Add delta to the bucket for second sec.  Returns the bucket word written,
 * or 0 if that bucket has moved on to a later time (the event is too old to
 * matter).
 */
static uint64
bucket_add(pg_atomic_uint64 *buckets, uint32 shift, uint64 sec, int delta)
{
	uint64		epoch = sec >> shift;
	pg_atomic_uint64 *b = &buckets[epoch % PD_TALLY_BUCKETS];
	uint64		old = pg_atomic_read_u64(b);

	for (;;)
	{
		PdBucket	o = bucket_unpack(old);
		uint64		new;

		if (old != 0 && o.shift == shift && o.epoch == epoch)
		{
			int64		c = (int64) o.count + delta;

			new = bucket_pack(shift, epoch, (uint64) Min(Max(c, 0), (int64) BUCKET_COUNT_MAX));
		}
		else if (old != 0 && (o.epoch << o.shift) > (epoch << shift))
			return 0;			/* a later bucket already */
		else if (delta <= 0)
			return 0;
		else
			new = bucket_pack(shift, epoch, (uint64) delta);
		if (pg_atomic_compare_exchange_u64(b, &old, new))
			return new;
	}
}

/* Events in buckets that start within (now - window, now]. */
static int
bucket_sum(pg_atomic_uint64 *buckets, uint64 now, int window)
{
	uint64		from = now > (uint64) window ? now - (uint64) window : 0;
	uint64		n = 0;
	int			i;

	for (i = 0; i < PD_TALLY_BUCKETS; i++)
	{
		uint64		v = pg_atomic_read_u64(&buckets[i]);
		PdBucket	b = bucket_unpack(v);
		uint64		start = b.epoch << b.shift;

		if (v != 0 && start >= from && start <= now)
			n += b.count;
	}
	return (int) Min(n, (uint64) PG_INT32_MAX);
}

/* When the slot last saw anything: the end of its latest bucket or chain. */
static uint64
slot_last_seen(PdTallySlot *s)
{
	uint64		last = pg_atomic_read_u64(&s->chain) >> 32;
	int			i;

	for (i = 0; i < PD_TALLY_BUCKETS; i++)
	{
		PdBucket	h = bucket_unpack(pg_atomic_read_u64(&s->hostile[i]));
		PdBucket	f = bucket_unpack(pg_atomic_read_u64(&s->failed[i]));

		last = Max(last, (h.epoch + 1) << h.shift);
		last = Max(last, (f.epoch + 1) << f.shift);
	}
	return last;
}

static void
slot_clear(PdTallySlot *s)
{
	int			i;

	pg_atomic_write_u64(&s->chain, 0);
	for (i = 0; i < PD_TALLY_BUCKETS; i++)
	{
		pg_atomic_write_u64(&s->hostile[i], 0);
		pg_atomic_write_u64(&s->failed[i], 0);
	}
}

Size
pd_tally_size(void)
{
	return sizeof(PdTally);
}

void
pd_tally_init(PdTally *t, uint64 seed, int v4_bits, int v6_bits)
{
	int			i;

	t->seed = seed;
	t->v4_bits = (uint8) v4_bits;
	t->v6_bits = (uint8) v6_bits;
	for (i = 0; i < PD_TALLY_SLOTS; i++)
	{
		int			j;

		pg_atomic_init_u64(&t->slots[i].key, 0);
		pg_atomic_init_u64(&t->slots[i].chain, 0);
		for (j = 0; j < PD_TALLY_BUCKETS; j++)
		{
			pg_atomic_init_u64(&t->slots[i].hostile[j], 0);
			pg_atomic_init_u64(&t->slots[i].failed[j], 0);
		}
	}
}

void
pd_tally_net(const PdTally *t, uint8 family, const uint8 *addr, PdNet *net)
{
	int			len = family == AF_INET ? 4 : 16;
	int			bits = family == AF_INET ? t->v4_bits : t->v6_bits;
	int			i;

	memset(net, 0, sizeof(*net));
	net->family = family;
	net->bits = (uint8) bits;
	memcpy(net->addr, addr, len);
	for (i = 0; i < len; i++)
	{
		int			keep = bits - i * 8;

		if (keep <= 0)
			net->addr[i] = 0;
		else if (keep < 8)
			net->addr[i] &= (uint8) (0xff << (8 - keep));
	}
}

static uint64
pd_tally_key(const PdTally *t, uint8 family, const uint8 *addr)
{
	PdNet		net;

	pd_tally_net(t, family, addr, &net);
	return hash_bytes_extended((const unsigned char *) &net, sizeof(net), t->seed) | 1;
}

/*
 * The slot of key, or NULL.  With claim, a free slot becomes key's, or else
 * the stalest of its slots if nothing in it can count any more: nothing
 * within span seconds of now.
 */
static PdTallySlot *
pd_tally_slot(PdTally *t, uint64 key, bool claim, uint64 now, uint64 span)
{
	PdTallySlot *stalest = NULL;
	uint64		stalest_seen = PG_UINT64_MAX;
	uint64		stalest_key = 0;
	int			i;

	for (i = 0; i < PD_TALLY_PROBES; i++)
	{
		PdTallySlot *s = &t->slots[((key >> 1) + i) & (PD_TALLY_SLOTS - 1)];
		uint64		k = pg_atomic_read_u64(&s->key);

		if (k == key)
			return s;
		if (k == 0)
		{
			/* slots are never freed, only reclaimed: the key is not further on */
			if (!claim)
				return NULL;
			if (pg_atomic_compare_exchange_u64(&s->key, &k, key) || k == key)
				return s;
		}
		if (claim)
		{
			uint64		seen = slot_last_seen(s);

			if (seen < stalest_seen)
			{
				stalest = s;
				stalest_seen = seen;
				stalest_key = k;
			}
		}
	}
	if (!claim || stalest == NULL || stalest_seen + span > now)
		return NULL;			/* all of them busy: not tallied */
	if (!pg_atomic_compare_exchange_u64(&stalest->key, &stalest_key, key))
		return stalest_key == key ? stalest : NULL;
	slot_clear(stalest);
	return stalest;
}

static void
pd_bucket_event(PdTallySlot *s, uint64 key, pg_atomic_uint64 *buckets,
				uint32 shift, uint64 sec)
{
	uint64		w = bucket_add(buckets, shift, sec, 1);

	/* reclaimed for another network meanwhile: take it back */
	if (w != 0 && pg_atomic_read_u64(&s->key) != key)
		bucket_add(buckets, bucket_unpack(w).shift, sec, -1);
}

/* Count a committed chain as one attempt at its time. */
static void
pd_commit_chain(PdTallySlot *s, uint64 key, uint64 chain, uint32 hshift,
				uint32 fshift)
{
	uint64		sec = chain >> 32;

	pd_bucket_event(s, key, s->hostile, hshift, sec);
	if (chain & CHAIN_FAILED)
		pd_bucket_event(s, key, s->failed, fshift, sec);
}

void
pd_tally_event(PdTally *t, uint8 family, const uint8 *addr, int kind,
			   int transport, TimestampTz at, int hostile_window, int failed_window)
{
	uint64		sec = pd_seconds(at);
	uint32		hshift = pd_shift_for(hostile_window);
	uint32		fshift = pd_shift_for(failed_window);
	uint64		key;
	PdTallySlot *s;
	uint64		old;
	bool		chained;

	switch (kind)
	{
		case PD_KIND_UNSUPPORTED_PROTOCOL:
		case PD_KIND_INVALID_LENGTH:
		case PD_KIND_INCOMPLETE_PACKET:
		case PD_KIND_INVALID_LAYOUT:
		case PD_KIND_MISSING_USER:
		case PD_KIND_UNENCRYPTED_AFTER_REQUEST:
		case PD_KIND_TLS_REJECTED:
			chained = false;
			break;
		case PD_KIND_TLS_FAILURE:
		case PD_KIND_HBA_REJECTED:
		case PD_KIND_CERT_REJECTED:
		case PD_KIND_AUTH_FAILED:
			chained = true;
			break;
		default:
			return;				/* abandoned, unknown role or database, refused */
	}
	if (family != AF_INET && family != AF_INET6)
		return;					/* the Unix socket is nobody's network */

	key = pd_tally_key(t, family, addr);
	s = pd_tally_slot(t, key, true, sec,
					  (uint64) PD_TALLY_BUCKETS << Max(hshift, fshift));
	if (s == NULL)
		return;
	if (!chained)
	{
		pd_bucket_event(s, key, s->hostile, hshift, sec);
		return;
	}

	old = pg_atomic_read_u64(&s->chain);
	for (;;)
	{
		uint64		csec = old >> 32;
		bool		same = (old & CHAIN_PRESENT) && sec >= csec &&
			sec - csec <= PD_RETRY_SECONDS && (old & CHAIN_TRIED(transport)) == 0;
		uint64		new;

		if (same)
			new = old | CHAIN_TRIED(transport) |
				(kind == PD_KIND_AUTH_FAILED ? CHAIN_FAILED : 0);
		else
			new = (sec << 32) | CHAIN_PRESENT | CHAIN_TRIED(transport) |
				(kind == PD_KIND_AUTH_FAILED ? CHAIN_FAILED : 0);
		if (pg_atomic_compare_exchange_u64(&s->chain, &old, new))
		{
			if (!same && (old & CHAIN_PRESENT))
				pd_commit_chain(s, key, old, hshift, fshift);
			/* reclaimed for another network meanwhile: not its chain */
			if (pg_atomic_read_u64(&s->key) != key)
				pg_atomic_compare_exchange_u64(&s->chain, &new, 0);
			return;
		}
	}
}

/* Could a connection over transport at sec be the fallback of chain? */
static bool
pd_chain_open(uint64 chain, int transport, uint64 sec)
{
	return (chain & CHAIN_PRESENT) && sec >= (chain >> 32) &&
		sec - (chain >> 32) <= PD_RETRY_SECONDS &&
		(chain & CHAIN_TRIED(transport)) == 0;
}

void
pd_tally_success(PdTally *t, uint8 family, const uint8 *addr, int transport,
				 TimestampTz at)
{
	uint64		sec = pd_seconds(at);
	PdTallySlot *s;
	uint64		old;

	if (family != AF_INET && family != AF_INET6)
		return;
	s = pd_tally_slot(t, pd_tally_key(t, family, addr), false, sec, 0);
	if (s == NULL)
		return;
	old = pg_atomic_read_u64(&s->chain);
	while (pd_chain_open(old, transport, sec))
	{
		/* libpq's fallback got in: the chain was no attempt of a guesser */
		if (pg_atomic_compare_exchange_u64(&s->chain, &old, 0))
			return;
	}
}

void
pd_tally_count(PdTally *t, uint8 family, const uint8 *addr, int transport,
			   TimestampTz now, int hostile_window, int failed_window,
			   PdTallyCount *out)
{
	uint64		sec = pd_seconds(now);
	PdTallySlot *s;
	uint64		chain;

	out->hostile = 0;
	out->failed = 0;
	if (family != AF_INET && family != AF_INET6)
		return;
	s = pd_tally_slot(t, pd_tally_key(t, family, addr), false, sec, 0);
	if (s == NULL)
		return;
	out->hostile = bucket_sum(s->hostile, sec, hostile_window);
	out->failed = bucket_sum(s->failed, sec, failed_window);

	/* the chain under way: one attempt, unless this may be its fallback */
	chain = pg_atomic_read_u64(&s->chain);
	if ((chain & CHAIN_PRESENT) && !pd_chain_open(chain, transport, sec))
	{
		if ((chain >> 32) + (uint64) hostile_window >= sec)
			out->hostile++;
		if ((chain & CHAIN_FAILED) && (chain >> 32) + (uint64) failed_window >= sec)
			out->failed++;
	}
}

void
pd_tally_reset(PdTally *t)
{
	int			i;

	/*
	 * A writer busy with a slot meanwhile sees its key gone and takes its
	 * count back (pd_bucket_event), or leaves one count behind: harmless.
	 */
	for (i = 0; i < PD_TALLY_SLOTS; i++)
	{
		slot_clear(&t->slots[i]);
		pg_atomic_write_u64(&t->slots[i].key, 0);
	}
}

void
pd_tally_forget(PdTally *t, uint8 family, const uint8 *addr)
{
	PdTallySlot *s;

	if (family != AF_INET && family != AF_INET6)
		return;
	s = pd_tally_slot(t, pd_tally_key(t, family, addr), false, 0, 0);
	if (s != NULL)
		slot_clear(s);
}

bool
pd_tally_export(PdTally *t, uint32 index, PdTallySaved *out)
{
	PdTallySlot *s = &t->slots[index];
	int			i;

	memset(out, 0, sizeof(*out));
	out->index = index;
	out->key = pg_atomic_read_u64(&s->key);
	if (out->key == 0)
		return false;
	out->chain = pg_atomic_read_u64(&s->chain);
	for (i = 0; i < PD_TALLY_BUCKETS; i++)
	{
		out->hostile[i] = pg_atomic_read_u64(&s->hostile[i]);
		out->failed[i] = pg_atomic_read_u64(&s->failed[i]);
	}
	return true;
}

void
pd_tally_import(PdTally *t, const PdTallySaved *in)
{
	PdTallySlot *s = &t->slots[in->index % PD_TALLY_SLOTS];
	int			i;

	pg_atomic_write_u64(&s->key, in->key);
	pg_atomic_write_u64(&s->chain, in->chain);
	for (i = 0; i < PD_TALLY_BUCKETS; i++)
	{
		pg_atomic_write_u64(&s->hostile[i], in->hostile[i]);
		pg_atomic_write_u64(&s->failed[i], in->failed[i]);
	}
}
