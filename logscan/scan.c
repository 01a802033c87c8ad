/*-------------------------------------------------------------------------
 *
 * scan.c
 *	  Read one log file into the report: its format and log_line_prefix,
 *	  the fast path past lines about other things, and the joins of stderr
 *	  lines that a newline in a client's name split.
 *
 *-------------------------------------------------------------------------
 */
#include "logscan/scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logscan/input.h"
#include "logscan/message.h"

bool		ls_scan_verbose = false;

/*
 * log_line_prefix settings met in the wild, tried in turn on a log's first
 * lines when --prefix is not given: Debian's and Ubuntu's, PostgreSQL's own
 * default since 10 (none before), pgBadger's recommendations.
 */
static const char *const ls_common_prefixes[] = {
	"%m [%p] %q%u@%d ",
	"%m [%p] %q%u@%d %r ",
	"%m [%p] %q%u@%d %h ",
	"%t [%p-%l] %q%u@%d ",
	"%m [%p] ",
	"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%t [%p]: user=%u,db=%d,app=%a,client=%h ",
	"%m [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%t [%p]: [%l-1] ",
	"%m [%p] %r ",
	"%m %r ",
	"%t ",
	"%m ",
	"",
};

#define LS_NPREFIXES (sizeof(ls_common_prefixes) / sizeof(ls_common_prefixes[0]))

/* The first words of the messages message.c reads. */
static const LsWord ls_first_words[] = {
	LS_WORD("unsupported frontend protocol "), LS_WORD("invalid length of "),
	LS_WORD("incomplete startup"), LS_WORD("invalid startup packet"),
	LS_WORD("no PostgreSQL user name"), LS_WORD("received unencrypted"),
	LS_WORD("received direct SSL"), LS_WORD("could not accept SSL"),
	LS_WORD("could not initialize SSL"), LS_WORD("direct SSL connection"),
	LS_WORD("connection requires a valid"), LS_WORD("connection received: "),
	LS_WORD("no pg_hba.conf entry"), LS_WORD("pg_hba.conf rejects"),
	LS_WORD("role \""), LS_WORD("database \""),
};

/* The next ":  " (a severity's end) in s[0..n), or NULL. */
static const char *
ls_next_sep(const char *s, size_t n)
{
	const char *end = s + n;
	const char *p = s;

	while (p + 3 <= end && (p = memchr(p, ':', end - p - 2)) != NULL)
	{
		if (p[1] == ' ' && p[2] == ' ')
			return p;
		p++;
	}
	return NULL;
}

static bool
ls_has_severity(const char *s, size_t n)
{
	return ls_next_sep(s, n) != NULL;
}

/*
 * "<method> authentication failed for user": the method is a word or two
 * ("password", "Kerberos 5", "OAuth bearer").
 */
static bool
ls_auth_words(const char *m, size_t n)
{
	static const char w[] = "authentication failed for user \"";
	const char *sp = m;
	int			words;

	for (words = 0; words < 2; words++)
	{
		size_t		left = n - (sp - m);

		sp = memchr(sp, ' ', left < 16 ? left : 16);
		if (sp == NULL)
			return false;
		sp++;
		if ((size_t) (m + n - sp) >= sizeof(w) - 1 && sp[0] == 'a' &&
			memcmp(sp, w, sizeof(w) - 1) == 0)
			return true;
	}
	return false;
}

/* Could this stderr line be one we read?  Cheap: most lines are not. */
static bool
ls_candidate(const char *s, size_t n)
{
	const char *p = s;
	int			tries = 0;

	while (tries++ < 8 && (p = ls_next_sep(p, n - (p - s))) != NULL)
	{
		const char *m = p + 3;
		size_t		rest = n - (m - s);
		size_t		i;

		for (i = 0; i < sizeof(ls_first_words) / sizeof(ls_first_words[0]); i++)
		{
			size_t		k = ls_first_words[i].len;

			if (rest >= k && m[0] == ls_first_words[i].text[0] &&
				memcmp(m, ls_first_words[i].text, k) == 0)
				return true;
		}
		if (ls_auth_words(m, rest))
			return true;
		p = m;
	}
	return false;
}

/* Which common prefix parses most of these lines (ties: the longer). */
static void
ls_detect_prefix(const char *buf, size_t len, LsPrefix *out, const char *name)
{
	static LsPrefix cand[LS_NPREFIXES];
	int			score[LS_NPREFIXES] = {0};
	int			best = -1;
	size_t		i,
				pos = 0;
	int			lines = 0;
	LsRecord	r;

	for (i = 0; i < LS_NPREFIXES; i++)
		ls_prefix_compile(ls_common_prefixes[i], &cand[i]);
	while (pos < len && lines < 2000)
	{
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t		n = nl ? (size_t) (nl - (buf + pos)) : len - pos;

		if (nl == NULL && pos > 0)
			break;				/* a line cut by the peek */
		if (ls_has_severity(buf + pos, n))
		{
			lines++;
			for (i = 0; i < LS_NPREFIXES; i++)
				if (ls_parse_stderr(&cand[i], buf + pos, n, &r, NULL, NULL) >= 0)
					score[i]++;
		}
		pos += n + 1;
	}
	for (i = 0; i < LS_NPREFIXES; i++)
		if (score[i] > 0 && (best < 0 || score[i] > score[best] ||
							 (score[i] == score[best] && cand[i].ntok > cand[best].ntok)))
			best = (int) i;
	if (best >= 0)
	{
		*out = cand[best];
		if (ls_scan_verbose)
			fprintf(stderr, "probe_detect_logscan: %s: stderr, log_line_prefix '%s' (%d of %d lines)\n",
					name, out->text, score[best], lines);
	}
	else
	{
		ls_prefix_free(out);
		if (lines > 0)
			fprintf(stderr, "probe_detect_logscan: %s: no common log_line_prefix fits; "
					"reading it in free form (give --prefix)\n", name);
	}
}

/*
 * stderr's lines split by a newline in a client's name (PostgreSQL writes
 * %u, %d and the messages' names raw): after a line that could be ours
 * failed, the next few lines are tried joined to the ones before them.
 */
typedef struct LsSplit
{
	size_t		marks[LS_INPUT_HISTORY];	/* events before each record */
	bool		failed[LS_INPUT_HISTORY];	/* it could be ours, and failed */
	int			pending;		/* lines left to try joins on */
	uint64_t	unparsed;
} LsSplit;

static bool
ls_try_joins(LsInput *in, const LsPrefix *prefix, LsRecord *r, LsReport *rep,
			 LsSplit *sp)
{
	int			back;

	for (back = 1; back < LS_INPUT_HISTORY; back++)
	{
		const char *span;
		size_t		n = ls_input_join(in, back, &span);
		int			k;

		if (n == 0)
			return false;
		if (!ls_candidate(span, n) ||
			ls_parse_stderr(prefix, span, n, r, ls_message_accept, NULL) != 1)
			continue;
		/* the joined lines' own readings were wrong: forget them */
		ls_report_undo(rep, sp->marks[back]);
		for (k = 0; k <= back; k++)
		{
			if (sp->failed[k])
				sp->unparsed--;
			sp->failed[k] = false;
		}
		ls_report_record(rep, r);
		return true;
	}
	return false;
}

static void
ls_scan_stderr(LsInput *in, const LsPrefix *prefix, const char *rec, size_t len,
			   LsRecord *r, LsReport *rep, LsSplit *sp)
{
	bool		cand = ls_candidate(rec, len);
	int			rc = 0;

	memmove(sp->marks + 1, sp->marks, sizeof(sp->marks[0]) * (LS_INPUT_HISTORY - 1));
	memmove(sp->failed + 1, sp->failed, sizeof(sp->failed[0]) * (LS_INPUT_HISTORY - 1));
	sp->marks[0] = ls_report_mark(rep);
	sp->failed[0] = false;

	if (cand)
	{
		rc = ls_parse_stderr(prefix, rec, len, r, ls_message_accept, NULL);
		if (rc == 1)
		{
			ls_report_record(rep, r);
			sp->pending = 0;
			return;
		}
		if (rc < 0)
		{
			sp->failed[0] = true;
			sp->unparsed++;
		}
	}
	if ((cand || sp->pending > 0) && ls_try_joins(in, prefix, r, rep, sp))
	{
		sp->pending = 0;
		return;
	}
	if (cand)
		sp->pending = LS_INPUT_HISTORY - 1;
	else if (sp->pending > 0)
		sp->pending--;
}

static LsLogFormat
ls_detect_format(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	size_t		n = nl ? (size_t) (nl - buf) : len;
	int64_t		us;
	size_t		t;

	while (n > 0 && (buf[0] == ' ' || buf[0] == '\t'))
	{
		buf++;
		n--;
	}
	if (n > 0 && buf[0] == '{')
		return LS_LOG_JSON;
	/* csvlog: its time, unquoted, then a comma */
	t = ls_parse_time(buf, n, &us);
	if (t > 0 && t < n && buf[t] == ',')
		return LS_LOG_CSV;
	return LS_LOG_STDERR;
}

int
ls_scan_file(const char *path, LsLogFormat forced, const LsPrefix *given,
			 LsReport *rep)
{
	LsInput    *in;
	LsInputStats st = {0};
	LsLogFormat fmt = forced;
	LsPrefix	prefix;
	const char *rec;
	size_t		len;
	int			rc;
	uint64_t	unparsed = 0;
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	LsRecord   *r;
	LsSplit		split;

	memset(&split, 0, sizeof(split));
	in = ls_input_open(path);
	if (in == NULL)
	{
		fprintf(stderr, "probe_detect_logscan: %s: %s\n", name, strerror(errno));
		return -1;
	}
	r = malloc(sizeof(LsRecord));
	if (r == NULL)
	{
		fprintf(stderr, "probe_detect_logscan: out of memory\n");
		exit(2);
	}
	if (fmt == LS_LOG_AUTO)
	{
		const char *buf;
		size_t		n = ls_input_peek(in, &buf);

		fmt = ls_detect_format(buf, n);
	}
	if (fmt == LS_LOG_CSV)
		ls_input_csv(in, true);
	if (fmt == LS_LOG_STDERR)
	{
		if (given)
			prefix = *given;
		else
		{
			const char *buf;
			size_t		n = ls_input_peek(in, &buf);

			ls_detect_prefix(buf, n, &prefix, name);
		}
	}
	else if (ls_scan_verbose)
		fprintf(stderr, "probe_detect_logscan: %s: %s\n", name,
				fmt == LS_LOG_CSV ? "csvlog" : "jsonlog");

	while ((rc = ls_input_next(in, &rec, &len)) > 0)
	{
		bool		ok;

		switch (fmt)
		{
			case LS_LOG_CSV:
				if (memmem(rec, len, ",FATAL,", 7) == NULL &&
					memmem(rec, len, ",LOG,", 5) == NULL)
					continue;
				ok = ls_parse_csv(rec, len, r);
				break;
			case LS_LOG_JSON:
				if (memmem(rec, len, "\"FATAL\"", 7) == NULL &&
					memmem(rec, len, "\"LOG\"", 5) == NULL)
					continue;
				ok = ls_parse_json(rec, len, r);
				break;
			default:
				ls_scan_stderr(in, &prefix, rec, len, r, rep, &split);
				continue;
		}
		if (!ok)
		{
			unparsed++;
			continue;
		}
		ls_report_record(rep, r);
	}
	unparsed += split.unparsed;
	if (rc < 0)
		fprintf(stderr, "probe_detect_logscan: %s: read error (a truncated or corrupt gzip file?); "
				"reporting what came before\n", name);
	ls_input_close(in, &st);
	ls_report_input(rep, st.records, unparsed, st.cut);
	free(r);
	return 0;
}
