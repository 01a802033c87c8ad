/*-------------------------------------------------------------------------
 *
 * pd_sources.c
 *	  Per-address analysis of the ring and the probe_detect_sources view.
 *
 * Runs in a backend reading the views: it copies what it needs out of the
 * ring (lock-free, see pd_ring.h) into local memory and works there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "pd_capture.h"
#include "pd_compat.h"
#include "pd_sources.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inet.h"
#include "utils/timestamp.h"

#define PD_SOURCES_COLS		12
#define PD_ARRAY_MAX		32	/* distinct values kept per array */

PG_FUNCTION_INFO_V1(probe_detect_sources);

typedef struct PdCollect
{
	PdRow	   *rows;
	int			n;
	int			cap;
} PdCollect;

static void
pd_collect_one(const PdEvent *ev, void *arg)
{
	PdCollect  *c = (PdCollect *) arg;
	PdRow	   *r;

	if (c->n == c->cap)
	{
		c->cap = c->cap ? c->cap * 2 : 256;
		c->rows = c->rows ? repalloc(c->rows, sizeof(PdRow) * c->cap)
			: palloc(sizeof(PdRow) * c->cap);
	}
	r = &c->rows[c->n++];
	memset(r, 0, sizeof(*r));
	r->event_id = ev->event_id;
	r->seen_at = ev->seen_at;
	r->family = ev->addr_family;
	memcpy(r->addr, ev->addr, sizeof(r->addr));
	r->kind = ev->kind;
	r->ssl = ev->ssl;
	memcpy(r->user_name, ev->user_name, sizeof(r->user_name));
	memcpy(r->database_name, ev->database_name, sizeof(r->database_name));
	memcpy(r->protocol, ev->protocol, sizeof(r->protocol));
	memcpy(r->tool, ev->tool, sizeof(r->tool));
	pd_scan_event_from(&r->scan, ev, NULL);
}

void
pd_scan_event_from(PdScanEvent *se, const PdEvent *ev, const char *tool)
{
	memset(se, 0, sizeof(*se));
	se->t_us = ev->seen_at;
	se->waited_ms = ev->waited_ms;
	se->kind = ev->kind;
	se->has_proto = ev->has_proto;
	se->proto = ev->proto;
	se->raw_len = ev->raw_len;
	memcpy(se->raw_head, ev->raw, Min(ev->raw_len, PD_RAW_HEAD));
	se->tool = tool;
}

static int
pd_cmp_addr(const PdRow *a, const PdRow *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->addr, b->addr, sizeof(a->addr));
}

static int
pd_cmp_rows(const void *pa, const void *pb)
{
	const PdRow *a = (const PdRow *) pa;
	const PdRow *b = (const PdRow *) pb;
	int			c = pd_cmp_addr(a, b);

	if (c)
		return c;
	return a->event_id < b->event_id ? -1 : a->event_id > b->event_id;
}

static int
pd_cmp_ids(const void *pa, const void *pb)
{
	const PdRow *a = *(const PdRow *const *) pa;
	const PdRow *b = *(const PdRow *const *) pb;

	return a->event_id < b->event_id ? -1 : a->event_id > b->event_id;
}

/*
 * libpq's sslmode=prefer (its default) retries a failed authentication
 * without TLS: one wrong password arrives as a failure over TLS and, right
 * after, the same user and database in plaintext.  Pair them.
 */
#define PD_RETRY_US (5 * USECS_PER_SEC)

static void
pd_find_retries(PdRow *rows, int n)
{
	int			last_tls = -1;	/* last TLS auth failure not yet paired */
	int			i;

	for (i = 0; i < n; i++)
	{
		PdRow	   *r = &rows[i];

		if (r->kind != PD_KIND_AUTH_FAILED)
			continue;
		if (r->ssl)
		{
			last_tls = i;
			continue;
		}
		if (last_tls >= 0 &&
			r->seen_at - rows[last_tls].seen_at <= PD_RETRY_US &&
			strcmp(r->user_name, rows[last_tls].user_name) == 0 &&
			strcmp(r->database_name, rows[last_tls].database_name) == 0)
		{
			r->retry_of = rows[last_tls].event_id;
			rows[last_tls].retried_by = r->event_id;
		}
		last_tls = -1;
	}
}

/* More than pd_guessing_threshold failed attempts within the window? */
static bool
pd_guessing(const PdRow *rows, int n)
{
	int64		window = (int64) pd_guessing_window * USECS_PER_SEC;
	int			lo = 0;
	int			count = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		if (rows[i].kind != PD_KIND_AUTH_FAILED || rows[i].retry_of)
			continue;
		count++;
		while (rows[i].seen_at - rows[lo].seen_at > window)
		{
			if (rows[lo].kind == PD_KIND_AUTH_FAILED && !rows[lo].retry_of)
				count--;
			lo++;
		}
		if (count > pd_guessing_threshold)
			return true;
	}
	return false;
}

void
pd_analyze(PdRing *ring, PdAnalysis *an)
{
	PdCollect	c = {NULL, 0, 0};
	PdEvent    *buf = palloc(PD_HEAD_SIZE);
	PdScanEvent *scan;
	int			i;
	int			a;

	/* the fixed part of each event: no payload is needed here */
	pd_ring_scan_heads(ring, buf, pd_collect_one, &c);
	pfree(buf);

	if (c.n > 1)
		qsort(c.rows, c.n, sizeof(PdRow), pd_cmp_rows);

	/* one address at a time, its events oldest first */
	scan = palloc(sizeof(PdScanEvent) * Max(c.n, 1));
	for (a = 0; a < c.n;)
	{
		int			b = a + 1;

		while (b < c.n && pd_cmp_addr(&c.rows[a], &c.rows[b]) == 0)
			b++;
		for (i = a; i < b; i++)
		{
			scan[i - a] = c.rows[i].scan;
			scan[i - a].tool = c.rows[i].tool;
		}
		if (c.rows[a].family != 0)	/* Unix-socket events share no source */
		{
			pd_scan_detect(scan, b - a);
			pd_find_retries(c.rows + a, b - a);
		}
		for (i = a; i < b; i++)
		{
			c.rows[i].scan.scan = scan[i - a].scan;
			c.rows[i].scan.scan_tool = scan[i - a].scan_tool;
			c.rows[i].scan.tool = c.rows[i].tool;
		}
		a = b;
	}
	pfree(scan);

	an->rows = c.rows;
	an->n = c.n;
	an->by_id = palloc(sizeof(PdRow *) * Max(c.n, 1));
	for (i = 0; i < c.n; i++)
		an->by_id[i] = &c.rows[i];
	if (c.n > 1)
		qsort(an->by_id, c.n, sizeof(PdRow *), pd_cmp_ids);
}

const PdRow *
pd_analysis_row(const PdAnalysis *an, uint64 event_id)
{
	int			lo = 0,
				hi = an->n - 1;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		uint64		id = an->by_id[mid]->event_id;

		if (id == event_id)
			return an->by_id[mid];
		if (id < event_id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return NULL;
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

/* A small set of distinct strings, in first-seen order, then as text[]. */
typedef struct PdSet
{
	const char *v[PD_ARRAY_MAX];
	int			n;
} PdSet;

static void
pd_set_add(PdSet *s, const char *v)
{
	int			i;

	if (v == NULL || v[0] == '\0' || s->n == PD_ARRAY_MAX)
		return;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->v[i], v) == 0)
			return;
	s->v[s->n++] = v;
}

static int
pd_cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

static Datum
pd_set_array(PdSet *s, bool clean)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(s->n, 1));
	int			i;

	qsort(s->v, s->n, sizeof(char *), pd_cmp_str);
	for (i = 0; i < s->n; i++)
		d[i] = clean ? pd_clean_text(s->v[i], PD_NAME_MAX) :
			CStringGetTextDatum(s->v[i]);
	return PointerGetDatum(construct_array(d, s->n, TEXTOID, -1, false, 'i'));
}

/* Scan bits of rows[0..n) (one address), password guessing included. */
static int
pd_group_bits(const PdRow *rows, int n)
{
	int			bits = 0;
	int			failures = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		bits |= rows[i].scan.scan;
		if (rows[i].kind == PD_KIND_AUTH_FAILED && !rows[i].retry_of)
			failures++;
	}
	if (failures > pd_guessing_threshold && pd_guessing(rows, n))
		bits |= PD_SCAN_GUESSING;
	return bits;
}

void
pd_source_verdict(const PdAnalysis *an, uint8 family, const uint8 *addr,
				  char *buf, int size)
{
	PdRow		key;
	int			a = 0;

	memset(&key, 0, sizeof(key));
	key.family = family;
	memcpy(key.addr, addr, sizeof(key.addr));
	buf[0] = '\0';
	while (a < an->n && pd_cmp_addr(&an->rows[a], &key) < 0)
		a++;
	if (a < an->n && pd_cmp_addr(&an->rows[a], &key) == 0)
	{
		int			b = a;

		while (b < an->n && pd_cmp_addr(&an->rows[b], &key) == 0)
			b++;
		pd_scan_verdict(pd_group_bits(&an->rows[a], b - a), buf, size);
	}
}

/* One row per client address: what it sent and what it looks like. */
Datum
probe_detect_sources(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PdAnalysis	an;
	int			a;

	pd_check_loaded();
	pd_init_srf(fcinfo);
	pd_analyze(pd_ring, &an);

	for (a = 0; a < an.n;)
	{
		Datum		values[PD_SOURCES_COLS];
		bool		nulls[PD_SOURCES_COLS];
		PdSet		kinds = {{0}, 0},
					protocols = {{0}, 0},
					tools = {{0}, 0},
					users = {{0}, 0};
		int64		failures = 0,
					abandoned = 0,
					rejections = 0;
		int			b;
		int			bits = 0;
		char		verdict[96];
		PdRow	   *r = &an.rows[a];
		TimestampTz first = r->seen_at,
					last = r->seen_at;

		for (b = a; b < an.n && pd_cmp_addr(r, &an.rows[b]) == 0; b++)
		{
			PdRow	   *e = &an.rows[b];

			pd_set_add(&kinds, pd_kind_name(e->kind));
			pd_set_add(&protocols, e->protocol);
			pd_set_add(&tools, e->tool[0] ? e->tool : e->scan.scan_tool);
			if (e->kind == PD_KIND_AUTH_FAILED && !e->retry_of)
				failures++;
			else if (e->kind == PD_KIND_AUTH_ABANDONED)
				abandoned++;
			else if (e->kind == PD_KIND_HBA_REJECTED || e->kind == PD_KIND_CERT_REJECTED)
				rejections++;
			if (pd_kind_is_auth(e->kind))
				pd_set_add(&users, e->user_name);
			first = Min(first, e->seen_at);
			last = Max(last, e->seen_at);
		}
		if (r->family == 0)
		{
			a = b;				/* Unix-socket connections: no address */
			continue;
		}

		memset(nulls, 0, sizeof(nulls));
		values[0] = pd_inet_datum(r->family, r->addr);
		values[1] = TimestampTzGetDatum(first);
		values[2] = TimestampTzGetDatum(last);
		values[3] = Int64GetDatum(b - a);
		values[4] = pd_set_array(&kinds, false);
		values[5] = pd_set_array(&protocols, false);
		values[6] = pd_set_array(&tools, false);
		values[7] = Int64GetDatum(failures);
		values[8] = Int64GetDatum(abandoned);
		values[9] = Int64GetDatum(rejections);
		values[10] = pd_set_array(&users, true);
		bits = pd_group_bits(&an.rows[a], b - a);
		pd_scan_verdict(bits, verdict, sizeof(verdict));
		if (verdict[0])
			values[11] = CStringGetTextDatum(verdict);
		else
			nulls[11] = true;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		a = b;
	}
	return (Datum) 0;
}
