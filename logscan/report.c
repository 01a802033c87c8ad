/*-------------------------------------------------------------------------
 *
 * report.c
 *	  Gather the events of a log and print them, per source and per
 *	  server, as text, JSON lines or csv.
 *
 * Each event keeps what its line said (kind, version word, names, the
 * client's address where the log has it) and what the classifier makes of
 * it; the scan recogniser (pd_scan.c) and the guessing rule the module
 * applies (probe_detect.guessing_threshold failed logins within
 * probe_detect.guessing_window) then run over each address's events in
 * time order.  Every name a client chose is printed escaped as the module
 * escapes bytes (pd_escape_bytes), so the output is ASCII whatever the log
 * holds, and a line of it is never two.
 *
 *-------------------------------------------------------------------------
 */
#include "logscan/report.h"

#include <stdlib.h>
#include <string.h>

#include "logscan/message.h"
#include "pd_classify.h"
#include "pd_kind.h"
#include "pd_labels.h"
#include "pd_scan.h"
#include "pd_text.h"

typedef struct LsEvent
{
	int64_t		t_us;
	bool		has_t;
	uint8_t		kind;
	bool		has_proto;
	bool		ssl;
	uint32_t	proto;
	int32_t		waited_ms;		/* -1: not known */
	int32_t		port;
	int32_t		pid;
	uint32_t	seq;
	uint32_t	time;			/* interned strings; 0 = none */
	uint32_t	host;
	uint32_t	user;
	uint32_t	database;
	uint32_t	protocol;
	uint32_t	tool;
	int			scan;			/* PD_SCAN_* of the scan it is part of */
	const char *scan_tool;
} LsEvent;

/* log_connections' line, by pid: the address of the pid's later lines */
#define LS_PIDS 65536
typedef struct LsConn
{
	int32_t		pid;			/* 0: empty */
	bool		has_t;
	int64_t		t_us;
	uint32_t	host;
	int32_t		port;
} LsConn;

typedef struct LsCount
{
	uint32_t	id;
	uint64_t	n;
} LsCount;

typedef struct LsCounts
{
	LsCount    *c;
	int			n;
	int			cap;
} LsCounts;

typedef struct LsSource
{
	uint32_t	host;
	uint64_t	events;
	uint64_t	failures;
	uint32_t	first;			/* time text of the first and last events */
	uint32_t	last;
	int64_t		first_us;
	int64_t		last_us;
	uint64_t	kinds[PD_KIND_MAX];
	LsCounts	protocols;
	LsCounts	users;
	int			bits;
} LsSource;

struct LsReport
{
	LsOptions	opt;
	/* interned strings: id i is strs[i], 0 is none */
	char	  **strs;
	uint32_t	nstrs;
	uint32_t	capstrs;
	uint32_t   *hash;			/* open addressing: ids */
	uint32_t	hashsize;
	LsEvent    *ev;
	size_t		nev;
	size_t		capev;
	LsConn	   *conns;
	uint64_t	records;
	uint64_t	unparsed;
	uint64_t	cut;
	uint64_t	before_since;
	uint64_t	no_address;		/* events without a client address */
	int			nsources;
};

static void
ls_oom(void)
{
	fprintf(stderr, "probe_detect_logscan: out of memory\n");
	exit(2);
}

static void *
ls_alloc(size_t n)
{
	void	   *p = calloc(1, n ? n : 1);

	if (p == NULL)
		ls_oom();
	return p;
}

static void *
ls_grow(void *p, size_t *cap, size_t elem)
{
	size_t		ncap = *cap ? *cap * 2 : 256;
	void	   *np = realloc(p, ncap * elem);

	if (np == NULL)
		ls_oom();
	*cap = ncap;
	return np;
}

/* ---- interned strings ---- */

static uint32_t
ls_fnv(const char *s)
{
	uint32_t	h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (uint8_t) *s) * 16777619u;
	return h;
}

static uint32_t
ls_intern(LsReport *rep, const char *s)
{
	uint32_t	h,
				i;

	if (s == NULL || s[0] == '\0')
		return 0;
	if ((rep->nstrs + 1) * 2 >= rep->hashsize)
	{
		uint32_t	size = rep->hashsize ? rep->hashsize * 2 : 1024;
		uint32_t   *nh = ls_alloc(sizeof(uint32_t) * size);
		uint32_t	k;

		for (k = 1; k < rep->nstrs; k++)
		{
			i = ls_fnv(rep->strs[k]) & (size - 1);
			while (nh[i])
				i = (i + 1) & (size - 1);
			nh[i] = k;
		}
		free(rep->hash);
		rep->hash = nh;
		rep->hashsize = size;
	}
	h = ls_fnv(s);
	for (i = h & (rep->hashsize - 1); rep->hash[i]; i = (i + 1) & (rep->hashsize - 1))
		if (strcmp(rep->strs[rep->hash[i]], s) == 0)
			return rep->hash[i];
	if (rep->nstrs + 1 >= rep->capstrs)
	{
		size_t		cap = rep->capstrs;

		rep->strs = ls_grow(rep->strs, &cap, sizeof(char *));
		rep->capstrs = (uint32_t) cap;
	}
	if (rep->nstrs == 0)
		rep->strs[rep->nstrs++] = NULL;
	rep->strs[rep->nstrs] = strdup(s);
	if (rep->strs[rep->nstrs] == NULL)
		ls_oom();
	rep->hash[i] = rep->nstrs;
	return rep->nstrs++;
}

static const char *
ls_str(const LsReport *rep, uint32_t id)
{
	return id ? rep->strs[id] : NULL;
}

/* A name the client chose, escaped, interned. */
static uint32_t
ls_intern_escaped(LsReport *rep, const char *s)
{
	char		buf[PD_ESCAPED_MAX(LS_NAME_MAX) + 1];

	if (s == NULL)
		return 0;
	pd_escape_bytes((const uint8_t *) s, strlen(s), buf, sizeof(buf));
	/* an empty name is a name: keep it apart from none */
	return ls_intern(rep, buf[0] ? buf : "\"\"");
}

/* ---- gathering ---- */

LsReport *
ls_report_new(const LsOptions *opt)
{
	LsReport   *rep = ls_alloc(sizeof(LsReport));

	rep->opt = *opt;
	ls_intern(rep, "-");		/* makes id 0 "none" */
	return rep;
}

static void
ls_classify(LsReport *rep, LsEvent *e, const LsRecord *r)
{
	PdProbe		probe;
	PdClass		cls;
	uint8_t		bytes[4];

	memset(&probe, 0, sizeof(probe));
	probe.kind = e->kind;
	probe.offset = 4;
	if (e->has_proto)
	{
		/* what the module itself sees of such a client: its version word */
		pd_version_bytes(e->proto, bytes);
		probe.bytes = bytes;
		probe.len = 4;
	}
	pd_classify(&probe, &cls);
	if (e->kind == PD_KIND_TLS_CLIENT_FAILURE)
		strcpy(cls.protocol, "postgres");	/* its SSLRequest, as the module says */
	else if (e->kind == PD_KIND_TLS_FAILURE && !cls.protocol[0] &&
			 strstr(r->message, "http request") != NULL)
		strcpy(cls.protocol, "http");	/* OpenSSL saw an HTTP request */
	e->protocol = ls_intern(rep, cls.protocol);
	e->tool = ls_intern(rep, cls.tool);
}

static bool
ls_prefix_name(bool has, const char *name)
{
	return has && name[0] && strcmp(name, "[unknown]") != 0;
}

void
ls_report_record(LsReport *rep, const LsRecord *r)
{
	LsMessage	m;
	LsLine		what = ls_message(r, &m);
	LsConn	   *conn = NULL;
	LsEvent    *e;

	if (what == LS_LINE_OTHER)
		return;
	if (r->pid > 0)
	{
		/* only logs with log_connections' lines need the table */
		if (rep->conns == NULL && what == LS_LINE_CONNECTION)
			rep->conns = ls_alloc(sizeof(LsConn) * LS_PIDS);
		if (rep->conns)
			conn = &rep->conns[r->pid % LS_PIDS];
	}

	if (what == LS_LINE_CONNECTION)
	{
		if (conn)
		{
			conn->pid = r->pid;
			conn->has_t = r->has_t;
			conn->t_us = r->t_us;
			conn->host = ls_intern_escaped(rep, m.host);
			conn->port = m.port;
		}
		return;
	}
	if (rep->opt.has_since && (!r->has_t || r->t_us < rep->opt.since_us))
	{
		rep->before_since++;
		return;
	}
	if (conn && conn->pid != r->pid)
		conn = NULL;

	if (rep->nev >= rep->capev)
		rep->ev = ls_grow(rep->ev, &rep->capev, sizeof(LsEvent));
	e = &rep->ev[rep->nev];
	memset(e, 0, sizeof(*e));
	e->seq = (uint32_t) rep->nev++;
	e->kind = (uint8_t) m.kind;
	e->has_proto = m.has_proto;
	e->proto = m.proto;
	e->ssl = m.ssl;
	e->has_t = r->has_t;
	e->t_us = r->t_us;
	e->time = ls_intern(rep, r->time);
	e->pid = r->pid;
	e->port = r->port;
	e->waited_ms = -1;

	/* the address: the prefix's, the message's own, or log_connections' */
	if (r->host[0])
		e->host = ls_intern_escaped(rep, r->host);
	else if (m.host[0])
		e->host = ls_intern_escaped(rep, m.host);
	else if (conn)
		e->host = conn->host;
	if (e->port < 0 && conn)
		e->port = conn->port;
	if (conn && conn->has_t && r->has_t && r->t_us >= conn->t_us &&
		r->t_us - conn->t_us < INT64_C(3600000000))
		e->waited_ms = (int32_t) ((r->t_us - conn->t_us) / 1000);

	/*
	 * The message names the user of a failed login; the prefix (or csvlog's
	 * and jsonlog's fields) the rest, as the module copies Port's names for
	 * every kind ("[unknown]" is what %u and %d say before they are known).
	 */
	if (m.has_user)
		e->user = ls_intern_escaped(rep, m.user);
	else if (ls_prefix_name(r->has_user, r->user))
		e->user = ls_intern_escaped(rep, r->user);
	if (m.has_database)
		e->database = ls_intern_escaped(rep, m.database);
	else if (ls_prefix_name(r->has_database, r->database))
		e->database = ls_intern_escaped(rep, r->database);

	ls_classify(rep, e, r);
}

size_t
ls_report_mark(const LsReport *rep)
{
	return rep->nev;
}

void
ls_report_undo(LsReport *rep, size_t mark)
{
	if (mark < rep->nev)
		rep->nev = mark;
}

void
ls_report_input(LsReport *rep, uint64_t records, uint64_t unparsed, uint64_t cut)
{
	rep->records += records;
	rep->unparsed += unparsed;
	rep->cut += cut;
}

/* ---- analysis ---- */

static void
ls_count(LsCounts *c, uint32_t id, uint64_t n)
{
	int			i;

	for (i = 0; i < c->n; i++)
		if (c->c[i].id == id)
		{
			c->c[i].n += n;
			return;
		}
	if (c->n >= c->cap)
	{
		size_t		cap = c->cap;

		c->c = ls_grow(c->c, &cap, sizeof(LsCount));
		c->cap = (int) cap;
	}
	c->c[c->n].id = id;
	c->c[c->n].n = n;
	c->n++;
}

static int
ls_cmp_count(const void *a, const void *b)
{
	const LsCount *x = a,
			   *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static const LsReport *ls_sort_rep;

/* by address, then time (events without one keep the log's order) */
static int
ls_cmp_source_time(const void *a, const void *b)
{
	const LsEvent *x = *(LsEvent *const *) a,
			   *y = *(LsEvent *const *) b;

	if (x->host != y->host)
	{
		if (x->host == 0 || y->host == 0)
			return x->host == 0 ? 1 : -1;
		return strcmp(ls_sort_rep->strs[x->host], ls_sort_rep->strs[y->host]);
	}
	if (x->has_t && y->has_t && x->t_us != y->t_us)
		return x->t_us < y->t_us ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * More than the threshold of failed logins within the window, from one
 * address (t[] sorted): the module's rule, probe_detect.guessing_*.
 */
static bool
ls_guessing(const LsReport *rep, LsEvent **ev, int n)
{
	int64_t		window = (int64_t) rep->opt.guessing_window * 1000000;
	int			lo = 0;
	int			count = 0;
	int			i;
	LsEvent   **f = ls_alloc(sizeof(LsEvent *) * (n ? n : 1));
	int			nf = 0;
	bool		guessing = false;

	for (i = 0; i < n; i++)
		if (ev[i]->kind == PD_KIND_AUTH_FAILED)
			f[nf++] = ev[i];
	for (i = 0; i < nf && !guessing; i++)
	{
		count++;
		while (f[i]->t_us - f[lo]->t_us > window)
		{
			lo++;
			count--;
		}
		guessing = count > rep->opt.guessing_threshold;
	}
	free(f);
	return guessing;
}

typedef struct LsAnalysis
{
	LsEvent   **order;			/* by source, then time */
	LsSource   *src;			/* by events, most first */
	int			nsrc;
	LsSource	server;
	uint64_t	no_address;
	int			sources_with[3];	/* nmap, zgrab2, guessing */
} LsAnalysis;

static int
ls_cmp_source(const void *a, const void *b)
{
	const LsSource *x = a,
			   *y = b;

	if (x->events != y->events)
		return x->events > y->events ? -1 : 1;
	return strcmp(ls_sort_rep->strs[x->host], ls_sort_rep->strs[y->host]);
}

static void
ls_tally(LsReport *rep, LsSource *s, const LsEvent *e)
{
	/* the earliest and the latest (the log's order where times lack) */
	if (s->events == 0 || (e->has_t && e->t_us < s->first_us))
	{
		s->first = e->time;
		s->first_us = e->has_t ? e->t_us : INT64_MAX;
	}
	if (s->events == 0 || !e->has_t || e->t_us >= s->last_us)
	{
		s->last = e->time;
		s->last_us = e->has_t ? e->t_us : INT64_MIN;
	}
	s->events++;
	s->kinds[e->kind]++;
	if (e->protocol)
		ls_count(&s->protocols, e->protocol, 1);
	if (e->user && pd_kind_is_auth(e->kind))
		ls_count(&s->users, e->user, 1);
	if (e->kind == PD_KIND_AUTH_FAILED)
		s->failures++;
	(void) rep;
}

static void
ls_analyze(LsReport *rep, LsAnalysis *an)
{
	size_t		i,
				a;
	PdScanEvent *scan = ls_alloc(sizeof(PdScanEvent) * (rep->nev ? rep->nev : 1));

	memset(an, 0, sizeof(*an));
	an->order = ls_alloc(sizeof(LsEvent *) * (rep->nev ? rep->nev : 1));
	for (i = 0; i < rep->nev; i++)
		an->order[i] = &rep->ev[i];
	ls_sort_rep = rep;
	if (rep->nev > 1)
		qsort(an->order, rep->nev, sizeof(LsEvent *), ls_cmp_source_time);

	an->src = ls_alloc(sizeof(LsSource) * (rep->nev ? rep->nev : 1));
	for (a = 0; a < rep->nev;)
	{
		size_t		b = a;
		int			n,
					bits;
		LsSource   *s = NULL;

		while (b < rep->nev && an->order[b]->host == an->order[a]->host)
			b++;
		n = (int) (b - a);
		for (i = 0; i < (size_t) n; i++)
		{
			const LsEvent *e = an->order[a + i];
			PdScanEvent *se = &scan[i];

			memset(se, 0, sizeof(*se));
			/* events without a time stay in the log's order */
			se->t_us = e->has_t ? e->t_us : (int64_t) i;
			se->waited_ms = e->waited_ms;
			se->kind = e->kind;
			se->has_proto = e->has_proto;
			se->proto = e->proto;
			se->tool = ls_str(rep, e->tool);
			se->from_log = true;
		}
		bits = pd_scan_detect(scan, n);
		for (i = 0; i < (size_t) n; i++)
		{
			an->order[a + i]->scan = scan[i].scan;
			an->order[a + i]->scan_tool = scan[i].scan_tool;
		}
		if (ls_guessing(rep, an->order + a, n))
			bits |= PD_SCAN_GUESSING;

		if (an->order[a]->host != 0)
		{
			s = &an->src[an->nsrc++];
			s->host = an->order[a]->host;
			s->bits = bits;
			if (bits & PD_SCAN_NMAP)
				an->sources_with[0]++;
			if (bits & PD_SCAN_ZGRAB2)
				an->sources_with[1]++;
			if (bits & PD_SCAN_GUESSING)
				an->sources_with[2]++;
		}
		else
			an->no_address = rep->no_address = (uint64_t) n;
		an->server.bits |= bits;
		for (i = a; i < b; i++)
		{
			if (s)
				ls_tally(rep, s, an->order[i]);
			ls_tally(rep, &an->server, an->order[i]);
		}
		a = b;
	}
	if (an->nsrc > 1)
		qsort(an->src, an->nsrc, sizeof(LsSource), ls_cmp_source);
	rep->nsources = an->nsrc;
	free(scan);
}

/* ---- output ---- */

/* The tool of an event: its own, the scan's, or none. */
static const char *
ls_event_tool(const LsReport *rep, const LsEvent *e)
{
	if (e->tool)
		return ls_str(rep, e->tool);
	return e->scan_tool;
}

/* The nmap probe that sends a version word, when no scan named the tool. */
static const char *
ls_event_nmap_probe(const LsEvent *e)
{
	return e->has_proto ? pd_scan_nmap_word(e->proto) : NULL;
}

static void
ls_version_text(const LsEvent *e, char *ver, char *bytes)
{
	uint8_t		b[4];

	ver[0] = bytes[0] = '\0';
	if (!e->has_proto)
		return;
	pd_format_version(e->proto, ver);
	pd_version_bytes(e->proto, b);
	pd_escape_bytes(b, 4, bytes, PD_ESCAPED_MAX(4) + 1);
}

static void
ls_json_str(FILE *out, const char *s)
{
	if (s == NULL)
	{
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++)
	{
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/*
 * A csv field: quoted, and a leading = + - @ written as its \xNN escape so
 * that a spreadsheet never takes a client's name for a formula.
 */
static void
ls_csv_str(FILE *out, const char *s, bool last)
{
	if (s)
	{
		fputc('"', out);
		if (*s == '=' || *s == '+' || *s == '-' || *s == '@')
			fprintf(out, "\\x%02x", (unsigned char) *s++);
		for (; *s; s++)
		{
			if (*s == '"')
				fputc('"', out);
			fputc(*s, out);
		}
		fputc('"', out);
	}
	fputc(last ? '\n' : ',', out);
}

static void
ls_verdict(int bits, char *buf)
{
	pd_scan_verdict(bits, buf, 96);
}

static void
ls_print_event_text(const LsReport *rep, const LsEvent *e, FILE *out)
{
	char		ver[12],
				bytes[PD_ESCAPED_MAX(4) + 1];
	const char *tool = ls_event_tool(rep, e);
	const char *host = ls_str(rep, e->host);

	ls_version_text(e, ver, bytes);
	fprintf(out, "%s  ", e->time ? ls_str(rep, e->time) : "-");
	if (host && e->port >= 0)
		fprintf(out, strchr(host, ':') ? "[%s]:%d  " : "%s:%d  ", host, e->port);
	else
		fprintf(out, "%s  ", host ? host : "-");
	fprintf(out, "%s", pd_kind_name(e->kind));
	if (ver[0])
		fprintf(out, "  %s \"%s\"", ver, bytes);
	if (e->protocol)
		fprintf(out, "  %s", ls_str(rep, e->protocol));
	if (tool)
		fprintf(out, "  %s", tool);
	else if (ls_event_nmap_probe(e))
		fprintf(out, "  (sent by %s, and maybe others)", ls_event_nmap_probe(e));
	if (e->user)
		fprintf(out, "  user %s", ls_str(rep, e->user));
	if (e->database)
		fprintf(out, "  database %s", ls_str(rep, e->database));
	if (e->ssl)
		fprintf(out, "  ssl");
	fputc('\n', out);
}

static void
ls_print_event_json(const LsReport *rep, const LsEvent *e, FILE *out)
{
	char		ver[12],
				bytes[PD_ESCAPED_MAX(4) + 1],
				verdict[96];

	ls_version_text(e, ver, bytes);
	ls_verdict(e->scan, verdict);
	fputs("{\"record\":\"event\",\"time\":", out);
	ls_json_str(out, ls_str(rep, e->time));
	fputs(",\"host\":", out);
	ls_json_str(out, ls_str(rep, e->host));
	if (e->port >= 0)
		fprintf(out, ",\"port\":%d", e->port);
	else
		fputs(",\"port\":null", out);
	if (e->pid >= 0)
		fprintf(out, ",\"pid\":%d", e->pid);
	else
		fputs(",\"pid\":null", out);
	fprintf(out, ",\"kind\":\"%s\",\"version\":", pd_kind_name(e->kind));
	ls_json_str(out, ver[0] ? ver : NULL);
	fputs(",\"bytes\":", out);
	ls_json_str(out, ver[0] ? bytes : NULL);
	fputs(",\"protocol\":", out);
	ls_json_str(out, ls_str(rep, e->protocol));
	fputs(",\"tool\":", out);
	ls_json_str(out, ls_event_tool(rep, e));
	fputs(",\"nmap_probe\":", out);
	ls_json_str(out, ls_event_nmap_probe(e));
	fputs(",\"user\":", out);
	ls_json_str(out, ls_str(rep, e->user));
	fputs(",\"database\":", out);
	ls_json_str(out, ls_str(rep, e->database));
	fputs(",\"scan\":", out);
	ls_json_str(out, verdict[0] ? verdict : NULL);
	fputs("}\n", out);
}

static void
ls_print_event_csv(const LsReport *rep, const LsEvent *e, FILE *out)
{
	char		ver[12],
				bytes[PD_ESCAPED_MAX(4) + 1],
				verdict[96],
				num[16];

	ls_version_text(e, ver, bytes);
	ls_verdict(e->scan, verdict);
	ls_csv_str(out, ls_str(rep, e->time), false);
	ls_csv_str(out, ls_str(rep, e->host), false);
	snprintf(num, sizeof(num), "%d", e->port);
	ls_csv_str(out, e->port >= 0 ? num : NULL, false);
	snprintf(num, sizeof(num), "%d", e->pid);
	ls_csv_str(out, e->pid >= 0 ? num : NULL, false);
	ls_csv_str(out, pd_kind_name(e->kind), false);
	ls_csv_str(out, ver[0] ? ver : NULL, false);
	ls_csv_str(out, ver[0] ? bytes : NULL, false);
	ls_csv_str(out, ls_str(rep, e->protocol), false);
	ls_csv_str(out, ls_event_tool(rep, e), false);
	ls_csv_str(out, ls_str(rep, e->user), false);
	ls_csv_str(out, ls_str(rep, e->database), false);
	ls_csv_str(out, verdict[0] ? verdict : NULL, false);
	ls_csv_str(out, ls_event_nmap_probe(e), true);
}

/* "kind=n kind=n" (csv, text) or a JSON object */
static void
ls_print_kinds(const LsSource *s, FILE *out, LsFormat f)
{
	int			k;
	bool		first = true;

	if (f == LS_FORMAT_JSON)
		fputc('{', out);
	for (k = 1; k < PD_KIND_MAX; k++)
	{
		if (s->kinds[k] == 0)
			continue;
		if (f == LS_FORMAT_JSON)
			fprintf(out, "%s\"%s\":%llu", first ? "" : ",", pd_kind_name(k),
					(unsigned long long) s->kinds[k]);
		else
			fprintf(out, "%s%s=%llu", first ? "" : " ", pd_kind_name(k),
					(unsigned long long) s->kinds[k]);
		first = false;
	}
	if (f == LS_FORMAT_JSON)
		fputc('}', out);
}

/*
 * A name in a space-separated list (text, csv): one word, a space as \x20
 * (the name is escaped already: printable ASCII); in csv a quote doubled.
 */
static void
ls_list_word(FILE *out, const char *s, LsFormat f)
{
	for (; *s; s++)
	{
		if (*s == ' ')
			fputs("\\x20", out);
		else
		{
			if (*s == '"' && f == LS_FORMAT_CSV)
				fputc('"', out);
			fputc(*s, out);
		}
	}
}

static void
ls_print_counts(const LsReport *rep, LsCounts *c, FILE *out, LsFormat f,
				bool with_n, int max)
{
	int			i;

	if (c->n > 1)
		qsort(c->c, c->n, sizeof(LsCount), ls_cmp_count);
	if (f == LS_FORMAT_JSON)
		fputc(with_n ? '{' : '[', out);
	for (i = 0; i < c->n && i < max; i++)
	{
		const char *name = ls_str(rep, c->c[i].id);

		if (f == LS_FORMAT_JSON)
		{
			if (i > 0)
				fputc(',', out);
			ls_json_str(out, name);
			if (with_n)
				fprintf(out, ":%llu", (unsigned long long) c->c[i].n);
			continue;
		}
		if (i > 0)
			fputc(' ', out);
		else if (f == LS_FORMAT_CSV && name[0] && strchr("=+-@", name[0]) != NULL)
			fprintf(out, "\\x%02x", (unsigned char) *name++);	/* no formula */
		ls_list_word(out, name, f);
		if (with_n)
			fprintf(out, "=%llu", (unsigned long long) c->c[i].n);
	}
	if (f == LS_FORMAT_JSON)
		fputc(with_n ? '}' : ']', out);
	else if (c->n > max)
		fprintf(out, " (%d more)", c->n - max);
}

#define LS_USERS_SHOWN 20

static void
ls_print_source(const LsReport *rep, LsSource *s, FILE *out, bool server)
{
	char		verdict[96];
	LsFormat	f = rep->opt.format;

	ls_verdict(s->bits, verdict);
	if (f == LS_FORMAT_JSON)
	{
		if (server)
			fputs("{\"record\":\"server\"", out);
		else
		{
			fputs("{\"record\":\"source\",\"host\":", out);
			ls_json_str(out, ls_str(rep, s->host));
		}
		fputs(",\"first\":", out);
		ls_json_str(out, ls_str(rep, s->first));
		fputs(",\"last\":", out);
		ls_json_str(out, ls_str(rep, s->last));
		fprintf(out, ",\"events\":%llu,\"failed_logins\":%llu,\"users\":",
				(unsigned long long) s->events, (unsigned long long) s->failures);
		ls_print_counts(rep, &s->users, out, f, false, 100);
		fprintf(out, ",\"users_total\":%d,\"kinds\":", s->users.n);
		ls_print_kinds(s, out, f);
		fputs(",\"protocols\":", out);
		ls_print_counts(rep, &s->protocols, out, f, true, 1000);
		fputs(",\"verdict\":", out);
		ls_json_str(out, verdict);
		if (server)
			fprintf(out, ",\"records\":%llu,\"unparsed\":%llu,\"cut\":%llu,"
					"\"before_since\":%llu,\"sources\":%d,\"no_address\":%llu",
					(unsigned long long) rep->records,
					(unsigned long long) rep->unparsed,
					(unsigned long long) rep->cut,
					(unsigned long long) rep->before_since, rep->nsources,
					(unsigned long long) rep->no_address);
		fputs("}\n", out);
	}
	else if (f == LS_FORMAT_CSV)
	{
		ls_csv_str(out, ls_str(rep, s->host), false);
		ls_csv_str(out, ls_str(rep, s->first), false);
		ls_csv_str(out, ls_str(rep, s->last), false);
		fprintf(out, "%llu,%llu,\"", (unsigned long long) s->events,
				(unsigned long long) s->failures);
		ls_print_counts(rep, &s->users, out, f, false, 100);
		fputs("\",\"", out);
		ls_print_kinds(s, out, f);
		fputs("\",\"", out);
		ls_print_counts(rep, &s->protocols, out, f, true, 1000);
		fputs("\",", out);
		ls_csv_str(out, verdict, true);
	}
	else
	{
		fprintf(out, "%s: %llu event%s, %s to %s%s%s\n",
				server ? "all sources" : ls_str(rep, s->host),
				(unsigned long long) s->events, s->events == 1 ? "" : "s",
				s->first ? ls_str(rep, s->first) : "-",
				s->last ? ls_str(rep, s->last) : "-",
				verdict[0] ? ": " : "", verdict);
		fputs("  kinds: ", out);
		ls_print_kinds(s, out, f);
		if (s->protocols.n > 0)
		{
			fputs("\n  protocols: ", out);
			ls_print_counts(rep, &s->protocols, out, f, true, 1000);
		}
		if (s->failures > 0 || s->users.n > 0)
		{
			fprintf(out, "\n  failed logins: %llu; users: ", (unsigned long long) s->failures);
			ls_print_counts(rep, &s->users, out, f, true, LS_USERS_SHOWN);
		}
		fputc('\n', out);
	}
}

void
ls_report_print(LsReport *rep, FILE *out)
{
	LsAnalysis	an;
	LsFormat	f = rep->opt.format;
	size_t		i;
	int			k;

	ls_analyze(rep, &an);

	if (rep->opt.report & LS_REPORT_EVENTS)
	{
		if (f == LS_FORMAT_CSV)
			fputs("time,host,port,pid,kind,version,bytes,protocol,tool,user,database,scan,nmap_probe\n", out);
		else if (f == LS_FORMAT_TEXT)
			fprintf(out, "events (%zu)\n", rep->nev);
		for (i = 0; i < rep->nev; i++)
		{
			if (f == LS_FORMAT_CSV)
				ls_print_event_csv(rep, &rep->ev[i], out);
			else if (f == LS_FORMAT_JSON)
				ls_print_event_json(rep, &rep->ev[i], out);
			else
				ls_print_event_text(rep, &rep->ev[i], out);
		}
	}
	if (rep->opt.report & LS_REPORT_SOURCES)
	{
		if (f == LS_FORMAT_CSV)
			fputs("host,first,last,events,failed_logins,users,kinds,protocols,verdict\n", out);
		else if (f == LS_FORMAT_TEXT)
			fprintf(out, "%ssources (%d)\n",
					(rep->opt.report & LS_REPORT_EVENTS) ? "\n" : "", an.nsrc);
		for (k = 0; k < an.nsrc; k++)
			ls_print_source(rep, &an.src[k], out, false);
	}
	if ((rep->opt.report & LS_REPORT_SUMMARY) && f != LS_FORMAT_CSV)
	{
		if (f == LS_FORMAT_TEXT)
		{
			fprintf(out, "%sserver\n", (rep->opt.report & ~LS_REPORT_SUMMARY) ? "\n" : "");
			fprintf(out, "  %llu records read, %llu not understood, %llu cut at %d bytes",
					(unsigned long long) rep->records,
					(unsigned long long) rep->unparsed,
					(unsigned long long) rep->cut, 64 * 1024);
			if (rep->opt.has_since)
				fprintf(out, ", %llu events before --since",
						(unsigned long long) rep->before_since);
			fprintf(out, "\n  %zu events, %d sources, %llu events without an address\n",
					rep->nev, an.nsrc, (unsigned long long) an.no_address);
			if (an.sources_with[0] || an.sources_with[1] || an.sources_with[2])
				fprintf(out, "  sources with: nmap -sV service scan %d, zgrab2 postgres scan %d, password guessing %d\n",
						an.sources_with[0], an.sources_with[1], an.sources_with[2]);
		}
		ls_print_source(rep, &an.server, out, true);
	}
	free(an.order);
	for (k = 0; k < an.nsrc; k++)
	{
		free(an.src[k].protocols.c);
		free(an.src[k].users.c);
	}
	free(an.server.protocols.c);
	free(an.server.users.c);
	free(an.src);
}

void
ls_report_free(LsReport *rep)
{
	uint32_t	i;

	for (i = 1; i < rep->nstrs; i++)
		free(rep->strs[i]);
	free(rep->strs);
	free(rep->hash);
	free(rep->ev);
	free(rep->conns);
	free(rep);
}
