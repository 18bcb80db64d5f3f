"""docs/ARCHITECTURE.md draws the tree of the product: every file of it,
and no file that is gone."""

import os
import re

from odoo.tests import BaseCase, tagged

ADDON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: What is the product: these folders (their ``__init__.py`` aside, which
#: only hand names on) and these files.
PRODUCT_FOLDERS = (
    "controllers",
    "data",
    "migrations",
    "models",
    "security",
    "services",
    "static/src",
    "tools",
    "views",
    "wizard",
)
PRODUCT_FILES = ("__manifest__.py", "hooks.py")


def product_files():
    files = set(PRODUCT_FILES)
    for folder in PRODUCT_FOLDERS:
        for root, dirs, names in os.walk(os.path.join(ADDON_DIR, folder)):
            dirs[:] = [name for name in dirs if name != "__pycache__"]
            files.update(
                os.path.relpath(os.path.join(root, name), ADDON_DIR) for name in names if name != "__init__.py"
            )
    return files


def drawn_files(text):
    """The files of the tree of ``text``: the ``text`` block under "The
    tree", an entry a line, indented two spaces a level under its folder."""
    found = re.search(r"^## The tree$.*?^```text$(.*?)^```$", text, re.DOTALL | re.MULTILINE)
    folders, files = [], set()
    for line in (found.group(1) if found else "").splitlines():
        if not line.strip():
            continue
        depth = (len(line) - len(line.lstrip(" "))) // 2
        name = line.split()[0]
        del folders[depth:]
        if name.endswith("/"):
            folders.append(name)
        else:
            files.add("".join(folders) + name)
    return files


@tagged("post_install", "-at_install")
class TestArchitecture(BaseCase):
    def test_the_tree_names_every_product_file(self):
        with open(os.path.join(ADDON_DIR, "docs", "ARCHITECTURE.md"), encoding="utf-8") as doc:
            drawn = drawn_files(doc.read())
        files = product_files()
        self.assertEqual(sorted(files - drawn), [], "product files that docs/ARCHITECTURE.md does not name")
        self.assertEqual(sorted(drawn - files), [], "files docs/ARCHITECTURE.md names that are gone")

    def test_no_product_file_over_300_lines(self):
        """A file too long to read at once is a concern to split."""
        lengths = {}
        for name in product_files():
            with open(os.path.join(ADDON_DIR, name), "rb") as file:
                lengths[name] = file.read().count(b"\n")
        self.assertEqual({name: length for name, length in lengths.items() if length > 300}, {})
