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

#include <arpa/inet.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "libpq/auth.h"
#include "libpq/hba.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "pd_capture.h"
#include "pd_classify.h"
#include "pd_counters.h"
#include "pd_feed.h"
#include "pd_scan.h"
#include "pd_sources.h"
#include "pd_compat.h"
#include "pd_refuse.h"
#include "pd_text.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

PdRing	   *pd_ring = NULL;
PdTally    *pd_tally = NULL;
bool		pd_enabled = true;
int			pd_capture_bytes = 256;
int			pd_server_log = PD_LOG_ORIGINAL;
int			pd_reply = PD_REPLY_NORMAL;

static emit_log_hook_type pd_prev_emit_log_hook = NULL;
static ClientAuthentication_hook_type pd_prev_client_auth_hook = NULL;
static const char *pd_auth_method = NULL;	/* set around pd_record() */
static bool pd_in_hook = false;

/*
 * 17+: we turned trace_connection_negotiation on (pd_install_hooks), so its
 * lines are ours to hide.  Set in the postmaster, read-only in children.
 */
static bool pd_trace_forced = false;

/* Where the unread bytes start, relative to the rejected packet. */
#define PD_OFFSET_NONE		(-2)	/* capture nothing */
#define PD_OFFSET_UNKNOWN	(-1)
#define PD_OFFSET_PROTO		(-3)	/* all consumed; the version word is in
									 * MyProcPort->proto */
#define PD_OFFSET_TLS		(-4)	/* 17+ direct TLS: OpenSSL's copy of the
									 * bytes, Port.raw_buf, from offset 0 */

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
	{"unsupported frontend protocol ", true, PD_KIND_UNSUPPORTED_PROTOCOL, PD_OFFSET_PROTO},
	/* 18+: COMMERRORs for a cancel request (1234.5678) of the wrong length */
	{"invalid length of cancel request packet", false, PD_KIND_INVALID_LENGTH, PD_OFFSET_PROTO},
	{"invalid length of cancel key in cancel request packet", false,
	PD_KIND_INVALID_LENGTH, PD_OFFSET_PROTO},
	{"invalid startup packet layout: expected terminator as last byte", false,
	PD_KIND_INVALID_LAYOUT, PD_OFFSET_UNKNOWN},
	{"no PostgreSQL user name specified in startup packet", false,
	PD_KIND_MISSING_USER, PD_OFFSET_UNKNOWN},
	/* FATAL; the bytes pipelined after the 8-byte request are unread */
	{"received unencrypted data after SSL request", false,
	PD_KIND_UNENCRYPTED_AFTER_REQUEST, 8},
	{"received unencrypted data after GSSAPI encryption request", false,
	PD_KIND_UNENCRYPTED_AFTER_REQUEST, 8},
	/*
	 * COMMERROR from be_tls_open_server(); OpenSSL consumed the bytes, but on
	 * 17+ a direct-TLS ClientHello is still in Port.raw_buf.
	 */
	{"could not accept SSL connection", true, PD_KIND_TLS_FAILURE, PD_OFFSET_TLS},
	{"could not initialize SSL connection", true, PD_KIND_TLS_FAILURE, PD_OFFSET_TLS},
	/* 17+: direct TLS without ALPN; the handshake completed, bytes are gone */
	{"received direct SSL connection request without ALPN protocol negotiation extension",
	false, PD_KIND_TLS_FAILURE, PD_OFFSET_NONE},
	/*
	 * 17+, trace_connection_negotiation's LOG: direct TLS with the server's
	 * TLS off (or on a Unix socket); the whole ClientHello is unread.  Also
	 * raised after a failed handshake, already recorded: pd_emit_log_hook
	 * records it only while bytes are unread.
	 */
	{"direct SSL connection rejected", false, PD_KIND_TLS_REJECTED, 0},
};

/* trace_connection_negotiation's other lines: hidden if we turned it on. */
static const char *const pd_trace_messages[] = {
	"SSLRequest accepted", "SSLRequest rejected",
	"GSSENCRequest accepted", "GSSENCRequest rejected",
	"direct SSL connection accepted", "direct SSL connection rejected",
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
 * 17+: the bytes of a direct-TLS connection that OpenSSL has been given
 * (and may have consumed): Port.raw_buf, allocated by secure_open_server()
 * and freed only after be_tls_open_server() returns.  Nothing else
 * allocates it, so outside that window it is NULL.
 */
static int
pd_take_tls_raw(const Port *port, uint8 *out, int max)
{
#ifdef PD_HAVE_DIRECT_TLS
	ssize_t		have;

	if (port->raw_buf == NULL || max <= 0)
		return 0;
	have = port->raw_buf_consumed + port->raw_buf_remaining;
	if (have <= 0)
		return 0;
	have = Min(have, (ssize_t) max);
	memcpy(out, port->raw_buf, have);
	return (int) have;
#else
	(void) port;
	(void) out;
	(void) max;
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
 * "name\0value\0" pairs (database, user, then the rest in packet order),
 * into the caller's buffer: scanners differ in what they send.
 */
static const char *
pd_startup_params(const Port *port, char *buf, size_t size, size_t *len)
{
	size_t		n = 0;
	ListCell   *lc;

#define PD_PUT(s) \
	do { \
		size_t		l_ = strlen(s) + 1; \
		if (n + l_ > size) \
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

/*
 * The client's address: AF_INET or AF_INET6 with its bytes in addr (16,
 * zero-padded) and its port, or 0 for a Unix-domain socket.
 */
uint8
pd_port_addr(const Port *port, uint8 *addr, uint16 *client_port)
{
	const struct sockaddr *sa = (const struct sockaddr *) &port->raddr.addr;

	memset(addr, 0, 16);
	*client_port = 0;
	if (sa->sa_family == AF_INET)
	{
		const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;

		memcpy(addr, &sin->sin_addr, 4);
		*client_port = ntohs(sin->sin_port);
		return AF_INET;
	}
	if (sa->sa_family == AF_INET6)
	{
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *) sa;

		memcpy(addr, &sin6->sin6_addr, 16);
		*client_port = ntohs(sin6->sin6_port);
		return AF_INET6;
	}
	return 0;
}

/* How the connection came, as libpq's fallbacks go (pd_tally.c). */
int
pd_port_transport(Port *port)
{
	if (port->ssl_in_use)
		return PD_TRANSPORT_TLS;
	if (pd_port_gss_enc(port))
		return PD_TRANSPORT_GSS;
	return PD_TRANSPORT_PLAIN;
}

static void
pd_set_peer(PdEvent *ev, const Port *port)
{
	ev->addr_family = pd_port_addr(port, ev->addr, &ev->client_port);
}

/*
 * OpenSSL's reasons for a handshake that failed over a certificate: the
 * client did not accept ours (alerts it sent: libpq and OpenSSL clients send
 * "unknown ca" for a wrong root, Go and Python "bad certificate" for a wrong
 * host name, Java "certificate unknown"), or we did not accept its own
 * ("certificate verify failed").  A scanner accepts any certificate; a
 * client that checks one is somebody's application with the wrong root CA.
 */
static const char *const pd_cert_reasons[] = {
	"alert unknown ca", "alert bad certificate", "alert certificate expired",
	"alert certificate revoked", "alert certificate unknown",
	"alert unsupported certificate", "certificate verify failed",
	"certificate unobtainable", "bad certificate status response",
	"bad certificate hash value",
};

/* ... and its reasons for bytes that were no TLS record of any version */
static const char *const pd_not_tls_reasons[] = {
	"http request", "https proxy request", "wrong version number",
};

static bool
pd_reason_in(const char *message, const char *const *reasons, size_t n)
{
	size_t		i;

	for (i = 0; message != NULL && i < n; i++)
		if (strstr(message, reasons[i]) != NULL)
			return true;
	return false;
}

/*
 * A failed TLS handshake of a PostgreSQL client rather than a probe:
 * be_tls_open_server()'s message after the client asked for TLS with an
 * SSLRequest (Port.proto is still NEGOTIATE_SSL_CODE; 0 for 17+'s direct
 * TLS), pipelined nothing behind it (libpq never does; bytes there are a
 * probe's, captured from Port.raw_buf) and then spoke TLS (not HTTP, say);
 * or a handshake that failed over a certificate, whichever way it came.
 * OpenSSL's reason stays English whatever lc_messages says.
 */
static bool
pd_tls_client_failure(const PdRule *rule, const Port *port, const char *message,
					  int captured)
{
	if (rule->raw_offset != PD_OFFSET_TLS)
		return false;
	if (port->proto == NEGOTIATE_SSL_CODE && captured == 0 &&
		!pd_reason_in(message, pd_not_tls_reasons, lengthof(pd_not_tls_reasons)))
		return true;
	return pd_reason_in(message, pd_cert_reasons, lengthof(pd_cert_reasons));
}

/*
 * Record one event, filled in place in its ring slot, and return its id.
 * Signals stay blocked while it is filled (pd_ring.h): nothing here blocks
 * but the ban feed's write to a local file.  *kind_out says what the event
 * turned out to be.
 */
static uint64
pd_record(const PdRule *rule, const char *message, int *kind_out)
{
	Port	   *port = MyProcPort;
	int			capture = Min(pd_capture_bytes, (int) pd_ring->capture_bytes);
	int			kind = rule->kind;
	PdProbe		probe = {rule->kind, NULL, 0, 4, NULL, 0};
	PdClass		cls;
	uint8		version[4];
	char		params[1024];	/* the stack: no static page to fault in */
	bool		guessing = false;
	uint8		addr[16];
	uint16		client_port;
	uint8		family = pd_port_addr(port, addr, &client_port);
	TimestampTz now = GetCurrentTimestamp();
	PdRingWrite w;
	PdEvent    *ev = pd_ring_begin(pd_ring, &w);

	ev->seen_at = now;
	ev->pid = MyProcPid;
	ev->kind = kind;
	ev->raw_offset = -1;
	ev->addr_family = family;
	memcpy(ev->addr, addr, sizeof(ev->addr));
	ev->client_port = client_port;

	if (rule->raw_offset == PD_OFFSET_PROTO)
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
	else if (rule->raw_offset == PD_OFFSET_TLS)
	{
		ev->raw_len = pd_take_tls_raw(port, ev->raw, capture);
		if (ev->raw_len > 0)
			ev->raw_offset = 0;
		probe.bytes = ev->raw;
		probe.len = ev->raw_len;
		probe.offset = 0;
		if (pd_tls_client_failure(rule, port, message, ev->raw_len))
			probe.kind = ev->kind = kind = PD_KIND_TLS_CLIENT_FAILURE;
	}
	else if (rule->raw_offset != PD_OFFSET_NONE)
	{
		ev->raw_len = pd_take_unread(ev->raw, capture);
		if (ev->raw_len > 0)
			ev->raw_offset = rule->raw_offset;
		probe.bytes = ev->raw;
		probe.len = ev->raw_len;
		/*
		 * Bytes pipelined after a request start a message of their own; a
		 * direct-TLS ClientHello is the connection's first byte on.
		 */
		probe.offset = rule->raw_offset == 4 ? 4 : 0;
	}
	if (rule->kind == PD_KIND_MISSING_USER || rule->kind == PD_KIND_INVALID_LAYOUT)
		probe.params = pd_startup_params(port, params, sizeof(params),
										 &probe.params_len);

	pd_copy_name(ev->user_name, port->user_name);
	pd_copy_name(ev->database_name, port->database_name);
	if (message)
		strlcpy(ev->message, message, PD_MESSAGE_MAX);
	ev->waited_ms = (int32) Min((ev->seen_at - MyStartTimestamp) / 1000, PG_INT32_MAX);

	ev->ssl = port->ssl_in_use;

	if (pd_kind_is_auth(rule->kind))
	{
		/* PostgreSQL's own protocol, spoken well enough to authenticate */
		probe.params = pd_startup_params(port, params, sizeof(params),
										 &probe.params_len);
		pd_classify(&probe, &cls);
		strlcpy(ev->protocol, cls.protocol, sizeof(ev->protocol));
		strlcpy(ev->tool, cls.tool, sizeof(ev->tool));
		pd_auth_detail(ev, port, pd_auth_method);
	}
	else
	{
		/* strlcpy, not memcpy: the tails of cls are not initialised */
		pd_classify(&probe, &cls);
		/* SSLRequest is PostgreSQL's: its client's bytes went to OpenSSL */
		if (kind == PD_KIND_TLS_CLIENT_FAILURE && ev->raw_len == 0)
			strlcpy(cls.protocol, "postgres", sizeof(cls.protocol));
		strlcpy(ev->protocol, cls.protocol, sizeof(ev->protocol));
		strlcpy(ev->tool, cls.tool, sizeof(ev->tool));
		strlcpy(ev->detail, cls.detail, sizeof(ev->detail));
	}

	/* counted for refusing and the guessing verdict, still signal-safe */
	if (pd_tally != NULL)
	{
		int			transport = rule->kind == PD_KIND_TLS_FAILURE ?
			PD_TRANSPORT_TLS : pd_port_transport(port);

		pd_tally_event(pd_tally, family, addr, kind, transport, now,
					   pd_refuse_window, pd_guessing_window);
		if (kind == PD_KIND_AUTH_FAILED && family != 0)
		{
			PdTallyCount c;

			pd_tally_count(pd_tally, family, addr, transport, now,
						   pd_refuse_window, pd_guessing_window, &c);
			guessing = c.failed > pd_guessing_threshold;
		}
	}
	if (pd_counters != NULL)
	{
		pd_count_event(pd_counters, kind, cls.protocol, cls.tool);
		if (guessing)
			pd_count(&pd_counters->guessing);
	}
	/* from locals: a writer that wraps onto the slot may tear it */
	pd_feed_write(kind, pd_kind_verdict(kind, guessing), cls.protocol,
				  family, addr, MyProcPid, now);

	pd_ring_commit(pd_ring, &w);
	if (kind_out)
		*kind_out = kind;
	return w.id;
}

/* "203.0.113.7:51432", "[::1]:51432" or "[local]" */
static void
pd_format_peer(const PdEvent *ev, char *buf, size_t size)
{
	char		a[INET6_ADDRSTRLEN];

	if (ev->addr_family == AF_INET && inet_ntop(AF_INET, ev->addr, a, sizeof(a)))
		snprintf(buf, size, "%s:%d", a, ev->client_port);
	else if (ev->addr_family == AF_INET6 && inet_ntop(AF_INET6, ev->addr, a, sizeof(a)))
		snprintf(buf, size, "[%s]:%d", a, ev->client_port);
	else
		snprintf(buf, size, "[local]");
}

/*
 * The tool a scan recognised from this address's recent events names for
 * ev, when its bytes alone name none: nmap's SMBProgNeg, say, ends its
 * service scan.  Looks back at most 64 events and PD_SCAN_GAP_US.
 */
#define PD_LOOKBACK 64

static const char *
pd_recent_scan_tool(const PdEvent *ev)
{
	static union
	{
		PdEvent		ev;
		char		bytes[PD_EVENT_SIZE(PD_CAPTURE_MAX)];
	}			buf;
	static char tools[PD_LOOKBACK + 1][PD_TOOL_MAX];
	PdScanEvent scan[PD_LOOKBACK + 1];
	int			n = 0;
	uint64		id;
	int			k;

	if (ev->addr_family == 0)
		return NULL;
	for (id = ev->event_id - 1; id > 0 && ev->event_id - id <= PD_LOOKBACK; id--)
	{
		const PdEvent *e = &buf.ev;

		if (!pd_ring_get(pd_ring, id, &buf.ev))
			continue;
		if (e->seen_at < ev->seen_at - PD_SCAN_GAP_US)
			break;
		if (e->addr_family != ev->addr_family ||
			memcmp(e->addr, ev->addr, sizeof(e->addr)) != 0)
			continue;
		memcpy(tools[n], e->tool, PD_TOOL_MAX);
		pd_scan_event_from(&scan[n], e, tools[n]);
		n++;
	}
	/* oldest first, then the event itself */
	for (k = 0; k < n / 2; k++)
	{
		PdScanEvent t = scan[k];

		scan[k] = scan[n - 1 - k];
		scan[n - 1 - k] = t;
	}
	pd_scan_event_from(&scan[n], ev, ev->tool);
	n++;
	pd_scan_detect(scan, n);
	return scan[n - 1].scan_tool;
}

/*
 * probe_detect.server_log = annotated: PostgreSQL's line about a probe is
 * replaced by one LOG line of ours, in a stable format for log watchers:
 *
 *   probe_detect: probe from ADDR:PORT: KIND[ VERSION] "BYTES" PROTOCOL[ (TOOL)][; reason: REASON]
 *
 * BYTES are the first 64 captured bytes escaped like raw_ascii (a double
 * quote as \x22); PROTOCOL is "unknown" when the classifier had no guess;
 * REASON, for a failed TLS handshake, is OpenSSL's reason from PostgreSQL's
 * message, escaped too.
 * Every part but ADDR:PORT and REASON may be chosen by the client: no
 * filter may trust this line (the ban feed, pd_feed.c, is for that).
 */
static void
pd_annotate(ErrorData *edata, uint64 id, const PdRule *rule)
{
	static union
	{
		PdEvent		ev;
		char		bytes[PD_EVENT_SIZE(PD_CAPTURE_MAX)];
	}			buf;
	const PdEvent *ev = &buf.ev;
	char		peer[64];
	char		bytes[64 * 4 + 1];
	char		version[16] = "";
	char		reason[128] = "";
	const char *tool;
	int			i,
				o = 0;

	/* A private copy: the slot is anyone's once published. */
	if (!pd_ring_get(pd_ring, id, &buf.ev))
		return;					/* already overwritten: PostgreSQL's line */
	tool = ev->tool[0] ? ev->tool : pd_recent_scan_tool(ev);

	pd_format_peer(ev, peer, sizeof(peer));
	if (ev->has_proto)
	{
		version[0] = ' ';
		pd_format_version(ev->proto, version + 1);
	}
	for (i = 0; i < ev->raw_len && i < 64; i++)
	{
		char		one[5];

		if (ev->raw[i] == '"')
			strcpy(one, "\\x22");
		else
			pd_escape_bytes(&ev->raw[i], 1, one, sizeof(one));
		strcpy(bytes + o, one);
		o += strlen(one);
	}
	bytes[o] = '\0';

	/*
	 * "could not accept SSL connection: REASON", in whatever language
	 * lc_messages says: the one message whose tail the kind does not say
	 */
	if (rule->raw_offset == PD_OFFSET_TLS && edata->message != NULL)
	{
		const char *r = strstr(edata->message, ": ");

		if (r != NULL && r[2] != '\0')
		{
			strcpy(reason, "; reason: ");
			pd_escape_bytes((const uint8 *) r + 2, strlen(r + 2),
							reason + strlen(reason), sizeof(reason) - strlen(reason));
		}
	}

	edata->output_to_server = false;
	ereport(LOG_SERVER_ONLY,
			(errmsg_internal("probe_detect: probe from %s: %s%s \"%s\" %s%s%s%s%s",
							 peer, pd_kind_name(ev->kind), version, bytes,
							 ev->protocol[0] ? ev->protocol : "unknown",
							 tool ? " (" : "", tool ? tool : "", tool ? ")" : "",
							 reason),
			 errhidestmt(true), errhidecontext(true)));
}

/*
 * probe_detect.reply, for a rejected start-up packet whose FATAL goes to
 * the client: terse drops the source file, line and function (nmap reads
 * the exact minor version from the line), silent sends nothing at all.
 */
static void
pd_apply_reply(ErrorData *edata)
{
	if (edata->elevel < FATAL)
		return;					/* COMMERRORs are never sent */
	if (pd_reply == PD_REPLY_TERSE)
	{
		edata->filename = NULL;
		edata->lineno = 0;
		edata->funcname = NULL;
	}
	else if (pd_reply == PD_REPLY_SILENT)
		edata->output_to_client = false;
}

/*
 * probe_detect.server_log = annotated keeps PostgreSQL's line for a failed
 * login and adds the address's verdict, if any, to its server-only detail.
 */
static void
pd_annotate_auth_failure(ErrorData *edata)
{
	const Port *port = MyProcPort;
	PdEvent		self;
	PdTallyCount c;

	memset(&self, 0, sizeof(self));
	pd_set_peer(&self, port);
	if (self.addr_family == 0 || pd_tally == NULL)
		return;

	/* the network's tally: the same few words whatever the ring holds */
	pd_tally_count(pd_tally, self.addr_family, self.addr,
				   pd_port_transport(MyProcPort), GetCurrentTimestamp(),
				   pd_refuse_window, pd_guessing_window, &c);
	if (c.failed > pd_guessing_threshold)
	{
		char		peer[64];
		char	   *colon;

		/*
		 * "probe_detect: 203.0.113.7: password guessing" first, so that it
		 * is on the DETAIL line that carries log_line_prefix: log watchers
		 * match whole lines.
		 */
		pd_format_peer(&self, peer, sizeof(peer));
		colon = strrchr(peer, ':');
		if (colon)
			*colon = '\0';
		if (peer[0] == '[')
		{
			memmove(peer, peer + 1, strlen(peer));
			peer[strlen(peer) - 1] = '\0';
		}
		edata->detail_log = edata->detail_log ?
			psprintf("probe_detect: %s: password guessing\n%s", peer, edata->detail_log) :
			psprintf("probe_detect: %s: password guessing", peer);
	}
}

static bool
pd_is_auth_failure(const char *message_id)
{
	static const char suffix[] = "authentication failed for user \"%s\"";
	size_t		n = strlen(message_id);

	return n >= sizeof(suffix) - 1 &&
		strcmp(message_id + n - (sizeof(suffix) - 1), suffix) == 0;
}

/* Is this one of trace_connection_negotiation's lines? */
static bool
pd_is_trace_message(const ErrorData *edata)
{
	size_t		i;

	if (edata->elevel != LOG || edata->message_id == NULL)
		return false;
	for (i = 0; i < lengthof(pd_trace_messages); i++)
		if (strcmp(edata->message_id, pd_trace_messages[i]) == 0)
			return true;
	return false;
}

static void
pd_emit_log_hook(ErrorData *edata)
{
	const PdRule *rule = NULL;

	/*
	 * The trace lines we asked for to see direct TLS (pd_install_hooks) are
	 * not the user's: the log stays as PostgreSQL would write it.  A
	 * recorded probe may still get its annotated line below.
	 */
	if (pd_trace_forced && MyProc == NULL && MyProcPort != NULL &&
		pd_is_trace_message(edata))
		edata->output_to_server = false;

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
		{
			rule = pd_match_rule(pd_rules, lengthof(pd_rules), edata->message_id);
#ifdef PD_HAVE_BUFFER_CHECK
			/* after a failed handshake: that was the event, nothing is left */
			if (rule != NULL && rule->kind == PD_KIND_TLS_REJECTED &&
				!pd_buffer_has_data())
				rule = NULL;
#endif
		}
		else if (MyProc != NULL && IsInitProcessingMode() && edata->elevel == FATAL)
			rule = pd_match_rule(pd_auth_rules, lengthof(pd_auth_rules),
								 edata->message_id);
	}
	if (rule != NULL && MyProc == NULL)
	{
		/*
		 * A rejected start-up packet.  No re-entry guard is set around the
		 * recording: nothing it calls raises a message, and a write to a
		 * static would cost this short-lived child a copy-on-write fault.
		 */
		int			kind;
		uint64		id = pd_record(rule, edata->message, &kind);

		/*
		 * What the prober is told, and the server log.  A PostgreSQL
		 * client's failed TLS handshake is no probe: its line stays as it
		 * is, with OpenSSL's reason.
		 */
		if (pd_kind_is_probe(kind))
		{
			pd_apply_reply(edata);
			if (pd_server_log == PD_LOG_ANNOTATED)
			{
				pd_in_hook = true;
				pd_annotate(edata, id, rule);
				pd_in_hook = false;
			}
			else if (pd_server_log == PD_LOG_OFF)
				edata->output_to_server = false;
		}
	}
	else if (rule != NULL)
	{
		pd_in_hook = true;
		pd_record(rule, edata->message, NULL);
		pd_in_hook = false;
	}
	else if (pd_server_log == PD_LOG_ANNOTATED && pd_enabled && MyProc != NULL &&
			 MyProcPort != NULL && pd_ring != NULL && !pd_in_hook &&
			 edata->elevel == FATAL && IsInitProcessingMode() &&
			 edata->message_id && pd_is_auth_failure(edata->message_id))
	{
		pd_in_hook = true;
		pd_annotate_auth_failure(edata);
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

	/* libpq's fallback that got in ends its chain of failures uncounted */
	if (status == STATUS_OK && pd_tally != NULL && pd_enabled && port == MyProcPort)
	{
		uint8		addr[16];
		uint16		client_port;
		uint8		family = pd_port_addr(port, addr, &client_port);

		pd_tally_success(pd_tally, family, addr, pd_port_transport(port),
						 GetCurrentTimestamp());
	}

	if ((status == STATUS_ERROR || status == STATUS_EOF) && pd_ring != NULL &&
		pd_enabled && !pd_in_hook && port == MyProcPort)
	{
		pd_in_hook = true;
		pd_auth_method = port->hba ? pd_hba_authname(port) : NULL;
		pd_record(status == STATUS_ERROR ? &failed : &abandoned,
				  status == STATUS_ERROR ? "authentication failed" :
				  "client closed the connection during authentication", NULL);
		pd_auth_method = NULL;
		pd_in_hook = false;
	}

	/* an address that probed or guessed too much: FATAL, whatever status */
	if (status != STATUS_EOF && port == MyProcPort)
		pd_refuse_check(port);
}

/* A refused connection is an event too (called by pd_refuse.c). */
void
pd_record_refusal(void)
{
	static const PdRule refused = {"", false, PD_KIND_REFUSED, PD_OFFSET_NONE};

	if (pd_ring == NULL || !pd_enabled || pd_in_hook)
		return;
	pd_in_hook = true;
	pd_record(&refused, "connection refused by probe_detect", NULL);
	pd_in_hook = false;
}

void
pd_install_hooks(void)
{
#ifdef PD_HAVE_DIRECT_TLS

	/*
	 * 17+ closes a direct-TLS connection it cannot serve (ssl = off, or a
	 * Unix socket) without a word, unless trace_connection_negotiation is
	 * on: then it logs "direct SSL connection rejected" with the ClientHello
	 * still unread.  No hook runs on that path, so turn the setting on (it
	 * can only be set at server start, as now) and hide the lines the user
	 * did not ask for.  A real client pays one suppressed LOG message per
	 * SSLRequest, GSSENCRequest or direct-TLS handshake.
	 */
	{
		const char *trace = GetConfigOption("trace_connection_negotiation", true, false);

		if (trace != NULL && strcmp(trace, "on") != 0)
		{
			SetConfigOption("trace_connection_negotiation", "on",
							PGC_POSTMASTER, PGC_S_OVERRIDE);
			pd_trace_forced = true;
		}
	}
#endif

	pd_prev_emit_log_hook = emit_log_hook;
	emit_log_hook = pd_emit_log_hook;
	pd_prev_client_auth_hook = ClientAuthentication_hook;
	ClientAuthentication_hook = pd_client_auth;
}
