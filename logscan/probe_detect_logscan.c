/*-------------------------------------------------------------------------
 *
 * probe_detect_logscan.c
 *	  What probe_detect would have said, from a server's log.
 *
 * For servers that cannot load the module: reads PostgreSQL logs (stderr
 * with any log_line_prefix, csvlog, jsonlog; plain or gzip; 9.0 to 19) and
 * prints every start-up rejection and failed login with what the classifier
 * makes of it, then per source and per server the counts and the verdicts
 * (nmap -sV service scan, zgrab2 postgres scan, password guessing).
 *
 * Most of a log is about other things: a line is parsed only if its
 * message could be one of ours, which keeps the cost per byte near grep's.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logscan/input.h"
#include "logscan/message.h"
#include "logscan/record.h"
#include "logscan/report.h"

#define LS_VERSION "1.2"

typedef enum LsLogFormat
{
	LS_LOG_AUTO,
	LS_LOG_STDERR,
	LS_LOG_CSV,
	LS_LOG_JSON,
} LsLogFormat;

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
typedef struct LsWord
{
	const char *text;
	size_t		len;
} LsWord;

#define LS_WORD(s) {s, sizeof(s) - 1}
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

static bool ls_verbose = false;

static void
ls_usage(FILE *out)
{
	fprintf(out,
			"probe_detect_logscan reads PostgreSQL server logs and reports what probe_detect\n"
			"would have: the start-up rejections and failed logins, decoded, per source.\n\n"
			"Usage:\n  probe_detect_logscan [OPTION]... [FILE]...\n\n"
			"FILE is a server log, plain or gzip-compressed; none or \"-\" reads standard input.\n\n"
			"Options:\n"
			"  --log-format=FORMAT   auto (default), stderr, csvlog or jsonlog\n"
			"  --prefix=PREFIX       log_line_prefix of stderr logs (default: detected)\n"
			"  --format=FORMAT       output: text (default), json (JSON lines) or csv\n"
			"  --report=WHAT         all (default), events, sources or summary\n"
			"  --since=TIME          only events at or after 'YYYY-MM-DD[ HH:MM[:SS]]',\n"
			"                        compared with the log's own times (zones ignored)\n"
			"  --guessing-threshold=N    failed logins from one address within the window\n"
			"                        above which it is password guessing (default 10)\n"
			"  --guessing-window=SECONDS (default 600)\n"
			"  -v, --verbose         say which format and prefix each file was read with\n"
			"  --help, --version\n");
}

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
		if (ls_verbose)
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
	LsRecord	r;
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
	(void) r;
	return LS_LOG_STDERR;
}

static int
ls_scan_file(const char *path, LsLogFormat forced, const LsPrefix *given,
			 LsReport *rep)
{
	LsInput    *in = ls_input_open(path);
	LsInputStats st = {0};
	LsLogFormat fmt = forced;
	LsPrefix	prefix;
	const char *rec;
	size_t		len;
	int			rc;
	uint64_t	unparsed = 0;
	const char *name = strcmp(path, "-") == 0 ? "standard input" : path;
	LsRecord   *r = malloc(sizeof(LsRecord));
	LsSplit		split;

	memset(&split, 0, sizeof(split));
	if (in == NULL || r == NULL)
	{
		fprintf(stderr, "probe_detect_logscan: %s: %s\n", name, strerror(errno));
		free(r);
		return -1;
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
	else if (ls_verbose)
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

static bool
ls_parse_since(const char *arg, int64_t *us)
{
	char		buf[32];
	size_t		n = strlen(arg);

	if (n == 10)
		snprintf(buf, sizeof(buf), "%s 00:00:00", arg);
	else if (n == 16)
		snprintf(buf, sizeof(buf), "%s:00", arg);
	else if (n < sizeof(buf))
		snprintf(buf, sizeof(buf), "%s", arg);
	else
		return false;
	return ls_parse_time(buf, strlen(buf), us) == strlen(buf) && buf[4] == '-';
}

static bool
ls_parse_int(const char *arg, int min, int *out)
{
	char	   *end;
	long		v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > 1000000000)
		return false;
	*out = (int) v;
	return true;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"log-format", required_argument, NULL, 'l'},
		{"prefix", required_argument, NULL, 'p'},
		{"format", required_argument, NULL, 'f'},
		{"report", required_argument, NULL, 'r'},
		{"since", required_argument, NULL, 's'},
		{"guessing-threshold", required_argument, NULL, 't'},
		{"guessing-window", required_argument, NULL, 'w'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	LsOptions	opt = {.format = LS_FORMAT_TEXT, .report = 0,
	.guessing_threshold = 10,.guessing_window = 600};
	LsLogFormat forced = LS_LOG_AUTO;
	LsPrefix	prefix;
	bool		have_prefix = false;
	LsReport   *rep;
	int			c,
				i,
				failed = 0;

	while ((c = getopt_long(argc, argv, "v", opts, NULL)) != -1)
	{
		switch (c)
		{
			case 'l':
				if (strcmp(optarg, "auto") == 0)
					forced = LS_LOG_AUTO;
				else if (strcmp(optarg, "stderr") == 0)
					forced = LS_LOG_STDERR;
				else if (strcmp(optarg, "csvlog") == 0 || strcmp(optarg, "csv") == 0)
					forced = LS_LOG_CSV;
				else if (strcmp(optarg, "jsonlog") == 0 || strcmp(optarg, "json") == 0)
					forced = LS_LOG_JSON;
				else
				{
					fprintf(stderr, "probe_detect_logscan: --log-format must be auto, stderr, csvlog or jsonlog\n");
					return 2;
				}
				break;
			case 'p':
				{
					/* as in postgresql.conf: the quotes may come along */
					char		buf[256];
					size_t		n = strlen(optarg);

					if (n >= 2 && optarg[0] == '\'' && optarg[n - 1] == '\'')
					{
						snprintf(buf, sizeof(buf), "%.*s", (int) (n - 2), optarg + 1);
						optarg = buf;
					}
					if (ls_prefix_compile(optarg, &prefix) != 0)
					{
						fprintf(stderr, "probe_detect_logscan: --prefix is too long\n");
						return 2;
					}
					have_prefix = true;
				}
				break;
			case 'f':
				if (strcmp(optarg, "text") == 0)
					opt.format = LS_FORMAT_TEXT;
				else if (strcmp(optarg, "json") == 0)
					opt.format = LS_FORMAT_JSON;
				else if (strcmp(optarg, "csv") == 0)
					opt.format = LS_FORMAT_CSV;
				else
				{
					fprintf(stderr, "probe_detect_logscan: --format must be text, json or csv\n");
					return 2;
				}
				break;
			case 'r':
				if (strcmp(optarg, "all") == 0)
					opt.report = LS_REPORT_EVENTS | LS_REPORT_SOURCES | LS_REPORT_SUMMARY;
				else if (strcmp(optarg, "events") == 0)
					opt.report = LS_REPORT_EVENTS;
				else if (strcmp(optarg, "sources") == 0)
					opt.report = LS_REPORT_SOURCES;
				else if (strcmp(optarg, "summary") == 0)
					opt.report = LS_REPORT_SUMMARY;
				else
				{
					fprintf(stderr, "probe_detect_logscan: --report must be all, events, sources or summary\n");
					return 2;
				}
				break;
			case 's':
				if (!ls_parse_since(optarg, &opt.since_us))
				{
					fprintf(stderr, "probe_detect_logscan: --since wants 'YYYY-MM-DD[ HH:MM[:SS]]', not \"%s\"\n", optarg);
					return 2;
				}
				opt.has_since = true;
				break;
			case 't':
				if (!ls_parse_int(optarg, 0, &opt.guessing_threshold))
				{
					fprintf(stderr, "probe_detect_logscan: --guessing-threshold must be a whole number >= 0\n");
					return 2;
				}
				break;
			case 'w':
				if (!ls_parse_int(optarg, 1, &opt.guessing_window))
				{
					fprintf(stderr, "probe_detect_logscan: --guessing-window must be a whole number of seconds >= 1\n");
					return 2;
				}
				break;
			case 'v':
				ls_verbose = true;
				break;
			case 'h':
				ls_usage(stdout);
				return 0;
			case 'V':
				printf("probe_detect_logscan (probe_detect) %s\n", LS_VERSION);
				return 0;
			default:
				ls_usage(stderr);
				return 2;
		}
	}
	if (opt.report == 0)
		opt.report = opt.format == LS_FORMAT_CSV ? LS_REPORT_EVENTS :
			LS_REPORT_EVENTS | LS_REPORT_SOURCES | LS_REPORT_SUMMARY;
	if (opt.format == LS_FORMAT_CSV && opt.report != LS_REPORT_EVENTS &&
		opt.report != LS_REPORT_SOURCES)
	{
		fprintf(stderr, "probe_detect_logscan: --format=csv prints one table: --report=events or --report=sources\n");
		return 2;
	}

	rep = ls_report_new(&opt);
	if (optind >= argc)
		failed |= ls_scan_file("-", forced, have_prefix ? &prefix : NULL, rep) != 0;
	for (i = optind; i < argc; i++)
		failed |= ls_scan_file(argv[i], forced, have_prefix ? &prefix : NULL, rep) != 0;
	ls_report_print(rep, stdout);
	if (fflush(stdout) != 0 || ferror(stdout))
	{
		fprintf(stderr, "probe_detect_logscan: could not write: %s\n", strerror(errno));
		return 2;
	}
	return failed ? 2 : 0;
}
