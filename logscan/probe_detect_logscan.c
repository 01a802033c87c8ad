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
static const char *const ls_first_words[] = {
	"unsupported frontend protocol ", "invalid length of ", "incomplete startup",
	"invalid startup packet", "no PostgreSQL user name", "received unencrypted",
	"received direct SSL", "could not accept SSL", "could not initialize SSL",
	"direct SSL connection", "connection requires a valid", "connection received: ",
	"no pg_hba.conf entry", "pg_hba.conf rejects", "role \"", "database \"",
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

static bool
ls_has_severity(const char *s, size_t n)
{
	return memmem(s, n, ":  ", 3) != NULL;
}

/* Could this stderr line be one we read?  Cheap: most lines are not. */
static bool
ls_candidate(const char *s, size_t n)
{
	const char *p = s;
	int			tries = 0;

	while (tries++ < 8 && (p = memmem(p, n - (p - s), ":  ", 3)) != NULL)
	{
		const char *m = p + 3;
		size_t		rest = n - (m - s);
		size_t		i;

		for (i = 0; i < sizeof(ls_first_words) / sizeof(ls_first_words[0]); i++)
		{
			size_t		k = strlen(ls_first_words[i]);

			if (rest >= k && m[0] == ls_first_words[i][0] &&
				memcmp(m, ls_first_words[i], k) == 0)
				return true;
		}
		if (memmem(m, rest, "authentication failed for user \"", 32) != NULL)
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
				if (!ls_candidate(rec, len))
					continue;
				switch (ls_parse_stderr(&prefix, rec, len, r, ls_message_accept, NULL))
				{
					case 1:
						ok = true;
						break;
					case 0:
						continue;	/* about something else */
					default:
						ok = false;
				}
				break;
		}
		if (!ok)
		{
			unparsed++;
			continue;
		}
		ls_report_record(rep, r);
	}
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
