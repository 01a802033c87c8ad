/*-------------------------------------------------------------------------
 *
 * rpc.c
 *	  RPC systems and serialisation formats: DCE/RPC (MSRPC), Apache
 *	  Thrift, CORBA GIOP, Hadoop IPC and Java object serialisation.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/* A Java or Thrift identifier of n bytes at stream offset i. */
static bool
pd_ident(const PdView *v, size_t i, size_t n, bool dots)
{
	size_t		k;

	for (k = 0; k < n; k++)
	{
		int			ch = pd_at(v, i + k);

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  ch == '_' || ch == '$' || (k > 0 && ch >= '0' && ch <= '9') ||
			  (dots && k > 0 && (ch == '.' || ch == '[' || ch == ';'))))
			return false;
	}
	return n > 0;
}

/*
 * DCE/RPC connection-oriented bind or alter_context: version 5.0 or 5.1,
 * a data representation label of little- or big-endian ASCII, a fragment
 * length that ends the stream, fragment sizes of at least 1432 bytes (the
 * minimum the specification allows), and a context list whose items add
 * up to the fragment.  Without the first four bytes (version, type,
 * flags) the structure of the rest is still all there.
 */
bool
pd_rule_dcerpc(const PdView *v, PdClass *c)
{
	int			drep = pd_at(v, 4);
	bool		le = drep == 0x10;
	long		frag,
				auth,
				xmit,
				recv;
	int			n;
	int			k;
	size_t		p = 28;
	PdStr		d;

	if ((drep != 0x10 && drep != 0x00) || pd_at(v, 5) > 1 || pd_at(v, 6) > 3 ||
		pd_at(v, 7) != 0)
		return false;
	if (v->off == 0 && (pd_at(v, 0) != 5 || pd_at(v, 1) > 1 ||
						(pd_at(v, 2) != 0x0b && pd_at(v, 2) != 0x0e)))
		return false;
	frag = le ? pd_le16(v, 8) : pd_be16(v, 8);
	auth = le ? pd_le16(v, 10) : pd_be16(v, 10);
	xmit = le ? pd_le16(v, 16) : pd_be16(v, 16);
	recv = le ? pd_le16(v, 18) : pd_be16(v, 18);
	n = pd_at(v, 24);
	if (frag != (long) pd_end(v) || auth < 0 || auth > frag - 28 ||
		xmit < 1432 || recv < 1432 || n < 1 || n > 16 || pd_at(v, 25) != 0 ||
		pd_be16(v, 26) != 0)
		return false;
	for (k = 0; k < n; k++)
	{
		int			nt = pd_at(v, p + 2);

		if (nt < 1 || nt > 4 || pd_at(v, p + 3) != 0)
			return false;
		p += 4 + 20 + 20 * (size_t) nt;
	}
	if (auth == 0 ? p != (size_t) frag : p + 8 + (size_t) auth > (size_t) frag)
		return false;
	PD_SET(c->protocol, "dcerpc");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (v->off == 0)
		pd_str_add(&d, pd_at(v, 2) == 0x0b ? "bind" : "alter_context");
	else
		pd_str_add(&d, "bind or alter_context");
	pd_str_addf(&d, ", %d context item(s)", n);
	{
		/* the first abstract syntax UUID, as its well-known interface */
		static const struct
		{
			const char *uuid;
			const char *name;
		}			ifs[] = {
			{"\x08\x83\xaf\xe1\x1f\x5d\xc9\x11\x91\xa4\x08\x00\x2b\x14\xa0\xfa", "epmapper"},
			{"\xc4\xfe\xfc\x99\x60\x52\x1b\x10\xbb\xcb\x00\xaa\x00\x21\x34\x7a", "IOXIDResolver"},
			{"\xb8\x4a\x9f\x4d\x1c\x7d\xcf\x11\x86\x1e\x00\x20\xaf\x6e\x7c\x57", "IRemoteActivation"},
		};
		size_t		i;

		for (i = 0; i < lengthof_(ifs); i++)
			if (pd_is(v, 32, ifs[i].uuid, 16))
			{
				pd_str_add(&d, ", interface ");
				pd_str_add(&d, ifs[i].name);
			}
	}
	return true;
}

/*
 * Apache Thrift, binary protocol (strict: 0x80 0x01, message type call or
 * oneway) and compact protocol (0x82): a method name that is an
 * identifier.  A method of Cassandra's Thrift API names cassandra.
 * Framed transport puts a length first, which PostgreSQL
 * consumes; the unframed binary protocol's header goes with it and what is
 * left (a length and a name) is too common a shape: whole stream only.
 */
bool
pd_rule_thrift(const PdView *v, PdClass *c)
{
	size_t		h;
	long long	nl;
	PdStr		d;

	/*
	 * A framed call whose frame length PostgreSQL took for a packet length
	 * (8-10004): it reports the version word alone, 32769.1 (or .4), the
	 * binary protocol's strict version and message type.  Which service
	 * the call was for went with the method name: thrift, not cassandra.
	 */
	if (v->off == 4 && pd_end(v) == 8 && PD_IS(v, 4, "\x80\x01\0") &&
		(pd_at(v, 7) == 1 || pd_at(v, 7) == 4))
		return pd_found(c, "thrift", pd_at(v, 7) == 1 ?
						"Thrift framed call (version word only)" :
						"Thrift framed oneway call (version word only)");
	if (PD_IS(v, 4, "\x80\x01\0") && (pd_at(v, 7) == 1 || pd_at(v, 7) == 4) &&
		(v->off != 0 || pd_be32(v, 0) + 4 == (long long) pd_end(v)))
		h = 4;					/* framed */
	else if (v->off == 0 && PD_IS(v, 0, "\x80\x01\0") &&
			 (pd_at(v, 3) == 1 || pd_at(v, 3) == 4))
		h = 0;
	else if (v->off == 0 && pd_at(v, 0) == 0x82 &&
			 (pd_at(v, 1) == 0x21 || pd_at(v, 1) == 0x81))
	{
		/* compact: seqid and name length as varints (one byte each here) */
		int			ln = pd_at(v, 3);

		if (pd_at(v, 2) < 0 || (pd_at(v, 2) & 0x80) || ln < 1 || ln > 127 ||
			!pd_ident(v, 4, (size_t) ln, true))
			return false;
		PD_SET(c->protocol, "thrift");
		pd_str_init(&d, c->detail, sizeof(c->detail));
		pd_str_add(&d, "compact call ");
		pd_str_addv(&d, v, 4, (size_t) ln);
		return true;
	}
	else
		return false;
	nl = pd_be32(v, h + 4);
	if (nl < 1 || nl > 128 || !pd_ident(v, h + 8, (size_t) nl, true) ||
		pd_end(v) < h + 12 + nl)
		return false;
	PD_SET(c->protocol, "thrift");
	{
		/* Cassandra's Thrift API (port 9160), which its scanners call */
		static const char *const cass[] = {"login", "describe_version",
			"describe_cluster_name", "describe_keyspaces", "describe_ring",
			"set_keyspace", "execute_cql_query", "execute_cql3_query",
		"describe_partitioner", "describe_snitch"};
		size_t		k;

		for (k = 0; k < lengthof_(cass); k++)
			if ((size_t) nl == strlen(cass[k]) &&
				pd_is(v, h + 8, cass[k], (size_t) nl))
				PD_SET(c->protocol, "cassandra");
	}
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, h == 4 ? "Thrift framed call " : "Thrift call ");
	pd_str_addv(&d, v, h + 8, (size_t) nl);
	return true;
}

/*
 * CORBA GIOP 1.0-1.3: a Request or LocateRequest whose message size, in
 * the byte order its flags give, ends the stream.  Without "GIOP", also a
 * request of at least 8 bytes (a Request 1.0 starts with a service context
 * count, at most 16 here).
 */
bool
pd_rule_giop(const PdView *v, PdClass *c)
{
	int			flags = pd_at(v, 6);
	int			type = pd_at(v, 7);
	long long	size;
	PdStr		d;

	if (v->off == 0 && !PD_IS(v, 0, "GIOP"))
		return false;
	if (pd_at(v, 4) != 1 || pd_at(v, 5) > 3 || flags < 0 || flags > 3 ||
		(type != 0 && type != 3))
		return false;
	size = (flags & 1) ? pd_le32(v, 8) : pd_be32(v, 8);
	if (size + 12 != (long long) pd_end(v))
		return false;
	if (v->off != 0)
	{
		long long	ctx = (flags & 1) ? pd_le32(v, 12) : pd_be32(v, 12);

		if (size < 8 || (pd_at(v, 5) < 2 && type == 0 && (ctx < 0 || ctx > 16)))
			return false;
	}
	PD_SET(c->protocol, "giop");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "GIOP 1.%d %s", pd_at(v, 5),
				type == 0 ? "Request" : "LocateRequest");
	return true;
}

/*
 * Hadoop IPC: "hrpc", version 9, a service class, auth protocol none (0)
 * or SASL (-33), then a length-prefixed RpcRequestHeaderProto whose first
 * field is rpcKind (tag 0x08).
 */
bool
pd_rule_hadoop_ipc(const PdView *v, PdClass *c)
{
	long long	len = pd_be32(v, 7);
	int			auth = pd_at(v, 6);

	if (v->off == 0 && !PD_IS(v, 0, "hrpc"))
		return false;
	if (pd_at(v, 4) != 9 || pd_at(v, 5) < 0 || (auth != 0 && auth != 0xdf) ||
		len < 2 || len + 11 > (long long) pd_end(v) + 4096 ||
		pd_at(v, 11) < 2 || pd_at(v, 11) > 127 || pd_at(v, 12) != 0x08)
		return false;
	return pd_found(c, "hadoop-ipc", auth == 0 ? "connection header, version 9" :
					"connection header, version 9, SASL");
}

/*
 * Java object serialisation: magic 0xaced, version 5, then an object.
 * Without the magic and version, TC_OBJECT TC_CLASSDESC and a class name
 * with a package (java.util.HashMap), its serialVersionUID following.
 */
bool
pd_rule_java_serial(const PdView *v, PdClass *c)
{
	long		nl = pd_be16(v, 6);
	PdStr		d;

	if (v->off == 0)
	{
		if (!PD_IS(v, 0, "\xac\xed\0\x05") || pd_at(v, 4) < 0x70 || pd_at(v, 4) > 0x7e)
			return false;
		if (pd_at(v, 4) != 0x73 || pd_at(v, 5) != 0x72)
			return pd_found(c, "java-serial", "serialization stream");
	}
	else if (pd_at(v, 4) != 0x73 || pd_at(v, 5) != 0x72)
		return false;
	if (nl < 3 || nl > 256 || !pd_ident(v, 8, (size_t) nl, true) ||
		pd_find(v, 8, '.', (size_t) nl) < 0 || pd_end(v) < 8 + (size_t) nl + 9)
		return false;
	PD_SET(c->protocol, "java-serial");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_add(&d, "object of class ");
	pd_str_addv(&d, v, 8, (size_t) nl);
	return true;
}
