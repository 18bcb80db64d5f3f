# shellcheck shell=bash
# Shared helpers of the bin/ commands (source it, don't run it): finds Odoo 19
# (or provides it, odoo-bootstrap.sh), installs missing packages, runs a private
# PostgreSQL cluster under .run/ and builds the common Odoo command line.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
RUN="$REPO/.run"
ADDON=mail_activity_tracking

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }
is_root() { [[ $(id -u) == 0 ]]; }

# Every command runs in an environment of its own: libpq reads PG* variables
# (PGHOST, PGPORT, PGSSLMODE, PGOPTIONS, PGTZ, ...) and Odoo 19 takes its
# database options from them before its config file; it also reads each of its
# options from ODOO_<OPTION> (ODOO_ADDONS_PATH, ODOO_DATA_DIR, ODOO_HTTP_PORT,
# ...: odoo/tools/config.py, ahead of the config file), its config file from
# ODOO_RC, its dev mode from ODOO_DEV, and more ODOO_* switches (browser,
# test retries, profiling). All of them go, but the project's own ODOO_SRC and
# ODOO_CACHE (bin/odoo-bootstrap.sh).
while read -r var; do unset "$var"; done < <(compgen -e | grep -E '^(PG|ODOO_)' | grep -vxE 'ODOO_(SRC|CACHE)')
unset OPENERP_SERVER

# shellcheck source=odoo-bootstrap.sh
source "$REPO/bin/odoo-bootstrap.sh"

# Sets PY (the python that imports Odoo 19.0, see odoo-bootstrap.sh) and
# ODOO_ROOT (the Odoo source tree it imports).
require_odoo() {
    find_or_bootstrap_odoo
    ODOO_ROOT=$("$PY" -c 'import odoo, os; print(os.path.dirname(list(odoo.__path__)[0]))')
}

# Prints the addons path: the given directories, then Odoo's own addons.
odoo_addons_path() {
    local paths=("$@") dir
    for dir in "$ODOO_ROOT/odoo/addons" "$ODOO_ROOT/addons"; do
        if [[ -d $dir ]]; then paths+=("$dir"); fi
    done
    local IFS=,
    echo "${paths[*]}"
}

# apt-get install PostgreSQL and the given commands' packages (e.g. chromium) when missing.
ensure_debian_packages() {
    local missing=() cmd
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
    for cmd in "$@"; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
    if ((${#missing[@]})); then ensure_apt_packages "${missing[@]}"; fi
}

ensure_apt_packages() {
    is_root && command -v apt-get >/dev/null || die "missing Debian packages: $* (as root: apt-get install $*)"
    log "installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    # Postfix for the tests' own instances only: no system configuration, no
    # system mail server
    if [[ " $* " == *" postfix "* ]]; then
        echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
    fi
    apt-get install -y -qq "$@" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq "$@" >/dev/null; } \
        || die "apt-get install $* failed"
}

# pip install what our tooling and tests need: websocket-client (without it
# Odoo skips browser tests: HttpCase.browser_js/start_tour).
ensure_python_packages() {
    local missing=() pair
    for pair in websocket:websocket-client; do
        "$PY" -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair#*:}")
    done
    ((${#missing[@]})) || return 0
    log "installing Python packages: ${missing[*]}"
    "$PY" -m pip install -q "${missing[@]}" \
        || "$PY" -m pip install -q --break-system-packages "${missing[@]}"
}

# Run a command as the unprivileged PostgreSQL owner (PostgreSQL refuses root).
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir_pg() { mkdir -p "$@"; if is_root; then chown postgres: "$@"; fi; chmod 700 "$@"; }

# Sets pgbin, PSQL, PGDATA and PGSOCK of the private cluster.
cluster_paths() {
    local base hash
    pgbin=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n1)
    PSQL="$pgbin/psql"
    hash=$(printf '%s' "$REPO" | sha1sum | cut -c1-12)
    base="$RUN"
    mkdir -p "$RUN"
    # postgres must be able to reach .run/ (e.g. not under a 700 home dir)
    if is_root && ! runuser -u postgres -- test -x "$RUN"; then base="/tmp/$ADDON-$hash"; fi
    PGDATA="$base/pg" PGSOCK="$base/pgsock"
    # a unix socket path (<dir>/.s.PGSQL.5432) must fit in 107 bytes
    if ((${#PGSOCK} + 16 > 107)); then PGSOCK="/tmp/$ADDON-$hash-sock"; fi
}

stop_cluster() {
    cluster_paths
    if [[ -s $PGDATA/PG_VERSION ]]; then as_pg "$pgbin/pg_ctl" -D "$PGDATA" -s -m fast stop 2>/dev/null || true; fi
}

# Private cluster: data in .run/pg, unix socket only (no TCP), trust auth,
# superuser role "odoo". Idempotent: reuses a running cluster. Sets PGSOCK.
start_cluster() {
    cluster_paths
    mkdir_pg "$PGDATA" "$PGSOCK"
    if [[ ! -s $PGDATA/PG_VERSION ]]; then
        log "creating PostgreSQL cluster in $PGDATA"
        as_pg "$pgbin/initdb" -D "$PGDATA" -U postgres -E UTF8 --locale=C.UTF-8 \
            --auth-local=trust --auth-host=reject >/dev/null
        # throwaway dev/test data: trade durability for speed
        printf '%s\n' "fsync = off" "synchronous_commit = off" "full_page_writes = off" \
            >>"$PGDATA/postgresql.conf"
    fi
    if ! as_pg "$pgbin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        log "starting PostgreSQL (socket in $PGSOCK)"
        as_pg "$pgbin/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w -s \
            -o "-h '' -k '$PGSOCK'" start || die "PostgreSQL did not start, see $PGDATA/server.log"
    fi
    if [[ $(psql_as postgres postgres "SELECT 1 FROM pg_roles WHERE rolname = 'odoo'") != 1 ]]; then
        psql_as postgres postgres "CREATE ROLE odoo LOGIN SUPERUSER" >/dev/null
    fi
}

# psql_as ROLE DB SQL: run SQL on the private cluster, print bare rows.
psql_as() { "$PSQL" -h "$PGSOCK" -U "$1" -d "$2" -X -q -t -A -v ON_ERROR_STOP=1 -c "$3"; }
sql() { psql_as odoo "$@"; }

drop_db() {
    log "dropping database $1"
    sql postgres "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)"
    rm -rf "$RUN/data/filestore/$1"
}

# Prints the addon's state in database $1 ("installed", ...), nothing if no such db.
addon_state() {
    sql "$1" "SELECT state FROM ir_module_module WHERE name = '$ADDON'" 2>/dev/null || true
}

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sets ODOO_ARGS for database $1: addons path (the repo is linked as
# .run/addons/mail_activity_tracking), db over the private socket, loopback only.
odoo_args() {
    mkdir -p "$RUN/addons"
    ln -sfn "$REPO" "$RUN/addons/$ADDON"
    # our own (empty) config file, so that no ~/.odoorc is read
    [[ -f $RUN/odoo.conf ]] || echo '[options]' >"$RUN/odoo.conf"
    # shellcheck disable=SC2034  # used by the scripts sourcing this file
    ODOO_ARGS=(
        --config="$RUN/odoo.conf" --addons-path="$(odoo_addons_path "$RUN/addons")" --data-dir="$RUN/data"
        --db_host="$PGSOCK" --db_user=odoo -d "$1" --db-filter="^$1\$"
        --no-database-list --http-interface=127.0.0.1
    )
}
