/*-------------------------------------------------------------------------
 *
 * message.h
 *	  What a server log message says about a client: the probe_detect
 *	  event it stands for.
 *
 * Pure C.  PostgreSQL's English messages only (lc_messages = C or en):
 * a translated log says the same in words we do not read.
 *
 *-------------------------------------------------------------------------
 */
#ifndef LS_MESSAGE_H
#define LS_MESSAGE_H

#include "logscan/record.h"

typedef enum LsLine
{
	LS_LINE_OTHER = 0,			/* nothing we read */
	LS_LINE_EVENT,				/* a rejection or a failed login */
	LS_LINE_CONNECTION,			/* log_connections' "connection received" */
} LsLine;

typedef struct LsMessage
{
	int			kind;			/* PdKind */
	bool		has_proto;
	uint32_t	proto;			/* unsupported_protocol's version word */
	bool		ssl;			/* a pg_hba line's "SSL on/encryption" */
	/* from the message's own words ("" if it names none) */
	char		host[LS_HOST_MAX];
	int			port;			/* connection received's, or -1 */
	bool		has_user;
	char		user[LS_NAME_MAX];
	bool		has_database;
	char		database[LS_NAME_MAX];
} LsMessage;

/* Read r's message; LS_LINE_OTHER unless it is one of ours. */
extern LsLine ls_message(const LsRecord *r, LsMessage *m);

/*
 * LsAccept for ls_parse_stderr: a reading whose message is one of ours and
 * names the same user and database as its prefix (%u, %d) does.
 */
extern bool ls_message_accept(const LsRecord *r, void *arg);

#endif							/* LS_MESSAGE_H */
