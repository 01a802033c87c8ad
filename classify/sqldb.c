/*-------------------------------------------------------------------------
 *
 * sqldb.c
 *	  Login packets of SQL databases other than PostgreSQL: MySQL's
 *	  handshake response, SQL Server's LOGIN7 and TDS 4.2/5.0 login, DB2's
 *	  DRDA and ClickHouse's native Hello.  (SQL Server's PRELOGIN and Oracle TNS are in
 *	  databases.c.)
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/*
 * MySQL HandshakeResponse41 or SSLRequest: capability flags with
 * CLIENT_PROTOCOL_41, a maximum packet size, a character set and 23 zero
 * bytes; with the whole stream, a 3-byte length and sequence number 1.
 * The response continues with a NUL-terminated user name; the SSLRequest
 * is exactly 36 bytes.
 */
bool
pd_rule_mysql(const PdView *v, PdClass *c)
{
	long long	caps = pd_le32(v, 4);
	size_t		k;
	long		e;
	PdStr		d;

	if (v->off == 0 && (pd_at(v, 3) != 1 ||
						pd_le16(v, 0) + (pd_at(v, 2) << 16) + 4 != (long) pd_end(v)))
		return false;
	if (caps < 0 || !(caps & 0x200) || pd_at(v, 12) < 1)
		return false;
	for (k = 13; k < 36; k++)
		if (pd_at(v, k) != 0)
			return false;
	PD_SET(c->protocol, "mysql");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (pd_end(v) == 36)
		return pd_found(c, "mysql", (caps & 0x800) ? "SSLRequest" :
						"handshake response, no user");
	e = pd_find(v, 36, 0, 64);
	if (e < 0)
		return false;
	for (k = 36; k < (size_t) e; k++)
		if (pd_at(v, k) < 0x20 || pd_at(v, k) >= 0x7f)
			return false;
	pd_str_add(&d, "handshake response user=");
	pd_str_addv(&d, v, 36, (size_t) e - 36);
	return true;
}

/*
 * SQL Server TDS LOGIN7 (packet type 0x10): zero SPID and window, a LOGIN7
 * length that ends the stream after the 8-byte header, and a known TDS
 * version (7.0 to 7.4).  The packet type and length are what PostgreSQL
 * consumes.
 */
bool
pd_rule_mssql_login(const PdView *v, PdClass *c)
{
	static const long long versions[] = {0x70000000, 0x71000000, 0x71000001,
	0x72090002, 0x730a0003, 0x730b0003, 0x74000004};
	long long	tds = pd_le32(v, 12);
	size_t		k;
	PdStr		d;

	if (v->off == 0 && (pd_at(v, 0) != 0x10 || pd_be16(v, 2) != (long) pd_end(v)))
		return false;
	if (pd_be16(v, 4) != 0 || pd_at(v, 7) != 0 ||
		pd_le32(v, 8) + 8 != (long long) pd_end(v))
		return false;
	for (k = 0; k < lengthof_(versions); k++)
		if (tds == versions[k])
			break;
	if (k == lengthof_(versions))
		return false;
	PD_SET(c->protocol, "mssql");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "TDS LOGIN7, TDS version 0x%08llx", tds);
	return true;
}

/*
 * DB2 DRDA: a DSS (magic 0xd0, a request format) carrying EXCSAT, ACCSEC,
 * SECCHK or ACCRDB, whose DDM object length ends the DSS: the stream, or
 * the next chained DSS, and whose first parameter is a known one that fits.
 * Without the first four bytes (DSS length, magic, format), the correlation
 * id, the object's length, code point and parameters remain.
 */
bool
pd_rule_drda(const PdView *v, PdClass *c)
{
	long		cp = pd_be16(v, 8);
	long		ol = pd_be16(v, 6);
	const char *name;

	if (v->off == 0 && (pd_at(v, 2) != 0xd0 || (pd_at(v, 3) & 0x0f) < 1 ||
						(pd_at(v, 3) & 0x0f) > 4 || pd_be16(v, 0) != ol + 6))
		return false;
	if (pd_be16(v, 4) < 1 || ol < 4)
		return false;
	if ((size_t) ol + 6 != pd_end(v) && pd_at(v, ol + 8) != 0xd0)
		return false;
	/* the object's first parameter: a length that fits and a known code */
	{
		static const long params[] = {0x115e, 0x116d, 0x115a, 0x1404, 0x1147,
		0x11a2, 0x2110, 0x11dc, 0x11a0, 0x11a1, 0x2135, 0x002f, 0x112e, 0x0035};
		long		pl = pd_be16(v, 10);
		long		pc = pd_be16(v, 12);
		size_t		k;

		if (pl < 4 || pl > ol - 4)
			return false;
		for (k = 0; k < lengthof_(params) && params[k] != pc; k++)
			;
		if (k == lengthof_(params))
			return false;
	}
	switch (cp)
	{
		case 0x1041:
			name = "EXCSAT";
			break;
		case 0x106d:
			name = "ACCSEC";
			break;
		case 0x106e:
			name = "SECCHK";
			break;
		case 0x2001:
			name = "ACCRDB";
			break;
		default:
			return false;
	}
	return pd_found(c, "drda", name);
}

/*
 * ClickHouse native protocol: a client Hello (packet type 0), a client
 * name containing "ClickHouse" or "clickhouse", then the client's major and
 * minor version as small varints.  Without the first four bytes the name
 * must still show "ickHouse" or "ickhouse" where it starts.
 */
bool
pd_rule_clickhouse(const PdView *v, PdClass *c)
{
	size_t		q = 4;
	size_t		from = 2;
	PdStr		d;

	if (v->off == 0)
	{
		int			l = pd_at(v, 1);

		if (pd_at(v, 0) != 0 || l < 6 || l > 64 ||
			pd_find_str(v, 2, "lickHouse", (size_t) l) < 0)
		{
			if (pd_at(v, 0) != 0 || l < 6 || l > 64 ||
				pd_find_str(v, 2, "lickhouse", (size_t) l) < 0)
				return false;
		}
		q = 2 + (size_t) l;
	}
	else
	{
		if (!PD_IS(v, 4, "ickHouse") && !PD_IS(v, 4, "ickhouse"))
			return false;
		while (q < 70 && pd_at(v, q) >= 0x20 && pd_at(v, q) < 0x7f)
			q++;
		from = 4;
	}
	/* major and minor version, then the revision */
	if (pd_at(v, q) < 0 || pd_at(v, q) > 99 || pd_at(v, q + 1) < 0 ||
		pd_at(v, q + 1) > 99 || pd_at(v, q + 2) < 0)
		return false;
	PD_SET(c->protocol, "clickhouse");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "Hello from ");
	if (from == 4)
		pd_str_add(&d, "...");
	pd_str_addv(&d, v, from, q - from);
	return true;
}

/*
 * A TDS 4.2/5.0 login record field: n (at most 30) bytes of printable text
 * at stream offset i, zero padding to 30, the length in the byte after.
 */
static long
pd_tds_field(const PdView *v, size_t i)
{
	int			n = pd_at(v, i + 30);
	int			k;

	if (n < 0 || n > 30)
		return -1;
	for (k = 0; k < 30; k++)
	{
		int			ch = pd_at(v, i + k);

		if (k < n ? (ch < 0x20 || ch >= 0x7f) : ch != 0)
			return -1;
	}
	return n;
}

/*
 * SQL Server and Sybase TDS 4.2/5.0 login (packet type 0x02): zero SPID
 * and window, then host name, user name and password, each 30 bytes of
 * text and zero padding with its length after it, the user not empty.
 * FreeTDS and hydra send this first.
 */
bool
pd_rule_tds_login(const PdView *v, PdClass *c)
{
	long		user;
	PdStr		d;

	if (v->off == 0 && (pd_at(v, 0) != 0x02 || pd_at(v, 1) > 1 ||
						pd_be16(v, 2) < 101 || pd_be16(v, 2) > 512))
		return false;
	if (pd_be16(v, 4) != 0 || pd_at(v, 7) != 0 || pd_tds_field(v, 8) < 0 ||
		(user = pd_tds_field(v, 39)) < 1 || pd_tds_field(v, 70) < 0)
		return false;
	PD_SET(c->protocol, "mssql");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "TDS 4.2/5.0 login user=");
	pd_str_addv(&d, v, 39, (size_t) user);
	return true;
}
