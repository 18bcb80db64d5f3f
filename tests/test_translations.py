"""The languages the addon ships load in a database: every term of each
i18n/<lang>.po is what Odoo shows in that language, on the models, views,
actions and menus (loaded with the language), and in the Python and web
client code (read from the files)."""

import html
from pathlib import Path

import polib

from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import code_translations

MODULE = "mail_activity_tracking"
I18N = Path(__file__).parents[1] / "i18n"
#: Odoo's language code => the file that translates it.
LANGUAGES = {
    "de_DE": "de",
    "es_ES": "es",
    "fr_FR": "fr",
    "it_IT": "it",
    "nl_NL": "nl",
    "pt_BR": "pt_BR",
    "zh_CN": "zh_CN",
}


def spaced(text):
    return " ".join(html.unescape(text).split())


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    def test_every_shipped_language_is_tested(self):
        self.assertEqual(sorted(path.stem for path in I18N.glob("*.po")), sorted(LANGUAGES.values()))

    def test_each_language_loads_every_term(self):
        for lang, name in LANGUAGES.items():
            with self.subTest(lang=lang):
                self.env["res.lang"]._activate_lang(lang)
                self.env["ir.module.module"]._load_module_terms([MODULE], [lang], overwrite=True)
                env = self.env(context={"lang": lang})
                python = code_translations.get_python_translations(MODULE, lang)
                web = {
                    message["id"]: message["string"]
                    for message in code_translations.get_web_translations(MODULE, lang)["messages"]
                }
                checked = 0
                for entry in polib.pofile(str(I18N / f"{name}.po")):
                    self.assertTrue(entry.msgstr, f"{name}.po: {entry.msgid!r} is not translated")
                    for where, _line in entry.occurrences:
                        kind, _sep, target = where.partition(":")
                        if kind == "code":
                            shown = (web if "odoo-javascript" in entry.comment else python).get(entry.msgid)
                            self.assertEqual(shown, entry.msgstr, f"{lang}: {entry.msgid!r} in {target}")
                        else:
                            model_field, _sep, xmlid = target.partition(":")
                            model, field = model_field.split(",")
                            record = env.ref(xmlid)
                            self.assertEqual(record._name, model)
                            value = spaced(record[field] or "")
                            # a term moved elsewhere: bin/update-pot brings the files' places up to date
                            message = f"{lang}: {where} (moved? run bin/update-pot)"
                            if kind == "model":
                                self.assertEqual(value, spaced(entry.msgstr), message)
                            else:
                                self.assertIn(spaced(entry.msgstr), value, message)
                        checked += 1
                self.assertGreater(checked, 400)
