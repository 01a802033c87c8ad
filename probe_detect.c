/*-------------------------------------------------------------------------
 *
 * probe_detect.c
 *	  Module glue: settings, shared memory, and the SQL-callable functions.
 *
 * The ring lives in shared memory requested at server start; the capture
 * hook (pd_capture.c) writes to it without locks, and the functions here
 * read it without locks (see pd_ring.h for the rules).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "pd_capture.h"
#include "pd_classify.h"
#include "pd_compat.h"
#include "pd_counters.h"
#include "pd_feed.h"
#include "pd_persist.h"
#include "pd_refuse.h"
#include "pd_ring.h"
#include "pd_sources.h"
#include "pd_tally.h"
#include "pd_text.h"
#include "storage/ipc.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/timestamp.h"

#ifdef PG_MODULE_MAGIC_EXT
PG_MODULE_MAGIC_EXT(.name = "probe_detect",.version = "1.1");
#else
PG_MODULE_MAGIC;
#endif

#define PD_EVENTS_COLS	16
#define PD_STATS_COLS	4
#define PD_DECODE_COLS	4
#define PD_COUNTERS_COLS 3

static int	pd_max_events = 5000;

static const struct config_enum_entry pd_server_log_options[] = {
	{"original", PD_LOG_ORIGINAL, false},
	{"annotated", PD_LOG_ANNOTATED, false},
	{"off", PD_LOG_OFF, false},
	{NULL, 0, false}
};

static const struct config_enum_entry pd_reply_options[] = {
	{"normal", PD_REPLY_NORMAL, false},
	{"terse", PD_REPLY_TERSE, false},
	{"silent", PD_REPLY_SILENT, false},
	{NULL, 0, false}
};
int			pd_guessing_threshold = 10;
int			pd_guessing_window = 600;

/* the networks that refusals and counts are keyed on (pd_tally.c) */
static int	pd_refuse_ipv4_prefix = 32;
static int	pd_refuse_ipv6_prefix = 64;

static shmem_startup_hook_type pd_prev_shmem_startup_hook = NULL;
#ifdef PD_HAVE_SHMEM_REQUEST_HOOK
static shmem_request_hook_type pd_prev_shmem_request_hook = NULL;
#endif

void		_PG_init(void);

PG_FUNCTION_INFO_V1(probe_detect_events);
PG_FUNCTION_INFO_V1(probe_detect_stats);
PG_FUNCTION_INFO_V1(probe_detect_reset);
PG_FUNCTION_INFO_V1(probe_detect_decode);
PG_FUNCTION_INFO_V1(probe_detect_classify);
PG_FUNCTION_INFO_V1(probe_detect_counters);

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
	RequestAddinShmemSpace(pd_tally_size());
	RequestAddinShmemSpace(pd_counters_size());
	pd_refuse_shmem_request();
}

static void
pd_shmem_startup(void)
{
	bool		found;
	PdRing	   *ring;
	PdTally    *tally;
	void	   *refused;
	PdCounters *counters;

	if (pd_prev_shmem_startup_hook)
		pd_prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	refused = ShmemInitStruct("probe_detect refused", pd_refuse_shmem_size(), &found);
	pd_refuse_shmem_init(refused, found);
	tally = ShmemInitStruct("probe_detect tally", pd_tally_size(), &found);
	if (!found)
	{
		uint64		seed = 0;

		/* a seed no client can guess, so none can aim at a slot */
		if (!pg_strong_random(&seed, sizeof(seed)))
			seed = (uint64) GetCurrentTimestamp() ^ ((uint64) MyProcPid << 32);
		pd_tally_init(tally, seed, pd_refuse_ipv4_prefix, pd_refuse_ipv6_prefix);
	}
	/*
	 * The counters right before the ring: shared memory is handed out in
	 * order, so a probe's counts usually fall in the page of the ring's
	 * header, which it touches anyway (one page fault less per probe).
	 */
	counters = ShmemInitStruct("probe_detect counters", pd_counters_size(), &found);
	if (!found)
		pd_counters_init(counters);
	ring = ShmemInitStruct("probe_detect", pd_shmem_size(), &found);
	if (!found)
	{
		pd_ring_init(ring, pd_max_events, pd_capture_bytes);
		pd_ring_reset(ring, GetCurrentTimestamp());
		if (!IsUnderPostmaster)
			pd_persist_load(ring, tally, counters);
	}
	LWLockRelease(AddinShmemInitLock);

	/* save at a clean shutdown: the postmaster only (pg_stat_statements) */
	if (!IsUnderPostmaster)
		on_shmem_exit(pd_persist_shutdown, PointerGetDatum(ring));

	pd_tally = tally;
	pd_counters = counters;
	pd_ring = ring;
}

void
_PG_init(void)
{
	/*
	 * Only preloading gives us shared memory and the postmaster's children.
	 * Loaded any other way (by calling a function), do nothing at all: the
	 * functions then explain what to change (pd_check_loaded), and
	 * PGC_POSTMASTER settings cannot be defined after start-up anyway.
	 */
	if (!process_shared_preload_libraries_in_progress)
		return;

	DefineCustomBoolVariable("probe_detect.enabled",
							 "Records rejected connection attempts.",
							 NULL,
							 &pd_enabled,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
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
	DefineCustomIntVariable("probe_detect.guessing_threshold",
							"Failed logins from one address, within probe_detect.guessing_window, above which it is password guessing.",
							NULL,
							&pd_guessing_threshold,
							10,
							1,
							1000000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("probe_detect.guessing_window",
							"Time window for probe_detect.guessing_threshold.",
							NULL,
							&pd_guessing_window,
							600,
							1,
							7 * 24 * 3600,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomBoolVariable("probe_detect.save",
							 "Keeps recorded events across clean server restarts.",
							 NULL,
							 &pd_save,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable("probe_detect.server_log",
							 "What the server log says about a recognised probe: original, annotated or off.",
							 NULL,
							 &pd_server_log,
							 PD_LOG_ORIGINAL,
							 pd_server_log_options,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable("probe_detect.reply",
							 "What a rejected start-up packet is told: normal, terse or silent.",
							 NULL,
							 &pd_reply,
							 PD_REPLY_NORMAL,
							 pd_reply_options,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
	DefineCustomIntVariable("probe_detect.refuse_after",
							"Probe or failed-login events from one address, within probe_detect.refuse_window, after which its connections are refused; 0 turns refusing off.",
							NULL,
							&pd_refuse_after,
							0,
							0,
							1000000,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("probe_detect.refuse_window",
							"Time window for probe_detect.refuse_after.",
							NULL,
							&pd_refuse_window,
							600,
							1,
							7 * 24 * 3600,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("probe_detect.refuse_for",
							"How long an address is refused once it crossed probe_detect.refuse_after.",
							NULL,
							&pd_refuse_for,
							3600,
							1,
							365 * 24 * 3600,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);
	DefineCustomIntVariable("probe_detect.refuse_ipv4_prefix",
							"Prefix length of the IPv4 networks that refusals and their counts are keyed on.",
							NULL,
							&pd_refuse_ipv4_prefix,
							32,
							8,
							32,
							PGC_POSTMASTER,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("probe_detect.refuse_ipv6_prefix",
							"Prefix length of the IPv6 networks that refusals and their counts are keyed on.",
							NULL,
							&pd_refuse_ipv6_prefix,
							64,
							16,
							128,
							PGC_POSTMASTER,
							0,
							NULL, NULL, NULL);
	DefineCustomStringVariable("probe_detect.trusted_networks",
							   "Addresses and networks (CIDR, comma-separated) that are never refused.",
							   NULL,
							   &pd_trusted_networks,
							   "",
							   PGC_SIGHUP,
							   GUC_LIST_INPUT,
							   pd_trusted_check, pd_trusted_assign, NULL);
	pd_feed_define_setting();
	MarkGUCPrefixReserved("probe_detect");

#ifdef PD_HAVE_SHMEM_REQUEST_HOOK
	pd_prev_shmem_request_hook = shmem_request_hook;
	shmem_request_hook = pd_shmem_request;
#else
	pd_shmem_request();
#endif
	pd_prev_shmem_startup_hook = shmem_startup_hook;
	shmem_startup_hook = pd_shmem_startup;
	pd_install_hooks();
}

void
pd_check_loaded(void)
{
	if (pd_ring == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("probe_detect must be loaded via \"shared_preload_libraries\""),
				 errhint("Add probe_detect to \"shared_preload_libraries\" in postgresql.conf and restart the server.")));
}

/* Bytes as text: printable ASCII as is, everything else escaped. */
static text *
pd_ascii_text(const uint8 *bytes, size_t len)
{
	char	   *buf = palloc(PD_ESCAPED_MAX(len) + 1);
	text	   *result;

	pd_escape_bytes(bytes, len, buf, PD_ESCAPED_MAX(len) + 1);
	result = cstring_to_text(buf);
	pfree(buf);
	return result;
}

/*
 * A string a client or the server supplied, as text that is valid in the
 * database encoding and printable: control characters and backslashes are
 * escaped like raw_ascii.  It may have been cut at max - 1 bytes in the
 * middle of a multibyte character: such a tail is dropped.  If it is still
 * not valid, every non-ASCII byte is escaped.
 */
Datum
pd_clean_text(const char *s, int max)
{
	int			len = strnlen(s, max);
	int			valid = len;
	StringInfoData buf;
	int			i;

	while (!pg_verifymbstr(s, valid, true))
	{
		if (valid == 0 || len - valid >= MAX_MULTIBYTE_CHAR_LEN ||
			!IS_HIGHBIT_SET(s[valid - 1]))
			return PointerGetDatum(pd_ascii_text((const uint8 *) s, len));
		valid--;
	}
	initStringInfo(&buf);
	for (i = 0; i < valid; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f)
			appendStringInfo(&buf, "\\x%02x", c);
		else if (c == '\\')
			appendStringInfoString(&buf, "\\\\");
		else
			appendStringInfoChar(&buf, (char) c);
	}
	return PointerGetDatum(cstring_to_text_with_len(buf.data, buf.len));
}

/* A classifier string (printable ASCII) as text; empty means NULL. */
static void
pd_put_text(Datum *values, bool *nulls, int i, const char *s)
{
	if (s[0])
		values[i] = CStringGetTextDatum(s);
	else
		nulls[i] = true;
}

typedef struct PdEventsState
{
	ReturnSetInfo *rsinfo;
	PdAnalysis	analysis;		/* for the tools that scan verdicts name */
} PdEventsState;

static void
pd_event_to_tuple(const PdEvent *ev, void *arg)
{
	PdEventsState *st = (PdEventsState *) arg;
	ReturnSetInfo *rsinfo = st->rsinfo;
	const char *tool = ev->tool;
	const PdRow *row = pd_analysis_row(&st->analysis, ev->event_id);
	Datum		values[PD_EVENTS_COLS];
	bool		nulls[PD_EVENTS_COLS];
	const char *kind = pd_kind_name(ev->kind);
	int			i = 0;

	memset(nulls, 0, sizeof(nulls));

	values[i++] = Int64GetDatum((int64) ev->event_id);
	values[i++] = TimestampTzGetDatum(ev->seen_at);
	values[i++] = Int32GetDatum(ev->pid);
	if (ev->addr_family == AF_INET || ev->addr_family == AF_INET6)
	{
		values[i++] = pd_inet_datum(ev->addr_family, ev->addr);
		values[i++] = Int32GetDatum(ev->client_port);
	}
	else
	{
		nulls[i++] = true;
		nulls[i++] = true;
	}
	if (kind)
		values[i++] = CStringGetTextDatum(kind);
	else
		nulls[i++] = true;
	if (ev->has_proto)
	{
		char		vbuf[12];

		pd_format_version(ev->proto, vbuf);
		values[i++] = CStringGetTextDatum(vbuf);
	}
	else
		nulls[i++] = true;
	if (ev->raw_len > 0)
	{
		bytea	   *raw = palloc(VARHDRSZ + ev->raw_len);

		SET_VARSIZE(raw, VARHDRSZ + ev->raw_len);
		memcpy(VARDATA(raw), ev->raw, ev->raw_len);
		values[i++] = PointerGetDatum(raw);
		if (ev->raw_offset >= 0)
			values[i++] = Int32GetDatum(ev->raw_offset);
		else
			nulls[i++] = true;
		values[i++] = PointerGetDatum(pd_ascii_text(ev->raw, ev->raw_len));
	}
	else
	{
		nulls[i++] = true;
		nulls[i++] = true;
		nulls[i++] = true;
	}
	pd_put_text(values, nulls, i++, ev->protocol);
	if (!tool[0] && row && row->scan.scan_tool)
		tool = row->scan.scan_tool;
	pd_put_text(values, nulls, i++, tool);
	if (row && (row->retry_of || row->retried_by))
	{
		/* one failed password, tried over TLS and again without */
		values[i++] = CStringGetTextDatum(psprintf("%s; %s event " UINT64_FORMAT,
												   ev->detail,
												   row->retry_of ? "sslmode=prefer retry of" :
												   "retried without TLS as",
												   row->retry_of ? row->retry_of : row->retried_by));
	}
	else
		pd_put_text(values, nulls, i++, ev->detail);
	/* names are stored as the client sent them */
	if (ev->user_name[0])
		values[i++] = pd_clean_text(ev->user_name, PD_NAME_MAX);
	else
		nulls[i++] = true;
	if (ev->database_name[0])
		values[i++] = pd_clean_text(ev->database_name, PD_NAME_MAX);
	else
		nulls[i++] = true;
	values[i++] = pd_clean_text(ev->message, PD_MESSAGE_MAX);
	Assert(i == PD_EVENTS_COLS);

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

Datum
probe_detect_events(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PdEvent    *buf;
	PdEventsState st;

	pd_check_loaded();
	pd_init_srf(fcinfo);

	/* two passes: the scans first, then the rows with what they tell */
	st.rsinfo = rsinfo;
	pd_analyze(pd_ring, &st.analysis);
	buf = palloc(PD_EVENT_SIZE(pd_ring->capture_bytes));
	pd_ring_scan(pd_ring, buf, pd_event_to_tuple, &st);
	pfree(buf);

	return (Datum) 0;
}

Datum
probe_detect_stats(PG_FUNCTION_ARGS)
{
	TupleDesc	tupdesc;
	Datum		values[PD_STATS_COLS];
	bool		nulls[PD_STATS_COLS];
	PdRingStats stats;

	pd_check_loaded();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	pd_ring_stats(pd_ring, &stats);
	memset(nulls, 0, sizeof(nulls));
	values[0] = Int32GetDatum((int32) pd_ring->nslots);
	values[1] = Int64GetDatum((int64) stats.events_total);
	values[2] = Int64GetDatum((int64) stats.events_overwritten);
	values[3] = TimestampTzGetDatum(stats.since);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

Datum
probe_detect_reset(PG_FUNCTION_ARGS)
{
	(void) fcinfo;				/* no arguments */
	pd_check_loaded();
	pd_ring_reset(pd_ring, GetCurrentTimestamp());
	/* what counts toward refusing and the guessing verdict starts over too */
	pd_tally_reset(pd_tally);
	pd_counters_reset(pd_counters);
	PG_RETURN_VOID();
}

Datum
probe_detect_decode(PG_FUNCTION_ARGS)
{
	text	   *arg = PG_GETARG_TEXT_PP(0);
	TupleDesc	tupdesc;
	Datum		values[PD_DECODE_COLS];
	bool		nulls[PD_DECODE_COLS];
	uint32		word;
	uint8		bytes[4];
	bytea	   *raw;
	PdProbe		probe;
	PdClass		cls;

	pd_check_loaded();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (pd_parse_version(VARDATA_ANY(arg), VARSIZE_ANY_EXHDR(arg), &word) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid protocol version \"%s\"", text_to_cstring(arg)),
				 errdetail("A protocol version is two numbers from 0 to 65535 separated by a period, as in \"65363.19778\".")));

	pd_version_bytes(word, bytes);
	raw = palloc(VARHDRSZ + 4);
	SET_VARSIZE(raw, VARHDRSZ + 4);
	memcpy(VARDATA(raw), bytes, 4);

	/* what the server would have made of that version word */
	probe.kind = PD_KIND_UNSUPPORTED_PROTOCOL;
	probe.bytes = bytes;
	probe.len = 4;
	probe.offset = 4;
	probe.params = NULL;
	probe.params_len = 0;
	pd_classify(&probe, &cls);

	memset(nulls, 0, sizeof(nulls));
	values[0] = PointerGetDatum(raw);
	values[1] = PointerGetDatum(pd_ascii_text(bytes, 4));
	pd_put_text(values, nulls, 2, cls.protocol);
	pd_put_text(values, nulls, 3, cls.tool);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

/*
 * probe_detect_classify(payload bytea): what the classifier makes of bytes
 * from the start of a connection, e.g. from a packet capture.
 */
Datum
probe_detect_classify(PG_FUNCTION_ARGS)
{
	bytea	   *payload = PG_GETARG_BYTEA_PP(0);
	TupleDesc	tupdesc;
	Datum		values[3];
	bool		nulls[3];
	PdProbe		probe;
	PdClass		cls;

	pd_check_loaded();
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	probe.kind = PD_KIND_NONE;
	probe.bytes = (const uint8 *) VARDATA_ANY(payload);
	probe.len = VARSIZE_ANY_EXHDR(payload);
	probe.offset = 0;
	probe.params = NULL;
	probe.params_len = 0;
	pd_classify(&probe, &cls);

	memset(nulls, 0, sizeof(nulls));
	pd_put_text(values, nulls, 0, cls.protocol);
	pd_put_text(values, nulls, 1, cls.tool);
	pd_put_text(values, nulls, 2, cls.detail);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls)));
}

typedef struct PdCountersState
{
	ReturnSetInfo *rsinfo;
}			PdCountersState;

static void
pd_counter_to_tuple(const char *counter, const char *label, uint64 value,
					void *arg)
{
	ReturnSetInfo *rsinfo = ((PdCountersState *) arg)->rsinfo;
	Datum		values[PD_COUNTERS_COLS];
	bool		nulls[PD_COUNTERS_COLS] = {false, false, false};

	values[0] = CStringGetTextDatum(counter);
	values[1] = CStringGetTextDatum(label);
	values[2] = Int64GetDatum((int64) Min(value, (uint64) PG_INT64_MAX));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * Every cumulative counter, by name and label, zeros included: a fixed set
 * of rows whatever the traffic, read from a few hundred bytes of shared
 * memory whatever the ring holds.  The ring's own writes and overwrites
 * come first.
 */
Datum
probe_detect_counters(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PdCountersState st = {rsinfo};
	PdRingStats stats;

	pd_check_loaded();
	pd_init_srf(fcinfo);
	pd_ring_stats(pd_ring, &stats);
	pd_counter_to_tuple("ring_writes", "", stats.events_total, &st);
	pd_counter_to_tuple("ring_overwrites", "", stats.events_overwritten, &st);
	pd_counters_foreach(pd_counters, pd_counter_to_tuple, &st);
	return (Datum) 0;
}
