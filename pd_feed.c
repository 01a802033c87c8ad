/*-------------------------------------------------------------------------
 *
 * pd_feed.c
 *	  The ban feed (probe_detect.ban_feed): a file of one-line records that
 *	  fail2ban (contrib/fail2ban/) can trust.
 *
 * A filter over the server log cannot be trusted: PostgreSQL writes names
 * the client chose into its lines (in messages, and raw, newlines and all,
 * wherever log_line_prefix has %u or %d), so a client can forge text, even
 * whole lines, that credit any address it likes.  Here every field comes
 * from a closed set or from the kernel:
 *
 *   2026-11-29T07:12:00.123456Z probe_detect[4242]: probe 203.0.113.7 kind=unsupported_protocol protocol=smb1
 *
 * time (UTC), the child's pid, the verdict (pd_kind_verdict), the peer's
 * address as the socket gave it, the kind, and the protocol mapped onto
 * pd_protocol_labels.  No name, no payload, no tool.
 *
 * Written by the process that recorded the event, often the pre-PGPROC
 * child: each record opens the file with O_APPEND, writes once and closes
 * it.  One write() of a short line to a local file is appended whole, so
 * concurrent children never interleave; opening by name each time follows
 * log rotation (a renamed file is left alone, the next record creates a
 * new one with log_file_mode).  Nothing is allocated and nothing raised: a
 * failure is counted (ban_feed_errors in probe_detect_counters).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pd_compat.h"
#include "pd_counters.h"
#include "pd_feed.h"
#include "pd_labels.h"
#include "pd_ring.h"
#include "postmaster/syslogger.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

static char *pd_feed_path = NULL;

/*
 * Can the file be opened for appending?  A value that cannot is refused with
 * the reason (at start, a WARNING and no feed; at a reload, the old value
 * stays), so the feed never goes quiet unnoticed.  Every process that reads
 * the setting checks it, so they all agree: one open() per reload.
 */
static bool
pd_feed_check(char **newval, void **extra, GucSource source)
{
	int			fd;

	(void) extra;
	(void) source;
	if (*newval == NULL || (*newval)[0] == '\0')
		return true;
	fd = open(*newval, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, Log_file_mode);
	if (fd < 0)
	{
		GUC_check_errdetail("could not open ban feed file \"%s\": %m", *newval);
		return false;
	}
	close(fd);
	return true;
}

void
pd_feed_define_setting(void)
{
	DefineCustomStringVariable("probe_detect.ban_feed",
							   "File that each probe, failed login and refusal is appended to, one line each, for fail2ban; empty for none.",
							   "A relative path is taken relative to the data directory.",
							   &pd_feed_path,
							   "",
							   PGC_SIGHUP,
							   0,
							   pd_feed_check, NULL, NULL);
}

int
pd_feed_format(char *buf, int kind, PdVerdict verdict, const char *protocol,
			   uint8 family, const uint8 *addr, int pid, TimestampTz at)
{
	char		peer[INET6_ADDRSTRLEN];
	struct pg_tm tm;
	fsec_t		fsec;
	const char *kind_name = pd_kind_name(kind);
	int			n;

	/*
	 * UTC by PostgreSQL's own arithmetic: glibc's gmtime_r() would read
	 * /etc/localtime in every child, where it was never loaded.
	 */
	if ((family != AF_INET && family != AF_INET6) || kind_name == NULL ||
		verdict <= PD_VERDICT_NONE || verdict >= PD_VERDICT_MAX ||
		inet_ntop(family, addr, peer, sizeof(peer)) == NULL ||
		timestamp2tm(at, NULL, &tm, &fsec, NULL, NULL) != 0)
		return 0;

	n = snprintf(buf, PD_FEED_LINE_MAX,
				 "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ probe_detect[%d]: %s %s kind=%s protocol=%s\n",
				 tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
				 tm.tm_sec, (int) fsec, pid, pd_verdict_names[verdict], peer,
				 kind_name, pd_protocol_labels[pd_protocol_label(protocol)]);
	return (n > 0 && n < PD_FEED_LINE_MAX) ? n : 0;
}

pd_hot bool
pd_feed_on(void)
{
	return pd_feed_path != NULL && pd_feed_path[0] != '\0';
}

void
pd_feed_write(int kind, PdVerdict verdict, const char *protocol, uint8 family,
			  const uint8 *addr, int pid, TimestampTz at)
{
	char		line[PD_FEED_LINE_MAX];
	int			n;
	int			fd;
	bool		ok;

	if (pd_feed_path == NULL || pd_feed_path[0] == '\0')
		return;
	n = pd_feed_format(line, kind, verdict, protocol, family, addr, pid, at);
	if (n == 0)
		return;					/* the Unix socket, or no verdict */

	fd = open(pd_feed_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, Log_file_mode);
	ok = fd >= 0 && write(fd, line, n) == n;
	if (fd >= 0)
		close(fd);
	if (pd_counters != NULL)
		pd_count(ok ? &pd_counters->feed[verdict] : &pd_counters->feed_errors);
}
