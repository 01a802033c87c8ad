-- Without shared_preload_libraries the extension installs; every view and
-- function that reads what the module records says what to change.
CREATE EXTENSION probe_detect;
\set VERBOSITY default
SELECT * FROM probe_detect_events;
SELECT * FROM probe_detect_stats;
SELECT probe_detect_reset();
SELECT * FROM probe_detect_sources;
SELECT * FROM probe_detect_counters;
SELECT * FROM probe_detect_refused;
SELECT probe_detect_unrefuse('192.0.2.1');
\set VERBOSITY sqlstate
-- the SQLSTATE is object_not_in_prerequisite_state (55000)
SELECT * FROM probe_detect_stats;
\set VERBOSITY default
-- decoding an old log line and classifying bytes need no preload: they
-- work right after CREATE EXTENSION
SELECT * FROM probe_detect_decode('65363.19778');
SELECT protocol, tool FROM probe_detect_classify('\x5353482d322e302d4f70656e5353485f392e3270310d0a');
SELECT * FROM probe_detect_decode('65363');
