/*-------------------------------------------------------------------------
 *
 * pd_capture.h
 *	  The hooks that turn rejected connections into ring events.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CAPTURE_H
#define PD_CAPTURE_H

#include "pd_ring.h"
#include "pd_tally.h"
#include "utils/elog.h"

/* Set by probe_detect.c: the ring and the tally (NULL until attached) and
 * the settings. */
extern PdRing *pd_ring;
extern PdTally *pd_tally;
extern bool pd_enabled;
extern int	pd_capture_bytes;

/* probe_detect.server_log: what the server log says about a probe */
typedef enum PdServerLog
{
	PD_LOG_ORIGINAL,			/* PostgreSQL's lines, untouched */
	PD_LOG_ANNOTATED,			/* one LOG line of ours instead */
	PD_LOG_OFF					/* nothing; the views only */
} PdServerLog;

/* probe_detect.reply: what a rejected start-up packet is told */
typedef enum PdReply
{
	PD_REPLY_NORMAL,			/* PostgreSQL's ErrorResponse */
	PD_REPLY_TERSE,				/* without source file, line and function */
	PD_REPLY_SILENT				/* nothing: the connection is closed */
} PdReply;

extern int	pd_server_log;
extern int	pd_reply;

extern void pd_install_hooks(void);
extern void pd_record_refusal(void);

struct Port;
extern uint8 pd_port_addr(const struct Port *port, uint8 *addr,
						  uint16 *client_port);
/* PD_TRANSPORT_* of a connection */
extern int	pd_port_transport(struct Port *port);

/* ERROR unless the module was preloaded (defined in probe_detect.c). */
extern void pd_check_loaded(void);

#endif							/* PD_CAPTURE_H */
