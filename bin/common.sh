# shellcheck shell=bash
# Shared helpers for bin/serve and bin/test (source it, don't run it): checks
# that Odoo 19 is importable, installs missing packages, runs a private
# PostgreSQL cluster under .run/ and builds the common Odoo command line.

set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
RUN="$REPO/.run"
ADDON=mail_activity_tracking

log() { printf '[%s] %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }
is_root() { [[ $(id -u) == 0 ]]; }

# Odoo 19.0 must already be importable: we never install Odoo itself.
require_odoo() {
    local version
    if ! version=$(python3 -c 'import odoo.release as r; print(r.serie)' 2>/dev/null); then
        cat >&2 <<'EOF'
error: Odoo 19.0 is not importable by python3.
This addon needs Odoo 19.0 (upstream community source, https://github.com/odoo/odoo
branch 19.0) importable by python3, e.g.:
    git clone --depth 1 -b 19.0 https://github.com/odoo/odoo
    pip install -r odoo/requirements.txt
    export PYTHONPATH=$PWD/odoo    # or: pip install -e ./odoo
EOF
        exit 2
    fi
    [[ $version == 19.0 ]] || { log "error: Odoo 19.0 needed, python3 imports Odoo $version"; exit 2; }
    ODOO_ROOT=$(python3 -c 'import odoo, os; print(os.path.dirname(list(odoo.__path__)[0]))')
}

# apt-get install PostgreSQL and the given commands' packages (e.g. chromium) when missing.
ensure_debian_packages() {
    local missing=() cmd
    compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql)
    for cmd in "$@"; do command -v "$cmd" >/dev/null || missing+=("$cmd"); done
    ((${#missing[@]})) || return 0
    is_root || die "missing Debian packages: ${missing[*]} (apt-get install them as root)"
    log "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null; }
}

# pip install what our tooling and tests need: aiosmtpd (SMTP sink, tests) and
# websocket-client (without it Odoo skips browser tests: HttpCase.browser_js/start_tour).
ensure_python_packages() {
    local missing=() pair
    for pair in aiosmtpd:aiosmtpd websocket:websocket-client; do
        python3 -c "import ${pair%%:*}" 2>/dev/null || missing+=("${pair#*:}")
    done
    ((${#missing[@]})) || return 0
    log "installing Python packages: ${missing[*]}"
    python3 -m pip install -q "${missing[@]}" \
        || python3 -m pip install -q --break-system-packages "${missing[@]}"
}

# Run a command as the unprivileged PostgreSQL owner (PostgreSQL refuses root).
as_pg() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }
mkdir_pg() { mkdir -p "$@"; if is_root; then chown postgres: "$@"; fi; chmod 700 "$@"; }

# Private cluster: data in .run/pg, unix socket only (no TCP), trust auth,
# superuser role "odoo". Idempotent: reuses a running cluster. Sets PGSOCK.
start_cluster() {
    local pgbin base hash
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
    local paths="$RUN/addons" dir
    mkdir -p "$RUN/addons"
    ln -sfn "$REPO" "$RUN/addons/$ADDON"
    # our own (empty) config file, so that no ~/.odoorc is read
    [[ -f $RUN/odoo.conf ]] || echo '[options]' >"$RUN/odoo.conf"
    for dir in "$ODOO_ROOT/odoo/addons" "$ODOO_ROOT/addons"; do
        if [[ -d $dir ]]; then paths+=",$dir"; fi
    done
    # shellcheck disable=SC2034  # used by the scripts sourcing this file
    ODOO_ARGS=(
        --config="$RUN/odoo.conf" --addons-path="$paths" --data-dir="$RUN/data"
        --db_host="$PGSOCK" --db_user=odoo -d "$1" --db-filter="^$1\$"
        --no-database-list --http-interface=127.0.0.1
    )
}
