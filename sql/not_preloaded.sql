-- Without shared_preload_libraries the extension installs, but every view
-- and function says what to change.
CREATE EXTENSION probe_detect;
\set VERBOSITY default
SELECT * FROM probe_detect_events;
SELECT * FROM probe_detect_stats;
SELECT probe_detect_reset();
SELECT * FROM probe_detect_decode('65363.19778');
SELECT * FROM probe_detect_sources;
SELECT * FROM probe_detect_counters;
SELECT * FROM probe_detect_classify('\x00');
\set VERBOSITY sqlstate
-- the SQLSTATE is object_not_in_prerequisite_state (55000)
SELECT * FROM probe_detect_stats;
