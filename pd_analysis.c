/*-------------------------------------------------------------------------
 *
 * pd_analysis.c
 *	  Per-address analysis of the ring, for the views.
 *
 * Runs in a backend reading the views: it copies what it needs out of the
 * ring (lock-free, see pd_ring.h) into local memory and works there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pd_analysis.h"
#include "pd_attempts.h"
#include "pd_classes.h"
#include "utils/timestamp.h"

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
	PdClass		cls;

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
	r->last_seen = Max(ev->last_seen, ev->seen_at);
	r->occurrences = 1 + (int64) ev->repeats;
	r->failures = ev->kind == PD_KIND_AUTH_FAILED ? r->occurrences : 0;
	r->family = ev->addr_family;
	memcpy(r->addr, ev->addr, sizeof(r->addr));
	r->kind = ev->kind;
	r->ssl = ev->ssl;
	memcpy(r->user_name, ev->user_name, sizeof(r->user_name));
	memcpy(r->database_name, ev->database_name, sizeof(r->database_name));
	pd_event_class(ev, &cls);
	strlcpy(r->protocol, cls.protocol, sizeof(r->protocol));
	strlcpy(r->tool, cls.tool, sizeof(r->tool));
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

int
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
			/* a retry each, at most: the rest are failures of their own */
			r->failures = Max(r->occurrences - rows[last_tls].occurrences, 0);
		}
		last_tls = -1;
	}
}

/* Failures of a row: an event's when it is one, its score within a window. */
typedef struct PdFailure
{
	TimestampTz at;				/* its last occurrence */
	int64		n;
} PdFailure;

static int
pd_cmp_failure(const void *a, const void *b)
{
	TimestampTz x = ((const PdFailure *) a)->at;
	TimestampTz y = ((const PdFailure *) b)->at;

	return x < y ? -1 : x > y;
}

/*
 * More than pd_guessing_threshold failed attempts within the window?  An
 * event's failures are spread over its span (at most repeat_window wide),
 * and only what an even spread puts in one window counts, at its last time:
 * an application that fails every half hour for an hour is not a guesser.
 */
static bool
pd_guessing(const PdRow *rows, int n)
{
	int64		window = (int64) pd_guessing_window * USECS_PER_SEC;
	PdFailure  *f = palloc(sizeof(PdFailure) * Max(n, 1));
	int			nf = 0;
	int			lo = 0;
	int64		count = 0;
	bool		guessing = false;
	int			i;

	for (i = 0; i < n; i++)
	{
		int64		span = rows[i].last_seen - rows[i].seen_at;
		int64		k = rows[i].failures;

		if (k == 0)
			continue;
		if (span > window)
			k = Max((int64) ((double) k * window / span), 1);
		f[nf].at = rows[i].last_seen;
		f[nf].n = k;
		nf++;
	}
	qsort(f, nf, sizeof(PdFailure), pd_cmp_failure);
	for (i = 0; i < nf && !guessing; i++)
	{
		count += f[i].n;
		while (f[i].at - f[lo].at > window)
			count -= f[lo++].n;
		guessing = count > pd_guessing_threshold;
	}
	pfree(f);
	return guessing;
}

void
pd_analyze(PdRing *ring, PdAnalysis *an)
{
	PdCollect	c = {NULL, 0, 0};
	PdScanEvent *scan;
	int			i;
	int			a;

	/* whole events: the classifier reads their payloads */
	pd_ring_scan(ring, pd_collect_one, &c);

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

/* Scan bits of rows[0..n) (one address), password guessing included. */
int
pd_analysis_bits(const PdRow *rows, int n)
{
	int			bits = 0;
	int64		failures = 0;
	int			i;

	for (i = 0; i < n; i++)
	{
		bits |= rows[i].scan.scan;
		failures += rows[i].failures;
	}
	if (failures > pd_guessing_threshold && pd_guessing(rows, n))
		bits |= PD_SCAN_GUESSING;
	return bits;
}
