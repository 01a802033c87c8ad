/*-------------------------------------------------------------------------
 *
 * pd_refuse.c
 *	  Refusing addresses that probe or guess too much (off by default).
 *
 * Once an address has probe_detect.refuse_after probe or failed-login
 * events within probe_detect.refuse_window, its connections are refused
 * for probe_detect.refuse_for.  The check runs in ClientAuthentication_hook,
 * the first point where a module may end a connection: probes are rejected
 * by PostgreSQL anyway, so what this stops is logins, right or wrong.
 *
 * Locking: the count comes from the ring, read lock-free.  The table of
 * refused addresses is touched only by backends that have a PGPROC (the
 * authentication hook, the SQL functions), under one LWLock; the
 * pre-PGPROC child never sees it.  It has PD_REFUSED_MAX entries: when it is
 * full, the refusal that ends first is dropped, so no number of addresses
 * can make it grow or touch the ring.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "pd_capture.h"
#include "pd_compat.h"
#include "pd_refuse.h"
#include "pd_sources.h"
#include "pd_text.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/inet.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

int			pd_refuse_after = 0;
int			pd_refuse_window = 600;
int			pd_refuse_for = 3600;
char	   *pd_trusted_networks = NULL;

PG_FUNCTION_INFO_V1(probe_detect_refused);
PG_FUNCTION_INFO_V1(probe_detect_unrefuse);

typedef struct PdRefusal
{
	uint8		family;			/* 0: free */
	uint8		addr[16];
	TimestampTz since;
	TimestampTz until;
	int32		events;			/* what crossed the threshold */
	int32		window;			/* ... within this many seconds */
	TimestampTz pardoned;		/* probe_detect_unrefuse(): older events
								 * no longer count */
} PdRefusal;

typedef struct PdRefuseTable
{
	LWLock	   *lock;
	PdRefusal	entries[PD_REFUSED_MAX];
} PdRefuseTable;

static PdRefuseTable *pd_refused = NULL;

/* probe_detect.trusted_networks, parsed (PdNet: pd_text.h) */
typedef struct PdNets
{
	int			n;
	PdNet		net[FLEXIBLE_ARRAY_MEMBER];
} PdNets;

static PdNets *pd_trusted = NULL;

Size
pd_refuse_shmem_size(void)
{
	return MAXALIGN(sizeof(PdRefuseTable));
}

void
pd_refuse_shmem_request(void)
{
	RequestAddinShmemSpace(pd_refuse_shmem_size());
	RequestNamedLWLockTranche("probe_detect", 1);
}

void
pd_refuse_shmem_init(void *mem, bool found)
{
	pd_refused = (PdRefuseTable *) mem;
	if (!found)
	{
		memset(pd_refused, 0, sizeof(PdRefuseTable));
		pd_refused->lock = &(GetNamedLWLockTranche("probe_detect"))->lock;
	}
}

/* ----- trusted networks ------------------------------------------------- */

bool
pd_trusted_check(char **newval, void **extra, GucSource source)
{
	char	   *copy;
	List	   *items;
	ListCell   *lc;
	PdNets	   *nets;
	int			i = 0;

	(void) source;
	copy = pstrdup(*newval ? *newval : "");
	if (!SplitIdentifierString(copy, ',', &items))
	{
		GUC_check_errdetail("List syntax is invalid.");
		return false;
	}
	nets = pd_guc_extra_alloc(offsetof(PdNets, net) + sizeof(PdNet) * Max(list_length(items), 1));
	if (nets == NULL)
		return false;
	foreach(lc, items)
	{
		const char *item = (const char *) lfirst(lc);

		if (pd_parse_net(item, &nets->net[i]) != 0)
		{
			GUC_check_errdetail("\"%s\" is not an address or a network in CIDR notation.", item);
			pd_guc_extra_free(nets);
			return false;
		}
		i++;
	}
	nets->n = i;
	*extra = nets;
	return true;
}

void
pd_trusted_assign(const char *newval, void *extra)
{
	(void) newval;
	pd_trusted = (PdNets *) extra;
}

static bool
pd_trusted_addr(uint8 family, const uint8 *addr)
{
	int			i;

	for (i = 0; pd_trusted && i < pd_trusted->n; i++)
		if (pd_net_contains(&pd_trusted->net[i], family, addr))
			return true;
	return false;
}

/* ----- the check -------------------------------------------------------- */

/* Events that count: probes and failed logins, not refusals themselves. */
static bool
pd_counts(int kind)
{
	return kind != PD_KIND_AUTH_ABANDONED && kind != PD_KIND_UNKNOWN_DATABASE &&
		kind != PD_KIND_UNKNOWN_ROLE && kind != PD_KIND_REFUSED;
}

typedef struct PdCount
{
	uint8		family;
	const uint8 *addr;
	TimestampTz from;
	int			n;
} PdCount;

static void
pd_count_one(const PdEvent *ev, void *arg)
{
	PdCount    *c = (PdCount *) arg;

	if (ev->seen_at >= c->from && ev->addr_family == c->family &&
		memcmp(ev->addr, c->addr, 16) == 0 && pd_counts(ev->kind))
		c->n++;
}

/*
 * Newest first, only as far back as the window (ids follow time to within
 * the moment between a writer's clock reading and its claim: allow 1 s),
 * so a connection pays for the recent events, not for the whole ring.
 */
static void
pd_count_recent(PdCount *c, PdEvent *buf)
{
	uint64		id = pd_ring_next_id(pd_ring);

	while (--id > 0)
	{
		if (!pd_ring_get(pd_ring, id, buf))
		{
			if (pd_ring_next_id(pd_ring) - id >= pd_ring->nslots)
				break;			/* overwritten or reset: nothing older */
			continue;			/* being written */
		}
		if (buf->seen_at < c->from - USECS_PER_SEC)
			break;
		pd_count_one(buf, c);
	}
}

static PdRefusal *
pd_find_refusal(uint8 family, const uint8 *addr)
{
	int			i;

	for (i = 0; i < PD_REFUSED_MAX; i++)
	{
		PdRefusal  *r = &pd_refused->entries[i];

		if (r->family == family && memcmp(r->addr, addr, 16) == 0)
			return r;
	}
	return NULL;
}

/* A free or expired entry, else the refusal that ends first. */
static PdRefusal *
pd_new_refusal(TimestampTz now)
{
	PdRefusal  *victim = &pd_refused->entries[0];
	int			i;

	for (i = 0; i < PD_REFUSED_MAX; i++)
	{
		PdRefusal  *r = &pd_refused->entries[i];

		if (r->family == 0 || r->until <= now)
			return r;
		if (r->until < victim->until)
			victim = r;
	}
	return victim;
}

static void
pd_refuse(const PdRefusal *r, uint8 family, const uint8 *addr)
{
	char		a[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, a, sizeof(a));
	pd_record_refusal();
	ereport(FATAL,
			(errcode(ERRCODE_SQLSERVER_REJECTED_ESTABLISHMENT_OF_SQLCONNECTION),
			 errmsg("connection from \"%s\" refused by probe_detect", a),
			 errdetail_log("The address had %d probe or failed-login events within %d seconds; it is refused until %s.",
						   r->events, r->window, timestamptz_to_str(r->until))));
}

void
pd_refuse_check(Port *port)
{
	uint8		family;
	uint8		addr[16];
	uint16		client_port;
	TimestampTz now;
	PdRefusal	copy;
	PdRefusal  *r;
	PdCount		c;
	PdEvent    *buf;

	if (pd_refuse_after <= 0 || pd_refused == NULL || pd_ring == NULL)
		return;
	family = pd_port_addr(port, addr, &client_port);
	if (family == 0)
		return;					/* the Unix socket is never refused */
	if (pd_trusted_addr(family, addr))
		return;

	now = GetCurrentTimestamp();
	memset(&copy, 0, sizeof(copy));
	LWLockAcquire(pd_refused->lock, LW_SHARED);
	r = pd_find_refusal(family, addr);
	if (r)
		copy = *r;
	LWLockRelease(pd_refused->lock);
	if (r && copy.until > now)
		pd_refuse(&copy, family, addr);

	/* over the threshold now? count this address's recent events */
	c.family = family;
	c.addr = addr;
	c.from = Max(now - (int64) pd_refuse_window * USECS_PER_SEC, copy.pardoned);
	c.n = 0;
	buf = palloc(PD_EVENT_SIZE(pd_ring->capture_bytes));
	pd_count_recent(&c, buf);
	pfree(buf);
	if (c.n < pd_refuse_after)
		return;

	LWLockAcquire(pd_refused->lock, LW_EXCLUSIVE);
	r = pd_find_refusal(family, addr);
	if (r == NULL)
		r = pd_new_refusal(now);
	r->family = family;
	memcpy(r->addr, addr, 16);
	r->since = now;
	r->until = now + (int64) pd_refuse_for * USECS_PER_SEC;
	r->events = c.n;
	r->window = pd_refuse_window;
	r->pardoned = 0;
	copy = *r;
	LWLockRelease(pd_refused->lock);
	pd_refuse(&copy, family, addr);
}

/* ----- SQL -------------------------------------------------------------- */

/* The addresses refused now. */
Datum
probe_detect_refused(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	PdRefusal  *copy;
	TimestampTz now = GetCurrentTimestamp();
	int			i;

	pd_check_loaded();
	pd_init_srf(fcinfo);

	copy = palloc(sizeof(PdRefusal) * PD_REFUSED_MAX);
	LWLockAcquire(pd_refused->lock, LW_SHARED);
	memcpy(copy, pd_refused->entries, sizeof(PdRefusal) * PD_REFUSED_MAX);
	LWLockRelease(pd_refused->lock);

	for (i = 0; i < PD_REFUSED_MAX; i++)
	{
		Datum		values[4];
		bool		nulls[4] = {false, false, false, false};

		if (copy[i].family == 0 || copy[i].until <= now)
			continue;
		values[0] = pd_inet_datum(copy[i].family, copy[i].addr);
		values[1] = TimestampTzGetDatum(copy[i].since);
		values[2] = TimestampTzGetDatum(copy[i].until);
		values[3] = CStringGetTextDatum(psprintf("%d probe or failed-login events within %d s",
												 copy[i].events, copy[i].window));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/* Lift a refusal; true if the address was refused. */
Datum
probe_detect_unrefuse(PG_FUNCTION_ARGS)
{
	inet	   *ip = PG_GETARG_INET_PP(0);
	uint8		family;
	uint8		addr[16] = {0};
	PdRefusal  *r;
	bool		was;

	pd_check_loaded();
	if (ip_family(ip) == PGSQL_AF_INET && ip_bits(ip) == 32)
		family = AF_INET;
	else if (ip_family(ip) == PGSQL_AF_INET6 && ip_bits(ip) == 128)
		family = AF_INET6;
	else
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("probe_detect_unrefuse needs a single address, not a network")));
	memcpy(addr, ip_addr(ip), ip_addrsize(ip));

	/*
	 * Lift the refusal and pardon what came before: only events after now
	 * count toward the next one.
	 */
	LWLockAcquire(pd_refused->lock, LW_EXCLUSIVE);
	r = pd_find_refusal(family, addr);
	was = r != NULL && r->until > GetCurrentTimestamp();
	if (r == NULL)
		r = pd_new_refusal(GetCurrentTimestamp());
	memset(r, 0, sizeof(*r));
	r->family = family;
	memcpy(r->addr, addr, 16);
	r->pardoned = GetCurrentTimestamp();
	LWLockRelease(pd_refused->lock);
	PG_RETURN_BOOL(was);
}
