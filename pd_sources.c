/*-------------------------------------------------------------------------
 *
 * pd_sources.c
 *	  The probe_detect_sources view: one row per client address, from the
 *	  ring's analysis (pd_analysis.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "pd_analysis.h"
#include "pd_compat.h"
#include "pd_labels.h"
#include "pd_ring.h"
#include "pd_sql.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#define PD_SOURCES_COLS		12
#define PD_ARRAY_MAX		32	/* distinct values kept per array */

PG_FUNCTION_INFO_V1(probe_detect_sources);

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
					occurrences = 0,
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
			if (e->kind == PD_KIND_AUTH_FAILED)
				failures += e->failures;
			else if (e->kind == PD_KIND_AUTH_ABANDONED)
				abandoned += e->occurrences;
			else if (e->kind == PD_KIND_HBA_REJECTED || e->kind == PD_KIND_CERT_REJECTED)
				rejections += e->occurrences;
			if (pd_kind_is_auth(e->kind))
				pd_set_add(&users, e->user_name);
			occurrences += e->occurrences;
			first = Min(first, e->seen_at);
			last = Max(last, e->last_seen);
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
		values[3] = Int64GetDatum(occurrences);	/* repeats included */
		values[4] = pd_set_array(&kinds, false);
		values[5] = pd_set_array(&protocols, false);
		values[6] = pd_set_array(&tools, false);
		values[7] = Int64GetDatum(failures);
		values[8] = Int64GetDatum(abandoned);
		values[9] = Int64GetDatum(rejections);
		values[10] = pd_set_array(&users, true);
		bits = pd_analysis_bits(&an.rows[a], b - a);
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
