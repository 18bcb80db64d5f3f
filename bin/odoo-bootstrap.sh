# shellcheck shell=bash
# Provides Odoo 19.0 when python3 cannot import it (sourced by common.sh):
# its source in $ODOO_CACHE/odoo (a shallow clone of upstream 19.0, or a copy
# of ODOO_SRC) and a virtual environment $ODOO_CACHE/venv with Odoo's Python
# requirements, where a .pth file makes the source importable. A second run
# reuses both; what does not install on this machine's Python is skipped and
# said. ODOO_CACHE defaults to .run/odoo-19.0 (git-ignored).

ODOO_SERIE=19.0
ODOO_UPSTREAM=https://github.com/odoo/odoo
ODOO_CACHE=${ODOO_CACHE:-$RUN/odoo-$ODOO_SERIE}

# Sets PY, the python that imports Odoo 19.0: python3 itself when it does and
# ODOO_SRC is not set, else the bootstrapped virtual environment's.
find_or_bootstrap_odoo() {
    local version
    version=$(python3 -c 'import odoo.release as r; print(r.serie)' 2>/dev/null) || version=
    if [[ -z ${ODOO_SRC:-} && $version == "$ODOO_SERIE" ]]; then
        PY=python3
        return
    fi
    if [[ -n ${ODOO_SRC:-} ]]; then
        log "ODOO_SRC is set: Odoo $ODOO_SERIE from $ODOO_SRC, in $ODOO_CACHE"
    else
        log "python3 ${version:+imports Odoo $version, not $ODOO_SERIE}${version:-cannot import Odoo}: Odoo $ODOO_SERIE in $ODOO_CACHE"
    fi
    local t0=$SECONDS
    mkdir -p "$ODOO_CACHE"
    fetch_odoo_source
    make_odoo_venv
    PY=$ODOO_CACHE/venv/bin/python
    if ((SECONDS - t0 > 1)); then log "Odoo $ODOO_SERIE ready in $ODOO_CACHE ($((SECONDS - t0))s)"; fi
}

# $ODOO_CACHE/odoo: kept when there, unless ODOO_SRC names another source.
fetch_odoo_source() {
    local src=${ODOO_SRC:-$ODOO_UPSTREAM} dest=$ODOO_CACHE/odoo
    local part=$dest.partial stamp=$ODOO_CACHE/odoo.source
    if [[ -f $dest/odoo/release.py ]] && { [[ -z ${ODOO_SRC:-} ]] || [[ $(cat "$stamp" 2>/dev/null) == "$src" ]]; }; then
        return
    fi
    rm -rf "$part"
    if [[ -d $src ]]; then
        [[ -f $src/odoo/release.py ]] || die "ODOO_SRC=$src is not an Odoo source tree (no odoo/release.py in it)"
        log "copying the Odoo source tree $src into $dest"
        mkdir -p "$part"
        tar -C "$src" --exclude=.git --exclude=__pycache__ -cf - . | tar -C "$part" -xf - \
            || die "copying $src into $part failed"
    else
        command -v git >/dev/null || ensure_apt_packages git
        [[ $src == *:* ]] || die "ODOO_SRC=$src: no such directory (nor a git URL)"
        log "cloning Odoo $ODOO_SERIE from $src into $dest (a large download: minutes)"
        if ! git clone --progress --depth 1 -b "$ODOO_SERIE" "$src" "$part"; then
            rm -rf "$part"
            odoo_clone_failed "$src"
        fi
    fi
    local serie
    serie=$(python3 -c 'import runpy, sys; print(runpy.run_path(sys.argv[1])["serie"])' "$part/odoo/release.py" 2>/dev/null) || serie=
    [[ $serie == "$ODOO_SERIE" ]] || die "$src holds Odoo ${serie:-of unknown version}, not $ODOO_SERIE"
    rm -rf "$dest" && mv "$part" "$dest"
    echo "$src" >"$stamp"
}

odoo_clone_failed() {
    cat >&2 <<EOF
error: could not clone branch $ODOO_SERIE of Odoo from $1 (no network?).
Do one of these, then run the command again:
  - connect this machine to the Internet (github.com), or
  - get an Odoo $ODOO_SERIE source tree some other way (a copy, a mirror) and name it:
        ODOO_SRC=/path/to/odoo $0       (a directory holding odoo/, addons/, requirements.txt)
        ODOO_SRC=https://mirror/odoo.git $0   (a git repository with a branch $ODOO_SERIE)
  - or install Odoo $ODOO_SERIE so that python3 imports it (PYTHONPATH, pip install -e).
EOF
    exit 2
}

# $ODOO_CACHE/venv with Odoo's requirements; redone when they or Python change.
make_odoo_venv() {
    local venv=$ODOO_CACHE/venv root=$ODOO_CACHE/odoo key
    key="$(python3 -c 'import sys; print(sys.version)' | head -n1) $(sha256sum "$root/requirements.txt" | cut -c1-16)"
    if [[ $(cat "$venv/.bootstrap" 2>/dev/null) == "$key" ]]; then
        if [[ -s $venv/.skipped ]]; then log "Odoo $ODOO_SERIE in $ODOO_CACHE, without: $(paste -sd' ' "$venv/.skipped")"; fi
        return
    fi
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || die "Odoo $ODOO_SERIE needs Python 3.10 or later, python3 is $(python3 -V)"
    python3 -c 'import ensurepip, venv' 2>/dev/null || ensure_apt_packages python3-venv
    log "creating the virtual environment $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv $venv failed"
    # the source tree is importable as it is (odoo is a namespace package)
    echo "$root" >"$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/odoo-src.pth"
    install_odoo_requirements "$venv/bin/python" "$root/requirements.txt" "$venv/.skipped"
    "$venv/bin/python" -c 'import odoo.release, psycopg2, lxml, werkzeug' \
        || die "Odoo $ODOO_SERIE does not import in $venv (see above)"
    echo "$key" >"$venv/.bootstrap"
}

# install_odoo_requirements PYTHON REQUIREMENTS SKIPPED_FILE: pip installs them
# together; when some do not build or have no release for this Python, pip
# names them: they are left out (and written to SKIPPED_FILE), the rest installed.
install_odoo_requirements() {
    local py=$1 reqs=() skipped=() culprits attempt req
    # the lines of requirements.txt that apply to this Python (markers evaluated),
    # and lxml_html_clean, which setup.py requires too (lxml.html.clean, lxml >= 5.2)
    mapfile -t reqs < <("$py" - "$2" <<'EOF'
import sys

from pip._vendor.packaging.requirements import Requirement

for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if line:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            req.marker = None
            print(req)
print("lxml_html_clean")
EOF
    ) || die "reading $2 failed"
    ensure_build_packages "${reqs[@]}"
    # some sdists' setup.py still import pkg_resources, gone from setuptools 81
    echo 'setuptools<81' >"$ODOO_CACHE/build-constraints.txt"
    : >"$ODOO_CACHE/pip.log"
    log "installing Odoo's ${#reqs[@]} Python requirements (minutes the first time; pip's log: $ODOO_CACHE/pip.log)"
    for attempt in 1 2 3 4 5; do
        if PIP_CONSTRAINT=$ODOO_CACHE/build-constraints.txt pip_progress "$py" "${reqs[@]}"; then break; fi
        culprits=$(pip_failures "$py" "$ODOO_CACHE/pip.log.last" "${reqs[@]}")
        [[ -n $culprits && $attempt != 5 ]] || die "installing Odoo's requirements failed, see $ODOO_CACHE/pip.log"
        while read -r req; do
            log "skipping $req: it does not install on $("$py" -V) here (see $ODOO_CACHE/pip.log)"
            skipped+=("$req")
        done <<<"$culprits"
        mapfile -t reqs < <(printf '%s\n' "${reqs[@]}" | grep -vxF -f <(echo "$culprits"))
    done
    printf '%s\n' "${skipped[@]}" | sed '/^$/d' >"$3"
    if [[ -s $3 ]]; then log "Odoo runs without them; only the Odoo addons that need them cannot be installed"; fi
}

# pip_failures PYTHON LOG REQUIREMENT...: those of the requirements that pip's
# log says failed to build or have no release for this Python.
pip_failures() {
    local py=$1
    shift
    "$py" - "$@" <<'EOF'
import re
import sys

from pip._vendor.packaging.requirements import Requirement
from pip._vendor.packaging.utils import canonicalize_name

text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
names = set(re.findall(r"Failed building wheel for (\S+)", text))
for built in re.findall(r"^(?:ERROR: )?Failed to build (.+)$", text, re.M):
    names.update(built.replace(",", " ").split())
names.update(re.findall(r"No matching distribution found for ([A-Za-z0-9._-]+)", text))
names = {canonicalize_name(name) for name in names}
for req in sys.argv[2:]:
    if canonicalize_name(Requirement(req).name) in names:
        print(req)
EOF
}

# pip install the requirements, showing a line per package it collects.
pip_progress() {
    local py=$1 rc
    shift
    "$py" -m pip install --progress-bar off "$@" 2>&1 | tee "$ODOO_CACHE/pip.log.last" \
        | grep --line-buffered -E '^(Collecting|Building wheel for|Installing collected|Successfully installed)' \
        | sed -u -E 's/^(.{0,100}).*/  \1/' >&2
    rc=${PIPESTATUS[0]}
    cat "$ODOO_CACHE/pip.log.last" >>"$ODOO_CACHE/pip.log"
    return "$rc"
}

# psycopg2 ships no wheel: building it needs pg_config (libpq-dev), a C compiler
# and Python's headers.
ensure_build_packages() {
    local pkgs=()
    if printf '%s\n' "$@" | grep -qE '^psycopg2(==|$)'; then
        command -v pg_config >/dev/null || pkgs+=(libpq-dev)
        command -v gcc >/dev/null || pkgs+=(gcc)
        python3 -c 'import os, sys, sysconfig; sys.exit(not os.path.exists(sysconfig.get_path("include") + "/Python.h"))' \
            || pkgs+=(python3-dev)
    fi
    if ((${#pkgs[@]})); then ensure_apt_packages "${pkgs[@]}"; fi
}
