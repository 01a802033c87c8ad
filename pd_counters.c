/*-------------------------------------------------------------------------
 *
 * pd_counters.c
 *	  Cumulative counters in shared memory (see pd_counters.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "pd_counters.h"
#include "pd_labels.h"
#include "pd_ring.h"

PdCounters *pd_counters = NULL;

Size
pd_counters_size(void)
{
	return sizeof(PdCounters);
}

/*
 * The counters by name: what is saved, and what the view shows.  A group is
 * an array of counters in PdCounters (one, for a counter without a label).
 */
typedef struct PdCounterGroup
{
	const char *name;
	size_t		offset;			/* of its first counter in PdCounters */
	int			n;
	const char *(*label) (int i);	/* NULL for one neither shown nor saved */
}			PdCounterGroup;

static const char *
pd_label_kind(int i)
{
	return pd_kind_name(i);		/* NULL for PD_KIND_NONE: skipped */
}

static const char *
pd_label_protocol(int i)
{
	return pd_protocol_labels[i];
}

static const char *
pd_label_tool(int i)
{
	return pd_tool_families[i];
}

static const char *
pd_label_none(int i)
{
	(void) i;
	return "";
}

static const char *
pd_label_verdict(int i)
{
	return i == PD_VERDICT_NONE ? NULL : pd_verdict_names[i];
}

static const PdCounterGroup pd_groups[] = {
	{"events_by_kind", offsetof(PdCounters, kinds), PD_KIND_MAX, pd_label_kind},
	{"events_by_protocol", offsetof(PdCounters, protocols), PD_PROTOCOL_LABELS,
	pd_label_protocol},
	{"events_by_tool", offsetof(PdCounters, tools), PD_TOOL_FAMILIES, pd_label_tool},
	{"guessing_logins", offsetof(PdCounters, guessing), 1, pd_label_none},
	{"ban_feed_records", offsetof(PdCounters, feed), PD_VERDICT_MAX, pd_label_verdict},
	{"ban_feed_errors", offsetof(PdCounters, feed_errors), 1, pd_label_none},
	{"repeats", offsetof(PdCounters, repeats), 1, pd_label_none},
	{"health_checks", offsetof(PdCounters, health_checks), 1, pd_label_none},
};

/* Counter i of group g in c. */
static pg_atomic_uint64 *
pd_group_at(PdCounters *c, const PdCounterGroup *g, int i)
{
	return (pg_atomic_uint64 *) ((char *) c + g->offset) + i;
}

/* Every counter, labelled or not: initialised at start, zeroed by a reset. */
void
pd_counters_init(PdCounters *c, uint64 next_id)
{
	size_t		g;
	int			i;

	for (g = 0; g < lengthof(pd_groups); g++)
		for (i = 0; i < pd_groups[g].n; i++)
			pg_atomic_init_u64(pd_group_at(c, &pd_groups[g], i), 0);
	pg_atomic_init_u64(&c->classified_upto, next_id);
}

/*
 * probe_detect_reset(): not atomic as a whole, like pg_stat_reset(); an
 * event counted meanwhile may survive it.  Prometheus sees a counter reset.
 */
void
pd_counters_reset(PdCounters *c, uint64 next_id)
{
	size_t		g;
	int			i;

	for (g = 0; g < lengthof(pd_groups); g++)
		for (i = 0; i < pd_groups[g].n; i++)
			pg_atomic_write_u64(pd_group_at(c, &pd_groups[g], i), 0);
	pg_atomic_write_u64(&c->classified_upto, next_id);
}

void
pd_counters_foreach(PdCounters *c, PdCounterVisitor fn, void *arg)
{
	size_t		g;
	int			i;

	for (g = 0; g < lengthof(pd_groups); g++)
		for (i = 0; i < pd_groups[g].n; i++)
		{
			const char *label = pd_groups[g].label(i);

			if (label != NULL)
				fn(pd_groups[g].name, label,
				   pg_atomic_read_u64(pd_group_at(c, &pd_groups[g], i)), arg);
		}
}

typedef struct PdExport
{
	PdCounterSaved *out;
	int			max;
	int			n;
}			PdExport;

static void
pd_export_one(const char *counter, const char *label, uint64 value, void *arg)
{
	PdExport   *e = (PdExport *) arg;

	if (value == 0 || e->n >= e->max)
		return;
	memset(&e->out[e->n], 0, sizeof(PdCounterSaved));
	strlcpy(e->out[e->n].counter, counter, PD_COUNTER_NAME_MAX);
	strlcpy(e->out[e->n].label, label, PD_COUNTER_NAME_MAX);
	e->out[e->n].value = value;
	e->n++;
}

int
pd_counters_export(PdCounters *c, PdCounterSaved *out, int max)
{
	PdExport	e = {out, max, 0};

	pd_counters_foreach(c, pd_export_one, &e);
	return e.n;
}

/*
 * Counters come back by name; one whose label is no longer known is
 * dropped (a protocol the classifier stopped naming starts from zero under
 * its new name).
 */
void
pd_counters_import(PdCounters *c, const PdCounterSaved *in, int n)
{
	int			k;

	for (k = 0; k < n; k++)
	{
		char		counter[PD_COUNTER_NAME_MAX];
		char		label[PD_COUNTER_NAME_MAX];
		size_t		g;
		int			i;

		strlcpy(counter, in[k].counter, sizeof(counter));
		strlcpy(label, in[k].label, sizeof(label));
		for (g = 0; g < lengthof(pd_groups); g++)
		{
			if (strcmp(pd_groups[g].name, counter) != 0)
				continue;
			for (i = 0; i < pd_groups[g].n; i++)
			{
				const char *l = pd_groups[g].label(i);

				if (l != NULL && strcmp(l, label) == 0)
					pg_atomic_write_u64(pd_group_at(c, &pd_groups[g], i), in[k].value);
			}
		}
	}
}
