/*-------------------------------------------------------------------------
 *
 * pd_refuse.c
 *	  Refusing addresses that probe or guess too much (off by default).
 *
 * Once a network (an address masked to probe_detect.refuse_ipv4_prefix or
 * _ipv6_prefix) has made probe_detect.refuse_after hostile attempts within
 * probe_detect.refuse_window, its connections are refused for
 * probe_detect.refuse_for.  Attempts are probes and failed logins, with
 * libpq's fallbacks (sslmode=prefer and allow, gssencmode=prefer) counted
 * as one attempt, and not at all when the fallback gets in: pd_tally.c.
 * The check runs in ClientAuthentication_hook, the first point where a
 * module may end a connection: after the authentication exchange, so what
 * it stops is logins, right or wrong.
 *
 * Cost: the count is read from the network's tally (pd_tally.c), a fixed
 * number of words whatever the ring holds.  The table of refused networks
 * is touched only by backends that have a PGPROC (the authentication hook,
 * the SQL functions), under one LWLock; the pre-PGPROC child never sees it.
 * It has PD_REFUSED_MAX entries: when it is full, the refusal that ends
 * first is dropped.  A pardon (probe_detect_unrefuse) takes no entry: it
 * lifts the refusal and empties the network's tally, so the network stays
 * pardoned until it makes refuse_after new attempts.
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
#include "pd_tally.h"
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

static PdRefusal *
pd_find_refusal(const PdNet *net)
{
	int			i;

	for (i = 0; i < PD_REFUSED_MAX; i++)
	{
		PdRefusal  *r = &pd_refused->entries[i];

		if (r->net.family != 0 && memcmp(&r->net, net, sizeof(PdNet)) == 0)
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

		if (r->net.family == 0 || r->until <= now)
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
	char		n[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, a, sizeof(a));
	inet_ntop(r->net.family, r->net.addr, n, sizeof(n));
	pd_record_refusal();
	ereport(FATAL,
			(errcode(ERRCODE_SQLSERVER_REJECTED_ESTABLISHMENT_OF_SQLCONNECTION),
			 errmsg("connection from \"%s\" refused by probe_detect", a),
			 errdetail_log("The network %s/%d made %d probes or failed attempts within %d seconds; it is refused until %s.",
						   n, r->net.bits, r->events, r->window,
						   timestamptz_to_str(r->until))));
}

void
pd_refuse_check(Port *port)
{
	uint8		family;
	uint8		addr[16];
	uint16		client_port;
	TimestampTz now;
	PdNet		net;
	PdRefusal	copy;
	PdRefusal  *r;
	PdTallyCount c;

	if (pd_refuse_after <= 0 || pd_refused == NULL || pd_tally == NULL)
		return;
	family = pd_port_addr(port, addr, &client_port);
	if (family == 0)
		return;					/* the Unix socket is never refused */
	if (pd_trusted_addr(family, addr))
		return;

	now = GetCurrentTimestamp();
	pd_tally_net(pd_tally, family, addr, &net);
	memset(&copy, 0, sizeof(copy));
	LWLockAcquire(pd_refused->lock, LW_SHARED);
	r = pd_find_refusal(&net);
	if (r)
		copy = *r;
	LWLockRelease(pd_refused->lock);
	if (r && copy.until > now)
		pd_refuse(&copy, family, addr);

	/* over the threshold now? */
	pd_tally_count(pd_tally, family, addr, pd_port_transport(port), now,
				   pd_refuse_window, pd_guessing_window, &c);
	if (c.hostile < pd_refuse_after)
		return;

	LWLockAcquire(pd_refused->lock, LW_EXCLUSIVE);
	r = pd_find_refusal(&net);
	if (r == NULL)
		r = pd_new_refusal(now);
	r->net = net;
	r->since = now;
	r->until = now + (int64) pd_refuse_for * USECS_PER_SEC;
	r->events = c.hostile;
	r->window = pd_refuse_window;
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

		if (copy[i].net.family == 0 || copy[i].until <= now)
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
 * Lift the refusal of an address's network and pardon it: its tally starts
 * again from nothing, so it is refused again only after refuse_after new
 * attempts.  True if the network was refused.
 */
Datum
probe_detect_unrefuse(PG_FUNCTION_ARGS)
{
	inet	   *ip = PG_GETARG_INET_PP(0);
	uint8		family;
	uint8		addr[16] = {0};
	PdNet		net;
	PdRefusal  *r;
	bool		was = false;

	pd_check_loaded();
	family = ip_family(ip) == PGSQL_AF_INET ? AF_INET : AF_INET6;
	memcpy(addr, ip_addr(ip), ip_addrsize(ip));
	pd_tally_net(pd_tally, family, addr, &net);

	LWLockAcquire(pd_refused->lock, LW_EXCLUSIVE);
	r = pd_find_refusal(&net);
	if (r != NULL)
	{
		was = r->until > GetCurrentTimestamp();
		memset(r, 0, sizeof(*r));
	}
	pd_tally_forget(pd_tally, family, addr);
	LWLockRelease(pd_refused->lock);
	PG_RETURN_BOOL(was);
}

/* ----- saving ------------------------------------------------------------- */

int
pd_refuse_export(PdRefusal *out, int max)
{
	int			i,
				n = 0;

	for (i = 0; i < PD_REFUSED_MAX && n < max; i++)
		if (pd_refused->entries[i].net.family != 0)
			out[n++] = pd_refused->entries[i];
	return n;
}

void
pd_refuse_import(const PdRefusal *in, int n)
{
	int			i;

	for (i = 0; i < n && i < PD_REFUSED_MAX; i++)
		pd_refused->entries[i] = in[i];
}
