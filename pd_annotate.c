/*-------------------------------------------------------------------------
 *
 * pd_annotate.c
 *	  probe_detect.server_log = annotated: the server log's line about a
 *	  probe, and the verdict added to a failed login's.
 *
 * Runs in the emit_log_hook, after the event was recorded: the probe's line
 * is written from a private copy of its event, with the tool a recent scan
 * from the same address names.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <arpa/inet.h>
#include <sys/socket.h>

#include "miscadmin.h"
#include "pd_analysis.h"
#include "pd_annotate.h"
#include "pd_attempts.h"
#include "pd_classes.h"
#include "pd_labels.h"
#include "pd_port.h"
#include "pd_ring.h"
#include "pd_scan.h"
#include "pd_text.h"
#include "utils/timestamp.h"

/* "203.0.113.7:51432", "[::1]:51432" or "[local]" */
static void
pd_format_peer(const PdEvent *ev, char *buf, size_t size)
{
	char		a[INET6_ADDRSTRLEN];

	if (ev->addr_family == AF_INET && inet_ntop(AF_INET, ev->addr, a, sizeof(a)))
		snprintf(buf, size, "%s:%d", a, ev->client_port);
	else if (ev->addr_family == AF_INET6 && inet_ntop(AF_INET6, ev->addr, a, sizeof(a)))
		snprintf(buf, size, "[%s]:%d", a, ev->client_port);
	else
		snprintf(buf, size, "[local]");
}

/*
 * The tool a scan recognised from this address's recent events names for
 * ev, when its bytes alone name none: nmap's SMBProgNeg, say, ends its
 * service scan.  Looks back at most 64 events and PD_SCAN_GAP_US.
 */
#define PD_LOOKBACK 64

static const char *
pd_recent_scan_tool(const PdEvent *ev, const char *ev_tool)
{
	/*
	 * Static: this child writes its own copy of the data page anyway once
	 * it annotates, and the stack stays small for the path every probe
	 * takes.
	 */
	static union
	{
		PdEvent		ev;
		char		bytes[PD_EVENT_SIZE(PD_CAPTURE_MAX)];
	}			buf;
	static char tools[PD_LOOKBACK + 1][PD_TOOL_MAX];
	PdScanEvent scan[PD_LOOKBACK + 1];
	int			n = 0;
	uint64		next = pd_ring_next_id(pd_ring);
	uint64		id;
	int			k;

	if (ev->addr_family == 0)
		return NULL;
	/* the newest events: ev may have been folded into an older one */
	for (id = next - 1; id > 0 && next - id <= PD_LOOKBACK; id--)
	{
		const PdEvent *e = &buf.ev;
		PdClass		cls;

		if (id == ev->event_id ||
			pd_ring_get(pd_ring, id, &buf.ev) != PD_SLOT_PUBLISHED)
			continue;
		if (e->last_seen < ev->seen_at - PD_SCAN_GAP_US)
			continue;
		if (e->addr_family != ev->addr_family ||
			memcmp(e->addr, ev->addr, sizeof(e->addr)) != 0)
			continue;
		pd_event_class(e, &cls);
		memcpy(tools[n], cls.tool, PD_TOOL_MAX);
		pd_scan_event_from(&scan[n], e, tools[n]);
		n++;
	}
	/* oldest first, then the event itself */
	for (k = 0; k < n / 2; k++)
	{
		PdScanEvent t = scan[k];

		scan[k] = scan[n - 1 - k];
		scan[n - 1 - k] = t;
	}
	pd_scan_event_from(&scan[n], ev, ev_tool);
	n++;
	pd_scan_detect(scan, n);
	return scan[n - 1].scan_tool;
}

/*
 * probe_detect.server_log = annotated: PostgreSQL's line about a probe is
 * replaced by one LOG line of ours, in a stable format for log watchers:
 *
 *   probe_detect: probe from ADDR:PORT: KIND[ VERSION] "BYTES" PROTOCOL[ (TOOL)][; reason: REASON]
 *
 * BYTES are the first 64 captured bytes escaped like raw_ascii (a double
 * quote as \x22); PROTOCOL is "unknown" when the classifier had no guess;
 * REASON, for a failed TLS handshake, is OpenSSL's reason from PostgreSQL's
 * message, escaped too.
 * Every part but ADDR:PORT and REASON may be chosen by the client: no
 * filter may trust this line (the ban feed, pd_feed.c, is for that).
 */
void
pd_annotate_probe(ErrorData *edata, const PdEvent *ev, bool tls)
{
	char		peer[64];
	char		bytes[64 * 4 + 1];
	char		version[16] = "";
	char		reason[128] = "";
	const char *tool;
	PdClass		cls;
	int			i,
				o = 0;

	/* the child classifies where the answer is needed at once: here */
	pd_event_class(ev, &cls);
	tool = cls.tool[0] ? cls.tool : pd_recent_scan_tool(ev, cls.tool);

	pd_format_peer(ev, peer, sizeof(peer));
	if (ev->has_proto)
	{
		version[0] = ' ';
		pd_format_version(ev->proto, version + 1);
	}
	for (i = 0; i < ev->raw_len && i < 64; i++)
	{
		char		one[5];

		if (ev->raw[i] == '"')
			strcpy(one, "\\x22");
		else
			pd_escape_bytes(&ev->raw[i], 1, one, sizeof(one));
		strcpy(bytes + o, one);
		o += strlen(one);
	}
	bytes[o] = '\0';

	/*
	 * "could not accept SSL connection: REASON", in whatever language
	 * lc_messages says: the one message whose tail the kind does not say
	 */
	if (tls && edata->message != NULL)
	{
		const char *r = strstr(edata->message, ": ");

		if (r != NULL && r[2] != '\0')
		{
			strcpy(reason, "; reason: ");
			pd_escape_bytes((const uint8 *) r + 2, strlen(r + 2),
							reason + strlen(reason), sizeof(reason) - strlen(reason));
		}
	}

	edata->output_to_server = false;
	ereport(LOG_SERVER_ONLY,
			(errmsg_internal("probe_detect: probe from %s: %s%s \"%s\" %s%s%s%s%s",
							 peer, pd_kind_name(ev->kind), version, bytes,
							 cls.protocol[0] ? cls.protocol : "unknown",
							 tool ? " (" : "", tool ? tool : "", tool ? ")" : "",
							 reason),
			 errhidestmt(true), errhidecontext(true)));
}

/*
 * probe_detect.server_log = annotated keeps PostgreSQL's line for a failed
 * login and adds the address's verdict, if any, to its server-only detail.
 */
void
pd_annotate_auth_failure(ErrorData *edata)
{
	uint8		addr[16];
	uint16		client_port;
	uint8		family = pd_port_addr(MyProcPort, addr, &client_port);
	char		peer[INET6_ADDRSTRLEN];

	/* the network's tally: the same few words whatever the ring holds */
	if (!pd_attempt_guessing(family, addr, pd_port_transport(MyProcPort),
							 GetCurrentTimestamp()) ||
		inet_ntop(family, addr, peer, sizeof(peer)) == NULL)
		return;

	/*
	 * "probe_detect: 203.0.113.7: password guessing" first, so that people
	 * reading the log find it on the DETAIL line that carries
	 * log_line_prefix.  (Ban rules read the ban feed, not this.)
	 */
	edata->detail_log = edata->detail_log ?
		psprintf("probe_detect: %s: password guessing\n%s", peer, edata->detail_log) :
		psprintf("probe_detect: %s: password guessing", peer);
}
