/*
 * unit_logscan.c
 *	  Unit tests of probe_detect_logscan's parsers: log_line_prefix
 *	  matching (hostile names included), csvlog, jsonlog, times, messages,
 *	  and the reader's cut of long records.
 *
 * Prints one line per failed case and a closing "N passed, N failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logscan/input.h"
#include "logscan/message.h"
#include "logscan/record.h"
#include "pd_kind.h"

static int	passed;
static int	failed;

static void
check(int ok, const char *what)
{
	if (ok)
		passed++;
	else
	{
		failed++;
		printf("FAIL: %s\n", what);
	}
}

static void
check_str(const char *got, const char *want, const char *what)
{
	if (strcmp(got, want) == 0)
		passed++;
	else
	{
		failed++;
		printf("FAIL: %s: got \"%s\", want \"%s\"\n", what, got, want);
	}
}

typedef struct StderrCase
{
	const char *prefix;
	const char *line;
	int			ok;
	const char *host;
	int			port;
	int			pid;
	const char *user;
	const char *database;
	const char *severity;
	const char *message;
	bool		accept;			/* read with ls_message_accept */
} StderrCase;

static const StderrCase stderr_cases[] = {
	{"%m [%p] %q%u@%d ",
		"2026-11-29 09:14:03.120 UTC [4711] [unknown]@[unknown] FATAL:  unsupported frontend protocol 65363.19778: server supports 3.0 to 3.0",
	1, "", -1, 4711, "[unknown]", "[unknown]", "FATAL", "unsupported frontend protocol 65363.19778: server supports 3.0 to 3.0"},
	/* %q: a non-session process writes only what precedes it */
	{"%m [%p] %q%u@%d ", "2026-11-29 09:14:03.120 UTC [12] LOG:  checkpoint starting: time",
	1, "", -1, 12, "", "", "LOG", "checkpoint starting: time"},
	/* a user name with spaces, "@" and a forged severity of its own */
	{"%m [%p] %q%u@%d ",
		"2026-11-29 09:14:03.120 UTC [7] a b@c FATAL:  x@db FATAL:  password authentication failed for user \"a b@c FATAL:  x\"",
	1, "", -1, 7, "a b@c FATAL:  x", "db", "FATAL", "password authentication failed for user \"a b@c FATAL:  x\"", true},
	/* ... and one that would forge another kind and address */
	{"%t [%p]: user=%u,db=%d,app=%a,client=%h ",
		"2024-03-04 10:00:23 CET [77]: user=u,db=d,app=x,client=6.6.6.6 FATAL:  password authentication failed for user \"z\",client=127.0.0.1 FATAL:  password authentication failed for user \"u\"",
	1, "127.0.0.1", -1, 77, "u", "d", "FATAL", "password authentication failed for user \"u\"", true},
	{"%t [%p]: user=%u,db=%d,app=%a,client=%h ",
		"2024-03-04 10:00:23 CET [77]: user=u,db=d,app=x,client=6.6.6.6 LOG:  invalid length of startup packet,client=127.0.0.1 FATAL:  password authentication failed for user \"u\"",
	1, "127.0.0.1", -1, 77, "u", "d", "FATAL", "password authentication failed for user \"u\"", true},
	{"%m [%p] %r ", "2024-03-04 10:00:23.752 UTC [4953] 198.51.100.9(51239) FATAL:  password authentication failed for user \"postgres\"",
	1, "198.51.100.9", 51239, 4953, "", "", "FATAL", "password authentication failed for user \"postgres\""},
	{"%m [%p] %r ", "2024-03-04 10:00:23.752 UTC [4953] [local] FATAL:  role \"x\" does not exist",
	1, "[local]", -1, 4953, "", "", "FATAL", "role \"x\" does not exist"},
	{"%m [%p] %r ", "2024-03-04 10:00:23.752 UTC [4953] ::1(5432) LOG:  invalid length of startup packet",
	1, "::1", 5432, 4953, "", "", "LOG", "invalid length of startup packet"},
	{"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
		"2024-03-04 10:00:23 CET [77]: [3-1] user=bob,db=app,app=psql,client=203.0.113.7 LOG:  invalid length of startup packet",
	1, "203.0.113.7", -1, 77, "bob", "app", "LOG", "invalid length of startup packet"},
	/* an empty application name and client */
	{"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
		"2024-03-04 10:00:23 CET [77]: [1-1] user=,db=,app=,client= LOG:  checkpoint complete",
	1, "", -1, 77, "", "", "LOG", "checkpoint complete"},
	{"%n [%p] ", "1795943643.120 [9] FATAL:  incomplete startup packet",
	1, "", -1, 9, "", "", "FATAL", "incomplete startup packet"},
	/* padding: "%-10u" fills the name with spaces */
	{"%m %-10u %p ", "2026-11-29 09:14:03.120 UTC bob        42 LOG:  incomplete startup packet",
	1, "", -1, 42, "bob", "", "LOG", "incomplete startup packet"},
	{"%%%p%% ", "%42% LOG:  x", 1, "", -1, 42, "", "", "LOG", "x"},
	{"%m %6p ", "2026-11-29 09:14:03.120 UTC     42 LOG:  x", 1, "", -1, 42, "", "", "LOG", "x"},
	{"", "FATAL:  no PostgreSQL user name specified in startup packet", 1, "", -1, -1, "", "", "FATAL",
	"no PostgreSQL user name specified in startup packet"},
	/* a statement's continuation line is no record */
	{"%m [%p] ", "\tFATAL:  role \"trap\" does not exist", 0},
	{"%m [%p] ", "2026-11-29 09:14:03.120 UTC [4711] NOTASEVERITY:  x", 0},
	{"%m [%p] ", "", 0},
	{"%m [%p] ", "2026-13-29 09:14:03.120 UTC [4711] LOG:  x", 0},
	/* no prefix known: the free form */
	{NULL, "Nov 29 09:14:03 db1 postgres[4711]: [5-1] 2026-11-29 09:14:03 UTC [4711] 10.1.2.3(4455) FATAL:  incomplete startup packet",
	1, "10.1.2.3", 4455, 4711, "", "", "FATAL", "incomplete startup packet"},
	{NULL, "2026-11-29 09:14:03.120 UTC [4711] LOG:  invalid length of startup packet",
	1, "", -1, 4711, "", "", "LOG", "invalid length of startup packet"},
};

static void
test_stderr(void)
{
	size_t		i;

	for (i = 0; i < sizeof(stderr_cases) / sizeof(stderr_cases[0]); i++)
	{
		const StderrCase *c = &stderr_cases[i];
		LsPrefix	p;
		LsRecord	r;
		char		what[160];
		bool		ok;

		if (c->prefix)
			check(ls_prefix_compile(c->prefix, &p) == 0, "prefix compiles");
		else
			ls_prefix_free(&p);
		ok = ls_parse_stderr(&p, c->line, strlen(c->line), &r,
							 c->accept ? ls_message_accept : NULL, NULL) == 1;
		snprintf(what, sizeof(what), "stderr case %zu", i);
		check(ok == c->ok, what);
		if (!ok || !c->ok)
			continue;
		check_str(r.host, c->host, what);
		check(r.port == c->port, what);
		check(r.pid == c->pid, what);
		check_str(r.user, c->user, what);
		check_str(r.database, c->database, what);
		check_str(r.severity, c->severity, what);
		check_str(r.message, c->message, what);
	}
}

static void
test_time(void)
{
	int64_t		a,
				b;

	check(ls_parse_time("1970-01-01 00:00:00 UTC", 23, &a) == 23 && a == 0, "epoch");
	check(ls_parse_time("2026-11-29 09:14:03.120 UTC", 27, &a) == 27 &&
		  a == INT64_C(1795943643120000), "2026-11-29 09:14:03.120 UTC");
	check(ls_parse_time("1795943643.120", 14, &b) == 14 && a == b, "%n");
	check(ls_parse_time("2026-11-29 10:14:03.120 +01", 27, &b) == 27 && a == b, "+01 applied");
	check(ls_parse_time("2026-11-29 04:44:03.120 -04:30", 30, &b) == 30 && a == b, "-04:30 applied");
	check(ls_parse_time("2026-11-29 09:14:03.120", 23, &b) == 23 && a == b, "no zone");
	check(ls_parse_time("2026-11-29", 10, &b) == 0, "a date alone is no time");
	check(ls_parse_time("2026-02-30 09:14", 16, &b) == 0, "cut short");
	check(ls_parse_time("2026-00-10 09:14:03", 19, &b) == 0, "month 0");
}

static void
test_csv(void)
{
	static const char rec[] =
		"2024-03-04 10:00:23.752 UTC,\"ev\"\"il\nuser\",\"db,1\",4953,\"198.51.100.9:51239\",65e5a0a7.1359,1,"
		"\"authentication\",2024-03-04 10:00:23 UTC,3/1,0,FATAL,28P01,"
		"\"password authentication failed for user \"\"ev\"\"il\nuser\"\"\",\"Connection matched\",,,,,,,,\"\"";
	static const char v6[] =
		"2024-03-04 10:00:23.752 UTC,,,4953,\"::1:51239\",65e5a0a7.1359,1,,2024-03-04 10:00:23 UTC,,0,LOG,08P01,"
		"\"invalid length of startup packet\",,,,,,,,,\"\",\"not initialized\",,0";
	LsRecord	r;
	LsMessage	m;

	check(ls_parse_csv(rec, sizeof(rec) - 1, &r), "csv record parses");
	check_str(r.user, "ev\"il\nuser", "csv user");
	check_str(r.database, "db,1", "csv database");
	check_str(r.host, "198.51.100.9", "csv host");
	check(r.port == 51239 && r.pid == 4953, "csv port, pid");
	check(ls_message(&r, &m) == LS_LINE_EVENT && m.kind == PD_KIND_AUTH_FAILED, "csv auth_failed");
	check_str(m.user, "ev\"il\nuser", "csv auth user");
	check(ls_parse_csv(v6, sizeof(v6) - 1, &r), "csv v6 parses");
	check_str(r.host, "::1", "csv v6 host");
	check(r.port == 51239, "csv v6 port");
	check(!ls_parse_csv("x,y", 3, &r), "csv garbage");
	check(!ls_parse_csv(rec, 60, &r), "csv cut short");
}

static void
test_json(void)
{
	static const char line[] =
		"{\"timestamp\":\"2024-03-04 10:00:23.752 UTC\",\"user\":\"ev\\\"il\\nuser\\u00e9\\u0000\",\"dbname\":\"postgres\","
		"\"pid\":4953,\"remote_host\":\"198.51.100.9\",\"remote_port\":51239,\"session_id\":\"x\",\"nested\":{\"a\":[1,{\"b\":\"}\"}]},"
		"\"error_severity\":\"FATAL\",\"state_code\":\"28P01\",\"message\":\"password authentication failed for user \\\"ev\\\\\\\"il\\\"\"}";
	LsRecord	r;
	LsMessage	m;

	check(ls_parse_json(line, sizeof(line) - 1, &r), "json parses");
	check(memcmp(r.user, "ev\"il\nuser\xc3\xa9", 12) == 0, "json user unescaped");
	check_str(r.host, "198.51.100.9", "json host");
	check(r.port == 51239 && r.pid == 4953, "json port, pid");
	check(ls_message(&r, &m) == LS_LINE_EVENT && m.kind == PD_KIND_AUTH_FAILED, "json auth_failed");
	check_str(m.user, "ev\\\"il", "json auth user");
	check(!ls_parse_json(line, sizeof(line) - 3, &r), "json cut short");
	{
		static const char esc[] =
			"{\"timestamp\":\"2024-03-04 10:00:23.752 UTC\\u001b[31mX\",\"error_severity\":\"LOG\",\"message\":\"x\"}";

		check(ls_parse_json(esc, sizeof(esc) - 1, &r) && r.has_t, "json: a timestamp with more after it");
		check_str(r.time, "2024-03-04 10:00:23.752", "json: only what reads as a time is kept of it");
	}
	check(!ls_parse_json("{\"message\":\"x\"", 14, &r), "json unterminated");
	check(!ls_parse_json("{\"a\":\"\\u12\"}", 12, &r), "json bad \\u");
	check(!ls_parse_json("[1,2]", 5, &r), "json array");
}

typedef struct MessageCase
{
	const char *severity;
	const char *message;
	int			line;
	int			kind;
	const char *host;
	const char *user;
	const char *database;
	uint32_t	proto;
} MessageCase;

static const MessageCase message_cases[] = {
	{"FATAL", "unsupported frontend protocol 65363.19778: server supports 1.0 to 3.0", LS_LINE_EVENT, PD_KIND_UNSUPPORTED_PROTOCOL, "", "", "", 0xff534d42},
	{"FATAL", "unsupported frontend protocol 27265.28208: server supports 3.0 to 3.2", LS_LINE_EVENT, PD_KIND_UNSUPPORTED_PROTOCOL, "", "", "", 0x6a816e30},
	{"FATAL", "unsupported frontend protocol 65536.0: server supports 3.0 to 3.0", LS_LINE_OTHER, 0},
	{"FATAL", "unsupported frontend protocol 1.2", LS_LINE_OTHER, 0},
	{"LOG", "invalid length of startup packet", LS_LINE_EVENT, PD_KIND_INVALID_LENGTH},
	{"ERROR", "invalid length of startup packet", LS_LINE_OTHER, 0},
	{"LOG", "invalid length of startup packet and more", LS_LINE_OTHER, 0},
	{"LOG", "could not accept SSL connection: wrong version number", LS_LINE_EVENT, PD_KIND_TLS_FAILURE},
	{"LOG", "could not accept SSL connection: tlsv1 alert unknown ca", LS_LINE_EVENT, PD_KIND_TLS_CLIENT_FAILURE},
	{"LOG", "could not accept SSL connection: EOF detected", LS_LINE_EVENT, PD_KIND_TLS_CLIENT_FAILURE},
	{"FATAL", "no pg_hba.conf entry for host \"198.51.100.9\", user \"root\", database \"postgres\", SSL off",
	LS_LINE_EVENT, PD_KIND_HBA_REJECTED, "198.51.100.9", "root", "postgres"},
	{"FATAL", "no pg_hba.conf entry for host \"198.51.100.9\", user \"a\", database \"b\", c\", database \"d\", no encryption",
	LS_LINE_EVENT, PD_KIND_HBA_REJECTED, "198.51.100.9", "a", "b\", c\", database \"d"},
	{"FATAL", "no pg_hba.conf entry for host \"198.51.100.9\", user \"root\", database \"postgres\"",
	LS_LINE_EVENT, PD_KIND_HBA_REJECTED, "198.51.100.9", "root", "postgres"},
	{"FATAL", "no pg_hba.conf entry for replication connection from host \"203.0.113.7\", user \"rep\", SSL off",
	LS_LINE_EVENT, PD_KIND_HBA_REJECTED, "203.0.113.7", "rep", ""},
	{"FATAL", "pg_hba.conf rejects connection for host \"203.0.113.7\", user \"guest\", database \"test\", SSL encryption",
	LS_LINE_EVENT, PD_KIND_HBA_REJECTED, "203.0.113.7", "guest", "test"},
	{"FATAL", "password authentication failed for user \"alice\"", LS_LINE_EVENT, PD_KIND_AUTH_FAILED, "", "alice", ""},
	{"FATAL", "Ident authentication failed for user \"x\"", LS_LINE_EVENT, PD_KIND_AUTH_FAILED, "", "x", ""},
	{"FATAL", "password authentication failed for user \"a\"b\"", LS_LINE_EVENT, PD_KIND_AUTH_FAILED, "", "a\"b", ""},
	{"FATAL", "password authentication failed for user \"", LS_LINE_OTHER, 0},
	{"FATAL", "role \"nobody\" does not exist", LS_LINE_EVENT, PD_KIND_UNKNOWN_ROLE, "", "nobody", ""},
	{"FATAL", "database \"nosuch\" does not exist", LS_LINE_EVENT, PD_KIND_UNKNOWN_DATABASE, "", "", "nosuch"},
	{"FATAL", "role \"\" does not exist", LS_LINE_EVENT, PD_KIND_UNKNOWN_ROLE, "", "", ""},
	{"LOG", "connection received: host=192.0.2.1 port=5000", LS_LINE_CONNECTION, 0, "192.0.2.1"},
	{"LOG", "checkpoint starting: time", LS_LINE_OTHER, 0},
	{"FATAL", "", LS_LINE_OTHER, 0},
};

/* pg_hba's message with a user name that holds its own '", database "' */
static void
test_hba_hint(void)
{
	LsRecord	r;
	LsMessage	m;
	const char *msg = "no pg_hba.conf entry for host \"192.0.2.1\", user \"a\", database \"b\", database \"postgres\", no encryption";

	memset(&r, 0, sizeof(r));
	strcpy(r.severity, "FATAL");
	strcpy(r.message, msg);
	r.message_len = strlen(msg);
	r.has_user = true;
	strcpy(r.user, "a\", database \"b");
	check(ls_message(&r, &m) == LS_LINE_EVENT, "hba with a hint");
	check_str(m.user, "a\", database \"b", "hba: the record's user says where it ends");
	check_str(m.database, "postgres", "hba: and where the database starts");
	check(ls_message_accept(&r, NULL), "hba: the reading agrees with its prefix");
}

static void
test_messages(void)
{
	size_t		i;

	for (i = 0; i < sizeof(message_cases) / sizeof(message_cases[0]); i++)
	{
		const MessageCase *c = &message_cases[i];
		LsRecord	r;
		LsMessage	m;
		char		what[200];
		LsLine		got;

		memset(&r, 0, sizeof(r));
		strcpy(r.severity, c->severity);
		strcpy(r.message, c->message);
		r.message_len = strlen(c->message);
		got = ls_message(&r, &m);
		snprintf(what, sizeof(what), "message \"%.120s\"", c->message);
		check(got == (LsLine) c->line, what);
		if (got != LS_LINE_EVENT)
			continue;
		check(m.kind == c->kind, what);
		check_str(m.host, c->host ? c->host : "", what);
		check_str(m.user, c->user ? c->user : "", what);
		check_str(m.database, c->database ? c->database : "", what);
		if (c->kind == PD_KIND_UNSUPPORTED_PROTOCOL)
			check(m.has_proto && m.proto == c->proto, what);
	}
}

/* The reader: records cut at LS_LINE_MAX, the rest skipped, csv quotes. */
static void
test_input(void)
{
	char		path[] = "/tmp/unit_logscan.XXXXXX";
	int			fd = mkstemp(path);
	FILE	   *f;
	LsInput    *in;
	const char *rec;
	size_t		len;
	int			n = 0;
	size_t		i;
	LsInputStats st = {0};

	if (fd < 0)
	{
		check(0, "mkstemp");
		return;
	}
	f = fdopen(fd, "w");
	fputs("first\n", f);
	for (i = 0; i < 3 * LS_LINE_MAX; i++)
		fputc('x', f);
	fputs("\nafter\r\n\"quoted\nstill\"\nlast", f);
	fclose(f);

	in = ls_input_open(path);
	check(in != NULL, "open");
	if (in == NULL)
		return;
	while (ls_input_next(in, &rec, &len) > 0)
	{
		n++;
		if (n == 1)
			check(len == 5 && memcmp(rec, "first", 5) == 0, "line 1");
		if (n == 2)
			check(len == LS_LINE_MAX, "long line cut");
		if (n == 3)
			check(len == 5 && memcmp(rec, "after", 5) == 0, "the rest skipped, \\r dropped");
		if (n == 4)
			check(len == 7 && memcmp(rec, "\"quoted", 7) == 0, "lines: a quote does not join");
	}
	ls_input_close(in, &st);
	check(n == 6 && st.cut == 1, "six lines, one cut");

	/* the same as csv: the quoted newline stays inside its record */
	in = ls_input_open(path);
	ls_input_csv(in, true);
	n = 0;
	while (ls_input_next(in, &rec, &len) > 0)
	{
		n++;
		if (n == 4)
			check(len == 14 && memcmp(rec, "\"quoted\nstill\"", 14) == 0, "csv: a quoted newline joins");
	}
	ls_input_close(in, NULL);
	check(n == 5, "csv: five records");
	unlink(path);
	check(ls_input_open("/nonexistent/log") == NULL, "a missing file");
}

int
main(void)
{
	test_stderr();
	test_time();
	test_csv();
	test_json();
	test_messages();
	test_hba_hint();
	test_input();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
