/*-------------------------------------------------------------------------
 *
 * pd_capture.c
 *	  Recording one event: the bytes PostgreSQL left unread, the start-up
 *	  parameters it parsed, what the classifier says of them.
 *
 * The start-up rejections are raised in the postmaster's child before it
 * has a PGPROC.  There, nothing may take an LWLock, allocate shared memory,
 * register an exit callback, block, or raise an error; the process may be
 * ended by _exit(1) at any instruction.  So this file reads only process-
 * local state, reads bytes already in PostgreSQL's receive buffer (and, for
 * a rejected length with an empty buffer, what the socket holds within
 * 20 ms: pd_take_socket()), and hands one event to the lock-free ring
 * (pd_ring.c), its counts to the tallies and counters (atomics) and, if
 * asked, one line to the ban feed.
 * The authentication events come later, from a backend with a PGPROC;
 * recording is the same.  Which messages are events is the hooks' business
 * (pd_hooks.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <poll.h>
#include <signal.h>
#include <sys/socket.h>

#include "libpq/libpq.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "nodes/pg_list.h"
#include "pd_attempts.h"
#include "pd_capture.h"
#include "pd_classify.h"
#include "pd_compat.h"
#include "pd_counters.h"
#include "pd_feed.h"
#include "pd_port.h"
#include "pd_reasons.h"
#include "pd_ring.h"
#include "pd_text.h"
#include "pd_tls.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

int			pd_repeat_window = 3600;

void
pd_capture_define_settings(void)
{
	DefineCustomIntVariable("probe_detect.repeat_window",
							"Folds an occurrence into the same source's event of the same pattern seen within this many seconds.",
							"A pattern is the kind, what the classifier said, and the names; the event counts the occurrences and keeps the first one's bytes. 0 records every occurrence as an event of its own.",
							&pd_repeat_window,
							3600, 0, 30 * 86400,
							PGC_SIGHUP,
							GUC_UNIT_S,
							NULL, NULL, NULL);
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
 * A client that writes its length word and the rest in two writes (git's
 * pkt-line does, since 2.31) may be rejected before the rest reached
 * PostgreSQL's buffer.  For a rejected length only, over a plain socket,
 * with the buffer empty, take what the kernel holds, waiting at most
 * PD_SPLIT_WAIT_MS for it to come: the connection is closed right after
 * anyway, and no PostgreSQL client ever sends a length it rejects.  The
 * measurements behind the wait are in docs/design.md.
 */
#ifndef PD_SPLIT_WAIT_MS
#define PD_SPLIT_WAIT_MS 20
#endif

static int
pd_take_socket(Port *port, uint8 *out, int max)
{
#ifdef PD_HAVE_BUFFER_CHECK
	struct pollfd pfd;
	ssize_t		n;

	/* the kernel's bytes follow the buffer's: only if that is empty */
	if (max <= 0 || pd_buffer_has_data() || port->sock == PGINVALID_SOCKET ||
		port->ssl_in_use)
		return 0;
	if (pd_port_gss_enc(port))
		return 0;
	pfd.fd = port->sock;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (poll(&pfd, 1, PD_SPLIT_WAIT_MS) <= 0)
		return 0;				/* nothing came, or a signal: no bytes */
	n = recv(port->sock, out, max, MSG_DONTWAIT);
	return n > 0 ? (int) n : 0;
#else
	(void) port;
	(void) out;
	(void) max;
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
 * so it is made valid and printable when read (pd_sql.c), where the
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
 * as the server knows (the TLS handshake's fingerprint follows, then
 * pd_auth_app_name()).
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
}

/*
 * application_name, last and as one word (a space is \x20): the client
 * chose it, so it must not be able to add a key=value of its own, such as a
 * forged ja4=.
 */
static void
pd_auth_app_name(PdEvent *ev, const Port *port)
{
	char	   *d = ev->detail;
	size_t		n;

	if (port->application_name && port->application_name[0])
	{
		strlcat(d, " application_name=", PD_DETAIL_MAX);
		n = strlen(d);
		pd_escape_token((const uint8 *) port->application_name,
						strlen(port->application_name), d + n, PD_DETAIL_MAX - n);
	}
}

/*
 * A failed TLS handshake (be_tls_open_server()'s message, PD_OFFSET_TLS) of
 * a PostgreSQL client rather than a probe: the client asked for TLS with an
 * SSLRequest (Port.proto is still NEGOTIATE_SSL_CODE; 0 for 17+'s direct
 * TLS), pipelined nothing behind it (libpq never does; bytes there are a
 * probe's, captured from Port.raw_buf) and then spoke TLS (not HTTP, say);
 * or the handshake failed over a certificate, whichever way it came.
 * OpenSSL's reason stays English whatever lc_messages says.  (By the time
 * 17+ complains of a missing ALPN, PD_OFFSET_NONE, raw_buf is gone either
 * way: that rule is not asked.)
 */
static bool
pd_tls_client_failure(const Port *port, const char *message, int captured)
{
	PdTlsReason reason = pd_tls_reason(message);

	if (port->proto == NEGOTIATE_SSL_CODE && captured == 0 &&
		reason != PD_TLS_REASON_NOT_TLS)
		return true;
	return reason == PD_TLS_REASON_CERT;
}

uint64
pd_capture(int rule_kind, int raw_offset, const char *message,
		   const char *auth_method, PdEventBuf *buf, int *kind_out)
{
	Port	   *port = MyProcPort;
	int			capture = (int) pd_ring->capture_bytes;
	int			kind = rule_kind;
	PdProbe		probe = {.kind = rule_kind, .offset = 4};
	PdClass		cls;
	uint8		version[4];
	char		params[1024];	/* the stack: no static page to fault in */
	uint8		hello[4096];	/* a TLS ClientHello, past capture_bytes */
	size_t		need;
	bool		guessing = false;
	uint8		addr[16];
	uint16		client_port;
	uint8		family = pd_port_addr(port, addr, &client_port);
	TimestampTz now = GetCurrentTimestamp();
	PdEvent    *ev = &buf->ev;
	sigset_t	all,
				old_mask;
	uint64		id;

	/* a private copy, padding zeroed: it is checksummed in the ring */
	memset(ev, 0, offsetof(PdEvent, raw));
	ev->seen_at = now;
	ev->pid = MyProcPid;
	ev->kind = kind;
	ev->raw_offset = -1;
	ev->addr_family = family;
	memcpy(ev->addr, addr, sizeof(ev->addr));
	ev->client_port = client_port;

	if (raw_offset == PD_OFFSET_PROTO)
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
	else if (raw_offset == PD_OFFSET_TLS)
	{
		ev->raw_len = pd_take_tls_raw(port, ev->raw, capture);
		if (ev->raw_len > 0)
			ev->raw_offset = 0;
		probe.bytes = ev->raw;
		probe.len = ev->raw_len;
		probe.offset = 0;
		/* all of the ClientHello, past capture_bytes, for its JA4 */
		if (ev->raw_len > 0)
			probe.len = pd_take_tls_raw(port, hello, sizeof(hello));
		if (probe.len > (size_t) ev->raw_len)
			probe.bytes = hello;
		if (pd_tls_client_failure(port, message, ev->raw_len))
			probe.kind = ev->kind = kind = PD_KIND_TLS_CLIENT_FAILURE;
	}
	else if (raw_offset != PD_OFFSET_NONE)
	{
		ev->raw_len = pd_take_unread(ev->raw, capture);
		if (ev->raw_len == 0 && rule_kind == PD_KIND_INVALID_LENGTH &&
			raw_offset == 4)
			ev->raw_len = pd_take_socket(port, ev->raw, capture);
		if (ev->raw_len > 0)
			ev->raw_offset = raw_offset;
		probe.bytes = ev->raw;
		probe.len = ev->raw_len;
		/*
		 * Bytes pipelined after a request start a message of their own; a
		 * direct-TLS ClientHello is the connection's first byte on.
		 */
		probe.offset = raw_offset == 4 ? 4 : 0;
		/* a ClientHello longer than capture_bytes: the rest, for its JA4 */
		need = pd_tls_hello_need(ev->raw, ev->raw_len, probe.offset);
		if (need > (size_t) ev->raw_len && need <= sizeof(hello))
		{
			memcpy(hello, ev->raw, ev->raw_len);
			probe.len = ev->raw_len +
				pd_take_unread(hello + ev->raw_len, (int) (need - ev->raw_len));
			probe.bytes = hello;
		}
	}
	if (rule_kind == PD_KIND_MISSING_USER || rule_kind == PD_KIND_INVALID_LAYOUT)
		probe.params = pd_startup_params(port, params, sizeof(params),
										 &probe.params_len);

	pd_copy_name(ev->user_name, port->user_name);
	pd_copy_name(ev->database_name, port->database_name);
	if (message)
		strlcpy(ev->message, message, PD_MESSAGE_MAX);
	ev->waited_ms = (int32) Min((ev->seen_at - MyStartTimestamp) / 1000, PG_INT32_MAX);

	ev->ssl = port->ssl_in_use;

	if (pd_kind_is_auth(rule_kind))
	{
		/* PostgreSQL's own protocol, spoken well enough to authenticate */
		probe.params = pd_startup_params(port, params, sizeof(params),
										 &probe.params_len);
		pd_classify(&probe, &cls);
		strlcpy(ev->protocol, cls.protocol, sizeof(ev->protocol));
		strlcpy(ev->tool, cls.tool, sizeof(ev->tool));
		pd_auth_detail(ev, port, auth_method);
		/* over TLS: the client's ClientHello (pd_tls.c, 14+) */
		if (port->ssl_in_use)
		{
			strlcpy(cls.detail, ev->detail, sizeof(cls.detail));
			if (pd_tls_describe(&cls))
			{
				strlcpy(ev->detail, cls.detail, sizeof(ev->detail));
				if (ev->tool[0] == '\0')
					strlcpy(ev->tool, cls.tool, sizeof(ev->tool));
			}
		}
		pd_auth_app_name(ev, port);
	}
	else
	{
		/* strlcpy, not memcpy: the tails of cls are not initialised */
		pd_classify(&probe, &cls);
		/* SSLRequest is PostgreSQL's: its client's bytes went to OpenSSL */
		if (kind == PD_KIND_TLS_CLIENT_FAILURE && ev->raw_len == 0)
			strlcpy(cls.protocol, "postgres", sizeof(cls.protocol));
		/* ... and OpenSSL's copy of its ClientHello (pd_tls.c, 14+) */
		if (raw_offset == PD_OFFSET_TLS && strstr(cls.detail, " ja4=") == NULL)
			pd_tls_describe(&cls);
		strlcpy(ev->protocol, cls.protocol, sizeof(ev->protocol));
		strlcpy(ev->tool, cls.tool, sizeof(ev->tool));
		strlcpy(ev->detail, cls.detail, sizeof(ev->detail));
	}

	/*
	 * From here to the ring's publish no signal may end us: counted but not
	 * recorded, or an id claimed and never published, would be a hole.
	 * This is microseconds (and the ban feed's write).
	 */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old_mask);

	/* counted for refusing and the guessing verdict, per occurrence */
	{
		int			transport = rule_kind == PD_KIND_TLS_FAILURE ?
			PD_TRANSPORT_TLS : pd_port_transport(port);

		pd_attempt(family, addr, kind, transport, now);
		if (kind == PD_KIND_AUTH_FAILED)
			guessing = pd_attempt_guessing(family, addr, transport, now);
	}
	if (pd_counters != NULL)
	{
		pd_count_event(pd_counters, kind, cls.protocol, cls.tool);
		if (guessing)
			pd_count(&pd_counters->guessing);
	}
	pd_feed_write(kind, pd_kind_verdict(kind, guessing), cls.protocol,
				  family, addr, MyProcPid, now);

	if (pd_ring_record(pd_ring, ev, pd_repeat_window, &id) &&
		pd_counters != NULL)
		pd_count(&pd_counters->repeats);

	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (kind_out)
		*kind_out = kind;
	return id;
}
