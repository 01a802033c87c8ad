/*-------------------------------------------------------------------------
 *
 * postgres.c
 *	  PostgreSQL itself: what the server rejected, the tool behind the
 *	  start-up parameters, and the iterator over those parameters.
 *
 * Tried after every other rule, since its evidence is weaker: a version
 * word PostgreSQL rejected says little more than that the client meant to
 * speak PostgreSQL.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

#define PD_CANCEL_CODE	0x04d2162e
#define PD_SSL_CODE		0x04d2162f
#define PD_GSS_CODE		0x04d21630

/* The most parameters looked at: real clients send a handful. */
#define PD_PARAMS_MAX	64
/* ... and shown in the detail line */
#define PD_PARAMS_SHOWN	16

/* ----- start-up parameters ---------------------------------------------- */

/* strnlen() is POSIX, not C99. */
static size_t
pd_strnlen(const char *s, size_t max)
{
	const char *z = memchr(s, 0, max);

	return z ? (size_t) (z - s) : max;
}

bool
pd_params_next(const char *params, size_t len, size_t *pos, PdParam *param)
{
	size_t		i = *pos;
	size_t		kl,
				vl;

	if (i >= len || params[i] == '\0')
		return false;
	kl = pd_strnlen(params + i, len - i);
	if (i + kl + 1 >= len)
		return false;			/* an unterminated name, or no value */
	vl = pd_strnlen(params + i + kl + 1, len - i - kl - 1);
	param->name = params + i;
	param->name_len = kl;
	param->value = params + i + kl + 1;
	param->value_len = vl;
	param->complete = i + kl + 1 + vl < len;
	*pos = param->complete ? i + kl + 1 + vl + 1 : len;
	return true;
}

/* The value of start-up parameter "name", or NULL. */
static const char *
pd_param(const char *p, size_t len, const char *name)
{
	size_t		pos = 0;
	PdParam		pr;
	int			n;

	for (n = 0; n < PD_PARAMS_MAX && pd_params_next(p, len, &pos, &pr) &&
		 pr.complete; n++)
		if (strcmp(pr.name, name) == 0)
			return pr.value;
	return NULL;
}

static int
pd_param_count(const char *p, size_t len)
{
	size_t		pos = 0;
	PdParam		pr;
	int			n = 0;

	while (n < PD_PARAMS_MAX && pd_params_next(p, len, &pos, &pr) && pr.complete)
		n++;
	return n;
}

static bool
pd_param_is(const char *p, size_t len, const char *name, const char *want)
{
	const char *val = pd_param(p, len, name);

	return val != NULL && strcmp(val, want) == 0;
}

/*
 * Scanners that speak PostgreSQL, told apart by the parameters they send
 * (from their public source: zgrab2's modules/postgres, nmap's pgsql.lua,
 * nuclei's pgsql templates); the names are tools.c's.  user=postgres with
 * database=template1 and nothing else is Metasploit's postgres-pr, but also
 * hydra's and medusa's default database through libpq: no name.
 */
static void
pd_postgres_tool(const char *p, size_t len, PdClass *c)
{
	int			n = pd_param_count(p, len);

	if (n == 2 && pd_param_is(p, len, "client_encoding", "UTF8") &&
		pd_param_is(p, len, "datestyle", "ISO, MDY"))
		PD_SET(c->tool, "zgrab2 postgres");
	else if (n == 2 && pd_param_is(p, len, "user", "versionprobe") &&
			 pd_param_is(p, len, "database", "versionprobe"))
		PD_SET(c->tool, "nmap NSE");
	else if (pd_param_is(p, len, "user", "nuclei"))
		PD_SET(c->tool, "nuclei");
}

/*
 * Parameters for the detail line: name=value, escaped, space-separated.  A
 * value the list cuts off is shown as far as it goes.
 */
static void
pd_postgres_params(const char *p, size_t len, PdStr *d)
{
	size_t		pos = 0;
	PdParam		pr;
	int			n;

	for (n = 0; n < PD_PARAMS_SHOWN && pd_params_next(p, len, &pos, &pr); n++)
	{
		pd_str_add(d, " ");
		pd_str_addn(d, (const uint8_t *) pr.name, pr.name_len);
		pd_str_add(d, "=");
		pd_str_addn(d, (const uint8_t *) pr.value, Min_(pr.value_len, 40));
	}
}

/*
 * Does the list hold at least one complete parameter, and only parameters
 * whose names are lowercase identifiers (as PostgreSQL's and its clients'
 * are: user, database, application_name, _pq_.x) and whose values have no
 * control characters?
 */
static bool
pd_params_plausible(const char *p, size_t len)
{
	size_t		pos = 0;
	PdParam		pr;
	int			n;

	if (p == NULL)
		return false;
	for (n = 0; n < PD_PARAMS_MAX && pd_params_next(p, len, &pos, &pr); n++)
	{
		size_t		k;

		if (pr.name_len > 63)
			return false;
		for (k = 0; k < pr.name_len; k++)
		{
			char		ch = pr.name[k];

			if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
				  ch == '_' || ch == '.' || ch == '-'))
				return false;
		}
		for (k = 0; k < pr.value_len; k++)
			if ((unsigned char) pr.value[k] < 0x20 || pr.value[k] == 0x7f)
				return false;
	}
	return n > 0;
}

/* ----- the rule --------------------------------------------------------- */

/* A version word PostgreSQL rejected, or saw in a packet it would parse. */
static bool
pd_postgres_version(uint32_t w, PdClass *c, PdStr *d)
{
	unsigned	major = w >> 16,
				minor = w & 0xffff;

	if (w == PD_SSL_CODE || w == PD_GSS_CODE || w == PD_CANCEL_CODE)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_addf(d, "%s code where a protocol version belongs (request repeated)",
					w == PD_SSL_CODE ? "SSLRequest" : w == PD_GSS_CODE ?
					"GSSENCRequest" : "CancelRequest");
		return true;
	}
	if (w == 0x00ff00ff)
	{
		/* zgrab2 asks for 255.255 to draw the full error (its comment says so) */
		PD_SET(c->protocol, "postgres");
		PD_SET(c->tool, "zgrab2 postgres");
		pd_str_add(d, "protocol 255.255");
		return true;
	}
	/*
	 * PostgreSQL's protocols before 3.0 were 1.0 and 2.0; no version 4 or
	 * later exists.  Versions 4.x-9.x and minors other than 0 were named
	 * once, but they are what a Kafka request header is (api key, api
	 * version): kafka-python probes a broker with OffsetFetch v0, 9.0.  Only
	 * X.0 below 3 is left, which Kafka clients send only to a broker whose
	 * metadata they already have (Produce, Fetch, ListOffsets v0).
	 */
	if (major <= 2 && minor == 0)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_addf(d, "protocol %u.%u%s", major, minor,
					major == 2 ? " (clients before PostgreSQL 7.4)" :
					major == 0 && minor == 0 ? " (no real client sends this)" : "");
		return true;
	}
	return false;
}

/*
 * Unlike the other rules this one is told what the server made of the
 * bytes (the probe's kind) and what it parsed from them (its parameters).
 */
bool
pd_rule_postgres(const PdView *v, const PdProbe *probe, PdClass *c)
{
	int			kind = probe->kind;
	PdStr		d;
	long long	len = pd_be32(v, 0);
	long long	w = pd_be32(v, 4);

	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (pd_kind_is_auth(kind))
	{
		/* a client that got as far as authentication: only who it is */
		PD_SET(c->protocol, "postgres");
		if (probe->params)
			pd_postgres_tool(probe->params, probe->params_len, c);
		return true;
	}
	if (kind == PD_KIND_MISSING_USER || kind == PD_KIND_INVALID_LAYOUT)
	{
		/*
		 * A bad layout is all the server says of any 3.x version word with
		 * a body that is no parameter list: Kafka's Metadata request v0-12
		 * (api key 3) ends here with nothing parsed.  Only parameters that
		 * look like PostgreSQL's make it postgres.
		 */
		if (kind == PD_KIND_INVALID_LAYOUT &&
			!pd_params_plausible(probe->params, probe->params_len))
			return false;
		PD_SET(c->protocol, "postgres");
		pd_str_add(&d, kind == PD_KIND_MISSING_USER ?
				   "StartupMessage without a user name" :
				   "StartupMessage with a bad layout");
		if (probe->params)
		{
			pd_str_add(&d, ":");
			pd_postgres_params(probe->params, probe->params_len, &d);
			pd_postgres_tool(probe->params, probe->params_len, c);
		}
		return true;
	}
	if (w < 0)
		return false;
	if (kind == PD_KIND_UNSUPPORTED_PROTOCOL)
		return pd_postgres_version((uint32_t) w, c, &d);

	/* Whole stream: what would PostgreSQL make of it? */
	if (v->off != 0 || len < 8 || len > 10004)
		return false;
	if (w == PD_SSL_CODE && len == 8)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_add(&d, "SSLRequest");
		return true;
	}
	if (w == PD_GSS_CODE && len == 8)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_add(&d, "GSSENCRequest");
		return true;
	}
	if (w == PD_CANCEL_CODE && len == 16)
	{
		PD_SET(c->protocol, "postgres");
		pd_str_add(&d, "CancelRequest");
		return true;
	}
	if ((w >> 16) == 3 && (size_t) len <= pd_end(v) && pd_at(v, len - 1) == 0)
	{
		const char *p = (const char *) v->b + 8;
		size_t		pl = (size_t) len - 8;

		PD_SET(c->protocol, "postgres");
		pd_str_addf(&d, "StartupMessage 3.%lld", w & 0xffff);
		pd_postgres_params(p, pl, &d);
		pd_postgres_tool(p, pl, c);
		return true;
	}
	if (pd_end(v) >= 8 && pd_postgres_version((uint32_t) w, c, &d))
		return true;
	return false;
}
