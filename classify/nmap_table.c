/*-------------------------------------------------------------------------
 *
 * nmap_table.c
 *	  Fingerprints of nmap's TCP service probes (generated; do not edit).
 *
 * Made by scripts/gen_nmap_table.pl (make nmap-table) from the
 * nmap-service-probes of every nmap Debian ships, newest first: 72
 * fingerprints.  Only lengths and hashes are kept, not the probes.
 *
 *-------------------------------------------------------------------------
 */
#include "classify/catalogue.h"

const PdNmapProbe pd_nmap_probes[] = {
	{"GetRequest", "http", 18, 14, UINT64_C(0x446817c3bff57608)},
	{"HTTPOptions", "http", 22, 18, UINT64_C(0x360ec08c9bfbf5f2)},
	{"RTSPRequest", "rtsp", 22, 18, UINT64_C(0x3d82947796639333)},
	{"RPCCheck", "onc-rpc", 44, 40, UINT64_C(0x3ad5651bf464253e)},
	{"DNSVersionBindReqTCP", "dns", 32, 28, UINT64_C(0x6d0883cd62b1eb6c)},
	{"DNSStatusRequestTCP", "dns", 14, 10, UINT64_C(0xf425180455f9141d)},
	{"SSLSessionReq", "tls", 88, 64, UINT64_C(0x6ebc7d77b04ac51c)},
	{"TerminalServerCookie", "rdp", 42, 38, UINT64_C(0x96ab714de180787d)},
	{"TLSSessionReq", "tls", 110, 64, UINT64_C(0x89ef40dd96246f26)},
	{"SSLv23SessionReq", "tls", 160, 64, UINT64_C(0xce2d59016b8000de)},
	{"Kerberos", "kerberos", 117, 64, UINT64_C(0x1cc647cf8eb25907)},
	{"SMBProgNeg", "smb1", 168, 64, UINT64_C(0xa2327d4a416ccdf2)},
	{"FourOhFourRequest", "http", 53, 49, UINT64_C(0x01ffe14310a1a9ec)},
	{"LDAPSearchReq", "ldap", 51, 47, UINT64_C(0xea57dc84f813b64e)},
	{"LDAPBindReq", "ldap", 14, 10, UINT64_C(0xe54c74877c227302)},
	{"SIPOptions", "sip", 223, 64, UINT64_C(0xa8466cf1cb8ca107)},
	{"LANDesk-RC", "landesk", 16, 12, UINT64_C(0x08199953ba4dc089)},
	{"NCP", "ncp", 23, 19, UINT64_C(0x9e95c8f9c30d06d5)},
	{"NotesRPC", "notes-rpc", 60, 56, UINT64_C(0x4ded9bfe817d09f4)},
	{"DistCCD", "distcc", 114, 64, UINT64_C(0x6563b44704e963c6)},
	{"NessusTPv12", "nessus", 12, 8, UINT64_C(0x432ee107a05275f9)},
	{"NessusTPv11", "nessus", 12, 8, UINT64_C(0xe20c150ff595a916)},
	{"NessusTPv10", "nessus", 12, 8, UINT64_C(0x82a9ed184c5611bb)},
	{"WMSRequest", "mms", 175, 64, UINT64_C(0x242228dc61ec609c)},
	{"oracle-tns", "oracle-tns", 90, 64, UINT64_C(0xe2cde4caa622eabe)},
	{"WWWOFFLEctrlstat", NULL, 17, 13, UINT64_C(0x511366e8900cb4af)},
	{"Socks5", "socks5", 41, 37, UINT64_C(0xe1656ea0e0ea2483)},
	{"Socks4", "socks4", 13, 9, UINT64_C(0xbe46929b7f39ae97)},
	{"OfficeScan", "http", 24, 20, UINT64_C(0x27deed2458f202ff)},
	{"ms-sql-s", "mssql", 52, 48, UINT64_C(0xd80d0c0de4e1dcfd)},
	{"firebird", "firebird", 100, 64, UINT64_C(0x12edbc451ce69477)},
	{"ibm-db2-das", "db2", 53, 49, UINT64_C(0x26c782a81a1f6e53)},
	{"ibm-db2", "db2", 450, 64, UINT64_C(0x58232ea62244ceae)},
	{"pervasive-relational", "pervasive", 255, 64, UINT64_C(0xe5ed9d795efef6f7)},
	{"pervasive-btrieve", "pervasive", 60, 56, UINT64_C(0x10b6147649a0ef61)},
	{"DNS-SD-TCP", "dns", 48, 44, UINT64_C(0xc0accaaea32fa548)},
	{"hp-pjl", "pjl", 34, 30, UINT64_C(0xe0bd38e3cbebc820)},
	{"afp", "afp", 18, 14, UINT64_C(0x031b61c0562745c0)},
	{"SqueezeCenter_CLI", NULL, 14, 10, UINT64_C(0xa060cd0084de7e3f)},
	{"Arucer", NULL, 43, 39, UINT64_C(0x58d157b53538ca33)},
	{"informix", "informix", 148, 64, UINT64_C(0x491ef88c2ff63b57)},
	{"drda", "drda", 50, 46, UINT64_C(0xabe3f1bfb4cdbd4b)},
	{"ibm-mqseries", "mqseries", 236, 64, UINT64_C(0x5968914efab57f31)},
	{"apple-iphoto", "http", 102, 64, UINT64_C(0xe9dadd5f514b45d1)},
	{"ZendJavaBridge", "zend-java-bridge", 35, 31, UINT64_C(0xf0583af1d9f52085)},
	{"gkrellm", NULL, 13, 9, UINT64_C(0x0084159dfef5cf78)},
	{"metasploit-xmlrpc", NULL, 84, 64, UINT64_C(0x6b68efcbe41b53c0)},
	{"mongodb", "mongodb", 65, 61, UINT64_C(0x3155eb4cd3b9f11c)},
	{"redis-server", "redis", 14, 10, UINT64_C(0x1a2205961c306f41)},
	{"couchbase-data", "memcached", 24, 20, UINT64_C(0x4427b3b57d3e2453)},
	{"metasploit-msgrpc", NULL, 21, 17, UINT64_C(0xd6d664417343f07c)},
	{"hazelcast-http", NULL, 42, 38, UINT64_C(0x36ca2dbdafb7e140)},
	{"erlang-node", NULL, 13, 9, UINT64_C(0xe9ab16e6260f49a3)},
	{"xmlsysd", NULL, 43, 39, UINT64_C(0x901137b659871e0b)},
	{"docker", NULL, 25, 21, UINT64_C(0x8877e21f7b3ef82f)},
	{"tor-versions", NULL, 13, 9, UINT64_C(0x3f3d7d073e85f2cb)},
	{"TLS-PSK", NULL, 122, 64, UINT64_C(0x2fe740916efd8a3b)},
	{"NJE", NULL, 33, 29, UINT64_C(0x94b3cfc940be5397)},
	{"tn3270", NULL, 33, 29, UINT64_C(0xac54f3ed2aeeba97)},
	{"giop", "giop", 48, 44, UINT64_C(0xad4ab0a8c28f6b38)},
	{"OpenVPN", NULL, 16, 12, UINT64_C(0xb9255358c3825356)},
	{"pcworx", "pcworx", 26, 22, UINT64_C(0xee4f2d7c7c8ce895)},
	{"niagara-fox", "niagara-fox", 52, 48, UINT64_C(0xb7a9548ebdd6976c)},
	{"mqtt", "mqtt", 18, 14, UINT64_C(0x4318f59822aed673)},
	{"iperf3", NULL, 41, 37, UINT64_C(0x428bb268a9b96a9f)},
	{"JMON", NULL, 14, 10, UINT64_C(0x1b3f6cd9e3692631)},
	{"LibreOfficeImpressSCPair", NULL, 33, 29, UINT64_C(0x73e6a34c547eb62c)},
	{"LSCP", NULL, 17, 13, UINT64_C(0xe99c1cb6478eca01)},
	{"SharpTV", NULL, 36, 32, UINT64_C(0xf2b8b63f1842daad)},
	{"adbConnect", NULL, 31, 27, UINT64_C(0x012cdc567b183264)},
	{"MikroTik_Winbox", "winbox", 36, 32, UINT64_C(0x0c8210784d8af5a5)},
	{"MikroTik_Winbox_Legacy", "winbox", 250, 64, UINT64_C(0xb9b23f3a46fd0825)},
};

const int	pd_nmap_probe_count = sizeof(pd_nmap_probes) / sizeof(pd_nmap_probes[0]);
