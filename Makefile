# npkd - GNU make, pkg-config, no configure step.
# Variants build in their own trees: build/release, build/asan, build/fuzz.

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man

VARIANT	?= release
B	 = build/$(VARIANT)
GEN	 = $(B)/gen

PKGS	 = gnutls libcrypto libtasn1 sqlite3 libarchive libxml-2.0
RELAY_PKGS = libcurl libmicrohttpd
# Asked of pkg-config on first use, not when the Makefile is read, so that
# "make deps all" works on a machine where deps installs them.
lazy = $(eval $1 := $$(shell $2))$($1)
RELAY_CFLAGS = $(call lazy,RELAY_CFLAGS,pkg-config --cflags $(RELAY_PKGS))
RELAY_LIBS   = $(call lazy,RELAY_LIBS,pkg-config --libs $(RELAY_PKGS))
PKG_CFLAGS   = $(call lazy,PKG_CFLAGS,pkg-config --cflags $(PKGS))
PKG_LIBS     = $(call lazy,PKG_LIBS,pkg-config --libs $(PKGS))
CUNIT_LIBS   = $(call lazy,CUNIT_LIBS,pkg-config --libs cunit 2>/dev/null || echo -lcunit)

WARN	 = -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion \
	   -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla \
	   -Wimplicit-fallthrough
ifeq ($(CI),true)
WARN	+= -Werror
endif

CC	?= cc
OPT	?= -O2 -g
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) $(PKG_CFLAGS) \
	   -Isrc -I$(GEN) $(EXTRA_CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lunistring -lpthread $(EXTRA_LDFLAGS)

ifeq ($(VARIANT),asan)
CC	 = clang
OPT	 = -O1 -g -fno-omit-frame-pointer
EXTRA_CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all
EXTRA_LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(VARIANT),fuzz)
CC	 = clang
OPT	 = -O1 -g -fno-omit-frame-pointer
EXTRA_CFLAGS  += -fsanitize=fuzzer-no-link,address,undefined
EXTRA_LDFLAGS += -fsanitize=address,undefined
endif

LIB_SRCS = src/init.c src/err.c src/io.c src/asn1.c src/name.c src/curves.c \
	   src/crypto.c src/backend.c src/backend_ossl.c src/cert.c src/crl.c src/cms.c \
	   src/key.c src/ml.c src/ldif.c src/store.c src/trust.c src/validate.c \
	   src/export.c src/cvc.c src/cvca.c src/cvca_write.c src/cvstore.c src/package.c \
	   src/soap.c src/spocstore.c src/spoctls.c
LIB_OBJS = $(LIB_SRCS:src/%.c=$(B)/src/%.o) $(GEN)/npkd_asn1_tab.o \
	   $(GEN)/spoc_xsd.o
LIB	 = $(B)/libnpkd.a

TOOLS	 = npkd cvc spoc spoc-relay
RELAY_LIB = $(B)/libnpkd_relay.a
TOOL_BINS = $(TOOLS:%=$(B)/%)
TOOL_COMMON = $(B)/tools/common.o

UNIT_SRCS = $(wildcard tests/unit/*.c)
UNIT_OBJS = $(UNIT_SRCS:tests/unit/%.c=$(B)/tests/unit/%.o)
UNIT	 = $(B)/tests/unit/run

FUZZERS	 = der cms ml ldif cvc pkg soap import cvcpolicy key
FUZZ_REPLAY = $(FUZZERS:%=$(B)/fuzz/replay_%)
FUZZ_BINS = $(FUZZERS:%=$(B)/fuzz/%_fuzzer)
FUZZ_SECS ?= 60

BENCH	 = $(B)/tests/bench

MANPAGES = $(wildcard man/*.1)

.PHONY: all check unit tools-test replay install asan fuzz bench lint clean \
	testdata deps worlds-long fuzz-long fuzz-long-run
.DELETE_ON_ERROR:
.SECONDARY:

all: $(TOOL_BINS)

$(GEN)/npkd_asn1_tab.c: schemas/npkd.asn
	@mkdir -p $(GEN)
	asn1Parser -o $@ -n npkd_asn1_tab $<

# The SPOC schemas are compiled into the library, which validates every
# message it writes and reads against them.
$(GEN)/spoc_xsd.c: schemas/spoc-csn369791.xsd schemas/spoc-icao.xsd
	@mkdir -p $(GEN)
	{ echo '#include <stddef.h>'; \
	  for v in csn:spoc-csn369791 icao:spoc-icao; do \
	    n=$${v%%:*}; f=schemas/$${v#*:}.xsd; \
	    echo "extern const char npkd_xsd_$$n[]; extern const size_t npkd_xsd_$${n}_len;"; \
	    echo "const char npkd_xsd_$$n[] = {"; \
	    od -An -v -tx1 $$f | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	    echo "0 };"; \
	    echo "const size_t npkd_xsd_$${n}_len = sizeof(npkd_xsd_$$n) - 1;"; \
	  done; } > $@.tmp && mv $@.tmp $@

$(GEN)/spoc_xsd.o: $(GEN)/spoc_xsd.c
	$(CC) -std=c11 $(OPT) $(EXTRA_CFLAGS) -c -o $@ $<

$(GEN)/npkd_asn1_tab.o: $(GEN)/npkd_asn1_tab.c
	$(CC) -std=c11 $(OPT) $(PKG_CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

$(B)/src/%.o: src/%.c src/npkd.h src/npkd_int.h src/store_int.h src/trust.h \
	    src/cvc_int.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fvisibility=hidden -c -o $@ $<

$(LIB): $(LIB_OBJS)
	rm -f $@
	ar rcs $@ $(LIB_OBJS)

$(B)/cvc: $(B)/tools/cvc.o $(TOOL_COMMON) $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

# The network code lives in its own archive, linked only into spoc-relay.
$(B)/relay/relay.o: src/relay.c src/npkd.h src/npkd_int.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(RELAY_CFLAGS) -fvisibility=hidden -c -o $@ $<

$(RELAY_LIB): $(B)/relay/relay.o
	rm -f $@
	ar rcs $@ $^

$(B)/spoc-relay: $(B)/tools/spoc-relay.o $(B)/tools/spocpkg.o $(TOOL_COMMON) $(RELAY_LIB) $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(RELAY_LIBS) $(LDLIBS_ALL)

$(B)/spoc: $(B)/tools/spoc.o $(B)/tools/spocpkg.o $(TOOL_COMMON) $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(B)/tools/%.o: tools/%.c tools/common.h tools/tools.h tools/spocpkg.h src/npkd.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/npkd: $(B)/tools/npkd.o $(B)/tools/ml.o $(B)/tools/store.o $(B)/tools/trust.o $(B)/tools/export.o $(TOOL_COMMON) $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(B)/tests/unit/%.o: tests/unit/%.c tests/unit/tests.h src/npkd.h src/npkd_int.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(UNIT): $(UNIT_OBJS) $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL) $(CUNIT_LIBS)

# Fuzz targets double as regression tests: replay.c feeds the seed corpus
# and reproducers to the same entry point with any compiler.
$(B)/fuzz/%.o: fuzz/%.c fuzz/fuzz.h src/npkd.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/fuzz/replay_%: $(B)/fuzz/%_fuzzer.o $(B)/fuzz/replay.o $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(B)/fuzz/%_fuzzer: $(B)/fuzz/%_fuzzer.o $(LIB)
	$(CC) -fsanitize=fuzzer $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BENCH): tests/bench.c $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

# Generated test PKI (testdata/gen.sh); rebuilt when the generator changes.
TD	 = build/testdata
MKDER	 = build/host/mkder
$(MKDER): testdata/mkder.c
	@mkdir -p $(@D)
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o $@ $<

$(TD)/.done: testdata/gen.sh $(MKDER)
	rm -rf $(TD)
	sh testdata/gen.sh $(TD) $(MKDER)
	touch $@

# EAC test PKI from OpenPACE's cvc-create; the attacker's requests from
# OpenSSL signatures and mkcv's TLVs.
CV	 = build/cvcdata
MKCV	 = build/host/mkcv
$(MKCV): testdata/mkcv.c
	@mkdir -p $(@D)
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o $@ $<
$(CV)/.done: testdata/gencvc.sh $(MKDER) $(MKCV)
	sh testdata/gencvc.sh $(CV) $(abspath $(MKDER)) $(abspath $(MKCV))
	touch $@

# SPOC TLS and package test PKI from GnuTLS certtool.
SP	 = build/spocdata
$(SP)/.done: testdata/genspoc.sh
	sh testdata/genspoc.sh $(SP)
	touch $@

# Crafted trust-model worlds with their ground truth (testdata/genworld.py,
# python3-cryptography): the cases, and random worlds for the property test.
WD	 = build/worlds
PY	 = /usr/bin/python3
WORLDS_N ?= 30
WORLDS_SEED ?= 1
$(WD)/.done: testdata/genworld.py
	rm -rf $(WD)
	$(PY) testdata/genworld.py cases $(WD)/cases
	$(PY) testdata/genworld.py worlds $(WD)/worlds $(WORLDS_N) $(WORLDS_SEED)
	touch $@

# The long property run: many more random worlds (WORLDS_LONG of them,
# seed WORLDS_LONG_SEED), checked like the small run of make check.
WORLDS_LONG ?= 1000
WORLDS_LONG_SEED ?= 7
worlds-long: $(TOOL_BINS)
	rm -rf build/worlds-long
	$(PY) testdata/genworld.py worlds build/worlds-long/worlds $(WORLDS_LONG) \
	    $(WORLDS_LONG_SEED)
	NPKD_BIN=$(B) NPKD_TESTDATA=$(TD) NPKD_WORLDS=build/worlds-long \
	    sh tests/tools/t_worlds.sh

# PKD-shaped corpora: small for the kill test, full size for make bench.
SCALE_S	 = build/scale-small
SCALE_F	 = build/scale-full
$(SCALE_S)/.done: testdata/genscale.sh $(MKDER)
	sh testdata/genscale.sh $(SCALE_S) $(MKDER) 20 2000
	touch $@
$(SCALE_F)/.done: testdata/genscale.sh $(MKDER)
	sh testdata/genscale.sh $(SCALE_F) $(MKDER) 200 30000
	touch $@

# The 100 000-certificate list of the scale test.
$(TD)/big_100000.ml: testdata/genbig.sh $(TD)/.done $(MKDER)
	sh testdata/genbig.sh $(TD) $(MKDER) 100000

# The 500-certificate list for make bench only.
$(TD)/bench_500.ml: testdata/gen.sh $(MKDER)
	rm -rf $(TD)
	sh testdata/gen.sh $(TD) $(MKDER) bench
	touch $(TD)/.done

testdata: $(TD)/.done

check: $(TOOL_BINS) $(UNIT) $(FUZZ_REPLAY) $(TD)/.done $(SCALE_S)/.done $(CV)/.done $(SP)/.done $(WD)/.done $(TD)/big_100000.ml
	NPKD_TESTDATA=$(TD) NPKD_CVC=$(CV) NPKD_WORLDS=$(WD) $(UNIT)
	for f in $(FUZZERS); do $(B)/fuzz/replay_$$f fuzz/$$f.in fuzz/$$f.repro || exit 1; done
	NPKD_BIN=$(B) NPKD_TESTDATA=$(TD) NPKD_SCALE=$(SCALE_S) NPKD_CVC=$(CV) NPKD_SPOC=$(abspath $(SP)) NPKD_WORLDS=$(WD) sh tests/tools/run.sh

# The sanitized suite: reports go to files and exit with a code no tool
# uses (86; ASan and UBSan share one runtime, so one code and one log
# path), so that a test expecting exit 1 cannot pass over a report; a
# canary proves the mechanism, and any report file fails the run.
SANLOG	 = $(CURDIR)/build/asan/sanitizer-reports
SANENV	 = exitcode=86:log_path=
asan:
	rm -rf $(SANLOG) build/asan/canary && mkdir -p $(SANLOG) build/asan/canary
	clang -fsanitize=address,undefined -fno-sanitize-recover=all -g \
	    -o build/asan/sancanary tests/sancanary.c
	for w in heap ub; do \
		ASAN_OPTIONS=$(SANENV)$(CURDIR)/build/asan/canary/$$w \
		UBSAN_OPTIONS=$(SANENV)$(CURDIR)/build/asan/canary/$$w \
		    build/asan/sancanary $$w >/dev/null; rc=$$?; \
		[ $$rc -eq 86 ] && ls build/asan/canary/$$w.* >/dev/null || \
		    { echo "sanitizer canary $$w: exit $$rc, no report"; exit 1; }; \
	done
	ASAN_OPTIONS=$(SANENV)$(SANLOG)/report:detect_leaks=1 \
	UBSAN_OPTIONS=$(SANENV)$(SANLOG)/report:print_stacktrace=1 \
	    $(MAKE) VARIANT=asan check
	@if [ -n "$$(ls -A $(SANLOG))" ]; then \
		echo "sanitizer reports in $(SANLOG):"; \
		head -n 40 $(SANLOG)/*; exit 1; \
	fi
	@echo "sanitized run: no reports"

fuzz:
	$(MAKE) VARIANT=fuzz fuzz-run

# Every target for FUZZ_LONG_SECS (10 minutes) each, seeded with the real
# corpus where it exists; one line per target (executions, coverage,
# findings).  make fuzz-long FUZZ_LONG_SECS=60 for a shorter round.
FUZZ_LONG_SECS ?= 600
fuzz-long:
	$(MAKE) VARIANT=fuzz fuzz-long-run

fuzz-long-run: $(FUZZ_BINS)
	sh tests/fuzz-long.sh $(FUZZ_LONG_SECS) $(FUZZERS)

fuzz-run: $(FUZZ_BINS)
	for f in $(FUZZERS); do \
		mkdir -p $(B)/fuzz/$$f.corpus; \
		$(B)/fuzz/$${f}_fuzzer -max_total_time=$(FUZZ_SECS) \
		    -max_len=65536 -rss_limit_mb=2048 \
		    $(B)/fuzz/$$f.corpus fuzz/$$f.in || exit 1; \
	done

SPOCLOAD = $(B)/tests/spocload
$(SPOCLOAD): tests/spocload.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(RELAY_CFLAGS) -o $@ $< $(RELAY_LIBS) -lpthread

# BENCH_OLD=path/to/npkd: another build timed alternately with this one.
BENCH_OLD ?=
bench: $(BENCH) $(SPOCLOAD) $(TOOL_BINS) $(TD)/bench_500.ml $(SCALE_F)/.done $(CV)/.done $(SP)/.done $(WD)/.done
	NPKD_BIN=$(B) NPKD_TESTDATA=$(TD) NPKD_SCALE=$(SCALE_F) NPKD_CVC=$(CV) \
	    NPKD_SPOC=$(abspath $(SP)) SPOCLOAD=$(SPOCLOAD) NPKD_WORLDS=$(WD) \
	    NPKD_BENCH_OLD=$(BENCH_OLD) sh tests/bench.sh $(BENCH)

lint:
	mandoc -Tlint -W warning $(MANPAGES)

install: $(TOOL_BINS)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)
	install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1

# Debian 12 packages needed to build and test (run as root).
DEBS = build-essential pkg-config clang libclang-rt-14-dev libgnutls28-dev \
	libtasn1-6-dev libtasn1-bin libssl-dev libsqlite3-dev libarchive-dev libcunit1-dev \
	softhsm2 gnutls-bin openssl mandoc p11-kit slapd ldap-utils sqlite3 \
	libunistring-dev python3-cryptography time openpace libxml2-dev libxml2-utils libcurl4-gnutls-dev libmicrohttpd-dev curl
deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBS)

clean:
	rm -rf build
