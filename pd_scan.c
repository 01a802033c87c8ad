/*-------------------------------------------------------------------------
 *
 * pd_scan.c
 *	  Recognise known scans in the sequence of events from one address.
 *
 * The signatures come from the scanners' public source and from what they
 * made PostgreSQL 15 log here (shared/groundtruth): nmap's service scan
 * (nmap-service-probes, service_scan.cc) and zgrab2's postgres module
 * (modules/postgres/scanner.go).  Work is linear in the number of events.
 *
 *-------------------------------------------------------------------------
 */
#include "pd_scan.h"

#include <stdio.h>
#include <string.h>

#include "pd_kind.h"

#define VER_SMB1		UINT32_C(0xff534d42)	/* nmap SMBProgNeg */
#define VER_KERBEROS	UINT32_C(0x6a816e30)	/* nmap Kerberos */
#define VER_ZERO		UINT32_C(0x00000000)	/* nmap ZendJavaBridge, zgrab2 */
#define VER_255			UINT32_C(0x00ff00ff)	/* zgrab2 */

/* nmap's NULL probe waits 6 s (totalwaitms 6000) before GenericLines. */
#define NMAP_NULL_WAIT_MS 5000

static bool
is_nmap_tool(const char *tool)
{
	return tool && strncmp(tool, "nmap -sV ", 9) == 0;
}

/* What this event would be in an nmap service scan, or NULL. */
static const char *
nmap_role(const PdScanEvent *e)
{
	if (is_nmap_tool(e->tool))
		return e->tool;
	if (e->kind == PD_KIND_INVALID_LENGTH && e->raw_len == 0 &&
		e->waited_ms >= NMAP_NULL_WAIT_MS)
		return "nmap -sV GenericLines";
	if (e->kind == PD_KIND_INVALID_LENGTH && e->raw_len == 2 &&
		e->raw_head[0] == '\r' && e->raw_head[1] == '\n')
		return "nmap -sV Help";
	if (e->has_proto)
		return pd_scan_nmap_word(e->proto);
	/* a log's line says only that the length was wrong */
	if (e->kind == PD_KIND_INVALID_LENGTH && e->from_log)
		return "nmap -sV";
	return NULL;
}

const char *
pd_scan_nmap_word(uint32_t word)
{
	switch (word)
	{
		case VER_SMB1:
			return "nmap -sV SMBProgNeg";
		case VER_KERBEROS:
			return "nmap -sV Kerberos";
		case VER_ZERO:
			return "nmap -sV ZendJavaBridge";
	}
	return NULL;
}

static const char *
zgrab2_role(const PdScanEvent *e)
{
	if (e->has_proto && (e->proto == VER_ZERO || e->proto == VER_255))
		return "zgrab2 postgres";
	if (e->kind == PD_KIND_MISSING_USER)
		return "zgrab2 postgres";
	return NULL;
}

/* Is the run ev[a..b) an nmap service scan? */
static bool
nmap_run(const PdScanEvent *ev, int a, int b)
{
	int			hashed = 0;
	int			unseen = 0;
	bool		generic = false,
				smb = false,
				kerberos = false;
	int			i;

	for (i = a; i < b; i++)
	{
		const PdScanEvent *e = &ev[i];

		if (is_nmap_tool(e->tool))
			hashed++;
		else if (e->kind == PD_KIND_INVALID_LENGTH && e->raw_len == 0 &&
				 e->waited_ms >= NMAP_NULL_WAIT_MS)
			generic = true;
		else if (e->has_proto && e->proto == VER_SMB1)
			smb = true;
		else if (e->has_proto && e->proto == VER_KERBEROS)
			kerberos = true;
		else if (e->from_log && e->kind == PD_KIND_INVALID_LENGTH)
			unseen++;
	}

	/*
	 * On port 5432 nmap sends GenericLines, GetRequest, SMBProgNeg only.  A
	 * server log has no bytes of the invalid lengths, but the version words
	 * of Kerberos and SMBProgNeg with two of them within seconds are nmap's
	 * probes (nmap-service-probes sends them in that order).
	 */
	return hashed >= 3 || (hashed >= 1 && (generic || smb)) || (generic && smb) ||
		(kerberos && smb && unseen >= 2);
}

/* Is the run ev[a..b) zgrab2's postgres scan? */
static bool
zgrab2_run(const PdScanEvent *ev, int a, int b)
{
	bool		zero = false,
				high = false,
				nouser = false,
				params = false;
	int			i;

	for (i = a; i < b; i++)
	{
		const PdScanEvent *e = &ev[i];

		if (e->has_proto && e->proto == VER_ZERO)
			zero = true;
		else if (e->has_proto && e->proto == VER_255)
			high = true;
		else if (e->kind == PD_KIND_MISSING_USER)
		{
			nouser = true;
			if (e->tool && strcmp(e->tool, "zgrab2 postgres") == 0)
				params = true;
		}
	}
	return (high && (zero || nouser)) || (params && zero);
}

int
pd_scan_detect(PdScanEvent *ev, int n)
{
	int			bits = 0;
	int			a = 0;

	while (a < n)
	{
		int			b = a + 1;
		int			i;
		int			run = 0;

		ev[a].scan_tool = NULL;
		ev[a].scan = 0;
		while (b < n && ev[b].t_us - ev[b - 1].t_us <= PD_SCAN_GAP_US)
		{
			ev[b].scan_tool = NULL;
			ev[b].scan = 0;
			b++;
		}

		if (zgrab2_run(ev, a, b))
			run |= PD_SCAN_ZGRAB2;
		if (nmap_run(ev, a, b))
			run |= PD_SCAN_NMAP;

		for (i = a; i < b; i++)
		{
			const char *role = NULL;

			if ((run & PD_SCAN_ZGRAB2) && (role = zgrab2_role(&ev[i])) != NULL)
				ev[i].scan = PD_SCAN_ZGRAB2;
			else if ((run & PD_SCAN_NMAP) && (role = nmap_role(&ev[i])) != NULL)
				ev[i].scan = PD_SCAN_NMAP;
			if (role && (!ev[i].tool || !ev[i].tool[0]))
				ev[i].scan_tool = role;
		}
		bits |= run;
		a = b;
	}
	return bits;
}

void
pd_scan_verdict(int bits, char *buf, int size)
{
	buf[0] = '\0';
	if (bits & PD_SCAN_NMAP)
		snprintf(buf, size, "nmap -sV service scan");
	if (bits & PD_SCAN_ZGRAB2)
		snprintf(buf + strlen(buf), size - strlen(buf), "%szgrab2 postgres scan",
				 buf[0] ? ", " : "");
	if (bits & PD_SCAN_GUESSING)
		snprintf(buf + strlen(buf), size - strlen(buf), "%spassword guessing",
				 buf[0] ? ", " : "");
}
