/*-------------------------------------------------------------------------
 *
 * probe_detect.c
 *	  Module start-up: each file's settings, shared memory, the hooks.
 *
 * The layers, each using only those below it:
 *
 *   probe_detect.c       start-up (this file)
 *   pd_sql.c, pd_sources.c   the SQL-callable functions
 *   pd_hooks.c           which messages are events; reply; refusing
 *   pd_annotate.c        the annotated server-log lines
 *   pd_capture.c         recording one event
 *   pd_refuse.c, pd_persist.c, pd_analysis.c, pd_feed.c
 *   pd_attempts.c, pd_port.c
 *   pd_ring.c, pd_tally.c, pd_counters.c        shared memory, lock-free
 *   classifier, pd_scan.c, pd_labels.c, pd_text.c    pure C
 *
 * Only preloading gives us shared memory and the postmaster's children.
 * Loaded any other way (by calling a function), _PG_init does nothing: the
 * functions that need the ring then explain what to change
 * (pd_check_loaded), and decode and classify work as they are.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "pd_attempts.h"
#include "pd_capture.h"
#include "pd_compat.h"
#include "pd_counters.h"
#include "pd_feed.h"
#include "pd_hooks.h"
#include "pd_persist.h"
#include "pd_refuse.h"
#include "pd_ring.h"
#include "pd_tls.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#ifdef PG_MODULE_MAGIC_EXT
PG_MODULE_MAGIC_EXT(.name = "probe_detect",.version = "1.1");
#else
PG_MODULE_MAGIC;
#endif

/* The ring's shape: read here only, to size it at start. */
static int	pd_max_events = 5000;
static int	pd_capture_bytes = 256;

static shmem_startup_hook_type pd_prev_shmem_startup_hook = NULL;
#ifdef PD_HAVE_SHMEM_REQUEST_HOOK
static shmem_request_hook_type pd_prev_shmem_request_hook = NULL;
#endif

void		_PG_init(void);

static Size
pd_shmem_size(void)
{
	return pd_ring_size(pd_max_events, pd_capture_bytes);
}

static void
pd_shmem_request(void)
{
#ifdef PD_HAVE_SHMEM_REQUEST_HOOK
	if (pd_prev_shmem_request_hook)
		pd_prev_shmem_request_hook();
#endif
	RequestAddinShmemSpace(pd_shmem_size());
	RequestAddinShmemSpace(pd_attempts_shmem_size());
	RequestAddinShmemSpace(pd_counters_size());
	pd_refuse_shmem_request();
}

static void
pd_shmem_startup(void)
{
	bool		found;
	void	   *mem;
	PdRing	   *ring;
	PdCounters *counters;

	if (pd_prev_shmem_startup_hook)
		pd_prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	/* found is set by ShmemInitStruct(): read it only after the call */
	mem = ShmemInitStruct("probe_detect refused", pd_refuse_shmem_size(), &found);
	pd_refuse_shmem_init(mem, found);
	mem = ShmemInitStruct("probe_detect tally", pd_attempts_shmem_size(), &found);
	pd_attempts_shmem_init(mem, found);

	/*
	 * The counters right before the ring: shared memory is handed out in
	 * order, so a probe's counts usually fall in the page of the ring's
	 * header, which it touches anyway (one page fault less per probe).
	 */
	counters = ShmemInitStruct("probe_detect counters", pd_counters_size(), &found);
	if (!found)
		pd_counters_init(counters, 1);	/* the ring's first id */
	ring = ShmemInitStruct("probe_detect", pd_shmem_size(), &found);
	if (!found)
	{
		uint64		seed = 0;

		/* the repeat table's hash: a seed no client can guess */
		if (!pg_strong_random(&seed, sizeof(seed)))
			seed = (uint64) GetCurrentTimestamp() ^ ((uint64) MyProcPid << 32);
		pd_ring_init(ring, pd_max_events, pd_capture_bytes, seed);
		pd_ring_reset(ring, GetCurrentTimestamp());
		if (!IsUnderPostmaster)
			pd_persist_load(ring, pd_tally, counters);
	}
	LWLockRelease(AddinShmemInitLock);

	/* save at a clean shutdown: the postmaster only (pg_stat_statements) */
	if (!IsUnderPostmaster)
		on_shmem_exit(pd_persist_shutdown, PointerGetDatum(ring));

	pd_counters = counters;
	pd_ring = ring;
}

void
_PG_init(void)
{
	/* PGC_POSTMASTER settings cannot be defined after start-up anyway */
	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomIntVariable("probe_detect.max_events",
							"Number of events the ring keeps before overwriting the oldest.",
							NULL,
							&pd_max_events,
							5000,
							100,
							100000,
							PGC_POSTMASTER,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("probe_detect.capture_bytes",
							"Bytes of each probe's payload to keep; 0 keeps none.",
							NULL,
							&pd_capture_bytes,
							256,
							0,
							PD_CAPTURE_MAX,
							PGC_POSTMASTER,
							GUC_UNIT_BYTE,
							NULL, NULL, NULL);
	/* each file's own settings */
	pd_hooks_define_settings();
	pd_capture_define_settings();
	pd_attempts_define_settings();
	pd_refuse_define_settings();
	pd_persist_define_settings();
	pd_feed_define_setting();
	pd_tls_define_setting();
	MarkGUCPrefixReserved("probe_detect");

#ifdef PD_HAVE_SHMEM_REQUEST_HOOK
	pd_prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pd_shmem_request;
#else
	pd_shmem_request();
#endif
	pd_prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pd_shmem_startup;
	pd_hooks_install();
	pd_tls_install();
}
