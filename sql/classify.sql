-- probe_detect_classify: bytes from the start of a connection, e.g. from a
-- packet capture, through the same classifier the capture path uses.
SELECT name, c.protocol, c.tool, c.detail
  FROM (VALUES
    ('curl', '\x474554202f6120485454502f312e310d0a486f73743a20780d0a557365722d4167656e743a206375726c2f372e38382e310d0a0d0a'::bytea),
    ('nmap GetRequest', '\x474554202f20485454502f312e300d0a0d0a'),
    ('ssh', convert_to(E'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6\r\n', 'UTF8')),
    ('smb1', '\x000000a4ff534d4272'),
    ('redis', convert_to(E'*1\r\n$4\r\nPING\r\n', 'UTF8')),
    ('psql startup', '\x0000002000030000757365720061646d696e0064617461626173650064620000'),
    ('sslrequest', '\x0000000804d2162f'),
    ('zgrab2 startup', '\x0000003100030000636c69656e745f656e636f64696e67005554463800646174657374796c650049534f2c204d44590000'),
    ('random', '\x8f3a71c2d4e5f60718293a4b5c6d7e8f'),
    ('empty', '\x')
  ) AS t(name, payload),
  LATERAL probe_detect_classify(payload) c
 ORDER BY name;

-- NULL in, NULL out; any bytes are accepted
SELECT * FROM probe_detect_classify(NULL);
SELECT count(*) FROM generate_series(0, 255) b,
       LATERAL probe_detect_classify(decode(lpad(to_hex(b), 2, '0') || repeat('ff', b), 'hex'));

-- decode() answers with the same classifier, from the version word alone
SELECT v, d.protocol, d.tool
  FROM unnest(ARRAY['65363.19778', '65107.19778', '27265.28208', '255.255',
                    '2.0', '0.0', '1234.5679', '18.3', '12345.6789']) v,
       LATERAL probe_detect_decode(v) d
 ORDER BY v COLLATE "C";
