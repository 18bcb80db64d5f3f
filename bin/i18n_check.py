"""The translations of bin/update-pot: compares the template Odoo exported
with i18n/, the committed template and every language shipped
(i18n/<lang>.po).

Usage: python3 bin/i18n_check.py EXPORTED_POT I18N_DIR [--check]

--check writes nothing; exit status 1 when the committed template lacks a
term of the export or holds one it no longer has, when a language of
REQUIRED is not shipped, or when a shipped language misses a term (none, an
empty or a fuzzy translation), holds a stale one (no longer in the template)
or breaks one (its placeholders or HTML tags differ from the term's). Every
term at fault is printed as a msgid line, per language, ready to be pasted
into the file. Exit status 0 otherwise.

Without --check, merges each shipped language with the export (a new term
comes in untranslated, a stale one goes: --check then names what is left to
translate), and exits 3 when the committed template differs from the export
but for its dates (the caller copies it), 0 otherwise.
"""

import re
import sys
from pathlib import Path

import polib

#: The languages the addon ships, at least: those most Odoo databases run.
REQUIRED = ("de", "es", "fr", "it", "nl", "pt_BR", "zh_CN")
#: What a translation keeps of its term: Python and QWeb placeholders.
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sdr]|%[sdr]|\{\{.*?\}\}|\{[a-z_]*\}")
#: ... and its HTML tags, attributes included.
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


def keys(po, translated=False):
    """``{(msgctxt, msgid)}`` of the live entries of ``po`` (with
    ``translated``: those with a translation Odoo loads)."""
    return {
        (entry.msgctxt, entry.msgid)
        for entry in po
        if not entry.obsolete and (not translated or (entry.msgstr and "fuzzy" not in entry.flags))
    }


def msgid_line(key):
    ctxt, msgid = key
    line = f'msgid "{polib.escape(msgid)}"'
    return f'msgctxt "{polib.escape(ctxt)}" {line}' if ctxt else line


def broken(po):
    """The keys of the translations of ``po`` whose placeholders or tags
    differ from their term's."""
    return {
        (entry.msgctxt, entry.msgid)
        for entry in po
        if entry.msgstr
        and not entry.obsolete
        and any(
            sorted(pattern.findall(entry.msgid)) != sorted(pattern.findall(entry.msgstr))
            for pattern in (PLACEHOLDER, TAG)
        )
    }


def without_dates(text):
    return re.sub(r'^"(POT-Creation-Date|PO-Revision-Date): .*\\n"$', "", text, flags=re.M)


def languages(i18n):
    return sorted(i18n.glob("*.po"))


def check(template, committed_path, i18n):
    """The faults of i18n/, printed; ``True`` when there are none."""
    faults = []
    committed = polib.pofile(str(committed_path))
    missing, extra = keys(template) - keys(committed), keys(committed) - keys(template)
    for title, entries in (
        (f"missing from i18n/{committed_path.name}", missing),
        (f"no longer in the addon, still in i18n/{committed_path.name}", extra),
    ):
        if entries:
            faults.append(f"{len(entries)} term(s) {title}: run bin/update-pot")
            faults += [f"    {msgid_line(key)}" for key in sorted(entries, key=str)]
    shipped = {path.stem for path in languages(i18n)}
    faults += [
        f"i18n/{lang}.po is missing: the addon ships {', '.join(REQUIRED)}" for lang in REQUIRED if lang not in shipped
    ]
    for path in languages(i18n):
        po = polib.pofile(str(path))
        for title, entries in (
            ("term(s) of the template not translated", keys(template) - keys(po, translated=True)),
            ("stale term(s), no longer in the template", keys(po) - keys(template)),
            ("translation(s) whose placeholders or HTML tags differ from the term's", broken(po)),
        ):
            if entries:
                faults.append(f"i18n/{path.name}: {len(entries)} {title}:")
                faults += [f"    {msgid_line(key)}" for key in sorted(entries, key=str)]
    for line in faults:
        print(line, file=sys.stderr)
    return not faults


def where(po):
    """Each term of ``po`` with where the template says it is used."""
    return sorted((entry.msgctxt or "", entry.msgid, entry.occurrences, entry.comment) for entry in po)


def merge(template, i18n):
    """Each shipped language gets the new terms of ``template``, untranslated,
    loses the stale ones, and takes the template's places of use of the others:
    ``[(file name, new terms, stale terms)]`` of those it changed."""
    changed = []
    for path in languages(i18n):
        po = polib.pofile(str(path))
        before, places = keys(po), where(po)
        po.merge(template)
        for entry in [entry for entry in po if entry.obsolete]:
            po.remove(entry)
        if where(po) != places:
            po.save(str(path))
            changed.append((path.name, len(keys(po) - before), len(before - keys(po))))
    return changed


def main(exported, i18n_dir, check_only):
    i18n = Path(i18n_dir)
    template = polib.pofile(exported)
    committed_path = next(i18n.glob("*.pot"), None)
    if not len(template):
        print("update-pot: FAILED: the export holds no term")
        return 1
    if check_only:
        if committed_path is None:
            print("update-pot: FAILED: i18n/ holds no .pot: run bin/update-pot")
            return 1
        if not check(template, committed_path, i18n):
            print("update-pot: FAILED: the translations are not complete (above, the terms at fault per file)")
            return 1
        names = ", ".join(path.stem for path in languages(i18n))
        print(
            f"update-pot: OK: i18n/{committed_path.name} holds the addon's {len(template)} terms, translated in {names}"
        )
        return 0
    for name, new, stale in merge(template, i18n):
        print(
            f"update-pot: i18n/{name}: {new} new term(s) to translate, {stale} stale one(s) removed, "
            "places of use brought up to date",
            file=sys.stderr,
        )
    if committed_path is None:
        return 3
    same = without_dates(Path(exported).read_text(encoding="utf-8")) == without_dates(
        committed_path.read_text(encoding="utf-8")
    )
    return 0 if same else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:] == ["--check"]))
