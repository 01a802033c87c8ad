/*-------------------------------------------------------------------------
 *
 * pd_labels.h
 *	  The closed sets that metrics and the ban feed may name.
 *
 * A metric label or a ban-feed field is chosen by an attacker if it is
 * copied from what a client sent: a tool is whatever a User-Agent or an SSH
 * banner says, and a new value each time is a new Prometheus series.  So
 * everything outside the event views is mapped onto a fixed list first:
 * protocols onto the names the classifier can give, tools onto a few
 * families, and the rest onto "other".
 *
 * Pure C, no PostgreSQL headers: unit-tested on its own.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PD_LABELS_H
#define PD_LABELS_H

#include <stddef.h>

#include "pd_kind.h"

/*
 * Protocol labels: every name the classifier gives (test/unit_classify
 * checks it), then "other" and "unknown" (no guess).  Sorted, for bsearch.
 */
#define PD_PROTOCOL_LABELS	85
extern const char *const pd_protocol_labels[PD_PROTOCOL_LABELS];

/* The index of protocol's label; "" is "unknown", anything unlisted "other". */
extern int	pd_protocol_label(const char *protocol);

/*
 * Tool families: the first word of a tool the classifier names ("nmap -sV
 * SMBProgNeg", "curl", "python-requests": classify/tools.c's table), mapped
 * onto a fixed list, then "other" and "none" (no tool named).
 */
#define PD_TOOL_FAMILIES	74
extern const char *const pd_tool_families[PD_TOOL_FAMILIES];

extern int	pd_tool_family(const char *tool);

/* An event kind's name ("unsupported_protocol"), NULL for none or unknown. */
extern const char *pd_kind_name(int kind);

/* The ban feed's verdicts (PdVerdict), by name. */
extern const char *const pd_verdict_names[PD_VERDICT_MAX];

#endif							/* PD_LABELS_H */
