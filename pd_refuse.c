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

#include "miscadmin.h"
#include "pd_attempts.h"
#include "pd_compat.h"
#include "pd_refuse.h"
#include "pd_text.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/timestamp.h"
#include "utils/varlena.h"

static int	pd_refuse_for = 3600;
static char *pd_trusted_networks = NULL;

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

static bool
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

static void
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

/*
 * Refuse the connection: FATAL, with the network's record in the server
 * log only.  The caller has recorded the refusal as an event.
 */
void
pd_refuse_report(const PdRefusal *r, uint8 family, const uint8 *addr)
{
	char		a[INET6_ADDRSTRLEN] = "?";
	char		n[INET6_ADDRSTRLEN] = "?";

	inet_ntop(family, addr, a, sizeof(a));
	inet_ntop(r->net.family, r->net.addr, n, sizeof(n));
	ereport(FATAL,
			(errcode(ERRCODE_SQLSERVER_REJECTED_ESTABLISHMENT_OF_SQLCONNECTION),
			 errmsg("connection from \"%s\" refused by probe_detect", a),
			 errdetail_log("The network %s/%d made %d probes or failed attempts within %d seconds; it is refused until %s.",
						   n, r->net.bits, r->events, r->window,
						   timestamptz_to_str(r->until))));
}

bool
pd_refuse_decide(uint8 family, const uint8 *addr, int transport, PdRefusal *out)
{
	TimestampTz now;
	PdNet		net;
	PdRefusal  *r;
	PdTallyCount c;

	if (pd_refuse_after <= 0 || pd_refused == NULL || pd_tally == NULL)
		return false;
	if (family == 0)
		return false;			/* the Unix socket is never refused */
	if (pd_trusted_addr(family, addr))
		return false;

	now = GetCurrentTimestamp();
	pd_tally_net(pd_tally, family, addr, &net);
	memset(out, 0, sizeof(*out));
	LWLockAcquire(pd_refused->lock, LW_SHARED);
	r = pd_find_refusal(&net);
	if (r)
		*out = *r;
	LWLockRelease(pd_refused->lock);
	if (r && out->until > now)
		return true;

	/* over the threshold now? */
	pd_attempt_count(family, addr, transport, now, &c);
	if (c.hostile < pd_refuse_after)
		return false;

	LWLockAcquire(pd_refused->lock, LW_EXCLUSIVE);
	r = pd_find_refusal(&net);
	if (r == NULL)
		r = pd_new_refusal(now);
	r->net = net;
	r->since = now;
	r->until = now + (int64) pd_refuse_for * USECS_PER_SEC;
	r->events = c.hostile;
	r->window = pd_refuse_window;
	*out = *r;
	LWLockRelease(pd_refused->lock);
	return true;
}

/* ----- the SQL functions' share ------------------------------------------ */

int
pd_refuse_snapshot(PdRefusal *out, int max)
{
	int			i,
				n = 0;

	LWLockAcquire(pd_refused->lock, LW_SHARED);
	for (i = 0; i < PD_REFUSED_MAX && n < max; i++)
		if (pd_refused->entries[i].net.family != 0)
			out[n++] = pd_refused->entries[i];
	LWLockRelease(pd_refused->lock);
	return n;
}

bool
pd_refuse_lift(uint8 family, const uint8 *addr)
{
	PdNet		net;
	PdRefusal  *r;
	bool		was = false;

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
	return was;
}

void
pd_refuse_define_settings(void)
{
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
	DefineCustomStringVariable("probe_detect.trusted_networks",
							   "Addresses and networks (CIDR, comma-separated) that are never refused.",
							   NULL,
							   &pd_trusted_networks,
							   "",
							   PGC_SIGHUP,
							   GUC_LIST_INPUT,
							   pd_trusted_check, pd_trusted_assign, NULL);
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
