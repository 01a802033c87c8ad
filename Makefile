# probe_detect/Makefile

MODULE_big = probe_detect
# The classifier is a catalogue in classify/: the rules, one file per
# protocol family, and rules.c, their order and the entry point.
CLASSIFY_OBJS = classify/rules.o classify/view.o classify/web.o classify/tls.o \
	classify/remote.o classify/directory.o classify/databases.o \
	classify/messaging.o classify/text.o classify/other.o classify/postgres.o \
	classify/nmap.o classify/nmap_table.o
OBJS = probe_detect.o pd_sql.o pd_sources.o pd_hooks.o pd_annotate.o pd_capture.o \
	pd_refuse.o pd_persist.o pd_analysis.o pd_feed.o pd_attempts.o pd_port.o \
	pd_ring.o pd_tally.o pd_counters.o pd_text.o pd_scan.o pd_labels.o $(CLASSIFY_OBJS)
EXTENSION = probe_detect
# 1.0 is the base script; later versions are reached by upgrade scripts.
DATA = $(EXTENSION)--1.0.sql $(EXTENSION)--1.0--1.1.sql
PGFILEDESC = "probe_detect - identify and record non-PostgreSQL traffic"

# pg_regress runs twice: with the module preloaded (REGRESS) and without it
# (REGRESS_NOPRELOAD), each in a throwaway instance.
REGRESS = probe_detect privileges decode classify reserved_prefix upgrade
REGRESS_NOPRELOAD = not_preloaded
REGRESS_OPTS = --temp-instance=./tmp_check --temp-config=$(srcdir)/test/preload.conf
TAP_TESTS = 1

PG_CONFIG ?= $(shell command -v pg_config || echo /usr/lib/postgresql/15/bin/pg_config)
# Our code builds clean under -Wall -Wextra; the server's headers do not
# (unused parameters in inline functions), so they are system headers here.
PG_CFLAGS = -Wall -Wextra -Werror
PG_CPPFLAGS = -isystem $(shell $(PG_CONFIG) --includedir-server 2>/dev/null)
PGXS := $(shell $(PG_CONFIG) --pgxs 2>/dev/null)

ifneq ($(PGXS),)
include $(PGXS)
else
all install installcheck:
	@echo "pg_config not found: run 'make test' or scripts/setup.sh first, or set PG_CONFIG" >&2
	@exit 1
endif

# PGXS tracks no header dependencies: every object depends on every header.
$(OBJS): $(wildcard $(srcdir)/*.h $(srcdir)/classify/*.h)

# The README's two commands: they install what is missing first, so they
# work on a machine that has no PostgreSQL yet.
.PHONY: test demo matrix
test:
	bash scripts/test.sh
demo:
	bash scripts/demo.sh
# pg_regress and TAP against Debian's own PostgreSQL 13, 17, 18 and 19, each
# in a chroot of its release (root; MATRIX="17 18" for some of them).
matrix:
	bash scripts/matrix.sh $(MATRIX)

.PHONY: regress regress-preload regress-nopreload tap unit fuzz nmap-table bench bench-refuse bench-feed bench-direct-tls

regress: regress-preload regress-nopreload

regress-preload:
	$(pg_regress_installcheck) $(REGRESS_OPTS) $(REGRESS)

regress-nopreload:
	$(pg_regress_installcheck) --temp-instance=./tmp_check_nopreload \
		--outputdir=./results_nopreload $(REGRESS_NOPRELOAD)

# TAP tests need the module installed; PROVE_TESTS picks a subset.
tap:
	$(prove_installcheck)

# C unit tests of the parts that need no server.
UNIT_CFLAGS = -std=c99 -Wall -Wextra -Wno-missing-field-initializers -Werror -O1 -g -I.
# The classifier alone: its catalogue, pd_text.c's escaper, and what the
# tests check it with.
CLASSIFIER = $(CLASSIFY_OBJS:.o=.c) pd_text.c pd_scan.c pd_labels.c
CLASSIFIER_H = pd_classify.h pd_text.h pd_kind.h $(wildcard classify/*.h)
unit: test/unit_text test/unit_classify test/unit_scan
	./test/unit_text
	./test/unit_classify test/captures.tsv
	./test/unit_scan

test/unit_text: test/unit_text.c pd_text.c pd_text.h
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit_text.c pd_text.c

test/unit_classify: test/unit_classify.c $(CLASSIFIER) $(CLASSIFIER_H) pd_labels.h
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit_classify.c $(CLASSIFIER)

test/unit_scan: test/unit_scan.c $(CLASSIFIER) $(CLASSIFIER_H) pd_scan.h
	$(CC) $(UNIT_CFLAGS) -o $@ test/unit_scan.c $(CLASSIFIER)

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
fuzz: test/fuzz_text test/fuzz_classify
	rm -rf test/fuzz_work && mkdir -p test/fuzz_work/text test/fuzz_work/classify
	perl -ne 'next if /^#|^name\t/; @f = split /\t/; chomp $$f[4]; \
		open(my $$o, ">", "test/fuzz_work/classify/$$f[0]") or die; \
		print $$o pack("H*", $$f[4]); close $$o' test/captures.tsv
	printf '65363.19778' > test/fuzz_work/text/version
	printf '192.0.2.0/24' > test/fuzz_work/text/net4
	printf '2001:db8::/33' > test/fuzz_work/text/net6
	@for f in text classify; do \
		echo "fuzzing $$f for $(FUZZ_SECONDS) s"; \
		./test/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) -timeout=5 \
			-error_exitcode=1 test/fuzz_work/$$f > test/fuzz_work/$$f.log 2>&1; \
		rc=$$?; grep -E '^Done|ERROR|SUMMARY' test/fuzz_work/$$f.log; \
		if [ $$rc -ne 0 ]; then tail -60 test/fuzz_work/$$f.log; exit 1; fi; \
	done

test/fuzz_text: test/fuzz_text.c pd_text.c pd_text.h
	$(CLANG_FUZZ) $(FUZZ_FLAGS) -o $@ test/fuzz_text.c pd_text.c

test/fuzz_classify: test/fuzz_classify.c $(CLASSIFIER) $(CLASSIFIER_H)
	$(CLANG_FUZZ) $(FUZZ_FLAGS) -o $@ test/fuzz_classify.c $(CLASSIFIER)

# Benchmarks: not tests.  Ratios and costs measured side by side in one run.
bench:
	bash bench/run.sh

# Only the login cost with refusing on, ring empty against full.
bench-refuse:
	bash bench/run.sh refuse

# The ban feed's cost per probe, and a scrape's cost, empty ring and full.
bench-feed:
	bash bench/run.sh feed

# 17+: what capturing direct TLS (trace_connection_negotiation) costs a real
# client, in the matrix's chroot (root).
bench-direct-tls:
	bash bench/direct_tls.sh

bench/bench_classify: bench/bench_classify.c $(CLASSIFIER) $(CLASSIFIER_H)
	$(CC) -std=c99 -O2 -I. -o $@ bench/bench_classify.c $(CLASSIFIER)

EXTRA_CLEAN = bench/bench_classify test/unit_text test/unit_classify test/unit_scan test/fuzz_classify test/fuzz_text test/fuzz_work results_nopreload tmp_check_nopreload
