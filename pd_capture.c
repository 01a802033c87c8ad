/*-------------------------------------------------------------------------
 *
 * pd_capture.c
 *	  Recording one event: the bytes PostgreSQL left unread, the start-up
 *	  parameters it parsed, and what only this process can see of the
 *	  client.  The classifier runs when the event is read (pd_classes.c).
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
#include "pd_classes.h"
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
							"A pattern is one source's kind, version word, names and transport with the same bytes, or with bytes the classifier names the same protocol and tool; the event counts the occurrences and keeps the first one's bytes. 0 records every occurrence as an event of its own.",
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
static pd_hot int
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
static pd_hot void
pd_copy_name(char *dst, const char *src)
{
	dst[0] = '\0';
	if (src != NULL)
		strlcpy(dst, src, PD_NAME_MAX);
}

/*
 * The start-up options PostgreSQL parsed before rejecting the packet or
 * authenticating, other than user and database (those are in their own
 * fields), as "name\0value\0" pairs in packet order, whole pairs only:
 * scanners and clients differ in what they send.
 */
static void
pd_startup_params(const Port *port, PdEvent *ev)
{
	size_t		n = 0;
	ListCell   *lc;

	for (lc = list_head(port->guc_options); lc != NULL;)
	{
		ListCell   *vc = lnext(port->guc_options, lc);
		const char *name = (const char *) lfirst(lc);
		const char *value;
		size_t		ln,
					lv;

		if (vc == NULL)
			break;
		value = (const char *) lfirst(vc);
		ln = strlen(name) + 1;
		lv = strlen(value) + 1;
		if (n + ln + lv > sizeof(ev->params))
			break;
		memcpy(ev->params + n, name, ln);
		memcpy(ev->params + n + ln, value, lv);
		n += ln + lv;
		lc = lnext(port->guc_options, vc);
	}
	ev->params_len = (uint16) n;
}

/*
 * What a login's event knows of how the client tried, as far as the server
 * knows: the pg_hba method and line, TLS or not, and over TLS the
 * ClientHello's fingerprint (pd_tls.c, 14+).  application_name is in the
 * options (pd_classes.c adds it when read).
 */
static void
pd_auth_facts(PdEvent *ev, const Port *port, const char *method)
{
	char	   *f = ev->facts;

	snprintf(f, sizeof(ev->facts), "%s%s%s%s",
			 method ? "method=" : "", method ? method : "",
			 method ? " " : "", port->ssl_in_use ? "ssl=on" : "ssl=off");
	if (method && port->hba)
	{
		size_t		n = strlen(f);

		snprintf(f + n, sizeof(ev->facts) - n, " hba_line=%d", port->hba->linenumber);
	}
	if (port->ssl_in_use)
		pd_tls_facts(f, sizeof(ev->facts));
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

/*
 * A ClientHello that raw does not hold whole, from stream offset off (0 or
 * 4) of raw: the rest is still unread (take), or in 17+'s Port.raw_buf
 * (tls).  Its description goes to facts, the one piece of the classifier's
 * work done while recording: the bytes are gone once the child exits.
 * Only TLS probes come here, with a stack of their own.
 */
static pg_noinline void
pd_long_hello_facts(PdEvent *ev, const Port *port, size_t off, size_t need,
					bool tls)
{
	uint8		hello[4096];
	size_t		have;

	if (need > sizeof(hello) || off > 5)
		return;
	if (tls)
		have = pd_take_tls_raw(port, hello, sizeof(hello));
	else
	{
		memcpy(hello, ev->raw, ev->raw_len);
		have = ev->raw_len +
			pd_take_unread(hello + ev->raw_len, (int) (need - ev->raw_len));
	}
	/* the handshake message follows the record's 5-byte header */
	if (have > 5 - off)
		pd_hello_facts(hello + (5 - off), have - (5 - off), ev->facts,
					   sizeof(ev->facts));
}

/*
 * For the ban feed only: the protocol, mapped onto a closed set there.
 * Classifies this occurrence, when the feed is on.
 */
static pg_noinline void
pd_feed_event(const PdEvent *ev, int kind, PdVerdict verdict)
{
	PdClass		cls;

	pd_event_class(ev, &cls);
	pd_feed_write(kind, verdict, cls.protocol, ev->addr_family, ev->addr,
				  ev->pid, ev->seen_at);
}

/*
 * A repeat with other bytes from the same source (PdSamePattern): the same
 * pattern if the classifier names the same protocol and tool for both, as
 * a directory brute-forcer's thousand paths or a flood of random bytes are.
 * The one case where folding needs the classifier's answer at once.
 */
static pg_noinline bool
pd_same_pattern(PdRing *ring, uint64 id, const PdEvent *ev)
{
	static union
	{
		PdEvent		ev;
		char		bytes[PD_EVENT_SIZE(PD_CAPTURE_MAX)];
	}			big;
	PdEventBuf	small;
	PdEvent    *old = ring->capture_bytes <= PD_CAPTURE_STACK ? &small.ev : &big.ev;
	PdClass		a,
				b;

	if (pd_ring_get(ring, id, old) != PD_SLOT_PUBLISHED)
		return false;
	pd_event_class(old, &a);
	pd_event_class(ev, &b);
	return strcmp(a.protocol, b.protocol) == 0 && strcmp(a.tool, b.tool) == 0;
}

/*
 * An event about to be overwritten with occurrences no reader counted
 * (PdLapped): their protocol and tool are counted now, or never.  Only
 * when the ring turns faster than the counters are read.
 */
static pg_noinline void
pd_count_lapped(const PdEvent *ev, uint32 n)
{
	if (pd_counters != NULL)
		pd_count_class(pd_counters, ev, n);
}

pd_hot const PdEvent *
pd_capture(int rule_kind, int raw_offset, const char *message,
		   const char *auth_method, PdEventBuf *buf, int *kind_out)
{
	/* a capture_bytes above the stack buffer's: this process's one event */
	static union
	{
		PdEvent		ev;
		char		bytes[PD_EVENT_SIZE(PD_CAPTURE_MAX)];
	}			big;
	Port	   *port = MyProcPort;
	int			capture = (int) pd_ring->capture_bytes;
	PdEvent    *ev = capture <= PD_CAPTURE_STACK ? &buf->ev : &big.ev;
	int			kind = rule_kind;
	size_t		need;
	bool		guessing = false;
	PdVerdict	verdict;
	sigset_t	all,
				old_mask;
	uint64		id;

	/* a private copy, padding zeroed: it is checksummed and hashed whole */
	memset(ev, 0, offsetof(PdEvent, raw));
	ev->seen_at = GetCurrentTimestamp();
	ev->pid = MyProcPid;
	ev->kind = kind;
	ev->raw_offset = -1;
	ev->addr_family = pd_port_addr(port, ev->addr, &ev->client_port);

	if (raw_offset == PD_OFFSET_PROTO)
	{
		ev->has_proto = true;
		ev->proto = port->proto;
		if (capture >= 4)
		{
			pd_version_bytes(port->proto, ev->raw);
			ev->raw_len = 4;
			ev->raw_offset = 4;
		}
	}
	else if (raw_offset == PD_OFFSET_TLS)
	{
		ev->raw_len = pd_take_tls_raw(port, ev->raw, capture);
		if (ev->raw_len > 0)
			ev->raw_offset = 0;
		/* a direct-TLS ClientHello longer than capture_bytes */
		need = pd_tls_hello_need(ev->raw, ev->raw_len, 0);
		if (ev->raw_len == capture && need > (size_t) ev->raw_len)
			pd_long_hello_facts(ev, port, 0, need, true);
		/* else OpenSSL's copy of the ClientHello it consumed (pd_tls.c) */
		if ((need == 0 || need > (size_t) ev->raw_len) && ev->facts[0] == '\0')
			pd_tls_facts(ev->facts, sizeof(ev->facts));
		if (pd_tls_client_failure(port, message, ev->raw_len))
			ev->kind = kind = PD_KIND_TLS_CLIENT_FAILURE;
	}
	else if (raw_offset != PD_OFFSET_NONE)
	{
		/*
		 * Bytes pipelined after a request start a message of their own; a
		 * direct-TLS ClientHello is the connection's first byte on.
		 */
		size_t		off = raw_offset == 4 ? 4 : 0;

		ev->raw_len = pd_take_unread(ev->raw, capture);
		if (ev->raw_len == 0 && rule_kind == PD_KIND_INVALID_LENGTH &&
			raw_offset == 4)
			ev->raw_len = pd_take_socket(port, ev->raw, capture);
		if (ev->raw_len > 0)
			ev->raw_offset = raw_offset;
		/*
		 * A ClientHello longer than capture_bytes: the rest, for its JA4.
		 * (Only if there is more to read: a hello cut short is what it is.)
		 */
		if (ev->raw_len == capture &&
			(need = pd_tls_hello_need(ev->raw, ev->raw_len, off)) > (size_t) ev->raw_len)
			pd_long_hello_facts(ev, port, off, need, false);
	}
	if (pd_kind_is_auth(rule_kind) || rule_kind == PD_KIND_MISSING_USER ||
		rule_kind == PD_KIND_INVALID_LAYOUT)
		pd_startup_params(port, ev);

	pd_copy_name(ev->user_name, port->user_name);
	pd_copy_name(ev->database_name, port->database_name);
	if (message)
		strlcpy(ev->message, message, PD_MESSAGE_MAX);
	ev->waited_ms = (int32) Min((ev->seen_at - MyStartTimestamp) / 1000, PG_INT32_MAX);
	ev->ssl = port->ssl_in_use;
	if (pd_kind_is_auth(rule_kind))
		pd_auth_facts(ev, port, auth_method);

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

		pd_attempt(ev->addr_family, ev->addr, kind, transport, ev->seen_at);
		if (kind == PD_KIND_AUTH_FAILED)
			guessing = pd_attempt_guessing(ev->addr_family, ev->addr, transport,
										   ev->seen_at);
	}
	/* the kind now; protocol and tool when read (pd_count_classes()) */
	if (pd_counters != NULL)
	{
		if (kind > PD_KIND_NONE && kind < PD_KIND_MAX)
			pd_count(&pd_counters->kinds[kind]);
		if (guessing)
			pd_count(&pd_counters->guessing);
	}
	verdict = pd_kind_verdict(kind, guessing);
	if (pd_feed_on() && verdict != PD_VERDICT_NONE && ev->addr_family != 0)
		pd_feed_event(ev, kind, verdict);

	if (pd_ring_record(pd_ring, ev, pd_repeat_window, pd_same_pattern,
					   pd_count_lapped, &id) &&
		pd_counters != NULL)
		pd_count(&pd_counters->repeats);

	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	if (kind_out)
		*kind_out = kind;
	return ev;
}
