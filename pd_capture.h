/*-------------------------------------------------------------------------
 *
 * pd_capture.h
 *	  Recording one event.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_CAPTURE_H
#define PD_CAPTURE_H

#include "pd_ring.h"

/*
 * An event on the caller's stack, with room for the default capture_bytes
 * and then some: every page of stack the start-up child touches for the
 * first time is a page fault.  A larger capture_bytes uses a static buffer.
 */
#define PD_CAPTURE_STACK	512
typedef union PdEventBuf
{
	PdEvent		ev;
	char		bytes[PD_EVENT_SIZE(PD_CAPTURE_STACK)];
} PdEventBuf;

/* probe_detect.repeat_window (seconds; 0: every occurrence is an event) */
extern int	pd_repeat_window;

/* At _PG_init: the setting above. */
extern void pd_capture_define_settings(void);

/* Where the unread bytes of a rejected packet start, or how to get them. */
#define PD_OFFSET_NONE		(-2)	/* capture nothing */
#define PD_OFFSET_UNKNOWN	(-1)	/* whatever is left, offset unknown */
#define PD_OFFSET_PROTO		(-3)	/* all consumed; the version word is in
									 * MyProcPort->proto */
#define PD_OFFSET_TLS		(-4)	/* be_tls_open_server() failed: 17+'s
									 * direct-TLS bytes are in Port.raw_buf,
									 * from offset 0 */
/* 0 or more: the unread bytes start at that stream offset */

/*
 * Record an event of kind (PdKind) about MyProcPort, with its bytes found as
 * raw_offset says, PostgreSQL's message, and for an authentication event
 * the pg_hba method (or NULL).  What is recorded is what the client sent
 * and what only this process can see (pd_ring.h): no classifier runs here
 * but where an answer is needed at once (the ban feed's protocol, a repeat
 * with other bytes).  Returns this occurrence as recorded (in buf, or a
 * static buffer: the annotated log line's source, as the ring's event may
 * be an earlier one it was folded into); *kind_out (if not NULL) says what
 * it turned out to be (a TLS failure may be a PostgreSQL client's,
 * PD_KIND_TLS_CLIENT_FAILURE).  Safe in the pre-PGPROC child: signals stay
 * blocked from the counting to the ring's publish (pd_ring.h), and nothing
 * blocks but the ban feed's write to a local file and, before that, for a
 * rejected length with nothing behind it, a wait of at most 20 ms for the
 * rest of the packet (split writes).  The ring must be attached.
 */
extern const PdEvent *pd_capture(int kind, int raw_offset, const char *message,
								 const char *auth_method, PdEventBuf *buf,
								 int *kind_out);

#endif							/* PD_CAPTURE_H */
