/*-------------------------------------------------------------------------
 *
 * pd_scan.h
 *	  Recognise known scans in the sequence of events from one address.
 *
 * Pure C, no PostgreSQL headers.  Some probes cannot be told apart by their
 * bytes (PostgreSQL keeps only the four version bytes of nmap's SMB probe,
 * and those of smbclient are the same), but a scanner's sequence can: nmap
 * -sV waits six seconds in silence, sends "\r\n\r\n", then GET, then its
 * other probes up to SMBProgNeg; zgrab2's postgres module sends protocol
 * 0.0, then 255.255, then a start-up packet without a user.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_SCAN_H
#define PD_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#define PD_SCAN_NMAP	0x01	/* nmap -sV service scan */
#define PD_SCAN_ZGRAB2	0x02	/* zgrab2 postgres module (Censys) */
#define PD_SCAN_GUESSING 0x04	/* password guessing (decided by the caller) */

/* Events further apart than this belong to different scans. */
#define PD_SCAN_GAP_US	(60 * INT64_C(1000000))

typedef struct PdScanEvent
{
	int64_t		t_us;			/* when it was seen */
	int32_t		waited_ms;		/* from connection start to rejection */
	int			kind;			/* PdKind */
	bool		has_proto;
	uint32_t	proto;
	uint16_t	raw_len;
	uint8_t		raw_head[4];	/* first bytes of the payload */
	const char *tool;			/* the classifier's tool, "" if none */
	bool		from_log;		/* a server log's line: no bytes (probe_detect_logscan) */

	/* results */
	const char *scan_tool;		/* tool the recognised scan names, or NULL */
	int			scan;			/* PD_SCAN_* this event is part of */
} PdScanEvent;

/*
 * ev[0..n) are one address's events, oldest first.  Fills scan_tool and
 * scan, and returns the PD_SCAN_* bits recognised.
 */
extern int	pd_scan_detect(PdScanEvent *ev, int n);

/*
 * The nmap -sV probe whose first bytes after the length word are this
 * version word ("nmap -sV SMBProgNeg" for 65363.19778), or NULL.  Other
 * programs may send the same four bytes: it says who could have, not who did.
 */
extern const char *pd_scan_nmap_word(uint32_t word);

/* "nmap -sV service scan, zgrab2 postgres scan, password guessing" for
 * bits; buf >= 96 bytes. */
extern void pd_scan_verdict(int bits, char *buf, int size);

#endif							/* PD_SCAN_H */
