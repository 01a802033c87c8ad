/*-------------------------------------------------------------------------
 *
 * pd_capture.c
 *	  The hooks that turn rejected connections into ring events.
 *
 * The interesting messages are raised in the postmaster's child before it
 * has a PGPROC.  There, nothing may take an LWLock, allocate shared memory,
 * register an exit callback, block, or raise an error; the process may be
 * ended by _exit(1) at any instruction.  So this file reads only process-
 * local state, reads only bytes already in PostgreSQL's receive buffer, and
 * hands one event to the lock-free ring (pd_ring.c).
 *
 * The authentication events come later, from a backend that has a PGPROC
 * but is still in InitProcessing mode: the ClientAuthentication_hook sees
 * failed and abandoned authentications, and the log hook sees what is
 * raised before that hook runs (pg_hba.conf rejections, a missing client
 * certificate) or after it (no such role or database).  Recording is the
 * same lock-free ring write in both phases.
 *
 * For every other message the hook costs a few comparisons of process state
 * and calls the previous hook.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <sys/socket.h>
#include <netinet/in.h>

#include "libpq/auth.h"
#include "libpq/hba.h"
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
static ClientAuthentication_hook_type pd_prev_client_auth_hook = NULL;
static const char *pd_auth_method = NULL;	/* set around pd_record() */
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

/*
 * FATALs of the authentication phase (a backend with a PGPROC, still in
 * InitProcessing mode): before ClientAuthentication_hook runs (pg_hba.conf,
 * client certificates) and after it (no such role or database).
 */
static const PdRule pd_auth_rules[] = {
	{"no pg_hba.conf entry for ", true, PD_KIND_HBA_REJECTED, PD_OFFSET_NONE},
	{"pg_hba.conf rejects ", true, PD_KIND_HBA_REJECTED, PD_OFFSET_NONE},
	{"connection requires a valid client certificate", false,
	PD_KIND_CERT_REJECTED, PD_OFFSET_NONE},
	{"role \"%s\" does not exist", false, PD_KIND_UNKNOWN_ROLE, PD_OFFSET_NONE},
	{"database \"%s\" does not exist", false, PD_KIND_UNKNOWN_DATABASE, PD_OFFSET_NONE},
};

static const PdRule *
pd_match_rule(const PdRule *rules, size_t nrules, const char *message_id)
{
	size_t		i;

	for (i = 0; i < nrules; i++)
	{
		const PdRule *r = &rules[i];

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
 * Copy a client-supplied name as sent, capped: it is attacker-controlled,
 * so it is made valid and printable when read (probe_detect.c), where the
 * database encoding is known.
 */
static void
pd_copy_name(char *dst, const char *src)
{
	dst[0] = '\0';
	if (src != NULL)
		strlcpy(dst, src, PD_NAME_MAX);
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

/*
 * The detail line of an authentication event: how the client tried, as far
 * as the server knows.  application_name is client-supplied but PostgreSQL
 * has already reduced it to printable ASCII.
 */
static void
pd_auth_detail(PdEvent *ev, const Port *port, const char *method)
{
	char	   *d = ev->detail;
	size_t		n;

	snprintf(d, PD_DETAIL_MAX, "%s%s%s%s",
			 method ? "method=" : "", method ? method : "",
			 method ? " " : "", port->ssl_in_use ? "ssl=on" : "ssl=off");
	n = strlen(d);
	if (method && port->hba)
	{
		snprintf(d + n, PD_DETAIL_MAX - n, " hba_line=%d", port->hba->linenumber);
		n = strlen(d);
	}
	if (port->application_name && port->application_name[0])
	{
		strlcat(d, " application_name=", PD_DETAIL_MAX);
		n = strlen(d);
		pd_escape_bytes((const uint8 *) port->application_name,
						strlen(port->application_name), d + n, PD_DETAIL_MAX - n);
	}
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
pd_record(const PdRule *rule, const char *message)
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
	if (message)
		strlcpy(ev->message, message, PD_MESSAGE_MAX);
	ev->waited_ms = (int32) Min((ev->seen_at - MyStartTimestamp) / 1000, PG_INT32_MAX);

	ev->ssl = port->ssl_in_use;

	if (rule->kind >= PD_KIND_AUTH_FAILED)
	{
		/* PostgreSQL's own protocol, spoken well enough to authenticate */
		probe.params = pd_startup_params(port, &probe.params_len);
		pd_classify(&probe, &cls);
		memcpy(ev->protocol, cls.protocol, sizeof(ev->protocol));
		memcpy(ev->tool, cls.tool, sizeof(ev->tool));
		pd_auth_detail(ev, port, pd_auth_method);
	}
	else
	{
		pd_classify(&probe, &cls);
		memcpy(ev->protocol, cls.protocol, sizeof(ev->protocol));
		memcpy(ev->tool, cls.tool, sizeof(ev->tool));
		memcpy(ev->detail, cls.detail, sizeof(ev->detail));
	}

	pd_ring_record(pd_ring, ev);
}

static void
pd_emit_log_hook(ErrorData *edata)
{
	const PdRule *rule = NULL;

	/*
	 * Only two phases of a connection's start raise the messages we want:
	 * the postmaster's child before InitProcess(), and the FATALs of the
	 * authentication phase.  Test process state first: it is all most
	 * messages ever cost us.
	 */
	if (MyProcPort != NULL && pd_ring != NULL && pd_enabled && !pd_in_hook &&
		edata->message_id != NULL)
	{
		if (MyProc == NULL && IsUnderPostmaster)
			rule = pd_match_rule(pd_rules, lengthof(pd_rules), edata->message_id);
		else if (MyProc != NULL && IsInitProcessingMode() && edata->elevel == FATAL)
			rule = pd_match_rule(pd_auth_rules, lengthof(pd_auth_rules),
								 edata->message_id);
	}
	if (rule != NULL)
	{
		pd_in_hook = true;
		pd_record(rule, edata->message);
		pd_in_hook = false;
	}

	if (pd_prev_emit_log_hook)
		pd_prev_emit_log_hook(edata);
}

/*
 * After the server decided on the credentials: a failure (STATUS_ERROR) or
 * a client that hung up at the password prompt (STATUS_EOF: psql does this
 * once before asking for a password) is an event.  PostgreSQL raises its
 * FATAL for the failure after this hook returns.
 */
static void
pd_client_auth(Port *port, int status)
{
	static const PdRule failed = {"", false, PD_KIND_AUTH_FAILED, PD_OFFSET_NONE};
	static const PdRule abandoned = {"", false, PD_KIND_AUTH_ABANDONED, PD_OFFSET_NONE};

	if (pd_prev_client_auth_hook)
		pd_prev_client_auth_hook(port, status);

	if ((status == STATUS_ERROR || status == STATUS_EOF) && pd_ring != NULL &&
		pd_enabled && !pd_in_hook && port == MyProcPort)
	{
		pd_in_hook = true;
		pd_auth_method = port->hba ? pd_hba_authname(port) : NULL;
		pd_record(status == STATUS_ERROR ? &failed : &abandoned,
				  status == STATUS_ERROR ? "authentication failed" :
				  "client closed the connection during authentication");
		pd_auth_method = NULL;
		pd_in_hook = false;
	}
}

void
pd_install_hooks(void)
{
	pd_prev_emit_log_hook = emit_log_hook;
	emit_log_hook = pd_emit_log_hook;
	pd_prev_client_auth_hook = ClientAuthentication_hook;
	ClientAuthentication_hook = pd_client_auth;
}
