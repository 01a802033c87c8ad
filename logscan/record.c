/*-------------------------------------------------------------------------
 *
 * record.c
 *	  Parse server log records: stderr lines with any log_line_prefix,
 *	  csvlog records and jsonlog lines.
 *
 * A stderr line is "prefix SEVERITY:  message", and the prefix is whatever
 * log_line_prefix made of the session: %u and %d are the names the client
 * sent, so they may hold spaces, "@" or even "FATAL:  ".  The prefix is
 * matched against the line from the left, each escape by the shape of what
 * PostgreSQL writes for it (a timestamp, digits, an address without spaces,
 * or any text for names), backtracking over the names until a severity and
 * its two spaces follow; the work per line is bounded.
 *
 * csvlog's columns 1-14 (time, user, database, pid, connection_from, ...,
 * severity, state, message) are the same in every release since 8.3;
 * jsonlog (15+) names its keys.
 *
 *-------------------------------------------------------------------------
 */
#include "logscan/record.h"

#include <stdio.h>
#include <string.h>

/* The severities elog.c writes (error_severity()), and its two spaces. */
static const LsWord ls_severities[] = {
	LS_WORD("FATAL"), LS_WORD("LOG"), LS_WORD("ERROR"), LS_WORD("WARNING"),
	LS_WORD("DETAIL"), LS_WORD("HINT"), LS_WORD("STATEMENT"), LS_WORD("CONTEXT"),
	LS_WORD("NOTICE"), LS_WORD("INFO"), LS_WORD("PANIC"), LS_WORD("QUERY"),
	LS_WORD("LOCATION"), LS_WORD("DEBUG"), LS_WORD("DEBUG1"), LS_WORD("DEBUG2"),
	LS_WORD("DEBUG3"), LS_WORD("DEBUG4"), LS_WORD("DEBUG5"),
};

#define LS_MATCH_BUDGET 4096	/* steps of backtracking per line */
#define LS_FIELD_SPAN	320		/* longest value a name escape may take */

void
ls_copy(char *dst, size_t size, const char *src, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static bool
ls_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* "FATAL:  " at s: its length, or 0 */
static size_t
ls_severity_at(const char *s, size_t len, LsRecord *r)
{
	size_t		i;

	/* most places asked are not: one look at the first letter */
	if (len < 6 || s[0] < 'C' || s[0] > 'W')
		return 0;
	for (i = 0; i < sizeof(ls_severities) / sizeof(ls_severities[0]); i++)
	{
		size_t		n = ls_severities[i].len;

		if (s[0] == ls_severities[i].text[0] && len >= n + 3 &&
			memcmp(s + n, ":  ", 3) == 0 && memcmp(s, ls_severities[i].text, n) == 0)
		{
			if (r)
				ls_copy(r->severity, sizeof(r->severity), s, n);
			return n + 3;
		}
	}
	return 0;
}

static void
ls_record_init(LsRecord *r)
{
	memset(r, 0, offsetof(LsRecord, message));
	r->message[0] = '\0';
	r->message_len = 0;
	r->port = -1;
	r->pid = -1;
}

/*
 * stderr's message: elog.c puts a tab after each newline of a message
 * (append_with_tabs), not of the prefix, so a name with a newline reads
 * back the same in both only without it.
 */
static void
ls_set_stderr_message(LsRecord *r, const char *s, size_t n)
{
	size_t		i,
				o = 0;

	for (i = 0; i < n && o + 1 < sizeof(r->message); i++)
	{
		r->message[o++] = s[i];
		if (s[i] == '\n' && i + 1 < n && s[i + 1] == '\t')
			i++;
	}
	r->message[o] = '\0';
	r->message_len = o;
}

/* ---- time ---- */

/* days since 1970-01-01 of a proleptic Gregorian date */
static int64_t
ls_days(int64_t y, int64_t m, int64_t d)
{
	int64_t		era,
				yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static bool
ls_num(const char *s, size_t len, size_t at, int n, int *out)
{
	int			v = 0;
	int			i;

	if (at + n > len)
		return false;
	for (i = 0; i < n; i++)
	{
		if (!ls_digit(s[at + i]))
			return false;
		v = v * 10 + (s[at + i] - '0');
	}
	*out = v;
	return true;
}

static bool
ls_zone_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || ls_digit(c) ||
		c == '+' || c == '-' || c == ':' || c == '/' || c == '_';
}

size_t
ls_parse_time(const char *s, size_t len, int64_t *us)
{
	int			y,
				mo,
				d,
				h,
				mi,
				se;
	int64_t		frac = 0;
	size_t		i;

	if (len >= 10 && ls_digit(s[0]) && s[4] != '-')
	{
		/* %n: seconds since the epoch, with milliseconds */
		int64_t		secs = 0;
		int			k;

		for (i = 0; i < len && ls_digit(s[i]) && i < 12; i++)
			secs = secs * 10 + (s[i] - '0');
		if (i < 9 || i >= len || s[i] != '.')
			return 0;
		i++;
		for (k = 0; k < 6; k++)
		{
			frac *= 10;
			if (i < len && ls_digit(s[i]))
				frac += s[i++] - '0';
		}
		while (i < len && ls_digit(s[i]))
			i++;
		*us = secs * 1000000 + frac;
		return i;
	}

	if (!ls_num(s, len, 0, 4, &y) || len < 19 || s[4] != '-' ||
		!ls_num(s, len, 5, 2, &mo) || s[7] != '-' ||
		!ls_num(s, len, 8, 2, &d) || (s[10] != ' ' && s[10] != 'T') ||
		!ls_num(s, len, 11, 2, &h) || s[13] != ':' ||
		!ls_num(s, len, 14, 2, &mi) || s[16] != ':' ||
		!ls_num(s, len, 17, 2, &se))
		return 0;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || se > 60)
		return 0;
	i = 19;
	if (i < len && s[i] == '.')
	{
		int			k;

		i++;
		for (k = 0; k < 6; k++)
		{
			frac *= 10;
			if (i < len && ls_digit(s[i]))
				frac += s[i++] - '0';
		}
		while (i < len && ls_digit(s[i]))
			i++;
	}
	*us = ((ls_days(y, mo, d) * 24 + h) * 60 + mi) * INT64_C(60000000) +
		(int64_t) se * 1000000 + frac;

	/* the zone: a numeric one is applied, a name is only skipped */
	if (i + 1 < len && s[i] == ' ' && ls_zone_char(s[i + 1]))
	{
		size_t		z = i + 1,
					e = z;

		while (e < len && e - z < 32 && ls_zone_char(s[e]))
			e++;
		if ((s[z] == '+' || s[z] == '-') && e - z >= 3 &&
			ls_digit(s[z + 1]) && ls_digit(s[z + 2]))
		{
			int			oh = (s[z + 1] - '0') * 10 + (s[z + 2] - '0');
			int			om = 0;
			size_t		m = z + 3;

			if (m < e && s[m] == ':')
				m++;
			if (m + 2 <= e && ls_digit(s[m]) && ls_digit(s[m + 1]))
				om = (s[m] - '0') * 10 + (s[m + 1] - '0');
			*us -= (s[z] == '+' ? 1 : -1) * (int64_t) (oh * 60 + om) * 60000000;
		}
		/* "UTC", "CET", "+03": one word; a name after %t is the next field */
		if (e < len && s[e] != ' ' && s[e] != ']' && s[e] != ',' && s[e] != ':' &&
			s[e] != '>' && s[e] != ')')
			return i;
		i = e;
	}
	return i;
}

/* ---- log_line_prefix ---- */

int
ls_prefix_compile(const char *text, LsPrefix *p)
{
	size_t		i;
	size_t		n = strlen(text);

	memset(p, 0, sizeof(*p));
	ls_copy(p->text, sizeof(p->text), text, n);
	if (n >= sizeof(p->text))
		return -1;
	for (i = 0; i < n; i++)
	{
		LsToken    *t;

		if (text[i] == '%' && i + 1 < n && text[i + 1] != '%')
		{
			bool		padded = false;

			i++;
			/* padding, as in %-10u: the value is padded with spaces */
			if (text[i] == '-')
			{
				padded = true;
				i++;
			}
			while (i < n && ls_digit(text[i]))
			{
				padded = true;
				i++;
			}
			if (i >= n)
				break;
			if (p->ntok >= LS_PREFIX_TOKENS)
				return -1;
			t = &p->tok[p->ntok++];
			t->esc = text[i];
			t->padded = padded;
			continue;
		}
		/* literal text, "%%" as "%" */
		if (text[i] == '%')
			i++;
		if (p->ntok == 0 || p->tok[p->ntok - 1].esc != 0 ||
			p->tok[p->ntok - 1].lit_len >= (int) sizeof(p->tok[0].lit) - 1)
		{
			if (p->ntok >= LS_PREFIX_TOKENS)
				return -1;
			p->ntok++;
		}
		t = &p->tok[p->ntok - 1];
		t->lit[t->lit_len++] = text[i];
	}
	return 0;
}

void
ls_prefix_free(LsPrefix *p)
{
	memset(p, 0, sizeof(*p));
	p->free_form = true;
}

typedef struct LsMatch
{
	const LsPrefix *p;
	const char *s;
	size_t		len;
	size_t		start[LS_PREFIX_TOKENS];
	size_t		end[LS_PREFIX_TOKENS];
	int			budget;
	int			readings;		/* complete readings found */
	LsRecord   *r;
	LsAccept	accept;
	void	   *arg;
} LsMatch;

/* The end of a deterministic escape's value at pos, or -1. */
static long
ls_fixed_end(char esc, const char *s, size_t len, size_t pos)
{
	size_t		e = pos;
	int64_t		us;

	switch (esc)
	{
		case 'm':
		case 't':
		case 's':
		case 'n':
			e = pos + ls_parse_time(s + pos, len - pos, &us);
			return e > pos ? (long) e : -1;
		case 'p':
		case 'l':
		case 'x':
		case 'P':
		case 'Q':
			if (esc == 'Q' && e < len && s[e] == '-')
				e++;
			while (e < len && ls_digit(s[e]) && e - pos < 24)
				e++;
			/* %P is empty outside a parallel group, %x outside a xact */
			if (e == pos && esc != 'P' && esc != 'x')
				return -1;
			return (long) e;
		case 'c':
		case 'v':
		case 'e':
			while (e < len && e - pos < 40 &&
				   (ls_digit(s[e]) || (s[e] >= 'a' && s[e] <= 'f') ||
					(s[e] >= 'A' && s[e] <= 'Z') || s[e] == '.' || s[e] == '/'))
				e++;
			return (long) e;
		case 'h':
		case 'r':
		case 'L':
			/* an address, a host name, "[local]", or nothing */
			while (e < len && s[e] != ' ' && e - pos < LS_HOST_MAX)
				e++;
			return (long) e;
		default:
			return -2;			/* free text */
	}
}

static bool ls_match_from(LsMatch *m, int ti, size_t pos);
static bool ls_reading(LsMatch *m, size_t msg);

static bool
ls_match_rest(LsMatch *m, int ti, size_t pos)
{
	if (ti < m->p->ntok)
		return ls_match_from(m, ti, pos);
	if (ls_severity_at(m->s + pos, m->len - pos, NULL) == 0)
		return false;
	return ls_reading(m, pos);
}

static bool
ls_match_from(LsMatch *m, int ti, size_t pos)
{
	const LsToken *t = &m->p->tok[ti];
	long		e;
	size_t		k;

	if (--m->budget < 0)
		return false;
	m->start[ti] = pos;
	if (t->esc == 0)
	{
		if (pos + t->lit_len > m->len || memcmp(m->s + pos, t->lit, t->lit_len) != 0)
			return false;
		m->end[ti] = pos + t->lit_len;
		return ls_match_rest(m, ti + 1, pos + t->lit_len);
	}
	if (t->esc == 'q')
	{
		/* "stop here in non-session processes": the rest, or nothing */
		m->end[ti] = pos;
		if (ls_match_rest(m, ti + 1, pos))
			return true;
		if (ls_severity_at(m->s + pos, m->len - pos, NULL) == 0)
			return false;
		for (k = ti + 1; k < (size_t) m->p->ntok; k++)
			m->start[k] = m->end[k] = pos;
		return ls_reading(m, pos);
	}
	e = t->padded ? -2 : ls_fixed_end(t->esc, m->s, m->len, pos);
	if (e == -1)
		return false;
	if (e >= 0)
	{
		m->end[ti] = (size_t) e;
		return ls_match_rest(m, ti + 1, (size_t) e);
	}
	/* free text (a name, an application, a command tag): shortest first */
	for (k = pos; k <= m->len && k - pos <= LS_FIELD_SPAN; k++)
	{
		/* application_name is printable ASCII (pg_clean_ascii); names are not */
		if (k > pos && t->esc == 'a' && (unsigned char) m->s[k - 1] < 0x20)
			return false;
		m->end[ti] = k;
		if (ls_match_rest(m, ti + 1, k))
			return true;
		if (m->budget < 0)
			return false;
	}
	return false;
}

/* "127.0.0.1(53422)", "[local]", "::1:53422" (csvlog): host and port */
static void
ls_set_peer(LsRecord *r, const char *s, size_t n, char open)
{
	size_t		i = n;
	int			port = 0;
	size_t		digits = 0;

	if (n == 0)
		return;
	if (open == '(' && s[n - 1] == ')')
	{
		for (i = n - 1; i > 0 && s[i - 1] != '('; i--)
			;
		if (i > 0)
		{
			size_t		j;

			for (j = i; j < n - 1 && ls_digit(s[j]) && digits < 6; j++, digits++)
				port = port * 10 + (s[j] - '0');
			if (j == n - 1 && digits > 0)
			{
				r->port = port;
				ls_copy(r->host, sizeof(r->host), s, i - 1);
				return;
			}
		}
	}
	else if (open == ':')
	{
		for (i = n; i > 0 && ls_digit(s[i - 1]) && digits < 6; i--, digits++)
			;
		if (digits > 0 && i > 1 && s[i - 1] == ':')
		{
			size_t		j;

			for (j = i; j < n; j++)
				port = port * 10 + (s[j] - '0');
			r->port = port;
			ls_copy(r->host, sizeof(r->host), s, i - 1);
			return;
		}
	}
	ls_copy(r->host, sizeof(r->host), s, n);
}

static void
ls_set_time(LsRecord *r, const char *s, size_t n)
{
	int64_t		us;
	size_t		t = ls_parse_time(s, n, &us);

	/*
	 * Only what reads as a time is kept, and printed: a csvlog or jsonlog
	 * file is not trusted to hold nothing else in that field.
	 */
	ls_copy(r->time, sizeof(r->time), s, t);
	if (t > 0)
	{
		r->has_t = true;
		r->t_us = us;
	}
}

static int
ls_atoi(const char *s, size_t n)
{
	int			v = 0;
	size_t		i;

	for (i = 0; i < n && i < 9 && ls_digit(s[i]); i++)
		v = v * 10 + (s[i] - '0');
	return i > 0 ? v : -1;
}

/* The free form: the first severity after a space or at the start. */
static bool
ls_parse_free(const char *line, size_t len, LsRecord *r)
{
	size_t		i;
	size_t		msg = 0;
	bool		found = false;

	for (i = 0; i + 4 < len && i < 1024; i++)
	{
		if ((i == 0 || line[i - 1] == ' ') && line[i] >= 'A' && line[i] <= 'Z' &&
			ls_severity_at(line + i, len - i, NULL) > 0)
		{
			msg = i;
			found = true;
			break;
		}
	}
	if (!found)
		return false;
	/* a timestamp at the start, "[pid]" and "host(port)" where they are */
	if (ls_digit(line[0]))
	{
		int64_t		us;
		size_t		n = ls_parse_time(line, msg, &us);

		if (n > 0)
			ls_set_time(r, line, n);
	}
	for (i = 0; i < msg; i++)
	{
		if (line[i] == '[' && r->pid < 0 && i + 1 < msg && ls_digit(line[i + 1]))
		{
			size_t		j = i + 1;

			while (j < msg && ls_digit(line[j]))
				j++;
			if (j < msg && line[j] == ']')
				r->pid = ls_atoi(line + i + 1, j - i - 1);
		}
		else if (line[i] == ')' && r->host[0] == '\0' && (i + 1 == msg || line[i + 1] == ' '))
		{
			size_t		b = i;

			while (b > 0 && line[b - 1] != ' ' && line[b - 1] != '=')
				b--;
			ls_set_peer(r, line + b, i + 1 - b, '(');
			if (r->port < 0)
				r->host[0] = '\0';
		}
	}
	ls_severity_at(line + msg, len - msg, r);
	msg += strlen(r->severity) + 3;
	ls_set_stderr_message(r, line + msg, len - msg);
	return true;
}

/* A value padded with spaces (%-10u, %10p) without them. */
static size_t
ls_unpad(const LsToken *t, const char **v, size_t n)
{
	while (t->padded && n > 0 && (*v)[n - 1] == ' ')
		n--;
	while (t->padded && n > 0 && (*v)[0] == ' ')
	{
		(*v)++;
		n--;
	}
	return n;
}

/* A complete reading, the message at msg: fill the record, ask the caller. */
static bool
ls_reading(LsMatch *m, size_t msg)
{
	const LsPrefix *p = m->p;
	LsRecord   *r = m->r;
	const char *line = m->s;
	size_t		n;
	int			i;

	m->readings++;
	ls_record_init(r);
	for (i = 0; i < p->ntok; i++)
	{
		const char *v = line + m->start[i];
		size_t		vn = ls_unpad(&p->tok[i], &v, m->end[i] - m->start[i]);

		switch (p->tok[i].esc)
		{
			case 'm':
			case 't':
			case 'n':
				ls_set_time(r, v, vn);
				break;
			case 'p':
				r->pid = ls_atoi(v, vn);
				break;
			case 'h':
				ls_copy(r->host, sizeof(r->host), v, vn);
				break;
			case 'r':
				ls_set_peer(r, v, vn, '(');
				break;
			case 'u':
				r->has_user = vn > 0;
				ls_copy(r->user, sizeof(r->user), v, vn);
				break;
			case 'd':
				r->has_database = vn > 0;
				ls_copy(r->database, sizeof(r->database), v, vn);
				break;
		}
	}
	n = ls_severity_at(line + msg, m->len - msg, r);
	ls_set_stderr_message(r, line + msg + n, m->len - msg - n);
	return m->accept == NULL || m->accept(r, m->arg);
}

int
ls_parse_stderr(const LsPrefix *p, const char *line, size_t len, LsRecord *r,
				LsAccept accept, void *arg)
{
	LsMatch		m;

	ls_record_init(r);
	if (p->free_form)
	{
		if (!ls_parse_free(line, len, r))
			return -1;
		return accept == NULL || accept(r, arg) ? 1 : 0;
	}

	m.p = p;
	m.s = line;
	m.len = len;
	m.budget = LS_MATCH_BUDGET;
	m.readings = 0;
	m.r = r;
	m.accept = accept;
	m.arg = arg;
	if (p->ntok == 0)
	{
		if (ls_severity_at(line, len, NULL) == 0)
			return -1;
		return ls_reading(&m, 0) ? 1 : 0;
	}
	if (ls_match_from(&m, 0, 0))
		return 1;
	return m.readings > 0 ? 0 : -1;
}

/* ---- csvlog ---- */

/*
 * The next field of a csv record at *pos: unquoted up to a comma, or quoted
 * with "" for a quote.  Decoded into out (truncated); false at the end.
 */
static bool
ls_csv_field(const char *s, size_t len, size_t *pos, char *out, size_t outsz,
			 size_t *outlen)
{
	size_t		i = *pos;
	size_t		o = 0;

	if (i > len)
		return false;
	if (i < len && s[i] == '"')
	{
		i++;
		for (;;)
		{
			if (i >= len)
				break;			/* unterminated: what there is */
			if (s[i] == '"')
			{
				if (i + 1 < len && s[i + 1] == '"')
					i++;
				else
				{
					i++;
					break;
				}
			}
			if (o + 1 < outsz)
				out[o++] = s[i];
			i++;
		}
	}
	while (i < len && s[i] != ',')
	{
		if (o + 1 < outsz)
			out[o++] = s[i];
		i++;
	}
	if (outsz > 0)
		out[o] = '\0';
	if (outlen)
		*outlen = o;
	*pos = i + 1;				/* past the comma, or past the end */
	return true;
}

bool
ls_parse_csv(const char *rec, size_t len, LsRecord *r)
{
	char		f[LS_MESSAGE_MAX];
	size_t		pos = 0;
	size_t		fl;
	int			col;

	ls_record_init(r);
	/* a record starts with its time, unquoted */
	if (len < 19 || !ls_digit(rec[0]))
		return false;
	for (col = 0; col <= 13; col++)
	{
		if (!ls_csv_field(rec, len, &pos, f, sizeof(f), &fl))
			return false;
		switch (col)
		{
			case 0:
				ls_set_time(r, f, fl);
				if (!r->has_t)
					return false;
				break;
			case 1:
				r->has_user = fl > 0;
				ls_copy(r->user, sizeof(r->user), f, fl);
				break;
			case 2:
				r->has_database = fl > 0;
				ls_copy(r->database, sizeof(r->database), f, fl);
				break;
			case 3:
				r->pid = ls_atoi(f, fl);
				break;
			case 4:
				ls_set_peer(r, f, fl, ':');
				break;
			case 11:
				ls_copy(r->severity, sizeof(r->severity), f, fl);
				break;
			case 13:
				/* the message of a record cut short is not believed */
				if (pos > len + 1)
					return false;
				memcpy(r->message, f, fl + 1);
				r->message_len = fl;
				break;
		}
	}
	return r->severity[0] != '\0';
}

/* ---- jsonlog ---- */

static size_t
ls_json_ws(const char *s, size_t len, size_t i)
{
	while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

static int
ls_hex(char c)
{
	if (ls_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * A JSON string at s[i] == '"': decoded (\uXXXX as UTF-8, a lone surrogate
 * as U+FFFD) into out, truncated.  Returns the index past it, or 0.
 */
static size_t
ls_json_string(const char *s, size_t len, size_t i, char *out, size_t outsz,
			   size_t *outlen)
{
	size_t		o = 0;

	if (i >= len || s[i] != '"')
		return 0;
	for (i++; i < len && s[i] != '"'; i++)
	{
		unsigned char buf[4];
		int			nb = 1;

		buf[0] = (unsigned char) s[i];
		if (s[i] == '\\')
		{
			if (++i >= len)
				return 0;
			switch (s[i])
			{
				case 'n':
					buf[0] = '\n';
					break;
				case 't':
					buf[0] = '\t';
					break;
				case 'r':
					buf[0] = '\r';
					break;
				case 'b':
					buf[0] = '\b';
					break;
				case 'f':
					buf[0] = '\f';
					break;
				case 'u':
					{
						unsigned	cp = 0;
						int			k;

						if (i + 4 >= len)
							return 0;
						for (k = 1; k <= 4; k++)
						{
							int			h = ls_hex(s[i + k]);

							if (h < 0)
								return 0;
							cp = cp * 16 + h;
						}
						i += 4;
						if (cp >= 0xd800 && cp <= 0xdfff)
							cp = 0xfffd;
						if (cp < 0x80)
							buf[0] = (unsigned char) cp;
						else if (cp < 0x800)
						{
							buf[0] = 0xc0 | (cp >> 6);
							buf[1] = 0x80 | (cp & 0x3f);
							nb = 2;
						}
						else
						{
							buf[0] = 0xe0 | (cp >> 12);
							buf[1] = 0x80 | ((cp >> 6) & 0x3f);
							buf[2] = 0x80 | (cp & 0x3f);
							nb = 3;
						}
					}
					break;
				default:
					buf[0] = (unsigned char) s[i];	/* \" \\ \/ */
			}
		}
		if (o + nb < outsz)
		{
			memcpy(out + o, buf, nb);
			o += nb;
		}
	}
	if (i >= len)
		return 0;
	if (outsz > 0)
		out[o] = '\0';
	if (outlen)
		*outlen = o;
	return i + 1;
}

/* Skip any JSON value at s[i]; the index past it, or 0. */
static size_t
ls_json_skip(const char *s, size_t len, size_t i)
{
	int			depth = 0;

	if (i < len && s[i] == '"')
		return ls_json_string(s, len, i, NULL, 0, NULL);
	while (i < len)
	{
		char		c = s[i];

		if (c == '"')
		{
			i = ls_json_string(s, len, i, NULL, 0, NULL);
			if (i == 0)
				return 0;
			continue;
		}
		if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
		{
			if (depth == 0)
				return i;
			if (--depth == 0)
				return i + 1;
		}
		else if (c == ',' && depth == 0)
			return i;
		i++;
	}
	return 0;
}

bool
ls_parse_json(const char *line, size_t len, LsRecord *r)
{
	size_t		i;
	bool		any = false;

	ls_record_init(r);
	i = ls_json_ws(line, len, 0);
	if (i >= len || line[i] != '{')
		return false;
	i = ls_json_ws(line, len, i + 1);
	while (i < len && line[i] != '}')
	{
		char		key[32];
		char		val[LS_MESSAGE_MAX];
		size_t		vl = 0;
		size_t		next;

		next = ls_json_string(line, len, i, key, sizeof(key), NULL);
		if (next == 0)
			return false;
		i = ls_json_ws(line, len, next);
		if (i >= len || line[i] != ':')
			return false;
		i = ls_json_ws(line, len, i + 1);
		if (i < len && line[i] == '"')
		{
			next = ls_json_string(line, len, i, val, sizeof(val), &vl);
			if (next == 0)
				return false;
		}
		else
		{
			next = ls_json_skip(line, len, i);
			if (next == 0)
				return false;
			vl = next - i;
			if (vl >= sizeof(val))
				vl = sizeof(val) - 1;
			memcpy(val, line + i, vl);
			val[vl] = '\0';
		}
		i = ls_json_ws(line, len, next);

		if (strcmp(key, "timestamp") == 0)
			ls_set_time(r, val, vl);
		else if (strcmp(key, "user") == 0)
		{
			r->has_user = true;
			ls_copy(r->user, sizeof(r->user), val, vl);
		}
		else if (strcmp(key, "dbname") == 0)
		{
			r->has_database = true;
			ls_copy(r->database, sizeof(r->database), val, vl);
		}
		else if (strcmp(key, "pid") == 0)
			r->pid = ls_atoi(val, vl);
		else if (strcmp(key, "remote_host") == 0)
			ls_copy(r->host, sizeof(r->host), val, vl);
		else if (strcmp(key, "remote_port") == 0)
			r->port = ls_atoi(val, vl);
		else if (strcmp(key, "error_severity") == 0)
			ls_copy(r->severity, sizeof(r->severity), val, vl);
		else if (strcmp(key, "message") == 0)
		{
			memcpy(r->message, val, vl + 1);
			r->message_len = vl;
			any = true;
		}

		if (i < len && line[i] == ',')
			i = ls_json_ws(line, len, i + 1);
		else if (i < len && line[i] != '}')
			return false;
	}
	if (i >= len)
		return false;			/* cut short */
	return any && r->severity[0] != '\0';
}
