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
VALIDATORS=(sarif_multitool)

# ---------------------------------------------------------------------------
# Pinned versions
# ---------------------------------------------------------------------------

# Microsoft's SARIF Multitool: `validate` checks a log against the SARIF 2.1.0 JSON
# schema plus the SARIF rules (SARIF1xxx/2xxx) and GitHub's ingestion rules (GHxxxx).
SARIF_MULTITOOL_VERSION=5.7.0

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
        local have
        have=$("$VENV_DIR/bin/python" -m pip show "$name" 2>/dev/null |
            sed -n 's/^Version: //p')
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
