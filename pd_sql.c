/*-------------------------------------------------------------------------
 *
 * pd_sql.c
 *	  The SQL-callable functions behind the views (but probe_detect_sources,
 *	  pd_sources.c), and what they share: turning events into datums.
 *
 * They read shared memory without locks (pd_ring.h, pd_counters.h) but for
 * the refusal table (pd_refuse.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "mb/pg_wchar.h"
#include "pd_analysis.h"
#include "pd_attempts.h"
#include "pd_labels.h"
#include "pd_classify.h"
#include "pd_compat.h"
#include "pd_classes.h"
#include "pd_counters.h"
#include "pd_refuse.h"
#include "pd_ring.h"
#include "pd_sql.h"
#include "pd_text.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/timestamp.h"

#define PD_EVENTS_COLS_V1_0	16	/* 1.0 and 1.1 */
#define PD_EVENTS_COLS	18
#define PD_STATS_COLS	4
#define PD_DECODE_COLS	4
#define PD_COUNTERS_COLS 3

PG_FUNCTION_INFO_V1(probe_detect_events);
PG_FUNCTION_INFO_V1(probe_detect_events_1_2);
PG_FUNCTION_INFO_V1(probe_detect_stats);
PG_FUNCTION_INFO_V1(probe_detect_reset);
PG_FUNCTION_INFO_V1(probe_detect_decode);
PG_FUNCTION_INFO_V1(probe_detect_classify);
PG_FUNCTION_INFO_V1(probe_detect_counters);
PG_FUNCTION_INFO_V1(probe_detect_refused);
PG_FUNCTION_INFO_V1(probe_detect_unrefuse);

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
text *
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
	int			ncols;			/* of the SQL definition calling us */
	PdAnalysis	analysis;		/* for the tools that scan verdicts name */
} PdEventsState;

static void
pd_event_to_tuple(const PdEvent *ev, void *arg)
{
	PdEventsState *st = (PdEventsState *) arg;
	ReturnSetInfo *rsinfo = st->rsinfo;
	const PdRow *row = pd_analysis_row(&st->analysis, ev->event_id);
	PdClass		cls;
	const char *tool = cls.tool;
	Datum		values[PD_EVENTS_COLS];
	bool		nulls[PD_EVENTS_COLS];
	const char *kind = pd_kind_name(ev->kind);
	int			i = 0;

	memset(nulls, 0, sizeof(nulls));
	pd_event_class(ev, &cls);

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
	pd_put_text(values, nulls, i++, cls.protocol);
	if (!tool[0] && row && row->scan.scan_tool)
		tool = row->scan.scan_tool;
	pd_put_text(values, nulls, i++, tool);
	if (row && (row->retry_of || row->retried_by))
	{
		/* one failed password, tried over TLS and again without */
		values[i++] = CStringGetTextDatum(psprintf("%s; %s event " UINT64_FORMAT,
												   cls.detail,
												   row->retry_of ? "sslmode=prefer retry of" :
												   "retried without TLS as",
												   row->retry_of ? row->retry_of : row->retried_by));
	}
	else
		pd_put_text(values, nulls, i++, cls.detail);
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
	if (st->ncols == PD_EVENTS_COLS)
	{
		/* 1.2: the occurrences folded into this event */
		values[i++] = Int64GetDatum(1 + (int64) ev->repeats);
		values[i++] = TimestampTzGetDatum(Max(ev->last_seen, ev->seen_at));
	}
	Assert(i == st->ncols);

	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
}

/*
 * The events, with the columns of the SQL definition's version (as
 * pg_stat_statements does): a 1.1 database keeps working with this module
 * until ALTER EXTENSION ... UPDATE.
 */
static void
pd_events(FunctionCallInfo fcinfo, int ncols)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PdEventsState st;

	pd_check_loaded();
	pd_init_srf(fcinfo);
	if (rsinfo->setDesc->natts != ncols)
		elog(ERROR, "incorrect number of output arguments");

	/* two passes: the scans first, then the rows with what they tell */
	st.rsinfo = rsinfo;
	st.ncols = ncols;
	pd_analyze(pd_ring, &st.analysis);
	pd_ring_scan(pd_ring, pd_event_to_tuple, &st);
}

Datum
probe_detect_events(PG_FUNCTION_ARGS)
{
	pd_events(fcinfo, PD_EVENTS_COLS_V1_0);
	return (Datum) 0;
}

Datum
probe_detect_events_1_2(PG_FUNCTION_ARGS)
{
	pd_events(fcinfo, PD_EVENTS_COLS);
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
	pd_counters_reset(pd_counters, pd_ring_next_id(pd_ring));
	PG_RETURN_VOID();
}

/*
 * decode and classify read nothing from the ring: they work wherever the
 * extension is created, preloaded or not (an old log line needs no restart).
 */
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
 * of rows whatever the traffic.  The protocols and tools of the events
 * recorded since the last read are classified first (so a scrape's cost is
 * the events since the previous scrape, not the ring); the rest is a few
 * hundred bytes of shared memory.  The ring's own writes and overwrites
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
	/* the protocols and tools of the events recorded since the last read */
	pd_count_classes(pd_ring, pd_counters);
	pd_counters_foreach(pd_counters, pd_counter_to_tuple, &st);
	return (Datum) 0;
}

Datum
pd_inet_datum(uint8 family, const uint8 *addr)
{
	PdNet		net;

	memset(&net, 0, sizeof(net));
	net.family = family;
	net.bits = family == AF_INET ? 32 : 128;
	memcpy(net.addr, addr, family == AF_INET ? 4 : 16);
	return pd_net_datum(&net);
}

Datum
pd_net_datum(const PdNet *net)
{
	inet	   *ip = palloc0(sizeof(inet));

	if (net->family == AF_INET)
	{
		ip_family(ip) = PGSQL_AF_INET;
		memcpy(ip_addr(ip), net->addr, 4);
	}
	else
	{
		ip_family(ip) = PGSQL_AF_INET6;
		memcpy(ip_addr(ip), net->addr, 16);
	}
	ip_bits(ip) = net->bits;
	SET_INET_VARSIZE(ip);
	return InetPGetDatum(ip);
}

/* The networks refused now. */
Datum
probe_detect_refused(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PdRefusal  *copy;
	TimestampTz now = GetCurrentTimestamp();
	int			i,
				n;

	pd_check_loaded();
	pd_init_srf(fcinfo);

	copy = palloc(sizeof(PdRefusal) * PD_REFUSED_MAX);
	n = pd_refuse_snapshot(copy, PD_REFUSED_MAX);
	for (i = 0; i < n; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if (copy[i].until <= now)
			continue;
		values[0] = pd_net_datum(&copy[i].net);
		values[1] = TimestampTzGetDatum(copy[i].since);
		values[2] = TimestampTzGetDatum(copy[i].until);
		values[3] = CStringGetTextDatum(psprintf("%d probes or failed attempts within %d s",
												 copy[i].events, copy[i].window));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * Lift the refusal of an address's network and pardon it: its count starts
 * again from nothing, so it is refused again only after refuse_after new
 * attempts.  True if the network was refused.
 */
Datum
probe_detect_unrefuse(PG_FUNCTION_ARGS)
{
	inet	   *ip = PG_GETARG_INET_PP(0);
	uint8		addr[16] = {0};

	pd_check_loaded();
	memcpy(addr, ip_addr(ip), ip_addrsize(ip));
	PG_RETURN_BOOL(pd_refuse_lift(ip_family(ip) == PGSQL_AF_INET ? AF_INET : AF_INET6,
								  addr));
}
