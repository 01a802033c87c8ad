/*-------------------------------------------------------------------------
 *
 * pd_capture.c
 *	  The emit_log_hook that turns start-up rejections into ring events.
 *
 * The interesting messages are raised in the postmaster's child before it
 * has a PGPROC.  There, nothing may take an LWLock, allocate shared memory,
 * register an exit callback, block, or raise an error; the process may be
 * ended by _exit(1) at any instruction.  So this file reads only process-
 * local state, reads only bytes already in PostgreSQL's receive buffer, and
 * hands one event to the lock-free ring (pd_ring.c).
 *
 * For every other message the hook costs a few comparisons of process state
 * and calls the previous hook.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "pd_capture.h"
#include "pd_classify.h"
#include "pd_compat.h"
#include "pd_text.h"
#include "storage/proc.h"
#include "utils/timestamp.h"

PdRing	   *pd_ring = NULL;
bool		pd_enabled = true;
int			pd_capture_bytes = 256;

static emit_log_hook_type pd_prev_emit_log_hook = NULL;
static bool pd_in_hook = false;

/* Where the unread bytes start, relative to the rejected packet. */
#define PD_OFFSET_NONE		(-2)	/* capture nothing */
#define PD_OFFSET_UNKNOWN	(-1)

typedef struct PdRule
{
	const char *message_id;		/* untranslated errmsg format */
	bool		prefix;			/* match a prefix only */
	PdKind		kind;
	int			raw_offset;		/* offset of unread bytes, or PD_OFFSET_* */
} PdRule;

/*
 * The start-up rejections, by untranslated message (so any lc_messages
 * works).  Each is raised only while a connection starts, and the hook
 * checks that phase too.
 */
static const PdRule pd_rules[] = {
	/* COMMERROR after the 4-byte length word was consumed */
	{"invalid length of startup packet", false, PD_KIND_INVALID_LENGTH, 4},
	/* COMMERROR; what arrived was consumed, nothing is left */
	{"incomplete startup packet", false, PD_KIND_INCOMPLETE_PACKET, PD_OFFSET_NONE},
	/* FATAL; the version bytes are in MyProcPort->proto */
	{"unsupported frontend protocol ", true, PD_KIND_UNSUPPORTED_PROTOCOL, PD_OFFSET_NONE},
	{"invalid startup packet layout: expected terminator as last byte", false,
	PD_KIND_INVALID_LAYOUT, PD_OFFSET_UNKNOWN},
	{"no PostgreSQL user name specified in startup packet", false,
	PD_KIND_MISSING_USER, PD_OFFSET_UNKNOWN},
	/* FATAL; the bytes pipelined after the 8-byte request are unread */
	{"received unencrypted data after SSL request", false,
	PD_KIND_UNENCRYPTED_AFTER_REQUEST, 8},
	{"received unencrypted data after GSSAPI encryption request", false,
	PD_KIND_UNENCRYPTED_AFTER_REQUEST, 8},
	/* COMMERROR from be_tls_open_server(); OpenSSL consumed the bytes */
	{"could not accept SSL connection", true, PD_KIND_TLS_FAILURE, PD_OFFSET_NONE},
	{"could not initialize SSL connection", true, PD_KIND_TLS_FAILURE, PD_OFFSET_NONE},
	/* 17+: direct TLS without ALPN */
	{"received direct SSL connection request without ALPN protocol negotiation extension",
	false, PD_KIND_TLS_FAILURE, PD_OFFSET_NONE},
};

static const PdRule *
pd_match_rule(const char *message_id)
{
	size_t		i;

	for (i = 0; i < lengthof(pd_rules); i++)
	{
		const PdRule *r = &pd_rules[i];

		if (r->prefix ? strncmp(message_id, r->message_id,
								strlen(r->message_id)) == 0
			: strcmp(message_id, r->message_id) == 0)
			return r;
	}
	return NULL;
}

/*
 * Copy up to max bytes that PostgreSQL has received but not consumed.  Only
 * bytes already in the receive buffer are taken: pq_getbyte_if_available()
 * reads from the socket only when the buffer is empty, and we never let it
 * get there, so this neither blocks nor raises an error.
 */
static int
pd_take_unread(uint8 *out, int max)
{
#ifdef PD_HAVE_BUFFER_CHECK
	int			n = 0;
	bool		opened = false;

	if (max <= 0 || !pd_buffer_has_data())
		return 0;

	/* The later FATALs come after the packet read was closed: reopen it. */
	if (!pq_is_reading_msg())
	{
		pq_startmsgread();
		opened = true;
	}
	while (n < max && pd_buffer_has_data())
	{
		unsigned char c;

		if (pq_getbyte_if_available(&c) != 1)
			break;
		out[n++] = c;
	}
	if (opened)
		pq_endmsgread();
	return n;
#else
	return 0;
#endif
}

/*
 * Copy a client-supplied name, escaped like raw_ascii (pd_text.c) so that
 * it is printable ASCII whatever the client sent; always NUL-terminated.
 */
static void
pd_copy_name(char *dst, const char *src)
{
	dst[0] = '\0';
	if (src != NULL)
		pd_escape_bytes((const uint8 *) src, strlen(src), dst, PD_NAME_MAX);
}

/*
 * The start-up parameters PostgreSQL parsed before rejecting the packet, as
 * "name\0value\0" pairs (database, user, then the rest in packet order):
 * scanners differ in what they send.  Process-local memory only.
 */
static const char *
pd_startup_params(const Port *port, size_t *len)
{
	static char buf[1024];
	size_t		n = 0;
	ListCell   *lc;

#define PD_PUT(s) \
	do { \
		size_t		l_ = strlen(s) + 1; \
		if (n + l_ > sizeof(buf)) \
			goto done; \
		memcpy(buf + n, (s), l_); \
		n += l_; \
	} while (0)

	if (port->database_name && port->database_name[0])
	{
		PD_PUT("database");
		PD_PUT(port->database_name);
	}
	if (port->user_name && port->user_name[0])
	{
		PD_PUT("user");
		PD_PUT(port->user_name);
	}
	foreach(lc, port->guc_options)
		PD_PUT((const char *) lfirst(lc));
done:
#undef PD_PUT
	*len = n;
	return n > 0 ? buf : NULL;
}

static void
pd_set_peer(PdEvent *ev, const Port *port)
{
	const struct sockaddr *sa = (const struct sockaddr *) &port->raddr.addr;

	if (sa->sa_family == AF_INET)
	{
		const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;

		ev->addr_family = AF_INET;
		memcpy(ev->addr, &sin->sin_addr, 4);
		ev->client_port = ntohs(sin->sin_port);
	}
	else if (sa->sa_family == AF_INET6)
	{
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) sa;

		ev->addr_family = AF_INET6;
		memcpy(ev->addr, &sin6->sin6_addr, 16);
		ev->client_port = ntohs(sin6->sin6_port);
	}
	/* Unix-domain sockets: no address */
}

static void
pd_record(const PdRule *rule, const ErrorData *edata)
{
	/* Static, not on the stack: up to 8 kB, and the hook is not re-entered. */
	static union
	{
		PdEvent		ev;
		char		bytes[PD_EVENT_SIZE(PD_CAPTURE_MAX)];
	}			buf;
	PdEvent    *ev = &buf.ev;
	Port	   *port = MyProcPort;
	int			capture = Min(pd_capture_bytes, (int) pd_ring->capture_bytes);
	PdProbe		probe = {rule->kind, NULL, 0, 4, NULL, 0};
	PdClass		cls;
	uint8		version[4];

	memset(ev, 0, offsetof(PdEvent, raw));	/* padding too: it is hashed */
	ev->seen_at = GetCurrentTimestamp();
	ev->pid = MyProcPid;
	ev->kind = rule->kind;
	ev->raw_offset = -1;
	pd_set_peer(ev, port);

	if (rule->kind == PD_KIND_UNSUPPORTED_PROTOCOL)
	{
		ev->has_proto = true;
		ev->proto = port->proto;
		pd_version_bytes(port->proto, version);
		if (capture >= 4)
		{
			memcpy(ev->raw, version, 4);
			ev->raw_len = 4;
			ev->raw_offset = 4;
		}
		probe.bytes = version;
		probe.len = 4;
	}
	else if (rule->raw_offset != PD_OFFSET_NONE)
	{
		ev->raw_len = pd_take_unread(ev->raw, capture);
		if (ev->raw_len > 0)
			ev->raw_offset = rule->raw_offset;
		probe.bytes = ev->raw;
		probe.len = ev->raw_len;
		/* bytes pipelined after a request start a message of their own */
		probe.offset = rule->raw_offset == 4 ? 4 : 0;
	}
	if (rule->kind == PD_KIND_MISSING_USER || rule->kind == PD_KIND_INVALID_LAYOUT)
		probe.params = pd_startup_params(port, &probe.params_len);

	pd_copy_name(ev->user_name, port->user_name);
	pd_copy_name(ev->database_name, port->database_name);
	if (edata->message)
		strlcpy(ev->message, edata->message, PD_MESSAGE_MAX);
	ev->waited_ms = (int32) Min((ev->seen_at - MyStartTimestamp) / 1000, PG_INT32_MAX);

	pd_classify(&probe, &cls);
	memcpy(ev->protocol, cls.protocol, sizeof(ev->protocol));
	memcpy(ev->tool, cls.tool, sizeof(ev->tool));
	memcpy(ev->detail, cls.detail, sizeof(ev->detail));

	pd_ring_record(pd_ring, ev);
}

static void
pd_emit_log_hook(ErrorData *edata)
{
	/*
	 * Only the postmaster's child before InitProcess() raises the messages
	 * we want.  Test that first: it is all most messages ever cost us.
	 */
	if (MyProc == NULL && MyProcPort != NULL && IsUnderPostmaster &&
		pd_ring != NULL && pd_enabled && !pd_in_hook &&
		edata->message_id != NULL)
	{
		const PdRule *rule = pd_match_rule(edata->message_id);

		if (rule != NULL)
		{
			pd_in_hook = true;
			pd_record(rule, edata);
			pd_in_hook = false;
		}
	}

	if (pd_prev_emit_log_hook)
		pd_prev_emit_log_hook(edata);
}

void
pd_install_log_hook(void)
{
	pd_prev_emit_log_hook = emit_log_hook;
	emit_log_hook = pd_emit_log_hook;
}
