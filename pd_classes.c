/*-------------------------------------------------------------------------
 *
 * pd_classes.c
 *	  The classifier's verdicts on stored events, derived when they are read.
 *
 * The start-up child records facts only (pd_capture.c); every reader asks
 * the classifier here: the views, the scan verdicts, the counters' protocol
 * and tool families, and, only where the answer is needed at once, the
 * child itself (the annotated log line, the ban feed's protocol, a repeat
 * with other bytes).  So an improved classifier names yesterday's events,
 * and a probe that nobody looks at costs no classification.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "classify/ja4.h"
#include "pd_classes.h"
#include "pd_text.h"

/* Append "name\0value\0" to buf at *n if it fits. */
static void
pd_put_pair(char *buf, size_t size, size_t *n, const char *name, const char *value)
{
	size_t		ln = strlen(name) + 1;
	size_t		lv = strnlen(value, PD_NAME_MAX - 1) + 1;

	if (*n + ln + lv > size)
		return;
	memcpy(buf + *n, name, ln);
	*n += ln;
	memcpy(buf + *n, value, lv - 1);
	buf[*n + lv - 1] = '\0';
	*n += lv;
}

/* Kinds for which PostgreSQL parsed the start-up options. */
static bool
pd_has_params(int kind)
{
	return pd_kind_is_auth(kind) || kind == PD_KIND_MISSING_USER ||
		kind == PD_KIND_INVALID_LAYOUT;
}

/* The value of option name in ev's options, or NULL. */
static const char *
pd_param(const PdEvent *ev, const char *name, size_t *len)
{
	size_t		n = Min(ev->params_len, sizeof(ev->params));
	size_t		i = 0;

	while (i < n)
	{
		size_t		ln = strnlen(ev->params + i, n - i);
		size_t		lv;

		if (i + ln + 1 >= n)
			break;
		lv = strnlen(ev->params + i + ln + 1, n - i - ln - 1);
		if (strcmp(ev->params + i, name) == 0)
		{
			*len = lv;
			return ev->params + i + ln + 1;
		}
		i += ln + 1 + lv + 1;
	}
	return NULL;
}

/* Where the ClientHello's own part of a detail starts, or its end. */
static char *
pd_hello_part(char *detail)
{
	static const char *const keys[] = {" ja4=", " sni=", " alpn="};
	char	   *first = detail + strlen(detail);
	size_t		k;

	for (k = 0; k < lengthof(keys); k++)
	{
		char	   *p = strstr(detail, keys[k]);

		if (p != NULL && p < first)
			first = p;
	}
	return first;
}

/* The well-known TLS stack that facts' ja4= names, or NULL. */
static const char *
pd_facts_stack(const char *facts)
{
	const char *p = strstr(facts, "ja4=");
	char		ja4[PD_JA4_LEN + 1];

	if (p == NULL || (p != facts && p[-1] != ' '))
		return NULL;
	strlcpy(ja4, p + 4, sizeof(ja4));
	return pd_ja4_stack(ja4);
}

void
pd_event_class(const PdEvent *ev, PdClass *out)
{
	PdProbe		probe = {.kind = ev->kind};
	char		params[2 * (sizeof("database") + PD_NAME_MAX) + PD_PARAMS_MAX];
	size_t		np = 0;
	uint8		version[4];
	size_t		facts_len = strnlen(ev->facts, sizeof(ev->facts));
	const char *stack;

	/* the options as PostgreSQL parsed them: database and user first */
	if (pd_has_params(ev->kind))
	{
		if (ev->database_name[0])
			pd_put_pair(params, sizeof(params), &np, "database", ev->database_name);
		if (ev->user_name[0])
			pd_put_pair(params, sizeof(params), &np, "user", ev->user_name);
		memcpy(params + np, ev->params, Min(ev->params_len, sizeof(ev->params)));
		np += Min(ev->params_len, sizeof(ev->params));
		if (np > 0)
		{
			probe.params = params;
			probe.params_len = np;
		}
	}

	/*
	 * The version word of an unsupported protocol is in raw too, unless
	 * capture_bytes is under 4.  Bytes from stream offset 4 are read so
	 * (the server consumed a length word); any other capture starts a
	 * message of its own (bytes after an 8-byte request, a direct-TLS
	 * ClientHello).
	 */
	if (ev->has_proto)
	{
		pd_version_bytes(ev->proto, version);
		probe.bytes = version;
		probe.len = 4;
		probe.offset = 4;
	}
	else
	{
		probe.bytes = ev->raw;
		probe.len = ev->raw_len;
		probe.offset = ev->raw_len == 0 || ev->raw_offset == 4 ? 4 : 0;
	}
	pd_classify(&probe, out);

	if (pd_kind_is_auth(ev->kind))
	{
		const char *app;
		size_t		len;

		/* how the client tried, as the server saw it, and who it says it is */
		if (facts_len > 0)
			strlcpy(out->detail, ev->facts, sizeof(out->detail));
		app = pd_param(ev, "application_name", &len);
		if (app != NULL && len > 0)
		{
			size_t		n;

			strlcat(out->detail, " application_name=", sizeof(out->detail));
			n = strlen(out->detail);
			pd_escape_token((const uint8 *) app, len, out->detail + n,
							sizeof(out->detail) - n);
		}
	}
	else
	{
		/* SSLRequest is PostgreSQL's: its client's bytes went to OpenSSL */
		if (ev->kind == PD_KIND_TLS_CLIENT_FAILURE && ev->raw_len == 0)
			strlcpy(out->protocol, "postgres", sizeof(out->protocol));

		/*
		 * The ClientHello that raw does not hold whole (OpenSSL consumed it,
		 * or capture_bytes cut it): the child's description of all of it
		 * replaces the classifier's of the part it saw.
		 */
		if (facts_len > 0 && strstr(out->detail, " ja4=") == NULL)
		{
			*pd_hello_part(out->detail) = '\0';
			if (out->detail[0] != '\0' && ev->facts[0] != ' ')
				strlcat(out->detail, " ", sizeof(out->detail));
			strlcat(out->detail, out->detail[0] ? ev->facts :
					ev->facts + (ev->facts[0] == ' '), sizeof(out->detail));
		}
	}
	if (out->tool[0] == '\0' && facts_len > 0 &&
		(stack = pd_facts_stack(ev->facts)) != NULL)
		strlcpy(out->tool, stack, sizeof(out->tool));
}

void
pd_count_class(PdCounters *c, const PdEvent *ev, uint32 n)
{
	PdClass		cls;

	pd_event_class(ev, &cls);
	pg_atomic_fetch_add_u64(&c->protocols[pd_protocol_label(cls.protocol)], n);
	pg_atomic_fetch_add_u64(&c->tools[pd_tool_family(cls.tool)], n);
}

void
pd_count_classes(PdRing *ring, PdCounters *c)
{
	PdEvent    *buf = palloc(PD_EVENT_SIZE(ring->capture_bytes));
	uint64		next = pd_ring_next_id(ring);
	uint64		id = pg_atomic_read_u64(&c->classified_upto);
	uint64		pending = 0;
	uint64		upto;

	/*
	 * From the first event not yet seen, or the oldest that may still take
	 * repeats (the newer half of the ring), whichever is older.
	 */
	if (next > ring->nslots / 2)
		id = Min(id, next - ring->nslots / 2);
	if (next > ring->nslots)
		id = Max(id, next - ring->nslots);	/* the rest is gone */
	for (; id < next; id++)
	{
		PdSlotState state = pd_ring_get(ring, id, buf);
		uint32		n;

		if (state == PD_SLOT_PENDING && pending == 0)
			pending = id;		/* a later reader counts it */
		/* gone: counted by the writer that overwrote it (pd_capture.c) */
		if (state != PD_SLOT_PUBLISHED)
			continue;
		n = pd_ring_claim_count(ring, id, 1 + buf->repeats);
		if (n > 0)
			pd_count_class(c, buf, n);
	}
	/* where the next reader starts; never back */
	if (pending == 0)
		pending = next;
	upto = pg_atomic_read_u64(&c->classified_upto);
	while (upto < pending &&
		   !pg_atomic_compare_exchange_u64(&c->classified_upto, &upto, pending))
		;
	pfree(buf);
}
