/*
 * fuzz_logscan.c
 *	  libFuzzer harness for probe_detect_logscan: the parsers of every log
 *	  format, the message reader and the report.
 *
 * The first input byte picks the format (stderr with one of a few
 * prefixes, the free form, csvlog, jsonlog) and the output format; the rest
 * is the log, split at newlines.  Invariants beyond "no crash, no leak": the
 * report is printable ASCII and newlines, whatever the log held.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>
#include <unistd.h>

#include "logscan/record.h"
#include "logscan/report.h"
#include "logscan/scan.h"

int			LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const prefixes[] = {
	"%m [%p] %q%u@%d ",
	"%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ",
	"%m [%p] %r ",
	"%n %-10u %c %v %x %e %Q %P %b %i %s %L %% ",
	"",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LsOptions	opt = {.format = LS_FORMAT_TEXT,
		.report = LS_REPORT_EVENTS | LS_REPORT_SOURCES | LS_REPORT_SUMMARY,
	.guessing_threshold = 2,.guessing_window = 600};
	static LsPrefix prefix;
	static const LsLogFormat formats[] = {LS_LOG_AUTO, LS_LOG_STDERR, LS_LOG_CSV, LS_LOG_JSON};
	LsReport   *rep;
	int			mode;
	int			fd;
	char		path[64];
	char	   *out = NULL;
	size_t		outlen = 0;
	FILE	   *f;

	if (size < 1)
		return 0;
	mode = data[0];
	opt.format = (LsFormat) ((mode >> 4) % 3);
	if (opt.format == LS_FORMAT_CSV)
		opt.report = (mode & 0x40) ? LS_REPORT_SOURCES : LS_REPORT_EVENTS;
	if (mode & 0x80)
	{
		opt.has_since = true;
		opt.since_us = INT64_C(1700000000000000);
	}
	if ((mode & 7) < 5)
		ls_prefix_compile(prefixes[mode & 7], &prefix);
	else
		ls_prefix_free(&prefix);

	fd = memfd_create("log", 0);
	if (fd < 0 || write(fd, data + 1, size - 1) != (ssize_t) (size - 1))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rep = ls_report_new(&opt);
	/* bit 3: the prefix given (one of five, or the free form), or detected */
	ls_scan_file(path, (mode & 8) ? LS_LOG_STDERR : formats[(mode >> 1) & 3],
				 (mode & 8) ? &prefix : NULL, rep);
	close(fd);

	f = open_memstream(&out, &outlen);
	if (f == NULL)
		abort();
	ls_report_print(rep, f);
	fclose(f);
	for (size_t i = 0; i < outlen; i++)
		if ((out[i] < 0x20 || out[i] > 0x7e) && out[i] != '\n')
			abort();
	free(out);
	ls_report_free(rep);
	return 0;
}
