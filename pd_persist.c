/*-------------------------------------------------------------------------
 *
 * pd_persist.c
 *	  Keep the ring across a clean restart (probe_detect.save).
 *
 * pg_stat_statements' pattern: at a clean shutdown the postmaster writes
 * the ring to PGDATA/pg_stat/probe_detect.stat.tmp and renames it into
 * place; at start it reads the file back and removes it, so nothing stale
 * survives a later crash.  Nothing is written after a crash (a non-zero
 * exit code).  A missing, damaged or incompatible file is ignored with a
 * LOG line, never a failed start; a failed write is a LOG line and a clean
 * shutdown.
 *
 * With the events go the network tallies (pd_tally.c), the refusal table
 * (pd_refuse.c) and the cumulative counters (pd_counters.c), so refusals,
 * pardons and counts outlast a restart too.  The file is a header, the
 * tallies, the refusals, the counters, the events, and a trailer with the
 * number of events and a CRC-32C of everything before it: a file cut short,
 * damaged or with implausible values is recognised and ignored whole.
 *
 * Both run in the postmaster while no other process touches the ring.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "miscadmin.h"
#include "pd_classes.h"
#include "pd_persist.h"
#include "pd_refuse.h"
#include "pgstat.h"
#include "port/pg_crc32c.h"
#include "storage/fd.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#define PD_FILE		PGSTAT_STAT_PERMANENT_DIRECTORY "/probe_detect.stat"
#define PD_MAGIC	0x50444554	/* "PDET" */
#define PD_FORMAT	5			/* 2: tallies, refusals and a CRC; 3: and the
								 * counters (a format-2 file has none); 4:
								 * events with their repeats (1.2); 5: events
								 * with facts, not verdicts */

static bool pd_save = true;

/*
 * An event as formats 2-4 stored it: with the classifier's verdict of the
 * day, and neither start-up options nor facts.  Read back, its verdict is
 * dropped and the classifier asked again, as for any event; what only the
 * recording process knew (a login's method, a ClientHello OpenSSL consumed)
 * is kept from its detail.
 */
typedef struct PdEventV4
{
	uint64		event_id;
	TimestampTz seen_at;
	uint32		checksum;
	uint32		head_checksum;
	int32		pid;
	int32		raw_offset;
	int32		waited_ms;
	uint32		proto;
	uint16		raw_len;
	uint16		client_port;
	uint8		kind;
	uint8		addr_family;
	bool		has_proto;
	bool		ssl;
	uint8		addr[16];
	char		user_name[PD_NAME_MAX];
	char		database_name[PD_NAME_MAX];
	char		message[PD_MESSAGE_MAX];
	char		protocol[24];
	char		tool[80];
	char		detail[256];
	TimestampTz last_seen;		/* format 4 only, as are the next */
	uint32		repeats;
} PdEventV4;

/* formats 2 and 3 end the fixed part before the repeats */
#define PD_EVENT_HEADER_V1	offsetof(PdEventV4, last_seen)
#define PD_EVENT_HEADER_V4	(offsetof(PdEventV4, repeats) + sizeof(uint32))
StaticAssertDecl(offsetof(PdEventV4, last_seen) == 808 && PD_EVENT_HEADER_V4 == 820,
				 "the fixed part of formats 2 and 3 is 808 bytes, of format 4 820");

static PdTally *pd_persist_tally = NULL;
static PdCounters *pd_persist_counters = NULL;

typedef struct PdFileHeader
{
	uint32		magic;
	uint32		format;
	uint32		pg_major;		/* PG_VERSION_NUM / 100 */
	uint32		event_header;	/* offsetof(PdEvent, raw): the layout */
	uint64		next_id;
	uint64		reset_id;
	int64		since;
	uint64		tally_seed;		/* the tallies' keys depend on it ... */
	uint32		tally_bits;		/* ... and on the prefixes (v4 << 8 | v6) */
	uint32		ntallies;		/* PdTallySaved that follow */
	uint32		nrefusals;		/* then PdRefusal */
	uint32		ncounters;		/* then PdCounterSaved (format 2: 0) */
} PdFileHeader;

typedef struct PdFileTrailer
{
	uint64		count;			/* events */
	pg_crc32c	crc;			/* of everything before the trailer */
	uint32		pad;
} PdFileTrailer;

typedef struct PdDump
{
	FILE	   *file;
	pg_crc32c	crc;
	uint64		count;
	bool		failed;
	int			saved_errno;	/* of the first failed write */
} PdDump;

static void
pd_write(PdDump *d, const void *p, size_t n)
{
	if (d->failed || n == 0)
		return;
	if (fwrite(p, n, 1, d->file) != 1)
	{
		d->failed = true;
		d->saved_errno = errno;
	}
	else
		COMP_CRC32C(d->crc, p, n);
}

static void
pd_dump_one(const PdEvent *ev, void *arg)
{
	PdDump	   *d = (PdDump *) arg;

	pd_write(d, ev, PD_EVENT_SIZE(ev->raw_len));
	d->count++;
}

void
pd_persist_define_settings(void)
{
	DefineCustomBoolVariable("probe_detect.save",
							 "Keeps recorded events across clean server restarts.",
							 NULL,
							 &pd_save,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
}

void
pd_persist_shutdown(int code, Datum arg)
{
	PdRing	   *ring = (PdRing *) DatumGetPointer(arg);
	PdTally    *tally = pd_persist_tally;
	PdFileHeader h;
	PdFileTrailer t;
	PdDump		d;
	PdRefusal  *refusals;
	PdCounterSaved *counters;
	uint32		i;

	/* after a crash the ring may be inconsistent: save nothing */
	if (code != 0 || ring == NULL || tally == NULL || pd_persist_counters == NULL ||
		!pd_save)
		return;

	memset(&d, 0, sizeof(d));
	INIT_CRC32C(d.crc);
	d.file = AllocateFile(PD_FILE ".tmp", PG_BINARY_W);
	if (d.file == NULL)
		goto error;

	refusals = palloc(sizeof(PdRefusal) * PD_REFUSED_MAX);
	memset(&h, 0, sizeof(h));
	h.magic = PD_MAGIC;
	h.format = PD_FORMAT;
	h.pg_major = PG_VERSION_NUM / 100;
	h.event_header = offsetof(PdEvent, raw);
	h.next_id = pd_ring_next_id(ring);
	h.reset_id = pg_atomic_read_u64(&ring->reset_id);
	h.since = (int64) pg_atomic_read_u64(&ring->since);
	h.tally_seed = tally->seed;
	h.tally_bits = (uint32) tally->v4_bits << 8 | tally->v6_bits;
	for (i = 0; i < PD_TALLY_SLOTS; i++)
	{
		PdTallySaved ts;

		if (pd_tally_export(tally, i, &ts))
			h.ntallies++;
	}
	h.nrefusals = (uint32) pd_refuse_export(refusals, PD_REFUSED_MAX);
	/* the protocols and tools of events no reader counted yet */
	pd_count_classes(ring, pd_persist_counters);
	counters = palloc(sizeof(PdCounterSaved) * PD_COUNTERS_SAVED_MAX);
	h.ncounters = (uint32) pd_counters_export(pd_persist_counters, counters,
											  PD_COUNTERS_SAVED_MAX);
	pd_write(&d, &h, sizeof(h));
	for (i = 0; i < PD_TALLY_SLOTS; i++)
	{
		PdTallySaved ts;

		if (pd_tally_export(tally, i, &ts))
			pd_write(&d, &ts, sizeof(ts));
	}
	pd_write(&d, refusals, sizeof(PdRefusal) * h.nrefusals);
	pd_write(&d, counters, sizeof(PdCounterSaved) * h.ncounters);

	pd_ring_scan(ring, pd_dump_one, &d);

	memset(&t, 0, sizeof(t));
	t.count = d.count;
	FIN_CRC32C(d.crc);
	t.crc = d.crc;
	if (d.failed)
	{
		errno = d.saved_errno;
		goto error;
	}
	if (fwrite(&t, sizeof(t), 1, d.file) != 1)
		goto error;
	if (FreeFile(d.file))
	{
		d.file = NULL;
		goto error;
	}
	d.file = NULL;
	(void) durable_rename(PD_FILE ".tmp", PD_FILE, LOG);
	return;

error:
	ereport(LOG,
			(errcode_for_file_access(),
			 errmsg("could not write file \"%s\": %m", PD_FILE ".tmp"),
			 errdetail("The events recorded by probe_detect were not saved.")));
	if (d.file)
		FreeFile(d.file);
	unlink(PD_FILE ".tmp");
}

/* Read n bytes into p and into the CRC; false at the end of the file. */
static bool
pd_read(FILE *file, void *p, size_t n, pg_crc32c *crc)
{
	if (n > 0 && fread(p, n, 1, file) != 1)
		return false;
	COMP_CRC32C(*crc, p, n);
	return true;
}

/* The events' fixed part as a file of that format has it. */
static uint32
pd_event_header(uint32 format)
{
	if (format >= 5)
		return offsetof(PdEvent, raw);
	return format == 4 ? PD_EVENT_HEADER_V4 : PD_EVENT_HEADER_V1;
}

/* An event of formats 2-4 as this version keeps it. */
static void
pd_event_from_v4(const PdEventV4 *old, PdEvent *ev)
{
	memset(ev, 0, offsetof(PdEvent, raw));
	ev->event_id = old->event_id;
	ev->seen_at = old->seen_at;
	ev->pid = old->pid;
	ev->raw_offset = old->raw_offset;
	ev->waited_ms = old->waited_ms;
	ev->proto = old->proto;
	ev->raw_len = old->raw_len;
	ev->client_port = old->client_port;
	ev->kind = old->kind;
	ev->addr_family = old->addr_family;
	ev->has_proto = old->has_proto;
	ev->ssl = old->ssl;
	memcpy(ev->addr, old->addr, sizeof(ev->addr));
	strlcpy(ev->user_name, old->user_name, sizeof(ev->user_name));
	strlcpy(ev->database_name, old->database_name, sizeof(ev->database_name));
	strlcpy(ev->message, old->message, sizeof(ev->message));
	ev->last_seen = old->last_seen;
	ev->repeats = old->repeats;

	/*
	 * A login's detail was all facts; a probe's keeps only what described a
	 * ClientHello (the classifier says the rest again from raw, and uses
	 * this only if raw does not hold the whole hello).
	 */
	if (pd_kind_is_auth(old->kind))
		strlcpy(ev->facts, old->detail, sizeof(ev->facts));
	else
	{
		const char *p = strstr(old->detail, " ja4=");

		if (p == NULL)
			p = strstr(old->detail, " sni=");
		if (p != NULL)
			strlcpy(ev->facts, p + 1, sizeof(ev->facts));
	}
}

/*
 * Values no file we wrote can hold: a damaged header that its CRC did not
 * catch must not leave the views empty until a reset.
 */
static bool
pd_header_plausible(const PdFileHeader *h)
{
	TimestampTz now = GetCurrentTimestamp();

	return h->magic == PD_MAGIC && h->format >= 2 && h->format <= PD_FORMAT &&
		h->pg_major == PG_VERSION_NUM / 100 &&
		h->event_header == pd_event_header(h->format) &&
		h->next_id >= 1 && h->next_id < (UINT64CONST(1) << 48) &&
		h->reset_id >= 1 && h->reset_id <= h->next_id &&
		h->since > 0 && h->since <= now + USECS_PER_DAY &&
		h->ntallies <= PD_TALLY_SLOTS && h->nrefusals <= PD_REFUSED_MAX &&
		h->ncounters <= PD_COUNTERS_SAVED_MAX &&
		(h->format >= 3 || h->ncounters == 0) &&
		(h->tally_bits >> 8) >= 8 && (h->tally_bits >> 8) <= 32 &&
		(h->tally_bits & 0xff) >= 16 && (h->tally_bits & 0xff) <= 128;
}

static void
pd_ignore(const char *why)
{
	ereport(LOG,
			(errmsg("ignoring file \"%s\": %s", PD_FILE, why),
			 errdetail("probe_detect starts with no events.")));
}

void
pd_persist_load(PdRing *ring, PdTally *tally, PdCounters *counters)
{
	FILE	   *file;
	struct stat st;
	PdFileHeader h;
	PdFileTrailer t;
	PdTallySaved *tallies = NULL;
	PdRefusal  *refusals = NULL;
	PdCounterSaved *saved = NULL;
	PdEvent    *ev = NULL;
	pg_crc32c	crc;
	uint64		i;
	uint64		max_id = 0;
	uint64		loaded = 0;

	pd_persist_tally = tally;
	pd_persist_counters = counters;
	file = AllocateFile(PD_FILE, PG_BINARY_R);
	if (file == NULL)
	{
		if (errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", PD_FILE)));
		return;
	}

	/* the trailer first: how many events, and the CRC to expect */
	if (fstat(fileno(file), &st) != 0 ||
		st.st_size < (off_t) (sizeof(h) + sizeof(t)) ||
		fseeko(file, st.st_size - (off_t) sizeof(t), SEEK_SET) != 0 ||
		fread(&t, sizeof(t), 1, file) != 1 || fseeko(file, 0, SEEK_SET) != 0)
	{
		pd_ignore("it is cut short or cannot be read");
		goto done;
	}

	INIT_CRC32C(crc);
	if (!pd_read(file, &h, sizeof(h), &crc))
	{
		pd_ignore("it is cut short");
		goto done;
	}
	if (h.magic != PD_MAGIC || h.format < 2 || h.format > PD_FORMAT ||
		h.pg_major != PG_VERSION_NUM / 100 ||
		h.event_header != pd_event_header(h.format))
	{
		pd_ignore("not a probe_detect file of this version");
		goto done;
	}
	if (!pd_header_plausible(&h) || t.count >= h.next_id)
	{
		pd_ignore("its header is implausible");
		goto done;
	}

	tallies = palloc(sizeof(PdTallySaved) * Max(h.ntallies, 1));
	refusals = palloc(sizeof(PdRefusal) * Max(h.nrefusals, 1));
	saved = palloc(sizeof(PdCounterSaved) * Max(h.ncounters, 1));
	if (!pd_read(file, tallies, sizeof(PdTallySaved) * h.ntallies, &crc) ||
		!pd_read(file, refusals, sizeof(PdRefusal) * h.nrefusals, &crc) ||
		!pd_read(file, saved, sizeof(PdCounterSaved) * h.ncounters, &crc))
	{
		pd_ignore("it is cut short");
		goto done;
	}

	/* events go into the ring as they are read; a bad CRC empties it again */
	ev = palloc(PD_EVENT_SIZE(PD_CAPTURE_MAX));
	for (i = 0; i < t.count; i++)
	{
		if (h.format >= 5)
		{
			if (!pd_read(file, ev, h.event_header, &crc))
				break;
		}
		else
		{
			PdEventV4	old;

			memset(&old, 0, sizeof(old));
			if (!pd_read(file, &old, h.event_header, &crc))
				break;
			/* strings must be terminated whatever the file says */
			old.user_name[sizeof(old.user_name) - 1] = '\0';
			old.database_name[sizeof(old.database_name) - 1] = '\0';
			old.message[sizeof(old.message) - 1] = '\0';
			old.detail[sizeof(old.detail) - 1] = '\0';
			pd_event_from_v4(&old, ev);
		}
		if (ev->raw_len > PD_CAPTURE_MAX || ev->kind == 0 || ev->kind >= PD_KIND_MAX ||
			ev->event_id < h.reset_id || ev->event_id >= h.next_id ||
			ev->params_len > sizeof(ev->params) ||
			!pd_read(file, ev->raw, ev->raw_len, &crc))
			break;
		/* strings must be terminated whatever the file says */
		ev->user_name[PD_NAME_MAX - 1] = '\0';
		ev->database_name[PD_NAME_MAX - 1] = '\0';
		ev->message[PD_MESSAGE_MAX - 1] = '\0';
		ev->facts[PD_FACTS_MAX - 1] = '\0';
		/* capture_bytes may have shrunk since */
		ev->raw_len = Min(ev->raw_len, ring->capture_bytes);
		pd_ring_restore(ring, ev);
		max_id = Max(max_id, ev->event_id);
		loaded++;
	}
	FIN_CRC32C(crc);
	if (loaded != t.count || !EQ_CRC32C(crc, t.crc) ||
		ftello(file) != st.st_size - (off_t) sizeof(t))
	{
		pd_ring_reset(ring, GetCurrentTimestamp());
		pd_ignore("it is damaged (its checksum does not match)");
		goto done;
	}

	/*
	 * The tallies are keyed on the networks' hashes: they carry over with
	 * their seed, and only while the prefixes are the same.
	 */
	if (h.tally_bits == ((uint32) tally->v4_bits << 8 | tally->v6_bits))
	{
		tally->seed = h.tally_seed;
		for (i = 0; i < h.ntallies; i++)
			pd_tally_import(tally, &tallies[i]);
	}
	else
		h.ntallies = 0;
	for (i = 0; i < h.nrefusals; i++)
		refusals[i].net.bits = Min(refusals[i].net.bits,
								   refusals[i].net.family == AF_INET ? 32 : 128);
	pd_refuse_import(refusals, (int) h.nrefusals);
	pd_counters_import(counters, saved, (int) h.ncounters);
	pd_ring_restore_counters(ring, Max(h.next_id, max_id + 1),
							 Min(h.reset_id, Max(h.next_id, max_id + 1)),
							 (TimestampTz) h.since);
	/* the counters were brought up to date before they were saved */
	pg_atomic_write_u64(&counters->classified_upto, pd_ring_next_id(ring));
	ereport(LOG,
			(errmsg("probe_detect restored %llu events, %u network tallies, %u refusals and %u counters from \"%s\"",
					(unsigned long long) loaded, h.ntallies, h.nrefusals,
					h.ncounters, PD_FILE)));

done:
	if (ev)
		pfree(ev);
	if (tallies)
		pfree(tallies);
	if (refusals)
		pfree(refusals);
	if (saved)
		pfree(saved);
	FreeFile(file);
	unlink(PD_FILE);
}
