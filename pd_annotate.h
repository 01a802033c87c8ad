/*-------------------------------------------------------------------------
 *
 * pd_annotate.h
 *	  probe_detect.server_log = annotated.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_ANNOTATE_H
#define PD_ANNOTATE_H

#include "pd_ring.h"
#include "utils/elog.h"

/*
 * Replace PostgreSQL's line about a probe with ours, from the occurrence as
 * recorded (pd_capture()'s copy); with tls,
 * the tail of PostgreSQL's message (OpenSSL's reason) is kept.
 */
extern void pd_annotate_probe(ErrorData *edata, const PdEvent *ev, bool tls);

/* A failed login from a guessing network: the verdict in its detail. */
extern void pd_annotate_auth_failure(ErrorData *edata);

#endif							/* PD_ANNOTATE_H */
