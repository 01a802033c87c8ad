/*-------------------------------------------------------------------------
 *
 * pd_feed.h
 *	  The ban feed: one line per event in a file of our own, for fail2ban.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_FEED_H
#define PD_FEED_H

#include "datatype/timestamp.h"

#include "pd_kind.h"

/* probe_detect.ban_feed; defined at _PG_init. */
extern void pd_feed_define_setting(void);

/* Is the feed on (probe_detect.ban_feed set)? */
extern bool pd_feed_on(void);

/*
 * Append one record, if the feed is on and the event has an address and a
 * verdict.  Safe in the pre-PGPROC child: an open(), one write() and a
 * close(), no allocation, no error raised (a failure is counted).
 */
extern void pd_feed_write(int kind, PdVerdict verdict, const char *protocol,
						  uint8 family, const uint8 *addr, int pid,
						  TimestampTz at);

/* Format one record into buf (size at least PD_FEED_LINE_MAX); its length. */
#define PD_FEED_LINE_MAX	192
extern int	pd_feed_format(char *buf, int kind, PdVerdict verdict,
						   const char *protocol, uint8 family,
						   const uint8 *addr, int pid, TimestampTz at);

#endif							/* PD_FEED_H */
