/*-------------------------------------------------------------------------
 *
 * message.c
 *	  Recognise the server's lines about start-up rejections and failed
 *	  logins, in the words of every release from 9.0 to 19.
 *
 * The texts are the errmsg() formats of ProcessStartupPacket
 * (postmaster.c; tcop/backend_startup.c from 17), be_tls_open_server
 * (be-secure-openssl.c), ClientAuthentication and auth_failed (auth.c) and
 * InitPostgres (postinit.c); docs/logscan-versions.md lists them with the releases
 * that write them.  The names inside quotes are the client's, unescaped: a
 * name may hold '"' and ", user \"", so the fixed words around them are
 * matched from both ends of the message.
 *
 *-------------------------------------------------------------------------
 */
#include "logscan/message.h"

#include <string.h>

#include "pd_kind.h"
#include "pd_reasons.h"
#include "pd_text.h"

typedef struct LsRule
{
	const char *text;
	bool		prefix;			/* the message starts with text */
	int			kind;
} LsRule;

static const LsRule ls_rules[] = {
	{"invalid length of startup packet", false, PD_KIND_INVALID_LENGTH},
	{"incomplete startup packet", false, PD_KIND_INCOMPLETE_PACKET},
	{"invalid length of cancel request packet", false, PD_KIND_INVALID_LENGTH},
	{"invalid length of cancel key in cancel request packet", false, PD_KIND_INVALID_LENGTH},
	{"invalid startup packet layout: expected terminator as last byte", false, PD_KIND_INVALID_LAYOUT},
	{"no PostgreSQL user name specified in startup packet", false, PD_KIND_MISSING_USER},
	{"received unencrypted data after SSL request", false, PD_KIND_UNENCRYPTED_AFTER_REQUEST},
	{"received unencrypted data after GSSAPI encryption request", false, PD_KIND_UNENCRYPTED_AFTER_REQUEST},
	{"received direct SSL connection request without ALPN protocol negotiation extension", false, PD_KIND_TLS_FAILURE},
	{"direct SSL connection rejected", false, PD_KIND_TLS_REJECTED},
	{"connection requires a valid client certificate", false, PD_KIND_CERT_REJECTED},
	{"could not accept SSL connection", true, PD_KIND_TLS_FAILURE},
	{"could not initialize SSL connection", true, PD_KIND_TLS_FAILURE},
};

static bool
ls_starts(const char *s, size_t n, const char *w)
{
	size_t		k = strlen(w);

	return n >= k && memcmp(s, w, k) == 0;
}

static bool
ls_ends(const char *s, size_t n, const char *w)
{
	size_t		k = strlen(w);

	return n >= k && memcmp(s + n - k, w, k) == 0;
}

/*
 * 'unsupported frontend protocol 65363.19778: server supports 3.0 to 3.0'
 * (and "1.0 to 3.0", "2.0 to 3.0", "3.0 to 3.2" in other releases)
 */
static bool
ls_unsupported(const char *s, size_t n, LsMessage *m)
{
	static const char head[] = "unsupported frontend protocol ";
	size_t		i,
				e;

	if (!ls_starts(s, n, head))
		return false;
	i = sizeof(head) - 1;
	for (e = i; e < n && e - i < 12 && s[e] != ':'; e++)
		;
	if (e >= n || !ls_starts(s + e, n - e, ": server supports "))
		return false;
	if (pd_parse_version(s + i, e - i, &m->proto) != 0)
		return false;
	m->has_proto = true;
	m->kind = PD_KIND_UNSUPPORTED_PROTOCOL;
	return true;
}

/*
 * '... authentication failed for user "U"': password, md5 and SCRAM say
 * "password"; Ident, Peer, LDAP, PAM, RADIUS, certificate, GSSAPI, SSPI,
 * BSD, Kerberos 5 and OAuth bearer forms the same.  (": host rejected" and
 * ": invalid authentication method" are the server's configuration, not a
 * client's failure: the module does not count them either.)
 */
static bool
ls_auth_failed(const char *s, size_t n, LsMessage *m)
{
	static const char mid[] = "authentication failed for user \"";
	const char *p;
	size_t		at,
				i;

	if (n < sizeof(mid) || s[n - 1] != '"')
		return false;
	p = memmem(s, n, mid, sizeof(mid) - 1);
	if (p == NULL)
		return false;

	/*
	 * Before it, only the method's name ("password", "Kerberos 5",
	 * "\"trust\""): words, never another message's punctuation.
	 */
	if (p == s || p - s > 24 || p[-1] != ' ')
		return false;
	for (i = 0; i < (size_t) (p - s); i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
			  (s[i] >= '0' && s[i] <= '9') || s[i] == ' ' || s[i] == '"'))
			return false;
	at = (size_t) (p - s) + sizeof(mid) - 1;
	if (at > n - 1)
		return false;
	m->kind = PD_KIND_AUTH_FAILED;
	m->has_user = true;
	ls_copy(m->user, sizeof(m->user), s + at, n - 1 - at);
	return true;
}

/* The value between 'key "' at s[*i] and the '", ' that follows it. */
static bool
ls_quoted(const char *s, size_t n, size_t *i, const char *key, char *out,
		  size_t outsz, const char *until)
{
	size_t		k = strlen(key);
	const char *e;
	size_t		a;

	if (*i + k > n || memcmp(s + *i, key, k) != 0)
		return false;
	a = *i + k;
	e = memmem(s + a, n - a, until, strlen(until));
	if (e == NULL)
		return false;
	ls_copy(out, outsz, s + a, (size_t) (e - s) - a);
	*i = (size_t) (e - s) + strlen(until);
	return true;
}

/*
 * 'no pg_hba.conf entry for host "H", user "U", database "D", SSL off'
 * (<= 13: SSL on/off; 14+: SSL encryption, GSS encryption, no encryption;
 * 9.x: the SSL words only with SSL built in), 'pg_hba.conf rejects
 * connection for host ...', and the replication forms without a database.
 */
static bool
ls_hba(const char *s, size_t n, const LsRecord *r, LsMessage *m)
{
	size_t		i;
	bool		replication = false;

	if (ls_starts(s, n, "no pg_hba.conf entry for replication connection from host \""))
	{
		i = strlen("no pg_hba.conf entry for replication connection from ");
		replication = true;
	}
	else if (ls_starts(s, n, "pg_hba.conf rejects replication connection for host \""))
	{
		i = strlen("pg_hba.conf rejects replication connection for ");
		replication = true;
	}
	else if (ls_starts(s, n, "no pg_hba.conf entry for host \""))
		i = strlen("no pg_hba.conf entry for ");
	else if (ls_starts(s, n, "pg_hba.conf rejects connection for host \""))
		i = strlen("pg_hba.conf rejects connection for ");
	else
		return false;

	m->kind = PD_KIND_HBA_REJECTED;
	/* the host is the server's own text: no quote inside */
	if (!ls_quoted(s, n, &i, "host \"", m->host, sizeof(m->host), "\", "))
		return true;
	if (replication)
	{
		/* user "U", SSL ...: the last '", ' ends the name */
		const char *e = NULL;
		const char *q;
		size_t		a = i + strlen("user \"");

		if (!ls_starts(s + i, n - i, "user \""))
			return true;
		for (q = s + a; (q = memmem(q, n - (q - s), "\", ", 3)) != NULL; q++)
			e = q;
		if (e == NULL && s[n - 1] == '"')
			e = s + n - 1;
		if (e)
		{
			m->has_user = true;
			ls_copy(m->user, sizeof(m->user), s + a, (size_t) (e - s) - a);
		}
	}
	else
	{
		/*
		 * user "U", database "D"[, SSL ...]: the names may hold '", '.  The
		 * record's own user (%u, csvlog's, jsonlog's) says where the user
		 * ends if it fits; else the first '", database "' does.
		 */
		static const char db[] = "\", database \"";
		const char *d = NULL;
		const char *e = NULL;
		const char *q;
		size_t		a = i + strlen("user \"");
		size_t		ul = r->has_user ? strlen(r->user) : 0;

		if (!ls_starts(s + i, n - i, "user \""))
			return true;
		if (ul > 0 && a + ul <= n && memcmp(s + a, r->user, ul) == 0 &&
			ls_starts(s + a + ul, n - a - ul, db))
			d = s + a + ul;
		if (d == NULL)
			d = memmem(s + a, n - a, db, sizeof(db) - 1);
		if (d == NULL)
			return true;
		m->has_user = true;
		ls_copy(m->user, sizeof(m->user), s + a, (size_t) (d - s) - a);
		a = (size_t) (d - s) + sizeof(db) - 1;
		for (q = s + a; q < s + n && (q = memmem(q, n - (q - s), "\", ", 3)) != NULL; q++)
			e = q;
		if (e == NULL && s[n - 1] == '"')
			e = s + n - 1;
		if (e)
		{
			m->has_database = true;
			ls_copy(m->database, sizeof(m->database), s + a, (size_t) (e - s) - a);
		}
	}
	m->ssl = ls_ends(s, n, ", SSL on") || ls_ends(s, n, ", SSL encryption");
	return true;
}

/* 'role "U" does not exist', 'database "D" does not exist' */
static bool
ls_missing(const char *s, size_t n, LsMessage *m)
{
	static const char tail[] = "\" does not exist";

	if (!ls_ends(s, n, tail))
		return false;
	if (ls_starts(s, n, "role \"") && n >= 6 + sizeof(tail) - 1)
	{
		m->kind = PD_KIND_UNKNOWN_ROLE;
		m->has_user = true;
		ls_copy(m->user, sizeof(m->user), s + 6, n - 6 - (sizeof(tail) - 1));
		return true;
	}
	if (ls_starts(s, n, "database \"") && n >= 10 + sizeof(tail) - 1)
	{
		m->kind = PD_KIND_UNKNOWN_DATABASE;
		m->has_database = true;
		ls_copy(m->database, sizeof(m->database), s + 10, n - 10 - (sizeof(tail) - 1));
		return true;
	}
	return false;
}

/* log_connections: 'connection received: host=H port=P' ("host=[local]") */
static bool
ls_connection(const char *s, size_t n, LsMessage *m)
{
	static const char head[] = "connection received: host=";
	size_t		i,
				e;

	if (!ls_starts(s, n, head))
		return false;
	i = sizeof(head) - 1;
	for (e = i; e < n && s[e] != ' '; e++)
		;
	ls_copy(m->host, sizeof(m->host), s + i, e - i);
	if (ls_starts(s + e, n - e, " port="))
	{
		int			port = 0;
		size_t		k;

		for (k = e + 6; k < n && k < e + 12 && s[k] >= '0' && s[k] <= '9'; k++)
			port = port * 10 + (s[k] - '0');
		if (k > e + 6)
			m->port = port;
	}
	return true;
}

LsLine
ls_message(const LsRecord *r, LsMessage *m)
{
	const char *s = r->message;
	size_t		n = r->message_len;
	size_t		i;

	memset(m, 0, sizeof(*m));
	m->port = -1;

	/* the lines we read are LOG (COMMERROR) and FATAL */
	if (strcmp(r->severity, "FATAL") != 0 && strcmp(r->severity, "LOG") != 0)
		return LS_LINE_OTHER;
	if (n == 0)
		return LS_LINE_OTHER;

	if (strcmp(r->severity, "LOG") == 0 && ls_connection(s, n, m))
		return LS_LINE_CONNECTION;

	for (i = 0; i < sizeof(ls_rules) / sizeof(ls_rules[0]); i++)
	{
		const LsRule *rule = &ls_rules[i];

		if (rule->prefix ? ls_starts(s, n, rule->text)
			: (n == strlen(rule->text) && memcmp(s, rule->text, n) == 0))
		{
			m->kind = rule->kind;
			/*
			 * A certificate refused either way is a TLS client's failure,
			 * as the module decides; so is any other reason that is not
			 * "these bytes were no TLS" (in a log we cannot see whether
			 * an SSLRequest came first: the module can).
			 */
			if (m->kind == PD_KIND_TLS_FAILURE && rule->prefix &&
				pd_tls_reason(s) != PD_TLS_REASON_NOT_TLS)
				m->kind = PD_KIND_TLS_CLIENT_FAILURE;
			return LS_LINE_EVENT;
		}
	}
	if (ls_unsupported(s, n, m) || ls_hba(s, n, r, m) || ls_missing(s, n, m) ||
		ls_auth_failed(s, n, m))
		return LS_LINE_EVENT;
	return LS_LINE_OTHER;
}

/*
 * PostgreSQL writes the same port->user_name in %u and in the message
 * ("[unknown]" in %u for none), so a reading that disagrees is one where a
 * client's name was taken for the line's structure.
 */
static bool
ls_same_name(bool prefix_has, const char *prefix, bool msg_has, const char *msg)
{
	if (!prefix_has || !msg_has || strcmp(prefix, "[unknown]") == 0)
		return true;
	return strcmp(prefix, msg) == 0;
}

/* A name in the prefix: not empty, not "[unknown]". */
static bool
ls_known(bool has, const char *name)
{
	return has && name[0] != '\0' && strcmp(name, "[unknown]") != 0;
}

/* Kinds PostgreSQL logs before the start-up packet names anybody. */
static bool
ls_before_startup(int kind)
{
	switch (kind)
	{
		case PD_KIND_UNSUPPORTED_PROTOCOL:
		case PD_KIND_INVALID_LENGTH:
		case PD_KIND_INCOMPLETE_PACKET:
		case PD_KIND_UNENCRYPTED_AFTER_REQUEST:
		case PD_KIND_TLS_FAILURE:
		case PD_KIND_TLS_CLIENT_FAILURE:
		case PD_KIND_TLS_REJECTED:
			return true;
	}
	return false;
}

bool
ls_message_accept(const LsRecord *r, void *arg)
{
	LsMessage	m;

	(void) arg;
	if (ls_message(r, &m) == LS_LINE_OTHER)
		return false;

	/*
	 * Before the start-up packet is read, %u and %d are "[unknown]": a
	 * reading of such a rejection whose prefix holds a name took a client's
	 * text for the line (a shorter join of a line split by a newline in a
	 * name, whose message reads on inside that name).  missing_user has no
	 * user by definition; an invalid layout's names are never split.
	 */
	if (ls_before_startup(m.kind) || m.kind == PD_KIND_MISSING_USER)
	{
		if (ls_known(r->has_user, r->user))
			return false;
		if (m.kind != PD_KIND_MISSING_USER && ls_known(r->has_database, r->database))
			return false;
	}
	if (m.kind == PD_KIND_INVALID_LAYOUT &&
		((r->has_user && strchr(r->user, '\n')) ||
		 (r->has_database && strchr(r->database, '\n'))))
		return false;
	return ls_same_name(r->has_user, r->user, m.has_user, m.user) &&
		ls_same_name(r->has_database, r->database, m.has_database, m.database);
}
