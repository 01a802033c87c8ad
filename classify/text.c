/*-------------------------------------------------------------------------
 *
 * text.c
 *	  Client-first line protocols: git, rsync, SMTP, FTP, POP3, IRC, IMAP,
 *	  CVS pserver and DICT.
 *
 * Each is a rule of its own.  Apart from git's, each needs a complete line
 * of printable text at the start of what is known (the view's first line);
 * the detail is that line (or part of it), escaped.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/* A command a client opens with, whole or with its first four bytes gone. */
typedef struct PdCommand
{
	const char *start;			/* whole stream starts with */
	const char *tail;			/* or, after the first 4 bytes, starts with */
} PdCommand;

/*
 * The first line, when it opens with one of cmds: protocol, and the line
 * (up to 120 bytes) as the detail.  The commands of all these protocols are
 * prefixes of none of the others', so the order the rules are tried in does
 * not matter between them.
 */
static bool
pd_commands(const PdView *v, PdClass *c, const PdCommand *cmds, size_t ncmds,
			const char *protocol)
{
	size_t		n = v->line_n;
	size_t		k;
	PdStr		d;

	if (!v->line)
		return false;
	for (k = 0; k < ncmds; k++)
	{
		const char *m = v->off == 0 ? cmds[k].start : cmds[k].tail;

		if (m && pd_is(v, v->off, m, strlen(m)))
		{
			PD_SET(c->protocol, protocol);
			pd_str_init(&d, c->detail, sizeof(c->detail));
			pd_str_addv(&d, v, v->off, n > 120 ? 120 : n);
			return true;
		}
	}
	return false;
}

/* git:// ("0032git-upload-pack /repo\0host=..."): no line, a NUL ends it. */
bool
pd_rule_git(const PdView *v, PdClass *c)
{
	long		e;
	PdStr		d;

	if (!pd_is(v, 4, "git-upload-pack ", 16) && !pd_is(v, 4, "git-receive-pack ", 17) &&
		!pd_is(v, 4, "git-upload-archive ", 19))
		return false;
	e = pd_find(v, 4, 0, 256);
	PD_SET(c->protocol, "git");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (e > 4)
		pd_str_addv(&d, v, 4, (size_t) e - 4);
	return true;
}

/*
 * rsync daemon greeting.  Tried before IRC: "@RSYNCD: 31.0\nUSER ..." with
 * its first four bytes gone would also pass for an IRC registration.
 */
bool
pd_rule_rsync(const PdView *v, PdClass *c)
{
	PdStr		d;

	if (!v->line ||
		!(v->off == 0 ? PD_IS(v, 0, "@RSYNCD: ") : PD_IS(v, 4, "NCD: ")))
		return false;
	PD_SET(c->protocol, "rsync");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "@RSY");
	pd_str_addv(&d, v, 4, Min_(v->off + v->line_n - 4, 60));
	return true;
}

bool
pd_rule_smtp(const PdView *v, PdClass *c)
{
	static const PdCommand cmds[] = {
		{"EHLO ", NULL}, {"HELO ", NULL}, {"EHLO\r\n", NULL}, {"HELO\r\n", NULL},
		{"MAIL FROM:", " FROM:<"}, {"RCPT TO:", " TO:<"},
	};

	return pd_commands(v, c, cmds, lengthof_(cmds), "smtp");
}

bool
pd_rule_ftp(const PdView *v, PdClass *c)
{
	static const PdCommand cmds[] = {
		{"AUTH TLS\r\n", NULL}, {"FEAT\r\n", NULL}, {"SYST\r\n", NULL},
	};

	return pd_commands(v, c, cmds, lengthof_(cmds), "ftp");
}

bool
pd_rule_pop3(const PdView *v, PdClass *c)
{
	static const PdCommand cmds[] = {
		{"CAPA\r\n", NULL}, {"STLS\r\n", NULL},
	};

	return pd_commands(v, c, cmds, lengthof_(cmds), "pop3");
}

/*
 * IRC: NICK or CAP LS; or, after a consumed "NICK", "<nick>\r\nUSER ... :".
 * Tried after SMTP: " TO:<x>\r\nUSER ... :" is SMTP's.
 */
bool
pd_rule_irc(const PdView *v, PdClass *c)
{
	static const PdCommand cmds[] = {
		{"NICK ", NULL}, {"CAP LS", "LS 30"},
	};

	if (pd_commands(v, c, cmds, lengthof_(cmds), "irc"))
		return true;
	if (v->off == 4 && v->line && PD_IS(v, v->line_next, "USER ") &&
		pd_find(v, v->line_next, ':', 128) > 0)
		return pd_found(c, "irc", "NICK/USER registration");

	/*
	 * "CAP LS\r\n" with "CAP " consumed leaves "LS", too short to name
	 * anything alone: with a NICK line after it (hydra's irc module) it is
	 * capability negotiation opening a registration.
	 */
	if (v->off == 4 && v->line && v->line_n == 2 && PD_IS(v, 4, "LS") &&
		PD_IS(v, v->line_next, "NICK "))
		return pd_found(c, "irc", "CAP LS, then NICK");
	return false;
}

/* IMAP: "<tag> CAPABILITY" etc.; the tag may be what was consumed. */
bool
pd_rule_imap(const PdView *v, PdClass *c)
{
	static const char *const imap[] = {" CAPABILITY", " STARTTLS", " LOGIN ",
	" AUTHENTICATE ", " LOGOUT"};
	size_t		n = v->line_n;
	size_t		k;
	size_t		s = v->off;
	PdStr		d;

	if (!v->line)
		return false;
	while (s < v->off + n && s < v->off + 16 && pd_at(v, s) != ' ')
	{
		int			ch = pd_at(v, s);

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '.'))
			return false;
		s++;
	}
	if (v->off == 0 && s == 0)
		return false;
	for (k = 0; k < lengthof_(imap); k++)
		if (pd_is(v, s, imap[k], strlen(imap[k])))
		{
			PD_SET(c->protocol, "imap");
			pd_str_init(&d, c->detail, sizeof(c->detail));
			pd_str_addv(&d, v, s + 1, (n - (s - v->off)) > 60 ? 60 : n - (s - v->off) - 1);
			return true;
		}
	return false;
}

/*
 * CVS pserver (the cvsclient manual, "Connection and Authentication"): the
 * client opens with "BEGIN AUTH REQUEST", "BEGIN VERIFICATION REQUEST" or
 * "BEGIN GSSAPI REQUEST", a line of its own ending in LF.  The whole line
 * must be there; "N AUTH REQUEST" etc. is what is left of it without the
 * first four bytes, still long and odd enough to be nothing else.
 */
bool
pd_rule_cvs(const PdView *v, PdClass *c)
{
	static const char *const kinds[] = {"AUTH", "VERIFICATION", "GSSAPI"};
	size_t		k;
	size_t		i = 6;			/* the kind, after "BEGIN " or its "N " */
	PdStr		d;

	if (!v->line || (v->off == 0 && !PD_IS(v, 0, "BEGIN ")) ||
		(v->off == 4 && !PD_IS(v, 4, "N ")))
		return false;
	for (k = 0; k < lengthof_(kinds); k++)
	{
		size_t		kl = strlen(kinds[k]);

		if (v->line_n == i - v->off + kl + 8 && pd_is(v, i, kinds[k], kl) &&
			PD_IS(v, i + kl, " REQUEST"))
		{
			PD_SET(c->protocol, "cvs");
			pd_str_init(&d, c->detail, sizeof(c->detail));
			pd_str_addf(&d, "pserver BEGIN %s REQUEST", kinds[k]);
			return true;
		}
	}
	return false;
}

/*
 * DICT (RFC 2229): clients announce themselves with "CLIENT <text>" (curl
 * sends "CLIENT libcurl <version>"), then ask.  The CLIENT line alone is
 * too plain a word; with a DEFINE, MATCH or SHOW command on the next line
 * it is DICT.  Without the first four bytes "NT <text>" is left.
 */
bool
pd_rule_dict(const PdView *v, PdClass *c)
{
	static const char *const next[] = {"DEFINE ", "MATCH ", "SHOW ", "OPTION MIME"};
	size_t		t = 7;			/* the text, after "CLIENT " or its "NT " */
	size_t		n2,
				nx2;
	size_t		k;
	PdStr		d;

	if (!v->line || (v->off == 0 && !PD_IS(v, 0, "CLIENT ")) ||
		(v->off == 4 && !PD_IS(v, 4, "NT ")) || v->off + v->line_n <= t)
		return false;
	if (!pd_line(v, v->line_next, &n2, &nx2))
		return false;
	for (k = 0; k < lengthof_(next); k++)
		if (n2 >= strlen(next[k]) && pd_is(v, v->line_next, next[k], strlen(next[k])))
			break;
	if (k == lengthof_(next))
		return false;
	PD_SET(c->protocol, "dict");
	/* curl's lib/dict.c: "CLIENT " LIBCURL_NAME " " LIBCURL_VERSION */
	if (PD_IS(v, t, "libcurl ") && pd_at(v, t + 8) >= '0' && pd_at(v, t + 8) <= '9')
		PD_SET(c->tool, "curl");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "CLIENT ");
	pd_str_addv(&d, v, t, Min_(v->off + v->line_n - t, 60));
	pd_str_add(&d, "; ");
	pd_str_addv(&d, v, v->line_next, Min_(n2, 60));
	return true;
}
