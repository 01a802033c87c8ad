/*-------------------------------------------------------------------------
 *
 * pd_attempts.c
 *	  Hostile attempts per network: the settings that shape the tallies
 *	  (pd_tally.c), and the few questions the rest of the module asks them.
 *
 * The tallies are shared memory written lock-free, so the pre-PGPROC child
 * counts its probe here too.  Their windows, prefixes and refuse_after are
 * settings read in three places (recording, refusing, the guessing
 * verdict): they are defined here, below all three.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pd_attempts.h"
#include "pd_compat.h"
#include "pd_kind.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

PdTally    *pd_tally = NULL;
int			pd_guessing_threshold = 10;
int			pd_guessing_window = 600;
int			pd_refuse_window = 600;
int			pd_refuse_after = 0;

/* the networks that refusals and counts are keyed on */
static int	pd_ipv4_prefix = 32;
static int	pd_ipv6_prefix = 64;

void
pd_attempts_define_settings(void)
{
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
	DefineCustomIntVariable("probe_detect.refuse_ipv4_prefix",
							"Prefix length of the IPv4 networks that refusals and their counts are keyed on.",
							NULL,
							&pd_ipv4_prefix,
							32,
							8,
							32,
							PGC_POSTMASTER,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("probe_detect.refuse_ipv6_prefix",
							"Prefix length of the IPv6 networks that refusals and their counts are keyed on.",
							NULL,
							&pd_ipv6_prefix,
							64,
							16,
							128,
							PGC_POSTMASTER,
							0,
							NULL, NULL, NULL);
}

Size
pd_attempts_shmem_size(void)
{
	return pd_tally_size();
}

void
pd_attempts_shmem_init(void *mem, bool found)
{
	PdTally    *tally = (PdTally *) mem;

	if (!found)
	{
		uint64		seed = 0;

		/* a seed no client can guess, so none can aim at a slot */
		if (!pg_strong_random(&seed, sizeof(seed)))
			seed = (uint64) GetCurrentTimestamp() ^ ((uint64) MyProcPid << 32);
		pd_tally_init(tally, seed, pd_ipv4_prefix, pd_ipv6_prefix);
	}
	pd_tally = tally;
}

pd_hot void
pd_attempt(uint8 family, const uint8 *addr, int kind, int transport,
		   TimestampTz at)
{
	/*
	 * A probe counts toward refusing and nothing else: with refusing off,
	 * the start-up child leaves the tallies' pages untouched.  Failed
	 * logins and TLS failures (libpq's retries pair them) always count, for
	 * the guessing verdict.
	 */
	if (pd_refuse_after <= 0 && pd_kind_is_probe(kind) &&
		kind != PD_KIND_TLS_FAILURE)
		return;
	if (pd_tally != NULL)
		pd_tally_event(pd_tally, family, addr, kind, transport, at,
					   pd_refuse_window, pd_guessing_window);
}

void
pd_attempt_success(uint8 family, const uint8 *addr, int transport,
				   TimestampTz at)
{
	if (pd_tally != NULL)
		pd_tally_success(pd_tally, family, addr, transport, at);
}

void
pd_attempt_count(uint8 family, const uint8 *addr, int transport,
				 TimestampTz now, PdTallyCount *out)
{
	memset(out, 0, sizeof(*out));
	if (pd_tally != NULL)
		pd_tally_count(pd_tally, family, addr, transport, now,
					   pd_refuse_window, pd_guessing_window, out);
}

bool
pd_attempt_guessing(uint8 family, const uint8 *addr, int transport,
					TimestampTz now)
{
	PdTallyCount c;

	if (family == 0)
		return false;			/* the Unix socket is nobody's network */
	pd_attempt_count(family, addr, transport, now, &c);
	return c.failed > pd_guessing_threshold;
}
