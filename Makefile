# probe_detect/Makefile

MODULE_big = probe_detect
# The classifier is a catalogue in classify/: the rules, one file per
# protocol family, and rules.c, their order and the entry point.
CLASSIFY_OBJS = classify/rules.o classify/view.o classify/web.o classify/tls.o \
	classify/ja4.o classify/sha256.o \
	classify/remote.o classify/directory.o classify/databases.o \
	classify/messaging.o classify/text.o classify/other.o classify/postgres.o \
	classify/industrial.o classify/automation.o classify/medical.o \
	classify/rpc.o classify/sqldb.o classify/nosql.o \
	classify/tools.o classify/nmap.o classify/nmap_table.o
OBJS = probe_detect.o pd_sql.o pd_sources.o pd_hooks.o pd_annotate.o pd_capture.o \
	pd_refuse.o pd_persist.o pd_analysis.o pd_feed.o pd_attempts.o pd_port.o \
	pd_classes.o pd_ring.o pd_tally.o pd_counters.o pd_text.o pd_scan.o pd_labels.o pd_tls.o pd_reasons.o \
	$(CLASSIFY_OBJS)
EXTENSION = probe_detect
# 1.0 is the base script; later versions are reached by upgrade scripts.
DATA = $(EXTENSION)--1.0.sql $(EXTENSION)--1.0--1.1.sql $(EXTENSION)--1.1--1.2.sql
PGFILEDESC = "probe_detect - identify and record non-PostgreSQL traffic"

# pg_regress runs twice: with the module preloaded (REGRESS) and without it
# (REGRESS_NOPRELOAD), each in a throwaway instance.
REGRESS = probe_detect privileges decode classify reserved_prefix upgrade
REGRESS_NOPRELOAD = not_preloaded
REGRESS_OPTS = --temp-instance=./tmp_check --temp-config=$(srcdir)/sql/preload.conf
TAP_TESTS = 1

PG_CONFIG ?= $(shell command -v pg_config || echo /usr/lib/postgresql/15/bin/pg_config)
# Our code builds clean under -Wall -Wextra; the server's headers do not
# (unused parameters in inline functions), so they are system headers here.
PG_CFLAGS = -Wall -Wextra -Werror
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server 2>/dev/null)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)
# pd_tls.c calls OpenSSL, as the server does (contrib/sslinfo links it so)
SHLIB_LINK += $(filter -lssl -lcrypto, $(LIBS))
# What the postmaster's forked children find already done (docs/design.md,
# "Page faults"): every symbol bound when the postmaster loads us (-z now),
# so no child writes its copy of our GOT; calls through the GOT, not PLT
# stubs; and no start files, whose exit-time destructor writes a flag in
# our data page in every child that exits (we have no constructors or
# destructors).
PG_CFLAGS += -fno-plt
SHLIB_LINK += -Wl,-z,now -nostartfiles

ifneq ($(PGXS),)
include $(PGXS)
else
all install installcheck:
	@echo "pg_config not found: run 'make setup' (or 'make test') first, or set PG_CONFIG" >&2
	@exit 1
endif

# PGXS tracks no header dependencies: every object depends on every header.
$(OBJS): $(wildcard $(srcdir)/*.h $(srcdir)/classify/*.h)

# probe_detect_logscan: the classifier and the scan rules on server logs,
# for servers that cannot load the module (logscan/, docs/logscan.md).
# Built with the module, installed beside pg_ctl.
LOGSCAN = logscan/probe_detect_logscan
LOGSCAN_OBJS = logscan/probe_detect_logscan.o logscan/scan.o logscan/input.o \
	logscan/record.o logscan/message.o logscan/report.o
# what it shares with the module: pure C, no server headers
LOGSCAN_SHARED = $(CLASSIFY_OBJS) pd_text.o pd_scan.o pd_labels.o pd_reasons.o
ifneq ($(PGXS),)
all: $(LOGSCAN)
install: install-logscan
uninstall: uninstall-logscan
endif
$(LOGSCAN_OBJS): $(wildcard $(srcdir)/*.h $(srcdir)/classify/*.h $(srcdir)/logscan/*.h)
$(LOGSCAN): $(LOGSCAN_OBJS) $(LOGSCAN_SHARED)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(LOGSCAN_OBJS) $(LOGSCAN_SHARED) -lz
.PHONY: install-logscan uninstall-logscan
install-logscan: $(LOGSCAN)
	$(MKDIR_P) '$(DESTDIR)$(bindir)'
	$(INSTALL_PROGRAM) $(LOGSCAN) '$(DESTDIR)$(bindir)/probe_detect_logscan'
uninstall-logscan:
	rm -f '$(DESTDIR)$(bindir)/probe_detect_logscan'

# The machine: Debian's packages, the unprivileged user the tests run as,
# the module built and installed (root, or sudo).  Nothing else installs.
# The README's two commands start with it, so they work on a machine that
# has no PostgreSQL yet.
.PHONY: setup test demo matrix
setup:
	bash scripts/setup.sh
test: setup
	bash scripts/test.sh
demo: setup
	bash scripts/demo.sh

# A developer with PostgreSQL and the module installed: PGXS's installcheck
# (pg_regress with the module preloaded, then TAP), plus the unit tests and
# pg_regress without the preload.  No set-up, no root.
installcheck: unit regress-nopreload
# pg_regress and TAP against Debian's own PostgreSQL 13, 17, 18 and 19, each
# in a chroot of its release (root; MATRIX="17 18" for some of them).
matrix:
	bash scripts/matrix.sh $(MATRIX)

.PHONY: regress regress-preload regress-nopreload tap unit fuzz nmap-table bench bench-refuse bench-feed bench-logscan bench-direct-tls eval eval-flood

regress: regress-preload regress-nopreload

regress-preload:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

regress-nopreload:
	$(pg_regress_installcheck) --temp-instance=./tmp_check_nopreload \
		--outputdir=./results_nopreload $(REGRESS_NOPRELOAD)

# TAP tests need the module installed; PROVE_TESTS picks a subset.
tap:
	$(prove_installcheck)

# C unit tests of the parts that need no server, and the layers check (no
# include or call cycle among the module's files: scripts/layers.pl).
UNIT_CFLAGS = -std=c99 -Wall -Wextra -Wno-missing-field-initializers -Werror -O1 -g -I.
# The classifier alone: its catalogue, pd_text.c's escaper, and what the
# tests check it with.
CLASSIFIER = $(CLASSIFY_OBJS:.o=.c) pd_text.c pd_scan.c pd_labels.c
CLASSIFIER_H = pd_classify.h pd_text.h pd_kind.h $(wildcard classify/*.h)
unit: unit/unit_text unit/unit_classify unit/unit_scan unit/unit_ja4 unit/unit_logscan all
	perl scripts/layers.pl --quiet
	./unit/unit_text
	./unit/unit_classify unit/captures.tsv
	./unit/unit_ja4
	./unit/unit_scan
	./unit/unit_logscan
	perl logscan/test_fixtures.pl
	perl logscan/test_cli.pl

unit/unit_text: unit/unit_text.c pd_text.c pd_text.h
	$(CC) $(UNIT_CFLAGS) -o $@ unit/unit_text.c pd_text.c

unit/unit_classify: unit/unit_classify.c $(CLASSIFIER) $(CLASSIFIER_H) pd_labels.h
	$(CC) $(UNIT_CFLAGS) -o $@ unit/unit_classify.c $(CLASSIFIER)

unit/unit_ja4: unit/unit_ja4.c $(CLASSIFIER) $(CLASSIFIER_H)
	$(CC) $(UNIT_CFLAGS) -o $@ unit/unit_ja4.c $(CLASSIFIER)

unit/unit_scan: unit/unit_scan.c $(CLASSIFIER) $(CLASSIFIER_H) pd_scan.h
	$(CC) $(UNIT_CFLAGS) -o $@ unit/unit_scan.c $(CLASSIFIER)

# probe_detect_logscan's parsers: what reads a log, apart from the report
LOGSCAN_PARSERS = logscan/input.c logscan/record.c logscan/message.c pd_text.c pd_reasons.c
unit/unit_logscan: unit/unit_logscan.c $(LOGSCAN_PARSERS) $(wildcard logscan/*.h)
	$(CC) $(UNIT_CFLAGS) -D_GNU_SOURCE -o $@ unit/unit_logscan.c $(LOGSCAN_PARSERS) -lz

# Regenerate the nmap probe fingerprints from every nmap Debian ships, newest
# first: sid's (from the matrix's chroot, scripts/chroot.sh setup 18),
# trixie's, bookworm's (the host's) and bullseye's.
NMAP_PROBES ?= $(wildcard $(foreach m,18 17,$(shell bash scripts/chroot.sh dir $(m) 2>/dev/null)/usr/share/nmap/nmap-service-probes) \
	/usr/share/nmap/nmap-service-probes \
	$(shell bash scripts/chroot.sh dir 13 2>/dev/null)/usr/share/nmap/nmap-service-probes)
nmap-table:
	perl scripts/gen_nmap_table.pl $(NMAP_PROBES) > classify/nmap_table.c

# libFuzzer with address and undefined-behaviour sanitizers, for a fixed time
# each, the classifier seeded with the real captures.
FUZZ_SECONDS ?= 30
CLANG_FUZZ ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -I.
fuzz: unit/fuzz_text unit/fuzz_classify unit/fuzz_logscan
	rm -rf unit/fuzz_work && mkdir -p unit/fuzz_work/text unit/fuzz_work/classify unit/fuzz_work/logscan
	perl -ne 'next if /^#|^name\t/; @f = split /\t/; chomp $$f[4]; \
		open(my $$o, ">", "unit/fuzz_work/classify/$$f[0]") or die; \
		print $$o pack("H*", $$f[4]); close $$o' unit/captures.tsv
	printf '65363.19778' > unit/fuzz_work/text/version
	printf '192.0.2.0/24' > unit/fuzz_work/text/net4
	printf '2001:db8::/33' > unit/fuzz_work/text/net6
	cp logscan/testdata/*.log logscan/testdata/*.csv logscan/testdata/*.json unit/fuzz_work/logscan/
	@for f in text classify logscan; do \
		echo "fuzzing $$f for $(FUZZ_SECONDS) s"; \
		./unit/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
			-error_exitcode=1 unit/fuzz_work/$$f > unit/fuzz_work/$$f.log 2>&1; \
		rc=$$?; grep -E '^Done|ERROR|SUMMARY' unit/fuzz_work/$$f.log; \
		if [ $$rc -ne 0 ]; then tail -60 unit/fuzz_work/$$f.log; exit 1; fi; \
	done

unit/fuzz_text: unit/fuzz_text.c pd_text.c pd_text.h
	$(CLANG_FUZZ) $(FUZZ_FLAGS) -o $@ unit/fuzz_text.c pd_text.c

unit/fuzz_classify: unit/fuzz_classify.c $(CLASSIFIER) $(CLASSIFIER_H)
	$(CLANG_FUZZ) $(FUZZ_FLAGS) -o $@ unit/fuzz_classify.c $(CLASSIFIER)

# the log's parsers and the report, seeded with the fixtures of every format
LOGSCAN_FUZZED = logscan/scan.c logscan/input.c logscan/record.c logscan/message.c logscan/report.c $(CLASSIFIER) pd_reasons.c
unit/fuzz_logscan: unit/fuzz_logscan.c $(LOGSCAN_FUZZED) $(CLASSIFIER_H) $(wildcard logscan/*.h)
	$(CLANG_FUZZ) $(FUZZ_FLAGS) -D_GNU_SOURCE -DLS_BUF_SIZE=262144 -o $@ unit/fuzz_logscan.c $(LOGSCAN_FUZZED) -lz

# The classifier against 240 runs of real programs from Debian, live and
# replayed (root; installs the programs and this tree's module; not CI):
# eval/run.sh, figures in eval/RESULTS.md, method in docs/evaluation.md.
eval: install
	bash eval/run.sh

# The issue's flood: a health check a second for ten minutes and guessers
eval-flood: install
	bash eval/flood.sh

# Benchmarks: not tests.  Ratios and costs measured side by side in one run.
bench: setup
	bash bench/run.sh

# Only the login cost with refusing on, ring empty against full.
bench-refuse: setup
	bash bench/run.sh refuse

# The ban feed's cost per probe, and a scrape's cost, empty ring and full.
bench-feed: setup
	bash bench/run.sh feed

# probe_detect_logscan's throughput against grep -c on a gigabyte of log
bench-logscan: all
	bash bench/logscan.sh

# 17+: what capturing direct TLS (trace_connection_negotiation) costs a real
# client, in the matrix's chroot (root).
bench-direct-tls:
	bash bench/direct_tls.sh

bench/bench_classify: bench/bench_classify.c $(CLASSIFIER) $(CLASSIFIER_H)
	$(CC) -std=c99 -O2 -I. -o $@ bench/bench_classify.c $(CLASSIFIER)

EXTRA_CLEAN = $(LOGSCAN) $(LOGSCAN_OBJS) unit/unit_logscan unit/fuzz_logscan bench/bench_classify unit/unit_text unit/unit_classify unit/unit_ja4 unit/unit_scan unit/fuzz_classify unit/fuzz_text unit/fuzz_work results_nopreload tmp_check_nopreload
