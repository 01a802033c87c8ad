/*-------------------------------------------------------------------------
 *
 * messaging.c
 *	  Message brokers and chat: Kafka, AMQP, MQTT, STOMP, NATS, ZeroMQ
 *	  and XMPP.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

/*
 * Kafka: a request header (api_key, api_version, correlation id, client
 * id).  ApiVersions (18) is what most clients send first, and its key and
 * version are what PostgreSQL reads as a protocol version (18.0-18.4), so
 * that word alone names it.  Metadata (3) and SaslHandshake (17), the other
 * first requests, need the rest of the header too: a client id of at most
 * 128 printable bytes (or none, -1) within what is known.  A Metadata
 * request's "3.x" is a protocol version PostgreSQL accepts, so the server
 * rejects it with invalid_layout and keeps none of its bytes; only the
 * whole stream shows it.
 */
bool
pd_rule_kafka(const PdView *v, PdClass *c)
{
	static const struct
	{
		int			key;
		int			maxver;
		const char *name;
	}			apis[] = {{18, 4, "ApiVersions"}, {3, 12, "Metadata"},
	{17, 1, "SaslHandshake"}};
	long		key = pd_be16(v, 4);
	long		ver = pd_be16(v, 6);
	long		cl = pd_be16(v, 12);
	size_t		a;
	PdStr		d;

	for (a = 0; a < lengthof_(apis); a++)
		if (key == apis[a].key)
			break;
	if (a == lengthof_(apis) || ver < 0 || ver > apis[a].maxver)
		return false;
	if (pd_end(v) <= 8 && key != 18)
		return false;
	/* the size, where known: this request, maybe with more pipelined */
	if (v->off == 0 && (pd_be32(v, 0) < 10 || pd_be32(v, 0) + 4 > (long long) pd_end(v)))
		return false;
	if (pd_end(v) > 8)
	{
		long		k;

		/*
		 * More is known: the correlation id, then a client id.  For the
		 * rarer first requests the id must be there, non-empty and whole.
		 */
		if (cl < 0 || (cl > 128 && cl != 0xffff) ||
			(key != 18 && (cl < 3 || cl > 128 || 14 + cl > (long) pd_end(v))))
			return false;
		for (k = 0; cl != 0xffff && k < cl && 14 + k < (long) pd_end(v); k++)
		{
			int			ch = pd_at(v, 14 + k);

			if (ch < 0x20 || ch >= 0x7f)
				return false;
		}
	}
	PD_SET(c->protocol, "kafka");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "%s request v%ld", apis[a].name, ver);
	if (pd_end(v) > 14 && cl > 0 && cl != 0xffff)
	{
		pd_str_add(&d, "; client id ");
		pd_str_addv(&d, v, 14, (size_t) cl);
	}
	return true;
}

bool
pd_rule_amqp(const PdView *v, PdClass *c)
{
	static const uint8_t hdr[][4] = {{0, 0, 9, 1}, {0, 0, 8, 0}, {1, 1, 0, 9},
	{0, 1, 0, 0}, {3, 1, 0, 0}, {2, 1, 0, 0}};
	size_t		k;

	if (pd_end(v) != 8 || (v->off == 0 && !PD_IS(v, 0, "AMQP")))
		return false;
	/* without "AMQP", only 0-9-1's and 0-9's headers are distinctive */
	for (k = 0; k < lengthof_(hdr); k++)
		if ((v->off == 0 || k == 0 || k == 2) &&
			pd_is(v, 4, (const char *) hdr[k], 4))
			return pd_found(c, "amqp", k < 3 ? "AMQP 0-9-1 protocol header" :
					"AMQP 1.0 protocol header");
	return false;
}

/* MQTT CONNECT: "MQTT" or "MQIsdp" right after the fixed header. */
bool
pd_rule_mqtt(const PdView *v, PdClass *c)
{
	size_t		p;
	int			level;
	PdStr		d;

	if (v->off == 0 && pd_at(v, 0) != 0x10)
		return false;
	if (PD_IS(v, 2, "\0\x04MQTT") || PD_IS(v, 4, "MQTT"))
		p = 8;
	else if (PD_IS(v, 3, "\0\x04MQTT") || (pd_at(v, 4) == 4 && PD_IS(v, 5, "MQTT")))
		p = 9;
	else if (PD_IS(v, 4, "MQIsdp") && (v->off != 0 || PD_IS(v, 2, "\0\x06")))
		p = 10;
	else if (PD_IS(v, 3, "\0\x06MQIsdp") || (pd_at(v, 4) == 6 && PD_IS(v, 5, "MQIsdp")))
		p = 11;
	else
		return false;
	level = pd_at(v, p);
	if (level < 3 || level > 5)
		return false;
	PD_SET(c->protocol, "mqtt");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	pd_str_addf(&d, "CONNECT protocol level %d", level);
	if (level < 5)
	{
		long		idl = pd_be16(v, p + 4);

		if (idl > 0 && idl < 128)
		{
			pd_str_add(&d, "; client id ");
			pd_str_addv(&d, v, p + 6, (size_t) idl);
		}
	}
	return true;
}

bool
pd_rule_stomp(const PdView *v, PdClass *c)
{
	size_t		n2,
				next2;
	bool		cmd;

	if (v->off == 0)
		cmd = PD_IS(v, 0, "CONNECT\n") || PD_IS(v, 0, "STOMP\n") ||
			PD_IS(v, 0, "CONNECT\r\n") || PD_IS(v, 0, "STOMP\r\n");
	else
		cmd = PD_IS(v, 4, "ECT\n") || PD_IS(v, 4, "P\n") ||
			PD_IS(v, 4, "ECT\r\n") || PD_IS(v, 4, "P\r\n");
	if (!cmd || !v->line || !pd_line(v, v->line_next, &n2, &next2))
		return false;
	if (!PD_IS(v, v->line_next, "accept-version:") &&
		!PD_IS(v, v->line_next, "host:") && !PD_IS(v, v->line_next, "login:"))
		return false;
	return pd_found(c, "stomp", "CONNECT frame");
}

/* NATS: the client's CONNECT with a JSON object of NATS options. */
bool
pd_rule_nats(const PdView *v, PdClass *c)
{
	if (!(v->off == 0 ? PD_IS(v, 0, "CONNECT {\"") : PD_IS(v, 4, "ECT {\"")) ||
		!v->line)
		return false;
	if (pd_find_str(v, 9, "\"verbose\"", v->line_n) < 0 &&
		pd_find_str(v, 9, "\"pedantic\"", v->line_n) < 0 &&
		pd_find_str(v, 9, "\"lang\"", v->line_n) < 0)
		return false;
	return pd_found(c, "nats", "CONNECT");
}

/*
 * ZeroMQ ZMTP greeting: 0xff, eight bytes of padding (libzmq's: seven
 * zeros and a one, which ZMTP 1.0 peers read as a length), 0x7f; then, as
 * libzmq sends it, either nothing more yet, the major version alone, or the
 * rest of the 64-byte ZMTP 3 greeting with a NULL, PLAIN or CURVE
 * mechanism and zero filler.
 */
bool
pd_rule_zmtp(const PdView *v, PdClass *c)
{
	int			major = pd_at(v, 10);
	size_t		k;
	PdStr		d;

	if ((v->off == 0 && pd_at(v, 0) != 0xff) || !PD_IS(v, 4, "\0\0\0\0\x01\x7f") ||
		(v->off == 0 && !PD_IS(v, 1, "\0\0\0")))
		return false;
	if (pd_end(v) == 11 && (major < 1 || major > 3))
		return false;
	if (pd_end(v) > 11)
	{
		if (major != 3 || pd_end(v) < 64 || pd_at(v, 11) > 1 ||
			(!PD_IS(v, 12, "NULL\0") && !PD_IS(v, 12, "PLAIN\0") &&
			 !PD_IS(v, 12, "CURVE\0")))
			return false;
		for (k = 33; k < 64; k++)
			if (pd_at(v, k) != 0)
				return false;
	}
	PD_SET(c->protocol, "zeromq");
	pd_str_init(&d, c->detail, sizeof(c->detail));
	if (major < 0)
		pd_str_add(&d, "ZMTP signature");
	else
	{
		pd_str_addf(&d, "ZMTP %d greeting", major);
		if (pd_end(v) >= 64)
		{
			pd_str_add(&d, ", mechanism ");
			pd_str_addv(&d, v, 12, pd_at(v, 16) == 0 ? 4 : 5);
		}
	}
	return true;
}

/*
 * XMPP: an XML declaration or a stream header, then a stream:stream
 * element in a jabber: namespace.  Without the first four bytes what is
 * left is "l version=" or "eam:stream".
 */
bool
pd_rule_xmpp(const PdView *v, PdClass *c)
{
	long		ns;

	if (v->off == 0 ? !PD_IS(v, 0, "<?xml ") && !PD_IS(v, 0, "<stream:stream ") :
		!PD_IS(v, 4, "l version=") && !PD_IS(v, 4, "eam:stream "))
		return false;
	if (pd_find_str(v, v->off, "stream:stream", 256) < 0 &&
		!PD_IS(v, 4, "eam:stream "))
		return false;
	ns = pd_find_str(v, v->off, "jabber:", 512);
	if (ns < 0)
		return false;
	return pd_found(c, "xmpp", pd_is(v, ns, "jabber:server", 13) ?
					"stream header, server to server" :
					pd_is(v, ns, "jabber:component", 16) ?
					"stream header, component" : "stream header, client");
}
