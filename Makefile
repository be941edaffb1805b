# npkd - GNU make, pkg-config, no configure step.
# Variants build in their own trees: build/release, build/asan, build/fuzz.

PREFIX	?= /usr/local
DESTDIR	?=
BINDIR	 = $(PREFIX)/bin
MANDIR	 = $(PREFIX)/share/man
LIBDIR	?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include

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
# --as-needed: a program depends only on the libraries its code calls
# (npkd and cvc have no SOAP, so no libxml2 and the ICU it brings).
LDLIBS_ALL = -Wl,--as-needed $(PKG_LIBS) -lunistring -lpthread $(EXTRA_LDFLAGS)

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
	   src/soap.c src/spocstore.c src/spoctls.c src/spocscan.c src/spocserve.c \
	   src/spocflow.c src/ber.c src/sod.c src/pa.c src/pa_country.c src/report.c
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

FUZZERS	 = der cms ml ldif cvc pkg soap import cvcpolicy key pkgtrust pkgman \
	   spocserve sod pa
FUZZ_REPLAY = $(FUZZERS:%=$(B)/fuzz/replay_%)
FUZZ_BINS = $(FUZZERS:%=$(B)/fuzz/%_fuzzer)
FUZZ_SECS ?= 60

BENCH	 = $(B)/tests/bench
SPOCLOAD = $(B)/tests/spocload
PABENCH	 = $(B)/tests/pabench

MANPAGES = $(wildcard man/*.1)

.PHONY: all check unit tools-test replay install asan fuzz bench bench-pa lint clean lib \
	testdata deps worlds-long fuzz-long fuzz-long-run
.DELETE_ON_ERROR:
.SECONDARY:

all: $(TOOL_BINS)

$(GEN)/npkd_asn1_tab.c: schemas/npkd.asn
	@mkdir -p $(GEN)
	asn1Parser -o $@ -n npkd_asn1_tab $<

# The SPOC schemas are compiled into the library, which validates every
# message it writes and reads against them; the relay serves each WSDL
# with its schema inlined (GET on the service URL).
SPOC_SCHEMAS = schemas/spoc-csn369791.xsd schemas/spoc-icao.xsd \
	   schemas/spoc-csn369791.wsdl schemas/spoc-icao.wsdl
$(GEN)/spoc_xsd.c: $(SPOC_SCHEMAS)
	@mkdir -p $(GEN)
	{ echo '#include <stddef.h>'; \
	  for v in csn:spoc-csn369791 icao:spoc-icao; do \
	    n=$${v%%:*}; f=schemas/$${v#*:}; \
	    for k in xsd wsdl; do \
	      echo "extern const char npkd_$${k}_$$n[]; extern const size_t npkd_$${k}_$${n}_len;"; \
	      echo "const char npkd_$${k}_$$n[] = {"; \
	      if [ $$k = xsd ]; then cat $$f.xsd; else \
	        awk -v xsd=$$f.xsd '/^ *<xs:schema> *$$/ { skip = 1; \
	          while ((getline l < xsd) > 0) if (l !~ /^<[?]xml/) print l; next } \
	          skip && /<\/xs:schema>/ { skip = 0; next } !skip' $$f.wsdl; fi | \
	        od -An -v -tx1 | sed 's/\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	      echo "0 };"; \
	      echo "const size_t npkd_$${k}_$${n}_len = sizeof(npkd_$${k}_$$n) - 1;"; \
	    done; \
	  done; } > $@.tmp && mv $@.tmp $@

$(GEN)/spoc_xsd.o: $(GEN)/spoc_xsd.c
	$(CC) -std=c11 $(OPT) $(EXTRA_CFLAGS) -c -o $@ $<

$(GEN)/npkd_asn1_tab.o: $(GEN)/npkd_asn1_tab.c
	$(CC) -std=c11 $(OPT) $(PKG_CFLAGS) $(EXTRA_CFLAGS) -c -o $@ $<

$(B)/src/%.o: src/%.c src/npkd.h src/npkd_int.h src/store_int.h src/trust.h \
	    src/cvc_int.h src/spoc_int.h src/pa_int.h
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

$(B)/npkd: $(B)/tools/npkd.o $(B)/tools/ml.o $(B)/tools/store.o $(B)/tools/trust.o $(B)/tools/export.o \
	    $(B)/tools/pa.o $(B)/tools/report.o $(TOOL_COMMON) $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(B)/tests/unit/%.o: tests/unit/%.c tests/unit/tests.h src/npkd.h src/npkd_int.h src/pa_int.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(UNIT): $(UNIT_OBJS) $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL) $(CUNIT_LIBS)

# Fuzz targets double as regression tests: replay.c feeds the seed corpus
# and reproducers to the same entry point with any compiler.
$(B)/fuzz/%.o: fuzz/%.c fuzz/fuzz.h src/npkd.h src/spoc_int.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/fuzz/replay_%: $(B)/fuzz/%_fuzzer.o $(B)/fuzz/replay.o $(LIB)
	$(CC) $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(B)/fuzz/%_fuzzer: $(B)/fuzz/%_fuzzer.o $(LIB)
	$(CC) -fsanitize=fuzzer $(EXTRA_LDFLAGS) -o $@ $^ $(LDLIBS_ALL)

$(BENCH): tests/bench.c tests/rawsig.c tests/rawsig.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ tests/bench.c tests/rawsig.c $(LIB) $(LDLIBS_ALL)

$(PABENCH): tests/pabench.c tests/rawsig.c tests/rawsig.h $(LIB)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -Itests -o $@ tests/pabench.c tests/rawsig.c $(LIB) $(LDLIBS_ALL)

# Documents for make bench: 200 per algorithm, ten per DSC.
PADOCS	 = build/pabench
$(PADOCS)/.done: testdata/gendoc.py testdata/genworld.py
	rm -rf $(PADOCS)
	$(PY) testdata/gendoc.py bench $(PADOCS) 200
	touch $@

# Generated test PKI (testdata/gen.sh); rebuilt when the generator changes.
TD	 = build/testdata
MKDER	 = build/host/mkder
$(MKDER): testdata/mkder.c testdata/mkutil.h
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
$(MKCV): testdata/mkcv.c testdata/mkutil.h
	@mkdir -p $(@D)
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -o $@ $<
$(CV)/.done: testdata/gencvc.sh $(MKDER) $(MKCV)
	sh testdata/gencvc.sh $(CV) $(abspath $(MKDER)) $(abspath $(MKCV))
	touch $@

# SPOC TLS and package test PKI from GnuTLS certtool.
SP	 = build/spocdata
$(SP)/.done: testdata/genspoc.sh $(CV)/.done
	sh testdata/genspoc.sh $(SP) $(abspath $(CV))
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

# Travel documents for passive authentication (testdata/gendoc.py): every
# algorithm and the broken ones, with the verdict of each step.
DOCS	 = build/docs
$(DOCS)/.done: testdata/gendoc.py testdata/genworld.py
	rm -rf $(DOCS)
	$(PY) testdata/gendoc.py cases $(DOCS)
	touch $@

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
$(TD)/big_10000.ml: testdata/genbig.sh $(TD)/.done $(MKDER)
	sh testdata/genbig.sh $(TD) $(MKDER) 10000
# A hostile list: 4 000 CSCA keys of one name chained by links (genworld.py).
$(TD)/chain_4000.ml: testdata/genworld.py $(TD)/.done
	$(PY) testdata/genworld.py chain $@ 4000
# A hostile list of 30 000 members: links, and copies of the CSCA whose key
# they all name, in turn.
$(TD)/links_30000.ml: testdata/genbig.sh $(TD)/.done $(MKDER)
	sh testdata/genbig.sh $(TD) $(MKDER) 30000 links_30000 \
	    $(TD)/bulk_link.der $(TD)/bulk_csca.der

# The 500-certificate list for make bench only.
$(TD)/bench_500.ml: testdata/gen.sh $(MKDER)
	rm -rf $(TD)
	sh testdata/gen.sh $(TD) $(MKDER) bench
	touch $(TD)/.done

testdata: $(TD)/.done

# make install into a directory of the build, for t_install.sh
INST	 = $(abspath $(B)/inst)

check: $(TOOL_BINS) $(UNIT) $(FUZZ_REPLAY) $(TD)/.done $(SCALE_S)/.done $(CV)/.done $(SP)/.done \
	    $(WD)/.done $(TD)/big_100000.ml $(TD)/big_10000.ml $(TD)/links_30000.ml $(TD)/chain_4000.ml $(SPOCLOAD) $(DOCS)/.done \
	    $(B)/inst/.done $(BENCH) $(PABENCH)
	NPKD_TESTDATA=$(TD) NPKD_CVC=$(abspath $(CV)) NPKD_SPOC=$(abspath $(SP)) \
	    NPKD_DOCS=$(DOCS) NPKD_WORLDS=$(WD) $(UNIT)
	for f in $(FUZZERS); do $(B)/fuzz/replay_$$f fuzz/$$f.in fuzz/$$f.repro || exit 1; done
	NPKD_BIN=$(B) NPKD_TESTDATA=$(TD) NPKD_SCALE=$(SCALE_S) NPKD_CVC=$(CV) NPKD_SPOC=$(abspath $(SP)) \
	    NPKD_WORLDS=$(WD) SPOCLOAD=$(abspath $(SPOCLOAD)) NPKD_DOCS=$(DOCS) \
	    NPKD_INST=$(INST) NPKD_CC="$(CC)" NPKD_SAN="$(EXTRA_LDFLAGS)" sh tests/tools/run.sh

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
	NPKD_TEST_SANITIZED=1 $(MAKE) VARIANT=asan check
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

$(SPOCLOAD): tests/spocload.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) $(RELAY_CFLAGS) $(EXTRA_LDFLAGS) -o $@ $< $(RELAY_LIBS) $(PKG_LIBS) \
	    -lpthread

# BENCH_OLD=path/to/npkd: another build timed alternately with this one.
BENCH_OLD ?=
bench: $(BENCH) $(SPOCLOAD) $(TOOL_BINS) $(TD)/bench_500.ml \
	    $(SCALE_F)/.done $(CV)/.done \
	    $(SP)/.done $(WD)/.done $(PABENCH) $(PADOCS)/.done
	@# after bench_500.ml, whose rule makes the test data afresh
	$(MAKE) $(TD)/big_100000.ml
	NPKD_BIN=$(B) NPKD_TESTDATA=$(TD) NPKD_SCALE=$(SCALE_F) NPKD_CVC=$(CV) \
	    NPKD_SPOC=$(abspath $(SP)) SPOCLOAD=$(SPOCLOAD) NPKD_WORLDS=$(WD) \
	    NPKD_BENCH_OLD=$(BENCH_OLD) NPKD_PADOCS=$(PADOCS) PABENCH=$(PABENCH) \
	    sh tests/bench.sh $(BENCH)

# The passive authentication figures of make bench alone.
bench-pa: $(PABENCH) $(TOOL_BINS) $(PADOCS)/.done
	sh tests/pabench.sh $(B)/npkd $(PABENCH) $(PADOCS)

lint:
	mandoc -Tlint -W warning $(MANPAGES)

# The library for inspection systems (issue 14): shared with a soname,
# static, the public header and a pkg-config file.  The shared objects
# are built position independent, and a version script generated from
# npkd.h exports the public interface only.
SOVERSION = 0
LIBVERSION = $(shell sed -n 's/^#define NPKD_VERSION[^"]*"\(.*\)"/\1/p' src/npkd.h)
SHLIB	 = $(B)/libnpkd.so.$(LIBVERSION)
PIC_OBJS = $(LIB_SRCS:src/%.c=$(B)/pic/%.o) $(B)/pic/npkd_asn1_tab.o \
	   $(B)/pic/spoc_xsd.o

$(B)/pic/%.o: src/%.c src/npkd.h src/npkd_int.h src/store_int.h src/trust.h src/pa_int.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_ALL) -fPIC -c -o $@ $<
$(B)/pic/npkd_asn1_tab.o: $(GEN)/npkd_asn1_tab.c
	@mkdir -p $(@D)
	$(CC) -std=c11 $(OPT) $(PKG_CFLAGS) $(EXTRA_CFLAGS) -fPIC -c -o $@ $<
$(B)/pic/spoc_xsd.o: $(GEN)/spoc_xsd.c
	@mkdir -p $(@D)
	$(CC) -std=c11 $(OPT) $(EXTRA_CFLAGS) -fPIC -c -o $@ $<

# Every function npkd.h declares that the library defines, and no other.
$(GEN)/npkd.map: src/npkd.h $(LIB)
	{ echo 'NPKD_$(SOVERSION) {'; echo 'global:'; \
	  sed -n 's/.*[ *]\(npkd_[a-z0-9_]*\)(.*/\1/p' src/npkd.h | sort -u > $@.h; \
	  nm -g --defined-only $(LIB) | awk '$$2 == "T" { print $$3 }' | \
	      sort -u | comm -12 $@.h - | sed 's/.*/	&;/'; \
	  echo 'local:'; echo '	*;'; echo '};'; } > $@.tmp && mv $@.tmp $@
	rm -f $@.h

# Every symbol resolved at link time, but where a sanitizer's runtime
# comes with the program.
ifeq ($(VARIANT),release)
SHLIB_DEFS = -Wl,--no-undefined
endif
$(SHLIB): $(PIC_OBJS) $(GEN)/npkd.map
	$(CC) -shared -Wl,-soname,libnpkd.so.$(SOVERSION) \
	    -Wl,--version-script=$(GEN)/npkd.map $(SHLIB_DEFS) \
	    $(EXTRA_LDFLAGS) -o $@ $(PIC_OBJS) $(LDLIBS_ALL)

lib: $(SHLIB) $(LIB)

# npkd.pc is written for the PREFIX, LIBDIR and INCLUDEDIR of the install.
install: $(TOOL_BINS) $(SHLIB) $(LIB) npkd.pc.in
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR)
	install -m 0755 $(TOOL_BINS) $(DESTDIR)$(BINDIR)
	install -m 0644 $(MANPAGES) $(DESTDIR)$(MANDIR)/man1
	install -m 0755 $(SHLIB) $(DESTDIR)$(LIBDIR)
	ln -sf libnpkd.so.$(LIBVERSION) $(DESTDIR)$(LIBDIR)/libnpkd.so.$(SOVERSION)
	ln -sf libnpkd.so.$(SOVERSION) $(DESTDIR)$(LIBDIR)/libnpkd.so
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)
	install -m 0644 src/npkd.h $(DESTDIR)$(INCLUDEDIR)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIBVERSION)|' \
	    -e 's|@PKGS@|$(PKGS)|' \
	    npkd.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/npkd.pc
	chmod 0644 $(DESTDIR)$(LIBDIR)/pkgconfig/npkd.pc

$(B)/inst/.done: $(TOOL_BINS) $(SHLIB) $(LIB) npkd.pc.in $(MANPAGES)
	rm -rf $(INST)
	$(MAKE) -s install DESTDIR=$(INST) PREFIX=/usr
	touch $@

# Debian 12 packages needed to build and test (run as root).
DEBS = build-essential pkg-config clang libclang-rt-14-dev libgnutls28-dev \
	libtasn1-6-dev libtasn1-bin libssl-dev libsqlite3-dev libarchive-dev libcunit1-dev \
	softhsm2 gnutls-bin openssl mandoc p11-kit slapd ldap-utils sqlite3 \
	libunistring-dev python3-cryptography time openpace libxml2-dev libxml2-utils \
	libcurl4-gnutls-dev libmicrohttpd-dev curl python3-zeep chromium
deps:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBS)

clean:
	rm -rf build
