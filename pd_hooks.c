/*-------------------------------------------------------------------------
 *
 * pd_hooks.c
 *	  The hooks: which of PostgreSQL's messages are events, what the prober
 *	  is told, what the server log says, and who is refused.
 *
 * The interesting messages are raised in the postmaster's child before it
 * has a PGPROC (see pd_capture.c for what may be done there), and in the
 * authentication phase of a backend that has one but is still in
 * InitProcessing mode: the ClientAuthentication_hook sees failed and
 * abandoned authentications, and the log hook sees what is raised before
 * that hook runs (pg_hba.conf rejections, a missing client certificate) or
 * after it (no such role or database).  For every other message the log
 * hook costs a few comparisons of process state and calls the previous hook.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "libpq/auth.h"
#include "libpq/hba.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "pd_annotate.h"
#include "pd_attempts.h"
#include "pd_capture.h"
#include "pd_compat.h"
#include "pd_counters.h"
#include "pd_hooks.h"
#include "pd_kind.h"
#include "pd_port.h"
#include "pd_refuse.h"
#include "pd_ring.h"
#include "storage/proc.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

/* probe_detect.server_log: what the server log says about a probe */
typedef enum PdServerLog
{
	PD_LOG_ORIGINAL,			/* PostgreSQL's lines, untouched */
	PD_LOG_ANNOTATED,			/* one LOG line of ours instead */
	PD_LOG_OFF					/* nothing; the views only */
} PdServerLog;

/* probe_detect.reply: what a rejected start-up packet is told */
typedef enum PdReply
{
	PD_REPLY_NORMAL,			/* PostgreSQL's ErrorResponse */
	PD_REPLY_TERSE,				/* without source file, line and function */
	PD_REPLY_SILENT				/* nothing: the connection is closed */
} PdReply;

static const struct config_enum_entry pd_server_log_options[] = {
	{"original", PD_LOG_ORIGINAL, false},
	{"annotated", PD_LOG_ANNOTATED, false},
	{"off", PD_LOG_OFF, false},
	{NULL, 0, false}
};

static const struct config_enum_entry pd_reply_options[] = {
	{"normal", PD_REPLY_NORMAL, false},
	{"terse", PD_REPLY_TERSE, false},
	{"silent", PD_REPLY_SILENT, false},
	{NULL, 0, false}
};

static bool pd_enabled = true;
static int	pd_server_log = PD_LOG_ORIGINAL;
static int	pd_reply = PD_REPLY_NORMAL;

static emit_log_hook_type pd_prev_emit_log_hook = NULL;
static ClientAuthentication_hook_type pd_prev_client_auth_hook = NULL;
static bool pd_in_hook = false;

/*
 * 17+: we turned trace_connection_negotiation on (pd_hooks_install), so its
 * lines are ours to hide.  Set in the postmaster, read-only in children.
 */
static bool pd_trace_forced = false;

/*
 * A message that is an event: what kind, and where its unread bytes are.
 *
 * The texts are held in the rules themselves, and the tables are writable
 * and written once in the postmaster (pd_hooks_install(): len): so their
 * pages are the postmaster's own, which a forked child finds mapped.
 * Constant strings would sit in our read-only data, a page each child
 * would fault in for the one comparison every probe makes.
 */
typedef struct PdMessageRule
{
	char		message_id[88]; /* untranslated errmsg format */
	bool		prefix;			/* match a prefix only */
	PdKind		kind;
	int			raw_offset;		/* offset of unread bytes, or PD_OFFSET_* */
	size_t		len;			/* of message_id: set at start */
} PdMessageRule;

#define PD_EXACT(msg, k, off) \
	{.message_id = msg, .prefix = false, .kind = (k), .raw_offset = (off)}
#define PD_PREFIX(msg, k, off) \
	{.message_id = msg, .prefix = true, .kind = (k), .raw_offset = (off)}

/*
 * The start-up rejections, by untranslated message (so any lc_messages
 * works).  Each is raised only while a connection starts, and the hook
 * checks that phase too.
 */
static PdMessageRule pd_rules[] = {
	/* COMMERROR after the 4-byte length word was consumed */
	PD_EXACT("invalid length of startup packet", PD_KIND_INVALID_LENGTH, 4),
	/* COMMERROR; what arrived was consumed, nothing is left */
	PD_EXACT("incomplete startup packet", PD_KIND_INCOMPLETE_PACKET, PD_OFFSET_NONE),
	/* FATAL; the version bytes are in MyProcPort->proto */
	PD_PREFIX("unsupported frontend protocol ", PD_KIND_UNSUPPORTED_PROTOCOL, PD_OFFSET_PROTO),
	/* 18+: COMMERRORs for a cancel request (1234.5678) of the wrong length */
	PD_EXACT("invalid length of cancel request packet", PD_KIND_INVALID_LENGTH, PD_OFFSET_PROTO),
	PD_EXACT("invalid length of cancel key in cancel request packet",
			 PD_KIND_INVALID_LENGTH, PD_OFFSET_PROTO),
	PD_EXACT("invalid startup packet layout: expected terminator as last byte",
			 PD_KIND_INVALID_LAYOUT, PD_OFFSET_UNKNOWN),
	PD_EXACT("no PostgreSQL user name specified in startup packet",
			 PD_KIND_MISSING_USER, PD_OFFSET_UNKNOWN),
	/* FATAL; the bytes pipelined after the 8-byte request are unread */
	PD_EXACT("received unencrypted data after SSL request", PD_KIND_UNENCRYPTED_AFTER_REQUEST, 8),
	PD_EXACT("received unencrypted data after GSSAPI encryption request",
			 PD_KIND_UNENCRYPTED_AFTER_REQUEST, 8),
	/*
	 * COMMERROR from be_tls_open_server(); OpenSSL consumed the bytes, but on
	 * 17+ a direct-TLS ClientHello is still in Port.raw_buf.
	 */
	PD_PREFIX("could not accept SSL connection", PD_KIND_TLS_FAILURE, PD_OFFSET_TLS),
	PD_PREFIX("could not initialize SSL connection", PD_KIND_TLS_FAILURE, PD_OFFSET_TLS),
	/* 17+: direct TLS without ALPN; the handshake completed, bytes are gone */
	PD_EXACT("received direct SSL connection request without ALPN protocol negotiation extension",
			 PD_KIND_TLS_FAILURE, PD_OFFSET_NONE),
	/*
	 * 17+, trace_connection_negotiation's LOG: direct TLS with the server's
	 * TLS off (or on a Unix socket); the whole ClientHello is unread.  Also
	 * raised after a failed handshake, already recorded: pd_emit_log_hook
	 * records it only while bytes are unread.
	 */
	PD_EXACT("direct SSL connection rejected", PD_KIND_TLS_REJECTED, 0),
};

/*
 * trace_connection_negotiation's other lines: hidden if we turned it on.
 * Writable, as the rules are.
 */
static char pd_trace_messages[][32] = {
	"SSLRequest accepted", "SSLRequest rejected",
	"GSSENCRequest accepted", "GSSENCRequest rejected",
	"direct SSL connection accepted", "direct SSL connection rejected",
};

/*
 * FATALs of the authentication phase (a backend with a PGPROC, still in
 * InitProcessing mode): before ClientAuthentication_hook runs (pg_hba.conf,
 * client certificates) and after it (no such role or database).
 */
static PdMessageRule pd_auth_rules[] = {
	PD_PREFIX("no pg_hba.conf entry for ", PD_KIND_HBA_REJECTED, PD_OFFSET_NONE),
	PD_PREFIX("pg_hba.conf rejects ", PD_KIND_HBA_REJECTED, PD_OFFSET_NONE),
	PD_EXACT("connection requires a valid client certificate", PD_KIND_CERT_REJECTED, PD_OFFSET_NONE),
	PD_EXACT("role \"%s\" does not exist", PD_KIND_UNKNOWN_ROLE, PD_OFFSET_NONE),
	PD_EXACT("database \"%s\" does not exist", PD_KIND_UNKNOWN_DATABASE, PD_OFFSET_NONE),
};

static pd_hot const PdMessageRule *
pd_match_rule(const PdMessageRule *rules, size_t nrules, const char *message_id)
{
	size_t		i;

	for (i = 0; i < nrules; i++)
	{
		const PdMessageRule *r = &rules[i];

		if (r->prefix ? strncmp(message_id, r->message_id, r->len) == 0
			: strcmp(message_id, r->message_id) == 0)
			return r;
	}
	return NULL;
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

/*
 * Recording, in functions of their own: the event's stack copy (1.5 kB) is
 * then part of their frames only, not of the hooks', which every log
 * message and every login goes through.
 */
static pg_noinline void
pd_record(int kind, int raw_offset, const char *message, const char *method)
{
	PdEventBuf	buf;

	pd_capture(kind, raw_offset, message, method, &buf, NULL);
}

static pd_hot pg_noinline void
pd_record_probe(ErrorData *edata, const PdMessageRule *rule)
{
	/*
	 * A rejected start-up packet.  No re-entry guard is set around the
	 * recording: nothing it calls raises a message, and a write to a
	 * static would cost this short-lived child a copy-on-write fault.
	 */
	int			kind;
	PdEventBuf	buf;
	const PdEvent *ev;

	ev = pd_capture(rule->kind, rule->raw_offset, edata->message, NULL, &buf,
					&kind);

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
			pd_annotate_probe(edata, ev, rule->raw_offset == PD_OFFSET_TLS);
			pd_in_hook = false;
		}
		else if (pd_server_log == PD_LOG_OFF)
			edata->output_to_server = false;
	}
}

static pd_hot void
pd_emit_log_hook(ErrorData *edata)
{
	const PdMessageRule *rule = NULL;

	/*
	 * The trace lines we asked for to see direct TLS (pd_hooks_install) are
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
		pd_record_probe(edata, rule);
	else if (rule != NULL)
	{
		pd_in_hook = true;
		pd_record(rule->kind, rule->raw_offset, edata->message, NULL);
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
 * A health check: pg_isready (PQping) hangs up at the password prompt, as
 * psql's first try does, and says who it is in the start-up packet.  A
 * client could say so falsely, but then all it hides is a connection that
 * tried no password.
 */
static bool
pd_is_health_check(const Port *port)
{
	return port->application_name != NULL &&
		strcmp(port->application_name, "pg_isready") == 0;
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
	uint8		addr[16];
	uint16		client_port;
	uint8		family;

	if (pd_prev_client_auth_hook)
		pd_prev_client_auth_hook(port, status);
	if (port != MyProcPort)
		return;
	family = pd_port_addr(port, addr, &client_port);

	/* libpq's fallback that got in ends its chain of failures uncounted */
	if (status == STATUS_OK && pd_enabled)
		pd_attempt_success(family, addr, pd_port_transport(port),
						   GetCurrentTimestamp());

	if (status == STATUS_EOF && pd_is_health_check(port))
	{
		/* counted, not recorded: a check every second is 86,400 a day */
		if (pd_counters != NULL && pd_enabled)
			pd_count(&pd_counters->health_checks);
	}
	else if ((status == STATUS_ERROR || status == STATUS_EOF) &&
			 pd_ring != NULL && pd_enabled && !pd_in_hook)
	{
		pd_in_hook = true;
		pd_record(status == STATUS_ERROR ? PD_KIND_AUTH_FAILED : PD_KIND_AUTH_ABANDONED,
				  PD_OFFSET_NONE,
				  status == STATUS_ERROR ? "authentication failed" :
				  "client closed the connection during authentication",
				  port->hba ? pd_hba_authname(port) : NULL);
		pd_in_hook = false;
	}

	/*
	 * A network that probed or guessed too much: FATAL, whatever status,
	 * and an event of its own.
	 */
	if (status != STATUS_EOF)
	{
		PdRefusal	r;

		if (pd_refuse_decide(family, addr, pd_port_transport(port), &r))
		{
			if (pd_ring != NULL && pd_enabled && !pd_in_hook)
			{
				pd_in_hook = true;
				pd_record(PD_KIND_REFUSED, PD_OFFSET_NONE,
						  "connection refused by probe_detect", NULL);
				pd_in_hook = false;
			}
			pd_refuse_report(&r, family, addr);
		}
	}
}

void
pd_hooks_define_settings(void)
{
	DefineCustomBoolVariable("probe_detect.enabled",
							 "Records rejected connection attempts.",
							 NULL,
							 &pd_enabled,
							 true,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable("probe_detect.server_log",
							 "What the server log says about a recognised probe: original, annotated or off.",
							 NULL,
							 &pd_server_log,
							 PD_LOG_ORIGINAL,
							 pd_server_log_options,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
	DefineCustomEnumVariable("probe_detect.reply",
							 "What a rejected start-up packet is told: normal, terse or silent.",
							 NULL,
							 &pd_reply,
							 PD_REPLY_NORMAL,
							 pd_reply_options,
							 PGC_SIGHUP,
							 0,
							 NULL, NULL, NULL);
}

void
pd_hooks_install(void)
{
	size_t		i;

	/* in the postmaster: the tables' pages become its own (see above) */
	for (i = 0; i < lengthof(pd_rules); i++)
		pd_rules[i].len = strlen(pd_rules[i].message_id);
	for (i = 0; i < lengthof(pd_auth_rules); i++)
		pd_auth_rules[i].len = strlen(pd_auth_rules[i].message_id);
	for (i = 0; i < lengthof(pd_trace_messages); i++)
		pd_trace_messages[i][sizeof(pd_trace_messages[i]) - 1] = '\0';

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
