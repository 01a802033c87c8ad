-- 1.0 is released: 1.1 is reached from it by ALTER EXTENSION ... UPDATE,
-- and the result is what CREATE EXTENSION gives.
DROP EXTENSION probe_detect;
CREATE EXTENSION probe_detect VERSION '1.0';
SELECT extversion FROM pg_extension WHERE extname = 'probe_detect';
SELECT count(*) FROM pg_proc WHERE proname = 'probe_detect_counters';
-- what 1.0 had keeps working with the 1.1 module
SELECT count(*) FROM probe_detect_events;
SELECT ring_size FROM probe_detect_stats;

ALTER EXTENSION probe_detect UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'probe_detect';
SELECT count(*) > 0 AS has_rows FROM probe_detect_counters;

-- the same objects and privileges as a fresh 1.1
CREATE TEMP TABLE upgraded AS
SELECT pg_describe_object(classid, objid, 0) AS object,
       CASE WHEN classid = 'pg_proc'::regclass
            THEN (SELECT proacl::text FROM pg_proc WHERE oid = objid)
            WHEN classid = 'pg_class'::regclass
            THEN (SELECT relacl::text FROM pg_class WHERE oid = objid) END AS acl
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'probe_detect')
   AND classid IN ('pg_proc'::regclass, 'pg_class'::regclass);
DROP EXTENSION probe_detect;
CREATE EXTENSION probe_detect;
SELECT extversion FROM pg_extension WHERE extname = 'probe_detect';
SELECT object, acl FROM upgraded
EXCEPT
SELECT pg_describe_object(classid, objid, 0),
       CASE WHEN classid = 'pg_proc'::regclass
            THEN (SELECT proacl::text FROM pg_proc WHERE oid = objid)
            WHEN classid = 'pg_class'::regclass
            THEN (SELECT relacl::text FROM pg_class WHERE oid = objid) END
  FROM pg_depend
 WHERE refclassid = 'pg_extension'::regclass
   AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'probe_detect')
   AND classid IN ('pg_proc'::regclass, 'pg_class'::regclass);
SELECT count(*) AS objects FROM upgraded;
