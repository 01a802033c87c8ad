/*
 * unit_scan.c
 *	  Tests of the scan recogniser (pd_scan.c); no server needed.
 *
 * Event sequences are modelled on what nmap 7.93 and zgrab2 made PostgreSQL
 * 15 log (shared/groundtruth, zgrab2's modules/postgres/scanner.go).
 */
#include <stdio.h>
#include <string.h>

#include "pd_kind.h"
#include "pd_scan.h"

static int	passed;
static int	failed;

static void
ok(int cond, const char *what)
{
	if (cond)
		passed++;
	else
	{
		failed++;
		printf("FAIL %s\n", what);
	}
}

#define SEC INT64_C(1000000)

static PdScanEvent
ev_len(double t, int waited_ms, const char *tool, int raw_len, const char *head)
{
	PdScanEvent e;

	memset(&e, 0, sizeof(e));
	e.t_us = (int64_t) (t * SEC);
	e.waited_ms = waited_ms;
	e.kind = PD_KIND_INVALID_LENGTH;
	e.raw_len = (uint16_t) raw_len;
	if (head)
		memcpy(e.raw_head, head, raw_len < 4 ? (size_t) raw_len : 4);
	e.tool = tool;
	return e;
}

static PdScanEvent
ev_ver(double t, uint32_t proto, int kind)
{
	PdScanEvent e;

	memset(&e, 0, sizeof(e));
	e.t_us = (int64_t) (t * SEC);
	e.kind = kind;
	e.has_proto = kind == PD_KIND_UNSUPPORTED_PROTOCOL;
	e.proto = proto;
	e.tool = "";
	return e;
}

static const char *
tool_of(const PdScanEvent *e)
{
	return e->tool[0] ? e->tool : e->scan_tool ? e->scan_tool : "";
}

int
main(void)
{
	char		verdict[96];

	/* nmap -sV against port 5432: GenericLines after 6 s, GET, SMBProgNeg */
	{
		PdScanEvent e[3] = {
			ev_len(6.0, 6003, "", 0, NULL),
			ev_len(6.1, 2, "nmap -sV GetRequest", 14, "/ HT"),
			ev_ver(6.2, 0xff534d42, PD_KIND_UNSUPPORTED_PROTOCOL),
		};
		int			bits = pd_scan_detect(e, 3);

		ok(bits == PD_SCAN_NMAP, "nmap on 5432 recognised");
		ok(strcmp(tool_of(&e[0]), "nmap -sV GenericLines") == 0, "GenericLines named");
		ok(strcmp(tool_of(&e[2]), "nmap -sV SMBProgNeg") == 0, "SMBProgNeg named");
		ok(e[1].scan_tool == NULL, "a tool from the bytes is not overridden");
		pd_scan_verdict(bits, verdict, sizeof(verdict));
		ok(strcmp(verdict, "nmap -sV service scan") == 0, "nmap verdict text");
	}

	/* nmap -sV against another port: 13 probes, Help and Kerberos too */
	{
		PdScanEvent e[13] = {
			ev_len(6.0, 6001, "", 0, NULL),
			ev_len(6.1, 1, "nmap -sV GetRequest", 14, "/ HT"),
			ev_len(6.2, 1, "nmap -sV HTTPOptions", 18, "ONS "),
			ev_len(6.3, 1, "nmap -sV RTSPRequest", 18, "ONS "),
			ev_len(6.4, 1, "nmap -sV RPCCheck", 40, "r\xfe\x1d\x13"),
			ev_len(6.5, 1, "nmap -sV DNSVersionBindReqTCP", 28, "\x01\0\0\x01"),
			ev_len(6.6, 1, "nmap -sV DNSStatusRequestTCP", 10, "\x10\0\0\0"),
			ev_len(6.7, 1, "", 2, "\r\n"),
			ev_len(6.8, 1, "nmap -sV SSLSessionReq", 84, "S\x01\0\0"),
			ev_len(6.9, 1, "nmap -sV TerminalServerCookie", 38, "%\xe0\0\0"),
			ev_len(7.0, 1, "nmap -sV TLSSessionReq", 106, "i\x01\0\0"),
			ev_ver(7.1, 0x6a816e30, PD_KIND_UNSUPPORTED_PROTOCOL),
			ev_ver(7.2, 0xff534d42, PD_KIND_UNSUPPORTED_PROTOCOL),
		};

		ok(pd_scan_detect(e, 13) == PD_SCAN_NMAP, "nmap on 55432 recognised");
		ok(strcmp(tool_of(&e[7]), "nmap -sV Help") == 0, "Help named");
		ok(strcmp(tool_of(&e[11]), "nmap -sV Kerberos") == 0, "Kerberos named");
	}

	/* zgrab2's postgres module: 0.0, 255.255, then no user */
	{
		PdScanEvent e[3] = {
			ev_ver(100.0, 0x00000000, PD_KIND_UNSUPPORTED_PROTOCOL),
			ev_ver(100.2, 0x00ff00ff, PD_KIND_UNSUPPORTED_PROTOCOL),
			ev_ver(100.4, 0, PD_KIND_MISSING_USER),
		};
		int			bits;

		e[1].tool = "zgrab2 postgres";
		bits = pd_scan_detect(e, 3);
		ok(bits == PD_SCAN_ZGRAB2, "zgrab2 recognised");
		ok(strcmp(tool_of(&e[0]), "zgrab2 postgres") == 0, "zgrab2 0.0 named");
		ok(strcmp(tool_of(&e[2]), "zgrab2 postgres") == 0, "zgrab2 no-user named");
		pd_scan_verdict(bits, verdict, sizeof(verdict));
		ok(strcmp(verdict, "zgrab2 postgres scan") == 0, "zgrab2 verdict text");
	}

	/* not scans: one SMB client, one curl, one quick empty probe */
	{
		PdScanEvent e[3] = {
			ev_ver(10.0, 0xff534d42, PD_KIND_UNSUPPORTED_PROTOCOL),
			ev_len(11.0, 3, "curl/7.88.1", 60, "/ HT"),
			ev_len(12.0, 3, "", 0, NULL),
		};

		ok(pd_scan_detect(e, 3) == 0, "smbclient + curl is no scan");
		ok(e[0].scan_tool == NULL && e[2].scan_tool == NULL, "and names no tool");
	}

	/* the same probes too far apart are no scan */
	{
		PdScanEvent e[3] = {
			ev_len(0, 6003, "", 0, NULL),
			ev_len(100, 2, "nmap -sV GetRequest", 14, "/ HT"),
			ev_ver(200, 0xff534d42, PD_KIND_UNSUPPORTED_PROTOCOL),
		};

		ok(pd_scan_detect(e, 3) == 0, "probes minutes apart are no scan");
	}

	/* two scans from one address, an hour apart: both recognised */
	{
		PdScanEvent e[6] = {
			ev_len(0, 6003, "", 0, NULL),
			ev_len(0.1, 2, "nmap -sV GetRequest", 14, "/ HT"),
			ev_ver(0.2, 0xff534d42, PD_KIND_UNSUPPORTED_PROTOCOL),
			ev_ver(3600.0, 0x00000000, PD_KIND_UNSUPPORTED_PROTOCOL),
			ev_ver(3600.1, 0x00ff00ff, PD_KIND_UNSUPPORTED_PROTOCOL),
			ev_ver(3600.2, 0, PD_KIND_MISSING_USER),
		};
		int			bits = pd_scan_detect(e, 6);

		ok(bits == (PD_SCAN_NMAP | PD_SCAN_ZGRAB2), "two scans recognised");
		ok(e[3].scan == PD_SCAN_ZGRAB2 && e[0].scan == PD_SCAN_NMAP,
		   "each event belongs to its own scan");
		pd_scan_verdict(bits, verdict, sizeof(verdict));
		ok(strcmp(verdict, "nmap -sV service scan, zgrab2 postgres scan") == 0,
		   "both verdicts");
	}

	/* empty input */
	ok(pd_scan_detect(NULL, 0) == 0, "no events, no scan");

	/*
	 * A server log (probe_detect_logscan): no bytes, no wait.  Two invalid
	 * lengths, then Kerberos and SMBProgNeg, are nmap; one invalid length
	 * is not enough, nor are the version words without any, nor the same
	 * events from the module (which has their bytes).
	 */
	{
		PdScanEvent e[4] = {
			ev_len(6.0, -1, "", 0, NULL),
			ev_len(6.1, -1, "", 0, NULL),
			ev_ver(6.2, 0x6a816e30, PD_KIND_UNSUPPORTED_PROTOCOL),
			ev_ver(6.3, 0xff534d42, PD_KIND_UNSUPPORTED_PROTOCOL),
		};
		int			i,
					bits;

		for (i = 0; i < 4; i++)
			e[i].from_log = true;
		bits = pd_scan_detect(e, 4);
		ok(bits == PD_SCAN_NMAP, "log: nmap from its sequence of lines");
		ok(strcmp(tool_of(&e[0]), "nmap -sV") == 0, "log: an invalid length in it is nmap's");
		ok(strcmp(tool_of(&e[3]), "nmap -sV SMBProgNeg") == 0, "log: SMBProgNeg named");
		ok(pd_scan_detect(e + 1, 3) == 0, "log: one invalid length is not enough");
		ok(pd_scan_detect(e, 3) == 0, "log: no SMBProgNeg, no verdict");
		for (i = 0; i < 4; i++)
			e[i].from_log = false;
		ok(pd_scan_detect(e, 4) == 0, "module: the same events without their bytes are no scan");
	}
	{
		/* the lines minutes apart: two runs, neither a scan */
		PdScanEvent e[4] = {
			ev_len(0, -1, "", 0, NULL),
			ev_len(1, -1, "", 0, NULL),
			ev_ver(200, 0x6a816e30, PD_KIND_UNSUPPORTED_PROTOCOL),
			ev_ver(201, 0xff534d42, PD_KIND_UNSUPPORTED_PROTOCOL),
		};
		int			i;

		for (i = 0; i < 4; i++)
			e[i].from_log = true;
		ok(pd_scan_detect(e, 4) == 0, "log: the lines minutes apart are no scan");
	}
	ok(pd_scan_nmap_word(0xff534d42) && strcmp(pd_scan_nmap_word(0xff534d42), "nmap -sV SMBProgNeg") == 0,
	   "the nmap probe of 65363.19778");
	ok(pd_scan_nmap_word(0x00030000) == NULL, "3.0 is no nmap probe");

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
