/*
 * pd_hookbench.c
 *	  Cost of probe_detect's emit_log_hook, for make bench (not installed).
 *
 * pd_hookbench(n, probe) calls the installed emit_log_hook n times with a
 * message that is not ours (probe = false) or with "invalid length of
 * startup packet" as the pre-PGPROC child would (probe = true: MyProc is
 * cleared around the calls, so every call records an event; nothing is in
 * the receive buffer, so nothing is read).  The backend's socket is hidden
 * from the hook during the calls (PGINVALID_SOCKET): for a rejected length
 * with an empty buffer, the capture waits a few milliseconds on the socket
 * for the rest of a hello split in two writes, which here would never come
 * and would be all that is measured.  Returns nanoseconds per call.
 */
#include "postgres.h"

#include "fmgr.h"
#include "libpq/libpq-be.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/proc.h"
#include "utils/elog.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(pd_hookbench);

Datum
pd_hookbench(PG_FUNCTION_ARGS)
{
	int32		n = PG_GETARG_INT32(0);
	bool		probe = PG_GETARG_BOOL(1);
	ErrorData	ed;
	PGPROC	   *saved = MyProc;
	pgsocket	sock = MyProcPort ? MyProcPort->sock : PGINVALID_SOCKET;
	instr_time	start,
				end;
	int			i;

	if (emit_log_hook == NULL)
		elog(ERROR, "no emit_log_hook: is probe_detect preloaded?");
	memset(&ed, 0, sizeof(ed));
	ed.elevel = probe ? COMMERROR : LOG;
	ed.message_id = probe ? "invalid length of startup packet" : "statement: %s";
	ed.message = probe ? "invalid length of startup packet" : "statement: SELECT 1";

	if (probe)
		MyProc = NULL;
	if (probe && MyProcPort)
		MyProcPort->sock = PGINVALID_SOCKET;
	PG_TRY();
	{
		INSTR_TIME_SET_CURRENT(start);
		for (i = 0; i < n; i++)
		{
			ed.output_to_server = true;
			emit_log_hook(&ed);
		}
		INSTR_TIME_SET_CURRENT(end);
	}
	PG_FINALLY();
	{
		MyProc = saved;
		if (MyProcPort)
			MyProcPort->sock = sock;
	}
	PG_END_TRY();
	INSTR_TIME_SUBTRACT(end, start);
	PG_RETURN_FLOAT8(INSTR_TIME_GET_DOUBLE(end) * 1e9 / n);
}
