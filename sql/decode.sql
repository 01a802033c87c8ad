-- probe_detect_decode: turn a version quoted in an old log line into bytes.
SELECT v, raw_bytes, raw_ascii, protocol, tool
  FROM unnest(ARRAY['65363.19778', '65107.19778', '27265.28208', '0.0',
                    '2.0', '3.0', '1234.5679', '1234.5680', '65535.65535',
                    '0.1', '00012.00']) AS v,
       LATERAL probe_detect_decode(v)
 ORDER BY v COLLATE "C";

-- NULL in, NULL out
SELECT * FROM probe_detect_decode(NULL);

-- malformed input is a clean error
SELECT * FROM probe_detect_decode('');
SELECT * FROM probe_detect_decode('65363');
SELECT * FROM probe_detect_decode('65363.');
SELECT * FROM probe_detect_decode('.19778');
SELECT * FROM probe_detect_decode('65536.0');
SELECT * FROM probe_detect_decode('1.65536');
SELECT * FROM probe_detect_decode('1.2.3');
SELECT * FROM probe_detect_decode(' 1.2');
SELECT * FROM probe_detect_decode('1.2 ');
SELECT * FROM probe_detect_decode('-1.2');
SELECT * FROM probe_detect_decode('+1.2');
SELECT * FROM probe_detect_decode('0x10.1');
SELECT * FROM probe_detect_decode('99999999999999999999999.1');
SELECT * FROM probe_detect_decode(E'1.2\n');
SELECT * FROM probe_detect_decode('１.２');

-- every error carries SQLSTATE 22023 (invalid_parameter_value)
DO $$
BEGIN
    PERFORM probe_detect_decode('garbage');
EXCEPTION WHEN invalid_parameter_value THEN
    RAISE NOTICE 'invalid_parameter_value raised';
END
$$;
