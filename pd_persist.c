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
 * Both run in the postmaster while no other process touches the ring.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "miscadmin.h"
#include "pd_persist.h"
#include "pgstat.h"
#include "storage/fd.h"

#define PD_FILE		PGSTAT_STAT_PERMANENT_DIRECTORY "/probe_detect.stat"
#define PD_MAGIC	0x50444554	/* "PDET" */
#define PD_FORMAT	1

bool		pd_save = true;

typedef struct PdFileHeader
{
	uint32		magic;
	uint32		format;
	uint32		pg_major;		/* PG_VERSION_NUM / 100 */
	uint32		event_header;	/* offsetof(PdEvent, raw): the layout */
	uint64		next_id;
	uint64		reset_id;
	int64		since;
	uint64		count;			/* events that follow */
} PdFileHeader;

typedef struct PdDump
{
	FILE	   *file;
	uint64		count;
	bool		failed;
} PdDump;

static void
pd_dump_one(const PdEvent *ev, void *arg)
{
	PdDump	   *d = (PdDump *) arg;

	if (d->failed)
		return;
	if (fwrite(ev, PD_EVENT_SIZE(ev->raw_len), 1, d->file) != 1)
		d->failed = true;
	else
		d->count++;
}

void
pd_persist_shutdown(int code, Datum arg)
{
	PdRing	   *ring = (PdRing *) DatumGetPointer(arg);
	PdFileHeader h;
	PdDump		d = {NULL, 0, false};
	PdEvent    *buf;

	/* after a crash the ring may be inconsistent: save nothing */
	if (code != 0 || ring == NULL || !pd_save)
		return;

	d.file = AllocateFile(PD_FILE ".tmp", PG_BINARY_W);
	if (d.file == NULL)
		goto error;

	memset(&h, 0, sizeof(h));
	h.magic = PD_MAGIC;
	h.format = PD_FORMAT;
	h.pg_major = PG_VERSION_NUM / 100;
	h.event_header = offsetof(PdEvent, raw);
	h.next_id = pd_ring_next_id(ring);
	h.reset_id = pg_atomic_read_u64(&ring->reset_id);
	h.since = (int64) pg_atomic_read_u64(&ring->since);
	if (fwrite(&h, sizeof(h), 1, d.file) != 1)
		goto error;

	buf = palloc(PD_EVENT_SIZE(ring->capture_bytes));
	pd_ring_scan(ring, buf, pd_dump_one, &d);
	pfree(buf);
	if (d.failed)
		goto error;

	/* the count goes in last: a file cut short is recognised as such */
	h.count = d.count;
	if (fseek(d.file, 0, SEEK_SET) != 0 || fwrite(&h, sizeof(h), 1, d.file) != 1)
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

void
pd_persist_load(PdRing *ring)
{
	FILE	   *file;
	PdFileHeader h;
	PdEvent    *ev;
	uint64		i;
	uint64		max_id = 0;
	uint64		loaded = 0;

	file = AllocateFile(PD_FILE, PG_BINARY_R);
	if (file == NULL)
	{
		if (errno != ENOENT)
			ereport(LOG,
					(errcode_for_file_access(),
					 errmsg("could not read file \"%s\": %m", PD_FILE)));
		return;
	}

	if (fread(&h, sizeof(h), 1, file) != 1 || h.magic != PD_MAGIC ||
		h.format != PD_FORMAT || h.pg_major != PG_VERSION_NUM / 100 ||
		h.event_header != offsetof(PdEvent, raw) || h.next_id == 0 ||
		h.reset_id > h.next_id)
	{
		ereport(LOG,
				(errmsg("ignoring file \"%s\": not a probe_detect file of this version", PD_FILE)));
		goto done;
	}

	ev = palloc(PD_EVENT_SIZE(PD_CAPTURE_MAX));
	for (i = 0; i < h.count; i++)
	{
		uint16		raw_len;

		if (fread(ev, offsetof(PdEvent, raw), 1, file) != 1 ||
			ev->raw_len > PD_CAPTURE_MAX || ev->kind == 0 || ev->kind >= PD_KIND_MAX ||
			ev->event_id == 0 || ev->event_id >= h.next_id ||
			fread(ev->raw, 1, ev->raw_len, file) != ev->raw_len)
		{
			ereport(LOG,
					(errmsg("ignoring the rest of file \"%s\": it is damaged", PD_FILE),
					 errdetail("%llu of %llu events were restored.",
							   (unsigned long long) loaded,
							   (unsigned long long) h.count)));
			break;
		}
		/* strings must be terminated whatever the file says */
		ev->user_name[PD_NAME_MAX - 1] = '\0';
		ev->database_name[PD_NAME_MAX - 1] = '\0';
		ev->message[PD_MESSAGE_MAX - 1] = '\0';
		ev->protocol[PD_PROTOCOL_MAX - 1] = '\0';
		ev->tool[PD_TOOL_MAX - 1] = '\0';
		ev->detail[PD_DETAIL_MAX - 1] = '\0';
		/* capture_bytes may have shrunk since */
		raw_len = Min(ev->raw_len, ring->capture_bytes);
		ev->raw_len = raw_len;
		pd_ring_restore(ring, ev);
		max_id = Max(max_id, ev->event_id);
		loaded++;
	}
	pfree(ev);
	pd_ring_restore_counters(ring, Max(h.next_id, max_id + 1),
							 Min(h.reset_id, Max(h.next_id, max_id + 1)),
							 (TimestampTz) h.since);
	ereport(LOG,
			(errmsg("probe_detect restored %llu events from \"%s\"",
					(unsigned long long) loaded, PD_FILE)));

done:
	FreeFile(file);
	unlink(PD_FILE);
}
