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
 * This file is the command line; logscan/scan.c reads a file.
 *
 *-------------------------------------------------------------------------
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logscan/record.h"
#include "logscan/report.h"
#include "logscan/scan.h"

#define LS_VERSION "1.2"

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
				ls_scan_verbose = true;
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
